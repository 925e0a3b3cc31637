"""The pretrained denoisers (DeepFilterNet3, RNNoise) behind our interface, and full-band output."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from audioml.cli import main
from audioml.denoising import denoise, load_denoiser
from audioml.denoising.peers import DELAYS, attenuation_limit_db
from audioml.denoising.realworld import align
from audioml.metrics import si_sdr
from audioml.noise import add_noise
from audioml.registry import get_card
from tests.support.factories import speech_like

PEERS = ("deepfilternet3", "rnnoise")
FULL_BAND = (*PEERS, "masknet_denoiser")


@pytest.mark.parametrize("name", PEERS)
@pytest.mark.parametrize("sr", [8000, 16000, 44100, 48000])
def test_length_rate_and_finite_output(name, sr):
    y = add_noise(speech_like(1.3, sr, 140, 0), 5.0, sr=sr, seed=1)
    out = denoise(y, sr, model=name)
    assert out.shape == y.shape and out.dtype == np.float32 and np.all(np.isfinite(out))


@pytest.mark.parametrize("name", PEERS)
def test_output_is_time_aligned_and_cleaner(name, speech):
    """The libraries' delays are compensated: no lag left, and the noise goes down."""
    clean = speech("she sells sea shells by the sea shore", sr=16000)
    noisy = add_noise(clean, 5.0, sr=16000, seed=2)
    out = denoise(noisy, 16000, model=name)
    _, lag = align(out, clean, 16000)
    assert lag == 0
    assert si_sdr(clean, out) > si_sdr(clean, noisy) + 2
    assert DELAYS[name] % 480 == 0  # whole 10 ms frames, as measured


@pytest.mark.parametrize("name", PEERS)
def test_strength_zero_returns_the_input(name):
    y = add_noise(speech_like(1.0, 48000, 120, 3), 10.0, sr=48000, seed=3)
    np.testing.assert_allclose(denoise(y, 48000, model=name, strength=0.0), y, atol=1e-7)
    half = denoise(y, 48000, model=name, strength=0.5)
    full = denoise(y, 48000, model=name)
    np.testing.assert_allclose(half, 0.5 * full + 0.5 * y, atol=1e-6)


def test_strength_is_deepfilternets_attenuation_limit():
    assert attenuation_limit_db(0.9) == pytest.approx(20.0)
    assert attenuation_limit_db(0.0) == 0.0 and attenuation_limit_db(1.0) == float("inf")


def test_cards_say_they_were_trained_elsewhere():
    for name in PEERS:
        card = get_card(name)
        assert card["task"] == "denoise" and card["trained_here"] is False and card["file"] is None
        assert card["licence"] and card["source"] and "arXiv" in card["data"]
        assert load_denoiser(name).full_band


def test_cli_keeps_a_48k_files_band_for_full_band_models(tmp_path, speech):
    """A 48 kHz upload comes back at 48 kHz with its energy above 4 kHz (the speech's
    fricatives) from every full-band model; the DCAE gives back the telephone band."""
    sr = 48000
    clean = speech("she sells sea shells, so she says", sr=sr)
    path = tmp_path / "talk48k.wav"
    sf.write(path, add_noise(clean, 15.0, kind="pink", sr=sr, seed=4), sr, subtype="FLOAT")

    def high_share(y):
        power = np.abs(np.fft.rfft(y)) ** 2
        return power[np.fft.rfftfreq(len(y), 1 / sr) > 4500].sum() / power.sum()

    for name in (*FULL_BAND, "dcae_denoiser"):
        out = tmp_path / name
        assert main(["denoise", str(path), "--model", name, "--out", str(out)]) == 0
        y, rate = sf.read(out / "talk48k.wav", dtype="float32")
        assert rate == sr and len(y) == len(clean)
        if name in FULL_BAND:
            assert high_share(y) > 0.2 * high_share(clean), name
        else:
            assert high_share(y) < 1e-4, name


def test_cli_realworld_benchmark_end_to_end(tmp_path, make_realworld, make_fsdd, capsys):
    folder = make_realworld(tmp_path / "realworld")
    fsdd = make_fsdd(tmp_path / "fsdd", speakers=("ann", "theo"), digits=range(2), takes=1,
                     clip=lambda d, s, t: speech_like(0.6, 8000, 130 + 40 * d, d))
    report_path = tmp_path / "report.json"
    code = main(["evaluate", "denoiser", "--set", "realworld", "--realworld", str(folder),
                 "--data", str(fsdd), "--model", "rnnoise", "--model", "masknet_denoiser",
                 "--json", "--report", str(report_path)])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report == json.loads(report_path.read_text())
    assert list(report["methods"]) == ["noisy", "noisereduce", "rnnoise", "masknet_denoiser"]
    for kind in ("sentence", "digit"):
        assert report["methods"]["rnnoise"][kind]["n"] == report["conditions"]["counts"][kind]
    assert report["methods"]["noisy"]["sentence"]["pesq_wb"] is not None
    assert report["methods"]["noisy"]["digit"]["pesq_wb"] is None
    assert report["cards"]["rnnoise"]["trained_here"] is False
    assert "theo" in report["conditions"]["digits"]


def test_realworld_figures_go_on_the_cards(tmp_path):
    """``--write-cards`` stores each scored model's real-world figures where the page reads them."""
    import shutil

    from audioml.denoising.evaluate import write_realworld_to_cards
    from audioml.paths import MODELS_DIR
    from audioml.registry import get_card

    for name in ("rnnoise", "masknet_denoiser"):
        shutil.copy(MODELS_DIR / f"{name}.json", tmp_path / f"{name}.json")

    def figures(nb, wb, gain):
        return {"sentence": {"n": 6, "pesq_nb": nb, "pesq_wb": wb, "si_sdr_gain": gain},
                "digit": {"n": 30, "pesq_nb": nb - 0.1, "pesq_wb": None, "si_sdr_gain": gain}}

    report = {"methods": {"noisy": figures(2.3, 1.3, 0.0), "rnnoise": figures(2.7, 1.8, 5.0)},
              "cards": {"rnnoise": {}, "masknet_denoiser": {}}}
    assert write_realworld_to_cards(report, tmp_path) == ["rnnoise"]   # masknet was not scored
    real = get_card("rnnoise", tmp_path)["metrics"]["realworld"]
    assert real["sentence_pesq_wb"] == 1.8 and real["digit_pesq_nb"] == pytest.approx(2.6)
    assert real["noisy"]["sentence_pesq_wb"] == 1.3 and "6 read-sentence" in real["condition"]
    assert get_card("masknet_denoiser", tmp_path)["metrics"] == get_card("masknet_denoiser")["metrics"]
