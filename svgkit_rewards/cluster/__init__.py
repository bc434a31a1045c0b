"""Scale-out on Ray (the ``ray`` extra): a reward actor pool for trainers
(:class:`RayRewardPool`) and the benchmark runner's Ray backend (:class:`RayScorer`,
``svgkit-bench run --backend ray``).

Nothing here imports Ray until it is used, so ``import svgkit_rewards`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:  # pragma: no cover
    from .bench import RayScorer
    from .pool import CRASH, RayRewardPool, ensure_ray

__all__ = ["CRASH", "RayRewardPool", "RayScorer", "ensure_ray"]

_LAZY = {"CRASH": "pool", "RayRewardPool": "pool", "ensure_ray": "pool", "RayScorer": "bench"}


__getattr__ = lazy_attributes(__name__, _LAZY)
