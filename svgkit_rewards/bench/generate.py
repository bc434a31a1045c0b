"""Generation backends of the benchmark runner: from prompts to completions.

A run asks a :class:`Generator` for one :class:`~svgkit_rewards.bench.records.Completion` per
:class:`~svgkit_rewards.bench.records.GenerationRequest` (sample ``s`` of prompt ``id``). Three
backends:

* :class:`PregeneratedGenerator` — a completions JSONL written elsewhere
  (``{"id", "sample", "completion"}`` plus optional ``finish_reason``, ``completion_tokens``);
* :class:`OpenAIChatGenerator` — any OpenAI-compatible ``/v1/chat/completions`` endpoint (vLLM,
  SGLang, hosted APIs) with a concurrency limit, retries with backoff, timeouts and the key read
  from the environment;
* :class:`HFGenerator` — a local Hugging Face ``transformers`` causal LM directory.

Every backend yields completions as they finish, in any order, and never raises for one failed
request: that request yields a completion with ``completion=""`` and ``error`` set, which the
runner scores as ``GENERATION_ERROR`` and a rerun retries. :class:`RunError` is raised only when
the backend cannot work at all (a bad URL, an endpoint nobody answers at, a missing model).

Prompts are phrased in the style of SGP-GenBench ("Symbolic Graphics Programming with Large
Language Models"): the model reasons inside ``<think>…</think>`` and puts the SVG code inside
``<answer>…</answer>``; :func:`build_requests` turns suite prompts into requests.

Optional dependencies (``httpx``, ``torch``, ``transformers``) are imported inside the classes
that use them.

Examples
--------
>>> from svgkit_rewards.bench.records import BenchPrompt
>>> reqs = build_requests([BenchPrompt(id="apple", prompt="a red apple")], n=2)
>>> [(r.id, r.sample) for r in reqs]
[('apple', 0), ('apple', 1)]
>>> [m["role"] for m in reqs[0].messages]
['system', 'user']
>>> reqs[0].messages[1]["content"].endswith("a red apple")
True
"""

from __future__ import annotations

import collections.abc
import email.utils
import json
import math
import os
import random
import re
import string
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

from svgkit_rewards.bench.records import (
    BenchPrompt,
    Completion,
    GenerationRequest,
    RunError,
    SuiteError,
)
from svgkit_rewards.functional.composition import OBJECT_INSTRUCTION

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "DEFAULT_TEMPLATE",
    "Generator",
    "HFGenerator",
    "OpenAIChatGenerator",
    "PregeneratedGenerator",
    "build_requests",
    "chat_completions_url",
    "make_generator",
    "read_completions",
    "reference_data_uri",
]

#: The system prompt: SGP-GenBench's reasoning format (reason in ``<think>``, answer in
#: ``<answer>``), in svgkit's words.
DEFAULT_SYSTEM_PROMPT = (
    "The user asks for a picture and the assistant draws it as SVG code. The assistant first "
    "reasons about the picture (its parts, shapes, colours and layout) and then gives the code. "
    "The reasoning goes inside <think> </think> tags and the complete SVG code inside <answer> "
    "</answer> tags, like this: <think> reasoning here </think> <answer> <svg ...>...</svg> "
    "</answer>"
)

#: The user message; a :meth:`str.format` template with one field, ``{prompt}`` (literal braces
#: are doubled: ``{{`` and ``}}``).
DEFAULT_TEMPLATE = "Write SVG code that draws a picture of the following description: {prompt}"

_RETRY_STATUS = frozenset({408, 429})
_RETRY_AFTER_STATUS = frozenset({429, 503})
_EXCERPT_CHARS = 200


# --------------------------------------------------------------------------------------------
# prompts → requests


def _check_template(template: str) -> None:
    if not isinstance(template, str):
        raise ValueError(
            f"Expected `template` to be a str.format template, but got {type(template).__name__}")
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValueError(
            f"Expected `template` to be a str.format template with a `{{prompt}}` field, but it "
            f"does not parse ({exc}); write literal braces as `{{{{` and `}}}}`") from exc
    if "prompt" not in fields:
        raise ValueError(
            f"Expected `template` to contain the `{{prompt}}` field, but got {template!r}")
    other = sorted(fields - {"prompt"})
    if other:
        raise ValueError(
            f"Expected `template` to use only the `{{prompt}}` field, but it also uses {other}; "
            "write literal braces as `{{` and `}}`")


