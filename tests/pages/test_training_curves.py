"""Every shipped model that keeps a per-epoch history on its card is drawn learning on its page."""

from __future__ import annotations

import numpy as np

from audioml.registry import get_card
from ui.plots import history_series, training_curves


def test_training_curves_follow_the_card_history_stages_included():
    """A card's per-epoch history becomes one panel per series; a staged training's stages are
    laid end to end with their starts marked; a model trained elsewhere has none."""
    mask = get_card("masknet_denoiser")
    series, starts = history_series(mask)
    assert len(series["loss"]) == mask["epochs"] == sum(s["epochs"] for s in mask["stages"])
    assert starts == list(np.cumsum([s["epochs"] for s in mask["stages"]])[:-1])
    assert series["si_sdr"][:3] == mask["stages"][0]["history"]["si_sdr"][:3]
    fig = training_curves(mask)
    assert len(fig.data) == 2 and len(fig.data[0].x) == mask["epochs"]
    # The DCAE's loss is its MSE: one panel, not two of the same curve.
    assert list(history_series(get_card("dcae_denoiser"))[0]) == ["loss"]
    melody = get_card("melody_lstm")
    assert history_series(melody)[0]["val_accuracy"] == melody["history"]["val_accuracy"]
    assert training_curves(get_card("rnnoise")) is None
    made_up = {"history": {"loss": [3.0, 2.0], "val_accuracy": [0.1, 0.2]}}
    assert history_series(made_up) == ({"loss": [3.0, 2.0], "val_accuracy": [0.1, 0.2]}, [])


def test_the_denoise_and_melody_pages_draw_how_their_models_learned(open_page):
    at = open_page("pages/3_denoise.py")
    drawn = {c.proto.id.split("dn_history_")[-1] for c in at.get("plotly_chart")
             if c.proto.id and "dn_history_" in c.proto.id}
    assert {"dcae_denoiser", "vae_denoiser", "masknet_denoiser"} <= drawn
    at = open_page("pages/4_melody.py")
    assert any(c.proto.id and "melody_history" in c.proto.id for c in at.get("plotly_chart"))
    best = get_card("melody_lstm")["history"]["best_epoch"]
    assert any(f"epoch {best}'s" in c.value for c in at.caption)


def test_every_melody_card_figure_has_a_name_on_the_page():
    """No card figure shows as its raw key (e.g. "Tonic endings model key")."""
    from ui.melody import METRIC_NAMES

    assert set(get_card("melody_lstm")["metrics"]) <= set(METRIC_NAMES)
