"""Neural reward terms: CLIP / SigLIP text–image and DINOv2 image–image similarity.

Models load from local files only (open_clip checkpoint files and folders, transformers
directories, the local Hugging Face cache, timm folders and checkpoint files), lazily, once per
process, on ``cuda:$LOCAL_RANK`` or the CPU. Install with ``pip install 'svgkit[neural]'``;
importing this package does not import torch.

Examples
--------
>>> import subprocess, sys
>>> code = "import sys, svgkit_rewards.neural.terms; print('torch' in sys.modules)"
>>> subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split()
['False']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "EncoderSpec": "_loading",
    "ImageImageTerm": "terms",
    "ModelNotFoundError": "_loading",
    "TextImageTerm": "terms",
    "clear_encoders": "_loading",
    "get_encoder": "_loading",
    "loaded_encoders": "_loading",
    "process_device": "_loading",
    "score_in_chunks": "_batching",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from ._batching import score_in_chunks as score_in_chunks
    from ._loading import EncoderSpec as EncoderSpec
    from ._loading import ModelNotFoundError as ModelNotFoundError
    from ._loading import clear_encoders as clear_encoders
    from ._loading import get_encoder as get_encoder
    from ._loading import loaded_encoders as loaded_encoders
    from ._loading import process_device as process_device
    from .terms import ImageImageTerm as ImageImageTerm
    from .terms import TextImageTerm as TextImageTerm


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'svgkit_rewards.neural' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
