"""Benchmark of the denoisers: time to denoise a 5 s clip (warm) per model and phase, against
noisereduce measured in the same process, then the targets beside the figures of the last
evaluation reports (reports/denoise_*.json)."""

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
    from audioml.denoising import model_names
    from audioml.denoising.evaluate import noisereduce_baseline
    from audioml.examples import load_example
    from audioml.noise import add_noise

    speech, _ = load_example("sentence", sr=SR)
    y = add_noise(np.resize(speech, int(SECONDS * SR)), 5.0, sr=SR, seed=0)
    base = median_time(lambda: noisereduce_baseline(y, SR))
    rows = [(f"noisereduce, {SECONDS:g} s clip at 8 kHz", f"{base * 1000:.0f} ms",
             f"RTF {base / SECONDS:.4f}")]
    for name in model_names():
        for phase in ("noisy", "griffinlim"):
            t = median_time(lambda: audioml.denoise(y, SR, model=name, phase=phase), 3)
            rows.append((f"{name}, {phase} phase, {SECONDS:g} s clip", f"{t * 1000:.0f} ms",
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
    return rows


if __name__ == "__main__":
    for name, value, note in speed_rows() + target_rows():
        print(f"| {name} | {value} | {note} |")
