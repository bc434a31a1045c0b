"""Scene statistics: what a document draws, how much of it shows, and what is wasted.

:func:`stats` combines exact geometry (areas and lengths of the flattened outlines) with an
ID-buffer raster at an analysis resolution (visibility, coverage, occlusion). Every quantity is
defined in ``docs/geometry.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from ..scene import Command, PrimitiveKind, Scene
from . import kernels as K
from ._analysis import DEFAULT_RESOLUTION, analyse, as_scene, check_resolution
from ._colors import color_names

__all__ = ["INVISIBLE_REASONS", "InvisiblePrimitive", "SceneStats", "stats"]

#: Why a primitive contributes nothing to the picture, in the order they are tested.
INVISIBLE_REASONS = (
    "hidden",  # visibility: hidden / collapse
    "no_paint",  # fill and stroke both none
    "transparent",  # opacity 0, or every paint it has is fully transparent
    "degenerate",  # no fill area, no stroke length and no cap dot
    "outside_canvas",  # its stroke bbox does not meet the canvas
    "clipped_out",  # its clip paths leave no pixel
    "fully_occluded",  # every pixel it paints is covered by later opaque paint
)

_KIND_NAMES = tuple(k.name.lower() for k in PrimitiveKind)
_COMMAND_NAMES = tuple(c.name.lower() for c in Command)
_FloatArray = npt.NDArray[np.float64]


def _f(value: Any) -> float | None:
    """A JSON-safe float: NaN and infinities become ``None``."""
    v = float(value)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class InvisiblePrimitive:
    """A primitive that draws nothing visible, and why (one or more of
    :data:`INVISIBLE_REASONS`)."""

    index: int
    tag: str
    id: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "tag": self.tag, "id": self.id, "reasons": list(self.reasons)}


@dataclass(frozen=True, eq=False)
class SceneStats:
    """Statistics of one scene. Areas are in device px², lengths in device px.

    Scalars
    -------
    canvas_width, canvas_height : float
    resolution : int
        Analysis grid pixels on the long side of the canvas.
    n_primitives : int
    kind_counts : dict[str, int]
        Primitives per kind (``rect``, ``circle``, ``ellipse``, ``line``, ``polyline``,
        ``polygon``, ``path``, ``text``, ``image``), after ``<use>`` expansion.
    use_expansions : int
        ``<use>`` instances expanded; ``use_primitives`` primitives were drawn by them.
    path_commands : dict[str, int]
        ``move``/``line``/``cubic``/``close`` commands of ``<path>`` primitives (arcs and
        quadratics already converted to cubics).
    fill_colors, stroke_colors : tuple[str, ...]
        Distinct ``#rrggbb`` paints used (gradients by their mean colour), sorted.
    visible_colors : tuple[dict, ...]
        ``{"hex", "name", "area", "share"}`` of the topmost paint per analysis pixel, largest
        first (``share`` of the canvas area); computed on first access.
    coverage : float
        Fraction of canvas pixels painted by anything (a union, not a sum).
    alpha_coverage : float
        Mean composited alpha over the canvas, ``mean(1 - prod(1 - alpha))``.
    outside_fraction : float
        Share of all painted geometry (fill area + stroke area) lying outside the canvas.
    invisible : tuple[InvisiblePrimitive, ...]
    invisible_counts : dict[str, int]
        Primitives per reason (a primitive can have several).

    Per-primitive arrays (index = paint order)
    ------------------------------------------
    kind, area, stroke_area, bbox (n, 4), centroid (n, 2), painted_area, visible_area,
    visible_fraction, primitive_outside_fraction, fill_codes and stroke_codes (``0xRRGGBB``,
    -1 where there is no such paint).
    """

    canvas_width: float
    canvas_height: float
    resolution: int
    n_primitives: int
    kind_counts: dict[str, int]
    use_expansions: int
    use_primitives: int
    path_commands: dict[str, int]
    fill_colors: tuple[str, ...]
    stroke_colors: tuple[str, ...]
    coverage: float
    alpha_coverage: float
    outside_fraction: float
    invisible: tuple[InvisiblePrimitive, ...]
    invisible_counts: dict[str, int]
    kind: npt.NDArray[np.int8] = field(repr=False)
    tags: list[str] = field(repr=False)
    ids: list[str] = field(repr=False)
    area: _FloatArray = field(repr=False)
    stroke_area: _FloatArray = field(repr=False)
    bbox: _FloatArray = field(repr=False)
    centroid: _FloatArray = field(repr=False)
    painted_area: _FloatArray = field(repr=False)
    visible_area: _FloatArray = field(repr=False)
    visible_fraction: _FloatArray = field(repr=False)
    primitive_outside_fraction: _FloatArray = field(repr=False)
    fill_codes: npt.NDArray[np.int64] = field(repr=False)
    stroke_codes: npt.NDArray[np.int64] = field(repr=False)
    top_codes: npt.NDArray[np.int64] = field(repr=False)
    top_areas: _FloatArray = field(repr=False)

    @cached_property
    def visible_colors(self) -> tuple[dict[str, Any], ...]:
        """``{"hex", "name", "area", "share"}`` of the paint seen on top, largest area first
        (``share`` of the canvas area); names are computed on first access."""
        order = sorted(range(len(self.top_codes)),
                       key=lambda k: (-float(self.top_areas[k]), int(self.top_codes[k])))
        hexes = [_hex(int(self.top_codes[k])) for k in order]
        names = color_names(hexes) if hexes else []
        canvas_area = self.canvas_width * self.canvas_height
        return tuple(
            {"hex": h, "name": name, "area": float(self.top_areas[k]),
             "share": float(self.top_areas[k]) / canvas_area}
            for h, name, k in zip(hexes, names, order)
        )

    @property
    def n_invisible(self) -> int:
        """Number of primitives that draw nothing visible."""
        return len(self.invisible)

    @property
    def n_degenerate(self) -> int:
        """Number of primitives with no fill area, no stroke length and no cap dot."""
        return self.invisible_counts.get("degenerate", 0)

    def primitive_dict(self, index: int) -> dict[str, Any]:
        """The statistics of primitive ``index`` as a JSON-serialisable dict."""
        i = int(index)
        return {
            "index": i,
            "kind": _KIND_NAMES[int(self.kind[i])],
            "tag": self.tags[i],
            "id": self.ids[i],
            "area": _f(self.area[i]),
            "stroke_area": _f(self.stroke_area[i]),
            "bbox": [_f(v) for v in self.bbox[i]],
            "centroid": [_f(v) for v in self.centroid[i]],
            "painted_area": _f(self.painted_area[i]),
            "visible_area": _f(self.visible_area[i]),
            "visible_fraction": _f(self.visible_fraction[i]),
            "outside_fraction": _f(self.primitive_outside_fraction[i]),
            "fill": _hex(int(self.fill_codes[i])) or None,
            "stroke": _hex(int(self.stroke_codes[i])) or None,
        }

    def to_dict(self, *, primitives: bool = True) -> dict[str, Any]:
        """A JSON-serialisable dict (NaN becomes ``None``); ``primitives=False`` leaves out the
        per-primitive list."""
        out: dict[str, Any] = {
            "canvas": {"width": self.canvas_width, "height": self.canvas_height},
            "resolution": self.resolution,
            "n_primitives": self.n_primitives,
            "kind_counts": dict(self.kind_counts),
            "use_expansions": self.use_expansions,
            "use_primitives": self.use_primitives,
            "path_commands": dict(self.path_commands),
            "fill_colors": list(self.fill_colors),
            "stroke_colors": list(self.stroke_colors),
            "visible_colors": [dict(c) for c in self.visible_colors],
            "coverage": _f(self.coverage),
            "alpha_coverage": _f(self.alpha_coverage),
            "outside_fraction": _f(self.outside_fraction),
            "n_invisible": self.n_invisible,
            "n_degenerate": self.n_degenerate,
            "invisible_counts": dict(self.invisible_counts),
            "invisible": [p.to_dict() for p in self.invisible],
        }
        if primitives:
            out["primitives"] = [self.primitive_dict(i) for i in range(self.n_primitives)]
        return out


def _hex(code: int) -> str:
    return f"#{code:06x}" if code >= 0 else ""


def _use_primitives(scene: Scene) -> int:
    if not scene.use_expansions:
        return 0
    in_use = np.zeros(len(scene.groups), dtype=np.bool_)
    for g in scene.groups:
        in_use[g.index] = g.use_instance or (g.parent >= 0 and in_use[g.parent])
    return int(in_use[np.asarray(scene.group, dtype=np.int64)].sum()) if len(scene) else 0


def stats(scene: Scene | str, *, resolution: int = DEFAULT_RESOLUTION) -> SceneStats:
    """Measure what a scene draws.

    Parameters
    ----------
    scene
        A :class:`~svgkit.Scene` from :func:`svgkit.parse`, or SVG text (parsed with default
        limits; parse errors propagate as :class:`~svgkit.SVGKitError`).
    resolution
        Analysis grid pixels on the long side of the canvas (8–4096, default 256). Visible areas,
        coverage and occlusion are measured on this grid; exact areas are not.

    Returns
    -------
    SceneStats

    Examples
    --------
    >>> import svgkit
    >>> s = svgkit.stats('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    ...                  '<rect width="50" height="100" fill="red"/>'
    ...                  '<circle cx="25" cy="50" r="10" fill="blue"/>'
    ...                  '<rect x="200" width="10" height="10"/></svg>')
    >>> s.kind_counts["rect"], s.coverage, float(s.area[1].round(1))
    (2, 0.5, 314.2)
    >>> [(p.index, p.reasons) for p in s.invisible]
    [(2, ('outside_canvas',))]
    """
    scene = as_scene(scene)
    resolution = check_resolution(resolution)
    a = analyse(scene, resolution)
    n = len(scene)
    kind = np.ascontiguousarray(scene.kind, dtype=np.int8)
    visible = np.ascontiguousarray(scene.visible, dtype=np.bool_)
    fill_kind = np.ascontiguousarray(scene.fill_kind, dtype=np.uint8)
    stroke_kind = np.ascontiguousarray(scene.stroke_kind, dtype=np.uint8)
    stroke_width = np.ascontiguousarray(scene.stroke_width, dtype=np.float64)
    px_area = a.pixel_area
    flat = scene.flat
    (kind_counts_arr, cmd_counts, fill_codes, stroke_codes, fill_colors_arr, stroke_colors_arr,
     top_codes, top_pixels, prim_outside, outside_fraction, flags) = K.scene_tables(
        kind, np.ascontiguousarray(scene.cmd_codes, dtype=np.uint8),
        np.ascontiguousarray(scene.cmd_offsets, dtype=np.int64), visible, fill_kind,
        stroke_kind, stroke_width, np.ascontiguousarray(scene.fill_rgba, dtype=np.float32),
        np.ascontiguousarray(scene.stroke_rgba, dtype=np.float32),
        np.ascontiguousarray(scene.line_cap, dtype=np.uint8), np.diff(flat.prim_subpath_offsets),
        a.eff_opacity, a.area, a.area_inside, a.length, a.stroke_area, a.stroke_area_inside,
        np.ascontiguousarray(scene.stroke_bbox, dtype=np.float64).reshape(-1, 4),
        float(scene.canvas.width), float(scene.canvas.height), a.layer_prim, a.layer_mask,
        a.layer_rgb, a.layer_top, a.painted_px, a.visible_px,
    )
    kind_counts = dict(zip(_KIND_NAMES, kind_counts_arr.tolist()))
    path_commands = dict(zip(_COMMAND_NAMES, cmd_counts.tolist()))
    fill_colors = tuple(_hex(c) for c in fill_colors_arr.tolist())
    stroke_colors = tuple(_hex(c) for c in stroke_colors_arr.tolist())

    invisible = tuple(
        InvisiblePrimitive(
            int(i), scene.tags[i], scene.ids[i],
            tuple(r for r, f in zip(INVISIBLE_REASONS, flags[i]) if f),
        )
        for i in np.nonzero(flags.any(axis=1))[0].tolist()
    )
    column_counts = flags.sum(axis=0)
    invisible_counts = {r: int(column_counts[k]) for k, r in enumerate(INVISIBLE_REASONS)}

    centroid = np.where(np.isfinite(a.centroid[:, :1]), a.centroid, a.length_centroid)
    painted_area = np.asarray(a.painted_px * px_area, dtype=np.float64)
    visible_area = np.asarray(a.visible_px * px_area, dtype=np.float64)
    # NaN where nothing is painted; dividing only elsewhere spares entering np.errstate
    visible_fraction = np.full(n, np.nan)
    np.divide(a.visible_px, a.painted_px, out=visible_fraction, where=a.painted_px > 0)
    return SceneStats(
        canvas_width=float(scene.canvas.width),
        canvas_height=float(scene.canvas.height),
        resolution=resolution,
        n_primitives=n,
        kind_counts=kind_counts,
        use_expansions=int(scene.use_expansions),
        use_primitives=_use_primitives(scene),
        path_commands=path_commands,
        fill_colors=fill_colors,
        stroke_colors=stroke_colors,
        top_codes=top_codes,
        top_areas=top_pixels * px_area,
        coverage=a.covered_px / a.n_pixels,
        alpha_coverage=a.mean_alpha,
        outside_fraction=float(outside_fraction),
        invisible=invisible,
        invisible_counts=invisible_counts,
        kind=kind,
        tags=scene.tags,
        ids=scene.ids,
        area=a.area,
        stroke_area=a.stroke_area,
        bbox=np.asarray(scene.bbox, dtype=np.float64).reshape(-1, 4),
        centroid=centroid,
        painted_area=painted_area,
        visible_area=visible_area,
        visible_fraction=visible_fraction,
        primitive_outside_fraction=prim_outside,
        fill_codes=fill_codes,
        stroke_codes=stroke_codes,
    )
