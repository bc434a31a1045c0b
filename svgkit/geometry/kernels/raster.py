"""Scanline rasterisation: layer outlines become spans of the pixels whose centre they cover, then
one front-to-back pass keeps per-row interval sets of the opaque paint and of all paint seen so far
to measure what each layer paints, shows and has on top, and the grid's composited alpha.
"""

# mypy: disable-error-code="no-any-return"
# (kernels index untyped numpy arrays; numba, not mypy, checks the types that matter here)

from __future__ import annotations

import math

import numpy as np

from .common import RULE_EVENODD, argsort, grow, sorted_unique
from .jit import kernel
from .runs import runs_intersect, runs_intersection, runs_sums, runs_union

__all__ = [
    "mask_runs",
    "rasterise_layers",
]


# --------------------------------------------------------------------------------------------
# scanline rasterisation


@kernel(inline=True)  # called per edge: a call costs more than the body
def _row_range(y0: float, y1: float, height: int) -> tuple[int, int]:
    """Rows whose centre lies in ``[min(y0, y1), max(y0, y1))``, clamped to the grid."""
    lo = min(y0, y1)
    hi = max(y0, y1)
    r0 = math.ceil(min(max(lo - 0.5, -1.0), height + 1.0))
    r1 = math.ceil(min(max(hi - 0.5, -1.0), height + 1.0))
    return max(int(r0), 0), min(int(r1), height)


@kernel()
def _layer_spans(
    edges: np.ndarray, e0: int, e1: int, rule: int, width: int, height: int,
    spans: np.ndarray, n_spans: int, xs: np.ndarray, ws: np.ndarray, cnt: np.ndarray,
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]:
    """Append the spans of one layer (edges ``e0:e1``, filled with ``rule``) to ``spans``."""
    evenodd = rule == RULE_EVENODD
    rmin = height
    rmax = 0
    total = 0
    # the rows each edge crosses, found once (two more passes read them); (0, 0) for an edge
    # that crosses none, is horizontal or not finite
    rows = np.empty((max(e1 - e0, 0), 2), dtype=np.int64)
    for t in range(e0, e1):
        rows[t - e0, 0] = 0
        rows[t - e0, 1] = 0
        if edges[t, 1] == edges[t, 3] or not (
            math.isfinite(edges[t, 0]) and math.isfinite(edges[t, 1])
            and math.isfinite(edges[t, 2]) and math.isfinite(edges[t, 3])
        ):
            continue
        r0, r1 = _row_range(edges[t, 1], edges[t, 3], height)
        if r1 > r0:
            rows[t - e0, 0] = r0
            rows[t - e0, 1] = r1
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
    for r in range(nrows + 1):
        cnt[r] = 0
    for t in range(e1 - e0):
        for r in range(rows[t, 0], rows[t, 1]):
            cnt[r - rmin + 1] += 1
    for r in range(nrows):
        cnt[r + 1] += cnt[r]
    # cnt[r - rmin] is now the write position of row r (advanced while filling)
    for t in range(e0, e1):
        r0 = rows[t - e0, 0]
        r1 = rows[t - e0, 1]
        if r1 <= r0:
            continue
        x0 = edges[t, 0]
        y0 = edges[t, 1]
        x1 = edges[t, 2]
        y1 = edges[t, 3]
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
            row_x = np.empty(m)
            row_w = np.empty(m, dtype=np.int64)
            for a in range(m):
                row_x[a] = xs[start + a]
                row_w[a] = ws[start + a]
            order = argsort(row_x, m)
            for a in range(m):
                xs[start + a] = row_x[order[a]]
                ws[start + a] = row_w[order[a]]
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
                was = (w & 1) == 1 if evenodd else w != 0
                w += ws[a]
                now = (w & 1) == 1 if evenodd else w != 0
                if now and not was:
                    xin = xs[a]
                elif was and not now:
                    c0 = math.ceil(min(max(xin - 0.5, -1.0), width + 1.0))
                    c1 = math.ceil(min(max(xs[a] - 0.5, -1.0), width + 1.0))
                    c0 = max(int(c0), 0)
                    c1 = min(int(c1), width)
                    if c1 > c0:
                        if n_spans >= spans.shape[0]:
                            spans = grow(spans, n_spans + 1)
                        spans[n_spans, 0] = r
                        spans[n_spans, 1] = c0
                        spans[n_spans, 2] = c1
                        n_spans += 1
        start = end
    return spans, n_spans, xs, ws, cnt


@kernel()
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


