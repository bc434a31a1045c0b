"""Relations between objects: fixtures for each predicate, translation and mirror properties."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import svgkit
from svgkit.geometry import PREDICATES, Relation, objects, relation, relations

FIXTURES = Path(__file__).parent / "fixtures" / "geometry"

#: (fixture, a, predicate, b, holds): each predicate is shown holding and, where the fixture has
#: a near miss, not holding.
CASES = [
    ("relations_left_right", "cat", "left_of", "dog", True),
    ("relations_left_right", "dog", "right_of", "cat", True),
    ("relations_left_right", "cat", "right_of", "dog", False),
    ("relations_above_below", "bird", "above", "boat", True),
    ("relations_above_below", "boat", "below", "bird", True),
    ("relations_above_below", "bird", "below", "boat", False),
    ("relations_on_top", "vase", "on_top_of", "table", True),
    ("relations_on_top", "book", "on_top_of", "table", True),
    ("relations_on_top", "lamp", "on_top_of", "table", False),  # hangs above, no contact
    ("relations_on_top", "table", "on_top_of", "vase", False),
    ("relations_occlusion", "ball", "overlaps", "box", True),
    ("relations_occlusion", "box", "overlaps", "ball", True),
    ("relations_occlusion", "tree", "overlaps", "box", False),
    ("relations_inside", "window", "inside", "house", True),
    ("relations_inside", "coin", "inside", "ring", True),  # inside the ring's unpainted hole
    ("relations_inside", "house", "inside", "window", False),
    ("relations_inside", "house", "contains", "window", True),
    ("relations_inside", "ring", "contains", "coin", True),
    ("relations_occlusion", "ball", "in_front_of", "box", True),
    ("relations_occlusion", "box", "in_front_of", "ball", False),
    ("relations_occlusion", "box", "behind", "ball", True),
    ("relations_occlusion", "wall", "in_front_of", "tree", True),
    ("relations_occlusion", "tree", "hidden_by", "wall", True),
    ("relations_occlusion", "box", "hidden_by", "ball", False),  # covers too little
    ("relations_occlusion", "box", "hidden_by", "ghost", False),  # translucent paint hides nothing
    ("relations_occlusion", "tree", "on_top_of", "wall", False),  # mostly hidden behind it
]


def _objects_by_name(text: str):
    return {o.name: o for o in objects(text)}


def _wrap(text: str, transform: str) -> str:
    """The same document with all content inside ``<g transform=...>``."""
    m = re.search(r"<svg[^>]*>", text)
    assert m is not None
    end = text.rindex("</svg>")
    return f'{text[: m.end()]}<g transform="{transform}">{text[m.end() : end]}</g></svg>'


def _canvas(text: str) -> tuple[float, float]:
    scene = svgkit.parse(text)
    return scene.canvas.width, scene.canvas.height


@pytest.mark.parametrize(("fixture", "a", "predicate", "b", "holds"), CASES)
def test_fixture_relations(fixture, a, predicate, b, holds):
    objs = _objects_by_name((FIXTURES / f"{fixture}.svg").read_text())
    assert (predicate in relation(objs[a], objs[b])) is holds


def test_every_predicate_has_a_fixture_where_it_holds():
    assert {c[2] for c in CASES if c[4]} == set(PREDICATES)


_MIRROR = {"left_of": "right_of", "right_of": "left_of"}


@pytest.mark.parametrize("predicate", PREDICATES)
def test_fixture_relations_survive_translation_and_swap_under_a_mirror(predicate):
    for fixture, a, pred, b, holds in CASES:
        if pred != predicate:
            continue
        text = (FIXTURES / f"{fixture}.svg").read_text()
        w, h = _canvas(text)
        px, py = max(w, h) / 256, max(w, h) / 256
        moved = _objects_by_name(_wrap(text, f"translate({3 * px} {-2 * py})"))
        assert (pred in relation(moved[a], moved[b])) is holds
        mirrored = _objects_by_name(_wrap(text, f"translate({w} 0) scale(-1 1)"))
        assert (_MIRROR.get(pred, pred) in relation(mirrored[a], mirrored[b])) is holds


# ---- generated scenes ------------------------------------------------------------------------

W = H = 200
PX = W / 256  # analysis pixel: translating by whole pixels moves the sampling grid exactly


@st.composite
def object_scenes(draw):
    """2–4 annotated objects (a rect or a disc, some translucent) inside [40, 160]²."""
    body = []
    for k in range(draw(st.integers(2, 4))):
        fill = draw(st.sampled_from(["red", "green", "blue", "gold"]))
        alpha = draw(st.sampled_from(["", ' fill-opacity="0.5"']))
        if draw(st.booleans()):
            x, y = draw(st.integers(40, 140)), draw(st.integers(40, 140))
            w, h = draw(st.integers(4, 160 - x)), draw(st.integers(4, 160 - y))
            shape = f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"{alpha}/>'
        else:
            r = draw(st.integers(3, 40))
            cx, cy = draw(st.integers(40 + r, 160 - r)), draw(st.integers(40 + r, 160 - r))
            shape = f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{fill}"{alpha}/>'
        body.append(f'<g id="thing-{k}">{shape}</g>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}">{"".join(body)}</svg>'


def _table(text: str) -> dict[tuple[int, int], tuple[str, ...]]:
    return {(r.a, r.b): r.predicates for r in relations(text, include_empty=True)}


@given(object_scenes(), st.integers(-40, 40), st.integers(-40, 40))
def test_relations_are_invariant_under_translation(text, kx, ky):
    moved = _wrap(text, f"translate({kx * PX} {ky * PX})")
    assert _table(moved) == _table(text)


@given(object_scenes())
def test_left_and_right_swap_under_a_horizontal_mirror(text):
    mirrored = _table(_wrap(text, f"translate({W} 0) scale(-1 1)"))
    for pair, predicates in _table(text).items():
        assert mirrored[pair] == tuple(
            p for p in PREDICATES if _MIRROR.get(p, p) in predicates
        )


@given(object_scenes())
def test_relations_are_consistent(text):
    table = _table(text)
    for (a, b), predicates in table.items():
        back = table[(b, a)]
        for p, q in [("left_of", "right_of"), ("above", "below"), ("inside", "contains"),
                     ("in_front_of", "behind")]:
            assert (p in predicates) == (q in back)
        assert ("overlaps" in predicates) == ("overlaps" in back)
        assert not ("left_of" in predicates and "right_of" in predicates)
        assert not ("in_front_of" in predicates and "behind" in predicates)
        if "hidden_by" in predicates:
            assert "behind" in predicates


@given(object_scenes())
def test_relations_match_relation_pair_by_pair(text):
    # relations() measures each unordered pair once and decides both orders from it; the
    # result must be exactly what relation() gives for each ordered pair, metrics included
    objs = objects(text)
    table = {(r.a, r.b): r for r in relations(objs, include_empty=True)}
    assert len(table) == len(objs) * (len(objs) - 1)
    for a in objs:
        for b in objs:
            if a is b:
                continue
            one = relation(a, b)
            both = table[(a.index, b.index)]
            assert both.predicates == one.predicates
            assert json.dumps(both.metrics) == json.dumps(one.metrics)  # NaN-safe, exact


def test_relations_refuses_what_is_not_an_object():
    objs = objects((FIXTURES / "relations_occlusion.svg").read_text())
    with pytest.raises(TypeError, match="SceneObject"):
        relations([objs[0], "box"])  # type: ignore[list-item]


def test_relation_api():
    objs = objects((FIXTURES / "relations_occlusion.svg").read_text())
    r = relation(objs[3], objs[2])
    assert isinstance(r, Relation) and "in_front_of" in r and "behind" not in r
    assert (r.a_label, r.b_label) == ("ball", "box")
    data = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert data["predicates"] == list(r.predicates)
    assert set(data["metrics"]) >= {"dx", "dy", "overlap", "a_hidden_by_b"}
    everything = relations(objs, include_empty=True)
    assert len(everything) == len(objs) * (len(objs) - 1)
    assert len(relations(objs)) <= len(everything)
    other = objects((FIXTURES / "relations_inside.svg").read_text())
    with pytest.raises(ValueError, match="one call"):
        relation(objs[0], other[0])
    with pytest.raises(TypeError, match="SceneObject"):
        relation(objs[0], "box")  # type: ignore[arg-type]
    assert relations((FIXTURES / "relations_left_right.svg").read_text())[0].predicates == (
        "left_of",)


# ---- near misses on both sides of every margin -----------------------------------------------
#
# Each margin of ``svgkit.geometry._relations`` is pinned by a pair of generated scenes, one
# clearly inside and one clearly outside it (at least 0.05 of the share away, or a factor of 2
# for OVERLAP_SHARE = 0.01), plus the boundary cases (touching, nested). Every scene is a
# 256 × 256 canvas with rects on integer coordinates, so one analysis pixel is one device pixel,
# every edge falls between pixel centres and every measured share is exact.

SIDE = 256


def _rect(box: tuple[float, float, float, float], fill: str, opacity: float = 1.0) -> str:
    x0, y0, x1, y1 = box
    alpha = f' fill-opacity="{opacity}"' if opacity < 1 else ""
    return f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="{fill}"{alpha}/>'


def _pair(cat, dog, *, dog_opacity: float = 1.0, dog_first: bool = False):
    """Objects ``cat`` and ``dog`` (each one rect; ``dog`` painted second unless ``dog_first``)."""
    parts = [f'<g id="cat">{_rect(cat, "red")}</g>',
             f'<g id="dog">{_rect(dog, "blue", dog_opacity)}</g>']
    if dog_first:
        parts.reverse()
    objs = _objects_by_name(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIDE}" height="{SIDE}">'
        f'{"".join(parts)}</svg>')
    assert objs["cat"].drawn and objs["dog"].drawn
    return objs["cat"], objs["dog"]


def _transpose(box):
    x0, y0, x1, y1 = box
    return (y0, x0, y1, x1)


_SEPARATION = {"x": ("left_of", "right_of", "x_overlap"), "y": ("above", "below", "y_overlap")}


def _separated(axis: str, share: float, *, rows_shared: bool):
    """cat (40 px wide) left of dog (80 px wide) on ``axis``, their extents overlapping by
    ``share`` × 40 px. With ``rows_shared`` both span the same rows and dog is translucent (so
    it hides none of cat); otherwise they sit on disjoint rows, both opaque."""
    overlap = share * 40
    assert overlap == int(overlap), "keep edges on whole pixels"
    cat = (60, 100, 100, 160)
    dog = (100 - overlap, 100, 180 - overlap, 160) if rows_shared else (
        100 - overlap, 180, 180 - overlap, 220)
    if axis == "y":
        cat, dog = _transpose(cat), _transpose(dog)
    return _pair(cat, dog, dog_opacity=0.5 if rows_shared else 1.0)


@pytest.mark.parametrize("rows_shared", [True, False], ids=["same-rows", "apart"])
@pytest.mark.parametrize("axis", ["x", "y"])
@pytest.mark.parametrize(
    ("share", "holds"),
    [(-0.25, True),  # a gap of 10 px
     (0.0, True),  # touching
     (0.2, True),  # just under SEPARATION_SHARE
     (0.25, True),  # at it: the margin is inclusive
     (0.3, False),  # just over
     (0.5, False),
     (0.8, False)],
)
def test_margin_separation_share(axis, share, holds, rows_shared):
    fore, back, metric = _SEPARATION[axis]
    cat, dog = _separated(axis, share, rows_shared=rows_shared)
    r, back_r = relation(cat, dog), relation(dog, cat)
    assert r.metrics[metric] == pytest.approx(max(share, 0.0), abs=1e-12)
    assert (fore in r) is holds and (back in back_r) is holds
    assert back not in r and fore not in back_r
    other = _SEPARATION["y" if axis == "x" else "x"]
    if rows_shared:  # same rows: the other axis overlaps fully, so it never separates
        assert other[0] not in r and other[1] not in r
    else:  # dog sits on rows clearly after cat's: always separated on the other axis
        assert other[0] in r and other[1] in back_r


def test_margin_separation_uses_the_smaller_extent():
    """A 20 px overlap is 0.5 of a 40 px object but only 0.125 of an 80 px one: the smaller
    extent decides, so no left_of (read against the larger extent it would hold)."""
    cat, dog = _pair((60, 100, 100, 160), (80, 100, 160, 160), dog_opacity=0.5)
    r = relation(cat, dog)
    assert r.metrics["x_overlap"] == pytest.approx(0.5)
    assert "left_of" not in r and "right_of" not in relation(dog, cat)


@pytest.mark.parametrize("outer_first", [True, False], ids=["inner-in-front", "outer-translucent"])
def test_margin_nested_boxes_are_not_separated_but_inside(outer_first):
    """cat (40 × 40) nested inside dog (120 × 120): no left/right/above/below either way, cat is
    inside dog and dog contains cat; they overlap."""
    inner, outer = (100, 100, 140, 140), (60, 60, 180, 180)
    cat, dog = _pair(inner, outer, dog_opacity=1.0 if outer_first else 0.5,
                     dog_first=outer_first)
    r, back = relation(cat, dog), relation(dog, cat)
    assert r.metrics["x_overlap"] == r.metrics["y_overlap"] == 1.0
    for side in ("left_of", "right_of", "above", "below"):
        assert side not in r and side not in back
    assert "inside" in r and "contains" in back
    assert "contains" not in r and "inside" not in back
    assert "overlaps" in r and "overlaps" in back
    assert r.metrics["a_in_b"] == 1.0


@pytest.mark.parametrize(
    ("shared_px", "holds"),
    [(0, False),  # touching: nothing shared
     (50, False),  # 0.005 of the smaller painted area: under OVERLAP_SHARE = 0.01
     (150, True),  # 0.015
     (200, True)],  # 0.02
)
def test_margin_overlap_share(shared_px, holds):
    """cat and dog are 100 × 100 squares (10,000 px each) sharing ``shared_px`` pixels; dog is
    painted second, translucent."""
    cols = shared_px // 50 if shared_px else 0
    cat = (20, 20, 120, 120)
    dog = (120 - cols, 70, 220 - cols, 170) if shared_px else (120, 70, 220, 170)
    cat, dog = _pair(cat, dog, dog_opacity=0.5)
    r, back = relation(cat, dog), relation(dog, cat)
    assert r.metrics["overlap_area"] == shared_px
    assert r.metrics["overlap"] == pytest.approx(shared_px / 10_000)
    assert ("overlaps" in r) is holds and ("overlaps" in back) is holds
    assert ("behind" in r) is holds and ("in_front_of" in back) is holds


def test_margin_overlap_needs_one_whole_pixel():
    """Two 5 × 5 squares sharing one pixel: 1 px ≥ max(1, 0.01 × 25) overlaps."""
    cat, dog = _pair((20, 20, 25, 25), (24, 24, 29, 29))
    assert relation(cat, dog).metrics["overlap_area"] == 1
    assert "overlaps" in relation(cat, dog)


@pytest.mark.parametrize(("share", "holds"), [(0.8, False), (0.85, False), (0.95, True),
                                              (1.0, True)])
def test_margin_inside_share(share, holds):
    """cat (40 × 40) sticks out of dog (120 × 120) on the right, ``share`` of its width inside;
    cat is painted over dog."""
    inside = int(share * 40)
    cat = (180 - inside, 100, 220 - inside, 140)
    cat, dog = _pair(cat, (60, 60, 180, 180), dog_first=True)
    r, back = relation(cat, dog), relation(dog, cat)
    assert r.metrics["a_in_b"] == pytest.approx(share)
    assert ("inside" in r) is holds and ("contains" in back) is holds
    assert "overlaps" in r  # all of these overlap; only containment changes


@pytest.mark.parametrize(("share", "holds"), [(0.3, False), (0.4, False), (0.6, True),
                                              (0.7, True)])
@pytest.mark.parametrize("dog_opacity", [1.0, 0.5], ids=["opaque", "translucent"])
def test_margin_hidden_share(share, holds, dog_opacity):
    """dog, painted after cat (100 × 50), covers ``share`` of cat's columns; translucent paint
    hides nothing at any share."""
    cols = int(share * 100)
    cat, dog = _pair((50, 100, 150, 150), (150 - cols, 80, 230 - cols, 170),
                     dog_opacity=dog_opacity)
    r = relation(cat, dog)
    opaque = dog_opacity == 1.0
    assert r.metrics["a_hidden_by_b"] == pytest.approx(share if opaque else 0.0)
    assert ("hidden_by" in r) is (holds and opaque)
    assert "behind" in r  # overlapping and earlier: behind, whether hidden or not
    assert "hidden_by" not in relation(dog, cat)  # never by earlier paint


def _on_table(*, over: float = 1.0, gap: float = 0.0, cat_height: int = 100):
    """cat (40 wide, ``cat_height`` tall) above a 160 × 40 table (dog, from y = 150),
    ``over`` × 40 px of cat's width over the table, cat's bottom ``gap`` px above its top
    (negative: sunk into it). cat is painted last, so it is fully visible."""
    over_px = over * 40
    assert over_px == int(over_px)
    x0 = 200 - over_px
    bottom = 150 - gap
    return _pair((x0, bottom - cat_height, x0 + 40, bottom), (40, 150, 200, 190), dog_first=True)


@pytest.mark.parametrize(("over", "holds"), [(0.3, False), (0.4, False), (0.45, False),
                                             (0.55, True), (0.6, True), (1.0, True)])
def test_margin_support_share(over, holds):
    cat, dog = _on_table(over=over)
    r = relation(cat, dog)
    assert r.metrics["x_overlap"] == pytest.approx(over)
    assert ("on_top_of" in r) is holds
    assert "above" in r and "on_top_of" not in relation(dog, cat)


@pytest.mark.parametrize(
    ("gap_share", "holds"),
    [(0.0, True),  # resting on it
     (0.05, True),  # floating 0.05 h + 1 px: within CONTACT_MARGIN = 0.1 (plus one pixel)
     (0.15, False),  # 0.15 h + 1 px: beyond
     (0.3, False)],
)
def test_margin_contact_margin(gap_share, holds):
    """cat is 100 px tall, so the allowance is 0.1 × 100 + 1 px = 11 px; gaps 1, 6, 16, 31 px."""
    gap = gap_share * 100 + 1 if gap_share else 0
    cat, dog = _on_table(gap=gap)
    r = relation(cat, dog)
    assert ("on_top_of" in r) is holds
    assert "above" in r  # it is above either way


@pytest.mark.parametrize("cat_height", [20, 100])
def test_margin_contact_margin_scales_with_the_height_of_a(cat_height):
    """The allowance is 0.1 × cat's height + 1 px: a 9 px gap is contact for a 100 px object
    (allowance 11 px) but not for a 20 px one (allowance 3 px)."""
    cat, dog = _on_table(gap=9, cat_height=cat_height)
    assert ("on_top_of" in relation(cat, dog)) is (cat_height == 100)


@pytest.mark.parametrize(("sunk", "holds"), [(0.4, True), (0.6, False)])
def test_margin_on_top_of_may_sink_half_the_support(sunk, holds):
    """cat's bottom may reach at most half of the table's height (40 px) below its top."""
    cat, dog = _on_table(gap=-sunk * 40, cat_height=100)
    assert ("on_top_of" in relation(cat, dog)) is holds


def test_corner_touching_boxes_keep_their_own_visible_pixels():
    """dog (painted last) ends at column 100 on row 100, where cat's first visible run starts:
    cat's row-100 pixels must stay cat's, so dog's visible extent ends at x = 100 and cat is
    right of (and below) dog."""
    cat, dog = _pair((100, 100, 150, 150), (40, 50, 100, 101))
    assert dog.visible_area <= dog.painted_area
    assert dog.visible_bbox == (40, 50, 100, 101)
    assert relation(cat, dog).predicates == ("right_of", "below")
