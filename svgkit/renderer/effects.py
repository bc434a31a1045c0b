"""Filters, masks and patterns for the cairo renderer.

The draw loop (:mod:`svgkit.renderer.draw`) calls into this module only for documents that use one
of these effects, so a document without them never imports it (nor the numba filter engine).

Filters
-------
A group with ``filter_index >= 0`` is drawn into its own ARGB32 image surface covering the filter
region's pixel box (the region mapped to output pixels, rounded outwards, clipped to the output)
with a device offset, so the draw code keeps working in output pixels. When the group closes the
surface is converted to float32 premultiplied RGBA, run through
:func:`svgkit.renderer.filters.apply_filter` and painted back onto the parent with the group's
clip, mask and opacity, in that order (SVG applies filter, clipping, masking, opacity).

Masks
-----
``mask.content`` is drawn with the parent's output mapping into an ARGB32 surface clipped to the
mask region; the mask value of a pixel is ``0.2125 R + 0.7154 G + 0.0721 B`` of its premultiplied
sRGB colour (luminance times alpha) for luminance masks and its alpha for alpha masks; a nested
``mask.mask`` multiplies in. The value, times the group's opacity (and its ``clip-path`` when that
is not a plain cairo clip), becomes an A8 surface the group layer is painted through.

Patterns
--------
``pattern.content`` is drawn once per render into a tile surface at the device scale of
``T_out ∘ pattern.transform`` (sides ``round(w · s)``, at least 1 px, at most
:data:`MAX_TILE_SIDE`), and used as a repeating cairo ``SurfacePattern`` whose matrix maps output
pixels back into tile pixels. ``docs/filters.md`` (section Rendering) gives the exact rules and
limits. A tile edge under one output pixel is averaged along that edge, and a tile under a pixel
both ways paints its content's mean colour (see :func:`_tile_surface`): pixman samples in 16.16
fixed point and cannot shrink a surface that far (it fails with ``CAIRO_STATUS_NO_MEMORY`` or
paints nothing).
"""

from __future__ import annotations

import math
import sys
import threading
from typing import Any, NamedTuple

import cairo
import numpy as np
import numpy.typing as npt
from numba import njit

from ..affine import IDENTITY, Affine, invert, multiply, singular_values
from ..scene import Group, Scene
from .layers import Layer, apply_simple_clip, clip_is_simple, clip_mask, open_layer
from .state import RenderState, cairo_matrix, prepare_points

__all__ = [
    "MAX_FILTER_PIXELS_PER_RENDER",
    "MAX_TILE_PIXELS_PER_RENDER",
    "MAX_TILE_SIDE",
    "close_effect_layer",
    "effect_hides",
    "grow_bounds_for_filters",
    "open_effect_layer",
    "set_pattern_source",
]

#: Largest side of a pattern tile surface in pixels; a tile that would be larger at the output
#: resolution is drawn at a lower resolution and scaled up.
MAX_TILE_SIDE = 4096
#: Pixels of pattern tiles one render may allocate (nested renders included); further pattern
#: paints fall back to the pattern content's mean colour.
MAX_TILE_PIXELS_PER_RENDER = 1 << 26
#: Pixels of filter regions one render may run filters over (nested renders included; about 256
#: full-canvas filters at 512 × 512); further filtered groups are drawn without their filter.
MAX_FILTER_PIXELS_PER_RENDER = 1 << 26
#: How deep masks of masks are followed.
_MAX_MASK_DEPTH = 16
#: Largest side of a cairo image surface.
_MAX_SURFACE_SIDE = 32767

Box = tuple[int, int, int, int]
_EMPTY: Box = (0, 0, 0, 0)
_SNAP = 1e-3  # an edge within this of a whole pixel snaps to it (float noise from transforms)

