"""cairo ARGB32 (premultiplied, native-endian) → straight RGBA uint8, in numba kernels.

On little-endian machines an ARGB32 pixel is stored as the bytes B, G, R, A with colour
premultiplied by alpha. Straight colour is ``c = round(c' · 255 / a)`` for ``0 < a < 255``;
``a = 255`` is a byte swap and ``a = 0`` is transparent black. The kernels make one pass and only
divide where they have to, so an opaque picture costs little more than a copy. The renderer
draws straight into its result array and converts it in place (:func:`argb32_to_rgba_inplace`),
block by block, so the usual wholly opaque or wholly transparent blocks run as vector code.
"""

from __future__ import annotations

import sys

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["argb32_to_rgba", "argb32_to_rgba_inplace"]


@njit(cache=True, nogil=True)
def _unpremultiply_le(src: np.ndarray, out: np.ndarray) -> None:
    """Little-endian ARGB32 words → RGBA bytes as little-endian words (0xAABBGGRR)."""
    for k in range(src.shape[0]):
        v = np.int64(src[k])
        a = v >> 24
        if a == 255:
            # swap the red and blue bytes, keep green and alpha
            out[k] = np.uint32((v & 0xFF00FF00) | ((v >> 16) & 0xFF) | ((v & 0xFF) << 16))
        elif a == 0:
            out[k] = np.uint32(0)
        else:
            half = a >> 1
            r = min((((v >> 16) & 0xFF) * 255 + half) // a, 255)
            g = min((((v >> 8) & 0xFF) * 255 + half) // a, 255)
            b = min(((v & 0xFF) * 255 + half) // a, 255)
            out[k] = np.uint32((a << 24) | (b << 16) | (g << 8) | r)


@njit(cache=True, nogil=True)
def _unpremultiply_le_inplace(words: np.ndarray) -> None:
    """:func:`_unpremultiply_le` with the result written over its input, 64 pixels at a time.

    Most blocks of a picture are wholly opaque (a byte swap) or wholly transparent (already
    zero); a block is tested with two bitwise reductions and such blocks then run as vector
    code, about five times faster than the per-pixel branches every block took before. Each
    block is a view of its own: indexing ``words`` from a computed start defeats the
    vectoriser, which cannot prove the index non-negative."""
    n = words.shape[0]
    for start in range(0, n, 64):
        blk = words[start : start + 64]
        all_bits = np.uint32(0xFFFFFFFF)
        any_bits = np.uint32(0)
        for j in range(blk.shape[0]):
            v = blk[j]
            all_bits &= v
            any_bits |= v
        if (all_bits >> np.uint32(24)) == np.uint32(255):
            # every pixel opaque: swap the red and blue bytes
            for j in range(blk.shape[0]):
                v = blk[j]
                blk[j] = (
                    (v & np.uint32(0xFF00FF00))
                    | ((v >> np.uint32(16)) & np.uint32(0xFF))
                    | ((v & np.uint32(0xFF)) << np.uint32(16))
                )
        elif any_bits != np.uint32(0):  # (a block of zero words is transparent black already)
            for j in range(blk.shape[0]):
                v = np.int64(blk[j])
                a = v >> 24
                if a == 255:
                    blk[j] = np.uint32((v & 0xFF00FF00) | ((v >> 16) & 0xFF) | ((v & 0xFF) << 16))
                elif a == 0:
                    blk[j] = np.uint32(0)
                else:
                    half = a >> 1
                    r = min((((v >> 16) & 0xFF) * 255 + half) // a, 255)
                    g = min((((v >> 8) & 0xFF) * 255 + half) // a, 255)
                    b = min(((v & 0xFF) * 255 + half) // a, 255)
                    blk[j] = np.uint32((a << 24) | (b << 16) | (g << 8) | r)


@njit(cache=True, nogil=True)
def _unpremultiply(src: np.ndarray, out: np.ndarray, bi: int, gi: int, ri: int, ai: int) -> None:
    """Byte-wise version for any byte order (and strides that are not 4 × width)."""
    h, w = out.shape[0], out.shape[1]
    for y in range(h):
        for x in range(w):
            o = 4 * x
            a = src[y, o + ai]
            if a == 255:
                out[y, x, 0] = src[y, o + ri]
                out[y, x, 1] = src[y, o + gi]
                out[y, x, 2] = src[y, o + bi]
                out[y, x, 3] = 255
            elif a == 0:
                out[y, x, 0] = 0
                out[y, x, 1] = 0
                out[y, x, 2] = 0
                out[y, x, 3] = 0
            else:
                half = a // 2
                r = (np.int32(src[y, o + ri]) * 255 + half) // a
                g = (np.int32(src[y, o + gi]) * 255 + half) // a
                b = (np.int32(src[y, o + bi]) * 255 + half) // a
                out[y, x, 0] = min(r, 255)
                out[y, x, 1] = min(g, 255)
                out[y, x, 2] = min(b, 255)
                out[y, x, 3] = a


_ORDER = (0, 1, 2, 3) if sys.byteorder == "little" else (3, 2, 1, 0)


def argb32_to_rgba(
    data: memoryview | bytes,
    width: int,
    height: int,
    stride: int,
    out: npt.NDArray[np.uint8] | None = None,
) -> npt.NDArray[np.uint8]:
    """Straight RGBA ``(height, width, 4)`` from a cairo ARGB32 buffer with row ``stride``.

    ``out`` (C-contiguous uint8 of that shape) receives the pixels when given.

    Examples
    --------
    >>> import numpy as np
    >>> px = np.array([[0, 0, 128, 128]], dtype=np.uint8)  # half-transparent red, premultiplied
    >>> argb32_to_rgba(px.tobytes(), 1, 1, 4)[0, 0].tolist()
    [255, 0, 0, 128]
    """
    if out is None:
        out = np.empty((height, width, 4), dtype=np.uint8)
    elif out.shape != (height, width, 4) or out.dtype != np.uint8 or not out.flags.c_contiguous:
        raise ValueError(f"Expected `out` to be C-contiguous uint8 {(height, width, 4)}")
    if sys.byteorder == "little" and stride == 4 * width:
        words = np.frombuffer(data, dtype=np.uint32, count=height * width)
        _unpremultiply_le(words, out.reshape(-1).view(np.uint32))
        return out
    src = np.frombuffer(data, dtype=np.uint8, count=height * stride).reshape(height, stride)
    b, g, r, a = _ORDER
    _unpremultiply(src, out, b, g, r, a)
    return out


def argb32_to_rgba_inplace(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Convert a C-contiguous ``(height, width, 4)`` uint8 array holding a cairo ARGB32 picture
    (stride ``4 × width``) to straight RGBA in place; returns ``pixels``.

    Examples
    --------
    >>> import numpy as np
    >>> px = np.array([[[0, 0, 128, 128]]], dtype=np.uint8)  # half-transparent red, premultiplied
    >>> argb32_to_rgba_inplace(px)[0, 0].tolist()
    [255, 0, 0, 128]
    """
    if sys.byteorder == "little":
        _unpremultiply_le_inplace(pixels.reshape(-1).view(np.uint32))
        return pixels
    h, w = pixels.shape[0], pixels.shape[1]
    return argb32_to_rgba(pixels.tobytes(), w, h, 4 * w, pixels)
