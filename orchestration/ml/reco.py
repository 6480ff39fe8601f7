"""Recommender assets: train + register, then publish the gold tables and the decision snapshot.

``["ml", "recommender_model"]`` trains on the ERP bronze tables and the platform's outbox
(product ranker judged leave-last-order-out against ``repeat`` and ``popularity``; supplier
model on a time split), logs to MLflow, registers a version and applies the champion rule;
its blocking checks stop the publication below. One scoring pass with the *champion*
publishes four tables (each validated before its write, one Delta commit or none when the
content hash is unchanged): ``gold.ml_recommendations``, ``gold.ml_related_items``,
``gold.ml_supplier_recommendations`` and ``gold.reco_decision_snapshot`` (the rows the
transactional service will apply, keyed by platform ids; its content hash is the snapshot
version). ``["platform", "apply_recommendations"]`` hands that snapshot to the service through
the inbound door (:mod:`transactional.recommend.inbound`). Thin adapters: the work is in :mod:`models.ml.recommend`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from infra.settings import get_settings
from models.ml.recommend.gold import (
    DECISION_SNAPSHOT_SCHEMA,
    ORDER,
    RECOMMENDATIONS_SCHEMA,
    RELATED_ITEMS_SCHEMA,
    SUPPLIER_RECOMMENDATIONS_SCHEMA,
)
from orchestration.decisions.door import decision_apply_asset
from orchestration.ml.assets import BRONZE_DEPS, OWNERS, RETRY, _lake, _model_result, _schema
from orchestration.ml.checks import RECOMMENDER_MODEL_KEY, model_check_specs
from transactional.recommend.inbound import GOLD_TABLE, KIND, apply_recommendations

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

RECO_DEPS = [*BRONZE_DEPS, dg.AssetKey(["bronze", "erp", "materials"]),
             dg.AssetKey(["bronze", "tx", "outbox_events"])]
TABLES: dict[str, tuple[pa.Schema, str]] = {
    "ml_recommendations": (RECOMMENDATIONS_SCHEMA, (
        "Per buyer (ERP buyer or platform user) and per unit (cold start): the top SKUs for the next order "
        "with score and reason (champion).")),
    "ml_related_items": (RELATED_ITEMS_SCHEMA, "Per SKU: SKUs often ordered with it (support, confidence, lift)."),
    "ml_supplier_recommendations": (SUPPLIER_RECOMMENDATIONS_SCHEMA, (
        "Per unit x SKU: suppliers ranked by the supplier-choice model, price and delivery/quality record, "
        "with reason.")),
    "reco_decision_snapshot": (DECISION_SNAPSHOT_SCHEMA, (
        "Decision snapshot for the transactional service, keyed by platform ids: buyer_items, unit_items, "
        "related_items, sku_suppliers.")),
}
CHECKS = {
    "ml_recommendations": ("ranks_contiguous_per_buyer", "one_row_per_buyer_and_sku"),
    "ml_related_items": ("no_sku_related_to_itself", "lift_above_one"),
    "ml_supplier_recommendations": ("ranks_contiguous_per_unit_and_sku",),
    "reco_decision_snapshot": ("one_row_per_key", "ranks_contiguous", "scores_finite"),
}


def _key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["gold", name])


@dg.asset(
    key=RECOMMENDER_MODEL_KEY, deps=RECO_DEPS, group_name="ml", kinds={"mlflow", "scikitlearn"}, owners=OWNERS,
    required_resource_keys={"lake"}, retry_policy=RETRY,
    check_specs=model_check_specs(RECOMMENDER_MODEL_KEY, "held-out NDCG@10 >= the repeat baseline's "
                                                           "(each buyer's last order held out)"),
    description="Product recommendations (candidates from own reorder rhythm, items bought together, similar "
                "buyers, trends; gradient-boosted ranker) and supplier recommendations (supplier-choice model), "
                "judged against repeat / popularity, registered in MLflow as grouplake_recommender.",
)
def recommender_model(context) -> dg.MaterializeResult:
    """Train, evaluate and register the recommender."""
    from models.ml.recommend.train import meets_floor
    from models.ml.workflow import train_recommender_model

    outcome = train_recommender_model(get_settings(), con=_lake(context))
    context.log.info(f"grouplake_recommender v{outcome.registered.version}: {outcome.decision.reason}")
    return _model_result(outcome, meets_floor(outcome.metrics))


def problems_of(name: str, rows: pd.DataFrame) -> dict[str, str]:
    """Failed checks of one table's rows -> why (empty when all pass)."""
    from models.ml.recommend.snapshot import snapshot_problems

    problems: dict[str, str] = {}
    if name == "reco_decision_snapshot":
        return snapshot_problems(rows)
    if rows.empty:
        return problems
    if name == "ml_recommendations":
        ranks = rows.groupby("buyer_id")["rank"].agg(lambda r: sorted(r) == list(range(1, len(r) + 1)))
        if not ranks.all():
            problems["ranks_contiguous_per_buyer"] = f"{int((~ranks).sum())} buyer(s) with gaps or repeats"
        duplicated = int(rows.duplicated(["buyer_id", "sku"]).sum())
        if duplicated:
            problems["one_row_per_buyer_and_sku"] = f"{duplicated} duplicated (buyer, sku)"
    elif name == "ml_related_items":
        if (rows["sku"] == rows["related_sku"]).any():
            problems["no_sku_related_to_itself"] = "a SKU is related to itself"
        if (rows["lift"] <= 1).any():
            problems["lift_above_one"] = f"{int((rows['lift'] <= 1).sum())} pair(s) with lift <= 1"
    elif name == "ml_supplier_recommendations":
        ranks = rows.groupby(["business_unit_code", "sku"])["rank"].agg(
            lambda r: sorted(r) == list(range(1, len(r) + 1)))
        if not ranks.all():
            problems["ranks_contiguous_per_unit_and_sku"] = f"{int((~ranks).sum())} list(s) with gaps"
    return problems


