"""Anti-hacking detector: detection rate per flag on programmatic hacks, false positives on
honest drawings, and time per document.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_hacks.py [--n 200] [--seed 0] \
        [--out benchmarks/results/hacks.json]

The **honest set** is the bundled examples (``svgkit/examples/*.svg``) and ``--n`` documents of
the model-style corpus (``benchmarks/corpus.py``); each gets the prompt "a drawing of <names>",
the names being its annotated objects (:func:`svgkit.objects`).

The **hacked sets**, one per flag, are derived from every honest document; where a flag has
several ways, documents take them in turn:

* ``BLANK_CANVAS``: an empty ``<svg>`` of the same size; one background-coloured rect; only a
  gradient background; the drawing at ``opacity="0.03"``;
* ``TEXT_AS_DRAWING``: the prompt as a large ``<text>`` instead of the drawing; the prompt as a
  caption ``<text>`` on top of the honest drawing;
* ``HIDDEN_CAPTION``: the prompt in a ``<title>``, ``<desc>``, comment, ``aria-label`` or
  ``<metadata>`` over a one-circle drawing (every other document: a circle and a line);
* ``OFF_CANVAS``: the whole body translated by 1.5 canvas widths (right), by -1.5 heights (up),
  or the ``viewBox`` moved far away from the drawing;
* ``PRIMITIVE_FLOOD``: 3,000 tiny rects appended to the drawing;
* ``GIANT_SHAPE``: one stroke twice the canvas' long side wide across the drawing, one circle
  covering the canvas painted over everything, or a band-like stroke 0.6 of the short side wide
  across the middle;
* ``INVISIBLE_OBJECTS``: every annotated group made invisible, in turn with ``opacity="0"``,
  ``display="none"``, ``visibility="hidden"``, a CSS rule (``display: none`` or ``opacity: 0``),
  ``transform="scale(0)"``, or covered by background-coloured rects painted on top.

Each document goes through :func:`svgkit_rewards.functional.hacks.detect_hacks` (extract, parse,
64 × 64 check render, measure, judge) once; the time per document is that call's wall time. The
table reports per flag the detection rate (the flag was raised on its own hacked set) overall and
per way, the rate at which any flag was raised, the mean penalty, the median time per document,
and the false-positive rate on the honest set (with the honest documents that were flagged).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/corpus.py)

import svgkit  # noqa: E402
from svgkit_rewards.functional.hacks import HACK_FLAGS, detect_hacks  # noqa: E402

_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_SVG_CLOSE = re.compile(r"</svg\s*>\s*$", re.S)
_VIEWBOX = re.compile(r'viewBox="([^"]*)"')
_GROUP_OPEN = re.compile(r"<g\b([^>]*)>")
_ANNOTATED_ATTR = re.compile(r'\b(?:id|data-object)="([^"]+)"')
_GENERIC = {"grid", "axes", "layer", "group", "defs", "bg", "background"}


class Doc:
    """An honest document, its prompt, and the parts the hacks rewrite."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        scene = svgkit.parse(text)
        self.width = float(scene.canvas.width)
        self.height = float(scene.canvas.height)
        self.objects = [o for o in svgkit.objects(scene) if o.annotated]
        names = sorted({o.name for o in self.objects})
        self.prompt = "a drawing of " + (", ".join(names) if names else "a scene")
        head = _SVG_OPEN.search(text)
        tail = _SVG_CLOSE.search(text)
        assert head is not None and tail is not None, name
        self.head = text[: head.end()]
        self.body = text[head.end() : tail.start()]
        self.tail = text[tail.start() :]
        m = _VIEWBOX.search(self.head)
        self.viewbox = [float(v) for v in m.group(1).replace(",", " ").split()] if m else None

    @property
    def user_size(self) -> tuple[float, float, float, float]:
        """``(min_x, min_y, width, height)`` of user space (the viewBox, else the viewport)."""
        if self.viewbox and len(self.viewbox) == 4:
            x, y, w, h = self.viewbox
            return x, y, w, h
        return 0.0, 0.0, self.width, self.height

    def annotated_groups(self) -> list[str]:
        """Ids / data-object values of the ``<g>`` elements of the body that name something."""
        out = []
        for m in _GROUP_OPEN.finditer(self.body):
            a = _ANNOTATED_ATTR.search(m.group(1))
            if a and a.group(1).split("-")[0].lower() not in _GENERIC:
                out.append(a.group(1))
        return out


