"""The small CSS subset model-written SVG uses: ``<style>`` rules and ``style=""`` declarations.

Supported selectors: ``*``, type, ``.class``, ``#id``, attribute selectors (``[x]``, ``[a=v]``,
``~=``, ``|=``, ``^=``, ``$=``, ``*=``, quoted or not, with the ``i``/``s`` case flags of
Selectors 4) and compounds of them (``rect.a[x]#y``), joined by descendant (``g rect``) or child
(``g > rect``) combinators, in comma lists. An attribute selector without a namespace prefix
matches attributes in no namespace, and counts as a class in specificity. Specificity and source
order decide between rules; ``!important`` wins over both. Anything else (pseudo-classes, sibling
combinators, namespaced attribute selectors, at-rules) is skipped with a diagnostic, and
``@import`` is never fetched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..errors import _DiagnosticSink
from .font_props import expand_font

__all__ = ["CSSRule", "StyleSheet", "parse_declarations", "parse_stylesheet"]

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_COMPOUND = re.compile(r"^(\*|[A-Za-z][\w-]*)?((?:[.#][\w-]+|\[\d+\])*)$")
_SIMPLE_PART = re.compile(r"([.#])([\w-]+)|\[(\d+)\]")
# [name], [name op value] with value an identifier or a quoted string, and an optional case flag
_ATTRIBUTE = re.compile(
    r"""\[\s*(-?[A-Za-z_][\w-]*)\s*(?:([~|^$*]?=)\s*("[^"]*"|'[^']*'|-?[A-Za-z_][\w-]*|\d[\w.-]*)"""
    r"""\s*([iIsS])?\s*)?\]"""
)


class _ElementLike(Protocol):
    tag: str
    id: str
    classes: tuple[str, ...]


@dataclass(frozen=True)
class _Attribute:
    """One attribute selector: ``op`` is ``""`` for presence, else ``=``, ``~=``, ``|=``,
    ``^=``, ``$=`` or ``*=``."""

    name: str
    op: str
    value: str
    ignore_case: bool

    def matches(self, attrib: Mapping[str, str] | None) -> bool:
        if attrib is None:
            return False
        actual = attrib.get(self.name)
        if actual is None:
            return False
        if not self.op:
            return True
        want = self.value
        if self.ignore_case:
            actual, want = actual.lower(), want.lower()
        op = self.op
        if op == "=":
            return actual == want
        if op == "~=":
            return bool(want) and want in actual.split()
        if op == "|=":
            return actual == want or actual.startswith(want + "-")
        if not want:
            return False  # ^= $= *= with an empty value match nothing (Selectors 4 §6.2)
        if op == "^=":
            return actual.startswith(want)
        if op == "$=":
            return actual.endswith(want)
        return want in actual


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    id: str | None
    classes: tuple[str, ...]
    attributes: tuple[_Attribute, ...] = ()

    def matches(self, el: _ElementLike) -> bool:
        if self.tag is not None and self.tag != el.tag:
            return False
        if self.id is not None and self.id != el.id:
            return False
        if self.attributes:
            attrib = getattr(el, "attrib", None)
            if not all(a.matches(attrib) for a in self.attributes):
                return False
        return all(c in el.classes for c in self.classes)


@dataclass(frozen=True)
class CSSRule:
    """One selector (a chain of compounds, rightmost last) with its declarations."""

    chain: tuple[_Compound, ...]
    combinators: tuple[str, ...]  # between chain[i] and chain[i+1]: " " or ">"
    specificity: tuple[int, int, int]
    order: int
    declarations: tuple[tuple[str, str, bool], ...]  # (property, value, important)

    def matches(self, el: _ElementLike, ancestors: Sequence[_ElementLike]) -> bool:
        if not self.chain[-1].matches(el):
            return False
        pos = len(ancestors) - 1
        for i in range(len(self.chain) - 2, -1, -1):
            compound, comb = self.chain[i], self.combinators[i]
            if comb == ">":
                if pos < 0 or not compound.matches(ancestors[pos]):
                    return False
                pos -= 1
            else:
                while pos >= 0 and not compound.matches(ancestors[pos]):
                    pos -= 1
                if pos < 0:
                    return False
                pos -= 1
        return True


class StyleSheet:
    """The rules of all ``<style>`` elements of a document, indexed by their rightmost compound."""

    def __init__(self, rules: list[CSSRule]) -> None:
        self.rules = rules
        self._by_id: dict[str, list[CSSRule]] = {}
        self._by_class: dict[str, list[CSSRule]] = {}
        self._by_tag: dict[str, list[CSSRule]] = {}
        self._universal: list[CSSRule] = []
        for rule in rules:
            last = rule.chain[-1]
            if last.id is not None:
                self._by_id.setdefault(last.id, []).append(rule)
            elif last.classes:
                self._by_class.setdefault(last.classes[0], []).append(rule)
            elif last.tag is not None:
                self._by_tag.setdefault(last.tag, []).append(rule)
            else:
                self._universal.append(rule)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def declarations_for(
        self, el: _ElementLike, ancestors: Sequence[_ElementLike]
    ) -> list[tuple[str, str, bool]]:
        """Matching declarations in cascade order (later entries win)."""
        candidates: list[CSSRule] = list(self._universal)
        candidates += self._by_tag.get(el.tag, ())
        if el.id:
            candidates += self._by_id.get(el.id, ())
        for c in el.classes:
            candidates += self._by_class.get(c, ())
        matched = [r for r in candidates if r.matches(el, ancestors)]
        if not matched:
            return []
        matched = sorted(set(matched), key=lambda r: (r.specificity, r.order))
        normal = [d for r in matched for d in r.declarations if not d[2]]
        important = [d for r in matched for d in r.declarations if d[2]]
        return normal + important


def parse_declarations(text: str) -> list[tuple[str, str, bool]]:
    """Parse ``"fill: red; stroke-width: 2 !important"`` into (property, value, important).

    Examples
    --------
    >>> parse_declarations("fill: red; stroke-width:2 !important")
    [('fill', 'red', False), ('stroke-width', '2', True)]
    """
    out: list[tuple[str, str, bool]] = []
    if "/*" in text:
        text = _COMMENT.sub(" ", text)
    for part in text.split(";"):
        name, sep, value = part.partition(":")
        if not sep:
            continue
        name = name.strip().lower()
        value = value.strip()
        important = False
        if value.lower().endswith("!important"):
            value = value[: -len("!important")].rstrip()
            important = True
        if name == "font":
            # the shorthand takes its place in the cascade as its longhands; invalid: dropped
            longhands = expand_font(value)
            if longhands is not None:
                out.extend((prop, v, important) for prop, v in longhands)
        elif name and value:
            out.append((name, value, important))
    return out


def parse_stylesheet(text: str, sink: _DiagnosticSink, start_order: int = 0) -> list[CSSRule]:
    """Parse the text of a ``<style>`` element into rules, reporting what is skipped."""
    text = _COMMENT.sub(" ", text)
    rules: list[CSSRule] = []
    order = start_order
    pos = 0
    n = len(text)
    while pos < n:
        # at-rules: skip a statement (up to ';') or a block (balanced braces)
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        if text[pos] == "@":
            semi = text.find(";", pos)
            brace = text.find("{", pos)
            keyword = text[pos : pos + 16].split(None, 1)[0].split("(")[0].lower()
            if keyword == "@import":
                sink.add("EXTERNAL_REFERENCE", "CSS @import is never fetched; dropped", "style")
            else:
                sink.add("UNSUPPORTED_CSS", f"CSS at-rule {keyword} is not applied", "style")
            if brace == -1 or (semi != -1 and semi < brace):
                pos = n if semi == -1 else semi + 1
                continue
            pos = _skip_block(text, brace)
            continue
        brace = text.find("{", pos)
        if brace == -1:
            break
        close = text.find("}", brace)
        if close == -1:
            close = n
        selector_text = text[pos:brace]
        body = text[brace + 1 : close]
        pos = close + 1
        declarations = tuple(parse_declarations(body))
        if not declarations:
            continue
        for selector in selector_text.split(","):
            parsed = _parse_selector(selector.strip())
            if parsed is None:
                sink.add(
                    "UNSUPPORTED_CSS",
                    f"CSS selector {selector.strip()!r} is not supported",
                    "style",
                )
                continue
            chain, combinators, specificity = parsed
            rules.append(CSSRule(chain, combinators, specificity, order, declarations))
            order += 1
    return rules


def _skip_block(text: str, brace: int) -> int:
    depth = 0
    for i in range(brace, len(text)):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def _parse_selector(
    selector: str,
) -> tuple[tuple[_Compound, ...], tuple[str, ...], tuple[int, int, int]] | None:
    if not selector or re.search(r"\[\s*\d", selector):
        return None  # "[1]" is no attribute selector, and would read as a placeholder below
    attributes: list[_Attribute] = []

    def hold(m: re.Match[str]) -> str:
        # set attribute selectors aside, so their values may hold spaces and ">"
        raw = m.group(3) or ""
        value = raw[1:-1] if raw[:1] in ("'", '"') else raw
        flag = (m.group(4) or "").lower()
        attributes.append(_Attribute(m.group(1), m.group(2) or "", value, flag == "i"))
        return f"[{len(attributes) - 1}]"

    held = _ATTRIBUTE.sub(hold, selector)
    if re.search(r"\[(?!\d+\])", held):
        return None  # an attribute selector this parser does not read
    tokens = held.replace(">", " > ").split()
    chain: list[_Compound] = []
    combinators: list[str] = []
    pending = " "
    ids = classes = types = 0
    for tok in tokens:
        if tok == ">":
            if not chain or pending == ">":
                return None
            pending = ">"
            continue
        m = _COMPOUND.match(tok)
        if m is None:
            return None
        tag = m.group(1)
        tag = None if tag in (None, "*") else tag
        cls: list[str] = []
        attrs: list[_Attribute] = []
        ident: str | None = None
        for kind, name, attr_index in _SIMPLE_PART.findall(m.group(2)):
            if attr_index:
                attrs.append(attributes[int(attr_index)])
            elif kind == ".":
                cls.append(name)
            elif ident is None:
                ident = name
            else:
                return None
        if chain:
            combinators.append(pending)
        pending = " "
        chain.append(_Compound(tag, ident, tuple(cls), tuple(attrs)))
        ids += ident is not None
        classes += len(cls) + len(attrs)
        types += tag is not None
    if not chain or pending == ">":
        return None
    return tuple(chain), tuple(combinators), (ids, classes, types)
