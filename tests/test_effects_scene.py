"""How the builder resolves filters, masks and patterns into the Scene (issue 5, builder side)."""

from __future__ import annotations

import numpy as np
import pytest

import svgkit
from svgkit.scene import PaintKind

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def svg(body: str) -> str:
    return f'<svg {NS} width="200" height="200" viewBox="0 0 200 200">{body}</svg>'


class TestFilters:
    def test_default_region_is_the_bbox_grown_by_ten_percent(self) -> None:
        scene = svgkit.parse(svg('<filter id="f"><feGaussianBlur stdDeviation="2"/></filter><rect x="20" y="40" width="100" height="50" filter="url(#f)"/>'))
        group = scene.groups[int(scene.group[0])]
        assert group.synthetic and group.filter_index == 0
        f = scene.filters[0]
        assert f.region == pytest.approx((10.0, 35.0, 120.0, 60.0))
        assert f.primitives[0].params == {"std_dev": (2.0, 2.0), "edge_mode": "none"}
        assert f.primitives[0].linear_rgb

    def test_user_space_region_units_and_scaled_lengths(self) -> None:
        body = (
            '<filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="50" height="50" color-interpolation-filters="sRGB">'
            '<feOffset dx="3" dy="4" result="o"/><feGaussianBlur stdDeviation="1 2" in="o"/></filter>'
            '<g transform="scale(2)" filter="url(#f)"><rect width="10" height="10"/></g>'
        )
        f = svgkit.parse(svg(body)).filters[0]
        assert f.region == (0.0, 0.0, 100.0, 100.0)
        offset, blur = f.primitives
        assert (offset.params["dx"], offset.params["dy"], offset.result) == (6.0, 8.0, "o")
        assert blur.params["std_dev"] == (2.0, 4.0) and blur.inputs == ("o",)
        assert not offset.linear_rgb

    def test_primitive_subregion_defaults_to_the_region(self) -> None:
        body = (
            '<filter id="f"><feFlood flood-color="green" flood-opacity="0.5" width="50"/></filter>'
            '<rect x="20" y="20" width="160" height="160" filter="url(#f)"/>'
        )
        f = svgkit.parse(svg(body)).filters[0]
        flood = f.primitives[0]
        assert flood.subregion == pytest.approx((4.0, 4.0, 50.0, 192.0))
        assert flood.params["rgba"] == pytest.approx((0.0, 128 / 255, 0.0, 0.5))

    def test_no_primitives_or_empty_region_hides_the_element(self) -> None:
        body = '<filter id="a"/><filter id="b" width="-5"><feFlood/></filter><rect width="5" height="5" filter="url(#a)"/><rect width="5" height="5" filter="url(#b)"/>'
        scene = svgkit.parse(svg(body))
        assert scene.filters[0].primitives == ()
        assert scene.filters[1].region[2:] == (0.0, 0.0)

    def test_missing_filter_hides_the_element(self) -> None:
        # browsers do not render an element whose filter reference resolves to nothing
        for body in (
            '<rect width="5" height="5" filter="url(#nope)"/>',
            '<linearGradient id="g"/><rect width="5" height="5" filter="url(#g)"/>',
        ):
            scene = svgkit.parse(svg(body))
            k = scene.groups[int(scene.group[-1])].filter_index
            assert k >= 0 and scene.filters[k].primitives == ()
            assert not svgkit.render(scene, 10, 10)[..., 3].any()
        scene = svgkit.parse(svg('<rect width="5" height="5" filter="url(#nope)"/>'))
        assert "MISSING_REFERENCE" in {w.code for w in scene.warnings}

    def test_color_matrix_expansions(self) -> None:
        body = (
            '<filter id="f"><feColorMatrix type="saturate" values="0"/><feColorMatrix type="hueRotate" values="0"/>'
            '<feColorMatrix type="luminanceToAlpha"/><feColorMatrix values="1 2 3"/></filter>'
            '<rect width="5" height="5" filter="url(#f)"/>'
        )
        scene = svgkit.parse(svg(body))
        sat, hue, lum, bad = (p.params["matrix"] for p in scene.filters[0].primitives)
        assert sat[:3] == pytest.approx((0.213, 0.715, 0.072))
        assert hue == pytest.approx((1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0), abs=1e-9)
        assert lum[15:18] == pytest.approx((0.2125, 0.7154, 0.0721))
        assert bad[0] == 1.0 and "INVALID_ATTRIBUTE" in {w.code for w in scene.warnings}

    def test_turbulence_is_a_supported_primitive(self) -> None:
        scene = svgkit.parse(svg('<filter id="f"><feTurbulence baseFrequency="0.05"/></filter><rect width="5" height="5" filter="url(#f)"/>'))
        assert scene.filters[0].primitives[0].kind == "feTurbulence"
        assert "UNSUPPORTED_EFFECT" not in {w.code for w in scene.warnings}

    def test_css_blur_function(self) -> None:
        scene = svgkit.parse(svg('<rect x="10" y="10" width="20" height="20" style="filter: blur(2px)"/>'))
        prim = scene.filters[0].primitives[0]
        assert prim.kind == "feGaussianBlur" and prim.params["std_dev"] == (2.0, 2.0)

    def test_element_opacity_moves_onto_the_effect_group(self) -> None:
        scene = svgkit.parse(svg('<filter id="f"><feOffset/></filter><rect width="5" height="5" opacity="0.4" filter="url(#f)"/>'))
        assert scene.opacity[0] == 1.0
        assert scene.groups[int(scene.group[0])].opacity == pytest.approx(0.4)

    def test_filter_href_inherits_primitives(self) -> None:
        body = '<filter id="a"><feOffset dx="5"/></filter><filter id="b" xlink:href="#a" x="0" y="0"/><rect width="5" height="5" filter="url(#b)"/>'
        f = svgkit.parse(svg(body)).filters[0]
        assert f.primitives[0].kind == "feOffset"


