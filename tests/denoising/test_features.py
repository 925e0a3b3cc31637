"""The method's images: the fixed transform, training pairs and datasets, the oracle."""

from __future__ import annotations

import numpy as np
import pytest

from audioml.audio import fix_length
from audioml.denoising.evaluate import neighbour_oracle_mse
from audioml.denoising.features import (FLOOR_DB, PAPER_TRANSFORM, SpectrogramTransform, paper_dataset,
                                        paper_pair, target_state)
from audioml.errors import AudioMLError
from audioml.noise import add_noise
from audioml.spectral import spectral_convergence


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


def test_paper_dataset_shapes(speech):
    clips = [speech("one"), speech("two")]
    x, y = paper_dataset(clips, snr_db=10.0, seed=0)
    assert x.shape == y.shape == (2, 257, 18, 1)
    x2, _ = paper_dataset(clips, snr_db=10.0, seed=0)
    np.testing.assert_array_equal(x, x2)


def test_neighbour_oracle_sees_only_the_clean_image(speech):
    """The oracle's score depends on the clean clip, not on how noisy the input is
    (the noise only sets the top of the scale), and it is zero for a flat spectrum."""

    clean = fix_length(speech("seven"), 4400)
    at_10 = neighbour_oracle_mse(clean, add_noise(clean, 10.0, seed=0))
    at_0 = neighbour_oracle_mse(clean, add_noise(clean, 0.0, seed=0))
    assert 0 < at_10 < 0.05 and 0 < at_0 < 0.05
    assert paper_pair(clean, add_noise(clean, 10.0, seed=0))[1].shape == (257, 18)
    impulse = np.zeros(4400, np.float32)
    impulse[::256] = 1.0  # one click per frame: every frame's spectrum is flat
    assert neighbour_oracle_mse(impulse, impulse) < 1e-6


def test_spectrogram_transform_shape_and_inverse(speech):
    transform = SpectrogramTransform()
    y = speech("seven")[: transform.n_samples]
    x01, state = transform.forward(y)
    assert x01.shape == transform.shape == (257, 18)
    assert x01.min() >= 0 and x01.max() <= 1
    back = transform.inverse(x01, state, phase="noisy")
    assert len(back) == transform.n_samples
    assert np.max(np.abs(back - np.pad(y, (0, transform.n_samples - len(y))))) < 1e-5


def test_spectrogram_transform_fixed_range_and_griffinlim(speech):
    transform = SpectrogramTransform()
    y = speech("three")
    x01, state = transform.forward(y, lo=-100.0, hi=40.0)
    assert state["lo"] == -100.0 and state["hi"] == 40.0
    rebuilt = transform.inverse(x01, state, phase="griffinlim", n_iter=50)
    mag = transform.magnitude(x01, state)
    assert spectral_convergence(rebuilt, mag, hop_length=256) < 0.3
    with pytest.raises(AudioMLError, match="phase"):
        transform.inverse(x01, state, phase="zero")
