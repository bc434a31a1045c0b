"""Fuzzing: seeded mutations of model-style SVG through validate and render_many.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_fuzz.py [--mutations 2000] [--seed 0] [--render-every 1] \
        [--size 64] [--timeout 5] [--workers 2] [--quick] [--out benchmarks/results/fuzz.json]

Each mutant is a document of the model-style corpus (``benchmarks/corpus.py``, 200 documents)
with one to six mutations stacked on its UTF-8 bytes, all drawn from a generator seeded by
``(seed, index)``: mutant ``i`` depends only on ``(seed, i)``, so a run with fewer
``--mutations`` is a prefix of a longer one and any mutant can be rebuilt from its index. Half the
mutants are *blind* (any mutation) and half *structured* (only mutations that keep the document
well-formed XML, so that they get past the XML parser to the Scene builder and the renderer).
The mutations:

* blind byte-level ones: bit flips, bytes set to XML metacharacters, deleting, duplicating and
  swapping spans, truncation, splicing in a span of another document, invalid UTF-8 sequences;
* hostile tokens inserted between elements: ``<!ENTITY``/``<!DOCTYPE`` with an internal subset,
  undefined and out-of-range character references, ``<script>``, ``<foreignObject>``, CSS
  ``@import``, ``<use>`` cycles (self, mutual, through ``<mask>``/``<clipPath>``/``<marker>``),
  ``<use>`` bombs, gradient ``href`` cycles, ``<g>`` nested hundreds or thousands deep (closed or
  not), very long path data, many elements, unclosed and stray tags, a second root;
* hostile values: numbers replaced by ``1e-300``, ``1e308``, ``1e400``, ``nan``, ``-0``,
  ``4.9e-324``, …; transforms such as ``scale(1e-7)``, ``matrix(0 0 0 0 0 0)``,
  ``rotate(nan)``; attributes such as ``fill="url(#missing)"``, ``stroke-dasharray="1e-300"``,
  ``viewBox="0 0 0 0"``, huge ``font-size`` and ``stroke-width``;
* the document wrapped in model chatter (prose, Markdown fences, two candidates).

Every mutant goes through ``svgkit.validate`` in this process, strict and with ``repair=True``
(timed one call at a time with the garbage collector paused). Every ``--render-every``-th
mutant also goes through ``svgkit.render_many`` at ``--size``² with ``--timeout`` seconds per
item, in batches of ``--batch`` on ``--workers`` workers of the shared pool. The report gives
mutations per second for each stage, the distribution of result codes, the per-mutant time
(p50/p99/max; for render the batch time over the batch size, as items of one batch run in
parallel) and the outcomes **outside the taxonomy**:

* an exception escaping ``validate`` (it must never raise);
* a code that is not ``OK`` or an :class:`svgkit.ErrorCode` value, or ``INTERNAL`` (svgkit's own
  bug, wrapped);
* from ``render_many``: an exception escaping the call, an item that is neither an
  ``(size, size, 4)`` ``uint8`` array nor an :class:`svgkit.SVGKitError`, ``INTERNAL``, or
  ``RENDER_CRASH`` (a worker died: a crash is a bug).

Those mutants are written to ``--failures`` (``fuzz-s<seed>-<index>.svg`` with a ``.json``
describing the mutations and the outcome, plus a ``.min.svg`` greedily minimised reproducer) and
the script exits with status 1. Validate calls longer than twice ``Limits().time_budget_s`` are
listed as ``slow`` (the limits promise bounded time), and Python warnings that escape
``validate`` (numpy overflow warnings, say) are counted by origin; neither fails the run.
``--quick`` is 200 mutations with every second one rendered.
"""

from __future__ import annotations

import argparse
import base64
import functools
import gc
import json
import os
import platform
import random
import re
import statistics
import struct
import sys
import time
import warnings
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/corpus.py)
import numpy as np  # noqa: E402

import svgkit  # noqa: E402

N_DOCS = 200  # corpus documents the mutants are drawn from (mutant i starts from i % N_DOCS)
MAX_OPS = 6
N_EXAMPLES = 5  # mutant indices kept per result code, to look at
QUICK_MUTATIONS = 200
TAXONOMY = frozenset({"OK", *(c.value for c in svgkit.ErrorCode)})
BUG_CODES = frozenset({"INTERNAL", "RENDER_CRASH"})
SLOW_FACTOR = 2.0  # validate slower than SLOW_FACTOR × time_budget_s is reported as slow

# --------------------------------------------------------------------------------------------
# hostile material
# --------------------------------------------------------------------------------------------

HOSTILE_NUMBERS = [
    "1e-300", "-1e-300", "1e308", "-1e308", "1e400", "-1e400", "nan", "NaN", "-nan", "inf",
    "-inf", "Infinity", "-0", "-0.0", "4.9e-324", "2.2250738585072014e-308",
    "1.7976931348623157e308",
    "1e7", "-1e7", "10000001", "99999999999999999999999999", "1e-7", "0.0000000000000000000001",
    "3.4e38", "1e39", "0", "", ".", "-", "+", "1e", "1e+", "--1", "1.2.3", "0x10", "1_000",
    "١٢", "1e-310", "123456789012345678901234567890e-20",
]

HOSTILE_TRANSFORMS = [
    "scale(1e-7)", "scale(0)", "scale(-0)", "scale(1e7)", "scale(1e-300)", "scale(1e308)",
    "scale(1e308) scale(1e308)", "scale(1e-7) scale(1e7)", "scale(1e-200) scale(1e200)",
    "matrix(0 0 0 0 0 0)", "matrix(1 0 0 1 nan 0)", "matrix(1e308 0 0 1e308 0 0)",
    "matrix(1e-300 0 0 1e-300 0 0)", "matrix(1 1 1 1 0 0)", "matrix(0 1 1 0 0 0)",
    "matrix(1e7 0 0 1e-7 0 0)", "matrix(1 2 3)", "rotate(nan)", "rotate(1e308)", "rotate(45 nan 0)",
    "skewX(90)", "skewY(-90)", "skewX(89.9999999)", "skewY(1e308)", "translate(1e308)",
    "translate(1e7 1e7)", "translate(-1e300)", "translate(4.9e-324)", "translate(inf)",
    "scale(1e-7) translate(1e7)", "translate(1e6) scale(1e-6)", "rotate(", "scale()", "matrix(",
    "scale(2" * 64 + ")" * 64, " ".join(["scale(10)"] * 40), " ".join(["scale(0.1)"] * 400),
]

