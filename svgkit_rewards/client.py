"""Clients of the reward server (:mod:`svgkit_rewards.server`), synchronous and asynchronous.

:class:`RewardClient` scores like a :class:`~svgkit_rewards.RewardEngine` (``score``,
``__call__``, ``names``, ``floor``), so it drops in wherever an engine does: the TRL adapter
(``SVGReward(RewardClient(url))``), the verl adapter (``reward_kwargs`` ``url=``), your own
loop. Requests the server refuses for load (503) or that cannot connect are retried with
backoff, honouring ``Retry-After``; faults of the request (4xx) raise
:class:`RewardServerError` at once. Needs ``httpx`` (the ``server`` extra).

Examples
--------
>>> from svgkit_rewards.client import RewardClient
>>> client = RewardClient("http://127.0.0.1:8000")  # doctest: +SKIP
>>> client.score(["<svg/>"])[0].diagnostics.code  # doctest: +SKIP
'EMPTY'
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import math
import random
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .sample import Diagnostics, RewardResult, Sample

__all__ = ["AsyncRewardClient", "RewardClient", "RewardServerError", "encode_sample"]

_RETRY_STATUS = frozenset({502, 503})


class RewardServerError(Exception):
    """The server refused a request (or kept refusing it through every retry).

    Attributes
    ----------
    status : int
        HTTP status (0 when the server could not be reached).
    code : str
        The server's error code (``INVALID``, ``TOO_LARGE``, ``QUEUE_FULL``, ...).
    message : str
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _image_base64(image: Any) -> str:
    """A reference image as base64 PNG: arrays and PIL images are encoded, a path is read here
    (on the client's machine; the server never reads files)."""
    import numpy as np
    from PIL import Image

    if isinstance(image, (str, Path)):
        text = str(image)
        if isinstance(image, str) and text.startswith("data:"):
            return text
        return base64.b64encode(Path(text).read_bytes()).decode("ascii")
    if isinstance(image, (bytes, bytearray)):
        return base64.b64encode(bytes(image)).decode("ascii")
    if not isinstance(image, Image.Image):
        array = np.asarray(image)
        if array.dtype != np.uint8:
            array = np.clip(np.rint(array.astype(np.float64) * 255.0), 0, 255).astype(np.uint8)
        image = Image.fromarray(array)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def encode_sample(sample: Sample | str | Mapping[str, Any]) -> dict[str, Any]:
    """One sample as the native endpoint takes it.

    Examples
    --------
    >>> encode_sample(Sample("<svg/>", prompt="a dot"))
    {'completion': '<svg/>', 'prompt': 'a dot'}
    """
    if isinstance(sample, str):
        return {"completion": sample}
    if isinstance(sample, Mapping):
        sample = Sample(**sample)
    if not isinstance(sample, Sample):
        raise TypeError(f"Expected a Sample, a str or a mapping, but got {type(sample).__name__}")
    if not isinstance(sample.completion, str):
        from .functional._common import completion_text

        sample = Sample(completion_text(sample.completion), sample.prompt, sample.reference_image,
                        sample.reference_svg, sample.spec, sample.metadata, sample.finish_reason)
    out: dict[str, Any] = {"completion": sample.completion}
    if sample.prompt is not None:
        out["prompt"] = sample.prompt
    if sample.reference_image is not None:
        out["reference_image"] = _image_base64(sample.reference_image)
    if sample.reference_svg is not None:
        out["reference_svg"] = sample.reference_svg
    if sample.spec is not None:
        spec: Any = sample.spec
        out["spec"] = _jsonable(spec.to_dict() if hasattr(spec, "to_dict") else spec)
    if sample.metadata:
        out["metadata"] = _jsonable(dict(sample.metadata))
    if sample.finish_reason is not None:
        out["finish_reason"] = sample.finish_reason
    return out


def _result(item: Mapping[str, Any]) -> RewardResult:
    d = item.get("diagnostics") or {}
    return RewardResult(
        item.get("score"),
        dict(item.get("components") or {}),
        Diagnostics(
            d.get("code", "OK"), d.get("message", ""), tuple(d.get("flags", ())),
            dict(d.get("timings", {})), tuple(d.get("warnings", ())),
        ),
    )


def _token(token: str | None, token_file: str | Path | None) -> str | None:
    if token is not None and token_file is not None:
        raise ValueError("Expected `token` or `token_file`, not both")
    if token_file is not None:
        return Path(token_file).read_text(encoding="utf-8").strip()
    return token


def _error_of(response: Any) -> RewardServerError:
    try:
        err = response.json().get("error", {})
        code, message = str(err.get("code", "HTTP_ERROR")), str(err.get("message", ""))
    except (ValueError, AttributeError):
        code, message = "HTTP_ERROR", response.text[:200]
    return RewardServerError(response.status_code, code, message)


