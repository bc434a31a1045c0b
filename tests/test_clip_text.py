"""``<text>`` inside ``<clipPath>`` (CSS Masking §6.1): the clip region is the text's ink.

Each test clips a red rectangle with some text and compares the covered pixels with the same
text drawn normally: the two must agree (IoU of the covered pixels) wherever the text has ink.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import svgkit
from svgkit import fonts
from svgkit.errors import SVGKitError
from svgkit.limits import Limits

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
W, H = 200, 100


def _doc(body: str) -> str:
    return f'{SVG}width="{W}" height="{H}" viewBox="0 0 {W} {H}">{body}</svg>'


def _alpha(body: str) -> np.ndarray:
    return svgkit.render(_doc(body), W, H)[..., 3].astype(np.float64) / 255.0


def _clipped(text: str, units: str = "userSpaceOnUse") -> np.ndarray:
    """Coverage of a red rectangle over the whole canvas clipped by ``text``."""
    return _alpha(
        f'<clipPath id="c" clipPathUnits="{units}">{text}</clipPath>'
        f'<rect width="{W}" height="{H}" fill="red" clip-path="url(#c)"/>'
    )


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ma, mb = a > 0.5, b > 0.5
    union = np.logical_or(ma, mb).sum()
    return float(np.logical_and(ma, mb).sum() / union) if union else 1.0


def _assert_same_ink(clipped: np.ndarray, drawn: np.ndarray) -> None:
    assert drawn.sum() > 50.0, "the reference text draws nothing"
    assert _iou(clipped, drawn) > 0.97
    # anti-aliased edges agree too, not only the solid interior
    assert float(np.abs(clipped - drawn).mean()) < 0.01


def test_text_clip_matches_rendered_text() -> None:
    text = '<text x="10" y="75" font-size="72" font-family="sans-serif">Hgé</text>'
    _assert_same_ink(_clipped(text), _alpha(text))


def test_text_clip_no_longer_warns() -> None:
    scene = svgkit.parse(
        _doc(
            '<clipPath id="c"><text x="10" y="75" font-size="72">Hg</text></clipPath>'
            f'<rect width="{W}" height="{H}" fill="red" clip-path="url(#c)"/>'
        )
    )
    assert not [w for w in scene.warnings if "clip" in w.message.lower()]
    clip = scene.clips[-1]
    assert clip.cmd_codes and all(len(c) > 10 for c in clip.cmd_codes)


def test_transform_on_text() -> None:
    text = (
        '<text x="20" y="60" font-size="50" transform="rotate(15 100 50) scale(1.2 0.9)">'
        "Wave</text>"
    )
    _assert_same_ink(_clipped(text), _alpha(text))


def test_transform_on_clip_path_and_element() -> None:
    clip = (
        '<clipPath id="c" transform="translate(30 10)">'
        '<text x="0" y="60" font-size="60">Ok</text></clipPath>'
    )
    clipped = _alpha(
        f'{clip}<g transform="translate(5 5)">'
        f'<rect width="{W}" height="{H}" fill="red" clip-path="url(#c)"/></g>'
    )
    drawn = _alpha('<text x="35" y="75" font-size="60">Ok</text>')
    _assert_same_ink(clipped, drawn)


def test_clip_rule_evenodd_does_not_hollow_overlapping_glyphs() -> None:
    """Glyph outlines are filled nonzero like text (``fill-rule`` does not apply to text):
    glyphs pulled over each other by a negative letter-spacing unite."""
    text = '<text x="10" y="80" font-size="80" letter-spacing="-35" {}>OOO</text>'
    clipped = _clipped(text.format('clip-rule="evenodd"'))
    drawn = _alpha(text.format(""))
    _assert_same_ink(clipped, drawn)


def test_clip_rule_still_applies_to_shapes_beside_text() -> None:
    ring = '<path d="M10 10h80v80h-80z M30 30h40v40h-40z" clip-rule="evenodd"/>'
    clipped = _clipped(f'{ring}<text x="110" y="80" font-size="70">I</text>')
    assert clipped[50, 50] == 0.0  # the evenodd hole of the shape
    assert clipped[15, 15] == 1.0
    drawn = _alpha('<text x="110" y="80" font-size="70">I</text>')
    right = np.s_[:, 100:]
    _assert_same_ink(clipped[right], drawn[right])


def test_object_bounding_box_units() -> None:
    # in bounding-box units the text is stretched with the box (200 × 100 here)
    inner = '<text x="0.05" y="0.75" font-size="0.6">Ab</text>'
    clipped = _clipped(inner, "objectBoundingBox")
    drawn = _alpha(f'<g transform="matrix({W} 0 0 {H} 0 0)">{inner}</g>')
    _assert_same_ink(clipped, drawn)


def test_tspans_letter_spacing_and_positions() -> None:
    text = (
        '<text x="5" y="70" font-size="44" letter-spacing="3" word-spacing="8">A '
        '<tspan dy="-12" font-weight="bold">B</tspan>'
        '<tspan rotate="25" font-family="serif">Cd</tspan>'
        '<tspan x="150" y="90" font-size="30">e</tspan></text>'
    )
    _assert_same_ink(_clipped(text), _alpha(text))


def test_hidden_tspan_is_not_in_the_clip() -> None:
    text = (
        '<text x="5" y="70" font-size="50">AB<tspan visibility="hidden">CD</tspan>'
        '<tspan display="none">XY</tspan>E</text>'
    )
    clipped = _clipped(text)
    _assert_same_ink(clipped, _alpha(text))
    assert clipped[:, 120:].sum() < clipped[:, :120].sum()


def test_decorations_are_part_of_the_clip() -> None:
    text = '<text x="10" y="60" font-size="50" text-decoration="underline line-through">mi</text>'
    _assert_same_ink(_clipped(text), _alpha(text))


def test_use_of_text_inside_clip_path() -> None:
    defs = '<defs><text id="t" x="10" y="70" font-size="64">Use</text></defs>'
    clipped = _alpha(
        f'{defs}<clipPath id="c"><use xlink:href="#t" x="12" y="-6"/></clipPath>'
        f'<rect width="{W}" height="{H}" fill="red" clip-path="url(#c)"/>'
    )
    drawn = _alpha(f'{defs}<use xlink:href="#t" x="12" y="-6"/>')
    _assert_same_ink(clipped, drawn)


def test_text_on_path_inside_clip_path() -> None:
    path = '<defs><path id="p" d="M10 80 Q100 0 190 80"/></defs>'
    text = '<text font-size="30"><textPath xlink:href="#p">Curved line</textPath></text>'
    clipped = _alpha(
        f'{path}<clipPath id="c">{text}</clipPath>'
        f'<rect width="{W}" height="{H}" fill="red" clip-path="url(#c)"/>'
    )
    _assert_same_ink(clipped, _alpha(path + text))


@pytest.mark.parametrize(
    "text",
    [
        '<text x="10" y="50" font-size="40"></text>',
        '<text x="10" y="50" font-size="40">   </text>',
        '<text x="10" y="50" font-size="0">Zero</text>',
        '<text x="10" y="50" font-size="40" display="none">Gone</text>',
        '<text x="10" y="50" font-size="40" visibility="hidden">Gone</text>',
    ],
)
def test_text_without_ink_clips_everything(text: str) -> None:
    assert _clipped(text).max() == 0.0


def test_text_clip_beside_shape_is_a_union() -> None:
    clipped = _clipped(
        '<rect x="150" y="0" width="50" height="100"/><text x="5" y="70" font-size="60">M</text>'
    )
    assert clipped[:, 150:].min() == 1.0
    drawn = _alpha('<text x="5" y="70" font-size="60">M</text>')
    _assert_same_ink(clipped[:, :140], drawn[:, :140])


def test_clip_path_on_the_text_child() -> None:
    # the text's own clip-path (in its user space) cuts its ink: only the left half remains
    clipped = _clipped(
        '<clipPath id="half"><rect width="60" height="100"/></clipPath>'
        '<text x="10" y="75" font-size="72" clip-path="url(#half)">HH</text>'
    )
    drawn = _alpha('<text x="10" y="75" font-size="72">HH</text>')
    assert clipped[:, 61:].max() == 0.0
    _assert_same_ink(clipped[:, :59], drawn[:, :59])


def test_glyph_outlines_count_against_the_path_command_limit() -> None:
    svg = _doc(
        '<clipPath id="c"><text x="0" y="50" font-size="10">'
        + "Outline " * 40
        + f'</text></clipPath><rect width="{W}" height="{H}" clip-path="url(#c)"/>'
    )
    with pytest.raises(SVGKitError):
        svgkit.parse(svg, Limits(max_path_commands=500))


@settings(max_examples=12, deadline=None)
@given(
    st.text(alphabet="AbgkMoQwy?8 ", min_size=1, max_size=8).filter(lambda s: s.strip()),
    st.floats(20.0, 60.0),
    st.floats(-30.0, 30.0),
)
def test_clip_ink_matches_text_ink(chars: str, size: float, angle: float) -> None:
    text = (
        f'<text x="20" y="65" font-size="{size:.2f}" transform="rotate({angle:.2f} 100 50)">'
        f"{chars}</text>"
    )
    drawn = _alpha(text)
    clipped = _clipped(text)
    assert _iou(clipped, drawn) > 0.97
    assert float(np.abs(clipped - drawn).mean()) < 0.01


def test_unshaped_text_clips_to_its_advance_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a font that can shape the text there is no outline: the advance boxes (estimated
    ascent to descent) clip instead, with a warning."""
    monkeypatch.setattr(fonts, "shape_text", lambda text, span: None)
    scene = svgkit.parse(
        _doc(
            '<clipPath id="c"><text x="10" y="70" font-size="50">Hi!</text></clipPath>'
            f'<rect width="{W}" height="{H}" fill="red" clip-path="url(#c)"/>'
        )
    )
    assert any(w.code == "UNSUPPORTED_CLIP" for w in scene.warnings)
    pts = np.concatenate([p.reshape(-1, 2) for p in scene.clips[-1].cmd_points])
    advance = 3 * fonts.ESTIMATED_ADVANCE_EM * 50
    assert pts[:, 0].min() == pytest.approx(10.0)
    assert pts[:, 0].max() == pytest.approx(10.0 + advance)
    assert pts[:, 1].min() == pytest.approx(70.0 - fonts.ESTIMATED_ASCENT_EM * 50)
    assert pts[:, 1].max() == pytest.approx(70.0 + fonts.ESTIMATED_DESCENT_EM * 50)
