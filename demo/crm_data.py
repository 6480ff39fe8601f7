"""The CRM's data: customers, contacts, interactions and after-sales tickets in ``crm.db``.

The CRM is a separate system (served over REST by :mod:`demo.crm_server`), so
its timestamps are ISO-8601 UTC strings (``2026-03-01T08:15:00Z``) and its ids are its own.
Tickets follow sales orders: more of them, and more quality tickets, for materials that
chronically defective suppliers deliver, with the ERP vendor_id of the root cause when
the complaint could be traced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from demo.rng import substream
from demo.timebase import (
    DAY,
    HOUR,
    add_business_hours,
    business_time,
    iso_strings,
    local_day,
)
from demo.world import World

crm_metadata = sa.MetaData()


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.String(20))


def _crm_table(name: str, *columns: sa.Column) -> sa.Table:
    table = sa.Table(name, crm_metadata, *columns, sa.Column("created_at", sa.String(20), nullable=False),
                     sa.Column("updated_at", sa.String(20), nullable=False))
    pk = columns[0].name
    sa.Index(f"ix_{name}_keyset", table.c.updated_at, table.c[pk])
    return table


S, N = sa.String(200), sa.Float
customers_t = _crm_table(
    "customers", sa.Column("customer_id", sa.String(20), primary_key=True), sa.Column("name", S),
    sa.Column("customer_type", S), sa.Column("business_unit_code", S), sa.Column("region", S),
    sa.Column("province", S), sa.Column("city", S), sa.Column("country", S), sa.Column("tier", S),
    sa.Column("credit_limit", N), sa.Column("currency", S), sa.Column("subsidiary_id", S),
    sa.Column("owner_user_id", S), sa.Column("status", S))
contacts_t = _crm_table(
    "contacts", sa.Column("contact_id", sa.String(20), primary_key=True), sa.Column("customer_id", S),
    sa.Column("name", S), sa.Column("title", S), sa.Column("phone", S), sa.Column("email", S),
    sa.Column("is_primary", sa.Boolean))
interactions_t = _crm_table(
    "interactions", sa.Column("interaction_id", sa.String(20), primary_key=True), sa.Column("customer_id", S),
    sa.Column("contact_id", S), sa.Column("user_id", S), sa.Column("channel", S), _ts("occurred_at"),
    sa.Column("subject", S), sa.Column("outcome", S))
tickets_t = _crm_table(
    "tickets", sa.Column("ticket_id", sa.String(20), primary_key=True), sa.Column("customer_id", S),
    sa.Column("sales_order_id", S), sa.Column("material_id", S), sa.Column("root_cause_vendor_id", S),
    sa.Column("category", S), sa.Column("severity", S), sa.Column("status", S), sa.Column("subject", S),
    _ts("opened_at"), _ts("first_response_at"), _ts("resolved_at"), sa.Column("assigned_to", S))

#: Entities the CRM API serves, with their id column.
CRM_ENTITIES = {"customers": "customer_id", "contacts": "contact_id", "interactions": "interaction_id",
                "tickets": "ticket_id"}
_TIME_COLUMNS = ("created_at", "updated_at", "occurred_at", "opened_at", "first_response_at", "resolved_at")
TITLES = ("采购经理", "总经理", "财务主管", "仓储主管", "技术负责人", "采购专员")
CHANNELS = ("visit", "phone", "wechat", "email", "exhibition")
OUTCOMES = ("follow_up", "quotation_sent", "order_expected", "no_interest", "complaint_logged")


def to_crm(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as ISO-8601 UTC strings with ``Z`` (in place; returns the frame)."""
    for col in _TIME_COLUMNS:
        if col in frame:
            text = iso_strings(frame[col].to_numpy(dtype=float), sep="T", micros=False)
            frame[col] = pd.Series([None if v is None else v + "Z" for v in text], index=frame.index, dtype=object)
    return frame


