"""Basic shapes and paths into the command stream, and the exact bounding boxes of that stream.

Resolves ``rect``, ``circle``, ``ellipse``, ``line``, ``polyline``, ``polygon`` (SVG 2 §10,
including the ``rx``/``ry`` auto rules of §10.2–10.4) and ``path`` (§9, parsed by
:mod:`svgkit.build.path_data`) into :class:`svgkit.paths.Command` codes and points, within the
``max_path_commands`` and ``max_coordinate`` limits. The bounding box kernels give the exact
geometry box of each primitive (on-curve points plus cubic extrema, §8.10) and count the segments
flattening will need.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np

from ..errors import ErrorCode, SVGKitError
from ..limits import limit_error
from ..paths import COMMAND_POINTS
from ..scene import PrimitiveKind
from . import path_data
from .context import Ctx
from .style import Style
from .units import NUMBER_LIST

__all__ = ["SHAPES", "Shapes", "cubic_segment_counts", "primitive_bboxes", "user_space_bbox"]


SHAPES = {
    "rect": PrimitiveKind.RECT,
    "circle": PrimitiveKind.CIRCLE,
    "ellipse": PrimitiveKind.ELLIPSE,
    "line": PrimitiveKind.LINE,
    "polyline": PrimitiveKind.POLYLINE,
    "polygon": PrimitiveKind.POLYGON,
    "path": PrimitiveKind.PATH,
}


class Shapes(Style):
    """Turns shape elements into path data and checks the resulting coordinates."""

    def shape_geometry(
        self, el: ET.Element, name: str, ctx: Ctx, style: dict[str, str]
    ) -> path_data.PathData | None:
        """The element's geometry in its user space; ``None`` when ``name`` is not a shape."""
        vp = ctx.viewport
        if name == "path":
            remaining = self.limits.max_path_commands - self.total_cmds
            try:
                pd = path_data.parse_path_data(el.get("d", ""), remaining, self.deadline.check)
            except path_data.PathBudgetExceeded as exc:
                total = self.total_cmds + exc.n_commands
                raise limit_error(
                    "max_path_commands", f">{total}", self.limits.max_path_commands
                ) from None
            if pd.error:
                self.warn("PATH_DATA_ERROR", f"path data error, drawn up to it: {pd.error}", el)
            if pd.points:
                big = max(abs(v) for v in pd.points)
                if not math.isfinite(big) or big > self.limits.max_coordinate:
                    raise limit_error(
                        "max_coordinate", f"path coordinate {big}", self.limits.max_coordinate
                    )
            return pd
        if name == "rect":
            x = self.length(el.get("x"), 0.0, el, "x", "x", vp)
            y = self.length(el.get("y"), 0.0, el, "y", "y", vp)
            w = self.length(el.get("width"), 0.0, el, "width", "x", vp)
            h = self.length(el.get("height"), 0.0, el, "height", "y", vp)
            if w < 0 or h < 0:
                self.warn("INVALID_ATTRIBUTE", "negative rect size; not drawn", el)
                return path_data.PathData()
            if w == 0 or h == 0:
                return path_data.PathData()
            rx_raw, ry_raw = el.get("rx"), el.get("ry")
            rx = (
                self.length(rx_raw, -1.0, el, "rx", "x", vp)
                if rx_raw not in (None, "auto")
                else -1.0
            )
            ry = (
                self.length(ry_raw, -1.0, el, "ry", "y", vp)
                if ry_raw not in (None, "auto")
                else -1.0
            )
            if rx < 0 and ry < 0:
                rx = ry = 0.0
            elif rx < 0:
                rx = ry
            elif ry < 0:
                ry = rx
            rx, ry = min(rx, w / 2.0), min(ry, h / 2.0)
            return path_data.rect_commands(x, y, w, h, rx, ry)
        if name == "circle":
            cx = self.length(el.get("cx"), 0.0, el, "cx", "x", vp)
            cy = self.length(el.get("cy"), 0.0, el, "cy", "y", vp)
            r = self.length(el.get("r"), 0.0, el, "r", "xy", vp)
            if r <= 0:
                if r < 0:
                    self.warn("INVALID_ATTRIBUTE", "negative radius; not drawn", el)
                return path_data.PathData()
            return path_data.ellipse_commands(cx, cy, r, r)
        if name == "ellipse":
            cx = self.length(el.get("cx"), 0.0, el, "cx", "x", vp)
            cy = self.length(el.get("cy"), 0.0, el, "cy", "y", vp)
            rx_raw, ry_raw = el.get("rx"), el.get("ry")
            rx = (
                self.length(rx_raw, -1.0, el, "rx", "x", vp)
                if rx_raw not in (None, "auto")
                else -1.0
            )
            ry = (
                self.length(ry_raw, -1.0, el, "ry", "y", vp)
                if ry_raw not in (None, "auto")
                else -1.0
            )
            if rx < 0 and ry >= 0:
                rx = ry
            elif ry < 0 and rx >= 0:
                ry = rx
            if rx <= 0 or ry <= 0:
                return path_data.PathData()
            return path_data.ellipse_commands(cx, cy, rx, ry)
        if name == "line":
            pd = path_data.PathData()
            x1 = self.length(el.get("x1"), 0.0, el, "x1", "x", vp)
            y1 = self.length(el.get("y1"), 0.0, el, "y1", "y", vp)
            x2 = self.length(el.get("x2"), 0.0, el, "x2", "x", vp)
            y2 = self.length(el.get("y2"), 0.0, el, "y2", "y", vp)
            pd.codes += (path_data.MOVE, path_data.LINE)
            pd.points += (x1, y1, x2, y2)
            return pd
        if name in ("polyline", "polygon"):
            raw_points = el.get("points", "")
            remaining = self.limits.max_path_commands - self.total_cmds
            # a pair takes at least 4 characters ("0 0 "): count only when the length allows more
            if len(raw_points) // 4 > remaining:
                n_pairs = len(NUMBER_LIST.findall(raw_points)) // 2
                if n_pairs > remaining:
                    raise limit_error(
                        "max_path_commands",
                        self.total_cmds + n_pairs,
                        self.limits.max_path_commands,
                    )
            self.deadline.check()
            values, error = path_data.parse_points(raw_points)
            if error:
                self.warn("INVALID_ATTRIBUTE", f"points: {error}", el)
            pd = path_data.PathData()
            if len(values) >= 2:
                for v in values:
                    self.check_coordinate(v, "points", el)
                pd.codes.append(path_data.MOVE)
                pd.codes += [path_data.LINE] * (len(values) // 2 - 1)
                if name == "polygon":
                    pd.codes.append(path_data.CLOSE)
                pd.points += values
            return pd
        return None

    def check_points(self, pts: np.ndarray) -> None:
        """Refuse non-finite points (BAD_GEOMETRY) and points beyond ``max_coordinate``."""
        if pts.size and not np.isfinite(pts).all():
            raise SVGKitError(
                ErrorCode.BAD_GEOMETRY, "geometry has non-finite coordinates after transforms"
            )
        if pts.size and np.abs(pts).max() > self.limits.max_coordinate:
            raise limit_error(
                "max_coordinate", float(np.abs(pts).max()), self.limits.max_coordinate
            )


def cubic_segment_counts(
    p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, tolerance: float
) -> np.ndarray:
    """Line segments needed to flatten each cubic within ``tolerance`` (Wang's bound)."""
    d1 = np.hypot(*(p0 - 2 * p1 + p2).T)
    d2 = np.hypot(*(p1 - 2 * p2 + p3).T)
    m = np.maximum(d1, d2)
    return np.asarray(np.maximum(1, np.ceil(np.sqrt(0.75 * m / tolerance))), dtype=np.int64)


def primitive_bboxes(
    codes: np.ndarray, pts: np.ndarray, cmd_offsets: np.ndarray, pt_offsets: np.ndarray
) -> np.ndarray:
    """Exact geometry bbox per primitive: on-curve points plus cubic extrema."""
    n = cmd_offsets.size - 1
    out = np.full((n, 4), np.nan)
    if pts.size == 0:
        return out
    ends = np.cumsum(COMMAND_POINTS[codes])
    cubic_end = ends[codes == path_data.CUBIC]
    # control points may lie outside the curve: stand the cubic's end point in for them, which
    # keeps every primitive's points contiguous for reduceat
    on = pts.copy()
    on[cubic_end - 3] = pts[cubic_end - 1]
    on[cubic_end - 2] = pts[cubic_end - 1]
    counts = np.diff(pt_offsets)
    has = counts > 0
    starts = pt_offsets[:-1][has]
    out[has, 0] = np.minimum.reduceat(on[:, 0], starts)
    out[has, 1] = np.minimum.reduceat(on[:, 1], starts)
    out[has, 2] = np.maximum.reduceat(on[:, 0], starts)
    out[has, 3] = np.maximum.reduceat(on[:, 1], starts)
    if cubic_end.size:
        owner = np.searchsorted(pt_offsets, cubic_end - 1, side="right") - 1
        p0 = pts[cubic_end - 4]
        p1, p2, p3 = pts[cubic_end - 3], pts[cubic_end - 2], pts[cubic_end - 1]
        ex, ey, eo = _cubic_extrema(p0, p1, p2, p3, owner)
        if eo.size:
            np.minimum.at(out[:, 0], eo, ex)
            np.minimum.at(out[:, 1], eo, ey)
            np.maximum.at(out[:, 2], eo, ex)
            np.maximum.at(out[:, 3], eo, ey)
    return out


def _cubic_extrema(
    p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points where a cubic's x or y derivative vanishes inside (0, 1)."""
    ts = []
    idx = []
    for axis in (0, 1):
        a = -p0[:, axis] + 3 * p1[:, axis] - 3 * p2[:, axis] + p3[:, axis]
        b = 2 * (p0[:, axis] - 2 * p1[:, axis] + p2[:, axis])
        c = p1[:, axis] - p0[:, axis]
        # denormal and huge coefficients overflow to inf/NaN, which the (0, 1) test drops
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            disc = b * b - 4 * a * c
            sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
            quad = np.abs(a) > 1e-12
            t1 = np.where(quad, (-b + sq) / (2 * a), np.where(np.abs(b) > 1e-12, -c / b, np.nan))
            t2 = np.where(quad, (-b - sq) / (2 * a), np.nan)
        for t in (t1, t2):
            ok = (t > 0) & (t < 1)
            ts.append(t[ok])
            idx.append(np.nonzero(ok)[0])
    t = np.concatenate(ts)
    k = np.concatenate(idx)
    mt = 1 - t
    w0, w1, w2, w3 = mt**3, 3 * mt * mt * t, 3 * mt * t * t, t**3
    x = w0 * p0[k, 0] + w1 * p1[k, 0] + w2 * p2[k, 0] + w3 * p3[k, 0]
    y = w0 * p0[k, 1] + w1 * p1[k, 1] + w2 * p2[k, 1] + w3 * p3[k, 1]
    return x, y, owner[k]


def user_space_bbox(pd: path_data.PathData) -> tuple[float, float, float, float] | None:
    """The exact bbox of one primitive in its user space (for objectBoundingBox units)."""
    if not pd.points:
        return None
    codes = np.asarray(pd.codes, dtype=np.uint8)
    pts = np.asarray(pd.points, dtype=np.float64).reshape(-1, 2)
    b = primitive_bboxes(codes, pts, np.array([0, codes.size]), np.array([0, pts.shape[0]]))[0]
    if not np.isfinite(b).all():
        return None
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
