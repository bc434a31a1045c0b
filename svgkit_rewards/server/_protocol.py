"""Request bodies → :class:`~svgkit_rewards.Sample` lists, and results → response bodies.

Pure functions, no HTTP: every fault of the request itself raises :class:`RequestError` with
the status and a message that names the offending field. Nothing here reads a file: a reference
image arrives as base64 image data (never a path), a reference SVG as text.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..adapters._common import _numeric_row, _row_keys, _split_reference, _user_text
from ..adapters.openrlhf import split_query
from ..sample import RewardResult, Sample

__all__ = ["RequestError", "decode_image", "native_response", "openrlhf_response",
           "parse_json", "parse_native", "parse_openrlhf"]

#: Image formats a reference image may be sent in.
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")
_SAMPLE_KEYS = frozenset(
    {"completion", "prompt", "reference_image", "reference_svg", "spec", "finish_reason",
     "metadata"}
)


class RequestError(Exception):
    """A fault of the request itself (answered with ``status`` and a JSON error body).

    Attributes
    ----------
    status : int
        HTTP status: 400 (unreadable body), 413 (too large), 422 (readable but wrong).
    code : str
        Short machine-readable reason (``BAD_JSON``, ``BAD_ENCODING``, ``TOO_LARGE``,
        ``INVALID``, ``TOO_MANY_SAMPLES``, ``BAD_IMAGE``, ``BAD_SPEC``).
    message : str
        What was wrong, naming the field.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return {"error": {"code": self.code, "message": self.message}}


def _invalid(message: str) -> RequestError:
    return RequestError(422, "INVALID", message)


