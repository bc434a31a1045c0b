"""``svgkit-bench``: score models' SVG output on a suite and write an SGP-GenBench-style report.

``svgkit-bench run`` with no arguments runs the bundled demo suite (four bundled systems of
clearly different quality) offline on CPU and writes ``out/bench/demo/``. See
``docs/benchmark.md`` for every option, and ``svgkit-bench run --help``.

Exit status: 0 on success, 2 for a usage error or an unreadable suite or completions file
(the message names the file and line), 1 when the run cannot go on (a dead endpoint, a
missing model).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]

_DEFAULT_OUT = Path("out") / "bench"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svgkit-bench",
        description="Benchmark the SVG that language models write: validity, CLIP/DINO, "
                    "compositional accuracy, pixel metrics, anti-hacking flags, length.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="generate or read completions, score them and write the report",
        description="With no arguments: the bundled demo suite and its four bundled systems.")
    src = run.add_argument_group("suite")
    src.add_argument("suite", nargs="?", default=None,
                     help="suite file (.jsonl/.json) or folder of reference images/SVGs "
                          "(default: the bundled demo suite)")
    src.add_argument("--format", default="auto",
                     choices=("auto", "records", "compbench", "images"),
                     help="suite format (default: detected)")
    src.add_argument("--limit", type=int, default=None, metavar="N",
                     help="only the first N prompts")
    sysg = run.add_argument_group("systems (any mix; each becomes a row)")
    sysg.add_argument("--completions", action="append", default=[], metavar="[NAME=]FILE",
                      help="pre-generated completions JSONL {id, sample, completion}; "
                           "NAME defaults to the file stem")
    sysg.add_argument("--endpoint", default=None, metavar="URL",
                      help="OpenAI-compatible base URL (vLLM, SGLang, hosted APIs)")
    sysg.add_argument("--model", default=None, help="model name sent to --endpoint")
    sysg.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="VAR",
                      help="environment variable holding the endpoint's key")
    sysg.add_argument("--hf-model", default=None, metavar="DIR",
                      help="a local Hugging Face transformers model directory")
    sysg.add_argument("--name", default=None,
                      help="row name for --endpoint/--hf-model (default: the model name)")
    gen = run.add_argument_group("generation")
    gen.add_argument("-n", "--samples", type=int, default=None, metavar="N",
                     help="samples per prompt (default 1; pre-generated: all in the file)")
    gen.add_argument("--temperature", type=float, default=1.0)
    gen.add_argument("--top-p", type=float, default=1.0)
    gen.add_argument("--max-tokens", type=int, default=4096)
    gen.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    gen.add_argument("--retries", type=int, default=4, help="retries per request")
    gen.add_argument("--request-timeout", type=float, default=120.0, metavar="S")
    gen.add_argument("--template", default=None, metavar="FILE",
                     help="prompt template file with {prompt} (default: the paper's)")
    gen.add_argument("--system-prompt", default=None, metavar="FILE",
                     help="system message file (default: the paper's)")
    met = run.add_argument_group("metrics")
    met.add_argument("--text-image", default=None, metavar="MODEL",
                     help="CLIP/SigLIP: open_clip architecture (with --text-image-pretrained "
                          "FILE) or a local transformers directory")
    met.add_argument("--text-image-pretrained", default=None, metavar="FILE")
    met.add_argument("--image-image", default=None, metavar="MODEL",
                     help="DINOv2: local transformers directory, or a timm architecture "
                          "with --image-image-pretrained FILE")
    met.add_argument("--image-image-pretrained", default=None, metavar="FILE")
    met.add_argument("--similarity", default="raw", choices=("raw", "rescaled", "clipscore"),
                     help="CLIP/DINO convention: raw cosine (SGP-GenBench, default), "
                          "(cos+1)/2, or 100*max(cos,0)")
    met.add_argument("--dino-pooling", default="cls", choices=("cls", "mean", "patch"))
    met.add_argument("--no-lpips", action="store_true", help="do not try LPIPS")
    met.add_argument("--convention", default="paper", choices=("paper", "valid"),
                     help="paper: invalid samples count as the worst value (default); "
                          "valid: average valid samples only")
    run.add_argument("--out", default=None, metavar="DIR",
                     help="run folder (default out/bench/<suite>); an existing one is resumed")
    run.add_argument("--workers", type=int, default=None, help="analysis worker processes")
    run.add_argument("--timeout", type=float, default=20.0, metavar="S",
                     help="per-completion analysis budget")
    ray = run.add_argument_group("scale-out (the ray extra)")
    ray.add_argument("--backend", default="local", choices=("local", "ray"),
                     help="score on this machine's process pool (default) or on Ray actors")
    ray.add_argument("--ray-address", default=None, metavar="ADDR",
                     help="Ray cluster to join: auto, ray://host:10001 (default: RAY_ADDRESS, "
                          "else a local instance)")
    ray.add_argument("--ray-actors", type=int, default=None, metavar="N",
                     help="CPU actors that score chunks (default: the cluster's CPUs)")
    ray.add_argument("--ray-encoder-gpus", type=float, default=0.0, metavar="G",
                     help="GPUs per encoder actor for the neural metrics (default 0: CPU)")
    ray.add_argument("--ray-encoders", type=int, default=1, metavar="N",
                     help="encoder actors for the neural metrics (default 1)")
    run.add_argument("--no-html", action="store_true", help="skip report.html")
    run.add_argument("--screenshot", action="store_true",
                     help="also save report.png with headless Chromium")
    run.add_argument("--quiet", action="store_true", help="no progress bars")

    rep = sub.add_parser("report", help="rebuild summary.json, table.md and report.html")
    rep.add_argument("run_dir")
    rep.add_argument("--convention", default="paper", choices=("paper", "valid"))
    rep.add_argument("--no-html", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``svgkit-bench``."""
    args = _parser().parse_args(argv)
    from ..functional.composition_specs import SpecError
    from .records import RunError, SuiteError

    try:
        if args.command == "report":
            return _report(args)
        return _run(args)
    except (SuiteError, SpecError) as exc:
        print(f"svgkit-bench: {exc}", file=sys.stderr)
        return 2
    except (RunError, FileNotFoundError, ImportError) as exc:
        print(f"svgkit-bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("svgkit-bench: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130


def _report(args: argparse.Namespace) -> int:
    from .runner import rebuild_report

    summary = rebuild_report(args.run_dir, convention=args.convention, html=not args.no_html)
    print(_table(summary))
    return 0


def _run(args: argparse.Namespace) -> int:
    from . import generate as gen
    from .records import RunError
    from .runner import SystemSource, run_benchmark
    from .scoring import MetricConfig
    from .suites import DEMO_DIR, demo_suite, load_suite

    demo = args.suite is None
    suite = demo_suite() if demo else load_suite(args.suite, args.format)
    if args.limit is not None:
        if args.limit < 1:
            raise RunError(f"--limit must be positive, got {args.limit}")
        from .records import Suite

        suite = Suite(suite.name, suite.prompts[: args.limit], suite.path)

    systems: list[SystemSource] = []
    for item in args.completions:
        name, _, path = item.rpartition("=")
        name = name or Path(path).stem
        systems.append(SystemSource(name, gen.PregeneratedGenerator(path)))
    if args.endpoint:
        if not args.model:
            raise RunError("--endpoint needs --model (the model name the server serves)")
        systems.append(SystemSource(args.name or args.model, gen.OpenAIChatGenerator(
            args.endpoint, args.model, api_key_env=args.api_key_env,
            concurrency=args.concurrency, max_retries=args.retries,
            timeout_s=args.request_timeout, temperature=args.temperature, top_p=args.top_p,
            max_tokens=args.max_tokens)))
    if args.hf_model:
        systems.append(SystemSource(args.name or Path(args.hf_model).name, gen.HFGenerator(
            args.hf_model, max_new_tokens=args.max_tokens, temperature=args.temperature,
            top_p=args.top_p)))
    if not systems:
        if not demo:
            raise RunError("no systems: give --completions FILE, --endpoint URL --model NAME, "
                           "or --hf-model DIR")
        for path in sorted((DEMO_DIR / "completions").glob("*.jsonl")):
            systems.append(SystemSource(path.stem, gen.PregeneratedGenerator(path)))
        systems.sort(key=lambda s: _DEMO_ORDER.get(s.name, 99))

    config = MetricConfig(lpips=not args.no_lpips, workers=args.workers,
                          timeout_s=args.timeout)
    _neural(args, config)
    out = Path(args.out) if args.out else _DEFAULT_OUT / _safe(suite.name)
    summary = run_benchmark(
        suite, systems, out, samples=args.samples, config=config, convention=args.convention,
        template=_read_opt(args.template), system_prompt=_read_opt(args.system_prompt),
        quiet=args.quiet, html=not args.no_html, screenshot=args.screenshot,
        backend=args.backend, ray_options=_ray_options(args))
    print(_table(summary))
    print(f"\nrun folder: {out}" + ("" if args.no_html else f"  (open {out / 'report.html'})"))
    return 0


_DEMO_ORDER = {"careful": 0, "sloppy": 1, "terse": 2, "gamer": 3}


def _ray_options(args: argparse.Namespace) -> dict[str, Any] | None:
    from .records import RunError

    if args.backend != "ray":
        return None
    if args.ray_actors is not None and args.ray_actors < 1:
        raise RunError(f"--ray-actors must be positive, got {args.ray_actors}")
    if args.ray_encoders < 1 or args.ray_encoder_gpus < 0:
        raise RunError("--ray-encoders must be positive and --ray-encoder-gpus non-negative")
    return {"address": args.ray_address, "num_actors": args.ray_actors,
            "encoder_actors": args.ray_encoders, "encoder_gpus": args.ray_encoder_gpus}


def _neural(args: argparse.Namespace, config: Any) -> None:
    text, image = args.text_image, args.image_image
    if text is None:
        config.skipped["clip"] = ("no text-image model configured (--text-image MODEL "
                                  "[--text-image-pretrained FILE])")
    if image is None:
        reason = ("no image model configured (--image-image MODEL "
                  "[--image-image-pretrained FILE])")
        config.skipped["dino"] = reason
        config.skipped["diversity"] = reason
    if text is None and image is None:
        return
    try:
        from ..neural.terms import ImageImageTerm, TextImageTerm
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(f"the neural metrics need torch: pip install 'svgkit[neural]' ({exc})"
                          ) from exc
    if text is not None:
        config.text_image = TextImageTerm(text, pretrained=args.text_image_pretrained,
                                          mode=args.similarity, name="clip")
    if image is not None:
        config.image_image = ImageImageTerm(image, pretrained=args.image_image_pretrained,
                                            mode=args.similarity, pooling=args.dino_pooling,
                                            name="dino")


def _read_opt(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FileNotFoundError(f"cannot read {path}: {exc.strerror or exc}") from None


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "suite"


def _table(summary: dict[str, Any]) -> str:
    from .report import markdown_table

    return markdown_table(summary)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
