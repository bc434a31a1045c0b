"""Imported once by render workers (and preloaded into the forkserver): imports the renderer and
draws one small document, so numba kernels are loaded and fonts are resolved before the first
timed item."""

from __future__ import annotations

from ._render import render

__all__: list[str] = []

_WARM = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
    '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/><stop offset="1" '
    'stop-color="blue"/></linearGradient><clipPath id="c"><rect width="8" height="8"/>'
    '<circle cx="8" cy="8" r="4"/></clipPath></defs>'
    '<g opacity="0.5" clip-path="url(#c)"><rect width="16" height="16" fill="url(#g)" '
    'stroke="black"/></g><text x="1" y="12" font-size="8">a</text></svg>'
)

try:
    render(_WARM, 16, 16)
except Exception:  # pragma: no cover - warming up is best effort
    pass
