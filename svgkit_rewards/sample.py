"""What a reward is computed on (:class:`Sample`) and what it returns (:class:`RewardResult`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Diagnostics", "RewardResult", "Sample"]


@dataclass(frozen=True)
class Sample:
    """One completion to score, with what the terms may compare it against.

    Parameters
    ----------
    completion
        The model's raw output text (prose, ``<think>``, fences and all).
    prompt
        The text prompt (text-to-SVG), or ``None``.
    reference_image
        Target picture for image-to-SVG terms: an ``(H, W)``, ``(H, W, 3)`` or ``(H, W, 4)``
        array (``uint8``, or floats in [0, 1]), a PIL image, or a path to an image file.
    reference_svg
        A reference SVG (RLRF's length term measures against it).
    spec
        Structured description of what should be drawn (compositional checks).
    metadata
        Anything else the caller wants to carry along (dataset columns).
    finish_reason
        The generator's finish reason; ``"length"`` means the output was cut off and scores the
        floor like a ``TRUNCATED`` document.

    Examples
    --------
    >>> Sample("<svg/>", prompt="a red circle").prompt
    'a red circle'
    """

    completion: str
    prompt: str | None = None
    reference_image: Any = None
    reference_svg: str | None = None
    spec: Mapping[str, Any] | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    finish_reason: str | None = None


@dataclass(frozen=True)
class Diagnostics:
    """Why a sample scored what it did.

    Attributes
    ----------
    code : str
        ``"OK"``, ``"EMPTY"`` (parses but draws nothing), or an :class:`svgkit.ErrorCode` value
        (``NO_SVG``, ``TRUNCATED``, ``XML_SYNTAX``, ``RENDER_TIMEOUT``, ``RENDER_CRASH``, …).
    message : str
        Human-readable reason (``""`` when fine).
    flags : tuple[str, ...]
        Notable facts: ``GATE_CLOSED``, ``FLOOR``, ``NO_REFERENCE``, anti-hacking flags
        (``BLANK_CANVAS``, ``TEXT_AS_DRAWING``, …), ``CACHED``.
    timings : dict[str, float]
        Seconds: this completion's analysis stages (``extract``, ``parse``,
        ``render_224x224``, ``feature_hacks``, …; for a cached analysis, those of the run that
        made it), the whole batch's ``batch_analysis``, and
        ``terms_batch_share`` (the batch's term evaluation divided by the batch size).
    warnings : tuple[str, ...]
        Codes of the core's diagnostics for the document (``UNSUPPORTED_ELEMENT``, …).
    """

    code: str = "OK"
    message: str = ""
    flags: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "code": self.code,
            "message": self.message,
            "flags": list(self.flags),
            "timings": dict(self.timings),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class RewardResult:
    """The score of one sample.

    Attributes
    ----------
    score : float or None
        The reward; ``None`` only where the engine was asked to report unscorable samples as
        ``None`` instead of the floor.
    components : dict[str, float or None]
        Every leaf term's value by name (``None`` where the term does not apply), so trainers
        can log them.
    diagnostics : Diagnostics

    Examples
    --------
    >>> r = RewardResult(1.0, {"format": 1.0}, Diagnostics())
    >>> r.to_dict()["components"]
    {'format': 1.0}
    """

    score: float | None
    components: Mapping[str, float | None]
    diagnostics: Diagnostics

    @property
    def code(self) -> str:
        """Shortcut for ``diagnostics.code``."""
        return self.diagnostics.code

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "score": self.score,
            "components": dict(self.components),
            "diagnostics": self.diagnostics.to_dict(),
        }
