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
from typing import Any, NamedTuple

import numpy as np

from ..affine import IDENTITY, Affine, invert, multiply
from ..color import parse_color
from ..filter_spec import (
    LUMINANCE_TO_ALPHA_MATRIX,
    SUPPORTED_KINDS,
    chain_filters,
    hue_rotate_matrix,
    saturate_matrix,
)
from ..ingest.safe_xml import SVG_NS, local_name
from ..scene import Canvas, Filter, FilterPrimitive, Mask, PaintKind, Pattern, Scene
from .clip import Clip
from .context import ROW_FIELDS, URL, BBoxFn, Ctx, chain_attr, href_of
from .units import normalise_par, parse_opacity, viewbox_transform

__all__ = ["CSS_FILTER", "filter_space", "resolve_group_effects", "resolve_pattern"]

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


class _UserPoints:
    """The accumulated primitives' points in their own user space, for bounding boxes in a
    rotated or skewed group's user space (built on first need)."""

    def __init__(self, b: Clip) -> None:
        rows = b.acc.rows
        field_n, field_t = ROW_FIELDS.index("n_pts"), ROW_FIELDS.index("transform")
        n_pts = np.fromiter((r[field_n] for r in rows), np.int64, len(rows))
        self.offsets = np.zeros(len(rows) + 1, np.int64)
        n_pts.cumsum(out=self.offsets[1:])
        self.points = np.asarray(b.acc.points, np.float64).reshape(-1, 2)
        self.transforms = [r[field_t] for r in rows]
        self.texts = b.texts


def _rotated_user_bbox(
    pts: _UserPoints, bbox: np.ndarray, start: int, end: int, ctm: Affine
) -> tuple[float, float, float, float] | None:
    """The union of the primitives' boxes in the user space of a group whose ``ctm`` rotates or
    skews, from their points (a path lies in the hull of its points, and the hull of a circle's
    or ellipse's control points is its own box). Mapping the canvas box back instead would
    inflate it: the box of a rotated box is larger. Text runs, which have no points, map their
    canvas box back."""
    inv = invert(ctm)
    if inv is None or end <= start:
        return None
    xs: list[float] = []
    ys: list[float] = []
    for i in range(start, end):
        lo, hi = int(pts.offsets[i]), int(pts.offsets[i + 1])
        if i in pts.texts or hi <= lo:
            one = _user_bbox_of_range(bbox, i, i + 1, ctm)
            if one is not None:
                xs += [one[0], one[2]]
                ys += [one[1], one[3]]
            continue
        rel = multiply(inv, tuple(pts.transforms[i]))
        p = pts.points[lo:hi]
        ux = rel[0] * p[:, 0] + rel[2] * p[:, 1] + rel[4]
        uy = rel[1] * p[:, 0] + rel[3] * p[:, 1] + rel[5]
        ok = np.isfinite(ux) & np.isfinite(uy)
        if ok.any():
            xs += [float(ux[ok].min()), float(ux[ok].max())]
            ys += [float(uy[ok].min()), float(uy[ok].max())]
    if not xs:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


