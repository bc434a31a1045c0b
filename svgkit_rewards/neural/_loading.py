"""Where the neural terms' models come from: local files only, resolved once per process.

A model is named by an :class:`EncoderSpec` (small, frozen, picklable: terms carry it into
worker processes and trainers). :func:`get_encoder` turns a spec into a loaded encoder the first
time it is asked for in a process and returns the same object afterwards. Nothing here imports
torch, open_clip, transformers or timm at module level.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from .encoders import Encoder

__all__ = [
    "IMAGE_BACKENDS",
    "POOLINGS",
    "PRECISIONS",
    "TEXT_IMAGE_BACKENDS",
    "EncoderSpec",
    "ModelNotFoundError",
    "clear_encoders",
    "get_encoder",
    "loaded_encoders",
    "make_spec",
    "process_device",
    "render_side",
    "resolve_backend",
]

#: Backends of the text–image terms.
TEXT_IMAGE_BACKENDS: tuple[str, ...] = ("auto", "open_clip", "transformers")
#: Backends of the image–image terms.
IMAGE_BACKENDS: tuple[str, ...] = ("auto", "transformers", "timm")
#: ``"auto"``: bf16 (fp16 without bf16 support) autocast on CUDA, fp32 on CPU.
PRECISIONS: tuple[str, ...] = ("auto", "fp32", "fp16", "bf16")
#: Image–image feature pooling: the CLS token, the mean of every token (StarVector's
#: ``last_hidden_state.mean(dim=1)``), or the mean of the patch tokens only.
POOLINGS: tuple[str, ...] = ("cls", "mean", "patch")

_CHECKPOINT_SUFFIXES = (".bin", ".pt", ".pth", ".safetensors", ".ckpt")
LOCAL_DIR = "local-dir:"


class ModelNotFoundError(FileNotFoundError):
    """A model the configuration names is not where it says, or not what it should be there.

    The message names the path and what was expected there; svgkit never downloads a model.

    Examples
    --------
    >>> issubclass(ModelNotFoundError, FileNotFoundError)
    True
    """


@dataclass(frozen=True)
class EncoderSpec:
    """Which model to load and how (everything that makes two encoders different).

    Parameters
    ----------
    kind
        ``"text_image"`` (CLIP, SigLIP) or ``"image"`` (DINOv2).
    backend
        ``"open_clip"``, ``"transformers"`` or ``"timm"`` (``"auto"`` is resolved by
        :func:`resolve_backend` before a spec is built).
    model
        An open_clip architecture name, ``"local-dir:<folder>"``, a local directory, a timm
        architecture name, or a Hugging Face hub id looked up in the local cache only.
    pretrained
        A checkpoint file (open_clip, timm).
    tokenizer
        A local tokenizer directory overriding the model's own (open_clip models whose tokenizer
        lives on the hub, such as SigLIP).
    max_length
        Text padding length (``None``: the model's context length).
    pooling
        Image–image features: ``"cls"``, ``"mean"`` (every token) or ``"patch"`` (patch
        tokens only).
    precision
        One of :data:`PRECISIONS`.
    device
        ``None`` for :func:`process_device`.
    model_kwargs
        Extra architecture arguments (timm), as sorted ``(key, value)`` pairs.
    """

    kind: Literal["text_image", "image"]
    backend: str
    model: str
    pretrained: str | None = None
    tokenizer: str | None = None
    max_length: int | None = None
    pooling: str = "cls"
    precision: str = "auto"
    device: str | None = None
    model_kwargs: tuple[tuple[str, Any], ...] = ()


def process_device() -> str:
    """The device this process's models run on: ``cuda:<LOCAL_RANK>`` (``LOCAL_RANK``
    defaulting to 0) when CUDA is available, else ``cpu``.

    Examples
    --------
    >>> process_device() in ("cpu",) or process_device().startswith("cuda:")
    True
    """
    import torch

    if not torch.cuda.is_available():
        return "cpu"
    rank = os.environ.get("LOCAL_RANK", "0").strip() or "0"
    try:
        index = int(rank)
    except ValueError:
        raise ValueError(
            f"Expected `LOCAL_RANK` to be a non-negative int, but got {rank!r}"
        ) from None
    return f"cuda:{index % max(1, torch.cuda.device_count())}"


def _is_hub_id(model: str) -> bool:
    parts = model.split("/")
    return (
        len(parts) == 2
        and all(parts)
        and not model.startswith((".", "~"))
        and not Path(model).exists()
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(
            f"Expected {str(path)!r} to be a readable JSON config, but reading it failed: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise ModelNotFoundError(f"Expected {str(path)!r} to hold a JSON object")
    return data


def resolve_backend(
    kind: Literal["text_image", "image"], model: str, pretrained: str | None, backend: str
) -> str:
    """The backend that loads ``model``: the one given, or the one its files call for.

    ``auto`` picks ``open_clip`` (text–image) or ``timm`` (image) when ``pretrained`` names a
    checkpoint file or ``model`` is ``"local-dir:<folder>"`` (or a folder holding
    ``open_clip_config.json``, or a ``config.json`` with an ``architecture`` key: timm's
    layout); ``transformers`` for a folder with a ``config.json`` of ``model_type`` or a hub id.

    Raises
    ------
    ValueError
        For an unknown backend.
    ModelNotFoundError
        When ``model`` is neither a folder, a hub id, nor an architecture with a checkpoint.

    Examples
    --------
    >>> resolve_backend("text_image", "ViT-B-32", "/models/clip.safetensors", "auto")
    'open_clip'
    >>> resolve_backend("image", "facebook/dinov2-small", None, "auto")
    'transformers'
    """
    allowed = TEXT_IMAGE_BACKENDS if kind == "text_image" else IMAGE_BACKENDS
    if backend not in allowed:
        raise ValueError(
            f"Expected `backend` to be one of {', '.join(allowed)}, but got {backend!r}"
        )
    if not isinstance(model, str) or not model:
        raise ValueError(f"Expected `model` to be a non-empty str, but got {model!r}")
    if backend != "auto":
        return backend
    own = "open_clip" if kind == "text_image" else "timm"
    if pretrained is not None or model.startswith(LOCAL_DIR):
        return own
    path = Path(model).expanduser()
    if path.is_dir():
        if (path / "open_clip_config.json").is_file():
            return own if kind == "text_image" else "transformers"
        config = path / "config.json"
        if config.is_file():
            if kind == "image" and "architecture" in _read_json(config):
                return "timm"
            return "transformers"
        raise ModelNotFoundError(
            f"Expected {model!r} to be a model directory with config.json (transformers, timm) "
            "or open_clip_config.json (open_clip), but it has neither"
        )
    if _is_hub_id(model):
        return "transformers"
    raise ModelNotFoundError(
        f"Expected `model` to be a local model directory, a Hugging Face hub id in the local "
        f"cache, or an architecture name together with `pretrained=<checkpoint file>`, but got "
        f"{model!r}, which is none of them"
    )


_ENCODERS: dict[EncoderSpec, Encoder] = {}
_LOCK = threading.Lock()
#: How many encoders this process has loaded (tests check loads are lazy and single).
LOADS: dict[str, int] = {"count": 0}


def get_encoder(spec: EncoderSpec) -> Encoder:
    """The loaded encoder of ``spec`` in this process (loaded on the first call).

    Raises
    ------
    ModelNotFoundError
        When the files are missing or not what the backend expects.
    """
    found = _ENCODERS.get(spec)
    if found is not None:
        return found
    with _LOCK:
        found = _ENCODERS.get(spec)
        if found is None:
            from .encoders import load_encoder

            found = load_encoder(spec)
            _ENCODERS[spec] = found
            LOADS["count"] += 1
        return found


def loaded_encoders() -> dict[EncoderSpec, Encoder]:
    """The encoders loaded in this process so far, by spec (a copy)."""
    return dict(_ENCODERS)


def clear_encoders() -> None:
    """Forget every loaded encoder (the next :func:`get_encoder` loads again)."""
    with _LOCK:
        _ENCODERS.clear()


def checkpoint_file(value: str, what: str) -> str:
    """``value`` as an existing checkpoint file, or a :class:`ModelNotFoundError`."""
    path = Path(value).expanduser()
    if not path.is_file():
        raise ModelNotFoundError(
            f"Expected `pretrained` to be {what} ({'/'.join(_CHECKPOINT_SUFFIXES)}), but "
            f"{value!r} is not a file (svgkit loads local files only; a pretrained tag would "
            "be a download)"
        )
    return str(path)


def local_dir(value: str, marker: str, what: str) -> Path:
    """``value`` (with or without ``local-dir:``) as a directory holding ``marker``."""
    raw = value[len(LOCAL_DIR) :] if value.startswith(LOCAL_DIR) else value
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise ModelNotFoundError(f"Expected {raw!r} to be {what}, but it is not a directory")
    if not (path / marker).is_file():
        raise ModelNotFoundError(f"Expected {raw!r} to be {what}, but it has no {marker}")
    return path


def _side(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, (list, tuple)) and value and isinstance(value[-1], int):
        return int(value[-1])
    if isinstance(value, dict):
        for key in ("shortest_edge", "height", "width"):
            if isinstance(value.get(key), int):
                return int(value[key])
    return None


def _hf_processor_side(folder: Path) -> int | None:
    for name in ("preprocessor_config.json", "processor_config.json"):
        path = folder / name
        if not path.is_file():
            continue
        cfg = _read_json(path)
        cfg = cfg.get("image_processor", cfg)
        if isinstance(cfg.get("max_num_patches"), int) and isinstance(cfg.get("patch_size"), int):
            return int(cfg["patch_size"]) * int(int(cfg["max_num_patches"]) ** 0.5)
        if cfg.get("do_resize", True):
            side = _side(cfg.get("size"))
            if side:
                return side
        side = _side(cfg.get("crop_size"))
        if side:
            return side
    config = folder / "config.json"
    if config.is_file():
        cfg = _read_json(config)
        vision = cfg.get("vision_config", cfg)
        return _side(vision.get("image_size")) if isinstance(vision, dict) else None
    return None


def _hub_folder(model: str) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - transformers brings it
        return None
    found = try_to_load_from_cache(model, "config.json")
    return Path(found).parent if isinstance(found, str) else None


def render_side(spec: EncoderSpec) -> int:
    """The side of the square render that feeds ``spec``'s preprocessing without a resampling
    step of svgkit's own: the size the model's processor resizes to (its shortest edge), read
    from config files only (no model is loaded); 224 when the files do not say.

    Examples
    --------
    >>> render_side(EncoderSpec("image", "timm", "vit_small_patch14_dinov2", "/w.safetensors"))
    224
    """
    model = spec.model
    side: int | None = None
    if spec.backend == "open_clip":
        if model.startswith(LOCAL_DIR):
            folder = Path(model[len(LOCAL_DIR) :]).expanduser()
            path = folder / "open_clip_config.json"
            if path.is_file():
                cfg = _read_json(path)
                pre = cfg.get("preprocess_cfg", {})
                side = _side(pre.get("size")) or _side(
                    cfg.get("model_cfg", {}).get("vision_cfg", {}).get("image_size")
                )
        else:
            import open_clip

            cfg = open_clip.get_model_config(model) or {}
            side = _side(cfg.get("vision_cfg", {}).get("image_size"))
    elif spec.backend == "transformers":
        folder = Path(model).expanduser()
        if not folder.is_dir():
            folder = _hub_folder(model) or folder
        if folder.is_dir():
            side = _hf_processor_side(folder)
    elif spec.backend == "timm":
        kwargs = dict(spec.model_kwargs)
        raw = model[len(LOCAL_DIR) :] if model.startswith(LOCAL_DIR) else model
        path = Path(raw).expanduser() / "config.json"
        if path.is_file():
            cfg = _read_json(path)
            pre = cfg.get("pretrained_cfg", {})
            inner = _side(kwargs.get("img_size")) or _side(pre.get("input_size"))
            crop = float(pre.get("crop_pct", 1.0) or 1.0)
            side = int(inner / crop) if inner else None
        else:
            side = _side(kwargs.get("img_size")) or 224
    return side or 224


def make_spec(
    kind: Literal["text_image", "image"],
    model: str,
    *,
    backend: str = "auto",
    pretrained: str | None = None,
    tokenizer: str | None = None,
    max_length: int | None = None,
    pooling: str = "cls",
    precision: str = "auto",
    device: str | None = None,
    model_kwargs: dict[str, Any] | None = None,
) -> EncoderSpec:
    """Check the settings of a model and build its :class:`EncoderSpec` (``auto`` resolved;
    a checkpoint file or model folder that is not there raises :class:`ModelNotFoundError`
    now, not at the first batch).

    Examples
    --------
    >>> make_spec("image", "vit_small_patch14_dinov2", pretrained="/no/such.safetensors")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    svgkit_rewards.neural._loading.ModelNotFoundError: Expected `pretrained` to be a timm ...
    """
    resolved = resolve_backend(kind, model, pretrained, backend)
    if pretrained is not None:
        if not isinstance(pretrained, (str, os.PathLike)):
            raise ValueError(f"Expected `pretrained` to be a file path, but got {pretrained!r}")
        what = {"open_clip": "an open_clip checkpoint file", "timm": "a timm checkpoint file"}
        if resolved not in what:
            raise ValueError(
                f"Expected no `pretrained` file for the {resolved} backend (the weights live in "
                f"the model directory), but got {pretrained!r}"
            )
        pretrained = checkpoint_file(os.fspath(pretrained), what[resolved])
    if model.startswith(LOCAL_DIR):
        marker = "open_clip_config.json" if resolved == "open_clip" else "config.json"
        local_dir(model, marker, f"a {resolved} model folder with {marker}")
    if tokenizer is not None and not Path(tokenizer).expanduser().is_dir():
        raise ModelNotFoundError(
            "Expected `tokenizer` to be a local tokenizer directory (tokenizer_config.json and "
            f"its vocabulary), but {tokenizer!r} is not a directory"
        )
    if max_length is not None and (
        not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1
    ):
        raise ValueError(f"Expected `max_length` to be a positive int, but got {max_length!r}")
    if pooling not in POOLINGS:
        raise ValueError(
            f"Expected `pooling` to be one of {', '.join(POOLINGS)}, but got {pooling!r}"
        )
    if precision not in PRECISIONS:
        raise ValueError(
            f"Expected `precision` to be one of {', '.join(PRECISIONS)}, but got {precision!r}"
        )
    if device is not None and not isinstance(device, str):
        raise ValueError(f"Expected `device` to be a str such as 'cuda:0', but got {device!r}")
    return EncoderSpec(
        kind=kind,
        backend=resolved,
        model=model,
        pretrained=pretrained,
        tokenizer=tokenizer,
        max_length=max_length,
        pooling=pooling,
        precision=precision,
        device=device,
        model_kwargs=tuple(sorted((model_kwargs or {}).items())),
    )