def build_contacts(world: World, customers: pd.DataFrame, seed: int) -> pd.DataFrame:
    """1+ contacts per customer; some change their phone number later (a CRM update)."""
    rng = substream(seed, "crm-contacts")
    k = 1 + rng.poisson(max(world.profile.crm.contacts_per_customer - 1, 0), len(customers))
    cust = np.repeat(np.arange(len(customers)), k)
    n = len(cust)
    first = np.r_[True, cust[1:] != cust[:-1]]
    from demo.group import person_name

    names = [customers["primary_contact"].iat[c] if f else person_name(rng) for c, f in zip(cust, first, strict=True)]
    phones = [f"1{int(a)}{int(b):08d}" for a, b in zip(rng.choice([35, 38, 39, 58, 86, 89], n), rng.integers(0, 10**8, n),
                                                           strict=True)]
    old = [f"1{int(a)}{int(b):08d}" for a, b in zip(rng.choice([37, 36, 51], n), rng.integers(0, 10**8, n), strict=True)]
    created = np.floor(customers["created_at"].to_numpy()[cust] + rng.uniform(0, 30, n) * DAY)
    changed = np.where(rng.random(n) < 0.15, np.floor(np.maximum(created, world.start) + rng.uniform(10, 700, n) * DAY), np.nan)
    return pd.DataFrame({
        "contact_id": [f"CON-{i + 1:07d}" for i in range(n)], "customer_id": customers["customer_id"].to_numpy()[cust],
        "name": names, "title": np.array(TITLES, dtype=object)[rng.integers(0, len(TITLES), n)],
        "phone": phones, "_old_phone": np.where(np.isfinite(changed), old, phones),
        "email": [f"contact{i + 1}@{c.lower()}.example.cn" for i, c in enumerate(customers["customer_id"].to_numpy()[cust])],
        "is_primary": first, "created_at": created, "_changed_at": changed,
    })


def customer_frame(customers: pd.DataFrame) -> pd.DataFrame:
    cols = ["customer_id", "name", "customer_type", "business_unit_code", "region", "province", "city", "country",
            "tier", "credit_limit", "currency", "subsidiary_id", "owner_user_id", "created_at", "_inactive_at"]
    return customers[cols].copy()


def build_interactions(world: World, customers: pd.DataFrame, contacts: pd.DataFrame, t0: float, t1: float,
                       tag: str, counters: dict[str, int]) -> pd.DataFrame:
    """Sales interactions (visits, calls, WeChat …) in ``[t0, t1)``, more with active buyers."""
    rng = substream(world.seed, "crm-interactions", tag)
    lo = np.maximum(customers["created_at"].to_numpy(), t0)
    hi = np.minimum(customers["death"].to_numpy() + 60 * DAY, t1)
    active = np.clip(hi - lo, 0, None)
    intensity = world.profile.crm.interactions_per_customer / (world.window_days * DAY)
    rate_boost = np.sqrt(customers["rate"].to_numpy() / customers["rate"].mean())
    k = rng.poisson(intensity * active * (0.5 + 0.5 * rate_boost))
    cust = np.repeat(np.arange(len(customers)), k)
    n = len(cust)
    t = np.clip(business_time(rng, local_day(lo[cust] + rng.random(n) * (hi[cust] - lo[cust]))), t0, t1 - 1)
    by_customer = contacts.groupby("customer_id")["contact_id"].agg(list).to_dict()
    cid = customers["customer_id"].to_numpy()[cust]
    contact = [by_customer[c][int(r) % len(by_customer[c])] for c, r in zip(cid, rng.integers(0, 100, n), strict=True)]
    channel = np.array(CHANNELS, dtype=object)[rng.choice(len(CHANNELS), n, p=[0.25, 0.3, 0.3, 0.1, 0.05])]
    order = np.argsort(t, kind="stable")
    seq = np.empty(n, dtype=np.int64)
    seq[order] = counters.get("interaction", 0) + 1 + np.arange(n)
    counters["interaction"] = counters.get("interaction", 0) + n
    subjects = np.array(["季度回访", "价格谈判", "新品推介", "合同续签", "回款跟进", "投诉处理"], dtype=object)
    return pd.DataFrame({
        "interaction_id": [f"INT-{s:08d}" for s in seq], "customer_id": cid, "contact_id": contact,
        "user_id": customers["owner_user_id"].to_numpy()[cust], "channel": channel, "occurred_at": t,
        "subject": subjects[rng.integers(0, len(subjects), n)],
        "outcome": np.array(OUTCOMES, dtype=object)[rng.integers(0, len(OUTCOMES), n)],
        "created_at": np.floor(t + rng.uniform(0, 2, n) * HOUR),
    })


