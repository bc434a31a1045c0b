"""Paint: ``fill`` and ``stroke`` values into solid colours and gradient paint servers.

Resolves SVG 2 §13.2 (specifying paint): ``none``, colours (CSS Color 4, ``currentColor``),
``url(#id)`` references with their fallback, ``context-fill`` / ``context-stroke`` (§13.4), and
linear and radial gradients (§14.2) with their ``href`` inheritance, units, ``spreadMethod``,
``gradientTransform`` and stops. Gradients are recorded in the Scene's gradient list; patterns are
resolved by :func:`svgkit.build.effects.resolve_pattern`.

A reference that cannot paint (a missing element, one that is no paint server, a gradient without
stops, objectBoundingBox units on an empty box) paints its fallback colour, else nothing; a
fallback that is not a colour makes the whole value invalid, as browsers treat it.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from ..affine import IDENTITY, Affine, multiply
from ..color import parse_color
from ..ingest.safe_xml import local_name
from ..scene import Gradient, GradientStop, PaintKind
from .clip import Clip
from .context import EXTERNAL_URL, URL, BBoxFn, Ctx, is_tag, no_bbox
from .effects import resolve_pattern
from .style import DEFAULT_STYLE
from .units import parse_opacity

__all__ = ["Paint", "simple_paint"]

PaintResult = tuple[int, tuple[float, float, float, float], int]

# (paint value, opacity value) → the result of Paint.paint for values that depend on nothing
# else: "none" and plain colours. Cleared when full, so its memory is bounded whatever the input.
_SIMPLE: dict[tuple[str, str], PaintResult] = {}
_SIMPLE_SIZE = 4096


def simple_paint(value: str, opacity_value: str) -> PaintResult | None:
    """:meth:`Paint.paint` for ``none`` and plain colours (no ``url()``, no ``currentColor``),
    which need neither the element nor its style; ``None`` for every other value.

    Examples
    --------
    >>> simple_paint("#ff0000", "0.5")
    (<PaintKind.SOLID: 1>, (1.0, 0.0, 0.0, 0.5), -1)
    >>> simple_paint("url(#g)", "1") is None
    True
    """
    key = (value, opacity_value)
    hit = _SIMPLE.get(key)
    if hit is not None:
        return hit
    v = value.strip()
    if v == "none" or not v:
        out: PaintResult = (PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1)
    else:
        low = v.lower()
        if "url(" in low or low == "currentcolor":
            return None
        rgba = parse_color(v)
        if rgba is None:
            return None  # Paint.paint warns and falls back
        paint_opacity = parse_opacity(opacity_value)
        out = (PaintKind.SOLID, (rgba[0], rgba[1], rgba[2], rgba[3] * paint_opacity), -1)
    if len(_SIMPLE) >= _SIMPLE_SIZE:
        _SIMPLE.clear()
    _SIMPLE[key] = out
    return out


class Paint(Clip):
    """Resolves fill and stroke into paint kinds, colours and gradient indices."""

    def paint(
        self,
        value: str,
        opacity_value: str,
        style: dict[str, str],
        el: ET.Element,
        ctx: Ctx,
        bbox_user: BBoxFn,
        what: str,
    ) -> tuple[int, tuple[float, float, float, float], int]:
        """Resolve fill or stroke into (PaintKind, rgba, gradient index)."""
        paint_opacity = parse_opacity(opacity_value)
        v = value.strip()
        if v == "none" or not v:
            return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        low = v.lower()
        if low in ("context-fill", "context-stroke"):
            return self.context_paint(low, opacity_value, style, el, ctx, bbox_user, what)
        m = URL.match(v)
        if m is not None:
            ref, fallback = m.group(1), m.group(2).strip()
            if fallback and not self._valid_fallback(fallback):
                # "url(#g) green icc-color(…)": the whole value is invalid, as in browsers
                return self._invalid_paint(v, paint_opacity, el, what)
            target = self.by_id.get(ref)
            tname = local_name(target.tag)[1] if target is not None else ""
            if tname in ("linearGradient", "radialGradient"):
                assert target is not None
                return self.gradient_paint(
                    target, el, ctx, bbox_user, paint_opacity, fallback, style
                )
            if tname == "pattern":
                assert target is not None
                return resolve_pattern(
                    self, target, el, ctx, bbox_user, paint_opacity, fallback, style
                )
            # a missing element or one that is no paint server is an invalid reference: the
            # fallback is used, else nothing is painted (SVG 2 §13.2, as browsers do)
            if target is None:
                self.warn(
                    "MISSING_REFERENCE", f"{what} references #{ref}, which does not exist", el
                )
            else:
                self.warn(
                    "MISSING_REFERENCE",
                    f"{what} references <{tname}> #{ref}, which is not a paint server",
                    el,
                )
            return self.fallback_paint(fallback, opacity_value, style, el, ctx, what)
        if EXTERNAL_URL.match(v):
            self.warn(
                "EXTERNAL_REFERENCE", f"{what}={v!r} points outside the document; never fetched", el
            )
            return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        parsed = self.solid(v, style, el)
        if parsed is None:
            return self._invalid_paint(v, paint_opacity, el, what)
        rgba = parsed
        return PaintKind.SOLID, (rgba[0], rgba[1], rgba[2], rgba[3] * paint_opacity), -1

    def fallback_paint(
        self,
        fallback: str,
        opacity_value: str,
        style: dict[str, str],
        el: ET.Element,
        ctx: Ctx,
        what: str,
    ) -> tuple[int, tuple[float, float, float, float], int]:
        """The paint of a ``url()`` that cannot paint: its fallback colour, else ``none``."""
        if not fallback:
            return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        return self.paint(fallback, opacity_value, style, el, ctx, no_bbox, what)

    def _valid_fallback(self, fallback: str) -> bool:
        low = fallback.lower()
        return low in ("none", "currentcolor") or parse_color(fallback) is not None

    def _invalid_paint(
        self, v: str, paint_opacity: float, el: ET.Element, what: str
    ) -> tuple[int, tuple[float, float, float, float], int]:
        self.warn("INVALID_ATTRIBUTE", f"{what}={v!r} is not a paint; using the default", el)
        default = DEFAULT_STYLE["fill"] if what == "fill" else "none"
        if default == "none":
            return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        return PaintKind.SOLID, (0.0, 0.0, 0.0, paint_opacity), -1

    def context_paint(
        self,
        which: str,
        opacity_value: str,
        style: dict[str, str],
        el: ET.Element,
        ctx: Ctx,
        bbox_user: BBoxFn,
        what: str,
        level: int | None = None,
    ) -> tuple[int, tuple[float, float, float, float], int]:
        """``context-fill`` / ``context-stroke`` (SVG 2 §13.4): the fill or stroke of the
        context element (the marked shape for marker content, the ``<use>`` for its instance),
        with this element's own opacity; ``none`` outside any context. ``level`` counts the
        contexts still open (all of them by default).

        A paint server keeps the context element's geometry: its bbox and user space, so a
        gradient or pattern lines up across the context element and what it paints."""
        level = len(self.paint_contexts) if level is None else level
        if level <= 0:
            self.warn("INVALID_ATTRIBUTE", f"{what}={which} outside a marker or <use>; none", el)
            return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
        cp = self.paint_contexts[level - 1]
        src = (cp.fill if which == "context-fill" else cp.stroke).strip()
        if src.lower() in ("context-fill", "context-stroke"):
            # the context element paints with its own context's paint (a use in a use)
            return self.context_paint(
                src.lower(), opacity_value, style, el, ctx, bbox_user, what, level - 1
            )
        src_ctx = Ctx(cp.ctm, cp.style, ctx.group, cp.viewport, ctx.ancestors)
        return self.paint(src, opacity_value, cp.style, cp.el, src_ctx, cp.bbox, what)

    def solid(
        self, value: str, style: dict[str, str], el: ET.Element
    ) -> tuple[float, float, float, float] | None:
        """A colour value as straight RGBA (``currentColor`` resolved), or ``None``."""
        if value.strip().lower() == "currentcolor":
            value = style.get("color", "black")
            if value.strip().lower() == "currentcolor":
                value = "black"
        return parse_color(value)

    def gradient_paint(
        self,
        target: ET.Element,
        el: ET.Element,
        ctx: Ctx,
        bbox_user: BBoxFn,
        paint_opacity: float,
        fallback: str,
        style: dict[str, str],
    ) -> tuple[int, tuple[float, float, float, float], int]:
        """A ``url(#gradient)`` paint: a gradient index, or a solid colour when degenerate."""
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

        stops_el = next((g for g in chain if any(is_tag(s, "stop") for s in g)), None)
        stops, mean = self.cached_stops(stops_el, ctx) if stops_el is not None else ([], _NO_MEAN)
        if not stops:
            # a gradient without stops cannot paint: the fallback colour if any, else none
            self.warn(
                "EMPTY_GRADIENT",
                f"gradient #{target.get('id')} has no stops; painted with its fallback or none",
                el,
            )
            return self.fallback_paint(fallback, str(paint_opacity), style, el, ctx, "fill")
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
                return self.fallback_paint(fallback, str(paint_opacity), style, el, ctx, "fill")
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
        fr = max(fr, 0.0)
        if fr >= r_ and fx == cx and fy == cy and fr - r_ <= 1e-9 * r_:
            # equal concentric circles leave no interpolation band. Browsers (Skia) then paint
            # the first colour inside and the last outside when padding, and the mean colour
            # when repeating. A band of a ten-thousandth of the radius draws the padded case
            # (narrower bands vanish in pixman's 16.16 fixed point and paint nothing).
            if spread != "pad":
                return PaintKind.SOLID, (mean[0], mean[1], mean[2], mean[3] * paint_opacity), -1
            fr = max(r_ - max(r_ * 1e-4, 1e-4), 0.0)
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
                fr=fr,
                transform=to_device,
                id=target.get("id", ""),
            )
        )
        return PaintKind.RADIAL_GRADIENT, rgba, gid

    def cached_stops(
        self, grad: ET.Element, ctx: Ctx
    ) -> tuple[list[GradientStop], tuple[float, float, float, float]]:
        """:meth:`gradient_stops` and their mean colour, once per gradient and viewport.

        Stops are styled in their own document's cascade, so every use of a gradient reads the
        same stops; one that warned is read again on each use, so its warnings repeat as they
        always have."""
        key = (id(grad), ctx.viewport)
        hit = self.stop_cache.get(key)
        if hit is not None:
            return hit
        warned = self.warn_count
        stops = self.gradient_stops(grad, ctx)
        out = (stops, _stops_mean(stops) if len(stops) > 1 else _NO_MEAN)
        if self.warn_count == warned:
            self.stop_cache[key] = out
        return out

    def gradient_stops(self, grad: ET.Element, ctx: Ctx) -> list[GradientStop]:
        """The gradient's stops: offsets clamped and monotonic, colours with stop-opacity."""
        stops: list[GradientStop] = []
        last = 0.0
        grad_ctx = self.definition_context(grad, IDENTITY, ctx.viewport)
        gstyle, gnode = self.compute_style(grad, local_name(grad.tag)[1], grad_ctx)
        for s in grad:
            if not is_tag(s, "stop"):
                continue
            st_ctx = Ctx(IDENTITY, gstyle, -1, ctx.viewport, [gnode])
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
            a = rgba[3] * parse_opacity(style.get("stop-opacity", "1"))
            stops.append(GradientStop(off, (rgba[0], rgba[1], rgba[2], a)))
        return stops


