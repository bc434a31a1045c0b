"""Scene statistics: exact areas, raster visibility against shapely and cairo, invisibility."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cairo
import numpy as np
import pytest
import shapely
from hypothesis import assume, given
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box
from strategies import arbitrary_text, simple_opaque_shapes, svg_documents, transforms

import svgkit
from svgkit.geometry import (
    INVISIBLE_REASONS,
    TEXT_INK_FRACTION,
    SceneStats,
    objects,
    relations,
    stats,
)

FIXTURES = Path(__file__).parent / "fixtures" / "geometry"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}">{body}</svg>'


def doc(body: str, w: float = 100, h: float = 100) -> str:
    return SVG.format(w=w, h=h, body=body)


# ---- exact areas -----------------------------------------------------------------------------


def _curve_error_bound(shape) -> float:
    """Area error bound: exact for polygons; for convex curved shapes the area between curves and
    chords is added back exactly, leaving the arc-as-cubic error (radius error < 3e-4)."""
    curved = shape.tag in ("circle", "ellipse") or (
        shape.tag == "rect" and shape.params["rx"] > 0)
    return (6e-4 if curved else 1e-9) * max(shape.area, 1.0)


@given(simple_opaque_shapes())
def test_areas_match_analytic_values(shape):
    s = stats(shape.svg)
    assert s.kind_counts[shape.tag] == 1
    assert abs(s.area[0] - shape.area) <= _curve_error_bound(shape)
    cx, cy = s.centroid[0]
    x0, y0, x1, y1 = shape.bbox
    assert x0 <= cx <= x1 and y0 <= cy <= y1
    assert s.primitive_outside_fraction[0] == pytest.approx(0.0, abs=1e-9)


@given(simple_opaque_shapes(), transforms())
def test_area_scales_with_the_determinant(shape, transform):
    text, m = transform
    det = abs(m[0] * m[3] - m[1] * m[2])
    assume(det > 1e-3)
    s = stats(shape.svg.replace(shape.element, f'<g transform="{text}">{shape.element}</g>'))
    tol = _curve_error_bound(shape) * max(det, math.sqrt(det), 1.0) + 1e-6 * det * shape.area
    assert abs(s.area[0] - det * shape.area) <= tol


def _star(cx: float, cy: float, r: float) -> str:
    pts = [(round(cx + r * math.cos(math.pi / 2 + k * 4 * math.pi / 5), 4),
            round(cy + r * math.sin(math.pi / 2 + k * 4 * math.pi / 5), 4)) for k in range(5)]
    return " ".join(f"{x},{y}" for x, y in pts), pts


@pytest.mark.parametrize("rule", ["nonzero", "evenodd"])
def test_fill_rule_of_a_self_intersecting_star(rule):
    text, pts = _star(50, 50, 40)
    s = stats(doc(f'<polygon points="{text}" fill-rule="{rule}"/>'))
    # the outline's faces: evenodd fills the five points, nonzero the pentagon between them too
    faces = list(shapely.polygonize([shapely.unary_union(shapely.LineString([*pts, pts[0]]))]).geoms)
    if rule == "evenodd":
        expected = shapely.make_valid(Polygon(pts)).area
    else:
        expected = shapely.unary_union(faces).area
    assert len(faces) == 6
    assert s.area[0] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("rule", "inner", "expected"), [
    ("nonzero", "M30 30 L30 70 L70 70 L70 30 Z", 6400 - 1600),  # opposite orientation: a hole
    ("nonzero", "M30 30 L70 30 L70 70 L30 70 Z", 6400),  # same orientation: no hole
    ("evenodd", "M30 30 L70 30 L70 70 L30 70 Z", 6400 - 1600),
])
def test_holes_follow_the_fill_rule(rule, inner, expected):
    s = stats(doc(f'<path d="M10 10 L90 10 L90 90 L10 90 Z {inner}" fill-rule="{rule}"/>'))
    assert s.area[0] == pytest.approx(expected)
    assert s.painted_area[0] == pytest.approx(expected, rel=0.01)


def test_text_area_is_the_box_times_the_ink_fraction():
    scene = svgkit.parse(doc('<text x="10" y="50" font-size="20">Hello</text>'))
    x0, y0, x1, y1 = scene.texts[0].bbox
    s = stats(scene)
    assert s.area[0] == pytest.approx((x1 - x0) * (y1 - y0) * TEXT_INK_FRACTION)


def test_stroke_area_is_length_times_device_width():
    s = stats(doc('<g transform="scale(2)"><line x1="5" y1="10" x2="45" y2="10" '
                  'stroke="black" stroke-width="3"/></g>'))
    assert s.stroke_area[0] == pytest.approx(80 * 6)
    assert s.painted_area[0] == pytest.approx(80 * 6, rel=0.05)
    assert s.invisible == ()


def test_dashes_paint_their_duty_cycle():
    solid = stats(doc('<line x1="0" y1="50" x2="100" y2="50" stroke="red" stroke-width="8"/>'))
    dashed = stats(doc('<line x1="0" y1="50" x2="100" y2="50" stroke="red" stroke-width="8" '
                       'stroke-dasharray="10 10"/>'))
    assert dashed.painted_area[0] == pytest.approx(solid.painted_area[0] / 2, rel=0.05)


# ---- visibility against exact polygon operations ---------------------------------------------


@st.composite
def opaque_scenes(draw):
    """Up to 8 rects, circles and convex polygons, some translucent, on a 200×160 canvas."""
    shapes, body = [], []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["rect", "circle", "polygon"]))
        opaque = draw(st.booleans()) or draw(st.booleans())
        alpha = "" if opaque else ' fill-opacity="0.5"'
        if kind == "rect":
            x, y = draw(st.integers(-30, 190)), draw(st.integers(-30, 150))
            w, h = draw(st.integers(4, 120)), draw(st.integers(4, 120))
            geom = box(x, y, x + w, y + h)
            body.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}"{alpha}/>')
        elif kind == "circle":
            x, y, r = draw(st.integers(0, 200)), draw(st.integers(0, 160)), draw(
                st.integers(3, 60))
            geom = Point(x, y).buffer(r, quad_segs=128)
            body.append(f'<circle cx="{x}" cy="{y}" r="{r}"{alpha}/>')
        else:
            cx, cy, r = draw(st.integers(20, 180)), draw(st.integers(20, 140)), draw(
                st.integers(5, 60))
            k = draw(st.integers(3, 7))
            pts = [(round(cx + r * math.cos(2 * math.pi * i / k + 0.3), 2),
                    round(cy + r * math.sin(2 * math.pi * i / k + 0.3), 2)) for i in range(k)]
            geom = Polygon(pts)
            body.append('<polygon points="' + " ".join(f"{a},{b}" for a, b in pts)
                        + f'"{alpha}/>')
        shapes.append((geom, opaque))
    return doc("".join(body), 200, 160), shapes


def _exact_visibility(shapes, w, h):
    canvas = box(0, 0, w, h)
    out = []
    for i, (geom, _) in enumerate(shapes):
        painted = geom.intersection(canvas)
        later = [g for g, opaque in shapes[i + 1 :] if opaque]
        visible = painted.difference(shapely.unary_union(later)) if later else painted
        # boundary length that can be mis-sampled: own outline plus outlines of later covers
        boundary = geom.length + sum(g.length for g in later if g.intersects(geom))
        out.append((painted.area, visible.area, boundary))
    return out


@given(opaque_scenes())
def test_visible_areas_agree_with_shapely(scene):
    text, shapes = scene
    s = stats(text)
    px = 200 / 256
    for i, (painted, visible, boundary) in enumerate(_exact_visibility(shapes, 200, 160)):
        bound = 1.5 * px * boundary + 2 * px * px
        assert abs(s.painted_area[i] - painted) <= bound
        assert abs(s.visible_area[i] - visible) <= bound
        if painted >= 0.05 * 200 * 160:
            assert abs(s.visible_fraction[i] - visible / painted) <= 0.03
    union = shapely.unary_union([g for g, _ in shapes]).intersection(box(0, 0, 200, 160))
    perimeter = sum(g.length for g, _ in shapes)
    assert abs(s.coverage * 200 * 160 - union.area) <= 1.5 * px * perimeter + 2 * px * px


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=12,
                unique=True))
def test_disjoint_shapes_are_fully_visible(cells):
    body = "".join(
        f'<rect x="{25 * c + 2}" y="{25 * r + 2}" width="20" height="20" fill="#{7 * k:06x}"/>'
        if k % 2 else f'<circle cx="{25 * c + 12.5}" cy="{25 * r + 12.5}" r="9"/>'
        for k, (c, r) in enumerate(cells)
    )
    s = stats(doc(body))
    assert np.all(s.visible_fraction == 1.0)
    assert s.invisible == ()


@given(simple_opaque_shapes(), st.sampled_from(["", ' opacity="0.5"', ' fill-opacity="0.2"']))
def test_a_later_opaque_cover_hides_everything(shape, translucent):
    x0, y0, x1, y1 = shape.bbox
    cover = f'<rect x="{x0 - 2}" y="{y0 - 2}" width="{x1 - x0 + 4}" height="{y1 - y0 + 4}"'
    s = stats(shape.svg.replace(shape.element, shape.element + cover + translucent + "/>"))
    if translucent:
        assert s.visible_fraction[0] == 1.0
    else:
        assert s.visible_area[0] == 0.0
        assert s.invisible[0].reasons == ("fully_occluded",)


def test_group_opacity_stops_occlusion():
    s = stats(doc('<rect width="50" height="50"/>'
                  '<g opacity="0.99"><rect width="100" height="100" fill="red"/></g>'))
    assert s.visible_fraction[0] == 1.0
    s = stats(doc('<rect width="50" height="50"/>'
                  '<g opacity="1"><rect width="100" height="100" fill="red"/></g>'))
    assert s.visible_fraction[0] == 0.0


def test_coverage_is_a_union_and_alpha_coverage_composites():
    s = stats(doc('<rect width="60" height="100" fill-opacity="0.5"/>'
                  '<rect x="40" width="60" height="100" fill-opacity="0.5"/>'))
    assert s.coverage == pytest.approx(1.0)
    # 20 % of the canvas under both: 1 - 0.5 * 0.5; 80 % under one: 0.5
    assert s.alpha_coverage == pytest.approx(0.2 * 0.75 + 0.8 * 0.5, abs=0.01)


def test_clip_paths_restrict_painting():
    s = stats(doc('<clipPath id="c"><circle cx="50" cy="50" r="25"/></clipPath>'
                  '<rect width="100" height="100" clip-path="url(#c)"/>'))
    assert s.painted_area[0] == pytest.approx(math.pi * 625, rel=0.02)
    assert s.coverage == pytest.approx(math.pi * 625 / 1e4, rel=0.02)


def test_outside_fraction():
    s = stats(doc('<rect x="-50" width="100" height="100" fill="red"/>'
                  '<rect x="50" width="50" height="100" fill="blue"/>'))
    assert s.primitive_outside_fraction.tolist() == [0.5, 0.0]
    assert s.outside_fraction == pytest.approx(5000 / 15000)


# ---- against a renderer ---------------------------------------------------------------------


def _cairo_alpha(scene: svgkit.Scene, width: int, height: int) -> np.ndarray:
    """Fill every painted primitive's flattened polygons (fill rule, alpha) with cairo."""
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
    ctx = cairo.Context(surface)
    ctx.scale(width / scene.canvas.width, height / scene.canvas.height)
    flat = scene.flat
    for i in range(len(scene)):
        if scene.fill_kind[i] == 0:
            continue
        ctx.new_path()
        for k in range(flat.prim_subpath_offsets[i], flat.prim_subpath_offsets[i + 1]):
            ring = flat.points[flat.subpath_offsets[k] : flat.subpath_offsets[k + 1]]
            ctx.move_to(*ring[0])
            for x, y in ring[1:]:
                ctx.line_to(x, y)
            ctx.close_path()
        ctx.set_fill_rule(cairo.FILL_RULE_EVEN_ODD if scene.fill_rule[i] else
                          cairo.FILL_RULE_WINDING)
        ctx.set_source_rgba(0, 0, 0, float(scene.fill_rgba[i, 3]) * scene.opacity[i])
        ctx.fill()
    data = np.frombuffer(surface.get_data(), dtype=np.uint8).reshape(height, -1, 4)
    return data[:, :width, 3] / 255.0  # BGRA little-endian: alpha last


