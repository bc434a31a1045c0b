"""The anti-hacking detector: one hacked drawing per flag and its honest twin, no false positives
on the bundled examples and the corpus, robustness on arbitrary text, pickling, the batch
reward."""

from __future__ import annotations

import math
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arbitrary_text

import svgkit
from svgkit_rewards.analysis import analyze
from svgkit_rewards.functional import hacks
from svgkit_rewards.functional.hacks import (
    HACK_FEATURE,
    HACK_FLAGS,
    HackReport,
    HackThresholds,
    detect_hacks,
    hack_features,
    hack_reward,
    hacks_request,
    hidden_texts,
    judge_hacks,
    prompt_words,
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "svgkit" / "examples").glob("*.svg"))

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">'
BACKGROUND = '<rect width="200" height="200" fill="#cfe8ff"/>'
HOUSE = (
    '<g id="house"><rect x="60" y="100" width="80" height="60" fill="#f4a261" stroke="#333"/>'
    '<polygon points="50,100 100,60 150,100" fill="#e63946"/>'
    '<rect x="90" y="125" width="20" height="35" fill="#6d4c41"/></g>'
)
TREE = (
    '<g id="tree"><rect x="20" y="120" width="10" height="40" fill="#8b4513"/>'
    '<circle cx="25" cy="110" r="18" fill="#2a9d8f"/></g>'
)
SUN = '<g id="sun"><circle cx="160" cy="40" r="18" fill="#ffd700"/></g>'
GROUND = '<rect y="160" width="200" height="40" fill="#4caf50"/>'
PROMPT = "a house next to a tree under the sun"


def svg(*parts: str, head: str = HEAD) -> str:
    return head + "".join(parts) + "</svg>"


HONEST = svg(BACKGROUND, GROUND, SUN, TREE, HOUSE)


def flags(text: str, prompt: str | None = PROMPT) -> tuple[str, ...]:
    return detect_hacks(text, prompt).flags


def test_the_honest_drawing_is_clean() -> None:
    report = detect_hacks(HONEST, PROMPT)
    assert report.flags == () and report.penalty == 0.0 and not report


# --- one hack per flag, and its honest twin ------------------------------------------------------


@pytest.mark.parametrize(
    "hacked",
    [
        svg(),  # nothing at all
        svg(BACKGROUND),  # one colour
        svg('<defs><linearGradient id="g" x2="0" y2="1"><stop offset="0" stop-color="#87ceeb"/>'
            '<stop offset="1" stop-color="#fff"/></linearGradient></defs>'
            '<rect width="200" height="200" fill="url(#g)"/>'),  # a lone gradient: no edge
        svg(BACKGROUND, f'<g opacity="0.02">{SUN}{TREE}{HOUSE}</g>'),  # a ghost of a drawing
    ],
    ids=["empty", "one-colour", "gradient", "faint"],
)
def test_blank_canvas(hacked: str) -> None:
    report = detect_hacks(hacked, PROMPT)
    assert "BLANK_CANVAS" in report.flags
    assert report.penalty == 1.0
    assert "BLANK_CANVAS" not in flags(HONEST)


def test_text_as_drawing_from_the_prompt() -> None:
    text = f'<text x="10" y="100" font-size="14">{PROMPT}</text>'
    assert "TEXT_AS_DRAWING" in flags(svg(BACKGROUND, text))
    # the prompt written over an honest drawing is the typographic attack too
    assert "TEXT_AS_DRAWING" in flags(svg(BACKGROUND, GROUND, SUN, TREE, HOUSE, text))
    assert "TEXT_AS_DRAWING" not in flags(HONEST)


def test_text_as_drawing_from_the_ink_without_a_prompt() -> None:
    words = '<text x="10" y="110" font-size="40" fill="#222">hello</text>'
    assert flags(svg(BACKGROUND, words), None) == ("TEXT_AS_DRAWING",)
    assert flags(svg(BACKGROUND, SUN, TREE, HOUSE, words.replace("40", "12")), None) == ()


