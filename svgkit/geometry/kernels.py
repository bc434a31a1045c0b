"""Numba kernels of the geometry statistics: arrays and scalars in, arrays and scalars out.

Nothing here knows about a Scene. Conventions:

* *Raster space*: the analysis grid of ``width × height`` pixels; pixel ``(col, row)`` covers
  ``[col, col + 1) × [row, row + 1)`` and is sampled at its centre ``(col + 0.5, row + 0.5)``.
* Edges are stored as four parallel float64 arrays ``ex0, ey0, ex1, ey1`` with per-layer offsets;
  a layer's edges form closed rings (their orientation carries the winding).
* A *span* is ``(row, col0, col1)``: pixels ``col0 <= col < col1`` of ``row``.
"""

# mypy: disable-error-code="no-any-return"
# (kernels index untyped numpy arrays; numba, not mypy, checks the types that matter here)

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..flatten import _wang

__all__ = [
    "build_layer_edges",
    "curve_corrections",
    "fill_area_moments",
    "make_layers",
    "object_pass",
    "polyline_length",
    "primitive_flags",
    "primitive_geometry",
    "mask_runs",
    "rasterise_layers",
    "runs_descriptor",
    "runs_intersect",
    "runs_intersection",
    "runs_sums",
    "runs_union",
    "scene_summary",
]

RULE_NONZERO = 0
RULE_EVENODD = 1

PART_FILL = 0
PART_STROKE = 1

KIND_PATH = 6  # PrimitiveKind.PATH
KIND_TEXT = 7  # PrimitiveKind.TEXT
KIND_IMAGE = 8  # PrimitiveKind.IMAGE
PAINT_SOLID = 1  # PaintKind values
PAINT_LINEAR = 2
PAINT_RADIAL = 3

CAP_BUTT = 0
CAP_ROUND = 1
CAP_SQUARE = 2

_DISC_SIDES = 12  # polygon standing in for round joins and caps
MAX_DASHES = 100_000  # per subpath; beyond this a dashed stroke is drawn solid


# --------------------------------------------------------------------------------------------
# exact fill area under a fill rule


@njit(cache=True)
def _sort_by_key(idx: np.ndarray, key: np.ndarray, n: int) -> None:
    """Sort ``idx[:n]`` by ``key[idx]``: insertion sort for the usual short lists."""
    if n > 32:
        vals = np.empty(n)
        for a in range(n):
            vals[a] = key[idx[a]]
        order = np.argsort(vals)
        idx[:n] = idx[:n][order]
        return
    for a in range(1, n):
        v = idx[a]
        kv = key[v]
        b = a - 1
        while b >= 0 and key[idx[b]] > kv:
            idx[b + 1] = idx[b]
            b -= 1
        idx[b + 1] = v


@njit(cache=True)
def _inside(w: int, rule: int) -> bool:
    if rule == RULE_EVENODD:
        return (w & 1) == 1
    return w != 0


@njit(cache=True)
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
    w = 0
    left = -1
    for t in range(na):
        e = idx[t]
        was = _inside(w, rule)
        w += dr[e]
        now = _inside(w, rule)
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


@njit(cache=True)
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
    ys[:n] = ya[:n]
    ys[n : 2 * n] = yb[:n]
    ys[2 * n] = cy0
    ys[2 * n + 1] = cy1
    ys = _sorted_unique(ys)
    order = np.argsort(ya[:n])
    active = np.empty(n, dtype=np.int64)
    key = np.empty(n)
    idx = np.empty(n, dtype=np.int64)
    xu = np.empty(n)
    xv = np.empty(n)
    acc = np.zeros(4)
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
        cuts = np.sort(cuts[:nc])
        for c in range(nc - 1):
            if cuts[c + 1] > cuts[c]:
                _strip(cuts[c], cuts[c + 1], active, na, ya, xa, slope, dr, rule, clip, cx0,
                       cx1, key, idx, acc)
    area = acc[0]
    if area > 0.0:
        return area, acc[1] / area, acc[2] / area, acc[3], True
    return 0.0, nan, nan, 0.0, True


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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
    n = _clip_half(bx, by, m, cx_, cy_, 0, 0.0, False)
    n = _clip_half(cx_, cy_, n, bx, by, 0, width, True)
    n = _clip_half(bx, by, n, cx_, cy_, 1, 0.0, False)
    n = _clip_half(cx_, cy_, n, bx, by, 1, height, True)
    inside = abs(_shoelace(bx, by, n)[0]) if n >= 3 else 0.0
    return area, cx, cy, inside, signed


@njit(cache=True)
def curve_corrections(
    codes: np.ndarray, pts: np.ndarray, cmd_offsets: np.ndarray, pt_offsets: np.ndarray,
    tol: float,
) -> np.ndarray:
    """Per primitive, twice the signed area between its cubics and their chords.

    For each cubic, ``∫ B × B' dt`` (exact with 3-point Gauss–Legendre: the integrand has degree
    5) minus the chords' ``Σ q_k × q_{k+1}``, the chords being those :mod:`svgkit.flatten`
    produces (same Wang count). Adding it to a ring's shoelace sum gives the curve's own area.
    """
    n = cmd_offsets.shape[0] - 1
    out = np.zeros(n)
    gl_t = np.array([0.5 - 0.5 * math.sqrt(0.6), 0.5, 0.5 + 0.5 * math.sqrt(0.6)])
    gl_w = np.array([5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0])
    for i in range(n):
        p = pt_offsets[i]
        cx = 0.0
        cy = 0.0
        sx = 0.0
        sy = 0.0
        total = 0.0
        for c in range(cmd_offsets[i], cmd_offsets[i + 1]):
            code = codes[c]
            if code == 0:
                cx = pts[p, 0]
                cy = pts[p, 1]
                sx = cx
                sy = cy
                p += 1
            elif code == 1:
                cx = pts[p, 0]
                cy = pts[p, 1]
                p += 1
            elif code == 3:
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
                for g in range(3):
                    t = gl_t[g]
                    u = 1.0 - t
                    bx = u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3
                    by = u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3
                    dx = 3 * (u * u * (x1 - x0) + 2 * u * t * (x2 - x1) + t * t * (x3 - x2))
                    dy = 3 * (u * u * (y1 - y0) + 2 * u * t * (y2 - y1) + t * t * (y3 - y2))
                    curve += gl_w[g] * (bx * dy - by * dx)
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
        out[i] = total if math.isfinite(total) else 0.0
    return out


@njit(cache=True)
def primitive_geometry(
    points: np.ndarray, sub_offsets: np.ndarray, sub_closed: np.ndarray,
    prim_sub_offsets: np.ndarray, rules: np.ndarray, corrections: np.ndarray, width: float,
    height: float, budget: int,
) -> np.ndarray:
    """Exact geometry of every primitive against the canvas ``[0, width] × [0, height]``.

    Returns an ``(n, 9)`` array: ``area, centroid_x, centroid_y, area_inside`` of the fill
    (:func:`fill_area_moments`), ``length, length_inside, length_cx, length_cy`` of the outline
    (:func:`polyline_length`) and ``ok`` (1.0, or 0.0 when the area sweep ran out of budget).
    """
    n = prim_sub_offsets.shape[0] - 1
    out = np.full((n, 9), np.nan)
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
            if corrections[i] != 0.0 and area > 0.0:
                exact = abs(signed + 0.5 * corrections[i])
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


