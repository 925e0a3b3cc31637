"""`audioml train|evaluate|sample latent` on a small generated MNIST-like dataset."""

import json

import numpy as np
import pytest

from audioml.cli import main


@pytest.fixture(scope="module")
def digits(tmp_path_factory, make_mnist):
    """120 28x28 images of bars whose position depends on the label, as IDX files."""
    labels = (np.arange(120) % 10).astype(np.uint8)
    images = np.zeros((120, 28, 28), dtype=np.uint8)
    for i, d in enumerate(labels):
        images[i, 4 + 2 * d: 7 + 2 * d, 4:24] = 255
    return make_mnist(tmp_path_factory.mktemp("mnist"), images, labels)


@pytest.fixture(scope="module")
def trained(digits, tmp_path_factory):
    models = tmp_path_factory.mktemp("models")
    common = ["--epochs", "1", "--data", str(digits), "--models-dir", str(models)]
    for kind in ("judge", "dcae", "vae"):
        extra = ["--alpha", "500"] if kind == "vae" else []
        assert main(["train", "latent", "--model", kind, *common, *extra]) == 0
    return models


@pytest.mark.slow
def test_train_writes_models_and_cards(trained):
    from audioml.latent.recipe import COMMAND, command_options, preset
    from audioml.registry import retrain_command
    from audioml.shipped import load_model

    # The VAE's command writes out every setting of its preset (a preset's KL warm-up is
    # cut to the one epoch), so it retrains the same model whatever the presets say later.
    vae_command = retrain_command(COMMAND, command_options("vae", preset("vae", epochs=1, alpha=500)))
    assert vae_command.startswith("audioml train latent --model vae --epochs 1 --alpha 500 --loss ")
    commands = {"latent_digit_judge": "audioml train latent --model judge --epochs 1",
                "latent_dcae": "audioml train latent --model dcae --epochs 1",
                "latent_vae": vae_command}
    for name, command in commands.items():
        card = json.loads((trained / f"{name}.json").read_text())
        assert card["task"] == "latent" and card["epochs"] == 1
        assert card["retrain_command"] == command
        model = load_model(name, trained)   # through the loader table, in safe mode
        assert model.input_shape == (None, 28, 28, 1)
    vae = json.loads((trained / "latent_vae.json").read_text())
    assert vae["config"]["alpha"] == 500 and vae["config"]["latent_dim"] == 2
    assert vae["split"].startswith("96 training / 24 held-out images")
    assert len(vae["metrics"]["latent_mean"]) == 2 and "sample_digit_rate" in vae["metrics"]
    judge = json.loads((trained / "latent_digit_judge.json").read_text())
    assert judge["config"]["builder"] == "audioml.latent.judge.build_judge"
    # Beside the DCAE and the VAE, their codes of the held-out digits, named on the card.
    from audioml.latent.heldout import shipped_codes

    for kind in ("dcae", "vae"):
        card = json.loads((trained / f"latent_{kind}.json").read_text())
        assert card["heldout_codes"] == f"latent_{kind}_codes.npz"
        codes = shipped_codes(kind, trained)
        assert codes["codes"].shape == (24, 2) and codes["images"].shape == (24, 28, 28)


@pytest.mark.slow
def test_evaluate_write_codes_rewrites_the_codes_for_the_shipped_weights(trained, digits, tmp_path, capsys):
    import shutil

    from audioml.latent.heldout import shipped_codes

    models = tmp_path / "models"
    shutil.copytree(trained, models)
    for kind in ("dcae", "vae"):   # an older models/ folder: cards that name no codes
        (models / f"latent_{kind}_codes.npz").unlink()
        card = json.loads((models / f"latent_{kind}.json").read_text())
        del card["heldout_codes"]
        (models / f"latent_{kind}.json").write_text(json.dumps(card))
        assert shipped_codes(kind, models) is None
    capsys.readouterr()
    assert main(["evaluate", "latent", "--json", "--write-codes", "--data", str(digits),
                 "--models-dir", str(models), "--samples", "50"]) == 0
    out, err = capsys.readouterr()
    assert set(json.loads(out)) == {"dcae", "vae"} and "latent_vae_codes.npz" in err
    for kind in ("dcae", "vae"):
        card = json.loads((models / f"latent_{kind}.json").read_text())
        assert list(card)[:4] == ["name", "task", "file", "heldout_codes"]
        assert len(shipped_codes(kind, models)["ids"]) == 24


