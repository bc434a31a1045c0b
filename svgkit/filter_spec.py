"""Facts of the SVG filter specification that both the builder and the filter engine need.

The builder expands ``feColorMatrix`` shorthands and CSS filter functions into 20-value matrices
and marks primitive kinds the engine cannot run; the engine (:mod:`svgkit.renderer.filters`)
applies them. Keeping the facts here lets the builder stay independent of the pixel engine.
"""

from __future__ import annotations

import math

__all__ = ["LUMINANCE_TO_ALPHA_MATRIX", "SUPPORTED_KINDS", "hue_rotate_matrix", "saturate_matrix"]

SUPPORTED_KINDS: frozenset[str] = frozenset(
    {
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feConvolveMatrix",
        "feDiffuseLighting",
        "feDisplacementMap",
        "feDropShadow",
        "feFlood",
        "feGaussianBlur",
        "feImage",
        "feMerge",
        "feMorphology",
        "feOffset",
        "feSpecularLighting",
        "feTile",
        "feTurbulence",
    }
)
"""Kinds :func:`svgkit.renderer.filters.apply_filter` implements; any other kind passes its first
input through."""


def _finite(v: float) -> float:
    return v if math.isfinite(v) else 0.0


LUMINANCE_TO_ALPHA_MATRIX: tuple[float, ...] = (
    0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
    0.2125, 0.7154, 0.0721, 0.0, 0.0,
)  # fmt: skip
"""``feColorMatrix type="luminanceToAlpha"`` as 20 row-major values."""


def saturate_matrix(s: float) -> tuple[float, ...]:
    """``feColorMatrix type="saturate"`` with value ``s`` as 20 row-major values.

    Values above 1 oversaturate. A negative ``s`` (undefined in the spec) is taken as 0, which is
    what resvg's reference image for it shows.

    Examples
    --------
    >>> saturate_matrix(1.0)[:5]
    (1.0, 0.0, 0.0, 0.0, 0.0)
    """
    s = max(_finite(s), 0.0)
    return (
        0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s, 0.0, 0.0,
        0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s, 0.0, 0.0,
        0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s, 0.0, 0.0,
        0.0, 0.0, 0.0, 1.0, 0.0,
    )  # fmt: skip


def hue_rotate_matrix(degrees: float) -> tuple[float, ...]:
    """``feColorMatrix type="hueRotate"`` by ``degrees`` as 20 row-major values.

    Examples
    --------
    >>> [round(v, 3) for v in hue_rotate_matrix(0.0)[:3]]
    [1.0, 0.0, 0.0]
    """
    t = math.radians(_finite(degrees))
    cs, sn = math.cos(t), math.sin(t)
    return (
        0.213 + 0.787 * cs - 0.213 * sn, 0.715 - 0.715 * cs - 0.715 * sn,
        0.072 - 0.072 * cs + 0.928 * sn, 0.0, 0.0,
        0.213 - 0.213 * cs + 0.143 * sn, 0.715 + 0.285 * cs + 0.140 * sn,
        0.072 - 0.072 * cs - 0.283 * sn, 0.0, 0.0,
        0.213 - 0.213 * cs - 0.787 * sn, 0.715 - 0.715 * cs + 0.715 * sn,
        0.072 + 0.928 * cs + 0.072 * sn, 0.0, 0.0,
        0.0, 0.0, 0.0, 1.0, 0.0,
    )  # fmt: skip
