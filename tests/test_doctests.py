"""Every ``>>>`` example in the packages and in the docs runs, so what users read is what happens.

One place collects them all: each module of ``svgkit`` and ``svgkit_rewards`` that has an example,
README.md and every page of ``docs/`` that has one. A module or page without examples is not
collected; one whose examples fail is a failing test.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_EXAMPLE = re.compile(r"^\s*>>> ", re.MULTILINE)


def _modules() -> list[str]:
    names = []
    for package in ("svgkit", "svgkit_rewards"):
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name == "__main__.py" or not _EXAMPLE.search(path.read_text(encoding="utf-8")):
                continue
            parts = path.relative_to(REPO).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _pages() -> list[str]:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return [
        str(p.relative_to(REPO)) for p in pages if _EXAMPLE.search(p.read_text(encoding="utf-8"))
    ]


@pytest.fixture(autouse=True)
def _no_reward_config_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # the adapters read these; an example must not depend on the caller's shell
    monkeypatch.delenv("SVGKIT_REWARD_CONFIG", raising=False)
    monkeypatch.delenv("SVGKIT_REWARD_OPTIONS", raising=False)


@pytest.mark.parametrize("name", _modules())
def test_module_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, verbose=False)
    assert result.failed == 0


@pytest.mark.parametrize("page", _pages())
def test_page_examples_run(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # pages refer to files relative to the repository root (svgkit/examples/..., docs/...)
    monkeypatch.chdir(REPO)
    result = doctest.testfile(str(REPO / page), module_relative=False, optionflags=FLAGS)
    assert result.attempted > 0
    assert result.failed == 0


def test_collection_is_not_empty() -> None:
    assert len(_modules()) > 20
    assert "docs/geometry.md" in _pages()
    assert "docs/extraction.md" in _pages()


_FILE_REF = re.compile(
    r"(?<![\w/.-])((?:svgkit|svgkit_rewards|benchmarks|tests|scripts|docs)/[\w/.-]*"
    r"\.(?:py|md|toml|svg|json|jsonl|yaml|txt|sh))(?![\w])"
)
_NAME_REF = re.compile(r"(?<![\w.])((?:svgkit|svgkit_rewards)(?:\.[A-Za-z_]\w*)+)")


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(obj, attribute):
                return False
            obj = getattr(obj, attribute)
        return True
    return False


@pytest.mark.parametrize(
    "page", ["README.md", *(f"docs/{p.name}" for p in sorted((REPO / "docs").glob("*.md")))]
)
def test_pages_name_only_files_and_modules_that_exist(page: str) -> None:
    text = (REPO / page).read_text(encoding="utf-8")
    missing_files = sorted(
        {ref for ref in _FILE_REF.findall(text) if not (REPO / ref.rstrip(".")).exists()}
    )
    missing_names = sorted({ref for ref in _NAME_REF.findall(text) if not _resolves(ref)})
    assert (missing_files, missing_names) == ([], [])
