"""The Streamlit helpers every page uses: safe text, and settings that live in the page's URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui.common import safe_text

ROOT = Path(__file__).resolve().parents[2]
#: Each page and the prefix of its keys, which name its URL parameters.
PAGES = {"pages/1_spectrogram.py": "stft_", "pages/2_latent_space.py": "latent_",
         "pages/3_denoise.py": "dn_", "pages/4_melody.py": "melody_", "pages/5_experiments.py": "ex_"}
WIDGETS = ("slider", "select_slider", "radio", "selectbox", "multiselect", "checkbox", "toggle",
           "number_input", "text_input")
#: What a stranger may put in a link: markup, code, numbers out of any range, empty values.
GARBAGE = ["<script>alert(1)</script>", "__import__('os').system('true')", "1e999", "nan", "-1e9",
           " ", "😀" * 40, "%00"]


def test_user_text_is_escaped():
    shown = safe_text("<script>alert(1)</script> [link](javascript:x) **bold** " + "x" * 500)
    assert "<script>" not in shown and "**" not in shown
    assert not re.search(r"(?<!\\)\]\(", shown), "a Markdown link survived"
    assert len(shown) < 300


# --- A lesson can be bookmarked -----------------------------------------------------------

@pytest.fixture
def visit(monkeypatch):
    """``visit(page, params)``: the page opened at a URL with *params* in AppTest; ``at.runs`` is
    how many times its script ran (each page calls ``st.title`` once per run)."""
    import streamlit
    from streamlit.testing.v1 import AppTest

    runs = []
    real_title = streamlit.title
    monkeypatch.setattr(streamlit, "title", lambda *a, **k: runs.append(a) or real_title(*a, **k))

    def open_at(page: str, params: dict | None = None):
        runs.clear()
        at = AppTest.from_file(str(ROOT / page), default_timeout=300)
        at.query_params.update(params or {})
        at.run()
        assert not at.exception, at.exception
        at.runs = len(runs)
        return at

    return open_at


def rerun(at):
    """*at* run again, after a widget change."""
    at.run()
    assert not at.exception, at.exception
    return at


def widgets(at):
    return [w for kind in WIDGETS for w in getattr(at, kind)]


def bound(at) -> dict:
    """The widgets drawn bound to a URL parameter: {parameter name: value}."""
    return {w.proto.query_param_key: w.value for w in widgets(at) if w.proto.query_param_key}


def shown_text(at) -> str:
    return " ".join(e.value for kind in ("markdown", "caption", "error", "info", "warning", "code")
                    for e in getattr(at, kind))


@pytest.mark.parametrize("page", list(PAGES))
def test_a_visit_at_defaults_or_with_garbage_runs_once_at_defaults(visit, page):
    """No parameter: one script run and a clean URL. Garbage in every parameter the page reads:
    the same widgets at the same defaults, one run, no exception, and the URL cleaned of it."""
    at = visit(page)
    assert at.runs == 1
    assert at.query_params == {}
    defaults = bound(at)
    assert all(name.startswith(PAGES[page]) for name in defaults), "a parameter another page could share"

    for junk in GARBAGE:
        params = {name: junk for name in defaults} | {"nfft": junk}
        at = visit(page, params)
        assert at.runs == 1
        assert {w.key: w.value for w in widgets(at) if w.key in defaults} == defaults, junk
        assert not set(at.query_params) & set(defaults), at.query_params
        if "<" in junk or "(" in junk:
            assert junk not in shown_text(at)


def test_a_spectrogram_link_opens_the_lesson_it_names(visit):
    at = visit("pages/1_spectrogram.py", {
        "stft_sr": "8000", "stft_synth": "Chirp (log sweep)", "stft_nfft": "1024", "stft_hop_1024": "512",
        "stft_window": "rectangular", "stft_db": "magnitude", "stft_scale": "mel", "stft_gl_iter": "5"})
    assert at.runs == 1
    assert at.selectbox(key="stft_sr").value == 8000
    assert at.select_slider(key="stft_nfft").value == 1024 and at.select_slider(key="stft_hop_1024").value == 512
    assert at.radio(key="stft_window").value == "rectangular" and at.radio(key="stft_scale").value == "mel"
    assert at.slider(key="stft_gl_iter").value == 5
    # ...and the page computed with them.
    text = shown_text(at)
    assert "Chirp (log sweep): 12000 samples at 8000 Hz" in text
    assert "Frame = 128.0 ms, hop = 64.0 ms, overlap = 50%" in text
    assert at.query_params["stft_nfft"] == "1024"   # the settings stay in the URL


def test_a_spectrogram_change_writes_the_url_and_a_default_leaves_it(visit):
    at = visit("pages/1_spectrogram.py")
    at.select_slider(key="stft_nfft").set_value(1024)
    at.radio(key="stft_window").set_value("hamming")
    rerun(at)
    assert at.query_params["stft_nfft"] == "1024" and at.query_params["stft_window"] == "hamming"
    assert "stft_hop_1024" not in at.query_params   # the hop at its default stays out
    at.select_slider(key="stft_nfft").set_value(512)
    rerun(at)
    assert "stft_nfft" not in at.query_params and at.query_params["stft_window"] == "hamming"

    # A reload opens the page with what the URL says.
    reloaded = visit("pages/1_spectrogram.py", at.query_params)
    assert reloaded.radio(key="stft_window").value == "hamming"


def test_a_denoise_link_opens_the_lesson_it_names(visit):
    from audioml.examples import EXAMPLES

    at = visit("pages/3_denoise.py", {
        "dn_example": f"three: {EXAMPLES['three']}", "dn_noise": "pink", "dn_snr": "0",
        "dn_models": "masknet_denoiser (trained here)", "dn_strength": "0.5"})
    assert at.runs == 1
    assert at.radio(key="dn_noise").value == "pink" and at.slider(key="dn_snr").value == 0
    assert at.multiselect(key="dn_models").value == ["masknet_denoiser"]
    assert at.slider(key="dn_strength").value == 0.5
    assert "example “three”" in shown_text(at)
    assert set(at.table[0].value["clip"]) == {"noisy", "masknet_denoiser"}

    at.slider(key="dn_snr").set_value(10)
    rerun(at)
    assert at.query_params["dn_snr"] == "10"


def test_a_melody_link_opens_the_lesson_it_names(visit):
    at = visit("pages/4_melody.py", {"melody_preset": "Lilt in 6/8", "melody_steps": "64",
                                     "melody_temperature": "1.5", "melody_random_seed": "7"})
    assert at.runs == 1
    assert at.selectbox(key="melody_preset").value == "Lilt in 6/8"
    assert at.slider(key="melody_steps").value == 64 and at.slider(key="melody_temperature").value == 1.5
    assert at.number_input(key="melody_random_seed").value == 7
    assert "in 6/8; stopped because" in shown_text(at)

    at.slider(key="melody_temperature").set_value(0.5)
    rerun(at)
    assert at.query_params["melody_temperature"] == "0.5"


def test_a_seed_typed_into_a_link_is_read_as_text(visit):
    """A typed seed is a lesson setting too, but only ever read as symbols: markup in it is
    reported, escaped, as a bad seed."""
    at = visit("pages/4_melody.py", {"melody_seed_source": "Symbols I type",
                                     "melody_seed_text": "<img src=x onerror=alert(1)> 60 _ _ _"})
    assert at.text_input(key="melody_seed_text").value.startswith("<img")
    assert at.error and "<img" not in shown_text(at)


def test_a_latent_link_opens_the_lesson_it_names(visit):
    at = visit("pages/2_latent_space.py", {"latent_alpha": "10", "latent_grid_steps": "5",
                                           "latent_n_samples": "20", "latent_seed": "3"})
    assert at.runs == 1
    assert at.select_slider(key="latent_alpha").value == "10"
    assert at.slider(key="latent_grid_steps").value == 5 and at.number_input(key="latent_seed").value == 3
    assert "Measured here on 20 draws (seed 3)" in shown_text(at)

    at.select_slider(key="latent_alpha").set_value("100")
    rerun(at)
    assert at.query_params["latent_alpha"] == "100"


def test_a_setting_survives_runs_that_skip_it_and_an_opted_out_one_stays_out_of_the_url():
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui.common import persistent

        if st.toggle("Show the settings", value=True, key="show"):
            st.slider("Lesson", 0, 10, 5, **persistent("t_lesson"))
            st.slider("Scratch", 0, 10, 5, **persistent("t_scratch", bookmark=False))

    at = AppTest.from_function(script)
    at.query_params.update(t_lesson="7", t_scratch="9")
    at.run()
    assert at.slider(key="t_lesson").value == 7 and at.slider(key="t_scratch").value == 5
    at.slider(key="t_lesson").set_value(8)
    at.slider(key="t_scratch").set_value(2)
    rerun(at)
    assert at.query_params["t_lesson"] == "8" and at.query_params["t_scratch"] == "9"   # left as it came

    at.toggle(key="show").set_value(False)
    rerun(at)
    at.toggle(key="show").set_value(True)
    rerun(at)
    assert at.slider(key="t_lesson").value == 8 and at.slider(key="t_scratch").value == 2
    assert at.query_params["t_lesson"] == "8"
