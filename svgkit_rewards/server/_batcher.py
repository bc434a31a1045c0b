"""Dynamic batching: concurrent requests coalesced into engine batches, a bounded queue.

Requests are *jobs* (a list of samples and a future). One task takes the first waiting job,
collects more for up to ``max_wait_ms`` or until ``max_batch_size`` samples, and scores them
with one engine call in a worker thread, so that the event loop keeps accepting requests while
the engine works. While a batch is scored the next one fills up, so under load batches grow on
their own and the wait is only paid when the server is idle.

The queue is bounded in samples: :meth:`Batcher.submit` raises :class:`QueueFull` (the server
answers 503 with ``Retry-After``) rather than letting it grow without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..sample import RewardResult, Sample

__all__ = ["Batcher", "QueueFull"]

ScoreFn = Callable[[Sequence[Sample]], list[RewardResult]]


class QueueFull(Exception):
    """The queue cannot take the request now; ``retry_after_s`` estimates when it could."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"queue full; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class Stopped(Exception):
    """The batcher is shutting down and takes no new work."""


@dataclass
class _Job:
    samples: list[Sample]
    future: asyncio.Future[list[RewardResult]]
    enqueued: float = field(default_factory=time.perf_counter)


class Batcher:
    """Coalesces jobs into engine batches.

    Parameters
    ----------
    score
        The engine's batch scorer (:meth:`svgkit_rewards.RewardEngine.score`).
    max_batch_size
        Most samples in one engine call (a single larger request is scored alone).
    max_wait_ms
        How long the first job of a batch waits for company when the engine is idle.
    max_queue_samples
        Most samples waiting (not yet in an engine call) before new requests get
        :class:`QueueFull`.
    on_batch
        Called after each engine call with ``(samples, seconds)`` (metrics).
    """

    def __init__(
        self,
        score: ScoreFn,
        *,
        max_batch_size: int = 64,
        max_wait_ms: float = 5.0,
        max_queue_samples: int = 4096,
        on_batch: Callable[[int, float], None] | None = None,
    ) -> None:
        self._score = score
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_ms / 1000.0
        self.max_queue_samples = max_queue_samples
        self._on_batch = on_batch
        self._jobs: deque[_Job] = deque()
        self._wakeup: asyncio.Event | None = None
        self._open: asyncio.Event | None = None  # set once the warm-up has run
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="svgkit-engine")
        self._stopping = False
        self.queued_samples = 0
        self.running_samples = 0
        # samples/s of recent batches (exponentially averaged), for Retry-After
        self._rate: float | None = None

    # -- lifetime ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the batching task on the running event loop."""
        self._wakeup = asyncio.Event()
        self._open = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="svgkit-batcher")

    async def stop(self) -> None:
        """Score what is queued, then stop (new submissions raise :class:`Stopped`)."""
        self._stopping = True
        if self._wakeup is not None:
            self._wakeup.set()
        if self._open is not None:
            self._open.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        # a warm-up still running in the engine's thread is waited for off the event loop
        await asyncio.to_thread(self._executor.shutdown, True)

    async def run_first(self, warm_up: Callable[[], object]) -> None:
        """Run ``warm_up`` in the engine's thread before any batch (requests that arrive
        meanwhile wait in the queue); batches start after it, whether or not it raised."""
        assert self._open is not None, "start() first"
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, warm_up)
        finally:
            self._open.set()

    # -- submitting -------------------------------------------------------------------------

    def submit(self, samples: list[Sample]) -> asyncio.Future[list[RewardResult]]:
        """Queue one request's samples; the future resolves to their results in order."""
        if self._stopping or self._wakeup is None:
            raise Stopped("the server is shutting down")
        if self.queued_samples and self.queued_samples + len(samples) > self.max_queue_samples:
            self._drop_abandoned()
            if self.queued_samples and (
                self.queued_samples + len(samples) > self.max_queue_samples
            ):
                raise QueueFull(self.retry_after_s())
        future: asyncio.Future[list[RewardResult]] = asyncio.get_running_loop().create_future()
        self._jobs.append(_Job(samples, future))
        self.queued_samples += len(samples)
        self._wakeup.set()
        return future

    def retry_after_s(self) -> int:
        """Seconds until the queue has drained, from the recent throughput (1 to 60)."""
        backlog = self.queued_samples + self.running_samples
        rate = self._rate or 50.0
        return int(min(60, max(1, round(backlog / rate + 0.5))))

    @property
    def depth(self) -> int:
        """Samples waiting for an engine call."""
        return self.queued_samples

    # -- the loop ---------------------------------------------------------------------------

    def _take(self) -> list[_Job]:
        batch: list[_Job] = []
        n = 0
        while self._jobs:
            job = self._jobs[0]
            if job.future.done():  # its request timed out or was dropped while waiting
                self._jobs.popleft()
                self.queued_samples -= len(job.samples)
                continue
            if batch and n + len(job.samples) > self.max_batch_size:
                break
            self._jobs.popleft()
            self.queued_samples -= len(job.samples)
            batch.append(job)
            n += len(job.samples)
            if n >= self.max_batch_size:
                break
        return batch

    def _drop_abandoned(self) -> None:
        """Forget queued jobs whose requests timed out or went away."""
        live = deque(job for job in self._jobs if not job.future.done())
        self._jobs = live
        self.queued_samples = sum(len(job.samples) for job in live)

    def _queued_live(self) -> int:
        return sum(len(j.samples) for j in self._jobs if not j.future.done())

    async def _run(self) -> None:
        assert self._wakeup is not None and self._open is not None
        loop = asyncio.get_running_loop()
        await self._open.wait()
        while True:
            if not self._jobs:
                if self._stopping:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            # the engine is idle: give concurrent requests a moment to join this batch
            deadline = loop.time() + self.max_wait_s
            while (not self._stopping and self._queued_live() < self.max_batch_size
                   and loop.time() < deadline):
                self._wakeup.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), deadline - loop.time())
            batch = self._take()
            if batch:
                await self._score_batch(batch)

    async def _score_batch(self, batch: list[_Job]) -> None:
        loop = asyncio.get_running_loop()
        samples = [s for job in batch for s in job.samples]
        self.running_samples = len(samples)
        t0 = time.perf_counter()
        try:
            results: list[Any] = await loop.run_in_executor(
                self._executor, _score_jobs, self._score, [job.samples for job in batch]
            )
        finally:
            self.running_samples = 0
        seconds = time.perf_counter() - t0
        rate = len(samples) / max(seconds, 1e-6)
        self._rate = rate if self._rate is None else 0.7 * self._rate + 0.3 * rate
        if self._on_batch is not None:
            self._on_batch(len(samples), seconds)
        for job, outcome in zip(batch, results):
            if job.future.done():
                continue
            if isinstance(outcome, BaseException):
                job.future.set_exception(outcome)
            else:
                job.future.set_result(outcome)


def _score_jobs(score: ScoreFn, jobs: list[list[Sample]]) -> list[Any]:
    """Score the jobs in one engine call; when that call raises (a term failing on one request's
    data), score each job alone so that the failure stays with the job that caused it."""
    flat = [s for samples in jobs for s in samples]
    try:
        results = score(flat)
    except Exception as exc:
        if len(jobs) == 1:
            return [exc]
        outcomes: list[Any] = []
        for samples in jobs:
            try:
                outcomes.append(score(samples))
            except Exception as job_exc:
                outcomes.append(job_exc)
        return outcomes
    out: list[Any] = []
    at = 0
    for samples in jobs:
        out.append(results[at : at + len(samples)])
        at += len(samples)
    return out
