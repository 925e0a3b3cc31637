"""The judge: a small CNN that says whether a 28x28 image looks like a digit, and which.

A classifier trained on digits alone calls almost anything a digit, and with high
confidence, so this one has an eleventh class, "not a digit", trained on
images made up from the training digits: two different digits overlaid,
smooth random blotches, scribbled random walks and near-blank canvases; softened
copies of real digits stay digits, since decoders draw softer strokes than pens. A
decoded sample "looks like a digit" when the judge gives at least 90% to one of
0-9 (:func:`audioml.latent.stats.digit_rate`). Its accuracy on held-out real
digits is recorded on its card, so the reader can see how strict it is.
"""

from __future__ import annotations

import time

import numpy as np

from audioml.errors import AudioMLError
from audioml.latent.mnist import IMAGE_SIZE, DigitSplit
from audioml.latent.inference import image_batch, run_in_batches
from audioml.latent.model import load_shipped
from audioml.latent.stats import NOT_A_DIGIT, digit_rate
from audioml.progress import ProgressFn, keras_callback, no_progress

JUDGE_NAME = "latent_digit_judge"
JUDGE_BATCH = 64
NON_DIGIT_FRACTION = 0.75   # made-up non-digits per real training digit
BLURRED_FRACTION = 0.5      # extra softened copies of training digits, still labelled as digits


def _blur(images: np.ndarray, sigma: float) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(images, sigma=(0, sigma, sigma))


def _rescale(images: np.ndarray) -> np.ndarray:
    peak = images.reshape(len(images), -1).max(axis=1).reshape(-1, 1, 1)
    return images / np.maximum(peak, 1e-6)


