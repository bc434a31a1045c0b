"""The bundled demo suite of ``svgkit-bench run`` (svgkit_rewards/bench/demo).

The files must parse, match their generator (scripts/make_bench_demo.py) byte for byte, and show a
real quality order between the four systems. The order is measured here with svgkit's and
svgkit_rewards' own functions (validate, check_composition, detect_hacks, pixel_reward), not with
the benchmark runner.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import svgkit
import svgkit_rewards
from svgkit_rewards.bench.records import KINDS, Completion
from svgkit_rewards.functional.hacks import HACK_FLAGS

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "svgkit_rewards" / "bench" / "demo"
GENERATOR = ROOT / "scripts" / "make_bench_demo.py"
SYSTEMS = ("careful", "sloppy", "gamer", "terse")
SAMPLES = 2


def _generator() -> ModuleType:
    name = "make_bench_demo"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def suite() -> list[dict[str, Any]]:
    return _jsonl(DEMO / "suite.jsonl")


@pytest.fixture(scope="module")
def completions() -> dict[str, list[dict[str, Any]]]:
    return {s: _jsonl(DEMO / "completions" / f"{s}.jsonl") for s in SYSTEMS}


# ---------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------


def test_suite_records(suite):
    ids = [r["id"] for r in suite]
    assert len(ids) == len(set(ids))
    for r in suite:
        assert isinstance(r["id"], str) and r["id"]
        assert isinstance(r["prompt"], str) and r["prompt"]
        assert r["kind"] in KINDS
        assert set(r) <= {"id", "prompt", "kind", "category", "spec", "reference_svg"}
        if r["kind"] == "composition":
            spec = svgkit_rewards.parse_spec(r["spec"])
            assert spec.objects
            assert r["category"] == spec.minor_type
        else:
            assert "spec" not in r
        if r["kind"] == "image":
            assert svgkit.validate(r["reference_svg"]).ok
            assert r["category"] == "icons"
        else:
            assert "reference_svg" not in r
    kinds = Counter(r["kind"] for r in suite)
    assert kinds == {"object": 8, "scene": 6, "composition": 12, "image": 4}


def test_composition_specs_cover_compbench(suite):
    specs = [r["spec"] for r in suite if r["kind"] == "composition"]
    records = [s for s in specs if "major_type" in s]
    assert {(s["major_type"], s["minor_type"]) for s in records} >= {
        ("binding", "color"), ("binding", "shape"), ("relation", "2d_spatial"),
        ("numeracy", "basic")}
    for s in records:
        assert set(s) == {"id", "prompt", "gen_type", "major_type", "minor_type", "metadata"}
        assert s["gen_type"] == "text2svg"
    assert sum("objects" in s and "major_type" not in s for s in specs) >= 2  # svgkit format


def test_every_prompt_and_sample_has_a_completion(suite, completions):
    want = {(r["id"], s) for r in suite for s in range(SAMPLES)}
    for system, records in completions.items():
        keys = [(r["id"], r["sample"]) for r in records]
        assert len(keys) == len(set(keys)), system
        assert set(keys) == want, system
        for r in records:
            assert set(r) == {"id", "sample", "completion", "finish_reason", "completion_tokens"}
            c = Completion.from_dict(r)
            assert c.finish_reason in ("stop", "length")
            assert isinstance(c.completion_tokens, int) and c.completion_tokens > 0


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path):
    gen = _generator()
    first = gen.build(tmp_path / "a")
    second = gen.build(tmp_path / "b")
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
        committed = DEMO / a.relative_to(tmp_path / "a")
        assert committed.read_bytes() == a.read_bytes(), (
            f"{committed} is stale: run python scripts/make_bench_demo.py")


def test_demo_directory_is_small():
    size = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert size < 400_000


# ---------------------------------------------------------------------------------------------
# the quality order, measured with the project's functions
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def measured(suite, completions) -> dict[str, dict[str, Any]]:
    by_id = {r["id"]: r for r in suite}
    refs = {r["id"]: svgkit.render(r["reference_svg"], 128, 128, background="white")
            for r in suite if r["kind"] == "image"}
    out: dict[str, dict[str, Any]] = {}
    for system, records in completions.items():
        codes: Counter[str] = Counter()
        flags: Counter[str] = Counter()
        hacked, satisfied, ssims = 0, [], []
        for r in records:
            p = by_id[r["id"]]
            text = r["completion"]
            codes[svgkit.validate(text).code] += 1
            report = svgkit_rewards.detect_hacks(text, p["prompt"])
            hacked += bool(report.flags)
            flags.update(report.flags)
            if p["kind"] == "composition":
                result = svgkit_rewards.check_composition(text, p["spec"])
                satisfied.append(result.satisfied is True)
            if p["kind"] == "image":
                [value] = svgkit_rewards.pixel_reward([text], "ssim", image=refs[r["id"]],
                                                      size=128)
                ssims.append(value)
        n = len(records)
        out[system] = {
            "validity": codes["OK"] / n, "codes": codes, "flags": flags,
            "hacked": hacked / n, "composition": float(np.mean(satisfied)),
            "ssim": float(np.mean(ssims)),
            "finish": Counter(r["finish_reason"] for r in records),
        }
    return out


def test_validity_order(measured):
    careful, sloppy, terse = (measured[s]["validity"] for s in ("careful", "sloppy", "terse"))
    assert careful == 1.0
    assert careful > sloppy >= 0.8
    assert careful > terse


def test_composition_order(measured):
    acc = {s: measured[s]["composition"] for s in SYSTEMS}
    assert acc["careful"] >= 0.8
    assert 0.2 < acc["sloppy"] < acc["careful"]
    assert acc["gamer"] < acc["sloppy"]
    assert acc["terse"] < acc["sloppy"]


def test_hack_flags(measured):
    assert measured["careful"]["hacked"] == 0.0
    assert measured["sloppy"]["hacked"] <= 0.05
    assert measured["gamer"]["hacked"] >= 0.8
    for flag in HACK_FLAGS:  # every flag shows up several times
        assert measured["gamer"]["flags"][flag] >= 3, flag


def test_image_similarity_order(measured):
    ssim = {s: measured[s]["ssim"] for s in SYSTEMS}
    assert ssim["careful"] >= 0.9
    assert ssim["careful"] > ssim["sloppy"] + 0.2
    assert ssim["careful"] > ssim["gamer"] + 0.2  # a blank page still scores ~0.6 on an icon
    assert ssim["sloppy"] > ssim["terse"]


def test_failure_modes_are_represented(measured):
    sloppy, terse = measured["sloppy"], measured["terse"]
    assert sloppy["codes"]["TRUNCATED"] >= 2 and sloppy["finish"]["length"] >= 2
    assert sloppy["codes"]["XML_SYNTAX"] >= 1
    assert terse["codes"]["NO_SVG"] >= 4
    assert measured["gamer"]["codes"]["EMPTY"] >= 1


def test_careful_samples_differ(suite, completions):
    """Two samples of a prompt are visibly different drawings (diversity is not zero)."""
    by_key = {(r["id"], r["sample"]): r["completion"] for r in completions["careful"]}
    for p in suite:
        a, b = (svgkit.render(svgkit.extract_svg(by_key[(p["id"], s)]), 64, 64,
                              background="white").astype(np.int16) for s in range(SAMPLES))
        assert np.abs(a - b).max() > 32, p["id"]


def test_careful_answers_in_the_paper_format(completions):
    for r in completions["careful"]:
        text = r["completion"]
        assert text.startswith("<think>") and "</think>\n<answer>\n<svg" in text
        assert text.endswith("</svg>\n</answer>")
