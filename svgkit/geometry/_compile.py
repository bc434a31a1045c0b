"""Compiling the geometry kernels before they are needed, and saying so when it happens.

Numba compiles a kernel the first time it is called and caches the machine code on disk (next to
the package, or under ``NUMBA_CACHE_DIR``; when the package directory is read-only numba falls
back to a per-user cache directory). With that cache empty — a new virtualenv, container, CI job
or cluster node — the first :func:`svgkit.stats` and :func:`svgkit.objects` of a process compile
their kernels: seconds to tens of seconds (``docs/geometry.md``, *Speed*). This module

* tells, once, on standard error, when a call is about to compile for a few seconds or more
  (:func:`ensure_compiled`, called by every analysis);
* compiles kernels together, split over several processes when the machine has the cores for
  it (:func:`compile_kernels`; ``svgkit warmup`` and ``python -m svgkit.geometry --compile``
  compile all of them, so that a Dockerfile or a job's first step pays the cost once).

The first analysis of a process with an empty cache compiles, in parallel the same way, the
kernels every ``stats`` and ``objects`` call runs (so the first ``objects`` call finds its
kernel ready), unless ``SVGKIT_COMPILE_JOBS=1`` asks for numba's usual lazy, in-process
compilation. The kernels only some calls run (:data:`ON_DEMAND`: clip paths, shape descriptors)
join that step when the call names them (the analysis of a scene with clip paths names
``"clips"``), and otherwise compile when first needed, in about two seconds each: a document
without clip paths, or a caller that never reads a shape, does not wait for them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from .kernels import jit

__all__ = [
    "NEEDS",
    "ON_DEMAND",
    "CompileReport",
    "cache_dirs",
    "compile_kernels",
    "ensure_compiled",
    "missing_kernels",
]

#: Environment variable: processes to compile with (1: lazily, in the calling process only).
JOBS_ENV = "SVGKIT_COMPILE_JOBS"
#: Environment variable: set to 1 to silence the notice printed before a long first compile.
QUIET_ENV = "SVGKIT_QUIET_COMPILE"
#: The notice is printed when the kernels to compile take about this many CPU seconds or more.
NOTICE_SECONDS = 3.0

# Entry points that share helpers compile together (a helper compiled in two processes costs
# twice: the run-set helpers of the raster pass and of `object_pass`, say); the numbers are
# single-core compile seconds measured on the development machine, each bundle alone in a fresh
# process less the process's start-up (docs/geometry.md, *Cold start*), used only to balance.
_BUNDLES: dict[str, tuple[str, float]] = {
    "svgkit.flatten._flatten_kernel": ("flatten", 1.0),
    "svgkit.geometry.kernels.area.primitive_geometry": ("area", 4.2),
    "svgkit.geometry.kernels.layers.make_layers": ("tables", 1.0),
    "svgkit.geometry.kernels.layers.scene_tables": ("tables", 2.2),
    "svgkit.geometry.kernels.stroke.build_layer_edges": ("stroke", 1.5),
    "svgkit.geometry.kernels.raster.rasterise_layers": ("raster", 6.9),
    "svgkit.geometry.kernels.raster.mask_runs": ("raster", 0.9),
    "svgkit.geometry.kernels.runs.runs_intersect": ("raster", 0.1),
    "svgkit.geometry.kernels.runs.runs_intersection": ("raster", 0.1),
    "svgkit.geometry.kernels.runs.object_pass": ("raster", 2.3),
    "svgkit.geometry.kernels.descriptors.runs_descriptor": ("descriptors", 1.7),
}

#: Kernels that only some calls run, by what needs them: ``"clips"`` (scenes with clip paths)
#: and ``"shapes"`` (:attr:`SceneObject.shape`). The first analysis of a process compiles the
#: kernels every analysis runs, and these only when asked (:func:`ensure_compiled`), so a first
#: ``stats`` + ``objects`` waits only for what it runs.
ON_DEMAND: dict[str, str] = {
    "svgkit.geometry.kernels.raster.mask_runs": "clips",
    "svgkit.geometry.kernels.descriptors.runs_descriptor": "shapes",
}
#: What :func:`ensure_compiled` is asked for besides the kernels every analysis runs.
NEEDS = frozenset(ON_DEMAND.values())
_EVERY_CALL = ""

_ready: set[str] = set()  # needs (and _EVERY_CALL) whose kernels were compiled or found cached
_check_lock = threading.Lock()  # a second thread's first analysis waits for the first's compile


@dataclass(frozen=True)
class CompileReport:
    """What :func:`compile_kernels` did: the entry points it compiled or loaded (``compiled``),
    the processes it used (``jobs``), the seconds it took and where numba caches them."""

    compiled: tuple[str, ...]
    jobs: int
    seconds: float
    cache_dirs: tuple[str, ...]


def missing_kernels() -> list[str]:
    """Kernels (dotted names) with no machine code in numba's cache for this machine and source,
    found without compiling anything."""
    return jit.missing()


def cache_dirs() -> list[str]:
    """The directories numba caches the geometry kernels in (one per source directory)."""
    out: list[str] = []
    for e in jit.entries():
        try:
            path = str(e.dispatcher._cache._cache_path)
        except AttributeError:  # pragma: no cover - numba's internals changed
            continue
        if path not in out:
            out.append(path)
    return out


def _jobs_from_env() -> int | None:
    value = os.environ.get(JOBS_ENV, "").strip()
    if not value:
        return None
    try:
        return max(1, int(value))
    except ValueError:
        return None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _groups(names: list[str], jobs: int) -> list[list[str]]:
    """Split entry points into ``jobs`` groups of similar cost, bundles kept whole (longest
    processing time first)."""
    bundles: dict[str, list[str]] = {}
    cost: dict[str, float] = {}
    for name in names:
        bundle, seconds = _BUNDLES.get(name, (name, 1.0))
        bundles.setdefault(bundle, []).append(name)
        cost[bundle] = cost.get(bundle, 0.0) + seconds
    groups: list[list[str]] = [[] for _ in range(max(1, min(jobs, len(bundles))))]
    load = [0.0] * len(groups)
    for bundle in sorted(bundles, key=lambda b: -cost[b]):
        k = load.index(min(load))
        groups[k].extend(bundles[bundle])
        load[k] += cost[bundle]
    # the calling process compiles the heaviest group: the others first have to start Python
    order = sorted(range(len(groups)), key=lambda k: -load[k])
    return [groups[k] for k in order if groups[k]]


def compile_kernels(
    jobs: int | None = None, names: list[str] | None = None, *, lock: bool = True
) -> CompileReport:
    """Compile (or load from numba's cache) the geometry kernels, so later calls start at once.

    Parameters
    ----------
    jobs
        Processes to compile in: the calling one and ``jobs - 1`` helpers, each compiling a
        share of the kernels into numba's cache, which the calling process then loads. Default:
        ``SVGKIT_COMPILE_JOBS``, else the CPUs this process may use (at most 4). A helper that
        fails only costs time: what it did not cache is compiled here.
    names
        Entry points to compile (dotted names, as :func:`missing_kernels` gives them); default
        all.
    lock
        Hold a lock file in numba's cache directory meanwhile, so that processes starting
        together (a pool's workers, a node's jobs) compile once and the others wait, then load.

    Returns
    -------
    CompileReport
    """
    start = time.perf_counter()
    wanted = [e for e in jit.entries() if names is None or e.name in names]
    if jobs is None:
        jobs = _jobs_from_env() or min(_cpus(), 4)
    used = 1
    with _cache_lock() if lock else contextlib.nullcontext():
        todo = [e.name for e in wanted if e.signature not in e.dispatcher.overloads]
        if lock:  # another process may have compiled them while we waited
            still = set(missing_kernels())
            todo = [name for name in todo if name in still]
        groups = _groups(todo, jobs) if jobs > 1 and len(todo) > 1 else [todo]
        helpers = [_spawn(group) for group in groups[1:]]
        used += sum(h is not None for h in helpers)
        for e in wanted:  # own group first, then what the helpers cached
            if e.name in groups[0]:
                e.dispatcher.compile(e.signature)
        for helper in helpers:
            if helper is not None:
                _wait(helper)
        for e in wanted:
            e.dispatcher.compile(e.signature)
    return CompileReport(tuple(e.name for e in wanted), used, time.perf_counter() - start,
                         tuple(cache_dirs()))


@contextlib.contextmanager
def _cache_lock(timeout_s: float = 900.0) -> Iterator[None]:
    """An exclusive lock on ``svgkit-compile.lock`` in numba's cache directory (best effort:
    without ``fcntl`` or a usable directory, or after ``timeout_s``, go on unlocked)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    dirs = cache_dirs()
    handle = None
    try:
        if dirs:
            Path(dirs[0]).mkdir(parents=True, exist_ok=True)
            handle = open(Path(dirs[0]) / "svgkit-compile.lock", "a+b")
    except OSError:
        handle = None
    if handle is None:
        yield
        return
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:  # pragma: no cover - a stuck compiler
                    break
                time.sleep(0.1)
            except OSError:  # pragma: no cover - a file system without locks
                break
        yield
    finally:
        handle.close()  # releases the lock


