"""Benchmark of the spectral core: our STFT round trip and fast Griffin-Lim against librosa's,
measured in the same process (ratios, medians of several runs)."""

from __future__ import annotations

import platform
import statistics
import time

import numpy as np


def median_time(fn, repeats: int = 7) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rows() -> list[tuple[str, str, str]]:
    import librosa

    from audioml import spectral
    from audioml.signals import chord

    sr = 16000
    y = np.tile(chord(sr, 1.0), 5)  # 5 s
    mag = np.abs(spectral.stft(y, n_fft=512, hop_length=128))
    ours_stft = median_time(lambda: spectral.istft(spectral.stft(y, n_fft=512, hop_length=128),
                                                   hop_length=128, length=len(y)))
    ours_gl = median_time(lambda: spectral.griffin_lim(mag, hop_length=128, n_iter=32, length=len(y)), 3)
    ref_gl = median_time(lambda: librosa.griffinlim(mag, n_iter=32, hop_length=128, n_fft=512,
                                                    length=len(y), random_state=0), 3)
    _, hist = spectral.griffin_lim(mag, hop_length=128, n_iter=32, length=len(y), return_history=True)
    ref = librosa.griffinlim(mag, n_iter=32, hop_length=128, n_fft=512, length=len(y), random_state=0)
    ref_sc = spectral.spectral_convergence(ref, mag, hop_length=128)
    return [
        ("STFT + inverse STFT, 5 s at 16 kHz (N=512, H=128)", f"{ours_stft * 1000:.1f} ms", f"RTF {ours_stft / 5:.4f}"),
        ("Griffin-Lim 32 it., 5 s: ours / librosa", f"{ours_gl * 1000:.0f} / {ref_gl * 1000:.0f} ms",
         f"ratio {ours_gl / ref_gl:.2f}"),
        # hist[-1] is the convergence after the last iteration: that of the signal returned, as ref_sc.
        (f"Griffin-Lim spectral convergence of the signal returned after {len(hist)} it.: ours / librosa",
         f"{hist[-1]:.3f} / {ref_sc:.3f}", ""),
    ]


def machine() -> str:
    import os

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


if __name__ == "__main__":
    for name, value, note in rows():
        print(f"| {name} | {value} | {note} |")
