"""Path data and basic shapes → the Scene's command stream, in user space.

Commands are MOVE (1 point), LINE (1), CUBIC (3), CLOSE (0). Quadratics are raised to cubics
exactly; elliptical arcs are converted with the endpoint → centre parameterisation of the SVG
implementation notes (F.6.5, with out-of-range radii scaled up per F.6.6) and split into pieces of
at most 90°, each drawn as a cubic with handle length 4/3·tan(Δθ/4).

Path data follows the SVG grammar's error rule: everything up to the last complete command before
an error is kept, the rest is dropped and reported.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from ..paths import Command

__all__ = [
    "PathBudgetExceeded",
    "PathData",
    "ellipse_commands",
    "parse_path_data",
    "parse_points",
    "rect_commands",
]

# plain ints (not enum members) in the hot loops and in PathData.codes
MOVE, LINE = int(Command.MOVE), int(Command.LINE)
CUBIC, CLOSE = int(Command.CUBIC), int(Command.CLOSE)
KAPPA = 0.5522847498307936  # 4/3 * (sqrt(2) - 1): quarter-circle cubic handle length

_TOKEN = re.compile(r"[MmZzLlHhVvCcSsQqTtAa]|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[^\s,]")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_PARAMS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}


class PathBudgetExceeded(Exception):
    """Raised by :func:`parse_path_data` when a path produces more than ``max_commands``."""

    def __init__(self, n_commands: int) -> None:
        super().__init__(n_commands)
        self.n_commands = n_commands


class PathData:
    """Commands and points of one primitive, in user space.

    ``codes`` holds one code per command; ``points`` holds the flattened x, y floats of every point.
    ``error`` describes where parsing stopped, or is ``""``.
    """

    __slots__ = ("codes", "points", "error", "n_source_commands")

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.points: list[float] = []
        self.error = ""
        self.n_source_commands: dict[str, int] = {}


def parse_path_data(
    d: str, max_commands: int | None = None, check: Callable[[], None] | None = None
) -> PathData:
    """Parse an SVG ``d`` attribute.

    ``max_commands`` bounds the commands produced (``PathBudgetExceeded`` is raised past it) and
    ``check`` is called every 4,096 commands so a caller's deadline can interrupt a huge path.

    Examples
    --------
    >>> p = parse_path_data("M0 0 h10 v10 z")
    >>> p.codes, p.points
    ([0, 1, 1, 3], [0.0, 0.0, 10.0, 0.0, 10.0, 10.0])
    """
    out = PathData()
    tokens = _TOKEN.findall(d)
    n = len(tokens)
    i = 0
    codes, pts = out.codes, out.points
    counts = out.n_source_commands
    cx = cy = 0.0  # current point
    sx = sy = 0.0  # subpath start
    last_ctrl_x = last_ctrl_y = 0.0
    last_cmd = ""
    cmd = ""
    started = False
    subpath_open = False

    def fail(message: str) -> PathData:
        out.error = message
        return out

    budget = len(tokens) if max_commands is None else max_commands
    next_check = 4096
    while i < n:
        if len(codes) >= next_check:
            next_check += 4096
            if check is not None:
                check()
            if len(codes) > budget:
                raise PathBudgetExceeded(len(codes))
        tok = tokens[i]
        if tok.isalpha() and len(tok) == 1 and tok in "MmZzLlHhVvCcSsQqTtAa":
            cmd = tok
            i += 1
            if not started and cmd not in "Mm":
                return fail(f"path data must start with a moveto, got {cmd!r}")
            if cmd in "Zz":
                counts[cmd] = counts.get(cmd, 0) + 1
                codes.append(CLOSE)
                cx, cy = sx, sy
                last_cmd = "z"
                subpath_open = False
                continue
        elif not cmd or cmd in "Zz":
            return fail(f"unexpected {tok!r} in path data")
        lower = cmd.lower()
        need = _PARAMS[lower]
        if lower == "a":
            args, i, err = _take_arc_args(tokens, i, n)
        else:
            if i + need > n:
                return fail(f"command {cmd!r} is missing parameters")
            try:
                args = list(map(float, tokens[i : i + need]))
            except ValueError:
                bad = next(t for t in tokens[i : i + need] if not _NUMBER.fullmatch(t))
                return fail(f"expected a number after {cmd!r}, got {bad!r}")
            i += need
            err = ""
        if err:
            return fail(err)
        counts[cmd] = counts.get(cmd, 0) + 1
        rel = cmd.islower()
        ox, oy = (cx, cy) if rel else (0.0, 0.0)
        if lower == "m":
            # a moveto after a closepath starts from the closed subpath's start point
            cx, cy = args[0] + ox, args[1] + oy
            sx, sy = cx, cy
            codes.append(MOVE)
            pts += (cx, cy)
            started = True
            subpath_open = True
            cmd = "l" if rel else "L"  # implicit repeats of a moveto are linetos
            last_cmd = "m"
            continue
        if not subpath_open:
            # drawing after Z without a moveto restarts at the subpath start
            codes.append(MOVE)
            pts += (sx, sy)
            subpath_open = True
        if lower == "l":
            cx, cy = args[0] + ox, args[1] + oy
            codes.append(LINE)
            pts += (cx, cy)
        elif lower == "h":
            cx = args[0] + ox
            codes.append(LINE)
            pts += (cx, cy)
        elif lower == "v":
            cy = args[0] + oy
            codes.append(LINE)
            pts += (cx, cy)
        elif lower == "c":
            x1, y1 = args[0] + ox, args[1] + oy
            x2, y2 = args[2] + ox, args[3] + oy
            cx, cy = args[4] + ox, args[5] + oy
            codes.append(CUBIC)
            pts += (x1, y1, x2, y2, cx, cy)
            last_ctrl_x, last_ctrl_y = x2, y2
        elif lower == "s":
            if last_cmd == "c":
                x1, y1 = 2 * cx - last_ctrl_x, 2 * cy - last_ctrl_y
            else:
                x1, y1 = cx, cy
            x2, y2 = args[0] + ox, args[1] + oy
            cx, cy = args[2] + ox, args[3] + oy
            codes.append(CUBIC)
            pts += (x1, y1, x2, y2, cx, cy)
            last_ctrl_x, last_ctrl_y = x2, y2
            lower = "c"
        elif lower == "q" or lower == "t":
            if lower == "q":
                qx, qy = args[0] + ox, args[1] + oy
                ex, ey = args[2] + ox, args[3] + oy
            else:
                if last_cmd == "q":
                    qx, qy = 2 * cx - last_ctrl_x, 2 * cy - last_ctrl_y
                else:
                    qx, qy = cx, cy
                ex, ey = args[0] + ox, args[1] + oy
            codes.append(CUBIC)
            pts += (
                cx + 2.0 / 3.0 * (qx - cx),
                cy + 2.0 / 3.0 * (qy - cy),
                ex + 2.0 / 3.0 * (qx - ex),
                ey + 2.0 / 3.0 * (qy - ey),
                ex,
                ey,
            )
            cx, cy = ex, ey
            last_ctrl_x, last_ctrl_y = qx, qy
            lower = "q"
        else:  # arc
            ex, ey = args[5] + ox, args[6] + oy
            arc_to_cubics(
                cx, cy, args[0], args[1], args[2], args[3] != 0, args[4] != 0, ex, ey, codes, pts
            )
            cx, cy = ex, ey
        last_cmd = lower
    return out


def _take_arc_args(tokens: list[str], i: int, n: int) -> tuple[list[float], int, str]:
    """Read the 7 arc parameters; flags may be packed against what follows (``a5 5 0 0110 10``)."""
    args: list[float] = []
    for k in range(7):
        if i >= n:
            return args, i, "arc command is missing parameters"
        tok = tokens[i]
        if k in (3, 4):
            if tok[:1] not in ("0", "1"):
                return args, i, f"arc flag must be 0 or 1, got {tok!r}"
            args.append(float(tok[0]))
            rest = tok[1:]
            if rest:
                if not _NUMBER.fullmatch(rest):
                    return args, i, f"bad arc flag token {tok!r}"
                tokens[i] = rest
            else:
                i += 1
            continue
        if not _NUMBER.fullmatch(tok):
            return args, i, f"expected a number in arc parameters, got {tok!r}"
        args.append(float(tok))
        i += 1
    return args, i, ""


def arc_to_cubics(
    x1: float,
    y1: float,
    rx: float,
    ry: float,
    phi_deg: float,
    large_arc: bool,
    sweep: bool,
    x2: float,
    y2: float,
    codes: list[int],
    pts: list[float],
) -> None:
    """Append the cubics approximating an SVG elliptical arc (endpoint parameterisation)."""
    if x1 == x2 and y1 == y2:
        return  # F.6.2: identical endpoints omit the arc
    rx, ry = abs(rx), abs(ry)
    if rx == 0.0 or ry == 0.0:
        codes.append(LINE)
        pts += (x2, y2)
        return
    phi = math.radians(phi_deg % 360.0)
    cos_phi, sin_phi = math.cos(phi), math.sin(phi)
    dx2, dy2 = (x1 - x2) / 2.0, (y1 - y2) / 2.0
    x1p = cos_phi * dx2 + sin_phi * dy2
    y1p = -sin_phi * dx2 + cos_phi * dy2
    # F.6.6 radii correction, in a form that neither underflows (rx * rx for rx ~ 1e-160) nor
    # overflows (x1p / rx for rx ~ 1e-320): too-small radii become the half-ellipse through both
    # endpoints with the radii's own ratio
    if math.hypot(x1p / rx, y1p / ry) > 1.0:
        ratio = ry / rx
        rx = math.hypot(x1p, y1p / ratio) if ratio > 0.0 else math.inf
        ry = rx * ratio
        if not (math.isfinite(rx) and math.isfinite(ry)) or rx == 0.0 or ry == 0.0:
            codes.append(LINE)  # a needle-thin ellipse: the arc is its chord
            pts += (x2, y2)
            return
    num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p
    den = rx * rx * y1p * y1p + ry * ry * x1p * x1p
    coef = math.sqrt(max(num, 0.0) / den) if den > 0 else 0.0
    if large_arc == sweep:
        coef = -coef
    cxp = coef * rx * y1p / ry
    cyp = -coef * ry * x1p / rx
    ccx = cos_phi * cxp - sin_phi * cyp + (x1 + x2) / 2.0
    ccy = sin_phi * cxp + cos_phi * cyp + (y1 + y2) / 2.0
    ux, uy = (x1p - cxp) / rx, (y1p - cyp) / ry
    vx, vy = (-x1p - cxp) / rx, (-y1p - cyp) / ry
    theta1 = math.atan2(uy, ux)
    dtheta = math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)
    if not all(math.isfinite(v) for v in (ccx, ccy, theta1, dtheta, rx, ry)):
        codes.append(LINE)  # arithmetic at the edge of the float range: keep the endpoint
        pts += (x2, y2)
        return
    if not sweep and dtheta > 0:
        dtheta -= 2 * math.pi
    elif sweep and dtheta < 0:
        dtheta += 2 * math.pi
    n_seg = max(1, math.ceil(abs(dtheta) / (math.pi / 2) - 1e-9))
    delta = dtheta / n_seg
    k = 4.0 / 3.0 * math.tan(delta / 4.0)
    t = theta1
    cos_t, sin_t = math.cos(t), math.sin(t)
    for seg in range(n_seg):
        t2 = t + delta
        cos_t2, sin_t2 = math.cos(t2), math.sin(t2)
        # unit-circle control points, then scale by radii, rotate by phi, translate to centre
        p1x, p1y = cos_t - k * sin_t, sin_t + k * cos_t
        p2x, p2y = cos_t2 + k * sin_t2, sin_t2 - k * cos_t2
        if seg == n_seg - 1:
            ex, ey = x2, y2  # land exactly on the endpoint
        else:
            ex = ccx + rx * cos_phi * cos_t2 - ry * sin_phi * sin_t2
            ey = ccy + rx * sin_phi * cos_t2 + ry * cos_phi * sin_t2
        pts += (
            ccx + rx * cos_phi * p1x - ry * sin_phi * p1y,
            ccy + rx * sin_phi * p1x + ry * cos_phi * p1y,
            ccx + rx * cos_phi * p2x - ry * sin_phi * p2y,
            ccy + rx * sin_phi * p2x + ry * cos_phi * p2y,
            ex,
            ey,
        )
        codes.append(CUBIC)
        t, cos_t, sin_t = t2, cos_t2, sin_t2


def rect_commands(x: float, y: float, w: float, h: float, rx: float, ry: float) -> PathData:
    """A rectangle, with rounded corners when ``rx`` and ``ry`` are positive (already clamped)."""
    out = PathData()
    c, p = out.codes, out.points
    if rx <= 0.0 or ry <= 0.0:
        c += (MOVE, LINE, LINE, LINE, CLOSE)
        p += (x, y, x + w, y, x + w, y + h, x, y + h)
        return out
    kx, ky = rx * KAPPA, ry * KAPPA
    r, b = x + w, y + h
    c += (MOVE, LINE, CUBIC, LINE, CUBIC, LINE, CUBIC, LINE, CUBIC, CLOSE)
    p += (x + rx, y, r - rx, y)
    p += (r - rx + kx, y, r, y + ry - ky, r, y + ry)
    p += (r, b - ry)
    p += (r, b - ry + ky, r - rx + kx, b, r - rx, b)
    p += (x + rx, b)
    p += (x + rx - kx, b, x, b - ry + ky, x, b - ry)
    p += (x, y + ry)
    p += (x, y + ry - ky, x + rx - kx, y, x + rx, y)
    return out


def ellipse_commands(cx: float, cy: float, rx: float, ry: float) -> PathData:
    """An ellipse as four quarter cubics from ``(cx + rx, cy)``, clockwise on screen."""
    out = PathData()
    kx, ky = rx * KAPPA, ry * KAPPA
    out.codes += (MOVE, CUBIC, CUBIC, CUBIC, CUBIC, CLOSE)
    out.points += (cx + rx, cy)
    out.points += (cx + rx, cy + ky, cx + kx, cy + ry, cx, cy + ry)
    out.points += (cx - kx, cy + ry, cx - rx, cy + ky, cx - rx, cy)
    out.points += (cx - rx, cy - ky, cx - kx, cy - ry, cx, cy - ry)
    out.points += (cx + kx, cy - ry, cx + rx, cy - ky, cx + rx, cy)
    return out


def parse_points(text: str) -> tuple[list[float], str]:
    """Parse a ``points`` attribute; returns the coordinates and an error message or ``""``.

    An odd trailing coordinate, or anything that is not a number, ends the list (the points before
    it are kept, as the SVG error rule asks).

    Examples
    --------
    >>> parse_points("0,0 10,0 10 10")
    ([0.0, 0.0, 10.0, 0.0, 10.0, 10.0], '')
    """
    values: list[float] = []
    error = ""
    for tok in _TOKEN.findall(text):
        if not _NUMBER.fullmatch(tok):
            error = f"unexpected {tok!r} in points"
            break
        values.append(float(tok))
    if len(values) % 2:
        values.pop()
        error = error or "odd number of coordinates in points"
    return values, error
