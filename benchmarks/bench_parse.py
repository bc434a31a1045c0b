"""Parse speed: svgkit's extract + parse into a Scene against svgelements' bare parse.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_parse.py [--n 200] [--repeat 5] [--seed 0] \
        [--out benchmarks/results/parse.json]

Both run on the same documents (``benchmarks/corpus.py``, model-style scenes of 1–10 KB) in the
same process:

* ``svgkit``: ``svgkit.parse(svgkit.extract_svg(text))`` — find the SVG in the text, hardened XML
  parse with limits, CSS cascade, ``<use>`` expansion, exact geometry into the Scene's arrays;
* ``svgelements``: ``SVG.parse(io.BytesIO(data))`` only (no iteration over its elements), the
  cheapest thing a Python pipeline built on svgelements does before any work of its own.

Both are warmed up first (imports, caches, numba compilation). Measurements are interleaved: for
each document, both engines are timed back to back, alternating which goes first, with the
garbage collector paused during each call (as :mod:`timeit` does). A document's time is the
median of ``--repeat`` passes; the table reports the median and 90th percentile over documents,
the ratio of the medians and the median of per-document ratios. The target is
ratio ≤ 1.5 (svgkit at most 1.5× the bare parse).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/corpus.py)
import svgelements  # noqa: E402

import svgkit  # noqa: E402

TARGET_RATIO = 1.5


def _svgkit(text: str) -> object:
    return svgkit.parse(svgkit.extract_svg(text))


def _svgelements(data: bytes) -> object:
    return svgelements.SVG.parse(io.BytesIO(data))


def _time_ns(func: Callable[[Any], object], arg: Any) -> int:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        func(arg)
        return time.perf_counter_ns() - start
    finally:
        if gc_was_enabled:
            gc.enable()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _summary(ms: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(ms),
        "p90_ms": _percentile(ms, 0.9),
        "mean_ms": statistics.fmean(ms),
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


def run(n: int, repeat: int, seed: int) -> dict[str, Any]:
    """Time both engines on ``n`` corpus documents; return the JSON-serialisable result."""
    texts = corpus.generate(n, seed)
    blobs = [t.encode("utf-8") for t in texts]

    # warm-up: imports, lazy exports, numba caches, svgelements' regex compilation
    for text, data in list(zip(texts, blobs))[: min(10, n)] * 2:
        _svgkit(text)
        _svgelements(data)

    per_doc: dict[str, list[list[int]]] = {
        "svgkit": [[] for _ in texts],
        "svgelements": [[] for _ in texts],
    }
    for rep in range(repeat):
        gc.collect()
        for i, (text, data) in enumerate(zip(texts, blobs)):
            first_svgkit = (i + rep) % 2 == 0
            if first_svgkit:
                per_doc["svgkit"][i].append(_time_ns(_svgkit, text))
                per_doc["svgelements"][i].append(_time_ns(_svgelements, data))
            else:
                per_doc["svgelements"][i].append(_time_ns(_svgelements, data))
                per_doc["svgkit"][i].append(_time_ns(_svgkit, text))

    ms = {k: [statistics.median(v) / 1e6 for v in runs] for k, runs in per_doc.items()}
    ratios = [a / b for a, b in zip(ms["svgkit"], ms["svgelements"])]
    svgkit_summary, base_summary = _summary(ms["svgkit"]), _summary(ms["svgelements"])
    ratio_of_medians = svgkit_summary["median_ms"] / base_summary["median_ms"]
    sizes = [len(b) for b in blobs]
    return {
        "benchmark": "parse",
        "corpus": {
            "generator": "benchmarks/corpus.py",
            "n": n,
            "seed": seed,
            "median_bytes": statistics.median(sizes),
            "max_bytes": max(sizes),
        },
        "repeat": repeat,
        "svgkit": {"what": "svgkit.parse(svgkit.extract_svg(text))", **svgkit_summary},
        "svgelements": {"what": "svgelements.SVG.parse(io.BytesIO(data))", **base_summary},
        "ratio_of_medians": ratio_of_medians,
        "median_ratio": statistics.median(ratios),
        "p90_ratio": _percentile(ratios, 0.9),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio_of_medians <= TARGET_RATIO,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "svgkit": svgkit.__version__,
            "svgelements": getattr(svgelements, "SVGELEMENTS_VERSION", "unknown"),
            "date": time.strftime("%Y-%m-%d"),
        },
    }


def markdown(result: dict[str, Any]) -> str:
    """The result as a Markdown table."""
    rows = [
        "| engine | median ms/SVG | p90 ms/SVG | mean ms/SVG |",
        "|---|---:|---:|---:|",
    ]
    for key, label in (
        ("svgkit", "svgkit extract + parse → Scene"),
        ("svgelements", "svgelements bare `SVG.parse`"),
    ):
        r = result[key]
        rows.append(f"| {label} | {r['median_ms']:.2f} | {r['p90_ms']:.2f} | {r['mean_ms']:.2f} |")
    verdict = "meets" if result["meets_target"] else "misses"
    rows += [
        "",
        f"Ratio of medians {result['ratio_of_medians']:.2f} (median per-document ratio "
        f"{result['median_ratio']:.2f}, p90 {result['p90_ratio']:.2f}); {verdict} the target "
        f"≤ {result['target_ratio']:g}. {result['corpus']['n']} documents "
        f"(median {result['corpus']['median_bytes']:.0f} B), median of {result['repeat']} passes.",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="documents (default 200)")
    parser.add_argument("--repeat", type=int, default=5, help="passes per document (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument(
        "--out", type=Path, default=HERE / "results" / "parse.json", help="JSON result path"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")
    result = run(args.n, args.repeat, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
