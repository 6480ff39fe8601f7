"""One simulated period end to end: ERP, CRM, WMS and IoT drops, ground truth.

The first generation is the period ``[window start, window end]`` with no previous cutoff;
each ``advance`` is the period from the previous cutoff to the new one, starting from the
pending state. Both run through :func:`run_period`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from demo import crm_data, ground_truth
from demo.apply import ApplyResult, apply_frame
from demo.dirty import DIRTY_KINDS, inject_erp_dirty
from demo.erp import PERIOD_TABLES, simulate_erp_period, vendor_inactivity
from demo.erp_write import (
    MASTER_TABLES,
    master_frames,
    write_masters,
    write_period,
    write_vendors,
)
from demo.iot import agv_events, gps_events, rfid_events, temperature_events
from demo.iot_io import write_iot
from demo.rng import substream
from demo.state import SimState
from demo.timebase import DAY
from demo.wms import balances_at, build_movements, opening_stock
from demo.wms_files import movement_files, snapshot_files, write_wms
from demo.world import World

Progress = Callable[[str, float], None]
CRM_PERIOD = ("interactions", "tickets")
IOT_PENDING = ("gps", "rfid", "agv")


@dataclass
class RunContext:
    """Everything one run needs."""

    world: World
    customers: pd.DataFrame
    contacts: pd.DataFrame
    state: SimState
    engine: sa.Engine
    crm_engine: sa.Engine
    demo_dir: Path
    wms_landing: Path
    iot_landing: Path
    progress: Progress = field(default=lambda label, fraction: None)
    last_iot_files: list[str] = field(default_factory=list)
    last_updates: dict[str, int] = field(default_factory=dict)

    @property
    def truth_dir(self) -> Path:
        return self.demo_dir / "ground_truth"


def _count(world: World, per_scale: float, period_days: float, rng: np.random.Generator, initial: bool) -> int:
    if initial:
        return max(1, round(per_scale * world.scale))
    return int(rng.poisson(per_scale * world.scale * period_days / world.window_days))


def run_period(ctx: RunContext, t0: float, t1: float, tag: str, *, initial: bool) -> dict[str, int]:
    """Simulate ``[t0, t1)`` and write every system; returns counts for the manifest."""
    world, state = ctx.world, ctx.state
    c_old = None if initial else t0
    counts: dict[str, int] = {}
    period_days = (t1 - t0) / DAY
    rng_counts = substream(world.seed, "injection-counts", tag)

    ctx.progress("simulating ERP transactions", 0.15)
    bank = state.bank_history if state.bank_history is not None else world.suppliers.bank_accounts
    period = simulate_erp_period(world, ctx.customers, bank, t0, t1, tag, state.counters, initial=initial)
    if initial:
        state.vendor_inactive_at = vendor_inactivity(world, period.frames["purchase_orders"]).tolist()
    ctx.progress("writing the ERP database", 0.35)
    result = ApplyResult()
    erp_frames = {n: _concat(state.pending.get(n), period.frames[n]) for n in PERIOD_TABLES}
    masters = master_frames(world) if initial else {n: state.pending[n] for n in MASTER_TABLES if n in state.pending}
    with ctx.engine.begin() as conn:
        write_masters(conn, masters, c_old, t1, result)
        state.bank_history = write_vendors(conn, world, period.bank_history, state.counters,
                                           np.asarray(state.vendor_inactive_at), c_old, t1, result)
        write_period(conn, erp_frames, c_old, t1, result)
    per_kind = {k: _count(world, world.profile.dirty.erp_rows_per_kind, period_days, rng_counts, initial)
                for k in DIRTY_KINDS}
    dirty = inject_erp_dirty(ctx.engine, result.visible, per_kind, substream(world.seed, "dirty", tag))
    for name in (*PERIOD_TABLES, *MASTER_TABLES):
        if name in result.pending:
            state.pending[name] = result.pending[name]
    counts.update({f"erp.{k}": v for k, v in result.inserted.items()})
    del erp_frames, masters
    for name in ("purchase_orders", "purchase_order_lines", "quality_inspections", "vendor_returns", "ap_invoices",
                 "payments"):
        period.frames.pop(name)  # free memory: the drops below need receipts, shipments and sales only

    ctx.progress("writing the CRM", 0.55)
    crm = ApplyResult()
    crm_frames = {"interactions": crm_data.build_interactions(world, ctx.customers, ctx.contacts, t0, t1, tag,
                                                              state.counters),
                  "tickets": crm_data.build_tickets(world, period.frames, tag, state.counters)}
    with ctx.crm_engine.begin() as conn:
        for name, frame in (("customers", crm_data.customer_frame(ctx.customers)), ("contacts", ctx.contacts)):
            apply_frame(conn, crm_data.crm_metadata.tables[name], name, frame, c_old, t1, crm, keep_pending=False,
                        transform=crm_data.to_crm)
        for name in CRM_PERIOD:
            frame = _concat(state.pending.get(f"crm_{name}"), crm_frames[name])
            apply_frame(conn, crm_data.crm_metadata.tables[name], name, frame, c_old, t1, crm, transform=crm_data.to_crm)
            state.pending[f"crm_{name}"] = crm.pending[name]
    counts.update({f"crm.{k}": v for k, v in crm.inserted.items()})
    ctx.last_updates = {**{f"erp.{k}": v for k, v in result.updated.items()},
                        **{f"crm.{k}": v for k, v in crm.updated.items()}}

    ctx.progress("writing WMS drops", 0.7)
    new_mv, diffs = build_movements(world, period.frames, tag, state.counters)
    movements = _concat(state.pending.get("wms_movements"), new_mv)
    movements["moved_at"] = np.maximum(movements["moved_at"].to_numpy(dtype=float), t0)
    emit = movements[movements["moved_at"].to_numpy() < t1]
    state.pending["wms_movements"] = movements[movements["moved_at"].to_numpy() >= t1]
    if initial:
        opening = opening_stock(emit, world.seed)
        ends = _month_ends(t0, t1)
    else:
        opening, ends = state.pending["wms_balance"], [t1]
    balances = balances_at(opening, emit, ends)
    state.pending["wms_balance"] = balances[-1]
    ranges = _month_ranges(t0, t1) if initial else [(int(t0 // DAY), int(t1 // DAY) - 1)]
    n_files = _count(world, world.profile.dirty.wms_malformed_files, period_days, rng_counts, initial)
    n_rows = _count(world, world.profile.dirty.wms_bad_rows, period_days, rng_counts, initial)
    written, wms_dirty = write_wms(ctx.wms_landing, movement_files(emit, ranges),
                                   snapshot_files(balances, [int(e // DAY) - 1 for e in ends]),
                                   substream(world.seed, "wms-files", tag), n_files, n_rows)
    state.files += [f"wms:{p}" for p in written]
    counts.update({"wms.movements": len(emit), "wms.files": len(written)})

    ctx.progress("writing IoT drops", 0.85)
    iot_new = {"gps": gps_events(world, period.frames["shipments"], tag), "rfid": rfid_events(world, new_mv, tag),
               "agv": agv_events(world, new_mv, tag)}
    iot_emit = {}
    for kind in IOT_PENDING:
        events = _concat(state.pending.get(f"iot_{kind}"), iot_new[kind])
        events["recorded_at"] = np.maximum(events["recorded_at"].to_numpy(dtype=float), t0)
        iot_emit[kind] = events[events["recorded_at"].to_numpy() < t1]
        state.pending[f"iot_{kind}"] = events[events["recorded_at"].to_numpy() >= t1]
    iot_emit["temperature"], excursions = temperature_events(world, t0, t1)
    iot_files, duplicates, n_events = write_iot(ctx.iot_landing, iot_emit, substream(world.seed, "iot-files", tag),
                                                world.profile.iot.duplicate_rate)
    state.files += [f"iot:{p}" for p in iot_files]
    counts.update({f"iot.{k}": len(v) for k, v in iot_emit.items()})
    counts.update({"iot.files": len(iot_files), "iot.lines": n_events, "iot.duplicates": len(duplicates)})
    ctx.last_iot_files = iot_files

    ctx.progress("writing ground truth", 0.95)
    td = ctx.truth_dir
    if initial:
        sup = world.suppliers
        counts.update({f"truth.{k}": v for k, v in ground_truth.write_supplier_truth(
            td, sup.company_truth, sup.record_truth, sup.vendors, world.profile.procurement).items()})
        from demo.demand import demand_truth

        counts["truth.buyer_demand.csv"] = ground_truth.write_rows(td, "buyer_demand.csv", demand_truth(world),
                                                                   append=False)
        ground_truth.write_readme(td)
    append = not initial
    for name, rows in (("fraud_cases.csv", period.fraud_truth), ("dirty_rows.csv", dirty + wms_dirty),
                       ("wms_receipt_differences.csv", diffs), ("iot_duplicates.csv", duplicates),
                       ("iot_temperature_excursions.csv", excursions)):
        counts[f"truth.{name}"] = ground_truth.write_rows(td, name, rows, append=append)
    return counts


def _concat(a: pd.DataFrame | None, b: pd.DataFrame) -> pd.DataFrame:
    if a is None or a.empty:
        return b.reset_index(drop=True)
    if b.empty:
        return a.reset_index(drop=True)
    return pd.concat([a, b], ignore_index=True)


def _month_starts(t0: float, t1: float) -> list[int]:
    first = np.datetime64(int(t0 // DAY), "D").astype("datetime64[M]")
    months = np.arange(first, np.datetime64(int(t1 // DAY), "D").astype("datetime64[M]") + 1)
    return [int(m.astype("datetime64[D]").astype(int)) for m in months]


def _month_ranges(t0: float, t1: float) -> list[tuple[int, int]]:
    """Inclusive UTC day ranges of the calendar months covering ``[t0, t1)``."""
    starts = [max(s, int(t0 // DAY)) for s in _month_starts(t0, t1)]
    last = int(t1 // DAY) - 1
    out = []
    for i, s in enumerate(starts):
        e = (starts[i + 1] - 1) if i + 1 < len(starts) else last
        if s <= min(e, last):
            out.append((s, min(e, last)))
    return out


def _month_ends(t0: float, t1: float) -> list[float]:
    """Cutoffs (exclusive) of each month end inside ``(t0, t1]``."""
    return [float((e + 1) * DAY) for _, e in _month_ranges(t0, t1)]
