"""Streamlit helpers of the latent-space page: cached data, plotly figures, selection, tiles.

Figures and selection logic are plain functions, so tests can check them without
a browser (AppTest shows plotly charts as unknown elements).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from audioml.errors import AudioMLError
from audioml.latent import evaluate, heldout, inference
from audioml.latent import model as latent
from audioml.latent.judge import JUDGE_NAME
from audioml.latent.mnist import load_split
from audioml.latent.recipe import load_alpha_study
from ui.cache import load_model, model_cards
from ui.common import safe_text

DIGIT_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
LABELS = {"dcae": "DCAE (plain autoencoder)", "vae": "VAE (variational)"}


# ---------------------------------------------------------------- cached data

def shipped_kinds() -> list[str]:
    """The latent models ("dcae", "vae") whose cards are in models/."""
    names = {card["name"] for card in model_cards("latent")}
    return [kind for kind in latent.KINDS if latent.MODEL_NAMES[kind] in names]


def latent_model(kind: str):
    """The shipped DCAE or VAE, loaded once per process."""
    return load_model(latent.MODEL_NAMES[latent.check_kind(kind)])


def judge_model():
    """The shipped digit judge, or ``None`` when it is not shipped."""
    if JUDGE_NAME not in {card["name"] for card in model_cards("latent")}:
        return None
    return load_model(JUDGE_NAME)


# Shared, not copied: every session reads the same arrays (st.cache_data would hand each run
# its own copy of 2,000 images).
@st.cache_resource(show_spinner="Reading the held-out digits…")
def heldout_view() -> dict[str, Any] | None:
    """Held-out images, labels, point ids and both models' codes; ``None`` when neither the
    shipped codes (``models/<name>_codes.npz``) nor MNIST are there. Read-only: shared by
    every session.

    Returns
    -------
    dict or None
        ``images`` (n, 28, 28), ``labels`` (n,), ``ids`` (n,), ``codes``: {kind: (n, 2)},
        ``extents``: {kind: the box holding most of its codes}, ``source`` (where the digits
        came from when the codes were made) and ``shipped`` (the codes files read, in
        ``models/``; empty when the digits were encoded from MNIST just now).
    """
    kinds = shipped_kinds()
    shipped = {kind: heldout.shipped_codes(kind) for kind in kinds}
    if all(codes is not None for codes in shipped.values()):
        view = heldout.plane_view(shipped)
        view["shipped"] = [heldout.codes_file_name(k) for k in kinds]
    else:   # codes not shipped, or made with other weights: encode the digits if MNIST is here
        try:
            split = load_split()
        except AudioMLError:
            return None
        view = heldout.plane_view({k: heldout.heldout_codes(latent_model(k), split) for k in kinds})
        view["shipped"] = []
    view["extents"] = {k: inference.code_extent(view["codes"][k]) for k in kinds}
    return view


def digits_text(view: dict[str, Any]) -> str:
    """Where the plotted digits come from, true whether or not MNIST is on this machine."""
    n = len(view["labels"])
    if view.get("shipped"):
        files = " and ".join(f"`models/{name}`" for name in view["shipped"])
        return (f"{n:,} held-out digits of the MNIST test set, shipped with the models ({files}: "
                "each model's codes and the digits as 28×28 thumbnails), so nothing is downloaded. "
                "Training and re-measuring the models read the whole test set (10,000 images, the "
                "t10k IDX files) from `--data`, `$AUDIOML_DATA/mnist` or `../shared/data/mnist`, "
                "else from the `keras.datasets.mnist` download")
    return f"{n:,} held-out digits, encoded just now from {safe_text(view['source'])}"


# What the models make of the page's settings, cached by those settings once per process:
# a class at the default settings decodes the plane and draws the samples once.

@st.cache_data(max_entries=512, show_spinner=False)
def decoded(kind: str, codes: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Images (n, 28, 28) the shipped *kind* decodes from the latent points *codes*."""
    return inference.decode(latent_model(kind), np.asarray(codes, dtype=np.float32).reshape(-1, 2))


@st.cache_data(max_entries=64, show_spinner=False)
def decoded_plane(kind: str, extent: tuple[float, float, float, float], steps: int) -> np.ndarray:
    """:func:`audioml.latent.inference.manifold` of the shipped *kind*."""
    return inference.manifold(latent_model(kind), extent=extent, steps=steps)


