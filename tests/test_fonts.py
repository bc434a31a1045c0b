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
