"""The shipped VAE's training options: KL warm-up, augmentation, its own builder, the preset's round trip."""

import shlex

import numpy as np
import pytest

from audioml.errors import AudioMLError
from audioml.latent import inference
from audioml.latent import model as latent
from audioml.latent.augment import augment_digits
from audioml.latent.mnist import DigitSplit


# ------------------------------------------------------------------ KL warm-up
def test_kl_weight_climbs_linearly_and_reaches_one():
    from audioml.latent.vae import kl_weight

    weights = [kl_weight(step, 10) for step in range(15)]
    assert weights[0] == 0.0 and weights[5] == pytest.approx(0.5)
    assert weights[10:] == [1.0] * 5          # reaches 1 at the end of the warm-up and stays there
    assert np.all(np.diff(weights) >= 0)
    assert kl_weight(0, 0) == kl_weight(7, 0) == 1.0   # no warm-up: the full KL from the start
    with pytest.raises(AudioMLError, match=">= 0"):
        kl_weight(-1, 10)


def _tiny_split(n_train=64, n_held=16, seed=0) -> DigitSplit:
    """Bars whose row depends on the label: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    n = n_train + n_held
    labels = np.arange(n) % 10
    images = np.zeros((n, 28, 28), dtype=np.float32)
    for i, d in enumerate(labels):
        images[i, 4 + 2 * d: 7 + 2 * d, 4:24] = 1.0
    images += 0.05 * rng.random(images.shape).astype(np.float32)
    images = np.clip(images, 0, 1)
    return DigitSplit(images[:n_train], labels[:n_train], images[n_train:], labels[n_train:],
                      np.arange(n_train, n), "bars")


def test_warmup_callback_moves_the_training_weight_from_zero_to_one():
    from audioml.latent.vae import KLWarmup, build_latent_vae

    parts = build_latent_vae(latent.CONFIG, alpha=784.0, loss="bce", seed=0)
    x = inference.image_batch(_tiny_split().train_images)              # 64 images: 2 batches of 32
    warmup = KLWarmup(parts.code, warmup_steps=2 * 2, steps_per_epoch=2)   # two epochs of warm-up
    parts.train.fit(x, x, epochs=4, batch_size=32, verbose=0, callbacks=[warmup])
    assert warmup.weights_seen == [0.0, 0.5, 1.0, 1.0]   # at the start of each epoch
    assert float(np.asarray(parts.code.kl_weight)) == 1.0


# ------------------------------------------------------------------ augmentation
def test_augmentation_keeps_shape_and_range_and_moves_pixels():
    images = _tiny_split().train_images
    moved = augment_digits(images, np.random.default_rng(1))
    assert moved.shape == images.shape and moved.dtype == np.float32
    assert 0 <= moved.min() and moved.max() <= 1
    changed = np.abs(moved - images).reshape(len(images), -1).max(axis=1)
    assert (changed > 0.2).mean() > 0.9          # nearly every digit actually moved
    # ... but only a little: the ink stays about the same and its centre moves by at most ~2 px.
    assert np.allclose(moved.sum(axis=(1, 2)), images.sum(axis=(1, 2)), rtol=0.25)
    def centre(a):   # the row of each image's centre of ink
        return (a.sum(axis=2) * np.arange(28)).sum(axis=1) / a.sum(axis=(1, 2))

    assert np.abs(centre(moved) - centre(images)).max() < 3.5
    # Same generator state, same result; a network-shaped batch keeps its shape.
    assert np.array_equal(augment_digits(images, np.random.default_rng(1)), moved)
    assert augment_digits(images[..., None], np.random.default_rng(1)).shape == images.shape + (1,)


def test_augmentation_without_range_is_the_identity_and_bad_input_raises():
    images = _tiny_split().train_images[:5]
    same = augment_digits(images, np.random.default_rng(0), max_shift=0, max_rotation=0)
    assert np.allclose(same, images, atol=1e-6)
    with pytest.raises(AudioMLError, match="shape"):
        augment_digits(np.zeros((28, 28)), np.random.default_rng(0))
    with pytest.raises(AudioMLError, match=">= 0"):
        augment_digits(images, np.random.default_rng(0), max_shift=-1)


# ------------------------------------------------------------------ the builder
def test_latent_vae_ships_a_safe_mode_model_that_shares_the_trained_weights(tmp_path):
    from audioml.latent.vae import build_latent_vae
    from audioml.registry import load_keras_model, save_for_inference

    parts = build_latent_vae(latent.latent_config([16, 32]), alpha=784.0, loss="bce", dense_units=24, seed=0)
    decoder = parts.ship.get_layer("decoder")
    assert decoder is parts.train.get_layer("decoder")   # one decoder, one encoder
    assert decoder.get_layer("hidden").units == 24
    assert parts.ship.get_layer("encoder").get_layer("enc1_conv").filters == 16
    assert "AnnealedCode" not in [type(layer).__name__ for layer in parts.ship.layers]
    path = save_for_inference(parts.ship, tmp_path / "vae.keras")
    loaded = load_keras_model(path)   # safe mode: the shipped model has only registered layers
    images = _tiny_split().heldout_images
    assert np.allclose(inference.encode(loaded, images), inference.encode(parts.ship, images), atol=1e-5)
    z = inference.prior_draws(5)
    assert np.allclose(inference.decode(loaded, z), inference.decode(parts.ship, z), atol=1e-5)


def test_bce_loss_is_alpha_times_the_mean_pixel_cross_entropy():
    from audioml.latent.vae import build_latent_vae

    parts = build_latent_vae(latent.CONFIG, alpha=784.0, loss="bce", seed=0)
    parts.code.kl_weight.assign(0.0)   # the reconstruction term alone
    x = inference.image_batch(_tiny_split().heldout_images)
    p = np.clip(inference.run_in_batches(parts.ship, x), 1e-7, 1 - 1e-7)
    bce = -(x * np.log(p) + (1 - x) * np.log(1 - p)).mean()
    loss = parts.train.evaluate(x, x, batch_size=len(x), verbose=0, return_dict=True)["loss"]
    assert loss == pytest.approx(784.0 * bce, rel=1e-3)


def test_builder_rejects_bad_options():
    from audioml.latent.vae import RECONSTRUCTION_LOSSES, build_latent_vae

    assert tuple(RECONSTRUCTION_LOSSES) == latent.LOSSES   # what the command line offers, the builder has

    with pytest.raises(AudioMLError, match="mse, bce"):
        build_latent_vae(latent.CONFIG, alpha=1.0, loss="l1")
    with pytest.raises(AudioMLError, match="decoder_dense"):
        build_latent_vae(latent.CONFIG, alpha=1.0, dense_units=-3)
    with pytest.raises(AudioMLError, match="two positive integers"):
        latent.latent_config([32, 64, 128])


def test_default_settings_keep_the_shared_builder():
    assert latent.uses_shared_builder("vae") and latent.uses_shared_builder("dcae", loss="bce")
    assert latent.uses_shared_builder("vae", filters=[32, 64])
    for changed in ({"loss": "bce"}, {"kl_warmup": 2}, {"decoder_dense": 8}, {"filters": [16, 32]},
                    {"lr_decay": True}):
        assert not latent.uses_shared_builder("vae", **changed), changed


@pytest.mark.slow
def test_train_latent_with_every_option(tmp_path):
    split = _tiny_split()
    model, history, seconds = latent.train_latent("vae", split, epochs=2, alpha=784.0, batch_size=32,
                                                  loss="bce", kl_warmup=1, decoder_dense=16,
                                                  filters=[8, 16], augment=True, lr_decay=True)
    assert len(history["loss"]) == len(history["val_loss"]) == 2 and seconds > 0
    assert model.name == "latent_vae" and model.get_layer("sampling").kl_weight == 1.0
    assert inference.sample(model, 3).shape == (3, 28, 28)
    with pytest.raises(AudioMLError, match="kl_warmup"):
        latent.train_latent("vae", split, epochs=2, kl_warmup=3)


# ------------------------------------------------------------------ the preset and the command
def _parse(command: str):
    from audioml.cli import build_parser

    words = shlex.split(command)
    assert words[:3] == ["audioml", "train", "latent"]
    return build_parser().parse_args(words[1:])


def _settings_from_args(args) -> dict:
    from audioml.latent.recipe import preset

    return preset("vae", epochs=args.epochs, alpha=args.alpha, loss=args.loss, kl_warmup=args.kl_warmup,
                  decoder_dense=args.decoder_dense, filters=args.filters, augment=args.augment,
                  lr_decay=args.lr_decay)


@pytest.mark.parametrize("overrides", [
    {},
    {"loss": "mse", "kl_warmup": 0, "decoder_dense": 0, "filters": [32, 64], "augment": False,
     "lr_decay": False},
    {"loss": "bce", "kl_warmup": 3, "decoder_dense": 64, "filters": [16, 48], "augment": True,
     "lr_decay": True, "epochs": 7},
])
def test_preset_round_trips_through_the_command(overrides):
    from audioml.latent.recipe import COMMAND, SWITCHES, command_options, preset
    from audioml.registry import retrain_command

    settings = preset("vae", **overrides)
    command = retrain_command(COMMAND, command_options("vae", settings))
    args = _parse(command)
    assert args.model == "vae" and _settings_from_args(args) == settings
    # Written out in full: the command means the same model whatever the presets say later.
    assert ("--no-augment" in command) != settings["augment"]
    assert ("--no-lr-decay" in command) != settings["lr_decay"]
    assert all(f"--{key.replace('_', '-')} " in command for key in settings if key not in SWITCHES)


def test_command_without_options_is_the_preset():
    from audioml.latent.recipe import PRESETS, preset

    args = _parse("audioml train latent --model vae")
    assert _settings_from_args(args) == preset("vae") == {**PRESETS["vae"],
                                                          "filters": list(PRESETS["vae"]["filters"])}


def test_a_short_run_cuts_the_presets_warmup_but_not_an_explicit_one():
    from audioml.latent.recipe import PRESETS, preset

    assert preset("vae", epochs=1)["kl_warmup"] == min(PRESETS["vae"]["kl_warmup"], 1)
    with pytest.raises(AudioMLError, match="kl_warmup must be between 0 and the 2 epochs, got 3"):
        preset("vae", epochs=2, kl_warmup=3)


@pytest.mark.parametrize("overrides, message", [
    ({"loss": "l1"}, "loss must be one of mse, bce"),
    ({"kl_warmup": -1}, "kl_warmup must be between"),
    ({"decoder_dense": -2}, "decoder_dense must be at least 0"),
    ({"filters": [0, 64]}, "two positive integers"),
    ({"dropout": 0.1}, "no setting 'dropout'"),
])
def test_preset_rejects_bad_vae_settings(overrides, message):
    from audioml.latent.recipe import preset

    with pytest.raises(AudioMLError, match=message):
        preset("vae", **overrides)


def test_card_config_names_the_builder_and_the_options():
    from audioml.latent.recipe import _config_for_card, preset, vae_options

    plain = _config_for_card("vae", 1000.0, vae_options(preset("vae", loss="mse", kl_warmup=0,
                                                               decoder_dense=0, filters=[32, 64],
                                                               lr_decay=False)))
    assert plain["builder"] == "audioml.nn.autoencoder.build_vae" and plain["reconstruction_loss"] == "mse"
    own = _config_for_card("vae", 784.0, vae_options(preset("vae", loss="bce", kl_warmup=5, epochs=30,
                                                             decoder_dense=32, augment=True,
                                                             lr_decay=False)))
    assert own["builder"] == "audioml.latent.vae.build_latent_vae"
    assert own["alpha"] == 784.0 and own["kl_warmup_epochs"] == 5 and own["decoder_dense"] == 32
    assert own["loss"].startswith("alpha * mean-pixel binary cross-entropy + w * D_KL")
    assert "±2 px" in own["augment"] and "±10°" in own["augment"] and own["lr_decay"] is False
    assert _config_for_card("dcae", 1000.0)["builder"] == "audioml.nn.autoencoder.build_dcae"
