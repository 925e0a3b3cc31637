"""The latent-space figures: code statistics, prior coverage, the judge's digit rate."""

import numpy as np
import pytest

from audioml.errors import AudioMLError
from audioml.latent.judge import make_non_digits
from audioml.latent.stats import (code_statistics, digit_rate, gaussian_kl_to_prior, looks_like_digit,
                                  nearest_distances, posterior_coverage, posterior_kl,
                                  posterior_statistics, prior_coverage)


def test_code_statistics_of_the_prior_and_of_a_shifted_cloud():
    rng = np.random.default_rng(0)
    prior = code_statistics(rng.standard_normal((20000, 2)))
    assert prior["kl_to_prior"] < 0.01
    assert prior["codes_in_prior_95"] == pytest.approx(0.95, abs=0.01)
    assert np.allclose(prior["latent_mean"], 0, atol=0.03) and np.allclose(prior["latent_std"], 1, atol=0.03)
    far = code_statistics(rng.normal([5, -3], [4, 0.5], size=(20000, 2)))
    assert np.allclose(far["latent_mean"], [5, -3], atol=0.1)
    assert np.allclose(far["latent_std"], [4, 0.5], atol=0.1)
    expected = 0.5 * (16 + 0.25 + 25 + 9 - 2 - np.log(16 * 0.25))
    assert far["kl_to_prior"] == pytest.approx(expected, rel=0.02)
    assert far["codes_in_prior_95"] < 0.05


def test_gaussian_kl_exact_and_singular():
    assert gaussian_kl_to_prior(np.zeros(2), np.eye(2)) == pytest.approx(0.0)
    assert gaussian_kl_to_prior(np.array([1.0, 0.0]), np.eye(2)) == pytest.approx(0.5)
    with pytest.raises(AudioMLError, match="singular"):
        gaussian_kl_to_prior(np.zeros(2), np.array([[1.0, 1.0], [1.0, 1.0]]))


def test_nearest_distances_matches_brute_force():
    rng = np.random.default_rng(1)
    p, r = rng.normal(size=(300, 2)), rng.normal(size=(700, 2))
    brute = np.sqrt(((p[:, None] - r[None]) ** 2).sum(-1)).min(1)
    assert np.allclose(nearest_distances(p, r, chunk=64), brute, atol=1e-6)


def test_prior_coverage_tells_prior_shaped_codes_from_far_ones():
    rng = np.random.default_rng(2)
    like_prior = prior_coverage(rng.standard_normal((4000, 2)), rng.standard_normal((1000, 2)))
    assert like_prior["prior_coverage"] > 0.85
    off = rng.normal(8, 0.5, size=(5000, 2))
    far = prior_coverage(off[:4000], off[4000:])
    assert far["prior_coverage"] < 0.01
    # Codes huddled in a small patch at the origin leave most of the prior uncovered.
    a, b = rng.standard_normal((4000, 2)), rng.standard_normal((1000, 2))
    assert prior_coverage(0.1 * a, 0.1 * b)["prior_coverage"] < 0.2
    with pytest.raises(AudioMLError):
        prior_coverage(np.zeros((1, 2)), np.zeros((5, 2)))


def test_digit_rate_and_verdicts():
    p = np.zeros((4, 11))
    p[0, 3] = 0.95; p[0, 10] = 0.05      # a confident 3
    p[1, 7] = 0.6; p[1, 1] = 0.4         # unsure: not counted
    p[2, 10] = 1.0                       # not a digit
    p[3, 3] = 0.99; p[3, 0] = 0.01       # another 3
    summary = digit_rate(p)
    assert summary["digit_rate"] == 0.5 and summary["digits_seen"] == 1
    assert summary["digit_counts"][3] == 2 and summary["not_digit_rate"] == 0.25
    assert summary["effective_digits"] == 1.0
    assert looks_like_digit(p).tolist() == [3, -1, -1, 3]
    even = np.zeros((20, 11))
    even[np.arange(20), np.arange(20) % 4] = 1.0
    assert digit_rate(even)["effective_digits"] == pytest.approx(4.0)
    assert digit_rate(p, threshold=0.5)["digit_rate"] == 0.75
    with pytest.raises(AudioMLError, match=r"\(n, 11\)"):
        digit_rate(np.zeros((3, 10)))
    with pytest.raises(AudioMLError, match=r"\(n, 11\)"):
        looks_like_digit(np.zeros((3, 10)))
    with pytest.raises(AudioMLError, match="threshold"):
        digit_rate(p, threshold=1.0)


def test_made_up_non_digits():
    rng = np.random.default_rng(3)
    images = rng.random((40, 28, 28)).astype(np.float32)
    labels = np.arange(40) % 10
    fakes = make_non_digits(images, labels, 20, seed=0)
    assert fakes.shape == (20, 28, 28) and 0 <= fakes.min() and fakes.max() <= 1
    # Four kinds in equal parts; the first (overlays) keep the brighter pixel of two digits,
    # the last (near-blank canvases) stay faint.
    assert all(np.any(np.all(f >= images, axis=(1, 2))) for f in fakes[:5])
    assert fakes[15:].max() <= 0.3 and fakes[:5].mean() > fakes[15:].mean()
    assert np.array_equal(fakes, make_non_digits(images, labels, 20, seed=0))
    with pytest.raises(AudioMLError, match="two different digits"):
        make_non_digits(images, np.zeros(40, int), 5)


def test_a_collapsed_posterior_has_no_kl_whatever_its_means_look_like():
    # Every q(z|x) = N(0, I): the means sit at the origin (their fitted Gaussian is far from
    # the prior), yet each posterior is the prior itself, so the loss's KL term is 0.
    rng = np.random.default_rng(0)
    mean, log_var = rng.normal(0, 1e-3, size=(4000, 2)), np.zeros((4000, 2))
    assert posterior_kl(mean, log_var) == pytest.approx(0.0, abs=1e-5)
    figures = posterior_statistics(mean, log_var)
    assert figures["posterior_kl"] == pytest.approx(0.0, abs=1e-4)
    assert figures["aggregate_kl"] == pytest.approx(0.0, abs=1e-3)
    assert code_statistics(mean)["kl_to_prior"] > 5
    # Prior draws land inside the posteriors (about 95% of them) though hardly any near a mean.
    assert posterior_coverage(mean[:2000], log_var[:2000], n=2000)["posterior_coverage"] == pytest.approx(0.95, abs=0.02)
    assert prior_coverage(mean[:2000], mean[2000:], n=2000)["prior_coverage"] < 0.05


def test_posterior_kl_closed_form_and_bad_shapes():
    mean, log_var = np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [np.log(4.0), 0.0]])
    assert posterior_kl(mean, log_var) == pytest.approx([0.5, 0.5 * (4 - 1 - np.log(4))])
    # Narrow posteriors spread like the prior: the aggregate is close to N(0, I), each q(z|x) is not.
    rng = np.random.default_rng(1)
    narrow = posterior_statistics(rng.standard_normal((20000, 2)), np.full((20000, 2), np.log(0.01)))
    assert narrow["aggregate_kl"] < 0.01 and narrow["posterior_kl"] > 3
    with pytest.raises(AudioMLError, match="log_var"):
        posterior_kl(mean, log_var[:, :1])
