"""Throughput of the neural terms: images/s and rewards/s per model, and the sgp recipe with
neural terms end to end.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_neural.py [--batches 8,32,128] [--quick] \
        [--models ViT-B-32,ViT-B-16-SigLIP-384,dinov2-s14,dinov2-b14] [--e2e 256] \
        [--out benchmarks/results/neural.json]

Models are the real architectures at random weights (no weights can be downloaded here): each
is created once, saved to a temporary directory, and loaded back through the public path a user
takes (``TextImageTerm("ViT-B-32", pretrained=<file>)``, ``ImageImageTerm(
"vit_small_patch14_dinov2", pretrained=<file>)``); the SigLIP tokenizer is a small local
SentencePiece model (the text tower's cost does not depend on the vocabulary). Speed does not
depend on the weights' values.

* **images/s**: ``encoder.encode_images`` on ``batch`` pictures already rendered at the term's
  render size (the model's own preprocessing + forward pass, ``batch_size = batch``, overlap
  on); best of the passes.
* **rewards/s**: ``RewardEngine(term, in_process=True, cache_size=0).score`` on ``batch``
  samples, 8 per prompt (a GRPO group), the text cache emptied before each pass: extraction,
  parse, render at the term's size, preprocessing, image and caption encoding.
* **end to end**: the ``sgp`` recipe with ``add_terms`` CLIP ViT-B-32 (text–image, weight 1)
  and DINOv2 ViT-S/14 (image–image against a reference picture, weight 1), scored by a
  ``RewardEngine`` with 2 analysis workers on the 256-completion batch of
  ``bench_rewards.py`` (corpus documents as model replies, 13% unusable, 2% pathological),
  32 prompts × 8 samples; models warm, worker pool warm, ``cache_size=0``.

Passes: 3 at batch 8, 2 at 32, 1 at 128 (``--quick``: batches 8 and 32, one pass, and a
64-completion end-to-end batch).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import bench_rewards  # noqa: E402  (its batch of model-style completions)
import corpus  # noqa: E402

from svgkit_rewards import RewardEngine, Sample, analyze, build_reward  # noqa: E402
from svgkit_rewards.analysis import AnalysisRequest  # noqa: E402
from svgkit_rewards.neural import ImageImageTerm, TextImageTerm  # noqa: E402

MODELS = {
    "ViT-B-32": ("open_clip", "ViT-B-32"),
    "ViT-B-16-SigLIP-384": ("open_clip", "ViT-B-16-SigLIP-384"),
    "dinov2-s14": ("timm", "vit_small_patch14_dinov2"),
    "dinov2-b14": ("timm", "vit_base_patch14_dinov2"),
}
PASSES = {8: 3, 32: 2, 128: 1}
PROMPTS = [f"a drawing of scene number {i} with a house, a tree and the sun" for i in range(64)]


def save_random(kind: str, arch: str, folder: Path) -> dict[str, Any]:
    """Create ``arch`` at random weights, save it, and return the term's settings."""
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(0)
    if kind == "open_clip":
        import open_clip

        model = open_clip.create_model(arch, pretrained=None)
        path = folder / f"{arch}.safetensors"
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path)
        settings: dict[str, Any] = {"model": arch, "pretrained": str(path)}
        if "SigLIP" in arch:
            import neural_models
            from transformers import SiglipTokenizer

            tok_dir = folder / "siglip-tokenizer"
            tok_dir.mkdir(exist_ok=True)
            spm = neural_models._spm_model(tok_dir)
            SiglipTokenizer(vocab_file=str(spm), model_max_length=64).save_pretrained(tok_dir)
            settings["tokenizer"] = str(tok_dir)
        return settings
    import timm

    model = timm.create_model(arch, pretrained=False, num_classes=0, img_size=224)
    path = folder / f"{arch}.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path)
    return {"model": arch, "pretrained": str(path)}


def make_term(kind: str, settings: dict[str, Any], batch: int, name: str) -> Any:
    if kind == "open_clip":
        return TextImageTerm(**settings, batch_size=batch, name=name)
    return ImageImageTerm(**settings, batch_size=batch, name=name)


def documents(n: int) -> list[str]:
    return [bench_rewards._strip_text(d) for d in corpus.generate(n, 0)]


