"""Filters, masks and patterns: resolving their references into the Scene's own definitions.

Resolves SVG 2 filter effects (Filter Effects 1 §5–§15: the filter region, ``primitiveUnits``,
each primitive's subregion and parameters, and the CSS ``blur()``/``drop-shadow()`` shorthands),
masks (CSS Masking §7: ``maskUnits``, ``maskContentUnits``, ``mask-type``) and patterns (SVG 2
§14.3). Filters, masks and objectBoundingBox clips on groups wait until the builder knows the
bounding boxes (:func:`resolve_group_effects`); masks and patterns carry their content as nested
Scenes built through :meth:`~svgkit.build.context.BuildState.build_nested`.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import numpy as np

from ..affine import IDENTITY, Affine, invert, multiply
from ..color import parse_color
from ..filter_spec import (
    LUMINANCE_TO_ALPHA_MATRIX,
    SUPPORTED_KINDS,
    hue_rotate_matrix,
    saturate_matrix,
)
from ..ingest.safe_xml import SVG_NS, local_name
from ..scene import Canvas, Filter, FilterPrimitive, Mask, PaintKind, Pattern, Scene
from .clip import Clip
from .context import URL, BBoxFn, Ctx, chain_attr
from .units import normalise_par, parse_opacity, viewbox_transform

__all__ = ["CSS_FILTER", "resolve_group_effects", "resolve_pattern"]

CSS_FILTER = re.compile(r"^\s*([a-z-]+)\((.*)\)\s*$", re.IGNORECASE)
_FE_KINDS = {
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDropShadow",
    "feFlood",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMorphology",
    "feOffset",
    "feSpecularLighting",
    "feTile",
    "feTurbulence",
}


# ---------------------------------------------------------------------------------------- util
def _corners_bbox(
    m: Affine, x: float, y: float, w: float, h: float
) -> tuple[float, float, float, float]:
    """The device-space axis-aligned box ``(x, y, w, h)`` of a user-space rectangle."""
    xs, ys = [], []
    for px, py in ((x, y), (x + w, y), (x + w, y + h), (x, y + h)):
        xs.append(m[0] * px + m[2] * py + m[4])
        ys.append(m[1] * px + m[3] * py + m[5])
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def _user_bbox_of_range(
    bbox: np.ndarray, start: int, end: int, ctm: Affine
) -> tuple[float, float, float, float] | None:
    """Union of the primitives' device boxes, mapped back into the group's user space."""
    if end <= start:
        return None
    rows = bbox[start:end]
    rows = rows[np.isfinite(rows).all(axis=1)]
    if rows.size == 0:
        return None
    x0, y0 = float(rows[:, 0].min()), float(rows[:, 1].min())
    x1, y1 = float(rows[:, 2].max()), float(rows[:, 3].max())
    inv = invert(ctm)
    if inv is None:
        return None
    bx, by, bw, bh = _corners_bbox(inv, x0, y0, x1 - x0, y1 - y0)
    return (bx, by, bx + bw, by + bh)


# ------------------------------------------------------------------------------ group effects
def resolve_group_effects(b: Clip, bbox: np.ndarray) -> None:
    """Resolve the filter, mask and objectBoundingBox clip of every group that asked for one,
    now that bboxes exist."""
    for rec in b.pending:
        g = b.groups[rec.group]
        user_bbox = _user_bbox_of_range(bbox, rec.start, rec.end, rec.ctm)
        fi = mi = -1
        clip = g.clip
        if rec.clip:
            clip = b.clip_ref(rec.clip, rec.el, rec.ctx, rec.ctm, _fixed_bbox(user_bbox))
        if rec.filter:
            fi = _resolve_filter(b, rec.filter, rec.el, rec.ctm, user_bbox, rec.ctx)
        if rec.mask:
            mi = _resolve_mask(b, rec.mask, rec.el, rec.ctm, user_bbox, rec.ctx)
        b.groups[rec.group] = replace(g, filter_index=fi, mask_index=mi, clip=clip)


def _fixed_bbox(box: tuple[float, float, float, float] | None) -> BBoxFn:
    def bbox() -> tuple[float, float, float, float] | None:
        return box

    return bbox


def _resolve_filter(
    b: Clip, value: str, el: ET.Element, ctm: Affine, user_bbox: Any, ctx: Ctx
) -> int:
    v = value.strip()
    if not v or v == "none":
        return -1
    m = URL.match(v)
    if m is None:
        return _css_filter(b, v, el, ctm, user_bbox, ctx)
    if m.group(2).strip():
        b.warn("UNSUPPORTED_EFFECT", "only the first filter of a filter list is applied", el)
    target = b.by_id.get(m.group(1))
    if target is None or local_name(target.tag)[1] != "filter":
        b.warn(
            "MISSING_REFERENCE",
            f"filter references #{m.group(1)}, which is not a <filter>; drawn without it",
            el,
        )
        return -1
    chain = b.href_chain(target, ("filter",))
    units = (chain_attr(chain, "filterUnits") or "objectBoundingBox").strip()
    prim_units = (chain_attr(chain, "primitiveUnits") or "userSpaceOnUse").strip()
    obb = units != "userSpaceOnUse"
    vp = ctx.viewport
    if obb:
        if user_bbox is None or user_bbox[2] <= user_bbox[0] or user_bbox[3] <= user_bbox[1]:
            return _append_filter(b, target, (0.0, 0.0, 0.0, 0.0), ())
        bx, by = user_bbox[0], user_bbox[1]
        bw, bh = user_bbox[2] - bx, user_bbox[3] - by
        rx = bx + bw * b.fraction(chain_attr(chain, "x"), -0.1, target, "x")
        ry = by + bh * b.fraction(chain_attr(chain, "y"), -0.1, target, "y")
        rw = bw * b.fraction(chain_attr(chain, "width"), 1.2, target, "width")
        rh = bh * b.fraction(chain_attr(chain, "height"), 1.2, target, "height")
    else:
        rx = b.length(chain_attr(chain, "x") or "-10%", 0.0, target, "x", "x", vp)
        ry = b.length(chain_attr(chain, "y") or "-10%", 0.0, target, "y", "y", vp)
        rw = b.length(chain_attr(chain, "width") or "120%", 0.0, target, "width", "x", vp)
        rh = b.length(chain_attr(chain, "height") or "120%", 0.0, target, "height", "y", vp)
    if rw <= 0 or rh <= 0:
        return _append_filter(b, target, (0.0, 0.0, 0.0, 0.0), ())
    region = _corners_bbox(ctm, rx, ry, rw, rh)
    owner = next((f for f in chain if any(_is_fe(c) for c in f)), None)
    if owner is None:
        return _append_filter(b, target, region, ())
    _, fctx = b.element_style(owner, ctx)
    sx, sy = math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])
    ubox = user_bbox if user_bbox is not None else (0.0, 0.0, 0.0, 0.0)
    scale = _PrimitiveScale(prim_units != "userSpaceOnUse", ubox, sx, sy)
    prims: list[FilterPrimitive] = []
    for child in owner:
        if not _is_fe(child):
            continue
        kind = local_name(child.tag)[1]
        pstyle, _ = b.compute_style(child, kind, fctx)
        sub = _subregion(b, child, scale, (rx, ry, rw, rh), ctm, vp)
        linear = pstyle.get("color-interpolation-filters", "linearRGB").strip() != "sRGB"
        inputs, params = _primitive_params(b, child, kind, pstyle, scale, fctx)
        if kind not in SUPPORTED_KINDS:
            b.warn(
                "UNSUPPORTED_EFFECT",
                f"<{kind}> is not implemented; it passes its input through",
                child,
            )
        prims.append(
            FilterPrimitive(kind, inputs, child.get("result", "").strip(), sub, linear, params)
        )
    return _append_filter(b, target, region, tuple(prims))


class _PrimitiveScale:
    """Maps primitive lengths (user units, or fractions of the bbox for objectBoundingBox
    primitiveUnits) to device px per axis."""

    def __init__(self, obb: bool, ubox: tuple[float, float, float, float], sx: float, sy: float):
        self.obb = obb
        self.ox, self.oy = ubox[0], ubox[1]
        self.bw = ubox[2] - ubox[0]
        self.bh = ubox[3] - ubox[1]
        self.sx, self.sy = sx, sy

    def x(self, v: float) -> float:
        return v * (self.bw if self.obb else 1.0) * self.sx

    def y(self, v: float) -> float:
        return v * (self.bh if self.obb else 1.0) * self.sy


def _subregion(
    b: Clip,
    child: ET.Element,
    scale: _PrimitiveScale,
    region: tuple[float, float, float, float],
    ctm: Affine,
    vp: tuple[float, float],
) -> tuple[float, float, float, float]:
    """A primitive's x/y/width/height in device px; missing values default to the filter region."""

    def coord(name: str, default: float, axis: str, position: bool) -> float:
        raw = child.get(name)
        if raw is None:
            return default
        if scale.obb:
            size = scale.bw if axis == "x" else scale.bh
            origin = (scale.ox if axis == "x" else scale.oy) if position else 0.0
            return origin + b.fraction(raw, 0.0, child, name) * size
        return b.length(raw, default, child, name, axis, vp)

    rx, ry, rw, rh = region
    x, y = coord("x", rx, "x", True), coord("y", ry, "y", True)
    w, h = coord("width", rw, "x", False), coord("height", rh, "y", False)
    if w <= 0 or h <= 0:
        return (0.0, 0.0, 0.0, 0.0)
    return _corners_bbox(ctm, x, y, w, h)


