"""The benchmark's report as a plain-text table (what ``audioml evaluate denoiser`` prints)."""

from __future__ import annotations

from audioml.denoising.realworld.mixing import KINDS


def format_report(report: dict) -> str:
    """A plain-text table of :func:`evaluate`'s report, one block per kind of clip."""
    c = report["conditions"]
    counts = c["counts"]
    kinds = ", ".join(f"{counts[k]} {k}" for k in KINDS if k in counts)
    reverb = "/".join("on" if r else "off" for r in c["reverb"])
    seed = c["seed"]
    lines = [f"Real-world denoising benchmark: {counts['mixtures']} mixtures ({kinds}), seed {seed}, "
             f"SNRs {', '.join(f'{s:g}' for s in c['snrs_db'])} dB, reverb {reverb}",
             f"reference: {c['reference']}",
             "noises: " + ", ".join(f"{k} x{v}" for k, v in c["noises"].items())]
    if c["rirs"]:
        lines.append("rooms: " + ", ".join(f"{k} x{v}" for k, v in c["rirs"].items()))

    def cell(v, fmt="{:.2f}"):
        return "-" if v is None else fmt.format(v)

    for kind in KINDS:
        if kind not in counts:
            continue
        snrs = next(iter(report["methods"].values()))[kind]["pesq_nb_by_snr"]
        rates = "/".join(f"{sr // 1000} kHz" for sr in c["sample_rates"][kind])
        lines += ["", f"[{kind}s, {rates}, {counts[kind]} mixtures]",
                  f"{'method':<22}{'PESQ-nb':>8}{'PESQ-wb':>8}{'SI-SDR':>8}{'gain':>7}"
                  f"{'fails':>6}{'RTF':>8}  PESQ-nb at " + " ".join(f"{s:>6}" for s in
                                                                 (f"{k}dB" for k in snrs))]
        for method, by_kind in report["methods"].items():
            f = by_kind[kind]
            fails = f["pesq_nb_failures"] + f["pesq_wb_failures"]
            lines.append(f"{method[:21]:<22}{cell(f['pesq_nb']):>8}{cell(f['pesq_wb']):>8}"
                         f"{cell(f['si_sdr'], '{:.1f}'):>8}{cell(f['si_sdr_gain'], '{:+.1f}'):>7}"
                         f"{fails:>6}{cell(f['rtf'], '{:.3f}'):>8}            "
                         + " ".join(f"{cell(v):>6}" for v in f["pesq_nb_by_snr"].values()))
    return "\n".join(lines)
