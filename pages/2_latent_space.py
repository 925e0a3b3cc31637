"""Latent spaces: a 2-D DCAE beside a 2-D VAE on MNIST, and why the VAE's samples cover every digit."""

import pandas as pd
import streamlit as st

from audioml.latent import model as latent
from ui import latent as ui
from ui.cache import model_cards
from ui.common import persistent, user_errors

st.title("Latent spaces: a plain autoencoder beside a VAE")
st.markdown(
    "Two autoencoders squeeze each 28×28 MNIST digit into **two numbers** and draw it back. "
    "The **DCAE** learns only to reconstruct (MSE), so it puts its codes wherever that is "
    "easiest: spread wide, off-centre, at a scale of its own. The **VAE** encodes each digit as "
    "a small Gaussian and pays a KL penalty for straying from the standard normal N(0, I), so "
    "its codes fill the region where N(0, I) draws land, and draws decode to the whole range of "
    "digits (with only two numbers per digit, some of them blends of neighbours: the judge below "
    "counts them).")

kinds = ui.shipped_kinds()
if kinds != list(latent.KINDS):
    st.info("The latent models are not shipped yet. Train them with "
            "`audioml train latent --model dcae` and `audioml train latent --model vae`.")
    st.stop()

with user_errors():   # load every model here, so that a load error is one message at the top
    for kind in kinds:
        ui.latent_model(kind)
    judge = ui.judge_model()
    view = ui.heldout_view()
cards = {card["name"]: card for card in model_cards("latent")}
ss = st.session_state
sampling = ui.sampling_text(cards)
if sampling:
    st.markdown(sampling)

# A fragment per section: a widget reruns its own section, not the page (a class shares the
# server's two cores).
@st.fragment
def scatter_section(view: dict) -> None:
    shared = st.checkbox("Same axes for both plots", **persistent("latent_shared_axes"),
                         help="Shows how differently the two models scale their planes.")
    rng = ui.axis_range(*view["codes"].values()) if shared else None
    st.caption(f"{ui.digits_text(view)}. Coloured by digit; the dotted and "
               "dashed circles hold 39% and 86% of N(0, I). "
               "Click a point, or drag a box or lasso, to pick digits: each plot keeps its picks "
               "and rings them on both, and the sliders below go to the point clicked.")
    # Each plot keeps its own picks in session state: a chart's selection is reset whenever its
    # figure changes (its rings do, after every pick), so the selection alone would lose them.
    picks = ss.setdefault("latent_picks", {kind: [] for kind in kinds})
    seen = ss.setdefault("latent_seen", {kind: [] for kind in kinds})
    follow = None
    for kind in kinds:
        added = ui.new_picks(picks[kind], seen[kind], ui.selected_ids(ss.get(f"latent_scatter_{kind}")))
        seen[kind] = ui.selected_ids(ss.get(f"latent_scatter_{kind}"))
        if added:
            picks[kind] = picks[kind] + added
            follow = (kind, added[0])
    if follow:   # the sliders (and the decoders below them) go to the point just clicked
        kind, point = follow
        z = view["codes"][kind][ui.rows_of([point], view["ids"])[0]]
        ss["latent_z1"], ss["latent_z2"] = (round(float(v), 1) for v in z)
        ss["latent_followed"] = (kind, point, ss["latent_z1"], ss["latent_z2"])
        st.rerun(scope="app")   # this section may run alone; the sliders are in another one
    picked = ui.merge_selections(*picks.values())
    for column, kind in zip(st.columns(2), kinds):
        with column:
            fig = ui.heldout_scatter(kind, rng, tuple(picked))
            st.plotly_chart(fig, key=f"latent_scatter_{kind}", on_select="rerun",
                            selection_mode=("points", "box", "lasso"))
    rows = ui.rows_of(picked, view["ids"])
    if len(rows):
        shown = rows[:12]
        text, clear = st.columns([4, 1])
        text.write(ui.picked_text(view["labels"][rows]))
        clear.button("Clear picks", key="latent_clear_picks",
                     on_click=lambda: ss.update(latent_picks={kind: [] for kind in kinds}))
        originals = view["images"][shown]
        recon = {kind: ui.decoded(kind, tuple(map(tuple, view["codes"][kind][shown].tolist())))
                 for kind in kinds}
        for strip in ui.pick_strips(originals, recon["dcae"], recon["vae"]):
            st.image(strip, width=strip.shape[1])   # one pixel per pixel: PICK_PX per digit
        st.caption(ui.PICKS_CAPTION + (f" (the first {len(shown)})" if len(rows) > len(shown) else ""))
    else:
        st.caption("Nothing picked yet.")


