"""The error taxonomy: one exception base with a stable, machine-readable code.

Every failure svgkit reports for bad input is an :class:`SVGKitError` whose ``code`` is one of
:class:`ErrorCode`. Rewards and benchmark reports key on the code, so codes are never renamed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Diagnostic", "ErrorCode", "SVGKitError"]


class ErrorCode(str, enum.Enum):
    """Stable codes for every way an input can be refused.

    Examples
    --------
    >>> ErrorCode.LIMIT.value
    'LIMIT'
    """

    NO_SVG = "NO_SVG"
    """No ``<svg`` element was found in the text."""
    TRUNCATED = "TRUNCATED"
    """An ``<svg`` start tag was found but the document was cut off before ``</svg>``."""
    XML_SYNTAX = "XML_SYNTAX"
    """The SVG text is not well-formed XML."""
    NOT_SVG = "NOT_SVG"
    """Well-formed XML whose root element is not an SVG ``<svg>`` element."""
    FORBIDDEN = "FORBIDDEN"
    """The document asks for something never allowed: DTDs, entities, external resources."""
    LIMIT = "LIMIT"
    """A documented :class:`svgkit.Limits` bound was exceeded; the message names the limit."""
    BAD_GEOMETRY = "BAD_GEOMETRY"
    """The canvas or geometry is unusable (zero/negative/non-finite size, NaN coordinates)."""
    EMPTY = "EMPTY"
    """The document parses but draws nothing at all."""
    BAD_INPUT = "BAD_INPUT"
    """The input is of the wrong type (not str or bytes)."""
    TIMEOUT = "TIMEOUT"
    """Parsing ran past the wall-clock guard ``Limits.time_budget_s``: the one parse outcome that
    depends on machine load (the count limits decide ``LIMIT`` deterministically)."""
    RENDER_TIMEOUT = "RENDER_TIMEOUT"
    """A render exceeded its wall-clock budget and its worker was stopped."""
    RENDER_CRASH = "RENDER_CRASH"
    """A render worker died (segfault, killed) before returning a result."""
    RENDER_MEMORY = "RENDER_MEMORY"
    """A render worker exceeded its memory cap."""
    RENDER_ERROR = "RENDER_ERROR"
    """The renderer raised while drawing an otherwise valid Scene."""
    INTERNAL = "INTERNAL"
    """A bug in svgkit itself: an unexpected exception, wrapped so callers still get a code."""


@dataclass(frozen=True)
class Diagnostic:
    """A structured warning about one thing the Scene does not represent or had to change.

    Parameters
    ----------
    code
        Short stable identifier, e.g. ``"UNSUPPORTED_ELEMENT"`` or ``"EXTERNAL_REFERENCE"``.
    message
        Human-readable explanation.
    element
        Tag of the element concerned (``""`` when the warning is document-wide).
    element_id
        ``id`` of that element when it has one.

    Examples
    --------
    >>> Diagnostic("UNSUPPORTED_ELEMENT", "<foreignObject> is not drawn", "foreignObject").code
    'UNSUPPORTED_ELEMENT'
    """

    code: str
    message: str
    element: str = ""
    element_id: str = ""

    def to_dict(self) -> dict[str, str]:
        """Return the diagnostic as a JSON-serialisable dict."""
        return {
            "code": self.code,
            "message": self.message,
            "element": self.element,
            "element_id": self.element_id,
        }


class SVGKitError(Exception):
    """Base of every error svgkit raises for bad input.

    Parameters
    ----------
    code
        One of :class:`ErrorCode`.
    message
        Human-readable explanation.
    limit
        For ``LIMIT`` errors, the name of the :class:`svgkit.Limits` field that was exceeded.
    details
        Extra JSON-serialisable context.

    Examples
    --------
    >>> err = SVGKitError(ErrorCode.NO_SVG, "no <svg> element found")
    >>> err.code, str(err)
    ('NO_SVG', 'NO_SVG: no <svg> element found')
    """

    def __init__(
        self,
        code: ErrorCode | str,
        message: str,
        *,
        limit: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.code: str = ErrorCode(code).value
        self.message = message
        self.limit = limit
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(f"{self.code}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only arguments would be lost by the default pickling of exceptions; errors
        # cross process boundaries in render_many and reward workers.
        return (_rebuild_error, (self.code, self.message, self.limit, self.details))

    def to_dict(self) -> dict[str, Any]:
        """Return the error as a JSON-serialisable dict."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.limit is not None:
            out["limit"] = self.limit
        if self.details:
            out["details"] = self.details
        return out


def _rebuild_error(
    code: str, message: str, limit: str | None, details: dict[str, Any]
) -> SVGKitError:
    return SVGKitError(code, message, limit=limit, details=details)


@dataclass
class _DiagnosticSink:
    """Collects diagnostics while a document is built, folding repeats into one with a count."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: dict[tuple[str, str, str], int] = field(default_factory=dict)
    max_items: int = 200

    def add(self, code: str, message: str, element: str = "", element_id: str = "") -> None:
        key = (code, message, element)
        if key in self._seen:
            self._seen[key] += 1
            return
        self._seen[key] = 1
        if len(self.items) < self.max_items:
            self.items.append(Diagnostic(code, message, element, element_id))