# ------------------------------------------------------------------------------ group effects
def resolve_group_effects(b: Clip, bbox: np.ndarray) -> None:
    """Resolve the filter, mask and objectBoundingBox clip of every group that asked for one,
    now that bboxes exist."""
    pts: _UserPoints | None = None
    for rec in b.pending:
        g = b.groups[rec.group]
        if filter_space(rec.ctm)[1] == IDENTITY:
            user_bbox = _user_bbox_of_range(bbox, rec.start, rec.end, rec.ctm)
        else:
            pts = pts if pts is not None else _UserPoints(b)
            user_bbox = _rotated_user_bbox(pts, bbox, rec.start, rec.end, rec.ctm)
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
    funcs = _css_functions(v)
    if funcs is not None and len(funcs) > 1 and any(name == "url" for name, _ in funcs):
        return _filter_list(b, funcs, el, ctm, user_bbox, ctx)
    m = URL.match(v)
    if m is None:
        return _css_filter(b, v, el, ctm, user_bbox, ctx)
    if m.group(2).strip():
        b.warn(
            "INVALID_ATTRIBUTE",
            f"filter={v[:60]!r} does not parse; only its first filter applies",
            el,
        )
    target = b.by_id.get(m.group(1))
    if target is None or local_name(target.tag)[1] != "filter":
        # SVG 1.1 and browsers: an element whose filter reference is missing or is not a
        # <filter> is not rendered (an empty filter hides it)
        b.warn(
            "MISSING_REFERENCE",
            f"filter references #{m.group(1)}, which is not a <filter>; the element is not "
            "rendered",
            el,
        )
        b.filters.append(Filter(m.group(1), (0.0, 0.0, 0.0, 0.0), ()))
        return len(b.filters) - 1
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
    ctm, to_canvas = filter_space(ctm)
    region = _corners_bbox(ctm, rx, ry, rw, rh)
    owner = next((f for f in chain if any(_is_fe(c) for c in f)), None)
    if owner is None:
        return _append_filter(b, target, region, ())
    _, fctx = b.element_style(owner, ctx)
    sx, sy = math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])
    ubox = user_bbox if user_bbox is not None else (0.0, 0.0, 0.0, 0.0)
    scale = _PrimitiveScale(prim_units != "userSpaceOnUse", ubox, sx, sy)
    if _recursive_fe_image(b, owner):
        b.warn("USE_CYCLE", "filter used inside its own feImage; drawn without it", el)
        return -1
    prims: list[FilterPrimitive] = []
    subs: dict[str, tuple[float, float, float, float] | None] = {}
    previous: list[tuple[float, float, float, float] | None] = []
    for child in owner:
        if not _is_fe(child):
            continue
        kind = local_name(child.tag)[1]
        pstyle, _ = b.compute_style(child, kind, fctx)
        default = _default_subregion(_input_names(child, kind), (rx, ry, rw, rh), subs, previous)
        user_sub = _subregion_user(b, child, scale, default, vp)
        previous = [user_sub]
        if child.get("result", "").strip():
            subs[child.get("result", "").strip()] = user_sub
        sub = _corners_bbox(ctm, *user_sub) if user_sub is not None else (0.0, 0.0, 0.0, 0.0)
        linear = pstyle.get("color-interpolation-filters", "linearRGB").strip() != "sRGB"
        if kind in _FIDELITY_KINDS:
            where = _Placement(ctm, user_sub or (rx, ry, rw, rh), scale, fctx)
            inputs, params = _fidelity_params(b, child, kind, pstyle, where)
        else:
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
    return _append_filter(b, target, region, tuple(prims), to_canvas)


def _filter_list(
    b: Clip, funcs: list[tuple[str, str]], el: ET.Element, ctm: Affine, user_bbox: Any, ctx: Ctx
) -> int:
    """A filter list with ``url()`` references (Filter Effects 1 §5: each filter applies to the
    result of the one before it), resolved part by part (a reference, or a run of CSS filter
    functions) and chained into one filter by :func:`~svgkit.filter_spec.chain_filters`. A
    reference the element cannot be filtered with (used inside its own feImage) is skipped; an
    invalid function invalidates the whole list, as for a list of functions alone."""
    items: list[str] = []
    for name, args in funcs:
        text = f"{name}({args})"
        if name != "url" and items and not items[-1].startswith("url("):
            items[-1] += " " + text
        else:
            items.append(text)
    start = len(b.filters)
    parts: list[Filter] = []
    for text in items:
        k = _resolve_filter(b, text, el, ctm, user_bbox, ctx)
        if k >= 0:
            parts.append(b.filters[k])
        elif not text.startswith("url("):
            del b.filters[start:]
            return -1
    del b.filters[start:]
    if not parts:
        return -1
    b.filters.append(chain_filters(parts, _STANDARD_INPUTS))
    return len(b.filters) - 1


_STANDARD_INPUTS = frozenset(
    {
        "SourceGraphic",
        "SourceAlpha",
        "BackgroundImage",
        "BackgroundAlpha",
        "FillPaint",
        "StrokePaint",
    }
)
Rect = tuple[float, float, float, float]


