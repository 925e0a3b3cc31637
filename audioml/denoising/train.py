"""Training the denoisers on clean speech with noise added on the fly.

* :func:`train_autoencoder` - the method's DCAE or VAE on (noisy, clean) 257 x 18
  images at one SNR of white noise; every epoch draws fresh noise.
* :func:`train_masknet` - our mask net on random 1.5 s crops of concatenated
  clips (random gain and gaps), with white, pink, brown noise or hum at SNRs
  drawn from a range. The loss is on the waveform rebuilt with the noisy phase
  (negative SI-SDR) plus an MSE on compressed magnitudes, which keeps quiet
  parts honest where SI-SDR barely looks.

Both take a ``progress(done, total, message)`` callable and a wall-clock limit.
"""

from __future__ import annotations

import time

import numpy as np

from audioml.audio import resample
from audioml.denoising.features import PAPER_TRANSFORM, paper_dataset
from audioml.denoising.fsdd import SR
from audioml.denoising.masknet import (MASK_HOP, MASK_N_FFT, MASKNET_DEFAULTS, build_masknet,
                                       transfer_weights)
from audioml.errors import AudioMLError
from audioml.noise import add_noise
from audioml.progress import ProgressFn, no_progress

#: Paper configuration of both autoencoders (the VAE's pick in the method).
PAPER_CONFIG = {"filters": [100, 50], "kernels": [3, 3], "strides": [2, 2], "latent_dim": 64}
#: Noise mix of the mask net's training: (kind, probability).
MASKNET_NOISE = {"white": 0.4, "pink": 0.25, "brown": 0.15, "hum": 0.2}


def _seed_everything(seed: int) -> None:
    import keras

    keras.utils.set_random_seed(int(seed))


def build_autoencoder(architecture: str, *, learning_rate: float, alpha: float = 50_000.0,
                      seed: int = 0, config: dict | None = None):
    """The method's DCAE or VAE for 257 x 18 x 1 images, compiled.

    *config* holds the conv stack (``filters``, ``kernels``, ``strides``,
    ``latent_dim``); the default is the paper's :data:`PAPER_CONFIG`.
    """
    from audioml.nn.autoencoder import build_dcae, build_vae
    from audioml.nn.blocks import ConvStackConfig

    cfg = ConvStackConfig(input_shape=(*PAPER_TRANSFORM.shape, 1), **{
        k: tuple(v) if isinstance(v, list) else v for k, v in (config or PAPER_CONFIG).items()})
    if architecture == "dcae":
        return build_dcae(cfg, learning_rate=learning_rate, name="dcae")
    if architecture == "vae":
        return build_vae(cfg, alpha=alpha, learning_rate=learning_rate, seed=seed, name="vae")
    raise AudioMLError(f"unknown autoencoder {architecture!r}; choose dcae or vae")


