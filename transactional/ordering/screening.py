"""The risk guard in the order path (issue #14): placement's calls into the risk scoring.

Before the order is inserted, :func:`screen` gathers the facts (the unit's approval limit,
the buyer's live orders of the look-back window from ``orders``, the lake's profiles in
force, ``transactional/risk/profiles.py``, the supplier's entry on the elimination list when
enforcement is off), runs the rules (``transactional/risk/rules.py``),
adds the champion model's score when a model and a profile snapshot are both there
(``transactional/risk/model.py``) and decides by the thresholds (``RiskPolicy``): ``block``
raises :class:`RiskBlockedError` (409 with the reasons; nothing is written), ``review`` makes
the order start as ``pending_review`` (:func:`initial_status`; its stock is reserved like any
order's, procurement or finance decide it in ``ordering/reviews.py``). After the insert,
:func:`record` stores the verdict in ``order_risk``. A model that fails is logged and
ignored: the rules' verdict stands, and ordering never waits for the model.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    null,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from transactional.accounting.fx import FxRateMissingError, RateBook
from transactional.core.policy import CommercePolicy, RiskPolicy
from transactional.db.fastpath import HotStatement
from transactional.db.tables.decisions import applied_snapshots
from transactional.db.tables.ordering import approval_limits, orders
from transactional.db.tables.risk import order_risk, risk_profiles
from transactional.db.tables.supply import supplier_suspensions
from transactional.domain.errors import ConflictError
from transactional.domain.principal import Principal
from transactional.domain.status import APPROVAL_STATUS, INITIAL_STATUS, REVIEW_STATUS, OrderStatus
from transactional.ordering import approvals
from transactional.risk import model, profiles, rules
from transactional.risk.inbound import KIND as PROFILES_KIND
from transactional.risk.verdict import risk_json
from transactional.standing import enforcement

log = logging.getLogger(__name__)

#: Orders that no longer count towards a split or a burst.
DEAD = frozenset({"cancelled", "rejected", "expired"})
RULES_ONLY = "rules"

#: A split is judged on at most this many of the buyer's latest orders to the supplier (a
#: longer run within the window is a velocity burst anyway); keeps the cost per order bounded.
SPLIT_ROWS = 50


_RECENT = (
    select(orders.c.id, orders.c.supplier_id, orders.c.total_amount, orders.c.currency, orders.c.placed_at,
           orders.c.status)
    .where(orders.c.buyer_user_id == bindparam("buyer"), orders.c.supplier_id == bindparam("sup"),
           orders.c.placed_at >= bindparam("since"))
    .order_by(orders.c.placed_at.desc(), orders.c.id.desc()).limit(SPLIT_ROWS)
    .subquery("recent")
)
_BURST = select(func.count()).select_from(
    select(literal_column("1").label("one")).select_from(orders)
    .where(orders.c.buyer_user_id == bindparam("buyer"), orders.c.placed_at >= bindparam("vsince"))
    .limit(bindparam("cap")).subquery("burst")).scalar_subquery()
_VERSION = (select(applied_snapshots.c.version).where(applied_snapshots.c.kind == bindparam("kind"))
            .order_by(applied_snapshots.c.produced_at.desc(), applied_snapshots.c.id.desc()).limit(1)
            .scalar_subquery())
_LIMIT_AMOUNT = select(approval_limits.c.amount).where(approval_limits.c.business_unit == bindparam("bu")
                                                      ).scalar_subquery()
_LIMIT_CURRENCY = select(approval_limits.c.currency).where(approval_limits.c.business_unit == bindparam("bu")
                                                          ).scalar_subquery()
_SUSPENDED = exists(select(supplier_suspensions.c.supplier_id)
                    .where(supplier_suspensions.c.supplier_id == bindparam("sup")))
_BASE = select(literal_column("1").label("one")).subquery("base")
_ORDER_COLUMNS = {"burst": _BURST, "profile_version": _VERSION, "limit_amount": _LIMIT_AMOUNT,
                  "limit_currency": _LIMIT_CURRENCY, "suspended": _SUSPENDED,
                  **{c.name: c for c in _RECENT.c}}
_PROFILE_COLUMNS = {("profile_currency" if c.name == "currency" else c.name): c for c in risk_profiles.c
                    if c.name in profiles.COLUMNS}


def _nulls(columns: dict[str, Any]) -> list[Any]:
    """NULLs standing for the other branch's columns (typed, so results convert alike)."""
    return [type_coerce(null(), getattr(c, "type", None)).label(name) for name, c in columns.items()]


