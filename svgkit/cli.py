"""The ``svgkit`` command line.

Exit status: 0 success / valid, 1 invalid input, 2 usage error (argparse's convention) or a file
that cannot be read or written, reported as one line naming the path. Input is read with a bound
(one byte past ``Limits.max_input_bytes``, so an oversized input is refused as ``LIMIT``) and only
from a regular file or standard input (``-``): a directory, a FIFO or a device such as
``/dev/zero`` is refused before anything is read.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]


class _FileError(Exception):
    """A path the command cannot use; the message names it."""


def _read(path: str) -> bytes:
    from .limits import Limits

    # one byte past the limit is enough for parse/validate to refuse the input as LIMIT
    bound = Limits().max_input_bytes + 1
    if path == "-":
        return sys.stdin.buffer.read(bound)
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise _FileError(f"{path}: is a directory")
        if not stat.S_ISREG(mode):
            raise _FileError(f"{path}: not a regular file (use - to read standard input)")
        with open(path, "rb") as fh:
            return fh.read(bound)
    except OSError as exc:
        raise _FileError(f"{path}: {exc.strerror or exc}") from None


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validation import validate

    data = _read(args.file)
    report = validate(data, repair=args.repair)
    out: dict[str, Any] = {"file": args.file, **report.to_dict()}
    print(json.dumps(out, indent=2 if args.pretty else None))
    return 0 if report.ok else 1


def _cmd_info(args: argparse.Namespace) -> int:
    from .errors import SVGKitError
    from .parsing import parse

    data = _read(args.file)
    try:
        scene = parse(data, repair=args.repair, **_font_kwargs(args))
    except SVGKitError as exc:
        print(json.dumps({"file": args.file, "ok": False, **exc.to_dict()}))
        return 1
    except ValueError as exc:
        print(f"svgkit info: {exc}", file=sys.stderr)
        return 2
    print(
        json.dumps(
            {"file": args.file, "ok": True, **scene.to_dict()}, indent=2 if args.pretty else None
        )
    )
    return 0


def _output_size(
    canvas_width: float, canvas_height: float, args: argparse.Namespace
) -> tuple[int, int]:
    """The PNG size: ``--width`` and/or ``--height``, else ``--size`` on the longer side; a
    missing side keeps the canvas's aspect ratio."""
    cw, ch = canvas_width, canvas_height
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


def _font_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The ``font_dirs`` / ``system_fonts`` arguments of ``--font-dir``, ``--no-system-fonts``
    and ``--pinned-fonts`` (the pinned set alone; raises its FontSetError when missing)."""
    dirs: list[str] = list(args.font_dir or [])
    system = not args.no_system_fonts
    if args.pinned_fonts:
        from .font_set import pinned_font_files

        dirs = [*pinned_font_files(), *dirs]
        system = False
    return {"font_dirs": dirs or None, "system_fonts": system}


def _add_font_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--font-dir",
        action="append",
        metavar="DIR",
        help="a directory (or font file) text may use; repeatable",
    )
    p.add_argument(
        "--no-system-fonts",
        action="store_true",
        help="use only the --font-dir fonts: the same pixels on every machine",
    )
    p.add_argument(
        "--pinned-fonts",
        action="store_true",
        help="use only svgkit's pinned DejaVu set (the `fonts` extra) and any --font-dir",
    )


def _cmd_render(args: argparse.Namespace) -> int:
    import cairo

    from .errors import SVGKitError
    from .parsing import parse
    from .renderer import render_surface

    data = _read(args.file)
    try:
        scene = parse(data, repair=args.repair, **_font_kwargs(args))
        width, height = _output_size(scene.canvas.width, scene.canvas.height, args)
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
        try:
            surface.write_to_png(args.output)
        except (OSError, cairo.Error) as exc:
            raise _FileError(f"{args.output}: cannot write the PNG ({exc})") from None
    for w in scene.warnings:
        print(f"warning: {w.code}: {w.message}", file=sys.stderr)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import demo

    result = demo.main([] if args.out is None else ["--out", args.out])
    return int(result or 0)


def _cmd_warmup(args: argparse.Namespace) -> int:
    import importlib
    import time

    from .geometry import compile_kernels

    if args.jobs is not None and args.jobs < 1:
        print("svgkit warmup: --jobs must be at least 1", file=sys.stderr)
        return 2
    report = compile_kernels(jobs=args.jobs)
    print(
        f"geometry: {len(report.compiled)} kernels ready in {report.seconds:.1f} s "
        f"({report.jobs} process{'es' if report.jobs > 1 else ''}); numba cache: "
        f"{', '.join(report.cache_dirs)}"
    )
    if not args.geometry_only:
        start = time.perf_counter()
        importlib.import_module("svgkit.renderer.warmup")  # draws two documents on import
        print(f"renderer: kernels and fonts ready in {time.perf_counter() - start:.1f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``svgkit`` command."""
    parser = argparse.ArgumentParser(
        prog="svgkit", description="Validate, inspect and render model-written SVG."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "validate", help="validate an SVG (or raw model output); print a JSON report"
    )
    p.add_argument("file", help="path to the file, or - for standard input")
    p.add_argument(
        "--repair", action="store_true", help="close the open tags of a truncated document"
    )
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("info", help="parse into a Scene and print its summary as JSON")
    p.add_argument("file", help="path to the file, or - for standard input")
    p.add_argument(
        "--repair", action="store_true", help="close the open tags of a truncated document"
    )
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    _add_font_arguments(p)
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("demo", help="validate, summarise (and render) the bundled example SVGs")
    p.add_argument("--out", default=None, help="directory for rendered PNGs")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser(
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
    _add_font_arguments(p)
    p.set_defaults(func=_cmd_render)

    p = sub.add_parser(
        "warmup",
        help="compile the numba kernels into numba's cache (a set-up step: a Dockerfile, a "
        "job's first step)",
        description="Compile the geometry kernels (and warm the renderer) so that the first "
        "stats(), objects() and render() of later processes load machine code from numba's "
        "cache instead of compiling it. Set NUMBA_CACHE_DIR to a writable directory when the "
        "package directory is read-only, for this step and for the processes that follow.",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="processes to compile in (default: the CPUs, at most 4)",
    )
    p.add_argument("--geometry-only", action="store_true", help="skip warming the renderer")
    p.set_defaults(func=_cmd_warmup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except _FileError as exc:
        print(f"svgkit {args.command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
