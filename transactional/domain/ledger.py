"""Double-entry bookkeeping rules: accounts by code, lines, and the balance check.

Every journal entry balances **per currency** (Σ debits = Σ credits in each currency it
touches). A conversion between currencies inside one entry goes through the
``fx_position:<currency>`` trading accounts, one leg in each currency, so both legs
balance on their own. Amounts on a line are never negative: a negative signed amount is
written on the other side.

Chart of accounts (``<kind>:<party>:<currency>``; see the README for the whole flow):

=================================  =====================================================
``cash:CUR``                        money held at the payment provider
``buyer_deposits:BU:CUR``           buyers' payments for goods not delivered yet
``goods_clearing:CUR``              delivered goods, gross, until settled with the supplier
``promotion_funding:CUR``           supplier-funded discounts given, until settled
``refund_recovery:CUR``             refunds paid out, to recover from the supplier
``rebate_funding:CUR``              dealer rebates accrued, to recover from the supplier
``fx_position:CUR``                 currency trading account (conversions)
``supplier_payable:SUP:CUR``        what the platform owes a supplier (issued statements)
``settlement_adjustments:CUR``      manual corrections of issued statements
``dealer_rebates_accrued:DLR:CUR``  rebates earned by a dealer, not yet settled to it
``dealer_credit:DLR:CUR``           rebates settled to the dealer's account
``coupon_funding:CUR``              group-funded coupons redeemed (marketing's cost)
``receivable_adjustments:DLR:CUR``  coupon and points reductions of a dealer's receivables (ERP)
``loyalty_expense:CUR``             points granted less points expired (marketing's cost)
``points_liability:DLR:CUR``        a dealer's unspent, unexpired points at their value
=================================  =====================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from transactional.domain.money import to_decimal


def account(kind: str, currency: str, party: str | None = None) -> str:
    """An account code.

    Example:
        >>> account("supplier_payable", "CNY", "SUP-1")
        'supplier_payable:SUP-1:CNY'
    """
    return f"{kind}:{party}:{currency}" if party is not None else f"{kind}:{currency}"


@dataclass(frozen=True)
class Posting:
    """One journal line: a debit or a credit (one of them zero) on an account."""

    account: str
    currency: str
    debit: Decimal
    credit: Decimal


def debit(account_code: str, currency: str, amount: Decimal) -> Posting:
    """Debit ``amount`` (a negative amount becomes a credit)."""
    value = to_decimal(amount)
    return (Posting(account_code, currency, value, to_decimal(0)) if value >= 0
            else Posting(account_code, currency, to_decimal(0), -value))


def credit(account_code: str, currency: str, amount: Decimal) -> Posting:
    """Credit ``amount`` (a negative amount becomes a debit)."""
    value = to_decimal(amount)
    return (Posting(account_code, currency, to_decimal(0), value) if value >= 0
            else Posting(account_code, currency, -value, to_decimal(0)))


def imbalances(postings: Iterable[Posting]) -> dict[str, Decimal]:
    """Σ debits − Σ credits per currency, for the currencies that do not balance."""
    totals: dict[str, Decimal] = {}
    for p in postings:
        totals[p.currency] = totals.get(p.currency, Decimal(0)) + p.debit - p.credit
    return {c: v for c, v in totals.items() if v != 0}


def check_balanced(postings: Sequence[Posting]) -> list[Posting]:
    """Drop zero lines and refuse an entry that does not balance per currency.

    Raises:
        ValueError: naming the currencies that do not balance (a programming error).

    Example:
        >>> len(check_balanced([debit("cash:CNY", "CNY", Decimal(5)),
        ...                     credit("buyer_deposits:COAL:CNY", "CNY", Decimal(5))]))
        2
    """
    wrong = imbalances(postings)
    if wrong:
        raise ValueError(f"journal entry does not balance: {wrong}")
    return [p for p in postings if p.debit or p.credit]
