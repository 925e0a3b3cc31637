"""Speech denoisers: the method's spectrogram autoencoders and our mask network.

Two families, one interface (:class:`Denoiser`):

* :class:`AutoencoderDenoiser` wraps the method's DCAE or VAE
  (:func:`audioml.nn.autoencoder.build_dcae` / ``build_vae``). They see a fixed
  0.55 s image (257 x 18 at 8 kHz, :data:`PAPER_TRANSFORM`), so a clip of any
  length is cut into overlapping 0.55 s windows whose outputs are overlap-added
  (:func:`overlap_add`).
* :class:`MaskDenoiser` wraps :func:`build_masknet`, a fully convolutional net
  that predicts a [0, 1] mask on the noisy STFT magnitude of any length and
  keeps the noisy phase (or hands the masked magnitude to Griffin-Lim).

The [0, 1] scaling (:func:`paper_pair`): the noisy input is min-max scaled with
its own min and max, as the method does. The clean target is put on the range
from the -100 dB floor of :func:`audioml.spectral.amplitude_to_db` to the noisy
clip's maximum. Both ends are known at inference, so the output is undone
without anything from the clean clip. It is also close to the method's own
target space (the clean clip's min and max): a clip padded to 0.55 s has its
minimum at the floor, and at 0 dB SNR or better its maximum is the noisy one's
within a dB or so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from audioml.audio import fix_length
from audioml.errors import AudioMLError
from audioml.spectral import (AMIN, SpectrogramTransform, amplitude_to_db, griffin_lim, istft,
                              minmax_scale, stft)

SR = 8000
#: The method's preprocessing: 0.55 s, frame 512, hop 256, dB, min-max to [0, 1].
PAPER_TRANSFORM = SpectrogramTransform(sr=SR, n_fft=512, hop_length=256, duration=0.55)
#: The mask net's STFT: same frame, hop 128 (16 ms). The finer hop lifts the
#: oracle mask's ceiling from about +7.3 to +9.0 dB SI-SDR at 5 dB on FSDD.
MASK_N_FFT, MASK_HOP = 512, 128
PHASES = ("noisy", "griffinlim")
#: The mask net's input is floored at this percentile of the clip's own magnitudes (see MaskDenoiser.mask).
INPUT_FLOOR_PERCENTILE = 30
#: Bottom of the target range in dB: the floor every magnitude is clipped to.
FLOOR_DB = float(amplitude_to_db(np.array(AMIN)))


# --- the method's preprocessing ---------------------------------------------------------------

def paper_pair(clean: np.ndarray, noisy: np.ndarray, transform: SpectrogramTransform = PAPER_TRANSFORM
               ) -> tuple[np.ndarray, np.ndarray]:
    """One training pair: (noisy image, clean image), each ``transform.shape`` in [0, 1].

    The noisy image is min-max scaled by its own dB range; the clean image is
    scaled to [:data:`FLOOR_DB`, the noisy maximum] and clipped (see
    :func:`target_state`), so a prediction can be undone at inference without
    knowing anything about the clean clip.
    """
    x01, state = transform.forward(noisy)
    clean_mag = np.abs(stft(fix_length(np.asarray(clean, np.float32), transform.n_samples),
                            n_fft=transform.n_fft, hop_length=transform.hop_length,
                            window=transform.window))
    target = target_state(state)
    y01, _, _ = minmax_scale(amplitude_to_db(clean_mag), target["lo"], target["hi"])
    return x01, np.clip(y01, 0.0, 1.0)


def target_state(state: dict) -> dict:
    """The state that undoes a *denoised* image, from the noisy image's *state*.

    Same phase and maximum as the noisy clip; the minimum is the fixed -100 dB floor.
    """
    return {**state, "lo": FLOOR_DB}


def paper_dataset(clips: list[np.ndarray], *, snr_db: float = 10.0, kind: str = "white",
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy and clean images of every clip, trimmed or padded to 0.55 s.

    Parameters
    ----------
    clips : list of np.ndarray [shape=(n_i,)]
        Clean speech at 8 kHz.
    snr_db : float
        SNR of the added noise in dB.
    kind : {"white", "pink", "brown", "hum"}
    seed : int
        Clip *i* gets noise seed ``seed * 1_000_003 + i``: fixed test sets, fresh noise per epoch.

    Returns
    -------
    noisy, clean : np.ndarray [shape=(len(clips), 257, 18, 1), dtype=float32]
    """
    from audioml.noise import add_noise

    n = PAPER_TRANSFORM.n_samples
    xs, ys = [], []
    for i, clip in enumerate(clips):
        clip = fix_length(clip, n)
        noisy = add_noise(clip, snr_db, kind=kind, sr=SR, seed=seed * 1_000_003 + i)
        x, y = paper_pair(clip, noisy)
        xs.append(x)
        ys.append(y)
    return np.stack(xs)[..., None].astype(np.float32), np.stack(ys)[..., None].astype(np.float32)


