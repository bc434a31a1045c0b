"""Generation backends of svgkit-bench: prompts → requests, pre-generated completions, an
OpenAI-compatible endpoint (a real HTTP server on loopback) and a tiny local HF model."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from svgkit_rewards.bench.generate import (
    DEFAULT_SYSTEM_PROMPT,
    DEFAULT_TEMPLATE,
    Generator,
    HFGenerator,
    OpenAIChatGenerator,
    PregeneratedGenerator,
    _retry_after,
    build_requests,
    chat_completions_url,
    make_generator,
    read_completions,
)
from svgkit_rewards.bench.records import (
    BenchPrompt,
    Completion,
    GenerationRequest,
    RunError,
    SuiteError,
)
from svgkit_rewards.functional.composition import OBJECT_INSTRUCTION

PROMPTS = (
    BenchPrompt(id="apple", prompt="a red apple", kind="object"),
    BenchPrompt(id="pair", prompt="two cats left of a dog", kind="composition",
                category="2d_spatial"),
    BenchPrompt(id="park", prompt="a park at dusk", kind="scene"),
)


def requests_for(*keys: str, n: int = 1) -> list[GenerationRequest]:
    """Requests whose user message is just the key (the fake server's script key)."""
    prompts = [BenchPrompt(id=k, prompt=k) for k in keys]
    return build_requests(prompts, n, template="{prompt}", system_prompt="draw")


# --- build_requests -------------------------------------------------------------------------


def test_build_requests_n_samples_in_prompt_major_order() -> None:
    reqs = build_requests(PROMPTS, 3)
    assert [(r.id, r.sample) for r in reqs] == [
        (p.id, s) for p in PROMPTS for s in range(3)]
    first = reqs[0]
    assert first.prompt == "a red apple"
    assert [m["role"] for m in first.messages] == ["system", "user"]
    assert first.messages[0]["content"] == DEFAULT_SYSTEM_PROMPT
    assert first.messages[1]["content"] == DEFAULT_TEMPLATE.format(prompt="a red apple")
    assert "<think>" in DEFAULT_SYSTEM_PROMPT and "<answer>" in DEFAULT_SYSTEM_PROMPT
    assert all(r.messages == first.messages for r in reqs[:3])


def test_build_requests_template_and_system_prompt() -> None:
    (req,) = build_requests(PROMPTS[:1], template="Draw {{this}}: {prompt}!", system_prompt=None)
    assert req.messages == ({"role": "user", "content": "Draw {this}: a red apple!"},)
    (req,) = build_requests(PROMPTS[:1], system_prompt="be brief")
    assert req.messages[0] == {"role": "system", "content": "be brief"}


def test_object_instruction_only_for_composition_prompts() -> None:
    by_id = {r.id: r.messages[-1]["content"] for r in build_requests(PROMPTS)}
    assert by_id["pair"] == DEFAULT_TEMPLATE.format(prompt="two cats left of a dog") + (
        "\n\n" + OBJECT_INSTRUCTION)
    assert OBJECT_INSTRUCTION not in by_id["apple"]
    assert OBJECT_INSTRUCTION not in by_id["park"]
    plain = {r.id: r.messages[-1]["content"]
             for r in build_requests(PROMPTS, object_instruction=False)}
    assert OBJECT_INSTRUCTION not in plain["pair"]


@pytest.mark.parametrize(("template", "match"), [
    ("Draw this", r"contain the `\{prompt\}` field"),
    ("Draw {prompt} in {style}", r"only the `\{prompt\}` field.*\['style'\]"),
    ("Draw {prompt} {", "does not parse"),
    ("Draw {0}", r"contain the `\{prompt\}` field"),
])
def test_bad_template_is_a_clear_value_error(template: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        build_requests(PROMPTS, template=template)


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_bad_n(n: Any) -> None:
    with pytest.raises(ValueError, match="`n`"):
        build_requests(PROMPTS, n)


# --- pre-generated completions ----------------------------------------------------------------


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text("".join((ln if isinstance(ln, str) else json.dumps(ln)) + "\n"
                            for ln in lines), encoding="utf-8")
    return path


def test_pregenerated_reads_records_and_reports_missing(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "mine.jsonl", [
        {"id": "apple", "sample": 0, "completion": "<svg/>", "finish_reason": "stop",
         "completion_tokens": 3, "extra": "ignored"},
        "",
        {"id": "apple", "sample": 1, "completion": ""},
        {"id": "park", "completion": "<answer><svg/></answer>"},  # sample defaults to 0
    ])
    assert set(read_completions(path)) == {("apple", 0), ("apple", 1), ("park", 0)}
    gen = PregeneratedGenerator(path)
    assert isinstance(gen, Generator) and gen.name == "mine"
    reqs = build_requests([PROMPTS[0], PROMPTS[2]], 2)
    out = list(gen.generate(reqs))
    gen.close()
    assert [c.key for c in out] == [r.key for r in reqs]
    assert out[0] == Completion("apple", 0, "<svg/>", "stop", 3)
    assert out[1].completion == "" and out[1].error is None
    assert out[2].completion == "<answer><svg/></answer>"
    assert out[3].completion == "" and out[3].error == f"missing from {path}"


@pytest.mark.parametrize(("bad", "match"), [
    ('{"id": "b", "completion": "x"', "invalid JSON"),
    ('["b", "x"]', "expected a JSON object"),
    ({"id": "b", "sample": 0}, "missing `completion`"),
    ({"sample": 0, "completion": "x"}, "missing `id`"),
    ({"id": "b", "completion": 12}, "`completion` must be a string"),
    ({"id": "b", "completion": None}, "`completion` must be a string"),
    ({"id": "b", "sample": -1, "completion": "x"}, "`sample` must be a non-negative integer"),
    ({"id": "b", "sample": "0", "completion": "x"}, "`sample` must be a non-negative integer"),
    ({"id": ["b"], "completion": "x"}, "`id` must be a string"),
    ({"id": "b", "completion": "x", "completion_tokens": "9"}, "`completion_tokens`"),
    ({"id": "b", "completion": "x", "finish_reason": 1}, "`finish_reason`"),
    ({"id": "a", "sample": 0, "completion": "again"}, r"duplicate .*'a' sample 0 .*first on line 1"),
])
def test_bad_completions_line_names_file_and_line(tmp_path: Path, bad: object, match: str) -> None:
    path = write_lines(tmp_path / "c.jsonl", [{"id": "a", "sample": 0, "completion": "x"},
                                              "   ", bad])
    with pytest.raises(SuiteError, match=match) as info:
        PregeneratedGenerator(path)
    assert str(info.value).startswith(f"{path}, line 3: ")
    assert info.value.path == str(path) and info.value.line == 3


def test_missing_completions_file(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="cannot read the completions file") as info:
        read_completions(tmp_path / "nope.jsonl")
    assert str(tmp_path / "nope.jsonl") in str(info.value)


# --- OpenAI-compatible endpoint: a real server on loopback ------------------------------------


@dataclass
class Action:
    """One scripted answer: an HTTP status (with headers and body), after ``delay`` seconds."""

    status: int = 200
    text: str = "<svg/>"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None  # raw body instead of a chat completion
    delay: float = 0.0


@dataclass
class Call:
    key: str
    t: float
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeChatServer:
    """Imitates ``POST /v1/chat/completions``. The script maps the last message's content to a
    list of actions, one per attempt (the last one repeats)."""

    def __init__(self) -> None:
        self.script: dict[str, list[Action]] = {}
        self.calls: list[Call] = []
        self.inflight = 0
        self.max_inflight = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = body["messages"][-1]["content"]
                if isinstance(key, list):  # text + image parts: keyed by the text
                    key = next(part["text"] for part in key if part["type"] == "text")
                with server.lock:
                    attempt = sum(c.key == key for c in server.calls)
                    server.calls.append(Call(key, time.monotonic(), self.path,
                                             dict(self.headers), body))
                    actions = server.script.get(key, [Action()])
                    action = actions[min(attempt, len(actions) - 1)]
                    server.inflight += 1
                    server.max_inflight = max(server.max_inflight, server.inflight)
                counted = True
                try:
                    time.sleep(action.delay)
                    if self.path != "/v1/chat/completions":
                        action = Action(404, body="no such route")
                    payload = action.body
                    if payload is None and action.status == 200:
                        payload = json.dumps({
                            "id": "x", "object": "chat.completion",
                            "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant",
                                                     "content": action.text}}],
                            "usage": {"prompt_tokens": 5, "completion_tokens": 7}})
                    data = (payload or "").encode()
                    # no longer in flight before the response leaves: the client may send its
                    # next request as soon as it has read this one, before this thread resumes
                    with server.lock:
                        server.inflight -= 1
                    counted = False
                    self.send_response(action.status)
                    for name, value in action.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout)
                    pass
                finally:
                    if counted:
                        with server.lock:
                            server.inflight -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def attempts(self, key: str) -> list[Call]:
        return [c for c in self.calls if c.key == key]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeChatServer]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    srv = FakeChatServer()
    yield srv
    srv.stop()


