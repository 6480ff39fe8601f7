"""Injected procurement fraud, with the ground truth of every case kept aside.

Six patterns auditors look for: orders split to stay just under the approval limit, an
order approved by its own buyer, a price raised over the offer at night or on a Sunday
after approval, the same vendor invoice entered twice, an invoice inflated to a
suspiciously round amount, and a vendor bank account switched a few days before a payment
(and switched back after). Each function changes the simulated rows and returns truth
rows ``(fraud_case_id, kind, table, key, related_table, related_keys, detail)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.demand import sample_vendors
from demo.finance import build_payments
from demo.procurement import vendor_pair_ranges
from demo.timebase import CHINA_OFFSET, DAY, HOUR, business_time, local_day
from demo.vendors import _new_account
from demo.world import World

TRUTH_COLUMNS = ["fraud_case_id", "kind", "table", "key", "related_table", "related_keys", "detail"]


def _case(prefix: str, counters: dict[str, int]) -> str:
    counters[f"fraud_{prefix}"] = counters.get(f"fraud_{prefix}", 0) + 1
    return f"FR-{prefix}-{counters[f'fraud_{prefix}']:04d}"


def split_order_plans(world: World, t0: float, t1: float, n_cases: int, rng: np.random.Generator,
                      counters: dict[str, int]) -> pd.DataFrame:
    """Extra planned orders: per case 2-4 orders, same buyer and vendor within two days, each
    targeted at 90-99.5% of the unit's approval limit (so each needs only a level-1 approval)."""
    sup = world.suppliers
    start, count = vendor_pair_ranges(world)
    base = sup.offers["base_price"].to_numpy()[sup.pairs["offset"].to_numpy()]
    unit_price_bound = base * np.maximum(sup.pairs["multiple"].to_numpy(), sup.pairs["moq"].to_numpy())
    rows: list[dict] = []
    subs, whs = world.group.subsidiaries, world.group.warehouses
    for _ in range(n_cases):
        for _attempt in range(50):
            unit = world.profile.units[int(rng.integers(0, len(world.profile.units)))]
            limit = float(unit.approval_limit_cny)
            day = np.floor(t0 / DAY) + int(rng.integers(0, max(1, int((t1 - t0) / DAY) - 2)))
            t = float(business_time(rng, np.array([day]))[0])
            vendor = int(sample_vendors(world, unit.code, np.array([t]), rng)[0])
            if sup.vendors["is_foreign"].iat[vendor]:
                continue
            pairs = np.arange(start[vendor], start[vendor] + count[vendor])
            ok = pairs[unit_price_bound[pairs] < 0.02 * limit]
            if len(ok):
                break
        else:
            continue
        case = _case("SPLIT", counters)
        buyers = world.users_of(unit.code, "buyer")
        buyer = buyers[int(rng.integers(0, len(buyers)))]
        sub_ids = subs.loc[(subs["business_unit_code"] == unit.code) & ~subs["is_overseas"], "subsidiary_id"].to_numpy()
        sub = sub_ids[int(rng.integers(0, len(sub_ids)))]
        wh = whs.loc[whs["subsidiary_id"] == sub, "warehouse_id"].to_numpy()
        pair = int(ok[int(rng.integers(0, len(ok)))])
        for k in range(int(rng.integers(2, 5))):
            tk = float(business_time(rng, np.array([day + min(k, 2)]))[0])
            rows.append({"unit": unit.code, "vendor": vendor, "subsidiary_id": sub, "warehouse_id": wh[0],
                         "buyer_id": buyer, "t": min(max(tk, t0), t1 - 1), "forced_pair": pair,
                         "target_cny": limit * float(rng.uniform(0.90, 0.995)), "fraud_case": case})
    return pd.DataFrame(rows, columns=["unit", "vendor", "subsidiary_id", "warehouse_id", "buyer_id", "t",
                                       "forced_pair", "target_cny", "fraud_case"])


def split_order_truth(headers: pd.DataFrame) -> list[tuple]:
    rows = []
    for case, group in headers[headers["fraud_case"] != ""].groupby("fraud_case", sort=True):
        ids = group["purchase_order_id"].tolist()
        for po in ids:
            rows.append((case, "split_order", "purchase_orders", po, "purchase_orders",
                         ";".join(i for i in ids if i != po),
                         (f"{len(ids)} orders by {group['buyer_id'].iat[0]} to {group['vendor_id'].iat[0]} "
                          f"each under the approval limit {group['approval_limit'].iat[0]:.0f} CNY")))
    return rows


