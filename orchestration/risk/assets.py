"""``gold/risk_profiles`` and ``platform/apply_risk_profiles``: the lake's history profiles for
the transactional service's risk guard, published as a decision snapshot and applied through
the inbound door (``DESIGN.md``, "Closing the loop"). Thin adapters: the work is in
:mod:`models.ml.fraud.profiles` and :mod:`transactional.risk.inbound`."""

from __future__ import annotations

import dagster as dg

from models.ml.fraud.profiles import PROFILE_SCHEMA
from orchestration.decisions.door import decision_apply_asset
from orchestration.ml.assets import BRONZE_DEPS, _lake, _schema
from transactional.risk.inbound import KIND, apply_risk_profiles

PROFILES_KEY = dg.AssetKey(["gold", "risk_profiles"])
CHECKS = ("one_row_per_subject", "order_count_positive")
OWNERS = ["team:risk"]


@dg.asset(
    key=PROFILES_KEY, deps=[*BRONZE_DEPS, dg.AssetKey(["bronze", "erp", "materials"]),
                            dg.AssetKey(["bronze", "tx", "outbox_events"])],
    group_name="decisions", kinds={"delta"}, owners=OWNERS, required_resource_keys={"lake"},
    check_specs=[dg.AssetCheckSpec(c, asset=PROFILES_KEY, description=c.replace("_", " ")) for c in CHECKS],
    description="Per SKU, supplier, unit x SKU and unit x supplier: order counts, quantity / price / amount "
                "medians and p95, first order, from ERP purchase orders and platform orders, keyed by platform "
                "ids. The risk guard's decision snapshot (its content hash is the version).",
    metadata={"path": "gold/risk_profiles", "sql_name": "gold.risk_profiles",
              "dagster/column_schema": _schema(PROFILE_SCHEMA)},
)
def risk_profiles(context) -> dg.MaterializeResult:
    """Compute, check and publish the profiles (one Delta commit, none when unchanged)."""
    from lake.publish import publish_table
    from models.ml.fraud.profiles import profile_problems
    from models.ml.fraud.profiles import risk_profiles as compute
    from models.ml.gold import to_arrow

    rows = compute(_lake(context))
    problems = profile_problems(rows)
    if problems:
        raise dg.Failure(description="gold/risk_profiles not published (previous version kept): "
                         + "; ".join(f"{k}: {v}" for k, v in sorted(problems.items())))
    storage = context.resources.lake.storage()
    table = to_arrow(rows, PROFILE_SCHEMA)
    published = publish_table(storage, "gold/risk_profiles", table, name="gold.risk_profiles",
                              description="history profiles of the order-path risk guard",
                              metadata={"grouplake.dagster_run_id": context.run.run_id})
    return dg.MaterializeResult(
        metadata={"dagster/row_count": table.num_rows, "delta_version": published.version,
                  "published": published.changed, "content_sha256": published.content_hash,
                  "uri": storage.uri("gold/risk_profiles")},
        check_results=[dg.AssetCheckResult(asset_key=PROFILES_KEY, check_name=c, passed=True) for c in CHECKS],
    )


apply_risk_profiles_asset = decision_apply_asset(
    kind=KIND, gold_table="risk_profiles", applier=apply_risk_profiles, source_key=PROFILES_KEY,
    description="Applies gold/risk_profiles to the transactional service's risk_profiles table through the "
                "inbound door (once per content version; the previous version stays in force on failure).")

risk_assets = [risk_profiles, apply_risk_profiles_asset]
