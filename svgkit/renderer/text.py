"""Text: font matching through fontconfig, shaping with HarfBuzz, glyph outlines into cairo.

Font matching
-------------
``font-family`` is a list; each entry is matched with fontconfig (family, weight, slant, after
fontconfig's own substitutions) and the first entry that fontconfig really has, or for which it
names a substitute other than its last-resort default (Liberation Sans for Arial when
``fonts-liberation2`` is installed), wins. The generic
families ``serif``, ``sans-serif``, ``monospace``, ``cursive`` and ``fantasy`` (``system-ui`` and
the ``ui-*`` names read as their plain generics) always resolve, through fontconfig's aliases
(DejaVu on a bare Debian system). When no entry matches, ``sans-serif`` is used. fontconfig is
called through ``ctypes`` (cairo links the same library), so ``FONTCONFIG_FILE`` is honoured.

Shaping and outlines
--------------------
With the ``uharfbuzz`` package installed, each run is shaped by HarfBuzz (kerning, ligatures,
marks, right-to-left scripts) with the matched font file, and each glyph's outline (cached per
font) is replayed into the cairo path under ``T_out ∘ transform[i] ∘ translate(pen) ∘
scale(size / upem, −size / upem)``. Characters the matched font lacks are taken from
fontconfig's fallback list for that pattern. Without ``uharfbuzz`` the renderer falls back on
cairo's toy text API (no kerning, no fallback fonts, weights normal or bold).

Layout
------
Runs of one ``<text>`` carry the builder's estimated start ``x`` (0.55 em per character). The
renderer measures the real advance of each run. A run whose ``x`` equals the estimated end of the
run before it continues that line at the real pen position; any other ``x`` (an absolute ``x``
on a ``<tspan>``) starts a new line. ``text-anchor`` shifts each line by its real advance
(``middle``: half, ``end``: all of it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
from dataclasses import dataclass, field
from typing import Any

import cairo

from ..affine import is_invertible, multiply
from ..scene import TextRun

__all__ = ["FontRef", "match_font", "resolve_font", "shaping_available", "text_path"]

GENERIC = {
    "serif": "serif",
    "sans-serif": "sans-serif",
    "monospace": "monospace",
    "cursive": "cursive",
    "fantasy": "fantasy",
    "system-ui": "sans-serif",
    "ui-sans-serif": "sans-serif",
    "ui-serif": "serif",
    "ui-monospace": "monospace",
    "ui-rounded": "sans-serif",
}
_FC_SLANT = (0, 100, 110)  # roman, italic, oblique


@dataclass(frozen=True)
class FontRef:
    """A matched font file: ``path``, face ``index`` and the family names it declares."""

    path: str
    index: int
    families: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# fontconfig through ctypes
# ---------------------------------------------------------------------------------------------


class _FcFontSet(ctypes.Structure):
    _fields_ = [
        ("nfont", ctypes.c_int),
        ("sfont", ctypes.c_int),
        ("fonts", ctypes.POINTER(ctypes.c_void_p)),
    ]


_FC: Any = None
_FC_FAILED = False


def _fc() -> Any:
    """The fontconfig library with argument types declared, or ``None``."""
    global _FC, _FC_FAILED
    if _FC is not None or _FC_FAILED:
        return _FC
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
        vp, cp, ci = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        lib.FcPatternCreate.restype = vp
        lib.FcPatternDestroy.argtypes = [vp]
        lib.FcPatternAddString.argtypes = [vp, cp, cp]
        lib.FcPatternAddInteger.argtypes = [vp, cp, ci]
        lib.FcPatternGetString.argtypes = [vp, cp, ci, ctypes.POINTER(cp)]
        lib.FcPatternGetInteger.argtypes = [vp, cp, ci, ctypes.POINTER(ci)]
        lib.FcConfigSubstitute.argtypes = [vp, vp, ci]
        lib.FcDefaultSubstitute.argtypes = [vp]
        lib.FcFontMatch.restype = vp
        lib.FcFontMatch.argtypes = [vp, vp, ctypes.POINTER(ci)]
        lib.FcFontSort.restype = ctypes.POINTER(_FcFontSet)
        lib.FcFontSort.argtypes = [vp, vp, ci, vp, ctypes.POINTER(ci)]
        lib.FcFontSetDestroy.argtypes = [ctypes.POINTER(_FcFontSet)]
        try:
            lib.FcWeightFromOpenType.restype = ci
            lib.FcWeightFromOpenType.argtypes = [ci]
        except AttributeError:  # fontconfig < 2.11.91
            pass
        _FC = lib
    except (OSError, AttributeError):
        _FC_FAILED = True
    return _FC


def _fc_weight(lib: Any, weight: int) -> int:
    fn = getattr(lib, "FcWeightFromOpenType", None)
    if fn is not None:
        return int(fn(int(weight)))
    table = (
        (100, 0),
        (200, 40),
        (300, 50),
        (400, 80),
        (500, 100),
        (600, 180),
        (700, 200),
        (800, 205),
        (900, 210),
    )
    return min(table, key=lambda t: abs(t[0] - weight))[1]


def _pattern_info(lib: Any, pat: Any) -> FontRef | None:
    path = ctypes.c_char_p()
    if lib.FcPatternGetString(pat, b"file", 0, ctypes.byref(path)) != 0 or not path.value:
        return None
    index = ctypes.c_int(0)
    lib.FcPatternGetInteger(pat, b"index", 0, ctypes.byref(index))
    fams: list[str] = []
    n = 0
    name = ctypes.c_char_p()
    while lib.FcPatternGetString(pat, b"family", n, ctypes.byref(name)) == 0 and n < 16:
        if name.value:
            fams.append(name.value.decode("utf-8", "replace"))
        n += 1
    return FontRef(path.value.decode("utf-8", "surrogateescape"), int(index.value), tuple(fams))


def _build_pattern(lib: Any, family: str, weight: int, slant: int) -> Any:
    pat = lib.FcPatternCreate()
    lib.FcPatternAddString(pat, b"family", family.encode("utf-8"))
    lib.FcPatternAddInteger(pat, b"weight", _fc_weight(lib, weight))
    lib.FcPatternAddInteger(pat, b"slant", _FC_SLANT[slant])
    lib.FcConfigSubstitute(None, pat, 0)
    lib.FcDefaultSubstitute(pat)
    return pat


_match_cache: dict[tuple[str, str, int, int], FontRef | None] = {}
_sort_cache: dict[tuple[str, str, int, int], list[FontRef]] = {}


def match_font(family: str, weight: int = 400, slant: int = 0) -> FontRef | None:
    """fontconfig's best match for ``family`` (``None`` when fontconfig is unavailable).

    Examples
    --------
    >>> ref = match_font("monospace")
    >>> ref is None or ref.path.endswith((".ttf", ".otf", ".ttc", ".pfb", ".woff", ".woff2"))
    True
    """
    key = (os.environ.get("FONTCONFIG_FILE", ""), family, int(weight), int(slant))
    if key in _match_cache:
        return _match_cache[key]
    lib = _fc()
    ref = None
    if lib is not None:
        pat = _build_pattern(lib, family, weight, slant)
        result = ctypes.c_int(0)
        match = lib.FcFontMatch(None, pat, ctypes.byref(result))
        lib.FcPatternDestroy(pat)
        if match:
            ref = _pattern_info(lib, match)
            lib.FcPatternDestroy(match)
    _match_cache[key] = ref
    return ref


def fallback_fonts(family: str, weight: int, slant: int, limit: int = 40) -> list[FontRef]:
    """fontconfig's sorted fallback list for a pattern (first ``limit`` fonts)."""
    key = (os.environ.get("FONTCONFIG_FILE", ""), family, int(weight), int(slant))
    cached = _sort_cache.get(key)
    if cached is not None:
        return cached
    lib = _fc()
    out: list[FontRef] = []
    if lib is not None:
        pat = _build_pattern(lib, family, weight, slant)
        result = ctypes.c_int(0)
        fs = lib.FcFontSort(None, pat, 1, None, ctypes.byref(result))
        lib.FcPatternDestroy(pat)
        if fs:
            try:
                for k in range(min(fs.contents.nfont, limit)):
                    ref = _pattern_info(lib, fs.contents.fonts[k])
                    if ref is not None:
                        out.append(ref)
            finally:
                lib.FcFontSetDestroy(fs)
    _sort_cache[key] = out
    return out