@given(opaque_scenes())
def test_coverage_agrees_with_cairo(scene):
    text, _ = scene
    parsed = svgkit.parse(text)
    s = stats(parsed)
    alpha = _cairo_alpha(parsed, 400, 320)
    assert abs(s.alpha_coverage - alpha.mean()) <= 0.02
    assert abs(s.coverage - (alpha > 0.5).mean()) <= 0.02


def test_coverage_agrees_with_cairosvg():
    cairosvg = pytest.importorskip("cairosvg")
    text = doc('<rect x="10" y="10" width="50" height="30" fill="red"/>'
               '<circle cx="60" cy="60" r="30" fill="blue" fill-opacity="0.5"/>'
               '<path d="M10 90 L 50 60 L 90 95 Z" fill="green"/>')
    png = cairosvg.svg2png(bytestring=text.encode(), output_width=200, output_height=200)
    from io import BytesIO

    from PIL import Image

    alpha = np.asarray(Image.open(BytesIO(png)).convert("RGBA"))[..., 3] / 255.0
    s = stats(text)
    assert abs(s.alpha_coverage - alpha.mean()) <= 0.01
    assert abs(s.coverage - (alpha > 0).mean()) <= 0.02


def test_coverage_agrees_with_svgkit_render():
    render = getattr(svgkit, "render", None) if "render" in dir(svgkit) else None
    if render is None:
        pytest.skip("svgkit.render is not available yet")
    for path in sorted(Path(svgkit.__file__).parent.joinpath("examples").glob("*.svg")):
        scene = svgkit.parse(path.read_text())
        w, h = scene.canvas.width, scene.canvas.height
        size = (512, round(512 * h / w)) if w >= h else (round(512 * w / h), 512)
        alpha = render(scene, *size)[..., 3] / 255.0
        s = stats(scene)
        assert abs(s.alpha_coverage - alpha.mean()) <= 0.01, path.name
        assert abs(s.coverage - (alpha > 0).mean()) <= 0.02, path.name


