"""svgkit rewards as TRL reward functions (``GRPOTrainer(reward_funcs=...)``).

TRL's ``GRPOTrainer`` calls every reward function once per generation batch as::

    reward_func(prompts=prompts, completions=completions, completion_ids=completion_ids,
                **columns, trainer_state=state, log_extra=log_extra, log_metric=log_metric)

where ``columns`` are the dataset's other columns (one list entry per completion), and expects
one ``float`` (or ``None``: "does not apply") per completion. Prompts and completions are
strings, or — for conversational datasets — lists of ``{"role", "content"}`` messages. A
function whose ``__call__`` is a coroutine is awaited (all async reward functions of a batch
run concurrently); the function's ``__name__`` names its ``rewards/<name>/mean`` log entries.

:func:`trl_reward` returns one such function for a whole recipe; :func:`trl_reward_funcs`
returns one per reward component, sharing one engine, for TRL's own ``reward_weights``.

Nothing here imports trl or torch.

Examples
--------
>>> reward = trl_reward("sgp", in_process=True)
>>> ok = "<think>a red dot</think> <answer><svg><circle r='3' fill='red'/></svg></answer>"
>>> scores = reward(prompts=["a red dot", "a red dot"], completions=[ok, "no drawing"])
>>> [round(s, 2) for s in scores]
[0.99, 0.0]
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from ..client import RewardClient
from ..engine import RewardEngine
from ..functional._common import completion_text
from ..functional._common import is_sequence as _is_sequence
from ..functional._common import prompt_text as _prompt_text
from ..recipes import RECIPES, load_config
from ..sample import RewardResult, Sample
from ._common import _build_scorer, _engine_option_names, _fields_from_mapping

__all__ = ["AsyncSVGReward", "SVGReward", "trl_reward", "trl_reward_funcs"]

#: What a reward is configured with: a recipe name, a config mapping, the path of a TOML / YAML
#: / JSON config, a ready :class:`~svgkit_rewards.RewardEngine`, or a
#: :class:`~svgkit_rewards.client.RewardClient` of a reward server.
Config: TypeAlias = "str | os.PathLike[str] | Mapping[str, Any] | RewardEngine | RewardClient"
#: What scores a batch: an engine in this process or a client of a reward server.
Scorer: TypeAlias = "RewardEngine | RewardClient"

# Keyword arguments of TRL's call that are not dataset columns.
_NOT_COLUMNS = frozenset({"trainer_state", "log_extra", "log_metric", "environments"})

# RewardEngine settings that may be passed as keyword arguments.
_ENGINE_OPTIONS = _engine_option_names()


def _is_ready(config: Any) -> bool:
    """A ready scorer: an engine, a reward server's client, a Ray reward pool, or anything
    else that scores like an engine (``score``, ``names``, ``floor``)."""
    if isinstance(config, (RewardEngine, RewardClient)):
        return True
    if isinstance(config, (str, bytes, os.PathLike, Mapping)):
        return False
    return all(hasattr(config, name) for name in ("score", "names", "floor"))


class _Scorer:
    """One lazily built engine (plus, for functions that share it, the last batch's results).

    Pickles as its configuration only: the engine (workers, cache) is rebuilt on first use in
    the receiving process. A ready engine given by the caller travels as the engine.
    """

    def __init__(self, config: Config, overrides: Mapping[str, Any]) -> None:
        self._given = _is_ready(config)
        self._engine: Scorer | None
        self._config: dict[str, Any] | None
        if self._given:
            if overrides:
                raise ValueError(
                    "Expected no engine settings with a ready RewardEngine, but got "
                    f"{sorted(overrides)}; set them on the engine"
                )
            self._engine, self._config = config, None  # type: ignore[assignment]
        else:
            assert not isinstance(config, (RewardEngine, RewardClient))
            unknown = sorted(set(overrides) - set(_ENGINE_OPTIONS))
            if unknown:
                raise ValueError(
                    f"Unknown engine settings {unknown}; expected some of {list(_ENGINE_OPTIONS)}"
                )
            self._engine, self._config = None, load_config(config)
        self._overrides = dict(overrides)
        #: how many functions read each batch's results (set by :func:`trl_reward_funcs`)
        self._shared_by = 1
        # (key, results, uses left) of the last batch, when several functions share this scorer
        self._memo: tuple[tuple[Any, ...], list[RewardResult], int] | None = None
        self._lock = threading.RLock()
        #: diagnostics codes and flags seen so far (logged as 0.0 in batches without them, so
        #: that their logged share is not averaged over only the batches that had them)
        self.seen_codes: set[str] = set()
        self.seen_flags: set[str] = set()
        #: the samples and results of the last batch scored (for sample tables and callbacks)
        self.last_batch: tuple[list[Sample], list[RewardResult]] | None = None

    @property
    def engine(self) -> Scorer:
        with self._lock:
            if self._engine is None:
                assert self._config is not None
                self._engine = _build_scorer(self._config, self._overrides)
            return self._engine

    def score(
        self, samples: Sequence[Sample], key: tuple[Any, ...] | None
    ) -> tuple[list[RewardResult], bool]:
        """The results of a batch, and whether they were computed now (not taken from the
        batch another function of the same group scored just before)."""
        with self._lock:
            memo = self._memo
            if key is not None and memo is not None and memo[0] == key:
                self._memo = (key, memo[1], memo[2] - 1) if memo[2] > 1 else None
                return memo[1], False
            results = self.engine.score(samples)
            self.last_batch = (list(samples), results)
            if key is not None and self._shared_by > 1:
                self._memo = (key, results, self._shared_by - 1)
            else:
                self._memo = None
            return results, True

    def close(self) -> None:
        with self._lock:
            self._memo = None
            if self._engine is not None:
                self._engine.close()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_lock"] = None
        state["_memo"] = None
        state["last_batch"] = None
        if not self._given:
            state["_engine"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()


def _default_name(config: Config) -> str:
    if isinstance(config, str) and config in RECIPES:
        stem = config
    elif isinstance(config, Mapping) and isinstance(config.get("recipe"), str):
        stem = config["recipe"]
    elif isinstance(config, (str, os.PathLike)):
        stem = Path(config).stem
    else:
        return "svgkit"
    return "svgkit_" + re.sub(r"\W+", "_", stem).strip("_")


def _per_sample(value: Any, n: int, name: str) -> list[Any]:
    """One value per completion: a list of ``n`` entries as is, anything else repeated."""
    if _is_sequence(value):
        if len(value) == n:
            return list(value)
        raise ValueError(
            f"Expected the column `{name}` to have one entry per completion ({n}), "
            f"but got {len(value)}"
        )
    return [value] * n


_R = TypeVar("_R", bound="_RewardBase")


class _RewardBase:
    """What the synchronous and the asynchronous TRL rewards share."""

    __name__: str

    def __init__(
        self,
        config: Config = "sgp",
        *,
        name: str | None = None,
        component: str | None = None,
        floor_unusable: bool = True,
        log_prefix: str = "svgkit",
        eos_token_id: int | Sequence[int] | None = None,
        **engine_overrides: Any,
    ) -> None:
        scorer = _Scorer(config, engine_overrides)
        self._setup(scorer, name or _default_name(config), component, floor_unusable, log_prefix,
                    eos_token_id)

    @classmethod
    def _sharing(
        cls: type[_R],
        scorer: _Scorer,
        name: str,
        component: str | None,
        floor_unusable: bool,
        log_prefix: str,
        eos_token_id: int | Sequence[int] | None,
    ) -> _R:
        self = cls.__new__(cls)
        self._setup(scorer, name, component, floor_unusable, log_prefix, eos_token_id)
        return self

    def _setup(
        self,
        scorer: _Scorer,
        name: str,
        component: str | None,
        floor_unusable: bool,
        log_prefix: str,
        eos_token_id: int | Sequence[int] | None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"Expected `name` to be a non-empty str, but got {name!r}")
        if component is not None and not isinstance(component, str):
            raise ValueError(f"Expected `component` to be a str or None, but got {component!r}")
        if not isinstance(log_prefix, str) or not log_prefix:
            raise ValueError(f"Expected `log_prefix` to be a non-empty str, but got {log_prefix!r}")
        eos: frozenset[int] | None
        if eos_token_id is None:
            eos = None
        elif isinstance(eos_token_id, int):
            eos = frozenset({eos_token_id})
        elif _is_sequence(eos_token_id) and all(isinstance(i, int) for i in eos_token_id):
            eos = frozenset(eos_token_id)
        else:
            raise ValueError(
                f"Expected `eos_token_id` to be an int or a list of ints, but got {eos_token_id!r}"
            )
        self.__name__ = name
        self._scorer = scorer
        self._component = component
        self._floor_unusable = bool(floor_unusable)
        self._log_prefix = log_prefix
        self._eos = eos

    # -- public surface ---------------------------------------------------------------------

    @property
    def engine(self) -> Scorer:
        """The :class:`~svgkit_rewards.RewardEngine` (built on first use), or the reward
        server's :class:`~svgkit_rewards.client.RewardClient` it was given."""
        return self._scorer.engine

    @property
    def last_batch(self) -> tuple[list[Sample], list[RewardResult]] | None:
        """The samples and results of the last batch this function's engine scored (``None``
        before the first call); :class:`svgkit_rewards.train.SampleTableCallback` reads it."""
        return self._scorer.last_batch

    @property
    def component(self) -> str | None:
        """The component this function returns, or ``None`` for the reward itself."""
        return self._component

    def close(self) -> None:
        """Stop the engine's worker processes (a later call starts new ones)."""
        self._scorer.close()

    def __repr__(self) -> str:
        what = "" if self._component is None else f", component={self._component!r}"
        return f"{type(self).__name__}(name={self.__name__!r}{what})"

    # -- the call ---------------------------------------------------------------------------

    def _prepare(
        self,
        prompts: Sequence[Any] | None,
        completions: Sequence[Any] | None,
        completion_ids: Sequence[Sequence[int]] | None,
        kwargs: Mapping[str, Any],
    ) -> tuple[list[Sample], tuple[Any, ...] | None]:
        if completions is None or isinstance(completions, (str, bytes)) or not _is_sequence(
            completions
        ):
            raise TypeError(
                "Expected `completions` to be a list (one entry per completion), but got "
                f"{type(completions).__name__}"
            )
        n = len(completions)
        prompt_list = _per_sample(prompts, n, "prompts")
        columns = {
            key: _per_sample(value, n, key)
            for key, value in kwargs.items()
            if key not in _NOT_COLUMNS
        }
        ids = None if completion_ids is None else _per_sample(completion_ids, n, "completion_ids")
        samples: list[Sample] = []
        for i in range(n):
            row = {key: values[i] for key, values in columns.items()}
            images = row.pop("images", None)
            if _is_sequence(images) and len(images) and all(row.get(k) is None for k in (
                "image", "reference_image"
            )):
                row["reference_image"] = images[0]
            fields, rest = _fields_from_mapping(row)
            prompt = _prompt_text(prompt_list[i])
            if prompt is not None and "prompt" not in fields:  # a `caption` column wins
                fields["prompt"] = prompt
            if self._eos is not None and ids is not None and "finish_reason" not in fields:
                seq = list(ids[i])
                # TRL's own test (mask_truncated_completions): the last id is no EOS/pad
                fields["finish_reason"] = "length" if seq and seq[-1] not in self._eos else "stop"
            samples.append(Sample(completion_text(completions[i]), metadata=rest, **fields))
        key: tuple[Any, ...] | None = None
        if self._scorer._shared_by > 1:
            state = kwargs.get("trainer_state")
            key = (
                id(completions),
                getattr(state, "global_step", None),
                tuple((s.completion, s.prompt, s.reference_svg, s.finish_reason) for s in samples),
                tuple(id(v) for k, v in sorted(kwargs.items()) if k not in _NOT_COLUMNS),
            )
        return samples, key

    def _finish(
        self, results: list[RewardResult], fresh: bool, kwargs: Mapping[str, Any]
    ) -> list[float | None]:
        if fresh:
            self._log(results, kwargs)
        if self._component is None:
            return [r.score for r in results]
        engine = self.engine
        if self._component not in engine.names:
            raise ValueError(
                f"Unknown component {self._component!r}; the reward's components are "
                f"{list(engine.names)}"
            )
        floor = engine.floor
        out: list[float | None] = []
        for r in results:
            if self._floor_unusable and "FLOOR" in r.diagnostics.flags:
                out.append(floor)
            else:
                out.append(r.components.get(self._component))
        return out

    def _log(self, results: list[RewardResult], kwargs: Mapping[str, Any]) -> None:
        log_metric = kwargs.get("log_metric")
        log_extra = kwargs.get("log_extra")
        if not results:
            return
        p = self._log_prefix
        if callable(log_metric):
            n = len(results)
            for name in self.engine.names:
                values = [r.components.get(name) for r in results]
                found = [v for v in values if v is not None and math.isfinite(v)]
                if found:
                    log_metric(f"{p}/{name}", sum(found) / len(found))
            codes = Counter(r.code for r in results)
            flags = Counter(f for r in results for f in set(r.diagnostics.flags))
            scorer = self._scorer
            scorer.seen_codes.update(codes)
            scorer.seen_flags.update(flags)
            for code in sorted(scorer.seen_codes):
                log_metric(f"{p}/code/{code}", codes[code] / n)
            for flag in sorted(scorer.seen_flags):
                log_metric(f"{p}/flag/{flag}", flags[flag] / n)
        if callable(log_extra):
            log_extra(f"{p}/code", [r.code for r in results])
            log_extra(f"{p}/flags", [",".join(r.diagnostics.flags) for r in results])


class SVGReward(_RewardBase):
    """A TRL reward function for an svgkit reward (a recipe, a config, or an engine).

    A small picklable callable: it pickles as its configuration, and builds its
    :class:`~svgkit_rewards.RewardEngine` (with its worker processes) on first use, in whatever
    process calls it.

    Parameters
    ----------
    config
        A recipe name (``"sgp"``, ``"rlrf"``, ``"svgkit"``), a config mapping, the path of a
        TOML / YAML / JSON config (see :func:`svgkit_rewards.load_config`), a ready
        :class:`~svgkit_rewards.RewardEngine`, a
        :class:`~svgkit_rewards.client.RewardClient` (score on a reward server), or a
        :class:`~svgkit_rewards.cluster.RayRewardPool` (score on Ray actors).
    name
        ``__name__``, which TRL logs the reward under (``rewards/<name>/mean``); default
        ``"svgkit_<recipe>"`` (``"svgkit_<file stem>"`` for a file, ``"svgkit"`` otherwise).
        Two rewards of one trainer need distinct names.
    component
        Return this leaf component's values instead of the reward (``None`` where the term does
        not apply).
    floor_unusable
        With ``component``: a completion without a usable drawing (a failure code, the engine's
        ``FLOOR`` flag) scores the engine's floor in the component too, so that a weighted sum
        of components never rewards broken output. Default ``True``.
    log_prefix
        Prefix of the metrics and completion-table columns logged through TRL's ``log_metric``
        and ``log_extra`` (default ``"svgkit"``). Give two rewards of one trainer distinct
        prefixes.
    eos_token_id
        The EOS (and padding) token ids. When given, a completion whose last token id is none of
        them was cut off at ``max_completion_length`` — the test TRL itself makes — and is
        scored as ``finish_reason="length"`` (the floor under the recipes' ``truncated="floor"``).
        A ``finish_reason`` dataset column takes precedence.
    **engine_overrides
        :class:`~svgkit_rewards.RewardEngine` settings that replace the config's
        (``floor``, ``workers``, ``timeout_s``, ``in_process``, ``unscorable``, …);
        ``ray_actors=N`` (with ``ray_gpus``, ``ray_address``) scores on a
        :class:`~svgkit_rewards.cluster.RayRewardPool` of N actors instead.

    Notes
    -----
    Called as TRL calls reward functions, ``reward(prompts=..., completions=...,
    completion_ids=..., **columns)``, it returns one score per completion (``None`` only with
    ``unscorable="none"``). Dataset columns become :class:`~svgkit_rewards.Sample` fields:
    ``reference_image`` / ``image`` (or the first of ``images``) → ``reference_image``;
    ``reference_svg`` / ``svg`` / ``solution`` → ``reference_svg``; ``spec`` (a mapping or a
    JSON object string) → ``spec``; ``finish_reason`` → ``finish_reason``; ``metadata`` (a
    mapping) and every other column → ``metadata``. ``Sample.prompt`` is a ``caption`` column
    when there is one (the bare text a templated prompt is about, which text–image terms and
    the compositional checks read), else the prompt string, or the text of the last user
    message of a conversational prompt.

    When TRL passes ``log_metric`` and ``log_extra`` (it does since it grew them), each batch
    logs ``<prefix>/<component>`` (the mean of each leaf over the completions it applies to),
    ``<prefix>/code/<CODE>`` and ``<prefix>/flag/<FLAG>`` (the share of completions with each
    diagnostics code and flag seen so far), and adds the columns ``<prefix>/code`` and
    ``<prefix>/flags`` to the completions table.

    Examples
    --------
    >>> reward = SVGReward("sgp", in_process=True)
    >>> reward.__name__
    'svgkit_sgp'
    >>> chat = [[{"role": "assistant", "content": "<think>dot</think> <answer><svg>"
    ...           "<circle r='3'/></svg></answer>"}]]
    >>> [round(s, 2) for s in reward(prompts=[[{"role": "user", "content": "a dot"}]],
    ...                               completions=chat)]
    [1.0]
    >>> import pickle
    >>> pickle.loads(pickle.dumps(reward)).__name__
    'svgkit_sgp'
    """

    def __call__(
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        completion_ids: Sequence[Sequence[int]] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        samples, key = self._prepare(prompts, completions, completion_ids, kwargs)
        results, fresh = self._scorer.score(samples, key)
        return self._finish(results, fresh, kwargs)


class AsyncSVGReward(_RewardBase):
    """:class:`SVGReward` with an ``async`` ``__call__``: the engine runs in a thread
    (:func:`asyncio.to_thread`), so that TRL runs it concurrently with its other async reward
    functions (TRL detects async reward functions by their ``__call__`` and awaits them on its
    own event loop). Same parameters as :class:`SVGReward`.

    Examples
    --------
    >>> import asyncio
    >>> reward = AsyncSVGReward("sgp", in_process=True)
    >>> asyncio.run(reward(prompts=["a dot"], completions=["no drawing"]))
    [0.0]
    """

    async def __call__(
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        completion_ids: Sequence[Sequence[int]] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        samples, key = self._prepare(prompts, completions, completion_ids, kwargs)
        results, fresh = await asyncio.to_thread(self._scorer.score, samples, key)
        return self._finish(results, fresh, kwargs)


def trl_reward(
    config: Config = "sgp",
    *,
    name: str | None = None,
    asynchronous: bool = False,
    log_prefix: str = "svgkit",
    eos_token_id: int | Sequence[int] | None = None,
    **engine_overrides: Any,
) -> SVGReward | AsyncSVGReward:
    """One TRL reward function for a whole svgkit reward.

    Parameters
    ----------
    config
        Recipe name, config mapping, config file path, or a ready engine (see
        :class:`SVGReward`).
    name
        ``__name__`` for TRL's logs (default ``"svgkit_<recipe>"``).
    asynchronous
        Return an :class:`AsyncSVGReward` (TRL awaits it concurrently with its other async
        reward functions) instead of an :class:`SVGReward`.
    log_prefix, eos_token_id, **engine_overrides
        As for :class:`SVGReward`.

    Returns
    -------
    SVGReward or AsyncSVGReward

    Examples
    --------
    >>> reward = trl_reward("rlrf", name="trace", workers=2)
    >>> reward.__name__, reward.engine.floor, reward.engine.workers
    ('trace', -1.0, 2)
    """
    cls = AsyncSVGReward if asynchronous else SVGReward
    return cls(
        config,
        name=name,
        log_prefix=log_prefix,
        eos_token_id=eos_token_id,
        **engine_overrides,
    )


def trl_reward_funcs(
    config: Config = "sgp",
    *,
    asynchronous: bool = False,
    floor_unusable: bool = True,
    log_prefix: str = "svgkit",
    eos_token_id: int | Sequence[int] | None = None,
    **engine_overrides: Any,
) -> list[SVGReward | AsyncSVGReward]:
    """One TRL reward function per leaf component of a reward, for TRL to weight and sum.

    The functions share one engine: the first one TRL calls on a batch scores it (each
    completion analysed once), the others read that batch's results. Their names are
    ``svgkit_<component>``, in the reward's leaf order. There is no function for the total:
    set ``GRPOConfig(reward_weights=[...])`` (one weight per function, in this order) and TRL
    computes ``Σ wᵢ · componentᵢ`` itself — a weighted sum only: the recipe's gates, clips and
    its own weights do not apply in this mode. Use :func:`trl_reward` for the recipe's reward
    (its components are logged anyway).

    Parameters
    ----------
    config
        Recipe name, config mapping, config file path, or a ready engine.
    asynchronous
        Return :class:`AsyncSVGReward` functions.
    floor_unusable
        A completion without a usable drawing scores the engine's floor in every component
        (default ``True``; see :class:`SVGReward`).
    log_prefix, eos_token_id, **engine_overrides
        As for :class:`SVGReward`.

    Returns
    -------
    list
        One function per component.

    Examples
    --------
    >>> funcs = trl_reward_funcs("sgp", in_process=True)
    >>> [f.__name__ for f in funcs]
    ['svgkit_format', 'svgkit_length']
    >>> ok = "<think>a dot</think> <answer><svg><circle r='3'/></svg></answer>"
    >>> batch = {"prompts": ["a dot"], "completions": [ok]}
    >>> [[round(v, 2) for v in f(**batch)] for f in funcs]
    [[1.0], [1.0]]
    >>> funcs[0].engine is funcs[1].engine, funcs[0].engine.counters["analyses"]
    (True, 1)
    """
    scorer = _Scorer(config, engine_overrides)
    names = scorer.engine.names
    scorer._shared_by = len(names)
    cls: type[SVGReward] | type[AsyncSVGReward] = AsyncSVGReward if asynchronous else SVGReward
    return [
        cls._sharing(scorer, f"svgkit_{name}", name, floor_unusable, log_prefix, eos_token_id)
        for name in names
    ]