def _slant(style: str) -> int:
    s = style.strip().lower()
    return 2 if s.startswith("oblique") else 1 if s == "italic" else 0


def resolve_font(
    families: tuple[str, ...], weight: int = 400, style: str = "normal"
) -> tuple[str, FontRef | None]:
    """The first usable entry of a ``font-family`` list: ``(family name, matched font)``.

    Examples
    --------
    >>> resolve_font(("no-such-font-xyz", "monospace"))[0]
    'monospace'
    """
    slant = _slant(style)
    fallback: FontRef | None = None
    for raw in families:
        fam = raw.strip().strip("'\"").strip()
        low = fam.lower()
        if not fam:
            continue
        if low in GENERIC:
            return GENERIC[low], match_font(GENERIC[low], weight, slant)
        ref = match_font(fam, weight, slant)
        if ref is None:
            continue
        if any(f.lower() == low for f in ref.families):
            return fam, ref
        # fontconfig answers every query; a font other than its last-resort default is a
        # deliberate substitute (Liberation Sans for Arial, Nimbus Roman for Times, ...)
        if fallback is None:
            fallback = match_font("sans-serif", weight, slant)
        if fallback is not None and (ref.path, ref.index) != (fallback.path, fallback.index):
            return fam, ref
    return "sans-serif", match_font("sans-serif", weight, slant)


