"""Markers (SVG 2 §11.6): expanded into ordinary groups of primitives, one per marked vertex.

For each vertex of a ``path``, ``line``, ``polyline`` or ``polygon`` that a ``marker-start``,
``marker-mid`` or ``marker-end`` applies to, the marker's content is instantiated like a
``<symbol>``: in a viewport of ``markerWidth`` × ``markerHeight`` (scaled by the stroke width when
``markerUnits="strokeWidth"``, the default), with its ``viewBox``/``preserveAspectRatio``,
``refX``/``refY`` placed on the vertex, rotated by ``orient``, and clipped to the viewport unless
``overflow`` is visible. The renderer then draws markers like any other content. The marked
shape is the context element of the marker's content: ``context-fill`` and ``context-stroke``
there paint with its fill and stroke (SVG 2 §13.4).

Orientation ``auto`` bisects the incoming and outgoing tangent directions at the vertex (the
tangent of a cubic at an end point is taken from the nearest distinct control point);
``auto-start-reverse`` turns the start marker by 180°. Vertices: every moveto point, every segment
end point, and the start point again for a closed subpath.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ..affine import Affine, multiply
from ..ingest.safe_xml import local_name
from ..paths import Command, iter_segments
from ..scene import Group
from .clip import Clip
from .context import ContextPaint, Ctx
from .shapes import SHAPES, user_space_bbox
from .units import normalise_par, viewbox_transform

if TYPE_CHECKING:
    from . import path_data

__all__ = ["MARKABLE", "emit_markers", "has_markers", "marker_vertices"]

# unlike paint, a marker reference takes no fallback after the url()
_MARKER_URL = re.compile(r"^\s*url\(\s*['\"]?\s*#([^'\")\s]+)\s*['\"]?\s*\)\s*$", re.IGNORECASE)

# SVG 2 draws markers on every basic shape, not only on path, line, polyline and polygon
MARKABLE = frozenset(SHAPES)

Vertex = tuple[float, float, float | None, float | None]  # x, y, in-angle, out-angle (radians)


def _direction(dx: float, dy: float) -> float | None:
    if dx == 0 and dy == 0:
        return None
    return math.atan2(dy, dx)


def marker_vertices(codes: list[int], points: list[float]) -> list[Vertex]:
    """The vertices of a command stream with their incoming and outgoing tangent angles.

    Examples
    --------
    >>> v = marker_vertices([0, 1, 1], [0.0, 0.0, 10.0, 0.0, 10.0, 10.0])
    >>> [(x, y) for x, y, _, _ in v]
    [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]
    >>> round(v[1][2], 3), round(v[1][3], 3)
    (0.0, 1.571)
    """
    verts: list[list[float | None]] = []
    cx = cy = sx = sy = 0.0
    start_vertex = -1
    first_out: float | None = None
    for command, pts in iter_segments(codes, points):
        if command is Command.MOVE:
            cx, cy = pts
            sx, sy = cx, cy
            verts.append([cx, cy, None, None])
            start_vertex = len(verts) - 1
            first_out = None
            continue
        if command is Command.CLOSE:
            d = _direction(sx - cx, sy - cy)
            if d is not None:
                verts[-1][3] = d
                verts.append([sx, sy, d, first_out])
            else:
                verts.append([sx, sy, verts[-1][2], first_out])
            # the closed subpath's start vertex sees the closing segment coming in
            if start_vertex >= 0:
                verts[start_vertex][2] = verts[-1][2]
            cx, cy = sx, sy
            continue
        if command is Command.LINE:
            x, y = pts
            d_in = d_out = _direction(x - cx, y - cy)
        else:  # CUBIC
            x1, y1, x2, y2, x, y = pts
            d_out = _first_direction(cx, cy, ((x1, y1), (x2, y2), (x, y)))
            d_in = _first_direction(x, y, ((x2, y2), (x1, y1), (cx, cy)), reverse=True)
        if d_out is not None:
            verts[-1][3] = d_out
            if first_out is None:
                first_out = d_out
        verts.append([x, y, d_in, None])
        cx, cy = x, y
    return [(float(v[0]), float(v[1]), v[2], v[3]) for v in verts]  # type: ignore[arg-type]


def _first_direction(
    ox: float, oy: float, others: tuple[tuple[float, float], ...], reverse: bool = False
) -> float | None:
    for px, py in others:
        d = _direction(ox - px, oy - py) if reverse else _direction(px - ox, py - oy)
        if d is not None:
            return d
    return None


def _bisect(a: float | None, b: float | None) -> float:
    if a is None and b is None:
        return 0.0
    if a is None:
        return b  # type: ignore[return-value]
    if b is None:
        return a
    diff = b - a
    if diff > math.pi:
        diff -= 2 * math.pi
    elif diff < -math.pi:
        diff += 2 * math.pi
    return a + diff / 2.0


def emit_markers(
    b: Clip,
    el: ET.Element,
    style: dict[str, str],
    ctx: Ctx,
    ctm: Affine,
    pd: path_data.PathData,
) -> None:
    """Instantiate the markers of one markable element after (or before) it is emitted."""
    refs = [style.get(p, "none") for p in ("marker-start", "marker-mid", "marker-end")]
    if all(r.strip() == "none" for r in refs) or not pd.codes:
        return
    verts = marker_vertices(pd.codes, pd.points)
    if not verts:
        return
    stroke_width = b.length(
        style.get("stroke-width", "1"), 1.0, el, "stroke-width", "xy", ctx.viewport
    )
    if stroke_width < 0:
        # invalid, so the inherited width stands (the shape itself warned about it)
        stroke_width = b.length(
            ctx.style.get("stroke-width", "1"), 1.0, el, "stroke-width", "xy", ctx.viewport
        )
        stroke_width = stroke_width if stroke_width >= 0 else 1.0
    last = len(verts) - 1
    box: list[tuple[float, float, float, float] | None] = []

    def bbox() -> tuple[float, float, float, float] | None:
        if not box:
            box.append(user_space_bbox(pd))
        return box[0]

    # the marked shape is the context element of its markers' content (context-fill/-stroke)
    b.paint_contexts.append(ContextPaint(el, style, ctm, ctx.viewport, bbox))
    try:
        for which, ref in enumerate(refs):
            marker = _marker_element(b, ref, el)
            if marker is None:
                continue
            if which == 0:
                chosen = [0]
            elif which == 2:
                chosen = [last]
            else:
                chosen = list(range(1, last))
            for k in chosen:
                x, y, a_in, a_out = verts[k]
                _instance(b, marker, ctx, ctm, x, y, a_in, a_out, stroke_width, which == 0)
    finally:
        b.paint_contexts.pop()


def _marker_element(b: Clip, ref: str, el: ET.Element) -> ET.Element | None:
    ref = ref.strip()
    if ref == "none" or not ref:
        return None
    m = _MARKER_URL.match(ref)
    target = b.by_id.get(m.group(1)) if m else None
    if target is None or local_name(target.tag)[1] != "marker":
        b.warn("MISSING_REFERENCE", f"marker {ref!r} does not reference a <marker>", el)
        return None
    if target.get("id", "") in b.active_refs:
        return None  # a marker drawn inside its own content is skipped there
    return target


def _instance(
    b: Clip,
    marker: ET.Element,
    ctx: Ctx,
    ctm: Affine,
    x: float,
    y: float,
    a_in: float | None,
    a_out: float | None,
    stroke_width: float,
    start: bool,
) -> None:
    vp = ctx.viewport
    mw = b.length(marker.get("markerWidth") or "3", 3.0, marker, "markerWidth", "x", vp)
    mh = b.length(marker.get("markerHeight") or "3", 3.0, marker, "markerHeight", "y", vp)
    if mw <= 0 or mh <= 0:
        return
    orient = (marker.get("orient") or "0").strip()
    if orient == "auto":
        angle = _bisect(a_in, a_out)
    elif orient == "auto-start-reverse":
        angle = _bisect(a_in, a_out) + (math.pi if start else 0.0)
    else:
        m = re.match(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(deg|rad|grad|turn)?$", orient)
        if m is None:
            angle = 0.0
        else:
            value = float(m.group(1))
            unit = m.group(2) or "deg"
            angle = {
                "deg": math.radians(value),
                "rad": value,
                "grad": value * math.pi / 200.0,
                "turn": value * 2 * math.pi,
            }[unit]
    scale = (
        stroke_width
        if (marker.get("markerUnits") or "strokeWidth").strip() != "userSpaceOnUse"
        else 1.0
    )
    vb = b.viewbox(marker)
    par = normalise_par(marker.get("preserveAspectRatio"))
    vbt = viewbox_transform(vb, par, 0.0, 0.0, mw, mh) if vb else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    ref_x = b.length(marker.get("refX"), 0.0, marker, "refX", "x", vp)
    ref_y = b.length(marker.get("refY"), 0.0, marker, "refY", "y", vp)
    rx = vbt[0] * ref_x + vbt[2] * ref_y + vbt[4]
    ry = vbt[1] * ref_x + vbt[3] * ref_y + vbt[5]
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    place: Affine = multiply(
        multiply(ctm, (cos_a, sin_a, -sin_a, cos_a, x, y)),
        (scale, 0.0, 0.0, scale, -rx * scale, -ry * scale),
    )
    mstyle, mctx = b.element_style(marker, ctx)
    clip = -1
    if mstyle.get("overflow", "hidden").strip() in ("hidden", "scroll", "clip", ""):
        clip = b.viewport_clip(place, 0.0, 0.0, mw, mh)
    depth = b.groups[ctx.group].depth + 1 if ctx.group >= 0 else 0
    gi = len(b.groups)
    b.groups.append(Group(gi, ctx.group, "marker", marker.get("id", ""), clip=clip, depth=depth))
    inner_vp = (vb[2], vb[3]) if vb else (mw, mh)
    child_ctx = Ctx(multiply(place, vbt), mctx.style, gi, inner_vp, list(mctx.ancestors))
    ref = marker.get("id", "")
    b.active_refs.add(ref)
    try:
        b.walk_children(marker, child_ctx)
    finally:
        b.active_refs.discard(ref)


def has_markers(style: dict[str, str]) -> bool:
    """Whether any marker property names a marker (the ``marker`` shorthand expanded)."""
    if (
        "marker" not in style
        and "marker-start" not in style
        and "marker-mid" not in style
        and "marker-end" not in style
    ):
        return False  # the usual case, without building the generator below
    if "marker" in style:
        # the CSS shorthand sets all three unless a longhand came later in the cascade
        for prop in ("marker-start", "marker-mid", "marker-end"):
            style.setdefault(prop, style["marker"])
    return any(
        style.get(p, "none").strip() != "none" for p in ("marker-start", "marker-mid", "marker-end")
    )
