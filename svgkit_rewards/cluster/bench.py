"""The benchmark runner's Ray backend: :class:`RayScorer`.

The per-sample CPU work (extract, parse, render, statistics, anti-hacking, compositional
checks, pixel metrics) runs on a pool of CPU actors, one chunk of completions (whole prompts) per
call; each actor keeps a warm analysis engine, so numba compilation and worker start-up are paid
once per actor, not once per chunk, and the engine's per-item timeouts hold. The neural metrics
(CLIP / SigLIP, DINO, diversity) run on encoder actors (``encoder_gpus`` GPUs each; CPU actors
when it is 0) that receive the finished chunks of several CPU calls at once, so that each
forward pass batches across them. The driver writes thumbnails and appends records to the same
resumable ``results.jsonl`` as chunks complete (the actors encode the PNGs; the driver only
writes bytes and records, about 0.5 ms a sample). An actor that dies is replaced and its chunk is
retried once, one completion at a time; a completion that fails again gets a ``CRASH`` record.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..analysis import AnalysisRequest
from ..bench.records import BenchPrompt, Completion
from ..bench.scoring import MetricConfig, Scorer, thumbnail_png
from ._actors import ActorPool, Lost
from .pool import CRASH, ensure_ray

__all__ = ["RayScorer"]

_Job = tuple[str, tuple[Completion, ...]]


class _ChunkActor:
    """Scores chunks without the neural metrics; encodes the thumbnails, which the driver
    writes into the run folder (a cluster's actors do not share its disk)."""

    def __init__(self, config: MetricConfig, request: AnalysisRequest | None) -> None:
        self.scorer = Scorer(config, None, extra_request=request)
        self.keep_analyses = request is not None  # the encoders need the renders

    def score(self, system: str, prompts: Mapping[str, BenchPrompt],
              chunk: Sequence[Completion]) -> tuple[list[dict[str, Any]], dict[Any, Any],
                                                    dict[Any, bytes | None], dict[str, float]]:
        before = dict(self.scorer.stage_s)
        records, analysed = self.scorer.score_without_neural(system, prompts, chunk)
        t0 = time.perf_counter()
        pngs = {key: thumbnail_png(a) for key, a in analysed.items()}
        self.scorer.stage_s["thumbnails"] += time.perf_counter() - t0
        stages = {k: v - before.get(k, 0.0) for k, v in self.scorer.stage_s.items()}
        return records, analysed if self.keep_analyses else {}, pngs, stages


class _EncoderActor:
    """Holds the neural metric terms; scores many chunks' records in one call."""

    def __init__(self, config: MetricConfig) -> None:
        self.scorer = Scorer(config, None)

    def apply(self, prompts: Mapping[str, BenchPrompt], completions: list[Completion],
              analysed: dict[Any, Any], records: list[dict[str, Any]]
              ) -> tuple[list[dict[str, Any]], dict[str, float]]:
        before = dict(self.scorer.stage_s)
        self.scorer.apply_neural(prompts, completions, analysed, records)
        stages = {k: v - before.get(k, 0.0) for k, v in self.scorer.stage_s.items()}
        return records, stages


class RayScorer:
    """Score benchmark chunks on Ray actors (the interface of
    :class:`~svgkit_rewards.bench.scoring.Scorer` that the runner uses).

    Parameters
    ----------
    config
        The metrics (as for the local backend).
    run_dir
        The run folder (thumbnails are written here, by the driver).
    address
        Ray address when Ray is not initialised yet (``"auto"``, ``"ray://host:10001"``;
        ``None``: a local instance or ``RAY_ADDRESS``).
    num_actors
        CPU actors, one CPU each (default: the cluster's CPUs less those CPU encoder actors
        take, at most 256).
    encoder_actors, encoder_gpus
        Encoder actors for the neural metrics and the GPUs each takes (0: CPU actors of one
        CPU each).
    encoder_batch
        Completions gathered from finished chunks before they are sent to an encoder actor.
    chunk_timeout_s
        Seconds a chunk may take before its actor is replaced and the chunk retried (default:
        the per-item timeout × chunk size × 5 + 120).
    """

    def __init__(
        self,
        config: MetricConfig,
        run_dir: str | Path | None = None,
        *,
        address: str | None = None,
        num_actors: int | None = None,
        encoder_actors: int = 1,
        encoder_gpus: float = 0.0,
        encoder_batch: int = 256,
        chunk_timeout_s: float | None = None,
    ) -> None:
        ray = ensure_ray(address)
        self.config = config
        self.neural = config.text_image is not None or config.image_image is not None
        # the CPU side: no neural terms (the encoders hold them), one analysis worker per actor
        cpu_config = dataclasses.replace(config, text_image=None, image_image=None, workers=1)
        # ... but their analyses make the renders the encoders' terms read
        neural_request: AnalysisRequest | None = None
        for term in (config.text_image, config.image_image):
            if term is not None:
                req = term.request()
                neural_request = req if neural_request is None else neural_request.merge(req)
        self.local = Scorer(cpu_config, run_dir)  # thumbnails and CRASH records, on the driver
        self.stage_s: defaultdict[str, float] = defaultdict(float)
        if num_actors is None:  # every CPU, less those the CPU encoders take
            cpus = int(ray.cluster_resources().get("CPU", 1.0))
            taken = max(1, encoder_actors) if self.neural and not encoder_gpus else 0
            num_actors = max(1, min(256, cpus - taken))
        chunk_actor = ray.remote(_ChunkActor).options(num_cpus=1)
        self._chunk_timeout = chunk_timeout_s
        self._pool: ActorPool[_Job] = ActorPool(
            lambda: chunk_actor.remote(cpu_config, neural_request), int(num_actors),
            lambda actor, job: actor.score.remote(job[0], self._prompts_ref, list(job[1])),
            split=lambda job: [(job[0], (c,)) for c in job[1]],
            timeout_s=self._timeout,
        )
        self._prompts: dict[str, BenchPrompt] = {}
        self._prompts_ref: Any = None  # the prompts in Ray's object store, sent once
        self.encoder_batch = max(1, int(encoder_batch))
        self._encoders: list[Any] = []
        if self.neural:
            encoder = ray.remote(_EncoderActor).options(num_cpus=0 if encoder_gpus else 1,
                                                         num_gpus=encoder_gpus)
            neural_config = dataclasses.replace(config, lpips=False)
            self._encoders = [encoder.remote(neural_config) for _ in range(max(1, encoder_actors))]

    def _timeout(self, job: _Job) -> float:
        if self._chunk_timeout is not None:
            return self._chunk_timeout
        return self.config.timeout_s * len(job[1]) * 5.0 + 120.0

    def lpips_status(self) -> str | None:
        """As :meth:`Scorer.lpips_status` (decided on the driver)."""
        return self.local.lpips_status()

    def _add(self, stages: Mapping[str, float]) -> None:
        for key, value in stages.items():
            self.stage_s[key] += value

    def score_chunks(
        self,
        system: str,
        prompts: Mapping[str, BenchPrompt],
        chunks: Iterable[Sequence[Completion]],
    ) -> Iterator[list[dict[str, Any]]]:
        """The records of each chunk, as the actors finish them (any order)."""
        import ray

        self._prompts = dict(prompts)
        self._prompts_ref = ray.put(self._prompts)
        jobs: list[_Job] = [(system, tuple(chunk)) for chunk in chunks if chunk]
        pending: list[tuple[list[Completion], dict[Any, Any], list[dict[str, Any]]]] = []
        encoding: list[Any] = []
        turn = 0

        def send() -> None:
            nonlocal turn
            comps = [c for part in pending for c in part[0]]
            analysed = {k: a for part in pending for k, a in part[1].items()}
            records = [r for part in pending for r in part[2]]
            pending.clear()
            wanted = {c.id for c in comps}
            subset = {pid: self._prompts[pid] for pid in wanted}
            actor = self._encoders[turn % len(self._encoders)]
            turn += 1
            encoding.append(actor.apply.remote(subset, comps, analysed, records))

        def collect(block: bool) -> Iterator[list[dict[str, Any]]]:
            while encoding:
                ready, _ = ray.wait(encoding, num_returns=1, timeout=None if block else 0)
                if not ready:
                    return
                encoding.remove(ready[0])
                records, stages = ray.get(ready[0])
                self._add(stages)
                yield records

        for job, value in self._pool.run(jobs):
            chunk = list(job[1])
            if isinstance(value, Lost):
                yield [self.local.failure_record(system, self._prompts[c.id], c, CRASH,
                                                 f"the scoring actor failed twice ({value.reason})")
                       for c in chunk]
                continue
            records, analysed, pngs, stages = value
            self._add(stages)
            for c, record in zip(chunk, records):
                if c.key in pngs:
                    record["thumbnail"] = self.local.save_thumbnail(system, c, pngs[c.key])
            if not self.neural:
                yield records
                continue
            pending.append((chunk, analysed, records))
            if sum(len(p[0]) for p in pending) >= self.encoder_batch:
                send()
            yield from collect(block=False)
        if pending:
            send()
        yield from collect(block=True)

    def close(self) -> None:
        """Kill the actors."""
        import ray

        self._pool.close()
        for actor in self._encoders:
            ray.kill(actor, no_restart=True)
        self._encoders = []
        self.local.close()
