"""Explicit, dated currency conversion: every conversion says which rate, of which day, from
which source it used.

Rates are "1 unit of ``from_currency`` = ``rate`` units of ``to_currency``" (the ERP's
convention), kept to 8 decimal places. A conversion multiplies and rounds the result
ROUND_HALF_EVEN to 4 places (the storage precision), once. A rate can be used
as published, inverted (``1 / rate``, for the opposite direction) or crossed through the
group currency (``from → group → to``); the recorded ``rate`` is then the effective one
(rounded to 8 places) and ``source`` says how it was derived.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from transactional.domain.money import SCALE, to_decimal

#: Precision of stored and effective rates (numeric(18,8)).
RATE_SCALE = Decimal("0.00000001")


def to_rate(value: Decimal | str | int) -> Decimal:
    """Parse a rate: positive, finite, 8 decimal places (floats refused).

    Example:
        >>> to_rate("7.1234567891")
        Decimal('7.12345679')
    """
    if isinstance(value, float):
        raise ValueError("a rate must not be a float; pass a string or Decimal")  # noqa: TRY004
    rate = Decimal(str(value)).quantize(RATE_SCALE, rounding=ROUND_HALF_EVEN)
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"a rate must be positive, got {value!r}")
    return rate


@dataclass(frozen=True)
class Rate:
    """A usable rate and where it came from."""

    from_currency: str
    to_currency: str
    rate: Decimal
    rate_date: dt.date
    source: str

    def inverted(self) -> Rate:
        """The same rate read the other way."""
        return Rate(self.to_currency, self.from_currency,
                    (Decimal(1) / self.rate).quantize(RATE_SCALE, rounding=ROUND_HALF_EVEN),
                    self.rate_date, f"inverse of {self.source}")

    def then(self, other: Rate) -> Rate:
        """``self`` followed by ``other`` (a cross rate; the older date is kept)."""
        return Rate(self.from_currency, other.to_currency,
                    (self.rate * other.rate).quantize(RATE_SCALE, rounding=ROUND_HALF_EVEN),
                    min(self.rate_date, other.rate_date),
                    f"cross via {self.to_currency}: {self.source} × {other.source}")


@dataclass(frozen=True)
class Conversion:
    """An amount converted, with the rate, its date and its source (all recorded)."""

    source_amount: Decimal
    source_currency: str
    amount: Decimal
    currency: str
    rate: Decimal
    rate_date: dt.date | None
    rate_source: str

    def as_json(self) -> dict[str, str | None]:
        """JSON-ready form (exact decimal strings)."""
        return {"source_amount": str(self.source_amount), "source_currency": self.source_currency,
                "amount": str(self.amount), "currency": self.currency, "rate": str(self.rate),
                "rate_date": self.rate_date.isoformat() if self.rate_date else None,
                "rate_source": self.rate_source}


def identity(amount: Decimal, currency: str) -> Conversion:
    """A "conversion" to the same currency (rate 1, no date)."""
    value = to_decimal(amount)
    return Conversion(value, currency, value, currency, Decimal(1).quantize(RATE_SCALE), None,
                      "same currency")


def convert(amount: Decimal, rate: Rate) -> Conversion:
    """Convert ``amount`` (in ``rate.from_currency``) with ``rate``.

    Example:
        >>> r = Rate("USD", "CNY", Decimal("7.1"), dt.date(2026, 11, 2), "erp")
        >>> convert(Decimal("10.005"), r).amount
        Decimal('71.0355')
    """
    value = to_decimal(amount)
    converted = (value * rate.rate).quantize(SCALE, rounding=ROUND_HALF_EVEN)
    return Conversion(value, rate.from_currency, to_decimal(converted), rate.to_currency,
                      rate.rate, rate.rate_date, rate.source)
