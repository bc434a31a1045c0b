"""Degenerate paint servers and repeated clips (issue 11): a near-singular ``gradientTransform``,
pattern tiles far under a pixel and hundreds of references to one ``clipPath`` render pixels with
a bounded cost, never a ``RENDER_MEMORY`` error.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator

import cairo
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import svgkit
from svgkit import render
from svgkit.renderer import layers
from svgkit.renderer.draw import draw_scene, output_matrix
from svgkit.renderer.state import MaskCache, RenderState, prepare_points

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
RED, BLUE = (255, 0, 0), (0, 0, 255)


def gradient(kind: str, transform: str, spread: str = "pad") -> str:
    return (
        f'{SVG}<{kind} id="g" gradientTransform="{transform}" spreadMethod="{spread}">'
        '<stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/>'
        f'</{kind}><rect width="64" height="64" fill="url(#g)"/></svg>'
    )


def pattern(transform: str, content: str, size: float = 10.0, extra: str = "") -> str:
    return (
        f'{SVG}<pattern id="p" width="{size}" height="{size}" patternUnits="userSpaceOnUse" '
        f'patternTransform="{transform}"{extra}>{content}</pattern>'
        '<rect width="64" height="64" fill="url(#p)"/></svg>'
    )


#: The issue's 224-byte document, as reported: a gradient scaled by 1e-7 rendered at 64 × 64.
ISSUE_GRADIENT = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><linearGradient id="g" '
    'gradientTransform="scale(1e-7)"><stop offset="0" stop-color="red"/><stop offset="1" '
    'stop-color="blue"/></linearGradient><rect width="64" height="64" fill="url(#g)"/></svg>'
)
HALVES = '<rect width="5" height="10" fill="red"/><rect x="5" width="5" height="10" fill="blue"/>'
OPAQUE = '<rect width="10" height="10" fill="rgb(200,40,60)"/>'

DEGENERATE = [
    ISSUE_GRADIENT,
    gradient("linearGradient", "scale(1e-7)", "repeat"),
    gradient("linearGradient", "scale(1e-7)", "reflect"),
    gradient("linearGradient", "scale(1 1e-7)"),
    gradient("linearGradient", "matrix(1 1 1 1.000000001 0 0)", "reflect"),
    gradient("radialGradient", "scale(1e-7)"),
    gradient("radialGradient", "scale(1e-7)", "repeat"),
    gradient("radialGradient", "scale(1e-9 1)"),
    gradient("radialGradient", "matrix(1 1 1 1.000000001 0 0)"),
    pattern("scale(3e-6)", OPAQUE),  # tiles of 3e-5 px
    pattern("scale(1e-9)", HALVES),
    pattern("scale(1e-7 1)", HALVES),
    pattern("matrix(1 1 1 1.000001 0 0)", OPAQUE),
    pattern("translate(100000 100000)", OPAQUE),
]


class TestDegeneratePaintServers:
    @pytest.mark.parametrize("svg", DEGENERATE)
    def test_render_returns_pixels(self, svg: str) -> None:
        img = render(svg, 64, 64)
        assert img.shape == (64, 64, 4)
        assert img[..., 3].min() > 0  # every one of these paints the whole rect

    def test_render_many_returns_pixels(self) -> None:
        out = svgkit.render_many(DEGENERATE, 64, 64, workers=1)
        for svg, img in zip(DEGENERATE, out):
            assert isinstance(img, np.ndarray), (svg, img)
            assert np.array_equal(img, render(svg, 64, 64))

    def test_padded_linear_gradient_is_a_step(self) -> None:
        img = render(ISSUE_GRADIENT, 64, 64)
        # t reaches 1 within 64e-7 px of the left edge: the rest is the last stop
        assert (img[:, 1:, :3] == BLUE).all()

    def test_padded_radial_gradient_is_its_outer_colour(self) -> None:
        img = render(gradient("radialGradient", "scale(1e-7)"), 64, 64)
        assert (img[..., :3] == BLUE).all()

    @pytest.mark.parametrize("kind", ["linearGradient", "radialGradient"])
    @pytest.mark.parametrize("spread", ["repeat", "reflect"])
    def test_subpixel_cycles_paint_the_mean_colour(self, kind: str, spread: str) -> None:
        img = render(gradient(kind, "scale(1e-7)", spread), 64, 64)
        # red → blue interpolated straight: the mean is (127.5, 0, 127.5), opaque
        assert np.abs(img.astype(int) - (128, 0, 128, 255)).max() <= 1

    def test_singular_gradient_transform_paints_nothing(self) -> None:
        img = render(gradient("linearGradient", "scale(0)"), 64, 64)
        assert not img.any()

    def test_conditioned_radial_gradient_matches_cairo_where_both_work(self) -> None:
        # the same gradient, once within pixman's range and once translated far out of it
        near = (
            f'{SVG}<radialGradient id="g" gradientUnits="userSpaceOnUse" cx="32" cy="64" r="20" '
            'gradientTransform="scale(1 0.5)"><stop offset="0" stop-color="red"/>'
            '<stop offset="1" stop-color="blue"/></radialGradient>'
            '<rect width="64" height="64" fill="url(#g)"/></svg>'
        )
        far = near.replace(
            'cx="32" cy="64" r="20" gradientTransform="scale(1 0.5)"',
            'cx="1000032" cy="64" r="20" gradientTransform="translate(-1000000 0) scale(1 0.5)"',
        )
        a, b = render(near, 64, 64), render(far, 64, 64)
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 2


class TestTinyPatternTiles:
    @pytest.mark.parametrize("scale", [1e-9, 3e-6, 1e-4, 1e-3, 0.016, 0.05])
    def test_opaque_tile_under_a_pixel_paints_its_colour(self, scale: float) -> None:
        img = render(pattern(f"scale({scale})", OPAQUE), 64, 64)
        assert np.abs(img.astype(int) - (200, 40, 60, 255)).max() <= 1

    @pytest.mark.parametrize("scale", [1e-7, 1e-3, 0.05])
    def test_tile_under_a_pixel_paints_its_mean_colour(self, scale: float) -> None:
        # half red, half blue: premultiplied mean (127.5, 0, 127.5, 255)
        img = render(pattern(f"scale({scale})", HALVES), 64, 64)
        assert np.abs(img.astype(int) - (128, 0, 128, 255)).max() <= 1
        # a quarter covered: mean alpha 1/4, colour red
        quarter = render(
            pattern(f"scale({scale})", '<rect width="5" height="5" fill="red"/>'), 8, 8
        )
        assert np.abs(quarter.astype(int) - (255, 0, 0, 64)).max() <= 1

    def test_tile_thin_along_one_edge_is_averaged_along_it(self) -> None:
        across = render(pattern("scale(1e-6 1)", HALVES), 64, 64)  # red|blue columns, squeezed
        assert np.abs(across.astype(int) - (128, 0, 128, 255)).max() <= 1
        stripes = '<rect width="10" height="5" fill="red"/><rect y="5" width="10" height="5" fill="blue"/>'
        along = render(pattern("scale(1e-6 1)", stripes), 64, 64)  # rows stay 5 px stripes
        assert (along[1:4, :, :3] == RED).all() and (along[6:9, :, :3] == BLUE).all()
        assert (along[..., 3] == 255).all()

    def test_far_translated_tile_is_drawn(self) -> None:
        img = render(pattern("translate(100000 100000)", OPAQUE), 64, 64)
        assert np.array_equal(img, render(pattern("", OPAQUE), 64, 64))

    def test_tile_surfaces_stay_small(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from svgkit.renderer import effects

        sizes: list[tuple[int, int]] = []
        real = effects._draw_tile

        def spy(st_: RenderState, pat: object, tw: int, th: int, kx: float, ky: float) -> object:
            sizes.append((tw, th))
            return real(st_, pat, tw, th, kx, ky)

        monkeypatch.setattr(effects, "_draw_tile", spy)
        for scale in ("1e-9", "3e-6", "1e-7 1", "1 1e-9", "1e-300 1e-300"):
            render(pattern(f"scale({scale})", HALVES), 64, 64)
        # 16 px across each edge under a pixel; 10 px (the tile at scale 1) otherwise
        assert sizes and all(w <= 16 and h <= 16 for w, h in sizes), sizes


@given(
    exponent=st.floats(min_value=-9.0, max_value=3.0),
    rgb=st.tuples(*[st.integers(0, 255)] * 3),
    size=st.sampled_from([1.0, 10.0, 64.0]),
)
def test_pattern_scale_never_errors_and_keeps_the_tile_colour(
    exponent: float, rgb: tuple[int, int, int], size: float
) -> None:
    """A solid opaque rect covering its cell, at any scale from 1e-9 to 1e3: pixels, and the
    mean colour of what is painted is the tile's colour."""
    scale = 10.0**exponent
    fill = "rgb({},{},{})".format(*rgb)
    content = f'<rect width="{size}" height="{size}" fill="{fill}"/>'
    img = render(pattern(f"scale({scale!r})", content, size=size), 32, 32)
    a = img[..., 3].astype(np.float64) / 255.0
    assert a.mean() > 0.5  # over 1.5 px a tile keeps resvg's rounded period (gaps ≤ ¼ per axis)
    if size * scale < 1.0:
        assert (img[..., 3] == 255).all()  # under a pixel: the mean colour, opaque
    premultiplied = (img[..., :3].astype(np.float64) * a[..., None]).sum(axis=(0, 1))
    mean = premultiplied / a.sum()
    assert np.abs(mean - np.asarray(rgb)).max() <= 2.0


