"""Sorted run sets, disjoint runs ``(row, col0, col1)`` ordered by ``(row, col0)``: their union,
intersection and pixel sums, and the pass that unions each object's layers into painted, visible
and opaque run sets.
"""

# mypy: disable-error-code="no-any-return"
# (kernels index untyped numpy arrays; numba, not mypy, checks the types that matter here)

from __future__ import annotations

import numpy as np

from .common import argsort, grow
from .jit import kernel

__all__ = [
    "object_pass",
    "runs_intersect",
    "runs_intersection",
    "runs_sums",
    "runs_union",
]


# --------------------------------------------------------------------------------------------
# sorted run sets


@kernel(inline=True)
def _before(a: np.ndarray, i: int, b: np.ndarray, j: int) -> bool:
    return bool(a[i, 0] < b[j, 0] or (a[i, 0] == b[j, 0] and a[i, 1] <= b[j, 1]))


@kernel()
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


@kernel("i4[:, ::1], i4[:, ::1]")
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


@kernel("i4[:, ::1], i4[:, ::1]")
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


@kernel()
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


@kernel()
def _sort_merge(runs: np.ndarray, width: int) -> np.ndarray:
    """Sort runs by (row, col0) and join overlapping or touching ones."""
    if runs.shape[0] == 0:
        return runs.copy()
    key = np.empty(runs.shape[0])  # exact in float64: below 2**53
    for t in range(runs.shape[0]):
        key[t] = np.int64(runs[t, 0]) * (width + 1) + runs[t, 1]
    order = argsort(key, runs.shape[0])
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
# objects: unions of layers


@kernel("i4[:, ::1], i8[::1], i4[:, ::1], i8[::1], i8[::1], b1[::1], i8, i8")
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
    layer_obj_top = np.zeros(n_layers, dtype=np.int64)
    sums = np.zeros((n_objects, 3))
    empty = np.empty((0, 3), dtype=np.int32)
    # an object's runs are a union of its (contiguous) layers' runs, so the buffers hold them
    # all; they grow anyway should a caller break that
    p_runs = np.empty((spans.shape[0], 3), dtype=np.int32)
    o_runs = np.empty((spans.shape[0], 3), dtype=np.int32)
    v_runs = np.empty((vis_runs.shape[0], 3), dtype=np.int32)
    p_off = np.zeros(n_objects + 1, dtype=np.int64)
    v_off = np.zeros(n_objects + 1, dtype=np.int64)
    o_off = np.zeros(n_objects + 1, dtype=np.int64)
    for k in range(n_objects):
        p_off[k + 1] = p_off[k]
        v_off[k + 1] = v_off[k]
        o_off[k + 1] = o_off[k]
        if first[k] < 0:
            continue
        L0 = first[k]
        L1 = last[k] + 1
        if L1 - L0 == 1:
            painted = spans[span_offsets[L0] : span_offsets[L1]]
        else:
            painted = _sort_merge(spans[span_offsets[L0] : span_offsets[L1]], width)
        p_runs = grow(p_runs, p_off[k] + painted.shape[0])
        p_off[k + 1] = _append(p_runs, p_off[k], painted)
        n_op = 0
        for L in range(L0, L1):
            if layer_opaque[L]:
                n_op += span_offsets[L + 1] - span_offsets[L]
        opaque = np.empty((n_op, 3), dtype=np.int32)
        q = 0
        for L in range(L0, L1):
            if layer_opaque[L]:
                q = _append(opaque, q, spans[span_offsets[L] : span_offsets[L + 1]])
        if L1 - L0 > 1:
            opaque = _sort_merge(opaque, width)
        o_runs = grow(o_runs, o_off[k] + opaque.shape[0])
        o_off[k + 1] = _append(o_runs, o_off[k], opaque)
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
        v_runs = grow(v_runs, v_off[k] + acc.shape[0])
        v_off[k + 1] = _append(v_runs, v_off[k], acc)
    return (p_runs[: p_off[n_objects]].copy(), p_off, v_runs[: v_off[n_objects]].copy(), v_off,
            o_runs[: o_off[n_objects]].copy(), o_off, layer_obj_top, sums)


@kernel()
def _append(out: np.ndarray, n: int, runs: np.ndarray) -> int:
    """Copy ``runs`` to ``out[n:]``; returns the new length."""
    for t in range(runs.shape[0]):
        out[n + t, 0] = runs[t, 0]
        out[n + t, 1] = runs[t, 1]
        out[n + t, 2] = runs[t, 2]
    return n + runs.shape[0]
