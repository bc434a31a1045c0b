#!/usr/bin/env python
"""Generate the bundled demo suite of ``svgkit-bench run`` (``svgkit_rewards/bench/demo/``).

Everything here is the project's own: the prompts, the reference icons and the completions of four
made-up "systems" of clearly different quality are written by this script. There is no model, no
network and no third-party data. The output is deterministic: the only randomness is
``random.Random`` seeded with a string built from :data:`SEED`, the system, the prompt id and the
sample, so the same script always writes the same bytes.

The systems:

* ``careful``: a strong model. It answers in the paper's format
  ``<think>…</think><answer><svg …>…</svg></answer>``, draws detailed objects (shading,
  highlights, details), annotates the objects of composition prompts as
  :data:`svgkit_rewards.functional.composition.OBJECT_INSTRUCTION` asks and satisfies their specs;
  its two samples of a prompt differ visibly (layout, sizes, shades). Image prompts are reproduced
  closely.
* ``sloppy``: plausible but careless. Fewer shapes, some wrong colours, relations and counts,
  missing annotations, a few answers cut off mid-path (``finish_reason`` ``"length"``), two
  malformed documents and some answers in prose with a markdown fence instead of the tags.
* ``gamer``: games the rewards. The prompt written as ``<text>``, blank or near-blank canvases,
  the prompt hidden in ``<title>`` over a trivial drawing, the drawing pushed off the canvas,
  floods of specks, a giant shape over the drawing, annotated objects made invisible, and padding
  that inflates the length. Each :data:`svgkit_rewards.functional.hacks.HACK_FLAGS` flag shows up
  several times.
* ``terse``: a weak small model. One-line documents with a single shape (often the wrong thing),
  no annotations, and refusals ("I cannot draw images.").

Regenerate::

    python scripts/make_bench_demo.py                 # writes svgkit_rewards/bench/demo/
    python scripts/make_bench_demo.py --out DIR       # somewhere else

``tests/test_bench_demo.py`` checks that the committed files equal what this script writes and that
the quality order of the systems is real, measured with svgkit's and svgkit_rewards' own functions.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "svgkit_rewards" / "bench" / "demo"
SEED = "svgkit-bench-demo-2026"
SYSTEMS: tuple[str, ...] = ("careful", "sloppy", "gamer", "terse")
SAMPLES = 2
SIZE = 256  # every text-to-SVG answer draws on a 256 × 256 canvas
NS = 'xmlns="http://www.w3.org/2000/svg"'


# ---------------------------------------------------------------------------------------------
# colours: every shade of a row reads as the row's basic colour term (svgkit.color_name)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pal:
    """A colour's shades: ``base`` (or ``alt``, the second sample's), ``dark`` and ``light``."""

    base: str
    dark: str
    light: str
    alt: str

    def shade(self, variant: int) -> Pal:
        """The palette with the variant's base shade."""
        return self if variant % 2 == 0 else replace(self, base=self.alt)


PALETTE: dict[str, Pal] = {
    "red": Pal("#e53935", "#b71c1c", "#ef5350", "#d32f2f"),
    "blue": Pal("#1e88e5", "#0d47a1", "#64b5f6", "#1565c0"),
    "green": Pal("#43a047", "#1b5e20", "#81c784", "#2e7d32"),
    "yellow": Pal("#fdd835", "#fbc02d", "#fff176", "#ffeb3b"),
    "orange": Pal("#fb8c00", "#ef6c00", "#ffb74d", "#f57c00"),
    "purple": Pal("#8e24aa", "#4a148c", "#ba68c8", "#7b1fa2"),
    "pink": Pal("#f06292", "#ec407a", "#f8bbd0", "#f48fb1"),
    "brown": Pal("#8b4513", "#5d3a1a", "#a0522d", "#795548"),
    "gray": Pal("#9e9e9e", "#616161", "#bdbdbd", "#757575"),
    "white": Pal("#fafafa", "#e0e0e0", "#ffffff", "#f5f5f5"),
    "black": Pal("#212121", "#000000", "#424242", "#1a1a1a"),
}


