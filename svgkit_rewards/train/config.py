"""The training script's configuration: one TOML / YAML / JSON file, checked before anything
heavy loads.

A config has five tables, all optional but ``model`` and ``data``::

    [model]                      # the policy: a local directory (or a hub id, with network)
    path = "/models/Qwen2.5-7B-Instruct"
    dtype = "bfloat16"           # auto | bfloat16 | float16 | float32
    attn_implementation = "sdpa" # optional, passed to from_pretrained

    [data]                       # what svgkit-bench reads (svgkit_rewards.bench.load_suite)
    train = "coco_train.jsonl"   # caption JSONL, records, CompBench JSON, or an image folder
    format = "auto"
    eval = "coco_val.jsonl"      # optional
    limit = 0                    # first N prompts only (0: all)
    template = "…{prompt}…"       # user message (default: the benchmark runner's)
    system_prompt = "…"          # "" sends none

    [reward]                     # a reward config (see svgkit_rewards.load_config) …
    recipe = "sgp"
    mode = "reward"              # … scored as one reward, or "components" (TRL weights them)

    [grpo]                       # any trl.GRPOConfig field; unset ones take PAPER_DEFAULTS
    output_dir = "runs/sgp"

    [samples]                    # the table of sample completions with their renders
    every = 50
    count = 8
    size = 256

A relative model, data or reward-config path is looked up beside the config file first, then
in the working directory; ``grpo.output_dir`` is relative to the working directory, as for any
trainer. ``--set table.key=value`` on the command line overrides one key.

Examples
--------
>>> cfg = parse_config({"model": {"path": "m"}, "data": {"train": "t.jsonl"}})
>>> cfg.reward.config, cfg.reward.mode, cfg.grpo_args()["epsilon_high"]
('sgp', 'reward', 0.28)
"""

from __future__ import annotations

import copy
import dataclasses
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "PAPER_DEFAULTS",
    "ConfigError",
    "DataConfig",
    "ModelConfig",
    "RewardConfig",
    "SamplesConfig",
    "TrainConfig",
    "load_train_config",
    "parse_config",
]

#: ``GRPOConfig`` values the script uses unless the config sets them: the reference paper's
#: GRPO settings (8 samples per prompt, temperature 1.0, learning rate 1e-6, no KL term, clip
#: ε 0.2 low / 0.28 high, completions up to 3,000 tokens), plus logging every step with the
#: completions table on.
PAPER_DEFAULTS: dict[str, Any] = {
    "num_generations": 8,
    "temperature": 1.0,
    "learning_rate": 1e-6,
    "beta": 0.0,
    "epsilon": 0.2,
    "epsilon_high": 0.28,
    "max_completion_length": 3000,
    "logging_steps": 1,
    "log_completions": True,
    "output_dir": "svgkit-grpo",
}

_TABLES = ("model", "data", "reward", "grpo", "samples")
_DTYPES = ("auto", "bfloat16", "float16", "float32")
_REWARD_MODES = ("reward", "components")
_VLLM = ("auto", True, False)
_FORMATS = ("auto", "records", "compbench", "images")


class ConfigError(ValueError):
    """The training config is unreadable or wrong; the message names the key."""


@dataclass(frozen=True)
class ModelConfig:
    """The policy model.

    Attributes
    ----------
    path : str
        A local model directory (or a Hugging Face hub id, which needs network access).
    dtype : str
        ``auto`` (bf16 on a GPU that supports it, else fp32), ``bfloat16``, ``float16`` or
        ``float32``.
    attn_implementation : str or None
        Passed to ``from_pretrained`` (``sdpa``, ``flash_attention_2``, …).
    """

    path: str
    dtype: str = "auto"
    attn_implementation: str | None = None


@dataclass(frozen=True)
class DataConfig:
    """The prompts (read with :func:`svgkit_rewards.bench.load_suite`).

    Attributes
    ----------
    train, eval : str, str or None
        Training (and optional evaluation) prompts: caption JSONL (``{prompt, solution}``),
        svgkit records, SGP-CompBench JSON, or a folder of reference pictures and SVGs.
    format : str
        ``auto``, ``records``, ``compbench`` or ``images``.
    limit : int
        Use the first ``limit`` prompts only (0: all).
    template : str or None
        The user message, a :meth:`str.format` template with ``{prompt}`` (default: the
        benchmark runner's SGP-style template).
    system_prompt : str or None
        The system message (default: the benchmark runner's, which asks for reasoning in
        ``<think>`` and the SVG in ``<answer>``); ``""`` sends none.
    object_instruction : bool
        Ask composition prompts to name each object's group, so that the checks find them.
    """

    train: str
    eval: str | None = None
    format: str = "auto"
    limit: int = 0
    template: str | None = None
    system_prompt: str | None = None
    object_instruction: bool = True


