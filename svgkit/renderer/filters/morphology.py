"""``feMorphology``: erode (running minimum) or dilate (running maximum) over a rectangle of
``2·radius + 1`` pixels per axis, vectorised with numpy in O(log radius) passes.
"""

from __future__ import annotations

import numpy as np

from ...scene import FilterPrimitive
from .image import (
    F32,
    Box,
    _clamp_int,
    _Context,
    _crop,
    _expand,
    _Image,
    _intersect,
    _is_empty,
    _op_passthrough,
    _pair,
    _placed,
    _space_of,
    _transparent,
)

__all__: list[str] = []


def _running_extreme(a: F32, radius: int, axis: int, dilate: bool) -> F32:
    """Max (dilate) or min (erode) over a window of ``2·radius + 1`` along ``axis`` (0 or 1),
    transparent outside the array.

    Doubling: after k steps ``acc[i]`` is the extreme over ``2^k`` values starting at ``i``; two
    overlapping windows of that length then cover any window, so the cost is O(log radius)
    vectorised passes."""
    if radius <= 0:
        return a
    size = 2 * radius + 1
    moved = np.moveaxis(a, axis, 0)
    n = moved.shape[0]
    pick = np.maximum if dilate else np.minimum
    acc = np.zeros((n + 2 * radius, *moved.shape[1:]), np.float32)
    acc[radius : radius + n] = moved
    span = 1
    while span * 2 <= size:
        acc = pick(acc[:-span], acc[span:])
        span *= 2
    out = pick(acc[:n], acc[size - span : size - span + n])
    return np.ascontiguousarray(np.moveaxis(out, 0, axis))


def _op_morphology(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    space = _space_of(prim)
    src = ins[0]
    rx_dev, ry_dev = _pair(prim.params.get("radius", 0.0))
    if rx_dev < 0.0 or ry_dev < 0.0 or (rx_dev == 0.0 and ry_dev == 0.0):
        return _op_passthrough(ctx, prim, ins, sub)
    rx = min(_clamp_int(round(rx_dev * ctx.length_scale[0])), ctx.width)
    ry = min(_clamp_int(round(ry_dev * ctx.length_scale[1])), ctx.height)
    dilate = str(prim.params.get("operator", "erode")) == "dilate"
    box = _intersect(sub, _expand(src.box, rx, ry) if dilate else src.box)
    if _is_empty(box):
        return _transparent(ctx)
    work = _intersect(_expand(box, rx, ry), ctx.full)
    crop = _crop(ctx.pixels(src, space), work)
    out = _running_extreme(_running_extreme(crop, rx, 1, dilate), ry, 0, dilate)
    ox, oy = box[0] - work[0], box[1] - work[1]
    return _placed(ctx, box, out[oy : oy + box[3] - box[1], ox : ox + box[2] - box[0]], space)
