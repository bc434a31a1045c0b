"""The format gate: is the completion shaped as asked and does its SVG render?"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from ..analysis import Analysis, AnalysisRequest
from ._common import analyses_for, completion_text

__all__ = ["FORMAT_POLICIES", "format_check", "format_request", "format_reward"]

FormatPolicy = Literal["sgp", "answer", "plain"]

#: Supported policies.
FORMAT_POLICIES: tuple[str, ...] = ("sgp", "answer", "plain")

# Closing tags of SVG text elements: rendered words game CLIP-style rewards, so the SGP reference
# refuses any completion that contains one.
_TEXT_TAGS = ("</text>", "</tspan>", "</textPath>")
_ANSWER_BLOCK = re.compile(r"<answer>\s*(.*?)\s*</answer>\s*\Z", re.DOTALL)


def format_request() -> AnalysisRequest:
    """What :func:`format_reward` needs from the analysis: one successful render."""
    return AnalysisRequest(render_check=True)


def format_check(completion: str, analysis: Analysis, policy: FormatPolicy = "sgp") -> str:
    """Why ``completion`` fails the format policy, or ``""`` when it passes.

    Parameters
    ----------
    completion
        The raw completion text.
    analysis
        Its analysis (made with at least :func:`format_request`).
    policy
        ``"sgp"``: the SGP-GenBench reference: the text contains ``"</think> <answer>"`` (one
        space), ends with ``"</answer>"`` (trailing whitespace ignored), contains none of
        ``</text>``, ``</tspan>``, ``</textPath>``, and the SVG renders (a blank drawing
        renders). ``"answer"``: an ``<answer>`` block closes the completion (whitespace
        anywhere around the tags) and the SVG renders. ``"plain"``: the SVG is valid, renders
        and draws something.

    Returns
    -------
    str
        ``""`` on success, else a short reason such as ``"missing '</think> <answer>'"`` or the
        analysis' error code.

    Examples
    --------
    >>> from svgkit_rewards.analysis import analyze
    >>> text = "<think>ok</think> <answer><svg><rect width='2' height='2'/></svg></answer>"
    >>> format_check(text, analyze(text, format_request()), "sgp")
    ''
    >>> format_check("<svg><rect/></svg>", analyze("<svg><rect/></svg>"), "sgp")
    "missing '</think> <answer>'"
    """
    if policy == "sgp":
        if "</think> <answer>" not in completion:
            return "missing '</think> <answer>'"
        if not completion.rstrip().endswith("</answer>"):
            return "does not end with '</answer>'"
        for tag in _TEXT_TAGS:
            if tag in completion:
                return f"contains '{tag}'"
        return "" if _renders(analysis) else analysis.code
    if policy == "answer":
        if _ANSWER_BLOCK.search(completion) is None:
            return "no closing <answer>...</answer> block"
        return "" if _renders(analysis) else analysis.code
    if policy == "plain":
        if analysis.code != "OK":
            return analysis.code
        return "" if analysis.renders else "RENDER_ERROR"
    raise ValueError(
        f"Expected `policy` to be one of {', '.join(FORMAT_POLICIES)}, but got {policy!r}"
    )


def _renders(analysis: Analysis) -> bool:
    return not analysis.failed and bool(analysis.renders)


def format_reward(
    completions: Sequence[Any],
    policy: FormatPolicy = "sgp",
    *,
    analyses: Sequence[Analysis] | None = None,
    **kwargs: Any,
) -> list[float]:
    """1.0 where a completion passes the format policy, 0.0 where it does not.

    Parameters
    ----------
    completions
        Raw completions (strings or conversational message lists).
    policy
        ``"sgp"``, ``"answer"`` or ``"plain"`` (see :func:`format_check`).
    analyses
        Precomputed analyses, one per completion (the engine passes them); made here when
        ``None``.
    **kwargs
        Other dataset columns, ignored.

    Returns
    -------
    list[float]
        In {0.0, 1.0}. Invalid input (no SVG, broken XML, a crash) scores 0.0.

    Examples
    --------
    >>> ok = "<think>a dot</think> <answer><svg><circle r='3'/></svg></answer>"
    >>> format_reward([ok, "no svg", ok + " trailing prose"])
    [1.0, 0.0, 0.0]
    """
    if policy not in FORMAT_POLICIES:
        raise ValueError(
            f"Expected `policy` to be one of {', '.join(FORMAT_POLICIES)}, but got {policy!r}"
        )
    found = analyses_for(completions, analyses, format_request())
    return [
        0.0 if format_check(completion_text(c), a, policy) else 1.0
        for c, a in zip(completions, found)
    ]
