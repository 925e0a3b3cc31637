"""The latent page's plain helpers: selection by point id, scatter figures, tiles, tables."""

import numpy as np

from ui import latent as ui


def event(*ids, key="customdata"):
    """What st.plotly_chart(..., on_select="rerun") returns after a selection."""
    points = [{"curve_number": i % 3, "point_index": 0, "x": 0.0, "y": 0.0, key: [pid, 4]}
              for i, pid in enumerate(ids)]
    return {"selection": {"points": points, "point_indices": [0] * len(ids), "box": [], "lasso": []}}


def test_selected_ids_reads_the_global_ids():
    assert ui.selected_ids(event(17, 3, 17)) == [17, 3]
    assert ui.selected_ids(event(5)["selection"]) == [5]
    assert ui.selected_ids(event(8, key="custom_data")) == [8]
    # What the browser really sends for a row of a 2-D numpy customdata: an object keyed "0", "1".
    browser = {"selection": {"points": [{"customdata": {"0": 294, "1": 0}}, {"customdata": {"0": 485, "1": 3}}]}}
    assert ui.selected_ids(browser) == [294, 485]
    assert ui.selected_ids(None) == [] and ui.selected_ids(event()) == []
    assert ui.selected_ids({"selection": {"points": [{"x": 1, "y": 2}]}}) == []
    assert ui.merge_selections([3, 1], [1, 9]) == [3, 1, 9]


def test_rows_of_maps_ids_to_rows():
    ids = np.array([40, 12, 7, 99])
    assert ui.rows_of([7, 40, 1234], ids).tolist() == [2, 0]


def test_scatter_figure_splits_by_digit_and_carries_ids():
    rng = np.random.default_rng(0)
    codes, labels = rng.normal(size=(50, 2)), np.arange(50) % 10
    ids = np.arange(1000, 1050)
    fig = ui.scatter_figure(codes, labels, ids, title="t", xy_range=(-5, 5), selected=[1003, 1010])
    digit_traces = [t for t in fig.data if t.name in {str(d) for d in range(10)}]
    assert len(digit_traces) == 10
    carried = sorted(int(c[0]) for t in digit_traces for c in t.customdata)
    assert carried == ids.tolist()
    for t in digit_traces:   # each trace's ids belong to its own digit
        assert all(labels[int(c[0]) - 1000] == int(t.name) for c in t.customdata)
    picked = [t for t in fig.data if t.name == "picked"][0]
    assert np.allclose(picked.x, codes[[3, 10], 0])
    # No preset drag mode: st.plotly_chart then keeps click-to-select.
    assert fig.layout.dragmode is None and list(fig.layout.xaxis.range) == [-5, 5]
    assert len(fig.layout.shapes) == 2   # the prior's circles


def test_tiles_frame_rejected_samples_red():
    images = np.full((3, 28, 28), 0.5, dtype=np.float32)
    tiles = ui.tiles_rgb(images, columns=2, verdicts=np.array([4, -1, 7]))
    assert tiles.shape == (64, 64, 3)
    assert np.allclose(tiles[16, 16], 0.5) and np.allclose(tiles[16, 48], 0.5)   # pixels untouched
    kept_frame, rejected_frame = tiles[0, 16], tiles[0, 48]
    assert np.allclose(kept_frame, 0.25) and rejected_frame[0] > 0.8 > 0.2 > rejected_frame[1]
    assert ui.axis_range(np.array([[0, 1]]), np.array([[-3, 2]]))[0] < -3


def test_story_and_alpha_rows():
    stats = {"latent_mean": [0.1, -0.2], "latent_std": [1.0, 0.9], "latent_cov": [[1, 0], [0, 0.81]],
             "kl_to_prior": 0.05, "prior_coverage": 0.93, "codes_in_prior_95": 0.95,
             "reconstruction_mse": 0.05}
    rows = ui.story_rows({"dcae": stats})
    assert rows[0]["model"] == ui.LABELS["dcae"] and rows[0][ui.NEAR_MEAN] == "93%"
    assert rows[0][ui.KL_POSTERIOR] == rows[0][ui.IN_POSTERIOR] == "n/a"   # a DCAE has no σ
    study = {"results": [{**stats, "alpha": 10.0, "sample_digit_rate": 0.5, "sample_effective_digits": 7.5}]}
    assert ui.alpha_rows(study)[0]["samples that look like digits"] == "50%"
    assert ui.collapse_text(study) is None   # a report without the posterior figures


def test_a_collapsed_vae_reads_as_collapsed():
    # Means at the origin, σ = 1: the means' Gaussian is far from N(0, I), the posteriors are it.
    collapsed = {"alpha": 10.0, "reconstruction_mse": 0.07, "latent_mean": [0.0, 0.0],
                 "latent_std": [0.06, 0.06], "kl_to_prior": 4.5, "prior_coverage": 0.01,
                 "codes_in_prior_95": 1.0, "posterior_std_mean": [0.99, 1.0], "posterior_kl": 0.004,
                 "aggregate_kl": 0.001, "posterior_coverage": 0.95}
    row = ui.alpha_rows({"results": [collapsed]})[0]
    assert row[ui.KL_POSTERIOR] == "0.00" and row[ui.KL_MEANS] == "4.50"
    assert row[ui.IN_POSTERIOR] == "95%" and row[ui.NEAR_MEAN] == "1%"
    text = ui.collapse_text({"results": [{**collapsed, "alpha": 100.0}, collapsed]})
    assert text.startswith("At α = 10 the posteriors collapsed") and "q(z|x) ≈ N(0, I)" in text
    assert "0.00 nats" in text and "95% of prior draws" in text


