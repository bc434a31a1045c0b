"""XML tree → Scene: the root viewport, and the Scene assembled from the walk's columns.

Resolves the outermost ``<svg>``'s size and viewBox into the canvas (SVG 2 §8.2, §8.5), walks
the document (the layers below, stacked on :class:`~svgkit.build.context.BuildState`: units,
style, shapes, clip, paint, primitives, text, images, structure), then in :meth:`Builder.finish`
transforms the points to device space, computes the bounding boxes, resolves the group effects
that need them (:mod:`svgkit.build.effects`) and checks the point budget. Mask and pattern
content is built by a sub-builder (:meth:`Builder.build_nested`).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np

from ..affine import IDENTITY, Affine, multiply
from ..errors import ErrorCode, SVGKitError, _DiagnosticSink
from ..ingest.safe_xml import ParsedXML
from ..limits import Limits, limit_error
from ..paths import COMMAND_POINTS
from ..scene import Canvas, Group, PaintKind, Scene, device_stroke_width
from . import path_data
from .context import (
    ROW_FIELDS,
    Columns,
    Ctx,
    PendingEffects,
    effect_value,
    no_bbox,
    ref_text,
)
from .effects import resolve_group_effects
from .shapes import cubic_segment_counts, primitive_bboxes
from .structure import Structure
from .style import DEFAULT_STYLE
from .units import LENGTH, UNIT_PX, normalise_par, parse_opacity, viewbox_transform

__all__ = ["Builder", "build_scene"]

_NO_PAINT = int(PaintKind.NONE)


class Builder(Structure):
    """Builds one Scene from a parsed document; see :func:`build_scene`."""

    def build(self) -> Scene:
        """The whole document as a Scene (diagnostics and element counts included)."""
        root = self.root
        canvas, root_ctm, vp = self.canvas(root)
        self.canvas_info = canvas
        style0 = dict(DEFAULT_STYLE)
        ctx = Ctx(root_ctm, style0, -1, vp, [])
        style, node = self.compute_style(root, "svg", ctx)
        self.groups.append(
            Group(
                0,
                -1,
                "svg",
                root.get("id", ""),
                node.classes,
                root.get("data-object", ""),
                parse_opacity(style.get("opacity", "1")),
                self.clip_ref(style.get("clip-path"), root, ctx, root_ctm, no_bbox),
                ref_text(style.get("mask")),
                ref_text(style.get("filter")),
                False,
                0,
                background=self.root_background(root, style),
            )
        )
        filt, mask = effect_value(style.get("filter")), effect_value(style.get("mask"))
        if filt or mask:
            self.pending.append(PendingEffects(0, 0, root, root_ctm, ctx, filt, mask))
        if style.get("display") != "none":
            child_ctx = Ctx(root_ctm, style, 0, vp, [node])
            self.walk_children(root, child_ctx)
        self.close_group(0)
        return self.finish(canvas)

    def canvas(self, root: ET.Element) -> tuple[Canvas, Affine, tuple[float, float]]:
        """The canvas of the root ``<svg>``, its viewBox transform and its viewport size."""
        vb = self.viewbox(root)
        w_raw, h_raw = root.get("width"), root.get("height")

        def size(raw: str | None, axis: int) -> float | None:
            if raw is None or raw.strip() in ("", "auto"):
                return None
            m = LENGTH.match(raw)
            if m is None:
                self.warn(
                    "INVALID_ATTRIBUTE",
                    f"root {'width' if axis == 0 else 'height'}={raw!r} ignored",
                    root,
                )
                return None
            num, unit = float(m.group(1)), m.group(2).lower()
            if unit == "%":
                ref = vb[2 + axis] if vb else (300.0, 150.0)[axis]
                return num / 100.0 * ref
            if unit in ("em", "ex"):
                return num * 16.0 * (0.5 if unit == "ex" else 1.0)
            return num * UNIT_PX[unit]

        w, h = size(w_raw, 0), size(h_raw, 1)
        if vb is not None:
            if w is None and h is None:
                w, h = vb[2], vb[3]
            elif w is None:
                w = h * vb[2] / vb[3] if h is not None and vb[3] > 0 else vb[2]
            elif h is None:
                h = w * vb[3] / vb[2] if vb[2] > 0 else vb[3]
        w = 300.0 if w is None else w
        h = 150.0 if h is None else h
        for name, v in (("width", w), ("height", h)):
            if not math.isfinite(v) or v <= 0:
                raise SVGKitError(
                    ErrorCode.BAD_GEOMETRY, f"canvas {name} must be positive and finite, got {v}"
                )
            if v > self.limits.max_canvas_size:
                raise limit_error("max_canvas_size", v, self.limits.max_canvas_size)
        par = normalise_par(root.get("preserveAspectRatio"))
        ctm = viewbox_transform(vb, par, 0.0, 0.0, w, h) if vb else IDENTITY
        root_t = self.transform_of(root)
        if root_t != IDENTITY:
            ctm = multiply(root_t, ctm)
        vp = (vb[2], vb[3]) if vb else (w, h)
        return Canvas(w, h, vb, par, ctm), ctm, vp

    def finish(self, canvas: Canvas, nested: bool = False) -> Scene:
        """Assemble the Scene from the accumulated columns (``nested``: mask/pattern content)."""
        a = self.acc
        n = len(a.kind)
        # one column per field of the rows (ROW_FIELDS), empty when there are no primitives
        (
            tags, ids, classes, group, n_cmds_col, n_pts_col, transform_col, fill_kind,
            fill_rgba, fill_paint, fill_rule, stroke_kind_col, stroke_rgba, stroke_paint,
            stroke_width_col, line_cap, line_join, miter_limit, dash_counts_col, dash_offset,
            opacity, visible, clip, stroke_first,
        ) = zip(*a.rows) if a.rows else ((),) * len(ROW_FIELDS)  # fmt: skip
        # the command codes are 0..3: bytes converts them faster than numpy's type discovery
        codes = np.frombuffer(bytearray(a.codes), dtype=np.uint8)
        user_pts = np.asarray(a.points, dtype=np.float64).reshape(-1, 2)
        n_cmds = np.asarray(n_cmds_col, dtype=np.int64)
        n_pts = np.asarray(n_pts_col, dtype=np.int64)
        cmd_offsets = np.zeros(n + 1, dtype=np.int64)
        n_cmds.cumsum(out=cmd_offsets[1:])
        pt_offsets = np.zeros(n + 1, dtype=np.int64)
        n_pts.cumsum(out=pt_offsets[1:])
        transform = np.asarray(transform_col, dtype=np.float64).reshape(n, 6)
        per_point = transform.repeat(n_pts, axis=0)
        pts = np.empty_like(user_pts)
        # overflow to inf/nan is reported by _check_points as BAD_GEOMETRY or LIMIT
        with np.errstate(over="ignore", invalid="ignore"):
            pts[:, 0] = (
                per_point[:, 0] * user_pts[:, 0]
                + per_point[:, 2] * user_pts[:, 1]
                + per_point[:, 4]
            )
            pts[:, 1] = (
                per_point[:, 1] * user_pts[:, 0]
                + per_point[:, 3] * user_pts[:, 1]
                + per_point[:, 5]
            )
        biggest = self.check_points(pts)
        # (array methods rather than numpy's functions, which wrap them in Python)
        is_cubic = codes == path_data.CUBIC
        cubic_end = COMMAND_POINTS[codes].cumsum()[is_cubic]  # index after each cubic
        bbox = primitive_bboxes(codes, pts, cmd_offsets, pt_offsets, cubic_end)
        kind = np.asarray(a.kind, dtype=np.int8)
        for idx, run in self.texts.items():
            if not np.isfinite(bbox[idx]).all():
                bbox[idx] = run.bbox
        if self.pending:
            resolve_group_effects(self, bbox)
        stroke_width = np.asarray(stroke_width_col, dtype=np.float64)
        stroke_kind = np.asarray(stroke_kind_col, dtype=np.uint8)
        device_width = device_stroke_width(stroke_width, transform)
        half = np.where(stroke_kind != _NO_PAINT, device_width / 2.0, 0.0)
        if n and (device_width > self.limits.max_coordinate).any():
            raise limit_error("max_coordinate", "stroke-width", self.limits.max_coordinate)
        # (x0 - h, y0 - h, x1 + h, y1 + h); a - h is exactly a + (-h)
        stroke_bbox = np.empty_like(bbox)
        stroke_bbox[:, :2] = bbox[:, :2] - half[:, None]
        stroke_bbox[:, 2:] = bbox[:, 2:] + half[:, None]
        self._check_flat_points(codes, pts, is_cubic, cubic_end, biggest)
        dash_counts = np.asarray(dash_counts_col, dtype=np.int64)
        dash_offsets = np.zeros(n + 1, dtype=np.int64)
        dash_counts.cumsum(out=dash_offsets[1:])
        return Scene(
            canvas=canvas,
            kind=kind,
            tags=list(tags),
            ids=list(ids),
            classes=list(classes),
            group=np.asarray(group, dtype=np.int64),
            groups=tuple(self.groups),
            cmd_codes=codes,
            cmd_points=pts,
            cmd_offsets=cmd_offsets,
            pt_offsets=pt_offsets,
            transform=transform,
            bbox=bbox,
            stroke_bbox=stroke_bbox,
            fill_kind=np.asarray(fill_kind, dtype=np.uint8),
            fill_rgba=np.asarray(fill_rgba, dtype=np.float32).reshape(n, 4),
            fill_paint=np.asarray(fill_paint, dtype=np.int64),
            fill_rule=np.asarray(fill_rule, dtype=np.uint8),
            stroke_kind=stroke_kind,
            stroke_rgba=np.asarray(stroke_rgba, dtype=np.float32).reshape(n, 4),
            stroke_paint=np.asarray(stroke_paint, dtype=np.int64),
            stroke_width=stroke_width,
            line_cap=np.asarray(line_cap, dtype=np.uint8),
            line_join=np.asarray(line_join, dtype=np.uint8),
            miter_limit=np.asarray(miter_limit, dtype=np.float64),
            dash_offsets=dash_offsets,
            dash_values=np.asarray(a.dash_values, dtype=np.float64),
            dash_offset=np.asarray(dash_offset, dtype=np.float64),
            opacity=np.asarray(opacity, dtype=np.float64),
            visible=np.asarray(visible, dtype=np.bool_),
            clip=np.asarray(clip, dtype=np.int64),
            paint_order_stroke_first=np.asarray(stroke_first, dtype=np.bool_),
            texts=self.texts,
            images=self.images,
            gradients=tuple(self.gradients),
            clips=tuple(self.clips),
            warnings=() if nested else tuple(self.sink.items),
            element_counts={} if nested else dict(self.element_counts),
            use_expansions=self.use_expansions,
            source_bytes=0,
            flatten_tolerance=self.tolerance,
            filters=tuple(self.filters),
            masks=tuple(self.masks),
            patterns=tuple(self.patterns),
        )

    def _check_flat_points(
        self,
        codes: np.ndarray,
        pts: np.ndarray,
        is_cubic: np.ndarray,
        cubic_end: np.ndarray,
        biggest: float,
    ) -> None:
        """Refuse documents whose flattened polylines would exceed ``max_points``
        (``cubic_end``: the index after each cubic's last point; ``biggest``: the largest
        coordinate magnitude)."""
        n_lines = int(codes.size - cubic_end.size)
        if not cubic_end.size:
            if n_lines > self.limits.max_points:
                raise limit_error("max_points", n_lines, self.limits.max_points)
            return
        # A cubic's second differences are at most 4·√2·biggest long, so it flattens into at
        # most sqrt(0.75 · 6 · biggest / tolerance) + 1 segments (6 > 4·√2 covers rounding).
        # When even that many for every cubic is within the limit, the count is not needed.
        per_cubic = math.sqrt(4.5 * biggest / self.tolerance) + 2.0
        if n_lines + cubic_end.size * per_cubic <= self.limits.max_points:
            return
        p1, p2, p3 = pts[cubic_end - 3], pts[cubic_end - 2], pts[cubic_end - 1]
        start_idx = cubic_end - 4
        p0 = pts[np.maximum(start_idx, 0)]
        segs = cubic_segment_counts(p0, p1, p2, p3, self.tolerance)
        total = n_lines + int(segs.sum())
        if total > self.limits.max_points:
            raise limit_error("max_points", total, self.limits.max_points)

    def build_nested(
        self,
        parent: ET.Element | None,
        ctm: Affine,
        ctx: Ctx | None,
        tag: str,
        canvas: Canvas,
    ) -> Scene:
        """Walk ``parent``'s children into a Scene of their own (mask and pattern content).

        The sub-builder shares the limits, deadline, diagnostics and reference guards; its
        counters are carried back so the limits hold across the whole document.
        """
        sub = Builder.__new__(Builder)
        sub.__dict__.update(self.__dict__)
        sub.acc = Columns()
        sub.groups = [Group(0, -1, tag)]
        sub.gradients, sub.clips, sub.filters, sub.masks, sub.patterns = [], [], [], [], []
        sub.texts, sub.images, sub.pending = {}, {}, []
        if parent is not None and ctx is not None:
            child_ctx = Ctx(ctm, ctx.style, 0, ctx.viewport, list(ctx.ancestors))
            sub.walk_children(parent, child_ctx)
        scene = sub.finish(canvas, nested=True)
        self.use_expansions, self.total_cmds, self.text_chars = (
            sub.use_expansions,
            sub.total_cmds,
            sub.text_chars,
        )
        return scene


def build_scene(
    parsed: ParsedXML, limits: Limits, sink: _DiagnosticSink, tolerance: float
) -> Scene:
    """Walk a parsed SVG tree into a :class:`Scene`.

    Parameters
    ----------
    parsed : ParsedXML
        The safe XML tree of the document (its root is an ``<svg>``).
    limits : Limits
        Hard limits; exceeding one raises :class:`~svgkit.SVGKitError` with code ``LIMIT``.
    sink : _DiagnosticSink
        Receives the warnings; they are copied into :attr:`Scene.warnings`.
    tolerance : float
        Flattening tolerance in px, recorded in the Scene and used to count points.

    Returns
    -------
    Scene
        The document's primitives, groups and definitions in device space.
    """
    return Builder(parsed, limits, sink, tolerance).build()
