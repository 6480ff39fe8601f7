"""Every dbt model as a Dagster asset, built by one ``dbt build`` per run (dagster-dbt).

``dbt build`` runs models, unit tests and data tests in DAG order; each data test becomes a
check result on its model (``severity: error`` = blocking, so a failed test fails this
step and everything downstream of it, the gold publications included, is skipped). Once
dbt has exited (it holds its DuckDB file while running), each model's result gets its row
count and each failed test's result up to five of the failing rows.
A model that errors (SQL error, contract violation, Python model exception) or a failed
unit test fails the step with dbt's message.

Models whose bronze source table does not exist yet in the lake (a source whose ingest has
not run) are left out of the build with a warning, instead of failing every other model.
So are the models reading a bronze table whose isolating check failed in this run (or has
not vouched for its latest materialization): ``source:<source>.<table>+`` is excluded, every
other model builds (:mod:`orchestration.quality.isolation`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dbt_project.runner import export_dbt_env, target_path
from infra.settings import get_settings
from lake.storage import LakeStorage
from lake.tables import open_table
from orchestration.dbt.translator import GroupLakeDbtTranslator, source_asset_key
from orchestration.quality.isolation import check_problems, describe, full_asset_graph

#: Failing rows shown on a failed dbt test's check result.
FAILING_ROWS_SHOWN = 5


def missing_sources(manifest: Mapping[str, Any], storage: LakeStorage) -> list[str]:
    """dbt sources (``source.entity``) whose bronze Delta table is not in the lake yet."""
    missing = []
    for node in manifest.get("sources", {}).values():
        relative = f"bronze/{node['source_name']}/{node['name']}"
        if open_table(storage, relative) is None:
            missing.append(f"{node['source_name']}.{node['name']}")
    return sorted(missing)


def build_args(missing: list[str], failing: Iterable[str] = ()) -> list[str]:
    """``dbt build`` arguments leaving out whatever depends on a missing or failing source."""
    args = ["build"]
    excluded = sorted({*missing, *failing})
    if excluded:  # one value: dagster-dbt folds runtime --exclude values into its selector
        args += ["--exclude", " ".join(f"source:{name}+" for name in excluded)]
    return args


def source_keys(manifest: Mapping[str, Any]) -> dict[dg.AssetKey, str]:
    """The bronze asset of every dbt source -> ``source.entity``."""
    return {
        source_asset_key(node["source_name"], node["name"]): f"{node['source_name']}.{node['name']}"
        for node in manifest.get("sources", {}).values()
    }


def failing_sources(manifest: Mapping[str, Any], problems: Mapping[dg.AssetKey, Any]) -> list[str]:
    """dbt sources (``source.entity``) whose bronze table has a problem in ``problems``."""
    return sorted(name for key, name in source_keys(manifest).items() if key in problems)


def failed_nodes(run_results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(unique_id, message) of models that errored and unit tests that failed."""
    failed = []
    for result in run_results.get("results", []):
        unique_id = result.get("unique_id", "")
        status = result.get("status")
        if unique_id.startswith(("model.", "seed.", "snapshot.")) and status == "error":
            failed.append((unique_id, result.get("message") or "error"))
        elif unique_id.startswith("unit_test.") and status in ("fail", "error"):
            failed.append((unique_id, result.get("message") or status))
    return failed


def failing_rows_markdown(con, compiled_sql: str, limit: int = FAILING_ROWS_SHOWN) -> str:
    """Up to ``limit`` rows a failed test returned, as a markdown table."""
    try:
        frame = con.execute(f"select * from ({compiled_sql}) as failing limit {int(limit)}").df()
    except Exception as exc:  # noqa: BLE001 - best effort: the check result stands without it
        return f"(failing rows unavailable: {exc})"
    return frame.to_markdown(index=False) if not frame.empty else "(no rows)"


def _unique_id(event: Any) -> str | None:
    value = event.metadata.get("unique_id")
    return getattr(value, "text", value)


def _compiled_tests(run_results: Mapping[str, Any]) -> dict[str, str]:
    return {
        r["unique_id"]: r["compiled_code"]
        for r in run_results.get("results", [])
        if r.get("unique_id", "").startswith("test.") and r.get("compiled_code")
        and r.get("status") in ("fail", "warn")
    }


def enrich_events(events: list[Any], manifest: Mapping[str, Any], run_results: Mapping[str, Any],
                  duckdb_path: str) -> list[Any]:
    """Add ``dagster/row_count`` to model outputs and failing rows to failed test checks.

    Done after dbt has exited: dbt holds its DuckDB file open (one writer) while it runs.
    """
    import duckdb

    if not Path(duckdb_path).exists():
        return events
    compiled = _compiled_tests(run_results)
    nodes = manifest.get("nodes", {})
    enriched = []
    with duckdb.connect(duckdb_path, read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        for event in events:
            uid = _unique_id(event) if hasattr(event, "metadata") else None
            if isinstance(event, dg.Output) and uid in nodes:
                node = nodes[uid]
                try:
                    rows = con.execute(
                        f'select count(*) from "{node["schema"]}"."{node["alias"]}"').fetchall()[0][0]
                    event = event.with_metadata({**event.metadata, "dagster/row_count": int(rows)})
                except duckdb.Error:
                    pass
            elif isinstance(event, dg.AssetCheckResult) and not event.passed and uid in compiled:
                markdown = failing_rows_markdown(con, compiled[uid])
                event = event.with_metadata({**event.metadata, "failing_rows": dg.MetadataValue.md(markdown)})
            enriched.append(event)
    return enriched


def run_dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """The body of the dbt assets: ``dbt build`` with GroupLake's environment."""
    settings = get_settings()
    export_dbt_env(settings)
    storage = LakeStorage.from_settings(settings)
    manifest = json.loads(Path(dbt.project_dir, "target", "manifest.json").read_text())
    missing = missing_sources(manifest, storage)
    if missing:
        context.log.warning(
            "bronze table(s) not in the lake yet, their downstream models are left out of this "
            f"build: {', '.join(missing)}"
        )
    problems = check_problems(context.instance, full_asset_graph(context), source_keys(manifest))
    failing = failing_sources(manifest, problems)
    if failing:
        context.log.warning(
            "check(s) on bronze table(s) did not pass, their downstream models are left out of "
            "this build (their marts keep the previous gold version):\n- " + "\n- ".join(describe(problems))
        )
    invocation = dbt.cli(
        build_args(missing, failing), context=context, raise_on_error=False,
        target_path=target_path(settings),
    )
    events = list(invocation.stream())
    run_results = invocation.get_artifact("run_results.json")
    yield from enrich_events(events, manifest, run_results, settings.dbt.duckdb_path)
    failed = failed_nodes(run_results)
    if failed:
        lines = "\n".join(f"- {uid}: {message}" for uid, message in failed)
        raise dg.Failure(
            description=f"dbt build failed on {len(failed)} node(s):\n{lines}",
            metadata={"dbt_failures": dg.MetadataValue.md(lines)},
        )


def build_dbt_assets(manifest_path: Path) -> dg.AssetsDefinition:
    """The multi-asset of every dbt model (and the checks of its tests)."""

    @dbt_assets(
        manifest=manifest_path,
        dagster_dbt_translator=GroupLakeDbtTranslator(),
        name="dbt_models",
    )
    def dbt_models(context, dbt: DbtCliResource):  # dagster inspects the bare `context` name
        yield from run_dbt_build(context, dbt)

    return dbt_models
