"""The generator gives the melodies it gave before it was split into short functions.

Each case's result (symbols, stop reason, key and the whole step-through trace) was recorded as a
digest with the shipped model's weights, before the split; together the cases take every path:
no seed, a text seed, a Melody seed with an upbeat, an end refused by the cadence rule, no
cadence rule, no trace, and the three ways of stopping.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from audioml.melody import MODEL_NAME, shipped_model
from audioml.melody.encoding import Melody
from audioml.melody.generate import generate
from audioml.registry import list_cards, model_path

#: The first 16 hex digits of the SHA-256 of the weights the digests were recorded with.
WEIGHTS = "00b97ad1121f4ae2"
UPBEAT = Melody(symbols=tuple("67 _ _ _ 72 _ _ _ _ _ 74 _ 76 _ _ _".split()), bar_steps=12,
                pickup_steps=4, meter="3/4")
#: name: (seed, options, (stop reason, length, digest)).
CASES = {
    "no seed": (None, dict(steps=128, random_seed=0), ("phrase end", 128, "24fc190871b57026")),
    "text seed": ("60 _ _ _ 62 _ _ _ 64 _ _ _", dict(steps=128, random_seed=1),
                  ("delimiter", 108, "73a7b3ab0f9ff8a6")),
    "a held tonic ends the bar": ("67 _ _ _ 67 _ 69 _ 71 _ _ _ r _ _ _ 72 _ _ _",
                                  dict(steps=512, temperature=0.1, random_seed=0, meter="3/4"),
                                  ("phrase end", 552, "b4f7809070a3713b")),
    "hot and short": ("60 _", dict(steps=16, temperature=2.5, random_seed=4),
                      ("allowance spent", 50, "689b22da6e4c0a02")),
    "no cadence rule": (None, dict(steps=128, random_seed=5, cadence=False),
                        ("phrase end", 128, "97a368a4c6287cc6")),
    "no trace": ("72 _ 67 _ 64 _ 67 _", dict(steps=64, random_seed=2, meter="2/4", trace=False),
                 ("phrase end", 88, "de865d6aee92be1d")),
    "melody seed": (UPBEAT, dict(steps=96, random_seed=3), ("phrase end", 124, "19edac479b71014d")),
    "end refused": ("60 _ _ _ 62 _", dict(steps=64, temperature=1.5, random_seed=6),
                    ("allowance spent", 102, "a4e1a028bf1a2f82")),
    "6/8 with an upbeat": ("67 _ 72 _ _ _", dict(steps=48, random_seed=6, meter="6/8", pickup_steps=2),
                           ("phrase end", 86, "ca63984470eab3dd")),
}


def _digest(melody) -> str:
    data = {"symbols": melody.text, "stop": melody.stop_reason, "seed_steps": melody.seed_steps,
            "key": [melody.tonic, melody.mode], "meter": melody.meter, "pickup": melody.pickup_steps,
            "trace": melody.trace}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=repr).encode()).hexdigest()[:16]


@pytest.fixture(scope="module")
def model():
    if not list_cards(task="melody"):
        pytest.skip("no melody model shipped")
    if hashlib.sha256(model_path(MODEL_NAME).read_bytes()).hexdigest()[:16] != WEIGHTS:
        pytest.skip("the shipped weights are not those the digests were recorded with")
    return shipped_model()


@pytest.mark.parametrize("name", list(CASES))
def test_same_inputs_give_the_melody_recorded_before_the_split(model, name):
    seed, options, expected = CASES[name]
    melody = generate(model, seed, **options)
    assert (melody.stop_reason, len(melody), _digest(melody)) == expected
    if name == "end refused":
        assert any(r["end_refused"] for r in melody.trace)
    if name == "no trace":
        assert melody.trace == ()
