"""Reward terms and the algebra that combines them.

A term maps a batch of :class:`~svgkit_rewards.Sample` and their analyses to one value per sample
(``None`` where it does not apply). Leaf terms wrap the functions of
:mod:`svgkit_rewards.functional`; combinators (:class:`WeightedSum`, :class:`Gate`,
:class:`Clip`, :class:`Affine`) build a reward from them. Every leaf keeps its name, and the
engine reports each leaf's value as a component so trainers can log it.

Examples
--------
>>> from svgkit_rewards.terms import FormatTerm, Gate, LengthTerm, WeightedSum
>>> reward = Gate(FormatTerm("sgp"), WeightedSum([(LengthTerm(), 1.0)]))
>>> [t.name for t in reward.leaves()]
['format', 'length']
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from .analysis import Analysis, AnalysisRequest
from .functional.format import FORMAT_POLICIES, format_request, format_reward
from .functional.length import LENGTH_POLICIES, RLRF_MIN, length_reward
from .functional.pixel import PIXEL_METRICS, PIXEL_RANGES, pixel_request, pixel_reward
from .sample import Sample

__all__ = [
    "Affine",
    "Clip",
    "CompositionTerm",
    "EvalContext",
    "FormatTerm",
    "Gate",
    "HackTerm",
    "LengthTerm",
    "PixelTerm",
    "Term",
    "WeightedSum",
]

Values = list[float | None]


class EvalContext:
    """Per-batch state shared by the terms of one evaluation.

    Attributes
    ----------
    floor : float
        The engine's floor (what a closed gate scores unless the gate has its own).
    components : list[dict[str, float | None]]
        Leaf values per sample, filled as the leaves are evaluated.
    closed : list[bool]
        Samples whose gate closed.
    flags : list[list[str]]
        Flags terms raise per sample (anti-hacking flags, for instance).
    """

    def __init__(self, n: int, floor: float) -> None:
        self.floor = floor
        self.components: list[dict[str, float | None]] = [{} for _ in range(n)]
        self.closed: list[bool] = [False] * n
        self.flags: list[list[str]] = [[] for _ in range(n)]


class Term:
    """Base of every term.

    Subclasses that are leaves implement :meth:`compute`; combinators override
    :meth:`evaluate`, :meth:`leaves` and :meth:`request`.

    Attributes
    ----------
    name : str
        Component name in logs; unique among the leaves of one reward.
    value_range : tuple[float, float]
        Documented range of the values.
    higher_is_better : bool
    """

    name: str = "term"
    value_range: tuple[float, float] = (-math.inf, math.inf)
    higher_is_better: bool = True

    def request(self) -> AnalysisRequest:
        """What this term needs from each completion's analysis."""
        return AnalysisRequest()

    def compute(self, samples: Sequence[Sample], analyses: Sequence[Analysis]) -> Values:
        """One value per sample (leaves only)."""
        raise NotImplementedError

    def evaluate(
        self, samples: Sequence[Sample], analyses: Sequence[Analysis], ctx: EvalContext
    ) -> Values:
        """Compute the values and record them as this leaf's components."""
        values = self.compute(samples, analyses)
        if len(values) != len(samples):
            raise RuntimeError(
                f"term {self.name!r} returned {len(values)} values for {len(samples)}"
            )
        lo, hi = self.value_range
        checked: Values = []
        for comp, v in zip(ctx.components, values):
            if v is not None:
                v = float(v)
                # a term must stay inside its documented range; NaN means "does not apply"
                v = None if math.isnan(v) else min(hi, max(lo, v))
            comp[self.name] = v
            checked.append(v)
        return checked

    def leaves(self) -> Iterator[Term]:
        """The leaf terms, in evaluation order."""
        yield self

    def __add__(self, other: Term) -> WeightedSum:
        return WeightedSum([*_as_pairs(self), *_as_pairs(other)])

    def __mul__(self, weight: float) -> WeightedSum:
        return WeightedSum([(t, w * float(weight)) for t, w in _as_pairs(self)])

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def _as_pairs(term: Term) -> list[tuple[Term, float]]:
    if isinstance(term, WeightedSum):
        return list(term.pairs)
    if not isinstance(term, Term):
        raise TypeError(f"Expected a Term, but got {type(term).__name__}")
    return [(term, 1.0)]


