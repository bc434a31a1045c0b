"""``feTurbulence``: Perlin noise as the Filter Effects specification's reference code defines it
(its random number generator, lattice and gradient setup, ``noise2`` and ``turbulence``),
evaluated per output pixel in the filter's user space by one numba kernel.

The lattice (a permutation of 256 entries and 4 × 256 unit gradients) depends only on the seed
and is built once per seed in Python with the reference generator's exact integer arithmetic
(C semantics: ``%`` and ``/`` truncate towards zero). The kernel shares each octave's lattice
lookup between the four channels.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from numba import njit

from ...affine import Affine, invert, multiply
from ...scene import FilterPrimitive
from .image import Box, _Context, _finite, _Image, _is_empty, _pair, _space_of, _transparent

__all__ = ["MAX_OCTAVES", "turbulence_lattice"]

_RAND_M = 2147483647  # 2**31 - 1
_RAND_A = 16807  # 7**5, a primitive root of m
_RAND_Q = 127773  # m / a
_RAND_R = 2836  # m % a
_B_SIZE = 0x100
_B_MASK = 0xFF
_PERLIN_N = 0x1000

#: Octaves evaluated at most: octave ``k`` adds at most ``2^-k`` per channel, so octaves past 24
#: change no 8-bit value (and past 32 nothing a float32 holds); larger ``numOctaves`` are capped.
MAX_OCTAVES = 32
# Coordinates beyond this (in lattice units) are reduced modulo a multiple of the lattice period
# before the integer conversion, which would otherwise overflow.
_MAX_COORD = 1e15


def _c_mod(a: int, b: int) -> int:
    """C's ``a % b`` (the remainder takes the sign of ``a``)."""
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def _setup_seed(seed: int) -> int:
    if seed <= 0:
        seed = -_c_mod(seed, _RAND_M - 1) + 1
    if seed > _RAND_M - 1:
        seed = _RAND_M - 1
    return seed


