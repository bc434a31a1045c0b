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

from ..affine import IDENTITY, Affine, is_finite
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


def parse_opacity(value: str | None) -> float:
    """An opacity value (number or percentage) clamped to [0, 1]; invalid values give 1."""
    if value is None:
        return 1.0
    v = value.strip()
    try:
        f = float(v[:-1]) / 100.0 if v.endswith("%") else float(v)
    except ValueError:
        return 1.0
    if not math.isfinite(f):
        return 1.0
    return min(max(f, 0.0), 1.0)
