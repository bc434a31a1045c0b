"""svgkit-train-grpo: config, data, reward wiring, the sample table, and offline CPU GRPO runs.

The smoke runs train a tiny Qwen2 policy (fitted here to answer each prompt with a few SVG
completions: right colours, swapped colours, an unclosed document, no drawing) with TRL's real
``GRPOTrainer`` for 2 steps on 4 SGP-CompBench-style prompts under the verifiable ``compbench``
reward (format gate × composition + anti-hacking + length). Nothing is downloaded.
"""

from __future__ import annotations

import json
import math
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("trl")
pytest.importorskip("datasets")

from svgkit_rewards import RewardEngine, Sample
from svgkit_rewards.adapters import trl_reward
from svgkit_rewards.train import (
    PAPER_DEFAULTS,
    ConfigError,
    grpo,
    load_train_config,
    parse_config,
)
from svgkit_rewards.train import data as train_data
from svgkit_rewards.train.samples import SampleTableCallback, sample_rows

PAIRS = [("apple", "red", "bowl", "blue"), ("car", "green", "bird", "yellow"),
         ("ball", "pink", "box", "purple"), ("cat", "black", "dog", "white")]


def answer(a: str, ca: str, b: str, cb: str) -> str:
    return (f'<think>{a} left, {b} right</think> <answer><svg width="64" height="64">'
            f'<g id="{a}"><circle cx="16" cy="32" r="12" fill="{ca}"/></g>'
            f'<g id="{b}"><rect x="36" y="24" width="20" height="16" fill="{cb}"/></g>'
            "</svg></answer>")


def compbench_records() -> list[dict]:
    return [
        {"id": f"binding_color_{i}", "prompt": f"a {ca} {a} and a {cb} {b}",
         "gen_type": "text2svg", "major_type": "binding", "minor_type": "color",
         "metadata": {"colors": [ca, cb], "nouns": [a, b]}}
        for i, (a, ca, b, cb) in enumerate(PAIRS)
    ]


@pytest.fixture(scope="module")
def policy_dir(tmp_path_factory) -> Path:
    """A tiny policy that answers "draw: <prompt>" with good, colour-swapped, unclosed or
    drawing-less completions (so that a GRPO group has different rewards)."""
    import neural_models

    path = tmp_path_factory.mktemp("policy")
    examples = []
    for a, ca, b, cb in PAIRS:
        good = answer(a, ca, b, cb)
        examples.append((f"draw: a {ca} {a} and a {cb} {b}", [
            good, answer(a, cb, b, ca), good.replace("</svg></answer>", ""),
            f"I would draw a {ca} {a}."]))
    neural_models.save_tiny_svg_policy(path, examples, steps=100)
    return path


def write_config(tmp_path: Path, policy: Path, **grpo_overrides) -> Path:
    (tmp_path / "prompts.json").write_text(json.dumps(compbench_records()))
    grpo_table = {
        "output_dir": str(tmp_path / "out"), "use_cpu": True, "num_generations": 4,
        "per_device_train_batch_size": 8, "max_completion_length": 128, "max_steps": 2,
        "learning_rate": 1e-5, "report_to": [], "save_strategy": "no", "seed": 0,
        "disable_tqdm": True, **grpo_overrides,
    }
    lines = [
        "[model]", f'path = "{policy}"', "",
        "[data]", 'train = "prompts.json"', 'template = "draw: {prompt}"', 'system_prompt = ""',
        "object_instruction = false", "",
        "[reward]", 'recipe = "compbench"', "",
        "[grpo]", *(f"{k} = {json.dumps(v)}" for k, v in grpo_table.items()), "",
        "[samples]", "every = 1", "count = 4", "size = 32",
    ]
    path = tmp_path / "train.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def model_weights(model) -> dict[str, np.ndarray]:
    return {k: v.detach().float().cpu().numpy().copy() for k, v in model.state_dict().items()}


