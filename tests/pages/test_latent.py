"""AppTest of the latent-space page: it renders from the shipped models and its controls act."""

import pytest

from audioml.registry import list_cards
from tests.conftest import open_page

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


def test_page_renders_and_its_controls_change_the_output():
    at = open_page(PAGE, timeout=180)
    assert [h.value for h in at.header][:4] == [
        "Where each model puts the digits", "Decode any point of the plane",
        "The decoded plane", "Sampling: draw z from N(0, I) and decode"]
    assert len(at.dataframe) >= 1 and any("KL" in m.value or "D_{KL}" in m.value for m in at.latex)
    assert any("without the minus sign" in c for c in captions(at))
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

    if at.select_slider:
        before = image_urls(at)
        at.select_slider(key="latent_alpha").set_value(at.select_slider(key="latent_alpha").options[0]).run()
        assert not at.exception and image_urls(at) != before


def test_picking_points_shows_them():
    at = open_page(PAGE, timeout=180)
    if any("MNIST was not found" in i.value for i in at.info):
        pytest.skip("MNIST not available here")
    assert any("Nothing picked yet" in c for c in captions(at))
    from audioml.mnist import load_split

    first, second = (int(i) for i in load_split().heldout_ids[:2])
    at.checkbox(key="latent_shared_axes").check()
    at.session_state["latent_scatter_vae"] = {"selection": {
        "points": [{"customdata": [first, 0]}, {"customdata": [second, 0]}], "point_indices": [0, 1],
        "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    assert any("2 picked" in m.value for m in at.markdown)