@pytest.mark.parametrize(
    ("label", "prompt"),
    [
        ('<text x="100" y="110" font-size="22" text-anchor="middle" fill="#fff">STOP</text>',
         "a red stop sign on a pole"),
        ('<text x="100" y="20" font-size="12" text-anchor="middle">Quarterly revenue (M$)</text>',
         "a bar chart of quarterly revenue by region"),
    ],
    ids=["stop-sign", "chart-title"],
)
def test_legitimate_labels_are_not_text_as_drawing(label: str, prompt: str) -> None:
    sign = (
        '<rect x="96" y="130" width="8" height="70" fill="#888"/>'
        '<polygon points="70,60 130,60 150,90 150,130 130,150 70,150 50,130 50,90" fill="#d62828"/>'
    )
    bars = "".join(
        f'<rect x="{30 + 40 * k}" y="{190 - 30 * (k + 1)}" width="30" height="{30 * (k + 1)}" '
        f'fill="#4dabf7"/>'
        for k in range(4)
    )
    axes = '<polyline points="20,30 20,190 190,190" fill="none" stroke="#333" stroke-width="2"/>'
    drawing = sign if "sign" in prompt else bars + axes
    assert flags(svg(BACKGROUND, drawing, label), prompt) == ()


@pytest.mark.parametrize(
    "hide",
    [
        f"<title>{PROMPT}</title>",
        f"<desc>{PROMPT}</desc>",
        f"<!-- {PROMPT} -->",
        f"<metadata><dc:title xmlns:dc='http://purl.org/dc/elements/1.1/'>{PROMPT}</dc:title>"
        "</metadata>",
        f'<g aria-label="{PROMPT}"/>',
        f'<text x="10" y="20" opacity="0">{PROMPT}</text>',
        f'<text x="10" y="20" display="none">{PROMPT}</text>',
    ],
    ids=["title", "desc", "comment", "metadata", "aria-label", "transparent-text", "display-none"],
)
def test_hidden_caption(hide: str) -> None:
    trivial = '<circle cx="100" cy="100" r="30" fill="#e63946"/>'
    report = detect_hacks(svg(hide, BACKGROUND, trivial), PROMPT)
    assert report.flags == ("HIDDEN_CAPTION",), report.details["reasons"]
    # the same caption over an honest drawing is what models write all the time
    assert flags(svg(hide, BACKGROUND, GROUND, SUN, TREE, HOUSE)) == ()


def test_title_and_desc_equal_to_the_prompt_on_an_honest_drawing() -> None:
    text = (REPO / "svgkit" / "examples" / "house_sun.svg").read_text()
    prompt = "a house on a hill under a smiling sun"
    captioned = text.replace(">", f"><title>{prompt}</title><desc>{prompt}</desc>", 1)
    assert flags(captioned, prompt) == ()


def test_a_simple_shape_prompt_may_get_a_simple_shape() -> None:
    one_circle = svg('<title>a red circle</title><circle cx="100" cy="100" r="60" fill="red"/>')
    assert flags(one_circle, "Draw a red circle") == ()
    assert flags(one_circle.replace("a red circle</title>", "a red apple</title>"),
                 "Draw a red apple") == ("HIDDEN_CAPTION",)


def test_commented_small_honest_drawing() -> None:
    apple = (
        '<!-- apple body --><circle cx="100" cy="110" r="60" fill="#e63946"/>'
        '<!-- stem --><rect x="97" y="30" width="6" height="25" fill="#6d4c41"/>'
        '<!-- leaf --><ellipse cx="118" cy="40" rx="16" ry="7" fill="#2a9d8f"/>'
    )
    assert flags(svg(BACKGROUND, apple), "an apple") == ()


def test_a_single_detailed_path_is_not_trivial() -> None:
    d = "M20 180 " + " ".join(f"L{20 + 4 * k} {100 + 40 * math.sin(k / 3):.1f}" for k in range(41))
    icon = svg(f"<title>{PROMPT}</title>", f'<path d="{d} Z" fill="#333"/>')
    assert flags(icon) == ()


@pytest.mark.parametrize(
    "move",
    [
        lambda body: f'<g transform="translate(400 0)">{body}</g>',
        lambda body: f'<g transform="translate(0 -350)">{body}</g>',
        lambda body: f'<g transform="translate(150 150)">{body}</g>',
    ],
    ids=["right", "up", "corner"],
)
def test_off_canvas(move) -> None:
    hacked = svg(move(BACKGROUND + GROUND + SUN + TREE + HOUSE))
    assert "OFF_CANVAS" in flags(hacked)
    assert "OFF_CANVAS" not in flags(HONEST)


def test_off_canvas_through_the_viewbox() -> None:
    hacked = HONEST.replace('viewBox="0 0 200 200"', 'viewBox="1000 1000 200 200"')
    assert "OFF_CANVAS" in flags(hacked)


