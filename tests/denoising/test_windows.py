"""Any length through a fixed-size model: overlap-add."""

from __future__ import annotations

import numpy as np
import pytest

from audioml.denoising.features import PAPER_TRANSFORM
from audioml.denoising.windows import frames_of, overlap_add
from audioml.errors import AudioMLError


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
