"""Demand forecast and late-delivery risk (models.ml.forecast) on tiny hand-made and seeded histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.ml.forecast.delivery import (
    DeliveryParams,
    evaluate_delivery,
    fit_delivery,
    outcome_as_of,
    pair_features,
    score_pairs,
    training_set,
)
from models.ml.forecast.demand import (
    DemandParams,
    build_panel,
    evaluate_demand,
    feature_names,
    fit_demand,
    forecast_rows,
    origin_features,
)
from models.ml.forecast.gold import (
    DELIVERY_RISK_SCHEMA,
    DEMAND_FORECAST_SCHEMA,
    delivery_problems,
    demand_problems,
)
from models.ml.forecast.lookup import LateRiskLookup
from models.ml.gold import to_arrow

MONDAY = pd.Timestamp("2025-01-06")
FAST = {"max_iter": 60, "min_samples_leaf": 20, "origin_stride": 1}


def _lines(rows: list[tuple[str, str, str, int, float]]) -> pd.DataFrame:
    """(unit, sku, category, week index, quantity) -> order lines dated the Wednesday of that week."""
    return pd.DataFrame({
        "business_unit_code": [r[0] for r in rows], "sku": [r[1] for r in rows], "category_id": [r[2] for r in rows],
        "order_date": [MONDAY + pd.Timedelta(weeks=r[3], days=2) for r in rows],
        "quantity": [r[4] for r in rows], "unit_price": 2.0})


def test_weekly_panel_and_exact_lags():
    # SKU A ordered in weeks 0..7 (twice in week 3), SKU B only in week 2 (thin: pooled into its category)
    lines = _lines([("U1", "A", "C1", w, float(w + 1)) for w in range(8)] + [("U1", "A", "C1", 3, 10.0),
                                                                          ("U1", "B", "C2", 2, 5.0)])
    panel = build_panel(lines, min_active_weeks=2)
    assert list(panel.keys["series"]) == ["A", "category:C2"]
    assert list(panel.keys["level"]) == ["sku", "category"]
    assert panel.keys["sku"].tolist()[0] == "A" and pd.isna(panel.keys["sku"].tolist()[1])
    assert panel.weeks[0] == MONDAY and len(panel.weeks) == 8
    assert panel.values[0].tolist() == [1, 2, 3, 14, 5, 6, 7, 8]
    assert panel.values[1].tolist() == [0, 0, 5, 0, 0, 0, 0, 0]

    params = DemandParams(lags=(1, 2, 4), windows=(4,), horizon=2)
    codes = {"unit": {"U1": 0}, "category": {"C1": 0, "C2": 1}}
    X, scale = origin_features(panel, 5, params, codes)  # origin = week 5, horizons 1 and 2
    names = feature_names(params)
    assert X.shape == (4, len(names))  # 2 series x 2 horizons, horizon-major
    assert scale.tolist() == pytest.approx([(1 + 2 + 3 + 14 + 5 + 6) / 6, 5 / 6])
    a, s = X[0], scale[0]
    assert a[names.index("lag_1")] * s == pytest.approx(6)  # week 5
    assert a[names.index("lag_2")] * s == pytest.approx(5)  # week 4
    assert a[names.index("lag_4")] * s == pytest.approx(3)  # lag k = week t - k + 1: week 2
    assert a[names.index("mean_4")] * s == pytest.approx((3 + 14 + 5 + 6) / 4)
    assert np.isnan(a[names.index("seasonal")])  # no week a year before the target
    assert X[2, names.index("horizon")] == 2 and X[0, names.index("horizon")] == 1
    b = X[1]
    assert b[names.index("weeks_since_order")] == 3  # last ordered in week 2
    assert b[names.index("active_share_26")] == pytest.approx(1 / 6)
    assert b[names.index("level")] == 1 and b[names.index("category")] == 1


def test_model_beats_the_naive_forecasts_on_a_seeded_seasonal_series():
    rng = np.random.default_rng(11)
    rows = []
    for unit in ("U1", "U2"):
        for k in range(8):
            base, phase = rng.lognormal(2.0, 0.6), rng.uniform(0, 2 * np.pi)
            for w in range(110):
                q = rng.poisson(base * (1 + 0.6 * np.sin(2 * np.pi * w / 52 + phase)))
                if q:
                    rows.append((unit, f"S{k}", f"C{k % 2}", w, float(q)))
    report = evaluate_demand(_lines(rows), DemandParams(**{**FAST, "origin_stride": 2}))
    model = report["model"]["wape"]
    assert report["series"] == 16 and report["sku_series"] == 16 and report["cells"] > 500
    assert model < report["last_value"]["wape"]
    assert model < report["seasonal_naive"]["wape"]
    assert model < report["moving_average"]["wape"]  # a 12-week mean lags a seasonal swing


def test_demand_gold_rows_schema_stock_and_requisition():
    rng = np.random.default_rng(3)
    rows = [(u, s, "C1", w, float(rng.poisson(8 if s == "A" else 3) + 1)) for u in ("U1", "U2") for s in ("A", "B")
            for w in range(40)]
    lines = _lines(rows)
    params = DemandParams(min_origin_week=4, best_sellers_per_category=1, **FAST)
    model = fit_demand(build_panel(lines), params, halfwidth_from={1: 0.5, 2: 0.5, 3: 0.6, 4: 0.7})
    stock = pd.DataFrame({"business_unit_code": ["U1"], "sku": ["A"], "stock_on_hand": [5.0]})
    out = forecast_rows(model, lines, stock)
    out["model_name"], out["model_version"] = "grouplake_demand_forecast", "1"
    table = to_arrow(out, DEMAND_FORECAST_SCHEMA)
    assert table.schema == DEMAND_FORECAST_SCHEMA and table.num_rows == 4 * 4
    assert demand_problems(out, 4) == {}
    assert sorted(out["week"].unique()) == [MONDAY + pd.Timedelta(weeks=40 + h) for h in range(4)]
    a1 = out[(out["business_unit_code"] == "U1") & (out["sku"] == "A")].sort_values("week")
    assert a1["cumulative_forecast"].tolist() == pytest.approx(a1["forecast"].cumsum().tolist())
    assert a1["proposed_requisition"].tolist() == pytest.approx((a1["cumulative_forecast"] - 5).clip(lower=0).tolist())
    assert out.loc[out["sku"] == "B", "proposed_requisition"].isna().all()  # stock not known
    assert (a1["forecast_low"] <= a1["forecast"]).all() and (a1["forecast"] <= a1["forecast_high"]).all()
    # at most one best-seller per unit and category, never the smaller SKU here
    assert not out.loc[out["sku"] == "B", "is_likely_best_seller"].any()
    broken = pd.concat([out, out.iloc[:1]])
    assert set(demand_problems(broken, 4)) == {"one_row_per_series_and_week"}


def _delivery_lines() -> pd.DataFrame:
    """Three lines of vendor V1 promised on 2025-03-10 and one of V2."""
    return pd.DataFrame({
        "purchase_order_line_id": ["L1", "L2", "L3", "L4"], "purchase_order_id": ["P1", "P2", "P3", "P4"],
        "business_unit_code": "U1", "vendor_id": ["V1", "V1", "V1", "V2"], "vendor_uscc": ["X", "X", "X", "Y"],
        "material_id": ["M1", "M1", "M2", "M1"], "sku": ["S1", "S1", "S2", "S1"],
        "order_date": pd.to_datetime(["2025-03-01"] * 4), "promised_date": pd.to_datetime(["2025-03-10"] * 4),
        "first_received_date": pd.to_datetime(["2025-03-09", "2025-03-12", None, "2025-03-10"]),
        "quantity": 1.0, "unit_price": 1.0, "status": "open"})


def test_outcome_is_what_was_known_on_the_date():
    lines = _delivery_lines()
    # 03-10: L1 on time; L2 not received yet and not overdue (promised today): unknown; L4 on time
    assert outcome_as_of(lines, pd.Timestamp("2025-03-10")).tolist()[:2] == [0.0, None] or \
        np.isnan(outcome_as_of(lines, pd.Timestamp("2025-03-10"))[1])
    known = outcome_as_of(lines, pd.Timestamp("2025-03-11"))
    assert known.tolist() == [0.0, 1.0, 1.0, 0.0]  # L2 overdue on the 11th, L3 never received
    assert outcome_as_of(lines, pd.Timestamp("2025-03-13")).tolist() == [0.0, 1.0, 1.0, 0.0]


def test_pair_features_shrink_toward_the_company_and_vendor():
    lines = _delivery_lines()
    pairs = pd.DataFrame({"vendor_id": ["V1", "V1", "V3"], "material_id": ["M1", "M9", "M1"]})
    f = pair_features(lines, None, pd.Timestamp("2025-03-20"), pairs, DeliveryParams(prior_weight=2.0))
    group = 2 / 4
    company_x = (2 + 2 * group) / (3 + 2)
    vendor_v1 = (2 + 2 * company_x) / (3 + 2)
    assert f["vendor_lines"].tolist() == [3, 3, 0]
    assert f["company_late_rate"].iloc[0] == pytest.approx(company_x)
    assert f["vendor_late_rate"].iloc[0] == pytest.approx(vendor_v1)
    assert f["pair_late_rate"].iloc[0] == pytest.approx((1 + 2 * vendor_v1) / (2 + 2))  # V1 x M1: 1 late of 2
    assert f["pair_late_rate"].iloc[1] == pytest.approx(vendor_v1)  # no line of M9: the vendor's rate
    assert f["baseline"].tolist() == pytest.approx([2 / 3, 2 / 3, group])  # raw; unknown vendor: the group's
    assert f["lead_time_mean"].iloc[0] == pytest.approx((8 + 11) / 2)


def _seeded_deliveries(seed: int = 5) -> pd.DataFrame:
    """Companies with true late probabilities (0.05 or 0.5), 2 vendor records each, few lines per vendor."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for c in range(40):
        p = 0.5 if c % 5 == 0 else 0.05
        for v in range(2):
            for _ in range(int(rng.integers(3, 14))):
                ordered = start + pd.Timedelta(days=int(rng.integers(0, 540)))
                promised = ordered + pd.Timedelta(days=14)
                delay = int(rng.integers(1, 12)) if rng.random() < p else -int(rng.integers(0, 3))
                rows.append((f"V{c}-{v}", f"C{c}", f"M{int(rng.integers(0, 5))}", ordered, promised,
                             promised + pd.Timedelta(days=delay)))
    frame = pd.DataFrame(rows, columns=["vendor_id", "vendor_uscc", "material_id", "order_date", "promised_date",
                                        "first_received_date"])
    frame["purchase_order_line_id"] = [f"L{i}" for i in range(len(frame))]
    frame["business_unit_code"], frame["sku"] = "U1", frame["material_id"]
    return frame


