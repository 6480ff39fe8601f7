"""A seeded, concurrent commerce scenario against a real server, and the invariants after it.

World: unit TRD with a low approval limit, suppliers SUP-T (settles in USD) and SUP-U (CNY),
SKUs with scarce stock, 满减 + percentage promotions, a tiered rebate programme, dealer
accounts for some buyers and for the unit. Workers (threads, each with its own seeded RNG)
place orders and drive each of their orders at random: approve or reject, pay through the
provider (callbacks sent twice at once, replayed, or with a second event id), cancel, ship,
deliver, refund part or all, and now and then try an action the state machine forbids from
the order's status; a finance worker runs settlement meanwhile. Every response is checked
against what the state machine (``TRANSITIONS``) and the worker's own record of its orders
predict: a legal transition answers 200, an illegal one 409 ``illegal_transition``, a refund
within the captured remainder 201 and beyond it 422 ``refund_exceeds_payment``, an order 201 or
409 ``out_of_stock``, the first delivery of a payment event captures and every repeat is a
duplicate. A final run settles everything delivered. :func:`check_invariants` then asserts
that every journal entry and every statement balances, no payment was applied twice, stock
and reservations reconcile with the orders, and :func:`reconcile` that the orders' final
states agree exactly with the successful calls the workers counted.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.transactional.commerce import provider_secret, statement_problems, unbalanced_entries
from tests.transactional.factories import auth_headers, password_hash
from transactional.accounting import fx, ledger
from transactional.catalogue.bulk import (
    BulkLoad,
    BusinessUnitSpec,
    CategorySpec,
    OfferSpec,
    SkuSpec,
    StockSpec,
    SupplierSpec,
    UserSpec,
    WarehouseSpec,
    bulk_load,
)
from transactional.catalogue.promotions import create_promotion
from transactional.db.database import Database
from transactional.db.tables.accounting import journal_entries
from transactional.db.tables.catalogue import stock
from transactional.db.tables.ordering import order_allocations, orders, payment_intents, refunds
from transactional.db.tables.settlement import statement_lines
from transactional.domain.principal import SYSTEM, Principal, Role
from transactional.domain.signature import HEADER, sign
from transactional.domain.status import TRANSITIONS
from transactional.rebates.dealers import create_dealer_account

BUYERS = 8
INITIAL = {("WT-1", "T-A"): 40, ("WT-2", "T-A"): 30, ("WT-1", "T-B"): 50, ("WT-1", "T-C"): 400,
           ("WU-1", "U-A"): 300}
PRICES = {"T-A": "120", "T-B": "75.5", "T-C": "19.99", "U-A": "33"}
D = Decimal


def build_world(db: Database) -> dict[str, Any]:
    """Load the scenario's world; returns headers per user and offer ids."""
    users = [UserSpec(f"trd_buyer_{i}", "buyer", password_hash=password_hash(),
                      business_unit="TRD") for i in range(BUYERS)]
    users += [UserSpec(n, r, password_hash=password_hash(), business_unit=b, supplier_id=s)
              for n, r, b, s in (("trd_finance", "finance", "TRD", None),
                                 ("trd_procurement", "procurement", "TRD", None),
                                 ("sup_t", "supplier", None, "SUP-T"),
                                 ("sup_u", "supplier", None, "SUP-U"))]
    load = BulkLoad(
        business_units=[BusinessUnitSpec("TRD", "Trading")],
        suppliers=[SupplierSpec("SUP-T", "Tianjin Steel", company={"settlement_currency": "USD"}),
                   SupplierSpec("SUP-U", "Urumqi Salt")],
        categories=[CategorySpec("goods", "Goods", [{"name": "grade", "type": "string"}])],
        skus=[SkuSpec(c, "goods", c, "t", {"grade": "A"}) for c in PRICES],
        warehouses=[WarehouseSpec("WT-1", "T1", "SUP-T", handling_cost="1"),
                    WarehouseSpec("WT-2", "T2", "SUP-T", handling_cost="2"),
                    WarehouseSpec("WU-1", "U1", "SUP-U")],
        offers=[OfferSpec("SUP-U" if c == "U-A" else "SUP-T", c, "CNY", 1, [(1, p)])
                for c, p in PRICES.items()],
        stock=[StockSpec(w, s, q) for (w, s), q in INITIAL.items()],
        users=users,
    )
    report = db.run_write(lambda s: bulk_load(s, SYSTEM, load))
    today = dt.datetime.now(dt.UTC).date()

    def commerce(session: Any) -> None:
        fx.set_rate(session, SYSTEM, today, "USD", "CNY", "7.1234", "scenario")
        for body in (
            {"code": "MJ", "kind": "full_reduction", "currency": "CNY", "priority": 10,
             "rules": {"threshold": "200", "reduction": "20"}},
            {"code": "P3", "kind": "percentage", "priority": 20, "rules": {"percent": "3"}},
            {"code": "REB", "kind": "tiered_rebate", "currency": "CNY", "rules": {"tiers": [
                {"from": "0", "rate_percent": "1"}, {"from": "500", "rate_percent": "2"},
                {"from": "2000", "rate_percent": "4"}]}},
        ):
            create_promotion(session, SYSTEM, {"name": body["code"], "business_unit": "TRD",
                                               "stacking": "stackable", **body})
        for i in range(3):
            create_dealer_account(session, SYSTEM, code=f"DLR-{i}", name=f"Dealer {i}",
                                  business_unit="TRD",
                                  buyer_user_id=report.user_ids[f"trd_buyer_{i}"])
        create_dealer_account(session, SYSTEM, code="DLR-UNIT", name="TRD",
                              business_unit="TRD")

    db.run_write(commerce)
    from transactional.ordering.approvals import set_limit

    db.run_write(lambda s: set_limit(s, SYSTEM, "TRD", "400", "CNY"))

    def headers(name: str, role: str, bu: str | None = "TRD", sup: str | None = None) -> dict:
        return auth_headers(Principal(report.user_ids[name], Role(role), bu, sup, name))

    return {
        "buyers": [headers(f"trd_buyer_{i}", "buyer") for i in range(BUYERS)],
        "finance": headers("trd_finance", "finance"),
        "procurement": headers("trd_procurement", "procurement"),
        "suppliers": {"SUP-T": headers("sup_t", "supplier", None, "SUP-T"),
                      "SUP-U": headers("sup_u", "supplier", None, "SUP-U")},
        "offers": {c: report.offer_ids[("SUP-U" if c == "U-A" else "SUP-T", c)]
                   for c in PRICES},
    }


