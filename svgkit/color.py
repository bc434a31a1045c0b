"""CSS colours: the parser every stage uses, so a colour means the same to the builder, the
renderer's background and the geometry's colour names.

Examples
--------
>>> from svgkit.color import parse_color
>>> parse_color("#ff000080")
(1.0, 0.0, 0.0, 0.5019607843137255)
>>> parse_color("not a colour") is None
True
"""

from __future__ import annotations

import colorsys
import re

from svgelements import Color

__all__ = ["CSS_COLOR_NAMES", "parse_color"]

_NUMBER_ONLY = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_COLOR_FUNC = re.compile(r"^(rgba?|hsla?)\(\s*[^()]*\)$", re.IGNORECASE)

# The CSS Color Module level 4 keyword list (a fact of the spec, not code).
CSS_COLOR_NAMES = (
    "aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue "
    "blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk "
    "crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki "
    "darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen "
    "darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue "
    "dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite "
    "gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki "
    "lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan "
    "lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen "
    "lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen "
    "magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen "
    "mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream "
    "mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid "
    "palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum "
    "powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown "
    "seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen "
    "steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow "
    "yellowgreen transparent"
).split()
_COLOR_NAMES = frozenset(CSS_COLOR_NAMES)

RGBA = tuple[float, float, float, float]

# Parsed values by source text. A document repeats a handful of colours across every fill,
# stroke and stop, and so do a batch of documents, so most calls are one dict lookup. The cache
# is cleared when full, which bounds its memory whatever the input.
_CACHE: dict[str, RGBA | None] = {}
_CACHE_SIZE = 4096
_MISS = object()
# keyword → RGBA, read once from svgelements' table (see _named)
_NAMED: dict[str, RGBA | None] = {}


def parse_color(value: str) -> RGBA | None:
    """Parse a CSS colour into straight RGBA in [0, 1]; ``None`` when it is not a colour.

    Examples
    --------
    >>> parse_color("rgb(255 127.5 0 / 50%)")
    (1.0, 0.5, 0.0, 0.5)
    >>> parse_color("hsl(480, 100%, 50%)")  # hue wraps around
    (0.0, 1.0, 0.0, 1.0)
    """
    hit = _CACHE.get(value, _MISS)
    if hit is not _MISS:
        return hit  # type: ignore[return-value]
    rgba = _parse_color(value)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[value] = rgba
    return rgba


def _parse_color(value: str) -> RGBA | None:
    """:func:`parse_color` without the cache."""
    v = value.strip()
    low = v.lower()
    func = _COLOR_FUNC.match(low)
    if func is not None:
        return _color_function(func.group(1), low[low.index("(") + 1 : -1])
    if _HEX.match(v):
        return _hex(v[1:])
    if low in _COLOR_NAMES:
        if not _NAMED:
            _NAMED.update(_named())
        return _NAMED[low]
    return None


def _hex(h: str) -> RGBA:
    """``#rgb``, ``#rgba``, ``#rrggbb`` or ``#rrggbbaa`` (the digits after ``#``, already
    validated), as svgelements' ``Color`` reads them."""
    if len(h) <= 4:
        h = "".join(ch + ch for ch in h)
    value = int(h if len(h) == 8 else h + "ff", 16)
    return (
        (value >> 24) / 255.0,
        ((value >> 16) & 0xFF) / 255.0,
        ((value >> 8) & 0xFF) / 255.0,
        (value & 0xFF) / 255.0,
    )


# where svgelements' keyword table differs from CSS Color 4: rebeccapurple is missing (it would
# read as black) and aliceblue is #faf8ff instead of #f0f8ff
_TABLE_FIXES = {"rebeccapurple": "#663399", "aliceblue": "#f0f8ff"}


def _named() -> dict[str, RGBA | None]:
    """Every CSS colour keyword through svgelements' table, read once per process (it is a
    chain of string comparisons, some hundred per lookup)."""
    out: dict[str, RGBA | None] = {}
    for name in CSS_COLOR_NAMES:
        try:
            c = Color(_TABLE_FIXES.get(name, name))
        except (ValueError, TypeError, IndexError):
            out[name] = None
            continue
        if c.value is None:
            out[name] = None
            continue
        out[name] = (c.red / 255.0, c.green / 255.0, c.blue / 255.0, c.alpha / 255.0)
    return out


def _color_function(name: str, args: str) -> tuple[float, float, float, float] | None:
    """``rgb()``/``rgba()``/``hsl()``/``hsla()`` with CSS Color 4 syntax (commas or spaces, an
    optional ``/ alpha``, fractional numbers, percentages); out-of-range values are clamped."""
    parts = [p for p in re.split(r"[\s,/]+", args.strip()) if p]
    if len(parts) not in (3, 4):
        return None
    vals: list[float] = []
    pct: list[bool] = []
    for p in parts:
        is_pct = p.endswith("%")
        num = p[:-1] if is_pct else p
        num = num[:-3] if num.endswith("deg") else num
        if not _NUMBER_ONLY.match(num):
            return None
        vals.append(float(num))
        pct.append(is_pct)
    alpha = 1.0
    if len(vals) == 4:
        alpha = vals[3] / 100.0 if pct[3] else vals[3]
    alpha = min(max(alpha, 0.0), 1.0)
    if name.startswith("rgb"):
        rgb = [v / 100.0 if is_p else v / 255.0 for v, is_p in zip(vals[:3], pct[:3])]
        r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
        return (r, g, b, alpha)
    hue = (vals[0] % 360.0) / 360.0
    sat = min(max(vals[1] / 100.0, 0.0), 1.0)
    light = min(max(vals[2] / 100.0, 0.0), 1.0)
    r, g, b = colorsys.hls_to_rgb(hue, light, sat)
    return (r, g, b, alpha)
