"""Great Expectations suites as Dagster asset checks (one per suite per asset).

A suite's check waits for the asset it is attached to and the assets it reads. On a mart it
is blocking: when it fails Dagster does not run the gold publication and the gold gate
refuses to publish until it passes again. On a bronze table it is *isolating*
(:mod:`orchestration.quality.isolation`): when it fails, only the dbt models reading that
table are left out of the build and their marts keep their previous gold version; the rest
of the graph builds. The check's metadata lists every failed expectation with the
unexpected values.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from expectations.suite import Suite, SuiteOutcome
from orchestration.quality.isolation import ISOLATES, ISOLATING_OP_TAGS


def check_name(suite: Suite) -> str:
    """Name of a suite's asset check: ``gx_<suite>``."""
    return f"gx_{suite.name}"


def outcome_metadata(outcome: SuiteOutcome) -> dict[str, object]:
    """Dagster metadata of a suite run: summary, failures, rows per part, baseline."""
    failures = outcome.failures()
    metadata: dict[str, object] = {
        "summary": outcome.summary(),
        "baseline_updated": outcome.baseline_updated,
        **{f"rows_{part.name.split('.', 1)[-1]}": part.rows for part in outcome.parts},
    }
    if failures:
        metadata["failed_expectations"] = dg.MetadataValue.md("\n".join(f"- {f}" for f in failures))
        metadata["unexpected"] = failures[0][:500]
    return metadata


def suite_check(suite: Suite, asset: tuple[str, ...]) -> dg.AssetChecksDefinition:
    """The check running ``suite`` on ``asset``: isolating on bronze, blocking elsewhere."""
    bronze = asset[0] == "bronze"

    @dg.asset_check(
        asset=dg.AssetKey(list(asset)),
        name=check_name(suite),
        blocking=not bronze,
        metadata={ISOLATES: True} if bronze else None,
        op_tags=ISOLATING_OP_TAGS if bronze else None,
        description=suite.description,
        additional_deps=[dg.AssetKey(list(key)) for key in suite.reads if tuple(key) != tuple(asset)],
    )
    def _check(context) -> dg.AssetCheckResult:
        from expectations.suite import run_suite
        from infra.settings import get_settings

        outcome = run_suite(suite, get_settings())
        context.log.info(outcome.summary())
        for failure in outcome.failures():
            context.log.warning(f"{suite.name}: {failure}")
        return dg.AssetCheckResult(
            passed=outcome.success,
            metadata=outcome_metadata(outcome),
            description=outcome.summary(),
        )

    return _check


def suite_checks(suites: Iterable[Suite]) -> list[dg.AssetChecksDefinition]:
    """One check per (suite, attached asset)."""
    return [suite_check(suite, asset) for suite in suites for asset in suite.assets]