@njit(cache=True)
def make_layers(
    kind: np.ndarray, visible: np.ndarray, fill_kind: np.ndarray, stroke_kind: np.ndarray,
    fill_rgba: np.ndarray, stroke_rgba: np.ndarray, fill_paint: np.ndarray,
    stroke_paint: np.ndarray, gradient_opaque: np.ndarray, eff_opacity: np.ndarray,
    groups_occlude: np.ndarray, stroke_width_device: np.ndarray, stroke_first: np.ndarray,
    fill_rule: np.ndarray, text_ink: float, min_half_width: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray]:
    """Paint layers of every primitive in paint order.

    A primitive gets a fill layer when it has fill paint (text: fill or stroke paint, drawn as
    its box; image: always) and a stroke layer when it has stroke paint and a positive width
    (never for text and images); the stroke comes first when ``stroke_first``. Layers of hidden
    primitives and layers with zero alpha are left out. Alpha = paint alpha × effective opacity
    (× ``text_ink`` for text). A layer is opaque when its paint is solid (or a gradient whose
    stops are all opaque) with alpha 1, its primitive's effective opacity is 1, no ancestor has a
    mask or filter, and it is neither text nor an image.

    Returns ``(layer_prim, layer_part, layer_rgb (m, 3), layer_alpha, layer_opaque, layer_rule,
    layer_half_width)``.
    """
    n = kind.shape[0]
    cap = 2 * n
    layer_prim = np.empty(cap, dtype=np.int64)
    layer_part = np.empty(cap, dtype=np.int64)
    layer_rgb = np.empty((cap, 3))
    layer_alpha = np.empty(cap)
    layer_opaque = np.zeros(cap, dtype=np.bool_)
    layer_rule = np.zeros(cap, dtype=np.int64)
    layer_hw = np.zeros(cap)
    m = 0
    for i in range(n):
        if not visible[i]:
            continue
        is_text = kind[i] == KIND_TEXT
        is_image = kind[i] == KIND_IMAGE
        has_fill = fill_kind[i] != 0
        has_stroke_paint = stroke_kind[i] != 0
        fill_layer = is_image or (has_fill if not is_text else (has_fill or has_stroke_paint))
        stroke_layer = has_stroke_paint and stroke_width_device[i] > 0.0 and not (
            is_text or is_image)
        occludes = eff_opacity[i] >= 1.0 - 1e-6 and groups_occlude[i] and not (
            is_text or is_image)
        for slot in range(2):
            part = PART_FILL if slot == 0 else PART_STROKE
            if stroke_first[i] and stroke_layer:
                part = PART_STROKE if slot == 0 else PART_FILL
            if part == PART_FILL and not fill_layer:
                continue
            if part == PART_STROKE and not stroke_layer:
                continue
            if part == PART_FILL and (has_fill or not is_text):
                pk = fill_kind[i]
                paint = fill_paint[i]
                r = fill_rgba[i, 0]
                g = fill_rgba[i, 1]
                b = fill_rgba[i, 2]
                alpha = fill_rgba[i, 3]
            else:
                pk = stroke_kind[i]
                paint = stroke_paint[i]
                r = stroke_rgba[i, 0]
                g = stroke_rgba[i, 1]
                b = stroke_rgba[i, 2]
                alpha = stroke_rgba[i, 3]
            if is_image:
                r = np.nan
                g = np.nan
                b = np.nan
                alpha = 1.0
            alpha = alpha * eff_opacity[i]
            if is_text:
                alpha *= text_ink
            alpha = min(max(alpha, 0.0), 1.0)
            if not alpha > 0.0:
                continue
            solid = pk == PAINT_SOLID or (
                (pk == PAINT_LINEAR or pk == PAINT_RADIAL) and 0 <= paint < gradient_opaque.shape[0]
                and gradient_opaque[paint]
            )
            layer_prim[m] = i
            layer_part[m] = part
            layer_rgb[m, 0] = r
            layer_rgb[m, 1] = g
            layer_rgb[m, 2] = b
            layer_alpha[m] = alpha
            layer_opaque[m] = occludes and solid and alpha >= 1.0 - 1e-6
            layer_rule[m] = fill_rule[i] if part == PART_FILL else RULE_NONZERO
            layer_hw[m] = max(0.5 * stroke_width_device[i], min_half_width)
            m += 1
    return (layer_prim[:m].copy(), layer_part[:m].copy(), layer_rgb[:m].copy(),
            layer_alpha[:m].copy(), layer_opaque[:m].copy(), layer_rule[:m].copy(),
            layer_hw[:m].copy())


@njit(cache=True)
def primitive_flags(
    kind: np.ndarray, visible: np.ndarray, fill_kind: np.ndarray, stroke_kind: np.ndarray,
    fill_alpha: np.ndarray, stroke_alpha: np.ndarray, stroke_width: np.ndarray,
    line_cap: np.ndarray, n_subpaths: np.ndarray, eff_opacity: np.ndarray, area: np.ndarray,
    length: np.ndarray, stroke_bbox: np.ndarray, canvas_w: float, canvas_h: float,
    layer_prim: np.ndarray, layer_mask: np.ndarray, painted_px: np.ndarray,
    visible_px: np.ndarray,
) -> np.ndarray:
    """Invisibility flags per primitive, columns in the order of ``stats.INVISIBLE_REASONS``:
    hidden, no_paint, transparent, degenerate, outside_canvas, clipped_out, fully_occluded."""
    n = kind.shape[0]
    flags = np.zeros((n, 7), dtype=np.bool_)
    has_layer = np.zeros(n, dtype=np.bool_)
    clipped = np.zeros(n, dtype=np.bool_)
    for L in range(layer_prim.shape[0]):
        has_layer[layer_prim[L]] = True
        if layer_mask[L] >= 0:
            clipped[layer_prim[L]] = True
    for i in range(n):
        is_image = kind[i] == KIND_IMAGE
        has_fill = fill_kind[i] != 0
        has_stroke = stroke_kind[i] != 0 and stroke_width[i] > 0.0
        no_paint = not has_fill and not has_stroke and not is_image
        paints = (has_fill and fill_alpha[i] > 0.0) or (has_stroke and stroke_alpha[i] > 0.0) \
            or is_image
        a = area[i] if area[i] > 0.0 else 0.0
        cap_dot = has_stroke and line_cap[i] != CAP_BUTT and n_subpaths[i] > 0
        degenerate = a <= 0.0 and not ((has_stroke and length[i] > 0.0) or cap_dot)
        x0 = stroke_bbox[i, 0]
        y0 = stroke_bbox[i, 1]
        x1 = stroke_bbox[i, 2]
        y1 = stroke_bbox[i, 3]
        finite = (math.isfinite(x0) and math.isfinite(y0) and math.isfinite(x1)
                  and math.isfinite(y1))
        meets = x1 > 0.0 and x0 < canvas_w and y1 > 0.0 and y0 < canvas_h
        outside = finite and not meets and not degenerate
        flags[i, 0] = not visible[i]
        flags[i, 1] = no_paint
        flags[i, 2] = not no_paint and (eff_opacity[i] <= 0.0 or not paints)
        flags[i, 3] = degenerate
        flags[i, 4] = outside
        flags[i, 5] = (has_layer[i] and clipped[i] and painted_px[i] == 0 and not outside
                       and not degenerate)
        flags[i, 6] = painted_px[i] > 0 and visible_px[i] == 0
    return flags


@njit(cache=True)
def _code(r: float, g: float, b: float) -> int:
    if not (math.isfinite(r) and math.isfinite(g) and math.isfinite(b)):
        return -1
    ri = int(min(max(round(r * 255.0), 0.0), 255.0))
    gi = int(min(max(round(g * 255.0), 0.0), 255.0))
    bi = int(min(max(round(b * 255.0), 0.0), 255.0))
    return (ri << 16) | (gi << 8) | bi