@pytest.mark.slow
def test_evaluate_json_reproduces_the_cards(trained, digits, capsys):
    capsys.readouterr()
    assert main(["evaluate", "latent", "--json", "--data", str(digits), "--models-dir", str(trained),
                 "--samples", "200"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"dcae", "vae"}
    for kind, figures in result.items():
        # The figures that do not depend on the number of prior draws are those measured at
        # training time: the shipped file is the trained model.
        card = json.loads((trained / f"latent_{kind}.json").read_text())["metrics"]
        for key in ("reconstruction_mse", "latent_mean", "latent_std", "kl_to_prior", "codes_in_prior_95"):
            assert figures[key] == pytest.approx(card[key], abs=2e-4), key
        assert 0 <= figures["prior_coverage"] <= 1 and 0 <= figures["sample_digit_rate"] <= 1
        assert figures["n_heldout"] == 24 and figures["n_samples"] == 200
    assert "posterior_std_mean" in result["vae"] and "posterior_std_mean" not in result["dcae"]


@pytest.mark.slow
def test_evaluate_prints_one_row_per_figure(trained, digits, capsys):
    capsys.readouterr()
    assert main(["evaluate", "latent", "--data", str(digits), "--models-dir", str(trained),
                 "--samples", "100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "reconstruction_mse", "latent_mean", "latent_std", "kl_to_prior", "prior_coverage",
        "codes_in_prior_95", "sample_digit_rate", "sample_effective_digits"]
    assert all("dcae=" in line and "vae=" in line and "n/a" not in line for line in lines)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["dcae", "vae"])
def test_sample_writes_npy(trained, tmp_path, kind):
    paths = [tmp_path / "a.npy", tmp_path / "b.npy"]
    for path in paths:
        assert main(["sample", "latent", "--model", kind, "--n", "7", "--out", str(path),
                     "--models-dir", str(trained)]) == 0
    images = np.load(paths[0])
    assert images.shape == (7, 28, 28) and 0 <= images.min() and images.max() <= 1
    assert np.array_equal(images, np.load(paths[1]))   # the same seed, the same draws


@pytest.mark.slow
def test_alpha_study_report(digits, trained, tmp_path):
    out = tmp_path / "study.json"
    assert main(["train", "latent", "--model", "vae", "--alpha-study", "10", "1000", "--epochs", "1",
                 "--data", str(digits), "--models-dir", str(trained), "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["alphas"] == [10.0, 1000.0] and [r["alpha"] for r in report["results"]] == [10.0, 1000.0]
    assert report["retrain_command"] == "audioml train latent --model vae --alpha-study 10 1000 --epochs 1"
    first = report["results"][0]
    assert np.array(first["codes"]).shape == (24, 2) and len(first["labels"]) == 24
    assert np.array(first["samples"]).shape == (24, 28, 28)
    assert "sample_digit_rate" in first   # scored by the judge trained above


@pytest.mark.parametrize("argv, message", [
    (["train", "latent", "--model", "vae", "--alpha", "-1"], "alpha must be positive, got -1"),
    (["train", "latent", "--model", "vae", "--alpha-study", "10", "-5"], "alpha must be positive, got -5"),
    (["train", "latent", "--model", "dcae", "--alpha-study", "10"], "--model vae"),
    (["train", "latent", "--model", "dcae", "--epochs", "0"], "epochs must be at least 1, got 0"),
    (["train", "latent", "--model", "judge", "--epochs", "0"], "epochs must be at least 1, got 0"),
    (["train", "latent", "--model", "vae", "--epochs", "3", "--kl-warmup", "4"],
     "kl_warmup must be between 0 and the 3 epochs, got 4"),
    (["train", "latent", "--model", "vae", "--decoder-dense", "-1"], "decoder_dense must be at least 0"),
    (["train", "latent", "--model", "vae", "--filters", "0", "64"], "two positive integers"),
    (["train", "latent", "--model", "vae", "--alpha-study", "10", "--loss", "bce"],
     "--loss cannot be used with --alpha-study"),
    (["evaluate", "latent", "--samples", "0"], "n_samples must be at least 1"),
    (["sample", "latent", "--model", "vae", "--n", "3", "--out", "x.txt"], ".npy"),
])
def test_bad_input_exits_2_before_any_work(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # Missing data and models folders: a check that came after loading them would fail on those.
    nowhere = str(tmp_path / "nowhere")
    folders = ["--models-dir", nowhere] + (["--data", nowhere] if argv[0] != "sample" else [])
    assert main(argv + folders) == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_sample_rejects_a_bad_count(trained, capsys, tmp_path):
    assert main(["sample", "latent", "--model", "vae", "--n", "0", "--out", str(tmp_path / "x.npy"),
                 "--models-dir", str(trained)]) == 2
    assert "between 1 and" in capsys.readouterr().err
    assert not (tmp_path / "x.npy").exists()


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


def test_sample_draws_through_the_inference_module(tmp_path, monkeypatch, capsys):
    """`audioml sample latent` runs audioml.latent.inference.sample, the one sampler the page
    uses too; audioml.latent.model builds and loads models and no longer offers a copy of it."""
    from audioml.latent import inference, model

    drawn = []

    def fake_sample(loaded, n, *, seed=0):
        drawn.append((loaded, n, seed))
        return np.zeros((n, 28, 28), dtype=np.float32)

    monkeypatch.setattr(model, "load_latent", lambda kind, models_dir=None: f"loaded {kind}")
    monkeypatch.setattr(inference, "sample", fake_sample)
    out = tmp_path / "s.npy"
    assert main(["sample", "latent", "--model", "vae", "--n", "3", "--out", str(out), "--seed", "5"]) == 0
    assert drawn == [("loaded vae", 3, 5)] and np.load(out).shape == (3, 28, 28)
    assert "3 samples of 28x28" in capsys.readouterr().out
    assert not hasattr(model, "sample")
