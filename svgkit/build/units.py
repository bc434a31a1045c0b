"""Numbers, lengths, transforms and viewports: SVG 2 §8 (coordinate systems and units).

Resolves lengths with units and percentages into user units (§8.3, CSS Values §5), the
``transform`` attribute and CSS ``transform`` property into affine matrices (CSS Transforms §7),
``viewBox`` and ``preserveAspectRatio`` into the viewBox-to-viewport mapping (§8.5–8.6), and the
``opacity`` family of properties (CSS Color §3.2). Every coordinate is checked against
``max_coordinate`` as it is read.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from svgelements import Matrix

from ..affine import IDENTITY, Affine, is_finite, multiply
from ..affine import viewbox_transform as affine_viewbox_transform
from ..errors import ErrorCode, SVGKitError
from ..limits import limit_error
from .context import BuildState

__all__ = [
    "LENGTH",
    "NUMBER_LIST",
    "NUMBER_ONLY",
    "UNIT_PX",
    "Units",
    "normalise_par",
    "parse_opacity",
    "parse_transform_fast",
    "viewbox_transform",
]

_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
LENGTH = re.compile(rf"^\s*({_NUM})\s*(px|pt|pc|mm|cm|in|em|ex|%|)\s*$", re.IGNORECASE)
NUMBER_LIST = re.compile(_NUM)
NUMBER_ONLY = re.compile(rf"^\s*{_NUM}\s*$")
_CSS_UNITS = re.compile(rf"({_NUM})(?:px|deg)\b")
_TRANSFORM_LIST = re.compile(
    r"^[\s,]*(?:(?:matrix|translate|scale|rotate|skewX|skewY)\s*\([^()]*\)[\s,]*)*$"
)
UNIT_PX = {
    "px": 1.0,
    "": 1.0,
    "pt": 4.0 / 3.0,
    "pc": 16.0,
    "mm": 96.0 / 25.4,
    "cm": 96.0 / 2.54,
    "in": 96.0,
}


class Units(BuildState):
    """Reads numbers, lengths, transforms and viewBoxes, warning on invalid values."""

    def number(self, value: str | None, default: float, el: ET.Element, name: str) -> float:
        """A plain SVG number (no unit): anything else is invalid and gives ``default``."""
        if value is not None and not NUMBER_ONLY.match(value):
            self.warn("INVALID_ATTRIBUTE", f"{name}={value!r} is not a number", el)
            return default
        return self.length(value, default, el, name, axis="xy")

    def length(
        self,
        value: str | None,
        default: float,
        el: ET.Element,
        name: str,
        axis: str,
        viewport: tuple[float, float] = (0.0, 0.0),
        font_size: float = 16.0,
    ) -> float:
        """A length in user units; ``axis`` is ``"x"``, ``"y"`` or ``"xy"`` for percentages."""
        if value is None:
            return default
        try:
            plain = float(value)  # most lengths are bare numbers: skip the regex
        except ValueError:
            pass
        else:
            if math.isfinite(plain) and abs(plain) <= self.limits.max_coordinate:
                return plain
            if not NUMBER_ONLY.match(value):  # "nan", "inf", "1_0": not SVG numbers
                self.warn("INVALID_ATTRIBUTE", f"{name}={value!r} is not a length", el)
                return default
            raise limit_error("max_coordinate", f"{name}={value}", self.limits.max_coordinate)
        m = LENGTH.match(value)
        if m is None:
            self.warn("INVALID_ATTRIBUTE", f"{name}={value!r} is not a length", el)
            return default
        num = float(m.group(1))
        unit = m.group(2).lower()
        if unit in UNIT_PX:
            out = num * UNIT_PX[unit]
        elif unit == "%":
            w, h = viewport
            ref = w if axis == "x" else h if axis == "y" else math.sqrt((w * w + h * h) / 2.0)
            out = num / 100.0 * ref
        elif unit in ("em", "ex"):
            size = self.font_size_hint if font_size == 16.0 else font_size
            out = num * size * (1.0 if unit == "em" else 0.5)
        return self.check_coordinate(out, name, el)

    def check_coordinate(self, v: float, name: str, el: ET.Element) -> float:
        """``v``, unless it is not finite or beyond ``max_coordinate`` (a limit error)."""
        if not math.isfinite(v) or abs(v) > self.limits.max_coordinate:
            raise limit_error("max_coordinate", f"{name}={v}", self.limits.max_coordinate)
        return v

    def transform_of(self, el: ET.Element, value: str | None = None) -> Affine:
        """The element's transform (``value`` overrides the attribute); invalid lists warn and
        give the identity."""
        if value is None:
            # a transform set from CSS wins over the attribute (CSS units: px, deg)
            css = self.css_transforms.get(id(el))
            text = _CSS_UNITS.sub(r"\1", css) if css is not None else el.get("transform")
        else:
            text = value
        if not text or not text.strip():
            return IDENTITY
        if value is None and self.transform_origins:
            origin = self.transform_origins.get(id(el))
            if origin is not None and origin != (0.0, 0.0):
                # CSS Transforms 1 §6: the transform applies about its origin
                ox, oy = origin
                m = self.transform_of(el, text)
                return multiply(
                    multiply((1.0, 0.0, 0.0, 1.0, ox, oy), m), (1.0, 0.0, 0.0, 1.0, -ox, -oy)
                )
        fast = _TRANSFORMS.get(text)
        if fast is None:
            fast = parse_transform_fast(text)
            if fast is not None and len(_TRANSFORMS) < 4096:
                _TRANSFORMS[text] = fast
        if fast is not None:
            a, b, c, d, e, f = fast
            # a finite sum has finite terms: only a non-finite sum needs the term-by-term test
            if not math.isfinite(a + b + c + d + e + f) and not is_finite(fast):
                raise limit_error(
                    "max_coordinate", f"transform={text!r}", self.limits.max_coordinate
                )
            return fast
        if not _TRANSFORM_LIST.match(text):
            self.warn(
                "INVALID_ATTRIBUTE", f"transform={text!r} is not a transform list; ignored", el
            )
            return IDENTITY
        try:
            m = Matrix(text)
        except Exception:
            self.warn("INVALID_ATTRIBUTE", f"transform={text!r} could not be parsed", el)
            return IDENTITY
        t = (float(m.a), float(m.b), float(m.c), float(m.d), float(m.e), float(m.f))
        if not is_finite(t):
            raise limit_error("max_coordinate", f"transform={text!r}", self.limits.max_coordinate)
        return t

    def transform_origin(
        self, raw: str, el: ET.Element, viewport: tuple[float, float]
    ) -> tuple[float, float] | None:
        """``transform-origin`` in user units: keywords, lengths and percentages of the
        viewport (SVG's default reference box, ``view-box``); ``None`` (with a warning) when
        the value is not one."""
        tokens = raw.replace(",", " ").split()
        keywords = {
            "left": ("x", "0%"),
            "right": ("x", "100%"),
            "top": ("y", "0%"),
            "bottom": ("y", "100%"),
            "center": ("", "50%"),
        }
        if not 1 <= len(tokens) <= 3:
            self.warn("INVALID_ATTRIBUTE", f"transform-origin={raw!r} is not an origin", el)
            return None
        first, second = tokens[0].lower(), tokens[1].lower() if len(tokens) > 1 else "center"
        if keywords.get(first, ("",))[0] == "y" or keywords.get(second, ("",))[0] == "x":
            first, second = second, first
        values = []
        for token, axis in ((first, "x"), (second, "y")):
            kind, pct = keywords.get(token, ("", ""))
            if pct and kind in ("", axis):
                token = pct
            elif pct:
                self.warn("INVALID_ATTRIBUTE", f"transform-origin={raw!r} is not an origin", el)
                return None
            values.append(self.length(token, math.nan, el, "transform-origin", axis, viewport))
        if not all(math.isfinite(v) for v in values):
            self.warn("INVALID_ATTRIBUTE", f"transform-origin={raw!r} is not an origin", el)
            return None
        return values[0], values[1]

    def viewbox(self, el: ET.Element) -> tuple[float, float, float, float] | None:
        """The element's ``viewBox``; invalid values warn and give ``None``."""
        raw = el.get("viewBox")
        if raw is None:
            return None
        nums = NUMBER_LIST.findall(raw)
        if len(nums) != 4 or NUMBER_LIST.sub("", raw).replace(",", "").strip():
            self.warn("INVALID_ATTRIBUTE", f"viewBox={raw!r} is not four numbers; ignored", el)
            return None
        vals = tuple(float(v) for v in nums)
        if not all(math.isfinite(v) for v in vals):
            raise SVGKitError(ErrorCode.BAD_GEOMETRY, f"viewBox={raw!r} is not finite")
        if vals[2] <= 0 or vals[3] <= 0:
            raise SVGKitError(
                ErrorCode.BAD_GEOMETRY, f"viewBox={raw!r} has a zero or negative size"
            )
        if (
            max(vals[2], vals[3]) > self.limits.max_canvas_size
            or max(abs(vals[0]), abs(vals[1])) > self.limits.max_coordinate
        ):
            raise limit_error("max_canvas_size", max(vals[2], vals[3]), self.limits.max_canvas_size)
        return vals  # type: ignore[return-value]

    def fraction(self, raw: str | None, default: float, el: ET.Element, name: str) -> float:
        """An objectBoundingBox coordinate: a number or a percentage of the box."""
        if raw is None:
            return default
        v = raw.strip()
        if v.endswith("%"):
            return self.number(v[:-1], default * 100.0, el, name) / 100.0
        return self.number(v, default, el, name)


# The transform lists models write (translate, scale, rotate, matrix, skewX/Y with plain
# numbers) are read here directly; svgelements' Matrix, which builds a Matrix object and parses
# a Length or an Angle per parameter, reads everything else (units, unusual arities). The
# arithmetic below is Matrix's own, operation for operation (its pre_cat of each function onto
# the list so far, "* 0" terms included, which decide the sign of a zero), so both paths give
# the same floats.
_FAST_FUNC = re.compile(r"[\s,]*(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^()]*)\)")
_FAST_ARGS = re.compile(
    r"\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"  # svgelements' float
    r"((?:[\s,]+[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)*)\s*"
)
_FAST_SEP = re.compile(r"[\s,]+")
_FAST_TAIL = re.compile(r"[\s,]*")
# parse_transform_fast's results by text (bounded): a document repeats its transforms
_TRANSFORMS: dict[str, Affine] = {}


def _pre_cat(s: Affine, ma: float, mb: float, mc: float, md: float, me: float, mf: float) -> Affine:
    """svgelements' ``Matrix.pre_cat``: the list so far ``s`` followed by ``(ma … mf)``."""
    sa, sb, sc, sd, se, sf = s
    return (
        float(sa * ma + sc * mb + se * 0),
        float(sb * ma + sd * mb + sf * 0),
        float(sa * mc + sc * md + se * 0),
        float(sb * mc + sd * md + sf * 0),
        sa * me + sc * mf + se * 1,
        sb * me + sd * mf + sf * 1,
    )


def parse_transform_fast(text: str) -> Affine | None:
    """A transform list of plain-number functions as an affine, or ``None`` when the text needs
    the full parser (units, unusual parameter counts, anything invalid).

    Examples
    --------
    >>> parse_transform_fast("translate(10 20) scale(2)")
    (2.0, 0.0, 0.0, 2.0, 10.0, 20.0)
    >>> parse_transform_fast("rotate(45deg)") is None
    True
    """
    try:
        return _fast_transform(text)
    except ValueError:  # cos, sin or tan of an infinite angle: the full parser reports it
        return None


def _fast_transform(text: str) -> Affine | None:
    m: Affine = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    pos = 0
    n = len(text)
    func_match = _FAST_FUNC.match
    while True:
        f = func_match(text, pos)
        if f is None:
            break
        pos = f.end()
        args = _FAST_ARGS.fullmatch(f.group(2))
        if args is None:
            return None
        rest = args.group(2)
        vals = [args.group(1), *_FAST_SEP.split(rest)[1:]] if rest else [args.group(1)]
        name, k = f.group(1), len(vals)
        if name == "translate":
            if k == 1:
                m = _pre_cat(m, 1.0, 0.0, 0.0, 1.0, float(vals[0]), 0.0)
            elif k == 2:
                m = _pre_cat(m, 1.0, 0.0, 0.0, 1.0, float(vals[0]), float(vals[1]))
            else:
                return None
        elif name == "scale":
            if k == 1:
                sx = float(vals[0])
                m = _pre_cat(m, sx, 0, 0, sx, 0, 0)
            elif k == 2:
                m = _pre_cat(m, float(vals[0]), 0, 0, float(vals[1]), 0, 0)
            else:
                return None
        elif name == "rotate":
            if k != 1 and k != 3:
                return None
            angle = math.tau * float(vals[0]) / 360.0
            ct, st = math.cos(angle), math.sin(angle)
            x = float(vals[1]) if k == 3 else 0.0
            y = float(vals[2]) if k == 3 else 0.0
            if x == 0 and y == 0:
                m = _pre_cat(m, ct, st, -st, ct, 0.0, 0.0)
            else:
                m = _pre_cat(m, 1.0, 0.0, 0.0, 1.0, x, y)
                m = _pre_cat(m, ct, st, -st, ct, 0.0, 0.0)
                m = _pre_cat(m, 1.0, 0.0, 0.0, 1.0, -x, -y)
        elif name == "matrix":
            if k != 6:
                return None
            a, b, c, d, e, f_ = (float(v) for v in vals)
            m = _pre_cat(m, a, b, c, d, e, f_)
        else:  # skewX, skewY
            if k != 1:
                return None
            t = math.tan(math.tau * float(vals[0]) / 360.0)
            if name == "skewX":
                m = _pre_cat(m, 1.0, 0.0, t, 1.0, 0.0, 0.0)
            else:
                m = _pre_cat(m, 1.0, t, 0.0, 1.0, 0.0, 0.0)
    if _FAST_TAIL.match(text, pos).end() != n:  # type: ignore[union-attr]
        return None
    return m


def viewbox_transform(
    vb: tuple[float, float, float, float] | None, par: str, x: float, y: float, w: float, h: float
) -> Affine:
    """The viewBox → viewport mapping (:func:`svgkit.affine.viewbox_transform`); without a
    viewBox, a translation to the viewport's origin."""
    if vb is None:
        return (1.0, 0.0, 0.0, 1.0, x, y)
    return affine_viewbox_transform(vb, par, x, y, w, h)


_ALIGNS = {
    "none",
    "xMinYMin",
    "xMidYMin",
    "xMaxYMin",
    "xMinYMid",
    "xMidYMid",
    "xMaxYMid",
    "xMinYMax",
    "xMidYMax",
    "xMaxYMax",
}


def normalise_par(value: str | None) -> str:
    """A ``preserveAspectRatio`` value as ``"<align> <meetOrSlice>"``, defaults filled in."""
    if not value:
        return "xMidYMid meet"
    parts = value.split()
    if parts and parts[0] == "defer":
        parts = parts[1:]
    align = parts[0] if parts and parts[0] in _ALIGNS else "xMidYMid"
    mode = parts[1] if len(parts) > 1 and parts[1] in ("meet", "slice") else "meet"
    return f"{align} {mode}"


# parsed opacities by source text (a few distinct values per document, read on every element)
_OPACITY: dict[str, float] = {}


def parse_opacity(value: str | None) -> float:
    """An opacity value (number or percentage) clamped to [0, 1]; invalid values give 1."""
    if value is None:
        return 1.0
    hit = _OPACITY.get(value)
    if hit is not None:
        return hit
    out = _parse_opacity(value)
    if len(_OPACITY) < 1024:
        _OPACITY[value] = out
    return out


def _parse_opacity(value: str) -> float:
    v = value.strip()
    try:
        f = float(v[:-1]) / 100.0 if v.endswith("%") else float(v)
    except ValueError:
        return 1.0
    if not math.isfinite(f):
        return 1.0
    return min(max(f, 0.0), 1.0)