def _check_name(name: str) -> str:
    if (
        not isinstance(name, str)
        or not name
        or not name.replace("_", "").replace("-", "").isalnum()
    ):
        raise ValueError(f"Expected `name` to be a non-empty identifier, but got {name!r}")
    return name


# ---------------------------------------------------------------------------------------------
# leaves
# ---------------------------------------------------------------------------------------------


class FormatTerm(Term):
    """1.0 when the completion passes the format policy, else 0.0 (see
    :func:`svgkit_rewards.functional.format_reward`).

    Parameters
    ----------
    policy
        ``"sgp"``, ``"answer"`` or ``"plain"``.
    name
        Component name (default ``"format"``).

    Examples
    --------
    >>> FormatTerm("plain").value_range
    (0.0, 1.0)
    """

    value_range = (0.0, 1.0)

    def __init__(self, policy: str = "sgp", *, name: str = "format") -> None:
        if policy not in FORMAT_POLICIES:
            raise ValueError(
                f"Expected `policy` to be one of {', '.join(FORMAT_POLICIES)}, but got {policy!r}"
            )
        self.policy = policy
        self.name = _check_name(name)

    def request(self) -> AnalysisRequest:
        return format_request()

    def compute(self, samples: Sequence[Sample], analyses: Sequence[Analysis]) -> Values:
        return list(
            format_reward(
                [s.completion for s in samples],
                self.policy,  # type: ignore[arg-type]
                analyses=analyses,
            )
        )


class LengthTerm(Term):
    """Short-code reward (see :func:`svgkit_rewards.functional.length_reward`).

    Parameters
    ----------
    policy
        ``"sgp"`` (``max(0, 1 − L/6000)``, in [0, 1]) or ``"rlrf"`` (against each sample's
        ``reference_svg``, in [−1, 1]; ``None`` without one).
    max_length
        The SGP policy's zero point.
    name
        Component name (default ``"length"``).

    Examples
    --------
    >>> LengthTerm("rlrf").value_range
    (-1.0, 1.0)
    """

    def __init__(
        self, policy: str = "sgp", *, max_length: int = 6000, name: str = "length"
    ) -> None:
        if policy not in LENGTH_POLICIES:
            raise ValueError(
                f"Expected `policy` to be one of {', '.join(LENGTH_POLICIES)}, but got {policy!r}"
            )
        if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
            raise ValueError(f"Expected `max_length` to be a positive int, but got {max_length!r}")
        self.policy = policy
        self.max_length = max_length
        self.name = _check_name(name)
        self.value_range = (0.0, 1.0) if policy == "sgp" else (RLRF_MIN, 1.0)

    def compute(self, samples: Sequence[Sample], analyses: Sequence[Analysis]) -> Values:
        return length_reward(
            [s.completion for s in samples],
            self.policy,  # type: ignore[arg-type]
            max_length=self.max_length,
            reference_svg=[s.reference_svg for s in samples],
            analyses=analyses,
        )


class PixelTerm(Term):
    """Similarity of the rendering to the sample's ``reference_image`` (see
    :func:`svgkit_rewards.functional.pixel_reward`); ``None`` for a sample without one.

    Parameters
    ----------
    metric
        ``"mse"``, ``"psnr"``, ``"ssim"``, ``"l2"`` or ``"l2_edge"``.
    size
        Render and comparison size: int (square) or ``(width, height)``.
    name
        Component name (default: the metric).

    Examples
    --------
    >>> t = PixelTerm("ssim", size=128)
    >>> t.name, t.value_range, t.request().sizes
    ('ssim', (-1.0, 1.0), ((128, 128),))
    """

    def __init__(
        self, metric: str = "ssim", *, size: int | tuple[int, int] = 224, name: str | None = None
    ) -> None:
        if metric not in PIXEL_METRICS:
            raise ValueError(
                f"Expected `metric` to be one of {', '.join(PIXEL_METRICS)}, but got {metric!r}"
            )
        self.metric = metric
        self._request = pixel_request(size)
        self.size = self._request.sizes[0]
        self.name = _check_name(name or metric)
        self.value_range = PIXEL_RANGES[metric]

    def request(self) -> AnalysisRequest:
        return self._request

    def compute(self, samples: Sequence[Sample], analyses: Sequence[Analysis]) -> Values:
        return pixel_reward(
            [s.completion for s in samples],
            self.metric,  # type: ignore[arg-type]
            reference_image=[s.reference_image for s in samples],
            size=self.size,
            analyses=analyses,
        )


