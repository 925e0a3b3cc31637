"""Security guarantees stated in the README, checked."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("audioml", "pages", "ui") for p in (ROOT / d).rglob("*.py")] + [ROOT / "app.py"]


@pytest.mark.parametrize("pattern", [r"\bpickle\b", r"(?<![\w.])eval\(", r"(?<![\w.])exec\(",
                                     r"unsafe_allow_html\s*=\s*True", r"allow_pickle\s*=\s*True",
                                     r"safe_mode\s*=\s*False", r"shell\s*=\s*True"])
def test_no_dangerous_calls(pattern):
    assert len(SOURCES) > 50  # the whole library, pages and helpers are read
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in SOURCES
            for i, line in enumerate(p.read_text().splitlines(), 1)
            if re.search(pattern, line) and not line.lstrip().startswith("#")]
    assert not hits, hits


def test_keras_files_load_in_safe_mode(tmp_path):
    """A .keras file with a Lambda layer (arbitrary Python) is refused by the project's loader."""
    import keras

    from audioml.registry import load_keras_model

    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="(?i)safe"):
        load_keras_model(path)


def test_xsrf_protection_on_locally_and_upload_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert 1 <= config["server"]["maxUploadSize"] <= 50
    from audioml.audio import MAX_BYTES

    assert MAX_BYTES == config["server"]["maxUploadSize"] * 1024 * 1024


def test_xsrf_off_only_in_the_container():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--server.enableXsrfProtection=false" in dockerfile
    assert "USER user" in dockerfile and "--uid 1000" in dockerfile
