"""Running a filter chain: map the filter region onto output pixels, resolve each primitive's
inputs (``SourceGraphic``, ``SourceAlpha``, named results, the previous result), dispatch it to
its family's implementation and convert the last result back to sRGB into a layer-sized array.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ...filter_spec import SUPPORTED_KINDS
from ...limits import Deadline
from ...scene import Filter
from .blur import _op_drop_shadow, _op_gaussian_blur, _op_offset
from .color import _op_color_matrix, _op_component_transfer
from .composite import _op_blend, _op_composite, _op_flood, _op_merge
from .convolve import _op_convolve_matrix
from .displacement import _op_displacement_map, _op_image, _op_tile
from .image import (
    _LINEAR,
    _SRGB,
    _TO_SRGB,
    Box,
    PrimitiveOp,
    _Arena,
    _Context,
    _finish_kernel,
    _finite,
    _Image,
    _intersect,
    _is_empty,
    _op_passthrough,
    _shift,
    _transparent,
    filter_pixel_box,
)
from .lighting import _op_diffuse_lighting, _op_specular_lighting
from .morphology import _op_morphology
from .turbulence import _op_turbulence

__all__ = ["apply_filter", "unsupported_kinds"]


# Inputs the renderer cannot supply. resvg's reference images (and browsers, which fall back to the
# previous result for inputs they do not support) show the source graphic for these, not
# transparent black, so that is what they resolve to.
_SOURCE_GRAPHIC_STANDINS = frozenset(
    {"BackgroundImage", "BackgroundAlpha", "FillPaint", "StrokePaint"}
)


_OPS: dict[str, PrimitiveOp] = {
    "feBlend": _op_blend,
    "feColorMatrix": _op_color_matrix,
    "feComponentTransfer": _op_component_transfer,
    "feComposite": _op_composite,
    "feConvolveMatrix": _op_convolve_matrix,
    "feDiffuseLighting": _op_diffuse_lighting,
    "feDisplacementMap": _op_displacement_map,
    "feDropShadow": _op_drop_shadow,
    "feFlood": _op_flood,
    "feGaussianBlur": _op_gaussian_blur,
    "feImage": _op_image,
    "feMerge": _op_merge,
    "feMorphology": _op_morphology,
    "feOffset": _op_offset,
    "feSpecularLighting": _op_specular_lighting,
    "feTile": _op_tile,
    "feTurbulence": _op_turbulence,
}

# how many inputs each kind reads (others: one; feMerge: as many as it lists)
_N_INPUTS = {
    "feComposite": 2,
    "feBlend": 2,
    "feDisplacementMap": 2,
    "feFlood": 0,
    "feImage": 0,
    "feTurbulence": 0,
}


# ---------------------------------------------------------------------------------------------
# public entry points


def unsupported_kinds(filt: Filter) -> list[str]:
    """Primitive kinds in ``filt`` that :func:`apply_filter` does not implement, in order of
    first appearance, each once. Those primitives pass their first input through; the renderer
    records a warning for each kind.

    Examples
    --------
    >>> from svgkit.scene import Filter, FilterPrimitive
    >>> odd = FilterPrimitive("feFancy", (), "", (0, 0, 10, 10), True, {})
    >>> blur = FilterPrimitive("feGaussianBlur", ("",), "", (0, 0, 10, 10), True, {"std_dev": 1})
    >>> unsupported_kinds(Filter("f", (0, 0, 10, 10), (odd, blur, odd)))
    ['feFancy']
    """
    seen: list[str] = []
    for prim in filt.primitives:
        if prim.kind not in SUPPORTED_KINDS and prim.kind not in seen:
            seen.append(prim.kind)
    return seen


def _resolve_input(
    ctx: _Context, name: str, results: dict[str, _Image], previous: _Image | None
) -> _Image:
    if name == "SourceAlpha":
        return ctx.source_alpha()
    if name == "SourceGraphic" or name in _SOURCE_GRAPHIC_STANDINS:
        return ctx.source
    if name and name in results:
        return results[name]
    # "" and references to results that do not exist (yet) mean the previous result
    return previous if previous is not None else ctx.source


def _input_region(
    ctx: _Context,
    name: str,
    regions: dict[str, Box],
    previous: _Image | None,
    previous_region: Box,
) -> Box:
    """The subregion of the primitive an input name resolves to (the work area for the sources),
    following :func:`_resolve_input`."""
    if name in ("SourceAlpha", "SourceGraphic") or name in _SOURCE_GRAPHIC_STANDINS:
        return ctx.full
    if name and name in regions:
        return regions[name]
    return previous_region if previous is not None else ctx.full


def apply_filter(
    layer: np.ndarray,
    filt: Filter,
    to_output: tuple[float, float, float, float, float, float],
    *,
    deadline: Deadline | None = None,
    images: Mapping[int, np.ndarray] | None = None,
) -> np.ndarray:
    """Run a filter over a rendered layer.

    Parameters
    ----------
    layer
        ``(H, W, 4)`` float32 premultiplied RGBA in [0, 1]: the element rendered alone (the
        ``SourceGraphic``) in output pixels. Other float dtypes are converted. It is only read.
    filt
        The resolved filter: region and primitive subregions in canvas device px, lengths
        (std deviations, offsets, radii) in canvas device px.
    to_output
        The affine ``(a, b, c, d, e, f)`` from canvas device px to output px,
        ``(x, y) ↦ (a x + c y + e, b x + d y + f)``. Lengths scale by ``hypot(a, b)`` along x and
        ``hypot(c, d)`` along y; offsets by the linear part.
    deadline
        Checked before each primitive; raises the deadline's error (``RENDER_TIMEOUT`` while
        rendering) when spent.
    images
        For ``feImage`` primitives: the image each one places, by its index in
        ``filt.primitives``, drawn by the renderer as a layer-sized ``(H, W, 4)`` float32
        premultiplied sRGB array (the same pixel grid as ``layer``). A missing entry is a
        transparent image.

    Returns
    -------
    numpy.ndarray
        A new ``(H, W, 4)`` float32 array of premultiplied RGBA: the filter result, transparent
        outside the filter region (and everywhere when the filter has no primitives or an empty
        region).

    Raises
    ------
    ValueError
        ``layer`` is not an ``(H, W, 4)`` array.

    Notes
    -----
    1. The filter region (canvas device px) is mapped through ``to_output`` to output pixels,
       rounded outwards and clipped to the layer. Every intermediate image is a buffer of exactly
       that size (the *work area*); the layer is read only there.
    2. Each primitive's subregion is mapped the same way and intersected with the region. Every
       image also carries the box where it may be non-zero, so each operation touches only the
       pixels that can change (a blur of a small shape in a large region costs the shape, not
       the region).
    3. Results are tagged with their colour space (sRGB or linearRGB). A primitive converts each
       input to its own space on first use, and the conversion is cached on the input, so a
       result read by several primitives is converted once. ``SourceAlpha`` has no colour and is
       never converted; ``feOffset`` and pass-through results keep their input's space (moving
       pixels commutes with the conversion).
    4. The last result is converted to sRGB, clamped to premultiplied-valid values and pasted
       into a transparent layer-sized array.

    Examples
    --------
    >>> import numpy as np
    >>> from svgkit.scene import Filter, FilterPrimitive
    >>> layer = np.zeros((8, 8, 4), np.float32)
    >>> flood = FilterPrimitive("feFlood", (), "", (2, 2, 4, 4), False, {"rgba": (1, 0, 0, 0.5)})
    >>> out = apply_filter(layer, Filter("f", (0, 0, 8, 8), (flood,)), (1, 0, 0, 1, 0, 0))
    >>> out[3, 3].tolist(), out[0, 0].tolist()
    ([0.5, 0.0, 0.0, 0.5], [0.0, 0.0, 0.0, 0.0])
    """
    pixels = np.asarray(layer)
    if pixels.ndim != 3 or pixels.shape[2] != 4:
        raise ValueError(
            f"Expected `layer` to be an array of shape (H, W, 4), but got {pixels.shape}"
        )
    height, width = pixels.shape[:2]
    result = np.zeros((height, width, 4), np.float32)
    region = filter_pixel_box(filt.region, to_output, width, height)
    if _is_empty(region) or not filt.primitives:
        return result

    arena = _Arena()
    try:
        a, b, c, d = (_finite(v) for v in to_output[:4])
        x0, y0, x1, y1 = region
        work_w, work_h = x1 - x0, y1 - y0
        # the renderer's layer is valid premultiplied data and no operation writes into its
        # inputs, so the source is read in place when it already is contiguous float32
        source_pixels = pixels[y0:y1, x0:x1]
        if source_pixels.dtype != np.float32 or not source_pixels.flags.c_contiguous:
            copy = arena.empty((work_h, work_w, 4))
            copy[...] = source_pixels
            source_pixels = copy
        e, f = (_finite(v) for v in to_output[4:6])
        ctx = _Context(
            width=work_w,
            height=work_h,
            linear=(a, b, c, d),
            length_scale=(math.hypot(a, b), math.hypot(c, d)),
            source=_Image(source_pixels, (0, 0, work_w, work_h), _SRGB),
            arena=arena,
            origin=(x0, y0),
            to_output=(a, b, c, d, e, f),
            images=images,
        )
        results: dict[str, _Image] = {}
        # the subregion of the primitive that produced each result (feTile repeats it)
        regions: dict[str, Box] = {}
        previous: _Image | None = None
        previous_region = ctx.full
        for index, prim in enumerate(filt.primitives):
            if deadline is not None:
                deadline.check()
            sub = _intersect(
                _shift(filter_pixel_box(prim.subregion, to_output, width, height), -x0, -y0),
                ctx.full,
            )
            if prim.kind == "feMerge":
                names = list(prim.inputs)  # a merge without nodes is transparent
            else:
                n_inputs = _N_INPUTS.get(prim.kind, 1)
                names = list(prim.inputs[:n_inputs]) + [""] * (n_inputs - len(prim.inputs))
            inputs = [_resolve_input(ctx, name, results, previous) for name in names]
            ctx.index = index
            ctx.input_regions = [
                _input_region(ctx, name, regions, previous, previous_region) for name in names
            ]
            if _is_empty(sub):
                out = _transparent(ctx)
            else:
                out = _OPS.get(prim.kind, _op_passthrough)(ctx, prim, inputs, sub)
            if prim.result:
                results[prim.result] = out
                regions[prim.result] = sub
            previous = out
            previous_region = sub

        assert previous is not None
        box = previous.box
        if not _is_empty(box):
            bx0, by0, bx1, by1 = box
            convert = previous.space == _LINEAR
            # one pass: back to sRGB, clamped to valid premultiplied values, into the layer
            _finish_kernel(previous.pixels, result, _TO_SRGB, convert, by0, by1, bx0, bx1, y0, x0)
    finally:
        arena.release()
    return result
