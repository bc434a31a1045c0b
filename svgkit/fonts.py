"""Fonts and text layout: fontconfig matching, HarfBuzz shaping, glyph outlines — no cairo.

The one place text is measured. The builder lays every ``<text>`` out with it once, and stores
each run's final start, real advance and placed glyphs in :class:`svgkit.scene.TextRun`; the
renderer only draws those glyphs' outlines, and geometry reads the same advance, so the picture
and the statistics agree on where text is.

Font matching
-------------
``font-family`` is a list; each entry is matched with fontconfig (family, weight, slant, after
fontconfig's own substitutions) and the first entry that fontconfig really has, or for which it
names a substitute other than its last-resort default (Liberation Sans for Arial when
``fonts-liberation2`` is installed), wins. The generic families ``serif``, ``sans-serif``,
``monospace``, ``cursive`` and ``fantasy`` (``system-ui`` and the ``ui-*`` names read as their
plain generics) always resolve, through fontconfig's aliases (DejaVu on a bare Debian system).
When no entry matches, the browsers' default family, ``serif``, is used. fontconfig is called
through ``ctypes`` (cairo links the same library), so ``FONTCONFIG_FILE`` is honoured.

Which fonts are candidates is decided by the :class:`svgkit.font_set.FontOptions` of the parse in
progress (:func:`svgkit.font_set.active_fonts`). ``font_dirs`` are added to a configuration of
their own; with ``system_fonts=False`` that configuration holds nothing else, has none of
fontconfig's aliases, and svgkit maps the generic families onto the set's faces itself (by name
and spacing: a monospaced family for ``monospace``, a family named "Serif" but not "Sans" for
``serif``, any other for ``sans-serif``, ``cursive`` and ``fantasy``); a few well-known
proprietary names (Arial, Helvetica, Times New Roman, Courier New, ...) read as their generic
family, as fontconfig's metric aliases would, and any other unknown family gets the set's serif
face, the browsers' default.

Shaping
-------
Each line is shaped by HarfBuzz (kerning, ligatures, marks, right-to-left scripts) with the
matched font file; consecutive runs in one font are shaped as one string, so kerning and
ligatures work across ``<tspan>`` boundaries. Characters the matched font lacks are taken from
fontconfig's fallback list for that pattern. When no font file can be used (no fontconfig, no
``uharfbuzz``, an unreadable file) a run's advance is estimated as 0.55 em per character and it
carries no glyphs; the renderer then draws it with cairo's toy text API at the same start.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import font_set
from .scene import Glyph

__all__ = [
    "ESTIMATED_ADVANCE_EM",
    "GENERIC",
    "FontRef",
    "LineLayout",
    "TextSpan",
    "fallback_fonts",
    "font_extents",
    "glyph_outline",
    "layout_line",
    "match_font",
    "resolve_font",
    "shaping_available",
    "slant_index",
    "units_per_em",
]

#: Advance per character, in em, when no font file can shape a run.
ESTIMATED_ADVANCE_EM = 0.55
#: Ascent and descent, in em, when the font's own extents are unknown.
ESTIMATED_ASCENT_EM, ESTIMATED_DESCENT_EM = 0.8, 0.2

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
        lib.FcConfigCreate.restype = vp
        lib.FcInitLoadConfigAndFonts.restype = vp
        lib.FcConfigAppFontAddFile.argtypes = [vp, cp]
        lib.FcConfigGetFonts.restype = ctypes.POINTER(_FcFontSet)
        lib.FcConfigGetFonts.argtypes = [vp, ci]
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


def _build_pattern(lib: Any, family: str, weight: int, slant: int, config: Any = None) -> Any:
    pat = lib.FcPatternCreate()
    lib.FcPatternAddString(pat, b"family", family.encode("utf-8"))
    lib.FcPatternAddInteger(pat, b"weight", _fc_weight(lib, weight))
    lib.FcPatternAddInteger(pat, b"slant", _FC_SLANT[slant])
    lib.FcConfigSubstitute(config, pat, 0)
    lib.FcDefaultSubstitute(pat)
    return pat


# Names models write that a bare font set lacks, read as their generic family the way
# fontconfig's metric-compatible aliases and its 45-latin.conf classes would.
_WELL_KNOWN = {
    name: generic
    for generic, names in (
        (
            "sans-serif",
            "arial,helvetica,helvetica neue,verdana,tahoma,segoe ui,calibri,trebuchet ms,roboto,"
            "open sans,inter,lato,noto sans,liberation sans,arimo,geneva,lucida grande,gill sans,"
            "futura,avenir,ubuntu",
        ),
        (
            "serif",
            "times,times new roman,georgia,cambria,garamond,palatino,book antiqua,noto serif,"
            "liberation serif,tinos,baskerville",
        ),
        (
            "monospace",
            "courier,courier new,consolas,menlo,monaco,lucida console,source code pro,fira code,"
            "noto mono,liberation mono,cousine",
        ),
        ("cursive", "comic sans ms,brush script mt,apple chancery"),
        ("fantasy", "impact,papyrus"),
    )
    for name in names.split(",")
}


@dataclass(frozen=True)
class _Config:
    """A fontconfig configuration of a :class:`~svgkit.font_set.FontOptions` other than the
    plain system fonts: ``ptr`` (never freed: cached for the process), and for a set without
    system fonts the family each generic name maps to (``generic``) and its families."""

    ptr: Any
    generic: dict[str, str]
    families: frozenset[str]


_configs: dict[font_set.FontOptions, _Config | None] = {}
_configs_lock = threading.Lock()


def _config(lib: Any, options: font_set.FontOptions) -> _Config | None:
    """The configuration of ``options`` (``None``: fontconfig's own, or it could not be built)."""
    if options.is_system:
        return None
    if options in _configs:
        return _configs[options]
    with _configs_lock:  # built once: two threads must not fill one FcConfig together
        if options not in _configs:
            _configs[options] = _build_config(lib, options)
    return _configs[options]


def _build_config(lib: Any, options: font_set.FontOptions) -> _Config | None:
    ptr = lib.FcInitLoadConfigAndFonts() if options.system_fonts else lib.FcConfigCreate()
    conf = None
    if ptr:
        for path in font_set.font_files(options):
            lib.FcConfigAppFontAddFile(ptr, path.encode("utf-8", "surrogateescape"))
        generic: dict[str, str] = {}
        families: frozenset[str] = frozenset()
        if not options.system_fonts:
            generic, families = _classify(lib, ptr)
            if not families:
                # text must not silently fall back on the machine's fonts
                raise font_set.FontSetError("empty", options.font_dirs)
        conf = _Config(ptr, generic, families)
    return conf


def _classify(lib: Any, ptr: Any) -> tuple[dict[str, str], frozenset[str]]:
    """Map the generic families onto the faces of a set without aliases (see the module doc)."""
    faces: dict[str, list[int]] = {}  # family -> [faces, monospaced faces]
    fs = lib.FcConfigGetFonts(ptr, 1)  # FcSetApplication
    if fs:
        for k in range(fs.contents.nfont):
            pat = fs.contents.fonts[k]
            name = ctypes.c_char_p()
            if lib.FcPatternGetString(pat, b"family", 0, ctypes.byref(name)) != 0 or not name.value:
                continue
            spacing = ctypes.c_int(0)
            lib.FcPatternGetInteger(pat, b"spacing", 0, ctypes.byref(spacing))
            count = faces.setdefault(name.value.decode("utf-8", "replace"), [0, 0])
            count[0] += 1
            count[1] += spacing.value >= 100  # FC_MONO or FC_CHARCELL
    classes: dict[str, list[str]] = {"serif": [], "sans-serif": [], "monospace": []}
    # the family with the most faces first, so bold and italic are most likely to exist
    for fam in sorted(faces, key=lambda f: (-faces[f][0], f)):
        low = fam.lower()
        if faces[fam][1] or "mono" in low or "courier" in low or "code" in low:
            classes["monospace"].append(fam)
        elif "serif" in low and "sans" not in low:
            classes["serif"].append(fam)
        else:
            classes["sans-serif"].append(fam)
    first = next((c[0] for c in classes.values() if c), "")
    sans = (classes["sans-serif"] or classes["serif"] or [first])[0]
    serif = (classes["serif"] or [sans])[0]
    generic = {
        "serif": serif,
        "sans-serif": sans,
        "monospace": (classes["monospace"] or [sans])[0],
        "cursive": sans,
        "fantasy": sans,
    }
    return generic, frozenset(f.lower() for f in faces)


_match_cache: dict[tuple[str, font_set.FontOptions, str, int, int], FontRef | None] = {}
_sort_cache: dict[tuple[str, font_set.FontOptions, str, int, int], list[FontRef]] = {}


def match_font(family: str, weight: int = 400, slant: int = 0) -> FontRef | None:
    """fontconfig's best match for ``family`` (``None`` when fontconfig is unavailable).

    Candidates are the fonts of :func:`svgkit.font_set.active_fonts`.

    Examples
    --------
    >>> ref = match_font("monospace")
    >>> ref is None or ref.path.endswith((".ttf", ".otf", ".ttc", ".pfb", ".woff", ".woff2"))
    True
    """
    options = font_set.active_fonts()
    key = (os.environ.get("FONTCONFIG_FILE", ""), options, family, int(weight), int(slant))
    if key in _match_cache:
        return _match_cache[key]
    lib = _fc()
    ref = None
    if lib is not None:
        conf = _config(lib, options)
        ptr = conf.ptr if conf is not None else None
        query = conf.generic.get(family, family) if conf is not None else family
        pat = _build_pattern(lib, query, weight, slant, ptr)
        result = ctypes.c_int(0)
        match = lib.FcFontMatch(ptr, pat, ctypes.byref(result))
        lib.FcPatternDestroy(pat)
        if match:
            ref = _pattern_info(lib, match)
            lib.FcPatternDestroy(match)
    _match_cache[key] = ref
    return ref


def fallback_fonts(family: str, weight: int, slant: int, limit: int = 40) -> list[FontRef]:
    """fontconfig's sorted fallback list for a pattern (first ``limit`` fonts of the active
    font set)."""
    options = font_set.active_fonts()
    key = (os.environ.get("FONTCONFIG_FILE", ""), options, family, int(weight), int(slant))
    cached = _sort_cache.get(key)
    if cached is not None:
        return cached
    lib = _fc()
    out: list[FontRef] = []
    if lib is not None:
        conf = _config(lib, options)
        ptr = conf.ptr if conf is not None else None
        query = conf.generic.get(family, family) if conf is not None else family
        pat = _build_pattern(lib, query, weight, slant, ptr)
        result = ctypes.c_int(0)
        fs = lib.FcFontSort(ptr, pat, 1, None, ctypes.byref(result))
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


def slant_index(style: str) -> int:
    """``font-style`` as 0 (normal), 1 (italic) or 2 (oblique)."""
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
    options = font_set.active_fonts()
    key = (os.environ.get("FONTCONFIG_FILE", ""), options, families, int(weight), style)
    hit = _resolve_cache.get(key)
    if hit is None:
        if len(_resolve_cache) > 4096:
            _resolve_cache.clear()
        hit = _resolve_cache[key] = _resolve_font(families, weight, style, options)
    return hit


_resolve_cache: dict[
    tuple[str, font_set.FontOptions, tuple[str, ...], int, str], tuple[str, FontRef | None]
] = {}


def _resolve_font(
    families: tuple[str, ...], weight: int, style: str, options: font_set.FontOptions
) -> tuple[str, FontRef | None]:
    slant = slant_index(style)
    lib = _fc()
    conf = _config(lib, options) if lib is not None else None
    bare = conf is not None and bool(conf.generic)  # a set without system fonts or aliases
    fallback: FontRef | None = None
    for raw in families:
        fam = raw.strip().strip("'\"").strip()
        low = fam.lower()
        if not fam:
            continue
        if low in GENERIC:
            return GENERIC[low], match_font(GENERIC[low], weight, slant)
        if bare:
            assert conf is not None
            if low in conf.families:
                return fam, match_font(fam, weight, slant)
            if low in _WELL_KNOWN:
                return _WELL_KNOWN[low], match_font(_WELL_KNOWN[low], weight, slant)
            continue
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
    # no entry is usable: the browsers' default family (CSS Fonts 4 §5.1: UA-dependent; serif)
    return "serif", match_font("serif", weight, slant)


# ---------------------------------------------------------------------------------------------
# HarfBuzz shaping and glyph outlines
# ---------------------------------------------------------------------------------------------

try:  # a core dependency, but a broken wheel must not break parsing: text is then estimated
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
    path: str
    index: int
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
            font = _HBFont(_hb.Font(face), int(face.upem) or 1000, ref.path, ref.index)
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


def _font_at(font_file: str, face_index: int) -> _HBFont | None:
    return _hb_font(FontRef(font_file, face_index, ())) if _hb is not None else None


def glyph_outline(font_file: str, face_index: int, glyph_id: int) -> tuple[list[int], list[float]]:
    """The outline of one glyph as path command codes and points, in font units, y up.

    The codes are :class:`svgkit.paths.Command` values (quadratic curves raised to cubics); an
    unreadable font or glyph gives empty lists.

    Examples
    --------
    >>> from svgkit.fonts import layout_line, TextSpan
    >>> glyph = layout_line([TextSpan("l", ("sans-serif",), 10.0)], "start").runs[0].glyphs[0]
    >>> codes, points = glyph_outline(glyph.font_file, glyph.face_index, glyph.glyph_id)
    >>> from svgkit.paths import COMMAND_POINTS
    >>> codes[0], len(points) == 2 * int(sum(COMMAND_POINTS[c] for c in codes))
    (0, True)
    """
    hf = _font_at(font_file, face_index)
    return _outline(hf, glyph_id) if hf is not None else ([], [])


def units_per_em(font_file: str, face_index: int) -> int:
    """The font's design units per em (``1000`` when the file cannot be read)."""
    hf = _font_at(font_file, face_index)
    return hf.upem if hf is not None else 1000


def font_extents(
    families: tuple[str, ...], weight: int = 400, style: str = "normal"
) -> tuple[float, float]:
    """``(ascent, descent)`` of the font a ``font-family`` list resolves to, in em, both ≥ 0.

    Falls back on 0.8 em and 0.2 em when no font file can be read.

    Examples
    --------
    >>> ascent, descent = font_extents(("sans-serif",))
    >>> 0.5 < ascent < 1.5 and 0.0 <= descent < 0.6
    True
    """
    _family, ref = resolve_font(families, weight, style)
    hf = _hb_font(ref) if ref is not None and _hb is not None else None
    if hf is None:
        return ESTIMATED_ASCENT_EM, ESTIMATED_DESCENT_EM
    ext = hf.font.get_font_extents("ltr")
    ascent, descent = ext.ascender / hf.upem, -ext.descender / hf.upem
    if not (math.isfinite(ascent) and math.isfinite(descent)) or ascent <= 0 or descent < 0:
        return ESTIMATED_ASCENT_EM, ESTIMATED_DESCENT_EM
    return ascent, descent


@dataclass(frozen=True)
class TextSpan:
    """One run of text to lay out, in one font: ``size`` in user units, CSS ``weight`` and
    ``style``; ``dx`` is space (user units, may be negative) put before it, from ``dx``
    attributes."""

    text: str
    families: tuple[str, ...]
    size: float
    weight: int = 400
    style: str = "normal"
    dx: float = 0.0

    def font_key(self) -> tuple[tuple[str, ...], float, int, str]:
        return (self.families, self.size, self.weight, self.style)


@dataclass(frozen=True)
class RunLayout:
    """Where one span of a line went: ``start`` and ``advance`` in user units, from the line's
    origin with the anchor applied; ``glyphs`` placed likewise (``y`` is an offset from the
    baseline, positive downwards). ``shaped`` is false when no font file could shape the span:
    its advance is then estimated and it has no glyphs."""

    start: float
    advance: float
    glyphs: tuple[Glyph, ...]
    shaped: bool = True


@dataclass(frozen=True)
class LineLayout:
    """A laid-out line: one :class:`RunLayout` per span, and the line's total ``advance``."""

    runs: tuple[RunLayout, ...]
    advance: float


_shape_cache: dict[
    tuple[str, tuple[str, ...], float, int, str, font_set.FontOptions],
    tuple[list[Glyph], list[float], float] | None,
]
_shape_cache = {}


def shape_text(text: str, span: TextSpan) -> tuple[list[Glyph], list[float], float] | None:
    """Glyphs of ``text`` in ``span``'s font in visual order, each glyph's advance, and the
    total advance; ``None`` when no font file can be used.

    Glyph ``x`` is the pen position plus the glyph's offset, from the string's origin, and
    ``cluster`` the index in ``text`` of the first character the glyph draws.
    """
    key = (text, span.families, span.size, span.weight, span.style, font_set.active_fonts())
    if key in _shape_cache:
        return _shape_cache[key]
    shaped = None
    _family, ref = resolve_font(span.families, span.weight, span.style)
    primary = _hb_font(ref) if ref is not None and _hb is not None else None
    if primary is not None:
        slant = slant_index(span.style)
        glyphs: list[Glyph] = []
        advances: list[float] = []
        pen = 0.0
        for offset, seg, hf in _segments(text, primary, _family, span.weight, slant):
            buf = _hb.Buffer()
            buf.add_str(seg)
            buf.guess_segment_properties()
            _hb.shape(hf.font, buf, {"kern": True, "liga": True})
            scale = span.size / hf.upem
            # right-to-left runs come back in visual order, advancing left to right
            for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
                glyphs.append(
                    Glyph(
                        hf.path,
                        hf.index,
                        int(info.codepoint),
                        pen + pos.x_offset * scale,
                        -pos.y_offset * scale,
                        offset + int(info.cluster),
                    )
                )
                advances.append(pos.x_advance * scale)
                pen += pos.x_advance * scale
        shaped = (glyphs, advances, pen)
    if len(_shape_cache) > 4096:
        _shape_cache.clear()
    _shape_cache[key] = shaped
    return shaped


def _shape(text: str, span: TextSpan) -> tuple[list[Glyph], float] | None:
    """Glyphs of ``text`` in ``span``'s font, ``x`` from the string's origin, and the advance;
    ``None`` when no font file can be used."""
    shaped = shape_text(text, span)
    return None if shaped is None else (shaped[0], shaped[2])


def layout_line(spans: Sequence[TextSpan], anchor: str = "start") -> LineLayout:
    """Lay out one line of text: shape the spans, place them end to end, apply ``text-anchor``.

    Consecutive spans in the same font with no ``dx`` between them are shaped as one string
    (kerning and ligatures across ``<tspan>`` boundaries) and each glyph goes back to the span
    holding its character.
    ``anchor`` ``middle`` shifts the line left by half its advance, ``end`` by all of it.

    Examples
    --------
    >>> line = layout_line([TextSpan("Hi ", ("sans-serif",), 20.0),
    ...                     TextSpan("there", ("sans-serif",), 20.0)], "middle")
    >>> first, second = line.runs
    >>> gap = second.start - (first.start + first.advance)
    >>> round(first.start + line.advance / 2, 9), round(gap, 9)
    (0.0, 0.0)
    """
    starts = [0.0] * len(spans)
    shaped_spans = [True] * len(spans)
    advances = [0.0] * len(spans)
    placed: list[list[Glyph]] = [[] for _ in spans]
    pen = 0.0
    k = 0
    while k < len(spans):
        if math.isfinite(spans[k].dx):
            pen += spans[k].dx
        j = k + 1
        while j < len(spans) and spans[j].dx == 0 and spans[j].font_key() == spans[k].font_key():
            j += 1
        text = "".join(s.text for s in spans[k:j])
        size = spans[k].size
        shaped = _shape(text, spans[k]) if size > 0 and math.isfinite(size) else None
        if shaped is None:
            for m in range(k, j):
                shaped_spans[m] = False
                starts[m] = pen
                advances[m] = ESTIMATED_ADVANCE_EM * _usable(spans[m].size) * len(spans[m].text)
                pen += advances[m]
        else:
            glyphs, advance = shaped
            bounds = []
            acc = 0
            for m in range(k, j):
                bounds.append((acc, acc + len(spans[m].text), m))
                acc += len(spans[m].text)
            for g in glyphs:
                lo, _hi, owner = next((b for b in bounds if b[0] <= g.cluster < b[1]), bounds[-1])
                placed[owner].append(g._replace(x=pen + g.x, cluster=g.cluster - lo))
            # a span starts at its first character's glyph; right-to-left or reordered text
            # that breaks that order shares the string's advance by character count
            firsts = [
                min((g.x for g in placed[m] if g.cluster == 0), default=math.nan)
                for m in range(k, j)
            ]
            firsts[0] = pen
            ordered = all(math.isfinite(a) for a in firsts) and all(
                a <= b for a, b in zip(firsts, [*firsts[1:], pen + advance])
            )
            for n, m in enumerate(range(k, j)):
                if ordered:
                    starts[m] = firsts[n]
                    advances[m] = (firsts[n + 1] if n + 1 < j - k else pen + advance) - firsts[n]
                else:
                    share = advance * len(spans[m].text) / max(len(text), 1)
                    starts[m] = pen + sum(advances[k:m])
                    advances[m] = share
            pen += advance
        k = j
    shift = {"middle": -pen / 2.0, "end": -pen}.get(anchor.strip(), 0.0)
    runs = tuple(
        RunLayout(
            starts[m] + shift,
            advances[m],
            tuple(g._replace(x=g.x + shift) for g in placed[m]),
            shaped_spans[m],
        )
        for m in range(len(spans))
    )
    return LineLayout(runs, pen)


def _usable(size: float) -> float:
    """A font size that can be measured: finite and positive, else 0 (nothing drawn)."""
    return size if math.isfinite(size) and size > 0 else 0.0


_decoration_cache: dict[tuple[tuple[str, ...], int, str], tuple[float, float, float, float]] = {}


def decoration_metrics(
    families: tuple[str, ...], weight: int = 400, style: str = "normal"
) -> tuple[float, float, float, float]:
    """Underline position (its centre, em above the baseline: negative below) and thickness,
    strikeout position (centre) and thickness, of the font a ``font-family`` list resolves to.

    Read from the font's ``post`` and ``OS/2`` tables through HarfBuzz (which synthesises
    missing values); CSS-typical values (0.1 em below, 0.3 em above, 1/14 em thick) when no
    font file can be read.

    Examples
    --------
    >>> under, under_size, strike, strike_size = decoration_metrics(("sans-serif",))
    >>> under < 0 < strike and under_size > 0 and strike_size > 0
    True
    """
    key = (families, weight, style)
    cached = _decoration_cache.get(key)
    if cached is not None:
        return cached
    out = (-0.1, 1.0 / 14.0, 0.3, 1.0 / 14.0)
    _family, ref = resolve_font(families, weight, style)
    hf = _hb_font(ref) if ref is not None and _hb is not None else None
    if hf is not None:
        tag = _hb.OTMetricsTag
        upem = float(hf.upem) or 1000.0
        tags = (tag.UNDERLINE_OFFSET, tag.UNDERLINE_SIZE, tag.STRIKEOUT_OFFSET, tag.STRIKEOUT_SIZE)
        vals = [hf.font.get_metric_position_with_fallback(t) / upem for t in tags]
        if all(math.isfinite(v) for v in vals) and vals[1] > 0 and vals[3] > 0:
            out = (vals[0], vals[1], vals[2], vals[3])
    if len(_decoration_cache) > 256:
        _decoration_cache.clear()
    _decoration_cache[key] = out
    return out
