"""Deliveries: shipments (ASNs), goods receipts, incoming inspections and vendor returns.

Arrival is the promised date plus the company's delay (chronically late companies are
late about half the time, by ~11 days); a share of orders arrive in 2-3 shipments; a few
lines close short; tonnage carries weighbridge noise. Transit time follows the distance
from the supplier's city to the warehouse (truck, rail, or sea from abroad), so GPS tracks
and expected-arrival times are consistent with what the receipts show. Inspections sample
each receipt (ISO 2859 sample sizes, AQL 1.0 acceptance numbers) at the company's defect
rate; most failed lots are returned and credited.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.catalogue_data import CATEGORIES
from demo.geo import haversine_km
from demo.procurement import DISCRETE_UOMS
from demo.timebase import CHINA_OFFSET, DAY, HOUR, add_business_hours, local_day
from demo.world import World

#: ISO 2859-1 general inspection level II: (max lot size, sample size, AQL 1.0 acceptance number).
SAMPLING = ((8, 2, 0), (15, 3, 0), (25, 5, 0), (50, 8, 0), (90, 13, 0), (150, 20, 0), (280, 32, 1),
            (500, 50, 1), (1200, 80, 2), (3200, 125, 3), (10000, 200, 5), (np.inf, 315, 7))
SHIPPING_LINES = ("COSCO Shipping", "Maersk", "MSC", "CMA CGM", "Evergreen")
RAIL_CARRIERS = ("中铁快运股份有限公司", "中国铁路货运")
NATIONAL_TRUCKERS = ("顺丰快运", "德邦物流股份有限公司", "中通快运", "安能物流")


def _sequence(counters: dict[str, int], key: str, times: np.ndarray) -> np.ndarray:
    order = np.argsort(times, kind="stable")
    seq = np.empty(len(times), dtype=np.int64)
    seq[order] = counters.get(key, 0) + 1 + np.arange(len(times))
    counters[key] = counters.get(key, 0) + len(times)
    return seq


def build_deliveries(world: World, headers: pd.DataFrame, lines: pd.DataFrame, rng: np.random.Generator,
                     counters: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Shipments, goods receipts, inspections and returns of the non-cancelled orders."""
    prof = world.profile.procurement
    sup = world.suppliers
    v = sup.vendors
    live = np.flatnonzero(~np.isfinite(headers["_cancelled_at"].to_numpy()))
    h = headers.iloc[live].reset_index(drop=True)
    n = len(h)
    vendor = h["vendor"].to_numpy()
    company = v["company"].to_numpy()[vendor]
    late = sup.company_truth["is_chronically_late"].to_numpy()[company]
    n_ship = np.where(rng.random(n) < prof.partial_delivery_rate, np.where(rng.random(n) < 0.75, 2, 3), 1)
    is_late = rng.random(n) < np.where(late, prof.late_supplier_late_prob, prof.late_prob)
    mean_delay = np.where(late, prof.late_supplier_mean_delay_days, prof.mean_delay_days)
    delay = np.where(is_late, np.ceil(rng.gamma(2.0, mean_delay / 2.0)), -rng.integers(0, prof.early_days_max + 1, n))

    wh = world.group.warehouses.set_index("warehouse_id")
    wlat = wh.loc[h["warehouse_id"], "latitude"].to_numpy()
    wlon = wh.loc[h["warehouse_id"], "longitude"].to_numpy()
    olat = v["lat"].to_numpy()[vendor] + rng.uniform(-0.1, 0.1, n)
    olon = v["lon"].to_numpy()[vendor] + rng.uniform(-0.1, 0.1, n)
    foreign = v["is_foreign"].to_numpy()[vendor]
    dist = haversine_km(olat, olon, wlat, wlon) * 1.25
    mode = np.where(foreign, "sea", np.where((dist > 1200) & (rng.random(n) < 0.5), "rail", "truck"))
    drive_h = dist / 55.0
    transit_h = np.where(mode == "truck", drive_h + np.floor(drive_h / 14) * 10 + 2,
                         np.where(mode == "rail", dist / 25.0 + 24, rng.uniform(12, 28, n) * 24))

    # one row per shipment
    ship_po = np.repeat(np.arange(n), n_ship)
    k = np.arange(len(ship_po)) - np.repeat(np.cumsum(n_ship) - n_ship, n_ship)
    gaps = np.where(k == 0, 0, rng.uniform(2, 10, len(ship_po)))
    extra_days = np.zeros(len(ship_po))
    for kk in (1, 2):
        extra_days[k == kk] = extra_days[np.flatnonzero(k == kk) - 1] + gaps[k == kk]
    arrival_day = h["promised_date"].to_numpy()[ship_po] + delay[ship_po] + np.floor(extra_days)
    arrival = arrival_day * DAY - CHINA_OFFSET + rng.uniform(8, 17, len(ship_po)) * HOUR
    nominal = transit_h[ship_po] * HOUR
    actual = nominal * rng.uniform(0.9, 1.3, len(ship_po))
    shipped = np.floor(arrival - actual)
    earliest = h["approved_at"].to_numpy()[ship_po] + 4 * HOUR + rng.uniform(0, 24, len(ship_po)) * HOUR
    shipped = np.floor(np.maximum(shipped, earliest))
    arrival = np.floor(np.maximum(arrival, shipped + actual))
    tracked = (mode[ship_po] == "truck") & (rng.random(len(ship_po)) < world.profile.iot.gps_tracked_share)
    carrier = _carriers(world, vendor[ship_po], mode[ship_po])
    seq = _sequence(counters, "shipment", shipped)
    shipments = pd.DataFrame({
        "shipment_id": [f"SHP-{s:08d}" for s in seq], "po": live[ship_po],
        "purchase_order_id": h["purchase_order_id"].to_numpy()[ship_po], "vendor_id": h["vendor_id"].to_numpy()[ship_po],
        "asn_number": [f"ASN{int(s):09d}" for s in seq * 7 + 1000],
        "shipped_at": shipped, "promised_date": h["promised_date"].to_numpy()[ship_po],
        "expected_arrival_at": np.floor(shipped + nominal), "delivered_at": arrival, "carrier": carrier,
        "transport_mode": mode[ship_po], "tracking_device_id": None,
        "origin_city": v["origin_city"].to_numpy()[vendor[ship_po]],
        "origin_latitude": np.round(olat[ship_po], 5), "origin_longitude": np.round(olon[ship_po], 5),
        "destination_warehouse_id": h["warehouse_id"].to_numpy()[ship_po],
        "created_at": np.floor(shipped + rng.uniform(60, 1800, len(ship_po))), "k": k, "n_ship": n_ship[ship_po],
        "dest_latitude": wlat[ship_po], "dest_longitude": wlon[ship_po], "is_late": is_late[ship_po],
    })
    dev_seq = counters.get("gps", 0) + 1 + np.cumsum(tracked) - 1
    counters["gps"] = counters.get("gps", 0) + int(tracked.sum())
    shipments.loc[tracked, "tracking_device_id"] = [f"GPS-{s:06d}" for s in dev_seq[tracked]]
    shipments["created_at"] = np.minimum(shipments["created_at"], shipments["delivered_at"])
    receipts = _receipts(world, headers, lines, shipments, rng, counters)
    inspections, returns = _inspections(world, receipts, rng, counters)
    return {"shipments": shipments, "goods_receipts": receipts, "quality_inspections": inspections,
            "vendor_returns": returns}


