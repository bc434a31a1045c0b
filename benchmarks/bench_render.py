"""Render speed: svgkit (parse + render) against cairosvg and resvg on model-style SVG.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_render.py [--n 200] [--size 512] [--repeat 3] \
        [--workers 2] [--no-batch] [--engines cairosvg_memory,...] \
        [--out benchmarks/results/render.json]

``--engines`` times svgkit against a subset of the other engines only (a quicker check).

Every engine renders the same documents in the same run, one after the other, at ``size × size``
(documents are square-ish; the output size is the request, as in the conformance contract):

* ``svgkit``: ``svgkit.render(text, size, size)`` — parse + draw + straight RGBA, in memory;
* ``svgkit_parse``: ``svgkit.parse(text)`` alone, to split the cost;
* ``cairosvg_memory``: cairosvg's own parser and drawing into an in-memory cairo surface
  (``PNGSurface(Tree(bytestring=…), None, 96, output_width=…, output_height=…)``, no PNG);
* ``cairosvg_png``: ``cairosvg.svg2png(bytestring=…, output_width=…, output_height=…)``;
* ``resvg``: ``resvg_py.svg_to_bytes`` (PNG bytes) when the ``resvg-py`` package is installed.

Times are per document, best of ``--repeat`` passes over the corpus (minimum removes the noise of
a shared machine). Two schedules, both reported:

* back to back (``wall_back_to_back``, ``ratios_back_to_back``): each engine renders the whole
  corpus in one block, as a batch job would (warm caches); the block order rotates per pass;
* interleaved (``wall``, ``cpu``, ``ratios_wall``, ``ratios_cpu``): every engine renders
  document k before any renders k + 1, in a rotating order, so load from other processes hits
  all engines alike; each engine then starts with caches another engine has cooled. CPU time
  (``time.thread_time``) is insensitive to being descheduled.

Ratios are svgkit's total time over the other engine's on the documents both rendered: below 1
means svgkit is faster; ``median_doc_ratios`` has, for each schedule, the median over documents
of each document's own ratio. The batch section measures :func:`svgkit.render_many` throughput with
one worker and with ``--workers`` workers of one warm pool (alternating runs, best of
``--repeat``). Caches that persist in a process (fonts, shaped text, glyph outlines) persist
across passes, as they do in real use.

The corpus is ``benchmarks/corpus.py``'s ``generate(n, seed)`` when that module exists, else the
small generator below (shapes, paths with arcs, gradients, group opacity, clips, text, ``<use>``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

import svgkit  # noqa: E402

# ---------------------------------------------------------------------------------------------
# corpus
# ---------------------------------------------------------------------------------------------

_NS = "http://www.w3.org/2000/svg"
_COLORS = [
    "#e63946",
    "#f1faee",
    "#a8dadc",
    "#457b9d",
    "#1d3557",
    "#ffb703",
    "#fb8500",
    "#2a9d8f",
    "#264653",
    "#e9c46a",
    "tomato",
    "steelblue",
    "gold",
    "seagreen",
    "#333",
]


def _local_generate(n: int, seed: int) -> list[str]:
    """Model-style scenes: a background, 10-40 shapes in groups, gradients, a clip, labels."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        w = rng.choice([256, 400, 512, 800])
        out = [f'<svg xmlns="{_NS}" viewBox="0 0 {w} {w}" width="{w}" height="{w}">']
        out.append("<defs>")
        out.append(
            f'<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" '
            f'stop-color="{rng.choice(_COLORS)}"/><stop offset="1" '
            f'stop-color="{rng.choice(_COLORS)}"/></linearGradient>'
        )
        out.append(
            '<radialGradient id="glow" cx="50%" cy="40%" r="60%"><stop offset="0" '
            'stop-color="#fff" stop-opacity="0.9"/><stop offset="1" '
            f'stop-color="{rng.choice(_COLORS)}"/></radialGradient>'
        )
        out.append(
            f'<clipPath id="frame"><rect x="{w * 0.05:.1f}" y="{w * 0.05:.1f}" '
            f'width="{w * 0.9:.1f}" height="{w * 0.9:.1f}" rx="{w * 0.05:.1f}"/></clipPath>'
        )
        out.append('<path id="leaf" d="M0 0 C 10 -20 30 -20 40 0 C 30 20 10 20 0 0 Z"/>')
        out.append("</defs>")
        out.append(f'<rect width="{w}" height="{w}" fill="url(#sky)"/>')
        out.append('<g clip-path="url(#frame)">')
        for _g in range(rng.randint(2, 5)):
            tx, ty = rng.uniform(0, w * 0.6), rng.uniform(0, w * 0.6)
            rot = rng.choice([0, 0, 15, -30, 45])
            op = rng.choice(["", "", ' opacity="0.8"'])
            out.append(f'<g transform="translate({tx:.1f} {ty:.1f}) rotate({rot})"{op}>')
            for _s in range(rng.randint(3, 9)):
                kind = rng.random()
                fill = rng.choice([*_COLORS, "url(#glow)"])
                stroke = rng.choice(["none", "none", "#222", rng.choice(_COLORS)])
                sw = rng.choice([1, 2, 3, 4])
                x, y = rng.uniform(0, w * 0.3), rng.uniform(0, w * 0.3)
                s = rng.uniform(10, w * 0.2)
                paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"'
                if kind < 0.25:
                    out.append(
                        f'<rect x="{x:.1f}" y="{y:.1f}" width="{s:.1f}" height="{s * 0.6:.1f}" '
                        f'rx="{s * 0.1:.1f}" {paint}/>'
                    )
                elif kind < 0.45:
                    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s / 2:.1f}" {paint}/>')
                elif kind < 0.55:
                    out.append(
                        f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{s / 2:.1f}" '
                        f'ry="{s / 3:.1f}" {paint}/>'
                    )
                elif kind < 0.8:
                    pts = f"M {x:.1f} {y:.1f} " + " ".join(
                        _seg(rng, x, y, s) for _ in range(rng.randint(2, 6))
                    )
                    out.append(f'<path d="{pts} Z" {paint} stroke-linejoin="round"/>')
                elif kind < 0.9:
                    pts = " ".join(
                        f"{x + rng.uniform(0, s):.1f},{y + rng.uniform(0, s):.1f}" for _ in range(5)
                    )
                    out.append(
                        f'<polyline points="{pts}" fill="none" stroke="{rng.choice(_COLORS)}" '
                        f'stroke-width="{sw}" stroke-linecap="round" stroke-dasharray="6 3"/>'
                    )
                else:
                    out.append(
                        f'<use href="#leaf" x="{x:.1f}" y="{y:.1f}" fill="{rng.choice(_COLORS)}"/>'
                    )
            out.append("</g>")
        out.append("</g>")
        for _t in range(rng.randint(0, 2)):
            out.append(
                f'<text x="{w / 2:.0f}" y="{rng.uniform(w * 0.1, w * 0.95):.1f}" '
                f'font-family="sans-serif" font-size="{rng.choice([14, 18, 24, 32])}" '
                f'text-anchor="middle" fill="{rng.choice(_COLORS)}">'
                f"{rng.choice(['Hello', 'Sunset', 'Score: 42', 'Launch'])}</text>"
            )
        out.append("</svg>")
        docs.append("\n".join(out))
    return docs