@njit(cache=True)
def _sorted_unique(values: np.ndarray) -> np.ndarray:
    if values.shape[0] == 0:
        return values
    v = np.sort(values)
    keep = np.ones(v.shape[0], dtype=np.bool_)
    for t in range(1, v.shape[0]):
        keep[t] = v[t] != v[t - 1]
    return v[keep]


@njit(cache=True)
def scene_summary(
    kind: np.ndarray, cmd_codes: np.ndarray, cmd_offsets: np.ndarray, visible: np.ndarray,
    fill_kind: np.ndarray, stroke_kind: np.ndarray, stroke_width: np.ndarray,
    fill_rgba: np.ndarray, stroke_rgba: np.ndarray, area: np.ndarray, area_inside: np.ndarray,
    stroke_area: np.ndarray, stroke_area_inside: np.ndarray, layer_rgb: np.ndarray,
    layer_top: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray, np.ndarray, np.ndarray, float]:
    """Counts, colours and outside shares of a scene in one pass.

    Returns ``(kind_counts (10,), path_command_counts (4,), fill_codes, stroke_codes,
    fill_colors, stroke_colors, top_codes, top_pixels, primitive_outside, outside_fraction)``:
    colour codes are ``0xRRGGBB`` (-1 for no paint); ``fill_colors``/``stroke_colors`` are the
    sorted distinct codes of visible primitives; ``top_codes``/``top_pixels`` the distinct colours
    of the topmost layers and their pixel counts.
    """
    n = kind.shape[0]
    kind_counts = np.zeros(10, dtype=np.int64)
    cmd_counts = np.zeros(4, dtype=np.int64)
    fill_codes = np.full(n, -1, dtype=np.int64)
    stroke_codes = np.full(n, -1, dtype=np.int64)
    outside = np.full(n, np.nan)
    n_fill = 0
    n_stroke = 0
    total = 0.0
    inside_total = 0.0
    for i in range(n):
        k = kind[i]
        if 0 <= k < 10:
            kind_counts[k] += 1
        if k == KIND_PATH:
            for c in range(cmd_offsets[i], cmd_offsets[i + 1]):
                if cmd_codes[c] < 4:
                    cmd_counts[cmd_codes[c]] += 1
        has_fill = fill_kind[i] != 0
        has_stroke = stroke_kind[i] != 0 and stroke_width[i] > 0.0
        if has_fill:
            fill_codes[i] = _code(fill_rgba[i, 0], fill_rgba[i, 1], fill_rgba[i, 2])
            if visible[i]:
                n_fill += 1
        if has_stroke:
            stroke_codes[i] = _code(stroke_rgba[i, 0], stroke_rgba[i, 1], stroke_rgba[i, 2])
            if visible[i]:
                n_stroke += 1
        measure = stroke_area[i]
        inside = stroke_area_inside[i]
        if (has_fill or k == KIND_IMAGE) and area[i] > 0.0:
            measure += area[i]
            inside += area_inside[i]
        if measure > 0.0:
            outside[i] = min(max(1.0 - inside / measure, 0.0), 1.0)
            if visible[i]:
                total += measure
                inside_total += inside
    fc = np.empty(n_fill, dtype=np.int64)
    sc = np.empty(n_stroke, dtype=np.int64)
    a = 0
    b = 0
    for i in range(n):
        if visible[i] and fill_kind[i] != 0:
            fc[a] = fill_codes[i]
            a += 1
        if visible[i] and stroke_kind[i] != 0 and stroke_width[i] > 0.0:
            sc[b] = stroke_codes[i]
            b += 1
    fill_colors = _sorted_unique(fc[:a])
    stroke_colors = _sorted_unique(sc[:b])
    m = layer_top.shape[0]
    codes = np.empty(m, dtype=np.int64)
    for L in range(m):
        codes[L] = _code(layer_rgb[L, 0], layer_rgb[L, 1], layer_rgb[L, 2]) if layer_top[L] > 0 \
            else -1
    order = np.argsort(codes)
    top_codes = np.empty(m, dtype=np.int64)
    top_pixels = np.zeros(m, dtype=np.int64)
    u = 0
    for t in range(m):
        L = order[t]
        if codes[L] < 0:
            continue
        if u == 0 or top_codes[u - 1] != codes[L]:
            top_codes[u] = codes[L]
            u += 1
        top_pixels[u - 1] += layer_top[L]
    fraction = min(max(1.0 - inside_total / total, 0.0), 1.0) if total > 0.0 else np.nan
    return (kind_counts, cmd_counts, fill_codes, stroke_codes, fill_colors, stroke_colors,
            top_codes[:u].copy(), top_pixels[:u].copy(), outside, fraction)


# --------------------------------------------------------------------------------------------
# layer outlines in raster space


@njit(cache=True)
def _grow(buf: np.ndarray, need: int) -> np.ndarray:
    if need <= buf.shape[0]:
        return buf
    size = max(need, 2 * buf.shape[0])
    out = np.empty((size, buf.shape[1]), dtype=buf.dtype)
    out[: buf.shape[0]] = buf
    return out


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
def _stroke_piece(
    e: np.ndarray, n: int, ax: float, ay: float, bx: float, by: float, hw: float,
    cap_start: int, cap_end: int,
) -> tuple[np.ndarray, int]:
    """One segment of stroke with optional caps at its ends."""
    e = _grow(e, n + 4 + 2 * _DISC_SIDES)
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


@njit(cache=True)
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
            e = _grow(e, n + _DISC_SIDES)
            n = _disc(e, n, pts[a, 0], pts[a, 1], hw)
        elif cap == CAP_SQUARE:
            e = _grow(e, n + 4)
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
                e = _grow(e, n + _DISC_SIDES)
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
                    e = _grow(e, n + _DISC_SIDES)
                    n = _disc(e, n, pts[q, 0], pts[q, 1], hw)
            pos += step
            remaining -= step
            if remaining <= 0.0:
                di = (di + 1) % nd
                remaining = dashes[di]
                on = di % 2 == 0
    return e, n


@njit(cache=True)
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
                e = _grow(e, n + mk)
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


# --------------------------------------------------------------------------------------------
# scanline rasterisation


@njit(cache=True)
def _row_range(y0: float, y1: float, height: int) -> tuple[int, int]:
    """Rows whose centre lies in ``[min(y0, y1), max(y0, y1))``, clamped to the grid."""
    lo = min(y0, y1)
    hi = max(y0, y1)
    r0 = math.ceil(min(max(lo - 0.5, -1.0), height + 1.0))
    r1 = math.ceil(min(max(hi - 0.5, -1.0), height + 1.0))
    return max(int(r0), 0), min(int(r1), height)


