"""The filter engine (svgkit.renderer.filters): golden values from the spec formulas and properties.

Filters are built directly from :class:`~svgkit.scene.Filter` / ``FilterPrimitive`` objects; the
layer is premultiplied float32 RGBA. ``I`` is the identity ``to_output``.
"""

from __future__ import annotations

import colorsys
import math
import time

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import TO_OUTPUT, layers

from svgkit.errors import ErrorCode, SVGKitError
from svgkit.limits import Deadline
from svgkit.renderer.filters import (
    BLEND_MODES,
    LUMINANCE_TO_ALPHA_MATRIX,
    SUPPORTED_KINDS,
    apply_filter,
    blur_box_sizes,
    filter_pixel_box,
    hue_rotate_matrix,
    linear_to_srgb,
    saturate_matrix,
    srgb_to_linear,
    unsupported_kinds,
)
from svgkit.renderer.filters import blur as _blur
from svgkit.renderer.filters import image as _image
from svgkit.scene import Filter, FilterPrimitive

I = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)  # noqa: E741
EPS = 1e-5


def prim(
    kind: str,
    inputs: tuple[str, ...] = ("",),
    result: str = "",
    sub: tuple[float, float, float, float] = (-1e6, -1e6, 2e6, 2e6),
    linear: bool = False,
    **params: object,
) -> FilterPrimitive:
    return FilterPrimitive(kind, inputs, result, sub, linear, dict(params))


def run(
    layer: np.ndarray,
    *prims: FilterPrimitive,
    region: tuple[float, float, float, float] | None = None,
    to_output: tuple[float, ...] = I,
) -> np.ndarray:
    h, w = layer.shape[:2]
    filt = Filter("f", region or (0.0, 0.0, float(w), float(h)), prims)
    return apply_filter(layer, filt, to_output)  # type: ignore[arg-type]


def premul(rgba: tuple[float, float, float, float]) -> np.ndarray:
    r, g, b, a = rgba
    return np.array([r * a, g * a, b * a, a], np.float32)


def layer_with(
    h: int, w: int, box: tuple[int, int, int, int], rgba: tuple[float, float, float, float]
) -> np.ndarray:
    """A transparent layer with straight colour ``rgba`` in ``box`` = (x0, y0, x1, y1)."""
    out = np.zeros((h, w, 4), np.float32)
    x0, y0, x1, y1 = box
    out[y0:y1, x0:x1] = premul(rgba)
    return out


def assert_valid(out: np.ndarray) -> None:
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert (out[..., :3] <= out[..., 3:4] + EPS).all()


# --- geometry -----------------------------------------------------------------------------


class TestPixelBox:
    def test_scales_and_rounds_outwards(self) -> None:
        assert filter_pixel_box((20, 20, 160, 160), (1.5, 0, 0, 1.5, 0, 0), 300, 300) == (
            30,
            30,
            270,
            270,
        )
        assert filter_pixel_box((0.5, 0.5, 2.2, 2.2), I, 10, 10) == (0, 0, 3, 3)

    def test_snaps_float_noise_instead_of_growing(self) -> None:
        assert filter_pixel_box((10 + 1e-9, 10 - 1e-9, 5, 5), I, 100, 100) == (10, 10, 15, 15)

    def test_translation_and_clipping(self) -> None:
        assert filter_pixel_box((0, 0, 10, 10), (2, 0, 0, 2, 5, -3), 100, 100) == (5, 0, 25, 17)
        assert filter_pixel_box((-50, -50, 500, 500), I, 40, 30) == (0, 0, 40, 30)

    def test_rotation_uses_the_bounding_box(self) -> None:
        # 90° rotation: (x, y) -> (-y, x) + (20, 0)
        assert filter_pixel_box((0, 0, 10, 4), (0, 1, -1, 0, 20, 0), 100, 100) == (16, 0, 20, 10)

    @pytest.mark.parametrize(
        "rect",
        [(0, 0, 0, 10), (0, 0, 10, -1), (math.nan, 0, 1, 1), (0, 0, math.inf, 1), (200, 0, 5, 5)],
    )
    def test_empty(self, rect: tuple[float, float, float, float]) -> None:
        assert filter_pixel_box(rect, I, 100, 100) == (0, 0, 0, 0)


class TestFilterAsAWhole:
    def test_no_primitives_means_nothing_rendered(self) -> None:
        layer = layer_with(8, 8, (0, 0, 8, 8), (1, 0, 0, 1))
        assert not run(layer).any()

    def test_empty_region_is_transparent(self) -> None:
        layer = layer_with(8, 8, (0, 0, 8, 8), (1, 0, 0, 1))
        out = run(layer, prim("feOffset"), region=(0, 0, 0, 8))
        assert not out.any()

    def test_result_is_clipped_to_the_region(self) -> None:
        layer = layer_with(20, 20, (0, 0, 20, 20), (0, 0, 1, 1))
        out = run(layer, prim("feOffset", dx=0, dy=0), region=(5, 6, 4, 3))
        np.testing.assert_array_equal(out[6:9, 5:9], layer[6:9, 5:9])
        out[6:9, 5:9] = 0
        assert not out.any()

    def test_region_follows_to_output(self) -> None:
        layer = np.zeros((40, 40, 4), np.float32)
        flood = prim("feFlood", (), rgba=(0, 1, 0, 1))
        out = run(layer, flood, region=(2, 3, 4, 5), to_output=(2, 0, 0, 2, 1, 0))
        alpha = out[..., 3]
        assert alpha[6:16, 5:13].min() == 1.0
        assert alpha.sum() == 10 * 8

    def test_layer_is_not_modified_and_results_do_not_alias(self) -> None:
        layer = layer_with(16, 16, (4, 4, 12, 12), (0.2, 0.4, 0.6, 0.8))
        before = layer.copy()
        blur = prim("feGaussianBlur", std_dev=(2.5, 2.5), linear=True)
        first = run(layer, blur)
        kept = first.copy()
        run(layer_with(16, 16, (0, 0, 16, 16), (1, 1, 1, 1)), blur)
        np.testing.assert_array_equal(layer, before)
        np.testing.assert_array_equal(first, kept)  # pooled buffers never escape

    def test_rejects_a_layer_of_the_wrong_shape(self) -> None:
        with pytest.raises(ValueError, match="Expected `layer`"):
            run(np.zeros((4, 4, 3), np.float32), prim("feOffset"))

    def test_accepts_other_float_dtypes_and_views(self) -> None:
        big = layer_with(10, 10, (2, 2, 6, 6), (1, 0, 0, 1)).astype(np.float64)
        view = big[:, ::1]
        out = run(view, prim("feOffset", dx=1, dy=0), region=(1, 1, 8, 8))
        assert out.dtype == np.float32
        assert out[3, 6, 3] == 1.0 and out[3, 2, 3] == 0.0

    def test_expired_deadline_raises_render_timeout(self) -> None:
        deadline = Deadline(0.0, ErrorCode.RENDER_TIMEOUT)
        time.sleep(0.001)
        layer = np.zeros((4, 4, 4), np.float32)
        filt = Filter("f", (0, 0, 4, 4), (prim("feOffset"),))
        with pytest.raises(SVGKitError) as exc:
            apply_filter(layer, filt, I, deadline=deadline)
        assert exc.value.code == ErrorCode.RENDER_TIMEOUT
        assert exc.value.limit == "time_budget_s"


