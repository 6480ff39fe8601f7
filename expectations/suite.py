"""A suite: the batches it validates, their expectations, and the baseline it keeps.

A :class:`Suite` builds its :class:`Part` batches (one DataFrame each, with its expectations)
from the data and its previous baseline; :func:`run_suite` validates every part with Great
Expectations, and, when all pass, records the new baseline. Drift expectations therefore
compare with the last accepted run, and a failure keeps failing until the data is fixed or
a person accepts it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from expectations.data import SuiteData, suite_data
from expectations.gx_context import PartOutcome, get_context, gx_lock, validate_frame
from expectations.state import read_state, write_state
from infra.settings import Settings


@dataclass
class Part:
    """One batch of a suite: a DataFrame, its exact size and the expectations on it."""

    name: str
    frame: Any  # pandas.DataFrame
    rows: int
    expectations: list[Any]


BuildFn = Callable[[SuiteData, dict[str, Any]], list[Part]]
StateFn = Callable[[list[Part], dict[str, Any]], dict[str, Any]]


def keep_row_counts(parts: list[Part], previous: dict[str, Any]) -> dict[str, Any]:
    """The default baseline: each part's exact row count."""
    return {"rows": {part.name: part.rows for part in parts}}


@dataclass(frozen=True)
class Suite:
    """An expectation suite run as a blocking Dagster asset check.

    Args:
        name: suite name (GE suites ``<name>.<part>``, baseline ``_meta/expectations/<name>.json``).
        assets: asset key paths the check is attached to (one blocking check on each).
        description: what it guarantees (shown on the check).
        build: ``(data, baseline) -> parts``.
        next_state: ``(parts, baseline) -> new baseline`` recorded after a passing run.
        reads: further asset keys the suite reads (the check's ``additional_deps``).
        requires: lake tables (relative paths) that must exist for the suite to apply.
    """

    name: str
    assets: tuple[tuple[str, ...], ...]
    description: str
    build: BuildFn
    next_state: StateFn = keep_row_counts
    reads: tuple[tuple[str, ...], ...] = ()
    requires: tuple[str, ...] = ()


@dataclass
class SuiteOutcome:
    """The result of one suite run."""

    suite: str
    success: bool
    parts: list[PartOutcome] = field(default_factory=list)
    baseline_updated: bool = False

    def failures(self) -> list[str]:
        """One line per failed expectation: ``part: column: expectation(...) -> observed``."""
        return [
            f"{part.name.split('.', 1)[-1]}: {e.describe()}"
            for part in self.parts
            for e in part.expectations
            if not e.success
        ]

    def summary(self) -> str:
        evaluated = sum(len(p.expectations) for p in self.parts)
        failed = len(self.failures())
        return f"{self.suite}: {evaluated - failed}/{evaluated} expectations passed"


def drift_bounds(previous: int | None, *, max_drop: float, max_growth: float | None) -> tuple[int, int | None]:
    """Row-count bounds relative to the last accepted run (``(1, None)`` on a first run)."""
    if previous is None:
        return 1, None
    low = int(previous * (1.0 - max_drop))
    high = None if max_growth is None else int(previous * (1.0 + max_growth)) + 1
    return max(low, 1 if previous else 0), high


def previous_rows(baseline: dict[str, Any], part: str) -> int | None:
    """Row count of ``part`` at the last accepted run, if any."""
    value = (baseline.get("rows") or {}).get(part)
    return int(value) if value is not None else None


def run_suite(
    suite: Suite,
    settings: Settings,
    *,
    update_baseline: bool = True,
    build_docs: bool = False,
) -> SuiteOutcome:
    """Validate every part of ``suite``; record its baseline when everything passed.

    Args:
        suite: the suite.
        settings: platform settings (dbt file, lake, GroupLake home).
        update_baseline: record the new baseline after a passing run (Dagster checks do;
            ``grouplake expectations data-docs`` only observes).
        build_docs: refresh Data Docs after each part.
    """
    with suite_data(settings) as data:
        baseline = read_state(data.storage, suite.name)
        parts = suite.build(data, baseline)
        with gx_lock(settings.home):  # one writer of the GE project files at a time
            context = get_context(settings.home)
            outcomes = [
                validate_frame(context, f"{suite.name}.{part.name}", part.frame, part.expectations,
                               build_docs=build_docs)
                for part in parts
            ]
        for outcome, part in zip(outcomes, parts, strict=True):
            outcome.rows = part.rows
        success = all(o.success for o in outcomes)
        updated = False
        if success and update_baseline:
            write_state(data.storage, suite.name, suite.next_state(parts, baseline), reason="suite passed")
            updated = True
    return SuiteOutcome(suite.name, success, outcomes, updated)


def applicable(suite: Suite, data: SuiteData) -> bool:
    """Whether every lake table the suite requires exists."""
    return all(data.lake_has(relative) for relative in suite.requires)


def suite_names(suites: Sequence[Suite]) -> list[str]:
    return [s.name for s in suites]
