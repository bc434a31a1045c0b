"""The reward server over loopback: a real uvicorn serving the app, a real HTTP client.

Covers each endpoint's round trip, OpenRLHF's own request shape, authentication, a burst of
concurrent clients with valid, invalid and pathological completions (every answered sample
scored exactly as the in-process engine scores it), malformed and oversized bodies, the bounded
queue (503 + Retry-After), the per-request timeout, the client, the TRL and verl adapters
pointed at the server, and the command line with a graceful shutdown under load.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from server_helpers import LiveServer

from svgkit_rewards import RewardEngine, Sample
from svgkit_rewards.client import AsyncRewardClient, RewardClient, RewardServerError
from svgkit_rewards.server import RequestError, ServerSettings, create_app
from svgkit_rewards.server._protocol import parse_json, parse_native, parse_openrlhf

TESTS = Path(__file__).parent
NS = 'xmlns="http://www.w3.org/2000/svg"'


def answer(body: str, i: int = 0) -> str:
    return (f"<think>drawing {i}</think> <answer><svg {NS} viewBox='0 0 20 20'>"
            f"<title>t{i}</title>{body}</svg></answer>")


def good(i: int) -> str:
    return answer(f"<circle cx='{5 + i % 9}' cy='10' r='{2 + i % 5}' fill='#{i % 7}a3'/>", i)


def marked(marker: str, i: int = 0) -> str:
    return answer(f"<!-- {marker} --><rect width='{i + 2}' height='4'/>", i)


PATHOLOGICAL = [
    "no svg here at all",
    f"<answer><svg {NS} viewBox='0 0 10 10'><circle cx='5' r=",  # truncated
    "<!DOCTYPE svg [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]><svg>&b;</svg>",
    "<answer><svg>" + "<g>" * 3000 + "</g>" * 3000 + "</svg></answer>",
    answer("<rect width='1e30' height='1e30'/>").replace("viewBox='0 0 20 20'",
                                                          "width='1e30' height='1e30'"),
    answer("<path d='M0 0 A1e-300 1 0 0 0 1 1'/>"),
    answer("<text>\ud800 lone surrogate</text>"),
    "\x00\x01<svg/>",
    marked("RAISE-ME", 3),
    answer(""),  # draws nothing
]

CONFIG = textwrap.dedent("""\
    recipe = "svgkit"
    add_terms = [{term = "reward_faults:FaultTerm", weight = 0.1}]

    [engine]
    workers = 2
    timeout_s = 2.0
    """)


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("server") / "reward.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(config_file: Path):
    """The in-process engine of the same config: what every answer must equal."""
    engine = RewardEngine.from_config(config_file, in_process=True, workers=None)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def server(config_file: Path):
    engine = RewardEngine.from_config(config_file)
    settings_ = ServerSettings(max_batch_size=32, max_wait_ms=5, max_queue_samples=256,
                               max_samples_per_request=64, max_body_bytes=256 * 1024,
                               max_image_pixels=64 * 64)
    with LiveServer(create_app(engine, settings_)) as live:
        yield live


def expected(reference: RewardEngine, samples: list[Sample]) -> list[dict]:
    """What the in-process engine answers; hanging and crashing completions (which the
    in-process engine cannot survive) score the floor with the worker's code."""
    out: list[dict | None] = [None] * len(samples)
    todo = []
    for i, s in enumerate(samples):
        if "HANG-ME" in s.completion or "CRASH-ME" in s.completion:
            code = "RENDER_TIMEOUT" if "HANG-ME" in s.completion else "RENDER_CRASH"
            out[i] = {"score": reference.floor, "code": code}
        else:
            todo.append(i)
    for i, r in zip(todo, reference.score([samples[i] for i in todo])):
        out[i] = {"score": r.score, "code": r.code, "components": dict(r.components)}
    return out  # type: ignore[return-value]


