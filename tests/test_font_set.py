"""svgkit.font_set: renders with given fonts only, and the pinned default set (same pixels
on every machine)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import svgkit
from svgkit import font_set, fonts
from svgkit.cli import main
from svgkit.font_set import FontSetError, font_options, pinned_font_files

ROOT = Path(__file__).resolve().parents[1]
# the tests run with the `fonts` extra installed (make setup installs it with `dev`): never skip
PINNED = pinned_font_files()
PINNED_DIR = str(Path(PINNED[0]).parent)


def _doc(family: str, text: str = "Hamburgefonstiv") -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
        f'<text x="4" y="30" font-size="24" font-family="{family}">{text}</text></svg>'
    )


@pytest.fixture()
def mono_dir(tmp_path: Path) -> Path:
    """A directory holding one font: DejaVu Sans Mono (regular only)."""
    d = tmp_path / "onefont"
    d.mkdir()
    shutil.copy(Path(PINNED_DIR) / "DejaVuSansMono.ttf", d / "Only.ttf")
    return d


# -- arguments --------------------------------------------------------------------------------


def test_font_options_normalise_and_check_their_arguments(tmp_path: Path) -> None:
    assert font_options(None, True) is font_set.SYSTEM_FONTS
    opts = font_options([tmp_path, str(tmp_path)], False)
    assert opts.font_dirs == (str(tmp_path),) and opts.system_fonts is False
    assert font_options(str(tmp_path), True).font_dirs == (str(tmp_path),)
    with pytest.raises(ValueError, match="system_fonts=False"):
        font_options(None, False)
    with pytest.raises(TypeError):
        font_options([1, 2], True)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        font_options(None, "no")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        svgkit.render(_doc("serif"), 10, 10, system_fonts=False)


# -- the pinned set ---------------------------------------------------------------------------


def test_the_pinned_set_is_twelve_verified_dejavu_faces() -> None:
    assert len(PINNED) == 12
    for path in PINNED:
        sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        assert sha == font_set.PINNED_SHA256[Path(path).name]
    assert (Path(PINNED_DIR) / "LICENSE_DEJAVU").is_file()


def test_a_missing_or_altered_pinned_set_is_a_classified_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(font_set, "_pinned_dir", lambda: None)
    with pytest.raises(FontSetError) as missing:
        pinned_font_files()
    assert missing.value.code == "BAD_INPUT" and missing.value.details["reason"] == "missing"
    assert "svgkit[fonts]" in str(missing.value)
    assert not font_set.pinned_available()
    copy = tmp_path / "ttf"
    shutil.copytree(PINNED_DIR, copy)
    with open(copy / "DejaVuSerif.ttf", "r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01")
    monkeypatch.setattr(font_set, "_pinned_dir", lambda: copy)
    with pytest.raises(FontSetError) as bad:
        pinned_font_files()
    assert bad.value.details == {"reason": "mismatch", "files": ["DejaVuSerif.ttf"]}


# -- rendering with given fonts only ----------------------------------------------------------


@pytest.mark.parametrize("family", ["serif", "Arial", "No Such Family", "cursive, monospace"])
def test_without_system_fonts_every_family_uses_the_given_font(mono_dir: Path, family: str) -> None:
    scene = svgkit.parse(_doc(family), font_dirs=[mono_dir], system_fonts=False)
    (run,) = scene.texts.values()
    assert run.shaped and run.glyphs
    assert {Path(g.font_file).parent for g in run.glyphs} == {mono_dir}
    # a monospaced face: every glyph advances the same
    steps = np.diff([g.x for g in run.glyphs])
    assert np.allclose(steps, steps[0])


def test_the_given_font_changes_the_pixels_and_renders_are_deterministic(mono_dir: Path) -> None:
    svg = _doc("serif")
    only = svgkit.render(svg, 200, 40, font_dirs=[mono_dir], system_fonts=False)
    again = svgkit.render(svg, 200, 40, font_dirs=[str(mono_dir)], system_fonts=False)
    mono = svgkit.render(
        _doc("DejaVu Sans Mono"), 200, 40, font_dirs=[mono_dir], system_fonts=False
    )
    serif = svgkit.render(svg, 200, 40)
    assert np.array_equal(only, again)
    assert np.array_equal(only, mono)  # "serif" mapped onto the set's one face
    assert only[..., 3].sum() > 0 and not np.array_equal(only, serif)


def test_given_fonts_without_a_usable_face_are_an_error_not_the_system_fonts(
    tmp_path: Path,
) -> None:
    (tmp_path / "broken.ttf").write_bytes(b"not a font")
    svg = _doc("serif")
    for dirs in ([tmp_path], [tmp_path / "missing"]):
        with pytest.raises(FontSetError) as err:
            svgkit.parse(svg, font_dirs=dirs, system_fonts=False)
        assert err.value.code == "BAD_INPUT" and err.value.details["reason"] == "empty"
        (res,) = svgkit.render_many([svg], 8, 8, workers=1, font_dirs=dirs, system_fonts=False)
        assert isinstance(res, svgkit.SVGKitError) and res.code == "BAD_INPUT"
    # a document without text never needs the fonts
    shapes = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="3" height="3"/></svg>'
    assert len(svgkit.parse(shapes, font_dirs=[tmp_path], system_fonts=False)) == 1


def test_font_dirs_add_to_the_system_fonts(mono_dir: Path) -> None:
    # the copy keeps its family name, so a family the system also has still resolves; a generic
    # keeps fontconfig's own alias when system fonts are on
    scene = svgkit.parse(_doc("serif"), font_dirs=[mono_dir])
    (run,) = scene.texts.values()
    assert run.glyphs and Path(run.glyphs[0].font_file).parent != mono_dir


def test_the_pinned_set_maps_generics_and_well_known_names() -> None:
    expect = {
        "serif": "DejaVuSerif.ttf",
        "sans-serif": "DejaVuSans.ttf",
        "monospace": "DejaVuSansMono.ttf",
        "Arial": "DejaVuSans.ttf",
        "Times New Roman": "DejaVuSerif.ttf",
        "Courier New": "DejaVuSansMono.ttf",
        "Unknown Font": "DejaVuSerif.ttf",  # the browsers' default family
    }
    for family, name in expect.items():
        scene = svgkit.parse(_doc(family), font_dirs=PINNED, system_fonts=False)
        (run,) = scene.texts.values()
        assert {Path(g.font_file).name for g in run.glyphs} == {name}, family
    bold = svgkit.parse(
        _doc("sans-serif").replace("<text ", '<text font-weight="bold" font-style="italic" '),
        font_dirs=PINNED,
        system_fonts=False,
    )
    assert {Path(g.font_file).name for g in bold.texts[0].glyphs} == {"DejaVuSans-BoldOblique.ttf"}


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20))
def test_any_family_name_resolves_inside_the_pinned_set(family: str) -> None:
    with font_set.using_fonts(font_set.pinned_fonts()):
        _name, ref = fonts.resolve_font((family,))
    assert ref is not None and ref.path in PINNED


def test_font_choice_is_per_context_not_global(mono_dir: Path) -> None:
    """A parse in another thread with other fonts does not change this one's."""
    opts = font_options([mono_dir], False)
    seen: list[str] = []

    def other() -> None:
        with font_set.using_fonts(opts):
            ref = fonts.resolve_font(("serif",))[1]
            assert ref is not None
            seen.append(ref.path)

    with font_set.using_fonts(font_set.pinned_fonts()):
        t = threading.Thread(target=other)
        t.start()
        t.join()
        ref = fonts.resolve_font(("serif",))[1]
    assert ref is not None and Path(ref.path).name == "DejaVuSerif.ttf"
    assert Path(seen[0]).parent == mono_dir
    assert font_set.active_fonts() is font_set.SYSTEM_FONTS


