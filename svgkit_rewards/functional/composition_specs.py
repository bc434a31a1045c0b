"""Composition specs: what a prompt asks for, read from SGP-CompBench records or svgkit's format.

Two formats are read as they are written:

* **SGP-CompBench records** ``{id, prompt, gen_type, major_type, minor_type, metadata}``:
  binding records carry ``metadata = {colors|shapes|textures: [...], nouns: [...]}`` (the i-th
  attribute belongs to the i-th noun), relation records ``{relation, nouns: [a, b]}`` (``a
  <relation> b``), numeracy records ``{total_count, object_counts: [{noun, count}], objects}``.
* **svgkit specs** for custom prompts::

      {"prompt": "two red apples left of a blue bowl",
       "objects": [{"noun": "apple", "count": 2, "color": "red"},
                   {"noun": "bowl", "color": "blue", "shape": "round"}],
       "relations": [{"a": "apple", "relation": "left of", "b": "bowl"}]}

  ``count`` asks for exactly that many visibly drawn objects; without it, at least one.

Both become one :class:`CompositionSpec`. Relation phrases are read by :func:`relation_key`.

Examples
--------
>>> spec = parse_spec({"major_type": "relation", "minor_type": "2d_spatial",
...                    "prompt": "a cat on the left of a dog",
...                    "metadata": {"relation": "on the left of", "nouns": ["cat", "dog"]}})
>>> spec.relations[0]
RelationRequirement(a='cat', relation='on the left of', b='dog')
>>> relation_key("to the left of"), relation_key("holding")
('left_of', None)
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "MAJOR_TYPES",
    "MINOR_TYPES",
    "RELATION_KEYS",
    "CompositionSpec",
    "ObjectRequirement",
    "RelationRequirement",
    "SpecError",
    "load_specs",
    "parse_spec",
    "relation_key",
]

#: SGP-CompBench's major types and the minor types under each.
MAJOR_TYPES: dict[str, tuple[str, ...]] = {
    "binding": ("color", "shape", "texture"),
    "relation": ("2d_spatial", "3d_spatial", "implicit"),
    "numeracy": ("basic",),
}
#: Every minor type, in report order (``custom`` is svgkit's own format).
MINOR_TYPES: tuple[str, ...] = (
    "color", "shape", "texture", "2d_spatial", "3d_spatial", "implicit", "basic", "custom",
)
#: The relations the checker decides (see :func:`relation_key` for the phrases read as each).
RELATION_KEYS: tuple[str, ...] = (
    "left_of", "right_of", "above", "below", "on_top_of", "on_bottom_of", "next_to", "near",
    "in_front_of", "behind", "hidden_by",
)

# Phrase (after dropping filler words) → relation key. Order matters: first match wins.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"^(partially |partly )?(hidden|occluded|covered|obscured|blocked) by$", "hidden_by"),
    (r"^front$", "in_front_of"),
    (r"^(behind|back)$", "behind"),
    (r"^left( side)?$", "left_of"),
    (r"^right( side)?$", "right_of"),
    (r"^(top|atop|on|upon|resting|sitting|standing|placed)$", "on_top_of"),
    (r"^(bottom|beneath bottom)$", "on_bottom_of"),
    (r"^(above|over|higher than)$", "above"),
    (r"^(below|under|beneath|underneath|lower than)$", "below"),
    (r"^(next|beside|side|alongside|by)$", "next_to"),
    (r"^(near|close|nearby)$", "near"),
)
_FILLER = frozenset({"on", "the", "to", "of", "is", "are", "at", "a", "an", "its", "in", "placed",
                     "located", "positioned", "situated", "sitting", "standing", "resting"})


class SpecError(ValueError):
    """A spec that cannot be read (missing fields, wrong types); the message says which."""


@dataclass(frozen=True)
class ObjectRequirement:
    """One thing the drawing must show.

    Attributes
    ----------
    noun : str
    count : int or None
        Exactly this many visibly drawn objects of the noun; ``None`` for at least one.
    color, shape, texture : str or None
        Attributes that at least ``count`` (or one) of them must have.
    """

    noun: str
    count: int | None = None
    color: str | None = None
    shape: str | None = None
    texture: str | None = None

    @property
    def attributes(self) -> dict[str, str]:
        """The attributes that are set, by kind."""
        return {k: v for k, v in (("color", self.color), ("shape", self.shape),
                                  ("texture", self.texture)) if v}


@dataclass(frozen=True)
class RelationRequirement:
    """``a <relation> b`` between two nouns."""

    a: str
    relation: str
    b: str


@dataclass(frozen=True)
class CompositionSpec:
    """What a prompt asks for.

    Attributes
    ----------
    objects : tuple[ObjectRequirement, ...]
    relations : tuple[RelationRequirement, ...]
    prompt, id : str
    major_type, minor_type : str
        SGP-CompBench's types; ``"custom"`` for svgkit specs.
    """

    objects: tuple[ObjectRequirement, ...] = ()
    relations: tuple[RelationRequirement, ...] = ()
    prompt: str = ""
    id: str = ""
    major_type: str = "custom"
    minor_type: str = "custom"
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The spec in svgkit's JSON format (types kept)."""
        return {
            "id": self.id,
            "prompt": self.prompt,
            "major_type": self.major_type,
            "minor_type": self.minor_type,
            "objects": [{k: v for k, v in o.__dict__.items() if v is not None}
                        for o in self.objects],
            "relations": [dict(r.__dict__) for r in self.relations],
        }


