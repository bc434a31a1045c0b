"""A deterministic corpus of model-style SVG documents for benchmarks.

The documents look like what a language model writes when asked to "draw a house with a tree and
the sun": ``viewBox="0 0 W H"``, a background rect, named groups (``sun``, ``house``,
``tree-1``, …), circles, ellipses, rects, polygons and paths with quadratic/cubic curves and
arcs, linear and radial gradients in ``<defs>``, strokes (some dashed), opacity, transforms,
``<text>`` labels, comments, and now and then a ``<use>`` or a ``clipPath``. Each is 1–10 KB.

Usage::

    python benchmarks/corpus.py --n 200 --out benchmarks/corpus/   # write files
    python -c "import corpus; print(len(corpus.generate(200, 0)))"  # in memory (from benchmarks/)

Document ``i`` depends only on ``(seed, i)``: ``generate(50, s)`` is a prefix of
``generate(200, s)``.
"""

from __future__ import annotations

import argparse
import functools
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["MAX_BYTES", "MIN_BYTES", "generate", "generate_one"]

MIN_BYTES = 1024
MAX_BYTES = 10 * 1024

PALETTE = {
    "sky": ["#87CEEB", "#a8dadc", "#bde0fe", "skyblue", "#cfe8ff", "lightblue"],
    "night": ["#0b1d3a", "#1d3557", "#14213d", "midnightblue"],
    "grass": ["#2a9d8f", "#4caf50", "#6ab04c", "forestgreen", "#3a7d44", "green"],
    "earth": ["#8B4513", "#a0522d", "#6d4c41", "saddlebrown", "#795548"],
    "warm": ["#FFD700", "#ffb703", "#fb8500", "orange", "gold", "#f4a261", "#e76f51"],
    "red": ["#e63946", "#c0392b", "tomato", "crimson", "#d62828", "red"],
    "cool": ["#457b9d", "#264653", "steelblue", "#2b2d42", "navy", "#3d5a80"],
    "light": ["#ffffff", "white", "#f1faee", "#fdfcdc", "#f8f9fa", "#eeeeee"],
    "dark": ["#333", "#222222", "black", "#2d3436", "#444"],
}


class _Doc:
    """Accumulates the parts of one document."""

    def __init__(self, rng: random.Random, width: int, height: int) -> None:
        self.rng = rng
        self.width = width
        self.height = height
        self.defs: list[str] = []
        self.body: list[str] = []
        self.n_gradients = 0
        self.symbols: list[str] = []

    def color(self, family: str) -> str:
        return self.rng.choice(PALETTE[family])

    def num(self, value: float) -> str:
        # models mostly write integers, sometimes one decimal
        if self.rng.random() < 0.7:
            return str(round(value))
        return f"{value:.1f}"

    def gradient(self, kind: str, colors: list[str]) -> str:
        self.n_gradients += 1
        gid = f"{kind}Grad{self.n_gradients}"
        stops = "\n".join(
            f'      <stop offset="{round(100 * k / (len(colors) - 1))}%" '
            f'style="stop-color:{c};stop-opacity:1" />'
            for k, c in enumerate(colors)
        )
        if kind == "linear":
            x2, y2 = self.rng.choice([("0%", "100%"), ("100%", "0%"), ("100%", "100%")])
            head = f'<linearGradient id="{gid}" x1="0%" y1="0%" x2="{x2}" y2="{y2}">'
            tail = "</linearGradient>"
        else:
            head = f'<radialGradient id="{gid}" cx="50%" cy="50%" r="50%">'
            tail = "</radialGradient>"
        self.defs.append(f"    {head}\n{stops}\n    {tail}")
        return f"url(#{gid})"

    def text(self) -> str:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>'] if self.rng.random() < 0.2 else []
        lines.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}"'
            + (f' width="{self.width}" height="{self.height}"' if self.rng.random() < 0.5 else "")
            + ">"
        )
        if self.defs:
            lines += ["  <defs>", *self.defs, "  </defs>"]
        lines += self.body
        lines.append("</svg>")
        return "\n".join(lines) + "\n"


# --- objects: each appends one commented group (or element) to the body -----------------------


def _background(doc: _Doc) -> None:
    rng = doc.rng
    night = rng.random() < 0.15
    if rng.random() < 0.5:
        fill = doc.gradient(
            "linear",
            [doc.color("night"), doc.color("cool")] if night else [doc.color("sky"), "#ffffff"],
        )
    else:
        fill = doc.color("night" if night else "sky")
    doc.body += [
        "  <!-- Background -->",
        f'  <rect x="0" y="0" width="{doc.width}" height="{doc.height}" fill="{fill}" />',
    ]