def make_non_digits(images: np.ndarray, labels: np.ndarray, n: int, *, seed: int = 0) -> np.ndarray:
    """*n* images that are not digits, built from real ones and from noise.

    Four kinds in equal parts: two digits of different classes overlaid with a
    shift of 3-7 pixels; smooth random blotches;
    scribbles (thick random walks); and near-blank canvases with faint noise.

    Parameters
    ----------
    images : np.ndarray [shape=(m, 28, 28)], values in [0, 1]
    labels : np.ndarray [shape=(m,)]
    n : int

    Returns
    -------
    np.ndarray [shape=(n, 28, 28), dtype=float32], values in [0, 1]
    """
    if len(np.unique(labels)) < 2:
        raise AudioMLError("making non-digits needs images of at least two different digits")
    rng = np.random.default_rng(seed)
    parts = np.array_split(np.arange(n), 4)
    out = np.zeros((n, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)

    # Overlays: a pair of different digits, one shifted by 3-7 pixels, the brighter pixel kept, so
    # both sets of strokes stay visible. (Averaged pairs would look like one faint, soft digit, and
    # teach the judge to reject the soft strokes every MSE-trained decoder draws.)
    k = len(parts[0])
    a = rng.integers(len(images), size=k)
    b = rng.integers(len(images), size=k)
    same = labels[a] == labels[b]
    while same.any():
        b[same] = rng.integers(len(images), size=int(same.sum()))
        same = labels[a] == labels[b]
    shifts = rng.integers(3, 8, size=(k, 2)) * rng.choice([-1, 1], size=(k, 2))
    shifts[rng.random(k) < 0.5, rng.integers(0, 2)] = 0   # often a purely sideways or vertical shift
    shifted = np.stack([np.roll(images[j], tuple(sh), axis=(0, 1)) for j, sh in zip(b, shifts)])
    out[parts[0]] = np.maximum(images[a], shifted)

    # Blotches: smoothed noise, thresholded softly.
    k = len(parts[1])
    noise = _blur(rng.random((k, IMAGE_SIZE, IMAGE_SIZE)).astype(np.float32), rng.uniform(1.5, 3.5))
    noise = (noise - noise.mean(axis=(1, 2), keepdims=True)) / (noise.std(axis=(1, 2), keepdims=True) + 1e-6)
    out[parts[1]] = 1 / (1 + np.exp(-3 * (noise - rng.uniform(0.3, 1.2, size=(k, 1, 1)))))

    # Scribbles: a thick random walk, blurred like pen strokes.
    k = len(parts[2])
    canvas = np.zeros((k, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    for i in range(k):
        pos = rng.uniform(6, 22, size=2)
        step = rng.normal(size=2)
        # Long, wandering walks: short straight ones would look like a 1 or a 7.
        for _ in range(int(rng.integers(60, 120))):
            step = 0.7 * step + 0.9 * rng.normal(size=2)
            pos = np.clip(pos + step, 3, 24)
            r, c = pos.astype(int)
            canvas[i, r - 1:r + 2, c - 1:c + 2] = 1.0
    out[parts[2]] = _rescale(_blur(canvas, 0.8))

    # Near-blank canvases: faint uniform grey and noise.
    k = len(parts[3])
    out[parts[3]] = rng.uniform(0, 0.3, size=(k, 1, 1)) * rng.random((k, IMAGE_SIZE, IMAGE_SIZE))
    return np.clip(out, 0.0, 1.0)


def build_judge(*, learning_rate: float = 1e-3):
    """A small CNN: 28x28x1 → 11 softmax probabilities (digits 0-9, then "not a digit")."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1), name="image")
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(32, 3, activation="relu", padding="same")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(48, activation="relu")(x)
    outputs = layers.Dense(NOT_A_DIGIT + 1, activation="softmax", name="probabilities")(x)
    model = keras.Model(inputs, outputs, name=JUDGE_NAME)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_judge(split: DigitSplit, *, epochs: int, seed: int = 0,
                progress: ProgressFn = no_progress):
    """Train the judge for *epochs* epochs on the training digits plus made-up non-digits.

    Returns
    -------
    model : keras.Model
    metrics : dict
        ``heldout_accuracy`` (real held-out digits, 11-way), ``heldout_digit_rate``
        (share of held-out digits it accepts at 90%), ``heldout_non_digit_recall``
        (share of fresh non-digits it rejects).
    seconds : float
    """
    import keras

    keras.utils.set_random_seed(seed)
    n_fake = int(len(split.train_images) * NON_DIGIT_FRACTION)
    fakes = make_non_digits(split.train_images, split.train_labels, n_fake, seed=seed)
    # Decoders trained on MSE draw softer strokes than ink on paper; softened copies of real
    # digits teach the judge that softness alone does not make an image a non-digit.
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(split.train_images), int(len(split.train_images) * BLURRED_FRACTION),
                      replace=False)
    halves = np.array_split(pick, 2)
    soft = np.concatenate([_rescale(_blur(split.train_images[h], sigma))
                           for h, sigma in zip(halves, (0.7, 1.3))])
    x = np.concatenate([split.train_images, soft, fakes])[..., None]
    y = np.concatenate([split.train_labels, split.train_labels[np.concatenate(halves)],
                        np.full(n_fake, NOT_A_DIGIT)])
    model = build_judge()
    start = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=JUDGE_BATCH, shuffle=True, verbose=0,
              callbacks=[keras_callback(progress, epochs)])
    seconds = time.perf_counter() - start

    p_real = judge(model, split.heldout_images)
    fresh = make_non_digits(split.heldout_images, split.heldout_labels, len(split.heldout_images),
                            seed=seed + 1)
    p_fake = judge(model, fresh)
    metrics = {
        "heldout_accuracy": round(float((p_real.argmax(1) == split.heldout_labels).mean()), 4),
        "heldout_digit_rate": digit_rate(p_real)["digit_rate"],
        "heldout_non_digit_recall": round(float((p_fake.argmax(1) == NOT_A_DIGIT).mean()), 4),
    }
    return model, metrics, seconds


def judge(model, images: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """The judge's probabilities for *images* (n, 28, 28) with values in [0, 1].

    Returns
    -------
    probabilities : np.ndarray [shape=(n, 11)]
        Softmax outputs: digits 0-9, then "not a digit"; read them with
        :func:`audioml.latent.stats.looks_like_digit` or :func:`~audioml.latent.stats.digit_rate`.
    """
    return run_in_batches(model, image_batch(images), batch_size=batch_size)


def load_shipped_judge(models_dir=None):
    """The shipped digit judge, or ``None`` when it has not been trained yet."""
    try:
        return load_shipped(JUDGE_NAME, models_dir)
    except AudioMLError:
        return None
