"""Filter engine speed: every primitive kind on a 512×512 layer, and the blur candidates.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_filters.py [--size 512] [--repeat 31] \
        [--out benchmarks/results/filters.json]

Each case is one :func:`svgkit.renderer.filters.apply_filter` call on the same premultiplied float32
layer (a translucent disc over an opaque rectangle, about half the pixels covered), with the
filter region covering the whole layer and ``color-interpolation-filters`` linearRGB (the
default) unless the case says otherwise. So a time includes what a render pays: the conversion
of the inputs to linearRGB, the primitive, and the final pass back to sRGB into a new layer.
Every case is warmed up (numba compilation, buffer pool), then timed ``--repeat`` times with the
garbage collector paused; the table gives the median and the 90th percentile.

The second table times whole :func:`svgkit.render` calls of a typical model-written "paper
texture" document (fractal noise lit by a distant light, multiplied into the background) at the
layer size, and the same document without its filter.

The third table is the blur on its own (no colour conversion, no region handling) against the
libraries it could have come from, on the same 512×512×4 float32 array at std deviation 1, 3
and 10: Pillow's ``GaussianBlur`` on an 8-bit ``RGBa`` image (the time includes the float ↔ 8-bit
conversions a float pipeline needs), and, when they are importable, scipy's
``uniform_filter1d`` (three box passes per axis) and OpenCV's ``blur`` (three box passes) and
``GaussianBlur``. These numbers decided the blur backend (docs/filters.md).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import svgkit  # noqa: E402
from svgkit.renderer.filters import apply_filter, hue_rotate_matrix, saturate_matrix  # noqa: E402
from svgkit.renderer.filters.blur import _blur_array  # noqa: E402
from svgkit.renderer.filters.image import _Arena  # noqa: E402
from svgkit.scene import Filter, FilterPrimitive  # noqa: E402

IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def make_layer(size: int) -> np.ndarray:
    """A translucent teal disc over an opaque orange rectangle, premultiplied float32."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    layer = np.zeros((size, size, 4), np.float32)
    rect = (xx > size * 0.15) & (xx < size * 0.6) & (yy > size * 0.2) & (yy < size * 0.7)
    layer[rect] = [1.0, 0.55, 0.1, 1.0]
    r = np.hypot(xx - size * 0.6, yy - size * 0.55)
    coverage = np.clip(size * 0.3 - r + 0.5, 0.0, 1.0)[..., None]  # anti-aliased edge
    disc = np.array([0.1, 0.6, 0.6, 1.0], np.float32) * 0.7  # premultiplied, alpha 0.7
    layer = disc * coverage + layer * (1.0 - 0.7 * coverage)
    return layer.astype(np.float32)


def _p(
    kind: str,
    inputs: tuple[str, ...] = ("",),
    result: str = "",
    linear: bool = True,
    region: tuple[float, float, float, float] = (0, 0, 0, 0),
    **params: Any,
) -> FilterPrimitive:
    return FilterPrimitive(kind, inputs, result, region, linear, params)