def _ground(doc: _Doc) -> None:
    rng, w, h = doc.rng, doc.width, doc.height
    y = h * rng.uniform(0.6, 0.8)
    if rng.random() < 0.5:
        doc.body += [
            "  <!-- Ground -->",
            f'  <rect x="0" y="{doc.num(y)}" width="{w}" height="{doc.num(h - y)}" '
            f'fill="{doc.color("grass")}" />',
        ]
        return
    # rolling hills: cubic and smooth curves
    c1, c2 = y - rng.uniform(10, h * 0.15), y + rng.uniform(0, h * 0.1)
    d = (
        f"M0 {doc.num(y)} C {doc.num(w * 0.25)} {doc.num(c1)}, {doc.num(w * 0.5)} {doc.num(c2)}, "
        f"{doc.num(w * 0.75)} {doc.num(y)} S {w} {doc.num(c1)}, {w} {doc.num(y)} "
        f"L {w} {h} L 0 {h} Z"
    )
    doc.body += [
        "  <!-- Hills -->",
        f'  <path id="hills" d="{d}" fill="{doc.color("grass")}" />',
    ]


def _sun(doc: _Doc) -> None:
    rng = doc.rng
    cx, cy = doc.width * rng.uniform(0.1, 0.9), doc.height * rng.uniform(0.08, 0.3)
    r = min(doc.width, doc.height) * rng.uniform(0.05, 0.1)
    fill = doc.gradient("radial", ["#fff7ae", doc.color("warm")]) if rng.random() < 0.4 else None
    fill = fill or doc.color("warm")
    lines = [
        "  <!-- Sun -->",
        f'  <g id="sun" transform="translate({doc.num(cx)}, {doc.num(cy)})">',
    ]
    lines.append(f'    <circle cx="0" cy="0" r="{doc.num(r)}" fill="{fill}" />')
    n_rays = rng.choice([0, 8, 12])
    ray = doc.color("warm")
    for k in range(n_rays):
        angle = 360 * k / n_rays
        lines.append(
            f'    <line x1="0" y1="{doc.num(-r * 1.2)}" x2="0" y2="{doc.num(-r * 1.6)}" '
            f'stroke="{ray}" stroke-width="3" stroke-linecap="round" '
            f'transform="rotate({doc.num(angle)})" />'
        )
    lines.append("  </g>")
    doc.body += lines


def _cloud(doc: _Doc, index: int) -> None:
    rng = doc.rng
    x, y = doc.width * rng.uniform(0.1, 0.8), doc.height * rng.uniform(0.1, 0.35)
    s = rng.uniform(0.6, 1.4)
    lines = [
        f"  <!-- Cloud {index} -->",
        f'  <g id="cloud-{index}" fill="{doc.color("light")}" opacity="{rng.choice([0.8, 0.9, 1])}"'
        f' transform="translate({doc.num(x)} {doc.num(y)}) scale({s:.2f})">',
    ]
    for _ in range(rng.randint(3, 5)):
        lines.append(
            f'    <ellipse cx="{doc.num(rng.uniform(-30, 30))}" cy="{doc.num(rng.uniform(-8, 8))}" '
            f'rx="{doc.num(rng.uniform(15, 30))}" ry="{doc.num(rng.uniform(10, 18))}" />'
        )
    lines.append("  </g>")
    doc.body += lines


