"""Where datasets are looked for can be pointed away from ../shared/data (the no-data runs use it)."""

import pytest

from audioml import paths
from audioml.errors import AudioMLError


def test_no_dataset_found_when_both_folders_are_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOML_DATA", str(tmp_path))
    monkeypatch.setenv("AUDIOML_SHARED_DATA", str(tmp_path))
    for name in ("fsdd", "mnist", "kern", "realworld"):
        assert paths.data_candidates(name) == [tmp_path / name, tmp_path / name]
        with pytest.raises(AudioMLError, match=f"no {name} data found"):
            paths.find_data(name)


def test_shared_data_folder_by_default(monkeypatch):
    monkeypatch.delenv("AUDIOML_DATA", raising=False)
    monkeypatch.delenv("AUDIOML_SHARED_DATA", raising=False)
    assert paths.data_candidates("fsdd") == [paths.PROJECT_ROOT.parent / "shared" / "data" / "fsdd"]
