"""Render work counted before drawing: the deterministic bound on what a Scene costs cairo.

A reward must not depend on how busy the machine is, so a render is refused (``LIMIT``,
``.limit == "max_render_work"``) from counts of the work it would do at the requested size, the
same on every machine, rather than from a clock. The counts model what dominates cairo's image
backend, which scan-converts every fill and every stroke outline separately:

* **edge-rows**: every polygon edge is stepped once per output pixel row it crosses (curves as the
  chords cairo flattens them into, a stroke as the two sides of its outline plus joins, caps and
  dashes);
* **crossings**: the scan converter keeps its active edges sorted by x, and each pair of edges
  that cross inside one fill or stroke costs a re-sort step. A random 32,000-point polygon has
  about 10⁸ of them, which is what makes such a stroke take seconds while 16,000 parallel edges
  take milliseconds. Crossings are estimated from a fixed, deterministic sample of edge pairs;
* **pixels**: compositing each fill, stroke, image and layer, and each filter primitive, over its
  device bounding box.

The memory of a render is its output plus the layer surfaces alive at once (nested groups with
opacity, clips, masks or filters), counted the same way and bounded by ``max_layer_bytes``.

One unit is about one edge-row (5–35 ns on this project's 2-core reference machine): a crossing
counts one unit and :data:`PIXELS_PER_UNIT` pixels one unit. ``docs/security.md`` has the
calibration (``benchmarks/bench_render_work.py``) and the margin over real model output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..affine import Affine
from ..limits import Limits, limit_error
from ..scene import FilterPrimitive, LineJoin, PaintKind, PrimitiveKind, Scene

__all__ = [
    "PIXELS_PER_UNIT",
    "RenderWork",
    "check_render_work",
    "estimate_render_work",
]

#: Compositing pixels that cost about one unit (one edge-row) of scan conversion.
PIXELS_PER_UNIT = 128
#: Paints that cost more per pixel than a solid colour (gradients, patterns, images, filters).
_RICH_PIXEL_FACTOR = 4
#: Pairs of edges sampled to estimate crossings, and the fewest edges worth sampling for.
_SAMPLED_PAIRS = 4096
_MIN_EDGES_FOR_CROSSINGS = 128
#: Cairo's default flattening tolerance in device px.
_TOLERANCE = 0.1
#: Re-sort cost of one output row with ``A`` disordered active edges, in units of ``A log2 A``:
#: fitted to the documents of ``benchmarks/bench_render_work.py`` (cairo samples 15 sub-rows per
#: row but its merge sort profits from the order left by the previous sub-row).
_SORT_FACTOR = 4
#: Edges of one glyph outline crossing a row of the em box, on average.
_GLYPH_EDGES = 12

_MOVE, _LINE, _CUBIC, _CLOSE = 0, 1, 2, 3
_POINTS_PER_COMMAND = np.array([1, 1, 3, 0], dtype=np.int64)
_RICH_PAINTS = (
    int(PaintKind.LINEAR_GRADIENT),
    int(PaintKind.RADIAL_GRADIENT),
    int(PaintKind.PATTERN),
)


@dataclass(frozen=True)
class RenderWork:
    """What drawing a Scene at one output size costs, in deterministic counts.

    Attributes
    ----------
    edge_rows
        Sum over every fill and stroke outline of the output rows each of its edges crosses.
    crossings
        Estimated pairs of edges that cross inside one fill or one stroke.
    pixels
        Device pixels composited (solid paints once, gradients, patterns, images, layers and
        filter primitives several times).
    layer_bytes
        Bytes of layer surfaces (group opacity, clips, masks, filters) alive at once: the
        deepest chain of nested layers, each the size of what it covers.

    Examples
    --------
    >>> RenderWork(1_000, 10, 12_800).units
    1110
    """

    edge_rows: int
    crossings: int
    pixels: int
    layer_bytes: int = 0

    @property
    def units(self) -> int:
        """The total compared with :attr:`svgkit.Limits.max_render_work`."""
        return self.edge_rows + self.crossings + self.pixels // PIXELS_PER_UNIT

    def __add__(self, other: RenderWork) -> RenderWork:
        return RenderWork(
            self.edge_rows + other.edge_rows,
            self.crossings + other.crossings,
            self.pixels + other.pixels,
            max(self.layer_bytes, other.layer_bytes),
        )


def check_render_work(
    scene: Scene, width: int, height: int, t_out: Affine, limits: Limits
) -> RenderWork | None:
    """Raise ``LIMIT`` (``max_render_work`` or ``max_layer_bytes``) when drawing ``scene`` would
    cost too much time or memory.

    Parameters
    ----------
    scene
        The parsed document.
    width, height
        Output size in pixels.
    t_out
        The canvas → output matrix (a scale and a translation).
    limits
        ``limits.max_render_work`` bounds :attr:`RenderWork.units`, ``limits.max_layer_bytes``
        :attr:`RenderWork.layer_bytes`.

    Returns
    -------
    RenderWork or None
        The counts, when within the bounds; ``None`` when a quick upper bound (a few
        operations, no numpy pass over the geometry) already shows that the scene is within
        both: a model-sized document without dashes, masks, patterns, filters or primitives of
        128 segments and more.

    Examples
    --------
    >>> import svgkit
    >>> from svgkit.affine import IDENTITY
    >>> s = svgkit.parse('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    ...                  '<rect width="4" height="4"/></svg>')
    >>> check_render_work(s, 8, 8, IDENTITY, svgkit.Limits()) is None  # certainly within
    True
    >>> check_render_work(s, 8, 8, IDENTITY, svgkit.Limits(max_render_work=20)).edge_rows
    12
    """
    if _certainly_within(scene, width, height, t_out, limits):
        return None
    work = estimate_render_work(scene, width, height, t_out)
    if work.layer_bytes > limits.max_layer_bytes:
        raise limit_error("max_layer_bytes", work.layer_bytes, limits.max_layer_bytes)
    if work.units > limits.max_render_work:
        err = limit_error("max_render_work", work.units, limits.max_render_work)
        err.details.update(
            edge_rows=work.edge_rows, crossings=work.crossings, pixels=work.pixels
        )
        raise err
    return work


def _certainly_within(
    scene: Scene, width: int, height: int, t_out: Affine, limits: Limits
) -> bool:
    """Whether an upper bound of every count, from sizes alone, is within ``limits``.

    Per drawing command: a fill's edge crosses at most ``3H + 1`` rows (a curve's sweep is
    counted up to three times its clipped span) plus 4,095 extra chords; a stroke counts both
    sides of that widened by at most ``H`` each way, a join of ``4H`` and a round join's arc (at
    most 4,096 edges): ``17H + 16,386`` in all. No primitive reaches the crossing estimate's 128
    segments, so the model counts no crossings. Each painted primitive composites at most the
    output four times for its fill, its stroke and an image, and twice more for a clip layer;
    each layered group twice.
    Dashed strokes add their dash caps as :func:`_dash_rows` counts them, over the control
    polygon's length (never shorter than the curve)."""
    if scene.masks or scene.patterns or scene.filters:
        return False
    n = len(scene)
    counts = np.diff(scene.cmd_offsets)
    if counts.size and int(counts.max()) >= _MIN_EDGES_FOR_CROSSINGS:
        return False
    h = float(height)
    canvas = float(width * height)
    edge_rows = scene.cmd_codes.size * (17.0 * h + 16_386.0)
    for run in scene.texts.values():
        edge_rows += max(len(run.glyphs), len(run.text)) * _GLYPH_EDGES * (h + 1.0)
    if scene.dash_values.size:
        edge_rows += _dash_rows_bound(scene, t_out, h)
    layers = sum(1 for g in scene.groups if g.needs_compositing)
    pixels = (n * (3 * _RICH_PIXEL_FACTOR + 2) + 2 * layers) * canvas
    units = edge_rows + pixels / PIXELS_PER_UNIT
    return units <= limits.max_render_work and layers * 5.0 * canvas <= limits.max_layer_bytes


