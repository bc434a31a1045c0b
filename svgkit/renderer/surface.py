"""Rasterise one :class:`~svgkit.scene.Scene` (or SVG text) with cairo in the calling process:
check the requested size and background, parse when given text, draw into an ARGB32 surface
(:func:`render_surface`) and convert it to straight RGBA pixels (:func:`render`), classifying
every failure as an :class:`~svgkit.errors.SVGKitError`. The process pool above it
(:mod:`svgkit.renderer.pool`) calls :func:`render_checked` in its workers. See
``docs/rendering.md`` for what is drawn, the conformance figures and the speed measurements.
"""

from __future__ import annotations

import contextlib
import gc
import math
import numbers
import os
import sys
from collections.abc import Sequence
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from ..errors import ErrorCode, SVGKitError
from ..font_set import SYSTEM_FONTS, FontOptions, font_options
from ..limits import Deadline, Limits
from ..scene import Scene

__all__ = [
    "MAX_OUTPUT_SIZE",
    "Background",
    "RenderSource",
    "check_size",
    "parse_background",
    "render",
    "render_checked",
    "render_surface",
]

#: Largest accepted output width or height in pixels.
MAX_OUTPUT_SIZE = 16384

# Limits is frozen: renders without limits share one instead of validating a new one each time
_DEFAULT_LIMITS = Limits()

Background = Union[str, Sequence[float], None]  # noqa: UP007 (runtime alias on Python 3.9 syntax)
RenderSource = Union[Scene, str, bytes, bytearray, memoryview]  # noqa: UP007


@contextlib.contextmanager
def _gc_paused() -> Any:
    """Hold off the cyclic garbage collector for one parse + render.

    Parsing allocates thousands of short-lived containers that die by reference counting, yet
    each 700 allocations trigger a collection that also walks every long-lived object of the
    process (numba and cairo bring many): about 0.6 ms per 512² render of a model-style document,
    an eighth of the total. One collection after the render replaces dozens during it; nothing
    is leaked (the collector runs again as soon as it is re-enabled).
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_size(name: str, value: object) -> int:
    """``value`` as an output side in pixels: an int in [1, :data:`MAX_OUTPUT_SIZE`].

    Raises
    ------
    ValueError
        For anything else (``bool`` included).

    Examples
    --------
    >>> check_size("width", 64)
    64
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        n = int(value)
        if 1 <= n <= MAX_OUTPUT_SIZE:
            return n
    raise ValueError(f"Expected `{name}` to be an int in [1, {MAX_OUTPUT_SIZE}], but got {value!r}")


def parse_background(background: Background) -> tuple[float, float, float, float] | None:
    """Normalise ``background`` to straight RGBA floats in [0, 1] (``None``: transparent).

    Accepts a CSS colour string (``"white"``, ``"#ff000080"``, ``"rgb(0 0 0 / 50%)"``), or a tuple
    of 3 or 4 numbers: all ``int`` means 0–255 channels, otherwise floats in [0, 1].

    Examples
    --------
    >>> parse_background("white")
    (1.0, 1.0, 1.0, 1.0)
    >>> parse_background((255, 0, 0))
    (1.0, 0.0, 0.0, 1.0)
    """
    if background is None:
        return None
    if isinstance(background, str):
        from ..color import parse_color

        rgba = parse_color(background)
        if rgba is None:
            raise ValueError(f"Expected `background` to be a CSS colour, but got {background!r}")
        return rgba
    try:
        values = list(background)
    except TypeError:
        values = []
    if len(values) in (3, 4) and all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(float(v))
        for v in values
    ):
        if all(isinstance(v, numbers.Integral) for v in values):
            if all(0 <= int(v) <= 255 for v in values):
                chans = [int(v) / 255.0 for v in values]
                return (chans[0], chans[1], chans[2], chans[3] if len(chans) == 4 else 1.0)
        elif all(0.0 <= float(v) <= 1.0 for v in values):
            f = [float(v) for v in values]
            return (f[0], f[1], f[2], f[3] if len(f) == 4 else 1.0)
    raise ValueError(
        "Expected `background` to be a CSS colour or an RGB(A) tuple (ints 0-255 or floats in "
        f"[0, 1]), but got {background!r}"
    )


def _blends(scene: Scene) -> bool:
    """Whether any group of ``scene`` has a ``mix-blend-mode`` other than ``normal``."""
    return any(g.blend_mode != "normal" for g in scene.groups)


def _as_scene(
    src: object, limits: Limits | None, repair: bool = False, fonts: FontOptions | None = None
) -> Scene:
    if isinstance(src, Scene):
        return src
    if isinstance(src, (str, bytes, bytearray, memoryview)):
        from ..parsing import parse

        fonts = fonts or SYSTEM_FONTS
        return parse(
            src, limits, repair=repair, font_dirs=fonts.font_dirs, system_fonts=fonts.system_fonts
        )
    raise SVGKitError(
        ErrorCode.BAD_INPUT, f"expected a Scene or SVG text/bytes, got {type(src).__name__}"
    )


