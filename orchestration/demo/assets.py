"""The demo profile's own asset: ``platform/demo_seed``.

It loads the demo group's catalogue, suppliers, offers, stock and demo users into the
transactional database (idempotent), runs the demo commerce day (FX, promotions, dealers
trading and earning tiered rebates, supplier statements and exported payables, one
onboarded supplier) and leaves working examples for ``grouplake up`` to print
(:func:`demo.platform_run.run_platform_demo`). Only the demo profile has it: a real
platform's catalogue is its own system of record.
"""

from __future__ import annotations

import dagster as dg

from infra.settings import get_settings

SEED_KEY = dg.AssetKey(["platform", "demo_seed"])


@dg.asset(
    key=SEED_KEY,
    group_name="transactional",
    kinds={"sqlite", "python"},
    owners=["team:commerce"],
    description="Demo profile: the platform's catalogue, suppliers, offers, stock and demo users "
    "loaded from the demo ERP (idempotent), then a day of demo commerce.",
    deps=[dg.AssetKey(["bronze", "erp", "supplier_offers"])],
)
def platform_demo_seed(context) -> dg.MaterializeResult:  # dagster inspects the bare `context` name
    """Seed the platform from the demo ERP and run the commerce day."""
    from demo.platform_run import run_platform_demo

    run = run_platform_demo(get_settings(), say=context.log.info)
    return dg.MaterializeResult(metadata=run.as_metadata())