# byte positions of R, G, B, A inside one ARGB32 pixel in memory
_ORDER = np.array((2, 1, 0, 3) if sys.byteorder == "little" else (1, 2, 3, 0), dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# pixel boxes and surface access
# ---------------------------------------------------------------------------------------------


def _pixel_box(
    rect: tuple[float, float, float, float], t: Affine, width: int, height: int, margin: int = 0
) -> Box:
    """``(x, y, w, h)`` in canvas px → whole output pixels ``(x0, y0, x1, y1)``, rounded outwards
    and clipped to ``width × height`` grown by ``margin`` pixels on each side (the same rule as
    :func:`svgkit.renderer.filters.filter_pixel_box`, kept here so masks do not import the filter
    engine)."""
    x, y, w, h = (float(v) for v in rect)
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w <= 0.0 or h <= 0.0:
        return _EMPTY
    a, b, c, d, e, f = t
    corners = ((x, y), (x + w, y), (x, y + h), (x + w, y + h))
    xs = [a * px + c * py + e for px, py in corners]
    ys = [b * px + d * py + f for px, py in corners]
    if not all(math.isfinite(v) for v in xs + ys):
        return _EMPTY
    x0 = max(-margin, math.floor(max(-1e9, min(xs)) + _SNAP))
    y0 = max(-margin, math.floor(max(-1e9, min(ys)) + _SNAP))
    x1 = min(int(width) + margin, math.ceil(min(1e9, max(xs)) - _SNAP))
    y1 = min(int(height) + margin, math.ceil(min(1e9, max(ys)) - _SNAP))
    if x1 <= x0 or y1 <= y0:
        return _EMPTY
    return (x0, y0, x1, y1)


def _intersect(a: Box, b: Box) -> Box:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else _EMPTY


def _is_empty(b: Box) -> bool:
    return b[2] <= b[0] or b[3] <= b[1]


def _argb_pixels(surface: Any) -> npt.NDArray[np.uint8]:
    """A writable ``(h, w, 4)`` uint8 view of an ARGB32 surface's memory (bytes in memory
    order: ``_ORDER`` gives the positions of R, G, B and A)."""
    h, w, stride = surface.get_height(), surface.get_width(), surface.get_stride()
    raw = np.frombuffer(surface.get_data(), dtype=np.uint8, count=h * stride)
    return raw.reshape(h, stride)[:, : 4 * w].reshape(h, w, 4)


@njit(cache=True, nogil=True)
def _bytes_to_float(src: np.ndarray, out: np.ndarray, order: np.ndarray) -> None:
    """Premultiplied ARGB32 bytes ``(h, w, 4)`` → float32 RGBA; ``order`` holds the byte
    positions of R, G, B, A."""
    scale = np.float32(1.0 / 255.0)
    for y in range(src.shape[0]):
        for x in range(src.shape[1]):
            for c in range(4):
                out[y, x, c] = np.float32(src[y, x, order[c]]) * scale


@njit(cache=True, nogil=True)
def _float_to_bytes(src: np.ndarray, out: np.ndarray, order: np.ndarray) -> None:
    """Float32 premultiplied RGBA in [0, 1] → ARGB32 bytes, rounded to nearest."""
    for y in range(src.shape[0]):
        for x in range(src.shape[1]):
            for c in range(4):
                v = src[y, x, c] * np.float32(255.0) + np.float32(0.5)
                if not v >= 1.0:  # NaN included
                    out[y, x, order[c]] = 0
                elif v >= 255.0:
                    out[y, x, order[c]] = 255
                else:
                    out[y, x, order[c]] = np.uint8(v)


@njit(cache=True, nogil=True)
def _mask_kernel(src: np.ndarray, out: np.ndarray, order: np.ndarray, luminance: bool) -> None:
    """Mask values from premultiplied ARGB32 bytes: ``0.2125 R + 0.7154 G + 0.0721 B`` of the
    premultiplied colour (the straight colour's luminance times alpha), or the alpha."""
    for y in range(src.shape[0]):
        for x in range(src.shape[1]):
            if luminance:
                v = (
                    np.float32(0.2125) * np.float32(src[y, x, order[0]])
                    + np.float32(0.7154) * np.float32(src[y, x, order[1]])
                    + np.float32(0.0721) * np.float32(src[y, x, order[2]])
                )
            else:
                v = np.float32(src[y, x, order[3]])
            out[y, x] = v * np.float32(1.0 / 255.0)


class _Scratch(threading.local):
    """One float buffer per thread for the filter's source layer, kept between renders: on a
    virtual machine a fresh multi-megabyte array costs about 1 ms in page faults, as much as
    converting the pixels. It is only used between reading a surface and the end of
    ``apply_filter`` (which only reads it), a window no other filter layer opens inside."""

    def __init__(self) -> None:
        self.buffer = np.empty(0, np.float32)


_SCRATCH = _Scratch()
_SCRATCH_KEEP = 1 << 23  # floats (32 MB) at most kept between calls


def _surface_to_float(surface: Any) -> npt.NDArray[np.float32]:
    """ARGB32 (premultiplied) → ``(h, w, 4)`` float32 premultiplied RGBA in [0, 1], in the
    thread's scratch buffer (valid until the next call)."""
    px = _argb_pixels(surface)
    n = px.size
    if n > _SCRATCH_KEEP:
        out = np.empty(px.shape, np.float32)
    else:
        if _SCRATCH.buffer.size < n:
            _SCRATCH.buffer = np.empty(n, np.float32)
        out = _SCRATCH.buffer[:n].reshape(px.shape)
    _bytes_to_float(px, out, _ORDER)
    return out


def _a8_surface(values: npt.NDArray[np.float32]) -> Any:
    """``(h, w)`` values in [0, 1] → a new A8 surface."""
    h, w = values.shape
    surface = cairo.ImageSurface(cairo.FORMAT_A8, w, h)
    surface.flush()
    stride = surface.get_stride()
    raw = np.frombuffer(surface.get_data(), dtype=np.uint8, count=h * stride).reshape(h, stride)
    scaled = values * np.float32(255.0)
    scaled += np.float32(0.5)
    np.clip(scaled, 0.0, 255.0, out=scaled)
    raw[:, :w] = scaled
    surface.mark_dirty()
    return surface


def _budget(st: RenderState) -> list[int]:
    """Pixels left for ``[pattern tiles, filter regions]``, shared with nested renders."""
    if st.effect_budget is None:
        st.effect_budget = [MAX_TILE_PIXELS_PER_RENDER, MAX_FILTER_PIXELS_PER_RENDER]
    return st.effect_budget


def _nested_state(
    st: RenderState, scene: Scene, ctx: Any, width: int, height: int, t: Affine
) -> RenderState:
    """A RenderState for a nested Scene (mask or pattern content) drawn onto ``ctx``."""
    codes, points, cmd_offsets, pt_offsets = prepare_points(scene, t)
    nested = RenderState(
        scene,
        ctx,
        width,
        height,
        t,
        codes,
        points,
        cmd_offsets,
        pt_offsets,
        st.max_image_pixels,
        st.draw_nested,
    )
    nested.effect_budget = _budget(st)  # shared: one budget for the whole render
    nested.deadline = st.deadline
    nested.warnings = st.warnings
    return nested


# ---------------------------------------------------------------------------------------------
# group effects: filter and mask layers
# ---------------------------------------------------------------------------------------------


class _Grid(NamedTuple):
    """The pixel grid a filter under a skew or rotation runs on: its own space scaled to about
    output resolution, so that the grid is axis-aligned with the filter region."""

    width: int
    height: int
    to_grid: Affine  # filter space → grid pixels: a scale and a translation
    to_output: Affine  # grid pixels → output px


class _Effect:
    """What an effect layer needs when it closes."""

    __slots__ = ("parent", "surface", "box", "filter_index", "mask_index", "grid")

    def __init__(self, parent: Any, filter_index: int, mask_index: int) -> None:
        self.parent = parent  # the cairo context to paint the result onto
        self.surface: Any = None  # the filter's SourceGraphic surface
        self.box: Box = _EMPTY  # its pixel box
        self.filter_index = filter_index
        self.mask_index = mask_index
        # set when the filter runs on its own grid; ``surface`` is then a recording surface
        self.grid: _Grid | None = None


def _filter_matrix(st: RenderState, filt: Any) -> Affine:
    """The filter's own space (see ``Filter.transform``) → output px."""
    return st.t_out if filt.transform == IDENTITY else multiply(st.t_out, filt.transform)


def _filter_box(st: RenderState, k: int) -> Box:
    filt = st.scene.filters[k]
    return _pixel_box(filt.region, _filter_matrix(st, filt), st.width, st.height)


# Primitives whose output pixel reads other input pixels: only through them can content outside
# the output reach it (offsets are checked for being non-zero).
_SPATIAL_KINDS = frozenset(
    {
        "feConvolveMatrix",
        "feDiffuseLighting",
        "feDisplacementMap",
        "feDropShadow",
        "feGaussianBlur",
        "feMorphology",
        "feOffset",
        "feSpecularLighting",
        "feTile",
    }
)


def _moves_pixels(filt: Any) -> bool:
    for prim in filt.primitives:
        if prim.kind == "feOffset":
            if prim.params.get("dx", 0.0) != 0.0 or prim.params.get("dy", 0.0) != 0.0:
                return True
        elif prim.kind in _SPATIAL_KINDS:
            return True
    return False


def _filter_work_box(st: RenderState, k: int) -> Box:
    """Filter ``k``'s region in output pixels *not* clipped to the output when one of its
    primitives reads neighbouring pixels: content just outside the canvas is part of
    ``SourceGraphic`` and feeds a blur or an offset inside it. The region is still bounded by the
    output grown by one output size on each side (content further out could only reach the
    output through offsets of more than a canvas). A filter of per-pixel primitives only needs
    (and gets) the region clipped to the output."""
    filt = st.scene.filters[k]
    if not _moves_pixels(filt):
        return _filter_box(st, k)
    margin = max(st.width, st.height)
    return _pixel_box(filt.region, _filter_matrix(st, filt), st.width, st.height, margin)


# Primitives whose result does not depend on the orientation of the pixel grid, as long as the
# grid is a rotated (or mirrored) copy of the filter space at the same scale: per-pixel
# operations, offsets (mapped through the transform) and isotropic blurs.
_ROTATION_SAFE_KINDS = frozenset(
    {
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feDropShadow",
        "feFlood",
        "feGaussianBlur",
        "feMerge",
        "feOffset",
    }
)
_CONFORMAL_EPS = 1e-9


def _needs_grid(st: RenderState, filt: Any) -> bool:
    """Whether a filter with a ``transform`` must run on its own grid (:func:`_filter_grid`).

    Running it straight in output px gives the same picture, without resampling it twice and
    at no extra cost, when the filter space maps to output px by a rotation or mirror times a
    uniform scale, every primitive is in :data:`_ROTATION_SAFE_KINDS` with an isotropic blur,
    and every subregion is the filter region (the region itself is clipped exactly when the
    result is painted). Drop shadows on rotated elements, the common case, take that path."""
    a, b, c, d = _filter_matrix(st, filt)[:4]
    k = math.hypot(a, b)
    rotation = abs(a - d) <= _CONFORMAL_EPS * k and abs(b + c) <= _CONFORMAL_EPS * k
    mirror = abs(a + d) <= _CONFORMAL_EPS * k and abs(b - c) <= _CONFORMAL_EPS * k
    if not (k > 0.0 and (rotation or mirror)):
        return True
    for prim in filt.primitives:
        if prim.kind not in _ROTATION_SAFE_KINDS or prim.subregion != filt.region:
            return True
        std = prim.params.get("std_dev")
        if isinstance(std, (tuple, list)) and len(std) == 2 and std[0] != std[1]:
            return True
    return False


def _filter_grid(st: RenderState, filt: Any, box: Box) -> _Grid | None:
    """The grid a filter with a rotated or skewed ``transform`` runs on, covering the part of
    its region whose pixels map into the output pixel ``box`` (``None``: degenerate).

    The grid scales the filter space by the lengths ``kx``, ``ky`` of the columns of its
    mapping to output px, so a grid pixel has the area of an output pixel when that mapping is
    a rotation and lengths keep their output size along each axis."""
    to_out = _filter_matrix(st, filt)
    kx, ky = math.hypot(to_out[0], to_out[1]), math.hypot(to_out[2], to_out[3])
    if not (math.isfinite(kx) and math.isfinite(ky) and kx > 0.0 and ky > 0.0):
        return None
    grid_to_out = multiply(to_out, (1.0 / kx, 0.0, 0.0, 1.0 / ky, 0.0, 0.0))
    back = invert(grid_to_out)
    if back is None or not all(math.isfinite(v) for v in back):
        return None
    x0, y0, x1, y1 = box
    # the grid pixels that land in ``box``, one pixel more around for the resampling
    reach = _pixel_box((x0, y0, x1 - x0, y1 - y0), back, 1 << 30, 1 << 30, 1 << 30)
    reach = (reach[0] - 1, reach[1] - 1, reach[2] + 1, reach[3] + 1)
    scale: Affine = (kx, 0.0, 0.0, ky, 0.0, 0.0)
    full = _pixel_box(filt.region, scale, 1 << 30, 1 << 30, 1 << 30)
    gx0, gy0, gx1, gy1 = _intersect(full, reach)
    if gx1 <= gx0 or gy1 <= gy0:
        if _is_empty(full):
            return None
        # no grid pixel reaches the output (rounding at its edge): nothing of the result shows,
        # but the layer must still hide the unfiltered content
        gx0, gy0, gx1, gy1 = full[0], full[1], full[0] + 1, full[1] + 1
    if max(gx1 - gx0, gy1 - gy0) > _MAX_SURFACE_SIDE:
        return None
    return _Grid(
        gx1 - gx0,
        gy1 - gy0,
        (kx, 0.0, 0.0, ky, -float(gx0), -float(gy0)),
        multiply(grid_to_out, (1.0, 0.0, 0.0, 1.0, float(gx0), float(gy0))),
    )


def _area(box: Box) -> int:
    return 0 if _is_empty(box) else (box[2] - box[0]) * (box[3] - box[1])


def _mask_matrix(st: RenderState, mask: Any) -> Affine:
    """The mask region's space (see ``Mask.transform``) → output px."""
    return st.t_out if mask.transform == IDENTITY else multiply(st.t_out, mask.transform)


def _mask_box(st: RenderState, k: int) -> Box:
    mask = st.scene.masks[k]
    return _pixel_box(mask.region, _mask_matrix(st, mask), st.width, st.height)


def effect_hides(st: RenderState, grp: Group) -> bool:
    """Whether ``grp``'s filter or mask makes everything under it invisible: a filter without
    primitives or with an empty region (SVG: the element is not rendered), a filter or mask
    region outside the output, or a reference out of range."""
    s = st.scene
    fi, mi = grp.filter_index, grp.mask_index
    if fi >= 0:
        if fi >= len(s.filters) or not s.filters[fi].primitives:
            return True
        if _is_empty(_filter_box(st, fi)):
            return True
    if mi >= 0:
        if mi >= len(s.masks) or _is_empty(_mask_box(st, mi)):
            return True
    return False


def grow_bounds_for_filters(
    st: RenderState, chain: list[tuple[int, ...]], group_of: list[int]
) -> None:
    """Grow the paint bounds of every primitive under a filtered group by that filter's region:
    a filter paints wherever its region reaches (a blur spreads, a flood fills), and layers that
    enclose the filtered group must not be cut to the primitives' own extent."""
    boxes: dict[int, Box] = {}
    for grp in st.scene.groups:
        if 0 <= grp.filter_index < len(st.scene.filters):
            box = _filter_box(st, grp.filter_index)
            if not _is_empty(box):
                boxes[grp.index] = box
    if not boxes:
        return
    # per group: the union of the filter boxes of the filtered groups enclosing it
    grown: dict[int, Box] = {}
    for g, enclosing in enumerate(chain):
        found = [boxes[gi] for gi in enclosing if gi in boxes]
        if found:
            grown[g] = (
                min(b[0] for b in found),
                min(b[1] for b in found),
                max(b[2] for b in found),
                max(b[3] for b in found),
            )
    if not grown:
        return
    bounds = st.bounds
    owner = np.asarray(group_of, dtype=np.int64)
    for g, box in grown.items():
        rows = owner == g
        bounds[rows, 0] = np.fmin(bounds[rows, 0], box[0])
        bounds[rows, 1] = np.fmin(bounds[rows, 1], box[1])
        bounds[rows, 2] = np.fmax(bounds[rows, 2], box[2])
        bounds[rows, 3] = np.fmax(bounds[rows, 3], box[3])


def open_effect_layer(
    st: RenderState, grp: Group, bounds: tuple[float, float, float, float] | None
) -> Layer:
    """Open the layer of a group with a filter and/or a mask (see the module docstring)."""
    filter_index = grp.filter_index
    box = _EMPTY
    grid: _Grid | None = None
    if filter_index >= 0:
        # the whole region when the budget allows, else only its part on the output
        box = _filter_work_box(st, filter_index)
        budget = _budget(st)
        area = _area(box)
        if area > budget[1] or max(box[2] - box[0], box[3] - box[1]) > _MAX_SURFACE_SIDE:
            box = _filter_box(st, filter_index)
            area = _area(box)
        filt = st.scene.filters[filter_index]
        if filt.transform != IDENTITY and area <= budget[1] and _needs_grid(st, filt):
            grid = _filter_grid(st, filt, box)
            area = 0 if grid is None else max(area, grid.width * grid.height)
            if grid is None:
                st.warn(
                    "FILTER_NOT_APPLIED",
                    "the filter's transform leaves no pixel grid; drawn without the filter",
                    "filter",
                )
                filter_index = -1
        if filter_index >= 0 and area > budget[1]:
            st.warn(
                "FILTER_NOT_APPLIED",
                "filter regions exceed the per-render pixel budget; drawn without the filter",
                "filter",
            )
            filter_index = -1
        else:
            budget[1] -= area
    if filter_index < 0 and grp.mask_index < 0:
        return open_layer(st, grp.clip, grp.opacity, bounds)
    ctx = st.ctx
    ctx.save()
    mask_clip = -1
    if grp.clip >= 0:
        if clip_is_simple(st, grp.clip):
            apply_simple_clip(st, grp.clip)
            ctx.new_path()
        else:
            mask_clip = grp.clip
    layer = Layer(True, mask_clip, grp.opacity)
    effect = _Effect(ctx, filter_index, grp.mask_index)
    layer.effect = effect
    if filter_index >= 0:
        for kind in _unsupported(st.scene.filters[filter_index]):
            st.warn(
                "UNSUPPORTED_EFFECT",
                f"<{kind}> is not implemented; it passes its input through",
                kind,
            )
        x0, y0, x1, y1 = box
        surface: Any
        if grid is None:
            surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, x1 - x0, y1 - y0)
            surface.set_device_offset(-x0, -y0)
        else:
            # recorded in output px and replayed onto the filter's grid when the group closes:
            # the replay maps the vector drawing, so nothing is resampled before the filter
            extents = cairo.Rectangle(x0, y0, x1 - x0, y1 - y0)
            surface = cairo.RecordingSurface(cairo.CONTENT_COLOR_ALPHA, extents)
        effect.surface, effect.box, effect.grid = surface, box, grid
        st.ctx = cairo.Context(surface)
    else:
        # a mask only: draw in a pushed group, bounded by the mask region (invisible outside)
        x0, y0, x1, y1 = _mask_box(st, grp.mask_index)
        if bounds is not None:
            x0 = max(x0, math.floor(bounds[0]) - 1)
            y0 = max(y0, math.floor(bounds[1]) - 1)
            x1 = min(x1, math.ceil(bounds[2]) + 1)
            y1 = min(y1, math.ceil(bounds[3]) + 1)
        ctx.rectangle(x0, y0, max(0, x1 - x0), max(0, y1 - y0))
        ctx.clip()
        ctx.push_group()
    return layer


