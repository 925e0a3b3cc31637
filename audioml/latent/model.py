"""Latent spaces: a 2-D DCAE beside a 2-D VAE on MNIST.

The DCAE comes from the shared builder (:func:`audioml.nn.autoencoder.build_dcae`),
and so does a VAE trained with the defaults (:func:`~audioml.nn.autoencoder.build_vae`,
as in the alpha study); the shipped VAE, with its own reconstruction loss, decoder and
learning-rate schedule, comes from :func:`audioml.latent.vae.build_latent_vae`. All have a
two-number bottleneck, so every digit becomes a point of a plane that can be drawn,
picked from and sampled.

The argument the page makes: the DCAE, trained on MSE alone, puts its codes
wherever reconstruction is easiest, so the prior N(0, I) says little about
where digits are and its draws land in the middle of a much wider cloud, where a
few digits live; the VAE's KL term pulls its codes towards N(0, I), so draws
from the prior decode to every digit. Both turn most draws into digits.
"""

from __future__ import annotations

import time

import numpy as np

from audioml import registry
from audioml.errors import AudioMLError
from audioml.latent.mnist import IMAGE_SIZE, DigitSplit
from audioml.nn.blocks import ConvStackConfig
from audioml.progress import ProgressFn, keras_callback, no_progress

# Settings in one place: small conv stacks are plenty for 28x28 digits. How long to train
# is the recipe's choice (audioml.latent.recipe.PRESETS).
CONFIG = ConvStackConfig(input_shape=(IMAGE_SIZE, IMAGE_SIZE, 1), filters=(32, 64),
                         kernels=(3, 3), strides=(2, 2), latent_dim=2)
KINDS = ("dcae", "vae")
LOSSES = ("mse", "bce")   # a VAE's per-pixel reconstruction loss: squared error or binary cross-entropy
MODEL_NAMES = {"dcae": "latent_dcae", "vae": "latent_vae"}
DEFAULT_ALPHA = 1000.0   # weight of the per-pixel MSE against the KL term (nats)
BATCH_SIZE = 64
LEARNING_RATE = 1e-3
LR_FLOOR = 0.01   # with lr_decay, the learning rate ends at this fraction of LEARNING_RATE
SEED = 0


def check_kind(kind: str) -> str:
    """Return *kind* if it is ``"dcae"`` or ``"vae"``; raise :class:`AudioMLError` otherwise."""
    if kind not in KINDS:
        raise AudioMLError(f"unknown latent model {kind!r}; choose one of {', '.join(KINDS)}")
    return kind


def build_latent_model(kind: str, *, alpha: float = DEFAULT_ALPHA, seed: int = SEED,
                       config: ConvStackConfig = CONFIG):
    """A compiled 2-D autoencoder for 28x28 digits.

    Parameters
    ----------
    kind : {"dcae", "vae"}
    alpha : float
        VAE only: the loss is ``alpha * MSE + D_KL`` with the MSE averaged over pixels.
    seed : int
        Seed of the VAE's sampling layer.
    config : ConvStackConfig
        Its ``latent_dim`` should stay 2 for the page's plots.

    Returns
    -------
    keras.Model
        Input and output of shape (28, 28, 1), values in [0, 1], with sub-models
        ``encoder`` and ``decoder``.
    """
    from audioml.nn.autoencoder import build_dcae, build_vae

    check_kind(kind)
    if kind == "dcae":
        return build_dcae(config, learning_rate=LEARNING_RATE, name="latent_dcae")
    if not (np.isfinite(alpha) and alpha > 0):
        raise AudioMLError(f"alpha must be a positive number, got {alpha!r}")
    return build_vae(config, alpha=float(alpha), learning_rate=LEARNING_RATE, seed=seed,
                     name="latent_vae")


