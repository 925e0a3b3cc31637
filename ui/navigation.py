"""The app's pages: file, URL path, title, icon and what each teaches (read by app.py and the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageInfo:
    file: str
    url_path: str
    title: str
    icon: str
    blurb: str

    @property
    def path(self) -> Path:
        return ROOT / "pages" / self.file


PAGES = [
    PageInfo("1_spectrogram.py", "spectrogram", "How a spectrogram is made", ":material/graphic_eq:",
             "The short-time Fourier transform step by step: windows, frames and hops, the "
             "time–frequency trade-off, and why a magnitude spectrogram alone needs Griffin–Lim "
             "to become sound again."),
    PageInfo("2_latent_space.py", "latent-space", "Latent spaces: DCAE vs VAE", ":material/scatter_plot:",
             "A 2-D autoencoder and a 2-D variational autoencoder trained on MNIST, side by side: "
             "where each puts the digits, and why only the VAE's space can be sampled."),
    PageInfo("3_denoise.py", "denoise", "Denoising speech", ":material/noise_control_off:",
             "Upload or record a spoken digit, add noise, and hear it cleaned by the DCAE, the VAE "
             "and a stronger mask network, with spectrograms and scores."),
    PageInfo("4_melody.py", "melody", "Melody generation", ":material/music_note:",
             "An LSTM trained on German folk songs continues a melody you start: read it as sheet "
             "music, hear it, watch temperature at work, and download it."),
    PageInfo("5_experiments.py", "experiments", "Experiments", ":material/science:",
             "The searches behind the models, reproduced: the published numbers beside ours."),
]


def available_pages() -> list[PageInfo]:
    """The pages whose files exist, in menu order."""
    return [p for p in PAGES if p.path.exists()]
