"""The Free Spoken Digit Dataset (FSDD): find it, read it, split it.

FSDD holds WAV recordings at 8 kHz, mono, named ``{digit}_{speaker}_{index}.wav``
(digit 0-9, index 0-49), in a ``recordings/`` folder. The public dataset is
github.com/Jakobovski/free-spoken-digit-dataset (CC BY-SA 4.0); the project
never ships its files. :func:`find_fsdd` looks in a folder you name, then
``$AUDIOML_DATA/fsdd``, then ``../shared/data/fsdd``; :func:`download_fsdd`
fetches the public copy where a network allows.

Two splits, both deterministic:

* ``"random"`` - 80/20 over all recordings with a fixed seed, as the method does.
* ``"speaker"`` - every recording of one speaker is held out for testing, so the
  figures say how a model fares on a voice it never heard.
"""

from __future__ import annotations

import io
import re
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audioml.errors import AudioMLError
from audioml.paths import find_data

SR = 8000
SPLITS = ("random", "speaker")
#: The speaker held out by the ``"speaker"`` split unless another is named.
DEFAULT_TEST_SPEAKER = "theo"
DEFAULT_SEED = 0
TEST_FRACTION = 0.2
DOWNLOAD_URL = "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/heads/master.zip"
HINT = ("Point to a folder holding FSDD's recordings/ (--data DIR), set $AUDIOML_DATA, or run "
        "with --download to fetch the public dataset "
        "(github.com/Jakobovski/free-spoken-digit-dataset, CC BY-SA 4.0).")
_NAME = re.compile(r"^(\d)_([a-z]+)_(\d+)\.wav$")


@dataclass(frozen=True)
class Recording:
    """One FSDD file: where it is and what its name says."""

    path: Path
    digit: int
    speaker: str
    index: int


def find_fsdd(folder: str | Path | None = None) -> Path:
    """The folder holding FSDD's WAV files (``recordings/`` inside it when present).

    Raises
    ------
    AudioMLError
        When no folder is found; the message says where it looked and how to get the data.
    """
    root = find_data("fsdd", folder, hint=HINT)
    return root / "recordings" if (root / "recordings").is_dir() else root


def download_fsdd(dest: str | Path) -> Path:
    """Fetch the public FSDD into ``dest/recordings`` and return that folder.

    Needs a network; raises :class:`AudioMLError` with the URL when there is none.
    """
    dest = Path(dest).expanduser()
    target = dest / "recordings"
    if target.is_dir() and any(target.glob("*.wav")):
        return target
    try:
        with urllib.request.urlopen(DOWNLOAD_URL, timeout=60) as response:  # noqa: S310 - fixed https URL
            archive = zipfile.ZipFile(io.BytesIO(response.read()))
    except (OSError, zipfile.BadZipFile) as err:
        raise AudioMLError(f"could not download FSDD from {DOWNLOAD_URL}: {err}") from None
    target.mkdir(parents=True, exist_ok=True)
    for member in archive.namelist():
        name = member.rsplit("/", 1)[-1]
        # Only flat, well-named WAV files are written: no paths from the archive are trusted.
        if "/recordings/" in member and _NAME.match(name):
            (target / name).write_bytes(archive.read(member))
    return target


def list_recordings(folder: str | Path | None = None) -> list[Recording]:
    """Every well-named WAV file of FSDD, sorted by name.

    Raises
    ------
    AudioMLError
        When the folder holds no ``{digit}_{speaker}_{index}.wav`` file.
    """
    root = find_fsdd(folder)
    found = []
    for path in sorted(root.glob("*.wav")):
        match = _NAME.match(path.name)
        if match:
            found.append(Recording(path, int(match[1]), match[2], int(match[3])))
    if not found:
        raise AudioMLError(f"no FSDD recordings ({{digit}}_{{speaker}}_{{index}}.wav) in {root}. {HINT}")
    return found


def speakers(recordings: list[Recording]) -> list[str]:
    """The speakers present, sorted."""
    return sorted({r.speaker for r in recordings})


def split(recordings: list[Recording], *, kind: str = "random", seed: int = DEFAULT_SEED,
          test_speaker: str = DEFAULT_TEST_SPEAKER) -> tuple[list[Recording], list[Recording]]:
    """Split *recordings* into (train, test).

    Parameters
    ----------
    kind : {"random", "speaker"}
        ``"random"``: a seeded permutation, the last :data:`TEST_FRACTION` for testing.
        ``"speaker"``: all of *test_speaker*'s recordings for testing, the rest for training.
    seed : int
        Seed of the random split (ignored by the speaker split).
    test_speaker : str
        The held-out speaker of the speaker split.
    """
    if kind not in SPLITS:
        raise AudioMLError(f"unknown split {kind!r}; choose one of {', '.join(SPLITS)}")
    if kind == "speaker":
        present = speakers(recordings)
        if test_speaker not in present:
            raise AudioMLError(f"speaker {test_speaker!r} is not in the data; choose one of "
                               f"{', '.join(present)}")
        return ([r for r in recordings if r.speaker != test_speaker],
                [r for r in recordings if r.speaker == test_speaker])
    order = np.random.default_rng(seed).permutation(len(recordings))
    n_test = int(round(TEST_FRACTION * len(recordings)))
    return ([recordings[i] for i in sorted(order[n_test:])],
            [recordings[i] for i in sorted(order[:n_test])])


def load_clips(recordings: list[Recording]) -> list[np.ndarray]:
    """Read each recording as float32 at 8 kHz (resampled if a file is not)."""
    from audioml.audio import load_audio

    return [load_audio(r.path, sr=SR)[0] for r in recordings]


def describe_split(kind: str, *, seed: int = DEFAULT_SEED,
                   test_speaker: str = DEFAULT_TEST_SPEAKER) -> str:
    """One sentence naming a split, for model cards and reports."""
    if kind == "speaker":
        return f"by speaker: every recording of {test_speaker} held out for testing"
    train, test = 100 - TEST_FRACTION * 100, TEST_FRACTION * 100
    return f"random {train:.0f}/{test:.0f} over all recordings, seed {seed}"