# --- the smoke runs -------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_grpo_smoke_run_scores_every_completion_logs_components_and_learns(tmp_path, policy_dir):
    from transformers import AutoModelForCausalLM

    before = model_weights(AutoModelForCausalLM.from_pretrained(policy_dir))
    cfg = load_train_config(write_config(tmp_path, policy_dir))
    setup = grpo.build_setup(cfg)
    try:
        assert setup.grpo_args["epsilon_high"] == 0.28 and setup.grpo_args["beta"] == 0.0
        assert setup.grpo_args["use_vllm"] is False  # no vLLM here
        assert setup.eos_token_id  # truncated completions are recognised
        engine = setup.reward_funcs[0].engine
        scored: list = []
        score = engine.score

        def recording_score(samples):
            results = score(samples)
            scored.extend(results)
            return results

        engine.score = recording_score
        trainer = grpo.build_trainer(setup)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trainer.train()
        # 2 steps x 2 prompts x 4 generations: every completion was scored
        assert len(scored) == 16
        assert all(r.score is not None and math.isfinite(r.score) for r in scored)
        assert {r.code for r in scored} & {"OK"}  # some drew, ...
        assert len({r.score for r in scored}) > 1  # ... and not all alike
        steps = [log for log in trainer.state.log_history if "rewards/svgkit_compbench/mean" in log]
        assert len(steps) == 2
        for log in steps:
            for key in ("svgkit/format", "svgkit/composition", "svgkit/hacks", "svgkit/length"):
                assert key in log and math.isfinite(log[key]), key
            shares = sum(v for k, v in log.items() if k.startswith("svgkit/code/"))
            assert shares == pytest.approx(1.0)
        # the groups had different rewards, so GRPO had an advantage to follow ...
        assert max(log["reward_std"] for log in steps) > 0
        # ... and the policy moved
        after = model_weights(trainer.model)
        changed = [k for k in before if not np.array_equal(before[k], after[k])]
        assert changed, "no parameter changed"
        # the sample table of each step, with renders of the completions that draw
        for step in (1, 2):
            folder = Path(cfg.grpo["output_dir"]) / "samples" / f"step_{step:06d}"
            rows = [json.loads(x) for x in (folder / "samples.jsonl").read_text().splitlines()]
            assert len(rows) == 4
            assert all(r["prompt"].startswith("a ") for r in rows)  # the caption, not the template
            for r in rows:
                assert r["rendered"] == ("image" in r)
                if r["rendered"]:
                    assert (folder / r["image"]).is_file()
                else:
                    assert r["code"] != "OK" or "FLOOR" in r["flags"]
    finally:
        setup.close()


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_cli_trains_saves_the_model_state_and_completions_table(tmp_path, policy_dir, capsys):
    path = write_config(tmp_path, policy_dir, log_completions=True, max_steps=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert grpo.main(["--config", str(path), "--set", "grpo.max_steps=2"]) == 0
    out = tmp_path / "out"
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    state = json.loads((out / "trainer_state.json").read_text())
    assert state["global_step"] == 2  # the --set override won over the file
    assert any("svgkit/composition" in log for log in state["log_history"])
    # TRL's completions table: one row per completion, each with a finite reward and our code
    import pandas as pd

    tables = sorted((out / "completions").glob("*.parquet"))
    assert tables
    frame = pd.concat([pd.read_parquet(t) for t in tables])
    assert len(frame) == 16
    assert frame["svgkit_compbench"].notna().all()
    assert set(frame["svgkit/code"]) <= {"OK", "TRUNCATED", "NO_SVG"}


# --- the command line -----------------------------------------------------------------------------


def test_dry_run_reports_settings_without_loading_the_model(tmp_path, policy_dir, capsys):
    path = write_config(tmp_path, policy_dir)
    assert grpo.main(["--config", str(path), "--dry-run"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["train_rows"] == 4
    assert summary["reward_funcs"] == ["svgkit_compbench"]
    assert summary["reward_components"] == ["format", "composition", "hacks", "length"]
    assert summary["first_prompt"] == [{"role": "user", "content": "draw: a red apple and a blue bowl"}]
    assert summary["grpo"]["temperature"] == 1.0 and summary["grpo"]["num_generations"] == 4
    assert summary["grpo"]["model_init_kwargs"] == {"dtype": "float32"}
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["sgp", "compbench", "image", "zero3"])
def test_init_prints_each_bundled_example(name, capsys):
    assert grpo.main(["--init", name]) == 0
    text = capsys.readouterr().out
    if name == "zero3":
        import yaml

        cfg = yaml.safe_load(text)
        assert cfg["deepspeed_config"]["zero_stage"] == 3 and cfg["num_processes"] == 8
        return
    import tomllib

    cfg = parse_config(tomllib.loads(text))
    assert cfg.samples.every == 50
    args = cfg.grpo_args()
    for key in ("num_generations", "learning_rate", "beta", "epsilon", "epsilon_high"):
        assert args[key] == PAPER_DEFAULTS[key]


def test_the_sgp_example_is_the_papers_reward():
    import tomllib

    cfg = parse_config(tomllib.loads(grpo.example_config("sgp")))
    reward = cfg.reward.config
    assert reward["recipe"] == "sgp"
    siglip, dino = reward["add_terms"]
    assert siglip["term"] == "siglip" and siglip["mode"] == "rescaled" and siglip["max_length"] == 64
    assert dino["term"] == "dino" and dino["pooling"] == "cls"
    assert cfg.grpo_args()["max_completion_length"] == 3000


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("[model]\npath='m'\n", "[data] needs `train`"),
        ("[data]\ntrain='t'\n", "[model] needs `path`"),
        ("[model]\npath='m'\n[data]\ntrain='t'\n[optim]\nx=1\n", "unknown table"),
        ("[model]\npath='m'\nsize=7\n[data]\ntrain='t'\n", "unknown key(s) ['size'] in [model]"),
        ("[model]\npath='m'\n[data]\ntrain='t'\nlimit=-1\n", "`data.limit`"),
        ("[model]\npath='m'\n[data]\ntrain='t'\n[reward]\nmode='sum'\n", "`reward.mode`"),
        ("[model]\npath='m'\n[data]\ntrain='t'\n[reward]\nconfig='sgp'\nrecipe='x'\n",
         "give one or the other"),
        ("[model]\npath='m'\n[data]\ntrain='t'\n[grpo]\nuse_vllm='yes'\n", "`grpo.use_vllm`"),
        ("[model]\npath='m'\n[data]\ntrain='t'\n[samples]\ncount=0\n", "`samples.count`"),
        ("[model]\npath='m'\ndtype='int8'\n[data]\ntrain='t'\n", "`model.dtype`"),
        ("[model\n", "does not parse"),
    ],
)
def test_bad_configs_exit_2_with_the_key_named(tmp_path, body, needle, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    assert grpo.main(["--config", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_bad_data_reward_and_grpo_settings_exit_2(tmp_path, policy_dir, capsys):
    path = write_config(tmp_path, policy_dir)
    (tmp_path / "prompts.json").write_text("[{\"id\": 1, \"prompt\": \"x\", \"major_type\": 3}]")
    assert grpo.main(["--config", str(path), "--dry-run"]) == 2
    assert "[data]" in capsys.readouterr().err

    path = write_config(tmp_path, policy_dir)
    assert grpo.main(["--config", str(path), "--dry-run", "--set", "reward.recipe=nope"]) == 2
    assert "Unknown recipe 'nope'" in capsys.readouterr().err

    bad_model = ["--set", "reward.add_terms=[{term='siglip', model='/no/such/siglip'}]"]
    assert grpo.main(["--config", str(path), "--dry-run", *bad_model]) == 2
    assert "/no/such/siglip" in capsys.readouterr().err

    assert grpo.main(["--config", str(path), "--dry-run", "--set", "model.path=/no/model"]) == 2
    assert "/no/model" in capsys.readouterr().err

    assert grpo.main(["--config", str(path), "--set", "grpo.no_such_field=1"]) == 2
    assert "[grpo]" in capsys.readouterr().err

    assert grpo.main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert grpo.main(["--config", str(path), "--set", "nokey"]) == 2
    assert grpo.main([]) == 2


def test_use_vllm_auto_without_vllm_and_true_refused(monkeypatch):
    monkeypatch.setattr(grpo.importlib.util, "find_spec", lambda name, *a: None)
    assert grpo.resolve_use_vllm("auto") is False
    assert grpo.resolve_use_vllm(False) is False
    with pytest.raises(ConfigError, match="vLLM is not installed"):
        grpo.resolve_use_vllm(True)


def test_overrides_and_relative_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.jsonl").write_text('{"prompt": "a dot"}\n')
    (tmp_path / "sub" / "reward.toml").write_text('recipe = "svgkit"\n')
    cfg_path = tmp_path / "sub" / "c.toml"
    cfg_path.write_text("[model]\npath = 'org/hub-model'\n[data]\ntrain = 'p.jsonl'\n"
                        "[reward]\nconfig = 'reward.toml'\n")
    cfg = load_train_config(cfg_path, {"grpo.max_steps": 3, "samples.every": 0})
    assert cfg.data.train == str((tmp_path / "sub" / "p.jsonl").resolve())
    assert cfg.reward.config == str((tmp_path / "sub" / "reward.toml").resolve())
    assert cfg.model.path == "org/hub-model"  # not a file: a hub id, left as written
    assert cfg.grpo == {"max_steps": 3} and cfg.samples.every == 0
    assert grpo.build_reward_funcs(cfg)[0].engine.floor == -1.0  # the svgkit recipe's


def test_components_mode_gives_one_function_per_component(tmp_path, policy_dir):
    cfg = load_train_config(write_config(tmp_path, policy_dir), {"reward.mode": "components"})
    funcs = grpo.build_reward_funcs(cfg)
    assert [f.__name__ for f in funcs] == ["svgkit_format", "svgkit_composition", "svgkit_hacks",
                                           "svgkit_length"]
    assert funcs[0].engine is funcs[1].engine


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                     st.text(max_size=8))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8)
_keys = st.sampled_from(["model", "data", "reward", "grpo", "samples", "path", "train", "mode",
                         "limit", "every", "count", "size", "dtype", "config", "use_vllm", "x"])


@given(st.dictionaries(_keys, st.one_of(_values, st.dictionaries(_keys, _values, max_size=4)),
                       max_size=5))
def test_any_config_mapping_parses_or_raises_config_error(data):
    try:
        cfg = parse_config(data)
    except ConfigError:
        return
    assert cfg.model.path and cfg.data.train
    assert cfg.reward.mode in ("reward", "components")


@given(st.text(max_size=40))
def test_set_values_never_raise(text):
    from svgkit_rewards.train.config import parse_value

    parse_value(text)


# --- data -----------------------------------------------------------------------------------------


def test_caption_jsonl_with_solution_and_no_ids(tmp_path):
    svg = "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'><rect width='4' height='4'/></svg>"
    path = tmp_path / "coco.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"prompt": "a red apple", "solution": "a red apple on a table"},
        {"solution": "two cats"},
        {"prompt": "a black square", "solution": svg},
    ]))
    ds = train_data.build_dataset(path)
    assert ds["id"] == ["1", "2", "3"]
    assert ds["caption"] == ["a red apple", "two cats", "a black square"]
    assert ds["reference_svg"] == [None, None, svg]
    assert "spec" not in ds.column_names  # empty everywhere: dropped
    system, user = ds[0]["prompt"]
    assert system["role"] == "system" and "<answer>" in system["content"]
    assert user["content"].endswith("a red apple")


