"""Scoring denoisers on held-out FSDD clips, beside the noisy input and noisereduce.

For every test clip, noise is added at a fixed seed, so every method sees the
same noisy clips. Figures per method:

* ``spectrogram_mse`` - MSE in the [0, 1] space of the method on the clip padded
  or trimmed to 0.55 s, against the training target (clean dB on [-100 dB, noisy
  maximum]). The autoencoders are scored on their output image, other methods on
  the image of their output audio; "noisy" passes its input image through.
  ``spectrogram_mse_clean_range`` is the same on the clean clip's own min and max
  (the published space; a denoiser cannot know that range, a scorer can).
* ``si_sdr_db`` and ``si_sdr_improvement_db`` - mean SI-SDR of the full-length
  output, and its gain over the noisy input. Meaningless for Griffin-Lim output.
* ``pesq_nb`` - mean narrow-band PESQ; ``pesq_failures`` counts clips PESQ refuses.

A reference beside them, ``references["clean_neighbour_oracle_mse"]``: the MSE
of an oracle that knows the clean image and predicts each bin from its two
frequency neighbours (:func:`neighbour_oracle_mse`). It shows how much of the
MSE scale is the clean recording's own fine structure, which no denoiser can
see under the noise.

STOI is left out on purpose: FSDD clips are shorter than the ~0.4 s of speech
it needs, and it silently falls back on half of them.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from audioml.audio import fix_length
from audioml.denoising import fsdd
from audioml.denoising.api import load_denoiser
from audioml.denoising.features import FLOOR_DB, PAPER_TRANSFORM, clip_db, paper_pair
from audioml.denoising.fsdd import SR
from audioml.errors import AudioMLError
from audioml.metrics import pesq_nb, pesq_wb, si_sdr, spectrogram_mse
from audioml.noise import add_noise
from audioml.progress import ProgressFn, no_progress
from audioml.spectral import minmax_scale, minmax_unscale

#: Seed of the test noise: clip i gets seed EVAL_SEED + i.
EVAL_SEED = 12345
BASELINE = "noisereduce"


def noisereduce_baseline(y: np.ndarray, sr: int = SR) -> np.ndarray:
    """The ``noisereduce`` spectral-gating baseline with its defaults (non-stationary)."""
    import noisereduce

    return np.asarray(noisereduce.reduce_noise(y=y, sr=sr), np.float32)


def _run(method: str, noisy: np.ndarray, denoisers: dict, phase: str) -> np.ndarray:
    if method == "noisy":
        return noisy
    if method == BASELINE:
        return noisereduce_baseline(noisy)
    return denoisers[method].enhance(noisy, phase=phase)


def image_scores(method: str, clean: np.ndarray, noisy: np.ndarray, denoisers: dict,
                  phase: str) -> tuple[float, float]:
    """Spectrogram MSEs of *method* on one 0.55 s clip: (ours, on the clean clip's own range).

    Ours compares with the training target (clean dB on [-100 dB, noisy max]). The
    second puts target and estimate on the clean clip's own min and max, the
    method's published space, which a denoiser cannot know; it is for scoring only.
    "noisy" passes the input image through unchanged in both.
    """
    x01, target = paper_pair(clean, noisy)
    lo, hi = FLOOR_DB, float(clip_db(noisy).max())
    if method == "noisy":
        return spectrogram_mse(target, x01), spectrogram_mse(minmax_scale(clip_db(clean))[0], x01)
    if method in denoisers and denoisers[method].family == "autoencoder":
        est01 = np.asarray(denoisers[method].model(x01[None, ..., None], training=False))[0, ..., 0]
        est_db = minmax_unscale(est01, lo, hi)
    else:
        est_db = clip_db(_run(method, noisy, denoisers, phase))
        est01 = np.clip(minmax_scale(est_db, lo, hi)[0], 0, 1)
    return _both_spaces(target, clip_db(clean), est01, est_db)


def _both_spaces(target: np.ndarray, clean_db: np.ndarray, est01: np.ndarray,
                 est_db: np.ndarray) -> tuple[float, float]:
    """An estimate's MSE against the training *target*, and in the clean clip's own range."""
    clean_own, lo_c, hi_c = minmax_scale(clean_db)
    est_own = np.clip(minmax_scale(est_db, lo_c, hi_c)[0], 0, 1)
    return spectrogram_mse(target, est01), spectrogram_mse(clean_own, est_own)


def clip_scores(clean: np.ndarray, outputs: dict[str, np.ndarray], sr: int = SR) -> list[dict]:
    """SI-SDR, its gain over ``outputs["noisy"]``, PESQ-nb and PESQ-wb of each output.

    Returns one row per output: ``clip``, ``si_sdr_db``, ``si_sdr_gain_db`` (None
    without a "noisy" entry), ``pesq_nb`` and ``pesq_wb`` (None where PESQ cannot
    score the clip; PESQ-wb also below 16 kHz, where there is no wide band).
    """
    def rounded(x):
        return None if x is None or math.isnan(x) else round(x, 2)

    base = si_sdr(clean, outputs["noisy"]) if "noisy" in outputs else None
    rows = []
    for name, y in outputs.items():
        sdr = si_sdr(clean, y)
        rows.append({"clip": name, "si_sdr_db": round(sdr, 2),
                     "si_sdr_gain_db": round(sdr - base, 2) if base is not None else None,
                     "pesq_nb": rounded(pesq_nb(clean, y, sr)),
                     "pesq_wb": rounded(pesq_wb(clean, y, sr)) if sr >= 16000 else None})
    return rows


def neighbour_oracle_mse(clean: np.ndarray, noisy: np.ndarray) -> float:
    """MSE of predicting each bin of the clean target image from its frequency neighbours.

    The oracle takes the mean of the bins just above and below in the same frame
    (one neighbour at the edges) of the *clean* target image, which no denoiser
    has. Neighbouring bins of a Hann-windowed STFT overlap, so this is a strong
    guess; what it misses is each bin's own fine structure (the dB level of a
    noise-like bin spreads by about 5.6 dB, whatever its mean). At 10 dB white
    noise on FSDD it scores about 0.0015, the method's published test MSE.

    Parameters
    ----------
    clean, noisy : np.ndarray [shape=(4400,)]
        A 0.55 s pair at 8 kHz.
    """
    _, y = paper_pair(clean, noisy)
    guess = np.empty_like(y)
    guess[1:-1] = 0.5 * (y[:-2] + y[2:])
    guess[0], guess[-1] = y[1], y[-2]
    return spectrogram_mse(y, guess)


def _overlaps_training(card: dict, split: str, test_speaker: str) -> bool:
    """Whether this split's test clips may include the model's training clips."""
    trained = card.get("split_kind")
    if trained == "speaker":
        return not (split == "speaker" and card.get("test_speaker") == test_speaker)
    return trained != split or split != "random"


def evaluate(models: list[str], recordings, *, snr_db: float = 5.0, kind: str = "white",
             split: str = "speaker", test_speaker: str = "theo", phase: str = "noisy",
             baseline: bool = True, models_dir: Path | None = None,
             progress: ProgressFn = no_progress) -> dict:
    """Score *models* (and noisereduce) on *recordings* with noise at *snr_db*.

    Parameters
    ----------
    models : list of str
        Shipped denoiser names.
    recordings : list of audioml.denoising.fsdd.Recording
        Test clips (8 kHz).
    snr_db : float
        SNR of the added noise in dB.
    kind : {"white", "pink", "brown", "hum"}
    split, test_speaker : str
        Only recorded in the report, and used to flag models whose training clips
        may be among these test clips.
    phase : {"noisy", "griffinlim"}

    Returns
    -------
    dict
        ``{"snr_db", "noise", "split", "clips", "phase", "methods": {name: figures}}``.
    """
    if not recordings:
        raise AudioMLError("no test clips to evaluate")
    denoisers = {name: load_denoiser(name, models_dir) for name in models}
    clips = fsdd.load_clips(recordings)
    methods = ["noisy", *denoisers] + ([BASELINE] if baseline else [])
    rows = {m: {"mse": [], "mse_clean_range": [], "si_sdr": [], "pesq": [], "seconds": 0.0} for m in methods}
    n = PAPER_TRANSFORM.n_samples
    oracle = []
    for i, clean in enumerate(clips):
        noisy = add_noise(clean, snr_db, kind=kind, sr=SR, seed=EVAL_SEED + i)
        # The MSE is taken as the method trains: noise over the clip padded or trimmed to 0.55 s.
        clean_n = fix_length(clean, n)
        noisy_n = add_noise(clean_n, snr_db, kind=kind, sr=SR, seed=EVAL_SEED + i)
        oracle.append(neighbour_oracle_mse(clean_n, noisy_n))
        for method in methods:
            start = time.perf_counter()
            out = _run(method, noisy, denoisers, phase)
            rows[method]["seconds"] += time.perf_counter() - start
            mse, mse_clean_range = image_scores(method, clean_n, noisy_n, denoisers, phase)
            rows[method]["mse"].append(mse)
            rows[method]["mse_clean_range"].append(mse_clean_range)
            rows[method]["si_sdr"].append(si_sdr(clean, out))
            rows[method]["pesq"].append(pesq_nb(clean, out, SR))
        progress(i + 1, len(clips), "")
    base_sdr = float(np.mean(rows["noisy"]["si_sdr"]))
    audio_seconds = sum(len(c) for c in clips) / SR
    report = {"snr_db": snr_db, "noise": kind, "split": split,
              "test_speaker": test_speaker if split == "speaker" else None,
              "clips": len(clips), "phase": phase, "methods": {},
              "references": {"clean_neighbour_oracle_mse": round(float(np.mean(oracle)), 6)}}
    for method, r in rows.items():
        pesq = np.array(r["pesq"], float)
        figures = {
            "spectrogram_mse": round(float(np.mean(r["mse"])), 6),
            "spectrogram_mse_clean_range": round(float(np.mean(r["mse_clean_range"])), 6),
            "si_sdr_db": round(float(np.mean(r["si_sdr"])), 3),
            "si_sdr_improvement_db": round(float(np.mean(r["si_sdr"])) - base_sdr, 3),
            "pesq_nb": round(float(np.nanmean(pesq)), 3) if np.isfinite(pesq).any() else math.nan,
            "pesq_failures": int(np.sum(~np.isfinite(pesq))),
            "real_time_factor": round(r["seconds"] / audio_seconds, 4),
        }
        if method in denoisers:
            card = denoisers[method].card
            figures["trained_on"] = card.get("split")
            figures["test_overlaps_training"] = _overlaps_training(card, split, test_speaker)
        report["methods"][method] = figures
    return report


def format_report(report: dict) -> str:
    """A plain-text table of :func:`evaluate`'s report."""
    head = (f"{report['clips']} clips, {report['noise']} noise at {report['snr_db']:g} dB, "
            f"split {report['split']}" + (f" (held out: {report['test_speaker']})"
                                          if report.get("test_speaker") else "")
            + f", phase {report['phase']}")
    lines = [head, f"{'method':<20} {'spec MSE':>9} {'(clean rng)':>11} {'SI-SDR':>8} {'gain':>7} "
                   f"{'PESQ-nb':>8} {'fails':>6} {'RTF':>7}"]
    for name, f in report["methods"].items():
        flag = "  (test overlaps training)" if f.get("test_overlaps_training") else ""
        lines.append(f"{name:<20} {f['spectrogram_mse']:>9.5f} {f['spectrogram_mse_clean_range']:>11.5f} "
                     f"{f['si_sdr_db']:>8.2f} {f['si_sdr_improvement_db']:>+7.2f} {f['pesq_nb']:>8.3f} "
                     f"{f['pesq_failures']:>6d} {f['real_time_factor']:>7.4f}{flag}")
    if "references" in report:
        lines.append(f"{'(oracle: clean nbrs)':<20} "
                     f"{report['references']['clean_neighbour_oracle_mse']:>9.5f}")
    return "\n".join(lines)


