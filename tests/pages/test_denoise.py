"""AppTest of the denoising page with the shipped models."""

from __future__ import annotations

import numpy as np
import pytest

from audioml.audio import MAX_SECONDS, to_wav_bytes
from audioml.denoising import model_names
from audioml.denoising.api import recommended_model
from audioml.denoising.masknet import build_masknet
from audioml.errors import AudioMLError
from audioml.nn.inspect import describe_layers
from ui.denoise import architecture_dot, check_suffix

PAGE = "pages/3_denoise.py"


def _scores(at):
    return at.dataframe[0].value


@pytest.fixture(scope="module")
def at_default(open_page):
    return open_page(PAGE)


def test_default_page_renders_everything(at_default):
    at = at_default
    assert not at.error
    # One spectrogram panel per clip: clean, noisy and the three models trained here.
    panels = [c for c in at.get("plotly_chart") if c.proto.id and "dn_spectrogram_" in c.proto.id]
    assert len(panels) == 5, [c.proto.id for c in at.get("plotly_chart")]
    assert len(at.get("audio")) == 5 and len(at.get("download_button")) == 3
    assert all(b.proto.ignore_rerun for b in at.get("download_button"))   # a download reruns nothing
    table = _scores(at)
    assert set(table["clip"]) == {"noisy", "masknet_denoiser", "vae_denoiser", "dcae_denoiser"}
    gain = table.set_index("clip")["SI-SDR gain (dB)"]
    assert gain["masknet_denoiser"] > 3
    # The heavy sections run when asked for: the drawings and the saturation study.
    assert not at.get("graphviz_chart") and not any("Saturated pixels" in m.value for m in at.markdown)


