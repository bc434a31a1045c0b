"""Suite files for svgkit-bench: every format, and a clear error for every bad file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svgkit_rewards.bench import BenchPrompt, Completion, JsonlStore, SuiteError, load_suite
from svgkit_rewards.bench.suites import IMAGE_PROMPT, demo_suite

RED_SQUARE = ("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>"
              "<rect width='10' height='10' fill='red'/></svg>")


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_png(path: Path) -> Path:
    from PIL import Image

    Image.fromarray(np.full((8, 8, 3), 200, np.uint8), "RGB").save(path)
    return path


# --- formats ------------------------------------------------------------------------------------


def test_own_format_reads_every_field(tmp_path: Path) -> None:
    write_png(tmp_path / "ref.png")
    (tmp_path / "ref.svg").write_text(RED_SQUARE)
    spec = {"objects": [{"noun": "apple", "count": 2, "color": "red"}]}
    path = write_jsonl(tmp_path / "mine.jsonl", [
        {"id": "a", "prompt": "a red apple", "kind": "object", "category": "food"},
        {"id": 7, "prompt": "two red apples", "spec": spec, "extra": 1},
        {"id": "img", "reference_image": "ref.png"},
        {"id": "svg", "prompt": "copy this", "kind": "image", "reference_svg": "ref.svg"},
        {"id": "inline", "prompt": "a cat", "reference_svg": RED_SQUARE},
    ])
    suite = load_suite(path)
    assert suite.name == "mine" and len(suite) == 5
    a, seven, img, svg, inline = suite.prompts
    assert (a.kind, a.category) == ("object", "food")
    assert (seven.id, seven.kind, seven.category, seven.spec) == ("7", "composition", "custom",
                                                                  spec)
    assert seven.metadata == {"extra": 1}
    assert img.kind == "image" and img.prompt == IMAGE_PROMPT
    assert img.reference_image == str((tmp_path / "ref.png").resolve())
    assert svg.reference_svg == RED_SQUARE and svg.has_reference
    assert inline.kind == "caption" and inline.reference_svg == RED_SQUARE


def test_caption_suite_is_coco_style(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "coco.jsonl", [
        {"id": 139, "prompt": "A living room with a couch and a television."},
        {"id": 285, "caption": "A big brown bear sitting in the grass."},
    ])
    suite = load_suite(path)
    assert [p.kind for p in suite.prompts] == ["caption", "caption"]
    assert suite.prompts[1].prompt.startswith("A big brown bear")


def test_compbench_json_list_and_grouped(tmp_path: Path) -> None:
    records = [
        {"id": "c1", "prompt": "a red apple and a blue cup", "gen_type": "svg",
         "major_type": "binding", "minor_type": "color",
         "metadata": {"colors": ["red", "blue"], "nouns": ["apple", "cup"]}},
        {"id": "r1", "prompt": "a cat on the left of a dog", "major_type": "relation",
         "minor_type": "2d_spatial", "metadata": json.dumps(
             {"relation": "on the left of", "nouns": ["cat", "dog"]})},
        {"id": "n1", "prompt": "three apples", "major_type": "numeracy", "minor_type": "basic",
         "metadata": {"total_count": 3, "object_counts": [{"noun": "apple", "count": 3}],
                      "objects": ["apple"]}},
    ]
    listed = tmp_path / "compbench.json"
    listed.write_text(json.dumps(records))
    suite = load_suite(listed)
    assert [p.kind for p in suite.prompts] == ["composition"] * 3
    assert [p.category for p in suite.prompts] == ["color", "2d_spatial", "basic"]
    assert suite.prompts[0].metadata["major_type"] == "binding"
    grouped = tmp_path / "grouped.json"
    grouped.write_text(json.dumps({"binding": records[:1], "relation": records[1:2]}))
    assert [p.id for p in load_suite(grouped).prompts] == ["c1", "r1"]


def test_image_folder(tmp_path: Path) -> None:
    folder = tmp_path / "targets"
    folder.mkdir()
    write_png(folder / "b.png")
    (folder / "a.svg").write_text(RED_SQUARE)
    (folder / "notes.txt").write_text("ignored")
    suite = load_suite(folder)
    assert [p.id for p in suite.prompts] == ["a", "b"]
    assert all(p.kind == "image" and p.has_reference for p in suite.prompts)
    assert suite.prompts[0].reference_svg == RED_SQUARE


def test_manifest_json_with_name(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"name": "x", "prompts": [{"id": "a", "prompt": "a tree"}]}))
    assert load_suite(path, name="custom").name == "custom"


def test_demo_suite_loads() -> None:
    suite = demo_suite()
    assert suite.name == "demo"
    kinds = {p.kind for p in suite.prompts}
    assert {"object", "scene", "composition", "image"} <= kinds


# --- bad files: the message names the file and the line -----------------------------------------


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        (['{"id": "a", "prompt": "x"}', '{"id": "b", "prompt": '], 2, "not valid JSON"),
        (['{"prompt": "x"}'], 1, "missing `id`"),
        (['{"id": "a", "prompt": "x"}', '{"id": "a", "prompt": "y"}'], 2, "repeats"),
        (['{"id": "a"}'], 1, "missing `prompt`"),
        (['{"id": "a", "prompt": 3}'], 1, "must be a string"),
        (['{"id": "a", "prompt": "x", "kind": "poem"}'], 1, "`kind` must be one of"),
        (['{"id": "a", "prompt": "x", "kind": "composition"}'], 1, "needs a `spec`"),
        (['{"id": "a", "prompt": "x", "kind": "image"}'], 1, "needs `reference_image`"),
        (['{"id": "a", "prompt": "x", "reference_image": "nope.png"}'], 1, "not found"),
        (['{"id": "a", "prompt": "x", "spec": {"objects": 5}}'], 1, "bad composition spec"),
        (['{"id": "a", "prompt": "x", "spec": "{not json"}'], 1, "not JSON"),
        (['["a", "b"]'], 1, "expected a JSON object"),
        (['{"id": "", "prompt": "x"}'], 1, "non-empty"),
        (['{"id": "a", "prompt": "   "}'], 1, "empty"),
    ],
)
def test_bad_record_names_file_and_line(tmp_path: Path, lines: list[str], line: int,
                                        words: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    assert info.value.path == str(path) and info.value.line == line
    assert f"{path}, line {line}: " in str(info.value)
    assert words in str(info.value)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="no such suite"):
        load_suite(tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(SuiteError, match="no prompts"):
        load_suite(empty)
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SuiteError, match="not UTF-8"):
        load_suite(binary)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "a",\n "prompt": }]')
    with pytest.raises(SuiteError, match=r"line 2: not valid JSON"):
        load_suite(broken)
    scalar = tmp_path / "scalar.json"
    scalar.write_text("42")
    with pytest.raises(SuiteError, match="expected a list"):
        load_suite(scalar)
    with pytest.raises(SuiteError, match="image suite is a folder"):
        load_suite(write_jsonl(tmp_path / "x.jsonl", [{"id": "a", "prompt": "b"}]), "images")
    with pytest.raises(ValueError, match="format"):
        load_suite(tmp_path, "yaml")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_cleanly(tmp_path_factory: pytest.TempPathFactory,
                                            text: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "suite.jsonl"
    path.write_text(text, encoding="utf-8")
    try:
        suite = load_suite(path)
    except SuiteError as exc:
        assert str(path) in str(exc)
    else:
        assert len(suite) >= 1 and all(isinstance(p, BenchPrompt) for p in suite.prompts)


# --- the store ------------------------------------------------------------------------------------


def test_store_survives_a_torn_write(tmp_path: Path) -> None:
    store = JsonlStore(tmp_path / "c.jsonl")
    store.append(Completion("a", 0, "<svg/>").to_dict())
    with store.path.open("a") as fh:
        fh.write('{"id": "b", "sample": 0, "compl')  # killed mid-write
    assert store.keys() == {("a", 0)}
    store.append(Completion("b", 0, "x").to_dict())
    assert store.keys() == {("a", 0), ("b", 0)}
    assert [Completion.from_dict(r).completion for r in store.records()] == ["<svg/>", "x"]


def test_completion_record_validation() -> None:
    with pytest.raises(KeyError):
        Completion.from_dict({"id": "a"})
    with pytest.raises(TypeError):
        Completion.from_dict({"id": "a", "completion": 5})
    with pytest.raises(ValueError):
        Completion.from_dict({"id": "a", "completion": "", "sample": -1})
    assert Completion.from_dict({"id": 3, "completion": "x"}).key == ("3", 0)
