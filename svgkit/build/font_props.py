"""CSS font properties: the ``font`` shorthand and the computed ``font-size`` / ``font-weight``.

Values follow CSS Fonts 4. The shorthand (§3.7) is expanded into its longhands where a
declaration is parsed, so it takes part in the cascade in its place among the declarations; a
shorthand that does not parse is ignored as a whole, like any invalid CSS declaration. The
computed values are what children inherit: ``font-size`` as an absolute length in user units
(relative sizes resolved against the parent's computed size, §2.5) and ``font-weight`` as a
number (``bolder`` / ``lighter`` from the parent's computed weight, §2.2).
"""

from __future__ import annotations

import math
import re

__all__ = [
    "FONT_LONGHANDS",
    "INITIAL_FONT",
    "NAMED_SIZES",
    "computed_font_size",
    "computed_font_weight",
    "expand_font",
    "format_number",
]

#: Initial values of the longhands the ``font`` shorthand sets (the browsers' initial font:
#: serif, 16 px, CSS Fonts 4 §2.1 and §2.5 with the usual user-agent default).
INITIAL_FONT: dict[str, str] = {
    "font-style": "normal",
    "font-variant": "normal",
    "font-weight": "normal",
    "font-stretch": "normal",
    "font-size": "medium",
    "line-height": "normal",
    "font-family": "serif",
}
FONT_LONGHANDS = tuple(INITIAL_FONT)
MEDIUM_PX = 16.0
#: Absolute-size keywords: CSS Fonts 4 §2.5 scale factors times ``medium`` (16 px).
NAMED_SIZES: dict[str, float] = {
    "xx-small": MEDIUM_PX * 3 / 5,
    "x-small": MEDIUM_PX * 3 / 4,
    "small": MEDIUM_PX * 8 / 9,
    "medium": MEDIUM_PX,
    "large": MEDIUM_PX * 6 / 5,
    "x-large": MEDIUM_PX * 3 / 2,
    "xx-large": MEDIUM_PX * 2,
    "xxx-large": MEDIUM_PX * 3,
}
#: ``larger`` and ``smaller`` scale the parent's size by this (the ratio CSS Fonts 4 suggests
#: between adjacent keywords, and what browsers use outside their keyword table).
RELATIVE_STEP = 1.2
# A system font is the platform's; browsers on Linux give about 13 px sans-serif.
_SYSTEM_FONTS = frozenset({"caption", "icon", "menu", "message-box", "small-caption", "status-bar"})
_SYSTEM_FONT = {**INITIAL_FONT, "font-size": "13px", "font-family": "sans-serif"}
_CSS_WIDE = frozenset({"inherit", "initial", "unset", "revert", "revert-layer"})

_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER = re.compile(rf"^{_NUM}$")
_SIZE = re.compile(rf"^({_NUM})(px|pt|pc|mm|cm|in|q|em|ex|rem|ch|%|)$", re.IGNORECASE)
_ANGLE = re.compile(rf"^{_NUM}(deg|grad|rad|turn)$", re.IGNORECASE)
_LINE_HEIGHT = re.compile(rf"^{_NUM}(px|pt|pc|mm|cm|in|q|em|ex|rem|ch|%)?$", re.IGNORECASE)
_IDENT = re.compile(r"^-?[A-Za-z_\u0080-\U0010ffff][\w\u0080-\U0010ffff-]*$")
_ABS_UNITS = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
_ABS_UNITS["q"] = _ABS_UNITS["mm"] / 4

_STYLES = frozenset({"italic", "oblique"})
_VARIANTS = frozenset({"small-caps"})
_WEIGHTS = frozenset({"bold", "bolder", "lighter"})
_STRETCHES = frozenset(
    {
        "ultra-condensed",
        "extra-condensed",
        "condensed",
        "semi-condensed",
        "semi-expanded",
        "expanded",
        "extra-expanded",
        "ultra-expanded",
    }
)


def format_number(v: float) -> str:
    """A computed number as the style dict holds it (``16``, ``38.4``).

    Examples
    --------
    >>> format_number(16.0), format_number(38.4)
    ('16', '38.4')
    """
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _tokens(text: str) -> list[str] | None:
    """Whitespace-separated tokens; a quoted string stays one token (``None``: unterminated)."""
    out: list[str] = []
    k, n = 0, len(text)
    while k < n:
        ch = text[k]
        if ch.isspace():
            k += 1
            continue
        if ch in "\"'":
            end = text.find(ch, k + 1)
            if end == -1:
                return None
            out.append(text[k : end + 1])
            k = end + 1
            continue
        if ch in ",/":
            out.append(ch)
            k += 1
            continue
        start = k
        while k < n and not text[k].isspace() and text[k] not in ",/\"'":
            k += 1
        out.append(text[start:k])
    return out


def _family_list(tokens: list[str]) -> str | None:
    """The ``font-family`` value of the shorthand's tail, or ``None`` when it is invalid."""
    names: list[str] = []
    current: list[str] = []
    for tok in [*tokens, ","]:
        if tok == ",":
            if not current:
                return None
            if len(current) == 1 and current[0][0] in "\"'":
                names.append(current[0])
            elif all(_IDENT.match(t) for t in current):
                if len(current) == 1 and current[0].lower() in _CSS_WIDE | {"default"}:
                    return None
                names.append(" ".join(current))
            else:
                return None
            current = []
        elif tok == "/":
            return None
        else:
            current.append(tok)
    return ", ".join(names) if names else None