# -- the same pixels on every machine ----------------------------------------------------------

_CHILD = """
import hashlib, sys, svgkit
from svgkit.font_set import pinned_font_files
svg = sys.stdin.read()
kw = dict(font_dirs=pinned_font_files(), system_fonts=False) if sys.argv[1] == "pinned" else {}
print(hashlib.sha256(svgkit.render(svg, 240, 60, **kw).tobytes()).hexdigest())
"""


def _render_in(env: dict[str, str], which: str, svg: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, which],
        input=svg,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return proc.stdout.strip()


@pytest.mark.slow
def test_two_fontconfig_environments_give_identical_pixels_with_the_pinned_set(
    mono_dir: Path, tmp_path: Path
) -> None:
    # a machine whose fontconfig knows one font only, and calls it every generic family
    conf = tmp_path / "fonts.conf"
    aliases = "".join(
        f"<alias><family>{g}</family><prefer><family>DejaVu Sans Mono</family></prefer></alias>"
        for g in ("serif", "sans-serif", "monospace")
    )
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{mono_dir}</dir>'
        f"<cachedir>{tmp_path / 'cache'}</cachedir>{aliases}</fontconfig>"
    )
    bare = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60" font-size="20">'
        '<text x="4" y="24">Serif text</text>'
        '<text x="4" y="50" font-family="Arial" font-weight="bold">Arial bold</text></svg>'
    )
    assert _render_in(bare, "system", svg) != _render_in(dict(os.environ), "system", svg)
    assert _render_in(bare, "pinned", svg) == _render_in(dict(os.environ), "pinned", svg)


