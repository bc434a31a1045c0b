"""Verifiable compositional checks: counts, colour and shape binding, 2D and 3D relations.

A prompt's :class:`~svgkit_rewards.functional.composition_specs.CompositionSpec` is checked
against the objects a drawing annotates (``<g id="apple-1">``, see :data:`OBJECT_INSTRUCTION`),
measured by :func:`svgkit.objects` and :func:`svgkit.relation` on what is *visible*. Nothing is
guessed: a drawing without annotated objects, a texture and an implicit relation ("holding")
are answered ``None`` with the reason.

The work splits in two, so that the engine can do the expensive half in its workers:
:func:`composition_facts` measures a Scene once (objects, their visible colours, shapes, and the
relations between annotated objects) into a small picklable dict, and :func:`judge_composition`
checks any spec against those facts. :func:`check_composition` does both for one completion;
:func:`composition_reward` is the TRL-style batch reward; :func:`summarize_composition` turns
results into SGP-CompBench's report (per minor type, per major type, overall, 0–100).

``docs/composition.md`` states every rule and threshold.

Examples
--------
>>> svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
...        '<g id="apple"><circle cx="25" cy="50" r="15" fill="#d22"/></g>'
...        '<g id="bowl"><rect x="60" y="40" width="30" height="20" fill="blue"/></g></svg>')
>>> r = check_composition(svg, {"objects": [{"noun": "apple", "color": "red"}],
...                             "relations": [{"a": "apple", "relation": "left of", "b": "bowl"}]})
>>> r.satisfied, r.score, [(c.kind, c.passed) for c in r.checks]
(True, 1.0, [('binding', True), ('relation', True)])
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import svgkit

from ..analysis import Analysis, AnalysisRequest
from ._common import analyses_for, per_sample
from .composition_specs import (
    MAJOR_TYPES,
    MINOR_TYPES,
    CompositionSpec,
    ObjectRequirement,
    RelationRequirement,
    SpecError,
    parse_spec,
    relation_key,
)
from .nouns import noun_matches

__all__ = [
    "COLOR_WORDS",
    "MIN_ALPHA",
    "NEAR_DISTANCE",
    "OBJECT_INSTRUCTION",
    "SHAPE_WORDS",
    "VISIBLE_FLOOR",
    "CheckResult",
    "CompositionResult",
    "check_analysis",
    "check_composition",
    "color_term",
    "composition_facts",
    "composition_request",
    "composition_reward",
    "judge_composition",
    "shape_matches",
    "summarize_composition",
]

#: An object counts as drawn only when its visible shape area (not text, not images, not under
#: later opaque paint, inside the canvas) is at least this share of the canvas. Sized from the
#: measured raster error (docs/geometry.md, benchmarks/bench_visibility.py): 0.5 % of the canvas
#: is about 330 pixels of the 256-px grid, where the error of a visible fraction stays under 3 %
#: at p95 and 10 % at worst; below 100 pixels it reaches 10-40 %.
VISIBLE_FLOOR = 0.005
#: ... and when the most opaque of its visible layers has at least this alpha.
MIN_ALPHA = 0.1
#: ``near``: the gap between the visible boxes is at most this share of the canvas diagonal.
NEAR_DISTANCE = 0.1
#: Objects measured per drawing for relations (the largest annotated ones beyond that).
MAX_RELATION_OBJECTS = 40

#: The paragraph to add to a system prompt so that a model annotates the objects it draws.
OBJECT_INSTRUCTION = (
    "Draw each object the prompt names as its own group and name the group after the object: "
    '<g id="apple">…</g>. When there are several of one kind, number them: <g id="apple-1">, '
    '<g id="apple-2">. Put every part of an object (outline, shading, details) inside its '
    "group, and keep backgrounds and scenery outside the groups of the named objects. Do not "
    "name groups after things you did not draw."
)

#: Colour words read as a basic colour term (besides the terms themselves and CSS colour names).
COLOR_WORDS: dict[str, str] = {
    "grey": "gray", "golden": "yellow", "gold": "yellow", "silver": "gray", "violet": "purple",
    "lavender": "purple", "indigo": "purple", "beige": "brown", "tan": "brown",
    "navy": "blue", "turquoise": "cyan", "teal": "cyan", "maroon": "red", "crimson": "red",
    "scarlet": "red", "lime": "green", "olive": "green", "amber": "orange", "rose": "pink",
}
_COLOR_MODIFIERS = frozenset({"light", "dark", "bright", "pale", "deep", "pastel", "vivid"})

#: Shape words → the family they ask for (see :func:`shape_matches` for the thresholds).
SHAPE_WORDS: dict[str, str] = {
    "square": "square", "squared": "square",
    "rectangular": "rectangle", "rectangle": "rectangle", "oblong": "rectangle",
    "round": "round", "rounded": "round",
    "circular": "circle", "circle": "circle",
    "oval": "oval", "elliptical": "oval", "ellipse": "oval", "egg-shaped": "oval",
    "triangular": "triangle", "triangle": "triangle",
}
#: Descriptor thresholds: rectangularity, ellipse fit and triangularity at least these.
RECT_FIT, ELLIPSE_FIT, TRIANGLE_FIT = 0.9, 0.9, 0.8
#: Aspect ratio (w / h, either way) within 1 ± this is "square"/"circular"; oval needs more.
ROUND_ASPECT = 0.15
#: "round" accepts a circle or a mild ellipse up to this aspect ratio.
ROUND_MAX_ASPECT = 1.5


@dataclass(frozen=True)
class CheckResult:
    """One check of a spec.

    Attributes
    ----------
    kind : str
        ``"presence"``, ``"binding"``, ``"count"`` or ``"relation"``.
    subject : str
        What was checked, readable ("red apple", "3 × apple", "cat left_of dog").
    passed : bool or None
        ``None`` when geometry cannot decide it.
    score : float or None
        1/0 for pass/fail, partial credit for counts, ``None`` when undecided.
    reason : str
        Why, in words.
    """

    kind: str
    subject: str
    passed: bool | None
    score: float | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CompositionResult:
    """How a drawing meets a spec.

    Attributes
    ----------
    satisfied : bool or None
        ``False`` when any check fails; ``None`` when none fails but some cannot be decided;
        ``True`` when every check passes.
    score : float or None
        Mean score of the decided checks, in [0, 1]; ``None`` when none is decided.
    checks : tuple[CheckResult, ...]
    code : str
        ``"OK"``, ``"EMPTY"`` or the error code of a completion that holds no usable SVG.
    reason : str
        One line: the first failing (else undecided) check's reason, or "all checks pass".
    spec_id, major_type, minor_type : str
        From the spec, for aggregation.
    """

    satisfied: bool | None
    score: float | None
    checks: tuple[CheckResult, ...]
    code: str = "OK"
    reason: str = ""
    spec_id: str = ""
    major_type: str = "custom"
    minor_type: str = "custom"

    def to_dict(self) -> dict[str, Any]:
        return {
            "satisfied": self.satisfied,
            "score": self.score,
            "code": self.code,
            "reason": self.reason,
            "spec_id": self.spec_id,
            "major_type": self.major_type,
            "minor_type": self.minor_type,
            "checks": [c.to_dict() for c in self.checks],
        }


# ---------------------------------------------------------------------------------------------
# facts: one measurement of a drawing, independent of any spec
# ---------------------------------------------------------------------------------------------


def composition_facts(
    scene: svgkit.Scene, svg: str | None = None, renders: Any = None, *, resolution: int = 256
) -> dict[str, Any]:
    """Measure what a drawing shows, for :func:`judge_composition` (the engine's feature).

    Parameters
    ----------
    scene
        The parsed drawing.
    svg, renders
        Unused; the engine's feature signature.
    resolution
        Analysis grid of :func:`svgkit.objects`.

    Returns
    -------
    dict
        ``canvas_area``, ``diagonal``, ``declared`` (nouns any group or element annotates, drawn
        or not), ``objects`` (per object: name, label, visible and shape area, alpha, colours
        by basic term, shape descriptor, visible box) and ``relations`` (``"i,j"`` → predicates
        and the separation metrics, for annotated objects).

    Examples
    --------
    >>> import svgkit
    >>> f = composition_facts(svgkit.parse('<svg xmlns="http://www.w3.org/2000/svg" width="10" '
    ...     'height="10"><rect id="box" width="5" height="5" fill="red"/></svg>'))
    >>> f["declared"], f["objects"][0]["colors"]
    (['box'], [['red', 25.0]])
    """
    # loads numba: only where facts are measured
    from svgkit.geometry import ensure_compiled, object_name

    # every object's shape is read below: its kernel compiles with the others, in parallel
    ensure_compiled(("shapes",))
    objs = svgkit.objects(scene, resolution=resolution)
    width, height = scene.canvas.width, scene.canvas.height
    hexes = sorted({h for o in objs for h, _ in o.colors})
    term = dict(zip(hexes, svgkit.color_names(hexes))) if hexes else {}
    facts_objects: list[dict[str, Any]] = []
    for o in objs:
        by_term: dict[str, float] = {}
        for h, area in o.colors:
            name = term.get(h)
            if name is not None:
                by_term[name] = by_term.get(name, 0.0) + float(area)
        shape = o.shape
        facts_objects.append({
            "index": o.index,
            "name": o.name,
            "label": o.label,
            "annotated": o.annotated,
            "visible_area": float(o.visible_area),
            "shape_area": float(o.shape_area),
            "painted_area": float(o.painted_area),
            "max_alpha": float(o.max_alpha),
            "colors": [[k, v] for k, v in sorted(by_term.items(), key=lambda kv: -kv[1])],
            "shape": {
                "guess": shape.guess,
                "aspect_ratio": _num(shape.aspect_ratio),
                "rectangularity": _num(shape.rectangularity),
                "ellipse_fit": _num(shape.ellipse_fit),
                "triangularity": _num(shape.triangularity),
            },
            "visible_bbox": [_num(v) for v in o.visible_bbox],
        })
    declared = {o.name for o in objs if o.name}
    for grp in scene.groups[1:]:
        for text, explicit in ((grp.data_object, True), (grp.id, False),
                               *((c, False) for c in grp.classes)):
            parsed = object_name(text, explicit=explicit) if text else None
            if parsed:
                declared.add(parsed[0])
                break
    annotated = [o for o in objs if o.annotated and o.drawn]
    if len(annotated) > MAX_RELATION_OBJECTS:
        annotated = sorted(annotated, key=lambda o: -o.shape_area)[:MAX_RELATION_OBJECTS]
    rels: dict[str, Any] = {}
    for a in annotated:
        for b in annotated:
            if a is b:
                continue
            r = svgkit.relation(a, b)
            rels[f"{a.index},{b.index}"] = [list(r.predicates), {
                k: _num(r.metrics[k]) for k in ("x_overlap", "y_overlap", "a_hidden_by_b")}]
    return {
        "canvas_area": float(width * height),
        "diagonal": float(math.hypot(width, height)),
        "declared": sorted(declared),
        "objects": facts_objects,
        "relations": rels,
    }


def _num(value: Any) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


# ---------------------------------------------------------------------------------------------
# judging a spec against facts
# ---------------------------------------------------------------------------------------------


def color_term(word: str) -> str | None:
    """The basic colour term a colour word asks for, or ``None`` for one that names no colour.

    Basic terms stand for themselves; "light"/"dark"/… modifiers are dropped; :data:`COLOR_WORDS`
    and CSS colour names (through :func:`svgkit.color_name`) cover the rest.

    Examples
    --------
    >>> color_term("Grey"), color_term("dark green"), color_term("crimson"), color_term("plaid")
    ('gray', 'green', 'red', None)
    """
    words = [w for w in str(word).strip().lower().replace("-", " ").split()
             if w not in _COLOR_MODIFIERS]
    if not words:
        return None
    text = " ".join(words)
    if text in svgkit.COLOR_TERMS:
        return text
    if text in COLOR_WORDS:
        return COLOR_WORDS[text]
    try:
        return svgkit.color_name(text.replace(" ", ""))
    except (ValueError, TypeError):
        return None


def shape_matches(word: str, shape: Mapping[str, Any]) -> bool | None:
    """Whether a silhouette (``facts["objects"][i]["shape"]``) has the shape a word asks for.

    ``None`` when the word is not a shape this checks (:data:`SHAPE_WORDS`). Square and
    rectangle need rectangularity ≥ 0.9 (square also an aspect ratio within 1 ± 0.15); circle,
    round and oval need an ellipse fit ≥ 0.9 and an aspect within 1 ± 0.15 (circle), up to 1.5
    (round), or beyond 1 ± 0.15 (oval); triangle needs triangularity ≥ 0.8.

    Examples
    --------
    >>> disc = {"aspect_ratio": 1.0, "rectangularity": 0.79, "ellipse_fit": 0.98,
    ...         "triangularity": 0.41}
    >>> shape_matches("round", disc), shape_matches("square", disc), shape_matches("heart", disc)
    (True, False, None)
    """
    family = SHAPE_WORDS.get(str(word).strip().lower())
    if family is None:
        return None
    aspect = shape.get("aspect_ratio") or 0.0
    elong = max(aspect, 1.0 / aspect) if aspect > 0 else math.inf
    rect = shape.get("rectangularity") or 0.0
    ellipse = shape.get("ellipse_fit") or 0.0
    tri = shape.get("triangularity") or 0.0
    if family == "square":
        return rect >= RECT_FIT and elong <= 1.0 + ROUND_ASPECT
    if family == "rectangle":
        return rect >= RECT_FIT
    if family == "circle":
        return ellipse >= ELLIPSE_FIT and elong <= 1.0 + ROUND_ASPECT
    if family == "round":
        return ellipse >= ELLIPSE_FIT and elong <= ROUND_MAX_ASPECT
    if family == "oval":
        return ellipse >= ELLIPSE_FIT and elong > 1.0 + ROUND_ASPECT
    return tri >= TRIANGLE_FIT


class _Judge:
    """Checks of one spec against one drawing's facts."""

    def __init__(self, facts: Mapping[str, Any], floor: float, min_alpha: float) -> None:
        self.facts = facts
        canvas = float(facts["canvas_area"])
        self.counted: list[Mapping[str, Any]] = []
        # binding checks that passed: (check position, objects that qualify, objects needed)
        self.bound: list[tuple[int, list[int], int]] = []
        self.last_good: tuple[list[int], int] | None = None
        self.rejected: list[tuple[Mapping[str, Any], str]] = []
        for o in facts["objects"]:
            if not o["name"]:
                continue
            why = _not_counted(o, canvas, floor, min_alpha)
            if why:
                self.rejected.append((o, why))
            else:
                self.counted.append(o)

    def of(self, noun: str) -> list[Mapping[str, Any]]:
        return [o for o in self.counted if noun_matches(noun, o["name"])]

    def missing(self, noun: str) -> str:
        """Why no object of ``noun`` counts."""
        near = [f"{o['label']} ({why})" for o, why in self.rejected
                if noun_matches(noun, o["name"])]
        if near:
            return f"no visibly drawn {noun!r}: " + "; ".join(near[:3])
        names = sorted({o["name"] for o in self.counted})
        return f"no object annotated {noun!r} is drawn" + (
            f" (drawn: {', '.join(names[:8])})" if names else "")

    def binding(self, req: ObjectRequirement, attrs: dict[str, str]) -> CheckResult:
        subject = " ".join([*attrs.values(), req.noun])
        if "texture" in attrs:
            return CheckResult("binding", subject, None, None,
                               f"texture {attrs['texture']!r} cannot be verified from geometry")
        wanted_color = color_term(attrs["color"]) if "color" in attrs else None
        if "color" in attrs and wanted_color is None:
            return CheckResult("binding", subject, None, None,
                               f"{attrs['color']!r} is not a colour svgkit can check")
        if "shape" in attrs and attrs["shape"].strip().lower() not in SHAPE_WORDS:
            return CheckResult("binding", subject, None, None,
                               f"shape {attrs['shape']!r} cannot be verified from geometry")
        candidates = self.of(req.noun)
        if not candidates:
            return CheckResult("binding", subject, False, 0.0, self.missing(req.noun))
        need = req.count if req.count else 1
        good, notes = [], []
        for o in candidates:
            ok = True
            if wanted_color is not None:
                colors = o["colors"]
                total = sum(a for _, a in colors) or 1.0
                dominant = colors[0][0] if colors else None
                if dominant != wanted_color:
                    ok = False
                    notes.append(f"{o['label']} is mostly {dominant} "
                                 f"({colors[0][1] / total:.0%})" if colors else
                                 f"{o['label']} has no visible colour")
            if ok and "shape" in attrs:
                if not shape_matches(attrs["shape"], o["shape"]):
                    ok = False
                    notes.append(f"{o['label']} looks {o['shape']['guess']}, not "
                                 f"{attrs['shape']}")
            if ok:
                good.append(o)
        if len(good) >= need:
            self.last_good = ([int(o["index"]) for o in good], need)
            labels = ", ".join(o["label"] for o in good[:3])
            return CheckResult("binding", subject, True, 1.0, f"{labels} matches")
        return CheckResult("binding", subject, False, 0.0, "; ".join(notes[:3]) or
                           f"{len(good)} of {need} match")

    def distinct(self, checks: list[CheckResult]) -> None:
        """Bindings that passed must be met by *different* objects ("a red apple and a green
        apple" needs two apples): a bipartite matching of required slots to objects; the
        checks whose slots cannot all be filled fail."""
        slots = [(pos, good) for pos, good, need in self.bound for _ in range(need)]
        owner: dict[int, int] = {}  # object index -> slot

        def place(k: int, seen: set[int]) -> bool:
            for obj in slots[k][1]:
                if obj in seen:
                    continue
                seen.add(obj)
                if obj not in owner or place(owner[obj], seen):
                    owner[obj] = k
                    return True
            return False

        unfilled = {slots[k][0] for k in range(len(slots)) if not place(k, set())}
        for pos in sorted(unfilled):
            c = checks[pos]
            checks[pos] = CheckResult(c.kind, c.subject, False, 0.0,
                                      "the objects that match are needed by other bindings "
                                      "(each binding needs its own object)")

    def count(self, req: ObjectRequirement) -> CheckResult:
        assert req.count is not None
        found = len(self.of(req.noun))
        want = req.count
        subject = f"{want} × {req.noun}"
        if want == 0:
            score = 1.0 if found == 0 else 0.0
        else:
            score = max(0.0, 1.0 - abs(found - want) / want)
        extra = ""
        skipped = [o["label"] for o, _ in self.rejected if noun_matches(req.noun, o["name"])]
        if skipped:
            extra = f" (not counted: {', '.join(skipped[:4])})"
        return CheckResult("count", subject, found == want, score,
                           f"{found} visibly drawn, {want} asked{extra}")

    def presence(self, req: ObjectRequirement) -> CheckResult:
        found = self.of(req.noun)
        if found:
            return CheckResult("presence", req.noun, True, 1.0,
                               f"{found[0]['label']} is drawn")
        return CheckResult("presence", req.noun, False, 0.0, self.missing(req.noun))

    def relation(self, rel: RelationRequirement) -> CheckResult:
        subject = f"{rel.a} {rel.relation} {rel.b}"
        key = relation_key(rel.relation)
        if key is None:
            return CheckResult("relation", subject, None, None,
                               f"{rel.relation!r} cannot be verified from geometry")
        a_objs, b_objs = self.of(rel.a), self.of(rel.b)
        for noun, objs in ((rel.a, a_objs), (rel.b, b_objs)):
            if not objs:
                return CheckResult("relation", subject, False, 0.0, self.missing(noun))
        seen: list[str] = []
        for a in a_objs:
            for b in b_objs:
                if a is b:
                    continue
                if self._holds(key, a, b):
                    return CheckResult("relation", subject, True, 1.0,
                                       f"{a['label']} {key} {b['label']}")
                words = [_PREDICATE_WORDS.get(p, p.replace("_", " "))
                         for p in self._predicates(a, b)]
                seen.append(f"{a['label']} is {' and '.join(words)} {b['label']}" if words
                            else f"{a['label']} is in no spatial relation to {b['label']}")
        return CheckResult("relation", subject, False, 0.0, "; ".join(seen[:3]) or
                           f"{rel.a} and {rel.b} are the same object")

    def _predicates(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
        entry = self.facts["relations"].get(f"{a['index']},{b['index']}")
        return list(entry[0]) if entry else []

    def _holds(self, key: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
        preds = set(self._predicates(a, b))
        if key == "on_top_of":  # SGP/T2I-CompBench read "on the top of" as above
            return bool({"on_top_of", "above"} & preds)
        if key == "on_bottom_of":
            return "below" in preds
        if key == "next_to":
            return bool({"left_of", "right_of"} & preds)
        if key == "near":
            return _gap(a["visible_bbox"], b["visible_bbox"]) <= (
                NEAR_DISTANCE * float(self.facts["diagonal"]))
        return key in preds


_PREDICATE_WORDS = {"overlaps": "overlapping", "contains": "around"}


def _gap(a: Sequence[float | None], b: Sequence[float | None]) -> float:
    """Distance between two boxes (0 when they touch or overlap)."""
    if any(v is None for v in (*a, *b)):
        return math.inf
    ax0, ay0, ax1, ay1 = (float(v) for v in a)  # type: ignore[arg-type]
    bx0, by0, bx1, by1 = (float(v) for v in b)  # type: ignore[arg-type]
    dx = max(0.0, bx0 - ax1, ax0 - bx1)
    dy = max(0.0, by0 - ay1, ay0 - by1)
    return math.hypot(dx, dy)


def _not_counted(o: Mapping[str, Any], canvas: float, floor: float, min_alpha: float) -> str:
    """Why an annotated object does not count as drawn ("" when it counts)."""
    if o["painted_area"] <= 0:
        return "nothing painted on the canvas"
    if o["shape_area"] <= 0 and o["visible_area"] > 0:
        return "only text or an image"
    if o["visible_area"] <= 0:
        return "fully hidden"
    if o["max_alpha"] < min_alpha:
        return f"transparent (alpha {o['max_alpha']:.2f})"
    if o["shape_area"] < floor * canvas:
        return f"too small ({o['shape_area'] / canvas:.2%} of the canvas visible)"
    return ""


def judge_composition(
    facts: Mapping[str, Any],
    spec: CompositionSpec | Mapping[str, Any] | str,
    *,
    floor: float = VISIBLE_FLOOR,
    min_alpha: float = MIN_ALPHA,
) -> CompositionResult:
    """Check a spec against a drawing's :func:`composition_facts`.

    Parameters
    ----------
    facts
        From :func:`composition_facts`.
    spec
        A spec in either format (see :func:`parse_spec`).
    floor, min_alpha
        Visibility integrity: an object counts only with a visible shape area of at least
        ``floor`` × canvas area and a layer at least ``min_alpha`` opaque.

    Returns
    -------
    CompositionResult

    Raises
    ------
    SpecError
        For a spec that cannot be read.
    """
    spec = parse_spec(spec)
    judge = _Judge(facts, float(floor), float(min_alpha))
    checks: list[CheckResult] = []
    if not facts["declared"]:
        reason = ("no object is annotated with a noun, so which shape is which object cannot "
                  "be decided (see OBJECT_INSTRUCTION)")
        n = sum(1 for _ in _planned(spec))
        checks = [CheckResult(kind, subject, None, None, reason) for kind, subject in
                  _planned(spec)] if n else [CheckResult("presence", "", None, None, reason)]
        return _result(spec, checks)
    unverifiable_minor = spec.minor_type in ("texture", "implicit")
    for req in spec.objects:
        attrs = req.attributes
        if req.count is not None:
            checks.append(judge.count(req))
        if attrs:
            judge.last_good = None
            checks.append(judge.binding(req, attrs))
            if judge.last_good is not None:
                judge.bound.append((len(checks) - 1, *judge.last_good))
        elif req.count is None and not _in_relation(spec.relations, req.noun):
            checks.append(judge.presence(req))
    if len(judge.bound) > 1:
        judge.distinct(checks)
    for rel in spec.relations:
        if spec.minor_type == "implicit":
            checks.append(CheckResult("relation", f"{rel.a} {rel.relation} {rel.b}", None, None,
                                      f"implicit relation {rel.relation!r} cannot be verified "
                                      "from geometry"))
        else:
            checks.append(judge.relation(rel))
    if unverifiable_minor and not any(c.passed is None for c in checks):
        checks.append(CheckResult(spec.minor_type, spec.prompt, None, None,
                                  f"{spec.minor_type} prompts cannot be verified from geometry"))
    return _result(spec, checks)


def _in_relation(relations: Iterable[RelationRequirement], noun: str) -> bool:
    return any(noun in (r.a, r.b) for r in relations)


def _planned(spec: CompositionSpec) -> Iterable[tuple[str, str]]:
    for req in spec.objects:
        if req.count is not None:
            yield "count", f"{req.count} × {req.noun}"
        if req.attributes:
            yield "binding", " ".join([*req.attributes.values(), req.noun])
    for rel in spec.relations:
        yield "relation", f"{rel.a} {rel.relation} {rel.b}"


def _result(spec: CompositionSpec, checks: Sequence[CheckResult], code: str = "OK",
            ) -> CompositionResult:
    decided = [c for c in checks if c.passed is not None]
    failed = [c for c in decided if not c.passed]
    undecided = [c for c in checks if c.passed is None]
    if failed:
        satisfied: bool | None = False
        reason = failed[0].reason
    elif undecided or not checks:
        satisfied = None
        reason = undecided[0].reason if undecided else "the spec asks for nothing checkable"
    else:
        satisfied = True
        reason = "all checks pass"
    scores = [c.score for c in decided if c.score is not None]
    return CompositionResult(
        satisfied=satisfied,
        score=sum(scores) / len(scores) if scores else None,
        checks=tuple(checks),
        code=code,
        reason=reason,
        spec_id=spec.id,
        major_type=spec.major_type,
        minor_type=spec.minor_type,
    )


def _failed_result(spec: CompositionSpec, code: str, message: str) -> CompositionResult:
    """A completion without a usable drawing fails every check."""
    reason = f"no usable drawing ({code}: {message})" if message else f"no usable drawing ({code})"
    checks = [CheckResult(kind, subject, False, 0.0, reason) for kind, subject in _planned(spec)]
    if not checks:
        checks = [CheckResult("presence", o.noun, False, 0.0, reason) for o in spec.objects]
    return _result(spec, checks, code)


# ---------------------------------------------------------------------------------------------
# one completion, a batch, a report
# ---------------------------------------------------------------------------------------------


def composition_request() -> AnalysisRequest:
    """What the checks need from each completion's analysis (the facts, no render)."""
    return AnalysisRequest(
        features=(("composition", "svgkit_rewards.functional.composition:composition_facts"),))


def _from_analysis(
    analysis: Analysis, spec: CompositionSpec, floor: float, min_alpha: float
) -> CompositionResult:
    facts = analysis.features.get("composition")
    if analysis.failed:
        return _failed_result(spec, analysis.code, analysis.message)
    if facts is None:
        error = analysis.feature_errors.get("composition", "not measured")
        return _failed_result(spec, "INTERNAL", error)
    result = judge_composition(facts, spec, floor=floor, min_alpha=min_alpha)
    if analysis.code == "EMPTY" and result.satisfied is None and not facts["declared"]:
        return _failed_result(spec, "EMPTY", "the drawing paints nothing")
    return result


def check_analysis(
    analysis: Analysis,
    spec: CompositionSpec | Mapping[str, Any] | str,
    *,
    floor: float = VISIBLE_FLOOR,
    min_alpha: float = MIN_ALPHA,
) -> CompositionResult:
    """:func:`check_composition` on an existing analysis (one made with
    :func:`composition_request` merged into its request), so a caller that already analysed
    the completion does not parse it again.

    Examples
    --------
    >>> from svgkit_rewards.analysis import analyze
    >>> a = analyze("<svg xmlns='http://www.w3.org/2000/svg' width='9' height='9'>"
    ...             "<circle id='cat' cx='4' cy='4' r='3'/></svg>", composition_request())
    >>> check_analysis(a, {"objects": [{"noun": "cat"}]}).satisfied
    True
    """
    return _from_analysis(analysis, parse_spec(spec), floor, min_alpha)


def check_composition(
    svg_or_completion: str,
    spec: CompositionSpec | Mapping[str, Any] | str,
    *,
    floor: float = VISIBLE_FLOOR,
    min_alpha: float = MIN_ALPHA,
) -> CompositionResult:
    """Check that a drawing shows what a spec asks for.

    Parameters
    ----------
    svg_or_completion
        SVG text or raw model output (the SVG is extracted as the reward engine does).
    spec
        An SGP-CompBench record, an svgkit spec (mapping or JSON text), or a
        :class:`CompositionSpec`.
    floor, min_alpha
        Visibility integrity thresholds (:data:`VISIBLE_FLOOR`, :data:`MIN_ALPHA`).

    Returns
    -------
    CompositionResult
        For a completion without a usable SVG every check fails, with the error code.

    Raises
    ------
    SpecError
        Only for a spec that cannot be read; model output never raises.

    Examples
    --------
    >>> r = check_composition("no drawing", {"objects": [{"noun": "cat", "count": 2}]})
    >>> r.satisfied, r.code
    (False, 'NO_SVG')
    """
    from ..analysis import analyze

    parsed = parse_spec(spec)
    return _from_analysis(analyze(svg_or_completion, composition_request()), parsed,
                          floor, min_alpha)


def composition_reward(
    completions: Sequence[Any],
    spec: Any = None,
    *,
    strict: bool = False,
    undecided: float | None = None,
    analyses: Sequence[Analysis] | None = None,
    floor: float = VISIBLE_FLOOR,
    min_alpha: float = MIN_ALPHA,
    **kwargs: Any,
) -> list[float | None]:
    """Compositional score of each completion against its spec (TRL-style batch function).

    Parameters
    ----------
    completions
        Raw completions.
    spec
        One spec per completion (the dataset column ``spec``), or one for all; records the
        checker cannot read score ``undecided``.
    strict
        1.0 only when every check passes (else 0.0), instead of the mean check score.
    undecided
        Value for a completion whose checks cannot be decided (``None``: "does not apply").
    analyses
        Precomputed analyses made with :func:`composition_request` (the engine passes them).
    floor, min_alpha
        Visibility integrity thresholds.
    **kwargs
        Other dataset columns, ignored.

    Returns
    -------
    list[float | None]
        In [0, 1].

    Examples
    --------
    >>> svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    ...        '<circle id="cat-1" cx="10" cy="10" r="6"/></svg>')
    >>> composition_reward([svg, svg], spec={"objects": [{"noun": "cat", "count": 2}]})
    [0.5, 0.5]
    >>> composition_reward([svg], spec={"objects": [{"noun": "cat", "count": 2}]}, strict=True)
    [0.0]
    """
    n = len(completions)
    specs = per_sample(spec, n, "spec") if not isinstance(spec, Mapping) else [spec] * n
    found = analyses_for(completions, analyses, composition_request())
    out: list[float | None] = []
    for analysis, item in zip(found, specs):
        result = _safe_result(analysis, item, floor, min_alpha)
        out.append(_value(result, strict, undecided))
    return out


def _safe_result(analysis: Analysis, spec: Any, floor: float, min_alpha: float,
                 ) -> CompositionResult | None:
    """The result, or ``None`` when the spec is missing or unreadable."""
    if spec is None:
        return None
    try:
        parsed = parse_spec(spec)
    except SpecError:
        return None
    return _from_analysis(analysis, parsed, floor, min_alpha)


def _value(result: CompositionResult | None, strict: bool, undecided: float | None,
           ) -> float | None:
    if result is None or (result.satisfied is None and result.score is None):
        return undecided
    if strict:
        if result.satisfied is None:
            return undecided
        return 1.0 if result.satisfied else 0.0
    return result.score if result.score is not None else undecided


@dataclass
class _Tally:
    n: int = 0
    undecided: int = 0
    score: float = 0.0
    satisfied: int = 0


def summarize_composition(results: Iterable[CompositionResult]) -> dict[str, Any]:
    """Aggregate results as SGP-CompBench reports them: per minor type, per major type, overall.

    ``score`` is the mean of the records' scores × 100 (0–100) and ``accuracy`` the share of
    records fully satisfied × 100, both over *decided* records; ``undecided`` counts the records
    geometry cannot decide (texture, implicit relations, unannotated drawings), which are left
    out of the means. A major type averages all its decided records (not its minor types).

    Examples
    --------
    >>> ok = CompositionResult(True, 1.0, (), major_type="numeracy", minor_type="basic")
    >>> half = CompositionResult(False, 0.5, (), major_type="numeracy", minor_type="basic")
    >>> summarize_composition([ok, half])["overall"]
    {'n': 2, 'undecided': 0, 'score': 75.0, 'accuracy': 50.0}
    """
    minor: dict[str, _Tally] = {}
    major: dict[str, _Tally] = {}
    overall = _Tally()
    for r in results:
        for tally in (minor.setdefault(r.minor_type, _Tally()),
                      major.setdefault(r.major_type, _Tally()), overall):
            tally.n += 1
            if r.score is None or (r.satisfied is None and not r.checks):
                tally.undecided += 1
                continue
            if r.satisfied is None:
                tally.undecided += 1
                continue
            tally.score += r.score
            tally.satisfied += bool(r.satisfied)

    def row(t: _Tally) -> dict[str, Any]:
        decided = t.n - t.undecided
        return {
            "n": t.n,
            "undecided": t.undecided,
            "score": round(100.0 * t.score / decided, 2) if decided else None,
            "accuracy": round(100.0 * t.satisfied / decided, 2) if decided else None,
        }

    order_minor = [m for m in MINOR_TYPES if m in minor] + sorted(set(minor) - set(MINOR_TYPES))
    order_major = [m for m in (*MAJOR_TYPES, "custom") if m in major] + sorted(
        set(major) - {*MAJOR_TYPES, "custom"})
    return {
        "minor": {m: row(minor[m]) for m in order_minor},
        "major": {m: row(major[m]) for m in order_major},
        "overall": row(overall),
    }

