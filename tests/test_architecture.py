"""The house keeps its shape: which layer may import which (docs/architecture.md).

Every ``import`` in ``src/planc`` is read from the source (module level, inside
functions, and under ``TYPE_CHECKING`` alike), so a lazy import cannot slip a
higher layer into a lower one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "planc"

#: layer -> the planc layers it may import (itself always included)
ALLOWED: dict[str, set[str]] = {
    "root": set(),  # planc/__init__.py: the version, nothing else
    "core": {"root"},
    "checks": {"root", "core"},
    "change": {"root", "core", "checks"},
    "track": {"root", "core", "checks"},
    "allocate": {"root", "core", "checks"},
    "sheets": {"root", "core", "checks", "allocate"},  # writes YAML as init and allocate do
    "site": {"root", "core", "checks", "track"},  # briefs show progress from actuals
    "lsp": {"root", "core", "checks"},  # the language server: an output layer over the checks
    "codes": {"root", "core", "checks", "change", "track", "sheets", "lsp"},  # collects every rule
    "cli": {"root", "core", "checks", "change", "track", "allocate", "sheets", "site", "codes"}
    | {"lsp"},
    "main": {"cli"},
}

#: third-party libraries that belong to one place only
OWNED_LIBRARIES: dict[str, set[str]] = {
    "click": {"planc.cli"},
    "git": {"planc.core.gitsource"},
    "pandas": {"planc.track"},
    "numpy": {"planc.track"},
    "jinja2": {"planc.site"},
    "openpyxl": {"planc.sheets"},
    "sqlalchemy": {"planc.track.engines"},
    "duckdb": {"planc.track.engines"},
    "babel": {"planc.core.locales"},
    "pygls": {"planc.lsp"},
    "lsprotocol": {"planc.lsp"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    if parts[1] == "__main__":
        return "main"
    return parts[1]


def imports_of(path: Path) -> Iterator[tuple[str, int]]:
    """Every module a file imports, absolute, with the line it is imported on."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            yield prefix, node.lineno
            for alias in node.names:  # `from planc.core import loader` imports planc.core.loader
                yield f"{prefix}.{alias.name}", node.lineno


def source_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def planc_imports(path: Path) -> Iterator[tuple[str, int]]:
    for name, line in imports_of(path):
        if name == "planc" or name.startswith("planc."):
            if name == "planc.__version__":
                yield "planc", line
            elif _is_module(name):
                yield name, line


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (SRC / relative).with_suffix(".py").is_file() or (SRC / relative).is_dir()


class TestLayering:
    """A lower layer never imports a higher one; capabilities import only what the map allows."""

    def test_every_package_has_a_layer(self) -> None:
        packages = {
            p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
        }
        modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
        assert packages | modules <= set(ALLOWED), "add the new layer to ALLOWED and the map"

    @pytest.mark.parametrize("path", source_files(), ids=module_name)
    def test_imports_follow_the_map(self, path: Path) -> None:
        layer = layer_of(module_name(path))
        allowed = ALLOWED[layer] | {layer}
        wrong = [
            f"{module_name(path)}:{line} imports {name} ({layer_of(name)})"
            for name, line in planc_imports(path)
            if layer_of(name) not in allowed
        ]
        assert not wrong, "\n".join(wrong)

    @pytest.mark.parametrize("path", source_files(), ids=module_name)
    def test_libraries_stay_where_they_belong(self, path: Path) -> None:
        module = module_name(path)
        wrong = []
        for name, line in imports_of(path):
            library = name.split(".")[0]
            owners = OWNED_LIBRARIES.get(library)
            if owners is None:
                continue
            if not any(module == o or module.startswith(o + ".") for o in owners):
                wrong.append(f"{module}:{line} imports {name} (belongs to {sorted(owners)})")
        assert not wrong, "\n".join(wrong)

    def test_no_import_cycles_at_module_level(self) -> None:
        graph: dict[str, set[str]] = {}
        for path in source_files():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
            names = {
                name
                for name, line in planc_imports(path)
                if any(n.lineno == line for n in top_level)
            }
            graph[module_name(path)] = {n for n in names if n != module_name(path)}
        cycle = _find_cycle(graph)
        assert cycle is None, " -> ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle among modules, following only edges between modules (packages count as their __init__)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


class TestTheMapIsTrue:
    """docs/architecture.md names every layer and every module it describes."""

    def test_every_layer_is_described(self) -> None:
        text = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
        missing = [
            layer for layer in ALLOWED if layer not in {"root", "main"} and f"`{layer}" not in text
        ]
        assert not missing

    def test_every_module_is_named(self) -> None:
        text = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
        missing = [
            module_name(p)
            for p in source_files()
            if p.name != "__init__.py" and p.stem not in {"__main__"} and f"{p.stem}" not in text
        ]
        assert not missing, f"describe these modules in docs/architecture.md: {missing}"