def card_metrics(name: str, test_recordings, *, split: str, models_dir: Path | None = None,
                 test_speaker: str = "theo") -> dict:
    """Test figures for a freshly trained model's card, under the conditions of the targets.

    Autoencoders: white noise at 10 dB (the MSE target). Mask net: white noise at 5 dB
    (the SI-SDR and PESQ targets). Both on the test clips of the split they were trained on.
    """
    family = load_denoiser(name, models_dir).family
    snr = 10.0 if family == "autoencoder" else 5.0
    report = evaluate([name], test_recordings, snr_db=snr, kind="white", split=split,
                      test_speaker=test_speaker, baseline=False, models_dir=models_dir)
    return {"condition": f"white noise at {snr:g} dB, {report['clips']} test clips ({split} split)",
            "model": report["methods"][name], "noisy_input": report["methods"]["noisy"]}


#: FSDD takes of each digit of the held-out speaker in the real-world benchmark (3 x 10 digits).
REALWORLD_TAKES = 3


def realworld_benchmark(models: list[str], *, fsdd_folder=None, realworld_folder=None,
                        test_speaker: str = "theo", takes: int = REALWORLD_TAKES, seed: int = 0,
                        baseline: bool = True, models_dir: Path | None = None,
                        progress: ProgressFn = no_progress) -> dict:
    """Every method on the real-world mixtures (:mod:`audioml.denoising.realworld`).

    The clean speech is the realworld set's read sentences (16 kHz) and the
    first *takes* recordings of each digit by *test_speaker* (8 kHz, a voice no
    model here was trained on), mixed with the evaluation part of the real
    noise recordings at 0, 5 and 10 dB, with and without a room. Each method
    sees the mixture at its own rate and answers at that rate.

    Parameters
    ----------
    models : list of str
        Shipped denoisers (ours and the pretrained peers).
    baseline : bool
        Also score noisereduce.

    Returns
    -------
    dict
        :func:`audioml.denoising.realworld.evaluate`'s report, with ``cards``:
        each model's ``trained_here`` flag and training data.
    """
    from audioml.denoising import realworld
    from audioml.denoising.api import denoise

    recordings = fsdd.list_recordings(fsdd_folder)
    _, test = fsdd.split(recordings, kind="speaker", test_speaker=test_speaker)
    chosen = [r for r in test if r.index < takes]
    digits = [(f"{r.digit}_{r.speaker}_{r.index}", clip, SR)
              for r, clip in zip(chosen, fsdd.load_clips(chosen))]
    mixtures = realworld.build_mixtures(digits=digits, folder=realworld_folder, seed=seed)
    denoisers = {name: load_denoiser(name, models_dir) for name in models}
    methods = {}
    if baseline:
        methods[BASELINE] = lambda y, sr: noisereduce_baseline(y, sr)
    for name, model in denoisers.items():
        methods[name] = lambda y, sr, model=model: denoise(y, sr, model=model)
    report = realworld.evaluate(methods, mixtures, progress=progress)
    cards = {name: d.card for name, d in denoisers.items()}
    report["conditions"]["digits"] = digits_condition(cards, test_speaker, takes)
    report["cards"] = {name: {"trained_here": d.card.get("trained_here", True),
                              "data": d.card.get("data"), "full_band": d.full_band,
                              "heard_digit_speaker": heard_speaker(d.card, test_speaker)}
                       for name, d in denoisers.items()}
    return report


