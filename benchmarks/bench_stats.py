"""Geometry statistics speed: cold (JIT) and warm cost, the ratio to rendering, and scaling.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_stats.py [--n 100] [--repeat 5] [--seed 0] \
        [--sizes 10,100,1000,10000] [--out benchmarks/results/stats.json]

Three measurements:

* **cold**: a fresh interpreter imports svgkit, parses one document and calls
  :func:`svgkit.stats` once; the first call's time is reported (a) with the numba cache on disk
  (what a user pays on every new process after the first) and (b) with an empty cache in a
  temporary ``NUMBA_CACHE_DIR`` (the one-off JIT compile);
* **warm** on ``--n`` model-style documents (``benchmarks/corpus.py``): for each document, a
  freshly parsed Scene is given to ``stats`` (so flattening and the analysis raster are included,
  parsing is not), then to ``svgkit.render(scene, 512, 512)``; ``objects`` and ``relations`` are
  timed on the same Scene after ``stats``. A document's time is the median of ``--repeat`` runs;
  the table reports medians and 90th percentiles over documents and the median per-document ratio
  stats / render (the target is ≤ 0.2, and ≤ 1 ms warm stats);
* **scaling**: scenes of 10, 100, 1,000 and 10,000 primitives (rects, circles, stroked polylines
  and cubic paths, a third translucent) on a 512 × 512 canvas; median ``stats`` time and time per
  primitive.

The garbage collector is paused during each timed call (as :mod:`timeit` does).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/corpus.py)

import svgkit  # noqa: E402
from svgkit.geometry import objects, relations, stats  # noqa: E402

TARGET_RATIO = 0.2
TARGET_WARM_MS = 1.0

_COLD_SNIPPET = """
import sys, time
t0 = time.perf_counter()
import svgkit
from svgkit.geometry import stats
scene = svgkit.parse(sys.stdin.read())
t1 = time.perf_counter()
stats(scene)
t2 = time.perf_counter()
print(f"{(t1 - t0) * 1e3:.3f} {(t2 - t1) * 1e3:.3f}")
"""


def _time_ms(func: Callable[[], object]) -> float:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        func()
        return (time.perf_counter_ns() - start) / 1e6
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
    return {"median_ms": statistics.median(ms), "p90_ms": _percentile(ms, 0.9)}


def cold(text: str) -> dict[str, Any]:
    """First-call cost in fresh interpreters, with the on-disk cache and with an empty one."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as empty:
        for label, env_extra in (("empty_cache", {"NUMBA_CACHE_DIR": empty}),
                                 ("cached", {"NUMBA_CACHE_DIR": empty})):
            # the first run fills the temporary cache, the second one loads it
            env = {**os.environ, **env_extra}
            proc = subprocess.run([sys.executable, "-c", _COLD_SNIPPET], input=text, env=env,
                                  capture_output=True, text=True, check=True)
            parse_ms, first_ms = (float(v) for v in proc.stdout.split())
            out[label] = {"import_and_parse_ms": parse_ms, "first_stats_ms": first_ms}
    return out


def warm(texts: list[str], repeat: int) -> dict[str, Any]:
    for text in texts[:10]:  # warm-up: numba caches, colour-name cache, renderer
        scene = svgkit.parse(text)
        stats(scene)
        relations(objects(scene))
        svgkit.render(scene, 512, 512)
    times: dict[str, list[float]] = {"stats": [], "render": [], "objects": [], "relations": []}
    for text in texts:
        per: dict[str, list[float]] = {k: [] for k in times}
        for _ in range(repeat):
            scene = svgkit.parse(text)
            objs: list[Any] = []
            per["stats"].append(_time_ms(lambda s=scene: stats(s)))
            per["objects"].append(_time_ms(lambda s=scene, o=objs: o.extend(objects(s))))
            per["relations"].append(_time_ms(lambda o=objs: relations(o)))
            per["render"].append(_time_ms(lambda s=scene: svgkit.render(s, 512, 512)))
        for k in times:
            times[k].append(statistics.median(per[k]))
    ratios = [s / r for s, r in zip(times["stats"], times["render"])]
    return {
        **{k: _summary(v) for k, v in times.items()},
        "median_ratio_stats_to_render": statistics.median(ratios),
        "p90_ratio_stats_to_render": _percentile(ratios, 0.9),
    }


