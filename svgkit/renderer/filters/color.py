"""The primitives that map colours pixel by pixel on straight (un-premultiplied) values:
``feColorMatrix`` (the 4×5 matrix; ``saturate``, ``hueRotate`` and ``luminanceToAlpha`` arrive
expanded to it) and ``feComponentTransfer`` (``identity``, ``table``, ``discrete``, ``linear``
and ``gamma`` per channel), each one numba pass that re-premultiplies its result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from ...scene import FilterPrimitive
from .image import (
    Box,
    _Context,
    _finite,
    _Image,
    _intersect,
    _is_empty,
    _op_passthrough,
    _space_of,
    _transparent,
)

__all__: list[str] = []


@njit(cache=True, nogil=True)
def _matrix_kernel(
    src: np.ndarray, out: np.ndarray, m: np.ndarray, y0: int, y1: int, x0: int, x1: int
) -> None:
    """The 4×5 colour matrix on straight RGBA, clamped to [0, 1], re-premultiplied."""
    for y in range(y0, y1):
        out_row = out[y]
        src_row = src[y]
        for x in range(x0, x1):
            a = src_row[x, 3]
            inv = 1.0 / a if a > 0.0 else 0.0
            r = min(max(src_row[x, 0] * inv, 0.0), 1.0)
            g = min(max(src_row[x, 1] * inv, 0.0), 1.0)
            b = min(max(src_row[x, 2] * inv, 0.0), 1.0)
            a = min(max(a, 0.0), 1.0)
            na = m[3, 0] * r + m[3, 1] * g + m[3, 2] * b + m[3, 3] * a + m[3, 4]
            na = min(max(na, 0.0), 1.0)
            out_row[x, 3] = na
            for c in range(3):
                v = m[c, 0] * r + m[c, 1] * g + m[c, 2] * b + m[c, 3] * a + m[c, 4]
                out_row[x, c] = min(max(v, 0.0), 1.0) * na


_IDENTITY_MATRIX: tuple[float, ...] = (
    1.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 1.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 1.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 1.0, 0.0,
)  # fmt: skip


def _matrix_of(prim: FilterPrimitive) -> npt.NDArray[np.float32]:
    values = prim.params.get("matrix", _IDENTITY_MATRIX)
    try:
        m = np.asarray([_finite(v) for v in values], np.float64)
    except TypeError:
        m = np.asarray(_IDENTITY_MATRIX)
    if m.shape != (20,):
        m = np.asarray(_IDENTITY_MATRIX)  # the builder expands and checks; be safe anyway
    return np.ascontiguousarray(m.reshape(4, 5), dtype=np.float32)


def _op_color_matrix(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    space = _space_of(prim)
    src = ins[0]
    m = _matrix_of(prim)
    # transparent pixels are (0, 0, 0, 0) straight: they gain alpha only through the offset m[3, 4]
    box = sub if m[3, 4] > 0.0 else _intersect(sub, src.box)
    if _is_empty(box):
        return _transparent(ctx)
    out = ctx.blank()
    x0, y0, x1, y1 = box
    _matrix_kernel(ctx.pixels(src, space), out, m, y0, y1, x0, x1)
    return _Image(out, box, space)


_TRANSFER_TYPES = ("identity", "table", "discrete", "linear", "gamma")


@njit(cache=True, nogil=True, inline="always")
def _transfer_value(
    v: float, ch: int, kinds: np.ndarray, params: np.ndarray, tables: np.ndarray, sizes: np.ndarray
) -> float:
    """Channel ``ch``'s ``feFuncX`` at straight value ``v`` in [0, 1], clamped to [0, 1]."""
    kind = kinds[ch]
    n = sizes[ch]
    if kind == 1:  # table: C' = v_k + (C·m - k)(v_{k+1} - v_k) over m = n - 1 segments
        segments = n - 1
        if segments == 0:
            out = tables[ch, 0]
        else:
            k = min(int(v * segments), segments - 1)
            out = tables[ch, k] + (v * segments - k) * (tables[ch, k + 1] - tables[ch, k])
    elif kind == 2:  # discrete: C' = v_k, k = floor(C·n), the last step includes C = 1
        out = tables[ch, min(int(v * n), n - 1)]
    elif kind == 3:  # linear
        out = params[ch, 0] * v + params[ch, 1]
    elif kind == 4:  # gamma: amplitude · C^exponent + offset (0^0 = 1, 0^negative = ∞)
        if v > 0.0:
            power = math.pow(v, params[ch, 1])
        elif params[ch, 1] > 0.0:
            power = 0.0
        elif params[ch, 1] == 0.0:
            power = 1.0
        else:
            power = math.inf
        out = params[ch, 0] * power + params[ch, 2]
    else:
        out = v
    if not out > 0.0:  # also NaN
        return 0.0
    return 1.0 if out > 1.0 else float(out)