def test_heavy_sections_run_when_asked(open_page):
    at = open_page(PAGE)
    at.toggle(key="dn_draw_masknet_denoiser").set_value(True).run()
    at.toggle(key="dn_saturation").set_value(True).run()
    assert not at.exception and not at.error
    assert len(at.get("graphviz_chart")) == 1
    assert any("Saturated pixels" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 5 + 2  # the panels, the models' images, the codes


def test_a_second_visit_runs_no_model(open_page, monkeypatch):
    """Results are cached by their inputs: a second session at the default settings reuses them."""
    import ui.denoise

    open_page(PAGE)
    calls = []
    real = ui.denoise.denoise
    monkeypatch.setattr(ui.denoise, "denoise", lambda *a, **k: calls.append(k) or real(*a, **k))
    open_page(PAGE)
    assert calls == []


def test_every_model_side_by_side(at_default):
    """Ours and the pretrained peers on one page: each scores, the peers beat the noisy input."""
    at = at_default
    every = model_names()
    assert {"deepfilternet3", "rnnoise"} <= set(every)
    at.multiselect(key="dn_models").set_value(every).run()
    assert not at.exception and not at.error
    table = _scores(at).set_index("clip")
    assert set(table.index) == {"noisy", *every}
    assert table.loc["deepfilternet3", "PESQ-wb"] > table.loc["noisy", "PESQ-wb"]
    # Drawings are offered for the nets trained here only.
    assert {t.key for t in at.toggle if t.key.startswith("dn_draw_")} == {
        f"dn_draw_{n}" for n in every if n not in ("deepfilternet3", "rnnoise")}
    at.slider(key="dn_strength").set_value(0.9).run()
    assert any("attenuation limit of 20 dB" in c.value for c in at.caption)


def test_controls_change_the_output(at_default):
    at = at_default
    before = _scores(at).set_index("clip")["SI-SDR (dB)"]["noisy"]
    at.slider(key="dn_snr").set_value(15).run()
    assert not at.exception
    after = _scores(at).set_index("clip")["SI-SDR (dB)"]["noisy"]
    assert after > before + 5
    at.multiselect(key="dn_models").set_value(["masknet_denoiser"]).run()
    assert set(_scores(at)["clip"]) == {"noisy", "masknet_denoiser"}
    at.radio(key="dn_phase").set_value("griffinlim").run()
    at.slider(key="dn_strength").set_value(0.5).run()
    at.radio(key="dn_noise").set_value("pink").run()
    assert not at.exception
    at.radio(key="dn_mode").set_value("already noisy: denoise it as it is").run()
    assert not at.exception and not at.dataframe  # no clean reference, no scores


def test_upload_and_microphone(speech, open_page):
    at = open_page(PAGE)
    wav = to_wav_bytes(speech("hello there, one two three", sr=16000), 16000)
    at.radio(key="dn_source").set_value("Upload a file").run()
    assert not at.exception and at.info  # asks for a file
    at.file_uploader(key="dn_upload").upload("hello.wav", wav, "audio/wav").run()
    assert not at.exception and not at.error
    # A user's own recording is taken as already noisy (no noise added, so no scores) ...
    assert at.radio(key="dn_mode_own").value.startswith("already noisy") and not at.dataframe
    # ... and starts with the recommended model alone, at its own rate.
    at.radio(key="dn_mode_own").set_value("clean: add noise to it").run()
    assert list(_scores(at)["clip"]) == ["noisy", recommended_model()]
    assert "PESQ-wb" in _scores(at).columns
    assert any("16000 Hz" in c.value for c in at.caption)
    at.radio(key="dn_source").set_value("Record with the microphone").run()
    at.audio_input(key="dn_mic").upload("recording.wav", wav, "audio/wav").run()
    assert not at.exception and not at.error


def test_a_long_high_rate_stereo_upload_is_drawn_whole(speech, open_page):
    """30 s at 48 kHz, stereo FLAC: the longest, widest file the page accepts (its display hop
    once outgrew the 512-sample frame and the page showed a traceback)."""
    import io

    import soundfile as sf

    y = np.resize(speech("one two three four five six seven", sr=48000), 48000 * int(MAX_SECONDS))
    flac = io.BytesIO()
    sf.write(flac, np.stack([y, 0.5 * y], axis=1), 48000, format="FLAC")
    at = open_page(PAGE)
    at.radio(key="dn_source").set_value("Upload a file").run()
    at.file_uploader(key="dn_upload").upload("long.flac", flac.getvalue(), "audio/flac").run()
    assert not at.exception and not at.error
    panels = [c for c in at.get("plotly_chart") if c.proto.id and "dn_spectrogram_" in c.proto.id]
    assert len(panels) >= 2   # the noisy input and the recommended model's output
    assert any("48000 Hz" in c.value for c in at.caption)


@pytest.mark.parametrize("name,data,message", [
    ("notes.wav", b"this is not audio", "could not read"),
    ("empty.wav", b"", "empty"),
    ("silent.wav", to_wav_bytes(np.zeros(8000, np.float32), 8000), "silent"),
    ("long.wav", to_wav_bytes(0.1 * np.ones(int(8000 * (MAX_SECONDS + 5)), np.float32), 8000), "limit"),
])
def test_bad_uploads_get_a_clear_message(name, data, message, open_page):
    at = open_page(PAGE)
    at.radio(key="dn_source").set_value("Upload a file").run()
    at.file_uploader(key="dn_upload").upload(name, data, "audio/wav").run()
    assert not at.exception
    assert at.error and message in at.error[0].value.lower()


def test_wrong_extension_is_refused_with_the_valid_types():
    """The uploader itself refuses other types; the page's own check says the same in words."""
    check_suffix("speech.FLAC")
    with pytest.raises(AudioMLError, match="WAV, FLAC"):
        check_suffix("speech.txt")


def test_batch_denoise_keeps_files_with_the_same_stem_apart(speech, wav_bytes, open_page):
    at = open_page(PAGE)
    y = speech("four five six", sr=8000)
    files = [("talk.wav", wav_bytes(y, 8000)), ("talk.flac", wav_bytes(y, 8000, fmt="FLAC")),
             ("talk.ogg", wav_bytes(y, 8000, fmt="OGG", subtype="VORBIS")),
             ("broken.wav", b"not audio")]
    uploader = at.file_uploader(key="dn_batch")
    for name, data in files:
        uploader.upload(name, data, "audio/wav")
    uploader.run()
    at.button(key="dn_batch_run").click().run()
    assert not at.exception
    buttons = [b for b in at.get("download_button") if "ZIP" in b.proto.label]
    assert [b.proto.label for b in buttons] == ["Download 3 denoised file(s) (ZIP)"]
    assert buttons[0].proto.ignore_rerun   # downloading keeps the page (and the ZIP) as it is
    assert len(at.warning) == 1 and "broken.wav" in at.warning[0].value


def test_architecture_drawing_shows_every_layer_and_the_residuals():
    rows = describe_layers(build_masknet(width=8, dilations=[1, 2]))
    dot = architecture_dot(rows, title="masknet")
    assert dot.startswith("digraph") and "T × 257" in dot
    assert dot.count(" -> ") >= len(rows) - 1 + 2  # a chain plus the two residual arrows