def scaling_scene(n: int, seed: int) -> str:
    rng = random.Random(seed * 7919 + n)
    parts = []
    for k in range(n):
        x, y = rng.uniform(0, 512), rng.uniform(0, 512)
        s = rng.uniform(4, 60) * (100 / max(n, 100)) ** 0.5
        color = f"#{rng.randrange(1 << 24):06x}"
        alpha = ' fill-opacity="0.5"' if k % 3 == 0 else ""
        kind = k % 4
        if kind == 0:
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{s:.1f}" height="{s * 0.7:.1f}" '
                         f'fill="{color}"{alpha}/>')
        elif kind == 1:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s / 2:.1f}" '
                         f'fill="{color}"{alpha}/>')
        elif kind == 2:
            pts = " ".join(f"{x + rng.uniform(-s, s):.1f},{y + rng.uniform(-s, s):.1f}"
                           for _ in range(5))
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" '
                         f'stroke-width="{max(1.0, s / 10):.1f}"/>')
        else:
            parts.append(f'<path d="M{x:.1f} {y:.1f} c {s:.1f} {-s:.1f} {2 * s:.1f} {s:.1f} '
                         f'{3 * s:.1f} 0 s {-s:.1f} {s:.1f} {-3 * s:.1f} {s / 2:.1f} z" '
                         f'fill="{color}"{alpha}/>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">'
            + "".join(parts) + "</svg>")


def scaling(sizes: list[int], repeat: int, seed: int) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        text = scaling_scene(n, seed)
        stats(svgkit.parse(text))  # warm-up
        ms = []
        for _ in range(repeat):
            scene = svgkit.parse(text)
            ms.append(_time_ms(lambda s=scene: stats(s)))
        med = statistics.median(ms)
        rows.append({"primitives": n, "median_ms": med, "us_per_primitive": med * 1e3 / n})
    return rows


def run(n: int, repeat: int, seed: int, sizes: list[int]) -> dict[str, Any]:
    texts = corpus.generate(n, seed)
    return {
        "benchmark": "stats",
        "corpus": {"generator": "benchmarks/corpus.py", "n": n, "seed": seed},
        "repeat": repeat,
        "resolution": 256,
        "cold": cold(texts[0]),
        "warm": warm(texts, repeat),
        "scaling": scaling(sizes, repeat, seed),
        "target_ratio": TARGET_RATIO,
        "target_warm_ms": TARGET_WARM_MS,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "svgkit": svgkit.__version__,
            "date": time.strftime("%Y-%m-%d"),
        },
    }


def markdown(result: dict[str, Any]) -> str:
    c, w = result["cold"], result["warm"]
    rows = [
        "| cold (fresh process, first call) | ms |",
        "|---|---:|",
        f"| `stats`, numba cache on disk | {c['cached']['first_stats_ms']:.1f} |",
        f"| `stats`, empty cache (JIT compile) | {c['empty_cache']['first_stats_ms']:.0f} |",
        "",
        "| warm, per document | median ms | p90 ms |",
        "|---|---:|---:|",
    ]
    for key, label in (("stats", "`stats(scene)` (flatten + analysis included)"),
                       ("objects", "`objects(scene)` after `stats`"),
                       ("relations", "`relations(objects)`"),
                       ("render", "`render(scene, 512, 512)`")):
        rows.append(f"| {label} | {w[key]['median_ms']:.3f} | {w[key]['p90_ms']:.3f} |")
    rows += [
        "",
        f"stats / render: median {w['median_ratio_stats_to_render']:.2f}, p90 "
        f"{w['p90_ratio_stats_to_render']:.2f} (target ≤ {result['target_ratio']:g}; warm "
        f"target ≤ {result['target_warm_ms']:g} ms). {result['corpus']['n']} corpus documents, "
        f"median of {result['repeat']} runs each.",
        "",
        "| primitives | median ms | µs / primitive |",
        "|---:|---:|---:|",
    ]
    rows += [f"| {r['primitives']:,} | {r['median_ms']:.2f} | {r['us_per_primitive']:.1f} |"
             for r in result["scaling"]]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="corpus documents (default 100)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per document (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--sizes", default="10,100,1000,10000",
                        help="primitive counts of the scaling scenes (default 10,100,1000,10000)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "stats.json",
                        help="JSON result path")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.n < 1 or args.repeat < 1 or not sizes or min(sizes) < 1:
        parser.error("--n, --repeat and --sizes must be positive")
    result = run(args.n, args.repeat, args.seed, sizes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
