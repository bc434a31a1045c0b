"""Rasterise a :class:`~svgkit.scene.Scene` with cairo: one picture, or many in worker processes.

:func:`render` draws in the calling process and returns straight RGBA pixels. :func:`render_many`
sends a batch to persistent worker processes so that a document which crashes the renderer, hangs
or eats memory costs one item, never the batch or the caller. See ``docs/rendering.md`` for what
is drawn, the conformance figures and the speed measurements.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import numbers
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from ..errors import ErrorCode, SVGKitError
from ..limits import Limits
from ..scene import Scene
from .pool import RenderPool

__all__ = [
    "MAX_OUTPUT_SIZE",
    "RenderPool",
    "add_render_command",
    "render",
    "render_many",
    "render_surface",
]

#: Largest accepted output width or height in pixels.
MAX_OUTPUT_SIZE = 16384

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


def _check_size(name: str, value: object) -> int:
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


def _as_scene(src: object, limits: Limits | None, repair: bool = False) -> Scene:
    if isinstance(src, Scene):
        return src
    if isinstance(src, (str, bytes, bytearray, memoryview)):
        from ..parsing import parse

        return parse(src, limits, repair=repair)
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
    import cairo

    from .draw import RenderState, draw_scene, output_matrix, prepare_points

    width = _check_size("width", width)
    height = _check_size("height", height)
    bg = parse_background(background)
    scene = _as_scene(src, limits, repair)
    lim = limits if limits is not None else Limits()
    try:
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
        ctx = cairo.Context(surface)
        if bg is not None and bg[3] > 0:
            ctx.set_source_rgba(*bg)
            ctx.paint()
        t_out = output_matrix(scene.canvas, width, height)
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
        )
        draw_scene(state)
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
    return _render_into(
        src, width, height, None, background=background, limits=limits, repair=repair
    )


def _render_into(
    src: RenderSource,
    width: int,
    height: int,
    out: npt.NDArray[np.uint8] | None,
    *,
    background: Background = None,
    limits: Limits | None = None,
    repair: bool = False,
) -> npt.NDArray[np.uint8]:
    """:func:`render`, writing the pixels into ``out`` when given (render workers use it to
    write straight into shared memory)."""
    from .pixel_formats import argb32_to_rgba

    with _gc_paused():
        surface = render_surface(
            src, width, height, background=background, limits=limits, repair=repair
        )
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


# ---------------------------------------------------------------------------------------------
# batches in worker processes
# ---------------------------------------------------------------------------------------------


def render_many(
    items: Iterable[RenderSource],
    width: int,
    height: int,
    *,
    workers: int | None = None,
    timeout_s: float = 10.0,
    background: Background = None,
    limits: Limits | None = None,
    out: npt.NDArray[np.uint8] | None = None,
    repair: bool = False,
) -> list[npt.NDArray[np.uint8] | SVGKitError]:
    """Render a batch in isolated, persistent worker processes; one result per item, in order.

    A failing item never fails the batch: its slot holds the :class:`SVGKitError` (parse errors
    with their own codes; ``RENDER_TIMEOUT`` when it ran past ``timeout_s`` and its worker was
    killed; ``RENDER_CRASH`` when the worker died; ``RENDER_MEMORY`` when it exceeded the worker's
    memory cap; ``RENDER_ERROR`` when cairo failed). Killed workers are replaced. The workers of
    the shared default pool persist between calls (see :class:`RenderPool` for a pool of your
    own and its settings); they are shut down at interpreter exit.

    Parameters
    ----------
    items
        Scenes, SVG texts or UTF-8 bytes.
    width, height
        Output size in pixels (as :func:`render`).
    workers
        Number of worker processes; default ``min(4, os.cpu_count())``. The shared pool grows to
        the largest number asked for.
    timeout_s
        Wall-clock budget per item, from the moment a worker receives it.
    background, limits, repair
        As :func:`render`.
    out
        Optional ``uint8`` array of shape ``(len(items), height, width, 4)`` that receives the
        pixels: item ``i``'s result is then the view ``out[i]``, and the slots of failed items
        are left untouched. Reusing one buffer across calls (a training loop's batch) saves
        allocating and faulting in fresh memory for every picture.

    Returns
    -------
    list of numpy.ndarray or SVGKitError

    Examples
    --------
    >>> import svgkit
    >>> ok = ('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
    ...       '<rect width="4" height="4"/></svg>')
    >>> out = svgkit.render_many([ok, "not svg"], 4, 4, workers=1)
    >>> out[0].shape, out[1].code
    ((4, 4, 4), 'NO_SVG')
    """
    from .pool import default_pool

    width = _check_size("width", width)
    height = _check_size("height", height)
    parse_background(background)  # validate in the caller, not once per item in a worker
    return default_pool(workers).render_many(
        items,
        width,
        height,
        timeout_s=timeout_s,
        background=background,
        limits=limits,
        out=out,
        repair=repair,
    )


# ---------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------


def _output_size(scene: Scene, args: argparse.Namespace) -> tuple[int, int]:
    cw, ch = scene.canvas.width, scene.canvas.height
    if args.width and args.height:
        return int(args.width), int(args.height)
    if args.width:
        return int(args.width), max(1, round(args.width * ch / cw))
    if args.height:
        return max(1, round(args.height * cw / ch)), int(args.height)
    size = int(args.size)
    if cw >= ch:
        return size, max(1, round(size * ch / cw))
    return max(1, round(size * cw / ch)), size


def _cmd_render(args: argparse.Namespace) -> int:
    import json

    from ..parsing import parse

    data = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()
    try:
        scene = parse(data, repair=args.repair)
        width, height = _output_size(scene, args)
        surface = render_surface(scene, width, height, background=args.background)
    except SVGKitError as exc:
        print(json.dumps({"file": args.file, "ok": False, **exc.to_dict()}), file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"svgkit render: {exc}", file=sys.stderr)
        return 2
    if args.output == "-":
        surface.write_to_png(sys.stdout.buffer)
    else:
        surface.write_to_png(args.output)
    for w in scene.warnings:
        print(f"warning: {w.code}: {w.message}", file=sys.stderr)
    return 0


def add_render_command(subparsers: Any) -> None:
    """Register ``svgkit render IN.svg -o OUT.png [--size N] [--background COLOUR]``."""
    p = subparsers.add_parser(
        "render",
        help="render an SVG (or raw model output) to a PNG",
        description="Render an SVG to PNG. The longer side is --size pixels unless --width or "
        "--height is given; the other side keeps the canvas's aspect ratio.",
    )
    p.add_argument("file", help="path to the SVG, or - for standard input")
    p.add_argument("-o", "--output", required=True, help="PNG path, or - for standard output")
    p.add_argument("--size", type=int, default=512, help="longer side in pixels (default 512)")
    p.add_argument("--width", type=int, default=None, help="output width in pixels")
    p.add_argument("--height", type=int, default=None, help="output height in pixels")
    p.add_argument(
        "--background", default=None, help="CSS colour under the picture (default: transparent)"
    )
    p.add_argument(
        "--repair", action="store_true", help="fix the XML mistakes models make (see docs)"
    )
    p.set_defaults(func=_cmd_render)
