"""The latent page's own VAE builder: a choice of reconstruction loss, decoder capacity, KL warm-up.

The shared :func:`audioml.nn.autoencoder.build_vae` (also the speech denoisers')
has one loss, ``alpha * MSE + D_KL``, a KL weight fixed at 1 and a decoder that
mirrors the encoder. A 2-D VAE whose prior draws should decode to clear digits
wants more:

* ``loss="bce"``: per-pixel binary cross-entropy, which punishes a grey pixel where
  the digit is black or white far harder than MSE does, so decodes come out sharp
  (with ``alpha = 784`` it is the sum over the pixels, as in the Keras VAE example);
* ``decoder_dense``: a dense layer of that many units between the 2-D code and the
  transposed convolutions, so the decoder can draw sharp borders between the digits'
  regions of the plane;
* a KL warm-up: the KL term's weight goes from 0 to 1 over the first epochs
  (:func:`kl_weight`), so the encoder spreads the digits apart before the prior
  pulls them together.

Training runs a *training* model whose sampling layer reads its KL weight from a
variable (:class:`AnnealedCode`); what is saved and shipped is the *inference*
model, the same encoder and decoder joined by the registered
:class:`audioml.nn.layers.VariationalCode` (KL weight 1), so it reloads in safe mode
like every other shipped model and the page handles it like the shared VAE.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers, ops

from audioml.errors import AudioMLError
from audioml.nn.blocks import ConvStackConfig, conv_trunk, deconv_block
from audioml.nn.layers import VariationalCode

#: The reconstruction losses by their short names (``audioml.latent.model.LOSSES``, which the
#: command line checks without importing Keras) and the Keras loss each one is.
RECONSTRUCTION_LOSSES = {"mse": "mse", "bce": "binary_crossentropy"}



def kl_weight(step: int, warmup_steps: int) -> float:
    """The KL term's weight at training step *step* (0-based): ``step / warmup_steps``, at most 1.

    Parameters
    ----------
    step : int
        Batches trained so far.
    warmup_steps : int
        Batches over which the weight climbs from 0 to 1; 0 means no warm-up (always 1).

    Returns
    -------
    float
        In [0, 1]; exactly 1 from step *warmup_steps* on.
    """
    if step < 0 or warmup_steps < 0:
        raise AudioMLError(f"step and warmup_steps must be >= 0; got {step}, {warmup_steps}")
    if warmup_steps == 0:
        return 1.0
    return min(1.0, step / warmup_steps)


class AnnealedCode(layers.Layer):
    """Reparameterised sampling with a KL term whose weight is a variable (training only).

    Like :class:`~audioml.nn.layers.VariationalCode`, but the weight of
    ``D_KL(N(mean, exp(log_var)) || N(0, I))`` (batch mean) is the non-trainable
    variable ``kl_weight``, which :class:`KLWarmup` moves during training. It is
    never saved: the shipped model uses ``VariationalCode`` in its place.
    """

    def __init__(self, seed: int | None = None, initial_weight: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.kl_weight = self.add_weight(shape=(), initializer=keras.initializers.Constant(initial_weight),
                                         trainable=False, name="kl_weight")

    def call(self, inputs, training=None):
        mean, log_var = inputs
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(ops.cast(self.kl_weight, kl.dtype) * ops.mean(kl))
        if not training:
            return mean
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps


class KLWarmup(keras.callbacks.Callback):
    """Set an :class:`AnnealedCode` layer's KL weight to :func:`kl_weight` before each batch.

    Parameters
    ----------
    layer : AnnealedCode
    warmup_steps : int
        Batches of the warm-up (0: the weight stays 1).
    steps_per_epoch : int
        Batches in one epoch, to count steps across :meth:`keras.Model.fit` calls
        that each train one epoch.
    """

    def __init__(self, layer: AnnealedCode, warmup_steps: int, steps_per_epoch: int):
        super().__init__()
        self.layer, self.warmup_steps, self.steps_per_epoch = layer, warmup_steps, steps_per_epoch
        self.epoch = 0
        self.weights_seen: list[float] = []   # the weight of each epoch's first batch

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self._set(epoch * self.steps_per_epoch)
        self.weights_seen.append(float(ops.convert_to_numpy(self.layer.kl_weight)))

    def on_train_batch_begin(self, batch, logs=None):
        step = self.epoch * self.steps_per_epoch + batch
        if step <= self.warmup_steps:   # after the warm-up the weight stays at 1
            self._set(step)

    def _set(self, step: int) -> None:
        self.layer.kl_weight.assign(kl_weight(step, self.warmup_steps))


@dataclass
class LatentVAE:
    """The two models of :func:`build_latent_vae`, which share their encoder and decoder.

    Attributes
    ----------
    train : keras.Model
        Compiled; its loss is ``alpha * reconstruction + kl_weight * D_KL``.
    ship : keras.Model
        Not compiled; encoder → :class:`~audioml.nn.layers.VariationalCode` → decoder,
        with sub-models ``encoder`` and ``decoder``: the model to evaluate and save.
    code : AnnealedCode
        The training model's sampling layer, whose ``kl_weight`` the warm-up moves.
    """

    train: keras.Model
    ship: keras.Model
    code: AnnealedCode


def build_decoder(config: ConvStackConfig, *, dense_units: int = 0, name: str = "decoder") -> keras.Model:
    """Code → [Dense(dense_units) → ReLU] → Dense → Reshape → transposed convs → sigmoid.

    With ``dense_units=0`` it is the shared :func:`audioml.nn.blocks.build_decoder`.
    The input size must be a multiple of the product of the strides (28 for 2, 2).
    """
    h, w, c = config.encoded_shape()
    code = keras.Input(shape=(config.latent_dim,), name="code")
    x = code
    if dense_units:
        x = layers.Dense(dense_units, name="hidden")(x)
        x = layers.ReLU(name="hidden_relu")(x)
    x = layers.Dense(h * w * c, name="expand")(x)
    x = layers.ReLU(name="expand_relu")(x)
    x = layers.Reshape((h, w, c), name="unflatten")(x)
    blocks = list(zip(config.filters, config.kernels, config.strides))[::-1]
    for i, (f, k, s) in enumerate(blocks):
        last = i == len(blocks) - 1
        next_filters = config.input_shape[2] if last else blocks[i + 1][0]
        x = deconv_block(x, next_filters, k, s, name=f"dec{i + 1}", last=last)
        h, w = h * s, w * s
    if (h, w) != tuple(config.input_shape[:2]):
        raise AudioMLError(f"the decoder draws {h}x{w}, not the input's {config.input_shape[:2]}")
    return keras.Model(code, x, name=name)


def build_latent_vae(config: ConvStackConfig, *, alpha: float, loss: str = "mse", dense_units: int = 0,
                     learning_rate=1e-3, seed: int | None = None,
                     name: str = "latent_vae") -> LatentVAE:
    """A VAE for 28x28 digits with a chosen reconstruction loss and decoder, ready to train.

    Parameters
    ----------
    config : ConvStackConfig
        Filters, kernels and strides of the encoder (mirrored by the decoder) and the code size.
    alpha : float
        Weight of the reconstruction term, averaged over pixels; the KL term has weight 1
        (after any warm-up).
    loss : {"mse", "bce"}
        Per-pixel reconstruction loss: squared error or binary cross-entropy.
    dense_units : int
        Units of the decoder's extra dense layer (0: none).
    learning_rate : float or keras.optimizers.schedules.LearningRateSchedule
        Adam's step size, or its schedule.
    seed : int, optional
        Seed of the sampling noise.

    Returns
    -------
    LatentVAE
        The training model, the model to ship and the sampling layer of the first.
    """
    if loss not in RECONSTRUCTION_LOSSES:
        raise AudioMLError(f"unknown reconstruction loss {loss!r}; "
                           f"choose one of {', '.join(RECONSTRUCTION_LOSSES)}")
    if dense_units < 0:
        raise AudioMLError(f"decoder_dense must be >= 0, got {dense_units}")
    inputs = keras.Input(shape=config.input_shape, name="input")
    features = conv_trunk(inputs, config)
    mean = layers.Dense(config.latent_dim, name="mean")(features)
    log_var = layers.Dense(config.latent_dim, name="log_var")(features)
    encoder = keras.Model(inputs, [mean, log_var], name="encoder")
    decoder = build_decoder(config, dense_units=dense_units)
    code = AnnealedCode(seed=seed, name="sampling")
    train = keras.Model(inputs, decoder(code(encoder(inputs))), name=f"{name}_training")
    train.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=RECONSTRUCTION_LOSSES[loss],
                  loss_weights=[float(alpha)], metrics=["mse"])
    ship_inputs = keras.Input(shape=config.input_shape, name="input")
    z = VariationalCode(kl_weight=1.0, seed=seed, name="sampling")(encoder(ship_inputs))
    ship = keras.Model(ship_inputs, decoder(z), name=name)
    return LatentVAE(train=train, ship=ship, code=code)
