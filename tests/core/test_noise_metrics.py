"""Noise at an exact SNR, and the quality metrics."""

import numpy as np
import pytest
import scipy.signal

from audioml.errors import AudioMLError
from audioml.metrics import pesq_nb, si_sdr, snr_db, spectrogram_mse
from audioml.noise import NOISE_KINDS, add_noise, make_noise


@pytest.mark.parametrize("kind", NOISE_KINDS)
@pytest.mark.parametrize("snr", [-5.0, 0.0, 5.0, 10.0, 20.0])
def test_added_noise_hits_the_target_snr(speech, kind, snr):
    clean = speech("five")
    noisy = add_noise(clean, snr, kind=kind, seed=3)
    assert abs(snr_db(clean, noisy) - snr) < 0.1


def _slope_db_per_octave(x: np.ndarray, sr: int = 8000) -> float:
    """Least-squares slope of the Welch power spectrum (dB) against log2 frequency, 20 Hz-3 kHz."""
    f, p = scipy.signal.welch(x, fs=sr, nperseg=4096)
    band = (f >= 20) & (f <= 3000)
    return float(np.polyfit(np.log2(f[band]), 10 * np.log10(p[band]), 1)[0])


@pytest.mark.parametrize("kind, slope", [("white", 0.0), ("pink", -3.0), ("brown", -6.0)])
def test_noise_colours_have_their_slopes(kind, slope):
    n = 2**20  # ~2 min at 8 kHz: 511 Welch segments, so the fit's spread is ~0.01 dB/octave
    assert _slope_db_per_octave(make_noise(n, kind, seed=0)) == pytest.approx(slope, abs=0.5)


def test_the_slope_fit_tells_half_pink_from_pink():
    """A -1.5 dB/octave noise (power ~ 1/f^0.5) measures as such, outside pink's bound."""
    n = 2**20
    f = np.fft.rfftfreq(n)
    f[0] = f[1]
    half_pink = np.fft.irfft(np.fft.rfft(np.random.default_rng(0).standard_normal(n)) / f**0.25, n)
    assert _slope_db_per_octave(half_pink) == pytest.approx(-1.5, abs=0.1)


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
