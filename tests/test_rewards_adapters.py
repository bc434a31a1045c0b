"""The framework adapters, called the way TRL, verl and OpenRLHF call reward functions.

TRL: the kwargs of ``GRPOTrainer._calculate_rewards`` (built from a ``datasets.Dataset`` batch),
standard and conversational, sync and async, and one real ``GRPOTrainer`` step on a tiny random
model. verl: the file loaded by path as ``get_custom_reward_fn`` does, called as the naive and the
batch reward managers call it. OpenRLHF: the file loaded by path as its remote-reward loader does.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import math
import pickle
import sys
import warnings
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np
import pytest

import svgkit_rewards
from svgkit_rewards import RewardEngine, Term, register_term
from svgkit_rewards.adapters import AsyncSVGReward, SVGReward, trl_reward, trl_reward_funcs

NS = 'xmlns="http://www.w3.org/2000/svg"'
SVG = f'<svg {NS} viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="red"/></svg>'
OK = f"<think>a red dot</think> <answer>{SVG}</answer>"
OK2 = f"<think>a dot</think> <answer><svg {NS} viewBox='0 0 8 8'><rect width='4' height='4'/></svg></answer>"
BAD = "I cannot draw that."
TRUNC = f"<think>a red dot</think> <answer><svg {NS} viewBox='0 0 10 10'><circle cx='5' r="
REF_SVG = f'<svg {NS} viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="red"/><rect width="1" height="1"/></svg>'
RED = np.zeros((16, 16, 3), np.uint8)
RED[4:12, 4:12] = (255, 0, 0)


def red_image():
    """A dataset ``Image`` column yields PIL images."""
    from PIL import Image

    return Image.fromarray(RED)


# --- a probe term: records the samples the engine builds ----------------------------------------

SEEN: list[svgkit_rewards.Sample] = []


class ProbeTerm(Term):
    """A leaf that scores 0.5 and records every sample it sees."""

    name = "probe"
    value_range = (0.0, 1.0)

    def compute(self, samples, analyses):
        SEEN.extend(samples)
        return [0.5] * len(samples)


@pytest.fixture
def probe():
    register_term("adapters_probe", ProbeTerm)
    SEEN.clear()
    yield {"terms": [{"term": "adapters_probe"}], "engine": {"in_process": True}}
    SEEN.clear()


# --- TRL: the trainer's calling convention -------------------------------------------------------

def trl_utils():
    """TRL's own helpers for naming and async detection (the tests that need TRL skip
    without it; the verl and OpenRLHF ones do not)."""
    return pytest.importorskip("trl.trainer.utils")


class TrainerLogs:
    """What GRPOTrainer's ``_log_metric`` and ``_log_completion_extra`` collect."""

    def __init__(self) -> None:
        self.metrics: dict[str, list[float]] = defaultdict(list)
        self.extra: dict[str, list[object]] = defaultdict(list)

    def log_metric(self, name: str, value: float) -> None:
        self.metrics[name].append(value)

    def log_extra(self, column: str, values: list) -> None:
        self.extra[column].extend(values)


def dataset_batch(rows: dict[str, list], num_generations: int) -> list[dict]:
    """The trainer's ``inputs``: dataset rows, each repeated ``num_generations`` times."""
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict(rows)
    return [dict(ds[i]) for i in range(len(ds)) for _ in range(num_generations)]


