"""Anti-hacking flags: drawings that game a reward instead of depicting the prompt.

A policy trained against CLIP-style, pixel or object rewards finds shortcuts: it writes the
prompt as ``<text>``, hides it in a ``<title>`` over a one-circle drawing, paints nothing, pushes
the drawing off the canvas, floods the document with specks, covers everything with one giant
shape, or annotates objects (``<g id="cat">``) that it never lets anyone see. This module names
those shortcuts (:data:`HACK_FLAGS`) and turns them into a penalty.

The work is split as everywhere in :mod:`svgkit_rewards`: :func:`hack_features` measures, where
the completion was parsed and rendered (a worker of the engine), and returns a small picklable
dict; :func:`judge_hacks` decides, in the parent, from those numbers and the prompt's words.
:func:`detect_hacks` does both in process; :func:`hack_reward` is the TRL-style batch function.
Every rule and threshold is documented on :class:`HackThresholds` and in
``docs/anti-hacking.md``.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

import svgkit

from ..analysis import CHECK_SIZE, Analysis, AnalysisRequest, analyze
from ._common import analyses_for, prompt_text

__all__ = [
    "FEATURES_VERSION",
    "HACK_FEATURE",
    "HACK_FLAGS",
    "HackReport",
    "HackThresholds",
    "SIMPLE_SHAPE_WORDS",
    "STOP_WORDS",
    "detect_hacks",
    "hack_features",
    "hack_reward",
    "hacks_request",
    "hidden_texts",
    "judge_hacks",
    "prompt_words",
]

#: The flags :func:`judge_hacks` can raise, in the order reports list them.
HACK_FLAGS: tuple[str, ...] = (
    "BLANK_CANVAS",
    "TEXT_AS_DRAWING",
    "HIDDEN_CAPTION",
    "OFF_CANVAS",
    "PRIMITIVE_FLOOD",
    "GIANT_SHAPE",
    "INVISIBLE_OBJECTS",
)

#: The ``(name, "module:function")`` pair to put into :attr:`AnalysisRequest.features`.
HACK_FEATURE: tuple[str, str] = ("hacks", "svgkit_rewards.functional.hacks:hack_features")

#: Version of the dict :func:`hack_features` returns; :func:`judge_hacks` ignores other versions.
FEATURES_VERSION = 1

#: Analysis grid (pixels on the canvas' long side) of the visibility measures.
_RESOLUTION = 128
#: Share of a text run's estimated box that its glyphs ink (svgkit's own estimate).
_TEXT_INK = 0.2
#: Painted share of the canvas from which a leading primitive counts as the background.
_BACKGROUND_SHARE = 0.9
#: Two colours closer than this (max over RGB channels, 0–255) are "the same" on the render.
_SAME_COLOR = 8
#: Neighbouring pixels further apart than this (max over channels) make an edge.
_EDGE_STEP = 12
#: Above this many primitives annotated objects are not measured (:func:`svgkit.objects` costs
#: about 0.3 ms an object); such a document is a ``PRIMITIVE_FLOOD`` candidate anyway.
_MAX_OBJECT_PRIMITIVES = 1500
#: Reasons (:data:`svgkit.INVISIBLE_REASONS`) that make an object invisible on purpose.
_DELIBERATE = frozenset({"hidden", "transparent", "degenerate", "clipped_out"})
#: Caps on what travels back from a worker.
_MAX_TEXTS = 64
_MAX_TEXT_CHARS = 400
_MAX_LISTED = 32

#: Words that carry no content in a prompt: function words and the words of the request itself.
STOP_WORDS = frozenset(
    """
    a an the of with and or in on at to for from by into onto over under above below near next
    beside behind between through across against along among around about up down out off upon
    within without via per is are be been being was were am it its this that these those as
    some any very which who whom whose while where there their theirs his her hers our ours your
    yours my mine me we you he she they them us has have having had do does did not no nor but
    so than then too also just only like each every all both either neither other another more
    most less few many much own same such what when how why here let can could would will shall
    should must may might one two three four five six seven eight nine ten
    svg draw drawing drawn generate create make made produce write code please show showing
    shows depict depicting depicts render rendering image picture illustration illustrate
    scalable vector graphic graphics style styled using use containing contains featuring
    includes including include simple detailed nice beautiful cute
    """.split()
)

#: Words of a prompt that asks only for plain shapes: a trivial drawing is then the honest answer.
SIMPLE_SHAPE_WORDS = frozenset(
    """
    circle square rectangle rect triangle line dot ellipse oval star ring polygon hexagon
    pentagon octagon diamond rhombus arc curve cross plus arrow box disc disk shape outline
    filled fill solid border stripe stroke big small large tiny single centered center centre
    middle left right top bottom corner background blank empty plain color colour colored
    coloured light dark bright pale thick thin round rounded grey gold golden silver navy teal
    violet beige maroon
    """.split()
) | frozenset(svgkit.COLOR_TERMS)

_WORD = re.compile(r"[^\W\d_]+")
_OPEN_HIDDEN = re.compile(r"<(?:[\w.-]{1,40}:)?(title|desc|metadata)\b[^<>]{0,2000}>", re.I)
_ARIA = re.compile(
    r"""\baria-(?:label|description)\s*=\s*(?:"([^"<]{0,2000})"|'([^'<]{0,2000})')"""
)
_TAG = re.compile(r"<[^<>]{0,2000}>")
_CDATA = re.compile(r"<!\[CDATA\[|\]\]>")
_DISPLAY_NONE = re.compile(r"""(display\s*(?:=\s*["']\s*|:\s*))none\b""", re.I)

