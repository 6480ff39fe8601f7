"""The WMS: stock movements and stock snapshots of the warehouses that run one.

Movements (signed quantities: + into stock, - out of it): receipts of ERP goods receipts,
issues to production/maintenance afterwards, transfers between a unit's warehouses,
receipts from own production ahead of sales, issues for sales orders, and stocktake
adjustments. Receipts mostly match the ERP; a documented share disagrees (quantity,
missing, a day late, or a receipt the ERP never posted), recorded as ground truth. Stock
never goes negative: every issue follows the receipt it consumes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.procurement import DISCRETE_UOMS
from demo.rng import substream
from demo.timebase import DAY, HOUR, business_time, local_day
from demo.world import World

MOVEMENT_COLUMNS = ["movement_id", "warehouse_code", "sku", "bin", "movement_type", "quantity", "uom",
                    "reference_type", "reference_id", "moved_at", "operator"]
DIFF_COLUMNS = ["kind", "goods_receipt_id", "movement_id", "warehouse_code", "sku", "erp_quantity", "wms_quantity",
                "erp_received_at", "wms_moved_at"]


def bin_of(warehouse_code: np.ndarray, sku: np.ndarray) -> np.ndarray:
    """A stable storage bin per warehouse and SKU (zone-aisle-rack-level)."""
    import zlib

    out = []
    for w, s in zip(warehouse_code, sku, strict=True):
        h = zlib.crc32(f"{w}/{s}".encode())
        out.append(f"{'ABCDEF'[h % 6]}-{h // 6 % 20 + 1:02d}-{h // 120 % 30 + 1:02d}-{h // 3600 % 5 + 1}")
    return np.array(out, dtype=object)


def _round(qty: np.ndarray, discrete: np.ndarray) -> np.ndarray:
    return np.where(discrete, np.round(qty), np.round(qty, 3))


def build_movements(world: World, frames: dict[str, pd.DataFrame], tag: str,
                    counters: dict[str, int]) -> tuple[pd.DataFrame, list[tuple]]:
    """All WMS movements caused by one period's receipts and sales (future ones included)."""
    rng = substream(world.seed, "wms", tag)
    wh = world.group.warehouses.set_index("warehouse_id")
    wms_ids = set(wh.index[wh["has_wms"]])
    mats = world.catalogue.materials.set_index("material_id")
    parts: list[pd.DataFrame] = []
    truth: list[tuple] = []
    users = world.group.users

    gr = frames["goods_receipts"]
    gr = gr[gr["warehouse_id"].isin(wms_ids)].reset_index(drop=True)
    n = len(gr)
    discrete = gr["uom"].isin(list(DISCRETE_UOMS)).to_numpy()
    diff_rate = world.profile.wms.receipt_difference_rate
    kinds = list(world.profile.wms.difference_weights)
    kw = np.array([world.profile.wms.difference_weights[k] for k in kinds])
    kind = np.where(rng.random(n) < diff_rate, np.array(kinds, dtype=object)[rng.choice(len(kinds), n, p=kw / kw.sum())], "")
    qty = gr["quantity"].to_numpy(dtype=float)
    wms_qty = np.where(kind == "quantity_mismatch",
                       _round(qty * (1 + rng.choice([-1, 1], n) * rng.uniform(0.01, 0.05, n)), discrete), qty)
    wms_qty = np.where((kind == "quantity_mismatch") & (wms_qty == qty), qty + np.where(discrete, 1, 0.5), wms_qty)
    moved = np.floor(gr["received_at"].to_numpy() + rng.uniform(5, 60, n) * 60)
    moved = np.where(kind == "date_shift", moved + rng.integers(1, 4, n) * DAY, moved)
    keep = kind != "missing_in_wms"
    receipts = pd.DataFrame({"warehouse_id": gr["warehouse_id"], "material_id": gr["material_id"], "uom": gr["uom"],
                             "movement_type": "receipt", "quantity": wms_qty, "reference_type": "goods_receipt",
                             "reference_id": gr["goods_receipt_id"], "moved_at": moved, "unit": gr["unit"],
                             "_gr": np.arange(n)})
    extra = kind == "extra_in_wms"
    ghost = receipts[extra].copy()
    ghost["reference_type"], ghost["reference_id"] = "purchase_order", gr["purchase_order_id"].to_numpy()[extra]
    ghost["quantity"] = _round(ghost["quantity"].to_numpy() * rng.uniform(0.2, 0.6, len(ghost)), discrete[extra])
    ghost["moved_at"] = ghost["moved_at"].to_numpy() + rng.uniform(1, 6, len(ghost)) * HOUR
    ghost["_gr"] = -2 - np.arange(len(ghost))
    parts += [receipts[keep], ghost]

    # issues to consumption (and a few transfers) after each kept receipt
    r = receipts[keep].reset_index(drop=True)
    m = len(r)
    dq = r["uom"].isin(list(DISCRETE_UOMS)).to_numpy()
    share = rng.uniform(world.profile.wms.consumption_min, min(world.profile.wms.consumption_max, 0.99), m)
    k = rng.integers(1, 4, m)
    row = np.repeat(np.arange(m), k)
    w = rng.random(len(row)) + 0.2
    w = w / np.bincount(row, weights=w)[row]
    issue_qty = np.floor(r["quantity"].to_numpy()[row] * share[row] * w * np.where(dq[row], 1, 1000)) / np.where(dq[row], 1, 1000)
    issue_t = business_time(rng, local_day(r["moved_at"].to_numpy()[row]) + rng.integers(1, 46, len(row)))
    issues = pd.DataFrame({"warehouse_id": r["warehouse_id"].to_numpy()[row], "material_id": r["material_id"].to_numpy()[row],
                           "uom": r["uom"].to_numpy()[row], "movement_type": "issue", "quantity": -issue_qty,
                           "reference_type": "work_order", "reference_id": [f"WO-{u}-{x:07d}" for u, x in zip(
                               r["unit"].to_numpy()[row], rng.integers(1, 10**6, len(row)), strict=True)],
                           "moved_at": issue_t, "unit": r["unit"].to_numpy()[row], "_gr": -1})
    issues = issues[issue_qty > 0]
    transfer = rng.random(len(issues)) < 0.05
    peers = wh[wh["has_wms"]].groupby("business_unit_code").groups
    to_wh = [next((p for p in peers.get(u, []) if p != w0), None) for u, w0 in
             zip(issues["unit"].to_numpy()[transfer], issues["warehouse_id"].to_numpy()[transfer], strict=True)]
    t_idx = np.flatnonzero(transfer)[[t is not None for t in to_wh]]
    to_wh = [t for t in to_wh if t is not None]
    issues.iloc[t_idx, issues.columns.get_loc("movement_type")] = "transfer_out"
    issues.iloc[t_idx, issues.columns.get_loc("reference_type")] = "transfer"
    ids = [f"TR-{x:08d}" for x in rng.integers(1, 10**8, len(t_idx))]
    issues.iloc[t_idx, issues.columns.get_loc("reference_id")] = ids
    tin = issues.iloc[t_idx].copy()
    tin["warehouse_id"], tin["movement_type"] = to_wh, "transfer_in"
    tin["quantity"] = -tin["quantity"].to_numpy()
    tin["moved_at"] = tin["moved_at"].to_numpy() + rng.uniform(1, 3, len(tin)) * DAY
    shrink = rng.random(m) < 0.04
    adj = r[shrink].copy()
    adj["movement_type"], adj["reference_type"], adj["_gr"] = "adjustment", "stocktake", -1
    adj["quantity"] = -np.round(adj["quantity"].to_numpy() * rng.uniform(0.001, 0.005, len(adj)), 3)
    adj["reference_id"] = [f"ST-{x:07d}" for x in rng.integers(1, 10**7, len(adj))]
    adj["moved_at"] = business_time(rng, local_day(adj["moved_at"].to_numpy()) + rng.integers(10, 40, len(adj)))
    parts += [issues, tin, adj]

    # sales: production receipt ahead, then the issue for the order
    so, sl = frames["sales_orders"], frames["sales_order_lines"]
    shipped = so["shipped_at"].to_numpy()[sl["so"].to_numpy()]
    from_wh = so["warehouse_id"].to_numpy()[sl["so"].to_numpy()]
    sel = np.isfinite(shipped) & np.isin(from_wh, list(wms_ids))
    s = sl[sel]
    sq = s["quantity"].to_numpy(dtype=float)
    sdisc = s["uom"].isin(list(DISCRETE_UOMS)).to_numpy()
    sales_issue = pd.DataFrame({"warehouse_id": from_wh[sel], "material_id": s["material_id"].to_numpy(), "uom": s["uom"].to_numpy(),
                                "movement_type": "issue", "quantity": -sq, "reference_type": "sales_order",
                                "reference_id": s["sales_order_id"].to_numpy(),
                                "moved_at": np.floor(shipped[sel] - rng.uniform(10, 120, len(s)) * 60),
                                "unit": so["business_unit_code"].to_numpy()[s["so"].to_numpy()], "_gr": -1})
    prod = sales_issue.copy()
    prod["movement_type"], prod["reference_type"] = "receipt", "production_order"
    prod["quantity"] = _round(sq * rng.uniform(1.0, 1.1, len(s)), sdisc)
    prod["reference_id"] = [f"MO-{x:08d}" for x in rng.integers(1, 10**8, len(s))]
    prod["moved_at"] = business_time(rng, local_day(sales_issue["moved_at"].to_numpy()) - rng.integers(1, 11, len(s)))
    prod["moved_at"] = np.minimum(prod["moved_at"].to_numpy(), sales_issue["moved_at"].to_numpy() - HOUR)
    parts += [prod, sales_issue]

    mv = pd.concat(parts, ignore_index=True)
    mv["warehouse_code"] = wh.loc[mv["warehouse_id"], "warehouse_code"].to_numpy()
    mv["sku"] = mats.loc[mv["material_id"], "sku"].to_numpy()
    mv["bin"] = bin_of(mv["warehouse_code"].to_numpy(), mv["sku"].to_numpy())
    clerks = {u: users.loc[(users["business_unit_code"] == u) & (users["role"] == "warehouse_clerk"), "name"].to_numpy()
              for u in world.profile.unit_codes}
    mv["operator"] = [clerks[u][int(x) % len(clerks[u])] for u, x in
                      zip(mv["unit"], rng.integers(0, 1000, len(mv)), strict=True)]
    order = np.argsort(mv["moved_at"].to_numpy(), kind="stable")
    seq = np.empty(len(mv), dtype=np.int64)
    seq[order] = counters.get("movement", 0) + 1 + np.arange(len(mv))
    counters["movement"] = counters.get("movement", 0) + len(mv)
    mv["movement_id"] = [f"MV-{x:09d}" for x in seq]
    booked = mv.loc[mv["_gr"] != -1, ["_gr", "movement_id", "quantity", "moved_at"]]
    rec = {int(k): {"movement_id": m, "quantity": q, "moved_at": t} for k, m, q, t in
           zip(booked["_gr"], booked["movement_id"], booked["quantity"], booked["moved_at"], strict=True)}
    ghost_of = {int(i): -2 - j for j, i in enumerate(np.flatnonzero(extra))}
    codes = wh["warehouse_code"]
    for i in np.flatnonzero(kind != ""):
        g = gr.iloc[i]
        key = ghost_of[int(i)] if kind[i] == "extra_in_wms" else int(i)
        hit = rec.get(key)
        truth.append((kind[i], "" if kind[i] == "extra_in_wms" else g["goods_receipt_id"],
                      "" if hit is None else hit["movement_id"], codes.at[g["warehouse_id"]],
                      mats.at[g["material_id"], "sku"], 0.0 if kind[i] == "extra_in_wms" else float(qty[i]),
                      0.0 if hit is None else float(hit["quantity"]),
                      np.nan if kind[i] == "extra_in_wms" else float(g["received_at"]),
                      np.nan if hit is None else float(hit["moved_at"])))
    return mv.drop(columns=["_gr", "unit"]), truth