def _carriers(world: World, vendor: np.ndarray, mode: np.ndarray) -> np.ndarray:
    truth = world.suppliers.company_truth
    logistics = truth.loc[(truth["sector"] == "logistics") & (truth["country"] == "CN"), "legal_name"].tolist()[:40]
    truckers = np.array(list(NATIONAL_TRUCKERS) + logistics, dtype=object)
    pick = vendor * 7919
    return np.where(mode == "sea", np.array(SHIPPING_LINES, dtype=object)[pick % len(SHIPPING_LINES)],
                    np.where(mode == "rail", np.array(RAIL_CARRIERS, dtype=object)[pick % 2],
                             truckers[pick % len(truckers)]))


def _receipts(world: World, headers: pd.DataFrame, lines: pd.DataFrame, shipments: pd.DataFrame,
              rng: np.random.Generator, counters: dict[str, int]) -> pd.DataFrame:
    prof = world.profile.procurement
    # lines of delivered orders, each repeated once per shipment of its order
    ship_by_po = shipments.groupby("po").indices
    live_lines = lines[lines["po"].isin(ship_by_po.keys())].reset_index(drop=True)
    n_ship = np.array([len(ship_by_po[p]) for p in live_lines["po"]])
    row_line = np.repeat(np.arange(len(live_lines)), n_ship)
    k = np.arange(len(row_line)) - np.repeat(np.cumsum(n_ship) - n_ship, n_ship)
    first_ship = np.array([ship_by_po[p][0] for p in live_lines["po"]])
    ship_row = first_ship[row_line] + k
    qty = live_lines["quantity"].to_numpy()
    m = len(live_lines)
    short = rng.random(m) < prof.short_close_rate
    tonnes = live_lines["uom"].to_numpy() == "吨"
    delivered = qty * np.where(short, rng.uniform(0.9, 0.98, m), 1.0) * np.where(tonnes, 1 + rng.normal(0, 0.003, m), 1.0)
    discrete = np.isin(live_lines["uom"].to_numpy(), list(DISCRETE_UOMS))
    f1 = np.where(rng.random(m) < 0.25, 1.0, rng.uniform(0.4, 0.8, m))
    f2 = rng.uniform(0.3, 0.6, m) * (1 - f1)
    ns = n_ship
    share = np.select([ns[row_line] == 1, k == 0, (k == 1) & (ns[row_line] == 2), k == 1],
                      [1.0, f1[row_line], 1 - f1[row_line], f2[row_line]], 1 - f1[row_line] - f2[row_line])
    portion = delivered[row_line] * share
    portion = np.where(discrete[row_line], np.floor(portion), np.round(portion, 3))
    last = k == ns[row_line] - 1
    done = np.bincount(row_line, weights=np.where(last, 0.0, portion), minlength=m)
    total = np.where(discrete, np.floor(delivered), np.round(delivered, 3))
    portion = np.where(last, np.round(total[row_line] - done[row_line], 3), portion)
    keep = portion > 0
    row_line, ship_row, portion = row_line[keep], ship_row[keep], portion[keep]
    received_at = np.floor(shipments["delivered_at"].to_numpy()[ship_row] + rng.uniform(0.3, 3, len(ship_row)) * HOUR)
    po = live_lines["po"].to_numpy()[row_line]
    unit = headers["business_unit_code"].to_numpy()[po]
    clerks = np.empty(len(po), dtype=object)
    for u in np.unique(unit):
        mm = unit == u
        staff = world.users_of(u, "warehouse_clerk")
        clerks[mm] = staff[rng.integers(0, len(staff), mm.sum())]
    seq = _sequence(counters, "goods_receipt", received_at)
    return pd.DataFrame({
        "goods_receipt_id": [f"GR-{s:08d}" for s in seq], "purchase_order_id": live_lines["purchase_order_id"].to_numpy()[row_line],
        "purchase_order_line_id": live_lines["purchase_order_line_id"].to_numpy()[row_line],
        "shipment_id": shipments["shipment_id"].to_numpy()[ship_row],
        "material_id": world.catalogue.materials["material_id"].to_numpy()[live_lines["material"].to_numpy()[row_line]],
        "warehouse_id": headers["warehouse_id"].to_numpy()[po], "received_at": received_at,
        "received_date": local_day(received_at), "quantity": portion, "uom": live_lines["uom"].to_numpy()[row_line],
        "received_by": clerks, "created_at": received_at, "po": po, "ship_row": ship_row,
        "cat": live_lines["cat"].to_numpy()[row_line], "unit_price": live_lines["unit_price"].to_numpy()[row_line],
        "_orig_unit_price": live_lines["_orig_unit_price"].to_numpy()[row_line],
        "price_changed_at": live_lines["price_overridden_at"].to_numpy()[row_line],
        "currency": live_lines["currency"].to_numpy()[row_line], "unit": unit,
        "vendor": headers["vendor"].to_numpy()[po],
    })