def fast(url: str, model: str = "tiny-svg", **kw: Any) -> OpenAIChatGenerator:
    options: dict[str, Any] = {"backoff_s": 0.01, "max_backoff_s": 0.3, "timeout_s": 5.0}
    options.update(kw)
    return OpenAIChatGenerator(url, model, **options)


@pytest.mark.parametrize(("base", "url"), [
    ("http://h:8000", "http://h:8000/v1/chat/completions"),
    ("http://h:8000/", "http://h:8000/v1/chat/completions"),
    ("http://h:8000/v1", "http://h:8000/v1/chat/completions"),
    ("http://h:8000/v1/", "http://h:8000/v1/chat/completions"),
    ("https://api.x.com/v1beta/openai/", "https://api.x.com/v1beta/openai/chat/completions"),
    ("http://h/v1/chat/completions", "http://h/v1/chat/completions"),
])
def test_base_url_rule(base: str, url: str) -> None:
    assert chat_completions_url(base) == url


@pytest.mark.parametrize("base", ["ftp://h/v1", "localhost:8000", "h:8000/v1", "http:///v1"])
def test_bad_base_url_is_a_run_error(base: str) -> None:
    with pytest.raises(RunError, match="base_url"):
        OpenAIChatGenerator(base, "m")


def test_request_body_headers_and_record(server: FakeChatServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVGKIT_TEST_KEY", "sk-secret-123")
    server.script["apple"] = [Action(text="<answer><svg/></answer>")]
    gen = fast(server.url, api_key_env="SVGKIT_TEST_KEY", temperature=0.7, top_p=0.9,
               max_tokens=321, extra_body={"top_k": 20})
    assert isinstance(gen, Generator)
    assert "sk-secret" not in repr(gen)
    reqs = requests_for("apple")
    (out,) = list(gen.generate(reqs))
    gen.close()
    (call,) = server.calls
    assert call.path == "/v1/chat/completions"
    assert call.headers["Authorization"] == "Bearer sk-secret-123"
    assert call.body == {"model": "tiny-svg", "temperature": 0.7, "top_p": 0.9,
                         "max_tokens": 321, "top_k": 20,
                         "messages": [{"role": "system", "content": "draw"},
                                      {"role": "user", "content": "apple"}]}
    assert out.key == ("apple", 0) and out.error is None
    assert out.completion == "<answer><svg/></answer>"
    assert out.finish_reason == "stop" and out.completion_tokens == 7
    assert out.latency_s is not None and out.latency_s > 0

    # no key in the environment: no Authorization header; "/v1/" given explicitly
    monkeypatch.delenv("SVGKIT_TEST_KEY")
    with fast(server.url + "/v1/", api_key_env="SVGKIT_TEST_KEY") as gen:
        list(gen.generate(requests_for("apple")))
    assert "Authorization" not in server.calls[-1].headers
    assert server.calls[-1].path == "/v1/chat/completions"


def test_retries_backoff_timeouts_and_errors(server: FakeChatServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVGKIT_TEST_KEY", "sk-secret-123")
    server.script.update({
        "limited": [Action(429, headers={"Retry-After": "0.25"}, body="slow down"), Action()],
        "capped": [Action(429, headers={"Retry-After": "3600"}), Action()],
        "flaky": [Action(500, body="oops"), Action(502), Action()],
        "hang": [Action(delay=1.5), Action(text="<svg>late</svg>")],
        "stuck": [Action(delay=1.5)],
        "bad": [Action(400, body=json.dumps({"error": {"message": "unknown model sk-secret-123"}}))],
        "down": [Action(500, body="boom\n  boom")],
        "garbled": [Action(200, body="<html>proxy page</html>")],
    })
    keys = list(server.script)
    gen = fast(server.url, api_key_env="SVGKIT_TEST_KEY", concurrency=len(keys),
               max_retries=2, timeout_s=0.3)
    start = time.monotonic()
    out = {c.id: c for c in gen.generate(requests_for(*keys))}
    elapsed = time.monotonic() - start
    gen.close()
    assert set(out) == set(keys)
    n_attempts = {k: len(server.attempts(k)) for k in keys}
    assert n_attempts == {"limited": 2, "capped": 2, "flaky": 3, "hang": 2, "stuck": 3,
                          "bad": 1, "down": 3, "garbled": 1}

    for key in ("limited", "capped", "flaky"):
        assert out[key].error is None and out[key].completion == "<svg/>", key
    assert out["hang"].error is None and out["hang"].completion == "<svg>late</svg>"
    assert out["hang"].latency_s is not None and out["hang"].latency_s >= 0.3

    first, second = server.attempts("limited")
    assert second.t - first.t >= 0.24  # Retry-After honoured (the backoff alone is ~0.01 s)
    first, second = server.attempts("capped")
    assert second.t - first.t < 1.5  # ... but capped by max_backoff_s

    assert out["bad"].completion == "" and out["bad"].error is not None
    assert out["bad"].error.startswith("HTTP 400: ") and "unknown model" in out["bad"].error
    assert "sk-secret" not in out["bad"].error
    assert out["down"].error == "HTTP 500 after 3 attempts: boom boom"
    assert out["stuck"].error == "timeout after 3 attempts (ReadTimeout)"
    assert out["garbled"].error is not None and out["garbled"].error.startswith("bad response")
    assert elapsed < 4.0


def test_concurrency_limit_and_yield_order(server: FakeChatServer) -> None:
    keys = [f"p{i}" for i in range(12)]
    for k in keys:
        server.script[k] = [Action(delay=0.1)]
    server.script["slow"] = [Action(delay=0.8)]
    with fast(server.url, concurrency=3) as gen:
        out = [c.id for c in gen.generate(requests_for("slow", *keys))]
    assert sorted(out) == sorted(["slow", *keys])
    assert server.max_inflight == 3
    assert out[0] != "slow"  # yielded as they finish, not in request order


def test_closing_the_iterator_early_stops_sending(server: FakeChatServer) -> None:
    keys = [f"q{i}" for i in range(40)]
    for k in keys:
        server.script[k] = [Action(delay=0.05)]
    with fast(server.url, concurrency=2) as gen:
        it = gen.generate(requests_for(*keys))
        next(it)
        it.close()
    time.sleep(0.2)
    assert len(server.calls) < 10


def test_nobody_listening_is_a_run_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gen = fast(f"http://127.0.0.1:{port}", max_retries=1)
    with pytest.raises(RunError, match=f"cannot reach the endpoint http://127.0.0.1:{port}"):
        list(gen.generate(requests_for("a", "b")))
    gen.close()


def test_retry_after_parsing() -> None:
    assert _retry_after("2") == 2.0
    assert _retry_after(" 0.5 ") == 0.5
    assert _retry_after("-3") == 0.0
    assert _retry_after("soon") is None and _retry_after(None) is None and _retry_after("nan") is None
    now = time.time()
    assert _retry_after(formatdate(now + 10, usegmt=True), now=now) == pytest.approx(10, abs=1)


# --- a tiny local Hugging Face model --------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 16-wide random Qwen2 and a character-level tokenizer with a chat template,
    built offline (tests/neural_models.py)."""
    import neural_models

    path = tmp_path_factory.mktemp("hf") / "tiny-qwen"
    neural_models.save_tiny_qwen(path, max_positions=512)
    return path


def test_hf_generates_one_completion_per_request(tiny_model: Path) -> None:
    reqs = build_requests(PROMPTS, 2, system_prompt="draw svg")
    gen = make_generator("hf", model_path=tiny_model, device="cpu", max_new_tokens=6,
                         batch_size=4, seed=1)
    assert isinstance(gen, Generator) and gen.name == "tiny-qwen"
    out = list(gen.generate(reqs))
    assert [c.key for c in out] == [r.key for r in reqs]
    for c in out:
        assert c.error is None
        assert isinstance(c.completion, str)
        assert c.finish_reason in ("stop", "length")
        assert c.completion_tokens is not None and 1 <= c.completion_tokens <= 6
        if c.finish_reason == "length":
            assert c.completion_tokens == 6
        assert c.latency_s is not None and c.latency_s >= 0
    assert any(c.completion for c in out)
    # the same seed and batches give the same samples
    again = list(gen.generate(reqs))
    assert [c.completion for c in again] == [c.completion for c in out]
    gen.close()

    greedy = HFGenerator(tiny_model, device="cpu", max_new_tokens=4, temperature=0.0,
                         batch_size=3)
    first = [c.completion for c in greedy.generate(reqs)]
    assert first[0] == first[1]  # the two samples of a prompt are the same when greedy
    greedy.close()


def test_hf_stop_token_gives_finish_reason_stop(tiny_model: Path, tmp_path: Path) -> None:
    from transformers import GenerationConfig

    path = tmp_path / "always-stops"
    shutil.copytree(tiny_model, path)
    vocab = json.loads((path / "config.json").read_text())["vocab_size"]
    config = GenerationConfig(  # type: ignore[no-untyped-call]
        eos_token_id=list(range(vocab)), pad_token_id=0)
    config.save_pretrained(path)
    with HFGenerator(path, device="cpu", max_new_tokens=5, batch_size=2) as gen:
        out = list(gen.generate(build_requests(PROMPTS)))
    assert [(c.finish_reason, c.completion_tokens, c.completion) for c in out] == [
        ("stop", 1, "")] * 3


def test_hf_prompt_uses_chat_template_else_plain_text(tiny_model: Path, tmp_path: Path) -> None:
    (req,) = build_requests(PROMPTS[:1], template="{prompt}", system_prompt="draw svg")
    with HFGenerator(tiny_model, device="cpu") as gen:
        assert gen.render_prompt(req) == "system: draw svg\nuser: a red apple\nassistant: "

    path = tmp_path / "no-template"
    shutil.copytree(tiny_model, path)
    (path / "chat_template.jinja").unlink(missing_ok=True)
    config = json.loads((path / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (path / "tokenizer_config.json").write_text(json.dumps(config))
    with HFGenerator(path, device="cpu", max_new_tokens=3) as gen:
        assert gen.render_prompt(req) == "draw svg\nUser: a red apple\nAssistant:"
        (c,) = list(gen.generate([req]))
        assert c.error is None and c.completion_tokens is not None


def test_hf_missing_model_is_a_run_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(RunError, match="no such model directory") as info:
        HFGenerator(missing)
    assert str(missing) in str(info.value) and "config.json" in str(info.value)
    missing.mkdir()
    with pytest.raises(RunError, match=r"no config\.json"):
        HFGenerator(missing)
    (missing / "config.json").write_text("{}")
    gen = HFGenerator(missing)
    with pytest.raises(RunError, match="cannot load the model"):
        list(gen.generate(build_requests(PROMPTS[:1])))


def test_make_generator_unknown_kind() -> None:
    with pytest.raises(ValueError, match="`kind`"):
        make_generator("vllm")



def test_image_prompts_send_the_reference_picture(server: FakeChatServer) -> None:
    import base64
    import io

    from PIL import Image

    from svgkit_rewards.bench.generate import build_requests

    square = ("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>"
              "<rect width='10' height='5' fill='red'/></svg>")
    prompts = [BenchPrompt("copy", "copy it", "image", reference_svg=square),
               BenchPrompt("text", "a tree", "object")]
    copy_req, text_req = build_requests(prompts, template="{prompt}", system_prompt=None)
    assert text_req.image is None and copy_req.image is not None
    with fast(server.url) as gen:
        outs = list(gen.generate([copy_req, text_req]))
    assert all(o.error is None for o in outs)
    sent = {c.key: c.body["messages"][-1]["content"] for c in server.calls}
    assert sent["a tree"] == "a tree"
    text_part, image_part = sent["copy it"]
    assert text_part == {"type": "text", "text": "copy it"}
    uri = image_part["image_url"]["url"]
    assert image_part["type"] == "image_url" and uri.startswith("data:image/png;base64,")
    picture = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")
    assert picture.size == (512, 512)
    assert picture.getpixel((256, 100)) == (255, 0, 0)  # top half red
    assert picture.getpixel((256, 400)) == (255, 255, 255)  # bottom half white


def test_cli_run_against_an_endpoint(server: FakeChatServer, tmp_path: Path) -> None:
    from svgkit_rewards.bench.cli import main

    svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'>"
           "<circle cx='4' cy='4' r='3' fill='red'/></svg>")
    suite = tmp_path / "suite.jsonl"
    suite.write_text('{"id": "dot", "prompt": "a red dot"}\n{"id": "sun", "prompt": "a sun"}\n')
    template = tmp_path / "template.txt"
    template.write_text("{prompt}")
    empty = tmp_path / "system.txt"
    empty.write_text("")
    server.script["a red dot"] = [Action(500), Action(text=f"<answer>{svg}</answer>")]
    server.script["a sun"] = [Action(400, body="no")]
    out = tmp_path / "run"
    argv = ["run", str(suite), "--endpoint", server.url, "--model", "tiny", "-n", "2",
            "--template", str(template), "--system-prompt", str(empty), "--retries", "2",
            "--out", str(out), "--quiet", "--no-html", "--name", "served"]
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    (system,) = summary["systems"]
    assert system["name"] == "served" and system["samples"] == 4
    assert system["codes"] == {"OK": 2, "GENERATION_ERROR": 2}
    assert all(c.body["model"] == "tiny" for c in server.calls)
    asked = len(server.calls)
    # a rerun asks again only for the failed samples
    server.script["a sun"] = [Action(text=f"<answer>{svg}</answer>")]
    assert main(argv) == 0
    assert len(server.calls) == asked + 2
    summary = json.loads((out / "summary.json").read_text())
    assert summary["systems"][0]["codes"] == {"OK": 4}
