"""The reward engine: analysis once per completion, the term algebra, gate and floor semantics,
isolation from hanging and crashing completions, recipes and configs."""

from __future__ import annotations

import math
import pickle
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reward_faults import FaultTerm
from strategies import arbitrary_text

import svgkit
import svgkit_rewards
from svgkit_rewards import (
    Affine,
    Clip,
    FormatTerm,
    Gate,
    LengthTerm,
    PixelTerm,
    RewardEngine,
    Sample,
    Term,
    WeightedSum,
    build_reward,
    load_config,
)
from svgkit_rewards.analysis import Analysis, analyze
from svgkit_rewards.terms import EvalContext, describe

NS = 'xmlns="http://www.w3.org/2000/svg"'
SVG = f'<svg {NS} viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="red"/></svg>'
GOOD = f"<think>a red dot</think> <answer>{SVG}</answer>"
BLANK = f"<think>nothing</think> <answer><svg {NS} viewBox='0 0 10 10'></svg></answer>"
TRUNC = f"<think>a red dot</think> <answer><svg {NS} viewBox='0 0 10 10'><circle cx='5' r="


class Const(Term):
    """A leaf with fixed values, for algebra tests."""

    def __init__(self, name: str, values: Sequence[float | None], lo: float = 0.0, hi: float = 1.0):
        self.name = name
        self.values = list(values)
        self.value_range = (lo, hi)

    def compute(self, samples, analyses):
        return self.values[: len(samples)]


def _evaluate(term: Term, n: int, floor: float = 0.0):
    ctx = EvalContext(n, floor)
    samples = [Sample("x")] * n
    analyses = [Analysis(key=str(i), code="OK") for i in range(n)]
    return term.evaluate(samples, analyses, ctx), ctx


# --- the algebra --------------------------------------------------------------------------------


class TestAlgebra:
    def test_weighted_sum_skips_terms_that_do_not_apply(self):
        s = WeightedSum(
            [(Const("a", [1.0, None, None]), 2.0), (Const("b", [0.5, 0.25, None]), -1.0)]
        )
        values, ctx = _evaluate(s, 3)
        assert values == [1.5, -0.25, None]
        assert ctx.components[1] == {"a": None, "b": 0.25}

    def test_weighted_sum_range(self):
        s = WeightedSum([(Const("a", [], 0, 1), 2.0), (Const("b", [], -1, 1), -0.5)])
        assert s.value_range == (-0.5, 2.5)

    def test_operators_build_flat_sums(self):
        a, b, c = Const("a", [1.0]), Const("b", [1.0]), Const("c", [1.0])
        s = a * 0.5 + b + 2 * c
        assert [(t.name, w) for t, w in s.pairs] == [("a", 0.5), ("b", 1.0), ("c", 2.0)]
        assert _evaluate(s, 1)[0] == [3.5]

    def test_gate_multiplies_and_closes_to_the_floor(self):
        g = Gate(Const("g", [1.0, 0.0, 0.5]), Const("body", [0.8, 0.8, 0.8]))
        values, ctx = _evaluate(g, 3, floor=-1.0)
        assert values == [0.8, -1.0, 0.4]
        assert ctx.closed == [False, True, False]
        assert ctx.components[1] == {"g": 0.0, "body": 0.8}  # components are still logged

    def test_gate_own_floor_wins(self):
        g = Gate(Const("g", [0.0]), Const("body", [0.8]), floor=-0.25)
        assert _evaluate(g, 1, floor=-1.0)[0] == [-0.25]
        assert g.value_range == (-0.25, 1.0)

    def test_clip_and_affine(self):
        t = Const("t", [0.2, 0.9, None])
        assert _evaluate(Clip(t, 0.3, 0.8), 3)[0] == [0.3, 0.8, None]
        assert _evaluate(Affine(t, 2.0, -1.0), 3)[0] == pytest.approx([-0.6, 0.8, None])
        assert Affine(t, -2.0, 1.0).value_range == (-1.0, 1.0)

    def test_leaf_values_are_held_inside_their_range(self):
        values, _ = _evaluate(Const("t", [5.0, -3.0, math.nan], 0.0, 1.0), 3)
        assert values == [1.0, 0.0, None]

    def test_leaves_in_order(self):
        r = Clip(Gate(FormatTerm(), LengthTerm() + PixelTerm("mse")), 0, 1)
        assert [t.name for t in r.leaves()] == ["format", "length", "mse"]

    def test_duplicate_leaf_names_are_refused(self):
        with pytest.raises(ValueError, match="unique names"):
            RewardEngine(PixelTerm("ssim") + PixelTerm("ssim", size=64), in_process=True)
        RewardEngine(PixelTerm("ssim") + PixelTerm("ssim", size=64, name="ssim64"), in_process=True)

    @pytest.mark.parametrize(
        "make",
        [
            lambda: WeightedSum([]),
            lambda: WeightedSum([(LengthTerm(), math.inf)]),
            lambda: Clip(LengthTerm(), 1.0, 0.0),
            lambda: Affine(LengthTerm(), math.nan),
            lambda: FormatTerm("strict"),
            lambda: LengthTerm(max_length=0),
            lambda: PixelTerm("lpips"),
            lambda: PixelTerm(size=3),
            lambda: LengthTerm(name="bad name"),
        ],
    )
    def test_bad_settings_are_refused(self, make):
        with pytest.raises((ValueError, TypeError)):
            make()

    def test_describe_is_json(self):
        import json

        assert json.loads(json.dumps(describe(build_reward("rlrf"))))["gate"]["name"] == "format"

    def test_terms_pickle(self):
        reward = build_reward("rlrf")
        back = pickle.loads(pickle.dumps(reward))
        assert [t.name for t in back.leaves()] == [t.name for t in reward.leaves()]


