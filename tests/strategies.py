"""Hypothesis strategies shared by every svgkit property test.

The main strategy, :func:`svg_documents`, draws small valid SVG documents *together with what they
contain*: every drawn primitive in paint order with its exact source parameters, its full
user → device transform and its resolved paint. Tests compare :func:`svgkit.parse` against that
record instead of against another parser.

Building blocks for other property tests:

- :func:`colors` — a CSS colour string and its exact sRGB value in [0, 255];
- :func:`transforms` — a ``transform`` attribute string and its exact affine;
- :func:`simple_opaque_shapes` — one opaque, unstroked shape inside a canvas, with analytic area;
- :func:`arbitrary_text` — text and bytes, from random junk to almost-valid SVG.

Conventions
-----------
An affine is the SVG 6-tuple ``(a, b, c, d, e, f)`` mapping ``(x, y)`` to
``(a x + c y + e, b x + d y + f)``. Numbers written into documents are "nice" decimals (at most two
fractional digits) so the text and the float recorded here are the same double.

Examples
--------
>>> from hypothesis import given
>>> @given(svg_documents())
... def test_count(doc):
...     assert len(svgkit.parse(doc.text)) == doc.n_primitives
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

__all__ = [
    "Affine",
    "GeneratedSVG",
    "IDENTITY",
    "NAMED_COLORS",
    "OpaqueShape",
    "Paint",
    "ShapeSpec",
    "apply_affine",
    "arbitrary_text",
    "colors",
    "compose",
    "fmt",
    "hsl_to_rgb",
    "simple_opaque_shapes",
    "svg_documents",
    "transforms",
]

Affine = tuple[float, float, float, float, float, float]
RGB = tuple[float, float, float]

IDENTITY: Affine = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

#: A subset of the CSS named colours with their sRGB values.
NAMED_COLORS: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "lime": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
    "navy": (0, 0, 128),
    "teal": (0, 128, 128),
    "olive": (128, 128, 0),
    "maroon": (128, 0, 0),
    "aqua": (0, 255, 255),
    "fuchsia": (255, 0, 255),
    "gold": (255, 215, 0),
    "pink": (255, 192, 203),
    "brown": (165, 42, 42),
    "skyblue": (135, 206, 235),
    "tomato": (255, 99, 71),
    "coral": (255, 127, 80),
    "steelblue": (70, 130, 180),
    "forestgreen": (34, 139, 34),
    "saddlebrown": (139, 69, 19),
    "darkgreen": (0, 100, 0),
    "lightblue": (173, 216, 230),
    "crimson": (220, 20, 60),
}


# --------------------------------------------------------------------------------------------
# numbers and affines
# --------------------------------------------------------------------------------------------


def fmt(value: float) -> str:
    """Shortest text that parses back to exactly ``value`` (no trailing ``.0``, no ``-0``).

    Examples
    --------
    >>> fmt(12.0), fmt(-0.0), fmt(0.25)
    ('12', '0', '0.25')
    """
    if value == 0:
        return "0"
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text


def compose(outer: Affine, inner: Affine) -> Affine:
    """The affine applying ``inner`` first, then ``outer`` (matrix product ``outer · inner``).

    Examples
    --------
    >>> compose((2, 0, 0, 2, 0, 0), (1, 0, 0, 1, 5, 0))
    (2, 0, 0, 2, 10, 0)
    """
    a1, b1, c1, d1, e1, f1 = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (
        a1 * a2 + c1 * b2,
        b1 * a2 + d1 * b2,
        a1 * c2 + c1 * d2,
        b1 * c2 + d1 * d2,
        a1 * e2 + c1 * f2 + e1,
        b1 * e2 + d1 * f2 + f1,
    )


def apply_affine(m: Affine, x: float, y: float) -> tuple[float, float]:
    """Map the point ``(x, y)`` through ``m``.

    Examples
    --------
    >>> apply_affine((1, 0, 0, 1, 3, 4), 1, 1)
    (4, 5)
    """
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def _nice(lo: float, hi: float) -> SearchStrategy[float]:
    """Decimals with at most two fractional digits in ``[lo, hi]``."""
    return st.integers(math.ceil(lo * 100 - 1e-9), math.floor(hi * 100 + 1e-9)).map(
        lambda i: i / 100
    )


def _translate(tx: float, ty: float) -> Affine:
    return (1.0, 0.0, 0.0, 1.0, tx, ty)


def _rotate(deg: float) -> Affine:
    rad = math.radians(deg)
    cos, sin = math.cos(rad), math.sin(rad)
    return (cos, sin, -sin, cos, 0.0, 0.0)


def _bbox_of(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _axis_aligned(m: Affine) -> bool:
    """Whether ``m`` maps axis-aligned boxes to axis-aligned boxes (no rotation, no skew)."""
    a, b, c, d = m[:4]
    tiny = 1e-12 * max(abs(a), abs(b), abs(c), abs(d))
    return (abs(b) <= tiny and abs(c) <= tiny) or (abs(a) <= tiny and abs(d) <= tiny)


# --------------------------------------------------------------------------------------------
# colours
# --------------------------------------------------------------------------------------------


def hsl_to_rgb(hue: float, saturation: float, lightness: float) -> RGB:
    """CSS ``hsl()`` to sRGB in [0, 255] (CSS Color 4 algorithm).

    ``hue`` in degrees, ``saturation`` and ``lightness`` in [0, 1].

    Examples
    --------
    >>> hsl_to_rgb(120, 1.0, 0.5)
    (0.0, 255.0, 0.0)
    """
    hue = hue % 360.0

    def channel(n: int) -> float:
        k = (n + hue / 30.0) % 12.0
        a = saturation * min(lightness, 1.0 - lightness)
        return 255.0 * (lightness - a * max(-1.0, min(k - 3.0, 9.0 - k, 1.0)))

    return (channel(0), channel(8), channel(4))


@st.composite
def _hex_color(draw: DrawFn) -> tuple[str, RGB]:
    if draw(st.booleans()):
        nibbles = draw(st.tuples(*[st.integers(0, 15)] * 3))
        text = "#" + "".join(f"{n:x}" for n in nibbles)
        rgb: RGB = (nibbles[0] * 17.0, nibbles[1] * 17.0, nibbles[2] * 17.0)
    else:
        channels = draw(st.tuples(*[st.integers(0, 255)] * 3))
        text = "#" + "".join(f"{c:02x}" for c in channels)
        rgb = (float(channels[0]), float(channels[1]), float(channels[2]))
    if draw(st.booleans()):
        text = text.upper()
    return text, rgb


@st.composite
def _rgb_function(draw: DrawFn) -> tuple[str, RGB]:
    sep = draw(st.sampled_from([",", ", ", " , "]))
    if draw(st.integers(0, 3)) == 0:
        pct = draw(st.tuples(*[st.integers(0, 100)] * 3))
        text = "rgb(" + sep.join(f"{p}%" for p in pct) + ")"
        return text, (pct[0] * 2.55, pct[1] * 2.55, pct[2] * 2.55)
    channels = draw(st.tuples(*[st.integers(0, 255)] * 3))
    text = "rgb(" + sep.join(str(c) for c in channels) + ")"
    return text, (float(channels[0]), float(channels[1]), float(channels[2]))


@st.composite
def _hsl_function(draw: DrawFn) -> tuple[str, RGB]:
    hue = draw(st.integers(0, 359))
    sat = draw(st.integers(0, 100))
    light = draw(st.integers(0, 100))
    sep = draw(st.sampled_from([",", ", "]))
    text = f"hsl({hue}{sep}{sat}%{sep}{light}%)"
    return text, hsl_to_rgb(hue, sat / 100.0, light / 100.0)


@st.composite
def _named_color(draw: DrawFn) -> tuple[str, RGB]:
    name = draw(st.sampled_from(sorted(NAMED_COLORS)))
    r, g, b = NAMED_COLORS[name]
    # CSS keywords are ASCII case-insensitive; models occasionally capitalise them
    if draw(st.integers(0, 9)) == 0:
        name = name.capitalize()
    return name, (float(r), float(g), float(b))


def colors() -> SearchStrategy[tuple[str, RGB]]:
    """A CSS colour and its exact sRGB value, channels in [0, 255].

    Formats: ``#abc``, ``#aabbcc`` (either case), ``rgb(r, g, b)`` with integers or percentages,
    ``hsl(h, s%, l%)`` and named colours. Channels are integers except for ``rgb(%)`` and
    ``hsl()``, where they are the exact real value (compare with a tolerance of ~1e-6).

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(colors())
    ... def test_fill(color):
    ...     css, (r, g, b) = color
    """
    return st.one_of(_hex_color(), _rgb_function(), _hsl_function(), _named_color())


# --------------------------------------------------------------------------------------------
# transforms
# --------------------------------------------------------------------------------------------

_SCALES = [0.25, 0.5, 0.75, 1.25, 1.5, 2.0, 3.0, -1.0, -0.5, -2.0]


@st.composite
def _one_transform(draw: DrawFn) -> tuple[str, Affine]:
    kind = draw(st.sampled_from(["translate", "scale", "rotate", "matrix", "skewX", "skewY"]))
    comma = draw(st.sampled_from([" ", ",", ", ", " , "]))
    pad = draw(st.sampled_from(["", "", " "]))
    if kind == "translate":
        tx = draw(_nice(-200, 200))
        if draw(st.booleans()):
            return f"translate({pad}{fmt(tx)}{pad})", _translate(tx, 0.0)
        ty = draw(_nice(-200, 200))
        return f"translate({pad}{fmt(tx)}{comma}{fmt(ty)}{pad})", _translate(tx, ty)
    if kind == "scale":
        sx = draw(st.one_of(st.sampled_from(_SCALES), _nice(0.2, 4.0)))
        if draw(st.booleans()):
            return f"scale({pad}{fmt(sx)}{pad})", (sx, 0.0, 0.0, sx, 0.0, 0.0)
        sy = draw(st.one_of(st.sampled_from(_SCALES), _nice(0.2, 4.0)))
        return f"scale({fmt(sx)}{comma}{fmt(sy)})", (sx, 0.0, 0.0, sy, 0.0, 0.0)
    if kind == "rotate":
        angle = float(draw(st.integers(-360, 360)))
        if draw(st.booleans()):
            return f"rotate({pad}{fmt(angle)}{pad})", _rotate(angle)
        cx = draw(_nice(-200, 200))
        cy = draw(_nice(-200, 200))
        m = compose(compose(_translate(cx, cy), _rotate(angle)), _translate(-cx, -cy))
        return f"rotate({fmt(angle)}{comma}{fmt(cx)}{comma}{fmt(cy)})", m
    if kind in ("skewX", "skewY"):
        angle = float(draw(st.integers(-60, 60)))
        t = math.tan(math.radians(angle))
        m = (1.0, 0.0, t, 1.0, 0.0, 0.0) if kind == "skewX" else (1.0, t, 0.0, 1.0, 0.0, 0.0)
        return f"{kind}({fmt(angle)})", m
    a, b, c, d = (draw(_nice(-3, 3)) for _ in range(4))
    # a near-singular matrix makes the element vanish (not rendered): keep |det| well above 0
    if abs(a * d - b * c) < 0.05:
        a, d = a + 1.0, d + 1.0 if a * d >= b * c else d - 1.0
        if abs(a * d - b * c) < 0.05:
            a, b, c, d = 1.0, b, 0.0, 1.0
    e = draw(_nice(-200, 200))
    f = draw(_nice(-200, 200))
    args = comma.join(fmt(v) for v in (a, b, c, d, e, f))
    return f"matrix({args})", (a, b, c, d, e, f)


@st.composite
def _transform_list(draw: DrawFn) -> tuple[str, Affine]:
    parts = draw(st.lists(_one_transform(), min_size=1, max_size=3))
    sep = draw(st.sampled_from([" ", ", ", ",", "  "]))
    matrix = IDENTITY
    for _, m in parts:
        # a transform list applies right to left: "A B" maps p to A(B(p))
        matrix = compose(matrix, m)
    return sep.join(text for text, _ in parts), matrix


def transforms() -> SearchStrategy[tuple[str, Affine]]:
    """A ``transform`` attribute value and its exact affine ``(a, b, c, d, e, f)``.

    One to three of ``translate``, ``scale``, ``rotate`` (with and without centre), ``matrix``,
    ``skewX``, ``skewY`` joined by spaces or commas. Translations stay within ±200, scales within
    ±4, skews within ±60°, and the determinant is never near 0.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(transforms())
    ... def test_transform(t):
    ...     attr, (a, b, c, d, e, f) = t
    """
    return _transform_list()


# --------------------------------------------------------------------------------------------
# documents
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paint:
    """A resolved fill or stroke: ``kind`` is ``"none"``, ``"solid"``, ``"linear"`` or
    ``"radial"``; ``rgb`` is set for solid paint, ``gradient_id`` for gradients."""

    kind: str
    rgb: RGB | None = None
    gradient_id: str = ""


NO_PAINT = Paint("none")
BLACK = Paint("solid", (0.0, 0.0, 0.0))


@dataclass(frozen=True)
class ShapeSpec:
    """One drawn primitive, as generated.

    Parameters
    ----------
    tag
        ``rect``, ``circle``, ``ellipse``, ``line``, ``polyline``, ``polygon``, ``path`` or
        ``text``.
    params
        Exact source geometry in user units: ``rect`` x, y, width, height, rx, ry (the *used*
        corner radii after the auto/clamping rules); ``circle`` cx, cy, r; ``ellipse`` cx, cy,
        rx, ry; ``line`` x1, y1, x2, y2; ``polyline``/``polygon`` points (tuple of pairs);
        ``path`` d (the attribute text) and n_commands (explicit + implicit commands);
        ``text`` x, y, text, font_size.
    transform
        Full user → device affine (root viewBox mapping, ancestors, ``<use>`` and own transform).
    fill, stroke
        Resolved paint after the cascade (style > CSS rule > presentation attribute > inherited).
    stroke_width
        Resolved stroke width in user units.
    fill_opacity, opacity
        The element's ``fill-opacity`` and own ``opacity``.
    visible
        ``False`` when ``visibility="hidden"`` applies.
    element_id
        The source element's ``id`` (``""`` when absent).
    classes
        The source element's ``class`` tokens.
    use_instance
        ``True`` when drawn through a ``<use>``.
    dasharray
        Resolved ``stroke-dasharray`` repeated to even length (``()`` for solid).
    device_bbox
        Exact device-space bbox of the fill geometry where cheaply known (rect without rounded
        corners or under an axis-aligned transform, circle, ellipse, line, polyline, polygon),
        else ``None``.
    """

    tag: str
    params: dict[str, Any]
    transform: Affine
    fill: Paint
    stroke: Paint
    stroke_width: float
    fill_opacity: float
    opacity: float
    visible: bool
    element_id: str
    classes: tuple[str, ...]
    use_instance: bool
    dasharray: tuple[float, ...]
    device_bbox: tuple[float, float, float, float] | None


@dataclass(frozen=True)
class GeneratedSVG:
    """A generated document and what it contains.

    Parameters
    ----------
    text
        The SVG document.
    shapes
        Every drawn primitive in paint order (``<use>`` expanded, ``display:none`` excluded).
    width, height
        The canvas size in px.
    viewbox
        The root ``viewBox`` or ``None``.
    canvas_transform
        Root user space → device space.
    element_counts
        Count of each element tag in the source (before ``<use>`` expansion).
    use_count
        Number of ``<use>`` elements; each is expanded exactly once.
    n_groups
        Number of ``<g>`` elements in the source.
    """

    text: str
    shapes: tuple[ShapeSpec, ...]
    width: float
    height: float
    viewbox: tuple[float, float, float, float] | None
    canvas_transform: Affine
    element_counts: Counter[str]
    use_count: int
    n_groups: int
    root_open: str = field(repr=False, default="")
    prelude: str = field(repr=False, default="")
    body: str = field(repr=False, default="")

    @property
    def n_primitives(self) -> int:
        """Expected ``len(scene)``."""
        return len(self.shapes)

    @property
    def kinds(self) -> Counter[str]:
        """Drawn primitives counted by tag name."""
        return Counter(s.tag for s in self.shapes)

    @property
    def tags(self) -> list[str]:
        """Tags of the drawn primitives in paint order."""
        return [s.tag for s in self.shapes]

    @property
    def has_gradient(self) -> bool:
        """Whether some drawn primitive is painted with a gradient."""
        return any(s.fill.kind in ("linear", "radial") for s in self.shapes)

    def wrapped(self, transform: str) -> str:
        """The same document with all drawn content inside ``<g transform="...">``.

        The root element, its size and viewBox, ``<defs>`` and ``<style>`` are unchanged, so the
        canvas stays the same and the drawn geometry moves by the transform.
        """
        return f'{self.root_open}{self.prelude}<g transform="{transform}">{self.body}</g></svg>'


# ---- internal tree -------------------------------------------------------------------------


@dataclass
class _Node:
    """An element before serialisation: its own declarations and geometry."""

    tag: str
    geometry: list[tuple[str, str]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    # (property, css value, where) where ∈ {"attr", "style", "class"}; repeats express conflicts
    decls: list[tuple[str, str, str]] = field(default_factory=list)
    own: dict[str, Any] = field(default_factory=dict)  # winning value of each declared property
    transform: tuple[str, Affine] | None = None
    element_id: str = ""
    classes: list[str] = field(default_factory=list)
    data_object: str = ""
    children: list[_Node] = field(default_factory=list)
    text: str = ""
    href: str = ""  # <use>: target id
    href_attr: str = "href"
    use_xy: tuple[float, float] = (0.0, 0.0)
    has_use: bool = False  # subtree contains a <use>


@dataclass
class _Ctx:
    transform: Affine
    fill: Paint
    stroke: Paint
    stroke_width: float
    dasharray: tuple[float, ...]


class _Builder:
    """Mutable state of one document draw: ids, CSS rules, element budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.next_id = 0
        self.next_class = 0
        self.rules: list[str] = []
        self.gradients: list[tuple[str, str]] = []  # (id, kind)
        self.targets: dict[str, _Node] = {}
        self.uses_xlink = False

    def new_id(self, prefix: str) -> str:
        self.next_id += 1
        return f"{prefix}{self.next_id}"


