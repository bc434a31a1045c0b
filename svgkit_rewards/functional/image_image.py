"""Image–image similarity (DINOv2) against a reference picture or a reference SVG, and the
diversity of a prompt's samples.

Both pictures go through the model's own preprocessing (for DINOv2 checkpoints loaded by
architecture name: Resize 224 + CenterCrop 224 + ImageNet normalisation); the features are the
CLS token (``pooling="cls"``, the SGP reference code), the mean of every token
(``"mean"``, StarVector's DinoScore ``last_hidden_state.mean(dim=1)``) or the mean of the patch
tokens (``"patch"``). The cosine ``c`` becomes the reward by the modes of
:mod:`svgkit_rewards.functional.text_image` (``raw``, ``rescaled`` = ``(c + 1) / 2``,
``clipscore`` = ``100 · max(c, 0)``).

The reference picture is composited over white at its own size (the model's preprocessing
resizes it); a reference SVG is rendered by svgkit over white at the term's render size.

Diversity of a group of samples (the benchmark runner's): ``1 − mean_{i<j} cos(fᵢ, fⱼ)`` over
the features of the samples with a usable drawing; ``None`` with fewer than two.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..analysis import Analysis, AnalysisRequest, analyze
from ._common import analyses_for, per_sample
from .text_image import (
    SIMILARITY_RANGES,
    check_mode,
    cosine_rows,
    similarity_score,
    usable_render,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..neural.encoders import Encoder

__all__ = [
    "REFERENCE_KINDS",
    "diversity",
    "group_diversity",
    "image_image_reward",
    "image_image_scores",
    "reference_picture",
]

#: Where the reference comes from: the sample's picture, its SVG, or the picture when there is
#: one and else the SVG.
REFERENCE_KINDS: tuple[str, ...] = ("auto", "image", "svg")

RGB = npt.NDArray[np.uint8]


def diversity(features: npt.ArrayLike) -> float:
    """``1 − mean pairwise cosine`` of the rows of ``features`` (nan with fewer than 2 rows).

    Examples
    --------
    >>> diversity([[1.0, 0.0], [0.0, 1.0]])
    1.0
    >>> diversity([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    0.0
    """
    f = np.asarray(features, np.float64)
    if f.ndim != 2 or len(f) < 2:
        return math.nan
    norms = np.linalg.norm(f, axis=1, keepdims=True)
    unit = np.divide(f, norms, out=np.zeros_like(f), where=norms > 0)
    sims = np.clip(unit @ unit.T, -1.0, 1.0)
    n = len(f)
    upper = sims[np.triu_indices(n, k=1)]
    return float(1.0 - upper.mean())


def _rgb(image: Any) -> RGB:
    """A reference picture as uint8 RGB over white at its own size."""
    from PIL import Image

    from .pixel import load_image

    if isinstance(image, (str, os.PathLike)):
        with Image.open(image) as opened:
            opened.load()
            image = opened.convert("RGBA")
    if isinstance(image, Image.Image):
        size = image.size
    else:
        arr = np.asarray(image)
        size = (int(arr.shape[1]), int(arr.shape[0])) if arr.ndim >= 2 else (0, 0)
    floats = load_image(image, size)
    out: RGB = np.round(floats * np.float32(255.0)).astype(np.uint8)
    return out


def reference_picture(
    image: Any = None, svg: str | None = None, *, side: int = 224, kind: str = "auto"
) -> tuple[RGB, str] | None:
    """The reference picture to compare with, and its content key; ``None`` when there is none
    (or the reference SVG has no usable drawing).

    Examples
    --------
    >>> pic, key = reference_picture(svg="<svg xmlns='http://www.w3.org/2000/svg' width='4' "
    ...                                  "height='4'><rect width='4' height='4'/></svg>", side=8)
    >>> pic.shape, pic[4, 4].tolist(), len(key)
    ((8, 8, 3), [0, 0, 0], 64)
    """
    if kind not in REFERENCE_KINDS:
        raise ValueError(
            f"Expected `reference` to be one of {', '.join(REFERENCE_KINDS)}, but got {kind!r}"
        )
    pic: RGB | None = None
    if image is not None and kind in ("auto", "image"):
        pic = _rgb(image)
    elif svg is not None and kind in ("auto", "svg"):
        a = analyze(svg, AnalysisRequest(sizes=((side, side),)))
        pic = usable_render(a, side)
    if pic is None:
        return None
    h = hashlib.sha256(repr(pic.shape).encode())
    h.update(np.ascontiguousarray(pic).tobytes())
    return pic, h.hexdigest()


def image_image_scores(
    encoder: Encoder | Callable[[], Encoder],
    images: Sequence[RGB | None],
    references: Sequence[tuple[RGB, str] | None],
    *,
    mode: str = "rescaled",
    floor: float | None = None,
    batch_size: int = 32,
    overlap: bool = True,
) -> list[float | None]:
    """Score pictures against references with a loaded image encoder.

    Parameters
    ----------
    encoder
        An :class:`~svgkit_rewards.neural.encoders.Encoder`, or a function returning one,
        called only when some picture needs the model.
    images
        ``(H, W, 3)`` uint8 pictures; ``None`` scores ``floor`` without reaching the model.
    references
        ``(picture, key)`` from :func:`reference_picture` per sample (features cached by key);
        ``None`` gives ``None``.
    """
    check_mode(mode)
    low = SIMILARITY_RANGES[mode][0] if floor is None else float(floor)
    out: list[float | None] = []
    todo: list[int] = []
    for i, (image, ref) in enumerate(zip(images, references)):
        if ref is None:
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
    feats = encoder.encode_images(pics, batch_size=batch_size, overlap=overlap)
    refs = [references[i] for i in todo]
    ref_feats = encoder.encode_references(
        [r[0] for r in refs if r is not None], [r[1] for r in refs if r is not None]
    )
    for i, c in zip(todo, cosine_rows(feats, np.stack(ref_feats))):
        value = similarity_score(float(c), mode)
        out[i] = value if math.isfinite(value) else low
    return out


def image_image_reward(
    completions: Sequence[Any],
    *,
    model: str,
    image: Any = None,
    reference_image: Any = None,
    reference_svg: Any = None,
    backend: str = "auto",
    pretrained: str | None = None,
    pooling: str = "cls",
    reference: str = "auto",
    mode: str = "rescaled",
    size: int | None = None,
    floor: float | None = None,
    batch_size: int = 32,
    precision: str = "auto",
    analyses: Sequence[Analysis] | None = None,
    **kwargs: Any,
) -> list[float | None]:
    """TRL-style image–image reward: each completion's rendering against its reference.

    Parameters
    ----------
    completions
        Raw completions.
    model, backend, pretrained, pooling, precision
        Which local model, see :class:`svgkit_rewards.neural.ImageImageTerm`.
    image, reference_image
        Reference pictures (the dataset column / the Sample field; one, or one per completion).
    reference_svg
        Reference SVGs, rendered by svgkit.
    reference
        ``"auto"`` (the picture when there is one, else the SVG), ``"image"`` or ``"svg"``.
    mode, size, floor
        As for :func:`~svgkit_rewards.functional.text_image.text_image_reward`.

    Returns
    -------
    list[float or None]
        ``None`` where there is no reference.

    Examples
    --------
    >>> image_image_reward(["<svg/>"], model="vit_small_patch14_dinov2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    svgkit_rewards.neural._loading.ModelNotFoundError: Expected `model` to be a local model ...
    """
    from ..neural.terms import ImageImageTerm

    term = ImageImageTerm(
        model,
        backend=backend,
        pretrained=pretrained,
        pooling=pooling,
        reference=reference,
        mode=mode,
        size=size,
        floor=floor,
        batch_size=batch_size,
        precision=precision,
    )
    n = len(completions)
    found = analyses_for(completions, analyses, term.request())
    pics = per_sample(image if image is not None else reference_image, n, "image")
    svgs = per_sample(reference_svg, n, "reference_svg")
    return term.scores(found, pics, svgs)


def group_diversity(
    completions: Sequence[Any],
    *,
    model: str,
    backend: str = "auto",
    pretrained: str | None = None,
    pooling: str = "cls",
    size: int | None = None,
    analyses: Sequence[Analysis] | None = None,
) -> float | None:
    """Diversity of one prompt's samples: ``1 − mean pairwise cosine`` of the image features
    of the completions with a usable drawing; ``None`` with fewer than two of them.

    Examples
    --------
    >>> group_diversity(["no svg", "none either"], model="vit_small_patch14_dinov2",
    ...                 pretrained=__file__) is None  # the model is never loaded
    True
    """
    from ..neural.terms import ImageImageTerm

    term = ImageImageTerm(model, backend=backend, pretrained=pretrained, pooling=pooling, size=size)
    found = analyses_for(completions, analyses, term.request())
    return term.diversity(found)
