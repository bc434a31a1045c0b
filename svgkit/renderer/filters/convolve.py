"""``feConvolveMatrix``: a kernel of ``orderX × orderY`` weights applied around each pixel
(premultiplied, or to straight colour with ``preserveAlpha``), with the ``duplicate``, ``wrap`` and
``none`` edge modes at the edges of the filter region, in one numba kernel.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from ...scene import FilterPrimitive
from .image import (
    Box,
    _Context,
    _expand,
    _finite,
    _Image,
    _intersect,
    _is_empty,
    _space_of,
    _transparent,
)

__all__ = ["MAX_KERNEL_SIZE"]

#: Most kernel weights (``orderX · orderY``) a convolution may have; a larger kernel is an error
#: (transparent result) rather than minutes of work.
MAX_KERNEL_SIZE = 1024

_EDGE_MODES = {"none": 0, "duplicate": 1, "wrap": 2}


@njit(cache=True, nogil=True, inline="always")
def _edge_index(k: int, n: int, edge: int) -> int:
    """Index ``k`` of an axis of length ``n`` under ``edgeMode`` (0 none, 1 duplicate,
    2 wrap); -1 when the pixel lies outside with ``none`` (it contributes nothing)."""
    if 0 <= k < n:
        return k
    if edge == 0:
        return -1
    if edge == 1:
        return 0 if k < 0 else n - 1
    return k % n


@njit(cache=True, nogil=True)
def _convolve_kernel(
    src: np.ndarray,
    out: np.ndarray,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    kernel: np.ndarray,
    target_x: int,
    target_y: int,
    divisor: float,
    bias: float,
    edge: int,
    preserve_alpha: bool,
) -> None:
    """``out[y, x] = Σ src[y - ty + i, x - tx + j] · kernel[i, j] / divisor + bias`` over
    ``[y0:y1, x0:x1]`` (``kernel`` already rotated by 180°, as the specification indexes it)."""
    height, width = src.shape[0], src.shape[1]
    rows, cols = kernel.shape[0], kernel.shape[1]
    acc = np.zeros(4, np.float64)
    for y in range(y0, y1):
        for x in range(x0, x1):
            for c in range(4):
                acc[c] = 0.0
            for i in range(rows):
                sy = _edge_index(y - target_y + i, height, edge)
                if sy < 0:
                    continue
                for j in range(cols):
                    k = kernel[i, j]
                    if k == 0.0:
                        continue
                    sx = _edge_index(x - target_x + j, width, edge)
                    if sx < 0:
                        continue
                    a = src[sy, sx, 3]
                    if preserve_alpha:
                        if a > 0.0:
                            inv = 1.0 / a
                            for c in range(3):
                                acc[c] += k * src[sy, sx, c] * inv
                    else:
                        for c in range(4):
                            acc[c] += k * src[sy, sx, c]
            if preserve_alpha:
                alpha = src[y, x, 3]
                if not alpha > 0.0:
                    for c in range(4):
                        out[y, x, c] = 0.0
                    continue
                alpha = min(alpha, 1.0)
                for c in range(3):
                    v = acc[c] / divisor + bias
                    v = 0.0 if not v > 0.0 else min(v, 1.0)
                    out[y, x, c] = v * alpha
                out[y, x, 3] = alpha
            else:
                alpha = acc[3] / divisor + bias
                if not alpha > 0.0:
                    for c in range(4):
                        out[y, x, c] = 0.0
                    continue
                alpha = min(alpha, 1.0)
                for c in range(3):
                    v = acc[c] / divisor + bias * alpha
                    out[y, x, c] = 0.0 if not v > 0.0 else min(v, alpha)
                out[y, x, 3] = alpha


def _kernel_params(params: dict[str, Any]) -> tuple[np.ndarray, int, int, float] | None:
    """The rotated kernel, target and divisor, or ``None`` when the primitive is in error."""
    try:
        order = [float(v) for v in params.get("order", (3, 3))]
        values = [float(v) for v in params.get("kernel", ())]
    except (TypeError, ValueError):
        return None
    if len(order) != 2 or not all(math.isfinite(v) and v >= 1.0 for v in order):
        return None
    ox, oy = int(order[0]), int(order[1])
    if ox * oy > MAX_KERNEL_SIZE or len(values) != ox * oy:
        return None
    if not all(math.isfinite(v) for v in values):
        return None
    kernel = np.array(values, np.float64).reshape(oy, ox)[::-1, ::-1].copy()
    targets = []
    for name, size in (("target_x", ox), ("target_y", oy)):
        raw = params.get(name)
        t = float(size // 2) if raw is None else _finite(raw, math.nan)
        if not (0.0 <= t < size):
            return None
        targets.append(int(t))
    if params.get("divisor") is None:
        total = float(kernel.sum())
        divisor = 1.0 if abs(total) < 1e-9 else total  # the sum of the kernel; 1 for a zero sum
    else:
        divisor = _finite(params.get("divisor"), 0.0)
        if divisor == 0.0:
            return None  # an explicit zero divisor is an error (browsers and resvg)
    return kernel, targets[0], targets[1], divisor


def _op_convolve_matrix(
    ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box
) -> _Image:
    """feConvolveMatrix (see ``docs/filters.md``)."""
    resolved = _kernel_params(prim.params)
    if resolved is None or _is_empty(sub):
        return _transparent(ctx)  # an error in the primitive: transparent black
    kernel, target_x, target_y, divisor = resolved
    bias = min(max(_finite(prim.params.get("bias", 0.0)), -1e15), 1e15)
    edge = _EDGE_MODES.get(str(prim.params.get("edge_mode", "duplicate")), 1)
    preserve_alpha = bool(prim.params.get("preserve_alpha", False))
    space = _space_of(prim)
    src = ins[0]
    box = sub
    if not bias > 0.0 and edge == 0:
        # transparent pixels stay transparent: only the input's box grown by the kernel can change
        rows, cols = kernel.shape
        reach = max(rows, cols)
        box = _intersect(sub, _expand(src.box, reach, reach))
    if _is_empty(box):
        return _transparent(ctx)
    out = ctx.blank()
    x0, y0, x1, y1 = box
    _convolve_kernel(
        ctx.pixels(src, space),
        out,
        y0,
        y1,
        x0,
        x1,
        kernel,
        target_x,
        target_y,
        divisor,
        bias,
        edge,
        preserve_alpha,
    )
    return _Image(out, box, space)
