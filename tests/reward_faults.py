"""A feature function that misbehaves on request, for the reward engine's and the reward
server's isolation tests, and the term that requests it.

The engine imports feature functions by ``"module:function"`` path inside its worker processes;
this one hangs, crashes or raises when the SVG it is given contains a marker comment. A config
names the term as ``{"term": "reward_faults:FaultTerm"}``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from svgkit_rewards import AnalysisRequest, Term

FEATURE = ("fault", "reward_faults:fault_feature")


class FaultTerm(Term):
    """Requests the misbehaving feature; value 1 when it ran."""

    value_range = (0.0, 1.0)

    def __init__(self, name: str = "fault") -> None:
        self.name = name

    def request(self) -> AnalysisRequest:
        return AnalysisRequest(features=(FEATURE,), render_check=True)

    def compute(self, samples: Sequence[Any], analyses: Sequence[Any]) -> list[float | None]:
        return [1.0 if "fault" in a.features else 0.0 for a in analyses]


def fault_feature(scene: Any, svg: str, renders: Any) -> int:
    if "HANG-ME" in svg:
        while True:
            time.sleep(3600)
    if "CRASH-ME" in svg:
        os.abort()
    if "RAISE-ME" in svg:
        raise RuntimeError("feature failed on purpose")
    return len(scene)


#: Marker of a completion that ends the process evaluating :class:`KillTerm`.
KILL = "KILL-THE-ACTOR"


class KillTerm(Term):
    """Ends the process that evaluates it (the reward actor) on a marked completion."""

    name = "killer"
    value_range = (0.0, 1.0)

    def compute(self, samples: Sequence[Any], analyses: Sequence[Any]) -> list[float | None]:
        if any(KILL in s.completion for s in samples):
            os._exit(3)
        return [1.0] * len(samples)


class SlowTerm(Term):
    """Takes a second per batch, so that a test can kill its actor mid-batch."""

    name = "slow"
    value_range = (0.0, 1.0)

    def compute(self, samples: Sequence[Any], analyses: Sequence[Any]) -> list[float | None]:
        time.sleep(1.0)
        return [1.0] * len(samples)
