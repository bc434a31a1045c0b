"""A pool of Ray actors that runs jobs, replaces actors that die, and retries their jobs once.

Both the reward pool and the benchmark backend run their work through :class:`ActorPool`: each
job is a call of one actor method; jobs are handed to idle actors as they free up; a job whose
actor died (a crash, an out-of-memory kill, ``ray.kill``) or overran its deadline gets a fresh
actor in the dead one's place and is retried once, split into single items when it had several
(so that one poisonous item does not take the innocent ones with it); a job that fails again is
reported :class:`Lost`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["ActorPool", "Lost"]

J = TypeVar("J")


@dataclass(frozen=True)
class Lost:
    """A job that failed on two actors; ``reason`` says how."""

    reason: str


@dataclass
class _Flight(Generic[J]):
    slot: int
    job: J
    attempt: int
    deadline: float | None


class ActorPool(Generic[J]):
    """Run jobs on ``size`` actors made by ``factory``.

    Parameters
    ----------
    factory
        Makes one actor handle (``SomeActor.options(...).remote(...)``).
    size
        Number of actors.
    call
        ``call(actor, job)`` submits a job and returns its ``ObjectRef``.
    split
        ``split(job)`` → the single-item jobs a failed job is retried as (``None``: retried
        whole).
    timeout_s
        ``timeout_s(job)`` → seconds the job may take before its actor is killed and replaced
        (``None``: no deadline).
    """

    def __init__(
        self,
        factory: Callable[[], Any],
        size: int,
        call: Callable[[Any, J], Any],
        *,
        split: Callable[[J], list[J]] | None = None,
        timeout_s: Callable[[J], float | None] | None = None,
    ) -> None:
        if size < 1:
            raise ValueError(f"Expected at least one actor, but got {size}")
        self._factory = factory
        self._call = call
        self._split = split
        self._timeout = timeout_s
        self.actors: list[Any] = [factory() for _ in range(size)]
        #: actors replaced so far (died or overran a deadline)
        self.replaced = 0

    def replace(self, slot: int) -> None:
        """Kill the actor in ``slot`` (if it still runs) and put a new one there."""
        import ray

        try:
            ray.kill(self.actors[slot], no_restart=True)
        except Exception:  # it is already gone: nothing to kill
            pass
        self.actors[slot] = self._factory()
        self.replaced += 1

    def run(self, jobs: Sequence[J]) -> Iterator[tuple[J, Any]]:
        """Yield ``(job, result)`` as jobs finish (any order); ``result`` is :class:`Lost` for a
        job that failed twice. Retried parts of a split job are yielded as their own jobs."""
        import ray
        from ray.exceptions import GetTimeoutError, RayActorError, RayTaskError

        queue: deque[tuple[J, int]] = deque((job, 0) for job in jobs)
        idle = list(range(len(self.actors)))
        flying: dict[Any, _Flight[J]] = {}

        def failed(flight: _Flight[J], reason: str) -> Iterator[tuple[J, Any]]:
            if flight.attempt == 0:
                parts = self._split(flight.job) if self._split is not None else [flight.job]
                queue.extend((part, 1) for part in parts)
                return iter(())
            return iter([(flight.job, Lost(reason))])

        while queue or flying:
            while queue and idle:
                job, attempt = queue.popleft()
                slot = idle.pop()
                limit = self._timeout(job) if self._timeout is not None else None
                deadline = None if limit is None else time.monotonic() + limit
                flying[self._call(self.actors[slot], job)] = _Flight(slot, job, attempt, deadline)
            deadlines = [f.deadline for f in flying.values() if f.deadline is not None]
            wait_s = None if not deadlines else max(0.0, min(deadlines) - time.monotonic())
            ready, _ = ray.wait(list(flying), num_returns=1, timeout=wait_s)
            now = time.monotonic()
            for ref in ready:
                flight = flying.pop(ref)
                try:
                    value = ray.get(ref)
                except RayActorError as exc:
                    self.replace(flight.slot)
                    idle.append(flight.slot)
                    yield from failed(flight, f"the actor died: {type(exc).__name__}")
                    continue
                except RayTaskError as exc:  # the method raised; the actor is still alive
                    idle.append(flight.slot)
                    yield from failed(flight, f"the actor raised {exc.cause!r}"[:500])
                    continue
                except GetTimeoutError:  # pragma: no cover - ray.wait said it was ready
                    flying[ref] = flight
                    continue
                idle.append(flight.slot)
                yield flight.job, value
            for ref, flight in list(flying.items()):
                if flight.deadline is not None and now >= flight.deadline:
                    del flying[ref]
                    self.replace(flight.slot)
                    idle.append(flight.slot)
                    yield from failed(flight, "the actor overran its deadline and was replaced")

    def close(self) -> None:
        """Kill every actor."""
        import ray

        for actor in self.actors:
            try:
                ray.kill(actor, no_restart=True)
            except Exception:  # already gone
                pass
        self.actors = []
