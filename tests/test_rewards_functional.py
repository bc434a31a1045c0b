"""The plain reward functions of svgkit_rewards.functional: one class per reward (valid, invalid
and mixed batches, a pickle round-trip of its term), and the pixel metrics against scikit-image."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from svgkit_rewards import FormatTerm, LengthTerm, PixelTerm, RewardEngine, Sample
from svgkit_rewards.functional import (
    code_length,
    format_reward,
    length_reward,
    load_image,
    mse,
    pixel_reward,
    psnr,
    rlrf_edge_l2,
    rlrf_l2,
    ssim,
)
from svgkit_rewards.functional._common import completion_text
from svgkit_rewards.functional.length import rlrf_length, sgp_length

NS = 'xmlns="http://www.w3.org/2000/svg"'
SVG = f'<svg {NS} viewBox="0 0 16 16"><rect x="2" y="2" width="8" height="8" fill="red"/></svg>'
BLANK_SVG = f"<svg {NS} viewBox='0 0 16 16'></svg>"


def sgp(svg: str, think: str = "a square") -> str:
    return f"<think>{think}</think> <answer>{svg}</answer>"


def _pickles(term: object) -> None:
    back = pickle.loads(pickle.dumps(term))
    assert type(back) is type(term) and back.name == term.name  # type: ignore[attr-defined]


class TestFormat:
    @pytest.mark.parametrize(
        "text, expected",
        [
            (sgp(SVG), 1.0),
            (sgp(SVG) + "\n  \n", 1.0),  # trailing whitespace
            (sgp(BLANK_SVG), 1.0),  # a blank drawing renders
            (f"<think>x</think>  <answer>{SVG}</answer>", 0.0),  # two spaces
            (f"<think>x</think>\n<answer>{SVG}</answer>", 0.0),
            (f"<answer>{SVG}</answer>", 0.0),
            (sgp(SVG) + " Hope this helps!", 0.0),
            (sgp(SVG.replace("</svg>", "<text>hi</text></svg>")), 0.0),
            (sgp(SVG.replace("</svg>", "<text><tspan>hi</tspan></text></svg>")), 0.0),
            (sgp("<svg><rect></svg>"), 0.0),  # XML syntax
            (sgp(f"<svg {NS}><rect width='4'"), 0.0),  # truncated
            ("<think>x</think> <answer>no drawing</answer>", 0.0),
        ],
    )
    def test_sgp_policy(self, text, expected):
        assert format_reward([text], "sgp") == [expected]

    @pytest.mark.parametrize(
        "text, expected",
        [
            (f"<answer>{SVG}</answer>", 1.0),
            (f"thinking...\n<answer>\n  {SVG}\n</answer>\n", 1.0),
            (f"<answer>```svg\n{SVG}\n```</answer>", 1.0),
            (f"<answer>{SVG}</answer> and more", 0.0),
            (SVG, 0.0),
            (f"<answer>{BLANK_SVG}</answer>", 1.0),
        ],
    )
    def test_answer_policy(self, text, expected):
        assert format_reward([text], "answer") == [expected]

    @pytest.mark.parametrize(
        "text, expected",
        [(SVG, 1.0), (f"Sure!\n```svg\n{SVG}\n```", 1.0), (BLANK_SVG, 0.0), ("nope", 0.0)],
    )
    def test_plain_policy(self, text, expected):
        assert format_reward([text], "plain") == [expected]

    def test_mixed_batch_and_conversational(self):
        conv = [{"role": "assistant", "content": sgp(SVG)}]
        assert format_reward([sgp(SVG), "x", conv, None]) == [1.0, 0.0, 1.0, 0.0]

    def test_unknown_policy(self):
        with pytest.raises(ValueError, match="policy"):
            format_reward([SVG], "strict")  # type: ignore[arg-type]

    def test_pickle(self):
        _pickles(FormatTerm("answer"))


class TestLength:
    def test_code_length_strips_whitespace_and_comments(self):
        svg = (
            "<svg>\n  <!-- the sun -->\n  <style>/* theme */ .a { fill: red; }</style>\n"
            '  <rect style="fill: blue; /* why */" class="a"/>\n</svg>'
        )
        assert code_length(svg) == len(
            '<svg><style>.a{fill:red;}</style><rectstyle="fill:blue;"class="a"/></svg>'
        )

    def test_unterminated_comment_counts_as_removed(self):
        assert code_length("<svg><!-- cut off") == len("<svg>")

    def test_sgp(self):
        assert sgp_length(0) == 1.0 and sgp_length(3000) == 0.5 and sgp_length(9000) == 0.0
        body = "x" * 2989
        assert length_reward([f"<svg>{body}</svg>", "no svg here"]) == [
            0.5,
            1 - len("nosvghere") / 6000,
        ]

    def test_sgp_uses_the_extracted_svg(self):
        prose = "Here is a long explanation. " * 100
        assert length_reward([prose + SVG]) == length_reward([SVG])

    def test_rlrf(self):
        assert rlrf_length(50, 100) == 1.0
        assert rlrf_length(100, 100) == 0.75
        assert rlrf_length(150, 100) == 0.0
        assert rlrf_length(250, 100) == -1.0 and rlrf_length(10**6, 100) == -1.0
        assert rlrf_length(5, 0) == 1 - 4.5**2 or rlrf_length(5, 0) == -1.0
        ref = SVG
        long_svg = SVG.replace("</svg>", "<rect width='1' height='1'/>" * 10 + "</svg>")
        out = length_reward([SVG, long_svg, "x"], "rlrf", reference_svg=[ref, ref, None])
        assert out[0] == 0.75 and out[1] is not None and out[1] < 0 and out[2] is None

    def test_max_length(self):
        assert length_reward(["<svg>" + "x" * 89 + "</svg>"], max_length=100) == [0.0]
        with pytest.raises(ValueError, match="max_length"):
            length_reward([SVG], max_length=0)

    def test_pickle(self):
        _pickles(LengthTerm("rlrf"))

    @given(st.text(max_size=300), st.text(max_size=300))
    def test_ranges(self, text, ref):
        [a] = length_reward([text])
        [b] = length_reward([text], "rlrf", reference_svg=ref or "<svg/>")
        assert a is not None and 0.0 <= a <= 1.0
        assert b is not None and -1.0 <= b <= 1.0


def _rng_image(seed: int, shape=(24, 24, 3)) -> np.ndarray:
    return np.random.default_rng(seed).random(shape)


class TestPixelMetrics:
    def test_mse_and_psnr(self):
        a, b = np.zeros((4, 4, 3)), np.full((4, 4, 3), 0.5)
        assert mse(a, b) == 0.25 and mse(a, a) == 0.0
        assert psnr(a, b) == pytest.approx(10 * math.log10(4)) and psnr(a, a) == math.inf

    def test_ssim_is_scikit_image(self):
        from skimage.metrics import structural_similarity

        a, b = _rng_image(1), _rng_image(2)
        b = 0.7 * a + 0.3 * b
        expected = structural_similarity(
            a,
            b,
            channel_axis=2,
            data_range=1.0,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
        )
        assert ssim(a, b) == pytest.approx(expected)
        assert ssim(a, a) == 1.0

    def test_rlrf_l2_is_invariant_to_brightness_and_contrast(self):
        a = _rng_image(3)
        assert rlrf_l2(a, 0.5 * a + 0.25) == pytest.approx(1.0, abs=1e-6)
        assert rlrf_l2(a, 1.0 - a) == -1.0  # d = 4 → clipped
        flat = np.full_like(a, 0.3)
        assert rlrf_l2(flat, flat) == 1.0
        assert rlrf_l2(a, flat) == pytest.approx(0.0, abs=1e-4)  # d = 1

    def test_edges_see_shape_not_colour(self):
        square = np.ones((48, 48, 3))
        square[12:36, 12:36] = (1.0, 0.0, 0.0)
        blue = np.ones((48, 48, 3))
        blue[12:36, 12:36] = (0.0, 0.0, 1.0)
        moved = np.ones((48, 48, 3))
        moved[2:14, 30:46] = (1.0, 0.0, 0.0)
        assert rlrf_edge_l2(square, blue) > 0.95
        assert rlrf_edge_l2(square, moved) < 0.2

    @settings(max_examples=25)
    @given(
        hnp.arrays(np.float64, (12, 12, 3), elements=st.floats(0, 1)),
        hnp.arrays(np.float64, (12, 12, 3), elements=st.floats(0, 1)),
    )
    def test_ranges(self, a, b):
        for value, lo, hi in [
            (1 - mse(a, b), 0, 1),
            (ssim(a, b), -1, 1),
            (rlrf_l2(a, b), -1, 1),
            (rlrf_edge_l2(a, b), -1, 1),
        ]:
            assert math.isfinite(value) and lo <= value <= hi


class TestLoadImage:
    def test_forms_agree(self, tmp_path: Path):
        from PIL import Image

        rgb = (np.random.default_rng(5).random((20, 30, 3)) * 255).astype(np.uint8)
        path = tmp_path / "ref.png"
        Image.fromarray(rgb).save(path)
        forms = [rgb, rgb / 255.0, rgb.tolist(), Image.fromarray(rgb), path, str(path)]
        loaded = [load_image(f, (30, 20)) for f in forms]
        for img in loaded:
            assert img.shape == (20, 30, 3) and img.dtype == np.float32
            np.testing.assert_allclose(img, loaded[0], atol=1 / 255)

    def test_alpha_is_composited_on_white_and_grey_is_expanded(self):
        rgba = np.zeros((4, 4, 4), np.uint8)
        rgba[0, 0] = (0, 0, 0, 255)
        out = load_image(rgba, (4, 4))
        assert out[0, 0].tolist() == [0, 0, 0] and out[1, 1].tolist() == [1, 1, 1]
        assert load_image(np.full((4, 4), 0.5), (4, 4))[0, 0].tolist() == pytest.approx(
            [0.5] * 3, abs=1 / 255
        )

    def test_resize(self):
        assert load_image(np.zeros((10, 40, 3), np.uint8), (16, 12)).shape == (12, 16, 3)

    @pytest.mark.parametrize(
        "bad",
        [
            np.zeros((4, 4, 2)),
            np.zeros((4,)),
            np.full((4, 4, 3), 2.0),
            np.full((4, 4, 3), np.nan),
            np.full((4, 4, 3), 256),
        ],
    )
    def test_bad_arrays_say_what_is_wrong(self, bad):
        with pytest.raises(ValueError, match=r"reference image|values"):
            load_image(bad, (4, 4))


class TestPixelReward:
    def test_valid_invalid_and_missing_reference(self):
        red = np.zeros((16, 16, 3), np.uint8)
        red[..., 0] = 255
        full = f"<svg {NS} viewBox='0 0 16 16'><rect width='16' height='16' fill='red'/></svg>"
        out = pixel_reward([full, SVG, "no", BLANK_SVG], "mse", image=red, size=16)
        assert out[0] == 1.0 and 0.0 < out[1] < 1.0 and out[2] == 0.0
        assert out[3] == pytest.approx(1 - 2 / 3)  # white vs red: two channels off by 1
        assert pixel_reward([full], "ssim", size=16) == [None]

    def test_per_sample_references(self):
        white = np.full((16, 16, 3), 255, np.uint8)
        black = np.zeros((16, 16, 3), np.uint8)
        out = pixel_reward([BLANK_SVG, BLANK_SVG], "psnr", image=[white, black], size=16)
        assert out == [1.0, 0.0]

    def test_the_engine_and_the_function_agree(self):
        ref = (np.random.default_rng(7).random((32, 32, 3)) * 255).astype(np.uint8)
        texts = [SVG, BLANK_SVG, "none"]
        for metric in ("mse", "psnr", "ssim", "l2", "l2_edge"):
            engine = RewardEngine(PixelTerm(metric, size=32), in_process=True)
            via_engine = [
                r.components[metric]
                for r in engine.score([Sample(t, reference_image=ref) for t in texts])
            ]
            assert via_engine == pixel_reward(texts, metric, image=ref, size=32)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="metric"):
            pixel_reward([SVG], "lpips", image=np.zeros((4, 4, 3)))  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="size"):
            pixel_reward([SVG], "mse", image=np.zeros((4, 4, 3)), size=4)
        with pytest.raises(ValueError, match="entries"):
            pixel_reward([SVG, SVG, SVG], "mse", image=[np.zeros((4, 4, 3))] * 2)

    def test_pickle(self):
        _pickles(PixelTerm("l2_edge", size=(32, 24)))


def test_completion_text_shapes():
    assert completion_text("a") == "a"
    assert completion_text(b"\xffa") == "\ufffda"
    assert completion_text({"role": "assistant", "content": "x"}) == "x"
    assert (
        completion_text([{"role": "user", "content": "u"}, {"role": "assistant", "content": "x"}])
        == "x"
    )
    parts = [{"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "image"}]}]
    assert completion_text(parts) == "a"
    assert completion_text(42) == ""
