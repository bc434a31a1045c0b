"""The document's structure: which elements are rendered, and in which coordinate system.

Resolves SVG 2 §5 (document structure): containers (``g``, ``a``, ``switch`` drawing its first
renderable child), nested ``<svg>`` viewports, ``<use>`` instances of elements, symbols and
``<svg>`` (§5.6–5.7) with cycle and expansion limits (a ``<use>`` is the context element of
its instance for ``context-fill`` / ``context-stroke``), elements never rendered (§5.3 and
definitions), and the shapes whose markers are drawn with them. Each rendered container becomes
a :class:`~svgkit.scene.Group` carrying its opacity, clip, mask and filter.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np

from ..affine import Affine, multiply, transform_points
from ..color import parse_color
from ..ingest.safe_xml import SVG_NS, XLINK_NS, local_name
from ..limits import limit_error
from ..scene import Group
from . import path_data
from .context import (
    ANIMATION,
    ContextPaint,
    Ctx,
    Node,
    PendingEffects,
    effect_value,
    href_of,
    no_bbox,
    ref_text,
)
from .images import Images
from .markers import MARKABLE, emit_markers, has_markers
from .primitives import blend_mode, isolates
from .shapes import SHAPES, user_space_bbox
from .style import paint_order
from .units import normalise_par, parse_opacity, viewbox_transform

__all__ = ["CONTAINERS", "NEVER_RENDERED", "Structure", "UNSUPPORTED_DRAWN"]

CONTAINERS = {"g", "a", "switch"}
NEVER_RENDERED = {
    "defs",
    "symbol",
    "clipPath",
    "mask",
    "pattern",
    "marker",
    "linearGradient",
    "radialGradient",
    "filter",
    "style",
    "title",
    "desc",
    "metadata",
    "stop",
    "font",
    "font-face",
    "cursor",
    "view",
}
UNSUPPORTED_DRAWN = {"foreignObject", "script", "iframe", "video", "audio", "canvas"}


class Structure(Images):
    """Walks the element tree, opening groups and viewports and expanding ``<use>``."""

    def walk_children(self, el: ET.Element, ctx: Ctx) -> None:
        """Emit the children of ``el``; a ``switch`` stops at its first rendered child."""
        switch = local_name(el.tag)[1] == "switch" if isinstance(el.tag, str) else False
        for child in el:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions
            drew = self.walk(child, ctx)
            if switch and drew:
                break

    def walk(self, el: ET.Element, ctx: Ctx) -> bool:
        """Emit ``el`` and its subtree; returns whether it was a renderable element."""
        self.deadline.check()
        ns, name = local_name(el.tag)
        if ns not in ("", SVG_NS):
            if ns != XLINK_NS:
                self.warn("FOREIGN_ELEMENT", f"element in namespace {ns} is ignored", el)
            return False
        if name in NEVER_RENDERED:
            return False
        if name in ANIMATION:
            self.warn(
                "ANIMATION_IGNORED",
                f"<{name}> (SMIL animation) is ignored; the first frame is drawn",
                el,
            )
            return False
        if name in UNSUPPORTED_DRAWN:
            self.warn("UNSUPPORTED_ELEMENT", f"<{name}> is never drawn or executed", el)
            return False
        style, node = self.compute_style(el, name, ctx)
        if style.get("display", "inline").strip() == "none":
            return False
        if name in CONTAINERS:
            self.container(el, name, style, node, ctx)
            return True
        if name in SHAPES:
            self.shape(el, name, style, node, ctx)
            return True
        if name == "use":
            self.use(el, style, node, ctx)
            return True
        if name == "svg":
            self.nested_svg(el, style, node, ctx)
            return True
        if name == "text":
            self.text(el, style, node, ctx)
            return True
        if name == "image":
            self.image(el, style, node, ctx)
            return True
        if name in ("tspan", "textPath"):
            self.warn("UNSUPPORTED_ELEMENT", f"<{name}> outside <text> is not drawn", el)
            return False
        self.warn("UNSUPPORTED_ELEMENT", f"unknown element <{name}> is ignored", el)
        return False

    def root_background(
        self, root: ET.Element, style: dict[str, str]
    ) -> tuple[float, float, float, float] | None:
        """The root ``<svg>``'s CSS ``background-color`` as straight RGBA (``None``: none or
        transparent).

        Browsers paint it over the whole canvas behind the content. ``background-color`` is a
        CSS property, not a presentation attribute: browsers ignore it as an attribute, and so
        does svgkit (with a warning, since the author clearly meant it)."""
        if "background-color" in root.attrib and root.get("background-color") != style.get(
            "background-color"
        ):
            self.warn(
                "INVALID_ATTRIBUTE",
                "background-color is a CSS property, not an attribute; ignored as browsers do "
                '(write style="background-color: …")',
                root,
            )
        raw = style.get("background-color")
        if raw is None:
            return None
        value = raw.strip()
        if value.lower() == "currentcolor":
            value = style.get("color", "black").strip()
        rgba = parse_color(value)
        if rgba is None:
            self.warn("INVALID_ATTRIBUTE", f"background-color {raw!r} is not a colour", root)
            return None
        return rgba if rgba[3] > 0.0 else None

    def open_group(
        self,
        el: ET.Element,
        tag: str,
        style: dict[str, str],
        node: Node,
        ctx: Ctx,
        ctm: Affine,
        use_instance: bool = False,
        clip: int = -1,
    ) -> int:
        """Open the group of a container element; returns its index."""
        deferred_clip = ""
        if clip < 0:
            if self.clip_needs_bbox(style.get("clip-path")):
                deferred_clip = style.get("clip-path", "")
            else:
                clip = self.clip_ref(style.get("clip-path"), el, ctx, ctm, no_bbox)
        depth = self.groups[ctx.group].depth + 1 if ctx.group >= 0 else 0
        g = Group(
            len(self.groups),
            ctx.group,
            tag,
            el.get("id", ""),
            node.classes,
            el.get("data-object", ""),
            parse_opacity(style.get("opacity", "1")),
            clip,
            ref_text(style.get("mask")),
            ref_text(style.get("filter")),
            use_instance,
            depth,
            blend_mode=blend_mode(style),
            isolate=isolates(style),
        )
        self.groups.append(g)
        filt = effect_value(style.get("filter"))
        mask = effect_value(style.get("mask"))
        if filt or mask or deferred_clip:
            self.pending.append(
                PendingEffects(
                    g.index, len(self.acc.kind), el, ctm, ctx, filt, mask, clip=deferred_clip
                )
            )
        return g.index

    def container(
        self, el: ET.Element, name: str, style: dict[str, str], node: Node, ctx: Ctx
    ) -> None:
        ctm = multiply(ctx.ctm, self.transform_of(el))
        gi = self.open_group(el, name, style, node, ctx, ctm)
        child_ctx = Ctx(
            ctm, style, gi, ctx.viewport, [*ctx.ancestors, node], ctx.use_chain, ctx.ref_depth
        )
        self.walk_children(el, child_ctx)
        self.close_group(gi)

    def nested_svg(self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx) -> None:
        vp = ctx.viewport
        x = self.length(el.get("x"), 0.0, el, "x", "x", vp)
        y = self.length(el.get("y"), 0.0, el, "y", "y", vp)
        w = self.length(el.get("width") or "100%", 0.0, el, "width", "x", vp)
        h = self.length(el.get("height") or "100%", 0.0, el, "height", "y", vp)
        if w <= 0 or h <= 0:
            return
        self.viewport_group(el, "svg", style, node, ctx, x, y, w, h, self.viewbox(el), el, False)

    def viewport_group(
        self,
        el: ET.Element,
        tag: str,
        style: dict[str, str],
        node: Node,
        ctx: Ctx,
        x: float,
        y: float,
        w: float,
        h: float,
        vb: tuple[float, float, float, float] | None,
        content: ET.Element,
        use_instance: bool,
    ) -> None:
        base = multiply(ctx.ctm, self.transform_of(el)) if tag == "svg" else ctx.ctm
        par = normalise_par(content.get("preserveAspectRatio"))
        inner = multiply(
            base, viewbox_transform(vb, par, x, y, w, h) if vb else (1.0, 0.0, 0.0, 1.0, x, y)
        )
        outer = gi = self.open_group(el, tag, style, node, ctx, base, use_instance)
        if style.get("overflow", "hidden").strip() in ("hidden", "scroll", "clip", ""):
            # the viewport clip sits inside the element's own clip-path, on a group of its own
            gi = self._plain_group(gi, self.viewport_clip(base, x, y, w, h))
        vp = (vb[2], vb[3]) if vb else (w, h)
        child_ctx = Ctx(inner, style, gi, vp, [*ctx.ancestors, node], ctx.use_chain, ctx.ref_depth)
        self.walk_children(content, child_ctx)
        self.close_group(outer)

    def _plain_group(self, parent: int, clip: int) -> int:
        p = self.groups[parent]
        g = Group(
            len(self.groups), parent, p.tag, "", (), "", 1.0, clip, "", "", False, p.depth + 1
        )
        self.groups.append(g)
        return g.index

    def use(self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx) -> None:
        ref = href_of(el)
        if not ref:
            self.warn("MISSING_REFERENCE", "<use> without href", el)
            return
        if not ref.startswith("#"):
            self.warn(
                "EXTERNAL_REFERENCE",
                f"<use href={ref!r}> points outside the document; never fetched",
                el,
            )
            return
        target_id = ref[1:]
        target = self.by_id.get(target_id)
        if target is None:
            self.warn(
                "MISSING_REFERENCE", f"<use> references #{target_id}, which does not exist", el
            )
            return
        if target_id in ctx.use_chain or _is_ancestor(target, el, self.root):
            # a cycle is an error in that <use> only: the rest of the document still draws
            cycle = " → ".join(f"#{i}" for i in (*ctx.use_chain, target_id))
            self.warn("USE_CYCLE", f"<use> reference cycle {cycle}; this <use> is not drawn", el)
            return
        if len(ctx.use_chain) + 1 > self.limits.max_reference_depth:
            raise limit_error(
                "max_reference_depth", len(ctx.use_chain) + 1, self.limits.max_reference_depth
            )
        self.use_expansions += 1
        if self.use_expansions > self.limits.max_use_expansions:
            raise limit_error(
                "max_use_expansions", self.use_expansions, self.limits.max_use_expansions
            )
        vp = ctx.viewport
        x = self.length(el.get("x"), 0.0, el, "x", "x", vp)
        y = self.length(el.get("y"), 0.0, el, "y", "y", vp)
        ctm = multiply(multiply(ctx.ctm, self.transform_of(el)), (1.0, 0.0, 0.0, 1.0, x, y))
        gi = self.open_group(el, "use", style, node, ctx, ctm, use_instance=True)
        # the use is the context element of its instance (SVG 2 §13.4: context-fill/-stroke)
        self.paint_contexts.append(
            ContextPaint(el, style, ctm, ctx.viewport, lambda: self.use_bbox(target, ctx, ctm))
        )
        try:
            self._use_content(el, target, target_id, gi, style, node, ctx, ctm)
        finally:
            self.paint_contexts.pop()
            self.close_group(gi)

    def use_bbox(
        self, target: ET.Element, ctx: Ctx, ctm: Affine
    ) -> tuple[float, float, float, float] | None:
        """The geometry bbox of a ``<use>``'s instance of ``target`` in the use's user space
        (shapes in containers; nested uses, text and images are left out), for
        objectBoundingBox paint servers reached through ``context-fill`` / ``context-stroke``.
        """
        x0 = y0 = math.inf
        x1 = y1 = -math.inf
        stack: list[tuple[ET.Element, Affine]] = [(target, self.transform_of(target))]
        geo_ctx = Ctx(ctm, ctx.style, -1, ctx.viewport, ctx.ancestors)
        seen = 0
        while stack:
            el, rel = stack.pop()
            seen += 1
            if seen > self.limits.max_use_expansions:
                break  # a bbox for paint only: a bound on the work, not an error
            ns, name = local_name(el.tag) if isinstance(el.tag, str) else ("", "")
            if ns not in ("", SVG_NS):
                continue
            if name in SHAPES:
                pd = self.shape_geometry(el, name, geo_ctx, {})
                if pd is None or not pd.points:
                    continue
                moved = path_data.PathData()
                moved.codes = pd.codes
                moved.points = (
                    transform_points(np.asarray(pd.points, dtype=np.float64).reshape(-1, 2), rel)
                    .ravel()
                    .tolist()
                )
                box = user_space_bbox(moved)
                if box is not None:
                    x0, y0 = min(x0, box[0]), min(y0, box[1])
                    x1, y1 = max(x1, box[2]), max(y1, box[3])
            elif name in CONTAINERS or (name in ("svg", "symbol") and el is target):
                for child in el:
                    if isinstance(child.tag, str):
                        stack.append((child, multiply(rel, self.transform_of(child))))
        if x1 < x0 or y1 < y0:
            return None
        return (x0, y0, x1, y1)

    def _use_content(
        self,
        el: ET.Element,
        target: ET.Element,
        target_id: str,
        gi: int,
        style: dict[str, str],
        node: Node,
        ctx: Ctx,
        ctm: Affine,
    ) -> None:
        vp = ctx.viewport
        chain = (*ctx.use_chain, target_id)
        use_ctx = Ctx(ctm, style, gi, vp, [*ctx.ancestors, node], chain, ctx.ref_depth + 1)
        tns, tname = local_name(target.tag)
        if tns not in ("", SVG_NS):
            return
        if tname in ("symbol", "svg"):
            tstyle, tnode = self.compute_style(target, tname, use_ctx)
            if tstyle.get("display") == "none":
                return
            w = self.length(
                el.get("width") or target.get("width") or "100%", 0.0, el, "width", "x", vp
            )
            h = self.length(
                el.get("height") or target.get("height") or "100%", 0.0, el, "height", "y", vp
            )
            if w <= 0 or h <= 0:
                return
            # the instance keeps the target's own x/y (SVG 2 §5.6.2: only width and height are
            # overridden by the use); the use's x/y are the extra translation already in ctm
            tx = self.length(target.get("x"), 0.0, target, "x", "x", vp)
            ty = self.length(target.get("y"), 0.0, target, "y", "y", vp)
            self.viewport_group(
                target,
                "symbol" if tname == "symbol" else "svg",
                tstyle,
                tnode,
                use_ctx,
                tx,
                ty,
                w,
                h,
                self.viewbox(target),
                target,
                False,
            )
            return
        if tname in NEVER_RENDERED:
            return
        self.walk(target, use_ctx)

    def shape(self, el: ET.Element, name: str, style: dict[str, str], node: Node, ctx: Ctx) -> None:
        ctm = multiply(ctx.ctm, self.transform_of(el))
        # em/ex lengths on this element's attributes are relative to its own font size
        fs_raw = style.get("font-size", "16")
        self.font_size_hint = 16.0 if fs_raw == "16" else self.font_size(style, el, ctx)
        pd = self.shape_geometry(el, name, ctx, style)
        assert pd is not None
        if len(el):
            for child in el:
                if isinstance(child.tag, str) and local_name(child.tag)[1] in ANIMATION:
                    self.warn(
                        "ANIMATION_IGNORED",
                        "SMIL animation is ignored; the first frame is drawn",
                        child,
                    )
        ectx, estyle, gi = self.effect_group(el, name, style, ctx, ctm)
        markers = name in MARKABLE and has_markers(style)
        markers_first = False
        if markers:
            order = paint_order(style)
            markers_first = bool(order) and order[0] == "markers"
            between = _markers_between(order, estyle)
            if between is not None:
                # markers between fill and stroke: the shape is drawn as two primitives, each
                # with one paint, so the markers can go between them
                first, second = between
                self.emit(el, SHAPES[name], name, node, ectx, ctm, {**estyle, second: "none"}, pd)
                emit_markers(self, el, estyle, ectx, ctm, pd)
                self.emit(el, SHAPES[name], name, node, ectx, ctm, {**estyle, first: "none"}, pd)
                if gi >= 0:
                    self.close_group(gi)
                return
        if markers_first:
            emit_markers(self, el, estyle, ectx, ctm, pd)
        self.emit(el, SHAPES[name], name, node, ectx, ctm, estyle, pd)
        if markers and not markers_first:
            emit_markers(self, el, estyle, ectx, ctm, pd)
        if gi >= 0:
            self.close_group(gi)


def _markers_between(order: list[str], style: dict[str, str]) -> tuple[str, str] | None:
    """``(first, second)`` paint when ``paint-order`` puts markers between a fill and a stroke
    that are both painted (keywords left out follow in the order fill, stroke, markers);
    ``None`` otherwise. Only for an opaque element: its opacity would otherwise apply to the
    two halves apart where they overlap."""
    if not order:
        return None
    full = [*order, *(k for k in ("fill", "stroke", "markers") if k not in order)]
    if full[1] != "markers" or style.get("opacity", "1").strip() not in ("1", "1.0", "100%"):
        return None
    if (
        style.get("fill", "black").strip() == "none"
        or style.get("stroke", "none").strip() == "none"
    ):
        return None
    return full[0], full[2]


def _is_ancestor(target: ET.Element, el: ET.Element, root: ET.Element) -> bool:
    """Whether ``target`` contains ``el`` (a use that instantiates its own ancestor)."""
    if target is el:
        return True
    if target is root:
        return True
    return any(d is el for d in target.iter())
