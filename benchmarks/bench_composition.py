"""Compositional checks: accuracy per category on the labelled set, and checks per second.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_composition.py [--repeat 3] \
        [--cases benchmarks/data/composition/cases.jsonl] \
        [--out benchmarks/results/composition.json]

Every case of the labelled set (``benchmarks/data/composition/``, labels by construction) goes
through :func:`svgkit_rewards.check_composition` and its ``satisfied`` is compared with the
label: ``true``/``false`` for checkable cases, ``null`` for the ones geometry cannot decide.
The table reports, per category and per kind (satisfied, violated, near miss, unverifiable,
hack), how many cases were answered as labelled; the mismatches are listed with the checker's
reason.

Speed is measured warm (numba compiled, one pass made first), in one process:

* **end to end**: ``check_composition`` per case (extract, parse, objects and relations,
  judge) — what a reward pays per completion;
* **judge only**: :func:`judge_composition` on facts measured beforehand — what each extra
  spec costs once a drawing is measured (the engine measures once per completion).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import svgkit  # noqa: E402
from svgkit_rewards.functional.composition import (  # noqa: E402
    check_composition,
    composition_facts,
    judge_composition,
)

CASES = HERE / "data" / "composition" / "cases.jsonl"


def load_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def case_input(case: dict[str, Any]) -> str:
    return str(case.get("completion") or case["svg"])


def evaluate(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Run every case once; accuracy per category and kind, and the mismatches."""
    by_cat: dict[str, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    mismatches = []
    for case in cases:
        result = check_composition(case_input(case), case["spec"])
        ok = result.satisfied == case["expected"]
        checkable = case["expected"] is not None
        for table, key in ((by_cat, case["category"]), (by_kind, case["kind"])):
            table[key]["n"] += 1
            table[key]["correct"] += ok
            table[key]["checkable"] += checkable
            table[key]["checkable_correct"] += ok and checkable
        if not ok:
            mismatches.append({"id": case["id"], "expected": case["expected"],
                               "got": result.satisfied, "reason": result.reason})

    def rows(table: dict[str, Counter[str]]) -> dict[str, Any]:
        return {k: {"n": v["n"], "correct": v["correct"],
                    "accuracy": round(100.0 * v["correct"] / v["n"], 2)}
                for k, v in sorted(table.items())}

    checkable = [c for c in cases if c["expected"] is not None]
    correct_checkable = sum(v["checkable_correct"] for v in by_cat.values())
    hacks = by_kind.get("hack", Counter())
    unverifiable = [c for c in cases if c["expected"] is None]
    return {
        "cases": len(cases),
        "checkable": len(checkable),
        "checkable_accuracy": round(100.0 * correct_checkable / max(1, len(checkable)), 2),
        "hacks_rejected": f"{hacks['correct']}/{hacks['n']}",
        "unverifiable_answered_none": (
            f"{sum(v['correct'] for k, v in by_cat.items() if k in ('texture', 'implicit', 'unannotated'))}"  # noqa: E501
            f"/{len(unverifiable)}"),
        "by_category": rows(by_cat),
        "by_kind": rows(by_kind),
        "mismatches": mismatches,
    }


def speed(cases: list[dict[str, Any]], repeat: int) -> dict[str, float]:
    """Checks per second, warm: end to end, and judging facts measured beforehand."""
    inputs = [(case_input(c), c["spec"]) for c in cases]
    for text, spec in inputs:  # warm-up: numba kernels, colour-name cache
        check_composition(text, spec)
    e2e = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text, spec in inputs:
            check_composition(text, spec)
        e2e.append(len(inputs) / (time.perf_counter() - t0))
    facts = []
    for c in cases:
        try:
            scene = svgkit.parse(svgkit.extract_svg(case_input(c)))
        except svgkit.SVGKitError:
            continue
        facts.append((composition_facts(scene), c["spec"]))
    judge = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for f, spec in facts:
            judge_composition(f, spec)
        judge.append(len(facts) / (time.perf_counter() - t0))
    return {"end_to_end_checks_per_s": round(statistics.median(e2e), 1),
            "judge_only_checks_per_s": round(statistics.median(judge), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "composition.json")
    args = parser.parse_args()
    cases = load_cases(args.cases)
    acc = evaluate(cases)
    rate = speed(cases, args.repeat)
    print(f"{acc['cases']} cases, {acc['checkable']} checkable: "
          f"{acc['checkable_accuracy']}% correct; hacks rejected {acc['hacks_rejected']}; "
          f"unverifiable answered None {acc['unverifiable_answered_none']}")
    print(f"\n{'category':<14}{'n':>5}{'correct':>9}{'accuracy':>10}")
    for k, row in acc["by_category"].items():
        print(f"{k:<14}{row['n']:>5}{row['correct']:>9}{row['accuracy']:>9.1f}%")
    print(f"\n{'kind':<14}{'n':>5}{'correct':>9}{'accuracy':>10}")
    for k, row in acc["by_kind"].items():
        print(f"{k:<14}{row['n']:>5}{row['correct']:>9}{row['accuracy']:>9.1f}%")
    for m in acc["mismatches"]:
        print(f"  MISMATCH {m['id']}: expected {m['expected']}, got {m['got']} — {m['reason']}")
    print(f"\nwarm, one process: {rate['end_to_end_checks_per_s']} checks/s end to end, "
          f"{rate['judge_only_checks_per_s']} checks/s judging measured facts")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "command": "python benchmarks/bench_composition.py",
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or
                    platform.machine()},
        "accuracy": acc,
        "speed": rate,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