def test_compbench_rows_carry_the_spec_and_the_object_instruction(tmp_path):
    path = tmp_path / "cb.json"
    path.write_text(json.dumps(compbench_records()))
    rows = train_data.prompt_rows(train_data.load_prompts(path, limit=2))
    assert len(rows) == 2
    assert json.loads(rows[0]["spec"])["metadata"]["nouns"] == ["apple", "bowl"]
    assert "<g id=" in rows[0]["prompt"][-1]["content"]  # asked to name the objects' groups
    assert rows[0]["category"] == "color" and rows[0]["caption"] == "a red apple and a blue bowl"


def test_image_folder_gives_an_image_column_and_refuses_mixing(tmp_path):
    from PIL import Image

    folder = tmp_path / "icons"
    folder.mkdir()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(folder / "red.png")
    (folder / "sq.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'><rect width='2' height='2'/></svg>")
    ds = train_data.build_dataset(folder)
    assert ds["id"] == ["red", "sq"] and ds["kind"] == ["image", "image"]
    assert ds[0]["image"].size == (8, 8) and ds[1]["image"].size == (512, 512)
    assert "caption" not in ds.column_names
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps({"prompt": "a dot"}) + "\n"
                     + json.dumps({"reference_image": str(folder / "red.png")}) + "\n")
    with pytest.raises(ValueError, match="mix both"):
        train_data.build_dataset(mixed)


