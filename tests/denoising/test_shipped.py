"""The shipped denoisers load, keep length and rate, and clean generated noisy speech."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

import audioml
from audioml.audio import fix_length
from audioml.denoising import load_denoiser
from audioml.denoising.evaluate import image_scores
from audioml.errors import AudioMLError
from audioml.metrics import si_sdr
from audioml.noise import add_noise
from audioml.registry import list_cards

SHIPPED = ("dcae_denoiser", "vae_denoiser", "masknet_denoiser")


def test_all_three_are_shipped_with_cards():
    cards = {c["name"]: c for c in list_cards(task="denoise")}
    for name in SHIPPED:
        assert name in cards
        for key in ("split", "epochs", "training_time_s", "metrics", "retrain_command"):
            assert cards[name][key] not in (None, "")


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("phase", ["noisy", "griffinlim"])
def test_output_keeps_rate_and_length(speech, name, phase):
    y = add_noise(speech("four five", sr=16000), 5.0, sr=16000, seed=0)
    out = audioml.denoise(y, 16000, model=name, phase=phase)
    assert out.shape == y.shape and out.dtype == np.float32 and np.all(np.isfinite(out))


def test_mask_net_raises_si_sdr_on_generated_speech(speech):
    clean = speech("six seven eight nine")
    noisy = add_noise(clean, 5.0, seed=3)
    out = audioml.denoise(noisy, 8000, model="masknet")
    assert si_sdr(clean, out) > si_sdr(clean, noisy) + 4


@pytest.mark.parametrize("name", ["dcae_denoiser", "vae_denoiser"])
def test_autoencoders_bring_the_spectrogram_closer(speech, name):
    """The method's models: the spectrogram MSE to the clean one falls (white noise, 10 dB)."""
    clean = fix_length(speech("two"), 4400)
    noisy = add_noise(clean, 10.0, seed=1)
    denoisers = {name: load_denoiser(name)}
    before, _ = image_scores("noisy", clean, noisy, denoisers, "noisy")
    after, _ = image_scores(name, clean, noisy, denoisers, "noisy")
    assert after < before


def test_strength_mixes_dry_and_wet(speech):
    """strength s gives s * denoised + (1 - s) * input, a linear mix of the waveforms."""
    noisy = add_noise(speech("three"), 5.0, seed=0)
    wet = load_denoiser("masknet_denoiser").process(noisy, 8000)
    assert np.max(np.abs(wet - noisy)) > 0.05  # the mix below is between two different signals
    np.testing.assert_allclose(audioml.denoise(noisy, 8000, strength=0.0), noisy, atol=1e-6)
    np.testing.assert_allclose(audioml.denoise(noisy, 8000, strength=1.0), wet, atol=1e-6)
    np.testing.assert_allclose(audioml.denoise(noisy, 8000, strength=0.5), 0.5 * (wet + noisy),
                               atol=1e-6)
    np.testing.assert_allclose(audioml.denoise(noisy, 8000, strength=0.25),
                               0.25 * wet + 0.75 * noisy, atol=1e-6)
    with pytest.raises(AudioMLError, match="strength"):
        audioml.denoise(noisy, 8000, strength=1.5)
    with pytest.raises(AudioMLError, match="phase"):
        audioml.denoise(noisy, 8000, phase="random")


def test_mask_net_copes_with_band_limited_input(speech):
    """An upload resampled from a higher rate has nothing above ~3.6 kHz; the net must still work."""
    clean = speech("six seven eight nine")
    noisy = add_noise(clean, 5.0, seed=3)
    taps = scipy.signal.firwin(255, 3600, fs=8000)
    clean_lp, noisy_lp = (scipy.signal.filtfilt(taps, 1, v).astype(np.float32) for v in (clean, noisy))
    out = audioml.denoise(noisy_lp, 8000, model="masknet")
    assert si_sdr(clean_lp, out) > si_sdr(clean_lp, noisy_lp) + 3


def test_the_benchmark_says_which_models_heard_its_digit_speaker():
    """The DCAE and VAE trained on a random split of every speaker, theo included; only the mask
    net held theo out. The report's sentence and flags are made from the cards, and the shipped
    report says what the cards say now."""
    import json

    from audioml.denoising.evaluate import REALWORLD_TAKES, digits_condition, heard_speaker
    from audioml.paths import PROJECT_ROOT
    from audioml.registry import get_card

    held = {"trained_here": True, "split_kind": "speaker", "test_speaker": "theo"}
    assert not heard_speaker(held, "theo") and heard_speaker(held, "lucas")
    assert heard_speaker({"trained_here": True, "split_kind": "random"}, "theo")
    assert not heard_speaker({"trained_here": False}, "theo")
    text = digits_condition({"ours": held, "paper": {"split_kind": "random"},
                             "peer": {"trained_here": False}}, "theo", 3)
    assert "held out of ours" in text and "paper trained on a random split" in text
    assert "peer" not in text   # a pretrained model never saw FSDD
    report = json.loads((PROJECT_ROOT / "reports" / "denoise_realworld.json").read_text())
    cards = {name: get_card(name) for name in report["cards"]}
    assert report["conditions"]["digits"] == digits_condition(cards, "theo", REALWORLD_TAKES)
    assert {n for n, c in report["cards"].items() if c["heard_digit_speaker"]} == {
        "dcae_denoiser", "vae_denoiser"}