_BIG_POINTS = " ".join(f"{i % 997},{(i * 7) % 991}" for i in range(3000))
HOSTILE_ATTRIBUTES: list[tuple[str, str]] = [
    ("fill", "url(#missing)"), ("stroke", "url(#missing)"), ("fill", "url(#missing) red"),
    ("fill", "url(#house)"), ("fill", "url(#)"), ("fill", "url("), ("fill", "url(http://e.x/a#b)"),
    ("clip-path", "url(#missing)"), ("mask", "url(#missing)"), ("filter", "url(#missing)"),
    ("marker-start", "url(#missing)"), ("clip-path", "url(#house)"), ("mask", "url(#sun)"),
    ("stroke-width", "1e308"), ("stroke-width", "1e-300"), ("stroke-width", "nan"),
    ("stroke-width", "1e7"), ("stroke-width", "-5"), ("stroke-dasharray", "1e-300"),
    ("stroke-dasharray", "0.0001 0.0001"), ("stroke-dasharray", "1e-300 1e-300"),
    ("stroke-dasharray", "0 0"), ("stroke-dasharray", "-1 5"), ("stroke-dasharray", "nan"),
    ("stroke-dasharray", " ".join(["0.001"] * 5000)), ("stroke-dashoffset", "1e308"),
    ("stroke-miterlimit", "1e308"), ("stroke-miterlimit", "0"), ("stroke-linejoin", "miter"),
    ("opacity", "nan"), ("opacity", "-1e308"), ("fill-opacity", "1e308"), ("r", "-5"),
    ("r", "1e308"), ("r", "1e-300"), ("rx", "1e-300"), ("ry", "1e308"), ("width", "1e308"),
    ("height", "-1"), ("width", "0"), ("width", "100%%"), ("width", "1e7"),
    ("font-size", "1e308"), ("font-size", "1e6"), ("font-size", "1e-300"), ("font-size", "-3"),
    ("font-family", "x" * 5000), ("letter-spacing", "1e7"), ("viewBox", "0 0 0 0"),
    ("viewBox", "0 0 1e-300 1e-300"), ("viewBox", "nan nan nan nan"), ("viewBox", "0 0 1e308 1"),
    ("viewBox", "0 0 -10 -10"), ("viewBox", "1e308 1e308 1 1"), ("viewBox", "0 0 1e7 1e7"),
    ("preserveAspectRatio", "xMidYMid slice"), ("preserveAspectRatio", "none"),
    ("style", "fill:url(#missing);stroke-width:1e308"), ("style", "@import url(http://e.x/a.css)"),
    ("style", "stroke:url(#missing);stroke-dasharray:1e-300"), ("style", "transform:scale(1e-7)"),
    ("style", "}" * 50 + "{" * 50), ("style", "fill:" + "(" * 2000), ("class", "a " * 3000),
    ("points", _BIG_POINTS), ("points", "nan,nan 1e308,1e308 0,0"), ("points", "1"),
    ("d", "M0 0 A1e308 1e308 0 1 1 1 1"), ("d", "M0 0 A1e-300 1e-300 0 1 1 10 10 Z"),
    ("d", "M0 0 C nan nan 1 1 2 2"), ("d", "M1e308 1e308 L-1e308 -1e308"), ("d", "M 0 0 L"),
    ("d", "M0 0" + " Q1 1 2 2" * 5000), ("d", "m1 1" * 20000), ("d", "M0 0 z" * 10000),
    ("href", "#house"), ("href", "#missing"), ("xlink:href", "#sun"), ("href", "file:///etc/passwd"),
    ("id", "house"), ("id", ""), ("offset", "nan"), ("offset", "1e308"),
    ("gradientTransform", "matrix(0 0 0 0 0 0)"), ("gradientUnits", "userSpaceOnUse"),
    ("stop-color", "rgb(1e308, nan, -1)"), ("fill", "#ggg"), ("fill", "hsl(nan, 1e308%, -1%)"),
    ("fill", "rgba(0,0,0,1e-300)"), ("onload", "alert(1)"), ("xml:space", "preserve"),
]

INVALID_UTF8 = [
    b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xe2\x82",
    b"\xf0\x28\x8c\x28",
    b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xc1\xbf", b"\xf8\x88\x80\x80\x80",
    b"\x00", b"\x01", b"\x1b", b"\xef\xbf\xbe",
]

