"""Scene → paint layers → exact geometry and an ID-buffer raster, computed once per scene.

A *layer* is one painted part of one primitive: its fill or its stroke, in paint order (fill
before stroke unless ``paint-order`` says otherwise). Text runs are one layer (their estimated box)
and images are one layer (their rectangle). Everything public in :mod:`svgkit.geometry` reads the
:class:`Analysis` built here; it is cached per (scene, resolution) for the scene's lifetime.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ErrorCode, SVGKitError
from ..flatten import flatten_commands
from ..scene import Scene
from . import kernels as K
from ._compile import ensure_compiled

__all__ = [
    "DEFAULT_RESOLUTION",
    "MAX_RESOLUTION",
    "TEXT_INK_FRACTION",
    "Analysis",
    "analyse",
    "as_scene",
    "check_resolution",
]

#: Default analysis grid: pixels on the long side of the canvas.
DEFAULT_RESOLUTION = 256
#: Largest accepted ``resolution``.
MAX_RESOLUTION = 4096
#: Share of a text run's estimated box taken to be covered by glyph ink.
TEXT_INK_FRACTION = 0.2
#: Work (edge visits × log) allowed to the exact area sweep of one primitive before its area falls
#: back to the raster count.
AREA_SWEEP_BUDGET = 5_000_000

_OPAQUE_EPS = 1e-6

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _c(values: Any, dtype: Any) -> Any:
    """``values`` as a C-contiguous array of ``dtype``: the types the kernels are compiled for
    (``kernels.jit``), without a copy when it already is one."""
    return np.ascontiguousarray(values, dtype=dtype)


def as_scene(source: Any) -> Scene:
    """Accept a :class:`Scene` or SVG text (parsed with default limits)."""
    if isinstance(source, Scene):
        return source
    if isinstance(source, (str, bytes)):
        from .. import parse  # resolved through the package's lazy export table

        return parse(source)
    raise TypeError(f"Expected `scene` to be a Scene or SVG text, but got {type(source).__name__}")


def check_resolution(resolution: int) -> int:
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, (int, np.integer))
        or not 8 <= resolution <= MAX_RESOLUTION
    ):
        raise ValueError(
            f"Expected `resolution` to be an int in [8, {MAX_RESOLUTION}], but got {resolution!r}"
        )
    return int(resolution)


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything measured about one scene at one analysis resolution (device px, y down).

    Per primitive ``(n,)``: ``eff_opacity`` (own × ancestors' group opacity), ``area`` (exact
    fill area, fill-rule aware; text: box × :data:`TEXT_INK_FRACTION`), ``area_inside`` (part
    inside the canvas), ``centroid`` ``(n, 2)``, ``length``/``length_inside`` (outline length),
    ``stroke_area``/``stroke_area_inside`` (length × device stroke width where stroked),
    ``painted_px``/``visible_px`` (raster pixel counts, union of the primitive's layers),
    ``visible_centroid`` ``(n, 2)``. Per layer ``(m,)``: ``layer_prim``, ``layer_part`` (0 fill,
    1 stroke), ``layer_rgb`` ``(m, 3)``, ``layer_alpha``, ``layer_opaque``, ``layer_mask``,
    raster counts ``layer_painted``/``layer_visible``/``layer_top``/``layer_prim_top``.
    """

    scene: Scene
    resolution: int
    grid_width: int
    grid_height: int
    pixel_w: float
    pixel_h: float
    eff_opacity: FloatArray
    occluding_groups: npt.NDArray[np.bool_]
    area: FloatArray
    area_inside: FloatArray
    centroid: FloatArray
    length: FloatArray
    length_inside: FloatArray
    length_centroid: FloatArray
    stroke_area: FloatArray
    stroke_area_inside: FloatArray
    area_exact: npt.NDArray[np.bool_]
    layer_prim: IntArray
    layer_part: IntArray
    layer_rgb: FloatArray
    layer_alpha: FloatArray
    layer_opaque: npt.NDArray[np.bool_]
    layer_mask: IntArray
    spans: npt.NDArray[np.int32]
    span_layer_offsets: IntArray
    vis_runs: npt.NDArray[np.int32]
    vis_layer_offsets: IntArray
    opaque_runs: npt.NDArray[np.int32]
    layer_painted: IntArray
    layer_visible: IntArray
    layer_top: IntArray
    layer_prim_top: IntArray
    painted_px: IntArray
    visible_px: IntArray
    visible_centroid: FloatArray
    covered_px: int
    mean_alpha: float

    @property
    def pixel_area(self) -> float:
        """Device area of one analysis pixel."""
        return self.pixel_w * self.pixel_h

    @property
    def n_pixels(self) -> int:
        return self.grid_width * self.grid_height