def _input_names(child: ET.Element, kind: str) -> list[str] | None:
    """The inputs a primitive references (``None``: none, or feTile)."""
    if kind in ("feFlood", "feImage", "feTurbulence", "feTile"):
        return None
    if kind == "feMerge":
        names = [
            n.get("in", "").strip()
            for n in child
            if isinstance(n.tag, str) and local_name(n.tag)[1] == "feMergeNode"
        ]
        return names or None
    names = [child.get("in", "").strip()]
    if kind in ("feComposite", "feBlend", "feDisplacementMap"):
        names.append(child.get("in2", "").strip())
    return names


def _default_subregion(
    names: list[str] | None, region: Rect, subs: dict[str, Rect | None], previous: list[Rect | None]
) -> Rect:
    """Filter Effects: a primitive's x/y/width/height default to the union of the subregions of
    the primitives it references; to the filter region when it references a standard input
    (SourceGraphic, …), none (feFlood, feImage, feTurbulence), or is feTile."""
    if names is None:
        return region
    rects: list[Rect | None] = []
    for name in names:
        if name in _STANDARD_INPUTS:
            return region
        if name and name in subs:
            rects.append(subs[name])
        elif previous:  # "" and unknown names: the previous result
            rects.append(previous[0])
        else:  # … which is SourceGraphic for the first primitive
            return region
    live = [r for r in rects if r is not None]
    if not live:
        return region
    x0 = min(r[0] for r in live)
    y0 = min(r[1] for r in live)
    x1 = max(r[0] + r[2] for r in live)
    y1 = max(r[1] + r[3] for r in live)
    return (x0, y0, x1 - x0, y1 - y0)


def _recursive_fe_image(b: Clip, owner: ET.Element) -> bool:
    """Whether the filter has an feImage referencing an element whose feImage picture is being
    built: the filter is then ignored on that element (the element is drawn without it)."""
    for child in owner:
        if _is_fe(child) and local_name(child.tag)[1] == "feImage":
            href = (href_of(child) or "").strip()
            if href.startswith("#") and f"feImage:{href[1:]}" in b.active_refs:
                return True
    return False


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

    def point(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        """A light's position in user units (fractions of the bbox for objectBoundingBox); ``z``
        scales by the bbox's mean side ``sqrt((w² + h²) / 2)``."""
        if not self.obb:
            return (x, y, z)
        return (
            self.ox + x * self.bw,
            self.oy + y * self.bh,
            z * math.sqrt((self.bw * self.bw + self.bh * self.bh) / 2.0),
        )


def _subregion_user(
    b: Clip,
    child: ET.Element,
    scale: _PrimitiveScale,
    region: tuple[float, float, float, float],
    vp: tuple[float, float],
) -> tuple[float, float, float, float] | None:
    """A primitive's x/y/width/height in user units (missing values default to the filter
    region), or ``None`` when its size is not positive."""

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
    if not w > 0 or not h > 0:
        return None
    return (x, y, w, h)


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
    to_canvas: Affine = IDENTITY,
) -> int:
    b.filters.append(Filter(target.get("id", ""), region, prims, to_canvas))
    return len(b.filters) - 1


#: Skew or rotation terms of an element transform below this fraction of its scale are float
#: noise: the filter is resolved straight in canvas px.
_AXIS_ALIGNED = 1e-9


