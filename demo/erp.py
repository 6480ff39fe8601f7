"""The ERP generator: master tables and one period of transactions, full lifecycles included.

:func:`simulate_erp_period` runs procurement (orders, fraud at planning and pricing time),
deliveries, invoices and payments (fraud on invoices and bank accounts) and sales for the
orders created in ``[t0, t1)``, returning frames that know every future event. The
projection at a cutoff (:mod:`demo.lifecycle`) turns them into rows; the writer
(:mod:`demo.dbwriter`) puts those rows into the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from demo import finance, fraud, fraud_unseen
from demo.fulfilment import build_deliveries
from demo.procurement import (
    assign_ids,
    build_lines,
    order_headers,
    plan_orders,
    price_overrides,
)
from demo.rng import substream
from demo.sales import build_sales
from demo.timebase import DAY
from demo.world import World

#: Transaction tables produced per period, in write order.
PERIOD_TABLES = ("purchase_orders", "purchase_order_lines", "shipments", "goods_receipts", "quality_inspections",
                 "vendor_returns", "ap_invoices", "payments", "sales_orders", "sales_order_lines")
FRAUD_KINDS = ("split_orders", "self_approvals", "off_hours_price_overrides", "duplicate_invoices",
               "round_amount_invoices", "bank_change_before_payment", "ring_rotation", "price_creep")


@dataclass
class ErpPeriod:
    """Full-lifecycle frames of one simulated period, plus what was injected."""

    frames: dict[str, pd.DataFrame]
    bank_history: pd.DataFrame  # the vendors' whole bank-account history after this period
    fraud_truth: list[tuple] = field(default_factory=list)


def fraud_counts(world: World, period_days: float, rng: np.random.Generator, initial: bool) -> dict[str, int]:
    """Cases per fraud kind: the profile count × scale (at least 1) for the initial window,
    Poisson with the same daily rate for an ``advance`` period."""
    out = {}
    for kind in FRAUD_KINDS:
        per_scale = getattr(world.profile.fraud, kind)
        if initial:
            out[kind] = max(1, round(per_scale * world.scale))
        else:
            out[kind] = int(rng.poisson(per_scale * world.scale * period_days / world.window_days))
    return out


def simulate_erp_period(world: World, customers: pd.DataFrame, bank_history: pd.DataFrame, t0: float, t1: float,
                        tag: str, counters: dict[str, int], *, initial: bool) -> ErpPeriod:
    """Orders, deliveries, invoices, payments and sales created in ``[t0, t1)``."""
    seed = world.seed
    period_days = (t1 - t0) / DAY
    counts = fraud_counts(world, period_days, substream(seed, "fraud-counts", tag), initial)
    rng_fraud = substream(seed, "fraud", tag)
    n_po = world.count(world.profile.scale.purchase_orders, None if initial else period_days, minimum=1 if initial else 0)
    plan = plan_orders(world, t0, t1, n_po, substream(seed, "po-plan", tag)) if n_po else None
    split = fraud.split_order_plans(world, t0, t1, counts["split_orders"], rng_fraud, counters)
    plan = pd.concat([p for p in (plan, split) if p is not None and len(p)], ignore_index=True)
    truth: list[tuple] = []
    rng = substream(seed, "po-lines", tag)
    lines = build_lines(world, plan, rng)
    price_overrides(world, plan, lines, rng)
    headers = order_headers(world, plan, lines, substream(seed, "po-headers", tag))
    assign_ids(headers, lines, counters)
    lines["_orig_unit_price"] = lines["unit_price"].to_numpy()
    lines["_orig_line_amount"] = lines["line_amount"].to_numpy()
    headers["_orig_total_amount"] = headers["total_amount"].to_numpy()
    headers["_override_at"] = np.nan
    truth += fraud.split_order_truth(headers)
    truth += fraud.self_approvals(headers, counts["self_approvals"], rng_fraud, counters)
    truth += fraud.off_hours_overrides(world, headers, lines, counts["off_hours_price_overrides"], rng_fraud, counters)
    rng_unseen = substream(seed, "fraud-unseen", tag)  # own stream: the cases above stay as they were
    truth += fraud_unseen.ring_rotation(world, headers, lines, counts["ring_rotation"], rng_unseen, counters)
    truth += fraud_unseen.price_creep(world, headers, lines, counts["price_creep"], rng_unseen, counters)
    lines["supplier_offer_id"] = world.suppliers.offers["supplier_offer_id"].to_numpy()[lines["offer_row"].to_numpy()]
    lines["material_id"] = world.catalogue.materials["material_id"].to_numpy()[lines["material"].to_numpy()]
    lines["promised_date"] = headers["promised_date"].to_numpy()[lines["po"].to_numpy()]
    lines["warehouse_id"] = headers["warehouse_id"].to_numpy()[lines["po"].to_numpy()]
    lines["created_at"] = headers["created_at"].to_numpy()[lines["po"].to_numpy()]

    deliveries = build_deliveries(world, headers, lines, substream(seed, "deliveries", tag), counters)
    money = finance.build_invoices(world, headers, deliveries, substream(seed, "invoices", tag), counters)
    invoices, payments = money["ap_invoices"], money["payments"]
    invoices, payments, dup_truth = fraud.duplicate_invoices(world, invoices, payments, counts["duplicate_invoices"],
                                                             rng_fraud, counters)
    truth += dup_truth
    truth += fraud.round_amounts(invoices, payments, counts["round_amount_invoices"], rng_fraud, counters)
    bank, bank_truth = fraud.bank_change_before_payment(world, payments, bank_history,
                                                        counts["bank_change_before_payment"], rng_fraud, counters)
    truth += bank_truth
    finance.resolve_paid_accounts(world, payments, bank)
    _order_milestones(headers, deliveries["goods_receipts"], invoices, substream(seed, "po-close", tag))

    sales = build_sales(world, customers, t0, t1, substream(seed, "sales", tag), counters)
    frames = {"purchase_orders": headers, "purchase_order_lines": lines, **deliveries,
              "ap_invoices": invoices, "payments": payments, **sales}
    return ErpPeriod(frames=frames, bank_history=bank, fraud_truth=truth)


def _order_milestones(headers: pd.DataFrame, receipts: pd.DataFrame, invoices: pd.DataFrame,
                      rng: np.random.Generator) -> None:
    """First/last receipt and closing time of each order (hidden lifecycle columns, in place)."""
    n = len(headers)
    po = receipts["po"].to_numpy()
    t = receipts["received_at"].to_numpy()
    first = np.full(n, np.inf)
    last = np.full(n, -np.inf)
    np.minimum.at(first, po, t)
    np.maximum.at(last, po, t)
    headers["_first_receipt_at"] = np.where(np.isfinite(first), first, np.nan)
    headers["_received_at"] = np.where(np.isfinite(last), last, np.nan)
    inv_po = invoices["po"].to_numpy()
    paid = invoices["_paid_at"].to_numpy()
    latest = np.full(n, -np.inf)
    np.maximum.at(latest, inv_po, np.where(np.isfinite(paid), paid, np.inf))
    has_invoice = np.bincount(inv_po, minlength=n) > 0
    closable = has_invoice & np.isfinite(latest) & np.isfinite(headers["_received_at"].to_numpy())
    headers["_closed_at"] = np.where(closable, np.floor(np.maximum(latest, headers["_received_at"].to_numpy())
                                                        + rng.uniform(0.5, 3, n) * DAY), np.nan)


def vendor_inactivity(world: World, orders: pd.DataFrame) -> np.ndarray:
    """When each vendor record is set inactive: 300 days after its last order (or 400 after
    creation when it never got one)."""
    v = world.suppliers.vendors
    last = orders.groupby("vendor")["created_at"].max()
    out = v["created_at"].to_numpy() + 400 * DAY
    out[last.index.to_numpy()] = last.to_numpy() + 300 * DAY
    return np.floor(out)


def assign_bank_ids(bank: pd.DataFrame, counters: dict[str, int]) -> pd.DataFrame:
    """Keep existing history ids, number new rows in time order, and close each row's validity."""
    bank = bank.copy()
    if "vendor_bank_account_id" not in bank:
        bank["vendor_bank_account_id"] = None
    new = bank["vendor_bank_account_id"].isna().to_numpy()
    order = np.argsort(bank.loc[new, "changed_at"].to_numpy(), kind="stable")
    ids = np.empty(int(new.sum()), dtype=object)
    ids[order] = [f"VBA-{counters.get('bank', 0) + 1 + i:07d}" for i in range(int(new.sum()))]
    counters["bank"] = counters.get("bank", 0) + int(new.sum())
    bank.loc[new, "vendor_bank_account_id"] = ids
    bank = bank.sort_values(["vendor", "changed_at", "vendor_bank_account_id"], kind="stable").reset_index(drop=True)
    bank["valid_to"] = bank.groupby("vendor")["changed_at"].shift(-1).to_numpy(dtype=float)
    bank["created_at"] = bank["changed_at"]
    return bank


def vendors_at(world: World, bank: pd.DataFrame, inactive_at: np.ndarray, cutoff: float) -> pd.DataFrame:
    """Vendor rows as the ERP shows them at ``cutoff``: current bank account and status."""
    from demo.lifecycle import lifecycle_of, project

    v = world.suppliers.vendors.copy()
    v["_inactive_at"] = inactive_at
    hist = bank[bank["changed_at"] < cutoff]
    latest = hist.sort_values("changed_at", kind="stable").groupby("vendor").tail(1).set_index("vendor")
    changes = hist.groupby("vendor").size()
    idx = latest.index.to_numpy()
    v["_bank_changed_at"] = np.nan
    changed = changes.reindex(idx).to_numpy() > 1
    v.loc[idx[changed], "_bank_changed_at"] = latest["changed_at"].to_numpy()[changed]
    v.loc[idx, "bank_account"] = latest["bank_account"].to_numpy()
    v.loc[idx, "bank_name"] = latest["bank_name"].to_numpy()
    return project(v, lifecycle_of("vendors"), cutoff)

