"""References, clipping and paint fallbacks: clip-path on clipPath children and reference
cycles, ``<use>`` of an ``<svg>``, invalid ``url()`` paint, degenerate paint servers,
``context-fill`` / ``context-stroke``, CSS attribute selectors, prefixed roots, ``<tref>``,
negative stroke widths and legacy ``rgb()`` syntax. Every test checks pixels or positions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import svgkit
from svgkit import render
from svgkit.build.context import Node
from svgkit.build.css import parse_stylesheet
from svgkit.color import parse_color
from svgkit.errors import _DiagnosticSink

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
GREEN = [0, 128, 0, 255]
BLUE = [0, 0, 255, 255]
CLEAR = [0, 0, 0, 0]


def doc(body: str, w: int = 100, h: int = 100) -> str:
    return f'<svg {NS} width="{w}" height="{h}">{body}</svg>'


def px(img: np.ndarray, x: int, y: int) -> list[int]:
    return [int(v) for v in img[y, x]]


def draw(body: str, w: int = 100, h: int = 100) -> np.ndarray:
    return render(doc(body, w, h), w, h)


def codes(body: str) -> set[str]:
    return {w.code for w in svgkit.parse(doc(body)).warnings}


class TestClipPathReferences:
    def test_clip_path_on_a_child_intersects_that_child(self) -> None:
        img = draw(
            '<clipPath id="half"><rect width="50" height="100"/></clipPath>'
            '<clipPath id="c"><rect x="20" y="20" width="60" height="60" '
            'clip-path="url(#half)"/></clipPath>'
            '<rect width="100" height="100" fill="green" clip-path="url(#c)"/>'
        )
        assert px(img, 30, 50) == GREEN  # inside the child and its clip
        assert px(img, 70, 50) == CLEAR  # inside the child, outside its clip
        assert px(img, 10, 50) == CLEAR  # inside the child's clip, outside the child

    def test_child_clip_is_in_the_childs_user_space(self) -> None:
        # the child's transform moves its clip with it (CSS Masking §6.3)
        img = draw(
            '<clipPath id="small"><rect width="20" height="20"/></clipPath>'
            '<clipPath id="c"><rect width="40" height="40" transform="translate(50 50)" '
            'clip-path="url(#small)"/></clipPath>'
            '<rect width="100" height="100" fill="green" clip-path="url(#c)"/>'
        )
        assert px(img, 60, 60) == GREEN
        assert px(img, 80, 80) == CLEAR
        assert px(img, 10, 10) == CLEAR

    def test_child_clip_and_own_clip_both_apply(self) -> None:
        img = draw(
            '<clipPath id="left"><rect width="50" height="100"/></clipPath>'
            '<clipPath id="top"><rect width="100" height="50"/></clipPath>'
            '<clipPath id="c" clip-path="url(#top)"><rect width="100" height="100" '
            'clip-path="url(#left)"/></clipPath>'
            '<rect width="100" height="100" fill="green" clip-path="url(#c)"/>'
        )
        assert px(img, 25, 25) == GREEN
        assert px(img, 75, 25) == CLEAR
        assert px(img, 25, 75) == CLEAR

    def test_object_bounding_box_clip_on_a_child_uses_the_childs_box(self) -> None:
        img = draw(
            '<clipPath id="lefthalf" clipPathUnits="objectBoundingBox">'
            '<rect width="0.5" height="1"/></clipPath>'
            '<clipPath id="c"><rect x="40" y="0" width="60" height="100" '
            'clip-path="url(#lefthalf)"/></clipPath>'
            '<rect width="100" height="100" fill="green" clip-path="url(#c)"/>'
        )
        assert px(img, 60, 50) == GREEN  # the child spans 40..100: its left half is 40..70
        assert px(img, 85, 50) == CLEAR

    def test_self_reference_drops_only_the_closing_link(self) -> None:
        body = (
            '<clipPath id="c" clip-path="url(#c)"><rect width="50" height="100"/></clipPath>'
            '<rect width="100" height="100" fill="green" clip-path="url(#c)"/>'
        )
        img = draw(body)
        assert px(img, 25, 50) == GREEN and px(img, 75, 50) == CLEAR
        assert "CLIP_CYCLE" in codes(body)

    def test_indirect_cycle_keeps_the_clips_before_the_loop(self) -> None:
        img = draw(
            '<clipPath id="a" clip-path="url(#b)"><rect width="50" height="100"/></clipPath>'
            '<clipPath id="b" clip-path="url(#a)"><rect width="100" height="50"/></clipPath>'
            '<rect width="100" height="100" fill="green" clip-path="url(#a)"/>'
        )
        assert px(img, 25, 25) == GREEN
        assert px(img, 75, 25) == CLEAR and px(img, 25, 75) == CLEAR

    def test_child_referencing_its_own_clip_path_is_unclipped(self) -> None:
        img = draw(
            '<clipPath id="c"><rect width="50" height="100" clip-path="url(#c)"/></clipPath>'
            '<rect width="100" height="100" fill="green" clip-path="url(#c)"/>'
        )
        assert px(img, 25, 50) == GREEN and px(img, 75, 50) == CLEAR


class TestUseOfSvg:
    def test_use_keeps_the_svg_position_and_overrides_its_size(self) -> None:
        img = draw(
            '<defs><svg id="s" x="40" y="40" width="10" height="10">'
            '<rect width="100" height="100" fill="green"/></svg></defs>'
            '<use href="#s" width="30" height="50"/>'
        )
        assert px(img, 45, 45) == GREEN
        assert px(img, 65, 85) == GREEN  # inside the use's 30 x 50, beyond the svg's 10 x 10
        assert px(img, 35, 45) == CLEAR  # left of the svg's x
        assert px(img, 75, 45) == CLEAR  # right of the viewport

    def test_use_x_y_add_to_the_svg_position(self) -> None:
        img = draw(
            '<defs><svg id="s" x="10" y="10" width="20" height="20">'
            '<rect width="100" height="100" fill="green"/></svg></defs>'
            '<use href="#s" x="50" y="50"/>'
        )
        assert px(img, 65, 65) == GREEN
        assert px(img, 15, 15) == CLEAR and px(img, 85, 85) == CLEAR


class TestPaintFallbacks:
    @pytest.mark.parametrize("target", ['<g id="t"/>', '<rect id="t" width="1" height="1"/>'])
    def test_url_to_a_non_paint_server_is_none(self, target: str) -> None:
        img = draw(f'<defs>{target}</defs><rect width="100" height="100" fill="url(#t)"/>')
        assert px(img, 50, 50) == CLEAR

    def test_url_to_a_non_paint_server_uses_the_fallback(self) -> None:
        img = draw('<defs><g id="t"/></defs><rect width="100" height="100" fill="url(#t) blue"/>')
        assert px(img, 50, 50) == BLUE

    def test_missing_reference_is_none_or_the_fallback(self) -> None:
        img = draw(
            '<rect width="50" height="100" fill="url(#nope)"/>'
            '<rect x="50" width="50" height="100" fill="url(#nope) blue"/>'
        )
        assert px(img, 25, 50) == CLEAR and px(img, 75, 50) == BLUE

    def test_element_referencing_itself_as_paint_draws_its_stroke_only(self) -> None:
        img = draw(
            '<g fill="url(#r)"><rect id="r" x="10" y="10" width="80" height="80" '
            'stroke="green" stroke-width="6"/></g>'
        )
        assert px(img, 50, 50) == CLEAR and px(img, 10, 50) == GREEN

    def test_gradient_without_stops_uses_the_fallback(self) -> None:
        img = draw(
            '<linearGradient id="g"/>'
            '<rect width="50" height="100" color="blue" fill="url(#g) currentColor"/>'
            '<rect x="50" width="50" height="100" fill="url(#g)"/>'
        )
        assert px(img, 25, 50) == BLUE and px(img, 75, 50) == CLEAR

    def test_zero_size_bbox_uses_the_fallback(self) -> None:
        img = draw(
            '<linearGradient id="g"><stop stop-color="red"/><stop offset="1"/></linearGradient>'
            '<path d="M10 50 H90" stroke="url(#g) blue" stroke-width="10"/>'
        )
        assert px(img, 50, 50) == BLUE

    def test_junk_after_the_fallback_makes_the_paint_invalid(self) -> None:
        body = (
            '<linearGradient id="g"><stop stop-color="white"/><stop offset="1" '
            'stop-color="white"/></linearGradient>'
            '<rect width="100" height="100" fill="url(#g) green icc-color(x, 0.1)"/>'
        )
        assert px(draw(body), 50, 50) == [0, 0, 0, 255]  # the initial fill, as browsers do
        assert "INVALID_ATTRIBUTE" in codes(body)

    def test_singular_gradient_transform_paints_nothing(self) -> None:
        # browsers draw nothing through a shader whose matrix has no inverse (resvg ignores
        # the transform instead); a fallback colour does not step in either
        img = draw(
            '<linearGradient id="g" gradientTransform="matrix(0 0 0 0 0 0)">'
            '<stop stop-color="#ff0000"/><stop offset="1" stop-color="#0000ff"/>'
            "</linearGradient>"
            '<rect width="100" height="100" fill="url(#g) green"/>'
        )
        assert not img.any()

    def test_equal_concentric_radial_circles_pad_first_inside_last_outside(self) -> None:
        img = draw(
            '<radialGradient id="g" fr="0.5"><stop stop-color="#ff0000"/>'
            '<stop offset="1" stop-color="#0000ff"/></radialGradient>'
            '<rect width="100" height="100" fill="url(#g)"/>'
        )
        assert px(img, 50, 50) == [255, 0, 0, 255]
        assert px(img, 70, 50) == [255, 0, 0, 255]
        assert px(img, 2, 2) == [0, 0, 255, 255]

    def test_equal_concentric_radial_circles_repeat_as_the_mean(self) -> None:
        img = draw(
            '<radialGradient id="g" fr="0.5" spreadMethod="repeat"><stop stop-color="#ff0000"/>'
            '<stop offset="1" stop-color="#0000ff"/></radialGradient>'
            '<rect width="100" height="100" fill="url(#g)"/>'
        )
        r, g, b, a = px(img, 50, 50)
        assert abs(r - 128) <= 2 and abs(b - 128) <= 2 and g == 0 and a == 255
        assert px(img, 2, 2) == px(img, 50, 50)

    def test_larger_focal_radius_still_draws(self) -> None:
        img = draw(
            '<radialGradient id="g" fr="0.7"><stop stop-color="#000000"/>'
            '<stop offset="1" stop-color="#ffffff"/></radialGradient>'
            '<rect width="100" height="100" fill="url(#g)"/>'
        )
        assert px(img, 50, 50) == [255, 255, 255, 255]  # inside r: past the last stop
        assert px(img, 1, 1)[0] < 128  # towards fr: the first stop


class TestContextPaint:
    MARKER = (
        '<marker id="m" markerWidth="20" markerHeight="20" refX="10" refY="10" '
        'markerUnits="userSpaceOnUse">'
        '<rect width="20" height="20" fill="context-stroke" stroke="context-fill" '
        'stroke-width="4"/></marker>'
    )

    def test_marker_content_paints_with_the_marked_shape(self) -> None:
        img = draw(
            self.MARKER + '<path d="M20 50 H80" fill="blue" stroke="green" marker-end="url(#m)"/>'
        )
        assert px(img, 80, 50) == GREEN  # rect fill = the path's stroke
        assert px(img, 89, 50) == BLUE  # rect stroke = the path's fill

    def test_use_is_the_context_element_of_its_instance(self) -> None:
        img = draw(
            '<defs><rect id="r" x="20" y="20" width="60" height="60" fill="context-stroke" '
            'stroke="context-fill" stroke-width="6"/></defs>'
            '<use href="#r" fill="blue" stroke="green"/>'
        )
        assert px(img, 50, 50) == GREEN and px(img, 20, 50) == BLUE

    def test_nested_use_context_reaches_the_outer_use(self) -> None:
        img = draw(
            '<defs><rect id="r" x="20" y="20" width="60" height="60" fill="context-stroke" '
            'stroke="context-fill" stroke-width="6"/></defs>'
            '<use id="u2" href="#r" fill="context-fill" stroke="context-stroke"/>'
            '<use href="#u2" fill="blue" stroke="green" transform="translate(0 0)"/>'
        )
        assert px(img, 50, 50) == GREEN and px(img, 20, 50) == BLUE

    def test_context_paint_outside_a_context_is_none(self) -> None:
        img = draw('<rect width="100" height="100" fill="context-fill" stroke="context-stroke"/>')
        assert px(img, 50, 50) == CLEAR and px(img, 0, 50) == CLEAR

    def test_context_gradient_lies_in_the_context_elements_space(self) -> None:
        # the marker samples the path's gradient where it sits, not a gradient of its own
        img = draw(
            '<linearGradient id="g" gradientUnits="userSpaceOnUse" x1="0" x2="100">'
            '<stop stop-color="#ff0000"/><stop offset="1" stop-color="#0000ff"/>'
            "</linearGradient>"
            '<marker id="m" markerWidth="10" markerHeight="10" refX="5" refY="5" '
            'markerUnits="userSpaceOnUse"><rect width="10" height="10" fill="context-fill"/>'
            "</marker>"
            '<path d="M5 50 L95 50" fill="url(#g)" marker-start="url(#m)" marker-end="url(#m)"/>'
        )
        start, end = px(img, 5, 50), px(img, 95, 50)
        assert start[0] > 220 and start[2] < 35
        assert end[2] > 220 and end[0] < 35

    def test_context_bbox_of_a_use_spans_its_whole_instance(self) -> None:
        # objectBoundingBox units through context-fill use the use's bbox (0..100), so the
        # small rect on the right samples the right end of the gradient
        img = draw(
            '<linearGradient id="g"><stop stop-color="#ff0000"/>'
            '<stop offset="1" stop-color="#0000ff"/></linearGradient>'
            '<defs><g id="gr"><rect width="100" height="50" fill="none"/>'
            '<rect x="90" y="60" width="10" height="10" fill="context-fill"/></g></defs>'
            '<use href="#gr" fill="url(#g)"/>'
        )
        right = px(img, 95, 65)
        assert right[2] > 220 and right[0] < 35

    def test_marker_with_negative_stroke_width_keeps_its_orientation(self) -> None:
        # markerUnits="strokeWidth" with an invalid width scales by the inherited width (1)
        img = draw(
            '<marker id="m" markerWidth="20" markerHeight="20">'
            '<rect width="20" height="20" fill="green"/></marker>'
            '<path d="M50 50 H90" stroke="none" stroke-width="-3" marker-start="url(#m)"/>'
        )
        assert px(img, 60, 60) == GREEN and px(img, 40, 40) == CLEAR


class TestAttributeSelectors:
    @pytest.mark.parametrize(
        ("selector", "hit"),
        [
            ("[x]", True),
            ("[y]", False),
            ('rect[fill="red"]', True),
            ("[fill=RED]", False),
            ("[fill=RED i]", True),
            ("[class~=b]", True),
            ("[class~=c]", False),
            ("[lang|=en]", True),
            ("[d^=M1]", True),
            ("[d$='0']", True),
            ("[d*=' 1']", True),
            ("[d^='']", False),
            ("g > [x]", True),
            ("svg > [x]", False),
        ],
    )
    def test_operators(self, selector: str, hit: bool) -> None:
        sink = _DiagnosticSink()
        (rule,) = parse_stylesheet(selector + "{fill: green}", sink)
        attrib = {"x": "1", "fill": "red", "class": "a b", "lang": "en-GB", "d": "M1 10"}
        node = Node("rect", "", ("a", "b"), attrib)
        assert rule.matches(node, [Node("g", "", (), {})]) is hit

    def test_attribute_selector_styles_pixels(self) -> None:
        img = draw(
            '<style>[x] { fill: green } rect[data-k="v w"] { fill: blue }</style>'
            '<rect x="0" width="50" height="100"/>'
            '<rect data-k="v w" x="50" width="50" height="100"/>'
        )
        assert px(img, 25, 50) == GREEN and px(img, 75, 50) == BLUE

    def test_attribute_selector_counts_as_a_class(self) -> None:
        img = draw(
            "<style>rect[x] { fill: green } rect { fill: red }</style>"
            '<rect x="0" width="100" height="100"/>'
        )
        assert px(img, 50, 50) == GREEN

    @pytest.mark.parametrize("selector", ["rect[1]", "[x", "[svg|x]", "rect[0]"])
    def test_unreadable_selectors_are_skipped(self, selector: str) -> None:
        sink = _DiagnosticSink()
        assert parse_stylesheet(selector + "{fill: green}", sink) == []
        assert [d.code for d in sink.items] == ["UNSUPPORTED_CSS"]

    @given(st.text(alphabet="[]=~|^$*'\"ixy -_>.#a1", max_size=24))
    def test_any_selector_text_parses_or_is_skipped(self, selector: str) -> None:
        sink = _DiagnosticSink()
        rules = parse_stylesheet(selector + "{fill: green}", sink)
        node = Node("rect", "a", ("a",), {"x": "1", "y": "i"})
        for rule in rules:
            assert rule.matches(node, []) in (True, False)


class TestPrefixedRootAndTref:
    def test_prefixed_root_renders(self) -> None:
        svg = (
            '<svg:svg xmlns:svg="http://www.w3.org/2000/svg" width="100" height="100">'
            '<svg:rect width="50" height="100" fill="green"/></svg:svg>'
        )
        img = render(svg, 100, 100)
        assert px(img, 25, 50) == GREEN and px(img, 75, 50) == CLEAR

    def test_prefixed_root_found_in_prose_and_repaired(self) -> None:
        text = (
            'Here: <s:svg xmlns:s="http://www.w3.org/2000/svg" width="100" height="100">'
            '<s:rect width="100" height="100" fill="green"/>'
        )
        img = render(svgkit.parse(text, repair=True), 100, 100)
        assert px(img, 50, 50) == GREEN

    def test_prefix_bound_elsewhere_is_not_svg(self) -> None:
        svg = '<svg:svg xmlns:svg="urn:x" width="10" height="10"></svg:svg>'
        with pytest.raises(svgkit.SVGKitError) as err:
            svgkit.parse(svg)
        assert err.value.code == svgkit.ErrorCode.NOT_SVG

    def test_tref_is_not_drawn(self) -> None:
        # SVG 2 removed <tref>; browsers draw nothing for it
        img = draw(
            '<defs><text id="t">HELLO</text></defs>'
            '<text x="10" y="60" font-size="40" fill="green"><tref href="#t"/></text>'
            '<tref href="#t"/>'
        )
        assert int(img[..., 3].max()) == 0


class TestNegativeStrokeWidth:
    def test_negative_width_is_ignored_for_the_inherited_one(self) -> None:
        img = draw(
            '<g stroke-width="10"><path d="M10 50 H90" stroke="green" stroke-width="-4"/></g>'
        )
        assert px(img, 50, 46) == GREEN  # 10 wide: reaches y = 45..55
        assert px(img, 50, 40) == CLEAR


class TestLegacyColourSyntax:
    @pytest.mark.parametrize(
        "text",
        ["rgb(10%, 20, 30%)", "rgb(0, 50%, 0)", "rgb(1 2, 3)", "rgba(0, 0, 0, none)",
         "hsl(120, 100, 50)", "rgb(0, 0, 0 / 1)", "rgb(1, 2, 3,)"],
    )  # fmt: skip
    def test_browsers_reject_these(self, text: str) -> None:
        assert parse_color(text) is None

    @pytest.mark.parametrize(
        ("text", "rgba"),
        [
            ("rgba(0, 127.5, 0, 50%)", (0.0, 0.5, 0.0, 0.5)),
            ("rgb(0% 50% 0%)", (0.0, 0.5, 0.0, 1.0)),
            ("rgb(0 50% 0)", (0.0, 0.5, 0.0, 1.0)),  # the modern syntax may mix
            ("rgb(none 255 none / 0.5)", (0.0, 1.0, 0.0, 0.5)),
            ("hsl(0.5turn 100% 50%)", (0.0, 1.0, 1.0, 1.0)),
            ("hsl(120 100 50)", (0.0, 1.0, 0.0, 1.0)),
        ],
    )
    def test_browsers_accept_these(
        self, text: str, rgba: tuple[float, float, float, float]
    ) -> None:
        got = parse_color(text)
        assert got is not None and np.allclose(got, rgba)

    def test_mixed_units_fill_falls_back_to_black(self) -> None:
        img = draw('<rect width="100" height="100" fill="rgb(0%, 128, 0)"/>')
        assert px(img, 50, 50) == [0, 0, 0, 255]

    @given(
        st.lists(st.integers(0, 255), min_size=3, max_size=3),
        st.floats(0, 1, allow_nan=False),
    )
    def test_legacy_and_modern_forms_agree(self, rgb: list[int], alpha: float) -> None:
        r, g, b = rgb
        legacy = parse_color(f"rgba({r}, {g}, {b}, {alpha})")
        modern = parse_color(f"rgb({r} {g} {b} / {alpha * 100}%)")
        assert legacy is not None and modern is not None
        assert np.allclose(legacy, modern)
