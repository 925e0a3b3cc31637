"""Where the project keeps its models and where it looks for datasets.

Datasets are never part of the project. A loader looks in an explicit folder
first, then ``$AUDIOML_DATA/<name>``, then ``../shared/data/<name>`` seen from
the project root (``$AUDIOML_SHARED_DATA/<name>`` when that is set), and raises a
clear error naming all three when none exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from audioml.errors import AudioMLError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = Path(os.environ.get("AUDIOML_MODELS", PROJECT_ROOT / "models"))
RUNS_DIR = Path(os.environ.get("AUDIOML_RUNS", PROJECT_ROOT / "runs"))


def data_candidates(name: str) -> list[Path]:
    """Folders searched for dataset *name* ("fsdd", "mnist", "kern"), in order."""
    found = []
    if os.environ.get("AUDIOML_DATA"):
        found.append(Path(os.environ["AUDIOML_DATA"]) / name)
    shared = os.environ.get("AUDIOML_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data"
    found.append(Path(shared) / name)
    return found


def find_data(name: str, folder: str | os.PathLike | None = None, *, hint: str = "") -> Path:
    """Return the first existing folder for dataset *name*.

    Parameters
    ----------
    name : str
        Dataset folder name, e.g. ``"fsdd"``.
    folder : path-like, optional
        An explicit folder; when given it must exist.
    hint : str
        Appended to the error message, e.g. how to download the data.

    Raises
    ------
    AudioMLError
        When no candidate folder exists.
    """
    if folder is not None:
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise AudioMLError(f"data folder not found: {path}. {hint}".strip())
        return path
    for path in data_candidates(name):
        if path.is_dir():
            return path
    tried = ", ".join(str(p) for p in data_candidates(name))
    raise AudioMLError(f"no {name} data found (looked in {tried}). {hint}".strip())
