"""Visibility accuracy: raster ``visible_fraction``/areas against exact shapely geometry.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_visibility.py [--scenes 150] [--seed 0] \
        [--resolution 64 128 256 512] [--out benchmarks/results/visibility.json]

Scenes are drawn like ``tests/test_stats.py::opaque_scenes`` — rects, circles and convex
polygons, 70 % opaque (the rest ``fill-opacity="0.5"``), some partly off the canvas, on a
200 × 160 canvas — but with 2–11 shapes per scene and shape areas drawn log-uniformly from
12 to 12,000 px² (device), i.e. from about 20 to 20,000 pixels of the 256 analysis grid, so small
shapes are well represented. Half of the shapes after the first are centred inside the box of
a random earlier shape (layered drawings: small shapes get partly hidden too), the rest anywhere
within 10 px of the canvas. Coordinates are arbitrary decimals (not aligned to any grid).

For every shape the exact painted area (shape ∩ canvas) and visible area (painted minus the
union of *later opaque* shapes) are computed with shapely (circles as 512-gons) and compared with
``svgkit.stats(text, resolution=r)``:

* ``visible_fraction``: absolute error ``|measured − exact|``;
* ``visible_area``: error relative to the exact painted area, and relative to the exact visible
  area, and in analysis pixels of the grid;
* ``painted_area``: error relative to the exact painted area;
* ``coverage`` per scene: absolute error against the exact union ∩ canvas / canvas area.

Shapes are binned by their exact painted area in pixels of the **256** analysis grid (the same
bins at every resolution, so a bin is a fixed share of the canvas; at resolution r one such pixel
is (256/r)² grid pixels). Cumulative tables ("every shape with area ≥ T") size a visibility floor.
Shapes whose exact painted area is below 1e-9 px² are left out (they paint nothing).
The run is deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, Polygon, box

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import svgkit  # noqa: E402

W, H = 200.0, 160.0
#: device px² of one pixel of the 256 analysis grid on this canvas (256 × 205 pixels)
GRID_256 = (256, round(256 * H / W))
PX256 = (W / GRID_256[0]) * (H / GRID_256[1])
N256 = GRID_256[0] * GRID_256[1]
#: bin edges in pixels of the 256 grid
BINS = [0, 50, 100, 250, 1000, 5000, math.inf]
#: thresholds T of the cumulative tables (every shape with area ≥ T 256-grid pixels)
FLOORS = [20, 35, 50, 75, 100, 125, 150, 200, 250, 500, 1000]
AREA_RANGE = (12.0, 12_000.0)  # device px²
OPAQUE_SHARE = 0.7
#: share of shapes (after the first) centred inside the box of a random earlier shape
LAYERED_SHARE = 0.5


def _regular(cx: float, cy: float, r: float, k: int, phase: float) -> list[tuple[float, float]]:
    return [(round(cx + r * math.cos(2 * math.pi * i / k + phase), 2),
             round(cy + r * math.sin(2 * math.pi * i / k + phase), 2)) for i in range(k)]


def make_scene(rng: random.Random) -> tuple[str, list[tuple[Any, bool]]]:
    """One scene: SVG text and [(shapely geometry, opaque)] in paint order."""
    shapes, body = [], []
    for _ in range(rng.randint(2, 11)):
        kind = rng.choice(["rect", "circle", "polygon"])
        opaque = rng.random() < OPAQUE_SHARE
        alpha = "" if opaque else ' fill-opacity="0.5"'
        area = math.exp(rng.uniform(math.log(AREA_RANGE[0]), math.log(AREA_RANGE[1])))
        if shapes and rng.random() < LAYERED_SHARE:  # over an earlier shape: occlusion
            x0, y0, x1, y1 = rng.choice(shapes)[0].bounds
            cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        else:
            cx, cy = rng.uniform(-10, W + 10), rng.uniform(-10, H + 10)
        if kind == "rect":
            aspect = math.exp(rng.uniform(math.log(1 / 3), math.log(3)))
            w, h = round(math.sqrt(area * aspect), 2), round(math.sqrt(area / aspect), 2)
            x, y = round(cx - w / 2, 2), round(cy - h / 2, 2)
            geom = box(x, y, x + w, y + h)
            body.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}"{alpha}/>')
        elif kind == "circle":
            r = round(math.sqrt(area / math.pi), 2)
            cx, cy = round(cx, 2), round(cy, 2)
            geom = Point(cx, cy).buffer(r, quad_segs=128)
            body.append(f'<circle cx="{cx}" cy="{cy}" r="{r}"{alpha}/>')
        else:
            k = rng.randint(3, 7)
            r = math.sqrt(2 * area / (k * math.sin(2 * math.pi / k)))
            pts = _regular(cx, cy, r, k, rng.uniform(0, 2 * math.pi))
            geom = Polygon(pts)
            body.append('<polygon points="' + " ".join(f"{a},{b}" for a, b in pts)
                        + f'"{alpha}/>')
        shapes.append((geom, opaque))
    text = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W:g}" height="{H:g}">'
            + "".join(body) + "</svg>")
    return text, shapes


def exact(shapes: list[tuple[Any, bool]]) -> tuple[list[tuple[float, float]], float]:
    """[(painted area, visible area)] per shape and the covered share of the canvas."""
    canvas = box(0, 0, W, H)
    out = []
    for i, (geom, _) in enumerate(shapes):
        painted = geom.intersection(canvas)
        later = [g for g, opaque in shapes[i + 1 :] if opaque]
        visible = painted.difference(shapely.unary_union(later)) if later else painted
        out.append((painted.area, visible.area))
    union = shapely.unary_union([g for g, _ in shapes]).intersection(canvas)
    return out, union.area / (W * H)


def _summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "max": None}
    a = np.asarray(values, dtype=np.float64)
    return {"n": int(a.size), "p50": float(np.percentile(a, 50)),
            "p95": float(np.percentile(a, 95)), "max": float(a.max())}


def _bin_label(lo: float, hi: float) -> str:
    return f"<{hi:g}" if lo == 0 else f"≥{lo:g}" if math.isinf(hi) else f"{lo:g}–{hi:g}"


def measure(n_scenes: int, seed: int,
            resolutions: list[int]) -> tuple[dict[str, Any], dict[int, float]]:
    rng = random.Random(seed)
    scenes = [make_scene(rng) for _ in range(n_scenes)]
    truth = [exact(shapes) for _, shapes in scenes]
    rows: list[dict[str, Any]] = []  # one per (shape, resolution)
    coverage_err: dict[int, list[float]] = {r: [] for r in resolutions}
    seconds: dict[int, float] = {}
    for r in resolutions:
        svgkit.stats(scenes[0][0], resolution=r)  # warm up (JIT cache load)
        t0 = time.perf_counter()
        for (text, _), (areas, cov) in zip(scenes, truth, strict=True):
            s = svgkit.stats(text, resolution=r)
            gw, gh = (r, round(r * H / W))
            px_area = (W / gw) * (H / gh)
            coverage_err[r].append(abs(float(s.coverage) - cov))
            for i, (painted, visible) in enumerate(areas):
                if painted < 1e-9:
                    continue
                m_painted = float(s.painted_area[i])
                m_visible = float(s.visible_area[i])
                m_frac = float(s.visible_fraction[i])
                if not math.isfinite(m_frac):  # painted nothing on this grid
                    m_frac = 0.0
                rows.append({
                    "resolution": r,
                    "painted_256": painted / PX256,
                    "visible_256": visible / PX256,
                    "fraction_err": abs(m_frac - visible / painted),
                    "partly_hidden": 1e-9 < visible < painted - 1e-9,
                    "visible_err_rel_painted": abs(m_visible - visible) / painted,
                    "visible_err_rel_visible": (abs(m_visible - visible) / visible
                                                if visible > 1e-9 else math.nan),
                    "visible_err_px": abs(m_visible - visible) / px_area,
                    "painted_err_rel": abs(m_painted - painted) / painted,
                    "false_drawn_256": m_visible / PX256 if visible <= 1e-9 else 0.0,
                })
        seconds[r] = time.perf_counter() - t0

    def select(r: int, key: str, lo: float, hi: float = math.inf) -> list[dict[str, Any]]:
        return [x for x in rows if x["resolution"] == r and lo <= x[key] < hi]

    result: dict[str, Any] = {
        "benchmark": "visibility",
        "command": ("benchmarks/bench_visibility.py --scenes "
                    f"{n_scenes} --seed {seed} --resolution {' '.join(map(str, resolutions))}"),
        "scenes": n_scenes,
        "seed": seed,
        "canvas": [W, H],
        "shapes": sum(len(sh) for _, sh in scenes),
        "opaque_shapes": sum(op for _, sh in scenes for _, op in sh),
        "area_range_device_px2": list(AREA_RANGE),
        "opaque_share": OPAQUE_SHARE,
        "layered_share": LAYERED_SHARE,
        "bin_unit": ("pixels of the 256 analysis grid (256 × 205 on this canvas; one is "
                     f"{PX256:.4f} device px², {1 / N256:.3e} of the canvas)"),
        "environment": {"python": platform.python_version(), "platform": platform.platform()},
        "resolutions": {},
    }
    for r in resolutions:
        res: dict[str, Any] = {"bins": [], "cumulative": []}
        for lo, hi in itertools.pairwise(BINS):
            by_painted = select(r, "painted_256", lo, hi)
            by_visible = [x for x in select(r, "visible_256", lo, hi) if x["visible_256"] > 0]
            res["bins"].append({
                "bin": _bin_label(lo, hi),
                "lo_px256": lo,
                "hi_px256": None if math.isinf(hi) else hi,
                "lo_canvas_share": lo / N256,
                "visible_fraction_abs_err": _summary([x["fraction_err"] for x in by_painted]),
                "visible_fraction_abs_err_partly_hidden": _summary(
                    [x["fraction_err"] for x in by_painted if x["partly_hidden"]]),
                "visible_area_err_rel_painted": _summary(
                    [x["visible_err_rel_painted"] for x in by_painted]),
                "painted_area_err_rel": _summary([x["painted_err_rel"] for x in by_painted]),
                "by_visible_area": {
                    "visible_area_err_rel_visible": _summary(
                        [x["visible_err_rel_visible"] for x in by_visible]),
                    "visible_area_err_px": _summary([x["visible_err_px"] for x in by_visible]),
                },
            })
        for t in FLOORS:
            by_painted = select(r, "painted_256", t)
            by_visible = select(r, "visible_256", t)
            res["cumulative"].append({
                "floor_px256": t,
                "floor_canvas_share": t / N256,
                "painted_at_least": {
                    "visible_fraction_abs_err": _summary(
                        [x["fraction_err"] for x in by_painted]),
                    "visible_fraction_abs_err_partly_hidden": _summary(
                        [x["fraction_err"] for x in by_painted if x["partly_hidden"]]),
                },
                "visible_at_least": {
                    "visible_area_err_rel_visible": _summary(
                        [x["visible_err_rel_visible"] for x in by_visible]),
                    "visible_fraction_abs_err": _summary(
                        [x["fraction_err"] for x in by_visible]),
                },
            })
        hidden = [x["false_drawn_256"] for x in rows
                  if x["resolution"] == r and x["visible_256"] <= 1e-9]
        res["fully_hidden"] = {"n": len(hidden),
                               "max_measured_visible_px256": max(hidden, default=0.0)}
        res["all_shapes"] = {
            "visible_fraction_abs_err": _summary(
                [x["fraction_err"] for x in rows if x["resolution"] == r]),
            "visible_area_err_rel_painted": _summary(
                [x["visible_err_rel_painted"] for x in rows if x["resolution"] == r]),
        }
        res["coverage_abs_err"] = _summary(coverage_err[r])
        result["resolutions"][str(r)] = res
    return result, seconds


def _fmt(s: dict[str, Any], digits: int = 3) -> str:
    if not s["n"]:
        return "—"
    return f"{s['p50']:.{digits}f} / {s['p95']:.{digits}f} / {s['max']:.{digits}f}"


def print_tables(result: dict[str, Any], seconds: dict[int, float]) -> None:
    print(f"{result['scenes']} scenes, {result['shapes']} shapes "
          f"({result['opaque_shapes']} opaque), canvas {W:g} × {H:g}; "
          f"areas in {result['bin_unit']}")
    print("\nvisible_fraction |error| by exact painted area — p50 / p95 / max")
    for r, res in result["resolutions"].items():
        print(f"\nresolution {r}   (stats: {seconds[int(r)]:.1f} s)")
        print(f"  {'bin (px@256)':>14} {'canvas':>9} {'n':>5}  {'visible_fraction':>23}  "
              f"{'visible area / painted':>23}  {'painted area rel':>23}")
        for b in res["bins"]:
            vf = b["visible_fraction_abs_err"]
            print(f"  {b['bin']:>14} {b['lo_canvas_share']:>9.2e} {vf['n']:>5}  {_fmt(vf):>23}  "
                  f"{_fmt(b['visible_area_err_rel_painted']):>23}  "
                  f"{_fmt(b['painted_area_err_rel']):>23}")
        a = res["all_shapes"]["visible_fraction_abs_err"]
        print(f"  {'all':>14} {'':>9} {a['n']:>5}  {_fmt(a):>23}")
        print("  partly hidden shapes only (0 < exact visible < painted):")
        for b in res["bins"]:
            vf = b["visible_fraction_abs_err_partly_hidden"]
            print(f"  {b['bin']:>14} {b['lo_canvas_share']:>9.2e} {vf['n']:>5}  {_fmt(vf):>23}")
        print(f"  coverage |error| p50 / p95 / max: {_fmt(res['coverage_abs_err'], 4)}; "
              f"fully hidden shapes: {res['fully_hidden']['n']}, largest measured visible "
              f"area {res['fully_hidden']['max_measured_visible_px256']:.2f} px@256")
        print(f"  {'floor T':>14} {'canvas':>9} {'n':>5}  {'vf err, painted ≥ T':>23}  "
              f"{'n':>5}  {'same, partly hidden':>23}  "
              f"{'n':>5}  {'vis. area err / vis., ≥ T':>25}")
        for c in res["cumulative"]:
            p = c["painted_at_least"]["visible_fraction_abs_err"]
            q = c["painted_at_least"]["visible_fraction_abs_err_partly_hidden"]
            v = c["visible_at_least"]["visible_area_err_rel_visible"]
            print(f"  {c['floor_px256']:>14} {c['floor_canvas_share']:>9.2e} {p['n']:>5}  "
                  f"{_fmt(p):>23}  {q['n']:>5}  {_fmt(q):>23}  {v['n']:>5}  {_fmt(v):>25}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scenes", type=int, default=150, help="random scenes (default 150)")
    parser.add_argument("--seed", type=int, default=0, help="scene seed (default 0)")
    parser.add_argument("--resolution", type=int, nargs="+", default=[64, 128, 256, 512],
                        help="analysis resolutions (default 64 128 256 512)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "visibility.json",
                        help="JSON result path (default benchmarks/results/visibility.json)")
    args = parser.parse_args(argv)
    result, seconds = measure(args.scenes, args.seed, args.resolution)
    print_tables(result, seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
