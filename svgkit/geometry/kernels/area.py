"""Exact geometry of each primitive's flattened outline against the canvas: the fill's area,
centroid and area inside under its fill rule (a trapezoid sweep; for one convex ring the shoelace,
with the area between its cubics and their chords added back), and the outline's length, length
inside and centroid.
"""

# mypy: disable-error-code="no-any-return"
# (kernels index untyped numpy arrays; numba, not mypy, checks the types that matter here)

from __future__ import annotations

import math

import numpy as np

from ...flatten import _wang
from .common import CLOSE, LINE, MOVE, RULE_EVENODD, argsort, sorted_unique
from .jit import kernel

__all__ = [
    "curve_correction",
    "fill_area_moments",
    "polyline_length",
    "primitive_geometry",
]


# --------------------------------------------------------------------------------------------
# exact fill area under a fill rule


@kernel()
def _sort_by_key(idx: np.ndarray, key: np.ndarray, n: int) -> None:
    """Sort ``idx[:n]`` by ``key[idx]``: insertion sort for the usual short lists."""
    if n > 32:
        vals = np.empty(n)
        for a in range(n):
            vals[a] = key[idx[a]]
        order = argsort(vals, n)
        for a in range(n):
            order[a] = idx[order[a]]
        for a in range(n):
            idx[a] = order[a]
        return
    for a in range(1, n):
        v = idx[a]
        kv = key[v]
        b = a - 1
        while b >= 0 and key[idx[b]] > kv:
            idx[b + 1] = idx[b]
            b -= 1
        idx[b + 1] = v


@kernel()
def _strip(
    u: float, v: float, active: np.ndarray, na: int,
    ya: np.ndarray, xa: np.ndarray, slope: np.ndarray, dr: np.ndarray, rule: int,
    clip: bool, cx0: float, cx1: float, key: np.ndarray, idx: np.ndarray, acc: np.ndarray,
) -> None:
    """Accumulate area, moments and clipped area of one crossing-free horizontal strip."""
    h = v - u
    m = 0.5 * (u + v)
    for t in range(na):
        e = active[t]
        key[e] = xa[e] + (m - ya[e]) * slope[e]
        idx[t] = e
    _sort_by_key(idx, key, na)
    evenodd = rule == RULE_EVENODD
    w = 0
    left = -1
    for t in range(na):
        e = idx[t]
        was = (w & 1) == 1 if evenodd else w != 0
        w += dr[e]
        now = (w & 1) == 1 if evenodd else w != 0
        if now and not was:
            left = e
        elif was and not now:
            right = e
            xlu = xa[left] + (u - ya[left]) * slope[left]
            xlv = xa[left] + (v - ya[left]) * slope[left]
            xlm = key[left]
            xru = xa[right] + (u - ya[right]) * slope[right]
            xrv = xa[right] + (v - ya[right]) * slope[right]
            xrm = key[right]
            wu = xru - xlu
            wv = xrv - xlv
            wm = xrm - xlm
            acc[0] += 0.5 * (wu + wv) * h
            # Simpson's rule is exact for the quadratic integrands of the first moments
            acc[1] += h / 6.0 * (0.5 * (xru * xru - xlu * xlu) + 2.0 * (xrm * xrm - xlm * xlm)
                                 + 0.5 * (xrv * xrv - xlv * xlv))
            acc[2] += h / 6.0 * (u * wu + 4.0 * m * wm + v * wv)
            if clip:
                cu = min(xru, cx1) - max(xlu, cx0)
                cv = min(xrv, cx1) - max(xlv, cx0)
                acc[3] += 0.5 * (max(cu, 0.0) + max(cv, 0.0)) * h


