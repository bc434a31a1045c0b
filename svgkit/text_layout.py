"""SVG 2 §11 text layout: per-character positions, spacing, ``textLength`` and ``<textPath>``.

The builder (:mod:`svgkit.build.text`) collects a ``<text>`` element's addressable characters
(white space already handled) as :class:`Segment` runs and resolves the ``x``/``y``/``dx``/``dy``
/``rotate`` lists into one value (or ``None``) per character (:class:`CharPositions`). This
module then:

1. splits the characters into text chunks, one at every absolute ``x`` or ``y`` and at every
   ``<textPath>`` boundary;
2. shapes each chunk with HarfBuzz (:func:`svgkit.fonts.shape_text`), consecutive segments in
   the same font as one string, and cuts the glyphs into typographic characters (HarfBuzz
   clusters: a base and its marks, a ligature), which move as one, placed by the values of
   their first character (the other characters' values are consumed and ignored);
3. walks the characters with the current text position: ``dx``/``dy`` move it, ``rotate`` turns
   the character, ``letter-spacing`` is added between characters and ``word-spacing`` after
   spaces;
4. applies ``textLength`` (inner elements first; ``spacing`` spreads the difference over the
   gaps, ``spacingAndGlyphs`` scales positions and glyphs horizontally) and shifts the
   characters after the element by the difference;
5. shifts each chunk for ``text-anchor`` by its real extent;
6. bends chunks on a ``<textPath>``: each character's advance midpoint goes on the path, the
   character rotated to the tangent there; characters whose midpoint is off the path are hidden.
"""

from __future__ import annotations

import bisect
import itertools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import fonts
from .paths import Command, iter_segments
from .scene import Glyph

__all__ = [
    "CharPositions",
    "bidi_levels",
    "Cluster",
    "LengthRule",
    "PathGeometry",
    "PathPlacement",
    "Segment",
    "decoration_quads",
    "is_mark",
    "layout_text",
]

# characters that join the typographic character before them: combining marks, joiners and
# variation selectors (HarfBuzz clusters catch the rest, e.g. ligatures)
_JOINERS = frozenset("\u200d\u034f") | frozenset(chr(c) for c in range(0xFE00, 0xFE10))
_SPACES = frozenset(" \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009")
_CUBIC_STEPS = 24


def is_mark(ch: str, prev: str) -> bool:
    """True when ``ch`` continues the typographic character ``prev`` started (a combining mark,
    a joiner or variation selector, or anything after a zero-width joiner).

    Examples
    --------
    >>> is_mark("\\u0306", "и"), is_mark("b", "a")
    (True, False)
    """
    if ch in _JOINERS or prev == "\u200d":
        return True
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


@dataclass(frozen=True)
class Segment:
    """Consecutive characters of one text node: their font (``span``; its ``dx`` is unused),
    ``letter_spacing`` and ``word_spacing`` in user units, ``baseline_shift`` (user units,
    positive up), ``anchor`` (``text-anchor`` of the element holding them) and ``path``, the
    index of the ``<textPath>`` they lie on (``-1``: none)."""

    text: str
    span: fonts.TextSpan
    letter_spacing: float = 0.0
    word_spacing: float = 0.0
    baseline_shift: float = 0.0
    anchor: str = "start"
    path: int = -1


@dataclass
class CharPositions:
    """Resolved ``x``, ``y``, ``dx``, ``dy`` and ``rotate`` per addressable character
    (``None`` where no list gives a value)."""

    x: list[float | None]
    y: list[float | None]
    dx: list[float | None]
    dy: list[float | None]
    rotate: list[float | None]

    @classmethod
    def empty(cls, n: int) -> CharPositions:
        """No values for ``n`` characters."""
        return cls([None] * n, [None] * n, [None] * n, [None] * n, [None] * n)


@dataclass(frozen=True)
class LengthRule:
    """A ``textLength`` on the element holding characters ``[start, end)``: ``length`` in user
    units and ``glyphs`` true for ``lengthAdjust="spacingAndGlyphs"``. ``depth`` orders nested
    elements (inner ones are adjusted first)."""

    start: int
    end: int
    length: float
    glyphs: bool
    depth: int