# ---------------------------------------------------------------------------------------------
# HarfBuzz shaping and glyph outlines
# ---------------------------------------------------------------------------------------------

try:  # optional: without it text goes through cairo's toy API
    import uharfbuzz as _hb  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - depends on the installation
    _hb = None


def shaping_available() -> bool:
    """Whether HarfBuzz shaping (the ``uharfbuzz`` package) is in use."""
    return _hb is not None


@dataclass
class _HBFont:
    font: Any
    upem: int
    outlines: dict[int, tuple[list[int], list[float]]] = field(default_factory=dict)

    def has(self, ch: str) -> bool:
        return self.font.get_nominal_glyph(ord(ch)) is not None


_hb_fonts: dict[tuple[str, int], _HBFont | None] = {}


def _hb_font(ref: FontRef) -> _HBFont | None:
    key = (ref.path, ref.index)
    if key in _hb_fonts:
        return _hb_fonts[key]
    font = None
    try:
        with open(ref.path, "rb") as fh:
            blob = _hb.Blob(fh.read())
        face = _hb.Face(blob, ref.index)
        if face.glyph_count > 0:
            font = _HBFont(_hb.Font(face), int(face.upem) or 1000)
    except (OSError, ValueError, RuntimeError):
        font = None
    _hb_fonts[key] = font
    return font


class _OutlinePen:
    """fontTools-style pen collecting a glyph as MOVE/LINE/CUBIC/CLOSE (quadratics raised)."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.pts: list[float] = []
        self.cur = (0.0, 0.0)
        self.start = (0.0, 0.0)

    def moveTo(self, p: tuple[float, float]) -> None:
        self.codes.append(0)
        self.pts += (p[0], p[1])
        self.cur = self.start = (p[0], p[1])

    def lineTo(self, p: tuple[float, float]) -> None:
        self.codes.append(1)
        self.pts += (p[0], p[1])
        self.cur = (p[0], p[1])

    def curveTo(self, *ps: tuple[float, float]) -> None:
        if len(ps) == 3:
            self.codes.append(2)
            for p in ps:
                self.pts += (p[0], p[1])
            self.cur = (ps[2][0], ps[2][1])
        elif ps:
            self.lineTo(ps[-1])

    def qCurveTo(self, *ps: tuple[float, float]) -> None:
        # off-curve points with implied on-curve midpoints, the last point on the curve
        offs, end = ps[:-1], ps[-1]
        for k, c in enumerate(offs):
            nxt = (
                end
                if k == len(offs) - 1
                else ((c[0] + offs[k + 1][0]) / 2, (c[1] + offs[k + 1][1]) / 2)
            )
            x0, y0 = self.cur
            self.codes.append(2)
            self.pts += (
                x0 + 2.0 / 3.0 * (c[0] - x0),
                y0 + 2.0 / 3.0 * (c[1] - y0),
                nxt[0] + 2.0 / 3.0 * (c[0] - nxt[0]),
                nxt[1] + 2.0 / 3.0 * (c[1] - nxt[1]),
                nxt[0],
                nxt[1],
            )
            self.cur = (nxt[0], nxt[1])
        if not offs:
            self.lineTo(end)

    def closePath(self) -> None:
        self.codes.append(3)
        self.cur = self.start

    def endPath(self) -> None:
        pass


def _outline(hf: _HBFont, gid: int) -> tuple[list[int], list[float]]:
    got = hf.outlines.get(gid)
    if got is None:
        pen = _OutlinePen()
        try:
            hf.font.draw_glyph_with_pen(gid, pen)
        except Exception:  # a broken glyph draws nothing
            pen = _OutlinePen()
        got = (pen.codes, pen.pts)
        hf.outlines[gid] = got
    return got


Glyph = tuple[_HBFont, int, float, float, int]  # font, glyph id, x, y offset, character index


@dataclass
class _Shaped:
    """A shaped string: glyphs with ``x`` from the string's origin, in user units."""

    glyphs: list[Glyph]
    advance: float


