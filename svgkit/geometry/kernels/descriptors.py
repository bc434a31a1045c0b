"""Shape descriptor of a run set in device units: area, convex hull area and perimeter, the
minimum-area enclosing rectangle, the largest triangle on the hull and the overlap with the ellipse
of equal second moments, from which :class:`svgkit.geometry.ShapeDescriptor` takes its ratios.
"""

# mypy: disable-error-code="no-any-return"
# (kernels index untyped numpy arrays; numba, not mypy, checks the types that matter here)

from __future__ import annotations

import math

import numpy as np

from .common import argsort
from .jit import kernel

__all__ = ["runs_descriptor"]


@kernel()
def _cross(ox: float, oy: float, ax: float, ay: float, bx: float, by: float) -> float:
    return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox)


@kernel()
def _convex_hull(
    xs: np.ndarray, ys: np.ndarray, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Andrew's monotone chain over points sorted by ``keys`` (which must order them by x, then
    y); returns hull vertices counter-clockwise (in y-up terms)."""
    n = xs.shape[0]
    order = argsort(keys, n)
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


@kernel("i4[:, ::1], f8, f8")
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
    rmin = runs[0, 0]
    rmax = runs[0, 0]
    cmin = runs[0, 1]
    cmax = runs[0, 2]
    for t in range(1, n):
        rmin = min(rmin, runs[t, 0])
        rmax = max(rmax, runs[t, 0])
        cmin = min(cmin, runs[t, 1])
        cmax = max(cmax, runs[t, 2])
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
    hk = np.empty(4 * nrows)  # (col, row) of each corner, lexicographically (float64: exact)
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
    rx0 = cmin * px
    rx1 = cmax * px
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
