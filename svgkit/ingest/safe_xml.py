"""Hardened XML parsing: defusedxml's expat parser plus counting limits.

Policy (see docs/security.md):

- entity declarations of any kind (internal, external, parameter) are refused with ``FORBIDDEN``
  (this covers billion laughs, quadratic blowup and XXE);
- a ``<!DOCTYPE>`` without an internal subset (``<!DOCTYPE svg PUBLIC … "…svg11.dtd">``, common in
  exported files) is accepted; its external DTD is never loaded;
- element count and nesting depth are counted while expat streams, so a 10^6-element or 50k-deep
  document is stopped at the limit instead of being built first.
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
    had_doctype = "<!DOCTYPE" in text[: text.find("<svg") + 1 if "<svg" in text else len(text)]
    return ParsedXML(root, builder.count, builder.max_seen_depth, had_doctype)


def refuse_entity_declarations(text: str) -> None:
    """Refuse any ``<!ENTITY`` anywhere in the input, before extraction can cut the DTD away
    (billion laughs, quadratic blowup and XXE all need an entity declaration)."""
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


def local_name(tag: str) -> tuple[str, str]:
    """Split an ElementTree tag ``{ns}name`` into ``(ns, name)``."""
    if tag[:1] == "{":
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def count_tags(root: ET.Element) -> Counter[str]:
    """Count SVG elements by local name."""
    counts: Counter[str] = Counter()
    for el in root.iter():
        if isinstance(el.tag, str):
            ns, name = local_name(el.tag)
            if ns in ("", SVG_NS):
                counts[name] += 1
    return counts