def _png(width: int, height: int, payload: bytes = b"") -> bytes:
    """A PNG whose header declares ``width`` × ``height`` RGBA with ``payload`` as its
    compressed data (usually far too short: a decompression-bomb header with no bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", payload) + chunk(
        b"IEND", b""
    )


def _image(png: bytes, width: str = "10", height: str = "10") -> str:
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    return f'<image href="{uri}" width="{width}" height="{height}"/>'


#: Fragments that break the markup (or its encoding) wherever they land between elements.
BROKEN_TOKENS = [
    '<!ENTITY x "y">', '<!DOCTYPE svg [<!ENTITY x "y">]>', '<!DOCTYPE svg [<!ELEMENT svg ANY>]>',
    '<!DOCTYPE svg SYSTEM "http://e.x/a.dtd">', "&x;", "&lol9;", "&#0;", "&#xD800;", "&#x110000;",
    "&#99999999999;", "&amp", "&", "<![CDATA[", "]]>", "<!--", "-->", '<?xml version="1.0"?>',
    '<svg viewBox="0 0 0 0">', '<svg xmlns="http://www.w3.org/2000/svg">', "</svg>", "<svg>",
    "<svg", "<g>", "</g>", "<g", "<", ">", '"', "'", "/>", "</", "<x:y/>",
    '<g opacity="0">', '<g transform="scale(1e-7)">', '<g transform="matrix(0 0 0 0 0 0)">',
    "\u0000", "\x0b\x0c",
]

#: Well-formed hostile fragments: the document stays XML, so they reach the Scene and renderer.
HOSTILE_ELEMENTS = [
    '<!-- <!ENTITY x "y"> -->', "<![CDATA[<svg>]]>", '<?xml-stylesheet href="http://e.x/a.css"?>',
    "<?php ?>", "<script>alert(1)</script>", '<script href="http://e.x/a.js"/>',
    '<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">x</div>'
    "</foreignObject>",
    "<style>@import url(http://e.x/a.css); rect{fill:url(#missing)}</style>",
    "<style>*{stroke-width:1e308;stroke:red}</style>", "<style>*{transform:scale(1e-7)}</style>",
    "<style>*{stroke:red;stroke-dasharray:1e-300}</style>",
    "<style><![CDATA[ circle { fill: url(#missing) } ]]></style>",
    "<style>" + "a{}" * 3000 + "</style>", "<style>" + "g " * 3000 + "{fill:red}</style>",
    '<g id="cyc"><use href="#cyc"/></g>', '<use id="ua" href="#ub"/><use id="ub" href="#ua"/>',
    '<use href="#missing"/>', '<use href="#house" transform="scale(1e-7)"/>',
    '<use xlink:href="#house"/>', '<use href="other.svg#x"/>', '<use href="#sun" width="-1"/>',
    '<use href="#hills" x="1e308"/>', '<use href="#sun" transform="matrix(0 0 0 0 0 0)"/>',
    '<linearGradient id="lg" href="#lg"/><rect width="9" height="9" fill="url(#lg)"/>',
    '<radialGradient id="ra" href="#rb"/><radialGradient id="rb" href="#ra"/>'
    '<circle r="5" fill="url(#ra)"/>',
    '<radialGradient id="rz" r="0" fx="1e308"><stop offset="0" stop-color="red"/></radialGradient>'
    '<circle r="5" fill="url(#rz)"/>',
    '<linearGradient id="lz" x1="0" x2="0"><stop offset="nan" stop-color="red"/></linearGradient>'
    '<rect width="9" height="9" fill="url(#lz)" stroke="url(#lz)"/>',
    '<linearGradient id="lm">' + '<stop offset="0.5" stop-color="red"/>' * 2000
    + '</linearGradient><rect width="9" height="9" fill="url(#lm)"/>',
    '<mask id="mm"><use href="#mm"/></mask><rect width="5" height="5" mask="url(#mm)"/>',
    '<mask id="mw" width="1e-300"><rect width="5" height="5" fill="white"/></mask>'
    '<circle r="9" mask="url(#mw)"/>',
    '<clipPath id="cc" clip-path="url(#cc)"><rect width="1" height="1"/></clipPath>'
    '<rect clip-path="url(#cc)" width="5" height="5"/>',
    '<clipPath id="cu"><use href="#house"/><text>x</text></clipPath><rect clip-path="url(#cu)" '
    'width="50" height="50"/>',
    '<marker id="mk"><use href="#pm"/></marker>'
    '<path id="pm" marker-start="url(#mk)" d="M0 0 L5 5"/>',
    '<marker id="mb" markerWidth="1e308" markerHeight="1e-300" viewBox="0 0 0 0"><circle r="2"/>'
    '</marker><path marker-mid="url(#mb)" d="M0 0 L5 5 L9 0 L1e7 1e7"/>',
    '<pattern id="pp" width="1e-300" height="1e-300"><rect width="1" height="1"/></pattern>'
    '<rect fill="url(#pp)" width="10" height="10"/>',
    '<pattern id="pq" width="1" height="1" patternUnits="userSpaceOnUse"><rect fill="url(#pq)" '
    'width="1" height="1"/></pattern><rect fill="url(#pq)" width="10" height="10"/>',
    '<pattern id="pr" width="0.0001" height="0.0001" patternUnits="userSpaceOnUse"><circle r="1"/>'
    '</pattern><rect fill="url(#pr)" width="1e4" height="1e4"/>',
    '<filter id="ff"><feGaussianBlur stdDeviation="1e308"/></filter><rect filter="url(#ff)" '
    'width="10" height="10"/>',
    '<filter id="fg" x="-1e7" y="-1e7" width="1e8" height="1e8"><feOffset dx="1e308"/></filter>'
    '<circle r="4" filter="url(#fg)"/>',
    '<filter id="fh" filterRes="1e9"><feMorphology radius="1e7"/><feTurbulence numOctaves="1e9"/>'
    '<feConvolveMatrix order="1000" kernelMatrix="1"/></filter><rect filter="url(#fh)" width="9" '
    'height="9"/>',
    '<filter id="fi"><feImage href="#fi"/><feTile/><feDisplacementMap scale="1e308"/></filter>'
    '<circle r="4" filter="url(#fi)"/>',
    '<image href="file:///etc/passwd" width="10" height="10"/>',
    '<image href="data:image/png;base64,iVBORw0KGgo=" width="10" height="10"/>',
    '<image href="data:image/png;base64,!!!!" width="1e308" height="10"/>',
    '<image href="data:image/svg+xml;base64,PHN2Zy8+" width="10" height="10"/>',
    '<image href="data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==" width="10" height="10"/>',
    _image(_png(100_000, 100_000, zlib.compress(b"\x00" * 64))),
    _image(_png(1, 1, zlib.compress(b"\x00\xff\x00\x00\xff")), "1e7", "1e-7"),
    _image(_png(0, 0)), _image(_png(2**31 - 1, 1)),
    '<text x="0" y="10" font-size="1e7">W</text>', "<text>" + "A" * 5000 + "</text>",
    '<text x="1e308" y="nan">x<tspan dx="1e308">y</tspan></text>',
    "<text>\u202e\u0301\ufeff\U0001f600\u0928\u093f\u0645\u0631\u062d\u0628\u0627</text>",
    '<text font-family="' + "x," * 500 + 'serif" letter-spacing="-1e7">ab</text>',
    '<text textLength="1e-300" lengthAdjust="spacingAndGlyphs">abc</text>',
    '<textPath href="#hills">' + "z" * 200 + "</textPath>",
    '<text><textPath href="#missing">a</textPath><textPath href="#sun">b</textPath></text>',
    '<path d="M0 0 A1e308 1e308 0 1 1 1 1"/>', '<path d="M0 0 C nan nan 1 1 2 2"/>',
    '<path d="M0 0 L10 10" stroke="red" stroke-width="1e-300" stroke-dasharray="1e-300"/>',
    '<path d="M0 0 L1e7 1e7" stroke="red" stroke-dasharray="0.01"/>',
    '<path d="M0 0 L1e6 0" stroke="red" stroke-dasharray="1e-5 1e-5" stroke-linecap="round"/>',
    '<circle r="1e308"/>', '<rect width="1e-300" height="1e-300"/>', '<ellipse rx="nan"/>',
    '<circle r="1e7" stroke="red" stroke-dasharray="1e-3"/>',
    '<line x1="1e7" x2="-1e7" stroke="red" stroke-width="1e7"/>', '<polygon points="1e308"/>',
    '<svg width="1e308" height="1e308"><rect width="9" height="9"/></svg>',
    '<svg viewBox="0 0 1e-300 1e-300" width="9" height="9"><circle r="1"/></svg>',
    '<a:b xmlns:a="u"/>', "<rect/>" * 200, '<g opacity="0"><rect width="9" height="9"/></g>',
    '<switch><rect width="5" height="5"/></switch>',
    '<a href="javascript:alert(1)"><circle r="3"/></a>',
    '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd"/>',
    "\ud7ff\ue000\U0010ffff",
]

PROSE = [
    "Here is the SVG you asked for:\n\n```svg\n{svg}```\n\nThe sun sits top right.",
    "```xml\n{svg}\n```",
    "Sure! <svg> is the root element.\n{svg}\nLet me know if you want changes.",
    "<think>draw a house</think>\n{svg}",
    "First try:\n```svg\n<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>\n```\n"
    "Better:\n```svg\n{svg}```",
    "{svg}\n\n```svg\n{svg}```",
    "```svg\n{svg}",  # no closing fence
]

_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_START_TAG = re.compile(rb"<([A-Za-z][\w:.-]*)((?:\s+[^<>]*?)?)(/?)>")
_CLOSE_TAG = re.compile(rb"</[A-Za-z][\w:.-]*\s*>")


# --------------------------------------------------------------------------------------------
# mutations (bytes → bytes); every draw comes from the mutant's own rng
# --------------------------------------------------------------------------------------------


def _span(rng: random.Random, n: int) -> tuple[int, int]:
    """A span of ``data`` with a log-uniform length (short spans are the common case)."""
    if n == 0:
        return 0, 0
    length = max(1, min(n, int(2 ** rng.uniform(0, max(1.0, (n // 2).bit_length())))))
    start = rng.randrange(0, n - length + 1)
    return start, start + length


def _element_position(rng: random.Random, data: bytes) -> int:
    """Mostly a ``<`` after the root's start tag (between elements); sometimes anywhere."""
    if rng.random() < 0.15 or not data:
        return rng.randrange(0, len(data) + 1)
    root = data.find(b"<svg")
    root_end = data.find(b">", root) + 1 if root >= 0 else 0
    pos = data.find(b"<", rng.randrange(root_end, len(data) + 1))
    if pos < 0:
        pos = data.find(b"<", root_end)
    return pos if pos >= 0 else rng.randrange(0, len(data) + 1)