_NO_MEAN = (0.0, 0.0, 0.0, 0.0)


def _stops_mean(stops: list[GradientStop]) -> tuple[float, float, float, float]:
    """:meth:`svgkit.scene.Gradient.mean_rgba` of these stops.

    Gradients of up to seven stops (all but a few) are averaged here in plain Python, in the
    order numpy adds them (rows one after another; a 1-D sum of under eight numbers left to
    right), so the floats are the same; numpy's many small calls cost more than the sums.
    ``tests/test_parse_fast_paths.py`` checks the two agree."""
    k = len(stops)
    if k == 1 or k >= 8:
        return Gradient("linear", tuple(stops)).mean_rgba()
    offs = [s.offset for s in stops]
    cols = [s.rgba for s in stops]
    for v in (*offs, *(c for rgba in cols for c in rgba)):
        if v != v or (v == 0.0 and math.copysign(1.0, v) < 0.0):
            return Gradient("linear", tuple(stops)).mean_rgba()  # NaN or -0.0: numpy decides
    # trapezoid weights over [0, 1], with the pad regions at each end
    edges = [0.0, *((offs[i] + offs[i - 1]) / 2.0 for i in range(1, k)), 1.0]
    w = [max(edges[i + 1] - edges[i], 0.0) for i in range(k)]
    total = w[0]
    for v in w[1:]:
        total = total + v
    if total <= 0:
        w = [1.0] * k
        total = float(k)
    mean = []
    for j in range(4):
        acc = cols[0][j] * w[0]
        for i in range(1, k):
            acc = acc + cols[i][j] * w[i]
        mean.append(acc / total)
    return (mean[0], mean[1], mean[2], mean[3])
