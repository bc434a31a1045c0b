"""``svgkit-train-grpo``: GRPO on TRL's ``GRPOTrainer`` with svgkit rewards.

A thin script, not a training framework: it reads one config (:mod:`.config`), turns the
prompts into a dataset (:mod:`.data`), builds the reward through svgkit's TRL adapter, and
hands everything to ``trl.GRPOTrainer`` with the reference paper's GRPO settings as defaults
(:data:`~svgkit_rewards.train.config.PAPER_DEFAULTS`). What TRL does (generation, vLLM,
DeepSpeed, logging backends, checkpoints) stays TRL's.

Usage::

    svgkit-train-grpo --init sgp > sgp.toml           # a config to start from
    svgkit-train-grpo --config sgp.toml --dry-run      # check data, reward and settings
    svgkit-train-grpo --config sgp.toml                # train (one process)
    accelerate launch --config_file zero3.yaml -m svgkit_rewards.train --config sgp.toml

Exit status: 0 done, 2 a bad config, data file or reward, 3 a missing extra
(``pip install 'svgkit[train]'``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ..bench.records import SuiteError
from .config import ConfigError, TrainConfig, load_train_config, parse_value

__all__ = [
    "EXAMPLE_CONFIGS",
    "TrainSetup",
    "build_reward_funcs",
    "build_setup",
    "example_config",
    "main",
    "resolve_use_vllm",
    "train",
]

#: Bundled example configs (``svgkit-train-grpo --init NAME``).
EXAMPLE_CONFIGS: tuple[str, ...] = ("sgp", "compbench", "image", "zero3")


def example_config(name: str) -> str:
    """The text of a bundled example config: ``sgp`` (the paper's reward on captions),
    ``compbench`` (verifiable compositional rewards), ``image`` (image-to-SVG with pixel
    rewards, for a vision-language model), ``zero3`` (an ``accelerate`` config for one node of
    8 GPUs with DeepSpeed ZeRO-3).

    Examples
    --------
    >>> "[grpo]" in example_config("sgp")
    True
    """
    if name not in EXAMPLE_CONFIGS:
        raise ConfigError(f"no example config {name!r}; expected one of {list(EXAMPLE_CONFIGS)}")
    file = "zero3.yaml" if name == "zero3" else f"{name}.toml"
    return (resources.files("svgkit_rewards.train") / "configs" / file).read_text("utf-8")


def resolve_use_vllm(setting: bool | str) -> bool:
    """Whether to generate with vLLM: ``"auto"`` means when vLLM is installed and CUDA is
    available; ``True`` without vLLM is a :class:`ConfigError`.

    Examples
    --------
    >>> resolve_use_vllm(False)
    False
    """
    installed = importlib.util.find_spec("vllm") is not None
    if setting == "auto":
        if not installed:
            return False
        import torch

        return bool(torch.cuda.is_available())
    if setting and not installed:
        raise ConfigError("`grpo.use_vllm = true` but vLLM is not installed (pip install vllm)")
    return bool(setting)


def build_reward_funcs(cfg: TrainConfig, eos_token_id: Sequence[int] | None = None) -> list[Any]:
    """The TRL reward functions of the config's ``[reward]``: one for the whole reward
    (``mode = "reward"``) or one per component (``mode = "components"``).

    Examples
    --------
    >>> from svgkit_rewards.train.config import parse_config
    >>> cfg = parse_config({"model": {"path": "m"}, "data": {"train": "t"},
    ...                     "reward": {"recipe": "compbench", "mode": "components"}})
    >>> [f.__name__ for f in build_reward_funcs(cfg)]
    ['svgkit_format', 'svgkit_composition', 'svgkit_hacks', 'svgkit_length']
    """
    from ..adapters.trl import trl_reward, trl_reward_funcs

    r = cfg.reward
    eos = list(eos_token_id) if eos_token_id else None
    try:
        if r.mode == "components":
            return list(trl_reward_funcs(r.config, asynchronous=r.asynchronous,
                                         log_prefix=r.log_prefix, eos_token_id=eos))
        reward = trl_reward(r.config, asynchronous=r.asynchronous, log_prefix=r.log_prefix,
                            eos_token_id=eos)
        reward.engine  # noqa: B018 - build now: a bad reward config fails before the model loads
        return [reward]
    except (ValueError, TypeError, KeyError, FileNotFoundError) as exc:
        # a bad term or setting, or a model file that is not there (ModelNotFoundError)
        raise ConfigError(f"[reward]: {exc}") from None


@dataclass
class TrainSetup:
    """Everything the trainer is built from (what ``--dry-run`` reports).

    Attributes
    ----------
    config : TrainConfig
    train_dataset, eval_dataset : datasets.Dataset, datasets.Dataset or None
    reward_funcs : list
        svgkit TRL reward functions.
    grpo_args : dict
        ``GRPOConfig`` keyword arguments after defaults, vLLM and dtype are resolved.
    eos_token_id : list of int
        Token ids that end a completion (a completion ending otherwise was cut off).
    """

    config: TrainConfig
    train_dataset: Any
    eval_dataset: Any
    reward_funcs: list[Any]
    grpo_args: dict[str, Any]
    eos_token_id: list[int] = field(default_factory=list)
    processing_class: Any = None

    def summary(self) -> dict[str, Any]:
        """A JSON-serialisable description (rows, columns, first prompt, reward, settings)."""
        first = self.train_dataset[0] if len(self.train_dataset) else {}
        return {
            "config": self.config.source,
            "model": self.config.model.path,
            "train_rows": len(self.train_dataset),
            "eval_rows": None if self.eval_dataset is None else len(self.eval_dataset),
            "columns": list(self.train_dataset.column_names),
            "first_prompt": first.get("prompt"),
            "reward_funcs": [f.__name__ for f in self.reward_funcs],
            "reward_components": list(self.reward_funcs[0].engine.names),
            "eos_token_id": self.eos_token_id,
            "grpo": {k: v for k, v in sorted(self.grpo_args.items())},
        }

    def close(self) -> None:
        """Stop the reward engines' worker processes."""
        for func in self.reward_funcs:
            func.close()


def _datasets(cfg: TrainConfig) -> tuple[Any, Any]:
    from .data import build_dataset

    d = cfg.data
    common = dict(template=d.template, system_prompt=d.system_prompt,
                  object_instruction=d.object_instruction)
    try:
        train_ds = build_dataset(d.train, d.format, limit=d.limit, **common)  # type: ignore[arg-type]
        eval_ds = None if d.eval is None else build_dataset(d.eval, d.format, **common)  # type: ignore[arg-type]
    except SuiteError as exc:
        raise ConfigError(f"[data]: {exc}") from None
    except ValueError as exc:
        raise ConfigError(f"[data]: {exc}") from None
    return train_ds, eval_ds


def _processing_class(cfg: TrainConfig) -> tuple[Any, list[int]]:
    """The model's processor (as TRL loads it: left padding and truncation) and the token ids
    that end a completion (EOS, the generation config's EOS ids, padding)."""
    from transformers import AutoProcessor, GenerationConfig

    try:
        processor = AutoProcessor.from_pretrained(  # type: ignore[no-untyped-call]
            cfg.model.path, truncation_side="left", padding_side="left")
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"[model] path {cfg.model.path!r}: cannot load its tokenizer ({exc})") from None
    tokenizer = getattr(processor, "tokenizer", processor)
    ids: set[int] = set()
    for value in (tokenizer.eos_token_id, tokenizer.pad_token_id):
        if isinstance(value, int):
            ids.add(value)
    try:
        generation = GenerationConfig.from_pretrained(cfg.model.path)
    except (OSError, ValueError):
        generation = None
    eos = getattr(generation, "eos_token_id", None)
    if isinstance(eos, int):
        ids.add(eos)
    elif isinstance(eos, (list, tuple)):
        ids.update(i for i in eos if isinstance(i, int))
    return processor, sorted(ids)


