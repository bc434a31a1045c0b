"""The ``svgkit`` command line.

Exit status: 0 success / valid, 1 invalid input, 2 usage error (argparse's convention).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


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
        scene = parse(data, repair=args.repair)
    except SVGKitError as exc:
        print(json.dumps({"file": args.file, "ok": False, **exc.to_dict()}))
        return 1
    print(
        json.dumps(
            {"file": args.file, "ok": True, **scene.to_dict()}, indent=2 if args.pretty else None
        )
    )
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import demo

    result = demo.main([] if args.out is None else ["--out", args.out])
    return int(result or 0)


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
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("demo", help="validate, summarise (and render) the bundled example SVGs")
    p.add_argument("--out", default=None, help="directory for rendered PNGs")
    p.set_defaults(func=_cmd_demo)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


# later stages (the renderer) add their subcommands here without this module importing them
_EXTRA_COMMANDS: list[Any] = []


def _register_render(sub: Any) -> None:
    try:
        from .renderer.surface import add_render_command
    except ImportError:
        return
    add_render_command(sub)


_EXTRA_COMMANDS.append(_register_render)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except FileNotFoundError as exc:
        print(f"svgkit: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
