"""`audioml train|evaluate|sample latent` on a small generated MNIST-like dataset."""

import json

import numpy as np
import pytest

from audioml.cli import main
from audioml.mnist import write_idx


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """120 28x28 images of bars whose position depends on the label, as IDX files."""
    folder = tmp_path_factory.mktemp("mnist")
    labels = (np.arange(120) % 10).astype(np.uint8)
    images = np.zeros((120, 28, 28), dtype=np.uint8)
    for i, d in enumerate(labels):
        images[i, 4 + 2 * d: 7 + 2 * d, 4:24] = 255
    write_idx(folder / "t10k-images-idx3-ubyte.gz", images)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", labels)
    return folder


@pytest.fixture(scope="module")
def trained(digits, tmp_path_factory):
    models = tmp_path_factory.mktemp("models")
    common = ["--epochs", "1", "--data", str(digits), "--models-dir", str(models)]
    for kind in ("judge", "dcae", "vae"):
        extra = ["--alpha", "500"] if kind == "vae" else []
        assert main(["train", "latent", "--model", kind, *common, *extra]) == 0
    return models


def test_train_writes_models_and_cards(trained):
    for name in ("latent_dcae", "latent_vae", "latent_digit_judge"):
        card = json.loads((trained / f"{name}.json").read_text())
        assert card["task"] == "latent" and (trained / card["file"]).exists()
        assert card["epochs"] == 1 and card["retrain_command"].startswith("audioml train latent")
    vae = json.loads((trained / "latent_vae.json").read_text())
    assert vae["config"]["alpha"] == 500 and vae["config"]["latent_dim"] == 2
    assert "--alpha 500" in vae["retrain_command"]
    assert len(vae["metrics"]["latent_mean"]) == 2 and "sample_digit_rate" in vae["metrics"]


def test_evaluate_json(trained, digits, capsys):
    capsys.readouterr()
    assert main(["evaluate", "latent", "--json", "--data", str(digits), "--models-dir", str(trained),
                 "--samples", "200"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"dcae", "vae"}
    for figures in result.values():
        assert figures["reconstruction_mse"] >= 0
        assert len(figures["latent_mean"]) == 2 and len(figures["latent_std"]) == 2
        assert 0 <= figures["prior_coverage"] <= 1 and 0 <= figures["sample_digit_rate"] <= 1
        assert figures["n_heldout"] == 24


@pytest.mark.parametrize("kind", ["dcae", "vae"])
def test_sample_writes_npy(trained, tmp_path, kind):
    out = tmp_path / "s.npy"
    assert main(["sample", "latent", "--model", kind, "--n", "7", "--out", str(out),
                 "--models-dir", str(trained)]) == 0
    images = np.load(out)
    assert images.shape == (7, 28, 28) and 0 <= images.min() and images.max() <= 1


def test_alpha_study_report(digits, trained, tmp_path):
    out = tmp_path / "study.json"
    assert main(["train", "latent", "--model", "vae", "--alpha-study", "10", "1000", "--epochs", "1",
                 "--data", str(digits), "--models-dir", str(trained), "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["alphas"] == [10.0, 1000.0] and len(report["results"]) == 2
    first = report["results"][0]
    assert np.array(first["codes"]).shape == (24, 2) and len(first["labels"]) == 24
    assert np.array(first["samples"]).shape == (24, 28, 28)


@pytest.mark.parametrize("argv, message", [
    (["sample", "latent", "--model", "vae", "--n", "0", "--out", "x.npy"], "between 1 and"),
    (["sample", "latent", "--model", "vae", "--n", "3", "--out", "x.txt"], ".npy"),
    (["train", "latent", "--model", "vae", "--alpha", "-1"], "--alpha must be positive"),
    (["train", "latent", "--model", "dcae", "--alpha-study", "10"], "--model vae"),
    (["train", "latent", "--model", "dcae", "--epochs", "0"], "at least 1"),
])
def test_bad_input_exits_2(trained, argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if argv[0] == "sample":
        argv = argv + ["--models-dir", str(trained)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_models_lists_the_shipped_latent_models(capsys):
    from audioml.registry import list_cards

    shipped = {c["name"] for c in list_cards("latent")}
    if not {"latent_dcae", "latent_vae"} <= shipped:
        pytest.skip("latent models not shipped yet")
    capsys.readouterr()
    assert main(["models", "--json", "--task", "latent"]) == 0
    cards = json.loads(capsys.readouterr().out)
    assert {"latent_dcae", "latent_vae"} <= {c["name"] for c in cards}
    assert all(c["task"] == "latent" for c in cards)
