"""Writing the ERP: master tables, one simulated period, and the vendors' changing rows.

Shared by the first generation and by ``advance``: both call :func:`write_erp_period` with
the previous cutoff (None the first time) and the new one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from demo.apply import ApplyResult, apply_frame, sample_rows
from demo.erp import assign_bank_ids, vendors_at
from demo.timebase import DAY, HOUR
from demo.world import World
from pipelines.sources.erp.tables import metadata

MASTER_TABLES = ("business_units", "subsidiaries", "warehouses", "users", "material_categories", "materials",
                 "supplier_offers", "fx_rates")


def master_frames(world: World) -> dict[str, pd.DataFrame]:
    """Full-lifecycle master frames (offers and FX rates reach into the future)."""
    offers = world.suppliers.offers
    v = world.suppliers.vendors
    vendor_row = pd.Series(np.arange(len(v)), index=v["vendor_id"]).loc[offers["vendor_id"]].to_numpy()
    vendor_created = v["created_at"].to_numpy()[vendor_row]
    keep = offers["valid_to"].to_numpy() * DAY >= vendor_created
    offers = offers[keep].copy()
    created = np.maximum(offers["created_at"].to_numpy(), vendor_created[keep] + HOUR)
    offers["created_at"], offers["updated_at"] = created, created
    return {"business_units": world.group.business_units, "subsidiaries": world.group.subsidiaries,
            "warehouses": world.group.warehouses, "users": world.group.users,
            "material_categories": world.catalogue.categories, "materials": world.catalogue.materials,
            "supplier_offers": offers, "fx_rates": world.fx.rows}


def write_masters(conn: sa.Connection, frames: dict[str, pd.DataFrame], c_old: float | None, c_new: float,
                  result: ApplyResult) -> None:
    """Master tables (first run: all of them; later: only rows whose time has come)."""
    for name, frame in frames.items():
        apply_frame(conn, metadata.tables[name], name, frame, c_old, c_new, result)


def write_vendors(conn: sa.Connection, world: World, bank: pd.DataFrame, counters: dict[str, int],
                  inactive_at: np.ndarray, c_old: float | None, c_new: float, result: ApplyResult) -> pd.DataFrame:
    """Vendor rows and bank-account history at ``c_new``; returns the numbered history."""
    bank = assign_bank_ids(bank, counters)
    vendors = vendors_at(world, bank, inactive_at, c_new)
    table = metadata.tables["vendors"]
    _write_recomputed(conn, table, "vendors", vendors, c_old, result, ("bank_name", "bank_account", "status"))
    apply_frame(conn, metadata.tables["vendor_bank_accounts"], "vendor_bank_accounts", bank, c_old, c_new, result,
                keep_pending=False, extra_mutable=("is_current",))
    return bank


def _write_recomputed(conn: sa.Connection, table: sa.Table, name: str, proj: pd.DataFrame, c_old: float | None,
                      result: ApplyResult, columns: tuple[str, ...]) -> None:
    from demo.dbwriter import insert_frame, update_frame

    created = proj["created_at"].to_numpy(dtype=float)
    if c_old is None:
        new_rows, changed = proj, proj.iloc[0:0]
    else:
        new_rows = proj[created >= c_old]
        changed = proj[(created < c_old) & (proj["updated_at"].to_numpy(dtype=float) >= c_old)]
    result.inserted[name] = result.inserted.get(name, 0) + insert_frame(conn, table, new_rows)
    result.updated[name] = result.updated.get(name, 0) + update_frame(conn, table, changed, list(columns))
    result.visible[name] = sample_rows(new_rows)


def write_period(conn: sa.Connection, frames: dict[str, pd.DataFrame], c_old: float | None, c_new: float,
                 result: ApplyResult) -> None:
    """Transaction tables of simulated periods (new frames plus pending ones)."""
    for name, frame in frames.items():
        apply_frame(conn, metadata.tables[name], name, frame, c_old, c_new, result)
