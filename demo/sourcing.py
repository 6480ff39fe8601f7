"""The demo's procurement loop (#28 item 6): sourcing events, awards, framework contracts,
call-offs and maverick purchases, so the lake's sourcing and contract marts have figures.

Runs after the commerce day (``demo/platform_run.py``), through the transactional services as
the API calls them, each step as the user who may take it:

1. **History** — before each event its unit's buyer buys every line's SKU once, spot, at a
   supplier's offer price: the "last price paid" the savings are measured against.
2. **Events** — ``EVENTS`` calls for tenders (procurement of a unit, rotating over the units):
   2–3 SKU lines of one category offered by several suppliers, the quantities sized so the
   first event's award is above the approval limit and the others below it; every supplier
   offering a line's SKU is invited (at most ``MAX_BIDDERS``).
3. **Bids** — each bidder prices from its own cost curve (:func:`bid_for`): its offer price ×
   an efficiency factor, with **economies of scale** (all-units tiers at ¼, ½ and the whole
   line quantity, a per-supplier scale discount up to 10 %), a capacity (some cannot take a
   whole line) and **bundling** (a discount if awarded all its lines, or above a spend).
4. **Award** — the events close (a few seconds after opening: bidding is sealed until then),
   procurement computes the award (exact MILP); above the limit the unit's finance approves it
   (maker ≠ checker).
5. **Contracts** — one framework contract per awarded supplier, signed by the supplier and
   approved by the group admin (not their maker). Windows differ (``CONTRACT_DAYS``) so some
   end within the expiring-contracts horizon.
6. **Call-offs and maverick buys** — the unit's buyer calls off part of every contract line
   (``POST /orders`` with ``contract_id``, within the supplier's stock), and buys the first
   contracted SKU of each event ``MAVERICK_ORDERS`` times outside the contract at an offer
   price (another supplier's when there is one): the compliance mart's maverick spend and
   price leakage.

Seeded (``settings.demo.seed``) and idempotent: a run finding the demo events leaves them.
:func:`plan_event` (pure: no database) is the event generator the sourcing benchmark runs
through the award model without a demo lake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from infra.settings import Settings

#: Sourcing events the demo holds (few: the demo lake's build time).
EVENTS = 4
#: Most suppliers invited to one event.
MAX_BIDDERS = 5
#: Target award value of each event (group currency): the first is above the default approval
#: limit (1,000,000), the others below it.
EVENT_VALUES = (2_400_000, 450_000, 300_000, 600_000)
#: Validity window of the contracts of each event, days from today.
CONTRACT_DAYS = (21, 60, 180, 270)
#: Off-contract orders per event for its first contracted SKU.
MAVERICK_ORDERS = 2
#: Title prefix of the demo's events (how a rerun recognises them).
TITLE = "Demo sourcing"
#: Seconds between opening and closing an event (bids are sealed until the closing time).
BIDDING_SECONDS = 3.0
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class MarketOffer:
    """A supplier's catalogue offer of a SKU: what its bid is priced from."""

    supplier_id: str
    sku_id: int
    currency: str
    unit_price: Decimal  # the offer's first-tier price
    moq: int
    lead_time_days: int


@dataclass
class PlannedEvent:
    """One demo event as the API takes it: lines ``(sku_id, quantity)`` and bids per supplier
    (the ``POST /sourcing-events/{id}/bids`` bodies without ``valid_until``)."""

    lines: list[tuple[int, int]]
    bids: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class SourcingReport:
    """What the demo's procurement loop did."""

    events: list[int] = field(default_factory=list)
    approved_by_checker: list[int] = field(default_factory=list)
    contracts: list[int] = field(default_factory=list)
    call_offs: int = 0
    maverick_orders: int = 0
    history_orders: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, what: str) -> None:
        """Count a step the platform refused (e.g. no stock left)."""
        self.skipped[what] = self.skipped.get(what, 0) + 1


def _money(value: float) -> Decimal:
    return Decimal(repr(max(value, 0.01))).quantize(_CENT, rounding=ROUND_HALF_EVEN)