# ------------------------------------------------------------------ 1. scatter plots
st.header("Where each model puts the digits")
if view is None:
    st.info("The held-out codes are not shipped beside the models (`audioml evaluate latent "
            "--write-codes` writes them) and MNIST was not found (see `audioml train latent "
            "--help`), so the held-out digits cannot be plotted; the sections below still work.")
else:
    scatter_section(view)

# ------------------------------------------------------------------ 2. sliders
st.header("Decode any point of the plane")


@st.fragment
def slider_section() -> None:
    st.write("The same two numbers fed to both decoders. Within ±3 lies almost all of N(0, I): the "
             "VAE's codes fill it, while for the DCAE it is only the middle of a much wider plane.")
    c1, c2 = st.columns(2)
    lo, hi = ui.slider_range(view)
    ss.setdefault("latent_z1", 0.0)   # set here or by a click on a scatter plot, never both
    ss.setdefault("latent_z2", 0.0)
    z1 = c1.slider("z₁", lo, hi, step=0.1, key="latent_z1")
    z2 = c2.slider("z₂", lo, hi, step=0.1, key="latent_z2")
    with user_errors():
        decoded = {kind: ui.decoded(kind, ((z1, z2),))[0] for kind in kinds}
    followed = ui.followed_text(ss.get("latent_followed"), view, (z1, z2))
    if followed:
        st.caption(followed)
    for column, kind in zip(st.columns(4)[:2], kinds):
        column.image(decoded[kind], width=140, clamp=True, caption=f"{ui.LABELS[kind]} at ({z1:g}, {z2:g})")


slider_section()

# ------------------------------------------------------------------ 3. manifold
st.header("The decoded plane")


@st.fragment
def plane_section() -> None:
    m1, m2 = st.columns(2)
    extent_choice = m1.radio("Grid over", ["the prior's square [-3, 3]²", "each model's own codes"],
                             **persistent("latent_grid_extent"), horizontal=True)
    steps = m2.slider("Grid points per side", 5, 25, 12, **persistent("latent_grid_steps"))
    for column, kind in zip(st.columns(2), kinds):
        own_codes = extent_choice.startswith("each") and view is not None
        extent = view["extents"][kind] if own_codes else (-3.0, 3.0, -3.0, 3.0)
        with user_errors():
            grid = ui.decoded_plane(kind, tuple(float(e) for e in extent), steps)
        column.image(grid, clamp=True, width="stretch",
                     caption=f"{ui.LABELS[kind]}: z₁ from {extent[0]:.1f} to {extent[1]:.1f} (left→right), "
                             f"z₂ from {extent[3]:.1f} to {extent[2]:.1f} (top→bottom)")


plane_section()

# ------------------------------------------------------------------ 4. sampling
st.header("Sampling: draw z from N(0, I) and decode")


@st.fragment
def sampling_section() -> None:
    s1, s2 = st.columns(2)
    n = s1.slider("Samples", 20, 400, 100, 10, **persistent("latent_n_samples"))
    seed = int(s2.number_input("Seed", 0, 10_000, 0, **persistent("latent_seed")))
    if judge is None:
        st.info("The digit judge is not shipped, so samples cannot be scored. "
                "Train it with `audioml train latent --model judge`.")
    else:
        judge_card = cards.get("latent_digit_judge", {}).get("metrics", {})
        results = {}
        with user_errors():
            for kind in kinds:
                results[kind] = ui.judged_samples(kind, n, seed)
        st.write("A sampler can fail in two ways: draws land where no training code is and decode "
                 "to blurs, or they all land in one small region and decode to the same few digits. "
                 "So two counts: the share of samples the digit judge accepts, and how many different "
                 "digits those are (the effective number: 10 when all ten are equally common, 1 when "
                 "one digit is all there is).")
        for column, kind in zip(st.columns(2), kinds):
            images, verdicts, summary = results[kind]
            left, right = column.columns(2)
            left.metric(f"{kind.upper()}: look like a digit", f"{summary['digit_rate']:.0%}")
            right.metric(f"{kind.upper()}: different digits", f"{summary['effective_digits']:.1f}",
                         help=f"The effective number; {summary['digits_seen']} of the 10 digits "
                              "appear at least once")
            column.image(ui.tiles_rgb(images[:80], columns=10, verdicts=verdicts[:80]), width="stretch",
                         caption=f"{ui.LABELS[kind]}: the first 80 samples; red frames mark those the "
                                 "judge does not accept as a digit.")
        st.caption(
            f"Measured here on {n} draws (seed {seed}). The judge is a small CNN shipped with the "
            "models, trained on the models' training digits plus made-up non-digits (two digits "
            "overlaid, blotches, scribbles, blanks); a sample counts when the judge gives ≥90% to one "
            f"digit. For scale: it accepts {judge_card.get('heldout_digit_rate', float('nan')):.0%} of "
            f"real held-out digits and rejects {judge_card.get('heldout_non_digit_recall', float('nan')):.0%} "
            "of fresh made-up non-digits. Most samples it turns down are blends of neighbouring digits "
            "(4/9, 3/5/8) that two numbers cannot keep apart, rather than noise.")


