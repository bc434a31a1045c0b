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