def _house(doc: _Doc) -> None:
    rng = doc.rng
    w = doc.width * rng.uniform(0.25, 0.4)
    h = w * rng.uniform(0.6, 0.9)
    x = doc.width * rng.uniform(0.05, 0.5)
    base = doc.height * rng.uniform(0.7, 0.85)
    y = base - h
    wall = doc.color("light") if rng.random() < 0.3 else doc.color("warm")
    roof = doc.color("red")
    lines = ["  <!-- House -->", '  <g id="house">']
    lines.append(
        f'    <rect id="walls" x="{doc.num(x)}" y="{doc.num(y)}" width="{doc.num(w)}" '
        f'height="{doc.num(h)}" fill="{wall}" stroke="{doc.color("dark")}" stroke-width="2" />'
    )
    lines.append(
        f'    <polygon id="roof" points="{doc.num(x - 10)},{doc.num(y)} '
        f'{doc.num(x + w / 2)},{doc.num(y - h * 0.6)} {doc.num(x + w + 10)},{doc.num(y)}" '
        f'fill="{roof}" stroke="{doc.color("dark")}" stroke-width="2" stroke-linejoin="round" />'
    )
    dw, dh = w * 0.2, h * 0.45
    lines.append(
        f'    <rect id="door" x="{doc.num(x + w / 2 - dw / 2)}" y="{doc.num(base - dh)}" '
        f'width="{doc.num(dw)}" height="{doc.num(dh)}" fill="{doc.color("earth")}" rx="2" />'
    )
    lines.append(
        f'    <circle cx="{doc.num(x + w / 2 + dw * 0.3)}" cy="{doc.num(base - dh / 2)}" r="2" '
        f'fill="{doc.color("warm")}" />'
    )
    win = w * 0.18
    window = (
        f'<rect width="{doc.num(win)}" height="{doc.num(win)}" fill="#a8dadc" '
        f'stroke="{doc.color("dark")}" stroke-width="2" />'
    )
    wy = y + h * 0.2
    if rng.random() < 0.35:
        # a window defined once and reused, as models sometimes do
        doc.defs.append(f'    <g id="window">{window}</g>')
        for wx in (x + w * 0.12, x + w * 0.7):
            lines.append(f'    <use href="#window" x="{doc.num(wx)}" y="{doc.num(wy)}" />')
    else:
        for wx in (x + w * 0.12, x + w * 0.7):
            lines.append(
                f'    <rect x="{doc.num(wx)}" y="{doc.num(wy)}" width="{doc.num(win)}" '
                f'height="{doc.num(win)}" fill="#a8dadc" stroke="{doc.color("dark")}" '
                'stroke-width="2" />'
            )
            lines.append(
                f'    <line x1="{doc.num(wx + win / 2)}" y1="{doc.num(wy)}" '
                f'x2="{doc.num(wx + win / 2)}" y2="{doc.num(wy + win)}" '
                f'stroke="{doc.color("dark")}" stroke-width="1" />'
            )
    if rng.random() < 0.4:
        cx = x + w * 0.75
        lines.append(
            f'    <rect id="chimney" x="{doc.num(cx)}" y="{doc.num(y - h * 0.45)}" width="12" '
            f'height="{doc.num(h * 0.3)}" fill="{doc.color("earth")}" />'
        )
    lines.append("  </g>")
    doc.body += lines


def _tree(doc: _Doc, index: int) -> None:
    rng = doc.rng
    x = doc.width * rng.uniform(0.05, 0.95)
    base = doc.height * rng.uniform(0.72, 0.9)
    th = doc.height * rng.uniform(0.08, 0.15)
    lines = [f"  <!-- Tree {index} -->", f'  <g id="tree-{index}">']
    lines.append(
        f'    <rect x="{doc.num(x - 6)}" y="{doc.num(base - th)}" width="12" height="{doc.num(th)}"'
        f' fill="{doc.color("earth")}" />'
    )
    green = doc.color("grass")
    style = rng.random()
    if style < 0.4:
        r = rng.uniform(20, 40)
        lines.append(
            f'    <circle cx="{doc.num(x)}" cy="{doc.num(base - th - r * 0.6)}" r="{doc.num(r)}" '
            f'fill="{green}" />'
        )
    elif style < 0.7:
        for k in range(3):
            r = rng.uniform(14, 26)
            lines.append(
                f'    <ellipse cx="{doc.num(x + (k - 1) * r * 0.8)}" '
                f'cy="{doc.num(base - th - r * (0.4 + 0.3 * (k == 1)))}" rx="{doc.num(r)}" '
                f'ry="{doc.num(r * 0.85)}" fill="{green}" opacity="0.95" />'
            )
    else:
        top = base - th - rng.uniform(50, 90)
        lines.append(
            f'    <polygon points="{doc.num(x)},{doc.num(top)} '
            f"{doc.num(x - 28)},{doc.num(base - th)}"
            f' {doc.num(x + 28)},{doc.num(base - th)}" fill="{green}" />'
        )
    lines.append("  </g>")
    doc.body += lines


def _road(doc: _Doc) -> None:
    rng = doc.rng
    y = doc.height * rng.uniform(0.85, 0.95)
    w = doc.width
    lines = ["  <!-- Road -->", '  <g id="road">']
    lines.append(
        f'    <path d="M0 {doc.num(y)} Q {doc.num(w / 2)} {doc.num(y - 30)} {w} {doc.num(y)}" '
        f'stroke="{doc.color("dark")}" stroke-width="24" fill="none" />'
    )
    lines.append(
        f'    <path d="M0 {doc.num(y)} Q {doc.num(w / 2)} {doc.num(y - 30)} {w} {doc.num(y)}" '
        f'stroke="#ffffff" stroke-width="2" stroke-dasharray="12 8" fill="none" />'
    )
    lines.append("  </g>")
    doc.body += lines