def test_caption_column_is_what_the_reward_scores_against():
    seen = []

    class Probe(RewardEngine):
        def score(self, samples):
            seen.extend(samples)
            return super().score(samples)

    engine = Probe.from_config("sgp", in_process=True)
    reward = trl_reward(engine)
    templated = [[{"role": "user", "content": "Write SVG code for: a red dot"}]]
    reward(prompts=templated, completions=["no"], caption=["a red dot"])
    reward(prompts=templated, completions=["no"])
    assert [s.prompt for s in seen] == ["a red dot", "Write SVG code for: a red dot"]


# --- the sample table -----------------------------------------------------------------------------


class _State:
    def __init__(self, step: int) -> None:
        self.global_step = step
        self.is_world_process_zero = True


def scored_batch():
    engine = RewardEngine.from_config("compbench", in_process=True)
    spec = compbench_records()[0]
    samples = [Sample(answer("apple", "red", "bowl", "blue"), prompt="a red apple and a blue bowl",
                      spec=spec),
               Sample("I would draw a red apple.", prompt="a red apple and a blue bowl", spec=spec)]
    return samples, engine.score(samples)


def test_sample_rows_render_usable_drawings_only():
    samples, results = scored_batch()
    rows = sample_rows(samples, results, step=3, count=8, size=24)
    assert [r.code for r in rows] == ["OK", "NO_SVG"]
    assert rows[0].render.shape == (24, 24, 3) and rows[1].render is None
    red = rows[0].render.reshape(-1, 3)
    assert ((red[:, 0] > 200) & (red[:, 1] < 50)).any()  # the red apple is in the picture
    assert rows[0].score == pytest.approx(results[0].score)
    assert len(sample_rows(samples, results, step=3, count=1)) == 1