def test_picked_text_counts_the_digits():
    assert ui.picked_text(np.array([7, 1, 7])) == "**3 picked** · digits: 1×1, 7×2"


def test_study_arrays_decode_the_report_entry():
    entry = {"codes": [[0.5, -1.0], [2.0, 0.0]], "labels": [3, 8], "point_ids": [11, 42],
             "samples": np.full((2, 28, 28), 255).tolist()}
    arrays = ui.study_arrays(entry)
    assert arrays["codes"].shape == (2, 2) and arrays["labels"].tolist() == [3, 8]
    assert arrays["point_ids"].tolist() == [11, 42]
    assert arrays["samples"].shape == (2, 28, 28) and np.all(arrays["samples"] == 1.0)


def test_sampling_text_reads_the_cards():
    def card(rate, effective, counts, seen):
        return {"metrics": {"sample_digit_rate": rate, "sample_effective_digits": effective,
                            "sample_digit_counts": counts, "sample_digits_seen": seen}}

    cards = {"latent_dcae": card(0.7705, 2.23, [0, 1099, 1, 202, 0, 0, 239, 0, 0, 0], 4),
             "latent_vae": card(0.7945, 8.4, [84, 188, 158, 265, 20, 69, 289, 85, 163, 268], 10)}
    text = ui.sampling_text(cards)
    assert text.startswith("Both can be sampled") and "77% of the DCAE's" in text and "79% of the VAE's" in text
    assert "mostly 1, 6, 3 (2.2 different digits" in text and "cover all ten (8.4)" in text
    cards["latent_vae"] = card(0.5, 3.0, [1] * 7 + [0] * 3, 7)
    assert "cover 7 of the ten (3.0)" in ui.sampling_text(cards)
    assert ui.sampling_text({"latent_dcae": {"metrics": {}}, "latent_vae": {"metrics": {}}}) is None


def test_digits_text_names_what_is_shipped():
    view = {"labels": np.zeros(2000), "source": "MNIST test set", "shipped": ["latent_dcae_codes.npz"]}
    text = ui.digits_text(view)
    assert text.startswith("2,000 held-out digits of the MNIST test set, shipped with the models")
    assert "`models/latent_dcae_codes.npz`" in text and "mnist/" not in text.replace("data/mnist", "")
    assert ui.digits_text({**view, "shipped": []}) == "2,000 held-out digits, encoded just now from MNIST test set"


def test_each_plot_keeps_its_picks():
    # Click a 4 on the VAE plot, a 2 on the DCAE plot, then a 0 on the VAE plot, whose chart
    # was redrawn (rings changed) and so reports only the 0.
    picks, seen = {"dcae": [], "vae": []}, {"dcae": [], "vae": []}
    for kind, selection in (("vae", [4]), ("dcae", [2]), ("vae", []), ("vae", [0])):
        picks[kind] += ui.new_picks(picks[kind], seen[kind], selection)
        seen[kind] = selection
    assert picks == {"dcae": [2], "vae": [4, 0]}
    assert ui.new_picks([4], [4], [4]) == []   # an unchanged selection adds nothing


def test_sliders_reach_every_code_and_say_what_they_follow():
    view = {"codes": {"dcae": np.array([[-12.3, 4.0], [3.0, 20.2]]), "vae": np.array([[0.5, -1.0], [1.0, 1.0]])},
            "ids": np.array([7, 9]), "labels": np.array([4, 2])}
    assert ui.slider_range(view) == (-13.0, 21.0) and ui.slider_range(None) == (-4.0, 4.0)
    followed = ("dcae", 7, -12.3, 4.0)
    assert ui.followed_text(followed, view, (-12.3, 4.0)).startswith("The sliders are at image #7 (a 4)")
    assert ui.followed_text(followed, view, (0.0, 4.0)) is None   # moved since


def test_picked_digits_are_large_and_the_caption_short():
    images = np.random.default_rng(0).random((8, 28, 28)).astype(np.float32)
    strips = ui.pick_strips(images, images, images)
    assert [s.shape for s in strips] == [(3 * ui.PICK_PX, 6 * ui.PICK_PX, 3), (3 * ui.PICK_PX, 2 * ui.PICK_PX, 3)]
    assert ui.PICK_PX >= 120   # a digit a projector shows across a room
    assert np.array_equal(strips[0][::4, ::4], ui.tiles_rgb(np.concatenate([images[:6]] * 3), columns=6))
    assert len(ui.PICKS_CAPTION) < 90   # one line beside the pictures, not five under a narrow one