def heard_speaker(card: dict, speaker: str) -> bool:
    """Whether the model of *card* trained on any recording of FSDD's *speaker*.

    Only a model trained here with a by-speaker split that held *speaker* out never heard
    them; a random split draws every speaker into training, and a pretrained model never
    saw FSDD at all (False).
    """
    if card.get("trained_here") is False:
        return False
    return not (card.get("split_kind") == "speaker" and card.get("test_speaker") == speaker)


def digits_condition(cards: dict[str, dict], speaker: str, takes: int) -> str:
    """The real-world benchmark's digits in words: whose, which takes, and which of the models
    trained here heard that speaker in training (read from their *cards*)."""
    ours = {name: heard_speaker(card, speaker) for name, card in cards.items()
            if card.get("trained_here", True)}
    held = [name for name, heard in ours.items() if not heard]
    heard = [name for name, heard in ours.items() if heard]
    text = f"FSDD, speaker {speaker}, takes 0-{takes - 1} of each digit"
    if held:
        text += f"; {speaker} is held out of {', '.join(held)} (a voice it never heard)"
    if heard:
        text += (f"; {', '.join(heard)} trained on a random split of every speaker, so some of "
                 f"these clips were in {'its' if len(heard) == 1 else 'their'} training set")
    return text


#: SNRs of :func:`snr_sweep` in dB; ``None`` is the noise-free reconstruction (input = clean).
#: 50 and 60 dB go past the usual range to find where the noisy input itself reaches 0.0015.
SWEEP_SNRS: tuple[float | None, ...] = (0.0, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, None)


