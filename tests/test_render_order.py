"""Paint order details: markers between a fill and a stroke, and an empty filtered group."""

from __future__ import annotations

import numpy as np
import pytest

import svgkit

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">{}</svg>'
MARKER = (
    '<marker id="m" refX="10" refY="10" markerWidth="20" markerHeight="20" '
    'markerUnits="userSpaceOnUse"><rect width="20" height="20" fill="orange"/></marker>'
)
SQUARE = (
    '<path d="M 20 20 L 80 20 L 80 80 L 20 80 Z" fill="green" stroke="blue" stroke-width="6" '
    'marker-start="url(#m)" paint-order="{}"/>'
)
GREEN, BLUE, ORANGE = (0, 128, 0), (0, 0, 255), (255, 165, 0)


def _at(order: str, x: int, y: int) -> tuple[int, int, int]:
    rgba = svgkit.render(SVG.format(MARKER + SQUARE.format(order)), 100, 100)
    return tuple(int(v) for v in rgba[y, x, :3])  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("order", "inside_marker", "on_stroke_in_marker"),
    [
        ("normal", ORANGE, ORANGE),  # fill, stroke, markers
        ("stroke markers", GREEN, ORANGE),  # stroke, markers, fill
        ("fill markers stroke", ORANGE, BLUE),
        ("markers", GREEN, BLUE),  # markers, fill, stroke
        ("stroke fill", ORANGE, ORANGE),  # stroke, fill, markers
    ],
)
def test_markers_take_their_place_in_paint_order(
    order: str, inside_marker: tuple[int, int, int], on_stroke_in_marker: tuple[int, int, int]
) -> None:
    # (26, 26): inside the square, under the marker at (20, 20), clear of the 6-unit stroke;
    # (18, 25): on the stroke outside the fill, under the marker
    assert _at(order, 26, 26) == inside_marker
    assert _at(order, 18, 25) == on_stroke_in_marker


def test_markers_between_paints_keep_the_scene_counts_of_one_shape() -> None:
    doc = SVG.format(MARKER + SQUARE.format("stroke markers"))
    stats = svgkit.stats(doc)
    # the shape is drawn in two halves around its marker: two path primitives, one per paint
    assert stats.kind_counts["path"] == 2
    assert stats.kind_counts["rect"] == 1


FLOOD = (
    '<filter id="f" filterUnits="userSpaceOnUse" x="20" y="20" width="60" height="60">'
    '<feFlood flood-color="#2e8b57"/></filter>'
)


def test_an_empty_filtered_group_draws_its_filter() -> None:
    rgba = svgkit.render(SVG.format(FLOOD + '<g filter="url(#f)"/>'), 100, 100)
    assert tuple(rgba[50, 50]) == (46, 139, 87, 255)
    assert rgba[10, 10, 3] == 0 and rgba[90, 90, 3] == 0
    # it adds nothing to the Scene: no primitive to count or call invisible
    assert svgkit.stats(SVG.format(FLOOD + '<g filter="url(#f)"/>')).n_primitives == 0


def test_an_empty_filtered_group_keeps_its_place_in_paint_order() -> None:
    before = '<rect x="40" y="40" width="20" height="20" fill="red"/>'
    after = '<rect x="45" y="45" width="10" height="10" fill="blue"/>'
    rgba = svgkit.render(SVG.format(FLOOD + before + '<g filter="url(#f)"/>' + after), 100, 100)
    assert tuple(rgba[42, 42, :3]) == (46, 139, 87)  # the flood covers the red rect
    assert tuple(rgba[50, 50, :3]) == (0, 0, 255)  # and the blue one comes after it


def test_an_empty_group_inside_a_translucent_group_is_not_cut_to_its_siblings() -> None:
    doc = SVG.format(
        FLOOD + '<g opacity="0.5"><rect width="10" height="10"/><g filter="url(#f)"/></g>'
    )
    rgba = svgkit.render(doc, 100, 100)
    assert rgba[50, 50, 3] == 128 and rgba[75, 75, 3] == 128
    assert rgba[5, 5, 3] == 128


def test_an_empty_group_with_a_bounding_box_region_draws_nothing() -> None:
    # objectBoundingBox units on an element with no box: the filter region is empty
    doc = SVG.format('<filter id="f"><feFlood flood-color="red"/></filter><g filter="url(#f)"/>')
    assert not np.any(svgkit.render(doc, 100, 100)[..., 3])