# --- inputs ---------------------------------------------------------------------------------


class TestInputs:
    layer = layer_with(6, 6, (1, 1, 4, 4), (1.0, 0.5, 0.0, 0.5))

    def test_source_alpha_is_black_with_the_layer_alpha(self) -> None:
        out = run(self.layer, prim("feOffset", ("SourceAlpha",)))
        assert not out[..., :3].any()
        np.testing.assert_array_equal(out[..., 3], self.layer[..., 3])

    def test_first_primitive_reads_the_source_graphic(self) -> None:
        np.testing.assert_array_equal(run(self.layer, prim("feOffset")), self.layer)

    @pytest.mark.parametrize("name", ["", "nope", "later"])
    def test_unknown_and_empty_names_read_the_previous_result(self, name: str) -> None:
        flood = prim("feFlood", (), rgba=(0, 0, 1, 1))
        out = run(self.layer, flood, prim("feMerge", (name,)), prim("feOffset", (), "later"))
        np.testing.assert_allclose(out[0, 0], [0, 0, 1, 1])

    def test_unknown_name_on_the_first_primitive_reads_the_source(self) -> None:
        np.testing.assert_array_equal(run(self.layer, prim("feOffset", ("nope",))), self.layer)

    @pytest.mark.parametrize(
        "name", ["BackgroundImage", "BackgroundAlpha", "FillPaint", "StrokePaint"]
    )
    def test_unavailable_inputs_stand_in_for_the_source(self, name: str) -> None:
        flood = prim("feFlood", (), rgba=(0, 0, 1, 1))
        np.testing.assert_array_equal(run(self.layer, flood, prim("feOffset", (name,))), self.layer)

    def test_named_results_and_redefinition(self) -> None:
        red = prim("feFlood", (), "x", rgba=(1, 0, 0, 1))
        green = prim("feFlood", (), "x", rgba=(0, 1, 0, 1))
        blue = prim("feFlood", (), "y", rgba=(0, 0, 1, 1))
        out = run(self.layer, red, green, blue, prim("feMerge", ("x",)))
        np.testing.assert_allclose(out[0, 0], [0, 1, 0, 1])  # the latest "x"

    def test_a_primitive_cannot_read_its_own_result(self) -> None:
        out = run(self.layer, prim("feOffset", ("me",), "me", dx=1, dy=0))
        np.testing.assert_array_equal(out[:, 1:], self.layer[:, :-1])


# --- feFlood, feOffset, feMerge, pass-through --------------------------------------------------


class TestFlood:
    def test_fills_its_subregion_only(self) -> None:
        out = run(
            np.zeros((10, 10, 4), np.float32),
            prim("feFlood", (), sub=(2, 3, 4, 5), rgba=(1, 0.5, 0, 0.5)),
        )
        np.testing.assert_allclose(out[3:8, 2:6], np.broadcast_to([0.5, 0.25, 0, 0.5], (5, 4, 4)))
        out[3:8, 2:6] = 0
        assert not out.any()

    def test_linear_rgb_flood_comes_back_as_the_same_srgb_colour(self) -> None:
        out = run(
            np.zeros((2, 2, 4), np.float32),
            prim("feFlood", (), linear=True, rgba=(0.2, 0.6, 0.9, 0.7)),
        )
        np.testing.assert_allclose(out[0, 0], premul((0.2, 0.6, 0.9, 0.7)), atol=1e-4)

    def test_transparent_flood(self) -> None:
        assert not run(np.ones((2, 2, 4), np.float32), prim("feFlood", (), rgba=(1, 1, 1, 0))).any()


class TestOffset:
    square = layer_with(20, 20, (5, 5, 9, 9), (0, 1, 0, 1))

    @pytest.mark.parametrize(("dx", "dy"), [(3, 0), (0, -2), (4, 7), (-5, -5)])
    def test_moves_a_square_by_exactly_n_pixels(self, dx: int, dy: int) -> None:
        out = run(self.square, prim("feOffset", dx=dx, dy=dy))
        expected = layer_with(20, 20, (5 + dx, 5 + dy, 9 + dx, 9 + dy), (0, 1, 0, 1))
        np.testing.assert_array_equal(out, expected)

    def test_lengths_scale_with_to_output(self) -> None:
        out = run(
            self.square,
            prim("feOffset", dx=1.5, dy=0),
            to_output=(2, 0, 0, 2, 0, 0),
            region=(0, 0, 10, 10),
        )
        np.testing.assert_array_equal(out[5:9, 8:12, 3], 1.0)

    @pytest.mark.parametrize(
        ("dx", "shift"),
        [(1.4, 1), (1.6, 1), (-0.6, 0), (-1.6, -1), (0.4, 0), (2.9999999, 3), (-1.0000001, -1)],
    )
    def test_fractional_offsets_truncate_toward_zero(self, dx: float, shift: int) -> None:
        # Firefox and resvg move by the whole pixels of the offset; float noise snaps
        out = run(self.square, prim("feOffset", dx=dx, dy=0))
        assert out[6, 5 + shift, 3] == 1.0 and out[6, 9 + shift, 3] == 0.0
        assert out[6, 4 + shift, 3] == 0.0

    def test_content_moved_out_of_the_subregion_is_cut(self) -> None:
        out = run(self.square, prim("feOffset", sub=(0, 0, 10, 20), dx=3, dy=0))
        assert out[..., 3].sum() == 4 * 2  # columns 8, 9 survive; 10, 11 are outside

    def test_rotated_output_rotates_the_offset(self) -> None:
        # (x, y) -> (-y, x) + (20, 0): an offset of +2 along canvas x moves down the output
        out = run(
            self.square,
            prim("feOffset", dx=2, dy=0),
            to_output=(0, 1, -1, 0, 20, 0),
            region=(0, 0, 20, 20),
        )
        np.testing.assert_array_equal(out[7:11, 5:9, 3], 1.0)


