"""The project's custom Keras layers, registered when this module is imported.

Keras' safe mode reloads a ``.keras`` file only if every custom layer in it is
registered under the name the file records (``audioml>VariationalCode``), so
:func:`audioml.registry.load_keras_model` imports this module before loading.
Importing it imports Keras (and TensorFlow); the rest of the package imports it
only inside the functions that build or load a model.
"""

from __future__ import annotations

import keras
from keras import layers, ops


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


@keras.saving.register_keras_serializable(package="audioml")
class LogSpectrumNorm(layers.Layer):
    """``log(|X| + floor)`` normalised per utterance to zero mean and unit variance.

    Input ``(batch, frames, bins)`` linear magnitudes; the statistics run over
    frames and bins of each utterance, so a net behind it is blind to the input's gain.
    """

    def __init__(self, floor: float = 1e-4, **kwargs):
        super().__init__(**kwargs)
        self.floor = float(floor)

    def call(self, magnitude):
        x = ops.log(magnitude + self.floor)
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        std = ops.sqrt(ops.mean(ops.square(x - mean), axis=(1, 2), keepdims=True))
        return (x - mean) / (std + 1e-5)

    def get_config(self):
        return {**super().get_config(), "floor": self.floor}