def trl_call(funcs, inputs, completions, completion_ids=None, *, prompts=None, step=0, logs=None):
    """``GRPOTrainer._calculate_rewards`` for custom reward functions: the same kwargs, the
    same sync/async split (``is_async_callable``), the same ``None`` → NaN and length checks.
    ``prompts`` replaces the rows' prompts as the trainer's multimodal preparation does."""
    prompts = prompts if prompts is not None else [x["prompt"] for x in inputs]
    if completion_ids is None:
        completion_ids = [[1, 2, 3, 0] for _ in completions]
    keys = [key for key in inputs[0] if key not in ["prompt", "completion", "completion_ids"]]
    reward_kwargs = {key: [example[key] for example in inputs] for key in keys}
    reward_kwargs["trainer_state"] = SimpleNamespace(global_step=step)
    logs = logs if logs is not None else TrainerLogs()
    reward_kwargs["log_extra"] = logs.log_extra
    reward_kwargs["log_metric"] = logs.log_metric
    out: dict[str, list[float]] = {}
    pending = []
    utils = trl_utils()
    for func in funcs:
        name = utils.get_callable_name(func)
        if utils.is_async_callable(func):
            pending.append((name, func))
            continue
        values = func(prompts=prompts, completions=completions, completion_ids=completion_ids, **reward_kwargs)
        assert len(values) == len(prompts)
        out[name] = [v if v is not None else math.nan for v in values]
    if pending:

        async def run_all():
            coros = [
                f(prompts=prompts, completions=completions, completion_ids=completion_ids, **reward_kwargs)
                for _, f in pending
            ]
            return await asyncio.gather(*coros)

        for (name, _), values in zip(pending, asyncio.run(run_all())):
            out[name] = [v if v is not None else math.nan for v in values]
    return out, logs


def test_trl_standard_batch_scores_floors_and_logs():
    reward = trl_reward("sgp", in_process=True)
    inputs = dataset_batch({"prompt": ["a red dot", "a red square"], "topic": ["dot", "square"]}, 2)
    out, logs = trl_call([reward], inputs, [OK, BAD, TRUNC, OK2])
    scores = out["svgkit_sgp"]
    assert scores[0] > 0.9 and scores[3] > 0.9
    assert scores[1] == 0.0 and scores[2] == 0.0  # NO_SVG and TRUNCATED score the floor
    # components, code shares and flag shares as scalar metrics
    assert logs.metrics["svgkit/format"] == [0.5]
    assert 0.9 < logs.metrics["svgkit/length"][0] <= 1.0
    assert logs.metrics["svgkit/code/OK"] == [0.5]
    assert logs.metrics["svgkit/code/NO_SVG"] == [0.25]
    assert logs.metrics["svgkit/code/TRUNCATED"] == [0.25]
    assert logs.metrics["svgkit/flag/FLOOR"] == [0.5]
    # per-completion columns for the completions table
    assert logs.extra["svgkit/code"] == ["OK", "NO_SVG", "TRUNCATED", "OK"]
    assert logs.extra["svgkit/flags"][1] == "FLOOR"
    # codes seen once keep being logged (0.0) so their averages are not biased
    _, logs2 = trl_call([reward], inputs[:2], [OK, OK2], step=1)
    assert logs2.metrics["svgkit/code/NO_SVG"] == [0.0]
    assert logs2.metrics["svgkit/code/OK"] == [1.0]


def test_trl_conversational_prompts_and_columns_reach_the_sample(probe):
    reward = SVGReward(probe, name="probe")
    prompts = [
        [{"role": "system", "content": "You draw SVG."}, {"role": "user", "content": "a red dot"}],
        [{"role": "user", "content": "trace it"}],
    ]
    inputs = dataset_batch(
        {
            "prompt": prompts,
            "image": [red_image(), red_image()],
            "solution": [REF_SVG, REF_SVG],
            "spec": ['{"objects": 1}', '{"objects": 2}'],
            "finish_reason": ["stop", "length"],
            "difficulty": [1, 2],
        },
        1,
    )
    completions = [[{"role": "assistant", "content": OK}], [{"role": "assistant", "content": OK2}]]
    # with images, the trainer turns a prompt's content into parts before calling the rewards
    prepared = [prompts[0], [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "trace it"}]}]]
    out, _ = trl_call([reward], inputs, completions, prompts=prepared)
    assert out["probe"] == [0.5, 0.0]  # the second was cut off (finish_reason) → floor
    first, second = SEEN
    assert first.completion == OK and second.completion == OK2
    assert first.prompt == "a red dot" and second.prompt == "trace it"
    assert np.asarray(first.reference_image).shape == (16, 16, 3)
    assert first.reference_svg == REF_SVG
    assert first.spec == {"objects": 1}
    assert second.finish_reason == "length"
    assert first.metadata == {"difficulty": 1}


def test_trl_images_column_and_standard_prompt(probe):
    reward = SVGReward(probe)
    inputs = dataset_batch({"prompt": ["trace it"], "images": [[red_image()]]}, 2)
    trl_call([reward], inputs, [OK, OK2])
    assert [np.asarray(s.reference_image).shape for s in SEEN] == [(16, 16, 3)] * 2
    assert all(s.prompt == "trace it" for s in SEEN)


