"""Pure rules: money, pricing tiers, MOQ/multiples, routing, templates, the status machine."""

from __future__ import annotations

from decimal import Decimal

import pytest

from transactional.domain.allocation import LineRequest, StockCandidate, allocate, haversine_km
from transactional.domain.attributes import (
    AttributeSpec,
    parse_filter,
    parse_template,
    validate_attributes,
)
from transactional.domain.errors import (
    ForbiddenError,
    IllegalTransitionError,
    OutOfStockError,
    ValidationFailedError,
)
from transactional.domain.money import Money, to_decimal
from transactional.domain.pricing import OfferTerms, PriceTier, price_line, validate_terms
from transactional.domain.principal import Role
from transactional.domain.status import (
    APPROVAL_STATUS,
    INITIAL_STATUS,
    RESERVING,
    REVIEW_STATUS,
    TRANSITIONS,
    OrderStatus,
    StockEffect,
    transition_for,
)

TERMS = OfferTerms(7, "S", 1, "CNY", moq=10, order_multiple=5,
                   tiers=(PriceTier(10, Decimal(8)), PriceTier(100, Decimal("7.5")),
                          PriceTier(1000, Decimal("7.1234"))))


def test_money_is_exact_and_refuses_floats_and_mixed_currencies() -> None:
    assert Money.of("0.1", "CNY") + Money.of("0.2", "CNY") == Money.of("0.3", "CNY")
    assert (Money.of("7.1234", "CNY") * 3).amount == Decimal("21.3702")
    assert to_decimal("1.00005") == Decimal("1.0000")  # banker's rounding at 4 places
    with pytest.raises(ValueError):
        to_decimal(0.1)
    with pytest.raises(ValueError):
        Money.of("1", "CNY") + Money.of("1", "USD")
    with pytest.raises(ValueError):
        Money.of("1", "yuan")
    with pytest.raises(ValueError):
        to_decimal("1e20")


@pytest.mark.parametrize(("quantity", "unit", "total"), [
    (10, "8.0000", "80.0000"), (95, "8.0000", "760.0000"), (100, "7.5000", "750.0000"),
    (1000, "7.1234", "7123.4000"),
])
def test_price_by_tier(quantity: int, unit: str, total: str) -> None:
    price, amount = price_line(TERMS, quantity)
    assert (str(price.amount), str(amount.amount)) == (unit, total)


@pytest.mark.parametrize(("quantity", "code"), [(5, "below_moq"), (12, "not_order_multiple")])
def test_moq_and_multiples(quantity: int, code: str) -> None:
    with pytest.raises(ValidationFailedError) as err:
        price_line(TERMS, quantity)
    assert err.value.code == code
    assert err.value.details["moq"] == 10


def test_offer_terms_validation_lists_every_problem() -> None:
    with pytest.raises(ValidationFailedError) as err:
        validate_terms("cny", 0, 0, [PriceTier(5, Decimal(-1)), PriceTier(5, Decimal(2))])
    problems = " | ".join(err.value.details["problems"])
    for needle in ("ISO-4217", "moq", "order_multiple", "distinct", "positive"):
        assert needle in problems
    with pytest.raises(ValidationFailedError, match="invalid offer terms"):
        validate_terms("CNY", 10, 1, [PriceTier(20, Decimal(1))])  # MOQ unpriceable


def test_allocation_prefers_one_cheapest_warehouse_that_fills_the_line() -> None:
    near = StockCandidate(1, 9, 30, Decimal(10), Decimal("0.3"), 40.08, 113.30)
    far = StockCandidate(2, 9, 100, Decimal(10), Decimal("0.3"), 23.02, 113.12)
    ship_to = (40.0, 113.0)
    assert [(a.warehouse_id, a.quantity) for a in allocate([LineRequest(1, 9, 30)],
                                                           [near, far], ship_to)] == [(1, 30)]
    # 31 does not fit in the near yard: one shipment from the far one beats a split
    assert [(a.warehouse_id, a.quantity) for a in allocate([LineRequest(1, 9, 31)],
                                                           [near, far], ship_to)] == [(2, 31)]