def _is_fe(el: Any) -> bool:
    if not isinstance(el.tag, str):
        return False
    ns, name = local_name(el.tag)
    return ns in ("", SVG_NS) and name in _FE_KINDS


def _append_filter(
    b: Clip,
    target: ET.Element,
    region: tuple[float, float, float, float],
    prims: tuple[FilterPrimitive, ...],
) -> int:
    b.filters.append(Filter(target.get("id", ""), region, prims))
    return len(b.filters) - 1


def _numbers(text: str | None) -> list[float]:
    if not text:
        return []
    out = []
    for tok in re.split(r"[\s,]+", text.strip()):
        if not tok:
            continue
        try:
            v = float(tok)
        except ValueError:
            return []
        if not math.isfinite(v):
            return []
        out.append(v)
    return out


def _flood_rgba(
    b: Clip, style: dict[str, str], el: ET.Element
) -> tuple[float, float, float, float]:
    raw = style.get("flood-color", "black")
    if raw.strip().lower() == "currentcolor":
        raw = style.get("color", "black")
    rgba = parse_color(raw) or (0.0, 0.0, 0.0, 1.0)
    return (rgba[0], rgba[1], rgba[2], rgba[3] * parse_opacity(style.get("flood-opacity", "1")))


def _std_dev(values: list[float], scale: _PrimitiveScale) -> tuple[float, float]:
    if not values:
        return (0.0, 0.0)
    if len(values) > 2:
        return (0.0, 0.0)  # more than two numbers is an error: the blur passes its input through
    sx = values[0]
    sy = values[1] if len(values) > 1 else sx
    if sx < 0 or sy < 0:
        return (0.0, 0.0)  # a negative deviation disables the primitive: its input passes through
    return (scale.x(sx), scale.y(sy))