def _unsupported(filt: Any) -> list[str]:
    from .filters import unsupported_kinds

    return unsupported_kinds(filt)


def _filtered(st: RenderState, effect: _Effect) -> Any:
    """Run the group's filter over its SourceGraphic surface and write the result back into
    it (its memory is already paged in); returned without device offset."""
    from .filters import apply_filter

    x0, y0, x1, y1 = effect.box
    filt = st.scene.filters[effect.filter_index]
    grid = effect.grid
    surface = effect.surface
    if grid is None:
        surface.flush()
        t = _filter_matrix(st, filt)
        to_layer: Affine = (t[0], t[1], t[2], t[3], t[4] - x0, t[5] - y0)
        width, height = x1 - x0, y1 - y0
    else:
        recording = surface
        recording.flush()
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, grid.width, grid.height)
        replay = cairo.SurfacePattern(recording)
        replay.set_matrix(cairo_matrix(grid.to_output))
        gctx = cairo.Context(surface)
        gctx.set_source(replay)
        gctx.paint()
        del gctx
        surface.flush()
        to_layer, width, height = grid.to_grid, grid.width, grid.height
    images = _fe_images(st, filt, width, height, to_layer)
    layer = _surface_to_float(surface)
    result = apply_filter(layer, filt, to_layer, deadline=st.deadline, images=images)
    _float_to_bytes(result, _argb_pixels(surface), _ORDER)
    surface.mark_dirty()
    surface.set_device_offset(0, 0)
    return surface


