"""The STFT, its inverse, the denoisers' spectrogram transform and Griffin-Lim."""

import numpy as np
import pytest

from audioml import spectral
from audioml.errors import AudioMLError
from audioml.signals import SIGNALS, chirp, make_signal, piano_note, sine


@pytest.mark.parametrize("window", spectral.WINDOWS)
@pytest.mark.parametrize("n_fft,hop", [(512, 256), (512, 128), (1024, 256), (256, 64)])
def test_istft_inverts_stft(window, n_fft, hop):
    y = chirp(16000, 1.0)
    S = spectral.stft(y, n_fft=n_fft, hop_length=hop, window=window)
    assert S.shape == (1 + n_fft // 2, 1 + len(y) // hop)
    back = spectral.istft(S, hop_length=hop, window=window, length=len(y))
    assert np.max(np.abs(back - y)) < 1e-6


def test_stft_puts_a_sine_in_its_bin():
    sr, n_fft = 8000, 512
    freq = 40 * sr / n_fft  # exactly bin 40
    S = spectral.stft(sine(sr, 1.0, freq=freq), n_fft=n_fft, hop_length=256)
    assert np.all(np.argmax(np.abs(S[:, 2:-2]), axis=0) == 40)


@pytest.mark.parametrize("window", spectral.WINDOWS)
@pytest.mark.parametrize("n_fft,hop", [(64, 8), (256, 96), (512, 512)])
def test_stft_is_the_formula_on_the_page_phase_included(window, n_fft, hop):
    """S(m, k) = sum_{n=0}^{N-1} x[n + mH - N/2] w[n] exp(-2 pi i n k / N), complex values compared:
    frames centred on mH, phase measured from each frame's first sample, x zero outside."""
    x = np.random.default_rng(3).normal(size=1500)
    S = spectral.stft(x, n_fft=n_fft, hop_length=hop, window=window)
    w = spectral.get_window(window, n_fft)
    n = np.arange(n_fft)
    k = np.arange(n_fft // 2 + 1)
    basis = np.exp(-2j * np.pi * np.outer(k, n) / n_fft)
    for m in {0, 1, S.shape[1] // 2, S.shape[1] - 1}:   # both ends, where x is zero-padded
        idx = n + m * hop - n_fft // 2
        frame = np.where((idx >= 0) & (idx < len(x)), x[np.clip(idx, 0, len(x) - 1)], 0.0)
        direct = basis @ (frame * w)
        assert np.allclose(S[:, m], direct, atol=1e-4 * np.abs(direct).max()), m


def test_rectangular_window_is_the_step_function():
    assert np.array_equal(spectral.get_window("rectangular", 8), np.ones(8))
    hann = spectral.get_window("hann", 8)
    assert hann[0] == 0 and hann.max() == pytest.approx(1.0)


@pytest.mark.parametrize("window,n_fft,hop", [("hann", 256, 96), ("rectangular", 256, 192),
                                              ("hamming", 256, 256), ("hann", 512, 384)])
def test_the_inverse_is_exact_where_the_squared_windows_sum_is_nonzero_without_cola(window, n_fft, hop):
    """NOLA, not COLA: these windows do not add up to a constant, yet the inverse is exact."""
    w = spectral.get_window(window, n_fft)
    n = np.arange(4 * n_fft, 8 * n_fft)   # away from the ends
    overlap = sum(np.interp(n - s, np.arange(n_fft), w, left=0, right=0) for s in range(0, 12 * n_fft, hop))
    assert np.ptp(overlap) > 0.05 * overlap.max()   # not COLA
    y = chirp(16000, 1.0)[: 20 * n_fft // hop * hop]   # a multiple of H: the last frame covers the end
    back = spectral.istft(spectral.stft(y, n_fft=n_fft, hop_length=hop, window=window),
                          hop_length=hop, window=window, length=len(y))
    assert np.max(np.abs(back - y)) < 1e-5
    assert spectral.inverse_coverage(len(y), n_fft=n_fft, hop_length=hop, window=window).exact


@pytest.mark.parametrize("window,bins", [("rectangular", 1.21), ("hamming", 1.81), ("hann", 2.00)])
@pytest.mark.parametrize("n_fft", [64, 512, 4096])
def test_resolution_is_the_main_lobe_width_at_minus_6_db(window, bins, n_fft):
    """Harris (1978), table 1: the 6 dB bandwidths, the least separation of two resolvable tones."""
    assert spectral.resolution_bins(window, n_fft) == pytest.approx(bins, abs=0.01)


def test_frame_matches_stft_column():
    y = piano_note(8000, 0.5)
    n_fft, hop, m = 256, 64, 17
    _, windowed = spectral.frame(y, m, n_fft=n_fft, hop_length=hop, window="hamming")
    column = spectral.stft(y, n_fft=n_fft, hop_length=hop, window="hamming")[:, m]
    # librosa pads the centred signal with zeros, as frame() does.
    assert np.allclose(np.abs(np.fft.rfft(windowed)), np.abs(column), atol=1e-4)


def test_frame_index_out_of_range():
    with pytest.raises(AudioMLError, match="frame index"):
        spectral.frame(np.zeros(1000), 999, n_fft=256, hop_length=128)


def test_minmax_scaling_inverts_exactly():
    x = np.random.default_rng(0).normal(-40, 20, (257, 18))
    x01, lo, hi = spectral.minmax_scale(x)
    assert x01.min() == 0 and x01.max() == pytest.approx(1.0)
    assert np.allclose(spectral.minmax_unscale(x01, lo, hi), x, atol=1e-4)
    flat, lo, hi = spectral.minmax_scale(np.full((4, 4), 3.0))
    assert np.all(flat == 0) and np.all(spectral.minmax_unscale(flat, lo, hi) == 3.0)


def test_db_round_trip():
    mag = np.abs(np.random.default_rng(1).normal(size=(10, 10))) + 1e-3
    assert np.allclose(spectral.db_to_amplitude(spectral.amplitude_to_db(mag)), mag, rtol=1e-6)


def test_griffin_lim_converges_with_iterations():
    y = piano_note(8000, 1.0)
    mag = np.abs(spectral.stft(y, n_fft=512, hop_length=128))
    rebuilt, history = spectral.griffin_lim(mag, hop_length=128, n_iter=60, length=len(y),
                                            return_history=True)
    assert len(history) == 60
    # The last entry is the spectral convergence of the signal returned, not of the one before it.
    assert history[-1] == pytest.approx(spectral.spectral_convergence(rebuilt, mag, hop_length=128), rel=1e-4)
    # Entry i is the signal after i + 1 iterations: n iterations end where entry n - 1 says.
    for n in (1, 2, 7):
        y_n, h_n = spectral.griffin_lim(mag, hop_length=128, n_iter=n, length=len(y), return_history=True)
        assert h_n == pytest.approx(history[:n], rel=1e-4)
        assert h_n[-1] == pytest.approx(spectral.spectral_convergence(y_n, mag, hop_length=128), rel=1e-4)
        assert np.array_equal(y_n, spectral.griffin_lim(mag, hop_length=128, n_iter=n, length=len(y)))
    assert history[-1] < 0.5 * history[0]
    assert history[-1] < history[9]
    # Fast GLA (momentum) beats the original algorithm for the same number of iterations.
    _, plain = spectral.griffin_lim(mag, hop_length=128, n_iter=60, momentum=0.0, length=len(y),
                                    return_history=True)
    assert history[-1] < plain[-1]


@pytest.mark.parametrize("kwargs,match", [
    ({"n_iter": 0}, "n_iter"), ({"momentum": 1.5}, "momentum"), ({"n_iter": 2.5}, "n_iter")])
def test_griffin_lim_rejects_bad_parameters(kwargs, match):
    with pytest.raises(AudioMLError, match=match):
        spectral.griffin_lim(np.ones((257, 10)), **kwargs)


@pytest.mark.parametrize("n_fft,hop", [(8, 4), (512, 0), (512, 1024), (511.5, 128)])
def test_stft_rejects_impossible_sizes(n_fft, hop):
    with pytest.raises(AudioMLError):
        spectral.stft(np.zeros(4000), n_fft=n_fft, hop_length=hop)


def test_unknown_window():
    with pytest.raises(AudioMLError, match="hann"):
        spectral.stft(np.zeros(4000), window="kaiser")


@pytest.mark.parametrize("scale", ["linear", "log", "mel"])
def test_spectrogram_image_axes(scale):
    y = sine(16000, 1.0, freq=1000.0)
    image = spectral.spectrogram_image(y, 16000, n_fft=512, hop_length=128, scale=scale, n_mels=40)
    assert image.z.shape == (len(image.freqs), len(image.times))
    assert image.z.max() == pytest.approx(0.0, abs=1e-4) and image.z.min() >= -100
    peak_hz = image.freqs[np.argmax(image.z[:, image.z.shape[1] // 2])]
    assert abs(peak_hz - 1000) < (120 if scale == "mel" else 40)
    assert image.times[1] == pytest.approx(128 / 16000)


@pytest.mark.parametrize("sr", [8000, 16000, 22050, 44100])
@pytest.mark.parametrize("n_fft", [64, 128, 256, 512, 1024, 2048, 4096])
def test_no_mel_band_is_empty_at_any_frame_size_the_page_offers(sr, n_fft):
    y = np.random.default_rng(0).normal(size=sr)   # white noise: every bin has energy
    image = spectral.spectrogram_image(y, sr, n_fft=n_fft, hop_length=n_fft // 4, scale="mel")
    bands = image.z.shape[0]
    assert 1 <= bands <= spectral.MEL_BANDS
    assert np.all(image.z.max(axis=1) > -60), "an empty band is drawn as a stripe of silence"
    assert np.all(spectral.mel_filterbank(sr, n_fft, bands).max(axis=1) > 0)
    if bands < spectral.MEL_BANDS:   # the most bands that can all hold a bin
        assert np.any(spectral.mel_filterbank(sr, n_fft, bands + 1).max(axis=1) == 0)
    # Band centres are equally spaced in mel (not in Hz).
    mels = spectral.hz_to_mel(image.freqs)
    assert np.allclose(np.diff(mels), np.diff(mels)[0])
    if bands > 20:
        assert np.diff(image.freqs)[-1] > 2 * np.diff(image.freqs)[0]


@pytest.mark.parametrize("name", list(SIGNALS))
def test_synthetic_signals(name):
    y = make_signal(name, 8000, 0.5)
    assert y.dtype == np.float32 and len(y) == 4000
    assert np.all(np.isfinite(y)) and 0.1 < np.max(np.abs(y)) <= 1.0


def test_signal_parameter_checks():
    with pytest.raises(AudioMLError, match="Nyquist"):
        sine(8000, 1.0, freq=5000)
    with pytest.raises(AudioMLError, match="duration"):
        make_signal("White noise", 8000, 100)
    with pytest.raises(AudioMLError, match="unknown signal"):
        make_signal("Square", 8000, 1.0)


@pytest.mark.parametrize("window", spectral.WINDOWS)
@pytest.mark.parametrize("n_fft,hop", [(512, 512), (1024, 1024), (512, 256), (256, 64), (500, 500)])
def test_inverse_coverage_finds_every_sample_the_inverse_gets_wrong(window, n_fft, hop):
    y = chirp(16000, 1.5)
    back = spectral.istft(spectral.stft(y, n_fft=n_fft, hop_length=hop, window=window),
                          hop_length=hop, window=window, length=len(y))
    wrong = np.abs(back - y) > 1e-4
    cover = spectral.inverse_coverage(len(y), n_fft=n_fft, hop_length=hop, window=window)
    assert not np.any(wrong & ~cover.lost), "a wrong sample was not diagnosed"
    assert cover.exact == (not wrong.any())
    assert (cover.reason(16000) is None) == cover.exact


def summed_squared_window(n_samples, n_fft, hop, window, center):
    """The overlap-added squared window istft divides by, summed frame by frame, per sample."""
    w2 = spectral.get_window(window, n_fft) ** 2
    total = np.zeros(n_samples + 2 * n_fft)
    for start in spectral.frame_starts(n_samples, n_fft=n_fft, hop_length=hop, center=center):
        total[n_fft + start:n_fft + start + n_fft] += w2   # index n_fft is sample 0
    return total[n_fft:n_fft + n_samples], w2.max()


@pytest.mark.parametrize("window", spectral.WINDOWS)
@pytest.mark.parametrize("n_samples", [1000, 24000, 24001])
@pytest.mark.parametrize("n_fft,hop", [(64, 8), (256, 96), (512, 512), (1024, 1024), (500, 500), (4096, 512)])
@pytest.mark.parametrize("center", [True, False])
def test_inverse_coverage_is_the_summed_squared_window(window, n_samples, n_fft, hop, center):
    total, top = summed_squared_window(n_samples, n_fft, hop, window, center)
    starts = spectral.frame_starts(n_samples, n_fft=n_fft, hop_length=hop, center=center)
    tail = np.arange(n_samples) >= starts[-1] + n_fft
    cover = spectral.inverse_coverage(n_samples, n_fft=n_fft, hop_length=hop, window=window, center=center)
    assert cover.uncovered_tail == tail.sum()
    assert np.array_equal(cover.lost, tail | (total < spectral.WEAK_SUM * top))
    assert cover.weak == (~tail & (total < spectral.WEAK_SUM * top)).sum()


def test_inverse_coverage_tells_an_uncovered_end_from_a_zero_window_sum():
    n = 24000  # 1.5 s at 16 kHz: with H = N = 512 the last frame ends 192 samples early
    for window in ("rectangular", "hamming"):
        cover = spectral.inverse_coverage(n, n_fft=512, hop_length=512, window=window)
        assert (cover.uncovered_tail, cover.weak) == (192, 0)
        reason = cover.reason(16000)
        assert "last 192 samples" in reason and "12 ms" in reason
        assert "zero" not in reason
    cover = spectral.inverse_coverage(n, n_fft=1024, hop_length=1024, window="hann")
    assert cover.uncovered_tail == 0 and cover.weak > 0
    assert "near zero" in cover.reason(16000) and "last" not in cover.reason(16000)
    both = spectral.inverse_coverage(n, n_fft=512, hop_length=512, window="hann").reason(16000)
    assert "near zero" in both and "last 192 samples" in both
    assert spectral.inverse_coverage(n, n_fft=512, hop_length=128, window="hann").reason(16000) is None


def test_frame_peaks_and_a_frame_with_sound():
    sr = 8000
    y = np.zeros(sr)
    y[6000:] = sine(sr, 0.25, freq=500)
    peaks = spectral.frame_peaks(y, n_fft=256, hop_length=64, window="hann")
    assert peaks.shape == (1 + len(y) // 64,)
    assert peaks.max() == pytest.approx(np.abs(spectral.stft(y, n_fft=256, hop_length=64)).max())
    m = spectral.frame_with_sound(peaks)
    assert m * 64 >= 6000 - 128 and peaks[m] > 0.1 * peaks.max()
    steady = spectral.frame_peaks(sine(sr, 1.0), n_fft=256, hop_length=64)
    assert abs(spectral.frame_with_sound(steady) - len(steady) // 3) <= 1


def test_a_long_clip_is_drawn_in_pooled_frames_that_keep_its_energy():
    sr = 48_000
    t = np.arange(30 * sr) / sr
    y = np.sin(2 * np.pi * 1000 * t) * (t > 15)   # silence, then a 1 kHz tone
    image = spectral.spectrogram_image(y, sr, n_fft=512, hop_length=512, db=False, max_frames=600)
    assert image.z.shape[1] <= 600 and image.z.shape[0] == 257
    assert image.times[0] < 0.1 and image.times[-1] > 29.9   # the whole clip is drawn
    full = np.abs(spectral.stft(y, n_fft=512, hop_length=512))
    # Each pooled column is the RMS of the frames it stands for: the energy is kept.
    group = -(-full.shape[1] // 600)
    assert np.isclose((image.z ** 2).sum() * group, (full ** 2).sum(), rtol=0.01)
    tone = np.argmin(np.abs(image.freqs - 1000))
    assert image.z[tone, image.times < 14].max() < 1e-6 < image.z[tone, image.times > 16].min()
    # A clip short enough is left as it is.
    short = spectral.spectrogram_image(y[:sr], sr, n_fft=512, hop_length=128, max_frames=600)
    assert short.z.shape[1] == 1 + sr // 128
