"""Noise at an exact SNR, and the quality metrics."""

import numpy as np
import pytest

from audioml.errors import AudioMLError
from audioml.metrics import pesq_nb, si_sdr, snr_db, spectrogram_mse
from audioml.noise import NOISE_KINDS, add_noise, make_noise


@pytest.mark.parametrize("kind", NOISE_KINDS)
@pytest.mark.parametrize("snr", [-5.0, 0.0, 5.0, 10.0, 20.0])
def test_added_noise_hits_the_target_snr(speech, kind, snr):
    clean = speech("five")
    noisy = add_noise(clean, snr, kind=kind, seed=3)
    assert abs(snr_db(clean, noisy) - snr) < 0.1


def test_noise_colours_have_their_slopes():
    n = 2**16
    def low_high_ratio(kind):
        p = np.abs(np.fft.rfft(make_noise(n, kind, seed=0))) ** 2
        return p[50:500].mean() / p[5000:30000].mean()
    assert low_high_ratio("white") == pytest.approx(1.0, rel=0.3)
    assert low_high_ratio("pink") > 5
    assert low_high_ratio("brown") > 10 * low_high_ratio("pink")


def test_noise_checks():
    with pytest.raises(AudioMLError, match="silent"):
        add_noise(np.zeros(100), 10)
    with pytest.raises(AudioMLError, match="SNR"):
        add_noise(np.ones(100), float("nan"))
    with pytest.raises(AudioMLError, match="unknown noise"):
        make_noise(100, "blue")


def test_si_sdr_is_scale_invariant_and_orders_quality(speech):
    clean = speech("four")
    assert si_sdr(clean, 0.3 * clean) > 80
    worse, better = add_noise(clean, 0, seed=1), add_noise(clean, 10, seed=1)
    assert si_sdr(clean, better) > si_sdr(clean, worse)
    assert si_sdr(clean, better) == pytest.approx(10, abs=0.5)


def test_spectrogram_mse():
    a = np.zeros((4, 4))
    assert spectrogram_mse(a, a + 0.5) == pytest.approx(0.25)
    with pytest.raises(ValueError):
        spectrogram_mse(a, np.zeros((3, 4)))


def test_pesq_scores_clean_above_noisy_and_fails_softly(speech):
    clean = speech("one two three")
    assert pesq_nb(clean, clean) > 4.0
    assert pesq_nb(clean, add_noise(clean, 0, seed=2)) < 3.0
    assert np.isnan(pesq_nb(np.zeros(800), np.zeros(800)))
