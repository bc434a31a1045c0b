"""``svgkit.parse``: raw text → validated :class:`Scene`, or a classified :class:`SVGKitError`."""

from __future__ import annotations

import codecs
from typing import Union

from .build.builder import build_scene
from .errors import ErrorCode, SVGKitError, _DiagnosticSink
from .ingest.repair import repair_svg
from .ingest.safe_xml import SVG_NS, local_name, parse_xml, refuse_entity_declarations
from .limits import Limits, limit_error
from .scene import Scene

__all__ = ["parse"]

TextInput = Union[str, bytes, bytearray, memoryview]  # noqa: UP007 - a runtime alias on 3.10


def parse(
    text: TextInput | Scene,
    limits: Limits | None = None,
    *,
    repair: bool = False,
    flatten_tolerance: float = 0.1,
) -> Scene:
    """Parse SVG text (or raw model output containing SVG) into a :class:`Scene`.

    The text goes through :func:`svgkit.extract_svg` first, so a completion with prose, ``<think>``
    sections or markdown fences around the SVG parses directly. Parsing is hardened: entity
    declarations are refused, nothing is ever fetched, and every :class:`Limits` bound is enforced.

    Parameters
    ----------
    text
        SVG text, raw model output, or UTF-8 bytes. A :class:`Scene` is returned unchanged.
    limits
        Bounds on the document's cost; ``Limits()`` defaults when ``None``.
    repair
        Fix the XML mistakes models make instead of refusing the document: close the open
        elements of a truncated document (instead of ``TRUNCATED``), and, when the strict parse
        fails, declare undeclared namespace prefixes, keep the first of duplicated attributes and
        escape stray ``<`` and ``&`` (see :func:`svgkit.repair_svg`). Every repair is recorded in
        ``Scene.warnings`` with its code. Off by default: a training reward should teach valid XML.
    flatten_tolerance
        Max distance in device px between curves and the polylines of :attr:`Scene.flat`.

    Returns
    -------
    Scene

    Raises
    ------
    SVGKitError
        With ``.code`` one of NO_SVG, TRUNCATED, XML_SYNTAX, NOT_SVG, FORBIDDEN, LIMIT,
        BAD_GEOMETRY, BAD_INPUT.

    Examples
    --------
    >>> import svgkit
    >>> scene = svgkit.parse('Sure! ```svg\\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
    ...                      'height="10"><circle cx="5" cy="5" r="4" fill="red"/></svg>\\n```')
    >>> len(scene), scene.primitive(0).tag, scene.fill_rgba[0].tolist()
    (1, 'circle', [1.0, 0.0, 0.0, 1.0])
    """
    if isinstance(text, Scene):
        return text
    limits = Limits() if limits is None else limits
    if not isinstance(limits, Limits):
        raise TypeError(f"Expected `limits` to be a svgkit.Limits, but got {type(limits).__name__}")
    if not (flatten_tolerance > 0):
        raise ValueError(
            f"Expected `flatten_tolerance` to be a positive float, but got {flatten_tolerance}"
        )
    source = decode_input(text, limits)
    refuse_entity_declarations(source)
    sink = _DiagnosticSink()
    svg_text = _extract(source, repair, sink)
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
    try:
        scene = build_scene(parsed, limits, sink, float(flatten_tolerance))
    except RecursionError:
        raise limit_error("max_depth", "recursion limit", limits.max_depth) from None
    object.__setattr__(scene, "source_bytes", len(svg_text.encode("utf-8", "surrogatepass")))
    return scene


def decode_input(text: object, limits: Limits) -> str:
    """Turn str/bytes input into text, enforcing ``max_input_bytes`` before any work."""
    if isinstance(text, str):
        if len(text) > limits.max_input_bytes:
            raise limit_error("max_input_bytes", len(text), limits.max_input_bytes)
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if len(data) > limits.max_input_bytes:
            raise limit_error("max_input_bytes", len(data), limits.max_input_bytes)
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError as exc:
                raise SVGKitError(
                    ErrorCode.XML_SYNTAX, f"invalid UTF-16 at byte {exc.start}"
                ) from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SVGKitError(
                ErrorCode.XML_SYNTAX,
                f"invalid UTF-8 at byte {exc.start}: SVG text must be UTF-8",
                details={"offset": exc.start},
            ) from None
    raise SVGKitError(
        ErrorCode.BAD_INPUT, f"expected SVG text as str or bytes, got {type(text).__name__}"
    )


def _extract(source: str, repair: bool, sink: _DiagnosticSink) -> str:
    from . import extract

    detailed = getattr(extract, "extract_svg_ex", None)
    if detailed is not None:
        result = detailed(source, repair=repair)
        for w in getattr(result, "warnings", ()):
            sink.add(w.code, w.message, w.element, w.element_id)
        return str(result.svg)
    return str(extract.extract_svg(source, repair=repair))
