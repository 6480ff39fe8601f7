"""Routing order lines to warehouses by available stock and shipping cost.

Policy, per line, in the order the lines were given:

1. Candidates are the offer supplier's warehouses holding the SKU with stock left (after
   earlier lines of the same order took theirs).
2. The per-unit shipping cost of a warehouse is ``handling_cost + cost_per_km × distance``
   to the delivery point (distance 0 when the order has no delivery coordinates).
3. If one or more warehouses can fill the whole line, the cheapest of them ships it (one
   shipment beats a split).
4. Otherwise the line is split, cheapest warehouse first, until it is filled; if all
   candidates together cannot fill it, the order is refused (nothing is reserved).

Ties break on the warehouse id, so routing is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from transactional.domain.errors import OutOfStockError
from transactional.domain.money import to_decimal

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class StockCandidate:
    """One warehouse's available stock of one SKU, with what shipping from it costs."""

    warehouse_id: int
    sku_id: int
    available: int
    handling_cost: Decimal = Decimal(0)
    cost_per_km: Decimal = Decimal(0)
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class LineRequest:
    """A line to route: ``quantity`` units of ``sku_id``."""

    line_no: int
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class Allocation:
    """``quantity`` units of a line shipped from ``warehouse_id``."""

    line_no: int
    warehouse_id: int
    sku_id: int
    quantity: int
    distance_km: Decimal
    unit_shipping_cost: Decimal


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres.

    Example:
        >>> round(haversine_km(39.9042, 116.4074, 31.2304, 121.4737))  # Beijing-Shanghai
        1067
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _distance(candidate: StockCandidate, to: tuple[float, float] | None) -> Decimal:
    if to is None or candidate.latitude is None or candidate.longitude is None:
        return Decimal(0)
    km = haversine_km(candidate.latitude, candidate.longitude, to[0], to[1])
    return Decimal(str(round(km, 1)))


def allocate(
    lines: Sequence[LineRequest],
    candidates: Sequence[StockCandidate],
    ship_to: tuple[float, float] | None = None,
) -> list[Allocation]:
    """Route every line; all or nothing.

    Args:
        lines: the order's lines (several may share a SKU).
        candidates: available stock rows of the SKUs involved (already locked by the caller).
        ship_to: ``(latitude, longitude)`` of the delivery point, if known.

    Returns:
        The allocations, grouped by line in line order.

    Raises:
        OutOfStockError: some line cannot be filled; ``details`` lists every short line.

    Example:
        >>> stock = [StockCandidate(1, 7, 3), StockCandidate(2, 7, 9, Decimal("1"))]
        >>> [(a.warehouse_id, a.quantity) for a in allocate([LineRequest(1, 7, 5)], stock)]
        [(2, 5)]
        >>> [(a.warehouse_id, a.quantity) for a in allocate([LineRequest(1, 7, 11)], stock)]
        [(1, 3), (2, 8)]
    """
    left = {(c.warehouse_id, c.sku_id): c.available for c in candidates}
    costed = [
        (c, _distance(c, ship_to)) for c in sorted(candidates, key=lambda c: c.warehouse_id)
    ]
    result: list[Allocation] = []
    shortages: list[dict[str, int]] = []
    for line in lines:
        options = [
            (to_decimal(c.handling_cost + c.cost_per_km * km), c.warehouse_id, c, km)
            for c, km in costed
            if c.sku_id == line.sku_id and left[(c.warehouse_id, c.sku_id)] > 0
        ]
        options.sort(key=lambda o: (o[0], o[1]))
        whole = [o for o in options if left[(o[1], line.sku_id)] >= line.quantity]
        chosen = whole[:1] if whole else options
        remaining = line.quantity
        taken: list[Allocation] = []
        for cost, warehouse_id, _c, km in chosen:
            if remaining == 0:
                break
            qty = min(remaining, left[(warehouse_id, line.sku_id)])
            taken.append(Allocation(line.line_no, warehouse_id, line.sku_id, qty, km, cost))
            remaining -= qty
        if remaining:
            available = sum(left[(o[1], line.sku_id)] for o in options)
            shortages.append(
                {"line_no": line.line_no, "sku_id": line.sku_id,
                 "requested": line.quantity, "available": available}
            )
            continue
        for a in taken:
            left[(a.warehouse_id, a.sku_id)] -= a.quantity
        result.extend(taken)
    if shortages:
        parts = "; ".join(
            f"SKU {s['sku_id']}: requested {s['requested']}, available {s['available']}"
            for s in shortages
        )
        raise OutOfStockError(f"insufficient stock: {parts}", details={"lines": shortages})
    return result