def _dash_rows_bound(scene: Scene, t_out: Affine, height: float) -> float:
    """:func:`_dash_rows` summed over the dashed primitives, each over its control polygon."""
    sx, sy = abs(t_out[0]), abs(t_out[3])
    scale = math.sqrt(sx * sy)
    dashed = np.flatnonzero(scene.dash_offsets[1:] > scene.dash_offsets[:-1])
    lengths = np.zeros(len(scene), dtype=np.float64)
    for i in dashed.tolist():
        pts = scene.cmd_points[scene.pt_offsets[i] : scene.pt_offsets[i + 1]]
        if len(pts) > 1:
            d = np.diff(pts, axis=0)
            lengths[i] = float(np.hypot(d[:, 0] * sx, d[:, 1] * sy).sum())
    half_width = 0.5 * scene.stroke_width_device * scale
    half_width = np.where(np.isfinite(half_width), np.minimum(half_width, height), 0.0)
    rows = _dash_rows(scene, np.where(np.isfinite(lengths), lengths, 0.0), half_width, scale)
    return float(rows.sum())


def estimate_render_work(scene: Scene, width: int, height: int, t_out: Affine) -> RenderWork:
    """Count the work of drawing ``scene`` at ``width × height`` (see the module docstring).

    Parameters
    ----------
    scene
        The parsed document; masks' content is counted too.
    width, height
        Output size in pixels.
    t_out
        The canvas → output matrix (a scale and a translation).

    Returns
    -------
    RenderWork

    Examples
    --------
    >>> import svgkit
    >>> from svgkit.affine import IDENTITY
    >>> s = svgkit.parse('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    ...                  '<path d="M0 0 10 10M0 10 10 0" stroke="black"/></svg>')
    >>> w = estimate_render_work(s, 10, 10, IDENTITY)
    >>> w.edge_rows > 0, w.crossings
    (True, 0)
    """
    work = _primitive_work(scene, width, height, t_out)
    for mask in scene.masks:
        work = work + _primitive_work(mask.content, width, height, t_out)
    for pattern in scene.patterns:
        # the tile is drawn once onto a surface no larger than the output
        work = work + _primitive_work(pattern.content, width, height, t_out)
    layer_pixels, layer_bytes = _layers(scene, width, height, t_out)
    return work + RenderWork(0, 0, layer_pixels, layer_bytes)


