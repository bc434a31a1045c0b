"""Compositing and output fidelity: ``mix-blend-mode`` and ``isolation``, the root's CSS
``background-color``, the output mapping's rounding band, negative ``stroke-width`` and pattern
tiles under skew.

Blending is checked against the formulas of CSS Compositing 1 (§5 blend modes, §6 source-over
with blending) evaluated in numpy, on opaque and translucent colours.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import svgkit
from svgkit.errors import SVGKitError
from svgkit.filter_spec import BLEND_MODES
from svgkit.limits import Limits
from svgkit.renderer.draw import output_matrix
from svgkit.renderer.work import estimate_render_work

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"{root}>{body}</svg>'


def render(body: str, root: str = "", size: int = 4, **kw: object) -> np.ndarray:
    return svgkit.render(SVG.format(root=root, body=body), size, size, **kw)  # type: ignore[arg-type]


def rect(fill: str, extra: str = "", opacity: float = 1.0, width: float = 4) -> str:
    return f'<rect width="{width}" height="4" fill="{fill}" fill-opacity="{opacity}" {extra}/>'


# ---------------------------------------------------------------------------------------------
# reference formulas (CSS Compositing 1 §5), colours in [0, 1]
# ---------------------------------------------------------------------------------------------


def _lum(c: np.ndarray) -> float:
    return float(0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2])


def _clip_color(c: np.ndarray) -> np.ndarray:
    lum = _lum(c)
    n, x = float(c.min()), float(c.max())
    if n < 0.0:
        c = lum + (c - lum) * lum / (lum - n)
    if x > 1.0:
        c = lum + (c - lum) * (1.0 - lum) / (x - lum)
    return c


def _set_lum(c: np.ndarray, lum: float) -> np.ndarray:
    return _clip_color(c + (lum - _lum(c)))


def _sat(c: np.ndarray) -> float:
    return float(c.max() - c.min())


def _set_sat(c: np.ndarray, s: float) -> np.ndarray:
    out = np.zeros(3)
    order = np.argsort(c, kind="stable")
    lo, mid, hi = order
    if c[hi] > c[lo]:
        out[mid] = (c[mid] - c[lo]) * s / (c[hi] - c[lo])
        out[hi] = s
    return out


def _soft_light(cb: float, cs: float) -> float:
    if cs <= 0.5:
        return cb - (1 - 2 * cs) * cb * (1 - cb)
    d = ((16 * cb - 12) * cb + 4) * cb if cb <= 0.25 else cb**0.5
    return cb + (2 * cs - 1) * (d - cb)


def _separable(mode: str, cb: float, cs: float) -> float:
    if mode == "multiply":
        return cb * cs
    if mode == "screen":
        return cb + cs - cb * cs
    if mode == "overlay":
        return _separable("hard-light", cs, cb)
    if mode == "darken":
        return min(cb, cs)
    if mode == "lighten":
        return max(cb, cs)
    if mode == "color-dodge":
        if cb == 0:
            return 0.0
        return 1.0 if cs == 1 else min(1.0, cb / (1 - cs))
    if mode == "color-burn":
        if cb == 1:
            return 1.0
        return 0.0 if cs == 0 else 1 - min(1.0, (1 - cb) / cs)
    if mode == "hard-light":
        return cb * 2 * cs if cs <= 0.5 else _separable("screen", cb, 2 * cs - 1)
    if mode == "soft-light":
        return _soft_light(cb, cs)
    if mode == "difference":
        return abs(cb - cs)
    if mode == "exclusion":
        return cb + cs - 2 * cb * cs
    raise AssertionError(mode)


def blend(mode: str, cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    """B(Cb, Cs) of CSS Compositing 1 §5 (non-premultiplied colours)."""
    if mode == "normal":
        return cs
    if mode == "hue":
        return _set_lum(_set_sat(cs, _sat(cb)), _lum(cb))
    if mode == "saturation":
        return _set_lum(_set_sat(cb, _sat(cs)), _lum(cb))
    if mode == "color":
        return _set_lum(cs, _lum(cb))
    if mode == "luminosity":
        return _set_lum(cb, _lum(cs))
    return np.array([_separable(mode, float(b), float(s)) for b, s in zip(cb, cs)])


def composite(mode: str, cb: np.ndarray, ab: float, cs: np.ndarray, a_s: float) -> np.ndarray:
    """Straight RGBA of source-over with blending (CSS Compositing 1 §6.1 with §5.2)."""
    if mode == "plus-lighter":
        premult = np.minimum(1.0, cs * a_s + cb * ab)
        ao = min(1.0, a_s + ab)
    else:
        mixed = (1 - ab) * cs + ab * blend(mode, cb, cs)
        premult = a_s * mixed + (1 - a_s) * ab * cb
        ao = a_s + ab * (1 - a_s)
    return np.append(premult / ao if ao > 0 else premult, ao)


MODES = [*BLEND_MODES[1:], "plus-lighter"]

BACK = np.array([0.2, 0.6, 0.9])
FRONT = np.array([0.9, 0.4, 0.1])


def _css(c: np.ndarray) -> str:
    r, g, b = (round(float(v) * 255) for v in c)
    return f"rgb({r},{g},{b})"


def _blended(mode: str, cb: np.ndarray, ab: float, cs: np.ndarray, a_s: float) -> np.ndarray:
    body = rect(_css(cb), opacity=ab) + rect(
        _css(cs), f'style="mix-blend-mode:{mode}"', opacity=a_s
    )
    return render(body)[2, 2].astype(float) / 255.0


def _expected(mode: str, cb: np.ndarray, ab: float, cs: np.ndarray, a_s: float) -> np.ndarray:
    # the colours as the document states them, rounded to 8 bits as the renderer's input is
    qb = np.round(cb * 255) / 255
    qs = np.round(cs * 255) / 255
    return composite(mode, qb, ab, qs, a_s)


# ---------------------------------------------------------------------------------------------
# mix-blend-mode
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_matches_the_css_formula_on_opaque_colours(mode: str) -> None:
    got = _blended(mode, BACK, 1.0, FRONT, 1.0)
    want = _expected(mode, BACK, 1.0, FRONT, 1.0)
    assert np.abs(got - want).max() <= 3 / 255, (got * 255, want * 255)


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_weights_the_blend_by_both_alphas(mode: str) -> None:
    # translucent source and backdrop: premultiplied source-over with blending
    got = _blended(mode, BACK, 0.6, FRONT, 0.7)
    want = _expected(mode, BACK, 0.6, FRONT, 0.7)
    assert np.abs(got - want).max() <= 4 / 255, (got * 255, want * 255)


colour = st.tuples(*[st.integers(0, 255)] * 3).map(lambda c: np.array(c, dtype=float) / 255)


@settings(max_examples=40, deadline=None)
@given(
    mode=st.sampled_from(MODES),
    cb=colour,
    cs=colour,
    ab=st.sampled_from([0.5, 1.0]),
    a_s=st.sampled_from([0.5, 1.0]),
)
def test_blending_follows_the_spec_for_any_colours(
    mode: str, cb: np.ndarray, cs: np.ndarray, ab: float, a_s: float
) -> None:
    got = _blended(mode, cb, ab, cs, a_s)
    want = _expected(mode, cb, ab, cs, a_s)
    # 8-bit premultiplied intermediates: a few levels, more where a dark colour is unpremultiplied
    assert np.abs(got - want).max() <= 6 / 255, (mode, got * 255, want * 255)


def test_blend_on_a_group_blends_the_group_as_a_whole() -> None:
    # two overlapping children are composited normally first, then multiplied once
    body = (
        rect("rgb(0,0,255)")
        + '<g style="mix-blend-mode:multiply">'
        + rect("rgb(255,0,0)")
        + rect("rgb(255,255,255)", width=2)
        + "</g>"
    )
    img = render(body)
    assert img[2, 3].tolist() == [0, 0, 0, 255]  # red × blue
    assert img[2, 0].tolist() == [0, 0, 255, 255]  # white × blue


def test_the_backdrop_is_the_canvas_through_plain_groups() -> None:
    # a <g> without isolation is no backdrop of its own: the element blends with the rect below
    body = rect("rgb(0,0,255)") + "<g><g>" + rect("rgb(255,0,0)", 'style="mix-blend-mode:screen"')
    img = render(body + "</g></g>")
    assert img[1, 1].tolist() == [255, 0, 255, 255]


@pytest.mark.parametrize(
    "group",
    [
        '<g style="isolation:isolate">',
        '<g opacity="0.999">',
        '<g style="mix-blend-mode:normal; isolation: isolate">',
    ],
)
def test_isolated_groups_hide_the_backdrop(group: str) -> None:
    # inside an isolated group the element blends with the group's (empty) layer only
    body = rect("rgb(0,0,255)") + group + rect("rgb(255,0,0)", 'style="mix-blend-mode:multiply"')
    img = render(body + "</g>")
    assert img[1, 1].tolist()[:3] == [255, 0, 0]


def test_isolation_blends_children_with_each_other() -> None:
    body = (
        rect("rgb(0,0,255)")
        + '<g style="isolation:isolate">'
        + rect("rgb(0,255,0)")
        + rect("rgb(255,0,0)", 'style="mix-blend-mode:screen"')
        + "</g>"
    )
    assert render(body)[1, 1].tolist() == [255, 255, 0, 255]


@pytest.mark.parametrize(
    "extra",
    ['mix-blend-mode="multiply"', 'style="mix-blend-mode:bogus"', 'style="mix-blend-mode:"'],
)
def test_attribute_and_invalid_values_are_normal(extra: str) -> None:
    # mix-blend-mode is a CSS property only (as in browsers); an invalid value is ignored
    img = render(rect("rgb(0,0,255)") + rect("rgb(255,0,0)", extra))
    assert img[1, 1].tolist() == [255, 0, 0, 255]


def test_isolation_attribute_is_not_a_presentation_attribute() -> None:
    body = rect("rgb(0,0,255)") + '<g isolation="isolate">'
    body += rect("rgb(255,0,0)", 'style="mix-blend-mode:multiply"') + "</g>"
    assert render(body)[1, 1].tolist() == [0, 0, 0, 255]


def test_blending_from_a_stylesheet() -> None:
    body = "<style>.m { mix-blend-mode: difference }</style>"
    body += rect("rgb(255,255,255)") + rect("rgb(255,0,0)", 'class="m"')
    assert render(body)[1, 1].tolist() == [0, 255, 255, 255]


@pytest.mark.parametrize(
    "element",
    [
        '<filter id="f"><feOffset dx="0"/></filter>'
        + rect("rgb(255,0,0)", 'filter="url(#f)" style="mix-blend-mode:multiply"'),
        '<mask id="m"><rect width="4" height="4" fill="white"/></mask>'
        + rect("rgb(255,0,0)", 'mask="url(#m)" style="mix-blend-mode:multiply"'),
        '<defs><rect id="r" width="4" height="4" fill="red"/></defs>'
        '<use href="#r" style="mix-blend-mode:multiply"/>',
        '<svg width="4" height="4" style="mix-blend-mode:multiply">' + rect("red") + "</svg>",
        '<text x="-8" y="30" font-size="40" fill="red" style="mix-blend-mode:multiply">M</text>',
    ],
)
def test_blend_with_effects_and_other_elements(element: str) -> None:
    img = render(rect("rgb(0,0,255)") + element)
    assert img[2, 2].tolist() == [0, 0, 0, 255]


def test_blend_on_an_image() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (2, 2), (255, 0, 0, 255)).save(buf, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    body = f'<image width="4" height="4" href="{uri}" style="mix-blend-mode:multiply"/>'
    assert render(rect("rgb(0,0,255)") + body)[2, 2].tolist() == [0, 0, 0, 255]


def test_blend_with_opacity_and_clip_on_the_element() -> None:
    # the element's opacity and (union) clip apply before it is blended
    clip = '<clipPath id="c"><rect width="2" height="4"/><rect width="1" height="4"/></clipPath>'
    body = clip + rect("rgb(0,0,255)")
    body += rect(
        "rgb(255,255,255)", 'clip-path="url(#c)" opacity="0.5" style="mix-blend-mode:difference"'
    )
    img = render(body)
    assert np.abs(img[1, 0].astype(int) - [128, 128, 127, 255]).max() <= 2
    assert img[1, 3].tolist() == [0, 0, 255, 255]


def test_the_caller_background_is_not_a_backdrop() -> None:
    # the picture is composited over `background`: red multiplied onto nothing stays red
    img = render(rect("rgb(255,0,0)", 'style="mix-blend-mode:multiply"'), background="blue")
    assert img[1, 1].tolist() == [255, 0, 0, 255]
    half = render(rect("rgb(255,0,0)", 'style="mix-blend-mode:multiply"', 0.5), background="blue")
    assert np.abs(half[1, 1].astype(int) - [128, 0, 127, 255]).max() <= 1


def test_blend_layers_are_counted_as_layers() -> None:
    body = rect("rgb(0,0,255)") + rect("red", 'style="mix-blend-mode:multiply"')
    scene = svgkit.parse(SVG.format(root="", body=body))
    plain = svgkit.parse(SVG.format(root="", body=rect("rgb(0,0,255)") + rect("red")))
    t = output_matrix(scene.canvas, 64, 64)
    assert estimate_render_work(plain, 64, 64, t).layer_bytes == 0
    assert estimate_render_work(scene, 64, 64, t).layer_bytes >= 4 * 64 * 64
    with pytest.raises(SVGKitError) as err:
        svgkit.render(scene, 64, 64, limits=Limits(max_layer_bytes=1000))
    assert "max_layer_bytes" in str(err.value)


def test_blend_around_a_filter_counts_its_outer_layer() -> None:
    body = '<filter id="f"><feOffset dx="1"/></filter>'
    plain = svgkit.parse(SVG.format(root="", body=body + rect("red", 'filter="url(#f)"')))
    blended = svgkit.parse(
        SVG.format(
            root="", body=body + rect("red", 'filter="url(#f)" style="mix-blend-mode:screen"')
        )
    )
    t = output_matrix(plain.canvas, 32, 32)
    extra = (
        estimate_render_work(blended, 32, 32, t).layer_bytes
        - estimate_render_work(plain, 32, 32, t).layer_bytes
    )
    assert extra == 4 * 32 * 32


# ---------------------------------------------------------------------------------------------
# root background-color
# ---------------------------------------------------------------------------------------------


def test_root_background_covers_the_whole_output() -> None:
    # a 2:1 request of a square document: the letter-box bands get the background too
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" '
        'style="background-color: #0000ff80">' + rect("green") + "</svg>"
    )
    img = svgkit.render(svg, 8, 4)
    assert np.abs(img[2, 0].astype(int) - [0, 0, 255, 128]).max() <= 1
    assert img[2, 4].tolist() == [0, 128, 0, 255]


def test_root_background_lies_under_root_opacity_free_content() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" opacity="0.5" '
        'style="background-color: blue"><rect width="2" height="4" fill="red"/></svg>'
    )
    img = svgkit.render(svg, 4, 4)
    assert img[1, 3].tolist() == [0, 0, 255, 255]  # the root's opacity does not fade it
    assert np.abs(img[1, 0].astype(int) - [128, 0, 127, 255]).max() <= 1


def test_root_background_from_a_stylesheet_and_current_color() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" style="color: lime">'
        "<style>svg { background-color: currentColor }</style></svg>"
    )
    assert svgkit.render(svg, 2, 2)[0, 0].tolist() == [0, 255, 0, 255]


def test_root_background_is_a_backdrop_for_blending() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" '
        'style="background-color: rgb(0,0,255)">'
        + rect("rgb(255,0,0)", 'style="mix-blend-mode:screen"')
        + "</svg>"
    )
    assert svgkit.render(svg, 2, 2)[0, 0].tolist() == [255, 0, 255, 255]


def test_background_color_attribute_is_ignored_with_a_warning() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" background-color="red"></svg>'
    )
    scene = svgkit.parse(svg)
    assert scene.groups[0].background is None
    assert any("background-color" in w.message for w in scene.warnings)
    assert svgkit.render(scene, 2, 2)[0, 0].tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("value", ["transparent", "nonsense", "rgb(0 0 0 / 0)"])
def test_transparent_or_invalid_background_paints_nothing(value: str) -> None:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" '
        f'style="background-color: {value}"></svg>'
    )
    assert svgkit.render(svg, 2, 2)[0, 0].tolist() == [0, 0, 0, 0]


def test_nested_svg_background_is_not_painted() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
        '<svg width="2" height="2" style="background-color: red"/></svg>'
    )
    assert svgkit.render(svg, 4, 4)[0, 0].tolist() == [0, 0, 0, 0]


# ---------------------------------------------------------------------------------------------
# output mapping
# ---------------------------------------------------------------------------------------------


def _full(width: str, height: str, w: int, h: int) -> np.ndarray:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        '<rect width="100%" height="100%" fill="black"/></svg>'
    )
    return svgkit.render(svg, w, h)


@pytest.mark.parametrize(
    ("width", "height", "w", "h"),
    [("100", "33.3", 300, 100), ("33.3", "100", 100, 300), ("64.4", "48.2", 64, 48)],
)
def test_rounding_only_mismatch_fills_the_canvas(width: str, height: str, w: int, h: int) -> None:
    img = _full(width, height, w, h)
    assert int(img[..., 3].min()) == 255  # no half-transparent band


@settings(max_examples=30, deadline=None)
@given(w=st.integers(2, 300), ratio=st.floats(0.2, 5.0))
def test_a_size_rounded_from_the_aspect_ratio_is_filled(w: int, ratio: float) -> None:
    h = max(1, round(w / ratio))
    if abs(h - w / ratio) >= 0.999:
        return
    img = _full(f"{ratio * 10:.9f}", "10", w, h)
    assert int(img[..., 3].min()) == 255


def test_a_real_mismatch_is_still_letter_boxed() -> None:
    img = _full("100", "50", 300, 100)
    assert img[50, 10, 3] == 0 and img[50, 150, 3] == 255
    t = output_matrix(svgkit.parse(SVG.format(root="", body="")).canvas, 8, 6)
    assert t == (1.5, 0.0, 0.0, 1.5, 1.0, 0.0)


# ---------------------------------------------------------------------------------------------
# negative stroke-width
# ---------------------------------------------------------------------------------------------


def test_negative_stroke_width_keeps_the_inherited_width() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        '<g stroke-width="4"><path d="M10 0V20" stroke="black" stroke-width="-1"/></g>'
        '<path d="M2 0V20" stroke="black" stroke-width="-3"/></svg>'
    )
    scene = svgkit.parse(svg)
    assert scene.stroke_width.tolist() == [4.0, 1.0]
    assert sum("negative" in w.message for w in scene.warnings) == 2
    img = svgkit.render(scene, 20, 20)
    assert img[10, 8:12, 3].tolist() == [255] * 4 and img[10, 7, 3] == 0
    assert img[10, 1, 3] == 128 and img[10, 2, 3] == 128


# ---------------------------------------------------------------------------------------------
# patterns under skew
# ---------------------------------------------------------------------------------------------

_TILE = '<rect width="3.6" height="6" fill="black"/><circle cx="4.2" cy="3" r="1.2" fill="red"/>'


def _pattern(tf: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
        f'<pattern id="p" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="{tf}">{_TILE}</pattern>'
        '<rect width="64" height="64" fill="url(#p)"/></svg>'
    )


def _explicit(tf: str) -> str:
    """The same picture with every tile written out (no pattern code involved)."""
    tiles = "".join(
        f'<g transform="translate({i * 6} {j * 6})">{_TILE}</g>'
        for i in range(-45, 15)
        for j in range(-2, 13)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
        f'<g transform="{tf}">{tiles}</g></svg>'
    )


def _premultiplied(img: np.ndarray) -> np.ndarray:
    out = img.astype(float)
    out[..., :3] *= out[..., 3:] / 255.0
    return out


@pytest.mark.parametrize("tf", ["skewX(60)", "skewX(75)"])
def test_skewed_pattern_matches_a_supersampled_reference(tf: str) -> None:
    ours = _premultiplied(svgkit.render(_pattern(tf), 64, 64))
    ref = _premultiplied(svgkit.render(_explicit(tf), 256, 256))
    ref = ref.reshape(64, 4, 64, 4, 4).mean(axis=(1, 3))
    # before the lattice was measured across its lines, skewX(75) fell back to the tile's
    # mean colour (mean error ~20 levels): the stripes must survive
    assert np.abs(ours - ref).mean() < 8.0
    assert ours[..., 3].std() > 25  # the mean colour would be flat


def test_lattice_finer_than_a_pixel_across_its_lines_is_averaged() -> None:
    # tile edges are 2 px and more long, but the skew packs 2 stripes into each pixel row:
    # the pattern is its mean along that direction, without moiré
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
        '<pattern id="p" width="2" height="2" patternUnits="userSpaceOnUse" '
        'patternTransform="matrix(1 0 4 1 0 0)"><rect width="1" height="2"/></pattern>'
        '<rect width="64" height="64" fill="url(#p)"/></svg>'
    )
    alpha = svgkit.render(svg, 64, 64)[..., 3].astype(int)
    assert np.abs(alpha - 128).max() <= 2  # sampled as tiles, it showed moiré of ±4
