"""The style cascade: which value of each property applies to an element.

Resolves SVG 2 §6 (styling) in the order CSS Cascade 4 gives it: inherited values, then
presentation attributes (§6.6), then matching style-sheet rules (``!important`` first), then the
``style`` attribute, with ``inherit`` resolved against the parent. Definition elements
(gradients, clip paths, masks, patterns, markers, filters) are styled in the cascade of their
own document ancestors, not of where they are used (§13, §14). Also ``paint-order`` (§13.7).

Font properties hold computed values, which is what children inherit (CSS Fonts 4, see
:mod:`svgkit.build.font_props`): ``font-size`` as a plain number of user units (``em``, ``%``,
``larger``, ``smaller`` resolved against the parent's computed size, keywords against
``medium`` = 16), ``font-weight`` as a number (``bolder`` / ``lighter`` from the parent's), an
invalid value of either falling back to the parent's. The ``font`` shorthand arrives already
expanded into its longhands (:func:`~svgkit.build.css.parse_declarations`); it is not a
presentation attribute. The initial font is the browsers': ``serif``, 16 px, weight 400.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from ..affine import IDENTITY, Affine
from ..ingest.safe_xml import local_name
from .context import Ctx, Node
from .css import parse_declarations
from .font_props import MEDIUM_PX, computed_font_size, computed_font_weight, format_number
from .units import Units

__all__ = ["DEFAULT_STYLE", "INHERITED", "PRESENTATION", "Style", "paint_order"]

# Properties that inherit (SVG 2 / CSS): the walk copies these from parent to child.
INHERITED = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "visibility",
        "clip-rule",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "color",
        "paint-order",
        "marker-start",
        "marker-mid",
        "marker-end",
        "color-interpolation-filters",
        "letter-spacing",
        "dominant-baseline",
    }
)
# Presentation attributes svgkit reads (others are ignored as attributes).
PRESENTATION = INHERITED | {
    "opacity",
    "display",
    "clip-path",
    "mask",
    "filter",
    "stop-color",
    "stop-opacity",
    "overflow",
    "transform",
    "transform-origin",
    "text-decoration",
    "flood-color",
    "flood-opacity",
    "lighting-color",
    "mask-type",
}
DEFAULT_STYLE: dict[str, str] = {
    "fill": "black",
    "fill-opacity": "1",
    "fill-rule": "nonzero",
    "stroke": "none",
    "stroke-width": "1",
    "stroke-opacity": "1",
    "stroke-linecap": "butt",
    "stroke-linejoin": "miter",
    "stroke-miterlimit": "4",
    "stroke-dasharray": "none",
    "stroke-dashoffset": "0",
    "visibility": "visible",
    "clip-rule": "nonzero",
    "font-family": "serif",
    "font-size": "16",
    "font-weight": "400",
    "font-style": "normal",
    "text-anchor": "start",
    "color": "black",
    "paint-order": "normal",
}


class Style(Units):
    """Computes each element's style through the cascade."""

    def compute_style(self, el: ET.Element, name: str, ctx: Ctx) -> tuple[dict[str, str], Node]:
        """Cascade: inherited values < presentation attributes < CSS rules < style attribute."""
        parent = ctx.style
        # a plain copy (C speed) when the parent holds only inherited properties, as it usually does
        if INHERITED.issuperset(parent):
            style = parent.copy()
        else:
            style = {k: v for k, v in parent.items() if k in INHERITED}
        attrib = el.attrib
        class_attr = attrib.get("class")
        node = Node(
            name, attrib.get("id", ""), tuple(class_attr.split()) if class_attr else (), attrib
        )
        # "inherit" can only come from the values set here: the parent's style is resolved
        # (or, were it not, copying its value again would change nothing)
        inherit = False
        for key, raw in attrib.items():
            if key in PRESENTATION and key != "transform":
                value = raw.strip()
                style[key] = value
                if value == "inherit":
                    inherit = True
        important: set[str] | frozenset[str] = _NO_IMPORTANT
        css = self.css
        if css.rules:
            found: set[str] = set()
            for prop, value, imp in css.declarations_for(node, ctx.ancestors):
                style[prop] = value
                if imp:
                    found.add(prop)
                if value == "inherit":
                    inherit = True
            important = found
        style_attr = attrib.get("style")
        if style_attr:
            for prop, value, imp in _declarations(style_attr):
                if imp or prop not in important:
                    style[prop] = value
                    if value == "inherit":
                        inherit = True
        if "transform" in style:
            self.css_transforms[id(el)] = style.pop("transform")
        if "text-decoration" in style:
            # it does not inherit but propagates to the text inside (CSS Text Decoration §2)
            self.declared_decorations[id(el)] = style["text-decoration"]
        if "transform-origin" in style:
            origin = self.transform_origin(style.pop("transform-origin"), el, ctx.viewport)
            if origin is not None:
                self.transform_origins[id(el)] = origin
        if inherit:
            for key, value in list(style.items()):
                if value == "inherit":
                    if key in parent:
                        style[key] = parent[key]
                    else:
                        del style[key]
        # values this element set (an inherited one is the parent's very string, already computed)
        size = style.get("font-size")
        parent_size = parent.get("font-size")
        if size is not None and size is not parent_size:
            style["font-size"] = _computed_size(size, parent_size)
        weight = style.get("font-weight")
        parent_weight = parent.get("font-weight")
        if weight is not None and weight is not parent_weight:
            style["font-weight"] = _computed_weight(weight, parent_weight)
        return style, node

    def font_size(self, style: dict[str, str], el: ET.Element, ctx: Ctx) -> float:
        """The element's computed font size in user units (``style`` from
        :meth:`compute_style`); beyond ``max_coordinate`` it is a limit error."""
        raw = style.get("font-size", "16")
        try:
            v = float(raw)
        except ValueError:  # a style not made by compute_style: compute it here
            v = float(_computed_size(raw, ctx.style.get("font-size")))
        return self.check_coordinate(v, "font-size", el)

    def definition_context(self, el: ET.Element, ctm: Affine, viewport: tuple[float, float]) -> Ctx:
        """The context a definition element (gradient, clipPath, mask, pattern, marker, filter)
        is styled in: the cascade of its own document ancestors, not of where it is used."""
        if self._parents is None:
            self._parents = {child: parent for parent in self.root.iter() for child in parent}
        chain: list[ET.Element] = []
        p = self._parents.get(el)
        while p is not None:
            chain.append(p)
            p = self._parents.get(p)
        key = id(chain[0]) if chain else 0
        cached = self._ancestor_styles.get(key)
        if cached is None:
            style: dict[str, str] = dict(DEFAULT_STYLE)
            nodes: list[Node] = []
            for anc in reversed(chain):
                base = Ctx(IDENTITY, style, -1, viewport, list(nodes))
                full, node = self.compute_style(anc, local_name(anc.tag)[1], base)
                style = self.inheritable(full)
                nodes.append(node)
            cached = (style, nodes)
            self._ancestor_styles[key] = cached
        return Ctx(ctm, cached[0], -1, viewport, list(cached[1]))

    def inheritable(self, style: dict[str, str]) -> dict[str, str]:
        """The part of a computed style that children inherit."""
        if INHERITED.issuperset(style):
            return style
        return {k: v for k, v in style.items() if k in INHERITED}

    def element_style(self, el: ET.Element, ctx: Ctx) -> tuple[dict[str, str], Ctx]:
        """The style of a definition element (filter, mask, pattern, marker), cascaded from its own
        document ancestors, and the context its children are styled in."""
        base = self.definition_context(el, IDENTITY, ctx.viewport)
        style, node = self.compute_style(el, local_name(el.tag)[1], base)
        # the full style, so "inherit" on a child can reach non-inherited properties (flood-color)
        return style, Ctx(IDENTITY, style, -1, ctx.viewport, [node])


