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
import math
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
    """``rgb()``/``rgba()``/``hsl()``/``hsla()`` as CSS Color 4 defines them (the ``a`` forms
    are aliases); out-of-range values are clamped.

    The legacy comma syntax takes ``r, g, b`` all numbers or all percentages (browsers reject
    ``rgb(10%, 20, 30%)``) and ``hsl`` saturation and lightness as percentages; the modern
    space syntax, with an optional ``/ alpha``, lets each channel be a number, a percentage or
    ``none`` (zero). Alpha is a number or a percentage in both; hues take ``deg``, ``rad``,
    ``grad`` or ``turn``.

    Examples
    --------
    >>> _color_function("rgba", "0, 127, 0, 50%")
    (0.0, 0.4980392156862745, 0.0, 0.5)
    >>> _color_function("rgb", "10%, 20, 30%") is None
    True
    >>> _color_function("rgb", "10% 51 30%")
    (0.1, 0.2, 0.3, 1.0)
    """
    args = args.strip()
    if "," in args:
        if "/" in args:
            return None
        parts = [p.strip() for p in args.split(",")]
        if len(parts) not in (3, 4) or any(not p or " " in p for p in parts):
            return None
        legacy = True
    else:
        main, slash, alpha_part = args.partition("/")
        parts = main.split()
        if len(parts) != 3:
            return None
        if slash:
            alpha_tokens = alpha_part.split()
            if len(alpha_tokens) != 1:
                return None
            parts.append(alpha_tokens[0])
        legacy = False
    alpha = 1.0
    if len(parts) == 4:
        a = _channel(parts[3], not legacy)
        if a is None:
            return None
        alpha = a[0] / 100.0 if a[1] == "%" else a[0]
    alpha = min(max(alpha, 0.0), 1.0)
    if name.startswith("rgb"):
        chans = [_channel(p, not legacy) for p in parts[:3]]
        if any(c is None or c[1] not in ("", "%") for c in chans):
            return None
        units = {c[1] for c in chans if c is not None}
        if legacy and len(units) > 1:
            return None
        rgb = [c[0] / 100.0 if c[1] == "%" else c[0] / 255.0 for c in chans if c is not None]
        r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
        return (r, g, b, alpha)
    hue_c = _channel(parts[0], not legacy)
    if hue_c is None or hue_c[1] not in _HUE_TURNS:
        return None
    sl = [_channel(p, not legacy) for p in parts[1:3]]
    if any(c is None or c[1] not in ("", "%") or (legacy and c[1] != "%") for c in sl):
        return None
    full = _HUE_TURNS[hue_c[1]]
    hue = (hue_c[0] % full) / full
    sat = min(max(sl[0][0] / 100.0, 0.0), 1.0)  # type: ignore[index]
    light = min(max(sl[1][0] / 100.0, 0.0), 1.0)  # type: ignore[index]
    r, g, b = colorsys.hls_to_rgb(hue, light, sat)
    return (r, g, b, alpha)


# how many of each hue unit make a full turn ("" is degrees)
_HUE_TURNS = {"": 360.0, "deg": 360.0, "rad": 2 * math.pi, "grad": 400.0, "turn": 1.0}
_CHANNEL = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%|deg|rad|grad|turn)?$")


def _channel(token: str, allow_none: bool) -> tuple[float, str] | None:
    """One argument of a colour function: its number and unit (``""``, ``%`` or an angle
    unit), ``none`` as zero where the modern syntax allows it, else ``None``."""
    if token == "none":
        return (0.0, "") if allow_none else None
    m = _CHANNEL.match(token)
    if m is None:
        return None
    value = float(m.group(1))
    if not math.isfinite(value):
        return None
    return (value, m.group(2) or "")