class HackTerm(Term):
    """``−penalty`` of the anti-hacking detector, in [−1, 0]; its flags are added to the
    sample's diagnostics (see :func:`svgkit_rewards.detect_hacks`). A completion without a
    usable drawing scores 0 here (the floor or the gate deals with it).

    Parameters
    ----------
    name
        Component name (default ``"hacks"``).

    Examples
    --------
    >>> HackTerm().value_range
    (-1.0, 0.0)
    """

    value_range = (-1.0, 0.0)
    higher_is_better = True

    def __init__(self, *, name: str = "hacks") -> None:
        self.name = _check_name(name)

    def request(self) -> AnalysisRequest:
        from .functional.hacks import hacks_request

        request: AnalysisRequest = hacks_request()
        return request

    def compute(self, samples: Sequence[Sample], analyses: Sequence[Analysis]) -> Values:
        return [-r.penalty for r in self._reports(samples, analyses)]

    def _reports(self, samples: Sequence[Sample], analyses: Sequence[Analysis]) -> list[Any]:
        from .functional.hacks import judge_hacks

        return [
            judge_hacks(None if a.failed else a.features.get("hacks"), s.prompt)
            for s, a in zip(samples, analyses)
        ]

    def evaluate(
        self, samples: Sequence[Sample], analyses: Sequence[Analysis], ctx: EvalContext
    ) -> Values:
        reports = self._reports(samples, analyses)
        out: Values = []
        for i, report in enumerate(reports):
            ctx.flags[i].extend(report.flags)
            value = min(0.0, max(-1.0, -float(report.penalty)))
            ctx.components[i][self.name] = value
            out.append(value)
        return out


class CompositionTerm(Term):
    """How well the drawing meets the sample's ``spec`` (see
    :func:`svgkit_rewards.functional.composition.check_composition`), in [0, 1].

    The spec is an SGP-CompBench record or an svgkit spec on :attr:`Sample.spec`. Every check
    is decided from the drawing's geometry in the engine's workers; nothing is rendered.

    Parameters
    ----------
    strict
        1.0 only when every check passes, else 0.0 (default: the mean check score, with partial
        credit for counts).
    undecided
        Value when the checks cannot be decided (an unannotated drawing, a texture or implicit
        relation, no spec); ``None`` leaves the term out of the sum for that sample. The default
        0.0 rewards annotating objects so that they can be checked.
    floor, min_alpha
        Visibility integrity: the least visible share of the canvas and the least alpha for an
        object to count as drawn.
    name
        Component name (default ``"composition"``).

    Examples
    --------
    >>> from svgkit_rewards import RewardEngine, Sample
    >>> svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    ...        '<circle id="cat" cx="10" cy="10" r="6"/><rect id="dog" x="25" y="5" '
    ...        'width="10" height="10"/></svg>')
    >>> spec = {"major_type": "relation", "minor_type": "2d_spatial", "prompt": "",
    ...         "metadata": {"relation": "on the left of", "nouns": ["cat", "dog"]}}
    >>> RewardEngine(CompositionTerm(), in_process=True)([Sample(svg, spec=spec)])
    [1.0]
    """

    value_range = (0.0, 1.0)

    def __init__(
        self,
        *,
        strict: bool = False,
        undecided: float | None = 0.0,
        floor: float | None = None,
        min_alpha: float | None = None,
        name: str = "composition",
    ) -> None:
        from .functional.composition import MIN_ALPHA, VISIBLE_FLOOR

        self.strict = bool(strict)
        if undecided is not None and not 0.0 <= float(undecided) <= 1.0:
            raise ValueError(f"Expected `undecided` to be None or a float in [0, 1], but got "
                             f"{undecided!r}")
        self.undecided = None if undecided is None else float(undecided)
        self.floor = VISIBLE_FLOOR if floor is None else float(floor)
        self.min_alpha = MIN_ALPHA if min_alpha is None else float(min_alpha)
        for what, v in (("floor", self.floor), ("min_alpha", self.min_alpha)):
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"Expected `{what}` to be a float in [0, 1], but got {v!r}")
        self.name = _check_name(name)

    def request(self) -> AnalysisRequest:
        from .functional.composition import composition_request

        return composition_request()

    def compute(self, samples: Sequence[Sample], analyses: Sequence[Analysis]) -> Values:
        from .functional.composition import composition_reward

        return [
            composition_reward(
                [s.completion], spec=[s.spec], strict=self.strict, undecided=self.undecided,
                analyses=[a], floor=self.floor, min_alpha=self.min_alpha,
            )[0]
            for s, a in zip(samples, analyses)
        ]


