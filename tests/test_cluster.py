"""Scale-out on Ray, against a local Ray instance the tests start (2 CPUs, no dashboard).

The reward pool scores as the in-process engine does, survives actors killed mid-batch (items
retried once, a poisonous item scored ``CRASH`` alone), and serves the TRL and verl adapters;
the benchmark runner's Ray backend gives the local backend's results, neural metrics included.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

import neural_models as nm  # noqa: E402

from svgkit_rewards import RewardEngine, Sample  # noqa: E402
from svgkit_rewards.bench.cli import main as bench_main  # noqa: E402
from svgkit_rewards.bench.generate import PregeneratedGenerator  # noqa: E402
from svgkit_rewards.bench.records import BenchPrompt, Suite  # noqa: E402
from svgkit_rewards.bench.runner import SystemSource, load_results, run_benchmark  # noqa: E402
from svgkit_rewards.bench.scoring import MetricConfig  # noqa: E402
from svgkit_rewards.bench.suites import DEMO_DIR, demo_suite  # noqa: E402
from svgkit_rewards.cluster import CRASH, RayRewardPool  # noqa: E402

TESTS = Path(__file__).resolve().parent
OK = "<think>a dot</think> <answer><svg><circle r='3'/></svg></answer>"
BATCH = [OK, "no svg", "<svg", OK.replace("r='3'", "r='5'"), "<svg><rect width='2'/></svg>"] * 4
from reward_faults import KILL  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    if ray.is_initialized():  # pragma: no cover - another module left one running
        ray.shutdown()
    # the actors import this module's terms and the tests' helpers by name
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}})
    yield
    ray.shutdown()


def same(a, b) -> bool:
    return (a.score == b.score and a.components == b.components
            and a.diagnostics.code == b.diagnostics.code
            and a.diagnostics.flags == b.diagnostics.flags)


# --- the reward pool ------------------------------------------------------------------------------


def test_pool_scores_as_the_engine_does():
    engine = RewardEngine.from_config("sgp", in_process=True)
    with RayRewardPool("sgp", num_actors=2, chunk_size=3) as pool:
        assert pool.num_actors == 2
        assert pool.names == engine.names and pool.floor == engine.floor
        results = pool.score([Sample(c, prompt="a dot") for c in BATCH])
        expected = engine.score([Sample(c, prompt="a dot") for c in BATCH])
        assert len(results) == len(BATCH)
        assert all(same(a, b) for a, b in zip(results, expected))
        assert pool(["no svg"]) == [0.0] and pool.score([]) == []
        assert pool.replaced == 0


def test_a_poisonous_item_is_scored_crash_alone_and_the_batch_completes():
    config = {"recipe": "sgp", "add_terms": [{"term": "reward_faults:KillTerm", "weight": 0.0}]}
    with RayRewardPool(config, num_actors=2, chunk_size=4) as pool:
        poison = OK.replace("<circle", f"<!-- {KILL} --><circle")
        batch = [OK, poison, "no svg", OK.replace("3", "4"), OK, "<svg"]
        results = pool.score(batch)
        codes = [r.diagnostics.code for r in results]
        assert codes[1] == CRASH and results[1].score == pool.floor
        assert "FLOOR" in results[1].diagnostics.flags
        # the innocent items of the poisoned chunk were retried one by one and scored
        assert codes[0] == codes[3] == codes[4] == "OK" and codes[2] == "NO_SVG"
        assert pool.replaced >= 2  # the first actor, then the one that retried the item
        # the pool goes on with fresh actors
        assert pool.score([OK])[0].diagnostics.code == "OK"


def test_an_actor_killed_mid_batch_is_replaced_and_its_items_retried():
    config = {"recipe": "sgp", "add_terms": [{"term": "reward_faults:SlowTerm", "weight": 0.0}]}
    with RayRewardPool(config, num_actors=2, chunk_size=2) as pool:
        pids = ray.get([a.pid.remote() for a in pool._pool.actors])
        threading.Timer(0.5, os.kill, (pids[0], signal.SIGKILL)).start()
        results = pool.score([Sample(c, prompt="a dot") for c in BATCH[:8]])
        expected = RewardEngine.from_config("sgp", in_process=True).score(BATCH[:8])
        assert [r.diagnostics.code for r in results] == [r.diagnostics.code for r in expected]
        assert [r.score for r in results] == [r.score for r in expected]
        assert pool.replaced == 1


def test_a_hung_chunk_is_cut_off_by_its_deadline():
    config = {"recipe": "sgp", "add_terms": [{"term": "reward_faults:SlowTerm", "weight": 0.0}]}
    with RayRewardPool(config, num_actors=1, chunk_timeout_s=0.3) as pool:
        results = pool.score([OK, OK])
        assert [r.diagnostics.code for r in results] == [CRASH, CRASH]
        assert "deadline" in results[0].diagnostics.message


def test_pool_drops_into_the_trl_adapter():
    from svgkit_rewards.adapters import trl_reward

    with RayRewardPool("sgp", num_actors=2) as pool:
        reward = trl_reward(pool, name="svgkit_sgp")
        metrics: dict[str, float] = {}
        scores = reward(prompts=["a dot"] * 3, completions=[OK, "no", "<svg"],
                        log_metric=metrics.__setitem__)
        assert scores[1:] == [0.0, 0.0] and scores[0] > 0.9
        assert metrics["svgkit/code/NO_SVG"] == pytest.approx(1 / 3)


def test_verl_batch_reward_on_the_pool_from_inside_a_ray_task():
    """verl runs its reward function inside its Ray cluster: the pool joins that cluster."""
    from svgkit_rewards.adapters import verl

    @ray.remote(num_cpus=0)
    def reward_worker(responses):
        try:
            return verl.compute_score_batch(["svg"] * len(responses), responses,
                                            ["a dot"] * len(responses), None,
                                            config="sgp", ray_actors=1)
        finally:  # the worker process outlives the task: free the pool's CPU for later tests
            for pool in verl._ENGINES.values():
                pool.close()
            verl._ENGINES.clear()

    rows = ray.get(reward_worker.remote(BATCH[:5]))
    local = verl.compute_score_batch(["svg"] * 5, BATCH[:5], ["a dot"] * 5, None,
                                     config="sgp", in_process=True)
    assert rows == local
    assert [r["valid"] for r in rows] == [1.0, 0.0, 0.0, 1.0, 1.0]


def test_bad_pool_settings_are_refused():
    from svgkit_rewards.adapters import verl

    with pytest.raises(ValueError, match="ray_actors"):
        verl.compute_score_batch(["s"], [OK], ["a dot"], None, ray_actors=0)
    with pytest.raises(ValueError, match="chunk_size"):
        RayRewardPool("sgp", num_actors=1, chunk_size=0)
    with pytest.raises(ValueError, match="neither a recipe"):
        RayRewardPool("no-such-recipe", num_actors=1)
    with pytest.raises(ValueError, match="Unknown engine settings"):
        RayRewardPool("sgp", num_actors=1, no_such_setting=1)
    bad_model = {"recipe": "sgp", "add_terms": [{"term": "siglip", "model": "/no/such/model"}]}
    with pytest.raises(RuntimeError, match="could not start"):
        RayRewardPool(bad_model, num_actors=1)


# --- the benchmark backend ------------------------------------------------------------------------


def demo_systems() -> list[SystemSource]:
    return [SystemSource(p.stem, PregeneratedGenerator(p))
            for p in sorted((DEMO_DIR / "completions").glob("*.jsonl"))]


def comparable(run_dir: Path) -> tuple[dict, dict]:
    records = {(r["system"], r["id"], r["sample"]): {k: v for k, v in r.items() if k != "timings"}
               for r in load_results(run_dir)}
    summary = json.loads((run_dir / "summary.json").read_text())
    return records, {k: v for k, v in summary.items() if k not in ("timings", "created")}


def test_demo_suite_on_ray_equals_the_local_backend(tmp_path):
    config = MetricConfig(lpips=False, workers=2)
    run_benchmark(demo_suite(), demo_systems(), tmp_path / "local", config=config, quiet=True,
                  html=False)
    run_benchmark(demo_suite(), demo_systems(), tmp_path / "ray", config=MetricConfig(
        lpips=False), quiet=True, html=False, backend="ray", ray_options={"num_actors": 2})
    local, ray_run = comparable(tmp_path / "local"), comparable(tmp_path / "ray")
    assert len(local[0]) == 240
    assert ray_run[0] == local[0]  # every record, thumbnails' paths included
    assert ray_run[1] == local[1]  # the summary
    thumbs = sorted(p.relative_to(tmp_path / "ray") for p in (tmp_path / "ray").rglob("*.png"))
    assert thumbs and thumbs == sorted(
        p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*.png"))


def test_neural_metrics_on_encoder_actors_equal_the_local_ones(tmp_path):
    from svgkit_rewards.neural.terms import ImageImageTerm, TextImageTerm

    clip = nm.save_hf_clip(tmp_path / "clip")
    dino = nm.save_hf_dinov2(tmp_path / "dino")
    square = ("<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'>"
              "<rect width='6' height='6' fill='blue'/></svg>")
    suite = Suite("n", (BenchPrompt("apple", "a red apple", "object"),
                        BenchPrompt("copy", "copy this", "image", reference_svg=square)))
    completions = tmp_path / "sys.jsonl"
    circle = square.replace("<rect width='6' height='6'", "<circle cx='4' cy='4' r='3'")
    completions.write_text("\n".join(json.dumps({"id": i, "sample": s, "completion": c}) for i, s, c in [
        ("apple", 0, circle), ("apple", 1, square), ("copy", 0, square), ("copy", 1, circle)]))

    def config() -> MetricConfig:
        return MetricConfig(lpips=False, workers=1,
                            text_image=TextImageTerm(str(clip), mode="raw", name="clip"),
                            image_image=ImageImageTerm(str(dino), mode="raw", name="dino"))

    for backend in ("local", "ray"):
        run_benchmark(suite, [SystemSource("a", PregeneratedGenerator(completions))],
                      tmp_path / backend, config=config(), quiet=True, html=False,
                      backend=backend, ray_options={"num_actors": 1, "encoder_batch": 2}
                      if backend == "ray" else None)
    local, ray_run = comparable(tmp_path / "local"), comparable(tmp_path / "ray")
    for key, record in local[0].items():
        other = ray_run[0][key]
        for metric in ("clip", "dino"):
            if metric in record["metrics"]:
                assert other["metrics"][metric] == pytest.approx(record["metrics"][metric],
                                                                 abs=1e-5)
        assert other.get("prompt_diversity") == pytest.approx(record.get("prompt_diversity"),
                                                               abs=1e-5)
    assert "clip" in local[0][("a", "apple", 0)]["metrics"]


def test_chunks_that_keep_failing_become_crash_records(tmp_path):
    suite = Suite("s", tuple(demo_suite().prompts[:3]))
    config = MetricConfig(lpips=False)
    summary = run_benchmark(suite, demo_systems()[:1], tmp_path / "run", config=config,
                            quiet=True, html=False, backend="ray",
                            ray_options={"num_actors": 1, "chunk_timeout_s": 0.0})
    records = load_results(tmp_path / "run")
    assert len(records) >= 3 and {r["code"] for r in records} == {CRASH}
    assert all(not r["valid"] and "failed twice" in r["message"] for r in records)
    assert summary["systems"][0]["name"] == demo_systems()[0].name


def test_cli_backend_ray(tmp_path, capsys):
    out = tmp_path / "run"
    assert bench_main(["run", "--quiet", "--no-lpips", "--no-html", "--out", str(out),
                       "--limit", "4", "--backend", "ray", "--ray-actors", "2"]) == 0
    assert len(load_results(out)) == 32  # 4 prompts x 2 samples x 4 demo systems
    assert bench_main(["run", "--quiet", "--out", str(out), "--backend", "ray",
                       "--ray-actors", "0"]) == 1
    assert "--ray-actors" in capsys.readouterr().err
    shutil.rmtree(out)

