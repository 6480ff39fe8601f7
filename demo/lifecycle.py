"""How a simulated row looks at a cutoff: visible columns, status and ``updated_at``.

The simulation knows each row's whole future (approved, acknowledged, received, paid …).
A source system at time C shows only what happened before C: the row exists if it was
created before C, timestamps after C are NULL, the status is the most advanced event
before C, and ``updated_at`` is the latest change before C. ``advance`` re-projects the
pending rows at a later cutoff and writes exactly the rows that changed, so incremental
extraction sees realistic inserts and status updates with newer ``updated_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Lifecycle:
    """Projection rules of one table."""

    status: tuple[str, tuple[tuple[str, str], ...]] | None = None  # initial, ((time col, status) by priority)
    nullable: tuple[str, ...] = ()  # timestamp columns that are NULL until they happen
    dependent: dict[str, str] = field(default_factory=dict)  # column -> time column it appears with
    versioned: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (time col, ((col, before col), …))
    extra_times: tuple[str, ...] = ()  # hidden change times that only bump updated_at
    created: str = "created_at"
    status_column: str = "status"

    def time_columns(self) -> list[str]:
        cols = list(self.nullable) + [t for t, _ in self.versioned] + list(self.extra_times)
        if self.status:
            cols += [t for t, _ in self.status[1]]
        return list(dict.fromkeys(cols))


LIFECYCLES: dict[str, Lifecycle] = {
    "purchase_orders": Lifecycle(
        status=("pending_approval", (("approved_at", "approved"), ("acknowledged_at", "acknowledged"),
                                     ("_first_receipt_at", "partially_received"), ("_received_at", "received"),
                                     ("_closed_at", "closed"), ("_cancelled_at", "cancelled"))),
        nullable=("approved_at", "acknowledged_at"), dependent={"approved_by": "approved_at"},
        versioned=(("_override_at", (("total_amount", "_orig_total_amount"),)),)),
    "purchase_order_lines": Lifecycle(
        nullable=("price_overridden_at",), dependent={"price_overridden_by": "price_overridden_at"},
        versioned=(("price_overridden_at", (("unit_price", "_orig_unit_price"), ("line_amount", "_orig_line_amount"))),)),
    "shipments": Lifecycle(status=("in_transit", (("delivered_at", "delivered"),)), nullable=("delivered_at",)),
    "vendor_returns": Lifecycle(status=("requested", (("_shipped_back_at", "shipped"), ("credited_at", "credited"))),
                                nullable=("credited_at",)),
    "ap_invoices": Lifecycle(
        status=("received", (("approved_at", "approved"), ("_disputed_at", "disputed"),
                             ("_first_paid_at", "partially_paid"), ("_paid_at", "paid"))),
        nullable=("approved_at",), dependent={"approved_by": "approved_at"}),
    "sales_orders": Lifecycle(
        status=("confirmed", (("shipped_at", "shipped"), ("delivered_at", "delivered"), ("_closed_at", "closed"),
                              ("_cancelled_at", "cancelled"))),
        nullable=("shipped_at", "delivered_at")),
    "vendor_bank_accounts": Lifecycle(nullable=("valid_to",)),
    "vendors": Lifecycle(status=("active", (("_inactive_at", "inactive"), ("_blocked_at", "blocked"))),
                         extra_times=("_bank_changed_at",)),
    "customers": Lifecycle(status=("active", (("_inactive_at", "inactive"),))),
    "contacts": Lifecycle(versioned=(("_changed_at", (("phone", "_old_phone"),)),)),
    "tickets": Lifecycle(
        status=("open", (("first_response_at", "in_progress"), ("resolved_at", "resolved"), ("_closed_at", "closed"))),
        nullable=("first_response_at", "resolved_at")),
}
IMMUTABLE = Lifecycle()


def lifecycle_of(table: str) -> Lifecycle:
    return LIFECYCLES.get(table, IMMUTABLE)


def project(frame: pd.DataFrame, rules: Lifecycle, cutoff: float) -> pd.DataFrame:
    """Rows of ``frame`` created before ``cutoff``, as the source shows them then (adds ``updated_at``)."""
    created = frame[rules.created].to_numpy(dtype=float)
    f = frame[created < cutoff].copy()
    before = {c: f[c].to_numpy(dtype=float) < cutoff for c in rules.time_columns()}
    times = [f[rules.created].to_numpy(dtype=float)]
    for col, tcol in rules.dependent.items():
        f[col] = np.where(before[tcol], f[col].to_numpy(dtype=object), None)
    for tcol, mapping in rules.versioned:
        for col, orig in mapping:
            f[col] = np.where(before[tcol], f[col].to_numpy(), f[orig].to_numpy())
    if rules.status:
        initial, events = rules.status
        status = np.full(len(f), initial, dtype=object)
        for tcol, value in events:
            status = np.where(before[tcol], value, status)
        f[rules.status_column] = status
    for tcol in rules.time_columns():
        values = f[tcol].to_numpy(dtype=float)
        times.append(np.where(before[tcol], values, np.nan))
    for col in rules.nullable:
        f[col] = np.where(before[col], f[col].to_numpy(dtype=float), np.nan)
    f["updated_at"] = np.nanmax(np.vstack(times), axis=0) if len(f) else np.array([], dtype=float)
    return f


def pending_mask(frame: pd.DataFrame, rules: Lifecycle, cutoff: float) -> np.ndarray:
    """Rows that may still change after ``cutoff`` (created later, or a future event)."""
    mask = frame[rules.created].to_numpy(dtype=float) >= cutoff
    for tcol in rules.time_columns():
        values = frame[tcol].to_numpy(dtype=float)
        mask |= np.isfinite(values) & (values >= cutoff)
    return mask
