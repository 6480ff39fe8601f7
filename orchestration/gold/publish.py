"""Publish a dbt mart to the gold layer: ``["gold", <mart>]`` writes ``<lake>/gold/<mart>``.

One component, configured per mart (:func:`publish_mart`). The gold asset is downstream of
the dbt model ``["dbt", <mart>]`` and therefore of its blocking checks (dbt tests with
``severity: error``, blocking expectation suites): when one fails, Dagster skips the gold
asset and the gate (:mod:`orchestration.gold.gate`) refuses any later attempt until the
checks pass again, so the previous gold version stays in place and the reason is on the
check and in the failure message. A failing check on a bronze table the mart reads
(an isolating check, :mod:`orchestration.quality.isolation`) has the same effect: the dbt
build leaves the mart out (its gold step is skipped) and the gate refuses it until the check
passes again.

The write is :func:`lake.publish.publish_table`: one Delta ``overwrite`` commit (readers see
the old or the new version, never a mix). The table is read from dbt's DuckDB file read-only,
ordered by the mart's key, and hashed; an unchanged mart creates no new version.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from dbt_project.marts import MartSpec, read_mart
from infra.settings import get_settings
from lake.publish import publish_table, published_hash
from lake.storage import LakeStorage
from orchestration.gold.gate import evaluate_gate


def _column_schema(spec: MartSpec) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(name, dtype) for name, dtype in spec.columns])


def publish_mart(spec: MartSpec | str, *, deps: Sequence[dg.AssetKey] = ()) -> dg.AssetsDefinition:
    """The gold asset publishing one dbt mart (see the module docstring).

    Args:
        spec: the mart (a :class:`MartSpec`, or just its name).
        deps: further upstream assets (the dbt model ``["dbt", <mart>]`` is always one).

    Returns:
        The asset ``["gold", <mart>]``.

    Example:
        >>> publish_mart(MartSpec("customer_rfm", order_by=("scope", "customer_id")))  # doctest: +SKIP
    """
    spec = MartSpec(spec) if isinstance(spec, str) else spec
    model = dg.AssetKey(["dbt", spec.mart])

    @dg.asset(
        key=["gold", spec.mart],
        deps=[model, *deps],
        group_name="gold",
        kinds={"delta"},
        owners=["team:analytics-engineering"],
        description=(spec.description or f"dbt mart {spec.mart}") + f"\n\nPublished to `<lake>/{spec.relative_path}`.",
        metadata={
            "path": spec.relative_path,
            "sql_name": spec.sql_name,
            "dagster/column_schema": _column_schema(spec),
        },
    )
    def _gold(context) -> dg.MaterializeResult:
        settings = get_settings()
        storage = LakeStorage.from_settings(settings)
        verdict = evaluate_gate(context, model)
        _, previous_version = published_hash(storage, spec.relative_path)
        if not verdict.open:
            kept = "nothing published yet" if previous_version is None else f"version {previous_version} kept"
            raise dg.Failure(
                description=(
                    f"{spec.sql_name} not published ({kept}): blocking check(s) on "
                    f"{model.to_user_string()} did not pass:\n- " + "\n- ".join(verdict.problems)
                ),
                metadata={"blocking_checks": ", ".join(verdict.blocking_checks)},
            )
        table = read_mart(settings.dbt.duckdb_path, spec)
        published = publish_table(
            storage, spec.relative_path, table, name=spec.sql_name, description=spec.description,
            metadata={"grouplake.dagster_run_id": context.run.run_id,
                      "grouplake.source": f"dbt:{spec.schema}.{spec.mart}"},
        )
        if not published.changed:
            context.log.info(f"{spec.sql_name} unchanged: version {published.version} stays current")
        return dg.MaterializeResult(metadata={
            "dagster/row_count": table.num_rows,
            "delta_version": published.version,
            "published": published.changed,
            "content_sha256": published.content_hash,
            "blocking_checks_passed": ", ".join(verdict.blocking_checks),
            "uri": storage.uri(spec.relative_path),
        })

    return _gold