@kernel(inline=True)
def _push_run(runs: np.ndarray, n: int, row: int, c0: int, c1: int, first: int) -> int:
    """Append run ``(row, c0, c1)`` (``runs`` has room), extending the previous run when they
    touch and it is one of this layer's (index ≥ ``first``): runs of different layers share the
    buffer."""
    if n > first and runs[n - 1, 0] == row and runs[n - 1, 2] == c0:
        runs[n - 1, 2] = c1
        return n
    runs[n, 0] = row
    runs[n, 1] = c0
    runs[n, 2] = c1
    return n + 1

# --------------------------------------------------------------------------------------------
# per-row interval sets, updated span by span


# A set is two arrays: ``meta`` (3, height + 1) int64 holds per row the offset of its intervals
# in the pool (row 0), their count (row 1) and the capacity reserved there (row 2), and in
# ``meta[0, height]`` the length of the pool in use; ``pool`` (2, size) int32 holds the
# intervals' starts (row 0) and ends (row 1), each row's sorted and disjoint.
_OFF = 0
_CNT = 1
_CAP = 2


@kernel(inline=True)  # called per span, twice: a call costs more than the body
def _set_apply(
    meta: np.ndarray, pool: np.ndarray, row: int, a: int, b: int, insert: bool, emit: bool,
    runs: np.ndarray, n_runs: int, first_run: int,
) -> tuple[int, int]:
    """Measure span ``[a, b)`` of ``row`` against the row's interval set.

    Returns ``(n_runs, uncovered)``: ``uncovered`` counts the span's pixels not in the set; with
    ``emit`` the uncovered pieces are appended to ``runs``; with ``insert`` the span is added to
    the set. Emitted runs merge only with runs from index ``first_run`` on (the current
    layer's). The caller guarantees room (:func:`_room`): ``runs`` for ``meta[_CNT, row] + 1``
    more runs, the pool for moving the row to twice its capacity.
    """
    start = meta[_OFF, row]
    n = meta[_CNT, row]
    i0 = 0
    i1 = n
    while i0 < i1:  # first interval ending after a
        mid = (i0 + i1) // 2
        if pool[1, start + mid] <= a:
            i0 = mid + 1
        else:
            i1 = mid
    first = i0
    cursor = a
    uncovered = 0
    j = first
    while j < n and pool[0, start + j] < b:
        if pool[0, start + j] > cursor:
            uncovered += pool[0, start + j] - cursor
            if emit:
                n_runs = _push_run(runs, n_runs, row, cursor, pool[0, start + j], first_run)
        if pool[1, start + j] > cursor:
            cursor = pool[1, start + j]
        j += 1
    if cursor < b:
        uncovered += b - cursor
        if emit:
            n_runs = _push_run(runs, n_runs, row, cursor, b, first_run)
    if insert and uncovered > 0:
        k0 = first
        if k0 > 0 and pool[1, start + k0 - 1] == a:
            k0 -= 1  # touching on the left
        k1 = j
        if k1 < n and pool[0, start + k1] == b:
            k1 += 1  # touching on the right
        new_lo = a
        new_hi = b
        if k1 > k0:
            new_lo = min(a, pool[0, start + k0])
            new_hi = max(b, pool[1, start + k1 - 1])
        removed = k1 - k0
        new_n = n - removed + 1
        if new_n > meta[_CAP, row]:
            # move the row to the end of the pool with twice the capacity
            height = meta.shape[1] - 1
            dst = meta[_OFF, height]
            for t in range(n):
                pool[0, dst + t] = pool[0, start + t]
                pool[1, dst + t] = pool[1, start + t]
            meta[_OFF, row] = dst
            meta[_CAP, row] *= 2
            meta[_OFF, height] += meta[_CAP, row]
            start = dst
        if removed == 0:
            for t in range(n - 1, k0 - 1, -1):
                pool[0, start + t + 1] = pool[0, start + t]
                pool[1, start + t + 1] = pool[1, start + t]
        elif removed > 1:
            shift = removed - 1
            for t in range(k1, n):
                pool[0, start + t - shift] = pool[0, start + t]
                pool[1, start + t - shift] = pool[1, start + t]
        pool[0, start + k0] = new_lo
        pool[1, start + k0] = new_hi
        meta[_CNT, row] = new_n
    return n_runs, uncovered