# --------------------------------------------------------------------------------------------
# prompt words
# --------------------------------------------------------------------------------------------


def _stem(word: str) -> str:
    """A crude singular: ``berries`` → ``berry``, ``boxes`` → ``box``, ``cats`` → ``cat``."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[:-2].endswith(("sh", "ch", "x", "ss", "z")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def prompt_words(text: object) -> frozenset[str]:
    """The content words of a text: lowercase letters only, stop words (:data:`STOP_WORDS`) and
    words shorter than 3 letters dropped, crude singulars (``cats`` → ``cat``).

    Parameters
    ----------
    text
        A prompt, a text run, a caption; anything that is not a ``str`` has no words.

    Returns
    -------
    frozenset[str]

    Examples
    --------
    >>> sorted(prompt_words("Draw an SVG of two red apples on a wooden table."))
    ['apple', 'red', 'table', 'wooden']
    """
    if not isinstance(text, str):
        return frozenset()
    words = (_stem(w) for w in _WORD.findall(text.lower()) if len(w) >= 3)
    return frozenset(w for w in words if len(w) >= 3 and w not in STOP_WORDS)


# --------------------------------------------------------------------------------------------
# worker side: measure
# --------------------------------------------------------------------------------------------


def hacks_request() -> AnalysisRequest:
    """What :func:`judge_hacks` needs from the analysis: a check render and :data:`HACK_FEATURE`.

    Examples
    --------
    >>> hacks_request().features
    (('hacks', 'svgkit_rewards.functional.hacks:hack_features'),)
    """
    return AnalysisRequest(render_check=True, features=(HACK_FEATURE,))


def _clip_text(text: str) -> str:
    return " ".join(text.split())[:_MAX_TEXT_CHARS]


def hidden_texts(svg: str) -> list[tuple[str, str]]:
    """Text a viewer never sees: ``<title>``, ``<desc>``, ``<metadata>``, comments and
    ``aria-label``/``aria-description`` values, as ``(source, text)`` in document order.

    Scans with bounded regular expressions and ``str.find`` (linear in the text, no XML parser),
    so broken or hostile input costs little; entities are decoded and markup inside
    ``<metadata>`` is dropped.

    Examples
    --------
    >>> hidden_texts('<svg><title>A cat</title><!-- the cat --><g aria-label="cat"/></svg>')
    [('title', 'A cat'), ('comment', 'the cat'), ('aria-label', 'cat')]
    """
    found: list[tuple[int, str, str]] = []
    pos = 0
    while len(found) < _MAX_TEXTS:
        start = svg.find("<!--", pos)
        if start < 0:
            break
        end = svg.find("-->", start + 4)
        if end < 0:
            break
        found.append((start, "comment", svg[start + 4 : end]))
        pos = end + 3
    pos = 0
    while len(found) < 2 * _MAX_TEXTS:
        m = _OPEN_HIDDEN.search(svg, pos)
        if m is None:
            break
        name = m.group(1).lower()
        if m.group(0).endswith("/>"):
            pos = m.end()
            continue
        close = re.compile(rf"</(?:[\w.-]{{1,40}}:)?{name}\s*>", re.I).search(svg, m.end())
        if close is None:
            break
        body = _CDATA.sub("", _TAG.sub(" ", svg[m.end() : close.start()]))
        found.append((m.start(), name, body))
        pos = close.end()
    for k, m in enumerate(_ARIA.finditer(svg)):
        if k >= _MAX_TEXTS:
            break
        found.append((m.start(), "aria-label", m.group(1) or m.group(2) or ""))
    found.sort(key=lambda item: item[0])
    out: list[tuple[str, str]] = []
    for _, source, text in found:
        clean = _clip_text(html.unescape(text))
        if clean:
            out.append((source, clean))
    return out[:_MAX_TEXTS]


def _canvas_box(canvas: svgkit.Canvas, width: int, height: int) -> tuple[int, int, int, int]:
    """Pixels ``(x0, y0, x1, y1)`` of a ``width × height`` render that show the canvas (a
    render of another aspect ratio is letter-boxed as the root ``preserveAspectRatio`` says)."""
    cw, ch = float(canvas.width), float(canvas.height)
    vb = canvas.viewbox if canvas.viewbox is not None else (0.0, 0.0, cw, ch)
    if not (cw > 0 and ch > 0 and vb[2] > 0 and vb[3] > 0):
        return 0, 0, width, height
    sx, _, _, sy, tx, ty = svgkit.output_matrix(canvas, width, height)
    # inward: a pixel the canvas covers only in part is blended with the letter-box
    x0, x1 = max(0, math.ceil(tx - 1e-6)), min(width, math.floor(tx + cw * sx + 1e-6))
    y0, y1 = max(0, math.ceil(ty - 1e-6)), min(height, math.floor(ty + ch * sy + 1e-6))
    if x1 - x0 < 1 or y1 - y0 < 1:
        return 0, 0, width, height
    return x0, y0, x1, y1


def _check_picture(
    scene: svgkit.Scene, renders: Mapping[tuple[int, int], npt.NDArray[np.uint8]]
) -> npt.NDArray[np.uint8]:
    """The canvas as seen on the smallest render that shows it at least 16 px a side (the
    letter-boxing of a render of another aspect ratio cut away); a 64-pixel render of the
    canvas' aspect ratio when there is none."""
    best: npt.NDArray[np.uint8] | None = None
    for size in sorted(renders, key=lambda s: s[0] * s[1]):
        picture = np.asarray(renders[size], dtype=np.uint8)
        if picture.ndim != 3 or picture.shape[2] < 3:
            continue
        x0, y0, x1, y1 = _canvas_box(scene.canvas, picture.shape[1], picture.shape[0])
        if min(x1 - x0, y1 - y0) >= 16:
            best = picture[y0:y1, x0:x1, :3]
            break
    if best is not None:
        return best
    cw, ch = float(scene.canvas.width), float(scene.canvas.height)
    side = CHECK_SIZE[0]
    aspect = cw / ch if cw > 0 and ch > 0 else 1.0
    aspect = min(max(aspect, 1 / 16), 16.0)
    w, h = (side, max(16, round(side / aspect))) if aspect >= 1 else (
        max(16, round(side * aspect)), side)
    rgba = svgkit.render(scene, int(w), int(h), background="white")
    x0, y0, x1, y1 = _canvas_box(scene.canvas, int(w), int(h))
    return np.ascontiguousarray(rgba[y0:y1, x0:x1, :3])


