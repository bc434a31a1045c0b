"""Shared pieces of the geometry kernels: the integer codes they compare with and the small numba
helpers more than one family calls. The codes are read from the Scene's enums
(:class:`svgkit.scene.PrimitiveKind`, :class:`svgkit.scene.PaintKind`,
:class:`svgkit.scene.LineCap`, :class:`svgkit.paths.Command`) once at import, so they cannot
drift from them, and numba compiles module-level ints into the kernels as constants.
"""

# mypy: disable-error-code="no-any-return"
# (kernels index untyped numpy arrays; numba, not mypy, checks the types that matter here)

from __future__ import annotations

import numpy as np
from numba import njit

from ...paths import Command
from ...scene import FILL_RULE_EVENODD, FILL_RULE_NONZERO, LineCap, PaintKind, PrimitiveKind

__all__ = [
    "CAP_BUTT",
    "CAP_ROUND",
    "CAP_SQUARE",
    "CLOSE",
    "KIND_IMAGE",
    "KIND_PATH",
    "KIND_TEXT",
    "LINE",
    "MOVE",
    "N_COMMANDS",
    "N_KINDS",
    "PAINT_LINEAR",
    "PAINT_NONE",
    "PAINT_RADIAL",
    "PAINT_SOLID",
    "PART_FILL",
    "PART_STROKE",
    "RULE_EVENODD",
    "RULE_NONZERO",
    "grow",
    "inside",
    "sorted_unique",
]

RULE_NONZERO = int(FILL_RULE_NONZERO)
RULE_EVENODD = int(FILL_RULE_EVENODD)

# a layer's part is the kernels' own code (the Scene has no such column)
PART_FILL = 0
PART_STROKE = 1

KIND_PATH = int(PrimitiveKind.PATH)
KIND_TEXT = int(PrimitiveKind.TEXT)
KIND_IMAGE = int(PrimitiveKind.IMAGE)
N_KINDS = len(PrimitiveKind)

PAINT_NONE = int(PaintKind.NONE)
PAINT_SOLID = int(PaintKind.SOLID)
PAINT_LINEAR = int(PaintKind.LINEAR_GRADIENT)
PAINT_RADIAL = int(PaintKind.RADIAL_GRADIENT)

CAP_BUTT = int(LineCap.BUTT)
CAP_ROUND = int(LineCap.ROUND)
CAP_SQUARE = int(LineCap.SQUARE)

MOVE = int(Command.MOVE)
LINE = int(Command.LINE)
CLOSE = int(Command.CLOSE)
N_COMMANDS = len(Command)


@njit(cache=True)
def inside(w: int, rule: int) -> bool:
    if rule == RULE_EVENODD:
        return (w & 1) == 1
    return w != 0


@njit(cache=True)
def sorted_unique(values: np.ndarray) -> np.ndarray:
    if values.shape[0] == 0:
        return values
    v = np.sort(values)
    keep = np.ones(v.shape[0], dtype=np.bool_)
    for t in range(1, v.shape[0]):
        keep[t] = v[t] != v[t - 1]
    return v[keep]


@njit(cache=True)
def grow(buf: np.ndarray, need: int) -> np.ndarray:
    if need <= buf.shape[0]:
        return buf
    size = max(need, 2 * buf.shape[0])
    out = np.empty((size, buf.shape[1]), dtype=buf.dtype)
    out[: buf.shape[0]] = buf
    return out
