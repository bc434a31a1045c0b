"""A Ray actor pool that scores reward batches: :class:`RayRewardPool`.

Each actor holds a :class:`~svgkit_rewards.RewardEngine` built from the same config (its own
analysis workers, so per-item timeouts, floors and diagnostics are the engine's own); a batch is
cut into chunks that the actors score in parallel. The pool scores like an engine (``score``,
``__call__``, ``names``, ``floor``, ``close``), so it drops in where an engine does: the TRL
adapter (``SVGReward(RayRewardPool("sgp"))``), the verl and OpenRLHF adapters
(``ray_actors=N``), your own loop. An actor that dies is replaced and the items of its chunk are
retried once each; an item that fails again scores the floor with code ``CRASH``.

Inside a Ray job (verl and OpenRLHF run their reward functions in one) the pool uses that
cluster; elsewhere it connects to ``address`` or starts a local instance.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from ..sample import Diagnostics, RewardResult, Sample
from ._actors import ActorPool, Lost

__all__ = ["CRASH", "RayRewardPool", "ensure_ray"]

#: The code of an item whose actor died on both tries.
CRASH = "CRASH"


def ensure_ray(address: str | None = None, **init_kwargs: Any) -> Any:
    """The ``ray`` module, connected: the running job's cluster, else ``ray.init(address)``
    (``None``: a local instance, or the cluster ``RAY_ADDRESS`` names).

    Raises
    ------
    ImportError
        Ray is not installed (``pip install 'svgkit[ray]'``).
    """
    try:
        import ray
    except ImportError as exc:
        raise ImportError("the Ray backend needs Ray: pip install 'svgkit[ray]'") from exc
    if not ray.is_initialized():
        options = {"include_dashboard": False, "log_to_driver": False, **init_kwargs}
        ray.init(address=address, **options)
    return ray


def _engine_settings() -> tuple[str, ...]:
    """The engine settings an actor's engine takes (the adapters' list, less the pool's own)."""
    from ..adapters._common import _POOL_OPTIONS, _engine_option_names

    return tuple(name for name in _engine_option_names() if name not in _POOL_OPTIONS)


class _RewardActor:
    """One engine in one actor process."""

    def __init__(self, config: Any, overrides: Mapping[str, Any]) -> None:
        from ..engine import RewardEngine

        self.engine = RewardEngine.from_config(config, **dict(overrides))

    def info(self) -> tuple[tuple[str, ...], float, str]:
        return self.engine.names, self.engine.floor, self.engine.unscorable

    def warm(self) -> bool:
        """Start the analysis workers (numba compiles here, not in the first batch)."""
        self.engine.score([Sample("<svg xmlns='http://www.w3.org/2000/svg'/>")])
        return True

    def score(self, samples: list[Sample]) -> list[RewardResult]:
        return self.engine.score(samples)

    def pid(self) -> int:
        import os

        return os.getpid()


