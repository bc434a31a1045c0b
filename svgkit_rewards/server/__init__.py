"""The reward server: one long-lived process that scores completions for many rollout workers.

Start it with ``svgkit-rewards serve --config recipe.toml`` (see :mod:`svgkit_rewards.cli`), or
build the ASGI app yourself with :func:`create_app` and run it under any ASGI server. Call it
with :class:`svgkit_rewards.client.RewardClient`, from OpenRLHF (``/get_reward``), or any HTTP
client. Needs the ``server`` extra (Starlette, uvicorn, prometheus_client).

Examples
--------
>>> from svgkit_rewards import RewardEngine
>>> from svgkit_rewards.server import ServerSettings, create_app
>>> app = create_app(RewardEngine.from_config("sgp"), ServerSettings(max_batch_size=32))
"""

from __future__ import annotations

from ._batcher import QueueFull
from ._protocol import RequestError
from .app import ServerSettings, create_app

__all__ = ["QueueFull", "RequestError", "ServerSettings", "create_app"]
