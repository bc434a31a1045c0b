"""The adversarial corpus: hostile and broken SVG inputs with the outcome each must produce.

Small cases are files in this directory (read them: each is a few lines). Large ones are generated
at test time so the repository holds no multi-megabyte files. :data:`CASES` maps a case name to
``Case(source, expect, budget_s)``:

``source``
    The file's bytes, or a zero-argument function returning the bytes.
``expect``
    Acceptable outcomes, preferred first. An :class:`Outcome` is an error code (with the
    :class:`svgkit.Limits` field for ``LIMIT``), or ``OK`` optionally with a warning code that
    must be reported. Several outcomes are listed only where the SVG specification and svgkit's
    documented policy leave the choice open; the comment on the case says why.
``budget_s``
    Generous wall-clock bound for one ``svgkit.validate`` call (a hang or a quadratic blow-up
    exceeds it by orders of magnitude; normal runs take milliseconds).

Run ``python tests/adversarial/corpus.py --list`` to print the table, or ``--write DIR`` to write
every case (generated ones included) to ``DIR`` for manual inspection.
"""

from __future__ import annotations

import argparse
import base64
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "CASES",
    "Case",
    "HERE",
    "LARGE",
    "Outcome",
    "SMALL",
    "W_DOCTYPE",
    "W_EXTERNAL",
    "W_INVALID",
    "W_PATH",
    "W_UNSUPPORTED",
    "load",
]

HERE = Path(__file__).resolve().parent

# Warning codes (Diagnostic.code) the corpus expects; one place to rename them.
W_EXTERNAL = "EXTERNAL_REFERENCE"
W_UNSUPPORTED = "UNSUPPORTED_ELEMENT"
W_DOCTYPE = "DOCTYPE_IGNORED"
W_INVALID = "INVALID_ATTRIBUTE"
W_PATH = "PATH_DATA_ERROR"

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
MIB = 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """One acceptable result.

    ``code`` is ``"OK"`` or an :class:`svgkit.ErrorCode` value; ``limit`` the exceeded
    :class:`svgkit.Limits` field for ``LIMIT`` (``None``: any); ``warning`` a
    :class:`svgkit.Diagnostic` code that must be among the warnings of an ``OK`` result.
    """

    code: str
    limit: str | None = None
    warning: str | None = None

    def __str__(self) -> str:
        if self.code == "LIMIT":
            return f"LIMIT({self.limit or 'any'})"
        if self.warning:
            return f"OK+{self.warning}"
        return self.code


class Case(NamedTuple):
    """One corpus entry: bytes (or a generator of them), acceptable outcomes, time budget."""

    source: bytes | Callable[[], bytes]
    expect: tuple[Outcome, ...]
    budget_s: float


def load(case: Case) -> bytes:
    """The bytes of ``case`` (generating them when the source is a function)."""
    return case.source() if callable(case.source) else case.source


def _file(name: str) -> bytes:
    return (HERE / name).read_bytes()


def err(code: str) -> Outcome:
    return Outcome(code)


def lim(name: str | None) -> Outcome:
    return Outcome("LIMIT", limit=name)


def ok(warning: str | None = None) -> Outcome:
    return Outcome("OK", warning=warning)


# --------------------------------------------------------------------------------------------
# generated cases
# --------------------------------------------------------------------------------------------


def quadratic_blowup(entity_kb: int = 100, refs: int = 20_000) -> bytes:
    """One 100 KB internal entity referenced 20,000 times (2 GB once expanded)."""
    payload = "A" * (entity_kb * 1024)
    body = "&big;" * refs
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY big "{payload}">]>\n'
        f'{SVG_OPEN}<rect width="10" height="10"/><text y="50">{body}</text></svg>\n'
    ).encode()


def million_elements(n: int = 1_000_000) -> bytes:
    """10^6 empty ``<g/>`` (4 MB: just under ``max_input_bytes``, far over ``max_elements``)."""
    return (SVG_OPEN + '<rect width="10" height="10"/>' + "<g/>" * n + "</svg>").encode()


