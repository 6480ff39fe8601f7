"""Transactional platform assets.

- ``platform/demo_seed``: on the demo group, loads its catalogue, suppliers, offers, stock
  and demo users into the transactional database (idempotent), then runs the demo commerce
  flow (``demo/commerce_day.py``: FX, promotions, dealers trading and earning
  tiered rebates, supplier statements and exported payables, one onboarded supplier) and
  leaves working examples for ``grouplake up`` to print. With real sources configured it
  does nothing and says so — a real platform's catalogue is its own system of record.
- ``bronze/tx/outbox_events``: the service's business events, read after the last
  committed ``sequence_id``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from infra.settings import Settings, get_settings
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from orchestration.bronze import build_bronze_assets, freshness_checks
from orchestration.erp.assets import is_transient_db_error
from pipelines.ingest import BatchReport, IngestReport, ingest_entity
from pipelines.sources.tx.outbox import OUTBOX_SPEC, OutboxExtractor

SEED_KEY = dg.AssetKey(["platform", "demo_seed"])


def examples_path(settings: Settings) -> Path:
    """Where the demo seed leaves the example requests ``grouplake up`` prints."""
    return Path(settings.demo.dir) / "examples" / "transactional-api.json"


def example_commands(settings: Settings, buyer: str, password: str, order: dict) -> list[str]:
    """Shell commands that log in as ``buyer`` and place ``order`` (no stored token)."""
    base = f"http://{settings.services.host}:{settings.services.transactional_port}"
    return [
        (f"TOKEN=$(curl -s -X POST {base}/api/v1/auth/token -d 'username={buyer}&password={password}' "
         "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"),
        (f"curl -s -X POST {base}/api/v1/orders -H \"Authorization: Bearer $TOKEN\" "
         f"-H 'Idempotency-Key: demo-order-1' -H 'Content-Type: application/json' -d '{json.dumps(order)}'"),
    ]


@dg.asset(
    key=SEED_KEY,
    group_name="transactional",
    kinds={"sqlite", "python"},
    owners=["team:commerce"],
    description="Demo group only: the platform's catalogue, suppliers, offers, stock and demo "
    "users loaded from the demo ERP (idempotent). Skipped with real sources.",
    deps=[dg.AssetKey(["bronze", "erp", "supplier_offers"])],
)
def platform_demo_seed(context) -> dg.MaterializeResult:
    settings = get_settings()
    if not settings.uses_demo_sources:
        context.log.info("real sources configured: the platform keeps its own catalogue; nothing to seed")
        return dg.MaterializeResult(metadata={"seeded": False})
    from demo.commerce_day import run_commerce_demo
    from demo.commerce_report import commerce_commands, render
    from demo.platform_seed import seed_transactional_from_demo
    from demo.sources import ensure_demo_sources

    ensure_demo_sources(settings, say=context.log.info)
    report = seed_transactional_from_demo(settings, echo=False)
    commerce = run_commerce_demo(settings)
    context.log.info(render(commerce))
    path = examples_path(settings)
    if report.example_order:
        buyer = next(u["username"] for u in report.users if u["role"] == "buyer")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "users": report.users,
                    "password": report.password,
                    "commands": example_commands(settings, buyer, report.password, report.example_order)
                    + commerce_commands(settings, commerce, report.password),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    return dg.MaterializeResult(
        metadata={
            "seeded": True,
            "created": json.dumps(report.created),
            "rejected_erp_records": json.dumps(report.rejected),
            "database_url": report.database_url,
            "commerce_orders": json.dumps(commerce.orders),
            "dealers_with_rebates": len([d for d in commerce.dealers if d["rebates_settled"]]),
            "supplier_statements": len(commerce.statements),
            "onboarded_supplier": commerce.onboarded or "",
        }
    )


class OltpResource(dg.ConfigurableResource):
    """The transactional database, read-only (``OLTP__DATABASE_URL``)."""

    def extractor(self) -> OutboxExtractor:
        """An outbox extractor on the configured transactional database."""
        return OutboxExtractor(sa.create_engine(get_settings().oltp.database_url))


def _ingest(
    context: dg.AssetExecutionContext,
    storage: LakeStorage,
    spec: EntitySpec,
    on_batch: Callable[[BatchReport], None],
) -> IngestReport:
    extractor = context.resources.oltp.extractor()
    try:
        return ingest_entity(storage, spec, extractor, on_batch=on_batch)
    finally:
        extractor.engine.dispose()


outbox_assets = build_bronze_assets(
    [OUTBOX_SPEC],
    _ingest,
    required_resource_keys={"oltp"},
    kinds={"sql"},
    is_transient=is_transient_db_error,
    group_name="tx",
    deps=[SEED_KEY],
    expect_rows=False,
)
outbox_freshness_checks = freshness_checks(outbox_assets)
