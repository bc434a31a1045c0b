"""The adversarial corpus (tests/adversarial/corpus.py) through validate() and parse().

For every case:

- ``svgkit.validate`` returns one of the case's acceptable outcomes, for the text and for its
  UTF-8 bytes alike, within the case's (generous) time budget;
- ``svgkit.parse`` agrees: it raises :class:`svgkit.SVGKitError` with the same code and limit, or
  returns a Scene carrying the expected warning;
- the traced ``parse`` keeps its peak of Python allocations (``tracemalloc``) within
  96 MB + 8 × the input size, and the process's peak RSS (``ru_maxrss``) grows by less than
  200 MB over the untraced runs. ``ru_maxrss`` is a lifetime peak, so growth hidden under an
  earlier, higher peak of the same process goes unseen: the bound catches blow-ups, not leaks;
- nothing is fetched: socket connects, name lookups and ``urlopen`` are patched to fail, and an
  audit hook records any network event or any ``open`` of the files the corpus points at;
- no line of ``/etc/passwd`` appears in any message, warning, text run or summary.
"""

from __future__ import annotations

import faulthandler
import gc
import json
import resource
import signal
import socket
import sys
import threading
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from adversarial.corpus import CASES, LARGE, Case, Outcome, load

import svgkit
from svgkit import Limits, Scene, SVGKitError

RSS_GROWTH_LIMIT = 200 * 1024 * 1024
PY_PEAK_BASE = 96 * 1024 * 1024
SECRET_PATHS = frozenset({"/etc/passwd", "/etc/shadow", "/etc/hostname"})
NETWORK_EVENTS = frozenset(
    {
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "urllib.Request",
        "http.client.connect",
        "ftplib.connect",
        "subprocess.Popen",
        "os.system",
    }
)


def _passwd_markers() -> list[str]:
    try:
        lines = Path("/etc/passwd").read_text(errors="replace").splitlines()
    except OSError:
        return ["root:x:0:0"]
    markers = [line for line in lines[:8] if len(line) >= 12]
    return markers or ["root:x:0:0"]


PASSWD_MARKERS = _passwd_markers()


# --- the audit hook: installed once, records only while a case runs ---


class _Audit:
    active = False
    events: list[tuple[str, str]] = []  # noqa: RUF012 - one shared recorder by design


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if not _Audit.active:
        return
    if event in NETWORK_EVENTS:
        _Audit.events.append((event, repr(args)[:200]))
        raise PermissionError(f"adversarial test: svgkit attempted {event}")
    if event == "open" and args:
        path = args[0]
        if isinstance(path, bytes):
            path = path.decode("utf-8", "replace")
        if isinstance(path, str) and (path in SECRET_PATHS or path.startswith("file:")):
            _Audit.events.append((event, path))
            raise PermissionError(f"adversarial test: svgkit opened {path}")


sys.addaudithook(_audit_hook)


@contextmanager
def _auditing() -> Iterator[list[tuple[str, str]]]:
    _Audit.events = []
    _Audit.active = True
    try:
        yield _Audit.events
    finally:
        _Audit.active = False


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every way of reaching the network fail loudly, and record the attempts."""
    calls: list[str] = []

    def refuse(name: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"svgkit must never fetch anything, but called {name}")

        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    monkeypatch.setattr(urllib.request, "urlopen", refuse("urllib.request.urlopen"))
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse("OpenerDirector.open"))
    return calls


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """Import and run everything once so lazy imports and caches do not count as a case's cost."""
    doc = (
        '<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/>'
        '<path d="M0 0 A5 5 0 0 1 9 9"/></svg>'
    )
    assert svgkit.validate(doc).ok
    assert len(svgkit.parse(doc)) == 2


# --- time and memory ---


class CaseTimeout(BaseException):
    """Raised by the watchdog; a BaseException so ``except Exception`` cannot swallow it."""


@contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    """Interrupt a run that takes ``seconds`` (Python code only), and kill the process with a
    traceback if even that does not stop it (a hang inside C code)."""
    use_alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    faulthandler.dump_traceback_later(4 * seconds + 30, exit=True)
    previous: Any = None
    if use_alarm:

        def on_alarm(signum: int, frame: Any) -> None:
            raise CaseTimeout(f"still running after {seconds:.0f} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()


def _max_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


# --- outcomes ---


def _report_matches(report: Any, outcome: Outcome) -> bool:
    if outcome.code == "OK":
        if not (report.ok and report.code == "OK"):
            return False
        return outcome.warning is None or outcome.warning in {w.code for w in report.warnings}
    if report.ok or report.code != outcome.code:
        return False
    return outcome.limit is None or report.limit == outcome.limit


def _parse_matches(result: Scene | SVGKitError, outcome: Outcome) -> bool:
    if outcome.code == "OK":
        if not isinstance(result, Scene):
            return False
        return outcome.warning is None or outcome.warning in {w.code for w in result.warnings}
    if not isinstance(result, SVGKitError) or result.code != outcome.code:
        return False
    return outcome.limit is None or result.limit == outcome.limit


def _describe_report(report: Any) -> str:
    warnings = sorted({w.code for w in report.warnings})
    return f"code={report.code} limit={report.limit} warnings={warnings} message={report.message!r}"


def _describe(result: Scene | SVGKitError) -> str:
    if isinstance(result, SVGKitError):
        return f"raised {result.code} limit={result.limit}: {result.message}"
    return (
        f"Scene with {len(result)} primitives, warnings={sorted({w.code for w in result.warnings})}"
    )


def _as_input(data: bytes) -> str | bytes:
    """Text when the bytes are UTF-8 (what callers usually pass), else the raw bytes."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _outputs_text(report: Any, result: Scene | SVGKitError) -> str:
    """Everything svgkit handed back, as one string to search for leaked file contents."""
    parts = [json.dumps(report.to_dict(), default=str)]
    if isinstance(result, SVGKitError):
        parts += [str(result), json.dumps(result.to_dict(), default=str)]
    else:
        parts.append(json.dumps(result.to_dict(), default=str))
        parts += [run.text for run in result.texts.values()]
        parts += [image.href for image in result.images.values()]
        parts += [w.message for w in result.warnings]
    return "\n".join(parts)


# --- the test ---


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.slow) if case.budget_s >= LARGE else name
        for name, case in CASES.items()
    ],
)
def test_adversarial_case(name: str, no_network: list[str]) -> None:
    case: Case = CASES[name]
    data = load(case)
    text = _as_input(data)
    expected = " | ".join(str(o) for o in case.expect)
    gc.collect()
    rss_before = _max_rss_bytes()

    with _auditing() as events:
        # 1. validate: the verdict, within the time budget, for text and for bytes
        start = time.perf_counter()
        with _watchdog(2 * case.budget_s):
            report = svgkit.validate(text)
        elapsed = time.perf_counter() - start
        assert any(_report_matches(report, o) for o in case.expect), (
            f"{name}: expected {expected}, got {_describe_report(report)}"
        )
        assert elapsed <= case.budget_s, f"{name}: validate took {elapsed:.2f} s"
        if isinstance(text, str):
            with _watchdog(2 * case.budget_s):
                report_bytes = svgkit.validate(data)
            assert (report_bytes.code, report_bytes.limit) == (report.code, report.limit), (
                f"{name}: str gives {_describe_report(report)}, "
                f"bytes give {_describe_report(report_bytes)}"
            )

        # RSS is read before tracing: tracemalloc's own bookkeeping costs memory
        rss_growth = _max_rss_bytes() - rss_before

        # 2. parse, traced: same verdict, bounded Python memory. tracemalloc slows allocation
        # several times, so the traced run may also stop at the wall-clock guard (TIMEOUT).
        gc.collect()
        tracemalloc.start()
        try:
            with _watchdog(2 * case.budget_s + 10):
                try:
                    result: Scene | SVGKitError = svgkit.parse(text)
                except SVGKitError as exc:
                    result = exc
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        traced_expect = (*case.expect, Outcome("TIMEOUT"))
        assert any(_parse_matches(result, o) for o in traced_expect), (
            f"{name}: expected {expected}, parse {_describe(result)}"
        )
        if isinstance(result, SVGKitError) and result.code != "TIMEOUT":
            assert (result.code, result.limit) == (report.code, report.limit), (
                f"{name}: validate says {_describe_report(report)}, parse {_describe(result)}"
            )

    py_bound = PY_PEAK_BASE + 8 * len(data)
    assert peak <= py_bound, f"{name}: parse allocated a peak of {peak / 2**20:.1f} MB"
    assert rss_growth < RSS_GROWTH_LIMIT, f"{name}: peak RSS grew by {rss_growth / 2**20:.0f} MB"

    # 3. nothing fetched, nothing leaked
    assert not no_network, f"{name}: network calls {no_network}"
    assert not events, f"{name}: audited events {events}"
    out = _outputs_text(report, result)
    leaked = [m for m in PASSWD_MARKERS if m in out]
    assert not leaked, f"{name}: /etc/passwd content in the output: {leaked[:2]}"


def test_corpus_table_is_well_formed() -> None:
    """Every case has outcomes, a budget, and the files it names exist."""
    known = {e.value for e in svgkit.ErrorCode} | {"OK"}
    limit_fields = set(Limits().to_dict())
    for name, case in CASES.items():
        assert case.expect, name
        assert case.budget_s > 0, name
        for outcome in case.expect:
            assert outcome.code in known, (name, outcome)
            assert outcome.limit is None or outcome.limit in limit_fields, (name, outcome)
            assert (outcome.limit is None) or outcome.code == "LIMIT", (name, outcome)
        if not callable(case.source):
            assert isinstance(case.source, bytes) and case.source, name