@njit(cache=True)
def _layer_spans(
    edges: np.ndarray, e0: int, e1: int, rule: int, width: int, height: int,
    spans: np.ndarray, n_spans: int, xs: np.ndarray, ws: np.ndarray, cnt: np.ndarray,
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]:
    """Append the spans of one layer (edges ``e0:e1``, filled with ``rule``) to ``spans``."""
    rmin = height
    rmax = 0
    total = 0
    for t in range(e0, e1):
        if edges[t, 1] == edges[t, 3] or not (
            math.isfinite(edges[t, 0]) and math.isfinite(edges[t, 1])
            and math.isfinite(edges[t, 2]) and math.isfinite(edges[t, 3])
        ):
            continue
        r0, r1 = _row_range(edges[t, 1], edges[t, 3], height)
        if r1 > r0:
            total += r1 - r0
            rmin = min(rmin, r0)
            rmax = max(rmax, r1)
    if total == 0:
        return spans, n_spans, xs, ws, cnt
    if xs.shape[0] < total:
        xs = np.empty(max(total, 2 * xs.shape[0]))
        ws = np.empty(max(total, 2 * ws.shape[0]), dtype=np.int64)
    nrows = rmax - rmin
    if cnt.shape[0] < nrows + 1:
        cnt = np.empty(max(nrows + 1, 2 * cnt.shape[0]), dtype=np.int64)
    cnt[: nrows + 1] = 0
    for t in range(e0, e1):
        if edges[t, 1] == edges[t, 3] or not (
            math.isfinite(edges[t, 0]) and math.isfinite(edges[t, 1])
            and math.isfinite(edges[t, 2]) and math.isfinite(edges[t, 3])
        ):
            continue
        r0, r1 = _row_range(edges[t, 1], edges[t, 3], height)
        for r in range(r0, r1):
            cnt[r - rmin + 1] += 1
    for r in range(nrows):
        cnt[r + 1] += cnt[r]
    # cnt[r - rmin] is now the write position of row r (advanced while filling)
    for t in range(e0, e1):
        x0 = edges[t, 0]
        y0 = edges[t, 1]
        x1 = edges[t, 2]
        y1 = edges[t, 3]
        if y0 == y1 or not (math.isfinite(x0) and math.isfinite(y0)
                            and math.isfinite(x1) and math.isfinite(y1)):
            continue
        r0, r1 = _row_range(y0, y1, height)
        inv = (x1 - x0) / (y1 - y0)
        d = 1 if y1 > y0 else -1
        for r in range(r0, r1):
            pos = cnt[r - rmin]
            xs[pos] = x0 + (r + 0.5 - y0) * inv
            ws[pos] = d
            cnt[r - rmin] = pos + 1
    # after filling, cnt[r - rmin] is the end of row r; its start is the previous row's end
    start = 0
    for r in range(rmin, rmax):
        end = cnt[r - rmin]
        m = end - start
        if m > 32:
            order = np.argsort(xs[start:end])
            xs[start:end] = xs[start:end][order]
            ws[start:end] = ws[start:end][order]
        elif m >= 2:
            # insertion sort of the row's crossings by x (rows usually hold few crossings)
            for a in range(start + 1, end):
                xv = xs[a]
                wv = ws[a]
                b = a - 1
                while b >= start and xs[b] > xv:
                    xs[b + 1] = xs[b]
                    ws[b + 1] = ws[b]
                    b -= 1
                xs[b + 1] = xv
                ws[b + 1] = wv
        if m >= 2:
            w = 0
            xin = 0.0
            for a in range(start, end):
                was = _inside(w, rule)
                w += ws[a]
                now = _inside(w, rule)
                if now and not was:
                    xin = xs[a]
                elif was and not now:
                    c0 = math.ceil(min(max(xin - 0.5, -1.0), width + 1.0))
                    c1 = math.ceil(min(max(xs[a] - 0.5, -1.0), width + 1.0))
                    c0 = max(int(c0), 0)
                    c1 = min(int(c1), width)
                    if c1 > c0:
                        if n_spans >= spans.shape[0]:
                            spans = _grow(spans, n_spans + 1)
                        spans[n_spans, 0] = r
                        spans[n_spans, 1] = c0
                        spans[n_spans, 2] = c1
                        n_spans += 1
        start = end
    return spans, n_spans, xs, ws, cnt


@njit(cache=True)
def _bbox_centre_pixel(
    edges: np.ndarray, e0: int, e1: int, width: int, height: int
) -> tuple[int, int]:
    """The pixel holding the centre of a layer's edge bbox, or ``(-1, -1)`` when the bbox is
    empty or misses the grid."""
    if e1 <= e0:
        return -1, -1
    x0 = math.inf
    y0 = math.inf
    x1 = -math.inf
    y1 = -math.inf
    for t in range(e0, e1):
        for c in range(2):
            x = edges[t, 2 * c]
            y = edges[t, 2 * c + 1]
            if math.isfinite(x) and math.isfinite(y):
                x0 = min(x0, x)
                x1 = max(x1, x)
                y0 = min(y0, y)
                y1 = max(y1, y)
    if not (x1 >= x0) or x1 < 0.0 or y1 < 0.0 or x0 > width or y0 > height:
        return -1, -1
    if x1 - x0 <= 0.0 and y1 - y0 <= 0.0:
        return -1, -1
    cx = min(max(0.5 * (max(x0, 0.0) + min(x1, float(width))), 0.0), width - 1e-9)
    cy = min(max(0.5 * (max(y0, 0.0) + min(y1, float(height))), 0.0), height - 1e-9)
    return math.floor(cx), math.floor(cy)


@njit(cache=True, inline="always")
def _push_run(
    runs: np.ndarray, n: int, row: int, c0: int, c1: int, first: int
) -> tuple[np.ndarray, int]:
    """Append run ``(row, c0, c1)``, extending the previous run when they touch and it is one of
    this layer's (index ≥ ``first``): runs of different layers share the buffer."""
    if n > first and runs[n - 1, 0] == row and runs[n - 1, 2] == c0:
        runs[n - 1, 2] = c1
        return runs, n
    if n >= runs.shape[0]:
        runs = _grow(runs, n + 1)
    runs[n, 0] = row
    runs[n, 1] = c0
    runs[n, 2] = c1
    return runs, n + 1


# --------------------------------------------------------------------------------------------
# sorted run sets: disjoint runs ordered by (row, col0)


@njit(cache=True)
def _before(a: np.ndarray, i: int, b: np.ndarray, j: int) -> bool:
    return bool(a[i, 0] < b[j, 0] or (a[i, 0] == b[j, 0] and a[i, 1] <= b[j, 1]))


@njit(cache=True)
def runs_union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Union of two sorted run sets (touching runs are joined)."""
    out = np.empty((a.shape[0] + b.shape[0], 3), dtype=np.int32)
    n = 0
    i = 0
    j = 0
    while i < a.shape[0] or j < b.shape[0]:
        if j >= b.shape[0] or (i < a.shape[0] and _before(a, i, b, j)):
            row, lo, hi = a[i, 0], a[i, 1], a[i, 2]
            i += 1
        else:
            row, lo, hi = b[j, 0], b[j, 1], b[j, 2]
            j += 1
        if n > 0 and out[n - 1, 0] == row and lo <= out[n - 1, 2]:
            if hi > out[n - 1, 2]:
                out[n - 1, 2] = hi
        else:
            out[n, 0] = row
            out[n, 1] = lo
            out[n, 2] = hi
            n += 1
    return out[:n].copy()


@njit(cache=True)
def runs_intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection of two sorted run sets, as a sorted run set."""
    out = np.empty((a.shape[0] + b.shape[0], 3), dtype=np.int32)
    n = 0
    i = 0
    j = 0
    while i < a.shape[0] and j < b.shape[0]:
        if a[i, 0] < b[j, 0]:
            i += 1
        elif b[j, 0] < a[i, 0]:
            j += 1
        else:
            lo = max(a[i, 1], b[j, 1])
            hi = min(a[i, 2], b[j, 2])
            if hi > lo:
                out[n, 0] = a[i, 0]
                out[n, 1] = lo
                out[n, 2] = hi
                n += 1
            if a[i, 2] < b[j, 2]:
                i += 1
            else:
                j += 1
    return out[:n].copy()


