"""Tiny randomly initialised models of each family the neural terms load, saved to a directory
the way users keep real ones (the tests then load them back through svgkit's public path).

Every builder is seeded and takes well under a second: a few layers of width 32 at an input size
of 32–56 pixels. The tokenizers are real tokenizers of each family with a small vocabulary:
CLIP's byte-level BPE (no merges), SigLIP's SentencePiece model (trained here on a few
sentences), SigLIP 2's Gemma-style BPE.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

CAPTIONS = [
    "a red circle on a white background",
    "a blue square next to a green triangle",
    "a house with a tree and the sun",
    "an orange star above a purple moon",
    "two black lines crossing in the middle",
    "a yellow smiley face with round eyes",
]


def _bytes_vocab() -> dict[str, int]:
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    chars = list(bytes_to_unicode().values())
    vocab: dict[str, int] = {}
    for c in chars:
        vocab[c] = len(vocab)
    for c in chars:
        vocab[c + "</w>"] = len(vocab)
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    return vocab


def save_hf_clip(path: Path, seed: int = 0) -> Path:
    """A transformers ``CLIPModel`` + ``CLIPProcessor`` directory (input 32², crop from 40)."""
    import torch
    from transformers import (
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
        CLIPProcessor,
        CLIPTokenizer,
    )

    vocab = _bytes_vocab()
    tok = CLIPTokenizer(vocab=vocab, merges=[])
    eos = vocab["<|endoftext|>"]
    cfg = CLIPConfig(
        text_config=dict(
            vocab_size=len(vocab),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=77,
            bos_token_id=vocab["<|startoftext|>"],
            eos_token_id=eos,
            pad_token_id=eos,
        ),
        vision_config=dict(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=32,
            patch_size=8,
        ),
        projection_dim=16,
    )
    torch.manual_seed(seed)
    model = CLIPModel(cfg).eval()
    ip = CLIPImageProcessor(size={"shortest_edge": 40}, crop_size={"height": 32, "width": 32})
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    CLIPProcessor(image_processor=ip, tokenizer=tok).save_pretrained(path)
    return path


def _spm_model(path: Path) -> Path:
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CAPTIONS * 4),
        model_writer=buf,
        vocab_size=48,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        minloglevel=3,
    )
    out = path / "spiece.model"
    out.write_bytes(buf.getvalue())
    return out


def save_hf_siglip(path: Path, seed: int = 0) -> Path:
    """A transformers ``SiglipModel`` + ``SiglipProcessor`` directory (SentencePiece
    tokenizer, text padded to 16 tokens, input 32²)."""
    import torch
    from transformers import (
        SiglipConfig,
        SiglipImageProcessor,
        SiglipModel,
        SiglipProcessor,
        SiglipTokenizer,
    )

    path.mkdir(parents=True, exist_ok=True)
    tmp = path / "_spm"
    tmp.mkdir(exist_ok=True)
    tok = SiglipTokenizer(vocab_file=str(_spm_model(tmp)), model_max_length=16)
    cfg = SiglipConfig(
        text_config=dict(
            vocab_size=64,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=16,
            pad_token_id=1,
            bos_token_id=2,
            eos_token_id=1,
        ),
        vision_config=dict(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=32,
            patch_size=8,
        ),
    )
    torch.manual_seed(seed)
    model = SiglipModel(cfg).eval()
    ip = SiglipImageProcessor(size={"height": 32, "width": 32})
    model.save_pretrained(path)
    SiglipProcessor(image_processor=ip, tokenizer=tok).save_pretrained(path)
    return path


def save_hf_siglip2(path: Path, seed: int = 0) -> Path:
    """A transformers ``Siglip2Model`` + ``Siglip2Processor`` directory (NaFlex: at most 16
    patches of 16², Gemma-style BPE tokenizer)."""
    import torch
    from transformers import (
        Siglip2Config,
        Siglip2ImageProcessor,
        Siglip2Model,
        Siglip2Processor,
        Siglip2Tokenizer,
    )

    vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "<mask>": 4}
    for ch in sorted(set("".join(CAPTIONS).lower()) | {"▁"}):
        vocab.setdefault(ch, len(vocab))
    tok = Siglip2Tokenizer(vocab=vocab, merges=[], model_max_length=16)
    cfg = Siglip2Config(
        text_config=dict(
            vocab_size=64,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=16,
            pad_token_id=1,
            bos_token_id=2,
            eos_token_id=1,
        ),
        vision_config=dict(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_patches=16,
            patch_size=16,
        ),
    )
    torch.manual_seed(seed)
    model = Siglip2Model(cfg).eval()
    ip = Siglip2ImageProcessor(patch_size=16, max_num_patches=16)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    Siglip2Processor(image_processor=ip, tokenizer=tok).save_pretrained(path)
    return path


def save_hf_dinov2(path: Path, seed: int = 0) -> Path:
    """A transformers ``Dinov2Model`` + its image processor (resize 64, centre crop 56)."""
    import torch
    from transformers import BitImageProcessor, Dinov2Config, Dinov2Model

    cfg = Dinov2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        patch_size=14,
        image_size=56,
    )
    torch.manual_seed(seed)
    model = Dinov2Model(cfg).eval()
    ip = BitImageProcessor(
        size={"shortest_edge": 64},
        crop_size={"height": 56, "width": 56},
        do_center_crop=True,
        do_convert_rgb=True,
        image_mean=[0.485, 0.456, 0.406],
        image_std=[0.229, 0.224, 0.225],
        resample=3,
    )
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    ip.save_pretrained(path)
    return path


#: The tiny DINOv2 architecture of the timm tests.
TIMM_DINO_ARGS: dict[str, Any] = {"img_size": 56, "embed_dim": 32, "depth": 2, "num_heads": 2}


def save_timm_dinov2(path: Path, seed: int = 0) -> Path:
    """A timm DINOv2 ViT as timm keeps one in a folder: ``config.json`` (architecture, model
    arguments, pretrained config) and ``model.safetensors``; returns the folder."""
    import timm
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    model = timm.create_model("vit_small_patch14_dinov2", pretrained=False, **TIMM_DINO_ARGS)
    path.mkdir(parents=True, exist_ok=True)
    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()}, path / "model.safetensors"
    )
    config = {
        "architecture": "vit_small_patch14_dinov2",
        "num_classes": 0,
        "model_args": TIMM_DINO_ARGS,
        "pretrained_cfg": {
            "input_size": [3, 56, 56],
            "interpolation": "bicubic",
            "crop_pct": 1.0,
            "crop_mode": "center",
            "mean": [0.485, 0.456, 0.406],
            "std": [0.229, 0.224, 0.225],
            "num_classes": 0,
        },
    }
    (path / "config.json").write_text(json.dumps(config))
    return path


#: The tiny open_clip architecture (registered with ``open_clip.add_model_config``).
OPEN_CLIP_NAME = "svgkit-tiny-clip"
OPEN_CLIP_CONFIG: dict[str, Any] = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 2, "width": 32, "patch_size": 8, "head_width": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 2},
}


def save_open_clip(path: Path, seed: int = 0) -> Path:
    """Register :data:`OPEN_CLIP_CONFIG` with open_clip and save a random checkpoint of it;
    returns the checkpoint file (``open_clip_model.safetensors``)."""
    import open_clip
    import torch
    from safetensors.torch import save_file

    path.mkdir(parents=True, exist_ok=True)
    cfg_file = path / f"{OPEN_CLIP_NAME}.json"
    cfg_file.write_text(json.dumps(OPEN_CLIP_CONFIG))
    open_clip.add_model_config(cfg_file)
    torch.manual_seed(seed)
    model = open_clip.create_model(OPEN_CLIP_NAME, pretrained=None)
    out = path / "open_clip_model.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, out)
    return out


def save_tiny_qwen(path: Path, *, max_positions: int = 256, seed: int = 0) -> Any:
    """A 2-layer, 16-wide random Qwen2 causal LM and a character-level tokenizer with a chat
    template, built offline and saved to ``path``; returns the tokenizer."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    vocab = {"<pad>": 0, "<eos>": 1, "<unk>": 2}
    for ch in "<>/=\"' :\nabcdefghijklmnopqrstuvwxyz0123456789":
        vocab.setdefault(ch, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(pattern="", behavior="isolated")
    tok.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>"
    )
    tokenizer.chat_template = (
        "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant: {% endif %}"
    )
    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=max_positions,
        pad_token_id=0, eos_token_id=1, bos_token_id=1, tie_word_embeddings=True,
    )
    Qwen2ForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return tokenizer


