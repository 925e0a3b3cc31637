"""MNIST IDX reading, loading and the fixed held-out split."""

import numpy as np
import pytest

from audioml.errors import AudioMLError
from audioml.latent.mnist import (load_idx_folder, load_mnist, load_split, read_idx, split_description,
                                  split_digits)


@pytest.mark.parametrize("gz", [True, False])
def test_idx_round_trip(tmp_path, gz, make_mnist):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    labels = (np.arange(50) % 10).astype(np.uint8)
    make_mnist(tmp_path, images, labels, gz=gz)
    assert np.array_equal(read_idx(next(tmp_path.glob("*images*"))), images)
    assert np.array_equal(read_idx(next(tmp_path.glob("*labels*"))), labels)
    x, y = load_idx_folder(tmp_path)
    assert x.shape == (50, 28, 28) and x.dtype == np.float32
    assert np.allclose(x * 255, images) and 0 <= x.min() and x.max() <= 1
    assert np.array_equal(y, labels)


def test_bad_idx_files_raise(tmp_path):
    (tmp_path / "junk-images-idx3-ubyte").write_bytes(b"\x00\x00\x09\x03" + b"\x00" * 20)
    with pytest.raises(AudioMLError, match="magic"):
        read_idx(tmp_path / "junk-images-idx3-ubyte")
    header = (2051).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (2, 28, 28))
    (tmp_path / "short-images-idx3-ubyte").write_bytes(header + b"\x00" * 100)
    with pytest.raises(AudioMLError, match="header announces"):
        read_idx(tmp_path / "short-images-idx3-ubyte")
    with pytest.raises(AudioMLError, match="no MNIST IDX files"):
        load_idx_folder(tmp_path / "nowhere")
    with pytest.raises(AudioMLError, match="data folder not found"):
        load_mnist(tmp_path / "missing")


def test_split_is_fixed_and_disjoint():
    images = np.arange(100 * 28 * 28, dtype=np.float32).reshape(100, 28, 28)
    labels = np.arange(100) % 10
    a, b = split_digits(images, labels), split_digits(images, labels)
    assert len(a.train_images) == 80 and len(a.heldout_images) == 20
    assert np.array_equal(a.heldout_ids, b.heldout_ids)
    assert np.array_equal(a.heldout_images, images[a.heldout_ids])
    train_ids = {int(img[0, 0]) // 784 for img in a.train_images}
    assert train_ids.isdisjoint(set(a.heldout_ids.tolist()))
    assert train_ids | set(a.heldout_ids.tolist()) == set(range(100))   # every image in one part
    assert np.array_equal(a.heldout_labels, labels[a.heldout_ids])
    assert not np.array_equal(split_digits(images, labels, seed=1).heldout_ids, a.heldout_ids)
    with pytest.raises(AudioMLError, match="fraction"):
        split_digits(images, labels, holdout=1.5)


def test_idx_folder_checks_shapes_and_labels(tmp_path, write_idx):
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((4, 32, 32), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(4, np.uint8))
    with pytest.raises(AudioMLError, match="not 28x28"):
        load_idx_folder(tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((4, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(3, np.uint8))
    with pytest.raises(AudioMLError, match="3 labels for 4 images"):
        load_idx_folder(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([0, 1, 2, 12], np.uint8))
    with pytest.raises(AudioMLError, match="above 9"):
        load_idx_folder(tmp_path)


@pytest.mark.slow
def test_real_mnist_split(shared_data):
    split = load_split(shared_data("mnist"))
    assert split.train_images.shape == (8000, 28, 28)
    assert split.heldout_images.shape == (2000, 28, 28)
    assert set(np.unique(split.heldout_labels)) == set(range(10))
    assert 0.0 <= split.train_images.min() and split.train_images.max() == 1.0
    assert split_description(split).startswith("8000 training / 2000 held-out images (20% held out)")


def test_no_data_and_no_network_gives_one_clear_message(monkeypatch):
    import keras

    import audioml.latent.mnist as mnist

    def nowhere(name, folder=None, **_):
        raise AudioMLError(f"no {name} data found")

    def offline():
        raise OSError("network unreachable")

    monkeypatch.setattr(mnist, "find_data", nowhere)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(AudioMLError, match="download failed.*--data"):
        load_mnist()
