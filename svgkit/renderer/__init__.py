"""Scene → pixels with cairo: shapes, paint, clips, masks, patterns, filters, markers, text, images.

The single-picture renderer (:func:`render`, :func:`render_surface`) and, above it, the pool of
isolated worker processes (:class:`RenderPool`, :func:`render_many`). The package is called
``renderer`` rather than ``render`` because ``svgkit.render`` is the public function: a submodule of
that name would replace the function on the package the first time it is imported.
"""

from .draw import output_matrix
from .pool import RenderPool, render_many
from .surface import render, render_surface

__all__ = ["RenderPool", "output_matrix", "render", "render_many", "render_surface"]
