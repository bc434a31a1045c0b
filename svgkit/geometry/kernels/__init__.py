"""Numba kernels of the geometry statistics, one module per family, re-exported here: arrays and
scalars in, arrays and scalars out, and nothing in them knows a Scene. *Raster space* is the
analysis grid of ``width × height`` pixels, pixel ``(col, row)`` covering
``[col, col + 1) × [row, row + 1)`` and sampled at its centre ``(col + 0.5, row + 0.5)``; edges
are ``(m, 4)`` float64 rows ``x0, y0, x1, y1`` with per-layer offsets, a layer's edges forming
closed rings whose orientation carries the winding; a *span* or *run* is ``(row, col0, col1)``,
pixels ``col0 <= col < col1`` of ``row``. The families depend one way: :mod:`.jit` (how kernels
are compiled, and the registry of the entry points Python calls) ← :mod:`.common` (codes and
shared helpers) ← :mod:`.area` (exact fill area and outline length), :mod:`.layers` (paint layers;
counts, colours and invisibility flags), :mod:`.stroke` (layer outlines), :mod:`.runs` (run sets,
objects), :mod:`.descriptors` (shape descriptors); :mod:`.raster` (scanline rasterisation) uses
:mod:`.runs`.
"""

from __future__ import annotations

from ...flatten import _flatten_kernel
from . import jit
from .area import primitive_geometry
from .common import (
    CAP_BUTT,
    CAP_ROUND,
    CAP_SQUARE,
    KIND_IMAGE,
    KIND_PATH,
    KIND_TEXT,
    PAINT_LINEAR,
    PAINT_NONE,
    PAINT_RADIAL,
    PAINT_SOLID,
    PART_FILL,
    PART_STROKE,
    RULE_EVENODD,
    RULE_NONZERO,
)
from .descriptors import runs_descriptor
from .layers import make_layers, scene_tables
from .raster import mask_runs, rasterise_layers
from .runs import object_pass, runs_intersect, runs_intersection
from .stroke import MAX_DASHES, build_layer_edges

# The kernels Python calls (the helpers they share are compiled into them and have no Python
# wrapper). Flattening, in a leaf module, runs before every analysis: its kernel is one too.
jit.register("svgkit.flatten._flatten_kernel", _flatten_kernel,
             "uint8[::1], float64[:, ::1], int64[::1], int64[::1], float64, int64")

__all__ = [
    "CAP_BUTT",
    "CAP_ROUND",
    "CAP_SQUARE",
    "KIND_IMAGE",
    "KIND_PATH",
    "KIND_TEXT",
    "MAX_DASHES",
    "PAINT_LINEAR",
    "PAINT_NONE",
    "PAINT_RADIAL",
    "PAINT_SOLID",
    "PART_FILL",
    "PART_STROKE",
    "RULE_EVENODD",
    "RULE_NONZERO",
    "build_layer_edges",
    "make_layers",
    "mask_runs",
    "object_pass",
    "primitive_geometry",
    "rasterise_layers",
    "runs_descriptor",
    "runs_intersect",
    "runs_intersection",
    "scene_tables",
]