def deep_nesting(depth: int = 50_000) -> bytes:
    """``<g>`` nested 50,000 deep around one rect."""
    return (
        SVG_OPEN + "<g>" * depth + '<rect width="10" height="10"/>' + "</g>" * depth + "</svg>"
    ).encode()


def nesting_within_limit(depth: int = 250) -> bytes:
    """``<g>`` nested 250 deep (root + 250 + rect stays within ``max_depth`` = 256)."""
    return deep_nesting(depth)


def path_megabytes(megabytes: float = 10.0) -> bytes:
    """One ``<path>`` whose ``d`` holds ``megabytes`` MB of line-tos."""
    n = int(megabytes * 1_000_000 / 5)
    return (SVG_OPEN + '<path stroke="black" d="M0 0' + " l1 1" * n + '"/></svg>').encode()


def path_many_commands() -> bytes:
    """600,000 path commands in 3 MB: under ``max_input_bytes``, over ``max_path_commands``."""
    return path_megabytes(3.0)


def polyline_points(n: int = 600_000) -> bytes:
    """A polyline of 600,000 points (2.4 MB)."""
    return (SVG_OPEN + '<polyline stroke="black" points="' + "1,1 " * n + '"/></svg>').encode()


def attribute_megabyte(size: int = MIB) -> bytes:
    """A 1 MB ``data-`` attribute value on an otherwise normal rect."""
    return (SVG_OPEN + f'<rect width="10" height="10" data-blob="{"x" * size}"/></svg>').encode()


