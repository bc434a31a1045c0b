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
            rx, ry = self._radii(el, vp)
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
            rx, ry = self._radii(el, vp)
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

    def _radii(self, el: ET.Element, vp: tuple[float, float]) -> tuple[float, float]:
        """``rx`` and ``ry`` of a rect or ellipse, -1 where absent or ``auto`` (the caller
        applies its element's rule for a missing radius)."""
        rx_raw, ry_raw = el.get("rx"), el.get("ry")
        rx = self.length(rx_raw, -1.0, el, "rx", "x", vp) if rx_raw not in (None, "auto") else -1.0
        ry = self.length(ry_raw, -1.0, el, "ry", "y", vp) if ry_raw not in (None, "auto") else -1.0
        return rx, ry

    def check_points(self, pts: np.ndarray) -> float:
        """Refuse non-finite points (BAD_GEOMETRY) and points beyond ``max_coordinate``;
        returns the largest coordinate magnitude (0 for no points)."""
        if not pts.size:
            return 0.0
        # one reduction answers both: the largest magnitude is NaN or inf exactly when some
        # coordinate is not finite
        big = float(np.abs(pts).max())
        if not math.isfinite(big):
            raise SVGKitError(
                ErrorCode.BAD_GEOMETRY, "geometry has non-finite coordinates after transforms"
            )
        if big > self.limits.max_coordinate:
            raise limit_error("max_coordinate", big, self.limits.max_coordinate)
        return big


def cubic_segment_counts(
    p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, tolerance: float
) -> np.ndarray:
    """Line segments needed to flatten each cubic within ``tolerance`` (Wang's bound)."""
    d1 = np.hypot(*(p0 - 2 * p1 + p2).T)
    d2 = np.hypot(*(p1 - 2 * p2 + p3).T)
    m = np.maximum(d1, d2)
    return np.asarray(np.maximum(1, np.ceil(np.sqrt(0.75 * m / tolerance))), dtype=np.int64)


# the four points of a cubic, from the index just past its last point
_CUBIC_POINTS = np.array([-4, -3, -2, -1], dtype=np.int64)
# rows of [t1 x, t1 y, t2 x, t2 y] in the order x "+", x "-", y "+", y "-"
_ROOT_ORDER = np.array([0, 2, 1, 3], dtype=np.int64)


def primitive_bboxes(
    codes: np.ndarray,
    pts: np.ndarray,
    cmd_offsets: np.ndarray,
    pt_offsets: np.ndarray,
    cubic_end: np.ndarray | None = None,
) -> np.ndarray:
    """Exact geometry bbox per primitive: on-curve points plus cubic extrema.

    ``cubic_end`` (the index just past each cubic's last point, in command order) may be given
    when the caller has it already."""
    # (a model's document has tens of primitives, so the time here is the numpy calls' own
    # overhead, not the arithmetic: both axes go through each call together)
    n = cmd_offsets.size - 1
    out = np.full((n, 4), np.nan)
    if pts.size == 0:
        return out
    if cubic_end is None:
        cubic_end = COMMAND_POINTS[codes].cumsum()[codes == path_data.CUBIC]
    on = pts
    if cubic_end.size:
        # control points may lie outside the curve: stand the cubic's end point in for them,
        # which keeps every primitive's points contiguous for reduceat
        on = pts.copy()
        end_point = pts[cubic_end - 1]
        on[cubic_end - 3] = end_point
        on[cubic_end - 2] = end_point
    has = pt_offsets[1:] > pt_offsets[:-1]
    starts = pt_offsets[:-1][has]
    out[has, 0:2] = np.minimum.reduceat(on, starts, axis=0)
    out[has, 2:4] = np.maximum.reduceat(on, starts, axis=0)
    if cubic_end.size:
        owner = pt_offsets.searchsorted(cubic_end - 1, side="right") - 1
        ex, ey, eo = _cubic_extrema(pts[cubic_end[:, None] + _CUBIC_POINTS], owner)
        if eo.size:
            np.minimum.at(out[:, 0], eo, ex)
            np.minimum.at(out[:, 1], eo, ey)
            np.maximum.at(out[:, 2], eo, ex)
            np.maximum.at(out[:, 3], eo, ey)
    return out


