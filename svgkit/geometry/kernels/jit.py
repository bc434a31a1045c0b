"""How the geometry kernels are compiled: :func:`kernel`, used in place of numba's ``njit``, and
the registry of entry points (the kernels Python calls) that ``svgkit.geometry.compile_kernels``
compiles ahead of time.

The rules, each measured (``docs/geometry.md``, *Speed*):

* **One specialisation per helper.** Numba types a call from one kernel to another while it is
  still inferring the caller's types, and compiles the callee for every argument type it meets
  on the way: a counter that starts at ``0`` reaches the callee first as ``Literal[int](0)``,
  then as ``int64``, and both are compiled (seconds each for the larger helpers). The dispatcher
  below hands callees plain (non-literal) types only.
* **Helpers are shared, not inlined.** A helper is compiled once and linked into its callers;
  ``inline=True`` (numba-level inlining) is kept for a few small helpers on hot paths: an inlined
  copy is typed and lowered again at every call site, which costs more than it saves for larger
  ones. Very large functions cost more than the same code in a few helpers, and many small
  helpers more than fewer larger ones: the kernels are cut where that measured best.
* **No wrappers nobody calls.** Helpers get no CPython wrapper and no kernel a C-callable one;
  all kernels share these flags (numba compiles its own overloads, ``np.empty`` and the like,
  once per set of flags).
* **Entry points declare their types.** Each kernel Python calls is registered with the one
  signature its callers pass (they convert their arrays to it), so it is compiled once, can be
  compiled ahead of time, and :func:`missing` can tell without compiling whether numba's cache
  holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from numba import config, njit
from numba.core import sigutils, types
from numba.core.registry import CPUDispatcher

__all__ = ["Entry", "entries", "kernel", "missing", "register"]

F = TypeVar("F", bound=Callable[..., Any])

_unliteral: Callable[[Any], Any] = types.unliteral
_normalize_signature: Callable[[str], tuple[Any, Any]] = sigutils.normalize_signature


class _PlainTypesDispatcher(CPUDispatcher):
    """A CPU dispatcher that compiles calls from other kernels for non-literal argument types."""

    def get_call_template(self, args: Any, kws: Any) -> Any:
        args = tuple(_unliteral(a) for a in args)
        kws = {k: _unliteral(v) for k, v in kws.items()}
        return super().get_call_template(args, kws)


@dataclass(frozen=True)
class Entry:
    """A kernel called from Python, with the one signature its callers use."""

    name: str
    dispatcher: Any
    signature: tuple[Any, ...]


_ENTRIES: list[Entry] = []


def kernel(signature: str | None = None, *, inline: bool = False) -> Callable[[F], F]:
    """Compile the decorated function with numba (nopython mode), lazily, on first call.

    Parameters
    ----------
    signature
        For a kernel called from Python: its argument types in numba's notation (for example
        ``"f8[:, ::1], i8"``, C-contiguous arrays and scalars). It is cached on disk and
        registered (:func:`entries`). Without one, the function is a helper only kernels call.
    inline
        Inline the function into its callers at numba's IR level (small hot helpers only).
    """

    def wrap(func: F) -> F:
        if getattr(config, "DISABLE_JIT", False):
            return func
        if inline:
            assert signature is None, "an inlined helper is not called from Python"
            inlined: Any = njit(inline="always")(func)
            return inlined  # type: ignore[no-any-return]
        options: dict[str, Any] = {"nopython": True, "no_cfunc_wrapper": True}
        if signature is None:
            options["no_cpython_wrapper"] = True
        disp: Any = _PlainTypesDispatcher(py_func=func, locals={}, targetoptions=options)
        if signature is not None:
            disp.enable_caching()
            register(f"{func.__module__}.{func.__qualname__}", disp, signature)
        return disp  # type: ignore[no-any-return]

    return wrap


def register(name: str, dispatcher: Any, signature: str) -> None:
    """Register a kernel compiled elsewhere (``svgkit.flatten``'s: a leaf module, it cannot
    import this one) as an entry point."""
    if isinstance(dispatcher, CPUDispatcher):
        _ENTRIES.append(Entry(name, dispatcher, _parse(signature)))


def _parse(signature: str) -> tuple[Any, ...]:
    args, _ = _normalize_signature(f"({signature},)")
    return tuple(_unliteral(a) for a in args)


def entries() -> Iterator[Entry]:
    """The registered entry points."""
    return iter(tuple(_ENTRIES))


def missing() -> list[str]:
    """Names of the entry points numba's cache holds no machine code for (for this machine and
    this source), found without compiling anything; one whose cache cannot be read counts as
    missing."""
    out = []
    for e in entries():
        if e.signature in e.dispatcher.overloads:
            continue  # compiled or loaded in this process
        try:
            cache = e.dispatcher._cache
            key = cache._index_key(e.signature, e.dispatcher.targetctx.codegen())
            found = key in cache._cache_file._load_index()
        except Exception:  # numba's cache internals differ: assume the worst
            found = False
        if not found:
            out.append(e.name)
    return out