def _seg(rng: random.Random, x: float, y: float, s: float) -> str:
    """One path segment: a line, quadratic, cubic or elliptical arc to a point near (x, y)."""

    def p() -> str:
        return f"{x + rng.uniform(0, s):.1f} {y + rng.uniform(0, s):.1f}"

    kind = rng.choice("LQCA")
    if kind == "L":
        return f"L {p()}"
    if kind == "Q":
        return f"Q {p()} {p()}"
    if kind == "C":
        return f"C {p()} {p()} {p()}"
    r = rng.uniform(s / 4, s)
    flags = f"{rng.choice([0, 30])} {rng.randint(0, 1)} {rng.randint(0, 1)}"
    return f"A {r:.1f} {r * 0.7:.1f} {flags} {p()}"


def corpus(n: int, seed: int) -> tuple[list[str], str]:
    try:
        import corpus as shared  # benchmarks/corpus.py, when present

        return list(shared.generate(n, seed)), "benchmarks/corpus.py"
    except ImportError:
        return _local_generate(n, seed), "bench_render.py local generator"


# ---------------------------------------------------------------------------------------------
# engines
# ---------------------------------------------------------------------------------------------


def _engines(size: int) -> dict[str, Callable[[str], object]]:
    engines: dict[str, Callable[[str], object]] = {
        "svgkit": lambda t: svgkit.render(t, size, size),
        "svgkit_parse": lambda t: svgkit.parse(t),
    }
    try:
        import cairosvg
        from cairosvg.parser import Tree
        from cairosvg.surface import PNGSurface

        def cairosvg_memory(t: str) -> object:
            surface = PNGSurface(
                Tree(bytestring=t.encode()), None, 96, output_width=size, output_height=size
            )
            surface.cairo.flush()
            return surface

        engines["cairosvg_memory"] = cairosvg_memory
        engines["cairosvg_png"] = lambda t: cairosvg.svg2png(
            bytestring=t.encode(), output_width=size, output_height=size
        )
    except ImportError:
        pass
    try:
        import resvg_py

        engines["resvg"] = lambda t: resvg_py.svg_to_bytes(svg_string=t, width=size, height=size)
    except ImportError:
        pass
    return engines


