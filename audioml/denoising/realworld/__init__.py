"""A reproducible real-world benchmark for speech denoisers.

Clean read sentences (and, optionally, clean FSDD digits supplied by the caller)
are mixed with real noise recordings at exact SNRs, optionally after
convolution with a measured room impulse response, and every denoiser is scored
on the same mixtures with PESQ (narrow- and wide-band) and SI-SDR.

The data is the ``realworld`` folder (see the data README): ``speech/`` (16 kHz
sentences), ``noise/`` (real noise, 16 or 44.1 kHz, multichannel files use
channel 0) and ``rir/`` (16 kHz room impulse responses). It is found with
:func:`audioml.paths.find_data`.

Design rules, fixed so that figures are comparable between runs:

* **Noise split** (:data:`NOISE_SPLIT`). Digital silence (``|y| <``
  :data:`audioml.audio.SILENCE_PEAK`) is trimmed from both ends of each
  recording, then the first two thirds are the *training* part and the last
  third the *evaluation* part (:func:`split_index`). The split is made on the
  file's own samples, before any resampling, so no evaluation sample reaches
  the training part. Training code must use ``load_noises(part="train")``.
  A part shorter than :data:`MIN_PART_SECONDS` is left out (an ESC-50 clip that
  holds one short dog bark has a 0.1 s evaluation part: tiled, it would be a
  buzz, not the recording).
* **Reference**. With reverberation the task is denoising only: the reference
  (``Mixture.clean``) is the *reverberant* clean speech, and the dry speech is
  kept in ``Mixture.dry``. The impulse response is divided by its direct-path
  value (its largest sample, sign included) and shifted so the direct path is
  at sample 0: the reverberant clean is time-aligned with the dry clean and has
  it at unit gain, plus reflections; the tail past the clip's end is cut.
* **Mixing**. The noise segment starts at a random sample of the evaluation
  part (tiled when shorter than the clip) and is scaled so that
  ``10 log10(sum(clean**2) / sum(noise**2))`` is exactly the SNR over the clip.
  When the peak of the noisy (or clean) clip exceeds 0.99 both are scaled by
  the same factor, which keeps the SNR.
* **Determinism**. Noises are used in turn in a seeded order, balanced over
  the SNR and reverb conditions (every noise is used in each condition when
  there are at least as many clips as noises), impulse responses likewise, and
  each mixture's noise start comes from its own seeded generator: a build is
  bit-identical for a given seed, and adding digits does not change the
  sentence mixtures.

The package, bottom to top, each module importing only those above it:

``inputs``   the folder: sentences, the noise split (:func:`load_noises`), rooms
``mixing``   :class:`Mixture` and :func:`build_mixtures`
``scoring``  :func:`align` and :func:`score`: one estimate against its reference
``runner``   :func:`evaluate`: every method on every mixture, summarised
``text``     :func:`format_report`: the report as a plain-text table
"""

from audioml.denoising.realworld.inputs import (AUDIO_EXTENSIONS, DIGIT_SR, EVAL_FRACTION,
                                                MIN_PART_SECONDS, NOISE_SPLIT, PARTS, SENTENCE_SR,
                                                find_realworld, load_noises, load_rirs,
                                                load_sentences, normalise_rir, split_index)
from audioml.denoising.realworld.mixing import (KINDS, PEAK_LIMIT, REFERENCE, Mixture,
                                                build_mixtures, reverberate)
from audioml.denoising.realworld.runner import evaluate
from audioml.denoising.realworld.scoring import MAX_LAG_SECONDS, align, score
from audioml.denoising.realworld.text import format_report

__all__ = ["AUDIO_EXTENSIONS", "DIGIT_SR", "EVAL_FRACTION", "KINDS", "MAX_LAG_SECONDS",
           "MIN_PART_SECONDS", "Mixture", "NOISE_SPLIT", "PARTS", "PEAK_LIMIT", "REFERENCE",
           "SENTENCE_SR", "align", "build_mixtures", "evaluate", "find_realworld", "format_report",
           "load_noises", "load_rirs", "load_sentences", "normalise_rir", "reverberate", "score",
           "split_index"]
