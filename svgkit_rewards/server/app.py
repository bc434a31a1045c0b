"""The reward server's ASGI application (Starlette).

Endpoints (``POST`` bodies and replies are JSON):

``POST /v1/score``
    svgkit's own API: ``{"samples": [...]}`` → ``{"results": [{"score", "components",
    "diagnostics"}], "names", "floor"}``.
``POST /get_reward`` (also ``/openrlhf``)
    OpenRLHF's remote-reward protocol: ``{"query", "prompts", "labels"}`` → ``{"rewards",
    "scores", "extra_logs"}``.
``GET /v1/info``
    The reward's component names, floor and the server's limits.
``GET /health``
    200 while the process serves requests.
``GET /ready``
    200 once the engine's workers and models are loaded, 503 before (or with the load error).
``GET /metrics`` / ``GET /stats``
    Prometheus text format / the same totals as JSON.

With a token configured, every scoring endpoint and ``/v1/info`` require
``Authorization: Bearer <token>``; ``/health``, ``/ready``, ``/metrics`` and ``/stats`` stay
open for orchestrators and scrapers (they reveal counts, never request content).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..engine import RewardEngine
from ..sample import RewardResult, Sample
from ._batcher import Batcher, QueueFull, Stopped
from ._metrics import CONTENT_TYPE, ServerMetrics
from ._protocol import (
    RequestError,
    native_response,
    openrlhf_response,
    parse_json,
    parse_native,
    parse_openrlhf,
)

__all__ = ["ServerSettings", "create_app"]

log = logging.getLogger("svgkit_rewards.server")

_WARMUP = (
    "<think>warm-up</think> <answer><svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'>"
    "<circle cx='4' cy='4' r='3' fill='red'/></svg></answer>"
)


class _JSON(JSONResponse):
    """JSON with every non-ASCII character escaped: a message that quotes a completion's lone
    surrogate must not make the reply unencodable."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False,
                          separators=(",", ":")).encode("ascii")


