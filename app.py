"""audioml: the app's entry point. Builds the navigation and the home page.

Start it with ``python app.py [streamlit options]`` (what ``make run`` and the Dockerfile do);
``streamlit run app.py`` works too, but see :func:`serve` for what it gets wrong on a fresh server.
"""

import os
import sys

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui import warmup
from ui.navigation import FAVICON, HOME_ALIAS, available_pages


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


def main() -> None:
    st.set_page_config(page_title="audioml", page_icon=str(FAVICON), layout="wide")
    warn_if_started_by_streamlit_run()
    # Streamlit serves the default page at "/" whatever url_path it declares, so /home gets a
    # hidden page of its own that sends the visitor to "/".
    home_page = st.Page(home, title="Home", icon=":material/home:", url_path="index", default=True)

    def home_alias() -> None:
        st.switch_page(home_page)

    navigation = st.navigation(
        [home_page]
        + [st.Page(f"pages/{p.file}", title=p.title, icon=p.icon, url_path=p.url_path)
           for p in available_pages()]
        + [st.Page(home_alias, title="Home", url_path=HOME_ALIAS, visibility="hidden")])
    if navigation.url_path not in ("", HOME_ALIAS):   # the home page imports nothing heavy
        warmup.wait_for_imports()
    navigation.run()


def warn_if_started_by_streamlit_run() -> None:
    """Say once, in the server's log, that ``python app.py`` is the way to start this app.

    Under ``streamlit run app.py`` nothing of the app runs before the first visitor, whose
    session Streamlit has already routed by the file names in pages/ (see :func:`serve`): a link
    to /latent-space then opens the home page. :func:`serve` marks the process it starts in
    :data:`SERVED`; a process without the mark was started some other way. The mark is then
    set, so that the line is printed once per server.
    """
    if os.environ.get(SERVED) is None:
        os.environ[SERVED] = "streamlit run"
        print(STREAMLIT_RUN_WARNING, file=sys.stderr, flush=True)


#: Environment variable that :func:`serve` sets in the server's process.
SERVED = "AUDIOML_SERVED_BY"
STREAMLIT_RUN_WARNING = (
    "audioml: started with `streamlit run app.py`, so a fresh server's first visitor of a link "
    "to a page (such as /latent-space) gets the home page, and the server warms up only when a "
    "page is first opened. Start it with `python app.py` (what `make run` does) instead.")


def close_figures() -> None:
    """What Streamlit does after every script run, less the reset of Keras (see below)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_between_runs() -> None:
    """Stop Streamlit from clearing Keras's session after every script run.

    Streamlit calls ``keras.backend.clear_session()`` at the end of each run of any page, in
    every session, once Keras is imported. That call runs a full ``gc.collect()`` over the
    millions of objects TensorFlow, Keras and music21 hold, and empties TensorFlow's kernel
    cache, so the next denoising builds its kernels again: about half of the server's CPU per
    page visit. This app builds no model in a script run; it loads each model once per process
    and shares it, so there is no session state to clear. (It is a private hook of Streamlit's
    script runner, pinned with Streamlit in requirements.txt and checked by a test.)
    """
    from streamlit.runtime.scriptrunner import script_runner

    script_runner._clean_problem_modules = close_figures


def serve(args: list[str]) -> int:
    """Run the Streamlit server on this file with *args* (e.g. ``--server.port 8501``).

    A folder named ``pages/`` beside the entry script makes Streamlit start every server in its
    legacy multipage mode, which lasts until some session has called ``st.navigation``: the first
    visitor of a fresh server is routed by file name, so a link to /latent-space shows "Page not
    found" and the home page. This app only ever uses ``st.navigation``, so it says so before the
    server takes its first session. (Renaming ``pages/`` would make ``streamlit run app.py`` right
    as well.)
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    os.environ[SERVED] = "app.py"
    warmup.start()   # imports and models load while the server starts and takes its first visitors
    sys.argv = ["streamlit", "run", __file__, *args]
    return cli.main()


if get_script_run_ctx(suppress_warning=True) is not None:  # a session's script run
    keep_keras_between_runs()   # before the run's end calls the hook, however the server started
    main()
elif __name__ == "__main__":  # `python app.py`: start the server
    sys.exit(serve(sys.argv[1:]))
