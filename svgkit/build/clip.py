"""Clipping paths: ``clip-path`` references into the Scene's :class:`~svgkit.scene.ClipPath` list.

Resolves SVG 2 §14.3 (CSS Masking §6): the ``<clipPath>``'s shape children and ``<use>`` of
shapes in ``clipPathUnits`` space (``objectBoundingBox`` scaled to the element's bbox), each with
its ``clip-rule``, a ``clip-path`` on the clipPath itself and on its children (§6.3: each
child's region is intersected with its own clip, in that child's user space), references that are
missing (ignored, as browsers do) or cyclic (the reference that closes the loop is ignored, as
browsers do, so the rest of the chain still clips), and the rectangular clips of viewports
(``<svg>``, ``<symbol>``, markers) whose ``overflow`` hides their outside.

The Scene's :class:`~svgkit.scene.ClipPath` is a union of children intersected with one nested
clip, so an intersection of clips is a chain of nested clips (:meth:`Clip.intersect_clips`). A
clip-path on children is exact when every drawn child has the same clip-path (or there is one
child); children with different clip-paths would need a union of intersections, which the Scene
cannot hold: those child clips are ignored with a warning.

A ``<text>`` child (or a ``<use>`` of one) clips to its ink: the text layer lays it out as it
would draw it and hands back its glyph outlines (:meth:`Clip.text_outlines`), one path per font
file, each filled nonzero (``fill-rule`` does not apply to text, and glyphs of one font share a
winding direction, so overlapping glyphs unite).
"""

from __future__ import annotations

import copy
import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import numpy as np

from ..affine import Affine, multiply, transform_points
from ..ingest.safe_xml import local_name
from ..limits import limit_error
from ..scene import FILL_RULE_EVENODD, FILL_RULE_NONZERO, ClipPath
from . import path_data
from .context import URL, BBoxFn, Ctx, Node, href_of
from .shapes import SHAPES, Shapes, user_space_bbox

__all__ = ["Clip"]


