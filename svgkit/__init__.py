"""svgkit: turn the SVG code a language model writes into trustworthy numbers.

Data flows one way: text → :func:`extract_svg` → :func:`parse` (safe XML with hard
:class:`Limits`) → :class:`Scene` → {:func:`render`, :func:`stats`, :func:`objects`} → rewards.

Attributes are imported lazily so that ``import svgkit`` stays cheap (numba and cairo load only
when geometry or rendering is first used).

Examples
--------
>>> import svgkit
>>> report = svgkit.validate('<svg xmlns="http://www.w3.org/2000/svg"><circle r="5"/></svg>')
>>> report.ok, report.code
(True, 'OK')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "COLOR_TERMS": "geometry",
    "Canvas": "scene",
    "Diagnostic": "errors",
    "ErrorCode": "errors",
    "Extraction": "ingest.extract",
    "INVISIBLE_REASONS": "geometry",
    "InvisiblePrimitive": "geometry",
    "Limits": "limits",
    "PREDICATES": "geometry",
    "Primitive": "scene",
    "PrimitiveKind": "scene",
    "Relation": "geometry",
    "RenderPool": "renderer",
    "RepairResult": "ingest.repair",
    "SVGCandidate": "ingest.extract",
    "SVGKitError": "errors",
    "Scene": "scene",
    "SceneObject": "geometry",
    "SceneStats": "geometry",
    "ShapeDescriptor": "geometry",
    "ValidationReport": "validation",
    "color_distance": "geometry",
    "color_name": "geometry",
    "color_names": "geometry",
    "drawable_mask": "validation",
    "extract_svg": "ingest.extract",
    "extract_svg_candidates": "ingest.extract",
    "extract_svg_ex": "ingest.extract",
    "objects": "geometry",
    "output_matrix": "renderer",
    "parse": "parsing",
    "relation": "geometry",
    "relations": "geometry",
    "render": "renderer",
    "render_many": "renderer",
    "render_surface": "renderer",
    "repair_svg": "ingest.repair",
    "stats": "geometry",
    "validate": "validation",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:  # pragma: no cover
    # "import X as X" marks the re-export as explicit for type checkers
    from .errors import Diagnostic as Diagnostic
    from .errors import ErrorCode as ErrorCode
    from .errors import SVGKitError as SVGKitError
    from .geometry import COLOR_TERMS as COLOR_TERMS
    from .geometry import INVISIBLE_REASONS as INVISIBLE_REASONS
    from .geometry import PREDICATES as PREDICATES
    from .geometry import InvisiblePrimitive as InvisiblePrimitive
    from .geometry import Relation as Relation
    from .geometry import SceneObject as SceneObject
    from .geometry import SceneStats as SceneStats
    from .geometry import ShapeDescriptor as ShapeDescriptor
    from .geometry import color_distance as color_distance
    from .geometry import color_name as color_name
    from .geometry import color_names as color_names
    from .geometry import objects as objects
    from .geometry import relation as relation
    from .geometry import relations as relations
    from .geometry import stats as stats
    from .ingest.extract import Extraction as Extraction
    from .ingest.extract import SVGCandidate as SVGCandidate
    from .ingest.extract import extract_svg as extract_svg
    from .ingest.extract import extract_svg_candidates as extract_svg_candidates
    from .ingest.extract import extract_svg_ex as extract_svg_ex
    from .ingest.repair import RepairResult as RepairResult
    from .ingest.repair import repair_svg as repair_svg
    from .limits import Limits as Limits
    from .parsing import parse as parse
    from .renderer.draw import output_matrix as output_matrix
    from .renderer.pool import RenderPool as RenderPool
    from .renderer.pool import render_many as render_many
    from .renderer.surface import render as render
    from .renderer.surface import render_surface as render_surface
    from .scene import Canvas as Canvas
    from .scene import Primitive as Primitive
    from .scene import PrimitiveKind as PrimitiveKind
    from .scene import Scene as Scene
    from .validation import ValidationReport as ValidationReport
    from .validation import drawable_mask as drawable_mask
    from .validation import validate as validate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'svgkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