def image_batch(images: np.ndarray) -> np.ndarray:
    """Digits as a network input: shape (n, 28, 28, 1), float32.

    Parameters
    ----------
    images : np.ndarray [shape=(n, 28, 28), (28, 28) or (n, 28, 28, 1)], values in [0, 1]

    Raises
    ------
    AudioMLError
        For any other shape.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 2:
        images = images[None]
    if images.ndim == 3:
        images = images[..., None]
    if images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 1):
        raise AudioMLError(f"images must have shape (n, 28, 28); got {images.shape}")
    return images


def latent_config(filters=None) -> ConvStackConfig:
    """:data:`CONFIG` with other conv filters (two blocks, encoder order; the decoder mirrors them).

    Raises
    ------
    AudioMLError
        Unless *filters* is ``None`` or two positive integers.
    """
    if filters is None:
        return CONFIG
    filters = tuple(int(f) for f in filters)
    if len(filters) != 2 or min(filters) < 1:   # two stride-2 blocks: 28 → 14 → 7
        raise AudioMLError(f"filters must be two positive integers, got {list(filters)}")
    return ConvStackConfig(input_shape=CONFIG.input_shape, filters=filters, kernels=CONFIG.kernels,
                           strides=CONFIG.strides, latent_dim=CONFIG.latent_dim)


def uses_shared_builder(kind: str, *, loss: str = "mse", kl_warmup: int = 0, decoder_dense: int = 0,
                        filters=None, lr_decay: bool = False) -> bool:
    """Whether these settings are those of the shared builders (a DCAE, or the plain VAE:
    MSE, no warm-up, no extra dense layer, :data:`CONFIG`'s filters, a constant learning
    rate); otherwise a VAE comes from :func:`audioml.latent.vae.build_latent_vae`.
    Augmentation changes only the data."""
    return kind == "dcae" or (loss == "mse" and kl_warmup == 0 and decoder_dense == 0
                              and latent_config(filters) == CONFIG and not lr_decay)


def train_latent(kind: str, split: DigitSplit, *, epochs: int, alpha: float = DEFAULT_ALPHA,
                 batch_size: int = BATCH_SIZE, seed: int = SEED, loss: str = "mse",
                 kl_warmup: int = 0, decoder_dense: int = 0, filters=None, augment: bool = False,
                 lr_decay: bool = False, progress: ProgressFn = no_progress):
    """Train a DCAE or a VAE on the training part of *split* for *epochs* epochs.

    The held-out images are only scored after each epoch (shown in the progress
    message as ``val_*``); nothing is chosen with them, so the figures measured on
    them later stay honest. With the defaults, a VAE is the shared builder's
    (:func:`build_latent_model`); any of *loss*, *kl_warmup*, *decoder_dense*, *filters*
    or *lr_decay* set otherwise builds it with :func:`audioml.latent.vae.build_latent_vae`.

    Parameters
    ----------
    kind : {"dcae", "vae"}
    split : DigitSplit
    epochs : int
    alpha : float
        VAE only: weight of the per-pixel reconstruction loss against the KL term.
    batch_size, seed : int
    loss : {"mse", "bce"}
        VAE only: per-pixel squared error or binary cross-entropy.
    kl_warmup : int
        VAE only: epochs over which the KL weight climbs linearly from 0 to 1
        (batch by batch); 0 for none.
    decoder_dense : int
        VAE only: units of a dense layer between the code and the decoder's
        transposed convolutions; 0 for none.
    filters : sequence of two int, optional
        VAE only: the conv filters (default :data:`CONFIG`'s, 32 and 64).
    augment : bool
        Train each epoch on a fresh copy of the training digits, shifted and rotated
        a little (:func:`audioml.latent.augment.augment_digits`).
    lr_decay : bool
        VAE only: lower Adam's learning rate along a cosine from :data:`LEARNING_RATE`
        to :data:`LR_FLOOR` times it over the whole run, batch by batch.

    Returns
    -------
    model : keras.Model
        The model to evaluate and save (sub-models ``encoder`` and ``decoder``).
    history : dict
        Per-epoch losses, as Keras records them.
    seconds : float
        Wall-clock training time.
    """
    import keras

    check_kind(kind)
    if epochs < 1 or batch_size < 1:
        raise AudioMLError(f"epochs and batch_size must be at least 1; got {epochs}, {batch_size}")
    if kl_warmup < 0 or kl_warmup > epochs:
        raise AudioMLError(f"kl_warmup must be between 0 and the {epochs} epochs, got {kl_warmup}")
    keras.utils.set_random_seed(seed)
    callbacks = [keras_callback(progress, epochs)]
    if uses_shared_builder(kind, loss=loss, kl_warmup=kl_warmup, decoder_dense=decoder_dense,
                           filters=filters, lr_decay=lr_decay):
        model = trained = build_latent_model(kind, alpha=alpha, seed=seed)
    else:
        from audioml.latent.vae import KLWarmup, build_latent_vae

        if not (np.isfinite(alpha) and alpha > 0):
            raise AudioMLError(f"alpha must be a positive number, got {alpha!r}")
        steps = -(-len(split.train_images) // batch_size)
        rate = (keras.optimizers.schedules.CosineDecay(LEARNING_RATE, decay_steps=epochs * steps,
                                                       alpha=LR_FLOOR)
                if lr_decay else LEARNING_RATE)
        parts = build_latent_vae(latent_config(filters), alpha=float(alpha), loss=loss,
                                 dense_units=decoder_dense, learning_rate=rate, seed=seed)
        model, trained = parts.ship, parts.train
        callbacks.append(KLWarmup(parts.code, kl_warmup * steps, steps))
    x, x_held = image_batch(split.train_images), image_batch(split.heldout_images)
    start = time.perf_counter()
    if not augment:
        history = trained.fit(x, x, validation_data=(x_held, x_held), epochs=epochs,
                              batch_size=batch_size, shuffle=True, verbose=0, callbacks=callbacks).history
    else:
        from audioml.latent.augment import augment_digits

        rng, history = np.random.default_rng(seed), {}
        for epoch in range(epochs):   # one fit per epoch, each on freshly moved digits
            moved = augment_digits(x, rng)
            logs = trained.fit(moved, moved, validation_data=(x_held, x_held), initial_epoch=epoch,
                               epochs=epoch + 1, batch_size=batch_size, shuffle=True, verbose=0,
                               callbacks=callbacks).history
            for key, values in logs.items():
                history.setdefault(key, []).extend(values)
    return model, history, time.perf_counter() - start


def run_in_batches(network, x: np.ndarray, *, batch_size: int = 512):
    """Inference with *network* on *x*, batch by batch, as float32 NumPy.

    A direct call rather than ``predict``: ``predict`` builds a new graph for each
    new input size, which costs more than the work itself for the page's small batches.
    Returns one array, or a list of arrays for a network with several outputs.
    """
    from keras import ops

    parts = []
    for start in range(0, max(len(x), 1), batch_size):
        out = network(x[start:start + batch_size], training=False)
        outs = out if isinstance(out, (list, tuple)) else [out]
        parts.append([np.asarray(ops.convert_to_numpy(o), dtype=np.float32) for o in outs])
    joined = [np.concatenate([p[i] for p in parts]) for i in range(len(parts[0]))]
    return joined if len(joined) > 1 else joined[0]


def load(card: dict, path):
    """A shipped latent-space model (DCAE, VAE or the digit judge) from its weight file.

    The loader :mod:`audioml.shipped` calls for cards of task ``"latent"``; the
    ``.keras`` file is read in safe mode by :func:`audioml.registry.load_keras_model`.
    These models need nothing from their card beyond the file.

    Returns
    -------
    keras.Model
    """
    return registry.load_keras_model(path)


def load_shipped(name: str, models_dir=None):
    """Shipped model *name* (e.g. ``"latent_vae"``) from ``models/`` or *models_dir*.

    Raises
    ------
    AudioMLError
        When there is no such card (the message lists the shipped ones) or its
        weight file is missing.
    """
    card = registry.get_card(name, models_dir)
    path = registry.model_path(name, models_dir)
    if not path.exists():
        raise AudioMLError(f"weights of model {name!r} are missing: {path}")
    return load(card, path)


def load_latent(kind: str, models_dir=None):
    """The shipped DCAE or VAE (*kind* ``"dcae"`` or ``"vae"``)."""
    return load_shipped(MODEL_NAMES[check_kind(kind)], models_dir)


def encode(model, images: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """Latent codes of *images*; for a VAE, the means of its Gaussians.

    Parameters
    ----------
    images : np.ndarray [shape=(n, 28, 28)], values in [0, 1]

    Returns
    -------
    np.ndarray [shape=(n, 2), dtype=float32]
    """
    return encode_distribution(model, images, batch_size=batch_size)[0]


def encode_distribution(model, images: np.ndarray, *, batch_size: int = 512):
    """Means and log-variances of the codes; a DCAE's log-variance is ``None``.

    Returns
    -------
    mean : np.ndarray [shape=(n, 2)]
    log_var : np.ndarray [shape=(n, 2)] or None
    """
    out = run_in_batches(model.get_layer("encoder"), image_batch(images), batch_size=batch_size)
    if isinstance(out, list):
        return out[0], out[1]
    return out, None


def decode(model, codes: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """Images decoded from latent points.

    Parameters
    ----------
    codes : np.ndarray [shape=(n, 2)] (or (2,) for one point)

    Returns
    -------
    np.ndarray [shape=(n, 28, 28), dtype=float32], values in [0, 1]
    """
    codes = np.atleast_2d(np.asarray(codes, dtype=np.float32))
    dim = model.get_layer("decoder").inputs[0].shape[-1]
    if codes.ndim != 2 or codes.shape[1] != dim or not np.all(np.isfinite(codes)):
        raise AudioMLError(f"codes must be finite points of shape (n, {dim}); got {codes.shape}")
    out = run_in_batches(model.get_layer("decoder"), codes, batch_size=batch_size)
    return np.clip(out[..., 0], 0.0, 1.0).astype(np.float32)


def prior_draws(n: int, *, seed: int = 0, dim: int = 2) -> np.ndarray:
    """*n* points from the standard normal N(0, I); shape (n, dim), float32."""
    if not isinstance(n, (int, np.integer)) or not 1 <= n <= 100_000:
        raise AudioMLError(f"n must be an integer between 1 and 100000, got {n!r}")
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def sample(model, n: int, *, seed: int = 0) -> np.ndarray:
    """Decode *n* draws from N(0, I).

    Returns
    -------
    np.ndarray [shape=(n, 28, 28), dtype=float32], values in [0, 1]
    """
    return decode(model, prior_draws(n, seed=seed))


def grid_points(*, extent: tuple[float, float, float, float] = (-3, 3, -3, 3),
                steps: int = 15) -> np.ndarray:
    """A regular grid over the latent plane, top row first (largest z2), as images are drawn.

    Parameters
    ----------
    extent : (x_min, x_max, y_min, y_max)
    steps : int
        Points per side, 2-40.

    Returns
    -------
    np.ndarray [shape=(steps * steps, 2)]
    """
    x0, x1, y0, y1 = (float(v) for v in extent)
    if not 2 <= steps <= 40 or not (x0 < x1 and y0 < y1):
        raise AudioMLError(f"need 2 <= steps <= 40 and a non-empty extent; got {steps}, {extent}")
    xs, ys = np.linspace(x0, x1, steps), np.linspace(y1, y0, steps)
    return np.array([(x, y) for y in ys for x in xs], dtype=np.float32)


def tile(images: np.ndarray, *, columns: int) -> np.ndarray:
    """Arrange (n, h, w) images in a grid of *columns*; empty cells stay black.

    Returns
    -------
    np.ndarray [shape=(rows * h, columns * w)]
    """
    images = np.asarray(images)
    n, h, w = images.shape
    rows = -(-n // columns)
    canvas = np.zeros((rows * h, columns * w), dtype=images.dtype)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        canvas[r * h:(r + 1) * h, c * w:(c + 1) * w] = image
    return canvas


def manifold(model, *, extent: tuple[float, float, float, float] = (-3, 3, -3, 3),
             steps: int = 15) -> np.ndarray:
    """The decoded latent plane: one digit per grid point, tiled into one image.

    Returns
    -------
    np.ndarray [shape=(28 * steps, 28 * steps)], values in [0, 1]
    """
    return tile(decode(model, grid_points(extent=extent, steps=steps)), columns=steps)


def code_extent(codes: np.ndarray, *, percentiles: tuple[float, float] = (1, 99)
                ) -> tuple[float, float, float, float]:
    """The box that holds most of a cloud of 2-D codes, as an ``extent`` for :func:`manifold`.

    Parameters
    ----------
    codes : np.ndarray [shape=(n, 2)]
    percentiles : (low, high)
        Percentiles of each axis that bound the box, so a few outliers do not stretch it.

    Returns
    -------
    (x_min, x_max, y_min, y_max)
    """
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] != 2 or len(codes) < 2:
        raise AudioMLError(f"codes must have shape (n, 2) with n >= 2; got {codes.shape}")
    lo, hi = np.percentile(codes, list(percentiles), axis=0)
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])