def render_surface(
    src: RenderSource,
    width: int,
    height: int,
    *,
    background: Background = None,
    limits: Limits | None = None,
    repair: bool = False,
    font_dirs: Sequence[str | os.PathLike[str]] | None = None,
    system_fonts: bool = True,
) -> Any:
    """Draw ``src`` into a new cairo ``ImageSurface`` (ARGB32, premultiplied) of the given size.

    The lower-level half of :func:`render`, for callers that want the cairo surface itself
    (e.g. to write a PNG with ``surface.write_to_png``). Arguments and errors as :func:`render`.

    Examples
    --------
    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'
    >>> s = render_surface(svg, 8, 8)
    >>> s.get_width(), s.get_height()
    (8, 8)
    """
    width = check_size("width", width)
    height = check_size("height", height)
    fonts = font_options(font_dirs, system_fonts)
    return _draw_surface(src, width, height, parse_background(background), limits, repair, fonts)


def _draw_surface(
    src: RenderSource,
    width: int,
    height: int,
    bg: tuple[float, float, float, float] | None,
    limits: Limits | None,
    repair: bool,
    fonts: FontOptions | None = None,
    pixels: npt.NDArray[np.uint8] | None = None,
) -> Any:
    """:func:`render_surface` for a size and background its caller has already checked.

    With ``pixels`` (a C-contiguous ``uint8`` array of shape ``(height, width, 4)``), cairo
    draws into that array's memory, which is cleared first, instead of a surface of its own."""
    import cairo

    from .draw import draw_scene, output_matrix
    from .state import RenderState, prepare_points
    from .work import check_render_work

    scene = _as_scene(src, limits, repair, fonts)
    lim = limits if limits is not None else _DEFAULT_LIMITS
    try:
        if pixels is None:
            surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
            ctx = cairo.Context(surface)
        else:
            surface = cairo.ImageSurface.create_for_data(
                pixels.data, cairo.FORMAT_ARGB32, width, height, 4 * width
            )
            ctx = cairo.Context(surface)
            # clear it with cairo, not numpy: a surface cairo has cleared is marked clear, as a
            # new ImageSurface is, and cairo draws onto a clear surface with other (exact but
            # differently rounded) operations than onto one whose content it does not know
            ctx.set_operator(cairo.OPERATOR_CLEAR)
            ctx.paint()
            ctx.set_operator(cairo.OPERATOR_OVER)
        # the caller's background lies under the finished picture: with blend modes in the
        # document it goes in last, beneath (DEST_OVER), so nothing blends with it
        under = None
        if bg is not None and bg[3] > 0:
            if _blends(scene):
                under = bg
            else:
                ctx.set_source_rgba(*bg)
                ctx.paint()
        root_bg = scene.groups[0].background if scene.groups else None
        if root_bg is not None:
            # the root's CSS background-color covers the whole canvas, behind the content and
            # outside the root's own opacity, clip and effects, as browsers paint it
            ctx.set_source_rgba(*root_bg)
            ctx.paint()
        t_out = output_matrix(scene.canvas, width, height)
        check_render_work(scene, width, height, t_out, lim)
        codes, points, cmd_offsets, pt_offsets = prepare_points(scene, t_out)
        state = RenderState(
            scene,
            ctx,
            width,
            height,
            t_out,
            codes,
            points,
            cmd_offsets,
            pt_offsets,
            int(lim.max_image_pixels),
            draw_scene,
        )
        state.deadline = Deadline(lim.time_budget_s, ErrorCode.RENDER_TIMEOUT)
        draw_scene(state)
        if under is not None:
            ctx.set_operator(cairo.OPERATOR_DEST_OVER)
            ctx.set_source_rgba(*under)
            ctx.paint()
        surface.flush()
    except SVGKitError:
        raise
    except MemoryError as exc:
        raise SVGKitError(
            ErrorCode.RENDER_MEMORY, f"out of memory while rendering: {exc}"
        ) from None
    except (cairo.Error, ValueError, OverflowError, ZeroDivisionError, RecursionError) as exc:
        raise SVGKitError(
            ErrorCode.RENDER_ERROR, f"renderer failed: {type(exc).__name__}: {exc}"
        ) from None
    except Exception as exc:  # a bug in svgkit: still a classified error for the caller
        raise SVGKitError(
            ErrorCode.INTERNAL, f"unexpected renderer error: {type(exc).__name__}: {exc}"
        ) from exc
    return surface


