"""``transform-origin``: a transform applies about its origin (CSS Transforms 1 §6)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import svgkit

RECT = '<rect x="40" y="0" width="20" height="10" fill="black" {attrs}/>'


def _box(attrs: str) -> tuple[int, int, int, int]:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        + RECT.format(attrs=attrs)
        + "</svg>"
    )
    alpha = svgkit.render(svg, 100, 100)[..., 3]
    ys, xs = np.nonzero(alpha > 128)
    return int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1


@pytest.mark.parametrize(
    "attrs",
    [
        'transform-origin="50 50" transform="rotate(90)"',
        'transform-origin="50px 50px" transform="rotate(90)"',
        'transform-origin="50% 50%" transform="rotate(90)"',
        'transform-origin="center" transform="rotate(90)"',
        'transform-origin="center center" transform="rotate(90)"',
        'style="transform-origin: 50% 50%; transform: rotate(90deg)"',
        'style="transform-origin: center" transform="rotate(90)"',
    ],
)
def test_rotation_about_the_centre(attrs: str) -> None:
    # the rect (40..60, 0..10) turned a quarter about (50, 50) lies at (90..100, 40..60)
    assert _box(attrs) == (90, 100, 40, 60)


@pytest.mark.parametrize(
    ("origin", "box"),
    [
        ("left top", (20, 30, 0, 5)),  # the default origin, (0, 0)
        ("top left", (20, 30, 0, 5)),
        ("right bottom", (70, 80, 50, 55)),  # scale 0.5 about (100, 100)
        ("bottom", (45, 55, 50, 55)),  # about (50, 100)
        ("0 0", (20, 30, 0, 5)),
    ],
)
def test_keywords_and_their_order(origin: str, box: tuple[int, int, int, int]) -> None:
    assert _box(f'transform-origin="{origin}" transform="scale(0.5)"') == box


@pytest.mark.parametrize("origin", ["nonsense", "1 2 3 4", "top top", "left right", ""])
def test_an_invalid_origin_is_the_default(origin: str) -> None:
    # as if no transform-origin were given: scale(0.5) about (0, 0)
    assert _box(f'transform-origin="{origin}" transform="scale(0.5)"') == (20, 30, 0, 5)


def test_origin_without_a_transform_changes_nothing() -> None:
    assert _box('transform-origin="50 50"') == (40, 60, 0, 10)


@given(st.integers(-30, 30), st.integers(-30, 30))
def test_the_origin_is_a_fixed_point(ox: int, oy: int) -> None:
    # a scale about (ox, oy) keeps that point where it is: a small square centred on it stays
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        f'<g transform="translate(50 50)"><rect x="{ox - 2}" y="{oy - 2}" width="4" height="4" '
        f'transform-origin="{ox} {oy}" transform="scale(3)"/></g></svg>'
    )
    scene = svgkit.parse(svg)
    alpha = svgkit.render(scene, 100, 100)[..., 3]
    ys, xs = np.nonzero(alpha > 128)
    assert (xs.min() + xs.max() + 1) / 2 == pytest.approx(50 + ox, abs=0.5)
    assert (ys.min() + ys.max() + 1) / 2 == pytest.approx(50 + oy, abs=0.5)
