"""Rendering filters, masks, patterns, markers and paint-order: golden pixels, never hashes."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import svg_documents

import svgkit
import svgkit.renderer.effects as effects
from svgkit import render

NS = 'xmlns="http://www.w3.org/2000/svg"'


def doc(body: str, w: int = 100, h: int = 100, extra: str = "") -> str:
    return f'<svg {NS} width="{w}" height="{h}" {extra}>{body}</svg>'


def px(img: np.ndarray, x: int, y: int) -> list[int]:
    return img[y, x].tolist()


def alpha_sum(img: np.ndarray) -> float:
    return float(img[..., 3].astype(np.float64).sum() / 255.0)


GREEN_SQUARE = '<rect x="30" y="30" width="40" height="40" fill="#00ff00" {attr}/>'


def filtered(primitives: str, filter_attrs: str = "", shape: str = GREEN_SQUARE) -> str:
    return doc(
        f'<filter id="f" {filter_attrs}>{primitives}</filter>'
        + shape.format(attr='filter="url(#f)"')
    )


# ---------------------------------------------------------------------------------------------
# filters
# ---------------------------------------------------------------------------------------------


class TestFilters:
    def test_blur_has_soft_edges_and_keeps_the_centre(self) -> None:
        img = render(
            filtered('<feGaussianBlur stdDeviation="3"/>', 'x="-1" y="-1" width="3" height="3"'),
            100,
            100,
        )
        assert px(img, 50, 50) == [0, 255, 0, 255]
        # at the edge half the Gaussian lies outside the square: about half the alpha
        assert 100 <= img[50, 30, 3] <= 155
        # inside and outside the edge, graded both ways
        assert img[50, 26, 3] < img[50, 30, 3] < img[50, 34, 3]
        assert 0 < img[50, 25, 3] < 60
        # beyond the reach of the blur nothing
        assert img[50, 15, 3] == 0 and img[5, 5, 3] == 0
        # the blur moves alpha around but does not create or destroy it
        assert alpha_sum(img) == pytest.approx(40 * 40, rel=0.01)

    def test_offset_moves_the_square(self) -> None:
        img = render(
            filtered('<feOffset dx="7" dy="-5"/>', 'x="-1" y="-1" width="3" height="3"'), 100, 100
        )
        # the square now covers x 37..77, y 25..65
        assert px(img, 37, 25) == [0, 255, 0, 255] and px(img, 76, 64) == [0, 255, 0, 255]
        assert img[25, 36, 3] == 0 and img[65, 50, 3] == 0 and img[40, 77, 3] == 0
        assert alpha_sum(img) == pytest.approx(1600, abs=1)

    def test_offset_scales_with_the_output(self) -> None:
        svg = filtered('<feOffset dx="10"/>', 'x="-1" y="-1" width="3" height="3"')
        img = render(svg, 200, 200)  # 2 output px per canvas px
        assert img[100, 79, 3] == 0 and px(img, 80, 100) == [0, 255, 0, 255]
        assert px(img, 159, 100) == [0, 255, 0, 255] and img[100, 160, 3] == 0

    def test_flood_fills_its_subregion_only(self) -> None:
        svg = filtered(
            '<feFlood flood-color="blue" flood-opacity="0.5" x="10" y="20" width="30" height="40"/>',
            'filterUnits="userSpaceOnUse" x="0" y="0" width="100" height="100" '
            'primitiveUnits="userSpaceOnUse"',
        )
        img = render(svg, 100, 100)
        assert px(img, 10, 20) == [0, 0, 255, 128] and px(img, 39, 59) == [0, 0, 255, 128]
        # outside the subregion transparent, and the source graphic is replaced by the flood
        assert img[19, 20, 3] == 0 and img[40, 40, 3] == 0 and img[60, 20, 3] == 0
        assert img[50, 50, 3] == 0

    def test_drop_shadow_lies_offset_under_the_source(self) -> None:
        svg = filtered(
            '<feDropShadow dx="10" dy="10" stdDeviation="0" flood-color="black" '
            'flood-opacity="0.5"/>',
            'x="-1" y="-1" width="3" height="3"',
        )
        img = render(svg, 100, 100)
        assert px(img, 50, 50) == [0, 255, 0, 255]  # the source on top
        assert px(img, 75, 75) == [0, 0, 0, 128]  # the shadow where only it reaches
        assert px(img, 35, 75) == [0, 0, 0, 0] and px(img, 75, 35) == [0, 0, 0, 0]

    def test_classic_shadow_chain(self) -> None:
        chain = (
            '<feGaussianBlur in="SourceAlpha" stdDeviation="2"/><feOffset dx="6" dy="6"/>'
            '<feComponentTransfer><feFuncA type="linear" slope="0.5"/></feComponentTransfer>'
            '<feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge>'
        )
        img = render(filtered(chain, 'x="-1" y="-1" width="3" height="3"'), 100, 100)
        assert px(img, 50, 50) == [0, 255, 0, 255]
        r, g, b, a = px(img, 72, 72)  # shadow only: black, about half alpha
        assert (r, g, b) == (0, 0, 0) and 100 <= a <= 135
        assert img[78, 78, 3] < a and img[90, 90, 3] == 0

    def test_filter_without_primitives_hides_the_element(self) -> None:
        img = render(filtered(""), 100, 100)
        assert int(img[..., 3].max()) == 0

    def test_zero_size_region_hides_the_element(self) -> None:
        img = render(filtered('<feOffset dx="1"/>', 'width="0"'), 100, 100)
        assert int(img[..., 3].max()) == 0

    def test_region_outside_the_output_hides_the_element(self) -> None:
        svg = filtered(
            '<feOffset dx="1"/>', 'filterUnits="userSpaceOnUse" x="200" y="0" width="50"'
        )
        assert int(render(svg, 100, 100)[..., 3].max()) == 0

    def test_default_region_is_the_bbox_grown_by_ten_percent(self) -> None:
        img = render(filtered('<feGaussianBlur stdDeviation="3"/>'), 100, 100)
        # bbox 30..70 grown by 4 on each side
        assert img[50, 26, 3] > 0 and img[50, 25, 3] == 0 and img[50, 74, 3] == 0

    def test_region_clips_the_result(self) -> None:
        # region = the square's bbox: the blur is cut at the square's edges
        img = render(
            filtered('<feGaussianBlur stdDeviation="4"/>', 'x="0" y="0" width="1" height="1"'),
            100,
            100,
        )
        assert img[50, 29, 3] == 0 and img[50, 70, 3] == 0
        assert 0 < img[50, 30, 3] < 200

    def test_group_opacity_applies_after_the_filter(self) -> None:
        svg = doc(
            '<filter id="f"><feGaussianBlur stdDeviation="2"/></filter>'
            '<rect x="30" y="30" width="40" height="40" fill="#00ff00" opacity="0.5" '
            'filter="url(#f)"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 50, 50) == [0, 255, 0, 128]

    def test_blur_inside_an_opacity_group_is_not_cut_to_the_shape(self) -> None:
        # the enclosing layer must cover the filter region, not just the square
        svg = doc(
            '<filter id="f"><feGaussianBlur stdDeviation="3"/></filter>'
            '<g opacity="0.5"><rect x="30" y="30" width="40" height="40" fill="#00ff00" '
            'filter="url(#f)"/></g>'
        )
        img = render(svg, 100, 100)
        assert px(img, 50, 50) == [0, 255, 0, 128]
        assert img[50, 26, 3] > 0 and img[26, 50, 3] > 0

    def test_group_clip_applies_to_the_filter_result(self) -> None:
        svg = doc(
            '<filter id="f"><feGaussianBlur stdDeviation="3"/></filter>'
            '<clipPath id="c"><rect x="0" y="0" width="50" height="100"/></clipPath>'
            '<g clip-path="url(#c)"><g filter="url(#f)">'
            '<rect x="30" y="30" width="40" height="40" fill="#00ff00"/></g></g>'
        )
        img = render(svg, 100, 100)
        assert px(img, 45, 50) == [0, 255, 0, 255]
        assert img[50, 26, 3] > 0  # the blur left of the square survives
        assert img[50, 55, 3] == 0  # the right half is clipped away

    def test_nested_filters(self) -> None:
        svg = doc(
            '<filter id="a" x="-1" y="-1" width="3" height="3"><feOffset dx="10"/></filter>'
            '<filter id="b" x="-1" y="-1" width="3" height="3"><feOffset dy="10"/></filter>'
            '<g filter="url(#b)"><rect x="30" y="30" width="40" height="40" fill="#00ff00" '
            'filter="url(#a)"/></g>'
        )
        img = render(svg, 100, 100)
        assert px(img, 45, 45) == [0, 255, 0, 255] and px(img, 79, 79) == [0, 255, 0, 255]
        assert img[45, 35, 3] == 0 and img[35, 45, 3] == 0

    def test_unsupported_primitive_passes_its_input(self) -> None:
        img = render(filtered("<feTile/>"), 100, 100)
        assert px(img, 50, 50) == [0, 255, 0, 255]

    def test_adversarial_parameters_do_not_fail(self) -> None:
        for prim in (
            '<feGaussianBlur stdDeviation="1e30"/>',
            '<feGaussianBlur stdDeviation="-5"/>',
            '<feOffset dx="1e6" dy="nan"/>',
            '<feMorphology radius="1e9"/>',
            '<feColorMatrix values="1 2 3"/>',
        ):
            img = render(filtered(prim, 'x="-1e6" y="-1e6" width="1e7" height="1e7"'), 64, 64)
            assert img.shape == (64, 64, 4)

    def test_filter_budget_degrades_to_unfiltered(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(effects, "MAX_FILTER_PIXELS_PER_RENDER", 0)
        img = render(filtered('<feOffset dx="20"/>'), 100, 100)
        assert px(img, 35, 50) == [0, 255, 0, 255] and img[50, 75, 3] == 0


# ---------------------------------------------------------------------------------------------
# masks
# ---------------------------------------------------------------------------------------------


def masked(mask_body: str, mask_attrs: str = "", shape: str = "") -> str:
    target = shape or '<rect width="100" height="100" fill="blue" mask="url(#m)"/>'
    return doc(f'<mask id="m" {mask_attrs}>{mask_body}</mask>{target}')


FULL = 'maskUnits="userSpaceOnUse" x="0" y="0" width="100" height="100"'


class TestMasks:
    def test_luminance_white_shows_black_hides(self) -> None:
        svg = masked(
            '<rect width="50" height="100" fill="white"/>'
            '<rect x="50" width="50" height="100" fill="black"/>',
            FULL,
        )
        img = render(svg, 100, 100)
        assert px(img, 25, 50) == [0, 0, 255, 255]
        assert img[50, 75, 3] == 0

    def test_luminance_uses_the_documented_weights(self) -> None:
        svg = masked('<rect width="100" height="100" fill="#00ff00"/>', FULL)
        img = render(svg, 100, 100)
        assert abs(int(img[50, 50, 3]) - round(0.7154 * 255)) <= 1

    def test_alpha_mask_with_half_opacity_content_halves_alpha(self) -> None:
        svg = masked(
            '<rect width="100" height="100" fill="black" fill-opacity="0.5"/>',
            FULL + ' mask-type="alpha"',
        )
        img = render(svg, 100, 100)
        r, g, b, a = px(img, 50, 50)
        assert (r, g, b) == (0, 0, 255) and abs(a - 128) <= 1

    def test_luminance_mask_with_black_content_hides(self) -> None:
        img = render(masked('<rect width="100" height="100" fill="black"/>', FULL), 100, 100)
        assert int(img[..., 3].max()) == 0

    def test_mask_region_clips(self) -> None:
        svg = masked(
            '<rect width="100" height="100" fill="white"/>',
            'maskUnits="userSpaceOnUse" x="20" y="30" width="40" height="20"',
        )
        img = render(svg, 100, 100)
        assert px(img, 20, 30) == [0, 0, 255, 255] and px(img, 59, 49) == [0, 0, 255, 255]
        assert img[29, 40, 3] == 0 and img[50, 40, 3] == 0 and img[40, 60, 3] == 0
        assert img[40, 19, 3] == 0

    def test_default_region_is_the_bbox_grown_by_ten_percent(self) -> None:
        svg = masked(
            '<rect x="-50" y="-50" width="200" height="200" fill="white"/>',
            "",
            '<rect x="20" y="20" width="60" height="60" fill="blue" stroke="blue" '
            'stroke-width="30" mask="url(#m)"/>',
        )
        img = render(svg, 100, 100)
        # bbox 20..80 grown by 6 on each side: the stroke is cut at 14 and 86
        assert img[50, 14, 3] == 255 and img[50, 13, 3] == 0 and img[50, 86, 3] == 0

    def test_group_opacity_multiplies_in(self) -> None:
        svg = masked(
            '<rect width="100" height="100" fill="white"/>',
            FULL,
            '<rect width="100" height="100" fill="blue" opacity="0.5" mask="url(#m)"/>',
        )
        assert abs(render(svg, 100, 100)[50, 50, 3] - 128) <= 1

    def test_mask_on_a_mask(self) -> None:
        svg = doc(
            f'<mask id="inner" {FULL}><rect width="100" height="50" fill="white"/></mask>'
            f'<mask id="m" {FULL} mask="url(#inner)">'
            '<rect width="50" height="100" fill="white"/></mask>'
            '<rect width="100" height="100" fill="blue" mask="url(#m)"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 25, 25) == [0, 0, 255, 255]
        assert img[25, 75, 3] == 0 and img[75, 25, 3] == 0 and img[75, 75, 3] == 0

    def test_mask_and_filter_on_one_element(self) -> None:
        svg = doc(
            '<filter id="f" x="-1" y="-1" width="3" height="3"><feOffset dx="20"/></filter>'
            f'<mask id="m" {FULL}><rect width="60" height="100" fill="white"/></mask>'
            '<rect x="20" y="20" width="40" height="40" fill="blue" filter="url(#f)" '
            'mask="url(#m)"/>'
        )
        img = render(svg, 100, 100)
        # filter first (the square moves to 40..80), then the mask cuts it at 60
        assert img[40, 30, 3] == 0 and px(img, 50, 40) == [0, 0, 255, 255]
        assert img[40, 70, 3] == 0

    def test_mask_scales_with_the_output(self) -> None:
        svg = masked('<rect width="50" height="100" fill="white"/>', FULL)
        img = render(svg, 300, 300)
        assert img[150, 149, 3] == 255 and img[150, 150, 3] == 0


# ---------------------------------------------------------------------------------------------
# patterns
# ---------------------------------------------------------------------------------------------

CHECKER = (
    '<pattern id="p" patternUnits="userSpaceOnUse" width="20" height="20" {attrs}>'
    '<rect width="10" height="10" fill="red"/><rect x="10" y="10" width="10" height="10" '
    'fill="blue"/></pattern>'
)


class TestPatterns:
    def test_checker_repeats(self) -> None:
        svg = doc(CHECKER.format(attrs="") + '<rect width="100" height="100" fill="url(#p)"/>')
        img = render(svg, 100, 100)
        for tx in (0, 20, 40, 60, 80):
            for ty in (0, 40, 80):
                assert px(img, tx + 5, ty + 5) == [255, 0, 0, 255]
                assert px(img, tx + 15, ty + 15) == [0, 0, 255, 255]
                assert img[ty + 5, tx + 15, 3] == 0 and img[ty + 15, tx + 5, 3] == 0

    def test_pattern_scales_with_the_output(self) -> None:
        svg = doc(CHECKER.format(attrs="") + '<rect width="100" height="100" fill="url(#p)"/>')
        img = render(svg, 250, 250)  # 2.5 px per unit: tiles of 50 px, cells of 25
        assert px(img, 12, 12) == [255, 0, 0, 255] and px(img, 37, 37) == [0, 0, 255, 255]
        assert px(img, 212, 212) == [255, 0, 0, 255] and img[12, 37, 3] == 0

    def test_pattern_transform(self) -> None:
        svg = doc(
            CHECKER.format(attrs='patternTransform="translate(5 0) scale(2)"')
            + '<rect width="100" height="100" fill="url(#p)"/>'
        )
        img = render(svg, 100, 100)
        # cells are 20 px and start at x = 5
        assert px(img, 6, 1) == [255, 0, 0, 255] and px(img, 24, 19) == [255, 0, 0, 255]
        assert px(img, 26, 21) == [0, 0, 255, 255] and px(img, 46, 41) == [255, 0, 0, 255]
        assert img[1, 3, 3] == 0 and img[10, 30, 3] == 0

    def test_object_bounding_box_units(self) -> None:
        svg = doc(
            '<pattern id="p" width="0.5" height="0.5" patternContentUnits="objectBoundingBox">'
            '<rect width="0.25" height="0.25" fill="lime"/></pattern>'
            '<rect x="20" y="20" width="40" height="40" fill="url(#p)"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 25, 25) == [0, 255, 0, 255] and px(img, 45, 45) == [0, 255, 0, 255]
        assert img[35, 35, 3] == 0 and img[25, 35, 3] == 0

    def test_fill_opacity_applies_to_the_pattern(self) -> None:
        svg = doc(
            CHECKER.format(attrs="")
            + '<rect width="100" height="100" fill="url(#p)" fill-opacity="0.5"/>'
        )
        assert px(render(svg, 100, 100), 5, 5) == [255, 0, 0, 128]

    def test_pattern_stroke(self) -> None:
        svg = doc(
            CHECKER.format(attrs="")
            + '<line x1="0" y1="5" x2="100" y2="5" stroke="url(#p)" stroke-width="4"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 5, 5) == [255, 0, 0, 255] and img[5, 15, 3] == 0
        assert img[15, 5, 3] == 0  # outside the stroke

    @pytest.mark.parametrize(
        "attrs",
        [
            'width="0" height="20"',
            'width="20" height="-1"',
            'width="20" height="20" patternTransform="scale(0)"',
        ],
    )
    def test_degenerate_pattern_paints_nothing(self, attrs: str) -> None:
        svg = doc(
            f'<pattern id="p" patternUnits="userSpaceOnUse" {attrs}>'
            '<rect width="10" height="10" fill="red"/></pattern>'
            '<rect width="100" height="100" fill="url(#p)"/>'
        )
        assert int(render(svg, 100, 100)[..., 3].max()) == 0

    def test_huge_tile_is_capped_and_still_right(self) -> None:
        svg = doc(
            '<pattern id="p" patternUnits="userSpaceOnUse" width="5000" height="20">'
            '<rect width="2500" height="10" fill="red"/></pattern>'
            '<rect width="100" height="100" fill="url(#p)"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 50, 5) == [255, 0, 0, 255] and img[15, 50, 3] == 0

    def test_solid_tile_equals_solid_fill(self) -> None:
        tile = (
            '<pattern id="p" patternUnits="userSpaceOnUse" width="7" height="9">'
            '<rect width="7" height="9" fill="#336699"/></pattern>'
        )
        shape = '<circle cx="50" cy="50" r="40" fill="{paint}" stroke="black" stroke-width="3"/>'
        solid = render(doc(shape.format(paint="#336699")), 100, 100)
        patterned = render(doc(tile + shape.format(paint="url(#p)")), 100, 100)
        assert np.array_equal(solid, patterned)

    def test_tile_budget_falls_back_to_the_mean_colour(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(effects, "MAX_TILE_PIXELS_PER_RENDER", 0)
        svg = doc(
            '<pattern id="p" patternUnits="userSpaceOnUse" width="20" height="20">'
            '<rect width="20" height="20" fill="red"/></pattern>'
            '<rect width="100" height="100" fill="url(#p)"/>'
        )
        assert px(render(svg, 100, 100), 50, 50) == [255, 0, 0, 255]


# ---------------------------------------------------------------------------------------------
# markers and paint-order (resolved by the builder, drawn as ordinary primitives)
# ---------------------------------------------------------------------------------------------


class TestMarkersAndPaintOrder:
    def test_markers_at_vertices(self) -> None:
        svg = doc(
            '<marker id="m" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" '
            'refX="5" refY="5"><rect width="10" height="10" fill="red"/></marker>'
            '<path d="M 20 20 L 80 20 L 80 80" stroke="black" stroke-width="1" fill="none" '
            'marker-start="url(#m)" marker-mid="url(#m)" marker-end="url(#m)"/>'
        )
        img = render(svg, 100, 100)
        for x, y in ((17, 17), (83, 17), (77, 23), (83, 83), (22, 22)):
            assert px(img, x, y) == [255, 0, 0, 255]
        assert img[50, 50, 3] == 0 and img[80, 20, 3] == 0

    def test_paint_order_stroke_draws_the_stroke_under_the_fill(self) -> None:
        body = (
            '<rect x="20" y="20" width="60" height="60" fill="#00ff00" stroke="#0000ff" '
            'stroke-width="10" {order}/>'
        )
        normal = render(doc(body.format(order="")), 100, 100)
        under = render(doc(body.format(order='paint-order="stroke"')), 100, 100)
        # the inner half of the stroke is covered by the fill only when the stroke goes first
        assert px(normal, 22, 50) == [0, 0, 255, 255]
        assert px(under, 22, 50) == [0, 255, 0, 255]
        assert px(normal, 17, 50) == px(under, 17, 50) == [0, 0, 255, 255]


# ---------------------------------------------------------------------------------------------
# documents without effects: unchanged, and nothing extra imported
# ---------------------------------------------------------------------------------------------

PLAIN = [
    (
        doc('<rect x="10" y="10" width="50" height="50" fill="red" fill-opacity="0.5"/>'),
        [((30, 30), [255, 0, 0, 128]), ((80, 80), [0, 0, 0, 0])],
    ),
    (
        doc(
            '<g opacity="0.5"><rect width="100" height="50" fill="#0000ff"/></g>'
            '<circle cx="50" cy="75" r="20" fill="lime"/>'
        ),
        [((50, 25), [0, 0, 255, 128]), ((50, 75), [0, 255, 0, 255]), ((5, 95), [0, 0, 0, 0])],
    ),
    (
        doc(
            '<clipPath id="c"><rect width="50" height="100"/><rect y="80" width="100" '
            'height="20"/></clipPath><rect width="100" height="100" fill="black" '
            'clip-path="url(#c)"/>'
        ),
        [((25, 50), [0, 0, 0, 255]), ((75, 50), [0, 0, 0, 0]), ((75, 90), [0, 0, 0, 255])],
    ),
    (
        doc(
            '<linearGradient id="g"><stop offset="0" stop-color="red"/><stop offset="1" '
            'stop-color="blue"/></linearGradient><rect width="100" height="100" fill="url(#g)"/>'
        ),
        [((0, 50), [254, 0, 1, 255]), ((99, 50), [1, 0, 254, 255])],
    ),
]


@pytest.mark.parametrize("svg,expected", PLAIN)
def test_documents_without_effects_keep_their_colours(
    svg: str, expected: list[tuple[tuple[int, int], list[int]]]
) -> None:
    img = render(svg, 100, 100)
    for (x, y), colour in expected:
        assert px(img, x, y) == colour


def test_render_many_workers_draw_effects() -> None:
    svg = filtered('<feDropShadow dx="5" dy="5" stdDeviation="1"/>')
    (out,) = svgkit.render_many([svg], 64, 64, workers=1)
    assert isinstance(out, np.ndarray)
    assert np.array_equal(out, render(svg, 64, 64))


def test_documents_without_effects_import_nothing_extra() -> None:
    code = (
        "import sys, svgkit\n"
        f"svgkit.render({PLAIN[1][0]!r}, 32, 32)\n"
        "print('svgkit.renderer.effects' in sys.modules, 'svgkit.renderer.filters' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


_OPEN_TAG = re.compile(r"<svg\b[^>]*>")
_NOOP_FILTER = (
    '<filter id="svgkit-noop" filterUnits="userSpaceOnUse" x="-100000" y="-100000" '
    'width="200000" height="200000"><feOffset/></filter>'
)
_NOOP_MASK = (
    '<mask id="svgkit-noop" maskUnits="userSpaceOnUse" x="-100000" y="-100000" width="200000" '
    'height="200000"><rect x="-100000" y="-100000" width="200000" height="200000" fill="white"/>'
    "</mask>"
)


def _wrap(text: str, definition: str, attribute: str) -> str:
    m = _OPEN_TAG.search(text)
    assert m is not None
    end = text.rindex("</svg>")
    return (
        text[: m.end()]
        + definition
        + f'<g {attribute}="url(#svgkit-noop)">'
        + text[m.end() : end]
        + "</g>"
        + text[end:]
    )


@settings(max_examples=30)
@given(svg_documents())
def test_identity_filter_and_mask_leave_pixels_unchanged(document: object) -> None:
    """Drawing through a filter layer (a zero offset) or a mask layer (white everywhere) is
    exact: premultiplied bytes survive the float round trip."""
    text = document.text  # type: ignore[attr-defined]
    scene = svgkit.parse(text)
    w = max(1, min(96, round(scene.canvas.width)))
    h = max(1, min(96, round(scene.canvas.height)))
    plain = render(text, w, h)
    through_filter = render(_wrap(text, _NOOP_FILTER, "filter"), w, h)
    through_mask = render(_wrap(text, _NOOP_MASK, "mask"), w, h)
    assert np.array_equal(plain, through_filter)
    assert np.array_equal(plain, through_mask)


# ---------------------------------------------------------------------------------------------
# effects under a rotation or skew (Filter Effects: a filter applies in the element's user space)
# ---------------------------------------------------------------------------------------------


def _inside_rotated(x: float, y: float, cx: float, cy: float, angle: float, rect: tuple) -> bool:
    """Whether output point (x, y) lies in ``rect`` (user space) rotated by ``angle`` degrees
    about (cx, cy)."""
    t = np.radians(-angle)
    dx, dy = x - cx, y - cy
    ux = cx + dx * np.cos(t) - dy * np.sin(t)
    uy = cy + dx * np.sin(t) + dy * np.cos(t)
    rx, ry, rw, rh = rect
    return bool(rx <= ux <= rx + rw and ry <= uy <= ry + rh)


class TestTransformedEffects:
    def test_filter_region_of_a_rotated_element_is_its_parallelogram(self) -> None:
        region = (30.0, 40.0, 40.0, 20.0)
        svg = doc(
            '<filter id="f" filterUnits="userSpaceOnUse" x="30" y="40" width="40" height="20">'
            '<feFlood flood-color="#00f"/></filter>'
            '<rect x="45" y="45" width="10" height="10" filter="url(#f)" '
            'transform="rotate(30 50 50)"/>'
        )
        img = render(svg, 100, 100)
        checked = 0
        for y in range(0, 100, 3):
            for x in range(0, 100, 3):
                cx, cy = x + 0.5, y + 0.5
                inside = _inside_rotated(cx, cy, 50, 50, 30, region)
                # away from the edges (anti-aliased) a pixel is fully in or out
                grown = _inside_rotated(cx, cy, 50, 50, 30, (29, 39, 42, 22))
                shrunk = _inside_rotated(cx, cy, 50, 50, 30, (31, 41, 38, 18))
                if inside and shrunk:
                    assert px(img, x, y) == [0, 0, 255, 255], (x, y)
                    checked += 1
                elif not inside and not grown:
                    assert img[y, x, 3] == 0, (x, y)
                    checked += 1
        assert checked > 900

    def test_offset_follows_a_skew(self) -> None:
        # skewX(45): the user-space offset (0, 10) is (10, 10) on the canvas
        svg = doc(
            '<filter id="f" x="-2" y="-2" width="5" height="5"><feOffset dy="10"/></filter>'
            '<rect x="20" y="20" width="10" height="10" fill="#0f0" filter="url(#f)" '
            'transform="skewX(45)"/>'
        )
        img = render(svg, 100, 100)
        # the skewed square's centre (25, 25) → (50, 25), moved to (60, 35)
        assert px(img, 60, 35) == [0, 255, 0, 255]
        assert img[25, 50, 3] == 0

    def test_one_axis_blur_follows_a_rotation(self) -> None:
        # stdDeviation "4 0" under rotate(90): the blur runs along the output's y axis only
        svg = doc(
            '<filter id="f" x="-1" y="-1" width="3" height="3">'
            '<feGaussianBlur stdDeviation="4 0"/></filter>'
            '<rect x="30" y="30" width="40" height="40" fill="#0f0" filter="url(#f)" '
            'transform="rotate(90 50 50)"/>'
        )
        img = render(svg, 100, 100)
        # across a vertical edge (x = 30) it stays sharp; across a horizontal one it is soft
        assert img[50, 29, 3] == 0 and img[50, 30, 3] >= 250
        assert 90 <= img[30, 50, 3] <= 165 and 0 < img[27, 50, 3] < img[30, 50, 3]

    def test_a_quarter_turn_rotates_the_filter_result_exactly(self) -> None:
        # orientation-dependent primitives (lighting) run on the element's own grid: under a
        # quarter turn the picture is the unrotated one turned, pixel for pixel
        body = (
            '<filter id="f" x="0" y="0" width="1" height="1" color-interpolation-filters="sRGB">'
            '<feGaussianBlur stdDeviation="3"/>'
            '<feDiffuseLighting surfaceScale="6"><feDistantLight azimuth="20" elevation="40"/>'
            "</feDiffuseLighting></filter>"
            '<g filter="url(#f)" {t}><rect x="20" y="20" width="60" height="60" fill="#fff"/>'
            '<circle cx="40" cy="45" r="12" fill="#000"/></g>'
        )
        plain = render(doc(body.format(t="")), 100, 100).astype(int)
        turned = render(doc(body.format(t='transform="rotate(90 50 50)"')), 100, 100).astype(int)
        assert plain[50, 50, 3] == 255 and plain[..., :3].std() > 10  # lit, not flat
        diff = np.abs(np.rot90(plain, k=-1) - turned)
        assert diff.max() <= 2

    def test_rotated_drop_shadow_is_drawn_without_resampling(self) -> None:
        # per-pixel primitives and isotropic blurs run straight in output px: the source keeps
        # exactly the pixels it has without the filter
        shape = '<rect x="30" y="30" width="40" height="30" fill="#0f0" {attr}/>'
        base = '<g transform="rotate(25 50 50)">' + shape + "</g>"
        plain = render(doc(base.format(attr="")), 100, 100)
        shadowed = render(
            doc(
                '<filter id="f"><feOffset dx="0" dy="0"/></filter>'
                + base.format(attr='filter="url(#f)"')
            ),
            100,
            100,
        )
        assert np.array_equal(plain, shadowed)

    def test_mask_region_of_a_rotated_element_is_its_parallelogram(self) -> None:
        svg = doc(
            '<mask id="m" width="0.5"><rect x="0" y="0" width="100" height="100" fill="#fff"/>'
            "</mask>"
            '<g mask="url(#m)" transform="rotate(45 50 50)">'
            '<rect x="20" y="20" width="60" height="60" fill="#0f0"/></g>'
        )
        img = render(svg, 100, 100)
        # region: x 14..44, y 14..86 in user space (bbox 20..80 grown by 10%, half width)
        # visible: the rotated square cut to the region (x 20..44, y 20..80 in user space)
        checked = 0
        for y in range(0, 100, 2):
            for x in range(0, 100, 2):
                c = (x + 0.5, y + 0.5, 50, 50, 45)
                if _inside_rotated(*c, (21, 21, 22, 58)):
                    assert img[y, x, 3] == 255, (x, y)
                    checked += 1
                elif not _inside_rotated(*c, (19, 19, 26, 62)):
                    assert img[y, x, 3] == 0, (x, y)
                    checked += 1
        assert checked > 2000
        # the right half of the rotated square is masked away
        assert img[50, 65, 3] == 0 and img[65, 50, 3] == 0

    def test_obb_region_of_a_rotated_group_uses_its_own_bbox(self) -> None:
        scene = svgkit.parse(
            doc(
                '<filter id="f"><feOffset/></filter>'
                '<g filter="url(#f)" transform="rotate(45)">'
                '<rect x="10" y="20" width="30" height="40"/></g>'
            )
        )
        filt = scene.filters[0]
        # the bbox grown by 10% each side, in the rotated user space (scale 1), not the box
        # of the rotated box
        np.testing.assert_allclose(filt.region, (7, 16, 36, 48), atol=1e-9)
        c = np.sqrt(0.5)
        np.testing.assert_allclose(filt.transform, (c, c, -c, c, 0, 0), atol=1e-12)


class TestFilterLists:
    FILTERS = (
        '<filter id="a" x="-1" y="-1" width="3" height="3"><feOffset dx="8" result="r"/>'
        "</filter>"
        '<filter id="b" x="-1" y="-1" width="3" height="3">'
        '<feFlood flood-color="#f00" result="r"/>'
        '<feComposite in="r" in2="SourceAlpha" operator="in"/>'
        '<feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge></filter>'
    )

    def test_two_urls_apply_in_turn(self) -> None:
        square = '<rect x="30" y="30" width="20" height="20" fill="#0f0"/>'
        chained = render(doc(self.FILTERS + f'<g filter="url(#a) url(#b)">{square}</g>'), 100, 100)
        nested = render(
            doc(self.FILTERS + f'<g filter="url(#b)"><g filter="url(#a)">{square}</g></g>'),
            100,
            100,
        )
        assert np.array_equal(chained, nested)
        # a's offset moved the square; b's SourceGraphic is that moved square (green on top)
        assert px(chained, 45, 40) == [0, 255, 0, 255] and chained[40, 35, 3] == 0

    def test_reference_then_functions(self) -> None:
        square = '<rect x="30" y="30" width="20" height="20" fill="#0f0"/>'
        img = render(doc(self.FILTERS + f'<g filter="url(#a) opacity(0.5)">{square}</g>'), 100, 100)
        assert px(img, 45, 40) == [0, 255, 0, 128] and img[40, 35, 3] == 0

    def test_a_missing_reference_in_the_list_hides_the_element(self) -> None:
        square = '<rect x="30" y="30" width="20" height="20" fill="#0f0"/>'
        img = render(doc(self.FILTERS + f'<g filter="url(#a) url(#nope)">{square}</g>'), 100, 100)
        assert not img[..., 3].any()


def test_mutually_recursive_patterns_cut_the_cycle_where_it_starts() -> None:
    # Chrome and resvg: inside patt1, the fill with patt2 (whose content paints with patt1) is
    # dropped, so each tile holds only its own stroke
    scene = svgkit.parse(
        doc(
            '<pattern id="p1" patternUnits="userSpaceOnUse" width="20" height="20">'
            '<rect width="20" height="20" fill="url(#p2)" stroke="#0f0"/></pattern>'
            '<pattern id="p2" patternUnits="userSpaceOnUse" width="20" height="20">'
            '<rect width="20" height="20" fill="url(#p1)" stroke="#00f"/></pattern>'
            '<rect width="50" height="50" fill="url(#p1)"/>'
            '<rect y="50" width="50" height="50" fill="url(#p2)"/>'
        )
    )
    assert len(scene.patterns) == 2
    for pattern in scene.patterns:
        assert pattern.content.fill_kind.tolist() == [0]  # no paint
        assert pattern.content.stroke_kind.tolist() != [0]


@settings(max_examples=20, deadline=None)
@given(
    dx=st.integers(-15, 15),
    dy=st.integers(-15, 15),
    opacity=st.floats(0.0, 1.0),
    angle=st.sampled_from([0, 30, 90, 135]),
    big_regions=st.booleans(),
)
def test_a_filter_list_equals_nested_filters(
    dx: int, dy: int, opacity: float, angle: int, big_regions: bool
) -> None:
    # with the default regions the offset may cut the square at the first filter's region edge,
    # which the chain does by whole pixels of its grid (see below)
    big = 'x="-1" y="-1" width="3" height="3"' if big_regions else ""
    defs = (
        f'<filter id="a" {big}><feOffset dx="{dx}" dy="{dy}"/></filter>'
        f'<filter id="b" {big}><feFlood flood-opacity="{opacity:.3f}" flood-color="#f0f"/>'
        '<feComposite in2="SourceAlpha" operator="in"/>'
        '<feMerge><feMergeNode in="SourceGraphic"/><feMergeNode/></feMerge></filter>'
    )
    square = '<rect x="35" y="35" width="30" height="20" fill="#0c0"/>'
    turn = f'transform="rotate({angle} 50 50)"'
    chained = render(doc(defs + f'<g {turn}><g filter="url(#a) url(#b)">{square}</g></g>'), 80, 80)
    nested = render(
        doc(defs + f'<g {turn}><g filter="url(#b)"><g filter="url(#a)">{square}</g></g></g>'),
        80,
        80,
    )
    diff = np.abs(chained.astype(int) - nested.astype(int))
    if big_regions or angle == 0:
        assert diff.max() <= 1
    else:
        # the chain runs on the element's own grid (its parts have different regions) and is
        # resampled once, and the first part is cut to its region by whole grid pixels; the
        # nested filters run straight in output px, cut exactly: edges differ slightly, by at
        # most a pixel along one width and one height of the region (30 × 20 units, +20 %, at
        # 0.8 px a unit)
        assert (diff.max(axis=-1) > 2).mean() < 0.03
        one_pixel_rim = (30 + 20) * 1.2 * 0.8
        assert alpha_sum(chained) == pytest.approx(alpha_sum(nested), abs=one_pixel_rim)
    assert chained[..., 3].any()


@pytest.mark.parametrize(
    "transform",
    [
        "rotate(30) scale(0)",
        "rotate(30) scale(1e-9)",
        "skewX(89.99)",
        "rotate(45) scale(1e4)",
        "matrix(1 1 1 1 0 0)",
        "rotate(30) translate(1e5)",
        "rotate(30) scale(1e-3 1e3)",
    ],
)
def test_filters_and_masks_under_degenerate_transforms_render(transform: str) -> None:
    svg = doc(
        '<filter id="f"><feGaussianBlur stdDeviation="2 0"/><feTile/></filter>'
        '<mask id="m"><rect width="100" height="100" fill="#fff"/></mask>'
        f'<g transform="{transform}"><rect x="10" y="10" width="30" height="30" '
        'filter="url(#f)" mask="url(#m)"/></g>'
        '<rect x="60" y="60" width="10" height="10" fill="#00f"/>'
    )
    img = render(svg, 100, 100)
    assert px(img, 65, 65) == [0, 0, 255, 255]  # the rest of the document is drawn