_PRECEDENCE = {"attr": 0, "class": 1, "style": 2}


def _declare(
    draw: DrawFn,
    builder: _Builder,
    node: _Node,
    prop: str,
    value: Any,
    css: str,
    loser_css: str | None = None,
) -> None:
    """Declare ``prop: css`` on ``node`` from a random source; optionally add a losing
    declaration of the same property from a source of lower precedence."""
    where = draw(st.sampled_from(["attr", "attr", "style", "class"]))
    if loser_css is not None and where != "attr" and draw(st.booleans()):
        lower = [w for w, p in _PRECEDENCE.items() if p < _PRECEDENCE[where]]
        node.decls.append((prop, loser_css, draw(st.sampled_from(lower))))
    node.decls.append((prop, css, where))
    node.own[prop] = value


@st.composite
def _paint_value(
    draw: DrawFn, builder: _Builder, allow_none: bool, allow_gradient: bool
) -> tuple[Paint, str]:
    choice = draw(st.integers(0, 9))
    if allow_none and choice == 0:
        return NO_PAINT, "none"
    if allow_gradient and builder.gradients and choice <= 2:
        gid, kind = draw(st.sampled_from(builder.gradients))
        return Paint(kind, None, gid), f"url(#{gid})"
    css, rgb = draw(colors())
    return Paint("solid", rgb), css


