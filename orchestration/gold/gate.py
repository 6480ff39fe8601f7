"""The publication gate: a mart is published only if its blocking checks passed on it.

Dagster already skips a gold asset whose upstream step failed a blocking check in the same
run. The gate makes the rule hold in every case (the gold asset materialized alone, a check
that never ran on the latest build): before writing, the gold asset asks the instance for
the latest evaluation of every blocking check on the dbt model it publishes, and refuses,
with the failing checks named, unless each one passed on the model's latest materialization,
and unless no isolating check upstream failed (a failing check on a bronze table the mart
reads: :mod:`orchestration.quality.isolation`; the dbt build left the mart out, so its
previous gold version stays until the check passes again).
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from orchestration.quality.isolation import describe, full_asset_graph, upstream_problems


@dataclass(frozen=True)
class GateVerdict:
    """Why a mart may or may not be published."""

    blocking_checks: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def open(self) -> bool:
        return not self.problems


def asset_graph(context: dg.AssetExecutionContext):
    """The whole asset graph of the code location (see :func:`~orchestration.quality.isolation.full_asset_graph`)."""
    return full_asset_graph(context)


def blocking_check_keys(context: dg.AssetExecutionContext, model: dg.AssetKey) -> list[dg.AssetCheckKey]:
    """Every blocking check on ``model`` in the code location (dbt tests, expectation suites)."""
    graph = asset_graph(context)
    keys = graph.get_check_keys_for_assets({model})
    return sorted((k for k in keys if graph.get_check_spec(k).blocking), key=lambda k: k.name)


def _failure_detail(record) -> str:
    event = record.event
    evaluation = getattr(getattr(event, "dagster_event", None), "event_specific_data", None)
    details = [f"run {record.run_id[:8]}"]
    for name in ("dagster_dbt/failed_row_count", "unexpected", "failed_expectations", "reason"):
        value = getattr(evaluation, "metadata", {}).get(name) if evaluation is not None else None
        if value is not None:
            details.append(f"{name.split('/')[-1]}: {getattr(value, 'value', value)}")
    return ", ".join(details)


def evaluate_gate(context: dg.AssetExecutionContext, model: dg.AssetKey) -> GateVerdict:
    """Check that every blocking check on ``model`` passed on its latest materialization."""
    instance = context.instance
    checks = blocking_check_keys(context, model)
    latest = instance.get_latest_materialization_event(model)
    if latest is None:
        return GateVerdict(tuple(k.name for k in checks), (f"{model.to_user_string()} was never materialized",))
    problems = []
    for key in checks:
        record = instance.get_latest_asset_check_evaluation_record(key)
        if record is None or record.event is None:
            problems.append(f"{key.name}: never evaluated")
        elif record.status == AssetCheckExecutionRecordStatus.FAILED:
            problems.append(f"{key.name}: FAILED ({_failure_detail(record)})")
        elif record.status != AssetCheckExecutionRecordStatus.SUCCEEDED:
            problems.append(f"{key.name}: {record.status.value.lower()}")
        elif record.event.timestamp < latest.timestamp:
            problems.append(f"{key.name}: not evaluated since the latest build of the model")
    problems.extend(f"upstream {line}" for line in describe(upstream_problems(context, model)))
    return GateVerdict(tuple(k.name for k in checks), tuple(problems))
