"""Primitives that move or place whole pixels: ``feDisplacementMap`` (each pixel fetched from an
offset read in a map image), ``feTile`` (the input's subregion repeated) and ``feImage`` (an image
the renderer drew beforehand, placed in the subregion).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ...scene import FilterPrimitive
from .image import (
    _SRGB,
    Box,
    _Context,
    _Image,
    _intersect,
    _is_empty,
    _pair,
    _placed,
    _space_of,
    _transparent,
)

__all__: list[str] = []

_CHANNELS = {"R": 0, "G": 1, "B": 2, "A": 3}


@njit(cache=True, nogil=True)
def _displace_kernel(
    src: np.ndarray,
    disp: np.ndarray,
    out: np.ndarray,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    x_channel: int,
    y_channel: int,
    m: np.ndarray,
) -> None:
    """``out[y, x] = src[y + round(dy), x + round(dx)]`` with ``(dx, dy)`` = ``m`` (2 × 2, row
    major) times ``(X − 0.5, Y − 0.5)``, where X and Y are the selected straight channels of
    ``disp`` at ``(x, y)``; transparent where the source pixel is outside the work area."""
    height, width = src.shape[0], src.shape[1]
    for y in range(y0, y1):
        for x in range(x0, x1):
            a = disp[y, x, 3]
            if a > 0.0:
                a = min(a, 1.0)
                cx = a if x_channel == 3 else min(max(disp[y, x, x_channel] / a, 0.0), 1.0)
                cy = a if y_channel == 3 else min(max(disp[y, x, y_channel] / a, 0.0), 1.0)
            else:
                cx = 0.0
                cy = 0.0
            ux = cx - 0.5
            uy = cy - 0.5
            dx = m[0] * ux + m[1] * uy
            dy = m[2] * ux + m[3] * uy
            sx = x + np.floor(dx + 0.5)
            sy = y + np.floor(dy + 0.5)
            if 0.0 <= sx < width and 0.0 <= sy < height:
                for c in range(4):
                    out[y, x, c] = src[int(sy), int(sx), c]
            else:
                for c in range(4):
                    out[y, x, c] = 0.0


def _op_displacement_map(
    ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box
) -> _Image:
    """feDisplacementMap (see ``docs/filters.md``)."""
    src, disp = ins[0], ins[1]
    sx_dev, sy_dev = _pair(prim.params.get("scale", 0.0))
    sx_dev = min(max(sx_dev, -1e9), 1e9)
    sy_dev = min(max(sy_dev, -1e9), 1e9)
    x_channel = _CHANNELS.get(str(prim.params.get("x_channel", "A")), 3)
    y_channel = _CHANNELS.get(str(prim.params.get("y_channel", "A")), 3)
    if _is_empty(sub) or _is_empty(src.box):
        return _transparent(ctx)
    a, b, c, d = ctx.linear
    # (X − 0.5, Y − 0.5) → canvas px (per-axis scale) → output px (the linear part)
    m = np.array([a * sx_dev, c * sy_dev, b * sx_dev, d * sy_dev], np.float64)
    if not np.isfinite(m).all():
        return _transparent(ctx)
    out = ctx.blank()
    x0, y0, x1, y1 = sub
    # only the map is read in the primitive's colour space; the displaced image keeps its own
    _displace_kernel(
        src.pixels,
        ctx.pixels(disp, _space_of(prim)),
        out,
        y0,
        y1,
        x0,
        x1,
        x_channel,
        y_channel,
        m,
    )
    return _Image(out, sub, src.space)


def _op_tile(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    """feTile: the input's subregion repeated over the subregion, aligned with it."""
    src = ins[0]
    tile = ctx.input_regions[0] if ctx.input_regions else ctx.full
    tile = _intersect(tile, ctx.full)
    if _is_empty(tile) or _is_empty(sub) or _is_empty(_intersect(tile, src.box)):
        return _transparent(ctx)
    tx0, ty0, tx1, ty1 = tile
    x0, y0, x1, y1 = sub
    cols = tx0 + (np.arange(x0, x1) - tx0) % (tx1 - tx0)
    rows = ty0 + (np.arange(y0, y1) - ty0) % (ty1 - ty0)
    values = src.pixels[rows[:, None], cols[None, :]]
    return _placed(ctx, sub, values, src.space)


def _op_image(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    """feImage: the layer the renderer drew for this primitive, clipped to the subregion."""
    images = ctx.images
    layer = images.get(ctx.index) if images is not None else None
    if layer is None or _is_empty(sub):
        return _transparent(ctx)
    ox, oy = ctx.origin
    h, w = layer.shape[0], layer.shape[1]
    box = _intersect(sub, (-ox, -oy, w - ox, h - oy))
    if _is_empty(box):
        return _transparent(ctx)
    x0, y0, x1, y1 = box
    values = np.asarray(layer[y0 + oy : y1 + oy, x0 + ox : x1 + ox], np.float32)
    values = np.nan_to_num(np.clip(values, 0.0, 1.0))
    return _placed(ctx, box, values, _SRGB)