@st.composite
def _style_decls(draw: DrawFn, builder: _Builder, node: _Node, leaf: bool) -> None:
    """Random presentation properties on ``node``.

    Invariant that keeps every drawn primitive visible: ``none`` paint is only declared on
    leaves, and a leaf whose fill is ``none`` declares a colour stroke (lines always do).
    """
    gradient_ok = node.tag in ("rect", "circle", "ellipse")
    fill_none = False
    if node.tag == "line":
        pass  # lines are never filled
    elif draw(st.integers(0, 2)) > 0:
        paint, css = draw(_paint_value(builder, allow_none=leaf, allow_gradient=gradient_ok))
        fill_none = paint.kind == "none"
        loser = draw(colors())[0]
        _declare(draw, builder, node, "fill", paint, css, loser)
    if node.tag == "line" or fill_none or draw(st.integers(0, 2)) == 0:
        paint, css = draw(_paint_value(builder, allow_none=False, allow_gradient=False))
        _declare(draw, builder, node, "stroke", paint, css, draw(colors())[0])
    if draw(st.integers(0, 2)) == 0:
        width = draw(_nice(0.25, 12))
        css = fmt(width)
        _declare(draw, builder, node, "stroke-width", width, css, "3")
    if draw(st.integers(0, 5)) == 0:
        dashes = tuple(draw(st.lists(_nice(0.5, 20), min_size=1, max_size=4)))
        sep = draw(st.sampled_from([",", " ", ", "]))
        _declare(draw, builder, node, "stroke-dasharray", dashes, sep.join(fmt(v) for v in dashes))
    if leaf and node.tag != "line" and draw(st.integers(0, 4)) == 0:
        value = draw(st.integers(10, 100)) / 100
        _declare(draw, builder, node, "fill-opacity", value, fmt(value))
    if draw(st.integers(0, 4)) == 0:
        value = draw(st.integers(10, 100)) / 100
        _declare(draw, builder, node, "opacity", value, fmt(value))
    if leaf and draw(st.integers(0, 14)) == 0:
        _declare(draw, builder, node, "visibility", "hidden", "hidden")