def color_matrix(kind: str, values: list[float]) -> tuple[float, ...]:
    """The 4×5 matrix (20 floats, row-major) of an feColorMatrix ``type`` and ``values``.

    Examples
    --------
    >>> [round(v, 3) for v in color_matrix("saturate", [0.0])[:3]]
    [0.213, 0.715, 0.072]
    """
    if kind == "saturate":
        return saturate_matrix(values[0] if values else 1.0)
    if kind == "hueRotate":
        return hue_rotate_matrix(values[0] if values else 0.0)
    if kind == "luminanceToAlpha":
        return LUMINANCE_TO_ALPHA_MATRIX
    if len(values) == 20:
        return tuple(values)
    return _IDENTITY_MATRIX


_IDENTITY_MATRIX = (1.0, 0, 0, 0, 0, 0, 1.0, 0, 0, 0, 0, 0, 1.0, 0, 0, 0, 0, 0, 1.0, 0)


def _primitive_params(
    b: Clip,
    el: ET.Element,
    kind: str,
    style: dict[str, str],
    scale: _PrimitiveScale,
    fctx: Ctx,
) -> tuple[tuple[str, ...], dict[str, Any]]:
    in1 = el.get("in", "").strip()
    in2 = el.get("in2", "").strip()
    params: dict[str, Any] = {}
    inputs: tuple[str, ...] = (in1,)
    if kind == "feGaussianBlur":
        params["std_dev"] = _std_dev(_numbers(el.get("stdDeviation", "0")), scale)
        params["edge_mode"] = el.get("edgeMode", "none").strip()
    elif kind == "feOffset":
        params["dx"] = scale.x(b.number(el.get("dx"), 0.0, el, "dx"))
        params["dy"] = scale.y(b.number(el.get("dy"), 0.0, el, "dy"))
    elif kind == "feFlood":
        params["rgba"] = _flood_rgba(b, style, el)
        inputs = ()
    elif kind == "feComposite":
        params["operator"] = el.get("operator", "over").strip()
        for k in ("k1", "k2", "k3", "k4"):
            params[k] = b.number(el.get(k), 0.0, el, k)
        inputs = (in1, in2)
    elif kind == "feBlend":
        params["mode"] = el.get("mode", "normal").strip()
        inputs = (in1, in2)
    elif kind == "feMerge":
        inputs = tuple(
            n.get("in", "").strip()
            for n in el
            if isinstance(n.tag, str) and local_name(n.tag)[1] == "feMergeNode"
        )
    elif kind == "feColorMatrix":
        mtype = el.get("type", "matrix").strip()
        values = _numbers(el.get("values"))
        if mtype == "matrix" and el.get("values") is not None and len(values) != 20:
            b.warn(
                "INVALID_ATTRIBUTE", "feColorMatrix values must be 20 numbers; identity used", el
            )
        params["matrix"] = color_matrix(mtype, values)
    elif kind == "feDropShadow":
        params["std_dev"] = _std_dev(_numbers(el.get("stdDeviation", "2")), scale)
        params["dx"] = scale.x(b.number(el.get("dx"), 2.0, el, "dx"))
        params["dy"] = scale.y(b.number(el.get("dy"), 2.0, el, "dy"))
        params["rgba"] = _flood_rgba(b, style, el)
    elif kind == "feMorphology":
        radius = _numbers(el.get("radius", "0")) or [0.0]
        rx_, ry_ = radius[0], radius[1] if len(radius) > 1 else radius[0]
        params["operator"] = el.get("operator", "erode").strip()
        params["radius"] = (scale.x(rx_), scale.y(ry_))
    elif kind == "feComponentTransfer":
        funcs: dict[str, dict[str, Any]] = {}
        for f in el:
            if not isinstance(f.tag, str):
                continue
            name = local_name(f.tag)[1]
            if name in ("feFuncR", "feFuncG", "feFuncB", "feFuncA"):
                funcs[name[-1]] = {
                    "type": f.get("type", "identity").strip(),
                    "tableValues": _numbers(f.get("tableValues")),
                    "slope": b.number(f.get("slope"), 1.0, f, "slope"),
                    "intercept": b.number(f.get("intercept"), 0.0, f, "intercept"),
                    "amplitude": b.number(f.get("amplitude"), 1.0, f, "amplitude"),
                    "exponent": b.number(f.get("exponent"), 1.0, f, "exponent"),
                    "offset": b.number(f.get("offset"), 0.0, f, "offset"),
                }
        params["funcs"] = funcs
    else:
        params["attributes"] = dict(el.attrib)
    return inputs, params


