"""The benchmark reports: Markdown table, self-contained HTML, and the HTML in headless Chromium.

A synthetic run (three systems, invalid samples, flags, composition categories, skipped metrics,
real PNG thumbnails rendered by svgkit) is written into a temporary directory. The browser tests
need Debian's ``chromium``: skipped locally without it, a failure under CI (``make setup``
installs it for dev set-ups). The screenshot is kept in ``$SVGKIT_TEST_ARTIFACTS`` when set.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import svgkit

pytest.importorskip("jinja2")
PIL_Image = pytest.importorskip("PIL.Image")

from svgkit_rewards.bench import report  # noqa: E402

CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
HOSTILE = '<script>alert(1)</script> & "quoted" <img src=x onerror=alert(2)>'
NOTE = "Means over all samples; an invalid sample counts as 0 (SGP-GenBench's convention)."

SHAPES = {
    "careful": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
               '<circle cx="32" cy="34" r="22" fill="#d22"/><rect x="30" y="6" width="4" height="10" fill="#642"/></svg>',
    "sloppy": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
              '<rect x="8" y="20" width="30" height="30" fill="#39c"/></svg>',
    "gamer": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
             '<rect width="64" height="64" fill="#fc0"/></svg>',
}
# (id, kind, category, prompt)
PROMPTS = [
    ("apple", "object", "fruit", "a red apple"),
    ("house", "scene", "buildings", "a house under a blue sky"),
    ("hostile", "object", None, HOSTILE),
    ("red_cube", "composition", "color", "a red cube and a blue ball"),
    ("left_of", "composition", "2d_spatial", "a cat to the left of a dog"),
    ("three", "composition", "basic", "three apples"),
]


def _metrics_of(system: str, pid: str, sample: int, valid: bool, kind: str) -> dict[str, Any]:
    if not valid:
        return {"validity": 0.0, "clip": None, "composition": 0.0 if kind == "composition" else None,
                "composition_score": 0.0 if kind == "composition" else None,
                "coverage": None, "chars": 0, "tokens": 3}
    base = {"careful": 0.8, "sloppy": 0.5, "gamer": 0.95}[system]
    jitter = (sum(map(ord, pid)) % 7) / 100 + sample / 50
    m: dict[str, Any] = {"validity": 1.0, "clip": None, "coverage": round(base - jitter, 3),
                         "chars": 100 + 10 * len(pid) + sample, "tokens": 30 + sample}
    if kind == "composition":
        m["composition_score"] = round(min(1.0, base + jitter), 3)
        m["composition"] = 1.0 if m["composition_score"] >= 0.8 else 0.0
    return m


def _results(run_dir: Path) -> list[dict[str, Any]]:
    rows = []
    for system in ("careful", "sloppy", "gamer"):
        png = run_dir / "thumbs" / system
        png.mkdir(parents=True, exist_ok=True)
        pixels = svgkit.render(SHAPES[system], 128, 128, background="white")
        for pid, kind, category, prompt in PROMPTS:
            for sample in (0, 1):
                valid = not (system == "sloppy" and sample == 1)
                code = "OK" if valid else ("NO_SVG" if pid != "house" else "XML_SYNTAX")
                thumb: str | None = None
                if valid:
                    thumb = f"thumbs/{system}/{pid}__{sample}.png"
                    if not (system == "careful" and pid == "house" and sample == 1):
                        PIL_Image.fromarray(np.ascontiguousarray(pixels)).save(run_dir / thumb)
                    # else: the record names a thumbnail that is not on disk (placeholder)
                flags = ["FULL_CANVAS_RECT"] if system == "gamer" and valid else []
                if system == "gamer" and pid == "apple":
                    flags.append("BLANK_CANVAS")
                rows.append({
                    "system": system, "id": pid, "sample": sample, "kind": kind,
                    "category": category, "prompt": prompt, "code": code,
                    "message": "" if valid else f"no <svg> element in {HOSTILE}",
                    "valid": valid, "flags": flags, "warnings": [],
                    "metrics": _metrics_of(system, pid, sample, valid, kind),
                    "checks": [], "thumbnail": thumb, "finish_reason": "stop",
                    "generation_error": None, "timings": {},
                })
    return rows


def _metric(key, label, hib, scale, available=True, reason=None):
    return {"key": key, "label": label, "higher_is_better": hib, "scale": scale,
            "available": available, "reason": reason, "description": f"about {label}"}


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    metrics = [
        _metric("validity", "Valid %", True, "0-100"),
        _metric("clip", "CLIP", True, "raw cosine", False,
                "no text-image model configured (--text-image MODEL)"),
        _metric("dino", "DINO", True, "raw cosine", False, "no reference images in this suite"),
        _metric("composition", "Comp. acc.", True, "0-100"),
        _metric("coverage", "Coverage", None, "0-1"),
        _metric("hack_rate", "Hack %", False, "0-100"),
        _metric("chars", "Chars", None, "count"),
    ]
    systems = []
    for name in ("careful", "sloppy", "gamer"):
        mine = [r for r in rows if r["system"] == name]
        valid = sum(r["valid"] for r in mine)
        comp = [r for r in mine if r["kind"] == "composition"]
        minor = {}
        for cat in ("color", "2d_spatial", "basic"):
            rs = [r for r in comp if r["category"] == cat]
            minor[cat] = {"n": len(rs), "undecided": 0,
                          "score": 100 * np.mean([r["metrics"]["composition_score"] for r in rs]),
                          "accuracy": 100 * np.mean([r["metrics"]["composition"] for r in rs])}
        acc = 100 * np.mean([r["metrics"]["composition"] for r in comp])
        cov = [r["metrics"]["coverage"] or 0.0 for r in mine]
        kinds = {}
        for kind in ("object", "scene", "composition"):
            ks = [r for r in mine if r["kind"] == kind]
            kinds[kind] = {"samples": len(ks), "metrics": {
                "validity": 100.0 * sum(r["valid"] for r in ks) / len(ks), "clip": None}}
        flags: dict[str, float] = {}
        for r in mine:
            for f in r["flags"]:
                flags[f] = flags.get(f, 0.0) + 1 / len(mine)
        codes: dict[str, int] = {}
        for r in mine:
            codes[r["code"]] = codes.get(r["code"], 0) + 1
        systems.append({
            "name": name, "samples": len(mine), "valid": valid,
            "metrics": {"validity": 100.0 * valid / len(mine), "clip": None, "dino": None,
                        "composition": float(acc), "coverage": float(np.mean(cov)),
                        "hack_rate": 100.0 * sum(bool(r["flags"]) for r in mine) / len(mine),
                        "chars": float(np.mean([r["metrics"]["chars"] for r in mine]))},
            "codes": codes, "flags": flags, "kinds": kinds,
            "composition": {"minor": minor,
                            "major": {"binding": minor["color"], "relation": minor["2d_spatial"],
                                      "numeracy": minor["basic"]},
                            "overall": {"n": len(comp), "undecided": 1 if name == "gamer" else 0,
                                        "score": 50.0, "accuracy": float(acc)}},
            "diversity": None,
        })
    return {
        "svgkit_version": svgkit.__version__, "created": "2026-12-05T19:00:00Z",
        "suite": {"name": "synthetic", "path": "/tmp/synthetic.jsonl", "prompts": len(PROMPTS),
                  "kinds": {"object": 2, "scene": 1, "composition": 3}},
        "samples_per_prompt": 2, "convention": "paper", "convention_note": NOTE,
        "metrics": metrics, "systems": systems,
        "timings": {"total_s": 1.5, "scoring_s": 1.0, "stages_s": {"render": 0.5}},
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[dict[str, Any]]]:
    run_dir = tmp_path_factory.mktemp("run")
    rows = _results(run_dir)
    summary = _summary(rows)
    report.write_summary_json(summary, run_dir)
    paths = report.write_reports(summary, rows, run_dir)
    assert paths == {"markdown": run_dir / "table.md", "html": run_dir / "report.html"}
    return run_dir, summary, rows


def _table_rows(md: str, header_start: str = "| System |") -> list[list[str]]:
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    out = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        out.append([c.strip() for c in line.strip("|").split("|")])
    return out


# --------------------------------------------------------------------------------------------
# Markdown


class TestMarkdown:
    def test_main_table_columns_rows_values(self, run):
        _, summary, _ = run
        md = report.markdown_table(summary)
        rows = _table_rows(md)
        assert rows[0] == ["System", "Valid % ↑", "Comp. acc. ↑", "Coverage", "Hack % ↓", "Chars"]
        assert rows[1] == [":--", "--:", "--:", "--:", "--:", "--:"]
        body = {r[0]: r[1:] for r in rows[2:]}
        assert list(body) == ["careful", "sloppy", "gamer"]
        # percentages 1 decimal, 0-1 values 3 decimals, counts 1 decimal; best in bold
        assert body["careful"][0] == "**100.0**" and body["gamer"][0] == "**100.0**"
        assert body["sloppy"][0] == "50.0"
        s = {x["name"]: x["metrics"] for x in summary["systems"]}
        assert body["sloppy"][2] == f"{s['sloppy']['coverage']:.3f}"  # no direction: never bold
        assert body["careful"][3] == "**0.0**" and body["gamer"][3] == "100.0"
        assert body["careful"][4] == f"{s['careful']['chars']:.1f}"

    def test_convention_and_skipped_lines(self, run):
        _, summary, _ = run
        md = report.markdown_table(summary)
        lines = md.splitlines()
        end = next(i for i, line in enumerate(lines) if line.startswith("| gamer"))
        assert lines[end + 1] == "" and lines[end + 2] == f"*{NOTE}*"
        assert "- CLIP skipped: no text-image model configured (--text-image MODEL)" in lines
        assert "- DINO skipped: no reference images in this suite" in lines
        assert md.count(f"*{NOTE}*") == 1 + 1 + 1  # main, composition, validity by kind

    def test_composition_table_compbench_layout(self, run):
        _, summary, _ = run
        md = report.markdown_table(summary)
        assert "### Compositional accuracy by category (0–100)" in md
        comp = _table_rows(md.split("### Compositional accuracy")[1])
        assert comp[0] == ["System", "Color", "2D spatial", "Basic", "Overall"]
        careful = next(s for s in summary["systems"] if s["name"] == "careful")["composition"]
        row = next(r for r in comp if r[0] == "careful")
        assert row[1].strip("*") == f"{careful['minor']['color']['accuracy']:.1f}"
        assert row[4].strip("*") == f"{careful['overall']['accuracy']:.1f}"
        assert "left out of the means: gamer 1." in md

    def test_kind_table(self, run):
        _, summary, _ = run
        md = report.markdown_table(summary)
        kinds = _table_rows(md.split("### Valid % by prompt kind")[1])
        assert kinds[0] == ["System", "object (2)", "scene (1)", "composition (3)"]
        assert kinds[4][0] == "gamer" and kinds[4][1] == "**100.0**"
        assert "CLIP by prompt kind" not in md  # unavailable metrics get no table

    def test_without_composition_or_skips(self):
        summary = {
            "convention_note": NOTE,
            "metrics": [_metric("validity", "Valid %", True, "0-100"),
                        _metric("clip", "CLIP", True, "raw cosine"),
                        _metric("mse", "MSE", False, "0-1")],
            "systems": [{"name": "a|b", "metrics": {"validity": 12.345, "clip": 0.28349,
                                                    "mse": 0.000412}, "composition": None},
                        {"name": "c", "metrics": {"validity": float("nan"), "clip": None,
                                                  "mse": 0.5}}],
        }
        md = report.markdown_table(summary)
        rows = _table_rows(md)
        assert rows[2] == ["a\\", "b", "12.3", "0.283", "**0.000412**"]  # the pipe is escaped
        assert "| a\\|b |" in md
        assert rows[3] == ["c", "–", "–", "0.500"]
        assert "skipped" not in md and "Compositional" not in md


# --------------------------------------------------------------------------------------------
# HTML (static checks)


class TestHtml:
    def test_template_is_a_real_file(self):
        template = Path(report.__file__).parent / "templates" / "report.html.j2"
        assert template.is_file() and "{% macro" in template.read_text()

    def test_self_contained(self, run):
        run_dir, _, _ = run
        assert sorted(p.name for p in run_dir.glob("*.html")) == ["report.html"]
        html = (run_dir / "report.html").read_text()
        assert html.lstrip().startswith("<!DOCTYPE html>")
        for pattern in (r'src\s*=\s*["\']?\s*(https?:|//)', r'href\s*=\s*["\']?\s*(https?:|//)',
                        r"@import", r"url\(\s*['\"]?\s*(https?:|//)"):
            assert not re.search(pattern, html, re.I), pattern
        # every src/href of a real tag is a data: URI or an in-page anchor
        for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
            for attr, value in re.findall(r'\s(src|href|srcset|action)\s*=\s*"([^"]*)"', tag):
                assert value.startswith("data:image/png;base64," if attr == "src" else "#"), tag[:200]
        assert not re.search(r"<(link|iframe|object|embed|base)\b", html, re.I)
        assert "http://" not in html and "https://" not in html
        assert "default-src &#39;none&#39;" in html  # the CSP forbids any fetch but data: images

    def test_systems_and_sections(self, run):
        run_dir, _, _ = run
        html = (run_dir / "report.html").read_text()
        for name in ("careful", "sloppy", "gamer"):
            assert html.count(name) >= 5, name
        for text in ("synthetic", NOTE.replace("'", "&#39;"), svgkit.__version__,
                     "2026-12-05T19:00:00Z", "no text-image model configured", "Error codes per system",
                     "Anti-hacking flag rates", "FULL_CANVAS_RECT", "BLANK_CANVAS",
                     "Best and worst samples per metric", "Compositional accuracy by category",
                     "XML_SYNTAX", "NO_SVG"):
            assert text in html, text
        assert html.count("<svg ") >= 2  # composition chart and validity-by-kind chart

    def test_thumbnails_embedded(self, run):
        run_dir, _, rows = run
        html = (run_dir / "report.html").read_text()
        on_disk = sorted((run_dir / "thumbs").rglob("*.png"))
        assert len(on_disk) == sum(1 for r in rows if r["thumbnail"]) - 1
        for png in on_disk:
            uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
            assert uri in html
        gallery = re.findall(r'<img class="thumb gallery-thumb" src="data:image/png;base64,', html)
        assert len(gallery) == len(on_disk)
        # the missing thumbnail and the invalid samples show as placeholders with their code
        assert html.count("thumbnail missing") >= 1
        assert re.search(r'placeholder"><span>NO_SVG</span>', html)
        assert len(html) < 2_000_000

    def test_untrusted_text_is_escaped(self, run):
        run_dir, _, _ = run
        html = (run_dir / "report.html").read_text()
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert html.count("<script>") == 1  # only the report's own image check

    def test_empty_and_foreign_input(self, tmp_path):
        assert report.markdown_table({}) == "| System |\n|:--|\n\n"
        html = report.render_html(
            {"systems": [{"name": "x", "metrics": {}}]},
            [{"system": "y", "id": "p", "sample": 0, "code": "OK", "metrics": {},
              "thumbnail": "../../../../etc/passwd"}],  # not a PNG: never embedded
            tmp_path)
        assert "thumbnail missing" in html and "</span>y <span" in html and "root:" not in html

    def test_out_path(self, run, tmp_path):
        run_dir, summary, rows = run
        out = report.write_html(summary, rows, run_dir, tmp_path / "sub" / "r.html")
        assert out == tmp_path / "sub" / "r.html" and out.read_text().startswith("<!DOCTYPE")

    def test_write_reports_and_summary(self, run):
        run_dir, summary, _ = run
        assert (run_dir / "table.md").read_text() == report.markdown_table(summary)
        assert json.loads((run_dir / "summary.json").read_text()) == json.loads(json.dumps(summary))


# --------------------------------------------------------------------------------------------
# headless Chromium


def test_screenshot_without_browser(monkeypatch, tmp_path):
    monkeypatch.setenv("SVGKIT_BROWSER", "no-such-browser-svgkit")
    with pytest.raises(RuntimeError, match="no headless browser found"):
        report.screenshot(tmp_path / "x.html", tmp_path / "x.png")


@pytest.fixture(scope="module")
def browser() -> str:
    found = report.find_browser()
    if found is None:
        reason = ("headless Chromium not installed: `make setup` installs Debian's chromium for "
                  "dev set-ups (or apt-get install chromium)")
        if CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def _chromium(browser: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
           "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False,
                          stdin=subprocess.DEVNULL)


_CONSOLE_ERRORS = ("Uncaught", "Failed to load", "Refused to", "ERR_FILE_NOT_FOUND")


@pytest.mark.slow
def test_browser_console_check_is_not_vacuous(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><body><img src='missing.png'><script>nope();</script></body>")
    proc = _chromium(browser, tmp_path, "--dump-dom", bad.as_uri())
    assert "Uncaught ReferenceError" in proc.stderr, proc.stderr[-2000:]


@pytest.mark.slow
def test_report_loads_in_chromium(run, browser, tmp_path):
    run_dir, _, _ = run
    html = run_dir / "report.html"
    proc = _chromium(browser, tmp_path, "--virtual-time-budget=5000", "--dump-dom", html.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if any(e in line for e in _CONSOLE_ERRORS)]
    assert not errors, errors
    dom = proc.stdout
    expected = len(list((run_dir / "thumbs").rglob("*.png")))
    assert len(re.findall(r'<img class="thumb gallery-thumb"', dom)) == expected
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:500]
    attrs = dict(re.findall(r'data-([a-z-]+)="(\d+)"', body.group(1)))
    assert attrs.get("images-broken") == "0", attrs
    assert attrs.get("gallery-loaded") == str(expected), attrs
    assert int(attrs["images-loaded"]) >= expected  # plus the best/worst cards
    assert "alert(1)" not in re.sub(r"&lt;script&gt;alert\(1\)&lt;/script&gt;", "", dom)


@pytest.mark.slow
def test_screenshot_artefact(run, browser, tmp_path):
    run_dir, _, _ = run
    png = report.screenshot(run_dir / "report.html", tmp_path / "report.png", timeout_s=120)
    with PIL_Image.open(png) as im:
        assert im.size == (1400, 2400)
        pixels = np.asarray(im.convert("RGB"))
    assert png.stat().st_size > 20_000
    packed = (pixels[..., 0].astype(np.int32) << 16) | (pixels[..., 1].astype(np.int32) << 8) | pixels[..., 2]
    assert len(np.unique(packed)) > 50  # text, bars, thumbnails: not one colour
    assert pixels.std() > 10
    artefacts = os.environ.get("SVGKIT_TEST_ARTIFACTS")
    keep = Path(artefacts) if artefacts else tmp_path
    keep.mkdir(parents=True, exist_ok=True)
    if keep != tmp_path:
        shutil.copyfile(png, keep / "report.png")
    assert (keep / "report.png").is_file()
