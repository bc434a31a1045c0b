"""Bytes or text from a model → one ``str``, before any parsing, within ``max_input_bytes``.

Examples
--------
>>> import codecs
>>> from svgkit.ingest.decode import decode_input
>>> from svgkit.limits import Limits
>>> decode_input(codecs.BOM_UTF8 + b"<svg/>", Limits())  # a byte order mark is dropped
'<svg/>'
"""

from __future__ import annotations

import codecs

from ..errors import ErrorCode, SVGKitError
from ..limits import Limits, limit_error

__all__ = ["decode_input"]


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
