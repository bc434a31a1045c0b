"""The parser's fast paths give exactly what the general paths they stand in for give.

Each fast path (colours, transform lists, solid paint, gradient means, the bounded C XML parse,
bounding boxes, drawing into the result array) exists for speed only: these tests compare it with
the slower code it replaces, float for float, on the values models write and on edge cases.
"""

from __future__ import annotations

import math
import random
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from svgelements import Color, Matrix

import svgkit
from svgkit import Limits
from svgkit.build import paint as paint_module
from svgkit.build.paint import simple_paint
from svgkit.build.shapes import primitive_bboxes
from svgkit.build.units import parse_transform_fast
from svgkit.color import CSS_COLOR_NAMES, parse_color
from svgkit.ingest.safe_xml import parse_xml
from svgkit.paths import COMMAND_POINTS
from svgkit.scene import Gradient, GradientStop, PaintKind

NS = 'xmlns="http://www.w3.org/2000/svg"'


# svgelements' table differs from CSS Color 4 on these two keywords; svgkit follows CSS
_CSS_FIXES = {"rebeccapurple": "#663399", "aliceblue": "#f0f8ff"}


def _svgelements_color(value: str) -> tuple[float, float, float, float] | None:
    key = value.strip().lower()
    c = Color(_CSS_FIXES.get(key, key))
    if c.value is None:
        return None
    return (c.red / 255.0, c.green / 255.0, c.blue / 255.0, c.alpha / 255.0)


def _same(a: tuple[float, ...] | None, b: tuple[float, ...] | None) -> bool:
    """Equal float for float, the sign of zero included."""
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(repr(float(x)) == repr(float(y)) for x, y in zip(a, b))


class TestColors:
    def test_keywords_follow_css_where_svgelements_differs(self) -> None:
        assert parse_color("aliceblue") == (240 / 255, 248 / 255, 1.0, 1.0)
        assert parse_color("RebeccaPurple") == (0x66 / 255, 0x33 / 255, 0x99 / 255, 1.0)

    def test_keywords_read_as_svgelements_reads_them(self) -> None:
        for name in CSS_COLOR_NAMES:
            for text in (name, name.upper(), f" {name} "):
                assert _same(parse_color(text), _svgelements_color(text)), text

    def test_hex_colours_read_as_svgelements_reads_them(self) -> None:
        rng = random.Random(0)
        digits = "0123456789abcdefABCDEF"
        for n in (3, 4, 6, 8):
            for _ in range(500):
                text = "#" + "".join(rng.choice(digits) for _ in range(n))
                assert _same(parse_color(text), _svgelements_color(text)), text

    def test_cached_results_are_the_first_results(self) -> None:
        assert parse_color("rgb(10%, 20%, 30%)") == parse_color("rgb(10%, 20%, 30%)")
        assert parse_color("not-a-colour") is None
        assert parse_color("not-a-colour") is None


class TestTransforms:
    CASES = (
        "translate(10 20)",
        "translate(10)",
        "translate(-0, 0)",
        "scale(2)",
        "scale(-1, 1)",
        "rotate(45)",
        "rotate(-30 100 50)",
        "rotate(0 5 5)",
        "matrix(1 0.5 -0.5 1 10 -20)",
        "skewX(20)",
        "skewY(-10.5)",
        "translate(1e3 1E-2) rotate(15) scale(0.5 2)",
        " translate(.5,-.5) , scale(3) ",
        "rotate(720.5)",
    )

    @pytest.mark.parametrize("text", CASES)
    def test_fast_path_matches_svgelements(self, text: str) -> None:
        fast = parse_transform_fast(text)
        assert fast is not None
        m = Matrix(text)
        assert _same(fast, (m.a, m.b, m.c, m.d, m.e, m.f))

    @pytest.mark.parametrize(
        "text",
        ["rotate(45deg)", "translate(10px)", "scale(1 2 3)", "matrix(1 2 3)", "rotate(1 2)",
         "translate()", "translate(10-5)", "foo(1)", "scale(1e)", "rotate(1e400)"],
    )  # fmt: skip
    def test_anything_else_is_left_to_the_full_parser(self, text: str) -> None:
        assert parse_transform_fast(text) is None

    def test_random_lists_match_svgelements(self) -> None:
        rng = random.Random(1)
        arity = {"translate": (1, 2), "scale": (1, 2), "rotate": (1, 3), "matrix": (6,),
                 "skewX": (1,), "skewY": (1,)}  # fmt: skip

        def number() -> str:
            return rng.choice(
                [str(rng.randint(-500, 500)), f"{rng.uniform(-500, 500):.3f}", "0", "-0", ".5"]
            )

        for _ in range(2000):
            parts = []
            for _ in range(rng.randint(1, 3)):
                name = rng.choice(list(arity))
                args = rng.choice([" ", ",", ", "]).join(
                    number() for _ in range(rng.choice(arity[name]))
                )
                parts.append(f"{name}({args})")
            text = " ".join(parts)
            fast = parse_transform_fast(text)
            assert fast is not None, text
            m = Matrix(text)
            assert _same(fast, (m.a, m.b, m.c, m.d, m.e, m.f)), text