#: Every fact the guard reads from the service's own tables, in one statement (one round trip
#: instead of seven): the capped velocity count, the profile snapshot in force, the unit's
#: approval limit, whether the supplier is on the elimination list at all and (one row each,
#: or one row of NULLs) the buyer's latest orders to the supplier within the split window;
#: then, ``subject`` set, one row per history profile of the order's subjects.
_LOOKBACK = HotStatement(union_all(
    select(*[c.label(name) for name, c in _ORDER_COLUMNS.items()], *_nulls(_PROFILE_COLUMNS))
    .select_from(_BASE.outerjoin(_RECENT, true())),
    select(*_nulls(_ORDER_COLUMNS), *[c.label(name) for name, c in _PROFILE_COLUMNS.items()])
    .where(risk_profiles.c.subject.in_(bindparam("subjects", expanding=True))),
))
_KNOWN = HotStatement(
    select(orders.c.id).where(orders.c.business_unit == bindparam("bu"), orders.c.supplier_id == bindparam("sup"))
    .limit(1)
)
_INSERT = HotStatement(insert(order_risk), json_params=("reasons",))


class RiskBlockedError(ConflictError):
    """The order's risk is at or above the block threshold: refused (409), nothing placed."""

    code = "risk_blocked"


@dataclass(frozen=True)
class Verdict:
    """The guard's verdict on one order, before the order has an id."""

    score: float
    level: str
    decision: str  # allow | review | block
    model_version: str
    profile_version: str | None
    reasons: tuple[rules.Reason, ...]
    scored_at: dt.datetime

    def row(self, order_id: int) -> dict[str, Any]:
        """The ``order_risk`` row."""
        return {"order_id": order_id, "score": self.score, "level": self.level, "decision": self.decision,
                "model_version": self.model_version, "profile_version": self.profile_version,
                "reasons": [r.public() for r in self.reasons], "scored_at": self.scored_at,
                "review_outcome": None, "reviewed_by": None, "reviewed_at": None, "review_reason": None}


class _Converter:
    """Amounts into the approval limit's currency at the day's rate (None when unknown)."""

    def __init__(self, session: Session, policy: CommercePolicy, target: str, on: dt.date) -> None:
        self.session, self.policy, self.target, self.on = session, policy, target, on
        self.book: RateBook | None = None

    def __call__(self, amount: Decimal, currency: str) -> Decimal | None:
        if currency == self.target:
            return amount
        self.book = self.book or RateBook(self.session, self.policy)
        try:
            return self.book.convert(amount, currency, self.target, self.on).amount
        except FxRateMissingError:
            return None