# --- any length from fixed windows -------------------------------------------------------------

def windows_of(y: np.ndarray, *, win: int, hop: int, pad_mode: str = "constant") -> np.ndarray:
    """*y* padded at the end to exactly cover whole windows of *win* samples every *hop*."""
    n_windows = 1 + max(0, int(np.ceil((len(y) - win) / hop)))
    extra = (n_windows - 1) * hop + win - len(y)
    if pad_mode not in ("constant", "reflect"):
        raise AudioMLError(f"pad_mode must be 'constant' or 'reflect'; got {pad_mode!r}")
    y = np.asarray(y, np.float32)
    return np.pad(y, (0, extra), mode=pad_mode) if extra else y


def overlap_add(y: np.ndarray, process: Callable[[np.ndarray], np.ndarray], *, win: int,
                hop: int, pad_mode: str = "constant") -> np.ndarray:
    """Run *process* on overlapping windows of *y* and overlap-add the results.

    Windows of *win* samples start every *hop* samples (the last one is
    padded with *pad_mode*, as :func:`numpy.pad`); each output is weighted by a positive taper (sin^2, largest
    mid-window, where a fixed-size model sees the most context) and the sum is
    divided by the summed weights. So an identity *process* returns *y* exactly.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
    process : callable
        Maps a batch ``(n_windows, win)`` to ``(n_windows, win)``.
    win, hop : int
        Window and hop in samples, ``0 < hop <= win``.
    """
    if not 0 < hop <= win:
        raise AudioMLError(f"hop must be in (0, win={win}]; got {hop}")
    y = np.asarray(y, np.float32)
    n = len(y)
    n_windows = 1 + max(0, int(np.ceil((n - win) / hop)))
    padded = windows_of(y, win=win, hop=hop, pad_mode=pad_mode)
    frames = np.stack([padded[i * hop:i * hop + win] for i in range(n_windows)])
    out = np.asarray(process(frames), np.float64)
    if out.shape != frames.shape:
        raise AudioMLError(f"window process returned shape {out.shape}; expected {frames.shape}")
    taper = np.sin(np.pi * (np.arange(win) + 0.5) / win) ** 2
    total = np.zeros(len(padded))
    weight = np.zeros(len(padded))
    for i in range(n_windows):
        total[i * hop:i * hop + win] += taper * out[i]
        weight[i * hop:i * hop + win] += taper
    return (total / weight)[:n].astype(np.float32)


# --- the mask network --------------------------------------------------------------------------

def _keras():
    import keras

    return keras


def _register_layers():
    """Define (once) and return the custom layer; keeps TensorFlow out of module import."""
    global LogSpectrumNorm
    if "LogSpectrumNorm" in globals():
        return LogSpectrumNorm
    keras = _keras()
    from keras import ops

    @keras.saving.register_keras_serializable(package="audioml")
    class LogSpectrumNorm(keras.layers.Layer):
        """``log(|X| + floor)`` normalised per utterance to zero mean and unit variance.

        Input ``(batch, frames, bins)`` linear magnitudes; the statistics run over
        frames and bins of each utterance, so the net is blind to the input's gain.
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

    globals()["LogSpectrumNorm"] = LogSpectrumNorm
    return LogSpectrumNorm


MASKNET_DEFAULTS = {"n_bins": 1 + MASK_N_FFT // 2, "width": 192, "kernel": 3,
                    "dilations": [1, 2, 4, 8, 16, 1, 2, 4, 8, 16], "gru_units": 0}


def build_masknet(*, n_bins: int = 257, width: int = 192, kernel: int = 3,
                  dilations: tuple[int, ...] | list[int] = (1, 2, 4, 8, 16, 1, 2, 4, 8, 16),
                  gru_units: int = 0, name: str = "masknet"):
    """A fully convolutional mask estimator over time, full-band in frequency.

    ``(batch, frames, n_bins)`` noisy magnitude -> ``(batch, frames, n_bins)``
    mask in [0, 1]. Each 1-D convolution mixes every frequency bin (the bins are
    its channels), and residual blocks with dilations ``1, 2, 4, ...`` widen the
    context in time: with kernel 3 and dilations 1..16 twice the receptive field
    is 125 frames (2 s at hop 128). No layer fixes the number of frames, so any
    length goes through.

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
    keras = _keras()
    layers = keras.layers
    if width < 1 or kernel < 1 or not dilations or min(dilations) < 1 or gru_units < 0:
        raise AudioMLError("width, kernel and every dilation must be positive integers "
                           "(gru_units may be 0)")
    norm = _register_layers()
    magnitude = keras.Input(shape=(None, n_bins), name="magnitude")
    x = norm(name="log_norm")(magnitude)
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


