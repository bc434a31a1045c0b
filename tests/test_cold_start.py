"""Cold start of the geometry kernels: where numba caches them, the notice before a long first
compile, and ``python -m svgkit.geometry --compile`` / ``svgkit warmup`` filling the cache.

The subprocess tests run a copy of the package made read-only (``chmod -R a-w``), found through
``PYTHONPATH``, with ``NUMBA_CACHE_DIR`` pointing at a fresh directory. They compile the kernels
twice in all (once on a first ``stats()``, once by the module form of the warm-up), about 15-40 s
of CPU each on a 2-core machine; everything else loads from those caches.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import svgkit
from svgkit.geometry import _compile
from svgkit.geometry.kernels import jit

REPO = Path(__file__).resolve().parents[1]
NOTICE = "svgkit: compiling"
TIMEOUT_S = 600

# the document: a rect, a translucent circle and a stroked open cubic path
DOC = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    '<rect width="50" height="50" fill="red"/>'
    '<circle cx="60" cy="60" r="20" fill="blue" opacity="0.5"/>'
    '<path d="M0 0 C10 10 20 0 30 30" stroke="green"/></svg>'
)

# first stats() + objects() of a process; counts the kernels numba compiles meanwhile
PROBE = f"""
import json, time
from numba.core import event
import svgkit
from svgkit.geometry import _compile
scene = svgkit.parse({DOC!r})
missing = _compile.missing_kernels()
with event.install_recorder("numba:compile") as rec:
    t = time.perf_counter()
    svgkit.stats(scene)
    svgkit.objects(scene)
    seconds = time.perf_counter() - t
compiled = sorted({{ev.data["dispatcher"].py_func.__qualname__ for _, ev in rec.buffer
                   if ev.is_start and "svgkit" in ev.data["dispatcher"].py_func.__module__}})
print(json.dumps({{"file": svgkit.__file__, "missing": missing, "compiled": compiled,
                  "seconds": seconds}}))
