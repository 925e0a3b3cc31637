"""The mask net: its builder, growing it, and how its mask is applied."""

from __future__ import annotations

import numpy as np
import pytest

from audioml.denoising.masknet import build_masknet, shape_mask, transfer_weights
from audioml.errors import AudioMLError
from audioml.registry import load_keras_model


def test_masknet_takes_any_length_and_gives_a_mask():

    model = build_masknet(width=8, dilations=[1, 2])
    for frames in (3, 40):
        out = np.asarray(model(np.random.rand(2, frames, 257).astype("float32")))
        assert out.shape == (2, frames, 257)
        assert out.min() >= 0 and out.max() <= 1


def test_masknet_refuses_bad_config():
    with pytest.raises(AudioMLError):
        build_masknet(width=0)


def test_grown_masknet_starts_where_the_trained_one_was(tmp_path, speech):
    """Adding the GRU block to a trained net changes nothing until training moves it,
    and the grown net saves and reloads through safe mode."""

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


def test_shape_mask_presses_uncertain_gains_and_keeps_a_floor():
    m = np.array([0.0, 0.25, 0.5, 1.0])
    np.testing.assert_allclose(shape_mask(m), m)
    shaped = shape_mask(m, power=2.0, floor=0.1)
    np.testing.assert_allclose(shaped, [0.1, 0.1, 0.25, 1.0])
    with pytest.raises(AudioMLError, match="power"):
        shape_mask(m, power=0.0)
    with pytest.raises(AudioMLError, match="floor"):
        shape_mask(m, floor=1.0)


def test_the_receptive_field_is_what_the_docstring_says():
    """Change one frame: the output frames that move are the receptive field (127). (After the
    input's normalisation, whose statistics span the clip.)"""
    import keras
    import numpy as np

    from audioml.denoising.masknet import build_masknet, receptive_field

    assert receptive_field() == 127
    full = build_masknet(n_bins=4, width=32, gru_units=0)   # wide: no path dies at a ReLU
    net = keras.Model(full.get_layer("log_norm").output, full.output)
    x = np.random.default_rng(0).uniform(0.1, 1.0, (1, 301, 4)).astype(np.float32)
    bumped = x.copy()
    bumped[0, 150] *= 5.0
    moved = np.abs(net.predict(bumped, verbose=0) - net.predict(x, verbose=0)).max(axis=(0, 2)) > 0
    assert moved.sum() == receptive_field() and moved[150 - 63] and moved[150 + 63]
    assert "127 frames" in build_masknet.__doc__
