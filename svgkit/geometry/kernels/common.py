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

from ...paths import Command
from ...scene import FILL_RULE_EVENODD, FILL_RULE_NONZERO, LineCap, PaintKind, PrimitiveKind
from .jit import kernel

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
    "argsort",
    "grow",
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


_SMALL_SORT = 15  # numba's quicksort switches to insertion sort below this size
_MAX_STACK = 100


@kernel()
def argsort(keys: np.ndarray, n: int) -> np.ndarray:
    """Indices sorting ``keys[:n]``: the very algorithm (and so the order of ties) of numba's
    ``np.argsort`` (quicksort; NaN last), written out as one function, which compiles in a
    fraction of the time numba's generic one takes. ``x < y or (y != y and x == x)`` is numba's
    order with NaN last. Callers pass float64 keys only (integer keys converted: exact below
    2**53, and the same order), so that it compiles once."""
    order = np.empty(n, dtype=np.int64)  # not np.arange: one numba overload less to compile
    for k in range(n):
        order[k] = k
    if n < 2:
        return order
    stack_lo = np.empty(_MAX_STACK, dtype=np.int64)
    stack_hi = np.empty(_MAX_STACK, dtype=np.int64)
    stack_lo[0] = 0
    stack_hi[0] = n - 1
    depth = 1
    while depth > 0:
        depth -= 1
        low = stack_lo[depth]
        high = stack_hi[depth]
        while high - low >= _SMALL_SORT:
            # partition around the median of {low, mid, high}
            mid = (low + high) >> 1
            x = keys[order[mid]]
            y = keys[order[low]]
            if x < y or (y != y and x == x):
                order[low], order[mid] = order[mid], order[low]
            x = keys[order[high]]
            y = keys[order[mid]]
            if x < y or (y != y and x == x):
                order[high], order[mid] = order[mid], order[high]
            x = keys[order[mid]]
            y = keys[order[low]]
            if x < y or (y != y and x == x):
                order[low], order[mid] = order[mid], order[low]
            pivot = keys[order[mid]]
            order[high], order[mid] = order[mid], order[high]
            i = low
            j = high - 1
            while True:
                while i < high:
                    x = keys[order[i]]
                    if not (x < pivot or (pivot != pivot and x == x)):
                        break
                    i += 1
                while j >= low:
                    y = keys[order[j]]
                    if not (pivot < y or (y != y and pivot == pivot)):
                        break
                    j -= 1
                if i >= j:
                    break
                order[i], order[j] = order[j], order[i]
                i += 1
                j -= 1
            order[i], order[high] = order[high], order[i]
            # push the larger part, go on with the smaller one
            if high - i > i - low:
                if high > i:
                    stack_lo[depth] = i + 1
                    stack_hi[depth] = high
                    depth += 1
                high = i - 1
            else:
                if i > low:
                    stack_lo[depth] = low
                    stack_hi[depth] = i - 1
                    depth += 1
                low = i + 1
        # insertion sort of order[low:high + 1]
        for i in range(low + 1, high + 1):
            k = order[i]
            x = keys[k]
            j = i
            while j > low:
                y = keys[order[j - 1]]
                if not (x < y or (y != y and x == x)):
                    break
                order[j] = order[j - 1]
                j -= 1
            order[j] = k
    return order


@kernel()
def sorted_unique(values: np.ndarray, n: int) -> np.ndarray:
    """The distinct values of ``values[:n]``, sorted."""
    out = np.empty(n, dtype=values.dtype)
    if n == 0:
        return out
    keys = np.empty(n)  # float64 keys: one argsort for every dtype (exact for these integers)
    for t in range(n):
        keys[t] = values[t]
    order = argsort(keys, n)
    m = 0
    for t in range(n):
        v = values[order[t]]
        if m == 0 or v != out[m - 1]:
            out[m] = v
            m += 1
    return out[:m].copy()


@kernel()
def grow(buf: np.ndarray, need: int) -> np.ndarray:
    if need <= buf.shape[0]:
        return buf
    size = max(need, 2 * buf.shape[0])
    out = np.empty((size, buf.shape[1]), dtype=buf.dtype)
    for i in range(buf.shape[0]):
        for j in range(buf.shape[1]):
            out[i, j] = buf[i, j]
    return out
