"""The reward engine: one analysis per completion per batch, then the terms, then the floor.

:class:`RewardEngine` takes a reward (a :class:`~svgkit_rewards.terms.Term`, usually built by
:func:`svgkit_rewards.build_reward` from a recipe) and scores batches of samples:

1. each distinct completion is analysed once (extract → parse → render at every size any term
   needs → features), in worker processes by default, so that a completion which hangs or
   crashes the renderer costs only its timeout and scores the floor with ``RENDER_TIMEOUT`` or
   ``RENDER_CRASH``; analyses are cached by content hash;
2. the reward's terms read those analyses; every leaf's value is kept as a named component;
3. a completion without a usable drawing (any error code; a truncated completion, including a
   ``finish_reason == "length"``) scores exactly the floor, as does one whose gate closed.
"""

from __future__ import annotations

import math
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import svgkit
from svgkit import font_set

from .analysis import (
    FAILURE_CODES,
    Analysis,
    AnalysisRequest,
    _task,
    analysis_from_error,
    analysis_key,
    analyze,
)
from .functional._common import completion_text
from .sample import Diagnostics, RewardResult, Sample
from .terms import EvalContext, Term

__all__ = ["RewardEngine"]

_WARMUP_TIMEOUT_S = 600.0
_WARMUP_DOCUMENT = (
    "<think>warm-up</think> <answer>"
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><title>warm-up</title>'
    '<g id="sun"><circle cx="8" cy="8" r="5" fill="gold"/></g>'
    '<g id="house"><rect x="12" y="14" width="14" height="12" fill="#a0522d" stroke="black"/>'
    '<path d="M10 14 L19 6 L28 14 Z" fill="red"/></g>'
    '<text x="2" y="30" font-size="4">hi</text></svg></answer>'
)

# Verdicts that depend on the machine's load, not on the document alone, are never cached: a
# load spike must not floor a completion for as long as it stays in the cache.
_UNCACHED = frozenset(
    {"TIMEOUT", "RENDER_TIMEOUT", "RENDER_CRASH", "RENDER_MEMORY", "INTERNAL"}
)


def _cacheable(analysis: Analysis) -> bool:
    return analysis.code not in _UNCACHED


