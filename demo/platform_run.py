"""The demo's transactional platform in one call: seed it from the demo ERP, run a commerce
day on it, then the procurement loop (sourcing events to contracts, call-offs and maverick
buys: ``demo/sourcing.py``), and leave the example requests ``grouplake up`` prints.

Called by the demo profile's ``platform/demo_seed`` asset (``orchestration/demo``); plain
functions, no Dagster. Idempotent: the seed skips what exists, the commerce day adds to
what earlier runs did.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from demo.commerce_day import run_commerce_demo
from demo.commerce_report import CommerceReport, commerce_commands, render
from demo.platform_seed import SeedReport, seed_transactional_from_demo
from demo.sources import ensure_demo_sources
from demo.sourcing import SourcingReport, run_sourcing_demo
from infra.settings import Settings


@dataclass
class PlatformRun:
    """What one demo platform run did: the seed and the commerce day."""

    seed: SeedReport
    commerce: CommerceReport
    sourcing: SourcingReport
    examples: Path | None  # the example requests written, if any

    def as_metadata(self) -> dict[str, object]:
        """Figures for the asset's materialization."""
        return {
            "seeded": True,
            "created": json.dumps(self.seed.created),
            "rejected_erp_records": json.dumps(self.seed.rejected),
            "database_url": self.seed.database_url,
            "commerce_orders": json.dumps(self.commerce.orders),
            "dealers_with_rebates": len([d for d in self.commerce.dealers if d["rebates_settled"]]),
            "supplier_statements": len(self.commerce.statements),
            "onboarded_supplier": self.commerce.onboarded or "",
            "sourcing_events": len(self.sourcing.events),
            "framework_contracts": len(self.sourcing.contracts),
            "call_offs": self.sourcing.call_offs,
            "maverick_orders": self.sourcing.maverick_orders,
        }


def examples_path(settings: Settings) -> Path:
    """Where the run leaves the transactional API's example requests."""
    return Path(settings.demo.dir) / "examples" / "transactional-api.json"


def order_commands(settings: Settings, buyer: str, password: str, order: dict) -> list[str]:
    """Shell commands that log in as ``buyer`` and place ``order`` (no stored token).

    Example:
        >>> from infra.settings import Settings
        >>> order_commands(Settings(), "buyer.coal", "pw", {"lines": []})[1][:27]
        'curl -s -X POST http://127.'
    """
    base = f"http://{settings.services.host}:{settings.services.transactional_port}"
    return [
        (f"TOKEN=$(curl -s -X POST {base}/api/v1/auth/token -d 'username={buyer}&password={password}' "
         "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"),
        (f"curl -s -X POST {base}/api/v1/orders -H \"Authorization: Bearer $TOKEN\" "
         f"-H 'Idempotency-Key: demo-order-1' -H 'Content-Type: application/json' -d '{json.dumps(order)}'"),
    ]


def run_platform_demo(settings: Settings, say: Callable[[str], None] = print) -> PlatformRun:
    """Seed the platform from the demo ERP, run the commerce day, write the examples.

    Args:
        settings: the platform settings (the demo group is generated first if missing).
        say: where progress goes (a logger or ``print``).

    Returns:
        A :class:`PlatformRun`.
    """
    ensure_demo_sources(settings, say=say)
    seed = seed_transactional_from_demo(settings, echo=False)
    commerce = run_commerce_demo(settings)
    say(render(commerce))
    sourcing = run_sourcing_demo(settings, say=say)  # events, awards, contracts, call-offs
    path = None
    if seed.example_order:
        buyer = next(u["username"] for u in seed.users if u["role"] == "buyer")
        path = examples_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        commands = (order_commands(settings, buyer, seed.password, seed.example_order)
                    + commerce_commands(settings, commerce, seed.password))
        path.write_text(json.dumps({"users": seed.users, "password": seed.password, "commands": commands},
                                   ensure_ascii=False, indent=2))
    return PlatformRun(seed=seed, commerce=commerce, sourcing=sourcing, examples=path)
