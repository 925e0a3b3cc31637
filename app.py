"""audioml: the app's entry point. Builds the navigation and the home page."""

from pathlib import Path

import streamlit as st

ROOT = Path(__file__).parent

# (file in pages/, title, icon, what the page teaches). A page appears once its file exists.
PAGES = [
    ("1_spectrogram.py", "How a spectrogram is made", ":material/graphic_eq:",
     "The short-time Fourier transform step by step: windows, frames and hops, the "
     "time-frequency trade-off, and why a magnitude spectrogram alone needs Griffin-Lim "
     "to become sound again."),
    ("2_latent_space.py", "Latent spaces: DCAE vs VAE", ":material/scatter_plot:",
     "A 2-D autoencoder and a 2-D variational autoencoder trained on MNIST, side by side: "
     "where each puts the digits, and why only the VAE's space can be sampled."),
    ("3_denoise.py", "Denoising speech", ":material/noise_control_off:",
     "Upload or record a spoken digit, add noise, and hear it cleaned by the DCAE, the VAE "
     "and a stronger mask network, with spectrograms and scores."),
    ("4_melody.py", "Melody generation", ":material/music_note:",
     "An LSTM trained on German folk songs continues a melody you start; read it as sheet "
     "music, hear it, watch temperature at work, and download it."),
    ("5_experiments.py", "Experiments", ":material/science:",
     "The searches behind the models, reproduced: published numbers beside ours."),
]


def home() -> None:
    st.title("audioml")
    st.markdown(
        "Machine learning for audio, one idea per page. Everything runs on this computer's "
        "CPU, with models trained on real recordings, digits and folk songs.")
    for file, title, icon, blurb in available_pages():
        with st.container(border=True):
            st.page_link(f"pages/{file}", label=title, icon=icon)
            st.write(blurb)
    st.caption(
        "Data: Free Spoken Digit Dataset (CC BY-SA 4.0), MNIST (CC BY-SA 3.0), Essen Folksong "
        "Collection via KernScores. Method: convolutional and variational autoencoders for "
        "spectrogram denoising and LSTMs for melody generation, as in the paper the project follows.")


def available_pages():
    return [p for p in PAGES if (ROOT / "pages" / p[0]).exists()]


st.set_page_config(page_title="audioml", page_icon=":material/graphic_eq:", layout="wide")
navigation = st.navigation(
    [st.Page(home, title="Home", icon=":material/home:", default=True)]
    + [st.Page(f"pages/{file}", title=title, icon=icon) for file, title, icon, _ in available_pages()])
navigation.run()
