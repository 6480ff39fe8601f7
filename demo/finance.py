"""Accounts payable: one invoice per shipment, and the payments that settle it.

Domestic suppliers issue VAT invoices (数电票, 20 digits, or older 8-digit fapiao numbers)
at 13%; foreign ones a commercial invoice without VAT. Invoices are approved within a day
or two, disputed when an inspection of the shipment failed, and paid around the due date
(payment terms of the vendor record), a few in two instalments. The bank account paid to
is resolved later from the vendor's bank-account history (so a fraudulent change shows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.timebase import add_business_hours, business_time, local_day
from demo.world import World


def build_invoices(world: World, headers: pd.DataFrame, deliveries: dict[str, pd.DataFrame],
                   rng: np.random.Generator, counters: dict[str, int]) -> dict[str, pd.DataFrame]:
    """AP invoices and payments of the delivered shipments."""
    prof = world.profile.procurement
    receipts, shipments = deliveries["goods_receipts"], deliveries["shipments"]
    ship = receipts["ship_row"].to_numpy()
    amount = receipts["quantity"].to_numpy() * receipts["unit_price"].to_numpy()
    net = np.round(np.bincount(ship, weights=amount, minlength=len(shipments)), 2)
    last_receipt = np.zeros(len(shipments))
    np.maximum.at(last_receipt, ship, receipts["received_at"].to_numpy())
    has = np.bincount(ship, minlength=len(shipments)) > 0
    s = shipments[has].reset_index(drop=True)
    net, last_receipt = net[has], last_receipt[has]
    n = len(s)
    po = s["po"].to_numpy()
    vendor = headers["vendor"].to_numpy()[po]
    v = world.suppliers.vendors
    foreign = v["is_foreign"].to_numpy()[vendor]
    tax_rate = np.where(foreign, 0.0, 0.13)
    tax = np.round(net * tax_rate, 2)
    invoice_day = local_day(last_receipt) + rng.integers(0, prof.invoice_lag_days_max + 1, n)
    received_at = np.maximum(business_time(rng, invoice_day + rng.integers(0, 4, n)), last_receipt + 3600)
    terms = headers["payment_terms_days"].to_numpy()[po]
    due = invoice_day + terms
    approved_at = add_business_hours(rng, received_at, 20.0)
    failed_ships = set(deliveries["quality_inspections"].loc[
        deliveries["quality_inspections"]["result"] == "fail", "shipment_id"])
    disputed = s["shipment_id"].isin(failed_ships).to_numpy()
    unit = headers["business_unit_code"].to_numpy()[po]
    finance = np.empty(n, dtype=object)
    for u in np.unique(unit):
        m = unit == u
        staff = world.users_of(u, "finance")
        finance[m] = staff[rng.integers(0, len(staff), m.sum())]
    year = (local_day(received_at) // 365.2425 + 1970).astype(int) % 100
    modern = rng.random(n) < 0.7
    numbers = [
        (f"INV-{2000 + y}-{int(r):05d}" if f else
         f"{y:02d}{int(r) % 10**18:018d}" if md else f"{int(r) % 10**8:08d}")
        for y, r, f, md in zip(year, rng.integers(10**15, 10**18, n), foreign, modern, strict=True)
    ]
    seq = np.empty(n, dtype=np.int64)
    order = np.argsort(received_at, kind="stable")
    seq[order] = counters.get("invoice", 0) + 1 + np.arange(n)
    counters["invoice"] = counters.get("invoice", 0) + n
    invoices = pd.DataFrame({
        "ap_invoice_id": [f"INV-{x:08d}" for x in seq], "invoice_number": numbers,
        "vendor_id": v["vendor_id"].to_numpy()[vendor], "purchase_order_id": s["purchase_order_id"].to_numpy(),
        "shipment_id": s["shipment_id"].to_numpy(), "invoice_date": invoice_day, "received_at": received_at,
        "due_date": due.astype(float), "net_amount": net, "tax_rate": tax_rate, "tax_amount": tax,
        "gross_amount": np.round(net + tax, 2), "currency": s["vendor_id"].map(v.set_index("vendor_id")["currency"]).to_numpy(),
        "approved_at": approved_at, "approved_by": finance, "created_at": received_at,
        "_disputed_at": np.where(disputed, approved_at + 3600, np.nan), "po": po, "vendor": vendor,
        "unit": unit, "foreign": foreign,
    })
    payments = build_payments(world, invoices, rng, counters)
    paid = payments.groupby("inv")["paid_at"].agg(["min", "max", "count"])
    invoices["_first_paid_at"] = np.nan
    invoices["_paid_at"] = np.nan
    invoices.loc[paid.index, "_paid_at"] = paid["max"].to_numpy()
    split = paid.index[paid["count"] > 1]
    invoices.loc[split, "_first_paid_at"] = paid.loc[split, "min"].to_numpy()
    return {"ap_invoices": invoices, "payments": payments}


def build_payments(world: World, invoices: pd.DataFrame, rng: np.random.Generator,
                   counters: dict[str, int], *, index: np.ndarray | None = None) -> pd.DataFrame:
    """Payments of ``invoices`` (rows ``index``, default all): due date ± noise, some split in two."""
    prof = world.profile.procurement
    idx = np.arange(len(invoices)) if index is None else index
    inv = invoices.iloc[idx]
    n = len(inv)
    gross = inv["gross_amount"].to_numpy()
    disputed = np.isfinite(inv["_disputed_at"].to_numpy())
    pay_day = inv["due_date"].to_numpy() + np.round(rng.normal(0, prof.payment_delay_sd_days, n)) + np.where(disputed, 15, 0)
    pay_day = np.maximum(pay_day, local_day(inv["approved_at"].to_numpy()) + 1)
    split = rng.random(n) < prof.split_payment_rate
    first_share = np.where(split, np.round(rng.uniform(0.5, 0.7, n), 2), 1.0)
    rows_inv = np.concatenate([np.arange(n), np.flatnonzero(split)])
    part = np.concatenate([np.zeros(n, dtype=int), np.ones(int(split.sum()), dtype=int)])
    amount = np.where(part == 0, np.round(gross[rows_inv] * first_share[rows_inv], 2),
                      np.round(gross[rows_inv] - np.round(gross[rows_inv] * first_share[rows_inv], 2), 2))
    day = np.where(part == 0, pay_day[rows_inv] - np.where(split[rows_inv], 5, 0), pay_day[rows_inv] + rng.integers(5, 30, len(rows_inv)))
    paid_at = business_time(rng, day)
    foreign = inv["foreign"].to_numpy()[rows_inv]
    method = np.where(foreign, "telegraphic_transfer",
                      np.where(rng.random(len(rows_inv)) < 0.25, "bank_acceptance_bill", "bank_transfer"))
    unit = inv["unit"].to_numpy()[rows_inv]
    payer = np.empty(len(rows_inv), dtype=object)
    for u in np.unique(unit):
        m = unit == u
        staff = world.users_of(u, "finance")
        payer[m] = staff[rng.integers(0, len(staff), m.sum())]
    seq = np.empty(len(rows_inv), dtype=np.int64)
    order = np.argsort(paid_at, kind="stable")
    seq[order] = counters.get("payment", 0) + 1 + np.arange(len(rows_inv))
    counters["payment"] = counters.get("payment", 0) + len(rows_inv)
    return pd.DataFrame({
        "payment_id": [f"PAY-{x:08d}" for x in seq], "ap_invoice_id": inv["ap_invoice_id"].to_numpy()[rows_inv],
        "vendor_id": inv["vendor_id"].to_numpy()[rows_inv], "paid_at": paid_at, "payment_date": local_day(paid_at),
        "amount": amount, "currency": inv["currency"].to_numpy()[rows_inv], "bank_name": None, "bank_account": None,
        "payment_method": method, "paid_by": payer, "created_at": paid_at, "inv": idx[rows_inv],
        "vendor": inv["vendor"].to_numpy()[rows_inv],
    })


def resolve_paid_accounts(world: World, payments: pd.DataFrame, bank: pd.DataFrame) -> None:
    """Fill each payment's bank account from the vendor's history at ``paid_at`` (in place)."""
    if payments.empty:
        return
    hist = bank.sort_values("changed_at", kind="stable")
    left = payments[["vendor", "paid_at"]].reset_index().sort_values("paid_at", kind="stable")
    merged = pd.merge_asof(left, hist[["vendor", "changed_at", "bank_name", "bank_account"]],
                           left_on="paid_at", right_on="changed_at", by="vendor", direction="backward")
    merged = merged.set_index("index").loc[payments.index]
    companies = world.suppliers.companies
    company = world.suppliers.vendors["company"].to_numpy()[payments["vendor"].to_numpy()]
    fallback_name = np.array([companies[c].bank_name for c in company], dtype=object)
    fallback_acct = np.array([companies[c].bank_account for c in company], dtype=object)
    have = merged["bank_account"].notna().to_numpy()
    payments["bank_name"] = np.where(have, merged["bank_name"].to_numpy(dtype=object), fallback_name)
    payments["bank_account"] = np.where(have, merged["bank_account"].to_numpy(dtype=object), fallback_acct)