# --- gate and floor semantics -------------------------------------------------------------------


INVALID = [
    "I cannot draw that.",
    TRUNC,
    "<think>x</think> <answer><svg><rect></svg></answer>",  # XML syntax
    "<think>x</think> <answer><svg><!DOCTYPE x [<!ENTITY a 'b'>]><rect/></svg></answer>",
    f"<think>x</think> <answer><svg {NS} width='0' height='0'><rect/></svg></answer>",
]


class TestFloor:
    @pytest.mark.parametrize("floor", [0.0, -1.0, -0.37, 2.0])
    @pytest.mark.parametrize("recipe", ["sgp", "rlrf", "svgkit"])
    def test_invalid_scores_exactly_the_floor(self, recipe, floor):
        engine = RewardEngine.from_config(recipe, floor=floor, in_process=True)
        ref = np.full((16, 16, 3), 255, np.uint8)
        results = engine.score([Sample(t, reference_image=ref, reference_svg=SVG) for t in INVALID])
        assert [r.score for r in results] == [floor] * len(INVALID)
        assert all("FLOOR" in r.diagnostics.flags for r in results)
        assert [r.code for r in results][:2] == ["NO_SVG", "TRUNCATED"]

    def test_unscorable_none(self):
        engine = RewardEngine(build_reward("sgp"), unscorable="none", in_process=True)
        assert engine([GOOD, "no svg"]) == [
            pytest.approx(1 - len(SVG.replace(" ", "")) / 6000),
            None,
        ]

    def test_closed_gate_scores_the_floor(self):
        engine = RewardEngine(build_reward("sgp"), floor=-1.0, in_process=True)
        no_think = f"<answer>{SVG}</answer>"
        [r] = engine.score([no_think])
        assert r.score == -1.0 and r.code == "OK"
        assert "GATE_CLOSED" in r.diagnostics.flags
        assert r.components["format"] == 0.0 and r.components["length"] > 0.9

    def test_finish_reason_length_scores_the_floor(self):
        engine = RewardEngine(build_reward("sgp"), floor=-0.5, in_process=True)
        [r] = engine.score([Sample(GOOD, finish_reason="length")])
        assert (r.score, r.code) == (-0.5, "TRUNCATED")
        [r] = engine.score([Sample(GOOD, finish_reason="stop")])
        assert r.score > 0.9

    def test_truncated_repair_scores_the_drawing(self):
        text = (
            f"<think>a</think> <answer><svg {NS} viewBox='0 0 10 10'><rect width='5' height='5'/>"
        )
        floor_engine = RewardEngine(build_reward({"terms": ["length"]}), in_process=True)
        repair_engine = RewardEngine(
            build_reward({"terms": ["length"]}), truncated="repair", in_process=True
        )
        assert floor_engine.score([text])[0].code == "TRUNCATED"
        [r] = repair_engine.score([text])
        assert r.code == "OK" and r.score > 0.9
        assert "TRUNCATED_REPAIRED" in r.diagnostics.warnings

    def test_empty_drawing_is_scored_not_floored(self):
        # a blank SVG renders: the sgp gate passes it (as the reference does); plain does not
        sgp = RewardEngine(build_reward("sgp"), in_process=True)
        plain = RewardEngine(
            build_reward({"gate": {"term": "format", "policy": "plain"}, "terms": ["length"]}),
            floor=-1.0,
            in_process=True,
        )
        [r] = sgp.score([BLANK])
        assert r.code == "EMPTY" and r.components["format"] == 1.0 and r.score > 0.9
        [r] = plain.score([BLANK])
        assert r.score == -1.0 and "GATE_CLOSED" in r.diagnostics.flags

    def test_no_term_applies_gives_none(self):
        engine = RewardEngine(PixelTerm("mse", size=16), in_process=True)
        [r] = engine.score([Sample(GOOD)])  # no reference image
        assert r.score is None and r.components == {"mse": None}
        assert "NOT_APPLICABLE" in r.diagnostics.flags

    def test_conversational_and_bare_strings(self):
        engine = RewardEngine(build_reward("sgp"), in_process=True)
        conv = [{"role": "assistant", "content": GOOD}]
        a, b = engine.score([GOOD, Sample(conv)])  # type: ignore[arg-type]
        assert a.score == b.score and a.score is not None and a.score > 0.9

    def test_results_serialise(self):
        import json

        engine = RewardEngine(build_reward("svgkit"), in_process=True)
        for r in engine.score([GOOD, "nothing", TRUNC]):
            assert json.loads(json.dumps(r.to_dict()))["score"] == r.score