class TestMasks:
    def test_mask_content_is_its_own_scene(self) -> None:
        body = (
            '<mask id="m" mask-type="alpha"><circle cx="50" cy="50" r="20" fill="white"/></mask>'
            '<g mask="url(#m)"><rect width="100" height="100" fill="green"/></g>'
        )
        scene = svgkit.parse(svg(body))
        group = scene.groups[int(scene.group[0])]
        mask = scene.masks[group.mask_index]
        assert not mask.luminance
        assert mask.region == pytest.approx((-10.0, -10.0, 120.0, 120.0))
        assert mask.content.tags == ["circle"] and mask.content.bbox[0].tolist() == [30, 30, 70, 70]
        assert len(scene) == 1  # mask content is not drawn in the scene itself

    def test_mask_content_units(self) -> None:
        body = (
            '<mask id="m" maskContentUnits="objectBoundingBox"><rect width="0.5" height="1" fill="white"/></mask>'
            '<rect x="20" y="20" width="100" height="40" mask="url(#m)"/>'
        )
        mask = svgkit.parse(svg(body)).masks[0]
        assert mask.content.bbox[0].tolist() == [20, 20, 70, 60]

    def test_self_reference_inside_the_mask_is_ignored(self) -> None:
        body = '<mask id="m"><rect width="50" height="50" fill="white" mask="url(#m)"/></mask><rect width="9" height="9" mask="url(#m)"/>'
        scene = svgkit.parse(svg(body))
        inner = scene.masks[0].content
        assert all(g.mask_index == -1 for g in inner.groups)

    def test_invalid_reference_draws_unmasked(self) -> None:
        scene = svgkit.parse(svg('<rect width="9" height="9" mask="url(#nope)"/>'))
        assert scene.groups[int(scene.group[0])].mask_index == -1


