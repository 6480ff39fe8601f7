"""Money: an exact Decimal amount with an ISO-4217 currency, never a float.

Amounts are kept at the platform's storage precision (4 decimal places, ``decimal(18,4)``).
Adding amounts of different currencies is an error: FX conversion is explicit and dated
(the follow-up FX work adds it), never implicit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

#: Storage precision of every amount (decimal(18,4)).
SCALE = Decimal("0.0001")
#: Largest absolute amount decimal(18,4) can hold.
MAX_AMOUNT = Decimal("99999999999999.9999")

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def to_decimal(value: Decimal | str | int) -> Decimal:
    """Parse and quantize an amount to 4 places (banker's rounding); floats are refused.

    Raises:
        ValueError: for floats, non-numbers, NaN/infinity or amounts beyond decimal(18,4).

    Example:
        >>> to_decimal("12.5")
        Decimal('12.5000')
    """
    if isinstance(value, float):
        raise ValueError("money must not be a float; pass a string or Decimal")  # noqa: TRY004
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    amount = amount.quantize(SCALE, rounding=ROUND_HALF_EVEN)
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(f"amount {amount} exceeds decimal(18,4)")
    return amount


def check_currency(code: str) -> str:
    """Return ``code`` if it looks like an ISO-4217 code (three upper-case letters).

    Raises:
        ValueError: otherwise.
    """
    if not isinstance(code, str) or not _CURRENCY.match(code):
        raise ValueError(f"currency must be an ISO-4217 code like 'CNY', got {code!r}")
    return code


@dataclass(frozen=True)
class Money:
    """An amount in one currency.

    Example:
        >>> Money.of("10.25", "CNY") * 4
        Money(amount=Decimal('41.0000'), currency='CNY')
    """

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: str) -> Money:
        """Build a quantized amount in a validated currency."""
        return cls(to_decimal(amount), check_currency(currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``."""
        return cls.of(0, currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency} without FX")
        return Money(to_decimal(self.amount + other.amount), self.currency)

    def __mul__(self, quantity: int | Decimal) -> Money:
        if isinstance(quantity, float):
            raise ValueError("multiply money by an int or Decimal, not a float")  # noqa: TRY004
        return Money(to_decimal(self.amount * quantity), self.currency)

    def as_json(self) -> dict[str, str]:
        """``{"amount": "41.0000", "currency": "CNY"}`` (amount as an exact string)."""
        return {"amount": str(self.amount), "currency": self.currency}
