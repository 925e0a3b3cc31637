"""The LSTM, its numpy step, training, generation, saving, synthesis and analysis (tiny models)."""

from __future__ import annotations

import io
import json
import zipfile

import h5py
import numpy as np
import pytest

import audioml.melody
from audioml.errors import AudioMLError
from audioml.melody import analysis, synth
from audioml.melody.encoding import Melody, notes_to_symbols
from audioml.melody.generate import ALLOWANCE_STEPS, first_bars, generate, temperature_probs
from audioml.melody.model import load, preset, save
from audioml.melody.ngram import NGramModel
from audioml.melody.train import evaluate, make_batches, train


@pytest.fixture(scope="module")
def tiny(toy_songs):
    songs = toy_songs()
    # Batches of two songs: 60 updates in 6 epochs, enough to learn more than symbol frequencies.
    model, history = train(songs[:20], songs[20:], config=preset("tiny", learning_rate=2e-2, batch_size=2),
                           epochs=6)
    return model, history, songs


def test_loss_falls_and_nll_beats_symbol_frequencies(tiny):
    model, history, songs = tiny
    assert history["loss"][-1] < history["loss"][0] * 0.8
    scores = evaluate(model, songs[20:])
    # Symbol frequencies alone (a unigram) score about 1.18 nats on these songs; the LSTM knows
    # where the bar is and how long the note has lasted.
    unigram = NGramModel(model.vocab, order=1, use_position=False).fit(songs[:20]).evaluate(songs[20:])
    assert scores["nll"] < 0.9 * unigram["nll"]
    assert scores["targets"] == sum(len(s) for s in songs[20:])  # the delimiter never counts


def test_numpy_step_matches_keras(tiny):
    model, _, songs = tiny
    inputs, targets, weight = make_batches(songs[:1], model.vocab, lookback_bars=model.config["lookback_bars"])[0]
    keras_p = model.predict_proba(inputs)[0]
    state, history = model.start_state(), []
    for t in range(int(weight.sum())):
        logits, state = model.step(state, int(inputs["symbols"][0, t]), int(inputs["positions"][0, t]),
                                   int(inputs["bars"][0, t]), model.lookback_ids(history, 16))
        history.append(int(targets[0, t]))
        p = np.exp(logits - logits.max())
        np.testing.assert_allclose(p / p.sum(), keras_p[t], atol=1e-5)


def test_generation_is_repeatable_and_stops(tiny):
    model, _, _ = tiny
    a = generate(model, "60 _ _ _ 62 _", steps=64, random_seed=3)
    b = generate(model, "60 _ _ _ 62 _", steps=64, random_seed=3)
    assert a.symbols == b.symbols
    assert a.symbols[:6] == ("60", "_", "_", "_", "62", "_") and a.seed_steps == 6
    assert len(a) <= 6 + 64 + ALLOWANCE_STEPS + 16  # budget, allowance, a final held bar
    assert a.stop_reason in ("delimiter", "phrase end", "allowance spent")
    # Trained on 64-step songs that end with the delimiter, the model ends songs by itself.
    ends = [generate(model, None, steps=512, random_seed=i).stop_reason for i in range(5)]
    assert "delimiter" in ends


def test_temperature_sharpens_and_flattens(tiny):
    logits = np.array([2.0, 1.0, 0.0, -1.0])
    before, cold = temperature_probs(logits, 0.5)
    _, hot = temperature_probs(logits, 2.0)
    assert cold[0] > before[0] > hot[0]
    assert hot.std() < before.std() < cold.std()
    model, _, _ = tiny
    g = generate(model, "60 _", steps=32, temperature=0.3, random_seed=0)
    record = g.trace[0]
    assert record["top_after"][0][1] >= record["top_before"][0][1]
    # Near-zero temperature is greedy: every seed gives the same melody.
    greedy = {generate(model, "60 _", steps=32, temperature=0.01, random_seed=i).symbols for i in range(3)}
    assert len(greedy) == 1


@pytest.mark.parametrize("kwargs, needle", [
    ({"steps": 0}, "steps"), ({"steps": -5}, "steps"), ({"steps": 10**7}, "steps"), ({"steps": 2.5}, "steps"),
    ({"temperature": 0}, "temperature"), ({"temperature": -1}, "temperature"),
    ({"temperature": float("nan")}, "temperature"), ({"temperature": float("inf")}, "temperature"),
    ({"seed": "60 _ 200 _"}, "outside the pitches the model knows"),
    ({"seed": "60 _", "meter": "7/0"}, "meter"), ({"seed": "60 _", "meter": "3/4", "pickup_steps": 12}, "pickup"),
])
def test_bad_generation_input(tiny, kwargs, needle):
    """generate's own checks; what a seed's text may hold is tested with parse_seed (test_encoding)."""
    model, _, _ = tiny
    seed = kwargs.pop("seed", "60 _")
    with pytest.raises(AudioMLError, match=needle):
        generate(model, seed, **kwargs)


