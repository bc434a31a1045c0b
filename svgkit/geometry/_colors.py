"""Basic colour terms for RGB colours, by perceptual distance.

:func:`color_name` converts an sRGB colour to CIELAB (D65 white) and returns the basic colour term
whose nearest prototype is closest by CIEDE2000 (k_L = k_C = k_H = 1). Conversion and colour
difference come from `basic_colormath <https://pypi.org/project/basic-colormath/>`_ (vectorised
over numpy arrays, no other dependency); CSS colour strings are read by the same parser that
builds the Scene, so a colour written as hex, ``rgb()``, ``hsl()``, a name or through a CSS class
arrives as the same colour. The terms are the eleven basic colour terms of Berlin & Kay plus
``magenta`` and ``cyan``; each has one or more prototypes so that dark, light and saturated
variants land where people name them (:data:`COLOR_TERMS`, repeated in ``docs/geometry.md``).
Colours are quantised to 8 bits per channel before naming; results are cached.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

import numpy as np
import numpy.typing as npt

__all__ = ["COLOR_TERMS", "color_distance", "color_name", "color_names", "rgb_to_hex"]

#: Basic colour term → prototype sRGB colours (hex). Order is the tie-break order.
COLOR_TERMS: dict[str, tuple[str, ...]] = {
    "black": ("#000000",),
    "white": ("#ffffff",),
    "gray": ("#808080", "#a9a9a9", "#555555", "#c8c8c8"),
    "red": ("#ff0000", "#cc0000", "#8b0000", "#dc143c", "#b22222"),
    "orange": ("#ffa500", "#ff8c00", "#ff7f00", "#ff6600"),
    "yellow": ("#ffff00", "#ffd700", "#ffee58", "#fff59d"),
    "green": ("#008000", "#00ff00", "#228b22", "#006400", "#32cd32", "#90ee90", "#9acd32",
              "#556b2f"),
    "cyan": ("#00ffff", "#00ced1", "#40e0d0", "#008b8b", "#e0ffff"),
    "blue": ("#0000ff", "#000080", "#4169e1", "#1e90ff", "#87ceeb", "#add8e6", "#4682b4"),
    "purple": ("#800080", "#8a2be2", "#4b0082", "#9370db", "#9400d3", "#663399", "#d8bfd8"),
    "magenta": ("#ff00ff", "#c000c0"),
    "pink": ("#ffc0cb", "#ff69b4", "#ffb6c1", "#ff1493", "#db7093"),
    "brown": ("#8b4513", "#a0522d", "#d2691e", "#654321", "#d2b48c", "#deb887", "#5c4033"),
}

_TERMS = tuple(COLOR_TERMS)
_PROTO_TERM = np.array([k for k, values in enumerate(COLOR_TERMS.values()) for _ in values])
_PROTO_RGB = np.array(
    [[int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)]
     for values in COLOR_TERMS.values() for h in values],
    dtype=np.float64,
)
_CACHE_SIZE = 65536
_cache: dict[int, tuple[str, float]] = {}
_hex_cache: dict[tuple[float, ...], str] = {}


def rgb_to_hex(rgb: Sequence[float] | npt.NDArray[Any]) -> str:
    """Format an RGB triple in [0, 1] as ``#rrggbb`` (components clamped; NaN gives ``""``).

    Examples
    --------
    >>> rgb_to_hex((1.0, 0.5, 0.0))
    '#ff8000'
    """
    vals = tuple([float(v) for v in rgb[:3]])
    found = _hex_cache.get(vals)  # a scene repeats a handful of paints; formatting costs µs
    if found is not None:
        return found
    if any(math.isnan(v) for v in vals):
        return ""  # not cached: NaN keys never compare equal
    out = "#" + "".join(f"{round(min(1.0, max(0.0, v)) * 255):02x}" for v in vals)
    if len(_hex_cache) >= _CACHE_SIZE:
        _hex_cache.clear()
    _hex_cache[vals] = out
    return out


@lru_cache(maxsize=4096)
def _parse_css(text: str) -> tuple[int, int, int]:
    from ..color import parse_color  # the Scene's own colour parser

    rgba = parse_color(text)
    if rgba is None:
        raise ValueError(f"Expected `rgb` to be a CSS colour string, but got {text!r}")
    return (round(rgba[0] * 255), round(rgba[1] * 255), round(rgba[2] * 255))


def _to_rgb8(rgb: Any) -> tuple[int, int, int] | None:
    """Validate and quantise ``rgb`` to 8 bits per channel; ``None`` for missing (NaN) colours."""
    if isinstance(rgb, str):
        return _parse_css(rgb)
    arr = np.asarray(rgb)
    if arr.shape not in ((3,), (4,)) or arr.dtype.kind not in "iuf":
        raise TypeError(f"Expected `rgb` to be 3 numbers or a CSS colour string, but got {rgb!r}")
    if arr.dtype.kind == "f":
        vals = arr[:3].astype(np.float64)
        if np.isnan(vals).any():
            return None
        vals = np.clip(vals, 0.0, 1.0) * 255.0
    else:
        vals = np.clip(arr[:3].astype(np.float64), 0.0, 255.0)
    return (round(float(vals[0])), round(float(vals[1])), round(float(vals[2])))


def _nearest(codes: list[int]) -> list[tuple[str, float]]:
    """Term and distance of 24-bit colour codes, computing the uncached ones in one batch."""
    missing = sorted({c for c in codes if c not in _cache})
    if missing:
        from basic_colormath import get_delta_e_matrix

        arr = np.array(missing, dtype=np.int64)
        rgb = np.column_stack([(arr >> 16) & 255, (arr >> 8) & 255, arr & 255]).astype(np.float64)
        dist = np.asarray(get_delta_e_matrix(rgb, _PROTO_RGB), dtype=np.float64).reshape(
            len(missing), len(_PROTO_RGB))
        best = np.argmin(dist, axis=1)
        if len(_cache) + len(missing) > _CACHE_SIZE:
            _cache.clear()
        for c, k, row in zip(missing, best.tolist(), dist):
            _cache[c] = (_TERMS[_PROTO_TERM[k]], float(row[k]))
    return [_cache[c] for c in codes]


def _code(rgb8: tuple[int, int, int]) -> int:
    return (rgb8[0] << 16) | (rgb8[1] << 8) | rgb8[2]


def color_name(rgb: Any) -> str | None:
    """Name a colour with a basic colour term.

    Parameters
    ----------
    rgb
        Three floats in [0, 1] (straight sRGB; a fourth, alpha, is ignored), three integers in
        [0, 255], or a CSS colour string (``"#f80"``, ``"rgb(255, 128, 0)"``,
        ``"hsl(30, 100%, 50%)"``, ``"orange"``).

    Returns
    -------
    str or None
        One of the keys of :data:`COLOR_TERMS`, or ``None`` when the colour is missing (NaN).

    Examples
    --------
    >>> color_name((1.0, 0.0, 0.0))
    'red'
    >>> color_name((0, 0, 128)), color_name("hsl(120, 100%, 25%)"), color_name("#ffc0cb")
    ('blue', 'green', 'pink')
    """
    rgb8 = _to_rgb8(rgb)
    if rgb8 is None:
        return None
    return _nearest([_code(rgb8)])[0][0]


def color_names(rgbs: Any) -> list[str | None]:
    """Name many colours at once (one vectorised distance computation for the uncached ones).

    Parameters
    ----------
    rgbs
        An ``(n, 3)`` or ``(n, 4)`` array of floats in [0, 1] (NaN rows give ``None``), of
        integers in [0, 255], or a sequence of CSS colour strings.

    Examples
    --------
    >>> color_names([[1.0, 0.0, 0.0], [0.0, 0.0, float("nan")]])
    ['red', None]
    >>> color_names(["navy", "#ffd700"])
    ['blue', 'yellow']
    """
    if isinstance(rgbs, (list, tuple)) and rgbs and all(isinstance(v, str) for v in rgbs):
        items: list[tuple[int, int, int] | None] = [_parse_css(v) for v in rgbs]
    else:
        arr = np.asarray(rgbs)
        if arr.size == 0:
            return []
        if arr.ndim != 2 or arr.shape[1] not in (3, 4) or arr.dtype.kind not in "iuf":
            raise TypeError(f"Expected `rgbs` to be an (n, 3) array or CSS strings, but got "
                            f"shape {arr.shape}")
        vals = arr[:, :3].astype(np.float64)
        bad = cast("list[bool]", np.isnan(vals).any(axis=1).tolist())
        vals = np.clip(np.nan_to_num(vals), 0.0, 1.0) * 255.0 if arr.dtype.kind == "f" else (
            np.clip(vals, 0.0, 255.0))
        q = np.rint(vals).astype(np.int64)
        items = [None if b else (int(r[0]), int(r[1]), int(r[2]))
                 for r, b in zip(q.tolist(), bad)]
    codes = [_code(c) for c in items if c is not None]
    named = iter(_nearest(codes))
    return [None if c is None else next(named)[0] for c in items]


def color_distance(rgb: Any) -> float:
    """CIEDE2000 distance from ``rgb`` to the nearest prototype of :func:`color_name`.

    Small values (≲ 10) mean the colour is a clear example of its term; large values (≳ 20) mean
    it lies between terms. NaN for a missing colour.

    Examples
    --------
    >>> round(color_distance((1.0, 0.0, 0.0)), 3)
    0.0
    """
    rgb8 = _to_rgb8(rgb)
    if rgb8 is None:
        return math.nan
    return _nearest([_code(rgb8)])[0][1]