class TestPatterns:
    def test_user_space_tile_with_transform_and_viewbox(self) -> None:
        body = (
            '<pattern id="p" patternUnits="userSpaceOnUse" x="5" y="5" width="20" height="10" viewBox="0 0 4 2" patternTransform="rotate(45)">'
            '<rect width="2" height="2" fill="blue"/></pattern><rect width="100" height="100" fill="url(#p)"/>'
        )
        scene = svgkit.parse(svg(body))
        pattern = scene.patterns[0]
        assert pattern.tile == (5.0, 5.0, 20.0, 10.0)
        assert pattern.transform == pytest.approx((np.sqrt(0.5), np.sqrt(0.5), -np.sqrt(0.5), np.sqrt(0.5), 0, 0))
        # the viewBox maps 4x2 onto the 20x10 tile: the content rect is 10x10 in tile space
        assert pattern.content.bbox[0].tolist() == [0, 0, 10, 10]
        assert scene.fill_rgba[0, :3].tolist() == [0.0, 0.0, 1.0]

    def test_children_and_attributes_via_href(self) -> None:
        body = (
            '<pattern id="base" width="10" height="10" patternUnits="userSpaceOnUse"><circle cx="5" cy="5" r="4"/></pattern>'
            '<pattern id="p" xlink:href="#base" patternTransform="scale(2)"/><rect width="50" height="50" stroke="url(#p)"/>'
        )
        scene = svgkit.parse(svg(body))
        assert scene.stroke_kind[0] == PaintKind.PATTERN
        pattern = scene.patterns[int(scene.stroke_paint[0])]
        assert pattern.tile == (0.0, 0.0, 10.0, 10.0) and pattern.content.tags == ["circle"]

    def test_self_recursive_pattern_paints_none_inside(self) -> None:
        body = '<pattern id="p" width="10" height="10" patternUnits="userSpaceOnUse"><rect width="10" height="10" fill="url(#p)" stroke="green"/></pattern><rect width="50" height="50" fill="url(#p)"/>'
        scene = svgkit.parse(svg(body))
        inner = scene.patterns[0].content
        assert inner.fill_kind[0] == PaintKind.NONE and inner.stroke_kind[0] == PaintKind.SOLID


class TestMarkers:
    ARROW = (
        '<marker id="m" refX="5" refY="5" markerWidth="10" markerHeight="10" orient="auto" viewBox="0 0 10 10">'
        '<path d="M0 0 L10 5 L0 10 z" fill="red"/></marker>'
    )

    def test_start_mid_end_instances_with_auto_orientation(self) -> None:
        body = self.ARROW + (
            '<path d="M20 20 L100 20 L100 100" stroke="black" stroke-width="2" fill="none" '
            'marker-start="url(#m)" marker-mid="url(#m)" marker-end="url(#m)"/>'
        )
        scene = svgkit.parse(svg(body))
        assert scene.tags == ["path"] * 4
        # stroke-width 2 scales the 10x10 marker to 20x20, centred on each vertex by refX/refY
        assert scene.bbox[1].tolist() == pytest.approx([10, 10, 30, 30])
        assert scene.bbox[3].tolist() == pytest.approx([90, 90, 110, 110])
        # the mid vertex bisects 0° and 90°: the arrow's tip points down-right
        tip = scene.cmd_points[scene.pt_offsets[2] + 1]
        assert tip == pytest.approx([100 + 10 * np.cos(np.pi / 4), 20 + 10 * np.sin(np.pi / 4)])
        assert all(g.tag == "marker" and g.clip >= 0 for g in scene.groups[1:])

    def test_marker_shorthand_and_user_space_units(self) -> None:
        body = (
            '<style>.m { marker: url(#d) }</style><marker id="d" markerUnits="userSpaceOnUse" markerWidth="4" markerHeight="4" refX="2" refY="2">'
            '<circle cx="2" cy="2" r="2"/></marker><polyline class="m" points="0,0 10,0 20,0" stroke="black" stroke-width="5"/>'
        )
        scene = svgkit.parse(svg(body))
        assert scene.tags == ["polyline", "circle", "circle", "circle"]
        assert scene.bbox[2].tolist() == pytest.approx([8, -2, 12, 2])

    def test_auto_start_reverse_and_fixed_angle(self) -> None:
        body = (
            '<marker id="r" orient="auto-start-reverse" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10">'
            '<path d="M0 0 L10 0"/></marker>'
            '<line x1="50" y1="50" x2="100" y2="50" stroke="black" marker-start="url(#r)"/>'
        )
        scene = svgkit.parse(svg(body))
        pts = scene.cmd_points[scene.pt_offsets[1] : scene.pt_offsets[2]]
        assert np.allclose(pts, [[50, 50], [40, 50]])

    def test_paint_order_markers_first(self) -> None:
        body = self.ARROW + '<path d="M0 0 L50 0" stroke="black" marker-end="url(#m)" paint-order="markers"/>'
        scene = svgkit.parse(svg(body))
        assert scene.groups[int(scene.group[0])].tag == "marker"

    def test_marker_on_rect_as_in_svg2_and_missing_marker_warns(self) -> None:
        body = self.ARROW + '<rect width="5" height="5" marker-start="url(#m)"/><path d="M0 0 L5 5" marker-end="url(#x)"/>'
        scene = svgkit.parse(svg(body))
        assert scene.tags == ["rect", "path", "path"]  # the rect, its start marker, the path
        assert "MISSING_REFERENCE" in {w.code for w in scene.warnings}
