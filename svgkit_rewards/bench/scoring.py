"""Per-sample metrics of a benchmark run, and their aggregation into a summary.

:class:`Scorer` turns completions into per-sample result records (one analysis per completion,
made by a :class:`~svgkit_rewards.RewardEngine`'s isolated workers); :func:`summarize` averages
records per system, per prompt kind and per SGP-CompBench category. Every metric's exact
definition is in ``docs/benchmark.md``.

Averaging conventions
    ``"paper"`` (default, SGP-GenBench's): every sample a metric applies to is in the
    denominator, and a sample without a usable drawing counts as the metric's worst value (0 for
    cosines, SSIM and compositional accuracy; 1 for MSE and LPIPS). ``"valid"``: only samples
    with a usable drawing are averaged. Geometry and length summaries always describe the
    samples that have them (a drawing, an SVG, a token count).

Examples
--------
>>> from svgkit_rewards.bench.records import BenchPrompt, Completion
>>> scorer = Scorer(MetricConfig(in_process=True))
>>> prompt = BenchPrompt("dot", "a red dot", "object")
>>> svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'>"
...        "<circle cx='4' cy='4' r='3' fill='red'/></svg>")
>>> [r["code"] for r in scorer.score("demo", {"dot": prompt},
...                                  [Completion("dot", 0, svg), Completion("dot", 1, "no")])]
['OK', 'NO_SVG']
"""

from __future__ import annotations

import io
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..analysis import FAILURE_CODES, Analysis, AnalysisRequest
from ..sample import Sample
from .records import BenchPrompt, Completion

__all__ = [
    "CONVENTIONS",
    "GENERATION_ERROR",
    "METRICS",
    "MetricConfig",
    "MetricInfo",
    "Scorer",
    "summarize",
]

Convention = Literal["paper", "valid"]
CONVENTIONS: tuple[str, ...] = ("paper", "valid")
#: Code of a sample whose generation failed (endpoint errors after every retry).
GENERATION_ERROR = "GENERATION_ERROR"
#: Thumbnail side (pixels) kept per sample for the report.
THUMB_SIDE = 128


@dataclass(frozen=True)
class MetricInfo:
    """A column of the report.

    Attributes
    ----------
    key, label : str
    higher_is_better : bool or None
        ``None`` for descriptive columns (geometry, length) that have no better direction.
    scale : str
        What the number is ("0-100", "raw cosine", …).
    worst : float or None
        What a sample without a usable drawing counts as under the ``paper`` convention;
        ``None``: the metric only describes samples that have it.
    description : str
    """

    key: str
    label: str
    higher_is_better: bool | None
    scale: str
    worst: float | None
    description: str


#: The report's columns, in order.
METRICS: tuple[MetricInfo, ...] = (
    MetricInfo("validity", "Valid %", True, "0-100", 0.0,
               "share of samples whose SVG parses, draws something and renders"),
    MetricInfo("clip", "CLIP", True, "raw cosine", 0.0,
               "cosine of the text-image model's caption and picture features (text prompts)"),
    MetricInfo("dino", "DINO", True, "raw cosine", 0.0,
               "cosine of the image model's features of the picture and the reference"),
    MetricInfo("diversity", "Diversity", True, "0-2", None,
               "1 - mean pairwise cosine of the image features of a prompt's valid samples"),
    MetricInfo("composition", "Comp. acc.", True, "0-100", 0.0,
               "share of compositional prompts whose every decidable check passes "
               "(SGP-CompBench accuracy; undecidable records left out)"),
    MetricInfo("mse", "MSE", False, "0-1", 1.0,
               "mean squared error to the reference at 224 px, RGB in [0, 1]"),
    MetricInfo("ssim", "SSIM", True, "-1-1", 0.0,
               "structural similarity to the reference at 224 px (Gaussian 11x11, sigma 1.5)"),
    MetricInfo("lpips", "LPIPS", False, "0-1", 1.0,
               "learned perceptual distance to the reference (AlexNet LPIPS)"),
    MetricInfo("hack_rate", "Hacked %", False, "0-100", None,
               "share of samples raising any anti-hacking flag"),
    MetricInfo("primitives", "Prims", None, "count", None,
               "mean number of drawn primitives of the valid samples"),
    MetricInfo("coverage", "Coverage", None, "0-1", None,
               "mean share of the canvas painted, valid samples"),
    MetricInfo("offcanvas", "Off-canvas", False, "0-1", None,
               "mean share of painted area outside the canvas, valid samples"),
    MetricInfo("chars", "Chars", None, "characters", None,
               "mean length of the extracted SVG in characters"),
    MetricInfo("tokens", "Tokens", None, "tokens", None,
               "mean completion length in tokens, as the generator reported it"),
)
_BY_KEY = {m.key: m for m in METRICS}
# per-sample metrics that the paper convention fills with the worst value for invalid samples
_QUALITY = ("clip", "dino", "mse", "ssim", "lpips")