# --- analysis once per completion --------------------------------------------------------------


class TestAnalysisOnce:
    def test_one_parse_and_one_render_per_size_per_completion(self, monkeypatch):
        calls = {"parse": 0, "render": []}
        real_parse, real_render = svgkit.parse, svgkit.render

        def parse(*a, **k):
            calls["parse"] += 1
            return real_parse(*a, **k)

        def render(scene, w, h, **k):
            calls["render"].append((w, h))
            return real_render(scene, w, h, **k)

        monkeypatch.setattr(svgkit, "parse", parse)
        monkeypatch.setattr(svgkit, "render", render)
        reward = Gate(
            FormatTerm("sgp"),
            LengthTerm()
            + PixelTerm("mse", size=32)
            + PixelTerm("psnr", size=32)
            + PixelTerm("ssim", size=48),
        )
        engine = RewardEngine(reward, in_process=True)
        ref = np.zeros((8, 8, 3), np.uint8)
        other = GOOD.replace('fill="red"', 'fill="blue"')
        batch = [Sample(t, reference_image=ref) for t in (GOOD, other, GOOD, GOOD, "no svg")]
        results = engine.score(batch)
        assert calls["parse"] == 2  # GOOD and other; "no svg" never reaches the parser
        assert sorted(calls["render"]) == [(32, 32), (32, 32), (48, 48), (48, 48)]
        assert results[0].components == results[2].components
        assert engine.counters == {"analyses": 3, "cache_hits": 0, "parses": 2, "renders": 4}
        engine.score(batch)  # the same batch again: served from the cache
        assert calls["parse"] == 2 and len(calls["render"]) == 4
        assert engine.counters["cache_hits"] == 3

    def test_cache_is_bounded(self):
        engine = RewardEngine(LengthTerm(), in_process=True, cache_size=2)
        engine.score([f"<svg {NS}><rect width='{i}' height='1'/></svg>" for i in range(1, 6)])
        assert len(engine._cache) == 2

    def test_request_is_the_union_of_the_terms(self):
        reward = Gate(FormatTerm(), PixelTerm("ssim", size=64) + PixelTerm("l2", size=(32, 16)))
        req = RewardEngine(reward, in_process=True).request
        assert set(req.sizes) == {(64, 64), (32, 16)} and req.render_check


