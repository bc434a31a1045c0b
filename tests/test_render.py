"""Golden renders: colours at chosen pixels and alpha coverage (never image hashes)."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import numpy as np
import pytest

import svgkit
from svgkit import ErrorCode, SVGKitError, render
from svgkit.renderer.draw import output_matrix, viewbox_map
from svgkit.renderer.surface import MAX_OUTPUT_SIZE, parse_background, render_surface
from svgkit.renderer.surface import render as _render_impl

NS = 'xmlns="http://www.w3.org/2000/svg"'


def doc(body: str, w: int = 100, h: int = 100, extra: str = "") -> str:
    return f'<svg {NS} width="{w}" height="{h}" {extra}>{body}</svg>'


def px(img: np.ndarray, x: int, y: int) -> list[int]:
    return img[y, x].tolist()


def alpha_area(img: np.ndarray) -> float:
    return float(img[..., 3].astype(np.float64).sum() / 255.0)


class TestBasics:
    def test_shape_dtype_and_straight_alpha(self) -> None:
        img = render(
            doc('<rect x="10" y="10" width="50" height="50" fill="red" fill-opacity="0.5"/>'),
            100,
            100,
        )
        assert img.shape == (100, 100, 4) and img.dtype == np.uint8 and img.flags.c_contiguous
        # straight (un-premultiplied) colour: full red at half alpha
        assert px(img, 30, 30) == [255, 0, 0, 128]
        assert px(img, 80, 80) == [0, 0, 0, 0]

    def test_viewbox_scales_to_output(self) -> None:
        svg = doc(
            '<rect x="5" y="0" width="5" height="10" fill="blue"/>', 10, 10, 'viewBox="0 0 10 10"'
        )
        img = render(svg, 200, 200)
        assert px(img, 99, 100)[3] == 0 and px(img, 101, 100) == [0, 0, 255, 255]

    def test_output_aspect_differs_letterboxes(self) -> None:
        # 100x50 canvas into 100x100 with the default xMidYMid meet: centred vertically
        img = render(doc('<rect width="100" height="50" fill="lime"/>', 100, 50), 100, 100)
        assert px(img, 50, 10)[3] == 0 and px(img, 50, 90)[3] == 0
        assert px(img, 50, 50) == [0, 255, 0, 255]

    def test_preserve_aspect_ratio_none_stretches(self) -> None:
        svg = doc(
            '<rect width="100" height="50" fill="lime"/>',
            100,
            50,
            'preserveAspectRatio="none" viewBox="0 0 100 50"',
        )
        img = render(svg, 100, 100)
        assert px(img, 50, 5)[3] == 255 and px(img, 50, 95)[3] == 255

    def test_accepts_bytes_and_scene(self) -> None:
        svg = doc('<circle cx="50" cy="50" r="20" fill="#00f"/>')
        a = render(svg, 50, 50)
        b = render(svg.encode(), 50, 50)
        c = render(svgkit.parse(svg), 50, 50)
        assert np.array_equal(a, b) and np.array_equal(a, c)

    def test_empty_document_is_transparent(self) -> None:
        img = render(doc(""), 16, 16)
        assert not img.any()

    def test_public_name_is_the_implementation(self) -> None:
        assert svgkit.render(doc(""), 4, 4).shape == (4, 4, 4)
        assert np.array_equal(
            svgkit.render(doc("<rect/>"), 4, 4), _render_impl(doc("<rect/>"), 4, 4)
        )


class TestArguments:
    @pytest.mark.parametrize("bad", [0, -3, MAX_OUTPUT_SIZE + 1, 2.0, True, "10", None])
    def test_bad_size(self, bad: object) -> None:
        with pytest.raises(ValueError, match=r"Expected `width` to be an int"):
            render(doc(""), bad, 10)  # type: ignore[arg-type]

    def test_numpy_int_size(self) -> None:
        assert render(doc(""), np.int64(3), np.int32(2)).shape == (2, 3, 4)

    @pytest.mark.parametrize(
        "bad", ["notacolour", (1, 2), (300, 0, 0), (0.5, 2.0, 0.0), "url(#x)", 7]
    )
    def test_bad_background(self, bad: object) -> None:
        with pytest.raises(ValueError, match="Expected `background`"):
            render(doc(""), 4, 4, background=bad)  # type: ignore[arg-type]

    def test_bad_source_type(self) -> None:
        with pytest.raises(SVGKitError) as info:
            render(12345, 4, 4)  # type: ignore[arg-type]
        assert info.value.code == ErrorCode.BAD_INPUT.value

    def test_parse_errors_keep_their_code(self) -> None:
        with pytest.raises(SVGKitError) as info:
            render("no svg here", 4, 4)
        assert info.value.code == ErrorCode.NO_SVG.value

    @pytest.mark.parametrize(
        ("value", "rgba"),
        [
            ("white", (1.0, 1.0, 1.0, 1.0)),
            ((0, 0, 255), (0.0, 0.0, 1.0, 1.0)),
            ((0.0, 0.5, 1.0, 0.25), (0.0, 0.5, 1.0, 0.25)),
            ("#ff000080", (1.0, 0.0, 0.0, 128 / 255)),
        ],
    )
    def test_background_forms(self, value: object, rgba: tuple[float, ...]) -> None:
        assert parse_background(value) == pytest.approx(rgba)  # type: ignore[arg-type]


class TestBackground:
    def test_opaque_background_under_picture(self) -> None:
        img = render(
            doc('<rect width="50" height="100" fill="red" fill-opacity="0.5"/>'),
            100,
            100,
            background="white",
        )
        assert px(img, 75, 50) == [255, 255, 255, 255]
        # half red over white
        assert (
            px(img, 25, 50)[0] == 255
            and abs(px(img, 25, 50)[1] - 127) <= 1
            and px(img, 25, 50)[3] == 255
        )

    def test_translucent_background(self) -> None:
        img = render(doc(""), 4, 4, background=(0, 0, 255, 128))
        assert px(img, 1, 1) == [0, 0, 255, 128]


class TestFillAndStroke:
    def test_fill_rule(self) -> None:
        d = "M10 10 H90 V90 H10 Z M30 30 H70 V70 H30 Z"
        nonzero = render(doc(f'<path d="{d}"/>'), 100, 100)
        evenodd = render(doc(f'<path d="{d}" fill-rule="evenodd"/>'), 100, 100)
        assert px(nonzero, 50, 50)[3] == 255
        assert px(evenodd, 50, 50)[3] == 0 and px(evenodd, 20, 20)[3] == 255

    def test_stroke_width_and_paint_order(self) -> None:
        img = render(
            doc(
                '<rect x="20" y="20" width="60" height="60" fill="lime" stroke="blue" stroke-width="10"/>'
            ),
            100,
            100,
        )
        assert px(img, 50, 50) == [0, 255, 0, 255]
        assert px(img, 20, 50) == [0, 0, 255, 255]  # on the edge: stroke over fill
        assert px(img, 16, 50) == [0, 0, 255, 255] and px(img, 14, 50)[3] == 0
        first = render(
            doc(
                '<rect x="20" y="20" width="60" height="60" fill="lime" stroke="blue" '
                'stroke-width="10" paint-order="stroke"/>'
            ),
            100,
            100,
        )
        assert px(first, 23, 50) == [
            0,
            255,
            0,
            255,
        ]  # fill painted over the inner half of the stroke

    def test_stroke_under_non_uniform_scale(self) -> None:
        # a horizontal line of width 2 under scale(1, 4) is 8 px thick
        img = render(
            doc(
                '<g transform="scale(1 4)"><path d="M10 12.5 H90" stroke="black" stroke-width="2"/></g>'
            ),
            100,
            100,
        )
        col = img[:, 50, 3]
        assert int((col > 127).sum()) == 8

    def test_stroke_under_singular_transform_is_skipped(self) -> None:
        img = render(
            doc(
                '<path d="M10 10 H90" stroke="black" stroke-width="5" transform="scale(1 0)"/>'
                '<rect x="0" y="80" width="10" height="10"/>'
            ),
            100,
            100,
        )
        assert px(img, 5, 85)[3] == 255

    def test_linecaps(self) -> None:
        base = '<path d="M30 50 H70" stroke="black" stroke-width="20" stroke-linecap="{}"/>'
        butt = render(doc(base.format("butt")), 100, 100)
        square = render(doc(base.format("square")), 100, 100)
        roundc = render(doc(base.format("round")), 100, 100)
        assert (
            px(butt, 25, 50)[3] == 0
            and px(square, 25, 50)[3] == 255
            and px(roundc, 25, 50)[3] == 255
        )
        assert px(square, 21, 41)[3] == 255 and px(roundc, 21, 41)[3] == 0

    def test_zero_length_subpath_square_cap(self) -> None:
        img = render(
            doc(
                '<path d="M50 50 L50 50" stroke="black" stroke-width="20" stroke-linecap="square"/>'
            ),
            100,
            100,
        )
        assert px(img, 50, 50)[3] == 255 and px(img, 58, 58)[3] == 255 and px(img, 62, 50)[3] == 0

    def test_miter_limit(self) -> None:
        sharp = '<path d="M20 80 L50 20 L80 80" fill="none" stroke="black" stroke-width="10" stroke-miterlimit="{}"/>'
        long_tip = render(doc(sharp.format(10)), 100, 100)
        bevel = render(doc(sharp.format(1)), 100, 100)
        assert px(long_tip, 50, 12)[3] == 255 and px(bevel, 50, 12)[3] == 0

    def test_dasharray_and_offset(self) -> None:
        img = render(
            doc('<path d="M0 50 H100" stroke="black" stroke-width="4" stroke-dasharray="10 10"/>'),
            100,
            100,
        )
        assert px(img, 5, 50)[3] == 255 and px(img, 15, 50)[3] == 0 and px(img, 25, 50)[3] == 255
        shifted = render(
            doc(
                '<path d="M0 50 H100" stroke="black" stroke-width="4" stroke-dasharray="10 10" '
                'stroke-dashoffset="5"/>'
            ),
            100,
            100,
        )
        assert px(shifted, 2, 50)[3] == 255 and px(shifted, 7, 50)[3] == 0
        negative = render(
            doc(
                '<path d="M0 50 H100" stroke="black" stroke-width="4" stroke-dasharray="10 10" '
                'stroke-dashoffset="-5"/>'
            ),
            100,
            100,
        )
        assert px(negative, 2, 50)[3] == 0 and px(negative, 7, 50)[3] == 255

    def test_zero_length_dashes_with_butt_caps_paint_nothing(self) -> None:
        img = render(
            doc(
                '<rect x="20" y="20" width="60" height="60" fill="none" stroke="black" '
                'stroke-width="10" stroke-dasharray="0 10"/>'
            ),
            100,
            100,
        )
        assert not img[..., 3].any()

    def test_arcs(self) -> None:
        img = render(doc('<path d="M10 50 A40 40 0 0 1 90 50 Z" fill="red"/>'), 100, 100)
        assert px(img, 50, 20)[3] == 255 and px(img, 50, 70)[3] == 0
        assert alpha_area(img) == pytest.approx(np.pi * 40 * 40 / 2, rel=0.01)


class TestOpacity:
    def test_group_opacity_is_composited_once(self) -> None:
        svg = doc(
            '<g opacity="0.5"><rect width="60" height="60" fill="red"/>'
            '<rect x="30" y="30" width="60" height="60" fill="red"/></g>'
        )
        img = render(svg, 100, 100)
        # overlap and single areas have the same alpha: the group is one layer
        assert px(img, 45, 45) == px(img, 10, 10) == [255, 0, 0, 128]

    def test_nested_group_opacity_multiplies(self) -> None:
        img = render(
            doc('<g opacity="0.5"><g opacity="0.5"><rect width="10" height="10"/></g></g>', 10, 10),
            10,
            10,
        )
        assert abs(px(img, 5, 5)[3] - 64) <= 1

    def test_element_opacity_with_fill_and_stroke_is_one_layer(self) -> None:
        svg = doc(
            '<rect x="20" y="20" width="60" height="60" fill="blue" stroke="blue" stroke-width="10" opacity="0.5"/>'
        )
        img = render(svg, 100, 100)
        # where stroke overlaps fill the alpha is still 0.5, not 0.75
        assert px(img, 22, 50) == [0, 0, 255, 128] and px(img, 50, 50) == [0, 0, 255, 128]

    def test_opacity_zero_draws_nothing(self) -> None:
        assert not render(
            doc('<g opacity="0"><rect width="10" height="10"/></g>', 10, 10), 10, 10
        ).any()


class TestVisibility:
    def test_display_none_and_visibility_hidden(self) -> None:
        svg = doc(
            '<rect width="50" height="100" display="none"/><rect x="50" width="50" height="100" '
            'visibility="hidden"/><g visibility="hidden"><rect width="10" height="10" visibility="visible"/></g>'
        )
        img = render(svg, 100, 100)
        assert px(img, 25, 50)[3] == 0 and px(img, 75, 50)[3] == 0
        assert px(img, 5, 5)[3] == 255  # a visible child of a hidden group is drawn


class TestGradients:
    def test_linear(self) -> None:
        svg = doc(
            '<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/><stop offset="1" '
            'stop-color="#00f"/></linearGradient></defs><rect width="100" height="10" fill="url(#g)"/>',
            100,
            10,
        )
        img = render(svg, 100, 10)
        left, mid, right = px(img, 0, 5), px(img, 50, 5), px(img, 99, 5)
        assert left[0] > 245 and left[2] < 10 and right[2] > 245 and right[0] < 10
        assert abs(mid[0] - 127) <= 3 and abs(mid[2] - 127) <= 3

    def test_gradient_transform_and_spread(self) -> None:
        svg = doc(
            '<defs><linearGradient id="g" x2="0.5" spreadMethod="reflect"><stop offset="0" stop-color="#000"/>'
            '<stop offset="1" stop-color="#fff"/></linearGradient></defs>'
            '<rect width="100" height="10" fill="url(#g)"/>',
            100,
            10,
        )
        img = render(svg, 100, 10)
        assert px(img, 49, 5)[0] > 240 and px(img, 99, 5)[0] < 15  # reflected back to black
        repeat = render(svg.replace("reflect", "repeat"), 100, 10)
        assert repeat[5, 51, 0] < 15 and repeat[5, 98, 0] > 235

    def test_stop_opacity(self) -> None:
        svg = doc(
            '<defs><linearGradient id="g"><stop offset="0" stop-color="red" stop-opacity="0.5"/>'
            '<stop offset="1" stop-color="red" stop-opacity="0.5"/></linearGradient></defs>'
            '<rect width="10" height="10" fill="url(#g)"/>',
            10,
            10,
        )
        assert abs(px(render(svg, 10, 10), 5, 5)[3] - 128) <= 1

    def test_radial_with_focal_point(self) -> None:
        svg = doc(
            '<defs><radialGradient id="g" fx="0.25"><stop offset="0" stop-color="#fff"/>'
            '<stop offset="1" stop-color="#000"/></radialGradient></defs>'
            '<rect width="100" height="100" fill="url(#g)"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 25, 50)[0] > 245  # white at the focal point
        assert px(img, 50, 50)[0] < px(img, 25, 50)[0]
        assert px(img, 1, 1)[0] < 10  # padded black outside the circle

    def test_user_space_units_with_element_transform(self) -> None:
        svg = doc(
            '<defs><linearGradient id="g" gradientUnits="userSpaceOnUse" x1="0" x2="50">'
            '<stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>'
            '<g transform="scale(2)"><rect width="50" height="50" fill="url(#g)"/></g>'
        )
        img = render(svg, 100, 100)
        assert (
            px(img, 1, 50)[0] < 10
            and px(img, 98, 50)[0] > 245
            and abs(px(img, 50, 50)[0] - 127) <= 4
        )


class TestClipping:
    def test_single_child_clip(self) -> None:
        svg = doc(
            '<clipPath id="c"><circle cx="50" cy="50" r="20"/></clipPath>'
            '<rect width="100" height="100" fill="red" clip-path="url(#c)"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 50, 50)[3] == 255 and px(img, 10, 10)[3] == 0
        assert alpha_area(img) == pytest.approx(np.pi * 400, rel=0.01)

    def test_union_of_children_with_mixed_rules(self) -> None:
        svg = doc(
            '<clipPath id="c"><rect width="40" height="40"/>'
            '<path d="M50 50 H100 V100 H50 Z M60 60 H90 V90 H60 Z" clip-rule="evenodd"/></clipPath>'
            '<rect width="100" height="100" fill="lime" clip-path="url(#c)"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 20, 20)[3] == 255 and px(img, 55, 55)[3] == 255
        assert px(img, 75, 75)[3] == 0 and px(img, 45, 45)[3] == 0 and px(img, 20, 70)[3] == 0

    def test_clip_on_group_with_opacity(self) -> None:
        svg = doc(
            '<clipPath id="c"><rect width="50" height="100"/></clipPath>'
            '<g clip-path="url(#c)" opacity="0.5"><rect width="100" height="100" fill="blue"/></g>'
        )
        img = render(svg, 100, 100)
        assert px(img, 25, 50) == [0, 0, 255, 128] and px(img, 75, 50)[3] == 0

    def test_clip_transform_and_object_bounding_box_units(self) -> None:
        svg = doc(
            '<clipPath id="c" clipPathUnits="objectBoundingBox"><rect width="0.5" height="1"/></clipPath>'
            '<rect x="20" y="20" width="60" height="60" clip-path="url(#c)"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 30, 50)[3] == 255 and px(img, 70, 50)[3] == 0

    def test_empty_clip_hides_everything(self) -> None:
        svg = doc(
            '<clipPath id="c"></clipPath><g clip-path="url(#c)"><rect width="100" height="100"/></g>'
        )
        assert not render(svg, 20, 20)[..., 3].any()


class TestStructure:
    def test_use_and_symbol(self) -> None:
        svg = doc(
            '<defs><symbol id="s" viewBox="0 0 10 10"><rect width="10" height="10" fill="red"/></symbol>'
            '<rect id="r" width="10" height="10" fill="blue"/></defs>'
            '<use href="#s" x="50" y="50" width="40" height="40"/><use href="#r" x="5" y="5"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 70, 70) == [255, 0, 0, 255] and px(img, 10, 10) == [0, 0, 255, 255]
        assert px(img, 30, 30)[3] == 0

    def test_css_from_style_element(self) -> None:
        svg = doc(
            "<style>.a { fill: #00ff00 } rect#b { fill: blue }</style>"
            '<rect class="a" width="50" height="100"/><rect id="b" x="50" width="50" height="100"/>'
        )
        img = render(svg, 100, 100)
        assert px(img, 25, 50) == [0, 255, 0, 255] and px(img, 75, 50) == [0, 0, 255, 255]

    def test_effects_degrade_gracefully(self) -> None:
        # filters, masks, patterns and markers: whatever this renderer does not draw yet must
        # leave the rest of the picture intact, and the Scene must either represent the effect
        # or carry a warning about it
        svg = doc(
            '<defs><filter id="f"><feGaussianBlur stdDeviation="3"/></filter>'
            '<pattern id="p" width="4" height="4" patternUnits="userSpaceOnUse">'
            '<rect width="4" height="4" fill="#00f"/></pattern>'
            '<mask id="m"><rect width="100" height="100" fill="white"/></mask>'
            '<marker id="k"><circle r="1"/></marker></defs>'
            '<rect width="40" height="40" fill="url(#p) #00f"/>'
            '<rect x="50" width="40" height="40" fill="red" mask="url(#m)"/>'
            '<rect y="50" width="40" height="40" fill="lime" filter="url(#f)"/>'
            '<path d="M50 50 L90 90" stroke="black" marker-end="url(#k)"/>'
            '<rect x="95" y="95" width="5" height="5" fill="#123456"/>'
        )
        scene = svgkit.parse(svg)
        codes = {w.code for w in scene.warnings}
        assert scene.patterns or "UNSUPPORTED_PAINT" in codes
        assert (scene.masks and scene.filters) or "UNSUPPORTED_EFFECT" in codes
        img = render(scene, 100, 100)
        assert px(img, 97, 97) == [0x12, 0x34, 0x56, 255]  # the rest renders exactly
        assert px(img, 20, 20)[2] > 200 and px(img, 20, 20)[3] == 255  # pattern (or its colour)
        assert px(img, 70, 20)[0] > 200  # the masked rect (white mask: fully visible)
        assert px(img, 20, 70)[1] > 100  # the filtered rect's centre


class TestText:
    def test_text_draws_ink_near_its_box(self) -> None:
        svg = doc('<text x="10" y="60" font-size="40" fill="black">Hi</text>')
        img = render(svg, 100, 100)
        ys, xs = np.nonzero(img[..., 3] > 128)
        assert xs.size > 50
        assert xs.min() >= 9 and ys.max() <= 62 and ys.min() >= 20

    @pytest.mark.parametrize("anchor", ["start", "middle", "end"])
    def test_text_anchor(self, anchor: str) -> None:
        svg = doc(
            f'<text x="100" y="60" font-size="30" text-anchor="{anchor}">Hello</text>', 200, 100
        )
        img = render(svg, 200, 100)
        xs = np.nonzero(img[..., 3].max(axis=0) > 128)[0]
        if anchor == "start":
            assert xs.min() >= 99
        elif anchor == "end":
            assert xs.max() <= 101
        else:
            assert abs((xs.min() + xs.max()) / 2 - 100) <= 4

    def test_bold_is_heavier(self) -> None:
        normal = render(doc('<text x="5" y="60" font-size="40">Wm</text>'), 100, 100)
        bold = render(
            doc('<text x="5" y="60" font-size="40" font-weight="bold">Wm</text>'), 100, 100
        )
        assert alpha_area(bold) > alpha_area(normal) * 1.1

    def test_tspan_continues_the_line(self) -> None:
        one = render(doc('<text x="5" y="60" font-size="30">AB</text>', 200, 100), 200, 100)
        two = render(
            doc(
                '<text x="5" y="60" font-size="30">A<tspan fill="black">B</tspan></text>', 200, 100
            ),
            200,
            100,
        )
        # same glyph positions; only anti-aliased pixels where the two fills meet may differ
        assert np.abs(one[..., 3].astype(int) - two[..., 3].astype(int)).max() <= 16

    def test_generic_families_resolve(self) -> None:
        from svgkit.fonts import resolve_font

        for fam in ("serif", "sans-serif", "monospace", "cursive", "fantasy"):
            assert resolve_font((fam,))[0] == fam
        assert resolve_font(("definitely-not-installed-xyz", "serif"))[0] == "serif"
        # no usable entry: the browsers' default family
        assert resolve_font(("definitely-not-installed-xyz",))[0] == "serif"

    def test_text_with_gradient_and_opacity(self) -> None:
        svg = doc(
            '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/><stop offset="1" '
            'stop-color="blue"/></linearGradient></defs>'
            '<text x="5" y="70" font-size="60" fill="url(#g)" stroke="black" opacity="0.5">M</text>'
        )
        img = render(svg, 100, 100)
        assert 0 < img[..., 3].max() <= 129


def _png_data_uri(rgba: tuple[int, int, int, int], size: tuple[int, int] = (2, 2)) -> str:
    import cairo

    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, *size)
    ctx = cairo.Context(surface)
    ctx.set_source_rgba(*(c / 255 for c in rgba))
    ctx.paint()
    buf = io.BytesIO()
    surface.write_to_png(buf)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


class TestImages:
    def test_png_data_uri(self) -> None:
        uri = _png_data_uri((0, 255, 0, 255))
        img = render(doc(f'<image href="{uri}" x="10" y="10" width="50" height="50"/>'), 100, 100)
        assert (
            px(img, 35, 35) == [0, 255, 0, 255]
            and px(img, 5, 5)[3] == 0
            and px(img, 65, 35)[3] == 0
        )

    def test_image_preserve_aspect_ratio_meet(self) -> None:
        uri = _png_data_uri((255, 0, 0, 255), (4, 2))
        img = render(doc(f'<image href="{uri}" width="100" height="100"/>'), 100, 100)
        assert px(img, 50, 50)[3] == 255 and px(img, 50, 10)[3] == 0 and px(img, 50, 90)[3] == 0

    def test_jpeg_via_pillow(self) -> None:
        pil = pytest.importorskip("PIL.Image")
        buf = io.BytesIO()
        pil.new("RGB", (8, 8), (0, 0, 255)).save(buf, format="JPEG", quality=95)
        uri = "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
        img = render(doc(f'<image href="{uri}" width="100" height="100"/>'), 100, 100)
        r, g, b, a = px(img, 50, 50)
        assert a == 255 and b > 240 and r < 15 and g < 15

    @pytest.mark.parametrize(
        "href",
        [
            "data:image/png;base64,!!!notbase64",
            "data:image/png;base64,iVBORw0KGgo=",
            "data:text/plain,hello",
            "data:image/png;base64,",
        ],
    )
    def test_broken_images_are_skipped(self, href: str) -> None:
        img = render(
            doc(
                f'<image href="{href}" width="50" height="50"/><rect x="60" width="10" height="10"/>'
            ),
            100,
            100,
        )
        assert px(img, 65, 5)[3] == 255 and px(img, 25, 25)[3] == 0

    def test_image_pixel_limit(self) -> None:
        from svgkit import Limits

        uri = _png_data_uri((0, 255, 0, 255), (20, 20))
        img = render(
            doc(f'<image href="{uri}" width="50" height="50"/>'),
            50,
            50,
            limits=Limits(max_image_pixels=100),
        )
        assert not img[..., 3].any()


class TestOutputMapping:
    def test_viewbox_map_meet_slice_none(self) -> None:
        assert viewbox_map((0, 0, 10, 10), "xMidYMid meet", 200, 100) == (
            10.0,
            0.0,
            0.0,
            10.0,
            50.0,
            0.0,
        )
        assert viewbox_map((0, 0, 10, 10), "xMinYMin slice", 200, 100) == (
            20.0,
            0.0,
            0.0,
            20.0,
            0.0,
            0.0,
        )
        assert viewbox_map((5, 5, 10, 10), "none", 20, 40) == (2.0, 0.0, 0.0, 4.0, -10.0, -20.0)

    def test_output_matrix_is_scale_for_same_aspect(self) -> None:
        scene = svgkit.parse(doc("", 40, 20, 'viewBox="0 0 4 2"'))
        assert output_matrix(scene.canvas, 80, 40) == pytest.approx((2.0, 0.0, 0.0, 2.0, 0.0, 0.0))


class TestSurfaceAndCli:
    def test_render_surface(self) -> None:
        surface = render_surface(doc('<rect width="10" height="10"/>'), 10, 10)
        assert surface.get_width() == 10 and bytes(surface.get_data())[3] == 255

    def test_cli_writes_png(self, tmp_path: object) -> None:
        from pathlib import Path

        tmp = Path(str(tmp_path))
        src = tmp / "in.svg"
        src.write_text(doc('<rect width="100" height="50" fill="red"/>', 100, 50))
        out = tmp / "out.png"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "svgkit",
                "render",
                str(src),
                "-o",
                str(out),
                "--size",
                "64",
                "--background",
                "white",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        import cairo

        png = cairo.ImageSurface.create_from_png(str(out))
        assert (png.get_width(), png.get_height()) == (64, 32)

    def test_cli_invalid_input_exit_code(self, tmp_path: object) -> None:
        from pathlib import Path

        from svgkit.cli import main

        src = Path(str(tmp_path)) / "bad.svg"
        src.write_text("<svg")
        assert main(["render", str(src), "-o", str(Path(str(tmp_path)) / "x.png")]) == 1
