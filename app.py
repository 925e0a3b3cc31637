"""audioml: the app's entry point. Builds the navigation and the home page."""

import streamlit as st

from ui.navigation import available_pages


def home() -> None:
    st.title("audioml")
    st.markdown(
        "Machine learning for audio, one idea per page. Everything runs on this computer's CPU, "
        "with models trained on real recordings, handwritten digits and folk songs.")
    for page in available_pages():
        with st.container(border=True):
            st.page_link(f"pages/{page.file}", label=page.title, icon=page.icon)
            st.write(page.blurb)
    st.caption(
        "Data: Free Spoken Digit Dataset (CC BY-SA 4.0), MNIST (CC BY-SA 3.0), Essen Folksong "
        "Collection via KernScores. Method: convolutional and variational autoencoders for "
        "spectrogram denoising, and LSTMs for melody generation.")


st.set_page_config(page_title="audioml", page_icon=":material/graphic_eq:", layout="wide")
navigation = st.navigation(
    [st.Page(home, title="Home", icon=":material/home:", url_path="home", default=True)]
    + [st.Page(f"pages/{p.file}", title=p.title, icon=p.icon, url_path=p.url_path)
       for p in available_pages()])
navigation.run()
