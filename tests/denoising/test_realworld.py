"""The real-world denoising benchmark, on a fake realworld folder made here (no shared data)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from audioml.denoising import realworld as rw
from audioml.errors import AudioMLError
from audioml.metrics import si_sdr
from tests.support.factories import MARKER_SECONDS, speech_like

SR = 16_000


@pytest.fixture(scope="module")
def folder(tmp_path_factory, make_realworld):
    return make_realworld(tmp_path_factory.mktemp("realworld"))


@pytest.fixture(scope="module")
def mixtures(folder):
    return rw.build_mixtures(folder=folder)


def _measured_snr(m: rw.Mixture) -> float:
    clean, noisy = m.clean.astype(np.float64), m.noisy.astype(np.float64)
    return 10 * np.log10(np.sum(clean**2) / np.sum((noisy - clean) ** 2))


def test_build_is_bit_identical_for_a_seed_and_differs_for_another(folder, mixtures):
    again = rw.build_mixtures(folder=folder)
    assert len(mixtures) == 2 * 3 * 2 == len({m.name for m in mixtures})
    assert [m.name for m in again] == [m.name for m in mixtures]
    for a, b in zip(mixtures, again):
        assert a.clean.dtype == a.noisy.dtype == np.float32 and len(a.clean) == len(a.noisy)
        assert np.array_equal(a.clean, b.clean) and np.array_equal(a.noisy, b.noisy)
        assert a.noise_start == b.noise_start
    other = rw.build_mixtures(folder=folder, seed=1)
    assert any(not np.array_equal(a.noisy, b.noisy) for a, b in zip(mixtures, other))
    assert {m.noise for m in mixtures} == {"marker", "hiss"}  # the rotation uses every noise


def test_every_mixture_has_its_stated_snr_and_no_clipping(folder, mixtures):
    speech = {p.stem: sf.read(p, dtype="float32")[0] for p in (folder / "speech").iterdir()}
    for m in mixtures:
        assert abs(_measured_snr(m) - m.snr_db) < 0.1, m.name
        assert max(np.max(np.abs(m.noisy)), np.max(np.abs(m.clean))) <= rw.PEAK_LIMIT + 1e-6
        assert f"@{m.snr_db:g}dB" in m.name and m.noise in m.name
    # 0.9-peak speech plus noise often exceeds the limit: clean and noisy were scaled
    # down together (their SNR, checked above, is kept); the others keep the file's level.
    limited = [m for m in mixtures
               if max(np.max(np.abs(m.noisy)), np.max(np.abs(m.clean))) > rw.PEAK_LIMIT - 1e-4]
    assert limited and any(m.snr_db == 0 for m in limited)
    for m in mixtures:
        if m not in limited:
            assert np.array_equal(m.dry, speech[m.clip])
        else:
            assert np.max(np.abs(m.dry)) < np.max(np.abs(speech[m.clip]))


def test_mixtures_use_only_the_eval_part_of_the_noise(folder, mixtures):
    n = int(MARKER_SECONDS * SR)
    train = rw.load_noises(folder, part="train", sr=SR)["marker"]
    evaluation = rw.load_noises(folder, part="eval", sr=SR)["marker"]
    assert len(train) == rw.split_index(n) == n - n // 3 and len(evaluation) == n // 3
    assert np.all(train > 0) and np.all(evaluation < 0)
    used = [m for m in mixtures if m.noise == "marker"]
    assert used and all(len(m.noisy) > len(evaluation) for m in used)  # tiled: eval part is 1 s
    for m in used:
        assert np.all(m.noisy.astype(np.float64) - m.clean < 0), m.name
    # At the native rate the two parts are the file, cut once, with nothing shared.
    native, sr = sf.read(folder / "noise" / "hiss.wav", dtype="float32")
    parts = [rw.load_noises(folder, part=p, sr=sr)["hiss"] for p in ("train", "eval")]
    assert np.array_equal(np.concatenate(parts), native)


def test_reverberant_reference_is_aligned_with_the_dryspeech_like(mixtures):
    wet = [m for m in mixtures if m.rir is not None]
    dry = [m for m in mixtures if m.rir is None]
    assert len(wet) == len(dry) == 6 and all(m.name.endswith("+room") for m in wet)
    assert all(np.array_equal(m.clean, m.dry) for m in dry)
    for m in wet:
        assert not np.allclose(m.clean, m.dry)
        assert rw.align(m.clean, m.dry, m.sr)[1] == 0
        assert si_sdr(m.dry, m.clean) > 3  # the direct path dominates this room


def test_score_compensates_a_delay(mixtures):
    clean = mixtures[0].dry.astype(np.float64)
    late = np.concatenate([np.zeros(37), clean])[: len(clean)]
    early = np.concatenate([clean[37:], np.zeros(37)])
    assert si_sdr(clean, late) < 10  # uncompensated, the delay ruins SI-SDR
    for estimate, lag in ((late, 37), (early, -37)):
        figures = rw.score(clean, estimate, SR, wideband=True)
        assert figures["lag"] == lag and figures["si_sdr"] > 30
        assert figures["pesq_nb"] > 4 and figures["pesq_wb"] > 4
    # A longer estimate is trimmed to the clean length rather than refused.
    assert rw.score(clean, np.concatenate([late, late[:500]]), SR, wideband=False)["lag"] == 37


def test_evaluate_passthrough_matches_noisy_and_oracle_beats_it(mixtures):
    cleans = {m.noisy.tobytes(): m.clean for m in mixtures}
    calls = []
    report = rw.evaluate({"passthrough": lambda y, sr: y,
                          "oracle": lambda y, sr: cleans[y.tobytes()]}, mixtures,
                         progress=lambda done, total, msg: calls.append((done, total)))
    json.dumps(report, allow_nan=False)
    assert calls[-1] == (3 * len(mixtures), 3 * len(mixtures))
    assert list(report["methods"]) == ["noisy", "passthrough", "oracle"]
    noisy = report["methods"]["noisy"]["sentence"]
    same = report["methods"]["passthrough"]["sentence"]
    oracle = report["methods"]["oracle"]["sentence"]
    timing = {"seconds", "rtf"}
    assert {k: v for k, v in same.items() if k not in timing} == \
           {k: v for k, v in noisy.items() if k not in timing}
    assert noisy["n"] == len(mixtures) and noisy["si_sdr_gain"] == 0
    assert noisy["pesq_nb_failures"] == noisy["pesq_wb_failures"] == 0
    assert oracle["pesq_nb"] > noisy["pesq_nb"] + 1 and oracle["pesq_wb"] > noisy["pesq_wb"] + 1
    assert oracle["si_sdr"] > 40 > noisy["si_sdr"] + 20 and oracle["si_sdr_gain"] > 20
    for snr in ("0", "5", "10"):
        assert oracle["pesq_nb_by_snr"][snr] > noisy["pesq_nb_by_snr"][snr]
    assert noisy["pesq_nb_by_snr"]["0"] < noisy["pesq_nb_by_snr"]["10"]
    conditions = report["conditions"]
    assert conditions["seed"] == 0 and conditions["snrs_db"] == [0, 5, 10]
    assert conditions["reverb"] == [False, True] and conditions["rirs"] == {"room": 6}
    assert sum(conditions["noises"].values()) == conditions["counts"]["mixtures"] == 12
    text = rw.format_report(report)
    assert all(name in text for name in ("noisy", "passthrough", "oracle", "12 mixtures"))


def test_digits_are_mixed_at_8khz_and_scored_narrowband_only(folder):
    digit = speech_like(0.8, rw.DIGIT_SR, 150, 3)
    mixtures = rw.build_mixtures(digits=[("7_test_0", digit)], folder=folder, sentences=False,
                                 snrs=(5.0,), reverb=(False,))
    assert [m.name for m in mixtures] in (["7_test_0+marker@5dB"], ["7_test_0+hiss@5dB"])
    m = mixtures[0]
    assert (m.kind, m.sr, m.wideband) == ("digit", 8000, False) and len(m.noisy) == len(digit)
    assert abs(_measured_snr(m) - 5) < 0.1
    assert rw.score(m.clean, m.noisy, m.sr, wideband=False)["pesq_wb"] is None
    report = rw.evaluate({}, mixtures)
    assert list(report["methods"]["noisy"]) == ["digit"]
    assert report["methods"]["noisy"]["digit"]["pesq_wb"] is None
    assert report["per_mixture"]["noisy"][0]["pesq_wb"] is None


def test_bad_input_is_refused_with_the_valid_choices(folder, mixtures, tmp_path):
    with pytest.raises(AudioMLError, match="eval, train"):
        rw.load_noises(folder, part="test", sr=SR)
    with pytest.raises(AudioMLError, match="reserved"):
        rw.evaluate({"noisy": lambda y, sr: y}, mixtures)
    with pytest.raises(AudioMLError, match="NaN"):
        rw.evaluate({"broken": lambda y, sr: y * np.nan}, mixtures[:1])
    with pytest.raises(AudioMLError, match="distinct"):
        rw.build_mixtures(folder=folder, snrs=(5, 5))
    with pytest.raises(AudioMLError, match="unique"):
        rw.build_mixtures(folder=folder, digits=[("spkA_snt1", speech_like(0.5, 8000, 150, 4))])
    with pytest.raises(AudioMLError, match="speech/"):
        rw.find_realworld(tmp_path)


def test_each_module_imports_only_those_below_it():
    """inputs -> mixing -> scoring -> runner -> text, as the package docstring lists them."""
    import ast
    import importlib
    from pathlib import Path

    order = ["inputs", "mixing", "scoring", "runner", "text"]
    for i, name in enumerate(order):
        path = Path(importlib.import_module(f"{rw.__name__}.{name}").__file__)
        used = {node.module.rsplit(".", 1)[-1] for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.ImportFrom) and node.module
                and node.module.startswith(rw.__name__ + ".")}
        assert used <= set(order[:i]), f"{name} imports {used - set(order[:i])}"
    assert all(hasattr(rw, n) for n in rw.__all__)
