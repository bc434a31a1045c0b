"""The state one render carries through the draw loop and its helpers: the Scene's columns as
Python lists, the command points mapped to output pixels, per-render caches and warnings, and the
callback that draws nested Scenes (mask and pattern content), so that the modules drawing effects
and text share this state without importing the draw loop itself.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import cairo
import numpy as np

from ..affine import Affine
from ..limits import Deadline
from ..scene import Scene

__all__ = [
    "MASK_CACHE_BYTES",
    "ClipMask",
    "Columns",
    "MaskCache",
    "RenderState",
    "append_path",
    "cairo_matrix",
    "prepare_points",
]

#: Bytes of clip masks one render keeps for reuse (the most recently used mask is always kept,
#: whatever its size); see :class:`MaskCache`.
MASK_CACHE_BYTES = 64 << 20


def cairo_matrix(m: Affine) -> cairo.Matrix:
    return cairo.Matrix(m[0], m[1], m[2], m[3], m[4], m[5])


class Columns:
    """The per-primitive Scene arrays the draw loop reads, as Python lists (indexing a list is
    several times cheaper than reading a NumPy scalar, and the loop reads each one per
    primitive)."""

    __slots__ = (
        "fill_kind", "fill_rgba", "fill_paint", "fill_rule", "stroke_kind", "stroke_rgba",
        "stroke_paint", "stroke_width", "line_cap", "line_join", "miter_limit", "dash_offsets",
        "dash_values", "dash_offset", "opacity", "clip", "stroke_first", "transform",
    )  # fmt: skip

    def __init__(self, s: Scene) -> None:
        self.fill_kind: list[int] = s.fill_kind.tolist()
        self.fill_rgba: list[list[float]] = s.fill_rgba.tolist()
        self.fill_paint: list[int] = s.fill_paint.tolist()
        self.fill_rule: list[int] = s.fill_rule.tolist()
        self.stroke_kind: list[int] = s.stroke_kind.tolist()
        self.stroke_rgba: list[list[float]] = s.stroke_rgba.tolist()
        self.stroke_paint: list[int] = s.stroke_paint.tolist()
        self.stroke_width: list[float] = s.stroke_width.tolist()
        self.line_cap: list[int] = s.line_cap.tolist()
        self.line_join: list[int] = s.line_join.tolist()
        self.miter_limit: list[float] = s.miter_limit.tolist()
        self.dash_offsets: list[int] = s.dash_offsets.tolist()
        self.dash_values: list[float] = s.dash_values.tolist()
        self.dash_offset: list[float] = s.dash_offset.tolist()
        self.opacity: list[float] = s.opacity.tolist()
        self.clip: list[int] = s.clip.tolist()
        self.stroke_first: list[bool] = s.paint_order_stroke_first.tolist()
        self.transform: list[tuple[float, float, float, float, float, float]] = list(
            map(tuple, s.transform.tolist())
        )


class ClipMask(NamedTuple):
    """An A8 clip mask and where its top-left pixel lies in output pixels."""

    surface: Any  # cairo.ImageSurface, FORMAT_A8, no device offset
    x: int
    y: int


class MaskCache:
    """Clip masks of one render, least recently used out first once they hold more than
    ``limit`` bytes. A mask dropped here is rebuilt, identically, if it is needed again, so the
    limit bounds memory without changing any pixel.

    Examples
    --------
    >>> cache = MaskCache(limit=0)
    >>> cache.put("a", None)
    >>> cache.get("a"), cache.get("b")
    ((True, None), (False, None))
    """

    __slots__ = ("_items", "_bytes", "limit")

    def __init__(self, limit: int = MASK_CACHE_BYTES) -> None:
        self._items: OrderedDict[Hashable, tuple[ClipMask | None, int]] = OrderedDict()
        self._bytes = 0
        self.limit = limit

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        """Bytes of mask pixels held."""
        return self._bytes

    def get(self, key: Hashable) -> tuple[bool, ClipMask | None]:
        """``(True, mask)`` when ``key`` is cached (``mask`` may be ``None``: an empty clip)."""
        item = self._items.get(key)
        if item is None:
            return False, None
        self._items.move_to_end(key)
        return True, item[0]

    def put(self, key: Hashable, mask: ClipMask | None) -> None:
        size = 0
        if mask is not None:
            size = mask.surface.get_stride() * mask.surface.get_height()
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._items[key] = (mask, size)
        self._bytes += size
        while self._bytes > self.limit and len(self._items) > 1:
            _, (_, dropped) = self._items.popitem(last=False)
            self._bytes -= dropped

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0


@dataclass
class RenderState:
    """Per-render caches and the warnings the renderer itself produced."""

    scene: Scene
    ctx: Any  # cairo.Context
    width: int
    height: int
    t_out: Affine
    codes: list[int]
    points: list[float]
    cmd_offsets: list[int]
    pt_offsets: list[int]
    max_image_pixels: int
    # draws a nested Scene (mask or pattern content) onto its own state: the draw loop itself,
    # passed in by whoever starts a render so that effects never import the loop that calls them
    draw_nested: Callable[[RenderState], None]
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    clip_cache: dict[int, tuple[list[list[int]], list[list[float]], list[int]]] = field(
        default_factory=dict
    )
    # clip masks by (clip_key, alpha), see layers.clip_mask; geometry digests and pixel boxes
    # of clips by (clip index, nesting depth)
    mask_cache: MaskCache = field(default_factory=MaskCache)
    clip_keys: dict[tuple[int, int], bytes] = field(default_factory=dict)
    clip_boxes: dict[tuple[int, int], tuple[int, int, int, int]] = field(default_factory=dict)
    bounds: Any = None  # (n, 4) paint bounds in output px, computed when layers need them
    cols: Any = None  # Columns, built by draw_scene
    pattern_cache: dict[Any, Any] = field(default_factory=dict)  # see effects.set_pattern_source
    effect_budget: list[int] | None = None  # see effects._budget
    deadline: Deadline | None = None  # the wall-clock guard (RENDER_TIMEOUT), shared with nested

    def warn(self, code: str, message: str, element: str = "") -> None:
        item = (code, message, element)
        if item not in self.warnings:
            self.warnings.append(item)


def append_path(ctx: Any, codes: list[int], pts: list[float], c0: int, c1: int, p0: int) -> None:
    """Replay commands ``c0:c1`` (points from ``p0``) onto ``ctx``.

    The codes are :class:`svgkit.paths.Command` values compared as int literals: this is the
    renderer's hottest loop, and :func:`svgkit.paths.iter_segments` (which builds a tuple per
    command) costs several times more per command here."""
    move_to, line_to, curve_to, close_path = ctx.move_to, ctx.line_to, ctx.curve_to, ctx.close_path
    p = 2 * p0
    for k in range(c0, c1):
        c = codes[k]
        if c == 1:
            line_to(pts[p], pts[p + 1])
            p += 2
        elif c == 2:
            curve_to(pts[p], pts[p + 1], pts[p + 2], pts[p + 3], pts[p + 4], pts[p + 5])
            p += 6
        elif c == 0:
            move_to(pts[p], pts[p + 1])
            p += 2
        else:
            close_path()


def prepare_points(
    scene: Scene, t_out: Affine
) -> tuple[list[int], list[float], list[int], list[int]]:
    """Command codes, points mapped to output pixels (flat), and offsets, as Python lists."""
    pts = scene.cmd_points
    mapped = np.empty_like(pts)
    if pts.size:
        mapped[:, 0] = pts[:, 0] * t_out[0] + t_out[4]
        mapped[:, 1] = pts[:, 1] * t_out[3] + t_out[5]
    return (
        scene.cmd_codes.tolist(),
        mapped.ravel().tolist(),
        scene.cmd_offsets.tolist(),
        scene.pt_offsets.tolist(),
    )
