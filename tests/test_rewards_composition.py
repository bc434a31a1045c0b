"""Compositional checks: nouns, specs, each check satisfied and violated, integrity against
reward hacks, undecidable cases, the batch reward, the engine term, the SGP-CompBench report,
and properties (never raises on arbitrary input; invariant under translation; mirrored
drawings swap left and right)."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arbitrary_text, svg_documents

import svgkit
from svgkit_rewards import RewardEngine, Sample
from svgkit_rewards.functional.composition import (
    OBJECT_INSTRUCTION,
    CompositionResult,
    check_composition,
    color_term,
    composition_facts,
    composition_reward,
    judge_composition,
    summarize_composition,
)
from svgkit_rewards.functional.composition_specs import (
    CompositionSpec,
    SpecError,
    load_specs,
    parse_spec,
    relation_key,
)
from svgkit_rewards.functional.nouns import (
    HYPERNYMS,
    NOUN_SYNONYMS,
    canonical_noun,
    noun_matches,
)
from svgkit_rewards.recipes import build_reward
from svgkit_rewards.terms import CompositionTerm

#: COCO's 80 category names.
COCO = (
    "person bicycle car motorcycle airplane bus train truck boat|traffic light|fire hydrant|"
    "stop sign|parking meter|bench bird cat dog horse sheep cow elephant bear zebra giraffe "
    "backpack umbrella handbag tie suitcase frisbee skis snowboard|sports ball|kite|baseball bat|"
    "baseball glove|skateboard surfboard|tennis racket|bottle|wine glass|cup fork knife spoon "
    "bowl banana apple sandwich orange broccoli carrot|hot dog|pizza donut cake chair couch|"
    "potted plant|bed|dining table|toilet tv laptop mouse remote keyboard|cell phone|microwave "
    "oven toaster sink refrigerator book clock vase scissors|teddy bear|hair drier|toothbrush"
)


def coco_names() -> list[str]:
    out: list[str] = []
    for chunk in COCO.split("|"):
        words = chunk.split()
        if chunk.count(" ") == 1 and len(words) == 2 and chunk in {
            "traffic light", "fire hydrant", "stop sign", "parking meter", "sports ball",
            "baseball bat", "baseball glove", "tennis racket", "wine glass", "hot dog",
            "potted plant", "dining table", "cell phone", "teddy bear", "hair drier",
        }:
            out.append(chunk)
        else:
            out.extend(words)
    return out


def doc(body: str, w: int = 200, h: int = 200) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}">{body}</svg>'


def apple(cx: float, cy: float, r: float = 20, fill: str = "#d32f2f", name: str = "apple",
          extra: str = "") -> str:
    """An apple the way models draw one: body, darker shading, highlight, stem, leaf."""
    return (
        f'<g id="{name}"{extra}>'
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{fill}" stroke="#5d1010" stroke-width="1.5"/>'
        f'<path d="M{cx - r * 0.6},{cy + r * 0.5} Q{cx},{cy + r * 1.1} {cx + r * 0.6},'
        f'{cy + r * 0.5} Q{cx},{cy + r * 0.8} {cx - r * 0.6},{cy + r * 0.5}Z" fill="#9a1b1b"/>'
        f'<ellipse cx="{cx - r * 0.4}" cy="{cy - r * 0.4}" rx="{r * 0.2}" ry="{r * 0.12}" '
        'fill="#fff" opacity="0.8"/>'
        f'<rect x="{cx - 1.5}" y="{cy - r - 8}" width="3" height="9" fill="#6d4c41"/>'
        f'<ellipse cx="{cx + 6}" cy="{cy - r - 4}" rx="6" ry="3" fill="#43a047"/></g>'
    )


def box(name: str, x: float, y: float, w: float, h: float, fill: str = "#1e88e5",
        extra: str = "") -> str:
    return (f'<g id="{name}"{extra}><rect x="{x}" y="{y}" width="{w}" height="{h}" '
            f'fill="{fill}"/><rect x="{x + w * 0.1}" y="{y + h * 0.1}" width="{w * 0.3}" '
            f'height="{h * 0.2}" fill="#ffffff" opacity="0.3"/></g>')


SKY = '<rect width="200" height="200" fill="#bbdefb"/><rect y="150" width="200" height="50" ' \
      'fill="#7cb342"/>'


def binding(nouns: list[str], kind: str, values: list[str]) -> dict[str, object]:
    minor = {"colors": "color", "shapes": "shape", "textures": "texture"}[kind]
    return {"id": "b", "prompt": "", "gen_type": "text2svg", "major_type": "binding",
            "minor_type": minor, "metadata": {kind: values, "nouns": nouns}}


def rel(a: str, phrase: str, b: str, minor: str = "2d_spatial") -> dict[str, object]:
    return {"id": "r", "prompt": "", "gen_type": "text2svg", "major_type": "relation",
            "minor_type": minor, "metadata": {"relation": phrase, "nouns": [a, b]}}


def numeracy(**counts: int) -> dict[str, object]:
    return {"id": "n", "prompt": "", "gen_type": "text2svg", "major_type": "numeracy",
            "minor_type": "basic", "metadata": {
                "total_count": sum(counts.values()),
                "object_counts": [{"noun": k, "count": v} for k, v in counts.items()],
                "objects": list(counts)}}


# ---------------------------------------------------------------------------------------------
# nouns and specs
# ---------------------------------------------------------------------------------------------


class TestNouns:
    def test_every_coco_category_has_a_synonym_entry(self):
        canon = {group[0] for group in NOUN_SYNONYMS}
        names = coco_names()
        assert len(names) == 80
        assert set(names) <= canon

    @pytest.mark.parametrize(("a", "b"), [
        ("tv", "television"), ("sports ball", "ball"), ("cell phone", "phone"),
        ("couch", "sofa"), ("wine glass", "wine_glass"), ("wine glass", "WineGlass"),
        ("apple", "Apples"), ("cherry", "cherries"), ("box", "boxes"), ("knife", "knives"),
        ("person", "people"), ("mouse", "mice"), ("motorcycle", "motorbike"),
        ("bicycle", "bikes"), ("airplane", "aeroplane"), ("dining table", "table"),
        ("traffic light", "traffic-lights"), ("bus", "buses"), ("glass", "glasses"),
    ])
    def test_variants_match_both_ways(self, a, b):
        assert noun_matches(a, b) and noun_matches(b, a)

    @pytest.mark.parametrize(("a", "b"), [("cat", "dog"), ("cup", "bowl"), ("car", "bus"),
                                          ("apple", "orange"), ("man", "woman")])
    def test_different_things_do_not_match(self, a, b):
        assert not noun_matches(a, b)

    def test_hypernyms_match_one_way(self):
        assert HYPERNYMS["person"]
        assert noun_matches("person", "woman") and not noun_matches("woman", "person")
        assert noun_matches("ball", "basketball") and not noun_matches("basketball", "ball")

    def test_articles_and_separators(self):
        assert canonical_noun("  The Cell_Phones ") == "cell phone"
        assert canonical_noun("a") == ""
        with pytest.raises(TypeError):
            canonical_noun(3)  # type: ignore[arg-type]


class TestSpecs:
    def test_binding_record(self):
        s = parse_spec(binding(["apple", "cup"], "colors", ["red", "blue"]))
        assert (s.major_type, s.minor_type) == ("binding", "color")
        assert [(o.noun, o.color) for o in s.objects] == [("apple", "red"), ("cup", "blue")]

    def test_relation_and_numeracy_records(self):
        s = parse_spec(rel("cat", "behind", "dog", "3d_spatial"))
        assert s.relations[0].relation == "behind" and [o.noun for o in s.objects] == ["cat",
                                                                                     "dog"]
        n = parse_spec(numeracy(apple=3, bird=2))
        assert [(o.noun, o.count) for o in n.objects] == [("apple", 3), ("bird", 2)]

    def test_metadata_as_json_text(self):
        record = rel("cat", "above", "dog")
        record["metadata"] = json.dumps(record["metadata"])
        assert parse_spec(record).relations[0].a == "cat"

    @pytest.mark.parametrize(("record", "field"), [
        ({"major_type": "binding", "minor_type": "color", "metadata": {"nouns": ["a"]}},
         "colors"),
        ({"major_type": "binding", "minor_type": "color",
          "metadata": {"nouns": ["a", "b"], "colors": ["red"]}}, "as many"),
        ({"major_type": "relation", "minor_type": "2d_spatial",
          "metadata": {"nouns": ["a"], "relation": "above"}}, "metadata.nouns"),
        ({"major_type": "numeracy", "minor_type": "basic",
          "metadata": {"object_counts": [{"noun": "a", "count": -1}]}}, "count"),
        ({"major_type": "colour", "metadata": {}}, "major_type"),
        ({"major_type": "relation", "minor_type": "color",
          "metadata": {"nouns": ["a", "b"], "relation": "above"}}, "minor_type"),
        ({"objects": [{"noun": "a", "size": 3}]}, "size"),
        ({"objects": [{"noun": ""}]}, "objects[0].noun"),
        ({"hello": 1}, "SGP-CompBench"),
        ("{not json", "JSON"),
        (42, "mapping"),
    ])
    def test_errors_name_the_field(self, record, field):
        with pytest.raises(SpecError, match=field.replace("[", r"\[").replace("]", r"\]")):
            parse_spec(record)

    def test_svgkit_spec_round_trip_and_files(self, tmp_path):
        spec = {"prompt": "two red apples left of a bowl",
                "objects": [{"noun": "apple", "count": 2, "color": "red"}],
                "relations": [{"a": "apple", "relation": "left of", "b": "bowl"}]}
        s = parse_spec(spec)
        assert [o.noun for o in s.objects] == ["apple", "bowl"]  # bowl added from the relation
        assert parse_spec(s.to_dict()) == s
        (tmp_path / "one.json").write_text(json.dumps(spec))
        (tmp_path / "many.jsonl").write_text("\n".join(json.dumps(x) for x in (
            spec, numeracy(cat=2))) + "\n")
        assert load_specs(tmp_path / "one.json") == [s]
        assert [x.major_type for x in load_specs(tmp_path / "many.jsonl")] == ["custom",
                                                                              "numeracy"]

    @pytest.mark.parametrize(("phrase", "key"), [
        ("on the left of", "left_of"), ("to the right of", "right_of"), ("above", "above"),
        ("below", "below"), ("on top of", "on_top_of"), ("on the bottom of", "on_bottom_of"),
        ("next to", "next_to"), ("near", "near"), ("in front of", "in_front_of"),
        ("behind", "behind"), ("hidden by", "hidden_by"), ("holding", None),
        ("talking to", None), ("riding", None),
    ])
    def test_relation_phrases(self, phrase, key):
        assert relation_key(phrase) == key


# ---------------------------------------------------------------------------------------------
# the checks
# ---------------------------------------------------------------------------------------------


class TestColorBinding:
    def test_shaded_apple_is_red(self):
        r = check_composition(doc(SKY + apple(100, 90)), binding(["apple"], "colors", ["red"]))
        assert r.satisfied is True and r.score == 1.0

    def test_wrong_colour_fails_with_the_reason(self):
        r = check_composition(doc(SKY + apple(100, 90, fill="#43a047")),
                              binding(["apple"], "colors", ["red"]))
        assert r.satisfied is False and "mostly green" in r.reason

    def test_two_bindings_each_checked(self):
        svg = doc(SKY + apple(50, 90) + box("cup", 120, 70, 40, 50, fill="#1e88e5"))
        ok = check_composition(svg, binding(["apple", "cup"], "colors", ["red", "blue"]))
        swapped = check_composition(svg, binding(["apple", "cup"], "colors", ["blue", "red"]))
        assert ok.satisfied is True and swapped.satisfied is False and swapped.score == 0.0

    def test_each_binding_needs_its_own_object(self):
        two = doc(apple(50, 90, name="apple-1") + apple(140, 90, fill="#43a047", name="apple-2"))
        one = doc(apple(50, 90))
        spec = binding(["apple", "apple"], "colors", ["red", "green"])
        assert check_composition(two, spec).satisfied is True
        r = check_composition(one, binding(["apple", "apple"], "colors", ["red", "red"]))
        assert r.satisfied is False and "its own object" in r.reason

    def test_tiny_detail_of_the_colour_does_not_satisfy(self):
        car = ('<g id="car"><rect x="40" y="80" width="120" height="40" fill="#1e88e5"/>'
               '<circle cx="150" cy="90" r="2" fill="red"/></g>')
        assert check_composition(doc(car), binding(["car"], "colors", ["red"])).satisfied is False

    def test_backdrop_inside_the_group_does_not_satisfy(self):
        car = ('<g id="car"><rect width="200" height="200" fill="red"/>'
               '<rect x="40" y="80" width="120" height="40" fill="#1e88e5"/></g>')
        r = check_composition(doc(car), binding(["car"], "colors", ["red"]))
        assert r.satisfied is False
        assert check_composition(doc(car), binding(["car"], "colors", ["blue"])).satisfied

    @pytest.mark.parametrize(("word", "term"), [("grey", "gray"), ("Golden", "yellow"),
                                                ("light blue", "blue"), ("navy", "blue"),
                                                ("crimson", "red"), ("striped", None)])
    def test_colour_words(self, word, term):
        assert color_term(word) == term

    def test_uncheckable_colour_word_is_undecided(self):
        r = check_composition(doc(apple(100, 100)), binding(["apple"], "colors", ["rainbow"]))
        assert r.satisfied is None and "rainbow" in r.reason


class TestShapeBinding:
    @pytest.mark.parametrize(("drawing", "word", "holds"), [
        ('<circle cx="100" cy="100" r="40" fill="#888"/>', "round", True),
        ('<circle cx="100" cy="100" r="40" fill="#888"/>', "circular", True),
        ('<circle cx="100" cy="100" r="40" fill="#888"/>', "square", False),
        ('<circle cx="100" cy="100" r="40" fill="#888"/>', "oval", False),
        ('<ellipse cx="100" cy="100" rx="60" ry="30" fill="#888"/>', "oval", True),
        ('<ellipse cx="100" cy="100" rx="60" ry="30" fill="#888"/>', "circular", False),
        ('<rect x="60" y="60" width="80" height="80" fill="#888"/>', "square", True),
        ('<rect x="60" y="60" width="80" height="80" fill="#888"/>', "rectangular", True),
        ('<rect x="60" y="60" width="80" height="80" fill="#888"/>', "round", False),
        ('<rect x="30" y="70" width="140" height="60" fill="#888"/>', "rectangular", True),
        ('<rect x="30" y="70" width="140" height="60" fill="#888"/>', "square", False),
        ('<polygon points="100,40 160,150 40,150" fill="#888"/>', "triangular", True),
        ('<polygon points="100,40 160,150 40,150" fill="#888"/>', "square", False),
        ('<rect x="60" y="60" width="80" height="80" fill="#888"/>', "triangular", False),
    ])
    def test_shape_words(self, drawing, word, holds):
        detail = '<circle cx="100" cy="100" r="5" fill="#222"/>'  # a detail inside
        svg = doc(SKY + f'<g id="sign">{drawing}{detail}</g>')
        assert check_composition(svg, binding(["sign"], "shapes", [word])).satisfied is holds

    def test_invisible_padding_does_not_change_the_shape(self):
        padded = ('<g id="clock"><rect x="0" y="0" width="200" height="200" fill="none"/>'
                  '<rect x="0" y="0" width="200" height="200" fill="#000" opacity="0"/>'
                  '<circle cx="100" cy="100" r="40" fill="#eee" stroke="#333"/></g>')
        assert check_composition(doc(padded),
                                 binding(["clock"], "shapes", ["round"])).satisfied is True

    def test_unknown_shape_is_undecided(self):
        svg = doc('<g id="cookie"><circle cx="50" cy="50" r="30"/></g>')
        assert check_composition(svg, binding(["cookie"], "shapes", ["heart-shaped"])
                                 ).satisfied is None


class TestRelations:
    @pytest.mark.parametrize(("phrase", "a_xy", "b_xy", "holds"), [
        ("on the left of", (40, 100), (150, 100), True),
        ("on the left of", (150, 100), (40, 100), False),
        ("on the right of", (150, 100), (40, 100), True),
        ("above", (100, 40), (100, 150), True),
        ("above", (100, 150), (100, 40), False),
        ("below", (100, 150), (100, 40), True),
        ("on the bottom of", (100, 150), (100, 40), True),
        ("on top of", (100, 40), (100, 150), True),
        ("next to", (40, 100), (150, 100), True),
        ("next to", (100, 40), (100, 150), False),
        ("near", (60, 100), (120, 100), True),
        ("near", (20, 20), (180, 180), False),
    ])
    def test_2d(self, phrase, a_xy, b_xy, holds):
        svg = doc(SKY + apple(*a_xy, name="cat") + apple(*b_xy, name="dog", fill="#555"))
        assert check_composition(svg, rel("cat", phrase, "dog")).satisfied is holds

    def test_heavily_overlapping_objects_are_not_left_of(self):
        # judged on visible extents: the cat's top half stays visible above the dog
        svg = doc(box("cat", 40, 60, 80, 80) + box("dog", 60, 100, 80, 80))
        assert check_composition(svg, rel("cat", "on the left of", "dog")).satisfied is False
        touching = doc(box("cat", 20, 60, 80, 80) + box("dog", 100, 60, 80, 80))
        assert check_composition(touching, rel("cat", "on the left of", "dog")).satisfied

    def test_vase_on_top_of_table(self):
        svg = doc(SKY + box("table", 30, 120, 140, 15, fill="#8d6e63")
                  + box("vase", 85, 80, 30, 40, fill="#1e88e5"))
        assert check_composition(svg, rel("vase", "on top of", "table")).satisfied is True
        assert check_composition(svg, rel("table", "on top of", "vase")).satisfied is False

    @pytest.mark.parametrize(("phrase", "later", "holds"), [
        ("in front of", "cat", True), ("in front of", "dog", False),
        ("behind", "dog", True), ("behind", "cat", False),
    ])
    def test_depth_from_draw_order_and_overlap(self, phrase, later, holds):
        cat, dog = box("cat", 40, 60, 80, 80, "#f57c00"), box("dog", 90, 80, 80, 80, "#6d4c41")
        svg = doc(SKY + (dog + cat if later == "cat" else cat + dog))
        assert check_composition(svg, rel("cat", phrase, "dog", "3d_spatial")).satisfied is holds

    def test_depth_needs_overlap(self):
        svg = doc(box("dog", 10, 60, 60, 60) + box("cat", 120, 60, 60, 60))
        assert check_composition(svg, rel("cat", "in front of", "dog", "3d_spatial")
                                 ).satisfied is False

    def test_hidden_by_needs_substantial_opaque_cover(self):
        tree = box("tree", 60, 40, 60, 100, "#2e7d32")
        wall = '<g id="wall"><rect x="40" y="60" width="120" height="100" fill="#9e9e9e"/></g>'
        small = '<g id="wall"><rect x="100" y="40" width="60" height="30" fill="#9e9e9e"/></g>'
        ghost = wall.replace('fill="#9e9e9e"', 'fill="#9e9e9e" opacity="0.4"')
        spec = rel("tree", "hidden by", "wall", "3d_spatial")
        assert check_composition(doc(tree + wall), spec).satisfied is True
        assert check_composition(doc(tree + small), spec).satisfied is False
        assert check_composition(doc(tree + ghost), spec).satisfied is False

    def test_implicit_relation_is_undecided(self):
        svg = doc(apple(50, 100, name="man") + apple(150, 100, name="umbrella"))
        r = check_composition(svg, rel("man", "holding", "umbrella", "implicit"))
        assert r.satisfied is None and r.score is None and "implicit" in r.reason


class TestNumeracy:
    def test_exact_count(self):
        svg = doc(SKY + "".join(apple(40 + 55 * i, 90, name=f"apple-{i + 1}") for i in range(3)))
        assert check_composition(svg, numeracy(apple=3)).satisfied is True
        r = check_composition(svg, numeracy(apple=4))
        assert r.satisfied is False and r.score == pytest.approx(0.75)
        assert check_composition(svg, numeracy(apple=2)).score == pytest.approx(0.5)

    def test_partial_credit_is_the_mean_over_nouns(self):
        svg = doc("".join(apple(30 + 45 * i, 60, r=15, name=f"cat-{i}") for i in range(2))
                  + apple(100, 150, r=15, name="bird"))
        r = check_composition(svg, numeracy(cat=2, bird=2))
        assert r.satisfied is False and r.score == pytest.approx((1.0 + 0.5) / 2)

    def test_plural_and_synonym_annotations_count(self):
        svg = doc(apple(50, 100, name="puppy-1") + apple(150, 100, name="Dogs_2"))
        assert check_composition(svg, numeracy(dog=2)).satisfied is True

    @pytest.mark.parametrize("hack", [
        apple(100, 100, name="cat-3", extra=' opacity="0"'),
        apple(100, 100, name="cat-3", extra=' opacity="0.02"'),
        apple(400, 100, name="cat-3"),
        apple(100, 100, r=0.5, name="cat-3"),
        '<text id="cat-3" x="100" y="180" font-size="30">cat</text>',
        '<g id="cat-3"></g>',
        apple(100, 100, name="cat-3", extra=' style="display:none"'),
        apple(100, 100, name="cat-3", extra=' visibility="hidden"'),
        apple(100, 100, name="cat-3", extra=' transform="scale(0)"'),
        apple(100, 100, name="cat-3") + '<rect x="60" y="50" width="80" height="80" fill="#bbb"/>',
        '<title>cat</title><!-- cat-3 -->',
    ])
    def test_invisible_copies_never_count(self, hack):
        two = apple(40, 40, r=15, name="cat-1") + apple(160, 40, r=15, name="cat-2")
        svg = doc(two + hack)
        assert check_composition(svg, numeracy(cat=3)).satisfied is False
        assert check_composition(svg, numeracy(cat=2)).satisfied is True


class TestIntegrityAndUndecided:
    def test_unannotated_drawing_is_undecided(self):
        svg = doc(SKY + '<circle cx="100" cy="100" r="30" fill="red"/>')
        for spec in (binding(["apple"], "colors", ["red"]), numeracy(apple=1),
                     rel("apple", "above", "cup")):
            r = check_composition(svg, spec)
            assert r.satisfied is None and r.score is None and "annotated" in r.reason

    def test_empty_group_makes_the_drawing_decidable_and_false(self):
        svg = doc(SKY + '<g id="apple"></g><circle cx="100" cy="100" r="30" fill="red"/>')
        assert check_composition(svg, binding(["apple"], "colors", ["red"])).satisfied is False

    def test_missing_noun_is_false(self):
        svg = doc(apple(100, 100))
        r = check_composition(svg, rel("apple", "left of", "bowl"))
        assert r.satisfied is False and "bowl" in r.reason

    def test_texture_is_undecided(self):
        r = check_composition(doc(apple(100, 100)), binding(["apple"], "textures", ["shiny"]))
        assert r.satisfied is None and "texture" in r.reason

    @pytest.mark.parametrize(("completion", "code"), [
        ("I cannot draw that.", "NO_SVG"), ("<svg><rect", None), (b"\xff\xfe", None),
    ])
    def test_invalid_completions_fail_every_check(self, completion, code):
        r = check_composition(completion, numeracy(apple=2))
        assert r.satisfied is False and r.score == 0.0
        if code:
            assert r.code == code

    def test_model_output_wrapping_is_extracted(self):
        text = f"Here you go:\n```svg\n{doc(apple(100, 100))}\n```"
        assert check_composition(text, numeracy(apple=1)).satisfied is True

    def test_instruction_names_the_convention(self):
        assert 'id="apple-1"' in OBJECT_INSTRUCTION


# ---------------------------------------------------------------------------------------------
# reward, term, report
# ---------------------------------------------------------------------------------------------


class TestReward:
    SVG = doc(apple(50, 100, name="cat") + apple(150, 100, name="dog", fill="#555"))
    SPEC = rel("cat", "on the left of", "dog")

    def test_batch_with_per_sample_specs(self):
        specs = [self.SPEC, rel("dog", "on the left of", "cat"), None, {"bad": 1}]
        out = composition_reward([self.SVG] * 4, spec=specs)
        assert out == [1.0, 0.0, None, None]
        assert composition_reward([self.SVG] * 2, spec=self.SPEC) == [1.0, 1.0]

    def test_strict_and_undecided(self):
        svg = doc(apple(50, 100, name="cat-1"))
        assert composition_reward([svg], spec=numeracy(cat=2)) == [0.5]
        assert composition_reward([svg], spec=numeracy(cat=2), strict=True) == [0.0]
        plain = doc('<circle cx="5" cy="5" r="4"/>')
        assert composition_reward([plain], spec=numeracy(cat=2)) == [None]
        assert composition_reward([plain], spec=numeracy(cat=2), undecided=0.0) == [0.0]

    def test_term_in_the_engine_in_process_and_in_workers(self):
        samples = [Sample(self.SVG, spec=self.SPEC), Sample("no svg", spec=self.SPEC),
                   Sample(doc('<rect width="9" height="9"/>'), spec=self.SPEC)]
        with RewardEngine(CompositionTerm(), workers=1) as engine:
            pooled = engine(samples)
        local = RewardEngine(CompositionTerm(), in_process=True)(samples)
        assert pooled == local == [1.0, 0.0, 0.0]

    def test_term_from_config_and_pickle(self):
        reward = build_reward({"terms": [{"term": "composition", "strict": True,
                                          "undecided": None}]})
        term = reward.pairs[0][0]
        assert isinstance(term, CompositionTerm) and term.strict and term.undecided is None
        assert pickle.loads(pickle.dumps(term)).strict
        with pytest.raises(ValueError, match="undecided"):
            CompositionTerm(undecided=2.0)

    def test_summary_as_sgp_compbench_reports_it(self):
        results = [
            check_composition(self.SVG, self.SPEC),
            check_composition(self.SVG, rel("dog", "on the left of", "cat")),
            check_composition(self.SVG, rel("cat", "holding", "dog", "implicit")),
            check_composition(doc(apple(50, 50, name="cat-1")), numeracy(cat=2)),
        ]
        report = summarize_composition(results)
        assert report["minor"]["2d_spatial"] == {"n": 2, "undecided": 0, "score": 50.0,
                                                 "accuracy": 50.0}
        assert report["minor"]["implicit"]["undecided"] == 1
        assert report["major"]["relation"] == {"n": 3, "undecided": 1, "score": 50.0,
                                               "accuracy": 50.0}
        assert report["overall"]["score"] == pytest.approx(100 * (1 + 0 + 0.5) / 3, abs=0.01)
        assert json.loads(json.dumps(report)) == report

    def test_results_serialise(self):
        r = check_composition(self.SVG, self.SPEC)
        assert isinstance(r, CompositionResult)
        assert json.loads(json.dumps(r.to_dict()))["checks"][0]["passed"] is True


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------

SPECS = [numeracy(cat=2), rel("cat", "left of", "dog"), binding(["cat"], "colors", ["red"]),
         binding(["dog"], "shapes", ["round"]), rel("cat", "behind", "dog", "3d_spatial")]


@settings(max_examples=40, deadline=None)
@given(arbitrary_text(), st.sampled_from(SPECS))
def test_never_raises_on_arbitrary_text(text, spec):
    r = check_composition(text, spec)  # type: ignore[arg-type]
    assert r.satisfied in (True, False, None)
    assert r.score is None or 0.0 <= r.score <= 1.0


@settings(max_examples=25, deadline=None)
@given(svg_documents(max_elements=12), st.sampled_from(SPECS))
def test_never_raises_on_generated_documents(generated, spec):
    r = check_composition(generated.text, spec)
    assert r.satisfied in (True, False, None)
    facts_ok = r.code in {c.value for c in svgkit.ErrorCode} | {"OK", "EMPTY"}
    assert facts_ok


@st.composite
def two_objects(draw: st.DrawFn) -> tuple[str, int, int]:
    ax, bx = draw(st.integers(20, 90)), draw(st.integers(110, 180))
    ay, by = draw(st.integers(30, 170)), draw(st.integers(30, 170))
    body = apple(ax, ay, r=14, name="cat") + box("dog", bx - 15, by - 15, 30, 30)
    return body, draw(st.integers(-15, 15)), draw(st.integers(-15, 15))


@settings(max_examples=25, deadline=None)
@given(two_objects())
def test_results_are_invariant_under_translation(case):
    body, tx, ty = case
    specs = [rel("cat", p, "dog") for p in ("left of", "right of", "above", "below", "near")]
    # a 256-px canvas puts the analysis grid on whole pixels, so whole-pixel moves are exact
    plain = [check_composition(doc(body, 256, 256), s).satisfied for s in specs]
    moved = [check_composition(doc(f'<g transform="translate({tx + 20},{ty + 20})">{body}</g>',
                                   256, 256), s).satisfied for s in specs]
    assert plain == moved


@settings(max_examples=25, deadline=None)
@given(two_objects())
def test_a_mirrored_drawing_swaps_left_and_right(case):
    body, _, _ = case
    svg = doc(body, 256, 256)
    mirrored = doc(f'<g transform="translate(256,0) scale(-1,1)">{body}</g>', 256, 256)
    for a, b in (("left of", "right of"), ("right of", "left of"), ("above", "above")):
        assert (check_composition(svg, rel("cat", a, "dog")).satisfied
                == check_composition(mirrored, rel("cat", b, "dog")).satisfied)


def test_facts_are_plain_data():
    facts = composition_facts(svgkit.parse(TestReward.SVG))
    assert json.loads(json.dumps(facts)) == facts
    assert judge_composition(facts, TestReward.SPEC).satisfied is True
    assert isinstance(parse_spec(TestReward.SPEC), CompositionSpec)


def test_accuracy_on_the_labelled_set():
    """The issue's targets on benchmarks/data/composition (labels by construction): ≥ 95 % on
    checkable cases, every hack rejected, every unverifiable record answered None."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks/data/composition/cases.jsonl"
    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    wrong = []
    for case in cases:
        got = check_composition(case.get("completion") or case["svg"], case["spec"]).satisfied
        if got is not case["expected"]:
            wrong.append((case["id"], case["kind"], case["expected"], got))
    checkable = [c for c in cases if c["expected"] is not None]
    wrong_checkable = [w for w in wrong if w[2] is not None]
    assert len(checkable) >= 150 and len(cases) - len(checkable) >= 30
    assert len(wrong_checkable) <= 0.05 * len(checkable), wrong_checkable
    assert not [w for w in wrong if w[1] == "hack"], wrong
    assert not [w for w in wrong if w[2] is None], wrong
