"""What the denoise page shows about a model beyond its output: latent codes and saturation."""

from __future__ import annotations

import numpy as np

from audioml.errors import AudioMLError


def latent_codes(denoiser, y: np.ndarray) -> np.ndarray:
    """The encoder's code of every 0.55 s window of *y* (the VAE's: the mean).

    Returns
    -------
    np.ndarray [shape=(n_windows, latent_dim)]
    """
    if denoiser.family != "autoencoder":
        raise AudioMLError(f"{denoiser.name} has no latent code; choose the DCAE or the VAE")
    images = np.stack([denoiser.transform.forward(w)[0] for w in denoiser.windows(y)])[..., None]
    code = denoiser.model.get_layer("encoder")(images, training=False)
    return np.asarray(code[0] if isinstance(code, (list, tuple)) else code)


def saturated_share(image: np.ndarray, *, margin: float = 0.02) -> float:
    """Share of pixels of a [0, 1] image within *margin* of 0 or 1 (the sigmoid's flat ends)."""
    image = np.asarray(image)
    return float(np.mean((image < margin) | (image > 1 - margin)))


def saturation_study(dcae, vae, noisy: np.ndarray, clean: np.ndarray | None = None, *,
                     sr: int = 8000) -> dict:
    """The paper's saturation claim measured on one clip: the DCAE's output against the VAE's.

    Both see the first 0.55 s window of *noisy* (at *sr* Hz, resampled to the
    models' 8 kHz) as :meth:`enhance` cuts it.

    Returns
    -------
    dict
        ``images``: [0, 1] images (257 x 18) of the noisy input, the clean
        target (when *clean* is given), and each model's output; ``codes``: each
        model's latent code of every window (:func:`latent_codes`); ``saturated``:
        each output's :func:`saturated_share`; ``spread``: the standard deviation
        of each model's codes.
    """
    from audioml.audio import resample
    from audioml.denoising.features import paper_pair
    from audioml.denoising.fsdd import SR

    noisy = resample(noisy, sr, SR)
    clean = None if clean is None else resample(clean, sr, SR)
    window = dcae.windows(noisy)[:1]
    x01, dcae_out, _ = dcae.images(window)
    _, vae_out, _ = vae.images(window)
    images = {"noisy input": x01[0]}
    if clean is not None:
        images["clean target"] = paper_pair(dcae.windows(clean)[0], window[0])[1]
    images |= {"DCAE output": dcae_out[0], "VAE output": vae_out[0]}
    codes = {"DCAE code": latent_codes(dcae, noisy), "VAE code (mean)": latent_codes(vae, noisy)}
    return {"images": images, "codes": codes,
            "saturated": {"DCAE": saturated_share(dcae_out[0]), "VAE": saturated_share(vae_out[0])},
            "spread": {"DCAE": float(codes["DCAE code"].std()),
                       "VAE": float(codes["VAE code (mean)"].std())}}
