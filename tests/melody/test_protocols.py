"""The paper's protocol (windows split at random) against ours (whole songs held out), on toy songs."""

from __future__ import annotations

import numpy as np
import pytest

from audioml.errors import AudioMLError
from audioml.melody import protocols as pr
from audioml.melody.encoding import DELIMITER


@pytest.fixture
def songs(toy_songs):
    """Toy songs, each opened by a pitch of its own, so no two songs share a window's content
    (a toy song is 64 steps: every window that predicts one of its notes holds its first note)."""
    return [s.with_symbols((str(40 + k),) + s.symbols[1:]) for k, s in enumerate(toy_songs(12))]


def test_windows_are_the_stream_cut_one_step_apart(songs):
    w = pr.make_windows(songs, window=16)
    stream_length = 16 + sum(len(s) + 16 for s in songs)
    assert len(w) == stream_length - 16 and w.inputs.shape == (len(w), 16)
    # Window i + 1 is window i moved on by one step: its last input is window i's target.
    assert np.array_equal(w.inputs[1:, :-1], w.inputs[:-1, 1:])
    assert np.array_equal(w.inputs[1:, -1], w.targets[:-1])
    # The first window is all delimiters and predicts the first song's first note.
    delim = w.vocab.index[DELIMITER]
    assert (w.inputs[0] == delim).all() and w.vocab.symbols[w.targets[0]] == songs[0].symbols[0]
    assert w.song[0] == 0 and w.song[-1] == len(songs) - 1 and w.songs == len(songs)
    # Musical targets are each song's symbols, once.
    assert w.musical.sum() == sum(len(s) for s in songs)
    with pytest.raises(AudioMLError, match="no songs"):
        pr.make_windows([])


def _covered_positions(w: pr.Windows, train: np.ndarray) -> set[int]:
    """Stream positions some training window shows as input (plain loops, for checking)."""
    return {int(p) - k for p in w.position[train] for k in range(1, w.window + 1)}


def test_the_random_window_split_leaks_and_the_song_split_does_not(songs):
    w = pr.make_windows(songs, window=pr.WINDOW)   # the paper's 64 steps: a whole toy song

    train, test = pr.split_random(w, seed=0)
    assert len(set(train) & set(test)) == 0 and len(train) + len(test) == len(w)
    assert len(test) == round(0.2 * len(w))
    musical_test = test[w.musical[test]]
    # Content: a test window's context moved on by one step (ending in the test answer) is,
    # symbol for symbol, the input of a training window.
    seen = {tuple(row) for row in w.inputs[train]}
    moved = [tuple(w.inputs[i, 1:]) + (w.targets[i],) for i in musical_test]
    leaked = sum(m in seen for m in moved)
    assert leaked > 0.5 * len(moved)
    # Place: almost every test answer lies inside a training window's inputs.
    covered = _covered_positions(w, train)
    assert np.mean([int(w.position[i]) in covered for i in musical_test]) > 0.9
    leak = pr.leakage(w, train, test)
    assert leak["continuation_in_training"] == pytest.approx(leaked / len(moved))
    assert leak["target_in_training_inputs"] > 0.9 and leak["test_windows"] == len(musical_test)

    train, test = pr.split_by_song(w, seed=0)
    assert len(train) + len(test) == len(w)
    test_songs, train_songs = set(w.song[test]), set(w.song[train])
    assert len(test_songs) == round(0.2 * len(songs)) and not test_songs & train_songs
    musical_test = test[w.musical[test]]
    seen = {tuple(row) for row in w.inputs[train]}
    moved = [tuple(w.inputs[i, 1:]) + (w.targets[i],) for i in musical_test]
    assert not any(m in seen for m in moved)                      # no content seen in training
    covered = _covered_positions(w, train)
    assert not any(int(w.position[i]) in covered for i in musical_test)   # nor any place
    leak = pr.leakage(w, train, test)
    assert leak["target_in_training_inputs"] == 0 and leak["continuation_in_training"] == 0


def test_splits_are_seeded_and_need_two_songs(songs):
    w = pr.make_windows(songs, window=8)
    a, b = pr.split_random(w, seed=3), pr.split_random(w, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(pr.split_random(w, seed=4)[1], a[1])
    with pytest.raises(AudioMLError, match="at least 2 songs"):
        pr.split_by_song(pr.make_windows(songs[:1], window=8))


def test_a_small_network_trains_and_is_scored_on_windows(songs):
    w = pr.make_windows(songs, window=16)
    train, test = pr.split_by_song(w, seed=0)
    net, history = pr.train_windows(w, train, units=8, epochs=2, batch_size=64, learning_rate=1e-2)
    assert history["epochs_run"] == 2 and len(history["loss"]) == 2
    assert net.output_shape == (None, len(w.vocab))
    scores = pr.evaluate_windows(net, w, test)
    assert 0 <= scores["accuracy"] <= 1 and 0 <= scores["accuracy_all"] <= 1
    assert scores["windows"] == len(test) and scores["musical_windows"] == int(w.musical[test].sum())
    assert 0 < scores["always_hold"] < 1
