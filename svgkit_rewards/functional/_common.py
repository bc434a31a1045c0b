"""Shared plumbing of the functional rewards: completions in any framework shape → text, and the
analyses a batch function needs when the engine did not hand them over."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..analysis import Analysis, AnalysisRequest, analyze

__all__ = [
    "analyses_for",
    "completion_text",
    "content_text",
    "is_sequence",
    "per_sample",
    "prompt_text",
]


def is_sequence(value: Any) -> bool:
    """A list-like of items (list, tuple, an OmegaConf list, a 1-d numpy array), not a string or
    a mapping."""
    if isinstance(value, (str, bytes, bytearray, Mapping)):
        return False
    return isinstance(value, Sequence) or (
        type(value).__name__ == "ndarray" and getattr(value, "ndim", 0) == 1
    )


def content_text(content: Any) -> str:
    """The text of one message's ``content``: a string, or the text parts of a multimodal list.

    Examples
    --------
    >>> content_text([{"type": "image"}, {"type": "text", "text": "a cat"}])
    'a cat'
    """
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        content = [content]
    if is_sequence(content):
        return "".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, Mapping) and part.get("type", "text") == "text"
        )
    return ""


def completion_text(completion: Any) -> str:
    """The text of one completion: a string as is; a conversational completion (a list of
    ``{"role", "content"}`` messages, or one such message) as the content of its assistant
    messages joined; anything else becomes ``""`` (which then scores as ``NO_SVG``).

    Examples
    --------
    >>> completion_text([{"role": "assistant", "content": "<svg/>"}])
    '<svg/>'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, (bytes, bytearray)):
        return bytes(completion).decode("utf-8", "replace")
    if isinstance(completion, Mapping):
        completion = [completion]
    if is_sequence(completion):
        return "".join(
            content_text(message.get("content"))
            for message in completion
            if isinstance(message, Mapping) and message.get("role", "assistant") == "assistant"
        )
    return ""


def prompt_text(prompt: Any) -> str | None:
    """The text prompt of one example: a string as is; for a conversation (a list of
    ``{"role", "content"}`` messages) the text of its last user message (of its last message
    when no message is the user's); ``None`` when there is none.

    Examples
    --------
    >>> prompt_text([{"role": "system", "content": "Be brief."},
    ...              {"role": "user", "content": "a red dot"}])
    'a red dot'
    >>> prompt_text([{"role": "user", "content": [{"type": "image"},
    ...                                            {"type": "text", "text": "trace this"}]}])
    'trace this'
    """
    if prompt is None:
        return None
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, Mapping):
        prompt = [prompt]
    if not is_sequence(prompt):
        return None
    messages = [m for m in prompt if isinstance(m, Mapping)]
    if not messages:
        return None
    users = [m for m in messages if m.get("role") == "user"]
    return content_text((users or messages)[-1].get("content"))


def analyses_for(
    completions: Sequence[Any],
    analyses: Sequence[Analysis] | None,
    request: AnalysisRequest,
) -> list[Analysis]:
    """The given analyses, or ones made here, in process, with ``request``."""
    if analyses is not None:
        if len(analyses) != len(completions):
            raise ValueError(
                f"Expected `analyses` to have one entry per completion ({len(completions)}), "
                f"but got {len(analyses)}"
            )
        return list(analyses)
    return [analyze(completion_text(c), request) for c in completions]


def per_sample(value: Any, n: int, name: str) -> list[Any]:
    """Broadcast a per-batch keyword argument: a list/tuple of length ``n`` is taken as one
    value per completion, anything else is repeated."""
    if isinstance(value, (list, tuple)) and len(value) == n and n != 0:
        return list(value)
    if isinstance(value, (list, tuple)) and n != 1 and len(value) not in (0, n):
        raise ValueError(
            f"Expected `{name}` to have {n} entries (one per completion), got {len(value)}"
        )
    return [value] * n