# --- isolation ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fault_engine():
    engine = RewardEngine(
        Gate(FormatTerm("plain"), FaultTerm()), workers=2, timeout_s=3.0, floor=-1.0
    )
    yield engine
    engine.close()


def _marked(marker: str, i: int = 0) -> str:
    return (
        f"<svg {NS} viewBox='0 0 10 10'><!-- {marker} --><rect width='{i + 1}' height='3'/></svg>"
    )


def test_hanging_and_crashing_completions_cost_only_themselves(fault_engine):
    batch = [_marked("fine", i) for i in range(6)]
    batch[1] = _marked("HANG-ME")
    batch[3] = _marked("CRASH-ME")
    batch[4] = _marked("RAISE-ME")
    results = fault_engine.score(batch)
    codes = [r.code for r in results]
    assert codes == ["OK", "RENDER_TIMEOUT", "OK", "RENDER_CRASH", "OK", "OK"]
    assert [r.score for r in results] == [1.0, -1.0, 1.0, -1.0, 0.0, 1.0]
    # a feature that raises loses only itself: the document is still scored
    assert results[4].components == {"format": 1.0, "fault": 0.0}
    # worker failures are not cached (they depend on load); the pool recovered
    assert fault_engine.score([_marked("fine", 9)])[0].score == 1.0
    assert fault_engine._cache.get(results[1].diagnostics.code) is None


def test_engine_pickles_without_its_workers(fault_engine):
    fault_engine.score([_marked("fine", 7)])
    back = pickle.loads(pickle.dumps(fault_engine))
    assert back._pool is None and len(back._cache) == 0
    assert back.names == fault_engine.names


# --- recipes and configs ------------------------------------------------------------------------


class TestConfig:
    def test_recipes_build(self):
        for name in svgkit_rewards.RECIPES:
            reward = build_reward(name)
            assert reward.value_range[0] <= reward.value_range[1]

    def test_rlrf_in_range(self):
        reward = build_reward("rlrf")
        assert reward.value_range == (-1.0, 1.0)

    def test_toml_and_yaml_files(self, tmp_path: Path):
        toml = tmp_path / "r.toml"
        toml.write_text(
            textwrap.dedent(
                """
                recipe = "sgp"
                [engine]
                floor = -1.0
                in_process = true
                [[add_terms]]
                term = "mse"
                weight = 0.5
                size = 32
                """
            )
        )
        yaml_file = tmp_path / "r.yaml"
        yaml_file.write_text(
            "gate: {term: format, policy: plain}\n"
            "terms:\n  - {term: length, weight: 2.0}\n"
            "clip: {low: 0.0, high: 1.0}\n"
            "engine: {in_process: true}\n"
        )
        e1 = RewardEngine.from_config(toml)
        assert e1.floor == -1.0 and e1.names == ("format", "length", "mse")
        e2 = RewardEngine.from_config(str(yaml_file))
        assert e2.names == ("format", "length")
        assert e2([SVG])[0] == 1.0  # 2 × length, clipped

    @pytest.mark.parametrize(
        "config, match",
        [
            ("nope", "neither a recipe"),
            ({"recipe": "nope"}, "Unknown recipe"),
            ({"terms": ["length"], "extra": 1}, "Unknown config keys"),
            ({"terms": ["length"], "engine": {"speed": 1}}, "Unknown engine settings"),
            ({"terms": ["no_such_term"]}, "Unknown term"),
            ({"terms": [{"term": "length", "colour": 1}]}, "Bad settings"),
            ({}, "at least one term"),
        ],
    )
    def test_bad_configs_say_what_is_wrong(self, config, match):
        with pytest.raises(ValueError, match=match):
            build_reward(config)

    def test_dotted_path_terms(self):
        reward = build_reward(
            {"terms": [{"term": "svgkit_rewards.terms:LengthTerm", "max_length": 10}]}
        )
        assert reward.pairs[0][0].max_length == 10

    def test_gate_floor_from_config(self):
        reward = build_reward({"gate": {"term": "format", "floor": -2.0}, "terms": ["length"]})
        assert isinstance(reward, Gate) and reward.floor == -2.0

    def test_load_config_does_not_mutate_the_recipe(self):
        cfg = load_config("sgp")
        cfg["terms"].append({"term": "mse"})
        assert len(load_config("sgp")["terms"]) == 1