def _css_filter(b: Clip, value: str, el: ET.Element, ctm: Affine, user_bbox: Any, ctx: Ctx) -> int:
    """CSS filter functions: ``blur()`` and ``drop-shadow()`` become primitives; others warn."""
    m = CSS_FILTER.match(value)
    if m is None:
        b.warn("UNSUPPORTED_EFFECT", f"filter={value!r} is not understood; drawn without it", el)
        return -1
    name, args = m.group(1).lower(), m.group(2)
    if user_bbox is None:
        return -1
    sx, sy = math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])
    x0, y0, x1, y1 = user_bbox
    w, h = x1 - x0, y1 - y0
    if name == "blur":
        r = b.length(args.strip() or "0", 0.0, el, "blur", "xy", ctx.viewport)
        pad = 3 * r
        region = _corners_bbox(ctm, x0 - pad, y0 - pad, w + 2 * pad, h + 2 * pad)
        prim = FilterPrimitive(
            "feGaussianBlur",
            ("",),
            "",
            region,
            False,
            {"std_dev": (r * sx, r * sy), "edge_mode": "none"},
        )
        b.filters.append(Filter("", region, (prim,)))
        return len(b.filters) - 1
    if name == "drop-shadow":
        parts = re.findall(
            r"(?:rgba?|hsla?)\([^)]*\)|#[0-9a-fA-F]+|[A-Za-z]+|[-+.\d]+[a-z%]*", args
        )
        lengths = [p for p in parts if re.match(r"^[-+.\d]", p)]
        colours = [p for p in parts if not re.match(r"^[-+.\d]", p)]
        dx, dy, r = (
            b.length(v, 0.0, el, "drop-shadow", "xy", ctx.viewport)
            for v in ([*lengths, "0", "0", "0"])[:3]
        )
        rgba = parse_color(colours[0]) if colours else None
        pad = 3 * r + max(abs(dx), abs(dy))
        region = _corners_bbox(ctm, x0 - pad, y0 - pad, w + 2 * pad, h + 2 * pad)
        prim = FilterPrimitive(
            "feDropShadow",
            ("",),
            "",
            region,
            False,
            {
                "std_dev": (r / 2 * sx, r / 2 * sy),
                "dx": dx * sx,
                "dy": dy * sy,
                "rgba": rgba or (0.0, 0.0, 0.0, 1.0),
            },
        )
        b.filters.append(Filter("", region, (prim,)))
        return len(b.filters) - 1
    b.warn("UNSUPPORTED_EFFECT", f"CSS filter function {name}() is not applied", el)
    return -1


