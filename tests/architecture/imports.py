"""The import graph of GroupLake's packages, read from the source (``ast``, nothing imported).

Every way one module can reach another counts as an edge:

- ``import a.b`` / ``from a.b import c`` / relative imports, at module level or inside a
  function (a lazy import is still a dependency: it runs on the first call);
- ``importlib.import_module("a.b")`` / ``__import__("a.b")`` with a literal name;
- ``importlib.import_module(f"{__name__}.…")`` (a package's lazy ``__getattr__`` exports):
  an edge to every direct submodule of that package;
- a string constant ``"a.b:function"`` naming a module of ours (a string-registered hook).

Any other dynamic import (``import_module(variable)`` with no hook strings to explain it) is
reported as unresolvable: registries must import what they register.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The top-level packages (DESIGN.md "Layout"); tests are not walked (they may import anything).
PACKAGES = ("infra", "lake", "pipelines", "demo", "dbt_project", "expectations", "models",
            "transactional", "serving", "orchestration", "grouplake")

_HOOK = re.compile(r"^([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+):[A-Za-z_]\w*$")


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` (at ``line``; ``how``: module, lazy, dynamic or hook)."""

    source: str
    target: str
    line: int
    how: str


@dataclass
class ImportGraph:
    """Modules of our packages and the edges between them."""

    modules: dict[str, Path] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def successors(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {m: set() for m in self.modules}
        for edge in self.edges:
            if edge.source != edge.target:
                out[edge.source].add(edge.target)
        return out


def module_name(path: Path, root: Path = ROOT) -> str:
    """``a/b/c.py`` -> ``a.b.c``; ``a/b/__init__.py`` -> ``a.b``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def discover(packages: Iterable[str] = PACKAGES, root: Path = ROOT) -> dict[str, Path]:
    """Every module of ``packages`` under ``root`` (dbt Python models included: they belong to
    ``dbt_project``; dbt's ``target``/``logs`` folders are not code)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).parts
            if "__pycache__" in relative or relative[1:2] in (("target",), ("logs",)):
                continue
            modules[module_name(path, root)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of dotted ``name`` that is one of our modules."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _is_package(module: str, modules: dict[str, Path]) -> bool:
    return modules[module].name == "__init__.py"


def _absolute(module: str, node: ast.ImportFrom, modules: dict[str, Path]) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not _is_package(module, modules):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _scopes(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node with whether it sits inside a function (a lazy import)."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, lazy = stack.pop()
        yield node, lazy
        inner = lazy or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def module_edges(module: str, modules: dict[str, Path]) -> tuple[list[Edge], list[str]]:
    """The edges out of ``module`` and its unresolvable dynamic imports."""
    tree = ast.parse(modules[module].read_text(encoding="utf-8"), filename=str(modules[module]))
    edges: list[Edge] = []
    dynamic: list[int] = []
    hooks: list[Edge] = []

    def add(name: str, line: int, how: str) -> None:
        target = _resolve(name, modules)
        if target is not None:
            edges.append(Edge(module, target, line, how))

    for node, lazy in _scopes(tree):
        how = "lazy" if lazy else "module"
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno, how)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node, modules)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                add(full if full in modules else base, node.lineno, how)
        elif isinstance(node, ast.Call) and _call_name(node) in ("import_module", "__import__"):
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                add(arg.value, node.lineno, "dynamic")
            elif (isinstance(arg, ast.JoinedStr) and arg.values
                  and isinstance(arg.values[0], ast.FormattedValue)
                  and isinstance(arg.values[0].value, ast.Name) and arg.values[0].value.id == "__name__"):
                prefix = module + "."
                for other in modules:
                    if other.startswith(prefix) and "." not in other[len(prefix):]:
                        edges.append(Edge(module, other, node.lineno, "dynamic"))
            else:
                dynamic.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _HOOK.match(node.value)
            if match and match.group(1) in modules:
                hooks.append(Edge(module, match.group(1), node.lineno, "hook"))
    edges += hooks
    unresolved = [] if hooks else [f"{module}:{line}" for line in dynamic]
    return edges, unresolved


def build_graph(packages: Iterable[str] = PACKAGES, root: Path = ROOT) -> ImportGraph:
    """The import graph of ``packages`` under ``root``."""
    graph = ImportGraph(modules=discover(packages, root))
    for module in graph.modules:
        edges, unresolved = module_edges(module, graph.modules)
        graph.edges += edges
        graph.unresolved += unresolved
    return graph


def cycles(successors: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(successors):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(successors[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(successors.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def describe_cycle(component: list[str], graph: ImportGraph) -> str:
    """The edges inside one cycle, one per line (``a -> b (lazy, line 12)``)."""
    members = set(component)
    lines = sorted({f"  {e.source} -> {e.target} ({e.how}, line {e.line})"
                    for e in graph.edges if e.source in members and e.target in members
                    and e.source != e.target})
    return "\n".join(lines)
