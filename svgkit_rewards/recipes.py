"""Rewards from plain configuration: recipe names, dicts, TOML or YAML files.

A configuration is a mapping (every key optional)::

    recipe = "sgp"                    # start from a named recipe (RECIPES)
    [gate]                            # r = gate · body; closed gate → floor (or gate.floor)
    term = "format"
    policy = "sgp"
    [[terms]]                         # body = Σ weight · term  (replaces the recipe's terms)
    term = "length"
    weight = 1.0
    [[add_terms]]                     # appended to the recipe's terms
    term = "ssim"
    weight = 0.5
    size = 224
    [clip]                            # optional: clip the result to [low, high]
    low = 0.0
    high = 1.0
    [engine]                          # RewardEngine settings
    floor = 0.0
    workers = 2
    timeout_s = 10.0

Term names: ``format``, ``length``, ``mse``, ``psnr``, ``ssim``, ``l2``, ``l2_edge``, ``pixel``
(with ``metric=``), ``hacks``, ``composition``, the neural ``clip``, ``siglip``,
``text_image``, ``dino``, ``image_image`` (with ``model=``, see :mod:`svgkit_rewards.neural`),
or ``"package.module:Factory"`` for a term defined elsewhere (called with the entry's other
keys). Every key except ``term`` and ``weight`` is passed to the term's constructor.
"""

from __future__ import annotations

import copy
import importlib
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .neural.terms import ImageImageTerm, TextImageTerm, clip_term, dino_term, siglip_term
from .terms import (
    Affine,
    Clip,
    CompositionTerm,
    FormatTerm,
    Gate,
    HackTerm,
    LengthTerm,
    PixelTerm,
    Term,
    WeightedSum,
)

__all__ = ["RECIPES", "TERMS", "build_reward", "engine_options", "load_config", "register_term"]

#: Named recipes (plain configs).
RECIPES: dict[str, dict[str, Any]] = {
    # The SGP-GenBench paper's shape: r = r_format · Σ λᵢ rᵢ. The neural terms of the paper
    # (SigLIP text–image, DINO image–image) join through `add_terms` once their extra is
    # installed; without them the body is the paper's length term.
    "sgp": {
        "gate": {"term": "format", "policy": "sgp"},
        "terms": [{"term": "length", "policy": "sgp", "weight": 1.0}],
        "engine": {"floor": 0.0, "truncated": "floor"},
    },
    # RLRF-style image-to-SVG: standardised-pixel L2, the same on edge maps, and the length
    # penalty against the reference SVG; weights sum to 1 so the reward lies in [-1, 1] and an
    # invalid completion scores the minimum.
    "rlrf": {
        "gate": {"term": "format", "policy": "plain"},
        "terms": [
            {"term": "l2", "weight": 0.4, "size": 224},
            {"term": "l2_edge", "weight": 0.4, "size": 224},
            {"term": "length", "policy": "rlrf", "weight": 0.2},
        ],
        "engine": {"floor": -1.0, "truncated": "floor"},
    },
    # Verifiable compositional training (SGP-CompBench-style prompts with a `spec`): the SGP
    # gate times the compositional checks plus the anti-hacking penalty and a little length;
    # the body lies in [-1, 1] and a completion without a usable drawing scores -1.
    "compbench": {
        "gate": {"term": "format", "policy": "sgp"},
        "terms": [
            {"term": "composition", "weight": 0.9},
            {"term": "hacks", "weight": 1.0},
            {"term": "length", "policy": "sgp", "weight": 0.1},
        ],
        "engine": {"floor": -1.0, "truncated": "floor"},
    },
    # svgkit's own text-to-SVG default: the SGP gate with the anti-hacking penalty added.
    "svgkit": {
        "gate": {"term": "format", "policy": "answer"},
        "terms": [
            {"term": "length", "policy": "sgp", "weight": 0.2},
            {"term": "hacks", "weight": 1.0},
        ],
        "clip": {"low": -1.0, "high": 1.0},
        "engine": {"floor": -1.0, "truncated": "floor"},
    },
}


def _pixel(metric: str) -> Callable[..., Term]:
    def make(**kwargs: Any) -> Term:
        return PixelTerm(metric, **kwargs)

    return make


#: Term factories by config name.
TERMS: dict[str, Callable[..., Term]] = {
    "format": FormatTerm,
    "length": LengthTerm,
    "pixel": PixelTerm,
    "mse": _pixel("mse"),
    "psnr": _pixel("psnr"),
    "ssim": _pixel("ssim"),
    "l2": _pixel("l2"),
    "l2_edge": _pixel("l2_edge"),
    "hacks": HackTerm,
    "composition": CompositionTerm,
    # neural terms (svgkit_rewards.neural; models from local files, loaded on first use)
    "text_image": TextImageTerm,
    "clip": clip_term,
    "siglip": siglip_term,
    "image_image": ImageImageTerm,
    "dino": dino_term,
}

_ENGINE_KEYS = (
    "floor",
    "unscorable",
    "truncated",
    "workers",
    "timeout_s",
    "in_process",
    "memory_mb",
    "cache_size",
    "which",
)
_TOP_KEYS = ("recipe", "gate", "terms", "add_terms", "clip", "affine", "engine")