@st.composite
def _path_data(draw: DrawFn) -> tuple[str, int]:
    """Path data with every command kind; returns the text and the number of commands."""
    style = draw(st.sampled_from(["spaces", "commas", "compact", "newlines"]))
    tokens: list[tuple[str, str]] = []  # ("cmd" | "num" | "flag", text)
    start = (draw(_nice(-500, 500)), draw(_nice(-500, 500)))
    current = start
    subpath_start = start
    moved = False
    n_commands = 1

    def num(value: float) -> None:
        text = fmt(value)
        if style == "compact" and draw(st.integers(0, 3)) == 0:
            # equally valid spellings: ".5" for 0.5, "-.5" for -0.5, "1e1" for 10
            if text.startswith("0."):
                text = text[1:]
            elif text.startswith("-0."):
                text = "-" + text[2:]
            elif text.endswith("0") and "." not in text and text not in ("0", "-0"):
                text = text[:-1] + "e1"
        tokens.append(("num", text))

    tokens.append(("cmd", draw(st.sampled_from(["M", "m"]))))
    num(start[0])
    num(start[1])
    letters = "LlHhVvCcSsQqTtAaZzMm"
    for _ in range(draw(st.integers(1, 10))):
        letter = draw(st.sampled_from(letters))
        rel = letter.islower()
        if letter in "Zz":
            tokens.append(("cmd", letter))
            current = subpath_start
            n_commands += 1
            continue
        tokens.append(("cmd", letter))
        repeats = 2 if draw(st.integers(0, 4)) == 0 else 1
        for rep in range(repeats):
            n_commands += 1
            base = current if rel else (0.0, 0.0)
            span = (-60, 60) if rel else (-500, 500)

            def point(span: tuple[int, int] = span) -> tuple[float, float]:
                return (draw(_nice(*span)), draw(_nice(*span)))

            if letter in "Hh":
                x = draw(_nice(*span))
                num(x)
                end = (base[0] + x, current[1])
            elif letter in "Vv":
                y = draw(_nice(*span))
                num(y)
                end = (current[0], base[1] + y)
            elif letter in "MmLlTt":
                p = point()
                num(p[0])
                num(p[1])
                end = (base[0] + p[0], base[1] + p[1])
            elif letter in "Cc":
                for _ in range(3):
                    p = point()
                    num(p[0])
                    num(p[1])
                end = (base[0] + p[0], base[1] + p[1])
            elif letter in "SsQq":
                for _ in range(2):
                    p = point()
                    num(p[0])
                    num(p[1])
                end = (base[0] + p[0], base[1] + p[1])
            else:  # Aa
                rx = draw(st.one_of(st.just(0.0), _nice(0, 200)))
                ry = draw(_nice(0, 200))
                num(rx)
                num(ry)
                num(float(draw(st.integers(-360, 360))))
                tokens.append(("flag", str(draw(st.integers(0, 1)))))
                tokens.append(("flag", str(draw(st.integers(0, 1)))))
                p = point()
                num(p[0])
                num(p[1])
                end = (base[0] + p[0], base[1] + p[1])
            if letter in "Mm":
                subpath_start = end
                if rep == 0:
                    # "M x y x2 y2": the pairs after the first are implicit line-tos
                    letter = "L" if letter == "M" else "l"
            elif end != start:
                moved = True
            current = end
    if not moved:
        tokens.append(("cmd", "l"))
        num(10.0)
        num(10.0)
        n_commands += 1
    return _join_path(tokens, style, draw(st.integers(0, 5)) == 0), n_commands


_COMMAND_SEPARATOR = {"spaces": " ", "commas": " ", "compact": "", "newlines": "\n"}


def _join_path(tokens: list[tuple[str, str]], style: str, compact_flags: bool) -> str:
    out: list[str] = []
    prev_kind = ""
    for kind, text in tokens:
        if not out:
            out.append(text)
        elif kind == "cmd":
            out.append(_COMMAND_SEPARATOR[style] + text)
        elif prev_kind == "cmd":
            out.append(("" if style == "compact" else " ") + text)
        elif kind == "flag" and prev_kind == "flag" and compact_flags:
            out.append(text)  # "0 105 5": arc flags need no separator
        elif style == "compact" and text.startswith("-"):
            out.append(text)  # the sign separates numbers
        elif style == "commas":
            out.append("," + text)
        else:
            out.append(" " + text)
        prev_kind = kind
    return "".join(out)


def _points_text(points: list[tuple[float, float]], style: int) -> str:
    if style == 0:
        return " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
    if style == 1:
        return " ".join(f"{fmt(x)} {fmt(y)}" for x, y in points)
    return ",".join(f"{fmt(x)},{fmt(y)}" for x, y in points)


_WORD_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789"


@st.composite
def _leaf(draw: DrawFn, builder: _Builder, allow_text: bool) -> _Node:
    tags = ["rect", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "path"]
    if allow_text:
        tags.append("text")
    tag = draw(st.sampled_from(tags))
    node = _Node(tag)
    geo = node.geometry
    if tag == "rect":
        x, y = draw(_nice(-400, 400)), draw(_nice(-400, 400))
        w, h = draw(_nice(1, 400)), draw(_nice(1, 400))
        if x != 0 or draw(st.booleans()):
            geo.append(("x", fmt(x)))
        if y != 0 or draw(st.booleans()):
            geo.append(("y", fmt(y)))
        geo += [("width", fmt(w)), ("height", fmt(h))]
        corner = draw(st.integers(0, 3))
        rx = ry = 0.0
        if corner == 1:
            rx = ry = draw(_nice(0, 60))
            geo.append(("rx", fmt(rx)))
        elif corner == 2:
            rx = ry = draw(_nice(0, 60))
            geo.append(("ry", fmt(ry)))
        elif corner == 3:
            rx, ry = draw(_nice(0, 60)), draw(_nice(0, 60))
            geo += [("rx", fmt(rx)), ("ry", fmt(ry))]
        node.params = {
            "x": x, "y": y, "width": w, "height": h,
            "rx": min(rx, w / 2), "ry": min(ry, h / 2),
        }  # fmt: skip
    elif tag == "circle":
        cx, cy, r = draw(_nice(-400, 400)), draw(_nice(-400, 400)), draw(_nice(0.5, 200))
        if cx != 0 or draw(st.booleans()):
            geo.append(("cx", fmt(cx)))
        if cy != 0 or draw(st.booleans()):
            geo.append(("cy", fmt(cy)))
        geo.append(("r", fmt(r)))
        node.params = {"cx": cx, "cy": cy, "r": r}
    elif tag == "ellipse":
        cx, cy = draw(_nice(-400, 400)), draw(_nice(-400, 400))
        rx, ry = draw(_nice(0.5, 200)), draw(_nice(0.5, 200))
        geo += [("cx", fmt(cx)), ("cy", fmt(cy)), ("rx", fmt(rx)), ("ry", fmt(ry))]
        node.params = {"cx": cx, "cy": cy, "rx": rx, "ry": ry}
    elif tag == "line":
        x1, y1 = draw(_nice(-400, 400)), draw(_nice(-400, 400))
        dx, dy = draw(_nice(-300, 300)), draw(_nice(-300, 300))
        if dx == 0 and dy == 0:
            dx = 10.0
        x2, y2 = x1 + dx, y1 + dy
        x2, y2 = round(x2, 2), round(y2, 2)
        geo += [("x1", fmt(x1)), ("y1", fmt(y1)), ("x2", fmt(x2)), ("y2", fmt(y2))]
        node.params = {"x1": x1, "y1": y1, "x2": x2, "y2": y2}
    elif tag in ("polyline", "polygon"):
        pts = draw(st.lists(st.tuples(_nice(-400, 400), _nice(-400, 400)), min_size=2, max_size=8))
        if len(set(pts)) < 2:
            pts.append((pts[0][0] + 10.0, pts[0][1] + 5.0))
        geo.append(("points", _points_text(pts, draw(st.integers(0, 2)))))
        node.params = {"points": tuple(pts)}
    elif tag == "path":
        d, n_commands = draw(_path_data())
        geo.append(("d", d))
        node.params = {"d": d, "n_commands": n_commands}
    else:  # text
        x, y = draw(_nice(-300, 300)), draw(_nice(-300, 300))
        size = float(draw(st.integers(6, 48)))
        word = draw(st.text(alphabet=_WORD_ALPHABET, min_size=1, max_size=12))
        geo += [("x", fmt(x)), ("y", fmt(y)), ("font-size", fmt(size))]
        node.text = word
        node.params = {"x": x, "y": y, "text": word, "font_size": size}
    draw(_style_decls(builder, node, leaf=True))
    if draw(st.integers(0, 3)) == 0:
        node.transform = draw(transforms())
    if draw(st.integers(0, 2)) == 0:
        node.element_id = builder.new_id(tag[:2])
    if draw(st.integers(0, 5)) == 0:
        node.classes.append(draw(st.sampled_from(["shape", "part", "obj", "fg"])))
    return node


