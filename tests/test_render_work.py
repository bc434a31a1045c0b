"""Verdicts that do not depend on machine load: render work counted before drawing, and the
wall-clock guards (``TIMEOUT`` / ``RENDER_TIMEOUT``) kept apart from ``LIMIT``."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import svgkit
from svgkit import SVGKitError
from svgkit.affine import IDENTITY
from svgkit.renderer.draw import output_matrix
from svgkit.renderer.work import (
    PIXELS_PER_UNIT,
    RenderWork,
    _certainly_within,
    estimate_render_work,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from corpus import generate

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'


def random_polygon(n: int, *, stroke: bool) -> str:
    xy = np.random.default_rng(0).uniform(0, 100, (n, 2))
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    paint = 'fill="none" stroke="black" stroke-width="2"' if stroke else 'fill="black"'
    return HEAD + f'<polygon points="{pts}" {paint}/></svg>'


def cubic_cluster(n: int) -> str:
    d = "M0 0" + "".join(f" C{i % 10} {i % 7} {i % 5} {i % 11} {i % 9} {i % 7}" for i in range(n))
    return HEAD + f'<path d="{d}" fill="red"/></svg>'


def vertical_subpaths(n: int) -> str:
    d = "".join(f"M{i * 100 / n:.4f} 0V100" for i in range(n))
    return HEAD + f'<path stroke="black" stroke-width="0.01" d="{d}"/></svg>'


def work(doc: str | svgkit.Scene, size: int) -> RenderWork:
    scene = svgkit.parse(doc) if isinstance(doc, str) else doc
    return estimate_render_work(scene, size, size, output_matrix(scene.canvas, size, size))


class TestRenderWorkLimit:
    def test_a_self_crossing_stroke_is_refused_before_drawing(self) -> None:
        # a 32k-point random polygon took 8 s to stroke; refused from counts in milliseconds
        doc = random_polygon(32_000, stroke=True)
        assert svgkit.validate(doc).ok  # parsing is cheap; the size decides the drawing cost
        with pytest.raises(SVGKitError) as info:
            svgkit.render(doc, 256, 256)
        err = info.value
        assert (err.code, err.limit) == ("LIMIT", "max_render_work")
        assert err.details["crossings"] > err.details["edge_rows"]
        (pooled,) = svgkit.render_many([doc], 256, 256, workers=1)
        assert isinstance(pooled, SVGKitError)
        assert (pooled.code, pooled.limit) == ("LIMIT", "max_render_work")

    def test_a_huge_cubic_cluster_is_refused(self) -> None:
        # 199,990 mutually crossing cubics (just under max_path_commands) took 118 s to fill
        with pytest.raises(SVGKitError) as info:
            svgkit.render(cubic_cluster(199_990), 256, 256)
        assert info.value.limit == "max_render_work"

    def test_many_ordered_edges_are_not_crossings(self) -> None:
        # 8,000 parallel full-height subpaths in one path: cheap for cairo, and counted so
        w = work(vertical_subpaths(8_000), 512)
        assert w.crossings == 0
        assert 8_000 * 2 * 512 <= w.edge_rows < svgkit.Limits().max_render_work
        img = svgkit.render(vertical_subpaths(8_000), 512, 512)
        assert img[..., 3].max() > 0

    def test_the_bound_is_a_limits_field(self) -> None:
        doc = random_polygon(4_000, stroke=False)
        units = work(doc, 128).units
        assert svgkit.render(doc, 128, 128, limits=svgkit.Limits(max_render_work=units)).any()
        with pytest.raises(SVGKitError) as info:
            svgkit.render(doc, 128, 128, limits=svgkit.Limits(max_render_work=units - 1))
        assert info.value.details["value"] == units

    def test_model_output_is_far_below_the_bound(self) -> None:
        limit = svgkit.Limits().max_render_work
        worst = max(work(doc, 512).units for doc in generate(60))
        assert worst * 100 < limit

    def test_counts(self) -> None:
        square = svgkit.parse(HEAD + '<rect x="10" y="10" width="20" height="20"/></svg>')
        w = estimate_render_work(square, 100, 100, IDENTITY)
        # two vertical sides of 20 rows (+1 each) and two horizontal ones of one row
        assert w.edge_rows == 2 * 21 + 2 * 1
        assert w.crossings == 0
        assert w.pixels == 21 * 21
        # twice the size: twice the rows, four times the pixels
        w2 = work(square, 200)
        assert w2.edge_rows == 2 * 41 + 2 * 1 and w2.pixels == 41 * 41
        assert RenderWork(0, 0, PIXELS_PER_UNIT).units == 1


class TestLayerMemory:
    def test_nested_layers_are_bounded_before_drawing(self) -> None:
        # 200 nested translucent groups keep 200 full-size layers alive at once: 13 GB at 4096²
        body = '<rect width="100" height="100" fill="red"/>'
        for _ in range(200):
            body = f'<g opacity="0.99">{body}</g>'
        doc = HEAD + body + "</svg>"
        with pytest.raises(SVGKitError) as info:
            svgkit.render(doc, 4096, 4096)
        assert (info.value.code, info.value.limit) == ("LIMIT", "max_layer_bytes")
        assert work(doc, 4096).layer_bytes == 200 * 5 * 4096 * 4096
        assert svgkit.render(doc, 64, 64)[32, 32, 3] > 0  # small enough at 64²

    def test_sibling_layers_do_not_add_up_and_cover_only_their_content(self) -> None:
        # 500 small translucent groups side by side: one layer alive at a time, each its box
        body = "".join(
            f'<g opacity="0.5"><rect x="{i % 25 * 4}" y="{i // 25 * 4}" width="3" height="3"/></g>'
            for i in range(500)
        )
        w = work(HEAD + body + "</svg>", 4096)
        assert w.layer_bytes < 5 * 130 * 130 * 2
        assert w.units < svgkit.Limits().max_render_work


_CORPUS = generate(40)


class TestQuickBound:
    @given(
        doc=st.sampled_from(_CORPUS),
        size=st.integers(16, 2048),
        bound=st.integers(1_000, 60_000_000),
    )
    def test_the_quick_bound_is_never_below_the_count(
        self, doc: str, size: int, bound: int
    ) -> None:
        # the quick path skips the count only when the count itself would pass
        scene = svgkit.parse(doc)
        limits = svgkit.Limits(max_render_work=bound, max_layer_bytes=max(1, bound * 64))
        t_out = output_matrix(scene.canvas, size, size)
        if _certainly_within(scene, size, size, t_out, limits):
            w = estimate_render_work(scene, size, size, t_out)
            assert w.units <= limits.max_render_work
            assert w.layer_bytes <= limits.max_layer_bytes

    @given(
        size=st.sampled_from([64, 700, 2048, 8192]),
        d=st.sampled_from(
            [
                "M0 0C0 100 100 -100 100 100",  # a curve sweeping the height three times
                "M0 0L100 100L0 100Z",
                "M50 50h1",
            ]
        ),
        width=st.sampled_from(["0", "1", "40", "1000"]),
        join=st.sampled_from(["miter", "round"]),
    )
    def test_the_quick_bound_holds_per_command_at_any_size(
        self, size: int, d: str, width: str, join: str
    ) -> None:
        # one primitive, so the bound's per-command terms are all that can exceed the count
        doc = HEAD + (
            f'<path d="{d}" fill="red" stroke="blue" stroke-width="{width}" '
            f'stroke-linejoin="{join}"/></svg>'
        )
        scene = svgkit.parse(doc)
        t_out = output_matrix(scene.canvas, size, size)
        w = estimate_render_work(scene, size, size, t_out)
        tight = svgkit.Limits(max_render_work=max(1, w.units - 1))
        assert not _certainly_within(scene, size, size, t_out, tight)

    def test_model_output_takes_the_quick_path(self) -> None:
        limits = svgkit.Limits()
        for doc in _CORPUS:
            scene = svgkit.parse(doc)
            t_out = output_matrix(scene.canvas, 224, 224)
            assert _certainly_within(scene, 224, 224, t_out, limits)


class TestDeterministic:
    def test_same_counts_every_time_and_after_pickling(self) -> None:
        doc = random_polygon(2_000, stroke=True)
        scene = svgkit.parse(doc)
        again = pickle.loads(pickle.dumps(scene))
        assert work(scene, 300) == work(scene, 300) == work(again, 300) == work(doc, 300)

    @given(
        dx=st.integers(-30, 30),
        dy=st.integers(-30, 30),
    )
    def test_translation_inside_the_canvas_keeps_the_counts(self, dx: int, dy: int) -> None:
        # whole-pixel translations that keep the drawing inside the output change nothing
        body = (
            '<path d="M40 40 L60 45 L45 60 Z M42 50 C50 30 70 70 58 42" fill="red" '
            'stroke="blue" stroke-width="3"/>'
        )
        base = work(HEAD + body + "</svg>", 100)
        moved = work(HEAD + f'<g transform="translate({dx} {dy})">{body}</g></svg>', 100)
        assert moved == base

    @given(
        st.sampled_from(["1e-300", "1e-7", "0", "-5", "1e6", "9999999"]),
        st.sampled_from(["1e-300", "1e-7", "1", "1e6"]),
        st.integers(1, 4096),
    )
    def test_extreme_values_give_finite_counts(self, coord: str, width: str, size: int) -> None:
        doc = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 1 1">'
            f'<path d="M0 0C{coord} {coord} 1 {coord} {coord} 1Z" stroke="red" '
            f'stroke-width="{width}" stroke-dasharray="{width} {width}" '
            'stroke-linejoin="round"/></svg>'
        )
        try:
            scene = svgkit.parse(doc)
        except SVGKitError:
            return
        w = work(scene, size)
        assert all(isinstance(v, int) and v >= 0 for v in (w.edge_rows, w.crossings, w.pixels))


class TestWallClockGuards:
    def test_parse_guard_is_timeout_not_limit(self) -> None:
        with pytest.raises(SVGKitError) as info:
            svgkit.parse(cubic_cluster(2_000), svgkit.Limits(time_budget_s=1e-9))
        assert (info.value.code, info.value.limit) == ("TIMEOUT", "time_budget_s")
        report = svgkit.validate(cubic_cluster(2_000), svgkit.Limits(time_budget_s=1e-9))
        assert report.code == "TIMEOUT"

    def test_in_process_render_has_a_guard(self) -> None:
        scene = svgkit.parse(cubic_cluster(2_000))
        with pytest.raises(SVGKitError) as info:
            svgkit.render(scene, 64, 64, limits=svgkit.Limits(time_budget_s=1e-9))
        assert (info.value.code, info.value.limit) == ("RENDER_TIMEOUT", "time_budget_s")

    def test_default_guard_leaves_room_for_the_count_limits(self) -> None:
        # the count limits keep the worst documents near 1 s; the guard is several times that
        assert svgkit.Limits().time_budget_s >= 5 * 2.0
