"""render_many and RenderPool: isolation, order, recovery, reuse; the adversarial corpus renders
or fails cleanly."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from adversarial.corpus import CASES, load

import svgkit
from svgkit import ErrorCode, SVGKitError, render, render_many
from svgkit.renderer import pool as pool_module
from svgkit.renderer.pool import _KEEP_SHARED_BYTES, RenderPool, _Fault

NS = 'xmlns="http://www.w3.org/2000/svg"'


def shape_doc(k: int) -> str:
    return (
        f'<svg {NS} width="32" height="32"><rect x="{k}" y="2" width="8" height="20" '
        f'fill="rgb({10 * k},100,200)"/></svg>'
    )


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    with RenderPool(workers=2, memory_mb=1024, _test_hooks=True) as p:
        yield p


def codes(results: Sequence[object]) -> list[str]:
    return ["OK" if isinstance(r, np.ndarray) else r.code for r in results]  # type: ignore[attr-defined]


class TestRenderMany:
    def test_order_and_equality_with_render(self, pool: RenderPool) -> None:
        docs = [shape_doc(k) for k in range(12)]
        out = pool.render_many(docs, 32, 32)
        for d, img in zip(docs, out):
            assert isinstance(img, np.ndarray)
            assert np.array_equal(img, render(d, 32, 32))

    def test_mixed_items_and_parse_errors(self, pool: RenderPool) -> None:
        scene = svgkit.parse(shape_doc(3))
        items: list[object] = [
            shape_doc(1),
            "no svg",
            shape_doc(2).encode(),
            scene,
            "<svg",
            42,
            bytearray(shape_doc(4).encode()),
        ]
        out = pool.render_many(items, 32, 32)
        assert codes(out) == ["OK", "NO_SVG", "OK", "OK", "TRUNCATED", "BAD_INPUT", "OK"]
        assert np.array_equal(out[3], render(scene, 32, 32))  # type: ignore[arg-type]

    def test_hang_is_a_timeout_and_neighbours_render(self, pool: RenderPool) -> None:
        items = [shape_doc(1), _Fault("hang"), shape_doc(2), shape_doc(3)]
        t0 = time.monotonic()
        out = pool.render_many(items, 32, 32, timeout_s=1.5)
        assert time.monotonic() - t0 < 30
        assert codes(out) == ["OK", "RENDER_TIMEOUT", "OK", "OK"]
        assert np.array_equal(out[2], render(shape_doc(2), 32, 32))  # type: ignore[arg-type]

    def test_a_stopped_worker_is_a_timeout_and_the_pool_recovers(self, pool: RenderPool) -> None:
        # SIGSTOP mid-job: the worker neither answers nor dies, its pipe stays open
        items = [shape_doc(1), _Fault("stop"), shape_doc(2), shape_doc(3)]
        t0 = time.monotonic()
        out = pool.render_many(items, 32, 32, timeout_s=1.5)
        assert time.monotonic() - t0 < 30
        assert codes(out) == ["OK", "RENDER_TIMEOUT", "OK", "OK"]
        assert np.array_equal(out[2], render(shape_doc(2), 32, 32))  # type: ignore[arg-type]
        again = pool.render_many([shape_doc(k) for k in range(4)], 32, 32)
        assert codes(again) == ["OK"] * 4

    def test_crash_is_reported_and_the_pool_recovers(self, pool: RenderPool) -> None:
        items = [shape_doc(1), _Fault("crash"), shape_doc(2), _Fault("crash"), shape_doc(5)]
        out = pool.render_many(items, 32, 32)
        assert codes(out) == ["OK", "RENDER_CRASH", "OK", "RENDER_CRASH", "OK"]
        assert "SIGABRT" in out[1].message  # type: ignore[union-attr]
        again = pool.render_many([shape_doc(k) for k in range(4)], 32, 32)
        assert codes(again) == ["OK"] * 4

    def test_a_worker_killed_while_idle_costs_no_item(self, pool: RenderPool) -> None:
        pool.render_many([shape_doc(k) for k in range(2)], 16, 16)
        for w in pool._workers:
            os.kill(w.proc.pid, signal.SIGKILL)  # killed between batches, seen alive for a while
        out = pool.render_many([shape_doc(k) for k in range(4)], 16, 16)
        assert codes(out) == ["OK"] * 4

    def test_an_item_that_kills_every_worker_it_meets_is_still_reported(
        self, pool: RenderPool
    ) -> None:
        # sent once more after the first death, it kills a second worker and gets the error
        out = pool.render_many([_Fault("crash"), shape_doc(1)], 8, 8)
        assert codes(out) == ["RENDER_CRASH", "OK"]
        assert codes(pool.render_many([shape_doc(k) for k in range(3)], 8, 8)) == ["OK"] * 3

    def test_memory_cap(self, pool: RenderPool) -> None:
        out = pool.render_many([_Fault("oom"), shape_doc(1)], 32, 32, timeout_s=30)
        assert codes(out) == ["RENDER_MEMORY", "OK"]

    def test_unexpected_exception_is_internal(self, pool: RenderPool) -> None:
        assert codes(pool.render_many([_Fault("raise")], 8, 8)) == ["INTERNAL"]

    def test_workers_are_reused_across_calls(self, pool: RenderPool) -> None:
        pool.render_many([shape_doc(k) for k in range(4)], 32, 32)
        pids = [w.proc.pid for w in pool._workers]
        pool.render_many([shape_doc(k) for k in range(4)], 32, 32)
        assert [w.proc.pid for w in pool._workers] == pids

    def test_fault_items_need_test_hooks(self) -> None:
        with RenderPool(workers=1) as plain:
            assert codes(plain.render_many([_Fault("crash"), shape_doc(1)], 8, 8)) == [
                "BAD_INPUT",
                "OK",
            ]

    def test_errors_pickle_with_their_code(self, pool: RenderPool) -> None:
        (err,) = pool.render_many(["nope"], 8, 8)
        assert isinstance(err, SVGKitError)
        again = pickle.loads(pickle.dumps(err))
        assert again.code == ErrorCode.NO_SVG.value and again.message == err.message

    def test_out_buffer_receives_the_pixels(self, pool: RenderPool) -> None:
        docs = [shape_doc(1), "bad", shape_doc(2)]
        out = np.full((3, 32, 32, 4), 7, dtype=np.uint8)
        res = pool.render_many(docs, 32, 32, out=out)
        assert codes(res) == ["OK", "NO_SVG", "OK"]
        assert res[0].base is out or np.shares_memory(res[0], out)  # type: ignore[union-attr]
        assert np.array_equal(out[0], render(shape_doc(1), 32, 32))
        assert np.array_equal(out[2], render(shape_doc(2), 32, 32))
        assert (out[1] == 7).all()  # a failed item's slot is left as it was
        with pytest.raises(ValueError, match="`out`"):
            pool.render_many(docs, 32, 32, out=np.zeros((2, 32, 32, 4), np.uint8))

    def test_empty_batch(self, pool: RenderPool) -> None:
        assert pool.render_many([], 8, 8) == []

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [({"timeout_s": 0}, "timeout_s"), ({"background": "nope"}, "background")],
    )
    def test_argument_errors(self, pool: RenderPool, kwargs: dict[str, object], match: str) -> None:
        with pytest.raises(ValueError, match=match):
            pool.render_many([shape_doc(1)], 8, 8, **kwargs)  # type: ignore[arg-type]

    def test_bad_pool_arguments(self) -> None:
        with pytest.raises(ValueError, match="workers"):
            RenderPool(workers=0)
        with pytest.raises(ValueError, match="memory_mb"):
            RenderPool(workers=1, memory_mb=-1)

    def test_closed_pool_refuses(self) -> None:
        p = RenderPool(workers=1)
        p.close()
        with pytest.raises(RuntimeError, match="closed"):
            p.render_many([shape_doc(1)], 8, 8)


def _largest_shared_mapping(pid: int) -> int:
    """Bytes of the largest result file (shared memory) that process ``pid`` maps; 0 without
    ``/proc``."""
    largest = 0
    try:
        with open(f"/proc/{pid}/maps") as fh:
            for line in fh:
                if "svgkit-render-" in line:
                    lo, hi = (int(a, 16) for a in line.split()[0].split("-"))
                    largest = max(largest, hi - lo)
    except OSError:
        pass
    return largest


def _wait_large_files_unmapped(p: RenderPool) -> None:
    """An idle worker unmaps a large result file (right after its reply, so allow a moment)."""
    pids = [w.proc.pid for w in p._workers if w.proc is not None]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if all(_largest_shared_mapping(pid) <= _KEEP_SHARED_BYTES for pid in pids):
            return
        time.sleep(0.05)
    raise AssertionError("a worker still maps a large result file after its batch")


class TestSharedResultMemory:
    """Issue 11: the shared result file is sized to the batch, released after it, and not counted
    against a worker's ``memory_mb``."""

    def test_large_results_do_not_use_the_memory_budget_or_linger(self) -> None:
        # 3000 x 3000 RGBA is 36 MB: two slots (72 MB) alone exceed a 64 MB budget, one cairo
        # surface does not
        big = (
            f'<svg {NS} width="10" height="10"><rect x="5" width="5" height="10" fill="red"/></svg>'
        )
        with RenderPool(workers=2, memory_mb=64) as p:
            for use_out in (False, True):
                buf = np.zeros((2, 3000, 3000, 4), np.uint8) if use_out else None
                res = p.render_many([big, big], 3000, 3000, out=buf)
                assert codes(res) == ["OK", "OK"]
                for img in res:
                    assert isinstance(img, np.ndarray)
                    assert img[1500, 2999].tolist() == [255, 0, 0, 255]
                    assert img[1500, 0].tolist() == [0, 0, 0, 0]
                del res, buf, img
                # the large file is gone after the batch, in the parent and in the workers
                assert all(w.results.size <= _KEEP_SHARED_BYTES for w in p._workers)
                _wait_large_files_unmapped(p)
                for size in (512, 1024):
                    docs = [shape_doc(k) for k in range(8)]
                    buf = np.zeros((8, size, size, 4), np.uint8) if use_out else None
                    res = p.render_many(docs, size, size, out=buf)
                    assert codes(res) == ["OK"] * 8
                    assert np.array_equal(res[3], render(docs[3], size, size))  # type: ignore[arg-type]
                    del res, buf

    def test_no_room_for_a_shared_file_sends_pixels_through_the_pipe(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # a /dev/shm smaller than the file (64 MB in a default Docker container): the space is
        # reserved up front, so the pool learns it cannot use the file before any worker writes
        def no_space(fd: int, offset: int, length: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "posix_fallocate", no_space)
        before = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
        docs = [shape_doc(k) for k in range(4)]
        with RenderPool(workers=1) as p:
            res = p.render_many(docs, 64, 64)
            assert codes(res) == ["OK"] * 4
            assert np.array_equal(res[2], render(docs[2], 64, 64))  # type: ignore[arg-type]
            assert all(w.results.map is None for w in p._workers)
        after = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
        assert not {f for f in after - before if f.startswith("svgkit-render-")}

    def test_results_share_one_batch_file_and_outlive_the_call(self) -> None:
        # without out=, workers render straight into one file per call and the results are
        # views of it: nothing copied, nothing left in /dev/shm or in a worker afterwards
        docs = [shape_doc(k) for k in range(12)]
        with RenderPool(workers=2) as p:
            first = p.render_many(docs, 96, 96)
            firsts = [np.array(img) for img in first]
            second = p.render_many(list(reversed(docs)), 96, 96)
            for k, img in enumerate(first):  # untouched by the next call
                assert np.array_equal(img, firsts[k])
                assert np.array_equal(img, render(docs[k], 96, 96))  # type: ignore[arg-type]
                assert np.array_equal(second[11 - k], img)  # type: ignore[arg-type]
            assert isinstance(first[0], np.ndarray) and first[0].flags.writeable
            again = pickle.loads(pickle.dumps(first[3]))
            assert np.array_equal(again, firsts[3])
            if os.path.isdir("/dev/shm"):
                assert not [f for f in os.listdir("/dev/shm") if f.startswith("svgkit-batch-")]
                for w in p._workers:
                    assert w.proc is not None
                    with open(f"/proc/{w.proc.pid}/maps") as fh:
                        assert "svgkit-batch-" not in fh.read()

    def test_a_call_too_large_for_a_batch_file_copies_from_the_slots(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(pool_module, "_BATCH_FILE_MAX_BYTES", 4096)
        docs = [shape_doc(k) for k in range(5)]
        with RenderPool(workers=2) as p:
            res = p.render_many(docs, 64, 64)
            assert codes(res) == ["OK"] * 5
            assert all(np.array_equal(r, render(d, 64, 64)) for r, d in zip(res, docs))  # type: ignore[arg-type]

    @pytest.mark.slow
    def test_maximum_size_then_ordinary_batches(self) -> None:
        """The documented maximum (16384 x 16384, 1 GiB of pixels) under the default pool and
        its default memory cap, then ordinary batches on the same workers."""
        doc = (
            f'<svg {NS} width="100" height="100">'
            '<rect x="25" y="25" width="50" height="50" fill="red"/></svg>'
        )
        (img,) = render_many([doc], 16384, 16384, workers=2, timeout_s=300)
        assert isinstance(img, np.ndarray) and img.shape == (16384, 16384, 4)
        for y, x in [(8192, 8192), (4096, 4096), (12287, 12287), (4096, 12287)]:
            assert img[y, x].tolist() == [255, 0, 0, 255], (y, x)
        for y, x in [(0, 0), (4095, 8192), (8192, 12288), (16383, 16383)]:
            assert img[y, x].tolist() == [0, 0, 0, 0], (y, x)
        del img  # 1 GiB
        for size in (512, 1024):
            docs = [shape_doc(k) for k in range(8)]
            out = render_many(docs, size, size, workers=2)
            assert codes(out) == ["OK"] * 8
            assert np.array_equal(out[5], render(docs[5], size, size))  # type: ignore[arg-type]


def _double(x: int) -> int:
    return 2 * x


def _unpicklable(_: object) -> object:
    return lambda: None


def _render_size(doc: str) -> tuple[int, int]:
    return render(doc, 8, 4).shape[:2]  # type: ignore[return-value]


class TestMap:
    def test_results_in_order(self, pool: RenderPool) -> None:
        assert pool.map(_double, range(9)) == [2 * k for k in range(9)]
        assert pool.map(_render_size, [shape_doc(1)]) == [(4, 8)]

    def test_failures_cost_one_item_each(self, pool: RenderPool) -> None:
        items: list[object] = [1, _Fault("hang"), 2, _Fault("crash"), 3, "x", 4]
        results = pool.map(_double, items, timeout_s=2.0)
        got = [r.code if isinstance(r, SVGKitError) else r for r in results]
        assert got == [2, "RENDER_TIMEOUT", 4, "RENDER_CRASH", 6, "xx", 8]
        assert "task took longer" in results[1].message  # type: ignore[union-attr]

    def test_exceptions_and_unpicklable_results_are_internal(self, pool: RenderPool) -> None:
        results = pool.map(_double, [None, 5])
        assert isinstance(results[0], SVGKitError) and results[0].code == "INTERNAL"
        assert "TypeError" in results[0].message and results[1] == 10
        [bad] = pool.map(_unpicklable, [0])
        assert isinstance(bad, SVGKitError) and bad.code == "INTERNAL"
        assert pool.map(_double, [21]) == [42]  # the worker is still in service

    def test_svgkit_errors_pass_through(self, pool: RenderPool) -> None:
        [err] = pool.map(_render_size, ["no svg"])
        assert isinstance(err, SVGKitError) and err.code == "NO_SVG"

    def test_arguments(self, pool: RenderPool) -> None:
        assert pool.map(_double, []) == []
        with pytest.raises(ValueError, match="timeout_s"):
            pool.map(_double, [1], timeout_s=0)
        with pytest.raises(TypeError, match="callable"):
            pool.map(3, [1])  # type: ignore[arg-type]


def test_module_level_render_many_shared_pool() -> None:
    out = render_many([shape_doc(1), "bad"], 16, 16, workers=1)
    assert codes(out) == ["OK", "NO_SVG"]
    out = svgkit.render_many([shape_doc(2)], 16, 16, workers=1, background="white")
    assert isinstance(out[0], np.ndarray) and out[0][..., 3].min() == 255


def test_scene_pickles() -> None:
    scene = svgkit.parse(shape_doc(3))
    again = pickle.loads(pickle.dumps(scene))
    assert np.array_equal(render(scene, 32, 32), render(again, 32, 32))


@pytest.mark.slow
def test_adversarial_corpus_renders_or_fails_cleanly(pool: RenderPool) -> None:
    """Every hostile input yields pixels or a classified error, never a hang or a crash."""
    names = sorted(CASES)
    items = [load(CASES[n]) for n in names]
    budget = 30.0  # generous: a parse is bounded by Limits.time_budget_s, a render by its size
    out = pool.render_many(items, 128, 128, timeout_s=budget)
    for name, result in zip(names, out):
        if isinstance(result, SVGKitError):
            assert result.code not in ("RENDER_TIMEOUT", "RENDER_CRASH", "INTERNAL"), (name, result)
            expected = {o.code for o in CASES[name].expect}
            assert result.code in expected or result.code in ("RENDER_ERROR", "RENDER_MEMORY"), (
                name,
                result,
            )
        else:
            assert isinstance(result, np.ndarray) and result.shape == (128, 128, 4), name


# ---------------------------------------------------------------------------------------------
# scripts: workers import the main script again (forkserver/spawn)
# ---------------------------------------------------------------------------------------------

_SCRIPT = """
import svgkit
out = svgkit.render_many(['<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>'], 8, 8)
print("RESULT", [getattr(o, "code", "OK") for o in out])
"""


def test_a_script_on_stdin_can_render_many() -> None:
    proc = subprocess.run(
        [sys.executable, "-"], input=_SCRIPT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "RESULT ['OK']" in proc.stdout


def test_a_script_without_a_main_guard_gets_one_clear_message(tmp_path: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(_SCRIPT)
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert proc.returncode != 0
    assert "UnguardedMainError" in proc.stderr
    assert 'if __name__ == "__main__":' in proc.stderr
    # the workers leave quietly: one traceback, the caller's, not one per worker
    assert proc.stderr.count("Traceback") == 1