# ---------------------------------------------------------------------------------------- masks
def _resolve_mask(
    b: Clip, value: str, el: ET.Element, ctm: Affine, user_bbox: Any, ctx: Ctx
) -> int:
    m = URL.match(value.strip())
    if m is None:
        if value.strip() != "none":
            b.warn(
                "UNSUPPORTED_EFFECT",
                f"mask={value!r} is not a mask reference; drawn without it",
                el,
            )
        return -1
    ref = m.group(1)
    target = b.by_id.get(ref)
    if target is None or local_name(target.tag)[1] != "mask":
        b.warn(
            "MISSING_REFERENCE",
            f"mask references #{ref}, which is not a <mask>; drawn without it",
            el,
        )
        return -1
    if ref in b.active_refs:
        return -1  # a mask used inside its own content (or on itself) is ignored there
    vp = ctx.viewport
    obb = (target.get("maskUnits") or "objectBoundingBox").strip() != "userSpaceOnUse"
    if obb:
        if user_bbox is None or user_bbox[2] <= user_bbox[0] or user_bbox[3] <= user_bbox[1]:
            return _empty_mask(b, ref)
        bx, by = user_bbox[0], user_bbox[1]
        bw, bh = user_bbox[2] - bx, user_bbox[3] - by
        x = bx + bw * b.fraction(target.get("x"), -0.1, target, "x")
        y = by + bh * b.fraction(target.get("y"), -0.1, target, "y")
        w = bw * b.fraction(target.get("width"), 1.2, target, "width")
        h = bh * b.fraction(target.get("height"), 1.2, target, "height")
    else:
        x = b.length(target.get("x") or "-10%", 0.0, target, "x", "x", vp)
        y = b.length(target.get("y") or "-10%", 0.0, target, "y", "y", vp)
        w = b.length(target.get("width") or "120%", 0.0, target, "width", "x", vp)
        h = b.length(target.get("height") or "120%", 0.0, target, "height", "y", vp)
    if w <= 0 or h <= 0:
        return _empty_mask(b, ref)
    content_ctm = ctm
    if (target.get("maskContentUnits") or "").strip() == "objectBoundingBox":
        if user_bbox is None:
            return _empty_mask(b, ref)
        bx, by = user_bbox[0], user_bbox[1]
        content_ctm = multiply(ctm, (user_bbox[2] - bx, 0.0, 0.0, user_bbox[3] - by, bx, by))
    mstyle, mctx = b.element_style(target, ctx)
    luminance = mstyle.get("mask-type", "luminance").strip() != "alpha"
    b.active_refs.add(ref)
    try:
        content = b.build_nested(target, content_ctm, mctx, "mask", b.canvas_info)
        nested = -1
        if mstyle.get("mask"):
            nested = _resolve_mask(b, mstyle["mask"], target, ctm, user_bbox, ctx)
    finally:
        b.active_refs.discard(ref)
    b.masks.append(Mask(ref, _corners_bbox(ctm, x, y, w, h), luminance, content, nested))
    return len(b.masks) - 1


def _empty_mask(b: Clip, ref: str) -> int:
    b.masks.append(
        Mask(
            ref,
            (0.0, 0.0, 0.0, 0.0),
            True,
            b.build_nested(None, IDENTITY, None, "mask", b.canvas_info),
        )
    )
    return len(b.masks) - 1


