"""svgkit rewards as a verl custom reward function.

verl imports this file by path (``custom_reward_function.path``) under a module name of its own,
so it uses absolute imports only. Point verl at it and name the function::

    path=$(python -c 'import svgkit_rewards.adapters.verl as m; print(m.__file__)')
    custom_reward_function.path=$path
    custom_reward_function.name=compute_score          # naive / prime reward managers
    custom_reward_function.name=compute_score_batch    # with reward_manager=batch

(newer verl nests these under ``reward.``). ``custom_reward_function.reward_kwargs`` reach both
functions as keyword arguments:

``config``
    Recipe name (``"sgp"``, default; ``"rlrf"``, ``"svgkit"``), config mapping or config file
    path (see :func:`svgkit_rewards.load_config`).
``missing``
    The value a component that does not apply (``None``) takes in the returned dict
    (default 0.0).
any :class:`~svgkit_rewards.RewardEngine` setting
    ``floor``, ``workers``, ``timeout_s``, ``in_process``, ``truncated``, … replace the config's.
``ray_actors`` (and optionally ``ray_gpus``, ``ray_address``)
    Score on a :class:`~svgkit_rewards.cluster.RayRewardPool` of that many actors, in the Ray
    cluster verl already runs in, instead of in the reward function's process.
``url`` (and optionally ``token_file``)
    Score on a reward server (``svgkit-rewards serve``) instead of in this process; the
    server's config then decides the reward, and ``config`` and engine settings must not be
    given.

Other keyword arguments (verl's reward loop adds ``reward_router_address`` and
``reward_model_tokenizer``) are ignored; an unknown one is reported once with a warning. One
engine is built per distinct set of these settings and kept for the life of the process.

Each completion's result is a dict of floats only, with the same keys for every completion —
verl stacks every key into ``reward_extra_info`` (one array per key, one entry per sample) and
averages them into its validation metrics, so a missing key or a string value would break it:

``score``
    The reward (the engine's floor where it would be ``None``).
one key per leaf component (``format``, ``length``, …)
    Its value, or ``missing`` where it does not apply. A component named ``score`` or
    ``valid`` is reported as ``svgkit_<name>``.
``valid``
    1.0 when the completion had a usable drawing, 0.0 when it scored the floor for a failure
    (no SVG, truncated, XML error, render timeout, …).

``ground_truth`` is a reference SVG when it contains ``<svg``, otherwise the text prompt; a
mapping (or a JSON object string) is read by key. ``extra_info`` may carry ``prompt`` (text or
chat messages), ``reference_svg`` (or ``svg``/``solution``), ``reference_image`` or ``image``
(an array, a PIL image or a file path), ``spec``, ``finish_reason``; its other keys and the
``data_source`` become the sample's metadata.

Examples
--------
>>> ok = "<think>a dot</think> <answer><svg><circle r='3'/></svg></answer>"
>>> row = compute_score("svg_t2i", ok, "a dot", {"index": 0}, config="sgp", in_process=True)
>>> sorted(row), row["valid"]
(['format', 'length', 'score', 'valid'], 1.0)
>>> compute_score("svg_t2i", "no svg", "a dot", None, in_process=True)["score"]
0.0
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from svgkit_rewards.adapters._common import (
    _cached_engine,
    _engine_option_names,
    _fields_from_mapping,
    _numeric_row,
    _split_reference,
)
from svgkit_rewards.client import RewardClient
from svgkit_rewards.engine import RewardEngine
from svgkit_rewards.functional._common import completion_text
from svgkit_rewards.functional._common import is_sequence as _is_sequence
from svgkit_rewards.sample import Sample

__all__ = ["compute_score", "compute_score_batch", "get_engine"]

_ENGINES: dict[str, RewardEngine] = {}
_CLIENTS: dict[tuple[str, str | None], RewardClient] = {}
_LOCK = threading.Lock()
# keyword arguments verl itself may add to the call
_VERL_KWARGS = frozenset({"reward_router_address", "reward_model_tokenizer"})
_WARNED: set[str] = set()


def _settings(kwargs: Mapping[str, Any]) -> tuple[Any, float, dict[str, Any]]:
    options = _engine_option_names()
    config = kwargs.get("config", "sgp")
    missing = kwargs.get("missing", 0.0)
    if not isinstance(missing, (int, float)) or isinstance(missing, bool):
        raise ValueError(f"Expected `missing` to be a float, but got {missing!r}")
    engine_options = {k: v for k, v in kwargs.items() if k in options}
    if "url" in kwargs and (engine_options or "config" in kwargs):
        raise ValueError(
            "Expected either `url` (a reward server, configured on the server) or `config` and "
            "engine settings, not both"
        )
    remote = {"url", "token_file"}
    for key in sorted(set(kwargs) - set(options) - {"config", "missing"} - remote
                      - _VERL_KWARGS):
        if key not in _WARNED:
            _WARNED.add(key)
            warnings.warn(
                f"svgkit verl reward: ignoring the unknown reward_kwargs key {key!r} "
                f"(expected config, missing or one of {list(options)})",
                stacklevel=3,
            )
    return config, float(missing), engine_options


def get_engine(**reward_kwargs: Any) -> RewardEngine:
    """The engine :func:`compute_score` uses for these ``reward_kwargs`` (built on first use,
    then kept).

    Examples
    --------
    >>> get_engine(config="rlrf", in_process=True).floor
    -1.0
    """
    config, _missing, options = _settings(reward_kwargs)
    return _cached_engine(_ENGINES, _LOCK, config, options)


def _client(url: str, token_file: Any) -> RewardClient:
    key = (url, None if token_file is None else str(token_file))
    with _LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = RewardClient(url, token_file=key[1])
            _CLIENTS[key] = client
        return client


def _sample(data_source: Any, solution: Any, ground_truth: Any, extra_info: Any) -> Sample:
    fields = _split_reference(ground_truth)
    metadata: dict[str, Any] = {}
    if isinstance(extra_info, Mapping):
        more, metadata = _fields_from_mapping(extra_info)
        fields.update(more)  # explicit extra_info keys win over the ground truth
    if data_source is not None:
        metadata.setdefault("data_source", data_source)
    return Sample(completion_text(solution), metadata=metadata, **fields)


def compute_score_batch(
    data_sources: Sequence[Any],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[Any] | None = None,
    **kwargs: Any,
) -> list[dict[str, float]]:
    """Score a batch, as verl's ``BatchRewardManager`` calls it.

    Parameters
    ----------
    data_sources, solution_strs, ground_truths, extra_infos
        One entry per response (``extra_infos`` may be ``None``).
    **kwargs
        ``reward_kwargs``: ``config``, ``missing`` and engine settings (see the module).

    Returns
    -------
    list[dict[str, float]]
        One dict per response: ``score``, each component, ``valid``.

    Examples
    --------
    >>> ok = "<think>a dot</think> <answer><svg><circle r='3'/></svg></answer>"
    >>> rows = compute_score_batch(["svg"] * 2, ["no svg", ok], ["a dot"] * 2, None,
    ...                            in_process=True)
    >>> [r["valid"] for r in rows]
    [0.0, 1.0]
    """
    n = len(solution_strs)
    infos: list[Any] = [None] * n if extra_infos is None else list(extra_infos)
    sources = list(data_sources) if _is_sequence(data_sources) else [data_sources] * n
    truths = list(ground_truths) if _is_sequence(ground_truths) else [ground_truths] * n
    columns = {"data_sources": sources, "ground_truths": truths, "extra_infos": infos}
    for name, values in columns.items():
        if len(values) != n:
            raise ValueError(
                f"Expected `{name}` to have one entry per response ({n}), but got {len(values)}"
            )
    config, missing, options = _settings(kwargs)
    engine: RewardEngine | RewardClient
    if kwargs.get("url") is not None:
        engine = _client(str(kwargs["url"]), kwargs.get("token_file"))
    else:
        engine = _cached_engine(_ENGINES, _LOCK, config, options)
    samples = [_sample(*item) for item in zip(sources, solution_strs, truths, infos)]
    return [_numeric_row(r, engine.names, engine.floor, missing) for r in engine.score(samples)]


def compute_score(
    data_source: Any,
    solution_str: str,
    ground_truth: Any,
    extra_info: Any = None,
    **kwargs: Any,
) -> dict[str, float]:
    """Score one response, as verl's ``NaiveRewardManager`` calls it.

    Parameters
    ----------
    data_source, solution_str, ground_truth, extra_info
        As verl passes them.
    **kwargs
        ``reward_kwargs``: ``config``, ``missing`` and engine settings (see the module).

    Returns
    -------
    dict[str, float]
        ``score``, each component, ``valid``.

    Examples
    --------
    >>> compute_score("svg", "<svg", "<svg viewBox='0 0 9 9'/>", config="rlrf",
    ...               in_process=True)["score"]
    -1.0
    """
    return compute_score_batch(
        [data_source], [solution_str], [ground_truth], [extra_info], **kwargs
    )[0]
