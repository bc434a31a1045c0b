"""The builder's shared state, and the small records passed down the tree walk.

:class:`BuildState` holds what every layer of the builder reads or appends to: the document's
``id`` index and style sheets, the limits and the deadline, the Scene's growing per-primitive
columns (:class:`Columns`), its groups and definition lists, and the group effects waiting for
bounding boxes (:class:`PendingEffects`). The layers stack on it one feature at a time
(:mod:`~svgkit.build.units` → :mod:`~svgkit.build.style` → :mod:`~svgkit.build.shapes` →
:mod:`~svgkit.build.clip` → :mod:`~svgkit.build.paint` → :mod:`~svgkit.build.primitives` →
:mod:`~svgkit.build.text` → :mod:`~svgkit.build.images` → :mod:`~svgkit.build.structure` →
:mod:`~svgkit.build.builder`); the two calls that must reach up that chain, walking an element's
children and building a nested Scene, are declared here and implemented at the top. Also here:
element references, ``href`` / ``xlink:href`` and ``url(#id)`` (SVG 2 §5.6 and CSS Values §4.5),
and the ``href`` chains through which gradients, patterns and filters inherit attributes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..affine import IDENTITY, Affine
from ..errors import _DiagnosticSink
from ..ingest.safe_xml import SVG_NS, XLINK_NS, ParsedXML, local_name
from ..limits import Deadline, Limits, limit_error
from ..scene import Canvas, ClipPath, Filter, Gradient, Group, Image, Mask, Pattern, Scene, TextRun
from .css import CSSRule, StyleSheet, parse_stylesheet

__all__ = [
    "ANIMATION",
    "BBoxFn",
    "BuildState",
    "Columns",
    "ContextPaint",
    "Ctx",
    "EXTERNAL_URL",
    "Node",
    "PendingEffects",
    "ROW_FIELDS",
    "URL",
    "chain_attr",
    "effect_value",
    "href_of",
    "is_tag",
    "no_bbox",
    "ref_text",
]

BBoxFn = Callable[[], "tuple[float, float, float, float] | None"]

URL = re.compile(r"^\s*url\(\s*['\"]?\s*#([^'\")\s]+)\s*['\"]?\s*\)\s*(.*)$", re.IGNORECASE)
EXTERNAL_URL = re.compile(r"^\s*url\(", re.IGNORECASE)
# SMIL animation elements: never animated, the first frame is drawn
ANIMATION = frozenset(
    {"animate", "animateTransform", "animateMotion", "animateColor", "set", "mpath"}
)


@dataclass
class Node:
    """What CSS matching needs to know of an element."""

    tag: str
    id: str
    classes: tuple[str, ...]
    # the element's attributes, for CSS attribute selectors (None: match none)
    attrib: Mapping[str, str] | None = None


@dataclass
class Ctx:
    """State inherited down the walk."""

    ctm: Affine
    style: dict[str, str]
    group: int
    viewport: tuple[float, float]  # width, height of the nearest viewport in user units
    ancestors: list[Node]
    use_chain: tuple[str, ...] = ()
    ref_depth: int = 0


@dataclass
class ContextPaint:
    """A context element (SVG 2 §13.4): what ``context-fill`` and ``context-stroke`` inside it
    paint with. For marker content it is the marked shape; for a ``<use>`` instance, the use.

    ``fill`` and ``stroke`` are its computed values, resolved in its own ``style``, user space
    ``ctm`` and ``viewport``, and objectBoundingBox units use its ``bbox``."""

    el: ET.Element
    style: dict[str, str]
    ctm: Affine
    viewport: tuple[float, float]
    bbox: BBoxFn

    @property
    def fill(self) -> str:
        return self.style.get("fill", "black")

    @property
    def stroke(self) -> str:
        return self.style.get("stroke", "none")


@dataclass
class PendingEffects:
    """A group whose filter, mask or objectBoundingBox clip is resolved once its primitives'
    bboxes are known."""

    group: int
    start: int
    el: ET.Element
    ctm: Affine
    ctx: Ctx
    filter: str
    mask: str
    end: int = -1
    clip: str = ""


@dataclass
class Columns:
    """Per-primitive data accumulated during the walk.

    ``kind`` has one entry per primitive; ``codes``, ``points`` and ``dash_values`` are the
    primitives' command codes, point coordinates and dash lengths end to end; ``rows`` holds one
    tuple per primitive with the fields of :data:`ROW_FIELDS`, in that order (one tuple append
    per primitive is cheaper than twenty list appends; :meth:`Builder.finish` transposes them).
    """

    kind: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    points: list[float] = field(default_factory=list)
    dash_values: list[float] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)


#: The fields of a :attr:`Columns.rows` tuple, in order.
ROW_FIELDS = (
    "tag", "id", "classes", "group", "n_cmds", "n_pts", "transform", "fill_kind", "fill_rgba",
    "fill_paint", "fill_rule", "stroke_kind", "stroke_rgba", "stroke_paint", "stroke_width",
    "line_cap", "line_join", "miter_limit", "dash_count", "dash_offset", "opacity", "visible",
    "clip", "stroke_first",
)  # fmt: skip


class BuildState:
    """What the builder's layers share: the document, the limits and the Scene being built.

    Parameters
    ----------
    parsed : ParsedXML
        The document from :func:`svgkit.ingest.safe_xml.parse_xml`.
    limits : Limits
        The hard limits; the deadline starts when the state is created.
    sink : _DiagnosticSink
        Where warnings go (shared with the ingest stage).
    tolerance : float
        The flattening tolerance recorded in the Scene (and used to count points).
    """

    def __init__(
        self, parsed: ParsedXML, limits: Limits, sink: _DiagnosticSink, tolerance: float
    ) -> None:
        self.root = parsed.root
        self.limits = limits
        self.sink = sink
        self.tolerance = tolerance
        self.deadline = Deadline(limits.time_budget_s)
        self.acc = Columns()
        self.groups: list[Group] = []
        self.gradients: list[Gradient] = []
        self.clips: list[ClipPath] = []
        self.texts: dict[int, TextRun] = {}
        self.images: dict[int, Image] = {}
        self.by_id: dict[str, ET.Element] = {}
        self.use_expansions = 0
        self.total_cmds = 0
        self.text_chars = 0
        self._space_pending = False
        self._chunk_id = 0
        self._dx_pending = 0.0
        self.css_transforms: dict[int, str] = {}
        self.transform_origins: dict[int, tuple[float, float]] = {}
        # each element's own text-decoration, from the whole cascade (keyed by id(element))
        self.declared_decorations: dict[int, str] = {}
        self._parents: dict[ET.Element, ET.Element] | None = None
        self._ancestor_styles: dict[int, tuple[dict[str, str], list[Node]]] = {}
        self.font_size_hint = 16.0
        self.filters: list[Filter] = []
        self.masks: list[Mask] = []
        self.patterns: list[Pattern] = []
        self.pending: list[PendingEffects] = []
        self.active_refs: set[str] = set()
        # the context elements around the element being built, innermost last
        self.paint_contexts: list[ContextPaint] = []
        # warnings issued so far (repeats included), so a cache can tell a result that warned
        self.warn_count = 0
        # a gradient's stops and their mean colour by (stops element, viewport), see
        # Paint.gradient_paint
        self.stop_cache: dict[tuple[int, tuple[float, float]], tuple[list[Any], Any]] = {}
        self.canvas_info = Canvas(0.0, 0.0, None, "xMidYMid meet", IDENTITY)
        rules: list[CSSRule] = []
        # the Scene's element_counts: SVG elements by local name, in document order (the
        # builder never changes the tree, so they are counted in this one pass)
        self.element_counts: dict[str, int] = {}
        counts = self.element_counts
        for el in self.root.iter():
            if not isinstance(el.tag, str):
                continue
            ns, name = local_name(el.tag)
            if ns == "" or ns == SVG_NS:
                counts[name] = counts.get(name, 0) + 1
            el_id = el.get("id")
            if el_id and el_id not in self.by_id:
                self.by_id[el_id] = el
            if name == "style" and ns in ("", SVG_NS):
                css_type = el.get("type", "text/css").strip().lower()
                if css_type not in ("", "text/css"):
                    continue
                rules += parse_stylesheet("".join(el.itertext()), sink, len(rules))
        self.css = StyleSheet(rules)

    def warn(self, code: str, message: str, el: ET.Element | None = None) -> None:
        self.warn_count += 1
        tag = local_name(el.tag)[1] if el is not None and isinstance(el.tag, str) else ""
        self.sink.add(code, message, tag, (el.get("id") or "") if el is not None else "")

    def href_chain(self, el: ET.Element, kinds: tuple[str, ...]) -> list[ET.Element]:
        """``el`` and the elements its ``href`` chain reaches, while they are of ``kinds``.

        The chain stops at a missing or repeated target; one longer than
        ``max_reference_depth`` raises the limit error.
        """
        chain = [el]
        seen = {id(el)}
        while True:
            ref = href_of(chain[-1])
            if not ref or not ref.startswith("#"):
                break
            nxt = self.by_id.get(ref[1:])
            if nxt is None or id(nxt) in seen or local_name(nxt.tag)[1] not in kinds:
                break
            if len(chain) >= self.limits.max_reference_depth:
                raise limit_error(
                    "max_reference_depth", len(chain) + 1, self.limits.max_reference_depth
                )
            seen.add(id(nxt))
            chain.append(nxt)
        return chain

    # the calls below go "up" the layer chain; structure.py and builder.py implement them
    def walk_children(self, el: ET.Element, ctx: Ctx) -> None:
        """Emit the children of ``el`` (see :class:`~svgkit.build.structure.Structure`)."""
        raise NotImplementedError

    def build_nested(
        self,
        parent: ET.Element | None,
        ctm: Affine,
        ctx: Ctx | None,
        tag: str,
        canvas: Canvas,
    ) -> Scene:
        """Walk ``parent``'s children into a Scene of their own (mask, pattern content);
        implemented by :class:`~svgkit.build.builder.Builder`."""
        raise NotImplementedError


def chain_attr(chain: list[ET.Element], name: str) -> str | None:
    """The first value of attribute ``name`` along an ``href`` chain, or ``None``."""
    for el in chain:
        v = el.get(name)
        if v is not None:
            return v
    return None


def effect_value(value: str | None) -> str:
    """A filter or mask property, ``""`` when it is absent or ``none``."""
    v = (value or "").strip()
    return "" if v == "none" else v


def no_bbox() -> None:
    """The bbox of something that has none (a container resolved before its content)."""
    return None


def ref_text(value: str | None) -> str:
    """The ``#id`` a ``url(#id)`` value names (as recorded on a Group), else the value."""
    if not value or value.strip() == "none":
        return ""
    m = URL.match(value)
    return f"#{m.group(1)}" if m else value.strip()


def href_of(el: ET.Element) -> str | None:
    """The element's ``href``, or its ``xlink:href`` (SVG 2 keeps both), stripped."""
    v = el.get("href")
    if v is None:
        v = el.get(f"{{{XLINK_NS}}}href")
    return v.strip() if v is not None else None


def is_tag(el: Any, name: str) -> bool:
    """Whether ``el`` is an element (not a comment) with local name ``name``."""
    return isinstance(el.tag, str) and local_name(el.tag)[1] == name
