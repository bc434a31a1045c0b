"""Clips and compositing scopes for the draw loop: a ``clip-path`` that is an intersection of
single paths becomes a plain cairo clip, any other becomes an A8 mask covering the clip's pixel
box; a layer is a ``save``/clip and, when opacity, a mask clip, a blend mode or isolation needs
it, a pushed group painted back onto its parent (with the blend mode's operator) when it closes.

The builder resolves a ``clipPath`` once per referencing element, so a document that references
one clip path from 200 elements holds 200 equal :class:`~svgkit.scene.ClipPath` records. Masks are
therefore cached by the clip's geometry (its children, rules and nested clips, see
:func:`clip_key`) and opacity, not by its index, in a small least-recently-used cache of at most
:data:`MASK_CACHE_BYTES` (see :class:`~svgkit.renderer.state.MaskCache`) that dies with the
render: memory follows the distinct clips drawn, not the references.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import cairo
import numpy as np

from ..scene import FILL_RULE_EVENODD
from .state import ClipMask, RenderState, append_path

__all__ = [
    "BLEND_OPERATORS",
    "ClipMask",
    "Layer",
    "apply_simple_clip",
    "clip_box",
    "clip_is_empty",
    "clip_is_simple",
    "clip_key",
    "clip_mask",
    "close_layer",
    "open_layer",
]

_MAX_CLIP_DEPTH = 64  # how deep clips of clips are followed

Box = tuple[int, int, int, int]


def _clip_paths(st: RenderState, k: int) -> tuple[list[list[int]], list[list[float]], list[int]]:
    """Clip ``k``'s children as lists, points mapped to output pixels (cached)."""
    cached = st.clip_cache.get(k)
    if cached is not None:
        return cached
    clip = st.scene.clips[k]
    sx, sy, tx, ty = st.t_out[0], st.t_out[3], st.t_out[4], st.t_out[5]
    codes_l: list[list[int]] = []
    pts_l: list[list[float]] = []
    for codes, pts in zip(clip.cmd_codes, clip.cmd_points):
        p = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
        mapped = np.empty_like(p)
        mapped[:, 0] = p[:, 0] * sx + tx
        mapped[:, 1] = p[:, 1] * sy + ty
        codes_l.append(np.asarray(codes).tolist())
        pts_l.append(mapped.ravel().tolist())
    out = (codes_l, pts_l, list(clip.clip_rules))
    st.clip_cache[k] = out
    return out


def clip_is_empty(st: RenderState, k: int, depth: int = 0) -> bool:
    clip = st.scene.clips[k]
    if not clip.cmd_codes:
        return True
    if clip.clip >= 0 and depth < 64:
        return clip_is_empty(st, clip.clip, depth + 1)
    return False


def clip_is_simple(st: RenderState, k: int, depth: int = 0) -> bool:
    """Whether clip ``k`` (with its nested clips) is an intersection of single paths."""
    clip = st.scene.clips[k]
    if len(clip.cmd_codes) != 1:
        return False
    if clip.clip >= 0:
        return depth < 64 and clip_is_simple(st, clip.clip, depth + 1)
    return True


def apply_simple_clip(st: RenderState, k: int, depth: int = 0) -> None:
    ctx = st.ctx
    codes_l, pts_l, rules = _clip_paths(st, k)
    ctx.new_path()
    codes = codes_l[0]
    append_path(ctx, codes, pts_l[0], 0, len(codes), 0)
    ctx.set_fill_rule(
        cairo.FILL_RULE_EVEN_ODD if rules[0] == FILL_RULE_EVENODD else cairo.FILL_RULE_WINDING
    )
    ctx.clip()
    nested = st.scene.clips[k].clip
    if nested >= 0 and depth < 64:
        apply_simple_clip(st, nested, depth + 1)


def clip_key(st: RenderState, k: int, depth: int = 0) -> bytes:
    """A digest of clip ``k``'s geometry: its children's commands and points, their clip rules
    and its nested clips (followed as :func:`clip_mask` follows them). Equal clips of different
    references have equal keys, so they share one mask."""
    memo = st.clip_keys
    cached = memo.get((k, depth))
    if cached is not None:
        return cached
    clip = st.scene.clips[k]
    h = hashlib.blake2b(digest_size=20)
    h.update(len(clip.cmd_codes).to_bytes(8, "little"))
    for codes, pts, rule in zip(clip.cmd_codes, clip.cmd_points, clip.clip_rules):
        c = np.ascontiguousarray(codes, dtype=np.uint8)
        p = np.ascontiguousarray(pts, dtype=np.float64)
        h.update(c.size.to_bytes(8, "little"))
        h.update(c.tobytes())
        h.update(p.size.to_bytes(8, "little"))
        h.update(p.tobytes())
        h.update(int(rule).to_bytes(2, "little", signed=True))
    nested = clip.clip
    if nested >= 0 and depth < _MAX_CLIP_DEPTH:
        h.update(b"\x01")
        h.update(clip_key(st, nested, depth + 1))
    else:
        h.update(b"\x00")
    key = h.digest()
    memo[(k, depth)] = key
    return key


