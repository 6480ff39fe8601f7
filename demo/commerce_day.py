"""The demo group's commerce run: dealers earn tiered rebates, suppliers get statements.

Runs after the catalogue seed (``demo/platform_seed.py``), inside the ``platform/demo_seed``
asset, so ``make demo`` (``grouplake run`` then ``grouplake up``) ends with a trading
platform that has done business — and the ``bronze/tx/outbox_events`` asset then lands
every event (``payable.exported``, ``rebate.accrued``, ``supplier.approved`` …) in the lake.

Everything goes through the transactional services, as a user would through the API:

1. **FX** — the ERP's ``fx_rates`` loaded (finance edits are kept); the demo ERP stops at
   its cutoff, so finance carries each pair's latest rate forward to today (source says so).
2. **Approval limits** — each unit's limit from the ERP's ``business_units``.
3. **Promotions** — per unit: 满减 (1,000 off every 100,000 CNY), a 2 % discount on the
   unit's first category, and a tiered dealer rebate programme whose tiers are set from the
   unit's typical order size (so the demo's dealers cross them).
4. **Dealers** — the CRM's active dealers (``<demo dir>/crm.db``; ``DEALERS_PER_UNIT`` per
   unit), each with a buyer login ``dealer.<customer id>`` and a dealer account.
5. **Trading** — each dealer places ``ORDERS_PER_DEALER`` orders (seeded choice among its
   unit's suppliers' offers, a USD-quoted supplier first when there is one); large ones are
   approved by the unit's procurement; each is paid through a signed provider callback,
   shipped, delivered (rebates accrue); every fifth gets a partial refund; the dealer rates
   about three of four deliveries (``demo/ratings.py``: ``order.rated`` for the scorecards).
6. **Settlement** — statements for this month so far, per unit and supplier, in each
   supplier's settlement currency (payables exported); dealers' rebates settled.
7. **Onboarding** — ERP vendors not yet on the platform apply with rendered documents read
   by OCR (``demo/onboarding.py``): one fast-tracked and approved, one resubmitted by the
   applicant after a failed check and approved, one rejected;
   ``supplier.approved`` carries the company data to the lake's dedup, and every state change
   feeds the onboarding cycle-time marts.

Idempotent: orders carry Idempotency-Keys, provider events their ids, and every other step
checks what exists; a second run adds nothing. Local/CI only, like the seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from demo.commerce_report import CommerceReport
from demo.ratings import rate_delivered
from infra.settings import Settings, get_settings

DEALERS_PER_UNIT = 3
ORDERS_PER_DEALER = 4
DEMO_PASSWORD = "grouplake-demo"


def _erp(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    from demo.platform_seed import _erp_engine, _rows
    from pipelines.sources.erp import tables as erp

    engine = _erp_engine(settings.erp.database_url)
    try:
        return {"fx_rates": _rows(engine, erp.fx_rates), "units": _rows(engine, erp.business_units),
                "vendors": _rows(engine, erp.vendors)}
    finally:
        engine.dispose()


def _crm_dealers(settings: Settings) -> list[dict[str, Any]]:
    import sqlalchemy as sa

    path = Path(settings.demo.dir) / "crm.db"
    if not path.exists():
        return []
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as c:
            rows = c.execute(sa.text(
                "SELECT customer_id, name, business_unit_code FROM customers "
                "WHERE customer_type = 'dealer' AND status = 'active' ORDER BY customer_id"))
            return [dict(r._mapping) for r in rows]
    finally:
        engine.dispose()


def _setup(session: Any, erp: dict, units: list[str], today: dt.date, report: CommerceReport,
           typical: dict[str, Decimal], first_category: dict[str, int]) -> None:
    from sqlalchemy import select

    from transactional.accounting import fx
    from transactional.catalogue.promotions import create_promotion
    from transactional.db.tables.accounting import fx_rates
    from transactional.db.tables.catalogue import promotions
    from transactional.db.tables.ordering import approval_limits
    from transactional.domain.principal import SYSTEM
    from transactional.ordering import approvals

    rows = [{k: r[k] for k in ("rate_date", "from_currency", "to_currency", "rate", "source")}
            for r in erp["fx_rates"]]
    report.fx_rates = fx.load_rates(session, SYSTEM, rows, "ERP fx_rates")
    have_today = {(f, t) for f, t in session.execute(select(
        fx_rates.c.from_currency, fx_rates.c.to_currency).where(fx_rates.c.rate_date == today))}
    latest: dict[tuple[str, str], dict] = {}
    for r in rows:
        key = (r["from_currency"], r["to_currency"])
        if key not in latest or r["rate_date"] > latest[key]["rate_date"]:
            latest[key] = r
    for key, r in sorted(latest.items()):
        if key not in have_today:
            fx.set_rate(session, SYSTEM, today, *key, str(r["rate"]),
                        f"demo: ERP {r['rate_date']} carried forward")
    limits = set(session.execute(select(approval_limits.c.business_unit)).scalars())
    for u in erp["units"]:
        code = u["business_unit_code"]
        if code in units and code not in limits and u["approval_limit"]:
            approvals.set_limit(session, SYSTEM, code, str(u["approval_limit"]), u["currency"])
    codes = set(session.execute(select(promotions.c.code)).scalars())
    base = {"business_unit": None, "valid_from": dt.datetime.combine(
        today.replace(day=1), dt.time(0), dt.UTC), "stacking": "stackable"}
    for unit in sorted(typical):  # the units with something on sale
        size = typical[unit]
        tiers = [{"from": "0", "rate_percent": "0.5"},
                 {"from": str((size * 3).quantize(Decimal(1))), "rate_percent": "1"},
                 {"from": str((size * 8).quantize(Decimal(1))), "rate_percent": "2"}]
        specs = [
            {"code": f"DEMO-{unit}-MJ", "name": "每满100,000减1,000", "kind": "full_reduction",
             "currency": "CNY", "priority": 10,
             "rules": {"threshold": "100000", "reduction": "1000"}},
            {"code": f"DEMO-{unit}-REBATE", "name": "经销商阶梯返利", "kind": "tiered_rebate",
             "currency": "CNY", "rules": {"period": "month", "tiers": tiers}},
        ]
        if unit in first_category:
            specs.append({"code": f"DEMO-{unit}-2PCT", "name": "品类九八折", "kind": "percentage",
                          "priority": 20, "category_id": first_category[unit],
                          "rules": {"percent": "2"}})
        for spec in specs:
            if spec["code"] not in codes:
                create_promotion(session, SYSTEM, {**base, **spec, "business_unit": unit})
    report.promotions = len(set(session.execute(select(promotions.c.code)).scalars()))


def _dealers(session: Any, candidates: list[dict], units: list[str]) -> list[Any]:
    from sqlalchemy import select

    from transactional.db.tables.identity import users
    from transactional.db.tables.rebates import dealer_accounts
    from transactional.domain.principal import SYSTEM
    from transactional.identity.users import create_user, hash_password
    from transactional.rebates.dealers import create_dealer_account

    per_unit: dict[str, list[dict]] = {}
    for c in candidates:
        if c["business_unit_code"] in units and len(per_unit.get(c["business_unit_code"], [])) < \
                DEALERS_PER_UNIT:
            per_unit.setdefault(c["business_unit_code"], []).append(c)
    existing = {r.code: r for r in session.execute(select(dealer_accounts))}
    digest = None
    for unit in sorted(per_unit):
        for c in per_unit[unit]:
            if c["customer_id"] in existing:
                continue
            username = f"dealer.{c['customer_id'].lower()}"
            user = session.execute(select(users.c.id).where(users.c.username == username)
                                   ).scalar()
            if user is None:
                digest = digest or hash_password(DEMO_PASSWORD)
                user = create_user(session, SYSTEM, username=username, password="",
                                   role="buyer", business_unit=unit, password_hash=digest)["id"]
            create_dealer_account(session, SYSTEM, code=c["customer_id"], name=c["name"],
                                  business_unit=unit, buyer_user_id=user,
                                  customer_ref=c["customer_id"])
    return session.execute(select(dealer_accounts).order_by(dealer_accounts.c.id)).all()


def _offers_by_unit(session: Any, vendor_unit: dict[str, str]) -> dict[str, list[Any]]:
    from sqlalchemy import select

    from transactional.db.tables.catalogue import offers

    out: dict[str, list[Any]] = {}
    for o in session.execute(select(offers).where(offers.c.is_active.is_(True))
                             .order_by(offers.c.id)):
        unit = vendor_unit.get(o.supplier_id)
        if unit:
            out.setdefault(unit, []).append(o)
    return out


def _trade(db: Any, dealer: Any, offers: list[Any], settings: Settings) -> None:
    """Place, approve, pay (signed callback), ship and deliver a dealer's demo orders."""
    from sqlalchemy import select

    from transactional.core.idempotency import IdempotentRequest
    from transactional.core.policy import CommercePolicy
    from transactional.db.tables.identity import users
    from transactional.domain.principal import SYSTEM
    from transactional.domain.signature import sign, verify
    from transactional.identity.users import principal_of
    from transactional.ordering import payments, refunds, reviews
    from transactional.ordering.lifecycle import handle_callback, transition_order
    from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order

    policy = CommercePolicy.from_settings(settings)
    with db.read() as session:
        buyer = principal_of(session.execute(select(users).where(
            users.c.id == dealer.buyer_user_id)).one())
        procurement = principal_of(session.execute(select(users).where(
            users.c.username == f"procurement.{dealer.business_unit.lower()}")).one())
    rng = random.Random(zlib.crc32(f"{settings.demo.seed}:{dealer.code}".encode()))
    foreign = [o for o in offers if o.currency != "CNY"]
    for n in range(ORDERS_PER_DEALER):
        offer = foreign[0] if foreign and n == 0 else rng.choice(offers)
        with db.read() as session:
            from transactional.catalogue.offers import get_offer

            stock_left = get_offer(session, offer.id)["available_quantity"]
        quantity = offer.moq + (-offer.moq) % offer.order_multiple
        quantity *= rng.choice((1, 1, 2))
        if stock_left < quantity:
            continue
        key = f"demo-commerce-{dealer.code}-{n}"
        request = OrderRequest((OrderLineRequest(offer.id, quantity),),
                               note="demo commerce run")
        idempotency = IdempotentRequest(key, hashlib.sha256(key.encode()).hexdigest())
        order = db.run_write(lambda s, r=request, k=idempotency: place_order(
            s, buyer, r, k, policy=policy)).order
        order_id = order["id"]
        status = _status(db, order_id)
        if status == "pending_review":  # the risk guard held it (a dealer's contract quantities
            # often look like split orders): the unit's procurement reviews and clears it
            db.run_write(lambda s, i=order_id: reviews.decide(
                s, procurement, i, "cleared", "demo: known dealer, contract call-off quantities"))
            status = _status(db, order_id)
        if status == "pending_approval":
            db.run_write(lambda s, i=order_id: transition_order(s, procurement, i, "approve"))
        if _status(db, order_id) in ("placed", "approved"):
            intent = db.run_write(lambda s, i=order_id: payments.create_intent(s, buyer, i))
            body = json.dumps({"event_id": f"demo-evt-{order_id}", "type": "payment.succeeded",
                               "payment_reference": intent["provider_reference"],
                               "amount": intent["amount"],
                               "currency": intent["currency"]}).encode()
            verify(policy.provider_secret, sign(policy.provider_secret, body), body,
                   tolerance_s=policy.callback_tolerance_s)  # as the API checks it
            event = payments.parse_event(body)
            db.run_write(lambda s, e=event, b=body: handle_callback(
                s, e, hashlib.sha256(b).hexdigest()))
        for action, actor in (("ship", SYSTEM), ("deliver", buyer)):
            if _status(db, order_id) == {"ship": "paid", "deliver": "shipped"}[action]:
                db.run_write(lambda s, a=action, p=actor, i=order_id: transition_order(
                    s, p, i, a))
        if _status(db, order_id) == "delivered":  # the dealer rates most deliveries
            rate_delivered(db, buyer, order_id, offer.supplier_id, settings.demo.seed, policy)
        if n == ORDERS_PER_DEALER - 1 and _status(db, order_id) == "delivered" and not \
                db.run_write(lambda s, i=order_id: payments.get_payments(
                    s, SYSTEM, i))["refunds"]:
            amount = (Decimal(order["total_amount"]) / 20).quantize(Decimal("0.01"))
            db.run_write(lambda s, i=order_id, a=amount: refunds.refund_order(
                s, SYSTEM, i, a, "demo: quality claim (5 %)"))


