"""Layer outlines in raster space: a fill layer is its primitive's rings, a stroke layer the nonzero
union of consistently oriented quads around every (dashed) segment with discs at joins and caps,
so the rasteriser fills both the same way.
"""

# mypy: disable-error-code="no-any-return"
# (kernels index untyped numpy arrays; numba, not mypy, checks the types that matter here)

from __future__ import annotations

import math

import numpy as np

from .common import CAP_BUTT, CAP_ROUND, CAP_SQUARE, PART_FILL, grow
from .jit import kernel

__all__ = [
    "MAX_DASHES",
    "build_layer_edges",
]

_DISC_SIDES = 12  # polygon standing in for round joins and caps
MAX_DASHES = 100_000  # per subpath; beyond this a dashed stroke is drawn solid


@kernel()
def _quad(e: np.ndarray, n: int, ax: float, ay: float, bx: float, by: float, hw: float) -> int:
    """A ``2·hw`` thick rectangle around segment a→b (clockwise on screen, like :func:`_disc`)."""
    dx = bx - ax
    dy = by - ay
    ln = math.sqrt(dx * dx + dy * dy)
    nx = -dy / ln * hw
    ny = dx / ln * hw
    px0 = ax + nx
    py0 = ay + ny
    px1 = bx + nx
    py1 = by + ny
    px2 = bx - nx
    py2 = by - ny
    px3 = ax - nx
    py3 = ay - ny
    e[n, 0] = px0
    e[n, 1] = py0
    e[n, 2] = px1
    e[n, 3] = py1
    e[n + 1, 0] = px1
    e[n + 1, 1] = py1
    e[n + 1, 2] = px2
    e[n + 1, 3] = py2
    e[n + 2, 0] = px2
    e[n + 2, 1] = py2
    e[n + 2, 2] = px3
    e[n + 2, 3] = py3
    e[n + 3, 0] = px3
    e[n + 3, 1] = py3
    e[n + 3, 2] = px0
    e[n + 3, 3] = py0
    return n + 4


@kernel()
def _disc(e: np.ndarray, n: int, cx: float, cy: float, r: float) -> int:
    """A regular polygon of radius ``r`` (same orientation as :func:`_quad`)."""
    step = -2.0 * math.pi / _DISC_SIDES
    for k in range(_DISC_SIDES):
        a0 = k * step
        a1 = (k + 1) * step
        e[n + k, 0] = cx + r * math.cos(a0)
        e[n + k, 1] = cy + r * math.sin(a0)
        e[n + k, 2] = cx + r * math.cos(a1)
        e[n + k, 3] = cy + r * math.sin(a1)
    return n + _DISC_SIDES


@kernel()
def _stroke_piece(
    e: np.ndarray, n: int, ax: float, ay: float, bx: float, by: float, hw: float,
    cap_start: int, cap_end: int,
) -> tuple[np.ndarray, int]:
    """One segment of stroke with optional caps at its ends."""
    e = grow(e, n + 4 + 2 * _DISC_SIDES)
    dx = bx - ax
    dy = by - ay
    ln = math.sqrt(dx * dx + dy * dy)
    if ln == 0.0:
        return e, n
    ux = dx / ln * hw
    uy = dy / ln * hw
    if cap_start == CAP_SQUARE:
        ax -= ux
        ay -= uy
    elif cap_start == CAP_ROUND:
        n = _disc(e, n, ax, ay, hw)
    if cap_end == CAP_SQUARE:
        bx += ux
        by += uy
    elif cap_end == CAP_ROUND:
        n = _disc(e, n, bx, by, hw)
    n = _quad(e, n, ax, ay, bx, by, hw)
    return e, n