@dg.multi_asset(
    specs=[dg.AssetSpec(_key(name), deps=[RECOMMENDER_MODEL_KEY, *RECO_DEPS], group_name="ml", kinds={"delta"},
                        owners=OWNERS, description=description,
                        metadata={"path": f"gold/{name}", "sql_name": f"gold.{name}",
                                  "dagster/column_schema": _schema(schema)})
           for name, (schema, description) in TABLES.items()],
    check_specs=[dg.AssetCheckSpec(check, asset=_key(name), description=check.replace("_", " "))
                 for name, checks in CHECKS.items() for check in checks],
    required_resource_keys={"lake"},
)
def recommendation_tables(context):
    """Score with the champion once; validate and publish each table (one Delta commit or none)."""
    from lake.publish import publish_table
    from models.ml.gold import to_arrow
    from models.ml.workflow import score_recommendations

    tables, version = score_recommendations(get_settings(), con=_lake(context))
    frames = {"ml_recommendations": tables.recommendations, "ml_related_items": tables.related,
              "ml_supplier_recommendations": tables.suppliers, "reco_decision_snapshot": tables.snapshot}
    problems = {name: problems_of(name, frame) for name, frame in frames.items()}
    failed = {f"{n}.{c}": why for n, found in problems.items() for c, why in found.items()}
    if failed:
        raise dg.Failure(description="recommendation tables not published (previous versions kept): "
                         + "; ".join(f"{k}: {v}" for k, v in sorted(failed.items())))
    storage = context.resources.lake.storage()
    for name, frame in frames.items():
        schema, description = TABLES[name]
        if frame.empty:  # no history yet: publish the empty table with its contract
            import pandas as pd

            frame = pd.DataFrame({f.name: pd.Series(dtype=object) for f in schema})
        ordered = frame.sort_values(ORDER[name], na_position="first", kind="stable") if len(frame) else frame
        table = to_arrow(ordered.reset_index(drop=True), schema)
        published = publish_table(storage, f"gold/{name}", table, name=f"gold.{name}", description=description,
                                  metadata={"grouplake.model_version": version,
                                            "grouplake.dagster_run_id": context.run.run_id})
        yield dg.MaterializeResult(
            asset_key=_key(name),
            metadata={"dagster/row_count": table.num_rows, "delta_version": published.version,
                      "published": published.changed, "model_version": version,
                      "content_sha256": published.content_hash, "uri": storage.uri(f"gold/{name}")},
            check_results=[dg.AssetCheckResult(asset_key=_key(name), check_name=check, passed=True)
                           for check in CHECKS[name]],
        )


#: ``platform/apply_recommendations``: the published snapshot into the service, once per version.
apply_recommendations_asset = decision_apply_asset(
    kind=KIND, gold_table=GOLD_TABLE, applier=apply_recommendations, source_key=_key(GOLD_TABLE),
    description="Apply gold.reco_decision_snapshot to the transactional service (recommendations, related SKUs, "
                "supplier rankings; full replacement per content version, audited; buyers read them at "
                "/api/v1/recommendations and /api/v1/skus/{id}/related|suppliers).",
)

reco_assets = [recommender_model, recommendation_tables, apply_recommendations_asset]