def expand_font(value: str) -> list[tuple[str, str]] | None:
    """The longhand declarations of a ``font`` shorthand value, or ``None`` when it is invalid.

    Every longhand is set: those the value leaves out get their initial values.

    Examples
    --------
    >>> dict(expand_font("bold 18px sans-serif"))["font-weight"]
    'bold'
    >>> dict(expand_font("italic 12px/1.5 'Open Sans', serif"))["font-family"]
    "'Open Sans', serif"
    >>> expand_font("18px") is None, expand_font("bold sans-serif") is None
    (True, True)
    """
    text = value.strip()
    low = text.lower()
    if low in _CSS_WIDE:
        keyword = "initial" if low == "initial" else "inherit"  # every font property inherits
        return [(p, INITIAL_FONT[p] if keyword == "initial" else "inherit") for p in FONT_LONGHANDS]
    if low in _SYSTEM_FONTS:
        return list(_SYSTEM_FONT.items())
    tokens = _tokens(text)
    if not tokens:
        return None
    found: dict[str, str] = {}
    normals = 0
    k = 0
    while k < len(tokens):
        tok = tokens[k].lower()
        if tok == "normal":
            normals += 1
        elif tok in _STYLES and "font-style" not in found:
            if tok == "oblique" and k + 1 < len(tokens) and _ANGLE.match(tokens[k + 1]):
                tok = f"oblique {tokens[k + 1].lower()}"
                k += 1
            found["font-style"] = tok
        elif tok in _VARIANTS and "font-variant" not in found:
            found["font-variant"] = tok
        elif tok in _STRETCHES and "font-stretch" not in found:
            found["font-stretch"] = tok
        elif (tok in _WEIGHTS or (_NUMBER.match(tok) and _weight_number(tok) is not None)) and (
            "font-weight" not in found
        ):
            found["font-weight"] = tok
        else:
            break
        k += 1
    if normals + len(found) > 4 or k >= len(tokens):
        return None
    size = tokens[k].lower()
    if not _size_syntax(size):
        return None
    k += 1
    line_height = "normal"
    if k < len(tokens) and tokens[k] == "/":
        if k + 1 >= len(tokens):
            return None
        line_height = tokens[k + 1].lower()
        if line_height != "normal" and not _LINE_HEIGHT.match(line_height):
            return None
        k += 2
    family = _family_list(tokens[k:])
    if family is None:
        return None
    out = dict(INITIAL_FONT)
    out.update(found)
    out.update({"font-size": size, "line-height": line_height, "font-family": family})
    return list(out.items())


def _size_syntax(tok: str) -> bool:
    """Whether ``tok`` is a CSS ``font-size`` (a unitless number only as ``0``)."""
    if tok in NAMED_SIZES or tok in ("larger", "smaller"):
        return True
    m = _SIZE.match(tok)
    if m is None:
        return False
    num = float(m.group(1))
    return num >= 0 and (bool(m.group(2)) or num == 0)


def computed_font_size(raw: str, parent: float, root: float = MEDIUM_PX) -> float | None:
    """The computed ``font-size`` in user units, or ``None`` when ``raw`` is invalid.

    Keywords, absolute lengths and unitless numbers (SVG presentation attributes) are absolute;
    ``em``, ``ex`` (0.5 em), ``ch`` (0.5 em) and ``%`` scale the ``parent``'s computed size,
    ``rem`` the ``root`` size, ``larger`` / ``smaller`` multiply or divide it by 1.2. Negative and
    non-finite sizes are invalid.

    Examples
    --------
    >>> computed_font_size("3em", 12.0), computed_font_size("larger", 40.0)
    (36.0, 48.0)
    >>> computed_font_size("80%", 48.0), computed_font_size("-2px", 16.0)
    (38.4, None)
    """
    tok = raw.strip().lower()
    if tok in NAMED_SIZES:
        return NAMED_SIZES[tok]
    if tok == "larger":
        return parent * RELATIVE_STEP
    if tok == "smaller":
        return parent / RELATIVE_STEP
    m = _SIZE.match(tok)
    if m is None:
        return None
    num = float(m.group(1))
    unit = m.group(2)
    if unit in _ABS_UNITS:
        out = num * _ABS_UNITS[unit]
    elif unit == "":
        out = num
    elif unit == "em":
        out = num * parent
    elif unit in ("ex", "ch"):
        out = num * parent * 0.5
    elif unit == "rem":
        out = num * root
    else:  # %
        out = num * parent / 100.0  # 80% of 48 is 38.4, not 38.400000000000006
    if not math.isfinite(out) or out < 0:
        return None
    return out


def _weight_number(tok: str) -> float | None:
    try:
        w = float(tok)
    except ValueError:
        return None
    return w if 1.0 <= w <= 1000.0 else None


def computed_font_weight(raw: str, parent: float) -> float | None:
    """The computed ``font-weight``: a number in [1, 1000], or ``None`` when ``raw`` is invalid.

    ``bolder`` and ``lighter`` follow the table of CSS Fonts 4 §2.2 from the ``parent``'s
    computed weight.

    Examples
    --------
    >>> computed_font_weight("bold", 400), computed_font_weight("bolder", 900)
    (700.0, 900.0)
    >>> computed_font_weight("lighter", 600), computed_font_weight("0", 400)
    (400.0, None)
    """
    tok = raw.strip().lower()
    if tok == "normal":
        return 400.0
    if tok == "bold":
        return 700.0
    if tok == "bolder":
        if parent < 350:
            return 400.0
        if parent < 550:
            return 700.0
        return float(max(parent, 900.0))
    if tok == "lighter":
        if parent < 100:
            return float(parent)
        if parent < 550:
            return 100.0
        if parent < 750:
            return 400.0
        return 700.0
    if not _NUMBER.match(tok):
        return None
    return _weight_number(tok)
