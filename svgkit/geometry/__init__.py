"""Geometry statistics: what a Scene draws, what shows, which objects and how they relate.

The public names are re-exported here (and, all but ``BACKDROP_SHARE`` and the set-up helpers
``compile_kernels``/``CompileReport``/``ensure_compiled``, from :mod:`svgkit`); the modules are
private and depend one way: ``kernels`` (a package of numba kernels by family; uses
``svgkit.flatten`` and the Scene's enums) ← ``_compile`` (compiling them ahead of use;
``python -m svgkit.geometry --compile``) ← ``_analysis`` (Scene → layers → raster, cached per
scene) ← ``_stats`` and ``_objects`` ← ``_relations``; ``_colors`` stands alone and is used by
``_stats`` and ``_objects``.
"""

from __future__ import annotations

from ._analysis import DEFAULT_RESOLUTION, TEXT_INK_FRACTION
from ._colors import COLOR_TERMS, color_distance, color_name, color_names
from ._compile import CompileReport, compile_kernels, ensure_compiled
from ._objects import (
    BACKDROP_SHARE,
    GENERIC_NAMES,
    SceneObject,
    ShapeDescriptor,
    object_name,
    objects,
)
from ._relations import PREDICATES, Relation, relation, relations
from ._stats import INVISIBLE_REASONS, InvisiblePrimitive, SceneStats, stats

__all__ = [
    # a tuning constant the docs name (docs/composition.md); kept out of the top-level svgkit API
    "BACKDROP_SHARE",
    "COLOR_TERMS",
    "DEFAULT_RESOLUTION",
    "GENERIC_NAMES",
    "INVISIBLE_REASONS",
    "PREDICATES",
    "TEXT_INK_FRACTION",
    "CompileReport",
    "InvisiblePrimitive",
    "Relation",
    "SceneObject",
    "SceneStats",
    "ShapeDescriptor",
    "color_distance",
    "color_name",
    "color_names",
    "compile_kernels",
    "ensure_compiled",
    "object_name",
    "objects",
    "relation",
    "relations",
    "stats",
]
