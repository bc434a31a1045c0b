"""Text: ``<text>``, ``<tspan>``, ``<a>`` and ``<textPath>`` content into positioned runs.

Collects a ``<text>`` element's addressable characters (SVG 2 §11): white space handled per
``xml:space`` (inherited; the default collapses runs of spaces, turns newlines and tabs into
spaces like browsers do, and drops spaces at the start and end of the element; ``preserve``
only turns newlines and tabs into spaces), then resolves the ``x``/``y``/``dx``/``dy``/``rotate``
lists of every element onto those characters (an element's n-th value goes to its n-th
character, nested elements overriding their ancestors where they give a value of their own; the
last ``rotate`` value repeats). :func:`svgkit.text_layout.layout_text` places the characters
(HarfBuzz shaping, text chunks, spacing, ``textLength``, anchors, ``<textPath>``).

Each text node becomes one TEXT primitive whose :class:`~svgkit.scene.TextRun` carries its
placed glyphs; the primitive's path is the box the glyphs really cover (one rectangle for a
straight run, one quadrilateral per character when characters are rotated, on a path or on
different baselines). ``text-decoration`` lines are separate PATH primitives painted with the
fill and stroke of the element that declares them (CSS): underlines and overlines before the
text, line-throughs after it.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .. import fonts
from ..affine import Affine, map_point, multiply
from ..ingest.safe_xml import SVG_NS, local_name
from ..limits import limit_error
from ..scene import Glyph, PrimitiveKind, TextRun
from ..text_layout import (
    CharPositions,
    Cluster,
    LengthRule,
    PathGeometry,
    PathPlacement,
    Segment,
    decoration_quads,
    layout_text,
)
from . import path_data
from .context import ANIMATION, Ctx, Node, href_of
from .primitives import Primitives
from .units import LENGTH

__all__ = ["Text"]

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_DECORATIONS = ("underline", "overline", "line-through")
_CHILD_IGNORED = frozenset({"clip-path", "mask", "filter", "opacity"})


@dataclass
class _Item:
    """A content element: its style and node, its characters ``[start, end)``, its own font,
    the decoration lines it declares and its nesting depth."""

    el: ET.Element
    style: dict[str, str]
    node: Node
    start: int
    end: int
    span: fonts.TextSpan
    decorations: tuple[str, ...]
    depth: int
    lists: dict[str, list[float]]


@dataclass
class _Node:
    """A text node's characters ``[start, end)`` and the segment properties they share."""

    start: int
    end: int
    item: int
    span: fonts.TextSpan
    letter_spacing: float
    word_spacing: float
    baseline_shift: float
    anchor: str
    path: int


@dataclass
class _Inherited:
    space: str
    word_spacing: float
    baseline_shift: float
    path: int


class _State:
    def __init__(self) -> None:
        self.chars: list[str] = []
        self.collapsible: list[bool] = []
        self.last_space = True  # leading spaces of the element are dropped
        self.items: list[_Item] = []
        self.nodes: list[_Node] = []
        self.paths: list[PathPlacement] = []


