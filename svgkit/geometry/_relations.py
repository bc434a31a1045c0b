"""Spatial and depth relations between objects, decided on visible geometry.

Every predicate reads "``a`` <predicate> ``b``". Positions use each object's *visible* pixels
(their extents and visible-mass centroid); overlap and containment use *painted* pixels (the
object's own paint, occlusion ignored); depth uses paint order and opaque paint. Margins are the
module constants below; ``docs/geometry.md`` states every definition.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..scene import Scene
from . import kernels as K
from ._objects import SceneObject, _check_same_scene, objects

__all__ = [
    "CONTACT_MARGIN",
    "HIDDEN_SHARE",
    "INSIDE_SHARE",
    "OVERLAP_SHARE",
    "PREDICATES",
    "SEPARATION_SHARE",
    "SUPPORT_SHARE",
    "Relation",
    "relation",
    "relations",
]

#: All predicates, in the order they are listed.
PREDICATES = (
    "left_of",
    "right_of",
    "above",
    "below",
    "on_top_of",
    "overlaps",
    "inside",
    "contains",
    "in_front_of",
    "behind",
    "hidden_by",
)

#: left_of/right_of/above/below allow the visible extents on that axis to overlap by at most this
#: share of the smaller extent.
SEPARATION_SHARE = 0.25
#: overlaps needs a shared painted area of at least this share of the smaller painted area (and at
#: least one analysis pixel).
OVERLAP_SHARE = 0.01
#: inside needs this share of a's painted area within b's row-filled silhouette.
INSIDE_SHARE = 0.9
#: hidden_by needs this share of a's painted area under b's later opaque paint.
HIDDEN_SHARE = 0.5
#: on_top_of needs the horizontal extents to overlap by this share of the narrower one.
SUPPORT_SHARE = 0.5
#: on_top_of lets a's bottom float this share of a's height above b's top (plus one pixel).
CONTACT_MARGIN = 0.1


@dataclass(frozen=True)
class Relation:
    """How object ``a`` relates to object ``b``.

    Attributes
    ----------
    a, b : int
        Object indices (:attr:`SceneObject.index`).
    a_label, b_label : str
    predicates : tuple[str, ...]
        The predicates that hold, in :data:`PREDICATES` order.
    metrics : dict[str, float]
        The measurements they were decided on: ``dx``/``dy`` (b's centroid minus a's, device px),
        ``x_overlap``/``y_overlap`` (shared visible extent / smaller extent), ``overlap``
        (shared painted area / smaller painted area), ``a_in_b``/``b_in_a`` (share of one's
        painted area inside the other's row-filled silhouette), ``a_hidden_by_b``/
        ``b_hidden_by_a`` (share of one's painted area under the other's later opaque paint).
    """

    a: int
    b: int
    a_label: str
    b_label: str
    predicates: tuple[str, ...]
    metrics: dict[str, float] = field(default_factory=dict)

    def __contains__(self, predicate: object) -> bool:
        return predicate in self.predicates

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "a_label": self.a_label,
            "b_label": self.b_label,
            "predicates": list(self.predicates),
            "metrics": {k: (v if math.isfinite(v) else None) for k, v in self.metrics.items()},
        }


def _extent_overlap(lo_a: float, hi_a: float, lo_b: float, hi_b: float) -> float:
    """Shared length of two intervals over the shorter one's length (NaN if either is empty)."""
    shorter = min(hi_a - lo_a, hi_b - lo_b)
    if not shorter > 0:
        return math.nan
    return max(0.0, min(hi_a, hi_b) - max(lo_a, lo_b)) / shorter


def _count(runs: Any) -> int:
    return int((runs[:, 2] - runs[:, 1]).sum()) if runs.size else 0


def relation(a: SceneObject, b: SceneObject) -> Relation:
    """Decide every predicate of :data:`PREDICATES` for ``a`` relative to ``b``.

    Parameters
    ----------
    a, b
        Objects from the same call of :func:`svgkit.objects`.

    Returns
    -------
    Relation

    Examples
    --------
    >>> import svgkit
    >>> cup, table = svgkit.objects(
    ...     '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    ...     '<g id="cup"><rect x="40" y="40" width="20" height="20" fill="red"/></g>'
    ...     '<g id="table"><rect x="10" y="60" width="80" height="10" fill="brown"/></g></svg>')
    >>> relation(cup, table).predicates
    ('above', 'on_top_of')
    """
    if not isinstance(a, SceneObject) or not isinstance(b, SceneObject):
        raise TypeError("Expected `a` and `b` to be SceneObject instances, but got "
                        f"{type(a).__name__} and {type(b).__name__}")
    _check_same_scene([a, b])
    pa, pb = _count(a._painted_runs), _count(b._painted_runs)
    return _decide(a, b, pa, pb, _pixel_counts(a, b, pa, pb))


def _pixel_counts(a: SceneObject, b: SceneObject, pa: int, pb: int
                  ) -> tuple[int, int, int, int, int]:
    """Pixels of ``a``'s paint on ``b``'s, in ``b``'s row-filled silhouette and under ``b``'s
    later opaque paint, and the same of ``b`` on ``a`` (the first is shared): as
    ``(shared, a_in_b, b_in_a, a_hidden, b_hidden)``; each is symmetric, so :func:`relations`
    measures a pair once for both orders."""
    shared = K.runs_intersection(a._painted_runs, b._painted_runs) if pa and pb else 0
    a_in_b = K.runs_intersection(a._painted_runs, b._filled_runs) if pa else 0
    b_in_a = K.runs_intersection(b._painted_runs, a._filled_runs) if pb else 0
    a_hidden = (K.runs_intersection(a._painted_runs, b._opaque_runs)
                if pa and b.index > a.index else 0)
    b_hidden = (K.runs_intersection(b._painted_runs, a._opaque_runs)
                if pb and a.index > b.index else 0)
    return shared, a_in_b, b_in_a, a_hidden, b_hidden


def _decide(a: SceneObject, b: SceneObject, pa: int, pb: int,
            counts: tuple[int, int, int, int, int]) -> Relation:
    """The :class:`Relation` of ``a`` to ``b`` from their painted pixel counts and
    :func:`_pixel_counts`."""
    shared, a_in_b_px, b_in_a_px, a_hidden_px, b_hidden_px = counts
    an = a._analysis
    px_w, px_h = an.pixel_w, an.pixel_h
    overlap = shared / min(pa, pb) if pa and pb else math.nan
    a_in_b = a_in_b_px / pa if pa else math.nan
    b_in_a = b_in_a_px / pb if pb else math.nan
    a_hidden = a_hidden_px / pa if pa and b.index > a.index else 0.0 if pa else math.nan
    b_hidden = b_hidden_px / pb if pb and a.index > b.index else 0.0 if pb else math.nan
    ax0, ay0, ax1, ay1 = a.visible_bbox
    bx0, by0, bx1, by1 = b.visible_bbox
    x_overlap = _extent_overlap(ax0, ax1, bx0, bx1)
    y_overlap = _extent_overlap(ay0, ay1, by0, by1)
    dx = b.centroid[0] - a.centroid[0]
    dy = b.centroid[1] - a.centroid[1]

    holds: set[str] = set()
    if a.drawn and b.drawn:
        if x_overlap <= SEPARATION_SHARE:
            holds.add("left_of" if dx > 0 else "right_of" if dx < 0 else "")
        if y_overlap <= SEPARATION_SHARE:
            holds.add("above" if dy > 0 else "below" if dy < 0 else "")
        a_height = ay1 - ay0
        contact = CONTACT_MARGIN * a_height + px_h
        if (
            dy > 0
            and ay0 < by0
            and ax1 - ax0 < bx1 - bx0
            and x_overlap >= SUPPORT_SHARE
            and by0 - contact <= ay1 <= by0 + 0.5 * (by1 - by0)
            and not a_hidden >= HIDDEN_SHARE
        ):
            holds.add("on_top_of")
    if pa and pb and shared >= max(1, OVERLAP_SHARE * min(pa, pb)):
        holds.add("overlaps")
        holds.add("in_front_of" if a.index > b.index else "behind")
    if pa and pb and a_in_b >= INSIDE_SHARE and pa < pb:
        holds.add("inside")
    if pa and pb and b_in_a >= INSIDE_SHARE and pb < pa:
        holds.add("contains")
    if pa and a_hidden >= HIDDEN_SHARE:
        holds.add("hidden_by")
    holds.discard("")
    metrics = {
        "dx": float(dx),
        "dy": float(dy),
        "x_overlap": float(x_overlap),
        "y_overlap": float(y_overlap),
        "overlap": float(overlap),
        "overlap_area": float(shared * px_w * px_h),
        "a_in_b": float(a_in_b),
        "b_in_a": float(b_in_a),
        "a_hidden_by_b": float(a_hidden),
        "b_hidden_by_a": float(b_hidden),
    }
    return Relation(
        a=a.index,
        b=b.index,
        a_label=a.label,
        b_label=b.label,
        predicates=tuple(p for p in PREDICATES if p in holds),
        metrics=metrics,
    )


def relations(
    objs: Sequence[SceneObject] | Scene | str, *, include_empty: bool = False
) -> list[Relation]:
    """Relations of every ordered pair of distinct objects.

    Parameters
    ----------
    objs
        Objects from one call of :func:`svgkit.objects`, or a Scene / SVG text (objects are then
        found with default settings).
    include_empty
        Also return pairs for which no predicate holds.

    Returns
    -------
    list[Relation]
        Ordered by ``(a, b)``.

    Examples
    --------
    >>> import svgkit
    >>> rels = relations('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
    ...                  '<circle id="sun" cx="20" cy="20" r="10" fill="gold"/>'
    ...                  '<rect id="house" x="60" y="10" width="30" height="30" fill="red"/></svg>')
    >>> [(r.a_label, r.predicates, r.b_label) for r in rels]
    [('sun', ('left_of',), 'house'), ('house', ('right_of',), 'sun')]
    """
    if isinstance(objs, (Scene, str, bytes)):
        objs = objects(objs)
    items = list(objs)
    for o in items:
        if not isinstance(o, SceneObject):
            raise TypeError("Expected `objs` to hold SceneObject instances, but got "
                            f"{type(o).__name__}")
    _check_same_scene(items)
    painted = [_count(o._painted_runs) for o in items]
    # each unordered pair is measured once (the counts are symmetric), both orders decided
    measured: dict[tuple[int, int], tuple[int, int, int, int, int]] = {}
    out = []
    for i, a in enumerate(items):
        for j, b in enumerate(items):
            if a is b:
                continue
            if i < j:
                counts = _pixel_counts(a, b, painted[i], painted[j])
                measured[i, j] = counts
            else:
                shared, b_in_a, a_in_b, b_hidden, a_hidden = measured[j, i]
                counts = (shared, a_in_b, b_in_a, a_hidden, b_hidden)
            r = _decide(a, b, painted[i], painted[j], counts)
            if r.predicates or include_empty:
                out.append(r)
    return out