def parse_json(raw: bytes) -> Any:
    """The JSON value of a request body (UTF-8; NaN and infinities refused).

    Examples
    --------
    >>> parse_json(b'{"a": [1, 2]}')
    {'a': [1, 2]}
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(400, "BAD_ENCODING", f"the body is not UTF-8 ({exc.reason} at byte "
                           f"{exc.start})") from None

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        return json.loads(text, parse_constant=no_constant)
    except RecursionError:
        raise RequestError(400, "BAD_JSON", "the body nests too deeply") from None
    except ValueError as exc:
        raise RequestError(400, "BAD_JSON", f"the body is not valid JSON: {exc}") from None


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(f"Expected {what} to be a JSON object, but got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _text_or_none(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _invalid(f"Expected {what} to be a string or null, but got {_kind(value)}")


def _check_count(n: int, max_samples: int) -> None:
    if n > max_samples:
        raise RequestError(
            413, "TOO_MANY_SAMPLES",
            f"the request has {n} samples; this server takes at most {max_samples} per request "
            "(split it)",
        )


def decode_image(value: Any, what: str, max_pixels: int) -> Any:
    """A reference image sent as base64 (optionally a ``data:image/...;base64,`` URI) → an
    ``(H, W, C)`` uint8 array. Never a path: a string that is not base64 image data is an error.

    Examples
    --------
    >>> import numpy as np
    >>> from PIL import Image
    >>> buf = io.BytesIO(); Image.new("RGB", (3, 2), "red").save(buf, "PNG")
    >>> decode_image(base64.b64encode(buf.getvalue()).decode(), "image", 100).shape
    (2, 3, 3)
    """
    import numpy as np
    from PIL import Image

    if not isinstance(value, str):
        raise RequestError(422, "BAD_IMAGE", f"Expected {what} to be base64 image data (a "
                           f"string), but got {_kind(value)}")
    data = value.strip()
    if data.startswith("data:"):
        head, sep, data = data.partition(",")
        if not sep or ";base64" not in head:
            raise RequestError(422, "BAD_IMAGE", f"{what}: a data URI must be base64-encoded")
    try:
        blob = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise RequestError(422, "BAD_IMAGE", f"{what} is not base64 image data (file paths and "
                           "URLs are not read)") from None
    try:
        with Image.open(io.BytesIO(blob), formats=IMAGE_FORMATS) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise RequestError(422, "BAD_IMAGE", f"{what} is {width}×{height} pixels; the "
                                   f"limit is {max_pixels} pixels")
            mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
            array = np.asarray(image.convert(mode), dtype=np.uint8)
    except RequestError:
        raise
    except Exception as exc:  # PIL's errors for unreadable data are many and unclassified
        raise RequestError(422, "BAD_IMAGE", f"{what} is not a readable PNG, JPEG or WebP "
                           f"image ({type(exc).__name__})") from None
    return array


def _spec(value: Any, what: str) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RequestError(422, "BAD_SPEC", f"Expected {what} to be an object, but got "
                           f"{_kind(value)}")
    from ..functional.composition_specs import SpecError, parse_spec

    try:
        parse_spec(value)
    except (SpecError, ValueError, TypeError) as exc:
        raise RequestError(422, "BAD_SPEC", f"{what}: {exc}") from None
    return value


def _native_sample(item: Any, i: int, max_pixels: int) -> Sample:
    where = f"samples[{i}]"
    if isinstance(item, str):
        return Sample(item)
    entry = _object(item, where)
    unknown = sorted(set(entry) - _SAMPLE_KEYS)
    if unknown:
        raise _invalid(f"{where} has unknown keys {unknown}; expected some of "
                       f"{sorted(_SAMPLE_KEYS)}")
    completion = entry.get("completion")
    if not isinstance(completion, str):
        raise _invalid(f"Expected {where}.completion to be a string, but got {_kind(completion)}")
    image = entry.get("reference_image")
    metadata = entry.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise _invalid(f"Expected {where}.metadata to be an object, but got {_kind(metadata)}")
    return Sample(
        completion,
        prompt=_text_or_none(entry.get("prompt"), f"{where}.prompt"),
        reference_image=None if image is None else decode_image(
            image, f"{where}.reference_image", max_pixels),
        reference_svg=_text_or_none(entry.get("reference_svg"), f"{where}.reference_svg"),
        spec=_spec(entry.get("spec"), f"{where}.spec"),
        metadata=metadata or {},
        finish_reason=_text_or_none(entry.get("finish_reason"), f"{where}.finish_reason"),
    )


def parse_native(body: Any, *, max_samples: int, max_pixels: int) -> list[Sample]:
    """Samples of a native request: ``{"samples": [<completion string> | {"completion", "prompt",
    "reference_image", "reference_svg", "spec", "finish_reason", "metadata"}, ...]}``.

    Examples
    --------
    >>> [s.prompt for s in parse_native({"samples": ["<svg/>", {"completion": "x",
    ...     "prompt": "a dot"}]}, max_samples=8, max_pixels=100)]
    [None, 'a dot']
    """
    entry = _object(body, "the body")
    unknown = sorted(set(entry) - {"samples"})
    if unknown:
        raise _invalid(f"the body has unknown keys {unknown}; expected 'samples'")
    samples = entry.get("samples")
    if not isinstance(samples, list):
        raise _invalid(f"Expected 'samples' to be an array, but got {_kind(samples)}")
    _check_count(len(samples), max_samples)
    return [_native_sample(item, i, max_pixels) for i, item in enumerate(samples)]


def _strings(body: Mapping[str, Any], key: str, n: int | None) -> list[Any] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise _invalid(f"Expected '{key}' to be an array, but got {_kind(value)}")
    if n is not None and len(value) != n:
        raise _invalid(f"Expected one entry of '{key}' per query ({n}), but got {len(value)}")
    return value


def parse_openrlhf(
    body: Any, *, max_samples: int, max_pixels: int
) -> tuple[list[Sample], list[float]]:
    """Samples of an OpenRLHF remote-reward request ``{"query", "prompts", "labels"}`` (queries
    are prompt + response decoded together; the prompt is stripped as
    :func:`svgkit_rewards.adapters.openrlhf.split_query` does), and for each query 1.0 when its
    prompt was not found in it.

    Examples
    --------
    >>> samples, missing = parse_openrlhf({"query": ["P: a dot <svg/>"], "prompts": ["P: a dot "],
    ...     "labels": ["a dot"]}, max_samples=8, max_pixels=100)
    >>> samples[0].completion, samples[0].prompt, missing
    ('<svg/>', 'a dot', [0.0])
    """
    entry = _object(body, "the body")
    queries = _strings(entry, "query", None)
    if queries is None:
        raise _invalid("Expected 'query' (an array of prompt + response strings)")
    n = len(queries)
    _check_count(n, max_samples)
    prompts = _strings(entry, "prompts", n) or [None] * n
    labels = _strings(entry, "labels", n) or [None] * n
    samples: list[Sample] = []
    not_found: list[float] = []
    for i, (query, prompt, label) in enumerate(zip(queries, prompts, labels)):
        if not isinstance(query, str):
            raise _invalid(f"Expected query[{i}] to be a string, but got {_kind(query)}")
        prompt = _text_or_none(prompt, f"prompts[{i}]")
        if label is not None and not isinstance(label, (str, dict)):
            raise _invalid(f"Expected labels[{i}] to be a string, an object or null, but got "
                           f"{_kind(label)}")
        response, found = split_query(query, prompt)
        not_found.append(0.0 if found else 1.0)
        fields = _split_reference(label)
        if "reference_image" in fields:  # base64 only: a label never names a file to read
            fields["reference_image"] = decode_image(
                fields["reference_image"], f"labels[{i}].image", max_pixels)
        if "spec" in fields:
            fields["spec"] = _spec(fields["spec"], f"labels[{i}].spec")
        if "prompt" not in fields and prompt:
            fields["prompt"] = _user_text(prompt)
        samples.append(Sample(response, **fields))
    return samples, not_found


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def native_response(
    results: Sequence[RewardResult], names: Sequence[str], floor: float
) -> dict[str, Any]:
    """``{"results": [{"score", "components", "diagnostics"}], "names", "floor"}``."""
    out = []
    for r in results:
        item = r.to_dict()
        item["score"] = _finite(r.score)
        item["components"] = {k: _finite(v) for k, v in r.components.items()}
        out.append(item)
    return {"results": out, "names": list(names), "floor": floor}


def openrlhf_response(
    results: Sequence[RewardResult], names: tuple[str, ...], floor: float,
    not_found: Sequence[float],
) -> dict[str, Any]:
    """OpenRLHF's reply: ``rewards`` and ``scores`` (the same values; OpenRLHF's dynamic
    filtering reads ``scores``) and ``extra_logs`` (``svgkit/<component>``, ``svgkit/valid``,
    ``svgkit/prompt_not_found``, one float per query; 0.0 where a component does not apply),
    as the in-process :func:`svgkit_rewards.adapters.openrlhf.reward_func` computes them."""
    rows = [_numeric_row(r, names, floor, 0.0) for r in results]
    keys = [k for k in _row_keys(names) if k != "score"]
    rewards = [row["score"] for row in rows]
    extra = {f"svgkit/{key}": [row[key] for row in rows] for key in keys}
    extra["svgkit/prompt_not_found"] = list(not_found)
    return {"rewards": rewards, "scores": list(rewards), "extra_logs": extra}