class Text(Primitives):
    """Lays out text elements as runs (one primitive per text node)."""

    def text(self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx) -> None:
        """Emit the runs of one ``<text>`` element."""
        ctm = multiply(ctx.ctm, self.transform_of(el))
        ctx, style, gi = self.effect_group(el, "text", style, ctx, ctm)
        try:
            self._text_runs(el, style, node, ctx, ctm)
        finally:
            if gi >= 0:
                self.close_group(gi)

    # -----------------------------------------------------------------------------------------
    # collection
    # -----------------------------------------------------------------------------------------

    def _text_runs(
        self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx, ctm: Affine
    ) -> None:
        laid = self._layout(el, style, node, ctx)
        if laid is not None:
            self._emit_all(*laid, ctx, ctm)

    def _layout(
        self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx
    ) -> tuple[_State, list[Segment], list[_Node], list[Cluster]] | None:
        """Collect and lay out the characters of ``el``: its state, segments, the text node of
        each segment and the placed clusters, or ``None`` when there is nothing to draw."""
        st = _State()
        inh = _Inherited("default", 0.0, 0.0, -1)
        self._walk(el, style, node, ctx, st, inh, 0)
        # a trailing collapsible space is dropped (the leading ones never got in)
        if st.chars and st.chars[-1] == " " and st.collapsible[-1]:
            st.chars.pop()
            st.collapsible.pop()
        n = len(st.chars)
        for it in st.items:
            it.end = min(it.end, n)
        segs: list[Segment] = []
        seg_nodes: list[_Node] = []
        for tn in st.nodes:
            tn.end = min(tn.end, n)
            if tn.end > tn.start:
                text = "".join(st.chars[tn.start : tn.end])
                segs.append(
                    Segment(
                        text,
                        fonts.TextSpan(
                            text, tn.span.families, tn.span.size, tn.span.weight, tn.span.style
                        ),
                        tn.letter_spacing,
                        tn.word_spacing,
                        tn.baseline_shift,
                        tn.anchor,
                        tn.path,
                    )
                )
                seg_nodes.append(tn)
        if not segs:
            return None
        pos = CharPositions.empty(n)
        lengths: list[LengthRule] = []
        for it in st.items:
            for key, values in it.lists.items():
                if key == "textLength":
                    lengths.append(LengthRule(it.start, it.end, values[0], values[1] > 0, it.depth))
                    continue
                target = getattr(pos, key)
                if key == "rotate":
                    for k in range(it.start, it.end):
                        target[k] = values[min(k - it.start, len(values) - 1)]
                else:
                    for k, v in enumerate(values[: it.end - it.start]):
                        target[it.start + k] = v
        return st, segs, seg_nodes, layout_text(segs, pos, lengths, st.paths)

    def _walk(
        self,
        el: ET.Element,
        style: dict[str, str],
        node: Node,
        ctx: Ctx,
        st: _State,
        inh: _Inherited,
        depth: int,
    ) -> None:
        vp = ctx.viewport
        fs = self.font_size(style, el, ctx)
        space = el.get(_XML_SPACE, inh.space).strip()
        ws_raw = style.get("word-spacing", el.get("word-spacing"))
        ws = inh.word_spacing if ws_raw is None else self._spacing(ws_raw, el, "word-spacing", fs)
        ls = self._spacing(style.get("letter-spacing", "normal"), el, "letter-spacing", fs)
        bs = inh.baseline_shift + self._baseline_shift(
            style.get("baseline-shift", el.get("baseline-shift")), el, fs
        )
        decos = _decorations(style.get("text-decoration", el.get("text-decoration")))
        if depth == 0:
            # decorations of the ancestors propagate to the text (CSS), drawn in its own paint
            decos = tuple(dict.fromkeys(self._ancestor_decorations(el) + decos))
        span = fonts.TextSpan(
            "",
            _families(style),
            fs,
            _font_weight(style.get("font-weight", "normal")),
            style.get("font-style", "normal").strip(),
        )
        lists: dict[str, list[float]] = {}
        # <textPath> has no positioning attributes (SVG 2): its text sits on the path
        positioned = local_name(el.tag)[1] != "textPath"
        for key, axis in (("x", "x"), ("y", "y"), ("dx", "x"), ("dy", "y")):
            raw = el.get(key) if positioned else None
            if raw is not None:
                vals = [self.length(t, 0.0, el, key, axis, vp, fs) for t in _tokens(raw)]
                if vals:
                    lists[key] = vals
        raw_rot = el.get("rotate") if positioned else None
        if raw_rot is not None:
            rots = [self.number(t, 0.0, el, "rotate") for t in _tokens(raw_rot)]
            rots = [r if math.isfinite(r) else 0.0 for r in rots]
            if rots:
                lists["rotate"] = rots
        raw_len = el.get("textLength")
        if raw_len is not None and LENGTH.match(raw_len.strip()):
            tl = self.length(raw_len.strip(), -1.0, el, "textLength", "x", vp, fs)
            if tl >= 0:
                glyphs = el.get("lengthAdjust", "spacing").strip() == "spacingAndGlyphs"
                lists["textLength"] = [tl, 1.0 if glyphs else 0.0]
        item = len(st.items)
        st.items.append(
            _Item(el, style, node, len(st.chars), len(st.chars), span, decos, depth, lists)
        )
        here = _Inherited(space, ws, bs, inh.path)
        anchor = style.get("text-anchor", "start").strip()

        def add(raw: str) -> None:
            self._add_text(raw, st, here, item, span, ls, ws, bs, anchor)

        if el.text:
            add(el.text)
        for child in el:
            if isinstance(child.tag, str):
                cns, cname = local_name(child.tag)
                if cns in ("", SVG_NS):
                    self._child(child, cname, style, node, ctx, st, here, depth)
            if child.tail:
                add(child.tail)
        st.items[item].end = len(st.chars)

    def _child(
        self,
        child: ET.Element,
        cname: str,
        style: dict[str, str],
        node: Node,
        ctx: Ctx,
        st: _State,
        here: _Inherited,
        depth: int,
    ) -> None:
        vp = ctx.viewport
        if cname in ANIMATION:
            self.warn("ANIMATION_IGNORED", f"<{cname}> (SMIL animation) is ignored", child)
            return
        if cname not in ("tspan", "a", "textPath"):
            return  # other elements inside <text> are not rendered (nor their text)
        cctx = Ctx(ctx.ctm, style, ctx.group, vp, [*ctx.ancestors, node])
        cstyle, cnode = self.compute_style(child, cname, cctx)
        if cstyle.get("display") == "none":
            return
        if not _CHILD_IGNORED.isdisjoint(cstyle):
            # clipping, masking, filters and opacity apply to <text> only, not its children
            cstyle = {k: v for k, v in cstyle.items() if k not in _CHILD_IGNORED}
        sub = here
        if cname == "textPath":
            if here.path >= 0:
                return  # a textPath inside a textPath is not rendered (as in browsers)
            placement = self._text_path(child, cstyle, cctx)
            if placement is None:
                # its text is gone, but it still separates the spaces around it
                st.last_space = False
                return
            st.paths.append(placement)
            sub = _Inherited(here.space, here.word_spacing, 0.0, len(st.paths) - 1)
        self._walk(child, cstyle, cnode, cctx, st, sub, depth + 1)

    def _text_path(self, el: ET.Element, style: dict[str, str], ctx: Ctx) -> PathPlacement | None:
        """The path a ``<textPath>`` refers to, in the text's user space, or ``None`` (with a
        warning) when the link is missing or does not reach a ``<path>``."""
        ref = href_of(el)
        target = self.by_id.get(ref[1:]) if ref and ref.startswith("#") else None
        if target is None or local_name(target.tag)[1] != "path":
            self.warn(
                "INVALID_REFERENCE",
                f"<textPath> link {ref!r} does not reach a <path>: its text is not drawn",
                el,
            )
            return None
        pd = path_data.parse_path_data(target.get("d", ""), self.limits.max_path_commands)
        geo = PathGeometry.from_commands(pd.codes, pd.points, self.transform_of(target))
        if el.get("side", "left").strip() == "right":
            geo = geo.reversed()
        if geo.length <= 0:
            return None
        raw = (el.get("startOffset") or "0").strip()
        if raw.endswith("%"):
            try:
                pct = float(raw[:-1])
            except ValueError:
                pct = 0.0
            offset = pct / 100.0 * geo.length if math.isfinite(pct) else 0.0
        else:
            fs = self.font_size(style, el, ctx)
            offset = self.length(raw, 0.0, el, "startOffset", "x", ctx.viewport, fs)
        return PathPlacement(geo, offset)

    def _add_text(
        self,
        raw: str,
        st: _State,
        inh: _Inherited,
        item: int,
        span: fonts.TextSpan,
        ls: float,
        ws: float,
        bs: float,
        anchor: str,
    ) -> None:
        start = len(st.chars)
        preserve = inh.space == "preserve"
        for ch in raw:
            if ch in "\n\r\t":
                ch = " "
            if not preserve and ch == " " and st.last_space:
                continue
            st.chars.append(ch)
            st.collapsible.append(not preserve)
            st.last_space = ch == " "
        added = len(st.chars) - start
        if not added:
            return
        self.text_chars += added
        if self.text_chars > self.limits.max_text_chars:
            raise limit_error("max_text_chars", self.text_chars, self.limits.max_text_chars)
        st.nodes.append(_Node(start, len(st.chars), item, span, ls, ws, bs, anchor, inh.path))

    def _ancestor_decorations(self, el: ET.Element) -> tuple[str, ...]:
        """Decoration lines declared on the ``<text>`` element's ancestors (through the whole
        cascade: attribute, style sheet, ``style``; they do not inherit, they propagate)."""
        if self._parents is None:
            self._parents = {child: parent for parent in self.root.iter() for child in parent}
        out: list[str] = []
        p = self._parents.get(el)
        while p is not None:
            out.extend(_decorations(self.declared_decorations.get(id(p))))
            p = self._parents.get(p)
        return tuple(out)

    def _spacing(self, raw: str, el: ET.Element, name: str, fs: float) -> float:
        """``letter-spacing`` / ``word-spacing`` in user units (``normal``: 0; ``%`` and ``em``
        of the font size)."""
        v = raw.strip()
        if v in ("normal", "", "inherit", "initial"):
            return 0.0
        return self._font_relative_length(v, el, name, "x", fs)

    def _baseline_shift(self, raw: str | None, el: ET.Element, fs: float) -> float:
        """``baseline-shift`` in user units, positive up: ``sub``/``super`` as browsers draw
        them, ``%`` of the font size (the line height SVG refers to)."""
        v = (raw or "baseline").strip()
        if v in ("baseline", "inherit", "initial", ""):
            return 0.0
        if v == "sub":
            return -0.2 * fs
        if v == "super":
            return 0.4 * fs
        return self._font_relative_length(v, el, "baseline-shift", "y", fs)

    def _font_relative_length(
        self, v: str, el: ET.Element, name: str, axis: str, fs: float
    ) -> float:
        """A length in user units where ``%`` is of the font size ``fs`` (0 with a warning when
        ``v`` is not a length)."""
        m = LENGTH.match(v)
        if m is None:
            self.warn("INVALID_ATTRIBUTE", f"{name}={v!r} is not a length", el)
            return 0.0
        if (m.group(2) or "") == "%":
            return float(m.group(1)) / 100.0 * fs
        return self.length(v, 0.0, el, name, axis, (0.0, 0.0), fs)

    # -----------------------------------------------------------------------------------------
    # emission
    # -----------------------------------------------------------------------------------------

    def _emit_all(
        self,
        st: _State,
        segs: list[Segment],
        seg_nodes: list[_Node],
        clusters: list[Cluster],
        ctx: Ctx,
        ctm: Affine,
    ) -> None:
        gi = ctx.group
        at = {c.char: k for k, c in enumerate(clusters)}
        for kinds in (("underline", "overline"), ("line-through",)):
            if kinds[0] == "line-through":
                self._emit_runs(segs, seg_nodes, st, clusters, ctx, ctm, gi)
            for it in st.items:
                if any(kind in kinds for kind in it.decorations):
                    # only this element's clusters, in display order (cost: its own length)
                    idx = sorted(at[k] for k in range(it.start, it.end) if k in at)
                    mine = [clusters[k] for k in idx]
                    for kind in it.decorations:
                        if kind in kinds:
                            self._emit_decoration(it, kind, mine, ctx, ctm, gi)

    def _emit_runs(
        self,
        segs: list[Segment],
        seg_nodes: list[_Node],
        st: _State,
        clusters: list[Cluster],
        ctx: Ctx,
        ctm: Affine,
        gi: int,
    ) -> None:
        by_seg: dict[int, list[Cluster]] = {}
        for c in clusters:
            by_seg.setdefault(c.seg, []).append(c)
        first_of: dict[int, int] = {}
        vp = ctx.viewport
        for k, (seg, tn) in enumerate(zip(segs, seg_nodes)):
            mine = [c for c in by_seg.get(k, []) if not c.hidden]
            if not mine:
                continue
            it = st.items[tn.item]
            span = seg.span
            fs = span.size
            shaped = all(c.shaped for c in mine)
            ascent, descent = (
                fonts.font_extents(span.families, span.weight, span.style)
                if shaped
                else (fonts.ESTIMATED_ASCENT_EM, fonts.ESTIMATED_DESCENT_EM)
            )
            top, bottom = -ascent * fs, descent * fs
            y = mine[0].y
            quads: list[list[tuple[float, float]]]
            straight = all(c.rotate == 0.0 and c.y == y for c in mine)
            if straight:
                x0 = min(c.x for c in mine)
                x1 = max(c.x + c.width for c in mine)
                quads = [[(x0, y + top), (x1, y + top), (x1, y + bottom), (x0, y + bottom)]]
            else:
                quads = [
                    [
                        c.point(0, top),
                        c.point(c.width, top),
                        c.point(c.width, bottom),
                        c.point(0, bottom),
                    ]
                    for c in mine
                ]
            pd = _polygons(quads) if fs > 0 and any(c.width > 0 for c in mine) else None
            run_ctx = Ctx(ctx.ctm, it.style, gi, vp, ctx.ancestors)
            idx = self.emit(
                it.el,
                PrimitiveKind.TEXT,
                "text",
                it.node,
                run_ctx,
                ctm,
                it.style,
                pd if pd is not None else path_data.PathData(),
            )
            chunk = mine[0].chunk
            first_of.setdefault(chunk, idx)
            corners = [map_point(ctm, px, py) for q in quads for px, py in q]
            xs = [p[0] for p in corners]
            ys = [p[1] for p in corners]
            glyphs = [g for c in mine for g in c.placed_glyphs(y, tn.start)]
            x_min = min(c.x for c in mine)
            self.texts[idx] = TextRun(
                seg.text,
                x_min,
                y,
                span.families,
                fs,
                span.weight,
                span.style,
                seg.anchor,
                (min(xs), min(ys), max(xs), max(ys)),
                first_of[chunk],
                max(c.x + c.width for c in mine) - x_min,
                tuple(glyphs),
                shaped,
            )

    def _emit_decoration(
        self, it: _Item, kind: str, clusters: list[Cluster], ctx: Ctx, ctm: Affine, gi: int
    ) -> None:
        quads = self._decoration_quads(it, kind, clusters)
        if not quads:
            return
        run_ctx = Ctx(ctx.ctm, it.style, gi, ctx.viewport, ctx.ancestors)
        self.emit(
            it.el, PrimitiveKind.PATH, "text", it.node, run_ctx, ctm, it.style, _polygons(quads)
        )

    def _decoration_quads(
        self, it: _Item, kind: str, clusters: list[Cluster]
    ) -> list[list[tuple[float, float]]]:
        """The quadrilaterals of one decoration line of item ``it`` (user space)."""
        span = it.span
        fs = span.size
        if not (fs > 0) or it.end <= it.start:
            return []
        under_pos, under_size, strike_pos, strike_size = fonts.decoration_metrics(
            span.families, span.weight, span.style
        )
        if kind == "underline":
            # the post table gives the line's centre (FreeType's reading, as browsers use it)
            top, size = -under_pos * fs - under_size * fs / 2.0, under_size * fs
        elif kind == "overline":
            ascent, _descent = fonts.font_extents(span.families, span.weight, span.style)
            top, size = -ascent * fs - under_size * fs / 2.0, under_size * fs
        else:
            top, size = -strike_pos * fs - strike_size * fs / 2.0, strike_size * fs
        return decoration_quads(clusters, it.start, it.end, top, size)

    # -----------------------------------------------------------------------------------------
    # outlines (text inside a <clipPath>)
    # -----------------------------------------------------------------------------------------

    def text_outlines(
        self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx
    ) -> list[path_data.PathData]:
        """The ink of a ``<text>`` element as paths in its own user space (before its
        ``transform``), laid out exactly as :meth:`text` lays it out; nothing is emitted.

        Every glyph outline is placed by the matrix the renderer uses (its position, rotation
        and horizontal stretch). The outlines are meant for the nonzero rule: glyphs of one font
        share one winding direction, so overlapping glyphs unite; glyphs of different font
        files may wind the other way, so each font file gets its own path (the union of the
        paths is the ink). Characters no font could shape have no outline: their advance box
        (the estimated ascent to descent) stands in, with a warning. Decoration lines are part
        of the ink."""
        laid = self._layout(el, style, node, ctx)
        if laid is None:
            return []
        st, _segs, seg_nodes, clusters = laid
        groups: dict[tuple[str, int], path_data.PathData] = {}
        boxes: list[list[tuple[float, float]]] = []
        budget = self.limits.max_path_commands
        n_cmds = 0
        at = {c.char: k for k, c in enumerate(clusters)}
        for c in clusters:
            self.deadline.check()
            if c.hidden:
                continue
            it = st.items[seg_nodes[c.seg].item]
            if it.style.get("visibility", "visible").strip() != "visible":
                continue
            fs = seg_nodes[c.seg].span.size
            if not (fs > 0) or not math.isfinite(fs):
                continue
            if not c.shaped:
                if not (c.width > 0):
                    continue
                top, bottom = -fonts.ESTIMATED_ASCENT_EM * fs, fonts.ESTIMATED_DESCENT_EM * fs
                boxes.append(
                    [
                        c.point(0, top),
                        c.point(c.width, top),
                        c.point(c.width, bottom),
                        c.point(0, bottom),
                    ]
                )
                continue
            for g in c.placed_glyphs(0.0, 0):
                codes, pts = fonts.glyph_outline(g.font_file, g.face_index, g.glyph_id)
                if not codes:
                    continue
                n_cmds += len(codes)
                if n_cmds > budget:
                    raise limit_error("max_path_commands", n_cmds, budget)
                key = (g.font_file, g.face_index)
                pd = groups.get(key)
                if pd is None:
                    pd = groups[key] = path_data.PathData()
                pd.codes.extend(codes)
                pd.points.extend(_place_glyph(pts, g, fs / fonts.units_per_em(*key)))
        if boxes:
            self.warn(
                "UNSUPPORTED_CLIP",
                "no font could shape some text inside a clipPath: its advance boxes clip instead",
                el,
            )
        for it in st.items:
            if it.decorations and it.style.get("visibility", "visible").strip() == "visible":
                idx = sorted(at[k] for k in range(it.start, it.end) if k in at)
                mine = [clusters[k] for k in idx if not clusters[k].hidden]
                for kind in it.decorations:
                    boxes.extend(self._decoration_quads(it, kind, mine))
        out = list(groups.values())
        if boxes:
            out.append(_polygons(boxes))
        return out


