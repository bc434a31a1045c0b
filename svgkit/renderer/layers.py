"""Clips and compositing scopes for the draw loop: a ``clip-path`` that is an intersection of
single paths becomes a plain cairo clip, any other becomes an A8 mask of the output size (cached
per render); a layer is a ``save``/clip and, when opacity or a mask clip needs it, a pushed group
painted back onto its parent when it closes.
"""

from __future__ import annotations

import math
from typing import Any

import cairo
import numpy as np

from ..scene import FILL_RULE_EVENODD
from .state import RenderState, append_path

__all__ = [
    "Layer",
    "apply_simple_clip",
    "clip_is_empty",
    "clip_is_simple",
    "clip_mask",
    "close_layer",
    "open_layer",
]


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


def clip_mask(st: RenderState, k: int, alpha: float = 1.0, depth: int = 0) -> Any:
    """An A8 surface of the output size: the union of clip ``k``'s children, intersected with
    its nested clip, times ``alpha``."""
    key = (k, alpha)
    cached = st.mask_cache.get(key)
    if cached is not None:
        return cached
    surface = cairo.ImageSurface(cairo.FORMAT_A8, st.width, st.height)
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
    if nested >= 0 and depth < 64:
        mctx.set_operator(cairo.OPERATOR_DEST_IN)
        mctx.set_source_surface(clip_mask(st, nested, 1.0, depth + 1), 0, 0)
        mctx.paint()
    if alpha < 1.0:
        mctx.set_operator(cairo.OPERATOR_DEST_IN)
        mctx.set_source_rgba(0, 0, 0, alpha)
        mctx.paint()
    surface.flush()
    st.mask_cache[key] = surface
    return surface


class Layer:
    """One opened compositing scope: a save/clip and/or a pushed group; ``effect`` is set for
    the layer of a filtered or masked group (see ``effects.open_effect_layer``)."""

    __slots__ = ("pushed", "mask_clip", "alpha", "effect")

    def __init__(self, pushed: bool, mask_clip: int, alpha: float) -> None:
        self.pushed = pushed
        self.mask_clip = mask_clip
        self.alpha = alpha
        self.effect: Any = None


def open_layer(
    st: RenderState,
    clip: int,
    alpha: float,
    bounds: tuple[float, float, float, float] | None = None,
) -> Layer:
    """Open a compositing scope. ``bounds`` (output px) encloses everything the layer will
    draw: clipping to it first keeps cairo's intermediate surface small."""
    ctx = st.ctx
    ctx.save()
    mask_clip = -1
    if clip >= 0:
        if clip_is_simple(st, clip):
            apply_simple_clip(st, clip)
            ctx.new_path()
        else:
            mask_clip = clip
    pushed = mask_clip >= 0 or alpha < 1.0
    if pushed:
        if bounds is not None:
            x0, y0 = math.floor(bounds[0]) - 1, math.floor(bounds[1]) - 1
            x1, y1 = math.ceil(bounds[2]) + 1, math.ceil(bounds[3]) + 1
            ctx.rectangle(x0, y0, x1 - x0, y1 - y0)
            ctx.clip()
        ctx.push_group()
    return Layer(pushed, mask_clip, alpha)


def close_layer(st: RenderState, layer: Layer) -> None:
    """Paint a layer opened by :func:`open_layer` onto its parent through its mask clip or with its
    opacity, and restore the parent's state (effect layers close through
    ``effects.close_effect_layer``)."""
    ctx = st.ctx
    if layer.pushed:
        ctx.pop_group_to_source()
        if layer.mask_clip >= 0:
            ctx.mask_surface(clip_mask(st, layer.mask_clip, layer.alpha), 0, 0)
        elif layer.alpha < 1.0:
            ctx.paint_with_alpha(layer.alpha)
        else:
            ctx.paint()
    ctx.restore()