def _layers(scene: Scene, width: int, height: int, t_out: Affine) -> tuple[int, int]:
    """Pixels composited by the layers of groups (opacity, clip, mask, filter, blending and
    isolation) and the bytes of layer surfaces alive at once (the deepest chain of nested
    layers).

    A layer covers its primitives' painted box, or the filter or mask region for an effect."""
    groups = scene.groups
    ng = len(groups)
    layered = [g.needs_compositing for g in groups]
    if not any(layered):
        return 0, 0
    n = len(scene)
    first = np.full(ng, n, dtype=np.int64)
    last = np.full(ng, -1, dtype=np.int64)
    owner = scene.group.astype(np.int64)
    valid = (owner >= 0) & (owner < ng)
    index = np.arange(n, dtype=np.int64)
    np.minimum.at(first, owner[valid], index[valid])
    np.maximum.at(last, owner[valid], index[valid])
    for g in reversed(groups):  # children follow their parents
        p = g.parent
        if 0 <= p < g.index:
            first[p] = min(first[p], first[g.index])
            last[p] = max(last[p], last[g.index])
    boxes = scene.stroke_bbox
    pixels = 0.0
    chain_bytes = [0.0] * ng
    peak = 0.0
    for g in groups:
        p = g.parent
        above = chain_bytes[p] if 0 <= p < g.index else 0.0
        chain_bytes[g.index] = above
        if not layered[g.index] or last[g.index] < first[g.index]:
            continue
        lo, hi = int(first[g.index]), int(last[g.index]) + 1
        box = np.array(
            [[boxes[lo:hi, 0].min(), boxes[lo:hi, 1].min(),
              boxes[lo:hi, 2].max(), boxes[lo:hi, 3].max()]]
        )
        bytes_per_px = 4.0 + 1.0  # the ARGB32 layer and an A8 clip mask
        passes = 2.0  # cleared, composited back
        if g.filter_index >= 0:
            fx, fy, fw, fh = scene.filters[g.filter_index].region
            box = np.array([[fx, fy, fx + fw, fy + fh]])
            passes += sum(_filter_passes(p) for p in scene.filters[g.filter_index].primitives)
            bytes_per_px += 16.0 * 3  # float32 RGBA: source, result and one intermediate
        elif g.mask_index >= 0:
            mx, my, mw, mh = scene.masks[g.mask_index].region
            box = np.array([[mx, my, mx + mw, my + mh]])
            passes += 2.0  # the mask content's own surface
            bytes_per_px += 4.0
        area = float(_device_area(box, width, height, t_out)[0])
        pixels += passes * area
        if g.blend_mode != "normal" and (g.filter_index >= 0 or g.mask_index >= 0):
            # the effect's result is blended through one more layer over the whole output
            outer = float(width * height)
            pixels += 2.0 * outer
            above += 4.0 * outer
        chain_bytes[g.index] = above + bytes_per_px * area
        peak = max(peak, chain_bytes[g.index])
    return int(pixels), int(peak)


