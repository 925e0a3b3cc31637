"""Speech denoising: the method's DCAE and VAE on spectrogram images, and our mask net.

Bottom to top, each module importing only those above it in this list:

``fsdd``        the Free Spoken Digit Dataset: find, read, split (8 kHz, :data:`SR`)
``features``    the method's 0.55 s [0, 1] spectrogram images and training pairs
``windows``     any length through a fixed-size model (overlap-add)
``masknet``     our mask net's builder and how hard its mask is applied
``denoisers``   a trained net plus how to run it on a clip; ``load(card, path)``
``api``         ``denoise(y, sr, model=...)``: any rate in, the same rate out
``train``       training loops (the autoencoders on images, the mask net on crops)
``tune``        the mask's power and floor, picked on training speakers
``evaluate``    scores on held-out FSDD clips beside noisereduce
``recipe``      train + tune + score + write the card: what ``audioml train denoiser`` runs
``analysis``    what the page shows beyond the output (latent codes, saturation)
"""

from audioml.denoising.api import ALIASES, DEFAULT_MODEL, denoise, load_denoiser, match_loudness, model_names
from audioml.denoising.fsdd import SR

__all__ = ["ALIASES", "DEFAULT_MODEL", "SR", "denoise", "load_denoiser", "match_loudness",
           "model_names"]
