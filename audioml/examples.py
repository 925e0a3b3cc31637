"""Spoken example clips shipped with the package (synthetic speech, made by scripts/make_examples.sh)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audioml.audio import load_audio
from audioml.errors import AudioMLError

EXAMPLES_DIR = Path(__file__).parent / "example_clips"

#: name -> what is said
EXAMPLES = {
    "seven": "the digit 'seven' (US English voice)",
    "three": "the digit 'three' (British English voice)",
    "nine": "the digit 'nine' (higher voice)",
    "sentence": "“A spectrogram shows how the energy of a sound changes over time.”",
}


def load_example(name: str, *, sr: int | None = None) -> tuple[np.ndarray, int]:
    """Load shipped example *name*, resampled to *sr* Hz when given."""
    if name not in EXAMPLES:
        raise AudioMLError(f"unknown example {name!r}; choose one of {', '.join(EXAMPLES)}")
    return load_audio(EXAMPLES_DIR / f"{name}.wav", sr=sr)
