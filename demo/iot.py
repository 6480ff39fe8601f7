"""IoT telemetry: GPS tracks of inbound trucks, RFID gate reads, AGV tasks, temperatures.

Events are derived from what happens elsewhere in the simulation, so they join up: a GPS
track runs from the supplier's city to the warehouse between the shipment's ``shipped_at``
and its delivery (trucks rest at night), RFID gates read the pallets of WMS receipts and
issues, AGVs put away and pick them, and sensors in hazardous-goods warehouses report
temperature (with occasional excursions, kept as ground truth). Every event has a stable
``event_id``; see :mod:`demo.iot_io` for files and MQTT.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from demo.geo import haversine_km
from demo.rng import substream
from demo.timebase import CHINA_OFFSET, DAY, HOUR
from demo.world import World

KINDS = ("gps", "rfid", "agv", "temperature")


def gps_events(world: World, shipments: pd.DataFrame, tag: str) -> pd.DataFrame:
    """GPS positions of tracked, delivered truck shipments (every ``gps_interval_minutes``)."""
    s = shipments[shipments["tracking_device_id"].notna() & np.isfinite(shipments["delivered_at"].to_numpy(dtype=float))]
    s = s.reset_index(drop=True)
    step = world.profile.iot.gps_interval_minutes * 60.0
    rng = substream(world.seed, "gps", tag)
    dep, arr = s["shipped_at"].to_numpy(dtype=float), s["delivered_at"].to_numpy(dtype=float)
    n_points = (np.floor((arr - dep) / step) + 1).astype(int)
    row = np.repeat(np.arange(len(s)), n_points)
    j = np.arange(len(row)) - np.repeat(np.cumsum(n_points) - n_points, n_points)
    t = dep[row] + j * step
    hour = ((t + CHINA_OFFSET) % DAY) / HOUR
    moving = ((hour >= 6) & (hour < 22)).astype(float)
    moving[j == 0] = 0.0
    cum = np.cumsum(moving)
    start_cum = np.repeat(np.cumsum(n_points) - n_points, n_points)
    cum_in = cum - (cum[start_cum] - moving[start_cum])
    total = np.bincount(row, weights=moving, minlength=len(s))
    progress = np.where(total[row] > 0, cum_in / np.maximum(total[row], 1), j / np.maximum(n_points[row] - 1, 1))
    olat, olon = s["origin_latitude"].to_numpy(dtype=float), s["origin_longitude"].to_numpy(dtype=float)
    dlat, dlon = s["dest_latitude"].to_numpy(dtype=float), s["dest_longitude"].to_numpy(dtype=float)
    bend = rng.uniform(-0.4, 0.4, len(s))[row] * np.sin(np.pi * progress)
    lat = olat[row] + (dlat - olat)[row] * progress + bend * (dlon - olon)[row] * 0.1
    lon = olon[row] + (dlon - olon)[row] * progress - bend * (dlat - olat)[row] * 0.1
    lat = lat + rng.normal(0, 0.0015, len(row))
    lon = lon + rng.normal(0, 0.0015, len(row))
    road_km = haversine_km(olat, olon, dlat, dlon) * 1.25
    prev = np.where(j > 0, np.r_[0.0, progress[:-1]], progress)
    speed = np.clip(road_km[row] * (progress - prev) / (step / HOUR) * rng.uniform(0.9, 1.1, len(row)), 0, 110)
    speed = np.where(moving > 0, speed, rng.uniform(0, 2, len(row)) * (rng.random(len(row)) < 0.1))
    heading = (np.degrees(np.arctan2((dlon - olon)[row] * np.cos(np.radians(lat)), (dlat - olat)[row])) + 360) % 360
    return pd.DataFrame({
        "event_id": [f"gps-{sid}-{k:04d}" for sid, k in zip(s["shipment_id"].to_numpy()[row], j, strict=True)],
        "kind": "gps", "device_id": s["tracking_device_id"].to_numpy()[row], "recorded_at": t,
        "shipment_id": s["shipment_id"].to_numpy()[row], "lat": np.round(lat, 5), "lon": np.round(lon, 5),
        "speed_kmh": np.round(speed, 1), "heading_deg": np.round(heading, 0),
    })


def rfid_events(world: World, movements: pd.DataFrame, tag: str) -> pd.DataFrame:
    """Gate reads of the pallets of receipts, issues and transfers at RFID warehouses."""
    wh = world.group.warehouses
    rfid = set(wh.loc[wh["has_rfid"], "warehouse_code"])
    mv = movements[movements["warehouse_code"].isin(rfid) & (movements["movement_type"] != "adjustment")]
    mv = mv.reset_index(drop=True)
    rng = substream(world.seed, "rfid", tag)
    reads = 1 + (rng.random(len(mv)) < 0.3).astype(int)  # a second pallet on ~30% of movements
    row = np.repeat(np.arange(len(mv)), reads)
    k = np.arange(len(row)) - np.repeat(np.cumsum(reads) - reads, reads)
    qty = np.abs(mv["quantity"].to_numpy(dtype=float))[row] / reads[row]
    gate = 1 + rng.integers(0, 4, len(mv))[row]
    mid = mv["movement_id"].to_numpy()[row]
    code = mv["warehouse_code"].to_numpy()[row]
    return pd.DataFrame({
        "event_id": [f"rfid-{m}-{x}" for m, x in zip(mid, k, strict=True)], "kind": "rfid",
        "device_id": [f"RFID-{c}-G{g}" for c, g in zip(code, gate, strict=True)],
        "recorded_at": np.floor(mv["moved_at"].to_numpy(dtype=float)[row] - rng.uniform(60, 1200, len(row))),
        "warehouse_code": code, "gate": [f"G{g}" for g in gate],
        "tag_id": [f"3034{zlib.crc32(f'{m}/{x}'.encode()):08X}{zlib.crc32(m.encode()):08X}{x:04X}"
                   for m, x in zip(mid, k, strict=True)],
        "sku": mv["sku"].to_numpy()[row],
        "direction": np.where(mv["quantity"].to_numpy(dtype=float)[row] > 0, "in", "out"),
        "quantity": np.round(qty, 3),
    })


def agv_events(world: World, movements: pd.DataFrame, tag: str) -> pd.DataFrame:
    """Completed (or failed) AGV tasks: put-away after receipts, picks before issues."""
    wh = world.group.warehouses
    agv = set(wh.loc[wh["has_agv"], "warehouse_code"])
    mv = movements[movements["warehouse_code"].isin(agv) & (movements["movement_type"] != "adjustment")]
    mv = mv.reset_index(drop=True)
    n = len(mv)
    rng = substream(world.seed, "agv", tag)
    inbound = mv["quantity"].to_numpy(dtype=float) > 0
    moved = mv["moved_at"].to_numpy(dtype=float)
    started = np.floor(np.where(inbound, moved + rng.uniform(120, 1800, n), moved - rng.uniform(600, 2400, n)))
    completed = np.floor(started + rng.uniform(180, 900, n))
    code = mv["warehouse_code"].to_numpy()
    dock = np.array([f"DOCK-{d}" for d in rng.integers(1, 4, n)], dtype=object)
    return pd.DataFrame({
        "event_id": [f"agv-{m}" for m in mv["movement_id"]], "kind": "agv",
        "device_id": [f"AGV-{c}-{d:02d}" for c, d in zip(code, rng.integers(1, 7, n), strict=True)],
        "recorded_at": completed, "warehouse_code": code, "task_id": [f"AT-{m[3:]}" for m in mv["movement_id"]],
        "task_type": np.where(inbound, "putaway", "pick"), "from_location": np.where(inbound, dock, mv["bin"].to_numpy()),
        "to_location": np.where(inbound, mv["bin"].to_numpy(), dock), "sku": mv["sku"].to_numpy(),
        "started_at": started, "status": np.where(rng.random(n) < 0.98, "completed", "failed"),
        "battery_pct": rng.integers(18, 101, n),
    })


def temperature_events(world: World, t0: float, t1: float) -> tuple[pd.DataFrame, list[tuple]]:
    """Readings of the sensors in hazardous-goods warehouses over ``[t0, t1)`` and their excursions."""
    prof = world.profile.iot
    wh = world.group.warehouses
    hz = wh[wh["is_hazmat"]].reset_index(drop=True)
    step = prof.temperature_interval_minutes * 60.0
    grid = np.arange(np.ceil(t0 / step) * step, t1, step)
    frames, truth = [], []
    for w in hz.itertuples():
        for k in range(1, prof.temperature_sensors_per_warehouse + 1):
            device = f"TMP-{w.warehouse_code}-{k}"
            rng = substream(world.seed, "temperature", device, int(t0))
            doy = (grid / DAY) % 365.25
            hour = ((grid + CHINA_OFFSET) % DAY) / HOUR
            base = 18 - 0.35 * (w.latitude - 30) + 9 * np.cos(2 * np.pi * (doy - 200) / 365.25)
            temp = base + 2.5 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 0.4, len(grid))
            starts = np.flatnonzero(rng.random(len(grid)) < prof.temperature_excursion_rate)
            for s in starts:
                length = int(rng.integers(3, 9))
                peak = float(rng.uniform(8, 15))
                temp[s : s + length] += peak * np.sin(np.linspace(0.3, np.pi - 0.3, len(temp[s : s + length])))
                end = grid[min(s + length, len(grid)) - 1]
                truth.append((device, w.warehouse_code, float(grid[s]), float(end), round(peak, 2)))
            frames.append(pd.DataFrame({
                "event_id": [f"tmp-{device}-{int(t)}" for t in grid], "kind": "temperature", "device_id": device,
                "recorded_at": grid, "warehouse_code": w.warehouse_code, "temperature_c": np.round(temp, 2),
                "humidity_pct": np.round(np.clip(55 + rng.normal(0, 6, len(grid)), 20, 95), 1),
            }))
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["event_id", "recorded_at"])), truth