def _display_none(draw: DrawFn, node: _Node, builder: _Builder) -> None:
    node.decls.append(("display", "none", draw(st.sampled_from(["attr", "style", "class"]))))
    node.own["display"] = "none"


@st.composite
def _children(
    draw: DrawFn, builder: _Builder, depth: int, hidden: bool, in_defs: bool
) -> list[_Node]:
    nodes: list[_Node] = []
    max_children = 6 if depth == 0 else 4
    for _ in range(draw(st.integers(1, max_children))):
        if builder.budget <= 0:
            break
        choice = draw(st.integers(0, 9))
        if choice <= 1 and depth < 3 and builder.budget >= 3:
            builder.budget -= 1
            node = _Node("g")
            child_hidden = hidden
            if not in_defs and draw(st.integers(0, 9)) == 0:
                _display_none(draw, node, builder)
                child_hidden = True
            draw(_style_decls(builder, node, leaf=False))
            if draw(st.booleans()):
                node.transform = draw(transforms())
            if draw(st.booleans()):
                node.element_id = builder.new_id("g")
            if draw(st.integers(0, 2)) == 0:
                node.classes.append(draw(st.sampled_from(["layer", "group", "obj"])))
            if draw(st.integers(0, 2)) == 0:
                node.data_object = draw(st.sampled_from(["sun", "house", "tree-1", "car", "cloud"]))
            node.children = draw(_children(builder, depth + 1, child_hidden, in_defs))
            node.has_use = any(c.has_use for c in node.children)
            nodes.append(node)
        elif choice == 2 and not hidden and not in_defs and builder.targets:
            builder.budget -= 1
            target_id = draw(st.sampled_from(sorted(builder.targets)))
            node = _Node("use", href=target_id, has_use=True)
            node.href_attr = draw(st.sampled_from(["href", "xlink:href"]))
            builder.uses_xlink |= node.href_attr == "xlink:href"
            if draw(st.booleans()):
                node.use_xy = (draw(_nice(-200, 200)), draw(_nice(-200, 200)))
            if draw(st.integers(0, 2)) == 0:
                node.transform = draw(transforms())
            if draw(st.integers(0, 2)) == 0:
                paint, css = draw(_paint_value(builder, allow_none=False, allow_gradient=False))
                _declare(draw, builder, node, "fill", paint, css)
            nodes.append(node)
        else:
            builder.budget -= 1
            node = draw(_leaf(builder, allow_text=not in_defs))
            if not in_defs and not hidden and draw(st.integers(0, 11)) == 0:
                _display_none(draw, node, builder)
            nodes.append(node)
        # an element can be the target of later <use>s once complete (no cycles possible), if it
        # is displayed and holds no <use> itself
        if (
            node.tag not in ("use", "text")
            and not hidden
            and "display" not in node.own
            and not node.has_use
        ):
            if not node.element_id:
                node.element_id = builder.new_id("t")
            builder.targets[node.element_id] = node
    return nodes


def _serialise(node: _Node, builder: _Builder, quote: str, out: list[str]) -> None:
    attrs: list[tuple[str, str]] = []
    if node.element_id:
        attrs.append(("id", node.element_id))
    if node.tag == "use":
        attrs.append((node.href_attr, "#" + node.href))
        if node.use_xy != (0.0, 0.0):
            attrs += [("x", fmt(node.use_xy[0])), ("y", fmt(node.use_xy[1]))]
    attrs += node.geometry
    style = [f"{p}:{v}" for p, v, w in node.decls if w == "style"]
    rule = [f"{p}: {v}" for p, v, w in node.decls if w == "class"]
    classes = list(node.classes)
    if rule:
        builder.next_class += 1
        name = f"c{builder.next_class}"
        builder.rules.append(f".{name} {{ {'; '.join(rule)}; }}")
        classes.append(name)
    attrs += [(p, v) for p, v, w in node.decls if w == "attr"]
    if style:
        attrs.append(("style", ";".join(style)))
    if classes:
        attrs.append(("class", " ".join(classes)))
    if node.data_object:
        attrs.append(("data-object", node.data_object))
    if node.transform is not None:
        attrs.append(("transform", node.transform[0]))
    text = "".join(f" {k}={quote}{v}{quote}" for k, v in attrs)
    if node.children:
        out.append(f"<{node.tag}{text}>")
        for child in node.children:
            _serialise(child, builder, quote, out)
        out.append(f"</{node.tag}>\n")
    elif node.text:
        out.append(f"<{node.tag}{text}>{node.text}</{node.tag}>\n")
    else:
        out.append(f"<{node.tag}{text}/>\n")


def _device_bbox(node: _Node, m: Affine) -> tuple[float, float, float, float] | None:
    p = node.params
    if node.tag == "rect":
        x, y, w, h = p["x"], p["y"], p["width"], p["height"]
        if (p["rx"] > 0 and p["ry"] > 0) and not _axis_aligned(m):
            return None
        corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        return _bbox_of([apply_affine(m, *c) for c in corners])
    if node.tag in ("circle", "ellipse"):
        rx = p["r"] if node.tag == "circle" else p["rx"]
        ry = p["r"] if node.tag == "circle" else p["ry"]
        cx, cy = apply_affine(m, p["cx"], p["cy"])
        a, b, c, d = m[:4]
        # extent of the image of an ellipse under a linear map, per axis
        half_w = math.hypot(a * rx, c * ry)
        half_h = math.hypot(b * rx, d * ry)
        return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    if node.tag == "line":
        pts = [(p["x1"], p["y1"]), (p["x2"], p["y2"])]
        return _bbox_of([apply_affine(m, *q) for q in pts])
    if node.tag in ("polyline", "polygon"):
        return _bbox_of([apply_affine(m, *q) for q in p["points"]])
    return None


