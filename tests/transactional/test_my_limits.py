"""``GET /api/v1/me/limits`` (#24 item 6): a buyer sees its approval limit, order rate and own
customer terms with their origin (the segment and policy version, or the default terms)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert

from transactional.db.tables.benefits import customer_benefits
from transactional.db.tables.rebates import dealer_accounts
from transactional.db.types import utcnow


def test_a_buyer_without_segment_sees_the_default_terms_and_its_units_limit(client, world, tx_settings) -> None:
    answer = client.get("/api/v1/me/limits", headers=world.headers("buyer_coal"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["business_unit"] == "COAL"
    assert body["orders_per_minute"] == tx_settings.oltp.order_rate_per_minute
    assert Decimal(body["approval_limit"]["amount"]) > 0 and body["approval_limit"]["currency"] == "CNY"
    assert body["terms"] == {"source": "default", "segment": None,
                             "payment_terms_days": tx_settings.oltp.payment_terms_days, "credit_limit": None,
                             "currency": None, "policy_version": None, "customer_ref": None}


def test_a_buyer_with_a_segment_sees_the_terms_it_was_granted(client, world, db) -> None:
    now = utcnow()
    buyer = world.users["buyer_coal"]
    with db.write() as session:
        session.execute(insert(dealer_accounts).values(code="D-COAL-1", name="Coal buyer", business_unit="COAL",
                                                       buyer_user_id=buyer.user_id, customer_ref="C-77",
                                                       created_at=now))
        session.execute(insert(customer_benefits).values(
            business_unit="COAL", customer_ref="C-77", customer_name="Coal buyer", segment="champions",
            payment_terms_days=60, credit_limit=Decimal(500000), currency="CNY", account_manager=True,
            campaigns=[], policy_version=3, snapshot_version="s" * 64, granted_at=now, updated_at=now))
    terms = client.get("/api/v1/me/limits", headers=world.headers("buyer_coal")).json()["terms"]
    assert terms == {"source": "segment", "segment": "champions", "payment_terms_days": 60,
                     "credit_limit": "500000.0000", "currency": "CNY", "policy_version": 3, "customer_ref": "C-77"}
    # another buyer of the unit is not that customer
    other = client.get("/api/v1/me/limits", headers=world.headers("buyer_coal2")).json()["terms"]
    assert other["source"] == "default" and other["customer_ref"] is None


def test_staff_see_their_units_limit_and_suppliers_have_none(client, world) -> None:
    staff = client.get("/api/v1/me/limits", headers=world.headers("finance_power")).json()
    assert staff["business_unit"] == "POWER" and staff["terms"] is None and staff["approval_limit"] is not None
    assert client.get("/api/v1/me/limits", headers=world.headers("supplier_1")).status_code == 403
    assert client.get("/api/v1/me/limits").status_code == 401
