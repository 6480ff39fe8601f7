"""Supplier offer terms: quantity price tiers, minimum order quantity, order multiples.

A tier ``(min_quantity, unit_price)`` applies to any line of at least ``min_quantity``
units; the line is priced at the tier with the largest ``min_quantity`` not above the
ordered quantity. A quantity is accepted when it is at least the MOQ and a whole multiple of
the order multiple.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from transactional.domain.errors import ValidationFailedError
from transactional.domain.money import Money, check_currency, to_decimal


@dataclass(frozen=True)
class PriceTier:
    """Unit price from ``min_quantity`` units upwards."""

    min_quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class OfferTerms:
    """What the pricing rules need to know about one offer."""

    offer_id: int
    supplier_id: str
    sku_id: int
    currency: str
    moq: int
    order_multiple: int
    tiers: tuple[PriceTier, ...]
    version: int = 1


def validate_terms(
    currency: str, moq: int, order_multiple: int, tiers: Sequence[PriceTier]
) -> tuple[PriceTier, ...]:
    """Check an offer's terms and return its tiers sorted by ``min_quantity``.

    Raises:
        ValidationFailedError: bad currency, MOQ < 1, multiple < 1, no tiers, duplicate tier
            quantities, a non-positive price, or a first tier above the MOQ (the MOQ would be
            unpriceable).

    Example:
        >>> validate_terms("CNY", 10, 5, [PriceTier(10, Decimal("8")), PriceTier(100, Decimal("7"))])[0]
        PriceTier(min_quantity=10, unit_price=Decimal('8.0000'))
    """
    problems: list[str] = []
    try:
        check_currency(currency)
    except ValueError as exc:
        problems.append(str(exc))
    if moq < 1:
        problems.append("moq must be at least 1")
    if order_multiple < 1:
        problems.append("order_multiple must be at least 1")
    if not tiers:
        problems.append("at least one price tier is required")
    quantities = [t.min_quantity for t in tiers]
    if len(set(quantities)) != len(quantities):
        problems.append("price tiers must have distinct min_quantity")
    cleaned: list[PriceTier] = []
    for tier in sorted(tiers, key=lambda t: t.min_quantity):
        if tier.min_quantity < 1:
            problems.append("tier min_quantity must be at least 1")
        try:
            price = to_decimal(tier.unit_price)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if price <= 0:
            problems.append(f"tier from {tier.min_quantity}: unit_price must be positive")
        cleaned.append(PriceTier(tier.min_quantity, price))
    if cleaned and moq >= 1 and cleaned[0].min_quantity > moq:
        problems.append(
            f"the first tier starts at {cleaned[0].min_quantity}, above the moq {moq}"
        )
    if problems:
        raise ValidationFailedError("invalid offer terms", details={"problems": problems})
    return tuple(cleaned)


def check_quantity(terms: OfferTerms, quantity: int) -> None:
    """Refuse a quantity below the MOQ or not a multiple of the order multiple.

    Raises:
        ValidationFailedError: with the offer id, MOQ and multiple in ``details``.
    """
    details = {
        "offer_id": terms.offer_id,
        "quantity": quantity,
        "moq": terms.moq,
        "order_multiple": terms.order_multiple,
    }
    if quantity < terms.moq:
        raise ValidationFailedError(
            f"offer {terms.offer_id}: quantity {quantity} is below the minimum order "
            f"quantity {terms.moq}",
            code="below_moq",
            details=details,
        )
    if quantity % terms.order_multiple:
        raise ValidationFailedError(
            f"offer {terms.offer_id}: quantity {quantity} is not a multiple of "
            f"{terms.order_multiple}",
            code="not_order_multiple",
            details=details,
        )


def unit_price(terms: OfferTerms, quantity: int) -> Money:
    """The tier price for ``quantity`` units.

    Example:
        >>> t = OfferTerms(1, "S1", 1, "CNY", 1, 1,
        ...                (PriceTier(1, Decimal("10")), PriceTier(100, Decimal("9.5"))))
        >>> unit_price(t, 150)
        Money(amount=Decimal('9.5000'), currency='CNY')
    """
    applicable = [t for t in terms.tiers if t.min_quantity <= quantity]
    if not applicable:
        raise ValidationFailedError(
            f"offer {terms.offer_id}: no price tier covers quantity {quantity}",
            code="no_price_tier",
        )
    best = max(applicable, key=lambda t: t.min_quantity)
    return Money.of(best.unit_price, terms.currency)


def price_line(terms: OfferTerms, quantity: int) -> tuple[Money, Money]:
    """Validate ``quantity`` and return ``(unit_price, line_amount)``."""
    check_quantity(terms, quantity)
    price = unit_price(terms, quantity)
    return price, price * quantity
