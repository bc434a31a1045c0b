"""Render work: the counts that decide ``LIMIT max_render_work``, against the time cairo takes.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_render_work.py [--quick] \
        [--out benchmarks/results/render_work.json]

Two measurements:

* **calibration**: documents that stress cairo's scan converter in each way the count models
  (self-crossing strokes and fills, crossing cubics, many ordered edges, overdraw) are counted
  with :func:`svgkit.renderer.work.estimate_render_work` and then drawn with the bound lifted;
  the table gives units, the three counts, the time to count and to draw, and nanoseconds per
  unit (the bound's meaning in seconds);
* **margin**: the largest and median units, at 224² and 512², over the model-style corpus
  (``benchmarks/corpus.py``) and the SVGs of the shared conformance kit
  (``../shared/conformance``), and how many times the default bound exceeds the largest.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/corpus.py)

import svgkit  # noqa: E402
from svgkit.renderer.draw import output_matrix  # noqa: E402
from svgkit.renderer.work import estimate_render_work  # noqa: E402

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
CONFORMANCE = HERE.parent.parent / "shared" / "conformance"


def _polygon(n: int, stroke: bool) -> str:
    xy = np.random.default_rng(0).uniform(0, 100, (n, 2))
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    paint = 'fill="none" stroke="black" stroke-width="2"' if stroke else 'fill="black"'
    return HEAD + f'<polygon points="{pts}" {paint}/></svg>'


def _cubics(n: int) -> str:
    d = "M0 0" + "".join(f" C{i % 10} {i % 7} {i % 5} {i % 11} {i % 9} {i % 7}" for i in range(n))
    return HEAD + f'<path d="{d}" fill="red"/></svg>'


def _subpaths(n: int) -> str:
    d = "".join(f"M{i * 100 / n:.4f} 0V100" for i in range(n))
    return HEAD + f'<path stroke="black" stroke-width="0.01" d="{d}"/></svg>'


def _rects(n: int) -> str:
    body = "".join(
        f'<rect width="100" height="100" fill="#{i % 256:02x}0000" opacity="0.5"/>'
        for i in range(n)
    )
    return HEAD + body + "</svg>"


def _circles(n: int) -> str:
    body = "".join(
        f'<circle cx="50" cy="50" r="{40 + i % 10}" fill="none" stroke="blue" stroke-width="30"/>'
        for i in range(n)
    )
    return HEAD + body + "</svg>"


def cases(quick: bool) -> list[tuple[str, str, int]]:
    out = [
        ("random polygon, 4,000 points, stroked", _polygon(4_000, True), 256),
        ("random polygon, 4,000 points, filled", _polygon(4_000, False), 256),
        ("random polygon, 16,000 points, stroked", _polygon(16_000, True), 256),
        ("random polygon, 16,000 points, filled", _polygon(16_000, False), 256),
        ("10,000 cubics crossing in a 25-px square, filled", _cubics(10_000), 256),
        ("one path of 8,000 full-height subpaths, stroked", _subpaths(8_000), 512),
        ("5,000 full-canvas rects, opacity 0.5", _rects(5_000), 512),
        ("500 circles, stroke-width 30", _circles(500), 1024),
    ]
    if not quick:
        out += [
            ("random polygon, 32,000 points, stroked", _polygon(32_000, True), 256),
            ("40,000 cubics crossing in a 25-px square, filled", _cubics(40_000), 256),
        ]
    return out


def calibrate(quick: bool) -> list[dict[str, Any]]:
    unbounded = svgkit.Limits(max_render_work=10**15)
    svgkit.render(HEAD + '<rect width="5" height="5"/></svg>', 8, 8)  # imports, cairo warm-up
    rows = []
    for name, doc, size in cases(quick):
        scene = svgkit.parse(doc)
        t_out = output_matrix(scene.canvas, size, size)
        t0 = time.perf_counter()
        work = estimate_render_work(scene, size, size, t_out)
        count_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        svgkit.render(scene, size, size, limits=unbounded)
        draw_s = time.perf_counter() - t0
        rows.append(
            {
                "document": name,
                "size": size,
                "units": work.units,
                "edge_rows": work.edge_rows,
                "crossings": work.crossings,
                "pixels": work.pixels,
                "refused": work.units > svgkit.Limits().max_render_work,
                "count_ms": count_s * 1e3,
                "render_s": draw_s,
                "ns_per_unit": draw_s / max(work.units, 1) * 1e9,
            }
        )
    return rows


def margin(quick: bool) -> dict[str, Any]:
    docs = corpus.generate(50 if quick else 200)
    files = sorted(CONFORMANCE.glob("**/*.svg")) if CONFORMANCE.is_dir() else []
    if quick:
        files = files[:100]
    docs += [f.read_text(encoding="utf-8", errors="replace") for f in files]
    units: dict[int, list[int]] = {224: [], 512: []}
    count_ms: list[float] = []
    for doc in docs:
        try:
            scene = svgkit.parse(doc)
        except svgkit.SVGKitError:
            continue
        for size in units:
            t_out = output_matrix(scene.canvas, size, size)
            t0 = time.perf_counter()
            units[size].append(estimate_render_work(scene, size, size, t_out).units)
            count_ms.append((time.perf_counter() - t0) * 1e3)
    bound = svgkit.Limits().max_render_work
    return {
        "documents": len(docs),
        "conformance_files": len(files),
        **{
            f"{size}": {
                "median_units": statistics.median(v),
                "max_units": max(v),
                "bound_over_max": bound / max(v),
            }
            for size, v in units.items()
        },
        "median_count_ms": statistics.median(count_ms),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller documents and corpus")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "render_work.json")
    args = parser.parse_args(argv)
    rows = calibrate(args.quick)
    print(f"{'document':52s} {'size':>5s} {'units':>13s} {'count ms':>9s} {'render s':>9s} "
          f"{'ns/unit':>8s}")
    for r in rows:
        mark = " (refused)" if r["refused"] else ""
        print(f"{r['document']:52s} {r['size']:5d} {r['units']:13,d} {r['count_ms']:9.1f} "
              f"{r['render_s']:9.3f} {r['ns_per_unit']:8.1f}{mark}")
    m = margin(args.quick)
    for size in ("224", "512"):
        print(f"margin at {size}²: median {m[size]['median_units']:,.0f} units, "
              f"max {m[size]['max_units']:,d}, bound/max {m[size]['bound_over_max']:.0f}×")
    print(f"counting: median {m['median_count_ms']:.2f} ms per document and size")
    result = {
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "bound": svgkit.Limits().max_render_work,
        "calibration": rows,
        "margin": m,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