def build_tickets(world: World, sales: dict[str, pd.DataFrame], tag: str, counters: dict[str, int]) -> pd.DataFrame:
    """After-sales tickets of the period's sales orders (root cause traced to an ERP vendor when known)."""
    rng = substream(world.seed, "crm-tickets", tag)
    profile = world.profile.sales
    orders, lines = sales["sales_orders"], sales["sales_order_lines"]
    sup = world.suppliers
    pairs = sup.pairs
    company = sup.vendors["company"].to_numpy()[pairs["vendor"].to_numpy()]
    defective = sup.company_truth["is_chronically_defective"].to_numpy()[company]
    weight = sup.vendors["activity"].to_numpy()[pairs["vendor"].to_numpy()] * np.where(defective, 8.0, 1.0)
    supply = pd.DataFrame({"material": pairs["material"].to_numpy(), "vendor": pairs["vendor"].to_numpy(),
                           "w": weight, "bad": defective})
    bad_share = supply.groupby("material").apply(lambda g: float((g["w"] * g["bad"]).sum() / g["w"].sum()),
                                                 include_groups=False)
    first_line = lines.groupby("so").head(1)
    mat = first_line["material"].to_numpy()
    so = first_line["so"].to_numpy()
    share = bad_share.reindex(mat).fillna(0).to_numpy()
    delivered = orders["delivered_at"].to_numpy()[so]
    p = profile.ticket_rate * (0.6 + 3.0 * share)
    hit = np.isfinite(delivered) & (rng.random(len(so)) < p)
    so, mat, share, delivered = so[hit], mat[hit], share[hit], delivered[hit]
    n = len(so)
    quality = rng.random(n) < np.clip(profile.quality_ticket_share + 0.4 * share, 0, 1)
    category = np.where(quality, "quality", np.array(["delivery", "billing", "service"], dtype=object)[rng.integers(0, 3, n)])
    by_mat = supply.groupby("material").indices
    root = np.empty(n, dtype=object)
    for i in np.flatnonzero(quality & (rng.random(n) < 0.7)):
        idx = by_mat.get(mat[i])
        if idx is None:
            continue
        w = supply["w"].to_numpy()[idx]
        root[i] = sup.vendors["vendor_id"].iat[int(supply["vendor"].to_numpy()[idx][rng.choice(len(idx), p=w / w.sum())])]
    severity = np.where(quality, np.array(["medium", "high", "critical"], dtype=object)[rng.choice(3, n, p=[0.5, 0.35, 0.15])],
                        np.array(["low", "medium", "high"], dtype=object)[rng.choice(3, n, p=[0.5, 0.4, 0.1])])
    opened = business_time(rng, local_day(delivered + rng.uniform(1, 30, n) * DAY))
    median = pd.Series(severity).map({"critical": 1.0, "high": 4.0, "medium": 12.0, "low": 24.0}).to_numpy()
    first_response = add_business_hours(rng, opened, median, 0.7)
    resolved = np.floor(first_response + rng.lognormal(np.log(np.where(quality, 7.0, 2.5)), 0.6, n) * DAY)
    mats = world.catalogue.materials
    subjects = [f"{mats['name'].iat[m]} {('质量投诉' if q else {'delivery': '到货延迟', 'billing': '发票金额不符', 'service': '售后服务请求'}[c])}"
                for m, q, c in zip(mat, quality, category, strict=True)]
    order = np.argsort(opened, kind="stable")
    seq = np.empty(n, dtype=np.int64)
    seq[order] = counters.get("ticket", 0) + 1 + np.arange(n)
    counters["ticket"] = counters.get("ticket", 0) + n
    return pd.DataFrame({
        "ticket_id": [f"TCK-{s:07d}" for s in seq], "customer_id": orders["customer_id"].to_numpy()[so],
        "sales_order_id": orders["sales_order_id"].to_numpy()[so], "material_id": mats["material_id"].to_numpy()[mat],
        "root_cause_vendor_id": root, "category": category, "severity": severity, "subject": subjects,
        "opened_at": opened, "first_response_at": first_response, "resolved_at": resolved,
        "assigned_to": orders["sales_rep_id"].to_numpy()[so], "created_at": opened,
        "_closed_at": np.floor(resolved + rng.uniform(1, 7, n) * DAY),
    })