def _inspections(world: World, receipts: pd.DataFrame, rng: np.random.Generator,
                 counters: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    inspect = np.array([CATEGORIES[c].get("inspection", True) for c in receipts["cat"]], dtype=bool)
    r = receipts[inspect].reset_index(drop=True)
    n = len(r)
    limits = np.array([s[0] for s in SAMPLING])
    band = np.searchsorted(limits, r["quantity"].to_numpy(), side="left")
    sample = np.array([s[1] for s in SAMPLING])[band]
    accept = np.array([s[2] for s in SAMPLING])[band]
    company = world.suppliers.vendors["company"].to_numpy()[r["vendor"].to_numpy()]
    p = world.suppliers.company_truth["defect_rate"].to_numpy()[company]
    defects = rng.binomial(sample, np.clip(p, 0, 1))
    failed = defects > accept
    defect_types = [CATEGORIES[c]["defects"] or ("其他",) for c in r["cat"]]
    defect_type = np.array([d[int(i) % len(d)] for d, i in zip(defect_types, rng.integers(0, 1000, n), strict=True)],
                           dtype=object)
    inspected_at = add_business_hours(rng, r["received_at"].to_numpy(), 4.0)
    unit = r["unit"].to_numpy()
    inspector = np.empty(n, dtype=object)
    for u in np.unique(unit):
        mm = unit == u
        staff = world.users_of(u, "inspector")
        inspector[mm] = staff[rng.integers(0, len(staff), mm.sum())]
    seq = _sequence(counters, "inspection", inspected_at)
    inspections = pd.DataFrame({
        "quality_inspection_id": [f"QI-{s:08d}" for s in seq], "goods_receipt_id": r["goods_receipt_id"].to_numpy(),
        "inspected_at": inspected_at, "inspector_id": inspector, "sample_size": sample, "defects_found": defects,
        "result": np.where(failed, "fail", "pass"), "defect_type": np.where(defects > 0, defect_type, None),
        "created_at": inspected_at, "shipment_id": r["shipment_id"].to_numpy(),
    })
    back = failed & (rng.random(n) < world.profile.quality.return_on_fail_prob)
    rr = r[back].reset_index(drop=True)
    b = len(rr)
    discrete = np.isin(rr["uom"].to_numpy(), list(DISCRETE_UOMS))
    qty = rr["quantity"].to_numpy() * rng.uniform(0.2, 1.0, b)
    qty = np.maximum(np.where(discrete, np.ceil(qty), np.round(qty, 3)), np.where(discrete, 1, 0.001))
    returned_at = add_business_hours(rng, inspected_at[back], 24.0)
    shipped_back = np.floor(returned_at + rng.uniform(1, 4, b) * DAY)
    seq = _sequence(counters, "vendor_return", returned_at)
    returns = pd.DataFrame({
        "vendor_return_id": [f"RT-{s:07d}" for s in seq], "goods_receipt_id": rr["goods_receipt_id"].to_numpy(),
        "quality_inspection_id": inspections["quality_inspection_id"].to_numpy()[back],
        "vendor_id": world.suppliers.vendors["vendor_id"].to_numpy()[rr["vendor"].to_numpy()],
        "material_id": rr["material_id"].to_numpy(), "quantity": qty, "uom": rr["uom"].to_numpy(),
        "reason": defect_type[back], "credit_amount": np.round(qty * rr["unit_price"].to_numpy(), 2),
        "currency": rr["currency"].to_numpy(), "returned_at": returned_at, "_shipped_back_at": shipped_back,
        "credited_at": np.floor(shipped_back + rng.uniform(7, 30, b) * DAY), "created_at": returned_at,
        "shipment_id": rr["shipment_id"].to_numpy(),
    })
    return inspections, returns