def _filter_passes(primitive: FilterPrimitive) -> float:
    """Composited-pixel passes one filter primitive costs over its filter region (128 passes is
    about one unit, 26 ns, a pixel): fitted to ``benchmarks/bench_filters.py`` at 512²."""
    kind, params = primitive.kind, primitive.params
    if kind == "feTurbulence":
        octaves = min(max(int(params.get("num_octaves", 1)), 1), 32)
        return 8.0 + 96.0 * octaves  # ~18 ns a pixel per octave
    if kind in ("feDiffuseLighting", "feSpecularLighting"):
        return 256.0
    if kind == "feConvolveMatrix":
        return 8.0 + 16.0 * min(len(params.get("kernel", ())), 1024)
    if kind in ("feGaussianBlur", "feDropShadow", "feMorphology", "feDisplacementMap"):
        return 64.0
    return float(_RICH_PIXEL_FACTOR)


def _primitive_work(scene: Scene, width: int, height: int, t_out: Affine) -> RenderWork:
    n = len(scene)
    if n == 0:
        return RenderWork(0, 0, 0)
    sx, sy, tx, ty = abs(t_out[0]), abs(t_out[3]), t_out[4], t_out[5]
    scale = math.sqrt(sx * sy)
    fill_on, stroke_on = _painted(scene)
    half_width = 0.5 * scene.stroke_width_device * scale
    half_width = np.where(np.isfinite(half_width), np.minimum(half_width, height), 0.0)

    edge_rows = 0
    crossings = 0
    pixels = _paint_pixels(scene, fill_on, stroke_on, width, height, t_out)

    seg = _segments(scene, sx, sy, tx, ty, height)
    if seg is not None:
        prim, rows, chords, lengths, legs, y_range = seg
        fill_rows = np.bincount(prim, weights=rows + chords, minlength=n)
        edge_rows += int(fill_rows[fill_on].sum())
        # a stroke outline: both sides of every segment widened by the pen, a join at each vertex
        hw = half_width[prim]
        join = scene.line_join[prim] == int(LineJoin.ROUND)
        arc_edges = np.where(join, _arc_edges(hw), 0.0)
        stroke_seg = 2.0 * (rows + chords + 2.0 * hw + 1.0) + 4.0 * hw + arc_edges
        path_lengths = np.bincount(prim, weights=lengths, minlength=n).astype(np.float64)
        stroke_rows = np.bincount(prim, weights=stroke_seg, minlength=n).astype(np.float64)
        stroke_rows += _dash_rows(scene, path_lengths, half_width, scale)
        edge_rows += int(stroke_rows[stroke_on].sum())
        crossings += _crossings(
            prim, legs, y_range, rows + chords, hw, fill_on, stroke_on, n, height
        )

    texts = scene.kind == int(PrimitiveKind.TEXT)
    if texts.any():
        for i in np.flatnonzero(texts & (fill_on | stroke_on)).tolist():
            run = scene.texts.get(i)
            if run is None:
                continue
            glyphs = max(len(run.glyphs), len(run.text))
            rows_per_glyph = min(run.font_size * scale, float(height)) + 1.0
            edge_rows += int(glyphs * _GLYPH_EDGES * rows_per_glyph)
    return RenderWork(edge_rows, crossings, pixels)