@st.cache_data(max_entries=64, show_spinner="Drawing samples…")
def judged_samples(kind: str, n: int, seed: int):
    """*n* prior draws decoded by the shipped *kind* and the judge's verdicts
    (:func:`audioml.latent.evaluate.judged_samples`)."""
    return evaluate.judged_samples(latent_model(kind), judge_model(), n, seed=seed)


@st.cache_data(show_spinner=False)
def alpha_study() -> dict | None:
    """The shipped alpha-study report, or ``None``."""
    return load_alpha_study()


def study_arrays(result: dict) -> dict[str, np.ndarray]:
    """One alpha's entry of the study report as arrays: ``codes`` (k, 2), ``labels``,
    ``point_ids`` and ``samples`` (m, 28, 28) in [0, 1] (the report stores 0-255)."""
    return {"codes": np.asarray(result["codes"], dtype=np.float32),
            "labels": np.asarray(result["labels"]), "point_ids": np.asarray(result["point_ids"]),
            "samples": np.asarray(result["samples"], dtype=np.float32) / 255.0}


# ---------------------------------------------------------------- selection

def selected_ids(event: Any) -> list[int]:
    """Global point ids of the points selected on a scatter plot.

    Parameters
    ----------
    event : the value ``st.plotly_chart(..., on_select="rerun")`` returns, its
        ``selection``, or a plain dict with ``points``; each point carries its id
        as the first entry of ``customdata`` (a list, or an object keyed "0", "1") (colouring by digit splits the
        points into traces, so ``point_index`` alone is ambiguous).

    Returns
    -------
    list of int
        In selection order, without duplicates; empty when nothing is selected.
    """
    if event is None:
        return []
    selection = event.get("selection", event) if isinstance(event, dict) else getattr(event, "selection", event)
    points = selection.get("points", []) if isinstance(selection, dict) else getattr(selection, "points", [])
    ids: list[int] = []
    for point in points or []:
        custom = point.get("customdata", point.get("custom_data"))
        if custom is None:
            continue
        # Plotly sends a row of a 2-D customdata array as a list, or (from a typed array) as
        # an object keyed "0", "1", ...; a 1-D customdata arrives as a bare number.
        if isinstance(custom, dict):
            value = custom.get("0", custom.get(0))
        elif isinstance(custom, (list, tuple)):
            value = custom[0] if custom else None
        else:
            value = custom
        try:
            value = int(value)
        except (TypeError, ValueError):
            continue
        if value not in ids:
            ids.append(value)
    return ids


def new_picks(picks: list[int], seen: list[int], selection: list[int]) -> list[int]:
    """Ids a plot's *selection* adds to its *picks*, given the selection seen the run before.

    Only a changed selection adds anything; one that became empty (a chart whose figure
    changed starts with none) removes nothing.
    """
    if selection == seen:
        return []
    return [i for i in selection if i not in picks]


def slider_range(view: dict[str, Any] | None, *, least: float = 4.0) -> tuple[float, float]:
    """The sliders' range: at least ±*least*, wide enough for every held-out code of either
    model, so that a click on any point can set them."""
    if view is None:
        return -least, least
    values = np.concatenate([np.asarray(c).ravel() for c in view["codes"].values()])
    return (float(min(-least, np.floor(values.min()))), float(max(least, np.ceil(values.max()))))


def followed_text(followed: tuple | None, view: dict[str, Any] | None, z: tuple[float, float]) -> str | None:
    """"The sliders are at image #12 (a 4), clicked on the VAE plot" while they stay where the
    click put them; ``None`` otherwise."""
    if not followed or view is None:
        return None
    kind, point, z1, z2 = followed
    rows = rows_of([point], view["ids"])
    if not len(rows) or (z1, z2) != tuple(z):
        return None
    return (f"The sliders are at image #{point} (a {int(view['labels'][rows[0]])}), clicked on the "
            f"{kind.upper()} plot: its {kind.upper()} code, fed to both decoders.")


def merge_selections(*selections: list[int]) -> list[int]:
    """Ids picked on any of the plots, in order, without duplicates."""
    merged: list[int] = []
    for ids in selections:
        merged.extend(i for i in ids if i not in merged)
    return merged


