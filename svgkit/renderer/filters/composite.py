"""The primitives that paint or combine images: ``feFlood``, ``feComposite`` (Porter-Duff and
arithmetic), ``feMerge`` and ``feBlend`` (every mode of Compositing and Blending Level 1), with
their numba kernels; ``feDropShadow`` reuses the paint and source-over kernels.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ...filter_spec import BLEND_MODES
from ...scene import FilterPrimitive
from .image import (
    _EMPTY,
    Box,
    _Context,
    _finite,
    _flood_premultiplied,
    _Image,
    _intersect,
    _is_empty,
    _space_of,
    _transparent,
    _union,
)

__all__ = ["BLEND_MODES"]

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


# ---------------------------------------------------------------------------------------------
# primitives


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
