"""Property tests of the renderer: coverage equals geometric area, translation moves pixels."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import SVG_NS, OpaqueShape, fmt, simple_opaque_shapes

from svgkit import render


def _perimeter(shape: OpaqueShape) -> float:
    p = shape.params
    if shape.tag == "rect":
        return 2.0 * (p["width"] + p["height"])
    if shape.tag == "circle":
        return 2.0 * math.pi * p["r"]
    if shape.tag == "ellipse":
        a, b = p["rx"], p["ry"]
        h = ((a - b) / (a + b)) ** 2
        return math.pi * (a + b) * (1 + 3 * h / (10 + math.sqrt(4 - 3 * h)))  # Ramanujan
    pts = p["points"]
    return sum(math.dist(pts[i], pts[(i + 1) % len(pts)]) for i in range(len(pts)))


@given(simple_opaque_shapes())
def test_alpha_coverage_matches_area(shape: OpaqueShape) -> None:
    img = render(shape.svg, int(shape.width), int(shape.height))
    coverage = float(img[..., 3].astype(np.float64).sum() / 255.0)
    # anti-aliasing quantises edge coverage (cairo's scan converter samples 15 rows per pixel)
    # and curves are flattened within 0.1 px: the error is bounded by a share of the perimeter
    tolerance = 0.2 * _perimeter(shape) + 2.0
    assert abs(coverage - shape.area) <= tolerance, (coverage, shape.area, tolerance)
    # fully covered pixels carry the fill colour exactly (straight alpha)
    full = img[img[..., 3] == 255][:, :3].astype(np.int64)
    if full.size:
        want = np.rint(np.asarray(shape.rgb, dtype=np.float64)).astype(np.int64)
        assert np.abs(full - want).max() <= 1
    # nothing outside the (pixel-rounded) bounding box
    x0, y0, x1, y1 = shape.bbox
    ys, xs = np.nonzero(img[..., 3])
    if xs.size:
        assert xs.min() >= math.floor(x0) - 1 and xs.max() <= math.ceil(x1)
        assert ys.min() >= math.floor(y0) - 1 and ys.max() <= math.ceil(y1)


@given(simple_opaque_shapes(), st.integers(-30, 30), st.integers(-30, 30))
def test_translating_the_scene_translates_the_image(shape: OpaqueShape, dx: int, dy: int) -> None:
    pad = 40
    w, h = int(shape.width) + 2 * pad, int(shape.height) + 2 * pad

    def doc(tx: int, ty: int) -> str:
        return (
            f'<svg xmlns="{SVG_NS}" width="{w}" height="{h}">'
            f'<g transform="translate({fmt(tx)} {fmt(ty)})">{shape.element}</g></svg>'
        )

    base = render(doc(pad, pad), w, h).astype(np.int64)
    moved = render(doc(pad + dx, pad + dy), w, h).astype(np.int64)
    shifted = np.zeros_like(base)
    ys = slice(max(dy, 0), h + min(dy, 0))
    xs = slice(max(dx, 0), w + min(dx, 0))
    src_y = slice(max(-dy, 0), h - max(dy, 0))
    src_x = slice(max(-dx, 0), w - max(dx, 0))
    shifted[ys, xs] = base[src_y, src_x]
    assert np.abs(moved - shifted).max() <= 1


@given(simple_opaque_shapes(), st.sampled_from([0.5, 2.0, 3.0]))
def test_scaling_the_output_scales_the_coverage(shape: OpaqueShape, factor: float) -> None:
    w, h = int(shape.width), int(shape.height)
    ow, oh = max(1, round(w * factor)), max(1, round(h * factor))
    img = render(shape.svg, ow, oh)
    coverage = float(img[..., 3].astype(np.float64).sum() / 255.0)
    # rounding may change the aspect ratio slightly: "xMidYMid meet" uses the smaller scale
    s = min(ow / w, oh / h)
    assert abs(coverage - shape.area * s * s) <= 0.2 * _perimeter(shape) * s + 2.0
