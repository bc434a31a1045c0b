"""The package as users get it: public surface, typing marker, version, bundled data, demo."""

from __future__ import annotations

import importlib
import importlib.metadata
import io
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis.extra import numpy as hnp

import svgkit
import svgkit_rewards
from svgkit import demo

REPO = Path(__file__).resolve().parents[1]
SVG_NS = "{http://www.w3.org/2000/svg}"
PACKAGES = ("svgkit", "svgkit_rewards")


# --- public surface -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", svgkit.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(svgkit, name) is not None


def test_public_names_are_not_shadowed_by_submodules() -> None:
    # Importing a submodule binds it as a package attribute; a public function named like its
    # module (svgkit.validate in svgkit/validate.py) would then resolve to the module instead.
    code = (
        "import importlib, types, svgkit\n"
        "for module in sorted(set(svgkit._EXPORTS.values())):\n"
        "    importlib.import_module('svgkit.' + module)\n"
        "shadowed = [n for n in svgkit.__all__\n"
        "            if isinstance(getattr(svgkit, n), types.ModuleType)]\n"
        "print(' '.join(shadowed))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"resolve to modules: {out.stdout.strip()}"


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from svgkit import *", namespace)
    public = {k for k in namespace if k != "__builtins__"}
    assert public == set(svgkit.__all__)


@pytest.mark.parametrize("package", [svgkit, svgkit_rewards])
def test_all_is_sorted_and_unique(package: object) -> None:
    names = list(package.__all__)  # type: ignore[attr-defined]
    assert names == sorted(set(names))


def test_dir_lists_the_public_names() -> None:
    assert set(svgkit.__all__) <= set(dir(svgkit))


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = svgkit.no_such_name  # type: ignore[attr-defined]


def test_import_is_cheap() -> None:
    # `import svgkit` must not pull in numba or cairo (they load on first use).
    code = "import sys, svgkit; print(' '.join(m for m in ('numba', 'cairo') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_optional_stacks_are_not_imported_by_the_packages() -> None:
    # the extras' heavy stacks load only where they are used
    code = ("import sys, svgkit_rewards, svgkit_rewards.cluster, svgkit_rewards.train, "
            "svgkit_rewards.adapters; print(' '.join(m for m in ('ray', 'torch', 'trl', "
            "'starlette', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_rewards_star_import() -> None:
    namespace: dict[str, object] = {}
    exec("from svgkit_rewards import *", namespace)
    assert set(svgkit_rewards.__all__) <= set(namespace)


# --- version, typing marker, metadata ---------------------------------------------------------


def test_version_is_pep440_and_shared() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", svgkit.__version__)
    assert svgkit_rewards.__version__ == svgkit.__version__


def test_installed_metadata_matches() -> None:
    dist = importlib.metadata.distribution("svgkit")
    assert dist.version == svgkit.__version__
    assert dist.metadata["Requires-Python"] == ">=3.10"
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"svgkit": "svgkit.cli:main",
                       "svgkit-bench": "svgkit_rewards.bench.cli:main",
                       "svgkit-rewards": "svgkit_rewards.cli:main",
                       "svgkit-train-grpo": "svgkit_rewards.train.grpo:main"}


@pytest.mark.parametrize("package", PACKAGES)
def test_py_typed_marker(package: str) -> None:
    assert (resources.files(package) / "py.typed").is_file()


# --- bundled examples ---------------------------------------------------------------------------


def test_examples_are_bundled() -> None:
    names = demo.example_names()
    assert len(names) >= 8
    on_disk = sorted(p.name for p in (REPO / "svgkit" / "examples").glob("*.svg"))
    assert names == on_disk


@pytest.mark.parametrize("name", demo.example_names())
def test_example_is_a_small_well_formed_svg(name: str) -> None:
    text = demo.read_example(name)
    assert 1_000 <= len(text.encode("utf-8")) <= 5_000
    root = ET.fromstring(text)
    assert root.tag == f"{SVG_NS}svg"


def test_examples_carry_object_annotations() -> None:
    texts = [demo.read_example(n) for n in demo.example_names()]
    assert sum("data-object=" in t for t in texts) >= 6
    joined = "\n".join(texts)
    for feature in (
        "<linearGradient",
        "<radialGradient",
        "<symbol",
        "<use",
        "<style>",
        "<clipPath",
        "<text",
        'class="obj vase"',
        'id="tree-1"',
        "transform=",
    ):
        assert feature in joined, feature


def test_read_example_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="Expected `name`"):
        demo.read_example("../pyproject.toml")


@pytest.mark.parametrize("name", demo.example_names())
def test_bundled_example_validates(name: str) -> None:
    report = svgkit.validate(demo.read_example(name))
    assert report.ok, (report.code, report.message)
    assert report.code == "OK"
    assert report.primitives > 0


@pytest.mark.slow
def test_wheel_contents(tmp_path: Path) -> None:
    # Build from a copy so the working tree gets no build/ or egg-info from the test.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for package in PACKAGES:
        shutil.copytree(
            REPO / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = tmp_path.glob("svgkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"svgkit/py.typed", "svgkit_rewards/py.typed", "svgkit/demo.py"} <= names
    assert {f"svgkit/examples/{n}" for n in demo.example_names()} <= names
    assert {"svgkit_rewards/bench/templates/report.html.j2",
            "svgkit_rewards/bench/demo/suite.jsonl",
            "svgkit_rewards/bench/demo/completions/careful.jsonl"} <= names
    assert not any(n.startswith(("tests/", "benchmarks/", "docs/")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "svgkit = svgkit.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


# --- demo ---------------------------------------------------------------------------------------


def test_demo_summarises_every_example() -> None:
    out = io.StringIO()
    status = demo.main(["--no-render"], out=out)
    text = out.getvalue()
    assert status == 0, text
    for name in demo.example_names():
        assert re.search(rf"^{re.escape(name)}\s+ok\s+\d+", text, re.MULTILINE), name
    assert "<- differs" not in text


def test_demo_rejects_missing_files(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        demo.main(["does-not-exist.svg"])
    assert exc.value.code == 2


def test_demo_renders_the_parsed_scenes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[tuple[str, int, int]] = []

    def fake_render(src: object, width: int, height: int) -> np.ndarray:
        assert isinstance(src, svgkit.Scene)  # the Scene summarise() parsed, not the text again
        rendered.append((type(src).__name__, width, height))
        return np.full((height, width, 4), 200, np.uint8)

    monkeypatch.setattr(svgkit, "render", fake_render)
    status = demo.main(["--no-broken", "--out", str(tmp_path)], out=io.StringIO())
    assert status == 0
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == sorted(Path(n).stem + ".png" for n in demo.example_names())
    assert max(max(w, h) for _, w, h in rendered) <= demo.MAX_PNG_SIDE


@given(
    hnp.arrays(
        np.uint8,
        hnp.array_shapes(min_dims=3, max_dims=3, max_side=9).map(lambda s: (s[0], s[1], 4)),
    )
)
def test_demo_png_writer_round_trips(rgba: np.ndarray) -> None:
    image_module = pytest.importorskip("PIL.Image")
    png = demo._png_bytes(np.ascontiguousarray(rgba))
    decoded = np.asarray(image_module.open(io.BytesIO(png)).convert("RGBA"))
    np.testing.assert_array_equal(decoded, rgba)


def test_demo_module_entry_point() -> None:
    importlib.import_module("svgkit.demo")
    out = subprocess.run(
        [sys.executable, "-m", "svgkit.demo", "--help"], capture_output=True, text=True, check=True
    )
    assert "bundled" in out.stdout
