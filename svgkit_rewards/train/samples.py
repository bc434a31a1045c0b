"""A table of sample completions with their renders, logged every N steps during training.

:class:`SampleTableCallback` is a ``transformers.TrainerCallback``. Every ``every`` optimiser
steps it takes the first ``count`` completions of the last batch the svgkit reward scored,
renders each (svgkit's hardened pipeline, in the trainer process, over white), and

* always writes ``<output_dir>/samples/step_<N>/samples.jsonl`` (prompt, completion, score,
  code, flags, components) and ``<i>.png`` beside it, so every run keeps its samples;
* logs a ``wandb.Table`` with a ``wandb.Image`` column when the trainer reports to Weights &
  Biases and a run is active;
* adds the renders as images and the table as Markdown text when the trainer reports to
  TensorBoard (through the trainer's own TensorBoard writer).

Completions without a usable drawing get no image; their row says why (the diagnostics code).
Only the main process logs.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from transformers import TrainerCallback

from ..analysis import AnalysisRequest, analyze
from ..functional.text_image import usable_render
from ..sample import RewardResult, Sample

__all__ = ["SampleRow", "SampleTableCallback", "sample_rows"]

#: Longest completion text kept in a table row (the rest is cut, with a marker).
MAX_COMPLETION_CHARS = 4000


@dataclass
class SampleRow:
    """One completion of a sample table.

    Attributes
    ----------
    step : int
    prompt : str or None
        The text the reward scored against (the caption).
    completion : str
    score : float or None
    code : str
        The diagnostics code (``OK``, ``NO_SVG``, ``TRUNCATED``, …).
    flags : str
        Comma-separated diagnostics flags.
    components : dict
        Component values (``None`` where a term does not apply).
    render : ndarray or None
        ``(size, size, 3)`` uint8 over white; ``None`` without a usable drawing.
    """

    step: int
    prompt: str | None
    completion: str
    score: float | None
    code: str
    flags: str
    components: dict[str, float | None] = field(default_factory=dict)
    render: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, without the render."""
        return {
            "step": self.step, "prompt": self.prompt, "completion": self.completion,
            "score": _finite(self.score), "code": self.code, "flags": self.flags,
            "components": {k: _finite(v) for k, v in self.components.items()},
            "rendered": self.render is not None,
        }


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _cut(text: str) -> str:
    if len(text) <= MAX_COMPLETION_CHARS:
        return text
    return text[:MAX_COMPLETION_CHARS] + f"… [{len(text) - MAX_COMPLETION_CHARS} more characters]"


def sample_rows(
    samples: Sequence[Sample],
    results: Sequence[RewardResult],
    *,
    step: int,
    count: int = 8,
    size: int = 256,
) -> list[SampleRow]:
    """The first ``count`` scored completions as table rows, each rendered at ``size``².

    Examples
    --------
    >>> from svgkit_rewards import RewardEngine, Sample
    >>> engine = RewardEngine.from_config("sgp", in_process=True)
    >>> ok = ("<think>dot</think> <answer><svg width='8' height='8'>"
    ...       "<circle cx='4' cy='4' r='3'/></svg></answer>")
    >>> batch = [Sample(ok, prompt="a dot"), Sample("no", prompt="a dot")]
    >>> rows = sample_rows(batch, engine.score(batch), step=5, size=16)
    >>> [(r.code, r.render is None) for r in rows]
    [('OK', False), ('NO_SVG', True)]
    >>> rows[0].render.shape
    (16, 16, 3)
    """
    request = AnalysisRequest(sizes=((size, size),))
    rows: list[SampleRow] = []
    for sample, result in list(zip(samples, results))[:count]:
        render = None
        if "FLOOR" not in result.diagnostics.flags:
            render = usable_render(analyze(sample.completion, request), size)
        rows.append(SampleRow(
            step=step, prompt=sample.prompt, completion=_cut(sample.completion),
            score=result.score, code=result.code, flags=",".join(result.diagnostics.flags),
            components=dict(result.components), render=render,
        ))
    return rows


