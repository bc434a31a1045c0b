"""Flattening the command stream into polylines: subpath semantics, tolerance, limits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import svgkit
from svgkit.errors import SVGKitError
from svgkit.flatten import MAX_CHORDS_PER_CUBIC, flatten_commands, flatten_scene, wang_chords

MOVE, LINE, CUBIC, CLOSE = 0, 1, 2, 3
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">{}</svg>'


def subpaths(flat):
    offs = flat.subpath_offsets
    return [flat.points[offs[k] : offs[k + 1]].tolist() for k in range(len(offs) - 1)]


def test_lines_pass_through_and_close_is_not_repeated():
    flat = flatten_commands([MOVE, LINE, LINE, CLOSE], [[0, 0], [10, 0], [10, 10]])
    assert subpaths(flat) == [[[0, 0], [10, 0], [10, 10]]]
    assert flat.subpath_closed.tolist() == [True]
    assert flat.prim_subpath_offsets.tolist() == [0, 1]


def test_drawing_after_close_restarts_at_the_subpath_start():
    flat = flatten_commands(
        [MOVE, LINE, LINE, CLOSE, LINE, LINE], [[1, 1], [5, 1], [5, 5], [9, 9], [1, 9]]
    )
    assert subpaths(flat) == [[[1, 1], [5, 1], [5, 5]], [[1, 1], [9, 9], [1, 9]]]
    assert flat.subpath_closed.tolist() == [True, False]


def test_lone_moves_are_dropped_but_a_closed_dot_is_kept():
    flat = flatten_commands([MOVE, MOVE, LINE, MOVE, MOVE, CLOSE],
                            [[0, 0], [1, 1], [2, 2], [7, 7], [3, 3]])
    assert subpaths(flat) == [[[1, 1], [2, 2]], [[3, 3]]]
    assert flat.subpath_closed.tolist() == [False, True]


def test_empty_input_gives_empty_geometry():
    flat = flatten_commands(np.zeros(0, dtype=np.uint8), np.zeros((0, 2)))
    assert flat.points.shape == (0, 2)
    assert flat.subpath_offsets.tolist() == [0]
    assert flat.prim_subpath_offsets.tolist() == [0, 0]


def _cubic(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    u = 1 - t
    return ((u**3)[:, None] * p[0] + (3 * u * u * t)[:, None] * p[1]
            + (3 * u * t * t)[:, None] * p[2] + (t**3)[:, None] * p[3])


def _distance_to_polyline(q: np.ndarray, poly: np.ndarray) -> np.ndarray:
    a, b = poly[:-1], poly[1:]
    d = b - a
    ln2 = np.maximum((d**2).sum(axis=1), 1e-300)
    t = np.clip(((q[:, None, :] - a[None]) * d[None]).sum(axis=2) / ln2[None], 0, 1)
    proj = a[None] + t[..., None] * d[None]
    return np.sqrt(((q[:, None, :] - proj) ** 2).sum(axis=2)).min(axis=1)


coordinate = st.floats(-500, 500, allow_nan=False)


@given(
    pts=st.lists(st.tuples(coordinate, coordinate), min_size=4, max_size=4),
    tol=st.sampled_from([0.05, 0.1, 0.5, 2.0]),
)
def test_cubics_stay_within_tolerance(pts, tol):
    p = np.array(pts, dtype=float)
    flat = flatten_commands([MOVE, CUBIC], p, tol)
    poly = flat.points
    assert poly[0].tolist() == p[0].tolist() and poly[-1].tolist() == p[3].tolist()
    assert len(poly) == 1 + wang_chords(p, tol)
    curve = _cubic(p, np.linspace(0, 1, 801))
    assert _distance_to_polyline(curve, poly).max() <= tol + 1e-9


@given(
    pts=st.lists(st.tuples(coordinate, coordinate), min_size=4, max_size=4),
    tol=st.floats(0.01, 10),
)
def test_wang_count_grows_as_tolerance_shrinks(pts, tol):
    n_coarse = wang_chords(pts, tol)
    n_fine = wang_chords(pts, tol / 4)
    assert 1 <= n_coarse <= n_fine <= MAX_CHORDS_PER_CUBIC


def test_invalid_tolerance_falls_back_and_wang_checks_its_argument():
    flat = flatten_commands([MOVE, CUBIC], [[0, 0], [0, 50], [50, 50], [50, 0]], tolerance=-1)
    assert flat.tolerance == 0.1
    with pytest.raises(ValueError, match="tolerance"):
        wang_chords([[0, 0]] * 4, 0)


def test_flatten_scene_matches_the_scene_and_is_cached():
    scene = svgkit.parse(SVG.format(
        '<rect width="4" height="2"/><circle cx="50" cy="50" r="20"/>'
        '<line x1="0" y1="0" x2="10" y2="0" stroke="black"/>'))
    flat = flatten_scene(scene)
    assert flat.prim_subpath_offsets.tolist() == [0, 1, 2, 3]
    assert flat.points[:4].tolist() == [[0, 0], [4, 0], [4, 2], [0, 2]]
    circle = flat.points[flat.subpath_offsets[1] : flat.subpath_offsets[2]]
    radius = np.hypot(circle[:, 0] - 50, circle[:, 1] - 50)
    assert np.all(np.abs(radius - 20) <= 0.1 + 20 * 3e-4)  # tolerance + arc-as-cubic error
    assert flat.subpath_closed.tolist() == [True, True, False]
    assert scene.flat is scene.flat


def test_too_many_points_is_a_limit_error():
    huge = np.array([[0, 0], [0, 1e6], [1e6, 1e6], [1e6, 0]], dtype=float)
    with pytest.raises(SVGKitError) as err:
        flatten_commands([MOVE, CUBIC], huge, 0.1, max_points=100)
    assert err.value.code == "LIMIT" and err.value.limit == "max_points"


def test_unknown_command_code_is_bad_geometry():
    with pytest.raises(SVGKitError) as err:
        flatten_commands([MOVE, 9], [[0, 0]])
    assert err.value.code == "BAD_GEOMETRY"


def test_chord_points_lie_on_the_curve():
    p = np.array([[0, 0], [30, 90], [70, -40], [100, 10]], dtype=float)
    flat = flatten_commands([MOVE, CUBIC], p, 0.1)
    n = len(flat.points) - 1
    expected = _cubic(p, np.arange(n + 1) / n)
    assert np.allclose(flat.points, expected, atol=1e-9)
    assert math.isclose(flat.tolerance, 0.1)
