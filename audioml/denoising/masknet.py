"""Our mask network: a time-convolutional net (plus an optional GRU) that predicts a [0, 1] gain.

It sees the noisy STFT magnitude of a whole clip of any length (frame
:data:`MASK_N_FFT`, hop :data:`MASK_HOP` at 8 kHz) and predicts one gain per
bin; the denoiser multiplies the noisy STFT by it (:func:`shape_mask` sets how
hard) and keeps the noisy phase. The building is here; running it on a clip is
:class:`audioml.denoising.denoisers.MaskDenoiser`.
"""

from __future__ import annotations

import numpy as np

from audioml.errors import AudioMLError

#: The mask net's STFT: frame 512, hop 128 (16 ms) at 8 kHz. The finer hop (the
#: method's is 256) lifts the oracle mask's ceiling from about +7.3 to +9.0 dB
#: SI-SDR at 5 dB on FSDD.
MASK_N_FFT, MASK_HOP = 512, 128
#: The net's input is floored at this percentile of the clip's own magnitudes
#: (see :meth:`audioml.denoising.denoisers.MaskDenoiser.raw_mask`).
INPUT_FLOOR_PERCENTILE = 30

MASKNET_DEFAULTS = {"n_bins": 1 + MASK_N_FFT // 2, "width": 192, "kernel": 3,
                    "dilations": [1, 2, 4, 8, 16, 1, 2, 4, 8, 16], "gru_units": 0}


def build_masknet(*, n_bins: int = 257, width: int = 192, kernel: int = 3,
                  dilations: tuple[int, ...] | list[int] = (1, 2, 4, 8, 16, 1, 2, 4, 8, 16),
                  gru_units: int = 0, name: str = "masknet"):
    """A mask estimator: dilated convolutions over time (and an optional GRU), full-band in frequency.

    ``(batch, frames, n_bins)`` noisy magnitude -> ``(batch, frames, n_bins)``
    mask in [0, 1]. Each 1-D convolution mixes every frequency bin (the bins are
    its channels), and residual blocks with dilations ``1, 2, 4, ...`` widen the
    context in time: with kernel 3, the input convolution and dilations 1..16 twice,
    the receptive field is 127 frames (about 2 s at hop 128; :func:`receptive_field`).
    No layer fixes the number of frames, so any length goes through.

    Parameters
    ----------
    n_bins : int
        Frequency bins, ``1 + n_fft // 2``.
    width : int
        Channels of the hidden layers.
    kernel : int
        Kernel size in frames.
    dilations : sequence of int
        One residual block per entry.
    gru_units : int
        With a positive value, a residual bidirectional GRU of that many units
        per direction follows the convolutions: it carries context across the
        whole clip (a word's level and voice, not only the 2 s the convolutions
        see). Its output projection starts at zero, so a net grown from a
        trained one without it (:func:`transfer_weights`) starts out computing
        exactly what that one did.
    """
    import keras

    from audioml.nn.layers import LogSpectrumNorm

    layers = keras.layers
    if width < 1 or kernel < 1 or not dilations or min(dilations) < 1 or gru_units < 0:
        raise AudioMLError("width, kernel and every dilation must be positive integers "
                           "(gru_units may be 0)")
    magnitude = keras.Input(shape=(None, n_bins), name="magnitude")
    x = LogSpectrumNorm(name="log_norm")(magnitude)
    x = layers.Conv1D(width, kernel, padding="same", name="input_conv")(x)
    for i, d in enumerate(dilations):
        h = layers.LayerNormalization(name=f"block{i + 1}_norm")(x)
        h = layers.ReLU(name=f"block{i + 1}_relu")(h)
        h = layers.Conv1D(width, kernel, dilation_rate=int(d), padding="same",
                          name=f"block{i + 1}_conv_d{d}")(h)
        x = layers.Add(name=f"block{i + 1}_add")([x, h])
    if gru_units:
        h = layers.LayerNormalization(name="gru_norm")(x)
        h = layers.Bidirectional(layers.GRU(int(gru_units), return_sequences=True), name="gru")(h)
        h = layers.Dense(width, kernel_initializer="zeros", name="gru_proj")(h)
        x = layers.Add(name="gru_add")([x, h])
    x = layers.LayerNormalization(name="out_norm")(x)
    x = layers.ReLU(name="out_relu")(x)
    mask = layers.Conv1D(n_bins, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(magnitude, mask, name=name)


def receptive_field(*, kernel: int = 3, dilations=(1, 2, 4, 8, 16, 1, 2, 4, 8, 16)) -> int:
    """Frames of input that one output frame of :func:`build_masknet`'s convolutions sees
    (without the GRU, which sees the whole clip): the input convolution's *kernel* frames,
    plus ``(kernel - 1) * d`` more for each dilated block."""
    return kernel + (kernel - 1) * sum(int(d) for d in dilations)


def transfer_weights(source, target) -> int:
    """Copy into *target* the weights of every layer of *source* with the same name and shapes.

    Used to grow a trained mask net (e.g. add the GRU block) without starting
    afresh. Returns the number of layers copied; raises when none match.
    """
    copied = 0
    by_name = {layer.name: layer for layer in source.layers}
    for layer in target.layers:
        match = by_name.get(layer.name)
        if match is None or not layer.weights:
            continue
        weights = match.get_weights()
        if [w.shape for w in weights] == [tuple(w.shape) for w in layer.weights]:
            layer.set_weights(weights)
            copied += 1
    if not copied:
        raise AudioMLError(f"no layer of {source.name!r} fits {target.name!r}; nothing to start from")
    return copied


def shape_mask(mask: np.ndarray, *, power: float = 1.0, floor: float = 0.0) -> np.ndarray:
    """``max(mask ** power, floor)``: how hard a predicted [0, 1] mask is applied.

    A *power* above 1 presses uncertain gains down (a mask of 0.5 becomes 0.35
    at 1.5) while leaving confident ones near 1 alone; on a voice it has not
    heard, the net hedges towards middling gains, and pressing them down
    removes residual noise that PESQ punishes. The *floor* keeps a trace of
    every bin (0.02 is -34 dB), which avoids "musical noise" from bins switched
    fully off.
    """
    if power <= 0 or not 0 <= floor < 1:
        raise AudioMLError(f"mask power must be positive and floor in [0, 1); got {power}, {floor}")
    return np.maximum(np.asarray(mask) ** power, floor)
