"""Images: ``<image>`` elements with embedded ``data:`` URIs (SVG 2 §5.7).

Resolves the image's viewport (``x``, ``y``, ``width``, ``height``, ``auto`` left to the
renderer) and its ``preserveAspectRatio``; an image is never fetched from outside the document.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from ..affine import multiply
from ..scene import Image, PrimitiveKind
from . import path_data
from .context import Ctx, Node, href_of
from .text import Text
from .units import normalise_par

__all__ = ["Images"]


class Images(Text):
    """Emits ``<image>`` elements."""

    def image(self, el: ET.Element, style: dict[str, str], node: Node, ctx: Ctx) -> None:
        """Emit one ``<image>`` (external references warn and are skipped)."""
        href = (href_of(el) or "").strip()
        if not href.startswith("data:"):
            self.warn(
                "EXTERNAL_REFERENCE",
                f"<image href={href[:60]!r}> is not a data: URI; never fetched",
                el,
            )
            return
        vp = ctx.viewport
        x = self.length(el.get("x"), 0.0, el, "x", "x", vp)
        y = self.length(el.get("y"), 0.0, el, "y", "y", vp)
        w = (
            self.length(el.get("width"), math.nan, el, "width", "x", vp)
            if el.get("width") not in (None, "auto")
            else math.nan
        )
        h = (
            self.length(el.get("height"), math.nan, el, "height", "y", vp)
            if el.get("height") not in (None, "auto")
            else math.nan
        )
        if (math.isfinite(w) and w <= 0) or (math.isfinite(h) and h <= 0):
            return
        ctm = multiply(ctx.ctm, self.transform_of(el))
        pd = (
            path_data.rect_commands(x, y, w, h, 0.0, 0.0)
            if math.isfinite(w) and math.isfinite(h)
            else path_data.PathData()
        )
        style = {**style, "fill": "none", "stroke": "none"}
        ectx, style, gi = self.effect_group(el, "image", style, ctx, ctm)
        idx = self.emit(el, PrimitiveKind.IMAGE, "image", node, ectx, ctm, style, pd)
        if gi >= 0:
            self.close_group(gi)
        self.images[idx] = Image(href, x, y, w, h, normalise_par(el.get("preserveAspectRatio")))