class RayRewardPool:
    """Score reward batches on a pool of Ray actors, each with its own engine.

    Parameters
    ----------
    config
        Recipe name, config mapping or config file (as :meth:`RewardEngine.from_config`).
    num_actors
        Actors in the pool (default: the cluster's CPUs divided by ``num_cpus``, at most 64).
    num_cpus, num_gpus
        Ray resources per actor (``num_gpus`` > 0 for rewards with neural terms on GPUs).
    chunk_size
        Samples per actor call (a batch is spread over the actors in chunks of this size).
    chunk_timeout_s
        Seconds one chunk may take before its actor is killed, replaced and the chunk's items
        retried (default: 5 × the engine's per-item timeout × ``chunk_size`` + 60; a hung
        actor never blocks a batch).
    address
        Ray address to connect to when Ray is not initialised yet (``"auto"``, ``"ray://…"``;
        ``None``: a local instance or ``RAY_ADDRESS``).
    **engine_overrides
        :class:`RewardEngine` settings for every actor's engine (``workers`` defaults to 1
        per actor, ``timeout_s``, ``floor``, …).

    Examples
    --------
    >>> pool = RayRewardPool("sgp", num_actors=2)  # doctest: +SKIP
    >>> [r.diagnostics.code for r in pool.score(["no svg", "<svg/>"])]  # doctest: +SKIP
    ['NO_SVG', 'NO_SVG']
    """

    def __init__(
        self,
        config: Any = "sgp",
        *,
        num_actors: int | None = None,
        num_cpus: float = 1.0,
        num_gpus: float = 0.0,
        chunk_size: int = 16,
        chunk_timeout_s: float | None = None,
        address: str | None = None,
        **engine_overrides: Any,
    ) -> None:
        if chunk_size < 1:
            raise ValueError(f"Expected `chunk_size` ≥ 1, but got {chunk_size!r}")
        from ..recipes import load_config

        # a bad recipe, file or setting fails here, with its own message, not in the actors
        checked = load_config(config)
        unknown = sorted(set(engine_overrides) - set(_engine_settings()))
        if unknown:
            raise ValueError(f"Unknown engine settings {unknown}; expected some of "
                             f"{list(_engine_settings())}")
        ray = ensure_ray(address)
        overrides = {"workers": 1, **engine_overrides}
        if num_actors is None:
            cpus = float(ray.cluster_resources().get("CPU", 1.0))
            num_actors = max(1, min(64, int(cpus // max(num_cpus, 1e-6))))
        actor_class = ray.remote(_RewardActor).options(num_cpus=num_cpus, num_gpus=num_gpus)
        self.chunk_size = int(chunk_size)
        per_item = float(overrides.get("timeout_s") or 10.0)
        self.chunk_timeout_s = (chunk_timeout_s if chunk_timeout_s is not None
                                else 5.0 * per_item * self.chunk_size + 60.0)
        self._pool: ActorPool[tuple[int, ...]] | None = None
        self._batch: list[Sample] = []
        self._lock = threading.Lock()  # one batch at a time (verl calls from several threads)

        def make() -> Any:
            return actor_class.remote(checked, overrides)

        self._make = make
        self._pool = ActorPool(
            make, int(num_actors),
            lambda actor, job: actor.score.remote([self._batch[i] for i in job]),
            split=lambda job: [(i,) for i in job],
            timeout_s=lambda job: self.chunk_timeout_s,
        )
        # the settings every actor agrees on, and warm workers before the first batch
        from ray.exceptions import RayActorError, RayTaskError

        try:
            names, floor, unscorable = ray.get(self._pool.actors[0].info.remote())
            ray.get([a.warm.remote() for a in self._pool.actors])
        except (RayActorError, RayTaskError) as exc:  # e.g. a model file missing on a node
            self.close()
            raise RuntimeError(f"the reward actors could not start: {exc}") from None
        self.names: tuple[str, ...] = tuple(names)
        self.floor: float = float(floor)
        self.unscorable: str = unscorable

    @property
    def num_actors(self) -> int:
        """Actors in the pool."""
        return 0 if self._pool is None else len(self._pool.actors)

    @property
    def replaced(self) -> int:
        """Actors replaced so far (died or overran a chunk's deadline)."""
        return 0 if self._pool is None else self._pool.replaced

    def _crash(self, reason: str) -> RewardResult:
        score = self.floor if self.unscorable == "floor" else None
        return RewardResult(score, {}, Diagnostics(
            CRASH, f"the reward actor failed twice on this item ({reason})", ("FLOOR",), {}, ()))

    def score(self, samples: Sequence[Sample | str]) -> list[RewardResult]:
        """Score a batch on the actors; one result per sample, in order."""
        if self._pool is None:
            raise RuntimeError("this RayRewardPool is closed")
        batch = [s if isinstance(s, Sample) else Sample(str(s)) for s in samples]
        if not batch:
            return []
        with self._lock:
            return self._score(batch)

    def _score(self, batch: list[Sample]) -> list[RewardResult]:
        assert self._pool is not None
        self._batch = batch
        n = len(batch)
        per_actor = max(1, math.ceil(n / self.num_actors))
        size = min(self.chunk_size, per_actor)
        jobs = [tuple(range(i, min(n, i + size))) for i in range(0, n, size)]
        out: list[RewardResult | None] = [None] * n
        try:
            for job, value in self._pool.run(jobs):
                if isinstance(value, Lost):
                    for i in job:
                        out[i] = self._crash(value.reason)
                else:
                    for i, result in zip(job, value):
                        out[i] = result
        finally:
            self._batch = []
        return [r if r is not None else self._crash("no result") for r in out]

    def __call__(self, samples: Sequence[Sample | str]) -> list[float | None]:
        """Only the scores of :meth:`score`."""
        return [r.score for r in self.score(samples)]

    def close(self) -> None:
        """Kill the actors (their engines' workers go with them)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> RayRewardPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RayRewardPool(actors={self.num_actors}, names={self.names!r})"
