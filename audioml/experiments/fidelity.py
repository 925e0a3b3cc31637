"""The paper's headline figures under the paper's own protocol, beside ours.

Two of the method's figures depend on choices it leaves unstated or makes differently from us:

* **The VAE's test MSE of 0.0015** is taken in per-spectrogram min-max scaled images, whose
  scale depends on the noise level, which the paper does not state. :func:`run_snr_sweep`
  scores the shipped autoencoders and the noisy input at SNRs from 0 to 60 dB and noise-free,
  and :func:`snr_summary` says where (if anywhere) 0.0015 is reached.
  Report: ``reports/denoise_snr_sweep.json``.
* **The LSTM's accuracy of 0.85** was measured on windows of songs split at random, so test
  windows overlap training windows; :mod:`audioml.melody.protocols` trains one LSTM per
  protocol on the same songs. Report: ``reports/melody_protocols.json``.

Only the reports are needed to show the results; running them needs the datasets.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import numpy as np

from audioml.errors import AudioMLError
from audioml.experiments import published
from audioml.experiments.compare import TARGET_SCALING
from audioml.paths import PROJECT_ROOT
from audioml.progress import ProgressFn, no_progress

SNR_SWEEP_REPORT = PROJECT_ROOT / "reports" / "denoise_snr_sweep.json"
PROTOCOLS_REPORT = PROJECT_ROOT / "reports" / "melody_protocols.json"
#: The VAE's published test MSE (Tables 1 and 2's best rows).
PUBLISHED_MSE = 0.0015
#: The LSTM's published test accuracy (Table 3's best rows).
PUBLISHED_ACCURACY = 0.85
SWEEP_MODELS = ("vae_denoiser", "dcae_denoiser")
#: Test clips of the sweep: the first 500 of the random split's test side, as the README's
#: denoising table (``audioml evaluate denoiser --split random --limit 500``).
SWEEP_CLIPS = 500
#: The two MSE spaces of :func:`audioml.denoising.evaluate.image_scores`.
SPACES = {"spectrogram_mse": f"our training target ({TARGET_SCALING})",
          "spectrogram_mse_clean_range": "the clean clip's own min and max (the paper's space)"}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def run_snr_sweep(data: str | None = None, *, models=SWEEP_MODELS, limit: int | None = SWEEP_CLIPS,
                  snrs=None, kind: str = "white", models_dir: Path | None = None,
                  progress: ProgressFn = no_progress) -> dict:
    """Sweep the SNR for the shipped autoencoders on FSDD's random 80/20 split (seed 0).

    The split is the one the shipped ``vae_denoiser`` and ``dcae_denoiser`` were trained on,
    so their test clips were never seen in training.

    Parameters
    ----------
    data : str, optional
        FSDD folder (default: found by :func:`audioml.denoising.fsdd.find_fsdd`).
    models : sequence of str
        Shipped autoencoder denoisers.
    limit : int, optional
        The first *limit* test clips (``None``: all of them).
    snrs : sequence of float or None, optional
        Default :data:`audioml.denoising.evaluate.SWEEP_SNRS` (``None`` = noise-free).
    kind : {"white", "pink", "brown", "hum"}

    Returns
    -------
    dict
        :func:`audioml.denoising.evaluate.snr_sweep`'s report with ``split``,
        ``published_mse``, ``created`` and ``summary`` (:func:`snr_summary`).
    """
    from audioml.denoising import fsdd
    from audioml.denoising.evaluate import SWEEP_SNRS, snr_sweep

    if limit is not None and limit < 1:
        raise AudioMLError(f"limit must be at least 1 clip; got {limit}")
    _, test = fsdd.split(fsdd.list_recordings(data), kind="random")
    test = test[:limit] if limit else test
    report = snr_sweep(list(models), test, snrs=SWEEP_SNRS if snrs is None else snrs, kind=kind,
                       models_dir=models_dir, progress=progress)
    report.update(split=f"FSDD, {fsdd.describe_split('random')} (the models' training split): "
                        f"the first {len(test)} test clips, each padded or trimmed to 0.55 s",
                  published_mse=PUBLISHED_MSE, created=_now())
    report["summary"] = snr_summary(report)
    return report


def sweep_series(report: dict, method: str, space: str = "spectrogram_mse") -> tuple[list, list]:
    """(SNRs in dB, MSEs) of *method* over the noisy conditions of a sweep *report*."""
    points = [(c["snr_db"], c["methods"].get(method, {}).get(space)) for c in report["conditions"]
              if c["snr_db"] is not None]
    return [p[0] for p in points], [p[1] for p in points]


def noise_free(report: dict, method: str, space: str = "spectrogram_mse") -> float | None:
    """*method*'s MSE on the noise-free condition of a sweep *report*, if it was run."""
    for c in report["conditions"]:
        if c["snr_db"] is None:
            return c["methods"].get(method, {}).get(space)
    return None


