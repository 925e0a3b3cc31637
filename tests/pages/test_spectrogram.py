"""AppTest of the home page and the spectrogram page: renders, and the controls change the output."""

import base64
import json

import numpy as np
import pytest

from ui.navigation import PAGES

PAGE = "pages/1_spectrogram.py"


@pytest.fixture
def fresh(open_page):
    """``fresh(path=PAGE)``: the page run once in AppTest."""
    return lambda path=PAGE: open_page(path)


def captions(at):
    return " ".join(c.value for c in at.caption)


def chart(at, key: str) -> dict:
    """The plotly figure (as JSON) drawn with widget key *key*."""
    (found,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    return json.loads(found.proto.spec)


def values(array) -> np.ndarray:
    """A plotly data array, plain or typed (``{"dtype", "bdata"}``)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=float)


def frame_slider(at):
    return next(s for s in at.slider if s.label == "Frame m")


def test_home_links_every_page(fresh):
    at = fresh("app.py")
    links = at.get("page_link")
    assert [link.proto.label for link in links] == [p.title for p in PAGES]
    assert [link.proto.page.rsplit("/", 1)[-1] for link in links] == [p.url_path for p in PAGES]
    text = " ".join(m.value for m in at.markdown)
    assert all(p.blurb in text for p in PAGES)


def test_renders_with_defaults(fresh):
    at = fresh()
    assert not at.exception
    assert "24000 samples at 16000 Hz" in captions(at)
    assert [h.value for h in at.header][:2] == ["1 · The signal", "2 · Frames, windows and the STFT"]


def test_stft_equation_names_the_window_length_n_and_centres_frames(fresh):
    at = fresh()
    (stft_eq,) = [e.proto.body for e in at.latex if "S(m, k)" in e.proto.body]
    assert "x[n + mH - N/2]" in stft_eq and "w[n]" in stft_eq and "f" not in stft_eq.replace("frac", "")
    text = " ".join(m.value for m in at.markdown)
    assert r"$w[n] = 1$ for $0 \le n < N$" in text and "w(n; f)" not in text


def test_sample_rate_and_signal_change_the_signal(fresh):
    at = fresh()
    at.selectbox(key="stft_sr").set_value(8000).run()
    assert "12000 samples at 8000 Hz" in captions(at)
    at.selectbox(key="stft_synth").set_value("Chirp (log sweep)").run()
    at.slider(key="stft_duration").set_value(0.5).run()
    assert not at.exception and "4000 samples at 8000 Hz" in captions(at)


def test_frame_and_hop_change_the_resolution_caption(fresh):
    at = fresh()
    # sr / N is the bins' spacing; a Hann window tells apart tones about two bins apart.
    assert "Bins are sr / N = 31.2 Hz apart" in captions(at)
    assert "hann window tells apart two equally loud tones about 2.0 bins (62 Hz)" in captions(at)
    assert "resolution = sr / N" not in captions(at)
    at.select_slider(key="stft_nfft").set_value(2048).run()
    assert "7.8 Hz apart" in captions(at)
    at.radio(key="stft_window").set_value("rectangular").run()
    assert "about 1.2 bins (9 Hz)" in captions(at)
    at.select_slider(key="stft_hop_2048").set_value(1024).run()
    assert "overlap = 50%" in captions(at)
    assert not at.exception


@pytest.mark.parametrize("m", [0, 40, 187])
def test_frame_in_context_shades_the_frame_and_its_window(m):
    from audioml import spectral
    from audioml.signals import piano_note
    from ui.spectrogram import frame_in_context

    sr, n_fft, hop = 16000, 512, 128
    y = piano_note(sr, 1.5)
    start = int(spectral.frame_starts(len(y), n_fft=n_fft, hop_length=hop)[m])
    fig = frame_in_context(y, sr, m, n_fft=n_fft, hop=hop, window="hann")
    lo = max(0, start - 2 * n_fft)   # two frames of context before, three after, within the clip
    assert fig.layout.xaxis.title.text == f"time (s) from {lo / sr:.3f} s"
    signal_t = np.asarray(fig.data[0].x, dtype=float)
    assert signal_t[0] == 0 and signal_t[-1] <= (min(len(y), start + 3 * n_fft) - lo) / sr
    (shade,) = fig.layout.shapes
    assert (shade.x0, shade.x1) == pytest.approx(((start - lo) / sr, (start + n_fft - lo) / sr))
    window_t, window_v = (np.asarray(v, dtype=float) for v in (fig.data[1].x, fig.data[1].y))
    assert window_t[0] == pytest.approx(shade.x0) and len(window_t) == n_fft
    assert window_v.max() == pytest.approx(np.abs(y).max(), rel=1e-3)
    assert window_t[np.argmax(window_v)] == pytest.approx((start + n_fft // 2 - lo) / sr)  # centred on mH
    assert f"samples {start}–{start + n_fft - 1}" in fig.layout.title.text


def test_griffin_lim_improves_with_iterations(fresh):
    at = fresh()
    at.slider(key="stft_gl_iter").set_value(2).run()
    few = float(at.metric[1].value)
    at.slider(key="stft_gl_iter").set_value(100).run()
    many = float(at.metric[1].value)
    assert many < few
    assert float(at.metric[0].value) < 1e-5  # the complex spectrogram inverts exactly


def test_griffin_lim_readout_is_the_signal_played(fresh):
    """The metric 'after the last iteration' is the spectral convergence of the estimate played."""
    from audioml import spectral
    from audioml.signals import make_signal

    at = fresh()
    at.slider(key="stft_gl_iter").set_value(12).run()
    y = make_signal(at.selectbox(key="stft_synth").value, 16000, at.slider(key="stft_duration").value)
    mag = np.abs(spectral.stft(y, n_fft=512, hop_length=128))
    estimate = spectral.griffin_lim(mag, hop_length=128, n_iter=12, length=len(y))
    assert at.metric[1].value == f"{spectral.spectral_convergence(estimate, mag, hop_length=128):.3f}"
    assert "up to its sign" in captions(at) and "local optimum" in captions(at)
    at.select_slider(key="stft_hop_512").set_value(512).run()
    assert "many signals share it" in captions(at) and "up to its sign" not in captions(at)


def test_the_inverse_is_said_to_need_nola_not_cola(fresh):
    text = " ".join(m.value for m in fresh().markdown)
    assert "NOLA" in text and "need not add up to a constant" in text


def test_gap_between_windows_is_explained(fresh):
    at = fresh()
    at.radio(key="stft_window").set_value("hann").run()
    at.select_slider(key="stft_hop_512").set_value(512).run()
    assert any("near zero" in w.value for w in at.warning)


@pytest.mark.parametrize("window", ["rectangular", "hamming"])
def test_an_uncovered_end_is_not_blamed_on_the_window_sum(fresh, window):
    at = fresh()
    at.radio(key="stft_window").set_value(window).run()
    at.select_slider(key="stft_hop_512").set_value(512).run()
    assert float(at.metric[0].value) > 1e-3
    (warning,) = at.warning
    assert "last 192 samples" in warning.value and "zero" not in warning.value


def test_spoken_example_and_upload(fresh, wav_bytes):
    at = fresh()
    at.radio(key="stft_source").set_value("Spoken example").run()
    at.selectbox(key="stft_example").set_value("sentence").run()
    assert not at.exception and "sentence" not in captions(at)  # shown by its text
    at.radio(key="stft_source").set_value("Upload a file").run()
    assert at.info  # waits for a file
    tone = wav_bytes(0.3 * np.sin(np.arange(24000) / 4.0), 24000)
    at.file_uploader(key="stft_upload").upload("tone.wav", tone, "audio/wav").run()
    assert not at.exception and not at.error
    assert "samples at 16000 Hz = 1.00 s" in captions(at)


def test_phase_demo_states_the_duration_it_uses(fresh, wav_bytes):
    from audioml.examples import load_example
    from ui.spectrogram import PHASE_SECONDS

    at = fresh()
    at.radio(key="stft_source").set_value("Spoken example").run()
    at.selectbox(key="stft_example").set_value("nine").run()
    seconds = len(load_example("nine", sr=16000)[0]) / 16000
    assert seconds < PHASE_SECONDS
    assert f"uses the whole clip ({seconds:.2f} s)" in captions(at) and "first" not in captions(at)
    at.radio(key="stft_source").set_value("Upload a file").run()
    at.file_uploader(key="stft_upload").upload(
        "long.wav", wav_bytes(0.3 * np.sin(np.arange(16000 * 5) / 4.0), 16000), "audio/wav").run()
    assert f"uses the first {PHASE_SECONDS:.2f} s of the 5.00 s clip" in captions(at)


def test_a_30_s_upload_at_the_finest_frames_is_drawn_in_pooled_columns(fresh, wav_bytes):
    """30 s at 44.1 kHz, N = 64, H = 8: 165,376 frames, 5.5 million cells a chart unpooled."""
    from audioml.audio import MAX_SECONDS
    from ui.spectrogram import MAX_CELLS

    sr = 44100
    t = np.arange(int(MAX_SECONDS * sr)) / sr
    at = fresh()
    at.selectbox(key="stft_sr").set_value(sr).run()
    at.select_slider(key="stft_nfft").set_value(64).run()
    at.select_slider(key="stft_hop_64").set_value(8).run()
    at.radio(key="stft_source").set_value("Upload a file").run()
    at.file_uploader(key="stft_upload").upload(
        "long.wav", wav_bytes(0.3 * np.sin(2 * np.pi * (200 + 100 * t) * t), sr), "audio/wav").run()
    assert not at.exception and not at.error
    frames = 1 + len(t) // 8
    assert frame_slider(at).max == frames - 1   # the stepper still reaches every frame
    for key in ("stft_mark", "stft_spec", "stft_tradeoff_128", "stft_tradeoff_2048"):
        heatmap = chart(at, key)["data"][0]
        times, bins = values(heatmap["x"]), values(heatmap["y"])
        assert len(times) * len(bins) <= MAX_CELLS, key
        assert times[0] < 0.1 and times[-1] > MAX_SECONDS - 0.1, key   # the whole clip is drawn
    assert f"The {frames:,} frames are drawn as" in captions(at)
    # A shorter clip that fits is drawn frame by frame (8,269 of them), and no caption says otherwise.
    at.radio(key="stft_source").set_value("Synthetic").run()
    assert len(values(chart(at, "stft_spec")["data"][0]["x"])) == 1 + int(1.5 * sr) // 8
    assert "frames are drawn as" not in captions(at)


def test_bad_uploads_give_a_message_not_a_traceback(fresh, wav_bytes):
    at = fresh()
    at.radio(key="stft_source").set_value("Upload a file").run()
    for name, data in [("empty.wav", b""), ("notes.wav", b"hello" * 100),
                       ("silence.wav", wav_bytes(np.zeros(8000)))]:
        at.file_uploader(key="stft_upload").upload(name, data, "audio/wav").run()
        assert not at.exception
        assert at.error, name



def test_a_silent_frame_shows_silence_and_the_stepper_starts_on_sound(fresh, wav_bytes):
    sr = 16000
    y = np.zeros(2 * sr)  # 1.4 s of silence, then 0.6 s of a tone
    y[int(1.4 * sr):] = 0.3 * np.sin(2 * np.pi * 440 * np.arange(int(0.6 * sr)) / sr)
    at = fresh()
    at.radio(key="stft_source").set_value("Upload a file").run()
    at.file_uploader(key="stft_upload").upload("gap.wav", wav_bytes(y, sr), "audio/wav").run()
    assert not at.exception and not at.error
    m = frame_slider(at).value
    assert m * 128 + 256 > 1.4 * sr, f"frame {m} starts in the silence"  # frames are centred every H = 128
    assert values(chart(at, "stft_dft")["data"][0]["y"]).max() > -10
    frame_slider(at).set_value(20).run()  # silence: drawn at the floor, not as a flat line at 0 dB
    spectrum = values(chart(at, "stft_dft")["data"][0]["y"])
    assert spectrum.max() <= -90


def readable_log_axis(axis, lo: float, hi: float) -> list[str]:
    """Assert *axis* is a log axis with a few explicit round ticks inside [lo, hi]; return the labels."""
    assert axis.type == "log" and axis.tickmode == "array"
    ticks = list(axis.tickvals)
    assert 2 <= len(ticks) <= 8 and ticks == sorted(ticks)
    assert all(lo * 0.67 <= t <= hi * 1.5 for t in ticks), (ticks, lo, hi)
    mantissas = {round(t / 10 ** np.floor(np.log10(t)), 6) for t in ticks}
    assert mantissas <= {1.0, 2.0, 4.0, 5.0, 8.0}, ticks
    return list(axis.ticktext)


def test_convergence_axis_labels_its_values():
    from ui import plots

    history = list(np.geomspace(0.63, 0.08, 32))
    fig = plots.convergence(history)
    assert readable_log_axis(fig.layout.yaxis, 0.08, 0.63) == ["0.1", "0.2", "0.5"]


def test_log_frequency_axis_reads_in_hertz():
    from audioml import spectral
    from audioml.signals import chirp
    from ui import plots

    image = spectral.spectrogram_image(chirp(16000, 0.5), 16000, n_fft=512, scale="log")
    labels = readable_log_axis(plots.spectrogram(image).layout.yaxis, image.freqs[0], image.freqs[-1])
    assert labels == ["50", "100", "200", "500", "1k", "2k", "4k", "8k"]


def test_mel_bands_are_drawn_on_a_mel_axis_labelled_in_hertz():
    from audioml import spectral
    from audioml.signals import chirp
    from ui import plots

    image = spectral.spectrogram_image(chirp(16000, 0.5), 16000, n_fft=512, scale="mel")
    fig = plots.spectrogram(image)
    y = np.asarray(fig.data[0].y, dtype=float)
    assert np.allclose(np.diff(y), np.diff(y)[0]), "mel bands are equally spaced on the axis"
    axis = fig.layout.yaxis
    assert "mel" in axis.title.text
    assert np.allclose(axis.tickvals, spectral.hz_to_mel([0, 250, 500, 1000, 2000, 4000, 8000]))
    assert list(axis.ticktext) == ["0", "250", "500", "1k", "2k", "4k", "8k"]
    # 1 kHz to 2 kHz takes more of the axis than 500 Hz to 1 kHz does: a mel axis, not Hz.
    ticks = dict(zip(axis.ticktext, axis.tickvals))
    assert ticks["2k"] - ticks["1k"] > ticks["1k"] - ticks["500"]


def test_a_short_frame_draws_fewer_mel_bands_and_says_why(fresh):
    at = fresh()
    at.radio(key="stft_scale").set_value("mel").run()
    at.select_slider(key="stft_nfft").set_value(64).run()
    assert not at.exception
    bands = len(values(chart(at, "stft_spec")["data"][0]["y"]))
    assert bands < 64 and f"Only {bands} mel bands" in captions(at)
    at.select_slider(key="stft_nfft").set_value(512).run()
    assert "mel bands, not" not in captions(at)


def test_upload_label_states_the_library_limits(fresh):
    from audioml.audio import FORMATS, MAX_SECONDS

    at = fresh()
    at.radio(key="stft_source").set_value("Upload a file").run()
    label = at.get("file_uploader")[0].proto.label
    assert f"up to {MAX_SECONDS:g} s" in label
    assert all(f in label for f in FORMATS)
