"""Benchmark suites from files: own/caption JSONL, SGP-CompBench JSON, image folders.

Formats (``format="auto"`` tells them apart):

* ``records`` — JSONL (or a JSON list, or ``{"name": ..., "prompts": [...]}``), one prompt a
  record: ``{"id", "prompt", "kind"?, "category"?, "spec"?, "reference_image"?,
  "reference_svg"?}``. This is svgkit's own format and also reads COCO-style caption suites
  (``{id, prompt, reference_image?, reference_svg?}``: kind ``caption``; a ``solution``, as
  SGP-GenBench's training files carry, is the reference SVG when it is SVG code and the caption
  when there is no prompt) and image-to-SVG suites (no prompt, a reference: kind ``image``).
  Relative ``reference_image`` paths, and ``reference_svg`` values that name a ``.svg`` file,
  are resolved against the suite file.
* ``compbench`` — SGP-CompBench's prompt JSON: a list of ``{id, prompt, gen_type, major_type,
  minor_type, metadata}`` records (or a mapping of lists); each becomes a ``composition``
  prompt whose spec is the record itself and whose category is its minor type.
* ``images`` — a folder of reference pictures (``.png``, ``.jpg``, ``.jpeg``, ``.webp``) and
  ``.svg`` files; each file is an ``image`` prompt with id = file stem.

Any problem raises :class:`~svgkit_rewards.bench.records.SuiteError` naming the file and line.

Examples
--------
>>> import json, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "suite.jsonl"
>>> _ = path.write_text(json.dumps({"id": "a", "prompt": "a red apple"}) + "\\n")
>>> suite = load_suite(path)
>>> suite.name, suite.prompts[0].kind
('suite', 'caption')
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from .records import KINDS, BenchPrompt, Suite, SuiteError

__all__ = [
    "DEMO_DIR",
    "IMAGE_PROMPT",
    "IMAGE_SUFFIXES",
    "SUITE_FORMATS",
    "demo_suite",
    "load_suite",
]

SuiteFormat = Literal["auto", "records", "compbench", "images"]
SUITE_FORMATS: tuple[str, ...] = ("auto", "records", "compbench", "images")
#: Picture files an image suite folder may hold (besides ``.svg``).
IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".webp")
#: The instruction of an image-to-SVG prompt that carries none.
IMAGE_PROMPT = "Convert this image into SVG code that reproduces it as closely as possible."
#: The bundled demo: ``suite.jsonl`` and ``completions/<system>.jsonl``.
DEMO_DIR = Path(__file__).resolve().parent / "demo"

_RECORD_KEYS = frozenset(
    {"id", "prompt", "kind", "category", "spec", "reference_image", "reference_svg",
     "metadata", "caption", "text", "solution"}
)
_COMPBENCH_KEYS = ("major_type", "minor_type", "gen_type")


def demo_suite() -> Suite:
    """The bundled demo suite (``svgkit_rewards/bench/demo/suite.jsonl``)."""
    return load_suite(DEMO_DIR / "suite.jsonl", name="demo")


def load_suite(
    path: str | os.PathLike[str],
    format: SuiteFormat = "auto",
    *,
    name: str | None = None,
    require_ids: bool = True,
) -> Suite:
    """Read a suite file or folder.

    Parameters
    ----------
    path
        A ``.jsonl`` / ``.json`` file, or a folder of reference pictures and SVGs.
    format
        ``"auto"`` (folder → ``images``; JSON whose records carry ``major_type`` →
        ``compbench``; otherwise ``records``), or one of :data:`SUITE_FORMATS` to insist.
    name
        The suite's name in reports (default: the file stem or folder name).
    require_ids
        Every record needs an ``id`` (a benchmark resumes by id). ``False`` (training data)
        numbers records without one by their line or record number.

    Returns
    -------
    Suite

    Raises
    ------
    SuiteError
        The file is missing or unreadable, or a record is malformed (the message names the
        file and line), or ids repeat, or the suite is empty.
    """
    if format not in SUITE_FORMATS:
        raise ValueError(
            f"Expected `format` to be one of {', '.join(SUITE_FORMATS)}, but got {format!r}")
    p = Path(path).expanduser()
    if not p.exists():
        raise SuiteError("no such suite file or folder", p)
    suite_name = name or (p.name if p.is_dir() else p.stem)
    if p.is_dir():
        if format not in ("auto", "images"):
            raise SuiteError(f"a folder is an image suite, not {format!r}", p)
        prompts = _image_folder(p)
    else:
        numbered = _read_records(p)
        kind = format
        if kind == "auto":
            kind = "compbench" if any(
                isinstance(r, Mapping) and any(k in r for k in _COMPBENCH_KEYS)
                for _, r in numbered) else "records"
        if kind == "images":
            raise SuiteError("an image suite is a folder; pass the folder", p)
        read = _compbench_prompt if kind == "compbench" else _record_prompt
        if not require_ids:
            numbered = [(line, _with_id(record, line)) for line, record in numbered]
        prompts = [read(record, p, line) for line, record in numbered]
    if not prompts:
        raise SuiteError("the suite holds no prompts", p)
    seen: dict[str, int] = {}
    for i, prompt in enumerate(prompts):
        if prompt.id in seen:
            raise SuiteError(f"id {prompt.id!r} repeats (first at record {seen[prompt.id]})",
                             p, i + 1)
        seen[prompt.id] = i + 1
    return Suite(suite_name, tuple(prompts), str(p))


# -- reading --------------------------------------------------------------------------------------


def _read_records(path: Path) -> list[tuple[int, Any]]:
    """``(line or record number, record)`` pairs of a JSONL or JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SuiteError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None
    except OSError as exc:
        raise SuiteError(f"cannot read: {exc.strerror or exc}", path) from None
    if path.suffix.lower() == ".jsonl" or (path.suffix.lower() != ".json" and _looks_jsonl(text)):
        out: list[tuple[int, Any]] = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                out.append((number, json.loads(line)))
            except ValueError as exc:
                raise SuiteError(f"not valid JSON ({exc})", path, number) from None
        return out
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"not valid JSON ({exc.msg})", path, exc.lineno) from None
    records: Iterable[Any]
    if isinstance(data, list):
        records = data
    elif isinstance(data, Mapping) and isinstance(data.get("prompts"), list):
        records = data["prompts"]
    elif isinstance(data, Mapping) and data and all(isinstance(v, list) for v in data.values()):
        records = [r for v in data.values() for r in v]  # CompBench grouped by category
    else:
        raise SuiteError(
            "expected a list of records, {\"prompts\": [...]}, or a mapping of lists", path)
    return list(enumerate(records, 1))


