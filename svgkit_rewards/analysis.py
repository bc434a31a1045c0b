"""The per-completion analysis: extract → parse → render at the sizes asked → measure, once.

Every term of a reward reads the same :class:`Analysis` of a completion, so a completion is parsed
and rendered once however many terms need it. :func:`analyze` never raises: a document that cannot
be used comes back with its error code from the core's taxonomy. The engine runs it in worker
processes (:meth:`svgkit.RenderPool.map`), so a completion that hangs or crashes the renderer
costs only its own timeout.
"""

from __future__ import annotations

import hashlib
import importlib
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

import svgkit

__all__ = [
    "CHECK_SIZE",
    "FAILURE_CODES",
    "Analysis",
    "AnalysisRequest",
    "analysis_from_error",
    "analysis_key",
    "analyze",
]

#: Codes after which a completion has no usable drawing (everything but ``OK`` and ``EMPTY``).
FAILURE_CODES = frozenset(code.value for code in svgkit.ErrorCode if code.value not in ("EMPTY",))

#: Size of the render made only to check that a document renders (``render_check``).
CHECK_SIZE = (64, 64)

Size = tuple[int, int]


@dataclass(frozen=True)
class AnalysisRequest:
    """What to compute for each completion; the union of what the terms of a reward need.

    Parameters
    ----------
    sizes
        ``(width, height)`` renders to make, each composited over ``background``.
    render_check
        Render at least once (at :data:`CHECK_SIZE` when ``sizes`` is empty) so that a format
        check can tell whether the document renders.
    features
        ``(name, "module:function")`` pairs: each function is called in the worker as
        ``fn(scene, svg, renders)`` and its (picklable) result stored under ``name``.
    limits
        :class:`svgkit.Limits` for parsing (defaults when ``None``).
    repair
        Close the tags of a truncated document and fix common XML slips instead of refusing it.
    which
        Which ``<svg>`` to take when there are several (see :func:`svgkit.extract_svg`).
    background
        CSS colour the renders are composited over.
    keep_scene
        Keep the parsed :class:`svgkit.Scene` on the analysis (in-process analyses only; it does
        not travel back from workers).
    font_dirs, system_fonts
        The fonts text is laid out with (see :func:`svgkit.parse`); the reward engine passes the
        pinned set with ``system_fonts=False`` by default.

    Examples
    --------
    >>> AnalysisRequest(sizes=((224, 224),)).sizes
    ((224, 224),)
    """

    sizes: tuple[Size, ...] = ()
    render_check: bool = False
    features: tuple[tuple[str, str], ...] = ()
    limits: svgkit.Limits | None = None
    repair: bool = False
    which: str = "last"
    background: str = "white"
    keep_scene: bool = False
    font_dirs: tuple[str, ...] = ()
    system_fonts: bool = True

    def merge(self, other: AnalysisRequest) -> AnalysisRequest:
        """The request that satisfies both ``self`` and ``other`` (settings from ``self``)."""
        return replace(
            self,
            sizes=tuple(sorted(set(self.sizes) | set(other.sizes))),
            render_check=self.render_check or other.render_check,
            features=tuple(sorted(set(self.features) | set(other.features))),
            keep_scene=self.keep_scene or other.keep_scene,
        )

    def fingerprint(self) -> str:
        """A stable text identifying everything that changes the analysis' result."""
        return repr(
            (
                self.sizes,
                self.render_check,
                self.features,
                repr(self.limits),
                self.repair,
                self.which,
                self.background,
                self.font_dirs,
                self.system_fonts,
            )
        )


@dataclass
class Analysis:
    """Everything measured about one completion.

    Attributes
    ----------
    key : str
        Content hash of the completion and the request (the cache key).
    code : str
        ``"OK"``, ``"EMPTY"`` or an :class:`svgkit.ErrorCode` value.
    message : str
    limit : str or None
        For ``LIMIT``, the :class:`svgkit.Limits` field that was exceeded.
    svg : str or None
        The extracted SVG text (for a truncated document, the cut-off candidate), ``None`` when
        the completion holds no ``<svg`` at all.
    renders : dict[(width, height), ndarray]
        ``uint8`` RGB pictures of shape ``(height, width, 3)``, over the background.
    primitives, drawable : int
        Primitives in the Scene and how many of them paint something.
    features : dict[str, Any]
        Results of the requested feature functions.
    feature_errors : dict[str, str]
        Features that failed, with their error (the rest of the analysis stands).
    warnings : tuple[str, ...]
        Diagnostic codes of the extraction and the Scene.
    timings : dict[str, float]
        Seconds per stage.
    parses, renders_made : int
        How many parses and renders this analysis cost (0 or 1 parse; one render per size).
    scene : svgkit.Scene or None
        Kept only when requested, in process.
    """

    key: str
    code: str
    message: str = ""
    limit: str | None = None
    svg: str | None = None
    renders: dict[Size, npt.NDArray[np.uint8]] = field(default_factory=dict)
    primitives: int = 0
    drawable: int = 0
    features: dict[str, Any] = field(default_factory=dict)
    feature_errors: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    parses: int = 0
    renders_made: int = 0
    scene: svgkit.Scene | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """The document parsed, draws something and rendered."""
        return self.code == "OK"

    @property
    def failed(self) -> bool:
        """No usable drawing: the code is neither ``OK`` nor ``EMPTY``."""
        return self.code in FAILURE_CODES

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["scene"] = None  # Scenes stay in the process that parsed them
        return state


