"""Plumbing the framework adapters share: prompts and dataset columns → Sample fields, cached
engines, rows of floats. Light on purpose: the standard library only at import time."""

from __future__ import annotations

import inspect
import json
import math
import re
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..functional._common import is_sequence as _is_sequence
from ..functional._common import prompt_text as _prompt_text

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import RewardEngine
    from ..sample import RewardResult

#: Dataset columns / extra-info keys that map onto :class:`~svgkit_rewards.Sample` fields, in
#: order of preference.
_IMAGE_KEYS = ("reference_image", "image")
_SVG_KEYS = ("reference_svg", "svg", "solution")
# A `caption` (the bare text a templated prompt is about) is what text-image terms and the
# compositional checks read, so it wins over the prompt.
_PROMPT_KEYS = ("caption", "prompt")


def _looks_like_svg(text: str) -> bool:
    return "<svg" in text.lower()


def _split_reference(value: Any) -> dict[str, Any]:
    """Sample fields from one ground truth / label.

    A string that contains ``<svg`` is a reference SVG; any other non-empty string is the text
    prompt; a mapping (or a JSON object string) is read by key (``prompt``,
    ``reference_svg``/``svg``/``solution``, ``reference_image``/``image``, ``spec``,
    ``finish_reason``); its other keys are dropped.

    Examples
    --------
    >>> _split_reference("<svg viewBox='0 0 1 1'/>")
    {'reference_svg': "<svg viewBox='0 0 1 1'/>"}
    >>> _split_reference("a red dot")
    {'prompt': 'a red dot'}
    """
    if value is None:
        return {}
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        if not value.strip():
            return {}
        if value.lstrip().startswith("{"):
            parsed = _as_spec(value)  # a JSON object: read by key
            if parsed is not None:
                return _split_reference(parsed)
        return {"reference_svg": value} if _looks_like_svg(value) else {"prompt": value}
    if isinstance(value, Mapping):
        fields, _rest = _fields_from_mapping(value)
        return fields
    return {}


