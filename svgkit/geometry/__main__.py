"""``python -m svgkit.geometry --compile``: fill numba's cache with the geometry kernels.

Run it where the first :func:`svgkit.stats` would otherwise compile them — a Dockerfile step
after installing the package, a CI job's or a cluster node's first step::

    python -m svgkit.geometry --compile            # all CPUs this process may use, at most 4
    python -m svgkit.geometry --compile --jobs 1   # in this process only
    python -m svgkit.geometry --status             # what is cached, and where

``svgkit warmup`` does the same and also warms the renderer. With a read-only package directory
set ``NUMBA_CACHE_DIR`` to a writable directory, the same for the step and for the jobs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._compile import cache_dirs, compile_kernels, missing_kernels

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m svgkit.geometry",
        description="Compile the geometry kernels into numba's cache ahead of their first use.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--compile", action="store_true", help="compile (or load) every kernel")
    action.add_argument("--status", action="store_true",
                        help="list the kernels numba's cache lacks; exit 1 when any")
    parser.add_argument("--jobs", type=int, default=None,
                        help="processes to compile in (default: the CPUs, at most 4)")
    parser.add_argument("--only", default=None, help=argparse.SUPPRESS)  # helpers' share
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.status:
        missing = missing_kernels()
        for name in missing:
            print(f"missing {name}")
        print(f"cache: {', '.join(cache_dirs())}")
        return 1 if missing else 0
    names = [n for n in args.only.split(",") if n] if args.only else None
    # a helper compiling its share for a parent: the parent holds the cache's lock
    report = compile_kernels(jobs=args.jobs, names=names, lock=names is None)
    if not args.quiet:
        print(f"geometry kernels: {len(report.compiled)} ready in {report.seconds:.1f} s "
              f"({report.jobs} process{'es' if report.jobs > 1 else ''}); numba cache: "
              f"{', '.join(report.cache_dirs)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