def filter_space(ctm: Affine) -> tuple[Affine, Affine]:
    """Split an element's user → canvas transform for filtering, as ``(into, to_canvas)``.

    Filter Effects applies a filter in the element's user space. When ``ctm`` only scales,
    flips and translates, that space is axis-aligned with the canvas and the filter is resolved
    straight in canvas px: ``(ctm, IDENTITY)``. Otherwise (skew, rotation) the filter is
    resolved in the user space scaled by the lengths ``sx``, ``sy`` of ``ctm``'s columns
    (``into = diag(sx, sy)``), and ``to_canvas = ctm ∘ diag(1/sx, 1/sy)`` carries the result
    onto the canvas, the decomposition browsers (Skia's ``decomposeScale``) use. A singular or
    non-finite ``ctm`` stays as it is (nothing under it is visible).

    Examples
    --------
    >>> filter_space((2.0, 0.0, 0.0, 3.0, 5.0, 6.0))
    ((2.0, 0.0, 0.0, 3.0, 5.0, 6.0), (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    >>> filter_space((0.0, 2.0, -2.0, 0.0, 10.0, 0.0))  # rotated 90° and scaled by 2
    ((2.0, 0.0, 0.0, 2.0, 0.0, 0.0), (0.0, 1.0, -1.0, 0.0, 10.0, 0.0))
    """
    a, b, c, d, e, f = ctm
    sx, sy = math.hypot(a, b), math.hypot(c, d)
    if not (math.isfinite(sx) and math.isfinite(sy) and sx > 0.0 and sy > 0.0):
        return ctm, IDENTITY
    if abs(b) <= _AXIS_ALIGNED * sx and abs(c) <= _AXIS_ALIGNED * sy:
        return ctm, IDENTITY
    if not (math.isfinite(e) and math.isfinite(f)):
        return ctm, IDENTITY
    return (sx, 0.0, 0.0, sy, 0.0, 0.0), (a / sx, b / sx, c / sy, d / sy, e, f)


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


# ------------------------------------------------------------ turbulence, lighting, images …
_FIDELITY_KINDS = frozenset(
    {
        "feConvolveMatrix",
        "feDiffuseLighting",
        "feDisplacementMap",
        "feImage",
        "feSpecularLighting",
        "feTile",
        "feTurbulence",
    }
)
_LIGHTS = {"feDistantLight": "distant", "fePointLight": "point", "feSpotLight": "spot"}


class _Placement(NamedTuple):
    """Where a primitive sits: the filtered element's user → canvas transform, the primitive
    subregion in user units, the primitive length scale and the filter's style context."""

    ctm: Affine
    sub: tuple[float, float, float, float]
    scale: _PrimitiveScale
    fctx: Ctx