class TestPaint:
    @pytest.mark.parametrize(
        ("value", "opacity"),
        [("red", "1"), ("#00ff0080", "0.5"), ("none", "1"), ("", "1"), ("rgb(1 2 3)", "50%")],
    )
    def test_simple_paint_is_what_paint_gives(self, value: str, opacity: str) -> None:
        doc = svgkit.parse(
            f'<svg {NS} width="4" height="4"><rect width="4" height="4" fill="{value}" '
            f'fill-opacity="{opacity}"/></svg>'
        )
        fast = simple_paint(value, opacity)
        assert fast is not None
        assert int(fast[0]) == int(doc.fill_kind[0])
        assert np.array_equal(np.asarray(fast[1], dtype=np.float32), doc.fill_rgba[0])

    @pytest.mark.parametrize("value", ["url(#g)", "currentColor", "not-a-colour", "URL(#x) red"])
    def test_other_values_take_the_general_path(self, value: str) -> None:
        assert simple_paint(value, "1") is None

    def test_gradient_means_match_the_scene(self) -> None:
        rng = random.Random(2)
        for k in range(2, 11):
            for _ in range(300):
                offsets = sorted(rng.choice([rng.random(), 0.0, 1.0, 0.5]) for _ in range(k))
                stops = [
                    GradientStop(o, tuple(rng.choice([rng.random(), 0.0, 1.0]) for _ in range(4)))
                    for o in offsets
                ]
                expected = Gradient("linear", tuple(stops)).mean_rgba()
                got = paint_module._stops_mean(stops)
                assert _same(got, expected), (offsets, stops)
        stops = [GradientStop(-0.0, (0.0, 0.0, 0.0, 1.0)), GradientStop(1.0, (1.0, 1.0, 1.0, 1.0))]
        assert _same(paint_module._stops_mean(stops), Gradient("linear", tuple(stops)).mean_rgba())


class TestXML:
    def test_bounded_parse_builds_the_streaming_tree(self) -> None:
        text = (
            f'<svg {NS} xmlns:xlink="http://www.w3.org/1999/xlink" width="4"><!-- c -->'
            '<g id="a"><rect x="1"/>text<use xlink:href="#a"/></g>tail<?pi x?></svg>'
        )
        fast = parse_xml(text, Limits())
        slow = parse_xml(text, Limits(max_elements=text.count("<") - 1))  # too many "<"
        assert ET.tostring(fast.root) == ET.tostring(slow.root)
        assert (fast.n_elements, fast.depth) == (slow.n_elements, slow.depth) == (4, 3)

    @pytest.mark.parametrize(
        ("body", "limits", "limit"),
        [
            ("<g/>" * 30, Limits(max_elements=20), "max_elements"),
            ("<g>" * 12 + "</g>" * 12, Limits(max_depth=10), "max_depth"),
        ],
    )
    def test_limits_are_reported_as_the_streaming_parser_reports_them(
        self, body: str, limits: Limits, limit: str
    ) -> None:
        with pytest.raises(svgkit.SVGKitError) as info:
            parse_xml(f"<svg {NS}>{body}</svg>", limits)
        assert info.value.limit == limit

    def test_a_limit_before_a_syntax_error_wins(self) -> None:
        # the streaming parser stops at the limit before it reaches the broken tail
        with pytest.raises(svgkit.SVGKitError) as info:
            parse_xml(f"<svg {NS}>" + "<g>" * 12 + "<broken", Limits(max_depth=10))
        assert info.value.limit == "max_depth"


