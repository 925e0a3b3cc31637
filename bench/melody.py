"""Benchmark the melody generator: warm latency of generating 128 steps and engraving the SVG,
and the quality of 20 melodies (notes in key, endings on the tonic, copying).

Usage: ``python bench/melody.py [--runs 20] [--steps 128] [--temperature 1.0] [--json]``
Target: generating 128 steps + rendering the SVG under 1.5 s warm.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_S = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from audioml.melody import MODEL_NAME, shipped_model
    from audioml.melody.analysis import load_training_stats
    from audioml.melody.generate import generate
    from audioml.melody.recipe import generation_quality
    from audioml.melody.score import render_svg
    from audioml.paths import MODELS_DIR

    t0 = time.perf_counter()
    model = shipped_model()
    load_s = time.perf_counter() - t0
    render_svg(generate(model, None, steps=16, random_seed=0))  # warm up music21 and Verovio
    gen, svg, total, lengths = [], [], [], []
    for i in range(args.runs):
        t1 = time.perf_counter()
        melody = generate(model, None, steps=args.steps, temperature=args.temperature, random_seed=i)
        t2 = time.perf_counter()
        render_svg(melody)
        t3 = time.perf_counter()
        gen.append(t2 - t1)
        svg.append(t3 - t2)
        total.append(t3 - t1)
        lengths.append(len(melody))
    _, index = load_training_stats(MODELS_DIR, MODEL_NAME)
    quality = generation_quality(model, n=20, steps=args.steps, temperature=args.temperature,
                                 copy_index=index)
    alone = generation_quality(model, n=20, steps=args.steps, temperature=args.temperature,
                               cadence=False, copy_index=index)
    result = {
        "model": MODEL_NAME, "runs": args.runs, "steps": args.steps, "load_s": load_s,
        "generate_median_s": statistics.median(gen), "render_median_s": statistics.median(svg),
        "total_median_s": statistics.median(total), "total_max_s": max(total),
        "mean_length_steps": statistics.mean(lengths), "target_s": TARGET_S,
        "meets_target": max(total) < TARGET_S, "quality": quality,
        "quality_without_cadence_rule": alone,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    rows = [
        ("model load (cold)", f"{load_s:.2f} s", ""),
        (f"generate {args.steps} steps (median)", f"{result['generate_median_s'] * 1000:.0f} ms", ""),
        ("render SVG with Verovio (median)", f"{result['render_median_s'] * 1000:.0f} ms", ""),
        ("generate + render (median)", f"{result['total_median_s'] * 1000:.0f} ms", f"< {TARGET_S} s"),
        ("generate + render (worst)", f"{result['total_max_s'] * 1000:.0f} ms",
         "PASS" if result["meets_target"] else "FAIL"),
        ("notes in key (20 melodies)", f"{quality['in_key_share']:.1%}", "≥ 95%"),
        ("ending on the tonic (20 melodies)", f"{quality['tonic_endings']:.0%}", "≥ 80%"),
        ("same, model alone (no cadence rule)", f"{alone['tonic_endings']:.0%}", ""),
        ("longest copy from training (notes)", str(quality.get("longest_copy_notes", "n/a")), ""),
        ("stopped by", ", ".join(f"{k} {v}" for k, v in quality["stopped_by"].items()), ""),
    ]
    # Markdown rows, like every other benchmark, so `make bench` prints one table.
    for name, value, target in rows:
        print(f"| {name.strip()} | {value} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