def _painted(scene: Scene) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    shown = scene.visible & (scene.opacity > 0.0)
    fill_on = shown & (scene.fill_kind != int(PaintKind.NONE))
    stroke_on = shown & (scene.stroke_kind != int(PaintKind.NONE)) & (scene.stroke_width > 0.0)
    return fill_on, stroke_on


def _device_area(
    box: npt.NDArray[np.float64], width: int, height: int, t_out: Affine
) -> npt.NDArray[np.float64]:
    """Area in output px of each (x0, y0, x1, y1) canvas box, clipped to the output."""
    xs = np.sort(np.stack([box[:, 0] * t_out[0] + t_out[4], box[:, 2] * t_out[0] + t_out[4]]), 0)
    ys = np.sort(np.stack([box[:, 1] * t_out[3] + t_out[5], box[:, 3] * t_out[3] + t_out[5]]), 0)
    w = np.clip(xs[1], 0, width) - np.clip(xs[0], 0, width)
    h = np.clip(ys[1], 0, height) - np.clip(ys[0], 0, height)
    area = np.where(np.isfinite(w) & np.isfinite(h), (w + 1.0) * (h + 1.0), 0.0)
    return np.minimum(area, float(width * height))


def _paint_pixels(
    scene: Scene,
    fill_on: npt.NDArray[np.bool_],
    stroke_on: npt.NDArray[np.bool_],
    width: int,
    height: int,
    t_out: Affine,
) -> int:
    fill_area = _device_area(scene.bbox, width, height, t_out)
    stroke_area = _device_area(scene.stroke_bbox, width, height, t_out)
    fill_cost = np.where(np.isin(scene.fill_kind, _RICH_PAINTS), _RICH_PIXEL_FACTOR, 1)
    stroke_cost = np.where(np.isin(scene.stroke_kind, _RICH_PAINTS), _RICH_PIXEL_FACTOR, 1)
    images = scene.kind == int(PrimitiveKind.IMAGE)
    total = (
        (fill_area * fill_cost)[fill_on].sum()
        + (stroke_area * stroke_cost)[stroke_on].sum()
        + _RICH_PIXEL_FACTOR * fill_area[images & scene.visible].sum()
        # a clip or an element opacity with both paints draws through a layer
        + 2.0 * stroke_area[(scene.clip >= 0) & (fill_on | stroke_on)].sum()
    )
    return int(total)


_Segments = tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]