"""


def _read_only_copy(root: Path) -> Path:
    dest = root / "site"
    shutil.copytree(REPO / "svgkit", dest / "svgkit",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    for path in [dest, *dest.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return dest


def _make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("readonly")
    dest = _read_only_copy(root)
    yield dest
    _make_writable(dest)


def _env(site: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SVGKIT_COMPILE_JOBS", "SVGKIT_QUIET_COMPILE")}
    env.update(PYTHONPATH=str(site), NUMBA_CACHE_DIR=str(cache), PYTHONDONTWRITEBYTECODE="1")
    return env


def _run(args: list[str], site: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    # cwd outside the repository, so that `import svgkit` finds the read-only copy
    return subprocess.run([sys.executable, *args], cwd=site.parent, env=_env(site, cache),
                          capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


def _probe(site: Path, cache: Path) -> tuple[dict[str, object], str]:
    proc = _run(["-c", PROBE], site, cache)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def _kernel_caches(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.suffix in (".nbi", ".nbc")]


@pytest.mark.slow
def test_read_only_package_caches_in_numba_cache_dir_with_one_notice(
    site: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "numba-cache"
    first, err = _probe(site, cache)
    assert Path(str(first["file"])).is_relative_to(site)
    assert first["missing"], "the cache should start empty"
    assert err.count(NOTICE) == 1, err
    assert any(p.suffix == ".nbi" for p in _kernel_caches(cache))
    assert _kernel_caches(site) == []  # nothing written into the read-only package

    second, err = _probe(site, cache)
    # what the first stats() + objects() ran came from the cache; the kernels they do not run
    # (clip paths, shape descriptors) were not compiled for them
    assert second["compiled"] == []
    assert set(second["missing"]) <= set(_compile.ON_DEMAND), second["missing"]
    assert "svgkit.geometry.kernels.descriptors.runs_descriptor" in second["missing"]
    assert NOTICE not in err, err


@pytest.mark.slow
def test_module_form_of_the_warm_up_fills_the_cache(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"
    proc = _run(["-m", "svgkit.geometry", "--status"], site, cache)
    assert proc.returncode == 1 and "missing " in proc.stdout, proc.stdout + proc.stderr
    proc = _run(["-m", "svgkit.geometry", "--compile"], site, cache)
    assert proc.returncode == 0, proc.stderr
    assert "geometry kernels:" in proc.stdout and str(cache) in proc.stdout
    assert NOTICE not in proc.stderr
    proc = _run(["-m", "svgkit.geometry", "--status"], site, cache)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    after, err = _probe(site, cache)
    assert after["missing"] == [] and after["compiled"] == []
    assert NOTICE not in err, err
    # the CLI form finds the cache full and says so quickly (the renderer's warm-up skipped)
    proc = _run(["-m", "svgkit", "warmup", "--geometry-only", "--jobs", "1"], site, cache)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("geometry: ") and "kernels ready" in proc.stdout


def test_warmup_is_a_documented_cli_subcommand() -> None:
    from svgkit.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["warmup", "--jobs", "2", "--geometry-only"])
    assert args.jobs == 2 and args.geometry_only
    text = (REPO / "docs" / "geometry.md").read_text(encoding="utf-8")
    assert "svgkit warmup" in text and "python -m svgkit.geometry --compile" in text


def test_parallel_groups_keep_bundles_whole_and_cover_every_kernel() -> None:
    names = [e.name for e in jit.entries()]
    assert set(names) == set(_compile._BUNDLES)  # every kernel has a bundle and a cost
    for jobs in (1, 2, 3, 8):
        groups = _compile._groups(names, jobs)
        assert sorted(n for g in groups for n in g) == sorted(names)
        assert 1 <= len(groups) <= jobs
        for bundle in {b for b, _ in _compile._BUNDLES.values()}:
            members = {n for n, (b, _) in _compile._BUNDLES.items() if b == bundle}
            assert sum(bool(members & set(g)) for g in groups) <= 1


def test_each_entry_point_compiles_once_with_its_declared_signature() -> None:
    # callers convert their arrays to the declared types: a second specialisation would mean a
    # second compile on a cold cache (and a warm-up that misses it)
    docs = [
        DOC,
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">'
        '<defs><clipPath id="c"><circle cx="40" cy="40" r="30"/></clipPath>'
        '<clipPath id="d"><rect x="20" width="60" height="70"/></clipPath></defs>'
        '<g id="cat" clip-path="url(#c)"><rect width="90" height="60" fill="orange" '
        'clip-path="url(#d)" stroke="black" stroke-dasharray="4 2" stroke-linecap="round"/></g>'
        '<polygon points="10,10 50,70 90,10 30,50 70,50" fill="navy" fill-rule="evenodd" '
        'fill-opacity="0.6"/><text x="5" y="75" font-size="9">hi</text></svg>',
    ]
    for doc in docs:
        objs = svgkit.objects(doc)
        assert all(o.shape.guess for o in objs)
        svgkit.stats(doc, resolution=64)
        svgkit.relations(objs)
    used = [e for e in jit.entries() if e.dispatcher.signatures]
    assert len(used) == len(list(jit.entries()))
    for e in used:
        assert e.dispatcher.signatures == [e.signature], e.name


def test_a_helper_gets_plain_argument_types() -> None:
    # a literal argument (a counter starting at 0) must not compile a second specialisation
    from numba import types

    from svgkit.geometry.kernels import common

    keys = np.array([3.0, np.nan, 1.0, 2.0])
    _, _, args, _ = common.argsort.get_call_template(
        (types.Array(types.float64, 1, "C"), types.IntegerLiteral(0)), {})
    assert args[1] == types.int64
    assert common.argsort.py_func(keys, 4).tolist() == [2, 3, 0, 1]


@pytest.mark.parametrize(("needs", "extra"), [
    ((), set()),
    (("clips",), {"svgkit.geometry.kernels.raster.mask_runs"}),
    (("shapes", "clips"), set(_compile.ON_DEMAND)),
])
def test_a_first_call_compiles_what_every_call_runs_and_what_it_names(
    monkeypatch: pytest.MonkeyPatch, needs: tuple[str, ...], extra: set[str]
) -> None:
    everything = [e.name for e in jit.entries()]
    asked: list[list[str]] = []
    monkeypatch.setattr(_compile, "_ready", set())
    monkeypatch.setattr(_compile, "missing_kernels", lambda: list(everything))
    monkeypatch.setattr(_compile, "compile_kernels",
                        lambda jobs=None, names=None, lock=True: asked.append(list(names or [])))
    monkeypatch.setenv("SVGKIT_COMPILE_JOBS", "2")
    monkeypatch.setenv("SVGKIT_QUIET_COMPILE", "1")
    _compile.ensure_compiled(needs)
    every_call = {n for n in everything if n not in _compile.ON_DEMAND}
    assert [set(a) for a in asked] == [every_call | extra]
    _compile.ensure_compiled(needs)
    _compile.ensure_compiled(())
    assert len(asked) == 1  # met needs cost nothing more
    _compile.ensure_compiled("shapes")
    if "shapes" not in needs:  # a need met later compiles just its kernel
        assert asked[1:] == [["svgkit.geometry.kernels.descriptors.runs_descriptor"]]
    with pytest.raises(ValueError, match="needs"):
        _compile.ensure_compiled(("everything",))


def test_the_analysis_asks_for_the_clip_kernels_only_for_a_scene_with_clip_paths(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from svgkit.geometry import _analysis

    seen: list[tuple[str, ...]] = []
    monkeypatch.setattr(_analysis, "ensure_compiled", lambda needs=(): seen.append(tuple(needs)))
    svgkit.stats(DOC)
    svgkit.stats('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                 '<clipPath id="c"><rect width="5" height="5"/></clipPath>'
                 '<rect width="10" height="10" clip-path="url(#c)"/></svg>')
    assert seen == [(), ("clips",)]
