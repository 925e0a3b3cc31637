"""The two autoencoders of the method, built from the shared conv blocks.

* :func:`build_dcae` - a deep convolutional autoencoder: each input becomes one
  point ``z`` of the latent space; trained on reconstruction (MSE) alone.
* :func:`build_vae` - a variational autoencoder: each input becomes a Gaussian
  ``N(mean, exp(log_var))``; a sample of it is decoded, and the loss adds the KL
  divergence from the standard normal, ``C = alpha * MSE + D_KL`` with
  ``D_KL = -1/2 * sum(1 + log_var - mean**2 - exp(log_var))``.

Both return a functional model whose sub-models ``model.get_layer("encoder")``
and ``model.get_layer("decoder")`` are usable on their own. Saved as ``.keras``
they reload with safe mode on, because their one custom layer
(:class:`audioml.nn.layers.VariationalCode`) is registered.
"""

from __future__ import annotations

import keras
from keras import layers

from audioml.nn.blocks import ConvStackConfig, build_decoder, conv_trunk
from audioml.nn.layers import VariationalCode


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