#: who performs each routed order action in the scenario (a role the action allows)
ACTORS = {"approve": "procurement", "reject": "procurement", "pay": "finance", "ship": "supplier",
          "deliver": "buyer", "cancel": "buyer"}
ILLEGAL_SHARE = 0.1  # of steps that try an action the order's status forbids


class Worker:
    """One buyer placing and driving its own orders, with its own seeded RNG."""

    def __init__(self, base_url: str, world: dict[str, Any], n: int, seed: int,
                 statuses: Counter, lock: threading.Lock) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=120.0)
        self.world, self.n, self.rng = world, n, random.Random(seed * 1000 + n)
        self.buyer = world["buyers"][n]
        self.statuses, self.lock = statuses, lock
        self.orders: dict[int, dict[str, Any]] = {}
        self.captured: dict[int, D] = {}  # order id -> amount the provider paid
        self.refunded: dict[int, D] = {}  # order id -> amount refunded through the API
        self.events = 0

    def call(self, method: str, path: str, headers: dict, expect: dict[int, str | None],
             what: str, **kwargs: Any) -> httpx.Response:
        """Send a request; its status must be one of ``expect`` (status -> error code or None),
        and is counted as ``(what, status)``."""
        response = self.http.request(method, path, headers=headers, **kwargs)
        with self.lock:
            self.statuses[(what, response.status_code)] += 1
        assert response.status_code in expect, (what, path, sorted(expect), response.text)
        code = expect[response.status_code]
        if code is not None:
            assert response.json()["error"]["code"] == code, (what, path, response.text)
        return response

    def actor(self, action: str, order: dict[str, Any]) -> dict:
        role = ACTORS[action]
        return {"procurement": self.world["procurement"], "finance": self.world["finance"],
                "supplier": self.world["suppliers"][order["supplier_id"]],
                "buyer": self.buyer}[role]

    def place(self, i: int) -> None:
        codes = self.rng.sample(sorted(self.world["offers"]), self.rng.choice((1, 1, 2)))
        same_supplier = [c for c in codes if (c == "U-A") == (codes[0] == "U-A")]
        body = {"lines": [{"offer_id": self.world["offers"][c], "quantity": self.rng.randint(1, 6)}
                          for c in same_supplier]}
        response = self.call("POST", "/api/v1/orders", {**self.buyer,
                                                        "Idempotency-Key": f"{self.n}-{i}"},
                             {201: None, 409: "out_of_stock"}, "place", json=body)
        if response.status_code == 201:
            order = response.json()
            self.orders[order["id"]] = order

    def callback(self, reference: str, amount: str, event_id: str) -> dict[str, Any]:
        body = json.dumps({"event_id": event_id, "type": "payment.succeeded",
                           "payment_reference": reference, "amount": amount,
                           "currency": "CNY"}).encode()
        return self.call("POST", "/api/v1/payments/callback",
                         {HEADER: sign(provider_secret(), body), "Content-Type": "application/json"},
                         {200: None}, "callback", content=body).json()

    def pay(self, order_id: int) -> None:
        """From placed or approved: an intent (200), the event delivered twice at once (one
        captures, the other is a duplicate), maybe replayed or sent under a second id."""
        intent = self.call("POST", f"/api/v1/orders/{order_id}/payment-intent", self.buyer,
                           {200: None}, "payment_intent")
        ref, amount = intent.json()["provider_reference"], intent.json()["amount"]
        self.events += 1
        event_id = f"evt-{self.n}-{self.events}"
        with ThreadPoolExecutor(2) as pool:  # the provider delivers it twice, at once
            both = list(pool.map(lambda _: self.callback(ref, amount, event_id), range(2)))
        assert sorted(r["duplicate"] for r in both) == [False, True], both
        assert {r["outcome"] for r in both} == {"captured"}, both
        self.captured[order_id] = D(amount)
        if self.rng.random() < 0.3:  # a later replay
            assert self.callback(ref, amount, event_id)["duplicate"] is True
        if self.rng.random() < 0.15:  # a second event id for the same payment
            again = self.callback(ref, amount, f"{event_id}-again")
            assert (again["outcome"], again["duplicate"]) == ("already_captured", False)

    def transition(self, order_id: int, order: dict[str, Any], action: str) -> None:
        """Send ``action``; 200 when the state machine allows it from the status just read,
        409 ``illegal_transition`` when not (settlement may move delivered -> settled meanwhile:
        no routed action is legal from either)."""
        legal = order["status"] in {s.value for s in TRANSITIONS[action].sources}
        body = {"reason": "scenario"} if action in ("reject", "cancel") else None
        self.call("POST", f"/api/v1/orders/{order_id}/{action}", self.actor(action, order),
                  {200: None} if legal else {409: "illegal_transition"},
                  action if legal else "illegal", json=body)

    def refund(self, order_id: int, order: dict[str, Any]) -> None:
        total = D(order["total_amount"])
        amount = total if self.rng.random() < 0.3 else (
            total * D(self.rng.randint(1, 40)) / 100).quantize(D("0.01"))
        remaining = self.captured[order_id] - self.refunded.get(order_id, D(0))
        expect = {201: None} if amount <= remaining else {422: "refund_exceeds_payment"}
        response = self.call("POST", f"/api/v1/orders/{order_id}/refunds", self.world["finance"],
                             expect, "refund", json={"amount": str(amount), "reason": "scenario"})
        if response.status_code == 201:
            self.refunded[order_id] = self.refunded.get(order_id, D(0)) + amount

    def review(self, order_id: int) -> None:
        """An order the risk guard held (a split under TRD's low limit): finance clears it
        (released) or confirms the fraud (refused, stock released)."""
        fraud = self.rng.random() < 0.3
        self.call("POST", f"/api/v1/risk/reviews/{order_id}", self.world["finance"], {200: None},
                  "refuse" if fraud else "release",
                  json={"outcome": "confirmed_fraud" if fraud else "cleared", "reason": "scenario"})

    def step(self, order_id: int) -> None:
        order = self.call("GET", f"/api/v1/orders/{order_id}", self.buyer, {200: None},
                          "read").json()
        status, roll = order["status"], self.rng.random()
        if self.rng.random() < ILLEGAL_SHARE:
            illegal = sorted(a for a in ACTORS
                             if status not in {s.value for s in TRANSITIONS[a].sources})
            self.transition(order_id, order, self.rng.choice(illegal))
            return
        act = {"pending_approval": [("approve", 0.7), ("reject", 1.0)],
               "pending_review": [("review", 1.0)],
               "placed": [("pay", 0.8), ("cancel", 1.0)],
               "approved": [("pay", 0.85), ("cancel", 1.0)],
               "paid": [("ship", 0.85), ("cancel", 1.0)],
               "shipped": [("deliver", 0.75), ("refund", 1.0)],
               "delivered": [("refund", 0.4), (None, 1.0)],
               "settled": [("refund", 0.2), (None, 1.0)]}.get(status, [])
        for action, threshold in act:
            if roll < threshold:
                break
        else:
            return
        if action == "pay":
            self.pay(order_id)
        elif action == "refund":
            self.refund(order_id, order)
        elif action == "review":
            self.review(order_id)
        elif action is not None:
            self.transition(order_id, order, action)

    def run(self, rounds: int) -> None:
        try:
            for i in range(rounds):
                if not self.orders or self.rng.random() < 0.35:
                    self.place(i)
                else:
                    self.step(self.rng.choice(sorted(self.orders)))
        finally:
            self.http.close()


