"""AppTest of the denoising page with the shipped models."""

from __future__ import annotations

import numpy as np
import pytest

from audioml.audio import MAX_SECONDS, to_wav_bytes
from audioml.denoising import match_loudness, model_names
from audioml.denoising.masknet import build_masknet
from audioml.errors import AudioMLError
from audioml.nn.inspect import describe_layers
from ui.denoise import architecture_dot, check_suffix, for_listening, recommended_model

PAGE = "pages/3_denoise.py"


def _scores(at):
    return at.table[0].value


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
    # The panels, the three training curves, the models' images and the codes.
    assert len(at.get("plotly_chart")) == 5 + 3 + 2


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
    assert any("attenuation limit of 20.0 dB" in c.value for c in at.caption)


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
    assert not at.exception and not at.table  # no clean reference, no scores


def test_upload_and_microphone(speech, open_page):
    at = open_page(PAGE)
    wav = to_wav_bytes(speech("hello there, one two three", sr=16000), 16000)
    at.radio(key="dn_source").set_value("Upload a file").run()
    assert not at.exception and at.info  # asks for a file
    at.file_uploader(key="dn_upload").upload("hello.wav", wav, "audio/wav").run()
    assert not at.exception and not at.error
    # A user's own recording is taken as already noisy (no noise added, so no scores) ...
    assert at.radio(key="dn_mode_own").value.startswith("already noisy") and not at.table
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
    assert len(at.warning) == 1 and at.warning[0].value.count("broken.wav") == 1
    # The bar ends on the batch's outcome, not on the last file it tried.
    assert at.get("progress")[0].proto.text == "Done: 3 of 4 denoised, 1 skipped (below)"


def test_architecture_drawing_shows_every_layer_and_the_residuals():
    rows = describe_layers(build_masknet(width=8, dilations=[1, 2]))
    dot = architecture_dot(rows, title="masknet")
    assert dot.startswith("digraph") and "T × 257" in dot
    assert dot.count(" -> ") >= len(rows) - 1 + 2  # a chain plus the two residual arrows


def test_for_listening_matches_loudness_and_keeps_it_under_full_scale():
    rng = np.random.default_rng(0)
    noisy = (0.9 * rng.standard_normal(8000)).clip(-3, 3).astype(np.float32)
    quiet = (0.01 * rng.standard_normal(8000)).astype(np.float32)
    played = for_listening({"noisy": noisy, "out": quiet}, reference=noisy, match=["out"])
    rms = {k: float(np.sqrt(np.mean(v.astype(np.float64) ** 2))) for k, v in played.items()}
    assert rms["out"] == pytest.approx(rms["noisy"], rel=1e-4)
    assert max(float(np.abs(v).max()) for v in played.values()) <= 0.99 + 1e-6
    # Unmatched, the quiet clip stays quiet.
    plain = for_listening({"noisy": noisy, "out": quiet}, reference=noisy)
    assert np.sqrt(np.mean(plain["out"] ** 2)) < 0.1 * np.sqrt(np.mean(plain["noisy"] ** 2))
    np.testing.assert_allclose(match_loudness(noisy, np.zeros(10)), 0.0)


def test_what_each_model_was_trained_on_is_read_from_its_card():
    from audioml.registry import get_card
    from ui.denoise import family_note, heard_digit_speaker, training_note

    for name in ("dcae_denoiser", "vae_denoiser"):
        card = get_card(name)
        assert card["split_kind"] == "random" and heard_digit_speaker(card)
        note = training_note(card)
        assert "theo included" in note and "partly on clips it was trained on" in note
        assert "-100 dB floor to the noisy clip's maximum" in family_note(card)
    mask = get_card("masknet_denoiser")
    assert not heard_digit_speaker(mask)
    note = training_note(mask)
    assert "every speaker but theo" in note
    # Every noise family on the card is named, with its share, and the synthetic voices.
    assert all(f"{kind} {share:.0%}" in note for kind, share in mask["config"]["noise"].items())
    assert f"{mask['config']['synthetic_voices']} clips of synthetic voices" in note
    # A made-up card: the note follows it (no sentence typed by hand survives a new card).
    changed = {**mask, "test_speaker": "lucas", "config": {**mask["config"], "noise": {"pink": 1.0},
                                                           "synthetic_voices": 0}}
    assert "every speaker but lucas" in training_note(changed)
    assert "pink 100%" in training_note(changed) and "synthetic voices" not in training_note(changed)
    # A pretrained model's data are its card's own words, shown once, in the facts list.
    from ui.denoise import card_facts

    rnnoise = get_card("rnnoise")
    assert training_note(rnnoise) == "" and rnnoise["data"] in card_facts(rnnoise)
    assert "6 hours of speech" in rnnoise["data"]


def test_the_page_says_the_paper_models_heard_theo(open_page):
    text = " ".join(m.value for m in open_page(PAGE).markdown)
    assert "four speakers" not in text and "hundreds of hours" not in text
    assert text.count("partly on clips it was trained on") == 2   # the DCAE's and the VAE's notes


def test_the_residual_and_the_added_noise_can_be_heard(open_page):
    from ui.denoise import removed

    noisy, clean = np.array([0.5, -0.5], np.float32), np.array([0.25, -0.25], np.float32)
    heard = removed(noisy, {"m": np.array([0.3, -0.2], np.float32)}, clean)
    np.testing.assert_allclose(heard["the noise added"], [0.25, -0.25])
    np.testing.assert_allclose(heard["removed by m"], [0.2, -0.3])
    assert list(removed(noisy, {"m": noisy})) == ["removed by m"]   # no clean clip, no noise
    at = open_page(PAGE)
    players = len(at.get("audio"))
    at.toggle(key="dn_removed").set_value(True).run()
    assert not at.exception
    # The noise added, and one residual for each of the three models trained here.
    assert len(at.get("audio")) == players + 4


def test_the_attenuation_limit_reads_zero_not_minus_zero(open_page):
    from audioml.denoising.peers import attenuation_limit_db

    assert str(attenuation_limit_db(0.0)) == "0.0"
    at = open_page(PAGE)
    at.slider(key="dn_strength").set_value(0.0).run()
    assert "= an attenuation limit of 0.0 dB" in [c.value for c in at.caption]
    at.slider(key="dn_strength").set_value(0.5).run()
    assert "= an attenuation limit of 6.0 dB" in [c.value for c in at.caption]


def test_a_player_of_a_clip_under_a_second_says_its_length(at_default):
    # The example "nine" lasts 0.55 s: the browser's player alone would read 0:00 / 0:00.
    assert any(c.value.endswith(" s") and c.value.startswith("0.") for c in at_default.caption)
