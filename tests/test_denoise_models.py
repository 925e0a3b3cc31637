"""The denoisers' building blocks: preprocessing, overlap-add, models, training, save and load."""

from __future__ import annotations

import json

import numpy as np
import pytest

from audioml.denoisers import (FLOOR_DB, PAPER_TRANSFORM, overlap_add, paper_dataset, paper_pair,
                               target_state)
from audioml.errors import AudioMLError
from audioml.noise import add_noise


def test_paper_transform_makes_257_by_18_images():
    assert PAPER_TRANSFORM.shape == (257, 18)
    assert PAPER_TRANSFORM.n_samples == 4400


def test_paper_pair_scales_target_on_what_inference_knows(speech):
    clean = speech("seven")[:4400]
    noisy = add_noise(clean, 10.0, seed=1)
    x, y = paper_pair(clean, noisy)
    assert x.shape == y.shape == (257, 18)
    assert x.min() == pytest.approx(0) and x.max() == pytest.approx(1)
    assert 0 <= y.min() and y.max() <= 1
    # Undoing the target needs only the noisy clip's state: floor and noisy maximum.
    _, state = PAPER_TRANSFORM.forward(noisy)
    assert target_state(state)["lo"] == FLOOR_DB
    assert target_state(state)["hi"] == state["hi"]


@pytest.mark.parametrize("n", [1000, 4400, 4401, 12345])
def test_overlap_add_is_exact_for_identity(n):
    y = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    out = overlap_add(y, lambda w: w, win=4400, hop=2200)
    np.testing.assert_allclose(out, y, atol=1e-6)


