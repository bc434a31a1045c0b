"""The core the filter primitives share: premultiplied float32 images tagged with their colour
space (sRGB or linearRGB, converted on first use and cached), the per-thread buffer pool they are
allocated from, integer pixel boxes (where an image may be non-zero, and :func:`filter_pixel_box`
mapping canvas rectangles onto them), the per-call context, and the last pass that converts a
result back to sRGB into the output layer.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from ...affine import Affine
from ...scene import FilterPrimitive

__all__ = [
    "Box",
    "F32",
    "PrimitiveOp",
    "filter_pixel_box",
    "linear_to_srgb",
    "srgb_to_linear",
]

F32 = npt.NDArray[np.float32]
Box = tuple[int, int, int, int]
"""``(x0, y0, x1, y1)`` in whole pixels, half-open; empty when ``x1 <= x0`` or ``y1 <= y0``."""


_SRGB = "srgb"
_LINEAR = "linear"
_COLOURLESS = "none"  # RGB is zero (SourceAlpha, transparent results): valid in any space

_EMPTY: Box = (0, 0, 0, 0)
# Snap tolerance when rounding mapped rectangles outwards: a region edge at 30.0000001 px (float
# noise from the transform) must not grow the box by a whole pixel.
_SNAP = 1e-3

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
# buffers
#
# Every per-pixel operation writes into buffers from a small per-thread pool: on a virtual machine
# a fresh 4 MB array costs about 1 ms in page faults, more than most of the operations themselves,
# so the engine neither allocates numpy temporaries on hot paths nor returns its buffers to the
# operating system between calls.


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
    # where the work area sits in the layer, and the layer's canvas → output mapping
    origin: tuple[int, int] = (0, 0)
    to_output: Affine = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    # pre-rendered feImage layers (layer-sized, premultiplied sRGB) by primitive index
    images: Mapping[int, Any] | None = None
    # the primitive being run (its index) and the subregions of the primitives that produced
    # its inputs (feTile repeats its input's subregion)
    index: int = 0
    input_regions: list[Box] = field(default_factory=list)

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


def _op_passthrough(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    src = ins[0]
    box = _intersect(sub, src.box)
    if _is_empty(box):
        return _transparent(ctx)
    return _placed(ctx, box, _crop(src.pixels, box), src.space)