@njit(cache=True, nogil=True)
def _transfer_kernel(
    src: np.ndarray,
    out: np.ndarray,
    kinds: np.ndarray,
    params: np.ndarray,
    tables: np.ndarray,
    sizes: np.ndarray,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
) -> None:
    """feComponentTransfer: each straight channel through its function, re-premultiplied.
    The last pixel is remembered (solid fills repeat one value)."""
    last = np.full(4, -1.0, np.float32)
    result = np.zeros(4, np.float32)
    for y in range(y0, y1):
        src_row = src[y]
        out_row = out[y]
        for x in range(x0, x1):
            px = src_row[x]
            if not (
                px[0] == last[0] and px[1] == last[1] and px[2] == last[2] and px[3] == last[3]
            ):
                last[:] = px
                a = px[3]
                inv = 1.0 / a if a > 0.0 else 0.0
                na = _transfer_value(min(max(a, 0.0), 1.0), 3, kinds, params, tables, sizes)
                result[3] = na
                for c in range(3):
                    v = min(max(px[c] * inv, 0.0), 1.0)
                    result[c] = _transfer_value(v, c, kinds, params, tables, sizes) * na
            out_row[x, 0] = result[0]
            out_row[x, 1] = result[1]
            out_row[x, 2] = result[2]
            out_row[x, 3] = result[3]


def _transfer_spec(spec: Any) -> tuple[int, tuple[float, float, float], list[float]]:
    """One ``feFuncX`` dict as (type code, parameters, table values); identity when unusable."""
    if not isinstance(spec, Mapping):
        return 0, (0.0, 0.0, 0.0), []
    kind = str(spec.get("type", "identity"))
    if kind in ("table", "discrete"):
        raw = spec.get("tableValues", ())
        if isinstance(raw, str):
            raw = raw.replace(",", " ").split()
        try:
            values = [_finite(v) for v in raw]
        except TypeError:
            values = []
        if not values:
            return 0, (0.0, 0.0, 0.0), []  # an empty list is the identity
        return _TRANSFER_TYPES.index(kind), (0.0, 0.0, 0.0), values
    if kind == "linear":
        slope = _finite(spec.get("slope", 1.0), 1.0)
        return 3, (slope, _finite(spec.get("intercept", 0.0)), 0.0), []
    if kind == "gamma":
        amplitude = _finite(spec.get("amplitude", 1.0), 1.0)
        exponent = _finite(spec.get("exponent", 1.0), 1.0)
        return 4, (amplitude, exponent, _finite(spec.get("offset", 0.0))), []
    return 0, (0.0, 0.0, 0.0), []


def _op_component_transfer(
    ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box
) -> _Image:
    space = _space_of(prim)
    src = ins[0]
    funcs = prim.params.get("funcs", {})
    funcs = funcs if isinstance(funcs, Mapping) else {}
    specs = [_transfer_spec(funcs.get(ch)) for ch in "RGBA"]
    if all(kind == 0 for kind, _, _ in specs):
        return _op_passthrough(ctx, prim, ins, sub)
    kinds = np.array([kind for kind, _, _ in specs], np.int64)
    params = np.array([p for _, p, _ in specs], np.float64)
    sizes = np.array([len(t) for _, _, t in specs], np.int64)
    tables = np.zeros((4, max(1, int(sizes.max()))), np.float64)
    for ch, (_, _, values) in enumerate(specs):
        tables[ch, : len(values)] = values
    # transparent pixels are (0, 0, 0, 0) straight: they gain alpha where funcA(0) > 0
    zero_alpha = _transfer_value(0.0, 3, kinds, params, tables, sizes)
    box = sub if zero_alpha > 0.0 else _intersect(sub, src.box)
    if _is_empty(box):
        return _transparent(ctx)
    out = ctx.blank()
    x0, y0, x1, y1 = box
    _transfer_kernel(ctx.pixels(src, space), out, kinds, params, tables, sizes, y0, y1, x0, x1)
    return _Image(out, box, space)
