"""Numbers that tell the latent-space story, in plain NumPy (no Keras).

* :func:`code_statistics` - mean, spread and covariance of a cloud of 2-D codes,
  and the KL divergence of a Gaussian fitted to it from the prior N(0, I).
* :func:`posterior_kl` and :func:`posterior_statistics` - a VAE's whole posteriors
  q(z|x) = N(mu, diag sigma^2), not only their means: the KL term of its loss, and the
  KL of the aggregate posterior from the prior.
* :func:`prior_coverage` - how much of the prior's mass falls where training
  codes are: the share of draws from N(0, I) that land as close to some training
  code as real held-out codes do; :func:`posterior_coverage` - the share that land
  inside some training digit's q(z|x).
* :func:`digit_rate` - how often decoded images look like digits, judged by the
  shipped digit classifier's probabilities.
"""

from __future__ import annotations

import numpy as np

from audioml.errors import AudioMLError

NOT_A_DIGIT = 10  # the classifier's eleventh class: overlays, scribbles, noise, blanks


def _check_codes(codes: np.ndarray, what: str = "codes") -> np.ndarray:
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) < 2 or not np.all(np.isfinite(codes)):
        raise AudioMLError(f"{what} must be a finite array of shape (n, dim) with n >= 2; "
                           f"got shape {codes.shape}")
    return codes


def gaussian_kl_to_prior(mean: np.ndarray, cov: np.ndarray) -> float:
    """KL divergence D_KL(N(mean, cov) || N(0, I)) in nats.

    ``1/2 * (tr(cov) + mean.mean - k - log det cov)``; zero only for the prior itself.

    Parameters
    ----------
    mean : np.ndarray [shape=(k,)]
    cov : np.ndarray [shape=(k, k)], symmetric positive definite
    """
    mean, cov = np.asarray(mean, float), np.asarray(cov, float)
    sign, logdet = np.linalg.slogdet(cov)
    if sign <= 0:
        raise AudioMLError("the codes' covariance is singular; their spread collapsed to a line")
    return float(0.5 * (np.trace(cov) + mean @ mean - len(mean) - logdet))


def code_statistics(codes: np.ndarray) -> dict:
    """Mean, standard deviation, covariance and distance from N(0, I) of a set of codes.

    Parameters
    ----------
    codes : np.ndarray [shape=(n, k)]
        One latent code per image (a VAE's mean codes).

    Returns
    -------
    dict
        ``latent_mean`` and ``latent_std`` (k floats each), ``latent_cov`` (k x k),
        ``latent_correlation`` (off-diagonal of the first two axes), ``radius_mean``
        (mean distance from the origin) and ``kl_to_prior`` (nats, of a Gaussian
        fitted to the codes; 0 means the codes look like the prior), and
        ``codes_in_prior_95``: the share of codes inside the ball that holds 95% of
        N(0, I) (for the prior itself, 0.95), i.e. how much of the data the prior reaches.
    """
    from scipy.stats import chi2

    codes = _check_codes(codes)
    mean, cov = codes.mean(axis=0), np.cov(codes, rowvar=False)
    std = np.sqrt(np.diag(cov))
    radius95 = float(np.sqrt(chi2.ppf(0.95, df=codes.shape[1])))   # 2.448 in two dimensions
    return {
        "latent_mean": [round(float(v), 4) for v in mean],
        "latent_std": [round(float(v), 4) for v in std],
        "latent_cov": [[round(float(v), 4) for v in row] for row in np.atleast_2d(cov)],
        "latent_correlation": round(float(cov[0, 1] / (std[0] * std[1])), 4) if len(mean) > 1 else 0.0,
        "radius_mean": round(float(np.linalg.norm(codes, axis=1).mean()), 4),
        "kl_to_prior": round(gaussian_kl_to_prior(mean, np.atleast_2d(cov)), 4),
        "codes_in_prior_95": round(float((np.linalg.norm(codes, axis=1) <= radius95).mean()), 4),
    }


