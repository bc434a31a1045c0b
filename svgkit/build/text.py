"""Text: ``<text>``, ``<tspan>`` and ``<a>`` content into positioned runs.

Resolves SVG 2 §11 as far as svgkit lays text out: white space collapsed as in ``xml:space``
default handling (§11.4), absolute ``x``/``y`` starting new text chunks and ``dx``/``dy`` moving
the current position (§11.5), ``text-anchor`` shifting each whole chunk (§11.8.1), and the
font properties of each run. Each line is laid out once, here, by :func:`svgkit.fonts.layout_line`
(real fonts, HarfBuzz shaping): a run's :class:`~svgkit.scene.TextRun` carries its final start,
real advance and placed glyphs, which the renderer draws as they are, and its box (advance ×
the font's ascent and descent) is recorded as a rectangle primitive for the statistics.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .. import fonts
from ..affine import Affine, map_point, multiply
from ..ingest.safe_xml import SVG_NS, local_name
from ..limits import limit_error
from ..scene import PrimitiveKind, TextRun
from . import path_data
from .context import ANIMATION, Ctx, Node
from .primitives import Primitives
from .units import LENGTH

__all__ = ["Text"]


class Text(Primitives):
    """Lays out text elements as runs (one primitive per run)."""

    def text(self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx) -> None:
        """Emit the runs of one ``<text>`` element."""
        ctm = multiply(ctx.ctm, self.transform_of(el))
        ctx, style, gi = self.effect_group(el, "text", style, ctx, ctm)
        try:
            self._text_runs(el, style, node, ctx, ctm)
        finally:
            if gi >= 0:
                self.close_group(gi)

    def _text_runs(
        self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx, ctm: Affine
    ) -> None:
        vp = ctx.viewport
        cursor = [
            self.length(_first(el.get("x")), 0.0, el, "x", "x", vp),
            self.length(_first(el.get("y")), 0.0, el, "y", "y", vp),
        ]
        cursor[0] += self.length(_first(el.get("dx")), 0.0, el, "dx", "x", vp)
        cursor[1] += self.length(_first(el.get("dy")), 0.0, el, "dy", "y", vp)
        gi = ctx.group
        runs: list[Run] = []
        self._space_pending = False
        self._chunk_id = 0
        self._dx_pending = 0.0
        self._collect_text(el, style, node, ctx, cursor, runs, first=True)
        if not runs:
            return
        # a text chunk starts at every absolute x/y and is laid out as one line; text-anchor
        # shifts it by a share of its real advance, with the anchor of the chunk's first run
        sizes = [self.font_size(r[2], r[1], ctx) for r in runs]
        anchors: dict[int, str] = {}
        first_of: dict[int, int] = {}
        base = len(self.acc.kind)
        for k, r in enumerate(runs):
            anchors.setdefault(r[6], r[2].get("text-anchor", "start").strip())
            first_of.setdefault(r[6], base + k)
        spans = [
            fonts.TextSpan(
                r[0],
                _families(r[2]),
                fs,
                _font_weight(r[2].get("font-weight", "normal")),
                r[2].get("font-style", "normal").strip(),
                r[7],
            )
            for r, fs in zip(runs, sizes)
        ]
        placed = _lay_out(runs, spans, anchors)
        for (text, src, rstyle, rnode, _x, y, chunk, _dx), span, (x, layout) in zip(
            runs, spans, placed
        ):
            fs = span.size
            ascent, descent = (
                fonts.font_extents(span.families, span.weight, span.style)
                if layout.shaped
                else (fonts.ESTIMATED_ASCENT_EM, fonts.ESTIMATED_DESCENT_EM)
            )
            width = layout.advance
            x0, y0, x1, y1 = x, y - ascent * fs, x + width, y + descent * fs
            pd = (
                path_data.rect_commands(x0, y0, x1 - x0, y1 - y0, 0.0, 0.0)
                if width > 0 and fs > 0
                else path_data.PathData()
            )
            run_ctx = Ctx(ctx.ctm, rstyle, gi, vp, ctx.ancestors)
            idx = self.emit(src, PrimitiveKind.TEXT, "text", rnode, run_ctx, ctm, rstyle, pd)
            corners = [
                map_point(ctm, px, py) for px, py in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
            ]
            xs = [c[0] for c in corners]
            ys = [c[1] for c in corners]
            self.texts[idx] = TextRun(
                text,
                x,
                y,
                span.families,
                fs,
                span.weight,
                span.style,
                anchors[chunk],
                (min(xs), min(ys), max(xs), max(ys)),
                first_of[chunk],
                width,
                layout.glyphs,
                layout.shaped,
            )

    def _collect_text(
        self,
        el: ET.Element,
        style: dict[str, str],
        node: Node,
        ctx: Ctx,
        cursor: list[float],
        runs: list[Run],
        first: bool,
    ) -> None:
        vp = ctx.viewport
        if el.text:
            self._add_run(el.text, el, style, node, cursor, runs)
        for child in el:
            if not isinstance(child.tag, str):
                if child.tail:
                    self._add_run(child.tail, el, style, node, cursor, runs)
                continue
            cns, cname = local_name(child.tag)
            if cns in ("", SVG_NS) and cname in ("tspan", "a"):
                cctx = Ctx(ctx.ctm, style, ctx.group, vp, [*ctx.ancestors, node])
                cstyle, cnode = self.compute_style(child, cname, cctx)
                if cstyle.get("display") != "none":
                    if child.get("x") is not None or child.get("y") is not None:
                        self._chunk_id += 1
                        self._space_pending = False
                    if child.get("x") is not None:
                        cursor[0] = self.length(_first(child.get("x")), 0.0, child, "x", "x", vp)
                    if child.get("y") is not None:
                        cursor[1] = self.length(_first(child.get("y")), 0.0, child, "y", "y", vp)
                    dx = self.length(_first(child.get("dx")), 0.0, child, "dx", "x", vp)
                    cursor[0] += dx
                    self._dx_pending += dx
                    cursor[1] += self.length(_first(child.get("dy")), 0.0, child, "dy", "y", vp)
                    self._collect_text(child, cstyle, cnode, cctx, cursor, runs, first=False)
            elif cname == "textPath":
                self.warn(
                    "UNSUPPORTED_ELEMENT",
                    "<textPath> is drawn as plain text at the current position",
                    child,
                )
                cctx = Ctx(ctx.ctm, style, ctx.group, vp, [*ctx.ancestors, node])
                cstyle, cnode = self.compute_style(child, cname, cctx)
                self._collect_text(child, cstyle, cnode, cctx, cursor, runs, first=False)
            elif cname in ANIMATION:
                self.warn("ANIMATION_IGNORED", f"<{cname}> (SMIL animation) is ignored", child)
            if child.tail:
                self._add_run(child.tail, el, style, node, cursor, runs)

    def _add_run(
        self,
        raw: str,
        el: ET.Element,
        style: dict[str, str],
        node: Node,
        cursor: list[float],
        runs: list[Run],
    ) -> None:
        text = " ".join(raw.split())
        if not text:
            self._space_pending = self._space_pending or bool(raw)
            return
        if runs and (raw[:1].isspace() or self._space_pending):
            text = " " + text
        self._space_pending = raw[-1:].isspace()
        self.text_chars += len(text)
        if self.text_chars > self.limits.max_text_chars:
            raise limit_error("max_text_chars", self.text_chars, self.limits.max_text_chars)
        fs_m = LENGTH.match(style.get("font-size", "16"))
        fs = float(fs_m.group(1)) if fs_m and not fs_m.group(2) else 16.0
        new_chunk = not runs or runs[-1][6] != self._chunk_id
        runs.append(
            (
                text.strip() if new_chunk else text,
                el,
                style,
                node,
                cursor[0],
                cursor[1],
                self._chunk_id,
                0.0 if new_chunk else self._dx_pending,
            )
        )
        self._dx_pending = 0.0
        cursor[0] += _estimate_width(text, fs)


def _first(value: str | None) -> str | None:
    if value is None:
        return None
    parts = value.replace(",", " ").split()
    return parts[0] if parts else None


def _estimate_width(text: str, font_size: float) -> float:
    return fonts.ESTIMATED_ADVANCE_EM * font_size * len(text)


def _families(style: dict[str, str]) -> tuple[str, ...]:
    family = tuple(
        f.strip().strip("'\"")
        for f in style.get("font-family", "sans-serif").split(",")
        if f.strip()
    )
    return family or ("sans-serif",)


# text, source element, style, node, pen x and y at its start, chunk id, dx since the run before
Run = tuple[str, ET.Element, dict[str, str], Node, float, float, int, float]


def _lay_out(
    runs: list[Run], spans: list[fonts.TextSpan], anchors: dict[int, str]
) -> list[tuple[float, fonts.RunLayout]]:
    """Each run's final start and layout: each text chunk is one line, laid out once.

    A chunk begins at every absolute ``x`` or ``y``; within it runs follow each other at the
    real pen position, a ``dx`` moving the pen from there (the span's ``dx``).
    """
    lines: list[list[int]] = []
    for k, run in enumerate(runs):
        if lines and runs[lines[-1][0]][6] == run[6]:
            lines[-1].append(k)
        else:
            lines.append([k])
    out: list[tuple[float, fonts.RunLayout]] = [(0.0, fonts.RunLayout(0.0, 0.0, ()))] * len(runs)
    for line in lines:
        x0 = runs[line[0]][4]
        laid = fonts.layout_line([spans[k] for k in line], anchors[runs[line[0]][6]])
        for k, layout in zip(line, laid.runs):
            glyphs = tuple(g._replace(x=g.x + x0) for g in layout.glyphs)
            out[k] = (
                x0 + layout.start,
                fonts.RunLayout(x0 + layout.start, layout.advance, glyphs, layout.shaped),
            )
    return out


def _font_weight(value: str) -> int:
    v = value.strip().lower()
    if v in ("bold", "bolder"):
        return 700
    if v in ("normal", "lighter", ""):
        return 400 if v != "lighter" else 300
    try:
        return int(min(max(float(v), 1.0), 1000.0))
    except ValueError:
        return 400
