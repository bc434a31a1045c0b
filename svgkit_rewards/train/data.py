"""Training prompts → a ``datasets.Dataset`` that ``GRPOTrainer`` and svgkit's TRL reward read.

The prompts are read by :func:`svgkit_rewards.bench.load_suite` (caption JSONL with
``{prompt, solution}``, svgkit records, SGP-CompBench JSON, image folders; ids optional) and
phrased as the benchmark runner phrases them (:func:`svgkit_rewards.bench.build_requests`: a
system message asking for reasoning in ``<think>`` and SVG code in ``<answer>``, and a user
message from a template). Every row holds:

* ``prompt`` — the chat messages (the conversational format TRL applies the model's chat
  template to);
* ``caption`` — the bare prompt text, which the reward scores against (text–image similarity,
  the compositional checks) instead of the templated message;
* ``reference_svg`` — the target SVG, when the record has one;
* ``spec`` — the composition spec as a JSON object string, when the record has one;
* ``image`` — image-to-SVG data only: the reference picture (TRL shows it to a vision-language
  model, and the reward compares the rendering with it);
* ``id``, ``kind``, ``category`` — for the logs.

Examples
--------
>>> import json, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "coco.jsonl"
>>> rows = [{"prompt": "a red apple", "solution": "a red apple"}, {"prompt": "a blue car"}]
>>> _ = path.write_text("\\n".join(json.dumps(r) for r in rows))
>>> records = prompt_rows(load_prompts(path))
>>> [r["caption"] for r in records], records[0]["prompt"][-1]["role"]
(['a red apple', 'a blue car'], 'user')
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..bench.generate import DEFAULT_SYSTEM_PROMPT, DEFAULT_TEMPLATE, build_requests
from ..bench.records import BenchPrompt
from ..bench.suites import load_suite

if TYPE_CHECKING:  # pragma: no cover
    import datasets

__all__ = ["build_dataset", "load_prompts", "prompt_rows"]


def load_prompts(
    path: str | os.PathLike[str], format: str = "auto", *, limit: int = 0
) -> list[BenchPrompt]:
    """The prompts of a training file or folder (records without an ``id`` are numbered).

    Parameters
    ----------
    path
        Caption JSONL, svgkit records, SGP-CompBench JSON, or a folder of reference pictures.
    format
        ``auto``, ``records``, ``compbench`` or ``images``.
    limit
        The first ``limit`` prompts only (0: all).

    Returns
    -------
    list of BenchPrompt

    Raises
    ------
    svgkit_rewards.bench.SuiteError
        The file is missing or malformed (the message names the file and line).
    """
    suite = load_suite(path, format, require_ids=False)  # type: ignore[arg-type]
    prompts = list(suite.prompts)
    return prompts[:limit] if limit else prompts


def prompt_rows(
    prompts: Sequence[BenchPrompt],
    *,
    template: str | None = None,
    system_prompt: str | None = None,
    object_instruction: bool = True,
    image_side: int = 512,
) -> list[dict[str, Any]]:
    """One training row per prompt (see the module docstring for the columns).

    Parameters
    ----------
    prompts
        From :func:`load_prompts`.
    template, system_prompt, object_instruction
        As :func:`svgkit_rewards.bench.build_requests` takes them (``None``: its defaults).
    image_side
        Side of a reference picture rendered from a reference SVG (image-to-SVG data).

    Returns
    -------
    list of dict

    Raises
    ------
    ValueError
        Image-to-SVG prompts are mixed with text prompts (one dataset feeds one kind of model),
        or an image prompt's reference cannot be read.
    """
    kinds = {p.kind == "image" for p in prompts}
    if len(kinds) > 1:
        raise ValueError(
            "Expected the training prompts to be all image-to-SVG or all text-to-SVG, but they "
            "mix both; train on one kind at a time")
    requests = build_requests(
        prompts, 1,
        template=DEFAULT_TEMPLATE if template is None else template,
        system_prompt=DEFAULT_SYSTEM_PROMPT if system_prompt is None else system_prompt,
        object_instruction=object_instruction,
    )
    rows: list[dict[str, Any]] = []
    for prompt, request in zip(prompts, requests):
        row: dict[str, Any] = {
            "id": prompt.id,
            "prompt": [dict(m) for m in request.messages],
            "caption": None if prompt.kind == "image" else prompt.prompt,
            "reference_svg": prompt.reference_svg,
            "spec": None if prompt.spec is None else json.dumps(dict(prompt.spec)),
            "kind": prompt.kind,
            "category": prompt.category,
        }
        if prompt.kind == "image":
            row["image"] = _reference_picture(prompt, image_side)
        rows.append(row)
    return rows


def _reference_picture(prompt: BenchPrompt, side: int) -> Any:
    """The prompt's reference as a PIL image (a picture file as is, an SVG rendered over
    white)."""
    from PIL import Image

    from ..functional.image_image import reference_picture

    if prompt.reference_image is not None:
        try:
            with Image.open(prompt.reference_image) as opened:
                return opened.convert("RGB")
        except OSError as exc:
            raise ValueError(f"Cannot read the reference picture of {prompt.id!r}: {exc}") from None
    found = reference_picture(None, prompt.reference_svg, side=side)
    if found is None:
        raise ValueError(f"The reference SVG of {prompt.id!r} has no usable drawing")
    return Image.fromarray(found[0], "RGB")


def build_dataset(
    path: str | os.PathLike[str],
    format: str = "auto",
    *,
    limit: int = 0,
    template: str | None = None,
    system_prompt: str | None = None,
    object_instruction: bool = True,
) -> datasets.Dataset:
    """A ``datasets.Dataset`` of training prompts, ready for ``GRPOTrainer``.

    Parameters
    ----------
    path, format, limit
        As :func:`load_prompts`.
    template, system_prompt, object_instruction
        As :func:`prompt_rows`.

    Returns
    -------
    datasets.Dataset
        Columns ``prompt``, ``caption``, ``reference_svg``, ``spec``, ``id``, ``kind``,
        ``category`` (and ``image`` for image-to-SVG data). Columns that are empty in every row
        are dropped, so that TRL and the reward see only what the data has.

    Examples
    --------
    >>> from svgkit_rewards.bench.suites import DEMO_DIR
    >>> ds = build_dataset(DEMO_DIR / "suite.jsonl", limit=3)
    >>> ds.column_names
    ['id', 'prompt', 'caption', 'kind', 'category']
    >>> ds[0]["caption"]
    'a red apple'
    """
    import datasets

    rows = prompt_rows(
        load_prompts(path, format, limit=limit),
        template=template, system_prompt=system_prompt, object_instruction=object_instruction,
    )
    empty = [key for key in ("caption", "reference_svg", "spec", "category")
             if all(row[key] is None for row in rows)]
    for row in rows:
        for key in empty:
            del row[key]
    return datasets.Dataset.from_list(rows)