def _fields_from_mapping(info: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a per-example mapping (verl ``extra_info``, a dict ground truth) into
    :class:`Sample` fields and everything else (which becomes metadata)."""
    fields: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    used: set[str] = set()
    for key in _PROMPT_KEYS:
        if key in info and info[key] is not None:
            text = _prompt_text(info[key])
            if text:
                fields["prompt"] = text
            used.add(key)
            break
    for key in _SVG_KEYS:
        if isinstance(info.get(key), str) and info[key].strip():
            fields["reference_svg"] = info[key]
            used.add(key)
            break
    for key in _IMAGE_KEYS:
        if info.get(key) is not None:
            fields["reference_image"] = info[key]
            used.add(key)
            break
    spec = info.get("spec")
    if spec is not None:
        parsed = _as_spec(spec)
        if parsed is not None:
            fields["spec"] = parsed
            used.add("spec")
    if isinstance(info.get("finish_reason"), str):
        fields["finish_reason"] = info["finish_reason"]
        used.add("finish_reason")
    meta = info.get("metadata")
    if isinstance(meta, Mapping):
        rest.update(meta)
        used.add("metadata")
    for key, value in info.items():
        if key not in used:
            rest[str(key)] = value
    return fields, rest


def _as_spec(value: Any) -> Mapping[str, Any] | None:
    """A spec as a mapping: a mapping as is, a JSON object string parsed, else ``None``."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def _plain(value: Any) -> Any:
    """Nested mappings and sequences as plain dicts and lists (OmegaConf containers from a Hydra
    config included), so that configs can be copied, compared and hashed."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if _is_sequence(value):
        return [_plain(v) for v in value]
    return value


#: Settings that score on a Ray actor pool (:class:`svgkit_rewards.cluster.RayRewardPool`)
#: instead of an engine in this process: ``ray_actors`` (how many; the switch), ``ray_gpus``
#: (per actor) and ``ray_address`` (when Ray is not initialised yet).
_POOL_OPTIONS = ("ray_actors", "ray_gpus", "ray_address")


def _engine_option_names() -> tuple[str, ...]:
    """The :class:`~svgkit_rewards.RewardEngine` settings a caller may pass by keyword, and the
    Ray pool's (:data:`_POOL_OPTIONS`)."""
    from svgkit_rewards.engine import RewardEngine

    params = inspect.signature(RewardEngine.__init__).parameters
    return (*(name for name in params if name not in ("self", "reward")), *_POOL_OPTIONS)


def _build_scorer(config: Any, options: Mapping[str, Any]) -> Any:
    """A :class:`~svgkit_rewards.RewardEngine` for ``(config, options)``, or a
    :class:`~svgkit_rewards.cluster.RayRewardPool` when ``options`` has ``ray_actors``."""
    from svgkit_rewards.engine import RewardEngine

    engine_options = {k: v for k, v in options.items() if k not in _POOL_OPTIONS}
    actors = options.get("ray_actors")
    if actors is None:
        return RewardEngine.from_config(config, **engine_options)
    if isinstance(actors, bool) or not isinstance(actors, int) or actors < 1:
        raise ValueError(f"Expected `ray_actors` to be a positive integer, but got {actors!r}")
    from svgkit_rewards.cluster.pool import RayRewardPool

    return RayRewardPool(config, num_actors=actors, num_gpus=float(options.get("ray_gpus", 0.0)),
                         address=options.get("ray_address"), **engine_options)


def _cache_key(config: Any, options: Mapping[str, Any]) -> str:
    """A stable key for one (config, engine options) pair."""
    return json.dumps([_plain(config), _plain(dict(options))], sort_keys=True, default=repr)


def _cached_engine(
    cache: dict[str, RewardEngine],
    lock: threading.Lock,
    config: Any,
    options: Mapping[str, Any],
) -> RewardEngine:
    """The engine for ``(config, options)`` from ``cache``, built on first use (thread-safe:
    verl and OpenRLHF call reward functions from several threads at once)."""
    key = _cache_key(config, options)
    with lock:
        engine = cache.get(key)
        if engine is None:
            cfg = _plain(config) if isinstance(config, Mapping) else config
            engine = _build_scorer(cfg, options)
            cache[key] = engine
        return engine


#: Keys of the per-sample dicts the verl and OpenRLHF adapters add beside the components.
_RESERVED = ("score", "valid")


def _component_key(name: str) -> str:
    return f"svgkit_{name}" if name in _RESERVED else name


def _row_keys(names: Sequence[str]) -> list[str]:
    """The keys of :func:`_numeric_row`'s dicts, in order."""
    return ["score", *(_component_key(n) for n in names), "valid"]


def _numeric_row(
    result: RewardResult, names: tuple[str, ...], floor: float, missing: float
) -> dict[str, float]:
    """One result as floats only, with the same keys for every sample: ``score`` (``None``
    becomes the engine's ``floor``), every component (``None`` becomes ``missing``), and
    ``valid`` (1.0 when the completion had a usable drawing, i.e. it was not floored for a
    failure code)."""
    score = result.score if result.score is not None else floor
    row: dict[str, float] = {"score": float(score)}
    for name in names:
        value = result.components.get(name)
        if value is None or not math.isfinite(value):
            value = missing
        row[_component_key(name)] = float(value)
    row["valid"] = 0.0 if "FLOOR" in result.diagnostics.flags else 1.0
    return row


# Trailing special tokens a decoded query may end with (EOS, end of turn, padding).
_END_TOKENS = (
    "<|im_end|>",
    "<|endoftext|>",
    "<|end_of_text|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|end|>",
    "<end_of_turn>",
    "<eos>",
    "</s>",
    "<|pad|>",
    "<pad>",
    "<|im_start|>",
)
def _strip_trailing_special(text: str) -> str:
    """``text`` without the end-of-turn, end-of-text and padding tokens (and whitespace) that
    trail it.

    Examples
    --------
    >>> _strip_trailing_special("<svg/></answer><|im_end|>\\n<|endoftext|><pad><pad>")
    '<svg/></answer>'
    """
    end = len(text)
    while True:
        stripped = text[:end].rstrip()
        end = len(stripped)
        token = next((t for t in _END_TOKENS if stripped.endswith(t)), None)
        if token is None:
            return stripped
        end -= len(token)


# The last user turn of a chat-templated prompt, for the common templates.
_USER_TURN = (
    re.compile(r"<\|im_start\|>user\s*\n?(.*?)<\|im_end\|>", re.S),  # ChatML (Qwen, …)
    re.compile(r"<\|start_header_id\|>user<\|end_header_id\|>\s*(.*?)<\|eot_id\|>", re.S),
    re.compile(r"<start_of_turn>user\s*\n?(.*?)<end_of_turn>", re.S),  # Gemma
    re.compile(r"<\|user\|>\s*\n?(.*?)<\|end\|>", re.S),  # Phi
    re.compile(r"\[INST\](.*?)\[/INST\]", re.S),  # Mistral / Llama 2
)
_SPECIAL = re.compile(r"<\|[^|<>]{1,40}\|>|<s>|</s>|<pad>|<eos>|<bos>")


def _user_text(templated: str) -> str:
    """The text of the last user turn of a chat-templated prompt; a prompt in no known
    template loses its special tokens only.

    Examples
    --------
    >>> _user_text("<|im_start|>system\\nBe brief.<|im_end|>\\n"
    ...            "<|im_start|>user\\na red dot<|im_end|>\\n<|im_start|>assistant\\n")
    'a red dot'
    """
    for pattern in _USER_TURN:
        found = pattern.findall(templated)
        if found:
            return str(found[-1]).strip()
    return _SPECIAL.sub("", templated).strip()