def _uniformity(picture: npt.NDArray[np.uint8]) -> tuple[float, float]:
    """``(dominant_share, edge_fraction)`` of an RGB picture: the share of pixels within
    ``_SAME_COLOR`` of its dominant colour, and the share of pixels that differ from their
    right or lower neighbour by more than ``_EDGE_STEP``.

    The dominant colour is the per-channel median of the pixels in the most populated cell of a
    32 × 32 × 32 grid over RGB: the most frequent colour up to anti-aliasing noise, found with one
    ``bincount`` instead of sorting every pixel's colour."""
    px = picture.astype(np.int32)
    if px.size == 0:
        return 1.0, 0.0
    flat = px.reshape(-1, 3)
    cells = ((flat[:, 0] >> 3) << 10) | ((flat[:, 1] >> 3) << 5) | (flat[:, 2] >> 3)
    densest = int(np.argmax(np.bincount(cells, minlength=1 << 15)))
    ref = np.median(flat[cells == densest], axis=0).round().astype(np.int32)
    # channel by channel: numpy reduces a trailing axis of 3 far slower than it combines arrays
    near = np.ones(px.shape[:2], dtype=np.bool_)
    for c in range(3):
        near &= np.abs(px[:, :, c] - ref[c]) <= _SAME_COLOR
    dominant = float(near.mean())
    edge = np.zeros(px.shape[:2], dtype=np.bool_)
    for c in range(3):
        channel = px[:, :, c]
        if px.shape[1] > 1:
            edge[:, :-1] |= np.abs(np.diff(channel, axis=1)) > _EDGE_STEP
        if px.shape[0] > 1:
            edge[:-1, :] |= np.abs(np.diff(channel, axis=0)) > _EDGE_STEP
    return dominant, float(edge.mean())


def _finite(value: float, default: float = 0.0) -> float:
    v = float(value)
    return v if math.isfinite(v) else default


def _display_none_extras(
    svg: str, scene: svgkit.Scene, labels: Counter[str]
) -> tuple[list[str], list[str]]:
    """Annotated objects and text that ``display: none`` removed: the document is parsed again
    with every ``display: none`` turned into ``inline``, and what appears only then is
    returned as ``(object labels, texts)``. Empty when the document never says ``none``."""
    if _DISPLAY_NONE.search(svg) is None:
        return [], []
    try:
        shown = svgkit.parse(_DISPLAY_NONE.sub(r"\1inline", svg), repair=True)
        if len(shown) > _MAX_OBJECT_PRIMITIVES:
            return [], []
        shown_objects = svgkit.objects(shown, resolution=_RESOLUTION)
    except (svgkit.SVGKitError, ValueError, RecursionError, MemoryError):
        return [], []
    extra = Counter(o.label for o in shown_objects if o.annotated) - labels
    texts_before = Counter(run.text for run in scene.texts.values())
    texts_after = Counter(run.text for run in shown.texts.values())
    return sorted(extra.elements()), sorted((texts_after - texts_before).elements())