def _fe_images(
    st: RenderState, filt: Any, width: int, height: int, t: Affine
) -> dict[int, npt.NDArray[np.float32]]:
    """The picture of each ``feImage`` primitive with content (a nested Scene in the filter's
    space), drawn through ``t`` (filter space → layer pixels) onto a ``width × height`` layer as
    float32 premultiplied RGBA. Each counts against the render's filter pixel budget; past it
    the primitive places nothing, with a warning."""
    images: dict[int, npt.NDArray[np.float32]] = {}
    box = (0, 0, width, height)
    for i, prim in enumerate(filt.primitives):
        content = prim.params.get("content") if prim.kind == "feImage" else None
        if not isinstance(content, Scene) or not len(content):
            continue
        budget = _budget(st)
        if _area(box) > budget[1]:
            st.warn(
                "FILTER_NOT_APPLIED",
                "feImage exceeds the per-render filter pixel budget; it places nothing",
                "feImage",
            )
            continue
        budget[1] -= _area(box)
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
        nested = _nested_state(st, content, cairo.Context(surface), width, height, t)
        st.draw_nested(nested)
        surface.flush()
        pixels = np.empty((height, width, 4), np.float32)
        _bytes_to_float(_argb_pixels(surface), pixels, _ORDER)
        images[i] = pixels
    return images