@dataclass
class MetricConfig:
    """What to measure and how.

    Parameters
    ----------
    text_image
        A :class:`~svgkit_rewards.TextImageTerm` (CLIP / SigLIP) in ``mode="raw"``, or ``None``
        (the CLIP column is skipped and the report says why).
    image_image
        A :class:`~svgkit_rewards.ImageImageTerm` (DINOv2) in ``mode="raw"``, or ``None`` (DINO
        and diversity are skipped).
    lpips
        Compute LPIPS on image suites when the ``lpips`` package and its weights are available.
    workers, timeout_s, in_process
        The analysis engine's settings (see :class:`~svgkit_rewards.RewardEngine`).
    pixel_side
        Side of the square render compared with references (MSE, SSIM, LPIPS).
    skipped
        Metric key → why it is not measured (filled by the runner and by :class:`Scorer`).
    """

    text_image: Any = None
    image_image: Any = None
    lpips: bool = True
    workers: int | None = None
    timeout_s: float = 20.0
    in_process: bool = False
    pixel_side: int = 224
    skipped: dict[str, str] = field(default_factory=dict)


class Scorer:
    """Scores completions into per-sample result records (see ``docs/benchmark.md``).

    Parameters
    ----------
    config
        :class:`MetricConfig`.
    run_dir
        Where thumbnails are written (``thumbs/<system>/<id>__<sample>.png``); ``None`` keeps
        no thumbnails.
    extra_request
        More for each analysis to make (the Ray backend's CPU actors make the renders that the
        encoder actors' neural terms need, without holding those terms).
    """

    def __init__(self, config: MetricConfig, run_dir: str | Path | None = None, *,
                 extra_request: AnalysisRequest | None = None) -> None:
        from ..engine import RewardEngine
        from ..functional.composition import composition_request
        from ..functional.hacks import hacks_request
        from ..terms import Term

        self.config = config
        self.run_dir = None if run_dir is None else Path(run_dir)
        request = AnalysisRequest(sizes=((THUMB_SIDE, THUMB_SIDE), (config.pixel_side,) * 2))
        request = request.merge(hacks_request()).merge(composition_request())
        for term in (config.text_image, config.image_image):
            if term is not None:
                request = request.merge(term.request())
        if extra_request is not None:
            request = request.merge(extra_request)

        class _Needs(Term):  # the engine takes a term; this one only states the request
            name = "bench"

            def request(self) -> AnalysisRequest:
                return request

        self.engine = RewardEngine(
            _Needs(), workers=config.workers, timeout_s=config.timeout_s,
            in_process=config.in_process, cache_size=0,
        )
        self._references: dict[str, np.ndarray | None] = {}
        self._lpips: Any = None
        self.stage_s: defaultdict[str, float] = defaultdict(float)

    # -- per sample ---------------------------------------------------------------------------

    def score(
        self, system: str, prompts: Mapping[str, BenchPrompt], completions: Sequence[Completion]
    ) -> list[dict[str, Any]]:
        """Result records of ``completions`` (same order); never raises for model output."""
        records, analysed = self.score_without_neural(system, prompts, completions)
        self.apply_neural(prompts, completions, analysed, records)
        return records

    def score_chunks(
        self,
        system: str,
        prompts: Mapping[str, BenchPrompt],
        chunks: Iterable[Sequence[Completion]],
    ) -> Iterator[list[dict[str, Any]]]:
        """The records of each chunk, as it is scored (here: in order, one after another; the
        Ray backend's scorer yields them as its actors finish)."""
        for chunk in chunks:
            yield self.score(system, prompts, chunk)

    def score_without_neural(
        self, system: str, prompts: Mapping[str, BenchPrompt], completions: Sequence[Completion]
    ) -> tuple[list[dict[str, Any]], dict[tuple[str, int], Analysis]]:
        """The records without the neural metrics, and the analyses they came from (keyed by
        completion key) for :meth:`apply_neural` and thumbnails."""
        if not completions:
            return [], {}
        t0 = time.perf_counter()
        generated = [c for c in completions if c.error is None]
        analysed = dict(zip((c.key for c in generated),
                            self.engine.analyse([c.completion for c in generated])))
        self.stage_s["analysis"] += time.perf_counter() - t0
        records = []
        for c in completions:
            prompt = prompts[c.id]
            a = analysed.get(c.key)
            records.append(self._record(system, prompt, c, a))
        return records, analysed

    def failure_record(
        self, system: str, prompt: BenchPrompt, c: Completion, code: str, message: str
    ) -> dict[str, Any]:
        """The record of a completion that could not be scored at all (``code``: e.g.
        ``CRASH`` when the Ray actors scoring it died twice): invalid, every check failed."""
        return self._record(system, prompt, c, Analysis(c.id, code, message))

    def _record(
        self, system: str, prompt: BenchPrompt, c: Completion, a: Analysis | None
    ) -> dict[str, Any]:
        from ..functional.hacks import judge_hacks

        if a is None:
            code, message = GENERATION_ERROR, str(c.error)
        else:
            code, message = a.code, a.message
            if c.finish_reason == "length" and not a.failed:
                code, message = "TRUNCATED", "the generator stopped at its length limit"
        valid = code == "OK"
        metrics: dict[str, float | None] = {"validity": 1.0 if valid else 0.0}
        record: dict[str, Any] = {
            "system": system, "id": c.id, "sample": c.sample, "kind": prompt.kind,
            "category": prompt.category, "prompt": prompt.prompt, "code": code,
            "message": message, "valid": valid, "flags": [],
            "warnings": list(a.warnings) if a is not None else [], "metrics": metrics,
            "checks": [], "thumbnail": None, "finish_reason": c.finish_reason,
            "generation_error": c.error,
            "timings": {k: round(v, 6) for k, v in (a.timings.items() if a else ())},
        }
        t0 = time.perf_counter()
        usable = a is not None and valid
        hacks = a.features.get("hacks") if usable and a is not None else None
        report = judge_hacks(hacks, prompt.prompt)
        record["flags"] = list(report.flags)
        if a is not None and a.svg is not None:
            metrics["chars"] = float(len(a.svg))
        if c.completion_tokens is not None:
            metrics["tokens"] = float(c.completion_tokens)
        if usable and isinstance(hacks, Mapping):
            metrics["primitives"] = float(a.primitives) if a is not None else None
            metrics["coverage"] = _finite(hacks.get("coverage"))
            metrics["offcanvas"] = _finite(hacks.get("outside_fraction"))
        self.stage_s["hacks_geometry"] += time.perf_counter() - t0

        if prompt.spec is not None:
            t0 = time.perf_counter()
            record["composition"] = self._composition(prompt, a, code, message)
            result = record["composition"]
            metrics["composition"] = (None if result["satisfied"] is None
                                      else float(bool(result["satisfied"])))
            metrics["composition_score"] = result["score"]
            record["checks"] = result["checks"]
            self.stage_s["composition"] += time.perf_counter() - t0

        if prompt.has_reference:
            t0 = time.perf_counter()
            self._pixels(prompt, a if usable else None, metrics)
            self.stage_s["pixel"] += time.perf_counter() - t0

        if a is not None and self.run_dir is not None:
            t0 = time.perf_counter()
            record["thumbnail"] = self.write_thumbnail(system, c, a)
            self.stage_s["thumbnails"] += time.perf_counter() - t0
        return record

    def _composition(
        self, prompt: BenchPrompt, a: Analysis | None, code: str, message: str
    ) -> dict[str, Any]:
        from ..functional.composition import check_analysis
        from ..functional.composition_specs import parse_spec

        assert prompt.spec is not None
        spec = parse_spec(prompt.spec)
        if a is not None and code in ("OK", "EMPTY"):
            return check_analysis(a, spec).to_dict()
        # no usable drawing: every check fails, under the sample's own code
        stand_in = Analysis(a.key if a else "", code if code in FAILURE_CODES else "NO_SVG",
                            message)
        out = check_analysis(stand_in, spec).to_dict()
        out["code"] = code
        return out

    def _reference(self, prompt: BenchPrompt) -> np.ndarray | None:
        if prompt.id not in self._references:
            from ..functional.image_image import reference_picture

            side = self.config.pixel_side
            try:
                found = reference_picture(prompt.reference_image, prompt.reference_svg, side=side)
            except (OSError, ValueError):
                found = None
            self._references[prompt.id] = None if found is None else found[0]
        return self._references[prompt.id]

    def _pixels(
        self, prompt: BenchPrompt, a: Analysis | None, metrics: dict[str, float | None]
    ) -> None:
        from ..functional.pixel import mse, ssim

        ref = self._reference(prompt)
        if ref is None:
            return
        side = self.config.pixel_side
        pic = None if a is None else a.renders.get((side, side))
        if pic is None:
            metrics.update(mse=None, ssim=None)
            if self._lpips_model() is not None:
                metrics["lpips"] = None
            return
        ref_f = ref.astype(np.float32) / 255.0
        pic_f = pic.astype(np.float32) / 255.0
        metrics["mse"] = mse(pic_f, ref_f)
        metrics["ssim"] = ssim(pic_f, ref_f)
        model = self._lpips_model()
        if model is not None:
            metrics["lpips"] = _lpips_distance(model, pic_f, ref_f)

    def lpips_status(self) -> str | None:
        """Why LPIPS will not be measured (``None`` when it will be), decided up front so that a
        resumed run that scores nothing still reports it."""
        if not self.config.lpips:
            return "turned off (--no-lpips)"
        self._lpips_model()
        return self.config.skipped.get("lpips")

    def _lpips_model(self) -> Any:
        if not self.config.lpips or "lpips" in self.config.skipped:
            return None
        if self._lpips is None:
            self._lpips, reason = _load_lpips()
            if self._lpips is None:
                self.config.skipped["lpips"] = reason
        return self._lpips

    def write_thumbnail(self, system: str, c: Completion, a: Analysis) -> str | None:
        """Write the completion's thumbnail under the run folder; its relative path, or
        ``None`` without a render or a run folder."""
        if self.run_dir is None:
            return None
        return self.save_thumbnail(system, c, thumbnail_png(a))

    def save_thumbnail(self, system: str, c: Completion, png: bytes | None) -> str | None:
        """Write PNG bytes (:func:`thumbnail_png`) as the completion's thumbnail; its path
        relative to the run folder, or ``None`` without bytes or a run folder."""
        if png is None or self.run_dir is None:
            return None
        rel = Path("thumbs") / _safe(system) / f"{_safe(c.id)}__{c.sample}.png"
        out = self.run_dir / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(png)
        return rel.as_posix()

    def apply_neural(
        self,
        prompts: Mapping[str, BenchPrompt],
        completions: Sequence[Completion],
        analysed: Mapping[tuple[str, int], Analysis],
        records: list[dict[str, Any]],
    ) -> None:
        """Add the CLIP / DINO metrics and prompt diversity to ``records`` (in place)."""
        ti, ii = self.config.text_image, self.config.image_image
        if ti is None and ii is None:
            return
        usable = [i for i, (c, r) in enumerate(zip(completions, records))
                  if r["valid"] and c.key in analysed]
        if ti is not None:
            t0 = time.perf_counter()
            rows = [i for i in usable if prompts[completions[i].id].kind != "image"]
            samples = [Sample(completions[i].completion, prompt=prompts[completions[i].id].prompt)
                       for i in rows]
            batch = [analysed[completions[i].key] for i in rows]
            values = ti.compute(samples, batch) if rows else []
            for i, v in zip(rows, values):
                records[i]["metrics"]["clip"] = _finite(v)
            self.stage_s["text_image"] += time.perf_counter() - t0
        if ii is not None:
            t0 = time.perf_counter()
            rows = [i for i in usable if prompts[completions[i].id].has_reference]
            samples = [Sample(completions[i].completion,
                              reference_image=prompts[completions[i].id].reference_image,
                              reference_svg=prompts[completions[i].id].reference_svg)
                       for i in rows]
            batch = [analysed[completions[i].key] for i in rows]
            values = ii.compute(samples, batch) if rows else []
            for i, v in zip(rows, values):
                records[i]["metrics"]["dino"] = _finite(v)
            groups: dict[str, list[int]] = defaultdict(list)
            for i in usable:
                groups[completions[i].id].append(i)
            for rows in groups.values():
                if len(rows) < 2:
                    continue
                value = ii.diversity([analysed[completions[i].key] for i in rows])
                for i in rows:
                    records[i]["prompt_diversity"] = _finite(value)
            self.stage_s["image_image"] += time.perf_counter() - t0

    def close(self) -> None:
        """Stop the analysis workers."""
        self.engine.close()