class PathGeometry:
    """A flattened path for ``<textPath>``: position and tangent at a distance along it.

    Examples
    --------
    >>> geo = PathGeometry([[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]])
    >>> geo.length, geo.at(15.0)
    (20.0, (10.0, 5.0, 1.5707963267948966))
    >>> geo.at(25.0) is None
    True
    """

    def __init__(self, subpaths: Sequence[Sequence[tuple[float, float]]]) -> None:
        # each segment: start point, unit direction, start distance, length
        self._segs: list[tuple[float, float, float, float, float, float]] = []
        total = 0.0
        for pts in subpaths:
            for (x0, y0), (x1, y1) in itertools.pairwise(pts):
                seg_len = math.hypot(x1 - x0, y1 - y0)
                if not (seg_len > 1e-12 and math.isfinite(seg_len)):
                    continue
                self._segs.append(
                    (x0, y0, (x1 - x0) / seg_len, (y1 - y0) / seg_len, total, seg_len)
                )
                total += seg_len
        self.length = total
        self._starts = [s[4] for s in self._segs]

    @classmethod
    def from_commands(
        cls, codes: Sequence[int], points: Sequence[float], transform: Sequence[float]
    ) -> PathGeometry:
        """Flatten MOVE/LINE/CUBIC/CLOSE commands (``points`` flat), mapped by ``transform``
        (an affine ``a, b, c, d, e, f``)."""
        a, b, c, d, e, f = transform

        def tx(x: float, y: float) -> tuple[float, float]:
            return (a * x + c * y + e, b * x + d * y + f)

        subpaths: list[list[tuple[float, float]]] = []
        cur: list[tuple[float, float]] = []
        start = last = (0.0, 0.0)
        for command, xy in iter_segments(codes, points):
            if command == Command.MOVE:
                if len(cur) > 1:
                    subpaths.append(cur)
                start = last = (xy[0], xy[1])
                cur = [tx(*start)]
            elif command == Command.LINE:
                last = (xy[0], xy[1])
                cur.append(tx(*last))
            elif command == Command.CUBIC:
                x0, y0 = last
                x1, y1, x2, y2, x3, y3 = xy
                for k in range(1, _CUBIC_STEPS + 1):
                    t = k / _CUBIC_STEPS
                    u = 1.0 - t
                    w0, w1, w2, w3 = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
                    cur.append(
                        tx(
                            w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3,
                            w0 * y0 + w1 * y1 + w2 * y2 + w3 * y3,
                        )
                    )
                last = (x3, y3)
            else:  # CLOSE
                cur.append(tx(*start))
                last = start
        if len(cur) > 1:
            subpaths.append(cur)
        return cls(subpaths)

    def reversed(self) -> PathGeometry:
        """The same path walked from its end (``side="right"``)."""
        out: list[tuple[float, float]] = []
        for x, y, ux, uy, _s, n in reversed(self._segs):
            out.append((x + ux * n, y + uy * n))
            out.append((x, y))
        # consecutive pairs: segments joined where the path was continuous
        subpaths: list[list[tuple[float, float]]] = []
        for k in range(0, len(out), 2):
            p, q = out[k], out[k + 1]
            if subpaths and math.dist(subpaths[-1][-1], p) < 1e-9:
                subpaths[-1].append(q)
            else:
                subpaths.append([p, q])
        return PathGeometry(subpaths)

    def at(self, dist: float) -> tuple[float, float, float] | None:
        """``(x, y, angle)`` at ``dist`` along the path (angle in radians), or ``None`` off it."""
        if not self._segs or not (0.0 <= dist <= self.length):
            return None
        lo, hi = 0, len(self._starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._starts[mid] <= dist:
                lo = mid
            else:
                hi = mid - 1
        x, y, ux, uy, s, _n = self._segs[lo]
        t = dist - s
        return (x + ux * t, y + uy * t, math.atan2(uy, ux))


@dataclass(frozen=True)
class PathPlacement:
    """A ``<textPath>``: its geometry (in the text's user space) and where its text starts."""

    geometry: PathGeometry
    start_offset: float


@dataclass(slots=True)
class Cluster:
    """One typographic character as placed: segment ``seg``, global index ``char`` of its first
    character and ``n_chars`` characters; its glyphs with their offsets from the cluster
    origin; origin ``x``, ``y`` (user space, baseline), ``rotate`` in degrees, horizontal
    ``scale``, ``width`` (advance, scale applied) and ``gap`` (spacing after it). ``hidden``
    clusters (off their path) are not drawn."""

    seg: int
    char: int
    n_chars: int
    width: float
    glyphs: list[tuple[Glyph, float, float]] = field(default_factory=list)
    shaped: bool = True
    x: float = 0.0
    y: float = 0.0
    rotate: float = 0.0
    scale: float = 1.0
    gap: float = 0.0
    chunk: int = 0
    on_path: bool = False
    hidden: bool = False

    def point(self, u: float, v: float) -> tuple[float, float]:
        """User-space point at ``(u, v)`` in the cluster's frame (``u`` along its advance,
        ``v`` down from its baseline)."""
        if self.rotate == 0.0:
            return (self.x + u, self.y + v)
        rad = math.radians(self.rotate)
        c, s = math.cos(rad), math.sin(rad)
        return (self.x + c * u - s * v, self.y + s * u + c * v)

    def placed_glyphs(self, baseline: float, seg_start: int) -> list[Glyph]:
        """The cluster's glyphs in run coordinates (``y`` from ``baseline``, ``cluster`` from
        ``seg_start``)."""
        out = []
        cluster, rotate, scale = self.char - seg_start, self.rotate, self.scale
        for g, ox, oy in self.glyphs:
            gx, gy = self.point(ox * scale, oy)
            out.append(
                Glyph(
                    g.font_file, g.face_index, g.glyph_id, gx, gy - baseline, cluster, rotate, scale
                )
            )
        return out


def _usable(size: float) -> float:
    return size if math.isfinite(size) and size > 0 else 0.0


def _clusters_of(
    text: str, span: fonts.TextSpan, seg_of: Sequence[int], base: int
) -> list[Cluster]:
    """The typographic characters of one string in one font, in visual order."""
    size = _usable(span.size)
    shaped = fonts.shape_text(text, span) if size > 0 else None
    if shaped is None:
        est = fonts.ESTIMATED_ADVANCE_EM * size
        return [Cluster(seg_of[k], base + k, 1, est, shaped=False) for k in range(len(text))]
    glyphs, advances, _total = shaped
    by_char: dict[int, Cluster] = {}
    order: list[Cluster] = []
    pen = 0.0
    for g, adv in zip(glyphs, advances):
        c = by_char.get(g.cluster)
        if c is None:
            k = min(max(g.cluster, 0), len(text) - 1)
            c = Cluster(seg_of[k], base + k, 1, 0.0)
            c.x = pen  # the cluster's origin, before any placement
            by_char[g.cluster] = c
            order.append(c)
        c.glyphs.append((g, g.x - c.x, g.y))
        c.width += adv
        pen += adv
    starts = sorted(by_char)
    for a, b in zip(starts, [*starts[1:], len(text)]):
        by_char[a].n_chars = max(b - a, 1)
    # characters before the first cluster (none in practice) would be lost: give them to it
    for c in order:
        c.x = 0.0
    return order


def layout_text(
    segments: Sequence[Segment],
    positions: CharPositions,
    lengths: Sequence[LengthRule] = (),
    paths: Sequence[PathPlacement] = (),
) -> list[Cluster]:
    """Place every typographic character of one ``<text>`` (see the module docstring).

    Returns the clusters in display order, each with its final origin in user space.

    Examples
    --------
    >>> segs = [Segment("ab", fonts.TextSpan("ab", ("sans-serif",), 10.0))]
    >>> pos = CharPositions.empty(2)
    >>> pos.x[0], pos.dy[1] = 5.0, 3.0
    >>> a, b = layout_text(segs, pos)
    >>> a.x, a.y, b.y
    (5.0, 0.0, 3.0)
    """
    text = "".join(s.text for s in segments)
    n = len(text)
    seg_of: list[int] = []
    for k, s in enumerate(segments):
        seg_of.extend([k] * len(s.text))
    pos = positions
    # values on the later characters of a typographic character are consumed but unused
    for i in range(1, 0 if text.isascii() else n):  # ASCII has no marks or joiners
        if is_mark(text[i], text[i - 1]) and seg_of[i] == seg_of[i - 1]:
            pos.x[i] = pos.y[i] = pos.dx[i] = pos.dy[i] = pos.rotate[i] = None
    chunk_starts = [
        i
        for i in range(n)
        if i == 0
        or pos.x[i] is not None
        or pos.y[i] is not None
        or segments[seg_of[i]].path != segments[seg_of[i - 1]].path
    ]
    chunk_of = [0] * n
    for ci, (a, b) in enumerate(zip(chunk_starts, [*chunk_starts[1:], n])):
        for i in range(a, b):
            chunk_of[i] = ci
    # each textLength applies within one chunk: bucket the rules by it, inner elements first
    rules: dict[int, list[LengthRule]] = {}
    for rule in sorted(lengths, key=lambda r: -r.depth):
        if 0 <= rule.start < rule.end <= n and chunk_of[rule.start] == chunk_of[rule.end - 1]:
            rules.setdefault(chunk_of[rule.start], []).append(rule)
    out: list[Cluster] = []
    pen_x = pen_y = 0.0
    current_path = -1
    for ci, (a, b) in enumerate(zip(chunk_starts, [*chunk_starts[1:], n])):
        clusters = _shape_chunk(text, segments, seg_of, a, b)
        path = segments[seg_of[a]].path
        if path != current_path:
            if path >= 0:
                pen_x, pen_y = paths[path].start_offset, 0.0
            current_path = path
        if pos.x[a] is not None:
            pen_x = pos.x[a]  # type: ignore[assignment]
        if pos.y[a] is not None and path < 0:
            pen_y = pos.y[a]  # type: ignore[assignment]
        for c in clusters:
            seg = segments[c.seg]
            pen_x += pos.dx[c.char] or 0.0
            pen_y += pos.dy[c.char] or 0.0
            c.x, c.y = pen_x, pen_y - seg.baseline_shift
            c.rotate = pos.rotate[c.char] or 0.0
            c.chunk = ci
            pen_x += c.width
            chars = text[c.char : c.char + c.n_chars]
            c.gap = seg.letter_spacing + (
                seg.word_spacing if any(ch in _SPACES for ch in chars) else 0.0
            )
            pen_x += c.gap
        _apply_lengths(clusters, rules.get(ci, ()))
        if clusters:
            anchor = segments[seg_of[a]].anchor
            lo = min(c.x for c in clusters)
            hi = max(c.x + c.width for c in clusters)
            shift = {"middle": clusters[0].x - (lo + hi) / 2.0, "end": clusters[0].x - hi}.get(
                anchor, 0.0
            )
            if shift:
                for c in clusters:
                    c.x += shift
            last = clusters[-1]
            pen_x = last.x + last.width + last.gap
            if path >= 0:
                pen_x, pen_y = _bend(clusters, paths[path].geometry, pen_x, pen_y)
                current_path = -2  # text after the path goes on from where the path ended
        out.extend(clusters)
    return out


def _shape_chunk(
    text: str, segments: Sequence[Segment], seg_of: Sequence[int], a: int, b: int
) -> list[Cluster]:
    """Clusters of characters ``[a, b)`` in visual order.

    The chunk is cut into runs of one bidi level and one font (segments in one font are shaped
    as one string, so kerning and ligatures cross ``<tspan>`` boundaries); HarfBuzz returns each
    right-to-left run in visual order and the runs are then reordered by their levels (UAX #9
    rule L2).
    """
    levels = bidi_levels(text[a:b])
    runs: list[tuple[int, list[Cluster]]] = []
    i = a
    while i < b:
        key = segments[seg_of[i]].span.font_key()
        level = levels[i - a]
        j = i + 1
        while j < b and levels[j - a] == level and segments[seg_of[j]].span.font_key() == key:
            j += 1
        runs.append((level, _clusters_of(text[i:j], segments[seg_of[i]].span, seg_of[i:j], i)))
        i = j
    top = max((lv for lv, _c in runs), default=0)
    for level in range(top, 0, -1):
        k = 0
        while k < len(runs):
            if runs[k][0] >= level:
                m = k
                while m < len(runs) and runs[m][0] >= level:
                    m += 1
                runs[k:m] = runs[k:m][::-1]
                k = m
            else:
                k += 1
    return [c for _lv, clusters in runs for c in clusters]


def bidi_levels(text: str) -> list[int]:
    """Embedding levels of a left-to-right paragraph (CSS ``direction: ltr``, the SVG default):
    0 for left-to-right text, 1 for right-to-left text, 2 for numbers inside it; neutrals take
    the direction on both sides when it agrees, else the paragraph's (a simplified UAX #9
    without explicit embeddings).

    Examples
    --------
    >>> bidi_levels("ab \u05d0\u05d1 12 \u05d2.")
    [0, 0, 0, 1, 1, 1, 2, 2, 1, 1, 0]
    """
    if text.isascii():
        return [0] * len(text)  # no right-to-left letters: one left-to-right run
    kinds: list[str] = []
    last_strong = "L"
    for ch in text:
        t = unicodedata.bidirectional(ch)
        if t in ("R", "AL"):
            k = last_strong = "R"
        elif t == "L":
            k = last_strong = "L"
        elif t in ("EN", "AN"):
            k = "D" if last_strong == "R" else "L"
        elif t == "NSM":
            k = kinds[-1] if kinds else "N"
        else:
            k = "N"
        kinds.append(k)
    levels = [{"R": 1, "D": 2, "L": 0}.get(k, 0) for k in kinds]
    i = 0
    n = len(kinds)
    while i < n:
        if kinds[i] != "N":
            i += 1
            continue
        j = i
        while j < n and kinds[j] == "N":
            j += 1
        # numbers count as right-to-left for the neutrals next to them (UAX #9 N1)
        before = kinds[i - 1] if i > 0 else "L"
        after = kinds[j] if j < n else "L"
        rtl = before in ("R", "D") and after in ("R", "D")
        levels[i:j] = [1 if rtl else 0] * (j - i)
        i = j
    return levels


def _apply_lengths(clusters: list[Cluster], rules: Sequence[LengthRule]) -> None:
    """``textLength`` of the elements lying within one chunk, inner elements first.

    Shifting "every character after the element" is kept as pending offsets in a Fenwick tree
    over the characters in logical order, so many elements cost ``O(n log n)``, not ``O(n²)``.
    """
    if not rules or not clusters:
        return
    logical = sorted(clusters, key=lambda c: c.char)
    chars = [c.char for c in logical]
    size = len(logical)
    tree = [0.0] * (size + 1)

    def shift_from(i: int, delta: float) -> None:
        i += 1
        while i <= size:
            tree[i] += delta
            i += i & -i

    def pending(i: int) -> float:
        total = 0.0
        i += 1
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    for rule in rules:
        i0 = bisect.bisect_left(chars, rule.start)
        i1 = bisect.bisect_left(chars, rule.end)
        if i1 <= i0:
            continue
        for i in range(i0, i1):  # bring the element's characters up to date
            logical[i].x += pending(i)
        mine = logical[i0:i1]
        lo = min(c.x for c in mine)
        hi = max(c.x + c.width for c in mine)
        delta = rule.length - (hi - lo)
        if rule.glyphs:
            if hi - lo <= 0:
                delta = 0.0
            else:
                s = rule.length / (hi - lo)
                for c in mine:
                    c.x = lo + (c.x - lo) * s
                    c.width *= s
                    c.scale *= s
        elif len(mine) > 1:
            # the element's characters then span the length; the same step follows its last
            # character too, so the text after it keeps the rhythm (as resvg draws it)
            step = delta / (len(mine) - 1)
            for k, c in enumerate(sorted(mine, key=lambda c: c.x)):
                c.x += k * step
            delta = step * len(mine)
        else:
            delta = 0.0
        for i in range(i0, i1):  # they hold their own offsets now
            logical[i].x -= pending(i)
        if delta:
            shift_from(i1, delta)
    for i, c in enumerate(logical):
        c.x += pending(i)


def _bend(
    clusters: list[Cluster], geo: PathGeometry, pen_x: float, pen_y: float
) -> tuple[float, float]:
    """Put a chunk's clusters on the path; returns the user-space point after the last one."""
    end = (pen_x, pen_y)
    for c in clusters:
        mid = c.x + c.width / 2.0
        at = geo.at(mid)
        c.on_path = True
        if at is None:
            c.hidden = True
            continue
        px, py, ang = at
        cos, sin = math.cos(ang), math.sin(ang)
        half = c.width / 2.0
        normal = c.y
        c.x = px - cos * half - sin * normal
        c.y = py - sin * half + cos * normal
        c.rotate = math.degrees(ang) + c.rotate
        end = c.point(c.width + c.gap, 0.0)
    return end


def decoration_quads(
    clusters: Sequence[Cluster], start: int, end: int, top: float, thickness: float
) -> list[list[tuple[float, float]]]:
    """Quadrilaterals of one text decoration line over the characters ``[start, end)``.

    ``top`` is the line's top edge below the baseline (negative: above) and ``thickness`` its
    height. Straight runs of characters on one baseline share one rectangle (spacing between
    them underlined too); rotated characters and characters on a path get one each.
    """
    quads: list[list[tuple[float, float]]] = []
    run: list[Cluster] = []

    def flush() -> None:
        if run:
            x0 = run[0].x
            x1 = max(c.x + c.width for c in run)
            y = run[0].y
            quads.append(
                [(x0, y + top), (x1, y + top), (x1, y + top + thickness), (x0, y + top + thickness)]
            )
            run.clear()

    for c in clusters:
        if c.hidden or not (start <= c.char < end):
            flush()
            continue
        if c.rotate != 0.0 or c.on_path:
            flush()
            w = c.width + c.gap
            quads.append(
                [
                    c.point(0, top),
                    c.point(w, top),
                    c.point(w, top + thickness),
                    c.point(0, top + thickness),
                ]
            )
            continue
        if run and (run[-1].chunk != c.chunk or run[-1].y != c.y or c.x < run[-1].x):
            flush()
        run.append(c)
    flush()
    return quads