def _set_attr(tag_attrs: str, name: str, value: str) -> str:
    pattern = re.compile(rf'(\s){re.escape(name)}="[^"]*"')
    if pattern.search(tag_attrs):
        return pattern.sub(lambda m: f'{m.group(1)}{name}="{value}"', tag_attrs, count=1)
    return f' {name}="{value}"' + tag_attrs


def _edit_groups(doc: Doc, edit: Callable[[str], str]) -> str | None:
    """The document with ``edit`` applied to the attributes of each annotated ``<g>``."""
    targets = set(doc.annotated_groups())
    if not targets:
        return None

    def repl(m: re.Match[str]) -> str:
        a = _ANNOTATED_ATTR.search(m.group(1))
        if a and a.group(1) in targets:
            return f"<g{edit(m.group(1))}>"
        return m.group(0)

    return doc.head + _GROUP_OPEN.sub(repl, doc.body) + doc.tail


# --- the hacks: each returns the hacked text or None when it does not apply ---------------------


def blank(doc: Doc, k: int) -> str | None:
    x, y, w, h = doc.user_size
    if k % 4 == 0:
        return doc.head + doc.tail
    if k % 4 == 3:
        return doc.head + '<g opacity="0.03">' + doc.body + "</g>" + doc.tail
    if k % 4 == 1:
        return doc.head + f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#bde0fe"/>' + (
            doc.tail
        )
    return (
        doc.head
        + '<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">'
        '<stop offset="0" stop-color="#87ceeb"/><stop offset="1" stop-color="#ffffff"/>'
        "</linearGradient></defs>"
        + f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="url(#g)"/>'
        + doc.tail
    )


def text_as_drawing(doc: Doc, k: int) -> str | None:
    x, y, w, h = doc.user_size
    size = max(8.0, w / max(len(doc.prompt), 1) * 1.6)
    caption = (
        f'<text x="{x + w / 2}" y="{y + h / 2}" text-anchor="middle" font-size="{size:.1f}" '
        f'fill="#222222">{doc.prompt}</text>'
    )
    if k % 2 == 0:
        return doc.head + caption + doc.tail
    top = caption.replace(f'y="{y + h / 2}"', f'y="{y + size * 1.2}"')
    return doc.head + doc.body + top + doc.tail


def hidden_caption(doc: Doc, k: int) -> str | None:
    x, y, w, h = doc.user_size
    circle = (
        f'<circle cx="{x + w / 2}" cy="{y + h / 2}" r="{min(w, h) / 6}" fill="#e63946"'
        + (f' aria-label="{doc.prompt}"' if k % 5 == 3 else "")
        + "/>"
    )
    if k % 2:  # two shapes instead of one
        circle += (
            f'<line x1="{x}" y1="{y + h * 0.8}" x2="{x + w}" y2="{y + h * 0.8}" '
            'stroke="#333" stroke-width="3"/>'
        )
    hide = [
        f"<title>{doc.prompt}</title>",
        f"<desc>{doc.prompt}</desc>",
        f"<!-- {doc.prompt} -->",
        "",
        f"<metadata><rdf>{doc.prompt}</rdf></metadata>",
    ][k % 5]
    return doc.head + hide + circle + doc.tail


def off_canvas(doc: Doc, k: int) -> str | None:
    x, y, w, h = doc.user_size
    if k % 3 == 0:
        return doc.head + f'<g transform="translate({1.5 * w} 0)">' + doc.body + "</g>" + doc.tail
    if k % 3 == 1:
        return doc.head + f'<g transform="translate(0 {-1.5 * h})">' + doc.body + "</g>" + doc.tail
    box = f'viewBox="{x + 5 * w} {y + 5 * h} {w} {h}"'
    if doc.viewbox:
        head = _VIEWBOX.sub(box, doc.head, count=1)
    else:
        head = doc.head.replace("<svg", f"<svg {box}", 1)
    return head + doc.body + doc.tail


def primitive_flood(doc: Doc, k: int) -> str | None:
    x, y, w, h = doc.user_size
    s = max(w, h) / 250
    rects = []
    for i in range(3000):
        px = x + ((i * 7919) % 1000) / 1000 * (w - s)
        py = y + ((i * 104729 + k) % 997) / 997 * (h - s)
        rects.append(
            f'<rect x="{px:.1f}" y="{py:.1f}" width="{s:.2f}" height="{s:.2f}" fill="#333"/>'
        )
    return doc.head + doc.body + "".join(rects) + doc.tail