@njit(cache=True)
def runs_intersection(a: np.ndarray, b: np.ndarray) -> int:
    """Pixels shared by two sorted run sets."""
    i = 0
    j = 0
    total = 0
    while i < a.shape[0] and j < b.shape[0]:
        if a[i, 0] < b[j, 0]:
            i += 1
        elif b[j, 0] < a[i, 0]:
            j += 1
        else:
            lo = max(a[i, 1], b[j, 1])
            hi = min(a[i, 2], b[j, 2])
            if hi > lo:
                total += hi - lo
            if a[i, 2] < b[j, 2]:
                i += 1
            else:
                j += 1
    return total


@njit(cache=True)
def runs_sums(runs: np.ndarray) -> tuple[int, float, float]:
    """``(count, sum of col + 0.5, sum of row + 0.5)`` over the pixels of a run set."""
    count = 0
    sx = 0.0
    sy = 0.0
    for t in range(runs.shape[0]):
        m = runs[t, 2] - runs[t, 1]
        count += m
        sx += m * (runs[t, 1] + runs[t, 2]) * 0.5
        sy += m * (runs[t, 0] + 0.5)
    return count, sx, sy


@njit(cache=True)
def _sort_merge(runs: np.ndarray, width: int) -> np.ndarray:
    """Sort runs by (row, col0) and join overlapping or touching ones."""
    if runs.shape[0] == 0:
        return runs.copy()
    key = runs[:, 0].astype(np.int64) * (width + 1) + runs[:, 1]
    order = np.argsort(key)
    out = np.empty_like(runs)
    n = 0
    for t in range(order.shape[0]):
        row = runs[order[t], 0]
        lo = runs[order[t], 1]
        hi = runs[order[t], 2]
        if n > 0 and out[n - 1, 0] == row and lo <= out[n - 1, 2]:
            if hi > out[n - 1, 2]:
                out[n - 1, 2] = hi
        else:
            out[n, 0] = row
            out[n, 1] = lo
            out[n, 2] = hi
            n += 1
    return out[:n].copy()


# --------------------------------------------------------------------------------------------
# per-row interval sets, updated span by span


