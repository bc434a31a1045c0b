"""Per-primitive tables over the Scene's columns: the paint layers each primitive contributes (fill
and stroke in paint order, with colour, alpha, opacity and whether they occlude), the invisibility
flags :func:`svgkit.stats` reports, and the one-pass scene summary of counts, colour codes and
shares outside the canvas.
"""

# mypy: disable-error-code="no-any-return"
# (kernels index untyped numpy arrays; numba, not mypy, checks the types that matter here)

from __future__ import annotations

import math

import numpy as np

from .common import (
    CAP_BUTT,
    KIND_IMAGE,
    KIND_PATH,
    KIND_TEXT,
    N_COMMANDS,
    N_KINDS,
    PAINT_LINEAR,
    PAINT_NONE,
    PAINT_RADIAL,
    PAINT_SOLID,
    PART_FILL,
    PART_STROKE,
    RULE_NONZERO,
    argsort,
    sorted_unique,
)
from .jit import kernel

__all__ = [
    "make_layers",
    "scene_tables",
]


@kernel(
    "i8[::1], b1[::1], u1[::1], u1[::1], f8[:, ::1], f8[:, ::1], i8[::1], i8[::1], b1[::1], "
    "f8[::1], b1[::1], f8[::1], b1[::1], i8[::1], f8, f8"
)
def make_layers(
    kind: np.ndarray, visible: np.ndarray, fill_kind: np.ndarray, stroke_kind: np.ndarray,
    fill_rgba: np.ndarray, stroke_rgba: np.ndarray, fill_paint: np.ndarray,
    stroke_paint: np.ndarray, gradient_opaque: np.ndarray, eff_opacity: np.ndarray,
    groups_occlude: np.ndarray, stroke_width_device: np.ndarray, stroke_first: np.ndarray,
    fill_rule: np.ndarray, text_ink: float, min_half_width: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray]:
    """Paint layers of every primitive in paint order.

    A primitive gets a fill layer when it has fill paint (text: fill or stroke paint, drawn as
    its box; image: always) and a stroke layer when it has stroke paint and a positive width
    (never for text and images); the stroke comes first when ``stroke_first``. Layers of hidden
    primitives and layers with zero alpha are left out. Alpha = paint alpha × effective opacity
    (× ``text_ink`` for text). A layer is opaque when its paint is solid (or a gradient whose
    stops are all opaque) with alpha 1, its primitive's effective opacity is 1, no ancestor has a
    mask or filter, and it is neither text nor an image.

    Returns ``(layer_prim, layer_part, layer_rgb (m, 3), layer_alpha, layer_opaque, layer_rule,
    layer_half_width)``.
    """
    n = kind.shape[0]
    cap = 2 * n
    layer_prim = np.empty(cap, dtype=np.int64)
    layer_part = np.empty(cap, dtype=np.int64)
    layer_rgb = np.empty((cap, 3))
    layer_alpha = np.empty(cap)
    # every entry below m is written; numba's np.zeros would compile its own fill per dtype
    layer_opaque = np.empty(cap, dtype=np.bool_)
    layer_rule = np.empty(cap, dtype=np.int64)
    layer_hw = np.empty(cap)
    m = 0
    for i in range(n):
        if not visible[i]:
            continue
        is_text = kind[i] == KIND_TEXT
        is_image = kind[i] == KIND_IMAGE
        has_fill = fill_kind[i] != PAINT_NONE
        has_stroke_paint = stroke_kind[i] != PAINT_NONE
        fill_layer = is_image or (has_fill if not is_text else (has_fill or has_stroke_paint))
        stroke_layer = has_stroke_paint and stroke_width_device[i] > 0.0 and not (
            is_text or is_image)
        occludes = eff_opacity[i] >= 1.0 - 1e-6 and groups_occlude[i] and not (
            is_text or is_image)
        for slot in range(2):
            part = PART_FILL if slot == 0 else PART_STROKE
            if stroke_first[i] and stroke_layer:
                part = PART_STROKE if slot == 0 else PART_FILL
            if part == PART_FILL and not fill_layer:
                continue
            if part == PART_STROKE and not stroke_layer:
                continue
            if part == PART_FILL and (has_fill or not is_text):
                pk = fill_kind[i]
                paint = fill_paint[i]
                r = fill_rgba[i, 0]
                g = fill_rgba[i, 1]
                b = fill_rgba[i, 2]
                alpha = fill_rgba[i, 3]
            else:
                pk = stroke_kind[i]
                paint = stroke_paint[i]
                r = stroke_rgba[i, 0]
                g = stroke_rgba[i, 1]
                b = stroke_rgba[i, 2]
                alpha = stroke_rgba[i, 3]
            if is_image:
                r = np.nan
                g = np.nan
                b = np.nan
                alpha = 1.0
            alpha = alpha * eff_opacity[i]
            if is_text:
                alpha *= text_ink
            alpha = min(max(alpha, 0.0), 1.0)
            if not alpha > 0.0:
                continue
            solid = pk == PAINT_SOLID or (
                (pk == PAINT_LINEAR or pk == PAINT_RADIAL) and 0 <= paint < gradient_opaque.shape[0]
                and gradient_opaque[paint]
            )
            layer_prim[m] = i
            layer_part[m] = part
            layer_rgb[m, 0] = r
            layer_rgb[m, 1] = g
            layer_rgb[m, 2] = b
            layer_alpha[m] = alpha
            layer_opaque[m] = occludes and solid and alpha >= 1.0 - 1e-6
            layer_rule[m] = fill_rule[i] if part == PART_FILL else RULE_NONZERO
            layer_hw[m] = max(0.5 * stroke_width_device[i], min_half_width)
            m += 1
    return (layer_prim[:m].copy(), layer_part[:m].copy(), layer_rgb[:m].copy(),
            layer_alpha[:m].copy(), layer_opaque[:m].copy(), layer_rule[:m].copy(),
            layer_hw[:m].copy())