def _cubic_extrema(
    quad: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points where a cubic's x or y derivative vanishes inside (0, 1); ``quad`` is ``(n, 4, 2)``
    (the four points of each cubic)."""
    p0, p1, p2, p3 = quad[:, 0], quad[:, 1], quad[:, 2], quad[:, 3]
    # both axes at once, as (n, 2) arrays: the same operations on the same numbers as one axis
    # at a time
    a = -p0 + 3 * p1 - 3 * p2 + p3
    b = 2 * (p0 - 2 * p1 + p2)
    c = p1 - p0
    # denormal and huge coefficients overflow to inf/NaN, which the (0, 1) test drops
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        disc = b * b - 4 * a * c
        sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
        quad_root = np.abs(a) > 1e-12
        t1 = np.where(quad_root, (-b + sq) / (2 * a), np.where(np.abs(b) > 1e-12, -c / b, np.nan))
        t2 = np.where(quad_root, (-b - sq) / (2 * a), np.nan)
    # roots in the order x first, then y (each: the "+" root, then the "-" root)
    roots = np.concatenate((t1, t2), axis=1).T[_ROOT_ORDER]
    ok = (roots > 0) & (roots < 1)
    k = ok.nonzero()[1]
    t = roots[ok]
    mt = 1 - t
    w0, w1, w2, w3 = mt**3, 3 * mt * mt * t, 3 * mt * t * t, t**3
    sel = quad[k]
    x = w0 * sel[:, 0, 0] + w1 * sel[:, 1, 0] + w2 * sel[:, 2, 0] + w3 * sel[:, 3, 0]
    y = w0 * sel[:, 0, 1] + w1 * sel[:, 1, 1] + w2 * sel[:, 2, 1] + w3 * sel[:, 3, 1]
    return x, y, owner[k]


def user_space_bbox(pd: path_data.PathData) -> tuple[float, float, float, float] | None:
    """The exact bbox of one primitive in its user space (for objectBoundingBox units)."""
    if not pd.points:
        return None
    if len(pd.codes) <= _SMALL_PRIMITIVE:
        small = _small_bbox(pd.codes, pd.points)
        if small is not None:
            return small
    codes = np.asarray(pd.codes, dtype=np.uint8)
    pts = np.asarray(pd.points, dtype=np.float64).reshape(-1, 2)
    b = primitive_bboxes(codes, pts, np.array([0, codes.size]), np.array([0, pts.shape[0]]))
    x0, y0, x1, y1 = b[0].tolist()
    if not (math.isfinite(x0) and math.isfinite(y0) and math.isfinite(x1) and math.isfinite(y1)):
        return None
    return (x0, y0, x1, y1)


#: Commands up to which :func:`user_space_bbox` computes in plain Python.
_SMALL_PRIMITIVE = 64


def _small_bbox(codes: list[int], flat: list[float]) -> tuple[float, float, float, float] | None:
    """:func:`primitive_bboxes` of one small primitive in plain Python, float for float.

    A gradient in objectBoundingBox units needs its element's box while the element is being
    built, one primitive at a time, where numpy's fixed cost per call (some forty calls) is most
    of the work. Every operation here is the one numpy applies to the same two floats; the
    cubes of the curve parameter are still taken by numpy, whose ``**`` rounds differently from
    Python's. ``None`` leaves the decision to numpy: a value that is not finite, a signed zero
    (numpy's min and max pick between 0.0 and -0.0 by position), or a cubic with no point
    before it.
    """
    for v in flat:
        if not math.isfinite(v) or (v == 0.0 and math.copysign(1.0, v) < 0.0):
            return None
    x0 = x1 = flat[0]
    y0 = y1 = flat[1]
    cubics: list[tuple[float, float, float, float, float, float, float, float]] = []
    i = 0  # index of the next point's x in flat
    for code in codes:
        if code == path_data.CUBIC:
            if i == 0:
                return None
            q = (flat[i - 2], flat[i - 1], *flat[i : i + 6])
            cubics.append(q)  # type: ignore[arg-type]
            x, y = q[6], q[7]
            i += 6
        elif code == path_data.CLOSE:
            continue
        else:
            x, y = flat[i], flat[i + 1]
            i += 2
        # the first point seeds the box; comparisons with equal values keep either (same bits)
        if x < x0:
            x0 = x
        elif x > x1:
            x1 = x
        if y < y0:
            y0 = y
        elif y > y1:
            y1 = y
    if not cubics:
        return (x0, y0, x1, y1)
    nan = math.nan
    roots: list[float] = []
    owners: list[int] = []
    for axis in (0, 1):
        for k, q in enumerate(cubics):
            p0, p1, p2, p3 = q[axis], q[axis + 2], q[axis + 4], q[axis + 6]
            a = -p0 + 3 * p1 - 3 * p2 + p3
            b = 2 * (p0 - 2 * p1 + p2)
            c = p1 - p0
            disc = b * b - 4 * a * c
            sq = math.sqrt(disc) if disc >= 0 else nan
            if abs(a) > 1e-12:
                t1 = (-b + sq) / (2 * a)
                t2 = (-b - sq) / (2 * a)
            else:
                t1 = -c / b if abs(b) > 1e-12 else nan
                t2 = nan
            if 0 < t1 < 1:
                roots.append(t1)
                owners.append(k)
            if 0 < t2 < 1:
                roots.append(t2)
                owners.append(k)
    if not roots:
        return (x0, y0, x1, y1)
    t_arr = np.array(roots)
    w0s = ((1 - t_arr) ** 3).tolist()
    w3s = (t_arr**3).tolist()
    for t, k, w0, w3 in zip(roots, owners, w0s, w3s):
        mt = 1 - t
        w1, w2 = 3 * mt * mt * t, 3 * mt * t * t
        q = cubics[k]
        x = w0 * q[0] + w1 * q[2] + w2 * q[4] + w3 * q[6]
        y = w0 * q[1] + w1 * q[3] + w2 * q[5] + w3 * q[7]
        if not (math.isfinite(x) and math.isfinite(y)) or x == 0.0 or y == 0.0:
            return None
        x0, x1 = min(x0, x), max(x1, x)
        y0, y1 = min(y0, y), max(y1, y)
    return (x0, y0, x1, y1)