def supplier_profile(seed: int, supplier_id: str) -> tuple[float, float, float]:
    """A supplier's (efficiency, scale discount, bundle appetite), seeded by its id:
    efficiency 0.86–0.97 of its offer price, up to 4–10 % off at full scale, and the chance
    (0.3–0.8) it offers a bundle."""
    rng = random.Random(zlib.crc32(f"{seed}:sourcing:{supplier_id}".encode()))
    return rng.uniform(0.86, 0.97), rng.uniform(0.04, 0.10), rng.uniform(0.3, 0.8)


def unit_price_at(base: float, scale: float, quantity: float, line_quantity: float) -> float:
    """The cost curve: ``base`` at one unit falling to ``base × (1 − scale)`` at the whole line
    quantity (log-shaped: most of the discount comes early)."""
    return base * (1 - scale * math.log2(1 + 3 * min(quantity, line_quantity) / line_quantity) / 2)


def bid_for(rng: random.Random, seed: int, supplier_id: str,
            quotes: Sequence[tuple[int, int, MarketOffer]]) -> dict[str, Any]:
    """One supplier's bid body on the lines it offers.

    Args:
        rng: the event's generator (capacities, bundle choices).
        quotes: ``(line_no, line quantity, the supplier's offer of the SKU)``.
    """
    efficiency, scale, appetite = supplier_profile(seed, supplier_id)
    lines, value = [], 0.0
    for line_no, quantity, offer in quotes:
        base = float(offer.unit_price) * efficiency
        breaks = sorted({1, max(1, quantity // 4), max(1, quantity // 2), quantity})
        tiers = [{"min_qty": q, "unit_price": str(_money(unit_price_at(base, scale, q, quantity)))}
                 for q in breaks]
        capacity = quantity if rng.random() < 0.6 else max(1, int(quantity * rng.uniform(0.5, 1.5)))
        lines.append({"line_no": line_no, "tiers": tiers, "moq": min(offer.moq, quantity),
                      "multiple": 1, "capacity": capacity,
                      "lead_time_days": min(offer.lead_time_days, 20)})
        value += unit_price_at(base, scale, quantity, quantity) * quantity
    bundles = []
    if len(lines) >= 2 and rng.random() < appetite:
        bundles.append({"kind": "lines", "line_nos": [x["line_no"] for x in lines],
                        "discount_pct": str(rng.choice((2, 3, 4, 5)))})
    if rng.random() < appetite / 2:
        bundles.append({"kind": "spend", "min_spend": str(_money(value * 0.6)),
                        "discount_pct": str(rng.choice((1, 1.5, 2)))})
    return {"currency": quotes[0][2].currency, "lines": lines, "bundles": bundles}


def plan_event(seed: int, number: int, skus: Sequence[tuple[int, Sequence[MarketOffer]]],
               target_value: float) -> PlannedEvent:
    """The lines and bids of demo event ``number`` (pure, seeded).

    Args:
        skus: the event's SKUs with the offers of the suppliers that may bid on them.
        target_value: roughly what the lines are worth at the offers' prices; the
            quantities are sized to it.
    """
    rng = random.Random(zlib.crc32(f"{seed}:sourcing-event:{number}".encode()))
    per_line = target_value / len(skus)
    lines = []
    for sku_id, offers in skus:
        reference = sorted(float(o.unit_price) for o in offers)[len(offers) // 2]
        moq = max(o.moq for o in offers)
        lines.append((sku_id, max(moq, int(per_line / reference * rng.uniform(0.8, 1.2)))))
    bidders = sorted({o.supplier_id for _, offers in skus for o in offers})
    event = PlannedEvent(lines)
    for supplier_id in bidders:
        quotes = [(n, quantity, o) for n, ((sku_id, quantity), (_, offers))
                  in enumerate(zip(lines, skus, strict=True), start=1)
                  for o in offers if o.supplier_id == supplier_id]
        if len({q[2].currency for q in quotes}) == 1:
            event.bids[supplier_id] = bid_for(rng, seed, supplier_id, quotes)
    for n, (_, quantity) in enumerate(lines, start=1):  # someone can take each whole line
        able = [b for b in event.bids.values() for x in b["lines"]
                if x["line_no"] == n and x["capacity"] >= quantity]
        if not able:
            first = next(x for b in event.bids.values() for x in b["lines"] if x["line_no"] == n)
            first["capacity"] = quantity
    return event


def choose_skus(offers: Sequence[MarketOffer], category_of: dict[int, int], count: int,
                seed: int) -> list[list[tuple[int, list[MarketOffer]]]]:
    """SKU sets for ``count`` events: 2–3 SKUs of one category that at least two suppliers
    offer, the categories with the most competition first, each SKU used once."""
    by_sku: dict[int, list[MarketOffer]] = {}
    for o in offers:
        by_sku.setdefault(o.sku_id, []).append(o)
    rng = random.Random(zlib.crc32(f"{seed}:sourcing-skus".encode()))
    by_category: dict[int, list[int]] = {}
    for sku_id, found in sorted(by_sku.items()):
        if len({o.supplier_id for o in found}) >= 2:
            by_category.setdefault(category_of[sku_id], []).append(sku_id)
    ranked = sorted(by_category.items(),
                    key=lambda kv: (-sum(len(by_sku[s]) for s in kv[1]), kv[0]))
    out = []
    for _, skus in ranked:
        if len(out) == count:
            break
        chosen = sorted(skus, key=lambda s: (-len(by_sku[s]), s))[:rng.choice((2, 3))]
        out.append([(s, sorted(by_sku[s], key=lambda o: o.supplier_id)[:MAX_BIDDERS])
                    for s in chosen])
    return out


def _principal(session: Any, username: str) -> Any:
    from sqlalchemy import select

    from transactional.db.tables.identity import users
    from transactional.identity.users import principal_of

    return principal_of(session.execute(select(users).where(users.c.username == username)).one())


def _supplier_user(db: Any, supplier_id: str, password: str, digests: dict[str, str]) -> Any:
    """The supplier's demo login (created when the seed gave it none; ``digests`` caches the
    password hash: hashing is deliberately slow)."""
    from sqlalchemy import select

    from transactional.db.tables.identity import users
    from transactional.domain.principal import SYSTEM
    from transactional.identity.users import create_user, hash_password

    username = f"supplier.{supplier_id.lower()}"
    with db.read() as session:
        found = session.execute(select(users.c.id).where(users.c.username == username)).first()
    if found is None:
        if password not in digests:
            digests[password] = hash_password(password)
        db.run_write(lambda s: create_user(s, SYSTEM, username=username, password="",
                                           role="supplier", supplier_id=supplier_id,
                                           password_hash=digests[password]))
    with db.read() as session:
        return _principal(session, username)


def _order(db: Any, buyer: Any, offer_id: int, quantity: int, key: str, policy: Any,
           contract_id: int | None = None) -> dict[str, Any]:
    from transactional.core.idempotency import IdempotentRequest
    from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order

    request = OrderRequest((OrderLineRequest(offer_id, quantity),), note="demo sourcing run",
                           contract_id=contract_id)
    idempotency = IdempotentRequest(key, hashlib.sha256(key.encode()).hexdigest())
    return db.run_write(lambda s: place_order(s, buyer, request, idempotency,
                                              policy=policy)).order


def _available(db: Any, offer_id: int) -> int:
    from transactional.catalogue.offers import get_offer

    with db.read() as session:
        return int(get_offer(session, offer_id)["available_quantity"])


def _buy(db: Any, report: SourcingReport, what: str, buyer: Any, offer: Any, quantity: int,
         key: str, policy: Any, contract_id: int | None = None) -> bool:
    """Place one demo order if the stock allows; a refusal is counted, never fatal."""
    from transactional.domain.errors import DomainError

    if quantity < 1 or _available(db, offer.id) < quantity:
        report.skip(f"{what}_no_stock")
        return False
    try:
        _order(db, buyer, offer.id, quantity, key, policy, contract_id)
    except DomainError:
        report.skip(f"{what}_refused")
        return False
    return True


def run_sourcing_demo(settings: Settings, say: Any = print) -> SourcingReport:
    """Run the demo's procurement loop on the seeded platform (see the module docstring).

    Raises:
        RuntimeError: outside ``env=local|ci``.
    """
    from sqlalchemy import select

    from transactional.contracts import authoring
    from transactional.core.policy import CommercePolicy
    from transactional.db.database import Database
    from transactional.db.tables.catalogue import offer_price_tiers, offers, skus
    from transactional.db.tables.identity import business_units
    from transactional.db.tables.tendering import sourcing_events
    from transactional.tendering import awards, bids, contracting, events

    if not settings.is_dev:
        raise RuntimeError("the demo sourcing run creates demo users: local/CI only")
    from demo.platform_seed import DEMO_PASSWORD

    seed = settings.demo.seed
    report = SourcingReport()
    digests: dict[str, str] = {}
    policy = CommercePolicy.from_settings(settings)
    db = Database.from_settings(settings)
    try:
        with db.read() as session:
            done = session.execute(select(sourcing_events.c.id).where(
                sourcing_events.c.title.like(f"{TITLE}%")).order_by(sourcing_events.c.id)).scalars().all()
            if done:
                report.events = list(done)
                return report
            units = list(session.execute(select(business_units.c.code)
                                         .order_by(business_units.c.code)).scalars())
            first_price = dict(session.execute(
                select(offer_price_tiers.c.offer_id, offer_price_tiers.c.unit_price)
                .order_by(offer_price_tiers.c.offer_id, offer_price_tiers.c.min_quantity.desc())
            ).all())  # the last row per offer wins: its lowest min_quantity tier
            rows = session.execute(select(offers).where(offers.c.is_active.is_(True))
                                   .order_by(offers.c.id)).all()
            category_of = dict(session.execute(select(skus.c.id, skus.c.category_id)).all())
            staff = {u: {r: _principal(session, f"{r}.{u.lower()}")
                         for r in ("buyer", "procurement", "finance")} for u in units}
            admin = _principal(session, "admin")
        market = [MarketOffer(o.supplier_id, o.sku_id, o.currency, Decimal(str(first_price[o.id])),
                              int(o.moq), int(o.lead_time_days)) for o in rows if o.id in first_price]
        offer_row = {(o.supplier_id, o.sku_id): o for o in rows}
        sku_sets = choose_skus(market, category_of, EVENTS, seed)
        if not units or not sku_sets:
            return report
        today = dt.datetime.now(dt.UTC).date()
        plans = [plan_event(seed, n, sku_set, EVENT_VALUES[n % len(EVENT_VALUES)])
                 for n, sku_set in enumerate(sku_sets)]
        bidders = {s: _supplier_user(db, s, DEMO_PASSWORD, digests)  # logins first: bidding is short
                   for s in sorted({s for plan in plans for s in plan.bids})}
        opened: list[tuple[int, str, PlannedEvent]] = []
        closes_at = dt.datetime.now(dt.UTC)
        for number, (sku_set, plan) in enumerate(zip(sku_sets, plans, strict=True)):
            unit = units[number % len(units)]
            for n, (sku_id, _) in enumerate(plan.lines):  # the unit's last price paid
                supplier = sorted(o.supplier_id for o in sku_set[n][1])[number % len(sku_set[n][1])]
                offer = offer_row[(supplier, sku_id)]
                if _buy(db, report, "history", staff[unit]["buyer"], offer,
                        offer.moq + (-offer.moq) % offer.order_multiple,
                        f"demo-sourcing-history-{number}-{n}", policy):
                    report.history_orders += 1
            closes_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=BIDDING_SECONDS)
            body = {"title": f"{TITLE} {number + 1}: {len(plan.lines)} lines",
                    "closes_at": closes_at,
                    "lines": [{"sku_id": s, "quantity": q, "need_by": today + dt.timedelta(days=30)}
                              for s, q in plan.lines],
                    "invited": [{"supplier_id": s} for s in sorted(plan.bids)],
                    "rules": {"max_suppliers": 3}}
            event = db.run_write(lambda s, b=body, u=unit: events.open_event(
                s, staff[u]["procurement"], b, policy))
            for supplier_id, bid in sorted(plan.bids.items()):
                db.run_write(lambda s, p=bidders[supplier_id], e=event["id"], b=bid: bids.submit_bid(
                    s, p, e, {**b, "valid_until": today + dt.timedelta(days=60)}))
            opened.append((event["id"], unit, plan))
            report.events.append(event["id"])
        time.sleep(max(0.0, (closes_at - dt.datetime.now(dt.UTC)).total_seconds() + 0.2))
        for number, (event_id, unit, plan) in enumerate(opened):
            team = staff[unit]
            db.run_write(lambda s, e=event_id, p=team["procurement"]: events.close_event(s, p, e))
            award = db.run_write(lambda s, e=event_id, p=team["procurement"]: awards.propose_award(
                s, p, e, policy))
            if award["status"] == "pending_approval":  # above the limit: a second person
                db.run_write(lambda s, e=event_id, p=team["finance"]: awards.approve_award(s, p, e))
                report.approved_by_checker.append(event_id)
            valid_to = today + dt.timedelta(days=CONTRACT_DAYS[number % len(CONTRACT_DAYS)])
            made = db.run_write(lambda s, e=event_id, p=team["procurement"], v=valid_to:
                                contracting.contracts_from_award(s, p, e, valid_from=today,
                                                                 valid_to=v))
            for contract in made:
                sha = contract["document"]["sha256"]
                signer = _supplier_user(db, contract["supplier_id"], DEMO_PASSWORD, digests)
                db.run_write(lambda s, c=contract["id"], p=signer, h=sha:
                             authoring.sign_as_supplier(s, p, c, h))
                db.run_write(lambda s, c=contract["id"], h=sha: authoring.approve(s, admin, c, h))
                report.contracts.append(contract["id"])
            _call_off(db, report, seed, number, made, offer_row, team["buyer"], policy)
            _maverick(db, report, number, made, offer_row, team["buyer"], policy)
    finally:
        db.dispose()
    say(render(report))
    return report


def _call_off(db: Any, report: SourcingReport, seed: int, number: int,
              made: list[dict[str, Any]], offer_row: dict, buyer: Any, policy: Any) -> None:
    """Call off 15–40 % of every contract line (within the supplier's stock)."""
    rng = random.Random(zlib.crc32(f"{seed}:sourcing-calloffs:{number}".encode()))
    for contract in made:
        for line in contract["lines"]:
            offer = offer_row[(contract["supplier_id"], line["sku_id"])]
            wanted = max(1, int(line["committed_quantity"] * rng.uniform(0.15, 0.4)))
            quantity = min(wanted, _available(db, offer.id))
            if _buy(db, report, "call_off", buyer, offer, quantity,
                    f"demo-sourcing-calloff-{contract['id']}-{line['sku_id']}", policy,
                    contract_id=contract["id"]):
                report.call_offs += 1


def _maverick(db: Any, report: SourcingReport, number: int, made: list[dict[str, Any]],
              offer_row: dict, buyer: Any, policy: Any) -> None:
    """Buy the event's first contracted SKU outside the contract at an offer price: another
    supplier's offer when there is one, else the contract supplier's own list price."""
    if not made:
        return
    contract = made[0]
    sku_id = contract["lines"][0]["sku_id"]
    others = sorted(s for (s, k) in offer_row if k == sku_id and s != contract["supplier_id"])
    for n in range(MAVERICK_ORDERS):
        supplier = others[n % len(others)] if others else contract["supplier_id"]
        offer = offer_row[(supplier, sku_id)]
        quantity = offer.moq + (-offer.moq) % offer.order_multiple
        if _buy(db, report, "maverick", buyer, offer, quantity,
                f"demo-sourcing-maverick-{number}-{n}", policy):
            report.maverick_orders += 1


def render(report: SourcingReport) -> str:
    """A one-paragraph summary of the demo's procurement loop."""
    line = (f"sourcing demo: {len(report.events)} events, {len(report.approved_by_checker)} "
            f"award(s) approved by a second person, {len(report.contracts)} contracts signed, "
            f"{report.call_offs} call-offs, {report.maverick_orders} maverick orders, "
            f"{report.history_orders} earlier purchases")
    if report.skipped:
        line += " (skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(report.skipped.items())) + ")"
    return line
