"""SVG filter effects on premultiplied float32 pixel buffers: the renderer draws a filtered element
into its own layer (the ``SourceGraphic``) and calls :func:`apply_filter`, which runs the
filter's primitives over ``(H, W, 4)`` float32 premultiplied RGBA in [0, 1] knowing nothing of
XML, cairo or the Scene beyond ``Filter``/``FilterPrimitive``. ``graph`` runs the chain over
the shared core of ``image``; the primitives live by family in ``blur``, ``composite``,
``color``, ``morphology``, ``turbulence``, ``lighting``, ``convolve`` and ``displacement``
(feDisplacementMap, feTile, feImage). ``docs/filters.md`` gives every formula.
"""

from ...filter_spec import (
    BLEND_MODES,
    LUMINANCE_TO_ALPHA_MATRIX,
    SUPPORTED_KINDS,
    hue_rotate_matrix,
    saturate_matrix,
)
from .blur import blur_box_sizes
from .graph import apply_filter, unsupported_kinds
from .image import filter_pixel_box, linear_to_srgb, srgb_to_linear

__all__ = [
    "BLEND_MODES",
    "LUMINANCE_TO_ALPHA_MATRIX",
    "SUPPORTED_KINDS",
    "apply_filter",
    "blur_box_sizes",
    "filter_pixel_box",
    "hue_rotate_matrix",
    "linear_to_srgb",
    "saturate_matrix",
    "srgb_to_linear",
    "unsupported_kinds",
]