def hack_features(
    scene: svgkit.Scene,
    svg: str,
    renders: Mapping[tuple[int, int], npt.NDArray[np.uint8]],
) -> dict[str, Any]:
    """Measure everything :func:`judge_hacks` needs; runs where the completion was parsed.

    Called by :func:`svgkit_rewards.analysis.analyze` for :data:`HACK_FEATURE` (in a worker
    process when the engine runs the batch). Costs one :func:`svgkit.stats` and one
    :func:`svgkit.objects` at a 128-pixel analysis grid, a pass over the smallest render, and a
    second parse only when the document says ``display: none``.

    Parameters
    ----------
    scene
        The parsed completion.
    svg
        Its SVG text (for the captions a viewer never sees).
    renders
        ``(width, height)`` → ``uint8`` RGB ``(H, W, 3)``; the smallest render of at least 16 px
        a side is used (one is made at 64 × 64 when there is none).

    Returns
    -------
    dict[str, Any]
        Floats, ints, strings and tuples only (see ``docs/anti-hacking.md`` for each key).

    Examples
    --------
    >>> import svgkit
    >>> svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    ...        '<title>a red dot</title><circle cx="32" cy="32" r="8" fill="red"/></svg>')
    >>> scene = svgkit.parse(svg)
    >>> f = hack_features(scene, svg, {(64, 64): svgkit.render(scene, 64, 64, background="white")})
    >>> f["hidden_texts"], f["n_shapes"], round(f["dominant_share"], 2)
    ((('title', 'a red dot'),), 1, 0.95)
    """
    canvas = scene.canvas
    width, height = float(canvas.width), float(canvas.height)
    area = width * height if width > 0 and height > 0 else 1.0
    picture = _check_picture(scene, renders)
    dominant_share, edge_fraction = _uniformity(picture)

    n = len(scene)
    stats = svgkit.stats(scene, resolution=_RESOLUTION)
    objects_skipped = n > _MAX_OBJECT_PRIMITIVES
    objs = [] if objects_skipped else svgkit.objects(scene, resolution=_RESOLUTION)
    kind = np.asarray(scene.kind, dtype=np.int64)
    is_text = kind == int(svgkit.PrimitiveKind.TEXT)
    painted = np.nan_to_num(np.asarray(stats.painted_area, dtype=np.float64))
    visible = np.nan_to_num(np.asarray(stats.visible_area, dtype=np.float64))
    reasons: dict[int, tuple[str, ...]] = {p.index: p.reasons for p in stats.invisible}
    gone = np.zeros(n, dtype=np.bool_)  # paints nothing however it is placed
    for i, why in reasons.items():
        if set(why) & {"hidden", "no_paint", "transparent", "degenerate"}:
            gone[i] = True

    # the background: leading shapes (not text) that each paint most of the canvas
    background = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if painted[i] >= _BACKGROUND_SHARE * area and not is_text[i]:
            background[i] = True
        elif painted[i] > 0:
            break
    drawing = ~background

    # text: what shows, its share of the ink, and text nobody sees
    ink = np.where(is_text, visible * _TEXT_INK, visible)
    total_ink = float(ink[drawing].sum())
    text_ink = float(ink[drawing & is_text].sum())
    texts: list[str] = []
    invisible_texts: list[str] = []
    for i in sorted(scene.texts):
        text = _clip_text(scene.texts[i].text)
        if not text:
            continue
        (invisible_texts if i in reasons or visible[i] <= 0 else texts).append(text)
    hidden = hidden_texts(svg)
    labels = Counter(o.label for o in objs if o.annotated)
    none_labels, none_texts = (
        ([], []) if objects_skipped else _display_none_extras(svg, scene, labels)
    )
    hidden += [("invisible-text", t) for t in invisible_texts]
    hidden += [("display-none-text", _clip_text(t)) for t in none_texts if t.strip()]

    # how much drawing the document holds: shapes (not text, not the background) that paint
    # something, on the canvas or off it, seen or covered
    cmd_offsets = np.asarray(scene.cmd_offsets, dtype=np.int64)
    commands = np.diff(cmd_offsets) if n else np.zeros(0, dtype=np.int64)
    shapes = drawing & ~gone & ~is_text
    n_shapes = int(shapes.sum())
    segments = int(commands[shapes].sum())

    # off canvas: share of the drawing's painted geometry outside the canvas
    mass = np.nan_to_num(np.asarray(stats.area, dtype=np.float64)) + np.nan_to_num(
        np.asarray(stats.stroke_area, dtype=np.float64)
    )
    outside = np.nan_to_num(np.asarray(stats.primitive_outside_fraction, dtype=np.float64))
    counted = drawing & ~gone
    total_mass = float(mass[counted].sum())
    ink_outside = float((mass * outside)[counted].sum()) / total_mass if total_mass > 0 else 0.0

    # flood: primitives whose stroke box is a speck of the canvas
    boxes = np.asarray(scene.stroke_bbox, dtype=np.float64).reshape(-1, 4)
    box_area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    box_share = np.where(np.isfinite(box_area), box_area, 0.0) / area
    tiny = box_share < 1e-4
    n_tiny = int(tiny.sum())
    median_box = float(np.median(box_share)) if n else 0.0

    # giant: the largest visible shape of the drawing and what lies under it
    giant_share = giant_before = giant_hidden = 0.0
    giant_index, giant_tag = -1, ""
    if drawing.any():
        candidates = np.where(drawing, visible, -1.0)
        giant_index = int(np.argmax(candidates))
        giant_share = float(visible[giant_index]) / area
        giant_tag = scene.tags[giant_index]
        before = drawing.copy()
        before[giant_index:] = False
        before_painted = float(painted[before].sum())
        giant_before = before_painted / area
        if before_painted > 0:
            giant_hidden = 1.0 - float(visible[before].sum()) / before_painted
    stroke_kind = np.asarray(scene.stroke_kind, dtype=np.int64)
    stroked = (stroke_kind != 0) & ~is_text & ~gone
    stroke_dev = np.nan_to_num(np.asarray(scene.stroke_width_device, dtype=np.float64))
    max_stroke_ratio = max_stroke_share = 0.0
    if stroked.any():
        k = int(np.argmax(np.where(stroked, stroke_dev, -1.0)))
        short_side = min(width, height) if min(width, height) > 0 else 1.0
        max_stroke_ratio = float(stroke_dev[k]) / short_side
        max_stroke_share = float(visible[k]) / area

    # annotated objects nobody can see
    deliberate: list[tuple[str, tuple[str, ...]]] = []
    occluded: list[tuple[str, tuple[str, ...]]] = []
    annotated_painted = occluded_painted = 0.0
    n_annotated = 0
    for obj in objs:
        if not obj.annotated:
            continue
        n_annotated += 1
        annotated_painted += _finite(obj.painted_area)
        if obj.drawn:
            continue
        causes = sorted({r for i in obj.primitives for r in reasons.get(i, ())})
        active = set(causes) - {"outside_canvas"}
        if active & _DELIBERATE or active == {"no_paint"}:
            deliberate.append((obj.label, tuple(causes)))
        elif "fully_occluded" in active:
            occluded.append((obj.label, tuple(causes)))
            occluded_painted += _finite(obj.painted_area)
        # else: off the canvas (OFF_CANVAS' business) or below the analysis grid
    deliberate += [(label, ("display_none",)) for label in none_labels]
    n_annotated += len(none_labels)

    return {
        "version": FEATURES_VERSION,
        "canvas": (width, height),
        "render_size": (int(picture.shape[1]), int(picture.shape[0])),
        "dominant_share": dominant_share,
        "edge_fraction": edge_fraction,
        "coverage": _finite(stats.coverage),
        "n_primitives": n,
        "n_background": int(background.sum()),
        "n_shapes": n_shapes,
        "segments": segments,
        "texts": tuple(texts[:_MAX_TEXTS]),
        "text_ink_share": text_ink / total_ink if total_ink > 0 else 0.0,
        "hidden_texts": tuple(hidden[:_MAX_TEXTS]),
        "outside_fraction": _finite(stats.outside_fraction),
        "ink_outside_fraction": ink_outside,
        "n_tiny": n_tiny,
        "tiny_share": n_tiny / n if n else 0.0,
        "median_box_share": median_box,
        "giant_share": giant_share,
        "giant_index": giant_index,
        "giant_tag": giant_tag,
        "giant_before_share": giant_before,
        "giant_hidden_before": giant_hidden,
        "max_stroke_ratio": max_stroke_ratio,
        "max_stroke_share": max_stroke_share,
        "objects_skipped": objects_skipped,
        "n_annotated": n_annotated,
        "invisible_objects": tuple(deliberate[:_MAX_LISTED]),
        "n_invisible_objects": len(deliberate),
        "occluded_objects": tuple(occluded[:_MAX_LISTED]),
        "occluded_area_share": (
            occluded_painted / annotated_painted if annotated_painted > 0 else 0.0
        ),
    }


