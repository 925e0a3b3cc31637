"""The malformed-input corpus through the library and the CLI: each case ends quickly
with a clear message (CLI: non-zero exit, one line on stderr) or a correct, finite result."""

from pathlib import Path

import numpy as np
import pytest

from audioml.audio import load_audio
from audioml.cli import main
from audioml.errors import AudioMLError
from tests.support.corpus import audio_cases

ROOT = Path(__file__).resolve().parents[2]
CASES = audio_cases()
IDS = [name for name, _, _ in CASES]


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert {"error", "ok"} == {expected for _, _, expected in CASES}


@pytest.mark.parametrize("name,data,expected", CASES, ids=IDS)
def test_library(name, data, expected):
    if expected == "error":
        with pytest.raises(AudioMLError) as info:
            load_audio(data, sr=8000, allow_silent=False)
        assert len(str(info.value)) < 300 and "Traceback" not in str(info.value)
    else:
        y, sr = load_audio(data, sr=8000, allow_silent=False)
        assert sr == 8000 and len(y) > 0 and np.all(np.isfinite(y))


def _write(tmp_path, name, data):
    path = tmp_path / name.replace("/", "_")
    path.write_bytes(data)
    return path


def test_cli(tmp_path, capsys):
    """Every case through `audioml spectrogram` (in-process; test_cli_core runs real processes),
    plus a missing path and a directory."""
    paths = [(_write(tmp_path, n, d), e) for n, d, e in CASES]
    paths += [(tmp_path / "missing.wav", "error"), (tmp_path, "error")]
    failures = []
    for path, expected in paths:
        code = main(["spectrogram", str(path), "--out", str(tmp_path / "out.npy")])
        stderr = capsys.readouterr().err.strip().splitlines()
        if expected == "error":
            ok = code != 0 and len(stderr) == 1 and stderr[0].startswith("audioml: error:")
        else:
            ok = code == 0 and np.all(np.isfinite(np.load(tmp_path / "out.npy")))
        if not ok:
            failures.append((path.name, expected, code, stderr[-3:]))
    assert not failures, failures


#: One case for each way a bad melody argument reaches the CLI: the library's seed, step and
#: temperature checks (their full grids are tested where they live: tests/melody/test_encoding.py
#: and test_model.py), argparse for what is not a number, the output format, a missing folder.
MELODY_ARGS = [
    (["generate", "--seed", "_ 60 _"], "holds nothing"),
    (["generate", "--seed", "60 " * 5000], "too long"),
    (["generate", "--seed", "200 _"], "outside the pitches the model knows"),
    (["generate", "--steps", "0"], "steps"),
    (["generate", "--steps", "ten"], "steps"),
    (["generate", "--temperature", "nan"], "temperature"),
    (["generate", "--temperature", "warm"], "temperature"),
    (["generate", "--out", "melody.pdf"], "must end in one of"),
    (["evaluate", "melody", "--data", "/nonexistent/songs"], "no such file"),
]


@pytest.mark.parametrize("argv,needle", MELODY_ARGS, ids=[" ".join(a)[:24] for a, _ in MELODY_ARGS])
def test_cli_melody_arguments(argv, needle, capsys):
    """Invalid melody arguments: exit 2, one line on stderr, "audioml: error: ..." naming the problem."""
    if argv[-1] in ("ten", "warm"):  # not a number at all: argparse itself refuses it
        with pytest.raises(SystemExit) as info:
            main(argv)
        code = info.value.code
    else:
        code = main(argv)
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err
    assert err[0].startswith("audioml: error:") or argv[-1] in ("ten", "warm"), err


@pytest.mark.slow
def test_memory_stays_bounded_on_the_longest_input(tmp_path):
    """The longest clip accepted (just under 30 s, 48 kHz stereo) is decoded, resampled and denoised
    by every shipped denoiser in one process whose peak memory stays under 3 GB."""
    import soundfile as sf

    from audioml.audio import MAX_SECONDS

    rng = np.random.default_rng(0)
    path = tmp_path / "longest.wav"
    sf.write(path, 0.1 * rng.standard_normal((int((MAX_SECONDS - 0.5) * 48000), 2)), 48000, subtype="PCM_16")
    script = (
        "import resource, numpy as np, audioml\n"
        "from audioml.registry import list_cards\n"
        f"y, sr = audioml.load_audio({str(path)!r})\n"
        "for card in list_cards('denoise'):\n"
        "    out = audioml.denoise(y, sr, model=card['name'])\n"
        "    assert len(out) == len(y) and np.all(np.isfinite(out))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n")
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-500:]
    peak_mb = int(result.stdout.strip().splitlines()[-1])
    print(f"peak memory {peak_mb} MB")
    assert peak_mb < 3000, f"peak memory {peak_mb} MB"