class TestMerge:
    def test_later_nodes_go_on_top(self) -> None:
        red = prim("feFlood", (), "red", rgba=(1, 0, 0, 1))
        half_blue = prim("feFlood", (), "blue", rgba=(0, 0, 1, 0.5))
        out = run(np.zeros((2, 2, 4), np.float32), red, half_blue, prim("feMerge", ("red", "blue")))
        np.testing.assert_allclose(out[0, 0], [0.5, 0, 0.5, 1])
        out = run(np.zeros((2, 2, 4), np.float32), red, half_blue, prim("feMerge", ("blue", "red")))
        np.testing.assert_allclose(out[0, 0], [1, 0, 0, 1])

    def test_merge_without_nodes_is_transparent(self) -> None:
        assert not run(np.ones((2, 2, 4), np.float32), prim("feMerge", ())).any()

    def test_merge_in_linear_rgb_mixes_linear_light(self) -> None:
        red = prim("feFlood", (), "red", rgba=(1, 0, 0, 1))
        green = prim("feFlood", (), "green", rgba=(0, 1, 0, 0.5))
        layer = np.zeros((2, 2, 4), np.float32)
        srgb = run(layer, red, green, prim("feMerge", ("red", "green")))
        linear = run(layer, red, green, prim("feMerge", ("red", "green"), linear=True))
        np.testing.assert_allclose(srgb[0, 0], [0.5, 0.5, 0, 1], atol=1e-6)
        mid = linear_to_srgb(0.5)
        np.testing.assert_allclose(linear[0, 0], [mid, mid, 0, 1], atol=1e-4)


class TestUnsupported:
    def test_unsupported_kinds_are_listed_once_in_order(self) -> None:
        filt = Filter(
            "f",
            (0, 0, 1, 1),
            (prim("feBogus"), prim("feFlood", ()), prim("feNonsense", ()), prim("feBogus")),
        )
        assert unsupported_kinds(filt) == ["feBogus", "feNonsense"]
        assert unsupported_kinds(Filter("f", (0, 0, 1, 1), (prim("feFlood", ()),))) == []

    def test_unsupported_kinds_pass_their_first_input_through(self) -> None:
        layer = layer_with(6, 6, (1, 1, 4, 4), (1, 0, 0, 1))
        out = run(layer, prim("feNonsense", ("SourceAlpha",), sub=(0, 0, 3, 6)))
        expected = np.zeros_like(layer)
        expected[1:4, 1:3, 3] = 1.0
        np.testing.assert_array_equal(out, expected)

    def test_supported_kinds(self) -> None:
        assert {
            "feGaussianBlur", "feOffset", "feFlood", "feComposite", "feMerge", "feBlend",
            "feColorMatrix", "feDropShadow", "feComponentTransfer", "feMorphology",
            "feTurbulence", "feConvolveMatrix", "feImage", "feTile", "feDisplacementMap",
            "feSpecularLighting", "feDiffuseLighting",
        } == SUPPORTED_KINDS  # fmt: skip


# --- feComposite ----------------------------------------------------------------------------

A_RGBA = (1.0, 0.2, 0.0, 0.6)
B_RGBA = (0.0, 0.5, 1.0, 0.5)


def two_inputs() -> tuple[FilterPrimitive, FilterPrimitive]:
    return (
        prim("feFlood", (), "A", rgba=A_RGBA),
        prim("feFlood", (), "B", rgba=B_RGBA),
    )


def porter_duff(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    aa, ab = a[3], b[3]
    fa, fb = {
        "over": (1, 1 - aa),
        "in": (ab, 0),
        "out": (1 - ab, 0),
        "atop": (ab, 1 - aa),
        "xor": (1 - ab, 1 - aa),
    }[op]
    return fa * a + fb * b


class TestComposite:
    @pytest.mark.parametrize("op", ["over", "in", "out", "atop", "xor"])
    def test_porter_duff_on_two_known_colours(self, op: str) -> None:
        out = run(
            np.zeros((1, 1, 4), np.float32),
            *two_inputs(),
            prim("feComposite", ("A", "B"), operator=op),
        )
        np.testing.assert_allclose(
            out[0, 0], porter_duff(op, premul(A_RGBA), premul(B_RGBA)), atol=1e-6
        )

    def test_porter_duff_table_values(self) -> None:
        # A = opaque-ish red 0.6, B = blue 0.5: result alphas from the table
        alphas = {"over": 0.8, "in": 0.3, "out": 0.3, "atop": 0.5, "xor": 0.5}
        for op, alpha in alphas.items():
            out = run(
                np.zeros((1, 1, 4), np.float32),
                *two_inputs(),
                prim("feComposite", ("A", "B"), operator=op),
            )
            assert out[0, 0, 3] == pytest.approx(alpha, abs=1e-6), op

    def test_lighter_adds_and_clamps(self) -> None:
        out = run(
            np.zeros((1, 1, 4), np.float32),
            *two_inputs(),
            prim("feComposite", ("A", "B"), operator="lighter"),
        )
        np.testing.assert_allclose(
            out[0, 0], np.minimum(premul(A_RGBA) + premul(B_RGBA), 1), atol=1e-6
        )

    def test_unknown_operator_is_over(self) -> None:
        out = run(
            np.zeros((1, 1, 4), np.float32),
            *two_inputs(),
            prim("feComposite", ("A", "B"), operator="z"),
        )
        np.testing.assert_allclose(
            out[0, 0], porter_duff("over", premul(A_RGBA), premul(B_RGBA)), atol=1e-6
        )

    @pytest.mark.parametrize(
        "k",
        [
            (0.1, 0.2, 0.3, 0.4),
            (0, 1.5, 3, 0),
            (-10, -0.2, 2.3, 100),
            (1, 0, 0, 0),
            (0, 1, 1, -0.5),
        ],
    )
    def test_arithmetic(self, k: tuple[float, float, float, float]) -> None:
        k1, k2, k3, k4 = k
        op = prim("feComposite", ("A", "B"), operator="arithmetic", k1=k1, k2=k2, k3=k3, k4=k4)
        out = run(np.zeros((1, 1, 4), np.float32), *two_inputs(), op)
        a, b = premul(A_RGBA), premul(B_RGBA)
        expected = np.clip(k1 * a * b + k2 * a + k3 * b + k4, 0, 1)
        expected[:3] = np.minimum(expected[:3], expected[3])
        np.testing.assert_allclose(out[0, 0], expected, atol=1e-6)

    def test_arithmetic_k4_lights_up_the_whole_subregion(self) -> None:
        op = prim(
            "feComposite",
            ("SourceGraphic", "SourceGraphic"),
            sub=(1, 1, 2, 2),
            operator="arithmetic",
            k4=0.5,
        )
        out = run(np.zeros((4, 4, 4), np.float32), op)
        np.testing.assert_allclose(out[1:3, 1:3], 0.5)
        assert out.sum() == pytest.approx(4 * 4 * 0.5)

    def test_in_keeps_only_the_overlap(self) -> None:
        layer = layer_with(6, 6, (0, 0, 3, 6), (1, 0, 0, 1))
        mask = prim("feFlood", (), "m", sub=(2, 0, 2, 6), rgba=(0, 0, 0, 0.5))
        out = run(layer, mask, prim("feComposite", ("SourceGraphic", "m"), operator="in"))
        assert out[..., 3].sum() == pytest.approx(6 * 0.5)
        np.testing.assert_allclose(out[0, 2], [0.5, 0, 0, 0.5])


# --- feBlend -----------------------------------------------------------------------------------


def _lum(c: tuple[float, float, float]) -> float:
    return 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2]


