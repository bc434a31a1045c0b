"""Hardened XML parsing: defusedxml's expat parser plus counting limits.

Policy (see docs/security.md):

- entity declarations of any kind (internal, external, parameter) are refused with ``FORBIDDEN``
  (this covers billion laughs, quadratic blowup and XXE);
- a ``<!DOCTYPE>`` without an internal subset (``<!DOCTYPE svg PUBLIC … "…svg11.dtd">``, common in
  exported files) is accepted; its external DTD is never loaded;
- element count and nesting depth are bounded: a text with more ``<`` than ``max_elements`` (so a
  10^6-element or 50k-deep document) is counted while expat streams and stopped at the limit
  instead of being built first; a smaller one, which cannot build more elements than the limit,
  is built by expat's C tree builder and checked once built (see :func:`_parse_bounded`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from ..errors import ErrorCode, SVGKitError
from ..limits import Limits, limit_error

__all__ = ["SVG_NS", "XLINK_NS", "ParsedXML", "parse_xml", "refuse_entity_declarations"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)


class _CountingTreeBuilder(ET.TreeBuilder):
    """Builds the tree while enforcing element-count and depth limits as expat streams."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self._max_elements = limits.max_elements
        self._max_depth = limits.max_depth
        self.count = 0
        self.depth = 0
        self.max_seen_depth = 0

    def start(self, tag: Any, attrs: Any) -> ET.Element:
        self.count += 1
        self.depth += 1
        if self.count > self._max_elements:
            raise limit_error("max_elements", self.count, self._max_elements)
        if self.depth > self._max_depth:
            raise limit_error("max_depth", self.depth, self._max_depth)
        if self.depth > self.max_seen_depth:
            self.max_seen_depth = self.depth
        return super().start(tag, attrs)

    def end(self, tag: Any) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


class ParsedXML:
    """The root element of a well-formed, limit-checked document and its element count."""

    __slots__ = ("root", "n_elements", "depth", "had_doctype")

    def __init__(self, root: ET.Element, n_elements: int, depth: int, had_doctype: bool) -> None:
        self.root = root
        self.n_elements = n_elements
        self.depth = depth
        self.had_doctype = had_doctype


def parse_xml(text: str, limits: Limits) -> ParsedXML:
    """Parse ``text`` into an ElementTree with every hardening rule applied.

    Raises
    ------
    SVGKitError
        ``FORBIDDEN`` for entity declarations and external references, ``LIMIT`` for size, count
        and depth limits, ``XML_SYNTAX`` for anything expat rejects.
    """
    # each character is 1 to 4 UTF-8 bytes: encode only when the length alone cannot decide
    n_bytes = len(text)
    if limits.max_input_bytes < n_bytes * 4:
        n_bytes = len(text.encode("utf-8", "surrogatepass"))
    if n_bytes > limits.max_input_bytes:
        raise limit_error("max_input_bytes", n_bytes, limits.max_input_bytes)
    refuse_entity_declarations(text)
    had_doctype = "<!DOCTYPE" in text[: text.find("<svg") + 1 if "<svg" in text else len(text)]
    fast = _parse_bounded(text, limits)
    if fast is not None:
        return ParsedXML(fast[0], fast[1], fast[2], had_doctype)
    builder = _CountingTreeBuilder(limits)
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(text)
        root = parser.close()
    except SVGKitError:
        raise
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden) as exc:
        raise SVGKitError(ErrorCode.FORBIDDEN, f"forbidden XML construct: {exc!r}") from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise SVGKitError(
            ErrorCode.XML_SYNTAX,
            f"not well-formed XML: {_expat_message(exc)}",
            details={"line": line, "column": column},
        ) from None
    except RecursionError:
        raise limit_error("max_depth", ">recursion limit", limits.max_depth) from None
    return ParsedXML(root, builder.count, builder.max_seen_depth, had_doctype)


def _parse_bounded(text: str, limits: Limits) -> tuple[ET.Element, int, int] | None:
    """The tree, element count and depth of ``text`` from expat's C tree builder, when the text
    is small enough to build whole; ``None`` sends it to the streaming parser.

    The streaming parser above calls back into Python for every element (defusedxml's parser
    is ElementTree's pure-Python one, and the limits count in ``start``), a sixth of a
    model-sized document's parse. A document with no more ``<`` than ``max_elements`` cannot
    build more elements than that, so it is parsed here at C speed and its count and depth are
    checked once built. The same expat reads the same text (a ``str`` is always fed as UTF-8),
    and every hardening rule still holds: ``refuse_entity_declarations`` has already refused
    any entity declaration, and without one there is nothing to expand or fetch (external DTD
    subsets are never read, as before). Any failure, or a limit exceeded, parses again with the
    streaming parser, so errors, their codes and their positions are exactly its own.
    """
    if text.count("<") > limits.max_elements:
        return None
    parser = ET.XMLParser()
    try:
        parser.feed(text)
        root = parser.close()
    except Exception:
        return None
    # breadth-first, level by level: no recursion, however deep the document
    n = depth = 0
    level = [root]
    while level:
        depth += 1
        n += len(level)
        level = [child for el in level for child in el]
    if n > limits.max_elements or depth > limits.max_depth:
        return None
    return root, n, depth


def refuse_entity_declarations(text: str) -> None:
    """Refuse any ``<!ENTITY`` anywhere in the input, before extraction can cut the DTD away
    (billion laughs, quadratic blowup and XXE all need an entity declaration)."""
    if "<!e" not in text and "<!E" not in text:
        # a match starts "<!" and an e of either case (no other character folds to e): two
        # C-speed substring searches settle the usual text without the case-insensitive regex
        return
    match = _ENTITY_DECL.search(text)
    if match is not None:
        raise SVGKitError(
            ErrorCode.FORBIDDEN,
            "entity declarations are never allowed (billion laughs, quadratic blowup and XXE all "
            "need them)",
            details={"offset": match.start()},
        )


def _expat_message(exc: ET.ParseError) -> str:
    # expat's message already carries "line L, column C"; keep it as is
    return str(exc)


# split tags by tag: a document uses a few dozen distinct tags, read on every visit of an element
_LOCAL_NAMES: dict[str, tuple[str, str]] = {}


def local_name(tag: str) -> tuple[str, str]:
    """Split an ElementTree tag ``{ns}name`` into ``(ns, name)``."""
    hit = _LOCAL_NAMES.get(tag)
    if hit is not None:
        return hit
    if tag[:1] == "{":
        ns, _, name = tag[1:].partition("}")
        out = (ns, name)
    else:
        out = ("", tag)
    if len(_LOCAL_NAMES) < 4096:
        _LOCAL_NAMES[tag] = out
    return out


def count_tags(root: ET.Element) -> Counter[str]:
    """Count SVG elements by local name."""
    counts: Counter[str] = Counter()
    for el in root.iter():
        if isinstance(el.tag, str):
            ns, name = local_name(el.tag)
            if ns in ("", SVG_NS):
                counts[name] += 1
    return counts