def test_allocation_splits_cheapest_first_and_shares_stock_between_lines() -> None:
    a = StockCandidate(1, 9, 30, Decimal(1))
    b = StockCandidate(2, 9, 20, Decimal(2))
    result = allocate([LineRequest(1, 9, 40), LineRequest(2, 9, 10)], [a, b])
    assert [(x.line_no, x.warehouse_id, x.quantity) for x in result] == [
        (1, 1, 30), (1, 2, 10), (2, 2, 10)]
    with pytest.raises(OutOfStockError) as err:
        allocate([LineRequest(1, 9, 40), LineRequest(2, 9, 11)], [a, b])
    assert err.value.details == {"lines": [
        {"line_no": 2, "sku_id": 9, "requested": 11, "available": 10}]}


def test_haversine() -> None:
    assert round(haversine_km(39.9042, 116.4074, 31.2304, 121.4737)) == 1067


def test_template_and_attribute_validation() -> None:
    specs = parse_template([
        {"name": "calorific_value", "type": "integer", "minimum": 3000, "maximum": 7500},
        {"name": "size", "type": "enum", "allowed_values": ["600x600"]},
        {"name": "ash", "type": "number", "required": False},
    ])
    assert validate_attributes(specs, {"calorific_value": 5500.0, "size": "600x600"}) == {
        "calorific_value": 5500, "size": "600x600"}
    with pytest.raises(ValidationFailedError) as err:
        validate_attributes(specs, {"calorific_value": 5500.5, "size": "1x1", "x": 1})
    assert set(err.value.details["attributes"]) == {"calorific_value", "size", "x"}
    with pytest.raises(ValidationFailedError):
        parse_template([{"name": "a", "type": "enum"}, {"name": "a", "type": "float"}])
    assert AttributeSpec("s", "number").as_json()["type"] == "number"
    cas = parse_template([{"name": "cas", "type": "string", "pattern": r"\d{2,7}-\d{2}-\d"}])
    assert validate_attributes(cas, {"cas": "7664-93-9"}) == {"cas": "7664-93-9"}
    with pytest.raises(ValidationFailedError, match="template"):
        validate_attributes(cas, {"cas": "sulphuric acid"})
    with pytest.raises(ValidationFailedError):
        parse_template([{"name": "x", "type": "number", "pattern": "a"},
                        {"name": "y", "type": "string", "pattern": "("}])


def test_filters() -> None:
    assert parse_filter("origin:in:Datong|Ordos").values == ("Datong", "Ordos")
    assert parse_filter("origin:eq:Datong").numeric is False
    for bad in ("sulphur", "sulphur:like:1", "origin:gt:abc", "a:eq:"):
        with pytest.raises(ValidationFailedError):
            parse_filter(bad)


def test_status_machine_is_data() -> None:
    assert transition_for("pay", "placed", Role.FINANCE).target is OrderStatus.PAID
    assert TRANSITIONS["cancel"].stock is StockEffect.RELEASE
    assert TRANSITIONS["ship"].stock is StockEffect.CONSUME
    with pytest.raises(IllegalTransitionError):
        transition_for("ship", "placed", Role.SUPPLIER)
    with pytest.raises(IllegalTransitionError):
        transition_for("cancel", "shipped", Role.BUYER)
    with pytest.raises(ForbiddenError):
        transition_for("pay", "placed", Role.BUYER)
    reachable = {INITIAL_STATUS, APPROVAL_STATUS, REVIEW_STATUS} | {t.target for t in TRANSITIONS.values()}
    assert reachable == set(OrderStatus)
    # every status that holds reserved stock leaves it only through a release or consume
    for t in TRANSITIONS.values():
        if t.target not in RESERVING:
            assert all(s not in RESERVING for s in t.sources) or t.stock is not StockEffect.NONE
    assert transition_for("approve", "pending_approval", Role.PROCUREMENT).target is (
        OrderStatus.APPROVED)
    assert transition_for("pay", "approved", Role.FINANCE).target is OrderStatus.PAID
    with pytest.raises(IllegalTransitionError):
        transition_for("pay", "pending_approval", Role.FINANCE)
    assert not TRANSITIONS["settle"].route and not TRANSITIONS["expire"].route