def close_effect_layer(st: RenderState, layer: Layer) -> None:
    """Composite an effect layer onto its parent: filter result (or pushed group), then the
    clip, the mask and the opacity."""
    effect: _Effect = layer.effect
    parent = effect.parent
    if effect.filter_index >= 0:
        st.ctx = parent
        result = _filtered(st, effect)
        x0, y0, x1, y1 = effect.box
        parent.rectangle(x0, y0, x1 - x0, y1 - y0)
        parent.clip()
        filt = st.scene.filters[effect.filter_index]
        if filt.transform != IDENTITY:
            _clip_to_region(parent, filt.region, _filter_matrix(st, filt))
        if effect.grid is None:
            parent.set_source_surface(result, x0, y0)
        else:
            _set_grid_source(effect, result)
    else:
        parent.pop_group_to_source()
    if effect.mask_index >= 0:
        box = _mask_box(st, effect.mask_index)
        values = _mask_values(st, effect.mask_index, box, 0)
        if values is not None:
            if layer.alpha < 1.0:
                values *= np.float32(layer.alpha)
            mask = _a8_surface(values)
            if layer.mask_clip >= 0:
                clip = clip_mask(st, layer.mask_clip)
                mctx = cairo.Context(mask)
                mctx.set_operator(cairo.OPERATOR_DEST_IN)
                if clip is not None:
                    mctx.set_source_surface(clip.surface, clip.x - box[0], clip.y - box[1])
                else:  # the clip hides everything
                    mctx.set_source_rgba(0, 0, 0, 0)
                mctx.paint()
                mask.flush()
            parent.mask_surface(mask, box[0], box[1])
    elif layer.mask_clip >= 0:
        clip = clip_mask(st, layer.mask_clip, layer.alpha)
        if clip is not None:
            parent.mask_surface(clip.surface, clip.x, clip.y)
    elif layer.alpha < 1.0:
        parent.paint_with_alpha(layer.alpha)
    else:
        parent.paint()
    parent.restore()


