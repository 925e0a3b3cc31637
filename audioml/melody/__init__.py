"""Melody generation: an LSTM trained on folk songs continues a melody you start.

Modules, each with one job (encoding apart from model apart from generator):

``encoding``  symbols on a sixteenth grid, seeds, the vocabulary (pure Python)
``corpus``    parse **kern/ABC/MusicXML with music21, filter, transpose, encode, cache
``model``     the LSTM builder, presets, saving/loading, one-step numpy inference
``train``     whole-song training and next-step evaluation
``ngram``     the n-gram baseline
``generate``  seed checks, temperature sampling, stopping at the end of a phrase
``score``     music21 stream, Verovio SVG, MIDI/MusicXML/**kern exports
``synth``     numpy synthesis for listening
``analysis``  key, notes in key, tonic ending, histograms, copy detection

Only the two entry points below are imported eagerly; TensorFlow loads with the model.
"""

from __future__ import annotations

from functools import lru_cache

from audioml.melody.encoding import Melody

#: The shipped model's name in ``models/``.
MODEL_NAME = "melody_lstm"

__all__ = ["Melody", "MODEL_NAME", "generate_melody", "render_score", "shipped_model"]


@lru_cache(maxsize=2)
def shipped_model(name: str = MODEL_NAME):
    """The shipped melody model, loaded once per process (see :func:`audioml.registry.load_model`)."""
    from audioml.registry import load_model

    return load_model(name)


def generate_melody(seed=None, steps: int = 128, temperature: float = 1.0, random_seed: int | None = None,
                    *, model=None, meter: str = "4/4", pickup_steps: int = 0):
    """Continue *seed* with the shipped LSTM.

    Parameters
    ----------
    seed : str, sequence of str, Melody or None
        Symbols on the sixteenth grid such as ``"60 _ _ _ 62 _ _ _"`` (MIDI pitch at an onset,
        ``_`` to hold, ``r`` for a rest), or a Melody; None lets the model start.
    steps : int
        Budget of sixteenths to generate (generation ends at the song delimiter, or at the end of
        a phrase shortly after the budget).
    temperature : float
        Sampling temperature, positive and finite (1 = as trained).
    random_seed : int, optional
        Makes the result repeatable.
    model : MelodyModel, optional
        Another trained model; the shipped one by default.
    meter, pickup_steps
        Bar of a text seed.

    Returns
    -------
    GeneratedMelody
        Symbols, meter, key, and the step-by-step trace.

    Examples
    --------
    >>> import audioml
    >>> m = audioml.generate_melody("60 _ _ _ 62 _ _ _", steps=64, random_seed=1)
    >>> svg = audioml.render_score(m)
    """
    from audioml.melody.generate import generate

    return generate(model or shipped_model(), seed, steps=steps, temperature=temperature,
                    random_seed=random_seed, meter=meter, pickup_steps=pickup_steps)


def render_score(melody: Melody) -> str:
    """Engrave *melody* as sheet music with Verovio; return the SVG text."""
    from audioml.melody.score import render_svg

    return render_svg(melody)