def _old_bboxes(codes: np.ndarray, pts: np.ndarray, co: np.ndarray, po: np.ndarray) -> np.ndarray:
    """The bounding boxes one axis and one numpy call at a time, as they were first written."""
    n = co.size - 1
    out = np.full((n, 4), np.nan)
    if pts.size == 0:
        return out
    ends = np.cumsum(COMMAND_POINTS[codes])
    cubic_end = ends[codes == 2]
    on = pts.copy()
    on[cubic_end - 3] = pts[cubic_end - 1]
    on[cubic_end - 2] = pts[cubic_end - 1]
    has = np.diff(po) > 0
    starts = po[:-1][has]
    out[has, 0] = np.minimum.reduceat(on[:, 0], starts)
    out[has, 1] = np.minimum.reduceat(on[:, 1], starts)
    out[has, 2] = np.maximum.reduceat(on[:, 0], starts)
    out[has, 3] = np.maximum.reduceat(on[:, 1], starts)
    if not cubic_end.size:
        return out
    owner = np.searchsorted(po, cubic_end - 1, side="right") - 1
    p0, p1, p2, p3 = (pts[cubic_end - k] for k in (4, 3, 2, 1))
    ts, idx = [], []
    for axis in (0, 1):
        a = -p0[:, axis] + 3 * p1[:, axis] - 3 * p2[:, axis] + p3[:, axis]
        b = 2 * (p0[:, axis] - 2 * p1[:, axis] + p2[:, axis])
        c = p1[:, axis] - p0[:, axis]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            disc = b * b - 4 * a * c
            sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
            quad = np.abs(a) > 1e-12
            t1 = np.where(quad, (-b + sq) / (2 * a), np.where(np.abs(b) > 1e-12, -c / b, np.nan))
            t2 = np.where(quad, (-b - sq) / (2 * a), np.nan)
        for t in (t1, t2):
            ok = (t > 0) & (t < 1)
            ts.append(t[ok])
            idx.append(np.nonzero(ok)[0])
    t = np.concatenate(ts)
    k = np.concatenate(idx)
    mt = 1 - t
    w0, w1, w2, w3 = mt**3, 3 * mt * mt * t, 3 * mt * t * t, t**3
    x = w0 * p0[k, 0] + w1 * p1[k, 0] + w2 * p2[k, 0] + w3 * p3[k, 0]
    y = w0 * p0[k, 1] + w1 * p1[k, 1] + w2 * p2[k, 1] + w3 * p3[k, 1]
    eo = owner[k]
    np.minimum.at(out[:, 0], eo, x)
    np.minimum.at(out[:, 1], eo, y)
    np.maximum.at(out[:, 2], eo, x)
    np.maximum.at(out[:, 3], eo, y)
    return out


def test_bounding_boxes_match_the_axis_by_axis_computation() -> None:
    rng = np.random.default_rng(3)
    for _ in range(1500):
        codes: list[int] = []
        chunks, n_cmds, n_pts = [], [], []
        for _ in range(int(rng.integers(1, 5))):
            k = int(rng.integers(0, 6))
            c = ([0] if k else []) + [int(rng.choice([1, 2, 2, 3])) for _ in range(k)]
            npt = int(sum(COMMAND_POINTS[x] for x in c))
            p = rng.normal(size=(npt, 2)) * (10.0 ** int(rng.integers(-30, 30)))
            if rng.random() < 0.3:
                p = np.round(p)
            if rng.random() < 0.2:
                p[rng.random(p.shape) < 0.5] = 0.0
            if rng.random() < 0.1:
                p[rng.random(p.shape) < 0.5] *= -0.0
            codes += c
            chunks.append(p)
            n_cmds.append(len(c))
            n_pts.append(npt)
        code_arr = np.array(codes, dtype=np.uint8)
        pts = np.concatenate(chunks)
        co = np.concatenate([[0], np.cumsum(n_cmds)]).astype(np.int64)
        po = np.concatenate([[0], np.cumsum(n_pts)]).astype(np.int64)
        with np.errstate(all="ignore"):
            expected = _old_bboxes(code_arr, pts, co, po)
            got = primitive_bboxes(code_arr, pts, co, po)
        assert got.tobytes() == expected.tobytes()