def _evaluate(
    node: _Node, ctx: _Ctx, builder: _Builder, out: list[ShapeSpec], instance: bool
) -> None:
    """Append the primitives ``node`` draws in context ``ctx`` (paint order)."""
    if node.own.get("display") == "none":
        return
    m = ctx.transform
    if node.transform is not None:
        m = compose(m, node.transform[1])
    if node.tag == "use":
        m = compose(ctx.transform, node.transform[1]) if node.transform else ctx.transform
        m = compose(m, _translate(*node.use_xy))
    own = node.own
    inner = _Ctx(
        transform=m,
        fill=own.get("fill", ctx.fill),
        stroke=own.get("stroke", ctx.stroke),
        stroke_width=own.get("stroke-width", ctx.stroke_width),
        dasharray=own.get("stroke-dasharray", ctx.dasharray),
    )
    if node.tag == "use":
        _evaluate(builder.targets[node.href], inner, builder, out, True)
        return
    if node.tag == "g":
        for child in node.children:
            _evaluate(child, inner, builder, out, instance)
        return
    dashes = inner.dasharray
    if len(dashes) % 2:
        dashes = dashes + dashes
    out.append(
        ShapeSpec(
            tag=node.tag,
            params=dict(node.params),
            transform=m,
            fill=NO_PAINT if node.tag == "line" else inner.fill,
            stroke=inner.stroke,
            stroke_width=inner.stroke_width,
            fill_opacity=own.get("fill-opacity", 1.0),
            opacity=own.get("opacity", 1.0),
            visible=own.get("visibility") != "hidden",
            element_id=node.element_id,
            classes=tuple(node.classes),
            use_instance=instance,
            dasharray=dashes,
            device_bbox=_device_bbox(node, m),
        )
    )


def _count_elements(nodes: list[_Node], counts: Counter[str]) -> None:
    for node in nodes:
        counts[node.tag] += 1
        _count_elements(node.children, counts)


@st.composite
def _gradients(draw: DrawFn, builder: _Builder) -> list[str]:
    elements: list[str] = []
    for i in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["linear", "radial"]))
        gid = f"grad{i}"
        attrs = f' id="{gid}"'
        if kind == "linear":
            if draw(st.booleans()):
                x1, y1, x2, y2 = (draw(st.integers(0, 100)) for _ in range(4))
                attrs += f' x1="{x1}%" y1="{y1}%" x2="{x2}%" y2="{y2}%"'
        else:
            if draw(st.booleans()):
                cx, cy = draw(st.integers(0, 100)), draw(st.integers(0, 100))
                r = draw(st.integers(10, 80))
                attrs += f' cx="{cx}%" cy="{cy}%" r="{r}%"'
            if draw(st.integers(0, 3)) == 0:
                attrs += f' fx="{draw(st.integers(20, 80))}%" fy="{draw(st.integers(20, 80))}%"'
        if draw(st.integers(0, 3)) == 0:
            attrs += ' spreadMethod="' + draw(st.sampled_from(["pad", "reflect", "repeat"])) + '"'
        if draw(st.integers(0, 4)) == 0:
            attrs += f' gradientTransform="{draw(transforms())[0]}"'
        tag = f"{kind}Gradient"
        if i == 1 and draw(st.integers(0, 2)) == 0:
            # inherits its stops from the first gradient
            href = draw(st.sampled_from(["href", "xlink:href"]))
            builder.uses_xlink |= href == "xlink:href"
            elements.append(f'<{tag}{attrs} {href}="#grad0"/>\n')
            builder.gradients.append((gid, kind))
            continue
        stops = []
        offsets = sorted(draw(st.lists(st.integers(0, 100), min_size=2, max_size=3)))
        for offset in offsets:
            color = draw(colors())[0]
            text = f"{offset}%" if draw(st.booleans()) else fmt(offset / 100)
            extra = ""
            if draw(st.integers(0, 3)) == 0:
                extra = f' stop-opacity="{fmt(draw(st.integers(0, 100)) / 100)}"'
            if draw(st.booleans()):
                stops.append(f'<stop offset="{text}" stop-color="{color}"{extra}/>')
            else:
                stops.append(f'<stop offset="{text}" style="stop-color:{color}"{extra}/>')
        elements.append(f"<{tag}{attrs}>" + "".join(stops) + f"</{tag}>\n")
        builder.gradients.append((gid, kind))
    return elements


@st.composite
def _svg_documents(draw: DrawFn, max_elements: int) -> GeneratedSVG:
    builder = _Builder(budget=max_elements)
    # canvas: viewBox and size in the same aspect ratio, so the mapping is a plain scale
    vb_w, vb_h = float(draw(st.integers(50, 1000))), float(draw(st.integers(50, 1000)))
    layout = draw(st.sampled_from(["size", "viewbox", "both"]))
    canvas = IDENTITY
    viewbox: tuple[float, float, float, float] | None = None
    width, height = vb_w, vb_h
    root_attrs = [("xmlns", SVG_NS)]
    if layout == "size":
        unit = draw(st.sampled_from(["", "", "px"]))
        root_attrs += [("width", fmt(vb_w) + unit), ("height", fmt(vb_h) + unit)]
    else:
        min_x, min_y = (0.0, 0.0)
        if layout == "both":
            min_x, min_y = float(draw(st.integers(-100, 100))), float(draw(st.integers(-100, 100)))
            k = draw(st.sampled_from([0.5, 1.0, 2.0]))
            width, height = vb_w * k, vb_h * k
            root_attrs += [("width", fmt(width)), ("height", fmt(height))]
            canvas = (k, 0.0, 0.0, k, -k * min_x, -k * min_y)
        viewbox = (min_x, min_y, vb_w, vb_h)
        root_attrs.append(("viewBox", " ".join(fmt(v) for v in viewbox)))

    gradient_elements = draw(_gradients(builder))
    # shapes and groups in <defs>, reachable only through <use>
    defs_nodes: list[_Node] = []
    if draw(st.integers(0, 2)) == 0:
        builder.budget = 6
        defs_nodes = draw(_children(builder, depth=1, hidden=False, in_defs=True))
    builder.budget = max_elements - 3 - len(gradient_elements) * 4 - 2 * len(defs_nodes)
    body_nodes = draw(_children(builder, depth=0, hidden=False, in_defs=False))

    root_ctx = _Ctx(canvas, BLACK, NO_PAINT, 1.0, ())
    shapes: list[ShapeSpec] = []
    for node in body_nodes:
        _evaluate(node, root_ctx, builder, shapes, False)
    if not any(s.visible and s.tag in ("rect", "circle", "ellipse") for s in shapes):
        # a document whose only geometry is invisible or zero-area could be called EMPTY
        extra = _Node("rect", geometry=[("width", "20"), ("height", "10")])
        extra.params = {"x": 0.0, "y": 0.0, "width": 20.0, "height": 10.0, "rx": 0.0, "ry": 0.0}
        body_nodes.append(extra)
        _evaluate(extra, root_ctx, builder, shapes, False)

    quote = draw(st.sampled_from(['"', '"', "'"]))
    body_parts: list[str] = []
    for node in body_nodes:
        _serialise(node, builder, quote, body_parts)
    defs_parts: list[str] = list(gradient_elements)
    for node in defs_nodes:
        _serialise(node, builder, quote, defs_parts)

    counts: Counter[str] = Counter({"svg": 1})
    _count_elements(defs_nodes, counts)
    _count_elements(body_nodes, counts)
    counts.update(
        {
            "linearGradient": sum("<linearGradient" in e for e in gradient_elements),
            "radialGradient": sum("<radialGradient" in e for e in gradient_elements),
            "stop": sum(e.count("<stop ") for e in gradient_elements),
        }
    )
    prelude: list[str] = []
    if builder.rules:
        css = "\n".join(builder.rules)
        if draw(st.booleans()):
            css = f"<![CDATA[\n{css}\n]]>"
        style_open = '<style type="text/css">' if draw(st.booleans()) else "<style>"
        prelude.append(f"{style_open}{css}</style>\n")
        counts["style"] += 1
    if defs_parts:
        prelude.append("<defs>" + "".join(defs_parts) + "</defs>\n")
        counts["defs"] += 1
    if builder.uses_xlink or draw(st.integers(0, 3)) == 0:
        root_attrs.insert(1, ("xmlns:xlink", XLINK_NS))
    if draw(st.integers(0, 3)) == 0:
        root_attrs.append(("version", "1.1"))
    header = '<?xml version="1.0" encoding="UTF-8"?>\n' if draw(st.integers(0, 3)) == 0 else ""
    root_open = header + "<svg" + "".join(f' {k}="{v}"' for k, v in root_attrs) + ">\n"
    if draw(st.integers(0, 4)) == 0:
        root_open += "<!-- generated -->\n"
    body = "".join(body_parts)
    text = root_open + "".join(prelude) + body + "</svg>\n"
    counts = Counter({k: v for k, v in counts.items() if v})
    return GeneratedSVG(
        text=text,
        shapes=tuple(shapes),
        width=width,
        height=height,
        viewbox=viewbox,
        canvas_transform=canvas,
        element_counts=counts,
        use_count=counts.get("use", 0),
        n_groups=counts.get("g", 0),
        root_open=root_open,
        prelude="".join(prelude),
        body=body,
    )


