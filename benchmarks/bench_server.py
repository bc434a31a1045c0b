"""The reward server under load: throughput and latency at 1, 8 and 64 concurrent clients,
with dynamic batching and one request at a time.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_server.py [--samples-per-request 8] [--workers 2] \
        [--requests-c1 120] [--requests-c8 250] [--requests-c64 384] [--rounds 3] \
        [--inprocess-samples 1536] [--out benchmarks/results/server.json]

The reward is the non-neural ``sgp`` recipe (format gate and length term). Completions are
synthesised here, deterministically (seeded), in the style of a text-to-SVG policy:
``<think>...</think> <answer><svg ...>...</svg></answer>`` with 5 to 30 shapes (circles, rects,
ellipses, paths with a few curves, groups with transforms, occasionally text), about 5 % broken
(no SVG, or truncated). Every completion is distinct (a serial number in its ``<title>``): the
engine caches analyses by content hash, and repeats would measure the cache.

Each server configuration is its own process, started with the command line
(``svgkit-rewards serve --config sgp --port 0``) and stopped with SIGTERM:

* ``batched``: the server's defaults, ``--max-batch-size 64 --max-wait-ms 5``;
* ``unbatched``: ``--max-batch-size`` equal to the samples per request and ``--max-wait-ms 0``,
  so every engine call scores exactly one request (one request at a time).

Both servers run side by side, but only one is loaded at a time (the other idles): the phases
are interleaved, ``--rounds`` times, alternating which configuration goes first, so that the
machine's drift (a shared 2-core VM varies by 10-20 % over minutes) hits both alike. Reported
throughput is the median over the rounds; latency percentiles pool every round's requests.

After a warm-up of 50 requests, the load generator (one ``httpx.AsyncClient``) runs C closed-loop
clients (C = 1, 8, 64), each sending its next request as soon as the last one is answered, with
``--samples-per-request`` completions per request (like a rollout worker's per-call batch).
Reported per phase: samples/s and requests/s over the phase's wall time, p50/p99 of the
per-request latency (send to reply, client side), 503 and other non-200 replies, and the
server's mean engine batch size over the phase (from ``/stats``). The batching gain is
throughput(batched) / throughput(unbatched) at the same concurrency. An in-process baseline
scores fresh completions with ``RewardEngine.from_config("sgp", workers=2)`` directly, in chunks
of 64 (and of ``--samples-per-request``), once before and once after the servers (the mean is
reported, both runs kept), so that the HTTP overhead shows as a ratio; the median round trip of
``GET /health`` on an idle connection gives the HTTP floor per request.

Caveat: on a small machine (this one has 2 cores) the load generator, the server's event loop
and its analysis worker processes all share the same cores, so the figures understate what a
server on its own machine does, and the client's JSON work competes with the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from svgkit_rewards import RewardEngine  # noqa: E402

CONCURRENCY = (1, 8, 64)
WARMUP_REQUESTS = 50
READY_TIMEOUT_S = 600.0
URL_RE = re.compile(r"serving .* on (http://\S+)")

PALETTE = ["#d62828", "#1d4ed8", "#2a9d3f", "#f4d000", "#7b2cbf", "#f77f00", "#111111",
           "#f472b6", "#8b5a2b", "#888888", "none"]
SUBJECTS = ["a red apple on a table", "a cat under a blue umbrella", "three birds on a wire",
            "a lighthouse at night", "a bowl of fruit", "a rocket above the clouds",
            "a yellow bus next to a tree", "a chess board", "a coffee cup with steam",
            "two sailboats on a lake"]
WORDS = ["sun", "tree", "house", "moon", "star", "cloud", "boat", "bird", "flower", "hill"]


# -- completions ----------------------------------------------------------------------------

def _num(rng: random.Random, lo: float = 0.0, hi: float = 256.0) -> str:
    return f"{rng.uniform(lo, hi):.1f}"


def _element(rng: random.Random, depth: int = 0) -> str:
    fill = rng.choice(PALETTE)
    stroke = "" if rng.random() < 0.6 else (f' stroke="{rng.choice(PALETTE[:-1])}" '
                                            f'stroke-width="{rng.randint(1, 4)}"')
    kind = rng.choices(["circle", "rect", "ellipse", "path", "group", "text"],
                       [4, 4, 2, 4, 0 if depth else 2, 1])[0]
    if kind == "circle":
        return (f'<circle cx="{_num(rng)}" cy="{_num(rng)}" r="{_num(rng, 3, 60)}" '
                f'fill="{fill}"{stroke}/>')
    if kind == "rect":
        rx = f' rx="{rng.randint(1, 12)}"' if rng.random() < 0.3 else ""
        return (f'<rect x="{_num(rng, 0, 200)}" y="{_num(rng, 0, 200)}" '
                f'width="{_num(rng, 5, 120)}" height="{_num(rng, 5, 120)}"{rx} '
                f'fill="{fill}"{stroke}/>')
    if kind == "ellipse":
        return (f'<ellipse cx="{_num(rng)}" cy="{_num(rng)}" rx="{_num(rng, 4, 70)}" '
                f'ry="{_num(rng, 4, 50)}" fill="{fill}"{stroke}/>')
    if kind == "path":
        d = [f"M{_num(rng)} {_num(rng)}"]
        for _ in range(rng.randint(1, 4)):
            cmd = rng.choice("CQL")
            pts = {"C": 3, "Q": 2, "L": 1}[cmd]
            d.append(cmd + " ".join(f"{_num(rng)} {_num(rng)}" for _ in range(pts)))
        if rng.random() < 0.6:
            d.append("Z")
        return f'<path d="{" ".join(d)}" fill="{fill}"{stroke}/>'
    if kind == "text":
        return (f'<text x="{_num(rng, 10, 200)}" y="{_num(rng, 20, 240)}" '
                f'font-size="{rng.randint(10, 28)}" fill="{fill}">{rng.choice(WORDS)}</text>')
    transform = rng.choice([
        f"translate({_num(rng, -40, 40)} {_num(rng, -40, 40)})",
        f"rotate({rng.randint(-45, 45)} 128 128)",
        f"scale({rng.uniform(0.5, 1.5):.2f})",
        f"translate({_num(rng, 0, 60)} {_num(rng, 0, 60)}) rotate({rng.randint(-30, 30)})",
    ])
    children = "".join(_element(rng, depth + 1) for _ in range(rng.randint(2, 4)))
    return f'<g transform="{transform}">{children}</g>'


def make_completion(serial: int, rng: random.Random) -> str:
    """One distinct model-style completion (``serial`` makes it unique)."""
    subject = rng.choice(SUBJECTS)
    shapes: list[str] = []
    n = 0
    target = rng.randint(5, 30)
    while n < target:
        el = _element(rng)
        shapes.append(el)
        n += max(1, el.count("/>") + el.count("</text>"))
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256">'
           f"<title>sample {serial}</title>" + "".join(shapes) + "</svg>")
    think = (f"<think>The prompt asks for {subject}. I will lay out the background first, then "
             f"{target} shapes for the main objects.</think>")
    roll = rng.random()
    if roll < 0.025:  # no SVG at all
        return f"{think} <answer>I cannot draw {subject} ({serial}).</answer>"
    text = f"{think} <answer>{svg}</answer>"
    if roll < 0.05:  # cut off mid-document
        return text[: rng.randint(len(think) + 40, len(text) - 20)]
    return text


class Completions:
    """A deterministic, never-repeating stream of completions."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0

    def take(self, n: int) -> list[str]:
        out = [make_completion(self.serial + i, self.rng) for i in range(n)]
        self.serial += n
        return out