@kernel()
def fill_area_moments(
    points: np.ndarray, sub_offsets: np.ndarray, s0: int, s1: int, rule: int,
    cx0: float, cy0: float, cx1: float, cy1: float, budget: int,
) -> tuple[float, float, float, float, bool]:
    """Exact area of subpaths ``s0:s1`` filled with ``rule``, with centroid and clipped area.

    A sweep over the distinct y of the vertices (plus every y where two edges cross, and where an
    edge crosses the clip box's sides) splits the region into trapezoids whose areas and first
    moments are integrated exactly. Returns ``(area, centroid_x, centroid_y, area inside the box
    [cx0, cx1] × [cy0, cy1], ok)``; ``ok`` is ``False`` when the sweep would exceed ``budget``
    edge visits (the other values are then NaN).
    """
    nan = math.nan
    ne = 0
    for k in range(s0, s1):
        mk = sub_offsets[k + 1] - sub_offsets[k]
        if mk >= 2:
            ne += mk
    ya = np.empty(ne)
    yb = np.empty(ne)
    xa = np.empty(ne)
    slope = np.empty(ne)
    dr = np.empty(ne, dtype=np.int64)
    n = 0
    for k in range(s0, s1):
        a = sub_offsets[k]
        mk = sub_offsets[k + 1] - a
        if mk < 2:
            continue
        for j in range(mk):
            p = a + j
            q = a + (j + 1) % mk
            x0 = points[p, 0]
            y0 = points[p, 1]
            x1 = points[q, 0]
            y1 = points[q, 1]
            if y0 == y1 or not (math.isfinite(x0) and math.isfinite(y0)
                                and math.isfinite(x1) and math.isfinite(y1)):
                continue
            if y0 < y1:
                ya[n] = y0
                yb[n] = y1
                xa[n] = x0
                dr[n] = 1
            else:
                ya[n] = y1
                yb[n] = y0
                xa[n] = x1
                dr[n] = -1
            slope[n] = (x1 - x0) / (y1 - y0)
            n += 1
    if n == 0:
        return 0.0, nan, nan, 0.0, True
    ys = np.empty(2 * n + 2)
    for t in range(n):
        ys[t] = ya[t]
        ys[n + t] = yb[t]
    ys[2 * n] = cy0
    ys[2 * n + 1] = cy1
    ys = sorted_unique(ys, 2 * n + 2)
    order = argsort(ya, n)
    active = np.empty(n, dtype=np.int64)
    key = np.empty(n)
    idx = np.empty(n, dtype=np.int64)
    xu = np.empty(n)
    xv = np.empty(n)
    acc = np.empty(4)  # np.zeros would compile numba's fill for one four-element array
    for k in range(4):
        acc[k] = 0.0
    na = 0
    ptr = 0
    work = 0
    for j in range(ys.shape[0] - 1):
        u = ys[j]
        v = ys[j + 1]
        keep = 0
        for t in range(na):
            e = active[t]
            if yb[e] > u:
                active[keep] = e
                keep += 1
        na = keep
        while ptr < n and ya[order[ptr]] <= u:
            e = order[ptr]
            if yb[e] > u:
                active[na] = e
                na += 1
            ptr += 1
        if na < 2:
            continue
        work += na * (1 + int(math.log2(na)))  # two sorts of the active edges per strip
        if work > budget:
            return nan, nan, nan, nan, False
        clip = u >= cy0 and v <= cy1
        # crossing-free when the left-to-right order at u is still the order at v
        for t in range(na):
            e = active[t]
            xu[e] = xa[e] + (u - ya[e]) * slope[e]
            xv[e] = xa[e] + (v - ya[e]) * slope[e]
            key[e] = xu[e] + 1e-9 * (xv[e] - xu[e])  # ties at u resolved by the order at v
            idx[t] = e
        _sort_by_key(idx, key, na)
        crossing = False
        for t in range(na - 1):
            if xv[idx[t]] > xv[idx[t + 1]]:
                crossing = True
                break
        needs_x_cuts = False
        if clip:
            for t in range(na):
                e = active[t]
                if (xu[e] - cx0) * (xv[e] - cx0) < 0.0 or (xu[e] - cx1) * (xv[e] - cx1) < 0.0:
                    needs_x_cuts = True
                    break
        if not crossing and not needs_x_cuts:
            _strip(u, v, active, na, ya, xa, slope, dr, rule, clip, cx0, cx1, key, idx, acc)
            continue
        n_cuts_max = 2 + 2 * na + (na * (na - 1) // 2 if crossing else 0)
        work += n_cuts_max
        if work > budget:
            return nan, nan, nan, nan, False
        cuts = np.empty(n_cuts_max)
        cuts[0] = u
        cuts[1] = v
        nc = 2
        h = v - u
        if crossing:
            for t in range(na):
                e = active[t]
                for s in range(t + 1, na):
                    f = active[s]
                    du = xu[e] - xu[f]
                    dv = xv[e] - xv[f]
                    if du * dv < 0.0:
                        cuts[nc] = u + h * du / (du - dv)
                        nc += 1
        if needs_x_cuts:
            for t in range(na):
                e = active[t]
                for bound in (cx0, cx1):
                    du = xu[e] - bound
                    dv = xv[e] - bound
                    if du * dv < 0.0:
                        cuts[nc] = u + h * du / (du - dv)
                        nc += 1
        corder = argsort(cuts, nc)
        for c in range(nc - 1):
            c0 = cuts[corder[c]]
            c1 = cuts[corder[c + 1]]
            if c1 > c0:
                _strip(c0, c1, active, na, ya, xa, slope, dr, rule, clip, cx0, cx1, key, idx,
                       acc)
    area = acc[0]
    if area > 0.0:
        return area, acc[1] / area, acc[2] / area, acc[3], True
    return 0.0, nan, nan, 0.0, True

# --------------------------------------------------------------------------------------------
# outline length


@kernel()
def polyline_length(
    points: np.ndarray, sub_offsets: np.ndarray, closed: np.ndarray, s0: int, s1: int,
    x0: float, y0: float, x1: float, y1: float,
) -> tuple[float, float, float, float]:
    """Length of the stroked outline of subpaths ``s0:s1`` (closing edges of closed subpaths
    included), the length inside the box ``[x0, x1] × [y0, y1]``, and the length-weighted
    centroid ``(cx, cy)`` (NaN when the length is 0)."""
    total = 0.0
    inside = 0.0
    mx = 0.0
    my = 0.0
    for k in range(s0, s1):
        a = sub_offsets[k]
        mk = sub_offsets[k + 1] - a
        n_seg = mk if closed[k] else mk - 1
        for j in range(n_seg):
            p = a + j
            q = a + (j + 1) % mk
            ax = points[p, 0]
            ay = points[p, 1]
            dx = points[q, 0] - ax
            dy = points[q, 1] - ay
            seg = math.sqrt(dx * dx + dy * dy)
            if not math.isfinite(seg) or seg == 0.0:
                continue
            total += seg
            mx += seg * (ax + 0.5 * dx)
            my += seg * (ay + 0.5 * dy)
            # Liang–Barsky: parameter interval of the segment inside the box
            t0 = 0.0
            t1 = 1.0
            ok = True
            for side in range(4):
                if side == 0:
                    pp = -dx
                    qq = ax - x0
                elif side == 1:
                    pp = dx
                    qq = x1 - ax
                elif side == 2:
                    pp = -dy
                    qq = ay - y0
                else:
                    pp = dy
                    qq = y1 - ay
                if pp == 0.0:
                    if qq < 0.0:
                        ok = False
                        break
                else:
                    r = qq / pp
                    if pp < 0.0:
                        t0 = max(t0, r)
                    else:
                        t1 = min(t1, r)
            if ok and t1 > t0:
                inside += (t1 - t0) * seg
    if total > 0.0:
        return total, inside, mx / total, my / total
    return 0.0, 0.0, math.nan, math.nan

# --------------------------------------------------------------------------------------------
# one convex ring: the shoelace, clipped to the canvas


@kernel()
def _convex_ring(points: np.ndarray, a: int, m: int) -> bool:
    """Whether ring ``points[a:a+m]`` is a convex polygon traversed once: every turn has the same
    sense and the edge directions change the sign of dx and of dy at most twice each."""
    turn = 0
    flips_x = 0
    flips_y = 0
    prev_dx = 0.0
    prev_dy = 0.0
    sign_x = 0
    sign_y = 0
    first_sx = 0
    first_sy = 0
    for j in range(m + 1):
        p = a + j % m
        q = a + (j + 1) % m
        dx = points[q, 0] - points[p, 0]
        dy = points[q, 1] - points[p, 1]
        if not (math.isfinite(dx) and math.isfinite(dy)):
            return False
        # an edge at rounding level (x + rx vs r - rx on a fully rounded rect) has no direction
        if abs(dx) + abs(dy) <= 1e-12 * (abs(points[p, 0]) + abs(points[p, 1]) + 1.0):
            continue
        if j > 0 and (prev_dx != 0.0 or prev_dy != 0.0):
            cross = prev_dx * dy - prev_dy * dx
            # near-zero crosses on straight runs are rounding, not turns
            if abs(cross) <= 1e-12 * (abs(prev_dx) + abs(prev_dy)) * (abs(dx) + abs(dy)):
                cross = 0.0
            if cross > 0.0:
                if turn < 0:
                    return False
                turn = 1
            elif cross < 0.0:
                if turn > 0:
                    return False
                turn = -1
        if j < m:
            sx = 1 if dx > 0.0 else (-1 if dx < 0.0 else 0)
            sy = 1 if dy > 0.0 else (-1 if dy < 0.0 else 0)
            if sx != 0:
                if sign_x != 0 and sx != sign_x:
                    flips_x += 1
                if first_sx == 0:
                    first_sx = sx
                sign_x = sx
            if sy != 0:
                if sign_y != 0 and sy != sign_y:
                    flips_y += 1
                if first_sy == 0:
                    first_sy = sy
                sign_y = sy
        prev_dx = dx
        prev_dy = dy
    # the wrap-around from the last edge to the first
    if sign_x != 0 and first_sx != 0 and sign_x != first_sx:
        flips_x += 1
    if sign_y != 0 and first_sy != 0 and sign_y != first_sy:
        flips_y += 1
    return flips_x <= 2 and flips_y <= 2


@kernel()
def _clip_half(xs: np.ndarray, ys: np.ndarray, n: int, ox: np.ndarray, oy: np.ndarray,
               axis: int, bound: float, keep_below: bool) -> int:
    """One Sutherland–Hodgman step: keep the part of polygon ``xs, ys`` on one side of an
    axis-parallel line."""
    m = 0
    for j in range(n):
        k = (j + 1) % n
        vj = xs[j] if axis == 0 else ys[j]
        vk = xs[k] if axis == 0 else ys[k]
        inj = vj <= bound if keep_below else vj >= bound
        ink = vk <= bound if keep_below else vk >= bound
        if inj:
            ox[m] = xs[j]
            oy[m] = ys[j]
            m += 1
        if inj != ink:
            t = (bound - vj) / (vk - vj)
            ox[m] = xs[j] + t * (xs[k] - xs[j])
            oy[m] = ys[j] + t * (ys[k] - ys[j])
            m += 1
    return m


@kernel()
def _shoelace(xs: np.ndarray, ys: np.ndarray, n: int) -> tuple[float, float, float]:
    """Signed area and centroid of a simple polygon."""
    a2 = 0.0
    cx = 0.0
    cy = 0.0
    for j in range(n):
        k = (j + 1) % n
        c = xs[j] * ys[k] - xs[k] * ys[j]
        a2 += c
        cx += (xs[j] + xs[k]) * c
        cy += (ys[j] + ys[k]) * c
    if a2 == 0.0:
        return 0.0, math.nan, math.nan
    return 0.5 * a2, cx / (3.0 * a2), cy / (3.0 * a2)


@kernel()
def _convex_area(
    points: np.ndarray, a: int, m: int, width: float, height: float, bx: np.ndarray,
    by: np.ndarray, cx_: np.ndarray, cy_: np.ndarray,
) -> tuple[float, float, float, float, float]:
    """Area, centroid, area inside ``[0, width] × [0, height]`` and signed area (positive when
    counter-clockwise in y-up terms) of a convex ring."""
    inside_canvas = True
    for j in range(m):
        bx[j] = points[a + j, 0]
        by[j] = points[a + j, 1]
        if bx[j] < 0.0 or bx[j] > width or by[j] < 0.0 or by[j] > height:
            inside_canvas = False
    signed, cx, cy = _shoelace(bx, by, m)
    area = abs(signed)
    if inside_canvas:
        return area, cx, cy, area, signed
    # x >= 0 (bx → cx_), x <= width (cx_ → bx), y >= 0 (bx → cx_), y <= height (cx_ → bx)
    n = m
    for side in range(4):
        axis = side >> 1
        keep_below = (side & 1) == 1
        bound = 0.0
        if keep_below:
            bound = width if axis == 0 else height
        if keep_below:
            n = _clip_half(cx_, cy_, n, bx, by, axis, bound, keep_below)
        else:
            n = _clip_half(bx, by, n, cx_, cy_, axis, bound, keep_below)
    inside = abs(_shoelace(bx, by, n)[0]) if n >= 3 else 0.0
    return area, cx, cy, inside, signed

# --------------------------------------------------------------------------------------------
# per primitive


@kernel()
def _gauss_term(t: float, x0: float, y0: float, x1: float, y1: float, x2: float, y2: float,
                x3: float, y3: float) -> float:
    u = 1.0 - t
    bx = u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3
    by = u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3
    dx = 3 * (u * u * (x1 - x0) + 2 * u * t * (x2 - x1) + t * t * (x3 - x2))
    dy = 3 * (u * u * (y1 - y0) + 2 * u * t * (y2 - y1) + t * t * (y3 - y2))
    return bx * dy - by * dx


@kernel()
def curve_correction(
    codes: np.ndarray, pts: np.ndarray, c0: int, c1: int, p: int, tol: float
) -> float:
    """Twice the signed area between the cubics of commands ``c0:c1`` (points from ``p``) and
    their chords.

    For each cubic, ``∫ B × B' dt`` (exact with 3-point Gauss–Legendre: the integrand has degree
    5) minus the chords' ``Σ q_k × q_{k+1}``, the chords being those :mod:`svgkit.flatten`
    produces (same Wang count). Adding it to a ring's shoelace sum gives the curve's own area.
    """
    t_lo = 0.5 - 0.5 * math.sqrt(0.6)
    t_hi = 0.5 + 0.5 * math.sqrt(0.6)
    w_side = 5.0 / 18.0
    w_mid = 8.0 / 18.0
    cx = 0.0
    cy = 0.0
    sx = 0.0
    sy = 0.0
    total = 0.0
    for c in range(c0, c1):
        code = codes[c]
        if code == MOVE:
            cx = pts[p, 0]
            cy = pts[p, 1]
            sx = cx
            sy = cy
            p += 1
        elif code == LINE:
            cx = pts[p, 0]
            cy = pts[p, 1]
            p += 1
        elif code == CLOSE:
            cx = sx
            cy = sy
        else:
            x0 = cx
            y0 = cy
            x1 = pts[p, 0]
            y1 = pts[p, 1]
            x2 = pts[p + 1, 0]
            y2 = pts[p + 1, 1]
            x3 = pts[p + 2, 0]
            y3 = pts[p + 2, 1]
            p += 3
            curve = 0.0
            curve += w_side * _gauss_term(t_lo, x0, y0, x1, y1, x2, y2, x3, y3)
            curve += w_mid * _gauss_term(0.5, x0, y0, x1, y1, x2, y2, x3, y3)
            curve += w_side * _gauss_term(t_hi, x0, y0, x1, y1, x2, y2, x3, y3)
            m = _wang(x0, y0, x1, y1, x2, y2, x3, y3, tol)
            chords = 0.0
            qx = x0
            qy = y0
            for k in range(1, m + 1):
                t = k / m
                u = 1.0 - t
                if k == m:
                    nx = x3
                    ny = y3
                else:
                    nx = (u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2
                          + t * t * t * x3)
                    ny = (u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2
                          + t * t * t * y3)
                chords += qx * ny - nx * qy
                qx = nx
                qy = ny
            total += curve - chords
            cx = x3
            cy = y3
    return total if math.isfinite(total) else 0.0


@kernel(
    "u1[::1], f8[:, ::1], i8[::1], i8[::1], f8, f8[:, ::1], i8[::1], b1[::1], i8[::1], "
    "i8[::1], f8, f8, i8"
)
def primitive_geometry(
    codes: np.ndarray, cmd_points: np.ndarray, cmd_offsets: np.ndarray, pt_offsets: np.ndarray,
    tol: float, points: np.ndarray, sub_offsets: np.ndarray, sub_closed: np.ndarray,
    prim_sub_offsets: np.ndarray, rules: np.ndarray, width: float, height: float, budget: int,
) -> np.ndarray:
    """Exact geometry of every primitive against the canvas ``[0, width] × [0, height]``, from
    its command stream (``codes``, ``cmd_points``, per-primitive ``cmd_offsets``/``pt_offsets``,
    for the area curves add to their chords, :func:`curve_correction`) and its flattening
    within ``tol`` (``points``, ``sub_offsets``, ``sub_closed``, ``prim_sub_offsets``).

    Returns an ``(n, 9)`` array: ``area, centroid_x, centroid_y, area_inside`` of the fill
    (:func:`fill_area_moments`), ``length, length_inside, length_cx, length_cy`` of the outline
    (:func:`polyline_length`) and ``ok`` (1.0, or 0.0 when the area sweep ran out of budget).
    """
    n = prim_sub_offsets.shape[0] - 1
    out = np.empty((n, 9))
    longest = 0
    for k in range(sub_offsets.shape[0] - 1):
        longest = max(longest, sub_offsets[k + 1] - sub_offsets[k])
    # Sutherland–Hodgman adds at most one vertex per clipping line
    bx = np.empty(longest + 8)
    by = np.empty(longest + 8)
    cx_ = np.empty(longest + 8)
    cy_ = np.empty(longest + 8)
    for i in range(n):
        s0 = prim_sub_offsets[i]
        s1 = prim_sub_offsets[i + 1]
        m = sub_offsets[s1] - sub_offsets[s0] if s1 == s0 + 1 else 0
        if m >= 3 and _convex_ring(points, sub_offsets[s0], m):
            # one convex ring (rects, circles, ellipses, most polygons): the shoelace is exact
            area, cx, cy, inside, signed = _convex_area(points, sub_offsets[s0], m, width,
                                                        height, bx, by, cx_, cy_)
            # curved sides: add the signed area between the curves and their chords
            correction = curve_correction(codes, cmd_points, cmd_offsets[i],
                                          cmd_offsets[i + 1], pt_offsets[i], tol)
            if correction != 0.0 and area > 0.0:
                exact = abs(signed + 0.5 * correction)
                inside *= exact / area
                area = exact
            ok = True
        else:
            area, cx, cy, inside, ok = fill_area_moments(points, sub_offsets, s0, s1,
                                                         int(rules[i]), 0.0, 0.0, width, height,
                                                         budget)
        ln, ln_in, lx, ly = polyline_length(points, sub_offsets, sub_closed, s0, s1, 0.0, 0.0,
                                            width, height)
        out[i, 0] = area
        out[i, 1] = cx
        out[i, 2] = cy
        out[i, 3] = inside
        out[i, 4] = ln
        out[i, 5] = ln_in
        out[i, 6] = lx
        out[i, 7] = ly
        out[i, 8] = 1.0 if ok else 0.0
    return out
