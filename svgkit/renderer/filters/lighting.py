"""``feDiffuseLighting`` and ``feSpecularLighting`` with ``feDistantLight``, ``fePointLight`` and
``feSpotLight``: the input's alpha is a height map, its surface normals come from the
specification's Sobel kernels (with its reduced kernels and factors on the image's edges and
corners), and one numba kernel lights every pixel of the subregion.

Lengths are in output pixels, as browsers compute lighting (``kernelUnitLength`` is taken as one
output pixel): light positions are mapped from canvas pixels through the output transform, and
``z`` scales by the mean of the two axis scales ``sqrt((sx² + sy²) / 2)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from ...affine import map_point
from ...scene import FilterPrimitive
from .image import (
    _LINEAR,
    Box,
    _Context,
    _finite,
    _Image,
    _is_empty,
    _space_of,
    _transparent,
    srgb_to_linear,
)

__all__: list[str] = []

_DISTANT, _POINT, _SPOT = 0, 1, 2
# Width (in cos of the angle) of the band inside a spot light's cone over which the light fades in
# (browsers anti-alias the cone's edge so; the specification asks for "a smoothing technique").
_CONE_SMOOTHING = 0.016


@njit(cache=True, nogil=True)
def _height_map(src: np.ndarray, out: np.ndarray) -> None:
    """``out = clamp(src alpha, 0, 1)`` (NaN → 0)."""
    for y in range(src.shape[0]):
        for x in range(src.shape[1]):
            a = src[y, x, 3]
            out[y, x] = 0.0 if not a > 0.0 else min(a, np.float32(1.0))


@njit(cache=True, nogil=True)
def _lighting_kernel(
    alpha: np.ndarray,
    out: np.ndarray,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
    surface_scale: float,
    constant: float,
    exponent: float,
    specular: bool,
    kind: int,
    light: np.ndarray,
    colour: np.ndarray,
) -> None:
    """Light ``out[y0:y1, x0:x1]`` from the height map ``alpha`` (work-area sized, in [0, 1]).

    ``light``: distant: the unit vector towards the light; point: its position (x, y, z);
    spot: position, unit direction S, specular exponent, cos of the outer cone, cos of the inner
    cone (``-2`` for no cone)."""
    height, width = alpha.shape[0], alpha.shape[1]
    lx, ly, lz = light[0], light[1], light[2]
    for y in range(y0, y1):
        yu = y - 1 if y > 0 else y
        yd = y + 1 if y < height - 1 else y
        above = alpha[yu]
        row = alpha[y]
        below = alpha[yd]
        for x in range(x0, x1):
            if 0 < x < width - 1 and yu < y < yd:
                # inside: the Sobel kernels with the factor 1/4
                gx = (
                    above[x + 1] - above[x - 1] + 2.0 * (row[x + 1] - row[x - 1])
                    + below[x + 1] - below[x - 1]
                )  # fmt: skip
                gy = (
                    below[x - 1] - above[x - 1] + 2.0 * (below[x] - above[x])
                    + below[x + 1] - above[x + 1]
                )  # fmt: skip
                nx = -surface_scale * 0.25 * gx
                ny = -surface_scale * 0.25 * gy
            else:
                # on an edge: the kernels over the rows / columns that exist (weights 1, 2, 1, or
                # 2, 1), times 2 / (the distance the difference spans · the weights' sum) — the
                # spec's FACTORs 1/3 and 1/2 on edges, 2/3 in corners
                xl = x - 1 if x > 0 else x
                xr = x + 1 if x < width - 1 else x
                gx = 0.0
                wy = 0.0
                for yy in range(yu, yd + 1):
                    w = 2.0 if yy == y else 1.0
                    gx += w * (alpha[yy, xr] - alpha[yy, xl])
                    wy += w
                gy = 0.0
                wx = 0.0
                for xx in range(xl, xr + 1):
                    w = 2.0 if xx == x else 1.0
                    gy += w * (alpha[yd, xx] - alpha[yu, xx])
                    wx += w
                nx = 0.0
                ny = 0.0
                if xr > xl:
                    nx = -surface_scale * 2.0 * gx / ((xr - xl) * wy)
                if yd > yu:
                    ny = -surface_scale * 2.0 * gy / ((yd - yu) * wx)
            nlen = math.sqrt(nx * nx + ny * ny + 1.0)
            nx /= nlen
            ny /= nlen
            nz = 1.0 / nlen
            # unit vector from the surface towards the light
            if kind == 0:
                vx, vy, vz = lx, ly, lz
            else:
                vx = lx - x
                vy = ly - y
                vz = lz - surface_scale * row[x]
                vlen = math.sqrt(vx * vx + vy * vy + vz * vz)
                if vlen > 0.0:
                    vx /= vlen
                    vy /= vlen
                    vz /= vlen
            scale = 1.0
            if kind == 2:
                cos_angle = -(vx * light[3] + vy * light[4] + vz * light[5])
                if not cos_angle > light[7] or not cos_angle > 0.0:
                    scale = 0.0
                else:
                    scale = cos_angle ** light[6]
                    if cos_angle < light[8]:
                        scale *= (cos_angle - light[7]) / (light[8] - light[7])
            if specular:
                hx, hy, hz = vx, vy, vz + 1.0
                hlen = math.sqrt(hx * hx + hy * hy + hz * hz)
                factor = 0.0
                if hlen > 0.0:
                    n_dot_h = (nx * hx + ny * hy + nz * hz) / hlen
                    if n_dot_h > 0.0:
                        factor = constant * n_dot_h**exponent
            else:
                factor = constant * (nx * vx + ny * vy + nz * vz)
            top = 0.0
            for c in range(3):
                v = factor * scale * colour[c]
                if not v > 0.0:
                    v = 0.0
                elif v > 1.0:
                    v = 1.0
                out[y, x, c] = v
                top = max(top, v)
            # diffuse light is opaque; specular light's alpha is its brightest channel, so its
            # colour is already premultiplied
            out[y, x, 3] = top if specular else 1.0


def _light_vector(ctx: _Context, light: dict[str, Any]) -> tuple[int, np.ndarray] | None:
    """The kernel's light code and parameters in work-area pixels, or ``None`` (no light)."""
    kind = str(light.get("type", ""))
    if kind == "distant":
        azimuth = math.radians(_finite(light.get("azimuth", 0.0)))
        elevation = math.radians(_finite(light.get("elevation", 0.0)))
        vector = (
            math.cos(azimuth) * math.cos(elevation),
            math.sin(azimuth) * math.cos(elevation),
            math.sin(elevation),
        )
        return _DISTANT, np.array([*vector, 0, 0, 0, 0, 0, 0], np.float64)
    if kind not in ("point", "spot"):
        return None
    sx, sy = ctx.length_scale
    z_scale = math.sqrt((sx * sx + sy * sy) / 2.0)
    ox, oy = ctx.origin

    def position(x: Any, y: Any, z: Any) -> tuple[float, float, float]:
        px, py = map_point(ctx.to_output, _finite(x), _finite(y))
        return (px - ox, py - oy, _finite(z) * z_scale)

    pos = position(light.get("x", 0.0), light.get("y", 0.0), light.get("z", 0.0))
    if not all(math.isfinite(v) and abs(v) < 1e15 for v in pos):
        return None
    if kind == "point":
        return _POINT, np.array([*pos, 0, 0, 0, 0, 0, 0], np.float64)
    at = position(
        light.get("points_at_x", 0.0), light.get("points_at_y", 0.0), light.get("points_at_z", 0.0)
    )
    direction = [at[i] - pos[i] for i in range(3)]
    norm = math.sqrt(sum(v * v for v in direction))
    # a spot light pointing nowhere (S = 0) lights nothing: its colour is black
    direction = [v / norm for v in direction] if norm > 0.0 and math.isfinite(norm) else [0.0] * 3
    # the spot's exponent is clamped to [1, 128] as browsers do (1 when missing or invalid)
    spot_exp = min(max(_finite(light.get("specular_exponent", 1.0), 1.0), 1.0), 128.0)
    cone = light.get("cone")
    cos_outer = 0.0  # no cone, or one wider than 90°: the light's half-space
    if cone is not None:
        angle = abs(_finite(cone, 90.0))
        if angle < 90.0:
            cos_outer = math.cos(math.radians(angle))
    cos_inner = min(cos_outer + _CONE_SMOOTHING, 1.0)
    return _SPOT, np.array([*pos, *direction, spot_exp, cos_outer, cos_inner], np.float64)