# -- the server -----------------------------------------------------------------------------

class Server:
    """``svgkit-rewards serve`` in a subprocess."""

    def __init__(self, flags: list[str], workers: int) -> None:
        self.cmd = [sys.executable, "-m", "svgkit_rewards.cli", "serve", "--config", "sgp",
                    "--port", "0", "--workers", str(workers), "--log-level", "warning", *flags]
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self.url = ""

    def start(self) -> float:
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        found: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            assert self.proc is not None and self.proc.stderr is not None
            for line in self.proc.stderr:
                self.lines.append(line.rstrip("\n"))
                m = URL_RE.search(line)
                if m:
                    found.put(m.group(1))

        threading.Thread(target=pump, daemon=True).start()
        try:
            self.url = found.get(timeout=120)
        except queue.Empty:
            self.stop()
            raise RuntimeError("the server did not start:\n" + "\n".join(self.lines)) from None
        deadline = time.monotonic() + READY_TIMEOUT_S
        with httpx.Client(base_url=self.url, timeout=10) as c:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError("the server exited:\n" + "\n".join(self.lines))
                try:
                    r = c.get("/ready")
                    if r.status_code == 200:
                        break
                    if r.json().get("error"):
                        raise RuntimeError(f"the server failed to load: {r.text}")
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server was not ready in time")
                time.sleep(0.25)
        return time.perf_counter() - t0

    def stats(self) -> dict[str, Any]:
        return httpx.get(self.url + "/stats", timeout=30).json()

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


