"""The lake-side replay of the order path's rules equals the service's rules, order by order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from models.ml.fraud.online_rules import WEIGHTS, RulePolicy, rule_flags, rule_scores
from models.ml.fraud.profiles import build_profiles
from transactional.core.policy import RiskPolicy
from transactional.risk import rules

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LIMIT = 1000.0
SKUS = {"S-A": 1, "S-B": 2}


def _h(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


# history (profiles): unit U ordered S-A from V1 five times (quantity 2-5, price 10, amount 200 each);
# unit W ordered S-B from V2 once, 20 days ago
HISTORY = pd.DataFrame([
    {"business_unit": "U", "supplier_id": "V1", "sku_code": "S-A", "sku_id": None, "order_id": f"H{i}",
     "ordered_at": T0 - dt.timedelta(days=200 - i), "quantity": q, "unit_price": 10.0, "order_amount": 200.0}
    for i, q in enumerate([2, 3, 4, 5, 5])
] + [{"business_unit": "W", "supplier_id": "V2", "sku_code": "S-B", "sku_id": None, "order_id": "H9",
      "ordered_at": T0 - dt.timedelta(days=20), "quantity": 1, "unit_price": 50.0, "order_amount": 50.0}])

# scored orders: a split (3 x 400 within 24 h), a cancelled big one (never an earlier order), a big
# quantity, an expensive line, two large first orders with suppliers new to the unit, an ordinary one
ORDERS = pd.DataFrame([
    ("P1", "U", "V1", "B1", _h(0), 400.0, True), ("P2", "U", "V1", "B1", _h(3), 400.0, True),
    ("P3", "U", "V1", "B1", _h(20), 400.0, True), ("P4", "U", "V1", "B2", _h(1), 900.0, False),
    ("P5", "U", "V1", "B2", _h(2), 300.0, True), ("P6", "U", "V1", "B3", _h(30), 30.0, True),
    ("P7", "U", "V3", "B4", _h(40), 600.0, True), ("P8", "U", "V2", "B5", _h(50), 700.0, True),
    ("P9", "U", "V1", "B6", _h(60), 20.0, True),
], columns=["order_id", "business_unit", "supplier_id", "buyer_id", "ordered_at", "amount", "live"])
ORDERS["limit"] = LIMIT
LINES = pd.DataFrame([("P1", "S-A", 4, 10.0), ("P2", "S-A", 4, 10.0), ("P3", "S-A", 4, 10.0),
                      ("P4", "S-A", 90, 10.0), ("P5", "S-A", 30, 10.0), ("P6", "S-A", 2, 15.0),
                      ("P7", "S-B", 12, 50.0), ("P8", "S-B", 14, 50.0), ("P9", "S-A", 2, 10.0)],
                     columns=["order_id", "sku_code", "quantity", "unit_price"])


def _service_profiles(rows: pd.DataFrame) -> dict[str, rules.Profile]:
    def num(v):
        return None if pd.isna(v) else v

    return {r.subject: rules.Profile(
        order_count=int(r.order_count), quantity_median=num(r.quantity_median), quantity_p95=num(r.quantity_p95),
        unit_price_median=None if pd.isna(r.unit_price_median) else Decimal(str(r.unit_price_median)),
        amount_median=None if pd.isna(r.amount_median) else Decimal(str(r.amount_median)),
        amount_p95=None if pd.isna(r.amount_p95) else Decimal(str(r.amount_p95)), currency=r.currency,
        first_order_at=None if pd.isna(r.first_order_at) else pd.Timestamp(r.first_order_at).to_pydatetime())
        for r in rows.itertuples(index=False)}


def _service_score(order, profiles: dict[str, rules.Profile]) -> tuple[float, set[str]]:
    """The service's verdict on ``order``, with the facts placement would gather."""
    earlier = ORDERS[(ORDERS["ordered_at"] < order.ordered_at) & ORDERS["live"]]
    recent = [rules.RecentOrder(0, o.supplier_id, Decimal(str(o.amount)), o.ordered_at.to_pydatetime())
              for o in earlier[earlier["buyer_id"] == order.buyer_id].itertuples()]
    burst = int(((earlier["buyer_id"] == order.buyer_id)
                 & (earlier["ordered_at"] >= order.ordered_at - dt.timedelta(minutes=10))).sum())
    known = bool(((earlier["business_unit"] == order.business_unit)
                  & (earlier["supplier_id"] == order.supplier_id)).any())
    lines = [rules.LineFacts(SKUS[l.sku_code], int(l.quantity), Decimal(str(l.unit_price)))
             for l in LINES[LINES["order_id"] == order.order_id].itertuples()]
    facts = rules.OrderFacts(
        business_unit=order.business_unit, supplier_id=order.supplier_id, currency="CNY",
        amount=Decimal(str(order.amount)), amount_in_limit=Decimal(str(order.amount)), limit=Decimal(str(LIMIT)),
        limit_currency="CNY", lines=lines, now=order.ordered_at.to_pydatetime(), recent=recent,
        velocity_count=burst, profiles=profiles, profiles_in_force=True, known_supplier=known)
    reasons = rules.evaluate(facts, RiskPolicy())
    return rules.rule_score(reasons), {r.code for r in reasons}


def test_weights_and_thresholds_are_the_services() -> None:
    assert WEIGHTS == rules.WEIGHTS
    policy, mine = RiskPolicy(), RulePolicy()
    assert (mine.split_window_hours, mine.velocity_window_minutes, mine.velocity_max) == (
        policy.split_window.total_seconds() / 3600, policy.velocity_window.total_seconds() / 60, policy.velocity_max)
    assert (mine.history_factor, mine.history_min_orders, mine.price_factor, mine.new_supplier_share) == (
        policy.history_factor, policy.history_min_orders, policy.price_factor, policy.new_supplier_share)
    assert mine.new_supplier_days == policy.new_supplier_age.days


@pytest.mark.parametrize("order_id", ORDERS["order_id"].tolist())
def test_the_replay_scores_each_order_as_the_service_does(order_id: str) -> None:
    profiles = build_profiles(HISTORY, SKUS)
    flags = rule_flags(ORDERS, LINES, profiles, SKUS)
    ours = dict(zip(flags["order_id"], rule_scores(flags), strict=True))
    fired = {r.order_id: {k for k in WEIGHTS if getattr(r, k)} for r in flags.itertuples()}
    order = next(ORDERS[ORDERS["order_id"] == order_id].itertuples())
    score, codes = _service_score(order, _service_profiles(profiles))
    assert (ours[order_id], fired[order_id]) == (score, codes)


def test_the_cases_fire_the_rules_they_were_built_for() -> None:
    flags = rule_flags(ORDERS, LINES, build_profiles(HISTORY, SKUS), SKUS).set_index("order_id")
    fired = {o: {k for k in WEIGHTS if flags.at[o, k]} for o in flags.index}
    assert fired == {"P1": set(), "P2": set(), "P3": {"split"}, "P4": {"amount_history", "quantity_history"},
                     "P5": {"quantity_history"}, "P6": {"price_market"}, "P7": {"new_supplier"},
                     "P8": {"new_supplier"}, "P9": set()}