def _clip_to_region(ctx: Any, rect: tuple[float, float, float, float], m: Affine) -> None:
    """Clip ``ctx`` (output px) to the parallelogram ``rect`` maps to through ``m``."""
    rx, ry, rw, rh = rect
    ctx.new_path()
    for i, (px, py) in enumerate(((rx, ry), (rx + rw, ry), (rx + rw, ry + rh), (rx, ry + rh))):
        x, y = m[0] * px + m[2] * py + m[4], m[1] * px + m[3] * py + m[5]
        if i == 0:
            ctx.move_to(x, y)
        else:
            ctx.line_to(x, y)
    ctx.close_path()
    ctx.clip()


def _set_grid_source(effect: _Effect, result: Any) -> None:
    """Set a filter result computed on its own grid as the parent's source, mapped back to
    output px (bilinear)."""
    grid = effect.grid
    assert grid is not None
    parent = effect.parent
    pattern = cairo.SurfacePattern(result)
    back = invert(grid.to_output)
    pattern.set_matrix(cairo_matrix(back if back is not None else IDENTITY))
    # the grid is rounded outwards around the region: padding only reaches pixels the
    # parallelogram clip has already cut
    pattern.set_extend(cairo.EXTEND_PAD)
    pattern.set_filter(cairo.FILTER_BILINEAR)
    parent.set_source(pattern)


def _mask_values(st: RenderState, k: int, box: Box, depth: int) -> npt.NDArray[np.float32] | None:
    """Mask ``k``'s value over the output pixels of ``box`` (``None``: the box is empty)."""
    if _is_empty(box):
        return None
    x0, y0, x1, y1 = box
    values = np.zeros((y1 - y0, x1 - x0), np.float32)
    mask = st.scene.masks[k]
    inner = _intersect(_mask_box(st, k), box)
    if not _is_empty(inner) and len(mask.content):
        ix0, iy0, ix1, iy1 = inner
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, ix1 - ix0, iy1 - iy0)
        surface.set_device_offset(-ix0, -iy0)
        mctx = cairo.Context(surface)
        # the exact (anti-aliased) region: the pixel box only rounds it outwards
        _clip_to_region(mctx, mask.region, _mask_matrix(st, mask))
        t = st.t_out
        st.draw_nested(_nested_state(st, mask.content, mctx, st.width, st.height, t))
        surface.flush()
        window = values[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0]
        _mask_kernel(_argb_pixels(surface), window, _ORDER, mask.luminance)
    if mask.mask >= 0 and mask.mask < len(st.scene.masks) and depth < _MAX_MASK_DEPTH:
        nested = _mask_values(st, mask.mask, box, depth + 1)
        if nested is not None:
            values *= nested
    return values


# ---------------------------------------------------------------------------------------------
# patterns
# ---------------------------------------------------------------------------------------------


def _tile_side(size: float, scale: float) -> tuple[int, float]:
    """Tile side in pixels and the scale its content is drawn at.

    As resvg does, the side is ``round(size · scale)`` and the content is drawn at the exact
    device scale, so the tile repeats every ``round(size · scale) / scale`` units (within half a
    pixel of ``size``) and its content is never resampled. A side clamped to
    ``[1, MAX_TILE_SIDE]`` keeps the exact period instead: the content is drawn at
    ``side / size`` and scaled by the pattern matrix.
    """
    raw = math.floor(min(size * scale, 1e9) + 0.5)  # halves round up, as resvg (Rust) does
    side = max(1, min(MAX_TILE_SIDE, raw))
    return side, (scale if side == raw else side / size)