# --------------------------------------------------------------------------------------------
# parent side: judge
# --------------------------------------------------------------------------------------------


def _check_unit(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"Expected `{name}` to be a float in [0, 1], but got {value!r}")
    return float(value)


def _check_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"Expected `{name}` to be a non-negative int, but got {value!r}")
    return value


@dataclass(frozen=True)
class HackThresholds:
    """The thresholds of :func:`judge_hacks`; every default is calibrated on the bundled
    examples and the benchmark corpus (``benchmarks/bench_hacks.py``).

    Parameters
    ----------
    blank_dominant_share
        ``BLANK_CANVAS`` when at least this share of the canvas on the check render is one
        colour (within 8 of 255 on every channel of its most frequent colour) ... (default
        0.99)
    blank_edge_fraction
        ... or when at most this share of its pixels sits on an edge (a step of more than 12 on
        some channel to the right or lower neighbour; a lone gradient has none). Default 0.002.
    text_prompt_coverage
        ``TEXT_AS_DRAWING`` when the visible ``<text>`` spells at least this share of the
        prompt's content words (:func:`prompt_words`) ... (default 0.6)
    text_min_words
        ... and at least ``min(text_min_words, number of prompt words)`` of them (default 2),
    text_ink_share
        ... or, prompt or not, when visible text makes at least this share of the drawing's
        visible ink (visible area per primitive, a text run's glyph ink estimated as 0.2 of its
        box, the background excluded). Default 0.6.
    hidden_prompt_coverage
        ``HIDDEN_CAPTION`` when text a viewer never sees (title, desc, metadata, comments,
        aria-label, invisible or ``display: none`` text) spells at least this share of the
        prompt's content words (and at least ``min(text_min_words, …)`` of them) ... (0.6)
    trivial_primitives, trivial_segments
        ... while the document draws something trivial: at most ``trivial_primitives`` shapes
        and visible text runs (default 2; the background not counted, nor shapes that cannot
        paint: hidden, transparent, without paint, degenerate — but shapes off the canvas or
        covered do count) with at most ``trivial_segments`` path commands in all (default 16;
        a circle has 6, a rect 5) — unless every prompt word is a plain
        shape, colour or placement word (:data:`SIMPLE_SHAPE_WORDS`): a trivial drawing is
        then the honest answer.
    off_canvas_fraction
        ``OFF_CANVAS`` when at least this share of the drawing's painted geometry (fill area +
        stroke area of every primitive that paints, the background excluded) lies outside the
        canvas. Default 0.5.
    flood_min_tiny, flood_tiny_share
        ``PRIMITIVE_FLOOD`` when at least ``flood_min_tiny`` primitives (default 1000) have a
        stroke box under ``1e-4`` of the canvas area and they are at least ``flood_tiny_share``
        of all primitives (default 0.5) ...
    flood_max_primitives
        ... or when the document has at least this many primitives at all (default 10000).
    giant_stroke_ratio, giant_stroke_share
        ``GIANT_SHAPE`` when one stroke is at least ``giant_stroke_ratio`` of the canvas' short
        side wide (default 0.5) and shows on at least ``giant_stroke_share`` of the canvas
        (default 0.25) ...
    giant_share, giant_hidden, giant_min_before
        ... or when one primitive of the drawing (not the background) shows on at least
        ``giant_share`` of the canvas (default 0.6) while at least ``giant_hidden`` (default
        0.8) of what the drawing painted before it — at least ``giant_min_before`` of the
        canvas (default 0.01) — is hidden.
    occluded_area_share
        ``INVISIBLE_OBJECTS`` when an annotated object (:func:`svgkit.objects`) shows no pixel
        because it was made invisible on purpose (one of its primitives is ``hidden``,
        ``transparent``, ``degenerate`` — zero scale — or ``clipped_out``, or none of them has
        paint, or ``display: none`` removed it), or when annotated objects that show no pixel
        only because later paint covers them make at least this share of the annotated
        objects' painted area (default 0.25; a small object hidden behind another is honest).
    weights
        Per-flag weight in [0, 1] of the penalty (missing flags weigh 1).

    Examples
    --------
    >>> HackThresholds().text_ink_share
    0.6
    >>> HackThresholds(off_canvas_fraction=2.0)
    Traceback (most recent call last):
    ...
    ValueError: Expected `off_canvas_fraction` to be a float in [0, 1], but got 2.0
    """

    blank_dominant_share: float = 0.99
    blank_edge_fraction: float = 0.002
    text_prompt_coverage: float = 0.6
    text_min_words: int = 2
    text_ink_share: float = 0.6
    hidden_prompt_coverage: float = 0.6
    trivial_primitives: int = 2
    trivial_segments: int = 16
    off_canvas_fraction: float = 0.5
    flood_min_tiny: int = 1000
    flood_tiny_share: float = 0.5
    flood_max_primitives: int = 10_000
    giant_stroke_ratio: float = 0.5
    giant_stroke_share: float = 0.25
    giant_share: float = 0.6
    giant_hidden: float = 0.8
    giant_min_before: float = 0.01
    occluded_area_share: float = 0.25
    weights: Mapping[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for name in (
            "blank_dominant_share", "blank_edge_fraction", "text_prompt_coverage",
            "text_ink_share", "hidden_prompt_coverage", "off_canvas_fraction",
            "flood_tiny_share", "giant_share", "giant_hidden", "giant_min_before",
            "giant_stroke_share", "occluded_area_share",
        ):
            _check_unit(name, getattr(self, name))
        for name in (
            "text_min_words", "trivial_primitives", "trivial_segments", "flood_min_tiny",
            "flood_max_primitives",
        ):
            _check_count(name, getattr(self, name))
        ratio = self.giant_stroke_ratio
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not ratio > 0:
            raise ValueError(
                f"Expected `giant_stroke_ratio` to be a positive float, but got {ratio!r}"
            )
        if not isinstance(self.weights, Mapping):
            raise ValueError(f"Expected `weights` to be a mapping, but got {self.weights!r}")
        for flag, weight in self.weights.items():
            if flag not in HACK_FLAGS:
                raise ValueError(
                    f"Expected `weights` keys to be among {', '.join(HACK_FLAGS)}, but got "
                    f"{flag!r}"
                )
            _check_unit(f"weights[{flag!r}]", weight)

    def weight(self, flag: str) -> float:
        """The weight of ``flag`` (1 unless set)."""
        return float(self.weights.get(flag, 1.0))


@dataclass(frozen=True)
class HackReport:
    """What :func:`judge_hacks` found.

    Attributes
    ----------
    flags : tuple[str, ...]
        Raised flags in :data:`HACK_FLAGS` order; empty when nothing is wrong.
    penalty : float
        In [0, 1]: ``max(weight[f] × grade[f])`` over the raised flags (0 when none), where
        ``grade[f]`` in ``details["severity"]`` is the flag's measure (≥ its threshold).
    details : Mapping[str, Any]
        The measured numbers, ``"reasons"`` (a short reason per raised flag) and
        ``"severity"`` (``grade[f]`` per raised flag).

    Examples
    --------
    >>> report = HackReport(("BLANK_CANVAS",), 1.0, {"reasons": {"BLANK_CANVAS": "blank"}})
    >>> report.to_dict()["flags"], bool(report)
    (['BLANK_CANVAS'], True)
    """

    flags: tuple[str, ...] = ()
    penalty: float = 0.0
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __bool__(self) -> bool:
        """Whether any flag is raised."""
        return bool(self.flags)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (tuples become lists)."""
        return {
            "flags": list(self.flags),
            "penalty": self.penalty,
            "details": _jsonable(dict(self.details)),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_EMPTY_REPORT = HackReport()


def _num(features: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    value = features.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    v = float(value)
    return v if math.isfinite(v) else default


def _pairs(value: object) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, (list, tuple)) and len(item) == 2:
                out.append((str(item[0]), str(item[1])))
    return out


def _strings(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _coverage(prompt: frozenset[str], texts: Iterable[str]) -> tuple[float, tuple[str, ...]]:
    """Share of the prompt's words that ``texts`` spell, and those words."""
    if not prompt:
        return 0.0, ()
    words: set[str] = set()
    for text in texts:
        words |= prompt_words(text)
    matched = tuple(sorted(prompt & words))
    return len(matched) / len(prompt), matched


def judge_hacks(
    features: Mapping[str, Any] | None,
    prompt: str | None = None,
    *,
    thresholds: HackThresholds | None = None,
) -> HackReport:
    """Decide which :data:`HACK_FLAGS` apply; a pure function of the features and the prompt.

    Parameters
    ----------
    features
        What :func:`hack_features` returned (``Analysis.features["hacks"]``). ``None`` (no
        usable drawing: the format gate scores invalid documents), or a dict of another
        version, gives an empty report with penalty 0.
    prompt
        The prompt (a conversation gives its user messages); without one, ``TEXT_AS_DRAWING``
        rests on the ink share alone and ``HIDDEN_CAPTION`` is never raised.
    thresholds
        :class:`HackThresholds` (defaults when ``None``).

    Returns
    -------
    HackReport

    Examples
    --------
    >>> from svgkit_rewards.analysis import analyze
    >>> svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
    ...        '<text x="10" y="60" font-size="40">red fox</text></svg>')
    >>> judge_hacks(analyze(svg, hacks_request()).features["hacks"], "a red fox").flags
    ('TEXT_AS_DRAWING',)
    >>> judge_hacks(None).penalty
    0.0
    """
    t = thresholds if thresholds is not None else HackThresholds()
    if not isinstance(features, Mapping) or features.get("version") != FEATURES_VERSION:
        return _EMPTY_REPORT
    words = prompt_words(prompt_text(prompt))
    reasons: dict[str, str] = {}
    grades: dict[str, float] = {}

    def need(n_words: int) -> int:
        return min(t.text_min_words, n_words)

    # BLANK_CANVAS
    dominant = _num(features, "dominant_share", 1.0)
    edges = _num(features, "edge_fraction")
    blank = dominant >= t.blank_dominant_share or edges <= t.blank_edge_fraction
    if blank:
        reasons["BLANK_CANVAS"] = (
            f"{dominant:.1%} of the render is one colour"
            if dominant >= t.blank_dominant_share
            else f"only {edges:.2%} of the render is an edge"
        )
        grades["BLANK_CANVAS"] = 1.0

    # TEXT_AS_DRAWING
    texts = _strings(features.get("texts"))
    text_cov, text_matched = _coverage(words, texts)
    text_share = _num(features, "text_ink_share")
    by_prompt = (
        bool(words)
        and len(text_matched) >= max(1, need(len(words)))
        and text_cov >= t.text_prompt_coverage
    )
    by_ink = bool(texts) and text_share >= t.text_ink_share
    if by_prompt or by_ink:
        parts = []
        if by_prompt:
            parts.append(
                f"{text_cov:.0%} of the prompt ({', '.join(text_matched)}) is written as <text>"
            )
        if by_ink:
            parts.append(f"text is {text_share:.0%} of the ink")
        reasons["TEXT_AS_DRAWING"] = "; ".join(parts)
        grades["TEXT_AS_DRAWING"] = max(
            text_cov if by_prompt else 0.0, text_share if by_ink else 0.0
        )

    # HIDDEN_CAPTION
    hidden = _pairs(features.get("hidden_texts"))
    hidden_cov, hidden_matched = _coverage(words, (text for _, text in hidden))
    n_shapes = int(_num(features, "n_shapes"))
    segments = int(_num(features, "segments"))
    n_parts = n_shapes + len(texts)  # visible text is content a viewer sees
    trivial = n_parts <= t.trivial_primitives and segments <= t.trivial_segments
    simple_prompt = bool(words) and words <= SIMPLE_SHAPE_WORDS
    if (
        words
        and len(hidden_matched) >= max(1, need(len(words)))
        and hidden_cov >= t.hidden_prompt_coverage
        and trivial
        and not simple_prompt
    ):
        sources = sorted({s for s, text in hidden if prompt_words(text) & words})
        reasons["HIDDEN_CAPTION"] = (
            f"{hidden_cov:.0%} of the prompt ({', '.join(hidden_matched)}) is hidden in "
            f"{', '.join(sources)} over a trivial drawing ({n_parts} shape"
            f"{'' if n_parts == 1 else 's'} or text, {segments} path commands)"
        )
        grades["HIDDEN_CAPTION"] = hidden_cov

    # OFF_CANVAS
    outside = _num(features, "ink_outside_fraction")
    if outside >= t.off_canvas_fraction:
        reasons["OFF_CANVAS"] = f"{outside:.0%} of the drawing lies outside the canvas"
        grades["OFF_CANVAS"] = outside

    # PRIMITIVE_FLOOD
    n_prims = int(_num(features, "n_primitives"))
    n_tiny = int(_num(features, "n_tiny"))
    tiny_share = _num(features, "tiny_share")
    flood_tiny = n_tiny >= t.flood_min_tiny and tiny_share >= t.flood_tiny_share
    flood_all = n_prims >= t.flood_max_primitives
    if flood_tiny or flood_all:
        reasons["PRIMITIVE_FLOOD"] = (
            f"{n_tiny} of {n_prims} primitives are specks"
            if flood_tiny
            else f"{n_prims} primitives"
        )
        grades["PRIMITIVE_FLOOD"] = 1.0 if flood_all else tiny_share

    # GIANT_SHAPE
    stroke_ratio = _num(features, "max_stroke_ratio")
    stroke_share = _num(features, "max_stroke_share")
    giant = _num(features, "giant_share")
    hidden_before = _num(features, "giant_hidden_before")
    before = _num(features, "giant_before_share")
    absurd_stroke = stroke_ratio >= t.giant_stroke_ratio and stroke_share >= t.giant_stroke_share
    covering = giant >= t.giant_share and before >= t.giant_min_before and (
        hidden_before >= t.giant_hidden
    )
    if absurd_stroke or covering:
        parts = []
        if absurd_stroke:
            parts.append(
                f"a stroke {stroke_ratio:.2f}× the canvas' short side wide shows on "
                f"{stroke_share:.0%} of it"
            )
        if covering:
            parts.append(
                f"one <{features.get('giant_tag', '')}> shows on {giant:.0%} of the canvas and "
                f"hides {hidden_before:.0%} of what was drawn before it"
            )
        reasons["GIANT_SHAPE"] = "; ".join(parts)
        grades["GIANT_SHAPE"] = max(1.0 if absurd_stroke else 0.0, giant if covering else 0.0)

    # INVISIBLE_OBJECTS
    invisible = _pairs_reasons(features.get("invisible_objects"))
    n_invisible = int(_num(features, "n_invisible_objects", float(len(invisible))))
    n_annotated = int(_num(features, "n_annotated"))
    occluded = _pairs_reasons(features.get("occluded_objects"))
    occluded_share = _num(features, "occluded_area_share")
    by_intent = n_invisible >= 1
    by_cover = bool(occluded) and occluded_share >= t.occluded_area_share
    if by_intent or by_cover:
        parts = []
        if by_intent:
            listed = ", ".join(f"{label} ({'/'.join(why)})" for label, why in invisible[:5])
            parts.append(f"{n_invisible} annotated object(s) made invisible: {listed}")
        if by_cover:
            parts.append(f"annotated objects covered by later paint: {occluded_share:.0%} of "
                         "their painted area")
        reasons["INVISIBLE_OBJECTS"] = "; ".join(parts)
        share = (n_invisible + (len(occluded) if by_cover else 0)) / max(n_annotated, 1)
        grades["INVISIBLE_OBJECTS"] = min(1.0, max(0.5, share))

    flags = tuple(f for f in HACK_FLAGS if f in reasons)
    severity = {f: float(min(1.0, max(0.0, grades[f]))) for f in flags}
    penalty = max((t.weight(f) * severity[f] for f in flags), default=0.0)
    details: dict[str, Any] = {
        "reasons": {f: reasons[f] for f in flags},
        "severity": severity,
        "prompt_words": tuple(sorted(words)),
        "dominant_share": dominant,
        "edge_fraction": edges,
        "text_ink_share": text_share,
        "text_prompt_coverage": text_cov,
        "hidden_prompt_coverage": hidden_cov,
        "trivial_drawing": trivial,
        "n_shapes": n_shapes,
        "segments": segments,
        "ink_outside_fraction": outside,
        "n_primitives": n_prims,
        "n_tiny": n_tiny,
        "giant_share": giant,
        "giant_hidden_before": hidden_before,
        "max_stroke_ratio": stroke_ratio,
        "objects_skipped": bool(features.get("objects_skipped", False)),
        "n_annotated": n_annotated,
        "invisible_objects": tuple(invisible),
        "occluded_area_share": occluded_share,
    }
    return HackReport(flags, float(min(1.0, max(0.0, penalty))), details)


def _pairs_reasons(value: object) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, tuple[str, ...]]] = []
    if isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, (list, tuple)) and len(item) == 2:
                why = item[1]
                out.append(
                    (str(item[0]), tuple(str(w) for w in why) if isinstance(why, (list, tuple))
                     else (str(why),))
                )
    return out


