"""What each business event posts to the ledger (the chart is in ``domain/ledger.py``).

=====================  ==============================================================
payment captured       Dr cash / Cr buyer_deposits:BU
refund (shipped on)    Dr refund_recovery / Cr cash (recovered from the supplier)
refund on cancel       Dr buyer_deposits:BU / Cr cash (the goods never left)
delivery               Dr buyer_deposits:BU (net) + Dr promotion_funding (discount)
                       / Cr goods_clearing (gross)
rebate accrual         Dr rebate_funding / Cr dealer_rebates_accrued:DLR (signed:
                       a reversal posts the other way)
rebate settlement      Dr dealer_rebates_accrued:DLR / Cr dealer_credit:DLR
supplier statement     per source currency C: Dr goods_clearing:C, Cr promotion_funding:C,
                       Cr refund_recovery:C, Cr rebate_funding:C (and, when C is not the
                       statement currency S, Cr fx_position:C / Dr fx_position:S at the
                       recorded rates); Cr supplier_payable:SUP:S (the net payable)
statement correction   Dr settlement_adjustments:S / Cr supplier_payable:SUP:S
coupon redemption      Dr coupon_funding / Cr receivable_adjustments:DLR (the group's
                       marketing money reduces what the dealer owes; reversal: the other way)
points earned          Dr loyalty_expense / Cr points_liability:DLR (points × their value)
points redeemed        Dr points_liability:DLR (the lots' value) / Cr receivable_adjustments:DLR
                       (the discount), the difference to loyalty_expense
points expired         Dr points_liability:DLR / Cr loyalty_expense (breakage)
=====================  ==============================================================

Once every delivered order, refund and accrual is on an issued statement, the clearing
accounts are zero: that is the reconciliation the invariant tests check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from transactional.accounting import ledger
from transactional.domain.ledger import Posting, account, credit, debit
from transactional.domain.money import to_decimal
from transactional.domain.principal import Principal


def payment_captured(session: Session, actor: Principal, order: object, amount: Decimal,
                     currency: str) -> int:
    """Money received for ``order`` (an ``orders`` row)."""
    bu = order.business_unit
    return ledger.post(session, actor, "payment", "order", order.id, [
        debit(account("cash", currency), currency, amount),
        credit(account("buyer_deposits", currency, bu), currency, amount),
    ], business_unit=bu, supplier_id=order.supplier_id)


def refund_paid(session: Session, actor: Principal, order: object, amount: Decimal,
                currency: str, *, before_delivery: bool) -> int:
    """Money paid back; recovered from the supplier unless the goods never shipped."""
    source = (account("buyer_deposits", currency, order.business_unit) if before_delivery
              else account("refund_recovery", currency))
    return ledger.post(session, actor, "refund", "order", order.id, [
        debit(source, currency, amount), credit(account("cash", currency), currency, amount),
    ], business_unit=order.business_unit, supplier_id=order.supplier_id)


def delivered(session: Session, actor: Principal, order: object) -> int:
    """Goods received: the buyer's deposit becomes goods to settle with the supplier."""
    c, bu = order.currency, order.business_unit
    return ledger.post(session, actor, "delivery", "order", order.id, [
        debit(account("buyer_deposits", c, bu), c, order.total_amount),
        debit(account("promotion_funding", c), c, order.discount_amount),
        credit(account("goods_clearing", c), c, order.gross_amount),
    ], business_unit=bu, supplier_id=order.supplier_id)


def rebate_accrued(session: Session, actor: Principal, order: object, dealer_account_id: int,
                   amount: Decimal, currency: str, entry_type: str = "rebate_accrual",
                   reference: tuple[str, str | int] | None = None) -> int:
    """A dealer's rebate accrued (negative ``amount``: reversed)."""
    dealer = str(dealer_account_id)
    ref_type, ref_id = reference or ("order", order.id)
    return ledger.post(session, actor, entry_type, ref_type, ref_id, [
        debit(account("rebate_funding", currency), currency, amount),
        credit(account("dealer_rebates_accrued", currency, dealer), currency, amount),
    ], business_unit=order.business_unit, supplier_id=order.supplier_id)