def test_delivery_model_beats_the_vendor_rate_on_seeded_history():
    lines = _seeded_deliveries()
    report = evaluate_delivery(lines, None, DeliveryParams(max_iter=60, min_samples_leaf=20))
    assert report["holdout_lines"] > 50
    assert report["model"]["log_loss"] < report["vendor_late_rate"]["log_loss"]
    assert report["model"]["brier"] < report["vendor_late_rate"]["brier"]


def test_delivery_gold_rows_and_the_optimiser_lookup():
    lines = _seeded_deliveries()
    params = DeliveryParams(max_iter=30, min_samples_leaf=20)
    end = pd.Timestamp("2025-07-01")
    model = fit_delivery(training_set(lines, None, end, params), params, str(end.date()))
    rows = score_pairs(model, lines, None).rename(columns={"baseline": "historical_late_rate"})
    rows["model_name"], rows["model_version"] = "grouplake_delivery_risk", "3"
    table = to_arrow(rows, DELIVERY_RISK_SCHEMA)
    assert table.schema == DELIVERY_RISK_SCHEMA
    assert table.num_rows == len(lines[["vendor_id", "material_id"]].drop_duplicates())
    assert delivery_problems(rows) == {}
    assert rows["late_probability"].between(0, 1).all()

    lookup = LateRiskLookup.from_rows(table.to_pandas())
    assert lookup.model_version == "3"
    row = rows.iloc[0]
    assert lookup.late_probability(row["vendor_id"], row["sku"]) == pytest.approx(row["late_probability"])
    own = rows[rows["vendor_id"] == row["vendor_id"]]["late_probability"].mean()
    assert lookup.late_probability(row["vendor_id"], "NEW-SKU") == pytest.approx(own)
    assert lookup.late_probability(row["vendor_id"], "NEW-SKU", fallback="none") is None
    assert lookup.late_probability("NOBODY", "S1", default=0.1) == 0.1
    offers = [{"offer_id": "o1", "supplier_id": row["vendor_id"], "sku": row["sku"]},
              {"offer_id": "o2", "supplier_id": "NOBODY", "sku": "S1"},
              {"offer_id": "o3", "supplier_id": row["vendor_id"], "sku": row["sku"], "late_probability": 0.9}]
    filled = lookup.fill(offers)
    assert filled[0]["late_probability"] == pytest.approx(row["late_probability"], abs=1e-6)
    assert "late_probability" not in filled[1] and filled[2]["late_probability"] == 0.9
    assert "late_probability" not in offers[0]  # copies, the input is untouched
    by_company = LateRiskLookup.from_rows(table.to_pandas(), key="uscc")
    assert by_company.late_probability(row["vendor_uscc"], row["sku"]) is not None
    with pytest.raises(ValueError, match="key must be"):
        LateRiskLookup.from_rows(table.to_pandas(), key="name")