def train_autoencoder(architecture: str, clips: list[np.ndarray], *, epochs: int = 30,
                      learning_rate: float = 5e-4, batch_size: int = 32, seed: int = 0,
                      snr_db: float = 10.0, alpha: float = 50_000.0, config: dict | None = None,
                      max_seconds: float | None = None, checkpoint=None,
                      progress: ProgressFn = no_progress):
    """Train the DCAE or VAE; return ``(model, history)``.

    Parameters
    ----------
    architecture : {"dcae", "vae"}
    clips : list of np.ndarray
        Clean 8 kHz training clips.
    epochs : int
        Passes over the clips, each with fresh white noise at *snr_db*.
    config : dict, optional
        The conv stack (see :func:`build_autoencoder`); the paper's by default.
    max_seconds : float, optional
        Stop after the epoch that crosses this wall-clock time.
    checkpoint : audioml.nn.checkpoint.EpochCheckpoint, optional
        Save after every epoch and, when a checkpoint of this run exists, resume after its
        last epoch (a stopped run loses at most the epoch it was in). It is kept after the
        last epoch, so a run stopped before its result was stored only has to score it again;
        the caller clears it.

    Returns
    -------
    model : keras.Model
    history : dict
        ``loss`` per epoch (the VAE's includes alpha and KL), ``mse`` per epoch, ``epochs`` run,
        ``training_time_s`` (wall-clock, summed over every resumed part), ``training_cpu_s``
        (the process's CPU seconds over the same parts, which neither other work on the machine
        nor a paused process adds to; ``None`` when a part predates it) and ``resumes``.
    """
    if epochs < 1 or batch_size < 1 or learning_rate <= 0:
        raise AudioMLError("epochs, batch size and learning rate must be positive")
    _seed_everything(seed)
    model = build_autoencoder(architecture, learning_rate=learning_rate, alpha=alpha, seed=seed,
                              config=config)
    history = {"loss": [], "mse": []}
    first, before_s, before_cpu, resumes = 0, 0.0, 0.0, 0
    if checkpoint is not None:
        saved = checkpoint.restore(model)
        first, before_s, resumes = saved["epochs_done"], saved["elapsed_s"], saved["resumes"]
        before_cpu = saved["cpu_s"]
        history = {"loss": [], "mse": [], **saved["history"]}
        if first:
            progress(first, epochs, f"resumed after epoch {first}")
    start, cpu_start = time.monotonic(), time.process_time()

    def cpu_spent() -> float | None:
        return None if before_cpu is None else before_cpu + time.process_time() - cpu_start

    for epoch in range(first, epochs):
        # The epoch's noise depends on the seed and the epoch alone, so a resumed run draws
        # the same noise the unbroken run would have.
        x, y = paper_dataset(clips, snr_db=snr_db, seed=seed * 10_000 + epoch + 1)
        logs = model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=True, verbose=0).history
        history["loss"].append(float(logs["loss"][-1]))
        history["mse"].append(float(logs.get("mse", logs["loss"])[-1]))
        if checkpoint is not None:
            checkpoint.save(model, epochs_done=epoch + 1, history=history, resumes=resumes,
                            elapsed_s=before_s + time.monotonic() - start, cpu_s=cpu_spent())
        progress(epoch + 1, epochs, f"mse={history['mse'][-1]:.5f}")
        if max_seconds and time.monotonic() - start > max_seconds:
            break
    history["epochs"] = len(history["loss"])
    history["training_time_s"] = before_s + time.monotonic() - start
    history["training_cpu_s"] = cpu_spent()
    history["resumes"] = resumes
    return model, history


# --- the mask net ------------------------------------------------------------------------------

