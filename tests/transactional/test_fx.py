"""Dated FX: finance edits rates (audited), conversions record rate, date and source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from transactional.accounting import fx
from transactional.accounting.fx import FxRateMissingError, RateBook
from transactional.core.policy import CommercePolicy
from transactional.db.tables.core import audit_log
from transactional.domain.fx import Rate, convert, to_rate
from transactional.domain.principal import SYSTEM

D = Decimal
DAY = dt.date(2026, 11, 20)


def test_rates_and_conversions_are_exact_and_half_even() -> None:
    assert to_rate("7.123456785") == D("7.12345678")  # half-even on the 8th place
    with pytest.raises(ValueError):
        to_rate(7.1)
    half = Rate("CNY", "XXX", D("0.5"), DAY, "test")
    assert convert(D("0.0001"), half).amount == D("0.0000")  # 0.00005: half to even
    assert convert(D("0.0003"), half).amount == D("0.0002")  # 0.00015: half to even
    rate = Rate("USD", "CNY", D("7.1"), DAY, "erp")
    assert convert(D("10.005"), rate).amount == D("71.0355")
    assert rate.inverted().rate == D("0.14084507")
    eur = Rate("EUR", "CNY", D("7.7"), DAY - dt.timedelta(days=2), "erp")
    cross = eur.then(rate.inverted())
    assert (cross.rate, cross.rate_date) == (D("1.08450704"), DAY - dt.timedelta(days=2))
    assert cross.source.startswith("cross via CNY")


def _load(db) -> None:
    rows = [{"rate_date": DAY - dt.timedelta(days=d), "from_currency": c, "to_currency": "CNY",
             "rate": r} for d, c, r in ((0, "USD", "7.1"), (3, "USD", "7.0"),
                                        (1, "EUR", "7.7"), (30, "JPY", "0.048"))]
    assert db.run_write(lambda s: fx.load_rates(s, SYSTEM, rows, "ERP fx_rates")) == {
        "created": 4, "kept": 0}


def test_lookup_direct_inverse_cross_and_stale(db) -> None:
    _load(db)
    with db.read() as session:
        book = RateBook(session, CommercePolicy(fx_max_age_days=7))
        direct = book.convert(D("100"), "USD", "CNY", DAY - dt.timedelta(days=1))
        assert (direct.amount, direct.rate, direct.rate_date, direct.rate_source) == (
            D("700.0000"), D("7.00000000"), DAY - dt.timedelta(days=3), "ERP fx_rates")
        inverse = book.convert(D("710"), "CNY", "USD", DAY)
        assert (inverse.amount, inverse.rate) == (D("100.0000"), D("0.14084507"))
        assert inverse.rate_source == "inverse of ERP fx_rates"
        cross = book.convert(D("100"), "EUR", "USD", DAY)
        assert (cross.amount, cross.rate) == (D("108.4507"), D("1.08450704"))
        same = book.convert(D("5"), "CNY", "CNY", DAY)
        assert (same.amount, same.rate_date, same.rate_source) == (D("5.0000"), None,
                                                                    "same currency")
        with pytest.raises(FxRateMissingError) as stale:
            book.convert(D("1"), "JPY", "CNY", DAY)  # 30 days old
        assert stale.value.code == "fx_rate_missing"
        with pytest.raises(FxRateMissingError):
            book.convert(D("1"), "USD", "CNY", DAY - dt.timedelta(days=10))  # nothing before


def test_finance_edits_rates_and_the_erp_load_keeps_the_edit(client, world, db) -> None:
    _load(db)
    body = {"rate_date": DAY.isoformat(), "from_currency": "USD", "to_currency": "CNY",
            "rate": "7.2", "source": "treasury"}
    assert client.put("/api/v1/fx-rates", json=body,
                      headers=world.headers("buyer_coal")).status_code == 403
    edited = client.put("/api/v1/fx-rates", json=body, headers=world.headers("finance_power"))
    assert edited.status_code == 200 and edited.json()["rate"] == "7.20000000"
    same_pair = client.put("/api/v1/fx-rates", json={**body, "to_currency": "USD"},
                           headers=world.headers("finance_power"))
    assert same_pair.status_code == 422
    reload = db.run_write(lambda s: fx.load_rates(
        s, SYSTEM, [{"rate_date": DAY, "from_currency": "USD", "to_currency": "CNY",
                     "rate": "7.1"}], "ERP fx_rates"))
    assert reload == {"created": 0, "kept": 1}
    listed = client.get("/api/v1/fx-rates?from_currency=USD",
                        headers=world.headers("buyer_power")).json()
    assert [(r["rate_date"], r["rate"], r["source"]) for r in listed["items"]] == [
        (DAY.isoformat(), "7.20000000", "treasury"),
        ((DAY - dt.timedelta(days=3)).isoformat(), "7.00000000", "ERP fx_rates")]
    with db.read() as session:
        details = session.execute(select(audit_log.c.details).where(
            audit_log.c.action == "fx_rate.set")).scalar_one()
    assert (details["previous_rate"], details["rate"]) == ("7.10000000", "7.20000000")
