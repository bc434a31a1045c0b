"""svgkit rewards as an OpenRLHF reward function file.

OpenRLHF loads a reward *file* given in place of a reward-model URL (``--reward.remote_url
/path/to/file.py``; ``--remote_rm_url`` in releases before the dotted flags), by path, and
calls its ``reward_func(queries, prompts, labels)``: this module is such a file and uses absolute
imports only::

    path=$(python -c 'import svgkit_rewards.adapters.openrlhf as m; print(m.__file__)')
    python -m openrlhf.cli.train_ppo_ray ... --reward.remote_url "$path"

OpenRLHF passes no options, so the reward is configured through the environment of the
processes that call it (Ray workers: set it in ``--runtime-env-json``'s ``env_vars``):

``SVGKIT_REWARD_CONFIG``
    Recipe name (``sgp`` by default, ``rlrf``, ``svgkit``) or the path of a TOML / YAML / JSON
    config (see :func:`svgkit_rewards.load_config`).
``SVGKIT_REWARD_OPTIONS``
    Optional JSON object of :class:`~svgkit_rewards.RewardEngine` settings that replace the
    config's, e.g. ``{"workers": 4, "timeout_s": 5}``; ``{"ray_actors": 8}`` scores on a
    :class:`~svgkit_rewards.cluster.RayRewardPool` of 8 actors in OpenRLHF's own Ray cluster.

One engine per distinct (config, options) is built on first use and kept for the process.

A *query* is the prompt and the response decoded together with their special tokens. The
response is the query after the prompt (when the query starts with it, or contains it); when
the prompt cannot be found the whole query is scored and ``svgkit/prompt_not_found`` is 1.0.
End-of-turn, end-of-text and padding tokens at its end (``<|im_end|>``, ``<|endoftext|>``,
``</s>``, ``<|eot_id|>``, ``<|end|>``, ``<pad>``, …) are removed. A *label* that contains
``<svg`` is the reference SVG; another non-empty label is the text prompt; a JSON object label
is read by key (``prompt``, ``reference_svg``, ``image``, …). Without a text prompt in the
label, the last user turn of the chat-templated prompt is used.

``reward_func`` returns ``{"rewards", "scores", "extra_logs"}``: ``rewards`` is the reward OpenRLHF
turns into advantages; ``scores`` is what OpenRLHF reads for dynamic filtering (keeping groups
whose scores are neither all high nor all low) and reports as ``score`` — here the same values,
so set the filtering range to the recipe's reward range (``[0, 1]`` for ``sgp``, ``[-1, 1]``
for ``rlrf``/``svgkit``). ``extra_logs`` holds one value per query for ``svgkit/<component>``
(0.0 where it does not apply), ``svgkit/valid`` and ``svgkit/prompt_not_found``; OpenRLHF
logs them beside the reward.

Examples
--------
>>> query = ("<|im_start|>user\\na dot<|im_end|>\\n<|im_start|>assistant\\n"
...          "<think>a dot</think> <answer><svg><circle r='3'/></svg></answer><|im_end|>")
>>> prompt = "<|im_start|>user\\na dot<|im_end|>\\n<|im_start|>assistant\\n"
>>> out = reward_func([query], [prompt], [""])
>>> sorted(out), out["rewards"].shape, round(float(out["rewards"][0]), 2)
(['extra_logs', 'rewards', 'scores'], torch.Size([1]), 1.0)
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import Sequence
from typing import Any

from svgkit_rewards.adapters._common import (
    _cached_engine,
    _numeric_row,
    _row_keys,
    _split_reference,
    _strip_trailing_special,
    _user_text,
)
from svgkit_rewards.engine import RewardEngine
from svgkit_rewards.sample import Sample

__all__ = ["CONFIG_ENV", "OPTIONS_ENV", "get_engine", "reward_func", "split_query"]

#: Environment variable naming the recipe or config file.
CONFIG_ENV = "SVGKIT_REWARD_CONFIG"
#: Environment variable holding a JSON object of engine settings.
OPTIONS_ENV = "SVGKIT_REWARD_OPTIONS"

_ENGINES: dict[str, RewardEngine] = {}
_LOCK = threading.Lock()
_WARNED = threading.Event()


def get_engine() -> RewardEngine:
    """The engine the environment configures (built on first use, then kept).

    Examples
    --------
    >>> get_engine().names
    ('format', 'length')
    """
    config = os.environ.get(CONFIG_ENV, "").strip() or "sgp"
    raw = os.environ.get(OPTIONS_ENV, "").strip() or "{}"
    try:
        options = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"Expected ${OPTIONS_ENV} to hold a JSON object, but got {raw!r}") from exc
    if not isinstance(options, dict):
        raise ValueError(f"Expected ${OPTIONS_ENV} to hold a JSON object, but got {raw!r}")
    return _cached_engine(_ENGINES, _LOCK, config, options)


def split_query(query: str, prompt: str | None) -> tuple[str, bool]:
    """The response inside a decoded query, and whether the prompt was found in it.

    Parameters
    ----------
    query
        Prompt and response decoded together, special tokens included.
    prompt
        The prompt as OpenRLHF passes it (chat template applied).

    Returns
    -------
    response : str
        The text after the prompt (the whole query when the prompt is not in it), without
        trailing end-of-turn / end-of-text / padding tokens.
    found : bool
        ``False`` when a non-empty prompt could not be found in the query.

    Examples
    --------
    >>> split_query("<s>[INST] a dot [/INST]<svg/></s><pad>", "[INST] a dot [/INST]")
    ('<svg/>', True)
    >>> split_query("something else <svg/>", "a prompt")
    ('something else <svg/>', False)
    """
    query = query if isinstance(query, str) else str(query)
    found = True
    response = query
    if isinstance(prompt, str) and prompt:
        if query.startswith(prompt):
            response = query[len(prompt) :]
        else:
            at = query.find(prompt)
            if at >= 0:  # e.g. a BOS token decoded before the prompt
                response = query[at + len(prompt) :]
            else:
                found = False
    return _strip_trailing_special(response), found


def reward_func(
    queries: Sequence[str],
    prompts: Sequence[str] | None = None,
    labels: Sequence[Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Score OpenRLHF queries (see the module for the conventions).

    Parameters
    ----------
    queries
        Prompt + response, decoded with special tokens.
    prompts
        The prompts (chat template applied), one per query.
    labels
        The dataset's labels (``--data.label_key``), one per query, or ``None``.
    **kwargs
        Ignored (for OpenRLHF versions that pass more).

    Returns
    -------
    dict
        ``rewards`` and ``scores`` (float32 tensors of shape ``(len(queries),)``) and
        ``extra_logs`` (``{name: float32 tensor of the same shape}``).
    """
    import torch

    n = len(queries)
    prompt_list = [None] * n if prompts is None else list(prompts)
    label_list = [None] * n if labels is None else list(labels)
    if len(prompt_list) != n or len(label_list) != n:
        raise ValueError(
            f"Expected one prompt and one label per query ({n}), but got {len(prompt_list)} "
            f"prompts and {len(label_list)} labels"
        )
    engine = get_engine()
    samples: list[Sample] = []
    not_found: list[float] = []
    for query, prompt, label in zip(queries, prompt_list, label_list):
        response, found = split_query(query, prompt)
        not_found.append(0.0 if found else 1.0)
        fields = _split_reference(label)
        if "prompt" not in fields and isinstance(prompt, str) and prompt:
            fields["prompt"] = _user_text(prompt)
        samples.append(Sample(response, **fields))
    if any(not_found) and not _WARNED.is_set():
        _WARNED.set()
        warnings.warn(
            "svgkit OpenRLHF reward: a prompt was not found in its query; the whole query was "
            "scored (logged as svgkit/prompt_not_found)",
            stacklevel=2,
        )
    rows = [_numeric_row(r, engine.names, engine.floor, 0.0) for r in engine.score(samples)]
    keys = [k for k in _row_keys(engine.names) if k != "score"]
    rewards = torch.tensor([row["score"] for row in rows], dtype=torch.float32)
    extra_logs = {
        f"svgkit/{key}": torch.tensor([row[key] for row in rows], dtype=torch.float32)
        for key in keys
    }
    extra_logs["svgkit/prompt_not_found"] = torch.tensor(not_found, dtype=torch.float32)
    return {"rewards": rewards, "scores": rewards.clone(), "extra_logs": extra_logs}

