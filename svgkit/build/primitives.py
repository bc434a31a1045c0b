"""One primitive's row of the Scene's columns, and the synthetic group of a filtered element.

Resolves what SVG 2 paints on each shape, text run or image (§13): fill and stroke paint with
their opacities and ``fill-rule``, the stroke properties (``stroke-width``, ``stroke-linecap``,
``stroke-linejoin``, ``stroke-miterlimit``, ``stroke-dasharray`` and ``stroke-dashoffset``,
§13.5), ``opacity``, ``visibility``, ``clip-path`` and ``paint-order`` (§13.7). An element with
its own filter or mask is wrapped in a group, so the effect applies to it as one layer in the
order of Filter Effects §4 and CSS Masking §3 (filter, then clip, mask and opacity).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

from .. import filter_spec
from ..affine import Affine
from ..limits import limit_error
from ..scene import (
    FILL_RULE_EVENODD,
    FILL_RULE_NONZERO,
    Group,
    LineCap,
    LineJoin,
    PaintKind,
    PrimitiveKind,
)
from . import path_data
from .context import Ctx, Node, PendingEffects, effect_value, no_bbox
from .paint import Paint, simple_paint
from .shapes import user_space_bbox
from .style import paint_order
from .units import LENGTH, parse_opacity

__all__ = ["BLEND_MODES", "Primitives", "blend_mode", "isolates"]


class Primitives(Paint):
    """Appends primitives to the Scene's columns and wraps filtered elements in groups."""

    def emit(
        self,
        el: ET.Element,
        kind: PrimitiveKind,
        tag: str,
        node: Node,
        ctx: Ctx,
        ctm: Affine,
        style: dict[str, str],
        pd: path_data.PathData,
    ) -> int:
        """Append one primitive (geometry ``pd`` in user space ``ctm``); returns its index."""
        # This runs once per primitive, so the values models almost always write (a plain
        # colour, stroke-width "1", no dashes, default caps and joins, no clip, normal paint
        # order) are recognised here with a dict lookup or a string comparison each; any other
        # value takes the general path, which gives the same result and warns as before.
        a = self.acc
        n_codes = len(pd.codes)
        self.total_cmds += n_codes
        if self.total_cmds > self.limits.max_path_commands:
            raise limit_error("max_path_commands", self.total_cmds, self.limits.max_path_commands)
        cached: list[tuple[float, float, float, float] | None] = []

        def bbox_user() -> tuple[float, float, float, float] | None:
            if not cached:
                cached.append(user_space_bbox(pd) if pd.codes else None)
            return cached[0]

        idx = len(a.kind)
        a.kind.append(int(kind))
        a.codes += pd.codes
        a.points += pd.points
        get = style.get
        # paint servers live in the element's own user space, its transform attribute included
        paint_ctx: Ctx | None = None
        if kind == _LINE:  # a line has no interior to fill
            fk, frgba, fp = _NO_PAINT
        else:
            fill = get("fill", "black")
            fill_opacity = get("fill-opacity", "1")
            simple = simple_paint(fill, fill_opacity)
            if simple is not None:
                fk, frgba, fp = simple
            else:
                paint_ctx = Ctx(ctm, ctx.style, ctx.group, ctx.viewport, ctx.ancestors)
                fk, frgba, fp = self.paint(
                    fill, fill_opacity, style, el, paint_ctx, bbox_user, "fill"
                )
        stroke = get("stroke", "none")
        stroke_opacity = get("stroke-opacity", "1")
        simple = simple_paint(stroke, stroke_opacity)
        if simple is not None:
            sk, srgba, sp = simple
        else:
            if paint_ctx is None:
                paint_ctx = Ctx(ctm, ctx.style, ctx.group, ctx.viewport, ctx.ancestors)
            sk, srgba, sp = self.paint(
                stroke, stroke_opacity, style, el, paint_ctx, bbox_user, "stroke"
            )
        vp = ctx.viewport
        sw_raw = get("stroke-width", "1")
        sw = 1.0 if sw_raw == "1" else self.length(sw_raw, 1.0, el, "stroke-width", "xy", vp)
        if sw < 0:
            sw = self._inherited_stroke_width(sw_raw, el, ctx)
        if sw == 0:
            sk, srgba, sp = _NO_PAINT
        ml_raw = get("stroke-miterlimit", "4")
        ml = 4.0 if ml_raw == "4" else self.number(ml_raw, 4.0, el, "stroke-miterlimit")
        dash_raw = get("stroke-dasharray", "none")
        dashes = [] if dash_raw == "none" else self.dasharray(dash_raw, el, vp)
        a.dash_values += dashes
        offset_raw = get("stroke-dashoffset", "0")
        dash_offset = (
            0.0
            if offset_raw == "0"
            else self.length(offset_raw, 0.0, el, "stroke-dashoffset", "xy", vp)
        )
        opacity = parse_opacity(get("opacity", "1"))
        visible = get("visibility", "visible").strip() == "visible"
        clip_value = get("clip-path")
        clip = -1 if clip_value is None else self.clip_ref(clip_value, el, ctx, ctm, bbox_user)
        order_raw = get("paint-order", "normal")
        if order_raw == "normal":
            stroke_first = False
        else:
            order = paint_order(style)
            stroke_first = (bool(order) and order[0] == "stroke") or (
                len(order) >= 2 and order[0] == "markers" and order[1] == "stroke"
            )
        # the fields of context.ROW_FIELDS, in order
        a.rows.append(
            (
                tag,
                node.id,
                node.classes,
                ctx.group,
                n_codes,
                len(pd.points) // 2,
                ctm,
                int(fk),
                frgba,
                fp,
                FILL_RULE_EVENODD if get("fill-rule") == "evenodd" else FILL_RULE_NONZERO,
                int(sk),
                srgba,
                sp,
                sw,
                _enum_value(LineCap, get("stroke-linecap", "butt"), LineCap.BUTT),
                _enum_value(LineJoin, get("stroke-linejoin", "miter"), LineJoin.MITER),
                ml if ml >= 1.0 else 4.0,
                len(dashes),
                dash_offset,
                opacity,
                visible,
                clip,
                stroke_first,
            )
        )
        return idx

    def _inherited_stroke_width(self, raw: str, el: ET.Element, ctx: Ctx) -> float:
        """The width a negative ``stroke-width`` leaves in place.

        A negative width is invalid (SVG 2 §13.5.1), and browsers drop an invalid declaration, so
        the value the element inherits stands: its parent's width, or the initial 1."""
        parent_raw = ctx.style.get("stroke-width", "1")
        width = 1.0
        if parent_raw not in ("1", raw):
            width = self.length(parent_raw, 1.0, el, "stroke-width", "xy", ctx.viewport)
            if not width >= 0:
                width = 1.0
        self.warn(
            "INVALID_ATTRIBUTE",
            f"stroke-width={raw!r} is negative (invalid); the inherited width {width:g} is used",
            el,
        )
        return width

    def dasharray(self, value: str, el: ET.Element, vp: tuple[float, float]) -> list[float]:
        """A ``stroke-dasharray`` in user units; ``[]`` (solid) for none or an invalid list."""
        v = value.strip()
        if v in ("none", ""):
            return []
        parts = [p for p in re.split(r"[\s,]+", v) if p]
        out: list[float] = []
        for p in parts:
            m = LENGTH.match(p)
            if m is None:
                self.warn(
                    "INVALID_ATTRIBUTE", f"stroke-dasharray={value!r} is invalid; drawn solid", el
                )
                return []
            out.append(self.length(p, 0.0, el, "stroke-dasharray", "xy", vp))
        if any(d < 0 for d in out):
            self.warn(
                "INVALID_ATTRIBUTE",
                f"stroke-dasharray={value!r} has a negative value; drawn solid",
                el,
            )
            return []
        if sum(out) <= 0:
            return []
        if len(out) % 2:
            out = out * 2
        return out

    def effect_group(
        self, el: ET.Element, name: str, style: dict[str, str], ctx: Ctx, ctm: Affine
    ) -> tuple[Ctx, dict[str, str], int]:
        """Wrap one element that has a filter, a mask or a ``mix-blend-mode`` in a synthetic
        group of its own.

        The effect, the element's opacity and its clip-path move onto the group, so they apply
        to the filtered element as a whole layer in SVG's order (filter, then clip, mask and
        opacity), and that layer is what blends with the backdrop (CSS Compositing 1 §3.2: a
        blended element is rendered as a group); returns the context and style to emit the
        element with.
        """
        if "filter" not in style and "mask" not in style and "mix-blend-mode" not in style:
            return ctx, style, -1  # the usual case
        filt = effect_value(style.get("filter"))
        mask = effect_value(style.get("mask"))
        blend = blend_mode(style)
        if not filt and not mask and blend == "normal":
            return ctx, style, -1
        depth = self.groups[ctx.group].depth + 1 if ctx.group >= 0 else 0
        gi = len(self.groups)
        opacity = parse_opacity(style.get("opacity", "1"))
        clip_value = style.get("clip-path")
        deferred_clip = (clip_value or "") if self.clip_needs_bbox(clip_value) else ""
        clip = -1 if deferred_clip else self.clip_ref(clip_value, el, ctx, ctm, no_bbox)
        self.groups.append(
            Group(
                gi,
                ctx.group,
                name,
                opacity=opacity,
                clip=clip,
                depth=depth,
                synthetic=True,
                blend_mode=blend,
            )
        )
        if filt or mask or deferred_clip:
            self.pending.append(
                PendingEffects(gi, len(self.acc.kind), el, ctm, ctx, filt, mask, clip=deferred_clip)
            )
        inner = {
            **style,
            "opacity": "1",
            "filter": "none",
            "mask": "none",
            "clip-path": "none",
            "mix-blend-mode": "normal",
        }
        inner_ctx = Ctx(
            ctx.ctm, ctx.style, gi, ctx.viewport, ctx.ancestors, ctx.use_chain, ctx.ref_depth
        )
        return inner_ctx, inner, gi

    def close_group(self, gi: int) -> None:
        """Mark the end of group ``gi``'s primitives (needed to resolve its effects)."""
        for rec in reversed(self.pending):
            if rec.group == gi:
                rec.end = len(self.acc.kind)
                if rec.filter and rec.end == rec.start:
                    # a filter draws even with no input (an feFlood in a userSpaceOnUse
                    # region): the renderer needs to know where the empty group sits
                    self.groups[gi] = replace(self.groups[gi], empty_at=rec.start)
                return