def snr_sweep(models: list[str], recordings, *, snrs=SWEEP_SNRS, kind: str = "white",
              models_dir: Path | None = None, batch_size: int = 64,
              progress: ProgressFn = no_progress) -> dict:
    """The autoencoders' spectrogram MSE on the same clips at every SNR of *snrs*.

    The method's MSE lives in per-spectrogram min-max scaled images, so the level of the noise
    decides how much of the [0, 1] range the noise floor takes and what an MSE is worth; the
    method does not state its noise level. Each condition is scored exactly as
    :func:`evaluate` scores it (clip *i* padded or trimmed to 0.55 s, noise seed
    ``EVAL_SEED + i``, :func:`image_scores`' two spaces), with the noisy input beside the
    models and the clean-neighbour oracle as a reference.

    Parameters
    ----------
    models : list of str
        Shipped autoencoder denoisers (``vae_denoiser``, ``dcae_denoiser``).
    recordings : list of audioml.denoising.fsdd.Recording
        Test clips (8 kHz).
    snrs : sequence of float or None
        SNRs in dB; ``None`` scores the noise-free reconstruction (the clean clip as input).
    kind : {"white", "pink", "brown", "hum"}
    batch_size : int
        Images per network call.
    progress : callable
        ``progress(done, total, message)`` after each condition.

    Returns
    -------
    dict
        ``{"noise", "clips", "snrs_db": [...], "conditions": [{"snr_db" (None: noise-free),
        "methods": {name: {"spectrogram_mse", "spectrogram_mse_clean_range"}},
        "references": {"clean_neighbour_oracle_mse"}}]}``; ``"noisy"`` is the input itself.
    """
    if not recordings:
        raise AudioMLError("no test clips to evaluate")
    from audioml.denoising.api import ALIASES

    denoisers = {ALIASES.get(name, name): load_denoiser(name, models_dir) for name in models}
    wrong = [name for name, d in denoisers.items() if d.family != "autoencoder"]
    if wrong:
        raise AudioMLError(f"the SNR sweep scores the paper's autoencoders on their images; "
                           f"{', '.join(wrong)} is not one (choose vae_denoiser, dcae_denoiser)")
    n = PAPER_TRANSFORM.n_samples
    clean = [fix_length(c, n) for c in fsdd.load_clips(recordings)]
    clean_db = [clip_db(c) for c in clean]
    clean_own = [minmax_scale(db)[0] for db in clean_db]
    conditions = []
    for done, snr in enumerate(snrs, start=1):
        noisy = [c if snr is None else add_noise(c, float(snr), kind=kind, sr=SR, seed=EVAL_SEED + i)
                 for i, c in enumerate(clean)]
        pairs = [paper_pair(c, y) for c, y in zip(clean, noisy)]
        x01 = np.stack([p[0] for p in pairs])
        targets = [p[1] for p in pairs]
        his = [float(clip_db(y).max()) for y in noisy]
        scores = {"noisy": ([spectrogram_mse(t, x) for t, x in zip(targets, x01)],
                            [spectrogram_mse(o, x) for o, x in zip(clean_own, x01)])}
        for name, d in denoisers.items():
            est = np.concatenate([np.asarray(d.model(x01[s:s + batch_size, ..., None], training=False))
                                  for s in range(0, len(x01), batch_size)])[..., 0]
            # Batched through the network, scored per clip as image_scores scores it.
            pairs_of_scores = [_both_spaces(targets[i], clean_db[i], e, minmax_unscale(e, FLOOR_DB, his[i]))
                               for i, e in enumerate(est)]
            scores[name] = tuple(zip(*pairs_of_scores))
        oracle = [neighbour_oracle_mse(c, y) for c, y in zip(clean, noisy)]
        conditions.append({
            "snr_db": None if snr is None else float(snr),
            "methods": {m: {"spectrogram_mse": round(float(np.mean(a)), 6),
                            "spectrogram_mse_clean_range": round(float(np.mean(b)), 6)}
                        for m, (a, b) in scores.items()},
            "references": {"clean_neighbour_oracle_mse": round(float(np.mean(oracle)), 6)}})
        progress(done, len(snrs), "noise-free" if snr is None else f"{snr:g} dB")
    return {"noise": kind, "clips": len(clean), "models": list(denoisers),
            "snrs_db": [None if s is None else float(s) for s in snrs], "conditions": conditions}