def _segments(
    scene: Scene, sx: float, sy: float, tx: float, ty: float, height: int
) -> _Segments | None:
    """Per drawing command (line, cubic, close): owner, rows crossed, extra chord count, length,
    the three legs ``(x0, y0, x1, y1)`` of its control polygon and its ``(top, bottom)`` clipped
    to the output, all in output px."""
    codes = scene.cmd_codes.astype(np.int64)
    if codes.size == 0:
        return None
    counts = np.diff(scene.cmd_offsets)
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    npts = _POINTS_PER_COMMAND[np.clip(codes, 0, 3)]
    start = np.cumsum(npts) - npts
    pts = scene.cmd_points
    if pts.shape[0] == 0:
        return None
    x = pts[:, 0] * sx + tx
    y = pts[:, 1] * sy + ty
    last = pts.shape[0] - 1
    # the point a command ends on: its last point, or for a close the subpath's start
    end = np.minimum(start + npts - 1, last)
    move_start = np.where(codes == _MOVE, start, -1)
    subpath_start = np.maximum.accumulate(move_start)
    end = np.where(codes == _CLOSE, np.maximum(subpath_start, 0), end)
    prev = np.empty_like(end)
    prev[0] = end[0]
    prev[1:] = end[:-1]
    first = np.zeros(codes.size, dtype=bool)
    first[scene.cmd_offsets[:-1][counts > 0]] = True
    drawn = (codes != _MOVE) & ~first
    if not drawn.any():
        return None
    idx = np.flatnonzero(drawn)
    code = codes[idx]
    p0, p3 = prev[idx], end[idx]
    cubic = code == _CUBIC
    c1 = np.where(cubic, np.minimum(start[idx], last), p0)
    c2 = np.where(cubic, np.minimum(start[idx] + 1, last), p3)
    ys = np.stack([y[p0], y[c1], y[c2], y[p3]])
    xs = np.stack([x[p0], x[c1], x[c2], x[p3]])
    with np.errstate(invalid="ignore", over="ignore"):
        lo = np.clip(ys.min(0), 0.0, float(height))
        hi = np.clip(ys.max(0), 0.0, float(height))
        inside = (ys.max(0) >= 0.0) & (ys.min(0) <= float(height))
        span = hi - lo
        # a curve may sweep its hull's height more than once; the control polygon bounds it
        sweep = np.abs(np.diff(ys, axis=0)).sum(0)
        rows = np.where(inside, np.ceil(np.minimum(sweep, 3.0 * span)) + 1.0, 0.0)
        ddx = np.maximum(np.abs(xs[0] - 2 * xs[1] + xs[2]), np.abs(xs[1] - 2 * xs[2] + xs[3]))
        ddy = np.maximum(np.abs(ys[0] - 2 * ys[1] + ys[2]), np.abs(ys[1] - 2 * ys[2] + ys[3]))
        chords = np.ceil(np.sqrt(0.75 * np.hypot(ddx, ddy) / _TOLERANCE))
        chords = np.where(cubic & inside, np.clip(chords, 1.0, 4096.0) - 1.0, 0.0)
        lengths = np.hypot(np.diff(xs, axis=0), np.diff(ys, axis=0)).sum(0)
    rows = np.where(np.isfinite(rows), rows, 0.0)
    chords = np.where(np.isfinite(chords), chords, 0.0)
    lengths = np.where(np.isfinite(lengths), lengths, 0.0)
    # the control polygon's three legs (a line's last two are empty): curves cross where their
    # control polygons do, up to nine times per pair
    legs = np.stack(
        [
            np.stack([xs[0], ys[0], xs[1], ys[1]], axis=1),
            np.stack([xs[1], ys[1], xs[2], ys[2]], axis=1),
            np.stack([xs[2], ys[2], xs[3], ys[3]], axis=1),
        ],
        axis=1,
    )
    return owner[idx], rows, chords, lengths, legs, np.stack([lo, hi], axis=1)


