#!/usr/bin/env python
"""Generate the labelled evaluation set for the compositional checker (``cases.jsonl``).

Every label is ground truth *by construction*: each case is built from a scene description whose
answer is known (which objects are drawn where, in which colour, shape, paint order, how many, and
which of them are hidden, off-canvas, tiny or transparent). No checker is consulted.

``svgkit`` is used only to sanity-check the construction: every SVG must parse and render, and the
geometry the generator intended (an object meant to be visible covers >= 2 % of the canvas, one
meant to be hidden changes < 0.3 % of the pixels, the intended overlap ratios, paint overlaps and
occlusion fractions) is measured on renders and asserted.

Regenerate::

    python benchmarks/data/composition/make_cases.py            # writes cases.jsonl next to it
    python benchmarks/data/composition/make_cases.py --no-check # skip the render checks
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "cases.jsonl"
SEED = 20250917

# base, dark, light: every entry of a row maps to the same basic colour term
PALETTE: dict[str, tuple[str, str, str]] = {
    "red": ("#e53935", "#b71c1c", "#ef5350"),
    "blue": ("#1e88e5", "#0d47a1", "#64b5f6"),
    "green": ("#43a047", "#1b5e20", "#81c784"),
    "yellow": ("#fdd835", "#fbc02d", "#fff176"),
    "orange": ("#fb8c00", "#ef6c00", "#ffb74d"),
    "purple": ("#8e24aa", "#6a1b9a", "#ba68c8"),
    "pink": ("#f06292", "#ec407a", "#f8bbd0"),
    "brown": ("#8b4513", "#5d3a1a", "#a0522d"),
    "gray": ("#9e9e9e", "#616161", "#bdbdbd"),
    "black": ("#212121", "#000000", "#1a1a1a"),
    "white": ("#fafafa", "#eeeeee", "#ffffff"),
}
SKIN = "#f1c27d"
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def fmt(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# ---------------------------------------------------------------------------------------------
# Canvases
@dataclass(frozen=True)
class Canvas:
    w: float  # user units (viewBox size)
    h: float
    header: str
    px: tuple[int, int]  # device size

    def render_size(self, long: int = 256) -> tuple[int, int]:
        pw, ph = self.px
        s = long / max(pw, ph)
        return max(1, round(pw * s)), max(1, round(ph * s))


CANVASES = [
    Canvas(256, 256, 'width="256" height="256"', (256, 256)),
    Canvas(512, 512, 'width="512" height="512" viewBox="0 0 512 512"', (512, 512)),
    Canvas(400, 300, 'width="400" height="300"', (400, 300)),
    Canvas(100, 100, 'viewBox="0 0 100 100" width="512" height="512"', (512, 512)),
    Canvas(200, 150, 'viewBox="0 0 200 150" width="400" height="300"', (400, 300)),
    Canvas(800, 600, 'viewBox="0 0 800 600"', (800, 600)),
    Canvas(300, 300, 'version="1.1" viewBox="0 0 300 300" width="300" height="300"', (300, 300)),
]


@dataclass
class Paint:
    color: str
    main: str
    dark: str
    light: str
    out: str


# ---------------------------------------------------------------------------------------------
# Object drawers: local coordinates; each returns (inner svg, silhouette bbox x0, y0, x1, y1)
Drawn = tuple[str, tuple[float, float, float, float]]


def _sw(p: Paint, w: float = 2) -> str:
    return f'stroke="{p.out}" stroke-width="{fmt(w)}"'


def d_apple(p: Paint) -> Drawn:
    return (
        f'<circle cx="50" cy="62" r="48" fill="{p.main}" {_sw(p)}/>'
        f'<path d="M50 14 A48 48 0 0 1 50 110 A34 48 0 0 0 50 14 Z" fill="{p.dark}"/>'
        '<ellipse cx="32" cy="45" rx="8" ry="14" fill="#ffffff" opacity="0.75" '
        'transform="rotate(20 32 45)"/>'
        '<rect x="47" y="0" width="6" height="20" rx="2" fill="#6d4c41"/>'
        '<ellipse cx="66" cy="12" rx="13" ry="6" fill="#43a047" transform="rotate(-25 66 12)"/>'
    ), (2, 0, 98, 110)


def d_ball(p: Paint) -> Drawn:
    return (
        f'<circle cx="50" cy="50" r="48" fill="{p.main}" {_sw(p)}/>'
        f'<path d="M50 2 A48 48 0 0 1 50 98 A30 48 0 0 0 50 2 Z" fill="{p.dark}" opacity="0.85"/>'
        f'<path d="M8 40 Q50 62 92 40" fill="none" stroke="{p.light}" stroke-width="4"/>'
        f'<path d="M42 4 Q60 50 42 96" fill="none" stroke="{p.light}" stroke-width="4"/>'
        '<circle cx="32" cy="30" r="9" fill="#ffffff" opacity="0.7"/>'
    ), (2, 2, 98, 98)


def d_bowl(p: Paint) -> Drawn:
    return (
        f'<path d="M0 14 L140 14 Q138 84 70 84 Q2 84 0 14 Z" fill="{p.main}" {_sw(p)}/>'
        f'<ellipse cx="70" cy="14" rx="70" ry="12" fill="{p.light}" {_sw(p)}/>'
        f'<ellipse cx="70" cy="15" rx="60" ry="8" fill="{p.dark}"/>'
        f'<path d="M18 40 Q70 58 122 40" fill="none" stroke="{p.light}" stroke-width="5"/>'
        f'<rect x="50" y="82" width="40" height="8" rx="3" fill="{p.dark}"/>'
    ), (0, 2, 140, 90)


def d_cup(p: Paint) -> Drawn:
    return (
        f'<path d="M78 32 C104 30 106 74 74 76 L75 64 C92 62 92 44 79 44 Z" fill="{p.dark}" '
        f"{_sw(p)}/>"
        f'<path d="M2 12 L82 12 L74 100 L10 100 Z" fill="{p.main}" {_sw(p)}/>'
        f'<ellipse cx="42" cy="12" rx="40" ry="10" fill="{p.light}" {_sw(p)}/>'
        '<ellipse cx="42" cy="13" rx="32" ry="6" fill="#5d4037"/>'
        '<rect x="16" y="40" width="8" height="44" rx="4" fill="#ffffff" opacity="0.35"/>'
    ), (2, 2, 98, 100)


def d_car(p: Paint) -> Drawn:
    wheel = (
        '<circle cx="{x}" cy="80" r="19" fill="#212121"/>'
        '<circle cx="{x}" cy="80" r="8" fill="#bdbdbd"/>'
    )
    return (
        f'<path d="M40 44 L62 4 L140 4 L166 44 Z" fill="{p.main}" {_sw(p)}/>'
        f'<rect x="0" y="40" width="200" height="44" rx="12" fill="{p.main}" {_sw(p)}/>'
        '<path d="M58 40 L72 12 L98 12 L98 40 Z" fill="#cfe8fc"/>'
        '<path d="M106 40 L106 12 L134 12 L152 40 Z" fill="#cfe8fc"/>'
        f'<rect x="4" y="60" width="192" height="6" fill="{p.dark}"/>'
        '<rect x="186" y="48" width="10" height="8" rx="2" fill="#ffeb3b"/>'
        + wheel.format(x=46)
        + wheel.format(x=154)
    ), (0, 4, 200, 99)


def d_house(p: Paint, roof: str = "#6d4c41") -> Drawn:
    win = ('<rect x="{x}" y="66" width="20" height="18" fill="#bbdefb" stroke="#ffffff" '
           'stroke-width="2"/>')
    return (
        f'<rect x="10" y="52" width="100" height="68" fill="{p.main}" {_sw(p)}/>'
        f'<polygon points="0,56 60,2 120,56" fill="{roof}" {_sw(p)}/>'
        f'<rect x="84" y="14" width="12" height="24" fill="{roof}"/>'
        '<rect x="48" y="82" width="24" height="38" fill="#5d4037"/>'
        '<circle cx="67" cy="102" r="2" fill="#ffd54f"/>' + win.format(x=20) + win.format(x=80)
    ), (0, 2, 120, 120)


def d_tree(p: Paint) -> Drawn:
    return (
        '<rect x="42" y="92" width="18" height="58" fill="#6d4c41" stroke="#4e342e" '
        'stroke-width="2"/>'
        f'<circle cx="26" cy="66" r="26" fill="{p.dark}"/>'
        f'<circle cx="76" cy="66" r="24" fill="{p.dark}"/>'
        f'<circle cx="50" cy="42" r="40" fill="{p.main}"/>'
        f'<circle cx="62" cy="72" r="20" fill="{p.main}"/>'
        f'<circle cx="38" cy="30" r="14" fill="{p.light}" opacity="0.8"/>'
    ), (0, 2, 100, 150)


def d_cat(p: Paint) -> Drawn:
    return (
        f'<path d="M78 104 Q104 96 96 64" fill="none" stroke="{p.dark}" stroke-width="8" '
        'stroke-linecap="round"/>'
        f'<ellipse cx="50" cy="86" rx="34" ry="32" fill="{p.main}" {_sw(p)}/>'
        f'<ellipse cx="50" cy="96" rx="16" ry="18" fill="{p.light}"/>'
        f'<polygon points="24,30 28,0 46,18" fill="{p.main}" {_sw(p)}/>'
        f'<polygon points="76,30 72,0 54,18" fill="{p.main}" {_sw(p)}/>'
        '<polygon points="29,22 31,8 40,17" fill="#f8bbd0"/>'
        '<polygon points="71,22 69,8 60,17" fill="#f8bbd0"/>'
        f'<circle cx="50" cy="40" r="28" fill="{p.main}" {_sw(p)}/>'
        '<ellipse cx="40" cy="36" rx="5" ry="7" fill="#7cb342"/>'
        '<ellipse cx="60" cy="36" rx="5" ry="7" fill="#7cb342"/>'
        '<circle cx="40" cy="37" r="2.5" fill="#111111"/>'
        '<circle cx="60" cy="37" r="2.5" fill="#111111"/>'
        '<polygon points="46,48 54,48 50,53" fill="#ec407a"/>'
        '<path d="M22 50 L40 52 M22 56 L40 55 M78 50 L60 52 M78 56 L60 55" stroke="#424242" '
        'stroke-width="1.5"/>'
    ), (16, 0, 102, 118)


def d_dog(p: Paint) -> Drawn:
    legs = "".join(
        f'<rect x="{x}" y="66" width="12" height="34" rx="4" fill="{p.dark}"/>'
        for x in (36, 54, 92, 110)
    )
    return (
        f'<polygon points="112,46 136,18 142,22 118,54" fill="{p.dark}"/>'
        + legs
        + f'<ellipse cx="75" cy="56" rx="45" ry="24" fill="{p.main}" {_sw(p)}/>'
        f'<ellipse cx="80" cy="62" rx="24" ry="10" fill="{p.light}"/>'
        f'<circle cx="34" cy="36" r="22" fill="{p.main}" {_sw(p)}/>'
        f'<ellipse cx="44" cy="34" rx="8" ry="18" fill="{p.dark}" transform="rotate(-15 44 34)"/>'
        f'<ellipse cx="16" cy="44" rx="12" ry="9" fill="{p.light}"/>'
        '<circle cx="6" cy="42" r="4" fill="#212121"/>'
        '<circle cx="28" cy="30" r="3" fill="#212121"/>'
        '<path d="M10 52 Q18 56 24 51" fill="none" stroke="#212121" stroke-width="2"/>'
    ), (2, 14, 142, 100)


def d_bird(p: Paint) -> Drawn:
    return (
        f'<polygon points="14,40 0,26 2,52 16,48" fill="{p.dark}"/>'
        f'<ellipse cx="46" cy="42" rx="36" ry="24" fill="{p.main}" {_sw(p)}/>'
        f'<ellipse cx="50" cy="50" rx="20" ry="12" fill="{p.light}"/>'
        f'<path d="M28 36 Q50 18 66 38 Q48 48 28 36 Z" fill="{p.dark}"/>'
        f'<circle cx="78" cy="26" r="16" fill="{p.main}" {_sw(p)}/>'
        '<polygon points="92,22 104,27 92,32" fill="#fb8c00"/>'
        '<circle cx="83" cy="22" r="3" fill="#111111"/>'
        '<path d="M40 66 L38 74 M54 66 L56 74" stroke="#6d4c41" stroke-width="3"/>'
    ), (0, 10, 104, 75)


def d_box(p: Paint) -> Drawn:
    return (
        f'<rect x="0" y="0" width="100" height="100" fill="{p.main}" {_sw(p, 3)}/>'
        f'<rect x="3" y="3" width="94" height="18" fill="{p.light}"/>'
        f'<rect x="42" y="3" width="16" height="94" fill="{p.dark}" opacity="0.6"/>'
        '<rect x="62" y="66" width="28" height="20" fill="#ffffff" opacity="0.85"/>'
        '<path d="M66 72 L86 72 M66 79 L80 79" stroke="#616161" stroke-width="2"/>'
    ), (0, 0, 100, 100)


def d_book(p: Paint) -> Drawn:
    return (
        f'<rect x="0" y="0" width="80" height="104" rx="3" fill="{p.main}" {_sw(p)}/>'
        f'<rect x="1" y="1" width="12" height="102" fill="{p.dark}"/>'
        f'<rect x="22" y="18" width="46" height="14" fill="{p.light}"/>'
        f'<rect x="22" y="40" width="34" height="4" fill="{p.light}"/>'
        '<rect x="73" y="4" width="4" height="96" fill="#fafafa"/>'
    ), (0, 0, 80, 104)


def d_lamp(p: Paint) -> Drawn:
    return (
        '<rect x="37" y="48" width="6" height="80" fill="#757575"/>'
        '<ellipse cx="40" cy="130" rx="30" ry="8" fill="#616161"/>'
        f'<polygon points="16,0 64,0 80,52 0,52" fill="{p.main}" {_sw(p)}/>'
        f'<polygon points="20,4 34,4 24,48 6,48" fill="{p.light}" opacity="0.6"/>'
        f'<rect x="0" y="48" width="80" height="5" fill="{p.dark}"/>'
    ), (0, 0, 80, 138)


def d_table(p: Paint) -> Drawn:
    return (
        f'<rect x="16" y="24" width="14" height="86" fill="{p.dark}"/>'
        f'<rect x="170" y="24" width="14" height="86" fill="{p.dark}"/>'
        f'<rect x="10" y="14" width="180" height="12" fill="{p.dark}"/>'
        f'<rect x="0" y="0" width="200" height="16" rx="3" fill="{p.main}" {_sw(p)}/>'
        f'<path d="M20 7 L90 7 M110 9 L180 9" stroke="{p.light}" stroke-width="2"/>'
    ), (0, 0, 200, 110)


def d_chair(p: Paint) -> Drawn:
    return (
        f'<rect x="8" y="0" width="64" height="72" rx="6" fill="{p.main}" {_sw(p)}/>'
        f'<rect x="18" y="10" width="44" height="8" fill="{p.dark}"/>'
        f'<rect x="18" y="28" width="44" height="8" fill="{p.dark}"/>'
        f'<rect x="6" y="84" width="10" height="54" fill="{p.dark}"/>'
        f'<rect x="64" y="84" width="10" height="54" fill="{p.dark}"/>'
        f'<rect x="0" y="70" width="80" height="16" rx="3" fill="{p.main}" {_sw(p)}/>'
    ), (0, 0, 80, 138)


def d_flower(p: Paint) -> Drawn:
    petals = "".join(
        f'<circle cx="{fmt(40 + 22 * math.cos(a))}" cy="{fmt(40 + 22 * math.sin(a))}" r="16" '
        f'fill="{p.main}" {_sw(p, 1.5)}/>'
        for a in (k * math.pi / 3 for k in range(6))
    )
    centre = "#6d4c41" if p.color == "yellow" else "#fdd835"
    return (
        '<rect x="37" y="62" width="6" height="88" fill="#388e3c"/>'
        '<ellipse cx="28" cy="112" rx="14" ry="6" fill="#43a047" transform="rotate(-30 28 112)"/>'
        '<ellipse cx="52" cy="98" rx="14" ry="6" fill="#43a047" transform="rotate(30 52 98)"/>'
        + petals
        + f'<circle cx="40" cy="40" r="13" fill="{centre}"/>'
    ), (2, 2, 78, 150)


def d_tv(p: Paint) -> Drawn:
    return (
        f'<polygon points="56,92 84,92 96,110 44,110" fill="{p.dark}"/>'
        f'<rect x="0" y="0" width="140" height="94" rx="8" fill="{p.main}" {_sw(p)}/>'
        '<rect x="10" y="10" width="120" height="72" rx="3" fill="#263238"/>'
        '<path d="M18 18 L60 18 L24 54 Z" fill="#ffffff" opacity="0.15"/>'
        '<circle cx="126" cy="88" r="2.5" fill="#e53935"/>'
    ), (0, 0, 140, 110)


def d_sofa(p: Paint) -> Drawn:
    return (
        '<rect x="22" y="84" width="10" height="16" fill="#4e342e"/>'
        '<rect x="168" y="84" width="10" height="16" fill="#4e342e"/>'
        f'<rect x="14" y="0" width="172" height="60" rx="14" fill="{p.dark}" {_sw(p)}/>'
        f'<rect x="24" y="48" width="152" height="36" rx="8" fill="{p.main}" {_sw(p)}/>'
        f'<rect x="0" y="30" width="34" height="58" rx="10" fill="{p.main}" {_sw(p)}/>'
        f'<rect x="166" y="30" width="34" height="58" rx="10" fill="{p.main}" {_sw(p)}/>'
        f'<path d="M100 8 L100 56" stroke="{p.out}" stroke-width="2"/>'
    ), (0, 0, 200, 100)


def d_phone(p: Paint) -> Drawn:
    return (
        f'<rect x="0" y="0" width="60" height="112" rx="10" fill="{p.main}" {_sw(p)}/>'
        '<rect x="5" y="12" width="50" height="84" rx="3" fill="#90caf9"/>'
        '<rect x="10" y="20" width="12" height="12" rx="3" fill="#fafafa"/>'
        '<rect x="26" y="20" width="12" height="12" rx="3" fill="#fff176"/>'
        f'<circle cx="30" cy="104" r="4" fill="{p.dark}"/>'
        f'<rect x="22" y="4" width="16" height="3" rx="1.5" fill="{p.dark}"/>'
    ), (0, 0, 60, 112)


def d_bicycle(p: Paint) -> Drawn:
    return (
        '<circle cx="36" cy="66" r="30" fill="none" stroke="#212121" stroke-width="9"/>'
        '<circle cx="144" cy="66" r="30" fill="none" stroke="#212121" stroke-width="9"/>'
        f'<path d="M36 66 L70 30 L124 30 L144 66 M70 30 L88 66 L124 30 M36 66 L88 66" '
        f'fill="none" stroke="{p.main}" stroke-width="8" stroke-linejoin="round"/>'
        '<rect x="58" y="16" width="26" height="8" rx="4" fill="#424242"/>'
        f'<path d="M118 30 L124 14 L138 14" fill="none" stroke="{p.dark}" stroke-width="6" '
        'stroke-linecap="round"/>'
    ), (1, 11, 179, 101)


def d_motorcycle(p: Paint) -> Drawn:
    wheel = (
        '<circle cx="{x}" cy="70" r="28" fill="#212121"/>'
        '<circle cx="{x}" cy="70" r="12" fill="#9e9e9e"/>'
    )
    return (
        wheel.format(x=36)
        + wheel.format(x=144)
        + '<path d="M36 70 L76 46 L120 46 L144 70" fill="none" stroke="#616161" stroke-width="6"/>'
        f'<path d="M50 40 L70 24 L128 24 L150 46 L118 60 L64 60 Z" fill="{p.main}" {_sw(p)}/>'
        '<rect x="66" y="14" width="40" height="12" rx="6" fill="#212121"/>'
        '<path d="M134 30 L146 8 L160 8" fill="none" stroke="#424242" stroke-width="5" '
        'stroke-linecap="round"/>'
        '<circle cx="156" cy="34" r="6" fill="#fff176"/>'
    ), (8, 5, 172, 98)


def d_airplane(p: Paint) -> Drawn:
    windows = "".join(
        f'<circle cx="{x}" cy="42" r="3" fill="#cfe8fc"/>' for x in range(60, 160, 15)
    )
    return (
        f'<polygon points="84,40 116,40 92,0 76,0" fill="{p.dark}"/>'
        f'<polygon points="4,40 26,40 14,12 2,12" fill="{p.dark}"/>'
        f'<ellipse cx="100" cy="46" rx="98" ry="16" fill="{p.main}" {_sw(p)}/>'
        f'<polygon points="84,52 116,52 92,92 76,92" fill="{p.dark}"/>'
        '<path d="M170 38 Q190 40 194 46 L170 46 Z" fill="#37474f"/>' + windows
    ), (2, 0, 198, 92)


def d_traffic_light(p: Paint) -> Drawn:
    return (
        '<rect x="20" y="104" width="12" height="36" fill="#616161"/>'
        f'<rect x="0" y="0" width="52" height="108" rx="10" fill="{p.main}" {_sw(p)}/>'
        '<circle cx="26" cy="22" r="12" fill="#e53935"/>'
        '<circle cx="26" cy="54" r="12" fill="#fdd835"/>'
        '<circle cx="26" cy="86" r="12" fill="#43a047"/>'
    ), (0, 0, 52, 140)


def d_wine_glass(p: Paint) -> Drawn:
    return (
        '<path d="M0 0 L64 0 Q64 58 32 58 Q0 58 0 0 Z" fill="#e3f2fd" stroke="#90a4ae" '
        'stroke-width="2"/>'
        f'<path d="M3 22 L61 22 Q60 55 32 55 Q4 55 3 22 Z" fill="{p.main}"/>'
        '<rect x="29" y="56" width="6" height="52" fill="#cfd8dc"/>'
        '<ellipse cx="32" cy="112" rx="26" ry="6" fill="#cfd8dc" stroke="#90a4ae" '
        'stroke-width="1.5"/>'
    ), (0, 0, 64, 118)


def d_person(p: Paint) -> Drawn:
    return (
        '<rect x="22" y="98" width="15" height="62" rx="4" fill="#283593"/>'
        '<rect x="43" y="98" width="15" height="62" rx="4" fill="#283593"/>'
        f'<rect x="6" y="44" width="12" height="52" rx="6" fill="{SKIN}"/>'
        f'<rect x="62" y="44" width="12" height="52" rx="6" fill="{SKIN}"/>'
        f'<rect x="16" y="40" width="48" height="62" rx="10" fill="{p.main}" {_sw(p)}/>'
        f'<circle cx="40" cy="22" r="18" fill="{SKIN}"/>'
        '<path d="M22 18 Q40 -2 58 18 Q50 10 40 12 Q30 10 22 18 Z" fill="#4e342e"/>'
        '<circle cx="34" cy="22" r="2" fill="#111111"/>'
        '<circle cx="46" cy="22" r="2" fill="#111111"/>'
        '<path d="M34 30 Q40 34 46 30" fill="none" stroke="#6d4c41" stroke-width="2"/>'
    ), (6, 4, 74, 160)


def d_horse(p: Paint) -> Drawn:
    legs = "".join(
        f'<rect x="{x}" y="78" width="11" height="52" fill="{p.dark}"/>' for x in (44, 62, 118, 136)
    )
    return (
        f'<polygon points="32,50 6,92 16,94 38,60" fill="{p.dark}"/>'
        + legs
        + f'<ellipse cx="92" cy="62" rx="60" ry="28" fill="{p.main}" {_sw(p)}/>'
        f'<polygon points="132,54 150,12 168,16 156,64" fill="{p.main}" {_sw(p)}/>'
        f'<ellipse cx="170" cy="22" rx="16" ry="11" fill="{p.main}" {_sw(p)} '
        'transform="rotate(20 170 22)"/>'
        '<path d="M148 14 L134 50 L140 52 L152 16 Z" fill="#3e2723"/>'
        '<circle cx="172" cy="18" r="2" fill="#111111"/>'
    ), (6, 8, 187, 130)


def d_mouse(p: Paint) -> Drawn:
    return (
        f'<path d="M14 40 Q4 48 2 36" fill="none" stroke="{p.dark}" stroke-width="3"/>'
        f'<ellipse cx="42" cy="34" rx="30" ry="18" fill="{p.main}" {_sw(p)}/>'
        f'<circle cx="62" cy="16" r="10" fill="{p.light}" {_sw(p)}/>'
        f'<polygon points="66,28 84,36 66,42" fill="{p.main}"/>'
        '<circle cx="82" cy="36" r="3" fill="#ec407a"/>'
        '<circle cx="68" cy="32" r="2" fill="#111111"/>'
    ), (0, 5, 85, 53)


def d_umbrella(p: Paint) -> Drawn:
    return (
        '<rect x="68" y="56" width="5" height="62" fill="#5d4037"/>'
        '<path d="M70 116 Q70 130 58 128 Q50 126 52 118" fill="none" stroke="#5d4037" '
        'stroke-width="5" stroke-linecap="round"/>'
        f'<path d="M0 60 A70 58 0 0 1 140 60 Q122 50 105 60 Q88 50 70 60 Q52 50 35 60 '
        f'Q18 50 0 60 Z" fill="{p.main}" {_sw(p)}/>'
        f'<path d="M70 2 Q50 30 35 57 M70 2 Q90 30 105 57" fill="none" stroke="{p.dark}" '
        'stroke-width="3"/>'
    ), (0, 2, 140, 131)


def d_bottle(p: Paint) -> Drawn:
    return (
        '<rect x="14" y="0" width="16" height="10" rx="2" fill="#424242"/>'
        f'<path d="M16 10 L28 10 L28 30 Q44 40 44 56 L44 124 Q44 130 38 130 L6 130 Q0 130 0 124 '
        f'L0 56 Q0 40 16 30 Z" fill="{p.main}" {_sw(p)}/>'
        f'<rect x="4" y="66" width="36" height="30" fill="{p.light}"/>'
        '<rect x="8" y="40" width="5" height="70" rx="2.5" fill="#ffffff" opacity="0.4"/>'
    ), (0, 0, 44, 130)


def d_bag(p: Paint) -> Drawn:
    return (
        f'<path d="M30 40 Q30 0 60 0 Q90 0 90 40" fill="none" stroke="{p.dark}" stroke-width="8"/>'
        f'<rect x="0" y="36" width="120" height="84" rx="10" fill="{p.main}" {_sw(p)}/>'
        f'<rect x="1" y="56" width="118" height="10" fill="{p.dark}"/>'
        '<rect x="52" y="52" width="16" height="18" rx="3" fill="#ffd54f"/>'
    ), (0, 0, 120, 120)


def d_vase(p: Paint) -> Drawn:
    return (
        f'<path d="M22 0 L58 0 L54 16 Q80 40 76 78 Q72 110 40 112 Q8 110 4 78 Q0 40 26 16 Z" '
        f'fill="{p.main}" {_sw(p)}/>'
        f'<path d="M10 60 Q40 72 70 60 L72 70 Q40 82 8 70 Z" fill="{p.dark}"/>'
        f'<ellipse cx="40" cy="2" rx="16" ry="2" fill="{p.dark}"/>'
    ), (4, 0, 76, 112)


# shapes with inner details that stay inside the silhouette
def _shape_geom(shape: str, aspect: float) -> tuple[float, float]:
    if shape in ("circle", "square"):
        return 100.0, 100.0
    if shape == "triangle":
        return 100.0, 88.0
    return (100.0 * aspect, 100.0) if aspect >= 1 else (100.0, 100.0 / aspect)


def d_shaped(p: Paint, shape: str = "circle", aspect: float = 1.0, detail: str = "plain") -> Drawn:
    w, h = _shape_geom(shape, aspect)
    if shape in ("circle", "ellipse"):
        cx, cy, rr = w / 2, h / 2, 0.3 * min(w, h)
        outer = (
            f'<ellipse cx="{fmt(cx)}" cy="{fmt(cy)}" rx="{fmt(w / 2)}" ry="{fmt(h / 2)}" '
            f'fill="{p.main}" {_sw(p, 3)}/>'
        )
        inner = (
            f'<ellipse cx="{fmt(cx)}" cy="{fmt(cy)}" rx="{fmt(0.4 * w)}" ry="{fmt(0.4 * h)}" '
            f'fill="{p.light}"/>'
        )
    elif shape in ("square", "rect"):
        cx, cy, rr = w / 2, h / 2, 0.3 * min(w, h)
        m = 0.1 * min(w, h)
        outer = (f'<rect x="0" y="0" width="{fmt(w)}" height="{fmt(h)}" fill="{p.main}" '
                 f'{_sw(p, 3)}/>')
        inner = (
            f'<rect x="{fmt(m)}" y="{fmt(m)}" width="{fmt(w - 2 * m)}" height="{fmt(h - 2 * m)}" '
            f'fill="{p.light}"/>'
        )
    else:  # triangle (0,h) (50,0) (100,h)
        side = math.hypot(50, h)
        r_in = (w * h / 2) / ((w + 2 * side) / 2)
        cx, cy, rr = 50.0, h - r_in, 0.55 * r_in
        pts = [(0.0, h), (50.0, 0.0), (100.0, h)]
        outer = (
            '<polygon points="' + " ".join(f"{fmt(x)},{fmt(y)}" for x, y in pts) + f'" '
            f'fill="{p.main}" {_sw(p, 3)} stroke-linejoin="round"/>'
        )
        ipts = [(cx + 0.7 * (x - cx), cy + 0.7 * (y - cy)) for x, y in pts]
        inner = (
            '<polygon points="' + " ".join(f"{fmt(x)},{fmt(y)}" for x, y in ipts) + f'" '
            f'fill="{p.light}"/>'
        )
    det = ""
    if detail == "clock":
        det = (
            "".join(
                f'<circle cx="{fmt(cx + rr * 1.1 * math.cos(a))}" '
                f'cy="{fmt(cy + rr * 1.1 * math.sin(a))}" '
                f'r="{fmt(rr * 0.08)}" fill="{p.dark}"/>'
                for a in (k * math.pi / 2 for k in range(4))
            )
            + f'<path d="M{fmt(cx)} {fmt(cy)} L{fmt(cx)} {fmt(cy - rr * 0.85)} '
            f'M{fmt(cx)} {fmt(cy)} '
            f'L{fmt(cx + rr * 0.6)} {fmt(cy)}" stroke="#212121" stroke-width="{fmt(rr * 0.08)}" '
            'stroke-linecap="round"/>'
            f'<circle cx="{fmt(cx)}" cy="{fmt(cy)}" r="{fmt(rr * 0.1)}" fill="#212121"/>'
        )
    elif detail == "sign":
        det = (
            f'<rect x="{fmt(cx - rr * 0.12)}" y="{fmt(cy - rr * 0.8)}" width="{fmt(rr * 0.24)}" '
            f'height="{fmt(rr * 1.1)}" fill="#212121"/>'
            f'<circle cx="{fmt(cx)}" cy="{fmt(cy + rr * 0.6)}" r="{fmt(rr * 0.15)}" '
            'fill="#212121"/>'
        )
    elif detail == "highlight":
        det = (
            f'<ellipse cx="{fmt(cx - rr * 0.4)}" cy="{fmt(cy - rr * 0.3)}" rx="{fmt(rr * 0.2)}" '
            f'ry="{fmt(rr * 0.5)}" fill="#ffffff" opacity="0.6" '
            f'transform="rotate(25 {fmt(cx - rr * 0.4)} {fmt(cy - rr * 0.3)})"/>'
        )
    elif detail == "stripes":
        det = "".join(
            f'<rect x="{fmt(cx - rr * 0.9)}" y="{fmt(cy + dy * rr)}" width="{fmt(rr * 1.8)}" '
            f'height="{fmt(rr * 0.14)}" fill="{p.dark}"/>'
            for dy in (-0.6, -0.07, 0.46)
        )
    elif detail == "chips":
        det = "".join(
            f'<circle cx="{fmt(cx + dx * rr)}" cy="{fmt(cy + dy * rr)}" r="{fmt(rr * 0.14)}" '
            'fill="#4e342e"/>'
            for dx, dy in ((-0.5, -0.3), (0.4, -0.5), (0.1, 0.2), (-0.3, 0.6), (0.6, 0.4))
        )
    elif detail == "tape":
        det = (
            f'<rect x="{fmt(cx - rr * 0.15)}" y="{fmt(cy - rr)}" width="{fmt(rr * 0.3)}" '
            f'height="{fmt(rr * 2)}" fill="{p.dark}"/>'
        )
    elif detail == "holes":
        det = "".join(
            f'<circle cx="{fmt(cx + dx * rr)}" cy="{fmt(cy + dy * rr)}" r="{fmt(rr * 0.16)}" '
            f'fill="{p.dark}"/>'
            for dx, dy in ((-0.35, -0.35), (0.35, -0.35), (-0.35, 0.35), (0.35, 0.35))
        )
    return outer + inner + det, (0.0, 0.0, w, h)


def d_sun(p: Paint) -> Drawn:
    rays = "".join(
        f'<path d="M{fmt(50 + 38 * math.cos(a))} {fmt(50 + 38 * math.sin(a))} '
        f'L{fmt(50 + 50 * math.cos(a))} {fmt(50 + 50 * math.sin(a))}" stroke="#ffb300" '
        'stroke-width="5" stroke-linecap="round"/>'
        for a in (k * math.pi / 4 for k in range(8))
    )
    return rays + '<circle cx="50" cy="50" r="30" fill="#ffd54f"/>', (0, 0, 100, 100)


def d_cloud(p: Paint) -> Drawn:
    return (
        '<ellipse cx="40" cy="34" rx="40" ry="16" fill="#ffffff"/>'
        '<circle cx="30" cy="24" r="16" fill="#ffffff"/>'
        '<circle cx="52" cy="20" r="18" fill="#ffffff"/>'
    ), (0, 2, 80, 50)


DRAWERS: dict[str, Callable[..., Drawn]] = {
    "apple": d_apple, "ball": d_ball, "bowl": d_bowl, "cup": d_cup, "car": d_car,
    "house": d_house, "tree": d_tree, "cat": d_cat, "dog": d_dog, "bird": d_bird, "box": d_box,
    "book": d_book, "lamp": d_lamp, "table": d_table, "chair": d_chair, "flower": d_flower,
    "tv": d_tv, "sofa": d_sofa, "phone": d_phone, "bicycle": d_bicycle,
    "motorcycle": d_motorcycle, "airplane": d_airplane, "traffic_light": d_traffic_light,
    "wine_glass": d_wine_glass, "person": d_person, "horse": d_horse, "mouse": d_mouse,
    "umbrella": d_umbrella, "bottle": d_bottle, "bag": d_bag, "vase": d_vase,
    "shaped": d_shaped, "sun": d_sun, "cloud": d_cloud,
}
# rough fraction of the silhouette bbox that is painted, for sizing
FILL = {
    "apple": 0.68, "ball": 0.78, "bowl": 0.6, "cup": 0.6, "car": 0.65, "house": 0.72,
    "tree": 0.6, "cat": 0.5, "dog": 0.45, "bird": 0.5, "box": 1.0, "book": 1.0, "lamp": 0.45,
    "table": 0.4, "chair": 0.55, "flower": 0.42, "tv": 0.9, "sofa": 0.85, "phone": 1.0,
    "bicycle": 0.33, "motorcycle": 0.45, "airplane": 0.4, "traffic_light": 0.85,
    "wine_glass": 0.45, "person": 0.5, "horse": 0.42, "mouse": 0.5, "umbrella": 0.5,
    "bottle": 0.9, "bag": 0.8, "vase": 0.7, "shaped": 0.75, "sun": 0.5, "cloud": 0.7,
}


# ---------------------------------------------------------------------------------------------
# Documents
@dataclass
class Part:
    key: str
    svg: str
    intent: str  # scenery | visible | hidden | any
    bbox: tuple[float, float, float, float] | None = None  # intended silhouette, user units
    checkbox: bool = True  # compare the rendered silhouette with bbox


@dataclass
class Doc:
    rng: random.Random
    cv: Canvas
    defs: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    title: str = ""
    n: int = 0
    ids: set[str] = field(default_factory=set)

    def uid(self, stem: str) -> str:
        self.n += 1
        return f"{stem}{self.n}"

    @property
    def W(self) -> float:
        return self.cv.w

    @property
    def H(self) -> float:
        return self.cv.h

    def add(self, svg: str, intent: str = "scenery", bbox=None, key: str | None = None,
            checkbox: bool = True) -> str:
        key = key or f"p{len(self.parts)}"
        self.parts.append(Part(key, svg, intent, bbox, checkbox))
        return key

    def svg(self, exclude: set[str] | frozenset[str] = frozenset(),
            only: set[str] | None = None) -> str:
        body = "".join(
            p.svg for p in self.parts
            if p.key not in exclude and (only is None or p.key in only)
        )
        head = f'<svg xmlns="http://www.w3.org/2000/svg" {self.cv.header}>'
        title = f"<title>{self.title}</title>" if self.title and only is None else ""
        defs = f"<defs>{''.join(self.defs)}</defs>" if self.defs else ""
        return head + title + defs + body + "</svg>"

    # -- paint ---------------------------------------------------------------------------------
    def paint(self, color: str, grad: bool = False, outline: str | None = None) -> Paint:
        base, dark, light = PALETTE[color]
        out = outline or (dark if color not in ("black", "white") else "#424242")
        if color == "white":
            out = "#9e9e9e"
        main = base
        if grad:
            gid = self.uid("grad")
            if self.rng.random() < 0.5:
                self.defs.append(
                    f'<linearGradient id="{gid}" x1="0" y1="0" x2="0" y2="1">'
                    f'<stop offset="0" stop-color="{light}"/>'
                    f'<stop offset="0.55" stop-color="{base}"/>'
                    f'<stop offset="1" stop-color="{dark}"/></linearGradient>'
                )
            else:
                self.defs.append(
                    f'<radialGradient id="{gid}" cx="0.35" cy="0.35" r="0.75">'
                    f'<stop offset="0" stop-color="{light}"/>'
                    f'<stop offset="0.6" stop-color="{base}"/>'
                    f'<stop offset="1" stop-color="{dark}"/></radialGradient>'
                )
            main = f"url(#{gid})"
        return Paint(color, main, dark, light, out)

    # -- annotations -----------------------------------------------------------------------------
    def annot(self, noun: str, idx: int | None = None, style: str | None = None) -> str:
        rng = self.rng
        style = style or rng.choice(["id", "id", "id", "class", "data"])
        if style == "data":
            return f'data-object="{noun}"'
        slug = noun.replace(" ", rng.choice(["-", "_"]))
        if style == "class":
            name = slug if idx is None else f"{slug}-{idx}"
            return f'class="obj {name}"' if rng.random() < 0.6 else f'class="{name}"'
        name = slug if idx is None else f"{slug}-{idx}"
        k = 2
        while name in self.ids:
            name = f"{slug}-{k}"
            k += 1
        self.ids.add(name)
        return f'id="{name}"'

    # -- objects -------------------------------------------------------------------------------
    def local_size(self, kind: str, **kw) -> tuple[float, float]:
        _, (x0, y0, x1, y1) = DRAWERS[kind](Paint("red", "#000", "#000", "#000", "#000"), **kw)
        return x1 - x0, y1 - y0

    def width_for(self, kind: str, area: float = 0.05, **kw) -> float:
        lw, lh = self.local_size(kind, **kw)
        fill = FILL[kind]
        return math.sqrt(area * self.W * self.H * (lw / lh) / fill)

    def height_of(self, kind: str, w: float, **kw) -> float:
        lw, lh = self.local_size(kind, **kw)
        return w * lh / lw

    def place(self, kind: str, color: str, x: float, y: float, w: float | None = None,
              h: float | None = None, *, noun: str | None = None, ann: str | None = None,
              idx: int | None = None, intent: str = "visible", gattrs: str = "",
              grad: bool = False, pre: str = "", post: str = "", pad: str = "",
              outline: str | None = None, wrap: int | None = None, key: str | None = None,
              extra: str = "", checkbox: bool = True,
              **kw) -> tuple[str, tuple[float, float, float, float]]:
        """Draw ``kind`` with its silhouette box at (x, y) of width w (or height h; both given
        = non-uniform scale). ``pre``/``post``: canvas-coordinate markup inside the object's
        group; ``pad``: local-coordinate markup (e.g. invisible padding)."""
        p = self.paint(color, grad=grad, outline=outline)
        inner, (lx0, ly0, lx1, ly1) = DRAWERS[kind](p, **kw)
        lw, lh = lx1 - lx0, ly1 - ly0
        if w is not None and h is not None:
            sx, sy = w / lw, h / lh
        elif w is not None:
            sx = sy = w / lw
        else:
            assert h is not None
            sx = sy = h / lh
        tx, ty = x - sx * lx0, y - sy * ly0
        bbox = (x, y, x + sx * lw, y + sy * lh)
        if ann is None:
            ann = self.annot(noun or kind.replace("_", " "), idx)
        ga = f" {gattrs}" if gattrs else ""
        scale = fmt(sx) if abs(sx - sy) < 1e-9 else f"{fmt(sx)} {fmt(sy)}"
        body = pad + inner + extra
        style = self.rng.randrange(4) if wrap is None else wrap
        if pre or post or "transform" in gattrs:
            style = 1
        if style == 0:
            svg = (f'<g {ann}{ga} transform="translate({fmt(tx)} {fmt(ty)}) scale({scale})">'
                   f"{body}</g>")
        elif style == 1:
            svg = (f'<g {ann}{ga}>{pre}<g transform="translate({fmt(tx)},{fmt(ty)})">'
                   f'<g transform="scale({scale})">{body}</g></g>{post}</g>')
        elif style == 2 and abs(sx - sy) < 1e-9:
            svg = (f'<g {ann}{ga} transform="matrix({fmt(sx)} 0 0 {fmt(sy)} {fmt(tx)} {fmt(ty)})">'
                   f"{body}</g>")
        else:
            svg = (f'<g transform="translate({fmt(tx)} {fmt(ty)})"><g {ann}{ga} '
                   f'transform="scale({scale})">{body}</g></g>')
        if self.rng.random() < 0.25:
            svg = f"<!-- {(noun or kind).replace('_', ' ')} -->" + svg
        k = self.add(svg, intent, bbox, key, checkbox)
        return k, bbox

    def place_c(self, kind: str, color: str, cx: float, cy: float, w: float, **kw):
        """Place by centre."""
        h = self.height_of(kind, w, **{k: v for k, v in kw.items() if k in ("shape", "aspect")})
        return self.place(kind, color, cx - w / 2, cy - h / 2, w, **kw)

    # -- scenery -------------------------------------------------------------------------------
    def scenery(self, style: str | None = None, annotate: bool | None = None) -> None:
        rng, W, H = self.rng, self.W, self.H
        style = style or rng.choice(["none", "plain", "plain", "sky", "sky", "room", "grass"])
        annotate = rng.random() < 0.3 if annotate is None else annotate

        def ann(noun: str) -> str:
            return f' id="{noun}"' if annotate else ""

        if style == "plain":
            c = rng.choice(["#f5f5f5", "#fffde7", "#eceff1", "#fafafa", "#fff8e1"])
            self.add(f'<rect x="0" y="0" width="{fmt(W)}" height="{fmt(H)}" fill="{c}"/>')
        elif style == "sky":
            gid = self.uid("skyGradient")
            self.defs.append(
                f'<linearGradient id="{gid}" x1="0" y1="0" x2="0" y2="1">'
                '<stop offset="0" stop-color="#81d4fa"/><stop offset="1" stop-color="#e1f5fe"/>'
                "</linearGradient>"
            )
            self.add(f'<rect{ann("sky")} x="0" y="0" width="{fmt(W)}" height="{fmt(H)}" '
                     f'fill="url(#{gid})"/>')
            gc = rng.choice(["#9ccc65", "#c5e1a5", "#d7ccc8"])
            self.add(f'<rect{ann("ground")} x="0" y="{fmt(0.8 * H)}" width="{fmt(W)}" '
                     f'height="{fmt(0.2 * H)}" fill="{gc}"/>')
            s = 0.1 * min(W, H)
            sun = d_sun(self.paint("yellow"))[0]
            self.add(f'<g{ann("sun")} transform="translate({fmt(W - 1.3 * s)} {fmt(0.2 * s)}) '
                     f'scale({fmt(s / 100)})">{sun}</g>')
            cloud = d_cloud(self.paint("white"))[0]
            cs = 0.16 * W / 80
            cl = ' class="cloud"' if annotate else ""
            self.add(f'<g{cl} opacity="0.9" transform="translate({fmt(0.06 * W)} {fmt(0.04 * H)}) '
                     f'scale({fmt(cs)})">{cloud}</g>')
        elif style == "room":
            self.add(f'<rect x="0" y="0" width="{fmt(W)}" height="{fmt(H)}" fill="#efebe9"/>'
                     f'<rect{ann("floor")} x="0" y="{fmt(0.75 * H)}" width="{fmt(W)}" '
                     f'height="{fmt(0.25 * H)}" fill="#d7ccc8"/>'
                     f'<path d="M0 {fmt(0.75 * H)} L{fmt(W)} {fmt(0.75 * H)}" stroke="#a1887f" '
                     f'stroke-width="{fmt(0.006 * W)}"/>')
        elif style == "grass":
            self.add(f'<rect x="0" y="0" width="{fmt(W)}" height="{fmt(H)}" fill="#e1f5fe"/>')
            blades = []
            n = 24
            for i in range(n):
                x = W * i / n
                blades.append(f"M{fmt(x)} {fmt(H)} L{fmt(x + W / n / 2)} {fmt(H * 0.88)} "
                              f"L{fmt(x + W / n)} {fmt(H)} Z")
            self.add(f'<path{ann("grass")} d="{" ".join(blades)}" fill="#66bb6a"/>')
        if style != "none" and rng.random() < 0.3:
            self.add("<!-- objects -->")

    # -- hacks ---------------------------------------------------------------------------------
    def text_obj(self, noun: str, x: float, y: float, color: str = "#212121",
                 ann: str | None = None) -> str:
        ann = ann or f'id="{noun.replace(" ", "-")}"'
        fs = 0.06 * self.H
        return self.add(
            f'<text {ann} x="{fmt(x)}" y="{fmt(y)}" font-family="sans-serif" font-size="{fmt(fs)}" '
            f'fill="{color}">{noun}</text>', "any")

    def cover(self, bbox, color: str = "#795548", margin: float = 0.02) -> str:
        m = margin * max(self.W, self.H)
        x0, y0, x1, y1 = bbox
        return self.add(
            f'<rect x="{fmt(x0 - m)}" y="{fmt(y0 - m)}" width="{fmt(x1 - x0 + 2 * m)}" '
            f'height="{fmt(y1 - y0 + 2 * m)}" fill="{color}" stroke="#4e342e" stroke-width="1"/>')


# ---------------------------------------------------------------------------------------------
# Geometry sanity checks (renders only; labels never come from here)
class CheckError(AssertionError):
    pass


def check_case(case: dict, doc: Doc | None, geo: list[tuple]) -> list[str]:
    """Assert the case's construction; returns the measured quantities (for --verbose)."""
    import numpy as np

    import svgkit

    svg = case.get("svg") or svgkit.extract_svg(case["completion"])
    svgkit.parse(svg)
    img = svgkit.render(svg, 128, 128)
    assert img.shape[:2] == (128, 128)
    measured: list[str] = []
    if doc is None:
        return measured
    assert svg == doc.svg(), case["id"]
    rw, rh = doc.cv.render_size()
    npx = rw * rh
    sx = rw / doc.W

    def render(s: str):
        # straight RGBA -> composite over white, keep alpha as a fourth channel
        a = svgkit.render(s, rw, rh).astype(np.float64)
        al = a[..., 3:4] / 255.0
        rgb = a[..., :3] * al + 255.0 * (1 - al)
        return np.concatenate([rgb, a[..., 3:4]], axis=2).round().astype(np.int16)

    full = render(svg)
    vis_cache: dict[str, object] = {}
    paint_cache: dict[str, object] = {}

    def vis(key: str):
        if key not in vis_cache:
            other = render(doc.svg(exclude={key}))
            vis_cache[key] = np.abs(full - other).max(axis=2) > 24
        return vis_cache[key]

    def painted(key: str):
        if key not in paint_cache:
            paint_cache[key] = render(doc.svg(only={key}))[..., 3] > 60
        return paint_cache[key]

    def extent(mask, axis: int) -> tuple[float, float]:
        idx = np.nonzero(mask.any(axis=axis))[0]
        return float(idx[0]), float(idx[-1] + 1)

    def centroid(mask) -> tuple[float, float]:
        ys, xs = np.nonzero(mask)
        return float(xs.mean()), float(ys.mean())

    cid = case["id"]
    for part in doc.parts:
        if part.intent == "visible":
            f = vis(part.key).sum() / npx
            if f < 0.02:
                raise CheckError(f"{cid}: {part.key} meant visible covers only {f:.4f}")
            if part.bbox is not None and part.checkbox:
                m = painted(part.key)
                x0, x1 = extent(m, 0)
                y0, y1 = extent(m, 1)
                got = (x0 / sx, y0 / sx, x1 / sx, y1 / sx)
                tol = 0.025 * max(doc.W, doc.H) + 2 / sx
                if max(abs(a - b) for a, b in zip(got, part.bbox)) > tol:
                    raise CheckError(f"{cid}: {part.key} bbox {got} != intended {part.bbox}")
        elif part.intent == "hidden":
            f = vis(part.key).sum() / npx
            if f >= 0.003:
                raise CheckError(f"{cid}: {part.key} meant hidden changes {f:.4f} of the canvas")
    for g in geo:
        kind = g[0]
        if kind in ("hmin", "vmin"):
            _, ka, kb, lo = g
            axis = 0 if kind == "hmin" else 1
            a0, a1 = extent(vis(ka), axis)
            b0, b1 = extent(vis(kb), axis)
            ov = max(0.0, min(a1, b1) - max(a0, b0)) / min(a1 - a0, b1 - b0)
            measured.append(f"{kind} {ov:.3f}")
            if ov < lo:
                raise CheckError(f"{cid}: {kind} overlap {ov:.3f} < {lo}")
        elif kind in ("h", "v"):
            _, ka, kb, r = g
            ma, mb = vis(ka), vis(kb)
            axis = 0 if kind == "h" else 1
            a0, a1 = extent(ma, axis)
            b0, b1 = extent(mb, axis)
            ov = max(0.0, min(a1, b1) - max(a0, b0)) / min(a1 - a0, b1 - b0)
            ca, cb = centroid(ma)[axis], centroid(mb)[axis]
            measured.append(f"{kind}-overlap {ov:.3f} (intended {r})")
            ok = ov <= 0.05 if r <= 0 else abs(ov - r) <= 0.07
            if not ok or (r < 0.9 and not ca < cb):
                raise CheckError(f"{cid}: {kind}-overlap {ov:.3f} (intended {r}), "
                                 f"centroids {ca:.1f} {cb:.1f}")
        elif kind == "overlap":
            _, ka, kb, lo = g
            pa, pb = painted(ka), painted(kb)
            fr = (pa & pb).sum() / min(pa.sum(), pb.sum())
            measured.append(f"paint overlap {fr:.3f}")
            if fr < lo:
                raise CheckError(f"{cid}: paint overlap {fr:.3f} < {lo}")
        elif kind == "apart":
            _, ka, kb = g
            pa, pb = painted(ka), painted(kb)
            if (pa & pb).sum() > 0.001 * npx:
                raise CheckError(f"{cid}: objects meant apart overlap")
        elif kind == "hidden_frac":
            _, ka, f = g
            hf = 1 - vis(ka).sum() / painted(ka).sum()
            measured.append(f"hidden {hf:.3f} (intended {f})")
            if abs(hf - f) > 0.08:
                raise CheckError(f"{cid}: hidden fraction {hf:.3f} != intended {f}")
        else:
            raise ValueError(kind)
    return measured