def cases(size: int) -> dict[str, tuple[Filter, str]]:
    """Case name → (filter, what it shows)."""
    region = (0.0, 0.0, float(size), float(size))

    def one(*prims: FilterPrimitive) -> Filter:
        fixed = tuple(
            FilterPrimitive(p.kind, p.inputs, p.result, region, p.linear_rgb, p.params)
            for p in prims
        )
        return Filter("f", region, fixed)

    flood = _p("feFlood", (), "flood", rgba=(0.2, 0.3, 0.9, 0.6))
    shadow_chain = one(
        _p("feGaussianBlur", ("SourceAlpha",), std_dev=(4, 4)),
        _p("feOffset", dx=6, dy=6, result="off"),
        _p("feFlood", (), rgba=(0, 0, 0, 0.5)),
        _p("feComposite", ("", "off"), operator="in", result="shadow"),
        _p("feMerge", ("shadow", "SourceGraphic")),
    )
    glow_chain = one(
        _p("feGaussianBlur", ("SourceGraphic",), "b", std_dev=(6, 6)),
        _p("feMerge", ("b", "b", "SourceGraphic")),
    )
    small = Filter(
        "f",
        (size * 0.1, size * 0.1, size * 0.15, size * 0.15),
        (_p("feGaussianBlur", region=(0, 0, size, size), std_dev=(3, 3)),),
    )
    return {
        "feGaussianBlur σ=1 (Gaussian kernel)": (one(_p("feGaussianBlur", std_dev=(1, 1))), ""),
        "feGaussianBlur σ=3 (3 boxes)": (one(_p("feGaussianBlur", std_dev=(3, 3))), ""),
        "feGaussianBlur σ=10 (3 boxes)": (one(_p("feGaussianBlur", std_dev=(10, 10))), ""),
        "feGaussianBlur σ=(10, 0)": (one(_p("feGaussianBlur", std_dev=(10, 0))), ""),
        "feGaussianBlur σ=3 sRGB": (
            one(_p("feGaussianBlur", std_dev=(3, 3), linear=False)),
            "no colour conversion",
        ),
        "feGaussianBlur σ=3 edgeMode=duplicate": (
            one(_p("feGaussianBlur", std_dev=(3, 3), edge_mode="duplicate")),
            "",
        ),
        "feGaussianBlur σ=3, region 77×77 px": (small, "crop first: cost follows the region"),
        "feOffset": (one(_p("feOffset", dx=7, dy=-5)), ""),
        "feFlood": (one(_p("feFlood", (), rgba=(0.2, 0.3, 0.9, 0.6))), ""),
        "feComposite over": (one(flood, _p("feComposite", ("SourceGraphic", "flood"))), "+ flood"),
        "feComposite arithmetic": (
            one(
                flood,
                _p(
                    "feComposite",
                    ("SourceGraphic", "flood"),
                    operator="arithmetic",
                    k1=0.1,
                    k2=0.5,
                    k3=0.5,
                    k4=0.0,
                ),
            ),
            "+ flood",
        ),
        "feMerge (3 nodes)": (
            one(flood, _p("feMerge", ("flood", "SourceGraphic", "SourceAlpha"))),
            "+ flood",
        ),
        "feBlend multiply": (
            one(flood, _p("feBlend", ("SourceGraphic", "flood"), mode="multiply")),
            "+ flood",
        ),
        "feBlend hue": (
            one(flood, _p("feBlend", ("SourceGraphic", "flood"), mode="hue")),
            "+ flood",
        ),
        "feColorMatrix saturate(0.3)": (one(_p("feColorMatrix", matrix=saturate_matrix(0.3))), ""),
        "feColorMatrix hueRotate(90) sRGB": (
            one(_p("feColorMatrix", matrix=hue_rotate_matrix(90), linear=False)),
            "",
        ),
        "feComponentTransfer table": (
            one(
                _p(
                    "feComponentTransfer",
                    funcs={c: {"type": "table", "tableValues": [0, 0.8, 1]} for c in "RGB"},
                )
            ),
            "",
        ),
        "feMorphology dilate r=3": (one(_p("feMorphology", operator="dilate", radius=(3, 3))), ""),
        "feDropShadow σ=3": (
            one(_p("feDropShadow", std_dev=(3, 3), dx=5, dy=5, rgba=(0, 0, 0, 0.6))),
            "",
        ),
        "shadow chain (5 primitives)": (shadow_chain, "blur, offset, flood, in, merge"),
        "glow chain (2 primitives)": (glow_chain, "blur, merge ×3"),
        "feTurbulence fractalNoise, 1 octave": (
            one(_p("feTurbulence", (), fractal=True, base_frequency=(0.04, 0.04), num_octaves=1)),
            "",
        ),
        "feTurbulence fractalNoise, 5 octaves": (
            one(_p("feTurbulence", (), fractal=True, base_frequency=(0.04, 0.04), num_octaves=5)),
            "",
        ),
        "feTurbulence turbulence, 3 octaves, stitched": (
            one(
                _p(
                    "feTurbulence",
                    (),
                    base_frequency=(0.05, 0.05),
                    num_octaves=3,
                    stitch=True,
                    tile=region,
                )
            ),
            "",
        ),
        "feDiffuseLighting distant": (
            one(_p("feDiffuseLighting", surface_scale=3.0, light=DISTANT, rgb=(1, 0.97, 0.9))),
            "",
        ),
        "feSpecularLighting point": (
            one(
                _p(
                    "feSpecularLighting",
                    surface_scale=3.0,
                    specular_exponent=20.0,
                    light={"type": "point", "x": size * 0.3, "y": size * 0.3, "z": size * 0.5},
                )
            ),
            "",
        ),
        "feSpotLight (diffuse, cone 30°)": (
            one(
                _p(
                    "feDiffuseLighting",
                    light={
                        "type": "spot",
                        "x": size * 0.5,
                        "y": size * 0.9,
                        "z": size * 0.3,
                        "points_at_x": size * 0.5,
                        "points_at_y": size * 0.3,
                        "points_at_z": 0.0,
                        "cone": 30.0,
                    },
                )
            ),
            "",
        ),
        "feConvolveMatrix 3×3 sharpen": (
            one(_p("feConvolveMatrix", order=(3, 3), kernel=[0, -1, 0, -1, 5, -1, 0, -1, 0])),
            "",
        ),
        "feConvolveMatrix 5×5 box": (
            one(_p("feConvolveMatrix", order=(5, 5), kernel=[1.0] * 25)),
            "",
        ),
        "feDisplacementMap by turbulence": (
            one(
                _p("feTurbulence", (), "noise", base_frequency=(0.02, 0.02), num_octaves=2),
                _p(
                    "feDisplacementMap",
                    ("SourceGraphic", "noise"),
                    scale=(20.0, 20.0),
                    x_channel="R",
                    y_channel="G",
                ),
            ),
            "+ 2-octave turbulence",
        ),
        "feTile (64×64 tile)": (
            Filter(
                "f",
                region,
                (
                    FilterPrimitive("feOffset", ("",), "t", (0, 0, 64, 64), True, {}),
                    FilterPrimitive("feTile", ("t",), "", region, True, {}),
                ),
            ),
            "+ cropping offset",
        ),
        "paper texture (turbulence + lighting + composite)": (
            one(*paper_texture()),
            "5 octaves, distant light, arithmetic",
        ),
        "pass-through (unknown kind)": (one(_p("feBogus", ())), "fixed cost: copy + finish"),
    }


