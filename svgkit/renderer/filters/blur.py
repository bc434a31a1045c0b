"""Gaussian blur and the primitives built on it or on moving pixels: ``feGaussianBlur``,
``feOffset`` and ``feDropShadow``. Each axis is a true Gaussian kernel below std dev 2 and the
spec's three box passes from 2 on, as separable numba passes over the box the blur can reach.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt
from numba import njit

from ...scene import FilterPrimitive
from .composite import _over_kernel, _paint_kernel
from .image import (
    _EMPTY,
    F32,
    Box,
    _Arena,
    _clamp_int,
    _Context,
    _crop,
    _expand,
    _finite,
    _flood_premultiplied,
    _Image,
    _intersect,
    _is_empty,
    _op_passthrough,
    _pair,
    _placed,
    _shift,
    _space_of,
    _transparent,
    _union,
)

__all__ = ["blur_box_sizes"]

# Largest box size handed to the kernels: beyond this a box covers any layer many times over.
_MAX_BOX = 1 << 30
# Gaussian kernel is used below this std deviation (the spec allows three box blurs from 2.0).
_BOX_BLUR_FROM = 2.0

# ---------------------------------------------------------------------------------------------
# blur kernels: separable passes over (rows, row_length) views; zero outside the array


@njit(cache=True, nogil=True)
def _box_axis0(src: np.ndarray, dst: np.ndarray, lo: int, size: int) -> None:
    """``dst[y] = mean(src[y + lo : y + lo + size])`` along axis 0, zero outside ``src``.

    A running sum over whole rows: O(1) per pixel whatever the box size. Rows are taken as 1-D
    views so the inner loops vectorise."""
    h, n = src.shape
    # float32 sums vectorise twice as wide as float64; the drift of a running sum over a few
    # thousand rows stays below 1e-5, far under one 8-bit level
    acc = np.zeros(n, np.float32)
    inv = np.float32(1.0 / size)
    # the window for y = -1 is [lo - 1, lo - 1 + size); only its part inside the array counts
    for k in range(max(lo - 1, 0), min(lo - 1 + size, h)):
        row = src[k]
        for j in range(n):
            acc[j] += row[j]
    for y in range(h):
        add = y + lo + size - 1
        sub = y + lo - 1
        if 0 <= add < h:
            row = src[add]
            for j in range(n):
                acc[j] += row[j]
        if 0 <= sub < h:
            row = src[sub]
            for j in range(n):
                acc[j] -= row[j]
        out = dst[y]
        for j in range(n):
            out[j] = acc[j] * inv


@njit(cache=True, nogil=True)
def _box_axis1(src: np.ndarray, dst: np.ndarray, lo: int, size: int) -> None:
    """The same box along axis 1 of ``(h, w, c)``; four channels are summed side by side."""
    h, w, c = src.shape
    inv = np.float32(1.0 / size)
    k0 = max(lo - 1, 0)
    k1 = min(lo - 1 + size, w)
    if c == 4:
        for y in range(h):
            dst_row = dst[y]
            src_row = src[y]
            a0 = np.float32(0.0)
            a1 = np.float32(0.0)
            a2 = np.float32(0.0)
            a3 = np.float32(0.0)
            for k in range(k0, k1):
                a0 += src_row[k, 0]
                a1 += src_row[k, 1]
                a2 += src_row[k, 2]
                a3 += src_row[k, 3]
            for x in range(w):
                add = x + lo + size - 1
                sub = x + lo - 1
                if 0 <= add < w:
                    a0 += src_row[add, 0]
                    a1 += src_row[add, 1]
                    a2 += src_row[add, 2]
                    a3 += src_row[add, 3]
                if 0 <= sub < w:
                    a0 -= src_row[sub, 0]
                    a1 -= src_row[sub, 1]
                    a2 -= src_row[sub, 2]
                    a3 -= src_row[sub, 3]
                dst_row[x, 0] = a0 * inv
                dst_row[x, 1] = a1 * inv
                dst_row[x, 2] = a2 * inv
                dst_row[x, 3] = a3 * inv
        return
    for y in range(h):
        dst_row = dst[y]
        src_row = src[y]
        for ch in range(c):
            acc = np.float32(0.0)
            for k in range(k0, k1):
                acc += src_row[k, ch]
            for x in range(w):
                add = x + lo + size - 1
                sub = x + lo - 1
                if 0 <= add < w:
                    acc += src_row[add, ch]
                if 0 <= sub < w:
                    acc -= src_row[sub, ch]
                dst_row[x, ch] = acc * inv


@njit(cache=True, nogil=True)
def _conv_axis0(src: np.ndarray, dst: np.ndarray, weights: np.ndarray) -> None:
    """Convolve along axis 0 of ``(h, n)`` with an odd-length centred kernel, zero outside."""
    h, n = src.shape
    r = (weights.shape[0] - 1) // 2
    for y in range(h):
        out = dst[y]
        for j in range(n):
            out[j] = 0.0
        for t in range(weights.shape[0]):
            k = y + t - r
            if 0 <= k < h:
                wt = weights[t]
                row = src[k]
                for j in range(n):
                    out[j] += wt * row[j]


@njit(cache=True, nogil=True)
def _conv_axis1(src: np.ndarray, dst: np.ndarray, weights: np.ndarray, channels: int) -> None:
    """Convolve along the pixels of each row of ``(h, w * channels)``: a tap is a shift of the
    flattened row by whole pixels, so the inner loop is a vectorised multiply-add over 1-D
    slices."""
    h, n = src.shape
    r = (weights.shape[0] - 1) // 2
    for y in range(h):
        out = dst[y]
        row = src[y]
        for j in range(n):
            out[j] = 0.0
        for t in range(weights.shape[0]):
            off = (t - r) * channels
            wt = weights[t]
            j0 = max(0, -off)
            j1 = min(n, n - off)
            target = out[j0:j1]
            shifted = row[j0 + off : j1 + off]
            for j in range(j1 - j0):
                target[j] += wt * shifted[j]


def blur_box_sizes(std_dev: float) -> tuple[tuple[int, int], ...]:
    """The three box passes that approximate a Gaussian of ``std_dev`` px (std_dev ≥ 2).

    Each pass is ``(lo, size)``: output pixel ``x`` averages input pixels
    ``x + lo … x + lo + size - 1``. With ``d = floor(std_dev · 3·√(2π)/4 + 0.5)``: three
    centred boxes of size ``d`` when ``d`` is odd; when even, a box of size ``d`` centred on the
    pixel's left edge, one centred on its right edge and one of size ``d + 1`` centred on the
    pixel (the rule of the Filter Effects spec).

    Examples
    --------
    >>> blur_box_sizes(3.0)
    ((-3, 6), (-2, 6), (-3, 7))
    >>> blur_box_sizes(2.5)
    ((-2, 5), (-2, 5), (-2, 5))
    """
    d = math.floor(std_dev * 3.0 * math.sqrt(2.0 * math.pi) / 4.0 + 0.5)
    d = max(1, min(d, _MAX_BOX))
    half = d // 2
    if d % 2:
        return ((-half, d),) * 3
    return ((-half, d), (-half + 1, d), (-half, d + 1))


# ---------------------------------------------------------------------------------------------
# blurring an array


def _gaussian_weights(std_dev: float) -> npt.NDArray[np.float32]:
    radius = max(1, math.ceil(3.0 * std_dev))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    w = np.exp(-0.5 * (x / std_dev) ** 2)
    weights: F32 = (w / w.sum()).astype(np.float32)
    return weights


def _axis_reach(std_dev: float) -> int:
    """How far (px) one axis of the blur reaches: output depends on input within ± this."""
    if std_dev <= 0.0:
        return 0
    if std_dev < _BOX_BLUR_FROM:
        return max(1, math.ceil(3.0 * std_dev))
    return sum(max(-lo, lo + size - 1) for lo, size in blur_box_sizes(std_dev))


def _blur_array(pixels: F32, sx: float, sy: float, arena: _Arena) -> F32:
    """Blur a C-contiguous ``(h, w, c)`` float32 array (zero outside it) by std devs in px.

    Returns an arena buffer (``pixels`` itself is never written). Each axis uses a true Gaussian
    kernel below std dev 2 and the spec's three box passes from 2 on; std dev 0 skips the axis."""
    h, w, c = pixels.shape
    rows = (h, w * c)
    Pass = Callable[[F32, F32], None]

    def gauss_y(weights: F32) -> Pass:
        return lambda s, d: _conv_axis0(s.reshape(rows), d.reshape(rows), weights)

    def gauss_x(weights: F32) -> Pass:
        return lambda s, d: _conv_axis1(s.reshape(rows), d.reshape(rows), weights, c)

    def box_y(lo: int, size: int) -> Pass:
        return lambda s, d: _box_axis0(s.reshape(rows), d.reshape(rows), lo, size)

    def box_x(lo: int, size: int) -> Pass:
        return lambda s, d: _box_axis1(s, d, lo, size)

    passes: list[Pass] = []
    if sy > 0.0:
        if sy < _BOX_BLUR_FROM:
            passes.append(gauss_y(_gaussian_weights(sy)))
        else:
            passes += [box_y(lo, size) for lo, size in blur_box_sizes(sy)]
    if sx > 0.0:
        if sx < _BOX_BLUR_FROM:
            passes.append(gauss_x(_gaussian_weights(sx)))
        else:
            passes += [box_x(lo, size) for lo, size in blur_box_sizes(sx)]
    if not passes:
        out = arena.empty(pixels.shape)
        out[...] = pixels
        return out
    src = pixels
    spare: F32 | None = None
    for apply in passes:
        dst = spare if spare is not None else arena.empty(pixels.shape)
        apply(src, dst)
        # ping-pong between two arena buffers; the caller's array is only ever read
        spare = src if src is not pixels else None
        src = dst
    return src


