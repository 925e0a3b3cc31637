"""Denoisers: a saved net reloads through its loader and denoises the same; the API around them."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from audioml.audio import load_audio, zip_files
from audioml.denoising.api import denoise_files, output_names
from audioml.denoising.denoisers import MaskDenoiser
from audioml.denoising.masknet import build_masknet
from audioml.noise import add_noise
from audioml.registry import save_for_inference, write_card
from audioml.shipped import load_model

CARD = {"name": "tiny", "task": "denoise", "file": "tiny.keras", "description": "test",
        "data": "none", "split": "none", "config": {"architecture": "masknet"}, "epochs": 0,
        "training_time_s": 0, "metrics": {}, "retrain_command": "none"}


def test_save_and_load_round_trip(tmp_path, speech):
    """A mask net saved for inference reloads by its card's task (safe mode) and gives the same output."""
    model = build_masknet(width=8, dilations=[1, 2], gru_units=2)
    model.compile(optimizer="adam", loss="mse")
    save_for_inference(model, tmp_path / "tiny.keras")
    write_card(CARD, tmp_path)
    loaded = load_model("tiny", tmp_path)
    assert isinstance(loaded, MaskDenoiser)
    noisy = add_noise(speech("nine"), 5.0, seed=0)
    direct = MaskDenoiser(model, {"name": "tiny"}).enhance(noisy)
    np.testing.assert_allclose(loaded.enhance(noisy), direct, atol=1e-5)
    assert json.loads((tmp_path / "tiny.json").read_text())["task"] == "denoise"
    # Saved without the optimizer: nothing but the weights' variables in the file.
    with zipfile.ZipFile(tmp_path / "tiny.keras") as archive:
        assert "optimizer" not in archive.read("config.json").decode()


def test_output_names_never_collide():
    names = output_names(["talk.wav", "talk.flac", "talk.mp3", "other.wav", "TALK.WAV"])
    assert names == ["talk_wav_denoised.wav", "talk_flac_denoised.wav", "talk_mp3_denoised.wav",
                     "other_denoised.wav", "TALK_denoised.wav"]
    assert output_names(["a.wav", "a.wav"]) == ["a_wav_denoised.wav", "a_wav_2_denoised.wav"]
    assert output_names(["x.ogg"], suffix=".wav") == ["x.wav"]


def test_denoise_files_keeps_every_input_and_reports_problems(tmp_path, wav_bytes):
    model = MaskDenoiser(build_masknet(width=4, dilations=[1]), {"name": "tiny"})
    tone = 0.3 * np.sin(np.arange(16000) / 7.0).astype(np.float32)
    files = [("talk.wav", wav_bytes(tone, 16000)), ("talk.flac", wav_bytes(tone, 16000, fmt="FLAC")),
             ("broken.wav", b"not audio")]
    seen = []
    outputs, problems = denoise_files(files, model=model, progress=lambda i, n, m: seen.append(i))
    assert list(outputs) == ["talk_wav_denoised.wav", "talk_flac_denoised.wav"]
    assert len(problems) == 1 and problems[0].startswith("broken.wav: ")
    assert seen == [1, 2, 3]
    y, sr = load_audio(outputs["talk_flac_denoised.wav"])
    assert sr == 16000 and len(y) == len(tone)
    with zipfile.ZipFile(io.BytesIO(zip_files(outputs))) as archive:
        assert archive.namelist() == list(outputs)


def _carry_mask_by_hand(mask, *, n_frames, frame_seconds, freqs):
    """carry_mask as it was first written: bilinear interpolation indexed by hand."""
    from audioml.denoising.denoisers import HIGH_BAND_HZ, REFERENCE_BAND_HZ
    from audioml.denoising.fsdd import SR
    from audioml.denoising.masknet import MASK_HOP, MASK_N_FFT

    src_frames = np.arange(mask.shape[1]) * MASK_HOP / SR
    at = np.clip(np.arange(n_frames) * frame_seconds, 0, src_frames[-1])
    i0 = np.minimum(np.searchsorted(src_frames, at, side="right") - 1, mask.shape[1] - 1)
    i1 = np.minimum(i0 + 1, mask.shape[1] - 1)
    w = (at - src_frames[i0]) / (MASK_HOP / SR)
    in_time = mask[:, i0] * (1 - w) + mask[:, i1] * w
    src_freqs = np.arange(mask.shape[0]) * SR / MASK_N_FFT
    low = freqs <= HIGH_BAND_HZ
    out = np.empty((len(freqs), n_frames), np.float32)
    j = np.interp(freqs[low], src_freqs, np.arange(mask.shape[0]))
    j0 = np.floor(j).astype(int)
    j1 = np.minimum(j0 + 1, mask.shape[0] - 1)
    out[low] = in_time[j0] * (1 - (j - j0))[:, None] + in_time[j1] * (j - j0)[:, None]
    ref = (src_freqs >= REFERENCE_BAND_HZ[0]) & (src_freqs <= REFERENCE_BAND_HZ[1])
    out[~low] = in_time[ref].mean(axis=0)
    return out


@pytest.mark.parametrize("sr", [11_025, 16_000, 22_050, 44_100, 48_000])
@pytest.mark.parametrize("frames", [1, 2, 40])
def test_carry_mask_is_bilinear_on_the_target_grid(sr, frames):
    """The 8 kHz mask carried onto a wide-band STFT grid, as MaskDenoiser.process builds it
    (one frame more than the net's, so the end is held), equals bilinear interpolation."""
    from audioml.denoising.denoisers import HIGH_BAND_HZ, carry_mask
    from audioml.denoising.masknet import MASK_HOP, MASK_N_FFT

    mask = np.random.default_rng(sr + frames).uniform(size=(MASK_N_FFT // 2 + 1, frames))
    mask = mask.astype(np.float32)
    n_fft, hop = int(round(MASK_N_FFT * sr / 8000)), int(round(MASK_HOP * sr / 8000))
    n_fft += n_fft % 2
    grid = dict(n_frames=frames + 1, frame_seconds=hop / sr, freqs=np.fft.rfftfreq(n_fft, 1 / sr))
    out = carry_mask(mask, **grid)
    assert out.shape == (n_fft // 2 + 1, frames + 1) and out.dtype == np.float32
    np.testing.assert_allclose(out, _carry_mask_by_hand(mask, **grid), rtol=0, atol=1e-6)
    # On the net's own grid nothing is interpolated: the low band is the mask itself.
    same = carry_mask(mask, n_frames=frames, frame_seconds=MASK_HOP / 8000,
                      freqs=np.fft.rfftfreq(MASK_N_FFT, 1 / 8000))
    low = np.fft.rfftfreq(MASK_N_FFT, 1 / 8000) <= HIGH_BAND_HZ
    np.testing.assert_allclose(same[low], mask[low], atol=1e-6)
