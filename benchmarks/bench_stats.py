"""Geometry statistics speed: cold start (numba cache empty / on disk), warm cost, the ratio to
rendering, and scaling.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_stats.py [--n 100] [--repeat 5] [--seed 0] \
        [--sizes 10,100,1000,10000] [--cold-repeat 3] [--source DIR] \
        [--out benchmarks/results/stats.json]

Measurements:

* **cold**: fresh interpreters import svgkit, parse one corpus document and call
  :func:`svgkit.stats` then :func:`svgkit.objects` once each; the two first calls are timed.
  Each round uses a new, empty ``NUMBA_CACHE_DIR`` and runs (a) the default first use (the
  kernels compile in parallel processes, ``SVGKIT_COMPILE_JOBS`` unset), (b) the same process
  again with the cache that run filled ("numba cache on disk", what every later process pays),
  (c) with ``SVGKIT_COMPILE_JOBS=1`` (numba's lazy compilation in the one process; a new empty
  cache) and (d) ``python -m svgkit.geometry --compile`` into a new empty cache, the set-up
  step, timed as a whole. Rounds: ``--cold-repeat``; the best and the median are reported, with
  the load average before each run (other work on the machine slows cold starts). CPU seconds
  are the child's and its helpers' (``RUSAGE_CHILDREN``). ``--source DIR`` measures the svgkit
  package found in ``DIR`` instead of this checkout (for before/after comparisons; the warm and
  scaling parts always use this checkout); ``--cold-only`` skips them.
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
import resource
import shutil
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
scene = svgkit.parse(sys.stdin.read())
t1 = time.perf_counter()
svgkit.stats(scene)
t2 = time.perf_counter()
svgkit.objects(scene)
t3 = time.perf_counter()
print(f"{(t1 - t0) * 1e3:.3f} {(t2 - t1) * 1e3:.3f} {(t3 - t2) * 1e3:.3f} {svgkit.__file__}")
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


def _child(args: list[str], env_extra: dict[str, str], source: Path | None,
           stdin: str = "", check: bool = True) -> tuple[str | None, float, float, float]:
    """Run ``python args`` with ``env_extra``; returns (stdout, wall s, CPU s, 1-min load); the
    stdout is ``None`` when the command failed and ``check`` is false."""
    env = {k: v for k, v in os.environ.items() if k != "SVGKIT_COMPILE_JOBS"}
    env.update(env_extra)
    cwd = None
    if source is not None:
        env["PYTHONPATH"] = str(source)
        cwd = tempfile.gettempdir()  # not this checkout: `import svgkit` finds the source's
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], input=stdin, env=env, cwd=cwd,
                          capture_output=True, text=True, check=check)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (proc.stdout if proc.returncode == 0 else None), wall, cpu, load


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _first_calls(text: str, env_extra: dict[str, str], source: Path | None) -> dict[str, Any]:
    out, _, cpu, load = _child(["-c", _COLD_SNIPPET], env_extra, source, text)
    assert out is not None
    parse_ms, stats_ms, objects_ms, module = out.split()
    return {"import_and_parse_ms": float(parse_ms), "first_stats_ms": float(stats_ms),
            "first_objects_ms": float(objects_ms),
            "stats_plus_objects_ms": float(stats_ms) + float(objects_ms),
            "process_cpu_s": cpu, "load_before": load, "module": module}


def _summarise(runs: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    if not runs:
        return None
    values = [r[key] for r in runs]
    return {"runs": runs, "best": min(values), "median": statistics.median(values)}


def cold(text: str, repeat: int, source: Path | None = None) -> dict[str, Any]:
    """First-call cost in fresh interpreters: empty cache (parallel and one-process
    compilation), cache on disk, and the warm-up step."""
    runs: dict[str, list[dict[str, Any]]] = {"empty_cache": [], "cached": [],
                                             "empty_cache_one_process": [], "warmup_step": []}
    for _ in range(repeat):
        for label in ("empty_cache", "empty_cache_one_process", "warmup_step"):
            cache = tempfile.mkdtemp(prefix="svgkit-bench-numba-")
            try:
                env = {"NUMBA_CACHE_DIR": cache}
                if label == "empty_cache":
                    runs[label].append(_first_calls(text, env, source))
                    runs["cached"].append(_first_calls(text, env, source))  # the filled cache
                elif label == "empty_cache_one_process":
                    runs[label].append(_first_calls(text, {**env, "SVGKIT_COMPILE_JOBS": "1"},
                                                        source))
                else:
                    done, wall, cpu, load = _child(
                        ["-m", "svgkit.geometry", "--compile", "--quiet"], env, source,
                        check=False)
                    if done is None:  # a source without the warm-up step
                        continue
                    after = _first_calls(text, env, source)
                    runs[label].append({"seconds": wall, "process_cpu_s": cpu,
                                        "load_before": load,
                                        "then_stats_plus_objects_ms":
                                            after["stats_plus_objects_ms"]})
            finally:
                shutil.rmtree(cache, ignore_errors=True)
    return {
        "empty_cache": _summarise(runs["empty_cache"], "stats_plus_objects_ms"),
        "cached": _summarise(runs["cached"], "stats_plus_objects_ms"),
        "empty_cache_one_process": _summarise(runs["empty_cache_one_process"],
                                              "stats_plus_objects_ms"),
        "warmup_step": _summarise(runs["warmup_step"], "seconds"),
        "cpus": _cpus(),
        "source": str(source) if source is not None else "this checkout",
    }


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


def run(n: int, repeat: int, seed: int, sizes: list[int], cold_repeat: int = 3,
        source: Path | None = None, cold_only: bool = False) -> dict[str, Any]:
    texts = corpus.generate(n, seed)
    return {
        "benchmark": "stats",
        "corpus": {"generator": "benchmarks/corpus.py", "n": n, "seed": seed},
        "repeat": repeat,
        "resolution": 256,
        "cold": cold(texts[0], cold_repeat, source),
        "warm": None if cold_only else warm(texts, repeat),
        "scaling": [] if cold_only else scaling(sizes, repeat, seed),
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
    c = result["cold"]

    def row(label: str, entry: dict[str, Any] | None, unit: float = 1.0, fmt: str = ".0f") -> str:
        if entry is None:
            return f"| {label} | n/a | n/a | | |"
        cpu = statistics.median(r["process_cpu_s"] for r in entry["runs"])
        load = statistics.median(r["load_before"] for r in entry["runs"])
        return (f"| {label} | {entry['best'] * unit:{fmt}} | {entry['median'] * unit:{fmt}} | "
                f"{cpu:.1f} | {load:.1f} |")

    rows = [
        f"cold start ({len(c['empty_cache']['runs'])} rounds, {c['cpus']} CPUs, "
        f"source: {c['source']})",
        "",
        "| first `stats` + `objects` in a fresh process | best ms | median ms | CPU s "
        "| load before |",
        "|---|---:|---:|---:|---:|",
        row("numba cache empty (default: compiled in parallel)", c["empty_cache"]),
        row("numba cache empty, `SVGKIT_COMPILE_JOBS=1` (one process, lazily)",
            c["empty_cache_one_process"]),
        row("numba cache on disk", c["cached"], fmt=".0f"),
        row("`python -m svgkit.geometry --compile` (the set-up step), whole command",
            c["warmup_step"], unit=1e3),
    ]
    w = result["warm"]
    if w is None:
        return "\n".join(rows)
    rows += [
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
    parser.add_argument("--cold-repeat", type=int, default=3,
                        help="rounds of cold-start measurements (default 3)")
    parser.add_argument("--source", type=Path, default=None,
                        help="directory holding the svgkit package whose cold start to measure "
                        "(default: this checkout)")
    parser.add_argument("--cold-only", action="store_true",
                        help="measure the cold start only (no warm or scaling runs)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "stats.json",
                        help="JSON result path")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.n < 1 or args.repeat < 1 or not sizes or min(sizes) < 1 or args.cold_repeat < 1:
        parser.error("--n, --repeat, --cold-repeat and --sizes must be positive")
    if args.source is not None and not (args.source / "svgkit" / "__init__.py").is_file():
        parser.error(f"--source {args.source}: no svgkit package there")
    result = run(args.n, args.repeat, args.seed, sizes, args.cold_repeat,
                 args.source.resolve() if args.source is not None else None, args.cold_only)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
