"""Extreme, denormal and non-finite numbers in any numeric attribute stay inside the taxonomy.

Models write numbers like ``1e-300`` and ``1e308``; whatever they write, ``parse`` and ``render``
either succeed or raise an :class:`svgkit.SVGKitError`, and ``validate`` never answers
``INTERNAL``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import svgkit
from svgkit import SVGKitError

# a 1x1 red PNG
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5Erk"
    "Jggg=="
)
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">{}</svg>'

# the numbers that break arithmetic: subnormals, values whose square under- or overflows,
# the largest floats, zero of both signs and the non-finite spellings CSS parsers meet
EXTREME = st.one_of(
    st.sampled_from(
        [0.0, -0.0, 5e-324, 1e-320, 1e-300, 1e-160, 1e-7, 1e154, 1e160, 1e300, 1.7e308]
    ).flatmap(lambda v: st.sampled_from([v, -v])),
    st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True),
)
NUMBER_TEXT = st.one_of(EXTREME.map(repr), st.sampled_from(["nan", "inf", "-inf", "1e999"]))

TEMPLATES = [
    '<path d="M0 0 A{0} {1} {2} 0 1 {3} {4}"/>',
    '<path d="M{0} {1} C{2} {3} {4} {0} {1} {2}Z" stroke="red" stroke-width="{3}"/>',
    '<rect x="{0}" y="{1}" width="{2}" height="{3}" rx="{4}"/>',
    '<circle cx="{0}" cy="{1}" r="{2}" stroke="blue" stroke-width="{3}"/>',
    '<ellipse cx="{0}" cy="{1}" rx="{2}" ry="{3}"/>',
    '<line x1="{0}" y1="{1}" x2="{2}" y2="{3}" stroke="red" stroke-width="{4}"/>',
    '<polygon points="{0},{1} {2},{3} {4},{0}"/>',
    '<g transform="matrix({0} {1} {2} {3} {4} 0)"><rect width="5" height="5"/></g>',
    '<g transform="scale({0} {1}) rotate({2}) translate({3} {4})"><circle r="3"/></g>',
    '<path d="M1 1 L{0} {1} L{2} {3}Z" stroke="red" stroke-dasharray="{4} 1"/>',
    '<text x="{0}" y="{1}" font-size="{2}" dx="{3}" stroke-width="{4}" stroke="red">Hi</text>',
    '<text x="2" y="15" font-size="{2}">a<tspan dx="{0}" dy="{1}" font-size="{3}">b</tspan></text>',
    '<image x="{0}" y="{1}" width="{2}" height="{3}" href="data:image/png;base64,' + PNG + '"/>',
]


def _outcome(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except SVGKitError as exc:
        return exc.code
    return "OK"


@pytest.mark.parametrize(
    "radii",
    ["1e-300 1", "1e-160 1", "1e-320 1", "5e-324 5e-324", "1e308 1e-308", "1e-308 1e308"],
)
def test_an_arc_with_radii_at_the_edge_of_the_float_range_draws(radii: str) -> None:
    svg = SVG.format(f'<path d="M0 0 A{radii} 0 0 0 10 10" stroke="black"/>')
    scene = svgkit.parse(svg)
    assert np.isfinite(scene.cmd_points).all()
    # the arc ends where it says, whatever path it took to get there
    assert tuple(scene.cmd_points[-1]) == (10.0, 10.0)
    assert svgkit.validate(svg).code == "OK"
    assert svgkit.render(svg, 16, 16).shape == (16, 16, 4)


@pytest.mark.parametrize(
    "element",
    [
        '<text x="2" y="15" font-size="1e-160">Hi</text>',
        '<text x="2" y="15" font-size="1e-7" transform="scale(1e-3)">Hi</text>',
        f'<image width="1e-200" height="10" href="data:image/png;base64,{PNG}"/>',
    ],
)
def test_a_degenerate_text_or_image_validates_and_renders_as_nothing(element: str) -> None:
    svg = SVG.format(element)
    assert svgkit.validate(svg).code == "OK"
    assert not svgkit.render(svg, 64, 64)[..., 3].any()


def test_a_tiny_arc_is_still_the_half_ellipse_through_its_endpoints() -> None:
    # radii too small are scaled up (SVG 2 F.6.6): 1e-300 and 1 → a circle of radius 5
    scene = svgkit.parse(SVG.format('<path d="M0 0 A1e-300 1e-300 0 0 1 10 0"/>'))
    x0, y0, x1, y1 = scene.bbox[0]
    assert (x0, x1) == (0.0, 10.0)
    assert math.isclose(y1 - y0, 5.0, rel_tol=1e-3)


@pytest.mark.filterwarnings("error")  # a numpy warning under -W error would be INTERNAL
@given(template=st.sampled_from(TEMPLATES), numbers=st.lists(NUMBER_TEXT, min_size=5, max_size=5))
def test_extreme_numbers_never_escape_the_taxonomy(template: str, numbers: list[str]) -> None:
    svg = SVG.format(template.format(*numbers))
    parsed = _outcome(lambda: svgkit.parse(svg))
    verdict = svgkit.validate(svg).code
    assert verdict != "INTERNAL"
    assert verdict == parsed or (parsed, verdict) == ("OK", "EMPTY")
    if parsed == "OK":
        rendered = _outcome(lambda: svgkit.render(svg, 16, 16))
        assert rendered in ("OK", "LIMIT")


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    "body, code",
    [
        # found by benchmarks/bench_fuzz.py: overflows inside numpy that warned out of validate
        ('<path d="M7 9e-324q4-3 9 0"/>', "OK"),
        ('<path transform="translate(1e-310)" d="M0 0Q4-2 0-4"/>', "OK"),
    ],
)
def test_denormal_curves_raise_no_numpy_warning(body: str, code: str) -> None:
    assert svgkit.validate(SVG.format(body)).code == code
    svgkit.render(SVG.format(body), 16, 16)


@pytest.mark.filterwarnings("error")
def test_a_denormal_viewbox_is_a_limit_without_a_numpy_warning() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e-300 1e-300" height="9"><circle/></svg>'
    report = svgkit.validate(svg)
    assert (report.code, report.limit) == ("LIMIT", "max_coordinate")
