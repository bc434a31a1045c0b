"""svgkit-bench on a CompBench-sized run: 3,200 compositional prompts, pre-generated completions.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_runner.py [--prompts 3200] [--workers 2] \
        [--out benchmarks/results/bench_runner.json]

The suite and its completions are synthesised here, deterministically (seeded): SGP-CompBench
records in the proportions of its categories (colour, shape and texture binding; 2D, 3D and
implicit relations; numeracy) over COCO nouns, and one completion per prompt in the style of a
mid-quality model: annotated groups of shapes that meet the prompt about half the time, with
about one in ten completions truncated, without an SVG, or malformed. Nothing is rendered
twice: each completion is analysed once (parse, renders at 128 and 224 px, anti-hacking and
composition facts) in the engine's worker processes, then judged, then its thumbnail written.

Reported: wall time of the whole run (generation is reading the file), samples per second,
and the per-stage split (seconds summed over samples, from each analysis' own timings and the
scorer's stages), with the machine's description.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from svgkit_rewards.bench import SystemSource, load_suite, run_benchmark  # noqa: E402
from svgkit_rewards.bench.generate import PregeneratedGenerator  # noqa: E402
from svgkit_rewards.bench.scoring import MetricConfig  # noqa: E402

NOUNS = ["apple", "banana", "orange", "cat", "dog", "bird", "car", "bus", "boat", "chair",
         "cup", "bowl", "clock", "vase", "book", "kite", "umbrella", "bottle", "horse", "sheep",
         "cow", "elephant", "bear", "zebra", "giraffe", "pizza", "cake", "donut", "laptop",
         "teddy bear"]
COLORS = {"red": "#d62828", "blue": "#1d4ed8", "green": "#2a9d3f", "yellow": "#f4d000",
          "purple": "#7b2cbf", "orange": "#f77f00", "black": "#111111", "pink": "#f472b6",
          "brown": "#8b5a2b", "gray": "#888888"}
SHAPES = ["round", "square", "triangular", "rectangular", "oval"]
TEXTURES = ["wooden", "metallic", "fluffy", "glass", "striped"]
RELATIONS_2D = ["on the left of", "on the right of", "above", "below", "next to"]
RELATIONS_3D = ["in front of", "behind", "hidden by"]
IMPLICIT = ["holding", "looking at", "chasing", "riding"]
# SGP-CompBench-like proportions per minor type (sums to 1)
MIX = [("color", 0.15), ("shape", 0.10), ("texture", 0.10), ("2d_spatial", 0.20),
       ("3d_spatial", 0.15), ("implicit", 0.10), ("basic", 0.20)]


def article(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"


def make_record(i: int, minor: str, rng: random.Random) -> dict[str, Any]:
    a, b = rng.sample(NOUNS, 2)
    rid = f"{minor}-{i:05d}"
    if minor in ("color", "shape", "texture"):
        words = {"color": list(COLORS), "shape": SHAPES, "texture": TEXTURES}[minor]
        x, y = rng.sample(words, 2)
        key = {"color": "colors", "shape": "shapes", "texture": "textures"}[minor]
        return {"id": rid, "prompt": f"{article(x)} {x} {a} and {article(y)} {y} {b}",
                "gen_type": "svg", "major_type": "binding", "minor_type": minor,
                "metadata": {key: [x, y], "nouns": [a, b]}}
    if minor in ("2d_spatial", "3d_spatial", "implicit"):
        rel = rng.choice({"2d_spatial": RELATIONS_2D, "3d_spatial": RELATIONS_3D,
                          "implicit": IMPLICIT}[minor])
        return {"id": rid, "prompt": f"{article(a)} {a} {rel} {article(b)} {b}",
                "gen_type": "svg", "major_type": "relation", "minor_type": minor,
                "metadata": {"relation": rel, "nouns": [a, b]}}
    n_a, n_b = rng.randint(1, 4), rng.randint(1, 3)
    return {"id": rid, "prompt": f"{n_a} {a}s and {n_b} {b}s", "gen_type": "svg",
            "major_type": "numeracy", "minor_type": "basic",
            "metadata": {"total_count": n_a + n_b, "objects": [a, b],
                         "object_counts": [{"noun": a, "count": n_a},
                                           {"noun": b, "count": n_b}]}}


def shape(kind: str, x: float, y: float, s: float, fill: str) -> str:
    if kind == "round":
        return f'<circle cx="{x + s / 2:.1f}" cy="{y + s / 2:.1f}" r="{s / 2:.1f}" fill="{fill}"/>'
    if kind == "triangular":
        return (f'<polygon points="{x:.1f},{y + s:.1f} {x + s:.1f},{y + s:.1f} '
                f'{x + s / 2:.1f},{y:.1f}" fill="{fill}"/>')
    if kind == "oval":
        return (f'<ellipse cx="{x + s / 2:.1f}" cy="{y + s / 2:.1f}" rx="{s / 2:.1f}" '
                f'ry="{s / 3:.1f}" fill="{fill}"/>')
    h = s if kind == "square" else s * 0.6
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{s:.1f}" height="{h:.1f}" fill="{fill}"/>'


def group(noun: str, body: str, detail: str) -> str:
    return f'<g id="{noun.replace(" ", "-")}">{body}{detail}</g>'


def make_completion(rec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    meta, minor = rec["metadata"], rec["minor_type"]
    good = rng.random() < 0.55
    parts = ['<rect width="512" height="512" fill="#f5f5f0"/>']
    detail = '<path d="M10 10 q 8 -6 16 0 t 16 0" fill="none" stroke="#333" stroke-width="2"/>'
    if minor == "basic":
        x = 20.0
        for oc in meta["object_counts"]:
            n = oc["count"] if good else max(1, oc["count"] + rng.choice([-1, 1]))
            for k in range(n):
                parts.append(f'<g id="{oc["noun"].replace(" ", "-")}-{k + 1}">'
                             + shape("round", x, 200 + 30 * k % 90, 44, "#c0392b") + "</g>")
                x += 52
    elif minor in ("color", "shape", "texture"):
        attrs = meta.get("colors") or meta.get("shapes") or meta.get("textures")
        for j, noun in enumerate(meta["nouns"]):
            attr = attrs[j] if good else attrs[1 - j]
            fill = COLORS.get(attr, "#888888") if minor == "color" else "#3a6ea5"
            kind = attr if minor == "shape" else rng.choice(SHAPES)
            parts.append(group(noun, shape(kind, 60 + 220 * j, 180, 150, fill), detail))
    else:
        a, b = meta["nouns"]
        left_first = good or rng.random() < 0.3
        xa, xb = (60, 300) if left_first else (300, 60)
        parts.append(group(a, shape("round", xa, 200, 140, "#2a9d3f"), detail))
        parts.append(group(b, shape("square", xb, 200 + (40 if "3d" in minor else 0), 150,
                                    "#1d4ed8"), detail))
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" '
           'height="512">' + "".join(parts) + "</svg>")
    roll = rng.random()
    text = f"<think>Placing the objects of: {rec['prompt']}.</think> <answer>{svg}</answer>"
    finish = "stop"
    if roll < 0.04:
        text, finish = text[: len(text) // 2], "length"
    elif roll < 0.07:
        text = "I am sorry, I cannot draw that."
    elif roll < 0.10:
        text = text.replace("</g>", "</group>", 1)
    return {"id": rec["id"], "sample": 0, "completion": text, "finish_reason": finish,
            "completion_tokens": len(text) // 4}


def build(folder: Path, prompts: int, seed: int = 0) -> tuple[Path, Path]:
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    for minor, share in MIX:
        for _ in range(round(prompts * share)):
            records.append(make_record(len(records), minor, rng))
    records = records[:prompts]
    suite = folder / "compbench.json"
    suite.write_text(json.dumps(records))
    completions = folder / "model.jsonl"
    with completions.open("w") as fh:
        for rec in records:
            fh.write(json.dumps(make_completion(rec, rng)) + "\n")
    return suite, completions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=3200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "bench_runner.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        suite_path, completions = build(folder, args.prompts)
        suite = load_suite(suite_path)
        # warm the workers' numba caches on a small run first, so that the figure is steady state
        warm = run_benchmark(
            suite.__class__("warm", suite.prompts[:16], None),
            [SystemSource("model", PregeneratedGenerator(completions))], folder / "warm",
            config=MetricConfig(workers=args.workers, lpips=False), quiet=True)
        del warm
        t0 = time.perf_counter()
        summary = run_benchmark(
            suite, [SystemSource("model", PregeneratedGenerator(completions))], folder / "run",
            config=MetricConfig(workers=args.workers, lpips=False), quiet=True)
        wall = time.perf_counter() - t0
    system = summary["systems"][0]
    result = {
        "command": "python benchmarks/bench_runner.py " + " ".join(sys.argv[1:]),
        "machine": {"python": platform.python_version(), "processor": platform.processor(),
                    "cpus": __import__("os").cpu_count()},
        "prompts": args.prompts, "workers": args.workers,
        "wall_s": round(wall, 2), "samples_per_s": round(system["samples"] / wall, 1),
        "timings": summary["timings"],
        "validity": system["metrics"]["validity"],
        "composition": system["composition"]["overall"] if system["composition"] else None,
        "codes": system["codes"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