def snr_summary(report: dict, target: float = PUBLISHED_MSE) -> dict:
    """Where each method of a sweep reaches *target*, in both MSE spaces.

    Returns
    -------
    dict
        ``{space: {method: {"reaches_at_snr_db" (interpolated; None: not inside the sweep),
        "mse_at_10db", "noise_free"}}}``.
    """
    from audioml.denoising.evaluate import crossing_snr

    methods = ["noisy", *report.get("models", [])]
    out = {}
    for space in SPACES:
        out[space] = {}
        for m in methods:
            snrs, values = sweep_series(report, m, space)
            at10 = dict(zip(snrs, values)).get(10.0)
            known = [(v, snr) for snr, v in zip(snrs, values) if v is not None]
            best = min(known) if known else (None, None)
            out[space][m] = {"reaches_at_snr_db": crossing_snr(snrs, values, target),
                             "mse_at_10db": at10, "noise_free": noise_free(report, m, space),
                             "best_mse": best[0], "best_at_snr_db": best[1]}
    return out


def sweep_sentence(report: dict, space: str = "spectrogram_mse", model: str = "vae_denoiser") -> str:
    """A few sentences: at which SNR 0.0015 is reached, and whether *model* reaches it there."""
    s = report.get("summary") or snr_summary(report)
    rows = s.get(space, {})
    target = report.get("published_mse", PUBLISHED_MSE)
    name = {"vae_denoiser": "our VAE", "dcae_denoiser": "our DCAE"}.get(model, model)

    def where(m: str) -> str:
        row = rows.get(m, {})
        snr = row.get("reaches_at_snr_db")
        if snr is not None:
            return f"from about {snr:g} dB"
        free = row.get("noise_free")
        if free is not None and free <= target:
            return f"only without noise (noise-free {free:.4f})"
        return "at no SNR of the sweep" + (f" (noise-free {free:.4f})" if free is not None else "")

    snrs = [c["snr_db"] for c in report["conditions"] if c["snr_db"] is not None]
    text = [f"Over {report.get('clips')} test clips, {report.get('noise', 'white')} noise at {min(snrs):g}–{max(snrs):g} dB: "
            f"the noisy input itself reaches {target:g} {where('noisy')}; {name} reaches it "
            f"{where(model)}."]
    vae, noisy = rows.get(model, {}), rows.get("noisy", {})
    if vae.get("reaches_at_snr_db") is None and vae.get("best_mse") is not None:
        text.append(f"The lowest {name} gets is {vae['best_mse']:.4f}, at {vae['best_at_snr_db']:g} dB, "
                    f"{vae['best_mse'] / target:.1f} times {target:g}.")
    if vae.get("mse_at_10db") and noisy.get("mse_at_10db"):
        text.append(f"At 10 dB (our tables' condition, and the only level it trained at) {name} scores {vae['mse_at_10db']:.4f} "
                    f"against {noisy['mse_at_10db']:.4f} for the noisy input.")
    if vae.get("reaches_at_snr_db") is not None and noisy.get("reaches_at_snr_db") is not None:
        gap = noisy["reaches_at_snr_db"] - vae["reaches_at_snr_db"]
        text.append(f"So {target:g} is a figure of a mild noise level: there {name} does the work "
                    f"of {gap:.0f} dB less noise." if gap > 0 else
                    f"At that level the noisy input is already as good, so {target:g} says little "
                    f"about denoising there.")
    return " ".join(text)