class RewardEngine:
    """Scores batches of completions with one reward.

    Parameters
    ----------
    reward
        The reward term (a leaf or a combination).
    floor
        Score of a completion without a usable drawing, and of a closed gate.
    unscorable
        ``"floor"`` (default): such completions score ``floor``; ``"none"``: they score ``None``
        (TRL reads ``None`` as "no reward for this completion").
    truncated
        ``"floor"`` (default; the SGP reference forces 0 for ``finish_reason == "length"``):
        a cut-off document scores the floor. ``"repair"``: its open tags are closed and it is
        scored like any other document (``finish_reason`` is then ignored too).
    workers
        Analysis worker processes (default ``min(4, cpu_count)``).
    timeout_s
        Wall-clock budget of one completion's analysis in a worker.
    in_process
        Analyse in the calling process instead of workers (tests, notebooks, a batch of one):
        no isolation from hangs and crashes.
    memory_mb
        Address-space budget of each worker beyond its start-up size (Linux).
    cache_size
        Analyses kept (least recently used are dropped); 0 disables the cache.
    limits
        :class:`svgkit.Limits` for parsing.
    which
        Which ``<svg>`` of a completion is scored when there are several.
    fonts
        The fonts text is drawn with. ``"pinned"`` (default): svgkit's pinned DejaVu set alone
        (:func:`font_set.pinned_font_files`), so a score does not depend on the fonts a
        machine has; without the ``fonts`` extra the engine warns once, uses the system fonts
        and flags every result ``SYSTEM_FONTS``. ``"system"``: the machine's fonts. A list of
        directories or font files: those alone.

    Examples
    --------
    >>> from svgkit_rewards import RewardEngine, Sample, build_reward
    >>> engine = RewardEngine(build_reward("sgp"), in_process=True)
    >>> ok = "<think>a dot</think> <answer><svg><circle r='3'/></svg></answer>"
    >>> [round(r.score, 3) for r in engine.score([Sample(ok), Sample("no svg")])]
    [0.996, 0.0]
    >>> engine.score([Sample("no svg")])[0].diagnostics.code
    'NO_SVG'
    """

    def __init__(
        self,
        reward: Term,
        *,
        floor: float = 0.0,
        unscorable: Literal["floor", "none"] = "floor",
        truncated: Literal["floor", "repair"] = "floor",
        workers: int | None = None,
        timeout_s: float = 10.0,
        in_process: bool = False,
        memory_mb: int = 2048,
        cache_size: int = 512,
        limits: svgkit.Limits | None = None,
        which: Literal["last", "first", "largest"] = "last",
        fonts: Literal["pinned", "system"] | Sequence[str] = "pinned",
    ) -> None:
        if not isinstance(reward, Term):
            raise TypeError(f"Expected `reward` to be a Term, but got {type(reward).__name__}")
        names = [t.name for t in reward.leaves()]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(
                f"Expected the reward's terms to have unique names, but {dupes} repeat; "
                "give them distinct `name=`s"
            )
        if not (isinstance(floor, (int, float)) and math.isfinite(floor)):
            raise ValueError(f"Expected `floor` to be a finite float, but got {floor!r}")
        if unscorable not in ("floor", "none"):
            raise ValueError(
                f"Expected `unscorable` to be 'floor' or 'none', but got {unscorable!r}"
            )
        if truncated not in ("floor", "repair"):
            raise ValueError(
                f"Expected `truncated` to be 'floor' or 'repair', but got {truncated!r}"
            )
        if not (isinstance(timeout_s, (int, float)) and timeout_s > 0):
            raise ValueError(f"Expected `timeout_s` to be a positive float, but got {timeout_s!r}")
        if workers is not None and (not isinstance(workers, int) or workers < 1):
            raise ValueError(f"Expected `workers` to be a positive int, but got {workers!r}")
        if not isinstance(cache_size, int) or cache_size < 0:
            raise ValueError(
                f"Expected `cache_size` to be a non-negative int, but got {cache_size!r}"
            )
        self.reward = reward
        self.floor = float(floor)
        self.unscorable = unscorable
        self.truncated = truncated
        self.workers = workers
        self.timeout_s = float(timeout_s)
        self.in_process = bool(in_process)
        self.memory_mb = memory_mb
        self.cache_size = cache_size
        font_dirs, system_fonts = self._fonts(fonts)
        needs = reward.request()
        #: The union of what the reward's terms need from each analysis.
        self.request = AnalysisRequest(
            sizes=needs.sizes,
            render_check=needs.render_check,
            features=needs.features,
            limits=limits,
            repair=truncated == "repair",
            which=which,
            font_dirs=font_dirs,
            system_fonts=system_fonts,
        )
        self.names = tuple(names)
        #: Work done so far: ``analyses`` run, ``cache_hits``, ``parses``, ``renders``.
        self.counters: dict[str, int] = {"analyses": 0, "cache_hits": 0, "parses": 0, "renders": 0}
        self._cache: OrderedDict[str, Analysis] = OrderedDict()
        self._lock = threading.RLock()
        self._pool: svgkit.RenderPool | None = None

    def _fonts(self, fonts: object) -> tuple[tuple[str, ...], bool]:
        """``(font_dirs, system_fonts)`` of the ``fonts`` argument; sets :attr:`fonts` to what
        is really used (``"pinned"``, ``"system"`` or ``"custom"``)."""
        #: Whether the pinned set was asked for but missing (results are flagged SYSTEM_FONTS).
        self.fonts_fallback = False
        if fonts == "system":
            self.fonts = "system"
            return (), True
        if fonts == "pinned":
            try:
                files = font_set.pinned_font_files()
            except font_set.FontSetError as exc:
                _warn_pinned_missing(exc)
                self.fonts, self.fonts_fallback = "system", True
                return (), True
            self.fonts = "pinned"
            return files, False
        if isinstance(fonts, (str, bytes)) or not isinstance(fonts, Sequence) or not fonts:
            raise ValueError(
                "Expected `fonts` to be 'pinned', 'system' or a non-empty list of font "
                f"directories, but got {fonts!r}"
            )
        self.fonts = "custom"
        return font_set.font_options(list(fonts), False).font_dirs, False

    # -- construction from configuration ----------------------------------------------------

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | str | Path, **overrides: Any) -> RewardEngine:
        """An engine from a recipe name, a config dict, or a TOML/YAML file (see
        :func:`svgkit_rewards.load_config`); ``overrides`` replace engine settings.

        Examples
        --------
        >>> RewardEngine.from_config({"recipe": "sgp", "engine": {"floor": -1.0}}).floor
        -1.0
        """
        from .recipes import build_reward, engine_options, load_config

        cfg = load_config(config)
        options = {**engine_options(cfg), **overrides}
        return cls(build_reward(cfg), **options)

    # -- analysis ---------------------------------------------------------------------------

    def analyse(self, completions: Sequence[str]) -> list[Analysis]:
        """The analysis of each completion (one per distinct text, cached)."""
        keys = [analysis_key(c, self.request) for c in completions]
        todo: dict[str, str] = {}
        found: dict[str, Analysis] = {}
        with self._lock:
            for key, text in zip(keys, completions):
                if key in found or key in todo:
                    continue
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    found[key] = hit
                    self.counters["cache_hits"] += 1
                else:
                    todo[key] = text
        if todo:
            fresh = self._run(list(todo.items()))
            with self._lock:
                for key, a in zip(todo, fresh):
                    found[key] = a
                    self.counters["analyses"] += 1
                    self.counters["parses"] += a.parses
                    self.counters["renders"] += a.renders_made
                    if self.cache_size and _cacheable(a):
                        self._cache[key] = a
                        while len(self._cache) > self.cache_size:
                            self._cache.popitem(last=False)
        return [found[k] for k in keys]

    def _run(self, jobs: list[tuple[str, str]]) -> list[Analysis]:
        if self.in_process:
            return [analyze(text, self.request) for _key, text in jobs]
        try:
            pool = self._get_pool()
            results = pool.map(
                _task, [(text, self.request) for _key, text in jobs], timeout_s=self.timeout_s
            )
        except svgkit.SVGKitError as exc:  # no worker could be started: every item says so
            results = [exc] * len(jobs)
        out: list[Analysis] = []
        for (key, _text), r in zip(jobs, results):
            if isinstance(r, Analysis):
                out.append(r)
            elif isinstance(r, svgkit.SVGKitError):
                out.append(analysis_from_error(key, r))
            else:  # pragma: no cover - the pool returns one of the two
                out.append(
                    Analysis(key, "INTERNAL", f"unexpected worker result {type(r).__name__}")
                )
        return out

    def _get_pool(self) -> svgkit.RenderPool:
        with self._lock:
            if self._pool is None:
                pool = svgkit.RenderPool(self.workers, memory_mb=self.memory_mb)
                # The first analysis in a worker may compile numba kernels (tens of seconds
                # with an empty cache): do it now, under a generous budget, so that no
                # completion of the first batch is timed out for it.
                pool.map(
                    _task,
                    [(_WARMUP_DOCUMENT, self.request)] * (2 * pool.workers),
                    timeout_s=_WARMUP_TIMEOUT_S,
                )
                self._pool = pool
            return self._pool

    # -- scoring ----------------------------------------------------------------------------

    def score(self, samples: Sequence[Sample | str]) -> list[RewardResult]:
        """Score a batch.

        Parameters
        ----------
        samples
            :class:`Sample` objects, or bare completion strings.

        Returns
        -------
        list[RewardResult]
            One per sample, in order.
        """
        batch = [_as_sample(s) for s in samples]
        if not batch:
            return []
        t0 = time.perf_counter()
        analyses = self.analyse([s.completion for s in batch])
        t_analysis = time.perf_counter() - t0
        ctx = EvalContext(len(batch), self.floor)
        t0 = time.perf_counter()
        totals = self.reward.evaluate(batch, analyses, ctx)
        t_terms = (time.perf_counter() - t0) / len(batch)
        results: list[RewardResult] = []
        for i, (sample, a, total) in enumerate(zip(batch, analyses, totals)):
            code, message = a.code, a.message
            flags: list[str] = list(ctx.flags[i])
            if self.truncated == "floor" and sample.finish_reason == "length" and not a.failed:
                code, message = "TRUNCATED", "the generator stopped at its length limit"
            score: float | None
            if code in FAILURE_CODES:
                flags.append("FLOOR")
                score = self.floor if self.unscorable == "floor" else None
            elif ctx.closed[i]:
                flags.append("GATE_CLOSED")
                score = total
            else:
                score = total
            if score is not None and not math.isfinite(score):  # pragma: no cover - defensive
                flags.append("NON_FINITE")
                score = self.floor
            if any(v is None for v in ctx.components[i].values()):
                flags.append("NOT_APPLICABLE")
            if self.fonts_fallback:
                flags.append("SYSTEM_FONTS")
            timings = dict(a.timings)
            timings["batch_analysis"] = t_analysis
            timings["terms_batch_share"] = t_terms
            results.append(
                RewardResult(
                    score,
                    dict(ctx.components[i]),
                    Diagnostics(code, message, tuple(dict.fromkeys(flags)), timings, a.warnings),
                )
            )
        return results

    def __call__(self, samples: Sequence[Sample | str]) -> list[float | None]:
        """Only the scores of :meth:`score`."""
        return [r.score for r in self.score(samples)]

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the worker processes (a later call starts new ones) and drop the cache."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            self._cache.clear()

    def __enter__(self) -> RewardEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        # engines travel to trainer worker processes: workers and cache stay behind
        state = dict(self.__dict__)
        state["_pool"] = None
        state["_cache"] = OrderedDict()
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        mode = "in-process" if self.in_process else f"workers={self.workers or 'auto'}"
        return f"RewardEngine(terms={list(self.names)}, floor={self.floor}, {mode})"


def _as_sample(item: Sample | str) -> Sample:
    """A sample whose completion is text (bare strings and conversational completions too)."""
    if not isinstance(item, Sample):
        return Sample(completion_text(item))
    if isinstance(item.completion, str):
        return item
    return replace(item, completion=completion_text(item.completion))


_WARNED_PINNED = False


def _warn_pinned_missing(exc: Exception) -> None:
    """Warn once per process that rewards fall back on the machine's fonts."""
    global _WARNED_PINNED
    if not _WARNED_PINNED:
        _WARNED_PINNED = True
        warnings.warn(
            f"{exc}; scoring with the system fonts (results are flagged SYSTEM_FONTS)",
            RuntimeWarning,
            stacklevel=3,
        )