class Clip(Shapes):
    """Resolves ``clip-path`` references and viewport clips."""

    def clip_ref(
        self,
        value: str | None,
        el: ET.Element,
        ctx: Ctx,
        ctm: Affine,
        bbox_user: BBoxFn,
        depth: int = 0,
    ) -> int:
        """The clip index for a ``clip-path`` value, or -1 for none (invalid values warn)."""
        if not value or value.strip() == "none":
            return -1
        m = URL.match(value)
        if m is None:
            self.warn(
                "UNSUPPORTED_CLIP", f"clip-path={value!r} (basic shapes) is not supported", el
            )
            return -1
        target = self.by_id.get(m.group(1))
        if target is None or local_name(target.tag)[1] != "clipPath":
            # an invalid reference is ignored: the element draws unclipped, as browsers do
            self.warn(
                "MISSING_REFERENCE",
                f"clip-path references #{m.group(1)}, which is not a <clipPath>",
                el,
            )
            return -1
        if depth >= self.limits.max_reference_depth:
            raise limit_error("max_reference_depth", depth + 1, self.limits.max_reference_depth)
        clip_id = target.get("id", "")
        if f"clip:{clip_id}" in self.active_refs:
            # browsers treat the reference that closes a loop as invalid, which for clip-path
            # means no clip: the clips already applied along the chain still hold
            self.warn(
                "CLIP_CYCLE", f"clip-path #{clip_id} references itself; that link is ignored", el
            )
            return -1
        self.active_refs.add(f"clip:{clip_id}")
        try:
            return self._resolve_clip(target, el, ctx, ctm, bbox_user, depth)
        finally:
            self.active_refs.discard(f"clip:{clip_id}")

    def _resolve_clip(
        self,
        target: ET.Element,
        el: ET.Element,
        ctx: Ctx,
        ctm: Affine,
        bbox_user: BBoxFn,
        depth: int,
    ) -> int:
        clip_ctm = multiply(ctm, self.transform_of(target))
        if (target.get("clipPathUnits") or "").strip() == "objectBoundingBox":
            box = bbox_user()
            if box is None:
                self.warn(
                    "UNSUPPORTED_CLIP",
                    "objectBoundingBox clipPathUnits on a container are not applied",
                    el,
                )
                return -1
            x0, y0, x1, y1 = box
            clip_ctm = multiply(clip_ctm, (x1 - x0, 0.0, 0.0, y1 - y0, x0, y0))
        codes_list: list[np.ndarray] = []
        pts_list: list[np.ndarray] = []
        rules: list[int] = []
        # (clip-path value, child user space, resolved clip) of each drawn child
        child_clips: list[tuple[str, Affine, int]] = []
        cctx = self.definition_context(target, clip_ctm, ctx.viewport)
        cstyle, cnode = self.compute_style(target, "clipPath", cctx)
        for child in self._clip_children(target):
            self.deadline.check()
            name = local_name(child.tag)[1]
            chctx = Ctx(clip_ctm, cstyle, -1, ctx.viewport, [cnode])
            style, node = self.compute_style(child, name, chctx)
            if style.get("display") == "none":
                continue
            child_ctm = multiply(clip_ctm, self.transform_of(child))
            if name == "text":
                # visibility is decided per run (a tspan may be visible inside a hidden text)
                pieces = self.text_outlines(child, style, node, chctx)
                rule = FILL_RULE_NONZERO  # glyph outlines are drawn nonzero, as text is filled
            else:
                if style.get("visibility", "visible") != "visible":
                    continue
                geometry = self.shape_geometry(child, name, chctx, style)
                pieces = [] if geometry is None else [geometry]
                rule = (
                    FILL_RULE_EVENODD if style.get("clip-rule") == "evenodd" else FILL_RULE_NONZERO
                )
            pieces = [p for p in pieces if p.codes]
            if not pieces:
                continue
            for pd in pieces:
                pts = transform_points(
                    np.asarray(pd.points, dtype=np.float64).reshape(-1, 2), child_ctm
                )
                self.check_points(pts)
                codes_list.append(np.asarray(pd.codes, dtype=np.uint8))
                pts_list.append(pts)
                rules.append(rule)
            whole = pieces[0] if len(pieces) == 1 else _joined(pieces)
            own = self._child_clip(style.get("clip-path", ""), child, ctx, child_ctm, whole, depth)
            child_clips.extend([own] * len(pieces))
        child_clip = self._shared_child_clip(child_clips, target)
        nested = (
            self.clip_ref(target.get("clip-path"), target, ctx, ctm, bbox_user, depth + 1)
            if target.get("clip-path")
            else -1
        )
        self.clips.append(
            ClipPath(
                target.get("id", ""),
                tuple(codes_list),
                tuple(pts_list),
                tuple(rules),
                self.intersect_clips(child_clip, nested),
            )
        )
        return len(self.clips) - 1

    def text_outlines(
        self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx
    ) -> list[path_data.PathData]:
        """The glyph outlines of a ``<text>`` in its own user space; the text layer of the
        builder provides them (:meth:`svgkit.build.text.Text.text_outlines`)."""
        return []

    def _child_clip(
        self,
        value: str,
        child: ET.Element,
        ctx: Ctx,
        child_ctm: Affine,
        pd: path_data.PathData,
        depth: int,
    ) -> tuple[str, Affine, int]:
        """A clipPath child's own ``clip-path``, resolved in the child's user space."""
        value = value.strip()
        if not value or value == "none":
            return ("", child_ctm, -1)

        def child_bbox() -> tuple[float, float, float, float] | None:
            return user_space_bbox(pd)

        chctx = Ctx(child_ctm, ctx.style, -1, ctx.viewport, ctx.ancestors)
        return (
            value,
            child_ctm,
            self.clip_ref(value, child, chctx, child_ctm, child_bbox, depth + 1),
        )

    def _shared_child_clip(
        self, child_clips: list[tuple[str, Affine, int]], target: ET.Element
    ) -> int:
        """The one clip all drawn children share, or -1 (with a warning when they differ)."""
        if not child_clips:
            return -1
        value, space, index = child_clips[0]
        if all(v == value and s == space for v, s, _ in child_clips[1:]):
            return index
        self.warn(
            "UNSUPPORTED_CLIP",
            "clipPath children with different clip-paths; their clip-paths are ignored",
            target,
        )
        return -1

    def intersect_clips(self, a: int, b: int) -> int:
        """A clip index for the intersection of clips ``a`` and ``b`` (``-1``: no clip).

        ``a``'s chain of nested clips is copied with ``b`` at its end, so the records others
        point at are never changed."""
        if a < 0:
            return b
        if b < 0:
            return a
        chain = [a]
        while self.clips[chain[-1]].clip >= 0:
            if len(chain) > self.limits.max_reference_depth:
                raise limit_error(
                    "max_reference_depth", len(chain), self.limits.max_reference_depth
                )
            chain.append(self.clips[chain[-1]].clip)
        tail = b
        for k in reversed(chain):
            self.clips.append(dataclasses.replace(self.clips[k], clip=tail))
            tail = len(self.clips) - 1
        return tail

    def _clip_children(self, clip: ET.Element) -> Iterator[ET.Element]:
        for child in clip:
            if not isinstance(child.tag, str):
                continue
            name = local_name(child.tag)[1]
            if name in SHAPES:
                yield child
            elif name == "use":
                ref = href_of(child)
                target = self.by_id.get(ref[1:]) if ref and ref.startswith("#") else None
                kind = local_name(target.tag)[1] if target is not None else ""
                if target is not None and (kind in SHAPES or kind == "text"):
                    # a use inside a clipPath may only point at a shape or a text (CSS Masking
                    # §6.1); fold its transforms. A text keeps its content (a shallow copy).
                    x = self.number(child.get("x"), 0.0, child, "x")
                    y = self.number(child.get("y"), 0.0, child, "y")
                    proxy = copy.copy(target) if kind == "text" else ET.Element(target.tag)
                    proxy.attrib = dict(target.attrib)
                    t = child.get("transform", "")
                    inner = target.get("transform", "")
                    proxy.set("transform", f"{t} translate({x},{y}) {inner}")
                    yield proxy
            elif name == "text":
                yield child

    def viewport_clip(self, ctm: Affine, x: float, y: float, w: float, h: float) -> int:
        """A clip to the rectangle ``(x, y, w, h)`` of user space ``ctm``; returns its index."""
        pd = path_data.rect_commands(x, y, w, h, 0.0, 0.0)
        pts = transform_points(np.asarray(pd.points, dtype=np.float64).reshape(-1, 2), ctm)
        self.clips.append(
            ClipPath("", (np.asarray(pd.codes, dtype=np.uint8),), (pts,), (FILL_RULE_NONZERO,), -1)
        )
        return len(self.clips) - 1

    def clip_needs_bbox(self, value: str | None) -> bool:
        """Whether a ``clip-path`` value needs its element's bbox (objectBoundingBox units)."""
        m = URL.match(value or "")
        target = self.by_id.get(m.group(1)) if m else None
        return target is not None and (target.get("clipPathUnits") or "").strip() == (
            "objectBoundingBox"
        )


def _joined(pieces: list[path_data.PathData]) -> path_data.PathData:
    """One path of several (for a bounding box)."""
    out = path_data.PathData()
    for pd in pieces:
        out.codes.extend(pd.codes)
        out.points.extend(pd.points)
    return out
