"""MNIST IDX reading, loading and the fixed held-out split."""

import numpy as np
import pytest

from audioml.errors import AudioMLError
from audioml.mnist import load_idx_folder, load_mnist, load_split, read_idx, split_digits, write_idx
from tests.conftest import shared_data


def make_idx_folder(folder, n=50, *, gz=True):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    ext = ".gz" if gz else ""
    write_idx(folder / f"t10k-images-idx3-ubyte{ext}", images)
    write_idx(folder / f"t10k-labels-idx1-ubyte{ext}", labels)
    return images, labels


@pytest.mark.parametrize("gz", [True, False])
def test_idx_round_trip(tmp_path, gz):
    images, labels = make_idx_folder(tmp_path, gz=gz)
    assert np.array_equal(read_idx(next(tmp_path.glob("*images*"))), images)
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
    assert not np.array_equal(split_digits(images, labels, seed=1).heldout_ids, a.heldout_ids)
    with pytest.raises(AudioMLError, match="fraction"):
        split_digits(images, labels, holdout=1.5)


def test_real_mnist_split():
    folder = shared_data("mnist")
    split = load_split(folder)
    assert split.train_images.shape == (8000, 28, 28)
    assert split.heldout_images.shape == (2000, 28, 28)
    assert set(np.unique(split.heldout_labels)) == set(range(10))
    assert 0.0 <= split.train_images.min() and split.train_images.max() == 1.0


def test_no_data_and_no_network_gives_one_clear_message(monkeypatch):
    import keras

    import audioml.mnist as mnist

    def nowhere(name, folder=None, **_):
        raise AudioMLError(f"no {name} data found")

    def offline():
        raise OSError("network unreachable")

    monkeypatch.setattr(mnist, "find_data", nowhere)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(AudioMLError, match="download failed.*--data"):
        load_mnist()