def _with_id(record: Any, line: int) -> Any:
    """The record with ``id`` = its line or record number when it has none."""
    if isinstance(record, Mapping) and "id" not in record:
        return {**record, "id": str(line)}
    return record


def _looks_jsonl(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines[:3])


def _text_field(record: Mapping[str, Any], key: str, path: Path, line: int) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SuiteError(f"`{key}` must be a string, got {type(value).__name__}", path, line)
    return value


def _record_id(record: Mapping[str, Any], path: Path, line: int) -> str:
    if "id" not in record:
        raise SuiteError("missing `id`", path, line)
    value = record["id"]
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise SuiteError(f"`id` must be a non-empty string or integer, got {value!r}", path, line)
    return str(value)


def _record_prompt(record: Any, path: Path, line: int) -> BenchPrompt:
    if not isinstance(record, Mapping):
        raise SuiteError(f"expected a JSON object, got {type(record).__name__}", path, line)
    pid = _record_id(record, path, line)
    text = None
    for key in ("prompt", "caption", "text"):
        text = _text_field(record, key, path, line)
        if text is not None:
            break
    ref_image = _text_field(record, "reference_image", path, line)
    ref_svg = _text_field(record, "reference_svg", path, line)
    if ref_image is not None:
        ref_image = str(_resolve(ref_image, path, line, "reference_image"))
    if ref_svg is not None and not ref_svg.lstrip().startswith("<"):
        svg_path = _resolve(ref_svg, path, line, "reference_svg")
        try:
            ref_svg = svg_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SuiteError(f"cannot read `reference_svg` {svg_path}: {exc}", path, line) from None
    solution = _text_field(record, "solution", path, line)
    if solution is not None and solution.strip():
        if "<svg" in solution.lower():
            ref_svg = ref_svg if ref_svg is not None else solution
        elif text is None:
            text = solution
    spec = record.get("spec")
    if spec is not None:
        if isinstance(spec, str):
            try:
                spec = json.loads(spec)
            except ValueError:
                raise SuiteError("`spec` is a string that is not JSON", path, line) from None
        if not isinstance(spec, Mapping):
            raise SuiteError(f"`spec` must be an object, got {type(spec).__name__}", path, line)
        _check_spec(spec, path, line)
    kind = _text_field(record, "kind", path, line)
    if kind is None:
        if spec is not None:
            kind = "composition"
        elif text is None and (ref_image or ref_svg):
            kind = "image"
        else:
            kind = "caption"
    if kind not in KINDS:
        raise SuiteError(f"`kind` must be one of {', '.join(KINDS)}, got {kind!r}", path, line)
    if kind == "composition" and spec is None:
        raise SuiteError("a composition prompt needs a `spec`", path, line)
    if kind == "image" and not (ref_image or ref_svg):
        raise SuiteError("an image prompt needs `reference_image` or `reference_svg`", path, line)
    if text is None:
        if kind != "image":
            raise SuiteError("missing `prompt`", path, line)
        text = IMAGE_PROMPT
    if not text.strip():
        raise SuiteError("`prompt` is empty", path, line)
    category = record.get("category")
    if category is not None and not isinstance(category, str):
        raise SuiteError(f"`category` must be a string, got {category!r}", path, line)
    if category is None and spec is not None:
        category = spec.get("minor_type") if isinstance(spec.get("minor_type"), str) else "custom"
    metadata = {k: v for k, v in record.items() if k not in _RECORD_KEYS}
    if isinstance(record.get("metadata"), Mapping):
        metadata.update(record["metadata"])
    return BenchPrompt(pid, text, kind, category, spec, ref_image, ref_svg, metadata)