def assert_matches(results: list[dict], wanted: list[dict]) -> None:
    assert len(results) == len(wanted)
    for got, want in zip(results, wanted):
        assert got["score"] == want["score"], (got, want)
        assert got["diagnostics"]["code"] == want["code"], (got, want)
        if "components" in want:
            assert got["components"] == want["components"]


def png_base64(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# --- round trips ------------------------------------------------------------------------------


def test_native_endpoint_scores_like_the_in_process_engine(server, reference):
    spec = {"major_type": "relation", "minor_type": "2d_spatial", "prompt": "",
            "metadata": {"relation": "on the left of", "nouns": ["cat", "dog"]}}
    samples = [Sample(good(1), prompt="a dot"), Sample(PATHOLOGICAL[0]),
               Sample(good(2), finish_reason="length"), Sample(good(3), spec=spec),
               Sample(good(4), reference_svg=good(5), metadata={"row": 4})]
    body = {"samples": [
        {"completion": samples[0].completion, "prompt": "a dot"},
        samples[1].completion,
        {"completion": samples[2].completion, "finish_reason": "length"},
        {"completion": samples[3].completion, "spec": spec},
        {"completion": samples[4].completion, "reference_svg": good(5), "metadata": {"row": 4}},
    ]}
    response = httpx.post(server.url + "/v1/score", json=body, timeout=60)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["names"] == list(reference.names)
    assert reply["floor"] == reference.floor
    assert_matches(reply["results"], expected(reference, samples))
    assert reply["results"][2]["diagnostics"]["code"] == "TRUNCATED"
    assert set(reply["results"][0]["diagnostics"]) == {"code", "message", "flags", "timings",
                                                       "warnings"}


def test_reference_image_arrives_as_base64_png(server):
    image = np.zeros((8, 8, 3), np.uint8)
    image[2:6, 2:6] = (200, 30, 30)
    for value in (png_base64(image), "data:image/png;base64," + png_base64(image)):
        response = httpx.post(server.url + "/v1/score", timeout=60, json={
            "samples": [{"completion": good(1), "reference_image": value}]})
        assert response.status_code == 200, response.text


def test_openrlhf_protocol_matches_the_in_process_reward_func(server, config_file, monkeypatch):
    import torch  # noqa: F401 - the in-process OpenRLHF adapter returns tensors

    from svgkit_rewards.adapters import openrlhf

    chat = "<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n"
    prompts = [chat.format(f"draw thing {i}") for i in range(5)]
    responses = [good(1), PATHOLOGICAL[0], good(2), PATHOLOGICAL[2], marked("RAISE-ME")]
    queries = [p + r + "<|im_end|>" for p, r in zip(prompts, responses)]
    queries[2] = "unrelated text " + responses[2]  # the prompt is not in this query
    labels = ["a dot", "", good(7), json.dumps({"prompt": "a cat"}), "x"]
    # exactly what OpenRLHF's request_api_wrapper posts
    response = httpx.post(server.url + "/get_reward", timeout=60,
                          json={"query": queries, "prompts": prompts, "labels": labels},
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    reply = response.json()
    monkeypatch.setenv(openrlhf.CONFIG_ENV, str(config_file))
    monkeypatch.setenv(openrlhf.OPTIONS_ENV, '{"in_process": true}')
    with pytest.warns(UserWarning, match="prompt was not found"):
        local = openrlhf.reward_func(queries, prompts, labels)
    assert reply["rewards"] == pytest.approx(local["rewards"].tolist(), abs=1e-6)
    assert reply["scores"] == reply["rewards"]
    assert sorted(reply["extra_logs"]) == sorted(local["extra_logs"])
    for key, values in local["extra_logs"].items():
        assert reply["extra_logs"][key] == pytest.approx(values.tolist(), abs=1e-6), key
    assert reply["extra_logs"]["svgkit/prompt_not_found"] == [0.0, 0.0, 1.0, 0.0, 0.0]
    # the alias path answers the same
    again = httpx.post(server.url + "/openrlhf", timeout=60,
                       json={"query": queries, "prompts": prompts, "labels": labels}).json()
    assert again["rewards"] == reply["rewards"]


def test_health_ready_info_stats_and_metrics(server, reference):
    assert httpx.get(server.url + "/health").json() == {"status": "alive"}
    assert httpx.get(server.url + "/ready").json() == {"ready": True}
    info = httpx.get(server.url + "/v1/info").json()
    assert info["names"] == list(reference.names) and info["floor"] == reference.floor
    assert info["settings"]["max_batch_size"] == 32 and "token" not in info["settings"]
    httpx.post(server.url + "/v1/score", json={"samples": ["no svg", good(1)]}, timeout=60)
    httpx.post(server.url + "/v1/score", content=b"{not json")
    stats = httpx.get(server.url + "/stats").json()
    assert stats["ready"] is True and stats["samples_by_code"]["NO_SVG"] >= 1
    assert stats["refused_by_reason"]["BAD_JSON"] >= 1
    assert stats["latency_s"]["p50"] > 0 and stats["batches"] >= 1
    metrics = httpx.get(server.url + "/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    for line in ('svgkit_requests_total{endpoint="score",status="200"}',
                 'svgkit_sample_codes_total{code="NO_SVG"}',
                 'svgkit_request_errors_total{code="BAD_JSON"}',
                 'svgkit_request_latency_recent_seconds{quantile="0.99"}',
                 "svgkit_queue_depth_samples 0.0", "svgkit_ready 1.0",
                 "svgkit_batch_size_samples_count"):
        assert line in text, line


# --- bad input --------------------------------------------------------------------------------

BAD_BODIES = [
    (b"{not json", 400, "BAD_JSON"),
    (b"\xff\xfe\x00garbage", 400, "BAD_ENCODING"),
    (b'{"samples": [NaN]}', 400, "BAD_JSON"),
    (b"[" * 150_000 + b"]" * 150_000, 413, "TOO_LARGE"),
    (b"[" * 50_000 + b"]" * 50_000, 400, "BAD_JSON"),
    (b'"just a string"', 422, "INVALID"),
    (b'{"samples": "not a list"}', 422, "INVALID"),
    (b'{"samples": [42]}', 422, "INVALID"),
    (b'{"samples": [{"completion": 42}]}', 422, "INVALID"),
    (b'{"samples": [{"completion": "x", "prompt": ["a"]}]}', 422, "INVALID"),
    (b'{"samples": [{"completion": "x", "colour": "red"}]}', 422, "INVALID"),
    (b'{"samples": [], "extra": 1}', 422, "INVALID"),
    (b'{"samples": [{"completion": "x", "reference_image": "/etc/passwd"}]}', 422, "BAD_IMAGE"),
    (b'{"samples": [{"completion": "x", "reference_image": "aGVsbG8="}]}', 422, "BAD_IMAGE"),
    (b'{"samples": [{"completion": "x", "spec": {"major_type": 3}}]}', 422, "BAD_SPEC"),
    (b'{"samples": [{"completion": "x", "spec": "a cat"}]}', 422, "BAD_SPEC"),
    (json.dumps({"samples": ["x"] * 65}).encode(), 413, "TOO_MANY_SAMPLES"),
]

BAD_OPENRLHF = [
    (b'{"prompts": ["p"]}', 422, "INVALID"),
    (b'{"query": "a string"}', 422, "INVALID"),
    (b'{"query": ["a", "b"], "prompts": ["p"]}', 422, "INVALID"),
    (b'{"query": ["a"], "labels": ["x", "y"]}', 422, "INVALID"),
    (b'{"query": [1]}', 422, "INVALID"),
    (b'{"query": ["a"], "labels": [[1, 2]]}', 422, "INVALID"),
    (b'{"query": ["a"], "labels": [{"image": "/etc/passwd"}]}', 422, "BAD_IMAGE"),
]


@pytest.mark.parametrize(("path", "body", "status", "code"),
                         [("/v1/score", *case) for case in BAD_BODIES]
                         + [("/get_reward", *case) for case in BAD_OPENRLHF])
def test_a_bad_request_gets_a_clear_4xx_and_the_server_keeps_serving(server, path, body, status,
                                                                     code):
    response = httpx.post(server.url + path, content=body, timeout=60)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert httpx.post(server.url + "/v1/score", json={"samples": [good(9)]},
                      timeout=60).status_code == 200


def test_a_path_in_a_request_is_never_opened(server, tmp_path):
    secret = tmp_path / "image.png"
    secret.write_bytes(base64.b64decode(png_base64(np.zeros((4, 4, 3), np.uint8))))
    response = httpx.post(server.url + "/v1/score", timeout=60, json={
        "samples": [{"completion": good(1), "reference_image": str(secret)}]})
    assert response.status_code == 422
    assert "not read" in response.json()["error"]["message"]


def test_oversized_bodies_are_refused_whether_declared_or_streamed(server):
    big = b'{"samples": ["' + b"x" * 300_000 + b'"]}'
    assert httpx.post(server.url + "/v1/score", content=big).status_code == 413

    def chunks():
        for _ in range(100):
            yield b"x" * 10_000

    response = httpx.post(server.url + "/v1/score", content=chunks())  # chunked, no length
    assert response.status_code == 413 and response.json()["error"]["code"] == "TOO_LARGE"
    image = np.zeros((65, 65, 3), np.uint8)  # over max_image_pixels = 64²
    response = httpx.post(server.url + "/v1/score", timeout=60, json={
        "samples": [{"completion": "x", "reference_image": png_base64(image)}]})
    assert response.status_code == 422 and "pixels" in response.json()["error"]["message"]


def test_wrong_method_and_path(server):
    assert httpx.get(server.url + "/v1/score").status_code == 405
    assert httpx.post(server.url + "/nowhere", json={}).status_code == 404


def test_hanging_and_crashing_samples_score_the_floor_inside_a_good_request(server, reference):
    samples = [Sample(good(i)) for i in range(6)]
    samples[1] = Sample(marked("HANG-ME", 1))
    samples[3] = Sample(marked("CRASH-ME", 3))
    samples[4] = Sample(PATHOLOGICAL[5])
    response = httpx.post(server.url + "/v1/score", timeout=120,
                          json={"samples": [s.completion for s in samples]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert_matches(results, expected(reference, samples))
    assert [r["diagnostics"]["code"] for r in results][:4] == [
        "OK", "RENDER_TIMEOUT", "OK", "RENDER_CRASH"]
    assert "FLOOR" in results[1]["diagnostics"]["flags"]


# --- load -------------------------------------------------------------------------------------


def test_a_burst_of_concurrent_clients_is_answered_and_scored_exactly(server, reference):
    rng = random.Random(0)
    pool = ([good(i) for i in range(40)] + PATHOLOGICAL + [marked("RAISE-ME", i) for i in range(3)])
    requests: list[list[list[str]]] = []
    for _client in range(64):
        requests.append([[rng.choice(pool) for _ in range(rng.randint(1, 6))]
                         for _request in range(8)])
    requests[5][2].append(marked("HANG-ME", 5))
    requests[40][6].append(marked("HANG-ME", 40))
    requests[7][1].append(marked("CRASH-ME", 7))
    requests[50][3].append(marked("CRASH-ME", 50))
    answers: list[tuple[list[str], httpx.Response]] = []

    async def one_client(batches: list[list[str]], http: httpx.AsyncClient) -> None:
        for completions in batches:
            # json.dumps escapes the lone surrogate that httpx's own encoder refuses
            response = await http.post(server.url + "/v1/score",
                                       content=json.dumps({"samples": completions}))
            answers.append((completions, response))

    async def burst() -> None:
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(timeout=120, limits=limits) as http:
            await asyncio.gather(*(one_client(batches, http) for batches in requests))

    asyncio.run(burst())
    assert len(answers) == 64 * 8
    unique = sorted({c for completions, _ in answers for c in completions})
    truth = dict(zip(unique, expected(reference, [Sample(c) for c in unique])))
    statuses = [r.status_code for _, r in answers]
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
    assert statuses.count(200) >= 64
    scored = 0
    for completions, response in answers:
        if response.status_code == 503:
            assert int(response.headers["retry-after"]) >= 1
            assert response.json()["error"]["code"] == "QUEUE_FULL"
            continue
        assert_matches(response.json()["results"], [truth[c] for c in completions])
        scored += len(completions)
    assert httpx.get(server.url + "/ready").status_code == 200
    stats = httpx.get(server.url + "/stats").json()
    assert stats["queue_depth"] == 0
    assert stats["mean_batch_size"] > 1.5  # concurrent requests were coalesced
    assert scored > 0


@pytest.fixture()
def slow_server(config_file: Path):
    """One worker, a small queue and a short request timeout, to fill and time out on purpose."""
    engine = RewardEngine.from_config(config_file, workers=1, timeout_s=3.0)
    settings_ = ServerSettings(max_batch_size=4, max_wait_ms=1, max_queue_samples=4,
                               max_samples_per_request=4, request_timeout_s=2.0)
    with LiveServer(create_app(engine, settings_)) as live:
        yield live


def test_a_full_queue_answers_503_and_a_late_request_504(slow_server):
    url = slow_server.url + "/v1/score"
    out: dict[str, httpx.Response] = {}

    def post(name: str, completions: list[str]) -> None:
        out[name] = httpx.post(url, json={"samples": completions}, timeout=60)

    hang = threading.Thread(target=post, args=("hang", [marked("HANG-ME", 1)]))
    hang.start()
    time.sleep(0.5)  # the worker is now stuck on it for 3 s
    queued = threading.Thread(target=post, args=("queued", [good(i) for i in range(4)]))
    queued.start()
    time.sleep(0.3)
    post("refused", [good(9)])
    hang.join()
    queued.join()
    assert out["refused"].status_code == 503
    assert out["refused"].json()["error"]["code"] == "QUEUE_FULL"
    assert 1 <= int(out["refused"].headers["retry-after"]) <= 60
    assert out["hang"].status_code == 504 and out["hang"].json()["error"]["code"] == "TIMEOUT"
    assert out["queued"].status_code == 504  # waited past its 2 s behind the hang: dropped
    assert httpx.post(url, json={"samples": [good(2)]}, timeout=60).status_code == 200
    stats = httpx.get(slow_server.url + "/stats").json()
    assert stats["refused_by_reason"] == {"QUEUE_FULL": 1, "TIMEOUT": 2}


def test_the_client_retries_503_until_it_is_served(slow_server):
    blocker = threading.Thread(target=httpx.post, args=(slow_server.url + "/v1/score",),
                               kwargs={"json": {"samples": [marked("HANG-ME", 2)] * 1 +
                                                [good(i) for i in range(3)]}, "timeout": 60})
    blocker.start()
    time.sleep(0.5)
    filler = threading.Thread(target=httpx.post, args=(slow_server.url + "/v1/score",),
                              kwargs={"json": {"samples": [good(i) for i in range(4)]},
                                      "timeout": 60})
    filler.start()
    time.sleep(0.3)
    with RewardClient(slow_server.url, max_retry_wait_s=1.0) as client:
        results = client.score([good(20)])  # refused at first (queue full), then served
        assert results[0].code == "OK"
    blocker.join()
    filler.join()
    assert httpx.get(slow_server.url + "/stats").json()["refused_by_reason"]["QUEUE_FULL"] >= 1


# --- authentication --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def token_server():
    engine = RewardEngine.from_config("sgp", in_process=True)
    with LiveServer(create_app(engine, ServerSettings(token="s3cret-token"))) as live:
        yield live


@pytest.mark.parametrize("path", ["/v1/score", "/get_reward"])
def test_scoring_endpoints_check_the_bearer_token(token_server, path):
    body = {"samples": ["<svg/>"]} if path == "/v1/score" else {"query": ["<svg/>"]}
    url = token_server.url + path
    missing = httpx.post(url, json=body)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert httpx.post(url, json=body, headers={"Authorization": "Bearer wrong"}
                      ).status_code == 401
    assert httpx.post(url, json=body, headers={"Authorization": "Basic s3cret-token"}
                      ).status_code == 401
    assert httpx.post(url, json=body, headers={"Authorization": "Bearer s3cret-token"}
                      ).status_code == 200


def test_probes_stay_open_and_info_is_guarded(token_server):
    assert httpx.get(token_server.url + "/health").status_code == 200
    assert httpx.get(token_server.url + "/ready").status_code == 200
    assert httpx.get(token_server.url + "/metrics").status_code == 200
    assert httpx.get(token_server.url + "/v1/info").status_code == 401
    with pytest.raises(RewardServerError) as caught:
        RewardClient(token_server.url).score(["<svg/>"])
    assert caught.value.status == 401 and caught.value.code == "UNAUTHORISED"
    with RewardClient(token_server.url, token="s3cret-token") as client:
        assert client.names == ("format", "length")


# --- clients and adapters ---------------------------------------------------------------------


def test_sync_and_async_clients_score_like_the_engine(server, reference):
    image = np.full((6, 6, 3), 0.5)
    samples = [Sample(good(1), prompt="a dot"), Sample("nothing"),
               Sample(good(2), reference_image=image), Sample(marked("RAISE-ME", 1))]
    want = reference.score(samples)
    with RewardClient(server.url) as client:
        assert client.ready() and client.health()
        got = client.score(samples)
        assert client(samples) == [r.score for r in want]
        assert client.names == reference.names and client.floor == reference.floor
        assert client.score([]) == []
    assert [(r.score, dict(r.components), r.code) for r in got] == [
        (r.score, dict(r.components), r.code) for r in want]
    assert got[1].diagnostics.flags == want[1].diagnostics.flags

    async def run():
        async with AsyncRewardClient(server.url) as client:
            assert await client.ready()
            return await client(samples), await client.info()

    scores, info = asyncio.run(run())
    assert scores == [r.score for r in want] and info["names"] == list(reference.names)


def test_client_reports_an_unreachable_server():
    client = RewardClient("http://127.0.0.1:9", retries=1, max_retry_wait_s=0.01)
    assert not client.health()
    with pytest.raises(RewardServerError) as caught:
        client.score(["<svg/>"])
    assert caught.value.status == 0 and caught.value.code == "UNREACHABLE"


def test_trl_reward_scores_on_the_server(server, reference):
    from svgkit_rewards.adapters.trl import SVGReward

    completions = [good(1), "no svg", good(3)]
    prompts = ["a dot", "a dot", "a ring"]
    remote = SVGReward(RewardClient(server.url), name="svgkit_remote")
    assert remote(prompts=prompts, completions=completions) == [
        r.score for r in reference.score([Sample(c, prompt=p)
                                          for c, p in zip(completions, prompts)])]


def test_verl_compute_score_on_the_server(server, config_file):
    from svgkit_rewards.adapters import verl

    args = (["svg"] * 3, [good(1), "no svg", marked("RAISE-ME")], ["a dot", "a dot", good(4)])
    remote = verl.compute_score_batch(*args, None, url=server.url)
    local = verl.compute_score_batch(*args, None, config=str(config_file), in_process=True)
    assert remote == local
    with pytest.raises(ValueError, match="not both"):
        verl.compute_score_batch(*args, None, url=server.url, config="sgp")


# --- protocol properties ----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["samples", "query", "prompts", "labels", "completion", "prompt",
                         "spec", "reference_image", "reference_svg", "metadata", "image",
                         "finish_reason", "x"]), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300)
@given(json_values)
def test_request_parsing_never_raises_outside_request_error(body):
    for parse in (parse_native, parse_openrlhf):
        try:
            parse(body, max_samples=8, max_pixels=64)
        except RequestError as exc:
            assert exc.status in (400, 413, 422) and exc.message


@settings(max_examples=200)
@given(st.binary(max_size=64))
def test_any_bytes_parse_or_fail_as_a_request_error(raw):
    try:
        parse_json(raw)
    except RequestError as exc:
        assert exc.status == 400


@settings(max_examples=25, deadline=None)
@given(json_values)
def test_the_live_server_answers_random_bodies_without_a_5xx(token_server, body):
    headers = {"Authorization": "Bearer s3cret-token"}
    for path in ("/v1/score", "/get_reward"):
        response = httpx.post(token_server.url + path, content=json.dumps(body), headers=headers,
                              timeout=60)
        assert response.status_code in (200, 413, 422), response.text


def test_settings_are_validated():
    with pytest.raises(ValueError, match="max_batch_size"):
        ServerSettings(max_batch_size=0)
    with pytest.raises(ValueError, match="max_samples_per_request"):
        ServerSettings(max_queue_samples=4, max_samples_per_request=8)
    with pytest.raises(ValueError, match="token"):
        ServerSettings(token="")
    with pytest.raises(TypeError):
        create_app("sgp")  # type: ignore[arg-type]


# --- the command line -------------------------------------------------------------------------


def _start_cli(args: list[str], env_extra: dict[str, str] | None = None) -> tuple[
        subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get(
        "PYTHONPATH", "")]), **(env_extra or {})}
    proc = subprocess.Popen([sys.executable, "-m", "svgkit_rewards.cli", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if "serving" in line:
            url = line.split(" on ", 1)[1].split()[0]
            return proc, url
    proc.kill()
    raise AssertionError(f"the server did not start: {proc.stderr.read()}")


@pytest.mark.slow
def test_cli_serves_with_a_token_and_shuts_down_gracefully_under_load(tmp_path):
    token = tmp_path / "token"
    token.write_text("cli-token\n")
    config = tmp_path / "reward.toml"
    config.write_text(CONFIG + textwrap.dedent("""
        [server]
        port = 0
        token_file = "token"
        max_batch_size = 8
        """))
    proc, url = _start_cli(["--config", str(config), "--sample-timeout", "2",
                            "--log-level", "warning"])
    try:
        client = RewardClient(url, token_file=token)
        client.wait_ready(300)
        assert client.names == ("format", "length", "hacks", "fault")
        results: list[object] = []

        def in_flight(i: int) -> None:
            try:
                results.append(client.score([marked("HANG-ME", i), good(i)]))
            except Exception as exc:  # collected and asserted below
                results.append(exc)

        threads = [threading.Thread(target=in_flight, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        time.sleep(1.0)  # the requests are in flight (each hangs a worker for 2 s)
        proc.send_signal(signal.SIGTERM)
        for t in threads:
            t.join(120)
        # uvicorn re-raises the signal once the graceful shutdown is done
        assert proc.wait(120) in (0, -signal.SIGTERM)
        assert len(results) == 3
        for batch in results:  # every in-flight request was finished, not dropped
            assert not isinstance(batch, Exception), batch
            assert [r.code for r in batch] == ["RENDER_TIMEOUT", "OK"]
        with pytest.raises(httpx.TransportError):
            httpx.get(url + "/health", timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(("args", "message"), [
    (["--config", "no-such-recipe"], "neither a recipe"),
    (["--config", "sgp", "--token-file", "/nonexistent/token"], "cannot read the token file"),
    (["--config", "sgp", "--max-batch-size", "0"], "max_batch_size"),
])
def test_cli_refuses_bad_settings_with_status_2(args, message):
    proc = subprocess.run([sys.executable, "-m", "svgkit_rewards.cli", "serve", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_cli_refuses_a_config_with_unknown_server_keys(tmp_path):
    config = tmp_path / "reward.toml"
    config.write_text('recipe = "sgp"\n[server]\nprot = 1\n')
    proc = subprocess.run([sys.executable, "-m", "svgkit_rewards.cli", "serve", "--config",
                           str(config)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown [server] keys ['prot']" in proc.stderr
