"""Clipping paths: ``clip-path`` references into the Scene's :class:`~svgkit.scene.ClipPath` list.

Resolves SVG 2 §14.3 (CSS Masking §6): the ``<clipPath>``'s shape children and ``<use>`` of
shapes in ``clipPathUnits`` space (``objectBoundingBox`` scaled to the element's bbox), each with
its ``clip-rule``, a ``clip-path`` on the clipPath itself as a nested clip, references that are
missing (ignored, as browsers do) or cyclic (everything clipped away), and the rectangular clips
of viewports (``<svg>``, ``<symbol>``, markers) whose ``overflow`` hides their outside.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import numpy as np

from ..affine import Affine, multiply, transform_points
from ..ingest.safe_xml import local_name
from ..limits import limit_error
from ..scene import FILL_RULE_EVENODD, FILL_RULE_NONZERO, ClipPath
from . import path_data
from .context import URL, BBoxFn, Ctx, href_of
from .shapes import SHAPES, Shapes

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
            # a clip path that (indirectly) clips itself is in error: nothing it clips is drawn
            self.warn("CLIP_CYCLE", f"clip-path #{clip_id} references itself; clipped away", el)
            self.clips.append(ClipPath(clip_id, (), (), (), -1))
            return len(self.clips) - 1
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
        cctx = self.definition_context(target, clip_ctm, ctx.viewport)
        cstyle, cnode = self.compute_style(target, "clipPath", cctx)
        for child in self._clip_children(target):
            self.deadline.check()
            name = local_name(child.tag)[1]
            chctx = Ctx(clip_ctm, cstyle, -1, ctx.viewport, [cnode])
            style, _ = self.compute_style(child, name, chctx)
            if style.get("display") == "none" or style.get("visibility", "visible") != "visible":
                continue
            child_ctm = multiply(clip_ctm, self.transform_of(child))
            pd = self.shape_geometry(child, name, chctx, style)
            if pd is None or not pd.codes:
                continue
            pts = transform_points(
                np.asarray(pd.points, dtype=np.float64).reshape(-1, 2), child_ctm
            )
            self.check_points(pts)
            codes_list.append(np.asarray(pd.codes, dtype=np.uint8))
            pts_list.append(pts)
            rules.append(
                FILL_RULE_EVENODD if style.get("clip-rule") == "evenodd" else FILL_RULE_NONZERO
            )
            if child.get("clip-path") or "clip-path" in (child.get("style") or ""):
                self.warn("UNSUPPORTED_CLIP", "clip-path on a clipPath child is ignored", child)
        nested = (
            self.clip_ref(target.get("clip-path"), target, ctx, ctm, bbox_user, depth + 1)
            if target.get("clip-path")
            else -1
        )
        self.clips.append(
            ClipPath(target.get("id", ""), tuple(codes_list), tuple(pts_list), tuple(rules), nested)
        )
        return len(self.clips) - 1

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
                if target is not None and local_name(target.tag)[1] in SHAPES:
                    # a use inside a clipPath may only point at a shape; fold its transforms
                    x = self.number(child.get("x"), 0.0, child, "x")
                    y = self.number(child.get("y"), 0.0, child, "y")
                    proxy = ET.Element(target.tag, dict(target.attrib))
                    t = child.get("transform", "")
                    inner = target.get("transform", "")
                    proxy.set("transform", f"{t} translate({x},{y}) {inner}")
                    yield proxy
            elif name == "text":
                self.warn("UNSUPPORTED_CLIP", "<text> inside a clipPath is ignored", child)

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
