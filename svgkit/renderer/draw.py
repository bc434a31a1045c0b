"""The renderer's inner loop: map the canvas onto the output pixels (:func:`output_matrix`) and
draw every primitive of a :class:`~svgkit.scene.Scene` in paint order with cairo (paths, solid
and gradient paint, strokes, clips, group and element opacity), handing text, images, filters,
masks and patterns to their own modules; it never sees XML.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import cairo
import numpy as np

from ..affine import (
    Affine,
    invert,
    is_invertible,
    multiply,
    singular_values,
    viewbox_transform,
)
from ..scene import (
    FILL_RULE_EVENODD,
    Canvas,
    Gradient,
    Group,
    LineJoin,
    PaintKind,
    PrimitiveKind,
)
from .layers import Layer, clip_is_empty, clip_is_simple, close_layer, open_layer
from .state import Columns, RenderState, append_path, cairo_matrix

__all__ = ["draw_scene", "output_matrix", "viewbox_map"]

# Coordinates: Scene geometry is in canvas device space and ``T_out`` (a scale and a translation,
# see output_matrix) maps it onto the pixel grid. All command points are mapped by ``T_out`` once,
# with numpy, so paths are built under the identity matrix and fills and gradients are set up in
# output pixels. Strokes (and text outlines) set the cairo matrix to ``T_out ∘ transform[i]`` so
# that the stroke width, dashes and the pen shape follow the element's user space even under a
# non-uniform scale or a skew; cairo keeps an already-built path in device space, so changing the
# matrix does not move the geometry.
#
# Compositing: groups are contiguous in paint order. A group that needs compositing (the Scene's
# Group.needs_compositing) opens a scope; it pushes a layer only when it has to: opacity < 1
# (push_group … paint_with_alpha), a clip-path that cannot be one cairo clip (several children:
# their union is rendered into an A8 mask), a mix-blend-mode (the layer is painted back with
# cairo's blend operator, so its backdrop is the parent layer or the canvas) or isolation (a
# transparent layer, which is what isolates). A clip with one child path (and a chain of such
# nested clips) is a plain cairo.clip(). An element with opacity < 1 painted by both fill and
# stroke is composited as a layer; with one paint the opacity is folded into the paint's alpha.
# Filters, masks and pattern paint are drawn by the effects module, imported only by documents
# using them.


_NONE = int(PaintKind.NONE)
_SOLID = int(PaintKind.SOLID)
_LINEAR = int(PaintKind.LINEAR_GRADIENT)
_RADIAL = int(PaintKind.RADIAL_GRADIENT)
_FALLBACK_PAINT = int(PaintKind.UNSUPPORTED)
_PATTERN = int(PaintKind.PATTERN)
_TEXT = int(PrimitiveKind.TEXT)
_IMAGE = int(PrimitiveKind.IMAGE)

_CAIRO_JOIN = {
    int(LineJoin.MITER): cairo.LINE_JOIN_MITER,
    int(LineJoin.ROUND): cairo.LINE_JOIN_ROUND,
    int(LineJoin.BEVEL): cairo.LINE_JOIN_BEVEL,
    # cairo has neither miter-clip nor arcs; SVG 2 says arcs falls back to miter, and miter-clip
    # differs from miter only beyond the miter limit
    int(LineJoin.MITER_CLIP): cairo.LINE_JOIN_MITER,
    int(LineJoin.ARCS): cairo.LINE_JOIN_MITER,
}
_CAIRO_CAP = (cairo.LINE_CAP_BUTT, cairo.LINE_CAP_ROUND, cairo.LINE_CAP_SQUARE)
_FILL_RULES = (cairo.FILL_RULE_WINDING, cairo.FILL_RULE_EVEN_ODD)  # indexed by "is evenodd"
_EXTEND = {"pad": cairo.EXTEND_PAD, "reflect": cairo.EXTEND_REFLECT, "repeat": cairo.EXTEND_REPEAT}


# ---------------------------------------------------------------------------------------------
# output mapping
# ---------------------------------------------------------------------------------------------


def viewbox_map(
    viewbox: tuple[float, float, float, float], par: str, width: float, height: float
) -> Affine:
    """The SVG viewBox → viewport mapping for a viewport ``(0, 0, width, height)``.

    ``par`` is a normalised ``preserveAspectRatio`` (``"xMidYMid meet"``, ``"none"``, …). With
    ``sx = width / vw`` and ``sy = height / vh``: ``none`` scales by ``(sx, sy)``; ``meet`` by
    ``min(sx, sy)`` and ``slice`` by ``max(sx, sy)`` on both axes, aligned by the ``xM??YM??``
    keyword.

    Examples
    --------
    >>> viewbox_map((0, 0, 10, 10), "xMidYMid meet", 200, 100)
    (10.0, 0.0, 0.0, 10.0, 50.0, 0.0)
    """
    return viewbox_transform(viewbox, par, 0.0, 0.0, width, height)


def output_matrix(canvas: Canvas, width: int, height: int) -> Affine:
    """Canvas device space → output pixels: ``T_out = vbmap(W, H) ∘ vbmap(cw, ch)⁻¹``.

    ``vbmap(w, h)`` maps the root viewBox (``0 0 cw ch`` when the document has none) into a
    ``w × h`` viewport with the root ``preserveAspectRatio``. When the requested size has the
    canvas's aspect ratio this is the plain scale ``(W / cw, H / ch)``; so it is when the size
    differs from that ratio only by rounding, i.e. some scale ``k`` puts both ``cw · k`` and
    ``ch · k`` less than a pixel from ``W`` and ``H``: the picture then fills the image instead
    of leaving a sub-pixel, half-transparent band. Otherwise the picture is fitted as the root
    element's own ``preserveAspectRatio`` says (centred and letter-boxed for the default
    ``xMidYMid meet``).

    Examples
    --------
    >>> from svgkit.scene import Canvas
    >>> output_matrix(Canvas(100, 50, None, "xMidYMid meet", (1, 0, 0, 1, 0, 0)), 200, 100)
    (2.0, 0.0, 0.0, 2.0, 0.0, 0.0)
    >>> output_matrix(Canvas(100, 33.3, None, "xMidYMid meet", (1, 0, 0, 1, 0, 0)), 300, 100)[:4]
    (3.0, 0.0, 0.0, 3.0030030030030033)
    """
    cw, ch = float(canvas.width), float(canvas.height)
    w, h = float(width), float(height)
    if max((w - 1.0) / cw, (h - 1.0) / ch) < min((w + 1.0) / cw, (h + 1.0) / ch):
        return (w / cw, 0.0, 0.0, h / ch, 0.0, 0.0)
    vb = canvas.viewbox if canvas.viewbox is not None else (0.0, 0.0, cw, ch)
    par = canvas.preserve_aspect_ratio or "xMidYMid meet"
    a = viewbox_map(vb, par, float(width), float(height))
    b = viewbox_map(vb, par, cw, ch)
    # both maps are scale + translate: T = a ∘ b⁻¹
    sx, sy = a[0] / b[0], a[3] / b[3]
    return (sx, 0.0, 0.0, sy, a[4] - b[4] * sx, a[5] - b[5] * sy)


# ---------------------------------------------------------------------------------------------
# paint servers
# ---------------------------------------------------------------------------------------------


# Gradients under near-singular transforms. cairo hands gradients to pixman, which works in 16.16
# fixed point: a pattern matrix entry or a pattern-space coordinate beyond 32767 cannot be
# represented (cairo then reports CAIRO_STATUS_NO_MEMORY, or pixman's coordinates wrap and the
# paint comes out transparent), and a gradient shorter than about 1/65536 unit collapses. So a
# gradient whose output → gradient-space matrix is within these bounds goes to cairo unchanged;
# any other is re-expressed in a conditioned space first (_conditioned_gradient). A gradient
# whose colour cycle is finer than an output pixel is painted as what a pixel would show.
_FIT_RANGE = 16383.0  # cairo rescales gradient geometry beyond this (PIXMAN_MAX_INT >> 1)
_SAFE_SCALE = 4096.0  # largest matrix entry (gradient units per output px) passed as it is
_SAFE_COORD = 16384.0  # largest pattern-space coordinate of a drawn pixel passed as it is
_SAFE_FEATURE = 1.0 / 256.0  # smallest gradient length or radius, in pattern units
#: Below this many output pixels from ``t = 0`` to ``t = 1`` (along the linear gradient's
#: vector; across the radial gradient's narrowest axis) a padded gradient is a step, drawn
#: this wide. A repeated or reflected gradient under one pixel paints its mean colour.
MIN_GRADIENT_PX = 1.0 / 256.0


def _gradient_pattern(st: RenderState, grad: Gradient, alpha: float) -> Any | None:
    """A cairo pattern for ``grad`` in output-pixel user space, stop alphas × ``alpha``.

    ``None`` (paints nothing) when ``T_out ∘ gradientTransform`` is singular or not finite; a
    near-singular one paints what the gradient converges to (see :data:`MIN_GRADIENT_PX`)."""
    to_out = multiply(st.t_out, grad.transform)
    inv = invert(to_out)
    if inv is None or not all(math.isfinite(v) for v in inv):
        return None
    extent = _cycle_px(grad, to_out, inv)
    if not math.isfinite(extent) or extent <= 0.0:
        return None
    if grad.spread != "pad" and extent < 1.0:
        # several colour cycles per pixel: cairo would point-sample them into moiré
        return _mean_color(grad, alpha)
    if not _pixman_safe(st, grad, inv):
        return _conditioned_gradient(st, grad, to_out, inv, alpha, extent)
    pattern: Any
    if grad.kind == "linear":
        pattern = cairo.LinearGradient(grad.x1, grad.y1, grad.x2, grad.y2)
    else:
        fx, fy, fr = _focal(grad)
        # fr > r is legal (SVG 2): the start circle encloses the end circle, as cairo draws it
        pattern = cairo.RadialGradient(fx, fy, fr, grad.cx, grad.cy, grad.r)
    _add_stops(pattern, grad, alpha)
    m = cairo_matrix(to_out)
    m.invert()
    pattern.set_matrix(m)
    return pattern


def _focal(grad: Gradient) -> tuple[float, float, float]:
    """The focal circle cairo is given: a focal point outside the end circle is moved just inside
    it (SVG 1.1 §13.2.3; resvg and browsers keep it a hair inside so the cone does not
    degenerate)."""
    cx, cy, r = grad.cx, grad.cy, grad.r
    fx, fy = grad.fx, grad.fy
    dx, dy = fx - cx, fy - cy
    dist = math.hypot(dx, dy)
    limit = r * 0.999
    if dist > limit and dist > 0:
        fx, fy = cx + dx * limit / dist, cy + dy * limit / dist
    return fx, fy, max(grad.fr, 0.0)


def _add_stops(pattern: Any, grad: Gradient, alpha: float) -> None:
    for stop in grad.stops:
        red, green, blue, a = stop.rgba
        pattern.add_color_stop_rgba(stop.offset, red, green, blue, a * alpha)
    pattern.set_extend(_EXTEND.get(grad.spread, cairo.EXTEND_PAD))


def _linear_in_output(grad: Gradient, inv: Affine) -> tuple[float, float, float]:
    """``(gx, gy, c)`` with ``t = gx·px + gy·py + c`` the linear gradient's parameter at output
    pixel ``(px, py)``."""
    dx, dy = grad.x2 - grad.x1, grad.y2 - grad.y1
    d2 = dx * dx + dy * dy
    gx = (inv[0] * dx + inv[1] * dy) / d2
    gy = (inv[2] * dx + inv[3] * dy) / d2
    c = ((inv[4] - grad.x1) * dx + (inv[5] - grad.y1) * dy) / d2
    return gx, gy, c


def _radial_span(grad: Gradient) -> float:
    """Gradient units from ``t = 0`` to ``t = 1`` of a radial gradient, at the least."""
    fx, fy, fr = _focal(grad)
    return max(abs(grad.r - fr), math.hypot(grad.cx - fx, grad.cy - fy))


def _cycle_px(grad: Gradient, to_out: Affine, inv: Affine) -> float:
    """Output pixels from ``t = 0`` to ``t = 1`` where the gradient changes fastest."""
    if grad.kind == "linear":
        gx, gy, _ = _linear_in_output(grad, inv)
        norm = math.hypot(gx, gy)
        return 1.0 / norm if norm > 0.0 else math.inf
    return singular_values(to_out)[1] * _radial_span(grad)


def _region(st: RenderState) -> tuple[float, float, float, float]:
    """The output-pixel box the current drawing can touch (the context's clip extents)."""
    x0, y0, x1, y1 = st.ctx.clip_extents()
    return (x0, y0, x1, y1)


def _pixman_safe(st: RenderState, grad: Gradient, inv: Affine) -> bool:
    """Whether cairo draws ``grad`` faithfully with ``inv`` (output px → gradient space) as the
    pattern matrix: the geometry needs no rescaling by cairo (which then loses the gradient's
    position to fixed-point rounding), and the matrix entries, the pattern-space coordinates of
    the pixels drawn and the gradient's size are all well inside pixman's 16.16 fixed point."""
    if grad.kind == "linear":
        x1, y1, x2, y2 = grad.x1, grad.y1, grad.x2, grad.y2
        dim = max(abs(x1), abs(y1), abs(x2), abs(y2), abs(x2 - x1), abs(y2 - y1))
        size = math.hypot(x2 - x1, y2 - y1)
    else:
        fx, fy, fr = _focal(grad)
        cx, cy, r = grad.cx, grad.cy, grad.r
        dim = max(abs(fx), abs(fy), abs(cx), abs(cy), fr, r, abs(cx - fx), abs(cy - fy))
        size = r
    if not (dim <= _FIT_RANGE and size >= _SAFE_FEATURE):  # NaN fails too
        return False
    if max(abs(inv[0]), abs(inv[1]), abs(inv[2]), abs(inv[3])) > _SAFE_SCALE:
        return False
    x0, y0, x1, y1 = _region(st)
    for px, py in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        u = inv[0] * px + inv[2] * py + inv[4]
        v = inv[1] * px + inv[3] * py + inv[5]
        if not max(abs(u), abs(v)) <= _SAFE_COORD:  # NaN fails too
            return False
    return True


def _stop_color(stop: Any, alpha: float) -> Any | None:
    r, g, b, a = stop.rgba
    return cairo.SolidPattern(r, g, b, a * alpha) if a * alpha > 0.0 else None


def _mean_color(grad: Gradient, alpha: float) -> Any | None:
    """A solid pattern of the gradient's mean colour over one cycle ``t ∈ [0, 1]``: the mean
    of the premultiplied colour, interpolated between stops as cairo does (straight colour,
    then premultiplied), with the pad regions before the first and after the last stop
    (``None`` when it is transparent)."""
    stops = grad.stops
    acc = [0.0, 0.0, 0.0, 0.0]  # premultiplied r, g, b and alpha, integrated over t

    def flat(stop: Any, length: float) -> None:
        r, g, b, a = stop.rgba
        acc[0] += r * a * length
        acc[1] += g * a * length
        acc[2] += b * a * length
        acc[3] += a * length

    flat(stops[0], min(max(stops[0].offset, 0.0), 1.0))
    for s0, s1 in itertools.pairwise(stops):
        t0 = min(max(s0.offset, 0.0), 1.0)
        t1 = min(max(s1.offset, 0.0), 1.0)
        length = t1 - t0
        if length <= 0.0:
            continue
        a0, a1 = s0.rgba[3], s1.rgba[3]
        for ch in range(3):
            c0, c1 = s0.rgba[ch], s1.rgba[ch]
            # ∫ a(t) c(t) dt for a and c linear on the segment
            acc[ch] += length * (2 * a0 * c0 + a0 * c1 + a1 * c0 + 2 * a1 * c1) / 6.0
        acc[3] += length * (a0 + a1) / 2.0
    flat(stops[-1], 1.0 - min(max(stops[-1].offset, 0.0), 1.0))
    a = acc[3]
    if not a * alpha > 0.0:
        return None
    return cairo.SolidPattern(
        min(1.0, acc[0] / a), min(1.0, acc[1] / a), min(1.0, acc[2] / a), min(1.0, a * alpha)
    )


def _conditioned_gradient(
    st: RenderState, grad: Gradient, to_out: Affine, inv: Affine, alpha: float, extent: float
) -> Any | None:
    """``grad`` re-expressed so that pixman can draw it (see the comment above
    :data:`MIN_GRADIENT_PX`); ``extent`` is :func:`_cycle_px`.

    A linear gradient is an affine function ``t = g·p + c`` of the output pixel ``p``, so it is
    rebuilt in output pixels (identity matrix) with its start on the ``t = 0`` line next to the
    drawn region. A radial gradient needs its matrix (an ellipse is not a circle): its pattern
    space is gradient space scaled by the transform's smallest singular value ``σ`` and moved to
    the drawn region's centre, so that the matrix has norm 1 and the region's coordinates stay
    within its size. A padded gradient under :data:`MIN_GRADIENT_PX` is a step: the linear one
    is widened to that, the radial one (a sub-pixel sliver) paints the colour around it."""
    rx0, ry0, rx1, ry1 = _region(st)
    ox, oy = (rx0 + rx1) / 2.0, (ry0 + ry1) / 2.0
    reach = math.hypot(rx1 - rx0, ry1 - ry0) / 2.0 + 2.0  # region radius around (ox, oy)
    stops = grad.stops
    pad = grad.spread == "pad"
    pattern: Any
    if grad.kind == "linear":
        gx, gy, c = _linear_in_output(grad, inv)
        length = extent
        ux, uy = gx * length, gy * length  # unit vector along the gradient
        t_o = gx * ox + gy * oy + c
        if not math.isfinite(t_o):
            return None
        if pad and (t_o + reach / length < 0.0 or t_o - reach / length > 1.0):
            # the region lies wholly before the first or after the last stop
            return _stop_color(stops[0] if t_o < 0.0 else stops[-1], alpha)
        if not pad:
            period = 1.0 if grad.spread == "repeat" else 2.0
            t_o -= period * math.floor(t_o / period)  # the same phase, next to the region
        # the t = 0 point nearest the region's centre; t = 1 lies one length further
        bx, by = ox - t_o * length * ux, oy - t_o * length * uy
        if length < MIN_GRADIENT_PX:  # a padded step, widened to what cairo can sample
            mx, my = bx + 0.5 * length * ux, by + 0.5 * length * uy
            half = 0.5 * MIN_GRADIENT_PX
            pattern = cairo.LinearGradient(
                mx - half * ux, my - half * uy, mx + half * ux, my + half * uy
            )
        else:
            pattern = cairo.LinearGradient(bx, by, bx + length * ux, by + length * uy)
        _add_stops(pattern, grad, alpha)
        return pattern
    k = singular_values(to_out)[1]
    if not (math.isfinite(k) and k > 0.0):
        return None
    fx, fy, fr = _focal(grad)
    if pad and extent < MIN_GRADIENT_PX:
        # the cone is thinner than a pixel across: all but a sub-pixel sliver shows the colour
        # beyond its larger circle
        return _stop_color(stops[-1] if fr < grad.r else stops[0], alpha)
    # pattern space: k · (gradient space − inv(o)), so the region's centre is its origin
    xo = inv[0] * ox + inv[2] * oy + inv[4]
    yo = inv[1] * ox + inv[3] * oy + inv[5]
    pattern = cairo.RadialGradient(
        k * (fx - xo), k * (fy - yo), k * fr, k * (grad.cx - xo), k * (grad.cy - yo), k * grad.r
    )
    _add_stops(pattern, grad, alpha)
    # output px → pattern space: k · (inv(p) − inv(o)) = k · L⁻¹ (p − o)
    tx = -k * (inv[0] * ox + inv[2] * oy)
    ty = -k * (inv[1] * ox + inv[3] * oy)
    pattern.set_matrix(cairo.Matrix(k * inv[0], k * inv[1], k * inv[2], k * inv[3], tx, ty))
    return pattern


def _set_paint(st: RenderState, kind: int, rgba: Any, paint: int, alpha: float) -> bool:
    """Set the source for one fill or stroke; ``False`` when it paints nothing."""
    ctx = st.ctx
    if kind == _SOLID or (kind >= _FALLBACK_PAINT and kind != _PATTERN):
        # UNSUPPORTED, and kinds this renderer does not draw: the Scene's fallback colour
        a = rgba[3] * alpha
        if a <= 0.0:
            return False
        ctx.set_source_rgba(rgba[0], rgba[1], rgba[2], a)
        return True
    if kind == _LINEAR or kind == _RADIAL:
        if paint < 0 or paint >= len(st.scene.gradients):
            return False
        a = rgba[3] * alpha
        if a <= 0.0:
            return False
        pattern = _gradient_pattern(st, st.scene.gradients[paint], a)
        if pattern is None:
            return False
        ctx.set_source(pattern)
        return True
    if kind == _PATTERN:
        a = rgba[3] * alpha
        if a <= 0.0:
            return False
        from .effects import set_pattern_source

        return set_pattern_source(st, paint, rgba, a)
    return False


# ---------------------------------------------------------------------------------------------
# layer bounds
# ---------------------------------------------------------------------------------------------


def _paint_bounds(st: RenderState) -> Any:
    """Per primitive: output-pixel box enclosing everything it may paint (``inf`` for text and
    images, whose extent the Scene only estimates; ``nan`` rows paint nothing)."""
    s = st.scene
    t = s.transform
    a, b, c, d = t[:, 0], t[:, 1], t[:, 2], t[:, 3]
    # largest singular value of the linear part: the widest a unit pen can become. Not the
    # Scene's stroke_width_device (sqrt |det|, the axes' geometric mean): a bound must hold on the
    # most stretched axis, or a layer would cut off part of a stroke under a non-uniform scale.
    p = (a * a + b * b + c * c + d * d) / 2.0
    q = np.sqrt(((a * a + b * b - c * c - d * d) / 2.0) ** 2 + (a * c + b * d) ** 2)
    smax = np.sqrt(p + q)
    stroked = s.stroke_kind != _NONE
    margin = np.where(stroked, s.stroke_width * smax / 2.0 * np.maximum(s.miter_limit, 1.5), 0.0)
    box = s.bbox + np.stack([-margin, -margin, margin, margin], axis=1)
    sx, sy, tx, ty = st.t_out[0], st.t_out[3], st.t_out[4], st.t_out[5]
    out = np.empty_like(box)
    out[:, 0] = box[:, 0] * sx + tx
    out[:, 2] = box[:, 2] * sx + tx
    out[:, 1] = box[:, 1] * sy + ty
    out[:, 3] = box[:, 3] * sy + ty
    loose = (s.kind == _TEXT) | (s.kind == _IMAGE)
    out[loose] = (-np.inf, -np.inf, np.inf, np.inf)
    return out


def _union_bounds(boxes: Any, lo: int, hi: int) -> tuple[float, float, float, float] | None:
    sub = boxes[lo : hi + 1]
    sub = sub[np.isfinite(sub).all(axis=1) | np.isinf(sub).any(axis=1)]
    if sub.size == 0:
        return None
    x0, y0 = float(sub[:, 0].min()), float(sub[:, 1].min())
    x1, y1 = float(sub[:, 2].max()), float(sub[:, 3].max())
    if (
        not all(math.isfinite(v) for v in (x0, y0, x1, y1))
        or max(abs(x0), abs(y0), abs(x1), abs(y1)) > 1e6
    ):
        return None
    return (x0, y0, x1, y1)


def _open_effect_layer(
    st: RenderState, grp: Group, bounds: tuple[float, float, float, float] | None
) -> Layer:
    """The layer of a filtered or masked group. One that also blends gets a plain layer around
    its effect layer, and that one blends the effect's result onto the backdrop: the effect
    composites onto a transparent surface as it always does (CSS Compositing 1 §3.2 blends the
    element after its filter, clip, mask and opacity)."""
    from .effects import open_effect_layer

    if grp.blend_mode == "normal":
        return open_effect_layer(st, grp, bounds)
    outer = open_layer(st, -1, 1.0, None, grp.blend_mode)
    layer = open_effect_layer(st, grp, bounds)
    layer.outer = outer
    return layer


def _close_layer(st: RenderState, layer: Layer) -> None:
    """Close any layer: effect layers composite through the effects module."""
    if layer.effect is not None:
        from .effects import close_effect_layer

        close_effect_layer(st, layer)
        if layer.outer is not None:
            close_layer(st, layer.outer)
        return
    close_layer(st, layer)
    if layer.outer is not None:
        close_layer(st, layer.outer)


# ---------------------------------------------------------------------------------------------
# primitives
# ---------------------------------------------------------------------------------------------


def _stroke(st: RenderState, i: int, alpha: float) -> None:
    """Stroke the current path of primitive ``i`` under ``T_out ∘ transform[i]``."""
    c = st.cols
    ctx = st.ctx
    m = multiply(st.t_out, c.transform[i])
    if not is_invertible(m):
        return  # a stroke under a singular transform has no defined pen
    if not _set_paint(st, c.stroke_kind[i], c.stroke_rgba[i], c.stroke_paint[i], alpha):
        return
    ctx.set_matrix(cairo_matrix(m))
    ctx.set_line_width(c.stroke_width[i])
    cap = c.line_cap[i]
    ctx.set_line_cap(_CAIRO_CAP[cap] if 0 <= cap < 3 else cairo.LINE_CAP_BUTT)
    ctx.set_line_join(_CAIRO_JOIN.get(c.line_join[i], cairo.LINE_JOIN_MITER))
    ctx.set_miter_limit(max(1.0, c.miter_limit[i]))
    d0, d1 = c.dash_offsets[i], c.dash_offsets[i + 1]
    if d1 > d0:
        dashes = c.dash_values[d0:d1]
        period = sum(dashes)
        off = c.dash_offset[i]
        if not any(dashes[0::2]) and cap == 0:
            ctx.identity_matrix()
            return  # only zero-length dashes with butt caps: nothing is painted
        if any(dashes[1::2]) and period > 0 and math.isfinite(off):
            # (no gaps at all is a solid line: cairo would still break the joins at dash ends)
            off = math.fmod(off, period)
            if off < 0:
                off += period
            ctx.set_dash(dashes, off)
    ctx.stroke_preserve()
    if d1 > d0:
        ctx.set_dash([], 0.0)
    if cap == 2 and d1 == d0:
        _square_caps_on_dots(st, i, m)
    ctx.identity_matrix()


def _square_caps_on_dots(st: RenderState, i: int, m: Affine) -> None:
    """Square caps of zero-length subpaths (cairo draws round ones but not these).

    SVG paints a square of side ``stroke-width`` centred on the point, aligned with the user
    space x axis (the direction a zero-length subpath is given)."""
    c0, c1 = st.cmd_offsets[i], st.cmd_offsets[i + 1]
    codes, pts = st.codes, st.points
    p = 2 * st.pt_offsets[i]
    dots: list[tuple[float, float]] = []
    start: tuple[float, float] | None = None
    degenerate = True
    drew = False
    for k in range(c0, c1 + 1):
        c = codes[k] if k < c1 else 0
        if c == 0:
            if start is not None and drew and degenerate:
                dots.append(start)
            if k < c1:
                start = (pts[p], pts[p + 1])
                p += 2
            degenerate, drew = True, False
        elif c == 1:
            drew = True
            if start is not None and (pts[p], pts[p + 1]) != start:
                degenerate = False
            p += 2
        elif c == 2:
            drew = True
            if start is not None and any((pts[q], pts[q + 1]) != start for q in (p, p + 2, p + 4)):
                degenerate = False
            p += 6
        else:
            drew = True
    if not dots:
        return
    ctx = st.ctx
    inv = cairo_matrix(m)
    inv.invert()
    to_out = cairo_matrix(m)
    half = st.cols.stroke_width[i] / 2.0
    ctx.identity_matrix()
    path = ctx.copy_path()
    ctx.new_path()
    for x, y in dots:
        ux, uy = inv.transform_point(x, y)
        ctx.set_matrix(to_out)
        ctx.rectangle(ux - half, uy - half, 2 * half, 2 * half)
        ctx.identity_matrix()
    ctx.set_fill_rule(cairo.FILL_RULE_WINDING)
    ctx.fill()
    ctx.append_path(path)


def _fill(st: RenderState, i: int, alpha: float) -> None:
    c = st.cols
    if not _set_paint(st, c.fill_kind[i], c.fill_rgba[i], c.fill_paint[i], alpha):
        return
    st.ctx.set_fill_rule(_FILL_RULES[c.fill_rule[i] == FILL_RULE_EVENODD])
    st.ctx.fill_preserve()


def _paints(c: Columns, i: int) -> tuple[bool, bool]:
    fk, sk = c.fill_kind[i], c.stroke_kind[i]
    fill_on = fk != _NONE and (fk == _LINEAR or fk == _RADIAL or c.fill_rgba[i][3] > 0.0)
    stroke_on = (
        sk != _NONE
        and c.stroke_width[i] > 0.0
        and (sk == _LINEAR or sk == _RADIAL or c.stroke_rgba[i][3] > 0.0)
    )
    return fill_on, stroke_on


def _draw_primitive(
    st: RenderState, i: int, path_builder: Callable[[RenderState, int], bool]
) -> None:
    c = st.cols
    op = c.opacity[i]
    if op <= 0.0:
        return
    fill_on, stroke_on = _paints(c, i)
    if not (fill_on or stroke_on):
        return
    clip = c.clip[i]
    if clip >= 0 and clip_is_empty(st, clip):
        return
    # element opacity, not a group's: with both paints the stroke must not show the fill through
    # it, so the element is composited as a layer; with one paint the opacity is its alpha
    as_layer = op < 1.0 and fill_on and stroke_on
    layer = None
    if clip >= 0 or as_layer:
        bounds = _union_bounds(st.bounds, i, i) if st.bounds is not None else None
        layer = open_layer(st, clip, op if as_layer else 1.0, bounds)
    alpha = 1.0 if as_layer else op
    ctx = st.ctx
    ctx.new_path()
    if path_builder(st, i):
        if c.stroke_first[i]:
            if stroke_on:
                _stroke(st, i, alpha)
            if fill_on:
                _fill(st, i, alpha)
        else:
            if fill_on:
                _fill(st, i, alpha)
            if stroke_on:
                _stroke(st, i, alpha)
    ctx.new_path()
    if layer is not None:
        _close_layer(st, layer)


def _shape_path(st: RenderState, i: int) -> bool:
    c0, c1 = st.cmd_offsets[i], st.cmd_offsets[i + 1]
    if c1 <= c0:
        return False
    append_path(st.ctx, st.codes, st.points, c0, c1, st.pt_offsets[i])
    return True


def _draw_image(st: RenderState, i: int) -> None:
    from .images import draw_image

    s = st.scene
    op = st.cols.opacity[i]
    img = s.images.get(i)
    if op <= 0.0 or img is None:
        return
    clip = st.cols.clip[i]
    if clip >= 0 and clip_is_empty(st, clip):
        return
    layer = open_layer(st, clip, 1.0) if clip >= 0 else None
    m = multiply(st.t_out, st.cols.transform[i])
    if is_invertible(m):
        draw_image(st, img, m, op, s.ids[i])
    if layer is not None:
        _close_layer(st, layer)


# ---------------------------------------------------------------------------------------------
# the loop
# ---------------------------------------------------------------------------------------------


def _pushes_layer(st: RenderState, g: Group) -> bool:
    """Whether group ``g`` draws into a pushed layer of its own.

    The Scene's ``needs_compositing`` says when a group composites; the renderer differs only for
    a group whose one reason is a clip cairo applies as a plain path clip (``clip_is_simple``):
    that group draws straight onto its parent, so there is no layer surface to bound.
    """
    if not g.needs_compositing:
        return False
    clip_only = (
        not g.opacity < 1.0
        and g.filter_index < 0
        and g.mask_index < 0
        and g.blend_mode == "normal"
        and not g.isolate
    )
    return not (clip_only and clip_is_simple(st, g.clip))


def draw_scene(st: RenderState) -> None:
    """Draw every primitive of ``st.scene`` in paint order onto ``st.ctx`` (identity matrix)."""
    s = st.scene
    n = len(s)
    groups = s.groups
    # filtered groups with no content still draw their filter, where they sit in paint order
    empty_at: dict[int, list[int]] = {}
    for g in groups:
        if g.empty_at >= 0 and g.filter_index >= 0:
            empty_at.setdefault(min(g.empty_at, n), []).append(g.index)
    if n == 0 and not empty_at:
        return
    ng = len(groups)
    # filters and masks (patterns are set up lazily by _set_paint)
    effects = any(g.filter_index >= 0 or g.mask_index >= 0 for g in groups)
    hides: Callable[[RenderState, Group], bool] | None = None
    if effects:
        from .effects import effect_hides

        hides = effect_hides
    # per group: is anything under it drawn at all, and which enclosing groups need a layer
    dead = [False] * ng
    chain: list[tuple[int, ...]] = [()] * ng
    for g in groups:  # parents precede children
        p = g.parent
        parent_dead = dead[p] if 0 <= p < g.index else False
        parent_chain = chain[p] if 0 <= p < g.index else ()
        own_dead = g.opacity <= 0.0 or (g.clip >= 0 and clip_is_empty(st, g.clip))
        if hides is not None and (g.filter_index >= 0 or g.mask_index >= 0):
            own_dead = own_dead or hides(st, g)
        dead[g.index] = parent_dead or own_dead
        chain[g.index] = (*parent_chain, g.index) if g.needs_compositing else parent_chain
    st.cols = Columns(s)
    group_of = s.group.tolist()
    kinds = s.kind.tolist()
    visible = s.visible.tolist()
    # primitive range of every group that will push a layer, to bound its surface
    layered = [_pushes_layer(st, g) for g in groups]
    span: dict[int, list[int]] = {}
    if any(layered) or bool((s.opacity < 1.0).any()) or bool((s.clip >= 0).any()):
        st.bounds = _paint_bounds(st)
        if effects:
            from .effects import grow_bounds_for_filters

            grow_bounds_for_filters(st, chain, group_of)
        for i, g in enumerate(group_of):
            for gi in chain[g] if 0 <= g < ng else ():
                if layered[gi]:
                    extent = span.setdefault(gi, [i, i])
                    extent[1] = i
    for members in empty_at.values():
        for gi in members:  # an empty group's filter output is not in its ancestors' bounds
            for enclosing in chain[gi]:
                span.pop(enclosing, None)
    stack: list[tuple[int, Layer]] = []
    text_builder: Callable[[RenderState, int], bool] | None = None
    deadline = st.deadline
    for i in range(n + 1 if empty_at else n):
        if deadline is not None:
            deadline.check()
        if empty_at:
            for gi in empty_at.get(i, ()):
                if not dead[gi]:
                    _enter(st, chain[gi], stack, span)
            if i == n:
                break
        g = group_of[i]
        if not (0 <= g < ng) or dead[g] or not visible[i]:
            continue
        want = chain[g]
        # the usual case, inline: the layers open are the ones this primitive needs
        if len(stack) != len(want) or (want and stack[-1][0] != want[-1]):
            _enter(st, want, stack, span)
        kind = kinds[i]
        if kind == _TEXT:
            if text_builder is None:
                from .text import text_path

                text_builder = text_path
            _draw_primitive(st, i, text_builder)
        elif kind == _IMAGE:
            _draw_image(st, i)
        else:
            _draw_primitive(st, i, _shape_path)
    while stack:
        _close_layer(st, stack.pop()[1])


def _enter(
    st: RenderState,
    want: tuple[int, ...],
    stack: list[tuple[int, Layer]],
    span: dict[int, list[int]],
) -> None:
    """Close the layers that do not enclose the next primitive and open the ones that do."""
    groups = st.scene.groups
    k = 0
    while k < len(stack) and k < len(want) and stack[k][0] == want[k]:
        k += 1
    while len(stack) > k:
        _close_layer(st, stack.pop()[1])
    for gi in want[k:]:
        grp = groups[gi]
        first_last = span.get(gi)
        bounds = (
            _union_bounds(st.bounds, first_last[0], first_last[1])
            if first_last is not None
            else None
        )
        if grp.filter_index >= 0 or grp.mask_index >= 0:
            stack.append((gi, _open_effect_layer(st, grp, bounds)))
        else:
            stack.append(
                (
                    gi,
                    open_layer(st, grp.clip, grp.opacity, bounds, grp.blend_mode, grp.isolate),
                )
            )