def rows_of(ids: list[int], point_ids: np.ndarray) -> np.ndarray:
    """Row numbers of the given global point ids in *point_ids* (unknown ids are dropped)."""
    lookup = {int(pid): row for row, pid in enumerate(point_ids)}
    return np.array([lookup[i] for i in ids if i in lookup], dtype=np.int64)


def picked_text(labels: np.ndarray) -> str:
    """``"**3 picked** · digits: 1×2, 7×1"`` for the digits of the picked points."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=10)
    return f"**{len(labels)} picked** · digits: " + ", ".join(f"{d}×{c}" for d, c in enumerate(counts) if c)


# ---------------------------------------------------------------- figures

def axis_range(*code_sets: np.ndarray, margin: float = 0.08) -> tuple[float, float]:
    """One symmetric-enough range covering every code set, for shared axes."""
    values = np.concatenate([np.asarray(c).ravel() for c in code_sets])
    lo, hi = float(values.min()), float(values.max())
    pad = (hi - lo) * margin or 1.0
    return lo - pad, hi + pad


@st.cache_resource(max_entries=64, show_spinner=False)
def heldout_scatter(kind: str, xy_range: tuple[float, float] | None = None,
                    selected: tuple[int, ...] = ()) -> go.Figure:
    """The held-out digits' codes of *kind* (:func:`scatter_figure`), built once per setting and
    shared by every session: Plotly's checks of 2,000 points cost more than drawing them."""
    view = heldout_view()
    return scatter_figure(view["codes"][kind], view["labels"], view["ids"],
                          title=f"{kind.upper()} codes", xy_range=xy_range,
                          selected=list(selected) or None)


def scatter_figure(codes: np.ndarray, labels: np.ndarray, ids: np.ndarray, *, title: str,
                   xy_range: tuple[float, float] | None = None, prior_rings: bool = True,
                   selected: list[int] | None = None, height: int = 460) -> go.Figure:
    """Latent codes coloured by digit, one trace per digit, ids in ``customdata``.

    Parameters
    ----------
    codes : np.ndarray [shape=(n, 2)]
    labels : np.ndarray [shape=(n,)]
        Digits 0-9.
    ids : np.ndarray [shape=(n,)]
        Global point ids carried in ``customdata`` for selection.
    xy_range : (lo, hi), optional
        The same range on both axes (shared-axes view).
    prior_rings : bool
        Draw the circles of radius 1 and 2, inside which the prior N(0, I) puts
        39% and 86% of its draws.
    selected : list of int, optional
        Ids to mark with a ring.
    """
    fig = go.Figure()
    for digit in range(10):
        mask = labels == digit
        if not mask.any():
            continue
        fig.add_trace(go.Scattergl(
            x=codes[mask, 0], y=codes[mask, 1], mode="markers", name=str(digit),
            marker={"size": 5, "color": DIGIT_COLOURS[digit], "opacity": 0.75},
            customdata=np.stack([ids[mask], labels[mask]], axis=1),
            hovertemplate="digit %{customdata[1]}<br>image #%{customdata[0]}"
                          "<br>z = (%{x:.2f}, %{y:.2f})<extra></extra>"))
    if prior_rings:
        for radius, dash in ((1, "dot"), (2, "dash")):
            fig.add_shape(type="circle", x0=-radius, y0=-radius, x1=radius, y1=radius,
                          line={"color": "black", "width": 1, "dash": dash})
    if selected:
        rows = rows_of(selected, ids)
        if len(rows):
            fig.add_trace(go.Scatter(
                x=codes[rows, 0], y=codes[rows, 1], mode="markers", name="picked",
                marker={"size": 13, "color": "rgba(0,0,0,0)", "line": {"color": "black", "width": 2}},
                hoverinfo="skip"))
    # No dragmode: st.plotly_chart then starts in pan mode with click-to-select on, and offers
    # box and lasso in the toolbar; a figure that starts in "select" mode ignores clicks.
    fig.update_layout(title=title, height=height, legend_title_text="digit",
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, uirevision=title)
    fig.update_xaxes(title_text="z₁", zeroline=True)
    fig.update_yaxes(title_text="z₂", zeroline=True)
    if xy_range is not None:
        fig.update_xaxes(range=list(xy_range))
        fig.update_yaxes(range=list(xy_range), scaleanchor="x", scaleratio=1)
    return fig