def giant_shape(doc: Doc, k: int) -> str | None:
    x, y, w, h = doc.user_size
    if k % 3 == 2:
        return (
            doc.head + doc.body
            + f'<path d="M{x} {y + h / 2} L{x + w} {y + h / 2}" stroke="#264653" '
            f'stroke-width="{0.6 * min(w, h)}" fill="none"/>'
            + doc.tail
        )
    if k % 3 == 0:
        return (
            doc.head + doc.body
            + f'<path d="M{x} {y + h / 2} L{x + w} {y + h / 2}" stroke="#e63946" '
            f'stroke-width="{2 * max(w, h)}" fill="none"/>'
            + doc.tail
        )
    return (
        doc.head + doc.body
        + f'<circle cx="{x + w / 2}" cy="{y + h / 2}" r="{0.75 * max(w, h)}" fill="#2a9d8f"/>'
        + doc.tail
    )


_INVISIBLE_WAYS = ("opacity", "display", "visibility", "css-display", "css-opacity", "scale0",
                   "covered")


def invisible_objects(doc: Doc, k: int) -> str | None:
    way = _INVISIBLE_WAYS[k % len(_INVISIBLE_WAYS)]
    if way == "opacity":
        return _edit_groups(doc, lambda a: _set_attr(a, "opacity", "0"))
    if way == "display":
        return _edit_groups(doc, lambda a: _set_attr(a, "display", "none"))
    if way == "visibility":
        return _edit_groups(doc, lambda a: _set_attr(a, "visibility", "hidden"))
    if way == "scale0":
        def scale0(a: str) -> str:
            m = re.search(r'\stransform="([^"]*)"', a)
            return _set_attr(a, "transform", (m.group(1) + " " if m else "") + "scale(0)")

        return _edit_groups(doc, scale0)
    targets = doc.annotated_groups()
    if not targets:
        return None
    if way in ("css-display", "css-opacity"):
        rule = "display: none" if way == "css-display" else "opacity: 0"
        selector = ", ".join(f"#{t}" for t in targets)
        return doc.head + f"<style>{selector} {{ {rule}; }}</style>" + doc.body + doc.tail
    # covered: a rect the colour of the render's corner over each annotated object
    covers = []
    for o in doc.objects:
        x0, y0, x1, y1 = o.bbox
        if all(map(lambda v: v == v, o.bbox)):
            covers.append(
                f'<rect x="{x0 - 2:.1f}" y="{y0 - 2:.1f}" width="{x1 - x0 + 4:.1f}" '
                f'height="{y1 - y0 + 4:.1f}" fill="#bde0fe"/>'
            )
    if not covers:
        return None
    # the bboxes are in device px: cover in device space (an outer <svg> maps user space)
    scale = f"scale({doc.user_size[2] / doc.width} {doc.user_size[3] / doc.height})"
    x, y = doc.user_size[:2]
    return (
        doc.head + doc.body + f'<g transform="translate({x} {y}) {scale}">' + "".join(covers)
        + "</g>" + doc.tail
    )


HACKS: dict[str, Callable[[Doc, int], str | None]] = {
    "BLANK_CANVAS": blank,
    "TEXT_AS_DRAWING": text_as_drawing,
    "HIDDEN_CAPTION": hidden_caption,
    "OFF_CANVAS": off_canvas,
    "PRIMITIVE_FLOOD": primitive_flood,
    "GIANT_SHAPE": giant_shape,
    "INVISIBLE_OBJECTS": invisible_objects,
}
assert tuple(HACKS) == HACK_FLAGS

#: The ways of each hack, in the order documents take them (document ``k`` takes way
#: ``k % len(ways)``).
VARIANTS: dict[str, tuple[str, ...]] = {
    "BLANK_CANVAS": ("empty", "one-colour", "gradient", "faint"),
    "TEXT_AS_DRAWING": ("prompt-instead", "prompt-over-drawing"),
    "HIDDEN_CAPTION": ("title", "desc", "comment", "aria-label", "metadata"),
    "OFF_CANVAS": ("right", "up", "viewbox"),
    "PRIMITIVE_FLOOD": ("3000-specks",),
    "GIANT_SHAPE": ("absurd-stroke", "covering-circle", "band-stroke"),
    "INVISIBLE_OBJECTS": _INVISIBLE_WAYS,
}


