"""SVG 2 §11 text layout: coordinate lists, white space, spacing, textLength, decorations and
textPath (svgkit.text_layout with the builder in svgkit.build.text)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import svgkit
from svgkit import fonts
from svgkit.scene import PrimitiveKind, TextRun
from svgkit.text_layout import CharPositions, PathGeometry, Segment, bidi_levels, layout_text

SANS = ("sans-serif",)
needs_fonts = pytest.mark.skipif(
    fonts.resolve_font(SANS)[1] is None or not fonts.shaping_available(),
    reason="no font file or no HarfBuzz on this machine",
)
SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '


def _scene(body: str, size: str = 'width="200" height="100"') -> svgkit.Scene:
    return svgkit.parse(f"{SVG}{size}>{body}</svg>")


def _runs(body: str) -> list[TextRun]:
    scene = _scene(body)
    return [scene.texts[k] for k in sorted(scene.texts)]


def _glyph_xs(runs: list[TextRun]) -> list[float]:
    return [g.x for r in runs for g in r.glyphs]


# -- per-character positions ------------------------------------------------------------------


@needs_fonts
def test_an_x_list_places_each_character_and_starts_a_chunk_at_each() -> None:
    (run,) = _runs('<text x="10 40 90" y="50" font-size="20">abc</text>')
    assert _glyph_xs([run]) == pytest.approx([10.0, 40.0, 90.0])
    assert run.x == pytest.approx(10.0)


@needs_fonts
def test_nested_tspans_take_the_ancestor_list_entries_they_do_not_override() -> None:
    runs = _runs(
        '<text x="10 30 50 70" y="50" font-size="20">a<tspan>b<tspan x="150">c</tspan></tspan>'
        "d</text>"
    )
    # b gets the text's 2nd value, c its own, d the text's 4th
    assert _glyph_xs(runs) == pytest.approx([10.0, 30.0, 150.0, 70.0])


@needs_fonts
def test_dy_accumulates_and_moves_following_characters_too() -> None:
    (run,) = _runs('<text x="10" y="50" dy="0 5 5" font-size="20">abcd</text>')
    ys = [run.y + g.y for g in run.glyphs]
    assert ys == pytest.approx([50.0, 55.0, 60.0, 60.0])


@needs_fonts
def test_the_last_rotate_value_repeats_and_a_child_overrides_it() -> None:
    runs = _runs(
        '<text x="10" y="50" rotate="10 20" font-size="20">abc<tspan rotate="-5">de</tspan></text>'
    )
    assert [g.rotate for r in runs for g in r.glyphs] == [10.0, 20.0, 20.0, -5.0, -5.0]


@needs_fonts
def test_a_grapheme_moves_as_one_with_the_values_of_its_first_character() -> None:
    # "й" as и + combining breve: the second y value is consumed but ignored
    (run,) = _runs('<text x="20" y="50 90" font-size="30">\u0438\u0306</text>')
    assert all(run.y + g.y < 60 for g in run.glyphs)


@needs_fonts
def test_rotated_glyphs_are_drawn_rotated() -> None:
    body = '<text x="40" y="60" font-size="40" rotate="{}">I</text>'
    upright = svgkit.render(f'{SVG}width="100" height="100">{body.format(0)}</svg>', 100, 100)
    turned = svgkit.render(f'{SVG}width="100" height="100">{body.format(90)}</svg>', 100, 100)

    def extent(img: np.ndarray) -> tuple[int, int]:
        rows, cols = np.nonzero(img[..., 3] > 0)
        return int(np.ptp(cols)), int(np.ptp(rows))

    w0, h0 = extent(upright)
    w1, h1 = extent(turned)
    assert h0 > 2 * w0 and w1 > 2 * h1  # a tall I becomes a wide one


@needs_fonts
@settings(max_examples=15, deadline=None)
@given(angle=st.floats(-180, 180), size=st.integers(10, 30))
def test_rotated_ink_stays_inside_the_box_geometry_reads(angle: float, size: int) -> None:
    svg = (
        f'{SVG}width="160" height="100"><text x="30" y="60" font-size="{size}" '
        f'rotate="{angle}">Wave</text></svg>'
    )
    scene = svgkit.parse(svg)
    (run,) = scene.texts.values()
    ink = svgkit.render(svg, 160, 100)[..., 3] > 0
    rows, cols = np.nonzero(ink)
    x0, y0, x1, y1 = run.bbox
    slack = 0.15 * size + 1.0
    assert cols.min() >= x0 - slack and cols.max() + 1 <= x1 + slack
    assert rows.min() >= y0 - slack and rows.max() + 1 <= y1 + slack


# -- white space ------------------------------------------------------------------------------


@needs_fonts
def test_default_white_space_collapses_and_trims_preserve_keeps_every_space() -> None:
    (plain,) = _runs('<text x="0" y="50">\n   a  \t b\n  </text>')
    (kept,) = _runs('<text x="0" y="50" xml:space="preserve">a  \tb</text>')
    assert plain.text == "a b"
    assert kept.text == "a   b"


@needs_fonts
def test_xml_space_is_inherited_and_can_change_in_a_tspan() -> None:
    runs = _runs(
        '<text x="0" y="50" xml:space="preserve">a  <tspan xml:space="default">b   c</tspan></text>'
    )
    assert "".join(r.text for r in runs) == "a  b c"


# -- spacing and textLength -------------------------------------------------------------------


@needs_fonts
@pytest.mark.parametrize("value,px", [("4", 4.0), ("0.25em", 5.0), ("-2", -2.0), ("1mm", 3.7795)])
def test_letter_spacing_is_added_between_characters(value: str, px: float) -> None:
    (plain,) = _runs('<text x="0" y="50" font-size="20">abcd</text>')
    (spaced,) = _runs(f'<text x="0" y="50" font-size="20" letter-spacing="{value}">abcd</text>')
    gaps = np.diff(_glyph_xs([spaced])) - np.diff(_glyph_xs([plain]))
    assert gaps == pytest.approx([px] * 3, abs=1e-3)


@needs_fonts
def test_word_spacing_is_added_after_spaces_only() -> None:
    (plain,) = _runs('<text x="0" y="50" font-size="20">ab cd</text>')
    (spaced,) = _runs('<text x="0" y="50" font-size="20" word-spacing="10">ab cd</text>')
    shift = np.array(_glyph_xs([spaced])) - np.array(_glyph_xs([plain]))
    assert shift == pytest.approx([0, 0, 0, 10, 10])


@needs_fonts
def test_text_length_spacing_stretches_the_gaps_to_the_length() -> None:
    (run,) = _runs('<text x="20" y="50" font-size="20" textLength="150">Text</text>')
    assert run.x == pytest.approx(20.0)
    assert run.advance == pytest.approx(150.0)
    assert all(g.scale == 1.0 for g in run.glyphs)


@needs_fonts
def test_spacing_and_glyphs_scales_the_glyphs_horizontally() -> None:
    (plain,) = _runs('<text x="20" y="50" font-size="20">Text</text>')
    (run,) = _runs(
        '<text x="20" y="50" font-size="20" textLength="150" lengthAdjust="spacingAndGlyphs">'
        "Text</text>"
    )
    factor = 150.0 / plain.advance
    assert run.advance == pytest.approx(150.0)
    assert [g.scale for g in run.glyphs] == pytest.approx([factor] * 4)
    wide = svgkit.render(
        f'{SVG}width="200" height="100"><text x="20" y="50" font-size="20" '
        'textLength="150" lengthAdjust="spacingAndGlyphs">Text</text></svg>',
        200,
        100,
    )
    cols = np.nonzero(wide[..., 3].any(axis=0))[0]
    assert cols.max() - cols.min() > 0.9 * 150


@needs_fonts
def test_text_length_on_a_tspan_moves_the_text_after_it() -> None:
    runs = _runs('<text x="10" y="50" font-size="20">a<tspan textLength="100">bc</tspan>d</text>')
    plain = _runs('<text x="10" y="50" font-size="20">a<tspan>bc</tspan>d</text>')
    bc = runs[1]
    assert bc.x + bc.advance == pytest.approx(bc.x + 100.0)
    # the two characters of "bc" span 100 units; the gap step follows "c" as well
    (b, c) = bc.glyphs
    step = (c.x - b.x) - (plain[1].glyphs[1].x - plain[1].glyphs[0].x)
    assert runs[2].x == pytest.approx(plain[2].x + 2 * step)


@needs_fonts
def test_anchor_end_uses_the_spaced_extent() -> None:
    (run,) = _runs(
        '<text x="190" y="50" font-size="20" letter-spacing="5" text-anchor="end">abc</text>'
    )
    assert run.x + run.advance == pytest.approx(190.0)


# -- decorations ------------------------------------------------------------------------------


@needs_fonts
def test_decorations_are_paths_in_the_declaring_elements_paint_and_order() -> None:
    scene = _scene(
        '<text x="10" y="50" font-size="30" fill="blue" text-decoration="underline '
        'line-through">a<tspan fill="red">b</tspan></text>'
    )
    kinds = [int(k) for k in scene.kind]
    assert kinds == [PrimitiveKind.PATH, PrimitiveKind.TEXT, PrimitiveKind.TEXT, PrimitiveKind.PATH]
    under, strike = 0, 3
    # both lines span both runs and take the text's blue, not the tspan's red
    for i in (under, strike):
        assert tuple(scene.fill_rgba[i][:3]) == pytest.approx((0.0, 0.0, 1.0), abs=1e-6)
    img = svgkit.render(
        f'{SVG}width="200" height="100"><text x="10" y="50" font-size="30" fill="blue" '
        'text-decoration="underline">a<tspan fill="red">b</tspan></text></svg>',
        200,
        100,
    )
    (bx,) = [r for r in scene.texts.values() if r.text == "b"]
    under_b = img[50:58, int(bx.x) + 2, :]
    # the underline under the red "b" is blue (the font decides how far below the baseline)
    assert ((under_b[:, 2] > 200) & (under_b[:, 0] < 50) & (under_b[:, 3] > 200)).any()


@needs_fonts
def test_a_decoration_on_an_ancestor_group_reaches_the_text() -> None:
    scene = _scene('<g text-decoration="overline"><text x="10" y="50">ab</text></g>')
    assert [int(k) for k in scene.kind] == [PrimitiveKind.PATH, PrimitiveKind.TEXT]


@needs_fonts
@pytest.mark.parametrize(
    "ancestor",
    [
        '<style>.u { text-decoration: underline }</style><g class="u">',
        "<style>g > g { text-decoration: underline }</style><g><g>",
        '<g style="text-decoration: underline">',
    ],
)
def test_a_decoration_from_any_cascade_origin_on_an_ancestor_reaches_the_text(
    ancestor: str,
) -> None:
    closing = "</g>" * ancestor.count("<g")
    scene = _scene(f'{ancestor}<text x="10" y="50">ab</text>{closing}')
    assert [int(k) for k in scene.kind] == [PrimitiveKind.PATH, PrimitiveKind.TEXT]


@needs_fonts
def test_an_ancestor_without_a_decoration_adds_none() -> None:
    scene = _scene(
        '<style>.u { text-decoration: underline }</style><g class="v"><text x="10" '
        'y="50">ab</text></g><g class="u"/>'
    )
    assert [int(k) for k in scene.kind] == [PrimitiveKind.TEXT]


@needs_fonts
def test_underline_follows_per_character_dy() -> None:
    flat = _scene('<text x="10" y="50" text-decoration="underline">abcd</text>')
    stepped = _scene('<text x="10" y="50" dy="0 0 10" text-decoration="underline">abcd</text>')
    assert len(flat.primitive(0).commands[0]) == 5  # one rectangle
    assert len(stepped.primitive(0).commands[0]) == 10  # one per baseline


# -- textPath ---------------------------------------------------------------------------------


def _on_path(d: str, text: str, extra: str = "") -> list[TextRun]:
    return _runs(
        f'<path id="p" d="{d}"/><text font-size="20"><textPath href="#p" {extra}>{text}'
        "</textPath></text>"
    )


@needs_fonts
def test_a_straight_path_lays_text_out_like_plain_text() -> None:
    (bent,) = _on_path("M 10 50 L 190 50", "Hello")
    (plain,) = _runs('<text x="10" y="50" font-size="20">Hello</text>')
    assert _glyph_xs([bent]) == pytest.approx(_glyph_xs([plain]), abs=1e-6)
    assert [g.rotate for g in bent.glyphs] == pytest.approx([0.0] * 5)


@needs_fonts
def test_glyphs_turn_to_the_tangent_of_a_vertical_path() -> None:
    (run,) = _on_path("M 50 10 L 50 190", "abc")
    assert [g.rotate for g in run.glyphs] == pytest.approx([90.0] * 3)
    assert [g.x for g in run.glyphs] == pytest.approx([50.0] * 3)


@needs_fonts
def test_start_offset_and_glyphs_off_the_end_are_dropped() -> None:
    (run,) = _on_path("M 10 50 L 60 50", "abcdefgh", 'startOffset="20"')
    xs = _glyph_xs([run])
    assert xs[0] == pytest.approx(30.0)
    assert len(xs) < 8  # the rest fell off the 50-unit path
    (pct,) = _on_path("M 10 50 L 110 50", "a", 'startOffset="50%"')
    assert pct.glyphs[0].x == pytest.approx(60.0)


@needs_fonts
def test_side_right_walks_the_path_backwards() -> None:
    (run,) = _on_path("M 10 50 L 190 50", "ab", 'side="right"')
    assert [g.rotate for g in run.glyphs] == pytest.approx([180.0, 180.0])
    assert run.glyphs[0].x == pytest.approx(190.0)


@needs_fonts
def test_the_referenced_paths_transform_applies() -> None:
    runs = _runs(
        '<path id="p" d="M 0 0 L 100 0" transform="translate(20 70)"/>'
        '<text font-size="20"><textPath xlink:href="#p">ab</textPath></text>'
    )
    assert runs[0].glyphs[0].x == pytest.approx(20.0)
    assert runs[0].y == pytest.approx(70.0)


def test_an_invalid_link_draws_nothing_of_the_text_path() -> None:
    runs = _runs('<text x="10" y="50">a<textPath href="#nope">hidden</textPath>b</text>')
    assert "".join(r.text for r in runs).replace(" ", "") == "ab"


@settings(max_examples=40, deadline=None)
@given(
    pts=st.lists(st.tuples(st.floats(-100, 100), st.floats(-100, 100)), min_size=2, max_size=6),
    frac=st.floats(0, 1),
)
def test_a_point_at_a_distance_lies_on_the_polyline(
    pts: list[tuple[float, float]], frac: float
) -> None:
    geo = PathGeometry([pts])
    expected = sum(math.dist(a, b) for a, b in itertools.pairwise(pts) if math.dist(a, b) > 1e-12)
    assert geo.length == pytest.approx(expected)
    at = geo.at(frac * geo.length)
    if geo.length == 0:
        assert at is None
        return
    assert at is not None
    x, y, _ang = at
    # the point is on one of the segments
    assert any(
        abs(math.dist(a, (x, y)) + math.dist((x, y), b) - math.dist(a, b)) < 1e-6
        for a, b in itertools.pairwise(pts)
    )


# -- the engine itself, and bad input ---------------------------------------------------------


def test_unshaped_text_still_gets_positions() -> None:
    seg = Segment("ab", fonts.TextSpan("ab", ("no-such-family-xyz",), 0.0))
    pos = CharPositions.empty(2)
    pos.x[1] = 50.0
    a, b = layout_text([seg], pos)
    assert (a.x, b.x) == (0.0, 50.0)


@pytest.mark.parametrize(
    "attrs",
    [
        'rotate="abc"',
        'x="nan"',
        'textLength="-5"',
        'textLength="inherit"',
        'letter-spacing="wide"',
        'word-spacing="1e400"',
        'baseline-shift="bogus"',
        'dy="1e30"',
    ],
)
def test_bad_values_give_a_defined_result(attrs: str) -> None:
    try:
        img = svgkit.render(
            f'{SVG}width="100" height="60"><text x="10" y="40" {attrs}>ab</text></svg>', 100, 60
        )
    except svgkit.SVGKitError:
        return  # a classified error is a defined result too
    assert img.shape == (60, 100, 4)


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("abc", [0, 0, 0]),
        ("\u05d0\u05d1", [1, 1]),
        ("\u05d0 \u05d1 ", [1, 1, 1, 0]),  # a trailing space goes to the paragraph
        ("\u05d0 12", [1, 1, 2, 2]),
        ("a \u05d0", [0, 0, 1]),
    ],
)
def test_bidi_levels(text: str, levels: list[int]) -> None:
    assert bidi_levels(text) == levels


@needs_fonts
def test_latin_inside_hebrew_keeps_its_left_to_right_order() -> None:
    (run,) = _runs('<text x="10" y="50" font-size="20">\u05d0\u05d1 SVG \u05d2</text>')
    by_char = {run.text[g.cluster]: g.x for g in run.glyphs}
    assert by_char["S"] < by_char["V"] < by_char["G"]
    # the first Hebrew word is the leftmost run of a left-to-right paragraph, read right to left
    assert by_char["\u05d1"] < by_char["\u05d0"] < by_char["S"] < by_char["\u05d2"]