# -- pass-through: render_many, the CLI, the reward engine ---------------------------------------


def test_render_many_passes_the_fonts_to_its_workers(mono_dir: Path) -> None:
    svg = _doc("serif")
    want = svgkit.render(svg, 200, 40, font_dirs=[mono_dir], system_fonts=False)
    got = svgkit.render_many(
        [svg, svg], 200, 40, workers=1, font_dirs=[mono_dir], system_fonts=False
    )
    assert all(isinstance(g, np.ndarray) and np.array_equal(g, want) for g in got)
    plain = svgkit.render_many([svg], 200, 40, workers=1)
    assert not np.array_equal(plain[0], want)
    with pytest.raises(ValueError):
        svgkit.render_many([svg], 8, 8, workers=1, system_fonts=False)


def test_the_cli_takes_font_dirs_and_the_pinned_set(mono_dir: Path, tmp_path: Path) -> None:
    from PIL import Image

    src = tmp_path / "t.svg"
    src.write_text(_doc("serif"))
    png = tmp_path / "t.png"
    args = ["render", str(src), "-o", str(png), "--width", "200", "--height", "40"]
    assert main([*args, "--font-dir", str(mono_dir), "--no-system-fonts"]) == 0
    want = svgkit.render(_doc("serif"), 200, 40, font_dirs=[mono_dir], system_fonts=False)
    assert np.array_equal(np.asarray(Image.open(png).convert("RGBA")), want)
    assert main([*args, "--no-system-fonts"]) == 2  # nothing could draw the text


def test_the_cli_info_reports_the_pinned_glyph_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "t.svg"
    src.write_text(_doc("Arial"))
    assert main(["info", str(src), "--pinned-fonts"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True


def test_the_reward_engine_uses_the_pinned_set_by_default() -> None:
    from svgkit_rewards import RewardEngine, Sample, build_reward

    engine = RewardEngine(build_reward("sgp"), in_process=True)
    assert engine.fonts == "pinned" and not engine.fonts_fallback
    assert engine.request.font_dirs == PINNED and engine.request.system_fonts is False
    system = RewardEngine(build_reward("sgp"), in_process=True, fonts="system")
    assert system.request.font_dirs == () and system.request.system_fonts is True
    # the analyses really lay text out with the pinned files
    svg = "<svg xmlns='http://www.w3.org/2000/svg'><text y='20' font-family='Arial'>Hi</text></svg>"
    a = engine.analyse([svg])[0]
    assert a.code == "OK"
    with font_set.using_fonts(font_set.pinned_fonts()):
        expect = fonts.resolve_font(("Arial",))[1]
    assert expect is not None
    scene = svgkit.parse(svg, font_dirs=engine.request.font_dirs, system_fonts=False)
    assert scene.texts[0].glyphs[0].font_file == expect.path
    assert engine.score([Sample(svg)])[0].diagnostics.flags.count("SYSTEM_FONTS") == 0
    with pytest.raises(ValueError):
        RewardEngine(build_reward("sgp"), in_process=True, fonts="comic")


def test_the_reward_engine_without_the_pinned_set_warns_and_flags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from svgkit_rewards import RewardEngine, Sample, build_reward, engine

    monkeypatch.setattr(font_set, "_pinned_dir", lambda: None)
    monkeypatch.setattr(engine, "_WARNED_PINNED", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eng = RewardEngine(build_reward("sgp"), in_process=True)
        RewardEngine(build_reward("sgp"), in_process=True)  # warned once per process
    assert [w.category for w in caught] == [RuntimeWarning]
    assert "svgkit[fonts]" in str(caught[0].message)
    assert eng.fonts == "system" and eng.fonts_fallback
    result = eng.score([Sample("<svg xmlns='http://www.w3.org/2000/svg'><circle r='3'/></svg>")])
    assert "SYSTEM_FONTS" in result[0].diagnostics.flags
