"""Objects: the things a scene depicts, found from annotations or from the document structure.

Rules (``docs/geometry.md`` has the full text):

* **Annotated objects.** A group (``<g>``, ``<a>``, a nested ``<svg>``, a ``<use>`` instance …)
  whose ``data-object``, ``id`` or ``class`` (checked in that order) names a noun is an object,
  and so is a single primitive whose ``id`` or ``class`` names one;
  an index suffix is split off (``vase-2`` → ``vase`` #2, ``wine_glass`` → ``wine glass``,
  ``class="obj bowl"`` → ``bowl``). Everything inside it belongs to its outermost annotated
  ancestor. A ``<use>`` instance is a separate group, so every instance is its own object.
* **Fallback.** Outside annotated objects, each child of the root (or of an unannotated group that
  contains annotated ones) is an object: a group as a whole, a primitive on its own, except that
  consecutive sibling primitives merge into one object when they share their main colour and
  their stroke boxes, grown by ``merge_margin`` × the canvas diagonal, touch the object's box.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from ..scene import PaintKind, PrimitiveKind, Scene
from . import kernels as K
from ._analysis import DEFAULT_RESOLUTION, Analysis, analyse, as_scene, check_resolution
from ._colors import color_names, rgb_to_hex
from ._compile import ensure_compiled

__all__ = [
    "BACKDROP_SHARE",
    "GENERIC_NAMES",
    "SceneObject",
    "ShapeDescriptor",
    "object_name",
    "objects",
]

#: Words that name a container, not a thing; an annotation made only of these is ignored.
GENERIC_NAMES = frozenset(
    """
    a all art artboard capa canvas cls clip clippath component container content contents defs
    drawing ebene el element elements g graphic graphics group grp id img item items layer layers
    main mask node obj object objects part parts path paths root scene shape shapes st svg symbol
    use wrap wrapper xmlid
    """.split()
)

#: A layer painting at least this share of the canvas is a backdrop, not an object's colour
#: (unless it is all the object shows).
BACKDROP_SHARE = 0.9
_NOT_SHAPES = (PrimitiveKind.TEXT, PrimitiveKind.IMAGE)

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[\s_\-.:]+")
_WORD_INDEX = re.compile(r"^([a-z]+?)(\d+)$")


def object_name(annotation: str, *, explicit: bool = False) -> tuple[str, int | None] | None:
    """Parse an annotation into ``(noun, index)``, or ``None`` when it names no thing.

    Camel case and ``-``/``_``/``.``/``:`` separate words; a trailing number (its own word or
    glued to the last word) is the index; generic words (:data:`GENERIC_NAMES`) are dropped.
    Words must be alphabetic and the result at least two letters. ``explicit`` (for
    ``data-object``) keeps generic words when nothing else is left.

    Examples
    --------
    >>> object_name("vase-2"), object_name("wine_glass"), object_name("WineGlass")
    (('vase', 2), ('wine glass', None), ('wine glass', None))
    >>> object_name("layer1"), object_name("path123"), object_name("tree-group")
    (None, None, ('tree', None))
    """
    text = _CAMEL.sub(" ", annotation.strip())
    words = [w for w in _SPLIT.split(text.lower()) if w]
    if not words:
        return None
    index: int | None = None
    if words[-1].isdigit():
        index = int(words.pop()[:18])
    elif (m := _WORD_INDEX.match(words[-1])) is not None:
        words[-1] = m.group(1)
        index = int(m.group(2)[:18])
    if not words or not all(w.isalpha() for w in words):
        return None
    kept = [w for w in words if w not in GENERIC_NAMES]
    if not kept:
        if not explicit:
            return None
        kept = words
    name = " ".join(kept)
    if len(name.replace(" ", "")) < 2:
        return None
    return name, index


def _annotation(
    id_: str, classes: Sequence[str], data_object: str
) -> tuple[str, int | None, str] | None:
    """``(noun, index, source)`` from ``data-object``, ``id`` or ``class``, in that order."""
    if data_object:
        parsed = object_name(data_object, explicit=True)
        if parsed:
            return parsed[0], parsed[1], "data-object"
    if id_:
        parsed = object_name(id_)
        if parsed:
            return parsed[0], parsed[1], "id"
    for token in classes:
        parsed = object_name(token)
        if parsed:
            return parsed[0], parsed[1], "class"
    return None


@dataclass(frozen=True)
class ShapeDescriptor:
    """Shape of an object's painted silhouette (occlusion ignored), from its analysis pixels.

    Attributes
    ----------
    aspect_ratio : float
        Width / height of the silhouette's bbox.
    rectangularity : float
        Area / area of the minimum-area (rotated) bounding rectangle; 1 for a rectangle,
        π/4 for a disc.
    circularity : float
        4π·area / (convex hull perimeter)²; 1 for a disc, π/4 for a square, about 0.6 for an
        equilateral triangle.
    ellipse_fit : float
        Intersection over union with the ellipse of equal second moments; about 1 for an ellipse,
        0.83 for a square.
    triangularity : float
        (largest triangle inscribed in the hull / hull area) × solidity; 1 for a triangle, 0.5
        for a rectangle, 0.41 for a disc.
    solidity : float
        Area / convex hull area.
    guess : str
        ``"rectangle"``, ``"ellipse"``, ``"circle"``, ``"triangle"`` when that family's score is at
        least 0.9 (and best), else ``"irregular"``; ``"none"`` for an empty silhouette.
    """

    aspect_ratio: float
    rectangularity: float
    circularity: float
    ellipse_fit: float
    triangularity: float
    solidity: float
    guess: str

    def to_dict(self) -> dict[str, Any]:
        return {k: (_f(v) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def _f(value: Any) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


def _descriptor(runs: npt.NDArray[np.int32], pw: float, ph: float) -> ShapeDescriptor:
    ensure_compiled(("shapes",))
    d = K.runs_descriptor(runs, pw, ph)
    area, hull, perim, rect, long_side, short_side, tri, iou, bw, bh = (float(v) for v in d)
    nan = math.nan
    if not area > 0:
        return ShapeDescriptor(nan, nan, nan, nan, nan, nan, "none")
    rectangularity = area / rect if rect > 0 else nan
    circularity = 4.0 * math.pi * area / (perim * perim) if perim > 0 else nan
    solidity = area / hull if hull > 0 else nan
    triangularity = tri / hull * solidity if hull > 0 else nan
    scores = {"rectangle": rectangularity, "ellipse": iou, "triangle": triangularity}
    best = max(scores, key=lambda k: scores[k] if math.isfinite(scores[k]) else -1.0)
    guess = best if scores[best] >= 0.9 else "irregular"
    if guess == "ellipse" and short_side > 0 and long_side / short_side < 1.1:
        guess = "circle"
    return ShapeDescriptor(
        aspect_ratio=bw / bh if bh > 0 else nan,
        rectangularity=min(rectangularity, 1.0),
        circularity=min(circularity, 1.0),
        ellipse_fit=iou,
        triangularity=min(triangularity, 1.0),
        solidity=min(solidity, 1.0),
        guess=guess,
    )


@dataclass(frozen=True, eq=False)
class SceneObject:
    """One object of a scene, measured on what is actually visible.

    Attributes
    ----------
    index : int
        Position in the list :func:`objects` returned (= z-order, back to front).
    name : str
        The noun of an annotated object (``"wine glass"``), ``""`` for fallback objects.
    instance : int or None
        Index suffix of the annotation (``vase-2`` → 2).
    label : str
        A readable label: the name (with ``#index``), else the tag and id of what it came from.
    annotated : bool
    source : str
        ``"data-object"``, ``"id"``, ``"class"`` (annotated), ``"group"``, ``"element"`` or
        ``"merged"`` (fallback).
    group : int
        Index of the group the object came from, or -1.
    primitives : tuple[int, ...]
        Its primitives (contiguous in paint order).
    z_order : int
        Same as ``index``: objects are listed back to front.
    bbox : tuple[float, float, float, float]
        Union of its primitives' stroke bboxes, device px (may extend past the canvas).
    painted_area, visible_area : float
        Device px² painted by the object (union of its layers, inside the canvas) and left
        visible after later opaque paint.
    visible_fraction : float
        ``visible_area / painted_area`` (NaN when nothing is painted).
    visible_bbox : tuple[float, float, float, float]
        Bbox of the visible pixels (NaN when none).
    centroid : tuple[float, float]
        Mean position of the visible pixels (the visible-mass centroid).
    color : str
        ``#rrggbb`` of the dominant visible colour: the paint covering the largest visible area,
        taking at each pixel the object's topmost layer there ("" when nothing is visible).
        A *backdrop* layer (one painting at least 90 % of the canvas) is left out when the object
        has other visible paint: a canvas-sized rect behind a figure is not the figure's colour.
    color_name : str or None
        Basic colour term of ``color`` (:func:`svgkit.color_name`).
    colors : tuple[tuple[str, float], ...]
        Every visible colour of the object as ``(#rrggbb, area in device px²)``, largest first,
        counted as for ``color`` (backdrop layers left out the same way; images have no colour).
    max_alpha : float
        The largest alpha (paint alpha × effective opacity) among the layers with visible pixels
        (0.0 when nothing is visible): a drawing at ``opacity="0.02"`` is painted but barely seen.
    shape_area : float
        Visible area (device px²) where the object's topmost paint is a shape, not a text run or
        an image: what the object *draws*, as opposed to what it writes or embeds.
    shape : ShapeDescriptor
        The silhouette's shape descriptors, measured on first access and then kept (a property,
        not a field: most callers never read it, and its kernel then never compiles).
    drawn : bool
        Whether any pixel of it is visible.
    is_background : bool
        First in z-order and covering at least 90 % of the canvas.
    """

    index: int
    name: str
    instance: int | None
    label: str
    annotated: bool
    source: str
    group: int
    primitives: tuple[int, ...]
    bbox: tuple[float, float, float, float]
    painted_area: float
    visible_area: float
    visible_fraction: float
    visible_bbox: tuple[float, float, float, float]
    centroid: tuple[float, float]
    color: str
    color_name: str | None
    drawn: bool
    is_background: bool
    colors: tuple[tuple[str, float], ...]
    max_alpha: float
    shape_area: float
    _analysis: Analysis = field(repr=False)
    _painted_runs: npt.NDArray[np.int32] = field(repr=False)
    _visible_runs: npt.NDArray[np.int32] = field(repr=False)
    _opaque_runs: npt.NDArray[np.int32] = field(repr=False)
    _filled_runs: npt.NDArray[np.int32] = field(repr=False)

    @property
    def z_order(self) -> int:
        return self.index

    @functools.cached_property
    def shape(self) -> ShapeDescriptor:
        """The silhouette's :class:`ShapeDescriptor` (measured on first access, then kept)."""
        return _descriptor(self._painted_runs, self._analysis.pixel_w, self._analysis.pixel_h)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (NaN becomes ``None``)."""
        return {
            "index": self.index,
            "name": self.name,
            "instance": self.instance,
            "label": self.label,
            "annotated": self.annotated,
            "source": self.source,
            "group": self.group,
            "primitives": list(self.primitives),
            "z_order": self.z_order,
            "bbox": [_f(v) for v in self.bbox],
            "painted_area": _f(self.painted_area),
            "visible_area": _f(self.visible_area),
            "visible_fraction": _f(self.visible_fraction),
            "visible_bbox": [_f(v) for v in self.visible_bbox],
            "centroid": [_f(v) for v in self.centroid],
            "color": self.color or None,
            "color_name": self.color_name,
            "shape": self.shape.to_dict(),
            "drawn": self.drawn,
            "is_background": self.is_background,
            "colors": [[h, _f(a)] for h, a in self.colors],
            "max_alpha": _f(self.max_alpha),
            "shape_area": _f(self.shape_area),
        }


@dataclass
class _Spec:
    start: int
    stop: int
    name: str = ""
    instance: int | None = None
    source: str = "element"
    group: int = -1
    label: str = ""


def _partition(scene: Scene, merge_margin: float) -> list[_Spec]:
    """Split the primitives into objects (contiguous runs in paint order)."""
    n = len(scene)
    groups = scene.groups
    prim_group = np.asarray(scene.group, dtype=np.int64)
    # children of each group in paint order: ("g", index) or ("p", index)
    children: list[list[tuple[str, int]]] = [[] for _ in groups]
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    seen = np.zeros(len(groups), dtype=np.bool_)
    seen[0] = True
    for i in range(n):
        g = int(prim_group[i])
        chain = []
        while g >= 0 and not seen[g]:
            chain.append(g)
            g = groups[g].parent
        for c in reversed(chain):
            seen[c] = True
            children[groups[c].parent].append(("g", c))
        children[int(prim_group[i])].append(("p", i))
        g = int(prim_group[i])
        while g >= 0:  # extend the primitive range of every enclosing group
            first.setdefault(g, i)
            last[g] = i
            g = groups[g].parent
    annotation = [_annotation(grp.id, grp.classes, grp.data_object) if grp.index > 0 else None
                  for grp in groups]
    prim_annotation = [_annotation(scene.ids[i], scene.classes[i], "") for i in range(n)]
    has_annotated = [False] * len(groups)
    for grp in reversed(groups):  # children come after their parents
        if grp.parent >= 0 and (annotation[grp.index] is not None or has_annotated[grp.index]):
            has_annotated[grp.parent] = True

    specs: list[_Spec] = []
    diag = math.hypot(scene.canvas.width, scene.canvas.height)
    margin = merge_margin * diag
    has_fill = np.asarray(scene.fill_kind) != PaintKind.NONE
    main_rgba = np.where(has_fill[:, None], scene.fill_rgba, scene.stroke_rgba).tolist()
    sb = np.asarray(scene.stroke_bbox, dtype=np.float64).reshape(-1, 4)

    def group_label(g: int) -> str:
        grp = groups[g]
        return f"{grp.tag}#{grp.id}" if grp.id else grp.tag

    def walk(g: int) -> None:
        run: _Spec | None = None
        run_box = np.zeros(4)
        run_color = ""
        for what, idx in children[g]:
            if what == "g":
                run = None
                ann = annotation[idx]
                if ann is not None:
                    name, inst, source = ann
                    label = name if inst is None else f"{name}#{inst}"
                    specs.append(_Spec(first[idx], last[idx] + 1, name, inst, source, idx, label))
                elif has_annotated[idx]:
                    walk(idx)
                else:
                    specs.append(_Spec(first[idx], last[idx] + 1, source="group", group=idx,
                                       label=group_label(idx)))
                continue
            ann = prim_annotation[idx]
            if ann is not None:
                run = None
                name, inst, source = ann
                label = name if inst is None else f"{name}#{inst}"
                specs.append(_Spec(idx, idx + 1, name, inst, source, -1, label))
                continue
            color = rgb_to_hex(main_rgba[idx])
            box = sb[idx]
            if run is not None and color == run_color and np.isfinite(box).all() and (
                box[0] - margin <= run_box[2] and run_box[0] <= box[2] + margin
                and box[1] - margin <= run_box[3] and run_box[1] <= box[3] + margin
            ):
                run.stop = idx + 1
                run.source = "merged"
                run_box = np.array([min(run_box[0], box[0]), min(run_box[1], box[1]),
                                    max(run_box[2], box[2]), max(run_box[3], box[3])])
                continue
            pid = scene.ids[idx]
            run = _Spec(idx, idx + 1, source="element",
                        label=f"{scene.tags[idx]}#{pid}" if pid else scene.tags[idx])
            specs.append(run)
            run_box = box.copy() if np.isfinite(box).all() else np.full(4, np.nan)
            run_color = color

    walk(0)
    for s in specs:
        if s.source == "merged":
            s.label = f"{scene.tags[s.start]}×{s.stop - s.start}"
    return specs


def objects(
    scene: Scene | str,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    merge_margin: float = 0.03,
) -> list[SceneObject]:
    """Find the objects of a scene and measure what is visible of each.

    Parameters
    ----------
    scene
        A :class:`~svgkit.Scene` or SVG text.
    resolution
        Analysis grid pixels on the long side of the canvas (see :func:`svgkit.stats`).
    merge_margin
        Fallback merge distance as a fraction of the canvas diagonal (default 0.03).

    Returns
    -------
    list[SceneObject]
        Back to front (paint order).

    Examples
    --------
    >>> import svgkit
    >>> objs = svgkit.objects('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    ...     '<g id="table"><rect x="10" y="60" width="80" height="10" fill="saddlebrown"/></g>'
    ...     '<g class="obj vase-2"><rect x="40" y="30" width="20" height="30" fill="#00f"/></g>'
    ...     '</svg>')
    >>> [(o.label, o.color_name, o.shape.guess) for o in objs]
    [('table', 'brown', 'rectangle'), ('vase#2', 'blue', 'rectangle')]
    """
    scene = as_scene(scene)
    resolution = check_resolution(resolution)
    if not (isinstance(merge_margin, (int, float)) and 0.0 <= merge_margin <= 1.0):
        raise ValueError(
            f"Expected `merge_margin` to be a float in [0, 1], but got {merge_margin!r}")
    a = analyse(scene, resolution)
    specs = _partition(scene, float(merge_margin))
    n_obj = len(specs)
    prim_obj = np.full(len(scene), -1, dtype=np.int64)
    for k, s in enumerate(specs):
        prim_obj[s.start : s.stop] = k
    layer_obj = prim_obj[a.layer_prim] if a.layer_prim.size else np.zeros(0, dtype=np.int64)
    (p_runs, p_off, v_runs, v_off, o_runs, o_off, layer_obj_top, sums) = K.object_pass(
        a.spans, a.span_layer_offsets, a.vis_runs, a.vis_layer_offsets, layer_obj,
        a.layer_opaque, n_obj, a.grid_width,
    )
    pw, ph = a.pixel_w, a.pixel_h
    canvas_area = scene.canvas.width * scene.canvas.height
    backdrop_px = BACKDROP_SHARE * a.grid_width * a.grid_height
    layer_kind = np.asarray(scene.kind)[a.layer_prim] if a.layer_prim.size else np.zeros(0)
    layer_is_shape = (~np.isin(layer_kind, [int(k) for k in _NOT_SHAPES])).tolist()
    sb = np.asarray(scene.stroke_bbox, dtype=np.float64).reshape(-1, 4)
    # per-layer values as Python lists, and each object's layers, gathered once: reading numpy
    # scalars one by one in the loop below costs more than the rest of it
    top_px = layer_obj_top.tolist()
    layer_painted = a.layer_painted.tolist()
    layer_alpha = a.layer_alpha.tolist()
    no_colour = np.isnan(a.layer_rgb[:, 0]).tolist() if len(a.layer_rgb) else []
    layer_rgb = a.layer_rgb.tolist()
    obj_layers: list[list[int]] = [[] for _ in specs]
    for L, k in enumerate(layer_obj.tolist()):
        if k >= 0:
            obj_layers[k].append(L)
    # per-object pixel counts and visible extents for all objects at once (integer run
    # columns: exact whichever way they are reduced)
    p_offsets = np.asarray(p_off, dtype=np.int64)
    v_offsets = np.asarray(v_off, dtype=np.int64)
    painted_cum = np.zeros(p_offsets[-1] + 1, dtype=np.int64)
    np.cumsum(p_runs[: p_offsets[-1], 2] - p_runs[: p_offsets[-1], 1], out=painted_cum[1:])
    painted_counts = (painted_cum[p_offsets[1:]] - painted_cum[p_offsets[:-1]]).tolist()
    shown = v_offsets[1:] > v_offsets[:-1]
    extents: dict[int, tuple[float, float, float, float]] = {}
    if shown.any():
        used = v_runs[: v_offsets[-1]]
        starts = v_offsets[:-1][shown]
        extents = dict(zip(np.nonzero(shown)[0].tolist(), zip(
            (np.minimum.reduceat(used[:, 1], starts) * pw).tolist(),
            (np.minimum.reduceat(used[:, 0], starts) * ph).tolist(),
            (np.maximum.reduceat(used[:, 2], starts) * pw).tolist(),
            ((np.maximum.reduceat(used[:, 0], starts) + 1) * ph).tolist(),
        )))
    obj_sums = sums.tolist()
    sb_rows = sb.tolist()
    sb_finite = cast("list[bool]", np.isfinite(sb).all(axis=1).tolist())
    pending: list[dict[str, Any]] = []
    for k, s in enumerate(specs):
        painted = p_runs[p_off[k] : p_off[k + 1]]
        visible = v_runs[v_off[k] : v_off[k + 1]]
        painted_px = painted_counts[k]
        visible_px = int(obj_sums[k][0])
        vb = extents.get(k, (math.nan,) * 4)
        centroid = ((obj_sums[k][1] / visible_px * pw, obj_sums[k][2] / visible_px * ph)
                    if visible_px else (math.nan, math.nan))
        if s.stop - s.start == 1:  # one primitive: its own box (the usual case)
            bbox = tuple(sb_rows[s.start]) if sb_finite[s.start] else (math.nan,) * 4
        else:
            boxes = sb[s.start : s.stop]
            finite = np.isfinite(boxes).all(axis=1)
            bbox = (
                (float(boxes[finite, 0].min()), float(boxes[finite, 1].min()),
                 float(boxes[finite, 2].max()), float(boxes[finite, 3].max()))
                if finite.any() else (math.nan,) * 4
            )
        # visible colours: area per hex over the object's layers, backdrops aside
        seen = [L for L in obj_layers[k] if top_px[L] > 0]
        figure = [L for L in seen if layer_painted[L] < backdrop_px]
        tally: dict[str, int] = {}
        for L in figure or seen:
            if no_colour[L]:
                continue
            h = rgb_to_hex(layer_rgb[L])
            tally[h] = tally.get(h, 0) + top_px[L]
        # largest area first; ties by hex so the order is stable
        ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
        color = ranked[0][0] if ranked else ""
        max_alpha = max((layer_alpha[L] for L in seen), default=0.0)
        shape_px = sum(top_px[L] for L in seen if layer_is_shape[L])
        filled = _row_fill(painted)
        painted_area = painted_px * pw * ph
        pending.append(dict(
            index=k,
            name=s.name,
            instance=s.instance,
            label=s.label,
            annotated=s.source in ("data-object", "id", "class"),
            source=s.source,
            group=s.group,
            primitives=tuple(range(s.start, s.stop)),
            bbox=bbox,
            painted_area=painted_area,
            visible_area=visible_px * pw * ph,
            visible_fraction=visible_px / painted_px if painted_px else math.nan,
            visible_bbox=vb,
            centroid=centroid,
            color=color,
            drawn=visible_px > 0,
            is_background=k == 0 and painted_area >= 0.9 * canvas_area,
            colors=tuple((h, c * pw * ph) for h, c in ranked),
            max_alpha=max_alpha,
            shape_area=shape_px * pw * ph,
            _analysis=a,
            _painted_runs=painted,
            _visible_runs=visible,
            _opaque_runs=o_runs[o_off[k] : o_off[k + 1]],
            _filled_runs=filled,
        ))
    # colour names in one call, then each object built once (no dataclasses.replace)
    named = iter(color_names([p["color"] for p in pending if p["color"]]))
    return [SceneObject(**p, color_name=next(named) if p["color"] else None) for p in pending]


def _row_fill(runs: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """Each row of a run set filled from its first to its last pixel (runs are row-sorted)."""
    if not runs.size:
        return runs
    rows = runs[:, 0]
    starts = np.concatenate([[0], np.nonzero(np.diff(rows))[0] + 1])
    lo = np.minimum.reduceat(runs[:, 1], starts)
    hi = np.maximum.reduceat(runs[:, 2], starts)
    return np.ascontiguousarray(np.column_stack([rows[starts], lo, hi]).astype(np.int32))


def _check_same_scene(objs: Sequence[SceneObject]) -> None:
    if objs and any(o._analysis is not objs[0]._analysis for o in objs):
        raise ValueError("Expected objects from one call of `objects`, but got objects of "
                         "different scenes or resolutions")
