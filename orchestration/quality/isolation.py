"""Failure isolation: a failing check on a bronze table blocks only what depends on that table.

Checks on bronze tables (the standard ``row_count`` / ``schema_matches_declaration`` and the
expectation suites attached to bronze assets) are *isolating* checks: non-blocking in
Dagster terms (a blocking check would skip the single ``dbt build`` step, and with it every
model and mart), flagged with :data:`ISOLATES` in their spec metadata. What depends on the
table stays out instead:

- the dbt step asks the instance for the latest evaluation of every isolating check on its
  upstream bronze tables (:func:`check_problems`) and leaves ``source:<source>.<table>+`` out
  of this run's build (:mod:`orchestration.dbt.assets`);
- the gold gate refuses a mart with a failing isolating check upstream, so the previous
  version stays published (:mod:`orchestration.gold.gate`);
- other consumers of bronze (ML training) refuse the same way;
- ``grouplake run`` names what is stale and why (:func:`stale_downstream`).

Isolating checks carry ``dagster/priority`` so the in-process executor evaluates them before
a downstream step that became ready at the same time; a check that has not been evaluated
since its table's latest materialization counts as a problem, so a parallel executor that
started the dbt step early leaves the table's models out rather than build on unchecked data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

#: Spec metadata flag of an isolating check.
ISOLATES = "grouplake/isolates"
#: Op tags of an isolating check: run before same-level steps in the in-process executor.
ISOLATING_OP_TAGS = {"dagster/priority": "10"}


def full_asset_graph(context: Any):
    """The whole asset graph of the code location, not just this run's selection.

    A run of a subset (e.g. the gold asset alone) is planned from a job-scoped graph holding
    only the selected assets' checks; its ``source_asset_graph`` chain leads to the full one.
    In-process runs have no repository, so the job's graph is the way in.
    """
    try:
        graph = context.repository_def.asset_graph
    except Exception:  # noqa: BLE001 - CheckError / invariant violation outside a repository
        graph = context.job_def.asset_layer.asset_graph
    while getattr(graph, "source_asset_graph", graph) is not graph:
        graph = graph.source_asset_graph
    return graph


def isolating_check_keys(graph: Any, asset: dg.AssetKey) -> list[dg.AssetCheckKey]:
    """The isolating checks on ``asset`` (sorted by name)."""
    keys = graph.get_check_keys_for_assets({asset}) if graph.has(asset) else set()
    return sorted((k for k in keys if graph.get_check_spec(k).metadata.get(ISOLATES)), key=lambda k: k.name)


def ancestors(graph: Any, key: dg.AssetKey) -> set[dg.AssetKey]:
    """Every asset upstream of ``key`` in ``graph`` (transitively)."""
    seen: set[dg.AssetKey] = set()
    todo = list(graph.get(key).parent_keys) if graph.has(key) else []
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if graph.has(current):
            todo.extend(graph.get(current).parent_keys)
    return seen


def _detail(record: Any) -> str:
    evaluation = getattr(getattr(record.event, "dagster_event", None), "event_specific_data", None)
    metadata = getattr(evaluation, "metadata", {}) or {}
    details = [f"run {record.run_id[:8]}"]
    for name in ("dagster_dbt/failed_row_count", "unexpected", "failed_expectations", "reason"):
        value = metadata.get(name)
        if value is not None:
            details.append(f"{name.split('/')[-1]}: {getattr(value, 'value', value)}")
    return ", ".join(details)


def _severity(record: Any) -> str:
    evaluation = getattr(getattr(record.event, "dagster_event", None), "event_specific_data", None)
    severity = getattr(evaluation, "severity", None)
    return getattr(severity, "value", "ERROR")


def check_problems(instance: dg.DagsterInstance, graph: Any, assets: Iterable[dg.AssetKey],
                   *, unevaluated: bool = True) -> dict[dg.AssetKey, list[str]]:
    """Per asset, why its isolating checks do not vouch for its latest materialization.

    An isolating check counts when its latest evaluation failed with ERROR severity, or (with
    ``unevaluated``) when it has not been evaluated since the asset's latest materialization.
    Assets never materialized are left alone (the dbt step leaves them out as missing).
    """
    problems: dict[dg.AssetKey, list[str]] = {}
    for asset in sorted(set(assets), key=lambda k: k.to_user_string()):
        checks = isolating_check_keys(graph, asset)
        if not checks:
            continue
        latest = instance.get_latest_materialization_event(asset)
        if latest is None:
            continue
        found = []
        for key in checks:
            record = instance.get_latest_asset_check_evaluation_record(key)
            if record is None or record.event is None or record.event.timestamp < latest.timestamp:
                if unevaluated:
                    found.append(f"{key.name}: not evaluated since the latest materialization")
            elif record.status == AssetCheckExecutionRecordStatus.FAILED and _severity(record) == "ERROR":
                found.append(f"{key.name}: FAILED ({_detail(record)})")
        if found:
            problems[asset] = found
    return problems


def upstream_problems(context: Any, key: dg.AssetKey, *, unevaluated: bool = False) -> dict[dg.AssetKey, list[str]]:
    """:func:`check_problems` of every asset upstream of ``key``."""
    graph = full_asset_graph(context)
    return check_problems(context.instance, graph, ancestors(graph, key), unevaluated=unevaluated)


def describe(problems: Mapping[dg.AssetKey, list[str]]) -> list[str]:
    """One line per problem: ``bronze/wms/movements gx_…: FAILED (…)``."""
    return [f"{asset.to_user_string()} {line}" for asset, lines in problems.items() for line in lines]


def refuse_if_upstream_failed(context: Any, key: dg.AssetKey, what: str) -> None:
    """Raise :class:`dagster.Failure` (not retried) naming the isolating checks upstream of
    ``key`` that failed or have not vouched for their table's latest materialization."""
    problems = upstream_problems(context, key, unevaluated=True)
    if problems:
        raise dg.Failure(description=f"{what} not refreshed (previous version kept): check(s) upstream "
                         "did not pass:\n- " + "\n- ".join(describe(problems)), allow_retries=False)


def stale_downstream(graph: Any, failed: Iterable[tuple[dg.AssetKey, str]],
                     prefix: str = "gold") -> dict[dg.AssetKey, list[str]]:
    """Assets under ``prefix`` downstream of each failed isolating check, with the reasons.

    Args:
        graph: the asset graph of the run's definitions.
        failed: ``(asset, check name)`` of the isolating checks that failed this run.
        prefix: the first key component of the assets to report (the gold marts).

    Returns:
        ``{stale asset: ["<asset> <check>", …]}``, sorted by asset.
    """
    stale: dict[dg.AssetKey, list[str]] = {}
    for asset, check in failed:
        if not graph.has(asset):
            continue
        todo, seen = list(graph.get(asset).child_keys), set()
        while todo:
            current = todo.pop()
            if current in seen or not graph.has(current):
                continue
            seen.add(current)
            todo.extend(graph.get(current).child_keys)
            if current.path[0] == prefix:
                stale.setdefault(current, []).append(f"{asset.to_user_string()} {check}")
    return dict(sorted(stale.items(), key=lambda item: item[0].to_user_string()))


def is_isolating(graph: Any, asset: dg.AssetKey, check: str) -> bool:
    """Whether ``check`` on ``asset`` is an isolating check in ``graph``."""
    return dg.AssetCheckKey(asset, check) in isolating_check_keys(graph, asset)