class SampleTableCallback(TrainerCallback):
    """Log a table of sample completions with their renders every ``every`` steps.

    Parameters
    ----------
    reward
        The svgkit TRL reward function (:func:`svgkit_rewards.adapters.trl_reward` or one of
        :func:`~svgkit_rewards.adapters.trl_reward_funcs`), whose last scored batch is logged.
    every
        Steps between tables (0: never).
    count
        Completions per table.
    size
        Render side in pixels.
    prefix
        Name of the logged table (``<prefix>/samples``).

    Attributes
    ----------
    tables : list of list of SampleRow
        Every table logged so far (without its images once written, to bound memory).
    """

    def __init__(self, reward: Any, *, every: int = 50, count: int = 8, size: int = 256,
                 prefix: str = "svgkit") -> None:
        self.reward = reward
        self.every = int(every)
        self.count = int(count)
        self.size = int(size)
        self.prefix = prefix
        self.trainer: Any = None
        self.tables: list[list[SampleRow]] = []

    def attach(self, trainer: Any) -> None:
        """Remember the trainer, whose TensorBoard writer (if any) receives the tables."""
        self.trainer = trainer

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        step = int(state.global_step)
        if self.every <= 0 or step % self.every or not state.is_world_process_zero:
            return control
        batch = getattr(self.reward, "last_batch", None)
        if not batch:
            return control
        rows = sample_rows(batch[0], batch[1], step=step, count=self.count, size=self.size)
        self._write(Path(args.output_dir), step, rows)
        report_to = _report_to(args)
        if "wandb" in report_to:
            self._wandb(rows)
        if "tensorboard" in report_to:
            self._tensorboard(rows, step)
        for row in rows:
            row.render = None
        self.tables.append(rows)
        return control

    # -- sinks ------------------------------------------------------------------------------

    def _write(self, output_dir: Path, step: int, rows: Sequence[SampleRow]) -> None:
        from PIL import Image

        folder = output_dir / "samples" / f"step_{step:06d}"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "samples.jsonl", "w", encoding="utf-8") as fh:
            for i, row in enumerate(rows):
                record = row.to_dict()
                if row.render is not None:
                    name = f"{i}.png"
                    Image.fromarray(row.render, "RGB").save(folder / name)
                    record["image"] = name
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _wandb(self, rows: Sequence[SampleRow]) -> None:
        try:
            import wandb
        except ImportError:
            return
        if getattr(wandb, "run", None) is None:
            return
        columns = ["step", "prompt", "completion", "render", "score", "code", "flags"]
        data = [[r.step, r.prompt, r.completion,
                 None if r.render is None else wandb.Image(r.render),
                 _finite(r.score), r.code, r.flags] for r in rows]
        wandb.log({f"{self.prefix}/samples": wandb.Table(columns=columns, data=data)})

    def _tensorboard(self, rows: Sequence[SampleRow], step: int) -> None:
        writer = _tensorboard_writer(self.trainer)
        if writer is None:
            return
        lines = ["| # | prompt | score | code | completion |", "|---|---|---|---|---|"]
        for i, r in enumerate(rows):
            if r.render is not None:
                writer.add_image(f"{self.prefix}/samples/{i}", r.render, step, dataformats="HWC")
            text = r.completion[:300].replace("|", "\\|").replace("\n", " ")
            prompt = (r.prompt or "").replace("|", "\\|")
            lines.append(f"| {i} | {prompt} | {_finite(r.score)} | {r.code} | `{text}` |")
        writer.add_text(f"{self.prefix}/samples", "\n".join(lines), step)


def _report_to(args: Any) -> set[str]:
    value = getattr(args, "report_to", None) or []
    if isinstance(value, str):
        value = [value]
    return {str(v) for v in value}


def _tensorboard_writer(trainer: Any) -> Any:
    """The ``SummaryWriter`` of the trainer's TensorBoard callback, once it has one."""
    handler = getattr(trainer, "callback_handler", None)
    for callback in getattr(handler, "callbacks", ()):
        writer = getattr(callback, "tb_writer", None)
        if writer is not None:
            return writer
    return None