# -- the load generator ---------------------------------------------------------------------

async def _load(url: str, bodies: list[bytes], concurrency: int
                ) -> tuple[float, list[float], list[int], list[str]]:
    """Send ``bodies`` with ``concurrency`` closed-loop clients: wall time, per-request
    latency (s), status codes, and transport errors."""
    latencies = [0.0] * len(bodies)
    statuses = [0] * len(bodies)
    errors: list[str] = []
    it = iter(range(len(bodies)))
    headers = {"Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits,
                                 timeout=httpx.Timeout(600.0)) as client:

        async def worker() -> None:
            for i in it:
                t0 = time.perf_counter()
                try:
                    r = await client.post("/v1/score", content=bodies[i], headers=headers)
                    await r.aread()
                    statuses[i] = r.status_code
                    if r.status_code == 200 and len(r.json()["results"]) == 0:
                        statuses[i] = -1
                except httpx.HTTPError as exc:
                    statuses[i] = 0
                    errors.append(f"{type(exc).__name__}: {exc}")
                latencies[i] = time.perf_counter() - t0

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    return wall, latencies, statuses, errors


def _bodies(gen: Completions, requests: int, per_request: int) -> list[bytes]:
    return [json.dumps({"samples": gen.take(per_request)}).encode("utf-8")
            for _ in range(requests)]


def _batch_totals(stats: dict[str, Any]) -> tuple[int, float]:
    batches = int(stats["batches"])
    return batches, (stats["mean_batch_size"] or 0.0) * batches


def run_phase(server: Server, name: str, c: int, rnd: int, args: argparse.Namespace,
              gen: Completions) -> dict[str, Any]:
    """One phase: ``c`` closed-loop clients against ``server``; the row keeps the raw
    latencies (``_lat_ms``) for pooling across rounds."""
    n = getattr(args, f"requests_c{c}")
    bodies = _bodies(gen, n, args.samples_per_request)
    before = server.stats()
    wall, lat, st, errors = asyncio.run(_load(server.url, bodies, c))
    after = server.stats()
    b0, s0 = _batch_totals(before)
    b1, s1 = _batch_totals(after)
    ok = [x for x, s in zip(lat, st) if s == 200]
    lat_ms = np.asarray(ok) * 1000.0
    server_status = {k: v - before["requests_by_status"].get(k, 0)
                     for k, v in after["requests_by_status"].items()
                     if v - before["requests_by_status"].get(k, 0)}
    row = {
        "config": name, "concurrency": c, "round": rnd, "requests": n,
        "wall_s": round(wall, 3),
        "samples_per_s": round(len(ok) * args.samples_per_request / wall, 1),
        "requests_per_s": round(len(ok) / wall, 2),
        "p50_ms": round(float(np.percentile(lat_ms, 50)), 1) if ok else None,
        "p99_ms": round(float(np.percentile(lat_ms, 99)), 1) if ok else None,
        "status_503": sum(s == 503 for s in st),
        "other_failures": sum(s not in (200, 503) for s in st),
        "transport_errors": errors[:5],
        "engine_batches": b1 - b0,
        "batched_samples": round(s1 - s0),
        "mean_batch_size": round((s1 - s0) / (b1 - b0), 2) if b1 > b0 else None,
        "server_status_counts": server_status,
        "_lat_ms": lat_ms,
    }
    print(f"[round {rnd}] {name} c={c}: {row['samples_per_s']} samples/s, p50 {row['p50_ms']} "
          f"ms, p99 {row['p99_ms']} ms, batch {row['mean_batch_size']}",
          file=sys.stderr, flush=True)
    return row