def _flower(doc: _Doc, index: int) -> None:
    rng = doc.rng
    x, y = doc.width * rng.uniform(0.05, 0.95), doc.height * rng.uniform(0.8, 0.95)
    petal = doc.color("red") if rng.random() < 0.5 else doc.color("warm")
    lines = [
        f'  <g id="flower-{index}" transform="translate({doc.num(x)} {doc.num(y)})">',
        f'    <path d="M0 0 Q -4 -12 0 -24" stroke="{doc.color("grass")}" stroke-width="2" '
        'fill="none" />',
    ]
    for k in range(5):
        lines.append(
            f'    <ellipse cx="0" cy="-30" rx="3" ry="6" fill="{petal}" '
            f'transform="rotate({72 * k} 0 -24)" />'
        )
    lines.append(f'    <circle cx="0" cy="-24" r="3" fill="{doc.color("warm")}" />')
    lines.append("  </g>")
    doc.body += lines


def _car(doc: _Doc) -> None:
    rng = doc.rng
    x, y = doc.width * rng.uniform(0.1, 0.6), doc.height * rng.uniform(0.75, 0.88)
    body = doc.color("red") if rng.random() < 0.5 else doc.color("cool")
    s = rng.uniform(0.8, 1.3)
    d = "M0 20 L10 20 L22 4 A6 6 0 0 1 27 2 L68 2 A6 6 0 0 1 73 5 L86 20 L100 22 L100 36 L0 36 Z"
    doc.body += [
        "  <!-- Car -->",
        f'  <g id="car" transform="translate({doc.num(x)},{doc.num(y)}) scale({s:.2f})">',
        f'    <path d="{d}" fill="{body}" stroke="{doc.color("dark")}" stroke-width="1.5" />',
        '    <rect x="28" y="8" width="18" height="11" fill="#a8dadc" rx="2" />',
        '    <rect x="52" y="8" width="18" height="11" fill="#a8dadc" rx="2" />',
        f'    <circle cx="22" cy="36" r="9" fill="{doc.color("dark")}" />',
        f'    <circle cx="78" cy="36" r="9" fill="{doc.color("dark")}" />',
        '    <circle cx="22" cy="36" r="4" fill="#cccccc" />',
        '    <circle cx="78" cy="36" r="4" fill="#cccccc" />',
        "  </g>",
    ]


def _bird(doc: _Doc, index: int) -> None:
    rng = doc.rng
    x, y = doc.width * rng.uniform(0.1, 0.9), doc.height * rng.uniform(0.1, 0.4)
    s = rng.uniform(6, 14)
    doc.body.append(
        f'  <path id="bird-{index}" d="M{doc.num(x - s)} {doc.num(y)} '
        f"q {doc.num(s / 2)} {doc.num(-s / 2)} {doc.num(s)} 0 "
        f'q {doc.num(s / 2)} {doc.num(-s / 2)} {doc.num(s)} 0" '
        f'stroke="{doc.color("dark")}" stroke-width="2" fill="none" stroke-linecap="round" />'
    )


def _star(doc: _Doc, index: int) -> None:
    rng = doc.rng
    cx, cy = doc.width * rng.uniform(0.05, 0.95), doc.height * rng.uniform(0.05, 0.4)
    r1 = rng.uniform(4, 12)
    pts = []
    for k in range(10):
        r = r1 if k % 2 == 0 else r1 * 0.45
        a = math.pi / 5 * k - math.pi / 2
        pts.append(f"{cx + r * math.cos(a):.1f},{cy + r * math.sin(a):.1f}")
    doc.body.append(
        f'  <polygon id="star-{index}" points="{" ".join(pts)}" fill="{doc.color("warm")}" />'
    )


def _label(doc: _Doc) -> None:
    rng = doc.rng
    words = rng.choice(
        ["My House", "Sunny Day", "Home Sweet Home", "Nature", "Summer", "A Quiet Street"]
    )
    size = rng.choice([16, 20, 24, 28])
    anchor = rng.choice(['text-anchor="middle" ', ""])
    x = doc.width / 2 if anchor else doc.width * 0.05
    doc.body += [
        "  <!-- Title -->",
        f'  <text x="{doc.num(x)}" y="{doc.num(doc.height * 0.08 + size)}" {anchor}'
        f'font-family="Arial, sans-serif" font-size="{size}" font-weight="bold" '
        f'fill="{doc.color("dark")}">{words}</text>',
    ]