def clip_box(st: RenderState, k: int, depth: int = 0) -> Box:
    """Whole output pixels ``(x0, y0, x1, y1)`` outside which clip ``k`` (with its nested clips)
    is certainly empty: the control points' box, one pixel wider on each side, intersected with
    the nested clip's box and the output (``x1 <= x0`` or ``y1 <= y0``: empty)."""
    cached = st.clip_boxes.get((k, depth))
    if cached is not None:
        return cached
    box = _clip_box(st, k, depth)
    st.clip_boxes[(k, depth)] = box
    return box


def _clip_box(st: RenderState, k: int, depth: int) -> Box:
    w, h = st.width, st.height
    _, pts_l, _ = _clip_paths(st, k)
    xs: list[float] = []
    ys: list[float] = []
    for pts in pts_l:
        xs.extend(pts[0::2])
        ys.extend(pts[1::2])
    if not xs:
        return (0, 0, 0, 0)
    lo_x, hi_x, lo_y, hi_y = min(xs), max(xs), min(ys), max(ys)
    if all(math.isfinite(v) for v in (lo_x, hi_x, lo_y, hi_y)):
        x0 = max(0, min(w, math.floor(max(lo_x, -1e9)) - 1))
        y0 = max(0, min(h, math.floor(max(lo_y, -1e9)) - 1))
        x1 = max(0, min(w, math.ceil(min(hi_x, 1e9)) + 1))
        y1 = max(0, min(h, math.ceil(min(hi_y, 1e9)) + 1))
    else:  # cairo decides what a non-finite point covers
        x0, y0, x1, y1 = 0, 0, w, h
    nested = st.scene.clips[k].clip
    if nested >= 0 and depth < _MAX_CLIP_DEPTH:
        n0, m0, n1, m1 = clip_box(st, nested, depth + 1)
        x0, y0, x1, y1 = max(x0, n0), max(y0, m0), min(x1, n1), min(y1, m1)
    return (x0, y0, x1, y1)


def clip_mask(st: RenderState, k: int, alpha: float = 1.0, depth: int = 0) -> ClipMask | None:
    """An A8 mask of clip ``k``: the union of its children, intersected with its nested clip,
    times ``alpha``, over the pixel box :func:`clip_box` (``None`` when that box is empty: the
    clip hides everything). Cached per render by geometry and ``alpha``."""
    key = (clip_key(st, k, depth), alpha)
    cache = st.mask_cache
    found, cached = cache.get(key)
    if found:
        return cached
    x0, y0, x1, y1 = clip_box(st, k, depth)
    if x1 <= x0 or y1 <= y0:
        cache.put(key, None)
        return None
    surface = cairo.ImageSurface(cairo.FORMAT_A8, x1 - x0, y1 - y0)
    # draw in output pixels: an integer device offset shifts cairo's fixed-point geometry
    # exactly, so every pixel gets the coverage a full-size mask would give it
    surface.set_device_offset(-x0, -y0)
    mctx = cairo.Context(surface)
    codes_l, pts_l, rules = _clip_paths(st, k)
    mctx.set_source_rgba(0, 0, 0, 1)
    for codes, pts, rule in zip(codes_l, pts_l, rules):
        mctx.new_path()
        append_path(mctx, codes, pts, 0, len(codes), 0)
        mctx.set_fill_rule(
            cairo.FILL_RULE_EVEN_ODD if rule == FILL_RULE_EVENODD else cairo.FILL_RULE_WINDING
        )
        mctx.fill()
    nested = st.scene.clips[k].clip
    if nested >= 0 and depth < _MAX_CLIP_DEPTH:
        inner = clip_mask(st, nested, 1.0, depth + 1)
        # the box lies inside the nested clip's box, so the nested mask is never None here
        if inner is not None:
            mctx.set_operator(cairo.OPERATOR_DEST_IN)
            mctx.set_source_surface(inner.surface, inner.x, inner.y)
            mctx.paint()
    if alpha < 1.0:
        mctx.set_operator(cairo.OPERATOR_DEST_IN)
        mctx.set_source_rgba(0, 0, 0, alpha)
        mctx.paint()
    del mctx
    surface.flush()
    surface.set_device_offset(0, 0)
    mask = ClipMask(surface, x0, y0)
    cache.put(key, mask)
    return mask


