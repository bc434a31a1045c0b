"""GRPO training with svgkit rewards on TRL (``svgkit-train-grpo``).

A thin layer over ``trl.GRPOTrainer``: a config file (:mod:`.config`), prompts as a dataset
(:mod:`.data`), the reward through :mod:`svgkit_rewards.adapters.trl`, the reference paper's
GRPO settings as defaults, and a table of sample completions with their renders
(:mod:`.samples`). Needs the ``train`` extra (``trl``, ``transformers``, ``datasets``); the
modules that import them load on first use.

Examples
--------
>>> from svgkit_rewards.train import PAPER_DEFAULTS
>>> PAPER_DEFAULTS["num_generations"], PAPER_DEFAULTS["epsilon_high"]
(8, 0.28)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes
from .config import (
    PAPER_DEFAULTS,
    ConfigError,
    DataConfig,
    ModelConfig,
    RewardConfig,
    SamplesConfig,
    TrainConfig,
    load_train_config,
    parse_config,
)

if TYPE_CHECKING:  # pragma: no cover
    from .data import build_dataset, load_prompts, prompt_rows
    from .grpo import TrainSetup, build_reward_funcs, build_setup, build_trainer, main, train
    from .samples import SampleRow, SampleTableCallback, sample_rows

__all__ = [
    "PAPER_DEFAULTS",
    "ConfigError",
    "DataConfig",
    "ModelConfig",
    "RewardConfig",
    "SampleRow",
    "SampleTableCallback",
    "SamplesConfig",
    "TrainConfig",
    "TrainSetup",
    "build_dataset",
    "build_reward_funcs",
    "build_setup",
    "build_trainer",
    "load_prompts",
    "load_train_config",
    "main",
    "parse_config",
    "prompt_rows",
    "sample_rows",
    "train",
]

_LAZY = {
    "build_dataset": "data", "load_prompts": "data", "prompt_rows": "data",
    "TrainSetup": "grpo", "build_reward_funcs": "grpo", "build_setup": "grpo",
    "build_trainer": "grpo", "main": "grpo", "train": "grpo",
    "SampleRow": "samples", "SampleTableCallback": "samples", "sample_rows": "samples",
}


__getattr__ = lazy_attributes(__name__, _LAZY)
