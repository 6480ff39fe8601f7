"""The decision snapshot: what the transactional service applies, keyed by the platform's ids.

One table (``gold.reco_decision_snapshot``), four sections; its content hash is the snapshot
version the service records on every row it writes:

* ``buyer_items`` — per platform buyer (``buyer_user_id``, the ``users.id`` its orders carry)
  and unit: up to :data:`PER_BUYER` SKUs (``sku_id`` = ``skus.id``) ranked, with score, reason
  and the offer to suggest (``offer_id`` / ``supplier_id``: the unit's top-ranked supplier's
  active offer, else the cheapest active one). SKUs not on the platform are left out.
* ``unit_items`` — per unit, the same for a buyer without orders yet (cold start: what the
  unit's buyers order, what is trending).
* ``related_items`` — per SKU (``sku_id``) the SKUs often ordered with it (``related_sku_id``),
  score = confidence.
* ``sku_suppliers`` — per unit × SKU with platform offers: the suppliers (``supplier_id``,
  their active ``offer_id``) ranked by the supplier model; suppliers without a history in the
  unit follow, cheapest first.

The service still applies the business rules (:mod:`.rules`) on its live state: the
snapshot may be hours old, an offer may have been switched off since.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: Items published per buyer (and unit): twice the default page of ``GET /recommendations``,
#: so the service can top a page up when its rules drop items (an offer switched off or a
#: supplier suspended since the snapshot was produced).
PER_BUYER = 20
SNAPSHOT_COLUMNS = ["section", "business_unit", "buyer_user_id", "sku_id", "rank", "related_sku_id",
                    "supplier_id", "offer_id", "score", "reason_kind", "reason"]


def _active_offers(catalogue) -> pd.DataFrame:
    offers = catalogue.offers
    if offers.empty:
        return offers
    return offers[offers["is_active"].fillna(False).astype(bool)].sort_values(["sku_id", "unit_price", "offer_id"])


def _suggest(offers: pd.DataFrame, sku_id: int, preferred: str | None) -> tuple[str | None, int | None]:
    rows = offers[offers["sku_id"] == sku_id]
    if rows.empty:
        return None, None
    if preferred is not None and (rows["supplier_id"] == preferred).any():
        rows = rows[rows["supplier_id"] == preferred]
    row = rows.iloc[0]
    return str(row["supplier_id"]), int(row["offer_id"])


def _item_rows(recs: pd.DataFrame, offers: pd.DataFrame, source: str, section: str) -> list[dict]:
    rows = []
    mine = recs[(recs["buyer_source"] == source) & recs["platform_sku_id"].notna()]
    mine = mine.sort_values(["buyer_id", "rank"])
    by_sku = offers.groupby("sku_id") if len(offers) else None
    for _buyer, group in mine.groupby("buyer_id", sort=True):
        rank = 0
        for r in group.itertuples(index=False):
            sku_id = int(r.platform_sku_id)
            if by_sku is None or sku_id not in by_sku.groups:
                continue  # no active offer: nothing the buyer could order
            rank += 1
            supplier, offer = _suggest(offers, sku_id, r.preferred_vendor_id)
            rows.append({"section": section, "business_unit": r.business_unit_code,
                         "buyer_user_id": int(r.platform_user_id) if section == "buyer_items" else None,
                         "sku_id": sku_id, "rank": rank, "related_sku_id": None, "supplier_id": supplier,
                         "offer_id": offer, "score": float(r.score), "reason_kind": r.reason_kind,
                         "reason": r.reason})
            if rank >= PER_BUYER:
                break
    return rows


def decision_snapshot(recs: pd.DataFrame, related: pd.DataFrame, suppliers: pd.DataFrame, catalogue) -> pd.DataFrame:
    """The snapshot rows (:data:`SNAPSHOT_COLUMNS`) from the scored tables and the platform catalogue.

    Args:
        recs: ``gold.ml_recommendations`` rows (``buyer_source`` erp | platform | unit).
        related: ``gold.ml_related_items`` rows.
        suppliers: ``gold.ml_supplier_recommendations`` rows.
        catalogue: :class:`.lake.PlatformCatalogue`.
    """
    offers = _active_offers(catalogue)
    rows: list[dict] = []
    if len(recs):
        rows += _item_rows(recs, offers, "platform", "buyer_items")
        rows += _item_rows(recs, offers, "unit", "unit_items")
    sku_ids = dict(zip(catalogue.skus["sku_code"], catalogue.skus["sku_id"], strict=True))
    if len(related) and sku_ids:
        on = related[related["sku"].isin(sku_ids) & related["related_sku"].isin(sku_ids)]
        for sku, group in on.groupby("sku", sort=True):
            for rank, r in enumerate(group.sort_values("rank").itertuples(index=False), start=1):
                rows.append({"section": "related_items", "business_unit": None, "buyer_user_id": None,
                             "sku_id": int(sku_ids[sku]), "rank": rank, "related_sku_id": int(sku_ids[r.related_sku]),
                             "supplier_id": None, "offer_id": None, "score": float(r.confidence),
                             "reason_kind": "together", "reason": r.reason})
    rows += _supplier_rows(recs, suppliers, offers, catalogue)
    frame = pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)
    frame["buyer_user_id"] = frame["buyer_user_id"].astype("Int64")
    frame["related_sku_id"] = frame["related_sku_id"].astype("Int64")
    frame["offer_id"] = frame["offer_id"].astype("Int64")
    return frame


def _supplier_rows(recs: pd.DataFrame, suppliers: pd.DataFrame, offers: pd.DataFrame, catalogue) -> list[dict]:
    if offers.empty:
        return []
    codes = dict(zip(catalogue.skus["sku_id"], catalogue.skus["sku_code"], strict=True))
    units = sorted(set(recs["business_unit_code"]) if len(recs) else set()
                   | set(catalogue.buyers["business_unit"].dropna()))
    ranked = {}
    if len(suppliers):
        for (unit, sku), group in suppliers.groupby(["business_unit_code", "sku"], sort=False):
            ranked[(unit, sku)] = group.sort_values("rank")
    rows = []
    for unit in [u for u in units if u]:
        for sku_id, group in offers.groupby("sku_id", sort=True):
            model = ranked.get((unit, codes.get(sku_id)))
            order, seen = [], set()
            if model is not None:
                for r in model.itertuples(index=False):
                    match = group[group["supplier_id"] == r.vendor_id]
                    if len(match) and r.vendor_id not in seen:
                        order.append((r.vendor_id, int(match.iloc[0]["offer_id"]), float(r.score), "model", r.reason))
                        seen.add(r.vendor_id)
            for r in group.itertuples(index=False):
                if r.supplier_id not in seen:
                    price = "" if r.unit_price is None or math.isnan(r.unit_price) else f": {r.unit_price:g} {r.currency}"
                    order.append((r.supplier_id, int(r.offer_id), 0.0, "offer",
                                  f"offered on the platform{price}; no orders of it from your unit yet"))
                    seen.add(r.supplier_id)
            for rank, (supplier, offer, score, kind, reason) in enumerate(order, start=1):
                rows.append({"section": "sku_suppliers", "business_unit": unit, "buyer_user_id": None,
                             "sku_id": int(sku_id), "rank": rank, "related_sku_id": None, "supplier_id": supplier,
                             "offer_id": offer, "score": score, "reason_kind": kind, "reason": reason})
    return rows


def snapshot_problems(frame: pd.DataFrame) -> dict[str, str]:
    """Failed checks of snapshot rows -> why (empty when all pass): one row per key, ranks 1..n."""
    problems = {}
    key = ["section", "business_unit", "buyer_user_id", "sku_id", "rank"]
    duplicated = int(frame.duplicated(key).sum())
    if duplicated:
        problems["one_row_per_key"] = f"{duplicated} duplicated ({', '.join(key)})"
    items = frame[frame["section"].isin(["buyer_items", "unit_items"])]
    bad = 0
    if len(items):
        ranks = items.groupby(["section", "business_unit", "buyer_user_id"], dropna=False)["rank"]
        bad += int((~ranks.agg(lambda r: sorted(r) == list(range(1, len(r) + 1)))).sum())
    other = frame[~frame["section"].isin(["buyer_items", "unit_items"])]
    if len(other):
        ranks = other.groupby(["section", "business_unit", "sku_id"], dropna=False)["rank"]
        bad += int((~ranks.agg(lambda r: sorted(r) == list(range(1, len(r) + 1)))).sum())
    if bad:
        problems["ranks_contiguous"] = f"{bad} list(s) with gaps or repeats"
    if len(frame) and (~np.isfinite(frame["score"].to_numpy(dtype=float))).any():
        problems["scores_finite"] = "non-finite score"
    return problems
