"""The transactional service's layout holds: contexts import only downwards, the order
lifecycle has one owner, and every side effect a transition names has its function.

Imports are read from the source (function-level imports included), so a lazy import that
runs back up fails here even when no test happens to execute it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import transactional
from transactional.domain.status import TRANSITIONS
from transactional.ordering.lifecycle import EFFECTS

ROOT = Path(transactional.__file__).parent
#: Packages from the ground up; a package may import its own modules and those ranked lower.
RANKS = {
    "domain": 0, "schemas": 0, "migrations": 0,
    "db": 1,
    "core": 2,
    "identity": 3, "accounting": 3, "standing": 3,
    "catalogue": 4, "onboarding": 4, "recommend": 4,
    "rebates": 5, "benefits": 5, "inventory": 5, "risk": 5, "contracts": 5,
    "ordering": 6, "tendering": 6,
    "sourcing": 7,
    "settlement": 7, "feedback": 7,
    "api": 8, "cli": 8, "service": 8,
    "main": 9, "__main__": 10,
}


def _imports(path: Path) -> set[str]:
    """Every ``transactional.*`` module a file imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {name for name in found if name.startswith("transactional.")}


def _package(module: str) -> str:
    return module.split(".")[1]


def _sources() -> list[tuple[str, Path]]:
    return [(".".join(("transactional", *p.relative_to(ROOT).with_suffix("").parts)), p)
            for p in sorted(ROOT.rglob("*.py")) if "versions" not in p.parts]


def test_every_package_imports_only_lower_ones() -> None:
    upward = []
    for module, path in _sources():
        if module == "transactional.__init__":
            continue
        own = _package(module)
        assert own in RANKS, f"{module}: a new top-level package needs a rank in RANKS"
        for target in _imports(path):
            other = _package(target)
            if other in RANKS and other != own and RANKS[other] >= RANKS[own]:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_circle_between_modules() -> None:
    modules = dict(_sources())
    graph = {m: {t for t in _imports(p) if t in modules and t != m} for m, p in modules.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError(" -> ".join([*trail[trail.index(nxt):], nxt]))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_only_the_lifecycle_changes_an_order_status() -> None:
    writers = sorted(str(p.relative_to(ROOT)) for _, p in _sources()
                     if "update(orders)" in p.read_text())
    assert writers == ["ordering/lifecycle.py"]
    effect_modules = {f.__module__ for f in EFFECTS.values()} - {"transactional.ordering.lifecycle"}
    assert effect_modules == {
        "transactional.ordering.approvals", "transactional.ordering.payments",
        "transactional.ordering.refunds", "transactional.rebates.accruals",
        "transactional.benefits.redemption", "transactional.benefits.points", "transactional.contracts.calloffs"}
    modules = dict(_sources())
    for module in effect_modules:  # providers never call back into the owner
        assert not any(t.startswith("transactional.ordering.lifecycle")
                       for t in _imports(modules[module])), module


def test_every_named_side_effect_has_its_function() -> None:
    named = {hook for transition in TRANSITIONS.values() for hook in transition.hooks}
    assert named == set(EFFECTS)
    assert [t.hooks for t in (TRANSITIONS["deliver"], TRANSITIONS["cancel"])] == [
        ("ledger.delivery", "rebates.accrue"),
        ("approval.decide", "payment.refund_on_cancel", "coupon.reverse", "points.reverse", "contract.release")]