def build_requests(
    prompts: Iterable[BenchPrompt],
    n: int = 1,
    *,
    template: str = DEFAULT_TEMPLATE,
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT,
    object_instruction: bool = True,
) -> list[GenerationRequest]:
    """Turn suite prompts into generation requests, ``n`` samples per prompt.

    Parameters
    ----------
    prompts
        The suite's prompts, in order.
    n
        Samples per prompt: requests ``sample = 0 .. n-1`` for each prompt.
    template
        The user message, a :meth:`str.format` template with one ``{prompt}`` field
        (:data:`DEFAULT_TEMPLATE`).
    system_prompt
        The system message (:data:`DEFAULT_SYSTEM_PROMPT`); ``None`` or ``""`` sends none.
    object_instruction
        Append :data:`svgkit_rewards.functional.composition.OBJECT_INSTRUCTION` to the user
        message of ``composition`` prompts, so that the compositional checks find the objects
        the drawing annotates. Other kinds never get it.

    Returns
    -------
    list of GenerationRequest
        Prompt-major order: all samples of the first prompt, then the next prompt's.

    Raises
    ------
    ValueError
        ``n`` is not a positive integer, or ``template`` lacks ``{prompt}`` or uses other fields.

    Examples
    --------
    >>> from svgkit_rewards.bench.records import BenchPrompt
    >>> p = BenchPrompt(id="pair", prompt="two apples left of a bowl", kind="composition")
    >>> (r,) = build_requests([p], template="Draw: {prompt}", system_prompt=None)
    >>> r.messages[0]["content"].startswith("Draw: two apples left of a bowl\\n\\nDraw each")
    True
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"Expected `n` to be a positive integer, but got {n!r}")
    _check_template(template)
    out: list[GenerationRequest] = []
    for p in prompts:
        user = template.format(prompt=p.prompt)
        if object_instruction and p.kind == "composition":
            user = f"{user}\n\n{OBJECT_INSTRUCTION}"
        messages: list[Mapping[str, str]] = []
        if system_prompt:
            messages.append({"role": "system", "content": system_prompt})
        messages.append({"role": "user", "content": user})
        frozen = tuple(messages)
        image = reference_data_uri(p) if p.kind == "image" else None
        out.extend(GenerationRequest(id=p.id, sample=s, messages=frozen, prompt=p.prompt,
                                     image=image)
                   for s in range(n))
    return out


#: Side of the reference picture sent with image-to-SVG prompts.
IMAGE_SIDE = 512


def reference_data_uri(prompt: BenchPrompt, side: int = IMAGE_SIDE) -> str | None:
    """The prompt's reference picture as a PNG ``data:`` URI (an SVG reference is rendered by
    svgkit at ``side`` pixels over white; a picture file is sent as it is, converted to PNG);
    ``None`` when the prompt has no usable reference.

    Examples
    --------
    >>> p = BenchPrompt("sq", "copy", "image", reference_svg="<svg xmlns="
    ...     "'http://www.w3.org/2000/svg' width='4' height='4'><rect width='4' height='4'/></svg>")
    >>> reference_data_uri(p, 8).startswith("data:image/png;base64,")
    True
    """
    import base64
    import io

    from PIL import Image

    from ..functional.image_image import reference_picture

    try:
        if prompt.reference_image is not None:
            with Image.open(prompt.reference_image) as opened:
                picture = opened.convert("RGBA")
        else:
            found = reference_picture(None, prompt.reference_svg, side=side)
            if found is None:
                return None
            picture = Image.fromarray(found[0], "RGB")
    except (OSError, ValueError):
        return None
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _with_image(messages: Sequence[Mapping[str, str]], image: str | None) -> list[Any]:
    """The messages as the chat API takes them; the image joins the last user message as an
    ``image_url`` content part (OpenAI's vision format, which vLLM and SGLang accept)."""
    out: list[Any] = [dict(m) for m in messages]
    if image is not None:
        for m in reversed(out):
            if m.get("role") == "user":
                m["content"] = [{"type": "text", "text": m["content"]},
                                {"type": "image_url", "image_url": {"url": image}}]
                break
    return out


# --------------------------------------------------------------------------------------------
# the protocol


@runtime_checkable
class Generator(Protocol):
    """What the runner needs from a generation backend.

    Attributes
    ----------
    name : str
        A short label of the backend (model name, file stem) for logs.
    """

    name: str

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator[Completion]:
        """Yield one completion per request as each finishes, in any order.

        A request that fails after its retries yields a completion with ``completion=""`` and
        ``error`` set; :class:`RunError` means the backend cannot work at all.
        """
        ...

    def close(self) -> None:
        """Release connections, threads and models."""
        ...


# --------------------------------------------------------------------------------------------
# pre-generated completions


def read_completions(path: str | os.PathLike[str]) -> dict[tuple[str, int], Completion]:
    """Read a completions JSONL file: one ``{"id", "sample", "completion"}`` record a line.

    ``sample`` defaults to 0; ``finish_reason``, ``completion_tokens``, ``error`` and
    ``latency_s`` are optional; other keys are ignored; blank lines are skipped.

    Parameters
    ----------
    path
        The JSONL file.

    Returns
    -------
    dict
        Completions keyed by ``(id, sample)``, in file order.

    Raises
    ------
    SuiteError
        The file cannot be read, or a line is not a JSON object, lacks ``id`` or
        ``completion``, has a value of the wrong type, or repeats an ``(id, sample)``; the
        message names the file and the line.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = f.write_text(json.dumps({"id": "a", "sample": 1, "completion": "<svg/>"}) + "\\n")
    >>> read_completions(f)[("a", 1)].completion
    '<svg/>'
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"cannot read the completions file ({exc})", p) from exc
    out: dict[tuple[str, int], Completion] = {}
    first_line: dict[tuple[str, int], int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise SuiteError(f"invalid JSON ({exc})", p, lineno) from exc
        if not isinstance(record, dict):
            raise SuiteError(f"expected a JSON object, got {type(record).__name__}", p, lineno)
        if "id" not in record:
            raise SuiteError("missing `id`", p, lineno)
        if "completion" not in record:
            raise SuiteError("missing `completion`", p, lineno)
        rid = record["id"]
        if isinstance(rid, bool) or not isinstance(rid, (str, int)):
            raise SuiteError(f"`id` must be a string, got {type(rid).__name__}", p, lineno)
        for field in ("finish_reason", "error"):
            value = record.get(field)
            if value is not None and not isinstance(value, str):
                raise SuiteError(
                    f"`{field}` must be a string or null, got {type(value).__name__}", p, lineno)
        tokens = record.get("completion_tokens")
        if tokens is not None and (isinstance(tokens, bool) or not isinstance(tokens, int)):
            raise SuiteError(
                f"`completion_tokens` must be an integer or null, got {tokens!r}", p, lineno)
        latency = record.get("latency_s")
        if latency is not None and (isinstance(latency, bool)
                                    or not isinstance(latency, (int, float))):
            raise SuiteError(f"`latency_s` must be a number or null, got {latency!r}", p, lineno)
        try:
            completion = Completion.from_dict(record)
        except (KeyError, TypeError, ValueError) as exc:
            raise SuiteError(str(exc).strip("'\""), p, lineno) from exc
        key = completion.key
        if key in first_line:
            raise SuiteError(
                f"duplicate completion for id {key[0]!r} sample {key[1]} "
                f"(first on line {first_line[key]})", p, lineno)
        first_line[key] = lineno
        out[key] = completion
    return out


class PregeneratedGenerator:
    """Completions read from a JSONL file (see :func:`read_completions`).

    The file is read (and checked) when the generator is built. A request with no record yields
    a completion whose error is ``"missing from <file>"``.

    Parameters
    ----------
    path
        The completions JSONL file.

    Raises
    ------
    SuiteError
        The file cannot be read or has a bad line (the message names the file and line).

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "mine.jsonl"
    >>> _ = f.write_text(json.dumps({"id": "a", "completion": "<svg/>"}) + "\\n")
    >>> gen = PregeneratedGenerator(f)
    >>> reqs = [GenerationRequest("a", 0, (), "x"), GenerationRequest("b", 0, (), "y")]
    >>> [(c.id, c.completion, c.error is None) for c in gen.generate(reqs)]
    [('a', '<svg/>', True), ('b', '', False)]
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.name = self.path.stem
        self.completions = read_completions(self.path)

    def __repr__(self) -> str:
        return f"PregeneratedGenerator({os.fspath(self.path)!r})"

    def generate(self, requests: Iterable[GenerationRequest]) -> Iterator[Completion]:
        """Yield the recorded completion of each request, in request order."""
        for req in requests:
            found = self.completions.get(req.key)
            if found is None:
                yield Completion(id=req.id, sample=req.sample, completion="",
                                 error=f"missing from {os.fspath(self.path)}")
            else:
                yield found

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> PregeneratedGenerator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------
# OpenAI-compatible chat endpoint


def chat_completions_url(base_url: str) -> str:
    """The chat-completions URL of an OpenAI-compatible base URL.

    The rule: a base URL with no path (``http://host:8000``) gets ``/v1``; a base URL with a
    path is used as given (``…/v1``, ``…/v1beta/openai``), as the OpenAI SDK does; then
    ``/chat/completions`` is appended. A URL that already ends in ``/chat/completions`` is kept.
    Trailing slashes, query strings and fragments are dropped.

    Raises
    ------
    RunError
        The scheme is not ``http`` or ``https`` or the host is missing.

    Examples
    --------
    >>> chat_completions_url("http://localhost:8000")
    'http://localhost:8000/v1/chat/completions'
    >>> chat_completions_url("https://api.example.com/v1/")
    'https://api.example.com/v1/chat/completions'
    >>> chat_completions_url("https://example.com/v1beta/openai")
    'https://example.com/v1beta/openai/chat/completions'
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https"):
        raise RunError(
            f"Expected `base_url` to be an http:// or https:// URL, but got {base_url!r}")
    if not parts.hostname:
        raise RunError(f"Expected `base_url` to name a host, but got {base_url!r}")
    path = parts.path.rstrip("/")
    if not path:
        path = "/v1"
    if not path.endswith("/chat/completions"):
        path += "/chat/completions"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _excerpt(text: str, secret: str | None) -> str:
    short = " ".join(text.split())
    if secret:
        short = short.replace(secret, "***")
    if len(short) > _EXCERPT_CHARS:
        short = short[:_EXCERPT_CHARS] + "…"
    return short


def _check_positive(name: str, value: float, *, integer: bool = False,
                    allow_zero: bool = False) -> None:
    ok = not isinstance(value, bool) and isinstance(value, int if integer else (int, float))
    if ok:
        ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        what = "integer" if integer else "number"
        sign = "non-negative" if allow_zero else "positive"
        raise ValueError(f"Expected `{name}` to be a {sign} {what}, but got {value!r}")


class _Outcome:
    """A worker's result: the completion, and whether the endpoint could not be reached."""

    __slots__ = ("completion", "unreachable")

    def __init__(self, completion: Completion, unreachable: bool) -> None:
        self.completion = completion
        self.unreachable = unreachable


class OpenAIChatGenerator:
    """Completions from an OpenAI-compatible ``/v1/chat/completions`` endpoint.

    Works with vLLM, SGLang and hosted APIs: one HTTP request per sample (``n`` is never sent,
    so servers that ignore it behave the same), at most ``concurrency`` at a time, each retried
    with exponential backoff and jitter on 408, 429, 5xx, connection errors and timeouts.

    Parameters
    ----------
    base_url
        The server's base URL; see :func:`chat_completions_url` for the rule
        (``http://localhost:8000`` and ``http://localhost:8000/v1`` are the same).
    model
        The ``model`` field of each request.
    api_key_env
        Environment variable holding the key, read when the generator is built and sent as
        ``Authorization: Bearer …``; unset or empty sends no header (fine for a local vLLM).
        The key is never logged, shown in ``repr`` or copied into an error message.
    concurrency
        Requests in flight at once (default 8).
    max_retries
        Retries after the first attempt (default 4: five attempts in all).
    backoff_s, max_backoff_s
        The wait before retry ``k`` (1-based) is ``min(max_backoff_s, backoff_s * 2**(k-1))``,
        of which a random half is kept as jitter. A ``Retry-After`` header on 429/503 replaces
        it, capped by ``max_backoff_s`` (defaults 1 s and 30 s).
    timeout_s
        Seconds to wait to connect and for each read of the answer (default 120).
    temperature, top_p, max_tokens
        Sampling settings sent with each request (defaults 1.0, 1.0, 4096).
    extra_body
        More fields merged into each request body (``{"top_k": 20}``, ``{"seed": 0}``); they win
        over the fields above.

    Notes
    -----
    A request that fails yields a completion with ``error`` set: ``"HTTP 400: <body excerpt>"``
    (other 4xx are not retried), ``"HTTP 500 after 5 attempts: <body excerpt>"``,
    ``"timeout after 5 attempts (ReadTimeout)"``, ``"connection error after 5 attempts (…)"``
    or ``"bad response: …"``. ``completion`` is the message's ``content`` (``""`` when the
    server sends none), ``finish_reason`` and ``usage.completion_tokens`` are copied, and
    ``latency_s`` is the wall time of the request including its retries.

    :meth:`generate` raises :class:`RunError` when a request could not even connect after its
    retries and no request has had any HTTP answer yet: nobody listens at ``base_url``.

    Examples
    --------
    >>> gen = OpenAIChatGenerator("http://localhost:8000", "Qwen/Qwen2.5-7B-Instruct")
    >>> gen.url
    'http://localhost:8000/v1/chat/completions'
    >>> gen.close()
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 8,
        max_retries: int = 4,
        backoff_s: float = 1.0,
        max_backoff_s: float = 30.0,
        timeout_s: float = 120.0,
        temperature: float = 1.0,
        top_p: float = 1.0,
        max_tokens: int = 4096,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        try:
            import httpx
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RunError(
                "the OpenAI-compatible backend needs httpx: pip install 'svgkit[bench]'") from exc
        self.url = chat_completions_url(base_url)
        if not isinstance(model, str) or not model:
            raise ValueError(f"Expected `model` to be a non-empty string, but got {model!r}")
        _check_positive("concurrency", concurrency, integer=True)
        _check_positive("max_retries", max_retries, integer=True, allow_zero=True)
        _check_positive("backoff_s", backoff_s, allow_zero=True)
        _check_positive("max_backoff_s", max_backoff_s, allow_zero=True)
        _check_positive("timeout_s", timeout_s)
        _check_positive("temperature", temperature, allow_zero=True)
        _check_positive("top_p", top_p)
        _check_positive("max_tokens", max_tokens, integer=True)
        self.name = model
        self.model = model
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.backoff_s = float(backoff_s)
        self.max_backoff_s = float(max_backoff_s)
        self.timeout_s = float(timeout_s)
        self.body: dict[str, Any] = {
            "model": model,
            "temperature": temperature,
            "top_p": top_p,
            "max_tokens": max_tokens,
        }
        if extra_body:
            self.body.update(extra_body)
        self.api_key_env = api_key_env
        key = os.environ.get(api_key_env, "") if api_key_env else ""
        self._secret = key or None
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._client: httpx.Client = httpx.Client(
            timeout=httpx.Timeout(self.timeout_s),
            limits=httpx.Limits(max_connections=concurrency,
                                max_keepalive_connections=concurrency),
            headers=headers,
        )
        self._reached = False
        self._random = random.Random()

    def __repr__(self) -> str:  # never shows the key
        return (f"OpenAIChatGenerator({self.url!r}, {self.model!r}, "
                f"concurrency={self.concurrency}, key_from={self.api_key_env!r})")

    # ---- one request ------------------------------------------------------------------------

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff_s)
        cap = min(self.max_backoff_s, self.backoff_s * 2.0 ** (attempt - 1))
        return cap / 2 + self._random.uniform(0.0, cap / 2)

    def _parse(self, req: GenerationRequest, response: httpx.Response,
               latency: float) -> Completion:
        try:
            data = response.json()
            choice = data["choices"][0]
            message = choice.get("message") or {}
            content = message.get("content")
            if content is None:
                content = ""
            if not isinstance(content, str):
                raise TypeError(f"message content is {type(content).__name__}, not a string")
            finish = choice.get("finish_reason")
            usage = data.get("usage") or {}
            tokens = usage.get("completion_tokens") if isinstance(usage, dict) else None
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            excerpt = _excerpt(response.text, self._secret)
            return Completion(id=req.id, sample=req.sample, completion="",
                              error=f"bad response ({type(exc).__name__}: {exc}): {excerpt}",
                              latency_s=latency)
        return Completion(
            id=req.id,
            sample=req.sample,
            completion=content,
            finish_reason=finish if isinstance(finish, str) else None,
            completion_tokens=(tokens if isinstance(tokens, int)
                               and not isinstance(tokens, bool) else None),
            latency_s=latency,
        )

    def _one(self, req: GenerationRequest, stop: threading.Event) -> _Outcome:
        import httpx

        body = {**self.body, "messages": _with_image(req.messages, req.image)}
        start = time.monotonic()
        attempt = 0
        connect_only = True
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                response = self._client.post(self.url, json=body)
            except httpx.TimeoutException as exc:
                error = f"timeout ({type(exc).__name__})"
                kind = "timeout"
                retryable = True
                connect_only = connect_only and isinstance(exc, httpx.ConnectTimeout)
            except httpx.TransportError as exc:
                detail = _excerpt(str(exc), self._secret) or type(exc).__name__
                error = f"connection error ({type(exc).__name__}: {detail})"
                kind = "connection error"
                retryable = True
                connect_only = connect_only and isinstance(exc, httpx.ConnectError)
            else:
                self._reached = True
                connect_only = False
                status = response.status_code
                if 200 <= status < 300:
                    return _Outcome(self._parse(req, response, time.monotonic() - start), False)
                excerpt = _excerpt(response.text, self._secret)
                error = f"HTTP {status}: {excerpt}" if excerpt else f"HTTP {status}"
                kind = f"HTTP {status}"
                retryable = status in _RETRY_STATUS or status >= 500
                if status in _RETRY_AFTER_STATUS:
                    retry_after = _retry_after(response.headers.get("Retry-After"))
            if not retryable or attempt > self.max_retries or stop.is_set():
                break
            if stop.wait(self._delay(attempt, retry_after)):
                break
        if retryable and attempt > 1:
            # "HTTP 500 after 5 attempts: ...", "timeout after 5 attempts (ReadTimeout)"
            error = error.replace(kind, f"{kind} after {attempt} attempts", 1)
        completion = Completion(id=req.id, sample=req.sample, completion="", error=error,
                                latency_s=time.monotonic() - start)
        return _Outcome(completion, connect_only)

    # ---- the batch --------------------------------------------------------------------------

    def generate(
        self, requests: Iterable[GenerationRequest]
    ) -> collections.abc.Generator[Completion, None, None]:
        """Yield one completion per request as each finishes (any order).

        At most ``concurrency`` requests are in flight; requests are drawn lazily from
        ``requests``. Closing the iterator early cancels the requests not yet sent and stops
        retries.

        Raises
        ------
        RunError
            Nobody answers at the base URL (see the class notes).
        """
        stop = threading.Event()
        pool = ThreadPoolExecutor(max_workers=self.concurrency,
                                  thread_name_prefix="svgkit-bench-http")
        pending: set[Future[_Outcome]] = set()
        source = iter(requests)
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < 2 * self.concurrency:
                    try:
                        req = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    pending.add(pool.submit(self._one, req, stop))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()
                    if outcome.unreachable and not self._reached:
                        raise RunError(
                            f"cannot reach the endpoint {self.url}: "
                            f"{outcome.completion.error}; is the server running?")
                    yield outcome.completion
        finally:
            stop.set()
            for future in pending:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def __enter__(self) -> OpenAIChatGenerator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------
# local Hugging Face model


_EXPECTED_MODEL_DIR = (
    "expected a local Hugging Face transformers causal LM directory (config.json, the weights "
    "and the tokenizer files, as written by save_pretrained() or downloaded from the Hub)"
)


def _transformers_dtype_key() -> str:
    import transformers

    match = re.match(r"(\d+)\.(\d+)", transformers.__version__)
    if match and (int(match.group(1)), int(match.group(2))) >= (4, 56):
        return "dtype"
    return "torch_dtype"  # pragma: no cover - older transformers


def _plain_prompt(messages: Sequence[Mapping[str, str]]) -> str:
    """Messages as plain text for a tokenizer without a chat template (SGP-GenBench's R1 style:
    the system text, ``User: …`` lines and a final ``Assistant:`` cue)."""
    lines: list[str] = []
    for m in messages:
        role = m.get("role", "user")
        content = m.get("content", "")
        lines.append(content if role == "system" else f"{role.capitalize()}: {content}")
    lines.append("Assistant:")
    return "\n".join(lines)


class HFGenerator:
    """Completions from a local Hugging Face ``transformers`` causal LM.

    The model and tokenizer are loaded (``local_files_only=True``, nothing is downloaded) on the
    first :meth:`generate`. Prompts use the tokenizer's chat template when it has one, otherwise
    the messages joined as plain text (the system text, ``User: …``, then ``Assistant:``).
    Requests are generated ``batch_size`` at a time with left padding.

    Parameters
    ----------
    model_path
        The model directory.
    device
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``…; ``None`` takes CUDA when available.
    max_new_tokens
        Tokens generated at most per completion (default 4096); a completion that reaches it
        has ``finish_reason="length"``, otherwise ``"stop"``.
    temperature, top_p
        Sampling when ``temperature > 0``, greedy decoding when it is 0.
    batch_size
        Requests per ``model.generate`` call (default 4).
    seed
        Seeds torch's generator at the start of each :meth:`generate` call, so the same requests
        in the same batches give the same completions.
    dtype
        The weights' dtype (``"bfloat16"``, ``"float32"``, ``"auto"``…); ``None`` is the
        checkpoint's own on CUDA and float32 on CPU.

    Raises
    ------
    RunError
        The directory or its ``config.json`` is missing (at construction), or the model cannot
        be loaded (at the first :meth:`generate`).

    Notes
    -----
    ``completion_tokens`` counts the generated tokens up to and including the stop token;
    ``latency_s`` is the wall time of the batch the request was generated in. A batch that
    fails is retried one request at a time; a request that still fails yields an error
    completion.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        *,
        device: str | None = None,
        max_new_tokens: int = 4096,
        temperature: float = 1.0,
        top_p: float = 1.0,
        batch_size: int = 4,
        seed: int = 0,
        dtype: str | None = None,
    ) -> None:
        path = Path(model_path).expanduser()
        if not path.is_dir():
            raise RunError(f"{os.fspath(path)}: no such model directory; {_EXPECTED_MODEL_DIR}")
        if not (path / "config.json").is_file():
            raise RunError(f"{os.fspath(path)}: no config.json in the model directory; "
                           f"{_EXPECTED_MODEL_DIR}")
        _check_positive("max_new_tokens", max_new_tokens, integer=True)
        _check_positive("temperature", temperature, allow_zero=True)
        _check_positive("top_p", top_p)
        _check_positive("batch_size", batch_size, integer=True)
        _check_positive("seed", seed, integer=True, allow_zero=True)
        self.path = path
        self.name = path.name
        self.device = device
        self.max_new_tokens = max_new_tokens
        self.temperature = float(temperature)
        self.top_p = float(top_p)
        self.batch_size = batch_size
        self.seed = seed
        self.dtype = dtype
        self._model: Any = None
        self._tokenizer: Any = None
        self._eos: frozenset[int] = frozenset()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"HFGenerator({os.fspath(self.path)!r}, device={self.device!r})"

    def _load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype: Any = self.dtype
        if dtype is None:
            dtype = "auto" if device.startswith("cuda") else torch.float32
        try:
            tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
            model: Any = AutoModelForCausalLM.from_pretrained(
                self.path, local_files_only=True, **{_transformers_dtype_key(): dtype})
            model.to(device)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise RunError(f"{os.fspath(self.path)}: cannot load the model ({exc}); "
                           f"{_EXPECTED_MODEL_DIR}") from exc
        model.eval()
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            if tokenizer.eos_token is None:
                raise RunError(f"{os.fspath(self.path)}: the tokenizer has neither a pad nor an "
                               "eos token; batched generation needs one")
            tokenizer.pad_token = tokenizer.eos_token
        eos: set[int] = set()
        for source in (getattr(model.generation_config, "eos_token_id", None),
                       tokenizer.eos_token_id):
            if isinstance(source, int):
                eos.add(source)
            elif isinstance(source, (list, tuple)):
                eos.update(int(t) for t in source)
        self.device = device
        self._eos = frozenset(eos)
        self._tokenizer = tokenizer
        self._model = model

    def render_prompt(self, request: GenerationRequest) -> str:
        """The text the model sees for ``request`` (chat template or plain join)."""
        with self._lock:
            self._load()
        return self._render(request.messages)

    def _render(self, messages: Sequence[Mapping[str, str]]) -> str:
        tokenizer = self._tokenizer
        if getattr(tokenizer, "chat_template", None):
            text = tokenizer.apply_chat_template(
                [dict(m) for m in messages], tokenize=False, add_generation_prompt=True)
            return str(text)
        return _plain_prompt(messages)

    def _run_batch(self, batch: Sequence[GenerationRequest]) -> list[Completion]:
        import torch

        tokenizer = self._tokenizer
        templated = bool(getattr(tokenizer, "chat_template", None))
        texts = [self._render(r.messages) for r in batch]
        encoded = tokenizer(texts, return_tensors="pt", padding=True,
                            add_special_tokens=not templated).to(self.device)
        options: dict[str, Any] = {
            "max_new_tokens": self.max_new_tokens,
            "pad_token_id": tokenizer.pad_token_id,
        }
        if self.temperature > 0:
            options.update(do_sample=True, temperature=self.temperature, top_p=self.top_p)
        else:
            options.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        start = time.monotonic()
        with torch.inference_mode():
            output = self._model.generate(**encoded, **options)
        latency = time.monotonic() - start
        generated = output[:, encoded["input_ids"].shape[1]:].tolist()
        out: list[Completion] = []
        for req, ids in zip(batch, generated):
            stop_at = next((i for i, t in enumerate(ids) if t in self._eos), None)
            if stop_at is not None:
                kept, tokens, finish = ids[:stop_at], stop_at + 1, "stop"
            else:
                kept, tokens = ids, len(ids)
                finish = "length" if tokens >= self.max_new_tokens else "stop"
            text = tokenizer.decode(kept, skip_special_tokens=True)
            out.append(Completion(id=req.id, sample=req.sample, completion=str(text),
                                  finish_reason=finish, completion_tokens=tokens,
                                  latency_s=latency))
        return out

    def generate(self, requests: Iterable[GenerationRequest]) -> Iterator[Completion]:
        """Yield one completion per request, batch by batch, in request order.

        Raises
        ------
        RunError
            The model cannot be loaded.
        """
        import torch

        with self._lock:
            self._load()
        torch.manual_seed(self.seed)
        batch: list[GenerationRequest] = []
        for req in requests:
            batch.append(req)
            if len(batch) == self.batch_size:
                yield from self._guarded(batch)
                batch = []
        if batch:
            yield from self._guarded(batch)

    def _guarded(self, batch: Sequence[GenerationRequest]) -> list[Completion]:
        try:
            return self._run_batch(batch)
        except Exception as exc:
            if len(batch) > 1:
                out: list[Completion] = []
                for req in batch:
                    out.extend(self._guarded([req]))
                return out
            req = batch[0]
            return [Completion(id=req.id, sample=req.sample, completion="",
                               error=f"generation failed ({type(exc).__name__}: {exc})")]

    def close(self) -> None:
        """Drop the model (and free its GPU memory)."""
        with self._lock:
            self._model = None
            self._tokenizer = None
        try:
            import torch
        except ImportError:  # pragma: no cover
            return
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def __enter__(self) -> HFGenerator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------


def make_generator(kind: str, **options: Any) -> Generator:
    """Build a backend by name.

    Parameters
    ----------
    kind
        ``"pregenerated"`` (alias ``"completions"``: ``path``), ``"openai"`` (``base_url``,
        ``model``, …) or ``"hf"`` (alias ``"transformers"``: ``model_path``, …).
    **options
        The backend's constructor arguments.

    Raises
    ------
    ValueError
        An unknown kind.

    Examples
    --------
    >>> gen = make_generator("openai", base_url="http://localhost:8000/v1", model="m")
    >>> gen.name
    'm'
    >>> gen.close()
    """
    if kind in ("pregenerated", "completions"):
        return PregeneratedGenerator(**options)
    if kind == "openai":
        return OpenAIChatGenerator(**options)
    if kind in ("hf", "transformers"):
        return HFGenerator(**options)
    raise ValueError(
        f"Expected `kind` to be one of 'pregenerated', 'openai', 'hf', but got {kind!r}")
