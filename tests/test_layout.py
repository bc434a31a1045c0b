"""The core's layout rules, read from the sources (nothing is imported).

The pipeline is ingest → build → renderer / geometry, over a contract of small leaves. These tests
keep it that way: no import cycles (imports inside functions and under ``TYPE_CHECKING`` count),
the renderer and geometry never reach back into the builder or the XML layer, no package takes
another package's private names, ``svgkit_rewards`` uses only public ``svgkit`` names, the leaves
import only each other, and no module grows past 1,200 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORE = REPO / "svgkit"
STAGES = ("ingest", "build", "renderer", "geometry")
# the contract every stage may import; they import nothing but each other
LEAVES = frozenset(
    {
        "svgkit.affine",
        "svgkit.color",
        "svgkit.errors",
        "svgkit.filter_spec",
        "svgkit.flatten",
        "svgkit.font_set",
        "svgkit.fonts",
        "svgkit.limits",
        "svgkit.paths",
        "svgkit.scene",
    }
)
MAX_LINES = 1200


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources(package: Path) -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(package.rglob("*.py"))}


MODULES = _sources(CORE)


def _imports(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """``(module, imported names)`` for every import in the file, relative ones resolved."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((module, [alias.name for alias in node.names]))
    return found


def _targets(module: str, names: list[str]) -> set[str]:
    """The svgkit modules an import statement loads: the module, or a submodule it names."""
    out = set()
    for candidate in [module, *(f"{module}.{n}" for n in names)]:
        while candidate and candidate not in MODULES:
            candidate = candidate.rpartition(".")[0]
        if candidate:
            out.add(candidate)
    return out


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[1] in STAGES else "top"


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        edges: set[str] = set()
        for module, names in _imports(name, path):
            edges |= _targets(module, names)
        # a package re-exporting its own submodules is not a dependency between modules
        graph[name] = {t for t in edges if t != name and not t.startswith(name + ".")}
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_stages_are_packages() -> None:
    for stage in STAGES:
        assert (CORE / stage / "__init__.py").is_file(), stage


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_cycle_detection_sees_lazy_imports() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycles(graph) == [["a", "b", "c", "a"]]


@pytest.mark.parametrize("stage", ["renderer", "geometry"])
def test_renderer_and_geometry_never_reach_into_build_or_ingest(stage: str) -> None:
    reaching = {
        f"{name} -> {target}"
        for name, targets in _graph().items()
        if _stage(name) == stage
        for target in targets
        if _stage(target) in ("build", "ingest")
    }
    assert reaching == set()


def test_leaves_import_only_leaves() -> None:
    outside = {
        f"{name} -> {target}"
        for name in LEAVES
        for target in _graph()[name]
        if target not in LEAVES
    }
    assert outside == set()


def test_no_private_names_across_packages() -> None:
    crossing = []
    for name, path in MODULES.items():
        for module, names in _imports(name, path):
            if not module.startswith("svgkit") or _stage(module) in ("top", _stage(name)):
                continue
            crossing += [f"{name} imports {n} from {module}" for n in names if _private(n)]
            if any(_private(part) for part in module.split(".")):
                crossing.append(f"{name} imports the private module {module}")
    assert crossing == []


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_rewards_use_only_public_svgkit_names() -> None:
    private = []
    for name, path in _sources(REPO / "svgkit_rewards").items():
        for module, names in _imports(name, path):
            if module != "svgkit" and not module.startswith("svgkit."):
                continue
            if any(_private(part) for part in module.split(".")):
                private.append(f"{name} imports {module}")
            private += [f"{name} imports {module}.{n}" for n in names if _private(n)]
    assert private == []


def test_no_module_is_too_long() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := path.read_text(encoding="utf-8").count("\n")) > MAX_LINES
    }
    assert long == {}