#: The ``mix-blend-mode`` keywords (CSS Compositing 1 §5, and ``plus-lighter`` of Level 2).
BLEND_MODES = frozenset(filter_spec.BLEND_MODES) | {"plus-lighter"}


def blend_mode(style: dict[str, str]) -> str:
    """The element's ``mix-blend-mode`` keyword; ``"normal"`` when absent or invalid (the
    property is not inherited, so an invalid declaration leaves the initial value).

    Examples
    --------
    >>> blend_mode({"mix-blend-mode": " Multiply "}), blend_mode({"mix-blend-mode": "x"})
    ('multiply', 'normal')
    """
    raw = style.get("mix-blend-mode")
    if raw is None:
        return "normal"
    value = raw.strip().lower()
    return value if value in BLEND_MODES else "normal"


def isolates(style: dict[str, str]) -> bool:
    """Whether the element's ``isolation`` is ``isolate`` (``auto`` when absent or invalid)."""
    raw = style.get("isolation")
    return raw is not None and raw.strip().lower() == "isolate"


_LINE = int(PrimitiveKind.LINE)
_NO_PAINT: tuple[int, tuple[float, float, float, float], int] = (
    PaintKind.NONE,
    (0.0, 0.0, 0.0, 0.0),
    -1,
)
# (enum class, raw value) → member value, for the cap and join keywords
_ENUM_VALUES: dict[tuple[Any, str], int] = {}


def _enum_value(enum_cls: Any, value: str, default: Any) -> int:
    """The member of ``enum_cls`` a keyword names (``-`` read as ``_``, any case), else
    ``default``; memoised, as the same few keywords repeat on every primitive."""
    key = (enum_cls, value)
    hit = _ENUM_VALUES.get(key)
    if hit is not None:
        return hit
    try:
        out = int(enum_cls[value.replace("-", "_").strip().upper()])
    except KeyError:
        out = int(default)
    if len(_ENUM_VALUES) < 1024:
        _ENUM_VALUES[key] = out
    return out
