"""svgkit_rewards: rewards for reinforcement learning on SVG generation, built on :mod:`svgkit`.

A reward is a :class:`Term` (or a combination of terms: :class:`WeightedSum`, :class:`Gate`,
:class:`Clip`, :class:`Affine`) that a :class:`RewardEngine` evaluates on batches of
:class:`Sample`: each completion is extracted, parsed, rendered and measured once, in worker
processes, and every term reads that one :class:`Analysis`. Recipes (``"sgp"``, ``"rlrf"``,
``"svgkit"``) and TOML/YAML configs build rewards without code (:func:`build_reward`). Every term
also exists as a plain TRL-style function in :mod:`svgkit_rewards.functional`
(``format_reward(completions, **kwargs) -> list[float]``); framework adapters live in
:mod:`svgkit_rewards.adapters`.

Names are imported lazily, so ``import svgkit_rewards`` stays light.

Examples
--------
>>> import svgkit_rewards
>>> engine = svgkit_rewards.RewardEngine.from_config("sgp", in_process=True)
>>> engine(["<think>a red dot</think> <answer><svg><circle r='3' fill='red'/></svg></answer>"])
[0.9941666666666666]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from svgkit import __version__

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Affine": "terms",
    "Analysis": "analysis",
    "AnalysisRequest": "analysis",
    "CheckResult": "functional.composition",
    "Clip": "terms",
    "CompositionResult": "functional.composition",
    "CompositionSpec": "functional.composition_specs",
    "CompositionTerm": "terms",
    "Diagnostics": "sample",
    "FormatTerm": "terms",
    "Gate": "terms",
    "HackReport": "functional.hacks",
    "HackTerm": "terms",
    "ImageImageTerm": "neural.terms",
    "LengthTerm": "terms",
    "ModelNotFoundError": "neural._loading",
    "PixelTerm": "terms",
    "RECIPES": "recipes",
    "RewardEngine": "engine",
    "RewardResult": "sample",
    "Sample": "sample",
    "Term": "terms",
    "TextImageTerm": "neural.terms",
    "WeightedSum": "terms",
    "analyze": "analysis",
    "build_reward": "recipes",
    "check_composition": "functional.composition",
    "composition_reward": "functional.composition",
    "detect_hacks": "functional.hacks",
    "format_reward": "functional.format",
    "hack_reward": "functional.hacks",
    "image_image_reward": "functional.image_image",
    "length_reward": "functional.length",
    "load_config": "recipes",
    "load_specs": "functional.composition_specs",
    "parse_spec": "functional.composition_specs",
    "pixel_reward": "functional.pixel",
    "register_term": "recipes",
    "text_image_reward": "functional.text_image",
    "summarize_composition": "functional.composition",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:  # pragma: no cover
    from .analysis import Analysis as Analysis
    from .analysis import AnalysisRequest as AnalysisRequest
    from .analysis import analyze as analyze
    from .engine import RewardEngine as RewardEngine
    from .functional.composition import CheckResult as CheckResult
    from .functional.composition import CompositionResult as CompositionResult
    from .functional.composition import check_composition as check_composition
    from .functional.composition import composition_reward as composition_reward
    from .functional.composition import summarize_composition as summarize_composition
    from .functional.composition_specs import CompositionSpec as CompositionSpec
    from .functional.composition_specs import load_specs as load_specs
    from .functional.composition_specs import parse_spec as parse_spec
    from .functional.format import format_reward as format_reward
    from .functional.hacks import HackReport as HackReport
    from .functional.hacks import detect_hacks as detect_hacks
    from .functional.hacks import hack_reward as hack_reward
    from .functional.image_image import image_image_reward as image_image_reward
    from .functional.length import length_reward as length_reward
    from .functional.pixel import pixel_reward as pixel_reward
    from .functional.text_image import text_image_reward as text_image_reward
    from .neural._loading import ModelNotFoundError as ModelNotFoundError
    from .neural.terms import ImageImageTerm as ImageImageTerm
    from .neural.terms import TextImageTerm as TextImageTerm
    from .recipes import RECIPES as RECIPES
    from .recipes import build_reward as build_reward
    from .recipes import load_config as load_config
    from .recipes import register_term as register_term
    from .sample import Diagnostics as Diagnostics
    from .sample import RewardResult as RewardResult
    from .sample import Sample as Sample
    from .terms import Affine as Affine
    from .terms import Clip as Clip
    from .terms import CompositionTerm as CompositionTerm
    from .terms import FormatTerm as FormatTerm
    from .terms import Gate as Gate
    from .terms import HackTerm as HackTerm
    from .terms import LengthTerm as LengthTerm
    from .terms import PixelTerm as PixelTerm
    from .terms import Term as Term
    from .terms import WeightedSum as WeightedSum


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'svgkit_rewards' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
