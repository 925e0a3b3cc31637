"""AppTest of the latent-space page: it renders from the shipped models and its controls act."""

import base64
import json

import numpy as np
import pytest

from audioml.registry import list_cards

PAGE = "pages/2_latent_space.py"


@pytest.fixture(autouse=True)
def _needs_shipped_models():
    if not {"latent_dcae", "latent_vae"} <= {c["name"] for c in list_cards("latent")}:
        pytest.skip("latent models not shipped")


def image_urls(at):
    """URLs of every st.image on the page, in order; a URL changes when the pixels do."""
    return [url for element in at.get("image") for url in element.value]


def image_captions(at):
    return [c for element in at.get("image") for c in element.captions]


def captions(at):
    return [c.value for c in at.caption]


def _values(array):
    """A plotly figure's array as JSON holds it: a list, or a typed array (dtype + base64 bdata)."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array)


def digit_points(at):
    """{chart title: number of digit points} of every plotly chart on the page."""
    counts = {}
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        title = figure["layout"]["title"]["text"]
        counts[title] = sum(len(_values(t["x"])) for t in figure["data"]
                            if t.get("name") in {str(d) for d in range(10)})
    return counts


@pytest.fixture
def no_datasets(monkeypatch, tmp_path):
    """A machine like a Hugging Face Space: $AUDIOML_DATA is an empty folder, there is no
    ../shared/data, and keras.datasets cannot download."""
    import keras

    import audioml.paths

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("AUDIOML_DATA", str(empty))
    monkeypatch.setattr(audioml.paths, "data_candidates", lambda name: [empty / name])

    def offline(*_, **__):
        raise OSError("network unreachable")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    return empty


def test_the_page_is_whole_without_any_dataset(no_datasets, open_page):
    from audioml.errors import AudioMLError
    from audioml.latent.mnist import load_mnist

    with pytest.raises(AudioMLError):   # the set-up really hides MNIST
        load_mnist()
    at = open_page(PAGE, timeout=180)
    notices = [e.value for kind in ("error", "warning", "info") for e in getattr(at, kind)]
    assert not notices, notices
    # Both scatter plots, each with every held-out digit (from models/<name>_codes.npz).
    counts = digit_points(at)
    assert counts["DCAE codes"] == counts["VAE codes"] == 2000, counts
    # The caption says what is shipped and where the full data would come from, not a folder
    # this machine lacks.
    caption = [c for c in captions(at) if c.startswith("2,000 held-out digits")][0]
    assert "IDX files in mnist/" not in caption
    assert "`models/latent_dcae_codes.npz` and `models/latent_vae_codes.npz`" in caption
    assert "nothing is downloaded" in caption and "keras.datasets.mnist" in caption
    assert any("Figures from the model cards, measured on the 2,000 held-out digits" in c
               for c in captions(at))
    at.radio(key="latent_grid_extent").set_value("each model's own codes").run()
    assert not at.exception and not at.info
    assert any(c.startswith("DCAE (plain autoencoder): z₁ from -") for c in image_captions(at))


def test_page_renders_and_its_controls_change_the_output(open_page):
    import ui.latent as ui_latent
    from ui.latent import LABELS

    at = open_page(PAGE, timeout=180)
    assert [h.value for h in at.header] == [
        "Where each model puts the digits", "Decode any point of the plane",
        "The decoded plane", "Sampling: draw z from N(0, I) and decode",
        "The numbers that tell the story", "The reconstruction weight α"]
    # The story table: one column per model, its rows the figures, every cell filled.
    story = at.table[0].value
    assert list(story.columns) == [LABELS["dcae"], LABELS["vae"]]
    assert {ui_latent.KL_MEANS, ui_latent.KL_POSTERIOR} <= set(story.index) and not story.isna().any().any()
    # The KL of the VAE's whole posteriors is on the page, read from its card.
    card = {c["name"]: c for c in list_cards("latent")}["latent_vae"]["metrics"]
    assert story.loc[ui_latent.KL_POSTERIOR, LABELS["vae"]] == f"{card['posterior_kl']:.2f}"
    assert story.loc[ui_latent.KL_POSTERIOR, LABELS["dcae"]] == "n/a"
    assert any("D_{KL}" in m.value for m in at.latex)
    assert any("without the minus sign" in c and "audioml.nn.layers.VariationalCode" in c
               for c in captions(at))
    before = image_urls(at)

    at.slider(key="latent_z1").set_value(2.5).run()
    assert not at.exception
    after = image_urls(at)
    assert len(after) == len(before) and after != before
    assert any("at (2.5, 0)" in c for c in image_captions(at))

    metrics = [m.value for m in at.metric]
    at.number_input(key="latent_seed").set_value(7).run()
    at.slider(key="latent_n_samples").set_value(40).run()
    assert not at.exception
    assert any("Measured here on 40 draws (seed 7)" in c for c in captions(at))
    assert len(at.metric) == 4 and metrics[0].endswith("%") and float(metrics[1]) >= 1
    assert image_urls(at) != after

    before = image_urls(at)
    at.slider(key="latent_grid_steps").set_value(6).run()
    at.radio(key="latent_grid_extent").set_value("each model's own codes").run()
    assert not at.exception and image_urls(at) != before

    # The alpha study is shipped in reports/, so its slider and table are there.
    assert len(at.table) == 2
    before = image_urls(at)
    alpha = at.select_slider(key="latent_alpha")
    assert list(at.table[1].value.columns) == [f"α = {a}" for a in alpha.options]
    # The α table and its caption show the shipped report's figures and recorded epochs.
    from audioml.latent.recipe import load_alpha_study

    study = load_alpha_study()
    for r in study["results"]:
        column = at.table[1].value[f"α = {r['alpha']:g}"]
        assert column[ui_latent.KL_POSTERIOR] == f"{r['posterior_kl']:.2f}"
        assert column[ui_latent.NEAR_MEAN] == f"{r['prior_coverage']:.0%}"
    assert any(f"one VAE per α, {study['epochs']} epochs each" in c for c in captions(at))
    vae_epochs = {c["name"]: c for c in list_cards("latent")}["latent_vae"]["epochs"]
    assert any(f"trained longer ({vae_epochs} epochs)" in c for c in captions(at))
    alpha.set_value(alpha.options[0]).run()
    assert not at.exception and image_urls(at) != before
    assert any(f"α = {alpha.options[0]}" in c for c in image_captions(at))


def test_picking_points_shows_them(open_page):
    from audioml.latent.heldout import shipped_codes

    at = open_page(PAGE, timeout=180)
    assert any("Nothing picked yet" in c for c in captions(at))
    first, second = (int(i) for i in shipped_codes("vae")["ids"][:2])
    at.checkbox(key="latent_shared_axes").check()
    at.session_state["latent_scatter_vae"] = {"selection": {
        "points": [{"customdata": [first, 0]}, {"customdata": [second, 0]}], "point_indices": [0, 1],
        "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    assert any(m.value.startswith("**2 picked** · digits: ") for m in at.markdown)
    assert not any("Nothing picked yet" in c for c in captions(at))
    # The two originals and their two reconstructions each, in one picture.
    assert any("DCAE reconstruction" in c for c in captions(at))
    # The caption is the page's, not squeezed under the picture of the picks.
    assert not any("DCAE reconstruction" in c for c in image_captions(at))
    # The sliders went to the first point's VAE code.
    view = shipped_codes("vae")
    z = view["codes"][list(view["ids"]).index(first)]
    assert at.slider(key="latent_z1").value == round(float(z[0]), 1)
    assert any(c.startswith(f"The sliders are at image #{first}") for c in captions(at))
    # A pick on the DCAE plot adds to the VAE's; the VAE's chart, its figure changed, now reports
    # no selection, and its picks stay.
    third = int(view["ids"][5])
    at.session_state["latent_scatter_dcae"] = {"selection": {"points": [{"customdata": [third, 0]}]}}
    at.session_state["latent_scatter_vae"] = {"selection": {"points": []}}
    at.run()
    assert at.session_state["latent_picks"] == {"dcae": [third], "vae": [first, second]}
    assert any(m.value.startswith("**3 picked**") for m in at.markdown)
    at.button(key="latent_clear_picks").click().run()
    assert any("Nothing picked yet" in c for c in captions(at))


@pytest.mark.slow
def test_without_shipped_codes_the_page_encodes_mnist(shared_data, monkeypatch, open_page):
    import audioml.latent.heldout

    monkeypatch.setenv("AUDIOML_DATA", str(shared_data("mnist").parent))
    monkeypatch.setattr(audioml.latent.heldout, "shipped_codes", lambda kind, models_dir=None: None)
    at = open_page(PAGE, timeout=180)
    assert not at.info and digit_points(at)["VAE codes"] == 2000


def test_a_second_visit_runs_no_model(open_page, monkeypatch):
    """Decoded points, the plane and the samples are cached by their settings: a second
    session at the default settings decodes nothing."""
    import audioml.latent.evaluate
    import audioml.latent.inference

    open_page(PAGE, timeout=180)
    calls = []
    for module, name in ((audioml.latent.inference, "decode"), (audioml.latent.inference, "manifold"),
                         (audioml.latent.evaluate, "judged_samples")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name, **k: calls.append(_name)
                            or _real(*a, **k))
    open_page(PAGE, timeout=180)
    assert calls == []


def test_home_and_page_say_both_models_can_be_sampled(open_page):
    """Measured: both decoders turn about as many prior draws into digits; the VAE's cover
    more digits. The home page's blurb and the page must say that, not that only one works."""
    from ui.latent import sampling_text
    from ui.navigation import BLURBS

    cards = {c["name"]: c for c in list_cards("latent")}
    dcae, vae = cards["latent_dcae"]["metrics"], cards["latent_vae"]["metrics"]
    assert abs(dcae["sample_digit_rate"] - vae["sample_digit_rate"]) < 0.05
    assert vae["sample_effective_digits"] > dcae["sample_effective_digits"] + 3
    assert vae["sample_digits_seen"] == 10
    blurb = BLURBS["latent-space"]
    assert "only the VAE" not in blurb.replace("all ten digits only with the VAE", "")
    assert "about as often with both" in blurb and "all ten digits only with the VAE" in blurb
    at = open_page(PAGE, timeout=180)
    texts = [m.value for m in at.markdown]
    assert sampling_text(cards) in texts
    assert f"{dcae['sample_digit_rate']:.0%} of the DCAE's" in sampling_text(cards)