@pytest.mark.parametrize("kwargs, needle", [
    ({"seed": "_ 60"}, "holds nothing"), ({"seed": ""}, "empty"), ({"steps": 0}, "steps"),
    ({"temperature": 0}, "temperature"), ({"meter": "7/0"}, "meter"),
    ({"seed": "60 _ 21 _"}, "outside the pitches the model knows"),
])
def test_bad_input_fails_before_the_shipped_model_loads(kwargs, needle, monkeypatch):
    def no_loading(name):
        raise AssertionError(f"loaded {name} for input that could be refused without it")

    monkeypatch.setattr(audioml.melody, "shipped_model", no_loading)
    with pytest.raises(AudioMLError, match=needle):
        audioml.melody.generate_melody(**{"seed": "60 _", **kwargs})

def test_save_and_load_give_identical_predictions(tiny, tmp_path):
    model, _, songs = tiny
    weights, vocab = save(model, tmp_path, "melody_tiny")
    again = load({"name": "melody_tiny", "config": {}}, weights)
    assert again.vocab.symbols == model.vocab.symbols and again.config == model.config
    inputs, _, _ = make_batches(songs[:4], model.vocab, lookback_bars=model.config["lookback_bars"])[0]
    np.testing.assert_array_equal(again.predict_proba(inputs), model.predict_proba(inputs))
    a = generate(model, "60 _", steps=64, random_seed=1)
    b = generate(again, "60 _", steps=64, random_seed=1)
    assert a.symbols == b.symbols and a.trace == b.trace
    assert set(json.loads(vocab.read_text())) == {"symbols", "config"}
    # Saved for inference: the weights file holds the layers' variables, not Adam's moments.
    with zipfile.ZipFile(weights) as archive:
        with h5py.File(io.BytesIO(archive.read("model.weights.h5"))) as h5:
            groups = []
            h5.visit(groups.append)
    assert any(g.startswith("layers/lstm") for g in groups)
    assert not [g for g in groups if "optimizer" in g]


def test_load_names_the_missing_file(tiny, tmp_path):
    model, _, _ = tiny
    weights, vocab = save(model, tmp_path, "melody_tiny")
    vocab.unlink()
    with pytest.raises(AudioMLError, match="vocabulary"):
        load({"name": "melody_tiny"}, weights)
    with pytest.raises(AudioMLError, match="weights"):
        load({"name": "melody_tiny"}, tmp_path / "absent.keras")


def test_synth_and_analysis():
    m = Melody(symbols=tuple(notes_to_symbols([(60, 4), (64, 4), (67, 4), (72, 4), (67, 4), (60, 12)])))
    y = synth.synthesize(m, sr=8000, tempo_bpm=120)
    assert y.dtype == np.float32 and np.abs(y).max() <= 1 and len(y) > 8000 * 3
    with pytest.raises(AudioMLError, match="tempo"):
        synth.synthesize(m, tempo_bpm=0)
    found = analysis.analyze(m)
    assert found["key"] == "C major" and found["in_key_share"] == 1.0 and found["ends_on_tonic"]


def test_copy_detection_finds_a_copied_stretch(toy_songs):
    songs = toy_songs(10, seed=5)
    index = analysis.build_copy_index(songs)
    copied = analysis.longest_shared(songs[3], index)
    assert copied["notes"] == len(songs[3].notes())
    assert copied["flagged"] == (copied["notes"] >= analysis.COPY_FLAG_NOTES)
    # The seed is not counted: skipping the first bar leaves the rest of the song.
    skipped = analysis.longest_shared(songs[3], index, skip_steps=16)
    first_bar = len(songs[3].with_symbols(songs[3].symbols[:16]).notes())
    assert skipped["notes"] == len(songs[3].notes()) - first_bar
    fresh = Melody(symbols=tuple(notes_to_symbols([(61, 3), (66, 5), (70, 1), (63, 7)] * 3)))
    assert analysis.longest_shared(fresh, index)["notes"] == 0


def test_first_bars():
    song = Melody(symbols=tuple("67 _ 72 _ _ _ 74 _ 76 _ _ _ _ _ _ _ 72".split()), meter="2/4",
                  bar_steps=8, pickup_steps=2)
    assert first_bars(song, 1).symbols == song.symbols[:10]
    with pytest.raises(AudioMLError):
        first_bars(song, 0)
