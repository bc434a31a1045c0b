"""SVG filter effects on premultiplied float32 pixel buffers.

The renderer draws the filtered element into its own layer (the ``SourceGraphic``) and calls
:func:`apply_filter` with the resolved :class:`~svgkit.scene.Filter`. Everything here works on
``(H, W, 4)`` float32 arrays of *premultiplied* RGBA in [0, 1]; nothing here knows about XML, cairo
or the Scene beyond ``Filter``/``FilterPrimitive``.

How a filter runs
-----------------
1. The filter region (canvas device px) is mapped through ``to_output`` to output pixels, rounded
   outwards and clipped to the layer. Every intermediate image is a buffer of exactly that size
   (the *work area*); the layer is read only there.
2. Each primitive's subregion is mapped the same way and intersected with the region. Every image
   also carries the box where it may be non-zero, so each operation touches only the pixels that
   can change (a blur of a small shape in a large region costs the shape, not the region).
3. Results are tagged with their colour space (sRGB or linearRGB). A primitive converts each input
   to its own space on first use, and the conversion is cached on the input, so a result read by
   several primitives is converted once. ``SourceAlpha`` has no colour and is never converted;
   ``feOffset`` and pass-through results keep their input's space (moving pixels commutes with
   the conversion).
4. The last result is converted to sRGB, clamped to premultiplied-valid values and pasted into a
   transparent layer-sized array.

Every per-pixel operation (blur passes, colour conversion, compositing, blending, colour matrix,
component transfer; feMorphology excepted, vectorised numpy) is one numba kernel pass over the
box it affects, writing into buffers from a small per-thread pool:
on a virtual machine a fresh 4 MB array costs about 1 ms in page faults, more than most of the
operations themselves, so the engine neither allocates numpy temporaries on hot paths nor returns
its buffers to the operating system between calls. ``docs/filters.md`` gives every formula.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from numba import njit

from ..affine import Affine
from ..filter_spec import (
    LUMINANCE_TO_ALPHA_MATRIX,
    SUPPORTED_KINDS,
    hue_rotate_matrix,
    saturate_matrix,
)
from ..limits import Deadline
from ..scene import Filter, FilterPrimitive

__all__ = [
    "BLEND_MODES",
    "LUMINANCE_TO_ALPHA_MATRIX",
    "SUPPORTED_KINDS",
    "apply_filter",
    "blur_box_sizes",
    "filter_pixel_box",
    "hue_rotate_matrix",
    "linear_to_srgb",
    "saturate_matrix",
    "srgb_to_linear",
    "unsupported_kinds",
]

F32 = npt.NDArray[np.float32]
Box = tuple[int, int, int, int]
"""``(x0, y0, x1, y1)`` in whole pixels, half-open; empty when ``x1 <= x0`` or ``y1 <= y0``."""


# Inputs the renderer cannot supply. resvg's reference images (and browsers, which fall back to the
# previous result for inputs they do not support) show the source graphic for these, not
# transparent black, so that is what they resolve to.
_SOURCE_GRAPHIC_STANDINS = frozenset(
    {"BackgroundImage", "BackgroundAlpha", "FillPaint", "StrokePaint"}
)

_SRGB = "srgb"
_LINEAR = "linear"
_COLOURLESS = "none"  # RGB is zero (SourceAlpha, transparent results): valid in any space

_EMPTY: Box = (0, 0, 0, 0)
# Snap tolerance when rounding mapped rectangles outwards: a region edge at 30.0000001 px (float
# noise from the transform) must not grow the box by a whole pixel.
_SNAP = 1e-3
# Largest box size handed to the kernels: beyond this a box covers any layer many times over.
_MAX_BOX = 1 << 30
# Gaussian kernel is used below this std deviation (the spec allows three box blurs from 2.0).
_BOX_BLUR_FROM = 2.0

# ---------------------------------------------------------------------------------------------
# colour spaces


def _srgb_to_linear_exact(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb_exact(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * np.power(v, 1.0 / 2.4) - 0.055)


_TABLE_SIZE = 4096
_GRID = np.linspace(0.0, 1.0, _TABLE_SIZE + 1)
# Piecewise-linear tables: the interpolation error is below 1e-7 for sRGB → linear and below 2e-5
# (near 0.003, where the curve bends hardest) for linear → sRGB, far under one 8-bit level.
_TO_LINEAR = _srgb_to_linear_exact(_GRID).astype(np.float32)
_TO_SRGB = _linear_to_srgb_exact(_GRID).astype(np.float32)


def srgb_to_linear(value: float) -> float:
    """Convert one sRGB channel value in [0, 1] to linearRGB (the exact sRGB transfer function).

    Examples
    --------
    >>> round(srgb_to_linear(0.5), 6)
    0.214041
    """
    v = min(max(float(value), 0.0), 1.0)
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def linear_to_srgb(value: float) -> float:
    """Convert one linearRGB channel value in [0, 1] to sRGB.

    Examples
    --------
    >>> round(linear_to_srgb(0.214041), 4)
    0.5
    """
    v = min(max(float(value), 0.0), 1.0)
    return v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1.0 / 2.4) - 0.055


@njit(cache=True, nogil=True, inline="always")
def _lookup(v: float, table: np.ndarray, n: int) -> float:
    """``table`` read at ``v`` (clamped to [0, 1]) with linear interpolation."""
    if v > 1.0:
        v = 1.0
    elif not v > 0.0:
        v = 0.0
    t = v * n
    i = int(t)
    if i >= n:
        i = n - 1
    return table[i] + (t - i) * (table[i + 1] - table[i])  # type: ignore[no-any-return]


@njit(cache=True, nogil=True)
def _convert_kernel(
    src: np.ndarray, dst: np.ndarray, table: np.ndarray, y0: int, y1: int, x0: int, x1: int
) -> None:
    """Un-premultiply, map each colour channel through ``table`` (linear interpolation),
    re-premultiply, inside ``[y0:y1, x0:x1]``. Solid fills repeat one pixel value, so the last
    conversion is remembered and reused."""
    n = table.shape[0] - 1
    lr = lg = lb = la = np.float32(-1.0)
    cr = cg = cb = ca = np.float32(0.0)
    for y in range(y0, y1):
        dst_row = dst[y]
        src_row = src[y]
        for x in range(x0, x1):
            r = src_row[x, 0]
            g = src_row[x, 1]
            b = src_row[x, 2]
            a = src_row[x, 3]
            if not (r == lr and g == lg and b == lb and a == la):
                lr, lg, lb, la = r, g, b, a
                if not a > 0.0:
                    cr = cg = cb = ca = np.float32(0.0)
                else:
                    ca = min(a, np.float32(1.0))
                    inv = np.float32(1.0) / ca
                    cr = np.float32(_lookup(r * inv, table, n) * ca)
                    cg = np.float32(_lookup(g * inv, table, n) * ca)
                    cb = np.float32(_lookup(b * inv, table, n) * ca)
            dst_row[x, 0] = cr
            dst_row[x, 1] = cg
            dst_row[x, 2] = cb
            dst_row[x, 3] = ca


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
# buffers


class _Pool(threading.local):
    """Flat float32 buffers kept between calls, per thread."""

    def __init__(self) -> None:
        self.free: list[F32] = []


_POOL = _Pool()
_POOL_MAX_BYTES = 32 << 20  # retained per thread: eight 512×512 RGBA float32 buffers
_POOL_MAX_BUFFERS = 16


class _Arena:
    """The buffers of one :func:`apply_filter` call: taken from the thread's pool (the smallest
    one that fits) and given back at the end of the call, within the pool's bounds."""

    __slots__ = ("taken",)

    def __init__(self) -> None:
        self.taken: list[F32] = []

    def empty(self, shape: tuple[int, ...]) -> F32:
        n = math.prod(shape)
        free = _POOL.free
        pick = -1
        for i, buf in enumerate(free):
            if buf.size >= n and (pick < 0 or buf.size < free[pick].size):
                pick = i
        buf = free.pop(pick) if pick >= 0 else np.empty(max(n, 1), np.float32)
        self.taken.append(buf)
        return buf[:n].reshape(shape)

    def zeros(self, shape: tuple[int, ...]) -> F32:
        out = self.empty(shape)
        out.fill(0.0)
        return out

    def release(self) -> None:
        candidates = sorted(_POOL.free + self.taken, key=lambda b: b.size, reverse=True)
        self.taken = []
        kept: list[F32] = []
        total = 0
        for buf in candidates:
            if len(kept) < _POOL_MAX_BUFFERS and total + buf.nbytes <= _POOL_MAX_BYTES:
                kept.append(buf)
                total += buf.nbytes
        _POOL.free = kept


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
# boxes


