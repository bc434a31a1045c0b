"""Imported once by render workers (and preloaded into the forkserver): imports the renderer and
draws two small documents (one with a filter, a mask and a pattern), so numba kernels are loaded
and fonts are resolved before the first timed item."""

from __future__ import annotations

from .surface import render

__all__: list[str] = []

_WARM = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
    '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/><stop offset="1" '
    'stop-color="blue"/></linearGradient><clipPath id="c"><rect width="8" height="8"/>'
    '<circle cx="8" cy="8" r="4"/></clipPath></defs>'
    '<g opacity="0.5" clip-path="url(#c)"><rect width="16" height="16" fill="url(#g)" '
    'stroke="black"/></g><text x="1" y="12" font-size="8">a</text></svg>'
)

# filters (the engine's numba kernels: about 7 s to compile, 0.07 s from numba's cache), a mask
# and a pattern, so a worker's first document with effects does not stall
_WARM_EFFECTS = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
    '<filter id="f"><feGaussianBlur stdDeviation="0.5"/>'
    '<feGaussianBlur in="SourceAlpha" stdDeviation="3"/><feOffset dx="1" dy="1"/>'
    '<feFlood flood-color="red" flood-opacity="0.5"/><feComposite in2="SourceAlpha" operator="in"/>'
    '<feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge>'
    '<feDropShadow stdDeviation="1"/><feColorMatrix type="saturate" values="0.5"/>'
    '<feBlend mode="multiply" in2="SourceGraphic"/></filter>'
    '<mask id="m"><rect width="8" height="16" fill="white"/></mask>'
    '<pattern id="p" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="2" '
    'height="2"/></pattern><g filter="url(#f)" mask="url(#m)"><rect width="16" height="16" '
    'fill="url(#p)"/></g></svg>'
)

try:
    render(_WARM, 16, 16)
    render(_WARM_EFFECTS, 16, 16)
except Exception:  # pragma: no cover - warming up is best effort
    pass