def render(
    src: RenderSource,
    width: int,
    height: int,
    *,
    background: Background = None,
    limits: Limits | None = None,
    repair: bool = False,
    font_dirs: Sequence[str | os.PathLike[str]] | None = None,
    system_fonts: bool = True,
) -> npt.NDArray[np.uint8]:
    """Render an SVG (or a parsed :class:`Scene`) to straight RGBA pixels.

    The document's viewport is mapped onto exactly ``width × height`` pixels honouring the root
    ``viewBox`` and ``preserveAspectRatio`` (a request with the canvas's aspect ratio is a plain
    scale). Pixels stay in memory: no PNG is encoded.

    Parameters
    ----------
    src
        A :class:`Scene`, or SVG text / UTF-8 bytes (parsed with :func:`svgkit.parse`).
    width, height
        Output size in pixels, ints in [1, :data:`MAX_OUTPUT_SIZE`] (16384).
    background
        ``None`` (transparent, the default), a CSS colour such as ``"white"``, or an RGB(A) tuple
        (ints 0–255, or floats in [0, 1]). The picture is composited over it.
    limits
        Parse limits when ``src`` is text; ``max_image_pixels`` also bounds embedded images.
    repair
        When ``src`` is text, fix the XML mistakes models make before drawing (see
        :func:`svgkit.parse`); the repairs are recorded in the Scene's warnings.
    font_dirs, system_fonts
        When ``src`` is text, the fonts its text may use (see :func:`svgkit.parse`):
        ``font_dirs=svgkit.font_set.pinned_font_files(), system_fonts=False`` renders the same
        pixels on every machine. A :class:`Scene` keeps the fonts it was parsed with.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of shape ``(height, width, 4)``: straight (un-premultiplied) RGBA.

    Raises
    ------
    SVGKitError
        Parse errors with their own codes; ``RENDER_ERROR`` when cairo fails on a valid Scene,
        ``RENDER_MEMORY`` when it runs out of memory.
    ValueError
        For a bad ``width``, ``height`` or ``background`` argument.

    Examples
    --------
    >>> import svgkit
    >>> img = svgkit.render('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    ...                     '<rect width="5" height="10" fill="red"/></svg>', 20, 20)
    >>> img.shape, img[10, 2].tolist(), img[10, 15].tolist()
    ((20, 20, 4), [255, 0, 0, 255], [0, 0, 0, 0])
    """
    width = check_size("width", width)
    height = check_size("height", height)
    bg = parse_background(background)
    fonts = font_options(font_dirs, system_fonts)
    return render_checked(src, width, height, bg, limits=limits, repair=repair, fonts=fonts)


def render_checked(
    src: RenderSource,
    width: int,
    height: int,
    background: tuple[float, float, float, float] | None,
    *,
    limits: Limits | None = None,
    repair: bool = False,
    out: npt.NDArray[np.uint8] | None = None,
    fonts: FontOptions | None = None,
) -> npt.NDArray[np.uint8]:
    """:func:`render` for arguments its caller has already checked.

    The workers of :func:`svgkit.render_many` call it with the size and background the parent
    checked once for the whole batch, and write the pixels straight into shared memory.

    Parameters
    ----------
    src
        As :func:`render`.
    width, height
        Output size in pixels, already passed through :func:`check_size`.
    background
        ``None`` or straight RGBA floats in [0, 1], as :func:`parse_background` returns them.
    limits, repair
        As :func:`render`.
    fonts
        The checked ``font_dirs`` / ``system_fonts`` of :func:`render` (``None``: system fonts).
    out
        Optional C-contiguous ``uint8`` array of shape ``(height, width, 4)`` that receives the
        pixels (cairo draws into it; after a failure it may hold part of a picture).

    Returns
    -------
    numpy.ndarray
        ``out`` when given, else a new array: straight RGBA as :func:`render`.

    Examples
    --------
    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"></svg>'
    >>> render_checked(svg, 2, 2, (1.0, 1.0, 1.0, 1.0))[0, 0].tolist()
    [255, 255, 255, 255]
    """
    from .pixel_formats import argb32_to_rgba, argb32_to_rgba_inplace

    if sys.byteorder == "little":
        # cairo draws straight into the result array, converted in place afterwards: one
        # picture's memory is allocated and faulted in instead of two (cairo's surface, then
        # the result), and no copy is made (ARGB32 words are the bytes B, G, R, A here)
        if out is not None:
            _check_out(out, width, height)
            pixels = out
        else:
            try:
                pixels = np.empty((height, width, 4), dtype=np.uint8)
            except MemoryError as exc:
                raise SVGKitError(
                    ErrorCode.RENDER_MEMORY, f"out of memory while rendering: {exc}"
                ) from None
        with _gc_paused():
            surface = _draw_surface(src, width, height, background, limits, repair, fonts, pixels)
        surface.finish()  # cairo lets go of the array
        return argb32_to_rgba_inplace(pixels)
    with _gc_paused():
        surface = _draw_surface(src, width, height, background, limits, repair, fonts)
    try:
        return argb32_to_rgba(
            surface.get_data(),
            surface.get_width(),
            surface.get_height(),
            surface.get_stride(),
            out,
        )
    except MemoryError as exc:
        raise SVGKitError(
            ErrorCode.RENDER_MEMORY, f"out of memory converting pixels: {exc}"
        ) from None


def _check_out(out: npt.NDArray[np.uint8], width: int, height: int) -> None:
    """Refuse an ``out`` array cairo cannot draw into, as the conversion would."""
    if out.shape != (height, width, 4) or out.dtype != np.uint8 or not out.flags.c_contiguous:
        raise ValueError(f"Expected `out` to be C-contiguous uint8 {(height, width, 4)}")
    if not out.flags.writeable:
        raise ValueError("Expected `out` to be writeable")
