"""The two autoencoders of the method, built from the shared conv blocks.

* :func:`build_dcae` - a deep convolutional autoencoder: each input becomes one
  point ``z`` of the latent space; trained on reconstruction (MSE) alone.
* :func:`build_vae` - a variational autoencoder: each input becomes a Gaussian
  ``N(mean, exp(log_var))``; a sample of it is decoded, and the loss adds the KL
  divergence from the standard normal, ``C = alpha * MSE + D_KL`` with
  ``D_KL = -1/2 * sum(1 + log_var - mean**2 - exp(log_var))``.

Both return a functional model whose sub-models ``model.get_layer("encoder")``
and ``model.get_layer("decoder")`` are usable on their own. Saved as ``.keras``
they reload with safe mode on, because the one custom layer is registered.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from audioml.nn.blocks import ConvStackConfig, build_decoder, conv_trunk


@keras.saving.register_keras_serializable(package="audioml")
class VariationalCode(layers.Layer):
    """Reparameterised sampling ``z = mean + exp(log_var / 2) * eps`` plus the KL loss.

    During training it draws ``eps ~ N(0, I)`` and adds ``kl_weight * D_KL``
    (batch mean) to the model's losses; at inference it returns the mean, so a
    denoiser's output is deterministic.
    """

    def __init__(self, kl_weight: float = 1.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.kl_weight = float(kl_weight)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        mean, log_var = inputs
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(self.kl_weight * ops.mean(kl))
        if not training:
            return mean
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps

    def get_config(self):
        return {**super().get_config(), "kl_weight": self.kl_weight, "seed": self.seed}


def build_dcae(config: ConvStackConfig, *, learning_rate: float = 5e-4,
               name: str = "dcae") -> keras.Model:
    """Deep convolutional autoencoder, compiled with Adam and MSE.

    Input and output have shape ``config.input_shape`` with values in [0, 1].
    """
    inputs = keras.Input(shape=config.input_shape, name="input")
    code = layers.Dense(config.latent_dim, name="code")(conv_trunk(inputs, config))
    encoder = keras.Model(inputs, code, name="encoder")
    decoder = build_decoder(config)
    model = keras.Model(inputs, decoder(encoder(inputs)), name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model


def build_vae(config: ConvStackConfig, *, alpha: float = 50_000.0, learning_rate: float = 5e-4,
              seed: int | None = None, name: str = "vae") -> keras.Model:
    """Variational autoencoder compiled with the loss ``alpha * MSE + D_KL``.

    The encoder sub-model maps an input to ``[mean, log_var]`` (each of shape
    ``(latent_dim,)``); the reported ``loss`` is the total, and the MSE alone is
    tracked as the ``mse`` metric.
    """
    inputs = keras.Input(shape=config.input_shape, name="input")
    features = conv_trunk(inputs, config)
    mean = layers.Dense(config.latent_dim, name="mean")(features)
    log_var = layers.Dense(config.latent_dim, name="log_var")(features)
    encoder = keras.Model(inputs, [mean, log_var], name="encoder")
    decoder = build_decoder(config)
    z = VariationalCode(kl_weight=1.0, seed=seed, name="sampling")(encoder(inputs))
    model = keras.Model(inputs, decoder(z), name=name)
    # loss_weights scales the reconstruction term only; the KL term enters through add_loss.
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse",
                  loss_weights=[alpha], metrics=["mse"])
    return model