@dataclass(frozen=True)
class RewardConfig:
    """The reward.

    Attributes
    ----------
    config : str or mapping
        A recipe name, the path of a reward config file, or a reward config mapping (the
        ``[reward]`` table's own keys: ``recipe``, ``gate``, ``terms``, ``add_terms``, ``clip``,
        ``engine``).
    mode : str
        ``reward``: one TRL reward function, the recipe's reward (its components are logged);
        ``components``: one function per leaf component, which TRL sums with
        ``grpo.reward_weights``.
    asynchronous : bool
        TRL awaits the reward concurrently with its other async rewards.
    log_prefix : str
        Prefix of the logged components (``svgkit/<component>``).
    """

    config: str | Mapping[str, Any] = "sgp"
    mode: str = "reward"
    asynchronous: bool = False
    log_prefix: str = "svgkit"


@dataclass(frozen=True)
class SamplesConfig:
    """The table of sample completions with their renders.

    Attributes
    ----------
    every : int
        Log it every ``every`` optimiser steps (0: never).
    count : int
        Completions per table (the first of the step's last batch).
    size : int
        Render side in pixels.
    """

    every: int = 50
    count: int = 8
    size: int = 256


@dataclass(frozen=True)
class TrainConfig:
    """A whole training config (see the module docstring).

    Attributes
    ----------
    model, data, reward, samples
        The tables.
    grpo : mapping
        ``GRPOConfig`` fields set by the config (:meth:`grpo_args` adds the defaults).
    use_vllm : bool or "auto"
        Generate with vLLM: ``"auto"`` (default) when vLLM is installed and CUDA is available.
    source : str or None
        The config file.
    """

    model: ModelConfig
    data: DataConfig
    reward: RewardConfig = field(default_factory=RewardConfig)
    grpo: Mapping[str, Any] = field(default_factory=dict)
    samples: SamplesConfig = field(default_factory=SamplesConfig)
    use_vllm: bool | str = "auto"
    source: str | None = None

    def grpo_args(self) -> dict[str, Any]:
        """``GRPOConfig`` keyword arguments: :data:`PAPER_DEFAULTS` under the config's own."""
        return {**PAPER_DEFAULTS, **dict(self.grpo)}


def load_train_config(
    path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None
) -> TrainConfig:
    """Read and check a training config file.

    Parameters
    ----------
    path
        A ``.toml``, ``.yaml``/``.yml`` or ``.json`` file.
    overrides
        Dotted keys set after reading (``{"grpo.max_steps": 10}``), as ``--set`` gives them.

    Returns
    -------
    TrainConfig

    Raises
    ------
    ConfigError
        The file is missing, unreadable or malformed, or a key is unknown or has a bad value.
    """
    from ..recipes import _read_file

    p = Path(path).expanduser()
    if not p.is_file():
        raise ConfigError(f"no such config file: {p}")
    try:
        data = _read_file(p)
    except ImportError:
        raise
    except Exception as exc:  # every parser's syntax error (TOML, YAML, JSON), reported alike
        raise ConfigError(f"{p} does not parse: {exc}") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{p}: expected a table of tables, got {type(data).__name__}")
    merged = copy.deepcopy(dict(data))
    for key, value in (overrides or {}).items():
        _set_dotted(merged, key, value)
    return parse_config(merged, base=p.parent, source=str(p))


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 (the `rewards` extra brings tomli)
        import tomli as tomllib
    return tomllib


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    if not all(parts):
        raise ConfigError(f"bad override key {key!r}: expected table.key")
    node = data
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"override {key!r}: {part!r} is not a table")
        node = child
    node[parts[-1]] = value


def parse_value(text: str) -> Any:
    """A ``--set`` value: a TOML literal (``10``, ``1e-6``, ``true``, ``"x"``, ``[1, 2]``), or
    the text itself when it is not one.

    Examples
    --------
    >>> parse_value("1e-6"), parse_value("true"), parse_value("runs/x")
    (1e-06, True, 'runs/x')
    """
    try:
        return _toml().loads(f"v = {text}")["v"]
    except Exception:
        return text


def _table(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{name}] must be a table, got {type(value).__name__}")
    return dict(value)


def _take(table: dict[str, Any], cls: type, where: str) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - names)
    if unknown:
        raise ConfigError(
            f"unknown key(s) {unknown} in [{where}]; expected some of {sorted(names)}")
    return table


def _path(value: Any, base: Path | None, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"`{key}` must be a non-empty string, got {value!r}")
    p = Path(value).expanduser()
    if base is not None and not p.is_absolute() and (base / p).exists():
        return str((base / p).resolve())
    return str(p) if p.is_absolute() or p.exists() else value


