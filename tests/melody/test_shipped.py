"""The shipped melody model on real songs: loads by its card, predicts, generates, engraves."""

from __future__ import annotations

import pytest

import audioml
from audioml.melody import MODEL_NAME, shipped_model
from audioml.registry import REQUIRED_KEYS, get_card, list_cards, model_path
from audioml.shipped import load_model

pytestmark = pytest.mark.skipif(not list_cards(task="melody"), reason="no melody model shipped")


@pytest.fixture(scope="module")
def model():
    return load_model(MODEL_NAME)


def test_card_is_complete():
    card = get_card(MODEL_NAME)
    assert set(REQUIRED_KEYS) <= set(card) and "module" not in card
    assert card["task"] == "melody" and model_path(MODEL_NAME).is_file()
    assert (model_path(MODEL_NAME).parent / card["vocabulary"]).is_file()
    assert card["preprocessing"]["songs_kept"] > 0 and card["preprocessing"]["dropped"]
    assert card["retrain_command"].startswith("audioml train melody")


def test_the_task_loader_and_the_topic_loader_agree(model):
    """audioml.shipped (what the app uses) and audioml.melody.shipped_model load the same model."""
    topic = shipped_model(MODEL_NAME)
    assert type(topic) is type(model)
    assert topic.vocab.symbols == model.vocab.symbols and topic.config == model.config
    a = audioml.generate_melody("60 _ _ _", steps=32, random_seed=2, model=model)
    assert a.symbols == audioml.generate_melody("60 _ _ _", steps=32, random_seed=2).symbols


def test_top_level_api_generates_and_renders(model):
    melody = audioml.generate_melody("60 _ _ _ 62 _ _ _", steps=128, temperature=1.0, random_seed=3)
    assert melody.symbols[:8] == ("60", "_", "_", "_", "62", "_", "_", "_")
    assert len(melody) > melody.seed_steps == 8
    assert audioml.render_score(melody).count("<use") > 10


@pytest.mark.slow
def test_real_songs_of_the_unseen_collection(model, shared_data):
    from audioml.melody.corpus import load_corpus
    from audioml.melody.train import evaluate

    folder = shared_data("kern") / "essen-deutschl" / "fink"
    if not folder.is_dir():
        pytest.skip("the fink collection is not in the kern data")
    corpus = load_corpus(folder, limit=40, cache=False)
    assert corpus.counts["songs_kept"] >= 25
    scores = evaluate(model, corpus.songs)
    assert scores["accuracy"] > scores["always_hold"] + 0.05
    assert scores["onset_accuracy"] > 0.3


#: A seed that sends the model into a loop on C, C, B, A, G at a low temperature: a key analysis
#: over all 24 keys names F major for it, which put a B flat in the signature and a natural
#: before every B.
LOOP_SEED = "67 _ _ _ 67 _ 69 _ 71 _ _ _ r _ _ _ 72 _ _ _"


def test_the_score_is_engraved_in_the_models_key(model):
    from music21 import converter

    from audioml.melody import analysis, score
    from audioml.melody.corpus import TRANSPOSED_TO

    melody = audioml.generate_melody(LOOP_SEED, steps=512, temperature=0.1, random_seed=0,
                                     model=model, meter="3/4")
    assert (melody.tonic, melody.mode) in {(name, mode) for mode, (_, name) in TRANSPOSED_TO.items()}
    sheet = score.to_stream(melody)
    xml = score.to_musicxml(melody, stream=sheet).decode()
    assert "<fifths>0</fifths>" in xml and "<accidental>" not in xml  # no B flat, no naturals
    parsed = converter.parseData(xml, format="musicxml")
    assert {k.sharps for k in parsed.recurse().getElementsByClass("KeySignature")} == {0}
    found = analysis.analyze(melody, stream=sheet)
    written = found["written"]
    assert written["key"] == f"{melody.tonic} {melody.mode}"
    assert written["in_key_share"] == 1.0 and written["ends_on_tonic"]
    assert found["key"] != written["key"]  # the 24-key analysis would still say F major here


def test_the_cards_generation_figures_are_the_models(model):
    """The card's figures on generated melodies are what its recorded settings give today, in
    the key the score is engraved in (``*_model_key``) and in the key music21 finds."""
    from audioml.melody.recipe import measure_generation

    card = get_card(MODEL_NAME)
    assert card["generation"]["melodies"] >= 20 and "model's key" in card["generation"]["keys"]
    fresh = measure_generation(model, card)
    assert {k for k in fresh if k.endswith("_model_key")} == {
        "in_key_share_model_key", "tonic_endings_model_key",
        "tonic_endings_without_cadence_rule_model_key", "in_key_share_without_cadence_rule_model_key"}
    for key, value in fresh.items():
        assert card["metrics"][key] == pytest.approx(value, abs=1e-9), key


def test_generation_figures_judge_the_written_key_and_music21s_key(model):
    """``*_model_key`` counts endings on the tonic of the melody's own key (the cadence rule's),
    the plain names those of music21's 24-key analysis."""
    from audioml.melody.analysis import analyze
    from audioml.melody.generate import generate
    from audioml.melody.recipe import QUALITY_METERS, generation_quality

    quality = generation_quality(model, n=4, steps=64)
    found = [analyze(generate(model, None, steps=64, random_seed=i, meter=QUALITY_METERS[i], trace=False))
             for i in range(4)]
    assert quality["tonic_endings_model_key"] == sum(a["written"]["ends_on_tonic"] for a in found) / 4
    assert quality["tonic_endings"] == sum(a["ends_on_tonic"] for a in found) / 4
    assert quality["in_key_share_model_key"] == pytest.approx(
        sum(a["written"]["in_key_share"] for a in found) / 4)
