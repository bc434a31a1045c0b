"""The path command stream every stage shares: command codes, points per command, and one walk.

A path is a list of command codes (:class:`Command`) and a flat list of points: ``MOVE`` and
``LINE`` take one point, ``CUBIC`` three (two controls and the end), ``CLOSE`` none. The builder
writes this stream into the :class:`svgkit.Scene`; markers, bounding boxes and the renderer read
it with :func:`iter_segments`; the numba kernels (:mod:`svgkit.flatten`, :mod:`svgkit.geometry`)
walk the same arrays with the same codes.

Examples
--------
>>> from svgkit.paths import Command, iter_segments
>>> codes = [Command.MOVE, Command.LINE, Command.CLOSE]
>>> [(c.name, pts) for c, pts in iter_segments(codes, [0.0, 0.0, 4.0, 0.0])]
[('MOVE', (0.0, 0.0)), ('LINE', (4.0, 0.0)), ('CLOSE', ())]
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["COMMAND_POINTS", "Command", "FlatGeometry", "iter_segments"]


class Command(enum.IntEnum):
    """Path command codes in :attr:`Scene.cmd_codes`."""

    MOVE = 0
    LINE = 1
    CUBIC = 2
    CLOSE = 3


#: Points consumed by each :class:`Command`, indexable by code.
COMMAND_POINTS = np.array([1, 1, 3, 0], dtype=np.int64)

_POINT_COUNTS = (1, 1, 3, 0)


def iter_segments(
    codes: Sequence[int] | npt.NDArray[np.integer],
    points: Sequence[float] | npt.NDArray[np.floating],
) -> Iterator[tuple[Command, tuple[float, ...]]]:
    """Walk a command stream: each command with the coordinates it consumes, flat ``(x, y, ...)``.

    ``points`` holds the coordinates flat (``x0, y0, x1, y1, ...``) or as an ``(n, 2)`` array.
    A code outside :class:`Command` raises ``ValueError``.
    """
    flat = np.asarray(points, dtype=np.float64).reshape(-1).tolist()
    at = 0
    for code in codes:
        command = Command(int(code))
        take = 2 * _POINT_COUNTS[command]
        yield command, tuple(flat[at : at + take])
        at += take


@dataclass(frozen=True)
class FlatGeometry:
    """Flattened polylines of every primitive, struct-of-arrays.

    ``points[subpath_offsets[k]:subpath_offsets[k+1]]`` is subpath ``k``; primitive ``i`` owns
    subpaths ``prim_subpath_offsets[i]:prim_subpath_offsets[i+1]``. ``subpath_closed[k]`` says
    whether the subpath was explicitly closed (filled subpaths are always implicitly closed).
    """

    points: npt.NDArray[np.float64]
    subpath_offsets: npt.NDArray[np.int64]
    subpath_closed: npt.NDArray[np.bool_]
    prim_subpath_offsets: npt.NDArray[np.int64]
    tolerance: float
