"""Basic colour terms: the table, notations arriving as the same colour, objects' colour names."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import colors

import svgkit
from svgkit.geometry import COLOR_TERMS, color_distance, color_name, objects
from svgkit.geometry._colors import rgb_to_hex

FIXTURES = Path(__file__).parent / "fixtures" / "geometry"


@pytest.mark.parametrize(("term", "hex_value"),
                         [(t, h) for t, values in COLOR_TERMS.items() for h in values])
def test_every_prototype_names_its_own_term(term, hex_value):
    assert color_name(hex_value) == term
    assert color_distance(hex_value) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(("css", "term"), [
    ("crimson", "red"), ("#e32636", "red"), ("darkred", "red"), ("tomato", "red"),
    ("darkorange", "orange"), ("#ff9933", "orange"), ("coral", "orange"),
    ("gold", "yellow"), ("#ffeb3b", "yellow"), ("khaki", "yellow"),
    ("lime", "green"), ("forestgreen", "green"), ("#4caf50", "green"), ("olivedrab", "green"),
    ("turquoise", "cyan"), ("teal", "cyan"), ("#00bcd4", "cyan"),
    ("navy", "blue"), ("royalblue", "blue"), ("skyblue", "blue"), ("#2196f3", "blue"),
    ("indigo", "purple"), ("#663399", "purple"), ("mediumpurple", "purple"),
    ("fuchsia", "magenta"), ("#e040fb", "magenta"),
    ("hotpink", "pink"), ("lightpink", "pink"), ("deeppink", "pink"),
    ("saddlebrown", "brown"), ("sienna", "brown"), ("tan", "brown"), ("#5d4037", "brown"),
    ("#111111", "black"), ("snow", "white"), ("whitesmoke", "white"),
    ("silver", "gray"), ("dimgray", "gray"), ("#444444", "gray"), ("gainsboro", "gray"),
])
def test_common_colours_get_the_expected_term(css, term):
    assert color_name(css) == term


@given(colors())
def test_every_notation_of_a_colour_gets_the_same_name(color):
    css, rgb = color
    r, g, b = (round(c) for c in rgb)
    by_css = color_name(css)
    assert by_css == color_name((r, g, b))
    assert by_css == color_name((r / 255, g / 255, b / 255))
    assert by_css == color_name(f"#{r:02x}{g:02x}{b:02x}")
    assert by_css == color_name(f"rgb({r}, {g}, {b})")


@given(st.tuples(*[st.integers(0, 255)] * 3))
def test_names_come_from_the_table_and_distances_are_finite(rgb):
    assert color_name(rgb) in COLOR_TERMS
    assert math.isfinite(color_distance(rgb)) and color_distance(rgb) >= 0


def test_missing_and_bad_input():
    assert color_name((math.nan, 0.0, 0.0)) is None
    assert math.isnan(color_distance(np.array([np.nan, 1, 1])))
    assert color_name(np.array([1.0, 0.0, 0.0, 0.5])) == "red"  # alpha ignored
    with pytest.raises(TypeError, match="rgb"):
        color_name((1, 2))
    with pytest.raises(TypeError, match="rgb"):
        color_name(["a", "b", "c"])
    with pytest.raises(ValueError, match="CSS colour"):
        color_name("not-a-colour")
    assert rgb_to_hex((math.nan, 0, 0)) == ""
    assert rgb_to_hex((1.2, -1, 0.5)) == "#ff0080"


def test_notations_arrive_as_the_same_colour_end_to_end():
    text = (FIXTURES / "colors_notations.svg").read_text()
    scene = svgkit.parse(text)
    orange, sky = scene.fill_rgba[:5, :3], scene.fill_rgba[5:, :3]
    assert np.allclose(orange, orange[0], atol=1.5 / 255)
    assert np.allclose(sky, sky[0], atol=1.5 / 255)
    names = [o.color_name for o in objects(scene)]
    assert names == ["orange"] * 5 + ["blue"] * 5


def test_one_swatch_per_term_end_to_end():
    objs = objects((FIXTURES / "colors_terms.svg").read_text())
    assert [o.name for o in objs] == list(COLOR_TERMS)
    assert [o.color_name for o in objs] == list(COLOR_TERMS)
