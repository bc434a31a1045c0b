"""Text → cairo: glyph outlines placed by :mod:`svgkit.fonts`, or cairo's toy API without a font.

Text is laid out once, by the builder with :mod:`svgkit.fonts`: each
:class:`~svgkit.scene.TextRun` arrives with its final start and its placed glyphs. Each glyph's
outline is replayed into the cairo path under ``T_out ∘ transform[i] ∘ translate(x, y) ∘
rotate(glyph.rotate) ∘ scale(glyph.scale · size / upem, −size / upem)``, then filled and
stroked like any shape. A run no font file could shape is drawn with cairo's toy text API
from its start (no kerning, no fallback fonts, weights normal or bold).
"""

from __future__ import annotations

import math
from typing import Any

import cairo

from .. import fonts
from ..affine import Affine, is_invertible, multiply
from ..scene import Glyph, TextRun
from .state import append_path, cairo_matrix

__all__ = ["text_path"]


_face_cache: dict[tuple[str, int, bool], Any] = {}
_OPTIONS: Any = None


def _toy_select(ctx: Any, run: TextRun) -> None:
    global _OPTIONS
    family, _ref = fonts.resolve_font(run.font_family, run.font_weight, run.font_style)
    slant = fonts.slant_index(run.font_style)
    bold = run.font_weight >= 600
    face = _face_cache.get((family, slant, bold))
    if face is None:
        face = cairo.ToyFontFace(
            family,
            (cairo.FONT_SLANT_NORMAL, cairo.FONT_SLANT_ITALIC, cairo.FONT_SLANT_OBLIQUE)[slant],
            cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL,
        )
        _face_cache[(family, slant, bold)] = face
    if _OPTIONS is None:
        opts = cairo.FontOptions()
        # outlines as designed: no hinting, unhinted metrics, grey anti-aliasing
        opts.set_hint_style(cairo.HINT_STYLE_NONE)
        opts.set_hint_metrics(cairo.HINT_METRICS_OFF)
        opts.set_antialias(cairo.ANTIALIAS_GRAY)
        _OPTIONS = opts
    ctx.set_font_face(face)
    ctx.set_font_size(run.font_size)
    ctx.set_font_options(_OPTIONS)


# ---------------------------------------------------------------------------------------------
# layout and drawing
# ---------------------------------------------------------------------------------------------


def text_path(st: Any, i: int) -> bool:
    """Append the glyph outlines of text primitive ``i`` to the current path (output pixels)."""
    run = st.scene.texts.get(i)
    if run is None or not run.text or not (run.font_size > 0) or not math.isfinite(run.font_size):
        return False
    user_to_out = multiply(st.t_out, st.cols.transform[i])
    if not is_invertible(user_to_out):
        return False
    m = cairo_matrix(user_to_out)
    ctx = st.ctx
    size = run.font_size
    if not run.shaped:
        if not is_invertible(multiply(user_to_out, (size, 0.0, 0.0, size, 0.0, 0.0))):
            return False  # a degenerate font size paints nothing, like a degenerate transform
        ctx.set_matrix(m)
        _toy_select(ctx, run)
        ctx.move_to(run.x, run.y)
        ctx.text_path(run.text)
        ctx.identity_matrix()
        return True
    if not run.glyphs:
        return False  # its characters went to a ligature with the run before it
    for glyph in run.glyphs:
        codes, pts = fonts.glyph_outline(glyph.font_file, glyph.face_index, glyph.glyph_id)
        if not codes:
            continue
        scale = size / fonts.units_per_em(glyph.font_file, glyph.face_index)
        glyph_to_user = _glyph_matrix(glyph, scale, run.y)
        if not is_invertible(multiply(user_to_out, glyph_to_user)):
            continue  # a degenerate font size paints nothing, like a degenerate transform
        gm = cairo.Matrix(*glyph_to_user)
        ctx.set_matrix(gm.multiply(m))
        append_path(ctx, codes, pts, 0, len(codes), 0)
    ctx.identity_matrix()
    return True


def _glyph_matrix(glyph: Glyph, scale: float, baseline: float) -> Affine:
    """Font units → user space for one glyph: its own horizontal stretch, then its rotation
    about the glyph origin (degrees, clockwise on screen since y points down)."""
    sx = scale * glyph.scale
    if glyph.rotate == 0.0:
        return (sx, 0.0, 0.0, -scale, glyph.x, baseline + glyph.y)
    rad = math.radians(glyph.rotate)
    c, s = math.cos(rad), math.sin(rad)
    return (c * sx, s * sx, s * scale, -c * scale, glyph.x, baseline + glyph.y)