def _insert(data: bytes, pos: int, piece: bytes) -> bytes:
    return data[:pos] + piece + data[pos:]


def mut_bitflip(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    if not data:
        return data, "bitflip(empty)"
    buf = bytearray(data)
    k = rng.choice([1, 1, 1, 2, 4, 16])
    for _ in range(k):
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf), f"bitflip×{k}"


def mut_setbyte(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    if not data:
        return data, "setbyte(empty)"
    buf = bytearray(data)
    i = rng.randrange(len(buf))
    buf[i] = rng.choice(b'<>&"\'/=;#()-.e0 \x00\xff')
    return bytes(buf), f"setbyte@{i}={buf[i]:#04x}"


def mut_delete(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    a, b = _span(rng, len(data))
    return data[:a] + data[b:], f"delete[{a}:{b}]"


def mut_duplicate(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    a, b = _span(rng, len(data))
    times = rng.choice([1, 1, 2, 8, 64])
    pos = rng.randrange(0, len(data) + 1)
    return _insert(data, pos, data[a:b] * times), f"duplicate[{a}:{b}]×{times}@{pos}"


def mut_swap(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    a1, b1 = _span(rng, len(data) // 2)
    a2, b2 = _span(rng, len(data) - len(data) // 2)
    a2, b2 = a2 + len(data) // 2, b2 + len(data) // 2
    if b1 > a2:
        return data, "swap(overlap)"
    return (
        data[:a1] + data[a2:b2] + data[b1:a2] + data[a1:b1] + data[b2:],
        f"swap[{a1}:{b1}]<>[{a2}:{b2}]",
    )


def mut_truncate(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    cut = rng.randrange(0, len(data) + 1)
    return data[:cut], f"truncate@{cut}"


def mut_splice(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    j = rng.randrange(len(docs))
    a, b = _span(rng, len(docs[j]))
    pos = _element_position(rng, data)
    return _insert(data, pos, docs[j][a:b]), f"splice(doc{j}[{a}:{b}])@{pos}"


def mut_utf8(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    piece = rng.choice(INVALID_UTF8)
    pos = rng.randrange(0, len(data) + 1)
    return _insert(data, pos, piece), f"bytes({piece.hex()})@{pos}"


def mut_token(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    k = rng.randrange(len(BROKEN_TOKENS))
    pos = _element_position(rng, data)
    return _insert(data, pos, BROKEN_TOKENS[k].encode()), f"token{k}@{pos}"


def mut_element(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    k = rng.randrange(len(HOSTILE_ELEMENTS))
    pos = _element_position(rng, data)
    return _insert(data, pos, HOSTILE_ELEMENTS[k].encode()), f"element{k}@{pos}"


def _set_attribute(rng: random.Random, data: bytes, name: str, value: str) -> tuple[bytes, str]:
    m = _search_from(rng, _START_TAG, data)
    if m is None:
        return data, "attr(no tag)"
    attrs = m.group(2)
    quoted = value.replace('"', "&quot;").encode("utf-8")
    existing = re.search(rb'(\s' + re.escape(name.encode()) + rb'\s*=\s*)(["\'])(.*?)\2', attrs)
    if existing:
        start = m.start(2) + existing.start(3)
        end = m.start(2) + existing.end(3)
        return data[:start] + quoted + data[end:], f"{name}=…@<{m.group(1).decode('latin-1')}>"
    pos = m.end(2)
    piece = b" " + name.encode() + b'="' + quoted + b'"'
    return _insert(data, pos, piece), f"+{name}@<{m.group(1).decode('latin-1')}>"


def mut_attribute(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    k = rng.randrange(len(HOSTILE_ATTRIBUTES))
    name, value = HOSTILE_ATTRIBUTES[k]
    out, where = _set_attribute(rng, data, name, value)
    return out, f"attr{k}:{where}"


def mut_transform(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    k = rng.randrange(len(HOSTILE_TRANSFORMS))
    name = rng.choice(["transform", "transform", "transform", "gradientTransform"])
    out, where = _set_attribute(rng, data, name, HOSTILE_TRANSFORMS[k])
    return out, f"transform{k}:{where}"


def _search_from(rng: random.Random, pattern: re.Pattern[bytes], data: bytes) -> Any:
    """The first match of ``pattern`` at or after a random position (wrapping around): cheap on
    megabyte mutants, where listing every match would dominate the run."""
    pos = rng.randrange(0, len(data) + 1)
    return pattern.search(data, pos) or pattern.search(data)


def mut_number(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    count = rng.choice([1, 1, 1, 3, 10])
    out = data
    for _ in range(count):
        m = _search_from(rng, _NUMBER, out)
        if m is None:
            break
        out = out[: m.start()] + rng.choice(HOSTILE_NUMBERS).encode() + out[m.end() :]
    return out, f"number×{count}"


def _nest(rng: random.Random, data: bytes, closed: bool) -> tuple[bytes, str]:
    depth = rng.choice([64, 255, 256, 257, 1000, 5000, 30000])
    tag = rng.choice([b"<g>", b'<g transform="scale(1.1)">', b'<g opacity="0.99">', b"<svg>"])
    close = b"</svg>" if tag == b"<svg>" else b"</g>"
    inner = b'<rect width="5" height="5"/>'
    piece = tag * depth + inner + (close * depth if closed else b"")
    pos = _element_position(rng, data)
    return _insert(data, pos, piece), f"{tag.decode()}×{depth}@{pos}"


def mut_nest(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    return _nest(rng, data, closed=True)


def mut_nest_open(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    return _nest(rng, data, closed=False)


@functools.cache
def _long_path(cmd: str, n: int) -> bytes:
    if cmd in "Ll":
        body = "".join(f"{cmd}{i % 97} {i % 89}" for i in range(n))
    elif cmd == "Q":
        body = "".join(f"Q{i % 7} {i % 5} {i % 97} {i % 89}" for i in range(n // 2))
    else:
        body = "".join(f"A5 5 0 1 1 {i % 97} {i % 89}" for i in range(n // 4))
    return f'<path d="M0 0{body}" stroke="red" fill="none"/>'.encode()


@functools.cache
def _many(n: int) -> bytes:
    return b"".join(b'<circle cx="%d" cy="%d" r="2"/>' % (i % 97, i % 89) for i in range(n))


def mut_long_path(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    n = rng.choice([1000, 20000, 199_999, 200_001, 300_000])
    cmd = rng.choice(["L", "l", "Q", "A"])
    piece = _long_path(cmd, n)
    pos = _element_position(rng, data)
    return _insert(data, pos, piece), f"long_path({cmd}×{n})"


def mut_many(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    n = rng.choice([1000, 49_999, 60_000])
    piece = _many(n)
    pos = _element_position(rng, data)
    return _insert(data, pos, piece), f"many(circle×{n})"


def mut_use(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    kind = rng.choice(["self", "mutual", "ancestor", "bomb", "chain"])
    if kind == "self":
        piece = '<use id="u0" href="#u0"/>'
    elif kind == "mutual":
        piece = '<g id="ma"><use href="#mb"/></g><g id="mb"><use href="#ma"/></g>'
    elif kind == "ancestor":
        piece = '<g id="anc"><rect width="3" height="3"/><g><use href="#anc"/></g></g>'
    elif kind == "bomb":
        levels = rng.choice([8, 14, 30])
        parts = ['<defs><g id="b0"><rect width="1" height="1"/></g>']
        parts += [
            f'<g id="b{k}"><use href="#b{k - 1}"/><use href="#b{k - 1}" x="1"/></g>'
            for k in range(1, levels + 1)
        ]
        piece = "".join(parts) + f'</defs><use href="#b{levels}"/>'
    else:
        length = rng.choice([15, 16, 17, 40])
        parts = ['<g id="c0"><circle r="2"/></g>']
        parts += [f'<use id="c{k}" href="#c{k - 1}"/>' for k in range(1, length + 1)]
        piece = "".join(parts)
    pos = _element_position(rng, data)
    return _insert(data, pos, piece.encode()), f"use({kind})"


def mut_unclose(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    m = _search_from(rng, _CLOSE_TAG, data)
    if m is None:
        return data, "unclose(none)"
    return data[: m.start()] + data[m.end() :], f"unclose({m.group().decode('latin-1')})"


def mut_prose(rng: random.Random, data: bytes, docs: list[bytes]) -> tuple[bytes, str]:
    k = rng.randrange(len(PROSE))
    head, _, tail = PROSE[k].partition("{svg}")
    tail = tail.replace("{svg}", data.decode("utf-8", "replace"))
    return head.encode() + data + tail.encode(), f"prose{k}"


Mutation = Callable[[random.Random, bytes, list[bytes]], tuple[bytes, str]]

#: (name, weight in a blind mutant, weight in a structured one, mutation). Half the mutants are
#: structured: only mutations that keep the document well-formed XML, so that they reach the
#: Scene builder and the renderer instead of stopping at the XML parser.
MUTATIONS: list[tuple[str, int, int, Mutation]] = [
    ("bitflip", 10, 0, mut_bitflip),
    ("setbyte", 8, 0, mut_setbyte),
    ("delete", 8, 0, mut_delete),
    ("duplicate", 6, 0, mut_duplicate),
    ("swap", 4, 0, mut_swap),
    ("truncate", 6, 0, mut_truncate),
    ("splice", 4, 0, mut_splice),
    ("utf8", 5, 0, mut_utf8),
    ("token", 8, 0, mut_token),
    ("unclose", 4, 0, mut_unclose),
    ("nest_open", 1, 0, mut_nest_open),
    ("element", 8, 20, mut_element),
    ("attribute", 12, 24, mut_attribute),
    ("transform", 6, 12, mut_transform),
    ("number", 8, 16, mut_number),
    ("nest", 1, 2, mut_nest),
    ("long_path", 1, 2, mut_long_path),
    ("many", 1, 1, mut_many),
    ("use", 3, 6, mut_use),
    ("prose", 3, 4, mut_prose),
]
_NAMES = [m[0] for m in MUTATIONS]
_WEIGHTS_BLIND = [m[1] for m in MUTATIONS]
_WEIGHTS_STRUCTURED = [m[2] for m in MUTATIONS]
_FUNCS = {m[0]: m[3] for m in MUTATIONS}


@dataclass(frozen=True)
class Mutant:
    """One fuzz input: corpus document ``doc`` after the listed mutations."""

    index: int
    doc: int
    ops: tuple[str, ...]
    data: bytes


def mutant_rng(seed: int, index: int) -> random.Random:
    """The generator of mutant ``index``: depends only on ``(seed, index)``."""
    return random.Random(seed * 1_000_003 + index)


def corpus_docs(n: int, seed: int) -> list[bytes]:
    """The first ``n`` corpus documents of ``seed`` as UTF-8 bytes."""
    return [t.encode("utf-8") for t in corpus.generate(n, seed)]


def make_mutant(seed: int, index: int, docs: list[bytes]) -> Mutant:
    """Mutant ``index`` of ``seed`` built from the corpus documents ``docs``."""
    rng = mutant_rng(seed, index)
    doc = index % len(docs)
    data = docs[doc]
    structured = rng.random() < 0.5
    weights = _WEIGHTS_STRUCTURED if structured else _WEIGHTS_BLIND
    n_ops = 1
    while n_ops < MAX_OPS and rng.random() < 0.5:
        n_ops += 1
    ops = ["structured" if structured else "blind"]
    for _ in range(n_ops):
        name = rng.choices(_NAMES, weights)[0]
        data, what = _FUNCS[name](rng, data, docs)
        ops.append(f"{name}:{what}")
    return Mutant(index, doc, tuple(ops), data)


def make_mutants(n: int, seed: int, n_docs: int = N_DOCS) -> list[Mutant]:
    """Mutants ``0 … n-1`` of ``seed`` (a prefix of any longer list with the same seed)."""
    docs = corpus_docs(n_docs, seed)
    return [make_mutant(seed, i, docs) for i in range(n)]


# --------------------------------------------------------------------------------------------
# outcomes
# --------------------------------------------------------------------------------------------


class Outcome(NamedTuple):
    """One mutant's result at one stage: ``problem`` is ``None`` inside the taxonomy, else why
    the outcome is a bug; ``limit`` the :class:`svgkit.Limits` field of a ``LIMIT``."""

    code: str
    problem: str | None = None
    limit: str | None = None


def validate_outcome(data: bytes, *, repair: bool = False) -> Outcome:
    """Classify ``svgkit.validate(data)``."""
    try:
        report = svgkit.validate(data, repair=repair)
    except Exception as exc:  # validate must never raise: that is the finding
        return Outcome("EXCEPTION", f"validate raised {type(exc).__name__}: {exc}")
    code = getattr(report, "code", None)
    if not isinstance(code, str) or code not in TAXONOMY:
        return Outcome(f"UNKNOWN({code!r})", f"code {code!r} outside the taxonomy")
    if code in BUG_CODES:
        return Outcome(code, f"{code}: {getattr(report, 'message', '')}")
    return Outcome(code, None, getattr(report, "limit", None))


def render_outcome(result: object, size: int) -> Outcome:
    """Classify one item of ``render_many``'s result."""
    if isinstance(result, svgkit.SVGKitError):
        code = result.code
        if code not in TAXONOMY:
            return Outcome(f"UNKNOWN({code!r})", f"code {code!r} outside the taxonomy")
        if code in BUG_CODES:
            return Outcome(code, f"{code}: {result.message}")
        return Outcome(code, None, result.limit)
    if isinstance(result, np.ndarray):
        if result.shape == (size, size, 4) and result.dtype == np.uint8:
            return Outcome("OK")
        return Outcome("BAD_ARRAY", f"array of shape {result.shape} and dtype {result.dtype}")
    return Outcome(f"TYPE({type(result).__name__})", f"render_many returned {type(result)}")


def render_batch(datas: list[bytes], size: int, timeout_s: float, workers: int) -> list[Outcome]:
    """Render ``datas`` through :func:`svgkit.render_many`; one outcome per item. An exception
    escaping the call is retried item by item, so it is pinned on the item that raised it."""
    try:
        results = svgkit.render_many(datas, size, size, workers=workers, timeout_s=timeout_s)
    except Exception as exc:
        if len(datas) == 1:
            return [Outcome("EXCEPTION", f"render_many raised {type(exc).__name__}: {exc}")]
        return [o for d in datas for o in render_batch([d], size, timeout_s, workers)]
    if len(results) != len(datas):
        return [Outcome("LENGTH", f"{len(results)} results for {len(datas)} items")] * len(datas)
    return [render_outcome(r, size) for r in results]


def _short_path(filename: str) -> str:
    parts = Path(filename).parts
    return "/".join(parts[parts.index("svgkit"):]) if "svgkit" in parts else filename


def _timed(func: Callable[[], Any]) -> tuple[Any, float]:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        value = func()
        return value, time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _latency(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1e3 for s in seconds]
    if not ms:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan")}
    return {
        "p50_ms": statistics.median(ms),
        "p99_ms": _percentile(ms, 0.99),
        "max_ms": max(ms),
        "mean_ms": statistics.fmean(ms),
    }


def _stage(
    n: int,
    seconds: list[float],
    codes: Counter[str],
    examples: dict[str, list[int]],
    limits: Counter[str],
) -> dict[str, Any]:
    total = sum(seconds)
    return {
        "n": n,
        "seconds": total,
        "mutations_per_s": n / total if total > 0 else float("nan"),
        **_latency(seconds),
        "codes": dict(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "limits": dict(limits.most_common()),
        "examples": {code: examples[code] for code in sorted(examples)},
    }


def run(
    mutations: int,
    seed: int = 0,
    *,
    render_every: int = 1,
    size: int = 64,
    timeout_s: float = 5.0,
    workers: int = 2,
    batch: int = 16,
    repair: bool = True,
    progress: bool = False,
) -> dict[str, Any]:
    """Fuzz ``mutations`` mutants of ``seed``; return the JSON-serialisable result.

    ``result["outside_taxonomy"]`` lists the findings (each with the mutant's index, mutations,
    stage, code and message; ``result["_data"]`` maps their indices to the mutant bytes and is
    dropped before the JSON is written).
    """
    gen_start = time.perf_counter()
    mutants = make_mutants(mutations, seed)
    gen_s = time.perf_counter() - gen_start
    budget = svgkit.Limits().time_budget_s

    # warm-up: lazy imports, numba, the render pool
    warm = corpus_docs(2, seed)
    for d in warm:
        svgkit.validate(d)
    if render_every > 0:
        svgkit.render_many(warm, size, size, workers=workers, timeout_s=max(timeout_s, 60.0))

    findings: list[dict[str, Any]] = []
    data_of: dict[int, bytes] = {}
    slow: list[dict[str, Any]] = []
    leaked: dict[str, dict[str, Any]] = {}  # Python warnings that escaped validate, by origin
    op_counts: Counter[str] = Counter(op.split(":", 1)[0] for m in mutants for op in m.ops)

    def finding(m: Mutant, stage: str, code: str, problem: str) -> None:
        findings.append(
            {"index": m.index, "doc": m.doc, "ops": list(m.ops), "stage": stage, "code": code,
             "problem": problem[:2000], "bytes": len(m.data)}
        )
        data_of[m.index] = m.data

    stages: dict[str, dict[str, Any]] = {}
    validate_code: dict[int, str] = {}
    by_mode: dict[str, Counter[str]] = {"blind": Counter(), "structured": Counter()}
    passes = [("validate", False)] + ([("validate_repair", True)] if repair else [])
    for stage, rep in passes:
        codes: Counter[str] = Counter()
        examples: dict[str, list[int]] = defaultdict(list)
        limits: Counter[str] = Counter()
        seconds: list[float] = []
        for k, m in enumerate(mutants):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                (code, problem, limit), dt = _timed(
                    lambda m=m, rep=rep: validate_outcome(m.data, repair=rep)
                )
            if limit:
                limits[limit] += 1
            for w in caught:
                where = f"{w.category.__name__} {_short_path(w.filename)}:{w.lineno} {w.message}"
                leaked.setdefault(where, {"count": 0, "examples": []})
                leaked[where]["count"] += 1
                if len(leaked[where]["examples"]) < N_EXAMPLES:
                    leaked[where]["examples"].append(m.index)
            codes[code] += 1
            if len(examples[code]) < N_EXAMPLES:
                examples[code].append(m.index)
            seconds.append(dt)
            if not rep:
                validate_code[m.index] = code
                by_mode[m.ops[0]][code] += 1
            if problem is not None:
                finding(m, stage, code, problem)
            if dt > SLOW_FACTOR * budget:
                slow.append({"index": m.index, "stage": stage, "seconds": dt, "code": code,
                             "ops": list(m.ops)})
            if progress and (k + 1) % 500 == 0:
                print(f"  {stage}: {k + 1}/{len(mutants)}", file=sys.stderr, flush=True)
        stages[stage] = _stage(len(mutants), seconds, codes, examples, limits)

    cross: Counter[tuple[str, str]] = Counter()
    if render_every > 0:
        subset = mutants[::render_every]
        codes = Counter()
        examples = defaultdict(list)
        limits = Counter()
        per_item: list[float] = []
        batch_seconds: list[float] = []
        for start in range(0, len(subset), batch):
            chunk = subset[start : start + batch]
            outcomes, dt = _timed(
                lambda chunk=chunk: render_batch([m.data for m in chunk], size, timeout_s, workers)
            )
            batch_seconds.append(dt)
            per_item += [dt / len(chunk)] * len(chunk)
            for m, (code, problem, limit) in zip(chunk, outcomes):
                if limit:
                    limits[limit] += 1
                codes[code] += 1
                if len(examples[code]) < N_EXAMPLES:
                    examples[code].append(m.index)
                cross[(validate_code[m.index], code)] += 1
                if problem is not None:
                    finding(m, "render", code, problem)
            if progress and (start // batch + 1) % 20 == 0:
                print(f"  render: {start + len(chunk)}/{len(subset)}", file=sys.stderr, flush=True)
        render_stage = _stage(len(subset), per_item, codes, examples, limits)
        render_stage["seconds"] = sum(batch_seconds)
        render_stage["mutations_per_s"] = len(subset) / sum(batch_seconds)
        render_stage["latency_note"] = "per-mutant time = batch wall time / batch size"
        stages["render"] = render_stage

    findings.sort(key=lambda f: (f["index"], f["stage"]))
    sizes = [len(m.data) for m in mutants]
    return {
        "benchmark": "fuzz",
        "corpus": {"generator": "benchmarks/corpus.py", "n_docs": N_DOCS,
                   "seed": seed},
        "mutations": mutations,
        "seed": seed,
        "render_every": render_every,
        "size": size,
        "timeout_s": timeout_s,
        "workers": workers,
        "batch": batch,
        "generation_s": gen_s,
        "mutant_bytes": {"median": statistics.median(sizes) if sizes else 0,
                         "max": max(sizes, default=0)},
        "operators": dict(sorted(op_counts.items())),
        "stages": stages,
        "validate_codes_by_mode": {k: dict(v.most_common()) for k, v in by_mode.items()},
        "validate_vs_render": {f"{a} -> {b}": n for (a, b), n in sorted(cross.items())},
        "outside_taxonomy": findings,
        "n_outside_taxonomy": len(findings),
        "slow": slow,
        "warnings_leaked": leaked,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "svgkit": svgkit.__version__,
            "date": time.strftime("%Y-%m-%d"),
        },
        "_data": data_of,
    }


# --------------------------------------------------------------------------------------------
# reproducers
# --------------------------------------------------------------------------------------------


def minimise(data: bytes, still_fails: Callable[[bytes], bool], max_tries: int = 3000) -> bytes:
    """Greedy delta debugging: drop chunks (halving their size down to one byte) while
    ``still_fails`` holds. Bounded by ``max_tries`` calls."""
    tries = 0
    chunk = max(1, len(data) // 2)
    while chunk >= 1 and tries < max_tries:
        i = 0
        changed = False
        while i < len(data) and tries < max_tries:
            candidate = data[:i] + data[i + chunk :]
            tries += 1
            if candidate and still_fails(candidate):
                data = candidate
                changed = True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    return data


def _reproduces(finding: dict[str, Any], size: int, timeout_s: float) -> Callable[[bytes], bool]:
    stage, code = finding["stage"], finding["code"]

    def check(data: bytes) -> bool:
        if stage == "render":
            got, problem, _ = render_batch([data], size, timeout_s, 1)[0]
        else:
            got, problem, _ = validate_outcome(data, repair=stage == "validate_repair")
        return problem is not None and got == code

    return check


def save_failures(
    result: dict[str, Any], folder: Path, *, minimise_them: bool = True
) -> list[Path]:
    """Write each finding's mutant (and a minimised reproducer) to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for f in result["outside_taxonomy"]:
        data = result["_data"][f["index"]]
        stem = f"fuzz-s{result['seed']}-{f['index']:06d}-{f['stage']}"
        (folder / f"{stem}.svg").write_bytes(data)
        if minimise_them:
            small = minimise(data, _reproduces(f, result["size"], result["timeout_s"]))
            (folder / f"{stem}.min.svg").write_bytes(small)
            f["minimised"] = small.decode("utf-8", "backslashreplace")[:500]
        (folder / f"{stem}.json").write_text(json.dumps(f, indent=2) + "\n", encoding="utf-8")
        written.append(folder / f"{stem}.svg")
    return written


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    """The result as Markdown tables."""
    stages = result["stages"]
    rows = [
        "| stage | mutants | mutations/s | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "validate": "`validate` (in-process)",
        "validate_repair": "`validate(repair=True)`",
        "render": f"`render_many` {result['size']}², {result['workers']} workers",
    }
    for key, s in stages.items():
        rows.append(
            f"| {labels[key]} | {s['n']} | {s['mutations_per_s']:.0f} | {s['p50_ms']:.2f} | "
            f"{s['p99_ms']:.2f} | {s['max_ms']:.1f} |"
        )
    codes = sorted({c for s in stages.values() for c in s["codes"]},
                   key=lambda c: -sum(s["codes"].get(c, 0) for s in stages.values()))
    rows += ["", "| code | " + " | ".join(stages) + " |",
             "|---|" + "---:|" * len(stages)]
    for c in codes:
        rows.append(f"| `{c}` | " + " | ".join(str(s["codes"].get(c, 0)) for s in stages.values())
                    + " |")
    n_out = result["n_outside_taxonomy"]
    rows.append("")
    for key, s in stages.items():
        if s["limits"]:
            fields = ", ".join(f"`{k}` {v}" for k, v in s["limits"].items())
            rows.append(f"`LIMIT` fields, {key}: {fields}.")
    rows += [
        "",
        f"Outside the taxonomy: {n_out}"
        + ("" if not n_out else " — " + ", ".join(
            f"#{f['index']} {f['stage']} {f['code']}" for f in result["outside_taxonomy"][:20])),
        f"Slow validate calls (> {SLOW_FACTOR:g} × time budget): {len(result['slow'])}",
        "Python warnings escaping validate: "
        + (", ".join(f"{k} ×{v['count']}" for k, v in result["warnings_leaked"].items())
           or "none"),
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=2000, help="mutants (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--render-every", type=int, default=1,
                        help="render every K-th mutant; 0: none (default 1)")
    parser.add_argument("--size", type=int, default=64, help="render size in px (default 64)")
    parser.add_argument("--timeout", type=float, default=5.0, help="render timeout s (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="render workers (default 2)")
    parser.add_argument("--batch", type=int, default=16, help="render_many batch (default 16)")
    parser.add_argument("--no-repair", action="store_true", help="skip validate(repair=True)")
    parser.add_argument("--no-minimise", action="store_true", help="save failures unminimised")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_MUTATIONS} mutations, render every 2nd")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "fuzz.json",
                        help="JSON result path")
    parser.add_argument("--failures", type=Path, default=HERE / "results" / "fuzz_failures",
                        help="folder for mutants outside the taxonomy")
    args = parser.parse_args(argv)
    if args.quick:
        args.mutations, args.render_every = min(args.mutations, QUICK_MUTATIONS), 2
    if args.mutations < 1 or args.render_every < 0 or args.size < 1 or args.batch < 1:
        parser.error("--mutations, --size and --batch must be ≥ 1, --render-every ≥ 0")
    start = time.perf_counter()
    result = run(
        args.mutations, args.seed, render_every=args.render_every, size=args.size,
        timeout_s=args.timeout, workers=args.workers, batch=args.batch,
        repair=not args.no_repair, progress=True,
    )
    result["command"] = " ".join(
        ["python benchmarks/bench_fuzz.py", *(argv if argv is not None else sys.argv[1:])]
    )
    result["wall_s"] = time.perf_counter() - start
    saved: list[Path] = []
    if result["outside_taxonomy"]:
        saved = save_failures(result, args.failures, minimise_them=not args.no_minimise)
    result.pop("_data")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))
    print(f"\nwrote {args.out} ({result['wall_s']:.0f} s)")
    if saved:
        print(f"\n{len(saved)} mutant(s) outside the taxonomy, saved to {args.failures}:")
        for f in result["outside_taxonomy"]:
            print(f"  #{f['index']} [{f['stage']}] {f['code']}: {f['problem'][:200]}")
            print(f"      ops: {'; '.join(f['ops'])}")
            if "minimised" in f:
                print(f"      minimised: {f['minimised'][:300]!r}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