def _unreachable(exc: Exception) -> RewardServerError:
    return RewardServerError(0, "UNREACHABLE", f"{type(exc).__name__}: {exc}")


def _refusal(response: Any) -> RewardServerError:
    """The error of a refused request: raised at once unless the refusal is worth a retry."""
    error = _error_of(response)
    if response.status_code not in _RETRY_STATUS:
        raise error
    return error


class _Base:
    def __init__(
        self,
        url: str = "http://127.0.0.1:8000",
        *,
        token: str | None = None,
        token_file: str | Path | None = None,
        timeout_s: float = 300.0,
        retries: int = 8,
        max_retry_wait_s: float = 60.0,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"Expected an http(s) URL, but got {url!r}")
        if not isinstance(retries, int) or retries < 0:
            raise ValueError(f"Expected `retries` to be a non-negative int, but got {retries!r}")
        self.url = url.rstrip("/")
        self.timeout_s = float(timeout_s)
        self.retries = retries
        self.max_retry_wait_s = float(max_retry_wait_s)
        self._token = _token(token, token_file)
        self._info: dict[str, Any] | None = None

    def _headers(self) -> dict[str, str]:
        return {} if self._token is None else {"Authorization": f"Bearer {self._token}"}

    def _wait(self, attempt: int, response: Any | None) -> float:
        if response is not None:
            header = response.headers.get("retry-after")
            try:
                value = float(header) if header is not None else math.nan
            except ValueError:
                value = math.nan
            if math.isfinite(value) and value >= 0:
                return min(value, self.max_retry_wait_s) * (1.0 + 0.25 * random.random())
        return float(min(self.max_retry_wait_s, 0.25 * 2**attempt) * (0.5 + random.random()))

    @property
    def names(self) -> tuple[str, ...]:
        """The reward's component names (from the server's ``/v1/info``)."""
        return tuple(str(n) for n in self._cached_info()["names"])

    @property
    def floor(self) -> float:
        """The score of an unusable completion (from the server's ``/v1/info``)."""
        return float(self._cached_info()["floor"])

    def _cached_info(self) -> dict[str, Any]:
        raise NotImplementedError  # pragma: no cover

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_http"] = None
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if isinstance(self, RewardClient):
            self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


