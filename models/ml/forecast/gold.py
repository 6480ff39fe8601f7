"""The contracts of the forecast gold tables: ``gold.ml_demand_forecast`` and ``gold.ml_delivery_risk``.

Fixed Arrow schemas (names, types, order); every publication is cast to them with
:func:`models.ml.gold.to_arrow`, so a model change cannot silently change a column.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

DEMAND_FORECAST_SCHEMA = pa.schema([
    pa.field("business_unit_code", pa.string(), nullable=False),
    pa.field("series", pa.string(), nullable=False),  # the SKU, or 'category:<id>' for pooled thin SKUs
    pa.field("level", pa.string(), nullable=False),  # sku | category
    pa.field("sku", pa.string()),  # null on category rows
    pa.field("category_id", pa.string()),
    pa.field("week", pa.date32(), nullable=False),  # Monday of the forecast week
    pa.field("horizon", pa.int32(), nullable=False),  # 1 = the week after the history ends
    pa.field("forecast", pa.float64(), nullable=False),  # quantity (the SKU's unit of measure)
    pa.field("forecast_low", pa.float64()),  # interval (held-out error quantile, see README)
    pa.field("forecast_high", pa.float64()),
    pa.field("cumulative_forecast", pa.float64(), nullable=False),  # forecast through this week
    pa.field("recent_weekly_mean", pa.float64()),  # mean of the last 12 weeks
    pa.field("forecast_value_4w", pa.float64()),  # 4-week forecast x latest unit price (SKU rows)
    pa.field("is_likely_best_seller", pa.bool_(), nullable=False),
    pa.field("stock_on_hand", pa.float64()),  # the unit's WMS stock of the SKU (null: not known)
    pa.field("proposed_requisition", pa.float64()),  # max(0, cumulative_forecast - stock_on_hand)
    pa.field("model_name", pa.string(), nullable=False),
    pa.field("model_version", pa.string(), nullable=False),
    pa.field("history_through", pa.date32()),  # last day of the last complete week used
])

DELIVERY_RISK_SCHEMA = pa.schema([
    pa.field("vendor_id", pa.string(), nullable=False),  # ERP vendor record (supplier in a unit)
    pa.field("business_unit_code", pa.string()),
    pa.field("vendor_uscc", pa.string()),
    pa.field("material_id", pa.string(), nullable=False),
    pa.field("sku", pa.string()),
    pa.field("late_probability", pa.float64(), nullable=False),  # 0..1, the champion's
    pa.field("historical_late_rate", pa.float64()),  # the baseline: the vendor's raw late share
    pa.field("vendor_lines", pa.int64()),  # lines with a known outcome behind the vendor's rates
    pa.field("pair_lines", pa.int64()),  # ... of this SKU
    pa.field("open_lines", pa.int64()),  # lines not received yet
    pa.field("overdue_open_lines", pa.int64()),  # ... already past their promised date
    pa.field("model_name", pa.string(), nullable=False),
    pa.field("model_version", pa.string(), nullable=False),
    pa.field("as_of", pa.date32()),
])

DEMAND_ORDER = ["business_unit_code", "series", "week"]
DELIVERY_ORDER = ["vendor_id", "material_id"]


def demand_problems(rows: pd.DataFrame, horizon: int) -> dict[str, str]:
    """Failed checks of ``gold.ml_demand_forecast`` rows -> why (empty when all pass)."""
    problems: dict[str, str] = {}
    if rows.empty:
        return problems
    bad = rows["forecast"].isna() | (rows["forecast"] < 0)
    if bad.any():
        problems["forecasts_non_negative"] = f"{int(bad.sum())} missing or negative forecast(s)"
    duplicated = int(rows.duplicated(["business_unit_code", "series", "week"]).sum())
    if duplicated:
        problems["one_row_per_series_and_week"] = f"{duplicated} duplicated (unit, series, week)"
    weeks = rows.groupby(["business_unit_code", "series"])["week"].nunique()
    if (weeks != horizon).any():
        problems["every_series_has_the_horizon"] = f"{int((weeks != horizon).sum())} series without {horizon} weeks"
    return problems


def delivery_problems(rows: pd.DataFrame) -> dict[str, str]:
    """Failed checks of ``gold.ml_delivery_risk`` rows -> why (empty when all pass)."""
    problems: dict[str, str] = {}
    if rows.empty:
        return problems
    p = rows["late_probability"]
    if p.isna().any() or (p < 0).any() or (p > 1).any():
        problems["probabilities_in_unit_interval"] = f"{int(p.isna().sum())} missing, {int(((p < 0) | (p > 1)).sum())} outside [0, 1]"
    duplicated = int(rows.duplicated(["vendor_id", "material_id"]).sum())
    if duplicated:
        problems["one_row_per_vendor_and_sku"] = f"{duplicated} duplicated (vendor, material)"
    return problems


DEMAND_CHECKS = ("forecasts_non_negative", "one_row_per_series_and_week", "every_series_has_the_horizon")
DELIVERY_CHECKS = ("probabilities_in_unit_interval", "one_row_per_vendor_and_sku")
