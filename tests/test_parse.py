"""What the Scene says about hand-written documents: one test per SVG rule the builder applies."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import svgkit
from svgkit import ErrorCode, Limits, PrimitiveKind, SVGKitError
from svgkit.scene import Command, LineCap, LineJoin, PaintKind

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def svg(body: str, attrs: str = 'width="100" height="100"') -> str:
    return f"<svg {NS} {attrs}>{body}</svg>"


def rgba(scene: svgkit.Scene, i: int, which: str = "fill") -> list[float]:
    arr = scene.fill_rgba if which == "fill" else scene.stroke_rgba
    return [round(float(v), 3) for v in arr[i]]


def codes(scene: svgkit.Scene, i: int) -> list[int]:
    return scene.primitive(i).commands[0].tolist()


class TestCanvas:
    def test_viewbox_maps_into_width_height_with_meet(self) -> None:
        # a 100x100 viewBox into 200x100 with xMidYMid meet: scale 1, centred with x + 50
        scene = svgkit.parse(
            svg(
                '<rect width="100" height="100"/>', 'width="200" height="100" viewBox="0 0 100 100"'
            )
        )
        assert scene.canvas.width == 200 and scene.canvas.height == 100
        assert scene.canvas.transform == (1.0, 0.0, 0.0, 1.0, 50.0, 0.0)
        assert scene.bbox[0].tolist() == [50.0, 0.0, 150.0, 100.0]

    def test_preserve_aspect_ratio_none_stretches(self) -> None:
        scene = svgkit.parse(
            svg(
                '<rect width="10" height="10"/>',
                'width="200" height="100" viewBox="0 0 10 10" preserveAspectRatio="none"',
            )
        )
        assert scene.bbox[0].tolist() == [0.0, 0.0, 200.0, 100.0]

    def test_slice_and_xmax(self) -> None:
        scene = svgkit.parse(
            svg(
                '<rect width="10" height="10"/>',
                'width="200" height="100" viewBox="0 0 10 10" preserveAspectRatio="xMaxYMax slice"',
            )
        )
        # slice scales by 20; xMax aligns right (x offset 0), yMax aligns bottom (y offset -100)
        assert scene.bbox[0].tolist() == [0.0, -100.0, 200.0, 100.0]

    def test_size_from_viewbox_and_defaults(self) -> None:
        assert svgkit.parse(svg("", 'viewBox="0 0 40 30"')).canvas.width == 40
        s = svgkit.parse(svg("", 'width="80" viewBox="0 0 40 30"'))
        assert (s.canvas.width, s.canvas.height) == (80, 60)
        s = svgkit.parse(svg("", ""))
        assert (s.canvas.width, s.canvas.height) == (300, 150)

    def test_units_on_root_size(self) -> None:
        s = svgkit.parse(svg("", 'width="1in" height="72pt"'))
        assert (s.canvas.width, s.canvas.height) == (96.0, 96.0)

    @pytest.mark.parametrize(
        "attrs",
        [
            'width="0" height="10"',
            'width="-5" height="10"',
            'viewBox="0 0 0 10"',
            'viewBox="0 0 10 -1"',
        ],
    )
    def test_degenerate_canvas_is_bad_geometry(self, attrs: str) -> None:
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(svg('<rect width="1" height="1"/>', attrs))
        assert info.value.code == "BAD_GEOMETRY"

    def test_absurd_canvas_is_a_limit(self) -> None:
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(svg("", 'width="1e9" height="1e9"'))
        assert info.value.code == "LIMIT" and info.value.limit == "max_canvas_size"


class TestShapes:
    def test_kinds_and_tags_in_paint_order(self) -> None:
        body = (
            '<rect width="1" height="1"/><circle r="1"/><ellipse rx="1" ry="2"/>'
            '<line x2="5" stroke="red"/><polyline points="0,0 1,1 2,0"/><polygon points="0,0 1,1 2,0"/>'
            '<path d="M0 0 L1 1"/>'
        )
        scene = svgkit.parse(svg(body))
        assert scene.tags == ["rect", "circle", "ellipse", "line", "polyline", "polygon", "path"]
        assert scene.kind.tolist() == list(range(7))

    def test_rect_geometry_and_rounded_corners(self) -> None:
        scene = svgkit.parse(
            svg(
                '<rect x="10" y="20" width="30" height="40"/><rect width="10" height="10" rx="20"/>'
            )
        )
        assert codes(scene, 0) == [
            Command.MOVE,
            Command.LINE,
            Command.LINE,
            Command.LINE,
            Command.CLOSE,
        ]
        assert scene.bbox[0].tolist() == [10.0, 20.0, 40.0, 60.0]
        # rx is clamped to half the width and ry defaults to rx: a circle of radius 5
        assert codes(scene, 1).count(Command.CUBIC) == 4
        assert np.allclose(scene.bbox[1], [0, 0, 10, 10])

    def test_circle_bbox_is_exact(self) -> None:
        scene = svgkit.parse(svg('<circle cx="50" cy="40" r="10" transform="rotate(33 50 40)"/>'))
        assert np.allclose(scene.bbox[0], [40, 30, 60, 50], atol=1e-3)

    def test_zero_sized_shapes_are_kept_but_empty(self) -> None:
        scene = svgkit.parse(
            svg('<rect width="0" height="10"/><circle r="0"/><rect width="5" height="5"/>')
        )
        assert len(scene) == 3
        assert np.diff(scene.cmd_offsets).tolist()[:2] == [0, 0]
        assert np.isnan(scene.bbox[0]).all()

    def test_negative_size_warns(self) -> None:
        scene = svgkit.parse(svg('<rect width="-4" height="10"/>'))
        assert any(w.code == "INVALID_ATTRIBUTE" for w in scene.warnings)

    def test_polyline_odd_points_keep_the_pairs(self) -> None:
        scene = svgkit.parse(svg('<polygon points="0,0 10,0 10,10 5"/>'))
        assert codes(scene, 0) == [Command.MOVE, Command.LINE, Command.LINE, Command.CLOSE]
        assert any("odd" in w.message for w in scene.warnings)

    def test_percentage_lengths_use_the_viewport(self) -> None:
        scene = svgkit.parse(
            svg('<rect width="50%" height="25%"/><circle r="10%"/>', 'viewBox="0 0 200 100"')
        )
        assert scene.bbox[0].tolist() == [0.0, 0.0, 100.0, 25.0]
        r = 0.1 * np.sqrt((200**2 + 100**2) / 2)
        assert np.allclose(scene.bbox[1], [-r, -r, r, r])


class TestPathData:
    def test_every_command_kind(self) -> None:
        d = "M10 10 l5 5 h3 v4 c1 1 2 2 3 3 s1 1 2 2 q1 1 2 2 t3 3 a5 5 0 0 1 10 0 z m3 3 H0 V0 C1 1 2 2 3 3 S4 4 5 5 Q6 6 7 7 T8 8 A1 1 0 1 0 9 9 Z"
        scene = svgkit.parse(svg(f'<path d="{d}"/>'))
        assert not scene.warnings
        c = codes(scene, 0)
        assert c.count(Command.MOVE) == 2 and c.count(Command.CLOSE) == 2

    def test_error_keeps_what_came_before(self) -> None:
        scene = svgkit.parse(svg('<path d="M0 0 L10 0 L10 10 L 5"/>'))
        assert codes(scene, 0) == [Command.MOVE, Command.LINE, Command.LINE]
        assert [w.code for w in scene.warnings] == ["PATH_DATA_ERROR"]

    def test_path_must_start_with_moveto(self) -> None:
        scene = svgkit.parse(svg('<path d="L10 10"/>'))
        assert codes(scene, 0) == []

    def test_packed_arc_flags(self) -> None:
        a = svgkit.parse(svg('<path d="M0 0 a5 5 0 0110 0"/>'))
        b = svgkit.parse(svg('<path d="M0 0 a5 5 0 0 1 10 0"/>'))
        assert np.array_equal(a.cmd_points, b.cmd_points)

    def test_arc_semicircle_goes_over_the_top_with_sweep(self) -> None:
        scene = svgkit.parse(svg('<path d="M0 50 A 10 10 0 0 1 20 50"/>'))
        assert np.allclose(scene.bbox[0], [0, 40, 20, 50], atol=1e-6)

    def test_arc_radii_scaled_up_when_too_small(self) -> None:
        scene = svgkit.parse(svg('<path d="M0 0 A 1 1 0 0 1 20 0"/>'))
        assert np.allclose(scene.bbox[0], [0, -10, 20, 0], atol=1e-6)

    def test_quadratic_is_raised_exactly(self) -> None:
        scene = svgkit.parse(svg('<path d="M0 0 Q 10 20 20 0"/>'))
        # the quadratic's apex is at y = 10
        assert np.allclose(scene.bbox[0], [0, 0, 20, 10])

    def test_huge_coordinates_are_a_limit(self) -> None:
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(svg('<path d="M0 0 L1e300 0"/>'))
        assert info.value.limit == "max_coordinate"


class TestTransforms:
    def test_nested_transforms_compose(self) -> None:
        scene = svgkit.parse(
            svg(
                '<g transform="translate(10 20)"><g transform="scale(2)"><rect width="5" height="5"/></g></g>'
            )
        )
        assert scene.bbox[0].tolist() == [10.0, 20.0, 20.0, 30.0]
        assert scene.transform[0].tolist() == [2.0, 0.0, 0.0, 2.0, 10.0, 20.0]

    def test_stroke_width_stays_in_user_units(self) -> None:
        scene = svgkit.parse(
            svg(
                '<g transform="scale(3)"><rect width="5" height="5" stroke="red" stroke-width="2"/></g>'
            )
        )
        assert scene.stroke_width[0] == 2.0
        assert scene.stroke_width_device[0] == pytest.approx(6.0)
        assert np.allclose(scene.stroke_bbox[0], [-3, -3, 18, 18])

    def test_invalid_transform_is_ignored_with_a_warning(self) -> None:
        scene = svgkit.parse(svg('<rect width="5" height="5" transform="banana(3)"/>'))
        assert scene.bbox[0].tolist() == [0.0, 0.0, 5.0, 5.0]
        assert scene.warnings[0].code == "INVALID_ATTRIBUTE"


class TestPaint:
    @pytest.mark.parametrize(
        "value",
        [
            "#ff8000",
            "#FF8000",
            "rgb(255,128,0)",
            "rgb(100%, 50.2%, 0%)",
            "hsl(30.12, 100%, 50%)",
            "RGB(255 , 128, 0)",
        ],
    )
    def test_colour_syntaxes_agree(self, value: str) -> None:
        scene = svgkit.parse(svg(f'<rect width="5" height="5" fill="{value}"/>'))
        assert np.allclose(scene.fill_rgba[0], [1.0, 128 / 255, 0.0, 1.0], atol=1 / 255)

    def test_named_and_css_class_colours(self) -> None:
        body = '<style>.c { fill: orange } #x { fill: teal }</style><rect class="c" width="1" height="1"/><rect id="x" width="1" height="1"/>'
        scene = svgkit.parse(svg(body))
        assert rgba(scene, 0) == [1.0, round(165 / 255, 3), 0.0, 1.0]
        assert rgba(scene, 1) == [0.0, round(128 / 255, 3), round(128 / 255, 3), 1.0]

    def test_cascade_order(self) -> None:
        # presentation attribute < CSS rule < style attribute; !important beats the style attribute
        body = (
            "<style>rect { fill: blue } .imp { stroke: lime !important }</style>"
            '<rect fill="red" width="1" height="1"/>'
            '<rect fill="red" style="fill: yellow" width="1" height="1"/>'
            '<rect class="imp" style="stroke: red" width="1" height="1"/>'
        )
        scene = svgkit.parse(svg(body))
        assert rgba(scene, 0) == [0.0, 0.0, 1.0, 1.0]
        assert rgba(scene, 1) == [1.0, 1.0, 0.0, 1.0]
        assert rgba(scene, 2, "stroke") == [0.0, 1.0, 0.0, 1.0]

    def test_specificity_and_descendant_selectors(self) -> None:
        body = (
            "<style>g.a rect { fill: red } rect { fill: blue } g > rect.b { fill: lime }</style>"
            '<g class="a"><rect width="1" height="1"/><g><rect class="b" width="1" height="1"/></g></g>'
        )
        scene = svgkit.parse(svg(body))
        assert rgba(scene, 0) == [1.0, 0.0, 0.0, 1.0]
        assert rgba(scene, 1) == [0.0, 1.0, 0.0, 1.0]

    def test_inheritance_and_current_color(self) -> None:
        body = '<g fill="green" color="red" stroke="currentColor"><rect width="1" height="1"/></g>'
        scene = svgkit.parse(svg(body))
        assert rgba(scene, 0) == [0.0, round(128 / 255, 3), 0.0, 1.0]
        assert rgba(scene, 0, "stroke") == [1.0, 0.0, 0.0, 1.0]

    def test_opacities(self) -> None:
        scene = svgkit.parse(
            svg(
                '<rect width="1" height="1" fill="rgba(0,0,255,0.5)" fill-opacity="0.5" opacity="0.4"/>'
            )
        )
        assert scene.fill_rgba[0, 3] == pytest.approx(0.25, abs=0.01)
        assert scene.opacity[0] == pytest.approx(0.4)

    def test_group_opacity_stays_on_the_group(self) -> None:
        scene = svgkit.parse(
            svg('<g opacity="0.5"><rect width="1" height="1"/><rect width="1" height="1"/></g>')
        )
        assert scene.opacity.tolist() == [1.0, 1.0]
        group = scene.groups[int(scene.group[0])]
        assert group.opacity == 0.5 and group.needs_compositing

    def test_invalid_colour_falls_back_with_warning(self) -> None:
        scene = svgkit.parse(svg('<rect width="1" height="1" fill="notacolour"/>'))
        assert rgba(scene, 0) == [0.0, 0.0, 0.0, 1.0]
        assert scene.warnings[0].code == "INVALID_ATTRIBUTE"

    def test_stroke_properties(self) -> None:
        body = (
            '<path d="M0 0 L10 0" stroke="red" stroke-width="3" stroke-linecap="round" stroke-linejoin="bevel" '
            'stroke-miterlimit="8" stroke-dasharray="1 2 3" stroke-dashoffset="2" paint-order="stroke"/>'
        )
        scene = svgkit.parse(svg(body))
        assert scene.line_cap[0] == LineCap.ROUND and scene.line_join[0] == LineJoin.BEVEL
        assert scene.miter_limit[0] == 8.0 and scene.dash_offset[0] == 2.0
        # an odd dash list is repeated to even length
        assert scene.dash_values[scene.dash_offsets[0] : scene.dash_offsets[1]].tolist() == [
            1,
            2,
            3,
            1,
            2,
            3,
        ]
        assert bool(scene.paint_order_stroke_first[0])

    def test_fill_rule_and_visibility(self) -> None:
        body = '<g visibility="hidden"><rect fill-rule="evenodd" width="1" height="1"/><rect visibility="visible" width="1" height="1"/></g>'
        scene = svgkit.parse(svg(body))
        assert scene.fill_rule.tolist() == [1, 0]
        assert scene.visible.tolist() == [False, True]

    def test_display_none_prunes_the_subtree(self) -> None:
        scene = svgkit.parse(
            svg(
                '<g display="none"><rect width="1" height="1"/></g><rect style="display:none" width="1" height="1"/>'
            )
        )
        assert len(scene) == 0


class TestGradients:
    def test_object_bounding_box_units_and_href_inheritance(self) -> None:
        body = (
            '<defs><linearGradient id="base"><stop offset="0" stop-color="red"/><stop offset="100%" stop-color="blue" stop-opacity="0.5"/></linearGradient>'
            '<linearGradient id="g" xlink:href="#base" x1="0" y1="0" x2="0" y2="1" spreadMethod="reflect"/></defs>'
            '<rect x="10" y="20" width="30" height="40" fill="url(#g)"/>'
        )
        scene = svgkit.parse(svg(body))
        assert scene.fill_kind[0] == PaintKind.LINEAR_GRADIENT
        grad = scene.gradients[int(scene.fill_paint[0])]
        assert [s.offset for s in grad.stops] == [0.0, 1.0]
        assert grad.stops[1].rgba == (0.0, 0.0, 1.0, 0.5)
        assert (grad.x1, grad.y1, grad.x2, grad.y2, grad.spread) == (0.0, 0.0, 0.0, 1.0, "reflect")
        assert grad.transform == (30.0, 0.0, 0.0, 40.0, 10.0, 20.0)

    def test_user_space_radial_with_focal_point(self) -> None:
        body = (
            '<radialGradient id="r" gradientUnits="userSpaceOnUse" cx="50" cy="50" r="40" fx="30" fy="50" gradientTransform="scale(2)">'
            '<stop offset="0.2" stop-color="white"/><stop offset="0.1" stop-color="black"/></radialGradient>'
            '<circle cx="50" cy="50" r="40" fill="url(#r)"/>'
        )
        scene = svgkit.parse(svg(body))
        grad = scene.gradients[0]
        assert (grad.cx, grad.cy, grad.r, grad.fx, grad.fy) == (50, 50, 40, 30, 50)
        assert grad.transform == (2.0, 0.0, 0.0, 2.0, 0.0, 0.0)
        # offsets are clamped to be monotone
        assert [s.offset for s in grad.stops] == [0.2, 0.2]

    def test_gradient_not_read_as_black(self) -> None:
        body = '<linearGradient id="g"><stop stop-color="#f00"/><stop offset="1" stop-color="#ff0"/></linearGradient><rect width="4" height="4" fill="url(#g)"/>'
        scene = svgkit.parse(svg(body))
        # the stand-in colour is the mean of the stops, not black
        assert rgba(scene, 0)[:3] == [1.0, 0.5, 0.0]

    def test_single_stop_and_missing_reference(self) -> None:
        body = (
            '<linearGradient id="one"><stop stop-color="lime"/></linearGradient>'
            '<rect width="4" height="4" fill="url(#one)"/><rect width="4" height="4" fill="url(#nope) red"/>'
            '<rect width="4" height="4" fill="url(#nope)"/>'
        )
        scene = svgkit.parse(svg(body))
        assert scene.fill_kind.tolist() == [PaintKind.SOLID, PaintKind.SOLID, PaintKind.NONE]
        assert rgba(scene, 1) == [1.0, 0.0, 0.0, 1.0]

    def test_pattern_paint_resolves_to_a_tile(self) -> None:
        body = (
            '<pattern id="p" width="0.25" height="0.5"><rect width="2" height="2" fill="red"/></pattern>'
            '<rect x="10" y="10" width="40" height="20" fill="url(#p)"/>'
        )
        scene = svgkit.parse(svg(body))
        assert scene.fill_kind[0] == PaintKind.PATTERN
        pattern = scene.patterns[int(scene.fill_paint[0])]
        # objectBoundingBox patternUnits: the tile is a fraction of the 40x20 box at (10, 10)
        assert pattern.tile == (10.0, 10.0, 10.0, 10.0)
        assert pattern.content.tags == ["rect"] and rgba(scene, 0)[:3] == [1.0, 0.0, 0.0]


class TestStructure:
    def test_object_membership(self) -> None:
        body = '<g id="vase-2" class="obj vase" data-object="vase"><g id="inner"><circle r="3"/></g></g>'
        scene = svgkit.parse(svg(body))
        chain = scene.primitive(0).groups
        assert [g.id for g in chain] == ["", "vase-2", "inner"]
        assert chain[1].classes == ("obj", "vase") and chain[1].data_object == "vase"

    def test_use_expands_with_offset_and_its_own_group(self) -> None:
        body = '<defs><rect id="r" width="5" height="5"/></defs><use href="#r" x="10" y="20"/><use xlink:href="#r" transform="scale(2)"/>'
        scene = svgkit.parse(svg(body))
        assert len(scene) == 2 and scene.use_expansions == 2
        assert scene.bbox.tolist() == [[10, 20, 15, 25], [0, 0, 10, 10]]
        assert all(scene.groups[int(g)].use_instance for g in scene.group)
        assert scene.ids == ["r", "r"]  # ids repeat across instances; membership tells them apart

    def test_symbol_is_not_drawn_where_defined_and_scales_into_the_use_viewport(self) -> None:
        body = '<symbol id="s" viewBox="0 0 10 10"><rect width="10" height="10"/></symbol><use href="#s" x="20" y="20" width="40" height="40"/>'
        scene = svgkit.parse(svg(body))
        assert len(scene) == 1
        assert scene.bbox[0].tolist() == [20.0, 20.0, 60.0, 60.0]
        # the symbol's viewport clips its content
        assert any(g.clip >= 0 for g in scene.ancestors(0))

    def test_use_inherits_style_from_the_use(self) -> None:
        body = '<defs><rect id="r" width="5" height="5"/></defs><use href="#r" fill="purple"/>'
        scene = svgkit.parse(svg(body))
        assert rgba(scene, 0) == [round(128 / 255, 3), 0.0, round(128 / 255, 3), 1.0]

    @pytest.mark.parametrize(
        "body",
        [
            '<use id="a" href="#a"/>',
            '<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>',
            '<g id="top"><rect width="1" height="1"/><use href="#top"/></g>',
        ],
    )
    def test_use_cycles_skip_that_use_with_a_warning(self, body: str) -> None:
        scene = svgkit.parse(svg(body + '<circle r="4"/>'))
        assert "USE_CYCLE" in {w.code for w in scene.warnings}
        assert "circle" in scene.tags  # the rest of the document still draws

    def test_deep_use_chains_are_a_limit(self) -> None:
        chain = '<rect id="u0" width="1" height="1"/>' + "".join(
            f'<g id="u{k}"><use href="#u{k - 1}"/></g>' for k in range(1, 20)
        )
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(svg("<defs>" + chain + '</defs><use href="#u19"/>'))
        assert info.value.code == "LIMIT" and info.value.limit == "max_reference_depth"

    def test_use_fan_out_bomb_hits_the_expansion_limit(self) -> None:
        levels = ['<rect id="l0" width="1" height="1"/>']
        for k in range(1, 9):
            uses = "".join(f'<use href="#l{k - 1}"/>' for _ in range(10))
            levels.append(f'<g id="l{k}">{uses}</g>')
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(svg("<defs>" + "".join(levels) + '</defs><use href="#l8"/>'))
        assert info.value.limit == "max_use_expansions"

    def test_external_use_and_images_are_dropped(self) -> None:
        body = (
            '<use href="other.svg#x"/><image href="http://example.com/a.png" width="5" height="5"/>'
            '<image href="file:///etc/passwd" width="5" height="5"/><rect width="1" height="1" fill="url(http://x/y#z)"/>'
        )
        scene = svgkit.parse(svg(body))
        assert [w.code for w in scene.warnings].count("EXTERNAL_REFERENCE") == 4
        assert scene.kind.tolist() == [PrimitiveKind.RECT]

    def test_data_uri_image(self) -> None:
        scene = svgkit.parse(
            svg('<image href="data:image/png;base64,AAAA" x="1" y="2" width="3" height="4"/>')
        )
        assert scene.kind.tolist() == [PrimitiveKind.IMAGE]
        assert scene.images[0].width == 3 and scene.bbox[0].tolist() == [1.0, 2.0, 4.0, 6.0]

    def test_clip_path_resolved_in_device_space(self) -> None:
        body = (
            '<clipPath id="c" clipPathUnits="objectBoundingBox"><rect width="0.5" height="1" clip-rule="evenodd"/></clipPath>'
            '<rect x="10" y="10" width="20" height="20" clip-path="url(#c)" transform="translate(5 0)"/>'
        )
        scene = svgkit.parse(svg(body))
        clip = scene.clips[int(scene.clip[0])]
        assert clip.clip_rules == (1,)
        pts = clip.cmd_points[0]
        assert pts[:, 0].min() == 15 and pts[:, 0].max() == 25 and pts[:, 1].max() == 30

    def test_nested_svg_viewport(self) -> None:
        body = '<svg x="10" y="10" width="20" height="20" viewBox="0 0 2 2"><rect width="2" height="2"/></svg>'
        scene = svgkit.parse(svg(body))
        assert scene.bbox[0].tolist() == [10.0, 10.0, 30.0, 30.0]

    def test_text_runs(self) -> None:
        body = '<text x="50" y="50" font-size="20" font-family="Arial, sans-serif" text-anchor="middle">Hi <tspan font-weight="bold">there</tspan></text>'
        scene = svgkit.parse(svg(body))
        assert scene.kind.tolist() == [PrimitiveKind.TEXT, PrimitiveKind.TEXT]
        first, second = scene.texts[0], scene.texts[1]
        assert (first.text, second.text) == ("Hi ", "there")
        assert first.font_family == ("Arial", "sans-serif") and second.font_weight == 700
        assert first.chunk == second.chunk == 0 and first.text_anchor == "middle"
        # the chunk is centred on x=50
        assert scene.bbox[0, 0] < 50 < scene.bbox[1, 2]

    def test_unsupported_effects_and_animation_warn(self) -> None:
        body = (
            '<filter id="f"><feGaussianBlur stdDeviation="2"/></filter>'
            '<rect width="5" height="5" filter="url(#f)"><animate attributeName="x" to="5"/></rect>'
            "<foreignObject/><script>alert(1)</script>"
        )
        scene = svgkit.parse(svg(body))
        found = {w.code for w in scene.warnings}
        assert {"ANIMATION_IGNORED", "UNSUPPORTED_ELEMENT"} <= found
        assert scene.filters[0].primitives[0].kind == "feGaussianBlur"
        assert len(scene) == 1

    def test_css_import_is_never_fetched(self) -> None:
        scene = svgkit.parse(
            svg(
                '<style>@import url(http://evil/x.css); rect { fill: red }</style><rect width="1" height="1"/>'
            )
        )
        assert scene.warnings[0].code == "EXTERNAL_REFERENCE"
        assert rgba(scene, 0) == [1.0, 0.0, 0.0, 1.0]


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("just prose", "NO_SVG"),
            ('<svg xmlns="http://www.w3.org/2000/svg"><rect', "TRUNCATED"),
            ('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "XML_SYNTAX"),
            ('<svg><use xlink:href="#a"/></svg>', "XML_SYNTAX"),
            ('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "FORBIDDEN"),
            (b'<svg xmlns="http://www.w3.org/2000/svg">\xff\xfe</svg>', "XML_SYNTAX"),
        ],
    )
    def test_codes(self, text: str | bytes, code: str) -> None:
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(text)
        assert info.value.code == code
        assert svgkit.validate(text).code == code

    def test_bad_input_type(self) -> None:
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(12345)  # type: ignore[arg-type]
        assert info.value.code == ErrorCode.BAD_INPUT

    def test_external_doctype_is_ignored_not_loaded(self) -> None:
        text = (
            '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
            '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
            + svg('<rect width="1" height="1"/>')
        )
        scene = svgkit.parse(text)
        assert len(scene) == 1

    def test_limits_are_named(self) -> None:
        text = svg("".join('<rect width="1" height="1"/>' for _ in range(50)))
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(text, Limits(max_elements=20))
        assert info.value.limit == "max_elements"
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(svg("<g>" * 30 + "</g>" * 30), Limits(max_depth=10))
        assert info.value.limit == "max_depth"
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(text, Limits(max_input_bytes=100))
        assert info.value.limit == "max_input_bytes"

    def test_errors_pickle(self) -> None:
        err = SVGKitError("LIMIT", "too big", limit="max_depth", details={"value": 3})
        back = pickle.loads(pickle.dumps(err))
        assert (back.code, back.limit, back.details) == ("LIMIT", "max_depth", {"value": 3})


def test_scene_pickles_and_is_deterministic() -> None:
    text = svg(
        '<g id="a" opacity="0.5"><rect width="5" height="5" fill="red"/><circle r="3"/></g><text x="1" y="9">x</text>'
    )
    a, b = svgkit.parse(text), svgkit.parse(text)
    back = pickle.loads(pickle.dumps(a))
    for name in ("cmd_points", "cmd_codes", "bbox", "fill_rgba", "group"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
        assert np.array_equal(getattr(a, name), getattr(back, name))
    assert back.groups == a.groups and back.texts == a.texts