def self_approvals(headers: pd.DataFrame, n: int, rng: np.random.Generator, counters: dict[str, int]) -> list[tuple]:
    """Level-1 orders approved by their own buyer (segregation of duties broken)."""
    pool = np.flatnonzero((headers["approval_level"].to_numpy() == 1) & (headers["fraud_case"].to_numpy() == "")
                          & ~np.isfinite(headers["_cancelled_at"].to_numpy()))
    chosen = np.sort(rng.choice(pool, size=min(n, len(pool)), replace=False))
    headers.loc[chosen, "approved_by"] = headers.loc[chosen, "buyer_id"]
    headers.loc[chosen, "fraud_case"] = "self_approval"
    return [(_case("SELF", counters), "self_approval", "purchase_orders", headers.at[i, "purchase_order_id"],
             "users", headers.at[i, "buyer_id"], "approved_by equals buyer_id") for i in chosen]


def off_hours_overrides(world: World, headers: pd.DataFrame, lines: pd.DataFrame, n: int,
                        rng: np.random.Generator, counters: dict[str, int]) -> list[tuple]:
    """Prices raised 10-25% over the offer between 01:00 and 05:00 (China time) or on a Sunday,
    after approval, by the buyer."""
    po = lines["po"].to_numpy()
    pool = np.flatnonzero(~np.isfinite(lines["price_overridden_at"].to_numpy())
                          & (headers["fraud_case"].to_numpy()[po] == "")
                          & ~np.isfinite(headers["_cancelled_at"].to_numpy()[po])
                          & (headers["currency"].to_numpy()[po] == "CNY"))
    chosen = np.sort(rng.choice(pool, size=min(n, len(pool)), replace=False))
    out = []
    for i in chosen:
        p = po[i]
        approved_day = local_day(np.array([headers.at[p, "approved_at"]]))[0]
        day = approved_day + 1
        if rng.random() < 0.4:  # the next Sunday, in office hours: nobody around to notice
            day += (6 - (day + 3) % 7) % 7
            hour = float(rng.uniform(9, 17))
        else:
            hour = float(rng.uniform(1, 5))
        at = np.floor(day * DAY - CHINA_OFFSET + hour * HOUR)
        factor = float(rng.uniform(1.10, 1.25))
        new_price = round(lines.at[i, "unit_price"] * factor, 2)
        lines.at[i, "unit_price"] = new_price
        lines.at[i, "line_amount"] = round(lines.at[i, "quantity"] * new_price, 2)
        lines.at[i, "price_overridden_at"] = at
        lines.at[i, "price_overridden_by"] = headers.at[p, "buyer_id"]
        headers.at[p, "_override_at"] = np.nanmax([headers.at[p, "_override_at"], at])
        out.append((_case("PRICE", counters), "off_hours_price_override", "purchase_order_lines",
                    lines.at[i, "purchase_order_line_id"], "supplier_offers", "",
                    f"unit price raised x{factor:.3f} at local hour {hour:.1f} on weekday {int((day + 3) % 7)}"))
    totals = np.round(np.bincount(po, weights=lines["line_amount"].to_numpy(), minlength=len(headers)), 2)
    headers["total_amount"] = totals
    return out


def duplicate_invoices(world: World, invoices: pd.DataFrame, payments: pd.DataFrame, n: int,
                       rng: np.random.Generator, counters: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple]]:
    """The same vendor invoice entered again weeks later (number sometimes reformatted), often paid twice."""
    chosen = np.sort(rng.choice(len(invoices), size=min(n, len(invoices)), replace=False))
    dup = invoices.iloc[chosen].copy()
    shift = np.floor(rng.uniform(3, 40, len(dup)) * DAY)
    for col in ("received_at", "approved_at", "created_at"):
        dup[col] = dup[col].to_numpy() + shift
    style = rng.integers(0, 10, len(dup))
    dup["invoice_number"] = [num if s < 7 else (f"{num}-1" if s < 9 else f"No.{num}")
                             for num, s in zip(dup["invoice_number"], style, strict=True)]
    seq = counters.get("invoice", 0) + 1 + np.arange(len(dup))
    counters["invoice"] = counters.get("invoice", 0) + len(dup)
    dup["ap_invoice_id"] = [f"INV-{x:08d}" for x in seq]
    dup["_paid_at"], dup["_first_paid_at"] = np.nan, np.nan
    dup["due_date"] = np.maximum(dup["due_date"].to_numpy(), local_day(dup["approved_at"].to_numpy()) + 2)
    start = len(invoices)
    invoices = pd.concat([invoices, dup], ignore_index=True)
    paid = rng.random(len(dup)) < 0.7
    extra = build_payments(world, invoices, rng, counters, index=start + np.flatnonzero(paid))
    extra = extra.groupby("inv", sort=False).head(1)  # a duplicate is paid in one go
    invoices.loc[extra["inv"].to_numpy(), "_paid_at"] = extra["paid_at"].to_numpy()
    extra["amount"] = invoices["gross_amount"].to_numpy()[extra["inv"].to_numpy()]
    payments = pd.concat([payments, extra], ignore_index=True)
    truth = [(_case("DUPINV", counters), "duplicate_invoice", "ap_invoices", invoices.at[start + j, "ap_invoice_id"],
              "ap_invoices", invoices.at[i, "ap_invoice_id"], "paid twice" if paid[j] else "entered twice")
             for j, i in enumerate(chosen)]
    return invoices, payments, truth