_CACHE: weakref.WeakKeyDictionary[Scene, dict[int, Analysis]] = weakref.WeakKeyDictionary()


def analyse(scene: Scene, resolution: int = DEFAULT_RESOLUTION) -> Analysis:
    """Return the (cached) :class:`Analysis` of ``scene`` at ``resolution``."""
    ensure_compiled(("clips",) if scene.clips else ())
    per_scene = _CACHE.get(scene)
    if per_scene is None:
        per_scene = {}
        _CACHE[scene] = per_scene
    found = per_scene.get(resolution)
    if found is None:
        found = _build(scene, resolution)
        per_scene[resolution] = found
    return found


def _grid(width: float, height: float, resolution: int) -> tuple[int, int, float, float]:
    """Grid size and pixel size: ``resolution`` pixels on the long side, the short side rounded,
    so the grid covers the canvas exactly (pixels may be very slightly non-square)."""
    if not (math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0):
        raise SVGKitError(ErrorCode.BAD_GEOMETRY, f"unusable canvas size {width} × {height}")
    if width >= height:
        gw = resolution
        gh = max(1, round(resolution * height / width))
    else:
        gh = resolution
        gw = max(1, round(resolution * width / height))
    return gw, gh, width / gw, height / gh


def _group_tables(scene: Scene) -> tuple[FloatArray, npt.NDArray[np.bool_], list[tuple[int, ...]]]:
    """Per group: cumulative opacity, whether paint inside may occlude (no mask/filter on the
    chain), and the chain of clip indices (outermost first)."""
    ng = len(scene.groups)
    # Python lists, converted once: numpy scalar reads and writes cost far more per group
    opacity = [1.0] * ng
    occluding = [True] * ng
    clips: list[tuple[int, ...]] = [()] * ng
    for g in scene.groups:  # parents come before their children
        own_clip = (g.clip,) if g.clip >= 0 else ()
        if g.parent >= 0:
            opacity[g.index] = opacity[g.parent] * float(g.opacity)
            occluding[g.index] = occluding[g.parent] and not (g.mask or g.filter)
            clips[g.index] = clips[g.parent] + own_clip
        else:
            opacity[g.index] = float(g.opacity)
            occluding[g.index] = not (g.mask or g.filter)
            clips[g.index] = own_clip
    return (np.array(opacity, dtype=np.float64), np.array(occluding, dtype=np.bool_), clips)


def _clip_runs(scene: Scene, clip: int, gw: int, gh: int, sx: float, sy: float,
               depth: int = 0) -> npt.NDArray[np.int32]:
    """Run set of clip path ``clip`` (union of its children under their clip rules, intersected
    with the clip applied to the clip path itself)."""
    cp = scene.clips[clip]
    edges_per_child: list[int] = []
    edge_blocks: list[FloatArray] = []
    for codes, pts in zip(cp.cmd_codes, cp.cmd_points):
        flat = flatten_commands(codes, pts, scene.flatten_tolerance)
        count = 0
        for k in range(len(flat.subpath_offsets) - 1):
            ring = flat.points[flat.subpath_offsets[k] : flat.subpath_offsets[k + 1]]
            m = len(ring)
            if m < 3:
                continue
            # each edge runs from a point to the next, the last one back to the first
            block = np.empty((m, 4))
            block[:, 0] = ring[:, 0] * sx
            block[:, 1] = ring[:, 1] * sy
            block[:-1, 2:] = block[1:, :2]
            block[-1, 2:] = block[0, :2]
            edge_blocks.append(block)
            count += m
        edges_per_child.append(count)
    edges = np.concatenate(edge_blocks) if edge_blocks else np.zeros((0, 4))
    ring_offsets = np.zeros(len(edges_per_child) + 1, dtype=np.int64)
    ring_offsets[1:] = np.cumsum(edges_per_child)
    rules = np.asarray(cp.clip_rules, dtype=np.int64).reshape(-1)
    if rules.shape[0] != len(edges_per_child):
        rules = np.zeros(len(edges_per_child), dtype=np.int64)
    runs: npt.NDArray[np.int32] = K.mask_runs(
        np.ascontiguousarray(edges, dtype=np.float64), ring_offsets, rules, gw, gh)
    if cp.clip >= 0 and depth < 16:
        runs = K.runs_intersect(runs, _clip_runs(scene, cp.clip, gw, gh, sx, sy, depth + 1))
    return runs