@given(
    exponent=st.floats(min_value=-9.0, max_value=3.0),
    kind=st.sampled_from(["linearGradient", "radialGradient"]),
    spread=st.sampled_from(["pad", "repeat", "reflect"]),
    aspect=st.sampled_from([1.0, 1e-6, 1e6]),
)
def test_gradient_scale_never_errors_and_stays_opaque(
    exponent: float, kind: str, spread: str, aspect: float
) -> None:
    scale = 10.0**exponent
    img = render(gradient(kind, f"scale({scale!r} {scale * aspect!r})", spread), 32, 32)
    assert (img[..., 3] == 255).all()  # opaque stops paint every pixel, at any scale


# ---------------------------------------------------------------------------------------------
# clip masks: one per distinct clip, not one per reference
# ---------------------------------------------------------------------------------------------

CLIP = (
    '<clipPath id="c"><circle cx="30" cy="30" r="20"/><circle cx="60" cy="60" r="25"/></clipPath>'
)


def clip_refs(n: int, clip: str = CLIP, op_every: int = 0) -> str:
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs>', clip]
    parts.append("</defs>")
    for i in range(n):
        op = ' opacity="0.5"' if op_every and i % op_every == 0 else ""
        parts.append(
            f'<rect x="{(i * 7) % 90 - 20}" y="{(i * 13) % 90 - 20}" width="40" height="40" '
            f'fill="#{(i * 37) % 256:02x}{(i * 91) % 256:02x}40" clip-path="url(#c)"{op}/>'
        )
    return "".join(parts) + "</svg>"


