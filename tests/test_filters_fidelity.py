"""feTurbulence, feDisplacementMap, the lighting primitives, feConvolveMatrix, feTile and feImage:
expectations computed by hand from the Filter Effects formulas, the builder's resolution of their
attributes, rendering (filter input beyond the canvas, feImage) and robustness properties.

Engine tests build :class:`~svgkit.scene.Filter` objects directly; the layer is premultiplied
float32 RGBA and ``I`` the identity output transform.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import TO_OUTPUT, layers

import svgkit
from svgkit import render
from svgkit.errors import SVGKitError
from svgkit.renderer.filters import SUPPORTED_KINDS, apply_filter, unsupported_kinds
from svgkit.renderer.filters.turbulence import turbulence_lattice
from svgkit.scene import Filter, FilterPrimitive

I = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)  # noqa: E741
NEW_KINDS = (
    "feTurbulence",
    "feDisplacementMap",
    "feDiffuseLighting",
    "feSpecularLighting",
    "feConvolveMatrix",
    "feTile",
    "feImage",
)


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
    to_output: tuple[float, ...] = I,
    images: dict[int, np.ndarray] | None = None,
) -> np.ndarray:
    h, w = layer.shape[:2]
    filt = Filter("f", (0.0, 0.0, float(w), float(h)), prims)
    return apply_filter(layer, filt, to_output, images=images)  # type: ignore[arg-type]


def assert_valid(out: np.ndarray) -> None:
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    assert (out >= 0.0).all() and (out <= 1.0).all()
    assert (out[..., :3] <= out[..., 3:4] + 1e-6).all()  # valid premultiplied colour


def straight(px: np.ndarray) -> np.ndarray:
    a = px[..., 3:4]
    return np.where(a > 0, px[..., :3] / np.maximum(a, 1e-12), 0.0)


def turbulence(size: int = 32, linear: bool = False, **params: object) -> np.ndarray:
    params = {"base_frequency": (0.05, 0.05), "num_octaves": 2, "seed": 0, **params}
    return run(
        np.zeros((size, size, 4), np.float32), prim("feTurbulence", (), linear=linear, **params)
    )


# --- a scalar port of the specification's reference code (independent of the numba kernel) ----


def _spec_init(seed: int) -> tuple[list[int], list[list[list[float]]]]:
    m, a, q, r = 2147483647, 16807, 127773, 2836

    def rand(s: int) -> int:
        s = a * (s % q) - r * (s // q)
        return s + m if s <= 0 else s

    if seed <= 0:
        seed = (-seed) % (m - 1) + 1  # C's -(seed % (m - 1)) + 1 for seed <= 0
    seed = min(seed, m - 1)
    lattice = [0] * 514
    grad = [[[0.0, 0.0] for _ in range(514)] for _ in range(4)]
    for k in range(4):
        for i in range(256):
            lattice[i] = i
            for j in range(2):
                seed = rand(seed)
                grad[k][i][j] = ((seed % 512) - 256) / 256
            s = math.hypot(*grad[k][i])
            grad[k][i] = [grad[k][i][0] / s, grad[k][i][1] / s]
    for i in range(255, 0, -1):
        seed = rand(seed)
        j = seed % 256
        lattice[i], lattice[j] = lattice[j], lattice[i]
    for i in range(258):
        lattice[256 + i] = lattice[i]
        for k in range(4):
            grad[k][256 + i] = list(grad[k][i])
    return lattice, grad


def _spec_turbulence(
    channel: int, x: float, y: float, fx: float, fy: float, octaves: int, fractal: bool, seed: int
) -> float:
    lattice, grad = _spec_init(seed)

    def noise2(vx: float, vy: float) -> float:
        t = vx + 4096
        bx0 = int(t) & 255
        bx1 = (bx0 + 1) & 255
        rx0 = t - int(t)
        rx1 = rx0 - 1
        t = vy + 4096
        by0 = int(t) & 255
        by1 = (by0 + 1) & 255
        ry0 = t - int(t)
        ry1 = ry0 - 1
        i, j = lattice[bx0], lattice[bx1]
        b00, b10 = lattice[i + by0], lattice[j + by0]
        b01, b11 = lattice[i + by1], lattice[j + by1]
        sx = rx0 * rx0 * (3 - 2 * rx0)
        sy = ry0 * ry0 * (3 - 2 * ry0)
        g = grad[channel]
        u = rx0 * g[b00][0] + ry0 * g[b00][1]
        v = rx1 * g[b10][0] + ry0 * g[b10][1]
        a = u + sx * (v - u)
        u = rx0 * g[b01][0] + ry1 * g[b01][1]
        v = rx1 * g[b11][0] + ry1 * g[b11][1]
        b = u + sx * (v - u)
        return a + sy * (b - a)

    total, ratio, vx, vy = 0.0, 1.0, x * fx, y * fy
    for _ in range(octaves):
        n = noise2(vx, vy)
        total += (n if fractal else abs(n)) / ratio
        vx, vy, ratio = vx * 2, vy * 2, ratio * 2
    return total


# --- feTurbulence ---------------------------------------------------------------------------------


class TestTurbulence:
    def test_matches_the_reference_code(self) -> None:
        out = turbulence(24, fractal=True, seed=7, base_frequency=(0.07, 0.11), num_octaves=3)
        for x, y in ((0, 0), (5, 17), (23, 9), (12, 12)):
            rgba = [_spec_turbulence(c, x, y, 0.07, 0.11, 3, True, 7) for c in range(4)]
            expected = [min(max((v + 1) / 2, 0.0), 1.0) for v in rgba]
            got = out[y, x]
            assert got[3] == pytest.approx(expected[3], abs=1e-6)
            assert straight(got) == pytest.approx(expected[:3], abs=1e-5)

    def test_turbulence_type_matches_the_reference_code(self) -> None:
        out = turbulence(16, seed=3, base_frequency=(0.2, 0.1), num_octaves=2)
        rgba = [min(max(_spec_turbulence(c, 9, 4, 0.2, 0.1, 2, False, 3), 0), 1) for c in range(4)]
        assert out[4, 9, 3] == pytest.approx(rgba[3], abs=1e-6)
        assert straight(out[4, 9]) == pytest.approx(rgba[:3], abs=1e-5)

    def test_deterministic_for_a_seed_and_different_across_seeds(self) -> None:
        a, b = turbulence(seed=5), turbulence(seed=5)
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, turbulence(seed=6))

    def test_seed_setup_follows_the_reference_generator(self) -> None:
        # seeds <= 0 become -(seed % (m - 1)) + 1 with C's remainder: -20 → 21, 0 → 1
        for s, same in ((-20, 21), (0, 1), (2**40, 2147483646)):
            for x, y in zip(turbulence_lattice(s), turbulence_lattice(same), strict=True):
                np.testing.assert_array_equal(x, y)
        lattice, grad = turbulence_lattice(0)
        spec_lattice, spec_grad = _spec_init(0)
        assert lattice.tolist() == spec_lattice
        np.testing.assert_allclose(grad, np.array(spec_grad), atol=1e-15)

    @pytest.mark.parametrize("fractal", [True, False])
    @pytest.mark.parametrize("linear", [True, False])
    def test_values_are_valid_and_in_range(self, fractal: bool, linear: bool) -> None:
        out = turbulence(40, linear, fractal=fractal, num_octaves=4)
        assert_valid(out)
        assert out[..., 3].max() > 0.0

    def test_fractal_noise_is_grey_on_average(self) -> None:
        out = turbulence(128, fractal=True, base_frequency=(0.1, 0.1), num_octaves=3, seed=11)
        assert float(out[..., 3].mean()) == pytest.approx(0.5, abs=0.05)
        assert float(straight(out)[..., 0].mean()) == pytest.approx(0.5, abs=0.05)

    def test_no_octaves(self) -> None:
        fractal = turbulence(8, fractal=True, num_octaves=0)
        np.testing.assert_allclose(fractal, np.tile([0.25, 0.25, 0.25, 0.5], (8, 8, 1)), atol=1e-7)
        assert not turbulence(8, num_octaves=0).any()

    def test_negative_frequency_is_transparent(self) -> None:
        assert not turbulence(8, fractal=True, base_frequency=(-0.05, 0.05)).any()

    def test_stitched_tiles_join_seamlessly(self) -> None:
        # a 32-unit tile at frequency 1/16 holds exactly 2 lattice cells. Stitched to the tile
        # (0, 0, 32, 32), the lattice wraps at its right and bottom edges: the noise just past an
        # edge (one lattice cell: 16 units) is the noise at the opposite edge, so copies of the
        # tile (feTile) join without a seam
        out = turbulence(
            64,
            fractal=True,
            base_frequency=(1 / 16, 1 / 16),
            num_octaves=3,
            stitch=True,
            tile=(0.0, 0.0, 32.0, 32.0),
        )
        np.testing.assert_allclose(out[:32, 32:48], out[:32, :16], atol=1e-6)
        np.testing.assert_allclose(out[32:48, :32], out[:16, :32], atol=1e-6)
        unstitched = turbulence(64, fractal=True, base_frequency=(1 / 16, 1 / 16), num_octaves=3)
        assert not np.allclose(unstitched[:32, 32:48], unstitched[:32, :16], atol=1e-3)

    def test_stitching_adjusts_the_frequency_to_whole_cells(self) -> None:
        # 0.07 on a 30-unit tile is 2.1 cells: stitching uses 2 cells, i.e. frequency 1/15
        stitched = turbulence(
            30,
            fractal=True,
            base_frequency=(0.07, 0.07),
            num_octaves=1,
            stitch=True,
            tile=(0.0, 0.0, 30.0, 30.0),
        )
        rgba = [_spec_turbulence(c, 7, 3, 1 / 15, 1 / 15, 1, True, 0) for c in range(4)]
        assert stitched[3, 7, 3] == pytest.approx((rgba[3] + 1) / 2, abs=1e-6)

    def test_evaluated_in_user_space(self) -> None:
        # user units twice the canvas px: the same picture as half the frequency in canvas px
        scaled = turbulence(24, fractal=True, user_to_canvas=(2.0, 0, 0, 2.0, 0, 0))
        plain = turbulence(24, fractal=True, base_frequency=(0.025, 0.025))
        np.testing.assert_allclose(scaled, plain, atol=1e-6)
        # and the output transform is undone: 2 output px per canvas px
        zoomed = run(
            np.zeros((24, 24, 4), np.float32),
            prim("feTurbulence", (), fractal=True, base_frequency=(0.05, 0.05), num_octaves=2),
            to_output=(2.0, 0, 0, 2.0, 0, 0),
        )
        np.testing.assert_allclose(zoomed, plain, atol=1e-6)

    def test_huge_coordinates_and_frequencies_stay_finite(self) -> None:
        for freq in (1e30, 1e12, 5e-324):
            assert_valid(turbulence(8, fractal=True, base_frequency=(freq, freq)))
        assert_valid(turbulence(8, user_to_canvas=(1e-300, 0, 0, 1e-300, 0, 0)))
        huge_tile = (0.0, 0.0, 1e300, 1e300)
        assert_valid(turbulence(8, base_frequency=(1e30, 1e30), stitch=True, tile=huge_tile))


# --- feDisplacementMap ----------------------------------------------------------------------------


def stripes(h: int, w: int) -> np.ndarray:
    """Opaque columns whose red is the column index / w."""
    out = np.zeros((h, w, 4), np.float32)
    out[..., 0] = np.arange(w, dtype=np.float32) / w
    out[..., 3] = 1.0
    return out


class TestDisplacementMap:
    def constant_map(self, r: float, g: float, a: float) -> FilterPrimitive:
        return prim("feFlood", (), "map", rgba=(r, g, 0.0, a))

    def test_constant_map_shifts_by_scale_times_value_minus_half(self) -> None:
        layer = stripes(6, 16)
        # straight R = 0.75, half transparent: the map is read un-premultiplied → dx = 8·0.25 = 2
        out = run(
            layer,
            self.constant_map(0.75, 0.5, 0.5),
            prim(
                "feDisplacementMap",
                ("SourceGraphic", "map"),
                scale=(8.0, 8.0),
                x_channel="R",
                y_channel="G",
            ),
        )
        np.testing.assert_array_equal(out[:, :14], layer[:, 2:])
        assert not out[:, 14:].any()  # fetched from outside the region: transparent

    def test_alpha_channel_and_negative_shift(self) -> None:
        layer = stripes(4, 12)
        out = run(
            layer,
            self.constant_map(0.0, 0.0, 0.25),  # A = 0.25 → dx = 12·(−0.25) = −3
            prim("feDisplacementMap", ("SourceGraphic", "map"), scale=(12.0, 0.0)),
        )
        np.testing.assert_array_equal(out[:, 3:], layer[:, :9])
        assert not out[:, :3].any()

    def test_scale_zero_is_the_identity(self) -> None:
        layer = stripes(5, 7)
        out = run(layer, prim("feDisplacementMap", ("", "SourceGraphic"), scale=(0.0, 0.0)))
        np.testing.assert_array_equal(out, layer)


# --- lighting ---------------------------------------------------------------------------------


def flat(h: int = 9, w: int = 9, alpha: float = 1.0) -> np.ndarray:
    out = np.zeros((h, w, 4), np.float32)
    out[..., 3] = alpha
    return out


def light(kind: str, **params: object) -> dict[str, object]:
    return {"type": kind, **params}


class TestLighting:
    ABOVE = light("distant", azimuth=0.0, elevation=90.0)

    def test_distant_light_above_a_flat_surface(self) -> None:
        out = run(
            flat(),
            prim(
                "feDiffuseLighting",
                constant=0.5,
                surface_scale=3.0,
                rgb=(1.0, 0.5, 0.25),
                light=self.ABOVE,
            ),
        )
        np.testing.assert_allclose(out, np.tile([0.5, 0.25, 0.125, 1.0], (9, 9, 1)), atol=1e-6)

    def test_lighting_colour_is_linearised_in_linear_rgb(self) -> None:
        out = run(
            flat(), prim("feDiffuseLighting", linear=True, rgb=(0.5, 0.5, 0.5), light=self.ABOVE)
        )
        np.testing.assert_allclose(out[4, 4], [0.5, 0.5, 0.5, 1.0], atol=2e-4)  # back in sRGB

    def test_specular_light_above_a_flat_surface(self) -> None:
        out = run(
            flat(),
            prim(
                "feSpecularLighting",
                constant=0.8,
                specular_exponent=20.0,
                rgb=(1.0, 0.5, 0.0),
                light=self.ABOVE,
            ),
        )
        # N·H = 1: colour = ks · lighting colour, alpha = its largest channel
        np.testing.assert_allclose(out[4, 4], [0.8, 0.4, 0.0, 0.8], atol=1e-6)

    def test_slope_normals_use_the_sobel_factors_inside_and_on_edges(self) -> None:
        # alpha ramp of 0.1 per pixel along x: every pixel (edges and corners included) has
        # N = (−2·s·0.1, 0, 1) / |…|, so a light from above gives N·L = 1/sqrt(1 + 4 s² 0.01)
        layer = flat(6, 8)
        layer[..., 3] = 0.1 + 0.1 * np.arange(8, dtype=np.float32)
        out = run(layer, prim("feDiffuseLighting", surface_scale=2.0, light=self.ABOVE))
        expected = 1.0 / math.sqrt(1.0 + 4 * 4.0 * 0.01)
        np.testing.assert_allclose(out[..., 0], expected, atol=1e-5)
        # from the side the slope facing the light is brighter
        side = run(
            layer,
            prim(
                "feDiffuseLighting",
                surface_scale=2.0,
                light=light("distant", azimuth=180.0, elevation=45.0),
            ),
        )
        flat_side = run(
            flat(6, 8),
            prim(
                "feDiffuseLighting",
                surface_scale=2.0,
                light=light("distant", azimuth=180.0, elevation=45.0),
            ),
        )
        assert side[3, 4, 0] > flat_side[3, 4, 0]

    def test_point_light_straight_above_a_pixel(self) -> None:
        out = run(flat(), prim("feDiffuseLighting", light=light("point", x=4.0, y=4.0, z=10.0)))
        assert out[4, 4, 0] == pytest.approx(1.0, abs=1e-6)
        # elsewhere: cos of the angle to the light
        assert out[4, 0, 0] == pytest.approx(9.0 / math.hypot(4.0, 9.0), abs=1e-5)

    def test_point_light_position_follows_the_output_transform(self) -> None:
        out = run(
            flat(18, 18),
            prim("feDiffuseLighting", light=light("point", x=4.0, y=4.0, z=10.0)),
            to_output=(2.0, 0, 0, 2.0, 0, 0),
        )
        assert out[8, 8, 0] == pytest.approx(1.0, abs=1e-6)  # (4, 4) canvas px = (8, 8) output px

    def test_spot_light_cone(self) -> None:
        spot = light(
            "spot",
            x=4.0,
            y=4.0,
            z=10.0,
            points_at_x=4.0,
            points_at_y=4.0,
            points_at_z=0.0,
            specular_exponent=1.0,
            cone=20.0,
        )
        out = run(flat(), prim("feDiffuseLighting", light=spot))
        assert out[4, 4, 0] == pytest.approx(1.0, abs=1e-6)  # on the axis
        assert out[4, 0, 0] == 0.0 and out[4, 0, 3] == 1.0  # 22° off the axis: outside the cone
        away = dict(spot, points_at_z=20.0)  # pointing up, away from the surface
        assert not run(flat(), prim("feDiffuseLighting", light=away))[..., :3].any()

    def test_without_a_light_or_with_a_bad_exponent_the_result_is_transparent(self) -> None:
        assert not run(flat(), prim("feDiffuseLighting", light=None)).any()
        bad = prim("feSpecularLighting", specular_exponent=300.0, light=self.ABOVE)
        assert not run(flat(), bad).any()


# --- feConvolveMatrix ------------------------------------------------------------------------


def ramp(h: int = 5, w: int = 6) -> np.ndarray:
    out = np.zeros((h, w, 4), np.float32)
    out[..., 1] = (np.arange(w, dtype=np.float32) + 1) / (w + 1)
    out[..., 3] = 1.0
    return out


def convolve(layer: np.ndarray, kernel: list[float], **params: object) -> np.ndarray:
    order = params.pop("order", (3.0, 3.0))
    return run(layer, prim("feConvolveMatrix", order=order, kernel=kernel, **params))


RIGHT_NEIGHBOUR = [0, 0, 0, 1, 0, 0, 0, 0, 0]  # kernel rotated by 180°: column 0 reads x + 1


class TestConvolveMatrix:
    def test_identity_kernel(self) -> None:
        layer = ramp()
        layer[1, 2] = [0.1, 0.2, 0.0, 0.4]
        np.testing.assert_allclose(convolve(layer, [0, 0, 0, 0, 1, 0, 0, 0, 0]), layer, atol=1e-7)

    @pytest.mark.parametrize(
        ("edge", "last"), [("duplicate", 6 / 7), ("wrap", 1 / 7), ("none", None)]
    )
    def test_edge_modes(self, edge: str, last: float | None) -> None:
        layer = ramp()
        out = convolve(layer, RIGHT_NEIGHBOUR, edge_mode=edge)
        np.testing.assert_allclose(out[:, :5], layer[:, 1:], atol=1e-6)
        if last is None:
            assert not out[:, 5].any()
        else:
            np.testing.assert_allclose(out[:, 5, 1], last, atol=1e-6)

    def test_default_divisor_is_the_kernel_sum(self) -> None:
        layer = ramp()
        out = convolve(layer, [1.0] * 9)
        np.testing.assert_allclose(out[2, 2:4, 1], layer[2, 2:4, 1], atol=1e-6)  # a mean of a ramp

    def test_bias_lights_transparent_pixels(self) -> None:
        out = convolve(np.zeros((4, 4, 4), np.float32), [1.0] * 9, bias=0.5, edge_mode="none")
        np.testing.assert_allclose(out, np.tile([0.25, 0.25, 0.25, 0.5], (4, 4, 1)), atol=1e-6)

    def test_preserve_alpha_convolves_straight_colour(self) -> None:
        layer = np.zeros((3, 3, 4), np.float32)
        layer[...] = [0.25, 0.0, 0.0, 0.5]  # straight red 0.5
        out = convolve(layer, [0, 0, 0, 0, 2, 0, 0, 0, 0], divisor=1.0, preserve_alpha=True)
        np.testing.assert_allclose(out[1, 1], [0.5, 0.0, 0.0, 0.5], atol=1e-6)

    def test_target_moves_the_kernel(self) -> None:
        layer = ramp()
        # a 1×1 kernel is the identity whatever the target inside it
        out = convolve(layer, [1.0], order=(1.0, 1.0), target_x=0.0, target_y=0.0)
        np.testing.assert_allclose(out, layer, atol=1e-7)

    @pytest.mark.parametrize(
        "params",
        [
            {"order": (0.0, 3.0)},
            {"order": (3.0, 3.0), "kernel": [1.0, 2.0]},
            {"divisor": 0.0},
            {"target_x": 3.0},
            {"target_y": -1.0},
            {"order": (100.0, 100.0), "kernel": [1.0] * 10000},
        ],
    )
    def test_errors_give_transparent_black(self, params: dict[str, object]) -> None:
        params = {"order": (3.0, 3.0), "kernel": [1.0] * 9, **params}
        assert not run(ramp(), prim("feConvolveMatrix", **params)).any()


# --- feTile and feImage ------------------------------------------------------------------------


class TestTileAndImage:
    def test_tile_repeats_the_input_subregion(self) -> None:
        rng = np.random.default_rng(1)
        layer = np.zeros((8, 9, 4), np.float32)
        layer[..., 3] = rng.uniform(0.2, 1.0, (8, 9)).astype(np.float32)
        layer[..., 0] = layer[..., 3] * 0.5
        out = run(
            layer,
            prim("feOffset", ("SourceGraphic",), "t", sub=(1, 2, 3, 2), dx=0.0, dy=0.0),
            prim("feTile", ("t",)),
        )
        ys = 2 + (np.arange(8) - 2) % 2
        xs = 1 + (np.arange(9) - 1) % 3
        np.testing.assert_array_equal(out, layer[ys[:, None], xs[None, :]])

    def test_tile_of_the_source_is_the_source(self) -> None:
        layer = ramp()
        np.testing.assert_array_equal(run(layer, prim("feTile", ("SourceGraphic",))), layer)

    def test_image_places_the_renderers_picture_in_the_subregion(self) -> None:
        picture = np.zeros((6, 6, 4), np.float32)
        picture[...] = [0.0, 0.5, 0.0, 0.5]
        out = run(
            np.zeros((6, 6, 4), np.float32),
            prim("feImage", (), sub=(1, 1, 3, 2)),
            images={0: picture},
        )
        expected = np.zeros_like(picture)
        expected[1:3, 1:4] = picture[1:3, 1:4]
        np.testing.assert_array_equal(out, expected)
        assert not run(np.ones((6, 6, 4), np.float32), prim("feImage", ())).any()

    def test_all_kinds_are_supported(self) -> None:
        assert set(NEW_KINDS) <= SUPPORTED_KINDS
        filt = Filter("f", (0, 0, 1, 1), tuple(prim(k) for k in (*NEW_KINDS, "feBogus")))
        assert unsupported_kinds(filt) == ["feBogus"]


# --- the builder --------------------------------------------------------------------------------

NS = 'xmlns="http://www.w3.org/2000/svg"'


def svg(body: str, size: int = 100, extra: str = "") -> str:
    return f'<svg {NS} width="{size}" height="{size}" {extra}>{body}</svg>'


def first_filter(body: str, **kwargs: object) -> Filter:
    scene = svgkit.parse(svg(body, **kwargs))  # type: ignore[arg-type]
    return scene.filters[0]


class TestBuilder:
    def test_turbulence_attributes(self) -> None:
        filt = first_filter(
            '<filter id="f"><feTurbulence baseFrequency="0.1 0.2" numOctaves="3" seed="-2.9" '
            'stitchTiles="stitch" type="fractalNoise"/></filter>'
            '<rect x="10" y="10" width="50" height="50" transform="scale(2)" filter="url(#f)"/>'
        )
        p = filt.primitives[0]
        assert p.kind == "feTurbulence" and p.inputs == ()
        assert p.params["base_frequency"] == (0.1, 0.2)
        assert p.params["num_octaves"] == 3 and p.params["seed"] == -2  # truncated towards 0
        assert p.params["stitch"] and p.params["fractal"]
        assert p.params["user_to_canvas"] == (2.0, 0.0, 0.0, 2.0, 0.0, 0.0)
        assert p.params["tile"] == pytest.approx((5.0, 5.0, 60.0, 60.0))  # the region, user units

    def test_turbulence_defaults_and_bad_values(self) -> None:
        p = first_filter(
            '<filter id="f"><feTurbulence numOctaves="1.5" baseFrequency="1 2 3"/></filter>'
            '<rect width="5" height="5" filter="url(#f)"/>'
        ).primitives[0]
        assert p.params["num_octaves"] == 1 and p.params["base_frequency"] == (0.0, 0.0)
        assert not p.params["fractal"] and not p.params["stitch"] and p.params["seed"] == 0

    def test_light_positions_in_user_space_and_object_bounding_box(self) -> None:
        user = first_filter(
            '<filter id="f"><feDiffuseLighting lighting-color="red"><fePointLight x="10" y="20" '
            'z="30"/></feDiffuseLighting></filter>'
            '<rect width="50" height="50" transform="translate(5 0) scale(2)" filter="url(#f)"/>'
        ).primitives[0]
        assert user.params["light"] == {"type": "point", "x": 25.0, "y": 40.0, "z": 60.0}
        assert user.params["rgb"] == (1.0, 0.0, 0.0)
        obb = first_filter(
            '<filter id="f" primitiveUnits="objectBoundingBox"><feSpecularLighting '
            'specularExponent="4"><feSpotLight x="0.5" y="1" z="0.5" pointsAtX="1" '
            'limitingConeAngle="-30"/></feSpecularLighting></filter>'
            '<rect x="10" y="10" width="40" height="40" filter="url(#f)"/>'
        ).primitives[0]
        spot = obb.params["light"]
        assert (spot["x"], spot["y"], spot["z"]) == pytest.approx((30.0, 50.0, 20.0))
        assert (spot["points_at_x"], spot["points_at_y"]) == pytest.approx((50.0, 10.0))
        assert spot["cone"] == -30.0 and obb.params["specular_exponent"] == 4.0

    def test_lighting_color_current_color_and_missing_light(self) -> None:
        body = (
            '<filter id="f"><feDiffuseLighting lighting-color="currentColor" style="color: blue">'
            '<desc/></feDiffuseLighting></filter><rect width="5" height="5" filter="url(#f)"/>'
        )
        scene = svgkit.parse(svg(body))
        p = scene.filters[0].primitives[0]
        assert p.params["rgb"] == (0.0, 0.0, 1.0) and p.params["light"] is None

    def test_convolve_and_displacement_attributes(self) -> None:
        filt = first_filter(
            '<filter id="f"><feConvolveMatrix order="2" kernelMatrix="1 2 3 4" divisor="2" '
            'bias="0.1" targetX="1" edgeMode="wrap" preserveAlpha="true"/>'
            '<feDisplacementMap in2="SourceAlpha" scale="5" xChannelSelector="R"/></filter>'
            '<rect width="10" height="10" transform="scale(3)" filter="url(#f)"/>'
        )
        conv, disp = filt.primitives
        assert conv.params["order"] == (2.0, 2.0) and conv.params["kernel"] == [1, 2, 3, 4]
        assert conv.params["divisor"] == 2.0 and conv.params["target_x"] == 1.0
        assert "target_y" not in conv.params and conv.params["preserve_alpha"]
        assert conv.params["edge_mode"] == "wrap" and conv.params["bias"] == pytest.approx(0.1)
        assert disp.inputs == ("", "SourceAlpha") and disp.params["scale"] == (15.0, 15.0)
        assert (disp.params["x_channel"], disp.params["y_channel"]) == ("R", "A")

    def test_default_subregion_is_the_union_of_the_inputs(self) -> None:
        filt = first_filter(
            '<filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="100" height="100">'
            '<feFlood x="10" y="10" width="10" height="10" result="a"/>'
            '<feFlood x="30" y="20" width="10" height="10" result="b"/>'
            '<feComposite in="a" in2="b"/><feOffset dx="3"/><feTile/>'
            '<feBlend in="a" in2="SourceGraphic"/></filter>'
            '<rect width="5" height="5" filter="url(#f)"/>'
        )
        subs = [p.subregion for p in filt.primitives]
        assert subs[2] == (10.0, 10.0, 30.0, 20.0)  # a ∪ b
        assert subs[3] == subs[2]  # the previous result's
        assert subs[4] == subs[5] == (0.0, 0.0, 100.0, 100.0)  # feTile; a standard input

    def test_missing_filter_reference_hides_the_element(self) -> None:
        for ref in ("nope", "r"):
            body = f'<rect id="r" width="5" height="5" filter="url(#{ref})"/>'
            scene = svgkit.parse(svg(body))
            grp = scene.groups[int(scene.group[0])]
            assert scene.filters[grp.filter_index].primitives == ()
            assert "MISSING_REFERENCE" in {w.code for w in scene.warnings}
            assert not render(svg(body), 10, 10)[..., 3].any()

    def test_fe_image_references(self) -> None:
        body = (
            '<filter id="f"><feImage href="#dot"/></filter>'
            '<filter id="g"><feImage href="https://example.com/x.png"/></filter>'
            '<defs><circle id="dot" cx="5" cy="5" r="3"/></defs>'
            '<rect width="50" height="50" filter="url(#f)"/>'
            '<rect width="50" height="50" filter="url(#g)"/>'
        )
        scene = svgkit.parse(svg(body))
        inner = scene.filters[0].primitives[0].params["content"]
        assert isinstance(inner, svgkit.Scene) and len(inner) == 1
        assert scene.filters[1].primitives[0].params["content"] is None
        assert "EXTERNAL_REFERENCE" in {w.code for w in scene.warnings}


# --- rendering ----------------------------------------------------------------------------------


def png_data_uri(rgba: tuple[int, int, int, int], w: int = 2, h: int = 2) -> str:
    raw = b"".join(b"\x00" + bytes(rgba) * w for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


class TestRendering:
    def test_content_beyond_the_canvas_feeds_the_filter(self) -> None:
        body = (
            '<filter id="f" filterUnits="userSpaceOnUse" x="-50" y="0" width="150" height="100">'
            '<feOffset dx="40"/></filter>'
            '<rect x="-30" y="40" width="20" height="20" fill="#00ff00" filter="url(#f)"/>'
        )
        img = render(svg(body), 100, 100)
        assert img[50, 20].tolist() == [0, 255, 0, 255]  # moved in from x = -30 … -10
        assert img[50, 35, 3] == 0

    def test_blur_of_content_just_off_the_canvas(self) -> None:
        body = (
            '<filter id="f" filterUnits="userSpaceOnUse" x="-50" y="-50" width="200" height="200">'
            '<feGaussianBlur stdDeviation="4"/></filter>'
            '<rect x="-20" y="0" width="20" height="100" fill="black" filter="url(#f)"/>'
        )
        img = render(svg(body), 100, 100)
        # half of the blurred edge falls on the canvas: about half opaque at x = 0
        assert 100 < img[50, 0, 3] < 150 and img[50, 3, 3] > 0

    def test_fe_image_of_an_element_is_placed_at_the_subregion(self) -> None:
        body = (
            '<defs><rect id="r" width="10" height="10" fill="#0000ff"/></defs>'
            '<filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="100" height="100">'
            '<feImage href="#r" x="30" y="40"/></filter>'
            '<rect width="100" height="100" fill="red" filter="url(#f)"/>'
        )
        img = render(svg(body), 100, 100)
        assert img[45, 35].tolist() == [0, 0, 255, 255]
        assert img[45, 25, 3] == 0 and img[35, 35, 3] == 0

    def test_fe_image_of_a_data_uri(self) -> None:
        body = (
            '<filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="100" height="100">'
            f'<feImage href="{png_data_uri((255, 128, 0, 255))}" x="20" y="20" width="40" '
            'height="40" preserveAspectRatio="none"/></filter>'
            '<rect width="100" height="100" filter="url(#f)"/>'
        )
        img = render(svg(body), 100, 100)
        assert img[40, 40].tolist() == [255, 128, 0, 255]
        assert img[10, 10, 3] == 0 and img[70, 70, 3] == 0

    def test_fe_image_of_its_own_element_does_not_recurse(self) -> None:
        body = (
            '<filter id="f"><feImage href="#g"/></filter>'
            '<g id="g" filter="url(#f)"><rect width="50" height="50" fill="lime"/></g>'
        )
        assert render(svg(body), 50, 50).shape == (50, 50, 4)

    def test_paper_texture(self) -> None:
        body = (
            '<filter id="p" x="0" y="0" width="1" height="1">'
            '<feTurbulence type="fractalNoise" baseFrequency="0.04" numOctaves="5" result="n"/>'
            '<feDiffuseLighting in="n" lighting-color="#fff8e7" surfaceScale="2">'
            '<feDistantLight azimuth="45" elevation="60"/></feDiffuseLighting>'
            '<feComposite in2="SourceGraphic" operator="arithmetic" k1="1"/></filter>'
            '<rect width="100" height="100" fill="#f4ecd8" filter="url(#p)"/>'
        )
        img = render(svg(body), 64, 64)
        assert (img[..., 3] == 255).all()
        assert img[..., 0].std() > 1.0  # textured, not flat
        assert 180 < img[..., 0].mean() < 250


# --- robustness ---------------------------------------------------------------------------------

NUMBER = st.one_of(
    st.floats(-50, 50, allow_nan=False),
    st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1e30, -1e30, 1e-300]),
)
ANYTHING = st.one_of(NUMBER, st.none(), st.text(max_size=3), st.lists(NUMBER, max_size=3))


@st.composite
def fidelity_primitives(draw: st.DrawFn) -> FilterPrimitive:
    kind = draw(st.sampled_from(NEW_KINDS))
    params: dict[str, object] = {}
    if kind == "feTurbulence":
        params = {
            "base_frequency": draw(st.one_of(st.tuples(NUMBER, NUMBER), ANYTHING)),
            "num_octaves": draw(st.one_of(st.integers(-3, 40), ANYTHING)),
            "seed": draw(st.one_of(st.integers(-(2**40), 2**40), ANYTHING)),
            "stitch": draw(st.booleans()),
            "fractal": draw(st.booleans()),
            "tile": draw(st.one_of(st.tuples(NUMBER, NUMBER, NUMBER, NUMBER), ANYTHING)),
            "user_to_canvas": draw(st.one_of(st.tuples(*[NUMBER] * 6), ANYTHING)),
        }
    elif kind == "feDisplacementMap":
        params = {
            "scale": draw(st.one_of(st.tuples(NUMBER, NUMBER), ANYTHING)),
            "x_channel": draw(st.sampled_from(["R", "G", "B", "A", "?"])),
            "y_channel": draw(st.sampled_from(["R", "G", "B", "A", "?"])),
        }
    elif kind in ("feDiffuseLighting", "feSpecularLighting"):
        light_kind = draw(st.sampled_from(["distant", "point", "spot", "?"]))
        light_params = {
            k: draw(ANYTHING)
            for k in (
                "azimuth",
                "elevation",
                "x",
                "y",
                "z",
                "points_at_x",
                "points_at_y",
                "points_at_z",
                "specular_exponent",
                "cone",
            )
        }
        params = {
            "surface_scale": draw(ANYTHING),
            "constant": draw(ANYTHING),
            "specular_exponent": draw(ANYTHING),
            "rgb": draw(st.one_of(st.tuples(NUMBER, NUMBER, NUMBER), ANYTHING)),
            "light": draw(st.one_of(st.just({"type": light_kind, **light_params}), ANYTHING)),
        }
    elif kind == "feConvolveMatrix":
        order = draw(st.tuples(st.integers(-1, 4), st.integers(-1, 4)))
        params = {
            "order": draw(st.one_of(st.just(order), ANYTHING)),
            "kernel": draw(st.lists(NUMBER, min_size=0, max_size=16)),
            "divisor": draw(ANYTHING),
            "bias": draw(ANYTHING),
            "target_x": draw(ANYTHING),
            "target_y": draw(ANYTHING),
            "edge_mode": draw(st.sampled_from(["none", "duplicate", "wrap", "?"])),
            "preserve_alpha": draw(st.booleans()),
        }
    n_inputs = 2 if kind == "feDisplacementMap" else 1
    names = st.sampled_from(["", "SourceGraphic", "SourceAlpha", "r0", "zz"])
    inputs = tuple(draw(st.lists(names, max_size=n_inputs)))
    sub = draw(
        st.tuples(st.floats(-5, 20), st.floats(-5, 20), st.floats(-1, 30), st.floats(-1, 30))
    )
    return FilterPrimitive(
        kind, inputs, draw(st.sampled_from(["", "r0"])), sub, draw(st.booleans()), params
    )




@settings(max_examples=150, deadline=None)
@given(layers(max_side=14), st.lists(fidelity_primitives(), min_size=1, max_size=4), TO_OUTPUT)
def test_any_parameters_give_valid_pixels(layer, prims, to_output) -> None:
    h, w = layer.shape[:2]
    out = apply_filter(layer, Filter("f", (0, 0, w, h), tuple(prims)), to_output)
    assert out.shape == layer.shape
    assert_valid(out)


ATTR = st.one_of(
    st.sampled_from(["0", "-1", "1e30", "-1e30", "nan", "inf", "2.5", "1 2", "1 2 3", "", "x"]),
    st.floats(-1e6, 1e6, allow_nan=False).map(repr),
)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_attribute_values_render_or_raise_a_taxonomy_error(data: st.DataObject) -> None:
    a = [data.draw(ATTR) for _ in range(12)]
    primitives = (
        f'<feTurbulence baseFrequency="{a[0]}" numOctaves="{a[1]}" seed="{a[2]}" '
        f'stitchTiles="stitch" result="t"/>'
        f'<feDisplacementMap in="SourceGraphic" in2="t" scale="{a[3]}"/>'
        f'<feDiffuseLighting surfaceScale="{a[4]}" diffuseConstant="{a[5]}">'
        f'<feSpotLight x="{a[6]}" y="{a[7]}" z="{a[8]}" limitingConeAngle="{a[9]}" '
        f'specularExponent="{a[10]}"/></feDiffuseLighting>'
        f'<feConvolveMatrix order="{a[11]}" kernelMatrix="{a[0]}" divisor="{a[3]}" '
        f'targetX="{a[1]}"/>'
        f'<feSpecularLighting specularExponent="{a[2]}"><fePointLight z="{a[4]}"/>'
        f'</feSpecularLighting><feTile x="{a[5]}" width="{a[6]}"/>'
    )
    body = (
        f'<filter id="f">{primitives}</filter>'
        '<rect x="10" y="10" width="30" height="30" fill="teal" filter="url(#f)"/>'
    )
    try:
        img = render(svg(body, 48), 48, 48)
    except SVGKitError:
        return  # a taxonomy error is an acceptable answer; anything else is not
    assert img.shape == (48, 48, 4)


# --- CSS filter functions -----------------------------------------------------------------------


class TestCssFilterFunctions:
    def kinds(self, value: str) -> list[str]:
        scene = svgkit.parse(svg(f'<rect width="40" height="40" filter="{value}"/>'))
        grp = scene.groups[int(scene.group[0])]
        if grp.filter_index < 0:
            return []
        return [p.kind for p in scene.filters[grp.filter_index].primitives]

    def test_a_list_chains_its_functions(self) -> None:
        assert self.kinds("grayscale() opacity(0.5) blur(2)") == [
            "feColorMatrix",
            "feComponentTransfer",
            "feGaussianBlur",
        ]

    @pytest.mark.parametrize(
        "value",
        [
            "blur(-5)",
            "blur(4 2)",
            "hue-rotate(45)",
            "sepia(-1)",
            "drop-shadow(red, 10, 15)",
            "drop-shadow(blue 3% 4%)",
            "wobble(3)",
        ],
    )
    def test_invalid_lists_draw_without_a_filter(self, value: str) -> None:
        assert self.kinds(value) == []
        img = render(
            svg(f'<rect width="40" height="40" fill="#00ff00" filter="{value}"/>'), 100, 100
        )
        assert img[20, 20].tolist() == [0, 255, 0, 255]

    def test_colour_functions(self) -> None:
        def colour(value: str) -> list[int]:
            body = f'<rect width="100" height="100" fill="#2e8b57" filter="{value}"/>'
            return render(svg(body), 10, 10)[5, 5].tolist()

        seagreen = [0x2E, 0x8B, 0x57, 255]
        assert colour("grayscale(0%)") == seagreen
        grey = round(0.2126 * 0x2E + 0.7152 * 0x8B + 0.0722 * 0x57)
        assert colour("grayscale(100%)") == pytest.approx([grey, grey, grey, 255], abs=1)
        assert colour("invert(100%)") == pytest.approx(
            [255 - 0x2E, 255 - 0x8B, 255 - 0x57, 255], abs=1
        )
        assert colour("opacity(50%)")[3] == pytest.approx(128, abs=1)
        assert colour("brightness(0)")[:3] == [0, 0, 0]
        assert colour("contrast(0)")[:3] == pytest.approx([128, 128, 128], abs=1)
        assert colour("hue-rotate(0.5turn)") == colour("hue-rotate(180deg)")

    def test_drop_shadow_deviation_and_current_colour(self) -> None:
        scene = svgkit.parse(
            svg('<rect width="40" height="40" style="color: blue" filter="drop-shadow(4 5 6)"/>')
        )
        p = scene.filters[0].primitives[0]
        assert p.params["std_dev"] == (6.0, 6.0) and (p.params["dx"], p.params["dy"]) == (4.0, 5.0)
        assert p.params["rgba"] == (0.0, 0.0, 1.0, 1.0)