def _gradient_opaque(scene: Scene) -> npt.NDArray[np.bool_]:
    return np.array(
        [all(stop.rgba[3] >= 1.0 - _OPAQUE_EPS for stop in g.stops) for g in scene.gradients],
        dtype=np.bool_,
    )


def _build(scene: Scene, resolution: int) -> Analysis:
    n = len(scene)
    cw, ch = float(scene.canvas.width), float(scene.canvas.height)
    gw, gh, pw, ph = _grid(cw, ch, resolution)
    sx, sy = 1.0 / pw, 1.0 / ph
    flat = scene.flat

    # exact geometry per primitive
    kind = _c(scene.kind, np.int64)
    rules = _c(scene.fill_rule, np.int64)
    geo = K.primitive_geometry(
        _c(scene.cmd_codes, np.uint8), _c(scene.cmd_points, np.float64).reshape(-1, 2),
        _c(scene.cmd_offsets, np.int64), _c(scene.pt_offsets, np.int64), flat.tolerance,
        flat.points,
        flat.subpath_offsets, flat.subpath_closed, flat.prim_subpath_offsets, rules, cw, ch,
        AREA_SWEEP_BUDGET)
    area = geo[:, 0].copy()
    area_inside = geo[:, 3].copy()
    centroid = geo[:, 1:3].copy()
    length = geo[:, 4].copy()
    length_inside = geo[:, 5].copy()
    length_centroid = geo[:, 6:8].copy()
    area_exact = geo[:, 8] > 0.5
    # plain ints: comparing an array with an IntEnum member costs microseconds more
    is_text = kind == K.KIND_TEXT
    is_image = kind == K.KIND_IMAGE
    area[is_text] *= TEXT_INK_FRACTION
    area_inside[is_text] *= TEXT_INK_FRACTION

    # paint and opacity
    g_opacity, g_occluding, g_clips = _group_tables(scene)
    group = np.asarray(scene.group, dtype=np.int64)
    eff_opacity = np.asarray(scene.opacity, dtype=np.float64) * g_opacity[group]
    occluding_groups = g_occluding[group]
    sw_dev = np.asarray(scene.stroke_width_device, dtype=np.float64)
    stroke_kind = _c(scene.stroke_kind, np.uint8)
    has_stroke = (stroke_kind != K.PAINT_NONE) & (sw_dev > 0) & ~is_text & ~is_image
    stroke_area = np.where(has_stroke, length * sw_dev, 0.0)
    stroke_area_inside = np.where(has_stroke, length_inside * sw_dev, 0.0)
    (layer_prim, layer_part, layer_rgb, layer_alpha, layer_opaque, layer_rule,
     half_width) = K.make_layers(
        kind, _c(scene.visible, np.bool_), _c(scene.fill_kind, np.uint8), stroke_kind,
        _c(scene.fill_rgba, np.float64), _c(scene.stroke_rgba, np.float64),
        _c(scene.fill_paint, np.int64), _c(scene.stroke_paint, np.int64),
        _gradient_opaque(scene), eff_opacity, occluding_groups, sw_dev,
        _c(scene.paint_order_stroke_first, np.bool_), rules, TEXT_INK_FRACTION,
        0.5 * max(pw, ph),
    )
    n_layers = layer_prim.shape[0]

    # clip regions as run sets, one per distinct chain of clips
    prim_clip = np.asarray(scene.clip, dtype=np.int64)
    layer_mask = np.full(n_layers, -1, dtype=np.int64)
    mask_list: list[npt.NDArray[np.int32]] = []
    if n_layers and ((prim_clip >= 0).any() or any(g_clips)):
        chain_index: dict[tuple[int, ...], int] = {}
        single: dict[int, npt.NDArray[np.int32]] = {}
        for L in range(n_layers):
            i = int(layer_prim[L])
            chain = g_clips[int(group[i])] + ((int(prim_clip[i]),) if prim_clip[i] >= 0 else ())
            if not chain:
                continue
            if chain not in chain_index:
                runs: npt.NDArray[np.int32] | None = None
                for c in chain:
                    if c not in single:
                        single[c] = _clip_runs(scene, c, gw, gh, sx, sy)
                    runs = single[c] if runs is None else K.runs_intersect(runs, single[c])
                chain_index[chain] = len(mask_list)
                assert runs is not None
                mask_list.append(runs)
            layer_mask[L] = chain_index[chain]
    if mask_list:
        mask_offsets = np.concatenate(
            [[0], np.cumsum([len(r) for r in mask_list], dtype=np.int64)]).astype(np.int64)
        mask_runs = np.concatenate(mask_list).astype(np.int32)
    else:
        mask_offsets = np.zeros(1, dtype=np.int64)
        mask_runs = np.zeros((0, 3), dtype=np.int32)

    # outlines: stroke half width in device px, at least half an analysis pixel
    cap = np.asarray(scene.line_cap, dtype=np.int64)[layer_prim]
    dash_off = np.asarray(scene.dash_offsets, dtype=np.int64)
    dash_values_dev = np.asarray(scene.dash_values, dtype=np.float64)
    if dash_values_dev.size:
        det_scale = np.where(np.asarray(scene.stroke_width) > 0,
                             sw_dev / np.where(scene.stroke_width > 0, scene.stroke_width, 1.0),
                             1.0) if n else np.zeros(0)
        owner = np.repeat(np.arange(n), np.diff(dash_off))
        dash_values_dev = dash_values_dev * det_scale[owner]
    layer_dash_offsets = np.zeros(n_layers + 1, dtype=np.int64)
    dash_pieces: list[FloatArray] = []
    layer_dash_phase = np.zeros(n_layers)
    if dash_values_dev.size:
        for L in np.nonzero(layer_part == K.PART_STROKE)[0].tolist():
            owner_i = int(layer_prim[L])
            vals = dash_values_dev[dash_off[owner_i] : dash_off[owner_i + 1]]
            if vals.size and np.all(vals >= 0) and vals.sum() > 0:
                dash_pieces.append(vals)
                layer_dash_offsets[L + 1] = vals.size
                layer_dash_phase[L] = float(scene.dash_offset[owner_i]) * det_scale[owner_i]
        layer_dash_offsets = np.cumsum(layer_dash_offsets)
    dash_values = np.concatenate(dash_pieces) if dash_pieces else np.zeros(0)
    edges, edge_offsets = K.build_layer_edges(
        flat.points, flat.subpath_offsets, flat.subpath_closed, flat.prim_subpath_offsets,
        layer_prim, layer_part, half_width, cap, layer_dash_offsets, dash_values,
        layer_dash_phase, sx, sy, 1.0,
    )
    (spans, span_off, vis_runs, vis_off, layer_painted, layer_visible, layer_top,
     layer_prim_top, painted_px, visible_px, sums, opaque_runs, covered,
     mean_alpha) = K.rasterise_layers(
        edges, edge_offsets, layer_rule, layer_opaque, layer_alpha, layer_mask, mask_runs,
        mask_offsets, layer_prim, n, gw, gh,
    )
    if not area_exact.all():
        # the exact sweep ran out of budget: fall back to the fill layer's pixel count
        fill_px = np.zeros(n)
        np.add.at(fill_px, layer_prim[layer_part == K.PART_FILL],
                  layer_painted[layer_part == K.PART_FILL])
        area[~area_exact] = fill_px[~area_exact] * pw * ph
        area_inside[~area_exact] = area[~area_exact]
    vis_sums = np.empty((n, 2))
    vis_sums[:, 0] = sums[:, 0] * pw
    vis_sums[:, 1] = sums[:, 1] * ph
    # NaN where nothing shows (the sums are 0 there: 0 / 0); dividing only elsewhere spares
    # entering np.errstate, which costs more than the division
    vis_centroid = np.full((n, 2), np.nan)
    np.divide(vis_sums, visible_px[:, None], out=vis_centroid, where=visible_px[:, None] > 0)
    return Analysis(
        scene=scene, resolution=resolution, grid_width=gw, grid_height=gh, pixel_w=pw,
        pixel_h=ph, eff_opacity=eff_opacity, occluding_groups=occluding_groups, area=area,
        area_inside=area_inside, centroid=centroid, length=length, length_inside=length_inside,
        length_centroid=length_centroid, stroke_area=stroke_area,
        stroke_area_inside=stroke_area_inside, area_exact=area_exact, layer_prim=layer_prim,
        layer_part=layer_part, layer_rgb=layer_rgb, layer_alpha=layer_alpha,
        layer_opaque=layer_opaque, layer_mask=layer_mask, spans=spans,
        span_layer_offsets=span_off, vis_runs=vis_runs, vis_layer_offsets=vis_off,
        opaque_runs=opaque_runs, layer_painted=layer_painted,
        layer_visible=layer_visible, layer_top=layer_top, layer_prim_top=layer_prim_top,
        painted_px=painted_px, visible_px=visible_px, visible_centroid=vis_centroid,
        covered_px=int(covered), mean_alpha=float(mean_alpha),
    )
