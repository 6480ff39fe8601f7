"""Purchase-order red flags: given ERP rows, the exact feature values."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from models.ml.features.orders import ORDER_FEATURES, order_features
from tests.models.ml.erp import base_erp, order, utc

MARCH = dt.date(2026, 3, 2)  # a Monday


def day(n: int) -> dt.date:
    return MARCH + dt.timedelta(days=n)


@pytest.fixture(scope="module")
def features():
    erp = base_erp()
    # a split: three orders by U-B1 to V1 on consecutive days, each just under the 1.5M limit
    order(erp, "P1", day=day(0), amount=1_440_000)
    order(erp, "P2", day=day(1), amount=1_410_000)
    order(erp, "P3", day=day(2), amount=1_380_000)
    order(erp, "P4", day=day(18), amount=1_450_000)  # alone, 16 days later
    order(erp, "P5", day=day(1), amount=100_000, buyer="U-B2")  # another buyer
    order(erp, "P6", day=day(10), amount=50_000, approver="U-B1")  # approved by its own buyer
    order(erp, "P7", day=day(10), amount=990)
    order(erp, "P8", day=day(3), amount=100_000, currency="USD", vendor="V2")
    order(erp, "P9", day=day(5), amount=10_000, hour=2)  # Saturday 10:00 local
    erp.add("supplier_offers", supplier_offer_id="OF1", vendor_id="V1", material_id="MAT1",
            price_tiers='[{"min_qty": 1.0, "unit_price": 100.0}, {"min_qty": 10.0, "unit_price": 90.0}]')
    erp.add("purchase_order_lines", purchase_order_line_id="P1-1", purchase_order_id="P1", material_id="MAT1",
            quantity=16_000, unit_price=90, currency="CNY", supplier_offer_id="OF1")
    # P7: price raised from the 90 tier price to 99 on Monday 16 March 02:30 local, after approval
    erp.add("purchase_order_lines", purchase_order_line_id="P7-1", purchase_order_id="P7", material_id="MAT1",
            quantity=10, unit_price=99, currency="CNY", supplier_offer_id="OF1",
            price_overridden_at=utc("2026-03-15 18:30"))
    frame = order_features(erp.connect())
    return frame.set_index("document_id")


def test_one_row_per_order_with_every_feature(features):
    assert list(features.index) == [f"P{i}" for i in range(1, 10)]
    assert set(ORDER_FEATURES) <= set(features.columns)
    assert (features["document_type"] == "purchase_order").all()


def test_split_orders_under_the_limit(features):
    p1 = features.loc["P1"]
    assert p1["limit_ratio"] == pytest.approx(0.96)
    assert p1["just_under_limit"] == 1
    assert p1["split_siblings"] == 2 and p1["split_siblings_under_limit"] == 2
    assert p1["split_total_ratio"] == pytest.approx((1_440_000 + 1_410_000 + 1_380_000) / 1_500_000)
    assert p1["split_under_limit"] == 1
    assert features.loc["P2", "split_siblings"] == 2
    assert features.loc["P3", "split_siblings"] == 2  # P1 two days before, P2 one day before


def test_an_isolated_order_or_another_buyer_is_no_split(features):
    p4, p5 = features.loc["P4"], features.loc["P5"]
    assert (p4["split_siblings"], p4["split_total_ratio"], p4["split_under_limit"]) == (0, 0, 0)
    assert p4["just_under_limit"] == 1
    assert (p5["split_siblings"], p5["just_under_limit"]) == (0, 0)
    assert p5["limit_ratio"] == pytest.approx(100_000 / 1_500_000)


def test_self_approval(features):
    assert features.loc["P6", "self_approved"] == 1
    assert features["self_approved"].sum() == 1


def test_price_override_at_night_after_approval(features):
    p7 = features.loc["P7"]
    assert p7["override_lines"] == 1
    assert p7["override_off_hours"] == 1
    assert p7["override_after_approval"] == 1
    assert p7["max_override_uplift"] == pytest.approx(99 / 90 - 1)  # the 10-unit tier price is 90
    assert p7["max_price_vs_median"] == pytest.approx(99 / 94.5 - 1)  # MAT1 median of 90 and 99
    assert features.loc["P1", "max_override_uplift"] == 0


def test_foreign_currency_is_converted_with_the_dated_rate(features):
    p8 = features.loc["P8"]
    assert p8["amount_cny"] == pytest.approx(720_000)  # USD at the 2026-03-01 rate 7.2
    assert p8["limit_ratio"] == pytest.approx(0.48)
    assert p8["log_amount_cny"] == pytest.approx(math.log1p(720_000))


def test_vendor_tenure_and_weekend_entry(features):
    assert features.loc["P5", "log_vendor_tenure_days"] == pytest.approx(math.log1p(426))  # since 2025-01-01
    assert features.loc["P8", "log_vendor_tenure_days"] == pytest.approx(math.log1p(13))  # V2 since 2026-02-20
    assert features.loc["P9", "created_off_hours"] == 1  # Saturday
    assert features.loc["P1", "created_off_hours"] == 0  # Monday 10:00 local