# ---------------------------------------------------------------------------------------------
# combinators
# ---------------------------------------------------------------------------------------------


class WeightedSum(Term):
    """``Σ wᵢ · tᵢ`` over the terms that apply (``None`` values are left out of the sum; when
    no term applies the sum is ``None``).

    Parameters
    ----------
    pairs
        ``(term, weight)`` pairs; a bare term has weight 1.

    Examples
    --------
    >>> s = WeightedSum([(LengthTerm(), 0.5), FormatTerm()])
    >>> [(t.name, w) for t, w in s.pairs]
    [('length', 0.5), ('format', 1.0)]
    """

    name = "sum"

    def __init__(self, pairs: Sequence[tuple[Term, float] | Term]) -> None:
        clean: list[tuple[Term, float]] = []
        for item in pairs:
            term, weight = (item, 1.0) if isinstance(item, Term) else item
            if not isinstance(term, Term):
                raise TypeError(f"Expected a Term, but got {type(term).__name__}")
            w = float(weight)
            if not math.isfinite(w):
                raise ValueError(f"Expected a finite weight for {term.name!r}, but got {weight!r}")
            clean.append((term, w))
        if not clean:
            raise ValueError("Expected at least one term in a WeightedSum")
        self.pairs = tuple(clean)
        lo = sum(min(w * t.value_range[0], w * t.value_range[1]) for t, w in clean)
        hi = sum(max(w * t.value_range[0], w * t.value_range[1]) for t, w in clean)
        self.value_range = (lo, hi)

    def request(self) -> AnalysisRequest:
        req = AnalysisRequest()
        for term, _w in self.pairs:
            req = req.merge(term.request())
        return req

    def leaves(self) -> Iterator[Term]:
        for term, _w in self.pairs:
            yield from term.leaves()

    def evaluate(
        self, samples: Sequence[Sample], analyses: Sequence[Analysis], ctx: EvalContext
    ) -> Values:
        total: Values = [None] * len(samples)
        for term, w in self.pairs:
            values = term.evaluate(samples, analyses, ctx)
            for i, v in enumerate(values):
                if v is not None:
                    total[i] = (total[i] or 0.0) + w * v
        return total


