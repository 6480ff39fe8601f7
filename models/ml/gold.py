"""The contracts of the ML gold tables: ``gold.ml_fraud_risk`` and ``gold.ml_recommendations``.

The serving API reads these tables; their Arrow schemas are fixed here (names, types, order)
and every publication is cast to them, so a model change cannot silently change a column.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pyarrow as pa

MONEY = pa.decimal128(18, 4)

FRAUD_RISK_SCHEMA = pa.schema([
    pa.field("document_type", pa.string(), nullable=False),  # purchase_order | ap_invoice | payment
    pa.field("document_id", pa.string(), nullable=False),
    pa.field("business_unit_code", pa.string()),
    pa.field("vendor_id", pa.string()),
    pa.field("buyer_id", pa.string()),
    pa.field("document_date", pa.date32()),
    pa.field("amount", MONEY),
    pa.field("currency", pa.string()),
    pa.field("amount_cny", pa.float64()),  # in the group currency, dated reference rate
    pa.field("risk_score", pa.float64(), nullable=False),  # 0..1
    pa.field("risk_level", pa.string(), nullable=False),  # low | medium | high
    pa.field("risk_rank", pa.int64(), nullable=False),  # 1 = riskiest document of the group
    pa.field("anomaly_score", pa.float64()),  # IsolationForest percentile within the type, 0..1
    pa.field("reasons", pa.list_(pa.string())),  # most important first
    pa.field("reason_features", pa.list_(pa.string())),  # feature names behind the reasons
    pa.field("model_name", pa.string(), nullable=False),
    pa.field("model_version", pa.string(), nullable=False),
    pa.field("scored_through", pa.date32()),  # latest document date scored
])

RECOMMENDATIONS_SCHEMA = pa.schema([
    pa.field("business_unit_code", pa.string(), nullable=False),
    pa.field("buyer_id", pa.string(), nullable=False),
    pa.field("rank", pa.int32(), nullable=False),  # 1 = best
    pa.field("vendor_id", pa.string(), nullable=False),
    pa.field("vendor_name", pa.string()),
    pa.field("score", pa.float64(), nullable=False),  # cf_score x quality_score ^ weight
    pa.field("cf_score", pa.float64()),
    pa.field("quality_score", pa.float64()),
    pa.field("on_time_rate", pa.float64()),
    pa.field("defect_rate", pa.float64()),
    pa.field("unit_buyers", pa.int32()),  # buyers of the unit who used the vendor (training data)
    pa.field("reason", pa.string()),
    pa.field("model_name", pa.string(), nullable=False),
    pa.field("model_version", pa.string(), nullable=False),
    pa.field("history_through", pa.date32()),  # latest order date of the history used
])


def _date(value: object) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _money(value: object) -> Decimal | None:
    if value is None or pd.isna(value):
        return None
    return Decimal(f"{float(value):.4f}")


def to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """Cast a frame to a gold schema (missing optional columns become null).

    Raises:
        KeyError: a non-nullable column is missing.
    """
    columns = {}
    for field in schema:
        if field.name not in frame:
            if not field.nullable:
                raise KeyError(f"required column {field.name!r} missing")
            columns[field.name] = pa.nulls(len(frame), field.type)
            continue
        values = frame[field.name]
        if pa.types.is_date32(field.type):
            data = [_date(v) for v in values]
        elif pa.types.is_decimal(field.type):
            data = [_money(v) for v in values]
        elif pa.types.is_list(field.type):
            data = [list(v) if v is not None else None for v in values]
        else:
            data = values.astype(object).where(values.notna(), None).tolist()
        columns[field.name] = pa.array(data, type=field.type)
    return pa.table(columns, schema=schema)
