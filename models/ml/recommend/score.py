"""Rows of the recommender's gold tables, scored by the champion bundle on the current lake.

:func:`score_tables` returns the four tables of :mod:`.gold` (without model columns, added by
the caller) from one read of the lake, so the decision snapshot and the gold tables always
come from the same history and model version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from models.ml.features.interactions import vendor_quality
from models.ml.recommend.lake import (
    PLATFORM_PREFIX,
    erp_lines,
    erp_offers,
    item_names,
    platform_catalogue,
    purchase_history,
    vendor_directory,
)
from models.ml.recommend.signals import build_signals
from models.ml.recommend.snapshot import decision_snapshot
from models.ml.recommend.suppliers import candidate_features
from models.ml.recommend.together import related_items

if TYPE_CHECKING:
    import duckdb

    from models.ml.recommend.train import RecommenderBundle

#: recommendations kept per buyer (more than shown: the service's rules may drop some).
PER_BUYER = 20
#: the cold-start customer of a unit (a platform buyer without orders yet).
UNIT_CUSTOMER = "unit:"


@dataclass
class ScoredTables:
    """The rows of every recommender table, and the history's last day."""

    recommendations: pd.DataFrame
    related: pd.DataFrame
    suppliers: pd.DataFrame
    snapshot: pd.DataFrame
    history_through: pd.Timestamp | None


def score_tables(bundle: RecommenderBundle, con: duckdb.DuckDBPyConnection, model_version: str) -> ScoredTables:
    """Recommendations for every ERP and platform buyer (and each unit's cold start), related
    SKUs, supplier rankings and the decision snapshot, from the lake's current history."""
    history = purchase_history(con)
    names = item_names(con)
    through = pd.Timestamp(history["ordered_at"].max()) if len(history) else None
    at = through if through is not None else pd.Timestamp.now(tz="UTC")
    product = bundle.product
    signals = build_signals(history, product.signal_params, cross=product.params.cross)
    last_group = history.drop_duplicates("customer_id", keep="last").set_index("customer_id")["group_id"]
    units = sorted({g for g in last_group if g})
    targets = pd.DataFrame({"customer_id": [*last_group.index, *(f"{UNIT_CUSTOMER}{u}" for u in units)],
                            "at": at, "group_id": [*last_group.to_numpy(), *units]})
    recs = product.recommend(signals, targets, PER_BUYER, names=names) if len(targets) else pd.DataFrame()

    lines = erp_lines(con)
    directory = vendor_directory(con)
    supplier_rows = pd.DataFrame()
    if len(lines):
        cand = candidate_features(lines, erp_offers(con), vendor_quality(con), at, bundle.suppliers.params)
        active = set(directory.loc[directory["status"].fillna("active") == "active", "vendor_id"])
        cand = cand[cand["vendor_id"].isin(active)]
        supplier_rows = bundle.suppliers.rank(cand, dict(zip(directory["vendor_id"], directory["vendor_name"],
                                                             strict=True)))
    related = related_items(history, bundle.together, names)
    related["related_sku_name"] = related["related_sku"].map(names)
    catalogue = platform_catalogue(con)
    unit_of = dict(zip(targets["customer_id"], targets["group_id"], strict=True))
    rec_rows = _recommendation_rows(recs, supplier_rows, catalogue, names, unit_of)
    snapshot = decision_snapshot(rec_rows, related, supplier_rows, catalogue)
    return ScoredTables(rec_rows, related, supplier_rows, snapshot, through)


def _recommendation_rows(recs: pd.DataFrame, suppliers: pd.DataFrame, catalogue, names: dict[str, str],
                         unit_of: dict[str, str]) -> pd.DataFrame:
    if recs.empty:
        return pd.DataFrame(columns=["business_unit_code", "buyer_id", "rank", "sku"])
    out = recs.rename(columns={"customer_id": "buyer_id", "item_id": "sku", "anchor_item_id": "anchor_sku",
                               "own_interval": "interval_days", "own_days_since": "days_since_last",
                               "own_n": "orders_with_item"}).copy()
    out["buyer_source"] = np.where(out["buyer_id"].str.startswith(PLATFORM_PREFIX), "platform",
                                   np.where(out["buyer_id"].str.startswith(UNIT_CUSTOMER), "unit", "erp"))
    out["platform_user_id"] = pd.to_numeric(out["buyer_id"].str.removeprefix(PLATFORM_PREFIX).where(
        out["buyer_source"] == "platform"), errors="coerce").astype("Int64")
    out["business_unit_code"] = out["buyer_id"].map(unit_of).fillna("")
    out["sku_name"] = out["sku"].map(names)
    sku_ids = dict(zip(catalogue.skus["sku_code"], catalogue.skus["sku_id"], strict=True))
    out["platform_sku_id"] = out["sku"].map(sku_ids).astype("Int64")
    top = suppliers[suppliers["rank"] == 1] if len(suppliers) else pd.DataFrame(
        columns=["business_unit_code", "sku", "vendor_id"])
    preferred = dict(zip(zip(top["business_unit_code"], top["sku"], strict=True), top["vendor_id"], strict=True))
    out["preferred_vendor_id"] = [preferred.get((u, s)) for u, s in zip(out["business_unit_code"], out["sku"],
                                                                        strict=True)]
    out["orders_with_item"] = out["orders_with_item"].fillna(0).astype(int)
    return out.reset_index(drop=True)
