"""Scoring an order while it is placed: :func:`screen`, the one call ``placement.py`` makes.

In the placement's transaction, after the order and its lines are inserted: gather the facts
(the unit's approval limit, the buyer's live orders of the look-back window from ``orders``,
the lake's profiles in force), run the rules, add the champion model's score when a model
and a profile snapshot are both there, decide by the thresholds, and record the verdict in
``order_risk``. ``review`` puts the order in ``pending_review`` (stock stays reserved);
``block`` raises :class:`RiskBlockedError` (409 with the reasons) and the whole placement
rolls back. A model that fails is logged and ignored: the rules' verdict stands.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from transactional.accounting.fx import FxRateMissingError, RateBook
from transactional.core.policy import CommercePolicy
from transactional.db.fastpath import HotStatement
from transactional.db.tables.ordering import orders
from transactional.db.tables.risk import order_risk
from transactional.domain.errors import ConflictError
from transactional.domain.principal import Principal
from transactional.domain.status import REVIEW_STATUS
from transactional.ordering import approvals
from transactional.risk import model, profiles, rules
from transactional.risk.policy import RiskPolicy
from transactional.risk.verdict import risk_json

log = logging.getLogger(__name__)

#: Orders that no longer count towards a split or a burst.
DEAD = frozenset({"cancelled", "rejected", "expired"})
RULES_ONLY = "rules"

_RECENT = HotStatement(
    select(orders.c.id, orders.c.supplier_id, orders.c.total_amount, orders.c.currency, orders.c.placed_at,
           orders.c.status)
    .where(orders.c.buyer_user_id == bindparam("buyer"), orders.c.placed_at >= bindparam("since"),
           orders.c.id != bindparam("order_id"))
)
_KNOWN = HotStatement(
    select(orders.c.id).where(orders.c.business_unit == bindparam("bu"), orders.c.supplier_id == bindparam("sup"),
                              orders.c.id != bindparam("order_id")).limit(1)
)
_INSERT = HotStatement(insert(order_risk), json_params=("reasons",))


class RiskBlockedError(ConflictError):
    """The order's risk is above the block threshold: refused (409), nothing placed."""

    code = "risk_blocked"


class _Converter:
    """Amounts into the approval limit's currency at today's rate (None when unknown)."""

    def __init__(self, session: Session, policy: CommercePolicy, target: str, on: dt.date) -> None:
        self.book, self.target, self.on = RateBook(session, policy), target, on

    def __call__(self, amount: Decimal, currency: str) -> Decimal | None:
        if currency == self.target:
            return amount
        try:
            return self.book.convert(amount, currency, self.target, self.on).amount
        except FxRateMissingError:
            return None


def gather(session: Session, actor: Principal, order_id: int, order_row: dict[str, Any],
           line_rows: Sequence[dict[str, Any]], policy: CommercePolicy) -> tuple[rules.OrderFacts, str | None]:
    """The facts the rules and the model see, and the profile version in force (or None)."""
    risk: RiskPolicy = policy.risk
    now, bu, supplier = order_row["placed_at"], order_row["business_unit"], order_row["supplier_id"]
    limit, limit_currency = approvals.limit_for(session, bu, policy)
    convert = _Converter(session, policy, limit_currency, now.date())
    recent = [rules.RecentOrder(r.id, r.supplier_id, convert(r.total_amount, r.currency), r.placed_at)
              for r in _RECENT.execute(session, {"buyer": actor.user_id, "since": now - risk.lookback,
                                                 "order_id": order_id}).all()
              if r.status not in DEAD]
    amount = order_row["total_amount"]
    amount_in_limit = convert(amount, order_row["currency"])
    version = profiles.in_force(session)
    lines = [rules.LineFacts(r["sku_id"], r["quantity"], r["unit_price"]) for r in line_rows]
    found = profiles.load(session, rules.subjects(bu, supplier, [x.sku_id for x in lines])) if version else {}
    known = True
    if version and amount_in_limit is not None and amount_in_limit >= Decimal(str(risk.new_supplier_share)) * limit:
        known = _KNOWN.execute(session, {"bu": bu, "sup": supplier, "order_id": order_id}).first() is not None
    facts = rules.OrderFacts(
        business_unit=bu, supplier_id=supplier, currency=order_row["currency"], amount=amount,
        amount_in_limit=amount_in_limit, limit=limit, limit_currency=limit_currency, lines=lines, now=now,
        recent=recent, profiles=found, profiles_in_force=version is not None, known_supplier=known)
    return facts, version


def judge(facts: rules.OrderFacts, risk: RiskPolicy, profile_version: str | None
          ) -> tuple[float, str, list[rules.Reason]]:
    """``(score, model_version, reasons)``: the rules, and the champion when it can score."""
    reasons = rules.evaluate(facts, risk)
    score, version = rules.rule_score(reasons), RULES_ONLY
    online = model.champion(risk) if profile_version is not None else None
    if online is not None:
        try:
            probability = round(online.score(rules.feature_vector(facts, risk)), 4)
        except Exception as exc:  # noqa: BLE001 - a broken model never stops ordering
            log.warning("risk model %s failed, rules decide: %s", online.label, exc)
        else:
            version = online.label
            if probability >= risk.review_threshold:
                reasons.append(rules.Reason("model", f"the fraud model ({online.label}) scores {probability:.2f}",
                                            probability))
            score = max(score, probability)
    return score, version, reasons


def screen(session: Session, actor: Principal, order_id: int, order_row: dict[str, Any],
           line_rows: Sequence[dict[str, Any]], policy: CommercePolicy) -> dict[str, Any] | None:
    """Score a just-inserted order, record the verdict, hold or refuse it.

    Sets ``order_row["risk"]`` (the public verdict, None when the guard is off) and, for a
    ``review``, ``order_row["status"] = "pending_review"`` (also in the database).

    Raises:
        RiskBlockedError: the decision is ``block`` (409; the transaction must roll back).
    """
    risk: RiskPolicy = policy.risk
    if not risk.enabled:
        order_row["risk"] = None
        return None
    facts, profile_version = gather(session, actor, order_id, order_row, line_rows, policy)
    score, model_version, reasons = judge(facts, risk, profile_version)
    decision = risk.decide(score)
    row = {"order_id": order_id, "score": score, "level": risk.level(score), "decision": decision,
           "model_version": model_version, "profile_version": profile_version,
           "reasons": [r.public() for r in reasons], "scored_at": order_row["placed_at"],
           "review_outcome": None, "reviewed_by": None, "reviewed_at": None, "review_reason": None}
    public = risk_json(row)
    if decision == "block":
        raise RiskBlockedError("the order was refused by the risk guard: "
                               + "; ".join(r.text for r in reasons), details={"risk": public})
    _INSERT.execute(session, row)
    if decision == "review":
        session.execute(update(orders).where(orders.c.id == order_id).values(status=REVIEW_STATUS.value))
        order_row["status"] = REVIEW_STATUS.value
    order_row["risk"] = public
    return public