def svg_documents(max_elements: int = 40) -> SearchStrategy[GeneratedSVG]:
    """Small valid SVG documents with a record of everything they draw.

    Content: ``rect`` (with and without ``rx``/``ry``), ``circle``, ``ellipse``, ``line``,
    ``polyline``, ``polygon``, ``path`` with every command (``MmLlHhVvCcSsQqTtAaZz``, implicit
    repeats, compact number syntax), ``text``; nested ``<g>`` with ``id``/``class``/
    ``data-object``; ``transform`` lists; paint from presentation attributes, ``style=""`` and a
    ``<style>`` block of class rules (with deliberately conflicting lower-precedence
    declarations); hex/``rgb()``/``hsl()``/named colours; opacity, ``fill-opacity``,
    ``stroke-dasharray``, ``visibility:hidden``, ``display:none`` (on shapes and groups);
    linear and radial gradients in ``<defs>`` (one may inherit stops via ``href``); ``<use>`` of
    shapes and groups in ``<defs>`` or in the body, with ``href`` or ``xlink:href``.

    Guarantees: every drawn primitive paints something (a fill that is not ``none`` or a colour
    stroke), at least one visible rect/circle/ellipse is drawn, ``<use>`` is never nested or
    cyclic (so ``use_expansions == use_count``), user coordinates stay within ±1000.

    Parameters
    ----------
    max_elements
        Approximate upper bound on the number of elements.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(svg_documents())
    ... def test_kinds(doc):
    ...     scene = svgkit.parse(doc.text)
    ...     assert scene.tags == doc.tags
    """
    return _svg_documents(max_elements)


# --------------------------------------------------------------------------------------------
# simple opaque shapes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpaqueShape:
    """One opaque, unstroked shape lying inside its canvas (at least 1 px from every edge).

    Parameters
    ----------
    tag
        ``rect``, ``circle``, ``ellipse`` or ``polygon``.
    params
        Exact geometry (as in :class:`ShapeSpec`; ``rect`` rx/ry are the used radii).
    element
        The element's markup, e.g. ``<circle cx="50" cy="40" r="10" fill="#ff0000"/>``.
    area
        Exact area in px² (rounded rect: ``w h − (4 − π) rx ry``; polygon: shoelace; the polygon
        is simple, star-shaped around an interior point).
    bbox
        Exact ``(x0, y0, x1, y1)``.
    css_color, rgb
        The fill colour as written and its sRGB value in [0, 255].
    width, height
        The canvas size; the document maps user units 1:1 to px.
    """

    tag: str
    params: dict[str, Any]
    element: str
    area: float
    bbox: tuple[float, float, float, float]
    css_color: str
    rgb: RGB
    width: float
    height: float

    @property
    def svg(self) -> str:
        """A complete document drawing only this shape."""
        w, h = fmt(self.width), fmt(self.height)
        return (
            f'<svg xmlns="{SVG_NS}" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
            f"{self.element}</svg>"
        )


@st.composite
def _opaque_shape(draw: DrawFn) -> OpaqueShape:
    width = float(draw(st.integers(20, 400)))
    height = float(draw(st.integers(20, 400)))
    css, rgb = draw(colors())
    tag = draw(st.sampled_from(["rect", "circle", "ellipse", "polygon"]))
    paint = f'fill="{css}"'
    params: dict[str, Any]
    if tag == "rect":
        x = draw(_nice(1, width - 3))
        y = draw(_nice(1, height - 3))
        w = draw(_nice(1, width - 1 - x))
        h = draw(_nice(1, height - 1 - y))
        rx = ry = 0.0
        corner = ""
        if draw(st.booleans()):
            rx, ry = draw(_nice(0, w / 2)), draw(_nice(0, h / 2))
            corner = f' rx="{fmt(rx)}" ry="{fmt(ry)}"'
        element = (
            f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" height="{fmt(h)}"{corner} {paint}/>'
        )
        params = {"x": x, "y": y, "width": w, "height": h, "rx": rx, "ry": ry}
        area = w * h - (4.0 - math.pi) * rx * ry
        bbox = (x, y, x + w, y + h)
    elif tag in ("circle", "ellipse"):
        max_rx = (width - 2) / 2
        max_ry = (height - 2) / 2
        if tag == "circle":
            rx = ry = draw(_nice(0.5, min(max_rx, max_ry)))
        else:
            rx, ry = draw(_nice(0.5, max_rx)), draw(_nice(0.5, max_ry))
        cx = draw(_nice(1 + rx, width - 1 - rx))
        cy = draw(_nice(1 + ry, height - 1 - ry))
        if tag == "circle":
            element = f'<circle cx="{fmt(cx)}" cy="{fmt(cy)}" r="{fmt(rx)}" {paint}/>'
            params = {"cx": cx, "cy": cy, "r": rx}
        else:
            element = (
                f'<ellipse cx="{fmt(cx)}" cy="{fmt(cy)}" rx="{fmt(rx)}" ry="{fmt(ry)}" {paint}/>'
            )
            params = {"cx": cx, "cy": cy, "rx": rx, "ry": ry}
        area = math.pi * rx * ry
        bbox = (cx - rx, cy - ry, cx + rx, cy + ry)
    else:
        n = draw(st.integers(3, 8))
        radius_max = min(width, height) / 2 - 1
        cx = draw(_nice(1 + radius_max, width - 1 - radius_max))
        cy = draw(_nice(1 + radius_max, height - 1 - radius_max))
        base = draw(st.integers(0, 359))
        # angles near an even spread with jitter below 0.4 × (180/n)°: every gap stays under
        # 180°, so the centre is interior and the angularly sorted polygon is simple
        jitter = 0.4 * 180.0 / n
        pts = []
        for i in range(n):
            angle = math.radians(base + 360.0 * i / n + draw(st.floats(-jitter, jitter)))
            r = draw(st.floats(min(5.0, radius_max), radius_max))
            pts.append((round(cx + r * math.cos(angle), 2), round(cy + r * math.sin(angle), 2)))
        pts_text = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in pts)
        element = f'<polygon points="{pts_text}" {paint}/>'
        params = {"points": tuple(pts)}
        area = 0.5 * abs(
            sum(pts[i][0] * pts[(i + 1) % n][1] - pts[(i + 1) % n][0] * pts[i][1] for i in range(n))
        )
        bbox = _bbox_of(pts)
    return OpaqueShape(tag, params, element, area, bbox, css, rgb, width, height)