def test_trl_mixed_batch_returns_the_floor_for_invalid():
    reward = trl_reward("rlrf", in_process=True)
    inputs = dataset_batch({"prompt": ["trace"] * 4, "image": [red_image()] * 4, "svg": [REF_SVG] * 4}, 1)
    out, logs = trl_call([reward], inputs, [OK, BAD, "<svg><<<", TRUNC])
    scores = out["svgkit_rlrf"]
    assert scores[1:] == [-1.0, -1.0, -1.0]
    assert -1.0 < scores[0] <= 1.0
    assert set(logs.metrics) >= {"svgkit/format", "svgkit/l2", "svgkit/l2_edge", "svgkit/length"}


def test_trl_eos_token_id_marks_cut_off_completions():
    reward = trl_reward("sgp", in_process=True, eos_token_id=[7, 0])
    inputs = dataset_batch({"prompt": ["a red dot"]}, 2)
    out, _ = trl_call([reward], inputs, [OK, OK], completion_ids=[[5, 6, 7], [5, 6, 5]])
    assert out["svgkit_sgp"][0] > 0.9
    assert out["svgkit_sgp"][1] == 0.0  # last id is no EOS: truncated → floor


def test_trl_names_are_unique_and_what_trl_logs():
    names = [
        trl_utils().get_callable_name(f)
        for f in [
            trl_reward("sgp"),
            trl_reward("rlrf"),
            trl_reward("sgp", name="mine"),
            *trl_reward_funcs("rlrf"),
        ]
    ]
    assert names == [
        "svgkit_sgp",
        "svgkit_rlrf",
        "mine",
        "svgkit_format",
        "svgkit_l2",
        "svgkit_l2_edge",
        "svgkit_length",
    ]
    assert len(set(names)) == len(names)
    assert trl_reward(RewardEngine.from_config("sgp")).__name__ == "svgkit"


def test_trl_pickle_round_trip_is_cheap_and_scores_the_same():
    reward = trl_reward("sgp", in_process=True)
    before = reward(prompts=["a", "a"], completions=[OK, BAD])
    blob = pickle.dumps(reward)
    assert len(blob) < 4000  # the configuration, not an engine
    clone = pickle.loads(blob)
    assert clone.__name__ == "svgkit_sgp"
    assert clone._scorer._engine is None  # rebuilt lazily where it is called
    assert clone(prompts=["a", "a"], completions=[OK, BAD]) == before
    # a shared group pickles together and still shares one engine
    funcs = pickle.loads(pickle.dumps(trl_reward_funcs("sgp", in_process=True)))
    assert funcs[0].engine is funcs[1].engine
    # async rewards too
    assert pickle.loads(pickle.dumps(trl_reward("sgp", asynchronous=True))).__name__ == "svgkit_sgp"


def test_trl_reward_funcs_analyse_each_completion_once():
    funcs = trl_reward_funcs("sgp", in_process=True)
    engine = funcs[0].engine
    inputs = dataset_batch({"prompt": ["a red dot", "a square"]}, 2)
    out, logs = trl_call(funcs, inputs, [OK, BAD, OK2, OK])
    assert engine.counters["analyses"] == 3  # three distinct completions, analysed once
    assert engine.counters["cache_hits"] == 0  # the other function read the batch's results
    assert out["svgkit_format"] == [1.0, 0.0, 1.0, 1.0]
    assert out["svgkit_length"][1] == 0.0  # unusable → the floor in every component
    assert 0.9 < out["svgkit_length"][0] <= 1.0
    assert logs.metrics["svgkit/format"] == [0.75]  # logged once per batch, not per function
    assert len(logs.extra["svgkit/code"]) == 4
    # the next step scores afresh; repeated completions come from the engine's cache
    trl_call(funcs, inputs, [OK, BAD, OK2, OK], step=1)
    assert engine.counters["analyses"] == 3
    assert engine.counters["cache_hits"] == 3
    with pytest.raises(ValueError, match="Unknown component"):
        SVGReward("sgp", component="ssim", in_process=True)(completions=[OK])


