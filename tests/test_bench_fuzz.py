"""The fuzz benchmark (benchmarks/bench_fuzz.py): deterministic mutants, its report's structure,
its classification of outcomes, and no outcome outside the taxonomy on a small seeded run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import svgkit

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench_fuzz.py"
N = 50
SEED = 0


def _bench() -> ModuleType:
    name = "bench_fuzz"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _bench()


@pytest.fixture(scope="module")
def result(bench: ModuleType) -> dict:
    return bench.run(N, SEED, render_every=5, size=32, timeout_s=10.0, workers=1, batch=5)


def test_same_seed_same_mutants(bench: ModuleType) -> None:
    first = bench.make_mutants(N, SEED)
    again = bench.make_mutants(N, SEED)
    assert [(m.ops, m.data) for m in first] == [(m.ops, m.data) for m in again]
    # mutant i depends only on (seed, i): a shorter run is a prefix of a longer one
    longer = bench.make_mutants(N + 10, SEED)
    assert [m.data for m in longer[:N]] == [m.data for m in first]
    other = bench.make_mutants(N, SEED + 1)
    assert [m.data for m in other] != [m.data for m in first]
    # the mutants are mutated, and both kinds of mutant are drawn
    assert sum(m.data not in bench.corpus_docs(bench.N_DOCS, SEED) for m in first) > N // 2
    assert {m.ops[0] for m in first} == {"blind", "structured"}


def test_result_structure(bench: ModuleType, result: dict) -> None:
    stages = result["stages"]
    assert set(stages) == {"validate", "validate_repair", "render"}
    assert stages["validate"]["n"] == N and stages["render"]["n"] == N // 5
    for name, stage in stages.items():
        assert sum(stage["codes"].values()) == stage["n"], name
        assert set(stage["codes"]) <= bench.TAXONOMY, name
        assert sum(stage["limits"].values()) == stage["codes"].get("LIMIT", 0), name
        assert stage["mutations_per_s"] > 0
        assert 0 <= stage["p50_ms"] <= stage["p99_ms"] <= stage["max_ms"]
    # a mix of outcomes, not one code for everything
    assert len(stages["validate"]["codes"]) >= 3
    assert stages["validate"]["codes"].get("OK", 0) > 0
    assert sum(result["validate_vs_render"].values()) == N // 5
    table = bench.markdown(result)
    assert "mutations/s" in table and "`validate` (in-process)" in table


def test_no_outcome_outside_the_taxonomy(result: dict) -> None:
    findings = [
        f"#{f['index']} [{f['stage']}] {f['code']}: {f['problem'][:200]} ops={f['ops']}"
        for f in result["outside_taxonomy"]
    ]
    assert result["n_outside_taxonomy"] == 0, "\n".join(findings)


def test_classification_flags_bugs(bench: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    ok = np.zeros((8, 8, 4), dtype=np.uint8)
    assert bench.render_outcome(ok, 8) == ("OK", None, None)
    limit = svgkit.SVGKitError("LIMIT", "x", limit="max_depth")
    assert bench.render_outcome(limit, 8) == ("LIMIT", None, "max_depth")
    assert bench.render_outcome(svgkit.SVGKitError("RENDER_TIMEOUT", "x"), 8).problem is None
    for code in ("INTERNAL", "RENDER_CRASH"):
        assert bench.render_outcome(svgkit.SVGKitError(code, "x"), 8).problem is not None
    assert bench.render_outcome(np.zeros((8, 8, 3), dtype=np.uint8), 8).problem is not None
    assert bench.render_outcome(None, 8).problem is not None

    assert bench.validate_outcome(b"no svg") == ("NO_SVG", None, None)

    def boom(*args: object, **kwargs: object) -> object:
        raise ValueError("boom")

    monkeypatch.setattr(svgkit, "validate", boom)
    code, problem, _ = bench.validate_outcome(b"<svg/>")
    assert code == "EXCEPTION" and problem is not None and "boom" in problem


def test_minimise(bench: ModuleType) -> None:
    data = b"<svg>" + b"x" * 200 + b"NEEDLE" + b"y" * 300 + b"</svg>"
    assert bench.minimise(data, lambda d: b"NEEDLE" in d) == b"NEEDLE"