DISTANT = {"type": "distant", "azimuth": 45.0, "elevation": 60.0}


def paper_texture() -> tuple[FilterPrimitive, ...]:
    """The "paper texture" models write: fractal noise lit from the top left, multiplied in."""
    return (
        _p("feTurbulence", (), "noise", fractal=True, base_frequency=(0.04, 0.04), num_octaves=5),
        _p(
            "feDiffuseLighting",
            ("noise",),
            "light",
            surface_scale=2.0,
            light=DISTANT,
            rgb=(1.0, 0.97, 0.9),
        ),
        _p("feComposite", ("light", "SourceGraphic"), operator="arithmetic", k1=1.0),
    )


PAPER_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200">
<filter id="paper" x="0" y="0" width="100%" height="100%">
  <feTurbulence type="fractalNoise" baseFrequency="0.04" numOctaves="5" result="noise"/>
  <feDiffuseLighting in="noise" lighting-color="#fff8e7" surfaceScale="2" result="light">
    <feDistantLight azimuth="45" elevation="60"/>
  </feDiffuseLighting>
  <feComposite in="light" in2="SourceGraphic" operator="arithmetic" k1="1"/>
</filter>
<rect width="200" height="200" fill="#f4ecd8" filter="url(#paper)"/>
<circle cx="100" cy="100" r="40" fill="#8b4513"/>
</svg>"""


def render_cases(size: int, repeat: int) -> dict[str, dict[str, float]]:
    """Whole :func:`svgkit.render` calls at ``size``² (parse + build + draw + filter)."""
    plain = PAPER_SVG.replace(' filter="url(#paper)"', "")
    docs = {
        "paper texture document (render)": PAPER_SVG,
        "same document without the filter (render)": plain,
    }
    out: dict[str, dict[str, float]] = {}
    for name, text in docs.items():
        data = text.encode()
        out[name] = _stats(_time(lambda data=data: svgkit.render(data, size, size), repeat))
    return out


def _time(func: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        func()
    out: list[float] = []
    for _ in range(repeat):
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter_ns()
            func()
            out.append((time.perf_counter_ns() - start) / 1e6)
        finally:
            if gc_was_enabled:
                gc.enable()
    return out


def _stats(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "median_ms": statistics.median(ms),
        "p90_ms": ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))],
        "min_ms": ordered[0],
    }


def blur_candidates(layer: np.ndarray) -> dict[str, dict[str, float]]:
    """Blur-only times of svgkit's kernels and of the library candidates that are importable."""
    out: dict[str, dict[str, float]] = {}
    repeat = 21

    def svgkit_blur(s: float) -> Callable[[], object]:
        def run() -> object:
            arena = _Arena()
            try:
                return _blur_array(layer, s, s, arena)
            finally:
                arena.release()

        return run

    for s in (1.0, 3.0, 10.0):
        out[f"svgkit numba (float32), σ={s:g}"] = _stats(_time(svgkit_blur(s), repeat))

    if importlib.util.find_spec("PIL") is not None:
        from PIL import Image, ImageFilter

        h, w = layer.shape[:2]

        def pillow(s: float) -> Callable[[], object]:
            def run() -> object:
                u8 = (layer * 255.0 + 0.5).astype(np.uint8)
                image = Image.frombuffer("RGBa", (w, h), u8, "raw", "RGBa", 0, 1)
                blurred = image.filter(ImageFilter.GaussianBlur(s))
                return np.asarray(blurred, dtype=np.float32) * np.float32(1 / 255)

            return run

        for s in (1.0, 3.0, 10.0):
            out[f"Pillow GaussianBlur (8-bit RGBa, with conversions), σ={s:g}"] = _stats(
                _time(pillow(s), repeat)
            )

    def box_size(s: float) -> int:
        return math.floor(s * 3 * math.sqrt(2 * math.pi) / 4 + 0.5)

    if importlib.util.find_spec("scipy") is not None:
        from scipy import ndimage

        def scipy_boxes(s: float) -> Callable[[], object]:
            def run() -> object:
                d, a = box_size(s), layer
                for axis in (0, 1):
                    for _ in range(3):
                        a = ndimage.uniform_filter1d(a, d, axis=axis, mode="constant")
                return a

            return run

        for s in (1.0, 3.0, 10.0):
            out[f"scipy uniform_filter1d ×6, σ={s:g}"] = _stats(_time(scipy_boxes(s), repeat))

    if importlib.util.find_spec("cv2") is not None:
        import cv2

        cv2.setNumThreads(1)

        def cv_boxes(s: float) -> Callable[[], object]:
            def run() -> object:
                d, a = box_size(s), layer
                for _ in range(3):
                    a = cv2.blur(a, (d, d), borderType=cv2.BORDER_CONSTANT)
                return a

            return run

        def cv_gauss(s: float) -> Callable[[], object]:
            return lambda: cv2.GaussianBlur(layer, (0, 0), s, borderType=cv2.BORDER_CONSTANT)

        for s in (1.0, 3.0, 10.0):
            out[f"OpenCV blur ×3 (float32), σ={s:g}"] = _stats(_time(cv_boxes(s), repeat))
            out[f"OpenCV GaussianBlur (float32), σ={s:g}"] = _stats(_time(cv_gauss(s), repeat))
    return out