def _fidelity_params(
    b: Clip, el: ET.Element, kind: str, style: dict[str, str], where: _Placement
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Inputs and parameters of feTurbulence, feDisplacementMap, the lighting primitives,
    feConvolveMatrix, feTile and feImage (documented in ``docs/filters.md``)."""
    in1 = el.get("in", "").strip()
    if kind == "feTurbulence":
        return (), _turbulence_params(b, el, where)
    if kind == "feDisplacementMap":
        s = b.number(el.get("scale"), 0.0, el, "scale")
        params: dict[str, Any] = {
            "scale": (where.scale.x(s), where.scale.y(s)),
            "x_channel": el.get("xChannelSelector", "A").strip(),
            "y_channel": el.get("yChannelSelector", "A").strip(),
        }
        return (in1, el.get("in2", "").strip()), params
    if kind in ("feDiffuseLighting", "feSpecularLighting"):
        return (in1,), _lighting_params(b, el, kind, style, where)
    if kind == "feConvolveMatrix":
        return (in1,), _convolve_params(b, el)
    if kind == "feTile":
        return (in1,), {}
    return (), _image_params(b, el, where)


def _turbulence_params(b: Clip, el: ET.Element, where: _Placement) -> dict[str, Any]:
    freq = _numbers(el.get("baseFrequency"))
    if len(freq) not in (1, 2):
        if el.get("baseFrequency") is not None:
            b.warn("INVALID_ATTRIBUTE", "baseFrequency must be one or two numbers; 0 used", el)
        freq = [0.0]
    octaves = b.number(el.get("numOctaves"), 1.0, el, "numOctaves")
    if not octaves.is_integer():
        b.warn("INVALID_ATTRIBUTE", "numOctaves must be an integer; 1 used", el)
        octaves = 1.0
    seed = b.number(el.get("seed"), 0.0, el, "seed")
    return {
        "base_frequency": (freq[0], freq[-1]),
        "num_octaves": int(min(max(octaves, 0.0), 1e6)),
        # Filter Effects: the seed is truncated (rounded towards zero) before use
        "seed": math.trunc(max(-(2.0**62), min(2.0**62, seed))),
        "stitch": el.get("stitchTiles", "noStitch").strip() == "stitch",
        "fractal": el.get("type", "turbulence").strip() == "fractalNoise",
        "user_to_canvas": where.ctm,
        "tile": where.sub,
    }


def _lighting_params(
    b: Clip, el: ET.Element, kind: str, style: dict[str, str], where: _Placement
) -> dict[str, Any]:
    raw = style.get("lighting-color", "white").strip()
    if raw.lower() == "currentcolor":
        raw = style.get("color", "black")
    rgba = parse_color(raw)
    if rgba is None:
        b.warn("INVALID_ATTRIBUTE", f"lighting-color={raw!r} is not a colour; white used", el)
        rgba = (1.0, 1.0, 1.0, 1.0)
    specular = kind == "feSpecularLighting"
    name = "specularConstant" if specular else "diffuseConstant"
    params: dict[str, Any] = {
        "surface_scale": b.number(el.get("surfaceScale"), 1.0, el, "surfaceScale"),
        "constant": b.number(el.get(name), 1.0, el, name),
        "rgb": (rgba[0], rgba[1], rgba[2]),  # the colour's alpha plays no part
        "light": _light_source(b, el, where),
    }
    if specular:
        params["specular_exponent"] = b.number(
            el.get("specularExponent"), 1.0, el, "specularExponent"
        )
    if params["light"] is None:
        b.warn("INVALID_ATTRIBUTE", f"<{kind}> has no light source; it is transparent", el)
    return params


def _light_source(b: Clip, el: ET.Element, where: _Placement) -> dict[str, Any] | None:
    """The first light source child, positions mapped to canvas px (``z`` scaled by the user →
    canvas scale ``sqrt((sx² + sy²) / 2)``)."""
    light = next(
        (c for c in el if isinstance(c.tag, str) and local_name(c.tag)[1] in _LIGHTS), None
    )
    if light is None:
        return None
    kind = _LIGHTS[local_name(light.tag)[1]]

    def num(name: str, default: float = 0.0) -> float:
        return b.number(light.get(name), default, light, name)

    if kind == "distant":
        return {"type": kind, "azimuth": num("azimuth"), "elevation": num("elevation")}
    ctm = where.ctm
    z_scale = math.sqrt((math.hypot(ctm[0], ctm[1]) ** 2 + math.hypot(ctm[2], ctm[3]) ** 2) / 2)

    def canvas(x: float, y: float, z: float) -> tuple[float, float, float]:
        ux, uy, uz = where.scale.point(x, y, z)
        return (
            ctm[0] * ux + ctm[2] * uy + ctm[4],
            ctm[1] * ux + ctm[3] * uy + ctm[5],
            uz * z_scale,
        )

    x, y, z = canvas(num("x"), num("y"), num("z"))
    out: dict[str, Any] = {"type": kind, "x": x, "y": y, "z": z}
    if kind == "spot":
        px, py, pz = canvas(num("pointsAtX"), num("pointsAtY"), num("pointsAtZ"))
        out.update(points_at_x=px, points_at_y=py, points_at_z=pz)
        out["specular_exponent"] = num("specularExponent", 1.0)
        cone = light.get("limitingConeAngle")
        out["cone"] = None if cone is None else num("limitingConeAngle", 90.0)
    return out


def _convolve_params(b: Clip, el: ET.Element) -> dict[str, Any]:
    order = _numbers(el.get("order", "3"))
    if len(order) == 1:
        order = [order[0], order[0]]
    params: dict[str, Any] = {
        "order": tuple(order) if len(order) == 2 else (0.0, 0.0),
        "kernel": _numbers(el.get("kernelMatrix")),
        "bias": b.number(el.get("bias"), 0.0, el, "bias"),
        "edge_mode": el.get("edgeMode", "duplicate").strip(),
        "preserve_alpha": el.get("preserveAlpha", "false").strip() == "true",
    }
    for attr, key in (("divisor", "divisor"), ("targetX", "target_x"), ("targetY", "target_y")):
        if el.get(attr) is not None:
            params[key] = b.number(el.get(attr), math.nan, el, attr)
    return params


def _image_params(b: Clip, el: ET.Element, where: _Placement) -> dict[str, Any]:
    """feImage: its picture as a nested Scene in canvas px: an element reference drawn as a
    ``<use>`` placed at the subregion's x/y, or a ``data:`` image fitted into the subregion.
    Nothing else is ever fetched: other references place nothing, with a warning."""
    href = (href_of(el) or "").strip()
    x, y, w, h = where.sub
    holder = ET.Element("g")
    key = ""
    if href.startswith("#") and len(href) > 1:
        target = b.by_id.get(href[1:])
        if target is None:
            b.warn("MISSING_REFERENCE", f"feImage references {href}, which does not exist", el)
            return {"href": href, "content": None}
        key = f"feImage:{href[1:]}"
        if key in b.active_refs:
            b.warn("USE_CYCLE", f"feImage reference to {href} inside itself is not drawn", el)
            return {"href": href, "content": None}
        ET.SubElement(holder, "use", {"href": href, "x": repr(x), "y": repr(y)})
    elif href.startswith("data:"):
        attrs = {"href": href, "x": repr(x), "y": repr(y), "width": repr(w), "height": repr(h)}
        par = el.get("preserveAspectRatio")
        if par is not None:
            attrs["preserveAspectRatio"] = par
        ET.SubElement(holder, "image", attrs)
    else:
        b.warn(
            "EXTERNAL_REFERENCE",
            f"feImage href={href[:60]!r} is not a data: URI or an element; never fetched",
            el,
        )
        return {"href": href[:60], "content": None}
    if key:
        b.active_refs.add(key)
    try:
        content = b.build_nested(holder, where.ctm, where.fctx, "feImage", b.canvas_info)
    finally:
        b.active_refs.discard(key)
    return {"href": href[:60], "content": content}


_CSS_FUNCTION = re.compile(r"\s*([A-Za-z-]+)\(((?:[^()]|\([^()]*\))*)\)\s*")
_ANGLE_UNITS = {"deg": 1.0, "grad": 0.9, "rad": 180.0 / math.pi, "turn": 360.0, "": 1.0}
_CSS_GREYSCALE = (0.2126, 0.7152, 0.0722)
_CSS_SEPIA = ((0.393, 0.769, 0.189), (0.349, 0.686, 0.168), (0.272, 0.534, 0.131))


def _css_functions(value: str) -> list[tuple[str, str]] | None:
    """``name(args) name(args) …`` → pairs, or ``None`` when the list does not parse."""
    out: list[tuple[str, str]] = []
    pos, text = 0, value.strip()
    while pos < len(text):
        m = _CSS_FUNCTION.match(text, pos)
        if m is None:
            return None
        out.append((m.group(1).lower(), m.group(2).strip()))
        pos = m.end()
    return out or None


def _css_amount(args: str, default: float, cap: float | None) -> float | None:
    """A ``<number> | <percentage>`` argument (``None``: invalid, e.g. negative)."""
    text = args.strip()
    if not text:
        return default
    try:
        v = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        return None
    if not math.isfinite(v) or v < 0.0:
        return None
    return min(v, cap) if cap is not None else v


def _css_angle(args: str) -> float | None:
    m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)([a-z]*)\s*", args or "0")
    if m is None or m.group(2) not in _ANGLE_UNITS:
        return None
    if not m.group(2) and float(m.group(1)) != 0.0:
        return None  # CSS angles need a unit (only 0 may go without)
    v = float(m.group(1)) * _ANGLE_UNITS[m.group(2)]
    return v if math.isfinite(v) else None


def _css_matrix(rows: tuple[tuple[float, float, float], ...], amount: float) -> tuple[float, ...]:
    """The 4×5 matrix mixing the identity (``amount`` 0) and ``rows`` (``amount`` 1)."""
    out: list[float] = []
    for i, row in enumerate(rows):
        out += [(1 - amount) * (1.0 if j == i else 0.0) + amount * row[j] for j in range(3)]
        out += [0.0, 0.0]
    return (*out, 0.0, 0.0, 0.0, 1.0, 0.0)


def _css_transfer(rgb: dict[str, Any] | None, alpha: dict[str, Any] | None) -> dict[str, Any]:
    funcs = {c: rgb for c in "RGB"} if rgb is not None else {}
    if alpha is not None:
        funcs["A"] = alpha
    return {"funcs": funcs}


def _css_primitive(
    b: Clip, name: str, args: str, el: ET.Element, ctx: Ctx, sx: float, sy: float
) -> tuple[str, dict[str, Any], float] | None:
    """One CSS filter function as (kind, params, padding in user units), as Filter Effects 1
    §13 defines its equivalent primitive; ``None`` when it is invalid."""
    vp = ctx.viewport
    if name == "blur":
        parts = args.split()
        if len(parts) > 1 or (parts and parts[0].endswith("%")):
            return None
        r = b.length(parts[0] if parts else "0", 0.0, el, "blur", "xy", vp)
        if not r >= 0.0:
            return None
        return "feGaussianBlur", {"std_dev": (r * sx, r * sy), "edge_mode": "none"}, 3.0 * r
    if name == "drop-shadow":
        return _css_drop_shadow(b, args, el, ctx, sx, sy)
    if name == "hue-rotate":
        angle = _css_angle(args)
        return None if angle is None else ("feColorMatrix", {"matrix": hue_rotate_matrix(angle)}, 0)
    caps = {"grayscale": 1.0, "sepia": 1.0, "invert": 1.0, "opacity": 1.0}
    if name not in (*caps, "saturate", "brightness", "contrast"):
        return None
    amount = _css_amount(args, 1.0, caps.get(name))
    if amount is None:
        return None
    if name == "grayscale":
        rows = (_CSS_GREYSCALE, _CSS_GREYSCALE, _CSS_GREYSCALE)
        return "feColorMatrix", {"matrix": _css_matrix(rows, amount)}, 0.0
    if name == "sepia":
        return "feColorMatrix", {"matrix": _css_matrix(_CSS_SEPIA, amount)}, 0.0
    if name == "saturate":
        return "feColorMatrix", {"matrix": saturate_matrix(amount)}, 0.0
    if name == "invert":
        table = {"type": "table", "tableValues": [amount, 1.0 - amount]}
        return "feComponentTransfer", _css_transfer(table, None), 0.0
    if name == "opacity":
        table = {"type": "table", "tableValues": [0.0, amount]}
        return "feComponentTransfer", _css_transfer(None, table), 0.0
    intercept = 0.0 if name == "brightness" else 0.5 - 0.5 * amount
    linear = {"type": "linear", "slope": amount, "intercept": intercept}
    return "feComponentTransfer", _css_transfer(linear, None), 0.0


def _css_drop_shadow(
    b: Clip, args: str, el: ET.Element, ctx: Ctx, sx: float, sy: float
) -> tuple[str, dict[str, Any], float] | None:
    """``drop-shadow(<color>? <dx> <dy> <std-dev>?)``; the colour defaults to ``currentColor``."""
    if "," in re.sub(r"\([^)]*\)", "", args):
        return None  # the arguments are separated by spaces only
    parts = re.findall(r"(?:rgba?|hsla?)\([^)]*\)|#[0-9a-fA-F]+|[A-Za-z]+|[-+.\d]+[a-z%]*", args)
    lengths = [p for p in parts if re.match(r"^[-+.\d]", p)]
    colours = [p for p in parts if not re.match(r"^[-+.\d]", p)]
    if len(lengths) == 1 or len(lengths) > 3 or len(colours) > 1:
        return None
    if any(v.endswith("%") for v in lengths):
        return None  # CSS lengths: percentages are not allowed here
    dx, dy, r = (
        b.length(v, 0.0, el, "drop-shadow", "xy", ctx.viewport)
        for v in ([*lengths, "0", "0", "0"])[:3]
    )
    if not r >= 0.0:
        return None
    colour = colours[0] if colours else "currentColor"
    if colour.lower() == "currentcolor":
        colour = b.element_style(el, ctx)[0].get("color", "black")
    rgba = parse_color(colour) or (0.0, 0.0, 0.0, 1.0)
    params = {"std_dev": (r * sx, r * sy), "dx": dx * sx, "dy": dy * sy, "rgba": rgba}
    return "feDropShadow", params, 3.0 * r + max(abs(dx), abs(dy))


def _css_filter(b: Clip, value: str, el: ET.Element, ctm: Affine, user_bbox: Any, ctx: Ctx) -> int:
    """A list of CSS filter functions (Filter Effects 1 §13) as one filter whose primitives run in
    order, in sRGB; an invalid function invalidates the whole list (drawn without a filter)."""
    funcs = _css_functions(value)
    if funcs is None:
        b.warn("UNSUPPORTED_EFFECT", f"filter={value!r} is not understood; drawn without it", el)
        return -1
    if user_bbox is None:
        return -1
    ctm, to_canvas = filter_space(ctm)
    sx, sy = math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])
    if re.search(r"\d(em|ex)\b", value):  # em lengths are relative to this element's font
        b.font_size_hint = b.font_size(b.element_style(el, ctx)[0], el, ctx)
    resolved: list[tuple[str, dict[str, Any]]] = []
    pad = 0.0
    for name, args in funcs:
        one = _css_primitive(b, name, args, el, ctx, sx, sy)
        if one is None:
            b.warn("INVALID_ATTRIBUTE", f"filter function {name}({args}) is invalid; no filter", el)
            return -1
        resolved.append((one[0], one[1]))
        pad += one[2]
    x0, y0, x1, y1 = user_bbox
    w, h = x1 - x0, y1 - y0
    # filter functions have no region: the bbox grown by 10% and by what blurs and shadows reach
    px, py = pad + 0.1 * w, pad + 0.1 * h
    region = _corners_bbox(ctm, x0 - px, y0 - py, w + 2 * px, h + 2 * py)
    prims = tuple(
        FilterPrimitive(kind, ("",), "", region, False, params) for kind, params in resolved
    )
    b.filters.append(Filter("", region, prims, to_canvas))
    return len(b.filters) - 1


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
    into, to_canvas = filter_space(ctm)  # a rotated region is a parallelogram on the canvas
    region = _corners_bbox(into, x, y, w, h)
    b.masks.append(Mask(ref, region, luminance, content, nested, to_canvas))
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
    if b.active_refs and _leads_back(b, target):
        # a cycle through other patterns is cut where it starts, as Chrome and resvg do: inside
        # pattern A, a paint of pattern B whose content paints with A paints nothing
        return PaintKind.NONE, (0.0, 0.0, 0.0, 0.0), -1
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


_PAINT_URL = re.compile(r"url\(\s*['\"]?\s*#([^'\")\s]+)")
#: Elements :func:`_leads_back` looks at before giving up (and answering no).
_MAX_CYCLE_SCAN = 10000


def _leads_back(b: Clip, target: ET.Element) -> bool:
    """Whether the content of pattern ``target`` (or of the patterns its ``fill``/``stroke``
    paints reach, transitively) paints with a pattern whose content is being built."""
    stack = [target]
    seen: set[int] = set()
    scanned = 0
    while stack:
        pattern = stack.pop()
        if id(pattern) in seen:
            continue
        seen.add(id(pattern))
        for owner in b.href_chain(pattern, ("pattern",)):
            for node in owner.iter():
                scanned += 1
                if scanned > _MAX_CYCLE_SCAN:
                    return False
                for name in ("fill", "stroke", "style"):
                    for m in _PAINT_URL.finditer(node.get(name) or ""):
                        if m.group(1) in b.active_refs:
                            return True
                        nxt = b.by_id.get(m.group(1))
                        if nxt is not None and local_name(nxt.tag)[1] == "pattern":
                            stack.append(nxt)
    return False


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