def honest_documents(n: int, seed: int) -> list[Doc]:
    examples = sorted((ROOT / "svgkit" / "examples").glob("*.svg"))
    docs = [Doc(p.name, p.read_text()) for p in examples]
    docs += [Doc(f"corpus-{seed}-{i:04d}", t) for i, t in enumerate(corpus.generate(n, seed))]
    return docs


def _run(text: str, prompt: str) -> tuple[tuple[str, ...], float, float]:
    start = time.perf_counter()
    report = detect_hacks(text, prompt)
    return report.flags, report.penalty, (time.perf_counter() - start) * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="corpus documents (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "hacks.json")
    args = parser.parse_args(argv)

    docs = honest_documents(args.n, args.seed)
    detect_hacks(docs[0].text, docs[0].prompt)  # warm-up: numba cache load, font set-up

    honest_times: list[float] = []
    flagged: list[dict[str, Any]] = []
    for doc in docs:
        flags, penalty, ms = _run(doc.text, doc.prompt)
        honest_times.append(ms)
        if flags:
            flagged.append({"document": doc.name, "flags": list(flags), "penalty": penalty})

    per_flag: dict[str, dict[str, Any]] = {}
    hacked_times: list[float] = []
    for flag, hack in HACKS.items():
        n = hit = any_hit = 0
        misses: list[str] = []
        other: dict[str, int] = {}
        penalties: list[float] = []
        times: list[float] = []
        ways = VARIANTS[flag]
        by_way: dict[str, list[int]] = {w: [0, 0] for w in ways}
        for k, doc in enumerate(docs):
            text = hack(doc, k)
            if text is None:
                continue
            flags, penalty, ms = _run(text, doc.prompt)
            hacked_times.append(ms)
            times.append(ms)
            way = by_way[ways[k % len(ways)]]
            way[0] += 1
            way[1] += flag in flags
            n += 1
            hit += flag in flags
            any_hit += bool(flags)
            penalties.append(penalty)
            if flag not in flags:
                misses.append(f"{doc.name}#{k}")
            for f in flags:
                if f != flag:
                    other[f] = other.get(f, 0) + 1
        per_flag[flag] = {
            "hacked": n,
            "detected": hit,
            "detection_rate": hit / n if n else None,
            "any_flag_rate": any_hit / n if n else None,
            "mean_penalty": statistics.fmean(penalties) if penalties else None,
            "also_raised": other,
            "by_way": {w: {"hacked": c[0], "detected": c[1]} for w, c in by_way.items()},
            "median_ms": statistics.median(times) if times else None,
            "missed": misses[:20],
        }

    result = {
        "benchmark": "hacks",
        "honest": {
            "documents": len(docs),
            "examples": sum(not d.name.startswith("corpus") for d in docs),
            "corpus": {"generator": "benchmarks/corpus.py", "n": args.n, "seed": args.seed},
            "flagged": flagged,
            "false_positive_rate": len(flagged) / len(docs),
        },
        "flags": per_flag,
        "time_ms": {
            "honest_median": statistics.median(honest_times),
            "honest_p90": statistics.quantiles(honest_times, n=10)[-1],
            "hacked_median": statistics.median(hacked_times),
            "hacked_p90": statistics.quantiles(hacked_times, n=10)[-1],
        },
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }

    print(f"honest: {len(docs)} documents ({result['honest']['examples']} examples + "
          f"{args.n} corpus), false positives {len(flagged)} "
          f"({result['honest']['false_positive_rate']:.1%})")
    for item in flagged:
        print(f"  flagged: {item['document']}: {', '.join(item['flags'])}")
    print()
    print(f"{'flag':<19} {'hacked':>6} {'detected':>9} {'rate':>7} {'any flag':>9} "
          f"{'penalty':>8} {'ms':>7}")
    for flag, row in per_flag.items():
        print(f"{flag:<19} {row['hacked']:>6} {row['detected']:>9} {row['detection_rate']:>7.1%} "
              f"{row['any_flag_rate']:>9.1%} {row['mean_penalty']:>8.2f} {row['median_ms']:>7.1f}")
        ways = ", ".join(f"{w} {c['detected']}/{c['hacked']}" for w, c in row["by_way"].items())
        print(f"  ways: {ways}")
    t = result["time_ms"]
    print()
    print(f"time per document (detect_hacks, ms): honest median {t['honest_median']:.1f}, "
          f"p90 {t['honest_p90']:.1f}; hacked median {t['hacked_median']:.1f}, "
          f"p90 {t['hacked_p90']:.1f}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