@kernel()
def _code(r: float, g: float, b: float) -> int:
    if not (math.isfinite(r) and math.isfinite(g) and math.isfinite(b)):
        return -1
    ri = int(min(max(round(r * 255.0), 0.0), 255.0))
    gi = int(min(max(round(g * 255.0), 0.0), 255.0))
    bi = int(min(max(round(b * 255.0), 0.0), 255.0))
    return (ri << 16) | (gi << 8) | bi


@kernel(
    "i1[::1], u1[::1], i8[::1], b1[::1], u1[::1], u1[::1], f8[::1], f4[:, ::1], f4[:, ::1], "
    "u1[::1], i8[::1], f8[::1], f8[::1], f8[::1], f8[::1], f8[::1], f8[::1], f8[:, ::1], f8, "
    "f8, i8[::1], i8[::1], f8[:, ::1], i8[::1], i8[::1], i8[::1]"
)
def scene_tables(
    kind: np.ndarray, cmd_codes: np.ndarray, cmd_offsets: np.ndarray, visible: np.ndarray,
    fill_kind: np.ndarray, stroke_kind: np.ndarray, stroke_width: np.ndarray,
    fill_rgba: np.ndarray, stroke_rgba: np.ndarray, line_cap: np.ndarray,
    n_subpaths: np.ndarray, eff_opacity: np.ndarray, area: np.ndarray, area_inside: np.ndarray,
    length: np.ndarray, stroke_area: np.ndarray, stroke_area_inside: np.ndarray,
    stroke_bbox: np.ndarray, canvas_w: float, canvas_h: float, layer_prim: np.ndarray,
    layer_mask: np.ndarray, layer_rgb: np.ndarray, layer_top: np.ndarray,
    painted_px: np.ndarray, visible_px: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    """Counts, colours, outside shares and invisibility flags of a scene (what
    :func:`svgkit.stats` reports beyond the analysis), in one kernel.

    Returns ``(kind_counts (N_KINDS,), path_command_counts (N_COMMANDS,), fill_codes,
    stroke_codes, fill_colors, stroke_colors, top_codes, top_pixels, primitive_outside,
    outside_fraction, flags)``:
    colour codes are ``0xRRGGBB`` (-1 for no paint); ``fill_colors``/``stroke_colors`` are the
    sorted distinct codes of visible primitives; ``top_codes``/``top_pixels`` the distinct colours
    of the topmost layers and their pixel counts. ``flags`` ``(n, 7)`` holds the invisibility
    reasons per primitive, columns in the order of ``stats.INVISIBLE_REASONS``: hidden,
    no_paint, transparent, degenerate, outside_canvas, clipped_out, fully_occluded.
    """
    n = kind.shape[0]
    # np.empty and loops throughout: numba compiles np.zeros and np.full once per dtype and
    # shape, a second or so of a cold start for these few tables
    kind_counts = np.empty(N_KINDS, dtype=np.int64)
    for k in range(N_KINDS):
        kind_counts[k] = 0
    cmd_counts = np.empty(N_COMMANDS, dtype=np.int64)
    for c in range(N_COMMANDS):
        cmd_counts[c] = 0
    fill_codes = np.empty(n, dtype=np.int64)
    stroke_codes = np.empty(n, dtype=np.int64)
    outside = np.empty(n)
    n_fill = 0
    n_stroke = 0
    total = 0.0
    inside_total = 0.0
    for i in range(n):
        k = kind[i]
        if 0 <= k < N_KINDS:
            kind_counts[k] += 1
        if k == KIND_PATH:
            for c in range(cmd_offsets[i], cmd_offsets[i + 1]):
                if cmd_codes[c] < N_COMMANDS:
                    cmd_counts[cmd_codes[c]] += 1
        has_fill = fill_kind[i] != PAINT_NONE
        has_stroke = stroke_kind[i] != PAINT_NONE and stroke_width[i] > 0.0
        fill_codes[i] = -1
        stroke_codes[i] = -1
        outside[i] = np.nan
        if has_fill:
            # float(): one specialisation of _code for the float32 colours and the float64 ones
            fill_codes[i] = _code(float(fill_rgba[i, 0]), float(fill_rgba[i, 1]),
                                  float(fill_rgba[i, 2]))
            if visible[i]:
                n_fill += 1
        if has_stroke:
            stroke_codes[i] = _code(float(stroke_rgba[i, 0]), float(stroke_rgba[i, 1]),
                                    float(stroke_rgba[i, 2]))
            if visible[i]:
                n_stroke += 1
        measure = stroke_area[i]
        inside = stroke_area_inside[i]
        if (has_fill or k == KIND_IMAGE) and area[i] > 0.0:
            measure += area[i]
            inside += area_inside[i]
        if measure > 0.0:
            outside[i] = min(max(1.0 - inside / measure, 0.0), 1.0)
            if visible[i]:
                total += measure
                inside_total += inside
    # float64 keys (exact for these codes): the sort the areas already compile, not another
    fc = np.empty(n_fill)
    sc = np.empty(n_stroke)
    a = 0
    b = 0
    for i in range(n):
        if visible[i] and fill_kind[i] != PAINT_NONE:
            fc[a] = fill_codes[i]
            a += 1
        if visible[i] and stroke_kind[i] != PAINT_NONE and stroke_width[i] > 0.0:
            sc[b] = stroke_codes[i]
            b += 1
    fill_keys = sorted_unique(fc, a)
    stroke_keys = sorted_unique(sc, b)
    fill_colors = np.empty(fill_keys.shape[0], dtype=np.int64)
    for t in range(fill_keys.shape[0]):
        fill_colors[t] = int(fill_keys[t])
    stroke_colors = np.empty(stroke_keys.shape[0], dtype=np.int64)
    for t in range(stroke_keys.shape[0]):
        stroke_colors[t] = int(stroke_keys[t])
    m = layer_top.shape[0]
    codes = np.empty(m, dtype=np.int64)
    code_keys = np.empty(m)
    for L in range(m):
        codes[L] = _code(layer_rgb[L, 0], layer_rgb[L, 1], layer_rgb[L, 2]) if layer_top[L] > 0 \
            else -1
        code_keys[L] = codes[L]
    order = argsort(code_keys, m)
    top_codes = np.empty(m, dtype=np.int64)
    top_pixels = np.empty(m, dtype=np.int64)
    u = 0
    for t in range(m):
        L = order[t]
        if codes[L] < 0:
            continue
        if u == 0 or top_codes[u - 1] != codes[L]:
            top_codes[u] = codes[L]
            top_pixels[u] = 0
            u += 1
        top_pixels[u - 1] += layer_top[L]
    fraction = min(max(1.0 - inside_total / total, 0.0), 1.0) if total > 0.0 else np.nan
    # invisibility flags
    flags = np.empty((n, 7), dtype=np.bool_)  # every entry is written below
    has_layer = np.empty(n, dtype=np.bool_)
    clipped = np.empty(n, dtype=np.bool_)
    for i in range(n):
        has_layer[i] = False
        clipped[i] = False
    for L in range(layer_prim.shape[0]):
        has_layer[layer_prim[L]] = True
        if layer_mask[L] >= 0:
            clipped[layer_prim[L]] = True
    for i in range(n):
        is_image = kind[i] == KIND_IMAGE
        has_fill = fill_kind[i] != PAINT_NONE
        has_stroke = stroke_kind[i] != PAINT_NONE and stroke_width[i] > 0.0
        no_paint = not has_fill and not has_stroke and not is_image
        paints = (has_fill and fill_rgba[i, 3] > 0.0) or (
            has_stroke and stroke_rgba[i, 3] > 0.0) or is_image
        fill_area = area[i] if area[i] > 0.0 else 0.0
        cap_dot = has_stroke and line_cap[i] != CAP_BUTT and n_subpaths[i] > 0
        degenerate = fill_area <= 0.0 and not ((has_stroke and length[i] > 0.0) or cap_dot)
        x0 = stroke_bbox[i, 0]
        y0 = stroke_bbox[i, 1]
        x1 = stroke_bbox[i, 2]
        y1 = stroke_bbox[i, 3]
        finite = (math.isfinite(x0) and math.isfinite(y0) and math.isfinite(x1)
                  and math.isfinite(y1))
        meets = x1 > 0.0 and x0 < canvas_w and y1 > 0.0 and y0 < canvas_h
        off_canvas = finite and not meets and not degenerate
        flags[i, 0] = not visible[i]
        flags[i, 1] = no_paint
        flags[i, 2] = not no_paint and (eff_opacity[i] <= 0.0 or not paints)
        flags[i, 3] = degenerate
        flags[i, 4] = off_canvas
        flags[i, 5] = (has_layer[i] and clipped[i] and painted_px[i] == 0 and not off_canvas
                       and not degenerate)
        flags[i, 6] = painted_px[i] > 0 and visible_px[i] == 0
    return (kind_counts, cmd_counts, fill_codes, stroke_codes, fill_colors, stroke_colors,
            top_codes[:u].copy(), top_pixels[:u].copy(), outside, fraction, flags)