def write_report(report: dict, path: str | Path) -> Path:
    """Write a JSON report (one object, indented) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    return path


def load_json_report(path: str | Path, *, keys: tuple[str, ...], what: str) -> dict:
    """Read a report and check that it holds *keys*; raise :class:`AudioMLError` naming the fix."""
    path = Path(path)
    if not path.is_file():
        raise AudioMLError(f"no {what} report at {path}; run `audioml experiment "
                           f"{'snr-sweep' if 'sweep' in what else 'melody-protocols'}` to write it")
    try:
        report = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise AudioMLError(f"{what} report {path} is not valid JSON: {err}") from None
    missing = [k for k in keys if not isinstance(report, dict) or k not in report]
    if missing:
        raise AudioMLError(f"{what} report {path} lacks {', '.join(missing)}")
    return report


def load_snr_sweep(path: str | Path | None = None) -> dict:
    """The SNR sweep report (default :data:`SNR_SWEEP_REPORT`)."""
    return load_json_report(path or SNR_SWEEP_REPORT, keys=("conditions", "models", "clips"),
                            what="SNR sweep")


#: The single Essen collection the protocols are compared on: 106 files, 87 songs kept, of
#: which the first 58 give about 15,000 windows of 64 steps (the paper: about 25,000).
PROTOCOL_COLLECTION = "dva"
PROTOCOL_DEFAULTS = {"songs": 58, "window": 64, "units": 128, "epochs": 30, "batch_size": 64,
                     "learning_rate": 2e-3, "minutes": 12.0, "seed": 0}
#: Windows scored after every epoch for the learning curves (a sample of each side).
CURVE_WINDOWS = 1500


def protocol_songs(data: str | None = None, *, collection: str = PROTOCOL_COLLECTION,
                   songs: int = PROTOCOL_DEFAULTS["songs"]) -> tuple[list, str]:
    """The first *songs* songs of one Essen collection that pass preprocessing, and a description.

    Parameters
    ----------
    data : str, optional
        A folder of songs; default: the collection's folder in the kern dataset
        (``essen-deutschl/<collection>``).
    """
    from audioml.melody.corpus import load_corpus
    from audioml.paths import find_data

    if data is None:
        root = find_data("kern")
        folder = root / "essen-deutschl" / collection
        if not folder.is_dir():
            found = sorted(p.name for p in (root / "essen-deutschl").iterdir() if p.is_dir()) \
                if (root / "essen-deutschl").is_dir() else []
            raise AudioMLError(f"no collection {collection!r} in {root / 'essen-deutschl'}; choose one "
                               f"of {', '.join(found) or 'none found'}")
        data = str(folder)
    corpus = load_corpus(data)
    if len(corpus.songs) < 2:
        raise AudioMLError(f"need at least 2 songs; {data} gave {len(corpus.songs)}")
    chosen = corpus.songs[:songs]
    text = (f"the first {len(chosen)} of the {len(corpus.songs)} songs kept from "
            f"{Path(corpus.source).name} ({corpus.counts['songs_read']} read), in file order")
    return chosen, text


def run_protocols(songs: list, *, description: str = "", window: int = PROTOCOL_DEFAULTS["window"],
                  units: int = PROTOCOL_DEFAULTS["units"], epochs: int = PROTOCOL_DEFAULTS["epochs"],
                  batch_size: int = PROTOCOL_DEFAULTS["batch_size"],
                  learning_rate: float = PROTOCOL_DEFAULTS["learning_rate"],
                  minutes: float | None = PROTOCOL_DEFAULTS["minutes"], seed: int = 0,
                  protocols=None, progress: ProgressFn = no_progress) -> dict:
    """Train one LSTM per protocol on the same windows of *songs*; score each on its test windows.

    Parameters
    ----------
    songs : list of Melody
    window, units, epochs, batch_size, learning_rate
        The windows and the network (:mod:`audioml.melody.protocols`), the same for both.
    minutes : float, optional
        Training time limit per protocol (stops after the epoch that passes it).
    protocols : sequence of str, optional
        Default both, ``("random-windows", "song-split")``.

    Returns
    -------
    dict
        ``{"songs", "windows", "window", "config", "data", "published_accuracy", "created",
        "protocols": {name: {"split", "train_windows", "test_windows", "test_songs",
        "leakage", "test", "train", "history"}}}``; ``test`` and ``train`` hold
        :func:`audioml.melody.protocols.evaluate_windows`'s figures.
    """
    from audioml.melody import protocols as pr

    chosen = list(protocols or pr.PROTOCOLS)
    bad = [p for p in chosen if p not in pr.PROTOCOLS]
    if bad:
        raise AudioMLError(f"unknown protocol {bad[0]!r}; choose one of {', '.join(pr.PROTOCOLS)}")
    windows = pr.make_windows(songs, window=window)
    config = {"units": units, "window": window, "epochs": epochs, "batch_size": batch_size,
              "learning_rate": learning_rate, "symbol_dim": 48, "dropout": 0.2,
              "time_limit_minutes": minutes, "seed": seed}
    report = {"songs": len(songs), "windows": len(windows), "window": window, "config": config,
              "data": description, "published_accuracy": PUBLISHED_ACCURACY,
              "vocabulary": len(windows.vocab), "protocols": {}}
    splits = {"random-windows": ("the windows, 80/20 at random (the paper)", pr.split_random),
              "song-split": ("whole songs, 80/20 at random (ours)", pr.split_by_song)}
    for k, name in enumerate(chosen):
        text, split = splits[name]
        train, test = split(windows, seed=seed)
        leak = pr.leakage(windows, train, test)

        def step(done, total, message, k=k, name=name):
            progress(k * epochs + done, len(chosen) * epochs, f"{name}: {message}")

        sample = np.sort(np.random.default_rng(seed).permutation(train)[:len(test)])
        curve = np.random.default_rng(seed + 1)
        track = {"train_curve": np.sort(curve.permutation(sample)[:CURVE_WINDOWS]),
                 "test_curve": np.sort(curve.permutation(test)[:CURVE_WINDOWS])}
        net, history = pr.train_windows(windows, train, units=units, epochs=epochs,
                                        batch_size=batch_size, learning_rate=learning_rate,
                                        seed=seed, time_limit_s=None if minutes is None else minutes * 60,
                                        track=track, progress=step)
        report["protocols"][name] = {
            "split": text, "train_windows": int(len(train)), "test_windows": int(len(test)),
            "test_songs": int(len(np.unique(windows.song[test]))), "leakage": leak,
            "test": _rounded(pr.evaluate_windows(net, windows, test)),
            "train": _rounded(pr.evaluate_windows(net, windows, sample)),
            "history": {"epochs_run": history["epochs_run"],
                        "training_time_s": history["training_time_s"],
                        "loss": [round(v, 4) for v in history["loss"]],
                        "accuracy": [round(v, 4) for v in history["accuracy"]],
                        "train_accuracy": [round(v, 4) for v in history["train_curve"]],
                        "test_accuracy": [round(v, 4) for v in history["test_curve"]],
                        "curve_windows": CURVE_WINDOWS},
            "param_count": int(net.count_params())}
    report["created"] = _now()
    return report


def _rounded(figures: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}


def add_longer_run(report: dict, longer: dict) -> dict:
    """Put the protocols of another, longer run (*longer*, a :func:`run_protocols` report on the
    same songs and windows) into *report* as ``longer_runs``: ``{"<protocol>, <E> epochs": {...}}``."""
    if longer.get("windows") != report.get("windows") or longer.get("songs") != report.get("songs"):
        raise AudioMLError("the longer run used other songs or windows; run it on the same ones")
    runs = report.setdefault("longer_runs", {})
    for name, p in longer.get("protocols", {}).items():
        runs[f"{name}, {p['history']['epochs_run']} epochs"] = {**p, "config": longer.get("config")}
    return report


def protocol_rows(report: dict) -> list[dict]:
    """The protocols of a report as table rows: split, windows, leakage and accuracies
    (a longer run of a protocol, when the report holds one, as a row of its own)."""
    rows = []
    runs = {**report.get("protocols", {}), **report.get("longer_runs", {})}
    for name, p in runs.items():
        # The accuracies compared and the leak that explains them first, the counts after.
        rows.append({"protocol": name, "split": p["split"],
                     "test accuracy (musical steps)": p["test"]["accuracy"],
                     "training accuracy (musical steps)": p["train"]["accuracy"],
                     "test answers inside training windows": p["leakage"]["target_in_training_inputs"],
                     "test accuracy (all steps, with delimiters)": p["test"]["accuracy_all"],
                     "always-hold accuracy": p["test"]["always_hold"],
                     "test onset accuracy": p["test"]["onset_accuracy"],
                     "test windows": p["test_windows"], "test songs": p["test_songs"],
                     "epochs": p["history"]["epochs_run"]})
    return rows


def protocol_sentence(report: dict) -> str:
    """Why the two protocols' accuracies differ, with the report's figures."""
    ps = report.get("protocols", {})
    rnd, song = ps.get("random-windows"), ps.get("song-split")
    if not rnd or not song:
        return "Both protocols are needed for the comparison; run `audioml experiment melody-protocols`."
    target = report.get("published_accuracy", PUBLISHED_ACCURACY)
    text = [f"On the same {report['songs']} songs and the same network, splitting the "
            f"{report['windows']:,} windows at random (the paper's protocol) gives a test accuracy of "
            f"{rnd['test']['accuracy']:.3f} ({rnd['test']['accuracy_all']:.3f} counting the delimiters "
            f"between songs, as a Keras accuracy on the paper's sequences would); holding whole songs "
            f"out gives {song['test']['accuracy']:.3f} ({song['test']['accuracy_all']:.3f}). "
            f"The published figure is {target:g}.",
            f"Consecutive windows share all but one step, so under the random split "
            f"{rnd['leakage']['target_in_training_inputs']:.0%} of the test answers sit, in their own "
            f"context, inside a training window; under the song split "
            f"{song['leakage']['target_in_training_inputs']:.0%} do."]
    gap_rnd = rnd["train"]["accuracy"] - rnd["test"]["accuracy"]
    gap_song = song["train"]["accuracy"] - song["test"]["accuracy"]
    text.append(f"Training accuracy minus test accuracy: {gap_rnd:+.3f} under the random split, "
                f"{gap_song:+.3f} with songs held out; the random split's test windows are the "
                f"training songs again, so the more the network learns its songs by heart, the higher "
                f"that test score climbs, while on songs it never heard it "
                + ("falls below always guessing a hold "
                   f"({song['test']['always_hold']:.3f})." if song['test']['accuracy'] < song['test']['always_hold']
                   else f"stays {song['test']['accuracy'] - song['test']['always_hold']:+.3f} from "
                        f"always guessing a hold ({song['test']['always_hold']:.3f})."))
    low, high = published.span("table3", "units")
    for name, p in report.get("longer_runs", {}).items():
        text.append(f"Trained longer ({name}), the network knows its training windows almost by heart "
                    f"(training accuracy {p['train']['accuracy']:.3f}) and the random split's test "
                    f"accuracy reaches {p['test']['accuracy']:.3f} ({p['test']['accuracy_all']:.3f} with "
                    f"the delimiters): still under {target:g} (the paper's networks had {low} to "
                    f"{high} units, ours {(p.get('config') or {}).get('units', '?')}).")
    return " ".join(text)


def load_protocols(path: str | Path | None = None) -> dict:
    """The melody protocols report (default :data:`PROTOCOLS_REPORT`)."""
    return load_json_report(path or PROTOCOLS_REPORT, keys=("protocols", "songs", "windows"),
                            what="melody protocols")