def test_overlap_add_through_the_spectrogram_pipeline_is_exact_for_identity(speech):
    """Forward to the [0, 1] image and straight back, window by window, returns the clip."""
    y = speech("one two three four")
    T = PAPER_TRANSFORM

    def identity(windows):
        return np.stack([T.inverse(*T.forward(w), phase="noisy") for w in windows])

    out = overlap_add(y, identity, win=T.n_samples, hop=T.n_samples // 2)
    assert len(out) == len(y)
    np.testing.assert_allclose(out, y, atol=2e-4)


def test_overlap_add_refuses_bad_hop():
    with pytest.raises(AudioMLError, match="hop"):
        overlap_add(np.zeros(100), lambda w: w, win=50, hop=0)


def test_paper_dataset_shapes(speech):
    clips = [speech("one"), speech("two")]
    x, y = paper_dataset(clips, snr_db=10.0, seed=0)
    assert x.shape == y.shape == (2, 257, 18, 1)
    x2, _ = paper_dataset(clips, snr_db=10.0, seed=0)
    np.testing.assert_array_equal(x, x2)


def test_masknet_takes_any_length_and_gives_a_mask():
    from audioml.denoisers import build_masknet

    model = build_masknet(width=8, dilations=[1, 2])
    for frames in (3, 40):
        out = np.asarray(model(np.random.rand(2, frames, 257).astype("float32")))
        assert out.shape == (2, frames, 257)
        assert out.min() >= 0 and out.max() <= 1


def test_masknet_refuses_bad_config():
    from audioml.denoisers import build_masknet

    with pytest.raises(AudioMLError):
        build_masknet(width=0)


@pytest.mark.parametrize("arch", ["dcae", "vae"])
def test_autoencoder_shapes(arch):
    from audioml.denoise_train import build_autoencoder

    model = build_autoencoder(arch, learning_rate=1e-3)
    assert model.output_shape == (None, 257, 18, 1)


def test_tiny_autoencoder_training_lowers_the_loss(speech):
    from audioml.denoise_train import train_autoencoder

    clips = [speech(w) for w in ("one", "two", "three", "four")] * 4
    _, history = train_autoencoder("dcae", clips, epochs=4, learning_rate=2e-3, batch_size=8)
    assert history["epochs"] == 4
    assert history["mse"][-1] < history["mse"][0]


def test_tiny_masknet_training_raises_si_sdr(speech):
    from audioml.denoise_train import train_masknet

    clips = [speech(w) for w in ("one", "two", "three", "four", "five")]
    _, history = train_masknet(clips, epochs=4, steps_per_epoch=8, batch_size=4,
                               learning_rate=3e-3, snr_range=(5.0, 5.0),
                               config={"width": 16, "dilations": [1, 2]})
    assert history["epochs"] == 4
    assert history["loss"][-1] < history["loss"][0]
    assert history["si_sdr"][-1] > history["si_sdr"][0]


def test_grown_masknet_starts_where_the_trained_one_was(tmp_path, speech):
    """Adding the GRU block to a trained net changes nothing until training moves it,
    and the grown net saves and reloads through safe mode."""
    from audioml.denoisers import build_masknet, transfer_weights
    from audioml.registry import load_keras_model

    small = build_masknet(width=8, dilations=[1, 2])
    grown = build_masknet(width=8, dilations=[1, 2], gru_units=4)
    assert transfer_weights(small, grown) == len([l for l in small.layers if l.weights])
    x = np.random.default_rng(0).random((2, 30, 257)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(grown(x)), np.asarray(small(x)), atol=1e-6)
    grown.save(tmp_path / "grown.keras")
    np.testing.assert_allclose(np.asarray(load_keras_model(tmp_path / "grown.keras")(x)),
                               np.asarray(grown(x)), atol=1e-6)
    with pytest.raises(AudioMLError, match="nothing to start from"):
        transfer_weights(build_masknet(width=4, dilations=[1], name="other"),
                         build_masknet(width=8, dilations=[1]))


def test_random_eq_colours_within_its_bound():
    from audioml.denoise_train import random_eq

    y = np.random.default_rng(1).standard_normal(12000).astype(np.float32)
    rng = np.random.default_rng(0)
    for _ in range(5):
        out = random_eq(y, max_db=6.0, rng=rng)
        gain_db = 20 * np.log10(np.abs(np.fft.rfft(out)) / np.abs(np.fft.rfft(y)))
        assert out.shape == y.shape and out.dtype == np.float32
        assert np.max(np.abs(gain_db)) == pytest.approx(6.0, abs=0.01)
        assert np.max(gain_db) - np.min(gain_db) > 3  # a colour, not a plain gain


def test_save_and_load_round_trip(tmp_path, speech):
    """A saved mask net reloads through the registry (safe mode) and gives the same output."""
    from audioml.denoisers import MaskDenoiser, build_masknet
    from audioml.registry import load_model, write_card

    model = build_masknet(width=8, dilations=[1, 2])
    model.save(tmp_path / "tiny.keras")
    write_card({"name": "tiny", "task": "denoise", "file": "tiny.keras",
                "module": "audioml.denoisers", "description": "test", "data": "none",
                "split": "none", "config": {"architecture": "masknet"}, "epochs": 0,
                "training_time_s": 0, "metrics": {}, "retrain_command": "none"}, tmp_path)
    loaded = load_model("tiny", tmp_path)
    assert isinstance(loaded, MaskDenoiser)
    noisy = add_noise(speech("nine"), 5.0, seed=0)
    direct = MaskDenoiser(model, {"name": "tiny"}).enhance(noisy)
    np.testing.assert_allclose(loaded.enhance(noisy), direct, atol=1e-5)
    assert json.loads((tmp_path / "tiny.json").read_text())["task"] == "denoise"


def test_layer_graph_shows_the_vae_heads_and_residuals():
    from audioml.denoise_train import build_autoencoder
    from audioml.denoisers import build_masknet, describe_layers
    from ui.denoise import architecture_dot

    rows = {r["name"]: r for r in describe_layers(build_autoencoder("vae", learning_rate=1e-3))}
    assert rows["encoder/enc1_conv"]["shape"] == (129, 9, 100)
    assert rows["encoder/mean"]["params"] == 16250 * 64 + 64
    assert set(rows["sampling"]["inputs"]) == {"encoder/mean", "encoder/log_var"}
    assert rows["decoder/expand"]["inputs"] == ["sampling"]
    mask_rows = describe_layers(build_masknet(width=8, dilations=[1, 2]))
    add = next(r for r in mask_rows if r["type"] == "Add")
    assert len(add["inputs"]) == 2  # the residual connection
    dot = architecture_dot(mask_rows, title="masknet")
    assert dot.startswith("digraph") and "T × 257" in dot


def test_neighbour_oracle_sees_only_the_clean_image(speech):
    """The oracle's score depends on the clean clip, not on how noisy the input is
    (the noise only sets the top of the scale), and it is zero for a flat spectrum."""
    from audioml.audio import fix_length
    from audioml.denoise_eval import neighbour_oracle_mse

    clean = fix_length(speech("seven"), 4400)
    at_10 = neighbour_oracle_mse(clean, add_noise(clean, 10.0, seed=0))
    at_0 = neighbour_oracle_mse(clean, add_noise(clean, 0.0, seed=0))
    assert 0 < at_10 < 0.05 and 0 < at_0 < 0.05
    assert paper_pair(clean, add_noise(clean, 10.0, seed=0))[1].shape == (257, 18)
    impulse = np.zeros(4400, np.float32)
    impulse[::256] = 1.0  # one click per frame: every frame's spectrum is flat
    assert neighbour_oracle_mse(impulse, impulse) < 1e-6


def test_shape_mask_presses_uncertain_gains_and_keeps_a_floor():
    from audioml.denoisers import shape_mask

    m = np.array([0.0, 0.25, 0.5, 1.0])
    np.testing.assert_allclose(shape_mask(m), m)
    shaped = shape_mask(m, power=2.0, floor=0.1)
    np.testing.assert_allclose(shaped, [0.1, 0.1, 0.25, 1.0])
    with pytest.raises(AudioMLError, match="power"):
        shape_mask(m, power=0.0)
    with pytest.raises(AudioMLError, match="floor"):
        shape_mask(m, floor=1.0)


def test_tune_mask_scores_the_grid_and_picks_by_pesq(speech):
    from audioml.denoise_tune import tune_mask
    from audioml.denoisers import MaskDenoiser, build_masknet

    net = MaskDenoiser(build_masknet(width=8, dilations=[1]), {"name": "tiny"})
    clips = [speech(w) for w in ("one", "two")]
    result = tune_mask(net, clips, powers=(1.0, 2.0), floors=(0.0, 0.5), kinds=("white",))
    assert len(result["grid"]) == 4 and result["clips"] == 2
    best = max(r["pesq_nb"] for r in result["grid"])
    assert result["best"]["pesq_nb"] == best
    assert {(r["power"], r["floor"]) for r in result["grid"]} == {(1.0, 0.0), (1.0, 0.5),
                                                                  (2.0, 0.0), (2.0, 0.5)}
    assert all(np.isfinite(r["si_sdr_improvement_db"]) for r in result["grid"])
    with pytest.raises(AudioMLError, match="no clips"):
        tune_mask(net, [])