@njit(cache=True, inline="always")
def _set_apply(
    off: np.ndarray, cnt: np.ndarray, cap: np.ndarray, lo: np.ndarray, hi: np.ndarray,
    used: np.ndarray, row: int, a: int, b: int, insert: bool, emit: bool, runs: np.ndarray,
    n_runs: int, first_run: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Measure span ``[a, b)`` of ``row`` against the row's interval set.

    Returns ``(lo, hi, runs, n_runs, uncovered)``: ``uncovered`` counts the span's pixels not in
    the set; with ``emit`` the uncovered pieces are appended to ``runs``; with ``insert`` the span
    is added to the set (the pool arrays ``lo``/``hi`` may be reallocated). Emitted runs merge
    only with runs from index ``first_run`` on (the current layer's).
    """
    start = off[row]
    n = cnt[row]
    i0 = 0
    i1 = n
    while i0 < i1:  # first interval ending after a
        mid = (i0 + i1) // 2
        if hi[start + mid] <= a:
            i0 = mid + 1
        else:
            i1 = mid
    first = i0
    cursor = a
    uncovered = 0
    j = first
    while j < n and lo[start + j] < b:
        if lo[start + j] > cursor:
            uncovered += lo[start + j] - cursor
            if emit:
                runs, n_runs = _push_run(runs, n_runs, row, cursor, lo[start + j], first_run)
        if hi[start + j] > cursor:
            cursor = hi[start + j]
        j += 1
    if cursor < b:
        uncovered += b - cursor
        if emit:
            runs, n_runs = _push_run(runs, n_runs, row, cursor, b, first_run)
    if insert and uncovered > 0:
        k0 = first
        if k0 > 0 and hi[start + k0 - 1] == a:
            k0 -= 1  # touching on the left
        k1 = j
        if k1 < n and lo[start + k1] == b:
            k1 += 1  # touching on the right
        new_lo = a
        new_hi = b
        if k1 > k0:
            new_lo = min(a, lo[start + k0])
            new_hi = max(b, hi[start + k1 - 1])
        removed = k1 - k0
        new_n = n - removed + 1
        if new_n > cap[row]:
            new_cap = 2 * cap[row]
            if used[0] + new_cap > lo.shape[0]:
                size = max(2 * lo.shape[0], used[0] + new_cap)
                lo2 = np.empty(size, dtype=lo.dtype)
                hi2 = np.empty(size, dtype=hi.dtype)
                lo2[: used[0]] = lo[: used[0]]
                hi2[: used[0]] = hi[: used[0]]
                lo = lo2
                hi = hi2
            dst = used[0]
            for t in range(n):
                lo[dst + t] = lo[start + t]
                hi[dst + t] = hi[start + t]
            off[row] = dst
            cap[row] = new_cap
            used[0] += new_cap
            start = dst
        if removed == 0:
            for t in range(n - 1, k0 - 1, -1):
                lo[start + t + 1] = lo[start + t]
                hi[start + t + 1] = hi[start + t]
        elif removed > 1:
            shift = removed - 1
            for t in range(k1, n):
                lo[start + t - shift] = lo[start + t]
                hi[start + t - shift] = hi[start + t]
        lo[start + k0] = new_lo
        hi[start + k0] = new_hi
        cnt[row] = new_n
    return lo, hi, runs, n_runs, uncovered


@njit(cache=True)
def _new_sets(height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                    np.ndarray]:
    initial = 4
    off = np.arange(height, dtype=np.int64) * initial
    cnt = np.zeros(height, dtype=np.int64)
    cap = np.full(height, initial, dtype=np.int64)
    lo = np.empty(2 * initial * height + 16, dtype=np.int32)
    hi = np.empty(2 * initial * height + 16, dtype=np.int32)
    used = np.array([initial * height], dtype=np.int64)
    return off, cnt, cap, lo, hi, used


# --------------------------------------------------------------------------------------------
# rasterisation


@njit(cache=True)
def mask_runs(
    edges: np.ndarray, ring_offsets: np.ndarray, rules: np.ndarray, width: int, height: int
) -> np.ndarray:
    """Union of shapes ``k`` (edges ``ring_offsets[k]:ring_offsets[k+1]``, filled with
    ``rules[k]``) as a sorted run set."""
    acc = np.empty((0, 3), dtype=np.int32)
    spans = np.empty((256, 3), dtype=np.int32)
    xs = np.empty(256)
    ws = np.empty(256, dtype=np.int64)
    cnt = np.empty(256, dtype=np.int64)
    for k in range(ring_offsets.shape[0] - 1):
        spans, ns, xs, ws, cnt = _layer_spans(edges, ring_offsets[k], ring_offsets[k + 1],
                                              rules[k], width, height, spans, 0, xs, ws, cnt)
        acc = runs_union(acc, spans[:ns])
    return acc


@njit(cache=True)
def _translucent_alpha(
    spans: np.ndarray, span_off: np.ndarray, layer_alpha: np.ndarray, op_off: np.ndarray,
    op_cnt: np.ndarray, op_lo: np.ndarray, op_hi: np.ndarray,
) -> float:
    """Sum over pixels outside the opaque paint of ``1 - prod(1 - alpha)`` of the translucent
    layers painting them, computed on the pieces between span ends, row by row."""
    n = 0
    for L in range(layer_alpha.shape[0]):
        if layer_alpha[L] < 1.0:
            n += span_off[L + 1] - span_off[L]
    if n == 0:
        return 0.0
    rows = np.empty(n, dtype=np.int64)
    lo = np.empty(n, dtype=np.int64)
    hi = np.empty(n, dtype=np.int64)
    keep = np.empty(n)
    q = 0
    for L in range(layer_alpha.shape[0]):
        if layer_alpha[L] < 1.0:
            for s in range(span_off[L], span_off[L + 1]):
                rows[q] = spans[s, 0]
                lo[q] = spans[s, 1]
                hi[q] = spans[s, 2]
                keep[q] = 1.0 - layer_alpha[L]
                q += 1
    order = np.argsort(rows)
    total = 0.0
    g0 = 0
    cuts = np.empty(2 * n, dtype=np.int64)
    while g0 < n:
        row = rows[order[g0]]
        g1 = g0
        while g1 < n and rows[order[g1]] == row:
            g1 += 1
        if g1 - g0 == 1:  # the common case: one translucent span on this row
            x0 = lo[order[g0]]
            x1 = hi[order[g0]]
            length = x1 - x0
            for t in range(op_cnt[row]):
                a = max(op_lo[op_off[row] + t], x0)
                b = min(op_hi[op_off[row] + t], x1)
                if b > a:
                    length -= b - a
            total += length * (1.0 - keep[order[g0]])
            g0 = g1
            continue
        m = 0
        for t in range(g0, g1):
            cuts[m] = lo[order[t]]
            cuts[m + 1] = hi[order[t]]
            m += 2
        pieces = _sorted_unique(cuts[:m])
        for c in range(pieces.shape[0] - 1):
            x0 = pieces[c]
            x1 = pieces[c + 1]
            product = 1.0
            for t in range(g0, g1):
                if lo[order[t]] <= x0 and hi[order[t]] >= x1:
                    product *= keep[order[t]]
            if product >= 1.0:
                continue
            length = x1 - x0
            for t in range(op_cnt[row]):
                a = max(op_lo[op_off[row] + t], x0)
                b = min(op_hi[op_off[row] + t], x1)
                if b > a:
                    length -= b - a
            total += length * (1.0 - product)
        g0 = g1
    return total


@njit(cache=True)
def rasterise_layers(
    edges: np.ndarray, layer_edge_offsets: np.ndarray, layer_rule: np.ndarray,
    layer_opaque: np.ndarray, layer_alpha: np.ndarray, layer_mask: np.ndarray,
    mask_runs_all: np.ndarray, mask_offsets: np.ndarray, layer_prim: np.ndarray, n_prims: int,
    width: int, height: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, float]:
    """Rasterise all layers and measure what each one paints and shows.

    Pass 1 scan-converts every layer into spans: pixels whose centre lies inside its outline
    under its fill rule, intersected with its clip runs (``mask_runs_all[mask_offsets[m] :
    mask_offsets[m + 1]]`` for ``m = layer_mask[L] >= 0``). A layer that covers no pixel centre
    but whose bbox meets the grid gets the one pixel holding its bbox centre. Pass 2 walks the
    layers front to back (reverse paint order) keeping, per row, the union of opaque paint seen
    so far and the union of all paint seen so far: a layer's *visible* pixels are those not
    under later opaque paint; its *top* pixels those not under any later paint.

    Returns ``(spans, span_offsets, vis_runs, vis_offsets, layer_painted, layer_visible,
    layer_top, layer_prim_top, prim_painted, prim_visible, prim_visible_sums (n, 2), opaque_runs,
    covered, mean_alpha)``. ``spans``/``vis_runs`` hold each layer's sorted run set (layer ``L``
    at ``offsets[L]:offsets[L+1]``); ``layer_prim_top[L]`` counts visible pixels where ``L`` is
    its primitive's topmost visible layer; ``opaque_runs`` is the union of all opaque paint;
    ``covered`` counts pixels painted by anything; ``mean_alpha`` is the grid mean of the
    composited alpha ``1 - prod(1 - alpha_L)``.
    """
    n_layers = layer_rule.shape[0]
    spans = np.empty((4096, 3), dtype=np.int32)
    span_off = np.empty(n_layers + 1, dtype=np.int64)
    scratch = np.empty((256, 3), dtype=np.int32)
    xs = np.empty(1024)
    ws = np.empty(1024, dtype=np.int64)
    cnt = np.empty(1024, dtype=np.int64)
    ns = 0
    for L in range(n_layers):
        span_off[L] = ns
        scratch, k, xs, ws, cnt = _layer_spans(
            edges, layer_edge_offsets[L], layer_edge_offsets[L + 1], layer_rule[L], width,
            height, scratch, 0, xs, ws, cnt,
        )
        if k == 0:
            col, row = _bbox_centre_pixel(edges, layer_edge_offsets[L],
                                          layer_edge_offsets[L + 1], width, height)
            if col >= 0:
                scratch[0, 0] = row
                scratch[0, 1] = col
                scratch[0, 2] = col + 1
                k = 1
        own = scratch[:k]
        m = layer_mask[L]
        if m >= 0:
            own = runs_intersect(own, mask_runs_all[mask_offsets[m] : mask_offsets[m + 1]])
        spans = _grow(spans, ns + own.shape[0])
        spans[ns : ns + own.shape[0]] = own
        ns += own.shape[0]
    span_off[n_layers] = ns

    op_off, op_cnt, op_cap, op_lo, op_hi, op_used = _new_sets(height)
    any_off, any_cnt, any_cap, any_lo, any_hi, any_used = _new_sets(height)
    vis = np.empty((max(ns, 16), 3), dtype=np.int32)
    vis_start = np.zeros(n_layers, dtype=np.int64)
    vis_end = np.zeros(n_layers, dtype=np.int64)
    n_vis = 0
    layer_painted = np.zeros(n_layers, dtype=np.int64)
    layer_visible = np.zeros(n_layers, dtype=np.int64)
    layer_top = np.zeros(n_layers, dtype=np.int64)
    for L in range(n_layers - 1, -1, -1):
        opaque = layer_opaque[L]
        vis_start[L] = n_vis
        painted = 0
        visible = 0
        top = 0
        for s in range(span_off[L], span_off[L + 1]):
            row = spans[s, 0]
            a = spans[s, 1]
            b = spans[s, 2]
            painted += b - a
            op_lo, op_hi, vis, n_vis, u = _set_apply(op_off, op_cnt, op_cap, op_lo, op_hi,
                                                     op_used, row, a, b, opaque, True, vis,
                                                     n_vis, vis_start[L])
            visible += u
            any_lo, any_hi, vis, n_vis, u = _set_apply(any_off, any_cnt, any_cap, any_lo,
                                                       any_hi, any_used, row, a, b, True, False,
                                                       vis, n_vis, vis_start[L])
            top += u
        vis_end[L] = n_vis
        layer_painted[L] = painted
        layer_visible[L] = visible
        layer_top[L] = top
    # re-index the visible runs by layer, in paint order
    vis_runs = np.empty((n_vis, 3), dtype=np.int32)
    vis_off = np.empty(n_layers + 1, dtype=np.int64)
    pos = 0
    for L in range(n_layers):
        vis_off[L] = pos
        k = vis_end[L] - vis_start[L]
        vis_runs[pos : pos + k] = vis[vis_start[L] : vis_end[L]]
        pos += k
    vis_off[n_layers] = pos

    covered = 0
    opaque_px = 0
    n_op = 0
    for r in range(height):
        for t in range(any_cnt[r]):
            covered += any_hi[any_off[r] + t] - any_lo[any_off[r] + t]
        n_op += op_cnt[r]
    opaque_runs = np.empty((n_op, 3), dtype=np.int32)
    q = 0
    for r in range(height):
        for t in range(op_cnt[r]):
            opaque_runs[q, 0] = r
            opaque_runs[q, 1] = op_lo[op_off[r] + t]
            opaque_runs[q, 2] = op_hi[op_off[r] + t]
            opaque_px += opaque_runs[q, 2] - opaque_runs[q, 1]
            q += 1
    # alpha: 1 under opaque paint, else 1 - prod(1 - alpha) of the translucent paint
    alpha_sum = float(opaque_px) + _translucent_alpha(
        spans, span_off, layer_alpha, op_off, op_cnt, op_lo, op_hi)
    mean_alpha = alpha_sum / (height * width) if height * width else 0.0

    # primitives: union of their layers (a primitive has at most two, fill and stroke)
    layer_prim_top = layer_visible.copy()
    prim_painted = np.zeros(n_prims, dtype=np.int64)
    prim_visible = np.zeros(n_prims, dtype=np.int64)
    prim_sums = np.zeros((n_prims, 2))
    first_layer = np.full(n_prims, -1, dtype=np.int64)
    for L in range(n_layers):
        i = layer_prim[L]
        c, sx, sy = runs_sums(vis_runs[vis_off[L] : vis_off[L + 1]])
        prim_sums[i, 0] += sx
        prim_sums[i, 1] += sy
        prim_painted[i] += layer_painted[L]
        prim_visible[i] += c
        if first_layer[i] < 0:
            first_layer[i] = L
        else:
            # second layer of the primitive: remove the pixels counted twice
            F = first_layer[i]
            sa = spans[span_off[F] : span_off[F + 1]]
            sb = spans[span_off[L] : span_off[L + 1]]
            prim_painted[i] -= runs_intersection(sa, sb)
            both = runs_intersect(vis_runs[vis_off[F] : vis_off[F + 1]],
                                  vis_runs[vis_off[L] : vis_off[L + 1]])
            c2, sx2, sy2 = runs_sums(both)
            prim_visible[i] -= c2
            prim_sums[i, 0] -= sx2
            prim_sums[i, 1] -= sy2
            layer_prim_top[F] -= c2  # the later layer is on top where both show
    return (spans[:ns].copy(), span_off, vis_runs, vis_off, layer_painted, layer_visible,
            layer_top, layer_prim_top, prim_painted, prim_visible, prim_sums, opaque_runs,
            covered, mean_alpha)


# --------------------------------------------------------------------------------------------
# objects: unions of layers


@njit(cache=True)
def object_pass(
    spans: np.ndarray, span_offsets: np.ndarray, vis_runs: np.ndarray, vis_offsets: np.ndarray,
    layer_obj: np.ndarray, layer_opaque: np.ndarray, n_objects: int, width: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray, np.ndarray]:
    """Union the layers of each object (``layer_obj[L]``, -1 for none; an object's layers must
    be contiguous in paint order) into three sorted run sets: painted, visible and opaque.

    Returns ``(painted_runs, painted_offsets, visible_runs, visible_offsets, opaque_runs,
    opaque_offsets, layer_obj_top, visible_sums)`` where ``layer_obj_top[L]`` counts visible
    pixels whose topmost visible layer within the object is ``L`` and ``visible_sums[k]`` holds
    ``(count, sum col+0.5, sum row+0.5)`` of object ``k``'s visible pixels.
    """
    n_layers = layer_obj.shape[0]
    first = np.full(n_objects, -1, dtype=np.int64)
    last = np.full(n_objects, -1, dtype=np.int64)
    for L in range(n_layers):
        k = layer_obj[L]
        if k >= 0:
            if first[k] < 0:
                first[k] = L
            last[k] = L
    p_parts = []
    v_parts = []
    o_parts = []
    layer_obj_top = np.zeros(n_layers, dtype=np.int64)
    sums = np.zeros((n_objects, 3))
    empty = np.empty((0, 3), dtype=np.int32)
    for k in range(n_objects):
        if first[k] < 0:
            p_parts.append(empty)
            v_parts.append(empty)
            o_parts.append(empty)
            continue
        L0 = first[k]
        L1 = last[k] + 1
        if L1 - L0 == 1:
            painted = spans[span_offsets[L0] : span_offsets[L1]].copy()
        else:
            painted = _sort_merge(spans[span_offsets[L0] : span_offsets[L1]], width)
        n_op = 0
        for L in range(L0, L1):
            if layer_opaque[L]:
                n_op += span_offsets[L + 1] - span_offsets[L]
        opaque = np.empty((n_op, 3), dtype=np.int32)
        q = 0
        for L in range(L0, L1):
            if layer_opaque[L]:
                m = span_offsets[L + 1] - span_offsets[L]
                opaque[q : q + m] = spans[span_offsets[L] : span_offsets[L + 1]]
                q += m
        if L1 - L0 > 1:
            opaque = _sort_merge(opaque, width)
        acc = empty
        for L in range(L1 - 1, L0 - 1, -1):
            v = vis_runs[vis_offsets[L] : vis_offsets[L + 1]]
            if v.shape[0] == 0:
                continue
            c, _, _ = runs_sums(v)
            layer_obj_top[L] = c - runs_intersection(v, acc)
            acc = runs_union(acc, v)
        c, sx, sy = runs_sums(acc)
        sums[k, 0] = c
        sums[k, 1] = sx
        sums[k, 2] = sy
        p_parts.append(painted)
        v_parts.append(acc)
        o_parts.append(opaque)
    p_runs, p_off = _concat(p_parts)
    v_runs, v_off = _concat(v_parts)
    o_runs, o_off = _concat(o_parts)
    return p_runs, p_off, v_runs, v_off, o_runs, o_off, layer_obj_top, sums


@njit(cache=True)
def _concat(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    off = np.zeros(len(parts) + 1, dtype=np.int64)
    for k in range(len(parts)):
        off[k + 1] = off[k] + parts[k].shape[0]
    out = np.empty((off[-1], 3), dtype=np.int32)
    for k in range(len(parts)):
        out[off[k] : off[k + 1]] = parts[k]
    return out, off


# --------------------------------------------------------------------------------------------
# shape descriptors of a run set


@njit(cache=True)
def _cross(ox: float, oy: float, ax: float, ay: float, bx: float, by: float) -> float:
    return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox)


@njit(cache=True)
def _convex_hull(
    xs: np.ndarray, ys: np.ndarray, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Andrew's monotone chain over points sorted by ``keys`` (which must order them by x, then
    y); returns hull vertices counter-clockwise (in y-up terms)."""
    n = xs.shape[0]
    order = np.argsort(keys)
    hx = np.empty(2 * n + 1)
    hy = np.empty(2 * n + 1)
    k = 0
    for t in range(n):
        i = order[t]
        while k >= 2 and _cross(hx[k - 2], hy[k - 2], hx[k - 1], hy[k - 1], xs[i], ys[i]) <= 0.0:
            k -= 1
        hx[k] = xs[i]
        hy[k] = ys[i]
        k += 1
    lower = k + 1
    for t in range(n - 2, -1, -1):
        i = order[t]
        while k >= lower and _cross(hx[k - 2], hy[k - 2], hx[k - 1], hy[k - 1], xs[i],
                                    ys[i]) <= 0.0:
            k -= 1
        hx[k] = xs[i]
        hy[k] = ys[i]
        k += 1
    if k > 1:
        k -= 1
    return hx[:k].copy(), hy[:k].copy()


@njit(cache=True)
def runs_descriptor(runs: np.ndarray, px: float, py: float) -> np.ndarray:
    """Shape descriptor of a run set, in device units (pixel size ``px × py``).

    Returns ``[area, hull_area, hull_perimeter, min_rect_area, min_rect_long, min_rect_short,
    max_triangle_area, ellipse_iou, bbox_w, bbox_h]``, all NaN for an empty set. The hull is the
    convex hull of the pixel squares; the minimum-area rectangle is found over the hull's edge
    directions (rotating calipers); ``max_triangle_area`` is the largest triangle with vertices
    on the hull; ``ellipse_iou`` is intersection over union of the pixel set with the ellipse of
    equal second moments (semi-axes ``2·sqrt(eigenvalues)``).
    """
    out = np.full(10, np.nan)
    n = runs.shape[0]
    if n == 0:
        return out
    # per-row extremes are enough for the hull
    rmin = runs[:, 0].min()
    rmax = runs[:, 0].max()
    nrows = rmax - rmin + 1
    lo = np.full(nrows, 2**31 - 1, dtype=np.int64)
    hi = np.full(nrows, -1, dtype=np.int64)
    cnt = 0.0
    sx = 0.0
    sy = 0.0
    sxx = 0.0
    syy = 0.0
    sxy = 0.0
    for t in range(n):
        r = runs[t, 0]
        a = runs[t, 1]
        b = runs[t, 2]
        lo[r - rmin] = min(lo[r - rmin], a)
        hi[r - rmin] = max(hi[r - rmin], b)
        m = b - a
        y = (r + 0.5) * py
        # pixel centres x = (c + 0.5) px for c in [a, b); sum (c + 0.5)^2 = sum c^2 + sum c + m/4
        sc = m * (a + b - 1) / 2.0
        scc = ((b - 1) * b * (2 * b - 1) - (a - 1) * a * (2 * a - 1)) / 6.0
        s1 = px * (sc + 0.5 * m)
        s2 = px * px * (scc + sc + 0.25 * m)
        cnt += m
        sx += s1
        sy += m * y
        sxx += s2
        syy += m * y * y
        sxy += y * s1
    area = cnt * px * py
    hx = np.empty(4 * nrows)
    hy = np.empty(4 * nrows)
    hk = np.empty(4 * nrows, dtype=np.int64)  # (col, row) of each corner, lexicographically
    q = 0
    for r in range(nrows):
        if hi[r] < 0:
            continue
        y0 = (rmin + r) * py
        y1 = y0 + py
        x0 = lo[r] * px
        x1 = hi[r] * px
        hx[q] = x0
        hy[q] = y0
        hx[q + 1] = x1
        hy[q + 1] = y0
        hx[q + 2] = x0
        hy[q + 2] = y1
        hx[q + 3] = x1
        hy[q + 3] = y1
        stride = nrows + 2
        hk[q] = lo[r] * stride + r
        hk[q + 1] = hi[r] * stride + r
        hk[q + 2] = lo[r] * stride + r + 1
        hk[q + 3] = hi[r] * stride + r + 1
        q += 4
    cx, cy = _convex_hull(hx[:q], hy[:q], hk[:q])
    h = cx.shape[0]
    hull_area = 0.0
    perim = 0.0
    for t in range(h):
        u = (t + 1) % h
        hull_area += cx[t] * cy[u] - cx[u] * cy[t]
        perim += math.hypot(cx[u] - cx[t], cy[u] - cy[t])
    hull_area = abs(hull_area) / 2.0
    # minimum-area enclosing rectangle: one side lies on a hull edge
    best = math.inf
    best_l = math.nan
    best_s = math.nan
    for t in range(h):
        u = (t + 1) % h
        dx = cx[u] - cx[t]
        dy = cy[u] - cy[t]
        ln = math.hypot(dx, dy)
        if ln == 0.0:
            continue
        dx /= ln
        dy /= ln
        pmin = math.inf
        pmax = -math.inf
        qmin = math.inf
        qmax = -math.inf
        for s in range(h):
            pp = cx[s] * dx + cy[s] * dy
            qq = -cx[s] * dy + cy[s] * dx
            pmin = min(pmin, pp)
            pmax = max(pmax, pp)
            qmin = min(qmin, qq)
            qmax = max(qmax, qq)
        ra = (pmax - pmin) * (qmax - qmin)
        if ra < best:
            best = ra
            best_l = max(pmax - pmin, qmax - qmin)
            best_s = min(pmax - pmin, qmax - qmin)
    # largest triangle on the hull: for each apex i, the best k moves monotonically with j
    tri = 0.0
    if h >= 3:
        for i in range(h):
            k = 2
            for jj in range(1, h - 1):
                if k <= jj:
                    k = jj + 1
                while k + 1 < h and abs(_cross(cx[i], cy[i], cx[(i + jj) % h], cy[(i + jj) % h],
                                               cx[(i + k + 1) % h], cy[(i + k + 1) % h])) >= abs(
                        _cross(cx[i], cy[i], cx[(i + jj) % h], cy[(i + jj) % h],
                               cx[(i + k) % h], cy[(i + k) % h])):
                    k += 1
                ar = abs(_cross(cx[i], cy[i], cx[(i + jj) % h], cy[(i + jj) % h],
                                cx[(i + k) % h], cy[(i + k) % h])) / 2.0
                tri = max(tri, ar)
    # ellipse of equal second moments
    mx = sx / cnt
    my = sy / cnt
    # per-pixel variance of a uniform square adds px^2/12 (py^2/12) to the centre moments
    vxx = sxx / cnt - mx * mx + px * px / 12.0
    vyy = syy / cnt - my * my + py * py / 12.0
    vxy = sxy / cnt - mx * my
    tr = vxx + vyy
    det = vxx * vyy - vxy * vxy
    disc = math.sqrt(max(tr * tr / 4.0 - det, 0.0))
    l1 = tr / 2.0 + disc
    l2 = max(tr / 2.0 - disc, 0.0)
    ea = 2.0 * math.sqrt(l1)
    eb = 2.0 * math.sqrt(l2)
    iou = 0.0
    if ea > 0.0 and eb > 0.0:
        # inverse covariance scaled so that the ellipse is q(x, y) <= 1
        scale = 4.0 * det
        ia = vyy / scale
        ib = -vxy / scale
        ic = vxx / scale
        inter = 0.0
        for t in range(n):
            y = (runs[t, 0] + 0.5) * py - my
            # ia x^2 + 2 ib x y + ic y^2 <= 1  →  x in [x-, x+]
            dd = ib * ib * y * y - ia * (ic * y * y - 1.0)
            if dd <= 0.0:
                continue
            root = math.sqrt(dd)
            xlo = (-ib * y - root) / ia + mx
            xhi = (-ib * y + root) / ia + mx
            # pixel centres (c + 0.5) px inside [xlo, xhi]
            c0 = max(runs[t, 1], math.ceil(xlo / px - 0.5))
            c1 = min(runs[t, 2], math.floor(xhi / px - 0.5) + 1)
            if c1 > c0:
                inter += c1 - c0
        inter *= px * py
        e_area = math.pi * ea * eb
        iou = inter / (area + e_area - inter)
    rx0 = runs[:, 1].min() * px
    rx1 = runs[:, 2].max() * px
    out[0] = area
    out[1] = hull_area
    out[2] = perim
    out[3] = best
    out[4] = best_l
    out[5] = best_s
    out[6] = tri
    out[7] = iou
    out[8] = rx1 - rx0
    out[9] = nrows * py
    return out
