"""Text–image similarity rewards (CLIP, SigLIP): the completion's rendering against its caption.

The picture is the completion rendered over white by svgkit, then preprocessed by the model's
own image pipeline; the caption is encoded alone (``template`` applied) by the model's own
tokenizer. The cosine ``c`` of the two feature vectors becomes the reward by a mode chosen by
name:

====================  ==========================  ==========
mode                  value                       range
====================  ==========================  ==========
``"raw"``             ``c``                       [−1, 1]
``"rescaled"``        ``(c + 1) / 2`` (SGP paper) [0, 1]
``"clipscore"``       ``100 · max(c, 0)``         [0, 100]
====================  ==========================  ==========

(``clipscore`` is torchmetrics' CLIPScore as StarVector reports it.) The models come from
:mod:`svgkit_rewards.neural` (local files only, loaded once per process); the functions that
take an encoder are the pure part and never load anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..analysis import Analysis, AnalysisRequest
from ._common import analyses_for, per_sample, prompt_text

if TYPE_CHECKING:  # pragma: no cover
    from ..neural.encoders import TextImageEncoder

__all__ = [
    "SIMILARITY_MODES",
    "SIMILARITY_RANGES",
    "check_mode",
    "check_template",
    "cosine_rows",
    "similarity_score",
    "text_image_reward",
    "text_image_scores",
]

#: Names of the ways a cosine becomes a reward.
SIMILARITY_MODES: tuple[str, ...] = ("raw", "rescaled", "clipscore")
#: Range of each mode.
SIMILARITY_RANGES: dict[str, tuple[float, float]] = {
    "raw": (-1.0, 1.0),
    "rescaled": (0.0, 1.0),
    "clipscore": (0.0, 100.0),
}

RGB = npt.NDArray[np.uint8]


def check_mode(mode: str) -> str:
    """``mode`` if it is one of :data:`SIMILARITY_MODES`, else ``ValueError``.

    Examples
    --------
    >>> check_mode("cosine")
    Traceback (most recent call last):
    ...
    ValueError: Expected `mode` to be one of raw, rescaled, clipscore, but got 'cosine'
    """
    if mode not in SIMILARITY_MODES:
        raise ValueError(
            f"Expected `mode` to be one of {', '.join(SIMILARITY_MODES)}, but got {mode!r}"
        )
    return mode


def check_template(template: str) -> str:
    """``template`` if it holds exactly one ``{}`` (where the caption goes).

    Examples
    --------
    >>> check_template("an icon of {}").format("a cat")
    'an icon of a cat'
    """
    if not isinstance(template, str) or template.count("{}") != 1:
        raise ValueError(
            f"Expected `template` to be a str with exactly one '{{}}', but got {template!r}"
        )
    try:
        template.format("x")
    except (IndexError, KeyError, ValueError):
        raise ValueError(
            f"Expected `template` to have no other format fields, but got {template!r}"
        ) from None
    return template


def similarity_score(cos: float, mode: str = "rescaled") -> float:
    """The reward of cosine ``cos`` under ``mode`` (see the module's table).

    Examples
    --------
    >>> [similarity_score(0.3, m) for m in ("raw", "rescaled", "clipscore")]
    [0.3, 0.65, 30.0]
    >>> similarity_score(-0.2, "clipscore")
    0.0
    """
    c = min(1.0, max(-1.0, float(cos)))
    if mode == "raw":
        return c
    if mode == "rescaled":
        return (c + 1.0) / 2.0
    if mode == "clipscore":
        return 100.0 * max(c, 0.0)
    check_mode(mode)
    raise AssertionError  # pragma: no cover


def cosine_rows(a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Row-wise cosine of two ``(n, d)`` arrays, in float64 (a zero row gives 0).

    Examples
    --------
    >>> cosine_rows([[1.0, 0.0], [0.0, 3.0]], [[2.0, 0.0], [0.0, -1.0]]).tolist()
    [1.0, -1.0]
    """
    fa = np.atleast_2d(np.asarray(a, np.float64))
    fb = np.atleast_2d(np.asarray(b, np.float64))
    na = np.linalg.norm(fa, axis=1)
    nb = np.linalg.norm(fb, axis=1)
    dots = np.einsum("ij,ij->i", fa, fb)
    denom = na * nb
    out: npt.NDArray[np.float64] = np.divide(dots, denom, out=np.zeros_like(dots), where=denom > 0)
    return np.clip(out, -1.0, 1.0)


def text_image_scores(
    encoder: TextImageEncoder | Callable[[], TextImageEncoder],
    images: Sequence[RGB | None],
    captions: Sequence[str | None],
    *,
    mode: str = "rescaled",
    floor: float | None = None,
    batch_size: int = 32,
    overlap: bool = True,
    text_cache: bool = True,
) -> list[float | None]:
    """Score pictures against captions with a loaded encoder.

    Parameters
    ----------
    encoder
        A :class:`~svgkit_rewards.neural.encoders.TextImageEncoder`, or a function returning
        one, called only when some picture needs the model.
    images
        ``(H, W, 3)`` uint8 pictures over white; ``None`` for a completion without a usable
        drawing, which scores ``floor`` without reaching the model.
    captions
        The text for each picture (template already applied); ``None`` gives ``None``.
    mode
        One of :data:`SIMILARITY_MODES`.
    floor
        Score of a missing picture (default: the mode's minimum).
    batch_size, overlap, text_cache
        Pictures per forward pass; overlap preprocessing with encoding; keep caption features.

    Returns
    -------
    list[float or None]
    """
    check_mode(mode)
    low = SIMILARITY_RANGES[mode][0] if floor is None else float(floor)
    out: list[float | None] = []
    todo: list[int] = []
    for i, (image, caption) in enumerate(zip(images, captions)):
        if caption is None:
            out.append(None)
        elif image is None:
            out.append(low)
        else:
            out.append(low)
            todo.append(i)
    if not todo:
        return out
    if callable(encoder):
        encoder = encoder()
    pics = [im for im in (images[i] for i in todo) if im is not None]
    img = encoder.encode_images(pics, batch_size=batch_size, overlap=overlap)
    txt = encoder.encode_texts([str(captions[i]) for i in todo], cache=text_cache)
    for i, c in zip(todo, cosine_rows(img, txt)):
        value = similarity_score(float(c), mode)
        out[i] = value if math.isfinite(value) else low
    return out


def text_image_request(size: int) -> AnalysisRequest:
    """What a text–image reward needs from the analysis: one square render over white."""
    return AnalysisRequest(sizes=((size, size),))


def check_size(size: Any) -> int | None:
    """``size`` as a render side (``None``: the model's own input size)."""
    if size is None:
        return None
    if isinstance(size, int) and not isinstance(size, bool) and 8 <= size <= 4096:
        return size
    raise ValueError(f"Expected `size` to be None or an int in [8, 4096], but got {size!r}")


def usable_render(analysis: Analysis, side: int) -> RGB | None:
    """The analysis' render at ``side``² when the completion has a usable drawing."""
    if analysis.failed:
        return None
    return analysis.renders.get((side, side))


def text_image_reward(
    completions: Sequence[Any],
    prompts: Sequence[Any] | None = None,
    *,
    model: str,
    backend: str = "auto",
    pretrained: str | None = None,
    tokenizer: str | None = None,
    caption: Any = None,
    template: str = "{}",
    mode: str = "rescaled",
    size: int | None = None,
    floor: float | None = None,
    max_length: int | None = None,
    batch_size: int = 32,
    precision: str = "auto",
    analyses: Sequence[Analysis] | None = None,
    **kwargs: Any,
) -> list[float | None]:
    """TRL-style text–image reward: each completion's rendering against its caption.

    Parameters
    ----------
    completions
        Raw completions.
    prompts
        The prompts (TRL passes them); the caption is each prompt's text (the last user
        message of a conversation) unless ``caption`` is given.
    model, backend, pretrained, tokenizer, max_length, precision
        Which local model, see :class:`svgkit_rewards.neural.TextImageTerm`.
    caption
        The caption column (one for the batch, or one per completion).
    template
        Caption template with one ``{}``.
    mode
        ``"raw"``, ``"rescaled"`` or ``"clipscore"``.
    size
        Render side (default: the size the model's preprocessing resizes to).
    floor
        Score of a completion without a usable drawing (default: the mode's minimum).
    analyses
        Precomputed analyses (the engine passes them).

    Returns
    -------
    list[float or None]
        ``None`` where there is no caption.

    Examples
    --------
    >>> text_image_reward(["<svg/>"], ["a cat"], model="/no/such/model")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    svgkit_rewards.neural._loading.ModelNotFoundError: Expected `model` to be a local model ...
    """
    from ..neural.terms import TextImageTerm

    term = TextImageTerm(
        model,
        backend=backend,
        pretrained=pretrained,
        tokenizer=tokenizer,
        template=template,
        mode=mode,
        size=size,
        floor=floor,
        max_length=max_length,
        batch_size=batch_size,
        precision=precision,
    )
    found = analyses_for(completions, analyses, term.request())
    texts = per_sample(caption if caption is not None else prompts, len(completions), "caption")
    side = term.side
    return text_image_scores(
        lambda: term.encoder,
        [usable_render(a, side) for a in found],
        [term.caption_of(prompt_text(t) if caption is None else t) for t in texts],
        mode=mode,
        floor=floor,
        batch_size=batch_size,
    )