def test_rendering_into_the_result_array_matches_cairos_own_surface() -> None:
    # the filter layer composites onto a clear surface: cairo must know the target is clear
    from svgkit.renderer.pixel_formats import argb32_to_rgba

    text = (
        f'<svg {NS} viewBox="0 0 200 200"><filter id="f"><feGaussianBlur stdDeviation="4"/>'
        '</filter><clipPath id="c"><path d="M100 15 l50 160 l-130 -100 l160 0 l-130 100 z"/>'
        '</clipPath><rect x="40" y="40" width="120" height="120" fill="seagreen" '
        'clip-path="url(#c)" filter="url(#f)"/><circle cx="50" cy="50" r="30" fill="red" '
        'opacity="0.5"/></svg>'
    )
    surface = svgkit.render_surface(text, 200, 200)
    expected = argb32_to_rgba(surface.get_data(), 200, 200, surface.get_stride())
    assert np.array_equal(svgkit.render(text, 200, 200), expected)
    out = np.full((200, 200, 4), 7, dtype=np.uint8)
    from svgkit.renderer.surface import render_checked

    assert render_checked(text, 200, 200, None, out=out) is out
    assert np.array_equal(out, expected)
    assert math.isfinite(float(expected.mean()))


def test_paint_kinds_of_the_fast_path_are_the_enum() -> None:
    fast = simple_paint("blue", "1")
    assert fast is not None and fast[0] is PaintKind.SOLID


def test_small_boxes_in_python_match_numpy() -> None:
    from svgkit.build import path_data
    from svgkit.build.shapes import user_space_bbox

    def numpy_box(pd: path_data.PathData) -> tuple[float, ...] | None:
        codes = np.asarray(pd.codes, dtype=np.uint8)
        pts = np.asarray(pd.points, dtype=np.float64).reshape(-1, 2)
        with np.errstate(all="ignore"):
            b = primitive_bboxes(codes, pts, np.array([0, codes.size]), np.array([0, len(pts)]))
        return tuple(b[0].tolist()) if np.isfinite(b[0]).all() else None

    rng = random.Random(4)

    def num(scale: float) -> float:
        r = rng.random()
        if r < 0.1:
            return rng.choice([0.0, -0.0, 1e-310, -1e300])
        if r < 0.3:
            return float(rng.randint(-100, 100))
        return rng.uniform(-1.0, 1.0) * scale

    for _ in range(3000):
        scale = 10.0 ** rng.randint(-5, 8)
        pick = rng.random()
        if pick < 0.3:
            pd = path_data.ellipse_commands(num(scale), num(scale), abs(num(scale)) + 1e-3, 2.0)
        elif pick < 0.5:
            w, h = abs(num(scale)) + 1.0, abs(num(scale)) + 1.0
            pd = path_data.rect_commands(num(scale), num(scale), w, h, w / 3, h / 4)
        else:
            pd = path_data.PathData()
            pd.codes.append(0)
            pd.points += [num(scale), num(scale)]
            for _ in range(rng.randint(1, 8)):
                code = rng.choice([1, 2, 2, 3])
                pd.codes.append(code)
                pd.points += [num(scale) for _ in range(int(COMMAND_POINTS[code]) * 2)]
        expected = numpy_box(pd)
        got = user_space_bbox(pd)
        assert (got is None) == (expected is None)
        if got is not None and expected is not None:
            assert _same(got, expected), (pd.codes, pd.points)


def test_in_place_conversion_matches_the_two_array_kernel() -> None:
    from svgkit.renderer.pixel_formats import argb32_to_rgba, argb32_to_rgba_inplace

    rng = np.random.default_rng(5)
    alpha = np.arange(256, dtype=np.uint32)[:, None]
    chan = np.arange(256, dtype=np.uint32)[None, :]
    every = ((alpha << 24) | (chan << 16) | ((255 - chan) << 8) | chan).ravel()
    words = [
        every,
        rng.integers(0, 2**32, size=4099, dtype=np.uint64).astype(np.uint32),
        np.full(300, 0xFF102030, dtype=np.uint32),
        np.zeros(130, dtype=np.uint32),
        np.concatenate([np.full(64, 0xFF0000FF, dtype=np.uint32), every[:7]]),
    ]
    for w in words:
        width = int(w.size)
        expected = argb32_to_rgba(w.tobytes(), width, 1, 4 * width)
        pixels = w.copy().view(np.uint8).reshape(1, width, 4)
        assert argb32_to_rgba_inplace(pixels) is pixels
        assert np.array_equal(pixels, expected)