# ---------------------------------------------------------------------------------------------
# primitives


def _blurred(
    ctx: _Context, image: F32, image_box: Box, sub: Box, sx: float, sy: float, edge_mode: str
) -> tuple[F32, Box]:
    """Blur ``image`` (work-area sized, zero outside ``image_box``) by std devs in output px;
    returns the pixels of the result box (within ``sub``) and that box."""
    rx, ry = _axis_reach(sx), _axis_reach(sy)
    if edge_mode in ("duplicate", "wrap"):
        # The subregion is the image edge: its pixels are extended outwards by repetition or
        # wrapping. The extension reaches at most one subregion size on each side.
        x0, y0, x1, y1 = sub
        px, py = min(rx, x1 - x0), min(ry, y1 - y0)
        mode: Literal["edge", "wrap"] = "edge" if edge_mode == "duplicate" else "wrap"
        padded = np.pad(_crop(image, sub), ((py, py), (px, px), (0, 0)), mode=mode)
        blurred = _blur_array(np.ascontiguousarray(padded), sx, sy, ctx.arena)
        return blurred[py : py + y1 - y0, px : px + x1 - x0], sub
    out_box = _intersect(sub, _expand(image_box, rx, ry))
    if _is_empty(out_box):
        return np.zeros((0, 0, image.shape[2]), np.float32), _EMPTY
    work = _intersect(_expand(out_box, rx, ry), ctx.full)
    crop = _crop(image, work)
    if not crop.flags.c_contiguous:
        copy = ctx.arena.empty(crop.shape)
        copy[...] = crop
        crop = copy
    blurred = _blur_array(crop, sx, sy, ctx.arena)
    ox, oy = out_box[0] - work[0], out_box[1] - work[1]
    return blurred[oy : oy + out_box[3] - out_box[1], ox : ox + out_box[2] - out_box[0]], out_box