def _lighting(ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box) -> _Image:
    params = prim.params
    specular = prim.kind == "feSpecularLighting"
    space = _space_of(prim)
    light = params.get("light")
    resolved = _light_vector(ctx, light) if isinstance(light, dict) else None
    if resolved is None or _is_empty(sub):
        return _transparent(ctx)
    kind, vector = resolved
    exponent = _finite(params.get("specular_exponent", 1.0), 1.0)
    if specular and not 1.0 <= exponent <= 128.0:
        # outside the specification's range: the primitive is in error (transparent black), as
        # resvg and Firefox render it (Chrome clamps the exponent instead)
        return _transparent(ctx)
    try:
        rgb = [min(max(_finite(v), 0.0), 1.0) for v in params.get("rgb", (1.0, 1.0, 1.0))][:3]
    except TypeError:
        rgb = []
    rgb += [1.0, 1.0, 1.0][len(rgb) :]
    if space == _LINEAR:
        rgb = [srgb_to_linear(v) for v in rgb]
    surface_scale = _finite(params.get("surface_scale", 1.0), 1.0)
    surface_scale = min(max(surface_scale, -1e15), 1e15)
    default_constant = 1.0
    constant = _finite(params.get("constant", default_constant), default_constant)
    out = ctx.blank()
    x0, y0, x1, y1 = sub
    height_map = ctx.arena.empty((ctx.height, ctx.width))
    _height_map(ins[0].pixels, height_map)
    _lighting_kernel(
        height_map,
        out,
        y0,
        y1,
        x0,
        x1,
        surface_scale,
        min(max(constant, -1e15), 1e15),
        exponent,
        specular,
        kind,
        vector,
        np.array(rgb, np.float64),
    )
    return _Image(out, sub, space)


def _op_diffuse_lighting(
    ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box
) -> _Image:
    """feDiffuseLighting (see ``docs/filters.md``)."""
    return _lighting(ctx, prim, ins, sub)


def _op_specular_lighting(
    ctx: _Context, prim: FilterPrimitive, ins: list[_Image], sub: Box
) -> _Image:
    """feSpecularLighting (see ``docs/filters.md``)."""
    return _lighting(ctx, prim, ins, sub)