def relation_key(phrase: str) -> str | None:
    """The relation a phrase names, or ``None`` for one geometry cannot decide.

    Filler words (on, the, to, of, is, at …) are dropped first, so "on the left of", "to the
    left of" and "left of" are all ``left_of``; "on top of" and "on" are ``on_top_of``, "on the
    bottom of" is ``on_bottom_of``; "next to", "beside" are ``next_to``; "in front of",
    "behind", "hidden by" are the 3D relations. Implicit relations ("holding", "talking to",
    "riding") give ``None``.

    Examples
    --------
    >>> [relation_key(p) for p in ["on top of", "beneath", "in front of", "partly hidden by"]]
    ['on_top_of', 'below', 'in_front_of', 'hidden_by']
    """
    text = " ".join(re.split(r"[\s_\-]+", str(phrase).strip().lower())).strip()
    if text.replace(" ", "_") in RELATION_KEYS:
        return text.replace(" ", "_")
    text = text.replace("in front", "in\0front").replace("in back", "in\0back")
    words = [w for w in text.split() if w not in _FILLER]
    core = " ".join(words).replace("in\0front", "front").replace("in\0back", "behind")
    if not core:  # "on", "sitting on", "placed on the"
        return "on_top_of" if {"on", "upon", "atop"} & set(text.split()) else None
    for pattern, key in _PHRASES:
        if re.match(pattern, core):
            return key
    return None


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"Expected `{what}` to be a non-empty str, but got {value!r}")
    return value.strip()


