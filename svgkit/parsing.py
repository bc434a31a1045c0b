"""``svgkit.parse``: raw text → validated :class:`Scene`, or a classified :class:`SVGKitError`.

The two stages in order: :func:`svgkit.ingest.document.read_document` (text → safe XML), then
:func:`svgkit.build.build_scene` (XML → Scene), sharing one diagnostic sink.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Union

from .build import build_scene
from .errors import _DiagnosticSink
from .font_set import SYSTEM_FONTS, active_fonts, font_options, using_fonts
from .ingest.document import read_document
from .limits import Limits, limit_error
from .scene import Scene

__all__ = ["parse"]

# Limits is frozen, so every call without limits can share one (building one validates each of
# its fields, a measurable part of parsing a small document)
_DEFAULT_LIMITS = Limits()

TextInput = Union[str, bytes, bytearray, memoryview]  # noqa: UP007 - a runtime alias on 3.10


def parse(
    text: TextInput | Scene,
    limits: Limits | None = None,
    *,
    repair: bool = False,
    flatten_tolerance: float = 0.1,
    font_dirs: Sequence[str | os.PathLike[str]] | None = None,
    system_fonts: bool = True,
) -> Scene:
    """Parse SVG text (or raw model output containing SVG) into a :class:`Scene`.

    The text goes through :func:`svgkit.extract_svg` first, so a completion with prose, ``<think>``
    sections or markdown fences around the SVG parses directly. Parsing is hardened: entity
    declarations are refused, nothing is ever fetched, and every :class:`Limits` bound is enforced.

    Parameters
    ----------
    text
        SVG text, raw model output, or UTF-8 bytes. A :class:`Scene` is returned unchanged.
    limits
        Bounds on the document's cost; ``Limits()`` defaults when ``None``.
    repair
        Fix the XML mistakes models make instead of refusing the document: close the open
        elements of a truncated document (instead of ``TRUNCATED``), and, when the strict parse
        fails, declare undeclared namespace prefixes, keep the first of duplicated attributes and
        escape stray ``<`` and ``&`` (see :func:`svgkit.repair_svg`). Every repair is recorded in
        ``Scene.warnings`` with its code. Off by default: a training reward should teach valid XML.
    flatten_tolerance
        Max distance in device px between curves and the polylines of :attr:`Scene.flat`.
    font_dirs
        Directories (searched recursively) or single font files whose fonts text may use, in
        addition to the system's; :func:`svgkit.font_set.pinned_font_files` is the pinned set.
    system_fonts
        ``False`` leaves the machine's fonts out: text is matched and laid out with the fonts of
        ``font_dirs`` alone (generic families mapped onto them), the same on every machine.

    Returns
    -------
    Scene

    Raises
    ------
    SVGKitError
        With ``.code`` one of NO_SVG, TRUNCATED, XML_SYNTAX, NOT_SVG, FORBIDDEN, LIMIT,
        BAD_GEOMETRY, BAD_INPUT.

    Examples
    --------
    >>> import svgkit
    >>> scene = svgkit.parse('Sure! ```svg\\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
    ...                      'height="10"><circle cx="5" cy="5" r="4" fill="red"/></svg>\\n```')
    >>> len(scene), scene.primitive(0).tag, scene.fill_rgba[0].tolist()
    (1, 'circle', [1.0, 0.0, 0.0, 1.0])
    """
    if isinstance(text, Scene):
        return text
    limits = _DEFAULT_LIMITS if limits is None else limits
    if not isinstance(limits, Limits):
        raise TypeError(f"Expected `limits` to be a svgkit.Limits, but got {type(limits).__name__}")
    if not (flatten_tolerance > 0):
        raise ValueError(
            f"Expected `flatten_tolerance` to be a positive float, but got {flatten_tolerance}"
        )
    fonts = (
        SYSTEM_FONTS
        if font_dirs is None and system_fonts is True
        else font_options(font_dirs, system_fonts)
    )
    sink = _DiagnosticSink()
    document = read_document(text, limits, repair=repair, sink=sink)
    try:
        # text is laid out while building: the font set must be in force for the whole build
        if fonts is active_fonts():
            scene = build_scene(document.parsed, limits, sink, float(flatten_tolerance))
        else:
            with using_fonts(fonts):
                scene = build_scene(document.parsed, limits, sink, float(flatten_tolerance))
    except RecursionError:
        raise limit_error("max_depth", "recursion limit", limits.max_depth) from None
    object.__setattr__(scene, "source_bytes", len(document.text.encode("utf-8", "surrogatepass")))
    return scene
