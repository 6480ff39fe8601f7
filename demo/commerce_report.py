"""What the demo commerce run did (:class:`CommerceReport`), its summary and the example
requests that show it (a dealer's rebates, a unit's supplier statements)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from infra.settings import Settings


@dataclass
class CommerceReport:
    """What the demo commerce run did (cumulative over runs)."""

    fx_rates: dict[str, int] = field(default_factory=dict)
    promotions: int = 0
    dealers: list[dict[str, Any]] = field(default_factory=list)
    orders: dict[str, int] = field(default_factory=dict)
    approvals: int = 0
    ratings: int = 0  # delivered demo orders their dealer rated
    statements: list[dict[str, Any]] = field(default_factory=list)
    rebate_settlements: int = 0
    onboarded: str | None = None
    # the onboarding applications simulated this run: supplier_id, path, fast_track, decision
    onboarding: list[dict[str, Any]] = field(default_factory=list)



def render(report: CommerceReport) -> str:
    """A human summary of the commerce run."""
    paid = sum(Decimal(v) for d in report.dealers for v in d["rebates_settled"].values())
    currencies = sorted({s["currency"] for s in report.statements})
    return "\n".join([
        f"demo commerce: FX rates {report.fx_rates}, promotions {report.promotions}",
        (f"  orders by status: {report.orders} ({report.approvals} approved by procurement, "
         f"{report.ratings} rated by their buyer)"),
        (f"  dealers: {len(report.dealers)}, rebates settled to their accounts: {paid} CNY "
         f"({report.rebate_settlements} settlements this run)"),
        f"  supplier statements: {len(report.statements)} in {', '.join(currencies) or '-'}",
        f"  onboarded supplier: {report.onboarded or '-'}",
        *(f"  onboarding {a['supplier_id']}: {a['path']}, fast track {a['fast_track']}, "
          f"{a['decision']}d" for a in report.onboarding),
    ])


def commerce_commands(settings: Settings, report: CommerceReport, password: str) -> list[str]:
    """``curl`` commands showing a dealer's rebates and a unit's supplier statements."""
    if not report.dealers or not report.statements:
        return []
    base = f"http://{settings.services.host}:{settings.services.transactional_port}/api/v1"
    dealer = f"dealer.{report.dealers[0]['code'].lower()}"
    finance = f"finance.{report.statements[0]['business_unit'].lower()}"

    def login(var: str, user: str) -> str:
        return (f"{var}=$(curl -s -X POST {base}/auth/token -d 'username={user}&password="
                f"{password}' | python3 -c 'import json,sys; "
                "print(json.load(sys.stdin)[\"access_token\"])')")

    return [
        login("DEALER", dealer),
        f"curl -s {base}/dealer-accounts -H \"Authorization: Bearer $DEALER\"",
        login("FINANCE", finance),
        f"curl -s {base}/statements -H \"Authorization: Bearer $FINANCE\"",
    ]
