"""The feature snapshot shipped with the fraud model, and the order features computed from it.

Online scoring (:mod:`models.ml.risk`) has one order in hand and no lake. What the batch SQL
(:mod:`models.ml.features.orders`) looks up in other tables is frozen at training time into
an :class:`OrderSnapshot`: each unit's approval limit, the latest reference rate of each
currency, each vendor's onboarding date, each material's median unit price. From the order
and the snapshot, :func:`order_feature_vector` computes the same features, with the same
definitions, as the SQL.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from models.ml.features.sources import FeatureConfig, Sources, fx_sql

if TYPE_CHECKING:
    import duckdb


@dataclass
class OrderSnapshot:
    """Lookups frozen at training time (see the module docstring)."""

    config: FeatureConfig = field(default_factory=FeatureConfig)
    approval_limits: dict[str, float] = field(default_factory=dict)
    fx_to_group: dict[str, float] = field(default_factory=dict)
    vendor_onboarded: dict[str, str] = field(default_factory=dict)  # vendor_id -> ISO date
    material_median_price: dict[str, float] = field(default_factory=dict)  # "material|currency" -> price
    as_of: str = ""


def build_order_snapshot(
    con: duckdb.DuckDBPyConnection, sources: Sources | None = None, config: FeatureConfig | None = None
) -> OrderSnapshot:
    """Freeze the lookups from the lake (or the relations named by ``sources``)."""
    s, c = sources or Sources(), config or FeatureConfig()
    limits = con.sql(f"select business_unit_code, cast(approval_limit as double) from {s.business_units} "
                     "where approval_limit is not null").fetchall()
    fx = con.sql(f"with fx as ({fx_sql(s, c)}) select from_currency, arg_max(rate, rate_date) from fx "
                 "group by from_currency").fetchall()
    vendors = con.sql(f"select vendor_id, cast(cast(created_at as date) as varchar) from {s.vendors} "
                      "where created_at is not null").fetchall()
    medians = con.sql(f"select material_id, currency, median(cast(unit_price as double)) from {s.purchase_order_lines} "
                      "where unit_price > 0 and material_id is not null group by material_id, currency").fetchall()
    as_of = con.execute(f"select cast(max(cast(order_date as date)) as varchar) from {s.purchase_orders}").fetchall()[0][0]
    return OrderSnapshot(
        config=c,
        approval_limits={u: float(v) for u, v in limits},
        fx_to_group={cur: float(r) for cur, r in fx},
        vendor_onboarded=dict(vendors),
        material_median_price={f"{m}|{cur}": float(p) for m, cur, p in medians},
        as_of=as_of or "",
    )


def _timestamp(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def is_off_hours(moment: dt.datetime, config: FeatureConfig) -> bool:
    """Night (``night_start_hour``..``night_end_hour``) or weekend in the group's time zone."""
    local = moment.astimezone(ZoneInfo(config.timezone))
    return local.hour >= config.night_start_hour or local.hour < config.night_end_hour or local.isoweekday() >= 6


def _to_group(amount: float, currency: str, snapshot: OrderSnapshot) -> float:
    if currency == snapshot.config.group_currency:
        return amount
    if currency not in snapshot.fx_to_group:
        raise ValueError(f"no reference rate for {currency!r} in the model snapshot "
                         f"(known: {', '.join(sorted(snapshot.fx_to_group)) or 'none'})")
    return amount * snapshot.fx_to_group[currency]


def order_feature_vector(order: Mapping[str, Any], snapshot: OrderSnapshot) -> dict[str, float]:
    """The purchase-order features of one order (the contract is in :mod:`models.ml.risk`).

    Raises:
        ValueError: a negative amount, or a currency without a reference rate.
    """
    c = snapshot.config
    currency = str(order.get("currency") or c.group_currency)
    amount = float(order.get("total_amount", 0) or 0)
    if amount < 0:
        raise ValueError("total_amount must not be negative")
    amount_cny = _to_group(amount, currency, snapshot)
    limit = order.get("approval_limit")
    limit = float(limit) if limit not in (None, "") else snapshot.approval_limits.get(str(order.get("business_unit_code")))
    ratio = amount_cny / limit if limit else 0.0
    siblings = [float(a) for a in order.get("same_vendor_recent_amounts") or ()]
    siblings_under = sum(1 for a in siblings if limit and c.under_limit_share * limit <= a < limit)
    total_ratio = (amount_cny + sum(siblings)) / limit if (siblings and limit) else 0.0
    ordered_at = _timestamp(order.get("ordered_at")) or dt.datetime.now(dt.UTC)
    approved_at = _timestamp(order.get("approved_at"))
    buyer, approver = order.get("buyer_id"), order.get("approved_by")

    override_lines, off_hours, after_approval = 0, 0, 0
    uplifts, vs_medians = [], []
    for line in order.get("lines") or ():
        price = float(line.get("unit_price") or 0)
        median = snapshot.material_median_price.get(f"{line.get('material_id')}|{line.get('currency') or currency}")
        vs_medians.append(price / median - 1 if median else 0.0)
        changed_at = _timestamp(line.get("price_overridden_at"))
        offer = float(line.get("offer_price") or 0)
        uplifts.append(price / offer - 1 if (changed_at is not None and offer > 0) else 0.0)
        if changed_at is None:
            continue
        override_lines += 1
        off_hours = max(off_hours, int(is_off_hours(changed_at, c)))
        after_approval = max(after_approval, int(approved_at is not None and changed_at > approved_at))
    uplift = max(uplifts) if uplifts else 0.0
    vs_median = min(max(max(vs_medians), -1.0), 5.0) if vs_medians else 0.0

    onboarded = order.get("vendor_onboarded_at") or snapshot.vendor_onboarded.get(str(order.get("vendor_id")))
    onboarded_at = _timestamp(onboarded)
    order_date = ordered_at.astimezone(ZoneInfo(c.timezone)).date()  # the business date, as in the ERP
    tenure = max((order_date - onboarded_at.date()).days, 0) if onboarded_at else 0
    return {
        "log_amount_cny": math.log1p(max(amount_cny, 0.0)),
        "limit_ratio": ratio,
        "just_under_limit": float(bool(limit) and ratio >= c.under_limit_share and amount_cny < limit),
        "split_siblings": float(len(siblings)),
        "split_siblings_under_limit": float(siblings_under),
        "split_total_ratio": total_ratio,
        "split_under_limit": float(bool(siblings) and bool(limit) and amount_cny < limit and total_ratio > 1),
        "self_approved": float(approver is not None and approver == buyer),
        "override_lines": float(override_lines),
        "override_off_hours": float(off_hours),
        "override_after_approval": float(after_approval),
        "max_override_uplift": uplift,
        "max_price_vs_median": vs_median,
        "log_vendor_tenure_days": math.log1p(tenure),
        "created_off_hours": float(is_off_hours(ordered_at, c)),
    }