# an offset this close to a whole pixel is that pixel (float noise from transforms)
_OFFSET_SNAP = 1e-3

# below this std deviation in output px a Gaussian's neighbour weight is under 1e-21: no blur
_NEGLIGIBLE_STD_DEV = 0.1


def _std_dev_px(ctx: _Context, sx: float, sy: float) -> tuple[float, float]:
    sx = sx * ctx.length_scale[0] if sx > 0.0 else 0.0
    sy = sy * ctx.length_scale[1] if sy > 0.0 else 0.0
    return (sx if sx >= _NEGLIGIBLE_STD_DEV else 0.0), (sy if sy >= _NEGLIGIBLE_STD_DEV else 0.0)


def _op_gaussian_blur(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    src = ins[0]
    sx_dev, sy_dev = _pair(prim.params.get("std_dev", 0.0))
    sx, sy = _std_dev_px(ctx, sx_dev, sy_dev)
    if sx_dev < 0.0 or sy_dev < 0.0 or (sx == 0.0 and sy == 0.0):
        # a negative value or zero on both axes disables the blur: the result is the input
        return _op_passthrough(ctx, prim, ins, sub)
    space = _space_of(prim)
    edge_mode = str(prim.params.get("edge_mode", "none"))
    values, box = _blurred(ctx, ctx.pixels(src, space), src.box, sub, sx, sy, edge_mode)
    return _placed(ctx, box, values, space)


def _whole_px(v: float) -> int:
    """An offset in output px as whole pixels, truncated toward zero as Firefox and resvg do (a
    7.5 px offset moves 7 px); a value within float noise of an integer snaps to it."""
    nearest = round(v) if math.isfinite(v) else 0.0
    return _clamp_int(nearest if abs(v - nearest) < _OFFSET_SNAP else v)


def _offset_px(ctx: _Context, dx: float, dy: float) -> tuple[int, int]:
    a, b, c, d = ctx.linear
    return _whole_px(a * dx + c * dy), _whole_px(b * dx + d * dy)


def _shifted(box_in: Box, pixels: F32, dx: int, dy: int, sub: Box) -> tuple[F32, Box]:
    """The pixels of ``box_in`` moved by (dx, dy) and clipped to ``sub``, and their new box."""
    box = _intersect(sub, _shift(box_in, dx, dy))
    if _is_empty(box):
        return np.zeros((0, 0, pixels.shape[2]), np.float32), _EMPTY
    return _crop(pixels, _shift(box, -dx, -dy)), box


def _op_offset(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    src = ins[0]
    dx, dy = _offset_px(
        ctx, _finite(prim.params.get("dx", 0.0)), _finite(prim.params.get("dy", 0.0))
    )
    values, box = _shifted(src.box, src.pixels, dx, dy, sub)
    # moving pixels commutes with the colour-space conversion: keep the input's space
    return _placed(ctx, box, values, src.space)


def _op_drop_shadow(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    space = _space_of(prim)
    src = ins[0]
    colour = _flood_premultiplied(prim.params.get("rgba", (0.0, 0.0, 0.0, 1.0)), space)
    sx_dev, sy_dev = _pair(prim.params.get("std_dev", 2.0))
    sx, sy = _std_dev_px(ctx, sx_dev, sy_dev)
    dx, dy = _offset_px(
        ctx, _finite(prim.params.get("dx", 2.0)), _finite(prim.params.get("dy", 2.0))
    )
    # the shadow: the input's alpha, blurred, moved, and painted with the flood colour
    alpha = src.pixels[..., 3:4]
    shadow_box = _EMPTY
    moved = np.zeros((0, 0, 1), np.float32)
    if colour[3] > 0.0:
        if sx > 0.0 or sy > 0.0:
            # only the part of the blur that lands in the subregion after the move is needed
            target = _intersect(_shift(sub, -dx, -dy), ctx.full)
            values, blur_box = _blurred(ctx, alpha, src.box, target, sx, sy, "none")
            moved, shadow_box = _shifted(blur_box, values, dx, dy, sub)
            if not _is_empty(shadow_box):
                # _shifted cropped relative to the work area; re-crop relative to the blur box
                bx0 = shadow_box[0] - dx - blur_box[0]
                by0 = shadow_box[1] - dy - blur_box[1]
                h, w = shadow_box[3] - shadow_box[1], shadow_box[2] - shadow_box[0]
                moved = values[by0 : by0 + h, bx0 : bx0 + w]
        else:
            moved, shadow_box = _shifted(src.box, alpha, dx, dy, sub)
    box = _intersect(sub, _union([shadow_box, src.box]))
    if _is_empty(box):
        return _transparent(ctx)
    out = ctx.blank()
    if not _is_empty(shadow_box):
        x0, y0, x1, y1 = shadow_box
        _paint_kernel(moved, out, colour, y0, x0)
    part = _intersect(box, src.box)
    if not _is_empty(part):
        x0, y0, x1, y1 = part
        _over_kernel(ctx.pixels(src, space), out, y0, y1, x0, x1)
    return _Image(out, box, space)
