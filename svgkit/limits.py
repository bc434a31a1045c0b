"""Hard limits applied to every document before and while it is parsed.

Model output is untrusted input. Every bound here is checked during parsing and exceeding one
raises :class:`svgkit.SVGKitError` with code ``LIMIT`` and ``.limit`` naming the field.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

from .errors import ErrorCode, SVGKitError

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """Bounds on what one SVG document may cost.

    The defaults admit any SVG a language model plausibly writes (typical outputs are 1–20 KB with
    tens to hundreds of elements) with a wide margin, while refusing decompression-bomb style
    inputs long before they cost seconds or gigabytes.

    Parameters
    ----------
    max_input_bytes
        Size of the SVG text in UTF-8 bytes. Default 4 MiB.
    max_elements
        Number of XML elements in the document. Default 50,000.
    max_depth
        Element nesting depth. Default 256.
    max_path_commands
        Total path commands over all primitives after ``<use>`` expansion. Default 200,000.
    max_points
        Total points of the flattened polylines. Default 4,000,000.
    max_use_expansions
        Total number of ``<use>`` instantiations (nested ones included). Default 10,000.
    max_reference_depth
        Depth of ``<use>`` → ``<use>`` → … and ``href`` chains of gradients. Default 16.
    max_canvas_size
        Largest accepted width or height of the canvas and of the viewBox, in px. Default 100,000.
    max_coordinate
        Largest absolute value of any coordinate, length or stroke width in user units.
        Default 1e7; larger values (e.g. ``1e300``) are treated as garbage.
    max_text_chars
        Total characters of ``<text>`` content. Default 100,000.
    max_image_pixels
        Decoded size of one embedded ``data:`` image in pixels. Default 16 megapixels.
    max_render_work
        Work of drawing one Scene at the requested size, counted before drawing in the units of
        :class:`svgkit.renderer.work.RenderWork` (about one output row crossed by one edge,
        5–35 ns on a 2-core machine). Deterministic: the same document and size get the same
        verdict on every machine. Default 50 million (at most about 1.75 s of drawing).
    max_layer_bytes
        Bytes of layer surfaces alive at once while drawing (nested groups with opacity, clips,
        masks or filters, each the size of what it covers), counted before drawing. Default
        2 GiB.
    time_budget_s
        Wall-clock guard, checked separately while parsing and while drawing one document.
        Exceeding it is ``TIMEOUT`` (parsing) or ``RENDER_TIMEOUT`` (drawing), the one outcome
        that depends on the machine's load; the count limits above are set so that it does not
        happen on a working machine. Default 10 s.

    Examples
    --------
    >>> Limits().max_depth
    256
    >>> Limits(max_elements=100).max_elements
    100
    """

    max_input_bytes: int = 4 * 1024 * 1024
    max_elements: int = 50_000
    max_depth: int = 256
    max_path_commands: int = 200_000
    max_points: int = 4_000_000
    max_use_expansions: int = 10_000
    max_reference_depth: int = 16
    max_canvas_size: float = 100_000.0
    max_coordinate: float = 1e7
    max_text_chars: int = 100_000
    max_image_pixels: int = 16_000_000
    max_render_work: int = 50_000_000
    max_layer_bytes: int = 2 * 1024**3
    time_budget_s: float = 10.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TypeError(f"Expected `{f.name}` to be a number, but got {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(
                    f"Expected `{f.name}` to be a positive finite number, but got {value!r}"
                )

    def to_dict(self) -> dict[str, Any]:
        """Return the limits as a plain dict."""
        return asdict(self)


def limit_error(name: str, value: object, bound: object) -> SVGKitError:
    """Build the ``LIMIT`` error for field ``name`` of :class:`Limits`."""
    return SVGKitError(
        ErrorCode.LIMIT,
        f"limit {name} exceeded: {value} > {bound}",
        limit=name,
        details={
            "value": value if isinstance(value, (int, float, str)) else str(value),
            "bound": bound,
        },
    )


class Deadline:
    """The per-document wall-clock guard; ``check()`` is called at safe points.

    ``code`` is ``TIMEOUT`` while parsing and ``RENDER_TIMEOUT`` while drawing: a load-dependent
    outcome kept apart from the deterministic ``LIMIT``.
    """

    __slots__ = ("_end", "_budget", "_code")

    def __init__(self, budget_s: float, code: ErrorCode = ErrorCode.TIMEOUT) -> None:
        self._budget = budget_s
        self._code = code
        self._end = time.perf_counter() + budget_s

    def check(self) -> None:
        if time.perf_counter() > self._end:
            raise SVGKitError(
                self._code,
                f"wall-clock guard time_budget_s={self._budget} s ran out",
                limit="time_budget_s",
                details={"bound": self._budget},
            )