def _state(svg: str, size: int) -> tuple[RenderState, cairo.ImageSurface]:
    scene = svgkit.parse(svg)
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, size, size)
    t = output_matrix(scene.canvas, size, size)
    st_ = RenderState(
        scene, cairo.Context(surface), size, size, t, *prepare_points(scene, t), 1 << 24, draw_scene
    )
    return st_, surface


@pytest.fixture
def full_size_masks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The renderer as it was: a mask of the whole output for every reference."""
    monkeypatch.setattr(layers, "clip_box", lambda st_, k, depth=0: (0, 0, st_.width, st_.height))
    monkeypatch.setattr(MaskCache.__init__, "__defaults__", (0,))
    monkeypatch.setattr(layers, "clip_key", lambda st_, k, depth=0: (k, depth))
    yield


class TestSharedClipMasks:
    def test_references_to_one_clip_share_one_mask(self) -> None:
        st_, _ = _state(clip_refs(200), 256)
        assert len(st_.scene.clips) == 200  # the builder resolves the clip per reference
        draw_scene(st_)
        assert len(st_.mask_cache) == 1

    def test_opacity_and_distinct_geometry_get_their_own_masks(self) -> None:
        two = (
            CLIP
            + '<clipPath id="d"><rect width="50" height="50"/><rect x="40" y="40" width="9" height="9"/></clipPath>'
        )
        svg = clip_refs(40, two, op_every=4).replace(
            'clip-path="url(#c)" opacity', 'clip-path="url(#d)" opacity'
        )
        st_, _ = _state(svg, 128)
        draw_scene(st_)
        assert len(st_.mask_cache) == 2

    @pytest.mark.parametrize("op_every", [0, 3])
    def test_pixels_equal_a_full_size_mask_per_reference(
        self, op_every: int, request: pytest.FixtureRequest
    ) -> None:
        svg = clip_refs(200, op_every=op_every)
        shared = render(svg, 300, 300)
        request.getfixturevalue("full_size_masks")
        assert np.array_equal(shared, render(svg, 300, 300))

    def test_pixels_survive_evicting_every_mask(self, monkeypatch: pytest.MonkeyPatch) -> None:
        nested = (
            '<clipPath id="n"><rect x="5" y="5" width="80" height="70"/><circle cx="50" cy="90" r="9"/>'
            '</clipPath><clipPath id="c" clip-path="url(#n)"><circle cx="30" cy="30" r="20"/>'
            '<circle cx="60" cy="60" r="25"/></clipPath>'
        )
        svg = clip_refs(60, nested, op_every=5)
        cached = render(svg, 200, 200)
        monkeypatch.setattr(MaskCache.__init__, "__defaults__", (0,))
        assert np.array_equal(cached, render(svg, 200, 200))

    def test_mask_cache_is_bounded(self) -> None:
        cache = MaskCache(limit=3 * 64 * 64)
        for k in range(10):
            cache.put(k, layers.ClipMask(cairo.ImageSurface(cairo.FORMAT_A8, 64, 64), 0, 0))
        assert len(cache) == 3 and cache.nbytes == 3 * 64 * 64
        assert cache.get(0) == (False, None) and cache.get(9)[0]

    def test_peak_memory_does_not_grow_with_references(self) -> None:
        if not sys.platform.startswith("linux"):
            pytest.skip("reads VmHWM from /proc")
        code = textwrap.dedent(
            f"""
            import svgkit
            def kib(field):
                for line in open("/proc/self/status"):
                    if line.startswith(field):
                        return int(line.split()[1])
            scene = svgkit.parse({clip_refs(200)!r})
            svgkit.render(scene, 32, 32)
            before = kib("VmRSS")
            svgkit.render(scene, 1024, 1024)
            print(kib("VmHWM") - before)
            """
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        growth_mib = int(out.stdout.split()[-1]) / 1024
        # 200 output-size A8 masks were 200 MiB; the picture and its RGBA copy are 8 MiB
        assert growth_mib < 40, growth_mib