def _clip_color(c: tuple[float, float, float]) -> tuple[float, float, float]:
    lum, n, x = _lum(c), min(c), max(c)
    if n < 0:
        c = tuple(lum + (v - lum) * lum / (lum - n) for v in c)  # type: ignore[assignment]
    if x > 1:
        c = tuple(lum + (v - lum) * (1 - lum) / (x - lum) for v in c)  # type: ignore[assignment]
    return c


def _set_lum(c: tuple[float, float, float], lum: float) -> tuple[float, float, float]:
    d = lum - _lum(c)
    return _clip_color((c[0] + d, c[1] + d, c[2] + d))


def _set_sat(c: tuple[float, float, float], s: float) -> tuple[float, float, float]:
    # the spec's Cmax/Cmid/Cmin procedure, written out by sorting indices
    order = sorted(range(3), key=lambda i: c[i])
    lo, mid, hi = order
    out = [0.0, 0.0, 0.0]
    if c[hi] > c[lo]:
        out[mid] = (c[mid] - c[lo]) * s / (c[hi] - c[lo])
        out[hi] = s
    return out[0], out[1], out[2]


def _sat(c: tuple[float, float, float]) -> float:
    return max(c) - min(c)


def reference_blend(mode: str, cb: tuple, cs: tuple) -> tuple[float, float, float]:
    """Compositing and Blending Level 1, B(Cb, Cs), written from the spec text."""

    def sep(f):  # type: ignore[no-untyped-def]
        return tuple(f(b, s) for b, s in zip(cb, cs))

    def hard(b: float, s: float) -> float:
        return b * 2 * s if s <= 0.5 else 1 - (1 - b) * (1 - (2 * s - 1))  # screen(b, 2s-1)

    def soft(b: float, s: float) -> float:
        if s <= 0.5:
            return b - (1 - 2 * s) * b * (1 - b)
        d = ((16 * b - 12) * b + 4) * b if b <= 0.25 else math.sqrt(b)
        return b + (2 * s - 1) * (d - b)

    def dodge(b: float, s: float) -> float:
        return 0.0 if b == 0 else (1.0 if s == 1 else min(1.0, b / (1 - s)))

    def burn(b: float, s: float) -> float:
        return 1.0 if b == 1 else (0.0 if s == 0 else 1 - min(1.0, (1 - b) / s))

    table = {
        "normal": lambda: cs,
        "multiply": lambda: sep(lambda b, s: b * s),
        "screen": lambda: sep(lambda b, s: b + s - b * s),
        "overlay": lambda: sep(lambda b, s: hard(s, b)),
        "darken": lambda: sep(min),
        "lighten": lambda: sep(max),
        "color-dodge": lambda: sep(dodge),
        "color-burn": lambda: sep(burn),
        "hard-light": lambda: sep(hard),
        "soft-light": lambda: sep(soft),
        "difference": lambda: sep(lambda b, s: abs(b - s)),
        "exclusion": lambda: sep(lambda b, s: b + s - 2 * b * s),
        "hue": lambda: _set_lum(_set_sat(cs, _sat(cb)), _lum(cb)),
        "saturation": lambda: _set_lum(_set_sat(cb, _sat(cs)), _lum(cb)),
        "color": lambda: _set_lum(cs, _lum(cb)),
        "luminosity": lambda: _set_lum(cb, _lum(cs)),
    }
    return table[mode]()  # type: ignore[no-any-return]


COLOUR_PAIRS = [
    ((0.2, 0.6, 0.9), (0.7, 0.3, 0.1)),
    ((0.9, 0.1, 0.5), (0.25, 0.8, 0.6)),
    ((1.0, 0.0, 0.5), (0.0, 1.0, 0.2)),
    ((0.1, 0.1, 0.1), (0.95, 0.95, 0.05)),
]


class TestBlend:
    def test_modes_are_those_of_compositing_level_1(self) -> None:
        assert len(BLEND_MODES) == 16 and BLEND_MODES[0] == "normal"

    @pytest.mark.parametrize("mode", BLEND_MODES)
    @pytest.mark.parametrize(("cs", "cb"), COLOUR_PAIRS)
    def test_opaque_colours_match_the_spec_formula(self, mode: str, cs: tuple, cb: tuple) -> None:
        src = prim("feFlood", (), "s", rgba=(*cs, 1.0))
        back = prim("feFlood", (), "b", rgba=(*cb, 1.0))
        out = run(
            np.zeros((1, 1, 4), np.float32), src, back, prim("feBlend", ("s", "b"), mode=mode)
        )
        expected = np.clip(reference_blend(mode, cb, cs), 0, 1)
        np.testing.assert_allclose(out[0, 0, :3], expected, atol=2e-6)
        assert out[0, 0, 3] == 1.0

    @pytest.mark.parametrize("mode", ["multiply", "screen", "hue", "soft-light"])
    def test_translucent_colours_use_the_premultiplied_mix(self, mode: str) -> None:
        (cs, cb), a_s, a_b = COLOUR_PAIRS[1], 0.6, 0.3
        src = prim("feFlood", (), "s", rgba=(*cs, a_s))
        back = prim("feFlood", (), "b", rgba=(*cb, a_b))
        out = run(
            np.zeros((1, 1, 4), np.float32), src, back, prim("feBlend", ("s", "b"), mode=mode)
        )
        mixed = np.asarray(reference_blend(mode, cb, cs))
        expected_rgb = (
            np.asarray(cs) * a_s * (1 - a_b) + np.asarray(cb) * a_b * (1 - a_s) + a_s * a_b * mixed
        )
        np.testing.assert_allclose(out[0, 0, :3], expected_rgb, atol=2e-6)
        assert out[0, 0, 3] == pytest.approx(a_s + a_b - a_s * a_b)

    def test_unknown_mode_is_normal(self) -> None:
        src = prim("feFlood", (), "s", rgba=(1, 0, 0, 0.5))
        back = prim("feFlood", (), "b", rgba=(0, 0, 1, 1))
        out = run(
            np.zeros((1, 1, 4), np.float32),
            src,
            back,
            prim("feBlend", ("s", "b"), mode="plus-darker"),
        )
        np.testing.assert_allclose(out[0, 0], [0.5, 0, 0.5, 1])

    @pytest.mark.parametrize("mode", BLEND_MODES)
    def test_a_transparent_backdrop_leaves_the_source(self, mode: str) -> None:
        layer = layer_with(4, 4, (0, 0, 2, 4), (0.3, 0.6, 0.9, 0.7))
        empty = prim("feFlood", (), "t", rgba=(1, 1, 1, 0))
        out = run(layer, empty, prim("feBlend", ("SourceGraphic", "t"), mode=mode))
        np.testing.assert_allclose(out, layer, atol=1e-6)


# --- feColorMatrix -----------------------------------------------------------------------------