def bench_model(
    label: str, kind: str, settings: dict[str, Any], batches: list[int], quick: bool
) -> dict[str, Any]:
    docs = documents(max(batches))
    reference = bench_rewards.reference_image(0)
    term = make_term(kind, settings, max(batches), label.replace("-", "_").replace(".", "_"))
    side = term.side
    request = AnalysisRequest(sizes=((side, side),))
    pictures = [analyze(d, request).renders[(side, side)] for d in docs]
    t0 = time.perf_counter()
    encoder = term.encoder
    load_s = time.perf_counter() - t0
    encoder.encode_images(pictures[:2], batch_size=2)  # warm-up (allocations, kernels)
    rows = []
    for batch in batches:
        passes = 1 if quick else PASSES.get(batch, 1)
        img_times, rew_times = [], []
        for _ in range(passes):
            t0 = time.perf_counter()
            encoder.encode_images(pictures[:batch], batch_size=batch)
            img_times.append(time.perf_counter() - t0)
        t = make_term(kind, settings, batch, "bench")
        engine = RewardEngine(t, in_process=True, cache_size=0)
        samples = [
            Sample(docs[i], prompt=PROMPTS[i // 8], reference_image=reference) for i in range(batch)
        ]
        for _ in range(passes):
            if hasattr(encoder, "_texts"):
                encoder._texts.clear()
            t0 = time.perf_counter()
            engine.score(samples)
            rew_times.append(time.perf_counter() - t0)
        rows.append(
            {
                "batch": batch,
                "passes": passes,
                "images_per_s": batch / min(img_times),
                "rewards_per_s": batch / min(rew_times),
                "image_seconds": img_times,
                "reward_seconds": rew_times,
            }
        )
        print(
            f"  {label:>20} batch {batch:>3}: {rows[-1]['images_per_s']:7.1f} images/s  "
            f"{rows[-1]['rewards_per_s']:7.1f} rewards/s",
            flush=True,
        )
    return {
        "model": label,
        "backend": kind,
        "architecture": settings["model"],
        "render_side": side,
        "input_size": list(encoder.input_size),
        "load_seconds": load_s,
        "rows": rows,
    }


def bench_e2e(n: int, text: dict[str, Any], image: dict[str, Any]) -> dict[str, Any]:
    items = bench_rewards.build_batch(n, 0)
    reference = bench_rewards.reference_image(0)
    samples = [
        Sample(it.completion, prompt=PROMPTS[i // 8 % len(PROMPTS)], reference_image=reference,
               finish_reason=it.finish_reason)
        for i, it in enumerate(items)
    ]
    config = {
        "recipe": "sgp",
        "add_terms": [
            {"term": "clip", **text, "weight": 1.0, "batch_size": 64},
            {"term": "dino", **image, "weight": 1.0, "batch_size": 64},
        ],
    }
    reward = build_reward(config)
    with RewardEngine(reward, workers=2, cache_size=0) as engine:
        engine.score(samples[:16])  # warm: pool started, models loaded
        t0 = time.perf_counter()
        results = engine.score(samples)
        wall = time.perf_counter() - t0
    floored = sum(1 for r in results if {"FLOOR", "GATE_CLOSED"} & set(r.diagnostics.flags))
    analysis = results[0].diagnostics.timings.get("batch_analysis", float("nan"))
    return {
        "completions": n,
        "terms": [t.name for t in reward.leaves()],
        "seconds": wall,
        "rewards_per_s": n / wall,
        "analysis_seconds": analysis,
        "terms_seconds": wall - analysis,
        "floored": floored,
        "workers": 2,
    }


def _versions() -> dict[str, str]:
    import open_clip
    import timm
    import torch
    import transformers

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "open_clip": open_clip.__version__,
        "timm": timm.__version__,
        "transformers": transformers.__version__,
        "torch_threads": str(torch.get_num_threads()),
        "cuda": str(torch.cuda.is_available()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batches", default="8,32,128")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--e2e", type=int, default=256, help="end-to-end batch (0: skip)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results" / "neural.json"))
    args = ap.parse_args(argv)
    batches = [int(b) for b in args.batches.split(",")]
    if args.quick:
        batches = [b for b in batches if b <= 32] or batches[:1]
        args.e2e = min(args.e2e, 64)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": _versions(),
        "device": "cpu",
        "gpu": "not measured (no GPU machine in this session)",
        "quick": args.quick,
        "models": [],
    }
    with tempfile.TemporaryDirectory(prefix="svgkit-bench-neural-") as tmp:
        saved: dict[str, dict[str, Any]] = {}
        for label in args.models.split(","):
            kind, arch = MODELS[label]
            saved[label] = save_random(kind, arch, Path(tmp))
            print(f"{label}: {arch} ({kind}), random weights", flush=True)
            results["models"].append(bench_model(label, kind, saved[label], batches, args.quick))
        if args.e2e:
            text = saved.get("ViT-B-32") or save_random("open_clip", "ViT-B-32", Path(tmp))
            image = saved.get("dinov2-s14") or save_random(
                "timm", "vit_small_patch14_dinov2", Path(tmp)
            )
            e2e = bench_e2e(args.e2e, text, image)
            results["end_to_end"] = e2e
            print(
                f"sgp + clip ViT-B-32 + dino ViT-S/14, {e2e['completions']} completions: "
                f"{e2e['rewards_per_s']:.1f} rewards/s ({e2e['seconds']:.1f} s; analysis "
                f"{e2e['analysis_seconds']:.1f} s, terms {e2e['terms_seconds']:.1f} s)",
                flush=True,
            )
    results["total_seconds"] = time.perf_counter() - started
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out} in {results['total_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