_FALLBACK = "mean colour"  # cache marker: the tile was over the pixel budget
#: Pixels across which the content of a tile thinner than an output pixel is drawn before it is
#: averaged (see :func:`_tile_surface`).
_MEAN_SIDE = 16
#: Most tile pixels per output pixel across a tile edge (see :func:`_lattice_scales`), and
#: largest tile-pixel coordinate of a drawn pixel: pixman samples in 16.16 fixed point, so a
#: larger coordinate wraps (the paint comes out transparent) and a much larger scale makes cairo
#: fail with CAIRO_STATUS_NO_MEMORY. A pattern matrix built from the capped densities scales by
#: at most ``√2 · 4/3 ·`` this (both edges, and a side rounded to whole pixels): beyond twice it
#: the lattice is degenerate.
_MAX_MINIFY = 4.0
_MAX_TILE_COORD = 30000.0


class _Solid(NamedTuple):
    """A pattern painted as one colour (straight RGBA): its tile is under a pixel both ways, or
    its lattice is too thin for a surface pattern."""

    r: float
    g: float
    b: float
    a: float


class _Tile:
    """A tile surface and the pattern matrix (output pixels → tile pixels) as a 6-tuple."""

    __slots__ = ("surface", "matrix", "mean")

    def __init__(self, surface: Any, matrix: Affine) -> None:
        self.surface = surface
        self.matrix = matrix
        self.mean: _Solid | None = None  # filled on first need

    def solid(self) -> _Solid:
        if self.mean is None:
            self.mean = _surface_mean(self.surface)
        return self.mean


def _surface_mean(surface: Any) -> _Solid:
    """The mean premultiplied colour of an ARGB32 surface, as straight RGBA."""
    surface.flush()
    px = _argb_pixels(surface)
    mean = px.reshape(-1, 4).mean(axis=0, dtype=np.float64) / 255.0
    r, g, b, a = (float(mean[i]) for i in _ORDER)
    if not a > 0.0:
        return _Solid(0.0, 0.0, 0.0, 0.0)
    return _Solid(min(1.0, r / a), min(1.0, g / a), min(1.0, b / a), min(1.0, a))


def _average_axes(surface: Any, along_x: bool, along_y: bool) -> Any:
    """A new ARGB32 surface holding ``surface``'s premultiplied pixels averaged along x and/or
    y (one pixel wide along each averaged axis)."""
    surface.flush()
    px = _argb_pixels(surface).astype(np.float64)
    if along_x:
        px = px.mean(axis=1, keepdims=True)
    if along_y:
        px = px.mean(axis=0, keepdims=True)
    h, w = px.shape[0], px.shape[1]
    out = cairo.ImageSurface(cairo.FORMAT_ARGB32, w, h)
    out.flush()
    _argb_pixels(out)[:] = np.rint(px).astype(np.uint8)
    out.mark_dirty()
    return out


def _draw_tile(st: RenderState, pat: Any, tw: int, th: int, kx: float, ky: float) -> Any:
    tile = cairo.ImageSurface(cairo.FORMAT_ARGB32, tw, th)
    if len(pat.content):
        t_tile: Affine = (kx, 0.0, 0.0, ky, 0.0, 0.0)
        st.draw_nested(_nested_state(st, pat.content, cairo.Context(tile), tw, th, t_tile))
        tile.flush()
    return tile


def _lattice_scales(to_out: Affine) -> tuple[float, float, float, float]:
    """``(sx, sy, nx, ny)`` of the pattern → output matrix ``to_out``, in output px per pattern
    unit: the tile's pixel density along its x and y edges, and the spacing of its lattice
    lines across them.

    A tile pixel must not span more than an output pixel along either edge, or the tile is
    undersampled where the output resolves it: ``sx`` and ``sy`` are the lengths of the images
    of the unit edges (the columns ``hypot(a, b)``, ``hypot(c, d)``). Under a skew the device
    then crosses several tile pixels per output pixel across an edge, so each is capped at
    :data:`_MAX_MINIFY` times the lattice spacing there (the tile is resampled at most that
    much). Whether the repeats are finer than an output pixel is the distance between
    neighbouring lattice lines: lines ``u = const`` lie ``|det| / hypot(c, d)`` output px
    apart per unit of ``u`` (and ``|det| / hypot(a, b)`` for ``v``), which is shorter than an
    edge's own length whenever the lattice is skewed. (The rows ``hypot(a, c)``, ``hypot(b, d)``
    measure the output axes, not the tile's, and undersample a tile that is rotated and
    stretched.)"""
    a, b, c, d = to_out[0], to_out[1], to_out[2], to_out[3]
    ex, ey = math.hypot(a, b), math.hypot(c, d)
    det = abs(a * d - b * c)
    nx = det / ey if ey > 0.0 else 0.0
    ny = det / ex if ex > 0.0 else 0.0
    return min(ex, _MAX_MINIFY * nx), min(ey, _MAX_MINIFY * ny), nx, ny