# -- aggregation ----------------------------------------------------------------------------------


def summarize(
    records: Iterable[Mapping[str, Any]],
    *,
    convention: Convention = "paper",
    skipped: Mapping[str, str] | None = None,
    systems: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Aggregate result records into the ``systems`` and ``metrics`` parts of ``summary.json``.

    Parameters
    ----------
    records
        Per-sample result records (:meth:`Scorer.score`).
    convention
        ``"paper"`` or ``"valid"`` (see the module docstring).
    skipped
        Metric key → why it was not measured; those columns are marked unavailable.
    systems
        Order of the systems (default: first appearance).

    Returns
    -------
    dict
        ``{"convention", "convention_note", "metrics": [...], "systems": [...]}``.

    Examples
    --------
    >>> rows = [{"system": "a", "id": "x", "sample": 0, "kind": "object", "valid": True,
    ...          "code": "OK", "flags": [], "metrics": {"validity": 1.0}},
    ...         {"system": "a", "id": "x", "sample": 1, "kind": "object", "valid": False,
    ...          "code": "NO_SVG", "flags": [], "metrics": {"validity": 0.0}}]
    >>> summarize(rows)["systems"][0]["metrics"]["validity"]
    50.0
    """
    from ..functional.composition import CheckResult, CompositionResult, summarize_composition

    if convention not in CONVENTIONS:
        raise ValueError(
            f"Expected `convention` to be one of {', '.join(CONVENTIONS)}, but got {convention!r}")
    skipped = dict(skipped or {})
    by_system: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in records:
        by_system[str(r["system"])].append(r)
    order = list(systems) if systems is not None else list(by_system)
    out_systems = []
    measured: set[str] = set()
    for name in order:
        rows = by_system.get(name, [])
        block = _aggregate(rows, convention)
        measured |= {k for k, v in block["metrics"].items() if v is not None}
        kinds: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for r in rows:
            kinds[str(r.get("kind"))].append(r)
        comp = [
            CompositionResult(
                satisfied=r["composition"]["satisfied"], score=r["composition"]["score"],
                checks=tuple(CheckResult(**c) for c in r["composition"].get("checks", [])),
                code=r["composition"].get("code", "OK"),
                major_type=r["composition"].get("major_type", "custom"),
                minor_type=r["composition"].get("minor_type", "custom"))
            for r in rows
            if r.get("composition") is not None and (convention == "paper" or r.get("valid"))
        ]
        diversity = _diversity(rows)
        out_systems.append({
            "name": name,
            "samples": len(rows),
            "valid": sum(bool(r.get("valid")) for r in rows),
            "metrics": block["metrics"],
            "codes": dict(Counter(str(r.get("code")) for r in rows).most_common()),
            "flags": _flag_rates(rows),
            "kinds": {k: {"samples": len(v), "metrics": _aggregate(v, convention)["metrics"]}
                      for k, v in kinds.items()},
            "composition": summarize_composition(comp) if comp else None,
            "diversity": diversity,
        })
        if out_systems[-1]["composition"] is not None:
            accuracy = out_systems[-1]["composition"]["overall"]["accuracy"]
            out_systems[-1]["metrics"]["composition"] = accuracy
            if accuracy is not None:
                measured.add("composition")
        if diversity is not None:
            out_systems[-1]["metrics"]["diversity"] = diversity["mean"]
            measured.add("diversity")
    metrics = []
    for m in METRICS:
        available = m.key in measured
        reason = skipped.get(m.key)
        if not available and reason is None:
            reason = "does not apply to this suite"
        metrics.append({
            "key": m.key, "label": m.label, "higher_is_better": m.higher_is_better,
            "scale": m.scale, "available": available, "reason": None if available else reason,
            "description": m.description,
        })
    return {
        "convention": convention,
        "convention_note": CONVENTION_NOTES[convention],
        "metrics": metrics,
        "systems": out_systems,
    }


CONVENTION_NOTES = {
    "paper": ("Means over every sample a metric applies to; a sample without a usable drawing "
              "counts as 0 (CLIP, DINO, SSIM, accuracy) or 1 (MSE, LPIPS), as SGP-GenBench "
              "averages. Geometry and length columns describe the samples that have them."),
    "valid": ("Means over the valid samples only (samples without a usable drawing are left "
              "out). Geometry and length columns describe the samples that have them."),
}


def _aggregate(rows: Sequence[Mapping[str, Any]], convention: Convention) -> dict[str, Any]:
    values: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        m = r.get("metrics", {})
        valid = bool(r.get("valid"))
        values["validity"].append(100.0 * float(m.get("validity", 0.0)))
        values["hack_rate"].append(100.0 if r.get("flags") else 0.0)
        for key in ("primitives", "coverage", "offcanvas", "chars", "tokens"):
            if m.get(key) is not None:
                values[key].append(float(m[key]))
        for key in _QUALITY:
            if key not in m:
                continue  # does not apply to this sample's prompt
            v = m[key]
            if v is not None and valid:
                values[key].append(float(v))
            elif convention == "paper":
                worst = _BY_KEY[key].worst
                values[key].append(float(worst if worst is not None else 0.0))
    if not rows:
        return {"metrics": {m.key: None for m in METRICS}}
    metrics = {m.key: (round(float(np.mean(values[m.key])), 6) if values.get(m.key) else None)
               for m in METRICS}
    return {"metrics": metrics}


def _diversity(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    per_prompt: dict[str, float] = {}
    for r in rows:
        v = r.get("prompt_diversity")
        if v is not None:
            per_prompt[str(r["id"])] = float(v)
    if not per_prompt:
        return None
    return {"mean": round(float(np.mean(list(per_prompt.values()))), 6),
            "prompts": len(per_prompt)}


def _flag_rates(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for r in rows:
        counts.update(set(r.get("flags") or ()))
    n = max(len(rows), 1)
    return {flag: round(k / n, 4) for flag, k in counts.most_common()}


def thumbnail_png(a: Analysis) -> bytes | None:
    """The analysis' thumbnail render as PNG bytes (``None`` without one)."""
    from PIL import Image

    pic = a.renders.get((THUMB_SIDE, THUMB_SIDE))
    if pic is None:
        return None
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pic), "RGB").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _finite(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _safe(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return keep.strip(".") or "_"


def _load_lpips() -> tuple[Any, str]:
    """The LPIPS model, or ``None`` and why not (never downloads)."""
    try:
        import lpips
        import torch
    except ImportError:
        return None, "the lpips package is not installed (pip install lpips)"
    hub = Path(torch.hub.get_dir()) / "checkpoints"
    if not any(hub.glob("alexnet-*.pth")):
        return None, (f"lpips is installed but its AlexNet backbone weights are not in {hub} "
                      "(they are never downloaded at run time)")
    try:
        model = lpips.LPIPS(net="alex", verbose=False)
    except Exception as exc:  # a broken install must not end the run
        return None, f"lpips failed to load: {type(exc).__name__}: {exc}"
    model.eval()
    return model, ""


def _lpips_distance(model: Any, a: np.ndarray, b: np.ndarray) -> float | None:
    import torch

    def tensor(x: np.ndarray) -> Any:
        return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None] * 2.0 - 1.0

    with torch.no_grad():
        return _finite(model(tensor(a), tensor(b)).item())