def random_crops(clips: list[np.ndarray], *, n: int, seconds: float, rng: np.random.Generator,
                 speed_range: tuple[float, float] | None = None) -> np.ndarray:
    """*n* crops of *seconds* each, cut from random clips strung together.

    Each crop is built from clips in random order, each at a random gain
    (-12..+6 dB) and followed by a random gap (0-0.25 s), so the net sees word
    boundaries, level changes and more context than one short digit. With
    *speed_range* each clip is also resampled by a random factor in that range,
    which moves pitch and formants together: new "speakers" from a few.

    Returns
    -------
    np.ndarray [shape=(n, round(seconds * 8000)), dtype=float32]
    """
    length = int(round(seconds * SR))
    out = np.zeros((n, length), np.float32)
    for i in range(n):
        pieces, total = [], 0
        while total < length * 1.5:
            clip = clips[rng.integers(len(clips))] * 10 ** (rng.uniform(-12, 6) / 20)
            if speed_range is not None:
                clip = resample(clip, SR, int(round(SR * rng.uniform(*speed_range))))
            gap = np.zeros(rng.integers(0, SR // 4), np.float32)
            pieces += [clip, gap]
            total += len(clip) + len(gap)
        joined = np.concatenate(pieces)
        start = rng.integers(0, len(joined) - length)
        out[i] = joined[start:start + length]
    return out


def random_eq(y: np.ndarray, *, max_db: float, rng: np.random.Generator) -> np.ndarray:
    """*y* through a random smooth equaliser of at most +-*max_db* dB.

    The gain curve is a sum of three cosines over 0-4 kHz with random
    amplitudes and phases, applied in the frequency domain: a different
    microphone, room or vocal tract colour for every crop, so the net learns
    to keep whatever colour the speech has rather than the four training voices'.

    Returns
    -------
    np.ndarray [shape=y.shape, dtype=float32]
    """
    spectrum = np.fft.rfft(y)
    f = np.linspace(0.0, 1.0, len(spectrum))
    gain_db = sum(rng.uniform(-1, 1) * np.cos(np.pi * k * f + rng.uniform(0, 2 * np.pi))
                  for k in (1, 2, 3))
    gain_db *= max_db / max(float(np.max(np.abs(gain_db))), 1e-9)
    return np.fft.irfft(spectrum * 10 ** (gain_db / 20), n=len(y)).astype(np.float32)


def noisy_batch(clean: np.ndarray, *, snr_range: tuple[float, float], rng: np.random.Generator,
                kinds: dict[str, float] = MASKNET_NOISE) -> np.ndarray:
    """Add to each row of *clean* one noise kind drawn from *kinds* at an SNR drawn from *snr_range*."""
    names, probs = list(kinds), np.array(list(kinds.values()), float)
    noisy = np.empty_like(clean)
    for i, row in enumerate(clean):
        kind = names[rng.choice(len(names), p=probs / probs.sum())]
        snr = rng.uniform(*snr_range)
        noisy[i] = add_noise(row, snr, kind=kind, sr=SR, seed=int(rng.integers(2**31)))
    return noisy


def _tf_stft(y):
    import tensorflow as tf

    # Centre frames as librosa does (pad n_fft // 2 at both ends), so frames line up at inference.
    y = tf.pad(y, [[0, 0], [MASK_N_FFT // 2, MASK_N_FFT // 2]])
    return tf.signal.stft(y, MASK_N_FFT, MASK_HOP, fft_length=MASK_N_FFT,
                          window_fn=tf.signal.hann_window)


def _tf_istft(S, length: int):
    import tensorflow as tf

    y = tf.signal.inverse_stft(S, MASK_N_FFT, MASK_HOP, fft_length=MASK_N_FFT,
                               window_fn=tf.signal.inverse_stft_window_fn(MASK_HOP))
    return y[:, MASK_N_FFT // 2:MASK_N_FFT // 2 + length]


def _neg_si_sdr(clean, estimate):
    import tensorflow as tf

    clean = clean - tf.reduce_mean(clean, axis=1, keepdims=True)
    estimate = estimate - tf.reduce_mean(estimate, axis=1, keepdims=True)
    scale = tf.reduce_sum(estimate * clean, 1, keepdims=True) / (
        tf.reduce_sum(clean * clean, 1, keepdims=True) + 1e-8)
    target = scale * clean
    ratio = tf.reduce_sum(target**2, 1) / (tf.reduce_sum((estimate - target) ** 2, 1) + 1e-8)
    return -tf.reduce_mean(10.0 * tf.math.log(ratio + 1e-8) / tf.math.log(10.0))


def train_masknet(clips: list[np.ndarray], *, epochs: int = 40, steps_per_epoch: int = 50,
                  learning_rate: float = 1e-3, batch_size: int = 16, seed: int = 0,
                  snr_range: tuple[float, float] = (-5.0, 20.0), crop_seconds: float = 1.5,
                  config: dict | None = None, max_seconds: float | None = None,
                  speed_range: tuple[float, float] | None = None, eq_db: float = 0.0,
                  magnitude_weight: float = 100.0, asymmetry: float = 1.0, init=None,
                  augment=None, progress: ProgressFn = no_progress):
    """Train the mask net; return ``(model, history)``.

    Parameters
    ----------
    clips : list of np.ndarray
        Clean 8 kHz training clips.
    epochs, steps_per_epoch : int
        An epoch is *steps_per_epoch* batches of fresh random crops and noise.
    snr_range : (float, float)
        SNRs in dB, drawn uniformly per crop.
    max_seconds : float, optional
        Stop after the epoch that crosses this wall-clock time.
    speed_range : (float, float), optional
        Resample each training clip by a factor drawn from this range (e.g. 0.85, 1.15).
    magnitude_weight : float
        Weight of the compressed-magnitude MSE against the negative SI-SDR (dB);
        larger values lean towards what PESQ rewards (quiet residual noise).
    asymmetry : float
        How much more a bin left louder than the clean one costs in that term than
        one made quieter (PESQ, too, punishes added noise more than lost detail).
    eq_db : float
        With a positive value, colour each clean crop by :func:`random_eq` of up to
        this many dB (the target is the coloured clean crop).
    init : keras.Model, optional
        A trained mask net to start from: every layer of the net that *config*
        builds takes its weights where name and shapes match (so *config* may
        grow the net, e.g. add ``gru_units``).
    augment : callable, optional
        ``augment(clean, rng) -> (targets, noisy)`` builds each batch's pairs in
        place of :func:`noisy_batch` (e.g. :func:`audioml.denoising.augment.realistic_batch`).

    Returns
    -------
    model : keras.Model
    history : dict
        ``loss`` and ``si_sdr`` (training batches, dB) per epoch, ``epochs`` run.
    """
    import keras
    import tensorflow as tf

    if epochs < 1 or steps_per_epoch < 1 or batch_size < 1 or learning_rate <= 0:
        raise AudioMLError("epochs, steps, batch size and learning rate must be positive")
    if not snr_range[0] <= snr_range[1]:
        raise AudioMLError(f"SNR range must be (low, high) with low <= high; got {snr_range}")
    _seed_everything(seed)
    rng = np.random.default_rng(seed)
    model = build_masknet(**{**MASKNET_DEFAULTS, **(config or {})})
    if init is not None:
        transfer_weights(init, model)
    total_steps = epochs * steps_per_epoch
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, total_steps, alpha=0.05)
    optimizer = keras.optimizers.Adam(schedule, clipnorm=5.0)
    length = int(round(crop_seconds * SR))

    @tf.function(reduce_retracing=True)
    def step(noisy, clean):
        N = _tf_stft(noisy)
        S = _tf_stft(clean)
        with tf.GradientTape() as tape:
            mask = model(tf.abs(N), training=True)
            estimate = _tf_istft(tf.cast(mask, tf.complex64) * N, length)
            neg_sdr = _neg_si_sdr(clean, estimate)
            # Compressed magnitudes (power 0.3) weigh quiet bins as the ear does; energy left
            # above the clean level (residual noise) costs *asymmetry* times more, as in PESQ.
            excess = (mask * tf.abs(N) + 1e-8) ** 0.3 - (tf.abs(S) + 1e-8) ** 0.3
            weight = tf.where(excess > 0, asymmetry, 1.0)
            mag = tf.reduce_mean(weight * tf.square(excess))
            loss = neg_sdr + magnitude_weight * mag
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss, neg_sdr

    history = {"loss": [], "si_sdr": []}
    start = time.monotonic()
    for epoch in range(epochs):
        losses, sdrs = [], []
        for _ in range(steps_per_epoch):
            clean = random_crops(clips, n=batch_size, seconds=crop_seconds, rng=rng,
                                 speed_range=speed_range)
            if eq_db > 0:
                clean = np.stack([random_eq(row, max_db=eq_db, rng=rng) for row in clean])
            if augment is None:
                noisy = noisy_batch(clean, snr_range=snr_range, rng=rng)
            else:
                clean, noisy = augment(clean, rng)
            loss, neg_sdr = step(tf.constant(noisy), tf.constant(clean))
            losses.append(float(loss))
            sdrs.append(-float(neg_sdr))
        history["loss"].append(float(np.mean(losses)))
        history["si_sdr"].append(float(np.mean(sdrs)))
        progress(epoch + 1, epochs, f"loss={history['loss'][-1]:.3f} si_sdr={history['si_sdr'][-1]:.2f} dB")
        if max_seconds and time.monotonic() - start > max_seconds:
            break
    history["epochs"] = len(history["loss"])
    return model, history


__all__ = ["PAPER_CONFIG", "MASKNET_NOISE", "build_autoencoder", "train_autoencoder",
           "train_masknet", "random_crops", "random_eq", "noisy_batch"]
