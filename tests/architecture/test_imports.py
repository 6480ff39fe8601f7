"""No import cycle anywhere, and every package imports only what DESIGN.md's layout allows.

The graph is read from the source (:mod:`tests.architecture.imports`): module-level and
function-level (lazy) imports, literal dynamic imports, a package's lazy ``__getattr__``
exports and string-registered ``"module:function"`` hooks are all edges. Unit tests, no
service, about a second.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.imports import PACKAGES, build_graph, cycles, describe_cycle

#: DESIGN.md "Layout": who may import whom (besides itself). ``tests`` may import anything.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "infra": frozenset(),
    "lake": frozenset({"infra"}),
    "pipelines": frozenset({"lake", "infra"}),
    "dbt_project": frozenset({"models", "lake", "infra"}),
    "expectations": frozenset({"lake", "infra"}),
    "models": frozenset({"lake", "infra"}),
    "transactional": frozenset({"models", "infra"}),
    "serving": frozenset({"lake", "infra"}),
    "demo": frozenset(PACKAGES) - {"demo", "orchestration", "grouplake"},
    "orchestration": frozenset(PACKAGES) - {"orchestration", "grouplake"},
    "grouplake": frozenset(PACKAGES) - {"grouplake"},
}

#: The demo is a deployment profile: outside ``demo`` itself only these modules may import it
#: (the profile's Dagster wiring, the composition root that picks it, the CLI contributor).
DEMO_IMPORTERS = ("orchestration.demo", "orchestration.definitions", "grouplake.cli")

#: Modules allowed to import Dagster: the definitions, and the launcher running them in-process.
DAGSTER_IMPORTERS = ("orchestration", "grouplake.run", "grouplake.progress")


@pytest.fixture(scope="module")
def graph():
    return build_graph()


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_layout_table_names_every_package():
    assert set(MAY_IMPORT) == set(PACKAGES)
    for package in PACKAGES:
        assert (Path(__file__).resolve().parents[2] / package / "__init__.py").exists(), package


def test_the_graph_holds_every_kind_of_edge(graph):
    """A walker that missed lazy imports or hooks would find no cycle by construction."""
    kinds = {edge.how for edge in graph.edges}
    assert {"module", "lazy", "dynamic"} <= kinds
    assert len(graph.modules) > 300


def test_every_dynamic_import_is_resolvable(graph):
    """``import_module(variable)`` is allowed only next to the hook strings it resolves."""
    assert graph.unresolved == []


def test_no_import_cycle_outside_transactional(graph):
    found = [c for c in cycles(graph.successors()) if not all(_top(m) == "transactional" for m in c)]
    assert not found, "import cycles:\n" + "\n\n".join(describe_cycle(c, graph) for c in found)


def test_no_import_cycle_in_transactional(graph):
    found = [c for c in cycles(graph.successors()) if all(_top(m) == "transactional" for m in c)]
    assert not found, "import cycles:\n" + "\n\n".join(describe_cycle(c, graph) for c in found)


def test_packages_import_only_what_the_layout_allows(graph):
    offending = sorted(
        f"{edge.source} -> {edge.target} ({edge.how}, line {edge.line})"
        for edge in graph.edges
        if _top(edge.target) != _top(edge.source) and _top(edge.target) not in MAY_IMPORT[_top(edge.source)]
    )
    assert not offending, "imports against DESIGN.md's layout:\n" + "\n".join(offending)


def test_product_code_does_not_import_the_demo(graph):
    offending = sorted(
        f"{edge.source} -> {edge.target}"
        for edge in graph.edges
        if _top(edge.target) == "demo" and _top(edge.source) != "demo"
        and not _under(edge.source, DEMO_IMPORTERS)
    )
    assert not offending


def test_only_the_definitions_and_the_launcher_import_dagster(graph):
    importers = {module for module, path in graph.modules.items()
                 if any(line.lstrip().startswith(("import dagster", "from dagster"))
                        for line in path.read_text(encoding="utf-8").splitlines())}
    assert importers and all(_under(m, DAGSTER_IMPORTERS) for m in importers), sorted(
        m for m in importers if not _under(m, DAGSTER_IMPORTERS))


def test_only_api_modules_import_fastapi(graph):
    """Domain logic never imports FastAPI: routes are thin adapters in ``<package>.api`` (the app
    factory in ``<package>.main``; the shared HTTP kit in ``infra.http``)."""
    importers = {module for module, path in graph.modules.items()
                 if any(line.lstrip().startswith(("import fastapi", "from fastapi", "import starlette",
                                                  "from starlette"))
                        for line in path.read_text(encoding="utf-8").splitlines())}

    def allowed(module: str) -> bool:
        parts = module.split(".")
        return "api" in parts[1:2] or parts[1:] == ["main"] or _under(module, ("infra.http",))

    assert importers and all(allowed(m) for m in importers), sorted(m for m in importers if not allowed(m))


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_walker_finds_lazy_hook_and_export_cycles(tmp_path: Path):
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "def f():\n    from . import a\n",  # lazy, relative
        "pkg/owner.py": "HOOKS = {'x': 'pkg.provider:run'}\n",
        "pkg/provider.py": "def run():\n    import pkg.owner\n",
        "pkg/lazy/__init__.py": "import importlib\ndef __getattr__(n):\n"
                                "    return importlib.import_module(f'{__name__}.impl')\n",
        "pkg/lazy/impl.py": "from pkg.lazy import helper\n",
        "pkg/lazy/helper.py": "",
        "pkg/dyn.py": "import importlib\ndef load(name):\n    return importlib.import_module(name)\n",
        "pkg/fine.py": "import pkg.a\n",
    })
    graph = build_graph(["pkg"], root=tmp_path)
    assert cycles(graph.successors()) == [["pkg.a", "pkg.b"], ["pkg.owner", "pkg.provider"]]
    assert {(e.source, e.target, e.how) for e in graph.edges} >= {
        ("pkg.b", "pkg.a", "lazy"), ("pkg.owner", "pkg.provider", "hook"),
        ("pkg.lazy", "pkg.lazy.impl", "dynamic"), ("pkg.lazy", "pkg.lazy.helper", "dynamic")}
    assert graph.unresolved == ["pkg.dyn:3"]