def gather(session: Session, actor: Principal, supplier_id: str, currency: str, amount: Decimal,
           now: dt.datetime, lines: Sequence[tuple[int, int, Decimal]], policy: CommercePolicy
           ) -> tuple[rules.OrderFacts, str | None]:
    """The facts the rules and the model see, and the profile version in force (or None).

    Args:
        lines: ``(sku id, quantity, unit price)`` per order line.
    """
    risk = policy.risk
    bu = actor.business_unit or ""
    facts_lines = [rules.LineFacts(sku, quantity, price) for sku, quantity, price in lines]
    rows = _LOOKBACK.execute(session, {
        "buyer": actor.user_id, "sup": supplier_id, "bu": bu, "kind": PROFILES_KIND,
        "since": now - risk.split_window, "vsince": now - risk.velocity_window, "cap": rules.velocity_cap(risk),
        "subjects": rules.subjects(bu, supplier_id, [x.sku_id for x in facts_lines])}).all()
    head = next(r for r in rows if r.burst is not None)
    limit, limit_currency = ((head.limit_amount, head.limit_currency) if head.limit_amount is not None
                             else approvals.default_limit(bu, policy))
    convert = _Converter(session, policy, limit_currency, now.date())
    recent = [rules.RecentOrder(r.id, r.supplier_id, convert(r.total_amount, r.currency), r.placed_at)
              for r in rows if r.id is not None and r.status not in DEAD]
    burst, version = head.burst, head.profile_version
    amount_in_limit = convert(amount, currency)
    found = {r.subject: profiles.profile_of(r, currency_column="profile_currency")
             for r in rows if r.subject is not None} if version else {}
    known = True
    if version and amount_in_limit is not None and amount_in_limit >= Decimal(str(risk.new_supplier_share)) * limit:
        known = _KNOWN.execute(session, {"bu": bu, "sup": supplier_id}).first() is not None
    facts = rules.OrderFacts(
        business_unit=bu, supplier_id=supplier_id, currency=currency, amount=amount, amount_in_limit=amount_in_limit,
        limit=limit, limit_currency=limit_currency, lines=facts_lines, now=now, recent=recent, velocity_count=burst,
        profiles=found,
        profiles_in_force=version is not None, known_supplier=known,
        elimination=_elimination(session, supplier_id, actor.business_unit, now, policy) if head.suspended else None)
    return facts, version


def _elimination(session: Session, supplier_id: str, business_unit: str | None, now: dt.datetime,
                 policy: CommercePolicy) -> rules.Elimination | None:
    """The supplier's entry on the elimination list, unless an override covers the unit.

    With ``enforce_elimination`` on, placement has already refused such an order
    (``standing.ensure_orderable``, before scoring), so the list is not read again: the rule
    only ever sees an eliminated supplier with enforcement off, and then holds the order.
    """
    if policy.enforce_elimination:
        return None
    block = enforcement.blocked_suppliers(session, [supplier_id], business_unit, now).get(supplier_id)
    return None if block is None else rules.Elimination(block.reason, block.since, block.snapshot_version)


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


def screen(session: Session, actor: Principal, supplier_id: str, currency: str, amount: Decimal,
           now: dt.datetime, lines: Sequence[tuple[int, int, Decimal]], policy: CommercePolicy) -> Verdict | None:
    """Score an order about to be placed (None when the guard is off).

    Args:
        amount: the payable total, in ``currency``.
        lines: ``(sku id, quantity, unit price)`` per line.

    Raises:
        RiskBlockedError: the decision is ``block`` (409 with the reasons).
    """
    risk = policy.risk
    if not risk.enabled:
        return None
    facts, profile_version = gather(session, actor, supplier_id, currency, amount, now, lines, policy)
    score, model_version, reasons = judge(facts, risk, profile_version)
    verdict = Verdict(score, risk.level(score), risk.decide(score), model_version, profile_version,
                      tuple(reasons), now)
    if verdict.decision == "block":
        raise RiskBlockedError("the order was refused by the risk guard: " + "; ".join(r.text for r in reasons),
                               details={"risk": risk_json(verdict.row(0))})
    return verdict


def initial_status(verdict: Verdict | None, needs_approval: bool) -> OrderStatus:
    """``pending_review`` for a held order, else what the approval limit says."""
    if verdict is not None and verdict.decision == "review":
        return REVIEW_STATUS
    return APPROVAL_STATUS if needs_approval else INITIAL_STATUS


def record(session: Session, order_id: int, verdict: Verdict | None) -> dict[str, Any] | None:
    """Store the verdict of a just-inserted order; returns its public form (None: guard off)."""
    if verdict is None:
        return None
    row = verdict.row(order_id)
    _INSERT.execute(session, row)
    return risk_json(row)