def _check_posteriors(mean: np.ndarray, log_var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, log_var = _check_codes(mean, "mean"), np.asarray(log_var, dtype=np.float64)
    if log_var.shape != mean.shape or not np.all(np.isfinite(log_var)):
        raise AudioMLError(f"log_var must be finite and of the means' shape {mean.shape}; "
                           f"got {log_var.shape}")
    return mean, log_var


def posterior_kl(mean: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """KL divergence of each posterior q(z|x) = N(mean, diag exp(log_var)) from N(0, I), in nats.

    ``1/2 * sum_j (mean_j^2 + sigma_j^2 - 1 - log sigma_j^2)``, the KL term of a VAE's
    loss for one image: 0 only when q(z|x) is the prior itself (posterior collapse, the
    code then tells the decoder nothing about x).

    Parameters
    ----------
    mean, log_var : np.ndarray [shape=(n, k)]
        The encoder's means and log-variances.

    Returns
    -------
    np.ndarray [shape=(n,)]
    """
    mean, log_var = _check_posteriors(mean, log_var)
    return 0.5 * (mean ** 2 + np.exp(log_var) - 1.0 - log_var).sum(axis=1)


def posterior_statistics(mean: np.ndarray, log_var: np.ndarray) -> dict:
    """What a VAE's whole posteriors say, beside :func:`code_statistics` of their means.

    Parameters
    ----------
    mean, log_var : np.ndarray [shape=(n, k)]

    Returns
    -------
    dict
        ``posterior_kl``: the mean over images of :func:`posterior_kl` (nats; the
        loss's KL term, 0 when every q(z|x) is N(0, I)); ``aggregate_kl``: the KL from
        N(0, I) of a Gaussian fitted to the aggregate posterior (the mixture of all
        q(z|x): mean of the means, covariance of the means plus the mean variance;
        0 when the codes as the decoder sees them are spread like the prior);
        ``posterior_std_mean``: the mean sigma per axis.
    """
    mean, log_var = _check_posteriors(mean, log_var)
    var = np.exp(log_var)
    cov = np.atleast_2d(np.cov(mean, rowvar=False)) + np.diag(var.mean(axis=0))
    return {"posterior_kl": round(float(posterior_kl(mean, log_var).mean()), 4),
            "aggregate_kl": round(gaussian_kl_to_prior(mean.mean(axis=0), cov), 4),
            "posterior_std_mean": [round(float(v), 4) for v in np.sqrt(var).mean(axis=0)]}


def posterior_coverage(train_mean: np.ndarray, train_log_var: np.ndarray, *, n: int = 5000,
                       quantile: float = 0.95, seed: int = 0, chunk: int = 256) -> dict:
    """Share of draws from N(0, I) that land inside some training digit's posterior q(z|x).

    A VAE's decoder is trained on draws from each q(z|x), not only on the means, so a
    prior draw inside the ellipse that holds *quantile* of some q(z|x) is a point the
    decoder was trained on. With collapsed posteriors (every q(z|x) = N(0, I)) this is
    about *quantile*, however close together the means lie.

    Parameters
    ----------
    train_mean, train_log_var : np.ndarray [shape=(m, k)]
    n : int
        Number of prior draws (the same draws as :func:`prior_coverage` for one *seed*).
    quantile : float
        In (0, 1).

    Returns
    -------
    dict
        ``posterior_coverage``: the fraction of draws covered.
    """
    from scipy.stats import chi2

    mean, log_var = _check_posteriors(train_mean, train_log_var)
    if not 0 < quantile < 1 or n < 1:
        raise AudioMLError(f"need quantile in (0, 1) and n >= 1; got {quantile!r}, {n!r}")
    limit = float(chi2.ppf(quantile, df=mean.shape[1]))   # squared Mahalanobis radius
    inv_std = np.exp(-0.5 * log_var)
    draws = np.random.default_rng(seed).standard_normal((n, mean.shape[1]))
    covered = np.zeros(n, dtype=bool)
    for start in range(0, n, chunk):
        z = draws[start:start + chunk]
        d2 = (((z[:, None, :] - mean[None]) * inv_std[None]) ** 2).sum(axis=2)
        covered[start:start + chunk] = d2.min(axis=1) <= limit
    return {"posterior_coverage": round(float(covered.mean()), 4)}


def nearest_distances(points: np.ndarray, reference: np.ndarray, *, chunk: int = 1024) -> np.ndarray:
    """Euclidean distance of each point to its nearest reference point.

    Parameters
    ----------
    points : np.ndarray [shape=(n, k)]
    reference : np.ndarray [shape=(m, k)]

    Returns
    -------
    np.ndarray [shape=(n,)]
    """
    points, reference = np.asarray(points, float), np.asarray(reference, float)
    out = np.empty(len(points))
    ref_sq = (reference ** 2).sum(axis=1)
    for start in range(0, len(points), chunk):
        p = points[start:start + chunk]
        # |p - r|^2 = |p|^2 - 2 p.r + |r|^2, one matrix product per chunk instead of an (n, m, k) array
        d2 = (p ** 2).sum(axis=1)[:, None] - 2 * p @ reference.T + ref_sq[None, :]
        out[start:start + chunk] = np.sqrt(np.maximum(d2.min(axis=1), 0.0))
    return out


def prior_coverage(train_codes: np.ndarray, heldout_codes: np.ndarray, *, n: int = 5000,
                   quantile: float = 0.95, seed: int = 0) -> dict:
    """Share of the prior N(0, I) that falls where the training codes are.

    "Where the training codes are" is measured against the model's own data: the
    radius ``r`` is the *quantile* of the distances from held-out codes to their
    nearest training code (so 95% of real digits lie within ``r`` of a training
    code), and a prior draw is covered when it lies within ``r`` too. The radius
    comes from the model's own codes, so no distance is chosen by hand.

    Parameters
    ----------
    train_codes : np.ndarray [shape=(m, k)]
    heldout_codes : np.ndarray [shape=(n_held, k)]
    n : int
        Number of prior draws.
    quantile : float
        In (0, 1].
    seed : int

    Returns
    -------
    dict
        ``prior_coverage`` (fraction of draws covered), ``coverage_radius`` and
        ``heldout_within_radius`` (= *quantile*, up to ties).
    """
    train_codes = _check_codes(train_codes, "train_codes")
    heldout_codes = _check_codes(heldout_codes, "heldout_codes")
    if not 0 < quantile <= 1 or n < 1:
        raise AudioMLError(f"need quantile in (0, 1] and n >= 1; got {quantile!r}, {n!r}")
    radius = float(np.quantile(nearest_distances(heldout_codes, train_codes), quantile))
    draws = np.random.default_rng(seed).standard_normal((n, train_codes.shape[1]))
    covered = nearest_distances(draws, train_codes) <= radius
    return {"prior_coverage": round(float(covered.mean()), 4),
            "coverage_radius": round(radius, 4),
            "heldout_within_radius": quantile}


def looks_like_digit(probabilities: np.ndarray, *, threshold: float = 0.9) -> np.ndarray:
    """Per-image verdict of :func:`digit_rate`: the digit (0-9) or -1 when it is not one.

    Parameters
    ----------
    probabilities : np.ndarray [shape=(n, 11)]
        The judge's softmax outputs; column 10 is "not a digit".
    threshold : float
        In (0, 1).

    Returns
    -------
    np.ndarray [shape=(n,), dtype=int64]
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != NOT_A_DIGIT + 1 or len(p) == 0:
        raise AudioMLError(f"probabilities must have shape (n, {NOT_A_DIGIT + 1}); got {p.shape}")
    if not 0 < threshold < 1:
        raise AudioMLError(f"threshold must be between 0 and 1, got {threshold!r}")
    best = p.argmax(axis=1)
    ok = (best != NOT_A_DIGIT) & (p.max(axis=1) >= threshold)
    return np.where(ok, best, -1).astype(np.int64)


def digit_rate(probabilities: np.ndarray, *, threshold: float = 0.9) -> dict:
    """How many images the digit classifier calls a digit, and which.

    An image "looks like a digit" when the classifier gives at least *threshold*
    of its probability to one of the digits 0-9 (not to the "not a digit" class).

    Parameters
    ----------
    probabilities : np.ndarray [shape=(n, 11)]
        Softmax outputs of the shipped classifier; column 10 is "not a digit".
    threshold : float
        In (0, 1).

    Returns
    -------
    dict
        ``digit_rate`` (fraction), ``digits_seen`` (how many of the ten digits occur
        among the accepted images), ``effective_digits`` (exp of the entropy of the
        accepted digits' distribution: 10 when all ten are equally common, 1 when one
        digit is all there is), ``digit_counts`` (10 ints) and ``not_digit_rate``
        (fraction whose most likely class is "not a digit").
    """
    verdicts = looks_like_digit(probabilities, threshold=threshold)
    accepted = verdicts >= 0
    best = np.asarray(probabilities).argmax(axis=1)
    counts = np.bincount(verdicts[accepted], minlength=NOT_A_DIGIT)
    share = counts[counts > 0] / max(counts.sum(), 1)
    return {"digit_rate": round(float(accepted.mean()), 4),
            "digits_seen": int((counts > 0).sum()),
            "effective_digits": round(float(np.exp(-(share * np.log(share)).sum())), 2) if counts.any() else 0.0,
            "digit_counts": [int(c) for c in counts],
            "not_digit_rate": round(float((best == NOT_A_DIGIT).mean()), 4)}