class RewardClient(_Base):
    """A synchronous client of the reward server, shaped like a
    :class:`~svgkit_rewards.RewardEngine`.

    Parameters
    ----------
    url
        The server's base URL (``http://host:port``).
    token, token_file
        The bearer token, or a file holding it.
    timeout_s
        Per-request timeout.
    retries
        Retries for 502/503 answers and connection failures (``Retry-After`` honoured).
    max_retry_wait_s
        Longest wait between retries.

    Examples
    --------
    >>> with RewardClient("http://127.0.0.1:8000") as client:  # doctest: +SKIP
    ...     client(["<think>a dot</think><answer><svg><circle r='3'/></svg></answer>"])
    [0.996...]
    """

    def __init__(self, url: str = "http://127.0.0.1:8000", **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self._http: Any = None
        self._lock = threading.Lock()

    def _client(self) -> Any:
        with self._lock:
            if self._http is None:
                import httpx

                self._http = httpx.Client(timeout=self.timeout_s)
            return self._http

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        import httpx

        http = self._client()
        content = None if body is None else json.dumps(body).encode("utf-8")
        headers = {**self._headers(), "Content-Type": "application/json"}
        last: RewardServerError | None = None
        for attempt in range(self.retries + 1):
            response = None
            try:
                response = http.request(method, self.url + path, content=content,
                                        headers=headers)
            except httpx.TransportError as exc:
                last = _unreachable(exc)
            else:
                if response.status_code < 400:
                    return response.json()
                last = _refusal(response)
            if attempt < self.retries:
                time.sleep(self._wait(attempt, response))
        assert last is not None
        raise last

    def _cached_info(self) -> dict[str, Any]:
        if self._info is None:
            self._info = self.info()
        return self._info

    def info(self) -> dict[str, Any]:
        """The server's ``/v1/info``: component names, floor, value range, settings."""
        return dict(self._request("GET", "/v1/info"))

    def score(self, samples: Sequence[Sample | str | Mapping[str, Any]]) -> list[RewardResult]:
        """Score a batch on the server (the native endpoint)."""
        if not samples:
            return []
        body = {"samples": [encode_sample(s) for s in samples]}
        reply = self._request("POST", "/v1/score", body)
        if self._info is None:
            self._info = {"names": reply["names"], "floor": reply["floor"]}
        return [_result(item) for item in reply["results"]]

    def __call__(self, samples: Sequence[Sample | str | Mapping[str, Any]]) -> list[float | None]:
        """Only the scores of :meth:`score`."""
        return [r.score for r in self.score(samples)]

    def openrlhf(self, queries: Sequence[str], prompts: Sequence[str] | None = None,
                 labels: Sequence[Any] | None = None) -> dict[str, Any]:
        """Score through the OpenRLHF endpoint (``/get_reward``), as OpenRLHF would."""
        body = {"query": list(queries), "prompts": None if prompts is None else list(prompts),
                "labels": None if labels is None else list(labels)}
        return dict(self._request("POST", "/get_reward", body))

    def health(self) -> bool:
        """Whether the server answers."""
        import httpx

        try:
            return bool(self._client().get(self.url + "/health", timeout=5.0).status_code == 200)
        except httpx.TransportError:
            return False

    def ready(self) -> bool:
        """Whether the server has loaded its reward."""
        import httpx

        try:
            return bool(self._client().get(self.url + "/ready", timeout=5.0).status_code == 200)
        except httpx.TransportError:
            return False

    def wait_ready(self, timeout_s: float = 600.0, poll_s: float = 0.2) -> None:
        """Block until :meth:`ready` (``TimeoutError`` after ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while not self.ready():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.url} was not ready within {timeout_s} s")
            time.sleep(poll_s)

    def stats(self) -> dict[str, Any]:
        """The server's ``/stats`` (requests, samples by code, latency percentiles, ...)."""
        return dict(self._request("GET", "/stats"))

    def close(self) -> None:
        """Close the connection pool."""
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def __enter__(self) -> RewardClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncRewardClient(_Base):
    """The asynchronous twin of :class:`RewardClient` (``await client.score(...)``); use one
    per event loop.

    Examples
    --------
    >>> async def main():  # doctest: +SKIP
    ...     async with AsyncRewardClient("http://127.0.0.1:8000") as client:
    ...         return await client(["<svg/>"])
    """

    def __init__(self, url: str = "http://127.0.0.1:8000", **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self._http: Any = None

    def _client(self) -> Any:
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(timeout=self.timeout_s)
        return self._http

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        import httpx

        http = self._client()
        content = None if body is None else json.dumps(body).encode("utf-8")
        headers = {**self._headers(), "Content-Type": "application/json"}
        last: RewardServerError | None = None
        for attempt in range(self.retries + 1):
            response = None
            try:
                response = await http.request(method, self.url + path, content=content,
                                              headers=headers)
            except httpx.TransportError as exc:
                last = _unreachable(exc)
            else:
                if response.status_code < 400:
                    return response.json()
                last = _refusal(response)
            if attempt < self.retries:
                await asyncio.sleep(self._wait(attempt, response))
        assert last is not None
        raise last

    def _cached_info(self) -> dict[str, Any]:
        if self._info is None:
            raise RuntimeError("call `await client.info()` (or score once) before reading "
                               "names/floor from an AsyncRewardClient")
        return self._info

    async def info(self) -> dict[str, Any]:
        """The server's ``/v1/info``."""
        self._info = dict(await self._request("GET", "/v1/info"))
        return self._info

    async def score(
        self, samples: Sequence[Sample | str | Mapping[str, Any]]
    ) -> list[RewardResult]:
        """Score a batch on the server (the native endpoint)."""
        if not samples:
            return []
        body = {"samples": [encode_sample(s) for s in samples]}
        reply = await self._request("POST", "/v1/score", body)
        if self._info is None:
            self._info = {"names": reply["names"], "floor": reply["floor"]}
        return [_result(item) for item in reply["results"]]

    async def __call__(
        self, samples: Sequence[Sample | str | Mapping[str, Any]]
    ) -> list[float | None]:
        """Only the scores of :meth:`score`."""
        return [r.score for r in await self.score(samples)]

    async def openrlhf(self, queries: Sequence[str], prompts: Sequence[str] | None = None,
                       labels: Sequence[Any] | None = None) -> dict[str, Any]:
        """Score through the OpenRLHF endpoint (``/get_reward``)."""
        body = {"query": list(queries), "prompts": None if prompts is None else list(prompts),
                "labels": None if labels is None else list(labels)}
        return dict(await self._request("POST", "/get_reward", body))

    async def ready(self) -> bool:
        """Whether the server has loaded its reward."""
        import httpx

        try:
            response = await self._client().get(self.url + "/ready", timeout=5.0)
        except httpx.TransportError:
            return False
        return bool(response.status_code == 200)

    async def stats(self) -> dict[str, Any]:
        """The server's ``/stats``."""
        return dict(await self._request("GET", "/stats"))

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> AsyncRewardClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
