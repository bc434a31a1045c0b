"""svgkit_rewards: reward functions for reinforcement learning on SVG generation.

Each reward is a plain callable ``<name>_reward(completions, **kwargs) -> list[float | None]``
built on :mod:`svgkit` (``None`` means "does not apply", not 0). The rewards themselves are being
written; this package currently exports only its version.

Examples
--------
>>> import svgkit_rewards
>>> svgkit_rewards.__version__ == __import__("svgkit").__version__
True
"""

from __future__ import annotations

from svgkit import __version__

__all__ = ["__version__"]
