"""Melody generation: an LSTM trained on folk songs continues a melody you start.

Modules, each with one job (encoding apart from model apart from generator):

``encoding``  symbols on a sixteenth grid, seeds, the vocabulary (pure Python)
``corpus``    parse **kern/ABC/MusicXML with music21, filter, transpose, encode, cache
``model``     the LSTM builder, presets, saving/loading, one-step numpy inference
``train``     whole-song training and next-step evaluation
``ngram``     the n-gram baseline
``generate``  seed checks, temperature sampling, stopping at the end of a phrase
``score``     music21 stream, Verovio SVG, MIDI/MusicXML/**kern exports
``synth``     numpy synthesis for listening
``analysis``  key, notes in key, tonic ending, histograms, copy detection
``recipe``    the shipped model's recipe: load songs, train, measure, write card and report

Only the two entry points below are imported eagerly; TensorFlow loads with the model.
"""

from __future__ import annotations

from functools import lru_cache

from audioml.melody.encoding import Melody

#: The shipped model's name in ``models/``.
MODEL_NAME = "melody_lstm"

__all__ = ["Melody", "MODEL_NAME", "generate_melody", "render_score", "shipped_model", "shipped_vocabulary"]


def _melody_card(name: str) -> dict:
    from audioml.errors import AudioMLError
    from audioml.registry import get_card, list_cards

    card = get_card(name)
    if card["task"] != "melody":
        names = ", ".join(c["name"] for c in list_cards(task="melody")) or "none shipped"
        raise AudioMLError(f"model {name!r} is a {card['task']} model; melody models: {names}")
    return card


@lru_cache(maxsize=2)
def shipped_model(name: str = MODEL_NAME):
    """Shipped melody model *name* from ``models/``, loaded once per process.

    Raises
    ------
    AudioMLError
        When no model has that name, it is not a melody model, or its files are missing.
    """
    from audioml.melody.model import load
    from audioml.registry import model_path

    return load(_melody_card(name), model_path(name))


def shipped_vocabulary(name: str = MODEL_NAME):
    """The vocabulary of shipped melody model *name*, read without loading the model.

    Raises
    ------
    AudioMLError
        As :func:`shipped_model`.
    """
    from audioml.melody.model import load_vocabulary
    from audioml.registry import model_path

    return load_vocabulary(_melody_card(name), model_path(name))


def generate_melody(seed=None, steps: int = 128, temperature: float = 1.0, random_seed: int | None = None,
                    *, model=None, meter: str = "4/4", pickup_steps: int = 0):
    """Continue *seed* with the shipped LSTM.

    Parameters
    ----------
    seed : str, sequence of str, Melody or None
        Symbols on the sixteenth grid such as ``"60 _ _ _ 62 _ _ _"`` (MIDI pitch at an onset,
        ``_`` to hold, ``r`` for a rest), or a Melody; None lets the model start.
    steps : int
        Budget of sixteenths to generate (generation ends at the song delimiter, or at the end of
        a phrase shortly after the budget).
    temperature : float
        Sampling temperature, positive and finite (1 = as trained).
    random_seed : int, optional
        Makes the result repeatable.
    model : MelodyModel or str, optional
        A trained model, or the name of a shipped one (default :data:`MODEL_NAME`). A name is
        loaded only after every other argument has been checked, so bad input fails at once.
    meter, pickup_steps
        Bar of a text seed.

    Returns
    -------
    GeneratedMelody
        Symbols, meter, key, and the step-by-step trace.

    Examples
    --------
    >>> import audioml
    >>> m = audioml.generate_melody("60 _ _ _ 62 _ _ _", steps=64, random_seed=1)
    >>> svg = audioml.render_score(m)
    """
    from audioml.melody.encoding import bar_steps_for, parse_seed
    from audioml.melody.generate import check_steps, check_temperature, generate

    if model is None or isinstance(model, str):
        # Check what can be checked before TensorFlow loads, the seed against the model's
        # vocabulary file (generate checks it again).
        if isinstance(seed, str):
            parse_seed(seed, vocabulary=shipped_vocabulary(model or MODEL_NAME))
        check_steps(steps)
        check_temperature(temperature)
        bar_steps_for(meter)
        model = shipped_model(model or MODEL_NAME)
    return generate(model, seed, steps=steps, temperature=temperature, random_seed=random_seed,
                    meter=meter, pickup_steps=pickup_steps)


def render_score(melody: Melody) -> str:
    """Engrave *melody* as sheet music with Verovio; return the SVG text
    (:func:`audioml.melody.score.render_svg`)."""
    from audioml.melody.score import render_svg

    return render_svg(melody)