def aggregate(rows: list[dict[str, Any]], spr: int) -> list[dict[str, Any]]:
    """Per (config, concurrency): median throughput over the rounds, latency percentiles over
    all the rounds' requests pooled, refusals and batches summed."""
    out = []
    keys = list(dict.fromkeys((r["config"], r["concurrency"]) for r in rows))
    for name, c in keys:
        rs = [r for r in rows if r["config"] == name and r["concurrency"] == c]
        lat = np.concatenate([r["_lat_ms"] for r in rs])
        batches = sum(r["engine_batches"] for r in rs)
        out.append({
            "config": name, "concurrency": c, "rounds": len(rs),
            "requests": sum(r["requests"] for r in rs),
            "samples": sum(r["requests"] for r in rs) * spr,
            "samples_per_s": round(float(np.median([r["samples_per_s"] for r in rs])), 1),
            "samples_per_s_rounds": [r["samples_per_s"] for r in rs],
            "requests_per_s": round(float(np.median([r["requests_per_s"] for r in rs])), 2),
            "p50_ms": round(float(np.percentile(lat, 50)), 1) if lat.size else None,
            "p99_ms": round(float(np.percentile(lat, 99)), 1) if lat.size else None,
            "mean_ms": round(float(lat.mean()), 1) if lat.size else None,
            "max_ms": round(float(lat.max()), 1) if lat.size else None,
            "status_503": sum(r["status_503"] for r in rs),
            "other_failures": sum(r["other_failures"] for r in rs),
            "engine_batches": batches,
            "mean_batch_size": (round(sum(r["batched_samples"] for r in rs) / batches, 2)
                                if batches else None),
        })
    return out


