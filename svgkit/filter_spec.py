"""Facts of the SVG filter specification that both the builder and the filter engine need.

The builder expands ``feColorMatrix`` shorthands and CSS filter functions into 20-value matrices
and marks primitive kinds the engine cannot run; the engine (:mod:`svgkit.renderer.filters`)
applies them. Keeping the facts here lets the builder stay independent of the pixel engine.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import replace

from .scene import Filter, FilterPrimitive

__all__ = [
    "BLEND_MODES",
    "LUMINANCE_TO_ALPHA_MATRIX",
    "SUPPORTED_KINDS",
    "chain_filters",
    "hue_rotate_matrix",
    "saturate_matrix",
]

#: The blend modes of Compositing and Blending Level 1, in the order the filter engine numbers
#: them: ``feBlend``'s ``mode`` and CSS ``mix-blend-mode`` take the same keywords.
BLEND_MODES: tuple[str, ...] = (
    "normal",
    "multiply",
    "screen",
    "overlay",
    "darken",
    "lighten",
    "color-dodge",
    "color-burn",
    "hard-light",
    "soft-light",
    "difference",
    "exclusion",
    "hue",
    "saturation",
    "color",
    "luminosity",
)

SUPPORTED_KINDS: frozenset[str] = frozenset(
    {
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feConvolveMatrix",
        "feDiffuseLighting",
        "feDisplacementMap",
        "feDropShadow",
        "feFlood",
        "feGaussianBlur",
        "feImage",
        "feMerge",
        "feMorphology",
        "feOffset",
        "feSpecularLighting",
        "feTile",
        "feTurbulence",
    }
)
"""Kinds :func:`svgkit.renderer.filters.apply_filter` implements; any other kind passes its first
input through."""


def _finite(v: float) -> float:
    return v if math.isfinite(v) else 0.0


LUMINANCE_TO_ALPHA_MATRIX: tuple[float, ...] = (
    0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
    0.2125, 0.7154, 0.0721, 0.0, 0.0,
)  # fmt: skip
"""``feColorMatrix type="luminanceToAlpha"`` as 20 row-major values."""


def saturate_matrix(s: float) -> tuple[float, ...]:
    """``feColorMatrix type="saturate"`` with value ``s`` as 20 row-major values.

    Values above 1 oversaturate. A negative ``s`` (undefined in the spec) is taken as 0, which is
    what resvg's reference image for it shows.

    Examples
    --------
    >>> saturate_matrix(1.0)[:5]
    (1.0, 0.0, 0.0, 0.0, 0.0)
    """
    s = max(_finite(s), 0.0)
    return (
        0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s, 0.0, 0.0,
        0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s, 0.0, 0.0,
        0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s, 0.0, 0.0,
        0.0, 0.0, 0.0, 1.0, 0.0,
    )  # fmt: skip


def hue_rotate_matrix(degrees: float) -> tuple[float, ...]:
    """``feColorMatrix type="hueRotate"`` by ``degrees`` as 20 row-major values.

    Examples
    --------
    >>> [round(v, 3) for v in hue_rotate_matrix(0.0)[:3]]
    [1.0, 0.0, 0.0]
    """
    t = math.radians(_finite(degrees))
    cs, sn = math.cos(t), math.sin(t)
    return (
        0.213 + 0.787 * cs - 0.213 * sn, 0.715 - 0.715 * cs - 0.715 * sn,
        0.072 - 0.072 * cs + 0.928 * sn, 0.0, 0.0,
        0.213 - 0.213 * cs + 0.143 * sn, 0.715 + 0.285 * cs + 0.140 * sn,
        0.072 - 0.072 * cs - 0.283 * sn, 0.0, 0.0,
        0.213 - 0.213 * cs - 0.787 * sn, 0.715 - 0.715 * cs + 0.715 * sn,
        0.072 + 0.928 * cs + 0.072 * sn, 0.0, 0.0,
        0.0, 0.0, 0.0, 1.0, 0.0,
    )  # fmt: skip


# marks the names :func:`chain_filters` gives results: a control character, which no document's
# ``result`` attribute can hold (XML forbids it)
_CHAIN = "\x1e"
_ALPHA_ONLY = (0.0,) * 15 + (0.0, 0.0, 0.0, 1.0, 0.0)
Rect = tuple[float, float, float, float]


def chain_filters(parts: Sequence[Filter], standard_inputs: Collection[str]) -> Filter:
    """One filter that runs ``parts`` in turn, each on the result of the one before (a filter
    list, Filter Effects 1 §5).

    Each part first copies its input (the element for the first) cut to its own region (a
    region is a hard clip on the input), its subregions are cut to its region, its result names
    are made its own, and ``SourceGraphic`` (and the other ``standard_inputs`` but
    ``SourceAlpha``, which become the input's alpha), as well as a first primitive's missing
    input, refer to its input. The region is the union of the parts' regions; a part without
    primitives (an element not rendered) gives a filter without primitives. All parts share the
    first part's ``transform`` (they filter one element).

    Examples
    --------
    >>> offset = FilterPrimitive("feOffset", ("",), "r", (0, 0, 9, 9), True, {"dx": 2})
    >>> merge = FilterPrimitive("feMerge", ("SourceGraphic", "r"), "", (0, 0, 9, 9), True, {})
    >>> both = chain_filters([Filter("a", (0, 0, 9, 9), (offset,)),
    ...                       Filter("b", (0, 0, 9, 9), (offset, merge))], {"SourceGraphic"})
    >>> [(p.kind, p.inputs) for p in both.primitives]  # doctest: +NORMALIZE_WHITESPACE
    [('feOffset', ('SourceGraphic',)), ('feOffset', ('',)),
     ('feOffset', ('\\x1e0:out',)), ('feOffset', ('',)), ('feMerge', ('\\x1e1:in', '\\x1e1:r'))]
    """
    first = parts[0]
    if any(not f.primitives for f in parts):
        return Filter(first.id, first.region, (), first.transform)
    x0 = min(f.region[0] for f in parts)
    y0 = min(f.region[1] for f in parts)
    x1 = max(f.region[0] + f.region[2] for f in parts)
    y1 = max(f.region[1] + f.region[3] for f in parts)
    prims: list[FilterPrimitive] = []
    source = "SourceGraphic"
    for k, part in enumerate(parts):
        region = part.region
        own_src, own_alpha = f"{_CHAIN}{k}:in", f"{_CHAIN}{k}:alpha"
        if any("SourceAlpha" in p.inputs for p in part.primitives):
            alpha = {"matrix": _ALPHA_ONLY}
            prims.append(
                FilterPrimitive("feColorMatrix", (source,), own_alpha, region, False, alpha)
            )
        # last, so that the part's first primitive finds it as "the previous result" too
        copy = {"dx": 0.0, "dy": 0.0}
        prims.append(FilterPrimitive("feOffset", (source,), own_src, region, False, copy))
        defined: set[str] = set()
        for i, prim in enumerate(part.primitives):
            inputs: list[str] = []
            for name in prim.inputs:
                if name in defined:
                    inputs.append(f"{_CHAIN}{k}:{name}")
                elif name == "SourceAlpha":
                    inputs.append(own_alpha)
                elif name in standard_inputs:
                    inputs.append(own_src)
                else:  # "" and names not (yet) defined: the previous result
                    inputs.append("")
            last = i == len(part.primitives) - 1
            result = f"{_CHAIN}{k}:out" if last else ""
            if prim.result:
                defined.add(prim.result)
                if not last:
                    result = f"{_CHAIN}{k}:{prim.result}"
            sub = _intersect_rect(prim.subregion, region)
            prims.append(replace(prim, inputs=tuple(inputs), result=result, subregion=sub))
        source = f"{_CHAIN}{k}:out"
    return Filter(first.id, (x0, y0, x1 - x0, y1 - y0), tuple(prims), first.transform)


def _intersect_rect(a: Rect, b: Rect) -> Rect:
    """The intersection of two ``(x, y, w, h)`` rectangles (zero-sized when they miss)."""
    ax, ay, aw, ah = (float(v) for v in a)
    bx, by, bw, bh = (float(v) for v in b)
    x0, y0 = max(ax, bx), max(ay, by)
    x1, y1 = min(ax + aw, bx + bw), min(ay + ah, by + bh)
    return (x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0))