def _tile_surface(st: RenderState, k: int) -> Any:
    """Pattern ``k``'s tile drawn once (cached per render): a :class:`_Tile`, a :class:`_Solid`,
    ``None`` when the pattern paints nothing, or :data:`_FALLBACK` when the tile would exceed
    the render's tile pixel budget.

    A tile edge shorter than an output pixel is drawn across :data:`_MEAN_SIDE` pixels and
    averaged into one: its repeats are finer than a pixel, so only their mean along that edge
    shows. A tile one pixel wide along an edge shows the same whatever period it is given there,
    so that pixel is given one output pixel of length, and no tile pixel is ever smaller than an
    output pixel along an edge. "Shorter than a pixel" is measured across the lattice lines
    (see :func:`_lattice_scales`): a skewed lattice can have long edges and still repeat more
    than once per output pixel. A tile under a pixel both ways is its content's mean colour;
    so is a degenerate lattice (see :data:`_MAX_MINIFY`)."""
    cache = st.pattern_cache
    if k in cache:
        return cache[k]
    pat = st.scene.patterns[k]
    x, y, w, h = (float(v) for v in pat.tile)
    to_out = multiply(st.t_out, pat.transform)
    inv = invert(to_out)
    out: Any = None
    if (
        inv is not None
        and all(math.isfinite(v) for v in inv)
        and all(math.isfinite(v) for v in (x, y, w, h))
        and w > 0
        and h > 0
    ):
        sx, sy, nx, ny = _lattice_scales(to_out)
        thin_x, thin_y = w * nx < 1.0, h * ny < 1.0
        tw, kx = (_MEAN_SIDE, _MEAN_SIDE / w) if thin_x else _tile_side(w, sx)
        th, ky = (_MEAN_SIDE, _MEAN_SIDE / h) if thin_y else _tile_side(h, sy)
        budget = _budget(st)
        if not (math.isfinite(kx) and math.isfinite(ky)):
            out = None
        elif tw * th > budget[0]:
            st.warn(
                "PATTERN_NOT_DRAWN",
                "pattern tiles exceed the per-render pixel budget; painted with the mean colour "
                "of their content",
                "pattern",
            )
            out = _FALLBACK
        else:
            budget[0] -= tw * th
            tile = _draw_tile(st, pat, tw, th, kx, ky)
            if thin_x and thin_y:
                out = _surface_mean(tile)
            else:
                # pattern units per tile pixel along each edge
                ux, uy = 1.0 / kx, 1.0 / ky
                if thin_x or thin_y:
                    tile = _average_axes(tile, thin_x, thin_y)
                    if thin_x:
                        ux = 1.0 / nx  # one output pixel across the lattice lines
                    if thin_y:
                        uy = 1.0 / ny
                m = cairo_matrix(multiply(to_out, (ux, 0.0, 0.0, uy, x, y)))
                matrix: Affine | None = None
                try:
                    m.invert()
                    matrix = (m.xx, m.yx, m.xy, m.yy, m.x0, m.y0)
                except cairo.Error:
                    pass
                if matrix is None or not all(math.isfinite(v) for v in matrix):
                    out = _surface_mean(tile)
                elif singular_values(matrix)[0] > 2.0 * _MAX_MINIFY:
                    out = _surface_mean(tile)  # a near-degenerate (skewed) lattice
                else:
                    out = _Tile(tile, matrix)
    cache[k] = out
    return out


def _sampled_matrix(st: RenderState, tile: _Tile) -> Affine | None:
    """``tile.matrix`` with its translation moved by whole tiles (the same picture) so that the
    pixels drawn map to tile coordinates pixman can hold; ``None`` when none does."""
    m = tile.matrix
    x0, y0, x1, y1 = st.ctx.clip_extents()
    corners = ((x0, y0), (x1, y0), (x0, y1), (x1, y1))

    def reach(e: float, f: float) -> float:
        """The largest tile coordinate of the region's corners (``inf`` for NaN)."""
        coords = [m[0] * px + m[2] * py + e for px, py in corners]
        coords += [m[1] * px + m[3] * py + f for px, py in corners]
        return max(abs(c) for c in coords) if all(math.isfinite(c) for c in coords) else math.inf

    if reach(m[4], m[5]) <= _MAX_TILE_COORD:
        return m
    tw, th = tile.surface.get_width(), tile.surface.get_height()
    ox, oy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    u = m[0] * ox + m[2] * oy + m[4]
    v = m[1] * ox + m[3] * oy + m[5]
    e = m[4] - tw * math.floor(u / tw)
    f = m[5] - th * math.floor(v / th)
    if reach(e, f) > _MAX_TILE_COORD:
        return None
    return (m[0], m[1], m[2], m[3], e, f)


def set_pattern_source(st: RenderState, k: int, rgba: Any, alpha: float) -> bool:
    """Set pattern ``k`` (paint opacity ``alpha``) as ``st.ctx``'s source; ``False`` when it
    paints nothing. Past the tile budget the pattern's mean colour (``rgba``) stands in."""
    if k < 0 or k >= len(st.scene.patterns):
        return False
    tile = _tile_surface(st, k)
    if tile is None:
        return False
    if tile is _FALLBACK:
        st.ctx.set_source_rgba(rgba[0], rgba[1], rgba[2], alpha)
        return True
    matrix = None if isinstance(tile, _Solid) else _sampled_matrix(st, tile)
    if matrix is None:
        solid = tile if isinstance(tile, _Solid) else tile.solid()
        a = solid.a * alpha
        if not a > 0.0:
            return False
        st.ctx.set_source_rgba(solid.r, solid.g, solid.b, a)
        return True
    surface = tile.surface
    if alpha < 1.0:
        key = (k, alpha)
        faded = st.pattern_cache.get(key)
        if faded is None:
            w, h = surface.get_width(), surface.get_height()
            faded = cairo.ImageSurface(cairo.FORMAT_ARGB32, w, h)
            fctx = cairo.Context(faded)
            fctx.set_source_surface(surface, 0, 0)
            fctx.paint_with_alpha(alpha)
            faded.flush()
            st.pattern_cache[key] = faded
        surface = faded
    pattern = cairo.SurfacePattern(surface)
    pattern.set_extend(cairo.EXTEND_REPEAT)
    pattern.set_matrix(cairo_matrix(matrix))
    st.ctx.set_source(pattern)
    return True
