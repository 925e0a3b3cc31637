"""The FSDD loader and its splits, on a fake folder and (when present) the real data."""

from __future__ import annotations

import numpy as np
import pytest

from audioml.denoising import fsdd
from audioml.denoising.evaluate import evaluate
from audioml.errors import AudioMLError
from audioml.registry import list_cards


@pytest.fixture
def fake_fsdd(tmp_path, make_fsdd):
    return make_fsdd(tmp_path / "fsdd")


def test_lists_well_named_files(fake_fsdd):
    recs = fsdd.list_recordings(fake_fsdd)
    assert len(recs) == 60
    assert fsdd.speakers(recs) == ["ann", "bob", "cat"]
    assert recs[0].digit in range(10)


def test_random_split_is_80_20_and_fixed(fake_fsdd):
    recs = fsdd.list_recordings(fake_fsdd)
    train, test = fsdd.split(recs, kind="random", seed=0)
    assert len(test) == 12 and len(train) == 48
    assert not {r.path for r in train} & {r.path for r in test}
    assert fsdd.split(recs, kind="random", seed=0)[1] == test


def test_speaker_split_holds_one_speaker_out(fake_fsdd):
    recs = fsdd.list_recordings(fake_fsdd)
    train, test = fsdd.split(recs, kind="speaker", test_speaker="bob")
    assert {r.speaker for r in test} == {"bob"}
    assert "bob" not in {r.speaker for r in train}
    with pytest.raises(AudioMLError, match="ann, bob, cat"):
        fsdd.split(recs, kind="speaker", test_speaker="zed")
    with pytest.raises(AudioMLError, match="random, speaker"):
        fsdd.split(recs, kind="by-digit")


def test_clear_message_without_data(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOML_DATA", str(tmp_path))
    with pytest.raises(AudioMLError, match="--download"):
        fsdd.list_recordings(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(AudioMLError, match="no FSDD recordings"):
        fsdd.list_recordings(tmp_path / "empty")


@pytest.mark.slow
def test_real_fsdd_splits(shared_data):
    recs = fsdd.list_recordings(shared_data("fsdd"))
    train, test = fsdd.split(recs, kind="speaker", test_speaker="theo")
    assert {r.speaker for r in test} == {"theo"}
    clips = fsdd.load_clips(test[:3])
    assert all(c.dtype == np.float32 and c.ndim == 1 for c in clips)


@pytest.mark.slow
def test_evaluation_on_real_fsdd(shared_data):
    """Shipped mask net against noisy input and noisereduce on a few held-out clips."""
    if "masknet_denoiser" not in {c["name"] for c in list_cards(task="denoise")}:
        pytest.skip("the mask net is not shipped")
    recs = fsdd.list_recordings(shared_data("fsdd"))
    _, test = fsdd.split(recs, kind="speaker", test_speaker="theo")
    report = evaluate(["masknet_denoiser"], test[::50], snr_db=5.0)
    methods = report["methods"]
    assert set(methods) == {"noisy", "masknet_denoiser", "noisereduce"}
    assert methods["masknet_denoiser"]["si_sdr_improvement_db"] > 3
    assert methods["masknet_denoiser"]["test_overlaps_training"] is False
    assert methods["noisy"]["pesq_failures"] < report["clips"]
    # The clean-neighbour oracle knows the clean clip, so it sits far below the noisy input.
    oracle = report["references"]["clean_neighbour_oracle_mse"]
    assert 0 < oracle < methods["noisy"]["spectrogram_mse"] / 5