# ------------------------------------------------------------------------------------- content
# ------------------------------------------------------------------------------------- patterns
def resolve_pattern(
    b: Clip,
    target: ET.Element,
    el: ET.Element,
    ctx: Ctx,
    bbox_user: BBoxFn,
    paint_opacity: float,
    fallback: str,
    style: dict[str, str],
) -> tuple[int, tuple[float, float, float, float], int]:
    """Resolve ``fill``/``stroke`` ``url(#pattern)`` into a :class:`Pattern` paint."""
    ref = target.get("id", "")
    if ref in b.active_refs:
        return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1  # a pattern painting itself paints none
    chain = b.href_chain(target, ("pattern",))
    vp = ctx.viewport
    obb = (chain_attr(chain, "patternUnits") or "objectBoundingBox").strip() != "userSpaceOnUse"
    content_obb = (chain_attr(chain, "patternContentUnits") or "").strip() == "objectBoundingBox"
    box = bbox_user() if (obb or content_obb) else None
    if (obb or content_obb) and (box is None or box[2] <= box[0] or box[3] <= box[1]):
        return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
    if obb:
        assert box is not None
        bx, by, bw, bh = box[0], box[1], box[2] - box[0], box[3] - box[1]
        x = bx + bw * b.fraction(chain_attr(chain, "x"), 0.0, target, "x")
        y = by + bh * b.fraction(chain_attr(chain, "y"), 0.0, target, "y")
        w = bw * b.fraction(chain_attr(chain, "width"), 0.0, target, "width")
        h = bh * b.fraction(chain_attr(chain, "height"), 0.0, target, "height")
    else:
        x = b.length(chain_attr(chain, "x"), 0.0, target, "x", "x", vp)
        y = b.length(chain_attr(chain, "y"), 0.0, target, "y", "y", vp)
        w = b.length(chain_attr(chain, "width"), 0.0, target, "width", "x", vp)
        h = b.length(chain_attr(chain, "height"), 0.0, target, "height", "y", vp)
    if w <= 0 or h <= 0:
        return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
    pt = b.transform_of(target, chain_attr(chain, "patternTransform") or "")
    to_device = multiply(ctx.ctm, pt)
    vb_raw = chain_attr(chain, "viewBox")
    vb = None
    if vb_raw is not None:
        holder = ET.Element("pattern", {"viewBox": vb_raw})
        vb = b.viewbox(holder)
    if vb is not None:
        par = normalise_par(chain_attr(chain, "preserveAspectRatio"))
        content_ctm = viewbox_transform(vb, par, 0.0, 0.0, w, h)
    elif content_obb:
        assert box is not None
        content_ctm = (box[2] - box[0], 0.0, 0.0, box[3] - box[1], 0.0, 0.0)
    else:
        content_ctm = IDENTITY
    owner = next((p for p in chain if any(isinstance(c.tag, str) for c in p)), None)
    if owner is None:
        return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
    _, pctx = b.element_style(owner, ctx)
    pctx = Ctx(IDENTITY, pctx.style, -1, (vb[2], vb[3]) if vb else vp, pctx.ancestors)
    tile_canvas = Canvas(w, h, None, "xMidYMid meet", IDENTITY)
    b.active_refs.add(ref)
    try:
        content = b.build_nested(owner, content_ctm, pctx, "pattern", tile_canvas)
    finally:
        b.active_refs.discard(ref)
    mean = _content_mean_colour(content)
    b.patterns.append(Pattern(ref, (x, y, w, h), to_device, content))
    return PaintKind.PATTERN, (mean[0], mean[1], mean[2], paint_opacity), len(b.patterns) - 1


def _content_mean_colour(scene: Scene) -> tuple[float, float, float]:
    """Area-weighted mean fill colour of a pattern's content (a colour that can stand for it)."""
    if len(scene) == 0:
        return (0.5, 0.5, 0.5)
    box = scene.bbox
    area = np.nan_to_num((box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1]))
    painted = (scene.fill_kind != PaintKind.NONE) & (area > 0)
    if not painted.any():
        return (0.5, 0.5, 0.5)
    w = area[painted] * scene.fill_rgba[painted, 3]
    if w.sum() <= 0:
        return (0.5, 0.5, 0.5)
    rgb = (scene.fill_rgba[painted, :3] * w[:, None]).sum(axis=0) / w.sum()
    return (float(rgb[0]), float(rgb[1]), float(rgb[2]))
