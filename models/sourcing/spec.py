"""The requisition and the plan: typed records and the JSON form of issue #16.

Input (all fields required unless marked)::

    {"lines": [{"sku", "quantity"}],
     "offers": [{"offer_id", "supplier_id", "sku", "moq", "multiple", "capacity",
                 "lead_time_days", "tiers": [{"min_qty", "unit_price"}]}],
     "suppliers": [{"supplier_id", "fixed_cost", "score", "eliminated"}],
     "need_by_days", "min_score",
     "max_suppliers" (optional), "max_suppliers_per_line" (optional),
     "max_share" (optional, 0 < x <= 1: no supplier above this share of a line's quantity),
     "delay_cost_per_unit" (optional, >= 0, default 0: what one unit delivered late costs)}

An offer may carry ``late_probability`` (optional, in [0, 1], default 0: the chance it delivers
late, e.g. from a forecast). The plan's cost then adds the expected cost of late delivery,
Σ quantity × late_probability × delay_cost_per_unit over the allocations; each allocation
and the plan report it as ``expected_delay_cost`` (only when ``delay_cost_per_unit`` > 0, so
the output of a requisition without it is unchanged).

Tier ``min_qty`` is inclusive and all-units: the tier reached by the quantity bought from an
offer prices every unit. A quantity below the lowest tier's ``min_qty`` has no price and is
not allowed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from models.sourcing.errors import SourcingInputError


@dataclass(frozen=True)
class Tier:
    """All-units price tier: ``unit_price`` for every unit when quantity >= ``min_qty``."""

    min_qty: float
    unit_price: float


@dataclass(frozen=True)
class Offer:
    """One supplier's offer for one SKU."""

    offer_id: str
    supplier_id: str
    sku: str
    moq: float
    multiple: float
    capacity: float
    lead_time_days: float
    tiers: tuple[Tier, ...]
    late_probability: float = 0.0


@dataclass(frozen=True)
class Supplier:
    """A supplier: fixed order cost when used, scorecard score, elimination flag."""

    supplier_id: str
    fixed_cost: float
    score: float
    eliminated: bool


@dataclass(frozen=True)
class Line:
    """A requisition line: at least ``quantity`` units of ``sku``."""

    sku: str
    quantity: float


@dataclass(frozen=True)
class Requisition:
    """Lines, candidate offers, suppliers and the plan-wide constraints."""

    lines: tuple[Line, ...]
    offers: tuple[Offer, ...]
    suppliers: tuple[Supplier, ...]
    need_by_days: float
    min_score: float
    max_suppliers: int | None = None
    max_suppliers_per_line: int | None = None
    max_share: float | None = None
    delay_cost_per_unit: float = 0.0

    def delay_per_unit(self, offer: Offer) -> float:
        """Expected cost of late delivery per unit bought from ``offer``."""
        return offer.late_probability * self.delay_cost_per_unit

    def supplier(self, supplier_id: str) -> Supplier:
        """The supplier record of ``supplier_id``."""
        return next(s for s in self.suppliers if s.supplier_id == supplier_id)


@dataclass
class Allocation:
    """Quantity bought from one offer, the tier it reached and why."""

    offer_id: str
    supplier_id: str
    sku: str
    quantity: float
    unit_price: float
    cost: float
    explanation: str = ""
    tier: int = 0
    expected_delay_cost: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (issue #16 fields plus ``explanation``; ``expected_delay_cost`` =
        quantity × late_probability × delay_cost_per_unit when the requisition prices delay)."""
        out = {"offer_id": self.offer_id, "supplier_id": self.supplier_id, "sku": self.sku,
               "quantity": clean_number(self.quantity), "unit_price": clean_number(self.unit_price),
               "cost": clean_number(self.cost), "explanation": self.explanation}
        if self.expected_delay_cost is not None:
            out["expected_delay_cost"] = clean_number(self.expected_delay_cost)
        return out


@dataclass
class Plan:
    """The optimiser's answer.

    ``status`` is ``optimal``, ``infeasible`` (``reason`` names the constraint) or
    ``time_limit`` (the best plan found when the solver stopped, not proven optimal).
    ``total_cost`` includes ``expected_delay_cost`` (``None`` when delay is not priced).
    """

    status: str
    total_cost: float = 0.0
    allocations: list[Allocation] = field(default_factory=list)
    suppliers_used: list[str] = field(default_factory=list)
    reason: str | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    not_used: list[dict[str, str]] = field(default_factory=list)
    expected_delay_cost: float | None = None
    #: HiGHS's proven lower bound on the optimum when stopped at the time limit (not in JSON).
    dual_bound: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of issue #16 (plus per-line coverage/excess and unused offers)."""
        out: dict[str, Any] = {"status": self.status, "total_cost": clean_number(self.total_cost),
                               "allocations": [a.to_dict() for a in self.allocations],
                               "suppliers_used": list(self.suppliers_used)}
        if self.expected_delay_cost is not None:
            out["expected_delay_cost"] = clean_number(self.expected_delay_cost)
        if self.reason is not None:
            out["reason"] = self.reason
        out["lines"] = self.lines
        out["not_used"] = self.not_used
        return out


def clean_number(value: float) -> float | int:
    """Round away float noise (9 decimals); integral values as ints."""
    rounded = round(float(value), 9)
    return int(rounded) if rounded.is_integer() else rounded