def crossing_snr(snrs_db, values, target: float) -> float | None:
    """The SNR (dB) at which a falling MSE curve first reaches *target*, or ``None``.

    Linear in log10 MSE between the two neighbouring SNRs of the sweep; the lowest SNR of
    the sweep when the curve already starts at or under *target*. ``None`` entries of
    *snrs_db* (the noise-free condition) are ignored.
    """
    points = sorted((float(s), float(v)) for s, v in zip(snrs_db, values) if s is not None and v is not None)
    for k, (s, v) in enumerate(points):
        if v <= target:
            if k == 0:
                return s
            s0, v0 = points[k - 1]
            if v0 <= 0 or v <= 0 or v0 == v:
                return s
            frac = (math.log10(v0) - math.log10(target)) / (math.log10(v0) - math.log10(v))
            return round(s0 + frac * (s - s0), 2)
    return None


def realworld_card_figures(report: dict, name: str) -> dict | None:
    """What a model card says of *name*'s real-world scores (read by the page), or ``None``
    when the report (:func:`realworld_benchmark`) did not score it.

    Returns
    -------
    dict or None
        ``condition``, ``sentence_pesq_nb``, ``sentence_pesq_wb``,
        ``sentence_si_sdr_gain_db``, ``digit_pesq_nb``, ``digit_si_sdr_gain_db`` and
        ``noisy``: the same figures of the noisy input.
    """
    methods = report.get("methods", {})
    if name not in methods:
        return None

    def figures(method: str) -> dict:
        sentence, digit = methods[method].get("sentence", {}), methods[method].get("digit", {})
        return {"sentence_pesq_nb": sentence.get("pesq_nb"), "sentence_pesq_wb": sentence.get("pesq_wb"),
                "sentence_si_sdr_gain_db": sentence.get("si_sdr_gain"),
                "digit_pesq_nb": digit.get("pesq_nb"), "digit_si_sdr_gain_db": digit.get("si_sdr_gain")}

    n = {kind: methods[name].get(kind, {}).get("n", 0) for kind in ("sentence", "digit")}
    return {"condition": f"real noise recordings at 0, 5 and 10 dB, with and without a room: "
                         f"{n['sentence']} read-sentence and {n['digit']} spoken-digit mixtures "
                         f"(`audioml evaluate denoiser --set realworld`)",
            **figures(name), "noisy": figures("noisy") if "noisy" in methods else None}


def write_realworld_to_cards(report: dict, models_dir: Path | None = None) -> list[str]:
    """Store each scored model's :func:`realworld_card_figures` on its card
    (``metrics["realworld"]``); return the names of the cards written."""
    from audioml.registry import get_card, write_card

    written = []
    for name in report.get("cards", {}):
        figures = realworld_card_figures(report, name)
        if figures is None:
            continue
        card = get_card(name, models_dir)
        card["metrics"] = {**card.get("metrics", {}), "realworld": figures}
        write_card(card, models_dir)
        written.append(name)
    return written