def analysis_key(completion: str, request: AnalysisRequest) -> str:
    """The cache key of ``completion`` analysed under ``request`` (SHA-256, hex).

    Examples
    --------
    >>> len(analysis_key("<svg/>", AnalysisRequest()))
    64
    """
    h = hashlib.sha256()
    h.update(completion.encode("utf-8", "surrogatepass"))
    h.update(b"\0")
    h.update(request.fingerprint().encode())
    return h.hexdigest()


def _import(path: str) -> Any:
    module, _, name = path.partition(":")
    obj: Any = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _svg_text(completion: str) -> str | None:
    """The last candidate's text (for length terms when extraction refused the document)."""
    try:
        found = svgkit.extract_svg_candidates(completion)
    except svgkit.SVGKitError:
        return None
    if not found:
        return None
    complete = [c for c in found if c.complete]
    return (complete or found)[-1].text


def analyze(completion: object, request: AnalysisRequest | None = None) -> Analysis:
    """Analyse one completion; never raises for any input.

    Parameters
    ----------
    completion
        Raw model output (``str``; ``bytes`` are decoded as UTF-8). Anything else is
        ``BAD_INPUT``.
    request
        What to compute; :class:`AnalysisRequest` defaults when ``None``.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> a = analyze('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    ...             '<rect width="4" height="8" fill="red"/></svg>',
    ...             AnalysisRequest(sizes=((8, 8),)))
    >>> a.code, a.renders[(8, 8)].shape, a.renders[(8, 8)][4, 1].tolist()
    ('OK', (8, 8, 3), [255, 0, 0])
    >>> analyze("no drawing, sorry").code
    'NO_SVG'
    """
    request = request or AnalysisRequest()
    if isinstance(completion, (bytes, bytearray)):
        completion = bytes(completion).decode("utf-8", "replace")
    if not isinstance(completion, str):
        return Analysis(
            key="",
            code=svgkit.ErrorCode.BAD_INPUT.value,
            message=f"expected the completion as text, got {type(completion).__name__}",
        )
    key = analysis_key(completion, request)
    try:
        return _analyze(completion, request, key)
    except RecursionError:
        return Analysis(
            key, svgkit.ErrorCode.LIMIT.value, "nesting exceeds the recursion limit", "max_depth"
        )
    except MemoryError:
        return Analysis(key, svgkit.ErrorCode.RENDER_MEMORY.value, "out of memory")
    except Exception as exc:  # a bug in svgkit: still a classified result, never a lost one
        return Analysis(
            key, svgkit.ErrorCode.INTERNAL.value, f"internal error: {type(exc).__name__}: {exc}"
        )


def _analyze(completion: str, request: AnalysisRequest, key: str) -> Analysis:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        extraction = svgkit.extract_svg_ex(
            completion,
            which=request.which,  # type: ignore[arg-type]
            repair=request.repair,
        )
    except svgkit.SVGKitError as exc:
        svg = _svg_text(completion)
        timings["extract"] = time.perf_counter() - t0
        return Analysis(key, exc.code, exc.message, exc.limit, svg=svg, timings=timings)
    svg = extraction.svg
    warnings = [w.code for w in extraction.warnings]
    timings["extract"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    try:
        scene = svgkit.parse(
            svg,
            request.limits,
            repair=request.repair,
            font_dirs=request.font_dirs or None,
            system_fonts=request.system_fonts,
        )
    except svgkit.SVGKitError as exc:
        timings["parse"] = time.perf_counter() - t0
        return Analysis(
            key,
            exc.code,
            exc.message,
            exc.limit,
            svg=svg,
            warnings=tuple(warnings),
            timings=timings,
            parses=1,
        )
    timings["parse"] = time.perf_counter() - t0
    warnings.extend(w.code for w in scene.warnings)
    drawable = int(np.count_nonzero(svgkit.drawable_mask(scene)))
    result = Analysis(
        key,
        "OK" if drawable else svgkit.ErrorCode.EMPTY.value,
        "" if drawable else "the document draws nothing",
        svg=svg,
        primitives=len(scene),
        drawable=drawable,
        warnings=tuple(dict.fromkeys(warnings)),
        timings=timings,
        parses=1,
        scene=scene if request.keep_scene else None,
    )

    sizes = list(request.sizes)
    if request.render_check and not sizes:
        sizes = [CHECK_SIZE]
    for width, height in sizes:
        t0 = time.perf_counter()
        try:
            rgba = svgkit.render(scene, width, height, background=request.background)
        except svgkit.SVGKitError as exc:
            timings[f"render_{width}x{height}"] = time.perf_counter() - t0
            result.code, result.message = exc.code, exc.message
            result.renders.clear()
            return result
        timings[f"render_{width}x{height}"] = time.perf_counter() - t0
        result.renders[(width, height)] = np.ascontiguousarray(rgba[:, :, :3])
        result.renders_made += 1

    for name, path in request.features:
        t0 = time.perf_counter()
        try:
            result.features[name] = _import(path)(scene, svg, result.renders)
        except svgkit.SVGKitError as exc:
            result.feature_errors[name] = f"{exc.code}: {exc.message}"
        except Exception as exc:
            result.feature_errors[name] = f"INTERNAL: {type(exc).__name__}: {exc}"
        timings[f"feature_{name}"] = time.perf_counter() - t0
    return result


def analysis_from_error(key: str, error: svgkit.SVGKitError) -> Analysis:
    """The analysis of a completion whose worker failed (timeout, crash, memory)."""
    return Analysis(key, error.code, error.message, error.limit)


def _task(job: tuple[str, AnalysisRequest]) -> Analysis:
    """What a pool worker runs: one analysis (module-level so that it pickles by reference)."""
    completion, request = job
    return analyze(completion, request)