def simple_opaque_shapes() -> SearchStrategy[OpaqueShape]:
    """One opaque solid-filled, unstroked rect/circle/ellipse/polygon inside a canvas.

    The document (:attr:`OpaqueShape.svg`) maps user units 1:1 to px, so the coverage of the
    rendered shape is :attr:`OpaqueShape.area` px² up to anti-aliasing at the edge. Combine with
    :func:`transforms` yourself if needed: an affine ``m`` scales the area by ``|det m|``.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(simple_opaque_shapes())
    ... def test_area(shape):
    ...     assert 0 < shape.area <= shape.width * shape.height
    """
    return _opaque_shape()


# --------------------------------------------------------------------------------------------
# arbitrary text
# --------------------------------------------------------------------------------------------

_FRAGMENTS = [
    "<svg",
    '<svg xmlns="http://www.w3.org/2000/svg"',
    ' width="100" height="100"',
    ' viewBox="0 0 10 10"',
    ">",
    "/>",
    "</svg>",
    "<",
    "</",
    "<rect",
    ' width="10"',
    ' height="-5"',
    "<circle",
    ' r="nan"',
    ' r="1e400"',
    "<path",
    ' d="M0 0 L',
    ' d="M 10 10 C 20 20 30 A 5 5 0 1 1"',
    "<g>",
    "</g>",
    "<g",
    ' transform="rotate(',
    ' fill="url(#',
    ' xlink:href="#a"',
    ' href="#a"',
    "<use",
    ' id="a"',
    "<text>",
    "</text>",
    "<style>",
    ".a{fill:red}",
    "</style>",
    "<!DOCTYPE svg>",
    "<!ENTITY",
    "&amp;",
    "&",
    ";",
    "&#0;",
    "&#x110000;",
    "<![CDATA[",
    "]]>",
    '<?xml version="1.0"?>',
    "<?xml-stylesheet",
    "<!--",
    "-->",
    '"',
    "'",
    "=",
    " ",
    "\n",
    "\x00",
    "\ufeff",
    "é",
    "\U0001f600",
    "```svg\n",
    "```",
    "Here is the SVG:\n",
    "<html>",
    "<svg:svg",
]


@st.composite
def _fragment_soup(draw: DrawFn) -> str:
    return "".join(draw(st.lists(st.sampled_from(_FRAGMENTS), max_size=30)))


@st.composite
def _random_xml(draw: DrawFn) -> str:
    names = st.sampled_from(["svg", "g", "rect", "foo", "a:b", "path", "text", "x1", "use", "html"])
    attr = st.tuples(
        st.sampled_from(["id", "d", "fill", "x", "xmlns", "href", "style", "width", "viewBox"]),
        st.text(alphabet='abc0123456789 .,-#()%;:"<>&', max_size=12),
    )

    def element(children: SearchStrategy[str]) -> SearchStrategy[str]:
        return st.tuples(names, st.lists(attr, max_size=3), st.lists(children, max_size=3)).map(
            lambda t: (
                f"<{t[0]}"
                + "".join(f' {k}="{v}"' for k, v in t[1])
                + ">"
                + "".join(t[2])
                + f"</{t[0]}>"
            )
        )

    return draw(st.recursive(st.text(max_size=5), element, max_leaves=8))


@st.composite
def _mutated_document(draw: DrawFn) -> str | bytes:
    doc = draw(svg_documents(max_elements=10)).text
    how = draw(st.sampled_from(["truncate", "delete", "insert", "fence", "invalid_utf8", "bom"]))
    if how == "truncate":
        return doc[: draw(st.integers(0, len(doc)))]
    if how == "delete":
        i = draw(st.integers(0, len(doc) - 1))
        j = draw(st.integers(i, min(len(doc), i + 20)))
        return doc[:i] + doc[j:]
    if how == "insert":
        i = draw(st.integers(0, len(doc)))
        return doc[:i] + draw(st.sampled_from(_FRAGMENTS)) + doc[i:]
    if how == "fence":
        return f"Sure! Here is your image:\n```svg\n{doc}```\nHope it helps."
    if how == "bom":
        return ("\ufeff" + doc).encode("utf-8")
    data = bytearray(doc.encode("utf-8"))
    i = draw(st.integers(0, len(data)))
    data[i:i] = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80", b"\xfe\xff"]))
    return bytes(data)


def arbitrary_text() -> SearchStrategy[str | bytes]:
    """Anything a model (or an attacker) might hand over: text and bytes.

    Includes unstructured text and bytes, soups of SVG/XML fragments (partial tags, entity and
    DOCTYPE openings, CDATA, NUL, BOM), random well-nested XML with odd names, and generated
    valid documents that were truncated, cut, spliced, wrapped in a Markdown fence, or given
    invalid UTF-8 bytes.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(arbitrary_text())
    ... def test_never_raises(data):
    ...     svgkit.validate(data)
    """
    return st.one_of(
        st.text(),
        st.binary(),
        _fragment_soup(),
        _fragment_soup().map(lambda s: s.encode("utf-8", "surrogatepass")),
        _random_xml(),
        _mutated_document(),
    )


# --- filter layers ----------------------------------------------------------------------------


@st.composite
def layers(draw: DrawFn, max_side: int = 16) -> Any:
    """A premultiplied float32 RGBA layer of 1 to ``max_side`` pixels a side, as filters read."""
    import hypothesis.extra.numpy as hnp
    import numpy as np

    shape = draw(st.tuples(st.integers(1, max_side), st.integers(1, max_side)))
    straight = draw(hnp.arrays(np.float32, (*shape, 4), elements=st.floats(0, 1, width=32)))
    straight[..., :3] *= straight[..., 3:4]
    return straight


#: Canvas → output matrices a filter meets: identity, axis scales with translations, a rotation.
TO_OUTPUT = st.one_of(
    st.just((1.0, 0.0, 0.0, 1.0, 0.0, 0.0)),
    st.tuples(
        st.floats(0.25, 3),
        st.just(0.0),
        st.just(0.0),
        st.floats(0.25, 3),
        st.floats(-4, 4),
        st.floats(-4, 4),
    ),
    st.just((0.0, 1.0, -1.0, 0.0, 16.0, 0.0)),
)
