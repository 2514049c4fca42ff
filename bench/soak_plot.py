"""The soak's PNG: server RSS, the wall's JS heap (with its open cases) and push latency over time, one panel each.

    .venv/bin/python bench/soak_plot.py bench/figures/soak.json [out.png]

matplotlib is the optional `bench` extra (`pip install -e ".[bench]"`, `make bench` installs it). Labels are
English: the figure sits in BENCHMARKS.md, not in the UI, and needs no CJK font on the machine that draws it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

LIMIT_MS = 300


def plot(doc: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    samples, summary = doc["samples"], doc["summary"]
    t = [s["t_s"] / 60 for s in samples]
    fig, (rss, heap, lat) = plt.subplots(3, 1, figsize=(10, 9), sharex=True, constrained_layout=True)
    fig.suptitle(
        f"Soak: serve-prod ({summary['processes']} processes), simulator at {summary['speed']:g}x, "
        f"one headless /screen, {summary['seconds'] / 60:.0f} min"
    )

    rss.plot(t, [s["server_rss_mb"] for s in samples], color="tab:blue", label="all server processes")
    workers = list(zip(*[s["worker_rss_mb"] for s in samples if s["worker_rss_mb"]], strict=False))
    for i, series in enumerate(workers):
        rss.plot(t[: len(series)], series, color="tab:cyan", linewidth=0.8, label="each app worker" if i == 0 else None)
    rss.set_ylabel("RSS (MB)")
    rss.set_ylim(bottom=0)
    rss.legend(loc="lower right")
    rss.grid(alpha=0.3)

    heap.plot(t, [s["heap_mb"] for s in samples], color="tab:green", label="JS heap after GC")
    heap.set_ylabel("JS heap (MB)")
    heap.set_ylim(bottom=0)
    cases = heap.twinx()
    cases.plot(t, [s["open_cases"] for s in samples], color="tab:gray", linestyle="--", label="open cases on the wall")
    cases.set_ylabel("open cases")
    cases.set_ylim(bottom=0)
    lines = heap.get_legend_handles_labels()[0] + cases.get_legend_handles_labels()[0]
    heap.legend(lines, [str(line.get_label()) for line in lines], loc="lower right")
    heap.grid(alpha=0.3)

    for s, minute in zip(samples, t, strict=True):
        lat.scatter([minute] * len(s["push_ms"]), s["push_ms"], s=8, color="tab:orange")
    lat.axhline(LIMIT_MS, color="tab:red", linestyle=":", label=f"{LIMIT_MS} ms")
    lat.set_ylabel("push latency (ms)\nPOST -> marker")
    lat.set_xlabel("minutes")
    lat.set_ylim(bottom=0)
    lat.legend(loc="upper right")
    lat.grid(alpha=0.3)
    lat.set_title(
        f"p50 {summary['push_ms_p50']} ms, p99 {summary['push_ms_p99']} ms; load average "
        f"{summary['load_first_last'][0]} -> {summary['load_first_last'][1]} on 2 shared cores (CI running)",
        fontsize=9,
        loc="left",
    )
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main() -> None:
    src = Path(sys.argv[1])
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else src.with_suffix(".png")
    plot(json.loads(src.read_text(encoding="utf-8")), out)
    print(out)


if __name__ == "__main__":
    main()
