"""``late_probability`` for (supplier, SKU) from ``gold.ml_delivery_risk``, to fill the
sourcing optimiser's offers (its optional per-offer ``late_probability``; with a
requisition's ``delay_cost_per_unit`` it becomes an expected cost of delay).

Example::

    from models.ml.features.sources import open_lake
    from models.ml.forecast.lookup import LateRiskLookup

    risk = LateRiskLookup.from_lake(open_lake(get_settings()))          # suppliers = ERP vendor ids
    requisition["offers"] = risk.fill(requisition["offers"])            # adds late_probability
    risk.late_probability("V-BMAT-00012", "STL-PLT-0042")               # 0.07, or None

A supplier is an ERP vendor id by default (``key="vendor_id"``); a caller whose suppliers are
companies (the platform, the golden supplier master) passes ``key="uscc"``: a company's
probability for a SKU is the mean over its vendor records, weighted by their known lines.
An unknown SKU of a known supplier falls back to the supplier's mean over its SKUs
(``fallback="supplier"``, the default), an unknown supplier to ``default`` (None: the offer is
left without the field and the optimiser adds no delay cost for it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

GOLD_TABLE = "gold.ml_delivery_risk"


@dataclass
class LateRiskLookup:
    """Late probabilities per (supplier, SKU) and per supplier (see the module docstring)."""

    by_pair: dict[tuple[str, str], float]
    by_supplier: dict[str, float] = field(default_factory=dict)
    model_version: str | None = None

    @classmethod
    def from_rows(cls, rows: pd.DataFrame, *, key: str = "vendor_id") -> LateRiskLookup:
        """From ``gold.ml_delivery_risk`` rows (``key`` = ``vendor_id`` or ``uscc``)."""
        if key not in ("vendor_id", "uscc"):
            raise ValueError(f"key must be 'vendor_id' or 'uscc', not {key!r}")
        column = "vendor_id" if key == "vendor_id" else "vendor_uscc"
        frame = rows.dropna(subset=[column, "sku", "late_probability"]).copy()
        frame["weight"] = frame["pair_lines"].fillna(0).astype(float) + 1.0
        frame["weighted"] = frame["late_probability"] * frame["weight"]
        pairs = frame.groupby([column, "sku"])[["weighted", "weight"]].sum()
        by_pair = {(str(s), str(k)): float(v) for (s, k), v in (pairs["weighted"] / pairs["weight"]).items()}
        suppliers = frame.groupby(column)["late_probability"].mean()
        version = str(rows["model_version"].iloc[0]) if len(rows) and "model_version" in rows else None
        return cls(by_pair, {str(s): float(v) for s, v in suppliers.items()}, version)

    @classmethod
    def from_lake(cls, con: Any, *, key: str = "vendor_id", table: str = GOLD_TABLE) -> LateRiskLookup:
        """From the gold table on a DuckDB connection over the lake
        (:func:`models.ml.features.sources.open_lake`)."""
        rows = con.sql(f"select vendor_id, vendor_uscc, sku, late_probability, pair_lines, model_version "
                       f"from {table}").df()
        return cls.from_rows(rows, key=key)

    def late_probability(self, supplier_id: str, sku: str, *, fallback: str = "supplier",
                         default: float | None = None) -> float | None:
        """The probability that ``supplier_id`` delivers ``sku`` late.

        Args:
            supplier_id: the supplier (vendor id or USCC, as the lookup was built).
            sku: the SKU code.
            fallback: ``"supplier"`` — the supplier's mean when the pair is unknown; ``"none"``
                — only the pair's own figure.
            default: returned when nothing is known.
        """
        found = self.by_pair.get((str(supplier_id), str(sku)))
        if found is None and fallback == "supplier":
            found = self.by_supplier.get(str(supplier_id))
        return default if found is None else found

    def fill(self, offers: Iterable[Mapping[str, Any]], *, overwrite: bool = False, fallback: str = "supplier",
             default: float | None = None) -> list[dict[str, Any]]:
        """Copies of the optimiser's offers (``supplier_id``, ``sku``) with ``late_probability``
        set where known; an offer that already has one keeps it unless ``overwrite``."""
        out = []
        for offer in offers:
            filled = dict(offer)
            if overwrite or filled.get("late_probability") is None:
                p = self.late_probability(filled["supplier_id"], filled["sku"], fallback=fallback, default=default)
                if p is not None:
                    filled["late_probability"] = round(p, 6)
            out.append(filled)
        return out
