"""Training: the autoencoders and the mask net learn, augmentation, mask tuning."""

from __future__ import annotations

import numpy as np
import pytest

from audioml.denoising.denoisers import MaskDenoiser
from audioml.denoising.masknet import build_masknet
from audioml.denoising.train import build_autoencoder, random_eq, train_autoencoder, train_masknet
from audioml.denoising.tune import tune_mask
from audioml.errors import AudioMLError


@pytest.mark.parametrize("arch", ["dcae", "vae"])
def test_autoencoder_shapes(arch):
    model = build_autoencoder(arch, learning_rate=1e-3)
    assert model.output_shape == (None, 257, 18, 1)


def test_tiny_autoencoder_training_lowers_the_loss(speech):
    clips = [speech(w) for w in ("one", "two", "three", "four")] * 4
    _, history = train_autoencoder("dcae", clips, epochs=4, learning_rate=2e-3, batch_size=8)
    assert history["epochs"] == 4
    assert history["mse"][-1] < history["mse"][0]


def test_tiny_masknet_training_raises_si_sdr(speech):
    clips = [speech(w) for w in ("one", "two", "three", "four", "five")]
    _, history = train_masknet(clips, epochs=4, steps_per_epoch=8, batch_size=4,
                               learning_rate=3e-3, snr_range=(5.0, 5.0),
                               config={"width": 16, "dilations": [1, 2]})
    assert history["epochs"] == 4
    assert history["loss"][-1] < history["loss"][0]
    assert history["si_sdr"][-1] > history["si_sdr"][0]


def test_random_eq_colours_within_its_bound():
    y = np.random.default_rng(1).standard_normal(12000).astype(np.float32)
    rng = np.random.default_rng(0)
    for _ in range(5):
        out = random_eq(y, max_db=6.0, rng=rng)
        gain_db = 20 * np.log10(np.abs(np.fft.rfft(out)) / np.abs(np.fft.rfft(y)))
        assert out.shape == y.shape and out.dtype == np.float32
        assert np.max(np.abs(gain_db)) == pytest.approx(6.0, abs=0.01)
        assert np.max(gain_db) - np.min(gain_db) > 3  # a colour, not a plain gain


def test_tune_mask_scores_the_grid_and_picks_by_pesq(speech):
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