def _get(record: dict[str, Any], key: str, where: str) -> Any:
    if not isinstance(record, dict):
        raise SourcingInputError(f"{where} must be an object, got {type(record).__name__}")
    if key not in record:
        raise SourcingInputError(f"{where}: missing field {key!r}")
    return record[key]


def _number(record: dict[str, Any], key: str, where: str, *, minimum: float = 0.0,
            strict: bool = False) -> float:
    value = _get(record, key, where)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SourcingInputError(f"{where}.{key} must be a finite number, got {value!r}")
    if value < minimum or (strict and value <= minimum):
        relation = ">" if strict else ">="
        raise SourcingInputError(f"{where}.{key} must be {relation} {minimum}, got {value!r}")
    return float(value)


def _text(record: dict[str, Any], key: str, where: str) -> str:
    value = _get(record, key, where)
    if not isinstance(value, str) or not value:
        raise SourcingInputError(f"{where}.{key} must be a non-empty string, got {value!r}")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = _get(data, key, "requisition")
    if not isinstance(value, list):
        raise SourcingInputError(f"requisition.{key} must be a list")
    return value


def _optional_number(record: dict[str, Any], key: str, where: str, *,
                     maximum: float = math.inf) -> float:
    """An optional number >= 0 (and <= ``maximum``); 0 when absent or null."""
    if record.get(key) is None:
        return 0.0
    value = _number(record, key, where)
    if value > maximum:
        raise SourcingInputError(f"{where}.{key} must be <= {maximum:g}, got {value!r}")
    return value


def _optional_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SourcingInputError(f"requisition.{key} must be an integer >= 1, got {value!r}")
    return value


def _tiers(raw: Any, where: str) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or not raw:
        raise SourcingInputError(f"{where}.tiers must be a non-empty list")
    tiers = sorted((Tier(_number(t, "min_qty", f"{where}.tiers[{i}]"),
                         _number(t, "unit_price", f"{where}.tiers[{i}]"))
                    for i, t in enumerate(raw)), key=lambda t: t.min_qty)
    for a, b in itertools.pairwise(tiers):
        if a.min_qty == b.min_qty:
            raise SourcingInputError(f"{where}.tiers: two tiers start at min_qty {a.min_qty}")
    return tuple(tiers)


def parse_requisition(data: Any) -> Requisition:
    """Validate the JSON form of a requisition (see the module docstring).

    Raises:
        SourcingInputError: a missing or ill-typed field, a duplicate SKU line / offer id /
            supplier id, an offer of an unknown supplier, a share cap outside (0, 1].
    """
    if not isinstance(data, dict):
        raise SourcingInputError("the requisition must be a JSON object")
    lines = tuple(Line(_text(r, "sku", f"lines[{i}]"),
                       _number(r, "quantity", f"lines[{i}]", strict=True))
                  for i, r in enumerate(_list(data, "lines")))
    suppliers = tuple(Supplier(_text(r, "supplier_id", f"suppliers[{i}]"),
                               _number(r, "fixed_cost", f"suppliers[{i}]"),
                               _number(r, "score", f"suppliers[{i}]", minimum=-math.inf),
                               _flag(r, f"suppliers[{i}]"))
                      for i, r in enumerate(_list(data, "suppliers")))
    offers = []
    for i, r in enumerate(_list(data, "offers")):
        where = f"offers[{i}]"
        offers.append(Offer(_text(r, "offer_id", where), _text(r, "supplier_id", where),
                            _text(r, "sku", where), _number(r, "moq", where),
                            _number(r, "multiple", where, strict=True),
                            _number(r, "capacity", where), _number(r, "lead_time_days", where),
                            _tiers(_get(r, "tiers", where), where),
                            _optional_number(r, "late_probability", where, maximum=1.0)))
    _unique([line.sku for line in lines], "line sku (merge the lines of one SKU)")
    _unique([s.supplier_id for s in suppliers], "supplier_id")
    _unique([o.offer_id for o in offers], "offer_id")
    known = {s.supplier_id for s in suppliers}
    for offer in offers:
        if offer.supplier_id not in known:
            raise SourcingInputError(
                f"offer {offer.offer_id!r}: supplier {offer.supplier_id!r} is not in suppliers")
    max_share = data.get("max_share")
    if max_share is not None:
        if isinstance(max_share, bool) or not isinstance(max_share, (int, float)) \
                or not 0 < max_share <= 1:
            raise SourcingInputError(f"requisition.max_share must be in (0, 1], got {max_share!r}")
        max_share = float(max_share)
    return Requisition(lines, tuple(offers), suppliers,
                       _number(data, "need_by_days", "requisition"),
                       _number(data, "min_score", "requisition", minimum=-math.inf),
                       _optional_int(data, "max_suppliers"),
                       _optional_int(data, "max_suppliers_per_line"), max_share,
                       _optional_number(data, "delay_cost_per_unit", "requisition"))


def _flag(record: dict[str, Any], where: str) -> bool:
    value = _get(record, "eliminated", where)
    if not isinstance(value, bool):
        raise SourcingInputError(f"{where}.eliminated must be true or false, got {value!r}")
    return value


def _unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise SourcingInputError(f"duplicate {what}: {value!r}")
        seen.add(value)
