"""How a spectrogram is made: the short-time Fourier transform, step by step."""

import hashlib

import numpy as np
import streamlit as st

from audioml import spectral
from audioml.metrics import snr_db
from ui import plots
from ui.common import audio_player, persistent, user_errors
from ui.spectrogram import (PHASE_SECONDS, frame_in_context, griffin_lim, pooling_note, signal_input,
                            spectrogram)

st.title("How a spectrogram is made")
st.markdown(
    "A spectrogram shows which frequencies a sound contains, moment by moment. It is made by "
    "cutting the signal into short overlapping **frames**, multiplying each by a **window**, and "
    "taking the Fourier transform of every frame. Pick a sound and change the settings to see "
    "what each choice does.")

# --- 1. The signal -----------------------------------------------------------------------
st.header("1 · The signal")
sr = st.selectbox("Sample rate (Hz)", [8000, 16000, 22050, 44100], index=1, **persistent("stft_sr"),
                  help="Samples per second. Frequencies above half of it (the Nyquist frequency) cannot be represented.")
with user_errors():
    chosen = signal_input(sr)
if chosen is None:
    st.stop()
y, description = chosen
# The description goes in the caption: a chart title is one line, and on a phone a long one is cut.
st.plotly_chart(plots.waveform(y, sr, title="Waveform"), key="stft_wave")
audio_player(y, sr)
st.caption(f"{description[0].upper()}{description[1:]}: {len(y)} samples at {sr} Hz = {len(y) / sr:.2f} s.")

# --- 2. Settings and equations -------------------------------------------------------------
st.header("2 · Frames, windows and the STFT")
c1, c2, c3 = st.columns(3)
n_fft = c1.select_slider("Frame size N (samples)", [64, 128, 256, 512, 1024, 2048, 4096], value=512,
                         **persistent("stft_nfft"))