class TestColorMatrix:
    colours = layer_with(1, 3, (0, 0, 1, 1), (0.9, 0.2, 0.4, 0.8)) + layer_with(
        1, 3, (1, 0, 2, 1), (0.1, 0.7, 0.3, 1.0)
    )

    def test_saturate_zero_gives_luminance_grey(self) -> None:
        out = run(self.colours, prim("feColorMatrix", matrix=saturate_matrix(0.0)))
        for x, (r, g, b) in enumerate([(0.9, 0.2, 0.4), (0.1, 0.7, 0.3)]):
            alpha = self.colours[0, x, 3]
            grey = 0.213 * r + 0.715 * g + 0.072 * b
            np.testing.assert_allclose(out[0, x], [grey * alpha] * 3 + [alpha], atol=1e-6)

    def test_luminance_to_alpha(self) -> None:
        out = run(self.colours, prim("feColorMatrix", matrix=LUMINANCE_TO_ALPHA_MATRIX))
        assert not out[..., :3].any()
        assert out[0, 0, 3] == pytest.approx(0.2125 * 0.9 + 0.7154 * 0.2 + 0.0721 * 0.4, abs=1e-6)
        assert out[0, 2, 3] == 0.0

    def test_hue_rotate_full_turns_are_identity(self) -> None:
        for degrees in (0.0, 360.0, -720.0):
            out = run(self.colours, prim("feColorMatrix", matrix=hue_rotate_matrix(degrees)))
            np.testing.assert_allclose(out, self.colours, atol=1e-5)

    def test_hue_rotate_keeps_luminance_of_greys_and_moves_hue(self) -> None:
        grey = layer_with(1, 1, (0, 0, 1, 1), (0.5, 0.5, 0.5, 1))
        np.testing.assert_allclose(
            run(grey, prim("feColorMatrix", matrix=hue_rotate_matrix(123))), grey, atol=1e-5
        )
        red = layer_with(1, 1, (0, 0, 1, 1), (0.8, 0.2, 0.2, 1))
        out = run(red, prim("feColorMatrix", matrix=hue_rotate_matrix(120)))[0, 0]
        assert out[1] > out[0] and out[1] > out[2]  # red turned green-ish

    def test_saturate_matrix_clamps_negative_values(self) -> None:
        assert saturate_matrix(-0.5) == saturate_matrix(0.0)

    def test_alpha_offset_fills_transparent_pixels_in_the_subregion(self) -> None:
        m = list(saturate_matrix(1.0))
        m[19] = 0.25
        out = run(
            np.zeros((3, 3, 4), np.float32), prim("feColorMatrix", sub=(1, 1, 1, 1), matrix=m)
        )
        np.testing.assert_allclose(out[1, 1], [0, 0, 0, 0.25])
        assert out[..., 3].sum() == pytest.approx(0.25)

    def test_values_clamp(self) -> None:
        m = [2.0, 0, 0, 0, 0.5, 0, 1, 0, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]
        out = run(self.colours, prim("feColorMatrix", matrix=m))
        np.testing.assert_allclose(out[0, 0], [0.8, 0, 0.4 * 0.8, 0.8], atol=1e-6)

    @pytest.mark.parametrize("matrix", [[1, 2, 3], "junk", None, [math.nan] * 20])
    def test_malformed_matrices_do_not_crash(self, matrix: object) -> None:
        assert_valid(run(self.colours, prim("feColorMatrix", matrix=matrix)))


# --- feGaussianBlur ------------------------------------------------------------------------------


def box_blur_1d(signal: np.ndarray, std_dev: float) -> np.ndarray:
    """The spec's three box blurs as explicit windows, zero outside (an independent reference)."""
    out = signal.astype(np.float64)
    n = out.size
    for lo, size in blur_box_sizes(std_dev):
        nxt = np.zeros(n)
        for x in range(n):
            window = [out[k] for k in range(x + lo, x + lo + size) if 0 <= k < n]
            nxt[x] = sum(window) / size
        out = nxt
    return out


