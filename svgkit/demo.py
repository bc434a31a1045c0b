"""Validate, summarise and render the example SVGs bundled with svgkit.

``python -m svgkit.demo`` (or ``make demo``) runs :func:`svgkit.validate` and :func:`svgkit.parse`
on every file in ``svgkit/examples/`` and prints one row per file: the verdict (``ok`` or the
error code), the number of primitives drawn, the primitive kinds, the annotated objects
(``data-object`` on groups) and the warnings. It then shows what a few typical broken model
outputs are classified as (:func:`svgkit.validate` takes raw model output and extracts the SVG
itself), and renders every valid file with :func:`svgkit.render` to ``out/demo/<name>.png``
(canvas size, scaled down to at most :data:`MAX_PNG_SIDE` px on the longest side).

Pass SVG files as arguments to summarise those instead of the bundled examples.

Exit status: 0 when every file validates, 1 when one does not, 2 on a usage error.

Examples
--------
>>> from svgkit.demo import example_names, read_example
>>> "house_sun.svg" in example_names()
True
>>> read_example("house_sun.svg").lstrip().startswith("<svg")
True
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

import svgkit

from .errors import SVGKitError
from .scene import Scene

__all__ = ["Row", "example_names", "main", "read_example", "summarise"]

#: Typical ways a language model's answer goes wrong, with the code svgkit is meant to give each.
BROKEN_OUTPUTS: tuple[tuple[str, str, str], ...] = (
    (
        "svg in a markdown fence",
        'Sure! Here is a red circle:\n```svg\n<svg xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="red"/></svg>\n```',
        "OK",
    ),
    ("no svg at all", "I'm sorry, I can't draw that.", "NO_SVG"),
    (
        "cut off mid-path",
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0 L5',
        "TRUNCATED",
    ),
    (
        "unclosed <g>",
        '<svg xmlns="http://www.w3.org/2000/svg"><g><rect width="4" height="4"/></svg>',
        "XML_SYNTAX",
    ),
    (
        "entity expansion",
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]><svg xmlns="http://www.w3.org/2000/svg">'
        "<text>&a;&a;</text></svg>",
        "FORBIDDEN",
    ),
    ("nothing drawn", '<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>', "EMPTY"),
)


def example_names() -> list[str]:
    """Return the file names of the bundled example SVGs, sorted.

    Examples
    --------
    >>> len(example_names()) >= 8
    True
    """
    folder = resources.files("svgkit") / "examples"
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".svg"))


def read_example(name: str) -> str:
    """Return the text of the bundled example ``name`` (a name from :func:`example_names`).

    Examples
    --------
    >>> "data-object" in read_example("landscape_use.svg")
    True
    """
    if name not in example_names():
        raise ValueError(f"Expected `name` to be one of {example_names()}, but got {name!r}")
    return (resources.files("svgkit") / "examples" / name).read_text(encoding="utf-8")


@dataclass
class Row:
    """The summary of one SVG as printed by the demo: ``result`` is ``"ok"`` or the error code;
    ``scene`` is the parsed :class:`svgkit.Scene` (``None`` when the input was refused)."""

    name: str
    result: str
    primitives: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    objects: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    scene: Scene | None = field(default=None, repr=False)


def summarise(name: str, text: str) -> Row:
    """Parse and validate ``text`` and return its summary :class:`Row`.

    Examples
    --------
    >>> row = summarise("house_sun.svg", read_example("house_sun.svg"))
    >>> row.result, row.primitives, row.objects
    ('ok', 23, ['sun', 'house'])
    >>> summarise("reply", "I cannot draw that.").result
    'NO_SVG'
    """
    try:
        scene: Scene | None = svgkit.parse(text)
    except Exception:  # validate() below classifies it (SVGKitError code, or INTERNAL for a bug)
        scene = None
    # validate() accepts the Scene, so a document is parsed once; refused text is re-read only
    # as far as the error.
    report = svgkit.validate(text if scene is None else scene)
    row = Row(
        name,
        "ok" if report.ok else report.code,
        primitives=report.primitives,
        warnings=[w.code for w in report.warnings],
        message=report.message,
    )
    if scene is not None:
        row.scene = scene
        kinds = scene.to_dict()["kinds"]
        row.kinds = {k: int(n) for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]) if n}
        row.objects = list(dict.fromkeys(g.data_object for g in scene.groups if g.data_object))
    return row


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _format_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {n}" for k, n in counts.items()) or "-"


def _format_warnings(codes: list[str]) -> str:
    if not codes:
        return "-"
    tally = Counter(codes)
    return ", ".join(f"{c}×{n}" if n > 1 else c for c, n in tally.items())


def _print_table(rows: Sequence[Row], out: Any) -> None:
    header = f"{'file':<22} {'result':<12} {'prims':>5}  {'kinds':<44} {'objects':<24} warnings"
    print(header, file=out)
    print("-" * len(header), file=out)
    for r in rows:
        print(
            f"{_fit(r.name, 22):<22} {_fit(r.result, 12):<12} {r.primitives:>5}  "
            f"{_fit(_format_counts(r.kinds), 44):<44} {_fit(', '.join(r.objects) or '-', 24):<24} "
            f"{_format_warnings(r.warnings)}",
            file=out,
        )


# --- rendering --------------------------------------------------------------------------------


def _png_bytes(rgba: npt.NDArray[np.uint8]) -> bytes:
    """Encode straight RGBA ``(H, W, 4)`` uint8 pixels (what :func:`svgkit.render` returns) as a
    PNG: 8-bit RGBA, colour type 6, no filtering."""
    h, w, _ = rgba.shape

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    # every scanline starts with filter type 0 (None)
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgba.reshape(h, w * 4)], axis=1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


#: Longest side of a demo PNG; larger canvases are scaled down to it.
MAX_PNG_SIDE = 1024


def _render_rows(rows: Sequence[Row], out_dir: Path, out: Any) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for row in rows:
        if row.result != "ok" or row.scene is None:
            continue
        width, height = row.scene.canvas.width, row.scene.canvas.height
        scale = min(1.0, MAX_PNG_SIDE / max(width, height))
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        try:
            rgba = svgkit.render(row.scene, *size)
        except SVGKitError as exc:
            print(f"  {row.name}: render failed: {exc}", file=out)
            continue
        (out_dir / (Path(row.name).stem + ".png")).write_bytes(_png_bytes(np.asarray(rgba)))
        written += 1
    print(f"\nrendered {written} PNG file(s) to {out_dir}/", file=out)


# --- entry point --------------------------------------------------------------------------------


def _broken_rows() -> list[tuple[Row, str]]:
    # validate() takes the raw completion: it extracts the SVG itself
    return [
        (summarise(label, completion), expected) for label, completion, expected in BROKEN_OUTPUTS
    ]


def main(argv: Sequence[str] | None = None, out: Any = None) -> int:
    """Run the demo; return the exit status (see the module docstring).

    Examples
    --------
    >>> import io
    >>> main(["--no-render", "--no-broken"], out=io.StringIO())
    0
    """
    stream = sys.stdout if out is None else out
    ap = argparse.ArgumentParser(
        prog="python -m svgkit.demo",
        description="Validate, summarise and render the example SVGs bundled with svgkit.",
    )
    ap.add_argument("files", nargs="*", type=Path, help="SVG files (default: bundled examples)")
    ap.add_argument("--out", type=Path, default=Path("out/demo"), help="PNG folder (out/demo)")
    ap.add_argument("--no-render", action="store_true", help="do not write PNG files")
    ap.add_argument("--no-broken", action="store_true", help="skip the broken-output examples")
    args = ap.parse_args(argv)

    if args.files:
        missing = [str(p) for p in args.files if not p.is_file()]
        if missing:
            ap.error(f"no such file: {', '.join(missing)}")  # exits with status 2
        texts = {p.name: p.read_text(encoding="utf-8", errors="replace") for p in args.files}
        source = f"{len(texts)} file(s)"
    else:
        texts = {name: read_example(name) for name in example_names()}
        source = f"{len(texts)} bundled examples (svgkit/examples/)"

    print(f"svgkit {svgkit.__version__} demo: {source}\n", file=stream)
    rows = [summarise(name, text) for name, text in texts.items()]
    _print_table(rows, stream)
    for r in rows:
        if r.result != "ok":
            print(f"  {r.name}: {r.result}: {r.message}", file=stream)

    if not args.no_broken:
        print("\nRaw model outputs, as validate() classifies them:\n", file=stream)
        print(f"{'case':<24} {'result':<12} {'expected':<12}", file=stream)
        print("-" * 50, file=stream)
        for row, expected in _broken_rows():
            flag = "" if row.result.upper() == expected else "  <- differs"
            print(f"{row.name:<24} {row.result:<12} {expected:<12}{flag}", file=stream)

    if not args.no_render:
        _render_rows(rows, args.out, stream)
    return 1 if any(r.result != "ok" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
