"""The conv block: the one building brick of the DCAE, the VAE and the latent-space models.

The method stacks blocks of Conv2D → ReLU → BatchNorm in the encoder and mirrors
them with transposed convolutions in the decoder. Both halves are built here,
so every autoencoder in the project has the same shape of network.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from audioml.errors import AudioMLError


@dataclass(frozen=True)
class ConvStackConfig:
    """Shape of an autoencoder's conv stack.

    Attributes
    ----------
    input_shape : tuple of int
        (height, width, channels) of one input, e.g. (257, 18, 1) for a
        spectrogram of 257 frequency bins by 18 frames, or (28, 28, 1) for MNIST.
    filters, kernels, strides : tuple of int
        One entry per conv block, encoder order; the decoder mirrors them.
    latent_dim : int
        Size of the bottleneck code.
    """

    input_shape: tuple[int, int, int]
    filters: tuple[int, ...] = (100, 50)
    kernels: tuple[int, ...] = (3, 3)
    strides: tuple[int, ...] = (2, 2)
    latent_dim: int = 64
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.filters)
        if n == 0 or len(self.kernels) != n or len(self.strides) != n:
            raise AudioMLError(
                f"filters, kernels and strides need one entry per block; got "
                f"{self.filters}, {self.kernels}, {self.strides}")
        if self.latent_dim < 1:
            raise AudioMLError(f"latent_dim must be positive, got {self.latent_dim}")

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> "ConvStackConfig":
        keys = ("input_shape", "filters", "kernels", "strides", "latent_dim")
        return cls(**{k: tuple(d[k]) if isinstance(d[k], list) else d[k] for k in keys if k in d})

    def encoded_shape(self) -> tuple[int, int, int]:
        """Shape after the last encoder block ('same' padding: ceil(size / stride))."""
        h, w = self.input_shape[:2]
        for s in self.strides:
            h, w = math.ceil(h / s), math.ceil(w / s)
        return h, w, self.filters[-1]


def conv_block(x, filters: int, kernel: int, stride: int, *, name: str):
    """Conv2D → ReLU → BatchNorm, 'same' padding."""
    from keras import layers  # Keras loads on first use, so configs import without TensorFlow

    x = layers.Conv2D(filters, kernel, strides=stride, padding="same", name=f"{name}_conv")(x)
    x = layers.ReLU(name=f"{name}_relu")(x)
    return layers.BatchNormalization(name=f"{name}_bn")(x)


def deconv_block(x, filters: int, kernel: int, stride: int, *, name: str, last: bool = False):
    """Conv2DTranspose → ReLU → BatchNorm, or → sigmoid when it is the output block."""
    from keras import layers

    x = layers.Conv2DTranspose(filters, kernel, strides=stride, padding="same",
                               name=f"{name}_deconv")(x)
    if last:
        return layers.Activation("sigmoid", name=f"{name}_sigmoid")(x)
    x = layers.ReLU(name=f"{name}_relu")(x)
    return layers.BatchNormalization(name=f"{name}_bn")(x)


def conv_trunk(inputs, config: ConvStackConfig):
    """The encoder's conv blocks followed by Flatten; returns the flat features."""
    from keras import layers

    x = inputs
    for i, (f, k, s) in enumerate(zip(config.filters, config.kernels, config.strides)):
        x = conv_block(x, f, k, s, name=f"enc{i + 1}")
    return layers.Flatten(name="flatten")(x)


def build_decoder(config: ConvStackConfig, *, name: str = "decoder") -> "keras.Model":
    """Dense → Reshape → mirrored transposed conv blocks → sigmoid, cropped to the input shape.

    Transposed convolutions with stride s multiply the size by s, so a mirrored
    stack can overshoot an odd input size (257 → 129 → 65 → 130 → 260); the
    surplus rows and columns are cropped off the end.
    """
    import keras
    from keras import layers

    h, w, c = config.encoded_shape()
    code = keras.Input(shape=(config.latent_dim,), name="code")
    x = layers.Dense(h * w * c, name="expand")(code)
    x = layers.ReLU(name="expand_relu")(x)
    x = layers.Reshape((h, w, c), name="unflatten")(x)
    blocks = list(zip(config.filters, config.kernels, config.strides))[::-1]
    out_channels = config.input_shape[2]
    for i, (f, k, s) in enumerate(blocks):
        last = i == len(blocks) - 1
        # Each block upsamples by its encoder twin's stride; the output block has the input's channels.
        next_filters = out_channels if last else blocks[i + 1][0]
        x = deconv_block(x, next_filters, k, s, name=f"dec{i + 1}", last=last)
        h, w = h * s, w * s
    crop_h, crop_w = h - config.input_shape[0], w - config.input_shape[1]
    if crop_h or crop_w:
        x = layers.Cropping2D(((0, crop_h), (0, crop_w)), name="crop")(x)
    return keras.Model(code, x, name=name)