def _count(value: Any, what: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SpecError(f"Expected `{what}` to be an int >= 0, but got {value!r}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise SpecError(f"Expected `{what}` to be a list, but got {type(value).__name__}")
    return list(value)


def _metadata(record: Mapping[str, Any]) -> dict[str, Any]:
    meta = record.get("metadata", {})
    if isinstance(meta, str):  # records exported from tables keep metadata as a JSON string
        try:
            meta = json.loads(meta)
        except json.JSONDecodeError as exc:
            raise SpecError(f"Expected `metadata` to be JSON, but got {meta[:60]!r}") from exc
    if not isinstance(meta, Mapping):
        raise SpecError(f"Expected `metadata` to be a mapping, but got {type(meta).__name__}")
    return dict(meta)


def _from_record(record: Mapping[str, Any]) -> CompositionSpec:
    major = str(record.get("major_type", "")).strip().lower()
    minor = str(record.get("minor_type", "")).strip().lower()
    if major not in MAJOR_TYPES:
        raise SpecError(f"Expected `major_type` to be one of {', '.join(MAJOR_TYPES)}, "
                        f"but got {record.get('major_type')!r}")
    meta = _metadata(record)
    objs: list[ObjectRequirement] = []
    rels: list[RelationRequirement] = []
    if major == "binding":
        nouns = [_text(n, "metadata.nouns[]") for n in _list(meta.get("nouns"), "metadata.nouns")]
        kind = next((k for k in ("colors", "shapes", "textures") if k in meta), None)
        if kind is None:
            raise SpecError("Expected binding `metadata` to have `colors`, `shapes` or "
                            "`textures`, but got keys " + ", ".join(sorted(meta)))
        values = [_text(v, f"metadata.{kind}[]") for v in _list(meta[kind], f"metadata.{kind}")]
        if len(values) != len(nouns):
            raise SpecError(f"Expected as many `{kind}` as `nouns`, but got {len(values)} and "
                            f"{len(nouns)}")
        attr = kind[:-1]
        objs = [ObjectRequirement(n, color=v if attr == "color" else None,
                                  shape=v if attr == "shape" else None,
                                  texture=v if attr == "texture" else None)
                for n, v in zip(nouns, values)]
        if not minor:
            minor = {"colors": "color", "shapes": "shape", "textures": "texture"}[kind]
    elif major == "relation":
        nouns = [_text(n, "metadata.nouns[]") for n in _list(meta.get("nouns"), "metadata.nouns")]
        if len(nouns) != 2:
            raise SpecError(f"Expected `metadata.nouns` to name 2 nouns, but got {len(nouns)}")
        phrase = _text(meta.get("relation"), "metadata.relation")
        objs = [ObjectRequirement(nouns[0]), ObjectRequirement(nouns[1])]
        rels = [RelationRequirement(nouns[0], phrase, nouns[1])]
    else:
        counts = meta.get("object_counts")
        if counts is None:
            raise SpecError("Expected numeracy `metadata` to have `object_counts`")
        for i, item in enumerate(_list(counts, "metadata.object_counts")):
            if not isinstance(item, Mapping):
                raise SpecError(f"Expected `metadata.object_counts[{i}]` to be a mapping")
            objs.append(ObjectRequirement(
                _text(item.get("noun"), f"metadata.object_counts[{i}].noun"),
                count=_count(item.get("count"), f"metadata.object_counts[{i}].count"),
            ))
        if not objs:
            raise SpecError("Expected `metadata.object_counts` to name at least one noun")
        minor = minor or "basic"
    known = MAJOR_TYPES[major]
    if minor not in known:
        raise SpecError(f"Expected `minor_type` of a {major} record to be one of "
                        f"{', '.join(known)}, but got {record.get('minor_type')!r}")
    return CompositionSpec(
        objects=tuple(objs),
        relations=tuple(rels),
        prompt=str(record.get("prompt", "")),
        id=str(record.get("id", "")),
        major_type=major,
        minor_type=minor,
        extra={k: v for k, v in record.items()
               if k not in ("id", "prompt", "major_type", "minor_type", "metadata")},
    )


def _from_svgkit(spec: Mapping[str, Any]) -> CompositionSpec:
    objs: list[ObjectRequirement] = []
    for i, item in enumerate(_list(spec.get("objects", []), "objects")):
        if isinstance(item, str):
            objs.append(ObjectRequirement(_text(item, f"objects[{i}]")))
            continue
        if not isinstance(item, Mapping):
            raise SpecError(f"Expected `objects[{i}]` to be a mapping or a noun, but got "
                            f"{type(item).__name__}")
        unknown = set(item) - {"noun", "count", "color", "shape", "texture"}
        if unknown:
            raise SpecError(f"Unknown keys in `objects[{i}]`: {', '.join(sorted(unknown))}")
        objs.append(ObjectRequirement(
            noun=_text(item.get("noun"), f"objects[{i}].noun"),
            count=None if item.get("count") is None else _count(item["count"],
                                                                  f"objects[{i}].count"),
            color=None if item.get("color") is None else _text(item["color"],
                                                                 f"objects[{i}].color"),
            shape=None if item.get("shape") is None else _text(item["shape"],
                                                                 f"objects[{i}].shape"),
            texture=None if item.get("texture") is None else _text(item["texture"],
                                                                     f"objects[{i}].texture"),
        ))
    rels: list[RelationRequirement] = []
    for i, item in enumerate(_list(spec.get("relations", []), "relations")):
        if not isinstance(item, Mapping):
            raise SpecError(f"Expected `relations[{i}]` to be a mapping, but got "
                            f"{type(item).__name__}")
        rels.append(RelationRequirement(
            _text(item.get("a"), f"relations[{i}].a"),
            _text(item.get("relation"), f"relations[{i}].relation"),
            _text(item.get("b"), f"relations[{i}].b"),
        ))
    named = {o.noun for o in objs}
    for r in rels:  # a noun used only in a relation must still be drawn
        for noun in (r.a, r.b):
            if noun not in named:
                objs.append(ObjectRequirement(noun))
                named.add(noun)
    if not objs:
        raise SpecError("Expected a spec to name at least one object or relation")
    return CompositionSpec(
        objects=tuple(objs),
        relations=tuple(rels),
        prompt=str(spec.get("prompt", "")),
        id=str(spec.get("id", "")),
        major_type=str(spec.get("major_type", "custom")),
        minor_type=str(spec.get("minor_type", "custom")),
    )


def parse_spec(spec: CompositionSpec | Mapping[str, Any] | str) -> CompositionSpec:
    """Read a spec in either format (a mapping, or its JSON text).

    Raises
    ------
    SpecError
        When required fields are missing or have the wrong type (the message names the field).

    Examples
    --------
    >>> s = parse_spec('{"objects": [{"noun": "apple", "count": 3}]}')
    >>> s.objects[0].count, s.minor_type
    (3, 'custom')
    """
    if isinstance(spec, CompositionSpec):
        return spec
    if isinstance(spec, str):
        text = spec
        try:
            spec = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"Expected a spec as JSON text, but got {text[:60]!r}") from exc
    if not isinstance(spec, Mapping):
        raise SpecError(f"Expected a spec mapping, but got {type(spec).__name__}")
    if "major_type" in spec and "metadata" in spec:
        return _from_record(spec)
    if "objects" in spec or "relations" in spec:
        return _from_svgkit(spec)
    raise SpecError("Expected an SGP-CompBench record (major_type, metadata) or an svgkit spec "
                    "(objects, relations), but got keys " + ", ".join(sorted(map(str, spec))))


def load_specs(path: str | os.PathLike[str]) -> list[CompositionSpec]:
    """Read specs from a ``.json`` file (one spec or a list) or a ``.jsonl`` file (one a line).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "specs.jsonl"
    >>> _ = p.write_text(json.dumps({"objects": ["cat"]}) + "\\n")
    >>> [s.objects[0].noun for s in load_specs(p)]
    ['cat']
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if p.suffix == ".jsonl":
        items: Sequence[Any] = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        data = json.loads(text)
        items = data if isinstance(data, list) else [data]
    return [parse_spec(item) for item in items]