def _intersect(a: Box, b: Box) -> Box:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _is_empty(b: Box) -> bool:
    return b[2] <= b[0] or b[3] <= b[1]


def _union(boxes: Sequence[Box]) -> Box:
    live = [b for b in boxes if not _is_empty(b)]
    if not live:
        return _EMPTY
    return (
        min(b[0] for b in live),
        min(b[1] for b in live),
        max(b[2] for b in live),
        max(b[3] for b in live),
    )


def _expand(b: Box, rx: int, ry: int) -> Box:
    if _is_empty(b):
        return _EMPTY
    return (b[0] - rx, b[1] - ry, b[2] + rx, b[3] + ry)


def _shift(b: Box, dx: int, dy: int) -> Box:
    if _is_empty(b):
        return _EMPTY
    return (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)


def _finite(value: Any, default: float = 0.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return default
    return v if math.isfinite(v) else default


def _clamp_int(v: float) -> int:
    # pixel counts from model-written numbers: keep them in a range Python and numba handle fast
    return int(max(-1e9, min(1e9, v)))


def filter_pixel_box(
    rect: tuple[float, float, float, float], to_output: Affine, width: int, height: int
) -> Box:
    """Map a ``(x, y, width, height)`` rectangle in canvas px to whole output pixels.

    The four corners go through ``to_output``; their axis-aligned bounding box is rounded outwards
    (edges within 0.001 px of an integer snap to it) and clipped to ``width × height``. A rectangle
    with non-finite values or a non-positive size gives the empty box ``(0, 0, 0, 0)``.

    Examples
    --------
    >>> filter_pixel_box((20, 20, 160, 160), (1.5, 0, 0, 1.5, 0, 0), 300, 300)
    (30, 30, 270, 270)
    >>> filter_pixel_box((-10, 0.2, 15, 5), (1, 0, 0, 1, 0, 0), 100, 100)
    (0, 0, 5, 6)
    """
    x, y, w, h = (_finite(v, math.nan) for v in rect)
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w <= 0.0 or h <= 0.0:
        return _EMPTY
    a, b, c, d, e, f = (_finite(v) for v in to_output)
    xs = [a * px + c * py + e for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
    ys = [b * px + d * py + f for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
    x0 = max(0, _clamp_int(math.floor(min(xs) + _SNAP)))
    y0 = max(0, _clamp_int(math.floor(min(ys) + _SNAP)))
    x1 = min(int(width), _clamp_int(math.ceil(max(xs) - _SNAP)))
    y1 = min(int(height), _clamp_int(math.ceil(max(ys) - _SNAP)))
    if x1 <= x0 or y1 <= y0:
        return _EMPTY
    return (x0, y0, x1, y1)


# ---------------------------------------------------------------------------------------------
# per-pixel kernels: each reads and writes work-area arrays inside [y0:y1, x0:x1] only

_COMPOSITE_OPERATORS = ("over", "in", "out", "atop", "xor", "lighter", "arithmetic")


@njit(cache=True, nogil=True)
def _composite_kernel(
    a: np.ndarray,
    b: np.ndarray,
    out: np.ndarray,
    op: int,
    k: np.ndarray,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
) -> None:
    """Porter-Duff ``A op B`` on premultiplied pixels (A = ``in``, B = ``in2``); ``op`` indexes
    ``_COMPOSITE_OPERATORS``; ``k`` holds k1…k4 for arithmetic."""
    for y in range(y0, y1):
        a_row = a[y]
        b_row = b[y]
        out_row = out[y]
        for x in range(x0, x1):
            aa = a_row[x, 3]
            ba = b_row[x, 3]
            if op == 6:
                for c in range(4):
                    v = (
                        k[0] * a_row[x, c] * b_row[x, c]
                        + k[1] * a_row[x, c]
                        + k[2] * b_row[x, c]
                        + k[3]
                    )
                    out_row[x, c] = min(max(v, 0.0), 1.0)
                for c in range(3):
                    out_row[x, c] = min(out_row[x, c], out_row[x, 3])
                continue
            one = np.float32(1.0)
            if op == 0:
                fa, fb = one, one - aa
            elif op == 1:
                fa, fb = ba, np.float32(0.0)
            elif op == 2:
                fa, fb = one - ba, np.float32(0.0)
            elif op == 3:
                fa, fb = ba, one - aa
            elif op == 4:
                fa, fb = one - ba, one - aa
            else:
                fa, fb = one, one
            for c in range(4):
                v = fa * a_row[x, c] + fb * b_row[x, c]
                out_row[x, c] = min(v, one)


@njit(cache=True, nogil=True)
def _over_kernel(top: np.ndarray, acc: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> None:
    """``acc = top over acc`` in place."""
    for y in range(y0, y1):
        acc_row = acc[y]
        top_row = top[y]
        for x in range(x0, x1):
            keep = np.float32(1.0) - top_row[x, 3]
            acc_row[x, 0] = top_row[x, 0] + acc_row[x, 0] * keep
            acc_row[x, 1] = top_row[x, 1] + acc_row[x, 1] * keep
            acc_row[x, 2] = top_row[x, 2] + acc_row[x, 2] * keep
            acc_row[x, 3] = top_row[x, 3] + acc_row[x, 3] * keep


@njit(cache=True, nogil=True)
def _paint_kernel(alpha: np.ndarray, out: np.ndarray, colour: np.ndarray, oy: int, ox: int) -> None:
    """``out[oy + y, ox + x] = alpha[y, x] · colour`` (a premultiplied colour)."""
    for y in range(alpha.shape[0]):
        alpha_row = alpha[y]
        out_row = out[oy + y]
        for x in range(alpha.shape[1]):
            v = alpha_row[x, 0]
            for c in range(4):
                out_row[ox + x, c] = v * colour[c]


@njit(cache=True, nogil=True)
def _blend_channel(mode: int, cb: float, cs: float) -> float:
    """Separable blend function B(cb, cs) of Compositing and Blending Level 1."""
    if mode == 1:  # multiply
        return cb * cs
    if mode == 2:  # screen
        return cb + cs - cb * cs
    if mode == 3:  # overlay = hard-light with the layers swapped
        if cb <= 0.5:
            return cs * 2.0 * cb
        return cs + (2.0 * cb - 1.0) - cs * (2.0 * cb - 1.0)
    if mode == 4:  # darken
        return min(cb, cs)
    if mode == 5:  # lighten
        return max(cb, cs)
    if mode == 6:  # color-dodge
        if cb <= 0.0:
            return 0.0
        if cs >= 1.0:
            return 1.0
        return min(1.0, cb / (1.0 - cs))
    if mode == 7:  # color-burn
        if cb >= 1.0:
            return 1.0
        if cs <= 0.0:
            return 0.0
        return 1.0 - min(1.0, (1.0 - cb) / cs)
    if mode == 8:  # hard-light
        if cs <= 0.5:
            return cb * 2.0 * cs
        return cb + (2.0 * cs - 1.0) - cb * (2.0 * cs - 1.0)
    if mode == 9:  # soft-light
        if cs <= 0.5:
            return cb - (1.0 - 2.0 * cs) * cb * (1.0 - cb)
        if cb <= 0.25:
            d = ((16.0 * cb - 12.0) * cb + 4.0) * cb
        else:
            d = math.sqrt(cb)
        return cb + (2.0 * cs - 1.0) * (d - cb)
    if mode == 10:  # difference
        return abs(cb - cs)
    if mode == 11:  # exclusion
        return cb + cs - 2.0 * cb * cs
    return cs  # normal


@njit(cache=True, nogil=True)
def _lum(r: float, g: float, b: float) -> float:
    return 0.3 * r + 0.59 * g + 0.11 * b


@njit(cache=True, nogil=True)
def _set_lum(r: float, g: float, b: float, lum: float) -> tuple[float, float, float]:
    """SetLum followed by ClipColor."""
    d = lum - _lum(r, g, b)
    r += d
    g += d
    b += d
    ll = _lum(r, g, b)
    n = min(r, g, b)
    x = max(r, g, b)
    if n < 0.0 and ll - n > 0.0:
        r = ll + (r - ll) * ll / (ll - n)
        g = ll + (g - ll) * ll / (ll - n)
        b = ll + (b - ll) * ll / (ll - n)
    if x > 1.0 and x - ll > 0.0:
        r = ll + (r - ll) * (1.0 - ll) / (x - ll)
        g = ll + (g - ll) * (1.0 - ll) / (x - ll)
        b = ll + (b - ll) * (1.0 - ll) / (x - ll)
    return r, g, b


@njit(cache=True, nogil=True)
def _set_sat(r: float, g: float, b: float, sat: float) -> tuple[float, float, float]:
    """SetSat: the largest channel becomes ``sat``, the smallest 0, the middle one in between."""
    hi = max(r, g, b)
    lo = min(r, g, b)
    if hi <= lo:
        return 0.0, 0.0, 0.0
    f = sat / (hi - lo)
    return (r - lo) * f, (g - lo) * f, (b - lo) * f


@njit(cache=True, nogil=True)
def _blend_kernel(
    src: np.ndarray,
    backdrop: np.ndarray,
    out: np.ndarray,
    mode: int,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
) -> None:
    """``src`` (``in``) blended onto ``backdrop`` (``in2``), both premultiplied:
    ``co = cs·(1 - ab) + cb·(1 - as) + as·ab·B(Cb, Cs)``, ``ao = as + ab - as·ab``. The last
    pixel pair is remembered (solid fills repeat one value)."""
    last = np.full(8, -1.0, np.float32)
    result = np.zeros(4, np.float32)
    for y in range(y0, y1):
        backdrop_row = backdrop[y]
        out_row = out[y]
        src_row = src[y]
        for x in range(x0, x1):
            s_px = src_row[x]
            b_px = backdrop_row[x]
            same = True
            for c in range(4):
                if s_px[c] != last[c] or b_px[c] != last[4 + c]:
                    same = False
            if not same:
                last[:4] = s_px
                last[4:] = b_px
                a_s = s_px[3]
                a_b = b_px[3]
                inv_s = 1.0 / a_s if a_s > 0.0 else 0.0
                inv_b = 1.0 / a_b if a_b > 0.0 else 0.0
                sr = min(max(s_px[0] * inv_s, 0.0), 1.0)
                sg = min(max(s_px[1] * inv_s, 0.0), 1.0)
                sb = min(max(s_px[2] * inv_s, 0.0), 1.0)
                br = min(max(b_px[0] * inv_b, 0.0), 1.0)
                bg = min(max(b_px[1] * inv_b, 0.0), 1.0)
                bb = min(max(b_px[2] * inv_b, 0.0), 1.0)
                if mode == 12:  # hue
                    mr, mg, mb = _set_sat(sr, sg, sb, max(br, bg, bb) - min(br, bg, bb))
                    mr, mg, mb = _set_lum(mr, mg, mb, _lum(br, bg, bb))
                elif mode == 13:  # saturation
                    mr, mg, mb = _set_sat(br, bg, bb, max(sr, sg, sb) - min(sr, sg, sb))
                    mr, mg, mb = _set_lum(mr, mg, mb, _lum(br, bg, bb))
                elif mode == 14:  # color
                    mr, mg, mb = _set_lum(sr, sg, sb, _lum(br, bg, bb))
                elif mode == 15:  # luminosity
                    mr, mg, mb = _set_lum(br, bg, bb, _lum(sr, sg, sb))
                else:
                    mr = _blend_channel(mode, br, sr)
                    mg = _blend_channel(mode, bg, sg)
                    mb = _blend_channel(mode, bb, sb)
                both = a_s * a_b
                ao = a_s + a_b - both
                result[3] = ao
                mixed = (mr, mg, mb)
                for c in range(3):
                    v = s_px[c] * (1.0 - a_b) + b_px[c] * (1.0 - a_s) + both * mixed[c]
                    result[c] = min(max(v, 0.0), ao)
            out_row[x, 0] = result[0]
            out_row[x, 1] = result[1]
            out_row[x, 2] = result[2]
            out_row[x, 3] = result[3]


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


@njit(cache=True, nogil=True)
def _finish_kernel(
    src: np.ndarray,
    dst: np.ndarray,
    table: np.ndarray,
    convert: bool,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    oy: int,
    ox: int,
) -> None:
    """``dst[oy + y, ox + x] = valid(src[y, x])`` inside ``[y0:y1, x0:x1]``: optionally through
    the colour table (as :func:`_convert_kernel`), then NaN → 0, alpha clamped to [0, 1] and each
    colour channel to [0, alpha]."""
    n = table.shape[0] - 1
    lr = lg = lb = la = np.float32(-1.0)  # the last pixel converted, as in _convert_kernel
    cr = cg = cb = np.float32(0.0)
    for y in range(y0, y1):
        src_row = src[y]
        dst_row = dst[oy + y]
        for x in range(x0, x1):
            a = src_row[x, 3]
            if not a > 0.0:  # also NaN
                for c in range(4):
                    dst_row[ox + x, c] = 0.0
                continue
            if a > 1.0:
                a = np.float32(1.0)
            if not convert:
                for c in range(3):
                    v = src_row[x, c]
                    dst_row[ox + x, c] = min(v, a) if v > 0.0 else 0.0
                dst_row[ox + x, 3] = a
                continue
            if not (
                src_row[x, 0] == lr and src_row[x, 1] == lg and src_row[x, 2] == lb and a == la
            ):
                lr, lg, lb, la = src_row[x, 0], src_row[x, 1], src_row[x, 2], a
                inv = np.float32(1.0) / a
                cr = min(np.float32(_lookup(lr * inv, table, n) * a), a)
                cg = min(np.float32(_lookup(lg * inv, table, n) * a), a)
                cb = min(np.float32(_lookup(lb * inv, table, n) * a), a)
            dst_row[ox + x, 0] = cr
            dst_row[ox + x, 1] = cg
            dst_row[ox + x, 2] = cb
            dst_row[ox + x, 3] = a


# ---------------------------------------------------------------------------------------------
# images flowing between primitives


@dataclass
class _Image:
    """A work-area-sized premultiplied image, zero outside ``box``, in colour space ``space``."""

    pixels: F32
    box: Box
    space: str
    _converted: dict[str, F32] = field(default_factory=dict)

    def in_space(self, space: str, arena: _Arena) -> F32:
        """The pixels in ``space``, converted once and cached."""
        if self.space in (space, _COLOURLESS) or _is_empty(self.box):
            return self.pixels
        cached = self._converted.get(space)
        if cached is None:
            table = _TO_LINEAR if space == _LINEAR else _TO_SRGB
            cached = arena.zeros(self.pixels.shape)
            x0, y0, x1, y1 = self.box
            _convert_kernel(self.pixels, cached, table, y0, y1, x0, x1)
            self._converted[space] = cached
        return cached


@dataclass
class _Context:
    width: int  # work area, px
    height: int
    linear: tuple[float, float, float, float]  # (a, b, c, d) of to_output
    length_scale: tuple[float, float]  # output px per canvas px along x and y
    source: _Image
    arena: _Arena
    _alpha: _Image | None = None

    @property
    def full(self) -> Box:
        return (0, 0, self.width, self.height)

    def source_alpha(self) -> _Image:
        if self._alpha is None:
            pixels = self.arena.zeros(self.source.pixels.shape)
            pixels[..., 3] = self.source.pixels[..., 3]
            self._alpha = _Image(pixels, self.source.box, _COLOURLESS)
        return self._alpha

    def blank(self) -> F32:
        return self.arena.zeros((self.height, self.width, 4))

    def pixels(self, image: _Image, space: str) -> F32:
        return image.in_space(space, self.arena)


def _crop(pixels: F32, box: Box) -> F32:
    x0, y0, x1, y1 = box
    return pixels[y0:y1, x0:x1]


def _placed(ctx: _Context, box: Box, values: F32, space: str) -> _Image:
    """A new image holding ``values`` (the pixels of ``box``) and zeros elsewhere."""
    out = ctx.blank()
    if not _is_empty(box):
        _crop(out, box)[...] = values
    return _Image(out, box, space)


def _transparent(ctx: _Context) -> _Image:
    return _Image(ctx.blank(), _EMPTY, _COLOURLESS)


def _space_of(prim: FilterPrimitive) -> str:
    return _LINEAR if prim.linear_rgb else _SRGB


def _flood_premultiplied(rgba: Any, space: str) -> npt.NDArray[np.float32]:
    """A straight sRGB colour from params as premultiplied RGBA in ``space``."""
    try:
        values = [_finite(v) for v in rgba][:4]
    except TypeError:
        values = []
    values += [0.0, 0.0, 0.0, 1.0][len(values) :]
    r, g, b, a = (min(max(v, 0.0), 1.0) for v in values)
    if space == _LINEAR:
        r, g, b = srgb_to_linear(r), srgb_to_linear(g), srgb_to_linear(b)
    return np.array([r * a, g * a, b * a, a], np.float32)


def _pair(value: Any) -> tuple[float, float]:
    """A per-axis parameter given as one number or an (x, y) pair; non-finite parts become 0."""
    if isinstance(value, (list, tuple)):
        if not value:
            return 0.0, 0.0
        x = _finite(value[0])
        return x, (_finite(value[1]) if len(value) > 1 else x)
    v = _finite(value)
    return v, v


# ---------------------------------------------------------------------------------------------
# primitives: each takes its resolved inputs and its subregion (work-area px) and returns an image

PrimitiveOp = Callable[[_Context, FilterPrimitive, list[_Image], Box], _Image]


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


def _offset_px(ctx: _Context, dx: float, dy: float) -> tuple[int, int]:
    a, b, c, d = ctx.linear
    return _clamp_int(round(a * dx + c * dy)), _clamp_int(round(b * dx + d * dy))


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


def _op_flood(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    space = _space_of(prim)
    colour = _flood_premultiplied(prim.params.get("rgba", (0.0, 0.0, 0.0, 1.0)), space)
    if colour[3] <= 0.0:
        return _transparent(ctx)
    out = ctx.blank()
    x0, y0, x1, y1 = sub
    out[y0, x0:x1] = colour  # one row, then copy whole rows (a 4-wide broadcast is slow)
    out[y0 + 1 : y1, x0:x1] = out[y0, x0:x1]
    return _Image(out, sub, space)


def _op_passthrough(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    src = ins[0]
    box = _intersect(sub, src.box)
    if _is_empty(box):
        return _transparent(ctx)
    return _placed(ctx, box, _crop(src.pixels, box), src.space)


def _op_composite(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    space = _space_of(prim)
    first, second = ins[0], ins[1]
    operator = str(prim.params.get("operator", "over"))
    if operator not in _COMPOSITE_OPERATORS:
        operator = "over"  # what browsers and resvg do with an invalid operator
    k = np.zeros(4, np.float32)
    if operator == "arithmetic":
        k[:] = [_finite(prim.params.get(name, 0.0)) for name in ("k1", "k2", "k3", "k4")]
        k1, k2, k3, k4 = (float(v) for v in k)
        if k4 > 0.0:
            box = sub  # k4 lights up every pixel of the subregion
        else:
            # each positive term is non-zero only where its inputs are
            terms = [
                first.box if k2 > 0.0 else _EMPTY,
                second.box if k3 > 0.0 else _EMPTY,
                _intersect(first.box, second.box) if k1 > 0.0 else _EMPTY,
            ]
            box = _intersect(sub, _union(terms))
    elif operator == "in":
        box = _intersect(sub, _intersect(first.box, second.box))
    elif operator == "out":
        box = _intersect(sub, first.box)
    elif operator == "atop":
        box = _intersect(sub, second.box)
    else:
        box = _intersect(sub, _union([first.box, second.box]))
    if _is_empty(box):
        return _transparent(ctx)
    out = ctx.blank()
    x0, y0, x1, y1 = box
    op = _COMPOSITE_OPERATORS.index(operator)
    a, b = ctx.pixels(first, space), ctx.pixels(second, space)
    _composite_kernel(a, b, out, op, k, y0, y1, x0, x1)
    return _Image(out, box, space)


def _op_merge(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    space = _space_of(prim)
    box = _intersect(sub, _union([i.box for i in ins]))
    if _is_empty(box):
        return _transparent(ctx)
    out = ctx.blank()
    for image in ins:
        part = _intersect(box, image.box)
        if not _is_empty(part):
            x0, y0, x1, y1 = part
            _over_kernel(ctx.pixels(image, space), out, y0, y1, x0, x1)
    return _Image(out, box, space)


BLEND_MODES: tuple[str, ...] = (
    "normal",
    "multiply",
    "screen",
    "overlay",
    "darken",
    "lighten",
    "color-dodge",
    "color-burn",
    "hard-light",
    "soft-light",
    "difference",
    "exclusion",
    "hue",
    "saturation",
    "color",
    "luminosity",
)
"""feBlend modes (Compositing and Blending Level 1); an unknown mode blends as ``normal``."""


def _op_blend(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    space = _space_of(prim)
    source, backdrop = ins[0], ins[1]
    box = _intersect(sub, _union([source.box, backdrop.box]))
    if _is_empty(box):
        return _transparent(ctx)
    mode = str(prim.params.get("mode", "normal"))
    code = BLEND_MODES.index(mode) if mode in BLEND_MODES else 0
    out = ctx.blank()
    x0, y0, x1, y1 = box
    _blend_kernel(ctx.pixels(source, space), ctx.pixels(backdrop, space), out, code, y0, y1, x0, x1)
    return _Image(out, box, space)


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


_OPS: dict[str, PrimitiveOp] = {
    "feBlend": _op_blend,
    "feColorMatrix": _op_color_matrix,
    "feComponentTransfer": _op_component_transfer,
    "feComposite": _op_composite,
    "feDropShadow": _op_drop_shadow,
    "feFlood": _op_flood,
    "feGaussianBlur": _op_gaussian_blur,
    "feMerge": _op_merge,
    "feMorphology": _op_morphology,
    "feOffset": _op_offset,
}

# how many inputs each kind reads (others: one; feMerge: as many as it lists)
_N_INPUTS = {"feComposite": 2, "feBlend": 2, "feFlood": 0}


# ---------------------------------------------------------------------------------------------
# public entry points


def unsupported_kinds(filt: Filter) -> list[str]:
    """Primitive kinds in ``filt`` that :func:`apply_filter` does not implement, in order of
    first appearance, each once. Those primitives pass their first input through; the renderer
    records a warning for each kind.

    Examples
    --------
    >>> from svgkit.scene import Filter, FilterPrimitive
    >>> turb = FilterPrimitive("feTurbulence", (), "", (0, 0, 10, 10), True, {})
    >>> blur = FilterPrimitive("feGaussianBlur", ("",), "", (0, 0, 10, 10), True, {"std_dev": 1})
    >>> unsupported_kinds(Filter("f", (0, 0, 10, 10), (turb, blur, turb)))
    ['feTurbulence']
    """
    seen: list[str] = []
    for prim in filt.primitives:
        if prim.kind not in SUPPORTED_KINDS and prim.kind not in seen:
            seen.append(prim.kind)
    return seen


def _resolve_input(
    ctx: _Context, name: str, results: dict[str, _Image], previous: _Image | None
) -> _Image:
    if name == "SourceAlpha":
        return ctx.source_alpha()
    if name == "SourceGraphic" or name in _SOURCE_GRAPHIC_STANDINS:
        return ctx.source
    if name and name in results:
        return results[name]
    # "" and references to results that do not exist (yet) mean the previous result
    return previous if previous is not None else ctx.source


def apply_filter(
    layer: np.ndarray,
    filt: Filter,
    to_output: tuple[float, float, float, float, float, float],
    *,
    deadline: Deadline | None = None,
) -> np.ndarray:
    """Run a filter over a rendered layer.

    Parameters
    ----------
    layer
        ``(H, W, 4)`` float32 premultiplied RGBA in [0, 1]: the element rendered alone (the
        ``SourceGraphic``) in output pixels. Other float dtypes are converted. It is only read.
    filt
        The resolved filter: region and primitive subregions in canvas device px, lengths
        (std deviations, offsets, radii) in canvas device px.
    to_output
        The affine ``(a, b, c, d, e, f)`` from canvas device px to output px,
        ``(x, y) ↦ (a x + c y + e, b x + d y + f)``. Lengths scale by ``hypot(a, b)`` along x and
        ``hypot(c, d)`` along y; offsets by the linear part.
    deadline
        Checked before each primitive; raises the deadline's ``LIMIT`` error when spent.

    Returns
    -------
    numpy.ndarray
        A new ``(H, W, 4)`` float32 array of premultiplied RGBA: the filter result, transparent
        outside the filter region (and everywhere when the filter has no primitives or an empty
        region).

    Raises
    ------
    ValueError
        ``layer`` is not an ``(H, W, 4)`` array.

    Examples
    --------
    >>> import numpy as np
    >>> from svgkit.scene import Filter, FilterPrimitive
    >>> layer = np.zeros((8, 8, 4), np.float32)
    >>> flood = FilterPrimitive("feFlood", (), "", (2, 2, 4, 4), False, {"rgba": (1, 0, 0, 0.5)})
    >>> out = apply_filter(layer, Filter("f", (0, 0, 8, 8), (flood,)), (1, 0, 0, 1, 0, 0))
    >>> out[3, 3].tolist(), out[0, 0].tolist()
    ([0.5, 0.0, 0.0, 0.5], [0.0, 0.0, 0.0, 0.0])
    """
    pixels = np.asarray(layer)
    if pixels.ndim != 3 or pixels.shape[2] != 4:
        raise ValueError(
            f"Expected `layer` to be an array of shape (H, W, 4), but got {pixels.shape}"
        )
    height, width = pixels.shape[:2]
    result = np.zeros((height, width, 4), np.float32)
    region = filter_pixel_box(filt.region, to_output, width, height)
    if _is_empty(region) or not filt.primitives:
        return result

    arena = _Arena()
    try:
        a, b, c, d = (_finite(v) for v in to_output[:4])
        x0, y0, x1, y1 = region
        work_w, work_h = x1 - x0, y1 - y0
        # the renderer's layer is valid premultiplied data and no operation writes into its
        # inputs, so the source is read in place when it already is contiguous float32
        source_pixels = pixels[y0:y1, x0:x1]
        if source_pixels.dtype != np.float32 or not source_pixels.flags.c_contiguous:
            copy = arena.empty((work_h, work_w, 4))
            copy[...] = source_pixels
            source_pixels = copy
        ctx = _Context(
            width=work_w,
            height=work_h,
            linear=(a, b, c, d),
            length_scale=(math.hypot(a, b), math.hypot(c, d)),
            source=_Image(source_pixels, (0, 0, work_w, work_h), _SRGB),
            arena=arena,
        )
        results: dict[str, _Image] = {}
        previous: _Image | None = None
        for prim in filt.primitives:
            if deadline is not None:
                deadline.check()
            sub = _intersect(
                _shift(filter_pixel_box(prim.subregion, to_output, width, height), -x0, -y0),
                ctx.full,
            )
            if prim.kind == "feMerge":
                names = list(prim.inputs)  # a merge without nodes is transparent
            else:
                n_inputs = _N_INPUTS.get(prim.kind, 1)
                names = list(prim.inputs[:n_inputs]) + [""] * (n_inputs - len(prim.inputs))
            inputs = [_resolve_input(ctx, name, results, previous) for name in names]
            if _is_empty(sub):
                out = _transparent(ctx)
            else:
                out = _OPS.get(prim.kind, _op_passthrough)(ctx, prim, inputs, sub)
            if prim.result:
                results[prim.result] = out
            previous = out

        assert previous is not None
        box = previous.box
        if not _is_empty(box):
            bx0, by0, bx1, by1 = box
            convert = previous.space == _LINEAR
            # one pass: back to sRGB, clamped to valid premultiplied values, into the layer
            _finish_kernel(previous.pixels, result, _TO_SRGB, convert, by0, by1, bx0, bx1, y0, x0)
    finally:
        arena.release()
    return result
