"""The benchmark run: every method on every mixture, timed, scored and summarised."""

from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

from audioml.denoising.realworld.inputs import NOISE_SPLIT
from audioml.denoising.realworld.mixing import KINDS, REFERENCE, Mixture
from audioml.denoising.realworld.scoring import MAX_LAG_SECONDS, score
from audioml.errors import AudioMLError
from audioml.progress import ProgressFn, no_progress


def _passthrough(noisy: np.ndarray, sr: int) -> np.ndarray:
    return noisy


def _check_output(out, method: str, mixture: Mixture) -> np.ndarray:
    try:
        out = np.asarray(out, np.float64)
    except (TypeError, ValueError):
        raise AudioMLError(f"method {method!r} returned no audio array on {mixture.name}") from None
    if out.ndim != 1 or out.size == 0:
        raise AudioMLError(f"method {method!r} must return a non-empty 1-D signal; "
                           f"got shape {out.shape} on {mixture.name}")
    if not np.all(np.isfinite(out)):
        raise AudioMLError(f"method {method!r} returned NaN or infinite samples on {mixture.name}")
    return out


def _mean(values) -> float | None:
    values = np.asarray([v for v in values if v is not None], np.float64)
    values = values[~np.isnan(values)]
    return float(np.mean(values)) if values.size else None


def _clean_json(x):
    """Turn numpy scalars into Python ones and non-finite floats into None, recursively."""
    if isinstance(x, dict):
        return {str(k): _clean_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean_json(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return round(float(x), 4) if math.isfinite(x) else None
    return x


def _summary(rows: list[dict], mixtures: dict[str, Mixture]) -> dict:
    seconds = sum(r["seconds"] for r in rows)
    audio = sum(mixtures[r["mixture"]].seconds for r in rows)
    wide = [r for r in rows if mixtures[r["mixture"]].wideband]
    snrs = sorted({r["snr_db"] for r in rows})
    return {
        "n": len(rows),
        "pesq_nb": _mean(r["pesq_nb"] for r in rows),
        "pesq_wb": _mean(r["pesq_wb"] for r in wide) if wide else None,
        "si_sdr": _mean(r["si_sdr"] for r in rows),
        "si_sdr_gain": _mean(r["si_sdr_gain"] for r in rows),
        "pesq_nb_failures": sum(math.isnan(r["pesq_nb"]) for r in rows),
        "pesq_wb_failures": sum(math.isnan(r["pesq_wb"]) for r in wide),
        "seconds": seconds,
        "audio_seconds": audio,
        "rtf": seconds / audio if audio else None,
        "pesq_nb_by_snr": {f"{s:g}": _mean(r["pesq_nb"] for r in rows if r["snr_db"] == s)
                           for s in snrs},
    }


def _conditions(mixtures: list[Mixture], methods: list[str], warmup: bool) -> dict:
    def counts(values):
        values = list(values)
        return {v: values.count(v) for v in sorted(set(values))}

    seeds = sorted({m.seed for m in mixtures})
    return {
        "seed": seeds[0] if len(seeds) == 1 else seeds,
        "snrs_db": sorted({m.snr_db for m in mixtures}),
        "reverb": sorted({m.rir is not None for m in mixtures}),
        "reference": REFERENCE,
        "noise_split": NOISE_SPLIT,
        "noises": counts(m.noise for m in mixtures),
        "rirs": counts(m.rir for m in mixtures if m.rir is not None),
        "counts": {"mixtures": len(mixtures), **counts(m.kind for m in mixtures),
                   "clips": {k: len({m.clip for m in mixtures if m.kind == k})
                             for k in KINDS if any(m.kind == k for m in mixtures)}},
        "sample_rates": {k: sorted({m.sr for m in mixtures if m.kind == k})
                         for k in KINDS if any(m.kind == k for m in mixtures)},
        "max_lag_ms": MAX_LAG_SECONDS * 1000,
        "methods": methods,
        "warmup": warmup,
    }


def evaluate(methods: dict[str, Callable[[np.ndarray, int], np.ndarray]], mixtures: list[Mixture],
             *, progress: ProgressFn = no_progress, warmup: bool = True) -> dict:
    """Run and score every method on every mixture, beside the noisy input itself.

    Parameters
    ----------
    methods : dict of str to callable
        ``method(noisy, sr) -> estimate``: *noisy* is float32 of shape (n,) at
        *sr* Hz; the estimate is audio at the same rate (any length: it is
        delay-compensated and padded or trimmed). The name "noisy" is reserved:
        the unprocessed input is always scored first under it.
    mixtures : list of Mixture
        From :func:`build_mixtures`.
    progress : callable
        ``progress(done, total, message)``, once per method and mixture.
    warmup : bool
        Call each method once on the first mixture, untimed, so imports and
        first-call set-up do not count in its real-time factor.

    Returns
    -------
    dict
        JSON-serialisable (NaN and infinities become None, floats rounded to 4 places):
        ``conditions`` (seed, SNRs, reverb, reference, noise split, noises and
        rooms used with counts, mixture counts), ``methods`` ({method: {kind:
        figures}}, figures: ``n``, ``pesq_nb``, ``pesq_wb`` (sentences; None for
        digits), ``si_sdr`` (dB), ``si_sdr_gain`` (mean paired gain over "noisy",
        dB), ``pesq_nb_failures``, ``pesq_wb_failures``, ``seconds``,
        ``audio_seconds``, ``rtf`` (compute seconds / audio seconds),
        ``pesq_nb_by_snr``) and ``per_mixture`` ({method: rows}).

    Raises
    ------
    AudioMLError
        No mixtures, a bad method, a reserved or repeated name, or bad method output.
    """
    if not isinstance(methods, dict) or not all(callable(f) for f in methods.values()):
        raise AudioMLError("methods must be a dict of name to callable(noisy, sr) -> audio")
    if "noisy" in methods:
        raise AudioMLError('"noisy" is reserved for the unprocessed input; rename that method')
    mixtures = list(mixtures)
    if not mixtures or not all(isinstance(m, Mixture) for m in mixtures):
        raise AudioMLError("mixtures must be a non-empty list of Mixture (see build_mixtures)")
    by_name = {m.name: m for m in mixtures}
    if len(by_name) != len(mixtures):
        raise AudioMLError("mixture names must be unique")
    runs = {"noisy": _passthrough, **methods}
    total, done = len(runs) * len(mixtures), 0
    per_mixture: dict[str, list[dict]] = {}
    for method, fn in runs.items():
        if warmup:
            fn(mixtures[0].noisy.copy(), mixtures[0].sr)
        rows = []
        for i, m in enumerate(mixtures):
            start = time.perf_counter()
            out = fn(m.noisy.copy(), m.sr)
            seconds = time.perf_counter() - start
            figures = score(m.clean, _check_output(out, method, m), m.sr, wideband=m.wideband)
            base = per_mixture["noisy"][i]["si_sdr"] if method != "noisy" else figures["si_sdr"]
            rows.append({"mixture": m.name, "kind": m.kind, "snr_db": m.snr_db, **figures,
                         "si_sdr_gain": figures["si_sdr"] - base, "seconds": seconds})
            done += 1
            progress(done, total, f"{method}: {m.name}")
        per_mixture[method] = rows
    summary = {method: {kind: _summary([r for r in rows if r["kind"] == kind], by_name)
                        for kind in KINDS if any(r["kind"] == kind for r in rows)}
               for method, rows in per_mixture.items()}
    return _clean_json({"conditions": _conditions(mixtures, list(runs), warmup),
                        "methods": summary, "per_mixture": per_mixture})