def _place_glyph(pts: list[float], g: Glyph, scale: float) -> list[float]:
    """Glyph outline points (font units, y up) in user space: the glyph's horizontal
    stretch, then its rotation about its origin (degrees, clockwise on screen), as the
    renderer's ``_glyph_matrix`` places them."""
    sx = scale * g.scale
    if g.rotate == 0.0:
        a, b, c, d = sx, 0.0, 0.0, -scale
    else:
        rad = math.radians(g.rotate)
        cs, sn = math.cos(rad), math.sin(rad)
        a, b, c, d = cs * sx, sn * sx, sn * scale, -cs * scale
    xs, ys = pts[0::2], pts[1::2]
    out: list[float] = []
    for x, y in zip(xs, ys):
        out.append(a * x + c * y + g.x)
        out.append(b * x + d * y + g.y)
    return out


def _polygons(quads: list[list[tuple[float, float]]]) -> path_data.PathData:
    pd = path_data.PathData()
    for q in quads:
        pd.codes.extend([0] + [1] * (len(q) - 1) + [3])
        for px, py in q:
            pd.points.extend((px, py))
    return pd


def _decorations(raw: str | None) -> tuple[str, ...]:
    """The lines a ``text-decoration`` value asks for (a comma makes it invalid: none)."""
    tokens = (raw or "").replace(",", " , ").split()
    if "," in tokens:
        return ()
    return tuple(t for t in tokens if t in _DECORATIONS)


def _tokens(value: str) -> list[str]:
    return value.replace(",", " ").split()


def _families(style: dict[str, str]) -> tuple[str, ...]:
    family = tuple(
        f.strip().strip("'\"")
        for f in style.get("font-family", "sans-serif").split(",")
        if f.strip()
    )
    return family or ("sans-serif",)


def _font_weight(value: str) -> int:
    v = str(value).strip().lower()
    if v in ("bold", "bolder"):
        return 700
    if v in ("normal", "lighter", ""):
        return 400 if v != "lighter" else 300
    try:
        return int(min(max(float(v), 1.0), 1000.0))
    except ValueError:
        return 400