def test_trl_async_rewards_are_awaited_like_trl_does():
    reward = trl_reward("sgp", asynchronous=True, name="svgkit_async", in_process=True)
    assert isinstance(reward, AsyncSVGReward)
    assert trl_utils().is_async_callable(reward)
    assert not trl_utils().is_async_callable(trl_reward("sgp"))
    funcs = trl_reward_funcs("sgp", asynchronous=True, log_prefix="parts", in_process=True)
    inputs = dataset_batch({"prompt": ["a red dot"]}, 3)
    out, logs = trl_call([reward, *funcs], inputs, [OK, BAD, OK2])
    assert out["svgkit_async"][1] == 0.0 and out["svgkit_async"][0] > 0.9
    assert out["svgkit_format"] == [1.0, 0.0, 1.0]
    assert funcs[0].engine.counters["analyses"] == 3  # concurrent, still analysed once
    assert logs.metrics["parts/format"] == [2 / 3]
    assert logs.metrics["svgkit/format"] == [2 / 3]


def test_trl_argument_errors():
    with pytest.raises(ValueError, match="Unknown engine settings"):
        trl_reward("sgp", wrokers=2)
    with pytest.raises(ValueError, match=r"Unknown recipe|neither a recipe"):
        trl_reward("nope")
    with pytest.raises(ValueError, match="no engine settings"):
        trl_reward(RewardEngine.from_config("sgp"), floor=1.0)
    with pytest.raises(ValueError, match="eos_token_id"):
        trl_reward("sgp", eos_token_id="eos")
    reward = trl_reward("sgp", in_process=True)
    with pytest.raises(TypeError, match="completions"):
        reward(prompts=["a"], completions=None)
    with pytest.raises(ValueError, match="one entry per completion"):
        reward(prompts=["a"], completions=[OK, OK], reference_svg=[REF_SVG] * 3)


def test_trl_through_the_worker_pool():
    reward = trl_reward("sgp", workers=1, timeout_s=20.0)
    try:
        inputs = dataset_batch({"prompt": ["a red dot"]}, 3)
        out, logs = trl_call([reward], inputs, [OK, BAD, TRUNC])
        assert out["svgkit_sgp"][0] > 0.9 and out["svgkit_sgp"][1:] == [0.0, 0.0]
        assert not reward.engine.in_process
        assert logs.extra["svgkit/code"] == ["OK", "NO_SVG", "TRUNCATED"]
    finally:
        reward.close()


# --- TRL: a real GRPOTrainer step -----------------------------------------------------------------