def _positive_int(value: Any, key: str, *, zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
        what = "a non-negative" if zero else "a positive"
        raise ConfigError(f"`{key}` must be {what} integer, got {value!r}")
    return value


def parse_config(
    data: Mapping[str, Any], *, base: Path | None = None, source: str | None = None
) -> TrainConfig:
    """Check a config mapping and build a :class:`TrainConfig`.

    Parameters
    ----------
    data
        The file's tables.
    base
        Folder that relative paths are resolved against (the config file's).
    source
        The config file, for messages.

    Returns
    -------
    TrainConfig

    Raises
    ------
    ConfigError
        On an unknown table or key, or a bad value.
    """
    unknown = sorted(set(data) - set(_TABLES) - {"use_vllm"})
    if unknown:
        raise ConfigError(f"unknown table(s) {unknown}; expected some of {list(_TABLES)}")

    model_t = _take(_table(data, "model"), ModelConfig, "model")
    if "path" not in model_t:
        raise ConfigError("[model] needs `path` (a local model directory or a hub id)")
    model_t["path"] = _path(model_t["path"], base, "model.path")
    if model_t.get("dtype", "auto") not in _DTYPES:
        raise ConfigError(f"`model.dtype` must be one of {list(_DTYPES)}, got {model_t['dtype']!r}")
    attn = model_t.get("attn_implementation")
    if attn is not None and not isinstance(attn, str):
        raise ConfigError(f"`model.attn_implementation` must be a string, got {attn!r}")
    model = ModelConfig(**model_t)

    data_t = _take(_table(data, "data"), DataConfig, "data")
    if "train" not in data_t:
        raise ConfigError("[data] needs `train` (a prompts file or folder)")
    data_t["train"] = _path(data_t["train"], base, "data.train")
    if data_t.get("eval") is not None:
        data_t["eval"] = _path(data_t["eval"], base, "data.eval")
    _positive_int(data_t.get("limit", 0), "data.limit", zero=True)
    for key in ("template", "system_prompt"):
        if data_t.get(key) is not None and not isinstance(data_t[key], str):
            raise ConfigError(f"`data.{key}` must be a string, got {data_t[key]!r}")
    if data_t.get("format", "auto") not in _FORMATS:
        raise ConfigError(
            f"`data.format` must be one of {list(_FORMATS)}, got {data_t['format']!r}")
    if not isinstance(data_t.get("object_instruction", True), bool):
        raise ConfigError("`data.object_instruction` must be true or false, got "
                          f"{data_t['object_instruction']!r}")
    data_cfg = DataConfig(**data_t)

    reward_t = _table(data, "reward")
    own = {k: reward_t.pop(k) for k in ("mode", "asynchronous", "log_prefix", "config")
           if k in reward_t}
    if own.get("mode", "reward") not in _REWARD_MODES:
        raise ConfigError(
            f"`reward.mode` must be one of {list(_REWARD_MODES)}, got {own['mode']!r}")
    reward_source: str | Mapping[str, Any]
    if "config" in own:
        if reward_t:
            raise ConfigError(
                f"[reward] has `config` and reward keys {sorted(reward_t)}; give one or the other")
        reward_source = own.pop("config")
        if not isinstance(reward_source, str):
            raise ConfigError(
                f"`reward.config` must be a recipe name or a file, got {reward_source!r}")
        if base is not None and (base / reward_source).is_file():
            reward_source = str((base / reward_source).resolve())
    else:
        reward_source = reward_t or "sgp"
    if not isinstance(own.get("asynchronous", False), bool):
        raise ConfigError(
            f"`reward.asynchronous` must be true or false, got {own['asynchronous']!r}")
    prefix = own.get("log_prefix", "svgkit")
    if not isinstance(prefix, str) or not prefix:
        raise ConfigError(f"`reward.log_prefix` must be a non-empty string, got {prefix!r}")
    reward = RewardConfig(config=reward_source, **own)

    samples = SamplesConfig(**_take(_table(data, "samples"), SamplesConfig, "samples"))
    _positive_int(samples.every, "samples.every", zero=True)
    _positive_int(samples.count, "samples.count")
    _positive_int(samples.size, "samples.size")

    grpo = _table(data, "grpo")
    use_vllm = grpo.pop("use_vllm", data.get("use_vllm", "auto"))
    if use_vllm not in _VLLM:
        raise ConfigError(f"`grpo.use_vllm` must be true, false or \"auto\", got {use_vllm!r}")
    return TrainConfig(model, data_cfg, reward, grpo, samples, use_vllm, source)
