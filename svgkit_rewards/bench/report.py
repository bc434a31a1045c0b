"""Reports of a benchmark run: the Markdown table, the self-contained HTML report, a screenshot.

Everything here reads the run's ``summary.json`` mapping and its per-sample result records (see
:mod:`svgkit_rewards.bench.runner`); nothing is recomputed.

- :func:`markdown_table` lays the summary out like SGP-GenBench's tables: systems as rows, the
  available metrics as columns, the averaging convention under every table, one line per skipped
  metric; then compositional accuracy per category (SGP-CompBench's layout) and the headline
  metrics per prompt kind.
- :func:`write_html` writes ONE HTML file that opens offline from disk: no external CSS, scripts,
  fonts or images; thumbnails are embedded as ``data:image/png`` URIs and the charts are inline
  SVG. It is rendered with Jinja2 (``templates/report.html.j2``) with autoescaping on: prompts,
  messages and system names are untrusted model or user text. A Content-Security-Policy allows
  only ``data:`` images, inline styles and the one hashed script that counts decoded images.
- :func:`screenshot` photographs a report with headless Chromium.

Jinja2 is imported inside :func:`render_html`, so importing this module stays light.

Examples
--------
>>> summary = {
...     "convention_note": "Means over all samples; an invalid sample counts as 0.",
...     "metrics": [{"key": "validity", "label": "Valid %", "higher_is_better": True,
...                  "scale": "0-100", "available": True, "reason": None}],
...     "systems": [{"name": "careful", "metrics": {"validity": 96.43}},
...                 {"name": "sloppy", "metrics": {"validity": 50.0}}],
... }
>>> print(markdown_table(summary))
| System | Valid % ↑ |
|:--|--:|
| careful | **96.4** |
| sloppy | 50.0 |
<BLANKLINE>
*Means over all samples; an invalid sample counts as 0.*
<BLANKLINE>
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "find_browser",
    "markdown_table",
    "render_html",
    "screenshot",
    "write_html",
    "write_reports",
    "write_summary_json",
]

#: One colour per system, in order (Okabe–Ito, readable by colour-blind viewers); cycles.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#000000",
)
#: Browser executables :func:`find_browser` looks for, in order (``$SVGKIT_BROWSER`` first).
BROWSERS: tuple[str, ...] = (
    "chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
)

# Metrics printed with one decimal besides the 0-100 ones: counts and lengths.
_COUNT_KEYS = frozenset({"primitives", "chars", "tokens"})
# Metrics shown per prompt kind (the headline ones), when available.
_KIND_KEYS = ("validity", "clip", "dino", "ssim", "lpips")
# Summary metrics that have no per-sample value worth ranking.
_NOT_RANKED = frozenset({"validity", "diversity", "hack_rate"})
# Per-sample metric shown on a gallery card, by prompt kind (first one present wins).
_CARD_KEYS: dict[str, tuple[str, ...]] = {
    "composition": ("composition_score", "composition", "clip", "dino"),
    "image": ("ssim", "lpips", "mse", "dino", "clip"),
}
_CARD_DEFAULT = ("clip", "dino", "ssim", "composition_score")
# SGP-CompBench's table groups minor types under major types.
_COMPBENCH_GROUPS: dict[str, tuple[str, ...]] = {
    "binding": ("color", "shape", "texture"),
    "relation": ("2d_spatial", "3d_spatial", "implicit"),
    "numeracy": ("basic",),
}
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DASH = "–"
_EXTREMES = 3

# Counts the report's images once the page has loaded and leaves the result on <body> as
# data-images-loaded / data-images-broken / data-gallery-loaded (the headless-browser test reads
# them from the DOM). Trusted constant: the CSP allows exactly this script by its hash.
_IMAGE_CHECK_JS = """
window.addEventListener("load", function () {
  var imgs = document.querySelectorAll("img");
  var loaded = 0, broken = 0, gallery = 0;
  for (var i = 0; i < imgs.length; i++) {
    var ok = imgs[i].complete && imgs[i].naturalWidth > 0;
    if (ok) { loaded++; } else { broken++; imgs[i].classList.add("broken"); }
    if (ok && imgs[i].classList.contains("gallery-thumb")) { gallery++; }
  }
  var d = document.body.dataset;
  d.imagesLoaded = String(loaded);
  d.imagesBroken = String(broken);
  d.galleryLoaded = String(gallery);
});
"""


# --------------------------------------------------------------------------------------------
# formatting


def _number(value: Any) -> float | None:
    """``value`` as a finite float, else ``None`` (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def _decimals(metric: Mapping[str, Any]) -> int:
    key = str(metric.get("key", ""))
    scale = str(metric.get("scale") or "").lower()
    if "100" in scale or "%" in scale or key in _COUNT_KEYS or "count" in scale:
        return 1
    return 3


def _fmt(value: Any, metric: Mapping[str, Any]) -> str:
    """Format one table value: 0–100 and counts with 1 decimal, the rest with 3."""
    v = _number(value)
    if v is None:
        return _DASH
    digits = _decimals(metric)
    if digits == 3 and v != 0.0 and abs(v) < 0.01:
        return f"{v:.3g}"  # MSE and friends: keep three significant digits
    return f"{v:.{digits}f}"


def _arrow(metric: Mapping[str, Any]) -> str:
    hib = metric.get("higher_is_better")
    return " ↑" if hib is True else " ↓" if hib is False else ""


def _best(values: Sequence[float | None], higher_is_better: Any) -> set[int]:
    """Indices of the best value(s) of a column; none when fewer than two systems have one."""
    if not isinstance(higher_is_better, bool):
        return set()
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(present) < 2:
        return set()
    target = (max if higher_is_better else min)(v for _, v in present)
    return {i for i, v in present if v == target}


def _pretty(name: str) -> str:
    """``2d_spatial`` → ``2D spatial``; ``color`` → ``Color``."""
    text = name.replace("_", " ")
    text = text.replace("2d", "2D").replace("3d", "3D")
    return text[:1].upper() + text[1:]


def _md_escape(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


# --------------------------------------------------------------------------------------------
# the tables, as plain data (shared by Markdown and HTML)

_Cell = dict[str, Any]  # {"text": str, "best": bool}
_Table = dict[str, Any]  # {"title", "columns", "rows": [{"name", "colour", "cells"}], "notes"}


def _systems(summary: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in summary.get("systems") or [] if isinstance(s, Mapping)]


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _available(summary: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [m for m in summary.get("metrics") or [] if m.get("available")]


def _skipped(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    return [
        {"key": str(m.get("key")), "label": str(m.get("label") or m.get("key")),
         "reason": str(m.get("reason") or "not available")}
        for m in summary.get("metrics") or [] if not m.get("available")
    ]


def _convention(summary: Mapping[str, Any]) -> str:
    return str(summary.get("convention_note") or "")


def _metric_rows(systems: Sequence[Mapping[str, Any]], metrics: Sequence[Mapping[str, Any]],
                 values_of: Any) -> list[dict[str, Any]]:
    """Rows of formatted cells, the best value of each column marked."""
    columns: list[list[float | None]] = [
        [_number(values_of(s).get(m["key"])) for s in systems] for m in metrics
    ]
    best = [_best(col, m.get("higher_is_better")) for col, m in zip(columns, metrics)]
    rows = []
    for i, s in enumerate(systems):
        cells = [
            {"text": _fmt(columns[j][i], m), "best": i in best[j]} for j, m in enumerate(metrics)
        ]
        rows.append({"name": str(s.get("name")), "colour": _colour(i), "cells": cells})
    return rows


def _main_table(summary: Mapping[str, Any]) -> _Table:
    metrics = _available(summary)
    systems = _systems(summary)
    return {
        "title": "Results",
        "columns": [str(m.get("label") or m["key"]) + _arrow(m) for m in metrics],
        "descriptions": [str(m.get("description") or "") for m in metrics],
        "rows": _metric_rows(systems, metrics, lambda s: s.get("metrics") or {}),
        "notes": [_convention(summary)],
    }


def _composition_columns(systems: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """Columns of the compositional table as (level, key, label), CompBench-ordered."""
    minors: list[str] = []
    majors: list[str] = []
    for s in systems:
        comp = s.get("composition") or {}
        minors += [m for m in comp.get("minor") or {} if m not in minors]
        majors += [m for m in comp.get("major") or {} if m not in majors]
    columns: list[tuple[str, str, str]] = []
    placed: set[str] = set()
    for major, members in _COMPBENCH_GROUPS.items():
        present = [m for m in members if m in minors]
        columns += [("minor", m, _pretty(m)) for m in present]
        placed.update(present)
        if len(present) > 1 and major in majors:
            columns.append(("major", major, f"{_pretty(major)} avg"))
    columns += [("minor", m, _pretty(m)) for m in minors if m not in placed]
    columns.append(("overall", "overall", "Overall"))
    return columns


def _composition_table(summary: Mapping[str, Any]) -> _Table | None:
    systems = [s for s in _systems(summary) if isinstance(s.get("composition"), Mapping)]
    if not systems:
        return None
    columns = _composition_columns(systems)
    pct = {"scale": "0-100"}
    values: list[list[float | None]] = []
    undecided: list[str] = []
    for s in systems:
        comp = s["composition"]
        row: list[float | None] = []
        for level, key, _ in columns:
            cell = comp.get(key) if level == "overall" else (comp.get(level) or {}).get(key)
            row.append(_number((cell or {}).get("accuracy")))
        values.append(row)
        n_undecided = (comp.get("overall") or {}).get("undecided") or 0
        if n_undecided:
            undecided.append(f"{s.get('name')} {n_undecided}")
    best = [_best([r[j] for r in values], True) for j in range(len(columns))]
    index = {id(s): i for i, s in enumerate(_systems(summary))}
    rows = [
        {"name": str(s.get("name")), "colour": _colour(index[id(s)]),
         "cells": [{"text": _fmt(v, pct), "best": i in best[j]} for j, v in enumerate(values[i])]}
        for i, s in enumerate(systems)
    ]
    notes = ["Accuracy: share of composition prompts whose every requirement is satisfied (0–100)."]
    if undecided:
        notes.append("Samples geometry cannot decide (texture, implicit relations) are left out "
                     "of the means: " + ", ".join(undecided) + ".")
    notes.append(_convention(summary))
    return {"title": "Compositional accuracy by category", "columns": [c[2] for c in columns],
            "descriptions": ["" for _ in columns], "rows": rows, "notes": notes}


def _kinds(summary: Mapping[str, Any]) -> list[str]:
    kinds: list[str] = list((summary.get("suite") or {}).get("kinds") or {})
    for s in _systems(summary):
        kinds += [k for k in s.get("kinds") or {} if k not in kinds]
    return kinds


def _kind_tables(summary: Mapping[str, Any]) -> list[_Table]:
    kinds = _kinds(summary)
    if not kinds:
        return []
    counts = (summary.get("suite") or {}).get("kinds") or {}
    systems = _systems(summary)
    tables = []
    for metric in _available(summary):
        if metric["key"] not in _KIND_KEYS:
            continue
        full = [[_number((((s.get("kinds") or {}).get(k) or {}).get("metrics") or {})
                         .get(metric["key"])) for k in kinds] for s in systems]
        # only the kinds the metric applies to; one kind alone repeats the main table
        keep = [j for j in range(len(kinds)) if any(row[j] is not None for row in full)]
        if len(keep) < 2:
            continue
        metric_kinds = [kinds[j] for j in keep]
        grid = [[row[j] for j in keep] for row in full]
        columns = [{"key": metric["key"], "scale": metric.get("scale"),
                    "higher_is_better": metric.get("higher_is_better")}] * len(metric_kinds)
        table_rows: list[dict[str, Any]] = []
        best = [_best([r[j] for r in grid], metric.get("higher_is_better"))
                for j in range(len(metric_kinds))]
        for i, s in enumerate(systems):
            table_rows.append({
                "name": str(s.get("name")), "colour": _colour(i),
                "cells": [{"text": _fmt(v, columns[j]), "best": i in best[j]}
                          for j, v in enumerate(grid[i])],
            })
        label = str(metric.get("label") or metric["key"])
        tables.append({
            "title": f"{label} by prompt kind",
            "key": metric["key"],
            "columns": [f"{k} ({counts[k]})" if k in counts else k for k in metric_kinds],
            "descriptions": ["" for _ in metric_kinds],
            "rows": table_rows,
            "grid": grid,
            "kinds": metric_kinds,
            "metric": metric,
            "notes": [_convention(summary)],
        })
    return tables


def _markdown(table: _Table) -> list[str]:
    lines = [
        "| " + " | ".join(["System", *(_md_escape(c) for c in table["columns"])]) + " |",
        "|:--|" + "--:|" * len(table["columns"]),
    ]
    for row in table["rows"]:
        cells = [f"**{c['text']}**" if c["best"] else c["text"] for c in row["cells"]]
        lines.append("| " + " | ".join([_md_escape(row["name"]), *cells]) + " |")
    lines.append("")
    lines += [f"*{_md_escape(n)}*" for n in table["notes"] if n]
    return lines


def markdown_table(summary: Mapping[str, Any]) -> str:
    """The run's tables as GitHub-flavoured Markdown, laid out like SGP-GenBench's.

    First the main table (systems as rows, the available metrics as columns, the best value of
    each column in bold), the averaging convention under it and one line per skipped metric with
    its reason; then, when any system has compositional results, accuracy per category
    (SGP-CompBench's layout, 0–100); then the headline metrics per prompt kind.

    Parameters
    ----------
    summary
        The run's ``summary.json`` mapping.

    Returns
    -------
    str
        Markdown, ending with a newline.
    """
    lines = _markdown(_main_table(summary))
    skipped = _skipped(summary)
    if skipped:
        lines.append("")
        lines += [f"- {_md_escape(m['label'])} skipped: {_md_escape(m['reason'])}"
                  for m in skipped]
    comp = _composition_table(summary)
    if comp is not None:
        lines += ["", f"### {comp['title']} (0–100)", "", *_markdown(comp)]
    for table in _kind_tables(summary):
        lines += ["", f"### {table['title']}", "", *_markdown(table)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# charts: inline SVG geometry (the template draws it)


def _legend(names: Sequence[str], colours: Sequence[str],
            width: float) -> tuple[list[dict[str, Any]], float]:
    items, x, y = [], 0.0, 0.0
    for name, colour in zip(names, colours):
        w = 22 + 7.2 * len(name)
        if x > 0 and x + w > width:
            x, y = 0.0, y + 18
        items.append({"x": x, "y": y, "name": name, "colour": colour})
        x += w + 14
    return items, y + 18


_Series = tuple[str, str, Sequence[float | None]]  # system name, colour, one value per category


def _bar_chart(title: str, categories: Sequence[str], series: Sequence[_Series],
               metric: Mapping[str, Any]) -> dict[str, Any]:
    """Horizontal grouped bars: one group per category, one bar per system, values labelled."""
    label_w, area_w, value_w = 140.0, 400.0, 60.0
    bar_h, bar_gap, group_gap = 13.0, 3.0, 12.0
    width = label_w + area_w + value_w
    values = [v for _, _, vs in series for v in vs if v is not None]
    percent = _decimals(metric) == 1 and "100" in str(metric.get("scale") or "")
    vmax = 100.0 if percent else max([abs(v) for v in values] + [1e-12]) * 1.1
    legend, legend_h = _legend([s[0] for s in series], [s[1] for s in series], width)
    y = legend_h + 8
    bars, texts = [], []
    for ci, cat in enumerate(categories):
        group_h = len(series) * (bar_h + bar_gap) - bar_gap
        texts.append({"x": label_w - 8, "y": y + group_h / 2 + 4, "text": cat,
                      "anchor": "end", "cls": "cat"})
        for name, colour, vs in series:
            v = vs[ci]
            if v is None:
                texts.append({"x": label_w + 4, "y": y + bar_h - 3, "text": "n/a",
                              "anchor": "start", "cls": "na"})
            else:
                w = max(0.0, min(1.0, abs(v) / vmax)) * area_w
                text = _fmt(v, metric)
                bars.append({"x": label_w, "y": y, "w": max(w, 1.0), "h": bar_h,
                             "fill": colour, "title": f"{name} · {cat}: {text}"})
                texts.append({"x": label_w + w + 4, "y": y + bar_h - 3, "text": text,
                              "anchor": "start", "cls": "val"})
            y += bar_h + bar_gap
        y += group_gap - bar_gap
    return {"title": title, "width": width, "height": y + 4, "axis_x": label_w,
            "axis_top": legend_h + 4, "bars": bars, "texts": texts, "legend": legend}


def _charts(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    systems = _systems(summary)
    charts = []
    comp_systems = [(i, s) for i, s in enumerate(systems)
                    if isinstance(s.get("composition"), Mapping)]
    if comp_systems:
        columns = [c for c in _composition_columns([s for _, s in comp_systems]) if c[0] != "major"]
        series = []
        for i, s in comp_systems:
            comp = s["composition"]
            vals = [_number(((comp.get(key) if level == "overall"
                              else (comp.get(level) or {}).get(key)) or {}).get("accuracy"))
                    for level, key, _ in columns]
            series.append((str(s.get("name")), _colour(i), vals))
        charts.append(_bar_chart("Compositional accuracy by category (0–100)",
                                 [c[2] for c in columns], series, {"scale": "0-100"}))
    for table in _kind_tables(summary):
        series = [(str(s.get("name")), _colour(i), table["grid"][i]) for i, s in enumerate(systems)]
        charts.append(_bar_chart(table["title"], table["kinds"], series, table["metric"]))
    return charts


# --------------------------------------------------------------------------------------------
# per-sample content: gallery cards and extremes


class _Thumbs:
    """Thumbnail files → ``data:`` URIs, read once each."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.cache: dict[str, str | None] = {}

    def uri(self, rel: Any) -> str | None:
        if not isinstance(rel, str) or not rel:
            return None
        if rel not in self.cache:
            try:
                data = (self.run_dir / rel).read_bytes()
            except OSError:
                data = b""
            self.cache[rel] = ("data:image/png;base64," + base64.b64encode(data).decode("ascii")
                               if data.startswith(_PNG_MAGIC) else None)
        return self.cache[rel]


def _metric_labels(summary: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    labels: dict[str, Mapping[str, Any]] = {
        str(m["key"]): m for m in summary.get("metrics") or [] if "key" in m
    }
    labels.setdefault("composition_score", {"key": "composition_score", "label": "Comp. score",
                                            "higher_is_better": True, "scale": "0-1"})
    return labels


def _card(r: Mapping[str, Any], thumbs: _Thumbs, labels: Mapping[str, Mapping[str, Any]],
          key: str | None = None) -> dict[str, Any]:
    metrics = r.get("metrics") or {}
    if key is None:
        for k in _CARD_KEYS.get(str(r.get("kind")), _CARD_DEFAULT):
            if _number(metrics.get(k)) is not None:
                key = k
                break
    meta = labels.get(key or "", {"key": key})
    value = _number(metrics.get(key)) if key else None
    code = str(r.get("code") or "?")
    return {
        "system": str(r.get("system", "")),
        "id": str(r.get("id", "")),
        "sample": r.get("sample", 0),
        "prompt": str(r.get("prompt") or ""),
        "code": code,
        "ok": code == "OK",
        "message": str(r.get("message") or r.get("generation_error") or ""),
        "flags": [str(f) for f in r.get("flags") or []],
        "metric_label": str(meta.get("label") or key) if value is not None else "",
        "metric_text": _fmt(value, meta) if value is not None else "",
        "img": thumbs.uri(r.get("thumbnail")),
        "has_thumb": bool(r.get("thumbnail")),
    }


def _gallery(summary: Mapping[str, Any], results: Sequence[Mapping[str, Any]], thumbs: _Thumbs,
             labels: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    names = [str(s.get("name")) for s in _systems(summary)]
    names += sorted({str(r.get("system")) for r in results} - set(names))
    # prompts in the order results first list them (the suite's order), samples in order
    order: dict[str, int] = {}
    for r in results:
        order.setdefault(str(r.get("id")), len(order))
    sections = []
    for i, name in enumerate(names):
        groups: dict[str, dict[str, Any]] = {}
        mine = sorted((r for r in results if str(r.get("system")) == name),
                      key=lambda r: (order[str(r.get("id"))], _number(r.get("sample")) or 0.0))
        for r in mine:
            pid = str(r.get("id"))
            group = groups.setdefault(pid, {
                "id": pid, "prompt": str(r.get("prompt") or ""), "kind": str(r.get("kind") or ""),
                "category": str(r.get("category") or ""), "cards": []})
            group["cards"].append(_card(r, thumbs, labels))
        n = sum(len(g["cards"]) for g in groups.values())
        valid = sum(c["ok"] for g in groups.values() for c in g["cards"])
        sections.append({"name": name, "colour": _colour(i), "groups": list(groups.values()),
                         "samples": n, "valid": valid})
    return sections


def _extremes(summary: Mapping[str, Any], results: Sequence[Mapping[str, Any]], thumbs: _Thumbs,
              labels: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for metric in _available(summary):
        key = str(metric["key"])
        if key in _NOT_RANKED:
            continue
        if key == "composition" and any(
                _number((r.get("metrics") or {}).get("composition_score")) is not None
                for r in results):
            key = "composition_score"
        scored = [(v, r) for r in results
                  if (v := _number((r.get("metrics") or {}).get(key))) is not None]
        if not scored:
            continue
        hib = metric.get("higher_is_better")
        ranked = sorted(scored, key=lambda t: t[0], reverse=hib is not False)
        top = ranked[:_EXTREMES]
        bottom = ranked[::-1][:_EXTREMES]
        directed = isinstance(hib, bool)
        out.append({
            "label": str(labels.get(key, metric).get("label") or key),
            "key": key,
            "top_title": "Best" if directed else "Highest",
            "bottom_title": "Worst" if directed else "Lowest",
            "top": [_card(r, thumbs, labels, key) for _, r in top],
            "bottom": [_card(r, thumbs, labels, key) for _, r in bottom],
            "n": len(scored),
        })
    return out


def _count_table(summary: Mapping[str, Any], field: str, *, share: bool) -> _Table:
    """Systems × error codes (counts) or × flags (share of samples, %)."""
    systems = _systems(summary)
    keys: list[str] = ["OK"] if field == "codes" else []
    for s in systems:
        keys += [k for k in s.get(field) or {} if k not in keys]
    rows = []
    for i, s in enumerate(systems):
        counts = s.get(field) or {}
        n = _number(s.get("samples")) or 0.0
        cells = []
        for k in keys:
            v = _number(counts.get(k))
            if share:  # a flag no sample of this system raised is absent: 0 %
                text = f"{100.0 * (v or 0.0):.1f}"
            elif v is None:
                text = "0"
            else:
                text = f"{int(v)}" + (f" ({100.0 * v / n:.1f}%)" if n else "")
            cells.append({"text": text, "best": False})
        if share:
            cells.append({"text": _fmt((s.get("metrics") or {}).get("hack_rate"),
                                       {"scale": "0-100"}), "best": False})
        rows.append({"name": str(s.get("name")), "colour": _colour(i), "cells": cells})
    columns = keys + (["Any flag"] if share else [])
    return {"title": "", "columns": columns, "descriptions": ["" for _ in columns], "rows": rows,
            "notes": []}


# --------------------------------------------------------------------------------------------
# HTML


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(_IMAGE_CHECK_JS.encode()).digest()).decode()
    return (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")


def _header(summary: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    suite = summary.get("suite") or {}
    timings = summary.get("timings") or {}
    stages = timings.get("stages_s") or {}
    parts = [f"{k.removesuffix('_s')} {v:.1f} s" for k, v in timings.items()
             if k.endswith("_s") and k != "stages_s" and _number(v) is not None]
    stage_text = ", ".join(f"{k} {v:.1f} s" for k, v in stages.items() if _number(v) is not None)
    kinds = suite.get("kinds") or {}
    samples = sum(int(_number(s.get("samples")) or 0) for s in _systems(summary)) or len(results)
    return {
        "suite": str(suite.get("name") or "benchmark"),
        "suite_path": str(suite.get("path") or ""),
        "prompts": suite.get("prompts"),
        "kinds": ", ".join(f"{k} {v}" for k, v in kinds.items()),
        "samples_per_prompt": summary.get("samples_per_prompt"),
        "samples": samples,
        "convention": str(summary.get("convention") or ""),
        "convention_note": _convention(summary),
        "version": str(summary.get("svgkit_version") or ""),
        "created": str(summary.get("created") or ""),
        "timings": ", ".join(parts),
        "stages": stage_text,
    }


def render_html(summary: Mapping[str, Any], results: Iterable[Mapping[str, Any]],
                run_dir: str | os.PathLike[str]) -> str:
    """The HTML report as text (see :func:`write_html`).

    Parameters
    ----------
    summary
        The run's ``summary.json`` mapping.
    results
        Per-sample result records (``results.jsonl``).
    run_dir
        Directory the records' ``thumbnail`` paths are relative to.

    Returns
    -------
    str
        One self-contained HTML document.
    """
    import jinja2
    import markupsafe

    rows = [r for r in results if isinstance(r, Mapping)]
    thumbs = _Thumbs(Path(run_dir))
    labels = _metric_labels(summary)
    systems = _systems(summary)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    text = template.render(
        header=_header(summary, rows),
        systems=[{"name": str(s.get("name")), "colour": _colour(i),
                  "samples": s.get("samples"), "valid": s.get("valid")}
                 for i, s in enumerate(systems)],
        main=_main_table(summary),
        skipped=_skipped(summary),
        composition=_composition_table(summary),
        kind_tables=_kind_tables(summary),
        codes=_count_table(summary, "codes", share=False),
        flags=_count_table(summary, "flags", share=True),
        charts=_charts(summary),
        gallery=_gallery(summary, rows, thumbs, labels),
        extremes=_extremes(summary, rows, thumbs, labels),
        csp=_csp(),
        image_check_js=markupsafe.Markup(_IMAGE_CHECK_JS),  # trusted constant, hashed in the CSP
    )
    return text.lstrip()  # the macro definitions leave blank lines before the doctype


def _write_atomic(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_html(summary: Mapping[str, Any], results: Iterable[Mapping[str, Any]],
               run_dir: str | os.PathLike[str], out_path: str | os.PathLike[str] | None = None,
               ) -> Path:
    """Write the self-contained HTML report.

    One file that opens offline from disk: header (suite, systems, samples, averaging convention,
    svgkit version, date), the main table, skipped metrics with reasons, error codes and
    anti-hacking flag rates per system, bar charts (compositional accuracy per category, headline
    metrics per prompt kind) as inline SVG, a thumbnail gallery per system grouped by prompt, and
    the best and worst samples per metric. Thumbnails are embedded as ``data:image/png`` URIs; a
    missing one shows as a box with the sample's error code.

    Parameters
    ----------
    summary
        The run's ``summary.json`` mapping.
    results
        Per-sample result records.
    run_dir
        The run directory (thumbnail paths are relative to it).
    out_path
        Where to write; default ``run_dir/"report.html"``.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(out_path) if out_path is not None else Path(run_dir) / "report.html"
    return _write_atomic(path, render_html(summary, results, run_dir))


def write_summary_json(summary: Mapping[str, Any], run_dir: str | os.PathLike[str]) -> Path:
    """Write ``run_dir/summary.json`` (indented, atomically replaced).

    Parameters
    ----------
    summary
        The summary mapping (JSON-serialisable).
    run_dir
        The run directory.

    Returns
    -------
    Path
        The written file.
    """
    text = json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return _write_atomic(Path(run_dir) / "summary.json", text)


def write_reports(summary: Mapping[str, Any], results: Iterable[Mapping[str, Any]],
                  run_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write the summary-derived reports: ``table.md`` and ``report.html`` in ``run_dir``.

    Parameters
    ----------
    summary
        The run's ``summary.json`` mapping.
    results
        Per-sample result records.
    run_dir
        The run directory.

    Returns
    -------
    dict of str to Path
        ``{"markdown": run_dir/"table.md", "html": run_dir/"report.html"}``.
    """
    run = Path(run_dir)
    table = _write_atomic(run / "table.md", markdown_table(summary))
    html = write_html(summary, results, run)
    return {"markdown": table, "html": html}


# --------------------------------------------------------------------------------------------
# headless browser


def find_browser() -> str | None:
    """Path of a Chromium-family browser: ``$SVGKIT_BROWSER``, else the first of :data:`BROWSERS`.

    Returns
    -------
    str or None
        ``None`` when none is installed (Debian: ``apt-get install chromium``; ``make setup``
        installs it for dev set-ups).
    """
    explicit = os.environ.get("SVGKIT_BROWSER", "").strip()
    if explicit:
        return shutil.which(explicit)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _headless(browser: str, profile: str) -> list[str]:
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
            f"--user-data-dir={profile}"]


def screenshot(html_path: str | os.PathLike[str], png_path: str | os.PathLike[str], *,
               timeout_s: float = 60, window_size: tuple[int, int] = (1400, 2400)) -> Path:
    """Photograph an HTML file with headless Chromium.

    Parameters
    ----------
    html_path
        The page (opened as a ``file://`` URI).
    png_path
        Where the PNG goes (parent directories are created).
    timeout_s
        Seconds before the browser is abandoned (default 60).
    window_size
        Viewport ``(width, height)`` in CSS pixels; default (1400, 2400).

    Returns
    -------
    Path
        ``png_path``.

    Raises
    ------
    RuntimeError
        No browser is installed, it timed out, or it wrote no PNG (its stderr tail is quoted).
    """
    browser = find_browser()
    if browser is None:
        raise RuntimeError(
            "no headless browser found (looked for $SVGKIT_BROWSER, " + ", ".join(BROWSERS)
            + "); on Debian: apt-get install chromium (`make setup` installs it for dev set-ups)")
    out = Path(png_path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    uri = Path(html_path).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="svgkit-chromium-") as profile:
        cmd = [*_headless(browser, profile), f"--screenshot={out}",
               f"--window-size={window_size[0]},{window_size[1]}", uri]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                                  check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(
                f"{browser} took more than {timeout_s} s to screenshot {uri}") from exc
    if not out.is_file() or out.stat().st_size == 0:
        raise RuntimeError(f"{browser} wrote no screenshot (exit {proc.returncode}): "
                           f"{proc.stderr.strip()[-800:]}")
    return out
