"""The pipeline's shape, checked on the source (ARCHITECTURE.md): no import cycles, and no stage importing
a later one, counting every import, function-local ones included."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "pkrsverify"
# Each stage may import its own modules and earlier stages only.
STAGES = ["front", "semantics", "result", ("explicit", "symbolic", "export"), "explain", "analyses", "report",
          "outcome", "commands", "cli", "__main__"]
RANK = {name: rank for rank, stage in enumerate(STAGES) for name in ((stage,) if isinstance(stage, str) else stage)}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path, modules) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - (node.level - 1)] if node.level else []
            prefix = ".".join(base + ([node.module] if node.module else []))
            targets = [prefix] + [f"{prefix}.{a.name}" for a in node.names]
        else:
            continue
        out |= {t for t in targets if t in modules and t != name}
    return out


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in _imports(name, path, modules):
            if not name.startswith(target + "."):  # a module's own package __init__ is not an edge
                graph.add_edge(name, target)
    return graph


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_no_import_cycles():
    cycles = [sorted(c) for c in nx.strongly_connected_components(_graph()) if len(c) > 1]
    assert not cycles, cycles


def test_no_stage_imports_a_later_one():
    wrong = []
    for source, target in _graph().edges:
        a, b = _stage(source), _stage(target)
        if a is None or b is None:
            continue  # the package's own __init__: the public API, re-exporting every stage
        assert a in RANK and b in RANK, f"{source} or {target}: a module in no stage of ARCHITECTURE.md"
        if RANK[b] > RANK[a]:
            wrong.append(f"{source} imports {target}")
    assert not wrong, wrong