#: cairo's operator for each ``mix-blend-mode`` but ``normal``. pixman composites them as
#: CSS Compositing 1 §5–6 defines them: source-over with the blended colour weighted by both
#: alphas, on premultiplied pixels, the non-separable modes through the same SetLum/SetSat/ClipColor
#: as the spec (both follow the PDF blend modes). ``plus-lighter`` (Level 2) is cairo's ADD.
BLEND_OPERATORS: dict[str, Any] = {
    "multiply": cairo.OPERATOR_MULTIPLY,
    "screen": cairo.OPERATOR_SCREEN,
    "overlay": cairo.OPERATOR_OVERLAY,
    "darken": cairo.OPERATOR_DARKEN,
    "lighten": cairo.OPERATOR_LIGHTEN,
    "color-dodge": cairo.OPERATOR_COLOR_DODGE,
    "color-burn": cairo.OPERATOR_COLOR_BURN,
    "hard-light": cairo.OPERATOR_HARD_LIGHT,
    "soft-light": cairo.OPERATOR_SOFT_LIGHT,
    "difference": cairo.OPERATOR_DIFFERENCE,
    "exclusion": cairo.OPERATOR_EXCLUSION,
    "hue": cairo.OPERATOR_HSL_HUE,
    "saturation": cairo.OPERATOR_HSL_SATURATION,
    "color": cairo.OPERATOR_HSL_COLOR,
    "luminosity": cairo.OPERATOR_HSL_LUMINOSITY,
    "plus-lighter": cairo.OPERATOR_ADD,
}


class Layer:
    """One opened compositing scope: a save/clip and/or a pushed group; ``effect`` is set for
    the layer of a filtered or masked group (see ``effects.open_effect_layer``), ``outer`` for
    the blending layer around such a group's effect layer."""

    __slots__ = ("pushed", "mask_clip", "alpha", "effect", "operator", "outer")

    def __init__(self, pushed: bool, mask_clip: int, alpha: float, operator: Any = None) -> None:
        self.pushed = pushed
        self.mask_clip = mask_clip
        self.alpha = alpha
        self.effect: Any = None
        self.operator = operator  # None: source-over
        self.outer: Layer | None = None


def open_layer(
    st: RenderState,
    clip: int,
    alpha: float,
    bounds: tuple[float, float, float, float] | None = None,
    blend: str = "normal",
    isolate: bool = False,
) -> Layer:
    """Open a compositing scope. ``bounds`` (output px) encloses everything the layer will
    draw: clipping to it first keeps cairo's intermediate surface small. A layer with a
    ``blend`` mode other than ``normal`` is blended onto its backdrop when it closes; one that
    ``isolate``-s (or blends) is always a pushed surface of its own, so what is drawn in it
    blends only with the layer's own content."""
    ctx = st.ctx
    ctx.save()
    mask_clip = -1
    if clip >= 0:
        if clip_is_simple(st, clip):
            apply_simple_clip(st, clip)
            ctx.new_path()
        else:
            mask_clip = clip
    operator = BLEND_OPERATORS.get(blend) if blend != "normal" else None
    pushed = mask_clip >= 0 or alpha < 1.0 or operator is not None or isolate
    if pushed:
        if bounds is not None:
            x0, y0 = math.floor(bounds[0]) - 1, math.floor(bounds[1]) - 1
            x1, y1 = math.ceil(bounds[2]) + 1, math.ceil(bounds[3]) + 1
            ctx.rectangle(x0, y0, x1 - x0, y1 - y0)
            ctx.clip()
        ctx.push_group()
    return Layer(pushed, mask_clip, alpha, operator)


def close_layer(st: RenderState, layer: Layer) -> None:
    """Paint a layer opened by :func:`open_layer` onto its parent through its mask clip or with its
    opacity, blended as its operator says, and restore the parent's state (effect layers close
    through ``effects.close_effect_layer``)."""
    ctx = st.ctx
    if layer.pushed:
        ctx.pop_group_to_source()
        if layer.operator is not None:
            ctx.set_operator(layer.operator)
        if layer.mask_clip >= 0:
            mask = clip_mask(st, layer.mask_clip, layer.alpha)
            if mask is not None:  # None: the clip hides the whole layer
                ctx.mask_surface(mask.surface, mask.x, mask.y)
        elif layer.alpha < 1.0:
            ctx.paint_with_alpha(layer.alpha)
        else:
            ctx.paint()
    ctx.restore()