class Gate(Term):
    """The SGP reward's ``r = r_gate · body``: where the gate's value is 0 the gate is closed
    and the sample scores ``floor`` (the engine's floor when ``None``); elsewhere the gate's
    value multiplies the body.

    Parameters
    ----------
    gate
        Usually a :class:`FormatTerm` (values in {0, 1}).
    body
        What the gate lets through.
    floor
        Score of a closed gate; ``None`` for the engine's floor.

    Examples
    --------
    >>> g = Gate(FormatTerm(), LengthTerm())
    >>> [t.name for t in g.leaves()]
    ['format', 'length']
    """

    name = "gate"

    def __init__(self, gate: Term, body: Term, *, floor: float | None = None) -> None:
        if not isinstance(gate, Term) or not isinstance(body, Term):
            raise TypeError("Expected `gate` and `body` to be Terms")
        self.gate = gate
        self.body = body
        self.floor = None if floor is None else float(floor)
        g_lo, g_hi = gate.value_range
        b_lo, b_hi = body.value_range
        corners = [g_lo * b_lo, g_lo * b_hi, g_hi * b_lo, g_hi * b_hi]
        lo, hi = min(corners), max(corners)
        if self.floor is not None:
            lo, hi = min(lo, self.floor), max(hi, self.floor)
        self.value_range = (lo, hi)

    def request(self) -> AnalysisRequest:
        return self.gate.request().merge(self.body.request())

    def leaves(self) -> Iterator[Term]:
        yield from self.gate.leaves()
        yield from self.body.leaves()

    def evaluate(
        self, samples: Sequence[Sample], analyses: Sequence[Analysis], ctx: EvalContext
    ) -> Values:
        gates = self.gate.evaluate(samples, analyses, ctx)
        body = self.body.evaluate(samples, analyses, ctx)
        floor = ctx.floor if self.floor is None else self.floor
        out: Values = []
        for i, (g, b) in enumerate(zip(gates, body)):
            if not g:  # 0 or None: closed
                ctx.closed[i] = True
                out.append(floor)
            else:
                out.append(None if b is None else g * b)
        return out


class _Map(Term):
    """A combinator that maps one term's values one by one."""

    term: Term

    def request(self) -> AnalysisRequest:
        return self.term.request()

    def leaves(self) -> Iterator[Term]:
        yield from self.term.leaves()

    def apply(self, value: float) -> float:
        raise NotImplementedError

    def evaluate(
        self, samples: Sequence[Sample], analyses: Sequence[Analysis], ctx: EvalContext
    ) -> Values:
        return [
            None if v is None else self.apply(v)
            for v in self.term.evaluate(samples, analyses, ctx)
        ]


class Clip(_Map):
    """``min(high, max(low, t))``.

    Examples
    --------
    >>> Clip(LengthTerm("rlrf"), 0.0, 1.0).value_range
    (0.0, 1.0)
    """

    name = "clip"

    def __init__(self, term: Term, low: float = -math.inf, high: float = math.inf) -> None:
        if not float(low) <= float(high):
            raise ValueError(f"Expected `low` <= `high`, but got {low!r} > {high!r}")
        self.term = term
        self.low, self.high = float(low), float(high)
        t_lo, t_hi = term.value_range
        self.value_range = (max(self.low, t_lo), min(self.high, t_hi))
        if self.value_range[0] > self.value_range[1]:
            self.value_range = (self.low, self.high)

    def apply(self, value: float) -> float:
        return min(self.high, max(self.low, value))


class Affine(_Map):
    """``scale · t + offset``.

    Examples
    --------
    >>> Affine(FormatTerm(), scale=2.0, offset=-1.0).value_range
    (-1.0, 1.0)
    """

    name = "affine"

    def __init__(self, term: Term, scale: float = 1.0, offset: float = 0.0) -> None:
        self.term = term
        self.scale, self.offset = float(scale), float(offset)
        if not (math.isfinite(self.scale) and math.isfinite(self.offset)):
            raise ValueError("Expected a finite `scale` and `offset`")
        a = self.scale * term.value_range[0] + self.offset
        b = self.scale * term.value_range[1] + self.offset
        self.value_range = (min(a, b), max(a, b))

    def apply(self, value: float) -> float:
        return self.scale * value + self.offset


def describe(term: Term) -> dict[str, Any]:
    """A JSON-serialisable description of a reward's structure (for logs and reports)."""
    if isinstance(term, WeightedSum):
        return {"sum": [{"weight": w, "term": describe(t)} for t, w in term.pairs]}
    if isinstance(term, Gate):
        return {"gate": describe(term.gate), "body": describe(term.body), "floor": term.floor}
    if isinstance(term, Clip):
        return {"clip": describe(term.term), "low": term.low, "high": term.high}
    if isinstance(term, Affine):
        return {"affine": describe(term.term), "scale": term.scale, "offset": term.offset}
    return {"term": type(term).__name__, "name": term.name, "range": list(term.value_range)}