@given(opaque_scenes())
def test_coverage_agrees_with_svgkit_render_on_generated_scenes(scene):
    render = getattr(svgkit, "render", None) if "render" in dir(svgkit) else None
    if render is None:
        pytest.skip("svgkit.render is not available yet")
    text, _ = scene
    alpha = render(text, 400, 320)[..., 3] / 255.0
    s = stats(text)
    assert abs(s.alpha_coverage - alpha.mean()) <= 0.02
    assert abs(s.coverage - (alpha > 0.5).mean()) <= 0.02


# ---- invisibility, counts, output ------------------------------------------------------------


def test_each_invisibility_reason_is_found():
    s = stats((FIXTURES / "invisible.svg").read_text())
    found = {p.id: p.reasons for p in s.invisible}
    assert found == {
        "hidden": ("hidden",),
        "no-paint": ("no_paint",),
        "transparent": ("transparent",),
        "degenerate": ("degenerate",),
        "outside": ("outside_canvas",),
        "clipped": ("clipped_out",),
        "occluded": ("fully_occluded",),
    }
    assert s.invisible_counts == dict.fromkeys(INVISIBLE_REASONS, 1)
    assert s.n_invisible == 7 and s.n_degenerate == 1


def test_counts_of_kinds_commands_colours_and_uses():
    s = stats(doc(
        '<defs><circle id="dot" r="3" fill="hsl(120, 100%, 50%)"/></defs>'
        '<rect width="10" height="10" fill="#f00"/><path d="M0 0 L10 10 Q 20 20 30 0 Z" '
        'stroke="blue" fill="none"/><use href="#dot" x="50" y="50"/><use href="#dot" x="60"/>'
        '<text x="5" y="90" fill="rgb(0,0,255)">hi</text>'))
    assert s.kind_counts == {"rect": 1, "circle": 2, "ellipse": 0, "line": 0, "polyline": 0,
                             "polygon": 0, "path": 1, "text": 1, "image": 0}
    assert s.path_commands == {"move": 1, "line": 1, "cubic": 1, "close": 1}
    assert s.use_expansions == 2 and s.use_primitives == 2
    assert s.fill_colors == ("#0000ff", "#00ff00", "#ff0000")
    assert s.stroke_colors == ("#0000ff",)
    names = {c["hex"]: c["name"] for c in s.visible_colors}
    assert names["#ff0000"] == "red" and names["#00ff00"] == "green"


