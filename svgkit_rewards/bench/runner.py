"""A benchmark run: generate (or read) completions, score them, summarise, write the report.

Everything a run produces lives in one folder and is written as it is made (append + ``fsync``
per record), so an interrupted run resumes where it stopped: completions already generated are
not asked for again (failed ones are), samples already scored are not scored again.

Examples
--------
>>> import tempfile
>>> from svgkit_rewards.bench.records import BenchPrompt, Suite
>>> from svgkit_rewards.bench.scoring import MetricConfig
>>> suite = Suite("tiny", (BenchPrompt("dot", "a red dot"),))
>>> class Echo:
...     name = "echo"
...     def generate(self, requests):
...         for r in requests:
...             yield Completion(r.id, r.sample, "<svg xmlns='http://www.w3.org/2000/svg' "
...                              "width='9' height='9'><circle cx='4' cy='4' r='3'/></svg>")
...     def close(self): pass
>>> summary = run_benchmark(suite, [SystemSource("echo", Echo())], tempfile.mkdtemp(),
...                         samples=2, config=MetricConfig(in_process=True), quiet=True,
...                         html=False)
>>> summary["systems"][0]["metrics"]["validity"]
100.0
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .records import BenchPrompt, Completion, GenerationRequest, JsonlStore, RunError, Suite
from .scoring import GENERATION_ERROR, MetricConfig, Scorer, summarize

__all__ = ["Generator", "SystemSource", "load_results", "rebuild_report", "run_benchmark"]


class Generator(Protocol):
    """What a generation backend offers (see :mod:`svgkit_rewards.bench.generate`)."""

    name: str

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator[Completion]: ...

    def close(self) -> None: ...


@dataclass
class SystemSource:
    """One system of a run: its name and where its completions come from.

    Parameters
    ----------
    name
        Row name in the report (also the completions file's name).
    generator
        A backend that makes completions (an endpoint, a local model, a pre-generated file).
    """

    name: str
    generator: Generator


def run_benchmark(
    suite: Suite,
    systems: Sequence[SystemSource],
    out_dir: str | os.PathLike[str],
    *,
    samples: int | None = None,
    config: MetricConfig | None = None,
    convention: str = "paper",
    template: str | None = None,
    system_prompt: str | None = None,
    quiet: bool = False,
    html: bool = True,
    screenshot: bool = False,
    chunk_size: int = 64,
    backend: str = "local",
    ray_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Run a benchmark and write its folder (see ``docs/benchmark.md`` for the layout).

    Parameters
    ----------
    suite
        The prompts.
    systems
        The systems to compare (rows of the report).
    out_dir
        The run folder; an existing one is resumed.
    samples
        Samples per prompt. ``None``: 1 for generators; for pre-generated files, every sample
        the file holds for the suite's prompts.
    config
        :class:`~svgkit_rewards.bench.scoring.MetricConfig` (defaults: no neural models).
    convention
        ``"paper"`` (invalid samples count as the worst value) or ``"valid"``.
    template, system_prompt
        The prompt template (``{prompt}``) and system message for generators (the paper's by
        default).
    quiet
        No progress bars or progress lines.
    html, screenshot
        Write ``report.html``; also a PNG screenshot of it with headless Chromium.
    chunk_size
        Completions scored per engine batch (whole prompts per chunk).
    backend
        ``"local"`` (the analysis engine's process pool in this process) or ``"ray"``
        (chunks on a pool of Ray actors, encoders on their own actors; see
        :class:`svgkit_rewards.cluster.RayScorer`). Results are the same.
    ray_options
        Keyword arguments of :class:`~svgkit_rewards.cluster.RayScorer` (``address``,
        ``num_actors``, ``encoder_gpus``, …).

    Returns
    -------
    dict
        The summary (also written to ``summary.json``).

    Raises
    ------
    RunError
        A system name repeats, or a backend cannot work at all.
    """
    names = [s.name for s in systems]
    if not systems:
        raise RunError("no systems to run: give completions files, an endpoint or a model")
    if len(set(names)) != len(names):
        raise RunError(f"system names repeat: {names}")
    if backend not in ("local", "ray"):
        raise RunError(f"`backend` must be 'local' or 'ray', got {backend!r}")
    if samples is not None and (not isinstance(samples, int) or samples < 1):
        raise RunError(f"`samples` must be a positive integer, got {samples!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = config or MetricConfig()
    started = time.perf_counter()
    timings: dict[str, float] = defaultdict(float)
    prompts = suite.by_id()

    # 1. completions, resumable
    completions: dict[str, list[Completion]] = {}
    for system in systems:
        t0 = time.perf_counter()
        completions[system.name] = _complete(
            suite, system, out / "completions" / f"{system.name}.jsonl", samples, template,
            system_prompt, quiet)
        timings["generation_s"] += time.perf_counter() - t0

    # 2. scores, resumable
    results = JsonlStore(out / "results.jsonl")
    done = {
        (str(r.get("system")), str(r.get("id")), int(r.get("sample", 0)))
        for r in results.records() if r.get("code") != GENERATION_ERROR
    }
    t0 = time.perf_counter()
    scorer: Any
    if backend == "ray":
        from ..cluster.bench import RayScorer

        scorer = RayScorer(config, out, **dict(ray_options or {}))
    else:
        scorer = Scorer(config, out)
    if any(p.has_reference for p in suite.prompts):
        reason = scorer.lpips_status()
        if reason is not None:
            config.skipped["lpips"] = reason
    try:
        for system in systems:
            todo = [c for c in completions[system.name]
                    if (system.name, c.id, c.sample) not in done]
            _score(scorer, system.name, prompts, todo, results, chunk_size, quiet)
    finally:
        scorer.close()
    timings["scoring_s"] = time.perf_counter() - t0

    # 3. summary and report
    t0 = time.perf_counter()
    records = load_results(out, systems=names, prompts=prompts)
    summary = _summary(suite, records, names, config, convention, completions)
    summary["timings"] = {
        "total_s": 0.0,
        "generation_s": round(timings["generation_s"], 3),
        "scoring_s": round(timings["scoring_s"], 3),
        "stages_s": _stages(records, scorer.stage_s),
    }
    _write_outputs(out, summary, records, html=html, screenshot=screenshot, t0=t0,
                   started=started)
    if not quiet:
        print(f"svgkit-bench: wrote {out}", file=sys.stderr)
    return summary


def _complete(
    suite: Suite,
    system: SystemSource,
    path: Path,
    samples: int | None,
    template: str | None,
    system_prompt: str | None,
    quiet: bool,
) -> list[Completion]:
    from . import generate as gen

    store = JsonlStore(path)
    have = _latest(Completion.from_dict(r) for r in store.records() if _is_completion(r))
    recorded = getattr(system.generator, "completions", None)  # a pre-generated file
    if samples is None and isinstance(recorded, Mapping):
        ids = suite.by_id()
        keys = {k for k in recorded if k[0] in ids}
        n_of: dict[str, int] = defaultdict(int)
        for pid, s in keys:
            n_of[pid] = max(n_of[pid], s + 1)
        requests = [r for p in suite.prompts if n_of[p.id]
                    for r in _requests(gen, [p], n_of[p.id], template, system_prompt)
                    if r.key in keys]
    else:
        requests = _requests(gen, list(suite.prompts), samples or 1, template, system_prompt)
    todo = [r for r in requests if r.key not in have or have[r.key].error is not None]
    if todo:
        bar = _progress(len(todo), f"generate {system.name}", quiet)
        try:
            for c in system.generator.generate(todo):
                store.append(c.to_dict())
                have[c.key] = c
                bar.update(1)
        finally:
            bar.close()
            system.generator.close()
    wanted = {r.key for r in requests}
    return [have[k] for k in (r.key for r in requests) if k in have and k in wanted]


def _requests(
    gen: Any, prompts: list[BenchPrompt], n: int, template: str | None, system_prompt: str | None
) -> list[GenerationRequest]:
    options: dict[str, Any] = {}
    if template is not None:
        options["template"] = template
    if system_prompt is not None:
        options["system_prompt"] = system_prompt
    requests: list[GenerationRequest] = gen.build_requests(prompts, n, **options)
    return requests


def _is_completion(record: Mapping[str, Any]) -> bool:
    return "id" in record and isinstance(record.get("completion"), str)


def _latest(items: Iterable[Completion]) -> dict[tuple[str, int], Completion]:
    """The last record per key, except that a success is never replaced by a failure."""
    out: dict[tuple[str, int], Completion] = {}
    for c in items:
        old = out.get(c.key)
        if old is None or c.error is None or old.error is not None:
            out[c.key] = c
    return out


def _score(
    scorer: Any,
    system: str,
    prompts: Mapping[str, BenchPrompt],
    todo: Sequence[Completion],
    results: JsonlStore,
    chunk_size: int,
    quiet: bool,
) -> None:
    if not todo:
        return
    # whole prompts per chunk, so that a prompt's samples are compared together (diversity)
    groups: dict[str, list[Completion]] = defaultdict(list)
    for c in todo:
        groups[c.id].append(c)
    chunks: list[list[Completion]] = [[]]
    for group in groups.values():
        if len(chunks[-1]) >= chunk_size:
            chunks.append([])
        chunks[-1].extend(group)
    bar = _progress(len(todo), f"score {system}", quiet)
    try:
        for records in scorer.score_chunks(system, prompts, chunks):
            for record in records:
                results.append(record)
            bar.update(len(records))
    finally:
        bar.close()


def load_results(
    run_dir: str | os.PathLike[str],
    *,
    systems: Sequence[str] | None = None,
    prompts: Mapping[str, BenchPrompt] | None = None,
) -> list[dict[str, Any]]:
    """The result records of a run folder: the latest per ``(system, id, sample)``, in file
    order, restricted to ``systems`` and the ``prompts`` ids when given."""
    latest: dict[tuple[str, str, int], dict[str, Any]] = {}
    for r in JsonlStore(Path(run_dir) / "results.jsonl").records():
        key = (str(r.get("system")), str(r.get("id")), int(r.get("sample", 0)))
        if systems is not None and key[0] not in systems:
            continue
        if prompts is not None and key[1] not in prompts:
            continue
        latest.pop(key, None)
        latest[key] = r
    return list(latest.values())


def _summary(
    suite: Suite,
    records: list[dict[str, Any]],
    names: Sequence[str],
    config: MetricConfig,
    convention: str,
    completions: Mapping[str, Sequence[Completion]],
) -> dict[str, Any]:
    import svgkit

    kinds: dict[str, int] = defaultdict(int)
    for p in suite.prompts:
        kinds[p.kind] += 1
    body = summarize(records, convention=convention,  # type: ignore[arg-type]
                     skipped=config.skipped, systems=names)
    per_prompt = [len({c.sample for c in completions[n] if c.id == p.id})
                  for n in names for p in suite.prompts]
    return {
        "svgkit_version": svgkit.__version__,
        "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "suite": {"name": suite.name, "path": suite.path, "prompts": len(suite),
                  "kinds": dict(kinds)},
        "samples_per_prompt": max(per_prompt, default=0),
        **body,
    }


def _stages(records: Sequence[Mapping[str, Any]], scorer_stages: Mapping[str, float]) -> dict[
        str, float]:
    stages: dict[str, float] = defaultdict(float)
    for r in records:
        for k, v in (r.get("timings") or {}).items():
            stage = "render" if k.startswith("render_") else k
            stages[stage] += float(v)
    for k, v in scorer_stages.items():
        stages[k] += float(v)
    return {k: round(v, 3) for k, v in sorted(stages.items())}


def _write_outputs(
    out: Path,
    summary: dict[str, Any],
    records: list[dict[str, Any]],
    *,
    html: bool,
    screenshot: bool,
    t0: float,
    started: float,
) -> None:
    from . import report

    # the report shows the time up to its own writing; summary.json gets the final figures
    summary["timings"]["total_s"] = round(time.perf_counter() - started, 3)
    if html:
        written = report.write_reports(summary, records, out)
        if screenshot:
            report.screenshot(written["html"], out / "report.png")
    else:
        (out / "table.md").write_text(report.markdown_table(summary), encoding="utf-8")
    summary["timings"]["report_s"] = round(time.perf_counter() - t0, 3)
    summary["timings"]["total_s"] = round(time.perf_counter() - started, 3)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")


def rebuild_report(
    run_dir: str | os.PathLike[str], *, convention: str = "paper", html: bool = True
) -> dict[str, Any]:
    """Summarise an existing run folder again (another convention, a fixed template) without
    generating or scoring anything."""
    out = Path(run_dir)
    old_path = out / "summary.json"
    if not old_path.is_file():
        raise RunError(f"{out} holds no summary.json: not a finished svgkit-bench run")
    old = json.loads(old_path.read_text(encoding="utf-8"))
    names = [s["name"] for s in old.get("systems", [])]
    records = load_results(out, systems=names)
    skipped = {m["key"]: m["reason"] for m in old.get("metrics", [])
               if not m.get("available") and m.get("reason")}
    body = summarize(records, convention=convention,  # type: ignore[arg-type]
                     skipped=skipped, systems=names)
    summary = {**old, **body}
    started = t0 = time.perf_counter()
    summary.setdefault("timings", {})
    _write_outputs(out, summary, records, html=html, screenshot=False, t0=t0, started=started)
    return summary


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, desc: str, quiet: bool) -> Any:
    if quiet:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=desc, unit="sample", file=sys.stderr, leave=False)