# the !important properties of an element no style sheet matched (never added to)
_NO_IMPORTANT: frozenset[str] = frozenset()
# parsed style="" attributes by text: models repeat the same declarations (a gradient's stops,
# a family of shapes), and parsing one is a split, a strip and a lower per declaration
_DECLARATIONS: dict[str, tuple[tuple[str, str, bool], ...]] = {}


def _declarations(text: str) -> tuple[tuple[str, str, bool], ...]:
    """:func:`~svgkit.build.css.parse_declarations`, memoised (bounded)."""
    hit = _DECLARATIONS.get(text)
    if hit is None:
        hit = tuple(parse_declarations(text))
        if len(_DECLARATIONS) >= 2048:
            _DECLARATIONS.clear()
        _DECLARATIONS[text] = hit
    return hit


def _number(value: str | None, default: float) -> float:
    """A computed number of a parent style (``default`` for a missing or foreign value)."""
    if value is None:
        return default
    try:
        v = float(value)
    except ValueError:
        return default
    return v if math.isfinite(v) else default


def _computed_size(raw: str, parent: str | None) -> str:
    """The computed ``font-size`` of a declared value; an invalid one keeps the parent's."""
    parent_px = _number(parent, MEDIUM_PX)
    size = computed_font_size(raw, parent_px)
    return format_number(parent_px if size is None else size)


def _computed_weight(raw: str, parent: str | None) -> str:
    """The computed ``font-weight`` of a declared value; an invalid one keeps the parent's."""
    parent_w = _number(parent, 400.0)
    weight = computed_font_weight(raw, parent_w)
    return format_number(parent_w if weight is None else weight)


def paint_order(style: dict[str, str]) -> list[str]:
    """The paint-order keywords, or [] for ``normal`` and for any invalid value."""
    order = style.get("paint-order", "normal").split()
    if not order or order == ["normal"]:
        return []
    if len(set(order)) != len(order) or not set(order) <= {"fill", "stroke", "markers"}:
        return []
    return order
