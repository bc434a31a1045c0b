"""The Scene: the one simplified representation every later stage reads.

A Scene is flat: primitives in paint order with absolute (device-space) geometry, resolved paint,
and membership in the groups that enclosed them. It is stored struct-of-arrays so numba kernels and
the renderer can read it without copies. Nothing downstream of :func:`svgkit.parse` ever sees XML.

Coordinates
-----------
*Device space* is the viewport in CSS px: ``(0, 0)`` top-left, ``(canvas.width, canvas.height)``
bottom-right, y down. All geometry arrays are in device space, with every transform (including the
root viewBox mapping) already applied. Stroke widths and dashes stay in the element's *user* units
together with the element's full transform (``transform``), because a non-uniform scale turns a
stroke into something no single width describes; the renderer strokes under that transform.

Geometry encoding
-----------------
Exact geometry is a command stream: ``cmd_codes`` (``MOVE``, ``LINE``, ``CUBIC``, ``CLOSE``) and
``cmd_points`` (1, 1, 3 and 0 points per command respectively). Quadratic Béziers are raised to
cubics exactly; elliptical arcs become cubics of at most 90° each (the same approximation resvg and
browsers use; relative error below 3e-4 of the radius). Primitive ``i`` owns commands
``cmd_offsets[i]:cmd_offsets[i+1]`` and points ``pt_offsets[i]:pt_offsets[i+1]``.

Flattened geometry (:attr:`Scene.flat`) is computed on first access: polylines within
``flatten_tolerance`` device px, as one ``points`` array with subpath offsets.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .errors import Diagnostic
from .paths import Command, FlatGeometry

__all__ = [
    "Canvas",
    "ClipPath",
    "Command",
    "Filter",
    "FilterPrimitive",
    "FlatGeometry",
    "Gradient",
    "GradientStop",
    "Group",
    "Image",
    "LineCap",
    "LineJoin",
    "Mask",
    "PaintKind",
    "Pattern",
    "PrimitiveKind",
    "Primitive",
    "Scene",
    "TextRun",
    "Glyph",
    "device_stroke_width",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def device_stroke_width(stroke_width: FloatArray, transform: FloatArray) -> FloatArray:
    """Stroke widths in device px for user-space widths under ``(n, 6)`` affine transforms.

    The one definition of a stroke's device width (the builder's stroke boxes and
    :attr:`Scene.stroke_width_device` use it): user width × sqrt(|det|) of the linear part,
    exact for uniform scales and the geometric mean of the axes' scales otherwise.

    Examples
    --------
    >>> device_stroke_width(np.array([2.0]), np.array([[3.0, 0.0, 0.0, 3.0, 5.0, 5.0]]))
    array([6.])
    """
    if not len(transform):
        return np.zeros(0)
    # an overflow gives inf, which the builder's coordinate limit then refuses
    with np.errstate(over="ignore", invalid="ignore"):
        det = np.abs(transform[:, 0] * transform[:, 3] - transform[:, 1] * transform[:, 2])
        return np.asarray(stroke_width * np.sqrt(det), dtype=np.float64)


class PrimitiveKind(enum.IntEnum):
    """The source element a primitive came from."""

    RECT = 0
    CIRCLE = 1
    ELLIPSE = 2
    LINE = 3
    POLYLINE = 4
    POLYGON = 5
    PATH = 6
    TEXT = 7
    IMAGE = 8


class PaintKind(enum.IntEnum):
    """How a fill or stroke is painted."""

    NONE = 0
    SOLID = 1
    LINEAR_GRADIENT = 2
    RADIAL_GRADIENT = 3
    UNSUPPORTED = 4  # a paint server svgkit cannot draw: drawn with the fallback colour
    PATTERN = 5  # fill_paint / stroke_paint index Scene.patterns


class LineCap(enum.IntEnum):
    BUTT = 0
    ROUND = 1
    SQUARE = 2


class LineJoin(enum.IntEnum):
    MITER = 0
    ROUND = 1
    BEVEL = 2
    MITER_CLIP = 3
    ARCS = 4


FILL_RULE_NONZERO = 0
FILL_RULE_EVENODD = 1


@dataclass(frozen=True)
class Canvas:
    """The output viewport and how user space maps onto it.

    Parameters
    ----------
    width, height
        Viewport size in CSS px (from ``width``/``height``; from the viewBox when absent; 300×150
        when neither is given, as browsers do).
    viewbox
        ``(min_x, min_y, width, height)`` of the root ``viewBox`` or ``None``.
    preserve_aspect_ratio
        The root ``preserveAspectRatio`` value, normalised (e.g. ``"xMidYMid meet"``).
    transform
        Affine ``(a, b, c, d, e, f)`` mapping root user space to device space.
    """

    width: float
    height: float
    viewbox: tuple[float, float, float, float] | None
    preserve_aspect_ratio: str
    transform: tuple[float, float, float, float, float, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "viewbox": list(self.viewbox) if self.viewbox else None,
            "preserve_aspect_ratio": self.preserve_aspect_ratio,
            "transform": list(self.transform),
        }


@dataclass(frozen=True)
class Group:
    """A container that encloses primitives: ``<svg>`` (root and nested), ``<g>``, ``<a>``,
    a ``<use>`` instance or a ``<symbol>`` instantiated by a use.

    Group 0 is always the root ``<svg>``. Primitives of one group are contiguous in paint order, so
    the renderer opens a group at its first primitive and closes it after its last.

    Parameters
    ----------
    index
        Position in :attr:`Scene.groups`.
    parent
        Index of the enclosing group, ``-1`` for the root.
    tag
        ``"svg"``, ``"g"``, ``"a"``, ``"use"``, ``"symbol"`` or ``"switch"``.
    id
        The element's ``id`` (``""`` when absent). Ids may repeat across ``<use>`` instances.
    classes
        The element's ``class`` tokens.
    data_object
        The element's ``data-object`` attribute (``""`` when absent).
    opacity
        The group's own ``opacity`` in [0, 1], composited once for the whole group.
    clip
        Index into :attr:`Scene.clips` of the group's own ``clip-path``, or ``-1``.
    mask, filter
        Raw references (``"#id"``) of ``mask``/``filter`` on the group, kept for later stages
        (``""`` when absent).
    use_instance
        ``True`` for groups created by expanding a ``<use>`` (an instance is its own object).
    depth
        Nesting depth, root = 0.
    filter_index, mask_index
        Index into :attr:`Scene.filters` / :attr:`Scene.masks` of the resolved effect, or -1
        (no effect, or a reference that resolved to nothing: then the group draws without it).
    synthetic
        ``True`` for a group svgkit created around a single element that has a filter or mask
        (the effect applies to that element as a layer; its ``opacity`` moved onto the group).
        Such a group carries no id or class: it is not an object of its own (an element with
        ``mix-blend-mode`` is wrapped the same way).
    blend_mode
        The CSS ``mix-blend-mode`` keyword the group's layer is blended onto its backdrop with
        (``"normal"``, ``"multiply"``, …, ``"luminosity"``: the 16 of CSS Compositing 1 §5).
    isolate
        ``True`` for ``isolation: isolate``: the group's content blends within its own layer,
        never with what lies behind the group.
    background
        Straight RGBA of the root ``<svg>``'s CSS ``background-color`` (group 0 only; ``None``
        when it has none or it is transparent), painted over the whole output behind the
        content.
    empty_at
        For a filtered group with no primitives, the index of the primitive it comes before in
        paint order (``len(scene)`` at the end), so its filter still draws there; ``-1`` for
        every other group.
    """

    index: int
    parent: int
    tag: str
    id: str = ""
    classes: tuple[str, ...] = ()
    data_object: str = ""
    opacity: float = 1.0
    clip: int = -1
    mask: str = ""
    filter: str = ""
    use_instance: bool = False
    depth: int = 0
    filter_index: int = -1
    mask_index: int = -1
    synthetic: bool = False
    blend_mode: str = "normal"
    isolate: bool = False
    background: tuple[float, float, float, float] | None = None
    empty_at: int = -1

    @property
    def needs_compositing(self) -> bool:
        """Whether the renderer must draw this group into its own layer."""
        return (
            self.opacity < 1.0
            or self.clip >= 0
            or self.filter_index >= 0
            or self.mask_index >= 0
            or self.blend_mode != "normal"
            or self.isolate
        )


@dataclass(frozen=True)
class GradientStop:
    """One colour stop: ``offset`` in [0, 1] (monotone), straight RGBA in [0, 1] (stop-opacity
    multiplied into alpha)."""

    offset: float
    rgba: tuple[float, float, float, float]


@dataclass(frozen=True)
class Gradient:
    """A gradient resolved for one painted element.

    ``href`` inheritance, units and ``gradientTransform`` are resolved: the geometry fields are in
    *gradient space*, and ``transform`` maps gradient space to device space (it folds the element's
    transform, the objectBoundingBox mapping when ``gradientUnits="objectBoundingBox"``, and the
    ``gradientTransform``).

    Parameters
    ----------
    kind
        ``"linear"`` or ``"radial"``.
    stops
        At least one stop (a gradient with no stops paints nothing and is never emitted).
    spread
        ``"pad"``, ``"reflect"`` or ``"repeat"``.
    x1, y1, x2, y2
        Linear gradient vector.
    cx, cy, r, fx, fy, fr
        Radial gradient circles (end circle ``cx, cy, r``; focal circle ``fx, fy, fr``).
    transform
        Affine ``(a, b, c, d, e, f)`` gradient space → device space.
    id
        The id of the gradient element that was referenced.
    """

    kind: str
    stops: tuple[GradientStop, ...]
    spread: str = "pad"
    x1: float = 0.0
    y1: float = 0.0
    x2: float = 1.0
    y2: float = 0.0
    cx: float = 0.5
    cy: float = 0.5
    r: float = 0.5
    fx: float = 0.5
    fy: float = 0.5
    fr: float = 0.0
    transform: tuple[float, float, float, float, float, float] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    id: str = ""

    def mean_rgba(self) -> tuple[float, float, float, float]:
        """The offset-weighted mean stop colour, used where one colour must stand for the paint."""
        if len(self.stops) == 1:
            return self.stops[0].rgba
        offs = np.array([s.offset for s in self.stops])
        cols = np.array([s.rgba for s in self.stops])
        # trapezoid weights over [0, 1], with the pad regions at each end
        edges = np.concatenate([[0.0], (offs[1:] + offs[:-1]) / 2.0, [1.0]])
        w = np.clip(np.diff(edges), 0.0, None)
        if w.sum() <= 0:
            w = np.ones_like(w)
        mean = (cols * w[:, None]).sum(axis=0) / w.sum()
        return (float(mean[0]), float(mean[1]), float(mean[2]), float(mean[3]))


@dataclass(frozen=True)
class ClipPath:
    """A ``clipPath`` resolved for one referencing element or group.

    Its children are stored as their own command streams in device space (units and transforms
    resolved). The clip region is the union of the children, each filled with its ``clip-rule``;
    ``clip`` is the index of the clip applied to this clip itself (``clip-path`` on the
    ``<clipPath>``), or ``-1``.
    """

    id: str
    cmd_codes: tuple[npt.NDArray[np.uint8], ...]
    cmd_points: tuple[FloatArray, ...]
    clip_rules: tuple[int, ...]
    clip: int = -1


@dataclass(frozen=True)
class FilterPrimitive:
    """One filter primitive (``<feGaussianBlur>``, ``<feOffset>``, …) resolved for one use.

    Parameters
    ----------
    kind
        The element name, one of :data:`svgkit.filter_spec.SUPPORTED_KINDS` (``"feGaussianBlur"``,
        ``"feOffset"``, ``"feFlood"``, ``"feComposite"``, ``"feMerge"``, ``"feBlend"``,
        ``"feColorMatrix"``, ``"feDropShadow"``, ``"feComponentTransfer"``, ``"feMorphology"``,
        ``"feTurbulence"``, ``"feDiffuseLighting"``, ``"feSpecularLighting"``,
        ``"feConvolveMatrix"``, ``"feDisplacementMap"``, ``"feTile"``, ``"feImage"``); others are
        kept with their raw attributes in ``params`` and a warning, and pass their first input
        through.
    inputs
        Input names in order: ``"SourceGraphic"``, ``"SourceAlpha"``, a previous ``result`` name,
        or ``""`` for the previous primitive's output (the source graphic for the first one). For
        ``feMerge`` one entry per ``<feMergeNode>``; ``feComposite``/``feBlend`` have two.
    result
        The name this output can be referenced by (``""`` when unnamed).
    subregion
        ``(x, y, width, height)`` in canvas device px, already intersected with nothing: the
        primitive's own x/y/width/height resolved (defaults: the filter region).
    linear_rgb
        ``True`` when ``color-interpolation-filters`` is ``linearRGB`` (the default): the
        primitive operates on linearised colour values.
    params
        Resolved parameters; lengths are in canvas device px, per axis where SVG has two values:

        - feGaussianBlur: ``std_dev`` (sx, sy), ``edge_mode`` ("none" | "duplicate" | "wrap")
        - feOffset: ``dx``, ``dy``
        - feFlood: ``rgba`` (straight RGBA in [0, 1], flood-opacity folded into alpha)
        - feComposite: ``operator`` ("over" | "in" | "out" | "atop" | "xor" | "arithmetic"
          | "lighter"), ``k1`` … ``k4``
        - feBlend: ``mode`` (normal, multiply, screen, overlay, darken, lighten, color-dodge,
          color-burn, hard-light, soft-light, difference, exclusion, hue, saturation, color,
          luminosity)
        - feColorMatrix: ``matrix`` (20 floats, row-major 4×5, already expanded from
          ``saturate``/``hueRotate``/``luminanceToAlpha``)
        - feDropShadow: ``std_dev``, ``dx``, ``dy``, ``rgba``
        - feMorphology: ``operator``, ``radius``; feComponentTransfer: ``funcs``
        - feTurbulence: ``base_frequency``, ``num_octaves``, ``seed``, ``stitch``, ``fractal``,
          ``user_to_canvas`` (evaluated in user space), ``tile``
        - feDiffuseLighting / feSpecularLighting: ``surface_scale``, ``constant``, ``rgb``,
          ``light`` (distant, point or spot), ``specular_exponent``
        - feConvolveMatrix: ``order``, ``kernel``, ``bias``, ``edge_mode``, ``preserve_alpha``,
          and ``divisor``, ``target_x``, ``target_y`` when given
        - feDisplacementMap: ``scale``, ``x_channel``, ``y_channel``
        - feImage: ``href`` and ``content`` (a nested Scene of the element or ``data:`` image;
          never fetched)

        ``docs/filters.md`` has each primitive's exact meaning.
    """

    kind: str
    inputs: tuple[str, ...]
    result: str
    subregion: tuple[float, float, float, float]
    linear_rgb: bool
    params: dict[str, Any]


@dataclass(frozen=True)
class Filter:
    """A ``<filter>`` resolved for one filtered group.

    ``region`` is ``(x, y, width, height)`` in canvas device px: the filter region (default the
    element's bbox grown by 10% on each side) mapped through the element's transform and taken as
    the axis-aligned box of the result. Pixels outside the region are transparent after
    filtering. An empty ``primitives`` tuple means the element is not rendered (SVG's rule for a
    filter without primitives).

    ``transform`` maps the filter's own space to canvas device px. It is the identity unless the
    element's transform skews or rotates: Filter Effects applies a filter in the element's user
    space, so the builder then resolves ``region``, the subregions and the lengths in that user
    space scaled by the transform's column lengths (an axis-aligned space), and ``transform`` is
    the remaining rotation/skew and translation; the renderer filters in that space and maps the
    result onto the canvas.
    """

    id: str
    region: tuple[float, float, float, float]
    primitives: tuple[FilterPrimitive, ...]
    transform: tuple[float, float, float, float, float, float] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True, eq=False)
class Mask:
    """A ``<mask>`` resolved for one masked group.

    Parameters
    ----------
    id
        The mask element's id.
    region
        ``(x, y, width, height)`` in canvas device px (``maskUnits`` resolved; the axis-aligned box
        of the mapped rectangle). Outside it the masked content is invisible.
    luminance
        ``True`` for ``mask-type: luminance`` (the default): the mask value of a pixel is its
        linear-RGB luminance 0.2125 R + 0.7154 G + 0.0721 B times its alpha; ``False`` for
        ``alpha``: the alpha alone.
    content
        The mask's children as a Scene in the same canvas device space (``maskContentUnits``
        resolved). Its ``warnings`` are empty: they are reported on the outer Scene.
    mask
        Index into :attr:`Scene.masks` of a mask applied to this mask itself, or -1.
    transform
        Maps ``region`` to canvas device px when the masked element's transform skews or
        rotates (the region is then a parallelogram on the canvas, given as a rectangle in the
        element's user space scaled by the transform's column lengths); otherwise the identity
        and ``region`` is in canvas px.
    """

    id: str
    region: tuple[float, float, float, float]
    luminance: bool
    content: Scene
    mask: int = -1
    transform: tuple[float, float, float, float, float, float] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True, eq=False)
class Pattern:
    """A ``<pattern>`` paint resolved for one painted element.

    ``tile`` is ``(x, y, width, height)`` in *pattern space*; ``transform`` maps pattern space to
    canvas device space (the element's transform, the objectBoundingBox mapping of
    ``patternUnits``, and ``patternTransform``). ``content`` is a Scene whose device space is the
    tile's own space: ``(0, 0)`` at the tile's top-left corner, ``viewBox`` and
    ``patternContentUnits`` already applied; it is clipped to ``(0, 0, width, height)`` and
    repeated every ``width`` × ``height`` in pattern space.
    """

    id: str
    tile: tuple[float, float, float, float]
    transform: tuple[float, float, float, float, float, float]
    content: Scene


class Glyph(NamedTuple):
    """One placed glyph of a :class:`TextRun`: the font file and face it comes from, its glyph
    id in that face, ``x`` in the run's user space (absolute, anchor applied), ``y`` as an offset
    from the baseline (positive downwards) and ``cluster``, the index in the run's text of the
    character it draws. ``rotate`` (degrees, clockwise on screen) turns the glyph about its
    origin ``(x, y)`` (``rotate`` lists, ``<textPath>`` tangents) and ``scale`` stretches it
    horizontally before the turn (``lengthAdjust="spacingAndGlyphs"``)."""

    font_file: str
    face_index: int
    glyph_id: int
    x: float
    y: float
    cluster: int
    rotate: float = 0.0
    scale: float = 1.0


@dataclass(frozen=True)
class TextRun:
    """A ``<text>`` (or ``<tspan>``) run carried as one primitive, laid out once by the builder.

    One run per text node. Positions and sizes are in the element's user space; the primitive's
    ``transform`` maps them to device space. Each text chunk of a ``<text>`` is laid out by
    :func:`svgkit.text_layout.layout_text` (HarfBuzz shaping, fontconfig fallbacks, coordinate
    lists, spacing, ``textLength``, ``text_anchor``, ``<textPath>``), so ``x`` is the left end
    of where this run's glyphs really are, ``y`` the baseline of its first character,
    ``advance`` the horizontal extent of its characters and ``glyphs`` the glyphs the renderer
    draws, each with its own position, baseline offset, rotation and horizontal scale.
    ``chunk`` is the index of the first primitive of the run's text chunk. ``bbox`` is the
    device-space box of the characters' boxes (advance × the font's ascent and descent, rotated
    with rotated or on-path characters). ``shaped`` says a font file laid the run out; when none
    could, ``advance`` is estimated (0.55 em per character, ascent 0.8 em, descent 0.2 em),
    ``glyphs`` is empty, and the renderer draws the run with cairo's toy text API from ``x``. A
    shaped run may have no glyphs of its own when a ligature with the run before it took its
    characters.
    """

    text: str
    x: float
    y: float
    font_family: tuple[str, ...]
    font_size: float
    font_weight: int
    font_style: str
    text_anchor: str
    bbox: tuple[float, float, float, float]
    chunk: int = -1
    advance: float = 0.0
    glyphs: tuple[Glyph, ...] = ()
    shaped: bool = False


@dataclass(frozen=True)
class Image:
    """An ``<image>`` with a ``data:`` URI (the only kind svgkit ever loads)."""

    href: str
    x: float
    y: float
    width: float
    height: float
    preserve_aspect_ratio: str


@dataclass(frozen=True)
class Primitive:
    """A convenience, read-only view of primitive ``index`` of a :class:`Scene`.

    Examples
    --------
    >>> import svgkit
    >>> scene = svgkit.parse(
    ...     '<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="2"/></svg>'
    ... )
    >>> p = scene.primitive(0)
    >>> p.kind.name, p.bbox
    ('RECT', (0.0, 0.0, 4.0, 2.0))
    """

    scene: Scene = field(repr=False)
    index: int

    @property
    def kind(self) -> PrimitiveKind:
        return PrimitiveKind(int(self.scene.kind[self.index]))

    @property
    def tag(self) -> str:
        return self.scene.tags[self.index]

    @property
    def id(self) -> str:
        return self.scene.ids[self.index]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        b = self.scene.bbox[self.index]
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    @property
    def groups(self) -> tuple[Group, ...]:
        """Enclosing groups, outermost (the root) first."""
        return self.scene.ancestors(self.index)

    @property
    def commands(self) -> tuple[npt.NDArray[np.uint8], FloatArray]:
        s, i = self.scene, self.index
        return (
            s.cmd_codes[s.cmd_offsets[i] : s.cmd_offsets[i + 1]],
            s.cmd_points[s.pt_offsets[i] : s.pt_offsets[i + 1]],
        )


@dataclass(frozen=True, eq=False)
class Scene:
    """A parsed SVG document: canvas, primitives in paint order, and resolved definitions.

    Build one with :func:`svgkit.parse`. Per-primitive fields are arrays of length
    ``n = len(scene)``, index ``i`` being the ``i``-th primitive painted.

    Attributes
    ----------
    canvas : Canvas
    kind : ndarray[int8]
        :class:`PrimitiveKind` of each primitive.
    tags, ids : list[str]
        Source tag and ``id`` of each primitive.
    classes : list[tuple[str, ...]]
        ``class`` tokens of each primitive.
    group : ndarray[int64]
        Innermost enclosing group (index into :attr:`groups`).
    groups : tuple[Group, ...]
    cmd_codes, cmd_points, cmd_offsets, pt_offsets
        Exact geometry in device space (see module docstring).
    transform : ndarray[float64] (n, 6)
        Each primitive's full user → device affine ``(a, b, c, d, e, f)``.
    bbox : ndarray[float64] (n, 4)
        Geometry bbox ``(x0, y0, x1, y1)`` in device space (fill area, no stroke). Text: the
        estimated text box. Empty geometry: NaN.
    stroke_bbox : ndarray[float64] (n, 4)
        bbox grown by half the device stroke width where stroked (joins and caps not included).
    fill_kind, stroke_kind : ndarray[uint8]
        :class:`PaintKind`.
    fill_rgba, stroke_rgba : ndarray[float32] (n, 4)
        Straight RGBA in [0, 1] with ``fill-opacity``/``stroke-opacity`` multiplied into alpha.
        For gradient paint the RGB is the gradient's mean colour and alpha the paint opacity; for
        pattern paint the mean colour of the pattern's content (area-weighted estimate).
    fill_paint, stroke_paint : ndarray[int64]
        Index into :attr:`gradients` for gradient paint, into :attr:`patterns` for pattern
        paint, else -1.
    fill_rule : ndarray[uint8]
        0 nonzero, 1 evenodd.
    stroke_width : ndarray[float64]
        In user units (apply ``transform`` for device size; see :attr:`stroke_width_device`).
    line_cap, line_join : ndarray[uint8]
    miter_limit : ndarray[float64]
    dash_offsets : ndarray[int64] (n + 1)
        Primitive ``i``'s dash array is ``dash_values[dash_offsets[i]:dash_offsets[i+1]]`` (empty:
        solid), in user units, already repeated to even length.
    dash_values : ndarray[float64]
    dash_offset : ndarray[float64]
    opacity : ndarray[float64]
        The element's own ``opacity`` (groups' opacity lives on :attr:`groups`).
    visible : ndarray[bool]
        ``False`` for ``visibility: hidden|collapse`` (the primitive is kept for statistics).
    clip : ndarray[int64]
        Index into :attr:`clips` of the primitive's own ``clip-path``, or -1.
    paint_order_stroke_first : ndarray[bool]
        ``True`` when ``paint-order`` puts the stroke before the fill.
    texts : dict[int, TextRun]
        Text payload by primitive index.
    images : dict[int, Image]
        Image payload by primitive index.
    gradients : tuple[Gradient, ...]
    clips : tuple[ClipPath, ...]
    filters : tuple[Filter, ...]
        Resolved filters, indexed by :attr:`Group.filter_index`.
    masks : tuple[Mask, ...]
        Resolved masks, indexed by :attr:`Group.mask_index`.
    patterns : tuple[Pattern, ...]
        Resolved pattern paints, indexed by ``fill_paint``/``stroke_paint`` where the paint kind
        is ``PATTERN``.
    warnings : tuple[Diagnostic, ...]
        Every feature the Scene does not represent, and every repair made.
    element_counts : dict[str, int]
        Count of each element tag in the source document (before ``<use>`` expansion).
    use_expansions : int
        Number of ``<use>`` instances expanded.
    source_bytes : int
        Size of the SVG text that was parsed.
    flatten_tolerance : float
        Max distance (device px) between a curve and its flattened polyline.
    """

    canvas: Canvas
    kind: npt.NDArray[np.int8]
    tags: list[str]
    ids: list[str]
    classes: list[tuple[str, ...]]
    group: IntArray
    groups: tuple[Group, ...]
    cmd_codes: npt.NDArray[np.uint8]
    cmd_points: FloatArray
    cmd_offsets: IntArray
    pt_offsets: IntArray
    transform: FloatArray
    bbox: FloatArray
    stroke_bbox: FloatArray
    fill_kind: npt.NDArray[np.uint8]
    fill_rgba: npt.NDArray[np.float32]
    fill_paint: IntArray
    fill_rule: npt.NDArray[np.uint8]
    stroke_kind: npt.NDArray[np.uint8]
    stroke_rgba: npt.NDArray[np.float32]
    stroke_paint: IntArray
    stroke_width: FloatArray
    line_cap: npt.NDArray[np.uint8]
    line_join: npt.NDArray[np.uint8]
    miter_limit: FloatArray
    dash_offsets: IntArray
    dash_values: FloatArray
    dash_offset: FloatArray
    opacity: FloatArray
    visible: npt.NDArray[np.bool_]
    clip: IntArray
    paint_order_stroke_first: npt.NDArray[np.bool_]
    texts: dict[int, TextRun]
    images: dict[int, Image]
    gradients: tuple[Gradient, ...]
    clips: tuple[ClipPath, ...]
    warnings: tuple[Diagnostic, ...]
    element_counts: dict[str, int]
    use_expansions: int
    source_bytes: int
    flatten_tolerance: float = 0.1
    filters: tuple[Filter, ...] = ()
    masks: tuple[Mask, ...] = ()
    patterns: tuple[Pattern, ...] = ()

    def __len__(self) -> int:
        return int(self.kind.shape[0])

    def primitive(self, index: int) -> Primitive:
        """Return a read-only view of primitive ``index``."""
        if not -len(self) <= index < len(self):
            raise IndexError(f"primitive index {index} out of range for {len(self)} primitives")
        return Primitive(self, index % len(self) if len(self) else 0)

    def __iter__(self) -> Any:
        return (Primitive(self, i) for i in range(len(self)))

    def ancestors(self, index: int) -> tuple[Group, ...]:
        """Groups enclosing primitive ``index``, outermost (the root ``<svg>``) first."""
        chain: list[Group] = []
        g = int(self.group[index])
        while g >= 0:
            chain.append(self.groups[g])
            g = self.groups[g].parent
        return tuple(reversed(chain))

    @cached_property
    def stroke_width_device(self) -> FloatArray:
        """Stroke width in device px: user width × sqrt(|det|) of the transform's linear part
        (exact for uniform scales, the geometric mean of the axes' scales otherwise)."""
        return device_stroke_width(self.stroke_width, self.transform)

    @cached_property
    def flat(self) -> FlatGeometry:
        """Flattened polylines of all primitives (computed once, on first access)."""
        from .flatten import flatten_scene

        return flatten_scene(self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary (not the geometry arrays)."""
        return {
            "canvas": self.canvas.to_dict(),
            "primitives": len(self),
            "kinds": {k.name.lower(): int((self.kind == k).sum()) for k in PrimitiveKind},
            "groups": len(self.groups),
            "gradients": len(self.gradients),
            "clips": len(self.clips),
            "filters": len(self.filters),
            "masks": len(self.masks),
            "patterns": len(self.patterns),
            "use_expansions": self.use_expansions,
            "element_counts": dict(self.element_counts),
            "warnings": [w.to_dict() for w in self.warnings],
        }
