"""The 2-D DCAE and VAE: shapes, the sampling layer, save/load, decoding helpers."""

import numpy as np
import pytest

from audioml.errors import AudioMLError
from audioml.latent import inference
from audioml.latent import model as latent
from audioml.registry import load_keras_model, save_for_inference


@pytest.fixture(scope="module")
def models():
    return {kind: latent.build_latent_model(kind) for kind in latent.KINDS}


@pytest.mark.parametrize("kind", latent.KINDS)
def test_encoder_decoder_shapes(models, kind):
    model = models[kind]
    images = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    codes = inference.encode(model, images)
    assert codes.shape == (5, 2)
    mean, log_var = inference.encode_distribution(model, images)
    assert np.array_equal(mean, codes)   # a VAE's code is the mean of its Gaussian
    if kind == "dcae":
        assert log_var is None
    else:
        assert log_var.shape == (5, 2) and np.all(np.isfinite(log_var))
    out = inference.decode(model, codes)
    assert out.shape == (5, 28, 28) and 0 <= out.min() and out.max() <= 1
    assert model.output_shape == (None, 28, 28, 1)
    assert np.allclose(inference.encode(model, images[0]), codes[:1], atol=1e-5)   # one (28, 28) image


def test_vae_sampling_layer_statistics():
    from audioml.nn.layers import VariationalCode

    layer = VariationalCode(seed=3)
    mean = np.full((20000, 2), [2.0, -1.0], dtype=np.float32)
    log_var = np.full((20000, 2), np.log(0.25), dtype=np.float32)
    z = np.asarray(layer([mean, log_var], training=True))
    assert np.allclose(z.mean(axis=0), [2.0, -1.0], atol=0.02)
    assert np.allclose(z.std(axis=0), 0.5, atol=0.02)
    # At inference the layer returns the mean, so codes are deterministic.
    assert np.array_equal(np.asarray(layer([mean, log_var], training=False)), mean)
    # Its KL term is the divergence from N(0, I): >= 0, and here 1/2 sum(s2 + m2 - 1 - log s2).
    expected = 0.5 * sum(0.25 + m ** 2 - 1 - np.log(0.25) for m in (2.0, -1.0))
    assert float(layer.losses[-1]) == pytest.approx(expected, rel=1e-4)
    layer([np.zeros((4, 2), np.float32), np.zeros((4, 2), np.float32)])
    assert float(layer.losses[-1]) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("kind", latent.KINDS)
def test_save_load_round_trip(models, kind, tmp_path):
    path = tmp_path / f"{kind}.keras"
    save_for_inference(models[kind], path)
    loaded = load_keras_model(path)   # safe mode: works only because VariationalCode is registered
    images = np.random.default_rng(1).random((4, 28, 28)).astype(np.float32)
    assert np.allclose(inference.encode(loaded, images), inference.encode(models[kind], images), atol=1e-5)
    z = np.array([[0.5, -1.0], [2.0, 0.0]], dtype=np.float32)
    assert np.allclose(inference.decode(loaded, z), inference.decode(models[kind], z), atol=1e-5)


def test_bad_input_raises(models):
    with pytest.raises(AudioMLError, match="dcae, vae"):
        latent.build_latent_model("gan")
    with pytest.raises(AudioMLError, match="alpha"):
        latent.build_latent_model("vae", alpha=-1)
    with pytest.raises(AudioMLError, match=r"\(n, 2\)"):
        inference.decode(models["dcae"], np.zeros((3, 5)))
    with pytest.raises(AudioMLError, match="28, 28"):
        inference.encode(models["dcae"], np.zeros((3, 32, 32)))
    with pytest.raises(AudioMLError, match="finite"):
        inference.decode(models["vae"], np.array([[0.0, np.nan]]))
    with pytest.raises(AudioMLError, match="steps"):
        inference.grid_points(steps=1)
    with pytest.raises(AudioMLError, match=r"\(n, 2\)"):
        inference.code_extent(np.zeros((5, 3)))
    with pytest.raises(AudioMLError, match="between 1 and"):
        inference.sample(models["vae"], 0)


def test_grid_manifold_and_samples(models):
    points = inference.grid_points(extent=(-1, 1, -2, 2), steps=3)
    assert points.shape == (9, 2)
    assert points[0].tolist() == [-1.0, 2.0] and points[-1].tolist() == [1.0, -2.0]
    image = inference.manifold(models["vae"], steps=4)
    assert image.shape == (112, 112)
    draws = inference.prior_draws(5000, seed=2)
    assert abs(draws.mean()) < 0.05 and abs(draws.std() - 1) < 0.05
    a, b = inference.sample(models["vae"], 3, seed=7), inference.sample(models["vae"], 3, seed=7)
    assert a.shape == (3, 28, 28) and np.array_equal(a, b)
    tiled = inference.tile(np.ones((5, 2, 3)), columns=2)
    assert tiled.shape == (6, 6) and tiled[4:, 3:].sum() == 0


def test_code_extent_holds_most_codes_and_ignores_outliers():
    rng = np.random.default_rng(4)
    codes = np.concatenate([rng.uniform([-2, 0], [2, 5], size=(995, 2)), np.full((5, 2), 100.0)])
    x0, x1, y0, y1 = inference.code_extent(codes)
    assert -2 < x0 < -1.8 and 1.8 < x1 < 2.2 and 0 < y0 < 0.3 and 4.7 < y1 < 5.2
    inside = (codes[:, 0] >= x0) & (codes[:, 0] <= x1) & (codes[:, 1] >= y0) & (codes[:, 1] <= y1)
    assert 0.9 < inside.mean() < 0.99


def test_shipped_models_load_through_the_topic_loader():
    from audioml.latent.judge import JUDGE_NAME, load_shipped_judge
    from audioml.registry import list_cards

    if not {"latent_dcae", "latent_vae", JUDGE_NAME} <= {c["name"] for c in list_cards("latent")}:
        pytest.skip("latent models not shipped")
    for kind in latent.KINDS:
        model = latent.load_latent(kind)
        assert model.get_layer("decoder").inputs[0].shape[-1] == 2
    assert load_shipped_judge().output_shape == (None, 11)
    with pytest.raises(AudioMLError, match="latent_vae"):
        latent.load_shipped("latent_nothing")   # the message lists what is shipped


def test_no_judge_shipped_is_none(tmp_path):
    from audioml.latent.judge import load_shipped_judge

    assert load_shipped_judge(tmp_path) is None


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "ten"])
def test_alpha_has_one_check_that_every_entry_point_uses(bad):
    from audioml.latent.evaluate import alpha_study
    from audioml.latent.recipe import preset

    with pytest.raises(AudioMLError, match="alpha must be") as err:
        latent.check_alpha(bad)
    message = str(err.value)
    for call in (lambda: latent.build_latent_model("vae", alpha=bad),
                 lambda: preset("vae", alpha=bad), lambda: preset("alpha_study", alphas=[10, bad]),
                 lambda: alpha_study(None, [bad], epochs=1)):
        with pytest.raises(AudioMLError) as raised:
            call()
        assert str(raised.value) == message
    assert latent.check_alpha(784) == 784.0