def _grpo_args(cfg: TrainConfig) -> dict[str, Any]:
    args = cfg.grpo_args()
    args["use_vllm"] = resolve_use_vllm(cfg.use_vllm)
    init = dict(args.get("model_init_kwargs") or {})
    if "dtype" not in init:
        dtype = cfg.model.dtype
        if dtype == "auto":
            import torch

            cuda_bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
            dtype = "bfloat16" if cuda_bf16 else "float32"
        init["dtype"] = dtype
    if cfg.model.attn_implementation and "attn_implementation" not in init:
        init["attn_implementation"] = cfg.model.attn_implementation
    args["model_init_kwargs"] = init
    return args


def build_setup(cfg: TrainConfig, *, load_tokenizer: bool = True) -> TrainSetup:
    """Datasets, reward functions and resolved GRPO settings; no model is loaded.

    Parameters
    ----------
    cfg
        The training config.
    load_tokenizer
        Load the model's tokenizer (for its EOS ids, so that completions cut off at
        ``max_completion_length`` score as truncated).

    Raises
    ------
    ConfigError
        Bad data, reward, model path or settings.
    """
    train_ds, eval_ds = _datasets(cfg)
    processor, eos = _processing_class(cfg) if load_tokenizer else (None, [])
    funcs = build_reward_funcs(cfg, eos)
    try:
        args = _grpo_args(cfg)
    except ConfigError:
        for func in funcs:
            func.close()
        raise
    return TrainSetup(cfg, train_ds, eval_ds, funcs, args, eos, processor)