def round_amounts(invoices: pd.DataFrame, payments: pd.DataFrame, n: int, rng: np.random.Generator,
                  counters: dict[str, int]) -> list[tuple]:
    """Invoices inflated 5-30% to a round gross amount (and paid so)."""
    single = payments.groupby("inv").size()
    pool = np.intersect1d(single.index[single == 1].to_numpy(),
                          np.flatnonzero((invoices["gross_amount"].to_numpy() > 20000) & (invoices["currency"].to_numpy() == "CNY")))
    chosen = np.sort(rng.choice(pool, size=min(n, len(pool)), replace=False))
    out = []
    for i in chosen:
        gross = invoices.at[i, "gross_amount"]
        step = 10.0 ** (np.floor(np.log10(gross)) - 1)
        new = float(np.ceil(gross * rng.uniform(1.05, 1.30) / step) * step)
        rate = invoices.at[i, "tax_rate"]
        net = round(new / (1 + rate), 2)
        invoices.at[i, "gross_amount"], invoices.at[i, "net_amount"] = new, net
        invoices.at[i, "tax_amount"] = round(new - net, 2)
        payments.loc[payments["inv"] == i, "amount"] = new
        out.append((_case("ROUND", counters), "round_amount_invoice", "ap_invoices", invoices.at[i, "ap_invoice_id"],
                    "goods_receipts", invoices.at[i, "shipment_id"], f"gross {gross:.2f} inflated to {new:.2f}"))
    return out


def bank_change_before_payment(world: World, payments: pd.DataFrame, bank: pd.DataFrame, n: int,
                               rng: np.random.Generator, counters: dict[str, int]) -> tuple[pd.DataFrame, list[tuple]]:
    """A vendor's account switched 1-5 days before a payment and switched back 2-10 days after."""
    with_history = set(bank["vendor"].tolist())
    domestic = ~world.suppliers.vendors["is_foreign"].to_numpy()[payments["vendor"].to_numpy()]
    pool = np.flatnonzero(domestic & payments["vendor"].isin(with_history).to_numpy())
    chosen = np.sort(rng.choice(pool, size=min(n, len(pool)), replace=False))
    users = world.group.users
    rows, out = [], []
    for i in chosen:
        vendor, paid_at = int(payments.at[i, "vendor"]), float(payments.at[i, "paid_at"])
        history = bank[(bank["vendor"] == vendor) & (bank["changed_at"] < paid_at)].sort_values("changed_at")
        if history.empty:
            continue
        before = history.iloc[-1]
        changed_at = np.floor(paid_at - rng.uniform(1, 5) * DAY)
        if changed_at <= before["changed_at"]:
            continue
        unit = world.suppliers.vendors.at[vendor, "business_unit_code"]
        staff = users.loc[(users["business_unit_code"] == unit) & users["role"].isin(["finance", "buyer"]), "user_id"].to_numpy()
        who = staff[int(rng.integers(0, len(staff)))]
        name, account = _new_account(rng, str(rng.choice(["深圳", "东莞", "昆明", "南宁", "海口"])))
        revert_at = np.floor(paid_at + rng.uniform(2, 10) * DAY)
        vendor_id = payments.at[i, "vendor_id"]
        rows.append({"vendor": vendor, "vendor_id": vendor_id, "bank_name": name, "bank_account": account,
                     "changed_at": changed_at, "changed_by": who})
        rows.append({"vendor": vendor, "vendor_id": vendor_id, "bank_name": before["bank_name"],
                     "bank_account": before["bank_account"], "changed_at": revert_at, "changed_by": who})
        out.append((_case("BANK", counters), "bank_change_before_payment", "payments", payments.at[i, "payment_id"],
                    "vendors", vendor_id, (f"account switched to {account} by {who} "
                                           f"{(paid_at - changed_at) / DAY:.1f} days before payment, reverted after")))
    return pd.concat([bank, pd.DataFrame(rows)], ignore_index=True), out
