"""The benchmark runner behind ``svgkit-bench``: suites, generation backends, metrics, reports.

A run reads a :class:`Suite` (:func:`load_suite`, or the bundled :func:`demo_suite`), gets
completions from each system (a pre-generated JSONL file, an OpenAI-compatible endpoint or a
local Hugging Face model, see :mod:`svgkit_rewards.bench.generate`), scores every sample once
(:class:`~svgkit_rewards.bench.scoring.Scorer`) and writes a resumable run folder with
``results.jsonl``, ``summary.json``, ``table.md`` and a self-contained ``report.html``
(:func:`run_benchmark`). Optional dependencies (jinja2, tqdm, httpx, torch) are imported only
where they are used.

Examples
--------
>>> from svgkit_rewards.bench import demo_suite
>>> suite = demo_suite()
>>> suite.name, len(suite) > 20
('demo', True)
"""

from __future__ import annotations

from .records import (
    KINDS,
    BenchPrompt,
    Completion,
    GenerationRequest,
    JsonlStore,
    RunError,
    Suite,
    SuiteError,
)
from .runner import SystemSource, load_results, rebuild_report, run_benchmark
from .scoring import CONVENTIONS, METRICS, MetricConfig, Scorer, summarize
from .suites import demo_suite, load_suite

__all__ = [
    "CONVENTIONS",
    "KINDS",
    "METRICS",
    "BenchPrompt",
    "Completion",
    "GenerationRequest",
    "JsonlStore",
    "MetricConfig",
    "RunError",
    "Scorer",
    "Suite",
    "SuiteError",
    "SystemSource",
    "demo_suite",
    "load_results",
    "load_suite",
    "rebuild_report",
    "run_benchmark",
    "summarize",
]