def test_sample_table_goes_to_wandb_and_tensorboard(tmp_path, monkeypatch):
    logged = {}

    class FakeTable:
        def __init__(self, columns, data):
            self.columns, self.data = columns, data

    fake_wandb = types.SimpleNamespace(
        run=object(), Image=lambda array: ("image", array.shape), Table=FakeTable,
        log=lambda payload: logged.update(payload))
    monkeypatch.setitem(sys.modules, "wandb", fake_wandb)

    class Writer:
        def __init__(self):
            self.images, self.texts = [], []

        def add_image(self, tag, img, step, dataformats):
            self.images.append((tag, img.shape, step, dataformats))

        def add_text(self, tag, text, step):
            self.texts.append((tag, text, step))

    writer = Writer()
    trainer = types.SimpleNamespace(callback_handler=types.SimpleNamespace(
        callbacks=[types.SimpleNamespace(tb_writer=writer)]))
    reward = types.SimpleNamespace(last_batch=scored_batch())
    callback = SampleTableCallback(reward, every=2, count=2, size=16)
    callback.attach(trainer)
    args = types.SimpleNamespace(output_dir=str(tmp_path), report_to=["wandb", "tensorboard"])
    callback.on_step_end(args, _State(1), None)  # not a multiple of `every`
    assert not logged and not (tmp_path / "samples").exists()
    callback.on_step_end(args, _State(2), None)
    table = logged["svgkit/samples"]
    assert table.columns[:4] == ["step", "prompt", "completion", "render"]
    assert table.data[0][3] == ("image", (16, 16, 3)) and table.data[1][3] is None
    assert writer.images == [("svgkit/samples/0", (16, 16, 3), 2, "HWC")]
    assert "NO_SVG" in writer.texts[0][1]
    assert (tmp_path / "samples" / "step_000002" / "0.png").is_file()
    assert callback.tables[0][0].render is None  # images dropped once logged


def test_sample_table_skips_without_a_batch_or_when_off(tmp_path):
    args = types.SimpleNamespace(output_dir=str(tmp_path), report_to=[])
    SampleTableCallback(types.SimpleNamespace(last_batch=None), every=1).on_step_end(
        args, _State(1), None)
    SampleTableCallback(types.SimpleNamespace(last_batch=scored_batch()), every=0).on_step_end(
        args, _State(1), None)
    assert not (tmp_path / "samples").exists()
