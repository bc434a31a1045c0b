"""XML tree → Scene: the one place that knows SVG's structure and cascade.

svgelements supplies the value parsers (colours, transforms); the tree walk is ours so that group
opacity, gradient references, ``<symbol>`` viewports and ``<use>`` instances come out right (see
the traps listed in the project's field notes).
"""

from __future__ import annotations

import colorsys
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from svgelements import Color, Matrix

from ..affine import Affine, IDENTITY, is_finite, map_point, multiply, transform_points
from . import path_data
from .css import CSSRule, StyleSheet, parse_declarations, parse_stylesheet
from ..ingest.safe_xml import SVG_NS, XLINK_NS, ParsedXML, count_tags, local_name
from ..errors import ErrorCode, SVGKitError, _DiagnosticSink
from ..limits import Deadline, Limits, limit_error
from ..color import parse_color
from ..paths import COMMAND_POINTS
from ..scene import (
    FILL_RULE_EVENODD,
    FILL_RULE_NONZERO,
    Canvas,
    ClipPath,
    Filter,
    Gradient,
    GradientStop,
    Group,
    Image,
    LineCap,
    LineJoin,
    Mask,
    PaintKind,
    Pattern,
    PrimitiveKind,
    Scene,
    TextRun,
)

__all__ = ["build_scene"]

BBoxFn = Callable[[], "tuple[float, float, float, float] | None"]

_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_LENGTH = re.compile(rf"^\s*({_NUM})\s*(px|pt|pc|mm|cm|in|em|ex|%|)\s*$", re.IGNORECASE)
_NUMBER_LIST = re.compile(_NUM)
_NUMBER_ONLY = re.compile(rf"^\s*{_NUM}\s*$")
_CSS_UNITS = re.compile(rf"({_NUM})(?:px|deg)\b")
_URL = re.compile(r"^\s*url\(\s*['\"]?\s*#([^'\")\s]+)\s*['\"]?\s*\)\s*(.*)$", re.IGNORECASE)
_TRANSFORM_LIST = re.compile(
    r"^[\s,]*(?:(?:matrix|translate|scale|rotate|skewX|skewY)\s*\([^()]*\)[\s,]*)*$"
)
_EXTERNAL_URL = re.compile(r"^\s*url\(", re.IGNORECASE)
_UNIT_PX = {
    "px": 1.0,
    "": 1.0,
    "pt": 4.0 / 3.0,
    "pc": 16.0,
    "mm": 96.0 / 25.4,
    "cm": 96.0 / 2.54,
    "in": 96.0,
}

# Properties that inherit (SVG 2 / CSS): the walk copies these from parent to child.
INHERITED = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "visibility",
        "clip-rule",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "color",
        "paint-order",
        "marker-start",
        "marker-mid",
        "marker-end",
        "color-interpolation-filters",
        "font",
        "letter-spacing",
        "dominant-baseline",
    }
)
# Presentation attributes svgkit reads (others are ignored as attributes).
PRESENTATION = INHERITED | {
    "opacity",
    "display",
    "clip-path",
    "mask",
    "filter",
    "stop-color",
    "stop-opacity",
    "overflow",
    "transform",
    "flood-color",
    "flood-opacity",
    "lighting-color",
    "mask-type",
}
DEFAULT_STYLE: dict[str, str] = {
    "fill": "black",
    "fill-opacity": "1",
    "fill-rule": "nonzero",
    "stroke": "none",
    "stroke-width": "1",
    "stroke-opacity": "1",
    "stroke-linecap": "butt",
    "stroke-linejoin": "miter",
    "stroke-miterlimit": "4",
    "stroke-dasharray": "none",
    "stroke-dashoffset": "0",
    "visibility": "visible",
    "clip-rule": "nonzero",
    "font-family": "sans-serif",
    "font-size": "16",
    "font-weight": "normal",
    "font-style": "normal",
    "text-anchor": "start",
    "color": "black",
    "paint-order": "normal",
}

SHAPES = {
    "rect": PrimitiveKind.RECT,
    "circle": PrimitiveKind.CIRCLE,
    "ellipse": PrimitiveKind.ELLIPSE,
    "line": PrimitiveKind.LINE,
    "polyline": PrimitiveKind.POLYLINE,
    "polygon": PrimitiveKind.POLYGON,
    "path": PrimitiveKind.PATH,
}
CONTAINERS = {"g", "a", "switch"}
NEVER_RENDERED = {
    "defs",
    "symbol",
    "clipPath",
    "mask",
    "pattern",
    "marker",
    "linearGradient",
    "radialGradient",
    "filter",
    "style",
    "title",
    "desc",
    "metadata",
    "stop",
    "font",
    "font-face",
    "cursor",
    "view",
}
ANIMATION = {"animate", "animateTransform", "animateMotion", "animateColor", "set", "mpath"}
UNSUPPORTED_DRAWN = {"foreignObject", "script", "iframe", "video", "audio", "canvas"}




@dataclass
class _Node:
    """What CSS matching needs to know of an element."""

    tag: str
    id: str
    classes: tuple[str, ...]


@dataclass
class _Ctx:
    """State inherited down the walk."""

    ctm: Affine
    style: dict[str, str]
    group: int
    viewport: tuple[float, float]  # width, height of the nearest viewport in user units
    ancestors: list[_Node]
    use_chain: tuple[str, ...] = ()
    ref_depth: int = 0


@dataclass
class _PendingEffects:
    """A group whose filter, mask or objectBoundingBox clip is resolved once its primitives'
    bboxes are known."""

    group: int
    start: int
    el: ET.Element
    ctm: Affine
    ctx: _Ctx
    filter: str
    mask: str
    end: int = -1
    clip: str = ""


@dataclass
class _Acc:
    """Per-primitive columns accumulated during the walk."""

    kind: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    classes: list[tuple[str, ...]] = field(default_factory=list)
    group: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    points: list[float] = field(default_factory=list)
    n_cmds: list[int] = field(default_factory=list)
    n_pts: list[int] = field(default_factory=list)
    transform: list[Affine] = field(default_factory=list)
    fill_kind: list[int] = field(default_factory=list)
    fill_rgba: list[tuple[float, float, float, float]] = field(default_factory=list)
    fill_paint: list[int] = field(default_factory=list)
    fill_rule: list[int] = field(default_factory=list)
    stroke_kind: list[int] = field(default_factory=list)
    stroke_rgba: list[tuple[float, float, float, float]] = field(default_factory=list)
    stroke_paint: list[int] = field(default_factory=list)
    stroke_width: list[float] = field(default_factory=list)
    line_cap: list[int] = field(default_factory=list)
    line_join: list[int] = field(default_factory=list)
    miter_limit: list[float] = field(default_factory=list)
    dash_counts: list[int] = field(default_factory=list)
    dash_values: list[float] = field(default_factory=list)
    dash_offset: list[float] = field(default_factory=list)
    opacity: list[float] = field(default_factory=list)
    visible: list[bool] = field(default_factory=list)
    clip: list[int] = field(default_factory=list)
    stroke_first: list[bool] = field(default_factory=list)