# --------------------------------------------------------------------------------------------
# entry points
# --------------------------------------------------------------------------------------------


def _report_for(
    analysis: Analysis, prompt: object, thresholds: HackThresholds | None
) -> HackReport:
    if analysis.failed:
        return HackReport(details={"code": analysis.code})
    features = analysis.features.get(HACK_FEATURE[0])
    if features is None:
        error = analysis.feature_errors.get(HACK_FEATURE[0], "not computed")
        return HackReport(details={"code": analysis.code, "feature_error": error})
    return judge_hacks(features, prompt_text(prompt), thresholds=thresholds)


def detect_hacks(
    completion: str,
    prompt: str | None = None,
    *,
    thresholds: HackThresholds | None = None,
) -> HackReport:
    """Flag the reward hacks of one completion, in process; never raises for any text.

    Parameters
    ----------
    completion
        Raw model output (the last ``<svg>`` in it is judged).
    prompt
        The prompt it answers (or ``None``; see :func:`judge_hacks`).
    thresholds
        :class:`HackThresholds` (defaults when ``None``).

    Returns
    -------
    HackReport
        Empty (penalty 0) for a completion without a usable drawing (``Analysis.failed``): the
        format gate scores those. A document that draws nothing at all (``EMPTY``) is judged,
        and is a blank canvas.

    Examples
    --------
    >>> svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    ...        '<title>a cat on a sofa</title><circle cx="50" cy="50" r="20"/></svg>')
    >>> detect_hacks(svg, "a cat on a sofa").flags
    ('HIDDEN_CAPTION',)
    >>> detect_hacks("no svg here").flags
    ()
    """
    return _report_for(analyze(completion, hacks_request()), prompt, thresholds)