def style_megabyte(size: int = MIB) -> bytes:
    """A 1 MB ``style`` attribute: 100,000 repeated declarations."""
    decls = "fill:red;" * (size // 9)
    return (SVG_OPEN + f'<rect width="10" height="10" style="{decls}"/></svg>').encode()


def class_megabyte(size: int = MIB) -> bytes:
    """A ``class`` attribute of 500,000 tokens matched by a ``<style>`` rule."""
    tokens = "a " * (size // 2)
    return (
        SVG_OPEN + "<style>.a { fill: red; }</style>"
        f'<rect width="10" height="10" class="{tokens}"/></svg>'
    ).encode()


def text_megabyte(size: int = MIB) -> bytes:
    """1 MB of ``<text>`` content (over ``max_text_chars``)."""
    return (
        SVG_OPEN + f'<rect width="10" height="10"/><text y="50">{"w" * size}</text></svg>'
    ).encode()


def transform_megabyte(size: int = MIB) -> bytes:
    """A ``transform`` list of 1 MB (about 70,000 translations)."""
    item = "translate(1 1) "
    return (
        SVG_OPEN + f'<rect width="10" height="10" transform="{item * (size // len(item))}"/></svg>'
    ).encode()


def many_uses(n: int = 20_000) -> bytes:
    """20,000 sibling ``<use>`` of one rect (over ``max_use_expansions``)."""
    return (
        SVG_OPEN
        + '<defs><rect id="r" width="1" height="1"/></defs>'
        + '<use href="#r"/>' * n
        + "</svg>"
    ).encode()


def css_rules_times_elements(n: int = 5_000) -> bytes:
    """5,000 class rules and 5,000 classed elements (25M rule × element pairs if matched
    naively)."""
    rules = "".join(f".c{i}{{fill:#{i % 4096:03x}}}" for i in range(n))
    rects = "".join(f'<rect class="c{i}" x="{i % 100}" width="1" height="1"/>' for i in range(n))
    return (SVG_OPEN + f"<style>{rules}</style>" + rects + "</svg>").encode()


def _png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` and whose data is one truncated row."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def image_pixel_bomb() -> bytes:
    """An embedded ``data:`` PNG claiming 100,000 × 100,000 pixels (40 GB decoded)."""
    uri = "data:image/png;base64," + base64.b64encode(_png(100_000, 100_000)).decode()
    return (
        SVG_OPEN
        + f'<rect width="10" height="10"/><image href="{uri}" width="50" height="50"/></svg>'
    ).encode()


# --------------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------------

SMALL = 5.0  # s: small files parse in milliseconds
LARGE = 30.0  # s: multi-megabyte inputs, on a loaded 2-core machine

CASES: dict[str, Case] = {
    # -- entities and DTDs: any entity declaration is refused; nothing is ever fetched
    "billion_laughs": Case(_file("billion_laughs.svg"), (err("FORBIDDEN"),), SMALL),
    "quadratic_blowup": Case(quadratic_blowup, (err("FORBIDDEN"),), SMALL),
    "xxe_file": Case(_file("xxe_file.svg"), (err("FORBIDDEN"),), SMALL),
    "xxe_http": Case(_file("xxe_http.svg"), (err("FORBIDDEN"),), SMALL),
    "xxe_in_attribute": Case(_file("xxe_in_attribute.svg"), (err("FORBIDDEN"),), SMALL),
    "parameter_entity": Case(_file("parameter_entity.svg"), (err("FORBIDDEN"),), SMALL),
    # a DOCTYPE without an internal subset declares nothing; svgkit's policy (svgkit/ingest/safe_xml.py)
    # accepts it and never loads the DTD. Refusing it outright would also be safe.
    "external_dtd": Case(_file("external_dtd.svg"), (ok(W_DOCTYPE), err("FORBIDDEN")), SMALL),
    "standard_doctype": Case(
        _file("standard_doctype.svg"), (ok(W_DOCTYPE), err("FORBIDDEN")), SMALL
    ),
    # -- <use>: a cycle skips that <use> with a warning; chains are bounded by
    # max_reference_depth, fan-out by
    # max_use_expansions. Dropping a cyclic <use> with a warning (resvg does) is also acceptable.
    "use_self": Case(_file("use_self.svg"), (ok("USE_CYCLE"),), SMALL),
    "use_mutual": Case(_file("use_mutual.svg"), (ok("USE_CYCLE"),), SMALL),
    "use_ancestor": Case(_file("use_ancestor.svg"), (ok("USE_CYCLE"),), SMALL),
    "use_chain_20": Case(_file("use_chain_20.svg"), (lim("max_reference_depth"),), SMALL),
    "use_bomb": Case(_file("use_bomb.svg"), (lim("max_use_expansions"),), SMALL),
    "many_uses": Case(many_uses, (lim("max_use_expansions"),), LARGE),
    # -- external resources: dropped with a warning, never fetched
    "image_file": Case(_file("image_file.svg"), (ok(W_EXTERNAL),), SMALL),
    "image_http": Case(_file("image_http.svg"), (ok(W_EXTERNAL),), SMALL),
    "use_external": Case(_file("use_external.svg"), (ok(W_EXTERNAL),), SMALL),
    "css_import": Case(_file("css_import.svg"), (ok(W_EXTERNAL),), SMALL),
    "fill_url_http": Case(_file("fill_url_http.svg"), (ok(W_EXTERNAL),), SMALL),
    "css_url_http": Case(_file("css_url_http.svg"), (ok(W_EXTERNAL),), SMALL),
    "xml_stylesheet_pi": Case(_file("xml_stylesheet_pi.svg"), (ok(),), SMALL),
    "xinclude": Case(_file("xinclude.svg"), (ok(),), SMALL),
    "script": Case(_file("script.svg"), (ok(W_UNSUPPORTED),), SMALL),
    "foreign_object": Case(_file("foreign_object.svg"), (ok(W_UNSUPPORTED),), SMALL),
    "image_pixel_bomb": Case(image_pixel_bomb, (lim("max_image_pixels"), ok()), SMALL),
    # -- numbers: "NaN"/"inf" are not SVG numbers (an invalid attribute is ignored, SVG 2
    # §"Error processing"); valid numbers that overflow or exceed max_coordinate are refused
    "nan_attributes": Case(
        _file("nan_attributes.svg"), (ok(W_INVALID), err("BAD_GEOMETRY")), SMALL
    ),
    "nan_path": Case(_file("nan_path.svg"), (ok(W_PATH), err("BAD_GEOMETRY")), SMALL),
    "overflow_number": Case(
        _file("overflow_number.svg"), (lim("max_coordinate"), err("BAD_GEOMETRY")), SMALL
    ),
    "huge_coords": Case(_file("huge_coords.svg"), (lim("max_coordinate"),), SMALL),
    "huge_path_coords": Case(_file("huge_path_coords.svg"), (lim("max_coordinate"),), SMALL),
    "huge_stroke_width": Case(_file("huge_stroke_width.svg"), (lim("max_coordinate"),), SMALL),
    "transform_overflow": Case(
        _file("transform_overflow.svg"), (lim("max_coordinate"), err("BAD_GEOMETRY")), SMALL
    ),
    # -- canvas
    "huge_canvas": Case(_file("huge_canvas.svg"), (lim("max_canvas_size"),), SMALL),
    "huge_viewbox": Case(_file("huge_viewbox.svg"), (lim("max_canvas_size"),), SMALL),
    "zero_viewbox": Case(_file("zero_viewbox.svg"), (err("BAD_GEOMETRY"),), SMALL),
    "negative_viewbox": Case(_file("negative_viewbox.svg"), (err("BAD_GEOMETRY"),), SMALL),
    "zero_canvas": Case(_file("zero_canvas.svg"), (err("BAD_GEOMETRY"),), SMALL),
    # a negative width is an invalid value: refusing the canvas or ignoring the attribute
    # (falling back to 100%/300×150) are both defensible
    "negative_canvas": Case(
        _file("negative_canvas.svg"), (err("BAD_GEOMETRY"), ok(W_INVALID)), SMALL
    ),
    # -- encoding and syntax. Invalid UTF-8: errors.py files it under BAD_INPUT, the XML spec
    # makes it a well-formedness error (XML_SYNTAX); either classification is accepted.
    "invalid_utf8": Case(_file("invalid_utf8.svg"), (err("BAD_INPUT"), err("XML_SYNTAX")), SMALL),
    "nul_byte": Case(_file("nul_byte.svg"), (err("XML_SYNTAX"),), SMALL),
    "truncated": Case(_file("truncated.svg"), (err("TRUNCATED"),), SMALL),
    "not_well_formed": Case(_file("not_well_formed.svg"), (err("XML_SYNTAX"),), SMALL),
    "wrong_namespace": Case(_file("wrong_namespace.svg"), (err("NOT_SVG"),), SMALL),
    # a reference cycle between gradients is bounded like a <use> cycle, or dropped
    "gradient_href_cycle": Case(
        _file("gradient_href_cycle.svg"), (lim("max_reference_depth"), ok()), SMALL
    ),
    # -- size: every limit stops the document early, in bounded memory
    "million_elements": Case(million_elements, (lim("max_elements"),), LARGE),
    "deep_nesting_50k": Case(deep_nesting, (lim("max_depth"),), LARGE),
    "nesting_250_ok": Case(nesting_within_limit, (ok(),), SMALL),
    "path_10mb": Case(path_megabytes, (lim("max_input_bytes"),), LARGE),
    # the verdicts are decided by counts, never by the clock: the same on a busy machine
    "path_many_commands": Case(path_many_commands, (lim("max_path_commands"),), LARGE),
    "polyline_600k_points": Case(polyline_points, (lim("max_path_commands"),), LARGE),
    "attribute_1mb": Case(attribute_megabyte, (ok(),), LARGE),
    "style_1mb": Case(style_megabyte, (ok(),), LARGE),
    "class_1mb": Case(class_megabyte, (ok(),), LARGE),
    "text_1mb": Case(text_megabyte, (lim("max_text_chars"),), LARGE),
    "transform_1mb": Case(transform_megabyte, (ok(),), LARGE),
    "css_rules_times_elements": Case(css_rules_times_elements, (ok(),), LARGE),
}


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the table")
    parser.add_argument("--write", type=Path, help="write every case to this directory")
    args = parser.parse_args(argv)
    for name, case in CASES.items():
        size = ""
        if args.write is not None:
            data = load(case)
            args.write.mkdir(parents=True, exist_ok=True)
            (args.write / f"{name}.svg").write_bytes(data)
            size = f"{len(data):>10,} B  "
        expect = " | ".join(str(o) for o in case.expect)
        print(f"{name:<26} {size}{expect:<48} {case.budget_s:g} s")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
