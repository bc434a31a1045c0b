"""Schema checks for the compositional-checker evaluation set (benchmarks/data/composition).

The labels are ground truth by construction (see the set's README); these tests only validate the
data file: it parses, follows the schema, covers every category and kind, matches its generator,
and every SVG in it parses with svgkit.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

import svgkit

DATA_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "composition"
CASES = DATA_DIR / "cases.jsonl"
GENERATOR = DATA_DIR / "make_cases.py"

CHECKABLE = {"color", "shape", "2d_spatial", "3d_spatial", "numeracy", "custom"}
UNDECIDABLE = {"texture", "implicit", "unannotated"}
KINDS = {"satisfied", "violated", "near_miss", "unverifiable", "hack"}
SGP_MINOR = {"color": "binding", "shape": "binding", "texture": "binding",
             "2d_spatial": "relation", "3d_spatial": "relation", "implicit": "relation",
             "basic": "numeracy"}
SGP_KEYS = {"id", "prompt", "gen_type", "major_type", "minor_type", "metadata"}
SHAPES = {"square", "rectangular", "round", "circular", "oval", "triangular"}
RELATIONS_2D = {"on the left of", "on the right of", "above", "below", "on top of",
                "on the bottom of"}
RELATIONS_3D = {"in front of", "behind", "hidden by"}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]


def svg_of(case: dict) -> str:
    return case["svg"] if "svg" in case else svgkit.extract_svg(case["completion"])


def is_sgp(spec: dict) -> bool:
    return "major_type" in spec


def test_every_line_has_the_schema(cases: list[dict]) -> None:
    for c in cases:
        assert set(c) in ({"id", "category", "kind", "expected", "spec", "svg", "note"},
                          {"id", "category", "kind", "expected", "spec", "completion", "note"}), c["id"]
        assert c["category"] in CHECKABLE | UNDECIDABLE, c["id"]
        assert c["kind"] in KINDS, c["id"]
        assert c["expected"] in (True, False, None), c["id"]
        assert isinstance(c["note"], str) and c["note"], c["id"]
        assert re.fullmatch(rf"{re.escape(c['category'])}-[a-z]+-\d{{3}}", c["id"]), c["id"]


def test_ids_unique(cases: list[dict]) -> None:
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    sgp_ids = [c["spec"]["id"] for c in cases if is_sgp(c["spec"])]
    assert len(sgp_ids) == len(set(sgp_ids))


def test_counts_meet_requirements(cases: list[dict]) -> None:
    assert len(cases) >= 220
    assert sum(c["expected"] is not None for c in cases) >= 150
    assert sum("completion" in c for c in cases) >= 3
    assert any(is_sgp(c["spec"]) for c in cases)
    assert any(not is_sgp(c["spec"]) for c in cases)


def test_checkable_categories_are_balanced(cases: list[dict]) -> None:
    for cat in CHECKABLE:
        mine = [c for c in cases if c["category"] == cat]
        kinds = Counter(c["kind"] for c in mine)
        assert kinds["satisfied"] and kinds["violated"] and kinds["near_miss"], cat
        assert "unverifiable" not in kinds, cat
        n_true = sum(c["expected"] is True for c in mine)
        n_false = sum(c["expected"] is False for c in mine)
        assert 0.5 <= n_true / n_false <= 2.0, (cat, n_true, n_false)
        for c in mine:
            want = {"satisfied": True, "violated": False, "hack": False}.get(c["kind"])
            if want is not None:
                assert c["expected"] is want, c["id"]
    hack_cats = {c["category"] for c in cases if c["kind"] == "hack"}
    assert {"color", "2d_spatial", "3d_spatial", "numeracy"} <= hack_cats


def test_expected_null_exactly_for_undecidable_categories(cases: list[dict]) -> None:
    for c in cases:
        undecidable = c["category"] in UNDECIDABLE
        assert (c["expected"] is None) == undecidable, c["id"]
        assert (c["kind"] == "unverifiable") == undecidable, c["id"]
    assert {c["category"] for c in cases if c["expected"] is None} == UNDECIDABLE


def test_specs_follow_their_format(cases: list[dict]) -> None:
    for c in cases:
        spec = c["spec"]
        if is_sgp(spec):
            assert set(spec) == SGP_KEYS, c["id"]
            assert spec["gen_type"] == "text2svg"
            assert SGP_MINOR[spec["minor_type"]] == spec["major_type"], c["id"]
            minor = "numeracy" if spec["minor_type"] == "basic" else spec["minor_type"]
            assert c["category"] in (minor, "unannotated"), c["id"]
            md = spec["metadata"]
            if spec["major_type"] == "binding":
                attr = {"color": "colors", "shape": "shapes", "texture": "textures"}[minor]
                assert set(md) == {attr, "nouns"} and len(md[attr]) == len(md["nouns"]), c["id"]
                if minor == "shape":
                    assert set(md["shapes"]) <= SHAPES, c["id"]
            elif spec["major_type"] == "relation":
                assert set(md) == {"relation", "nouns"} and len(md["nouns"]) == 2, c["id"]
                if minor == "2d_spatial":
                    assert md["relation"] in RELATIONS_2D, c["id"]
                if minor == "3d_spatial":
                    assert md["relation"] in RELATIONS_3D, c["id"]
            else:
                assert set(md) == {"total_count", "object_counts", "objects"}, c["id"]
                assert md["total_count"] == sum(o["count"] for o in md["object_counts"])
                assert md["objects"] == [o["noun"] for o in md["object_counts"]]
        else:
            assert c["category"] in ("custom", "unannotated"), c["id"]
            assert set(spec) <= {"prompt", "objects", "relations"} and spec["objects"], c["id"]
            for o in spec["objects"]:
                assert set(o) <= {"noun", "count", "color", "shape"} and o["noun"], c["id"]
            for r in spec.get("relations", []):
                assert set(r) == {"a", "relation", "b"}, c["id"]


def test_every_svg_parses(cases: list[dict]) -> None:
    for c in cases:
        scene = svgkit.parse(svg_of(c))
        assert len(scene) > 0, c["id"]


def test_unannotated_svgs_name_no_objects(cases: list[dict]) -> None:
    for c in cases:
        if c["category"] == "unannotated":
            body = re.sub(r"<defs>.*?</defs>", "", svg_of(c), flags=re.S)
            assert not re.search(r"\b(id|class|data-object)=", body), c["id"]


def test_data_file_matches_generator() -> None:
    spec = importlib.util.spec_from_file_location("composition_make_cases", GENERATOR)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    try:
        spec.loader.exec_module(mod)
        built = mod.build_all()
    finally:
        sys.modules.pop(spec.name, None)
    lines = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in built.cases]
    assert lines == CASES.read_text(encoding="utf-8").splitlines(), (
        "cases.jsonl is stale: run python benchmarks/data/composition/make_cases.py")