def tiny_model_dir(tmp_path: Path) -> tuple[str, object]:
    """A 2-layer, 16-wide random Qwen2 and a character-level tokenizer with a chat template,
    built offline."""
    import neural_models

    path = tmp_path / "tiny"
    tokenizer = neural_models.save_tiny_qwen(path, max_positions=256)
    return str(path), tokenizer


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_real_grpo_trainer_step_calls_and_logs_the_reward(tmp_path):
    trl = pytest.importorskip("trl")
    from datasets import Dataset

    model_dir, tokenizer = tiny_model_dir(tmp_path)
    reward = trl_reward("sgp", in_process=True)
    parts = trl_reward_funcs("sgp", log_prefix="parts", in_process=True)
    dataset = Dataset.from_dict(
        {
            "prompt": [[{"role": "user", "content": f"draw {c}"}] for c in "abcd"],
            "reference_svg": [REF_SVG] * 4,
        }
    )
    args = trl.GRPOConfig(
        output_dir=str(tmp_path / "out"),
        max_steps=1,
        num_generations=2,
        per_device_train_batch_size=2,
        max_completion_length=8,
        reward_weights=[1.0, 0.0, 0.0],
        report_to=[],
        use_cpu=True,
        logging_steps=1,
        save_strategy="no",
        log_completions=True,
        disable_tqdm=True,
        seed=0,
    )
    trainer = trl.GRPOTrainer(
        model=model_dir,
        reward_funcs=[reward, *parts],
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.train()
    assert reward.engine.counters["analyses"] >= 1  # our reward ran
    assert parts[0].engine.counters["analyses"] >= 1
    logged = trainer.state.log_history[0]
    for key in (
        "rewards/svgkit_sgp/mean",
        "rewards/svgkit_format/mean",
        "rewards/svgkit_length/mean",
        "svgkit/format",
        "svgkit/length",
        "parts/format",
    ):
        assert key in logged, key
    # random tokens draw nothing: every completion scored the floor, and the logs say why
    assert logged["rewards/svgkit_sgp/mean"] == 0.0
    assert logged["svgkit/code/NO_SVG"] + logged.get("svgkit/code/TRUNCATED", 0.0) == 1.0
    # the completions table carries our per-completion columns
    table = list((tmp_path / "out" / "completions").glob("*.parquet"))
    assert table
    import pandas as pd

    columns = pd.read_parquet(table[0]).columns
    assert {"svgkit/code", "svgkit/flags", "parts/code"} <= set(columns)


# --- verl ------------------------------------------------------------------------------------------


def load_by_path(name: str, path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def _call_with_kwargs(raw_fn, extra_kwargs, *args, **kwargs):
    """verl's wrapper: ``reward_kwargs`` merged into every call, and taking precedence."""
    return raw_fn(*args, **{**kwargs, **extra_kwargs})


@pytest.fixture(scope="module")
def verl_module():
    import svgkit_rewards.adapters.verl as m

    # what verl.trainer.ppo.reward.get_custom_reward_fn does with custom_reward_function.path
    return load_by_path("custom_module", m.__file__)


def verl_naive(compute_score, items, reward_kwargs):
    """verl's NaiveRewardManager loop: one call per response, dict results stacked per key."""
    fn = partial(_call_with_kwargs, compute_score, reward_kwargs)
    reward_extra_info = defaultdict(list)
    rewards = []
    for data_source, response, ground_truth, extra_info in items:
        extra_info = dict(extra_info or {})
        extra_info["num_turns"] = None
        extra_info["rollout_reward_scores"] = {}
        score = fn(
            data_source=data_source,
            solution_str=response,
            ground_truth=ground_truth,
            extra_info=extra_info,
        )
        rewards.append(score["score"])
        for key, value in score.items():
            reward_extra_info[key].append(value)
    return rewards, reward_extra_info


def test_verl_naive_manager_calls(verl_module):
    kwargs = {"config": "sgp", "in_process": True}
    items = [
        ("svg_t2i", OK, "a red dot", {"index": 0}),
        ("svg_t2i", BAD, "a red dot", {"index": 1}),
        ("svg_t2i", TRUNC, REF_SVG, None),
    ]
    rewards, info = verl_naive(verl_module.compute_score, items, kwargs)
    assert rewards[0] > 0.9 and rewards[1:] == [0.0, 0.0]
    assert set(info) == {"score", "format", "length", "valid"}
    for key, values in info.items():  # verl: np.array per key, averaged into metrics
        arr = np.array(values)
        assert arr.shape == (3,) and arr.dtype == np.float64, key
        assert np.isfinite(arr.mean())
    assert info["valid"] == [1.0, 0.0, 0.0]


def test_verl_batch_manager_calls_with_numpy_columns(verl_module):
    fn = partial(_call_with_kwargs, verl_module.compute_score_batch, {"config": "rlrf", "in_process": True})
    extra_infos = np.array(
        [{"image": RED, "prompt": [{"role": "user", "content": "trace"}]}, {"image": RED}, {}, {}],
        dtype=object,
    )
    rows = fn(
        data_sources=np.array(["svg_i2s"] * 4, dtype=object),
        solution_strs=[OK, BAD, OK2, OK],
        ground_truths=[REF_SVG, REF_SVG, "a red dot", None],
        extra_infos=extra_infos,
    )
    assert len(rows) == 4
    assert all(sorted(r) == ["format", "l2", "l2_edge", "length", "score", "valid"] for r in rows)
    assert all(isinstance(v, float) for r in rows for v in r.values())
    assert rows[1]["score"] == -1.0 and rows[1]["valid"] == 0.0
    assert rows[0]["l2"] != 0.0  # the image applied
    assert rows[3]["l2"] == 0.0 and rows[3]["length"] == 0.0  # no references: `missing`
    # `missing` is configurable
    nan_rows = verl_module.compute_score_batch(
        ["x"], [OK], [None], None, config="rlrf", in_process=True, missing=float("nan")
    )
    assert math.isnan(nan_rows[0]["l2"])


def test_verl_engines_are_cached_per_kwargs_and_extra_kwargs_ignored(verl_module):
    a = verl_module.get_engine(config="sgp", in_process=True)
    assert verl_module.get_engine(in_process=True, config="sgp") is a
    assert verl_module.get_engine(config="sgp", in_process=True, floor=-1.0) is not a
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # verl's own extra kwargs raise no warning
        verl_module.compute_score(
            "x", OK, "a", None, in_process=True, reward_router_address=None, reward_model_tokenizer=None
        )
    with pytest.warns(UserWarning, match="unknown reward_kwargs key 'flor'"):
        verl_module.compute_score("x", OK, "a", None, in_process=True, flor=1.0)


def test_verl_compute_score_is_thread_safe(verl_module):
    # verl's reward loop runs compute_score in an executor, many at once
    kwargs = {"config": "sgp", "in_process": True, "cache_size": 0}
    responses = [OK, BAD, OK2, TRUNC] * 4
    with ThreadPoolExecutor(8) as pool:
        rows = list(pool.map(lambda r: verl_module.compute_score("x", r, "a", None, **kwargs), responses))
    expected = verl_module.compute_score_batch(["x"] * 4, responses[:4], ["a"] * 4, None, **kwargs)
    assert rows == expected * 4


# --- OpenRLHF --------------------------------------------------------------------------------------


@pytest.fixture
def openrlhf_module(monkeypatch):
    pytest.importorskip("torch")
    import svgkit_rewards.adapters.openrlhf as m

    monkeypatch.setenv(m.CONFIG_ENV, "sgp")
    monkeypatch.setenv(m.OPTIONS_ENV, json.dumps({"in_process": True}))
    # what OpenRLHF does with --reward.remote_url /path/to/file.py
    spec = importlib.util.spec_from_file_location("reward_func", m.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def chatml(user: str) -> str:
    return f"<|im_start|>system\nYou draw SVG.<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"


def test_openrlhf_reward_func_strips_prompt_and_special_tokens(openrlhf_module):
    prompts = [chatml("a red dot"), chatml("a square"), chatml("nothing")]
    queries = [
        prompts[0] + OK + "<|im_end|>\n<|endoftext|><|endoftext|>",
        "<s>" + prompts[1] + OK2 + "</s><pad><pad>",
        "unrelated text " + BAD,
    ]
    with pytest.warns(UserWarning, match="prompt was not found"):
        out = openrlhf_module.reward_func(queries, prompts, ["", None, "a dot"])
    rewards, scores, logs = out["rewards"], out["scores"], out["extra_logs"]
    import torch

    assert rewards.shape == (3,) and rewards.dtype == torch.float32
    assert torch.equal(rewards, scores)
    assert rewards[0] > 0.9 and rewards[1] > 0.9  # the prompt was cut: the format check passed
    assert rewards[2] == 0.0
    assert set(logs) == {"svgkit/format", "svgkit/length", "svgkit/valid", "svgkit/prompt_not_found"}
    assert all(v.shape == (3,) and v.dtype == torch.float32 for v in logs.values())
    assert logs["svgkit/prompt_not_found"].tolist() == [0.0, 0.0, 1.0]
    assert logs["svgkit/valid"].tolist() == [1.0, 1.0, 0.0]


def test_openrlhf_split_query_and_prompt_text(openrlhf_module):
    split = openrlhf_module.split_query
    assert split(chatml("a") + "<svg/><|im_end|>", chatml("a")) == ("<svg/>", True)
    assert split("<|begin_of_text|>P<svg/><|eot_id|>", "P") == ("<svg/>", True)
    assert split("Q <svg/>", "P") == ("Q <svg/>", False)
    assert split("<svg/><|end|>\n", None) == ("<svg/>", True)


def test_openrlhf_labels_and_environment_config(openrlhf_module, monkeypatch):
    monkeypatch.setenv(openrlhf_module.CONFIG_ENV, "rlrf")
    prompt = chatml("trace this")
    out = openrlhf_module.reward_func([prompt + OK + "<|im_end|>"] * 2, [prompt] * 2, [REF_SVG, ""])
    assert out["extra_logs"]["svgkit/length"][0] != 0.0  # the label was the reference SVG
    assert out["extra_logs"]["svgkit/length"][1] == 0.0  # none: the component did not apply
    assert set(out["extra_logs"]) >= {"svgkit/l2", "svgkit/l2_edge"}
    monkeypatch.setenv(openrlhf_module.CONFIG_ENV, "sgp")
    eng = openrlhf_module.get_engine()
    assert eng.names == ("format", "length")
    monkeypatch.setenv(openrlhf_module.OPTIONS_ENV, "[1]")
    with pytest.raises(ValueError, match="JSON object"):
        openrlhf_module.get_engine()


def test_openrlhf_prompt_reaches_the_sample(openrlhf_module, monkeypatch, probe, tmp_path):
    config = tmp_path / "probe.json"
    config.write_text(json.dumps(probe))
    monkeypatch.setenv(openrlhf_module.CONFIG_ENV, str(config))
    prompt = chatml("a red dot")
    openrlhf_module.reward_func([prompt + OK] * 3, [prompt] * 3, ["", "a blue dot", json.dumps({"prompt": "p", "svg": REF_SVG})])
    assert [s.prompt for s in SEEN] == ["a red dot", "a blue dot", "p"]
    assert SEEN[2].reference_svg == REF_SVG
    assert SEEN[0].completion == OK


def test_openrlhf_per_sample_threaded_calls_like_the_agent_executor(openrlhf_module):
    # current OpenRLHF: one query per call, each in asyncio.to_thread, many at once; extra_logs
    # values are read as value.flatten()[0].item()
    prompt = chatml("a red dot")
    queries = [prompt + q + "<|im_end|>" for q in (OK, BAD, OK2, TRUNC)]

    async def run():
        return await asyncio.gather(
            *(asyncio.to_thread(openrlhf_module.reward_func, [q], [prompt], [""]) for q in queries)
        )

    outs = asyncio.run(run())
    rewards = [float(o["rewards"].flatten()[0]) for o in outs]
    assert rewards[0] > 0.9 and rewards[1] == 0.0 and rewards[2] > 0.9 and rewards[3] == 0.0
    info = [{k: v.flatten()[0].item() for k, v in o["extra_logs"].items()} for o in outs]
    assert [i["svgkit/valid"] for i in info] == [1.0, 0.0, 1.0, 0.0]


def test_openrlhf_through_the_worker_pool(monkeypatch):
    pytest.importorskip("torch")
    import svgkit_rewards.adapters.openrlhf as m

    monkeypatch.setenv(m.CONFIG_ENV, "sgp")
    monkeypatch.setenv(m.OPTIONS_ENV, json.dumps({"workers": 1, "timeout_s": 20.0}))
    module = load_by_path("reward_func", m.__file__)
    out = module.reward_func([chatml("a") + OK, chatml("a") + BAD], [chatml("a")] * 2, None)
    assert out["rewards"].tolist()[1] == 0.0 and out["rewards"][0] > 0.9
    engine = module.get_engine()
    assert not engine.in_process
    engine.close()


def test_empty_batches(verl_module, openrlhf_module):
    assert trl_reward("sgp", in_process=True)(prompts=[], completions=[]) == []
    assert verl_module.compute_score_batch([], [], [], None, in_process=True) == []
    out = openrlhf_module.reward_func([], [], [])
    assert out["rewards"].shape == (0,)
    assert set(out["extra_logs"]) == {"svgkit/format", "svgkit/length", "svgkit/valid", "svgkit/prompt_not_found"}


# --- the package surface and docstring examples ---------------------------------------------------


def test_adapters_import_is_light_and_lazy():
    code = (
        "import sys, svgkit_rewards.adapters as a; "
        "heavy = [m for m in ('trl', 'torch', 'transformers', 'verl', 'openrlhf') if m in sys.modules]; "
        "assert not heavy, heavy; "
        "assert sorted(a.__all__) == a.__all__; "
        "a.SVGReward; import svgkit_rewards.adapters.verl; "
        "heavy = [m for m in ('trl', 'torch', 'transformers') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True)


def test_star_import():
    namespace: dict[str, object] = {}
    exec("from svgkit_rewards.adapters import *", namespace)
    assert {"SVGReward", "AsyncSVGReward", "trl_reward", "trl_reward_funcs"} <= set(namespace)