sampling_section()

# ------------------------------------------------------------------ 5. numbers
st.header("The numbers that tell the story")
stats = {kind: cards[latent.MODEL_NAMES[kind]]["metrics"] for kind in kinds}
# Static tables, not st.dataframe: their cells wrap, so on a phone every column stays in view.
st.table(pd.DataFrame(ui.story_rows(stats)).set_index("model").T)
n_heldout = stats["vae"].get("n_heldout")
st.caption(
    f"Figures from the model cards, measured on the {f'{n_heldout:,} ' if n_heldout else ''}held-out "
    "digits when the models were shipped (`audioml evaluate latent` measures them again). "
    "N(0, I) itself has mean (0, 0), std (1, 1) and KL 0. The DCAE's code is a point; the VAE's "
    "is a Gaussian q(z|x) = N(μ, σ²) per digit, and the rows with σ and q(z|x) are of those whole "
    "Gaussians: the KL term per digit is what the code tells the decoder about the digit (0 when "
    "every q(z|x) is N(0, I)), “all q(z|x) together” is the spread of codes the decoder is trained "
    "on. “Prior draws near a training code”: the share of 2,000 draws from N(0, I) that lie as "
    "close to some training code (μ) as 95% of held-out codes do; “inside some training digit's "
    "q(z|x)”: within the ellipse that holds 95% of it.")

# ------------------------------------------------------------------ 6. alpha
st.header("The reconstruction weight α")
st.markdown("The VAEs of this study minimise, per image,")
# Two lines, so that each fits a phone's width.
st.latex(r"C = \alpha\,\mathrm{MSE}(x, \hat x) + D_{KL}")
st.latex(r"D_{KL} = -\tfrac12 \sum_{j=1}^{2}(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2)")
st.markdown(r"and the divergence is never negative: $D_{KL} \ge 0$.¹")
st.markdown("A small α lets the KL term win: the means μ collapse to the origin and every "
            "q(z|x) ≈ N(0, I), so the code carries nothing about the digit (posterior collapse), "
            "the decoder ignores z and every digit decodes to the same blur. A large α lets "
            "reconstruction win: the VAE behaves like the DCAE, and the prior stops describing "
            "its codes.")
study = ui.alpha_study()
if study is None:
    st.info("No α study shipped; run `audioml train latent --model vae --alpha-study 10 100 1000 10000`.")
else:
    alphas = [f"{a:g}" for a in study["alphas"]]
    chosen = st.select_slider("α", alphas, value=alphas[len(alphas) // 2], **persistent("latent_alpha"))
    result = ui.study_arrays(study["results"][alphas.index(chosen)])
    a1, a2 = st.columns(2)
    with a1:
        st.plotly_chart(ui.scatter_figure(result["codes"], result["labels"], result["point_ids"],
                                          title=f"VAE codes, α = {chosen}", height=400),
                        key="latent_alpha_scatter")
    with a2:
        st.image(ui.tiles_rgb(result["samples"], columns=6), width="stretch",
                 caption=f"Draws from N(0, I) decoded by the VAE trained with α = {chosen}")
    table = pd.DataFrame(ui.alpha_rows(study)).set_index("α").T
    table.columns = [f"α = {alpha}" for alpha in table.columns]
    st.table(table)
    collapse = ui.collapse_text(study)
    if collapse:
        st.write(collapse)
    st.caption(f"Shipped results: one VAE per α, {study['epochs']} epochs each, same data and seed "
               f"({study['split']}). Retrain: `{study['retrain_command']}`. The VAE in the sections "
               f"above is trained longer ({cards['latent_vae']['epochs']} epochs) with per-pixel "
               "cross-entropy in place of the MSE; "
               "its card has the recipe.")
st.caption(
    "¹ The paper prints this term as ½ Σ (1 + log σ² − μ² − σ²), without the minus sign. That "
    "expression is the *negative* of the KL divergence (it is ≤ 0), so minimising C with it "
    "would push the codes away from N(0, I). The divergence is the negated sum, as above and "
    "as implemented in `audioml.nn.layers.VariationalCode`.")
