"""Scoring a large batch in chunks, rendering the next chunk while the current one is scored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..functional._common import completion_text
from ..sample import RewardResult, Sample
from .encoders import pipelined

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import RewardEngine

__all__ = ["score_in_chunks"]


def score_in_chunks(
    engine: RewardEngine,
    samples: Sequence[Sample | str],
    *,
    chunk_size: int = 64,
    overlap: bool = True,
) -> list[RewardResult]:
    """``engine.score(samples)``, ``chunk_size`` samples at a time, with the analyses (parse
    and render, in the engine's workers) of the next chunk running in a background thread
    while the terms (the models) score the current one.

    The results are those of ``engine.score(samples)``. The overlap works through the engine's
    analysis cache: with ``cache_size`` below ``2 · chunk_size`` a prefetched analysis may be
    dropped before its chunk is scored and is then made again (same result, less speed).

    Examples
    --------
    >>> from svgkit_rewards import RewardEngine
    >>> engine = RewardEngine.from_config("sgp", in_process=True)
    >>> ok = "<think>a dot</think> <answer><svg><circle r='3'/></svg></answer>"
    >>> [r.score for r in score_in_chunks(engine, [ok, "no svg", ok], chunk_size=2)] == \\
    ...     engine([ok, "no svg", ok])
    True
    """
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
        raise ValueError(f"Expected `chunk_size` to be a positive int, but got {chunk_size!r}")
    items = list(samples)
    chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]

    def produce(chunk: list[Sample | str]) -> list[Sample | str]:
        engine.analyse(
            [completion_text(s.completion if isinstance(s, Sample) else s) for s in chunk]
        )
        return chunk

    parts = pipelined(chunks, produce, engine.score, overlap=overlap)
    return [r for part in parts for r in part]