def _time_engines(
    engines: dict[str, Callable[[str], object]], docs: list[str], repeat: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, int]]:
    """Best-of-``repeat`` wall and CPU time (s) per engine and document, and failure counts.

    Engines are interleaved document by document (every engine renders document k before any
    renders k + 1, in a rotating order), so a burst of load from other processes hits all
    engines alike; CPU time
    (``time.thread_time``) is insensitive to being descheduled on a shared machine."""
    wall = {name: [math.inf] * len(docs) for name in engines}
    cpu = {name: [math.inf] * len(docs) for name in engines}
    failures = dict.fromkeys(engines, 0)
    names = list(engines)
    for r in range(repeat):
        for k, d in enumerate(docs):
            # rotate the order: each engine follows each other engine equally often (whoever
            # runs right after a heavy engine finds the CPU caches cold)
            shift = (k + r) % len(names)
            for name in names[shift:] + names[:shift]:
                fn = engines[name]
                c0, t0 = time.thread_time(), time.perf_counter()
                try:
                    fn(d)
                except Exception:
                    if r == 0:
                        failures[name] += 1
                    wall[name][k] = cpu[name][k] = math.nan
                    continue
                dt, dc = time.perf_counter() - t0, time.thread_time() - c0
                wall[name][k] = min(wall[name][k], dt)
                cpu[name][k] = min(cpu[name][k], dc)
    return wall, cpu, failures


def _time_blocked(
    engines: dict[str, Callable[[str], object]], docs: list[str], repeat: int
) -> dict[str, list[float]]:
    """Best-of-``repeat`` wall time per engine and document, each engine rendering the whole
    corpus back to back (warm caches, as in a batch job); the engine order rotates per pass."""
    names = list(engines)
    wall = {name: [math.inf] * len(docs) for name in engines}
    for r in range(repeat):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            fn = engines[name]
            for k, d in enumerate(docs):
                t0 = time.perf_counter()
                try:
                    fn(d)
                except Exception:
                    wall[name][k] = math.nan
                    continue
                wall[name][k] = min(wall[name][k], time.perf_counter() - t0)
    return wall


def _summary(times: list[float]) -> dict[str, float]:
    ok = [t for t in times if math.isfinite(t)]
    if not ok:
        return {"n": 0}
    return {
        "n": len(ok),
        "mean_ms": 1e3 * statistics.fmean(ok),
        "median_ms": 1e3 * statistics.median(ok),
        "p90_ms": 1e3 * sorted(ok)[int(0.9 * (len(ok) - 1))],
    }


