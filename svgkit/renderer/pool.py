"""Persistent render workers: isolation from crashes, hangs and memory blow-ups, order kept.

Each worker is a process started once (``forkserver`` where the platform has it, so a replacement
forks from a warm, preloaded server in milliseconds; ``spawn`` elsewhere) that loops on a private
pipe: receive a job, render, reply. The parent keeps up to two jobs queued per worker (so a
worker never waits for the parent between items) and waits on all busy pipes at once
(``multiprocessing.connection.wait``) with the earliest deadline as timeout. A job's deadline
starts when the worker can start it (when it is sent to an idle worker, or when the job before
it returns).

* the job at the head of a worker's queue passes its deadline → the worker is killed (SIGKILL)
  and replaced: ``RENDER_TIMEOUT``; the job queued behind it is sent again to the new worker;
* the pipe reports end-of-file (segfault, abort, OOM killer) → worker replaced, the head job sent
  once more (a worker killed while idle looks alive for a few milliseconds, and a job sent into
  that window never started), and ``RENDER_CRASH`` with the exit code when it kills its worker a
  second time; the queued job is sent again;
* ``MemoryError`` under the worker's address-space cap (``RLIMIT_AS`` = its size after start-up
  plus ``memory_mb`` plus the shared result file it maps, Linux) → ``RENDER_MEMORY``, worker
  recycled;
* an :class:`SVGKitError` (parse error, ``RENDER_ERROR``) is that item's result.

Pixels travel through a file-backed shared mapping per worker (in ``/dev/shm`` where it exists),
sized to the batch: two slots, one per queued job, or one for results over
``_SINGLE_SLOT_BYTES``. The worker writes the RGBA result straight into a slot and sends a small
header; the parent copies the slot into the result array. A file over ``_KEEP_SHARED_BYTES`` is
removed after its batch and unmapped by the worker once it is idle. Results come back in input
order. Workers are daemonic, shut down by :meth:`RenderPool.close`, at interpreter exit, or when
the parent disappears (their pipe reaches end-of-file).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import itertools
import mmap
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ErrorCode, SVGKitError
from ..font_set import FontOptions, font_options
from ..limits import Limits
from ..scene import Scene
from .surface import Background, RenderSource, check_size, parse_background, render_checked

__all__ = ["RenderPool", "UnguardedMainError", "close_default_pool", "default_pool", "render_many"]

_STARTUP_TIMEOUT_S = 120.0
_PRELOAD = ["svgkit.renderer.warmup"]
_QUEUE_DEPTH = 2  # jobs in flight per worker (one running, one waiting)
#: A worker's result file at most this large is kept for the next batch; a larger one is removed
#: after its batch and the worker unmaps it as soon as it has nothing queued, so one large call
#: does not leave memory behind (in /dev/shm, and in every worker's address space).
_KEEP_SHARED_BYTES = 64 * 1024 * 1024
#: Results larger than this travel one at a time per worker (one slot, no second job queued): the
#: render takes far longer than the hand-over, and a second slot would double the shared memory.
_SINGLE_SLOT_BYTES = 256 * 1024 * 1024
_PIPELINE_MAX_BYTES = 32 * 1024  # larger items wait for an idle worker (a send must not block)
#: Largest batch file (every result of one call without ``out=``); a larger call copies its
#: results out of the per-worker slots instead.
_BATCH_FILE_MAX_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True)
class _Fault:
    """Test-only item that makes a worker misbehave; honoured only by pools built with
    ``_test_hooks=True`` (``kind``: ``hang``, ``stop`` (the worker sends itself ``SIGSTOP``),
    ``crash``, ``oom``, ``raise``)."""

    kind: str


@dataclass(frozen=True)
class _Call:
    """A :meth:`RenderPool.map` item: call ``fn(arg)`` in the worker and send back its result."""

    fn: Any
    arg: Any


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class _MemoryCap:
    """The worker's address-space cap (``RLIMIT_AS``, Linux): its size after start-up plus
    ``memory_mb``, plus the bytes of the shared result file it has mapped.

    The result file is the output the caller asked for, not memory the render uses: a
    16384 × 16384 result alone is 1 GiB (2 GiB for two slots), so counting it would turn the
    largest documented size into ``RENDER_MEMORY`` for a trivial document under the default
    ``memory_mb``. Mapping only the current job's slot would not be enough either (1 GiB of slot
    plus cairo's 1 GiB surface already fill 2048 MB). So the cap follows the mapping: it is raised
    by the file's size just before the worker maps it and lowered right after it unmaps it, and
    the render itself (cairo's surface, the parsed scene, the conversion) keeps exactly
    ``memory_mb``. Nothing the document controls changes the file's size: the parent sizes it
    from the checked output size.
    """

    def __init__(self, memory_mb: int) -> None:
        self.base: int | None = None
        if memory_mb <= 0 or not sys.platform.startswith("linux"):
            return
        self.base = _vm_bytes() + int(memory_mb) * 1024 * 1024
        self.set_shared(0)

    def set_shared(self, shared_bytes: int) -> None:
        """Cap at the base plus ``shared_bytes`` of mapped result file."""
        if self.base is None:
            return
        try:
            import resource

            cap = self.base + shared_bytes
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard != resource.RLIM_INFINITY:
                cap = min(cap, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        except (ImportError, OSError, ValueError):
            pass


def _fault(kind: str) -> None:
    if kind == "hang":
        while True:
            time.sleep(3600)
    if kind == "stop":
        os.kill(os.getpid(), signal.SIGSTOP)  # frozen mid-job; the parent's deadline kills it
    if kind == "crash":
        os.abort()
    if kind == "oom":
        hog = []
        while True:
            hog.append(np.empty(256 * 1024 * 1024, dtype=np.uint8))  # address space, not pages
    raise RuntimeError("fault injected by a test")


class _SharedSlots:
    """The worker's view of its result file (one or two slots), mapped while it is in use.

    ``cap`` is raised by the size of the mapping and lowered again when it is unmapped (see
    :class:`_MemoryCap`)."""

    def __init__(self, cap: _MemoryCap) -> None:
        self.cap = cap
        self.key: tuple[str, int, int] = ("", 0, -1)
        self.size = 0
        self.map: mmap.mmap | None = None

    def view(
        self,
        path: str,
        serial: int,
        size: int,
        offset: int,
        shape: tuple[int, int, int],
        window: bool = False,
    ) -> Any:
        """The ``shape`` array at ``offset`` in the file; with ``window``, only the ``size``
        bytes at ``offset`` (one result of a batch file) are mapped."""
        key = (path, serial, offset if window else -1)
        if key != self.key or size != self.size or self.map is None:
            self.release()
            self.cap.set_shared(size)  # raised first: the mapping must not fail on the cap
            try:
                with open(path, "r+b") as fh:
                    self.map = mmap.mmap(fh.fileno(), size, offset=offset if window else 0)
            except BaseException:
                self.cap.set_shared(0)
                raise
            self.key, self.size = key, size
        return np.ndarray(shape, dtype=np.uint8, buffer=self.map, offset=0 if window else offset)

    def release(self) -> None:
        """Unmap the file (the parent keeps its own mapping) and lower the cap again."""
        if self.map is not None:
            try:
                self.map.close()
            except BufferError:  # pragma: no cover - a view outlived its job: unmapped with it
                pass
            self.map = None
            self.key, self.size = ("", 0, -1), 0
            self.cap.set_shared(0)


def _worker_main(conn: Any, memory_mb: int, test_hooks: bool) -> None:
    """Worker loop (runs in the child process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        from . import warmup  # noqa: F401  (imports and compiles everything once)
    except BaseException as exc:  # pragma: no cover - a broken installation
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    cap = _MemoryCap(memory_mb)
    # everything imported so far lives as long as the worker: keep the collector off it
    gc.collect()
    gc.freeze()
    slots = _SharedSlots(cap)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        job, item, width, height, background, limits, repair, fonts, shm = pickle.loads(data)
        recycle = False
        out: Any = None
        try:
            if isinstance(item, _Fault):
                if not test_hooks:
                    raise SVGKitError(ErrorCode.BAD_INPUT, "fault items are for tests only")
                _fault(item.kind)
            if isinstance(item, _Call):
                if isinstance(item.arg, _Fault):
                    if not test_hooks:
                        raise SVGKitError(ErrorCode.BAD_INPUT, "fault items are for tests only")
                    _fault(item.arg.kind)
                reply: tuple[Any, ...] = (job, True, item.fn(item.arg))
            elif shm is not None:
                path, serial, size, offset, window = shm
                out = slots.view(path, serial, size, offset, (height, width, 4), window)
                # the parent checked the size and parsed the background once for the batch
                render_checked(
                    item, width, height, background, limits=limits, repair=repair, out=out,
                    fonts=fonts,
                )  # fmt: skip
                reply = (job, True, None)
            else:
                pixels = render_checked(
                    item, width, height, background, limits=limits, repair=repair, fonts=fonts
                )
                reply = (job, True, pixels)
        except SVGKitError as exc:
            recycle = exc.code == ErrorCode.RENDER_MEMORY.value
            reply = (job, False, exc)
        except MemoryError:
            recycle = True
            reply = (
                job,
                False,
                SVGKitError(ErrorCode.RENDER_MEMORY, "render exceeded the worker's memory cap"),
            )
        except RecursionError:
            reply = (
                job,
                False,
                SVGKitError(ErrorCode.RENDER_ERROR, "recursion limit while rendering"),
            )
        except Exception as exc:
            reply = (job, False, SVGKitError(ErrorCode.INTERNAL, f"{type(exc).__name__}: {exc}"))
        try:
            conn.send(reply)
        except MemoryError:
            recycle = True
            conn.send(
                (
                    job,
                    False,
                    SVGKitError(ErrorCode.RENDER_MEMORY, "result exceeded the worker's memory cap"),
                )
            )
        except (BrokenPipeError, OSError):
            return
        except Exception as exc:  # a map() result that cannot be pickled
            conn.send(
                (job, False, SVGKitError(ErrorCode.INTERNAL, f"result cannot be sent back: {exc}"))
            )
        if recycle:
            return  # the parent starts a fresh worker: no state survives a memory failure
        # drop every reference to the slot (an error's traceback holds the render's frames)
        del out, reply
        if shm is not None and shm[4]:
            slots.release()  # a batch file's window: the caller's array now, not ours
        elif slots.size > _KEEP_SHARED_BYTES:
            try:
                idle = not conn.poll(0)
            except (EOFError, OSError):
                return
            if idle:
                # a large file is removed after its batch: do not keep its pages alive here
                slots.release()


#: A worker that finds itself started by a script re-imported without a ``__main__`` guard exits
#: with this status before it does anything else, so the parent can say what to do.
_UNGUARDED_MAIN_EXIT = 86
UNGUARDED_MAIN_MESSAGE = (
    "render workers could not start: each worker process imports your main script again "
    "(multiprocessing's forkserver/spawn start), and the script calls render_many at import "
    "time. Put that call under `if __name__ == \"__main__\":`."
)


def _in_worker_bootstrap() -> bool:
    """Whether this process is a new worker still importing the parent's main script."""
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


@contextlib.contextmanager
def _main_hidden_if_unimportable() -> Iterator[None]:
    """Keep a main script that cannot be imported again (``python - < script``, ``python -c``
    leaves no file) out of what a new worker prepares: the worker needs nothing from it."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or getattr(main, "__spec__", None) is not None or path is None:
        yield
        return
    if os.path.isfile(path):
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        try:
            # effective only if no forkserver runs yet; the worker warms itself up otherwise
            ctx.set_forkserver_preload(_PRELOAD)
        except Exception:  # pragma: no cover
            pass
        return ctx
    return multiprocessing.get_context("spawn")


_FILE_SERIAL = itertools.count(1)


def _slot_bytes(result_bytes: int) -> int:
    """One result's room in a shared file: whole pages, so a worker can map it alone."""
    page = mmap.PAGESIZE
    return max(page, -(-result_bytes // page) * page)


def _shared_file(prefix: str, size: int) -> tuple[str, mmap.mmap] | None:
    """A new file of ``size`` bytes (in ``/dev/shm`` where it exists) and the parent's mapping of
    it; ``None`` when it cannot be made here (the caller then takes another path).

    The space is reserved now, not on first write: a ``/dev/shm`` smaller than the file (64 MB in
    a default Docker container) would otherwise kill a worker with SIGBUS mid-write, and its item
    would be lost as ``RENDER_CRASH``."""
    shm_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
    try:
        fd, path = tempfile.mkstemp(prefix=prefix, dir=shm_dir)
    except OSError:
        return None
    try:
        try:
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(fd, 0, size)
            else:  # pragma: no cover - not Linux
                os.ftruncate(fd, size)
            mapping = mmap.mmap(fd, size)
        finally:
            os.close(fd)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return None
    return path, mapping


class _ResultFile:
    """The parent's side of one worker's shared result file (``slots`` of ``slot_bytes``).

    Sized to the batch: a file is reused only while it is large enough and small
    (``_KEEP_SHARED_BYTES``) or of exactly the size asked for, and :meth:`release_if_large`
    removes a large one after its batch, so one maximum-size call leaves nothing for later
    batches (and later workers) to map."""

    def __init__(self) -> None:
        self.path = ""
        self.serial = 0  # tells a new file from an old one that had the same name
        self.size = 0
        self.slots = 0
        self.slot_bytes = 0
        self.map: mmap.mmap | None = None

    def ensure(self, result_bytes: int, slots: int) -> bool:
        """Make room for ``slots`` results of ``result_bytes``; ``False`` when shared files
        cannot be used here (the results then travel through the pipe)."""
        slot_bytes = _slot_bytes(result_bytes)
        size = slot_bytes * slots
        if (
            self.map is not None
            and self.slot_bytes >= slot_bytes
            and self.slots >= slots
            and (self.size <= _KEEP_SHARED_BYTES or self.size == size)
        ):
            return True
        self.close()
        made = _shared_file("svgkit-render-", size)
        if made is None:
            return False
        path, self.map = made
        self.path, self.serial, self.size = path, next(_FILE_SERIAL), size
        self.slots, self.slot_bytes = slots, slot_bytes
        return True

    def release_if_large(self) -> None:
        """Remove the file after a batch unless it is small enough to keep for the next one."""
        if self.size > _KEEP_SHARED_BYTES:
            self.close()

    def read(
        self, slot: int, shape: tuple[int, int, int], out: npt.NDArray[np.uint8] | None = None
    ) -> npt.NDArray[np.uint8]:
        """Copy slot ``slot`` into ``out`` (a fresh array when ``None``)."""
        assert self.map is not None
        view = np.ndarray(shape, dtype=np.uint8, buffer=self.map, offset=slot * self.slot_bytes)
        if out is None:
            fresh: npt.NDArray[np.uint8] = view.copy()
            return fresh
        np.copyto(out, view)
        return out

    def close(self) -> None:
        if self.map is not None:
            self.map.close()
            self.map = None
        if self.path:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            self.path = ""
        self.size = self.slots = self.slot_bytes = 0


class _BatchFile:
    """One shared file holding every result of a ``render_many`` call without ``out=``: each
    worker maps its item's window and renders straight into it, and the parent hands out views
    of its own mapping, so no result is copied (a copy into fresh memory cost the parent about
    1 ms a 512² result, CPU the workers need on a small machine). The file is unlinked after
    the call; its pages live as long as the returned arrays (all of one call share them)."""

    def __init__(self, path: str, mapping: mmap.mmap, slot_bytes: int) -> None:
        self.path = path
        self.map = mapping
        self.slot_bytes = slot_bytes
        self.serial = next(_FILE_SERIAL)

    @classmethod
    def create(cls, result_bytes: int, count: int) -> _BatchFile | None:
        """A file for ``count`` results, or ``None`` when it cannot be made here (too large,
        no room in shared memory): the call then uses the per-worker slots and copies."""
        slot_bytes = _slot_bytes(result_bytes)
        size = slot_bytes * count
        if size > _BATCH_FILE_MAX_BYTES or not os.path.isdir("/dev/shm"):
            return None
        made = _shared_file("svgkit-batch-", size)
        return None if made is None else cls(made[0], made[1], slot_bytes)

    def job(self, i: int) -> tuple[str, int, int, int, bool]:
        """What a worker needs to map item ``i``'s window."""
        return (self.path, self.serial, self.slot_bytes, i * self.slot_bytes, True)

    def result(self, i: int, shape: tuple[int, int, int]) -> npt.NDArray[np.uint8]:
        view: npt.NDArray[np.uint8] = np.ndarray(
            shape, dtype=np.uint8, buffer=self.map, offset=i * self.slot_bytes
        )
        return view

    def unlink(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)


class UnguardedMainError(RuntimeError):
    """The main script starts render workers at import time (no ``__main__`` guard)."""


class _Worker:
    __slots__ = ("proc", "conn", "ctx", "memory_mb", "test_hooks", "results", "queue", "deadline")

    def __init__(self, ctx: Any, memory_mb: int, test_hooks: bool) -> None:
        self.ctx = ctx
        self.memory_mb = memory_mb
        self.test_hooks = test_hooks
        self.proc: Any = None
        self.conn: Any = None
        self.results = _ResultFile()
        # jobs sent and not answered, oldest first: (item index, job id, slot or -1)
        self.queue: deque[tuple[int, int, int]] = deque()
        self.deadline = 0.0

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.is_alive()

    def launch(self) -> None:
        parent_conn, child_conn = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(
            target=_worker_main,
            args=(child_conn, self.memory_mb, self.test_hooks),
            daemon=True,
            name="svgkit-render",
        )
        with _main_hidden_if_unimportable():
            proc.start()
        child_conn.close()
        self.proc, self.conn = proc, parent_conn

    def await_ready(self, timeout: float) -> None:
        try:
            if not self.conn.poll(timeout):
                raise TimeoutError(f"render worker not ready after {timeout:.0f}s")
            msg = self.conn.recv()
        except (EOFError, OSError) as exc:
            unguarded = self.exitcode() == _UNGUARDED_MAIN_EXIT
            self.kill()
            if unguarded:
                raise UnguardedMainError(UNGUARDED_MAIN_MESSAGE) from None
            raise RuntimeError(f"render worker died while starting ({exc!r})") from None
        except TimeoutError:
            self.kill()
            raise
        if msg[0] != "ready":
            self.kill()
            raise RuntimeError(f"render worker failed to start: {msg[1]}")

    def exitcode(self) -> int | None:
        if self.proc is None:
            return None
        self.proc.join(timeout=2.0)
        return self.proc.exitcode  # type: ignore[no-any-return]

    def kill(self) -> None:
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(timeout=5.0)
            try:
                self.proc.close()
            except ValueError:
                pass
        if self.conn is not None:
            self.conn.close()
        self.proc, self.conn = None, None

    def stop(self) -> None:
        """Ask politely (end-of-work message), then kill; remove the result file."""
        if self.conn is not None and self.alive:
            try:
                self.conn.send_bytes(b"")
            except (BrokenPipeError, OSError):
                pass
            self.proc.join(timeout=1.0)
        self.kill()
        self.results.close()


def _shutdown(workers: list[_Worker]) -> None:
    for w in workers:
        try:
            w.stop()
        except Exception:  # pragma: no cover - best effort at exit
            pass


class RenderPool:
    """A set of persistent render worker processes.

    Parameters
    ----------
    workers
        Number of processes; default ``min(4, os.cpu_count())``.
    memory_mb
        Address-space budget of each worker beyond its size after start-up and the shared
        file its results go to (``RLIMIT_AS``, Linux only); an item that exceeds it yields
        ``RENDER_MEMORY``. Default 2048; ``0`` disables the cap.

    Examples
    --------
    >>> from svgkit.renderer.pool import RenderPool
    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><rect/></svg>'
    >>> with RenderPool(workers=1) as pool:
    ...     [r.shape for r in pool.render_many([svg, svg], 2, 2)]
    [(2, 2, 4), (2, 2, 4)]
    """

    def __init__(
        self, workers: int | None = None, *, memory_mb: int = 2048, _test_hooks: bool = False
    ) -> None:
        n = _default_workers() if workers is None else workers
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"Expected `workers` to be a positive int, but got {workers!r}")
        if not isinstance(memory_mb, int) or isinstance(memory_mb, bool) or memory_mb < 0:
            raise ValueError(
                f"Expected `memory_mb` to be a non-negative int, but got {memory_mb!r}"
            )
        self._ctx = _context()
        self._memory_mb = memory_mb
        self._test_hooks = bool(_test_hooks)
        self._workers: list[_Worker] = [
            _Worker(self._ctx, memory_mb, self._test_hooks) for _ in range(n)
        ]
        self._lock = threading.Lock()
        self._closed = False
        self._job = 0
        self._finalizer = weakref.finalize(self, _shutdown, self._workers)

    @property
    def workers(self) -> int:
        """Number of worker processes."""
        return len(self._workers)

    def _grow(self, n: int) -> None:
        while len(self._workers) < n:
            self._workers.append(_Worker(self._ctx, self._memory_mb, self._test_hooks))

    def _ensure_started(self, workers: list[_Worker]) -> None:
        starting = [w for w in workers if not w.alive]
        for w in starting:
            if w.proc is not None:
                w.kill()
            w.launch()
        for w in starting:
            try:
                w.await_ready(_STARTUP_TIMEOUT_S)
            except UnguardedMainError:
                _shutdown(starting)
                raise
            except (RuntimeError, TimeoutError):
                w.launch()  # one retry: a start-up can lose a race with a loaded machine
                try:
                    w.await_ready(_STARTUP_TIMEOUT_S)
                except (RuntimeError, TimeoutError) as exc:
                    raise SVGKitError(
                        ErrorCode.INTERNAL, f"cannot start render workers: {exc}"
                    ) from None

    def _start_for(self, jobs: int, max_workers: int | None) -> list[_Worker]:
        """The workers one call uses, started (the caller holds the lock)."""
        if _in_worker_bootstrap():
            # this process is a worker importing an unguarded main script: leave quietly,
            # the parent explains (the exit status tells it why)
            os._exit(_UNGUARDED_MAIN_EXIT)
        if self._closed:
            raise RuntimeError("RenderPool is closed")
        n = min(len(self._workers), max_workers or len(self._workers), jobs)
        active = self._workers[:n]
        self._ensure_started(active)
        return active

    def render_many(
        self,
        items: Iterable[Any],
        width: int,
        height: int,
        *,
        timeout_s: float = 10.0,
        background: Any = None,
        limits: Limits | None = None,
        max_workers: int | None = None,
        out: npt.NDArray[np.uint8] | None = None,
        repair: bool = False,
        font_dirs: Sequence[str | os.PathLike[str]] | None = None,
        system_fonts: bool = True,
    ) -> list[npt.NDArray[np.uint8] | SVGKitError]:
        """Render ``items`` (Scenes, SVG text or bytes); see :func:`svgkit.render_many`.

        ``max_workers`` uses only the first that many workers for this call; ``out`` as
        :func:`svgkit.render_many`.
        """
        width = check_size("width", width)
        height = check_size("height", height)
        bg = parse_background(background)
        return self._render_checked(
            items,
            width,
            height,
            bg,
            timeout_s=timeout_s,
            limits=limits,
            max_workers=max_workers,
            out=out,
            repair=repair,
            fonts=font_options(font_dirs, system_fonts),
        )

    def _render_checked(
        self,
        items: Iterable[Any],
        width: int,
        height: int,
        bg: tuple[float, float, float, float] | None,
        *,
        timeout_s: float,
        limits: Limits | None,
        max_workers: int | None,
        out: npt.NDArray[np.uint8] | None,
        repair: bool,
        fonts: FontOptions | None = None,
    ) -> list[npt.NDArray[np.uint8] | SVGKitError]:
        """:meth:`render_many` after the size and background were checked: they are checked once
        per call, here in the parent, and the workers draw with them unchecked."""
        if not (
            isinstance(timeout_s, (int, float))
            and not isinstance(timeout_s, bool)
            and timeout_s > 0
        ):
            raise ValueError(f"Expected `timeout_s` to be a positive float, but got {timeout_s!r}")
        if limits is not None and not isinstance(limits, Limits):
            raise TypeError(
                f"Expected `limits` to be a svgkit.Limits, but got {type(limits).__name__}"
            )
        batch = list(items)
        if out is not None and (
            not isinstance(out, np.ndarray)
            or out.dtype != np.uint8
            or out.shape != (len(batch), height, width, 4)
            or not out.flags.c_contiguous
            or not out.flags.writeable
        ):
            got = f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
            raise ValueError(
                "Expected `out` to be a writeable C-contiguous uint8 array of shape "
                f"{(len(batch), height, width, 4)}, but got {got}"
            )
        results: list[npt.NDArray[np.uint8] | SVGKitError | None] = [None] * len(batch)
        todo: deque[int] = deque()
        for i, item in enumerate(batch):
            if isinstance(item, (memoryview, bytearray)):
                item = bytes(item)
            elif not isinstance(item, (str, bytes, Scene, _Fault)):
                results[i] = SVGKitError(
                    ErrorCode.BAD_INPUT,
                    f"expected a Scene or SVG text/bytes, got {type(item).__name__}",
                )
                continue
            batch[i] = item
            todo.append(i)
        if not todo:
            return results  # type: ignore[return-value]
        with self._lock:
            active = self._start_for(len(todo), max_workers)
            _Batch(
                self,
                active,
                batch,
                todo,
                results,
                width,
                height,
                float(timeout_s),
                bg,
                limits,
                out,
                repair,
                fonts=fonts,
            ).run()
        return results  # type: ignore[return-value]

    def map(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        *,
        timeout_s: float = 10.0,
        max_workers: int | None = None,
    ) -> list[Any]:
        """Call ``fn(item)`` for each item in the workers, with the isolation of a render.

        For work that goes with a render and must not take the caller down with it: parsing,
        rendering at several sizes and measuring one document as one task (the reward engine's
        per-completion analysis). ``fn`` must be picklable by reference (a module-level
        function), and so must the items and results.

        Parameters
        ----------
        fn
            Module-level function of one argument.
        items
            Arguments, one task each.
        timeout_s
            Wall-clock budget of each task from the moment its worker can start it.
        max_workers
            Use only the first that many workers for this call.

        Returns
        -------
        list
            ``fn(item)`` in input order, or an :class:`SVGKitError` for an item that failed:
            the error ``fn`` raised when it is an :class:`SVGKitError`, ``RENDER_TIMEOUT`` (the
            worker was killed and replaced), ``RENDER_CRASH`` (it died), ``RENDER_MEMORY`` (it
            exceeded ``memory_mb``), ``INTERNAL`` for any other exception or a result that
            cannot be pickled. Other items are unaffected.

        Examples
        --------
        >>> import math
        >>> from svgkit import RenderPool
        >>> with RenderPool(workers=1) as pool:
        ...     pool.map(math.sqrt, [4.0, 9.0])
        [2.0, 3.0]
        """
        if not (
            isinstance(timeout_s, (int, float))
            and not isinstance(timeout_s, bool)
            and timeout_s > 0
        ):
            raise ValueError(f"Expected `timeout_s` to be a positive float, but got {timeout_s!r}")
        if not callable(fn):
            raise TypeError(f"Expected `fn` to be callable, but got {type(fn).__name__}")
        batch: list[Any] = [_Call(fn, item) for item in items]
        results: list[Any] = [None] * len(batch)
        if not batch:
            return results
        with self._lock:
            active = self._start_for(len(batch), max_workers)
            _Batch(
                self,
                active,
                batch,
                deque(range(len(batch))),
                results,
                1,
                1,
                float(timeout_s),
                None,
                None,
                call=True,
            ).run()
        return results

    def close(self) -> None:
        """Stop every worker and remove their result files. The pool cannot be used afterwards."""
        with self._lock:
            self._closed = True
            self._finalizer()

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Batch:
    """One ``render_many`` call: the dispatch loop over the active workers."""

    def __init__(
        self,
        pool: RenderPool,
        active: list[_Worker],
        batch: list[Any],
        todo: deque[int],
        results: list[Any],
        width: int,
        height: int,
        timeout_s: float,
        background: tuple[float, float, float, float] | None,
        limits: Limits | None,
        out: npt.NDArray[np.uint8] | None = None,
        repair: bool = False,
        call: bool = False,
        fonts: FontOptions | None = None,
    ) -> None:
        self.pool, self.active, self.batch, self.todo = pool, active, batch, todo
        self.fonts = fonts
        self.call = call  # map(): results travel through the pipe, never through the slots
        self.repair = repair
        self.out = out
        self.results = results
        self.width, self.height, self.timeout_s = width, height, timeout_s
        self.background, self.limits = background, limits
        self.nbytes = width * height * 4
        # jobs queued per worker, and so slots in its result file
        self.depth = 1 if not call and self.nbytes > _SINGLE_SLOT_BYTES else _QUEUE_DEPTH
        self.resent: set[int] = set()
        for w in active:
            w.queue.clear()
        self.batch_file = (
            _BatchFile.create(self.nbytes, len(batch)) if not call and out is None else None
        )

    def _requeue(self, w: _Worker) -> None:
        """Put the jobs queued behind a lost worker's head back at the front of the batch."""
        for i, _job, _slot in reversed(w.queue):
            self.todo.appendleft(i)
        w.queue.clear()

    def _fill(self, w: _Worker) -> None:
        """Send jobs to ``w`` until its queue is full (restarting it when it is dead)."""
        while self.todo and len(w.queue) < self.depth:
            if not w.alive:
                if w.queue:
                    return  # its loss is handled by the receive loop
                self.pool._ensure_started([w])
            i = self.todo[0]
            slot = -1
            shm: tuple[str, int, int, int, bool] | None = None
            if self.batch_file is not None:
                shm = self.batch_file.job(i)
            elif not self.call and w.results.ensure(self.nbytes, self.depth):
                busy = {s for _, _, s in w.queue}
                slot = next(k for k in range(self.depth) if k not in busy)
                res = w.results
                shm = (res.path, res.serial, res.size, slot * res.slot_bytes, False)
            self.pool._job += 1
            job = self.pool._job
            msg = (
                job,
                self.batch[i],
                self.width,
                self.height,
                self.background,
                self.limits,
                self.repair,
                self.fonts,
                shm,
            )
            try:
                data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # an item that cannot be pickled
                self.todo.popleft()
                self.results[i] = SVGKitError(
                    ErrorCode.BAD_INPUT, f"item cannot be sent to a worker: {exc}"
                )
                continue
            if w.queue and len(data) > _PIPELINE_MAX_BYTES:
                return  # a large item waits for an idle worker: the send must never block
            try:
                w.conn.send_bytes(data)
            except (BrokenPipeError, EOFError, OSError):
                w.kill()
                self._requeue(w)
                continue
            self.todo.popleft()
            if not w.queue:
                w.deadline = time.monotonic() + self.timeout_s
            w.queue.append((i, job, slot))

    def _finish_head(self, w: _Worker, ok: bool, payload: Any) -> None:
        i, _job, slot = w.queue.popleft()
        if self.call:
            pass
        elif ok and payload is None and self.batch_file is not None:
            payload = self.batch_file.result(i, (self.height, self.width, 4))
        elif ok and payload is None:
            target = self.out[i] if self.out is not None else None
            payload = w.results.read(slot, (self.height, self.width, 4), target)
        elif ok and self.out is not None:  # pixels that came through the pipe
            np.copyto(self.out[i], payload)
            payload = self.out[i]
        self.results[i] = payload
        w.deadline = time.monotonic() + self.timeout_s
        if (
            not ok
            and isinstance(payload, SVGKitError)
            and payload.code == ErrorCode.RENDER_MEMORY.value
        ):
            w.kill()  # the worker exits after a memory failure: reap it, resend what was queued
            self._requeue(w)

    def _lost(self, w: _Worker, error: SVGKitError, *, resend: bool = False) -> None:
        """The head job's worker is gone: record ``error`` for it and requeue the rest.

        With ``resend`` (the worker died), the head job is sent once more before it is given
        ``error``: a worker killed while idle still looks alive for a few milliseconds, and the
        job sent into that window never started. An item that kills its worker twice is its own
        fault and gets the error."""
        i, _job, _slot = w.queue.popleft()
        w.kill()
        self._requeue(w)
        if resend and i not in self.resent:
            self.resent.add(i)
            self.todo.appendleft(i)
            return
        self.results[i] = error

    def run(self) -> None:
        try:
            self._run()
        finally:
            if self.batch_file is not None:
                self.batch_file.unlink()
            for w in self.active:
                w.results.release_if_large()

    def _run(self) -> None:
        while self.todo or any(w.queue for w in self.active):
            for w in self.active:
                self._fill(w)
            busy = [w for w in self.active if w.queue]
            if not busy:
                continue
            wait_s = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            conns: dict[Any, _Worker] = {w.conn: w for w in busy}
            ready: list[Any] = multiprocessing.connection.wait(list(conns), timeout=wait_s)
            for conn in ready:
                w = conns[conn]
                while w.queue and w.conn is not None:
                    try:
                        got_job, ok, payload = w.conn.recv()
                    except (EOFError, OSError):
                        self._lost(w, _crash_error(w.exitcode()), resend=True)
                        break
                    except Exception as exc:  # undecodable reply
                        self._lost(
                            w,
                            SVGKitError(ErrorCode.INTERNAL, f"bad reply from render worker: {exc}"),
                        )
                        break
                    if got_job != w.queue[0][1]:
                        self._lost(
                            w, SVGKitError(ErrorCode.INTERNAL, "render worker replied out of order")
                        )
                        break
                    self._finish_head(w, ok, payload)
                    if not (w.conn is not None and w.queue and w.conn.poll(0)):
                        break
            now = time.monotonic()
            for w in busy:
                if w.queue and w.deadline <= now:
                    self._lost(
                        w,
                        SVGKitError(
                            ErrorCode.RENDER_TIMEOUT,
                            f"{'task' if self.call else 'render'} took longer than "
                            f"{self.timeout_s:g}s; its worker was stopped",
                            details={"timeout_s": self.timeout_s},
                        ),
                    )


def _crash_error(exitcode: int | None) -> SVGKitError:
    how = "unknown status"
    if exitcode is not None and exitcode < 0:
        try:
            how = f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"signal {-exitcode}"
    elif exitcode is not None:
        how = f"exit code {exitcode}"
    return SVGKitError(
        ErrorCode.RENDER_CRASH, f"render worker died ({how})", details={"exitcode": exitcode}
    )


def _default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


_DEFAULT: RenderPool | None = None
_DEFAULT_LOCK = threading.Lock()


def default_pool(workers: int | None = None) -> RenderPool:
    """The shared pool behind :func:`render_many` (created on first use), grown to at least
    ``workers`` processes.

    Parameters
    ----------
    workers
        Processes the caller wants; ``None`` for the pool's default size.

    Returns
    -------
    RenderPool
        The shared pool (callers pass ``workers`` on as ``max_workers``).

    Raises
    ------
    ValueError
        ``workers`` is not a positive int.
    """
    global _DEFAULT
    if workers is not None and (
        not isinstance(workers, int) or isinstance(workers, bool) or workers < 1
    ):
        raise ValueError(f"Expected `workers` to be a positive int, but got {workers!r}")
    with _DEFAULT_LOCK:
        if _DEFAULT is None or _DEFAULT._closed:
            _DEFAULT = RenderPool(workers)
        elif workers is not None and workers > _DEFAULT.workers:
            _DEFAULT._grow(workers)
        return _DEFAULT


def render_many(
    items: Iterable[RenderSource],
    width: int,
    height: int,
    *,
    workers: int | None = None,
    timeout_s: float = 10.0,
    background: Background = None,
    limits: Limits | None = None,
    out: npt.NDArray[np.uint8] | None = None,
    repair: bool = False,
    font_dirs: Sequence[str | os.PathLike[str]] | None = None,
    system_fonts: bool = True,
) -> list[npt.NDArray[np.uint8] | SVGKitError]:
    """Render a batch in isolated, persistent worker processes; one result per item, in order.

    A failing item never fails the batch: its slot holds the :class:`SVGKitError` (parse errors
    with their own codes; ``RENDER_TIMEOUT`` when it ran past ``timeout_s`` and its worker was
    killed; ``RENDER_CRASH`` when the worker died; ``RENDER_MEMORY`` when it exceeded the worker's
    memory cap; ``RENDER_ERROR`` when cairo failed). Killed workers are replaced. The workers of
    the shared default pool persist between calls (see :class:`RenderPool` for a pool of your
    own and its settings); they are shut down at interpreter exit.

    Parameters
    ----------
    items
        Scenes, SVG texts or UTF-8 bytes.
    width, height
        Output size in pixels (as :func:`render`).
    workers
        Number of worker processes; default ``min(4, os.cpu_count())``. The shared pool grows to
        the largest number asked for.
    timeout_s
        Wall-clock budget per item, from the moment a worker receives it.
    background, limits, repair, font_dirs, system_fonts
        As :func:`render`.
    out
        Optional ``uint8`` array of shape ``(len(items), height, width, 4)`` that receives the
        pixels: item ``i``'s result is then the view ``out[i]``, and the slots of failed items
        are left untouched. Reusing one buffer across calls (a training loop's batch) saves
        allocating and faulting in fresh memory for every picture.

    Returns
    -------
    list of numpy.ndarray or SVGKitError

    Examples
    --------
    >>> import svgkit
    >>> ok = ('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
    ...       '<rect width="4" height="4"/></svg>')
    >>> out = svgkit.render_many([ok, "not svg"], 4, 4, workers=1)
    >>> out[0].shape, out[1].code
    ((4, 4, 4), 'NO_SVG')
    """
    width = check_size("width", width)
    height = check_size("height", height)
    bg = parse_background(background)
    fonts = font_options(font_dirs, system_fonts)  # checked here, not in each worker
    return default_pool(workers)._render_checked(
        items,
        width,
        height,
        bg,
        timeout_s=timeout_s,
        limits=limits,
        max_workers=workers,
        out=out,
        repair=repair,
        fonts=fonts,
    )


def close_default_pool() -> None:
    """Stop the shared pool's workers (also registered with :mod:`atexit`)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is not None:
            _DEFAULT.close()
            _DEFAULT = None


atexit.register(close_default_pool)
