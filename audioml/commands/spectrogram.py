"""`audioml spectrogram` and `audioml griffinlim`: the STFT page's computations from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from audioml import spectral
from audioml.errors import AudioMLError


def _stft_options(parser) -> None:
    parser.add_argument("input", help="audio file (WAV, FLAC, OGG, MP3, AIFF)")
    parser.add_argument("--sr", type=int, default=None, help="resample to this rate (Hz) first")
    parser.add_argument("--n-fft", type=int, default=512, help="frame size in samples (default 512)")
    parser.add_argument("--hop", type=int, default=128, help="hop length in samples (default 128)")
    parser.add_argument("--window", choices=spectral.WINDOWS, default="hann")


def register(groups) -> None:
    spec = groups["root"].add_parser(
        "spectrogram", help="compute a magnitude spectrogram (dB) and save it as .npy or .png")
    _stft_options(spec)
    spec.add_argument("--scale", choices=["linear", "log", "mel"], default="linear",
                      help=f"frequency rows: the STFT's bins (log: on a log axis in the .png), or "
                           f"{spectral.MEL_BANDS} mel bands, fewer where --n-fft is too short to give "
                           f"each band a bin (default linear)")
    spec.add_argument("--out", required=True, help="output file: .npy (array, dB) or .png (picture)")
    spec.set_defaults(func=run_spectrogram)

    gl = groups["root"].add_parser(
        "griffinlim", help="rebuild audio from its magnitude spectrogram alone (Griffin-Lim)")
    _stft_options(gl)
    gl.add_argument("--iter", type=int, default=32, help="iterations (default 32)")
    gl.add_argument("--momentum", type=float, default=0.99, help="fast-GLA momentum in [0, 1)")
    gl.add_argument("--out", required=True, help="output .wav file")
    gl.add_argument("--json", action="store_true", help="print the convergence history as JSON")
    gl.set_defaults(func=run_griffinlim)


def _load(args):
    from audioml.audio import load_audio

    return load_audio(args.input, sr=args.sr, allow_silent=False)


def run_spectrogram(args) -> int:
    out = Path(args.out)
    if out.suffix not in (".npy", ".png"):
        raise AudioMLError(f"--out must end in .npy or .png; got {out.name}")
    y, sr = _load(args)
    image = spectral.spectrogram_image(y, sr, n_fft=args.n_fft, hop_length=args.hop,
                                       window=args.window, scale=args.scale)
    if out.suffix == ".npy":
        np.save(out, image.z)
    else:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(10, 4), dpi=100)
        mesh = ax.pcolormesh(image.times, image.freqs, image.z, shading="nearest", cmap="viridis", vmin=-90)
        ax.set(xlabel="time (s)", ylabel="frequency (Hz)", yscale="log" if args.scale == "log" else "linear",
               title=f"{Path(args.input).name}: N={args.n_fft}, H={args.hop}, {args.window}")
        fig.colorbar(mesh, label="dB re peak")
        fig.tight_layout()
        fig.savefig(out)
        plt.close(fig)
    rows = image.z.shape[0]
    print(f"{out}: {rows} {'mel bands' if args.scale == 'mel' else 'bins'} x {image.z.shape[1]} frames")
    if args.scale == "mel" and rows < spectral.MEL_BANDS:
        # spectrogram_image caps the bands (spectral.mel_band_count) so that none is empty.
        print(f"only {rows} mel bands, not {spectral.MEL_BANDS}: with --n-fft {args.n_fft} at {sr} Hz "
              f"the bins are {sr / args.n_fft:.0f} Hz apart, and more, narrower bands would leave the "
              f"lowest ones between two bins, empty; a longer frame gives more bands")
    return 0


def run_griffinlim(args) -> int:
    import soundfile as sf

    out = Path(args.out)
    if out.suffix != ".wav":
        raise AudioMLError(f"--out must end in .wav; got {out.name}")
    y, sr = _load(args)
    magnitude = np.abs(spectral.stft(y, n_fft=args.n_fft, hop_length=args.hop, window=args.window))
    rebuilt, history = spectral.griffin_lim(magnitude, hop_length=args.hop, window=args.window,
                                            n_iter=args.iter, momentum=args.momentum, length=len(y),
                                            return_history=True)
    sf.write(out, np.clip(rebuilt, -1, 1), sr, subtype="PCM_16")
    if args.json:
        print(json.dumps({"spectral_convergence": history}))
    else:
        # history[i] is the convergence after i + 1 iterations, the last one that of the file written.
        if len(history) == 1:
            print(f"{out}: spectral convergence {history[0]:.3f} after 1 iteration")
        else:
            print(f"{out}: spectral convergence {history[0]:.3f} after 1 iteration -> "
                  f"{history[-1]:.3f} after {len(history)} iterations")
    return 0
