"""The shared network code: the layer graph the architecture drawings read."""

from __future__ import annotations

from audioml.denoising.masknet import build_masknet
from audioml.denoising.train import build_autoencoder
from audioml.nn.inspect import describe_layers


def test_layer_graph_shows_the_vae_heads_and_residuals():
    rows = {r["name"]: r for r in describe_layers(build_autoencoder("vae", learning_rate=1e-3))}
    assert rows["encoder/enc1_conv"]["shape"] == (129, 9, 100)
    assert rows["encoder/mean"]["params"] == 16250 * 64 + 64
    assert set(rows["sampling"]["inputs"]) == {"encoder/mean", "encoder/log_var"}
    assert rows["decoder/expand"]["inputs"] == ["sampling"]
    mask_rows = describe_layers(build_masknet(width=8, dilations=[1, 2], gru_units=2))
    adds = [r for r in mask_rows if r["type"] == "Add"]
    assert len(adds) == 3 and all(len(r["inputs"]) == 2 for r in adds)  # two blocks and the GRU
    gru = next(r for r in mask_rows if r["name"] == "gru")
    assert gru["type"] == "Bidirectional" and gru["shape"] == (None, 4)