@dataclass(frozen=True)
class ServerSettings:
    """How the server batches, bounds and guards its work.

    Parameters
    ----------
    max_batch_size
        Most samples coalesced into one engine call.
    max_wait_ms
        How long an idle server waits for more requests to join a batch.
    max_queue_samples
        Samples allowed to wait; beyond that requests get 503 with ``Retry-After``.
    max_samples_per_request
        Larger requests get 413 (split them).
    max_body_bytes
        Larger bodies get 413.
    max_image_pixels
        Larger reference images get 422.
    request_timeout_s
        A request not answered within this gets 504 (its samples are dropped if not started).
    token
        Bearer token the scoring endpoints require (``None``: no authentication).

    Examples
    --------
    >>> ServerSettings(max_batch_size=8).max_wait_ms
    5.0
    """

    max_batch_size: int = 64
    max_wait_ms: float = 5.0
    max_queue_samples: int = 4096
    max_samples_per_request: int = 1024
    max_body_bytes: int = 32 * 1024 * 1024
    max_image_pixels: int = 4096 * 4096
    request_timeout_s: float = 300.0
    token: str | None = None

    def __post_init__(self) -> None:
        for name in ("max_batch_size", "max_queue_samples", "max_samples_per_request",
                     "max_body_bytes", "max_image_pixels"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Expected `{name}` to be a positive int, but got {value!r}")
        for name in ("max_wait_ms", "request_timeout_s"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"Expected `{name}` to be a non-negative number, but got "
                                 f"{value!r}")
        if self.request_timeout_s == 0:
            raise ValueError("Expected `request_timeout_s` to be positive")
        if self.max_samples_per_request > self.max_queue_samples:
            raise ValueError("Expected `max_samples_per_request` to be at most "
                             "`max_queue_samples`")
        if self.token is not None and (not isinstance(self.token, str) or not self.token):
            raise ValueError("Expected `token` to be a non-empty str or None")

    def public(self) -> dict[str, Any]:
        """The settings without the token."""
        out = asdict(self)
        out.pop("token")
        return out


class _State:
    """What the handlers share."""

    def __init__(self, engine: RewardEngine, settings: ServerSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.ready = False
        self.load_error: str | None = None
        self.batcher = Batcher(
            engine.score,
            max_batch_size=settings.max_batch_size,
            max_wait_ms=settings.max_wait_ms,
            max_queue_samples=settings.max_queue_samples,
            on_batch=self._on_batch,
        )
        self.metrics = ServerMetrics(lambda: self.batcher.depth, lambda: self.ready)
        self._token = None if settings.token is None else settings.token.encode("utf-8")

    def _on_batch(self, n: int, seconds: float) -> None:
        self.metrics.batch(n, seconds)

    def warm_up(self) -> None:
        """Load the models and start the workers (run in the engine's thread)."""
        for leaf in self.engine.reward.leaves():
            if hasattr(type(leaf), "encoder"):
                getattr(leaf, "encoder")  # noqa: B009 - the property loads the model once
        self.engine.score([Sample(_WARMUP, prompt="a red dot")])

    def authorised(self, request: Request) -> bool:
        if self._token is None:
            return True
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode("utf-8"), self._token)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None
           ) -> JSONResponse:
    return _JSON({"error": {"code": code, "message": message}}, status, headers=headers)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise RequestError(400, "BAD_REQUEST", "the Content-Length header is not a number"
                               ) from None
        if size > limit:
            raise RequestError(413, "TOO_LARGE", f"the body has {size} bytes; the limit is "
                               f"{limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, "TOO_LARGE", f"the body is over the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


Parsed = tuple[list[Sample], Any]


def _scoring_endpoint(
    name: str,
    parse: Callable[[Any, ServerSettings], Parsed],
    reply: Callable[[_State, list[RewardResult], Any], dict[str, Any]],
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state: _State = request.app.state.svgkit
        started = time.perf_counter()
        response = await _score(state, request, parse, reply)
        state.metrics.request(name, response.status_code, time.perf_counter() - started)
        return response

    async def _score(
        state: _State,
        request: Request,
        parse: Callable[[Any, ServerSettings], Parsed],
        reply: Callable[[_State, list[RewardResult], Any], dict[str, Any]],
    ) -> Response:
        settings = state.settings
        if not state.authorised(request):
            state.metrics.error("UNAUTHORISED")
            return _error(401, "UNAUTHORISED", "a valid 'Authorization: Bearer <token>' header "
                          "is required", {"WWW-Authenticate": "Bearer"})
        if state.load_error is not None:
            state.metrics.error("NOT_READY")
            return _error(503, "NOT_READY", f"the reward failed to load: {state.load_error}",
                          {"Retry-After": "60"})
        try:
            raw = await _read_body(request, settings.max_body_bytes)
            samples, extra = await asyncio.to_thread(_parse_body, raw, parse, settings)
        except RequestError as exc:
            state.metrics.error(exc.code)
            return _JSON(exc.body(), exc.status)
        if not samples:
            state.metrics.scored(name, [])
            return _JSON(reply(state, [], extra))
        try:
            future = state.batcher.submit(samples)
        except QueueFull as exc:
            state.metrics.error("QUEUE_FULL")
            return _error(503, "QUEUE_FULL", "the server is at capacity; retry after "
                          f"{exc.retry_after_s} s", {"Retry-After": str(exc.retry_after_s)})
        except Stopped:
            state.metrics.error("SHUTTING_DOWN")
            return _error(503, "SHUTTING_DOWN", "the server is shutting down",
                          {"Retry-After": "5"})
        try:
            results = await asyncio.wait_for(asyncio.shield(future),
                                             settings.request_timeout_s)
        except asyncio.TimeoutError:
            future.cancel()  # a job not yet started is then skipped
            state.metrics.error("TIMEOUT")
            return _error(504, "TIMEOUT", f"not scored within {settings.request_timeout_s} s")
        except (ValueError, TypeError) as exc:  # a term refused this request's data
            state.metrics.error("INVALID")
            return _error(422, "INVALID", str(exc))
        except Exception as exc:
            log.exception("scoring failed")
            state.metrics.error("INTERNAL")
            return _error(500, "INTERNAL", f"scoring failed: {type(exc).__name__}: {exc}")
        state.metrics.scored(name, [r.code for r in results])
        return _JSON(reply(state, results, extra))

    return endpoint


def _parse_body(raw: bytes, parse: Callable[[Any, ServerSettings], Parsed],
                settings: ServerSettings) -> Parsed:
    return parse(parse_json(raw), settings)


def _native_parse(body: Any, settings: ServerSettings) -> Parsed:
    samples = parse_native(body, max_samples=settings.max_samples_per_request,
                           max_pixels=settings.max_image_pixels)
    return samples, None


def _native_reply(state: _State, results: list[RewardResult], _extra: Any) -> dict[str, Any]:
    return native_response(results, state.engine.names, state.engine.floor)


def _openrlhf_parse(body: Any, settings: ServerSettings) -> Parsed:
    return parse_openrlhf(body, max_samples=settings.max_samples_per_request,
                          max_pixels=settings.max_image_pixels)


def _openrlhf_reply(state: _State, results: list[RewardResult], not_found: Any
                    ) -> dict[str, Any]:
    return openrlhf_response(results, state.engine.names, state.engine.floor, not_found)


async def _health(request: Request) -> Response:
    return _JSON({"status": "alive"})


async def _ready(request: Request) -> Response:
    state: _State = request.app.state.svgkit
    if state.ready:
        return _JSON({"ready": True})
    body: dict[str, Any] = {"ready": False}
    if state.load_error is not None:
        body["error"] = state.load_error
    return _JSON(body, 503)


async def _info(request: Request) -> Response:
    state: _State = request.app.state.svgkit
    if not state.authorised(request):
        return _error(401, "UNAUTHORISED", "a valid 'Authorization: Bearer <token>' header is "
                      "required", {"WWW-Authenticate": "Bearer"})
    from ..terms import describe

    engine = state.engine
    return _JSON({
        "names": list(engine.names),
        "floor": engine.floor,
        "value_range": list(engine.reward.value_range),
        "reward": describe(engine.reward),
        "settings": state.settings.public(),
    })


async def _metrics(request: Request) -> Response:
    state: _State = request.app.state.svgkit
    return Response(state.metrics.prometheus(), media_type=CONTENT_TYPE)


async def _stats(request: Request) -> Response:
    state: _State = request.app.state.svgkit
    return _JSON({**state.metrics.snapshot(), "ready": state.ready})


def create_app(
    engine: RewardEngine,
    settings: ServerSettings | None = None,
    *,
    close_engine: bool = True,
) -> Starlette:
    """The ASGI app serving ``engine``.

    Parameters
    ----------
    engine
        The reward engine (its worker processes and models load when the app starts).
    settings
        Batching, limits and the optional token.
    close_engine
        Close the engine when the app shuts down.

    Examples
    --------
    >>> from svgkit_rewards import RewardEngine
    >>> app = create_app(RewardEngine.from_config("sgp", in_process=True))
    >>> sorted(r.path for r in app.routes)[:3]
    ['/get_reward', '/health', '/metrics']
    """
    if not isinstance(engine, RewardEngine):
        raise TypeError(f"Expected a RewardEngine, but got {type(engine).__name__}")
    state = _State(engine, settings or ServerSettings())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.batcher.start()
        warm = asyncio.get_running_loop().create_task(_warm(state))
        try:
            yield
        finally:
            # uvicorn has finished the in-flight requests (graceful shutdown) by now
            warm.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warm
            await state.batcher.stop()
            if close_engine:
                await asyncio.to_thread(engine.close)

    native = _scoring_endpoint("score", _native_parse, _native_reply)
    openrlhf = _scoring_endpoint("openrlhf", _openrlhf_parse, _openrlhf_reply)
    app = Starlette(
        routes=[
            Route("/v1/score", native, methods=["POST"]),
            Route("/get_reward", openrlhf, methods=["POST"]),
            Route("/openrlhf", openrlhf, methods=["POST"]),
            Route("/v1/info", _info, methods=["GET"]),
            Route("/health", _health, methods=["GET"]),
            Route("/ready", _ready, methods=["GET"]),
            Route("/metrics", _metrics, methods=["GET"]),
            Route("/stats", _stats, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.svgkit = state
    return app


async def _warm(state: _State) -> None:
    try:
        await state.batcher.run_first(state.warm_up)
    except Exception as exc:
        state.load_error = f"{type(exc).__name__}: {exc}"
        log.error("svgkit reward server: loading the reward failed: %s", state.load_error)
        return
    state.ready = True
    log.info("svgkit reward server: ready")