def test_to_dict_is_strict_json():
    s = stats((FIXTURES / "invisible.svg").read_text())
    data = json.loads(json.dumps(s.to_dict(), allow_nan=False))
    assert data["n_primitives"] == 8 and len(data["primitives"]) == 8
    assert data["primitives"][0]["visible_fraction"] is None  # hidden: nothing painted
    assert "primitives" not in s.to_dict(primitives=False)


def test_empty_scene():
    s = stats(doc(""))
    assert isinstance(s, SceneStats)
    assert s.n_primitives == 0 and s.coverage == 0.0 and math.isnan(s.outside_fraction)
    assert json.dumps(s.to_dict(), allow_nan=False)


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="resolution"):
        stats(doc(""), resolution=4)
    with pytest.raises(TypeError, match="scene"):
        stats(42)  # type: ignore[arg-type]
    with pytest.raises(svgkit.SVGKitError):
        stats("no svg here")


def test_resolution_changes_raster_not_exact_values():
    text = doc('<circle cx="50" cy="50" r="30"/><rect x="40" y="40" width="40" height="40"/>')
    coarse, fine = stats(text, resolution=64), stats(text, resolution=1024)
    assert coarse.area.tolist() == fine.area.tolist()
    exact = Point(50, 50).buffer(30, quad_segs=256).difference(box(40, 40, 80, 80)).area
    assert abs(fine.visible_area[0] - exact) < abs(coarse.visible_area[0] - exact) + 1.0
    assert fine.visible_area[0] == pytest.approx(exact, rel=0.01)


# ---- robustness -------------------------------------------------------------------------------


@given(svg_documents())
def test_generated_documents_give_consistent_json(doc_):
    s = stats(doc_.text)
    assert s.n_primitives == doc_.n_primitives
    assert 0.0 <= s.coverage <= 1.0 and 0.0 <= s.alpha_coverage <= 1.0 + 1e-9
    assert np.all(s.visible_area <= s.painted_area)
    assert np.all(np.nan_to_num(s.area) >= 0)
    objs = objects(doc_.text)
    assert sorted(i for o in objs for i in o.primitives) == list(range(s.n_primitives))
    json.dumps(s.to_dict(), allow_nan=False)
    json.dumps([o.to_dict() for o in objs], allow_nan=False)
    json.dumps([r.to_dict() for r in relations(objs)], allow_nan=False)


@given(arbitrary_text())
def test_junk_gives_a_classified_error_or_a_result(text):
    try:
        s = stats(text)
    except svgkit.SVGKitError:
        return
    assert isinstance(s, SceneStats)