# --- denoisers: a trained model plus how to run it on a clip -----------------------------------

class Denoiser:
    """A trained denoiser: ``enhance(y)`` maps 8 kHz noisy speech to denoised speech.

    Attributes
    ----------
    name : str
        The model's name (its card's).
    model : keras.Model
        The network; the page draws its layers.
    card : dict
        The model card.
    """

    family = ""

    def __init__(self, model, card: dict | None = None):
        self.model = model
        self.card = dict(card or {})
        self.name = self.card.get("name", model.name)

    def enhance(self, y: np.ndarray, *, phase: str = "noisy", n_iter: int = 32) -> np.ndarray:
        """Denoise *y* (8 kHz, shape ``(n,)``); return ``(n,)`` float32 at 8 kHz."""
        raise NotImplementedError

    def _check_phase(self, phase: str) -> None:
        if phase not in PHASES:
            raise AudioMLError(f"phase must be one of {', '.join(PHASES)}; got {phase!r}")


class AutoencoderDenoiser(Denoiser):
    """The method's DCAE or VAE run over overlapping 0.55 s windows.

    Windows overlap by half; each is scaled by its own dB range, denoised,
    unscaled with that same range, turned back into sound with the window's
    noisy phase or Griffin-Lim, and overlap-added.
    """

    family = "autoencoder"
    transform = PAPER_TRANSFORM

    def images(self, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[dict]]:
        """Noisy and denoised [0, 1] images of each window, and the states that undo them.

        Returns ``(noisy, denoised, states)`` with images of shape ``(n_windows, 257, 18)``.
        """
        pairs = [self.transform.forward(w) for w in windows]
        noisy = np.stack([p[0] for p in pairs]).astype(np.float32)
        out = np.asarray(self.model(noisy[..., None], training=False))[..., 0]
        return noisy, out, [p[1] for p in pairs]

    def enhance(self, y, *, phase="noisy", n_iter=32):
        self._check_phase(phase)
        win = self.transform.n_samples

        def process(windows):
            _, out, states = self.images(windows)
            return np.stack([self.transform.inverse(o, target_state(s), phase=phase, n_iter=n_iter)
                             for o, s in zip(out, states)])

        return overlap_add(y, process, win=win, hop=win // 2, pad_mode="reflect")

    def first_window(self, y: np.ndarray) -> np.ndarray:
        """The first 0.55 s window of *y* as :meth:`enhance` sees it (shape ``(1, 4400)``)."""
        win = self.transform.n_samples
        return windows_of(y, win=win, hop=win // 2, pad_mode="reflect")[None, :win]


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


class MaskDenoiser(Denoiser):
    """The mask net on the whole clip: mask the noisy STFT, keep its phase or run Griffin-Lim."""

    family = "mask"

    def _predict(self, magnitude: np.ndarray):
        """The net on ``(1, frames, bins)``, traced once for any number of frames.

        Run eagerly, a recurrent layer steps through Python frame by frame (about
        2 s for a 5 s clip); one graph with a free time axis takes ~50 ms.
        """
        if getattr(self, "_graph", None) is None:
            import tensorflow as tf

            spec = tf.TensorSpec((None, None, magnitude.shape[-1]), tf.float32)
            self._graph = tf.function(lambda x: self.model(x, training=False), input_signature=[spec])
        return self._graph(magnitude)

    def raw_mask(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The noisy STFT ``(257, frames)`` and the net's mask of the same shape, unshaped.

        The net sees the magnitude raised to at least its own
        :data:`INPUT_FLOOR_PERCENTILE`-th percentile. A band the input never had
        (a phone's or a resampler's cut above ~3.6 kHz) would otherwise read as
        -100 dB, inflate the per-utterance normalisation and blind the net: on
        FSDD at 5 dB, low-passing the input at 3.6 kHz took the convolution-only
        net's gain from +6.8 dB to +0.1 dB without the floor and +5.1 dB with it,
        at no cost on full-band input. The mask still applies to the true STFT.
        """
        S = stft(y, n_fft=MASK_N_FFT, hop_length=MASK_HOP)
        magnitude = np.abs(S)
        magnitude = np.maximum(magnitude, np.percentile(magnitude, INPUT_FLOOR_PERCENTILE))
        return S, np.asarray(self._predict(magnitude.T[None].astype(np.float32)))[0].T

    def mask(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`raw_mask` shaped by the card's ``mask_power`` and ``mask_floor``.

        See :func:`shape_mask`; 1 and 0 when absent. Training picks them on
        training speakers' clips (:func:`audioml.denoise_tune.tune_mask`).
        """
        S, m = self.raw_mask(y)
        config = self.card.get("config", {})
        return S, shape_mask(m, power=float(config.get("mask_power") or 1.0),
                             floor=float(config.get("mask_floor") or 0.0))

    def enhance(self, y, *, phase="noisy", n_iter=32):
        self._check_phase(phase)
        S, m = self.mask(np.asarray(y, np.float32))
        if phase == "noisy":
            return istft(m * S, hop_length=MASK_HOP, length=len(y)).astype(np.float32)
        return griffin_lim(m * np.abs(S), hop_length=MASK_HOP, n_iter=n_iter,
                           length=len(y)).astype(np.float32)


FAMILIES = {"dcae": AutoencoderDenoiser, "vae": AutoencoderDenoiser, "masknet": MaskDenoiser}


def wrap(model, card: dict) -> Denoiser:
    """Wrap a Keras *model* as the denoiser its card's ``config["architecture"]`` names."""
    arch = card.get("config", {}).get("architecture")
    if arch not in FAMILIES:
        raise AudioMLError(f"unknown denoiser architecture {arch!r}; choose one of {', '.join(FAMILIES)}")
    return FAMILIES[arch](model, card)


def load(card: dict, path: str | Path) -> Denoiser:
    """Registry hook: load a denoiser's ``.keras`` file with safe mode on and wrap it."""
    import audioml.nn.autoencoder  # noqa: F401 - registers VariationalCode
    from audioml.registry import load_keras_model

    _register_layers()
    return wrap(load_keras_model(path), card)


def describe_layers(model) -> list[dict]:
    """The layer graph of a Keras model, nested sub-models flattened in order.

    Returns
    -------
    list of dict
        One per layer: ``name`` (``encoder/enc1_conv`` inside a sub-model), ``type``
        (class name), ``shape`` (output shape without the batch axis; ``None`` is a
        free length), ``params`` (its own parameter count) and ``inputs`` (names of
        the layers that feed it; a sub-model's input layer stands for what feeds the
        sub-model).
    """
    keras = _keras()
    rows = []

    def sources(tensors, prefix: str, outer: dict) -> list[str]:
        found = []
        for t in tensors:
            history = getattr(t, "_keras_history", None)
            if history is None:
                continue
            op = history.operation
            if isinstance(op, keras.Model):
                found += sources([op.outputs[history.tensor_index]], f"{prefix}{op.name}/", {})
            elif prefix + op.name in outer:
                found += outer[prefix + op.name]
            else:
                found.append(prefix + op.name)
        return found

    def walk(m, prefix: str, outer: dict):
        for layer in m.layers:
            nodes = layer._inbound_nodes
            inputs = sources(nodes[0].input_tensors, prefix, outer) if nodes else []
            if isinstance(layer, keras.Model):
                # The sub-model's input layers stand for the tensors that feed it here.
                inner = {f"{prefix}{layer.name}/{t._keras_history.operation.name}": inputs
                         for t in layer.inputs}
                walk(layer, f"{prefix}{layer.name}/", inner)
                continue
            outputs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
            shapes = [tuple(o.shape[1:]) for o in outputs]
            rows.append({"name": prefix + layer.name, "type": type(layer).__name__,
                         "shape": shapes[0] if len(shapes) == 1 else shapes,
                         "params": int(layer.count_params()) if layer.built else 0,
                         "inputs": inputs})

    walk(model, "", {})
    return rows


def latent_codes(denoiser: "AutoencoderDenoiser", y: np.ndarray) -> np.ndarray:
    """The encoder's code of every 0.55 s window of *y* (the VAE's: the mean).

    Returns
    -------
    np.ndarray [shape=(n_windows, latent_dim)]
    """
    if denoiser.family != "autoencoder":
        raise AudioMLError(f"{denoiser.name} has no latent code; choose the DCAE or the VAE")
    win, hop = denoiser.transform.n_samples, denoiser.transform.n_samples // 2
    padded = windows_of(y, win=win, hop=hop, pad_mode="reflect")
    windows = np.stack([padded[i:i + win] for i in range(0, len(padded) - win + 1, hop)])
    images = np.stack([denoiser.transform.forward(w)[0] for w in windows])[..., None]
    code = denoiser.model.get_layer("encoder")(images, training=False)
    return np.asarray(code[0] if isinstance(code, (list, tuple)) else code)


def saturated_share(image: np.ndarray, *, margin: float = 0.02) -> float:
    """Share of pixels of a [0, 1] image within *margin* of 0 or 1 (the sigmoid's flat ends)."""
    image = np.asarray(image)
    return float(np.mean((image < margin) | (image > 1 - margin)))