def tiles_rgb(images: np.ndarray, *, columns: int, verdicts: np.ndarray | None = None) -> np.ndarray:
    """Tile grey images into one RGB picture; images judged "not a digit" (-1) framed in red.

    Parameters
    ----------
    images : np.ndarray [shape=(n, 28, 28)], values in [0, 1]
    columns : int
    verdicts : np.ndarray [shape=(n,)], optional
        The judge's digit per image, -1 for "not a digit".

    Returns
    -------
    np.ndarray [shape=(rows * 32, columns * 32, 3)], values in [0, 1]
    """
    images = np.clip(np.asarray(images, dtype=np.float32), 0, 1)
    n = len(images)
    frames = np.tile(np.array([0.25, 0.25, 0.25], dtype=np.float32), (n, 1))
    if verdicts is not None:
        frames[np.asarray(verdicts) < 0] = (0.9, 0.1, 0.1)
    framed = np.empty((n, 32, 32, 3), dtype=np.float32)
    framed[:] = frames[:, None, None, :]
    framed[:, 2:30, 2:30, :] = images[..., None]
    rows = -(-n // columns)
    canvas = np.full((rows * 32, columns * 32, 3), 0.25, dtype=np.float32)
    for i, image in enumerate(framed):
        r, c = divmod(i, columns)
        canvas[r * 32:(r + 1) * 32, c * 32:(c + 1) * 32] = image
    return canvas


PICK_PX = 128     # on-screen width of one picked digit: readable from the back of a room
PICKS_PER_ROW = 6
PICKS_CAPTION = "Top to bottom: the held-out digit · DCAE reconstruction · VAE reconstruction"


def pick_strips(*image_rows: np.ndarray, per_row: int = PICKS_PER_ROW,
                scale: int = PICK_PX // 32) -> list[np.ndarray]:
    """The picked digits as pictures of at most *per_row* picks each, one column per pick and
    one row per entry of *image_rows* (e.g. originals, DCAE and VAE reconstructions), each
    tile enlarged *scale* times by repeating pixels, so that they stay sharp when shown large.

    Parameters
    ----------
    *image_rows : np.ndarray [shape=(n, 28, 28)], values in [0, 1]

    Returns
    -------
    list of np.ndarray [shape=(rows * 32 * scale, k * 32 * scale, 3)], k <= per_row
    """
    n = len(image_rows[0])
    strips = []
    for start in range(0, n, per_row):
        part = [rows[start:start + per_row] for rows in image_rows]
        tiles = tiles_rgb(np.concatenate(part), columns=len(part[0]))
        strips.append(np.repeat(np.repeat(tiles, scale, axis=0), scale, axis=1))
    return strips


# Row labels of both tables. A VAE encodes each digit as a Gaussian q(z|x) = N(μ, σ²); the
# figures of the means μ alone cannot tell collapse (every q(z|x) = N(0, I), all μ at the
# origin) from codes that carry the digit, so the tables give the whole posteriors' beside them.
KL_MEANS = "KL(Gaussian fitted to the means μ ‖ N(0,I)), nats"
KL_POSTERIOR = "KL(q(z|x) ‖ N(0,I)) per digit, nats (the loss's KL term)"
KL_AGGREGATE = "KL(all q(z|x) together ‖ N(0,I)), nats"
SIGMA = "posterior σ (z₁, z₂), mean"
NEAR_MEAN = "prior draws near a training code (μ)"
IN_POSTERIOR = "prior draws inside some training digit's q(z|x)"
IN_CIRCLE = "codes (μ) inside the prior's 95% circle"


def _pct(figures: dict, key: str) -> str:
    return f"{figures[key]:.0%}" if key in figures else "n/a"


def _nats(figures: dict, key: str) -> str:
    return f"{figures[key]:.2f}" if key in figures else "n/a"


def _pair(figures: dict, key: str) -> str:
    return f"({figures[key][0]:.2f}, {figures[key][1]:.2f})" if key in figures else "n/a"


def posterior_rows(figures: dict) -> dict[str, str]:
    """The rows both tables share, of one model's figures (a card's or a study entry's);
    "n/a" where a figure is not there (a DCAE has no posterior)."""
    return {
        "code mean (z₁, z₂)": _pair(figures, "latent_mean"),
        "code std (z₁, z₂)": _pair(figures, "latent_std"),
        SIGMA: _pair(figures, "posterior_std_mean"),
        KL_POSTERIOR: _nats(figures, "posterior_kl"),
        KL_AGGREGATE: _nats(figures, "aggregate_kl"),
        KL_MEANS: _nats(figures, "kl_to_prior"),
        IN_POSTERIOR: _pct(figures, "posterior_coverage"),
        NEAR_MEAN: _pct(figures, "prior_coverage"),
        IN_CIRCLE: _pct(figures, "codes_in_prior_95"),
    }


def story_rows(stats: dict[str, dict]) -> list[dict]:
    """Rows of the "numbers that tell the story" table, one per model, all values as text."""
    rows = []
    for kind, s in stats.items():
        rows.append({"model": LABELS.get(kind, kind), **posterior_rows(s),
                     "reconstruction MSE (held out)": (f"{s['reconstruction_mse']:.4f}"
                                                       if "reconstruction_mse" in s else "n/a")})
    return rows


def alpha_rows(study: dict) -> list[dict]:
    """The alpha study's figures, one row per alpha, all values as text."""
    rows = []
    for r in study["results"]:
        rows.append({
            "α": f"{r['alpha']:g}",
            "reconstruction MSE": f"{r['reconstruction_mse']:.4f}",
            **posterior_rows(r),
            "samples that look like digits": _pct(r, "sample_digit_rate"),
            "different digits among samples (effective number)": str(r.get("sample_effective_digits", "n/a")),
        })
    return rows


def collapse_text(study: dict) -> str | None:
    """What the smallest alpha of the study did to the posteriors, with its figures, or
    ``None`` when the report predates the posterior figures."""
    r = min(study["results"], key=lambda entry: entry["alpha"])
    if "posterior_kl" not in r:
        return None
    return (f"At α = {r['alpha']:g} the posteriors collapsed: the means μ huddle at the origin "
            f"(spread {np.mean(r['latent_std']):.2f}), every σ is about "
            f"{np.mean(r['posterior_std_mean']):.2f}, so every q(z|x) ≈ N(0, I) whatever the digit. "
            f"The loss's KL term is {r['posterior_kl']:.2f} nats and "
            f"{r['posterior_coverage']:.0%} of prior draws land inside some digit's q(z|x): the "
            "prior fits perfectly because the code says nothing, and the decoder, ignoring z, "
            "draws every digit as the same blur. The means' own Gaussian "
            f"({r['kl_to_prior']:.1f} nats, {r['prior_coverage']:.0%} of draws near a mean) "
            "misses this: it ignores σ.")


def sampling_text(cards: dict[str, dict]) -> str | None:
    """What prior draws decode to with each model, with the figures of their cards, or ``None``
    when a card lacks them.

    Both decoders turn most draws from N(0, I) into something the judge calls a digit; they
    differ in how many different digits those are.
    """
    try:
        dcae, vae = (cards[latent.MODEL_NAMES[kind]]["metrics"] for kind in ("dcae", "vae"))
        counts = np.asarray(dcae["sample_digit_counts"])
        rates = (dcae["sample_digit_rate"], vae["sample_digit_rate"])
        diversity = (dcae["sample_effective_digits"], vae["sample_effective_digits"])
    except KeyError:
        return None
    common = [str(d) for d in np.argsort(-counts, kind="stable")[:3] if counts[d]]
    seen = vae.get("sample_digits_seen", 10)
    return (f"Both can be sampled: of draws from N(0, I), the judge below calls {rates[0]:.0%} of "
            f"the DCAE's decoded images digits and {rates[1]:.0%} of the VAE's. The difference is "
            f"which digits: the DCAE's are mostly {', '.join(common)} ({diversity[0]:.1f} different "
            f"digits in effect), the VAE's cover {'all ten' if seen == 10 else f'{seen} of the ten'} "
            f"({diversity[1]:.1f}).")
