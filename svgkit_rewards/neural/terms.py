"""The neural reward terms: text–image (CLIP, SigLIP) and image–image (DINOv2).

A term carries only its settings and an :class:`~svgkit_rewards.neural.EncoderSpec` (it pickles
into worker processes and trainers); the model is loaded the first time the term scores a
usable drawing in a process, once, on that process's device, and shared by every term that
names the same model. The renders come from the engine's analyses (worker processes by
default); the model stays in the process that evaluates the terms.

Examples
--------
>>> from svgkit_rewards.neural import TextImageTerm
>>> TextImageTerm("ViT-B-32", pretrained="/models/missing.safetensors")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
svgkit_rewards.neural._loading.ModelNotFoundError: Expected `pretrained` to be an open_clip \
checkpoint file (...), but '/models/missing.safetensors' is not a file (...)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..analysis import Analysis, AnalysisRequest
from ..functional._common import prompt_text
from ..functional.image_image import (
    diversity,
    image_image_scores,
    reference_picture,
)
from ..functional.text_image import (
    SIMILARITY_RANGES,
    check_mode,
    check_size,
    check_template,
    text_image_request,
    text_image_scores,
    usable_render,
)
from ..sample import Sample
from ..terms import Term, Values, _check_name
from ._loading import EncoderSpec, get_encoder, make_spec, render_side
from .encoders import Encoder, TextImageEncoder

__all__ = ["ImageImageTerm", "TextImageTerm", "clip_term", "dino_term", "siglip_term"]


def _check_batch(batch_size: Any) -> int:
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"Expected `batch_size` to be a positive int, but got {batch_size!r}")
    return batch_size


def _range(mode: str, floor: float | None) -> tuple[tuple[float, float], float]:
    lo, hi = SIMILARITY_RANGES[mode]
    f = lo if floor is None else float(floor)
    return (min(lo, f), max(hi, f)), f


class _NeuralTerm(Term):
    spec: EncoderSpec
    size: int | None
    _side: int | None = None

    @property
    def side(self) -> int:
        """The side of the square render this term scores (resolved from config files on
        first use when ``size`` is ``None``)."""
        if self._side is None:
            self._side = self.size if self.size is not None else render_side(self.spec)
        return self._side

    def request(self) -> AnalysisRequest:
        return text_image_request(self.side)

    def _renders(self, analyses: Sequence[Analysis]) -> list[Any]:
        side = self.side
        return [usable_render(a, side) for a in analyses]


class TextImageTerm(_NeuralTerm):
    """Similarity of the rendering to the sample's caption under a CLIP / SigLIP model (see
    :func:`svgkit_rewards.functional.text_image_reward`).

    Parameters
    ----------
    model
        open_clip: an architecture name (``"ViT-B-32"``, ``"ViT-B-16-SigLIP-384"``, or one added
        with ``open_clip.add_model_config``) with ``pretrained=<checkpoint file>``, or
        ``"local-dir:<folder>"``. transformers: a model directory (``config.json``, weights,
        processor and tokenizer files) or a hub id already in the local cache
        (``"google/siglip-large-patch16-384"`` with ``HF_HUB_OFFLINE=1``).
    backend
        ``"auto"`` (from the files), ``"open_clip"`` or ``"transformers"``.
    pretrained
        open_clip checkpoint file (``.bin``, ``.pt``, ``.safetensors``).
    tokenizer
        A local tokenizer directory, for open_clip models whose tokenizer is not bundled
        (SigLIP's), or to override a transformers model's.
    mode
        ``"raw"`` (cosine, [−1, 1]), ``"rescaled"`` (``(cos + 1) / 2``, [0, 1], the SGP paper's
        training reward; default) or ``"clipscore"`` (``100 · max(cos, 0)``, [0, 100]).
    template
        The caption's template, with one ``{}``.
    caption_key
        Take the caption from ``Sample.metadata[caption_key]`` instead of the prompt's text.
    size
        Render side (default: the size the model's preprocessing resizes to, from its config).
    max_length
        Text padding length (default: the model's text context; 64 for SigLIP, 77 for CLIP).
    floor
        Score of a completion without a usable drawing (default: the mode's minimum).
    batch_size
        Pictures per forward pass.
    overlap
        Preprocess the next chunk of pictures while the current one is encoded.
    text_cache
        Keep caption features between batches.
    precision
        ``"auto"`` (bf16/fp16 autocast on CUDA, fp32 on CPU), ``"fp32"``, ``"fp16"``, ``"bf16"``.
    device
        ``None``: ``cuda:$LOCAL_RANK`` when CUDA is available, else CPU.
    name
        Component name (default ``"text_image"``).
    """

    def __init__(
        self,
        model: str,
        *,
        backend: str = "auto",
        pretrained: str | None = None,
        tokenizer: str | None = None,
        mode: str = "rescaled",
        template: str = "{}",
        caption_key: str | None = None,
        size: int | None = None,
        max_length: int | None = None,
        floor: float | None = None,
        batch_size: int = 32,
        overlap: bool = True,
        text_cache: bool = True,
        precision: str = "auto",
        device: str | None = None,
        name: str = "text_image",
    ) -> None:
        self.mode = check_mode(mode)
        self.template = check_template(template)
        self.size = check_size(size)
        self.batch_size = _check_batch(batch_size)
        self.caption_key = caption_key
        self.overlap = bool(overlap)
        self.text_cache = bool(text_cache)
        self.value_range, self.floor = _range(mode, floor)
        self.name = _check_name(name)
        self.spec = make_spec(
            "text_image",
            model,
            backend=backend,
            pretrained=pretrained,
            tokenizer=tokenizer,
            max_length=max_length,
            precision=precision,
            device=device,
        )

    @property
    def encoder(self) -> TextImageEncoder:
        """This process's loaded model (loaded on first use)."""
        enc = get_encoder(self.spec)
        assert isinstance(enc, TextImageEncoder)
        return enc

    def caption_of(self, text: str | None) -> str | None:
        """The text encoded for a caption (``template`` applied); ``None`` stays ``None``."""
        return None if text is None else self.template.format(text)

    def _caption(self, sample: Sample) -> str | None:
        if self.caption_key is not None:
            value = sample.metadata.get(self.caption_key)
            return None if value is None else self.caption_of(str(value))
        return self.caption_of(prompt_text(sample.prompt))

    def compute(self, samples: Sequence[Sample], analyses: Sequence[Analysis]) -> Values:
        return text_image_scores(
            lambda: self.encoder,
            self._renders(analyses),
            [self._caption(s) for s in samples],
            mode=self.mode,
            floor=self.floor,
            batch_size=self.batch_size,
            overlap=self.overlap,
            text_cache=self.text_cache,
        )


class ImageImageTerm(_NeuralTerm):
    """Similarity of the rendering to the sample's reference under a DINOv2 model (see
    :func:`svgkit_rewards.functional.image_image_reward`); ``None`` for a sample without a
    reference.

    Parameters
    ----------
    model
        transformers: a model directory (``config.json``, weights, ``preprocessor_config.json``)
        or a hub id in the local cache (``"facebook/dinov2-base"``). timm: an architecture name
        (``"vit_small_patch14_dinov2"``, ``"vit_base_patch14_dinov2"``) with
        ``pretrained=<checkpoint file>``, or a timm model folder (``config.json`` with
        ``architecture``, ``model.safetensors``; ``"local-dir:<folder>"`` works too).
    backend
        ``"auto"``, ``"transformers"`` or ``"timm"``.
    pretrained
        timm checkpoint file.
    pooling
        ``"cls"`` (CLS token, the SGP reference; default), ``"mean"`` (mean of every token,
        StarVector's DinoScore) or ``"patch"`` (mean of the patch tokens).
    reference
        ``"auto"`` (``Sample.reference_image`` when set, else ``Sample.reference_svg``),
        ``"image"`` or ``"svg"``.
    mode, size, floor, batch_size, overlap, precision, device
        As for :class:`TextImageTerm`.
    model_kwargs
        Architecture arguments for timm (``img_size``, ``dynamic_img_size``, …).
    name
        Component name (default ``"image_image"``).
    """

    def __init__(
        self,
        model: str,
        *,
        backend: str = "auto",
        pretrained: str | None = None,
        pooling: str = "cls",
        reference: str = "auto",
        mode: str = "rescaled",
        size: int | None = None,
        floor: float | None = None,
        batch_size: int = 32,
        overlap: bool = True,
        precision: str = "auto",
        device: str | None = None,
        model_kwargs: Mapping[str, Any] | None = None,
        name: str = "image_image",
    ) -> None:
        self.mode = check_mode(mode)
        self.size = check_size(size)
        self.batch_size = _check_batch(batch_size)
        self.overlap = bool(overlap)
        if reference not in ("auto", "image", "svg"):
            raise ValueError(
                f"Expected `reference` to be one of auto, image, svg, but got {reference!r}"
            )
        self.reference = reference
        self.value_range, self.floor = _range(mode, floor)
        self.name = _check_name(name)
        self.spec = make_spec(
            "image",
            model,
            backend=backend,
            pretrained=pretrained,
            pooling=pooling,
            precision=precision,
            device=device,
            model_kwargs=dict(model_kwargs or {}),
        )

    @property
    def encoder(self) -> Encoder:
        """This process's loaded model (loaded on first use)."""
        return get_encoder(self.spec)

    def scores(
        self, analyses: Sequence[Analysis], images: Sequence[Any], svgs: Sequence[Any]
    ) -> Values:
        """Scores of ``analyses`` against per-sample reference pictures / SVGs."""
        refs: dict[tuple[int, int], Any] = {}  # GRPO groups share a reference: decode it once
        references = []
        for image, svg in zip(images, svgs):
            key = (id(image), id(svg))
            if key not in refs:
                refs[key] = reference_picture(image, svg, side=self.side, kind=self.reference)
            references.append(refs[key])
        return image_image_scores(
            lambda: self.encoder,
            self._renders(analyses),
            references,
            mode=self.mode,
            floor=self.floor,
            batch_size=self.batch_size,
            overlap=self.overlap,
        )

    def compute(self, samples: Sequence[Sample], analyses: Sequence[Analysis]) -> Values:
        return self.scores(
            analyses, [s.reference_image for s in samples], [s.reference_svg for s in samples]
        )

    def diversity(self, analyses: Sequence[Analysis]) -> float | None:
        """``1 − mean pairwise cosine`` of the features of the usable drawings among
        ``analyses`` (one prompt's samples); ``None`` with fewer than two."""
        pics = [p for p in self._renders(analyses) if p is not None]
        if len(pics) < 2:
            return None
        feats = self.encoder.encode_images(pics, batch_size=self.batch_size, overlap=self.overlap)
        return diversity(feats)


def _named(cls: type[_NeuralTerm], name: str) -> Any:
    def make(*args: Any, **kwargs: Any) -> Term:
        kwargs.setdefault("name", name)
        return cls(*args, **kwargs)

    make.__name__ = f"{name}_term"
    make.__doc__ = f"A :class:`{cls.__name__}` named ``{name!r}`` (config name ``{name}``)."
    return make


#: Config factories (``term = "clip"`` / ``"siglip"`` / ``"dino"``).
clip_term = _named(TextImageTerm, "clip")
siglip_term = _named(TextImageTerm, "siglip")
dino_term = _named(ImageImageTerm, "dino")