def _random(seed: int) -> int:
    # seed is always in [1, m - 1] here, where Python's // and % agree with C's
    result = _RAND_A * (seed % _RAND_Q) - _RAND_R * (seed // _RAND_Q)
    if result <= 0:
        result += _RAND_M
    return result


@lru_cache(maxsize=16)
def turbulence_lattice(seed: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The reference code's ``uLatticeSelector`` (514 entries) and ``fGradient`` (4 × 514 × 2)
    for an integer ``seed``, exactly as its ``init`` builds them.

    Examples
    --------
    >>> selector, gradient = turbulence_lattice(0)
    >>> selector.shape, gradient.shape
    ((514,), (4, 514, 2))
    >>> sorted(selector[:256].tolist()) == list(range(256))
    True
    >>> bool(np.allclose(np.hypot(gradient[..., 0], gradient[..., 1]), 1.0))
    True
    """
    s = _setup_seed(int(seed))
    n = _B_SIZE + _B_SIZE + 2
    selector = np.zeros(n, np.int64)
    gradient = np.zeros((4, n, 2), np.float64)
    for k in range(4):
        for i in range(_B_SIZE):
            selector[i] = i
            for j in range(2):
                s = _random(s)
                gradient[k, i, j] = float((s % (_B_SIZE + _B_SIZE)) - _B_SIZE) / _B_SIZE
            norm = math.hypot(gradient[k, i, 0], gradient[k, i, 1])
            if norm > 0.0:  # (0, 0) would divide by zero in the reference code; it stays (0, 0)
                gradient[k, i] /= norm
    for i in range(_B_SIZE - 1, 0, -1):
        k = int(selector[i])
        s = _random(s)
        j = s % _B_SIZE
        selector[i] = selector[j]
        selector[j] = k
    for i in range(_B_SIZE + 2):
        selector[_B_SIZE + i] = selector[i]
        gradient[:, _B_SIZE + i] = gradient[:, i]
    selector.flags.writeable = False
    gradient.flags.writeable = False
    return selector, gradient


@njit(cache=True, nogil=True, inline="always")
def _lattice_coord(v: float) -> tuple[int, float]:
    """``(int)t`` and ``t - (int)t`` of the reference code for ``t = v + PerlinN`` (C truncation),
    with huge or non-finite ``t`` reduced first so the integer conversion cannot overflow."""
    t = v + 4096.0
    if not abs(t) < 1e15:
        t = np.fmod(t, 65536.0) if math.isfinite(t) else 0.0
    i = int(t)  # truncates towards zero, as C does
    return i, t - i


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract", "arcp"})
def _turbulence_kernel(
    out: np.ndarray,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    m: np.ndarray,
    freq_x: float,
    freq_y: float,
    octaves: int,
    fractal: bool,
    stitch: bool,
    stitch_init: np.ndarray,
    selector: np.ndarray,
    gradient: np.ndarray,
) -> None:
    """Fill ``out[y0:y1, x0:x1]`` with premultiplied turbulence; pixel ``(x, y)`` is evaluated at
    the user-space point ``m · (x, y, 1)`` (``m`` = 6 affine coefficients)."""
    sums = np.zeros(4, np.float64)
    for y in range(y0, y1):
        for x in range(x0, x1):
            px = m[0] * x + m[2] * y + m[4]
            py = m[1] * x + m[3] * y + m[5]
            vx = px * freq_x
            vy = py * freq_y
            for c in range(4):
                sums[c] = 0.0
            ratio = 1.0
            width = stitch_init[0]
            height = stitch_init[1]
            wrap_x = stitch_init[2]
            wrap_y = stitch_init[3]
            for _ in range(octaves):
                bx0, rx0 = _lattice_coord(vx)
                by0, ry0 = _lattice_coord(vy)
                bx1 = bx0 + 1
                by1 = by0 + 1
                rx1 = rx0 - 1.0
                ry1 = ry0 - 1.0
                if stitch:
                    if bx0 >= wrap_x:
                        bx0 -= width
                    if bx1 >= wrap_x:
                        bx1 -= width
                    if by0 >= wrap_y:
                        by0 -= height
                    if by1 >= wrap_y:
                        by1 -= height
                bx0 &= 0xFF
                bx1 &= 0xFF
                by0 &= 0xFF
                by1 &= 0xFF
                i = selector[bx0]
                j = selector[bx1]
                b00 = selector[i + by0]
                b10 = selector[j + by0]
                b01 = selector[i + by1]
                b11 = selector[j + by1]
                sx = rx0 * rx0 * (3.0 - 2.0 * rx0)
                sy = ry0 * ry0 * (3.0 - 2.0 * ry0)
                for c in range(4):
                    g = gradient[c]
                    u = rx0 * g[b00, 0] + ry0 * g[b00, 1]
                    v = rx1 * g[b10, 0] + ry0 * g[b10, 1]
                    a = u + sx * (v - u)
                    u = rx0 * g[b01, 0] + ry1 * g[b01, 1]
                    v = rx1 * g[b11, 0] + ry1 * g[b11, 1]
                    b = u + sx * (v - u)
                    n = a + sy * (b - a)
                    sums[c] += (n if fractal else abs(n)) / ratio
                vx *= 2.0
                vy *= 2.0
                ratio *= 2.0
                if stitch:
                    width *= 2
                    wrap_x = 2 * wrap_x - 4096
                    height *= 2
                    wrap_y = 2 * wrap_y - 4096
            # straight colour: fractalNoise maps [-1, 1] onto [0, 1], turbulence is used as is
            alpha = (sums[3] + 1.0) * 0.5 if fractal else sums[3]
            if not alpha > 0.0:  # also NaN
                for c in range(4):
                    out[y, x, c] = 0.0
                continue
            if alpha > 1.0:
                alpha = 1.0
            for c in range(3):
                v = (sums[c] + 1.0) * 0.5 if fractal else sums[c]
                if not v > 0.0:
                    v = 0.0
                elif v > 1.0:
                    v = 1.0
                out[y, x, c] = v * alpha
            out[y, x, 3] = alpha


def _stitch_setup(
    freq_x: float, freq_y: float, tile: tuple[float, float, float, float]
) -> tuple[float, float, npt.NDArray[np.int64]] | None:
    """The reference code's stitching set-up: frequencies adjusted so that a whole number of
    lattice cells fits the tile, and the initial ``StitchInfo`` (width, height, wrapX, wrapY).
    ``None`` when the tile cannot be stitched (empty or non-finite)."""
    tx, ty, tw, th = tile
    if not all(math.isfinite(v) for v in tile) or tw <= 0.0 or th <= 0.0:
        return None
    cells = (tw * freq_x, th * freq_y, tx * freq_x, ty * freq_y)
    if not all(abs(v) < 1e12 for v in cells):
        return None  # a tile of more than 10^12 lattice cells: stitching changes nothing

    def adjust(freq: float, size: float) -> float:
        if freq == 0.0:
            return freq
        lo = math.floor(size * freq) / size
        hi = math.ceil(size * freq) / size
        return lo if lo > 0.0 and freq / lo < hi / freq else hi

    fx, fy = adjust(freq_x, tw), adjust(freq_y, th)

    def clamp(v: float) -> int:  # C's double → int truncation, kept within int64 reach
        return int(max(-(2.0**40), min(2.0**40, v)))

    width = clamp(tw * fx + 0.5)
    height = clamp(th * fy + 0.5)
    wrap_x = clamp(tx * fx + _PERLIN_N + width)
    wrap_y = clamp(ty * fy + _PERLIN_N + height)
    return fx, fy, np.array([width, height, wrap_x, wrap_y], np.int64)


def _op_turbulence(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    """feTurbulence over the subregion (see ``docs/filters.md``)."""
    params = prim.params
    freq_x, freq_y = _pair(params.get("base_frequency", 0.0))
    if freq_x < 0.0 or freq_y < 0.0:
        return _transparent(ctx)  # an error: transparent black, as browsers render it
    octaves = int(min(max(_finite(params.get("num_octaves", 1)), 0.0), MAX_OCTAVES))
    seed = int(max(-(2.0**62), min(2.0**62, _finite(params.get("seed", 0.0)))))
    fractal = bool(params.get("fractal", False))
    # output pixel (work area) → layer → canvas → user space
    to_user = invert(_affine(params.get("user_to_canvas")))
    from_output = invert(ctx.to_output)
    if to_user is None or from_output is None or _is_empty(sub):
        return _transparent(ctx)
    ox, oy = ctx.origin
    m = multiply(multiply(to_user, from_output), (1.0, 0.0, 0.0, 1.0, float(ox), float(oy)))
    if not all(math.isfinite(v) for v in m):
        return _transparent(ctx)
    stitch_init = np.zeros(4, np.int64)
    stitch = False
    if params.get("stitch", False):
        setup = _stitch_setup(freq_x, freq_y, _rect(params.get("tile")))
        if setup is not None:
            freq_x, freq_y, stitch_init = setup
            stitch = True
    selector, gradient = turbulence_lattice(seed)
    out = ctx.blank()
    x0, y0, x1, y1 = sub
    _turbulence_kernel(
        out,
        y0,
        y1,
        x0,
        x1,
        np.array(m, np.float64),
        freq_x,
        freq_y,
        octaves,
        fractal,
        stitch,
        stitch_init,
        selector,
        gradient,
    )
    return _Image(out, sub, _space_of(prim))


def _affine(value: object) -> Affine:
    try:
        values = [float(v) for v in value]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    if len(values) != 6 or not all(math.isfinite(v) for v in values):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    a, b, c, d, e, f = values
    return (a, b, c, d, e, f)


def _rect(value: object) -> tuple[float, float, float, float]:
    try:
        values = [float(v) for v in value]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return (0.0, 0.0, 0.0, 0.0)
    if len(values) != 4:
        return (0.0, 0.0, 0.0, 0.0)
    return (values[0], values[1], values[2], values[3])
