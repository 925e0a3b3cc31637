"""Benchmark of the denoisers: time to denoise a 5 s clip (warm) per model and phase at 8 kHz,
and per full-band model at 48 kHz, each against noisereduce measured in the same process at
the same rate; then the targets beside the figures of the last evaluation reports
(reports/denoise_*.json, reports/denoise_realworld.json)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.core import median_time  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SR = 8000
SECONDS = 5.0


def speed_rows() -> list[tuple[str, str, str]]:
    import audioml
    from audioml.denoising import load_denoiser, model_names
    from audioml.denoising.evaluate import noisereduce_baseline
    from audioml.examples import load_example
    from audioml.noise import add_noise

    rows = []
    for sr in (SR, 48000):
        speech, _ = load_example("sentence", sr=sr)
        y = add_noise(np.resize(speech, int(SECONDS * sr)), 5.0, sr=sr, seed=0)
        base = median_time(lambda: noisereduce_baseline(y, sr))
        rows.append((f"noisereduce, {SECONDS:g} s clip at {sr // 1000} kHz", f"{base * 1000:.0f} ms",
                     f"RTF {base / SECONDS:.4f}"))
        for name in model_names():
            denoiser = load_denoiser(name)
            if sr != SR and not denoiser.full_band:
                continue  # telephone band only: its 48 kHz time is its 8 kHz time plus resampling
            phases = ("noisy",) if denoiser.family == "pretrained" or sr != SR else ("noisy", "griffinlim")
            for phase in phases:
                t = median_time(lambda: audioml.denoise(y, sr, model=denoiser, phase=phase), 3)
                rows.append((f"{name}, {phase} phase, {SECONDS:g} s clip at {sr // 1000} kHz",
                             f"{t * 1000:.0f} ms",
                             f"RTF {t / SECONDS:.4f}; {t / base:.2f}× noisereduce's time"))
    return rows


def _report(name: str) -> dict | None:
    path = ROOT / "reports" / name
    return json.loads(path.read_text()) if path.exists() else None


def target_rows() -> list[tuple[str, str, str]]:
    rows = []
    paper = _report("denoise_random_10db_white.json")
    if paper:
        m = paper["methods"]
        known = paper.get("references", {}).get("clean_neighbour_oracle_mse")
        oracle = f"; oracle that knows the clean clip {known:.4f}" if known is not None else ""
        for name in ("vae_denoiser", "dcae_denoiser"):
            if name in m:
                rows.append((f"{name}: test spectrogram MSE, random split, white 10 dB "
                             "(target ≤ 0.0015)", f"{m[name]['spectrogram_mse']:.4f}",
                             f"clean-range MSE {m[name]['spectrogram_mse_clean_range']:.4f}; noisy "
                             f"input {m['noisy']['spectrogram_mse']:.4f}" + oracle))
    speaker = _report("denoise_speaker_5db_white.json")
    if speaker:
        m = speaker["methods"]
        models = {k: v for k, v in m.items() if k not in ("noisy", "noisereduce")}
        best = max(models, key=lambda k: models[k]["si_sdr_improvement_db"])
        f, nr = models[best], m.get("noisereduce", {})
        rows += [
            (f"{best}: SI-SDR gain, held-out speaker, white 5 dB (target ≥ +7 dB)",
             f"{f['si_sdr_improvement_db']:+.2f} dB", f"{speaker['clips']} clips"),
            (f"{best}: PESQ-nb (target ≥ 2.8)", f"{f['pesq_nb']:.2f}",
             f"noisy {m['noisy']['pesq_nb']:.2f}; {f['pesq_failures']} PESQ failures"),
            (f"{best} over noisereduce, SI-SDR gain (target ≥ 5 dB)",
             f"{f['si_sdr_improvement_db'] - nr.get('si_sdr_improvement_db', np.nan):+.2f} dB",
             f"noisereduce {nr.get('si_sdr_improvement_db', np.nan):+.2f} dB, "
             f"PESQ {nr.get('pesq_nb', np.nan):.2f}"),
        ]
    rows += realworld_rows()
    return rows


def realworld_rows() -> list[tuple[str, str, str]]:
    """The targets on real recordings, read from the real-world benchmark's report."""
    from ui.denoise import recommended_model

    report = _report("denoise_realworld.json")
    if not report:
        return []
    m = report["methods"]
    ours = "masknet_denoiser"
    rows = []
    if ours in m and "rnnoise" in m:
        d, rn = m[ours]["digit"], m["rnnoise"]["digit"]
        rows.append((f"{ours}: PESQ-nb on real-noise digits (target ≥ RNNoise − 0.1 = "
                     f"{rn['pesq_nb'] - 0.1:.2f})", f"{d['pesq_nb']:.2f}",
                     f"RNNoise {rn['pesq_nb']:.2f}, DeepFilterNet3 "
                     f"{m.get('deepfilternet3', {}).get('digit', {}).get('pesq_nb', np.nan):.2f}, "
                     f"noisy {m['noisy']['digit']['pesq_nb']:.2f}"))
    if ours in m:
        s_, n_ = m[ours]["sentence"], m["noisy"]["sentence"]
        rows += [(f"{ours}: PESQ-nb on real-noise sentences (target ≥ noisy + 0.4 = "
                  f"{n_['pesq_nb'] + 0.4:.2f})", f"{s_['pesq_nb']:.2f}", f"noisy {n_['pesq_nb']:.2f}"),
                 (f"{ours}: PESQ-wb on real-noise sentences (target ≥ noisy {n_['pesq_wb']:.2f})",
                  f"{s_['pesq_wb']:.2f}", f"{s_['n']} mixtures")]
    best = recommended_model()
    if best in m:
        s_, n_ = m[best]["sentence"], m["noisy"]["sentence"]
        rows.append((f"recommended for uploads ({best}): PESQ-wb on sentences (target ≥ noisy + 0.8 "
                     f"= {n_['pesq_wb'] + 0.8:.2f})", f"{s_['pesq_wb']:.2f}",
                     f"RTF {s_['rtf']:.3f} in the benchmark"))
    return rows


if __name__ == "__main__":
    for name, value, note in speed_rows() + target_rows():
        print(f"| {name} | {value} | {note} |")