@kernel()
def _room(
    meta: np.ndarray, pool: np.ndarray, row: int, runs: np.ndarray, n_runs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Grow the pool and the run buffer, when needed, so :func:`_set_apply` on ``row`` fits."""
    used = meta[_OFF, meta.shape[1] - 1]
    need = used + 2 * meta[_CAP, row]
    if need > pool.shape[1]:
        bigger = np.empty((2, max(2 * pool.shape[1], need)), dtype=pool.dtype)
        for t in range(used):
            bigger[0, t] = pool[0, t]
            bigger[1, t] = pool[1, t]
        pool = bigger
    return pool, grow(runs, n_runs + meta[_CNT, row] + 1)


@kernel()
def _new_set(height: int) -> tuple[np.ndarray, np.ndarray]:
    initial = 4
    meta = np.empty((3, height + 1), dtype=np.int64)
    for r in range(height):
        meta[_OFF, r] = r * initial
        meta[_CNT, r] = 0
        meta[_CAP, r] = initial
    meta[_OFF, height] = initial * height
    meta[_CNT, height] = 0
    meta[_CAP, height] = 0
    pool = np.empty((2, 2 * initial * height + 16), dtype=np.int32)
    return meta, pool

# --------------------------------------------------------------------------------------------
# rasterisation


@kernel("f8[:, ::1], i8[::1], i8[::1], i8, i8")
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


@kernel()
def _translucent_alpha(
    spans: np.ndarray, span_off: np.ndarray, layer_alpha: np.ndarray, op_meta: np.ndarray,
    op_pool: np.ndarray,
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
    row_keys = np.empty(n)
    lo = np.empty(n, dtype=np.int64)
    hi = np.empty(n, dtype=np.int64)
    keep = np.empty(n)
    q = 0
    for L in range(layer_alpha.shape[0]):
        if layer_alpha[L] < 1.0:
            for s in range(span_off[L], span_off[L + 1]):
                rows[q] = spans[s, 0]
                row_keys[q] = spans[s, 0]
                lo[q] = spans[s, 1]
                hi[q] = spans[s, 2]
                keep[q] = 1.0 - layer_alpha[L]
                q += 1
    order = argsort(row_keys, n)
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
            for t in range(op_meta[_OFF, row], op_meta[_OFF, row] + op_meta[_CNT, row]):
                a = max(op_pool[0, t], x0)
                b = min(op_pool[1, t], x1)
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
        pieces = sorted_unique(cuts, m)
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
            for t in range(op_meta[_OFF, row], op_meta[_OFF, row] + op_meta[_CNT, row]):
                a = max(op_pool[0, t], x0)
                b = min(op_pool[1, t], x1)
                if b > a:
                    length -= b - a
            total += length * (1.0 - product)
        g0 = g1
    return total


@kernel(
    "f8[:, ::1], i8[::1], i8[::1], b1[::1], f8[::1], i8[::1], i4[:, ::1], i8[::1], i8[::1], "
    "i8, i8, i8"
)
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
        spans = grow(spans, ns + own.shape[0])
        for t in range(own.shape[0]):
            spans[ns + t, 0] = own[t, 0]
            spans[ns + t, 1] = own[t, 1]
            spans[ns + t, 2] = own[t, 2]
        ns += own.shape[0]
    span_off[n_layers] = ns

    op_meta, op_pool = _new_set(height)
    any_meta, any_pool = _new_set(height)
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
            if (op_meta[_OFF, height] + 2 * op_meta[_CAP, row] > op_pool.shape[1]
                    or n_vis + op_meta[_CNT, row] + 1 > vis.shape[0]):
                op_pool, vis = _room(op_meta, op_pool, row, vis, n_vis)
            n_vis, u = _set_apply(op_meta, op_pool, row, a, b, opaque, True, vis, n_vis,
                                  vis_start[L])
            visible += u
            if any_meta[_OFF, height] + 2 * any_meta[_CAP, row] > any_pool.shape[1]:
                any_pool, vis = _room(any_meta, any_pool, row, vis, n_vis)
            n_vis, u = _set_apply(any_meta, any_pool, row, a, b, True, False, vis, n_vis,
                                  vis_start[L])
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
        for t in range(vis_start[L], vis_end[L]):
            vis_runs[pos, 0] = vis[t, 0]
            vis_runs[pos, 1] = vis[t, 1]
            vis_runs[pos, 2] = vis[t, 2]
            pos += 1
    vis_off[n_layers] = pos

    covered = 0
    opaque_px = 0
    n_op = 0
    for r in range(height):
        for t in range(any_meta[_OFF, r], any_meta[_OFF, r] + any_meta[_CNT, r]):
            covered += any_pool[1, t] - any_pool[0, t]
        n_op += op_meta[_CNT, r]
    opaque_runs = np.empty((n_op, 3), dtype=np.int32)
    q = 0
    for r in range(height):
        for t in range(op_meta[_OFF, r], op_meta[_OFF, r] + op_meta[_CNT, r]):
            opaque_runs[q, 0] = r
            opaque_runs[q, 1] = op_pool[0, t]
            opaque_runs[q, 2] = op_pool[1, t]
            opaque_px += opaque_runs[q, 2] - opaque_runs[q, 1]
            q += 1
    # alpha: 1 under opaque paint, else 1 - prod(1 - alpha) of the translucent paint
    alpha_sum = float(opaque_px) + _translucent_alpha(
        spans, span_off, layer_alpha, op_meta, op_pool)
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
