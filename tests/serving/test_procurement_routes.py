"""The procurement marts' routes (#28 item 5) on a tiny hand-made snapshot: sourcing savings,
contract compliance, utilisation and expiring contracts, scoped by business unit (a unit
reads its own rows and the contracts covering it; another unit is 403 ``out_of_scope``),
refused to buyers and suppliers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from tests.serving.conftest import bearer

MONEY = pa.decimal128(18, 4)
API = "/api/v1/procurement"


def _money(*values: str) -> pa.Array:
    return pa.array([Decimal(v) for v in values], MONEY)


def _procurement_gold(lake_root: Path) -> None:
    from deltalake import write_deltalake

    from lake.storage import LakeStorage

    storage = LakeStorage(str(lake_root))
    units, cats = ["COAL", "POWER"], ["CAT-1", "CAT-2"]
    when = pa.array([dt.datetime(2026, 11, 2, tzinfo=dt.UTC)] * 2, pa.timestamp("us", "UTC"))
    tables = {
        "sourcing_savings": pa.table({
            "sourcing_savings_id": ["COAL:CAT-1", "POWER:CAT-2"], "business_unit_code": units,
            "category_code": cats, "event_count": [2, 1], "awarded_line_count": [3, 1],
            "awarded_quantity": _money("300", "10"), "award_value_group": _money("2550", "90"),
            "lines_with_last_price": [3, 0], "award_value_vs_last_group": _money("2550", "0"),
            "baseline_last_value_group": _money("3000", "0"),
            "savings_vs_last_group": _money("450", "0"), "savings_vs_last_pct": [15.0, None],
            "lines_with_median_price": [3, 1], "award_value_vs_median_group": _money("2550", "90"),
            "baseline_median_value_group": _money("2800", "100"),
            "savings_vs_median_group": _money("250", "10"), "savings_vs_median_pct": [8.9286, 10.0],
            "last_awarded_at": when, "group_currency": ["CNY", "CNY"]}),
        "contract_compliance": pa.table({
            "contract_compliance_id": ["COAL:CAT-1", "POWER:CAT-2"], "business_unit_code": units,
            "category_code": cats, "in_scope_line_count": [4, 2], "on_contract_line_count": [3, 1],
            "maverick_line_count": [1, 1], "maverick_order_count": [1, 1],
            "on_contract_spend_group": _money("900", "50"), "maverick_spend_group": _money("100", "50"),
            "contracted_sku_spend_group": _money("1000", "100"), "compliance_rate": [0.9, 0.5],
            "price_leakage_group": _money("12", "0"), "leakage_line_count": [1, 0],
            "group_currency": ["CNY", "CNY"]}),
        "contract_utilisation": pa.table({
            "contract_id": pa.array([1, 2, 3], pa.int64()),
            "business_unit_codes": ["COAL", "COAL,POWER", "POWER"],
            "supplier_id": ["P-1", "P-2", "P-3"], "supplier_key": ["SUP-A", None, "SUP-C"],
            "currency": ["CNY"] * 3, "valid_from": [dt.date(2026, 11, 1)] * 3,
            "valid_to": [dt.date(2026, 11, 20), dt.date(2027, 1, 10), dt.date(2027, 6, 1)],
            "is_signed": [True, True, False], "line_count": [1, 2, 1],
            "committed_quantity": [100, 200, 50], "called_off_quantity": [40, 20, 0],
            "remaining_quantity": [60, 180, 50], "call_off_line_count": [2, 1, 0],
            "utilisation_rate": [0.4, 0.1, 0.0], "committed_value_group": _money("1000", "4000", "500"),
            "called_off_value_group": _money("400", "400", "0"),
            "remaining_value_group": _money("600", "3600", "500"),
            "as_of_date": [dt.date(2026, 11, 10)] * 3, "window_elapsed_rate": [0.5, 0.14, 0.05],
            "group_currency": ["CNY"] * 3}),
        "contracts_expiring": pa.table({
            "contract_id": pa.array([1, 2], pa.int64()), "business_unit_codes": ["COAL", "COAL,POWER"],
            "supplier_id": ["P-1", "P-2"], "supplier_key": ["SUP-A", None],
            "valid_from": [dt.date(2026, 11, 1)] * 2,
            "valid_to": [dt.date(2026, 11, 20), dt.date(2027, 1, 10)], "days_to_expiry": [10, 61],
            "committed_quantity": [100, 200], "remaining_quantity": [60, 180],
            "remaining_value_group": _money("600", "3600"), "utilisation_rate": [0.4, 0.1],
            "window_elapsed_rate": [0.5, 0.14], "as_of_date": [dt.date(2026, 11, 10)] * 2,
            "expiry_horizon_days": [90, 90], "group_currency": ["CNY", "CNY"]}),
    }
    for mart, table in tables.items():
        write_deltalake(storage.uri(f"gold/{mart}"), table, mode="overwrite", schema_mode="overwrite")


@pytest.fixture
def client(settings, tiny_lake):
    from fastapi.testclient import TestClient

    from serving.main import create_app
    from serving.snapshot.build import build_from_settings

    _procurement_gold(tiny_lake)
    build_from_settings(settings)
    settings.serving.poll_interval_s = 0
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _get(client, path: str, token: str) -> list[dict]:
    response = client.get(f"{API}/{path}", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_each_unit_reads_its_own_savings_and_compliance(client, make_token):
    coal = make_token("procurement", "COAL")
    [savings] = _get(client, "sourcing-savings", coal)
    assert (savings["business_unit_code"], savings["savings_vs_last_group"],
            savings["savings_vs_last_pct"]) == ("COAL", "450.0000", 15.0)
    [compliance] = _get(client, "contract-compliance", make_token("finance", "POWER"))
    assert (compliance["business_unit_code"], compliance["maverick_spend_group"],
            compliance["compliance_rate"]) == ("POWER", "50.0000", 0.5)
    admin = make_token("admin")
    assert [r["business_unit_code"] for r in _get(client, "sourcing-savings", admin)] == ["COAL", "POWER"]
    assert [r["category_code"] for r in _get(client, "contract-compliance?category_code=CAT-2", admin)] \
        == ["CAT-2"]
    refused = client.get(f"{API}/sourcing-savings?business_unit=POWER", headers=bearer(coal))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "out_of_scope"


def test_a_unit_sees_the_contracts_covering_it(client, make_token):
    coal, power = make_token("procurement", "COAL"), make_token("procurement", "POWER")
    assert [r["contract_id"] for r in _get(client, "contract-utilisation", coal)] == [1, 2]
    assert [r["contract_id"] for r in _get(client, "contract-utilisation", power)] == [2, 3]
    assert [r["contract_id"] for r in _get(client, "contract-utilisation?signed_only=true", power)] == [2]
    assert [r["contract_id"] for r in _get(client, "contracts-expiring", power)] == [2]
    assert [r["contract_id"] for r in _get(client, "contracts-expiring?within_days=30",
                                            make_token("admin"))] == [1]
    refused = client.get(f"{API}/contracts-expiring?business_unit=COAL", headers=bearer(power))
    assert refused.status_code == 403


def test_buyers_and_suppliers_may_not_read_them(client, make_token):
    for token in (make_token("buyer", "COAL"), make_token("supplier", supplier_id="P-1")):
        for path in ("sourcing-savings", "contract-compliance", "contract-utilisation",
                     "contracts-expiring"):
            response = client.get(f"{API}/{path}", headers=bearer(token))
            assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