def run(size: int, repeat: int) -> dict[str, Any]:
    layer = make_layer(size)
    results: dict[str, Any] = {}
    for name, (filt, note) in cases(size).items():
        times = _time(lambda filt=filt: apply_filter(layer, filt, IDENTITY), repeat)
        results[name] = {"note": note, **_stats(times)}
    return {
        "benchmark": "filters",
        "layer": f"{size}x{size} RGBA float32 premultiplied",
        "repeat": repeat,
        "cases": results,
        "render": render_cases(size, repeat),
        "blur_candidates": blur_candidates(layer),
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "svgkit": svgkit.__version__,
            "numpy": np.__version__,
            "date": time.strftime("%Y-%m-%d"),
        },
    }


def markdown(result: dict[str, Any]) -> str:
    rows = ["| case | median ms | p90 ms | note |", "|---|---:|---:|---|"]
    for name, r in result["cases"].items():
        rows.append(f"| {name} | {r['median_ms']:.2f} | {r['p90_ms']:.2f} | {r['note']} |")
    rows += ["", "| whole render | median ms | p90 ms |", "|---|---:|---:|"]
    for name, r in result.get("render", {}).items():
        rows.append(f"| {name} | {r['median_ms']:.2f} | {r['p90_ms']:.2f} |")
    rows += ["", "| blur only, 512×512×4 | median ms |", "|---|---:|"]
    for name, r in result["blur_candidates"].items():
        rows.append(f"| {name} | {r['median_ms']:.2f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="layer side in px (default 512)")
    parser.add_argument("--repeat", type=int, default=31, help="timed calls per case (default 31)")
    parser.add_argument(
        "--out", type=Path, default=HERE / "results" / "filters.json", help="JSON result path"
    )
    args = parser.parse_args(argv)
    if args.size < 8 or args.repeat < 1:
        parser.error("--size must be at least 8 and --repeat at least 1")
    result = run(args.size, args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(markdown(result))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
