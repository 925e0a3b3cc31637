"""The held-out codes shipped beside the DCAE and the VAE, so the page needs no MNIST."""

import json

import numpy as np
import pytest

from audioml.errors import AudioMLError
from audioml.latent import heldout
from audioml.latent import inference
from audioml.latent import model as latent
from audioml.latent.mnist import split_digits
from audioml.paths import MODELS_DIR
from audioml.registry import list_cards


def arrays(n=30, seed=0, ids_from=100):
    rng = np.random.default_rng(seed)
    return {"codes": rng.normal(scale=8, size=(n, 2)).astype(np.float32),
            "labels": np.arange(n) % 10, "ids": np.arange(ids_from, ids_from + n),
            "images": rng.random((n, 28, 28)).astype(np.float32), "source": "made up"}


def test_round_trip_is_compact_and_close(tmp_path):
    weights = tmp_path / "m.keras"
    weights.write_bytes(b"weights")
    made = arrays()
    path = heldout.save_codes(made, tmp_path / "m_codes.npz", weights=weights)
    back = heldout.load_codes(path, weights=weights)
    assert back["source"] == "made up"
    assert np.array_equal(back["labels"], made["labels"]) and np.array_equal(back["ids"], made["ids"])
    # float16 codes and uint8 pixels: within their rounding of the originals.
    assert np.allclose(back["codes"], made["codes"], rtol=1e-3, atol=1e-3)
    assert np.abs(back["images"] - made["images"]).max() <= 0.5 / 255 + 1e-6
    with np.load(path) as raw:
        assert raw["codes"].dtype == np.float16 and raw["images"].dtype == np.uint8
        assert "CC BY-SA 3.0" in str(raw["credit"])


def test_codes_made_with_other_weights_are_refused(tmp_path):
    weights = tmp_path / "m.keras"
    weights.write_bytes(b"old")
    path = heldout.save_codes(arrays(), tmp_path / "m_codes.npz", weights=weights)
    weights.write_bytes(b"retrained")
    with pytest.raises(AudioMLError, match="other weights.*--write-codes"):
        heldout.load_codes(path, weights=weights)
    heldout.load_codes(path)   # without weights to check against, it reads
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(AudioMLError, match="cannot read held-out codes"):
        heldout.load_codes(tmp_path / "bad.npz")


def test_plane_view_needs_the_same_digits():
    view = heldout.plane_view({"dcae": arrays(seed=1), "vae": arrays(seed=2)})
    assert set(view["codes"]) == {"dcae", "vae"} and view["images"].shape == (30, 28, 28)
    with pytest.raises(AudioMLError, match="other held-out digits"):
        heldout.plane_view({"dcae": arrays(), "vae": arrays(ids_from=0)})


def test_heldout_codes_are_the_models_codes_of_the_split():
    images = np.random.default_rng(0).random((40, 28, 28)).astype(np.float32)
    split = split_digits(images, np.arange(40) % 10, source="toy")
    model = latent.build_latent_model("dcae")
    codes = heldout.heldout_codes(model, split)
    assert np.allclose(codes["codes"], inference.encode(model, split.heldout_images))
    assert np.array_equal(codes["ids"], split.heldout_ids) and codes["source"] == "toy"


def test_no_codes_named_on_the_card_is_none(tmp_path):
    card = {"name": "latent_vae", "task": "latent", "file": "latent_vae.keras"}
    (tmp_path / "latent_vae.json").write_text(json.dumps(card))
    (tmp_path / "latent_vae.keras").write_bytes(b"w")
    assert heldout.shipped_codes("vae", tmp_path) is None
    card[heldout.CARD_KEY] = "latent_vae_codes.npz"   # named, but not there
    (tmp_path / "latent_vae.json").write_text(json.dumps(card))
    assert heldout.shipped_codes("vae", tmp_path) is None
    heldout.save_codes(arrays(), tmp_path / "latent_vae_codes.npz", weights=tmp_path / "latent_vae.keras")
    assert len(heldout.shipped_codes("vae", tmp_path)["ids"]) == 30


def test_the_shipped_codes_are_fresh_small_and_of_all_held_out_digits():
    cards = {c["name"]: c for c in list_cards("latent")}
    if not set(latent.MODEL_NAMES.values()) <= set(cards):
        pytest.skip("latent models not shipped")
    views = {}
    for kind, name in latent.MODEL_NAMES.items():
        assert cards[name][heldout.CARD_KEY] == heldout.codes_file_name(kind) == f"{name}_codes.npz"
        assert (MODELS_DIR / cards[name][heldout.CARD_KEY]).stat().st_size < 500_000
        views[kind] = heldout.shipped_codes(kind)
        assert views[kind] is not None, f"{name}'s codes are missing or made with other weights"
    view = heldout.plane_view(views)
    assert len(view["ids"]) == cards["latent_vae"]["metrics"]["n_heldout"] == 2000
    assert np.bincount(view["labels"], minlength=10).min() > 150   # every digit, roughly evenly
    # The codes tell the page's story: the VAE's sit near N(0, I), the DCAE's spread far wider.
    assert np.abs(view["codes"]["vae"].std(axis=0) - 1).max() < 0.5
    assert view["codes"]["dcae"].std(axis=0).min() > 3


@pytest.mark.slow
def test_the_shipped_codes_are_the_shipped_models_codes_of_mnist(shared_data):
    from audioml.latent.mnist import load_split

    split = load_split(shared_data("mnist"))
    for kind in latent.KINDS:
        shipped = heldout.shipped_codes(kind)
        if shipped is None:
            pytest.skip("held-out codes not shipped")
        assert np.array_equal(shipped["ids"], split.heldout_ids)
        assert np.array_equal(shipped["images"], split.heldout_images)
        codes = inference.encode(latent.load_latent(kind), split.heldout_images)
        assert np.allclose(shipped["codes"], codes, rtol=2e-3, atol=2e-3)
