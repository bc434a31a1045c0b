"""svgkit-bench's Ray backend against the local process pool, on the CompBench-sized run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_ray.py [--prompts 3200] [--cpus 2] \
        [--out benchmarks/results/ray.json]

The suite and its completions are ``bench_runner.py``'s (3,200 synthetic SGP-CompBench
prompts, one pre-generated completion each). Both backends score the same run in this one
process, after a small warm-up run each (numba caches, worker start): the local backend with
``--cpus`` analysis workers, the Ray backend on a local Ray instance of ``--cpus`` CPUs with one
actor per CPU. The script checks that both give the same records and summary, then reports the
wall times, their ratio, Ray's start-up, and the measured CPU seconds per sample that the
cluster projection in ``docs/scale-out.md`` starts from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_runner import build  # noqa: E402

from svgkit_rewards.bench import SystemSource, load_suite, run_benchmark  # noqa: E402
from svgkit_rewards.bench.generate import PregeneratedGenerator  # noqa: E402
from svgkit_rewards.bench.records import Suite  # noqa: E402
from svgkit_rewards.bench.runner import load_results  # noqa: E402
from svgkit_rewards.bench.scoring import MetricConfig  # noqa: E402


def comparable(run_dir: Path) -> tuple[dict[Any, Any], dict[str, Any]]:
    records = {(r["system"], r["id"], r["sample"]): {k: v for k, v in r.items() if k != "timings"}
               for r in load_results(run_dir)}
    summary = json.loads((run_dir / "summary.json").read_text())
    return records, {k: v for k, v in summary.items() if k not in ("timings", "created")}


def run(suite: Suite, completions: Path, out: Path, backend: str, cpus: int) -> float:
    options = {"num_actors": cpus} if backend == "ray" else None
    t0 = time.perf_counter()
    run_benchmark(suite, [SystemSource("model", PregeneratedGenerator(completions))], out,
                  config=MetricConfig(workers=cpus, lpips=False), quiet=True, html=False,
                  backend=backend, ray_options=options)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=3200)
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ray.json")
    args = parser.parse_args()
    import ray

    t0 = time.perf_counter()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
    ray_init_s = time.perf_counter() - t0
    walls: dict[str, float] = {}
    warm: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        suite_path, completions = build(folder, args.prompts)
        suite = load_suite(suite_path)
        small = Suite("warm", suite.prompts[:16], None)
        for backend in ("local", "ray"):
            # start-up: the first run's workers or actors compile / load numba's cache
            warm[backend] = run(small, completions, folder / f"warm-{backend}", backend,
                                args.cpus)
            walls[backend] = run(suite, completions, folder / backend, backend, args.cpus)
        local, remote = comparable(folder / "local"), comparable(folder / "ray")
        identical = local == remote
        summary = json.loads((folder / "local" / "summary.json").read_text())
    ray.shutdown()
    samples = summary["systems"][0]["samples"]
    result = {
        "command": "python benchmarks/bench_ray.py " + " ".join(sys.argv[1:]),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "ray": ray.__version__},
        "prompts": args.prompts, "samples": samples, "cpus": args.cpus,
        "identical_results": identical,
        "ray_init_s": round(ray_init_s, 2),
        "warmup_run_s": {k: round(v, 2) for k, v in warm.items()},
        "wall_s": {k: round(v, 2) for k, v in walls.items()},
        "samples_per_s": {k: round(samples / v, 1) for k, v in walls.items()},
        "ray_over_local": round(walls["ray"] / walls["local"], 3),
        # what one sample costs a CPU core, end to end (analysis, checks, thumbnails, I/O)
        "cpu_s_per_sample": {k: round(v * args.cpus / samples, 4) for k, v in walls.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if not identical:
        sys.exit("the Ray backend's results differ from the local backend's")


if __name__ == "__main__":
    main()
