"""audioml: machine learning for audio, explained.

The library behind the app and the ``audioml`` command: audio I/O and checks
(:mod:`audioml.audio`), the STFT, its inverse and Griffin-Lim
(:mod:`audioml.spectral`), noise and metrics, the shared conv-block builder
(:mod:`audioml.nn`), and the denoising, latent-space and melody models.
Importing it does not import TensorFlow; the model modules do, when used.
"""

from audioml.audio import load_audio, to_wav_bytes
from audioml.errors import AudioMLError

__version__ = "0.1.0"

__all__ = ["AudioMLError", "load_audio", "to_wav_bytes", "denoise", "generate_melody",
           "render_score", "__version__"]


def __getattr__(name):
    # Heavy (TensorFlow) entry points load on first use, so `import audioml` stays fast.
    if name == "denoise":
        from audioml.denoising.api import denoise

        return denoise
    if name in ("generate_melody", "render_score"):
        import audioml.melody

        return getattr(audioml.melody, name)
    raise AttributeError(f"module 'audioml' has no attribute {name!r}")