def run_scenario(base_url: str, world: dict[str, Any], *, seed: int, rounds: int) -> Counter:
    """Run every worker and, meanwhile and at the end, settlement; returns the count of every
    ``(call, status)`` the workers saw (``("ship", 200)``, ``("illegal", 409)`` …)."""
    statuses: Counter = Counter()
    lock = threading.Lock()
    workers = [Worker(base_url, world, n, seed, statuses, lock) for n in range(BUYERS)]
    today = dt.datetime.now(dt.UTC).date()
    period = {"period_start": today.replace(day=1).isoformat(),
              "period_end": (today + dt.timedelta(days=1)).isoformat()}
    with httpx.Client(base_url=base_url, timeout=120.0) as finance:
        with ThreadPoolExecutor(BUYERS) as pool:
            futures = [pool.submit(w.run, rounds) for w in workers]
            for _ in range(3):  # settlement runs while orders move
                settled = finance.post("/api/v1/statements/runs", json=period,
                                       headers=world["finance"])
                assert settled.status_code in (201, 503), settled.text
            for f in futures:
                f.result()
        final = finance.post("/api/v1/statements/runs", json=period, headers=world["finance"])
        assert final.status_code == 201, final.text
    return statuses


def check_invariants(db: Database) -> dict[str, int]:
    """Assert the scenario's invariants; returns counts for the record."""
    with db.read() as session:
        assert unbalanced_entries(session) == []
        assert statement_problems(session) == []
        order_rows = {o.id: o for o in session.execute(select(orders))}
        intents = session.execute(select(payment_intents)).all()
        refund_rows = session.execute(select(refunds)).all()
        payments_per_order = Counter(session.execute(select(journal_entries.c.reference_id)
                                                     .where(journal_entries.c.entry_type ==
                                                            "payment")).scalars())
        assert max(payments_per_order.values(), default=0) <= 1  # no payment applied twice
        refunded: dict[int, D] = {}
        for r in refund_rows:
            refunded[r.payment_intent_id] = refunded.get(r.payment_intent_id, D(0)) + r.amount
        cash = D(0)
        for i in intents:
            assert i.captured_amount in (D(0), i.amount)
            assert refunded.get(i.id, D(0)) == i.refunded_amount <= i.captured_amount
            assert (i.status == "succeeded") == (payments_per_order[str(i.order_id)] == 1)
            cash += i.captured_amount - i.refunded_amount
        balances = ledger.balances(session)
        assert balances.get("cash:CNY", D(0)) == cash
        # stock: what is not available is reserved by live orders or consumed by shipped ones
        allocated: dict[tuple[int, int, str], int] = {}
        for a in session.execute(select(order_allocations)):
            key = (a.warehouse_id, a.sku_id, order_rows[a.order_id].status)
            allocated[key] = allocated.get(key, 0) + a.quantity
        reserving = {"placed", "pending_approval", "pending_review", "approved", "paid"}
        consumed = {"shipped", "delivered", "settled"}
        total_initial = 0
        for row in session.execute(select(stock)):
            held = sum(q for (w, s, st), q in allocated.items()
                       if (w, s) == (row.warehouse_id, row.sku_id) and st in reserving)
            gone = sum(q for (w, s, st), q in allocated.items()
                       if (w, s) == (row.warehouse_id, row.sku_id) and st in consumed)
            assert row.reserved == held and row.available >= 0
            total_initial += row.available + row.reserved + gone
        assert total_initial == sum(INITIAL.values())
        # everything delivered was settled exactly once; clearing accounts are empty
        assert not [o for o in order_rows.values() if o.status == "delivered"]
        goods_lines = Counter(session.execute(select(statement_lines.c.order_id).where(
            statement_lines.c.line_type == "goods")).scalars())
        settled = {i for i, o in order_rows.items() if o.status == "settled"}
        assert set(goods_lines) == settled and set(goods_lines.values()) <= {1}
        for code in ("goods_clearing:CNY", "promotion_funding:CNY", "rebate_funding:CNY"):
            assert balances.get(code, D(0)) == 0, code
        shipped_refunds = sum((r.amount for r in refund_rows if r.kind == "refund"
                               and order_rows[r.order_id].status == "shipped"), D(0))
        assert balances.get("refund_recovery:CNY", D(0)) == shipped_refunds
        open_deposits = sum((o.total_amount for o in order_rows.values()
                             if o.status in ("paid", "shipped")), D(0))
        assert balances.get("buyer_deposits:TRD:CNY", D(0)) == -open_deposits
        statuses = Counter(o.status for o in order_rows.values())
        n_statements = session.execute(select(func.count(func.distinct(
            statement_lines.c.statement_id)))).scalar_one()
    return {"orders": len(order_rows), "statements": n_statements,
            "refunds": len(refund_rows), **{f"status_{k}": v for k, v in statuses.items()}}


def reconcile(db: Database, calls: Counter) -> None:
    """The orders' final states agree exactly with the successful calls the workers counted."""
    with db.read() as session:
        rows = session.execute(select(orders)).all()
        refund_kinds = Counter(session.execute(select(refunds.c.kind)).scalars())
        succeeded = session.execute(select(func.count()).where(
            payment_intents.c.status == "succeeded")).scalar_one()
    assert calls[("place", 201)] == len(rows)
    assert calls[("approve", 200)] == sum(r.approved_at is not None for r in rows)
    assert calls[("reject", 200)] + calls[("refuse", 200)] == sum(r.status == "rejected" for r in rows)
    assert calls[("cancel", 200)] == sum(r.status == "cancelled" for r in rows)
    assert calls[("ship", 200)] == sum(r.shipped_at is not None for r in rows)
    assert calls[("deliver", 200)] == sum(r.delivered_at is not None for r in rows)
    assert calls[("refund", 201)] == refund_kinds["refund"]
    # every intent the workers paid was captured exactly once (one non-duplicate delivery)
    assert calls[("payment_intent", 200)] == succeeded == sum(r.paid_at is not None for r in rows)
