"""Length rewards: the SGP paper's linear decay and RLRF's penalty against a reference SVG."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from ..analysis import Analysis, AnalysisRequest
from ._common import analyses_for, completion_text, per_sample

__all__ = ["LENGTH_POLICIES", "code_length", "length_reward", "rlrf_length", "sgp_length"]

LengthPolicy = Literal["sgp", "rlrf"]

#: Supported policies.
LENGTH_POLICIES: tuple[str, ...] = ("sgp", "rlrf")

_XML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_STYLE_BLOCK = re.compile(r"(<style\b[^>]*>)(.*?)(</style\s*>|\Z)", re.DOTALL | re.IGNORECASE)
_SPACE = re.compile(r"\s+")

#: Lowest value of RLRF's length term (reached at 2.5× the reference length and beyond).
RLRF_MIN = -1.0


def code_length(svg: str) -> int:
    """Characters of ``svg`` once whitespace, XML comments and CSS comments (inside ``<style>``
    and ``style=""``) are removed.

    Examples
    --------
    >>> code_length('<svg>\\n  <!-- a sun -->\\n  <circle r="4"/>\\n</svg>')
    25
    """
    text = _XML_COMMENT.sub("", svg)
    text = _STYLE_BLOCK.sub(
        lambda m: m.group(1) + _CSS_COMMENT.sub("", m.group(2)) + m.group(3), text
    )
    if "/*" in text:  # inline style="" attributes
        text = re.sub(
            r"""(style\s*=\s*)("[^"]*"|'[^']*')""",
            lambda m: m.group(1) + _CSS_COMMENT.sub("", m.group(2)),
            text,
        )
    return len(_SPACE.sub("", text))


def sgp_length(length: int, max_length: int = 6000) -> float:
    """The SGP paper's length reward ``max(0, 1 − L / max_length)``, in [0, 1].

    Examples
    --------
    >>> sgp_length(1500)
    0.75
    """
    return max(0.0, 1.0 - length / max_length)


def rlrf_length(length: int, reference_length: int) -> float:
    """RLRF's length reward ``1 − (max(0, L − L_ref/2) / L_ref)²``, clipped below at −1.

    Up to half the reference length it is 1; at the reference length 0.75; it reaches −1 at
    2.5 × ``reference_length``. A reference of length 0 counts as 1.

    Examples
    --------
    >>> rlrf_length(500, 1000), rlrf_length(1000, 1000), rlrf_length(9000, 1000)
    (1.0, 0.75, -1.0)
    """
    ref = max(1, reference_length)
    excess = max(0.0, length - ref / 2.0) / ref
    return max(RLRF_MIN, 1.0 - excess * excess)


def length_reward(
    completions: Sequence[Any],
    policy: LengthPolicy = "sgp",
    *,
    max_length: int = 6000,
    reference_svg: Any = None,
    analyses: Sequence[Analysis] | None = None,
    **kwargs: Any,
) -> list[float | None]:
    """Reward short SVG code.

    ``L`` is :func:`code_length` of the completion's SVG (the extracted one; for a truncated
    document the cut-off text; when there is no ``<svg`` at all, the whole completion).

    Parameters
    ----------
    completions
        Raw completions.
    policy
        ``"sgp"``: ``max(0, 1 − L / max_length)`` in [0, 1]. ``"rlrf"``: :func:`rlrf_length`
        against ``reference_svg``, in [−1, 1]; ``None`` for a completion without a reference.
    max_length
        The SGP policy's length at which the reward reaches 0 (the paper uses 6000).
    reference_svg
        One reference SVG text for the batch, or a list with one per completion (RLRF).
    analyses
        Precomputed analyses (the engine passes them).

    Returns
    -------
    list[float or None]

    Examples
    --------
    >>> length_reward(["<svg>" + "x" * 2989 + "</svg>"])
    [0.5]
    >>> ref = "<svg>" + "<rect/>" * 4 + "</svg>"
    >>> length_reward(["<svg><rect/></svg>"], "rlrf", reference_svg=ref)
    [1.0]
    """
    if policy not in LENGTH_POLICIES:
        raise ValueError(
            f"Expected `policy` to be one of {', '.join(LENGTH_POLICIES)}, but got {policy!r}"
        )
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
        raise ValueError(f"Expected `max_length` to be a positive int, but got {max_length!r}")
    found = analyses_for(completions, analyses, AnalysisRequest())
    refs = per_sample(reference_svg, len(completions), "reference_svg")
    out: list[float | None] = []
    for c, a, ref in zip(completions, found, refs):
        length = code_length(a.svg if a.svg is not None else completion_text(c))
        if policy == "sgp":
            out.append(sgp_length(length, max_length))
        elif isinstance(ref, str) and ref:
            out.append(rlrf_length(length, code_length(ref)))
        else:
            out.append(None)
    return out
