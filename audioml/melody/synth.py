"""A small numpy synthesiser so a melody can be heard without a MIDI player.

Each note is a few harmonics with a pluck-like envelope (quick attack, exponential
decay, short release so repeated notes are heard as two). Rests are silence.
"""

from __future__ import annotations

import numpy as np

from audioml.errors import AudioMLError
from audioml.melody.encoding import STEPS_PER_QUARTER, Melody

#: Relative amplitudes of the first harmonics: a soft, recorder-like tone.
HARMONICS = (1.0, 0.35, 0.15, 0.06)


def synthesize(melody: Melody, *, sr: int = 22050, tempo_bpm: float = 100.0,
               gain: float = 0.3) -> np.ndarray:
    """Render *melody* as audio.

    Parameters
    ----------
    melody : Melody
        The notes (sixteenth grid).
    sr : int
        Sample rate in Hz.
    tempo_bpm : float
        Quarter notes a minute, 30..300.
    gain : float
        Peak level of one note, in (0, 1].

    Returns
    -------
    np.ndarray [shape=(n,), dtype=float32]
        Samples in [-1, 1].
    """
    if not 30 <= tempo_bpm <= 300:
        raise AudioMLError(f"tempo must be 30-300 quarter notes a minute; got {tempo_bpm}")
    step_s = 60.0 / tempo_bpm / STEPS_PER_QUARTER
    notes = melody.notes()
    total = int(round(sum(d for _, d in notes) * step_s * sr)) + int(0.3 * sr)
    out = np.zeros(total, np.float32)
    clock = 0.0
    for pitch, steps in notes:
        dur = steps * step_s
        start = int(round(clock * sr))
        clock += dur
        if pitch is None:
            continue
        n = int(round(dur * sr))
        t = np.arange(n) / sr
        f0 = 440.0 * 2 ** ((pitch - 69) / 12)
        tone = sum(a * np.sin(2 * np.pi * f0 * (k + 1) * t) for k, a in enumerate(HARMONICS)
                   if f0 * (k + 1) < sr / 2)
        attack = np.minimum(t / 0.01, 1.0)
        decay = np.exp(-t / max(0.6, dur))
        release = np.clip((dur - t) / 0.03, 0.0, 1.0)
        note = gain * tone / sum(HARMONICS) * attack * decay * release
        out[start:start + n] += note[: len(out) - start].astype(np.float32)
    return np.clip(out, -1.0, 1.0)