def _fence(doc: _Doc) -> None:
    rng = doc.rng
    y = doc.height * rng.uniform(0.72, 0.82)
    color = doc.color("light")
    doc.defs.append(
        f'    <clipPath id="fence-clip"><rect x="0" y="{doc.num(y - 40)}" '
        f'width="{doc.num(doc.width * 0.6)}" height="60" /></clipPath>'
    )
    lines = ["  <!-- Fence -->", '  <g id="fence" clip-path="url(#fence-clip)">']
    for k in range(0, doc.width, 24):
        lines.append(
            f'    <rect x="{k}" y="{doc.num(y - 30)}" width="10" height="34" fill="{color}" '
            f'stroke="{doc.color("dark")}" stroke-width="0.5" />'
        )
        if len(lines) > 20:
            break
    lines.append("  </g>")
    doc.body += lines


def _pond(doc: _Doc) -> None:
    rng = doc.rng
    cx, cy = doc.width * rng.uniform(0.5, 0.85), doc.height * rng.uniform(0.82, 0.92)
    fill = doc.gradient("radial", ["#bde0fe", doc.color("cool")])
    doc.body += [
        "  <!-- Pond -->",
        f'  <ellipse id="pond" cx="{doc.num(cx)}" cy="{doc.num(cy)}" '
        f'rx="{doc.num(doc.width * 0.12)}" ry="{doc.num(doc.height * 0.04)}" fill="{fill}" '
        'opacity="0.85" />',
    ]


_EXTRAS: list[tuple[float, Callable[..., None], bool]] = [
    # (probability, painter, takes an index)
    (0.6, _cloud, True),
    (0.5, _tree, True),
    (0.3, _flower, True),
    (0.25, _bird, True),
    (0.15, _star, True),
    (0.2, _car, False),
    (0.25, _road, False),
    (0.1, _fence, False),
    (0.2, _pond, False),
]


def generate_one(seed: int, index: int) -> str:
    """Document ``index`` of the corpus with ``seed`` (1–10 KB).

    Examples
    --------
    >>> text = generate_one(0, 3)
    >>> text.lstrip().startswith(("<svg", "<?xml")) and MIN_BYTES <= len(text) <= MAX_BYTES
    True
    """
    rng = random.Random(seed * 1_000_003 + index)
    width, height = rng.choice([(400, 300), (512, 512), (800, 600), (600, 400), (300, 300)])
    doc = _Doc(rng, width, height)
    _background(doc)
    if rng.random() < 0.85:
        _sun(doc)
    _ground(doc)
    counters: dict[str, int] = {}
    painters: list[Callable[[], None]] = []
    if rng.random() < 0.7:
        painters.append(functools.partial(_house, doc))
    for probability, painter, indexed in _EXTRAS:
        repeats = rng.randint(1, 4) if indexed else 1
        for _ in range(repeats):
            if rng.random() < probability:
                if indexed:
                    n = counters[painter.__name__] = counters.get(painter.__name__, 0) + 1
                    painters.append(functools.partial(painter, doc, n))
                else:
                    painters.append(functools.partial(painter, doc))
    rng.shuffle(painters)
    if rng.random() < 0.5:
        painters.append(functools.partial(_label, doc))
    for paint in painters:
        before = (len(doc.body), len(doc.defs), doc.n_gradients)
        paint()
        if len(doc.text().encode()) > MAX_BYTES:
            # drop the object that overflowed the size budget
            del doc.body[before[0] :]
            del doc.defs[before[1] :]
            break
    k = 0
    while len(doc.text().encode()) < MIN_BYTES:
        k += 1
        _tree(doc, 100 + k)
    return doc.text()


def generate(n: int = 200, seed: int = 0) -> list[str]:
    """``n`` model-style SVG documents, deterministic in ``(n, seed)``.

    Examples
    --------
    >>> docs = generate(3, seed=1)
    >>> len(docs), docs == generate(3, seed=1)
    (3, True)
    """
    if n < 0:
        raise ValueError(f"Expected `n` to be a non-negative int, but got {n}")
    return [generate_one(seed, i) for i in range(n)]


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the model-style SVG benchmark corpus.")
    parser.add_argument("--n", type=int, default=200, help="number of documents (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/corpus"), help="directory")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    docs = generate(args.n, args.seed)
    for i, text in enumerate(docs):
        (args.out / f"scene_{args.seed}_{i:04d}.svg").write_text(text, encoding="utf-8")
    sizes = sorted(len(t.encode()) for t in docs)
    if sizes:
        print(
            f"wrote {len(docs)} documents to {args.out} "
            f"(bytes: min {sizes[0]}, median {sizes[len(sizes) // 2]}, max {sizes[-1]})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(_main())