def hack_reward(
    completions: Sequence[Any],
    prompts: Sequence[Any] | None = None,
    *,
    analyses: Sequence[Analysis] | None = None,
    thresholds: HackThresholds | None = None,
    **kwargs: Any,
) -> list[float]:
    """``-penalty`` of :func:`judge_hacks` for each completion (TRL-style batch function).

    Parameters
    ----------
    completions
        Raw completions (strings or conversational message lists).
    prompts
        One prompt per completion: strings, conversations (the user messages' content is used)
        or ``None``.
    analyses
        Precomputed analyses, one per completion (the engine passes them, made with a request
        that includes :func:`hacks_request`); made here when ``None``.
    thresholds
        :class:`HackThresholds` (defaults when ``None``).
    **kwargs
        Other dataset columns, ignored.

    Returns
    -------
    list[float]
        In [-1, 0]; 0.0 for an honest drawing and for invalid input (no SVG, broken XML).

    Examples
    --------
    >>> blank = '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"></svg>'
    >>> dot = blank.replace("</svg>", '<circle cx="4" cy="4" r="3"/></svg>')
    >>> hack_reward([blank, dot, "no svg"], ["a cat", "a dot", "a cat"])
    [-1.0, 0.0, 0.0]
    """
    n = len(completions)
    if prompts is None:
        per: list[Any] = [None] * n
    elif isinstance(prompts, (list, tuple)) and len(prompts) == n:
        per = list(prompts)
    else:
        got = len(prompts) if isinstance(prompts, (list, tuple)) else type(prompts).__name__
        raise ValueError(f"Expected `prompts` to have {n} entries (one per completion), got {got}")
    found = analyses_for(completions, analyses, hacks_request())
    out: list[float] = []
    for analysis, prompt in zip(found, per):
        penalty = _report_for(analysis, prompt, thresholds).penalty
        out.append(-penalty if penalty > 0 else 0.0)
    return out