def _arc_edges(hw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Edges cairo uses for a round join of half-width ``hw`` at its tolerance."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.clip(1.0 - _TOLERANCE / np.maximum(hw, _TOLERANCE), -1.0, 1.0)
        step = np.arccos(ratio)
        edges = np.where(step > 0, np.ceil(np.pi / np.maximum(step, 1e-9)), 1.0)
    return np.minimum(edges, 4096.0)


def _dash_rows(
    scene: Scene,
    lengths: npt.NDArray[np.float64],
    half_width: npt.NDArray[np.float64],
    scale: float,
) -> npt.NDArray[np.float64]:
    """Cap edges of the dash pieces of each stroke: pieces × (two caps across the pen)."""
    out = np.zeros(len(scene), dtype=np.float64)
    lo, hi = scene.dash_offsets[:-1], scene.dash_offsets[1:]
    for i in np.flatnonzero(hi > lo).tolist():
        dashes = scene.dash_values[lo[i] : hi[i]]
        on = int(np.count_nonzero(dashes[0::2] >= 0))
        period = float(dashes.sum())
        t = scene.transform[i]
        device_period = period * math.sqrt(abs(t[0] * t[3] - t[1] * t[2])) * scale
        if not (device_period > 0 and math.isfinite(device_period)):
            continue
        # cairo skips dashes finer than its tolerance, so pieces are bounded by the path length
        pieces = min(lengths[i] / max(device_period, _TOLERANCE) * on, lengths[i] / _TOLERANCE)
        out[i] = pieces * (4.0 * half_width[i] + 4.0)
    return out


def _crossings(
    prim: npt.NDArray[np.int64],
    legs: npt.NDArray[np.float64],
    y_range: npt.NDArray[np.float64],
    edge_rows: npt.NDArray[np.float64],
    hw: npt.NDArray[np.float64],
    fill_on: npt.NDArray[np.bool_],
    stroke_on: npt.NDArray[np.bool_],
    n: int,
    height: int,
) -> int:
    """Re-sort work of each fill and stroke with many segments.

    The crossing pairs are estimated from a fixed sample of segment pairs; the scan converter
    never costs more per row than sorting its active edges, so a primitive counts the smaller of
    its crossings and that full-sort bound (dense crossings in a few rows are cheaper per
    crossing than crossings spread over many)."""
    per_prim = np.bincount(prim, minlength=n)
    many = np.flatnonzero((per_prim >= _MIN_EDGES_FOR_CROSSINGS) & (fill_on | stroke_on))
    if many.size == 0:
        return 0
    starts = np.concatenate([[0], np.cumsum(per_prim)])
    # Fibonacci hashing: a well-spread, platform-independent sequence of pair indices
    k = np.arange(1, 2 * _SAMPLED_PAIRS + 1, dtype=np.uint64)
    spread = (k * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(16)
    total = 0.0
    for i in many.tolist():
        e = int(per_prim[i])
        lo, hi = starts[i], starts[i + 1]
        seg = legs[lo:hi]
        pick = (spread % np.uint64(e)).astype(np.int64)
        a, b = seg[pick[:_SAMPLED_PAIRS]], seg[pick[_SAMPLED_PAIRS:]]
        # every leg of one against every leg of the other: (pairs, 3, 3)
        hits = _proper_crossings(a[:, :, None, :], b[:, None, :, :])
        pairs = float(hits.sum()) / _SAMPLED_PAIRS * e * (e - 1) / 2.0
        if fill_on[i]:
            sort = _full_sort_work(y_range[lo:hi], edge_rows[lo:hi], 0.0, height)
            total += min(pairs, sort)
        if stroke_on[i]:
            # two crossing centre lines cross each other's stroke outline four times
            sort = _full_sort_work(y_range[lo:hi], 2.0 * edge_rows[lo:hi], float(hw[lo]), height)
            total += min(4.0 * pairs, sort)
    return int(total)


def _full_sort_work(
    y_range: npt.NDArray[np.float64], edge_rows: npt.NDArray[np.float64], pad: float, height: int
) -> float:
    """``_SORT_FACTOR · Σ_rows A log2(A + 1)`` for the active edges ``A`` of each output row."""
    r0 = np.clip(np.floor(y_range[:, 0] - pad), 0, height).astype(np.int64)
    r1 = np.clip(np.ceil(y_range[:, 1] + pad), 0, height).astype(np.int64) + 1
    per_row = edge_rows / (r1 - r0)
    active = np.zeros(height + 2, dtype=np.float64)
    np.add.at(active, r0, per_row)
    np.add.at(active, r1, -per_row)
    a = np.maximum(np.cumsum(active[: height + 1]), 0.0)
    return float(_SORT_FACTOR * (a * np.log2(a + 1.0)).sum())


def _proper_crossings(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Whether segments ``a[...]`` and ``b[...]`` (broadcast, last axis ``x0 y0 x1 y1``) cross at
    a point inside both."""

    def orient(
        p: npt.NDArray[np.float64], q: npt.NDArray[np.float64], r: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        return (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1]) - (q[..., 1] - p[..., 1]) * (
            r[..., 0] - p[..., 0]
        )

    a0, a1, b0, b1 = a[..., 0:2], a[..., 2:4], b[..., 0:2], b[..., 2:4]
    with np.errstate(invalid="ignore", over="ignore"):
        d1 = orient(a0, a1, b0) * orient(a0, a1, b1)
        d2 = orient(b0, b1, a0) * orient(b0, b1, a1)
        crossed: npt.NDArray[np.bool_] = (d1 < 0) & (d2 < 0)
    return crossed

