"""The neural terms (svgkit_rewards.neural): tiny random models of each family, saved to disk and
loaded back through the public path; parity with the libraries' own model, processor and
tokenizer at fp32; floors, caches, overlap, diversity, the engine and configs."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
pytest.importorskip("open_clip")
pytest.importorskip("timm")
pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")

import neural_models as nm  # noqa: E402
from strategies import svg_documents  # noqa: E402

from svgkit_rewards import RewardEngine, Sample, analyze, build_reward  # noqa: E402
from svgkit_rewards.analysis import AnalysisRequest  # noqa: E402
from svgkit_rewards.functional.image_image import (  # noqa: E402
    diversity,
    group_diversity,
    image_image_reward,
)
from svgkit_rewards.functional.text_image import (  # noqa: E402
    SIMILARITY_RANGES,
    similarity_score,
    text_image_reward,
)
from svgkit_rewards.neural import (  # noqa: E402
    ImageImageTerm,
    ModelNotFoundError,
    TextImageTerm,
    clear_encoders,
    loaded_encoders,
    process_device,
    score_in_chunks,
)
from svgkit_rewards.neural._loading import LOADS  # noqa: E402

NS = 'xmlns="http://www.w3.org/2000/svg"'
RED = f'<svg {NS} viewBox="0 0 16 16"><rect x="2" y="2" width="8" height="8" fill="red"/></svg>'
BLUE = f'<svg {NS} viewBox="0 0 16 16"><circle cx="10" cy="9" r="5" fill="blue"/></svg>'
GREEN = f'<svg {NS} viewBox="0 0 16 16"><path d="M1 15 L8 1 L15 15 Z" fill="green"/></svg>'
BAD = ["no svg here", f"<svg {NS}><rect width='4'", "<svg><rect></svg>"]


def sgp(svg: str) -> str:
    return f"<think>draw</think> <answer>{svg}</answer>"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("neural-models")
    return {
        "hf_clip": nm.save_hf_clip(root / "clip"),
        "hf_siglip": nm.save_hf_siglip(root / "siglip"),
        "hf_siglip2": nm.save_hf_siglip2(root / "siglip2"),
        "open_clip": nm.save_open_clip(root / "open_clip"),
        "hf_dino": nm.save_hf_dinov2(root / "dino"),
        "timm_dino": nm.save_timm_dinov2(root / "timm"),
    }


def text_term(models: dict[str, Any], family: str, **kw: Any) -> TextImageTerm:
    if family == "open_clip":
        return TextImageTerm(nm.OPEN_CLIP_NAME, pretrained=str(models["open_clip"]), **kw)
    return TextImageTerm(str(models[family]), **kw)


def image_term(models: dict[str, Any], family: str, **kw: Any) -> ImageImageTerm:
    return ImageImageTerm(str(models[family]), **kw)


def render(svg: str, side: int) -> Any:
    from PIL import Image

    a = analyze(svg, AnalysisRequest(sizes=((side, side),)))
    return Image.fromarray(a.renders[(side, side)], "RGB")


# --- what the libraries compute by hand ----------------------------------------------------------


def by_hand_text_image(models: dict[str, Any], family: str, pil: Any, caption: str) -> float:
    with torch.no_grad():
        if family == "open_clip":
            import open_clip

            model, _, preprocess = open_clip.create_model_and_transforms(
                nm.OPEN_CLIP_NAME, pretrained=str(models["open_clip"])
            )
            model.eval()
            tok = open_clip.get_tokenizer(nm.OPEN_CLIP_NAME)
            img = model.encode_image(preprocess(pil)[None])
            txt = model.encode_text(tok([caption]))
            return float(torch.nn.functional.cosine_similarity(img, txt)[0])
        from transformers import AutoModel, AutoProcessor

        model = AutoModel.from_pretrained(models[family]).eval()
        proc = AutoProcessor.from_pretrained(models[family])
        length = model.config.text_config.max_position_embeddings
        inputs = dict(proc.image_processor(images=[pil], return_tensors="pt"))
        text = proc.tokenizer(
            [caption], padding="max_length", max_length=length, truncation=True, return_tensors="pt"
        )
        inputs.update({k: v for k, v in text.items() if k in ("input_ids", "attention_mask")})
        out = model(**inputs)  # image_embeds / text_embeds come back normalised
        return float((out.image_embeds * out.text_embeds).sum())


def by_hand_dino(models: dict[str, Any], family: str, a: Any, b: Any, pooling: str) -> float:
    with torch.no_grad():
        if family == "hf_dino":
            from transformers import AutoImageProcessor, AutoModel

            model = AutoModel.from_pretrained(models[family]).eval()
            proc = AutoImageProcessor.from_pretrained(models[family])
            tokens = model(**proc(images=[a, b], return_tensors="pt")).last_hidden_state
        else:
            import timm
            import timm.data

            model = timm.create_model(f"local-dir:{models[family]}", pretrained=True).eval()
            tf = timm.data.create_transform(
                **timm.data.resolve_model_data_config(model), is_training=False
            )
            tokens = model.forward_features(torch.stack([tf(a), tf(b)]))
        feats = {
            "cls": tokens[:, 0],
            "mean": tokens.mean(dim=1),
            "patch": tokens[:, 1:].mean(dim=1),
        }[pooling]
        return float(torch.nn.functional.cosine_similarity(feats[:1], feats[1:])[0])


TEXT_FAMILIES = ["open_clip", "hf_clip", "hf_siglip", "hf_siglip2"]


class TestParity:
    @pytest.mark.parametrize("family", TEXT_FAMILIES)
    def test_text_image_equals_the_library(self, models, family):
        term = text_term(models, family, mode="raw", template="an icon of {}")
        engine = RewardEngine(term, in_process=True)
        ours = engine([Sample(RED, prompt="a red square")])[0]
        expected = by_hand_text_image(
            models, family, render(RED, term.side), "an icon of a red square"
        )
        assert ours == pytest.approx(expected, abs=1e-5)
        assert term.encoder.precision == "fp32"

    @pytest.mark.parametrize(
        "family, pooling",
        [
            ("hf_dino", "cls"),
            ("hf_dino", "mean"),
            ("hf_dino", "patch"),
            ("timm_dino", "cls"),
            ("timm_dino", "patch"),
        ],
    )
    def test_image_image_equals_the_library(self, models, family, pooling):
        term = image_term(models, family, mode="raw", pooling=pooling)
        ours = term.compute([Sample(RED, reference_svg=BLUE)], [analyze(RED, term.request())])[0]
        expected = by_hand_dino(
            models, family, render(RED, term.side), render(BLUE, term.side), pooling
        )
        assert ours == pytest.approx(expected, abs=1e-5)

    def test_reference_picture_and_reference_svg_agree(self, models):
        term = image_term(models, "hf_dino", mode="raw")
        pic = np.asarray(render(BLUE, term.side))
        a = [analyze(RED, term.request())] * 2
        by_svg, by_pic = term.compute(
            [Sample(RED, reference_svg=BLUE), Sample(RED, reference_image=pic)], a
        )
        assert by_svg == pytest.approx(by_pic, abs=1e-6)
        same = term.compute([Sample(RED, reference_svg=RED)], a[:1])[0]
        assert same == pytest.approx(1.0, abs=1e-6)


class TestModes:
    def test_modes_are_the_formulas(self, models):
        raw = text_term(models, "hf_clip", mode="raw")
        c = RewardEngine(raw, in_process=True)([Sample(RED, prompt="a cat")])[0]
        for mode in ("rescaled", "clipscore"):
            t = text_term(models, "hf_clip", mode=mode, name=mode)
            v = RewardEngine(t, in_process=True)([Sample(RED, prompt="a cat")])[0]
            assert v == pytest.approx(similarity_score(c, mode), abs=1e-9)
            assert t.value_range == SIMILARITY_RANGES[mode]
        assert similarity_score(0.5, "rescaled") == 0.75
        assert similarity_score(-0.5, "clipscore") == 0.0
        assert similarity_score(0.25, "clipscore") == 25.0

    @pytest.mark.parametrize("bad", ["cosine", "CLIPScore", ""])
    def test_unknown_mode_is_refused(self, models, bad):
        with pytest.raises(ValueError, match="Expected `mode` to be one of raw, rescaled"):
            text_term(models, "hf_clip", mode=bad)
        with pytest.raises(ValueError, match="Expected `mode`"):
            image_term(models, "hf_dino", mode=bad)
        with pytest.raises(ValueError, match="Expected `mode`"):
            similarity_score(0.1, bad)

    def test_other_settings_are_checked(self, models):
        with pytest.raises(ValueError, match="template"):
            text_term(models, "hf_clip", template="no placeholder")
        with pytest.raises(ValueError, match="pooling"):
            image_term(models, "hf_dino", pooling="max")
        with pytest.raises(ValueError, match="backend"):
            text_term(models, "hf_clip", backend="onnx")
        with pytest.raises(ValueError, match="batch_size"):
            text_term(models, "hf_clip", batch_size=0)


class TestInvalidInput:
    def test_invalid_completions_score_the_floor_without_the_model(self, models):
        clear_encoders()
        term = text_term(models, "hf_siglip", floor=-0.5)
        engine = RewardEngine(term, in_process=True, floor=-0.5)
        before = LOADS["count"]
        results = engine.score([Sample(sgp(b), prompt="a cat") for b in BAD])
        assert [r.components[term.name] for r in results] == [-0.5] * 3
        assert LOADS["count"] == before and not loaded_encoders()  # never loaded
        assert term.value_range == (-0.5, 1.0)

    def test_mixed_batch_encodes_only_the_usable_drawings(self, models):
        term = image_term(models, "timm_dino")
        samples = [Sample(s, reference_svg=BLUE) for s in (RED, BAD[0], GREEN, BAD[1])]
        samples.append(Sample(RED))  # no reference: does not apply
        before = dict(term.encoder.counters)
        values = RewardEngine(term, in_process=True).score(samples)
        comps = [r.components["image_image"] for r in values]
        assert comps[1] == comps[3] == 0.0 and comps[4] is None
        assert 0.0 <= comps[0] <= 1.0 and 0.0 <= comps[2] <= 1.0
        after = term.encoder.counters
        assert after["references_encoded"] - before["references_encoded"] == 1  # BLUE, once
        # the two usable drawings and the reference; the broken ones never reach the model
        assert after["images_encoded"] - before["images_encoded"] == 3

    def test_functional_forms(self, models):
        out = text_image_reward(
            [RED, "nothing"], ["a red square", "a cat"], model=str(models["hf_clip"])
        )
        assert out[1] == 0.0 and 0.0 <= out[0] <= 1.0
        out = image_image_reward(
            [RED, RED], model=str(models["hf_dino"]), reference_svg=[RED, None]
        )
        assert out[0] == pytest.approx(1.0, abs=1e-6) and out[1] is None


class TestMissingModels:
    def test_missing_checkpoint_file(self, tmp_path):
        missing = tmp_path / "nope.safetensors"
        with pytest.raises(ModelNotFoundError, match="open_clip checkpoint file") as exc:
            TextImageTerm("ViT-B-32", pretrained=str(missing))
        assert str(missing) in str(exc.value) and isinstance(exc.value, FileNotFoundError)
        with pytest.raises(ModelNotFoundError, match="timm checkpoint file"):
            ImageImageTerm("vit_small_patch14_dinov2", pretrained=str(missing))

    def test_missing_directory_and_bad_directory(self, tmp_path):
        with pytest.raises(ModelNotFoundError, match="local model directory"):
            TextImageTerm(str(tmp_path / "no-such-dir"))
        with pytest.raises(ModelNotFoundError, match=r"config\.json") as exc:
            ImageImageTerm(str(tmp_path))
        assert str(tmp_path) in str(exc.value)
        with pytest.raises(ModelNotFoundError, match=r"open_clip_config\.json"):
            TextImageTerm(f"local-dir:{tmp_path}")

    def test_hub_id_not_in_the_cache(self, tmp_path, monkeypatch):
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        term = TextImageTerm("svgkit-tests/not-a-real-model", size=32)
        with pytest.raises(ModelNotFoundError, match="svgkit-tests/not-a-real-model") as exc:
            RewardEngine(term, in_process=True)([Sample(RED, prompt="a cat")])
        assert "never downloads" in str(exc.value)

    def test_half_precision_on_cpu_is_refused(self, models):
        if torch.cuda.is_available():
            pytest.skip("CPU-only check")
        term = text_term(models, "hf_clip", precision="fp16")
        with pytest.raises(ValueError, match="precision"):
            _ = term.encoder
        assert process_device() == "cpu"


class TestCachesAndOverlap:
    def test_repeated_captions_are_encoded_once(self, models):
        clear_encoders()
        term = text_term(models, "open_clip")
        group = [Sample(s, prompt="a red square") for s in (RED, BLUE, GREEN, RED)]
        engine = RewardEngine(term, in_process=True)
        first = engine(group)
        assert term.encoder.counters["texts_encoded"] == 1
        second = engine(group)
        assert term.encoder.counters["texts_encoded"] == 1
        assert term.encoder.counters["text_cache_hits"] == 1
        uncached = text_term(models, "open_clip", text_cache=False, name="nocache")
        third = RewardEngine(uncached, in_process=True)(group)
        assert first == second == third
        assert first[0] == first[3]

    @pytest.mark.parametrize("family", ["hf_siglip", "timm_dino"])
    def test_overlap_and_batch_size_do_not_change_results(self, models, family):
        svgs = [RED, BLUE, GREEN, BAD[0], RED.replace("red", "orange"), BLUE.replace("5", "3")]
        kw = dict(reference_svg=GREEN) if family == "timm_dino" else dict(prompt="a shape")
        samples = [Sample(s, **kw) for s in svgs]
        make = image_term if family == "timm_dino" else text_term
        runs = [
            RewardEngine(make(models, family, batch_size=b, overlap=o), in_process=True)(samples)
            for b, o in ((2, True), (2, False), (32, True))
        ]
        assert runs[0] == runs[1]  # same batches, with and without overlap: identical
        assert runs[2] == pytest.approx(runs[0], abs=1e-5)

    def test_score_in_chunks_matches_score(self, models):
        term = text_term(models, "hf_clip")
        engine = RewardEngine(term, in_process=True, cache_size=64)
        samples = [Sample(sgp(s), prompt=p) for s in (RED, BLUE, GREEN) for p in ("a", "b")]
        samples.append(Sample(sgp(BAD[0]), prompt="a"))
        expected = [r.score for r in engine.score(samples)]
        runs = [
            [r.score for r in score_in_chunks(engine, samples, chunk_size=3, overlap=overlap)]
            for overlap in (True, False)
        ]
        assert runs[0] == runs[1]  # the same chunks with and without overlap: identical
        # other chunks mean other fp32 batches for the model: equal to rounding
        assert runs[0] == pytest.approx(expected, abs=1e-6)


class TestDiversity:
    def test_formula(self):
        assert diversity([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]) == pytest.approx(
            1.0 - (0.0 + 2 * math.sqrt(0.5)) / 3
        )
        assert math.isnan(diversity([[1.0, 0.0]]))

    def test_term_diversity_is_one_minus_mean_pairwise_cosine(self, models):
        term = image_term(models, "hf_dino")
        analyses = [analyze(s, term.request()) for s in (RED, BLUE, BAD[0], GREEN)]
        feats = term.encoder.encode_images(
            [a.renders[(term.side, term.side)] for a in analyses if a.ok]
        )
        unit = feats / np.linalg.norm(feats, axis=1, keepdims=True)
        sims = [float(unit[i] @ unit[j]) for i in range(3) for j in range(i + 1, 3)]
        assert term.diversity(analyses) == pytest.approx(1.0 - sum(sims) / 3, abs=1e-6)
        assert term.diversity(analyses[2:3]) is None
        assert group_diversity([RED, "none"], model=str(models["hf_dino"])) is None


class TestEngineAndConfig:
    def test_default_worker_pool_gives_the_in_process_scores(self, models):
        reward = build_reward(
            {
                "recipe": "sgp",
                "add_terms": [
                    {"term": "siglip", "model": str(models["hf_siglip"]), "weight": 0.5},
                    {"term": "dino", "model": str(models["timm_dino"]), "weight": 0.5},
                ],
            }
        )
        assert [t.name for t in reward.leaves()] == ["format", "length", "siglip", "dino"]
        samples = [Sample(sgp(s), prompt="a shape", reference_svg=BLUE) for s in (RED, GREEN)]
        samples.append(Sample(sgp(BAD[1]), prompt="a shape", reference_svg=BLUE))
        with RewardEngine(reward, workers=1) as pooled:
            got = pooled.score(samples)
        want = RewardEngine(reward, in_process=True).score(samples)
        assert [r.score for r in got] == pytest.approx([r.score for r in want], abs=1e-9)
        assert got[2].score == 0.0 and got[0].components["siglip"] is not None

    def test_toml_config_and_pickle(self, models, tmp_path):
        cfg = tmp_path / "reward.toml"
        cfg.write_text(
            'recipe = "sgp"\n[[add_terms]]\nterm = "clip"\n'
            f'model = "{nm.OPEN_CLIP_NAME}"\npretrained = "{models["open_clip"]}"\n'
            'mode = "clipscore"\nweight = 0.01\n'
        )
        reward = build_reward(cfg)
        leaf = list(reward.leaves())[-1]
        assert isinstance(leaf, TextImageTerm) and leaf.name == "clip"
        assert leaf.value_range == (0.0, 100.0)
        back = pickle.loads(pickle.dumps(leaf))
        assert back.spec == leaf.spec and back.name == "clip"

    def test_imports_stay_light(self):
        code = (
            "import sys, svgkit_rewards, svgkit_rewards.recipes, svgkit_rewards.neural.terms;"
            "print([m for m in ('torch', 'open_clip', 'timm', 'transformers') if m in sys.modules])"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "[]"

    def test_local_rank_picks_the_device(self, monkeypatch):
        monkeypatch.setenv("LOCAL_RANK", "1")
        expected = (
            "cuda:1"
            if torch.cuda.device_count() > 1
            else ("cuda:0" if torch.cuda.is_available() else "cpu")
        )
        assert process_device() == expected


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=svg_documents(max_elements=4), mode=st.sampled_from(["raw", "rescaled", "clipscore"]))
def test_scores_are_finite_and_in_range(models, doc, mode):
    term = text_term(models, "hf_siglip", mode=mode, name=f"s_{mode}")
    lo, hi = SIMILARITY_RANGES[mode]
    value = RewardEngine(term, in_process=True)([Sample(doc.text, prompt="a drawing")])[0]
    assert value is not None and math.isfinite(value) and lo <= value <= hi
    dino = image_term(models, "hf_dino", mode=mode, name=f"d_{mode}")
    value = RewardEngine(dino, in_process=True)([Sample(doc.text, reference_svg=RED)])[0]
    assert value is not None and math.isfinite(value) and lo <= value <= hi