@kernel()
def _stroke_subpath(
    e: np.ndarray, n: int, pts: np.ndarray, a: int, mk: int, is_closed: bool, hw: float,
    cap: int, dashes: np.ndarray, dash_offset: float, join_min_px: float,
) -> tuple[np.ndarray, int]:
    """Outline of one stroked subpath as quads (segments), discs (joins) and caps, dashed."""
    n_seg = mk if is_closed else mk - 1
    total = 0.0
    for j in range(n_seg):
        p = a + j
        q = a + (j + 1) % mk
        total += math.hypot(pts[q, 0] - pts[p, 0], pts[q, 1] - pts[p, 1])
    if total == 0.0 or not math.isfinite(total):
        # a zero-length subpath draws a dot with round and square caps
        if cap == CAP_ROUND:
            e = grow(e, n + _DISC_SIDES)
            n = _disc(e, n, pts[a, 0], pts[a, 1], hw)
        elif cap == CAP_SQUARE:
            e = grow(e, n + 4)
            n = _quad(e, n, pts[a, 0] - hw, pts[a, 1], pts[a, 0] + hw, pts[a, 1], hw)
        return e, n
    nd = dashes.shape[0]
    period = 0.0
    for d in range(nd):
        period += dashes[d]
    # an all-zero pattern draws solid (SVG); absurdly many dashes are drawn solid too
    if nd == 0 or not (period > 0.0) or total / period > MAX_DASHES:
        # solid: segments, joins at interior vertices, caps at the ends of open subpaths
        for j in range(n_seg):
            p = a + j
            q = a + (j + 1) % mk
            c0 = cap if (j == 0 and not is_closed) else CAP_BUTT
            c1 = cap if (j == n_seg - 1 and not is_closed) else CAP_BUTT
            e, n = _stroke_piece(e, n, pts[p, 0], pts[p, 1], pts[q, 0], pts[q, 1], hw, c0, c1)
        if hw >= join_min_px:
            first = 0 if is_closed else 1
            for j in range(first, mk if is_closed else mk - 1):
                e = grow(e, n + _DISC_SIDES)
                n = _disc(e, n, pts[a + j, 0], pts[a + j, 1], hw)
        return e, n
    # dashed: walk the outline, emitting the "on" intervals of the pattern
    phase = dash_offset % period
    if phase < 0.0:
        phase += period
    di = 0
    while phase >= dashes[di]:
        phase -= dashes[di]
        di = (di + 1) % nd
    remaining = dashes[di] - phase  # length left in the current dash entry
    on = di % 2 == 0
    for j in range(n_seg):
        p = a + j
        q = a + (j + 1) % mk
        ax = pts[p, 0]
        ay = pts[p, 1]
        dx = pts[q, 0] - ax
        dy = pts[q, 1] - ay
        seg = math.hypot(dx, dy)
        if seg == 0.0:
            continue
        pos = 0.0
        while pos < seg:
            step = min(remaining, seg - pos)
            if on and step > 0.0:
                t0 = pos / seg
                t1 = (pos + step) / seg
                dash_starts = pos == 0.0 and (j > 0 or is_closed) and remaining < dashes[di]
                dash_ends = step == seg - pos and remaining > step
                c0 = CAP_BUTT if dash_starts else cap
                c1 = CAP_BUTT if dash_ends else cap
                e, n = _stroke_piece(e, n, ax + t0 * dx, ay + t0 * dy, ax + t1 * dx,
                                     ay + t1 * dy, hw, c0, c1)
                if dash_ends and hw >= join_min_px and (j + 1 < n_seg or is_closed):
                    e = grow(e, n + _DISC_SIDES)
                    n = _disc(e, n, pts[q, 0], pts[q, 1], hw)
            pos += step
            remaining -= step
            if remaining <= 0.0:
                di = (di + 1) % nd
                remaining = dashes[di]
                on = di % 2 == 0
    return e, n


@kernel(
    "f8[:, ::1], i8[::1], b1[::1], i8[::1], i8[::1], i8[::1], f8[::1], i8[::1], i8[::1], "
    "f8[::1], f8[::1], f8, f8, f8"
)
def build_layer_edges(
    points: np.ndarray, sub_offsets: np.ndarray, sub_closed: np.ndarray,
    prim_sub_offsets: np.ndarray, layer_prim: np.ndarray, layer_part: np.ndarray,
    layer_half_width: np.ndarray, layer_cap: np.ndarray,
    layer_dash_offsets: np.ndarray, dash_values: np.ndarray, layer_dash_phase: np.ndarray,
    sx: float, sy: float, join_min_px: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Outline edges of every layer in raster space.

    Fill layers take their primitive's subpaths, each implicitly closed. Stroke layers are the
    union (nonzero) of consistently oriented quads around every (dashed) segment, discs at joins
    wider than ``join_min_px`` raster px, and caps. Geometry is built in device px and scaled
    by ``(sx, sy)`` into raster space.

    Returns ``(edges (m, 4) as x0, y0, x1, y1, layer_edge_offsets (n_layers + 1))``.
    """
    n_layers = layer_prim.shape[0]
    e = np.empty((1024, 4))
    offsets = np.empty(n_layers + 1, dtype=np.int64)
    n = 0
    for L in range(n_layers):
        offsets[L] = n
        part = layer_part[L]
        i = layer_prim[L]
        start = n
        if part == PART_FILL:
            for k in range(prim_sub_offsets[i], prim_sub_offsets[i + 1]):
                a = sub_offsets[k]
                mk = sub_offsets[k + 1] - a
                if mk < 3:
                    continue
                e = grow(e, n + mk)
                for j in range(mk):
                    p = a + j
                    q = a + (j + 1) % mk
                    e[n, 0] = points[p, 0]
                    e[n, 1] = points[p, 1]
                    e[n, 2] = points[q, 0]
                    e[n, 3] = points[q, 1]
                    n += 1
        else:
            hw = layer_half_width[L]
            dashes = dash_values[layer_dash_offsets[L] : layer_dash_offsets[L + 1]]
            for k in range(prim_sub_offsets[i], prim_sub_offsets[i + 1]):
                a = sub_offsets[k]
                mk = sub_offsets[k + 1] - a
                e, n = _stroke_subpath(e, n, points, a, mk, sub_closed[k], hw, layer_cap[L],
                                       dashes, layer_dash_phase[L], join_min_px / min(sx, sy))
        for t in range(start, n):
            e[t, 0] *= sx
            e[t, 1] *= sy
            e[t, 2] *= sx
            e[t, 3] *= sy
    offsets[n_layers] = n
    return e[:n].copy(), offsets