def _batch(docs: list[str], size: int, workers: int, repeat: int) -> dict[str, float]:
    """Throughput of ``render_many`` with 1 and with ``workers`` workers of one warm pool
    (alternating runs, best of ``repeat`` each)."""
    from svgkit.renderer.pool import RenderPool

    out: dict[str, float] = {}
    counts = sorted({1, workers})
    best = dict.fromkeys(counts, math.inf)
    failed = dict.fromkeys(counts, 0)
    with RenderPool(workers=workers) as pool:
        pool.render_many(docs[: 4 * workers], size, size)  # start + warm every worker
        for _ in range(repeat):
            for k in counts:
                t0 = time.perf_counter()
                res = pool.render_many(docs, size, size, max_workers=k)
                best[k] = min(best[k], time.perf_counter() - t0)
                failed[k] = sum(1 for r in res if not hasattr(r, "shape"))
        # the same with one reused output buffer (no fresh memory to fault in per picture)
        buffer = np.empty((len(docs), size, size, 4), dtype=np.uint8)
        best_out = dict.fromkeys(counts, math.inf)
        for _ in range(repeat):
            for k in counts:
                t0 = time.perf_counter()
                pool.render_many(docs, size, size, max_workers=k, out=buffer)
                best_out[k] = min(best_out[k], time.perf_counter() - t0)
    for k in counts:
        out[f"docs_per_s_{k}_workers"] = len(docs) / best[k]
        out[f"failed_{k}_workers"] = failed[k]
        out[f"docs_per_s_{k}_workers_out_buffer"] = len(docs) / best_out[k]
    if workers > 1:
        out["speedup"] = out[f"docs_per_s_{workers}_workers"] / out["docs_per_s_1_workers"]
        out["speedup_out_buffer"] = (
            out[f"docs_per_s_{workers}_workers_out_buffer"] / out["docs_per_s_1_workers_out_buffer"]
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-batch", action="store_true", help="skip the render_many section")
    ap.add_argument(
        "--engines",
        default="",
        help="comma-separated subset of engines to time (default: all available)",
    )
    ap.add_argument(
        "--batch-only",
        action="store_true",
        help="only the render_many section (printed, not saved)",
    )
    ap.add_argument("--out", default=str(HERE / "results" / "render.json"))
    args = ap.parse_args(argv)

    docs, source = corpus(args.n, args.seed)
    if args.batch_only:
        # refresh only the batch section of an existing results file (e.g. when the machine
        # is quiet: the 2-worker speed-up needs two otherwise idle cores)
        batch = _batch(docs, args.size, args.workers, args.repeat)
        batch["load_avg_before"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
        print(json.dumps(batch, indent=2))
        if os.path.exists(args.out):
            with open(args.out) as fh:
                saved = json.load(fh)
            saved["batch"] = batch
            with open(args.out, "w") as fh:
                json.dump(saved, fh, indent=2)
        return 0
    engines = _engines(args.size)
    if args.engines:
        wanted = {"svgkit", *args.engines.split(",")}
        engines = {name: fn for name, fn in engines.items() if name in wanted}
    for fn in engines.values():  # warm-up: imports, JIT, font caches
        for d in docs[:5]:
            try:
                fn(d)
            except Exception:
                pass
    result: dict[str, object] = {
        "command": "python benchmarks/bench_render.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "corpus": source,
        "n_docs": len(docs),
        "size": args.size,
        "repeat": args.repeat,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_avg_before": os.getloadavg() if hasattr(os, "getloadavg") else None,
        },
    }
    wall, cpu, failures = _time_engines(engines, docs, args.repeat)
    result["wall"] = {name: {**_summary(t), "failures": failures[name]} for name, t in wall.items()}
    result["cpu"] = {name: _summary(t) for name, t in cpu.items()}
    blocked = _time_blocked(engines, docs, args.repeat)
    result["wall_back_to_back"] = {name: _summary(t) for name, t in blocked.items()}
    # ratios of total time over the documents both engines rendered (below 1: svgkit faster)
    per_doc: dict[str, dict[str, float]] = {
        "ratios_back_to_back": {},
        "ratios_wall": {},
        "ratios_cpu": {},
    }
    for label, times in (
        ("ratios_back_to_back", blocked),
        ("ratios_wall", wall),
        ("ratios_cpu", cpu),
    ):
        ratios: dict[str, float] = {}
        for other in ("cairosvg_memory", "cairosvg_png", "resvg"):
            if other not in times:
                continue
            pairs = [
                (a, b)
                for a, b in zip(times["svgkit"], times[other])
                if math.isfinite(a) and math.isfinite(b)
            ]
            if pairs:
                ratios[f"svgkit/{other}"] = sum(a for a, _ in pairs) / sum(b for _, b in pairs)
                # the measure: the median over documents of each document's own ratio
                per_doc[label][f"svgkit/{other}"] = statistics.median(a / b for a, b in pairs)
        result[label] = ratios
    result["median_doc_ratios"] = per_doc
    if not args.no_batch:
        result["batch"] = _batch(docs, args.size, args.workers, args.repeat)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=2)
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