# ---------------------------------------------------------------------------------------------
# Prompt helpers
PLURALS = {"box": "boxes", "mouse": "mice", "wine glass": "wine glasses", "person": "people",
           "couch": "couches", "bus": "buses", "sports ball": "sports balls"}
KIND_OF = {"sofa": "sofa", "couch": "sofa", "television": "tv", "tv": "tv", "bike": "bicycle",
           "bicycle": "bicycle", "motorbike": "motorcycle", "motorcycle": "motorcycle",
           "aeroplane": "airplane", "airplane": "airplane", "plane": "airplane",
           "cell phone": "phone", "mobile phone": "phone", "phone": "phone",
           "sports ball": "ball", "ball": "ball", "wine glass": "wine_glass",
           "traffic light": "traffic_light", "man": "person", "woman": "person", "girl": "person",
           "boy": "person", "teacher": "person", "student": "person"}


def kind_of(noun: str) -> str:
    return KIND_OF.get(noun, noun)


def art(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def plural(noun: str, n: int = 2) -> str:
    if n == 1:
        return noun
    return PLURALS.get(noun, noun + "s")


def count_phrase(noun: str, n: int) -> str:
    return art(noun) if n == 1 else f"{NUMBER_WORDS[n]} {plural(noun)}"


MAJOR = {"color": "binding", "shape": "binding", "texture": "binding", "2d_spatial": "relation",
         "3d_spatial": "relation", "implicit": "relation", "numeracy": "numeracy"}
SHORT = {"satisfied": "sat", "violated": "viol", "near_miss": "near", "unverifiable": "unv",
         "hack": "hack"}
SHAPE_GEOM = {"round": ("circle", 1.0), "circular": ("circle", 1.0), "oval": ("ellipse", 1.6),
              "square": ("square", 1.0), "rectangular": ("rect", 1.9),
              "triangular": ("triangle", 1.0)}
SHAPE_DETAIL = {"clock": "clock", "plate": "plain", "sign": "sign", "mirror": "highlight",
                "rug": "stripes", "cookie": "chips", "box": "tape", "button": "holes",
                "tile": "plain", "door": "plain", "egg": "plain", "window": "stripes"}
SHAPE_COLOR = {"clock": "yellow", "plate": "white", "sign": "yellow", "mirror": "blue",
               "rug": "red", "cookie": "brown", "box": "brown", "button": "pink",
               "tile": "blue", "door": "brown", "egg": "orange", "window": "blue"}


class Builder:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.cases: list[dict] = []
        self.docs: list[Doc | None] = []
        self.geos: list[list[tuple]] = []
        self.ids: Counter[tuple[str, str]] = Counter()
        self.sgp_ids: Counter[str] = Counter()

    # -- records ---------------------------------------------------------------------------------
    def doc(self, canvas: Canvas | None = None, scenery: str | None = None,
            annotate: bool | None = None, title: str = "") -> Doc:
        d = Doc(self.rng, canvas or self.rng.choice(CANVASES))
        if title and self.rng.random() < 0.3:
            d.title = title
        d.scenery(scenery, annotate)
        return d

    def sgp(self, minor: str, prompt: str, metadata: dict) -> dict:
        major = MAJOR[minor]
        mname = "basic" if minor == "numeracy" else minor
        self.sgp_ids[mname] += 1
        return {"id": f"{major}_{mname}_{self.sgp_ids[mname]:04d}", "prompt": prompt,
                "gen_type": "text2svg", "major_type": major, "minor_type": mname,
                "metadata": metadata}

    def add(self, category: str, kind: str, expected: bool | None, spec: dict, d: Doc, note: str,
            geo: list[tuple] | tuple = (), wrap: int | None = None) -> dict:
        self.ids[(category, kind)] += 1
        cid = f"{category}-{SHORT[kind]}-{self.ids[(category, kind)]:03d}"
        if not d.title and self.rng.random() < 0.15:
            d.title = spec.get("prompt", "")
        svg = d.svg()
        case: dict = {"id": cid, "category": category, "kind": kind, "expected": expected,
                      "spec": spec}
        if wrap is None:
            case["svg"] = svg
        else:
            case["completion"] = wrap_completion(svg, spec.get("prompt", "the scene"), wrap)
            note += " [svg wrapped as raw model output in `completion`]"
        case["note"] = note
        self.cases.append(case)
        self.docs.append(d)
        self.geos.append(list(geo))
        return case

    # -- layouts ---------------------------------------------------------------------------------
    def row(self, d: Doc, items: list[dict], area: float = 0.05, band: float = 0.5,
            gap: float = 0.06) -> list[tuple[str, tuple]]:
        """Objects side by side (left to right, non-overlapping), vertically centred on band*H."""
        rng = self.rng
        scale = 1.0
        while True:
            ws = [d.width_for(it["kind"], area, **_shape_kw(it)) * scale for it in items]
            hs = [d.height_of(it["kind"], w, **_shape_kw(it)) for it, w in zip(items, ws)]
            g = gap * d.W
            if sum(ws) + g * (len(ws) - 1) <= 0.9 * d.W and max(hs) <= 0.8 * d.H:
                break
            scale *= 0.93
        slack = 0.9 * d.W - (sum(ws) + g * (len(ws) - 1))
        x = 0.05 * d.W + rng.uniform(0, slack)
        out = []
        for it, w, h in zip(items, ws, hs):
            cy = band * d.H + rng.uniform(-0.05, 0.05) * d.H
            y = min(max(cy - h / 2, 0.04 * d.H), 0.96 * d.H - h)
            out.append(self.put(d, it, x, y, w))
            x += w + g
        return out

    def put(self, d: Doc, it: dict, x: float, y: float, w: float | None = None,
            h: float | None = None) -> tuple[str, tuple]:
        kw = {k: v for k, v in it.items() if k not in ("kind", "color")}
        return d.place(it["kind"], it.get("color", "gray"), x, y, w, h, **kw)

    def pair(self, d: Doc, A: dict, B: dict, axis: str, r: float, area: float = 0.05,
             jitter: float = 0.03, a_first: bool | None = None) -> tuple[str, str, tuple, tuple]:
        """A first along ``axis`` ('h': A left of B, 'v': A above B); ``r`` = overlap of the
        extents on that axis as a fraction of the narrower one (negative: gap). With r > 0
        the two are separated on the other axis so that nothing occludes anything."""
        rng = self.rng
        W, H = d.W, d.H
        L, M = (W, H) if axis == "h" else (H, W)
        scale = 1.0
        for _ in range(200):
            wa = d.width_for(A["kind"], area, **_shape_kw(A)) * scale
            wb = d.width_for(B["kind"], area, **_shape_kw(B)) * scale
            ha = d.height_of(A["kind"], wa, **_shape_kw(A))
            hb = d.height_of(B["kind"], wb, **_shape_kw(B))
            ea, eb, fa, fb = (wa, wb, ha, hb) if axis == "h" else (ha, hb, wa, wb)
            nar = min(ea, eb)
            total = ea + eb - r * nar
            other = fa + fb + 0.05 * M if r > 0 else max(fa, fb)
            if total <= 0.9 * L and other <= 0.88 * M:
                break
            scale *= 0.95
        else:
            raise RuntimeError("layout does not fit")
        a0 = 0.05 * L + rng.uniform(0, 0.9 * L - total)
        b0 = a0 + ea - r * nar
        if r > 0:
            first_a = rng.random() < 0.5
            s0 = 0.06 * M + rng.uniform(0, 0.88 * M - other)
            if first_a:
                oa, ob = s0, s0 + fa + 0.05 * M
            else:
                ob, oa = s0, s0 + fb + 0.05 * M
        else:
            c = M * (0.5 + rng.uniform(-jitter, jitter))
            oa = min(max(c - fa / 2 + rng.uniform(-jitter, jitter) * M, 0.04 * M), 0.96 * M - fa)
            ob = min(max(c - fb / 2 + rng.uniform(-jitter, jitter) * M, 0.04 * M), 0.96 * M - fb)
        pa = (a0, oa) if axis == "h" else (oa, a0)
        pb = (b0, ob) if axis == "h" else (ob, b0)
        if (rng.random() < 0.5) if a_first is None else a_first:
            ka, ba = self.put(d, A, pa[0], pa[1], wa)
            kb, bb = self.put(d, B, pb[0], pb[1], wb)
        else:
            kb, bb = self.put(d, B, pb[0], pb[1], wb)
            ka, ba = self.put(d, A, pa[0], pa[1], wa)
        return ka, kb, ba, bb

    def overlap_pair(self, d: Doc, A: dict, B: dict, frac: float, a_first: bool,
                     area: float = 0.06) -> tuple[str, str]:
        """A and B side by side, their boxes overlapping horizontally by ``frac`` of the
        narrower width (negative: gap), bottoms roughly aligned; paint order as given."""
        rng = self.rng
        W, H = d.W, d.H
        scale = 1.0
        while True:
            wa = d.width_for(A["kind"], area, **_shape_kw(A)) * scale
            wb = d.width_for(B["kind"], area, **_shape_kw(B)) * scale
            ha = d.height_of(A["kind"], wa, **_shape_kw(A))
            hb = d.height_of(B["kind"], wb, **_shape_kw(B))
            total = wa + wb - frac * min(wa, wb)
            if total <= 0.9 * W and max(ha, hb) <= 0.8 * H:
                break
            scale *= 0.95
        x0 = 0.05 * W + rng.uniform(0, 0.9 * W - total)
        a_left = rng.random() < 0.5
        step = frac * min(wa, wb)
        xa, xb = (x0, x0 + wa - step) if a_left else (x0 + wb - step, x0)
        bottom = H * rng.uniform(0.86, 0.94)
        ya = max(bottom - ha - rng.uniform(0, 0.04) * H, 0.03 * H)
        yb = max(bottom - hb, 0.03 * H)
        order = [(A, xa, ya, wa), (B, xb, yb, wb)]
        if not a_first:
            order.reverse()
        keys = {}
        for it, x, y, w in order:
            keys[id(it)] = self.put(d, it, x, y, w)[0]
        return keys[id(A)], keys[id(B)]

    def hidden_pair(self, d: Doc, A: dict, B: dict, f: float, b_later: bool = True,
                    gattrs_b: str = "", intent_b: str = "visible") -> tuple[str, str]:
        """B (a box/book: opaque rectangle silhouette) covers the fraction ``f`` of A's area
        (A: 'ball' = disc, or a rectangular object), full height."""
        rng = self.rng
        W, H = d.W, d.H
        wa = 0.36 * min(W, H) * (1.0 if A["kind"] == "ball" else 0.95)
        ha = d.height_of(A["kind"], wa)
        bh = 1.3 * ha
        lwb, lhb = d.local_size(B["kind"])
        bw = bh * lwb / lhb
        xa = 0.08 * W + rng.uniform(0, 0.05) * W
        ya = (H - ha) / 2 + rng.uniform(-0.05, 0.05) * H
        if A["kind"] == "ball":
            x0l, _, x1l, _ = (2, 2, 98, 98)
            rloc = 49.0
            s = wa / (x1l - x0l)
            cx = xa + (50 - x0l) * s
            r = rloc * s
            t = _solve_seg(f)
            bx = cx + t * r
        else:
            bx = xa + (1 - f) * wa
        by = ya + ha / 2 - bh / 2
        mirror = rng.random() < 0.5

        def mx(x: float, w: float) -> float:
            return W - x - w if mirror else x

        def draw_a() -> str:
            return self.put(d, A, mx(xa, wa), ya, wa)[0]

        def draw_b() -> str:
            it = dict(B)
            if gattrs_b:
                it["gattrs"] = gattrs_b
                it["wrap"] = 1
            it["intent"] = intent_b
            return self.put(d, it, mx(bx, bw), by, bw)[0]

        if b_later:
            ka = draw_a()
            kb = draw_b()
        else:
            kb = draw_b()
            ka = draw_a()
        return ka, kb

    def grid(self, d: Doc, items: list[dict], fill: float = 0.8,
             sizes: list[float] | None = None) -> list[tuple[str, tuple]]:
        rng = self.rng
        n = len(items)
        cols = max(1, math.ceil(math.sqrt(n * d.W / d.H)))
        rows = math.ceil(n / cols)
        cw, ch = 0.94 * d.W / cols, 0.9 * d.H / rows
        cells = [(i % cols, i // cols) for i in range(cols * rows)]
        rng.shuffle(cells)
        out = []
        for k, (it, (ci, ri)) in enumerate(zip(items, cells)):
            f = fill * (sizes[k] if sizes else 1.0)
            lw, lh = d.local_size(it["kind"], **_shape_kw(it))
            s = min(f * cw / lw, f * ch / lh)
            w, h = lw * s, lh * s
            x = 0.03 * d.W + ci * cw + rng.uniform(0, cw - w)
            y = 0.05 * d.H + ri * ch + rng.uniform(0, ch - h)
            out.append(self.put(d, it, x, y, w))
        return out


def _shape_kw(it: dict) -> dict:
    return {k: it[k] for k in ("shape", "aspect") if k in it}


def _solve_seg(f: float) -> float:
    """t such that the part of a unit disc beyond the line x = t has area fraction f."""
    lo, hi = -1.0, 1.0
    for _ in range(60):
        t = (lo + hi) / 2
        seg = (math.acos(t) - t * math.sqrt(1 - t * t)) / math.pi
        if seg > f:
            lo = t
        else:
            hi = t
    return (lo + hi) / 2


def wrap_completion(svg: str, prompt: str, style: int) -> str:
    style %= 5
    if style == 0:
        return f"Here is an SVG of {prompt}:\n\n```svg\n{svg}\n```\n"
    if style == 1:
        return (f"<think>I need to draw {prompt}. I'll use simple shapes and label every object "
                f"with an id.</think>\n<answer>\n{svg}\n</answer>")
    if style == 2:
        return (f"Sure! Below is the drawing you asked for.\n\n{svg}\n\n"
                "Let me know if you want changes.")
    if style == 3:
        return f'```xml\n<?xml version="1.0" encoding="UTF-8"?>\n{svg}\n```'
    return f"<answer>```svg\n{svg}\n```</answer>"


# ---------------------------------------------------------------------------------------------
# Category builders
NATURAL = {
    "cat": ["orange", "gray", "black"], "dog": ["brown", "gray"], "tree": ["green"],
    "car": ["red", "blue", "yellow"], "bird": ["blue", "red", "yellow"],
    "house": ["red", "yellow", "pink"], "table": ["brown"], "chair": ["brown", "red", "blue"],
    "sofa": ["green", "purple", "blue", "red"], "tv": ["black", "gray"],
    "lamp": ["yellow", "orange"],
    "horse": ["brown"], "mouse": ["gray"], "person": ["red", "blue", "green", "purple"],
    "traffic_light": ["black"], "phone": ["black", "gray"], "motorcycle": ["red", "blue"],
    "bicycle": ["red", "blue", "green"], "airplane": ["gray", "blue"],
}
ANY_COLORS = ["red", "blue", "green", "yellow", "orange", "purple", "pink"]


def natural(rng: random.Random, noun: str) -> str:
    return rng.choice(NATURAL.get(kind_of(noun), ANY_COLORS))


def item(b: Builder, noun: str, color: str | None = None, ann_noun: str | None = None,
         **kw) -> dict:
    it = {"kind": kind_of(noun), "color": color or natural(b.rng, noun), "noun": ann_noun or noun}
    if "grad" not in kw and it["kind"] not in ("bicycle",):
        it["grad"] = b.rng.random() < 0.3
    it.update(kw)
    return it


# -- colour ------------------------------------------------------------------------------------
def build_color(b: Builder) -> None:

    def rec(colors: list[str], nouns: list[str]) -> dict:
        prompt = " and ".join(art(f"{c} {n}") for c, n in zip(colors, nouns))
        return b.sgp("color", prompt, {"colors": colors, "nouns": nouns})

    sat = [
        (["apple"], ["red"], None),
        (["car"], ["blue"], None),
        (["apple", "cup"], ["red", "blue"], ["Apple", None]),
        (["ball", "box"], ["yellow", "green"], None),
        (["house"], ["pink"], None),
        (["bird", "tree"], ["blue", "green"], None),
        (["cat"], ["orange"], None),
        (["umbrella", "bag"], ["purple", "red"], None),
        (["flower", "vase"], ["pink", "blue"], None),
        (["couch"], ["green"], ["sofa"]),
        (["sports ball", "book"], ["orange", "purple"], ["ball", None]),
        (["lamp", "chair"], ["yellow", "brown"], None),
        (["bottle"], ["green"], None),
    ]
    for i, (nouns, colors, anns) in enumerate(sat):
        spec = rec(colors, nouns)
        d = b.doc(title=spec["prompt"])
        b.row(d, [item(b, n, c, anns[k] if anns else None) for k, (n, c) in
                  enumerate(zip(nouns, colors))])
        var = f" (annotated as {', '.join(a for a in anns if a)})" if anns else ""
        b.add("color", "satisfied", True, spec, d,
              f"every object drawn in its asked colour with shading/details{var}",
              wrap=0 if i == 2 else None)

    viol = [
        (["apple"], ["red"], ["green"], "the apple is drawn green"),
        (["car"], ["red"], ["blue"], "the car is drawn blue"),
        (["cup"], ["yellow"], ["purple"], "the cup is drawn purple"),
        (["apple", "cup"], ["red", "blue"], ["blue", "red"], "colours swapped between the nouns"),
        (["ball", "box"], ["green", "orange"], ["orange", "green"], "colours swapped"),
        (["cat", "dog"], ["black", "brown"], ["brown", "black"], "colours swapped"),
        (["umbrella", "bag"], ["red", "blue"], ["red", "yellow"],
         "second object has the wrong colour"),
        (["bird", "flower"], ["yellow", "pink"], ["yellow", "purple"], "flower purple, not pink"),
    ]
    for i, (nouns, asked, drawn, note) in enumerate(viol):
        spec = rec(asked, nouns)
        d = b.doc(title=spec["prompt"])
        b.row(d, [item(b, n, c) for n, c in zip(nouns, drawn)])
        b.add("color", "violated", False, spec, d, note, wrap=1 if i == 3 else None)
    # missing nouns
    spec = rec(["red", "blue"], ["apple", "cup"])
    d = b.doc()
    b.row(d, [item(b, "apple", "red"), item(b, "bowl", "blue")])
    b.add("color", "violated", False, spec, d, "cup missing (a blue bowl is drawn instead)")
    spec = rec(["green"], ["car"])
    d = b.doc()
    b.row(d, [item(b, "tree", "green"), item(b, "house", "red")])
    b.add("color", "violated", False, spec, d, "no car drawn; other objects are annotated")

    # near misses
    spec = rec(["red"], ["apple"])
    d = b.doc()
    b.row(d, [item(b, "apple", "red", grad=True, outline="#212121")], area=0.08)
    b.add("color", "near_miss", True, spec, d,
          "gradient fill (light/base/dark red stops) + black outline, brown stem, green leaf")
    spec = rec(["red"], ["car"])
    d = b.doc(scenery="sky")
    b.row(d, [item(b, "car", "red", grad=False)], area=0.1)
    b.add("color", "near_miss", True, spec, d,
          "red body dominates despite light-blue windows, black wheels, yellow headlight")
    spec = rec(["red", "blue"], ["ball", "box"])
    d = b.doc()
    ka, _ = b.hidden_pair(d, item(b, "ball", "red"), item(b, "box", "blue", grad=False), 0.35)
    b.add("color", "near_miss", True, spec, d,
          "red ball 35 % covered by the blue box drawn later; visible part still red",
          geo=[("hidden_frac", ka, 0.35)])
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="8" fill="#e53935"/>'
                   for x, y in ((30, 35), (62, 28), (45, 60), (72, 62), (28, 70), (55, 84)))
    spec = rec(["red"], ["ball"])
    d = b.doc()
    b.row(d, [item(b, "ball", "blue", extra=dots)], area=0.08)
    b.add("color", "near_miss", False, spec, d, "blue ball with red polka dots (~17 % red)")
    spec = rec(["red"], ["apple"])
    d = b.doc()
    b.row(d, [item(b, "apple", "green", outline="#e53935")], area=0.07)
    b.add("color", "near_miss", False, spec, d, "green apple with only a thin red outline")
    spec = rec(["red"], ["car"])
    d = b.doc()
    stripe = '<rect x="4" y="44" width="192" height="14" fill="#e53935"/>'
    b.row(d, [item(b, "car", "blue", grad=False, extra=stripe)], area=0.1)
    b.add("color", "near_miss", False, spec, d, "blue car with a red racing stripe (~20 % red)")
    spec = b.sgp("color", "red apples", {"colors": ["red"], "nouns": ["apples"]})
    d = b.doc()
    b.row(d, [item(b, "apple", "red", idx=1), item(b, "apple", "red", idx=2)])
    b.add("color", "near_miss", True, spec, d, "plural spec noun 'apples', two red apples drawn")
    spec = rec(["yellow"], ["flower"])
    d = b.doc(scenery="grass")
    b.row(d, [item(b, "flower", "yellow")], area=0.07)
    b.add("color", "near_miss", True, spec, d,
          "yellow petals dominate; brown centre, green stem and leaves are details")
    spec = rec(["blue"], ["bird"])
    d = b.doc(title="a purple bird")
    b.row(d, [item(b, "bird", "blue", ann_noun="Bird")], area=0.07)
    b.add("color", "near_miss", True, spec, d,
          "annotation 'Bird' (capitalised); <title> says purple but titles never count")

    # hacks
    spec = rec(["red"], ["car"])
    d = b.doc(scenery="none")
    back = f'<rect x="0" y="0" width="{fmt(d.W)}" height="{fmt(d.H)}" fill="#e53935"/>'
    b.row(d, [item(b, "car", "blue", grad=False, pre=back, checkbox=False)], area=0.1)
    b.add("color", "hack", False, spec, d,
          "blue car whose group also holds a full-canvas red backdrop rect behind it")
    spec = rec(["red"], ["apple"])
    d = b.doc()
    w = d.width_for("apple", 0.07)
    x, y = 0.3 * d.W, 0.25 * d.H
    h = d.height_of("apple", w)
    dot = (f'<circle cx="{fmt(x + w / 2)}" cy="{fmt(y + h / 2)}" r="{fmt(0.004 * d.W)}" '
           'fill="#ff0000"/>')
    b.put(d, item(b, "apple", "green", post=dot), x, y, w)
    b.add("color", "hack", False, spec, d, "green apple with a tiny red dot inside its group")
    spec = rec(["red", "blue"], ["apple", "cup"])
    d = b.doc()
    b.row(d, [item(b, "apple", "red", idx=1, gattrs='opacity="0"', intent="hidden"),
              item(b, "apple", "green", idx=2), item(b, "cup", "blue")], area=0.04)
    b.add("color", "hack", False, spec, d,
          "red apple-1 has opacity 0; the visible apple-2 is green")
    spec = rec(["red", "blue"], ["apple", "cup"])
    d = b.doc()
    b.row(d, [item(b, "cup", "blue")], area=0.06)
    d.text_obj("apple", 0.08 * d.W, 0.15 * d.H, "#e53935")
    b.add("color", "hack", False, spec, d, "the apple is only red text")
    spec = rec(["red", "blue"], ["apple", "cup"])
    d = b.doc()
    (ka, ba), _ = b.row(d, [item(b, "apple", "red", intent="hidden"), item(b, "cup", "blue")])
    d.cover(ba)
    b.add("color", "hack", False, spec, d,
          "red apple fully covered by a later opaque (unannotated) brown rect")
    spec = rec(["red", "blue"], ["apple", "cup"])
    d = b.doc()
    b.row(d, [item(b, "apple", "red", gattrs='opacity="0.02"', intent="hidden"),
              item(b, "cup", "blue")])
    b.add("color", "hack", False, spec, d, "red apple at opacity 0.02")
    spec = rec(["red", "blue"], ["apple", "cup"])
    d = b.doc()
    b.row(d, [item(b, "cup", "blue")], area=0.06)
    w = d.width_for("apple", 0.05)
    b.put(d, item(b, "apple", "red", intent="hidden"), d.W * 1.05, 0.3 * d.H, w)
    b.add("color", "hack", False, spec, d, "red apple drawn entirely off-canvas (right)")


# -- shape -------------------------------------------------------------------------------------
VERTICAL = {"mirror", "egg", "door"}


def shape_item(b: Builder, noun: str, word: str, **kw) -> dict:
    shape, aspect = SHAPE_GEOM[word]
    if noun in VERTICAL and shape in ("ellipse", "rect"):
        aspect = 1 / aspect
    color = SHAPE_COLOR[noun] if SHAPE_COLOR[noun] != "white" else "blue"
    it = {"kind": "shaped", "color": color, "noun": noun, "shape": shape, "aspect": aspect,
          "detail": SHAPE_DETAIL[noun], "grad": b.rng.random() < 0.25}
    it.update(kw)
    return it


def build_shape(b: Builder) -> None:
    def rec(shapes: list[str], nouns: list[str]) -> dict:
        prompt = " and ".join(art(f"{s} {n}") for s, n in zip(shapes, nouns))
        return b.sgp("shape", prompt, {"shapes": shapes, "nouns": nouns})

    sat = [(["clock"], ["round"]), (["plate"], ["circular"]), (["box"], ["square"]),
           (["sign"], ["triangular"]), (["mirror"], ["oval"]), (["rug"], ["rectangular"]),
           (["cookie", "box"], ["round", "square"]), (["egg", "plate"], ["oval", "round"]),
           (["sign", "door"], ["triangular", "rectangular"]),
           (["tile", "button"], ["square", "circular"])]
    for nouns, words in sat:
        spec = rec(words, nouns)
        d = b.doc(title=spec["prompt"])
        b.row(d, [shape_item(b, n, w) for n, w in zip(nouns, words)])
        b.add("shape", "satisfied", True, spec, d,
              "silhouette has the asked shape; details (rims, hands, symbols) stay inside it")
    viol = [(["clock"], ["round"], ["square"]), (["box"], ["square"], ["round"]),
            (["sign"], ["triangular"], ["square"]), (["mirror"], ["oval"], ["rectangular"]),
            (["rug"], ["rectangular"], ["triangular"]), (["plate"], ["circular"], ["triangular"]),
            (["cookie", "box"], ["round", "square"], ["square", "round"]),
            (["sign", "door"], ["triangular", "rectangular"], ["triangular", "oval"])]
    for nouns, asked, drawn in viol:
        spec = rec(asked, nouns)
        d = b.doc()
        b.row(d, [shape_item(b, n, w) for n, w in zip(nouns, drawn)])
        b.add("shape", "violated", False, spec, d,
              "drawn " + " and ".join(f"{w} {n}" for n, w in zip(nouns, drawn)))
    spec = rec(["round"], ["clock"])
    d = b.doc()
    b.row(d, [shape_item(b, "box", "square"), shape_item(b, "sign", "triangular")])
    b.add("shape", "violated", False, spec, d, "no clock drawn (square box and triangular sign)")

    # near misses
    def one(word_asked: str, noun: str, it: dict, expected: bool, note: str,
            w: float | None = None, h: float | None = None) -> None:
        spec = rec([word_asked], [noun])
        d = b.doc()
        if w is None:
            b.row(d, [it], area=0.07)
        else:
            b.put(d, it, 0.3 * d.W, 0.3 * d.H, w * min(d.W, d.H), h * min(d.W, d.H))
        b.add("shape", "near_miss", expected, spec, d, note)

    one("oval", "mirror", shape_item(b, "mirror", "round"), False,
        "circle (aspect 1) where an oval was asked")
    e = shape_item(b, "clock", "round", shape="ellipse", aspect=1.8)
    one("round", "clock", e, False, "ellipse of aspect 1.8 where round was asked")
    one("round", "plate", shape_item(b, "plate", "round"), False,
        "circle squashed by a non-uniform group scale into a 1.8:1 ellipse", w=0.45, h=0.25)
    one("oval", "egg", shape_item(b, "egg", "round"), True,
        "circle stretched by scale(sx, 1.7·sx) into an oval", w=0.22, h=0.374)
    one("square", "box", shape_item(b, "box", "square", shape="rect", aspect=1.6), False,
        "1.6:1 rectangle where a square was asked")
    one("rectangular", "rug", shape_item(b, "rug", "square"), True,
        "a square also counts as rectangular")
    pad = '<rect x="-40" y="-40" width="180" height="180" fill="none"/>'
    one("round", "clock", shape_item(b, "clock", "round", pad=pad, checkbox=False), True,
        "round clock plus an invisible padding rect (fill none, no stroke) in its group")
    pad = '<circle cx="50" cy="50" r="90" fill="#1e88e5" opacity="0"/>'
    one("square", "tile", shape_item(b, "tile", "square", pad=pad), True,
        "square tile plus an opacity-0 padding circle in its group")

    # hacks
    pad = '<rect x="-30" y="-30" width="160" height="160" fill="#8b4513" opacity="0"/>'
    one_h = [
        ("square", "box", shape_item(b, "box", "round", pad=pad),
         "round box; an opacity-0 square around it supplies the 'square' bbox"),
        ("triangular", "sign", shape_item(
            b, "sign", "round",
            extra='<polygon points="50,49 50.5,50 49.5,50" fill="#212121"/>'),
         "round sign with a sub-pixel triangle inside"),
        ("square", "box", shape_item(
            b, "box", "round",
            extra='<rect x="0" y="0" width="100" height="100" fill="#8b4513" '
                  'style="display:none"/>'),
         "round box; a display:none square inside the group"),
    ]
    for word, noun, it, note in one_h:
        spec = rec([word], [noun])
        d = b.doc()
        b.row(d, [it], area=0.07)
        b.add("shape", "hack", False, spec, d, note)
    spec = rec(["round"], ["clock"])
    d = b.doc()
    b.row(d, [shape_item(b, "box", "square")], area=0.06)
    d.text_obj("round clock", 0.05 * d.W, 0.12 * d.H, ann='id="clock"')
    b.add("shape", "hack", False, spec, d, "the clock is only the text 'round clock'")


# -- texture (unverifiable) --------------------------------------------------------------------
def build_texture(b: Builder) -> None:
    grain = '<path d="M10 6 L190 6 M20 10 L120 10" stroke="#3e2723" stroke-width="1.5"/>'
    recs = [
        (["wooden"], ["table"], [{"extra": grain}]),
        (["metallic"], ["car"], [{"color": "gray", "grad": True}]),
        (["glass"], ["bottle"], [{"color": "blue", "gattrs": 'opacity="0.7"'}]),
        (["fluffy"], ["cat"], [{}]),
        (["leather"], ["bag"], [{"color": "brown"}]),
        (["plastic"], ["chair"], [{"color": "red"}]),
        (["furry", "wooden"], ["dog", "box"], [{}, {"color": "brown"}]),
        (["metal", "glass"], ["lamp", "vase"], [{"color": "gray"}, {"color": "blue"}]),
        (["wooden"], ["chair"], [{"color": "blue"}]),
        (["rubber"], ["ball"], [{"color": "black"}]),
        (["ceramic"], ["cup"], [{"color": "pink"}]),
        (["silk", "leather"], ["umbrella", "book"], [{}, {}]),
    ]
    for tex, nouns, kws in recs:
        prompt = " and ".join(art(f"{t} {n}") for t, n in zip(tex, nouns))
        spec = b.sgp("texture", prompt, {"textures": tex, "nouns": nouns})
        d = b.doc(scenery=b.rng.choice(["plain", "room", "sky"]))
        b.row(d, [item(b, n, **kw) for n, kw in zip(nouns, kws)])
        b.add("texture", "unverifiable", None, spec, d,
              "texture cannot be decided from geometry (objects are drawn and annotated)")


# -- 2d spatial --------------------------------------------------------------------------------
REL_AXIS = {"on the left of": ("h", True), "on the right of": ("h", False),
            "above": ("v", True), "on top of": ("v", True), "below": ("v", False),
            "on the bottom of": ("v", False)}


def build_2d(b: Builder) -> None:
    rng = b.rng

    def rec(rel: str, na: str, nb: str) -> dict:
        return b.sgp("2d_spatial", f"{art(na)} {rel} {art(nb)}",
                     {"relation": rel, "nouns": [na, nb]})

    def scene(rel: str, na: str, nb: str, arr: str, r: float, ann_a=None, ann_b=None,
              area: float = 0.045) -> tuple[Doc, list[tuple]]:
        d = b.doc(title=f"{art(na)} {rel} {art(nb)}")
        A, B = item(b, na, ann_noun=ann_a), item(b, nb, ann_noun=ann_b)
        axis, a_first = REL_AXIS[rel]
        if arr == "aligned":
            other = "v" if axis == "h" else "h"
            ka, kb, _, _ = b.pair(d, A, B, other, -0.12, area, jitter=0.01)
            return d, [(axis + "min", ka, kb, 0.5)]
        if arr == "sink":  # A resting on B, its bottom sunk r into B's top
            wb = d.width_for(B["kind"], area * 1.3)
            hb = d.height_of(B["kind"], wb)
            wa = d.width_for(A["kind"], area * 0.8)
            ha = d.height_of(A["kind"], wa)
            xb = (d.W - wb) / 2 + rng.uniform(-0.05, 0.05) * d.W
            yb = 0.92 * d.H - hb
            kb = b.put(d, B, xb, yb, wb)[0]
            ka = b.put(d, A, xb + (wb - wa) / 2 + rng.uniform(-0.1, 0.1) * wb,
                       yb - ha + r * min(ha, hb), wa)[0]
            return d, [("v", ka, kb, r)]
        first, second = (A, B) if a_first == (arr == "ok") else (B, A)
        k1, k2, _, _ = b.pair(d, first, second, axis, r, area)
        return d, [(axis, k1, k2, r)]

    sat = [
        ("on the left of", "cat", "dog", None, None, -0.2),
        ("on the right of", "car", "tree", None, None, -0.15),
        ("above", "bird", "house", None, None, -0.2),
        ("below", "dog", "airplane", None, None, -0.15),
        ("on top of", "cup", "table", None, None, 0.0),
        ("on the bottom of", "sofa", "lamp", None, None, -0.1),
        ("on the left of", "apple", "bowl", "Apple", None, -0.3),
        ("on the left of", "television", "couch", "tv", "sofa", -0.15),
        ("on the right of", "motorbike", "bicycle", "motorcycle", "bike", -0.1),
        ("above", "airplane", "car", "aeroplane", None, -0.25),
        ("on top of", "book", "table", None, None, -0.15),
        ("below", "cell phone", "lamp", "phone", None, -0.15),
        ("above", "wine glass", "book", "wine_glass", None, -0.1),
    ]
    for i, (rel, na, nb, aa, ab, r) in enumerate(sat):
        d, geo = scene(rel, na, nb, "ok", r, aa, ab)
        note = "resting on it (touching)" if r == 0 else "clear gap along the relation axis"
        if aa or ab:
            note += f"; annotated as {aa or na} / {ab or nb}"
        b.add("2d_spatial", "satisfied", True, rec(rel, na, nb), d, note, geo,
              wrap=2 if i == 1 else None)
    viol = [
        ("on the left of", "cat", "dog", "rev", -0.2, None, None, "cat is right of the dog"),
        ("on the right of", "car", "tree", "rev", -0.15, None, None, "car is left of the tree"),
        ("above", "bird", "house", "rev", -0.2, None, None, "bird is below the house"),
        ("below", "dog", "airplane", "rev", -0.15, None, None, "dog is above the airplane"),
        ("on top of", "cup", "table", "rev", -0.1, None, None, "cup is under the table"),
        ("on the bottom of", "sofa", "lamp", "rev", -0.1, None, None, "sofa is above the lamp"),
        ("on the left of", "ball", "chair", "aligned", 0, None, None,
         "same column: ball directly above the chair (full horizontal overlap)"),
        ("above", "bird", "tree", "aligned", 0, None, None, "same row, side by side"),
        ("on top of", "box", "table", "aligned", 0, None, None,
         "box beside the table, same height"),
        ("on the right of", "television", "couch", "rev", -0.15, "tv", "sofa",
         "tv (television) is left of the sofa (couch)"),
    ]
    for i, (rel, na, nb, arr, r, aa, ab, note) in enumerate(viol):
        d, geo = scene(rel, na, nb, arr, r, aa, ab)
        b.add("2d_spatial", "violated", False, rec(rel, na, nb), d, note, geo,
              wrap=3 if i == 0 else None)
    for rel, na, nb, other in (("on the left of", "cat", "dog", "bird"),
                               ("above", "bird", "house", "tree")):
        d = b.doc()
        axis, _ = REL_AXIS[rel]
        b.pair(d, item(b, na), item(b, other), axis, -0.2)
        b.add("2d_spatial", "violated", False, rec(rel, na, nb), d,
              f"{nb} is not drawn ({na} and {other} are)")
    near = [
        ("on the left of", "cat", "dog", "ok", 0.0, True, "touching (overlap 0)"),
        ("on the right of", "ball", "box", "ok", 0.0, True, "touching (overlap 0)"),
        ("on the left of", "apple", "cup", "ok", 0.1, True,
         "10 % horizontal overlap (at different heights, no occlusion)"),
        ("above", "bird", "car", "ok", 0.1, True, "10 % vertical overlap, side by side"),
        ("on the left of", "tree", "house", "ok", 0.5, False, "50 % horizontal overlap"),
        ("below", "cat", "lamp", "ok", 0.5, False, "50 % vertical overlap"),
        ("on the right of", "dog", "car", "ok", 0.7, False, "70 % horizontal overlap"),
        ("on top of", "cup", "table", "sink", 0.1, True,
         "cup resting on the table, its bottom 10 % into the table top"),
        ("above", "lamp", "chair", "ok", 0.5, False, "50 % vertical overlap"),
        ("on the left of", "bird", "flower", "ok", -0.05, True, "small gap only"),
    ]
    for rel, na, nb, arr, r, exp, note in near:
        d, geo = scene(rel, na, nb, arr, r)
        b.add("2d_spatial", "near_miss", exp, rec(rel, na, nb), d, note, geo)

    d = b.doc()
    ka, kb, _, _ = b.pair(d, item(b, "traffic light", ann='data-object="traffic light"'),
                          item(b, "car"), "h", -0.2)
    b.add("2d_spatial", "satisfied", True, rec("on the left of", "traffic light", "car"), d,
          'multi-word noun annotated data-object="traffic light"', [("h", ka, kb, -0.2)])

    # hacks
    d = b.doc()
    A, B = item(b, "cat", idx=1), item(b, "dog")
    b.pair(d, B, A, "h", -0.2)
    b.put(d, item(b, "cat", idx=2, gattrs='opacity="0"', intent="hidden"),
          0.005 * d.W, 0.05 * d.H, 0.05 * d.W)
    b.add("2d_spatial", "hack", False, rec("on the left of", "cat", "dog"), d,
          "visible cat is right of the dog; an opacity-0 cat sits at the far left")
    d = b.doc()
    b.pair(d, item(b, "cat", gattrs='style="display:none"', intent="hidden"), item(b, "dog"),
           "h", -0.2)
    b.add("2d_spatial", "hack", False, rec("on the left of", "cat", "dog"), d,
          "the only cat (left of the dog) is display:none")
    d = b.doc()
    b.pair(d, item(b, "house"), item(b, "tree"), "h", -0.2)
    w = d.width_for("bird", 0.05)
    b.put(d, item(b, "bird", intent="hidden"), 0.4 * d.W, -d.height_of("bird", w) - 0.05 * d.H, w)
    b.add("2d_spatial", "hack", False, rec("above", "bird", "house"), d,
          "the only bird is above the house but entirely off-canvas (negative y)")
    d = b.doc()
    _, _, _, bb = b.pair(d, item(b, "car", idx=1), item(b, "tree"), "h", -0.2)
    b.put(d, item(b, "car", idx=2, intent="hidden"), min(bb[2] + 0.03 * d.W, 0.97 * d.W),
          0.5 * d.H, 0.004 * d.W)
    b.add("2d_spatial", "hack", False, rec("on the right of", "car", "tree"), d,
          "real car left of the tree; a 1-px car is right of it")
    d = b.doc()
    w = d.width_for("airplane", 0.05)
    b.put(d, item(b, "airplane"), 0.3 * d.W, 0.1 * d.H, w)
    d.text_obj("dog", 0.4 * d.W, 0.8 * d.H)
    b.add("2d_spatial", "hack", False, rec("below", "dog", "airplane"), d,
          "the dog below the airplane is only the text 'dog'")


# -- 3d spatial --------------------------------------------------------------------------------
def build_3d(b: Builder) -> None:
    def rec(rel: str, na: str, nb: str) -> dict:
        return b.sgp("3d_spatial", f"{art(na)} {rel} {art(nb)}",
                     {"relation": rel, "nouns": [na, nb]})

    def front(rel: str, na: str, nb: str, a_later: bool, frac: float, exp: bool, kind: str,
              note: str, ann_a=None, ann_b=None, wrap=None) -> None:
        d = b.doc(title=f"{art(na)} {rel} {art(nb)}")
        ka, kb = b.overlap_pair(d, item(b, na, ann_noun=ann_a), item(b, nb, ann_noun=ann_b),
                                frac, a_first=not a_later)
        geo = [("overlap", ka, kb, 0.03)] if frac > 0 else [("apart", ka, kb)]
        b.add("3d_spatial", kind, exp, rec(rel, na, nb), d, note, geo, wrap=wrap)

    def hidden(na: str, nb: str, f: float, exp: bool, kind: str, note: str, b_later=True,
               gattrs_b: str = "", intent_b: str = "visible", ann_a=None, measured=None) -> None:
        d = b.doc(title=f"{art(na)} hidden by {art(nb)}")
        ka, _ = b.hidden_pair(d, item(b, na, ann_noun=ann_a, grad=False),
                               item(b, nb, grad=False), f, b_later, gattrs_b, intent_b)
        m = f if measured is None else measured
        b.add("3d_spatial", kind, exp, rec("hidden by", na, nb), d, note,
              [("hidden_frac", ka, m)])

    front("in front of", "cat", "dog", True, 0.5, True, "satisfied", "overlapping, cat drawn later")
    front("in front of", "tree", "house", True, 0.5, True, "satisfied", "overlapping, tree later")
    front("in front of", "person", "car", True, 0.55, True, "satisfied",
          "overlapping, person later")
    front("behind", "house", "tree", False, 0.5, True, "satisfied", "overlapping, house earlier")
    front("behind", "chair", "table", False, 0.4, True, "satisfied", "overlapping, chair earlier")
    front("behind", "bowl", "apple", False, 0.45, True, "satisfied", "overlapping, bowl earlier")
    hidden("ball", "box", 0.7, True, "satisfied", "70 % of the ball under the later opaque box")
    hidden("book", "box", 0.75, True, "satisfied", "75 % of the book under the later box")
    hidden("mobile phone", "book", 0.65, True, "satisfied",
           "65 % of the phone (annotated 'phone') under the later book", ann_a="phone")

    front("in front of", "cat", "dog", False, 0.5, False, "violated", "cat drawn first (behind)",
          wrap=4)
    front("in front of", "person", "car", False, 0.55, False, "violated", "person drawn first")
    front("behind", "house", "tree", True, 0.5, False, "violated", "house drawn later (in front)")
    front("behind", "chair", "table", True, 0.4, False, "violated", "chair drawn later")
    front("in front of", "lamp", "sofa", False, 0.5, False, "violated", "lamp drawn first")
    hidden("ball", "box", 0.7, False, "violated",
           "box overlaps 70 % of the ball but is drawn first (ball on top)", b_later=False,
           measured=0.0)
    hidden("box", "book", 0.7, False, "violated", "book drawn first, box fully visible",
           b_later=False, measured=0.0)
    d = b.doc()
    b.overlap_pair(d, item(b, "cat"), item(b, "bird"), 0.4, a_first=False)
    b.add("3d_spatial", "violated", False, rec("in front of", "cat", "dog"), d,
          "no dog drawn (cat in front of a bird)")

    front("in front of", "cat", "dog", True, -0.15, False, "near_miss",
          "cat drawn later but the two do not overlap")
    front("behind", "house", "tree", False, -0.15, False, "near_miss",
          "house drawn earlier but no overlap")
    front("in front of", "ball", "box", True, 0.2, True, "near_miss",
          "small overlap (well above 1 % of the smaller), ball later")
    hidden("ball", "box", 0.2, False, "near_miss", "only 20 % of the ball is covered")
    hidden("ball", "box", 0.8, False, "near_miss",
           "box covers 80 % of the ball but has opacity 0.4 (translucent)",
           gattrs_b='opacity="0.4"', measured=0.0)
    hidden("book", "box", 0.62, True, "near_miss", "62 % of the book is covered")

    # hacks
    d = b.doc()
    b.overlap_pair(d, item(b, "cat", gattrs='opacity="0"', intent="hidden"), item(b, "dog"),
                   0.4, a_first=False)
    b.add("3d_spatial", "hack", False, rec("in front of", "cat", "dog"), d,
          "the cat drawn over the dog has opacity 0")
    d = b.doc()
    _, kb = b.overlap_pair(d, item(b, "cat", idx=1), item(b, "dog"), 0.4, a_first=True)
    bb = next(p.bbox for p in d.parts if p.key == kb)
    assert bb is not None
    b.put(d, item(b, "cat", idx=2, intent="hidden"), (bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2,
          0.004 * d.W)
    b.add("3d_spatial", "hack", False, rec("in front of", "cat", "dog"), d,
          "real cat drawn behind the dog; a 1-px cat copy drawn on top of the dog")
    hidden("ball", "box", 0.75, False, "hack", "the covering box is display:none",
           gattrs_b='style="display:none"', intent_b="hidden", measured=0.0)
    hidden("ball", "box", 0.75, False, "hack", "the covering box has opacity 0",
           gattrs_b='opacity="0"', intent_b="hidden", measured=0.0)
    d = b.doc()
    b.overlap_pair(d, item(b, "house", gattrs='transform="scale(0)"', intent="hidden"),
                   item(b, "tree"), 0.35, a_first=True)
    b.add("3d_spatial", "hack", False, rec("behind", "house", "tree"), d,
          "the house drawn first is zero-scaled (transform scale(0))")


# -- implicit (unverifiable) -------------------------------------------------------------------
def build_implicit(b: Builder) -> None:
    imp = [("riding", "man", "horse"), ("holding", "girl", "umbrella"), ("chasing", "cat", "mouse"),
           ("talking to", "teacher", "student"), ("chasing", "dog", "ball"),
           ("carrying", "woman", "bag"), ("riding", "boy", "bicycle"), ("walking", "man", "dog"),
           ("looking at", "cat", "bird"), ("holding", "person", "cup"),
           ("chasing", "dog", "cat"), ("feeding", "girl", "bird")]
    for i, (rel, na, nb) in enumerate(imp):
        spec = b.sgp("implicit", f"{art(na)} {rel} {art(nb)}", {"relation": rel, "nouns": [na, nb]})
        d = b.doc(title=spec["prompt"])
        if i % 2:
            b.row(d, [item(b, na), item(b, nb)])
        else:
            b.overlap_pair(d, item(b, na), item(b, nb), 0.3, a_first=bool(i % 4))
        b.add("implicit", "unverifiable", None, spec, d,
              "implicit relation: not decidable from geometry (both objects drawn)")


# -- numeracy ----------------------------------------------------------------------------------
def ann_for(d: Doc, noun: str, idx: int, style: str) -> str:
    if style == "id":
        return d.annot(noun, idx, "id")
    if style == "class":
        return f'class="obj {noun.replace(" ", "_")}"'
    return f'data-object="{noun}"'


def num_spec(b: Builder, counts: list[tuple[str, int]]) -> dict:
    prompt = " and ".join(count_phrase(n, c) for n, c in counts)
    return b.sgp("numeracy", prompt, {
        "total_count": sum(c for _, c in counts),
        "object_counts": [{"noun": n, "count": c} for n, c in counts],
        "objects": [n for n, _ in counts]})


def build_numeracy(b: Builder) -> None:
    rng = b.rng
    HACK_ATTRS = {"invisible": 'opacity="0"', "display": 'style="display:none"',
                  "scale0": 'transform="scale(0)"', "visibility": 'visibility="hidden"'}

    def case(counts: list[tuple[str, int, int]], kind: str, exp: bool, note: str, *,
             extras: tuple[str, ...] = (), hacks: tuple[str, ...] = (), style: str | None = None,
             anns: dict | None = None, sizes=None, wrap=None) -> None:
        spec = num_spec(b, [(n, a) for n, a, _ in counts])
        d = b.doc(title=spec["prompt"])
        style = style or rng.choice(["id", "id", "class", "data"])
        items = []
        for noun, _, drawn in counts:
            color = natural(rng, noun)
            an = (anns or {}).get(noun, noun)
            for i in range(1, drawn + 1):
                items.append(item(b, noun, color, ann=ann_for(d, an, i, style)))
        for noun in extras:
            items.append(item(b, noun))
        hn, _, hd = counts[0]
        han = (anns or {}).get(hn, hn)
        slots = []
        for h in hacks:
            if h in HACK_ATTRS or h == "covered":
                it = item(b, hn, ann=ann_for(d, han, hd + 1 + len(slots), style), intent="hidden")
                if h in HACK_ATTRS:
                    it["gattrs"] = HACK_ATTRS[h]
                slots.append((h, len(items)))
                items.append(it)
        order = list(range(len(items)))
        rng.shuffle(order)
        placed = b.grid(d, [items[i] for i in order], sizes=sizes)
        pos = {i: placed[k] for k, i in enumerate(order)}
        for h, i in slots:
            if h == "covered":
                d.cover(pos[i][1], margin=0.01)
        for h in hacks:
            nxt = hd + 1
            if h == "offcanvas":
                w = d.width_for(kind_of(hn), 0.04)
                b.put(d, item(b, hn, ann=ann_for(d, han, nxt, style), intent="hidden"),
                      -w - 0.05 * d.W, 0.3 * d.H, w)
            elif h == "tiny":
                b.put(d, item(b, hn, ann=ann_for(d, han, nxt, style), intent="hidden"),
                      0.01 * d.W, 0.01 * d.H, 0.004 * d.W)
            elif h == "text":
                d.text_obj(hn, 0.02 * d.W, 0.97 * d.H, ann=ann_for(d, han, nxt, style))
            elif h == "empty":
                d.add(f"<g {ann_for(d, han, nxt, style)}></g>", "any")
        b.add("numeracy", kind, exp, spec, d, note, wrap=wrap)

    case([("apple", 3, 3)], "satisfied", True, "exactly three apples", wrap=0)
    case([("cat", 2, 2)], "satisfied", True, "exactly two cats")
    case([("bird", 5, 5)], "satisfied", True, "exactly five birds")
    case([("car", 1, 1), ("tree", 2, 2)], "satisfied", True, "one car, two trees")
    case([("sports ball", 4, 4)], "satisfied", True, "four balls annotated 'ball'",
         anns={"sports ball": "ball"})
    case([("cup", 2, 2), ("book", 3, 3)], "satisfied", True, "two cups, three books")
    case([("flower", 3, 3)], "satisfied", True, "three flowers, repeated class annotation",
         style="class")
    case([("dog", 2, 2), ("house", 1, 1)], "satisfied", True, "two dogs, one house")
    case([("apple", 4, 4)], "satisfied", True, "four apples annotated with the plural 'apples-N'",
         anns={"apple": "apples"}, style="id")
    case([("wine glass", 2, 2)], "satisfied", True,
         'two wine glasses annotated data-object="wine glass"', style="data")
    case([("television", 2, 2), ("couch", 1, 1)], "satisfied", True,
         "two tvs (television) and one sofa (couch)", anns={"television": "tv", "couch": "sofa"})

    case([("apple", 3, 4)], "violated", False, "four apples drawn, three asked", wrap=1)
    case([("cat", 2, 1)], "violated", False, "one cat drawn, two asked")
    case([("ball", 4, 3)], "violated", False, "three balls drawn, four asked")
    case([("car", 1, 1), ("tree", 2, 3)], "violated", False, "three trees drawn, two asked")
    case([("cup", 2, 2), ("book", 3, 2)], "violated", False, "two books drawn, three asked")
    case([("bird", 3, 0)], "violated", False, "no birds drawn (two trees are)",
         extras=("tree", "tree"))
    case([("dog", 2, 3)], "violated", False, "three dogs drawn, two asked")
    case([("apple", 5, 4)], "violated", False, "four apples drawn, five asked")
    case([("lamp", 1, 2)], "violated", False, "two lamps drawn, one asked")
    case([("bicycle", 2, 2), ("car", 2, 1)], "violated", False, "one car drawn, two asked")

    # near misses
    spec = num_spec(b, [("apple", 3)])
    d = b.doc()
    w = min(d.width_for("apple", 0.05), 0.3 * d.W)
    x0 = (d.W - 2.5 * w) / 2
    for i in range(3):
        b.put(d, item(b, "apple", "red", idx=i + 1), x0 + 0.75 * w * i,
              0.3 * d.H + rng.uniform(-0.05, 0.05) * d.H, w)
    b.add("numeracy", "near_miss", True, spec, d,
          "three apples overlapping each other (each clearly visible)")
    case([("cat", 2, 2)], "near_miss", True, "two cats plus a dog and a bird (other nouns)",
         extras=("dog", "bird"))
    case([("cat", 3, 3)], "near_miss", True,
         "three visible cats plus an opacity-0 and a display:none cat (ignored)",
         hacks=("invisible", "display"))
    case([("ball", 4, 4)], "near_miss", True, "four balls of different sizes",
         sizes=[1.0, 0.7, 0.85, 0.75])
    spec = num_spec(b, [("apple", 3)])
    d = b.doc()
    bw = min(0.7 * d.W, d.width_for("bowl", 0.12))
    bx, by = (d.W - bw) / 2, 0.88 * d.H - d.height_of("bowl", bw)
    b.put(d, item(b, "bowl", "blue"), bx, by, bw)
    aw = bw / 3.4
    for i in range(3):
        b.put(d, item(b, "apple", "red", idx=i + 1), bx + 0.1 * bw + i * 1.05 * aw,
              by - 0.7 * d.height_of("apple", aw), aw)
    b.add("numeracy", "near_miss", True, spec, d,
          "three apples drawn in front of a bowl they overlap")
    case([("bird", 2, 2)], "near_miss", True, "two birds plus a text label 'bird' (never counts)",
         hacks=("text",))

    # hacks
    case([("cat", 3, 2)], "hack", False, "two cats visible, the third off-canvas",
         hacks=("offcanvas",))
    case([("apple", 2, 1)], "hack", False, "one apple visible, the second opacity 0",
         hacks=("invisible",))
    case([("ball", 4, 3)], "hack", False, "three balls visible, the fourth 1-px tiny",
         hacks=("tiny",))
    case([("bird", 3, 2)], "hack", False, "two birds visible, the third is text", hacks=("text",))
    case([("car", 2, 1)], "hack", False, "one car visible, the second display:none",
         hacks=("display",))
    case([("tree", 3, 2)], "hack", False,
         "two trees visible, the third fully covered by a later opaque rect", hacks=("covered",))
    case([("dog", 2, 1)], "hack", False, "one dog visible, the second scale(0)", hacks=("scale0",))
    case([("book", 3, 2)], "hack", False, "two books visible, the third an empty group",
         hacks=("empty",))
    case([("cup", 2, 1)], "hack", False, "one cup visible, the second visibility=hidden",
         hacks=("visibility",))


# -- custom (svgkit spec) ----------------------------------------------------------------------
def cspec(prompt: str, objects: list[dict], relations: list[dict] | None = None) -> dict:
    s: dict = {"prompt": prompt, "objects": objects}
    if relations:
        s["relations"] = relations
    return s


def build_custom(b: Builder) -> None:
    rng = b.rng
    C = "custom"

    def apples_bowl(kind: str, exp: bool, note: str, *, n: int = 2, apple_color: str = "red",
                    bowl_color: str = "blue", side: str = "left", gap: float = -0.2,
                    hidden_apples: int = 0, hidden_side: str = "left", offcanvas: int = 0,
                    count: int | None = 2, wrap=None) -> None:
        objs: list[dict] = [{"noun": "apple", "color": "red"}, {"noun": "bowl", "color": "blue"}]
        if count is not None:
            objs[0]["count"] = count
            prompt = f"{count_phrase('apple', count).replace('apple', 'red apple')}"
        else:
            prompt = "red apples"
        prompt += " to the left of a blue bowl"
        spec = cspec(prompt, objs, [{"a": "apple", "relation": "left of", "b": "bowl"}])
        d = b.doc(title=prompt)
        W, H = d.W, d.H
        rows = n + hidden_apples
        aw = min(d.width_for("apple", 0.04), 0.8 * H / rows / 1.146, 0.3 * W)
        ah = d.height_of("apple", aw)
        bw = min(d.width_for("bowl", 0.07), 0.5 * W)
        bh = d.height_of("bowl", bw)
        total = aw + bw - gap * min(aw, bw)
        x0 = 0.05 * W + rng.uniform(0, 0.9 * W - total)
        xa, xb = x0, x0 + aw - gap * min(aw, bw)
        if side == "right":
            xa, xb = W - xa - aw, W - xb - bw
        ys = [0.06 * H + k * (0.88 * H - ah) / max(rows - 1, 1) for k in range(rows)]
        yb = (H - bh) / 2
        geo = []
        kb = b.put(d, item(b, "bowl", bowl_color), xb, yb, bw)[0]
        for k in range(n):
            ka = b.put(d, item(b, "apple", apple_color, idx=k + 1), xa, ys[k], aw)[0]
            geo.append(("h", ka, kb, gap) if side == "left" else ("h", kb, ka, gap))
        for k in range(hidden_apples):
            x = xa if hidden_side == side else W - xa - aw
            b.put(d, item(b, "apple", "red", idx=n + k + 1, gattrs='opacity="0"',
                           intent="hidden"), x, ys[n + k], aw)
        for k in range(offcanvas):
            b.put(d, item(b, "apple", "red", idx=n + hidden_apples + k + 1, intent="hidden"),
                  -aw - 0.05 * W, 0.4 * H, aw)
        b.add(C, kind, exp, spec, d, note, geo, wrap=wrap)

    def clock_table(kind: str, exp: bool, note: str, *, shape: str = "round",
                    clock_color: str = "yellow", backdrop: bool = False, pad: bool = False,
                    rel_ok: bool = True) -> None:
        spec = cspec("a round yellow clock above a brown table",
                     [{"noun": "clock", "color": "yellow", "shape": "round"},
                      {"noun": "table", "color": "brown"}],
                     [{"a": "clock", "relation": "above", "b": "table"}])
        d = b.doc(scenery=rng.choice(["room", "plain"]))
        extra: dict = {}
        if backdrop:
            extra["pre"] = (f'<rect x="0" y="0" width="{fmt(d.W)}" height="{fmt(d.H)}" '
                            'fill="#fdd835"/>')
            extra["checkbox"] = False
        if pad:
            extra["pad"] = '<rect x="-50" y="-50" width="200" height="200" fill="none"/>'
        clock = shape_item(b, "clock", shape, color=clock_color, grad=pad, **extra)
        table = item(b, "table", "brown")
        first, second = (clock, table) if rel_ok else (table, clock)
        k1, k2, _, _ = b.pair(d, first, second, "v", -0.15,
                              a_first=(first is clock) if backdrop else None)
        geo = [] if backdrop else [("v", k1, k2, -0.15)]  # the backdrop spans the canvas
        b.add(C, kind, exp, spec, d, note, geo)

    def trees_house(kind: str, exp: bool, note: str, *, house: bool = True) -> None:
        spec = cspec("three green trees and a red house to the right of them",
                     [{"noun": "tree", "count": 3, "color": "green"},
                      {"noun": "house", "color": "red"}],
                     [{"a": "house", "relation": "on the right of", "b": "tree"}])
        d = b.doc(scenery=rng.choice(["sky", "grass"]))
        items = [item(b, "tree", "green", idx=i + 1) for i in range(3)]
        items.append(item(b, "house", "red") if house else item(b, "car", "blue"))
        b.row(d, items, area=0.04, gap=0.03)
        b.add(C, kind, exp, spec, d, note)

    def cat_box(kind: str, exp: bool, note: str, *, cat_later: bool = True) -> None:
        spec = cspec("an orange cat in front of a blue box",
                     [{"noun": "cat", "color": "orange"}, {"noun": "box", "color": "blue"}],
                     [{"a": "cat", "relation": "in front of", "b": "box"}])
        d = b.doc()
        ka, kb = b.overlap_pair(d, item(b, "cat", "orange"), item(b, "box", "blue"), 0.45,
                                a_first=not cat_later)
        b.add(C, kind, exp, spec, d, note, [("overlap", ka, kb, 0.03)])

    def box_table(kind: str, exp: bool, note: str, *, shape: str = "square") -> None:
        spec = cspec("a blue square box on top of a brown table",
                     [{"noun": "box", "color": "blue", "shape": "square"},
                      {"noun": "table", "color": "brown"}],
                     [{"a": "box", "relation": "on top of", "b": "table"}])
        d = b.doc(scenery="room")
        bx = shape_item(b, "box", "square", color="blue")
        if shape != "square":
            bx.update(shape="rect", aspect=1.6)
        k1, k2, _, _ = b.pair(d, bx, item(b, "table", "brown"), "v", 0.0)
        b.add(C, kind, exp, spec, d, note, [("v", k1, k2, 0.0)])

    def birds_tree(kind: str, exp: bool, note: str, *, n: int = 2, above: bool = True) -> None:
        spec = cspec("two blue birds above a green tree",
                     [{"noun": "bird", "count": 2, "color": "blue"},
                      {"noun": "tree", "color": "green"}],
                     [{"a": "bird", "relation": "above", "b": "tree"}])
        d = b.doc(scenery="sky")
        W, H = d.W, d.H
        tw = min(d.width_for("tree", 0.07), 0.5 * H / 1.5)
        th = d.height_of("tree", tw)
        bw = min(d.width_for("bird", 0.04), 0.8 * W / n)
        bh = d.height_of("bird", bw)
        ty = 0.96 * H - th if above else 0.04 * H
        kt = b.put(d, item(b, "tree", "green"), (W - tw) / 2, ty, tw)[0]
        by = ty - 0.05 * H - bh if above else ty + th + 0.05 * H
        xs = [0.05 * W + k * (0.9 * W - bw) / max(n - 1, 1) for k in range(n)]
        geo = []
        for k in range(n):
            kb = b.put(d, item(b, "bird", "blue", idx=k + 1), xs[k], by, bw)[0]
            geo.append(("v", kb, kt, -0.05) if above else ("v", kt, kb, -0.05))
        b.add(C, kind, exp, spec, d, note, geo)

    def couch_lamp(kind: str, exp: bool, note: str) -> None:
        spec = cspec("a purple couch below a yellow lamp",
                     [{"noun": "couch", "color": "purple"}, {"noun": "lamp", "color": "yellow"}],
                     [{"a": "couch", "relation": "below", "b": "lamp"}])
        d = b.doc(scenery="room")
        k1, k2, _, _ = b.pair(d, item(b, "lamp", "yellow"),
                              item(b, "sofa", "purple", ann_noun="sofa"), "v", -0.1)
        b.add(C, kind, exp, spec, d, note, [("v", k1, k2, -0.1)])

    def ball_box(kind: str, exp: bool, note: str, f: float) -> None:
        spec = cspec("a red ball hidden by a brown box",
                     [{"noun": "ball", "color": "red"}, {"noun": "box", "color": "brown"}],
                     [{"a": "ball", "relation": "hidden by", "b": "box"}])
        d = b.doc()
        ka, _ = b.hidden_pair(d, item(b, "ball", "red", grad=False),
                              item(b, "box", "brown", grad=False), f)
        b.add(C, kind, exp, spec, d, note, [("hidden_frac", ka, f)])

    apples_bowl("satisfied", True, "two red apples stacked left of a blue bowl", wrap=4)
    clock_table("satisfied", True, "round yellow clock above a brown table")
    trees_house("satisfied", True, "three green trees, red house right of all of them")
    cat_box("satisfied", True, "orange cat drawn over the blue box it overlaps")
    box_table("satisfied", True, "blue square box resting on the brown table")
    birds_tree("satisfied", True, "two blue birds above the green tree")
    couch_lamp("satisfied", True, "purple sofa (couch) below the yellow lamp")
    ball_box("satisfied", True, "70 % of the red ball under the later brown box", 0.7)

    apples_bowl("violated", False, "three apples drawn, exactly two asked", n=3)
    apples_bowl("violated", False, "the bowl is green", bowl_color="green")
    apples_bowl("violated", False, "the apples are right of the bowl", side="right")
    clock_table("violated", False, "the clock is square", shape="square")
    trees_house("violated", False, "no house drawn (a car instead)", house=False)
    cat_box("violated", False, "cat drawn before the box (behind it)", cat_later=False)
    birds_tree("violated", False, "the birds are below the tree", above=False)
    ball_box("violated", False, "only 20 % of the ball is covered", 0.2)

    apples_bowl("near_miss", True, "apples touching the bowl (overlap 0)", gap=0.0)
    apples_bowl("near_miss", True, "two visible apples plus an opacity-0 third one",
                hidden_apples=1)
    apples_bowl("near_miss", True, "no count in the spec (at least one); three apples drawn",
                n=3, count=None)
    clock_table("near_miss", True,
                "clock with gradient fill and an invisible padding rect in its group", pad=True)
    box_table("near_miss", False, "the box is a 1.6:1 rectangle, not square", shape="rect")

    apples_bowl("hack", False, "one visible apple; the second apple is off-canvas", n=1,
                offcanvas=1)
    clock_table("hack", False,
                "blue clock whose group holds a full-canvas yellow backdrop rect",
                clock_color="blue", backdrop=True)
    apples_bowl("hack", False,
                "visible apples right of the bowl; opacity-0 copies on the left",
                side="right", hidden_apples=2, hidden_side="left", count=2)


# -- unannotated (unverifiable) ----------------------------------------------------------------
def build_unannotated(b: Builder) -> None:
    rng = b.rng
    scenes = [
        (b.sgp("color", "a red apple", {"colors": ["red"], "nouns": ["apple"]}), ["apple"],
         ["red"]),
        (b.sgp("color", "a blue car and a green tree",
               {"colors": ["blue", "green"], "nouns": ["car", "tree"]}), ["car", "tree"],
         ["blue", "green"]),
        (b.sgp("shape", "a round clock", {"shapes": ["round"], "nouns": ["clock"]}), ["clock"],
         ["yellow"]),
        (b.sgp("2d_spatial", "a cat on the left of a dog",
               {"relation": "on the left of", "nouns": ["cat", "dog"]}), ["cat", "dog"], None),
        (b.sgp("2d_spatial", "a bird above a house",
               {"relation": "above", "nouns": ["bird", "house"]}), ["house", "bird"], None),
        (b.sgp("3d_spatial", "a tree in front of a house",
               {"relation": "in front of", "nouns": ["tree", "house"]}), ["house", "tree"], None),
        (num_spec(b, [("apple", 3)]), ["apple", "apple", "apple"], ["red"] * 3),
        (num_spec(b, [("cat", 2), ("bird", 1)]), ["cat", "cat", "bird"], None),
        (cspec("two red apples to the left of a blue bowl",
               [{"noun": "apple", "count": 2, "color": "red"}, {"noun": "bowl", "color": "blue"}],
               [{"a": "apple", "relation": "left of", "b": "bowl"}]),
         ["apple", "apple", "bowl"], ["red", "red", "blue"]),
        (cspec("a yellow lamp above a purple sofa",
               [{"noun": "lamp", "color": "yellow"}, {"noun": "sofa", "color": "purple"}],
               [{"a": "lamp", "relation": "above", "b": "sofa"}]), ["lamp", "sofa"],
         ["yellow", "purple"]),
        (cspec("a square box", [{"noun": "box", "shape": "square"}]), ["box"], None),
        (b.sgp("color", "a pink flower", {"colors": ["pink"], "nouns": ["flower"]}), ["flower"],
         ["pink"]),
        (num_spec(b, [("car", 2)]), ["car", "car"], None),
        (b.sgp("2d_spatial", "a cup on top of a table",
               {"relation": "on top of", "nouns": ["cup", "table"]}), ["cup", "table"], None),
        (cspec("an orange cat", [{"noun": "cat", "color": "orange"}]), ["cat"], ["orange"]),
        (b.sgp("color", "a green car", {"colors": ["green"], "nouns": ["car"]}), ["car"],
         ["blue"]),
    ]
    for i, (spec, nouns, colors) in enumerate(scenes):
        d = b.doc(annotate=False, title=spec["prompt"] if i % 3 == 0 else "")
        its = []
        for k, n in enumerate(nouns):
            c = colors[k] if colors else natural(rng, n)
            if n == "clock":
                it = shape_item(b, "clock", "round", color=c, ann="")
            else:
                it = item(b, n, c, ann="")
            its.append(it)
        if spec.get("metadata", {}).get("relation") == "above":
            b.pair(d, its[1], its[0], "v", -0.15)
        elif spec.get("metadata", {}).get("relation") == "in front of":
            b.overlap_pair(d, its[1], its[0], 0.35, a_first=False)
        elif spec.get("metadata", {}).get("relation") == "on top of":
            b.pair(d, its[0], its[1], "v", 0.0)
        elif len(its) > 3 or (len(its) == 3 and i != 8):
            b.grid(d, its)
        else:
            b.row(d, its, area=0.045)
        b.add("unannotated", "unverifiable", None, spec, d,
              "objects drawn as plain groups/paths with no id, class or data-object naming them")


# ---------------------------------------------------------------------------------------------
def build_all(seed: int = SEED) -> Builder:
    b = Builder(seed)
    for fn in (build_color, build_shape, build_texture, build_2d, build_3d, build_implicit,
               build_numeracy, build_custom, build_unannotated):
        fn(b)
    return b


def summary(cases: list[dict]) -> str:
    kinds = ["satisfied", "violated", "near_miss", "hack", "unverifiable"]
    cats = ["color", "shape", "texture", "2d_spatial", "3d_spatial", "implicit", "numeracy",
            "custom", "unannotated"]
    cnt = Counter((c["category"], c["kind"]) for c in cases)
    lines = ["| category | " + " | ".join(kinds) + " | total |",
             "|---|" + "---|" * (len(kinds) + 1)]
    for cat in cats:
        row = [cnt[(cat, k)] for k in kinds]
        lines.append(f"| {cat} | " + " | ".join(str(v) for v in row) + f" | {sum(row)} |")
    tot = [sum(cnt[(c, k)] for c in cats) for k in kinds]
    lines.append("| **total** | " + " | ".join(str(v) for v in tot) + f" | {sum(tot)} |")
    exp = Counter(str(c["expected"]).lower() for c in cases)
    lines.append("")
    lines.append(f"expected: true {exp['true']}, false {exp['false']}, null {exp['none']}; "
                 f"wrapped completions: {sum('completion' in c for c in cases)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--no-check", action="store_true",
                    help="skip the svgkit parse/render and geometry sanity checks")
    ap.add_argument("--verbose", action="store_true", help="print the measured geometry")
    args = ap.parse_args(argv)
    b = build_all(args.seed)
    if not args.no_check:
        errors = []
        for case, d, geo in zip(b.cases, b.docs, b.geos):
            try:
                got = check_case(case, d, geo)
                if args.verbose and got:
                    print(case["id"], case["expected"], "; ".join(got))
            except CheckError as e:
                errors.append(str(e))
        if errors:
            print("\n".join(errors), file=sys.stderr)
            print(f"{len(errors)} geometry check(s) failed", file=sys.stderr)
            return 1
    ids = [c["id"] for c in b.cases]
    assert len(ids) == len(set(ids)), "duplicate ids"
    with args.out.open("w", encoding="utf-8") as fh:
        for c in b.cases:
            fh.write(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {len(b.cases)} cases to {args.out}")
    print(summary(b.cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