_shape_cache: dict[tuple[str, tuple[str, ...], int, str, float], _Shaped | None] = {}


def _segments(
    text: str, primary: _HBFont, family: str, weight: int, slant: int
) -> list[tuple[int, str, _HBFont]]:
    """Split ``text`` into ``(offset, substring, font)`` runs of one font: the primary font, or
    the first fallback that has each character the primary lacks."""
    segs: list[tuple[int, str, _HBFont]] = []
    fallbacks: list[_HBFont] | None = None
    for k, ch in enumerate(text):
        font = primary
        if not ch.isspace() and ord(ch) >= 0x20 and not primary.has(ch):
            if fallbacks is None:
                fallbacks = [
                    f
                    for f in (_hb_font(r) for r in fallback_fonts(family, weight, slant))
                    if f is not None
                ]
            font = next((f for f in fallbacks if f.has(ch)), primary)
        if segs and segs[-1][2] is font:
            segs[-1] = (segs[-1][0], segs[-1][1] + ch, font)
        else:
            segs.append((k, ch, font))
    return segs


def _shape(text: str, run: TextRun) -> _Shaped | None:
    """Shape ``text`` in ``run``'s font (``None`` when no font file can be used)."""
    key = (text, run.font_family, run.font_weight, run.font_style, run.font_size)
    if key in _shape_cache:
        return _shape_cache[key]
    family, ref = resolve_font(run.font_family, run.font_weight, run.font_style)
    primary = _hb_font(ref) if ref is not None else None
    shaped = None
    if primary is not None:
        slant = _slant(run.font_style)
        glyphs: list[Glyph] = []
        pen = 0.0
        for offset, seg, hf in _segments(text, primary, family, run.font_weight, slant):
            buf = _hb.Buffer()
            buf.add_str(seg)
            buf.guess_segment_properties()
            _hb.shape(hf.font, buf, {"kern": True, "liga": True})
            scale = run.font_size / hf.upem
            # right-to-left runs come back in visual order, advancing left to right
            for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
                glyphs.append(
                    (
                        hf,
                        int(info.codepoint),
                        pen + pos.x_offset * scale,
                        -pos.y_offset * scale,
                        offset + int(info.cluster),
                    )
                )
                pen += pos.x_advance * scale
        shaped = _Shaped(glyphs, pen)
    if len(_shape_cache) > 4096:
        _shape_cache.clear()
    _shape_cache[key] = shaped
    return shaped


# ---------------------------------------------------------------------------------------------
# cairo toy API fallback
# ---------------------------------------------------------------------------------------------

_face_cache: dict[tuple[str, int, bool], Any] = {}
_OPTIONS: Any = None


def _toy_select(ctx: Any, run: TextRun) -> None:
    global _OPTIONS
    family, _ref = resolve_font(run.font_family, run.font_weight, run.font_style)
    slant = _slant(run.font_style)
    bold = run.font_weight >= 600
    face = _face_cache.get((family, slant, bold))
    if face is None:
        face = cairo.ToyFontFace(
            family,
            (cairo.FONT_SLANT_NORMAL, cairo.FONT_SLANT_ITALIC, cairo.FONT_SLANT_OBLIQUE)[slant],
            cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL,
        )
        _face_cache[(family, slant, bold)] = face
    if _OPTIONS is None:
        opts = cairo.FontOptions()
        # outlines as designed: no hinting, unhinted metrics, grey anti-aliasing
        opts.set_hint_style(cairo.HINT_STYLE_NONE)
        opts.set_hint_metrics(cairo.HINT_METRICS_OFF)
        opts.set_antialias(cairo.ANTIALIAS_GRAY)
        _OPTIONS = opts
    ctx.set_font_face(face)
    ctx.set_font_size(run.font_size)
    ctx.set_font_options(_OPTIONS)


# ---------------------------------------------------------------------------------------------
# layout and drawing
# ---------------------------------------------------------------------------------------------


def _matrix(st: Any, i: int) -> Any:
    from .draw import _cairo_matrix

    m = multiply(st.t_out, st.cols.transform[i])
    return _cairo_matrix(m) if is_invertible(m) else None