def _spawn(group: list[str]) -> subprocess.Popen[bytes] | None:
    """Start ``python -m svgkit.geometry --compile --only …`` for ``group``, in the directory
    holding this very package (so the helper imports the same code and caches where we load)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, JOBS_ENV: "1", QUIET_ENV: "1"}
    command = [sys.executable, "-m", "svgkit.geometry", "--compile", "--quiet",
               "--only", ",".join(group)]
    try:
        return subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None


def _wait(helper: subprocess.Popen[bytes], timeout_s: float = 900.0) -> None:
    try:
        helper.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:  # pragma: no cover - a stuck compiler
        helper.kill()
        helper.wait()


def ensure_compiled(needs: Collection[str] = ()) -> None:
    """Make sure the kernels a call is about to run are compiled, compiling them together now if
    numba's cache lacks them.

    Every analysis calls it; the first one of a process finds what the cache lacks among the
    kernels every analysis runs (``stats``' and ``objects``' alike) and among those ``needs``
    names, prints one line on standard error if they take a few seconds or more to compile
    (unless ``SVGKIT_QUIET_COMPILE=1``) and compiles them in parallel where there are CPUs to
    spare, under the cache's lock (so that processes starting together compile once). Later
    calls cost a set lookup, unless they name a need not met yet. With
    ``SVGKIT_COMPILE_JOBS=1`` numba compiles each kernel lazily instead, on its first call, in
    this process. Other threads wait for a compile in progress.

    Parameters
    ----------
    needs
        Kernels only some calls run (:data:`NEEDS`; one name or several): ``"clips"`` (scenes
        with clip paths) and ``"shapes"`` (:attr:`SceneObject.shape`). A caller that will read
        every object's shape (a reward built on shape checks) names ``"shapes"`` before its
        first analysis, so that kernel compiles in the same parallel step instead of on first
        access.

    Examples
    --------
    >>> from svgkit.geometry import ensure_compiled
    >>> ensure_compiled(("shapes",))  # before a first objects() whose shapes will all be read
    """
    wanted = {_EVERY_CALL, needs} if isinstance(needs, str) else {_EVERY_CALL, *needs}
    if wanted <= _ready:
        return
    unknown = wanted - NEEDS - {_EVERY_CALL}
    if unknown:
        raise ValueError(f"Expected `needs` among {sorted(NEEDS)}, but got {sorted(unknown)}")
    with _check_lock:
        todo = frozenset(wanted - _ready)
        if not todo:
            return
        try:
            _prepare(todo)
        finally:
            _ready.update(todo)


def _prepare(needs: frozenset[str]) -> None:
    missing = [name for name in missing_kernels() if ON_DEMAND.get(name, _EVERY_CALL) in needs]
    if not missing:
        return
    jobs = _jobs_from_env() or min(_cpus(), 4)
    seconds = sum(_BUNDLES.get(name, ("", 1.0))[1] for name in missing)
    quiet = os.environ.get(QUIET_ENV, "").strip().lower() in ("1", "true", "yes")
    if seconds >= NOTICE_SECONDS and not quiet:
        groups = len(_groups(missing, jobs)) if jobs > 1 else 1
        how = f"in {groups} processes" if groups > 1 else "in this process"
        print(
            f"svgkit: compiling {len(missing)} geometry kernels {how}, about {seconds:.0f} s of "
            f"CPU, once: numba's cache ({', '.join(cache_dirs()) or 'none'}) lacks them; "
            "`svgkit warmup` compiles them ahead of time",
            file=sys.stderr,
            flush=True,
        )
    if jobs > 1:
        compile_kernels(jobs=jobs, names=missing)