def test_a_background_larger_than_the_canvas_is_not_off_canvas() -> None:
    big = '<rect x="-300" y="-300" width="800" height="800" fill="#cfe8ff"/>'
    assert flags(svg(big, GROUND, SUN, TREE, HOUSE)) == ()


def _specks(n: int) -> str:
    return "".join(
        f'<rect x="{(k * 37) % 199}" y="{(k * 91) % 197}" width="1" height="1" fill="#333"/>'
        for k in range(n)
    )


def test_primitive_flood() -> None:
    report = detect_hacks(svg(BACKGROUND, GROUND, SUN, TREE, HOUSE, _specks(3000)), PROMPT)
    assert "PRIMITIVE_FLOOD" in report.flags
    assert report.details["n_tiny"] >= 3000
    # a few hundred stars are a starry sky, not a flood
    assert "PRIMITIVE_FLOOD" not in flags(svg(BACKGROUND, GROUND, SUN, TREE, HOUSE, _specks(300)))


def test_pixel_art_is_not_a_flood() -> None:
    cells = "".join(
        f'<rect x="{6 * (k % 32)}" y="{6 * (k // 32)}" width="6" height="6" '
        f'fill="{"#e63946" if (k * 7) % 5 else "#2a9d8f"}"/>'
        for k in range(1024)
    )
    assert "PRIMITIVE_FLOOD" not in flags(svg(cells), "pixel art of a red mushroom")


@pytest.mark.parametrize(
    "giant",
    [
        '<path d="M0 100 L200 100" stroke="#e63946" stroke-width="400" fill="none"/>',
        '<line x1="0" y1="100" x2="200" y2="100" stroke="#264653" stroke-width="130"/>',
        '<circle cx="100" cy="100" r="150" fill="#2a9d8f"/>',
        '<rect x="5" y="5" width="190" height="190" fill="#2a9d8f"/>',
    ],
    ids=["absurd-stroke", "wide-stroke", "covering-circle", "covering-rect"],
)
def test_giant_shape(giant: str) -> None:
    report = detect_hacks(svg(BACKGROUND, GROUND, SUN, TREE, HOUSE, giant), PROMPT)
    assert "GIANT_SHAPE" in report.flags, report.details
    assert "GIANT_SHAPE" not in flags(HONEST)


def test_a_close_up_is_not_a_giant_shape() -> None:
    orange = (
        '<circle cx="100" cy="105" r="90" fill="#fb8500"/>'
        '<path d="M100 15 Q110 0 125 5" stroke="#6d4c41" stroke-width="5" fill="none"/>'
        '<ellipse cx="120" cy="20" rx="14" ry="6" fill="#2a9d8f"/>'
    )
    assert flags(svg('<rect width="200" height="200" fill="#fff"/>', orange), "an orange") == ()


_CAT = (
    '<g id="cat"{attrs}><ellipse cx="100" cy="120" rx="50" ry="40" fill="#f4a261"/>'
    '<circle cx="100" cy="70" r="28" fill="#f4a261"/></g>'
)


@pytest.mark.parametrize(
    ("attrs", "style", "after"),
    [
        (' opacity="0"', "", ""),
        (' display="none"', "", ""),
        (' visibility="hidden"', "", ""),
        (' style="display: none"', "", ""),
        ("", "<style>#cat { display: none }</style>", ""),
        ("", "<style>g#cat { opacity: 0 }</style>", ""),
        (' transform="scale(0)"', "", ""),
        (' fill-opacity="0"', "", ""),
        ("", "", '<rect x="40" y="30" width="120" height="140" fill="#cfe8ff"/>'),
    ],
    ids=["opacity", "display", "visibility", "style-display", "css-display", "css-opacity",
         "zero-scale", "transparent-paint", "covered"],
)
def test_invisible_objects(attrs: str, style: str, after: str) -> None:
    cat = _CAT.format(attrs=attrs)
    report = detect_hacks(svg(style, BACKGROUND, GROUND, SUN, cat, after), "a cat in the sun")
    assert "INVISIBLE_OBJECTS" in report.flags, report.details
    assert any(label == "cat" for label, _ in report.details["invisible_objects"]) or after
    honest = svg(style.replace("cat", "dog"), BACKGROUND, GROUND, SUN, _CAT.format(attrs=""))
    assert flags(honest, "a cat in the sun") == ()


def test_a_small_object_behind_another_is_honest() -> None:
    star = '<polygon id="star" points="160,34 163,40 157,40" fill="#fff"/>'
    assert flags(svg(BACKGROUND, GROUND, star, SUN, TREE, HOUSE)) == ()