def register_term(name: str, factory: Callable[..., Term]) -> None:
    """Make ``factory`` available to configs as ``term = name``.

    Examples
    --------
    >>> register_term("short", lambda **kw: LengthTerm(max_length=1000, name="short"))
    >>> build_reward({"terms": [{"term": "short"}]}).pairs[0][0].max_length
    1000
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"Expected `name` to be a non-empty str, but got {name!r}")
    TERMS[name] = factory


def load_config(config: Mapping[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
    """A configuration as a dict, with the recipe it names merged in.

    Parameters
    ----------
    config
        A recipe name (``"sgp"``), a mapping, or the path of a ``.toml``, ``.yaml``/``.yml``
        or ``.json`` file.

    Returns
    -------
    dict
        ``gate``, ``terms``, ``clip``, ``affine`` and ``engine`` resolved against the recipe.

    Raises
    ------
    ValueError
        For an unknown recipe, an unknown key, or a file of another type.

    Examples
    --------
    >>> load_config("sgp")["gate"]
    {'term': 'format', 'policy': 'sgp'}
    >>> cfg = load_config({"recipe": "sgp", "engine": {"floor": -1.0}})
    >>> cfg["engine"]["floor"], cfg["terms"][0]["term"]
    (-1.0, 'length')
    """
    if isinstance(config, str) and config in RECIPES:
        raw: dict[str, Any] = {"recipe": config}
    elif isinstance(config, (str, os.PathLike)):
        raw = _read_file(Path(config))
    elif isinstance(config, Mapping):
        raw = copy.deepcopy(dict(config))
    else:
        raise TypeError(
            "Expected a recipe name, a mapping or a config file path, "
            f"but got {type(config).__name__}"
        )
    unknown = sorted(set(raw) - set(_TOP_KEYS))
    if unknown:
        raise ValueError(f"Unknown config keys {unknown}; expected some of {list(_TOP_KEYS)}")
    base: dict[str, Any] = {}
    recipe = raw.pop("recipe", None)
    if recipe is not None:
        if recipe not in RECIPES:
            raise ValueError(f"Unknown recipe {recipe!r}; expected one of {sorted(RECIPES)}")
        base = copy.deepcopy(RECIPES[recipe])
    engine = {**base.get("engine", {}), **raw.pop("engine", {})}
    add = raw.pop("add_terms", [])
    out = {**base, **raw}
    out["terms"] = [*out.get("terms", []), *add]
    out["engine"] = engine
    bad = sorted(set(engine) - set(_ENGINE_KEYS))
    if bad:
        raise ValueError(f"Unknown engine settings {bad}; expected some of {list(_ENGINE_KEYS)}")
    return out


def _read_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ValueError(f"{str(path)!r} is neither a recipe ({', '.join(RECIPES)}) nor a file")
    suffix = path.suffix.lower()
    data: Any
    if suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10 (the `rewards` extra brings tomli)
            import tomli as tomllib
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    elif suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as exc:
            raise ImportError("YAML configs need PyYAML: pip install pyyaml") from exc
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    elif suffix == ".json":
        import json

        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        raise ValueError(f"Expected a .toml, .yaml, .yml or .json config, but got {path.name!r}")
    if not isinstance(data, dict):
        raise ValueError(f"Expected {path.name} to hold a mapping at the top level")
    return data


def _make_term(entry: Mapping[str, Any] | str) -> Term:
    if isinstance(entry, str):
        entry = {"term": entry}
    if not isinstance(entry, Mapping) or "term" not in entry:
        raise ValueError(f"Expected a term entry with a `term` key, but got {entry!r}")
    params = {k: v for k, v in entry.items() if k not in ("term", "weight")}
    name = entry["term"]
    factory: Any = TERMS.get(name)
    if factory is None and isinstance(name, str) and ":" in name:
        module, _, attr = name.partition(":")
        factory = importlib.import_module(module)
        for part in attr.split("."):
            factory = getattr(factory, part)
    if factory is None:
        raise ValueError(
            f"Unknown term {name!r}; expected one of {sorted(TERMS)} or 'package.module:Factory'"
        )
    try:
        term = factory(**params)
    except TypeError as exc:
        raise ValueError(f"Bad settings for term {name!r}: {exc}") from None
    if not isinstance(term, Term):
        raise TypeError(f"Term factory {name!r} returned {type(term).__name__}, not a Term")
    return term


def build_reward(config: Mapping[str, Any] | str | os.PathLike[str]) -> Term:
    """The reward term a configuration describes.

    Examples
    --------
    >>> reward = build_reward("rlrf")
    >>> [t.name for t in reward.leaves()], reward.value_range
    (['format', 'l2', 'l2_edge', 'length'], (-1.0, 1.0))
    """
    cfg = load_config(config)
    entries = cfg.get("terms") or []
    if not entries and not cfg.get("gate"):
        raise ValueError("Expected the config to name at least one term (or a gate)")
    body: Term | None = None
    if entries:
        pairs = []
        for entry in entries:
            weight = entry.get("weight", 1.0) if isinstance(entry, Mapping) else 1.0
            pairs.append((_make_term(entry), float(weight)))
        body = WeightedSum(pairs)
    reward: Term
    if cfg.get("gate"):
        gate_entry = dict(cfg["gate"]) if isinstance(cfg["gate"], Mapping) else cfg["gate"]
        floor = gate_entry.pop("floor", None) if isinstance(gate_entry, dict) else None
        gate = _make_term(gate_entry)
        reward = Gate(gate, body, floor=floor) if body is not None else gate
    else:
        assert body is not None
        reward = body
    if cfg.get("affine"):
        reward = Affine(reward, **cfg["affine"])
    if cfg.get("clip"):
        reward = Clip(reward, **cfg["clip"])
    return reward


def engine_options(config: Mapping[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
    """The :class:`~svgkit_rewards.RewardEngine` settings of a configuration.

    Examples
    --------
    >>> engine_options("rlrf")["floor"]
    -1.0
    """
    return dict(load_config(config)["engine"])
