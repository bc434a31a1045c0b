"""svgkit-bench end to end: the demo run, scoring rules, conventions, resume, neural metrics, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import neural_models as nm
import pytest

from svgkit_rewards.bench import (
    BenchPrompt,
    Completion,
    GenerationRequest,
    MetricConfig,
    RunError,
    Suite,
    SystemSource,
    load_results,
    rebuild_report,
    run_benchmark,
    summarize,
)
from svgkit_rewards.bench.cli import main
from svgkit_rewards.bench.scoring import GENERATION_ERROR, Scorer

CIRCLE = ("<svg xmlns='http://www.w3.org/2000/svg' width='40' height='40'>"
          "<circle id='apple' cx='20' cy='20' r='15' fill='red'/></svg>")
SQUARE = ("<svg xmlns='http://www.w3.org/2000/svg' width='40' height='40'>"
          "<rect x='5' y='5' width='30' height='30' fill='blue'/></svg>")
BLUE_APPLE = SQUARE.replace("<rect", "<rect id='apple'")


class Scripted:
    """A generator that answers from a table and can die after a number of completions."""

    name = "scripted"

    def __init__(self, answers: dict[tuple[str, int], Completion | str],
                 die_after: int | None = None) -> None:
        self.answers = answers
        self.die_after = die_after
        self.asked: list[tuple[str, int]] = []

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator[Completion]:
        for r in requests:
            if self.die_after is not None and len(self.asked) >= self.die_after:
                raise KeyboardInterrupt
            self.asked.append(r.key)
            answer = self.answers.get(r.key, "")
            yield answer if isinstance(answer, Completion) else Completion(r.id, r.sample, answer)

    def close(self) -> None:
        pass


def tiny_suite() -> Suite:
    return Suite("tiny", (
        BenchPrompt("apple", "a red apple", "object", "food"),
        BenchPrompt("two", "two red apples", "composition", "custom",
                    spec={"objects": [{"noun": "apple", "count": 1, "color": "red"}]}),
        BenchPrompt("copy", "copy this", "image", "icons", reference_svg=SQUARE),
    ))


def config() -> MetricConfig:
    return MetricConfig(in_process=True, lpips=False)


# --- scoring rules --------------------------------------------------------------------------------


def test_scorer_records_every_outcome(tmp_path: Path) -> None:
    suite = tiny_suite()
    prompts = suite.by_id()
    scorer = Scorer(config(), tmp_path)
    cut = Completion("apple", 1, CIRCLE, finish_reason="length")
    failed = Completion("apple", 2, "", error="HTTP 500 after 5 attempts")
    records = scorer.score("s", prompts, [
        Completion("apple", 0, f"<think>round</think><answer>{CIRCLE}</answer>",
                   completion_tokens=42),
        cut, failed,
        Completion("two", 0, CIRCLE), Completion("two", 1, "I cannot draw."),
        Completion("copy", 0, SQUARE), Completion("copy", 1, CIRCLE),
        Completion("copy", 2, "<svg><rect"),
    ])
    ok, trunc, gen_err, comp_ok, comp_bad, same, other, broken = records
    assert ok["code"] == "OK" and ok["valid"] and ok["metrics"]["tokens"] == 42.0
    assert ok["metrics"]["chars"] == len(CIRCLE) and ok["metrics"]["primitives"] == 1.0
    assert 0.4 < ok["metrics"]["coverage"] < 0.5  # pi * 15^2 / 40^2
    assert ok["thumbnail"] and (tmp_path / ok["thumbnail"]).is_file()
    assert trunc["code"] == "TRUNCATED" and not trunc["valid"]
    assert gen_err["code"] == GENERATION_ERROR and gen_err["generation_error"].startswith("HTTP")
    assert gen_err["thumbnail"] is None
    assert comp_ok["metrics"]["composition"] == 1.0 and comp_ok["checks"]
    assert comp_bad["code"] == "NO_SVG" and comp_bad["metrics"]["composition"] == 0.0
    assert comp_bad["composition"]["code"] == "NO_SVG"
    assert same["metrics"]["mse"] == 0.0 and same["metrics"]["ssim"] == pytest.approx(1.0)
    assert other["metrics"]["mse"] > 0.1 and other["metrics"]["ssim"] < 0.9
    assert broken["code"] == "TRUNCATED" and broken["metrics"]["ssim"] is None
    assert "clip" not in ok["metrics"] and "dino" not in same["metrics"]
    json.dumps(records, allow_nan=False)  # every record is plain JSON
    scorer.close()


def test_conventions_average_as_documented() -> None:
    def row(i: int, valid: bool, ssim: float | None) -> dict[str, Any]:
        return {"system": "s", "id": f"p{i}", "sample": 0, "kind": "image", "valid": valid,
                "code": "OK" if valid else "NO_SVG", "flags": ["BLANK_CANVAS"] if i == 0 else [],
                "metrics": {"validity": float(valid), "ssim": ssim, "mse": 0.5 if valid else None}}

    rows = [row(0, True, 0.8), row(1, True, 0.4), row(2, False, None), row(3, False, None)]
    paper = summarize(rows)["systems"][0]["metrics"]
    valid = summarize(rows, convention="valid")["systems"][0]["metrics"]
    assert paper["validity"] == 50.0 and paper["hack_rate"] == 25.0
    assert paper["ssim"] == pytest.approx((0.8 + 0.4) / 4)
    assert paper["mse"] == pytest.approx((0.5 + 0.5 + 1 + 1) / 4)  # invalid counts as worst
    assert valid["ssim"] == pytest.approx(0.6) and valid["mse"] == pytest.approx(0.5)
    out = summarize(rows, skipped={"clip": "no model"})
    by_key = {m["key"]: m for m in out["metrics"]}
    assert by_key["clip"]["available"] is False and by_key["clip"]["reason"] == "no model"
    assert by_key["composition"]["reason"] == "does not apply to this suite"
    assert "0" in out["convention_note"]
    with pytest.raises(ValueError, match="convention"):
        summarize(rows, convention="mean")  # type: ignore[arg-type]


# --- runs -----------------------------------------------------------------------------------------


def answers() -> dict[tuple[str, int], Completion | str]:
    return {("apple", 0): CIRCLE, ("apple", 1): "sorry", ("two", 0): CIRCLE,
            ("two", 1): BLUE_APPLE, ("copy", 0): SQUARE, ("copy", 1): CIRCLE}


def test_run_writes_the_folder(tmp_path: Path) -> None:
    summary = run_benchmark(tiny_suite(), [SystemSource("a", Scripted(answers()))], tmp_path,
                            samples=2, config=config(), quiet=True)
    for name in ("completions/a.jsonl", "results.jsonl", "summary.json", "table.md",
                 "report.html"):
        assert (tmp_path / name).is_file(), name
    assert json.loads((tmp_path / "summary.json").read_text()) == summary
    system = summary["systems"][0]
    assert system["samples"] == 6 and system["valid"] == 5
    assert system["codes"] == {"OK": 5, "NO_SVG": 1}
    assert system["metrics"]["composition"] == 50.0
    assert summary["samples_per_prompt"] == 2
    assert summary["suite"]["kinds"] == {"object": 1, "composition": 1, "image": 1}
    assert set(summary["timings"]) >= {"total_s", "generation_s", "scoring_s", "stages_s"}
    assert "| a |" in (tmp_path / "table.md").read_text()


def test_resume_after_interruption_loses_nothing(tmp_path: Path) -> None:
    suite = tiny_suite()
    first = Scripted(answers(), die_after=3)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(suite, [SystemSource("a", first)], tmp_path, samples=2, config=config(),
                      quiet=True)
    assert len((tmp_path / "completions" / "a.jsonl").read_text().splitlines()) == 3
    second = Scripted(answers())
    summary = run_benchmark(suite, [SystemSource("a", second)], tmp_path, samples=2,
                            config=config(), quiet=True)
    assert len(second.asked) == 3 and set(second.asked).isdisjoint(first.asked)
    clean = tmp_path / "clean"
    reference = run_benchmark(suite, [SystemSource("a", Scripted(answers()))], clean,
                              samples=2, config=config(), quiet=True)
    assert summary["systems"] == reference["systems"]
    # a third run has nothing to do, and rescoring nothing keeps one record per sample
    third = Scripted(answers())
    run_benchmark(suite, [SystemSource("a", third)], tmp_path, samples=2, config=config(),
                  quiet=True)
    assert third.asked == []
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == 6 and len(load_results(tmp_path)) == 6


def test_failed_generations_are_retried_on_rerun(tmp_path: Path) -> None:
    suite = Suite("one", (BenchPrompt("apple", "a red apple"),))
    failing = Scripted({("apple", 0): Completion("apple", 0, "", error="timeout")})
    s1 = run_benchmark(suite, [SystemSource("a", failing)], tmp_path, config=config(),
                       quiet=True, html=False)
    assert s1["systems"][0]["codes"] == {GENERATION_ERROR: 1}
    s2 = run_benchmark(suite, [SystemSource("a", Scripted({("apple", 0): CIRCLE}))], tmp_path,
                       config=config(), quiet=True, html=False)
    assert s2["systems"][0]["codes"] == {"OK": 1}


def test_rebuild_report_with_the_other_convention(tmp_path: Path) -> None:
    run_benchmark(tiny_suite(), [SystemSource("a", Scripted(answers()))], tmp_path, samples=2,
                  config=config(), quiet=True, html=False)
    valid = rebuild_report(tmp_path, convention="valid", html=False)
    assert valid["convention"] == "valid"
    assert valid["systems"][0]["metrics"]["validity"] == pytest.approx(500 / 6)
    with pytest.raises(RunError, match=r"summary\.json"):
        rebuild_report(tmp_path / "nothing")


def test_bad_runs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="no systems"):
        run_benchmark(tiny_suite(), [], tmp_path)
    s = SystemSource("a", Scripted({}))
    with pytest.raises(RunError, match="repeat"):
        run_benchmark(tiny_suite(), [s, s], tmp_path)
    with pytest.raises(RunError, match="positive"):
        run_benchmark(tiny_suite(), [s], tmp_path, samples=0)


# --- the demo through the CLI ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("demo")
    assert main(["run", "--quiet", "--out", str(out), "--workers", "2"]) == 0
    return out, json.loads((out / "summary.json").read_text())


def test_demo_run_ranks_the_systems(demo_run: tuple[Path, dict[str, Any]]) -> None:
    _, summary = demo_run
    systems = {s["name"]: s for s in summary["systems"]}
    assert list(systems) == ["careful", "sloppy", "terse", "gamer"]
    m = {name: s["metrics"] for name, s in systems.items()}
    assert m["careful"]["validity"] > m["sloppy"]["validity"]
    assert m["careful"]["validity"] > m["terse"]["validity"]
    assert m["careful"]["composition"] > m["sloppy"]["composition"]
    assert m["careful"]["composition"] > m["terse"]["composition"]
    assert m["careful"]["ssim"] > m["sloppy"]["ssim"]
    assert m["gamer"]["hack_rate"] > 3 * max(m["careful"]["hack_rate"], 5.0)
    assert systems["careful"]["composition"]["minor"]  # CompBench categories reported
    skipped = {x["key"]: x["reason"] for x in summary["metrics"] if not x["available"]}
    assert "--text-image" in skipped["clip"] and "--image-image" in skipped["dino"]
    assert "--image-image" in skipped["diversity"]


def test_demo_run_writes_the_report(demo_run: tuple[Path, dict[str, Any]]) -> None:
    out, summary = demo_run
    table = (out / "table.md").read_text()
    for name in ("careful", "sloppy", "terse", "gamer"):
        assert f"| {name} " in table
    assert "counts as 0" in table  # the convention is stated under the table
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html
    results = load_results(out)
    assert len(results) == sum(s["samples"] for s in summary["systems"])
    assert all((out / r["thumbnail"]).is_file() for r in results if r["thumbnail"])


def test_demo_rerun_resumes_instantly(demo_run: tuple[Path, dict[str, Any]]) -> None:
    out, summary = demo_run
    before = (out / "results.jsonl").read_text()
    assert main(["run", "--quiet", "--out", str(out), "--no-html"]) == 0
    assert (out / "results.jsonl").read_text() == before
    again = json.loads((out / "summary.json").read_text())
    assert again["systems"] == summary["systems"]


# --- neural metrics with tiny local models --------------------------------------------------------


def test_neural_metrics_switch_on_with_local_models(tmp_path: Path) -> None:
    clip = nm.save_hf_clip(tmp_path / "clip")
    dino = nm.save_hf_dinov2(tmp_path / "dino")
    out = tmp_path / "run"
    suite = Suite("n", (
        BenchPrompt("apple", "a red apple", "object"),
        BenchPrompt("copy", "copy this", "image", reference_svg=SQUARE),
    ))
    from svgkit_rewards.neural.terms import ImageImageTerm, TextImageTerm

    cfg = MetricConfig(in_process=True, lpips=False,
                       text_image=TextImageTerm(str(clip), mode="raw", name="clip"),
                       image_image=ImageImageTerm(str(dino), mode="raw", name="dino"))
    table = {("apple", 0): CIRCLE, ("apple", 1): SQUARE, ("copy", 0): SQUARE,
             ("copy", 1): CIRCLE}
    summary = run_benchmark(suite, [SystemSource("a", Scripted(table))], out, samples=2,
                            config=cfg, quiet=True, html=False)
    available = {m["key"] for m in summary["metrics"] if m["available"]}
    assert {"clip", "dino", "diversity"} <= available
    rows = {(r["id"], r["sample"]): r for r in load_results(out)}
    assert -1.0 <= rows[("apple", 0)]["metrics"]["clip"] <= 1.0
    assert "clip" not in rows[("copy", 0)]["metrics"]  # image prompts have no caption score
    assert rows[("copy", 0)]["metrics"]["dino"] == pytest.approx(1.0, abs=1e-4)
    assert rows[("copy", 1)]["metrics"]["dino"] < 1.0
    assert rows[("apple", 0)]["prompt_diversity"] == rows[("apple", 1)]["prompt_diversity"]
    assert summary["systems"][0]["diversity"]["prompts"] == 2


def test_cli_neural_flags(tmp_path: Path) -> None:
    dino = nm.save_hf_dinov2(tmp_path / "dino")
    out = tmp_path / "run"
    assert main(["run", "--quiet", "--out", str(out), "--limit", "3", "--no-html",
                 "--image-image", str(dino)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    reasons = {m["key"]: m["reason"] for m in summary["metrics"]}
    assert "--text-image" in reasons["clip"] and reasons["dino"] != reasons["clip"]


# --- CLI errors -----------------------------------------------------------------------------------


def test_cli_errors_are_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "prompt": "x"}\n{"id": "b"\n')
    assert main(["run", str(bad), "--quiet", "--out", str(tmp_path / "o")]) == 2
    assert f"{bad}, line 2: not valid JSON" in capsys.readouterr().err
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "a", "prompt": "x"}\n')
    assert main(["run", str(good), "--quiet", "--out", str(tmp_path / "o")]) == 1
    assert "no systems" in capsys.readouterr().err
    assert main(["run", str(good), "--endpoint", "http://127.0.0.1:9", "--quiet",
                 "--out", str(tmp_path / "o")]) == 1
    assert "--model" in capsys.readouterr().err
    completions = tmp_path / "c.jsonl"
    completions.write_text('{"id": "a", "sample": 0, "completion": "<svg/>"}\nnot json\n')
    assert main(["run", str(good), "--completions", f"m={completions}", "--quiet",
                 "--out", str(tmp_path / "o2")]) == 2
    assert f"{completions}, line 2" in capsys.readouterr().err
    completions.write_text('{"id": "a", "sample": 0, "completion": "<svg/>"}\n')
    missing = tmp_path / "none"
    assert main(["run", str(good), "--quiet", "--image-image", str(missing),
                 "--completions", str(completions), "--out", str(tmp_path / "o3")]) == 1
    assert str(missing) in capsys.readouterr().err


def test_console_script_runs(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "svgkit_rewards.bench.cli", "--help"],
                         capture_output=True, text=True, check=True)
    assert "run" in out.stdout and "report" in out.stdout
