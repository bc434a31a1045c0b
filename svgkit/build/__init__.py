"""Safe XML tree → :class:`svgkit.Scene`: the second stage of the pipeline.

Resolves what SVG leaves to the reader — the CSS cascade, units, transforms, ``<use>``, paint
servers, clips, masks, patterns, filters, markers and text — into the Scene's flat, absolute arrays.
:mod:`svgkit.build.builder` assembles the Scene from a walk built in layers, one module each, on
the shared state of :mod:`svgkit.build.context`: :mod:`~svgkit.build.units`,
:mod:`~svgkit.build.style` (with the stylesheet matcher of :mod:`~svgkit.build.css`),
:mod:`~svgkit.build.shapes` (with the path-data parser of :mod:`~svgkit.build.path_data`),
:mod:`~svgkit.build.clip`, :mod:`~svgkit.build.paint`, :mod:`~svgkit.build.primitives`,
:mod:`~svgkit.build.text`, :mod:`~svgkit.build.images` and :mod:`~svgkit.build.structure`;
:mod:`~svgkit.build.effects` and :mod:`~svgkit.build.markers` resolve filters, masks, patterns
and markers. Nothing in the renderer or in geometry imports this package.
"""

from .builder import build_scene

__all__ = ["build_scene"]
