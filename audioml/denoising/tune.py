"""Choosing how hard the mask net's mask is applied, on training speakers only.

The net predicts a gain in [0, 1] per bin; :func:`audioml.denoising.masknet.shape_mask`
turns it into ``max(mask ** power, floor)``. Which power and floor sound best
is an empirical question, and answering it on the held-out speaker would leak
the test set into the model. :func:`tune_mask` answers it on clips of the
speakers the net was trained on, under white and pink noise, by mean
narrow-band PESQ, and the training command writes the pick on the model card.
"""

from __future__ import annotations

import numpy as np

from audioml.denoising.denoisers import MaskDenoiser
from audioml.denoising.fsdd import SR
from audioml.denoising.masknet import MASK_HOP, shape_mask
from audioml.errors import AudioMLError
from audioml.metrics import pesq_nb, si_sdr
from audioml.noise import add_noise
from audioml.progress import ProgressFn, no_progress
from audioml.spectral import istft

POWERS = (1.0, 1.25, 1.5, 1.75, 2.0)
FLOORS = (0.0, 0.005, 0.01, 0.02, 0.05)


def tune_mask(denoiser: MaskDenoiser, clips: list[np.ndarray], *, powers=POWERS, floors=FLOORS,
              snr_db: float = 5.0, kinds: tuple[str, ...] = ("white", "pink"), seed: int = 0,
              progress: ProgressFn = no_progress) -> dict:
    """Score every (power, floor) on *clips* with noise added, and pick the best by PESQ-nb.

    Parameters
    ----------
    denoiser : MaskDenoiser
        The trained net; its card's own power and floor are ignored (:meth:`~MaskDenoiser.raw_mask`).
    clips : list of np.ndarray
        Clean 8 kHz clips of training speakers (never the test speaker's).
    powers, floors : sequence of float
        The grid.
    snr_db : float
        SNR of the added noise in dB.
    kinds : tuple of str
        Noise kinds; every clip is scored under each.

    Returns
    -------
    dict
        ``grid``: one row per setting with ``power``, ``floor``, ``pesq_nb`` (mean)
        and ``si_sdr_improvement_db`` (mean gain over the noisy input); ``best``:
        the row with the highest PESQ-nb; ``clips`` and ``condition``.
    """
    if not clips:
        raise AudioMLError("no clips to tune the mask on")
    if denoiser.family != "mask":
        raise AudioMLError(f"{denoiser.name} predicts no mask; only the mask net can be tuned")
    settings = [(float(p), float(f)) for p in powers for f in floors]
    pesq = {s: [] for s in settings}
    gain = {s: [] for s in settings}
    total, done = len(clips) * len(kinds), 0
    for k, kind in enumerate(kinds):
        for i, clean in enumerate(clips):
            noisy = add_noise(clean, snr_db, kind=kind, sr=SR, seed=seed + 100_003 * k + i)
            S, mask = denoiser.raw_mask(noisy)
            base = si_sdr(clean, noisy)
            for power, floor in settings:
                out = istft(shape_mask(mask, power=power, floor=floor) * S, hop_length=MASK_HOP,
                            length=len(clean))
                pesq[power, floor].append(pesq_nb(clean, out, SR))
                gain[power, floor].append(si_sdr(clean, out) - base)
            done += 1
            progress(done, total, kind)
    grid = [{"power": p, "floor": f, "pesq_nb": round(float(np.nanmean(pesq[p, f])), 4),
             "si_sdr_improvement_db": round(float(np.mean(gain[p, f])), 4)} for p, f in settings]
    best = max(grid, key=lambda row: (row["pesq_nb"], row["si_sdr_improvement_db"]))
    return {"grid": grid, "best": best, "clips": len(clips),
            "condition": f"{', '.join(kinds)} noise at {snr_db:g} dB on training speakers' clips"}


__all__ = ["FLOORS", "POWERS", "tune_mask"]
