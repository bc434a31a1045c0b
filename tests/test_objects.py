"""Objects: annotations, the fallback rule, visible measurements and shape descriptors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import svgkit
from svgkit.geometry import SceneObject, object_name, objects

FIXTURES = Path(__file__).parent / "fixtures" / "geometry"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}">{body}</svg>'


def doc(body: str, w: float = 100, h: float = 100) -> str:
    return SVG.format(w=w, h=h, body=body)


@pytest.mark.parametrize(("text", "expected"), [
    ("vase", ("vase", None)),
    ("vase-2", ("vase", 2)),
    ("vase_12", ("vase", 12)),
    ("vase3", ("vase", 3)),
    ("wine_glass", ("wine glass", None)),
    ("WineGlass", ("wine glass", None)),
    ("left-leg-1", ("left leg", 1)),
    ("tree-group", ("tree", None)),
    ("Layer_1", None),
    ("g12", None),
    ("path123", None),
    ("XMLID_5_", None),
    ("st0", None),
    ("cls-1", None),
    ("a", None),
    ("123", None),
    ("obj", None),
    ("", None),
    ("bowl!", None),
])
def test_object_names(text, expected):
    assert object_name(text) == expected


def test_explicit_annotations_keep_generic_words():
    assert object_name("layer", explicit=True) == ("layer", None)
    assert object_name("plant pot", explicit=True) == ("plant pot", None)


def test_nested_and_transformed_annotated_groups():
    objs = objects((FIXTURES / "objects_nested.svg").read_text())
    summary = [(o.label, o.source, o.primitives) for o in objs]
    assert summary == [
        ("rect#layer1", "element", (0,)),
        ("wine glass", "id", (1, 2)),  # bowl and stem belong to the outermost annotation
        ("vase#2", "class", (3,)),
        ("plant pot", "data-object", (4,)),
        ("flower", "id", (5, 6)),  # each <use> instance is its own object
        ("flower", "id", (7, 8)),
    ]
    assert objs[0].is_background and not objs[1].is_background
    # the canvas is 200 px for a viewBox of 100: geometry is measured in device px
    x0, y0, x1, y1 = objs[1].bbox
    assert (x0, y0, x1, y1) == pytest.approx((40, 40, 70, 85))
    # vase: an upright ellipse rotated by 90° becomes a wide one
    assert objs[2].shape.aspect_ratio == pytest.approx(1.5, rel=0.05)
    assert objs[2].shape.guess == "ellipse"
    assert [o.color_name for o in objs[1:]] == ["red", "blue", "brown", "yellow", "yellow"]
    assert objs[4].centroid[0] < objs[5].centroid[0]


def test_fallback_objects_and_the_merge_rule():
    objs = objects((FIXTURES / "objects_fallback.svg").read_text())
    assert [(o.label, o.source, o.primitives) for o in objs] == [
        ("rect", "element", (0,)),
        ("circle×4", "merged", (1, 2, 3, 4)),  # sun disc and rays: same colour, touching
        ("g", "group", (5, 6)),
        ("circle", "element", (7,)),
    ]
    assert not any(o.annotated for o in objs)
    assert objs[0].is_background
    no_merge = objects((FIXTURES / "objects_fallback.svg").read_text(), merge_margin=0.0)
    assert [o.label for o in no_merge][:4] == ["rect", "circle", "line", "line"]


def test_merging_needs_the_same_colour():
    objs = objects(doc('<rect width="10" height="10" fill="red"/>'
                       '<rect x="10" width="10" height="10" fill="blue"/>'
                       '<rect x="20" width="10" height="10" fill="blue"/>'))
    assert [o.primitives for o in objs] == [(0,), (1, 2)]


def test_visible_measurements_follow_occlusion():
    objs = objects(doc(
        '<g id="tree"><rect x="10" y="10" width="40" height="40" fill="green"/></g>'
        '<g id="wall"><rect x="30" y="0" width="70" height="100" fill="gray"/></g>'
        '<g id="bush"><circle cx="80" cy="80" r="10" fill="green"/>'
        '<circle cx="80" cy="80" r="5" fill="red" fill-opacity="0.5"/></g>'))
    tree, wall, bush = objs
    assert tree.painted_area == pytest.approx(1600, rel=0.01)
    assert tree.visible_area == pytest.approx(800, rel=0.02)
    assert tree.visible_fraction == pytest.approx(0.5, abs=0.01)
    assert tree.centroid == pytest.approx((20, 30), abs=0.5)  # only the left half shows
    assert tree.visible_bbox == pytest.approx((10, 10, 30, 50), abs=0.5)
    assert wall.visible_fraction == pytest.approx(1 - math.pi * 100 / 7000, abs=0.01)
    # the translucent red disc is the bush's topmost layer on a quarter of its area
    assert bush.color_name == "green" and bush.drawn
    assert [o.z_order for o in objs] == [0, 1, 2]


def test_a_hidden_object_is_not_drawn():
    objs = objects(doc('<g id="cat"><circle cx="50" cy="50" r="10"/></g>'
                       '<g id="box"><rect width="100" height="100" fill="tan"/></g>'))
    assert not objs[0].drawn and objs[0].visible_area == 0
    assert objs[0].color == "" and objs[0].color_name is None
    assert math.isnan(objs[0].centroid[0])
    assert objs[1].drawn


@pytest.mark.parametrize(("element", "guess"), [
    ('<rect x="20" y="30" width="60" height="30"/>', "rectangle"),
    ('<rect x="20" y="30" width="60" height="30" transform="rotate(30 50 45)"/>', "rectangle"),
    ('<circle cx="50" cy="50" r="30"/>', "circle"),
    ('<ellipse cx="50" cy="50" rx="40" ry="20"/>', "ellipse"),
    ('<polygon points="10,90 90,90 50,10"/>', "triangle"),
    ('<polygon points="20,20 80,30 40,85"/>', "triangle"),
    ('<path d="M10 10 H 90 V 30 H 30 V 90 H 10 Z"/>', "irregular"),
])
def test_shape_guesses(element, guess):
    (obj,) = objects(doc(element))
    assert obj.shape.guess == guess


def test_shape_descriptor_values():
    (square,) = objects(doc('<rect x="20" y="20" width="60" height="60"/>'), resolution=512)
    assert square.shape.rectangularity == pytest.approx(1.0, abs=0.01)
    assert square.shape.circularity == pytest.approx(math.pi / 4, abs=0.02)
    assert square.shape.triangularity == pytest.approx(0.5, abs=0.02)
    assert square.shape.ellipse_fit == pytest.approx(0.827, abs=0.01)  # analytic IoU
    (disc,) = objects(doc('<circle cx="50" cy="50" r="40"/>'), resolution=512)
    assert disc.shape.circularity == pytest.approx(1.0, abs=0.03)
    assert disc.shape.rectangularity == pytest.approx(math.pi / 4, abs=0.02)
    assert disc.shape.ellipse_fit == pytest.approx(1.0, abs=0.02)


@given(st.integers(5, 60), st.integers(5, 60))
def test_aspect_ratio_of_rectangles(w, h):
    (obj,) = objects(doc(f'<rect x="10" y="10" width="{w}" height="{h}"/>'))
    px = 100 / 256  # each side is measured to within one analysis pixel
    assert obj.shape.aspect_ratio == pytest.approx(w / h, rel=px / w + px / h)
    assert obj.shape.rectangularity > 0.9


def test_to_dict_is_strict_json_and_inputs_are_checked():
    objs = objects((FIXTURES / "invisible.svg").read_text())
    data = json.loads(json.dumps([o.to_dict() for o in objs], allow_nan=False))
    assert data[-1]["label"] == "cover" and data[-1]["drawn"]
    assert data[0]["centroid"] == [None, None]
    assert all(isinstance(o, SceneObject) for o in objs)
    with pytest.raises(ValueError, match="merge_margin"):
        objects(doc(""), merge_margin=2)
    assert objects(doc("")) == []
    assert objects(svgkit.parse(doc('<rect width="5" height="5"/>')))[0].label == "rect"


def test_visible_colours_leave_a_backdrop_out():
    car = ('<g id="car"><rect width="100" height="100" fill="red"/>'
           '<rect x="20" y="40" width="60" height="20" fill="#00f"/>'
           '<rect x="30" y="45" width="4" height="4" fill="#0f0"/></g>')
    (obj,) = objects(doc(car))
    assert [h for h, _ in obj.colors] == ["#0000ff", "#00ff00"]
    assert obj.color == "#0000ff" and obj.color_name == "blue"
    assert obj.colors[0][1] == pytest.approx(60 * 20 - 16, rel=0.05)
    # a backdrop alone is still the object's colour
    (sky,) = objects(doc('<g id="sky"><rect width="100" height="100" fill="#87ceeb"/></g>'))
    assert sky.color == "#87ceeb"


def test_max_alpha_and_shape_area():
    faint = '<g id="ghost" opacity="0.05"><circle cx="50" cy="50" r="20" fill="#000"/></g>'
    words = '<text id="cat" x="10" y="50" font-size="20">cat</text>'
    mixed = ('<g id="dog"><rect x="10" y="60" width="30" height="30"/>'
             '<text x="50" y="80" font-size="20">dog</text></g>')
    ghost, cat, dog = objects(doc(faint + words + mixed))
    assert ghost.max_alpha == pytest.approx(0.05) and ghost.drawn
    assert cat.visible_area > 0 and cat.shape_area == 0.0
    assert dog.shape_area == pytest.approx(900, rel=0.05)
    assert dog.shape_area < dog.visible_area
    assert json.loads(json.dumps(dog.to_dict()))["shape_area"] == pytest.approx(dog.shape_area)


def test_shape_is_measured_on_first_access_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # objects() leaves the descriptors to the callers that read them (their kernel then never
    # compiles for the others); the value is the silhouette's, computed once
    from svgkit.geometry import _objects

    calls: list[int] = []
    real = _objects._descriptor

    def counting(runs: Any, pw: float, ph: float) -> Any:
        calls.append(len(runs))
        return real(runs, pw, ph)

    monkeypatch.setattr(_objects, "_descriptor", counting)
    objs = svgkit.objects(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        '<rect x="10" y="10" width="40" height="20"/><circle cx="70" cy="70" r="20"/></svg>')
    assert calls == []
    first = objs[1].shape
    assert calls and first.guess == "circle"
    assert objs[1].shape is first and len(calls) == 1
    assert objs[0].to_dict()["shape"]["guess"] == "rectangle" and len(calls) == 2
