"""A feature function that misbehaves on request, for the reward engine's isolation tests.

The engine imports feature functions by ``"module:function"`` path inside its worker processes;
this one hangs, crashes or raises when the SVG it is given contains a marker comment.
"""

from __future__ import annotations

import os
import time
from typing import Any

FEATURE = ("fault", "reward_faults:fault_feature")


def fault_feature(scene: Any, svg: str, renders: Any) -> int:
    if "HANG-ME" in svg:
        while True:
            time.sleep(3600)
    if "CRASH-ME" in svg:
        os.abort()
    if "RAISE-ME" in svg:
        raise RuntimeError("feature failed on purpose")
    return len(scene)