def opening_stock(movements: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Stock on hand before the first simulated day, per warehouse/SKU/bin with movements."""
    rng = substream(seed, "wms-opening")
    g = movements.assign(quantity=movements["quantity"].abs()).groupby(
        ["warehouse_code", "sku", "bin", "uom"], sort=True)["quantity"].median()
    out = g.reset_index().rename(columns={"quantity": "quantity_on_hand"})
    out["quantity_on_hand"] = np.round(out["quantity_on_hand"].to_numpy() * rng.uniform(0.2, 1.5, len(out)), 3)
    return out


def balances_at(opening: pd.DataFrame, movements: pd.DataFrame, times: list[float]) -> list[pd.DataFrame]:
    """Stock on hand after each time in ``times`` (ascending), from ``opening`` plus ``movements``."""
    keys = ["warehouse_code", "sku", "bin", "uom"]
    period = np.searchsorted(np.asarray(times), movements["moved_at"].to_numpy(), side="left")
    mv = movements.assign(_p=period)
    mv = mv[mv["_p"] < len(times)]
    sums = mv.groupby([*keys, "_p"], sort=True)["quantity"].sum().unstack("_p", fill_value=0.0)
    sums = sums.reindex(columns=range(len(times)), fill_value=0.0)
    base = opening.set_index(keys)["quantity_on_hand"]
    index = base.index.union(sums.index)
    cum = sums.reindex(index, fill_value=0.0).cumsum(axis=1).add(base.reindex(index, fill_value=0.0), axis=0)
    out = []
    for j in range(len(times)):
        snap = cum[j].round(3)
        snap = snap[snap > 0].reset_index().rename(columns={j: "quantity_on_hand"})
        out.append(snap)
    return out
