"""The shipped latent models on the real held-out digits: the VAE's codes are the prior-shaped ones."""

import numpy as np
import pytest

from audioml.paths import MODELS_DIR
from audioml.registry import REQUIRED_KEYS, list_cards, retrain_command

NAMES = ("latent_dcae", "latent_vae", "latent_digit_judge")


@pytest.fixture(scope="module")
def cards():
    shipped = {c["name"]: c for c in list_cards("latent")}
    if not set(NAMES) <= set(shipped):
        pytest.skip("latent models not shipped")
    return shipped


def test_cards_are_complete_and_files_small(cards):
    for name in NAMES:
        card = cards[name]
        assert all(key in card for key in REQUIRED_KEYS)
        assert card["task"] == "latent"
        assert (MODELS_DIR / card["file"]).stat().st_size < 1_000_000
    for name in ("latent_dcae", "latent_vae"):
        assert cards[name]["config"]["latent_dim"] == 2
        assert "8000 training / 2000 held-out" in cards[name]["split"]
    # Each card's command retrains exactly what the card describes.
    from audioml.latent.recipe import command_options

    vae, config = cards["latent_vae"], cards["latent_vae"]["config"]
    settings = {"epochs": vae["epochs"], "alpha": config["alpha"], "loss": config["reconstruction_loss"],
                "kl_warmup": config["kl_warmup_epochs"], "decoder_dense": config["decoder_dense"],
                "filters": config["filters"], "augment": bool(config["augment"]),
                "lr_decay": bool(config["lr_decay"])}
    assert vae["retrain_command"] == retrain_command("audioml train latent", command_options("vae", settings))
    for name, kind in (("latent_dcae", "dcae"), ("latent_digit_judge", "judge")):
        assert cards[name]["retrain_command"] == retrain_command(
            "audioml train latent", {"model": kind, "epochs": cards[name]["epochs"]})


@pytest.fixture(scope="module")
def figures(cards, shared_data):
    from audioml.latent.recipe import evaluate_shipped

    return evaluate_shipped(data=shared_data("mnist"), n_samples=1000)


@pytest.mark.slow
def test_vae_codes_are_closer_to_the_prior_than_the_dcae(figures):
    dcae, vae = figures["dcae"], figures["vae"]
    assert vae["kl_to_prior"] < 1.0 < dcae["kl_to_prior"]
    assert np.linalg.norm(vae["latent_mean"]) < 0.5 and all(0.5 < s < 2 for s in vae["latent_std"])
    assert vae["codes_in_prior_95"] > 2 * dcae["codes_in_prior_95"]
    # Both reconstruct about equally well: the KL term costs the VAE little in 2-D.
    assert vae["reconstruction_mse"] < 0.06 and dcae["reconstruction_mse"] < 0.06


@pytest.mark.slow
def test_evaluation_reproduces_the_cards(cards, figures):
    for kind in ("dcae", "vae"):
        card = cards[f"latent_{kind}"]["metrics"]
        for key in ("reconstruction_mse", "latent_mean", "latent_std", "kl_to_prior"):
            assert figures[kind][key] == pytest.approx(card[key], abs=2e-4), (kind, key)


@pytest.mark.slow
def test_vae_samples_reach_more_digits(figures):
    assert figures["vae"]["sample_effective_digits"] > figures["dcae"]["sample_effective_digits"] + 1
    assert figures["vae"]["sample_digits_seen"] >= 7


@pytest.fixture(scope="module")
def study():
    from audioml.latent.recipe import load_alpha_study

    report = load_alpha_study()
    if report is None:
        pytest.skip("alpha study not shipped")
    return report


def test_alpha_study_report_is_what_its_recipe_makes(study):
    """The report records the run its preset and retrain command describe (how many epochs,
    which alphas), so text quoting the preset or the command quotes the report."""
    from audioml.latent.recipe import COMMAND, PRESETS

    assert study["epochs"] == PRESETS["alpha_study"]["epochs"]
    assert study["alphas"] == PRESETS["alpha_study"]["alphas"] == [r["alpha"] for r in study["results"]]
    assert study["retrain_command"] == retrain_command(
        COMMAND, {"model": "vae", "alpha_study": study["alphas"], "epochs": study["epochs"]})


FIGURES = ("reconstruction_mse", "latent_mean", "latent_std", "kl_to_prior", "prior_coverage",
           "codes_in_prior_95", "posterior_std_mean", "posterior_kl", "aggregate_kl",
           "posterior_coverage", "sample_digit_rate", "sample_effective_digits")


@pytest.mark.slow
def test_alpha_study_reproduces_its_smallest_alpha(study, shared_data):
    """Retrain the report's first VAE (alpha 10, the collapsed one) with its recorded settings:
    the figures the page shows come back, and with them what the text says of them."""
    from audioml.latent.evaluate import alpha_study
    from audioml.latent.judge import load_shipped_judge
    from audioml.latent.mnist import load_split

    split = load_split(shared_data("mnist"))
    again = alpha_study(split, study["alphas"][:1], epochs=study["epochs"],
                        judge_model=load_shipped_judge(), seed=study["seed"])["results"][0]
    shipped = study["results"][0]
    for key in FIGURES:
        assert again[key] == pytest.approx(shipped[key], abs=0.01, rel=0.05), key
    assert again["point_ids"] == shipped["point_ids"]
    assert np.allclose(again["codes"], shipped["codes"], atol=0.02)


def test_the_report_shows_the_alpha_trend(study):
    spread = [float(np.mean(r["latent_std"])) for r in study["results"]]
    mse = [r["reconstruction_mse"] for r in study["results"]]
    # More weight on reconstruction: better reconstructions and codes spread ever wider
    # (a small alpha collapses them onto the origin, a large one spreads them past N(0, I)).
    assert mse[0] > mse[-1]
    assert spread == sorted(spread) and spread[0] < 0.5 < 1.5 < spread[-1]


def test_the_smallest_alpha_collapsed_the_posteriors(study):
    """With alpha 10 every q(z|x) is N(0, I): the whole posteriors' KL is about 0 though the
    means, huddled at the origin, look far from the prior."""
    smallest = study["results"][0]
    assert smallest["posterior_kl"] < 0.1 < 1 < smallest["kl_to_prior"]
    assert np.allclose(smallest["posterior_std_mean"], 1, atol=0.05)
    assert smallest["posterior_coverage"] > 0.9 > 0.1 > smallest["prior_coverage"]