def rebates_settled(session: Session, actor: Principal, dealer_account_id: int,
                    amount: Decimal, currency: str, business_unit: str) -> int:
    """Accrued rebates moved to the dealer's account (its credit)."""
    dealer = str(dealer_account_id)
    return ledger.post(session, actor, "rebate_settlement", "dealer_account", dealer, [
        debit(account("dealer_rebates_accrued", currency, dealer), currency, amount),
        credit(account("dealer_credit", currency, dealer), currency, amount),
    ], business_unit=business_unit)


@dataclass
class CurrencyLeg:
    """A statement's totals in one source currency, and their conversion."""

    currency: str
    goods: Decimal = Decimal(0)
    promotions: Decimal = Decimal(0)
    refunds: Decimal = Decimal(0)
    rebates: Decimal = Decimal(0)
    converted: Decimal = Decimal(0)  # the net, in the statement currency

    @property
    def net(self) -> Decimal:
        return self.goods - self.promotions - self.refunds - self.rebates


def statement_issued(session: Session, actor: Principal, statement_ref: str,
                     business_unit: str, supplier_id: str, currency: str,
                     legs: Sequence[CurrencyLeg], adjustment: Decimal = Decimal(0)) -> int:
    """A supplier statement: clears what it settles, credits the supplier's payable."""
    postings: list[Posting] = []
    payable = to_decimal(adjustment)
    for leg in legs:
        c = leg.currency
        postings += [debit(account("goods_clearing", c), c, leg.goods),
                     credit(account("promotion_funding", c), c, leg.promotions),
                     credit(account("refund_recovery", c), c, leg.refunds),
                     credit(account("rebate_funding", c), c, leg.rebates)]
        if c != currency:
            postings += [credit(account("fx_position", c), c, leg.net),
                         debit(account("fx_position", currency), currency, leg.converted)]
        payable += leg.converted
    if adjustment:
        postings.append(debit(account("settlement_adjustments", currency), currency, adjustment))
    postings.append(credit(account("supplier_payable", currency, supplier_id), currency, payable))
    return ledger.post(session, actor, "statement", "statement", statement_ref, postings,
                       business_unit=business_unit, supplier_id=supplier_id)


def coupon_redeemed(session: Session, actor: Principal, order_id: int, business_unit: str,
                    supplier_id: str, dealer_account_id: int, amount: Decimal, currency: str,
                    entry_type: str = "coupon_redemption") -> int:
    """A group-funded coupon reduced a dealer's receivable for an order (negative
    ``amount``: the redemption reversed)."""
    dealer = str(dealer_account_id)
    return ledger.post(session, actor, entry_type, "order", order_id, [
        debit(account("coupon_funding", currency), currency, amount),
        credit(account("receivable_adjustments", currency, dealer), currency, amount),
    ], business_unit=business_unit, supplier_id=supplier_id)


def points_moved(session: Session, actor: Principal, entry_type: str, reference_type: str,
                 reference_id: int, business_unit: str, dealer_account_id: int, currency: str, *,
                 liability: Decimal, receivable: Decimal = Decimal(0), supplier_id: str | None = None) -> int:
    """Loyalty points moved: ``liability`` is the change of the dealer's points liability
    (+ earned, − spent or expired), ``receivable`` the reduction of what it owes (a
    redemption); ``loyalty_expense`` takes the difference (signed: a reversal is the same
    call with the signs flipped)."""
    dealer = str(dealer_account_id)
    liability, receivable = to_decimal(liability), to_decimal(receivable)
    return ledger.post(session, actor, entry_type, reference_type, reference_id, [
        debit(account("loyalty_expense", currency), currency, liability + receivable),
        credit(account("points_liability", currency, dealer), currency, liability),
        credit(account("receivable_adjustments", currency, dealer), currency, receivable),
    ], business_unit=business_unit, supplier_id=supplier_id)