def fmt(v: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# ---------------------------------------------------------------------------------------------
# objects: each drawer returns primitives in a local box of about [-50, 50]²; ``detail`` 2 is
# the careful drawing, 1 the sloppy one, 0 a single shape
# ---------------------------------------------------------------------------------------------

Drawer = Callable[[Pal, int, Pal | None], list[str]]


def _apple(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<circle cx="0" cy="6" r="40" fill="{p.base}"/>']
    if d >= 2:
        out.append(f'<path d="M 14 -28 A 40 40 0 0 1 14 40 A 30 36 0 0 0 14 -28 Z" '
                   f'fill="{p.dark}" opacity="0.45"/>')
    if d >= 1:
        out.append('<path d="M 0 -32 Q 3 -44 9 -50" fill="none" stroke="#5d3a1a" '
                   'stroke-width="5" stroke-linecap="round"/>')
        out.append('<ellipse cx="18" cy="-40" rx="12" ry="6" fill="#43a047" '
                   'transform="rotate(-25 18 -40)"/>')
    if d >= 2:
        out.append(f'<ellipse cx="-16" cy="-10" rx="8" ry="12" fill="{p.light}" opacity="0.8"/>')
    return out


def _bowl(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<path d="M -48 -8 L 48 -8 A 48 42 0 0 1 -48 -8 Z" fill="{p.base}"/>']
    if d >= 1:
        out.append(f'<ellipse cx="0" cy="-8" rx="48" ry="9" fill="{p.dark}"/>')
    if d >= 2:
        out.append(f'<ellipse cx="0" cy="-7" rx="40" ry="5" fill="{p.light}"/>')
        out.append(f'<rect x="-16" y="30" width="32" height="8" rx="3" fill="{p.dark}"/>')
        out.append(f'<path d="M -36 6 Q -30 22 -14 28" fill="none" stroke="{p.light}" '
                   'stroke-width="4" stroke-linecap="round"/>')
    return out


def _cat(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<polygon points="-40,-14 -32,-50 -10,-32" fill="{p.base}"/>',
           f'<polygon points="40,-14 32,-50 10,-32" fill="{p.base}"/>',
           f'<circle cx="0" cy="6" r="40" fill="{p.base}"/>'] if d >= 1 else [
           f'<circle cx="0" cy="6" r="40" fill="{p.base}"/>']
    if d >= 2:
        out += ['<polygon points="-34,-22 -30,-42 -17,-31" fill="#f8bbd0"/>',
                '<polygon points="34,-22 30,-42 17,-31" fill="#f8bbd0"/>',
                f'<ellipse cx="0" cy="24" rx="20" ry="14" fill="{p.light}"/>']
    if d >= 1:
        out += ['<ellipse cx="-15" cy="-2" rx="7" ry="9" fill="#43a047"/>',
                '<ellipse cx="15" cy="-2" rx="7" ry="9" fill="#43a047"/>',
                '<ellipse cx="-15" cy="-2" rx="2.5" ry="7" fill="#212121"/>',
                '<ellipse cx="15" cy="-2" rx="2.5" ry="7" fill="#212121"/>',
                '<polygon points="-5,12 5,12 0,18" fill="#ec407a"/>']
    if d >= 2:
        out += ['<path d="M 0 18 Q -6 26 -12 22 M 0 18 Q 6 26 12 22" fill="none" '
                'stroke="#424242" stroke-width="2"/>',
                '<path d="M -8 16 L -34 10 M -8 20 L -34 22 M 8 16 L 34 10 M 8 20 L 34 22" '
                'stroke="#424242" stroke-width="1.5"/>']
    return out


def _dog(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out: list[str] = []
    if d >= 1:
        out += [f'<ellipse cx="-34" cy="-4" rx="12" ry="26" fill="{p.dark}" '
                'transform="rotate(15 -34 -4)"/>',
                f'<ellipse cx="34" cy="-4" rx="12" ry="26" fill="{p.dark}" '
                'transform="rotate(-15 34 -4)"/>']
    out.append(f'<ellipse cx="0" cy="2" rx="32" ry="38" fill="{p.base}"/>')
    if d >= 2:
        out.append(f'<ellipse cx="0" cy="22" rx="18" ry="14" fill="{p.light}"/>')
        out.append('<path d="M -4 32 Q 0 44 4 32 Z" fill="#ec407a"/>')
    if d >= 1:
        out += ['<circle cx="-12" cy="-8" r="5" fill="#212121"/>',
                '<circle cx="12" cy="-8" r="5" fill="#212121"/>',
                '<ellipse cx="0" cy="14" rx="8" ry="6" fill="#212121"/>']
    if d >= 2:
        out += ['<circle cx="-10.5" cy="-9.5" r="1.5" fill="#ffffff"/>',
                '<circle cx="13.5" cy="-9.5" r="1.5" fill="#ffffff"/>']
    return out


def _house(p: Pal, d: int, a: Pal | None) -> list[str]:
    roof = (a or PALETTE["red"]).base
    out = [f'<rect x="-40" y="-6" width="80" height="52" fill="{p.base}"/>']
    if d >= 2:
        out.append(f'<rect x="22" y="-44" width="10" height="22" fill="{p.dark}"/>')
    if d >= 1:
        out.append(f'<polygon points="-50,-4 0,-46 50,-4" fill="{roof}"/>')
        out.append('<rect x="-9" y="18" width="18" height="28" fill="#5d3a1a"/>')
    if d >= 2:
        for x in (-32, 16):
            out.append(f'<rect x="{x}" y="6" width="16" height="14" fill="#bbdefb" '
                       'stroke="#ffffff" stroke-width="2"/>')
        out.append('<circle cx="5" cy="33" r="1.8" fill="#fdd835"/>')
        out.append(f'<rect x="-40" y="42" width="80" height="4" fill="{p.dark}"/>')
    return out


def _rocket(p: Pal, d: int, a: Pal | None) -> list[str]:
    accent = (a or PALETTE["red"]).base
    out: list[str] = []
    if d >= 2:
        out.append('<path d="M -10 32 Q 0 60 10 32 Z" fill="#fb8c00"/>')
        out.append('<path d="M -5 32 Q 0 48 5 32 Z" fill="#fdd835"/>')
    if d >= 1:
        out.append(f'<polygon points="-16,8 -30,34 -12,30" fill="{accent}"/>')
        out.append(f'<polygon points="16,8 30,34 12,30" fill="{accent}"/>')
    out.append(f'<path d="M 0 -50 C 20 -30 18 12 14 32 L -14 32 C -18 12 -20 -30 0 -50 Z" '
               f'fill="{p.base}"/>')
    if d >= 1:
        out.append(f'<path d="M 0 -50 C 8 -42 12 -34 14 -28 L -14 -28 C -12 -34 -8 -42 0 -50 Z" '
                   f'fill="{accent}"/>')
        out.append('<circle cx="0" cy="-6" r="8" fill="#64b5f6" stroke="#616161" '
                   'stroke-width="3"/>')
    if d >= 2:
        out.append('<rect x="-2" y="14" width="4" height="16" fill="#616161"/>')
    return out


def _tree(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = ['<rect x="-8" y="8" width="16" height="42" fill="#795548"/>'] if d >= 1 else []
    out.append(f'<circle cx="0" cy="-18" r="32" fill="{p.base}"/>')
    if d >= 1:
        out.append(f'<circle cx="-22" cy="0" r="22" fill="{p.base}"/>')
        out.append(f'<circle cx="22" cy="0" r="22" fill="{p.base}"/>')
    if d >= 2:
        out.append(f'<circle cx="14" cy="-2" r="14" fill="{p.dark}" opacity="0.5"/>')
        out.append(f'<circle cx="-10" cy="-30" r="10" fill="{p.light}" opacity="0.7"/>')
        out.append('<path d="M -8 30 L -14 46 M 8 30 L 14 46" stroke="#5d3a1a" '
                   'stroke-width="3"/>')
    return out


def _car(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<path d="M -28 -4 L -18 -26 L 18 -26 L 30 -4 Z" fill="{p.base}"/>'] if d >= 1 else []
    out.append(f'<rect x="-48" y="-6" width="96" height="28" rx="6" fill="{p.base}"/>')
    if d >= 2:
        out.append('<path d="M -22 -6 L -15 -21 L -2 -21 L -2 -6 Z" fill="#bbdefb"/>')
        out.append('<path d="M 3 -6 L 3 -21 L 15 -21 L 23 -6 Z" fill="#bbdefb"/>')
        out.append(f'<rect x="-48" y="6" width="96" height="4" fill="{p.dark}"/>')
        out.append('<circle cx="44" cy="2" r="4" fill="#fdd835"/>')
    if d >= 1:
        out.append('<circle cx="-26" cy="22" r="11" fill="#212121"/>')
        out.append('<circle cx="26" cy="22" r="11" fill="#212121"/>')
    if d >= 2:
        out.append('<circle cx="-26" cy="22" r="5" fill="#bdbdbd"/>')
        out.append('<circle cx="26" cy="22" r="5" fill="#bdbdbd"/>')
    return out


def _fish(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<polygon points="22,0 48,-22 48,22" fill="{p.dark}"/>'] if d >= 1 else []
    out.append(f'<ellipse cx="-6" cy="0" rx="36" ry="22" fill="{p.base}"/>')
    if d >= 2:
        out.append(f'<path d="M -10 -20 Q 2 -36 14 -18 Z" fill="{p.dark}"/>')
        out.append(f'<path d="M -4 -20 Q 4 0 -4 20" fill="none" stroke="{p.light}" '
                   'stroke-width="4"/>')
        out.append(f'<path d="M 8 -18 Q 14 0 8 18" fill="none" stroke="{p.light}" '
                   'stroke-width="4"/>')
    if d >= 1:
        out.append('<circle cx="-26" cy="-5" r="5" fill="#ffffff"/>')
        out.append('<circle cx="-27" cy="-5" r="2.5" fill="#212121"/>')
    return out


def _flower(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out: list[str] = []
    if d >= 1:
        out.append('<path d="M 0 0 L 0 50" stroke="#43a047" stroke-width="5"/>')
    if d >= 2:
        out.append('<ellipse cx="10" cy="36" rx="10" ry="5" fill="#43a047" '
                   'transform="rotate(-30 10 36)"/>')
    petals = 6 if d >= 2 else (5 if d == 1 else 0)
    for i in range(petals):
        out.append(f'<ellipse cx="0" cy="-20" rx="10" ry="17" fill="{p.base}" '
                   f'transform="rotate({i * 360 // petals} 0 0)"/>')
    out.append('<circle cx="0" cy="0" r="11" fill="#8b4513"/>' if d >= 1 else
               f'<circle cx="0" cy="0" r="30" fill="{p.base}"/>')
    if d >= 2:
        out.append(f'<circle cx="-3" cy="-3" r="4" fill="{p.light}"/>')
    return out


def _bird(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<polygon points="-28,0 -48,-14 -46,10" fill="{p.dark}"/>'] if d >= 1 else []
    out.append(f'<ellipse cx="-6" cy="6" rx="30" ry="20" fill="{p.base}"/>')
    out.append(f'<circle cx="22" cy="-12" r="15" fill="{p.base}"/>')
    if d >= 1:
        out.append('<polygon points="35,-16 48,-11 35,-7" fill="#fb8c00"/>')
        out.append('<circle cx="26" cy="-15" r="3" fill="#212121"/>')
    if d >= 2:
        out.append(f'<path d="M -20 0 Q -2 -14 12 2 Q -4 14 -20 0 Z" fill="{p.dark}"/>')
        out.append(f'<ellipse cx="0" cy="16" rx="14" ry="6" fill="{p.light}"/>')
    return out


def _clock(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<circle cx="0" cy="0" r="44" fill="{p.base}"/>']
    if d >= 1:
        out.append('<circle cx="0" cy="0" r="35" fill="#ffffff"/>')
        out.append('<path d="M 0 0 L 0 -24 M 0 0 L 16 8" stroke="#212121" stroke-width="4" '
                   'stroke-linecap="round"/>')
    if d >= 2:
        out += [f'<rect x="-2" y="-33" width="4" height="8" fill="{p.dark}"/>',
                f'<rect x="-2" y="25" width="4" height="8" fill="{p.dark}"/>',
                f'<rect x="-33" y="-2" width="8" height="4" fill="{p.dark}"/>',
                f'<rect x="25" y="-2" width="8" height="4" fill="{p.dark}"/>',
                f'<circle cx="0" cy="0" r="3" fill="{p.dark}"/>']
    return out


def _box(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<rect x="-40" y="-40" width="80" height="80" fill="{p.base}"/>']
    if d >= 1:
        out.append(f'<rect x="-8" y="-40" width="16" height="80" fill="{p.dark}"/>')
    if d >= 2:
        out.append(f'<rect x="14" y="14" width="20" height="14" fill="{p.light}"/>')
        out.append(f'<path d="M -40 -24 L 40 -24" stroke="{p.dark}" stroke-width="2"/>')
    return out


def _sign(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<polygon points="0,-46 48,38 -48,38" fill="{p.base}"/>']
    if d >= 2:
        out.append(f'<polygon points="0,-30 34,30 -34,30" fill="{p.light}"/>')
    if d >= 1:
        out.append('<rect x="-4" y="-12" width="8" height="28" fill="#212121"/>')
        out.append('<circle cx="0" cy="24" r="4" fill="#212121"/>')
    return out


def _book(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<rect x="-48" y="-25" width="96" height="50" fill="{p.base}"/>']
    if d >= 1:
        out.append(f'<rect x="-48" y="-25" width="10" height="50" fill="{p.dark}"/>')
    if d >= 2:
        out.append('<rect x="40" y="-21" width="6" height="42" fill="#fafafa"/>')
        out.append(f'<rect x="-20" y="-10" width="44" height="8" fill="{p.light}"/>')
        out.append(f'<rect x="-20" y="4" width="30" height="5" fill="{p.light}"/>')
    return out


def _ball(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<circle cx="0" cy="0" r="40" fill="{p.base}"/>']
    if d >= 1:
        out.append('<path d="M -40 0 Q 0 -16 40 0" fill="none" stroke="#ffffff" '
                   'stroke-width="4"/>')
    if d >= 2:
        out.append('<path d="M -28 28 Q 0 6 28 28" fill="none" stroke="#ffffff" '
                   'stroke-width="4"/>')
        out.append(f'<circle cx="-14" cy="-18" r="8" fill="{p.light}"/>')
    return out


def _sun(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out: list[str] = []
    if d >= 1:
        rays = 12 if d >= 2 else 8
        for i in range(rays):
            out.append(f'<rect x="-3" y="-48" width="6" height="14" rx="3" fill="{p.dark}" '
                       f'transform="rotate({i * 360 // rays} 0 0)"/>')
    out.append(f'<circle cx="0" cy="0" r="28" fill="{p.base}"/>')
    if d >= 2:
        out.append(f'<circle cx="-8" cy="-8" r="10" fill="{p.light}"/>')
    return out


def _cloud(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<ellipse cx="0" cy="10" rx="46" ry="16" fill="{p.base}"/>']
    if d >= 1:
        out.append(f'<circle cx="-14" cy="0" r="18" fill="{p.base}"/>')
        out.append(f'<circle cx="12" cy="-6" r="22" fill="{p.base}"/>')
    if d >= 2:
        out.append(f'<ellipse cx="0" cy="20" rx="40" ry="6" fill="{p.dark}" opacity="0.6"/>')
    return out


def _boat(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<path d="M -46 10 L 46 10 L 32 32 L -32 32 Z" fill="{p.base}"/>']
    if d >= 1:
        out.append('<rect x="-2" y="-46" width="4" height="56" fill="#5d3a1a"/>')
        out.append('<polygon points="4,-44 4,4 38,4" fill="#fafafa"/>')
    if d >= 2:
        out.append('<polygon points="-4,-38 -4,4 -30,4" fill="#eeeeee"/>')
        out.append('<polygon points="2,-46 16,-41 2,-36" fill="#e53935"/>')
        out.append(f'<rect x="-46" y="14" width="92" height="4" fill="{p.dark}"/>')
    return out


def _snowman(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<circle cx="0" cy="26" r="24" fill="{p.base}" stroke="#bdbdbd" stroke-width="2"/>',
           f'<circle cx="0" cy="-10" r="17" fill="{p.base}" stroke="#bdbdbd" stroke-width="2"/>']
    if d >= 1:
        out.append(f'<circle cx="0" cy="-36" r="12" fill="{p.base}" stroke="#bdbdbd" '
                   'stroke-width="2"/>')
        out.append('<polygon points="0,-36 14,-33 0,-31" fill="#fb8c00"/>')
    if d >= 2:
        out += ['<rect x="-12" y="-50" width="24" height="4" fill="#212121"/>',
                '<rect x="-8" y="-64" width="16" height="14" fill="#212121"/>',
                '<circle cx="-4" cy="-39" r="1.8" fill="#212121"/>',
                '<circle cx="5" cy="-39" r="1.8" fill="#212121"/>',
                '<circle cx="0" cy="-12" r="2.2" fill="#212121"/>',
                '<circle cx="0" cy="-3" r="2.2" fill="#212121"/>',
                '<path d="M -16 -12 L -40 -26 M 16 -12 L 40 -26" stroke="#5d3a1a" '
                'stroke-width="3"/>']
    return out


def _moon(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<circle cx="0" cy="0" r="36" fill="{p.light}"/>']
    if d >= 2:
        out += [f'<circle cx="-12" cy="-8" r="7" fill="{p.dark}" opacity="0.4"/>',
                f'<circle cx="10" cy="12" r="5" fill="{p.dark}" opacity="0.4"/>',
                f'<circle cx="14" cy="-14" r="3" fill="{p.dark}" opacity="0.4"/>']
    return out


def _star(p: Pal, d: int, _a: Pal | None) -> list[str]:
    pts = "0,-48 11,-15 46,-15 18,6 29,40 0,19 -29,40 -18,6 -46,-15 -11,-15"
    out = [f'<polygon points="{pts}" fill="{p.base}"/>']
    if d >= 2:
        out.append(f'<polygon points="0,-30 6,-10 0,4 -6,-10" fill="{p.light}"/>')
    return out


def _table(p: Pal, d: int, _a: Pal | None) -> list[str]:
    out = [f'<rect x="-48" y="-14" width="96" height="10" fill="{p.base}"/>']
    if d >= 1:
        out.append(f'<rect x="-42" y="-4" width="8" height="40" fill="{p.dark}"/>')
        out.append(f'<rect x="34" y="-4" width="8" height="40" fill="{p.dark}"/>')
    return out


DRAWERS: dict[str, Drawer] = {
    "apple": _apple, "bowl": _bowl, "cat": _cat, "dog": _dog, "house": _house,
    "rocket": _rocket, "tree": _tree, "car": _car, "fish": _fish, "flower": _flower,
    "bird": _bird, "clock": _clock, "box": _box, "sign": _sign, "book": _book, "ball": _ball,
    "sun": _sun, "cloud": _cloud, "boat": _boat, "snowman": _snowman, "moon": _moon,
    "star": _star, "table": _table,
}


# ---------------------------------------------------------------------------------------------
# a drawing plan: scenery plus placed objects
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One object: what, which colour, where (centre) and how big (local box side, px)."""

    noun: str
    color: str
    x: float
    y: float
    size: float
    name: str | None = None  # the annotation (<g id="...">); None leaves the group unnamed
    accent: str | None = None
    hidden: bool = False  # the gamer's trick: annotated but transparent


@dataclass(frozen=True)
class Plan:
    background: str
    items: tuple[Item, ...]


def _backdrop(kind: str, variant: int) -> tuple[list[str], list[str]]:
    """Scenery (defs, primitives) drawn before the objects, outside their groups."""
    v = variant % 2
    if kind == "white":
        return [], []
    if kind == "paper":
        return [], [f'<rect width="256" height="256" fill="{("#fffdf5", "#f7fbff")[v]}"/>']
    if kind == "sky":
        return (['<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">'
                 f'<stop offset="0" stop-color="{("#64b5f6", "#42a5f5")[v]}"/>'
                 '<stop offset="1" stop-color="#e3f2fd"/></linearGradient>'],
                ['<rect width="256" height="256" fill="url(#sky)"/>',
                 f'<rect y="{(196, 190)[v]}" width="256" height="70" fill="#66bb6a"/>',
                 '<path d="M 0 200 Q 64 188 128 198 T 256 194 L 256 256 L 0 256 Z" '
                 'fill="#43a047"/>'])
    if kind == "sunset":
        return (['<linearGradient id="dusk" x1="0" y1="0" x2="0" y2="1">'
                 '<stop offset="0" stop-color="#7b1fa2"/>'
                 f'<stop offset="0.55" stop-color="{("#ff7043", "#f4511e")[v]}"/>'
                 '<stop offset="1" stop-color="#ffcc80"/></linearGradient>'],
                ['<rect width="256" height="256" fill="url(#dusk)"/>'])
    if kind == "night":
        stars = [(30, 30), (70, 60), (200, 40), (160, 90), (230, 110), (110, 28), (20, 120)]
        if v:
            stars = [(256 - x, y + 6) for x, y in stars]
        return ([], ['<rect width="256" height="256" fill="#0d1b3e"/>']
                + [f'<circle cx="{x}" cy="{y}" r="2" fill="#fff59d"/>' for x, y in stars]
                + ['<path d="M 0 190 Q 70 130 140 185 Q 200 150 256 175 L 256 256 L 0 256 Z" '
                   'fill="#1b5e20"/>',
                   '<path d="M 0 220 Q 90 180 170 215 Q 220 200 256 210 L 256 256 L 0 256 Z" '
                   'fill="#2e7d32"/>'])
    if kind == "sea":
        return (['<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">'
                 '<stop offset="0" stop-color="#90caf9"/>'
                 '<stop offset="1" stop-color="#e3f2fd"/></linearGradient>'],
                ['<rect width="256" height="256" fill="url(#sky)"/>',
                 f'<rect y="{(160, 150)[v]}" width="256" height="110" fill="#1976d2"/>',
                 '<path d="M 0 176 Q 32 170 64 176 T 128 176 T 192 176 T 256 176" fill="none" '
                 'stroke="#64b5f6" stroke-width="3"/>'])
    if kind == "snow":
        return ([], [f'<rect width="256" height="256" fill="{("#cfe8fc", "#b3e5fc")[v]}"/>',
                     '<path d="M 0 180 Q 128 160 256 184 L 256 256 L 0 256 Z" fill="#fafafa"/>']
                + [f'<circle cx="{x}" cy="{y}" r="3" fill="#ffffff"/>'
                   for x, y in ((40, 40), (90, 80), (200, 30), (230, 100), (150, 60))])
    if kind == "floor":
        return [], [f'<rect width="256" height="256" fill="{("#fff8e1", "#f3f6fa")[v]}"/>',
                    '<rect y="200" width="256" height="56" fill="#d7ccc8"/>']
    raise ValueError(f"unknown background {kind!r}")


def _group(item: Item, detail: int, variant: int, *, indent: str = "  ",
           annotate: bool = True) -> str:
    pal = PALETTE[item.color].shade(variant)
    accent = PALETTE[item.accent].shade(variant) if item.accent else None
    body = DRAWERS[item.noun](pal, detail, accent)
    s = item.size / 100
    attrs = ""
    if annotate and item.name:
        attrs += f' id="{item.name}"'
    attrs += f' transform="translate({fmt(item.x)} {fmt(item.y)}) scale({fmt(s)})"'
    if item.hidden:
        attrs += ' opacity="0"'
    inner = "".join(f"\n{indent}  {b}" for b in body)
    return f"{indent}<g{attrs}>{inner}\n{indent}</g>"


def render_plan(plan: Plan, detail: int, variant: int, *, annotate: bool = True,
                pretty: bool = True, extra: Sequence[str] = ()) -> str:
    """The SVG document of a plan."""
    defs, scenery = _backdrop(plan.background, variant)
    parts = [f'<svg {NS} width="256" height="256" viewBox="0 0 256 256">']
    if defs:
        parts.append("  <defs>" + "".join(defs) + "</defs>")
    parts += [f"  {s}" for s in scenery]
    parts += [_group(it, detail, variant, annotate=annotate) for it in plan.items]
    parts += [f"  {e}" for e in extra]
    parts.append("</svg>")
    text = "\n".join(parts)
    if not pretty:
        text = " ".join(line.strip() for line in text.splitlines())
    return text


# ---------------------------------------------------------------------------------------------
# the suite
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPrompt:
    """A suite record plus how an honest answer lays it out (``plans[v]`` for sample v)."""

    id: str
    prompt: str
    kind: str
    category: str | None
    plans: tuple[Plan, Plan]
    spec: dict[str, Any] | None = None
    reference_svg: str | None = None

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "prompt": self.prompt, "kind": self.kind}
        if self.category is not None:
            out["category"] = self.category
        if self.spec is not None:
            out["spec"] = self.spec
        if self.reference_svg is not None:
            out["reference_svg"] = self.reference_svg
        return out


def _it(noun: str, color: str, x: float, y: float, size: float, name: str | None = None,
        accent: str | None = None) -> Item:
    return Item(noun, color, x, y, size, name, accent)


def _pair(bg: tuple[str, str], a: Iterable[Item], b: Iterable[Item]) -> tuple[Plan, Plan]:
    return Plan(bg[0], tuple(a)), Plan(bg[1], tuple(b))


def _record(n: int, prompt: str, major: str, minor: str, metadata: dict[str, Any]
            ) -> dict[str, Any]:
    """An SGP-CompBench prompt record."""
    return {"id": f"{major}_{minor}_{n:04d}", "prompt": prompt, "gen_type": "text2svg",
            "major_type": major, "minor_type": minor, "metadata": metadata}


def _objects() -> list[DemoPrompt]:
    def one(pid: str, prompt: str, cat: str, noun: str, color: str, bg: tuple[str, str],
            accent: str | None = None) -> DemoPrompt:
        return DemoPrompt(pid, prompt, "object", cat, _pair(
            bg, [_it(noun, color, 128, 132, 170, noun, accent)],
            [_it(noun, color, 120, 124, 200, noun, accent)]))

    return [
        one("apple", "a red apple", "food", "apple", "red", ("white", "paper")),
        one("cat-face", "a cat's face", "animals", "cat", "orange", ("paper", "white")),
        one("house", "a small house with a red roof", "buildings", "house", "yellow",
            ("white", "paper"), accent="red"),
        one("rocket", "a rocket flying upward", "vehicles", "rocket", "gray", ("white", "white"),
            accent="red"),
        one("tree", "a green tree", "nature", "tree", "green", ("paper", "white")),
        one("car", "a blue car", "vehicles", "car", "blue", ("white", "paper")),
        one("fish", "an orange fish", "animals", "fish", "orange", ("white", "paper")),
        one("flower", "a yellow flower", "nature", "flower", "yellow", ("paper", "white")),
    ]


def _scenes() -> list[DemoPrompt]:
    s = "scenes"
    return [
        DemoPrompt("house-sky", "a house under a blue sky with a sun", "scene", s, _pair(
            ("sky", "sky"),
            [_it("house", "yellow", 110, 160, 130, "house", "red"),
             _it("sun", "yellow", 205, 55, 80, "sun"), _it("cloud", "white", 70, 50, 70)],
            [_it("house", "orange", 150, 158, 120, "house", "brown"),
             _it("sun", "yellow", 50, 50, 70, "sun"), _it("cloud", "white", 190, 64, 80),
             _it("tree", "green", 50, 170, 70)])),
        DemoPrompt("beach-sunset", "a beach at sunset", "scene", s, _pair(
            ("sunset", "sunset"),
            [_it("sun", "orange", 128, 150, 110, "sun"),
             _it("boat", "brown", 190, 170, 60, "boat")],
            [_it("sun", "yellow", 90, 140, 90, "sun"),
             _it("boat", "brown", 60, 176, 50, "boat"),
             _it("tree", "green", 210, 150, 80, "palm tree")])),
        DemoPrompt("night-moon", "a full moon over hills at night with stars", "scene", s, _pair(
            ("night", "night"),
            [_it("moon", "yellow", 180, 70, 90, "moon"), _it("star", "yellow", 60, 70, 30)],
            [_it("moon", "yellow", 70, 66, 80, "moon"), _it("star", "yellow", 200, 60, 26),
             _it("star", "yellow", 150, 40, 18)])),
        DemoPrompt("sailboat", "a sailboat on the sea", "scene", s, _pair(
            ("sea", "sea"),
            [_it("boat", "brown", 128, 140, 120, "sailboat"), _it("sun", "yellow", 40, 40, 50)],
            [_it("boat", "red", 100, 134, 100, "sailboat"), _it("cloud", "white", 190, 50, 70),
             _it("bird", "gray", 200, 96, 24)])),
        DemoPrompt("snowman", "a snowman in a snowy field", "scene", s, _pair(
            ("snow", "snow"),
            [_it("snowman", "white", 128, 150, 150, "snowman")],
            [_it("snowman", "white", 96, 148, 140, "snowman"),
             _it("tree", "green", 200, 160, 80)])),
        DemoPrompt("garden", "a garden with flowers and a tree", "scene", s, _pair(
            ("sky", "sky"),
            [_it("tree", "green", 70, 140, 120, "tree"),
             _it("flower", "red", 150, 200, 50, "flower-1"),
             _it("flower", "yellow", 195, 205, 46, "flower-2"),
             _it("flower", "pink", 235, 200, 40, "flower-3")],
            [_it("tree", "green", 190, 138, 130, "tree"),
             _it("flower", "purple", 40, 205, 46, "flower-1"),
             _it("flower", "orange", 90, 200, 50, "flower-2")])),
    ]


def _compositions() -> list[DemoPrompt]:
    out: list[DemoPrompt] = []

    def add(pid: str, prompt: str, category: str, spec: dict[str, Any],
            plans: tuple[Plan, Plan]) -> None:
        out.append(DemoPrompt(pid, prompt, "composition", category, plans, spec=spec))

    p = "a red apple and a blue bowl"
    add("color-apple-bowl", p, "color",
        _record(1, p, "binding", "color", {"colors": ["red", "blue"], "nouns": ["apple", "bowl"]}),
        _pair(("white", "floor"),
              [_it("apple", "red", 80, 120, 90, "apple"),
               _it("bowl", "blue", 180, 140, 100, "bowl")],
              [_it("bowl", "blue", 90, 150, 120, "bowl"),
               _it("apple", "red", 190, 110, 80, "apple")]))
    p = "a green car and a yellow bird"
    add("color-car-bird", p, "color",
        _record(2, p, "binding", "color",
                {"colors": ["green", "yellow"], "nouns": ["car", "bird"]}),
        _pair(("paper", "white"),
              [_it("car", "green", 100, 170, 140, "car"),
               _it("bird", "yellow", 190, 70, 70, "bird")],
              [_it("bird", "yellow", 70, 80, 80, "bird"),
               _it("car", "green", 160, 170, 130, "car")]))
    p = "a pink ball and a purple box"
    add("color-ball-box", p, "color",
        _record(3, p, "binding", "color", {"colors": ["pink", "purple"], "nouns": ["ball", "box"]}),
        _pair(("floor", "white"),
              [_it("ball", "pink", 70, 160, 80, "ball"),
               _it("box", "purple", 175, 150, 100, "box")],
              [_it("box", "purple", 85, 140, 110, "box"),
               _it("ball", "pink", 195, 160, 70, "ball")]))
    p = "a round clock and a square box"
    add("shape-clock-box", p, "shape",
        _record(4, p, "binding", "shape",
                {"shapes": ["round", "square"], "nouns": ["clock", "box"]}),
        _pair(("white", "paper"),
              [_it("clock", "blue", 75, 110, 100, "clock"),
               _it("box", "brown", 185, 150, 90, "box")],
              [_it("box", "orange", 80, 160, 90, "box"),
               _it("clock", "red", 180, 90, 110, "clock")]))
    p = "a triangular sign and a rectangular book"
    add("shape-sign-book", p, "shape",
        _record(5, p, "binding", "shape",
                {"shapes": ["triangular", "rectangular"], "nouns": ["sign", "book"]}),
        _pair(("paper", "white"),
              [_it("sign", "yellow", 80, 100, 110, "sign"),
               _it("book", "blue", 180, 180, 110, "book")],
              [_it("book", "red", 80, 80, 110, "book"),
               _it("sign", "orange", 170, 160, 120, "sign")]))
    p = "a cat on the left of a dog"
    add("left-cat-dog", p, "2d_spatial",
        _record(6, p, "relation", "2d_spatial",
                {"relation": "on the left of", "nouns": ["cat", "dog"]}),
        _pair(("paper", "floor"),
              [_it("cat", "orange", 70, 130, 100, "cat"),
               _it("dog", "brown", 186, 130, 100, "dog")],
              [_it("cat", "gray", 64, 110, 90, "cat"), _it("dog", "orange", 180, 150, 110, "dog")]))
    p = "a bird above a tree"
    add("above-bird-tree", p, "2d_spatial",
        _record(7, p, "relation", "2d_spatial", {"relation": "above", "nouns": ["bird", "tree"]}),
        _pair(("sky", "white"),
              [_it("bird", "blue", 128, 40, 60, "bird"),
               _it("tree", "green", 128, 160, 130, "tree")],
              [_it("tree", "green", 110, 170, 120, "tree"),
               _it("bird", "red", 170, 50, 60, "bird")]))
    p = "a ball in front of a box"
    add("front-ball-box", p, "3d_spatial",
        _record(8, p, "relation", "3d_spatial",
                {"relation": "in front of", "nouns": ["ball", "box"]}),
        _pair(("floor", "paper"),
              [_it("box", "brown", 140, 120, 130, "box"), _it("ball", "red", 100, 160, 80, "ball")],
              [_it("box", "blue", 110, 120, 120, "box"),
               _it("ball", "yellow", 160, 160, 70, "ball")]))
    p = "three apples"
    add("count-apples", p, "basic",
        _record(9, p, "numeracy", "basic", {"total_count": 3, "object_counts": [
            {"noun": "apple", "count": 3}], "objects": ["apple"]}),
        _pair(("white", "paper"),
              [_it("apple", "red", 50, 140, 70, "apple-1"),
               _it("apple", "red", 128, 140, 70, "apple-2"),
               _it("apple", "red", 206, 140, 70, "apple-3")],
              [_it("apple", "green", 80, 90, 70, "apple-1"),
               _it("apple", "red", 180, 90, 70, "apple-2"),
               _it("apple", "red", 128, 180, 70, "apple-3")]))
    p = "two cats and a dog"
    add("count-cats-dog", p, "basic",
        _record(10, p, "numeracy", "basic", {"total_count": 3, "object_counts": [
            {"noun": "cat", "count": 2}, {"noun": "dog", "count": 1}], "objects": ["cat", "dog"]}),
        _pair(("floor", "paper"),
              [_it("cat", "orange", 50, 140, 72, "cat-1"),
               _it("cat", "gray", 128, 140, 72, "cat-2"),
               _it("dog", "brown", 206, 140, 80, "dog")],
              [_it("dog", "brown", 60, 130, 90, "dog"), _it("cat", "black", 150, 100, 66, "cat-1"),
               _it("cat", "orange", 205, 170, 66, "cat-2")]))
    p = "two red apples to the left of a blue bowl"
    add("custom-apples-bowl", p, "custom",
        {"prompt": p, "objects": [{"noun": "apple", "count": 2, "color": "red"},
                                  {"noun": "bowl", "color": "blue"}],
         "relations": [{"a": "apple", "relation": "left of", "b": "bowl"}]},
        _pair(("floor", "white"),
              [_it("apple", "red", 45, 150, 60, "apple-1"),
               _it("apple", "red", 105, 150, 60, "apple-2"),
               _it("bowl", "blue", 196, 160, 100, "bowl")],
              [_it("apple", "red", 60, 100, 60, "apple-1"),
               _it("apple", "red", 70, 180, 60, "apple-2"),
               _it("bowl", "blue", 180, 150, 110, "bowl")]))
    p = "a yellow sun above a green tree, and a red car to the right of the tree"
    add("custom-sun-tree-car", p, "custom",
        {"prompt": p, "objects": [{"noun": "sun", "color": "yellow"},
                                  {"noun": "tree", "color": "green"},
                                  {"noun": "car", "color": "red"}],
         "relations": [{"a": "sun", "relation": "above", "b": "tree"},
                       {"a": "car", "relation": "right of", "b": "tree"}]},
        _pair(("sky", "sky"),
              [_it("sun", "yellow", 70, 40, 60, "sun"), _it("tree", "green", 70, 160, 110, "tree"),
               _it("car", "red", 190, 190, 100, "car")],
              [_it("sun", "yellow", 100, 36, 56, "sun"), _it("tree", "green", 90, 150, 120, "tree"),
               _it("car", "red", 200, 200, 90, "car")]))
    return out


#: The reference icons of the image-to-SVG prompts (64 × 64).
ICONS: dict[str, list[str]] = {
    "heart": ['<path d="M32 56 C8 40 4 26 10 16 C16 6 28 8 32 18 C36 8 48 6 54 16 '
              'C60 26 56 40 32 56 Z" fill="#e53935"/>'],
    "check": ['<circle cx="32" cy="32" r="28" fill="#43a047"/>',
              '<path d="M18 33 L28 43 L46 22" fill="none" stroke="#ffffff" stroke-width="6" '
              'stroke-linecap="round" stroke-linejoin="round"/>'],
    "home": ['<path d="M6 32 L32 8 L58 32 Z" fill="#1e88e5"/>',
             '<rect x="14" y="30" width="36" height="26" fill="#1e88e5"/>',
             '<rect x="27" y="40" width="10" height="16" fill="#ffffff"/>'],
    "star": ['<polygon points="32,4 40,24 61,24 44,37 50,58 32,45 14,58 20,37 3,24 24,24" '
             'fill="#fdd835" stroke="#ef6c00" stroke-width="2" stroke-linejoin="round"/>'],
}


def icon_svg(name: str, *, width: int = 64, shift: float = 0.0, recolor: dict[str, str] | None
             = None) -> str:
    """An icon as a document (optionally drawn bigger, shifted or recoloured)."""
    body = ICONS[name]
    if recolor:
        body = [_recolor(b, recolor) for b in body]
    inner = "".join(body)
    if shift:
        inner = f'<g transform="translate({fmt(shift)} {fmt(shift)})">{inner}</g>'
    return f'<svg {NS} width="{width}" height="{width}" viewBox="0 0 64 64">{inner}</svg>'


def _recolor(text: str, table: dict[str, str]) -> str:
    for old, new in table.items():
        text = text.replace(old, new)
    return text


def _images() -> list[DemoPrompt]:
    empty = (Plan("white", ()), Plan("white", ()))
    return [DemoPrompt(f"icon-{name}", "Convert this image to SVG", "image", "icons", empty,
                       reference_svg=icon_svg(name)) for name in ICONS]


def suite() -> list[DemoPrompt]:
    """Every prompt of the demo suite, in file order."""
    return _objects() + _scenes() + _compositions() + _images()


# ---------------------------------------------------------------------------------------------
# completions
# ---------------------------------------------------------------------------------------------


def _where(item: Item) -> str:
    h = "on the left" if item.x < 100 else ("on the right" if item.x > 156 else "in the middle")
    v = "near the top" if item.y < 90 else ("near the bottom" if item.y > 170 else "")
    return f"{h} {v}".strip()


def _think_careful(p: DemoPrompt, plan: Plan) -> str:
    lines = [f"The request is: {p.prompt}. I will draw it on a 256×256 canvas."]
    if plan.background not in ("white", "paper"):
        lines.append(f"First a {plan.background} backdrop that fills the canvas, kept outside "
                     "the object groups.")
    for it in plan.items:
        name = f' as <g id="{it.name}">' if it.name else ""
        lines.append(f"The {it.color} {it.noun} goes {_where(it)}{name}, built from several "
                     "shapes with a darker shade and a highlight.")
    if p.kind == "composition":
        lines.append("Each named object gets its own group so the layout can be checked.")
    return "\n".join(lines)


def _answer(think: str, svg: str) -> str:
    return f"<think>\n{think}\n</think>\n<answer>\n{svg}\n</answer>"


def _careful(p: DemoPrompt, sample: int, rng: random.Random) -> tuple[str, str]:
    if p.kind == "image":
        assert p.reference_svg is not None
        name = p.id.removeprefix("icon-")
        svg = (icon_svg(name, width=256) if sample == 0 else
               icon_svg(name, width=256, shift=0.25, recolor={"#e53935": "#e8413d",
                                                             "#43a047": "#46a34a"}))
        think = ("The image is a flat icon on a white background. I will trace its outline "
                 "with the same coordinates on a 64-unit viewBox and keep its colours.")
        return _answer(think, svg), "stop"
    plan = p.plans[sample % 2]
    jitter = rng.choice((-3, -2, 2, 3))
    if p.kind != "composition":  # move things a little: never changes a relation
        plan = replace(plan, items=tuple(replace(it, x=it.x + jitter) for it in plan.items))
    svg = render_plan(plan, 2, sample)
    return _answer(_think_careful(p, plan), svg), "stop"


# what the sloppy system gets wrong on each composition prompt, by sample
_SLOPPY_COMPOSITION: dict[str, tuple[str, str]] = {
    "color-apple-bowl": ("ok", "wrong_color"),
    "color-car-bird": ("unannotated", "ok"),
    "color-ball-box": ("ok", "truncated"),
    "shape-clock-box": ("ok", "wrong_shape"),
    "shape-sign-book": ("wrong_shape", "ok"),
    "left-cat-dog": ("swap", "ok"),
    "above-bird-tree": ("ok", "swap"),
    "front-ball-box": ("swap_order", "ok"),
    "count-apples": ("extra", "ok"),
    "count-cats-dog": ("ok", "drop_last"),
    "custom-apples-bowl": ("drop_first", "malformed"),
    "custom-sun-tree-car": ("prose", "swap_car"),
}
# ... and on every other prompt (cycled over the (prompt, sample) pairs in order)
_SLOPPY_OTHER: tuple[str, ...] = (
    "ok", "wrong_color", "prose", "ok", "truncated", "ok", "drop_last", "ok", "wrong_color",
    "prose", "ok", "malformed", "ok", "drop_last", "wrong_color", "ok", "truncated",
)
_WRONG_COLOR = {"red": "orange", "blue": "purple", "green": "yellow", "yellow": "green",
                "orange": "red", "purple": "blue", "pink": "red", "brown": "gray",
                "gray": "brown", "white": "gray", "black": "gray"}


def _sloppy_plan(plan: Plan, defect: str) -> Plan:
    items = list(plan.items)
    if defect == "wrong_color":
        items[-1] = replace(items[-1], color=_WRONG_COLOR[items[-1].color])
    elif defect == "wrong_shape":
        # the square box becomes a long rectangle, the triangular sign a square board
        items = [replace(it, noun="book") if it.noun == "box" else
                 replace(it, noun="box") if it.noun == "sign" else it for it in items]
    elif defect == "swap" and len(items) >= 2:
        a, b = items[0], items[1]
        items[0], items[1] = replace(a, x=b.x, y=b.y), replace(b, x=a.x, y=a.y)
    elif defect == "swap_order":
        items = items[::-1]
    elif defect == "extra":
        items.append(replace(items[-1], name="apple-4", y=items[-1].y - 80))
    elif defect == "drop_last" and len(items) > 1:
        items = items[:-1]
    elif defect == "drop_first" and len(items) > 1:
        items = items[1:]
    elif defect == "swap_car":
        items = [replace(it, x=20 + it.size * 0.4) if it.noun == "car" else
                 replace(it, x=200) if it.noun in ("tree", "sun") else it for it in items]
    return Plan("white", tuple(items))


def _truncate(svg: str, rng: random.Random) -> str:
    """Cut a document in the middle of a path or shape attribute (max_tokens reached)."""
    cuts = [i for i in range(len(svg) // 3, len(svg) - 20) if svg.startswith(' d="', i)
            or svg.startswith(' points="', i)]
    if not cuts:
        cuts = [i for i in range(len(svg) // 3, len(svg) - 20) if svg.startswith(' cx="', i)]
    at = rng.choice(cuts) + 9
    return svg[:at]


def _malformed(svg: str) -> str:
    """Break the XML: an unquoted attribute value and a missing end tag."""
    svg = svg.replace('<circle cx="', "<circle cx=", 1)
    svg = svg.replace('<rect x="', "<rect x=", 1)
    head, sep, tail = svg.rpartition("</g>")
    return head + tail if sep else svg


def _sloppy(p: DemoPrompt, sample: int, rng: random.Random, slot: int) -> tuple[str, str]:
    if p.kind == "image":
        name = p.id.removeprefix("icon-")
        rough = {
            "heart": ['<circle cx="22" cy="24" r="12" fill="#e53935"/>',
                      '<circle cx="42" cy="24" r="12" fill="#e53935"/>',
                      '<polygon points="10,30 54,30 32,56" fill="#e53935"/>'],
            "check": ['<circle cx="32" cy="32" r="26" fill="#66bb6a"/>'],
            "home": ['<polygon points="10,30 32,12 54,30" fill="#1e88e5"/>',
                     '<rect x="16" y="30" width="32" height="24" fill="#1e88e5"/>'],
            "star": ['<polygon points="32,6 58,26 48,58 16,58 6,26" fill="#fdd835"/>'],
        }[name]
        if sample == 1:  # the wrong colours, a little off-centre
            rough = [_recolor(r, {"#e53935": "#f48fb1", "#66bb6a": "#1e88e5",
                                  "#1e88e5": "#7e57c2", "#fdd835": "#fb8c00"}) for r in rough]
            rough = [f'<g transform="translate(4 3)">{"".join(rough)}</g>']
        svg = f'<svg {NS} width="256" height="256" viewBox="0 0 64 64">{"".join(rough)}</svg>'
        return _answer("Looks like a simple icon.", svg), "stop"
    if p.kind == "composition":
        defect = _SLOPPY_COMPOSITION[p.id][sample]
    else:
        defect = _SLOPPY_OTHER[slot % len(_SLOPPY_OTHER)]
    plan = _sloppy_plan(p.plans[sample % 2], defect)
    svg = render_plan(plan, 1, sample, annotate=defect != "unannotated", pretty=False)
    think = f"Drawing {p.prompt}."
    if defect == "truncated":
        return "<think>\n" + think + "\n</think>\n<answer>\n" + _truncate(svg, rng), "length"
    if defect == "malformed":
        return _answer(think, _malformed(svg)), "stop"
    if defect == "prose":
        return (f"Sure! Here is an SVG of {p.prompt}:\n\n```svg\n{svg}\n```\n\n"
                "You can change the colours in the fill attributes."), "stop"
    return _answer(think, svg), "stop"


def _bare(plan: Plan, detail: int, sample: int, extra: Sequence[str] = (),
          annotate: bool = True) -> str:
    return render_plan(plan, detail, sample, annotate=annotate, pretty=False, extra=extra)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _flood(rng: random.Random) -> str:
    """About 1,200 specks via nested <use>: a tiny document that floods the primitive count."""
    dots = "".join(f'<circle cx="{rng.randint(0, 24)}" cy="{rng.randint(0, 24)}" r="0.4"/>'
                   for _ in range(12))
    row = "".join(f'<use href="#d" x="{i * 25}"/>' for i in range(10))
    rows = "".join(f'<use href="#r" y="{j * 25}"/>' for j in range(10))
    return (f'<svg {NS} width="256" height="256" viewBox="0 0 256 256">'
            f'<defs><g id="d" fill="#333333">{dots}</g><g id="r">{row}</g></defs>{rows}</svg>')


# the gamer's tricks, cycled over its object, scene and image samples (each comes 3 times) ...
_GAMER_TRICKS: tuple[str, ...] = (
    "text", "hidden_caption", "blank", "offcanvas", "giant", "invisible", "flood", "padding",
    "near_blank", "giant_stroke", "text", "hidden_caption",
)
# ... and over its composition samples
_GAMER_COMPOSITION: tuple[str, ...] = (
    "invisible", "text_labels", "invisible", "hidden_caption", "text_labels", "giant",
)


def _gamer(p: DemoPrompt, sample: int, rng: random.Random, slot: int) -> tuple[str, str]:
    if p.kind == "composition":
        trick = _GAMER_COMPOSITION[slot % len(_GAMER_COMPOSITION)]
    else:
        trick = _GAMER_TRICKS[slot % len(_GAMER_TRICKS)]
    plan = p.plans[sample % 2]
    if p.kind == "image":
        plan = Plan("white", (_it("star", "yellow", 128, 128, 150),))
    head = f'<svg {NS} width="256" height="256" viewBox="0 0 256 256">'
    words = _esc(p.prompt)
    if trick == "text":
        svg = (f'{head}<rect width="256" height="256" fill="#ffffff"/>'
               f'<text x="128" y="128" font-size="18" text-anchor="middle" '
               f'fill="#212121">{words}</text></svg>')
    elif trick == "text_labels":  # annotated, but the objects are words
        labels = "".join(
            f'<text id="{it.name}" x="{fmt(it.x)}" y="{fmt(it.y)}" font-size="22" '
            f'text-anchor="middle" fill="{PALETTE[it.color].base}">{it.noun}</text>'
            for it in plan.items if it.name)
        svg = (f'{head}{labels}<text x="128" y="240" font-size="12" text-anchor="middle">'
               f"{words}</text></svg>")
    elif trick == "hidden_caption":
        svg = (f"{head}<title>{words}</title><desc>{words}, detailed and accurate</desc>"
               f'<circle cx="128" cy="128" r="60" fill="{PALETTE[plan.items[0].color].base}"/>'
               "</svg>")
    elif trick == "blank":  # a white page; on the second round an empty document
        svg = (f'{head}<rect width="256" height="256" fill="#ffffff"/></svg>'
               if slot < len(_GAMER_TRICKS) else f"{head}</svg>")
    elif trick == "near_blank":
        svg = (f'{head}<rect width="256" height="256" fill="#fefefe"/>'
               f'<circle cx="128" cy="128" r="0.6" fill="#f5f5f5"/></svg>')
    elif trick == "offcanvas":
        moved = Plan("white", tuple(replace(it, x=it.x + 190, y=it.y - 30) for it in plan.items))
        svg = _bare(moved, 2, sample)
    elif trick in ("giant", "giant_stroke"):
        cover = ('<rect x="8" y="8" width="240" height="240" fill="#90caf9"/>'
                 if trick == "giant" else
                 '<circle cx="128" cy="128" r="80" fill="none" stroke="#64b5f6" '
                 'stroke-width="170"/>')
        svg = _bare(Plan("white", plan.items), 2, sample, extra=[cover])
    elif trick == "invisible":
        hidden = Plan("white", tuple(replace(it, hidden=True, name=it.name or it.noun)
                                     for it in plan.items))
        scribble = ('<path d="M 40 200 Q 128 150 216 200" fill="none" stroke="#9e9e9e" '
                    'stroke-width="6"/><circle cx="128" cy="110" r="34" fill="#bdbdbd"/>')
        svg = _bare(hidden, 2, sample, extra=[scribble])
    elif trick == "flood":
        svg = _flood(rng)
    elif trick == "padding":  # valid and honest-looking, but 8 stacked copies plus filler
        base = _bare(Plan("white", plan.items), 1, sample, annotate=False)
        body = re.sub(r' id="[^"]*"', "", base[base.index(">") + 1:-6])
        filler = "<!-- " + "high quality detailed vector illustration, " * 40 + "-->"
        svg = base[:-6] + filler + body * 8 + "</svg>"
    else:  # pragma: no cover
        raise ValueError(trick)
    return _answer(f"{p.prompt}. " * 3 + "High quality, matches the prompt exactly.", svg), "stop"


_TERSE_SHAPES = {
    "apple": '<circle cx="50" cy="50" r="40" fill="red"/>',
    "cat": '<rect x="20" y="20" width="60" height="60" fill="orange"/>',
    "dog": '<circle cx="50" cy="50" r="40" fill="brown"/>',
    "house": '<polygon points="50,10 90,50 10,50" fill="red"/>',
    "rocket": '<rect x="40" y="10" width="20" height="80" fill="gray"/>',
    "tree": '<circle cx="50" cy="40" r="30" fill="green"/>',
    "car": '<rect x="10" y="40" width="80" height="30" fill="red"/>',
    "fish": '<ellipse cx="50" cy="50" rx="40" ry="20" fill="blue"/>',
    "flower": '<circle cx="50" cy="50" r="20" fill="yellow"/>',
    "sun": '<circle cx="50" cy="50" r="30" fill="yellow"/>',
    "boat": '<polygon points="10,60 90,60 75,80 25,80" fill="brown"/>',
    "moon": '<circle cx="50" cy="50" r="30" fill="#eeeeee"/>',
    "snowman": '<circle cx="50" cy="60" r="30" fill="white" stroke="black"/>',
    "bird": '<ellipse cx="50" cy="50" rx="20" ry="12" fill="black"/>',
}
_REFUSALS = ("I cannot draw images.",
             "As a text-based model I am unable to create pictures, but I can describe one.")


def _terse(p: DemoPrompt, sample: int, rng: random.Random, slot: int) -> tuple[str, str]:
    head = f'<svg {NS} viewBox="0 0 100 100">'
    if p.id == "color-apple-bowl" and sample == 0:  # the one composition it gets right
        return (f'{head}<circle id="apple" cx="25" cy="50" r="18" fill="red"/>'
                '<rect id="bowl" x="55" y="45" width="40" height="20" fill="blue"/></svg>'
                ), "stop"
    if slot % 5 == 3:
        return _REFUSALS[slot % 2], "stop"
    if p.kind == "image":
        color = {"heart": "red", "check": "green", "home": "blue", "star": "orange"}[
            p.id.removeprefix("icon-")]
        return f'{head}<circle cx="50" cy="50" r="30" fill="{color}"/></svg>', "stop"
    first = p.plans[0].items[0]
    if p.kind == "composition":
        shapes = "".join(f'<circle cx="{20 + 30 * i}" cy="50" r="12" fill="{it.color}"/>'
                         for i, it in enumerate(p.plans[0].items[:2]))
        return f"{head}{shapes}</svg>", "stop"
    shape = _TERSE_SHAPES.get(first.noun, '<circle cx="50" cy="50" r="30" fill="black"/>')
    if rng.random() < 0.3:  # the wrong thing
        shape = '<rect x="25" y="25" width="50" height="50" fill="black"/>'
    return f"{head}{shape}</svg>", "stop"


_SYSTEM_FUNCS = {"sloppy": _sloppy, "gamer": _gamer, "terse": _terse}


def completions(system: str, prompts: Sequence[DemoPrompt]) -> list[dict[str, Any]]:
    """The completion records of one system, in (prompt, sample) order."""
    out: list[dict[str, Any]] = []
    slots = {True: 0, False: 0}  # a running count of the samples, composition or not
    for p in prompts:
        for sample in range(SAMPLES):
            rng = random.Random(f"{SEED}/{system}/{p.id}/{sample}")
            group = p.kind == "composition"
            if system == "careful":
                text, finish = _careful(p, sample, rng)
            else:
                text, finish = _SYSTEM_FUNCS[system](p, sample, rng, slots[group])
            slots[group] += 1
            out.append({"id": p.id, "sample": sample, "completion": text,
                        "finish_reason": finish, "completion_tokens": round(len(text) / 3.5)})
    return out


def _write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(out_dir: str | Path = DEFAULT_OUT) -> list[Path]:
    """Write ``suite.jsonl`` and ``completions/<system>.jsonl`` under ``out_dir``; return them."""
    out = Path(out_dir)
    prompts = suite()
    written = [out / "suite.jsonl"]
    _write_jsonl(written[0], (p.record() for p in prompts))
    for system in SYSTEMS:
        path = out / "completions" / f"{system}.jsonl"
        _write_jsonl(path, completions(system, prompts))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output directory (default: svgkit_rewards/bench/demo)")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
