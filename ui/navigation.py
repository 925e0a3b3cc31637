"""The app's pages: file, URL path, title, icon and what each teaches (read by app.py and the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The browser tab's icon: a file shipped in the repository, so that nothing is fetched from a CDN.
FAVICON = ROOT / "ui" / "assets" / "favicon.png"
#: The home page is served at the root URL; this path opens it too (Streamlit serves the default
#: page at "/" only, whatever url_path it declares).
HOME_ALIAS = "home"


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


#: What each page teaches, for the home page.
BLURBS = {
    "spectrogram": "The short-time Fourier transform step by step: windows, frames and hops, the "
                   "time–frequency trade-off, and why a magnitude spectrogram alone needs "
                   "Griffin–Lim to become sound again.",
    "latent-space": "A 2-D autoencoder and a 2-D variational autoencoder trained on MNIST, side by "
                    "side: where each puts the digits, and why draws from N(0, I) decode to digits "
                    "about as often with both, but to all ten digits only with the VAE.",
    "denoise": "Upload or record speech, add noise, and hear it cleaned by the DCAE, the VAE, a "
               "stronger mask network of ours and the production denoisers, with spectrograms "
               "and scores.",
    "melody": "An LSTM trained on German folk songs continues a melody you start: read it as sheet "
              "music, hear it, watch temperature at work, and download it.",
    "experiments": "The searches behind the models, reproduced: the published numbers beside ours.",
}

PAGES = [PageInfo(file, url, title, icon, BLURBS[url]) for file, url, title, icon in (
    ("1_spectrogram.py", "spectrogram", "How a spectrogram is made", ":material/graphic_eq:"),
    ("2_latent_space.py", "latent-space", "Latent spaces: DCAE vs VAE", ":material/scatter_plot:"),
    ("3_denoise.py", "denoise", "Denoising speech", ":material/noise_control_off:"),
    ("4_melody.py", "melody", "Melody generation", ":material/music_note:"),
    ("5_experiments.py", "experiments", "Experiments", ":material/science:"),
)]


def available_pages() -> list[PageInfo]:
    """The pages whose files exist, in menu order."""
    return [p for p in PAGES if p.path.exists()]


def page_link(url_path: str, label: str) -> None:
    """A link to the page at *url_path* that navigates inside the app, in the same tab.

    (A Markdown link opens a new tab and a new session.) A page run on its own, outside the app's
    navigation (AppTest), gets a plain link instead.
    """
    import streamlit as st
    from streamlit.errors import StreamlitPageNotFoundError

    info = next(p for p in PAGES if p.url_path == url_path)
    try:
        st.page_link(f"pages/{info.file}", label=label, icon=info.icon)
    except StreamlitPageNotFoundError:
        st.markdown(f"[{label}](/{url_path})")
