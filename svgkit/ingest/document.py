"""Model output → the SVG document as safe XML: the ingest stage from end to end.

:func:`read_document` decodes the input, refuses entity declarations before anything else looks at
the text, finds the SVG in the surrounding prose (:mod:`svgkit.ingest.extract`), parses it with the
hardened parser (:mod:`svgkit.ingest.safe_xml`), repairs XML mistakes when asked
(:mod:`svgkit.ingest.repair`), and checks that the root is ``<svg>``. Every warning goes to the
caller's diagnostic sink, so the Scene built from the document carries them.

Examples
--------
>>> from svgkit.errors import _DiagnosticSink
>>> from svgkit.limits import Limits
>>> sink = _DiagnosticSink()
>>> doc = read_document('Here: <svg width="4"></svg>', Limits(), repair=False, sink=sink)
>>> doc.root.tag, [d.code for d in sink.items]
('svg', ['MISSING_NAMESPACE'])
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..errors import ErrorCode, SVGKitError, _DiagnosticSink
from ..limits import Limits
from .decode import decode_input
from .extract import extract_svg_ex
from .repair import repair_svg
from .safe_xml import SVG_NS, ParsedXML, local_name, parse_xml, refuse_entity_declarations

__all__ = ["Document", "read_document"]


@dataclass(frozen=True)
class Document:
    """A parsed SVG document and the exact text it was parsed from (after extraction/repair)."""

    parsed: ParsedXML
    text: str

    @property
    def root(self) -> ET.Element:
        return self.parsed.root


def read_document(text: object, limits: Limits, *, repair: bool, sink: _DiagnosticSink) -> Document:
    """Decode, extract, parse (and repair when ``repair``) ``text``; refuse it with an
    :class:`~svgkit.SVGKitError` (``NO_SVG``, ``TRUNCATED``, ``XML_SYNTAX``, ``NOT_SVG``,
    ``FORBIDDEN``, ``LIMIT``, ``BAD_INPUT``) when it is not an SVG document within ``limits``."""
    source = decode_input(text, limits)
    refuse_entity_declarations(source)
    extraction = extract_svg_ex(source, repair=repair)
    for w in extraction.warnings:
        sink.add(w.code, w.message, w.element, w.element_id)
    svg_text = str(extraction.svg)
    try:
        parsed = parse_xml(svg_text, limits)
    except SVGKitError as exc:
        # repair runs only on text the strict parser refused, so valid input is never touched
        if not repair or exc.code != ErrorCode.XML_SYNTAX:
            raise
        fixed = repair_svg(svg_text)
        if not fixed.changed:
            raise
        for d in fixed.repairs:
            sink.add(d.code, d.message, d.element, d.element_id)
        svg_text = fixed.text
        parsed = parse_xml(svg_text, limits)
    ns, name = local_name(parsed.root.tag)
    if name != "svg" or ns not in ("", SVG_NS):
        raise SVGKitError(
            ErrorCode.NOT_SVG, f"root element is <{name}> in namespace {ns or 'none'!r}, not <svg>"
        )
    if ns == "":
        sink.add(
            "MISSING_NAMESPACE",
            'the root <svg> lacks xmlns="http://www.w3.org/2000/svg"; read as SVG',
            "svg",
        )
    if parsed.had_doctype:
        sink.add(
            "DOCTYPE_IGNORED", "the <!DOCTYPE> is ignored; external DTDs are never loaded", "svg"
        )
    return Document(parsed, svg_text)
