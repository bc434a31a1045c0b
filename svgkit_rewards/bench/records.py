"""What the benchmark runner reads and writes: prompts, completions and the JSONL store.

A run is a sequence of append-only JSONL files; every record is flushed and ``fsync``-ed as it is
written, so an interrupted run loses nothing it wrote and a rerun skips what is done.

Examples
--------
>>> p = BenchPrompt(id="apple", prompt="a red apple", kind="object")
>>> Completion(id=p.id, sample=0, completion="<svg/>").key
('apple', 0)
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "KINDS",
    "BenchPrompt",
    "Completion",
    "GenerationRequest",
    "JsonlStore",
    "RunError",
    "Suite",
    "SuiteError",
]

#: Prompt kinds: text-to-SVG of one ``object`` or a ``scene``, a ``composition`` prompt with a
#: spec, a ``caption`` (COCO-style, may carry a reference), ``image`` (image-to-SVG: the
#: reference is the target).
KINDS: tuple[str, ...] = ("object", "scene", "composition", "caption", "image")


class RunError(RuntimeError):
    """A benchmark run cannot go on (bad option, unreadable completions file, dead endpoint)."""


class SuiteError(ValueError):
    """A suite or completions file cannot be read; the message names the file and line.

    Attributes
    ----------
    path : str or None
    line : int or None
        1-based line (JSONL) or record number (JSON list).
    """

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None,
                 line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{os.fspath(path)}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)
        self.path = None if path is None else os.fspath(path)
        self.line = line


@dataclass(frozen=True)
class BenchPrompt:
    """One prompt of a suite.

    Attributes
    ----------
    id : str
        Unique within the suite.
    prompt : str
        The request shown to the model (caption or instruction).
    kind : str
        One of :data:`KINDS`.
    category : str or None
        Report category: SGP-CompBench's minor type (``color``, ``2d_spatial``, ``basic``, …)
        for composition prompts, otherwise free (``animals``, ``icons``, …).
    spec : mapping or None
        Composition spec (an SGP-CompBench record or svgkit's format), checked by
        :func:`svgkit_rewards.check_composition`.
    reference_image : str or None
        Path to the target picture (absolute, resolved against the suite file).
    reference_svg : str or None
        SVG text of the target (rendered by svgkit for image metrics).
    metadata : mapping
        Anything else the suite record carried.
    """

    id: str
    prompt: str
    kind: str = "object"
    category: str | None = None
    spec: Mapping[str, Any] | None = None
    reference_image: str | None = None
    reference_svg: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def has_reference(self) -> bool:
        """A reference picture or SVG is available."""
        return self.reference_image is not None or self.reference_svg is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        out = asdict(self)
        out["spec"] = None if self.spec is None else dict(self.spec)
        out["metadata"] = dict(self.metadata)
        return out


@dataclass(frozen=True)
class Suite:
    """A named, ordered set of prompts."""

    name: str
    prompts: tuple[BenchPrompt, ...]
    path: str | None = None

    def __len__(self) -> int:
        return len(self.prompts)

    def by_id(self) -> dict[str, BenchPrompt]:
        """Prompts keyed by id."""
        return {p.id: p for p in self.prompts}


@dataclass(frozen=True)
class GenerationRequest:
    """One completion to generate: sample ``sample`` of prompt ``id``.

    Attributes
    ----------
    messages : tuple of mappings
        Chat messages (``role``, ``content``), the last one the user's.
    prompt : str
        The suite prompt's text.
    image : str or None
        For image-to-SVG prompts, the reference picture as a ``data:image/png;base64,`` URI;
        endpoints that take images receive it with the last user message.
    """

    id: str
    sample: int
    messages: tuple[Mapping[str, str], ...]
    prompt: str
    image: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.sample)


@dataclass(frozen=True)
class Completion:
    """A generated (or pre-generated) completion.

    Attributes
    ----------
    error : str or None
        Why generation failed after its retries (``"HTTP 500 after 5 attempts"``, ``"timeout"``);
        the completion is then ``""`` and scores as ``GENERATION_ERROR``. A rerun retries it.
    completion_tokens : int or None
        Tokens the generator reported (``None`` when unknown).
    """

    id: str
    sample: int
    completion: str
    finish_reason: str | None = None
    completion_tokens: int | None = None
    error: str | None = None
    latency_s: float | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.sample)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (the completions file's record)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Completion:
        """Read a completions record (``KeyError``, ``TypeError`` or ``ValueError`` if bad)."""
        completion = record["completion"]
        if not isinstance(completion, str):
            raise TypeError(f"`completion` must be a string, got {type(completion).__name__}")
        sample = record.get("sample", 0)
        if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
            raise ValueError(f"`sample` must be a non-negative integer, got {sample!r}")
        tokens = record.get("completion_tokens")
        return cls(
            id=str(record["id"]),
            sample=sample,
            completion=completion,
            finish_reason=record.get("finish_reason"),
            completion_tokens=tokens if isinstance(tokens, int) else None,
            error=record.get("error"),
            latency_s=record.get("latency_s"),
        )


class JsonlStore:
    """An append-only JSONL file that survives interruption.

    Each :meth:`append` writes one line, flushes and ``fsync``-s it. :meth:`records` skips a torn
    last line (a run killed mid-write) and any line that is not a JSON object; a later append
    starts on a fresh line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = JsonlStore(pathlib.Path(tempfile.mkdtemp()) / "x.jsonl")
    >>> store.append({"id": "a", "sample": 0})
    >>> [r["id"] for r in store.records()]
    ['a']
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def records(self) -> Iterator[dict[str, Any]]:
        """Every complete record, in file order."""
        if not self.path.exists():
            return
        with self.path.open("r", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    return  # torn last write
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    yield record

    def keys(self) -> set[tuple[str, int]]:
        """``(id, sample)`` of every record."""
        out: set[tuple[str, int]] = set()
        for r in self.records():
            if "id" in r and isinstance(r.get("sample", 0), int):
                out.add((str(r["id"]), int(r.get("sample", 0))))
        return out

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one record durably."""
        line = json.dumps(record, ensure_ascii=False, allow_nan=False, default=_jsonable)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as fh:
                fh.seek(0, os.SEEK_END)
                if fh.tell() > 0:
                    fh.seek(-1, os.SEEK_END)
                    if fh.read(1) != b"\n":  # a torn line from an earlier crash: start afresh
                        fh.write(b"\n")
                fh.write(line.encode("utf-8") + b"\n")
                fh.flush()
                os.fsync(fh.fileno())


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
