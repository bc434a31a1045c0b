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


def parse_color(value: str) -> tuple[float, float, float, float] | None:
    """Parse a CSS colour into straight RGBA in [0, 1]; ``None`` when it is not a colour.

    Examples
    --------
    >>> parse_color("rgb(255 127.5 0 / 50%)")
    (1.0, 0.5, 0.0, 0.5)
    >>> parse_color("hsl(480, 100%, 50%)")  # hue wraps around
    (0.0, 1.0, 0.0, 1.0)
    """
    v = value.strip()
    low = v.lower()
    func = _COLOR_FUNC.match(low)
    if func is not None:
        return _color_function(func.group(1), low[low.index("(") + 1 : -1])
    if not (_HEX.match(v) or low in _COLOR_NAMES):
        return None
    # the one CSS Color 4 keyword svgelements' table lacks (it would read as black)
    try:
        c = Color("#663399" if low == "rebeccapurple" else low)
    except (ValueError, TypeError, IndexError):
        return None
    if c.value is None:
        return None
    return (c.red / 255.0, c.green / 255.0, c.blue / 255.0, c.alpha / 255.0)


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