def _status(db: Any, order_id: int) -> str:
    from sqlalchemy import select

    from transactional.db.tables.ordering import orders

    with db.read() as session:
        return session.execute(select(orders.c.status).where(orders.c.id == order_id)
                               ).scalar_one()


def _onboard(db: Any, erp: dict, settings: Settings, units: list[str],
             report: CommerceReport) -> str | None:
    """ERP vendors not on the platform apply with rendered documents read by OCR
    (``demo/onboarding.py``): one fast-tracked, one resubmitted, one rejected."""
    from demo.onboarding import simulate_onboarding

    result = simulate_onboarding(db, erp, settings, units)
    report.onboarding = result["applications"]
    return result["onboarded"]


def run_commerce_demo(settings: Settings | None = None) -> CommerceReport:
    """Run the demo commerce flow on the seeded platform (idempotent; see the module doc).

    Raises:
        RuntimeError: outside ``env=local|ci``.

    Example:
        >>> run_commerce_demo().statements[0]["net_amount"]  # doctest: +SKIP
        '1432511.2000'
    """
    from sqlalchemy import func, select

    from transactional.core.policy import CommercePolicy
    from transactional.db.database import Database
    from transactional.db.tables.catalogue import offer_price_tiers, skus
    from transactional.db.tables.identity import business_units
    from transactional.domain.principal import SYSTEM
    from transactional.rebates.dealers import settle_rebates
    from transactional.settlement.run import issue_statements

    settings = settings or get_settings()
    if not settings.is_dev:
        raise RuntimeError("the demo commerce run creates demo users: local/CI only")
    erp = _erp(settings)
    vendor_unit = {v["vendor_id"]: v["business_unit_code"] for v in erp["vendors"]}
    report = CommerceReport()
    today = dt.datetime.now(dt.UTC).date()
    db = Database.from_settings(settings)
    try:
        with db.read() as session:
            units = list(session.execute(select(business_units.c.code)
                                         .order_by(business_units.c.code)).scalars())
            offers = _offers_by_unit(session, vendor_unit)
            first_price = dict(session.execute(
                select(offer_price_tiers.c.offer_id, func.min(offer_price_tiers.c.unit_price))
                .group_by(offer_price_tiers.c.offer_id)).all())
            category = dict(session.execute(select(skus.c.id, skus.c.category_id)).all())
        typical, first_category = {}, {}
        for unit, rows in offers.items():
            values = sorted(Decimal(str(first_price[o.id])) * o.moq for o in rows)
            typical[unit] = values[len(values) // 2]
            first_category[unit] = min(category[o.sku_id] for o in rows)
        db.run_write(lambda s: _setup(s, erp, units, today, report, typical, first_category))
        dealers = db.run_write(lambda s: _dealers(s, _crm_dealers(settings),
                                                  [u for u in units if u in offers]))
        for dealer in dealers:
            if dealer.buyer_user_id is not None and offers.get(dealer.business_unit):
                _trade(db, dealer, offers[dealer.business_unit], settings)
        policy = CommercePolicy.from_settings(settings)
        db.run_write(lambda s: issue_statements(s, SYSTEM, today.replace(day=1),
                                                today + dt.timedelta(days=1), policy))
        for dealer in dealers:
            report.rebate_settlements += len(db.run_write(
                lambda s, d=dealer.id: settle_rebates(s, SYSTEM, d)))
        report.onboarded = _onboard(db, erp, settings, units, report)
        _summarise(db, report)
    finally:
        db.dispose()
    return report


def _summarise(db: Any, report: CommerceReport) -> None:
    from sqlalchemy import func, select

    from transactional.core.paging import PageRequest
    from transactional.db.tables.ordering import order_approvals, orders
    from transactional.db.tables.settlement import statements
    from transactional.domain.principal import SYSTEM
    from transactional.rebates.dealers import get_dealer_account, list_dealer_accounts

    with db.read() as session:
        demo = orders.c.note == "demo commerce run"
        report.orders = dict(session.execute(select(orders.c.status, func.count())
                                             .where(demo).group_by(orders.c.status)).all())
        from transactional.db.tables.feedback import order_ratings

        report.ratings = session.execute(select(func.count()).select_from(order_ratings)
                                         .join(orders, orders.c.id == order_ratings.c.order_id)
                                         .where(demo)).scalar_one()
        report.approvals = session.execute(select(func.count()).select_from(order_approvals)
                                           .join(orders, orders.c.id == order_approvals.c.order_id)
                                           .where(demo)).scalar_one()
        for d in list_dealer_accounts(session, SYSTEM, PageRequest(200, 0)).items:
            account = get_dealer_account(session, SYSTEM, d["id"])
            report.dealers.append({
                "code": d["code"], "name": d["name"], "business_unit": d["business_unit"],
                "rebates_settled": {k: str(v) for k, v in account["rebates_settled"].items()},
                "tier": max((p["tier"] for p in account["periods"]), default=0)})
        report.statements = [
            {"id": s.id, "business_unit": s.business_unit, "supplier_id": s.supplier_id,
             "kind": s.kind, "currency": s.currency, "net_amount": str(s.net_amount),
             "lines": s.line_count}
            for s in session.execute(select(statements).order_by(statements.c.id))]