# --- properties -----------------------------------------------------------------------------------


ALL_TERMS = Gate(
    FormatTerm("answer"),
    LengthTerm()
    + LengthTerm("rlrf", name="length_rlrf")
    + PixelTerm("mse", size=16)
    + PixelTerm("psnr", size=16)
    + PixelTerm("ssim", size=16)
    + PixelTerm("l2", size=16)
    + PixelTerm("l2_edge", size=16),
)
_PROPERTY_ENGINE = RewardEngine(ALL_TERMS, in_process=True, cache_size=0)
_REF = np.random.default_rng(0).integers(0, 256, (12, 20, 3), dtype=np.uint8)
_LEAF_RANGES = {t.name: t.value_range for t in ALL_TERMS.leaves()}


@settings(max_examples=60)
@given(text=arbitrary_text(), wrap=st.booleans())
def test_every_term_is_finite_and_in_range_for_any_text(text, wrap):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if wrap:
        text = f"<think>t</think> <answer>{text}</answer>"
    [r] = _PROPERTY_ENGINE.score([Sample(text, reference_image=_REF, reference_svg=SVG)])
    assert r.code in {"OK", "EMPTY"} | {c.value for c in svgkit.ErrorCode}
    for name, value in r.components.items():
        lo, hi = _LEAF_RANGES[name]
        assert value is not None and math.isfinite(value) and lo <= value <= hi, (name, value)
    assert r.score is not None and math.isfinite(r.score)
    lo, hi = ALL_TERMS.value_range
    assert lo <= r.score <= hi or r.score == _PROPERTY_ENGINE.floor


@settings(max_examples=30)
@given(st.lists(st.sampled_from([GOOD, BLANK, TRUNC, "no", SVG]), min_size=1, max_size=8))
def test_batch_scores_do_not_depend_on_batch_company(batch):
    engine = RewardEngine(build_reward("svgkit"), in_process=True)
    together = engine([Sample(t, prompt="a red dot") for t in batch])
    alone = [engine([Sample(t, prompt="a red dot")])[0] for t in batch]
    assert together == alone


def test_analyze_never_raises_on_non_text():
    assert analyze(None).code == "BAD_INPUT"  # type: ignore[arg-type]
    assert analyze(b"<svg></svg>").code == "EMPTY"
    assert analyze("<svg/>").code == "NO_SVG"  # the core ignores a self-closed <svg/>


# --- docstring examples -------------------------------------------------------------------------


def test_load_dependent_verdicts_are_not_cached():
    from svgkit_rewards.engine import _cacheable

    assert _cacheable(Analysis("k", "OK"))
    assert _cacheable(Analysis("k", "LIMIT", limit="max_elements"))
    assert _cacheable(Analysis("k", "LIMIT", limit="max_render_work"))
    for code in ("TIMEOUT", "RENDER_TIMEOUT", "RENDER_CRASH", "RENDER_MEMORY", "INTERNAL"):
        assert not _cacheable(Analysis("k", code))
