"""svgkit.fonts: the one text layout — font matching, shaping, line placement, outlines."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import svgkit
from svgkit import fonts
from svgkit.fonts import TextSpan, font_extents, glyph_outline, layout_line, units_per_em
from svgkit.paths import COMMAND_POINTS, Command
from svgkit.scene import TextRun

SANS = ("sans-serif",)
needs_fonts = pytest.mark.skipif(
    fonts.resolve_font(SANS)[1] is None or not fonts.shaping_available(),
    reason="no font file or no HarfBuzz on this machine",
)


@needs_fonts
def test_spans_sit_end_to_end_and_the_line_advance_is_their_sum() -> None:
    line = layout_line([TextSpan("Hello ", SANS, 16.0), TextSpan("world", ("serif",), 24.0)])
    first, second = line.runs
    assert first.start == 0.0
    assert second.start == pytest.approx(first.start + first.advance)
    assert line.advance == pytest.approx(first.advance + second.advance)
    assert all(run.shaped and run.glyphs for run in line.runs)
    assert all(g.font_file for run in line.runs for g in run.glyphs)


@needs_fonts
def test_same_font_spans_are_shaped_together_so_kerning_crosses_tspans() -> None:
    whole = layout_line([TextSpan("AVAV", SANS, 40.0)])
    split = layout_line([TextSpan("AV", SANS, 40.0), TextSpan("AV", SANS, 40.0)])
    assert split.advance == pytest.approx(whole.advance)
    assert [g.x for r in split.runs for g in r.glyphs] == pytest.approx(
        [g.x for g in whole.runs[0].glyphs]
    )
    # each glyph goes back to its own span, with the character index inside that span
    assert [g.cluster for g in split.runs[1].glyphs] == [0, 1]


@needs_fonts
@pytest.mark.parametrize(("anchor", "share"), [("start", 0.0), ("middle", 0.5), ("end", 1.0)])
def test_text_anchor_shifts_the_whole_line(anchor: str, share: float) -> None:
    spans = [TextSpan("ab", SANS, 20.0), TextSpan("cd", SANS, 20.0)]
    plain = layout_line(spans)
    anchored = layout_line(spans, anchor)
    shift = -share * plain.advance
    for a, b in zip(plain.runs, anchored.runs):
        assert b.start == pytest.approx(a.start + shift)
        assert [g.x for g in b.glyphs] == pytest.approx([g.x + shift for g in a.glyphs])


@needs_fonts
def test_dx_puts_space_before_a_span() -> None:
    plain = layout_line([TextSpan("a", SANS, 20.0), TextSpan("b", SANS, 20.0)])
    spaced = layout_line([TextSpan("a", SANS, 20.0), TextSpan("b", SANS, 20.0, dx=7.0)])
    assert spaced.runs[1].start == pytest.approx(plain.runs[1].start + 7.0)
    assert spaced.advance == pytest.approx(plain.advance + 7.0)


def test_without_a_font_file_the_advance_is_estimated_and_no_glyphs_are_placed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "_hb", None)
    monkeypatch.setattr(fonts, "_shape_cache", {})
    line = layout_line([TextSpan("abcd", SANS, 10.0)], "end")
    (run,) = line.runs
    assert run.advance == pytest.approx(4 * fonts.ESTIMATED_ADVANCE_EM * 10.0)
    assert run.start == pytest.approx(-run.advance)
    assert run.glyphs == () and not run.shaped
    assert font_extents(SANS) == (fonts.ESTIMATED_ASCENT_EM, fonts.ESTIMATED_DESCENT_EM)


@pytest.mark.parametrize("size", [0.0, -3.0, math.nan, math.inf])
def test_degenerate_sizes_lay_out_to_nothing_drawn(size: float) -> None:
    line = layout_line([TextSpan("abc", SANS, size), TextSpan("d", SANS, 10.0)], "middle")
    assert line.runs[0].glyphs == ()
    assert all(math.isfinite(r.start) and math.isfinite(r.advance) for r in line.runs)


@needs_fonts
def test_glyph_outlines_are_well_formed_path_commands() -> None:
    (run,) = layout_line([TextSpan("g@", SANS, 12.0)]).runs
    for glyph in run.glyphs:
        codes, points = glyph_outline(glyph.font_file, glyph.face_index, glyph.glyph_id)
        assert codes and codes[0] == Command.MOVE
        assert len(points) == 2 * sum(COMMAND_POINTS[c] for c in codes)
    assert units_per_em(run.glyphs[0].font_file, run.glyphs[0].face_index) > 0
    assert glyph_outline("/no/such/font.ttf", 0, 1) == ([], [])


@needs_fonts
@given(
    texts=st.lists(
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=8),
        min_size=1,
        max_size=4,
    ),
    size=st.floats(1.0, 200.0),
)
def test_layout_scales_with_the_font_size(texts: list[str], size: float) -> None:
    one = layout_line([TextSpan(t, SANS, size) for t in texts])
    two = layout_line([TextSpan(t, SANS, 2.0 * size) for t in texts])
    assert two.advance == pytest.approx(2.0 * one.advance, rel=1e-9, abs=1e-9)
    starts = [r.start for r in one.runs]
    assert starts == sorted(starts)  # left-to-right text never runs backwards
    assert all(r.advance >= 0.0 for r in one.runs)


# ---------------------------------------------------------------------------------------------
# the builder lays text out once; the renderer and the statistics read that one layout
# ---------------------------------------------------------------------------------------------


def _runs(svg: str) -> list[TextRun]:
    scene = svgkit.parse(svg)
    return [scene.texts[i] for i in sorted(scene.texts)]


@needs_fonts
def test_a_parsed_run_carries_the_layout_of_its_line() -> None:
    (run,) = _runs(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
        '<text x="10" y="30" font-size="20" font-family="serif">Wave</text></svg>'
    )
    (expected,) = layout_line([TextSpan("Wave", ("serif",), 20.0)]).runs
    assert run.shaped and run.x == pytest.approx(10.0)
    assert run.advance == pytest.approx(expected.advance)
    assert [g.x for g in run.glyphs] == pytest.approx([g.x + 10.0 for g in expected.glyphs])
    # the box statistics read is the real advance, not 0.55 em per character
    x0, _y0, x1, _y1 = run.bbox
    assert (x0, x1) == pytest.approx((10.0, 10.0 + expected.advance))


@needs_fonts
def test_text_anchor_end_puts_the_real_end_of_the_chunk_at_x() -> None:
    first, second = _runs(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
        '<text x="190" y="30" font-size="16" text-anchor="end">ab<tspan font-size="32">cd'
        "</tspan></text></svg>"
    )
    assert second.x == pytest.approx(first.x + first.advance)
    assert second.x + second.advance == pytest.approx(190.0)


@needs_fonts
def test_a_tspan_dx_moves_the_pen_from_where_the_text_really_ended() -> None:
    plain = _runs(
        '<svg xmlns="http://www.w3.org/2000/svg"><text x="5" y="20" font-size="2em">'
        "mm<tspan>ii</tspan></text></svg>"
    )
    moved = _runs(
        '<svg xmlns="http://www.w3.org/2000/svg"><text x="5" y="20" font-size="2em">'
        'mm<tspan dx="4">ii</tspan></text></svg>'
    )
    assert plain[1].x == pytest.approx(plain[0].x + plain[0].advance)
    assert moved[1].x == pytest.approx(plain[1].x + 4.0)


@needs_fonts
@given(
    text=st.text(st.characters(min_codepoint=0x41, max_codepoint=0x7A), min_size=1, max_size=6),
    size=st.integers(8, 40),
    anchor=st.sampled_from(["start", "middle", "end"]),
)
def test_rendered_glyph_ink_stays_inside_the_box_geometry_reads(
    text: str, size: int, anchor: str
) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="60">'
        f'<text x="80" y="40" font-size="{size}" text-anchor="{anchor}">{text}</text></svg>'
    )
    (run,) = _runs(svg)
    ink = svgkit.render(svg, 160, 60)[..., 3] > 0
    rows, cols = np.nonzero(ink)
    if not len(rows):
        return
    x0, y0, x1, y1 = run.bbox
    # glyphs may overhang their advance slightly (italic-like overshoot, side bearings)
    slack = 0.15 * size + 1.0
    assert cols.min() >= x0 - slack and cols.max() + 1 <= x1 + slack
    assert rows.min() >= y0 - 1.0 and rows.max() + 1 <= y1 + 1.0


# -- CSS font properties: the `font` shorthand, computed font-size and font-weight -------------

from svgkit.build.css import parse_declarations  # noqa: E402
from svgkit.build.font_props import (  # noqa: E402
    NAMED_SIZES,
    computed_font_size,
    computed_font_weight,
    expand_font,
)


def _runs(body: str, root: str = "") -> list[TextRun]:
    scene = svgkit.parse(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" {root}>{body}</svg>'
    )
    return [scene.texts[k] for k in sorted(scene.texts)]


@pytest.mark.parametrize(
    ("value", "expect"),
    [
        (
            "bold 18px sans-serif",
            {"font-weight": "bold", "font-size": "18px", "font-family": "sans-serif"},
        ),
        (
            "italic small-caps 600 condensed 2em/1.4 'Open Sans', serif",
            {
                "font-style": "italic",
                "font-variant": "small-caps",
                "font-weight": "600",
                "font-stretch": "condensed",
                "font-size": "2em",
                "line-height": "1.4",
                "font-family": "'Open Sans', serif",
            },
        ),
        (
            "oblique 10deg 12px Noto Sans",
            {"font-style": "oblique 10deg", "font-family": "Noto Sans"},
        ),
        ("normal normal 100 x-large monospace", {"font-weight": "100", "font-size": "x-large"}),
        ("normal 0 x-large", {"font-size": "0", "font-family": "x-large"}),
        (
            "12px monospace",
            {"font-weight": "normal", "font-style": "normal", "font-family": "monospace"},
        ),
        ("menu", {"font-family": "sans-serif", "font-size": "13px"}),
        ("inherit", {"font-size": "inherit", "font-family": "inherit"}),
    ],
)
def test_font_shorthand_expands_to_every_longhand(value: str, expect: dict[str, str]) -> None:
    got = expand_font(value)
    assert got is not None
    longhands = dict(got)
    assert set(longhands) >= {"font-style", "font-weight", "font-size", "font-family"}
    for key, v in expect.items():
        assert longhands[key] == v, key


@pytest.mark.parametrize(
    "value",
    [
        "18px",
        "bold sans-serif",
        "bold 18 sans-serif",
        "-2px serif",
        "bold bold 12px serif",
        "12px/ serif",
        "12px 'unterminated",
        "12px serif,",
        "12px inherit",
        "heavy 12px serif",
        "1001 12px serif",
        "12px, serif",
        "",
    ],
)
def test_an_invalid_font_shorthand_is_rejected_whole(value: str) -> None:
    assert expand_font(value) is None
    assert parse_declarations(f"fill: red; font: {value}; stroke: blue") == [
        ("fill", "red", False),
        ("stroke", "blue", False),
    ]


def test_font_shorthand_in_style_sheets_and_style_attributes_takes_part_in_the_cascade() -> None:
    runs = _runs(
        "<style>.a { font: bold italic 18px monospace } .b { font: 20px serif !important }</style>"
        '<text class="a" y="20">A</text>'
        '<text y="40" style="font: bold 18px sans-serif; font-weight: 300">B</text>'
        '<text y="60" style="font-size: 30px; font: 12px serif">C</text>'
        '<text class="b" y="80" style="font-size: 40px">D</text>'
        '<text y="100" font-weight="900" style="font: 14px cursive">E</text>'
        '<text y="120" font="bold 50px monospace">F</text>'  # not a presentation attribute
        '<text y="140" style="font-size: 22px; font: bogus 12px">G</text>'
    )
    got = [(r.font_family, r.font_size, r.font_weight, r.font_style) for r in runs]
    assert got == [
        (("monospace",), 18.0, 700, "italic"),
        (("sans-serif",), 18.0, 300, "normal"),  # the later longhand wins
        (("serif",), 12.0, 400, "normal"),  # the later shorthand resets the size
        (("serif",), 20.0, 400, "normal"),  # !important beats the style attribute
        (("cursive",), 14.0, 400, "normal"),  # the shorthand resets the attribute's weight
        (("serif",), 16.0, 400, "normal"),
        (("serif",), 22.0, 400, "normal"),
    ]


def test_the_initial_font_is_the_browsers_serif_16px() -> None:
    (run,) = _runs('<text y="20">x</text>')
    assert (run.font_family, run.font_size, run.font_weight) == (("serif",), 16.0, 400)


def test_relative_font_sizes_resolve_against_the_parent_and_inherit_as_absolute() -> None:
    runs = _runs(
        '<g font-size="12"><g font-size="3em"><g><g font-size="1em"><text y="50">a</text></g></g>'
        '<text y="60" font-size="50%">b</text><text y="70" font-size="smaller">c</text></g></g>'
        '<g font-size="40"><g font-size="larger"><text y="90" font-size="80%">d</text></g></g>'
        '<text y="100" font-size="300%">e</text>'
        '<text y="110" font-size="2ex">f</text>'
        '<g style="font-size: 10pt"><text y="120" style="font-size: 1.5em">g</text></g>'
        '<g font-size="20"><text y="130" font-size="-5">h</text><text font-size="bogus">i</text></g>',
        root='font-size="x-large"',
    )
    sizes = [r.font_size for r in runs]
    assert sizes == pytest.approx([36.0, 18.0, 30.0, 38.4, 72.0, 24.0, 20.0, 20.0, 20.0])


def test_named_sizes_use_the_css_fonts_4_scale_and_em_on_a_shape_uses_its_own_size() -> None:
    assert NAMED_SIZES["medium"] == 16.0
    assert NAMED_SIZES["xx-small"] == pytest.approx(9.6)
    assert NAMED_SIZES["xxx-large"] == 48.0
    scene = svgkit.parse(
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100" font-size="12">'
        '<rect font-size="50%" width="10em" height="5"/>'
        '<rect y="10" font-size="large" width="10em" height="5"/>'
        '<rect y="20" width="5em" height="5"/></svg>'
    )
    img = svgkit.render(scene, 400, 100)
    widths = [int((img[row, :, 3] > 128).sum()) for row in (2, 12, 22)]
    assert widths == [60, 192, 60]


@pytest.mark.parametrize(
    ("parent", "value", "expect"),
    [
        (50, "bolder", 400),
        (100, "bolder", 400),
        (349, "bolder", 400),
        (350, "bolder", 700),
        (549, "bolder", 700),
        (550, "bolder", 900),
        (800, "bolder", 900),
        (900, "bolder", 900),
        (950, "bolder", 950),
        (50, "lighter", 50),
        (100, "lighter", 100),
        (500, "lighter", 100),
        (550, "lighter", 400),
        (750, "lighter", 700),
        (1000, "lighter", 700),
        (400, "bold", 700),
        (700, "normal", 400),
        (400, "1", 1),
        (400, "1000", 1000),
        (400, "450.5", 450.5),
    ],
)
def test_font_weight_is_computed_per_css_fonts_4(parent: float, value: str, expect: float) -> None:
    assert computed_font_weight(value, parent) == expect


@pytest.mark.parametrize("value", ["0", "1001", "-100", "bold2", "100px", "nan", "inf", ""])
def test_invalid_font_weights_are_rejected_and_the_parent_weight_inherits(value: str) -> None:
    assert computed_font_weight(value, 400) is None
    (run,) = _runs(f'<g font-weight="800"><text y="20" font-weight="{value}">x</text></g>')
    assert run.font_weight == 800


def test_bolder_and_lighter_chain_from_the_parents_computed_weight() -> None:
    runs = _runs(
        '<g font-weight="900"><text y="20" font-weight="bolder">a</text></g>'
        '<g font-weight="100"><text y="40" font-weight="lighter">b</text></g>'
        '<g font-weight="300"><g font-weight="bolder"><text y="60" font-weight="bolder">c</text>'
        "</g></g>"
    )
    assert [r.font_weight for r in runs] == [900, 100, 700]


@given(st.floats(0.0, 100.0), st.floats(0.01, 1000.0))
def test_em_and_percent_font_sizes_scale_the_parent(k: float, parent: float) -> None:
    assert computed_font_size(f"{k!r}em", parent) == pytest.approx(k * parent)
    assert computed_font_size(f"{k * 100!r}%", parent) == pytest.approx(k * parent)


@given(st.text(max_size=12), st.floats(0.0, 1e6))
def test_any_font_size_or_weight_text_gives_a_defined_value(raw: str, parent: float) -> None:
    size = computed_font_size(raw, parent)
    assert size is None or (math.isfinite(size) and size >= 0)
    weight = computed_font_weight(raw, min(max(parent, 1.0), 1000.0))
    assert weight is None or 1 <= weight <= 1000
    shorthand = expand_font(raw)
    assert shorthand is None or len(shorthand) == 7
