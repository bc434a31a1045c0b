"""Properties of the fidelity features (text layout, font properties, blend modes, references):
whatever values a model writes into them, parsing and rendering give pixels or a classified
error, never another exception, a hang or a non-finite value."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import svgkit
from svgkit.errors import SVGKitError

# values models write, valid and not: numbers, units, lists, keywords, junk
_NUMBERS = st.sampled_from(
    ["0", "10", "-5", "1e3", "1e308", "-1e308", "nan", "inf", "3.5", ".5", "1e-30", "x", ""]
)
_UNITS = st.sampled_from(["", "px", "em", "ex", "%", "mm", "in", "pt", "vw", "deg", "rem"])
_LENGTH = st.builds(lambda n, u: n + u, _NUMBERS, _UNITS)
_LIST = st.lists(_LENGTH, max_size=6).map(lambda xs: " ".join(xs))
_WORDS = st.sampled_from(
    [
        "normal",
        "bold",
        "bolder",
        "lighter",
        "italic",
        "small-caps",
        "larger",
        "smaller",
        "xx-small",
        "xxx-large",
        "serif",
        "sans-serif",
        "monospace",
        "'No Such Font'",
        "inherit",
        "underline",
        "overline",
        "line-through",
        "none",
        "multiply",
        "screen",
        "color",
        "luminosity",
        "isolate",
        "auto",
        "center",
        "left",
        "top",
        "bottom",
        "right",
        "preserve",
        "default",
        "spacing",
        "spacingAndGlyphs",
        "stretch",
        "align",
        "sub",
        "super",
        "/",
        ",",
        "url(#p)",
        "url(#missing)",
        "context-fill",
        "context-stroke",
        "12px/1.5",
    ]
)
_VALUE = st.one_of(_LENGTH, _LIST, _WORDS, st.lists(_WORDS, max_size=4).map(" ".join))
# letters, spaces, Hebrew, Arabic, a combining accent, a joiner, an emoji
_TEXT = st.lists(
    st.sampled_from(
        [*"ab  \n\tXyz,.-", "\u05d0", "\u0627", "\u0301", "\u200d", "fi", "\U0001f600"]
    ),
    max_size=12,
).map("".join)
_TEXT_ATTRS = [
    "x",
    "y",
    "dx",
    "dy",
    "rotate",
    "textLength",
    "lengthAdjust",
    "letter-spacing",
    "word-spacing",
    "text-decoration",
    "font-size",
    "font-weight",
    "font-family",
    "font-style",
    "text-anchor",
    "baseline-shift",
    "xml:space",
    "transform-origin",
    "mix-blend-mode",
    "isolation",
]
_PATH_ATTRS = ["startOffset", "side", "method", "spacing", "href"]


@st.composite
def _attributes(draw: st.DrawFn, names: list[str]) -> str:
    chosen = draw(st.lists(st.sampled_from(names), max_size=5, unique=True))
    parts = []
    for name in chosen:
        value = draw(_VALUE).replace('"', "'").replace("<", "").replace("&", "")
        if name == "href":
            value = draw(st.sampled_from(["#p", "#missing", "#t", ""]))
        parts.append(f'{name}="{value}"')
    if draw(st.booleans()):
        decls = draw(st.lists(st.tuples(st.sampled_from([*names, "font"]), _VALUE), max_size=3))
        css = "; ".join(f"{n}: {v}" for n, v in decls).replace('"', "'").replace("<", "")
        parts.append(f'style="{css.replace("&", "")}"')
    return " ".join(parts)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def text_documents(draw: st.DrawFn) -> str:
    inner = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["tspan", "textPath", "a", "plain"]))
        words = _esc(draw(_TEXT))
        if kind == "plain":
            inner.append(words)
        else:
            names = _PATH_ATTRS + _TEXT_ATTRS if kind == "textPath" else _TEXT_ATTRS
            inner.append(f"<{kind} {draw(_attributes(names))}>{words}</{kind}>")
    attrs = draw(_attributes(_TEXT_ATTRS))
    clip = draw(st.booleans())
    text = f'<text id="t" {attrs}>{_esc(draw(_TEXT))}{"".join(inner)}</text>'
    body = (
        f'<clipPath id="c">{text}</clipPath><rect width="100" height="60" clip-path="url(#c)"/>'
        if clip
        else text
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 100 60"><path id="p" d="M 5 50 C 20 0 80 0 95 50"/>'
        f"{body}</svg>"
    )


@settings(max_examples=150, deadline=None)
@given(text_documents())
def test_any_text_parses_and_renders_or_is_classified(doc: str) -> None:
    try:
        scene = svgkit.parse(doc)
        pixels = svgkit.render(scene, 64, 40)
    except SVGKitError:
        return
    assert pixels.shape == (40, 64, 4)
    for run in scene.texts.values():
        assert all(math.isfinite(v) for v in run.bbox)
        assert all(math.isfinite(g.x) and math.isfinite(g.y) for g in run.glyphs)
    assert np.isfinite(np.asarray(scene.bbox, dtype=np.float64)).all() or len(scene) == 0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["rect", "circle", "g"]),
            _attributes(["mix-blend-mode", "isolation", "transform-origin", "opacity"]),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["", "background-color: red", "background-color: rgba(0,0,0,0.5)", "x"]),
)
def test_any_compositing_values_render_or_are_classified(
    elements: list[tuple[str, str]], root_style: str
) -> None:
    shapes = []
    for tag, attrs in elements:
        if tag == "g":
            shapes.append(f'<g {attrs} transform="rotate(10)"><rect width="30" height="30"/></g>')
        else:
            geometry = 'width="40" height="30"' if tag == "rect" else 'cx="30" cy="30" r="20"'
            shapes.append(f'<{tag} {geometry} fill="#3a6" {attrs} transform="scale(1.5)"/>')
    doc = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 60" style="{root_style}">'
        + "".join(shapes)
        + "</svg>"
    )
    try:
        pixels = svgkit.render(doc, 50, 30)
    except SVGKitError:
        return
    assert pixels.shape == (30, 50, 4) and pixels.dtype == np.uint8
