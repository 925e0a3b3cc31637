"""Measuring the latent models: the figures on their cards, the CLI and the page.

:func:`evaluate_model` scores one model on the held-out digits;
:func:`alpha_study` trains VAEs with several reconstruction weights and keeps
what the page needs to show how the latent space changes with alpha.
"""

from __future__ import annotations

import time

import numpy as np

from audioml.errors import AudioMLError
from audioml.latent import inference
from audioml.latent import model as latent
from audioml.latent.judge import judge
from audioml.latent.mnist import DigitSplit, split_description
from audioml.latent.stats import (code_statistics, digit_rate, looks_like_digit, posterior_coverage,
                                  posterior_statistics, prior_coverage)
from audioml.progress import ProgressFn, no_progress

N_SAMPLES = 2000
STUDY_POINTS = 600     # held-out codes kept per alpha for the page's scatter plots
STUDY_SAMPLES = 24     # decoded prior draws kept per alpha


def evaluate_model(model, split: DigitSplit, *, judge_model=None, n_samples: int = N_SAMPLES,
                   seed: int = 0) -> dict:
    """Held-out figures of one latent model.

    Parameters
    ----------
    model : keras.Model
        A DCAE or VAE from :func:`audioml.latent.model.build_latent_model`.
    split : DigitSplit
        Codes of its training images define "where training codes are"; all other
        figures use the held-out images.
    judge_model : keras.Model, optional
        The digit judge; without it the ``sample_*`` figures are left out.
    n_samples : int
        Draws from N(0, I) for the coverage and the sample figures.

    Returns
    -------
    dict
        ``reconstruction_mse``, the :func:`~audioml.latent.stats.code_statistics`
        (``latent_mean``, ``latent_std``, ``latent_cov``, ``kl_to_prior``, ...),
        ``prior_coverage`` and, with a judge, ``sample_digit_rate``,
        ``sample_digits_seen`` and ``reconstruction_digit_rate``. The code figures are
        of the means alone; a VAE adds those of its whole posteriors q(z|x):
        ``posterior_kl``, ``aggregate_kl`` and ``posterior_std_mean``
        (:func:`~audioml.latent.stats.posterior_statistics`, held-out digits) and
        ``posterior_coverage`` (:func:`~audioml.latent.stats.posterior_coverage`,
        training digits, the same prior draws as ``prior_coverage``).
    """
    held_mean, held_log_var = inference.encode_distribution(model, split.heldout_images)
    train_mean, train_log_var = inference.encode_distribution(model, split.train_images)
    recon = inference.decode(model, held_mean)
    result = {"reconstruction_mse": round(float(np.mean((recon - split.heldout_images) ** 2)), 5),
              **code_figures(train_mean, held_mean, n_samples=n_samples, seed=seed)}
    if held_log_var is not None:
        result.update(posterior_statistics(held_mean, held_log_var))
        result.update(posterior_coverage(train_mean, train_log_var, n=n_samples, seed=seed))
    if judge_model is not None:
        _, _, sampled = judged_samples(model, judge_model, n_samples, seed=seed)
        result.update(sample_digit_rate=sampled["digit_rate"],
                      sample_digits_seen=sampled["digits_seen"],
                      sample_effective_digits=sampled["effective_digits"],
                      sample_digit_counts=sampled["digit_counts"],
                      sample_not_digit_rate=sampled["not_digit_rate"],
                      reconstruction_digit_rate=digit_rate(judge(judge_model, recon))["digit_rate"])
    result["n_heldout"] = int(len(split.heldout_images))
    result["n_samples"] = int(n_samples)
    return result


def code_figures(train_codes: np.ndarray, heldout_codes: np.ndarray, *, n_samples: int = N_SAMPLES,
                 seed: int = 0) -> dict:
    """:func:`~audioml.latent.stats.code_statistics` of the held-out codes plus the prior's coverage.

    Parameters
    ----------
    train_codes : np.ndarray [shape=(m, 2)]
    heldout_codes : np.ndarray [shape=(n, 2)]
    """
    return {**code_statistics(heldout_codes),
            **prior_coverage(train_codes, heldout_codes, n=n_samples, seed=seed)}


def judged_samples(model, judge_model, n: int, *, seed: int = 0):
    """Decode *n* draws from N(0, I) and let the judge say which look like digits.

    Returns
    -------
    images : np.ndarray [shape=(n, 28, 28)], values in [0, 1]
    verdicts : np.ndarray [shape=(n,)]
        The digit each image shows, or -1 for "not a digit".
    summary : dict
        :func:`~audioml.latent.stats.digit_rate` of the samples (``digit_rate``,
        ``digits_seen``, ``digit_counts``, ``not_digit_rate``).
    """
    images = inference.sample(model, n, seed=seed)
    probabilities = judge(judge_model, images)
    return images, looks_like_digit(probabilities), digit_rate(probabilities)


def alpha_study(split: DigitSplit, alphas, *, epochs: int, judge_model=None, seed: int = 0,
                progress: ProgressFn = no_progress) -> dict:
    """Train one VAE per alpha and record how its latent space looks.

    Parameters
    ----------
    alphas : sequence of float
        Reconstruction weights, each positive.
    epochs : int
        Epochs per model (the same for all, so only alpha differs).

    Returns
    -------
    dict
        ``alphas`` and ``results``: one entry per alpha with the
        :func:`evaluate_model` figures, ``training_time_s``, ``codes`` (a fixed
        subset of held-out mean codes, rounded), their ``labels`` and ``point_ids``,
        and ``samples`` (decoded prior draws as 0-255 integers, shape (k, 28, 28)).
    """
    alphas = [latent.check_alpha(a) for a in alphas]
    if not alphas:
        raise AudioMLError("alphas must name at least one reconstruction weight")
    keep = np.random.default_rng(seed).choice(len(split.heldout_images),
                                              size=min(STUDY_POINTS, len(split.heldout_images)),
                                              replace=False)
    keep.sort()
    results = []
    total = len(alphas) * epochs
    for i, alpha in enumerate(alphas):
        def step(done, _total, message="", _i=i, _alpha=alpha):
            progress(_i * epochs + done, total, f"alpha={_alpha:g} {message}")

        model, _, seconds = latent.train_latent("vae", split, alpha=alpha, epochs=epochs,
                                                seed=seed, progress=step)
        figures = evaluate_model(model, split, judge_model=judge_model, seed=seed)
        codes = inference.encode(model, split.heldout_images[keep])
        samples = inference.sample(model, STUDY_SAMPLES, seed=seed)
        results.append({"alpha": alpha, **figures, "training_time_s": round(seconds, 1),
                        "codes": np.round(codes, 3).tolist(),
                        "labels": split.heldout_labels[keep].tolist(),
                        "point_ids": split.heldout_ids[keep].tolist(),
                        "samples": np.rint(samples * 255).astype(int).tolist()})
    return {"alphas": alphas, "epochs": epochs, "seed": seed, "data": split.source,
            "split": split_description(split), "created": time.strftime("%Y-%m-%d"),
            "results": results}