class _Builder:
    def __init__(self, parsed: ParsedXML, limits: Limits, sink: _DiagnosticSink, tolerance: float):
        self.root = parsed.root
        self.limits = limits
        self.sink = sink
        self.tolerance = tolerance
        self.deadline = Deadline(limits.time_budget_s)
        self.acc = _Acc()
        self.groups: list[Group] = []
        self.gradients: list[Gradient] = []
        self.clips: list[ClipPath] = []
        self.texts: dict[int, TextRun] = {}
        self.images: dict[int, Image] = {}
        self.by_id: dict[str, ET.Element] = {}
        self.use_expansions = 0
        self.total_cmds = 0
        self.text_chars = 0
        self._space_pending = False
        self._chunk_id = 0
        self.css_transforms: dict[int, str] = {}
        self._parents: dict[ET.Element, ET.Element] | None = None
        self._ancestor_styles: dict[int, tuple[dict[str, str], list[_Node]]] = {}
        self.font_size_hint = 16.0
        self.filters: list[Filter] = []
        self.masks: list[Mask] = []
        self.patterns: list[Pattern] = []
        self.pending: list[_PendingEffects] = []
        self.active_refs: set[str] = set()
        self.canvas_info = Canvas(0.0, 0.0, None, "xMidYMid meet", IDENTITY)
        rules: list[CSSRule] = []
        for el in self.root.iter():
            if not isinstance(el.tag, str):
                continue
            ns, name = local_name(el.tag)
            el_id = el.get("id")
            if el_id and el_id not in self.by_id:
                self.by_id[el_id] = el
            if name == "style" and ns in ("", SVG_NS):
                css_type = el.get("type", "text/css").strip().lower()
                if css_type not in ("", "text/css"):
                    continue
                rules += parse_stylesheet("".join(el.itertext()), sink, len(rules))
        self.css = StyleSheet(rules)

    # ------------------------------------------------------------------ values
    def warn(self, code: str, message: str, el: ET.Element | None = None) -> None:
        tag = local_name(el.tag)[1] if el is not None and isinstance(el.tag, str) else ""
        self.sink.add(code, message, tag, (el.get("id") or "") if el is not None else "")

    def number(self, value: str | None, default: float, el: ET.Element, name: str) -> float:
        """A plain SVG number (no unit): anything else is invalid and gives ``default``."""
        if value is not None and not _NUMBER_ONLY.match(value):
            self.warn("INVALID_ATTRIBUTE", f"{name}={value!r} is not a number", el)
            return default
        return self.length(value, default, el, name, axis="xy")

    def length(
        self,
        value: str | None,
        default: float,
        el: ET.Element,
        name: str,
        axis: str,
        viewport: tuple[float, float] = (0.0, 0.0),
        font_size: float = 16.0,
    ) -> float:
        """A length in user units; ``axis`` is ``"x"``, ``"y"`` or ``"xy"`` for percentages."""
        if value is None:
            return default
        try:
            plain = float(value)  # most lengths are bare numbers: skip the regex
        except ValueError:
            pass
        else:
            if math.isfinite(plain) and abs(plain) <= self.limits.max_coordinate:
                return plain
            if not _NUMBER_ONLY.match(value):  # "nan", "inf", "1_0": not SVG numbers
                self.warn("INVALID_ATTRIBUTE", f"{name}={value!r} is not a length", el)
                return default
            raise limit_error("max_coordinate", f"{name}={value}", self.limits.max_coordinate)
        m = _LENGTH.match(value)
        if m is None:
            self.warn("INVALID_ATTRIBUTE", f"{name}={value!r} is not a length", el)
            return default
        num = float(m.group(1))
        unit = m.group(2).lower()
        if unit in _UNIT_PX:
            out = num * _UNIT_PX[unit]
        elif unit == "%":
            w, h = viewport
            ref = w if axis == "x" else h if axis == "y" else math.sqrt((w * w + h * h) / 2.0)
            out = num / 100.0 * ref
        elif unit in ("em", "ex"):
            size = self.font_size_hint if font_size == 16.0 else font_size
            out = num * size * (1.0 if unit == "em" else 0.5)
        return self._checked(out, name, el)

    def _checked(self, v: float, name: str, el: ET.Element) -> float:
        if not math.isfinite(v) or abs(v) > self.limits.max_coordinate:
            raise limit_error("max_coordinate", f"{name}={v}", self.limits.max_coordinate)
        return v

    def transform_of(self, el: ET.Element, value: str | None = None) -> Affine:
        if value is None:
            # a transform set from CSS wins over the attribute (CSS units: px, deg)
            css = self.css_transforms.get(id(el))
            text = _CSS_UNITS.sub(r"\1", css) if css is not None else el.get("transform")
        else:
            text = value
        if not text or not text.strip():
            return IDENTITY
        if not _TRANSFORM_LIST.match(text):
            self.warn(
                "INVALID_ATTRIBUTE", f"transform={text!r} is not a transform list; ignored", el
            )
            return IDENTITY
        try:
            m = Matrix(text)
        except Exception:
            self.warn("INVALID_ATTRIBUTE", f"transform={text!r} could not be parsed", el)
            return IDENTITY
        t = (float(m.a), float(m.b), float(m.c), float(m.d), float(m.e), float(m.f))
        if not is_finite(t):
            raise limit_error("max_coordinate", f"transform={text!r}", self.limits.max_coordinate)
        return t

    # ------------------------------------------------------------------ style
    def compute_style(self, el: ET.Element, name: str, ctx: _Ctx) -> tuple[dict[str, str], _Node]:
        """Cascade: inherited values < presentation attributes < CSS rules < style attribute."""
        parent = ctx.style
        # a plain copy (C speed) when the parent holds only inherited properties, as it usually does
        if INHERITED.issuperset(parent):
            style = parent.copy()
        else:
            style = {k: v for k, v in parent.items() if k in INHERITED}
        node = _Node(name, el.get("id", ""), tuple(el.get("class", "").split()))
        attrib = el.attrib
        for key in PRESENTATION.intersection(attrib):
            if key != "transform":
                style[key] = attrib[key].strip()
        important: set[str] = set()
        if self.css:
            for prop, value, imp in self.css.declarations_for(node, ctx.ancestors):
                style[prop] = value
                if imp:
                    important.add(prop)
        style_attr = attrib.get("style")
        if style_attr:
            for prop, value, imp in parse_declarations(style_attr):
                if imp or prop not in important:
                    style[prop] = value
        if "transform" in style:
            self.css_transforms[id(el)] = style.pop("transform")
        if "inherit" in style.values():
            for key, value in list(style.items()):
                if value == "inherit":
                    if key in parent:
                        style[key] = parent[key]
                    else:
                        del style[key]
        return style, node

    def font_size(self, style: dict[str, str], el: ET.Element, ctx: _Ctx) -> float:
        raw = style.get("font-size", "16")
        named = {
            "xx-small": 9.0,
            "x-small": 10.0,
            "small": 13.0,
            "medium": 16.0,
            "large": 18.0,
            "x-large": 24.0,
            "xx-large": 32.0,
        }
        if raw in named:
            return named[raw]
        parent_size = 16.0
        m = _LENGTH.match(ctx.style.get("font-size", "16"))
        if m and not m.group(2):
            parent_size = float(m.group(1))
        v = self.length(raw, 16.0, el, "font-size", "y", (parent_size, parent_size), parent_size)
        return max(v, 0.0)

    # ------------------------------------------------------------------ paint
    def paint(
        self,
        value: str,
        opacity_value: str,
        style: dict[str, str],
        el: ET.Element,
        ctx: _Ctx,
        bbox_user: BBoxFn,
        what: str,
    ) -> tuple[int, tuple[float, float, float, float], int]:
        """Resolve fill or stroke into (PaintKind, rgba, gradient index)."""
        paint_opacity = _opacity(opacity_value)
        v = value.strip()
        if v == "none" or not v:
            return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        m = _URL.match(v)
        if m is not None:
            ref, fallback = m.group(1), m.group(2).strip()
            target = self.by_id.get(ref)
            tname = local_name(target.tag)[1] if target is not None else ""
            if target is not None and tname in ("linearGradient", "radialGradient"):
                return self.gradient_paint(
                    target, el, ctx, bbox_user, paint_opacity, fallback, style
                )
            if target is None:
                self.warn(
                    "MISSING_REFERENCE", f"{what} references #{ref}, which does not exist", el
                )
                if fallback:
                    return self.paint(fallback, opacity_value, style, el, ctx, bbox_user, what)
                return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
            if tname == "pattern":
                from .effects import resolve_pattern

                return resolve_pattern(
                    self, target, el, ctx, bbox_user, paint_opacity, fallback, style
                )
            self.warn(
                "UNSUPPORTED_PAINT", f"{what} paint <{tname}> is drawn with its fallback colour", el
            )
            rgba = (0.5, 0.5, 0.5, 1.0)
            if fallback and fallback != "none":
                rgba = self.solid(fallback, style, el) or rgba
            return PaintKind.UNSUPPORTED, (rgba[0], rgba[1], rgba[2], rgba[3] * paint_opacity), -1
        if _EXTERNAL_URL.match(v):
            self.warn(
                "EXTERNAL_REFERENCE", f"{what}={v!r} points outside the document; never fetched", el
            )
            return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        parsed = self.solid(v, style, el)
        if parsed is not None:
            rgba = parsed
        else:
            self.warn("INVALID_ATTRIBUTE", f"{what}={v!r} is not a colour; using the default", el)
            default = DEFAULT_STYLE["fill"] if what == "fill" else "none"
            if default == "none":
                return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
            rgba = (0.0, 0.0, 0.0, 1.0)
        return PaintKind.SOLID, (rgba[0], rgba[1], rgba[2], rgba[3] * paint_opacity), -1

    def solid(
        self, value: str, style: dict[str, str], el: ET.Element
    ) -> tuple[float, float, float, float] | None:
        if value.strip().lower() == "currentcolor":
            value = style.get("color", "black")
            if value.strip().lower() == "currentcolor":
                value = "black"
        return parse_color(value)

    def gradient_paint(
        self,
        target: ET.Element,
        el: ET.Element,
        ctx: _Ctx,
        bbox_user: BBoxFn,
        paint_opacity: float,
        fallback: str,
        style: dict[str, str],
    ) -> tuple[int, tuple[float, float, float, float], int]:
        chain = self.href_chain(target, ("linearGradient", "radialGradient"))
        kind = local_name(target.tag)[1]

        geometric = {"x1", "y1", "x2", "y2", "cx", "cy", "r", "fx", "fy", "fr"}

        def attr(name: str) -> str | None:
            for g in chain:
                # vector and circle attributes come only from gradients of the same kind
                if name in geometric and local_name(g.tag)[1] != kind:
                    continue
                v = g.get(name)
                if v is not None:
                    return v
            return None

        stops_el = next((g for g in chain if any(_is(s, "stop") for s in g)), None)
        stops = self.gradient_stops(stops_el, ctx) if stops_el is not None else []
        if not stops:
            self.warn(
                "EMPTY_GRADIENT", f"gradient #{target.get('id')} has no stops; painted as none", el
            )
            return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        if len(stops) == 1:
            r, g, b, a = stops[0].rgba
            return PaintKind.SOLID, (r, g, b, a * paint_opacity), -1
        units = (attr("gradientUnits") or "objectBoundingBox").strip()
        spread = (attr("spreadMethod") or "pad").strip()
        if spread not in ("pad", "reflect", "repeat"):
            spread = "pad"
        gt = self.transform_of(target, attr("gradientTransform") or "")
        obb = units != "userSpaceOnUse"
        if obb:
            box = bbox_user()
            if box is None or box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
                # a zero-area bbox makes objectBoundingBox units undefined: the paint is not used
                if fallback:
                    return self.paint(fallback, "1", style, el, ctx, _no_bbox, "fill")
                return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
            x0, y0, x1, y1 = box
            space: Affine = (x1 - x0, 0.0, 0.0, y1 - y0, x0, y0)
            vp = (1.0, 1.0)
        else:
            space = IDENTITY
            vp = ctx.viewport
        to_device = multiply(multiply(ctx.ctm, space), gt)

        def coord(name: str, default: str, axis: str) -> float:
            raw = attr(name)
            raw = default if raw is None else raw
            if obb and raw.strip().endswith("%"):
                return self.number(raw.strip()[:-1], 0.0, target, name) / 100.0
            return self.length(raw, 0.0, target, name, axis, vp)

        mean = _stops_mean(stops)
        rgba = (mean[0], mean[1], mean[2], paint_opacity)
        gid = len(self.gradients)
        if kind == "linearGradient":
            x1_, y1_ = coord("x1", "0%", "x"), coord("y1", "0%", "y")
            x2_, y2_ = coord("x2", "100%", "x"), coord("y2", "0%", "y")
            if x1_ == x2_ and y1_ == y2_:
                r, g, b, a = stops[-1].rgba
                return PaintKind.SOLID, (r, g, b, a * paint_opacity), -1
            self.gradients.append(
                Gradient(
                    "linear",
                    tuple(stops),
                    spread,
                    x1=x1_,
                    y1=y1_,
                    x2=x2_,
                    y2=y2_,
                    transform=to_device,
                    id=target.get("id", ""),
                )
            )
            return PaintKind.LINEAR_GRADIENT, rgba, gid
        cx, cy = coord("cx", "50%", "x"), coord("cy", "50%", "y")
        r_ = coord("r", "50%", "xy")
        fx_raw, fy_raw = attr("fx"), attr("fy")
        fx = coord("fx", "50%", "x") if fx_raw is not None else cx
        fy = coord("fy", "50%", "y") if fy_raw is not None else cy
        fr = coord("fr", "0%", "xy")
        if r_ <= 0:
            r, g, b, a = stops[-1].rgba
            return PaintKind.SOLID, (r, g, b, a * paint_opacity), -1
        self.gradients.append(
            Gradient(
                "radial",
                tuple(stops),
                spread,
                cx=cx,
                cy=cy,
                r=r_,
                fx=fx,
                fy=fy,
                fr=max(fr, 0.0),
                transform=to_device,
                id=target.get("id", ""),
            )
        )
        return PaintKind.RADIAL_GRADIENT, rgba, gid

    def href_chain(self, el: ET.Element, kinds: tuple[str, ...]) -> list[ET.Element]:
        chain = [el]
        seen = {id(el)}
        while True:
            ref = _href(chain[-1])
            if not ref or not ref.startswith("#"):
                break
            nxt = self.by_id.get(ref[1:])
            if nxt is None or id(nxt) in seen or local_name(nxt.tag)[1] not in kinds:
                break
            if len(chain) >= self.limits.max_reference_depth:
                raise limit_error(
                    "max_reference_depth", len(chain) + 1, self.limits.max_reference_depth
                )
            seen.add(id(nxt))
            chain.append(nxt)
        return chain

    def gradient_stops(self, grad: ET.Element, ctx: _Ctx) -> list[GradientStop]:
        stops: list[GradientStop] = []
        last = 0.0
        grad_ctx = self.definition_context(grad, IDENTITY, ctx.viewport)
        gstyle, gnode = self.compute_style(grad, local_name(grad.tag)[1], grad_ctx)
        for s in grad:
            if not _is(s, "stop"):
                continue
            st_ctx = _Ctx(IDENTITY, gstyle, -1, ctx.viewport, [gnode])
            style, _ = self.compute_style(s, "stop", st_ctx)
            raw = (s.get("offset") or "0").strip()
            if raw.endswith("%"):
                off = self.number(raw[:-1], 0.0, s, "offset") / 100.0
            else:
                off = self.number(raw, 0.0, s, "offset")
            off = min(max(off, 0.0), 1.0)
            off = max(off, last)
            last = off
            color_value = style.get("stop-color", "black")
            if color_value.strip().lower() == "currentcolor":
                color_value = style.get("color", "black")
            rgba = parse_color(color_value)
            if rgba is None:
                self.warn("INVALID_ATTRIBUTE", f"stop-color={color_value!r} is not a colour", s)
                rgba = (0.0, 0.0, 0.0, 1.0)
            a = rgba[3] * _opacity(style.get("stop-opacity", "1"))
            stops.append(GradientStop(off, (rgba[0], rgba[1], rgba[2], a)))
        return stops

    # ------------------------------------------------------------------ clips
    def clip_ref(
        self,
        value: str | None,
        el: ET.Element,
        ctx: _Ctx,
        ctm: Affine,
        bbox_user: BBoxFn,
        depth: int = 0,
    ) -> int:
        if not value or value.strip() == "none":
            return -1
        m = _URL.match(value)
        if m is None:
            self.warn(
                "UNSUPPORTED_CLIP", f"clip-path={value!r} (basic shapes) is not supported", el
            )
            return -1
        target = self.by_id.get(m.group(1))
        if target is None or local_name(target.tag)[1] != "clipPath":
            # an invalid reference is ignored: the element draws unclipped, as browsers do
            self.warn(
                "MISSING_REFERENCE",
                f"clip-path references #{m.group(1)}, which is not a <clipPath>",
                el,
            )
            return -1
        if depth >= self.limits.max_reference_depth:
            raise limit_error("max_reference_depth", depth + 1, self.limits.max_reference_depth)
        clip_id = target.get("id", "")
        if f"clip:{clip_id}" in self.active_refs:
            # a clip path that (indirectly) clips itself is in error: nothing it clips is drawn
            self.warn("CLIP_CYCLE", f"clip-path #{clip_id} references itself; clipped away", el)
            self.clips.append(ClipPath(clip_id, (), (), (), -1))
            return len(self.clips) - 1
        self.active_refs.add(f"clip:{clip_id}")
        try:
            return self._resolve_clip(target, el, ctx, ctm, bbox_user, depth)
        finally:
            self.active_refs.discard(f"clip:{clip_id}")

    def _resolve_clip(
        self,
        target: ET.Element,
        el: ET.Element,
        ctx: _Ctx,
        ctm: Affine,
        bbox_user: BBoxFn,
        depth: int,
    ) -> int:
        clip_ctm = multiply(ctm, self.transform_of(target))
        if (target.get("clipPathUnits") or "").strip() == "objectBoundingBox":
            box = bbox_user()
            if box is None:
                self.warn(
                    "UNSUPPORTED_CLIP",
                    "objectBoundingBox clipPathUnits on a container are not applied",
                    el,
                )
                return -1
            x0, y0, x1, y1 = box
            clip_ctm = multiply(clip_ctm, (x1 - x0, 0.0, 0.0, y1 - y0, x0, y0))
        codes_list: list[np.ndarray] = []
        pts_list: list[np.ndarray] = []
        rules: list[int] = []
        cctx = self.definition_context(target, clip_ctm, ctx.viewport)
        cstyle, cnode = self.compute_style(target, "clipPath", cctx)
        for child in self._clip_children(target):
            self.deadline.check()
            name = local_name(child.tag)[1]
            chctx = _Ctx(clip_ctm, cstyle, -1, ctx.viewport, [cnode])
            style, _ = self.compute_style(child, name, chctx)
            if style.get("display") == "none" or style.get("visibility", "visible") != "visible":
                continue
            child_ctm = multiply(clip_ctm, self.transform_of(child))
            pd = self.shape_geometry(child, name, chctx, style)
            if pd is None or not pd.codes:
                continue
            pts = transform_points(
                np.asarray(pd.points, dtype=np.float64).reshape(-1, 2), child_ctm
            )
            self._check_points(pts)
            codes_list.append(np.asarray(pd.codes, dtype=np.uint8))
            pts_list.append(pts)
            rules.append(
                FILL_RULE_EVENODD if style.get("clip-rule") == "evenodd" else FILL_RULE_NONZERO
            )
            if child.get("clip-path") or "clip-path" in (child.get("style") or ""):
                self.warn("UNSUPPORTED_CLIP", "clip-path on a clipPath child is ignored", child)
        nested = (
            self.clip_ref(target.get("clip-path"), target, ctx, ctm, bbox_user, depth + 1)
            if target.get("clip-path")
            else -1
        )
        self.clips.append(
            ClipPath(target.get("id", ""), tuple(codes_list), tuple(pts_list), tuple(rules), nested)
        )
        return len(self.clips) - 1

    def _clip_children(self, clip: ET.Element) -> Iterator[ET.Element]:
        for child in clip:
            if not isinstance(child.tag, str):
                continue
            name = local_name(child.tag)[1]
            if name in SHAPES:
                yield child
            elif name == "use":
                ref = _href(child)
                target = self.by_id.get(ref[1:]) if ref and ref.startswith("#") else None
                if target is not None and local_name(target.tag)[1] in SHAPES:
                    # a use inside a clipPath may only point at a shape; fold its transforms
                    x = self.number(child.get("x"), 0.0, child, "x")
                    y = self.number(child.get("y"), 0.0, child, "y")
                    proxy = ET.Element(target.tag, dict(target.attrib))
                    t = child.get("transform", "")
                    inner = target.get("transform", "")
                    proxy.set("transform", f"{t} translate({x},{y}) {inner}")
                    yield proxy
            elif name == "text":
                self.warn("UNSUPPORTED_CLIP", "<text> inside a clipPath is ignored", child)

    def viewport_clip(self, ctm: Affine, x: float, y: float, w: float, h: float) -> int:
        pd = path_data.rect_commands(x, y, w, h, 0.0, 0.0)
        pts = transform_points(np.asarray(pd.points, dtype=np.float64).reshape(-1, 2), ctm)
        self.clips.append(
            ClipPath("", (np.asarray(pd.codes, dtype=np.uint8),), (pts,), (FILL_RULE_NONZERO,), -1)
        )
        return len(self.clips) - 1

    def _check_points(self, pts: np.ndarray) -> None:
        if pts.size and not np.isfinite(pts).all():
            raise SVGKitError(
                ErrorCode.BAD_GEOMETRY, "geometry has non-finite coordinates after transforms"
            )
        if pts.size and np.abs(pts).max() > self.limits.max_coordinate:
            raise limit_error(
                "max_coordinate", float(np.abs(pts).max()), self.limits.max_coordinate
            )

    # ------------------------------------------------------------------ geometry
    def shape_geometry(
        self, el: ET.Element, name: str, ctx: _Ctx, style: dict[str, str]
    ) -> path_data.PathData | None:
        vp = ctx.viewport
        if name == "path":
            remaining = self.limits.max_path_commands - self.total_cmds
            try:
                pd = path_data.parse_path_data(el.get("d", ""), remaining, self.deadline.check)
            except path_data.PathBudgetExceeded as exc:
                total = self.total_cmds + exc.n_commands
                raise limit_error(
                    "max_path_commands", f">{total}", self.limits.max_path_commands
                ) from None
            if pd.error:
                self.warn("PATH_DATA_ERROR", f"path data error, drawn up to it: {pd.error}", el)
            if pd.points:
                big = max(abs(v) for v in pd.points)
                if not math.isfinite(big) or big > self.limits.max_coordinate:
                    raise limit_error(
                        "max_coordinate", f"path coordinate {big}", self.limits.max_coordinate
                    )
            return pd
        if name == "rect":
            x = self.length(el.get("x"), 0.0, el, "x", "x", vp)
            y = self.length(el.get("y"), 0.0, el, "y", "y", vp)
            w = self.length(el.get("width"), 0.0, el, "width", "x", vp)
            h = self.length(el.get("height"), 0.0, el, "height", "y", vp)
            if w < 0 or h < 0:
                self.warn("INVALID_ATTRIBUTE", "negative rect size; not drawn", el)
                return path_data.PathData()
            if w == 0 or h == 0:
                return path_data.PathData()
            rx_raw, ry_raw = el.get("rx"), el.get("ry")
            rx = (
                self.length(rx_raw, -1.0, el, "rx", "x", vp)
                if rx_raw not in (None, "auto")
                else -1.0
            )
            ry = (
                self.length(ry_raw, -1.0, el, "ry", "y", vp)
                if ry_raw not in (None, "auto")
                else -1.0
            )
            if rx < 0 and ry < 0:
                rx = ry = 0.0
            elif rx < 0:
                rx = ry
            elif ry < 0:
                ry = rx
            rx, ry = min(rx, w / 2.0), min(ry, h / 2.0)
            return path_data.rect_commands(x, y, w, h, rx, ry)
        if name == "circle":
            cx = self.length(el.get("cx"), 0.0, el, "cx", "x", vp)
            cy = self.length(el.get("cy"), 0.0, el, "cy", "y", vp)
            r = self.length(el.get("r"), 0.0, el, "r", "xy", vp)
            if r <= 0:
                if r < 0:
                    self.warn("INVALID_ATTRIBUTE", "negative radius; not drawn", el)
                return path_data.PathData()
            return path_data.ellipse_commands(cx, cy, r, r)
        if name == "ellipse":
            cx = self.length(el.get("cx"), 0.0, el, "cx", "x", vp)
            cy = self.length(el.get("cy"), 0.0, el, "cy", "y", vp)
            rx_raw, ry_raw = el.get("rx"), el.get("ry")
            rx = (
                self.length(rx_raw, -1.0, el, "rx", "x", vp)
                if rx_raw not in (None, "auto")
                else -1.0
            )
            ry = (
                self.length(ry_raw, -1.0, el, "ry", "y", vp)
                if ry_raw not in (None, "auto")
                else -1.0
            )
            if rx < 0 and ry >= 0:
                rx = ry
            elif ry < 0 and rx >= 0:
                ry = rx
            if rx <= 0 or ry <= 0:
                return path_data.PathData()
            return path_data.ellipse_commands(cx, cy, rx, ry)
        if name == "line":
            pd = path_data.PathData()
            x1 = self.length(el.get("x1"), 0.0, el, "x1", "x", vp)
            y1 = self.length(el.get("y1"), 0.0, el, "y1", "y", vp)
            x2 = self.length(el.get("x2"), 0.0, el, "x2", "x", vp)
            y2 = self.length(el.get("y2"), 0.0, el, "y2", "y", vp)
            pd.codes += (path_data.MOVE, path_data.LINE)
            pd.points += (x1, y1, x2, y2)
            return pd
        if name in ("polyline", "polygon"):
            raw_points = el.get("points", "")
            remaining = self.limits.max_path_commands - self.total_cmds
            # a pair takes at least 4 characters ("0 0 "): count only when the length allows more
            if len(raw_points) // 4 > remaining:
                n_pairs = len(_NUMBER_LIST.findall(raw_points)) // 2
                if n_pairs > remaining:
                    raise limit_error(
                        "max_path_commands",
                        self.total_cmds + n_pairs,
                        self.limits.max_path_commands,
                    )
            self.deadline.check()
            values, error = path_data.parse_points(raw_points)
            if error:
                self.warn("INVALID_ATTRIBUTE", f"points: {error}", el)
            pd = path_data.PathData()
            if len(values) >= 2:
                for v in values:
                    self._checked(v, "points", el)
                pd.codes.append(path_data.MOVE)
                pd.codes += [path_data.LINE] * (len(values) // 2 - 1)
                if name == "polygon":
                    pd.codes.append(path_data.CLOSE)
                pd.points += values
            return pd
        return None

    # ------------------------------------------------------------------ walk
    def build(self) -> Scene:
        root = self.root
        canvas, root_ctm, vp = self.canvas(root)
        self.canvas_info = canvas
        style0 = dict(DEFAULT_STYLE)
        ctx = _Ctx(root_ctm, style0, -1, vp, [])
        style, node = self.compute_style(root, "svg", ctx)
        self.groups.append(
            Group(
                0,
                -1,
                "svg",
                root.get("id", ""),
                node.classes,
                root.get("data-object", ""),
                _opacity(style.get("opacity", "1")),
                self.clip_ref(style.get("clip-path"), root, ctx, root_ctm, _no_bbox),
                _ref(style.get("mask")),
                _ref(style.get("filter")),
                False,
                0,
            )
        )
        filt, mask = _effect_ref(style.get("filter")), _effect_ref(style.get("mask"))
        if filt or mask:
            self.pending.append(_PendingEffects(0, 0, root, root_ctm, ctx, filt, mask))
        if style.get("display") != "none":
            child_ctx = _Ctx(root_ctm, style, 0, vp, [node])
            self.walk_children(root, child_ctx)
        self.close_group(0)
        return self.finish(canvas)

    def canvas(self, root: ET.Element) -> tuple[Canvas, Affine, tuple[float, float]]:
        vb = self.viewbox(root)
        w_raw, h_raw = root.get("width"), root.get("height")

        def size(raw: str | None, axis: int) -> float | None:
            if raw is None or raw.strip() in ("", "auto"):
                return None
            m = _LENGTH.match(raw)
            if m is None:
                self.warn(
                    "INVALID_ATTRIBUTE",
                    f"root {'width' if axis == 0 else 'height'}={raw!r} ignored",
                    root,
                )
                return None
            num, unit = float(m.group(1)), m.group(2).lower()
            if unit == "%":
                ref = vb[2 + axis] if vb else (300.0, 150.0)[axis]
                return num / 100.0 * ref
            if unit in ("em", "ex"):
                return num * 16.0 * (0.5 if unit == "ex" else 1.0)
            return num * _UNIT_PX[unit]

        w, h = size(w_raw, 0), size(h_raw, 1)
        if vb is not None:
            if w is None and h is None:
                w, h = vb[2], vb[3]
            elif w is None:
                w = h * vb[2] / vb[3] if h is not None and vb[3] > 0 else vb[2]
            elif h is None:
                h = w * vb[3] / vb[2] if vb[2] > 0 else vb[3]
        w = 300.0 if w is None else w
        h = 150.0 if h is None else h
        for name, v in (("width", w), ("height", h)):
            if not math.isfinite(v) or v <= 0:
                raise SVGKitError(
                    ErrorCode.BAD_GEOMETRY, f"canvas {name} must be positive and finite, got {v}"
                )
            if v > self.limits.max_canvas_size:
                raise limit_error("max_canvas_size", v, self.limits.max_canvas_size)
        par = _normalise_par(root.get("preserveAspectRatio"))
        ctm = _viewbox_transform(vb, par, 0.0, 0.0, w, h) if vb else IDENTITY
        root_t = self.transform_of(root)
        if root_t != IDENTITY:
            ctm = multiply(root_t, ctm)
        vp = (vb[2], vb[3]) if vb else (w, h)
        return Canvas(w, h, vb, par, ctm), ctm, vp

    def viewbox(self, el: ET.Element) -> tuple[float, float, float, float] | None:
        raw = el.get("viewBox")
        if raw is None:
            return None
        nums = _NUMBER_LIST.findall(raw)
        if len(nums) != 4 or _NUMBER_LIST.sub("", raw).replace(",", "").strip():
            self.warn("INVALID_ATTRIBUTE", f"viewBox={raw!r} is not four numbers; ignored", el)
            return None
        vals = tuple(float(v) for v in nums)
        if not all(math.isfinite(v) for v in vals):
            raise SVGKitError(ErrorCode.BAD_GEOMETRY, f"viewBox={raw!r} is not finite")
        if vals[2] <= 0 or vals[3] <= 0:
            raise SVGKitError(
                ErrorCode.BAD_GEOMETRY, f"viewBox={raw!r} has a zero or negative size"
            )
        if (
            max(vals[2], vals[3]) > self.limits.max_canvas_size
            or max(abs(vals[0]), abs(vals[1])) > self.limits.max_coordinate
        ):
            raise limit_error("max_canvas_size", max(vals[2], vals[3]), self.limits.max_canvas_size)
        return vals  # type: ignore[return-value]

    def walk_children(self, el: ET.Element, ctx: _Ctx) -> None:
        switch = local_name(el.tag)[1] == "switch" if isinstance(el.tag, str) else False
        for child in el:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions
            drew = self.walk(child, ctx)
            if switch and drew:
                break

    def walk(self, el: ET.Element, ctx: _Ctx) -> bool:
        """Emit ``el`` and its subtree; returns whether it was a renderable element."""
        self.deadline.check()
        ns, name = local_name(el.tag)
        if ns not in ("", SVG_NS):
            if ns != XLINK_NS:
                self.warn("FOREIGN_ELEMENT", f"element in namespace {ns} is ignored", el)
            return False
        if name in NEVER_RENDERED:
            return False
        if name in ANIMATION:
            self.warn(
                "ANIMATION_IGNORED",
                f"<{name}> (SMIL animation) is ignored; the first frame is drawn",
                el,
            )
            return False
        if name in UNSUPPORTED_DRAWN:
            self.warn("UNSUPPORTED_ELEMENT", f"<{name}> is never drawn or executed", el)
            return False
        style, node = self.compute_style(el, name, ctx)
        if style.get("display", "inline").strip() == "none":
            return False
        if name in CONTAINERS:
            self.container(el, name, style, node, ctx)
            return True
        if name in SHAPES:
            self.shape(el, name, style, node, ctx)
            return True
        if name == "use":
            self.use(el, style, node, ctx)
            return True
        if name == "svg":
            self.nested_svg(el, style, node, ctx)
            return True
        if name == "text":
            self.text(el, style, node, ctx)
            return True
        if name == "image":
            self.image(el, style, node, ctx)
            return True
        if name in ("tspan", "textPath"):
            self.warn("UNSUPPORTED_ELEMENT", f"<{name}> outside <text> is not drawn", el)
            return False
        self.warn("UNSUPPORTED_ELEMENT", f"unknown element <{name}> is ignored", el)
        return False

    def open_group(
        self,
        el: ET.Element,
        tag: str,
        style: dict[str, str],
        node: _Node,
        ctx: _Ctx,
        ctm: Affine,
        use_instance: bool = False,
        clip: int = -1,
    ) -> int:
        deferred_clip = ""
        if clip < 0:
            if self._clip_needs_bbox(style.get("clip-path")):
                deferred_clip = style.get("clip-path", "")
            else:
                clip = self.clip_ref(style.get("clip-path"), el, ctx, ctm, _no_bbox)
        depth = self.groups[ctx.group].depth + 1 if ctx.group >= 0 else 0
        g = Group(
            len(self.groups),
            ctx.group,
            tag,
            el.get("id", ""),
            node.classes,
            el.get("data-object", ""),
            _opacity(style.get("opacity", "1")),
            clip,
            _ref(style.get("mask")),
            _ref(style.get("filter")),
            use_instance,
            depth,
        )
        self.groups.append(g)
        filt = _effect_ref(style.get("filter"))
        mask = _effect_ref(style.get("mask"))
        if filt or mask or deferred_clip:
            self.pending.append(
                _PendingEffects(
                    g.index, len(self.acc.kind), el, ctm, ctx, filt, mask, clip=deferred_clip
                )
            )
        return g.index

    def _clip_needs_bbox(self, value: str | None) -> bool:
        m = _URL.match(value or "")
        target = self.by_id.get(m.group(1)) if m else None
        return target is not None and (target.get("clipPathUnits") or "").strip() == (
            "objectBoundingBox"
        )

    def close_group(self, gi: int) -> None:
        """Mark the end of group ``gi``'s primitives (needed to resolve its effects)."""
        for rec in reversed(self.pending):
            if rec.group == gi:
                rec.end = len(self.acc.kind)
                return

    def definition_context(
        self, el: ET.Element, ctm: Affine, viewport: tuple[float, float]
    ) -> _Ctx:
        """The context a definition element (gradient, clipPath, mask, pattern, marker, filter)
        is styled in: the cascade of its own document ancestors, not of where it is used."""
        if self._parents is None:
            self._parents = {child: parent for parent in self.root.iter() for child in parent}
        chain: list[ET.Element] = []
        p = self._parents.get(el)
        while p is not None:
            chain.append(p)
            p = self._parents.get(p)
        key = id(chain[0]) if chain else 0
        cached = self._ancestor_styles.get(key)
        if cached is None:
            style: dict[str, str] = dict(DEFAULT_STYLE)
            nodes: list[_Node] = []
            for anc in reversed(chain):
                base = _Ctx(IDENTITY, style, -1, viewport, list(nodes))
                full, node = self.compute_style(anc, local_name(anc.tag)[1], base)
                style = self.inheritable(full)
                nodes.append(node)
            cached = (style, nodes)
            self._ancestor_styles[key] = cached
        return _Ctx(ctm, cached[0], -1, viewport, list(cached[1]))

    def inheritable(self, style: dict[str, str]) -> dict[str, str]:
        """The part of a computed style that children inherit."""
        if INHERITED.issuperset(style):
            return style
        return {k: v for k, v in style.items() if k in INHERITED}

    def effect_group(
        self, el: ET.Element, name: str, style: dict[str, str], ctx: _Ctx, ctm: Affine
    ) -> tuple[_Ctx, dict[str, str], int]:
        """Wrap one element that has a filter or mask in a synthetic group of its own.

        The effect, the element's opacity and its clip-path move onto the group, so they apply
        to the filtered element as a whole layer in SVG's order (filter, then clip, mask and
        opacity); returns the context and style to emit the element with.
        """
        filt = _effect_ref(style.get("filter"))
        mask = _effect_ref(style.get("mask"))
        if not filt and not mask:
            return ctx, style, -1
        depth = self.groups[ctx.group].depth + 1 if ctx.group >= 0 else 0
        gi = len(self.groups)
        opacity = _opacity(style.get("opacity", "1"))
        clip_value = style.get("clip-path")
        deferred_clip = (clip_value or "") if self._clip_needs_bbox(clip_value) else ""
        clip = -1 if deferred_clip else self.clip_ref(clip_value, el, ctx, ctm, _no_bbox)
        self.groups.append(
            Group(gi, ctx.group, name, opacity=opacity, clip=clip, depth=depth, synthetic=True)
        )
        self.pending.append(
            _PendingEffects(gi, len(self.acc.kind), el, ctm, ctx, filt, mask, clip=deferred_clip)
        )
        inner = {**style, "opacity": "1", "filter": "none", "mask": "none", "clip-path": "none"}
        inner_ctx = _Ctx(
            ctx.ctm, ctx.style, gi, ctx.viewport, ctx.ancestors, ctx.use_chain, ctx.ref_depth
        )
        return inner_ctx, inner, gi

    def container(
        self, el: ET.Element, name: str, style: dict[str, str], node: _Node, ctx: _Ctx
    ) -> None:
        ctm = multiply(ctx.ctm, self.transform_of(el))
        gi = self.open_group(el, name, style, node, ctx, ctm)
        child_ctx = _Ctx(
            ctm, style, gi, ctx.viewport, [*ctx.ancestors, node], ctx.use_chain, ctx.ref_depth
        )
        self.walk_children(el, child_ctx)
        self.close_group(gi)

    def nested_svg(self, el: ET.Element, style: dict[str, str], node: _Node, ctx: _Ctx) -> None:
        vp = ctx.viewport
        x = self.length(el.get("x"), 0.0, el, "x", "x", vp)
        y = self.length(el.get("y"), 0.0, el, "y", "y", vp)
        w = self.length(el.get("width") or "100%", 0.0, el, "width", "x", vp)
        h = self.length(el.get("height") or "100%", 0.0, el, "height", "y", vp)
        if w <= 0 or h <= 0:
            return
        self.viewport_group(el, "svg", style, node, ctx, x, y, w, h, self.viewbox(el), el, False)

    def viewport_group(
        self,
        el: ET.Element,
        tag: str,
        style: dict[str, str],
        node: _Node,
        ctx: _Ctx,
        x: float,
        y: float,
        w: float,
        h: float,
        vb: tuple[float, float, float, float] | None,
        content: ET.Element,
        use_instance: bool,
    ) -> None:
        base = multiply(ctx.ctm, self.transform_of(el)) if tag == "svg" else ctx.ctm
        par = _normalise_par(content.get("preserveAspectRatio"))
        inner = multiply(
            base, _viewbox_transform(vb, par, x, y, w, h) if vb else (1.0, 0.0, 0.0, 1.0, x, y)
        )
        outer = gi = self.open_group(el, tag, style, node, ctx, base, use_instance)
        if style.get("overflow", "hidden").strip() in ("hidden", "scroll", "clip", ""):
            # the viewport clip sits inside the element's own clip-path, on a group of its own
            gi = self._plain_group(gi, self.viewport_clip(base, x, y, w, h))
        vp = (vb[2], vb[3]) if vb else (w, h)
        child_ctx = _Ctx(inner, style, gi, vp, [*ctx.ancestors, node], ctx.use_chain, ctx.ref_depth)
        self.walk_children(content, child_ctx)
        self.close_group(outer)

    def _plain_group(self, parent: int, clip: int) -> int:
        p = self.groups[parent]
        g = Group(
            len(self.groups), parent, p.tag, "", (), "", 1.0, clip, "", "", False, p.depth + 1
        )
        self.groups.append(g)
        return g.index

    def use(self, el: ET.Element, style: dict[str, str], node: _Node, ctx: _Ctx) -> None:
        ref = _href(el)
        if not ref:
            self.warn("MISSING_REFERENCE", "<use> without href", el)
            return
        if not ref.startswith("#"):
            self.warn(
                "EXTERNAL_REFERENCE",
                f"<use href={ref!r}> points outside the document; never fetched",
                el,
            )
            return
        target_id = ref[1:]
        target = self.by_id.get(target_id)
        if target is None:
            self.warn(
                "MISSING_REFERENCE", f"<use> references #{target_id}, which does not exist", el
            )
            return
        if target_id in ctx.use_chain or _is_ancestor(target, el, self.root):
            # a cycle is an error in that <use> only: the rest of the document still draws
            cycle = " → ".join(f"#{i}" for i in (*ctx.use_chain, target_id))
            self.warn("USE_CYCLE", f"<use> reference cycle {cycle}; this <use> is not drawn", el)
            return
        if len(ctx.use_chain) + 1 > self.limits.max_reference_depth:
            raise limit_error(
                "max_reference_depth", len(ctx.use_chain) + 1, self.limits.max_reference_depth
            )
        self.use_expansions += 1
        if self.use_expansions > self.limits.max_use_expansions:
            raise limit_error(
                "max_use_expansions", self.use_expansions, self.limits.max_use_expansions
            )
        vp = ctx.viewport
        x = self.length(el.get("x"), 0.0, el, "x", "x", vp)
        y = self.length(el.get("y"), 0.0, el, "y", "y", vp)
        ctm = multiply(multiply(ctx.ctm, self.transform_of(el)), (1.0, 0.0, 0.0, 1.0, x, y))
        gi = self.open_group(el, "use", style, node, ctx, ctm, use_instance=True)
        try:
            self._use_content(el, target, target_id, gi, style, node, ctx, ctm)
        finally:
            self.close_group(gi)

    def _use_content(
        self,
        el: ET.Element,
        target: ET.Element,
        target_id: str,
        gi: int,
        style: dict[str, str],
        node: _Node,
        ctx: _Ctx,
        ctm: Affine,
    ) -> None:
        vp = ctx.viewport
        chain = (*ctx.use_chain, target_id)
        use_ctx = _Ctx(ctm, style, gi, vp, [*ctx.ancestors, node], chain, ctx.ref_depth + 1)
        tns, tname = local_name(target.tag)
        if tns not in ("", SVG_NS):
            return
        if tname in ("symbol", "svg"):
            tstyle, tnode = self.compute_style(target, tname, use_ctx)
            if tstyle.get("display") == "none":
                return
            w = self.length(
                el.get("width") or target.get("width") or "100%", 0.0, el, "width", "x", vp
            )
            h = self.length(
                el.get("height") or target.get("height") or "100%", 0.0, el, "height", "y", vp
            )
            if w <= 0 or h <= 0:
                return
            tx = (
                self.length(target.get("x"), 0.0, target, "x", "x", vp)
                if tname == "symbol"
                else 0.0
            )
            ty = (
                self.length(target.get("y"), 0.0, target, "y", "y", vp)
                if tname == "symbol"
                else 0.0
            )
            self.viewport_group(
                target,
                "symbol" if tname == "symbol" else "svg",
                tstyle,
                tnode,
                use_ctx,
                tx,
                ty,
                w,
                h,
                self.viewbox(target),
                target,
                False,
            )
            return
        if tname in NEVER_RENDERED:
            return
        self.walk(target, use_ctx)

    def shape(
        self, el: ET.Element, name: str, style: dict[str, str], node: _Node, ctx: _Ctx
    ) -> None:
        ctm = multiply(ctx.ctm, self.transform_of(el))
        # em/ex lengths on this element's attributes are relative to its own font size
        fs_raw = style.get("font-size", "16")
        self.font_size_hint = 16.0 if fs_raw == "16" else self.font_size(style, el, ctx)
        pd = self.shape_geometry(el, name, ctx, style)
        assert pd is not None
        if len(el):
            for child in el:
                if isinstance(child.tag, str) and local_name(child.tag)[1] in ANIMATION:
                    self.warn(
                        "ANIMATION_IGNORED",
                        "SMIL animation is ignored; the first frame is drawn",
                        child,
                    )
        ectx, estyle, gi = self.effect_group(el, name, style, ctx, ctm)
        markers = name in MARKABLE and _has_markers(style)
        order = _paint_order(style)
        markers_first = markers and bool(order) and order[0] == "markers"
        if markers_first:
            from .markers import emit_markers

            emit_markers(self, el, estyle, ectx, ctm, pd)
        self.emit(el, SHAPES[name], name, node, ectx, ctm, estyle, pd)
        if markers and not markers_first:
            from .markers import emit_markers

            emit_markers(self, el, estyle, ectx, ctm, pd)
        if gi >= 0:
            self.close_group(gi)

    def emit(
        self,
        el: ET.Element,
        kind: PrimitiveKind,
        tag: str,
        node: _Node,
        ctx: _Ctx,
        ctm: Affine,
        style: dict[str, str],
        pd: path_data.PathData,
    ) -> int:
        a = self.acc
        self.total_cmds += len(pd.codes)
        if self.total_cmds > self.limits.max_path_commands:
            raise limit_error("max_path_commands", self.total_cmds, self.limits.max_path_commands)
        cached: list[tuple[float, float, float, float] | None] = []

        def bbox_user() -> tuple[float, float, float, float] | None:
            if not cached:
                cached.append(_user_bbox(pd) if pd.codes else None)
            return cached[0]

        idx = len(a.kind)
        a.kind.append(int(kind))
        a.tags.append(tag)
        a.ids.append(node.id)
        a.classes.append(node.classes)
        a.group.append(ctx.group)
        a.codes += pd.codes
        a.points += pd.points
        a.n_cmds.append(len(pd.codes))
        a.n_pts.append(len(pd.points) // 2)
        a.transform.append(ctm)
        # paint servers live in the element's own user space, its transform attribute included
        paint_ctx = _Ctx(ctm, ctx.style, ctx.group, ctx.viewport, ctx.ancestors)
        fk: int
        if kind == PrimitiveKind.LINE:  # a line has no interior to fill
            fk, frgba, fp = PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        else:
            fk, frgba, fp = self.paint(
                style.get("fill", "black"),
                style.get("fill-opacity", "1"),
                style,
                el,
                paint_ctx,
                bbox_user,
                "fill",
            )
        a.fill_kind.append(int(fk))
        a.fill_rgba.append(frgba)
        a.fill_paint.append(fp)
        a.fill_rule.append(
            FILL_RULE_EVENODD if style.get("fill-rule") == "evenodd" else FILL_RULE_NONZERO
        )
        sk, srgba, sp = self.paint(
            style.get("stroke", "none"),
            style.get("stroke-opacity", "1"),
            style,
            el,
            paint_ctx,
            bbox_user,
            "stroke",
        )
        vp = ctx.viewport
        sw = self.length(style.get("stroke-width", "1"), 1.0, el, "stroke-width", "xy", vp)
        if sw < 0:
            self.warn("INVALID_ATTRIBUTE", "negative stroke-width; using 1", el)
            sw = 1.0
        if sw == 0:
            sk, srgba, sp = PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        a.stroke_kind.append(int(sk))
        a.stroke_rgba.append(srgba)
        a.stroke_paint.append(sp)
        a.stroke_width.append(sw)
        a.line_cap.append(_enum_value(LineCap, style.get("stroke-linecap", "butt"), LineCap.BUTT))
        a.line_join.append(
            _enum_value(
                LineJoin, style.get("stroke-linejoin", "miter").replace("-", "_"), LineJoin.MITER
            )
        )
        ml = self.number(style.get("stroke-miterlimit", "4"), 4.0, el, "stroke-miterlimit")
        a.miter_limit.append(ml if ml >= 1.0 else 4.0)
        dashes = self.dasharray(style.get("stroke-dasharray", "none"), el, vp)
        a.dash_counts.append(len(dashes))
        a.dash_values += dashes
        a.dash_offset.append(
            self.length(style.get("stroke-dashoffset", "0"), 0.0, el, "stroke-dashoffset", "xy", vp)
        )
        a.opacity.append(_opacity(style.get("opacity", "1")))
        a.visible.append(style.get("visibility", "visible").strip() == "visible")
        a.clip.append(self.clip_ref(style.get("clip-path"), el, ctx, ctm, bbox_user))
        order = _paint_order(style)
        stroke_first = (bool(order) and order[0] == "stroke") or (
            len(order) >= 2 and order[0] == "markers" and order[1] == "stroke"
        )
        a.stroke_first.append(stroke_first)
        return idx

    def dasharray(self, value: str, el: ET.Element, vp: tuple[float, float]) -> list[float]:
        v = value.strip()
        if v in ("none", ""):
            return []
        parts = [p for p in re.split(r"[\s,]+", v) if p]
        out: list[float] = []
        for p in parts:
            m = _LENGTH.match(p)
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

    def text(self, el: ET.Element, style: dict[str, str], node: _Node, ctx: _Ctx) -> None:
        ctm = multiply(ctx.ctm, self.transform_of(el))
        ctx, style, gi = self.effect_group(el, "text", style, ctx, ctm)
        try:
            self._text_runs(el, style, node, ctx, ctm)
        finally:
            if gi >= 0:
                self.close_group(gi)

    def _text_runs(
        self, el: ET.Element, style: dict[str, str], node: _Node, ctx: _Ctx, ctm: Affine
    ) -> None:
        vp = ctx.viewport
        cursor = [
            self.length(_first(el.get("x")), 0.0, el, "x", "x", vp),
            self.length(_first(el.get("y")), 0.0, el, "y", "y", vp),
        ]
        cursor[0] += self.length(_first(el.get("dx")), 0.0, el, "dx", "x", vp)
        cursor[1] += self.length(_first(el.get("dy")), 0.0, el, "dy", "y", vp)
        gi = ctx.group
        runs: list[tuple[str, ET.Element, dict[str, str], _Node, float, float, int]] = []
        self._space_pending = False
        self._chunk_id = 0
        self._collect_text(el, style, node, ctx, cursor, runs, first=True)
        if not runs:
            return
        # a text chunk starts at every absolute x/y; text-anchor shifts a whole chunk by a share
        # of its total advance, with the anchor of the chunk's first run
        sizes = [self.font_size(r[2], r[1], ctx) for r in runs]
        totals: dict[int, float] = {}
        anchors: dict[int, str] = {}
        first_of: dict[int, int] = {}
        base = len(self.acc.kind)
        for k, (r, fs) in enumerate(zip(runs, sizes)):
            totals[r[6]] = totals.get(r[6], 0.0) + _estimate_width(r[0], fs)
            anchors.setdefault(r[6], r[2].get("text-anchor", "start").strip())
            first_of.setdefault(r[6], base + k)
        for (text, src, rstyle, rnode, x, y, chunk), fs in zip(runs, sizes):
            anchor = anchors[chunk]
            total = totals[chunk]
            shift = {"middle": -total / 2.0, "end": -total}.get(anchor, 0.0)
            first_idx = first_of[chunk]
            width = _estimate_width(text, fs)
            x0, y0, x1, y1 = x + shift, y - 0.8 * fs, x + shift + width, y + 0.2 * fs
            pd = (
                path_data.rect_commands(x0, y0, x1 - x0, y1 - y0, 0.0, 0.0)
                if width > 0 and fs > 0
                else path_data.PathData()
            )
            run_ctx = _Ctx(ctx.ctm, rstyle, gi, vp, ctx.ancestors)
            idx = self.emit(src, PrimitiveKind.TEXT, "text", rnode, run_ctx, ctm, rstyle, pd)
            corners = [map_point(ctm, px, py) for px, py in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
            xs = [c[0] for c in corners]
            ys = [c[1] for c in corners]
            family = tuple(
                f.strip().strip("'\"")
                for f in rstyle.get("font-family", "sans-serif").split(",")
                if f.strip()
            )
            self.texts[idx] = TextRun(
                text,
                x,
                y,
                family or ("sans-serif",),
                fs,
                _font_weight(rstyle.get("font-weight", "normal")),
                rstyle.get("font-style", "normal").strip(),
                anchor,
                (min(xs), min(ys), max(xs), max(ys)),
                first_idx,
            )

    def _collect_text(
        self,
        el: ET.Element,
        style: dict[str, str],
        node: _Node,
        ctx: _Ctx,
        cursor: list[float],
        runs: list[tuple[str, ET.Element, dict[str, str], _Node, float, float, int]],
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
                cctx = _Ctx(ctx.ctm, style, ctx.group, vp, [*ctx.ancestors, node])
                cstyle, cnode = self.compute_style(child, cname, cctx)
                if cstyle.get("display") != "none":
                    if child.get("x") is not None or child.get("y") is not None:
                        self._chunk_id += 1
                        self._space_pending = False
                    if child.get("x") is not None:
                        cursor[0] = self.length(_first(child.get("x")), 0.0, child, "x", "x", vp)
                    if child.get("y") is not None:
                        cursor[1] = self.length(_first(child.get("y")), 0.0, child, "y", "y", vp)
                    cursor[0] += self.length(_first(child.get("dx")), 0.0, child, "dx", "x", vp)
                    cursor[1] += self.length(_first(child.get("dy")), 0.0, child, "dy", "y", vp)
                    self._collect_text(child, cstyle, cnode, cctx, cursor, runs, first=False)
            elif cname == "textPath":
                self.warn(
                    "UNSUPPORTED_ELEMENT",
                    "<textPath> is drawn as plain text at the current position",
                    child,
                )
                cctx = _Ctx(ctx.ctm, style, ctx.group, vp, [*ctx.ancestors, node])
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
        node: _Node,
        cursor: list[float],
        runs: list[tuple[str, ET.Element, dict[str, str], _Node, float, float, int]],
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
        fs_m = _LENGTH.match(style.get("font-size", "16"))
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
            )
        )
        cursor[0] += _estimate_width(text, fs)

    def image(self, el: ET.Element, style: dict[str, str], node: _Node, ctx: _Ctx) -> None:
        href = (_href(el) or "").strip()
        if not href.startswith("data:"):
            self.warn(
                "EXTERNAL_REFERENCE",
                f"<image href={href[:60]!r}> is not a data: URI; never fetched",
                el,
            )
            return
        vp = ctx.viewport
        x = self.length(el.get("x"), 0.0, el, "x", "x", vp)
        y = self.length(el.get("y"), 0.0, el, "y", "y", vp)
        w = (
            self.length(el.get("width"), math.nan, el, "width", "x", vp)
            if el.get("width") not in (None, "auto")
            else math.nan
        )
        h = (
            self.length(el.get("height"), math.nan, el, "height", "y", vp)
            if el.get("height") not in (None, "auto")
            else math.nan
        )
        if (math.isfinite(w) and w <= 0) or (math.isfinite(h) and h <= 0):
            return
        ctm = multiply(ctx.ctm, self.transform_of(el))
        pd = (
            path_data.rect_commands(x, y, w, h, 0.0, 0.0)
            if math.isfinite(w) and math.isfinite(h)
            else path_data.PathData()
        )
        style = {**style, "fill": "none", "stroke": "none"}
        ectx, style, gi = self.effect_group(el, "image", style, ctx, ctm)
        idx = self.emit(el, PrimitiveKind.IMAGE, "image", node, ectx, ctm, style, pd)
        if gi >= 0:
            self.close_group(gi)
        self.images[idx] = Image(href, x, y, w, h, _normalise_par(el.get("preserveAspectRatio")))

    # ------------------------------------------------------------------ finish
    def finish(self, canvas: Canvas, nested: bool = False) -> Scene:
        a = self.acc
        n = len(a.kind)
        codes = np.asarray(a.codes, dtype=np.uint8)
        user_pts = np.asarray(a.points, dtype=np.float64).reshape(-1, 2)
        n_cmds = np.asarray(a.n_cmds, dtype=np.int64)
        n_pts = np.asarray(a.n_pts, dtype=np.int64)
        cmd_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(n_cmds, out=cmd_offsets[1:])
        pt_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(n_pts, out=pt_offsets[1:])
        transform = np.asarray(a.transform, dtype=np.float64).reshape(n, 6)
        per_point = np.repeat(transform, n_pts, axis=0)
        pts = np.empty_like(user_pts)
        # overflow to inf/nan is reported by _check_points as BAD_GEOMETRY or LIMIT
        with np.errstate(over="ignore", invalid="ignore"):
            pts[:, 0] = (
                per_point[:, 0] * user_pts[:, 0]
                + per_point[:, 2] * user_pts[:, 1]
                + per_point[:, 4]
            )
            pts[:, 1] = (
                per_point[:, 1] * user_pts[:, 0]
                + per_point[:, 3] * user_pts[:, 1]
                + per_point[:, 5]
            )
        self._check_points(pts)
        bbox = _bboxes(codes, pts, cmd_offsets, pt_offsets)
        kind = np.asarray(a.kind, dtype=np.int8)
        for idx, run in self.texts.items():
            if not np.isfinite(bbox[idx]).all():
                bbox[idx] = run.bbox
        if self.pending:
            from .effects import resolve_group_effects

            resolve_group_effects(self, bbox)
        stroke_width = np.asarray(a.stroke_width, dtype=np.float64)
        stroke_kind = np.asarray(a.stroke_kind, dtype=np.uint8)
        det = np.abs(transform[:, 0] * transform[:, 3] - transform[:, 1] * transform[:, 2])
        half = np.where(stroke_kind != PaintKind.NONE, stroke_width * np.sqrt(det) / 2.0, 0.0)
        if n and np.any(stroke_width * np.sqrt(det) > self.limits.max_coordinate):
            raise limit_error("max_coordinate", "stroke-width", self.limits.max_coordinate)
        stroke_bbox = bbox + np.stack([-half, -half, half, half], axis=1) if n else bbox.copy()
        self._check_flat_points(codes, pts, cmd_offsets, pt_offsets)
        dash_counts = np.asarray(a.dash_counts, dtype=np.int64)
        dash_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(dash_counts, out=dash_offsets[1:])
        return Scene(
            canvas=canvas,
            kind=kind,
            tags=a.tags,
            ids=a.ids,
            classes=a.classes,
            group=np.asarray(a.group, dtype=np.int64),
            groups=tuple(self.groups),
            cmd_codes=codes,
            cmd_points=pts,
            cmd_offsets=cmd_offsets,
            pt_offsets=pt_offsets,
            transform=transform,
            bbox=bbox,
            stroke_bbox=stroke_bbox,
            fill_kind=np.asarray(a.fill_kind, dtype=np.uint8),
            fill_rgba=np.asarray(a.fill_rgba, dtype=np.float32).reshape(n, 4),
            fill_paint=np.asarray(a.fill_paint, dtype=np.int64),
            fill_rule=np.asarray(a.fill_rule, dtype=np.uint8),
            stroke_kind=stroke_kind,
            stroke_rgba=np.asarray(a.stroke_rgba, dtype=np.float32).reshape(n, 4),
            stroke_paint=np.asarray(a.stroke_paint, dtype=np.int64),
            stroke_width=stroke_width,
            line_cap=np.asarray(a.line_cap, dtype=np.uint8),
            line_join=np.asarray(a.line_join, dtype=np.uint8),
            miter_limit=np.asarray(a.miter_limit, dtype=np.float64),
            dash_offsets=dash_offsets,
            dash_values=np.asarray(a.dash_values, dtype=np.float64),
            dash_offset=np.asarray(a.dash_offset, dtype=np.float64),
            opacity=np.asarray(a.opacity, dtype=np.float64),
            visible=np.asarray(a.visible, dtype=np.bool_),
            clip=np.asarray(a.clip, dtype=np.int64),
            paint_order_stroke_first=np.asarray(a.stroke_first, dtype=np.bool_),
            texts=self.texts,
            images=self.images,
            gradients=tuple(self.gradients),
            clips=tuple(self.clips),
            warnings=() if nested else tuple(self.sink.items),
            element_counts={} if nested else dict(count_tags(self.root)),
            use_expansions=self.use_expansions,
            source_bytes=0,
            flatten_tolerance=self.tolerance,
            filters=tuple(self.filters),
            masks=tuple(self.masks),
            patterns=tuple(self.patterns),
        )

    def _check_flat_points(
        self, codes: np.ndarray, pts: np.ndarray, cmd_offsets: np.ndarray, pt_offsets: np.ndarray
    ) -> None:
        """Refuse documents whose flattened polylines would exceed ``max_points``."""
        is_cubic = codes == 2
        n_lines = int(codes.size - is_cubic.sum())
        if not is_cubic.any():
            if n_lines > self.limits.max_points:
                raise limit_error("max_points", n_lines, self.limits.max_points)
            return
        ends = np.cumsum(COMMAND_POINTS[codes])  # index after each command's last point
        cubic_end = ends[is_cubic]
        p1, p2, p3 = pts[cubic_end - 3], pts[cubic_end - 2], pts[cubic_end - 1]
        start_idx = cubic_end - 4
        p0 = pts[np.maximum(start_idx, 0)]
        segs = cubic_segment_counts(p0, p1, p2, p3, self.tolerance)
        total = n_lines + int(segs.sum())
        if total > self.limits.max_points:
            raise limit_error("max_points", total, self.limits.max_points)


def cubic_segment_counts(
    p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, tolerance: float
) -> np.ndarray:
    """Line segments needed to flatten each cubic within ``tolerance`` (Wang's bound)."""
    d1 = np.hypot(*(p0 - 2 * p1 + p2).T)
    d2 = np.hypot(*(p1 - 2 * p2 + p3).T)
    m = np.maximum(d1, d2)
    return np.asarray(np.maximum(1, np.ceil(np.sqrt(0.75 * m / tolerance))), dtype=np.int64)


def _bboxes(
    codes: np.ndarray, pts: np.ndarray, cmd_offsets: np.ndarray, pt_offsets: np.ndarray
) -> np.ndarray:
    """Exact geometry bbox per primitive: on-curve points plus cubic extrema."""
    n = cmd_offsets.size - 1
    out = np.full((n, 4), np.nan)
    if pts.size == 0:
        return out
    ends = np.cumsum(COMMAND_POINTS[codes])
    cubic_end = ends[codes == 2]
    # control points may lie outside the curve: stand the cubic's end point in for them, which
    # keeps every primitive's points contiguous for reduceat
    on = pts.copy()
    on[cubic_end - 3] = pts[cubic_end - 1]
    on[cubic_end - 2] = pts[cubic_end - 1]
    counts = np.diff(pt_offsets)
    has = counts > 0
    starts = pt_offsets[:-1][has]
    out[has, 0] = np.minimum.reduceat(on[:, 0], starts)
    out[has, 1] = np.minimum.reduceat(on[:, 1], starts)
    out[has, 2] = np.maximum.reduceat(on[:, 0], starts)
    out[has, 3] = np.maximum.reduceat(on[:, 1], starts)
    if cubic_end.size:
        owner = np.searchsorted(pt_offsets, cubic_end - 1, side="right") - 1
        p0 = pts[cubic_end - 4]
        p1, p2, p3 = pts[cubic_end - 3], pts[cubic_end - 2], pts[cubic_end - 1]
        ex, ey, eo = _cubic_extrema(p0, p1, p2, p3, owner)
        if eo.size:
            np.minimum.at(out[:, 0], eo, ex)
            np.minimum.at(out[:, 1], eo, ey)
            np.maximum.at(out[:, 2], eo, ex)
            np.maximum.at(out[:, 3], eo, ey)
    return out


def _cubic_extrema(
    p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points where a cubic's x or y derivative vanishes inside (0, 1)."""
    ts = []
    idx = []
    for axis in (0, 1):
        a = -p0[:, axis] + 3 * p1[:, axis] - 3 * p2[:, axis] + p3[:, axis]
        b = 2 * (p0[:, axis] - 2 * p1[:, axis] + p2[:, axis])
        c = p1[:, axis] - p0[:, axis]
        with np.errstate(divide="ignore", invalid="ignore"):
            disc = b * b - 4 * a * c
            sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
            quad = np.abs(a) > 1e-12
            t1 = np.where(quad, (-b + sq) / (2 * a), np.where(np.abs(b) > 1e-12, -c / b, np.nan))
            t2 = np.where(quad, (-b - sq) / (2 * a), np.nan)
        for t in (t1, t2):
            ok = (t > 0) & (t < 1)
            ts.append(t[ok])
            idx.append(np.nonzero(ok)[0])
    t = np.concatenate(ts)
    k = np.concatenate(idx)
    mt = 1 - t
    w0, w1, w2, w3 = mt**3, 3 * mt * mt * t, 3 * mt * t * t, t**3
    x = w0 * p0[k, 0] + w1 * p1[k, 0] + w2 * p2[k, 0] + w3 * p3[k, 0]
    y = w0 * p0[k, 1] + w1 * p1[k, 1] + w2 * p2[k, 1] + w3 * p3[k, 1]
    return x, y, owner[k]


def _user_bbox(pd: path_data.PathData) -> tuple[float, float, float, float] | None:
    """The exact bbox of one primitive in its user space (for objectBoundingBox units)."""
    if not pd.points:
        return None
    codes = np.asarray(pd.codes, dtype=np.uint8)
    pts = np.asarray(pd.points, dtype=np.float64).reshape(-1, 2)
    b = _bboxes(codes, pts, np.array([0, codes.size]), np.array([0, pts.shape[0]]))[0]
    if not np.isfinite(b).all():
        return None
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


# SVG 2 draws markers on every basic shape, not only on path, line, polyline and polygon
MARKABLE = frozenset(SHAPES)


def _paint_order(style: dict[str, str]) -> list[str]:
    """The paint-order keywords, or [] for ``normal`` and for any invalid value."""
    order = style.get("paint-order", "normal").split()
    if not order or order == ["normal"]:
        return []
    if len(set(order)) != len(order) or not set(order) <= {"fill", "stroke", "markers"}:
        return []
    return order


def _has_markers(style: dict[str, str]) -> bool:
    if "marker" in style:
        # the CSS shorthand sets all three unless a longhand came later in the cascade
        for prop in ("marker-start", "marker-mid", "marker-end"):
            style.setdefault(prop, style["marker"])
    return any(
        style.get(p, "none").strip() != "none" for p in ("marker-start", "marker-mid", "marker-end")
    )


def _effect_ref(value: str | None) -> str:
    v = (value or "").strip()
    return "" if v == "none" else v


def _no_bbox() -> None:
    return None



def _viewbox_transform(
    vb: tuple[float, float, float, float] | None, par: str, x: float, y: float, w: float, h: float
) -> Affine:
    """The viewBox → viewport mapping of SVG's preserveAspectRatio rules."""
    if vb is None:
        return (1.0, 0.0, 0.0, 1.0, x, y)
    vx, vy, vw, vh = vb
    sx, sy = w / vw, h / vh
    align, _, mode = par.partition(" ")
    if align == "none":
        return (sx, 0.0, 0.0, sy, x - vx * sx, y - vy * sy)
    s = max(sx, sy) if mode == "slice" else min(sx, sy)
    tx, ty = x - vx * s, y - vy * s
    if "xMid" in align:
        tx += (w - vw * s) / 2.0
    elif "xMax" in align:
        tx += w - vw * s
    if "YMid" in align:
        ty += (h - vh * s) / 2.0
    elif "YMax" in align:
        ty += h - vh * s
    return (s, 0.0, 0.0, s, tx, ty)


_ALIGNS = {
    "none",
    "xMinYMin",
    "xMidYMin",
    "xMaxYMin",
    "xMinYMid",
    "xMidYMid",
    "xMaxYMid",
    "xMinYMax",
    "xMidYMax",
    "xMaxYMax",
}


def _normalise_par(value: str | None) -> str:
    if not value:
        return "xMidYMid meet"
    parts = value.split()
    if parts and parts[0] == "defer":
        parts = parts[1:]
    align = parts[0] if parts and parts[0] in _ALIGNS else "xMidYMid"
    mode = parts[1] if len(parts) > 1 and parts[1] in ("meet", "slice") else "meet"
    return f"{align} {mode}"


def _opacity(value: str | None) -> float:
    if value is None:
        return 1.0
    v = value.strip()
    try:
        f = float(v[:-1]) / 100.0 if v.endswith("%") else float(v)
    except ValueError:
        return 1.0
    if not math.isfinite(f):
        return 1.0
    return min(max(f, 0.0), 1.0)


def _stops_mean(stops: list[GradientStop]) -> tuple[float, float, float, float]:
    return Gradient("linear", tuple(stops)).mean_rgba()


def _ref(value: str | None) -> str:
    if not value or value.strip() == "none":
        return ""
    m = _URL.match(value)
    return f"#{m.group(1)}" if m else value.strip()


def _href(el: ET.Element) -> str | None:
    v = el.get("href")
    if v is None:
        v = el.get(f"{{{XLINK_NS}}}href")
    return v.strip() if v is not None else None


def _is(el: Any, name: str) -> bool:
    return isinstance(el.tag, str) and local_name(el.tag)[1] == name


def _is_ancestor(target: ET.Element, el: ET.Element, root: ET.Element) -> bool:
    """Whether ``target`` contains ``el`` (a use that instantiates its own ancestor)."""
    if target is el:
        return True
    if target is root:
        return True
    return any(d is el for d in target.iter())


def _first(value: str | None) -> str | None:
    if value is None:
        return None
    parts = value.replace(",", " ").split()
    return parts[0] if parts else None


def _estimate_width(text: str, font_size: float) -> float:
    return 0.55 * font_size * len(text)


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


def _enum_value(enum_cls: Any, value: str, default: Any) -> int:
    try:
        return int(enum_cls[value.strip().upper()])
    except KeyError:
        return int(default)


def build_scene(
    parsed: ParsedXML, limits: Limits, sink: _DiagnosticSink, tolerance: float
) -> Scene:
    """Walk a parsed SVG tree into a :class:`Scene`."""
    return _Builder(parsed, limits, sink, tolerance).build()
