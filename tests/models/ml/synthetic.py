"""Seeded synthetic feature frames for model tests (no lake, no SQL)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.ml.features.orders import ORDER_FEATURES


def synthetic_orders(n: int = 600, frauds: int = 20, seed: int = 7, decoys: int = 0,
                     id_prefix: str = "PO") -> pd.DataFrame:
    """Purchase-order feature rows: ordinary orders, plus ``frauds`` self-approved or split ones.

    Dates run over 2025-01-01 .. 2025-12-31 in id order; frauds are spread evenly. ``decoys``
    ordinary orders (label 0) carry a red flag too, as real ones do: small self-approved
    orders (allowed under a unit's petty limit) and repeat orders to a vendor that are not
    under the limit, so no single flag equals the label. Their rows are drawn at random among
    the ordinary ones (seeded).
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(0.0, index=range(n), columns=list(ORDER_FEATURES))
    frame["log_amount_cny"] = rng.normal(13, 1.5, n)
    frame["limit_ratio"] = rng.uniform(0, 1.2, n)
    frame["just_under_limit"] = ((frame["limit_ratio"] >= 0.9) & (frame["limit_ratio"] < 1)).astype(float)
    frame["max_price_vs_median"] = rng.normal(0.02, 0.05, n)
    frame["log_vendor_tenure_days"] = rng.normal(7, 0.8, n)
    frame["created_off_hours"] = (rng.random(n) < 0.1).astype(float)
    frame["split_siblings"] = (rng.random(n) < 0.05).astype(float)
    fraud_rows = np.linspace(5, n - 5, frauds).astype(int)
    kinds = np.array([""] * n, dtype=object)
    for j, row in enumerate(fraud_rows):
        if j % 2 == 0:
            frame.loc[row, "self_approved"] = 1.0
            kinds[row] = "self_approval"
        else:
            frame.loc[row, ["limit_ratio", "just_under_limit", "split_siblings", "split_siblings_under_limit",
                            "split_total_ratio", "split_under_limit"]] = [0.95, 1, 2, 2, 2.85, 1]
            kinds[row] = "split_order"
    ordinary = np.setdiff1d(np.arange(n), fraud_rows)
    for j, row in enumerate(rng.choice(ordinary, size=decoys, replace=False)):
        if j % 2 == 0:  # a petty self-approved order
            frame.loc[row, ["self_approved", "log_amount_cny"]] = [1.0, rng.normal(8.5, 0.5)]
        else:  # a repeat order to the same vendor, well under the limit together
            frame.loc[row, ["limit_ratio", "just_under_limit", "split_siblings",
                            "split_siblings_under_limit", "split_total_ratio",
                            "split_under_limit"]] = [rng.uniform(0.05, 0.3), 0, 2, 2,
                                                     rng.uniform(0.2, 0.7), 0]
    frame.insert(0, "document_id", [f"{id_prefix}-{i:05d}" for i in range(n)])
    frame.insert(1, "document_type", "purchase_order")
    frame.insert(2, "document_date", pd.date_range("2025-01-01", "2025-12-31", periods=n).normalize())
    frame["buyer_id"] = "U-1"
    frame["amount_cny"] = np.expm1(frame["log_amount_cny"])
    frame["label"] = (kinds != "").astype(int)
    frame["kinds"] = kinds
    return frame
