"""Latent spaces: a 2-D DCAE beside a 2-D VAE on MNIST.

This module builds, trains and loads them; running them (encode, decode, sample, the decoded
plane) is :mod:`audioml.latent.inference`. The DCAE comes from the shared builder (:func:`audioml.nn.autoencoder.build_dcae`),
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
from audioml.latent.inference import image_batch
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


def check_alpha(alpha: float) -> float:
    """*alpha* as a float if it is a positive finite number; raise :class:`AudioMLError` otherwise.

    The one check of a VAE's reconstruction weight: the builders, the trainer, the recipe's
    presets and the alpha study all call it.
    """
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise AudioMLError(f"alpha must be a positive number, got {alpha!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise AudioMLError(f"alpha must be positive, got {value:g}")
    return value


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
    return _shared_model(check_kind(kind), check_alpha(alpha), seed=seed, config=config)


def _shared_model(kind: str, alpha: float, *, seed: int, config: ConvStackConfig = CONFIG):
    """:func:`build_latent_model` without the checks (its callers made them)."""
    from audioml.nn.autoencoder import build_dcae, build_vae

    if kind == "dcae":
        return build_dcae(config, learning_rate=LEARNING_RATE, name="latent_dcae")
    return build_vae(config, alpha=alpha, learning_rate=LEARNING_RATE, seed=seed, name="latent_vae")


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
    alpha = check_alpha(alpha)
    if epochs < 1 or batch_size < 1:
        raise AudioMLError(f"epochs and batch_size must be at least 1; got {epochs}, {batch_size}")
    if kl_warmup < 0 or kl_warmup > epochs:
        raise AudioMLError(f"kl_warmup must be between 0 and the {epochs} epochs, got {kl_warmup}")
    keras.utils.set_random_seed(seed)
    steps = -(-len(split.train_images) // batch_size)   # batches per epoch
    model, trained, extra = _networks(kind, alpha, seed=seed, epochs=epochs, steps=steps, loss=loss,
                                      kl_warmup=kl_warmup, decoder_dense=decoder_dense,
                                      filters=filters, lr_decay=lr_decay)
    x, x_held = image_batch(split.train_images), image_batch(split.heldout_images)
    fit = {"validation_data": (x_held, x_held), "batch_size": batch_size, "shuffle": True,
           "verbose": 0, "callbacks": [keras_callback(progress, epochs), *extra]}
    start = time.perf_counter()
    if not augment:
        history = trained.fit(x, x, epochs=epochs, **fit).history
    else:
        from audioml.latent.augment import augment_digits

        rng, history = np.random.default_rng(seed), {}
        for epoch in range(epochs):   # one fit per epoch, each on freshly moved digits
            moved = augment_digits(x, rng)
            logs = trained.fit(moved, moved, initial_epoch=epoch, epochs=epoch + 1, **fit).history
            for key, values in logs.items():
                history.setdefault(key, []).extend(values)
    return model, history, time.perf_counter() - start


def _networks(kind: str, alpha: float, *, seed: int, epochs: int, steps: int, loss: str,
              kl_warmup: int, decoder_dense: int, filters, lr_decay: bool):
    """The model to ship, the model to fit (the same one, or a training wrapper around it)
    and the callbacks the fit needs besides progress, for settings :func:`train_latent` checked."""
    if uses_shared_builder(kind, loss=loss, kl_warmup=kl_warmup, decoder_dense=decoder_dense,
                           filters=filters, lr_decay=lr_decay):
        model = _shared_model(kind, alpha, seed=seed)
        return model, model, []
    import keras

    from audioml.latent.vae import KLWarmup, build_latent_vae

    rate = (keras.optimizers.schedules.CosineDecay(LEARNING_RATE, decay_steps=epochs * steps, alpha=LR_FLOOR)
            if lr_decay else LEARNING_RATE)
    parts = build_latent_vae(latent_config(filters), alpha=alpha, loss=loss, dense_units=decoder_dense,
                             learning_rate=rate, seed=seed)
    return parts.ship, parts.train, [KLWarmup(parts.code, kl_warmup * steps, steps)]


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


