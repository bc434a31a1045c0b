"""Plain reward functions, TRL-style: ``<name>_reward(completions, **kwargs)``.

A batch of completions in, one value per completion out; ``None`` means "does not apply" (no
reference to compare with), not 0. Dataset columns arrive as keyword arguments. Each function
analyses the completions itself (in process) unless the engine passes ``analyses=``, which is
how the engine's terms call these same functions.

Examples
--------
>>> from svgkit_rewards.functional import format_reward, length_reward
>>> format_reward(["<svg><rect width='1' height='1'/></svg>"], policy="plain")
[1.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .format import FORMAT_POLICIES, format_check, format_reward
from .length import LENGTH_POLICIES, code_length, length_reward
from .pixel import PIXEL_METRICS, load_image, mse, pixel_reward, psnr, rlrf_edge_l2, rlrf_l2, ssim

if TYPE_CHECKING:  # pragma: no cover
    from .composition import CompositionResult as CompositionResult
    from .composition import check_composition as check_composition
    from .composition import composition_reward as composition_reward
    from .composition import summarize_composition as summarize_composition
    from .hacks import HackReport as HackReport
    from .hacks import detect_hacks as detect_hacks
    from .hacks import hack_reward as hack_reward

_HACKS = ("HackReport", "detect_hacks", "hack_reward")
_COMPOSITION = ("CompositionResult", "check_composition", "composition_reward",
                "summarize_composition")

__all__ = sorted(
    [
        *_COMPOSITION,
        "FORMAT_POLICIES",
        "HackReport",
        "LENGTH_POLICIES",
        "PIXEL_METRICS",
        "code_length",
        "detect_hacks",
        "format_check",
        "format_reward",
        "hack_reward",
        "length_reward",
        "load_image",
        "mse",
        "pixel_reward",
        "psnr",
        "rlrf_edge_l2",
        "rlrf_l2",
        "ssim",
    ]
)


def __getattr__(name: str) -> Any:
    # the detector loads on first use: it is the one module here with a larger import
    if name in _HACKS:
        from . import hacks

        return getattr(hacks, name)
    if name in _COMPOSITION:
        from . import composition

        return getattr(composition, name)
    raise AttributeError(f"module 'svgkit_rewards.functional' has no attribute {name!r}")