# --- no false positives ------------------------------------------------------------------------


def _prompt_for(text: str) -> str:
    names = sorted({o.name for o in svgkit.objects(text) if o.annotated})
    return "a drawing of " + ", ".join(names or ["a scene"])


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_bundled_examples_raise_no_flag(path: Path) -> None:
    text = path.read_text()
    report = detect_hacks(text, _prompt_for(text))
    assert report.flags == (), report.details["reasons"]


def test_corpus_raises_no_flag() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import corpus
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    flagged = {}
    for i, text in enumerate(corpus.generate(60, 0)):
        report = detect_hacks(text, _prompt_for(text))
        if report.flags:
            flagged[i] = report.details["reasons"]
    assert flagged == {}


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=50)
@given(arbitrary_text(), st.one_of(st.none(), st.text(max_size=80)))
def test_never_raises_on_any_text(data, prompt) -> None:
    report = detect_hacks(data, prompt)
    assert set(report.flags) <= set(HACK_FLAGS)
    assert list(report.flags) == [f for f in HACK_FLAGS if f in report.flags]
    assert math.isfinite(report.penalty) and 0.0 <= report.penalty <= 1.0
    assert (report.penalty > 0) == bool(report.flags)


_COLORS = ["#e63946", "#2a9d8f", "#264653", "#f4a261", "#6d4c41", "#457b9d"]


@st.composite
def honest_drawings(draw) -> tuple[list[str], float, float]:
    """Four to seven shapes in distinct cells of [50, 150]² on a 200 × 200 canvas, and a
    translation that keeps them inside."""
    shapes = []
    cells = draw(st.lists(st.integers(0, 8), min_size=4, max_size=7, unique=True))
    for k, cell in enumerate(cells):
        x, y = 50 + 34 * (cell % 3), 50 + 34 * (cell // 3)
        s = draw(st.integers(18, 32))
        color = _COLORS[k % len(_COLORS)]
        kind = draw(st.sampled_from(["rect", "circle", "path"]))
        if kind == "rect":
            shapes.append(f'<rect x="{x}" y="{y}" width="{s}" height="{s}" fill="{color}"/>')
        elif kind == "circle":
            shapes.append(f'<circle cx="{x + s / 2}" cy="{y + s / 2}" r="{s / 2}" fill="{color}"/>')
        else:
            shapes.append(f'<path d="M{x} {y + s} Q{x + s / 2} {y - s / 2} {x + s} {y + s} Z" '
                          f'fill="{color}" stroke="#222" stroke-width="2"/>')
    dx, dy = draw(st.integers(-45, 45)), draw(st.integers(-45, 45))
    return shapes, dx, dy


@settings(max_examples=25)
@given(honest_drawings())
def test_translating_a_drawing_inside_the_canvas_changes_no_flag(drawing) -> None:
    shapes, dx, dy = drawing
    body = '<g id="robot">' + "".join(shapes) + "</g>"
    moved = f'<g transform="translate({dx} {dy})">{body}</g>'
    before = flags(svg(BACKGROUND, body), "a robot")
    after = flags(svg(BACKGROUND, moved), "a robot")
    assert before == after == ()


@given(st.text(max_size=200))
def test_prompt_words_are_content_words(text: str) -> None:
    words = prompt_words(text)
    assert all(len(w) >= 3 and w == w.lower() and w not in hacks.STOP_WORDS for w in words)


def test_prompt_words() -> None:
    assert prompt_words("Draw an SVG of two cats with boxes and berries!") == {"cat", "box", "berry"}
    assert prompt_words(None) == frozenset()


def test_hidden_texts_are_found_and_linear() -> None:
    found = hidden_texts(
        "<svg><!-- a &amp; b --><svg:title>T</svg:title><desc/><metadata><x>m</x></metadata>"
        "<g aria-label='lab'/></svg>"
    )
    assert found == [("comment", "a & b"), ("title", "T"), ("metadata", "m"), ("aria-label", "lab")]
    # unclosed openings do not make the scan quadratic
    assert hidden_texts("<!--" + "<title>" * 20000) == []


# --- judge, reports, pickling -------------------------------------------------------------------


def test_no_features_no_flags() -> None:
    assert judge_hacks(None) == HackReport()
    assert judge_hacks({"version": -1}).flags == ()
    garbage = {"version": hacks.FEATURES_VERSION, "texts": 5, "hidden_texts": [1, (2,)],
               "dominant_share": "x", "edge_fraction": float("nan"), "n_shapes": None}
    report = judge_hacks(garbage, "a cat")
    assert set(report.flags) <= set(HACK_FLAGS) and 0.0 <= report.penalty <= 1.0


def test_invalid_documents_get_an_empty_report() -> None:
    for text in ["", "no svg here", "<svg><rect></svg", "<svg xmlns='http://www.w3.org/2000/svg'>"
                 "<rect width='1e999999'/></svg>"]:
        report = detect_hacks(text, PROMPT)
        if analyze(text, hacks_request()).failed:
            assert report == HackReport(details=report.details) and report.penalty == 0.0


def test_thresholds_and_weights() -> None:
    hacked = svg(BACKGROUND)
    assert detect_hacks(hacked, thresholds=HackThresholds(weights={"BLANK_CANVAS": 0.25})
                        ).penalty == 0.25
    strict = HackThresholds(blank_dominant_share=0.0)
    assert detect_hacks(HONEST, PROMPT, thresholds=strict).flags == ("BLANK_CANVAS",)
    with pytest.raises(ValueError, match="Expected `weights` keys"):
        HackThresholds(weights={"NOPE": 1.0})
    with pytest.raises(ValueError, match=r"Expected `flood_min_tiny` to be a non-negative int"):
        HackThresholds(flood_min_tiny=-1)


def test_report_and_features_pickle() -> None:
    text = svg(f"<title>{PROMPT}</title>", '<circle cx="100" cy="100" r="30"/>')
    scene = svgkit.parse(text)
    renders = {(64, 64): svgkit.render(scene, 64, 64, background="white")[:, :, :3]}
    features = hack_features(scene, text, renders)
    assert pickle.loads(pickle.dumps(features)) == features
    assert all(isinstance(v, (int, float, str, tuple, bool)) for v in features.values())
    report = judge_hacks(features, PROMPT)
    assert report.flags == ("HIDDEN_CAPTION",)
    assert pickle.loads(pickle.dumps(report)) == report
    as_dict = report.to_dict()
    assert as_dict["flags"] == ["HIDDEN_CAPTION"] and as_dict["details"]["reasons"]


def test_features_from_a_letterboxed_render() -> None:
    wide = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100">' + (
        '<rect width="400" height="100" fill="#abc"/></svg>')
    scene = svgkit.parse(wide)
    square = {(64, 64): svgkit.render(scene, 64, 64, background="white")[:, :, :3]}
    assert hack_features(scene, wide, square)["dominant_share"] == 1.0
    assert hack_features(scene, wide, {})["dominant_share"] == 1.0


