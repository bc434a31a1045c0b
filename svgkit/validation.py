"""``svgkit.validate``: a verdict for any input whatsoever, never an exception."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import Diagnostic, ErrorCode, SVGKitError
from .limits import Limits
from .scene import PaintKind, PrimitiveKind, Scene

__all__ = ["ValidationReport", "drawable_mask", "validate"]


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`.

    Attributes
    ----------
    ok : bool
        ``True`` when the input parsed into a Scene that draws something.
    code : str
        ``"OK"`` or an :class:`svgkit.ErrorCode` value.
    message : str
        Human-readable reason (``""`` when ok).
    limit : str or None
        The :class:`svgkit.Limits` field exceeded, for ``LIMIT``.
    warnings : tuple of Diagnostic
        Everything the Scene does not represent or had to change (empty when parsing failed).
    element_counts : dict
        Element tag → count in the source document (empty when parsing failed).
    primitives : int
        Number of primitives in the Scene (after ``<use>`` expansion), 0 on failure.
    drawable : int
        Primitives that paint something (visible, non-empty, with a fill, stroke or image).
    """

    ok: bool
    code: str
    message: str = ""
    limit: str | None = None
    warnings: tuple[Diagnostic, ...] = ()
    element_counts: dict[str, int] = field(default_factory=dict)
    primitives: int = 0
    drawable: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (what ``svgkit validate`` prints)."""
        return {
            "ok": self.ok,
            "code": self.code,
            "message": self.message,
            "limit": self.limit,
            "primitives": self.primitives,
            "drawable": self.drawable,
            "element_counts": dict(sorted(self.element_counts.items())),
            "warnings": [w.to_dict() for w in self.warnings],
        }


def drawable_mask(scene: Scene) -> np.ndarray:
    """Primitives that put paint on the canvas: visible, opacity > 0, non-empty geometry, and a
    fill, a stroke or an image.

    This is the test behind :func:`validate`'s ``EMPTY`` verdict (no ``True`` at all).

    Examples
    --------
    >>> import svgkit
    >>> scene = svgkit.parse('<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/>'
    ...                      '<rect width="4" height="4" fill="none"/></svg>')
    >>> svgkit.drawable_mask(scene).tolist()
    [True, False]
    """
    n_cmds = np.diff(scene.cmd_offsets)
    painted = (scene.fill_kind != PaintKind.NONE) & (scene.fill_rgba[:, 3] > 0)
    painted |= (scene.stroke_kind != PaintKind.NONE) & (scene.stroke_rgba[:, 3] > 0)
    painted |= scene.kind == PrimitiveKind.IMAGE
    return np.asarray(scene.visible & (scene.opacity > 0) & (n_cmds > 0) & painted)


def validate(
    text: object, limits: Limits | None = None, *, repair: bool = False
) -> ValidationReport:
    """Check whether ``text`` (SVG or raw model output) is a usable SVG, without ever raising.

    Parameters
    ----------
    text
        Anything: str, bytes, or any other object (which is reported as ``BAD_INPUT``).
    limits
        Bounds passed to :func:`svgkit.parse`.
    repair
        Passed to :func:`svgkit.parse`.

    Returns
    -------
    ValidationReport
        ``code`` is ``"OK"``, ``"EMPTY"`` (parses but draws nothing) or the parse error's code.

    Examples
    --------
    >>> import svgkit
    >>> svgkit.validate("no svg here").code
    'NO_SVG'
    >>> r = svgkit.validate(
    ...     '<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>'
    ... )
    >>> r.ok, r.primitives, r.element_counts
    (True, 1, {'svg': 1, 'rect': 1})
    """
    from .parsing import parse

    try:
        scene = parse(text, limits, repair=repair)  # type: ignore[arg-type]
    except SVGKitError as exc:
        return ValidationReport(False, exc.code, exc.message, exc.limit)
    except RecursionError:
        return ValidationReport(
            False, ErrorCode.LIMIT.value, "nesting exceeds the recursion limit", "max_depth"
        )
    except MemoryError:
        return ValidationReport(False, ErrorCode.LIMIT.value, "out of memory while parsing", None)
    except Exception as exc:
        return ValidationReport(
            False, ErrorCode.INTERNAL.value, f"internal error: {type(exc).__name__}: {exc}"
        )
    drawable = int(drawable_mask(scene).sum())
    if drawable == 0:
        return ValidationReport(
            False,
            ErrorCode.EMPTY.value,
            "the document draws nothing",
            None,
            scene.warnings,
            dict(scene.element_counts),
            len(scene),
            0,
        )
    return ValidationReport(
        True, "OK", "", None, scene.warnings, dict(scene.element_counts), len(scene), drawable
    )