def run_servers(configs: dict[str, list[str]], args: argparse.Namespace, gen: Completions
                ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Start every configuration's server (each idles while another is measured), then run
    the phases interleaved, round after round, alternating which configuration goes first."""
    servers = {name: Server(flags, args.workers) for name, flags in configs.items()}
    infos: dict[str, Any] = {name: {"flags": flags} for name, flags in configs.items()}
    rows: list[dict[str, Any]] = []
    try:
        for name, server in servers.items():
            print(f"[{name}] starting: {' '.join(server.cmd[1:])}", file=sys.stderr, flush=True)
            infos[name]["startup_s"] = round(server.start(), 2)
            infos[name]["health_rtt_ms_p50"] = health_rtt_ms(server.url)
            warm = _bodies(gen, WARMUP_REQUESTS, args.samples_per_request)
            _, _, st, _ = asyncio.run(_load(server.url, warm, 8))
            infos[name]["warmup_non_200"] = sum(s != 200 for s in st)
        names = list(servers)
        for rnd in range(args.rounds):
            for c in CONCURRENCY:
                order = names if rnd % 2 == 0 else names[::-1]
                for name in order:
                    rows.append(run_phase(servers[name], name, c, rnd, args, gen))
        for name, server in servers.items():
            final = server.stats()
            infos[name]["final_stats"] = {
                k: final[k] for k in ("requests", "requests_by_status", "samples",
                                      "samples_by_code", "refused_by_reason", "batches",
                                      "mean_batch_size")}
    finally:
        for name, server in servers.items():
            t0 = time.perf_counter()
            infos[name]["exit_code"] = server.stop()
            infos[name]["stop_s"] = round(time.perf_counter() - t0, 2)
            noisy = [ln for ln in server.lines if not URL_RE.search(ln)]
            infos[name]["stderr_tail"] = noisy[-20:]
    return rows, infos


def health_rtt_ms(url: str, n: int = 30) -> float:
    """Median round trip of ``GET /health`` on one idle keep-alive connection (the HTTP floor).
    """

    async def go() -> list[float]:
        out = []
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            await client.get("/health")
            for _ in range(n):
                t0 = time.perf_counter()
                await client.get("/health")
                out.append((time.perf_counter() - t0) * 1000.0)
        return out

    return round(float(np.median(asyncio.run(go()))), 1)


def in_process(gen: Completions, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"workers": args.workers, "samples": args.inprocess_samples}
    with RewardEngine.from_config("sgp", workers=args.workers) as engine:
        engine.score(gen.take(64))  # start the workers, compile what needs compiling
        for chunk in (64, args.samples_per_request):
            texts = gen.take(args.inprocess_samples)
            t0 = time.perf_counter()
            for i in range(0, len(texts), chunk):
                engine.score(texts[i : i + chunk])
            wall = time.perf_counter() - t0
            calls = -(-len(texts) // chunk)
            out[f"chunk_{chunk}"] = {"wall_s": round(wall, 3),
                                     "samples_per_s": round(len(texts) / wall, 1),
                                     "ms_per_call": round(wall / calls * 1000.0, 1)}
        out["cache_hits"] = engine.counters["cache_hits"]
    return out


def table(rows: list[dict[str, Any]], gains: dict[str, Any], base: dict[str, Any],
          servers: dict[str, Any]) -> str:
    lines = ["| config | clients | samples/s (median) | per round | requests/s | p50 ms | p99 ms "
             "| 503s | other failures | mean engine batch |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        per_round = " / ".join(str(x) for x in r["samples_per_s_rounds"])
        lines.append(f"| {r['config']} | {r['concurrency']} | {r['samples_per_s']} | "
                     f"{per_round} | "
                     f"{r['requests_per_s']} | {r['p50_ms']} | {r['p99_ms']} | "
                     f"{r['status_503']} | {r['other_failures']} | {r['mean_batch_size']} |")
    lines.append("")
    lines.append("idle GET /health round trip (median): " + ", ".join(
        f"{name}: {info.get('health_rtt_ms_p50')} ms" for name, info in servers.items()))
    lines.append("")
    lines.append("| clients | batching gain (batched / unbatched samples/s) | per round | "
                 "batched / in-process (chunks of 64) |")
    lines.append("|---:|---:|---|---:|")
    for c, g in gains.items():
        per_round = " / ".join(str(x) for x in g["batching_gain_rounds"])
        lines.append(f"| {c} | {g['batching_gain']} | {per_round} | {g['vs_in_process_64']} |")
    lines.append("")
    lines.append("in-process baseline (mean of a run before and after the servers): " + "; ".join(
        f"chunks of {k.split('_')[1]}: {v['samples_per_s']} samples/s, {v['ms_per_call']} ms/call"
        + " (runs: " + ", ".join(str(run[k]["samples_per_s"]) for run in base["runs"]) + ")"
        for k, v in base.items() if k.startswith("chunk_")))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples-per-request", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests-c1", type=int, default=120)
    parser.add_argument("--requests-c8", type=int, default=250)
    parser.add_argument("--requests-c64", type=int, default=384)
    parser.add_argument("--inprocess-samples", type=int, default=1536)
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds of every phase (medians are reported)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "server.json")
    args = parser.parse_args()
    t_start = time.perf_counter()
    gen = Completions(args.seed)
    spr = args.samples_per_request
    configs = {
        "batched": ["--max-batch-size", "64", "--max-wait-ms", "5"],
        "unbatched": ["--max-batch-size", str(spr), "--max-wait-ms", "0"],
    }
    # the in-process baseline runs before and after the servers (the machine drifts)
    print("[in-process] scoring", file=sys.stderr, flush=True)
    runs = [in_process(gen, args)]
    raw, servers = run_servers(configs, args, gen)
    rows = aggregate(raw, spr)
    print("[in-process] scoring again", file=sys.stderr, flush=True)
    runs.append(in_process(gen, args))
    base: dict[str, Any] = {"workers": args.workers, "samples": args.inprocess_samples,
                            "runs": runs}
    for key in (k for k in runs[0] if k.startswith("chunk_")):
        base[key] = {m: round(float(np.mean([run[key][m] for run in runs])), 1)
                     for m in ("samples_per_s", "ms_per_call")}
    by = {(r["config"], r["concurrency"]): r for r in rows}
    gains: dict[str, Any] = {}
    for c in CONCURRENCY:
        b, u = by.get(("batched", c)), by.get(("unbatched", c))
        if b and u and u["samples_per_s"]:
            gains[str(c)] = {
                "batching_gain": round(b["samples_per_s"] / u["samples_per_s"], 2),
                "batching_gain_rounds": [
                    round(x / y, 2) for x, y in zip(b["samples_per_s_rounds"],
                                                    u["samples_per_s_rounds"]) if y],
                "p50_ratio": round(b["p50_ms"] / u["p50_ms"], 2) if u["p50_ms"] else None,
                "vs_in_process_64": round(b["samples_per_s"]
                                          / base["chunk_64"]["samples_per_s"], 2),
            }
    result = {
        "command": "python benchmarks/bench_server.py " + " ".join(sys.argv[1:]),
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "machine": platform.machine(), "cpus": os.cpu_count(),
                    "python": platform.python_version(), "httpx": httpx.__version__},
        "settings": {"recipe": "sgp", "workers": args.workers, "samples_per_request": spr,
                     "concurrency": list(CONCURRENCY), "warmup_requests": WARMUP_REQUESTS,
                     "rounds": args.rounds,
                     "requests": {str(c): getattr(args, f"requests_c{c}") for c in CONCURRENCY},
                     "seed": args.seed, "configs": configs,
                     "note": "load generator shares the machine's cores with the server"},
        "phases": rows,
        "phases_by_round": [{k: v for k, v in r.items() if k != "_lat_ms"} for r in raw],
        "gains": gains,
        "in_process": base,
        "servers": servers,
        "total_runtime_s": round(time.perf_counter() - t_start, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(rows, gains, base, servers))
    print(f"\ntotal runtime {result['total_runtime_s']} s; written to {args.out}")


if __name__ == "__main__":
    main()
