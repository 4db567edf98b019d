"""Imports in pipeline/ run one way: never to a higher layer, never in a cycle (issue 13, item 1).

A small AST walk rather than import-linter: it sees every `import` and `from ... import` in a module, including
those inside functions and under `if TYPE_CHECKING:` (still dependencies: the code was written against them).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "pipeline"
PACKAGE_DIR = Path(__file__).resolve().parent.parent / PACKAGE

# Layers, lowest first; a module may import from its own layer or below, never in a cycle.
LAYER_NAMES = ("base", "calls", "ingest", "extract", "check", "output", "jobs", "actions", "front")

# Where each module sits. A key places that module and every module below it (`pipeline.check` covers
# `pipeline.check.codes`); the longest matching key wins. The package itself (`pipeline`: TOOL_NAME,
# __version__) matches only itself, so a module missing here fails instead of falling into base.
LAYERS: dict[str, int] = {
    # 0 base: plain data and services that know nothing of calls or checks
    "pipeline": 0,
    "pipeline.model": 0,
    "pipeline.errors": 0,
    "pipeline.progress": 0,
    "pipeline.fileio": 0,
    "pipeline.resources": 0,
    "pipeline.gbt9704": 0,
    "pipeline.registry": 0,
    "pipeline.text": 0,  # shared text concepts
    "pipeline.fieldpath": 0,  # walking field paths (persons[2].name)
    "pipeline.office": 0,  # the LibreOffice process
    "pipeline.ingest.problems": 0,
    # 1 calls: the call model, its loader, schema derivation
    "pipeline.calls": 1,
    # 2 ingest: reading files into Documents; a notice source into a Notice
    "pipeline.ingest": 2,
    "pipeline.notice": 2,
    # 3 extract: Document + Call -> Application
    "pipeline.extract": 3,
    # 4 check: findings and their codes
    "pipeline.check": 4,
    # 5 output: reports and rendered documents
    "pipeline.report": 5,
    "pipeline.render": 5,
    # 6 jobs: many files, the review, issuing documents from the registry
    "pipeline.batch": 6,
    "pipeline.cluster": 6,  # the batch's per-file work on a Dask cluster
    "pipeline.submission": 6,
    "pipeline.review": 6,
    "pipeline.issuing": 6,
    "pipeline.accounts": 6,  # the platform's accounts and sessions
    "pipeline.audit": 6,  # the audit log as a workbook
    "pipeline.publishing": 6,  # the round's end: results, 公示, decision, publication
    "pipeline.judging": 6,  # judges online: accounts, window, drafts, submission, 回避, progress, reassignment
    "pipeline.cases": 6,  # the winners' cases: what a case is, who may see it
    "pipeline.casebook": 6,  # the printable collection of the cases (成果汇编)
    # 7 actions: one library function per front-end command
    "pipeline.actions": 7,
    # 8 front ends
    "pipeline.cli": 8,
    "pipeline.web": 8,  # the online platform (award serve)
    "pipeline.demo": 8,
    "pipeline.demo_review": 8,
    "pipeline.usage": 8,
    "pipeline.messages_doc": 8,
    "pipeline.__main__": 8,
}

def module_files(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for its __init__.py)."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Each module of the package the module imports, with the line: `from a import b` is a.b if that is a module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                # relative: level 1 is the module's own package (a package's __init__ is its own package)
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                source = ".".join([*package, source] if source else package)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                yield (submodule if submodule in modules else source), node.lineno


def import_graph(package_dir: Path = PACKAGE_DIR) -> dict[str, dict[str, int]]:
    """importer -> {imported module of the package: first line}; standard and third-party modules left out."""
    modules = module_files(package_dir)
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        edges: dict[str, int] = {}
        for name, line in sorted(imports_of(module, path, modules), key=lambda edge: edge[1]):
            if name in modules and name != module:
                edges.setdefault(name, line)
        graph[module] = edges
    return graph


def layer_of(module: str) -> int | None:
    """The module's layer by its longest key in LAYERS; None if no key places it."""
    keys = [key for key in LAYERS if module == key or (key != PACKAGE and module.startswith(key + "."))]
    return LAYERS[max(keys, key=len)] if keys else None


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle path (first module repeated at the end) for each strongly connected group of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan; the package has ~50 modules, recursion depth is no concern
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_in(graph, group) for group in groups]


def _cycle_in(graph: dict[str, dict[str, int]], group: set[str]) -> list[str]:
    """A shortest cycle through the group's first module (breadth-first back to it)."""
    start = min(group)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node]):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if nxt in group and nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # Tarjan said there is one


def test_every_module_has_a_layer() -> None:
    """A new module must be placed in LAYERS before it is checked."""
    missing = sorted(module for module in module_files() if layer_of(module) is None)
    assert not missing, f"place these modules in LAYERS of tests/test_imports.py (which layer?): {missing}"


def test_no_import_from_a_higher_layer() -> None:
    """Every import goes to the importer's own layer or below."""
    upward = []
    for module, edges in sorted(import_graph().items()):
        low = layer_of(module)
        for name, line in sorted(edges.items()):
            high = layer_of(name)
            if low is not None and high is not None and high > low:
                upward.append(f"{module} ({LAYER_NAMES[low]}) line {line} imports {name} ({LAYER_NAMES[high]})")
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_no_import_cycle() -> None:
    """No module reaches itself through imports."""
    found = [" -> ".join(cycle) for cycle in cycles(import_graph())]
    assert not found, "import cycles:\n" + "\n".join(found)


def test_the_walk_sees_every_kind_of_import(tmp_path: Path) -> None:
    """Imports in functions, under TYPE_CHECKING, relative, and `from package import module` all count."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "VERSION = '1'\n",
        "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.sub.e import E\n",
        "b.py": "def f():\n    import pkg.c\n",
        "c.py": "from pkg import VERSION\nfrom pkg import sub as s\n",
        "sub/__init__.py": "from . import d\nfrom .d import D\n",
        "sub/d.py": "from ..a import A\nfrom . import e\n",
        "sub/e.py": "import json\nimport yaml\n",
    }
    for name, text in files.items():
        (package / name).write_text(text, encoding="utf-8")
    graph = {module: set(edges) for module, edges in import_graph(package).items()}
    assert graph == {
        "pkg": set(),
        "pkg.a": {"pkg.sub.e"},
        "pkg.b": {"pkg.c"},
        "pkg.c": {"pkg", "pkg.sub"},
        "pkg.sub": {"pkg.sub.d"},
        "pkg.sub.d": {"pkg.a", "pkg.sub.e"},
        "pkg.sub.e": set(),
    }
    assert cycles(import_graph(package)) == []
    graph_with_cycle = import_graph(package)
    graph_with_cycle["pkg.sub.e"]["pkg.b"] = 1
    assert cycles(graph_with_cycle) == [["pkg.a", "pkg.sub.e", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d", "pkg.a"]]