def _toy_advance(st: Any, i: int, run: TextRun) -> float:
    m = _matrix(st, i)
    if m is None or not run.text or not (run.font_size > 0):
        return 0.0
    ctx = st.ctx
    ctx.save()
    ctx.set_matrix(m)
    _toy_select(ctx, run)
    adv = float(ctx.text_extents(run.text).x_advance)
    ctx.restore()
    return adv


def _same_font(a: TextRun, b: TextRun) -> bool:
    return (a.font_family, a.font_weight, a.font_style, a.font_size) == (
        b.font_family,
        b.font_weight,
        b.font_style,
        b.font_size,
    )


def _layout_line(st: Any, line: list[tuple[int, TextRun]], x0: float) -> None:
    """Shape one line (runs continuing each other) and place every run's glyphs.

    Consecutive runs in the same font are shaped as one string, so kerning and ligatures work
    across ``<tspan>`` boundaries; each glyph goes back to the run holding its character."""
    placed: dict[int, list[Glyph]] = {idx: [] for idx, _ in line}
    pen = 0.0
    k = 0
    while k < len(line):
        j = k + 1
        while j < len(line) and _same_font(line[j][1], line[k][1]):
            j += 1
        group = line[k:j]
        text = "".join(r.text for _, r in group)
        shaped = (
            _shape(text, group[0][1]) if _hb is not None and group[0][1].font_size > 0 else None
        )
        if shaped is None:
            for idx, run in group:
                st.text_x[idx] = pen  # provisional: shifted below
                pen += _toy_advance(st, idx, run)
        else:
            bounds = []
            acc = 0
            for idx, run in group:
                bounds.append((acc, acc + len(run.text), idx))
                acc += len(run.text)
            for hf, gid, gx, gy, ci in shaped.glyphs:
                owner = next((idx for lo, hi, idx in bounds if lo <= ci < hi), bounds[-1][2])
                placed[owner].append((hf, gid, pen + gx, gy, ci))
            for _lo, _hi, idx in bounds:
                st.text_x[idx] = pen
            pen += shaped.advance
        k = j
    anchor = line[0][1].text_anchor.strip()
    shift = {"middle": -pen / 2.0, "end": -pen}.get(anchor, 0.0)
    for idx, _run in line:
        st.text_x[idx] += x0 + shift
        st.text_glyphs[idx] = [
            (hf, gid, gx + x0 + shift, gy, ci) for hf, gid, gx, gy, ci in placed[idx]
        ]


def _layout_chunk(st: Any, first: int) -> None:
    """Lay out every run of the chunk starting at primitive ``first``."""
    s = st.scene
    runs: list[tuple[int, TextRun]] = []
    i = first
    while i < len(s):
        run = s.texts.get(i)
        if run is None or (run.chunk != first and i != first):
            break
        runs.append((i, run))
        i += 1
    lines: list[list[tuple[int, TextRun]]] = []
    est_end = math.nan
    for idx, run in runs:
        continues = (
            bool(lines)
            and math.isfinite(est_end)
            and abs(run.x - est_end) <= 1e-6 * max(1.0, abs(est_end))
        )
        if continues:
            lines[-1].append((idx, run))
        else:
            lines.append([(idx, run)])
        est_end = run.x + 0.55 * run.font_size * len(run.text)
    for line in lines:
        _layout_line(st, line, line[0][1].x)


def text_path(st: Any, i: int) -> bool:
    """Append the glyph outlines of text primitive ``i`` to the current path (output pixels)."""
    run = st.scene.texts.get(i)
    if run is None or not run.text or not (run.font_size > 0) or not math.isfinite(run.font_size):
        return False
    if i not in st.text_x:
        _layout_chunk(st, run.chunk if 0 <= run.chunk <= i else i)
    m = _matrix(st, i)
    if m is None:
        return False
    ctx = st.ctx
    glyphs = st.text_glyphs.get(i)
    if not glyphs:
        if _hb is not None and _shape(run.text, run) is not None:
            return False  # shaped, but nothing to draw (spaces only)
        ctx.set_matrix(m)
        _toy_select(ctx, run)
        ctx.move_to(st.text_x.get(i, run.x), run.y)
        ctx.text_path(run.text)
        ctx.identity_matrix()
        return True
    from .draw import _append_path

    for hf, gid, gx, gy, _ci in glyphs:
        codes, pts = _outline(hf, gid)
        if not codes:
            continue
        scale = run.font_size / hf.upem
        gm = cairo.Matrix(scale, 0.0, 0.0, -scale, gx, run.y + gy)
        ctx.set_matrix(gm.multiply(m))
        _append_path(ctx, codes, pts, 0, len(codes), 0)
    ctx.identity_matrix()
    return True
