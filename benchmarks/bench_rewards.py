"""Reward throughput: svgkit_rewards' RewardEngine against the SGP reference reward pipeline.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_rewards.py [--n 256] [--workers 1,2] [--repeat 2] \
        [--seed 0] [--quick] [--profile] [--out benchmarks/results/rewards.json]

Both pipelines score the same batch of ``--n`` model-style completions in the same run, on the
same cores, one after the other (the order rotates per pass); each figure is the best of
``--repeat`` passes (the JSON also keeps the median).

The batch: ``benchmarks/corpus.py`` documents (their ``<text>`` labels removed, as a model
trained under the SGP format gate writes no text) wrapped as model replies, alternately
``<think>…</think> <answer>```svg …```</answer>`` and ``<think>…</think> <answer><svg …>
</svg></answer>``, with a deterministic mix (``--seed``) of unusable ones: ~5% prose refusals
without any SVG, ~5% cut in the middle of a path (``finish_reason="length"``), ~3% malformed XML,
~2% pathological documents within svgkit's default limits (20,000 tiny rects, 240 nested
groups, a 400-pixel blur over a 2048² canvas, a 12-level ``<use>`` fan-out: 4,096 leaves).
Every completion is distinct, so no pipeline gains from deduplication. Every sample carries the
prompt and one reference picture (another corpus document rendered at 224², a numpy array).

* **svgkit**: ``RewardEngine(Gate(FormatTerm("sgp"), WeightedSum([LengthTerm("sgp"),
  PixelTerm("ssim", size=224), HackTerm()])))`` (``HackTerm`` only when
  ``svgkit_rewards.functional.hacks`` imports) with ``workers=k`` (worker processes, a 10 s
  budget per completion, the worker killed past it), the pool started and warmed on a separate
  batch before timing, and ``cache_size=0`` so that no pass reuses an earlier pass's analyses;
  also ``in_process=True``, and, separately, the same batch scored a second time by an engine
  with its cache (what a GRPO epoch that revisits a prompt pays).
* **reference**: what the SGP paper's reward code does per completion: the format check (the
  ``"</think> <answer>"`` / ``"</answer>"`` / no-text-tags rules), the SVG taken with a regular
  expression, ``lxml.etree.fromstring(svg, parser=XMLParser(recover=True))`` for validity,
  ``cairosvg.svg2png(bytestring=…, output_width/height=<the SVG's own size>)``, the PNG
  composited over white with PIL and resized to 224² (bicubic), scikit-image SSIM (Gaussian
  window, σ = 1.5, population covariance, data range 1, channels averaged) against the same
  reference, and the length term; one ``concurrent.futures.ThreadPoolExecutor`` of ``k``
  threads per batch, each result awaited with ``future.result(timeout=10)``.

A thread timeout cannot stop a runaway render: the thread keeps running (and holding a core)
after ``result()`` gave up on it. The reference's samples/s is measured when the last result
(or timeout) is in hand, which favours it; the time until its executor has drained is reported
too. "hung" counts results that hit the 10 s limit (``RENDER_TIMEOUT`` for svgkit, a
``TimeoutError`` for the reference); "invalid" counts completions that scored the floor (svgkit:
any failure code, or the format gate closed; reference: format check failed, no SVG, lxml or
cairosvg error, or a timeout).

``--profile`` adds a cProfile pass of each pipeline in one process (not timed for the table) and
reports where the time goes: extraction, parse, render, hack features, SSIM and the rest; the
1-worker engine run also splits the engine's wall time into work done in the worker
(per-stage timings the analyses carry), terms evaluated in the parent, and dispatch + IPC.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import cProfile
import datetime
import io
import json
import math
import os
import platform
import pstats
import random
import re
import statistics
import sys
import time
import types
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/corpus.py)
import numpy as np  # noqa: E402

import svgkit  # noqa: E402
from svgkit_rewards import (  # noqa: E402
    FormatTerm,
    Gate,
    LengthTerm,
    PixelTerm,
    RewardEngine,
    Sample,
    Term,
    WeightedSum,
)

TARGET_RATIO = 2.0
SIZE = 224
TIMEOUT_S = 10.0
PROMPT = "Draw a house with a tree and the sun in SVG."
MIX = {"no_svg": 0.05, "truncated": 0.05, "malformed": 0.03, "pathological": 0.02}
_NS = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"

# ---------------------------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------------------------

_TEXT_ELEMENT = re.compile(r"\n?[ \t]*(?:<!-- Title -->\s*)?<text\b[^>]*>.*?</text>", re.DOTALL)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>\s*")
_THOUGHTS = [
    "The user wants a simple scene. I will start with a sky background, then the ground, then "
    "the house with a roof, a door and windows, a tree beside it and the sun in a corner.",
    "Plan: viewBox first, a gradient for the sky, grouped objects with ids so the structure is "
    "readable, and short path data to keep the code compact.",
    "Let me think about the layout: the horizon sits at about two thirds of the height; the "
    "sun goes top right; clouds are ellipses grouped together.",
]
_REFUSALS = [
    "I'm sorry, but I can't produce an image here. I can describe the scene instead: a small "
    "house with a red roof, a tree to its left and a bright sun in the corner.",
    "As a text model I am not able to draw pictures directly. You could use a vector editor "
    "such as Inkscape to draw a house, a tree and a sun.",
    "<think>The request is ambiguous.</think> <answer>Could you tell me which style you would "
    "like: flat, outlined or realistic?</answer>",
]


def _strip_text(svg: str) -> str:
    return _TEXT_ELEMENT.sub("", svg)


def _wrap(svg: str, i: int) -> str:
    thought = _THOUGHTS[i % len(_THOUGHTS)] + f" (sample {i})"
    if i % 2 == 0:
        return f"<think>{thought}</think> <answer>```svg\n{svg.strip()}\n```</answer>"
    return f"<think>{thought}</think> <answer>{_XML_DECL.sub('', svg).strip()}</answer>"


def _truncate(text: str, rng: random.Random) -> str:
    """Cut the completion in the middle of a path's data (the last third of the document)."""
    starts = [m.end() for m in re.finditer(r'<path[^>]*? d="', text)]
    late = [s for s in starts if s > len(text) // 3] or starts
    if late:
        s = rng.choice(late)
        end = text.find('"', s)
        return text[: s + max(3, (end - s) // 2)]
    return text[: len(text) * 2 // 3]


def _malform(svg: str, i: int) -> str:
    """One of the XML slips models make."""
    kind = i % 4
    if kind == 0:  # an attribute value that never closes its quote
        return svg.replace('fill="', 'fill="#3a7d44 stroke="black', 1)
    if kind == 1:  # a closing tag for an element never opened
        k = svg.find("</g>")
        return svg[:k] + "</rect>" + svg[k:] if k >= 0 else svg + "</rect></svg>"
    if kind == 2:  # a bare ampersand in an attribute
        return svg.replace('id="', 'id="sun & sky ', 1)
    # mismatched nesting: a group closed by </svg> before its own end tag
    k = svg.rfind("</svg>")
    return svg[:k] + '<g id="unclosed"><circle r="5"/>' + svg[k:].replace("</svg>", "</svg>\n</g>")


def _flood(rng: random.Random) -> str:
    rects = "\n".join(
        f'<rect x="{rng.randint(0, 510)}" y="{rng.randint(0, 510)}" width="2" height="2" '
        f'fill="#{rng.randint(0, 0xFFFFFF):06x}"/>'
        for _ in range(20_000)
    )
    return f'<svg xmlns="{_NS}" viewBox="0 0 512 512" width="512" height="512">\n{rects}\n</svg>'


def _nested(rng: random.Random) -> str:
    depth = 240  # svgkit's default max_depth is 256
    opens = '<g transform="translate(1 1) rotate(1)" opacity="0.99">' * depth
    return (
        f'<svg xmlns="{_NS}" viewBox="0 0 512 512" width="512" height="512">{opens}'
        f'<circle cx="50" cy="50" r="40" fill="tomato"/>{"</g>" * depth}</svg>'
    )


def _blur(rng: random.Random) -> str:
    return (
        f'<svg xmlns="{_NS}" viewBox="0 0 2048 2048" width="2048" height="2048"><defs>'
        '<filter id="b" x="-100%" y="-100%" width="300%" height="300%">'
        '<feGaussianBlur stdDeviation="400"/></filter></defs>'
        '<g filter="url(#b)"><rect width="2048" height="2048" fill="skyblue"/>'
        '<circle cx="1024" cy="1024" r="600" fill="gold"/></g></svg>'
    )


def _fanout(rng: random.Random) -> str:
    levels = 12  # 2 + 4 + … + 4096 = 8,190 <use> instantiations (the default limit is 10,000)
    parts = [
        f'<svg xmlns="{_NS}" xmlns:xlink="{_XLINK}" viewBox="0 0 512 512" width="512" '
        'height="512"><defs><path id="l0" d="M0 0 C 5 -10 15 -10 20 0 C 15 10 5 10 0 0 Z" '
        'fill="seagreen"/>'
    ]
    for k in range(1, levels + 1):
        parts.append(
            f'<g id="l{k}"><use xlink:href="#l{k - 1}"/><use xlink:href="#l{k - 1}" '
            f'transform="translate({max(1, 40 // k)} {k % 3}) rotate(7)"/></g>'
        )
    parts.append(f'</defs><use xlink:href="#l{levels}" x="20" y="200"/></svg>')
    return "".join(parts)


PATHOLOGICAL: list[tuple[str, Callable[[random.Random], str]]] = [
    ("flood_20k_rects", _flood),
    ("nested_240_groups", _nested),
    ("blur_400px_2048_canvas", _blur),
    ("use_fanout_4096", _fanout),
]


@dataclass(frozen=True)
class Item:
    kind: str  # "valid", "no_svg", "truncated", "malformed", "pathological:<name>"
    completion: str
    finish_reason: str | None = None


def mix_counts(n: int) -> dict[str, int]:
    """How many completions of each kind a batch of ``n`` holds."""
    counts = {kind: round(share * n) for kind, share in MIX.items()}
    if n >= 8:  # every kind present even in a quick batch
        counts = {kind: max(1, c) for kind, c in counts.items()}
    counts["valid"] = n - sum(counts.values())
    return counts


def build_batch(n: int, seed: int) -> list[Item]:
    """``n`` distinct completions, deterministic in ``(n, seed)``."""
    rng = random.Random(seed)
    counts = mix_counts(n)
    kinds = [kind for kind, c in counts.items() for _ in range(c)]
    rng.shuffle(kinds)
    docs = [_strip_text(d) for d in corpus.generate(n, seed)]
    items: list[Item] = []
    n_patho = 0
    for i, kind in enumerate(kinds):
        if kind == "valid":
            items.append(Item(kind, _wrap(docs[i], i)))
        elif kind == "no_svg":
            items.append(Item(kind, _REFUSALS[i % len(_REFUSALS)] + f" (reply {i})"))
        elif kind == "truncated":
            items.append(Item(kind, _truncate(_wrap(docs[i], i), rng), "length"))
        elif kind == "malformed":
            items.append(Item(kind, _wrap(_malform(docs[i], i), i)))
        else:
            name, make = PATHOLOGICAL[n_patho % len(PATHOLOGICAL)]
            n_patho += 1
            items.append(Item(f"pathological:{name}", _wrap(make(rng), i)))
    return items


def reference_image(seed: int) -> np.ndarray:
    """The target picture: another corpus document rendered at 224² over white (uint8 RGB)."""
    doc = _strip_text(corpus.generate_one(seed + 1, 0))
    return np.ascontiguousarray(svgkit.render(doc, SIZE, SIZE, background="white")[:, :, :3])


# ---------------------------------------------------------------------------------------------
# svgkit pipeline
# ---------------------------------------------------------------------------------------------


def build_reward() -> tuple[Term, str | None]:
    """The benchmark's reward, and a note when the anti-hacking term had to be left out."""
    terms: list[tuple[Term, float]] = [
        (LengthTerm("sgp"), 1.0),
        (PixelTerm("ssim", size=SIZE), 1.0),
    ]
    note = None
    try:
        import svgkit_rewards.functional.hacks  # noqa: F401
        from svgkit_rewards import HackTerm

        terms.append((HackTerm(), 1.0))
    except ImportError as exc:
        note = f"HackTerm left out: svgkit_rewards.functional.hacks does not import ({exc})"
    return Gate(FormatTerm("sgp"), WeightedSum(terms)), note


def samples_of(items: list[Item], ref: np.ndarray) -> list[Sample]:
    return [
        Sample(it.completion, prompt=PROMPT, reference_image=ref, finish_reason=it.finish_reason)
        for it in items
    ]


def svgkit_outcome(results: list[Any]) -> dict[str, Any]:
    codes = Counter(r.diagnostics.code for r in results)
    floor = sum(1 for r in results if {"FLOOR", "GATE_CLOSED"} & set(r.diagnostics.flags))
    return {
        "hung": codes.get("RENDER_TIMEOUT", 0),
        "invalid": floor,
        "codes": dict(sorted(codes.items())),
        "scores": [r.score for r in results],
    }


def time_svgkit(engine: RewardEngine, samples: list[Sample]) -> tuple[float, list[Any]]:
    t0 = time.perf_counter()
    results = engine.score(samples)
    return time.perf_counter() - t0, results


# ---------------------------------------------------------------------------------------------
# reference pipeline (the SGP paper's reward code, per completion)
# ---------------------------------------------------------------------------------------------

_REF_FENCE = re.compile(r"```(?:svg|xml)?\s*(<svg\b.*?</svg>)\s*```", re.DOTALL)
_REF_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_REF_TEXT_TAGS = ("</text>", "</tspan>", "</textPath>")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _ref_format(completion: str) -> float:
    if "</think> <answer>" not in completion or not completion.rstrip().endswith("</answer>"):
        return 0.0
    return 0.0 if any(tag in completion for tag in _REF_TEXT_TAGS) else 1.0


def _ref_own_size(root: Any) -> tuple[int, int]:
    def length(value: str | None) -> float | None:
        m = _NUMBER.match(value.strip()) if value else None
        return float(m.group(0)) if m and not value.strip().endswith("%") else None

    w, h = length(root.get("width")), length(root.get("height"))
    if (w is None or h is None) and root.get("viewBox"):
        box = [float(v) for v in _NUMBER.findall(root.get("viewBox"))]
        if len(box) == 4:
            w = w if w is not None else box[2]
            h = h if h is not None else box[3]
    w, h = w or 512.0, h or 512.0
    return max(1, round(w)), max(1, round(h))


def reference_one(
    completion: str, target: np.ndarray, timings: dict[str, float] | None = None
) -> tuple[str, float]:
    """(status, score) of one completion; status ``"ok"`` or why it scored 0. ``timings``, when
    given, accumulates seconds per stage (the profile pass)."""
    import cairosvg
    from lxml import etree
    from PIL import Image
    from skimage.metrics import structural_similarity

    t = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal t
        if timings is not None:
            now = time.perf_counter()
            timings[stage] = timings.get(stage, 0.0) + now - t
            t = now

    fmt = _ref_format(completion)
    found = _REF_FENCE.findall(completion) or _REF_SVG.findall(completion)
    lap("format+extract")
    if not found:
        return "no_svg", 0.0
    svg = found[-1]
    data = svg.encode("utf-8")
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(recover=True))
    except etree.XMLSyntaxError:
        lap("lxml")
        return "xml", 0.0
    lap("lxml")
    if root is None:
        return "xml", 0.0
    width, height = _ref_own_size(root)
    try:
        png = cairosvg.svg2png(bytestring=data, output_width=width, output_height=height)
    except Exception:
        lap("cairosvg")
        return "render", 0.0
    lap("cairosvg")
    picture = Image.open(io.BytesIO(png)).convert("RGBA")
    white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, picture).convert("RGB")
    rgb = rgb.resize((SIZE, SIZE), Image.Resampling.BICUBIC)
    rendered = np.asarray(rgb, dtype=np.float64) / 255.0
    lap("png decode+composite+resize")
    ssim = float(
        structural_similarity(
            rendered,
            target,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=1.0,
            channel_axis=2,
        )
    )
    lap("ssim")
    length = max(0.0, 1.0 - len(re.sub(r"\s+", "", svg)) / 6000.0)
    lap("length")
    if not fmt:
        return "format", 0.0
    return "ok", fmt * (length + ssim)


def time_reference(
    completions: list[str], target: np.ndarray, threads: int
) -> tuple[float, float, list[tuple[str, float]]]:
    """(seconds until every result or timeout is in hand, seconds until the executor has
    drained, per-completion results)."""
    t0 = time.perf_counter()
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=threads)
    futures = [executor.submit(reference_one, c, target) for c in completions]
    out: list[tuple[str, float]] = []
    for f in futures:
        try:
            out.append(f.result(timeout=TIMEOUT_S))
        except concurrent.futures.TimeoutError:
            out.append(("hung", 0.0))  # the thread goes on rendering: nothing can stop it
        except Exception as exc:
            out.append((f"error:{type(exc).__name__}", 0.0))
    t_results = time.perf_counter() - t0
    executor.shutdown(wait=True)
    return t_results, time.perf_counter() - t0, out


def reference_outcome(results: list[tuple[str, float]]) -> dict[str, Any]:
    status = Counter(s for s, _ in results)
    return {
        "hung": status.get("hung", 0),
        "invalid": sum(c for s, c in status.items() if s != "ok"),
        "codes": dict(sorted(status.items())),
        "scores": [v for _, v in results],
    }


# ---------------------------------------------------------------------------------------------
# profile
# ---------------------------------------------------------------------------------------------

# (file suffix, function name): functions whose cumulative time cProfile reports
_PARENT_FUNCS = [
    ("functional/pixel.py", "ssim"),
    ("functional/pixel.py", "load_image"),
    ("functional/length.py", "code_length"),
    ("functional/format.py", "format_check"),
    ("functional/hacks.py", "judge_hacks"),
]
_HACK_FUNCS = [
    ("functional/hacks.py", "hack_features"),
    ("geometry/_stats.py", "stats"),
    ("geometry/_objects.py", "objects"),
    ("functional/hacks.py", "_check_picture"),
    ("functional/hacks.py", "_uniformity"),
    ("functional/hacks.py", "hidden_texts"),
    ("functional/hacks.py", "_display_none_extras"),
]


def _cumulative(stats: pstats.Stats, entries: list[tuple[str, str]]) -> dict[str, float]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for suffix, name in entries:
        total = 0.0
        for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in raw.items():
            if func == name and filename.endswith(suffix):
                total += ct
        out[f"{suffix.rsplit('/', 1)[-1]}:{name}"] = total
    return out


def _by_kind(items: list[Item], per_item: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    out: dict[str, Counter[str]] = {"all": Counter()}
    for it, stages in zip(items, per_item):
        kind = out.setdefault(it.kind.split(":")[0], Counter())
        for stage, v in stages.items():
            stage = "render" if stage.startswith("render") else stage
            kind[stage] += v
            out["all"][stage] += v
    return {k: {s: round(v, 4) for s, v in c.items()} for k, c in sorted(out.items())}


def profile(samples: list[Sample], items: list[Item], target: np.ndarray, reward: Term) -> dict:
    """Where the time goes, both pipelines in this process, one core (not the timed figures).

    svgkit: per-stage seconds of the analyses (their own timings, no profiler), the terms
    evaluated in the parent (timed, then under cProfile to split them), and hack_features under
    cProfile. Reference: per-stage seconds of the same code as the timed runs, no profiler."""
    from svgkit_rewards.terms import EvalContext

    engine = RewardEngine(reward, in_process=True, cache_size=0)
    engine.score(samples[:4])
    completions = [s.completion for s in samples]
    t0 = time.perf_counter()
    analyses = engine.analyse(completions)
    t_analysis = time.perf_counter() - t0
    stages = _by_kind(items, [dict(a.timings) for a in analyses])
    t0 = time.perf_counter()
    engine.reward.evaluate(samples, analyses, EvalContext(len(samples), engine.floor))
    t_terms = time.perf_counter() - t0
    # cProfile sees only this thread: score the pixel terms serially while it watches
    import svgkit_rewards.functional.pixel as pixel_module

    threads = pixel_module._threads
    pixel_module._threads = lambda: types.SimpleNamespace(map=map)  # type: ignore[assignment]
    prof = cProfile.Profile()
    try:
        prof.enable()
        engine.reward.evaluate(samples, analyses, EvalContext(len(samples), engine.floor))
        prof.disable()
    finally:
        pixel_module._threads = threads  # type: ignore[assignment]
    parent = _cumulative(pstats.Stats(prof), _PARENT_FUNCS)
    prof = cProfile.Profile()
    prof.enable()
    engine.analyse([c + " " for c in completions])  # distinct texts: no cache, same work
    prof.disable()
    hacks = _cumulative(pstats.Stats(prof), _HACK_FUNCS)

    for it in items[:4]:
        reference_one(it.completion, target)
    per_item: list[dict[str, float]] = []
    t0 = time.perf_counter()
    for it in items:
        timings: dict[str, float] = {}
        reference_one(it.completion, target, timings)
        per_item.append(timings)
    t_ref = time.perf_counter() - t0
    return {
        "svgkit_in_process": {
            "analysis_s": t_analysis,
            "analysis_stage_s": stages,
            "terms_in_parent_s": t_terms,
            "terms_under_cprofile_cumulative_s": parent,
            "hack_features_under_cprofile_cumulative_s": hacks,
        },
        "reference_one_thread": {
            "total_s": t_ref,
            "stage_s": _by_kind(items, per_item),
        },
    }


def _profile_summary(prof: dict[str, Any], mix: Counter[str]) -> str:
    """Milliseconds per completion, by stage, for the valid and the pathological ones."""
    sk, ref = prof["svgkit_in_process"], prof["reference_one_thread"]
    lines = ["where the time goes, one core (ms per completion of that kind):"]
    for kind in ("valid", "pathological"):
        n = mix.get(kind, 0)
        if not n:
            continue
        a = sk["analysis_stage_s"].get(kind, {})
        r = ref["stage_s"].get(kind, {})
        lines.append(
            f"  {kind} ({n}): svgkit "
            + ", ".join(f"{k} {1e3 * v / n:.1f}" for k, v in a.items())
            + " | reference "
            + ", ".join(f"{k} {1e3 * v / n:.1f}" for k, v in r.items())
        )
    terms = sk["terms_under_cprofile_cumulative_s"]
    lines.append(
        f"  svgkit terms in the parent: {sk['terms_in_parent_s']:.2f} s for the batch "
        "(under cProfile: "
        + ", ".join(f"{k.split(':')[1]} {v:.2f} s" for k, v in terms.items())
        + ")"
    )
    hacks = sk["hack_features_under_cprofile_cumulative_s"]
    lines.append(
        "  hack_features under cProfile: "
        + ", ".join(f"{k.split(':')[1]} {v:.2f} s" for k, v in hacks.items())
    )
    lines.append(
        f"  totals: svgkit analysis {sk['analysis_s']:.2f} s + terms {sk['terms_in_parent_s']:.2f}"
        f" s; reference {ref['total_s']:.2f} s"
    )
    return "\n".join(lines)


def split_engine_run(results: list[Any], wall: float, items: list[Item]) -> dict[str, Any]:
    """Split one engine run's wall time: work in the workers (the analyses' own timings, in
    total and per kind of completion), terms in the parent, and the rest (dispatch, pickling,
    pipes, hashing)."""
    stages: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    for r, it in zip(results, items):
        kind = by_kind.setdefault(it.kind.split(":")[0], Counter())
        for k, v in r.diagnostics.timings.items():
            if k not in ("batch_analysis", "terms_batch_share"):
                stage = "render" if k.startswith("render") else k
                stages[stage] += v
                kind[stage] += v
    first = results[0].diagnostics.timings
    analysis_wall = first.get("batch_analysis", 0.0)
    terms_wall = first.get("terms_batch_share", 0.0) * len(results)
    worker = sum(stages.values())
    return {
        "wall_s": wall,
        "analysis_wall_s": analysis_wall,
        "worker_stage_s": dict(stages),
        "worker_stage_s_by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "worker_total_s": worker,
        "terms_in_parent_s": terms_wall,
        "dispatch_ipc_and_rest_s": wall - worker - terms_wall,
    }


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------


def _versions() -> dict[str, str | None]:
    import importlib.metadata as md

    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in (
        "svgkit",
        "numpy",
        "numba",
        "scikit-image",
        "scipy",
        "pillow",
        "lxml",
        "cairosvg",
        "cairocffi",
    ):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out


def _hacks_version() -> Any:
    try:
        from svgkit_rewards.functional import hacks
    except ImportError:
        return None
    path = Path(hacks.__file__)
    return {
        "features_version": getattr(hacks, "FEATURES_VERSION", None),
        "modified": datetime.datetime.fromtimestamp(path.stat().st_mtime).isoformat(" ", "seconds"),
    }


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| pipeline | workers | samples/s (best) | samples/s (median) | ratio vs reference "
        "| hung | invalid |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.2f}×"
        lines.append(
            f"| {r['pipeline']} | {r['workers']} | {r['best']:.1f} | {r['median']:.1f} | {ratio} "
            f"| {r['hung']} | {r['invalid']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=256, help="completions per batch (default 256)")
    ap.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    ap.add_argument("--repeat", type=int, default=2, help="timed passes (best is reported)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="smoke run: n=24, one pass")
    ap.add_argument("--profile", action="store_true", help="add the cProfile breakdown")
    ap.add_argument("--out", default=str(HERE / "results" / "rewards.json"))
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.repeat = min(args.n, 24), 1
    workers = sorted({int(w) for w in args.workers.split(",") if w.strip()})
    if not workers or min(workers) < 1 or args.n < 1 or args.repeat < 1:
        ap.error("--n, --repeat and every --workers value must be positive")

    wall0 = time.perf_counter()
    load_before = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    items = build_batch(args.n, args.seed)
    target_u8 = reference_image(args.seed)
    target_f = target_u8.astype(np.float64) / 255.0
    samples = samples_of(items, target_u8)
    completions = [it.completion for it in items]
    warm_docs = [_strip_text(corpus.generate_one(args.seed + 2, i)) for i in range(8)]
    warm_items = [Item("valid", _wrap(d, 10_000 + i)) for i, d in enumerate(warm_docs)]
    warm = samples_of(warm_items, target_u8)
    reward, hack_note = build_reward()
    if hack_note:
        print(f"note: {hack_note}", flush=True)
    mix = Counter(it.kind.split(":")[0] for it in items)
    patho = Counter(it.kind.split(":")[1] for it in items if it.kind.startswith("pathological"))
    print(
        f"batch: {len(items)} completions: "
        + ", ".join(f"{k} {v}" for k, v in sorted(mix.items()))
        + f"; pathological: {dict(patho)}",
        flush=True,
    )

    # engines: started and warmed before any timing; cache_size=0 keeps every pass honest
    engines: dict[str, RewardEngine] = {}
    for k in workers:
        engines[f"svgkit:{k}"] = RewardEngine(reward, workers=k, timeout_s=TIMEOUT_S, cache_size=0)
    engines["svgkit_in_process:1"] = RewardEngine(reward, in_process=True, cache_size=0)
    for engine in engines.values():
        engine.score(warm)
    for it in warm_items[:4]:
        reference_one(it.completion, target_f)

    runs: dict[str, Callable[[], tuple[float, float, dict[str, Any], Any]]] = {}
    for name, engine in engines.items():

        def run_svgkit(engine: RewardEngine = engine) -> tuple[float, float, dict, Any]:
            dt, results = time_svgkit(engine, samples)
            return dt, dt, svgkit_outcome(results), results

        runs[name] = run_svgkit
    for k in workers:

        def run_ref(k: int = k) -> tuple[float, float, dict, Any]:
            t_res, t_drain, results = time_reference(completions, target_f, k)
            return t_res, t_drain, reference_outcome(results), results

        runs[f"reference:{k}"] = run_ref

    times: dict[str, list[float]] = {name: [] for name in runs}
    drained: dict[str, list[float]] = {name: [] for name in runs}
    outcomes: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
    split: dict[str, float] | None = None
    names = list(runs)
    for r in range(args.repeat):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            t, td, outcome, raw = runs[name]()
            times[name].append(t)
            drained[name].append(td)
            outcomes[name].append(outcome)
            if name == f"svgkit:{workers[0]}" and t == min(times[name]):
                split = split_engine_run(raw, t, items)
            print(
                f"pass {r + 1}/{args.repeat} {name:>22}: {t:7.2f} s "
                f"({len(items) / t:6.1f} samples/s), hung {outcome['hung']}, "
                f"invalid {outcome['invalid']}",
                flush=True,
            )

    # the same batch again, cache on: what a revisited prompt costs
    cached: dict[str, Any] = {}
    k_max = workers[-1]
    with RewardEngine(reward, workers=k_max, timeout_s=TIMEOUT_S) as engine:
        engine.score(warm)
        first, _ = time_svgkit(engine, samples)
        again, _ = time_svgkit(engine, samples)
        cached = {
            "workers": k_max,
            "first_s": first,
            "again_s": again,
            "samples_per_s_again": len(items) / again,
            "cache_hits": engine.counters["cache_hits"],
            "note": "failures that depend on load (timeouts, crashes) are never cached",
        }
    for engine in engines.values():
        engine.close()

    rows: list[dict[str, Any]] = []
    figures: dict[str, Any] = {}
    for name in names:
        pipeline, k = name.split(":")
        best, med = min(times[name]), statistics.median(times[name])
        last = outcomes[name][-1]
        figures[name] = {
            "pipeline": pipeline,
            "workers": int(k),
            "seconds": times[name],
            "seconds_until_drained": drained[name],
            "samples_per_s_best": len(items) / best,
            "samples_per_s_median": len(items) / med,
            "hung_per_pass": [o["hung"] for o in outcomes[name]],
            "invalid": last["invalid"],
            "codes": last["codes"],
        }
    for name in names:
        pipeline, k = name.split(":")
        ref = figures.get(f"reference:{k}")
        ratio = None
        if pipeline != "reference" and ref is not None:
            ratio = figures[name]["samples_per_s_best"] / ref["samples_per_s_best"]
            figures[name]["ratio_vs_reference"] = ratio
            figures[name]["ratio_vs_reference_median"] = (
                figures[name]["samples_per_s_median"] / ref["samples_per_s_median"]
            )
        rows.append(
            {
                "pipeline": pipeline,
                "workers": int(k),
                "best": figures[name]["samples_per_s_best"],
                "median": figures[name]["samples_per_s_median"],
                "ratio": ratio,
                "hung": max(figures[name]["hung_per_pass"]),
                "invalid": figures[name]["invalid"],
            }
        )
    order = {"svgkit": 0, "svgkit_in_process": 1, "reference": 2}
    rows.sort(key=lambda r: (r["workers"], order[r["pipeline"]]))

    # agreement: do both pipelines throw out the same completions?
    sk_scores = outcomes[f"svgkit:{workers[0]}"][-1]["scores"]
    ref_scores = outcomes[f"reference:{workers[0]}"][-1]["scores"]
    by_kind: dict[str, dict[str, int]] = {}
    for it, a, b in zip(items, sk_scores, ref_scores):
        kind = it.kind.split(":")[0]
        d = by_kind.setdefault(kind, {"n": 0, "svgkit_floor": 0, "reference_zero": 0})
        d["n"] += 1
        d["svgkit_floor"] += int(a == 0.0)
        d["reference_zero"] += int(b == 0.0)

    meets = {
        k: figures[f"svgkit:{k}"].get("ratio_vs_reference", math.nan) >= TARGET_RATIO
        for k in workers
    }
    prof = profile(samples, items, target_f, reward) if args.profile else None
    wall = time.perf_counter() - wall0
    result = {
        "benchmark": "rewards",
        "command": "python benchmarks/bench_rewards.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "date": datetime.date.today().isoformat(),
        "batch": {
            "n": len(items),
            "seed": args.seed,
            "mix": dict(sorted(mix.items())),
            "pathological": dict(patho),
            "median_completion_chars": statistics.median(len(c) for c in completions),
            "reference_picture": f"corpus.generate_one({args.seed + 1}, 0) at {SIZE}²",
            "zero_scores_by_kind": by_kind,
        },
        "reward": {
            "svgkit": "Gate(FormatTerm('sgp'), WeightedSum([LengthTerm('sgp'), "
            f"PixelTerm('ssim', size={SIZE})" + ("" if hack_note else ", HackTerm()") + "]))",
            "hack_term": hack_note is None,
            "hack_features_version": _hacks_version(),
            "note": hack_note,
            "reference": "format check · (length + SSIM) with lxml recover parse, cairosvg "
            "svg2png at the SVG's own size, PIL composite + bicubic resize to 224²",
        },
        "repeat": args.repeat,
        "timeout_s": TIMEOUT_S,
        "figures": figures,
        "table": rows,
        "target_ratio": TARGET_RATIO,
        "meets_target": meets,
        "cached_same_batch": cached,
        "svgkit_1_worker_split": split,
        "profile": prof,
        "wall_s": wall,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "processor": platform.processor(),
            "load_avg_before": load_before,
            "load_avg_after": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
        "versions": _versions(),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=2)

    print()
    print(_table(rows))
    print()
    print(
        f"batch mix: {dict(sorted(mix.items()))}, pathological {dict(patho)}; "
        f"reward {result['reward']['svgkit']}"
    )
    if hack_note:
        print(f"note: {hack_note}")
    for k in workers:
        ratio = figures[f"svgkit:{k}"].get("ratio_vs_reference", math.nan)
        print(
            f"target svgkit >= {TARGET_RATIO:g}x reference at {k} worker(s): "
            f"{ratio:.2f}x -> {'met' if meets[k] else 'MISSED'}"
        )
    for k in workers:
        f = figures[f"reference:{k}"]
        print(
            f"reference, {k} thread(s): last result after {min(f['seconds']):.2f} s, executor "
            f"drained after {min(f['seconds_until_drained']):.2f} s (a thread timeout cannot stop "
            "a runaway render: the thread keeps running)"
        )
    print(
        f"same batch again with the cache ({cached['workers']} workers): "
        f"{cached['samples_per_s_again']:.1f} samples/s ({cached['again_s']:.2f} s, "
        f"first pass {cached['first_s']:.2f} s)"
    )
    if split:
        print("svgkit 1-worker run split (s):", json.dumps(split, indent=None))
    if prof:
        print(_profile_summary(prof, mix))
    print(f"zero scores by kind: {json.dumps(by_kind)}")
    print(f"wall time {wall:.1f} s; results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