def save_tiny_svg_policy(
    path: Path,
    examples: list[tuple[str, list[str]]],
    *,
    steps: int = 100,
    vocab_size: int = 2000,
    hidden: int = 64,
    seed: int = 0,
) -> Any:
    """A tiny Qwen2 policy that has learned to answer each prompt with one of a few SVG
    completions, saved with its tokenizer to ``path``; returns the tokenizer.

    ``examples`` pairs each user prompt with its completions (good, wrong and broken ones), so
    that sampling at temperature 1 gives a group of completions with different rewards — what
    GRPO needs for a non-zero advantage. The tokenizer is a byte-level BPE trained here on the
    examples (nothing downloaded); the model (2 layers, ``hidden`` wide) is fitted for ``steps``
    full-batch Adam steps, a few seconds on a CPU.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoTokenizer, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    template = (
        "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant: {% endif %}"
    )
    prompts = [f"user: {p}\nassistant: " for p, _ in examples]
    texts = prompts + [c for _, cs in examples for c in cs]
    bpe = Tokenizer(models.BPE(unk_token=None))
    # no pre-splitting: merges may cross spaces and tags, so a whole SVG answer takes a few
    # tokens and the tiny model learns it in a few steps
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(texts * 4, trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=["<pad>", "<eos>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    built = PreTrainedTokenizerFast(tokenizer_object=bpe, pad_token="<pad>", eos_token="<eos>")
    built.chat_template = template
    built.save_pretrained(path)
    # fitted with the tokenizer as the trainer will load it (a reload does not split text
    # exactly as the in-memory object does)
    tokenizer = AutoTokenizer.from_pretrained(path)
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id

    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=512,
        pad_token_id=pad, eos_token_id=eos, bos_token_id=eos, tie_word_embeddings=True,
    )
    model = Qwen2ForCausalLM(config)
    # prompt and completion tokenized apart, as the trainer sees them (generation continues
    # the tokenized prompt)
    rows = [tokenizer(prompt)["input_ids"] + tokenizer(c)["input_ids"] + [eos]
            for prompt, (_, cs) in zip(prompts, examples) for c in cs]
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    labels = ids.masked_fill(mask == 0, -100)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    model.generation_config.eos_token_id = eos
    model.generation_config.pad_token_id = pad
    model.save_pretrained(path)
    return tokenizer