def _grpo_config(args: dict[str, Any]) -> Any:
    from trl import GRPOConfig  # type: ignore[attr-defined]

    try:
        return GRPOConfig(**args)
    except TypeError as exc:
        raise ConfigError(f"[grpo]: {exc} (see trl.GRPOConfig for the fields)") from None
    except ValueError as exc:
        raise ConfigError(f"[grpo]: {exc}") from None


def build_trainer(setup: TrainSetup) -> Any:
    """The ``trl.GRPOTrainer`` for a setup, with the sample-table callback attached.

    Raises
    ------
    ConfigError
        ``GRPOConfig`` refuses the settings.
    """
    from trl import GRPOTrainer  # type: ignore[attr-defined]

    from .samples import SampleTableCallback

    cfg = setup.config
    args = _grpo_config(setup.grpo_args)
    table = SampleTableCallback(setup.reward_funcs[0], every=cfg.samples.every,
                                count=cfg.samples.count, size=cfg.samples.size,
                                prefix=cfg.reward.log_prefix)
    trainer = GRPOTrainer(
        model=cfg.model.path,
        reward_funcs=setup.reward_funcs,
        args=args,
        train_dataset=setup.train_dataset,
        eval_dataset=setup.eval_dataset,
        processing_class=setup.processing_class,
        callbacks=[table],
    )
    table.attach(trainer)
    return trainer


def train(cfg: TrainConfig) -> Any:
    """Build the trainer, train, save the model and the trainer state; return the trainer.

    ``grpo.resume_from_checkpoint`` (a checkpoint folder, or ``true`` for the latest in
    ``output_dir``) resumes a run.
    """
    setup = build_setup(cfg)
    try:
        trainer = build_trainer(setup)
        resume = setup.grpo_args.get("resume_from_checkpoint")
        trainer.train(resume_from_checkpoint=resume)
        trainer.save_model()
        trainer.save_state()
        return trainer
    finally:
        setup.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svgkit-train-grpo",
        description="GRPO training with svgkit rewards on TRL's GRPOTrainer (the reference "
                    "paper's settings by default).",
    )
    parser.add_argument("--config", help="training config (.toml, .yaml or .json)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="TABLE.KEY=VALUE",
                        help="override one config key (TOML literal), e.g. grpo.max_steps=10")
    parser.add_argument("--dry-run", action="store_true",
                        help="check the config, data and reward, print the resolved settings, "
                             "and stop before loading the model")
    parser.add_argument("--init", choices=EXAMPLE_CONFIGS, metavar="NAME",
                        help=f"print a bundled example config ({', '.join(EXAMPLE_CONFIGS)})")
    return parser


def _overrides(items: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects TABLE.KEY=VALUE, got {item!r}")
        out[key.strip()] = parse_value(value.strip())
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """The ``svgkit-train-grpo`` command; returns the exit status."""
    parser = _parser()
    ns = parser.parse_args(argv)
    if ns.init:
        sys.stdout.write(example_config(ns.init))
        return 0
    if not ns.config:
        parser.print_usage(sys.stderr)
        print("svgkit-train-grpo: error: --config is required (or --init NAME)", file=sys.stderr)
        return 2
    try:
        cfg = load_train_config(ns.config, _overrides(ns.overrides))
        if ns.dry_run:
            setup = build_setup(cfg)
            try:
                print(json.dumps(setup.summary(), indent=2, default=str))
            finally:
                setup.close()
            return 0
        train(cfg)
    except ConfigError as exc:
        print(f"svgkit-train-grpo: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"svgkit-train-grpo: error: {exc}; install the training extra: "
              "pip install 'svgkit[train]'", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