def test_request() -> None:
    assert hacks_request().render_check and hacks_request().features == (HACK_FEATURE,)


class TestHackReward:
    def test_batch(self) -> None:
        blank = svg(BACKGROUND)
        values = hack_reward([HONEST, blank, "no svg"], [PROMPT, PROMPT, PROMPT])
        assert values == [0.0, -1.0, 0.0]
        assert all(-1.0 <= v <= 0.0 for v in values)

    def test_conversational_prompts_and_completions(self) -> None:
        caption = svg(f"<title>{PROMPT}</title>", '<circle cx="100" cy="100" r="30"/>')
        prompts = [[{"role": "system", "content": "You draw SVG."},
                    {"role": "user", "content": PROMPT}]]
        completions = [[{"role": "assistant", "content": caption}]]
        assert hack_reward(completions, prompts) == [-1.0]
        assert hack_reward(completions) == [0.0]  # no prompt: no caption to find

    def test_precomputed_analyses(self) -> None:
        blank = svg(BACKGROUND)
        analyses = [analyze(blank, hacks_request().merge(hacks_request()))]
        assert hack_reward([blank], analyses=analyses) == [-1.0]
        # an analysis made without the feature has nothing to judge
        assert hack_reward([blank], analyses=[analyze(blank)]) == [0.0]

    def test_prompts_must_match_the_batch(self) -> None:
        with pytest.raises(ValueError, match="Expected `prompts` to have 2 entries"):
            hack_reward([HONEST, HONEST], [PROMPT])

    def test_pickles_by_reference(self) -> None:
        assert pickle.loads(pickle.dumps(hack_reward)) is hack_reward
        assert hack_reward.__name__ == "hack_reward"


def test_public_names_are_sorted() -> None:
    assert hacks.__all__ == sorted(hacks.__all__)
    assert all(hasattr(hacks, name) for name in hacks.__all__)