def _compbench_prompt(record: Any, path: Path, line: int) -> BenchPrompt:
    if not isinstance(record, Mapping):
        raise SuiteError(f"expected a JSON object, got {type(record).__name__}", path, line)
    pid = _record_id(record, path, line)
    text = _text_field(record, "prompt", path, line)
    if not text or not text.strip():
        raise SuiteError("missing `prompt`", path, line)
    _check_spec(record, path, line)
    minor = record.get("minor_type")
    category = minor if isinstance(minor, str) else "custom"
    extra = {k: record[k] for k in ("gen_type", "major_type") if k in record}
    return BenchPrompt(pid, text, "composition", category, dict(record), None, None, extra)


def _check_spec(spec: Mapping[str, Any], path: Path, line: int) -> None:
    from ..functional.composition_specs import SpecError, parse_spec

    try:
        parse_spec(spec)
    except SpecError as exc:
        raise SuiteError(f"bad composition spec: {exc}", path, line) from None


def _resolve(value: str, path: Path, line: int, key: str) -> Path:
    target = Path(value).expanduser()
    if not target.is_absolute():
        target = path.parent / target
    if not target.is_file():
        raise SuiteError(f"`{key}` file not found: {target}", path, line)
    return target.resolve()


def _image_folder(folder: Path) -> list[BenchPrompt]:
    prompts: list[BenchPrompt] = []
    for file in sorted(folder.iterdir()):
        suffix = file.suffix.lower()
        if not file.is_file() or (suffix not in IMAGE_SUFFIXES and suffix != ".svg"):
            continue
        if suffix == ".svg":
            try:
                svg = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SuiteError(f"cannot read: {exc}", file) from None
            prompts.append(BenchPrompt(file.stem, IMAGE_PROMPT, "image", None, None, None, svg))
        else:
            prompts.append(
                BenchPrompt(file.stem, IMAGE_PROMPT, "image", None, None, str(file.resolve())))
    return prompts
