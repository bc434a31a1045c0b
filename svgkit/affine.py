"""2-D affine transforms as 6-tuples, shared by the builder, the renderer and the filters.

An :data:`Affine` ``(a, b, c, d, e, f)`` maps ``(x, y)`` to ``(a·x + c·y + e, b·x + d·y + f)``, the
order of SVG's ``matrix(a b c d e f)`` and of cairo's ``Matrix``.

Examples
--------
>>> from svgkit.affine import IDENTITY, map_point, multiply
>>> scale_then_move = multiply((1.0, 0.0, 0.0, 1.0, 10.0, 0.0), (2.0, 0.0, 0.0, 2.0, 0.0, 0.0))
>>> map_point(scale_then_move, 1.0, 1.0)
(12.0, 2.0)
>>> multiply(IDENTITY, scale_then_move) == scale_then_move
True
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "IDENTITY",
    "Affine",
    "map_point",
    "invert",
    "is_finite",
    "is_invertible",
    "multiply",
    "transform_points",
    "viewbox_transform",
]

Affine = tuple[float, float, float, float, float, float]
IDENTITY: Affine = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def multiply(m: Affine, n: Affine) -> Affine:
    """``m ∘ n``: apply ``n`` first, then ``m``."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + c * b2,
        b * a2 + d * b2,
        a * c2 + c * d2,
        b * c2 + d * d2,
        a * e2 + c * f2 + e,
        b * e2 + d * f2 + f,
    )


def map_point(m: Affine, x: float, y: float) -> tuple[float, float]:
    """The image of the point ``(x, y)`` under ``m``."""
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def is_finite(m: Affine) -> bool:
    """Whether every coefficient is finite."""
    return all(math.isfinite(v) for v in m)


def invert(m: Affine) -> Affine | None:
    """The inverse of ``m``, or ``None`` when it is singular or not finite."""
    a, b, c, d, e, f = m
    det = a * d - b * c
    if det == 0 or not math.isfinite(det):
        return None
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return (ia, ib, ic, id_, -(ia * e + ic * f), -(ib * e + id_ * f))


def singular_values(m: Affine) -> tuple[float, float]:
    """The largest and smallest singular values of ``m``'s linear part: how far a unit vector
    is stretched at most and at least.

    Examples
    --------
    >>> singular_values((2.0, 0.0, 0.0, 0.5, 9.0, 9.0))
    (2.0, 0.5)
    """
    a, b, c, d = m[0], m[1], m[2], m[3]
    p = (a * a + b * b + c * c + d * d) / 2.0
    q = math.hypot((a * a + b * b - c * c - d * d) / 2.0, a * c + b * d)
    largest = math.sqrt(p + q)
    return largest, abs(a * d - b * c) / largest if largest > 0.0 else 0.0


def is_invertible(m: Affine) -> bool:
    """Whether cairo can use ``m``: a finite determinant above 1e-12 and a finite translation."""
    det = m[0] * m[3] - m[1] * m[2]
    # a NaN or infinite linear part makes det non-finite; the translation is checked apart
    return math.isfinite(det) and abs(det) > 1e-12 and math.isfinite(m[4] + m[5])


def transform_points(points: npt.NDArray[np.float64], m: Affine) -> npt.NDArray[np.float64]:
    """``points`` (an ``(n, 2)`` array) mapped by ``m``; overflow gives ``inf``, not a warning."""
    out = np.empty_like(points)
    with np.errstate(over="ignore", invalid="ignore"):
        out[:, 0] = m[0] * points[:, 0] + m[2] * points[:, 1] + m[4]
        out[:, 1] = m[1] * points[:, 0] + m[3] * points[:, 1] + m[5]
    return out


def viewbox_transform(
    viewbox: tuple[float, float, float, float],
    par: str,
    x: float,
    y: float,
    width: float,
    height: float,
) -> Affine:
    """The SVG viewBox → viewport mapping for the viewport ``(x, y, width, height)``.

    The one statement of ``preserveAspectRatio`` (SVG 1.1 §7.8), used by the builder (nested
    viewports, markers, patterns) and by the renderer's output mapping. ``par`` is normalised
    (``"xMidYMid meet"``, ``"none"``, …). With ``sx = width / vw`` and ``sy = height / vh``:
    ``none`` scales by ``(sx, sy)``; ``meet`` by ``min(sx, sy)`` and ``slice`` by
    ``max(sx, sy)`` on both axes, aligned by the ``xM??YM??`` keyword.

    Examples
    --------
    >>> viewbox_transform((0, 0, 10, 10), "xMidYMid meet", 0.0, 0.0, 200, 100)
    (10.0, 0.0, 0.0, 10.0, 50.0, 0.0)
    """
    vx, vy, vw, vh = (float(v) for v in viewbox)
    sx, sy = width / vw, height / vh
    align, _, mode = par.partition(" ")
    if align == "none":
        return (sx, 0.0, 0.0, sy, x - vx * sx, y - vy * sy)
    s = max(sx, sy) if mode == "slice" else min(sx, sy)
    tx, ty = x - vx * s, y - vy * s
    if "xMid" in align:
        tx += (width - vw * s) / 2.0
    elif "xMax" in align:
        tx += width - vw * s
    if "YMid" in align:
        ty += (height - vh * s) / 2.0
    elif "YMax" in align:
        ty += height - vh * s
    return (s, 0.0, 0.0, s, tx, ty)