class TestBlur:
    @pytest.mark.parametrize(("std_dev", "d"), [(2.0, 4), (2.5, 5), (3.0, 6), (10.0, 19), (4.0, 8)])
    def test_box_sizes_follow_the_spec(self, std_dev: float, d: int) -> None:
        passes = blur_box_sizes(std_dev)
        assert passes[0][1] == d
        if d % 2:
            assert passes == ((-(d // 2), d),) * 3
        else:
            assert passes == ((-d // 2, d), (-d // 2 + 1, d), (-d // 2, d + 1))

    @pytest.mark.parametrize("std_dev", [2.0, 3.0, 5.5, 12.0])
    def test_box_blur_matches_explicit_windows(self, std_dev: float) -> None:
        row = np.zeros((1, 61, 4), np.float32)
        row[0, 20, :] = 1.0
        row[0, 33, :] = 0.5
        out = run(row, prim("feGaussianBlur", std_dev=(std_dev, 0)))
        np.testing.assert_allclose(out[0, :, 3], box_blur_1d(row[0, :, 3], std_dev), atol=1e-6)

    @pytest.mark.parametrize("std_dev", [0.5, 1.0, 1.9])
    def test_small_std_dev_uses_a_true_gaussian(self, std_dev: float) -> None:
        column = np.zeros((41, 1, 4), np.float32)
        column[20, 0, :] = 1.0
        out = run(column, prim("feGaussianBlur", std_dev=(0, std_dev)))[:, 0, 3]
        x = np.arange(-20, 21)
        radius = math.ceil(3 * std_dev)
        g = np.where(np.abs(x) <= radius, np.exp(-0.5 * (x / std_dev) ** 2), 0)
        np.testing.assert_allclose(out, g / g.sum(), atol=1e-6)

    def test_box_approximation_is_close_to_a_gaussian(self) -> None:
        row = np.zeros((1, 101, 4), np.float32)
        row[0, 50, :] = 1.0
        std_dev = 6.0
        out = run(row, prim("feGaussianBlur", std_dev=(std_dev, 0)))[0, :, 3]
        x = np.arange(-50, 51)
        g = np.exp(-0.5 * (x / std_dev) ** 2)
        g /= g.sum()
        assert np.abs(out - g).max() < 0.1 * g.max()
        mean = (out * x).sum()
        var = (out * (x - mean) ** 2).sum()
        assert abs(mean) < 1e-5
        # the spec's box size matches the Gaussian's peak; the three boxes' spread comes out
        # 8–9 % narrower (docs/filters.md)
        assert math.sqrt(var) == pytest.approx(std_dev, rel=0.1)

    @pytest.mark.parametrize("std_dev", [(1.0, 1.0), (3.0, 3.0), (2.0, 7.5), (0.0, 4.0)])
    def test_preserves_alpha_mass_and_is_symmetric(self, std_dev: tuple[float, float]) -> None:
        layer = layer_with(80, 80, (30, 35, 50, 45), (0.3, 0.6, 0.9, 0.8))
        out = run(layer, prim("feGaussianBlur", std_dev=std_dev))
        assert out[..., 3].sum() == pytest.approx(layer[..., 3].sum(), rel=1e-5)
        # the input is symmetric about x = 39.5 and y = 39.5: so is the output
        np.testing.assert_allclose(out, out[:, ::-1], atol=1e-6)
        np.testing.assert_allclose(out, out[::-1, :], atol=1e-6)

    def test_one_zero_axis_blurs_only_the_other(self) -> None:
        layer = layer_with(30, 30, (10, 10, 20, 20), (1, 1, 1, 1))
        out = run(layer, prim("feGaussianBlur", std_dev=(0, 3)))
        assert not out[:, :10].any() and not out[:, 20:].any()
        np.testing.assert_allclose(out[:, 10:20], np.repeat(out[:, 10:11], 10, axis=1))

    @pytest.mark.parametrize("std_dev", [(0, 0), (-1, 3), (3, -1), (-5, -5), 0.01])
    def test_disabled_blur_passes_the_input_through(self, std_dev: object) -> None:
        layer = layer_with(10, 10, (2, 2, 6, 6), (0.4, 0.5, 0.6, 0.7))
        out = run(layer, prim("feGaussianBlur", std_dev=std_dev, linear=True))
        np.testing.assert_allclose(out, layer, atol=1e-6)

    def test_std_dev_scales_with_to_output(self) -> None:
        layer = layer_with(60, 60, (20, 20, 40, 40), (1, 0, 0, 1))
        scaled = run(
            layer,
            prim("feGaussianBlur", std_dev=2),
            to_output=(2, 0, 0, 2, 0, 0),
            region=(0, 0, 30, 30),
        )
        plain = run(layer, prim("feGaussianBlur", std_dev=4))
        np.testing.assert_allclose(scaled, plain, atol=1e-6)

    def test_blur_is_clipped_to_its_subregion(self) -> None:
        layer = layer_with(30, 30, (10, 10, 20, 20), (1, 1, 1, 1))
        out = run(layer, prim("feGaussianBlur", sub=(0, 0, 15, 30), std_dev=3))
        assert not out[:, 15:].any() and out[:, 14].any()

    def test_content_outside_the_region_does_not_bleed_in(self) -> None:
        layer = layer_with(30, 30, (0, 0, 10, 30), (1, 1, 1, 1))
        out = run(layer, prim("feGaussianBlur", std_dev=3), region=(10, 0, 20, 30))
        assert not out.any()

    def test_edge_modes(self) -> None:
        flat = layer_with(20, 20, (0, 0, 20, 20), (0.2, 0.4, 0.6, 1.0))
        sub = (7, 7, 6, 6)
        # "none": the input is the whole region (transparent beyond it), so a subregion well
        # inside a flat layer stays flat; duplicate extends the subregion's own edge: flat too
        for mode in ("none", "duplicate"):
            out = run(flat, prim("feGaussianBlur", sub=sub, std_dev=2.5, edge_mode=mode))
            np.testing.assert_allclose(out[7:13, 7:13], flat[7:13, 7:13], atol=1e-6)
            assert not out[:7].any() and not out[:, 13:].any()
        stripe = layer_with(20, 20, (7, 7, 9, 13), (1, 1, 1, 1))
        wrap = run(stripe, prim("feGaussianBlur", sub=sub, std_dev=(2.5, 0), edge_mode="wrap"))
        none = run(stripe, prim("feGaussianBlur", sub=sub, std_dev=(2.5, 0), edge_mode="none"))
        assert wrap[10, 12, 3] > none[10, 12, 3] + 0.05  # the left stripe wraps to the right
        assert wrap[10, 7:13, 3].sum() == pytest.approx(2.0, rel=1e-5)  # nothing is lost
        assert none[10, 7:13, 3].sum() < 1.9  # part of it went left, out of the subregion

    def test_linear_rgb_blur_mixes_linear_light(self) -> None:
        layer = layer_with(1, 40, (0, 0, 20, 1), (1, 0, 0, 1)) + layer_with(
            1, 40, (20, 0, 40, 1), (0, 1, 0, 1)
        )
        srgb = run(layer, prim("feGaussianBlur", std_dev=(4, 0)), region=(0, 0, 40, 1))
        linear = run(
            layer, prim("feGaussianBlur", std_dev=(4, 0), linear=True), region=(0, 0, 40, 1)
        )
        # at the seam both colours weigh half: sRGB 0.5 vs linear 0.5 → sRGB 0.735
        assert srgb[0, 20, 0] + srgb[0, 19, 0] == pytest.approx(1.0, abs=1e-5)
        assert linear[0, 19, 0] == pytest.approx(linear_to_srgb(srgb[0, 19, 0]), abs=1e-3)
        assert linear[0, 19, 1] > srgb[0, 19, 1]

    def test_huge_std_dev_is_bounded_and_sane(self) -> None:
        layer = layer_with(16, 16, (4, 4, 12, 12), (1, 1, 1, 1))
        start = time.perf_counter()
        for edge_mode in ("none", "duplicate", "wrap"):
            out = run(layer, prim("feGaussianBlur", std_dev=1e30, edge_mode=edge_mode))
            assert_valid(out)
        assert time.perf_counter() - start < 10  # generous: no O(std_dev) work


# --- feDropShadow ----------------------------------------------------------------------------


class TestDropShadow:
    square = layer_with(30, 30, (10, 10, 16, 16), (0, 0.5, 0, 1))

    def test_sharp_shadow_sits_offset_under_the_source(self) -> None:
        op = prim("feDropShadow", std_dev=0, dx=3, dy=4, rgba=(0, 0, 1, 0.5))
        out = run(self.square, op)
        np.testing.assert_allclose(out[10:16, 10:16], self.square[10:16, 10:16])  # on top
        np.testing.assert_allclose(out[17, 17], [0, 0, 0.5, 0.5])  # shadow only
        assert out[16:20, 13:19, 3].min() == pytest.approx(0.5)
        assert not out[20:].any() and not out[:, 19:].any()

    def test_blurred_shadow_carries_the_source_alpha_mass(self) -> None:
        op = prim("feDropShadow", std_dev=2, dx=8, dy=8, rgba=(0, 0, 0, 1))
        out = run(self.square, op)
        shadow_mass = out[..., 3].sum() - 36  # minus the opaque source
        assert shadow_mass <= 36 + 1e-3
        assert shadow_mass == pytest.approx(36, rel=0.02)  # little of the shadow hides under it
        centre = out[21, 21]  # the middle of the moved square
        assert 0.5 < centre[3] < 1.0 and not centre[:3].any()
        np.testing.assert_allclose(out[10:16, 10:16], self.square[10:16, 10:16])

    def test_defaults_follow_the_spec(self) -> None:
        out = run(self.square, prim("feDropShadow"))  # std_dev 2, dx = dy = 2, black
        assert out[18, 18, 3] > 0 and out[18, 18, 1] == 0


# --- feComponentTransfer, feMorphology ----------------------------------------------------------


class TestComponentTransfer:
    pixel = layer_with(1, 1, (0, 0, 1, 1), (0.3, 0.5, 0.9, 0.8))

    def one(self, funcs: dict) -> np.ndarray:
        out = run(self.pixel, prim("feComponentTransfer", funcs=funcs))[0, 0]
        a = out[3]
        return np.array([*(out[:3] / a), a]) if a > 0 else out

    def test_table_interpolates(self) -> None:
        out = self.one({"R": {"type": "table", "tableValues": [0, 1, 0]}})
        assert out[0] == pytest.approx(0.6, abs=1e-5)  # 0.3 → halfway up the first segment
        assert out[1:].tolist() == pytest.approx([0.5, 0.9, 0.8], abs=1e-5)

    def test_discrete_steps(self) -> None:
        out = self.one({"G": {"type": "discrete", "tableValues": "0.1 0.4 0.7 1"}})
        assert out[1] == pytest.approx(0.7, abs=1e-6)  # floor(0.5·4) = 2

    def test_linear_and_gamma(self) -> None:
        out = self.one(
            {
                "B": {"type": "linear", "slope": 0.5, "intercept": 0.1},
                "A": {"type": "gamma", "amplitude": 2, "exponent": 2, "offset": -0.1},
            }
        )
        assert out[2] == pytest.approx(0.55, abs=1e-5)
        assert out[3] == 1.0  # 2·0.8² - 0.1 = 1.18, clamped

    def test_identity_and_empty_tables(self) -> None:
        for funcs in (
            {},
            {"R": {"type": "identity"}},
            {"R": {"type": "table", "tableValues": []}},
            {"R": "junk"},
        ):
            np.testing.assert_allclose(
                run(self.pixel, prim("feComponentTransfer", funcs=funcs)), self.pixel
            )

    @pytest.mark.parametrize(("exponent", "expected"), [(0.0, 0.5), (2.0, 0.1), (-1.0, 1.0)])
    def test_gamma_at_zero(self, exponent: float, expected: float) -> None:
        # R = 0: amplitude·0^exponent + offset with 0^0 = 1 and 0^-1 = ∞ (clamped to 1)
        pixel = layer_with(1, 1, (0, 0, 1, 1), (0.0, 0.5, 0.5, 1.0))
        func = {"type": "gamma", "amplitude": 0.4, "exponent": exponent, "offset": 0.1}
        out = run(pixel, prim("feComponentTransfer", funcs={"R": func}))
        assert out[0, 0, 0] == pytest.approx(expected, abs=1e-6)

    def test_alpha_function_lights_transparent_pixels(self) -> None:
        out = run(
            np.zeros((2, 2, 4), np.float32),
            prim(
                "feComponentTransfer", funcs={"A": {"type": "linear", "slope": 1, "intercept": 0.5}}
            ),
        )
        np.testing.assert_allclose(out[..., 3], 0.5)


class TestMorphology:
    square = layer_with(20, 20, (6, 6, 14, 14), (1, 0, 0, 1))

    def test_dilate_grows_by_the_radius(self) -> None:
        out = run(self.square, prim("feMorphology", operator="dilate", radius=(2, 1)))
        expected = layer_with(20, 20, (4, 5, 16, 15), (1, 0, 0, 1))
        np.testing.assert_array_equal(out, expected)

    def test_erode_shrinks_by_the_radius(self) -> None:
        out = run(self.square, prim("feMorphology", operator="erode", radius=3))
        np.testing.assert_array_equal(out, layer_with(20, 20, (9, 9, 11, 11), (1, 0, 0, 1)))

    def test_zero_or_negative_radius_passes_through(self) -> None:
        for radius in (0, (0, 0), -1, (2, -1)):
            np.testing.assert_array_equal(
                run(self.square, prim("feMorphology", radius=radius)), self.square
            )

    def test_one_zero_axis_only_works_along_the_other(self) -> None:
        out = run(self.square, prim("feMorphology", operator="dilate", radius=(0, 2)))
        np.testing.assert_array_equal(out, layer_with(20, 20, (6, 4, 14, 16), (1, 0, 0, 1)))


# --- colour spaces ------------------------------------------------------------------------------


class TestColourSpaces:
    def test_transfer_functions_round_trip(self) -> None:
        for v in np.linspace(0, 1, 101):
            assert linear_to_srgb(srgb_to_linear(v)) == pytest.approx(v, abs=1e-12)
        assert srgb_to_linear(0.5) == pytest.approx(0.21404, abs=1e-5)

    def test_tables_are_accurate(self) -> None:
        layer = np.zeros((64, 64, 4), np.float32)
        rng = np.random.default_rng(1)
        straight = rng.random((64, 64, 3), dtype=np.float32)
        alpha = rng.random((64, 64, 1), dtype=np.float32) * 0.9 + 0.1
        layer[..., :3] = straight * alpha
        layer[..., 3:] = alpha
        image = _image._Image(layer, (0, 0, 64, 64), _image._SRGB)
        arena = _image._Arena()
        linear = image.in_space(_image._LINEAR, arena)
        exact = np.vectorize(srgb_to_linear)(straight.astype(np.float64)) * alpha
        np.testing.assert_allclose(linear[..., :3], exact, atol=2e-6)
        back = _image._Image(linear, (0, 0, 64, 64), _image._LINEAR).in_space(_image._SRGB, arena)
        np.testing.assert_allclose(back, layer, atol=5e-5)
        arena.release()

    def test_each_input_is_converted_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        calls: list[int] = []
        kernel = _image._convert_kernel

        def counting(*args: object) -> None:
            calls.append(1)
            kernel(*args)

        monkeypatch.setattr(_image, "_convert_kernel", counting)
        layer = layer_with(8, 8, (2, 2, 6, 6), (0.5, 0.5, 0.5, 1))
        blurs = [
            prim("feGaussianBlur", ("SourceGraphic",), f"b{i}", std_dev=1, linear=True)
            for i in range(4)
        ]
        run(layer, *blurs, prim("feMerge", ("b0", "b1", "b2", "b3"), linear=True))
        assert len(calls) == 1  # the source to linear; the final sRGB pass is fused

    def test_offset_and_source_alpha_are_never_converted(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: list[int] = []
        kernel = _image._convert_kernel
        monkeypatch.setattr(_image, "_convert_kernel", lambda *a: (calls.append(1), kernel(*a)))
        layer = layer_with(8, 8, (2, 2, 6, 6), (0.5, 0.5, 0.5, 1))
        run(
            layer,
            prim("feOffset", ("SourceAlpha",), "o", dx=1, linear=True),
            prim("feMerge", ("o",), linear=True),
        )
        assert calls == []

    def test_mixed_spaces_convert_between_primitives(self) -> None:
        # an sRGB flood read by a linearRGB merge comes back unchanged
        flood = prim("feFlood", (), "f", rgba=(0.3, 0.6, 0.2, 0.9))
        out = run(np.zeros((1, 1, 4), np.float32), flood, prim("feMerge", ("f",), linear=True))
        np.testing.assert_allclose(out[0, 0], premul((0.3, 0.6, 0.2, 0.9)), atol=1e-4)


# --- robustness and properties ---------------------------------------------------------------------

NAMES = st.sampled_from(["", "SourceGraphic", "SourceAlpha", "r0", "r1", "BackgroundImage", "zz"])
NUMBER = st.one_of(
    st.floats(-50, 50, allow_nan=False),
    st.sampled_from([0.0, math.nan, math.inf, -math.inf, 1e30, -1e30]),
)
SMALL = st.floats(0, 6, allow_nan=False)
RGBA = st.tuples(*[st.floats(0, 1)] * 4)


@st.composite
def primitives(draw: st.DrawFn) -> FilterPrimitive:
    kind = draw(st.sampled_from([*sorted(SUPPORTED_KINDS), "feTurbulence"]))
    params: dict[str, object] = {}
    if kind == "feGaussianBlur":
        params = {
            "std_dev": (draw(st.one_of(SMALL, NUMBER)), draw(SMALL)),
            "edge_mode": draw(st.sampled_from(["none", "duplicate", "wrap", "bogus"])),
        }
    elif kind == "feOffset":
        params = {"dx": draw(NUMBER), "dy": draw(NUMBER)}
    elif kind == "feFlood":
        params = {"rgba": draw(RGBA)}
    elif kind == "feComposite":
        params = {
            "operator": draw(
                st.sampled_from(["over", "in", "out", "atop", "xor", "lighter", "arithmetic", "?"])
            )
        }
        params.update({k: draw(NUMBER) for k in ("k1", "k2", "k3", "k4")})
    elif kind == "feBlend":
        params = {"mode": draw(st.sampled_from([*BLEND_MODES, "?"]))}
    elif kind == "feColorMatrix":
        params = {"matrix": draw(st.lists(NUMBER, min_size=20, max_size=20))}
    elif kind == "feDropShadow":
        params = {
            "std_dev": draw(SMALL),
            "dx": draw(NUMBER),
            "dy": draw(NUMBER),
            "rgba": draw(RGBA),
        }
    elif kind == "feMorphology":
        params = {
            "radius": (draw(SMALL), draw(NUMBER)),
            "operator": draw(st.sampled_from(["erode", "dilate"])),
        }
    elif kind == "feComponentTransfer":
        func = st.fixed_dictionaries(
            {
                "type": st.sampled_from(["identity", "table", "discrete", "linear", "gamma"]),
                "tableValues": st.lists(NUMBER, max_size=4),
                "slope": NUMBER,
                "intercept": NUMBER,
                "amplitude": NUMBER,
                "exponent": st.floats(-3, 3),
                "offset": NUMBER,
            }
        )
        params = {"funcs": draw(st.dictionaries(st.sampled_from("RGBA"), func))}
    n_inputs = 3 if kind == "feMerge" else 2
    inputs = tuple(draw(st.lists(NAMES, max_size=n_inputs)))
    sub = draw(
        st.tuples(st.floats(-5, 20), st.floats(-5, 20), st.floats(-1, 30), st.floats(-1, 30))
    )
    result = draw(st.sampled_from(["", "r0", "r1"]))
    return FilterPrimitive(kind, inputs, result, sub, draw(st.booleans()), params)


@given(
    layers(),
    st.lists(primitives(), min_size=1, max_size=5),
    st.tuples(st.floats(-4, 10), st.floats(-4, 10), st.floats(-1, 20), st.floats(-1, 20)),
    TO_OUTPUT,
)
def test_any_filter_gives_valid_pixels_inside_the_region_only(
    layer, prims, region, to_output
) -> None:
    out = apply_filter(layer, Filter("f", region, tuple(prims)), to_output)
    assert out.shape == layer.shape
    assert_valid(out)
    x0, y0, x1, y1 = filter_pixel_box(region, to_output, layer.shape[1], layer.shape[0])
    outside = out.copy()
    outside[y0:y1, x0:x1] = 0
    assert not outside.any()


@given(layers(), st.booleans())
def test_identity_colour_matrix_is_a_no_op(layer, linear) -> None:
    identity = [1.0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]
    out = run(layer, prim("feColorMatrix", matrix=identity, linear=linear))
    # colour is only meaningful where alpha is: compare premultiplied values
    np.testing.assert_allclose(
        out, np.minimum(layer, layer[..., 3:4]), atol=1e-4 if linear else 1e-6
    )


@given(layers(max_side=20), st.integers(-6, 6), st.integers(-6, 6))
def test_offset_there_and_back_restores_the_interior(layer, dx, dy) -> None:
    out = run(layer, prim("feOffset", dx=dx, dy=dy), prim("feOffset", dx=-dx, dy=-dy))
    h, w = layer.shape[:2]
    # pixels whose first move stayed inside the region (stops clamped: no negative indices)
    ys = slice(max(0, -dy), max(0, min(h, h - dy)))
    xs = slice(max(0, -dx), max(0, min(w, w - dx)))
    np.testing.assert_array_equal(out[ys, xs], layer[ys, xs])


@given(st.floats(0.3, 6), st.floats(0.3, 6), RGBA, st.booleans())
def test_blur_of_a_constant_layer_is_constant_away_from_edges(sx, sy, rgba, linear) -> None:
    layer = np.broadcast_to(premul(rgba), (48, 48, 4)).copy()
    out = run(layer, prim("feGaussianBlur", std_dev=(sx, sy), linear=linear, edge_mode="none"))
    reach_x = _blur._axis_reach(sx)
    reach_y = _blur._axis_reach(sy)
    assume(reach_x < 20 and reach_y < 20)
    interior = out[reach_y : 48 - reach_y, reach_x : 48 - reach_x]
    np.testing.assert_allclose(interior, np.broadcast_to(layer[0, 0], interior.shape), atol=1e-4)


@given(layers(max_side=10), st.floats(0.3, 5), st.floats(0.3, 5))
def test_blur_preserves_mass_away_from_the_region_edge(small, sx, sy) -> None:
    h, w = small.shape[:2]
    layer = np.zeros((h + 60, w + 60, 4), np.float32)
    layer[30 : 30 + h, 30 : 30 + w] = small
    out = run(layer, prim("feGaussianBlur", std_dev=(sx, sy)))
    np.testing.assert_allclose(out.sum(axis=(0, 1)), layer.sum(axis=(0, 1)), rtol=1e-4, atol=1e-4)


def test_hue_rotate_matches_a_colour_science_reference() -> None:
    # not an exact match by design (the matrix is the spec's luminance-preserving rotation), but a
    # 180° turn must map a saturated colour to its complement's hue
    out = run(
        layer_with(1, 1, (0, 0, 1, 1), (0.9, 0.3, 0.1, 1)),
        prim("feColorMatrix", matrix=hue_rotate_matrix(180)),
    )
    h_in = colorsys.rgb_to_hsv(0.9, 0.3, 0.1)[0]
    h_out = colorsys.rgb_to_hsv(*out[0, 0, :3])[0]
    assert abs(((h_out - h_in) % 1.0) - 0.5) < 0.08