hop = c2.select_slider("Hop H (samples)", [n_fft // 8, n_fft // 4, n_fft // 2, n_fft], value=n_fft // 4,
                       **persistent(f"stft_hop_{n_fft}"))
window = c3.radio("Window w", list(spectral.WINDOWS), index=1, horizontal=True, **persistent("stft_window"))
resolved = spectral.resolution_bins(window, n_fft)
st.caption(f"Frame = {n_fft / sr * 1000:.1f} ms, hop = {hop / sr * 1000:.1f} ms, "
           f"overlap = {100 * (1 - hop / n_fft):.0f}%. Bins are sr / N = {sr / n_fft:.1f} Hz apart; the "
           f"{window} window tells apart two equally loud tones about {resolved:.1f} bins "
           f"({resolved * sr / n_fft:.0f} Hz) apart, the width of its peak at −6 dB.")

left, right = st.columns(2)
with left:
    st.markdown("**Discrete Fourier transform** of a frame of N samples: how much of frequency "
                "bin k (k · sr / N Hz) the frame contains.")
    st.latex(r"\hat{x}_k = \sum_{n=0}^{N-1} x_n\, e^{-i 2\pi n k / N}")
with right:
    st.markdown("**Short-time Fourier transform**: slide a window of length N by hop H and take "
                "the DFT of each windowed frame m. Frame m is centred on sample mH, and its phase is "
                "measured from the frame's first sample (as librosa does); x is zero outside the clip.")
    # Two lines, so that the equation fits a phone's width as well as a column's.
    st.latex(r"\begin{aligned} S(m, k) = \sum_{n=0}^{N-1} \; & x[n + mH - N/2]\; w[n] \\ "
             r"& \cdot\, e^{-i 2\pi n k / N} \end{aligned}")
st.markdown("The rectangular window is the step function "
            r"$w[n] = 1$ for $0 \le n < N$ and 0 elsewhere; its sharp edges smear energy into "
            "neighbouring bins (spectral leakage). Hann and Hamming taper the frame to zero or near zero "
            "at its edges, trading a wider main peak for much less leakage.")

# --- 3. Step through the frames ----------------------------------------------------------
st.header("3 · Step through the frames")
starts = spectral.frame_starts(len(y), n_fft=n_fft, hop_length=hop)
peaks = spectral.frame_peaks(y, n_fft=n_fft, hop_length=hop, window=window)
# A new signal or new frames start the stepper afresh, on a frame with sound in it.
signal_id = hashlib.sha1(y.tobytes()).hexdigest()[:12]
m = st.slider("Frame m", 0, len(starts) - 1, spectral.frame_with_sound(peaks),
              key=f"stft_frame_{signal_id}_{sr}_{n_fft}_{hop}")
raw, windowed = spectral.frame(y, m, n_fft=n_fft, hop_length=hop, window=window)
a, b = st.columns(2)
with a:
    st.plotly_chart(frame_in_context(y, sr, m, n_fft=n_fft, hop=hop, window=window), key="stft_zoom")
    st.plotly_chart(plots.frame_plot(raw, windowed, sr, title="Before and after windowing"),
                    key="stft_framefig")
with b:
    freqs, mag = spectral.dft_magnitude(windowed, sr)
    st.plotly_chart(plots.spectrum_plot(freqs, mag, title=f"|DFT| of frame {m}: column {m}",
                                        ref=float(peaks.max())), key="stft_dft")
    image = spectrogram(y, signal_id, sr, n_fft=n_fft, hop=hop, window=window)
    st.plotly_chart(plots.spectrogram(image, title="…where that column lands", mark_time=m * hop / sr,
                                      height=320), key="stft_mark")
    if note := pooling_note(image, len(y), n_fft=n_fft, hop=hop):
        st.caption(note + " The frame stepper still reaches every frame.")

# --- 4. The spectrogram --------------------------------------------------------------------
st.header("4 · The spectrogram")
c1, c2 = st.columns(2)
db = c1.radio("Values", ["dB", "magnitude"], horizontal=True, **persistent("stft_db")) == "dB"
scale = c2.radio("Frequency axis", ["linear", "log", "mel"], horizontal=True, **persistent("stft_scale"))
image = spectrogram(y, signal_id, sr, n_fft=n_fft, hop=hop, window=window, db=db, scale=scale)
st.plotly_chart(plots.spectrogram(image, title=f"|STFT|: N = {n_fft}, H = {hop}, {window}",
                                  zmin=-90 if db else None), key="stft_spec")
if note := pooling_note(image, len(y), n_fft=n_fft, hop=hop):
    st.caption(note)
st.caption("dB is 20·log₁₀ of the magnitude relative to the loudest bin: it shows quiet detail that a "
           "linear scale hides. The mel scale spaces bands as pitch perception does: equally in mel, "
           "which is evenly in Hz up to 1 kHz and ever wider above; each band is a triangular filter "
           "that sums neighbouring bins.")
if scale == "mel" and image.z.shape[0] < spectral.MEL_BANDS:
    st.caption(f"Only {image.z.shape[0]} mel bands, not {spectral.MEL_BANDS}: with N = {n_fft} the bins are "
               f"{sr / n_fft:.0f} Hz apart, and more, narrower bands would leave the lowest ones between "
               "two bins, empty. A longer frame gives more bands.")

st.subheader("The time–frequency trade-off")
c1, c2 = st.columns(2)
short = c1.select_slider("Short frame", [64, 128, 256, 512], value=128, **persistent("stft_short"))
long = c2.select_slider("Long frame", [1024, 2048, 4096], value=2048, **persistent("stft_long"))
for col, size in ((c1, short), (c2, long)):
    img = spectrogram(y, signal_id, sr, n_fft=size, hop=size // 4, window=window, scale=scale)
    col.plotly_chart(plots.spectrogram(img, title=f"N = {size}: {size / sr * 1000:.0f} ms, {sr / size:.0f} Hz bins",
                                       zmin=-90, height=340), key=f"stft_tradeoff_{size}")
    if note := pooling_note(img, len(y), n_fft=size, hop=size // 4):
        col.caption(note)
st.markdown("A short frame pins down **when** things happen (clicks stay sharp) but blurs **which "
            "frequency** (harmonics merge); a long frame does the opposite. No single frame size gets both.")

# --- 5. The phase problem ------------------------------------------------------------------
st.header("5 · The phase problem and Griffin–Lim")
st.markdown(
    "The STFT is complex: every bin has a magnitude **and a phase**. With both, the inverse STFT "
    "(overlap-add of inverse DFTs, divided by the overlap-added squared windows Σₘ w²[n − mH]) gives "
    "back the signal exactly wherever that sum is not zero (the NOLA condition; the windows need not "
    "add up to a constant). A spectrogram keeps only the "
    "magnitude, and so does a model that generates or cleans spectrograms. **Griffin–Lim** guesses a "
    "phase: start from random phases, go to the time domain and back, keep the new phase and "
    "re-impose the magnitude, and repeat. The fast variant adds momentum.")
clip = y[: int(PHASE_SECONDS * sr)]
c1, c2 = st.columns(2)
n_iter = c1.slider("Griffin–Lim iterations", 1, 200, 32, **persistent("stft_gl_iter"))
momentum = c2.slider("Momentum (0 = original Griffin–Lim)", 0.0, 0.99, 0.99, 0.01, **persistent("stft_gl_momentum"))
with user_errors():
    exact = spectral.istft(spectral.stft(clip, n_fft=n_fft, hop_length=hop, window=window),
                           hop_length=hop, window=window, length=len(clip))
    estimate, history = griffin_lim(clip, n_fft, hop, window, n_iter, momentum)
error = float(np.max(np.abs(exact - clip)))
a, b = st.columns(2)
with a:
    st.markdown("**Inverse STFT from the complex spectrogram**")
    st.metric("Largest sample error", f"{error:.1e}")
    audio_player(exact, sr)
    if error > 1e-4:
        coverage = spectral.inverse_coverage(len(clip), n_fft=n_fft, hop_length=hop, window=window)
        st.warning(coverage.reason(sr) or "Not exact here, although every sample lies in a frame "
                   "whose windows add up to well above zero.")
with b:
    st.markdown("**Griffin–Lim from the magnitude alone**")
    st.metric("Spectral convergence after the last iteration", f"{history[-1]:.3f}",
              delta=f"{history[-1] - history[0]:+.3f} since iteration 1", delta_color="inverse")
    audio_player(estimate, sr)
st.plotly_chart(plots.convergence(history), key="stft_convergence")
if hop < n_fft:
    why = ("although with overlapping frames (H < N) the magnitude alone fixes a typical signal up to "
           "its sign (−x has the same spectrogram as x): Griffin–Lim is a local search, and it settles "
           "on a phase whose magnitude is close to M but is not the original's, a local optimum")
else:
    why = ("and with H = N the frames do not overlap, so the magnitude says nothing about how "
           "neighbouring frames line up: many signals share it")
st.caption(f"Spectral convergence ‖ |STFT(ŷ)| − M ‖ / ‖M‖ measures how well the estimate's magnitude matches "
           f"the target M; 0 is a perfect match; iteration i is the signal made from the phase after i "
           f"iterations, the last one the signal you hear. The waveform still differs (SNR against the "
           f"original: {snr_db(clip, estimate):.1f} dB), {why}. "
           + (f"The phase demo uses the whole clip ({len(clip) / sr:.2f} s)." if len(clip) == len(y) else
              f"The phase demo uses the first {len(clip) / sr:.2f} s of the {len(y) / sr:.2f} s clip."))
