"""Loaded models behind the neural terms: one class per backend, one interface.

An :class:`Encoder` turns ``uint8`` RGB pictures (already composited over white) into feature
vectors with the model's *own* preprocessing: open_clip's ``preprocess`` transform, the
transformers image processor saved with the model, timm's data config. A
:class:`TextImageEncoder` also encodes captions with the model's own tokenizer and keeps the
features of captions it has seen (GRPO scores 8 or more samples of one prompt). Features come
back unnormalised as float32 numpy arrays; the cosine is taken by the callers in float64.

Batching, overlap and precision: pictures are encoded ``batch_size`` at a time; with
``overlap=True`` the CPU preprocessing of the next chunk runs in a thread while the current chunk
is encoded (torch releases the GIL); on CUDA the forward passes run under fp16/bf16 autocast
(``precision``), on CPU in fp32. None of this changes the features at fp32.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from ._loading import (
    LOCAL_DIR,
    EncoderSpec,
    ModelNotFoundError,
    checkpoint_file,
    local_dir,
    process_device,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "TEXT_CACHE_SIZE",
    "Encoder",
    "ImageEncoder",
    "TextImageEncoder",
    "load_encoder",
    "pipelined",
]

#: Pictures per forward pass unless a term says otherwise.
DEFAULT_BATCH_SIZE = 32
#: Caption features kept per encoder (least recently used dropped).
TEXT_CACHE_SIZE = 4096
#: Reference-picture features kept per encoder.
REFERENCE_CACHE_SIZE = 1024

Features = npt.NDArray[np.float32]
RGB = npt.NDArray[np.uint8]
T = TypeVar("T")
U = TypeVar("U")
V = TypeVar("V")


def pipelined(
    chunks: Sequence[T],
    produce: Callable[[T], U],
    consume: Callable[[U], V],
    *,
    overlap: bool = True,
) -> list[V]:
    """``[consume(produce(c)) for c in chunks]``, with ``produce`` of the next chunk running in
    a background thread while the current one is consumed.

    ``produce`` is the CPU side (rendering, preprocessing) and ``consume`` the model side; the
    results are the same with and without ``overlap``, in order.

    Examples
    --------
    >>> pipelined([1, 2, 3], lambda x: x * 10, lambda y: y + 1)
    [11, 21, 31]
    """
    if not overlap or len(chunks) < 2:
        return [consume(produce(c)) for c in chunks]
    from concurrent.futures import ThreadPoolExecutor

    out: list[V] = []
    with ThreadPoolExecutor(1, thread_name_prefix="svgkit-prefetch") as ex:
        future = ex.submit(produce, chunks[0])
        for i in range(len(chunks)):
            item = future.result()
            if i + 1 < len(chunks):
                future = ex.submit(produce, chunks[i + 1])
            out.append(consume(item))
    return out


def _chunks(n: int, size: int) -> list[range]:
    return [range(i, min(n, i + size)) for i in range(0, n, size)]


def _to_pil(image: RGB) -> Any:
    from PIL import Image

    arr = np.ascontiguousarray(image)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(
            f"Expected an (H, W, 3) uint8 picture, but got {arr.dtype} of shape {arr.shape}"
        )
    return Image.fromarray(arr, "RGB")


class Encoder:
    """A loaded image model (the shared part of every backend).

    Attributes
    ----------
    spec : EncoderSpec
    device : str
    counters : dict[str, int]
        ``images_encoded``, ``image_batches``, ``references_encoded``, ``reference_cache_hits``
        (and for text–image encoders ``texts_encoded``, ``text_cache_hits``).
    input_size : tuple[int, int]
        ``(width, height)`` of the model's input after preprocessing.
    """

    spec: EncoderSpec
    device: str
    dtype: Any
    input_size: tuple[int, int]

    def __init__(self, spec: EncoderSpec, device: str) -> None:
        import torch

        self.spec = spec
        self.device = device
        self.counters: dict[str, int] = {
            "images_encoded": 0,
            "image_batches": 0,
            "references_encoded": 0,
            "reference_cache_hits": 0,
        }
        precision = spec.precision
        cuda = device.startswith("cuda")
        if precision in ("fp16", "bf16") and not cuda:
            raise ValueError(
                f"Expected `precision` to be 'auto' or 'fp32' on {device}, but got {precision!r} "
                "(half-precision autocast is for CUDA only)"
            )
        if precision == "auto":
            precision = ("bf16" if torch.cuda.is_bf16_supported() else "fp16") if cuda else "fp32"
        self.precision = precision
        self.dtype = {"fp32": None, "fp16": torch.float16, "bf16": torch.bfloat16}[precision]
        self._lock = threading.Lock()
        self._references: OrderedDict[str, Features] = OrderedDict()

    # -- backend hooks ------------------------------------------------------------------------

    def preprocess(self, images: Sequence[Any]) -> Any:
        """The model's own preprocessing of PIL images, batched (CPU)."""
        raise NotImplementedError

    def forward_images(self, batch: Any) -> Any:
        """Features of a preprocessed batch (a ``(n, d)`` tensor)."""
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------------

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        import torch

        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast("cuda", dtype=self.dtype)

    def _to_device(self, batch: Any) -> Any:
        if hasattr(batch, "to"):
            return batch.to(self.device, non_blocking=True)
        return {k: (v.to(self.device) if hasattr(v, "to") else v) for k, v in batch.items()}

    def _features(self, tensor: Any) -> Features:
        out: Features = tensor.detach().float().cpu().numpy().astype(np.float32, copy=False)
        return out

    def encode_images(
        self,
        images: Sequence[RGB],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        overlap: bool = True,
    ) -> Features:
        """Features of ``(H, W, 3)`` uint8 pictures, ``(n, d)`` float32.

        The next chunk's preprocessing overlaps this chunk's forward pass when ``overlap``.
        """
        import torch

        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"Expected `batch_size` to be a positive int, but got {batch_size!r}")
        if not images:
            return np.zeros((0, 0), np.float32)

        def produce(idx: range) -> Any:
            return self.preprocess([_to_pil(images[i]) for i in idx])

        def consume(batch: Any) -> Features:
            with torch.inference_mode(), self._autocast():
                feats = self._features(self.forward_images(self._to_device(batch)))
            self.counters["images_encoded"] += len(feats)
            self.counters["image_batches"] += 1
            return feats

        parts = pipelined(_chunks(len(images), batch_size), produce, consume, overlap=overlap)
        return np.concatenate(parts, axis=0)

    def encode_references(
        self, images: Sequence[RGB], keys: Sequence[str], *, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> list[Features]:
        """Features of reference pictures, cached by ``keys`` (content hashes)."""
        out: dict[str, Features] = {}
        todo: dict[str, RGB] = {}
        with self._lock:
            for key, image in zip(keys, images):
                hit = self._references.get(key)
                if hit is not None:
                    self._references.move_to_end(key)
                    out[key] = hit
                    self.counters["reference_cache_hits"] += 1
                elif key not in todo:
                    todo[key] = image
        if todo:
            feats = self.encode_images(list(todo.values()), batch_size=batch_size, overlap=False)
            self.counters["references_encoded"] += len(todo)
            with self._lock:
                for key, f in zip(todo, feats):
                    out[key] = f
                    self._references[key] = f
                    while len(self._references) > REFERENCE_CACHE_SIZE:
                        self._references.popitem(last=False)
        return [out[k] for k in keys]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(backend={self.spec.backend!r}, model={self.spec.model!r}, "
            f"device={self.device!r}, precision={self.precision!r})"
        )


class ImageEncoder(Encoder):
    """An image–image model (DINOv2): pooled token features, see ``spec.pooling``."""


class TextImageEncoder(Encoder):
    """A text–image model (CLIP, SigLIP): images and captions into one space."""

    def __init__(self, spec: EncoderSpec, device: str) -> None:
        super().__init__(spec, device)
        self.counters.update({"texts_encoded": 0, "text_cache_hits": 0})
        self._texts: OrderedDict[str, Features] = OrderedDict()

    def tokenize(self, texts: list[str]) -> Any:
        """The model's own tokenizer on ``texts`` (CPU tensors)."""
        raise NotImplementedError

    def forward_texts(self, tokens: Any) -> Any:
        """Features of tokenized captions (a ``(n, d)`` tensor)."""
        raise NotImplementedError

    def encode_texts(
        self, texts: Sequence[str], *, batch_size: int = 64, cache: bool = True
    ) -> Features:
        """Features of ``texts``, ``(n, d)`` float32; repeated captions are encoded once and,
        with ``cache``, kept for later calls (:data:`TEXT_CACHE_SIZE`)."""
        import torch

        texts = list(texts)
        found: dict[str, Features] = {}
        todo: list[str] = []
        with self._lock:
            for text in texts:
                if text in found:
                    continue
                hit = self._texts.get(text) if cache else None
                if hit is not None:
                    self._texts.move_to_end(text)
                    found[text] = hit
                    self.counters["text_cache_hits"] += 1
                elif text not in todo:
                    todo.append(text)
        for idx in _chunks(len(todo), batch_size):
            chunk = [todo[i] for i in idx]
            tokens = self._to_device(self.tokenize(chunk))
            with torch.inference_mode(), self._autocast():
                feats = self._features(self.forward_texts(tokens))
            self.counters["texts_encoded"] += len(chunk)
            with self._lock:
                for text, f in zip(chunk, feats):
                    found[text] = f
                    if cache:
                        self._texts[text] = f
                        while len(self._texts) > TEXT_CACHE_SIZE:
                            self._texts.popitem(last=False)
        if not texts:
            return np.zeros((0, 0), np.float32)
        return np.stack([found[t] for t in texts])


# ---------------------------------------------------------------------------------------------
# open_clip
# ---------------------------------------------------------------------------------------------


class OpenClipEncoder(TextImageEncoder):
    """open_clip model, its validation ``preprocess`` and its tokenizer."""

    def __init__(self, spec: EncoderSpec, device: str) -> None:
        super().__init__(spec, device)
        import open_clip

        name = spec.model
        source: Path | None = None
        if name.startswith(LOCAL_DIR):
            source = local_dir(name, "open_clip_config.json", "an open_clip model folder")
            model_cfg = json_model_cfg(source)
            model, _, preprocess = open_clip.create_model_and_transforms(
                f"{LOCAL_DIR}{source}", device=device
            )
        else:
            if spec.pretrained is None:
                raise ModelNotFoundError(
                    f"Expected `pretrained` to be an open_clip checkpoint file for {name!r}, "
                    "but got None (svgkit never downloads weights)"
                )
            model_cfg = open_clip.get_model_config(name)
            if model_cfg is None:
                raise ModelNotFoundError(
                    f"Expected `model` to be an open_clip architecture (open_clip.list_models(), "
                    f"or one added with open_clip.add_model_config) or 'local-dir:<folder>', but "
                    f"got {name!r}"
                )
            ckpt = checkpoint_file(spec.pretrained, "an open_clip checkpoint file")
            model, _, preprocess = open_clip.create_model_and_transforms(
                name, pretrained=ckpt, device=device
            )
        self.model = model.eval()
        self.transform = preprocess
        self.tokenizer = _open_clip_tokenizer(name, model_cfg, source, spec)
        size = model_cfg.get("vision_cfg", {}).get("image_size", 224)
        size = size if isinstance(size, int) else int(size[0])
        self.input_size = (size, size)

    def preprocess(self, images: Sequence[Any]) -> Any:
        import torch

        return torch.stack([self.transform(im) for im in images])

    def forward_images(self, batch: Any) -> Any:
        return self.model.encode_image(batch)

    def tokenize(self, texts: list[str]) -> Any:
        return self.tokenizer(texts)

    def forward_texts(self, tokens: Any) -> Any:
        return self.model.encode_text(tokens)


def json_model_cfg(folder: Path) -> dict[str, Any]:
    """``model_cfg`` of an open_clip folder's ``open_clip_config.json``."""
    import json

    data = json.loads((folder / "open_clip_config.json").read_text(encoding="utf-8"))
    cfg = data.get("model_cfg")
    if not isinstance(cfg, dict):
        raise ModelNotFoundError(
            f"Expected {str(folder / 'open_clip_config.json')!r} to hold a `model_cfg` object"
        )
    return cfg


def _open_clip_tokenizer(
    name: str, model_cfg: dict[str, Any], folder: Path | None, spec: EncoderSpec
) -> Any:
    import open_clip
    from open_clip.tokenizer import HFTokenizer

    text_cfg = dict(model_cfg.get("text_cfg", {}))
    context = spec.max_length or int(text_cfg.get("context_length", 77))
    hf_name = text_cfg.get("hf_tokenizer_name")
    needs_hf = bool(hf_name) or (folder is None and "siglip" in name.lower())
    if spec.tokenizer is None and not needs_hf:
        return open_clip.get_tokenizer(
            name if folder is None else f"{LOCAL_DIR}{folder}", context_length=context
        )
    source = spec.tokenizer or (str(folder) if folder is not None else hf_name)
    if not source:
        raise ModelNotFoundError(
            f"Expected `tokenizer` to be a local tokenizer directory for {name!r} (its "
            "tokenizer is not bundled with open_clip), but got None"
        )
    if spec.tokenizer is not None and not Path(spec.tokenizer).expanduser().is_dir():
        raise ModelNotFoundError(
            f"Expected `tokenizer` to be a local tokenizer directory (tokenizer_config.json "
            f"and its vocabulary), but {spec.tokenizer!r} is not a directory"
        )
    kwargs = dict(text_cfg.get("tokenizer_kwargs", {}))
    try:
        return HFTokenizer(
            str(source),
            context_length=context,
            tokenizer_mode=text_cfg.get("tokenizer_mode"),
            local_files_only=True,
            **kwargs,
        )
    except OSError as exc:
        raise ModelNotFoundError(
            f"Expected the tokenizer {str(source)!r} of {name!r} in a local directory or the "
            f"local Hugging Face cache, but loading it failed: {exc}; pass `tokenizer=<dir>`"
        ) from exc


# ---------------------------------------------------------------------------------------------
# transformers
# ---------------------------------------------------------------------------------------------


def _hf_source(model: str) -> str:
    path = Path(model).expanduser()
    if path.exists():
        local_dir(str(path), "config.json", "a transformers model directory with config.json")
        return str(path)
    return model


def _hf_load(loader: Callable[..., T], source: str, what: str) -> T:
    try:
        return loader(source, local_files_only=True)
    except OSError as exc:
        raise ModelNotFoundError(
            f"Expected {source!r} to be {what} (a local directory, or a hub id already in the "
            f"local Hugging Face cache; svgkit never downloads), but loading failed: {exc}"
        ) from exc


def _pooled(out: Any) -> Any:
    # transformers 5 returns a model output whose pooler_output holds the projected features
    return out if hasattr(out, "shape") else out.pooler_output


class HFTextImageEncoder(TextImageEncoder):
    """transformers CLIP / SigLIP / SigLIP 2: ``AutoModel`` with the model's image processor and
    tokenizer (``AutoProcessor``); text padded to ``max_length`` (the model's text context,
    64 for SigLIP, unless the spec says otherwise)."""

    def __init__(self, spec: EncoderSpec, device: str) -> None:
        super().__init__(spec, device)
        from transformers import AutoModel, AutoProcessor

        source = _hf_source(spec.model)
        what = "a transformers text–image model (CLIP, SigLIP, SigLIP 2)"
        model = _hf_load(AutoModel.from_pretrained, source, what)
        processor = _hf_load(AutoProcessor.from_pretrained, spec.tokenizer or source, what)
        if not (hasattr(model, "get_image_features") and hasattr(model, "get_text_features")):
            raise ModelNotFoundError(
                f"Expected {source!r} to be {what}, but got a {type(model).__name__}"
            )
        self.model = model.to(device).eval()
        self.image_processor = processor.image_processor
        self.tokenizer = processor.tokenizer
        text_cfg = getattr(model.config, "text_config", None)
        self.max_length = spec.max_length or int(getattr(text_cfg, "max_position_embeddings", 64))
        vis = getattr(model.config, "vision_config", None)
        size = int(getattr(vis, "image_size", 224) or 224)
        self.input_size = (size, size)

    def preprocess(self, images: Sequence[Any]) -> Any:
        return dict(self.image_processor(images=list(images), return_tensors="pt"))

    def forward_images(self, batch: Any) -> Any:
        return _pooled(self.model.get_image_features(**batch))

    def tokenize(self, texts: list[str]) -> Any:
        tokens = self.tokenizer(
            texts,
            padding="max_length",
            max_length=self.max_length,
            truncation=True,
            return_tensors="pt",
        )
        return {k: v for k, v in tokens.items() if k in ("input_ids", "attention_mask")}

    def forward_texts(self, tokens: Any) -> Any:
        return _pooled(self.model.get_text_features(**tokens))


def _pool_tokens(tokens: Any, pooling: str, prefix: int) -> Any:
    if tokens.ndim != 3:
        raise ValueError(
            f"Expected the model to return (batch, tokens, dim) features, but got {tokens.ndim}-d"
        )
    if pooling == "cls":
        return tokens[:, 0]
    if pooling == "mean":
        return tokens.mean(dim=1)
    return tokens[:, prefix:].mean(dim=1)


class HFImageEncoder(ImageEncoder):
    """transformers DINOv2 (``AutoModel`` + ``AutoImageProcessor``): ``last_hidden_state``
    pooled by ``spec.pooling``."""

    def __init__(self, spec: EncoderSpec, device: str) -> None:
        super().__init__(spec, device)
        from transformers import AutoImageProcessor, AutoModel

        source = _hf_source(spec.model)
        what = "a transformers image model (DINOv2)"
        self.model = _hf_load(AutoModel.from_pretrained, source, what).to(device).eval()
        self.image_processor = _hf_load(AutoImageProcessor.from_pretrained, source, what)
        self.prefix = 1 + int(getattr(self.model.config, "num_register_tokens", 0) or 0)
        crop = getattr(self.image_processor, "crop_size", None) or {}
        size = int(crop.get("height", 224)) if isinstance(crop, dict) else 224
        self.input_size = (size, size)

    def preprocess(self, images: Sequence[Any]) -> Any:
        return dict(self.image_processor(images=list(images), return_tensors="pt"))

    def forward_images(self, batch: Any) -> Any:
        out = self.model(pixel_values=batch["pixel_values"])
        return _pool_tokens(out.last_hidden_state, self.spec.pooling, self.prefix)


# ---------------------------------------------------------------------------------------------
# timm
# ---------------------------------------------------------------------------------------------

#: Preprocessing of DINOv2 checkpoints loaded by architecture name (the reference code's):
#: Resize 224 (bicubic) + CenterCrop 224 + ImageNet normalisation.
DINO_DATA_CFG: dict[str, Any] = {
    "input_size": (3, 224, 224),
    "interpolation": "bicubic",
    "crop_pct": 1.0,
    "crop_mode": "center",
    "mean": (0.485, 0.456, 0.406),
    "std": (0.229, 0.224, 0.225),
}


class TimmImageEncoder(ImageEncoder):
    """timm ViT (DINOv2): ``forward_features`` tokens pooled by ``spec.pooling``, preprocessing
    from timm's data config of the model (:data:`DINO_DATA_CFG` for an architecture name with a
    checkpoint file unless ``model_kwargs`` change ``img_size``)."""

    def __init__(self, spec: EncoderSpec, device: str) -> None:
        super().__init__(spec, device)
        import importlib

        import timm

        tdata: Any = importlib.import_module("timm.data")
        kwargs = dict(spec.model_kwargs)
        kwargs.setdefault("num_classes", 0)
        if spec.model.startswith(LOCAL_DIR) or Path(spec.model).expanduser().is_dir():
            folder = local_dir(
                spec.model,
                "config.json",
                "a timm model folder (config.json with `architecture`, and model.safetensors)",
            )
            try:
                model = timm.create_model(f"{LOCAL_DIR}{folder}", pretrained=True, **kwargs)
            except (OSError, RuntimeError) as exc:
                raise ModelNotFoundError(
                    f"Expected {str(folder)!r} to be a timm model folder (config.json and "
                    f"model.safetensors or pytorch_model.bin), but loading failed: {exc}"
                ) from exc
        else:
            if spec.pretrained is None:
                raise ModelNotFoundError(
                    f"Expected `pretrained` to be a checkpoint file for the timm architecture "
                    f"{spec.model!r}, but got None (svgkit never downloads weights)"
                )
            ckpt = checkpoint_file(spec.pretrained, "a timm checkpoint file")
            if spec.model not in timm.list_models():
                raise ModelNotFoundError(
                    f"Expected `model` to be a timm architecture (timm.list_models()) or a model "
                    f"folder, but got {spec.model!r}"
                )
            size = kwargs.setdefault("img_size", 224)
            overlay = {**DINO_DATA_CFG, "file": ckpt, "num_classes": 0}
            side = size if isinstance(size, int) else int(size[0])
            overlay["input_size"] = (3, side, side)
            model = timm.create_model(
                spec.model, pretrained=True, pretrained_cfg_overlay=overlay, **kwargs
            )
        self.model: Any = model.to(device).eval()
        data_cfg = tdata.resolve_model_data_config(self.model)
        self.transform: Any = tdata.create_transform(**data_cfg, is_training=False)
        self.prefix = int(getattr(self.model, "num_prefix_tokens", 1))
        side = int(data_cfg["input_size"][-1])
        self.input_size = (side, side)

    def preprocess(self, images: Sequence[Any]) -> Any:
        import torch

        return torch.stack([self.transform(im) for im in images])

    def forward_images(self, batch: Any) -> Any:
        return _pool_tokens(self.model.forward_features(batch), self.spec.pooling, self.prefix)


def load_encoder(spec: EncoderSpec) -> Encoder:
    """Load the model ``spec`` names, on ``spec.device`` or this process's device."""
    device = spec.device or process_device()
    classes: dict[tuple[str, str], Callable[[EncoderSpec, str], Encoder]] = {
        ("text_image", "open_clip"): OpenClipEncoder,
        ("text_image", "transformers"): HFTextImageEncoder,
        ("image", "transformers"): HFImageEncoder,
        ("image", "timm"): TimmImageEncoder,
    }
    cls = classes.get((spec.kind, spec.backend))
    if cls is None:
        raise ValueError(f"Expected a resolved backend for {spec.kind}, but got {spec.backend!r}")
    return cls(spec, device)
