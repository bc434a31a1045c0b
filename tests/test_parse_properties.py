"""Properties of validate() and parse() over generated input (strategies in tests/strategies.py).

- ``validate`` never raises and answers a known code for any text or bytes; ``parse`` raises
  nothing but classified :class:`svgkit.SVGKitError` and agrees with ``validate``;
- a generated document parses into exactly the primitives it draws (count, kinds, paint order,
  element counts, ``<use>`` expansions), with the generator's transforms, bboxes and paint;
- wrapping the drawn content in ``<g transform="translate(dx, dy)">`` moves every command point
  and every bbox by the device image of ``(dx, dy)``, and nothing else;
- parsing is deterministic (every array and list of two parses is identical);
- the building blocks (colours, transforms, opaque shapes) parse to their exact values.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    GeneratedSVG,
    OpaqueShape,
    ShapeSpec,
    arbitrary_text,
    colors,
    fmt,
    simple_opaque_shapes,
    svg_documents,
    transforms,
)

import svgkit
from svgkit import Limits, PrimitiveKind, Scene, SVGKitError
from svgkit.scene import PaintKind

KNOWN_CODES = frozenset(
    {
        "OK",
        "NO_SVG",
        "TRUNCATED",
        "XML_SYNTAX",
        "NOT_SVG",
        "FORBIDDEN",
        "LIMIT",
        "BAD_GEOMETRY",
        "EMPTY",
        "BAD_INPUT",
    }
)
PARSE_ERROR_CODES = KNOWN_CODES - {"OK", "EMPTY"}
LIMIT_FIELDS = frozenset(Limits().to_dict())
PAINT_KIND = {
    "none": PaintKind.NONE,
    "solid": PaintKind.SOLID,
    "linear": PaintKind.LINEAR_GRADIENT,
    "radial": PaintKind.RADIAL_GRADIENT,
}
# exact binary fractions: translating by them adds no rounding of its own
OFFSETS = [0.5, 3.0, -12.25, 100.0, -0.75, 0.0]
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
# rgb(%) and hsl() are real-valued; a parser may quantise them to 8 bits as browsers do
# (svgelements truncates hsl() rather than rounding it, so allow one whole step)
COLOUR_TOL = 1 / 255 + 1e-6

generated = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- any input -----------------------------------------------------------------------------------


@generated
@given(arbitrary_text())
def test_validate_never_raises_and_answers_a_known_code(data: str | bytes) -> None:
    report = svgkit.validate(data)
    assert report.code in KNOWN_CODES, (report.code, report.message)
    assert report.ok == (report.code == "OK")
    if report.code == "LIMIT":
        assert report.limit in LIMIT_FIELDS
    else:
        assert report.limit is None
    if not report.ok:
        assert report.message


@generated
@given(arbitrary_text())
def test_parse_raises_only_classified_errors_and_agrees_with_validate(data: str | bytes) -> None:
    report = svgkit.validate(data)
    try:
        scene = svgkit.parse(data)
    except SVGKitError as exc:
        assert exc.code in PARSE_ERROR_CODES
        assert (exc.code, exc.limit) == (report.code, report.limit)
    else:
        assert isinstance(scene, Scene)
        assert report.code in ("OK", "EMPTY")
        assert report.primitives == len(scene)


@pytest.mark.parametrize("value", [None, 42, 3.5, ["<svg/>"], {"svg": 1}, object()])
def test_validate_reports_non_text_as_bad_input(value: Any) -> None:
    report = svgkit.validate(value)
    assert (report.ok, report.code) == (False, "BAD_INPUT")


# --- generated documents ---------------------------------------------------------------------------


@generated
@given(svg_documents())
def test_generated_document_parses_into_what_it_draws(doc: GeneratedSVG) -> None:
    scene = svgkit.parse(doc.text)
    assert len(scene) == doc.n_primitives
    assert scene.tags == doc.tags
    kinds = Counter(PrimitiveKind(int(k)).name.lower() for k in scene.kind)
    assert kinds == doc.kinds
    assert dict(scene.element_counts) == dict(doc.element_counts)
    assert scene.use_expansions == doc.use_count
    assert (scene.canvas.width, scene.canvas.height) == (doc.width, doc.height)
    np.testing.assert_allclose(scene.canvas.transform, doc.canvas_transform, rtol=0, atol=1e-12)
    report = svgkit.validate(doc.text)
    assert (report.ok, report.code, report.primitives) == (True, "OK", doc.n_primitives)


def _scale(values: Any) -> float:
    return 1.0 + float(np.max(np.abs(np.asarray(values, dtype=np.float64))))


def _check_primitive(scene: Scene, i: int, spec: ShapeSpec) -> None:
    where = f"primitive {i} <{spec.tag}> {spec.element_id!r}"
    tol = 1e-9 * _scale(spec.transform)
    np.testing.assert_allclose(scene.transform[i], spec.transform, rtol=0, atol=tol, err_msg=where)
    if spec.device_bbox is not None:
        size = _scale(spec.device_bbox)
        # arcs are cubics within 3e-4 of the radius; straight edges are exact up to rounding
        curved = spec.tag in ("circle", "ellipse") or spec.params.get("rx", 0) > 0
        atol = 1e-3 * size if curved else 1e-9 * size
        np.testing.assert_allclose(
            scene.bbox[i], spec.device_bbox, rtol=0, atol=atol, err_msg=where
        )
    assert bool(scene.visible[i]) == spec.visible, where
    assert scene.opacity[i] == pytest.approx(spec.opacity), where
    if not spec.use_instance:
        assert scene.ids[i] == spec.element_id, where
    if spec.tag in ("rect", "circle", "ellipse"):
        assert scene.fill_kind[i] == PAINT_KIND[spec.fill.kind], where
        if spec.fill.kind != "none":
            assert scene.fill_rgba[i, 3] == pytest.approx(spec.fill_opacity, abs=1e-6), where
        if spec.fill.kind == "solid":
            assert spec.fill.rgb is not None
            expected = np.array(spec.fill.rgb) / 255.0
            np.testing.assert_allclose(
                scene.fill_rgba[i, :3], expected, atol=COLOUR_TOL, err_msg=where
            )
        elif spec.fill.kind in ("linear", "radial"):
            assert scene.fill_paint[i] >= 0, where
            assert scene.gradients[scene.fill_paint[i]].id == spec.fill.gradient_id, where
    assert scene.stroke_kind[i] == PAINT_KIND[spec.stroke.kind], where
    if spec.stroke.kind == "solid":
        assert spec.stroke.rgb is not None
        expected = np.array(spec.stroke.rgb) / 255.0
        np.testing.assert_allclose(
            scene.stroke_rgba[i, :3], expected, atol=COLOUR_TOL, err_msg=where
        )
        assert scene.stroke_width[i] == pytest.approx(spec.stroke_width), where
        dashes = scene.dash_values[scene.dash_offsets[i] : scene.dash_offsets[i + 1]]
        np.testing.assert_allclose(dashes, spec.dasharray, atol=1e-12, err_msg=where)


@generated
@given(svg_documents())
def test_generated_primitives_have_their_transforms_bboxes_and_paint(doc: GeneratedSVG) -> None:
    scene = svgkit.parse(doc.text)
    assert len(scene) == doc.n_primitives
    for i, spec in enumerate(doc.shapes):
        _check_primitive(scene, i, spec)


@generated
@given(svg_documents(), st.sampled_from(OFFSETS), st.sampled_from(OFFSETS))
def test_root_translate_moves_every_point_and_bbox(doc: GeneratedSVG, dx: float, dy: float) -> None:
    base = svgkit.parse(doc.text)
    moved = svgkit.parse(doc.wrapped(f"translate({fmt(dx)},{fmt(dy)})"))
    a, b, c, d, _, _ = doc.canvas_transform
    offset = np.array([a * dx + c * dy, b * dx + d * dy])

    assert moved.canvas == base.canvas
    assert moved.tags == base.tags
    np.testing.assert_array_equal(moved.cmd_codes, base.cmd_codes)
    np.testing.assert_array_equal(moved.cmd_offsets, base.cmd_offsets)
    np.testing.assert_array_equal(moved.pt_offsets, base.pt_offsets)
    if base.cmd_points.size:
        tol = 1e-9 * _scale(base.cmd_points)
        np.testing.assert_allclose(moved.cmd_points, base.cmd_points + offset, rtol=0, atol=tol)
    box_offset = np.concatenate([offset, offset])
    for name in ("bbox", "stroke_bbox"):
        before, after = getattr(base, name), getattr(moved, name)
        np.testing.assert_array_equal(np.isnan(after), np.isnan(before), err_msg=name)
        finite = ~np.isnan(before).any(axis=1)
        if finite.any():
            tol = 1e-9 * _scale(before[finite])
            np.testing.assert_allclose(
                after[finite], before[finite] + box_offset, rtol=0, atol=tol, err_msg=name
            )


def _assert_same(x: Any, y: Any, path: str) -> None:
    assert type(x) is type(y), path
    if isinstance(x, np.ndarray):
        assert x.dtype == y.dtype and x.shape == y.shape, path
        np.testing.assert_array_equal(x, y, err_msg=path)
    elif dataclasses.is_dataclass(x):
        for f in dataclasses.fields(x):
            _assert_same(getattr(x, f.name), getattr(y, f.name), f"{path}.{f.name}")
    elif isinstance(x, (list, tuple)):
        assert len(x) == len(y), path
        for k, (u, v) in enumerate(zip(x, y)):
            _assert_same(u, v, f"{path}[{k}]")
    elif isinstance(x, dict):
        assert list(x) == list(y), path
        for k in x:
            _assert_same(x[k], y[k], f"{path}[{k!r}]")
    elif isinstance(x, float) and math.isnan(x):
        assert math.isnan(y), path
    else:
        assert x == y, path


@generated
@given(svg_documents())
def test_parse_is_deterministic(doc: GeneratedSVG) -> None:
    first, second = svgkit.parse(doc.text), svgkit.parse(doc.text)
    for f in dataclasses.fields(Scene):
        _assert_same(getattr(first, f.name), getattr(second, f.name), f.name)


# --- building blocks ---------------------------------------------------------------------------------


@given(colors())
def test_every_colour_syntax_parses_to_its_value(
    color: tuple[str, tuple[float, float, float]],
) -> None:
    css, rgb = color
    for paint in (f'fill="{css}"', f'style="fill: {css}"'):
        scene = svgkit.parse(f'{SVG_OPEN}<rect width="4" height="4" {paint}/></svg>')
        assert scene.fill_kind[0] == PaintKind.SOLID
        np.testing.assert_allclose(
            scene.fill_rgba[0], [*np.array(rgb) / 255.0, 1.0], atol=COLOUR_TOL
        )


@given(transforms())
def test_every_transform_syntax_parses_to_its_matrix(transform: tuple[str, Any]) -> None:
    attr, matrix = transform
    scene = svgkit.parse(f'{SVG_OPEN}<rect width="4" height="4" transform="{attr}"/></svg>')
    tol = 1e-9 * _scale(matrix)
    np.testing.assert_allclose(scene.transform[0], matrix, rtol=0, atol=tol)


@given(simple_opaque_shapes())
def test_opaque_shape_parses_to_its_bbox_and_colour(shape: OpaqueShape) -> None:
    scene = svgkit.parse(shape.svg)
    assert len(scene) == 1 and scene.tags == [shape.tag]
    curved = shape.tag in ("circle", "ellipse")
    atol = 1e-3 * _scale(shape.bbox) if curved else 1e-9 * _scale(shape.bbox)
    np.testing.assert_allclose(scene.bbox[0], shape.bbox, rtol=0, atol=atol)
    assert scene.fill_kind[0] == PaintKind.SOLID and scene.stroke_kind[0] == PaintKind.NONE
    expected = [*np.array(shape.rgb) / 255.0, 1.0]
    np.testing.assert_allclose(scene.fill_rgba[0], expected, atol=COLOUR_TOL)
    x0, y0, x1, y1 = scene.bbox[0]
    assert 0 <= x0 and x1 <= shape.width and 0 <= y0 and y1 <= shape.height
    assert svgkit.validate(shape.svg).ok
