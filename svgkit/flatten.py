"""Flatten the Scene's command stream into polylines (:attr:`svgkit.Scene.flat`).

Every cubic Bézier is replaced by ``n`` chords of equal parameter step, with ``n`` from Wang's
formula for a degree-3 curve::

    n = ceil( sqrt( 3 * 2 / 8 * M / tol ) ),   M = max_k |P[k] - 2 P[k+1] + P[k+2]|

which bounds the distance between the curve and its chords by ``tol`` (Wang 1984; the bound is
not tight, so chords are usually several times closer than ``tol``). ``n`` is capped at
:data:`MAX_CHORDS_PER_CUBIC`; only a curve larger than about 10⁵ px at the default tolerance
reaches the cap, and it is then flattened more coarsely than ``tol``.

Subpath rules (SVG path semantics):

* ``MOVE`` starts a subpath; ``CLOSE`` closes the current one, and drawing that follows a ``CLOSE``
  without a ``MOVE`` starts a new subpath at the closed subpath's start point.
* The closing point is not repeated: a closed subpath's last edge runs from its last point back
  to its first.
* A subpath with a single point is dropped unless it was closed (``M x y Z`` can still draw a
  round or square cap).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from numba import njit

from .errors import ErrorCode, SVGKitError
from .limits import Limits, limit_error
from .paths import Command, FlatGeometry

__all__ = [
    "MAX_CHORDS_PER_CUBIC",
    "CommandStream",
    "flatten_commands",
    "flatten_scene",
    "wang_chords",
]


class CommandStream(Protocol):
    """What flattening reads of a :class:`svgkit.Scene` (typed here so this leaf needs no Scene)."""

    @property
    def cmd_codes(self) -> npt.NDArray[np.uint8]: ...
    @property
    def cmd_points(self) -> npt.NDArray[np.float64]: ...
    @property
    def cmd_offsets(self) -> npt.NDArray[np.int64]: ...
    @property
    def pt_offsets(self) -> npt.NDArray[np.int64]: ...
    @property
    def flatten_tolerance(self) -> float: ...


#: Upper bound on the chords one cubic is split into.
MAX_CHORDS_PER_CUBIC = 4096

# numba reads module globals as compile-time constants
_MOVE, _LINE = int(Command.MOVE), int(Command.LINE)
_CUBIC, _CLOSE = int(Command.CUBIC), int(Command.CLOSE)
_INT64_MAX = 2**63 - 1
# read once: building a Limits per call costs more than the flattening of a small scene
_DEFAULT_MAX_POINTS = Limits().max_points
# the flags svgkit.geometry's kernels are compiled with (numba compiles its own overloads, such
# as np.empty, once per set of flags)
_KERNEL_FLAGS: dict[str, Any] = {"no_cfunc_wrapper": True}


@njit(cache=True, inline="always")
def _wang(
    x0: float, y0: float, x1: float, y1: float, x2: float, y2: float, x3: float, y3: float,
    tol: float,
) -> int:
    ax = x0 - 2.0 * x1 + x2
    ay = y0 - 2.0 * y1 + y2
    bx = x1 - 2.0 * x2 + x3
    by = y1 - 2.0 * y2 + y3
    m = max(math.sqrt(ax * ax + ay * ay), math.sqrt(bx * bx + by * by))
    if not math.isfinite(m) or m <= 0.0:
        return 1
    n = math.ceil(math.sqrt(0.75 * m / tol))
    if n < 1:
        return 1
    if n > MAX_CHORDS_PER_CUBIC:
        return MAX_CHORDS_PER_CUBIC
    return int(n)


@njit(cache=True, inline="always")
def _count_points(
    codes: npt.NDArray[np.uint8],
    pts: npt.NDArray[np.float64],
    cmd_offsets: npt.NDArray[np.int64],
    pt_offsets: npt.NDArray[np.int64],
    tol: float,
) -> tuple[int, int]:
    """Upper bounds on output points and subpaths (exact counts are known after filling)."""
    n_points = 0
    n_subpaths = 0
    n_prims = cmd_offsets.shape[0] - 1
    for i in range(n_prims):
        p = pt_offsets[i]
        cx = 0.0
        cy = 0.0
        n_subpaths += 1
        n_points += 1
        for c in range(cmd_offsets[i], cmd_offsets[i + 1]):
            code = codes[c]
            if code == _MOVE:
                n_subpaths += 1
                n_points += 1
                cx = pts[p, 0]
                cy = pts[p, 1]
                p += 1
            elif code == _LINE:
                n_points += 1
                cx = pts[p, 0]
                cy = pts[p, 1]
                p += 1
            elif code == _CUBIC:
                n_points += _wang(
                    cx, cy, pts[p, 0], pts[p, 1], pts[p + 1, 0], pts[p + 1, 1],
                    pts[p + 2, 0], pts[p + 2, 1], tol,
                )
                cx = pts[p + 2, 0]
                cy = pts[p + 2, 1]
                p += 3
            else:
                # drawing after a CLOSE restarts at the subpath start: one more point
                n_subpaths += 1
                n_points += 1
    return n_points, n_subpaths


@njit(cache=True, **_KERNEL_FLAGS)  # type: ignore[untyped-decorator]
def _flatten_kernel(
    codes: npt.NDArray[np.uint8],
    pts: npt.NDArray[np.float64],
    cmd_offsets: npt.NDArray[np.int64],
    pt_offsets: npt.NDArray[np.int64],
    tol: float,
    bound: int,
) -> tuple[
    int, npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.bool_],
    npt.NDArray[np.int64],
]:
    """Count, then (within ``bound`` points) flatten: ``(point bound, points, subpath offsets,
    closed flags, primitive subpath offsets)``; the arrays are empty when the count exceeds
    ``bound``."""
    max_points, max_subpaths = _count_points(codes, pts, cmd_offsets, pt_offsets, tol)
    # np.empty and loops, not np.zeros: numba compiles a fill per dtype, time a cold start pays
    if max_points > bound:
        no_sub = np.empty(1, dtype=np.int64)
        no_sub[0] = 0
        no_prim = np.empty(1, dtype=np.int64)
        no_prim[0] = 0
        return (max_points, np.empty((0, 2)), no_sub, np.empty(0, dtype=np.bool_), no_prim)
    n_prims = cmd_offsets.shape[0] - 1
    out = np.empty((max_points, 2))
    sub_off = np.empty(max_subpaths + 1, dtype=np.int64)
    closed = np.empty(max_subpaths, dtype=np.bool_)
    for k in range(max_subpaths):
        closed[k] = False
    prim_off = np.empty(n_prims + 1, dtype=np.int64)
    n_out = 0  # points written
    n_sub = 0  # subpaths kept
    sub_off[0] = 0
    for i in range(n_prims):
        prim_off[i] = n_sub
        p = pt_offsets[i]
        have_current = False  # a current point exists
        open_sub = False  # a subpath is being written
        start = 0  # index in `out` of the open subpath's first point
        cx = 0.0
        cy = 0.0
        sx = 0.0
        sy = 0.0
        for c in range(cmd_offsets[i], cmd_offsets[i + 1]):
            code = codes[c]
            if code == _MOVE:
                if open_sub:
                    if n_out - start >= 2:
                        n_sub += 1
                        sub_off[n_sub] = n_out
                    else:
                        n_out = start
                cx = pts[p, 0]
                cy = pts[p, 1]
                p += 1
                sx = cx
                sy = cy
                start = n_out
                out[n_out, 0] = cx
                out[n_out, 1] = cy
                n_out += 1
                open_sub = True
                have_current = True
            elif code == _CLOSE:
                if open_sub:
                    closed[n_sub] = True
                    n_sub += 1
                    sub_off[n_sub] = n_out
                    open_sub = False
                    cx = sx
                    cy = sy
            else:
                if not open_sub:
                    # drawing after a CLOSE (or without any MOVE) starts at the current point
                    if not have_current:
                        cx = pts[p, 0]
                        cy = pts[p, 1]
                        have_current = True
                    sx = cx
                    sy = cy
                    start = n_out
                    out[n_out, 0] = cx
                    out[n_out, 1] = cy
                    n_out += 1
                    open_sub = True
                if code == _LINE:
                    cx = pts[p, 0]
                    cy = pts[p, 1]
                    p += 1
                    out[n_out, 0] = cx
                    out[n_out, 1] = cy
                    n_out += 1
                else:
                    x1 = pts[p, 0]
                    y1 = pts[p, 1]
                    x2 = pts[p + 1, 0]
                    y2 = pts[p + 1, 1]
                    x3 = pts[p + 2, 0]
                    y3 = pts[p + 2, 1]
                    p += 3
                    n = _wang(cx, cy, x1, y1, x2, y2, x3, y3, tol)
                    for k in range(1, n):
                        t = k / n
                        u = 1.0 - t
                        b0 = u * u * u
                        b1 = 3.0 * u * u * t
                        b2 = 3.0 * u * t * t
                        b3 = t * t * t
                        out[n_out, 0] = b0 * cx + b1 * x1 + b2 * x2 + b3 * x3
                        out[n_out, 1] = b0 * cy + b1 * y1 + b2 * y2 + b3 * y3
                        n_out += 1
                    out[n_out, 0] = x3  # exact end point, no rounding drift
                    out[n_out, 1] = y3
                    n_out += 1
                    cx = x3
                    cy = y3
        if open_sub:
            if n_out - start >= 2:
                n_sub += 1
                sub_off[n_sub] = n_out
            else:
                n_out = start
    prim_off[n_prims] = n_sub
    return (max_points, out[:n_out].copy(), sub_off[: n_sub + 1].copy(), closed[:n_sub].copy(),
            prim_off)


def wang_chords(points: npt.ArrayLike, tolerance: float) -> int:
    """Number of chords Wang's formula gives for one cubic Bézier.

    Parameters
    ----------
    points
        The four control points, shape ``(4, 2)``.
    tolerance
        Maximum allowed distance between the curve and its chords, > 0.

    Returns
    -------
    int
        Chord count in ``[1, MAX_CHORDS_PER_CUBIC]``.

    Examples
    --------
    >>> wang_chords([[0, 0], [0, 55.23], [44.77, 100], [100, 100]], 0.1)
    19
    """
    p = np.asarray(points, dtype=np.float64).reshape(4, 2)
    if not (isinstance(tolerance, (int, float)) and tolerance > 0):
        raise ValueError(f"Expected `tolerance` to be a positive float, but got {tolerance!r}")
    return int(_wang(p[0, 0], p[0, 1], p[1, 0], p[1, 1], p[2, 0], p[2, 1], p[3, 0], p[3, 1],
                     float(tolerance)))


def flatten_commands(
    codes: npt.ArrayLike,
    points: npt.ArrayLike,
    tolerance: float = 0.1,
    *,
    max_points: int | None = None,
) -> FlatGeometry:
    """Flatten one command stream (``MOVE``/``LINE``/``CUBIC``/``CLOSE``) into polylines.

    The result is a :class:`~svgkit.scene.FlatGeometry` holding a single "primitive".

    Parameters
    ----------
    codes
        Command codes (uint8-compatible).
    points
        Points consumed by the commands, shape ``(n, 2)``.
    tolerance
        Maximum curve-to-chord distance in the points' units; non-positive or non-finite values
        fall back to 0.1.
    max_points
        Bound on the number of output points (default :attr:`Limits.max_points`); exceeding it
        raises ``SVGKitError`` with code ``LIMIT``.

    Examples
    --------
    >>> flat = flatten_commands([0, 1, 1, 3], [[0, 0], [10, 0], [10, 10]])
    >>> flat.points.tolist(), flat.subpath_closed.tolist()
    ([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]], [True])
    """
    c = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1)
    p = np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 2)
    return _flatten(c, p, np.array([0, c.shape[0]], dtype=np.int64),
                    np.array([0, p.shape[0]], dtype=np.int64), tolerance, max_points)


def flatten_scene(scene: CommandStream, *, max_points: int | None = None) -> FlatGeometry:
    """Flatten every primitive of ``scene`` within ``scene.flatten_tolerance`` device px.

    Called by :attr:`svgkit.Scene.flat` (which caches the result); text and image primitives
    own no subpaths.

    Parameters
    ----------
    scene
        A parsed :class:`~svgkit.Scene`.
    max_points
        Bound on the total number of flattened points (default :attr:`Limits.max_points`);
        exceeding it raises ``SVGKitError`` with code ``LIMIT`` and ``.limit == "max_points"``.

    Returns
    -------
    FlatGeometry

    Examples
    --------
    >>> import svgkit
    >>> scene = svgkit.parse(
    ...     '<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="2"/></svg>')
    >>> flat = flatten_scene(scene)
    >>> flat.points.tolist(), flat.prim_subpath_offsets.tolist()
    ([[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]], [0, 1])
    """
    return _flatten(
        np.ascontiguousarray(scene.cmd_codes, dtype=np.uint8),
        np.ascontiguousarray(scene.cmd_points, dtype=np.float64).reshape(-1, 2),
        np.ascontiguousarray(scene.cmd_offsets, dtype=np.int64),
        np.ascontiguousarray(scene.pt_offsets, dtype=np.int64),
        scene.flatten_tolerance,
        max_points,
    )


def _flatten(
    codes: npt.NDArray[np.uint8],
    pts: npt.NDArray[np.float64],
    cmd_offsets: npt.NDArray[np.int64],
    pt_offsets: npt.NDArray[np.int64],
    tolerance: float,
    max_points: int | None,
) -> FlatGeometry:
    tol = float(tolerance) if math.isfinite(tolerance) and tolerance > 0 else 0.1
    bound = _DEFAULT_MAX_POINTS if max_points is None else int(max_points)
    if codes.size and (codes.max() > _CLOSE):
        raise SVGKitError(ErrorCode.BAD_GEOMETRY, f"unknown path command code {int(codes.max())}")
    n_points, points, sub_off, closed, prim_off = _flatten_kernel(
        codes, pts, cmd_offsets, pt_offsets, tol, min(bound, _INT64_MAX))
    if n_points > bound:
        # an upper bound: the exact count can be a little lower, never higher
        raise limit_error("max_points", n_points, bound)
    return FlatGeometry(
        points=points,
        subpath_offsets=sub_off,
        subpath_closed=closed,
        prim_subpath_offsets=prim_off,
        tolerance=tol,
    )
