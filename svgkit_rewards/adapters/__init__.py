"""Framework adapters: svgkit rewards in the shapes TRL, verl and OpenRLHF call.

Framework formats (chat messages, token ids, per-framework return types) live only here; the
rewards themselves never see them.

``svgkit_rewards.adapters.trl``
    :class:`SVGReward` / :class:`AsyncSVGReward` (picklable TRL reward functions),
    :func:`trl_reward` and :func:`trl_reward_funcs` (one function per reward component).
``svgkit_rewards.adapters.verl``
    ``compute_score`` / ``compute_score_batch`` for ``custom_reward_function.path``.
``svgkit_rewards.adapters.openrlhf``
    ``reward_func`` for ``--reward.remote_url /path/to/openrlhf.py``.

Nothing here imports trl, verl, OpenRLHF or torch: the TRL adapter needs none of them, the
OpenRLHF one imports torch inside its function. Names are imported lazily.

Examples
--------
>>> from svgkit_rewards.adapters import trl_reward
>>> trl_reward("sgp").__name__
'svgkit_sgp'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .trl import AsyncSVGReward as AsyncSVGReward
    from .trl import SVGReward as SVGReward
    from .trl import trl_reward as trl_reward
    from .trl import trl_reward_funcs as trl_reward_funcs

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "AsyncSVGReward": "trl",
    "SVGReward": "trl",
    "trl_reward": "trl",
    "trl_reward_funcs": "trl",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'svgkit_rewards.adapters' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
