"""The package's layers import only downwards (records ← model ← site ← mkdocs_adapter, tools ←
cli), so no two modules import each other, directly or through others."""

from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = ROOT / "hooks" / "pipeline_tracker"
# Each layer may import the layers listed before it, never one after it.
LAYERS = ["records", "model", "site", "mkdocs_adapter", "tools", ""]


def _imports() -> dict[str, set[str]]:
    """Module → the package's modules it imports (also inside functions)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline_"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    graph[name].add(full if full in modules else str(node.module))
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name in modules)
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1] if len(parts) > 2 else "")


def test_layers_import_only_downwards():
    upwards = [
        f"{module} imports {imported}"
        for module, imported_set in _imports().items()
        for imported in imported_set
        if _layer(imported) > _layer(module)
    ]
    assert upwards == []


def test_no_import_cycles():
    graph = _imports()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " → ".join((*path[path.index(module) :], module))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())
