"""Every figure the README quotes, read from the model card or report that holds it.

Each entry of :data:`FIGURES` is one piece of README text with ``{}`` fields, where its figures
come from, and a function that reads them at test time; the text filled in with those figures
must appear in the README (whitespace aside: prose wraps anywhere). A figure that drifts from its
card or report, or a README that rewrites the sentence, fails here with the expected text. The
tables in :data:`TABLES` are checked whole: each of their rows must be one of the filled-in texts,
so a row added without a source fails too.

The settings quoted beside the figures (frame sizes, layers, epochs, limits) are checked too, from
the card or the code that holds them. Not checked, because no file stores them: the benchmark
table's timings and memory (``make bench`` measures them on the build machine; the README's are
typed from its output) and the targets (the project's goals, as ``bench/denoise.py`` states them).
JSON and constants only: no model is loaded, nothing is trained.

To find where a README figure comes from, search this file for the words around it.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from dataclasses import dataclass
from typing import Callable

import pytest

from audioml.audio import MAX_BYTES, MAX_SECONDS
from audioml.denoising.denoisers import HIGH_BAND_HZ, REFERENCE_BAND_HZ
from audioml.denoising.masknet import receptive_field
from audioml.experiments import compare
from audioml.experiments.published import (TABLE1_EPOCHS, TABLE1_FIXED, TABLE2_RANGES, TABLE3_RANGES,
                                           span as published_span)
from audioml.registry import list_cards
from tests.support.readme_figures import (ROOT, card, dashed, fsdd, metric, readme, realworld, report,
                                          signed, stats, table_rows)


@dataclass(frozen=True)
class Figure:
    """README *text* with ``{}`` fields, filled by *values()*, read from *source*; *holds*, when
    given, is what else the source must say for the text to be true (a card's split, say)."""

    text: str
    source: str
    values: Callable[[], tuple] = tuple
    holds: Callable[[], bool] | None = None

    def expected(self) -> str:
        return self.text.format(*self.values())


def problem(figure: Figure, readme_text: str) -> str | None:
    """Why *readme_text* misquotes *figure*, or ``None`` when it quotes it as its source has it."""
    if figure.holds is not None and not figure.holds():
        return f"{figure.source} no longer supports the README's text:\n  {figure.text}"
    expected = figure.expected()
    if " ".join(expected.split()) not in readme_text:
        return f"The README should say, from {figure.source}:\n  {expected}"
    return None


def _pct(x: float) -> str:
    return f"{x:.0%}"


# --- denoising: the real-world benchmark -------------------------------------------------------

RW = "reports/denoise_realworld.json methods.<name>.<sentence|digit> (‡: cards.<name>.heard_digit_speaker)"
#: The real-world table's columns: (mixtures, key, format, best is the largest?).
RW_COLUMNS = (("sentence", "pesq_nb", "{:.2f}", True), ("sentence", "pesq_wb", "{:.2f}", True),
              ("sentence", "si_sdr_gain", lambda x: signed(x, 1, " dB"), True),
              ("digit", "pesq_nb", "{:.2f}", True),
              ("digit", "si_sdr_gain", lambda x: signed(x, 1, " dB"), True),
              ("sentence", "rtf", "{:.3f}", False))
RW_METHODS = ("noisereduce", "masknet_denoiser", "rnnoise", "deepfilternet3", "dcae_denoiser",
              "vae_denoiser")


def _realworld_cells(method: str) -> tuple[str, ...]:
    """One method's cells of the real-world table, bold where it is the column's best (among
    the denoisers; the noisy input is the reference, not a contender), ‡ on the digit cells of
    a model that trained on the digit speaker's voice."""
    cells = []
    for kind, key, fmt, largest in RW_COLUMNS:
        value = realworld(method, kind, key)
        pick = max if largest else min
        text = fmt(value) if callable(fmt) else fmt.format(value)
        if value == pick(realworld(m, kind, key) for m in RW_METHODS):
            text = f"**{text}**"
        if kind == "digit" and _trained_on_theo(method):
            text += " ‡"
        cells.append(text)
    return tuple(cells)


def _trained_on_theo(method: str) -> bool:
    """Whether *method* heard theo, the real-world digits' speaker, in training: the benchmark
    report's flag, which it takes from the model's card (a random split over every speaker)."""
    if method == "noisereduce":   # no model, no card: spectral gating learns nothing
        return False
    heard = report("denoise_realworld")["cards"][method]["heard_digit_speaker"]
    assert heard == (card(method).get("split_kind") == "random"), method
    return heard


def _trained_cell(method: str) -> str:
    """The "trained" column, from the card: where, and whether theo was among the voices."""
    c = card(method)
    if c.get("trained_here") is False:
        return "elsewhere"
    if c.get("split_kind") == "speaker" and c.get("test_speaker") == "theo":
        return "here, theo held out"
    assert c.get("split_kind") == "random", c.get("split")
    return "here, theo included"


def _realworld_row(label: str, method: str) -> Figure:
    return Figure(f"| {label} | {{}} | {{}} | {{}} | {{}} | {{}} | {{}} | {{}} |",
                  f"{RW}; trained: models/{method}.json split_kind, test_speaker, trained_here",
                  lambda: (_trained_cell(method), *_realworld_cells(method)))


def _noisy_rw() -> tuple:
    n = report("denoise_realworld")["methods"]["noisy"]
    return (f"{n['sentence']['pesq_nb']:.2f}", f"{n['sentence']['pesq_wb']:.2f}",
            signed(n["sentence"]["si_sdr_gain"], 1), f"{n['digit']['pesq_nb']:.2f}",
            signed(n["digit"]["si_sdr_gain"], 1))


def _lowered_wb() -> tuple:
    """Sentence mixtures where the mask net's PESQ-wb is below the noisy input's, and by how much."""
    per = report("denoise_realworld")["per_mixture"]
    noisy = {r["mixture"]: r["pesq_wb"] for r in per["noisy"] if r["kind"] == "sentence"}
    ours = [r for r in per["masknet_denoiser"] if r["kind"] == "sentence"]
    drops = [noisy[r["mixture"]] - r["pesq_wb"] for r in ours if r["pesq_wb"] < noisy[r["mixture"]]]
    return len(drops), len(ours), f"{max(drops):.2f}"


def _conditions() -> dict:
    return report("denoise_realworld")["conditions"]


DENOISE_REALWORLD = [
    Figure("the {} read sentences ({:g} kHz) and {} digits of speaker theo ({:g} kHz), each mixed "
           "with the held-out part of {} real noise recordings", "reports/denoise_realworld.json conditions",
           lambda: (_conditions()["counts"]["clips"]["sentence"],
                    _conditions()["sample_rates"]["sentence"][0] / 1000,
                    _conditions()["counts"]["clips"]["digit"],
                    _conditions()["sample_rates"]["digit"][0] / 1000, len(_conditions()["noises"])),
           holds=lambda: "speaker theo" in _conditions()["digits"]),
    Figure("at {}, {} and {} dB, dry and in {} measured rooms: {} mixtures, seed {}",
           "reports/denoise_realworld.json conditions",
           lambda: (*(f"{s:g}" for s in _conditions()["snrs_db"]), len(_conditions()["rirs"]),
                    _conditions()["counts"]["mixtures"], _conditions()["seed"])),
    Figure("PESQ cannot score {} of the {} digit mixtures", RW + ".pesq_nb_failures, .n",
           lambda: (realworld("noisy", "digit", "pesq_nb_failures"), realworld("noisy", "digit", "n"))),
    Figure("| noisy input | – | {} | {} | {} | {} | {} | – |", RW.replace("<name>", "noisy"), _noisy_rw),
    Figure("| noisereduce | – | {} | {} | {} | {} | {} | {} |", RW.replace("<name>", "noisereduce"),
           lambda: _realworld_cells("noisereduce")),
    _realworld_row("masknet_denoiser (ours)", "masknet_denoiser"),
    _realworld_row("RNNoise", "rnnoise"),
    _realworld_row("DeepFilterNet3", "deepfilternet3"),
    _realworld_row("dcae_denoiser (paper)", "dcae_denoiser"),
    _realworld_row("vae_denoiser (paper)", "vae_denoiser"),
    Figure("on digits our mask net beats both peers ({:.2f} against RNNoise's {:.2f}; target RNNoise − 0.1)",
           RW + ".pesq_nb", lambda: (realworld("masknet_denoiser", "digit", "pesq_nb"),
                                     realworld("rnnoise", "digit", "pesq_nb"))),
    Figure("on sentences it reaches the noisy input + {:.2f} (target + 0.4) and raises PESQ-wb from "
           "{:.2f} to {:.2f} on average", RW + ".pesq_nb, .pesq_wb",
           lambda: (realworld("masknet_denoiser", "sentence", "pesq_nb")
                    - realworld("noisy", "sentence", "pesq_nb"),
                    realworld("noisy", "sentence", "pesq_wb"),
                    realworld("masknet_denoiser", "sentence", "pesq_wb"))),
    Figure("(it lowers it on {} of the {} sentence mixtures, by at most {})",
           "reports/denoise_realworld.json per_mixture, noisy against masknet_denoiser", _lowered_wb),
    Figure("it has the best PESQ-wb on real sentences, {:.2f}, {:.2f} above the noisy input",
           RW + ".pesq_wb", lambda: (realworld("deepfilternet3", "sentence", "pesq_wb"),
                                     realworld("deepfilternet3", "sentence", "pesq_wb")
                                     - realworld("noisy", "sentence", "pesq_wb"))),
]


#: How the README names a model in prose.
PROSE_NAMES = {"deepfilternet3": "DeepFilterNet3", "rnnoise": "RNNoise", "masknet_denoiser": "the mask net",
               "dcae_denoiser": "the DCAE", "vae_denoiser": "the VAE"}


def _recommended() -> tuple:
    """The model the denoise page offers for uploads: the shipped one with the best PESQ-wb on
    the benchmark's sentences (the rule of ``ui.denoise.recommended_model``)."""
    shipped = {c["name"] for c in list_cards("denoise")}
    best = max((m for m in RW_METHODS if m in shipped), key=lambda m: realworld(m, "sentence", "pesq_wb"))
    return (PROSE_NAMES[best],)


DENOISE_REALWORLD.append(Figure("The page recommends {} for uploads", RW + ".pesq_wb, the best on sentences",
                                _recommended))


# --- denoising: FSDD ---------------------------------------------------------------------------

def _fsdd_row(condition: str, method: str) -> tuple:
    return (signed(fsdd(condition, method, "si_sdr_improvement_db"), 2, " dB"),
            f"{fsdd(condition, method, 'pesq_nb'):.2f}", f"{fsdd(condition, method, 'spectrogram_mse'):.3f}")


def _paper_row(method: str) -> tuple:
    return (signed(fsdd("random_10db_white", method, "si_sdr_improvement_db"), 1, " dB"),
            f"{fsdd('random_10db_white', method, 'pesq_nb'):.2f}",
            f"{fsdd('random_10db_white', method, 'spectrogram_mse'):.4f}")


def _split_cell(method: str) -> str:
    c = card(method)
    if c["split_kind"] == "speaker":
        return f"4 speakers, {c['test_speaker']} held out"
    assert c["split"] == "random 80/20 over all recordings, seed 0", c["split"]
    return "random 80/20, seed 0"


FSDD_CONDITIONS = ("speaker_5db_white", "speaker_5db_pink", "random_10db_white")
SPK = "reports/denoise_speaker_5db_<white|pink>.json methods.<name>"
PAPER = "reports/denoise_random_10db_white.json methods.<name>"
DENOISE_FSDD = [
    Figure("**On FSDD** ({} test clips per condition;", "reports/denoise_*.json clips, split, test_speaker",
           lambda: ({report(f"denoise_{c}")["clips"] for c in FSDD_CONDITIONS}.pop(),),
           holds=lambda: len({report(f"denoise_{c}")["clips"] for c in FSDD_CONDITIONS}) == 1
           and all(report(f"denoise_{c}")["test_speaker"] == "theo" for c in FSDD_CONDITIONS[:2])
           and report("denoise_random_10db_white")["split"] == "random"),
    Figure("| noisy input | – | theo held out, white 5 dB | {} | {:.2f} | {:.3f} |", SPK,
           lambda: (signed(fsdd("speaker_5db_white", "noisy", "si_sdr_improvement_db"), 2),
                    fsdd("speaker_5db_white", "noisy", "pesq_nb"),
                    fsdd("speaker_5db_white", "noisy", "spectrogram_mse"))),
    Figure("| masknet_denoiser (ours) | {} | theo held out, white 5 dB | {} (target +7) | {} (target 2.8) | "
           "{} |",
           SPK + "; split: models/masknet_denoiser.json",
           lambda: (_split_cell("masknet_denoiser"), *_fsdd_row("speaker_5db_white", "masknet_denoiser"))),
    Figure("| noisereduce (spectral gating) | – | theo held out, white 5 dB | {} | {} | {} |", SPK,
           lambda: _fsdd_row("speaker_5db_white", "noisereduce")),
    Figure("| masknet_denoiser | {} | theo held out, pink 5 dB | {} | {} | {} |", SPK,
           lambda: (_split_cell("masknet_denoiser"), *_fsdd_row("speaker_5db_pink", "masknet_denoiser"))),
    Figure("| noisereduce | – | theo held out, pink 5 dB | {} | {} | {} |", SPK,
           lambda: _fsdd_row("speaker_5db_pink", "noisereduce")),
    Figure("| vae_denoiser (paper) | {} | random split, white 10 dB | {} | {} | {} (target ≤ {:.4f}; noisy "
           "{:.3f}) |",
           PAPER + "; target: reports/denoise_snr_sweep.json published_mse",
           lambda: (_split_cell("vae_denoiser"), *_paper_row("vae_denoiser"),
                    report("denoise_snr_sweep")["published_mse"],
                    fsdd("random_10db_white", "noisy", "spectrogram_mse"))),
    Figure("| dcae_denoiser (paper) | {} | random split, white 10 dB | {} | {} | {} |", PAPER,
           lambda: (_split_cell("dcae_denoiser"), *_paper_row("dcae_denoiser"))),
    Figure("| oracle that knows the clean clip | – | random split, white 10 dB | – | – | {:.4f} |",
           "reports/denoise_random_10db_white.json references.clean_neighbour_oracle_mse",
           lambda: (report("denoise_random_10db_white")["references"]["clean_neighbour_oracle_mse"],)),
    Figure("With Griffin–Lim instead of the noisy phase ({} clips, white 5 dB) PESQ-nb is {:.2f} for the "
           "mask net, {:.2f} for the VAE and {:.2f} for the DCAE (noisy input {:.2f})",
           "reports/denoise_speaker_5db_white_griffinlim.json",
           lambda: (report("denoise_speaker_5db_white_griffinlim")["clips"],
                    *(fsdd("speaker_5db_white_griffinlim", m, "pesq_nb")
                      for m in ("masknet_denoiser", "vae_denoiser", "dcae_denoiser", "noisy")))),
    Figure("**PESQ-nb 2.8 on theo at white 5 dB** ({:.2f}; {:.2f} on pink)", SPK + ".pesq_nb",
           lambda: (fsdd("speaker_5db_white", "masknet_denoiser", "pesq_nb"),
                    fsdd("speaker_5db_pink", "masknet_denoiser", "pesq_nb"))),
    Figure("*in the clean image itself* scores {:.4f}.",
           "reports/denoise_random_10db_white.json references.clean_neighbour_oracle_mse",
           lambda: (report("denoise_random_10db_white")["references"]["clean_neighbour_oracle_mse"],)),
]


# --- denoising: what the models are, from their cards -------------------------------------------

def _paper_config() -> tuple:
    configs = [card(n)["config"] for n in ("dcae_denoiser", "vae_denoiser")]
    keys = ("n_fft", "hop_length", "duration_s", "filters", "kernels", "strides", "latent_dim", "sr")
    assert all(c[k] == configs[0][k] for c in configs for k in keys), "the DCAE and VAE differ"
    c = configs[0]
    assert len(set(c["kernels"])) == 1 and len(set(c["strides"])) == 1
    return (c["n_fft"], c["hop_length"], f"{c['duration_s']:g}", len(c["filters"]), *c["filters"],
            c["kernels"][0], c["strides"][0], c["latent_dim"],
            f"{card('vae_denoiser')['config']['alpha']:,.0f}",
            f"{c['sr'] / 1000:g}", f"{c['sr'] / 2000:g}")


def _masknet() -> dict:
    return card("masknet_denoiser")


DENOISE_MODELS = [
    Figure("Only the mask net was trained on four speakers of FSDD with theo held out",
           "models/masknet_denoiser.json description, split_kind, test_speaker",
           holds=lambda: "four FSDD speakers (theo held out)" in _masknet()["description"]
           and _masknet()["split_kind"] == "speaker" and _masknet()["test_speaker"] == "theo"),
    Figure("The DCAE and the VAE were trained, as the paper's, on a random 80/20 split over all "
           "recordings (seed 0): theo's voice is in their training set",
           "models/dcae_denoiser.json, models/vae_denoiser.json split, split_kind",
           holds=lambda: all(card(n)["split"] == "random 80/20 over all recordings, seed 0"
                             and card(n)["split_kind"] == "random"
                             for n in ("dcae_denoiser", "vae_denoiser"))),
    Figure("STFT with frame {} and hop {} over a fixed {} s; dB magnitude scaled to [0, 1]. The DCAE and "
           "the VAE ({} conv layers of {} and {} filters, kernel {}, stride {}, latent {}, loss α·MSE + KL "
           "with α = {}) are built from the same conv-block builder as the latent-space models. They "
           "hear at {} kHz and give back the band below {} kHz.",
           "models/dcae_denoiser.json, models/vae_denoiser.json config", _paper_config),
    Figure("{} dilated residual 1-D conv blocks over the noisy magnitude (STFT {}/{} at {:g} kHz, {:.0f} s "
           "of context)", "models/masknet_denoiser.json config; its receptive field "
           "(audioml.denoising.masknet.receptive_field)",
           lambda: (len(_masknet()["config"]["dilations"]), _masknet()["config"]["n_fft"],
                    _masknet()["config"]["hop_length"], _masknet()["config"]["sr"] / 1000,
                    receptive_field(kernel=_masknet()["config"]["kernel"],
                                    dilations=_masknet()["config"]["dilations"])
                    * _masknet()["config"]["hop_length"] / _masknet()["config"]["sr"])),
    Figure("(above {:g} kHz each frame keeps the gain of its {:g}–{:g} kHz band)",
           "audioml.denoising.denoisers HIGH_BAND_HZ, REFERENCE_BAND_HZ",
           lambda: (HIGH_BAND_HZ / 1000, *(f / 1000 for f in REFERENCE_BAND_HZ))),
    Figure("Trained in {} stages (on the card, with each command): four on white, pink and brown noise "
           "and hum at {} to {:g} dB, the later ones with speed changes (at last ×{:g} to ×{:g})",
           "models/masknet_denoiser.json stages, config.snr_range_db, config.speed_perturb",
           lambda: (["one", "two", "three", "four", "five", "six", "seven"][len(_masknet()["stages"]) - 1],
                    signed(_masknet()["config"]["snr_range_db"][0], 0).lstrip("+"),
                    _masknet()["config"]["snr_range_db"][1], *_masknet()["config"]["speed_perturb"])),
    Figure("band limits and {} espeak-ng clips of random voices",
           "models/masknet_denoiser.json config.synthetic_voices",
           lambda: (_masknet()["config"]["synthetic_voices"],)),
    Figure("The mask is applied as `max(mask^{:g}, {:g})`",
           "models/masknet_denoiser.json config.mask_power, mask_floor",
           lambda: (_masknet()["config"]["mask_power"], _masknet()["config"]["mask_floor"])),
    Figure("{}", "models/vae_denoiser.json retrain_command",
           lambda: (card("vae_denoiser")["retrain_command"],)),
]


# --- latent spaces ----------------------------------------------------------------------------

def _latent(kind: str, key: str):
    return metric(f"latent_{kind}", key)


def _latent_row(kind: str) -> tuple:
    std = _latent(kind, "latent_std")
    return (f"{_latent(kind, 'reconstruction_mse'):.4f}", f"({std[0]:.1f}, {std[1]:.1f})",
            f"{_latent(kind, 'kl_to_prior'):.{1 if kind == 'dcae' else 2}f}",
            _pct(_latent(kind, "codes_in_prior_95")), _pct(_latent(kind, "sample_digit_rate")),
            f"{_latent(kind, 'sample_effective_digits'):.1f}")


def _attempt_by(flags: str) -> dict:
    """The one run of ``reports/latent_vae_attempts.json`` whose command holds every flag."""
    runs = [r for r in report("latent_vae_attempts")["runs"]
            if all(f" {flag} " in r["command"] + " " for flag in flags.split(", "))]
    assert len(runs) == 1, f"{len(runs)} runs match {flags!r}"
    return runs[0]


def _attempts(*flag_sets: str) -> list[dict]:
    return [_attempt_by(f) for f in flag_sets]


def _rates(runs: list[dict]) -> list[str]:
    return [_pct(r["sample_digit_rate"]) for r in runs]


def _effective(runs: list[dict]) -> list[str]:
    return [f"{r['sample_effective_digits']:.1f}" for r in runs]


def _mse_span(runs: list[dict], fmt: str) -> str:
    values = [r["reconstruction_mse"] for r in runs]
    low, high = fmt.format(min(values)), fmt.format(max(values))
    return low if low == high else f"{low}–{high}"


#: The README's recipes table: (row text, the flags that pick each run it quotes, MSE format).
E25 = "--epochs 25, --no-lr-decay, --decoder-dense 0, --filters 32 64, --no-augment"
E160 = "--epochs 160, --loss bce, --no-augment, --filters 32 64"
ATTEMPT_ROWS = [
    ("α = 1000 on MSE, 25 epochs (the previous shipped VAE) | {} | {} | {} |",
     [f"{E25}, --alpha 1000, --loss mse"], "{:.4f}"),
    ("cross-entropy (α = 784), 25 epochs; with α = 300 or 2000 | {}; {}, {} | {}; {}, {} | {} |",
     [f"{E25}, --alpha {a}, --loss bce, --kl-warmup 0" for a in (784, 300, 2000)], "{:.4f}"),
    ("+ KL warm-up over 5 epochs / + dense layer of 128 / + shifts and rotations | {} / {} / {} | {} / {} / "
     "{} | {} |",
     ["--epochs 25, --alpha 784, --kl-warmup 5, --decoder-dense 0, --no-augment",
      "--epochs 25, --alpha 784, --kl-warmup 5, --decoder-dense 128",
      "--epochs 25, --alpha 784, --kl-warmup 5, --augment"], "{:.3f}"),
    ("MSE (α = 1000), 80 epochs; cross-entropy, 80 / 160 / 220 epochs | {}; {} / {} / {} | {}; {} / {} / {} "
     "| {} |",
     ["--epochs 80, --loss mse", "--epochs 80, --loss bce",
      f"{E160}, --alpha 784, --kl-warmup 0, --decoder-dense 0, --no-lr-decay",
      "--epochs 220, --no-lr-decay"], "{:.3f}"),
    ("cross-entropy, 160 epochs: α = 1500 / 3000 / KL warm-up over 10 epochs | {} / {} / {} | {} / {} / {} "
     "| {} |",
     [f"{E160}, --alpha 1500, --decoder-dense 0, --no-lr-decay", f"{E160}, --alpha 3000",
      f"{E160}, --kl-warmup 10"], "{:.3f}"),
    ("the same with the 32-unit dense layer, α = 784 / 1500 | {} / {} | {} / {} | {} |",
     [f"{E160}, --alpha 784, --decoder-dense 32, --no-lr-decay",
      f"{E160}, --alpha 1500, --decoder-dense 32, --no-lr-decay"], "{:.3f}"),
    ("cross-entropy, decaying learning rate: 160 / 220 epochs / α = 1500 / filters 48/96 | {} / {} / {} / "
     "{} | {} / {} / {} / {} | {} |",
     [f"{E160}, --alpha 784, --decoder-dense 0, --lr-decay", "--epochs 220, --lr-decay",
      f"{E160}, --alpha 1500, --lr-decay", "--filters 48 96"], "{:.3f}"),
]


def _attempt_figure(text: str, flags: list[str], mse_fmt: str) -> Figure:
    def values() -> tuple:
        runs = _attempts(*flags)
        rates = _rates(runs)
        if "filters 48/96" in text:
            # 0.745 exactly (1,490 of 2,000 draws): a half that a whole percent would round away.
            rates[-1] = f"{runs[-1]['sample_digit_rate']:.1%}"
        return (*rates, *_effective(runs), _mse_span(runs, mse_fmt))
    return Figure("| " + text, "reports/latent_vae_attempts.json runs (matched by their command's flags)",
                  values)


def _digits(kind: str, most: bool, n: int) -> tuple:
    """The *n* most (or least) common digits among a latent model's judged samples, as
    ``"1s"``; a digit never drawn does not count as a rare one."""
    counts = _latent(kind, "sample_digit_counts")
    order = sorted((d for d in range(10) if counts[d]), key=lambda d: -counts[d] if most else counts[d])
    return tuple(f"{d}s" for d in order[:n])


def _shipped_run() -> dict:
    runs = [r for r in report("latent_vae_attempts")["runs"]
            if r["command"].endswith(card("latent_vae")["retrain_command"].split("--model vae ")[1])]
    assert len(runs) == 1
    return runs[0]


def _alpha(key: str, reduce=lambda v: v) -> tuple:
    return tuple(reduce(r[key]) for r in report("latent_alpha_study")["results"])


def _more_draws(model: str) -> tuple:
    rate, effective = report("latent_vae_attempts")["more_draws"][model]["n20000"]
    return f"{rate:.1%}", f"{effective:.1f}"


def _draw_spread() -> tuple:
    """How far the shipped VAE's digit rate moves over four sets of 2,000 draws, in points."""
    rates = [r for r, _ in report("latent_vae_attempts")["more_draws"]["vae_shipped"]["seeds_0_3"]]
    mean = statistics.fmean(rates)
    return round(100 * max(abs(r - mean) for r in rates)), _latent("vae", "n_samples")


LATENT = [
    Figure("Trained on {:,} of the {:,} MNIST test images, figures on the {:,} held out (seed 0); both "
           "models use filters {}/{}, kernel {}, stride {} and a {}-D code.",
           "models/latent_*.json split, metrics.n_heldout, config",
           lambda: (int(card("latent_vae")["split"].split(" training")[0]),
                    int(card("latent_vae")["data"].split("MNIST test set (")[1].split(" images")[0]
                        .replace(",", "")),
                    _latent("vae", "n_heldout"), *card("latent_vae")["config"]["filters"],
                    card("latent_vae")["config"]["kernels"][0], card("latent_vae")["config"]["strides"][0],
                    card("latent_vae")["config"]["latent_dim"]),
           holds=lambda: all(card(f"latent_{k}")["config"][key] == card("latent_vae")["config"][key]
                             for k in ("dcae", "vae") for key in ("filters", "kernels", "strides",
                                                                  "latent_dim"))),
    Figure("\"not a digit\" class; {:.1%} held-out accuracy, rejects {:.1%} of made-up non-digits) "
           "scores {:,} decoded draws from N(0, I).",
           "models/latent_digit_judge.json metrics; models/latent_vae.json metrics.n_samples",
           lambda: (metric("latent_digit_judge", "heldout_accuracy"),
                    metric("latent_digit_judge", "heldout_non_digit_recall"), _latent("vae", "n_samples"))),
    Figure("| latent_dcae | {} | {} | {} nats | – (a point, no posterior) | {} | {} | {} |",
           "models/latent_dcae.json metrics", lambda: _latent_row("dcae")),
    Figure("| latent_vae | {} | {} | {} nats | {:.2f} nats | {} | {} | {} (all {} seen) |",
           "models/latent_vae.json metrics (posterior_kl: the KL term per digit)",
           lambda: (*_latent_row("vae")[:3], _latent("vae", "posterior_kl"), *_latent_row("vae")[3:],
                    _latent("vae", "sample_digits_seen"))),
    Figure("The DCAE trains for {} epochs on the mean-pixel MSE.",
           "models/latent_dcae.json epochs, config.loss",
           lambda: (card("latent_dcae")["epochs"],),
           holds=lambda: card("latent_dcae")["config"]["loss"] == "mean-pixel MSE"),
    Figure("{} epochs with Adam's learning rate decaying along a cosine from 10⁻³ to 10⁻⁵, per-pixel binary "
           "cross-entropy summed over the pixels (α = {:g} on the mean) + D_KL, and a {}-unit dense layer "
           "between the code and the decoder's transposed convolutions; {:.1f} minutes on two shared CPU "
           "cores.",
           "models/latent_vae.json epochs, config, training_time_s",
           lambda: (card("latent_vae")["epochs"], card("latent_vae")["config"]["alpha"],
                    card("latent_vae")["config"]["decoder_dense"],
                    card("latent_vae")["training_time_s"] / 60),
           holds=lambda: card("latent_vae")["config"]["lr_decay"].startswith("cosine, from 0.001 to 1e-05")
           and card("latent_vae")["config"]["reconstruction_loss"] == "bce"),
    Figure("On {:,} draws (seed 100) it reaches {} digits with {} effective digits, the DCAE {} with {:.1f}.",
           "reports/latent_vae_attempts.json more_draws.*.n20000",
           lambda: (20_000, *_more_draws("vae_shipped"), _more_draws("dcae")[0],
                    report("latent_vae_attempts")["more_draws"]["dcae"]["n20000"][1]),
           holds=lambda: "20,000 with seed 100" in report("latent_vae_attempts")["more_draws"]["what"]),
    Figure("but almost all of them are {}, {} and {}.", "models/latent_dcae.json metrics.sample_digit_counts",
           lambda: _digits("dcae", True, 3)),
    Figure("The VAE's samples cover all ten digits ({} and {} are the rarest)",
           "models/latent_vae.json metrics.sample_digits_seen, sample_digit_counts",
           lambda: _digits("vae", False, 2), holds=lambda: _latent("vae", "sample_digits_seen") == 10),
    Figure("(`reports/latent_vae_attempts.json`, {} runs)", "reports/latent_vae_attempts.json runs",
           lambda: (len(report("latent_vae_attempts")["runs"]),)),
    *[_attempt_figure(text, flags, fmt) for text, flags, fmt in ATTEMPT_ROWS],
    Figure("| **decaying learning rate, 160 epochs, 32-unit dense layer (shipped)** | **{}** | **{:.1f}** | "
           "{:.4f} |",
           "reports/latent_vae_attempts.json: the run of the shipped card's retrain command",
           lambda: (_pct(_shipped_run()["sample_digit_rate"]), _shipped_run()["sample_effective_digits"],
                    _shipped_run()["reconstruction_mse"])),
    Figure("narrow (a posterior σ of {:.2f} on average)", "models/latent_vae.json metrics.posterior_std_mean",
           lambda: (statistics.fmean(_latent("vae", "posterior_std_mean")),)),
    Figure("within what another set of draws changes (±{} point at {:,} draws)",
           "reports/latent_vae_attempts.json more_draws.vae_shipped.seeds_0_3", _draw_spread),
    Figure("The held-out MSE rises slightly with long training ({:.3f} → {:.3f}): the model fits its {:,} "
           "training digits more closely.",
           "reports/latent_vae_attempts.json (the previous shipped VAE's run); models/latent_vae.json",
           lambda: (_attempt_by(f"{E25}, --alpha 1000, --loss mse")["reconstruction_mse"],
                    _latent("vae", "reconstruction_mse"), int(card("latent_vae")["split"].split(" ")[0]))),
    Figure("The α study (`reports/latent_alpha_study.json`, the plain MSE VAE for {} epochs): the spread of "
           "the means μ is {:.2f} → {:.2f} → {:.2f} → {:.2f} for α = {:g}, {:g}, {:g}, {:g}. The KL term per "
           "digit is {:.2f} → {:.2f} → {:.2f} → {:.2f} nats: at α = {:g} every q(z|x) ≈ N(0, I), so the "
           "posterior has collapsed.",
           "reports/latent_alpha_study.json epochs, results[*].latent_std (mean of z₁, z₂), posterior_kl",
           lambda: (report("latent_alpha_study")["epochs"], *_alpha("latent_std", statistics.fmean),
                    *report("latent_alpha_study")["alphas"], *_alpha("posterior_kl"),
                    min(report("latent_alpha_study")["alphas"]))),
]


# --- melody -----------------------------------------------------------------------------------

def _melody(*keys: str):
    value = report("melody_lstm")
    for key in keys:
        value = value[key]
    return value


def _prep() -> dict:
    return card("melody_lstm")["preprocessing"]


def _dropped() -> tuple:
    d = _prep()["dropped"]
    assert _prep()["songs_read"] - _prep()["songs_kept"] == sum(d.values()), "drops do not add up"
    return (d["duration outside the set"], d["meter changes"], d["no meter"], d.get("polyphony", 0),
            d.get("no key", 0))


def _val_plateau() -> tuple:
    acc = card("melody_lstm")["history"]["val_accuracy"]
    top = f"{max(acc):.3f}"
    first = next(i for i, a in enumerate(acc) if f"{a:.3f}" == top) + 1
    return top, first


def _onsets_needed() -> float:
    test = _melody("metrics", "test")
    holds = test["always_hold"]
    published = report("melody_protocols")["published_accuracy"]
    return (published - holds * test["hold_accuracy"]) / (1 - holds)


def _generation() -> tuple:
    """The card's generation figures: how the melodies were made, then the share of notes in the
    key and of endings on its tonic, in the model's key and in music21's."""
    how, m = card("melody_lstm")["generation"], card("melody_lstm")["metrics"]
    return (how["melodies"], how["steps"], how["temperature"], how["random_seeds"],
            m["in_key_share_model_key"], m["tonic_endings_model_key"],
            m["tonic_endings_without_cadence_rule_model_key"], m["in_key_share"], m["tonic_endings"],
            m["tonic_endings_without_cadence_rule"])


MT = "reports/melody_lstm.json metrics"
MELODY = [
    Figure("`melody_lstm`: one LSTM of {} units", "models/melody_lstm.json config.units",
           lambda: tuple(card("melody_lstm")["config"]["units"])),
    Figure("what sounded {}, {} and {} bars earlier", "models/melody_lstm.json config.lookback_bars",
           lambda: tuple(card("melody_lstm")["config"]["lookback_bars"])),
    Figure("Preprocessing read {:,} songs of the Essen collection's German part and kept {:,} (dropped: "
           "durations outside the paper's set {}, meter changes {}, no meter {}, polyphony {}, no key {}), "
           "transposed to {}. The `fink` collection ({} songs) is held out; the rest is split 80/20 "
           "(train {:,}, validation {}, test {}). {:.0f} minutes of training.",
           "models/melody_lstm.json preprocessing, sequences, training_time_s",
           lambda: (_prep()["songs_read"], _prep()["songs_kept"], *_dropped(), _prep()["transposed_to"],
                    card("melody_lstm")["sequences"]["heldout"], card("melody_lstm")["sequences"]["train"],
                    card("melody_lstm")["sequences"]["val"], card("melody_lstm")["sequences"]["test"],
                    card("melody_lstm")["training_time_s"] / 60),
           holds=lambda: card("melody_lstm")["split"].startswith("collection 'fink' held out")),
    Figure("| LSTM, its own training songs (every 4th) | {:.3f} | {:.3f} | {:.3f} |", MT + ".train_sample",
           lambda: tuple(_melody("metrics", "train_sample", k)
                         for k in ("accuracy", "onset_accuracy", "nll"))),
    Figure("| LSTM, test songs | {:.3f} | {:.3f} | {:.3f} |", MT + ".test",
           lambda: tuple(_melody("metrics", "test", k) for k in ("accuracy", "onset_accuracy", "nll"))),
    Figure("| LSTM, unseen collection | {:.3f} | {:.3f} | {:.3f} |", MT + ".unseen_collection",
           lambda: tuple(_melody("metrics", "unseen_collection", k)
                         for k in ("accuracy", "onset_accuracy", "nll"))),
    Figure("| 5-gram with bar position, test | {:.3f} | {:.3f} | {:.3f} |", MT + ".ngram_baseline.test",
           lambda: tuple(_melody("metrics", "ngram_baseline", "test", k)
                         for k in ("accuracy", "onset_accuracy", "nll"))),
    Figure("| 5-gram with bar position, unseen | {:.3f} | {:.3f} | {:.3f} |",
           MT + ".ngram_baseline.unseen_collection",
           lambda: tuple(_melody("metrics", "ngram_baseline", "unseen_collection", k)
                         for k in ("accuracy", "onset_accuracy", "nll"))),
    Figure("| always `_` (test / unseen) | {:.3f} / {:.3f} | 0 | – |", MT + ".*.always_hold",
           lambda: (_melody("metrics", "test", "always_hold"),
                    _melody("metrics", "unseen_collection", "always_hold"))),
    Figure("On songs it was trained on the same model scores {:.3f}", MT + ".train_sample.accuracy",
           lambda: (_melody("metrics", "train_sample", "accuracy"),)),
    Figure("(onset accuracy {:.2f} on training songs, {:.2f} on test songs); holds are right {:.0f}–{:.0f}% "
           "of the time on both.", MT + ".*.onset_accuracy, hold_accuracy",
           lambda: (_melody("metrics", "train_sample", "onset_accuracy"),
                    _melody("metrics", "test", "onset_accuracy"),
                    100 * _melody("metrics", "test", "hold_accuracy"),
                    100 * _melody("metrics", "train_sample", "hold_accuracy"))),
    Figure("With holds at {:.0%} of {:.1%} of the test targets, {:.2f} would need {:.0%} of the onsets right",
           MT + ".test (hold_accuracy, always_hold); reports/melody_protocols.json published_accuracy",
           lambda: (_melody("metrics", "test", "hold_accuracy"), _melody("metrics", "test", "always_hold"),
                    report("melody_protocols")["published_accuracy"], _onsets_needed())),
    Figure("Validation accuracy stopped at {} by epoch {}", "models/melody_lstm.json history.val_accuracy",
           _val_plateau),
    Figure("{} melodies of {} steps at temperature {:.1f} (random seeds {}): in the model's key (C major or "
           "A minor, the one the notes fit better, which the score is engraved in), {:.1%} of notes are in "
           "the "
           "key and {:.0%} end on its tonic ({:.0%} without the cadence rule that refuses a song end off the "
           "tonic); in the key music21's analysis finds among all 24, {:.1%} and {:.0%} ({:.0%}).",
           "models/melody_lstm.json generation, metrics (*_model_key: the model's key; the others: "
           "music21's)", _generation),
    Figure("The longest stretch shared with a training song is {} notes (flagged from {}).",
           "reports/melody_lstm.json metrics.generation.longest_copy_notes; models/melody_lstm_stats.json "
           "copy_flag_notes",
           lambda: (_melody("metrics", "generation", "longest_copy_notes"),
                    stats("melody_lstm")["copy_flag_notes"])),
]


# --- experiments ------------------------------------------------------------------------------

def _entry(table: str) -> dict:
    return report("experiments")["tables"][table]


def _summary(table: str) -> dict:
    return compare.summary(table, _entry(table)["trials"])


def _seeds(table: str) -> dict:
    return compare.seed_summary(_entry(table))


def _trial(table: str, **params) -> dict:
    found = [t for t in _entry(table)["trials"] if all(t["params"].get(k) == v for k, v in params.items())]
    assert len(found) == 1, params
    return found[0]


def _params_text(table: str) -> str:
    p = _summary(table)["best_params"]
    if table == "table1":
        return f"layers/latent {p['architecture']}"
    parts = [f"n {p['units']}"] if "units" in p else []
    return ", ".join(parts + [f"η {p['learning_rate']:.6f}", f"B {p['batch_size']}", f"E {p['epochs']}"])


def _experiments_row(table: str) -> tuple:
    s, seeds = _summary(table), _seeds(table)
    ours = lambda v: compare.our_figure(table, v)  # noqa: E731
    best_trial = next(t["number"] for t in _entry(table)["trials"] if t["metric"] == s["our_best"])
    return (s["our_trials"], s["all_trials"], compare.published_figure(table, s["published_best"])
            if table != "table3" else f"{s['published_best']:.3f}",
            ours(s["our_best"]), best_trial, _params_text(table),
            f"{ours(seeds['mean'])} ± {ours(seeds['sd'])} ({ours(seeds['low'])}–{ours(seeds['high'])})",
            ours(seeds["between_configs"]))


def _table1_metric(arch: str) -> float:
    return _trial("table1", architecture=arch)["metric"]


def _span_ratio(table: str) -> float:
    s = _seeds(table)
    return s["between_configs"] / (s["high"] - s["low"])


def _words(x: float) -> str:
    """*x* to the nearest whole number, in words as the README's prose writes small ones."""
    n = round(x)
    return ("zero one two three four five six seven eight nine ten".split() + [str(n)])[min(n, 11)]


def _mse4(x: float) -> str:
    return compare.our_figure("table1", x)


def _pilot_mse_span() -> str:
    values = [t["metric"] for name in ("table1", "table2")
              for t in report("experiments_pilot")["tables"][name]["trials"]]
    return dashed(min(values), max(values), "{:.3f}")


def _pilot_table1_spread() -> float:
    values = [t["metric"] for t in report("experiments_pilot")["tables"]["table1"]["trials"]]
    return max(values) - min(values)


def _pilot_scales() -> tuple:
    return tuple(f"{report('experiments_pilot')['tables'][t]['epochs_scale']:g}"
                 for t in ("table1", "table2", "table3"))


def _sweep(method: str, bold_best: bool = False) -> tuple:
    """A row of the SNR sweep table (the README leaves out 50 dB), the best level in bold."""
    values = [c["methods"][method]["spectrogram_mse"] for c in report("denoise_snr_sweep")["conditions"]
              if c["snr_db"] != 50]
    return tuple(f"**{v:.4f}**" if bold_best and v == min(values) else f"{v:.4f}" for v in values)


def _sweep_oracle() -> tuple:
    shown = {f"{c['references']['clean_neighbour_oracle_mse']:.4f}"
             for c in report("denoise_snr_sweep")["conditions"]}
    assert len(shown) == 1, f"the oracle differs between levels: {shown}"
    return tuple(shown)


def _sweep_vae() -> tuple:
    s = report("denoise_snr_sweep")["summary"]["spectrogram_mse"]["vae_denoiser"]
    return (f"{s['best_at_snr_db']:g}", s["best_mse"],
            s["best_mse"] / report("denoise_snr_sweep")["published_mse"])


def _protocol(name: str) -> tuple:
    p = report("melody_protocols")
    entry = p["protocols"].get(name) or p["longer_runs"][name]
    return (entry["test"]["accuracy"], entry["test"]["accuracy_all"], entry["train"]["accuracy"],
            _pct(entry["leakage"]["target_in_training_inputs"]))


def _table3_units() -> tuple:
    return published_span("table3", "units")


EX = "reports/experiments.json via audioml.experiments.compare.summary / seed_summary"
EXPERIMENTS = [
    Figure("| 1 · VAE architectures (test MSE) | {} of {} | {} | {} (trial {}: {}) | {} | {} |", EX,
           lambda: _experiments_row("table1")),
    Figure("| 2 · VAE η, B, E (test MSE) | {} of {} | {} | {} (trial {}: {}) | {} | {} |", EX,
           lambda: _experiments_row("table2")),
    Figure("| 3 · LSTM n, η, B, E (accuracy) | {} of {} | {} | {} (trial {}: {}) | {} | {} |", EX,
           lambda: _experiments_row("table3")),
    Figure("At the paper's scale the VAEs of Table 1 get to {} for two and three convolutional layers, "
           "about a sixth of the noisy input's {:.4f} and seven times the published {:.4f}",
           "reports/experiments.json table1 trials; reports/denoise_snr_sweep.json (10 dB noisy, "
           "published_mse)",
           lambda: (dashed(*sorted(_table1_metric(a) for a in ("2/32", "2/64", "3/32", "3/64"))[::3],
                           "{:.4f}"),
                    report("denoise_snr_sweep")["summary"]["spectrogram_mse"]["noisy"]["mse_at_10db"],
                    report("denoise_snr_sweep")["published_mse"])),
    Figure("the deepest, 4/32, is worst at {}, where the paper has it best. The chosen 3/32 trained with "
           "three more seeds gives {}: configurations span more than {} times what a new seed changes",
           EX + " (table1)",
           lambda: (_mse4(_table1_metric("4/32")), dashed(_seeds("table1")["low"], _seeds("table1")["high"],
                                                          "{:.4f}"),
                    _words(math.floor(_span_ratio("table1"))))),
    Figure("but 2/64 ({}) lies within one seed span of 3/32", EX + " (table1)",
           lambda: (_mse4(_table1_metric("2/64")),)),
    Figure("Table 2's six trials (the paper's 2/64 network, {}–{} epochs) reach {}, beside {} for the same "
           "network in Table 1 at 50 epochs", EX + " (table2, table1)",
           lambda: (min(t["params"]["epochs"] for t in _entry("table2")["trials"]),
                    max(t["params"]["epochs"] for t in _entry("table2")["trials"]),
                    dashed(min(t["metric"] for t in _entry("table2")["trials"]),
                           max(t["metric"] for t in _entry("table2")["trials"]), "{:.4f}"),
                    _mse4(_table1_metric("2/64")))),
    Figure("the best, at η = {:.6f} and {} epochs, trained with three more seeds gives {}, about {:.0%} "
           "below "
           "Table 1's 2/64", EX + " (table2)",
           lambda: (_summary("table2")["best_params"]["learning_rate"],
                    _summary("table2")["best_params"]["epochs"],
                    dashed(_seeds("table2")["low"], _seeds("table2")["high"], "{:.4f}"),
                    1 - _seeds("table2")["mean"] / _table1_metric("2/64"))),
    Figure("Its seeds span half of what the six configurations span, and two other configurations ({} each) "
           "lie within one seed span of it.", EX + " (table2 seed_summary close)",
           lambda: tuple({_mse4(t["metric"]) for t in _entry("table2")["trials"]
                          if t["number"] in _seeds("table2")["close"]}),
           holds=lambda: round(1 / _span_ratio("table2"), 1) == 0.5 and len(_seeds("table2")["close"]) == 2),
    Figure("Table 3's best is {:.3f}, just above always predicting a hold ({:.3f})",
           EX + " (table3 always_hold)",
           lambda: (_summary("table3")["our_best"], _entry("table3")["trials"][0]["always_hold"])),
    Figure("(epochs × {} / {} / {} on 400–800 training clips)", "reports/experiments_pilot.json epochs_scale",
           _pilot_scales),
    Figure("their MSEs ({}) sat near the noisy input's, and the five architectures of Table 1 within {:.4f} "
           "of each other", "reports/experiments_pilot.json trials",
           lambda: (_pilot_mse_span(), round(_pilot_table1_spread(), 4))),
    Figure("| noisy input | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
           "reports/denoise_snr_sweep.json conditions",
           lambda: _sweep("noisy")),
    Figure("| VAE | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
           "reports/denoise_snr_sweep.json conditions",
           lambda: _sweep("vae_denoiser", bold_best=True)),
    Figure("| DCAE | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
           "reports/denoise_snr_sweep.json conditions",
           lambda: _sweep("dcae_denoiser")),
    Figure("VAE is best at {} dB ({:.4f}, {:.1f} times the target)", "reports/denoise_snr_sweep.json summary",
           _sweep_vae),
    Figure("An oracle that knows the clean image scores {} at every level.",
           "reports/denoise_snr_sweep.json conditions[*].references", _sweep_oracle),
    Figure("trains the same {}-unit LSTM on the first {} kept songs of the `dva` collection ({:,} windows "
           "of {} "
           "steps)", "reports/melody_protocols.json",
           lambda: (report("melody_protocols")["config"]["units"], report("melody_protocols")["songs"],
                    report("melody_protocols")["windows"], report("melody_protocols")["window"])),
    Figure("| random windows (the paper's), {} epochs | {:.3f} | {:.3f} | {:.3f} | {} |",
           "reports/melody_protocols.json protocols.random-windows",
           lambda: (report("melody_protocols")["config"]["epochs"], *_protocol("random-windows"))),
    Figure("| whole songs held out (ours), {} epochs | {:.3f} | {:.3f} | {:.3f} | {} |",
           "reports/melody_protocols.json protocols.song-split",
           lambda: (report("melody_protocols")["config"]["epochs"], *_protocol("song-split"))),
    Figure("| random windows, 80 epochs | {:.3f} | {:.3f} | {:.3f} | {} |",
           "reports/melody_protocols.json longer_runs", lambda: _protocol("random-windows, 80 epochs")),
    Figure("with songs held out it stays below always predicting a hold ({:.3f}). Neither reaches {:.2f} "
           "here; "
           "the paper's networks (Table 3) had {}–{} units.",
           "reports/melody_protocols.json; audioml.experiments.published TABLE3",
           lambda: (report("melody_protocols")["protocols"]["song-split"]["test"]["always_hold"],
                    report("melody_protocols")["published_accuracy"], *_table3_units())),
]


def _upload_mb() -> int:
    """The server's upload limit, ``server.maxUploadSize`` (MB) in ``.streamlit/config.toml``."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return config["server"]["maxUploadSize"]


def _range(ranges: dict, key: str, fmt: str = "{:g}") -> str:
    low, high = ranges[key]
    return f"[{fmt.format(low)}, {fmt.format(high)}]"


def _fsdd_clips() -> tuple:
    data = _entry("table1")["data"]
    assert data == _entry("table2")["data"]
    train, test = (int(data.split(f" {word}")[0].split()[-1]) for word in ("training", "test clips"))
    return f"{train:,}", test


LIMITS_AND_SETUP = [
    Figure("files up to {:g} s and {} MB, or a microphone recording",
           "audioml.audio MAX_SECONDS, MAX_BYTES (in MiB, as Streamlit's maxUploadSize counts)",
           lambda: (MAX_SECONDS, MAX_BYTES // 2**20), holds=lambda: MAX_BYTES // 2**20 == _upload_mb()),
    Figure("The server refuses files over {} MB (`server.maxUploadSize`), and the decoder refuses clips over "
           "{:g} s from the header", ".streamlit/config.toml server.maxUploadSize; audioml.audio MAX_SECONDS",
           lambda: (_upload_mb(), MAX_SECONDS)),
    Figure("2-D codes of {:,} held-out MNIST digits",
           "models/latent_*_codes.npz, counted on the card: metrics.n_heldout",
           lambda: (metric("latent_vae", "n_heldout"),)),
    Figure("Table 1's five architectures at η = {:g}, B = {}, E = {}; six random trials each of Table 2 "
           "(η ∈ {}, B ∈ {}, E ∈ {}) and Table 3 (n ∈ {}, η ∈ {}, B ∈ {}, E ∈ {}); Tables 1–2 on the full "
           "random 80/20 split of FSDD ({} / {} clips), Table 3 on the `{}` collection of the Essen songs.",
           "audioml.experiments.published (the paper's settings and ranges); reports/experiments.json data",
           lambda: (TABLE1_FIXED["learning_rate"], TABLE1_FIXED["batch_size"], TABLE1_EPOCHS,
                    _range(TABLE2_RANGES, "learning_rate", "{:.0e}").replace("e-0", "e-"),
                    _range(TABLE2_RANGES, "batch_size"), _range(TABLE2_RANGES, "epochs"),
                    _range(TABLE3_RANGES, "units"),
                    _range(TABLE3_RANGES, "learning_rate", "{:.0e}").replace("e-0", "e-"),
                    _range(TABLE3_RANGES, "batch_size"), _range(TABLE3_RANGES, "epochs"), *_fsdd_clips(),
                    _entry("table3")["data"].split("collection ")[1].split(":")[0])),
]


FIGURES = {"inputs and setup": LIMITS_AND_SETUP, "denoising, real world": DENOISE_REALWORLD,
           "denoising, FSDD": DENOISE_FSDD, "denoising, the models": DENOISE_MODELS,
           "latent spaces": LATENT, "melody": MELODY, "experiments": EXPERIMENTS}
#: The README tables checked whole, by the start of their header line.
TABLES = ("| method | trained | sentences PESQ-nb", "| model | trained on | test condition",
          "| model | MSE | code std", "| VAE recipe |", "| next-step, musical symbols only |",
          "| table | trials finished |", "| SNR | 0 dB |", "| protocol | test accuracy")

CASES = [pytest.param(figure, id=f"{section}: {figure.text[:50]}")
         for section, figures in FIGURES.items() for figure in figures]


@pytest.mark.parametrize("figure", CASES)
def test_readme_quotes_the_figure_its_source_holds(figure):
    message = problem(figure, readme())
    if message:
        pytest.fail(message, pytrace=False)


@pytest.mark.parametrize("header", TABLES)
def test_every_row_of_a_figure_table_is_read_from_a_source(header):
    expected = {figure.expected() for figures in FIGURES.values() for figure in figures}
    unsourced = [row for row in table_rows(header) if row not in expected]
    if unsourced:
        pytest.fail("README rows whose figures no card or report gives (add a Figure for each, or "
                    "fix the row):\n" + "\n".join(unsourced), pytrace=False)


def test_a_figure_one_digit_off_is_caught():
    """The check itself: the README with DeepFilterNet3's sentence PESQ-wb 0.01 off fails it."""
    figure = next(f for f in DENOISE_REALWORLD if f.text.startswith("it has the best PESQ-wb"))
    right = f"{realworld('deepfilternet3', 'sentence', 'pesq_wb'):.2f}"
    wrong = f"{realworld('deepfilternet3', 'sentence', 'pesq_wb') + 0.01:.2f}"
    quoted = " ".join(figure.expected().split())
    assert problem(figure, readme()) is None
    assert problem(figure, readme().replace(quoted, quoted.replace(right, wrong, 1))) is not None
