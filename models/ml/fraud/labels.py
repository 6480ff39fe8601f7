"""Fraud labels: confirmed cases mapped to the documents the model scores.

Labels are *training and evaluation* data, never a feature: the scorer never sees them. In
the demo group they come from the simulator's ground truth
(``<demo dir>/ground_truth/fraud_cases.csv``: one row per affected ERP row); in a real group
the same CSV shape would hold the internal-audit team's confirmed findings. A case on a
purchase-order line labels its order (orders are what the model scores).

The platform's own risk reviews are labels too: a review of an order the online risk guard
held (``transactional/ordering/reviews.py``) is emitted as ``order.risk_reviewed`` through the
outbox into ``bronze.tx__outbox_events``; :func:`review_outcomes` reads them (the latest review
per order wins; ``cleared`` is an explicit negative, ``confirmed_fraud`` a positive) and
:func:`review_labels` turns the confirmed ones into label rows (``document_type``
``platform_order``, ``document_id`` ``platform:<order id>``, ``kind``
``review:confirmed_fraud``), which :func:`load_labels` adds next to the audit team's CSV.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

#: ERP table of a case -> the scored document type.
TABLE_DOCUMENT: dict[str, str] = {
    "purchase_orders": "purchase_order",
    "purchase_order_lines": "purchase_order",
    "ap_invoices": "ap_invoice",
    "payments": "payment",
}

LABEL_COLUMNS = ["document_type", "document_id", "kind"]
#: kinds in the demo's ground truth that stand for fraud no audit has found (``demo/fraud_unseen.py``):
#: evaluation truth for the honest evaluation (:mod:`models.ml.fraud.honest`), never training
#: labels by default — in a real group they would not be in the audit team's CSV.
EVALUATION_ONLY_KINDS = ("ring_rotation", "price_creep")
#: kinds whose act is a manual price change of an order line after the order was written: a
#: case labels its order only once the lake's line shows the override (``price_overridden_at``).
#: An override planned after the extract's cutoff (an order approved in the last days, its
#: price raised the next night or Sunday) has not happened yet as far as the lake knows, so
#: no audit could have found it and nothing in the documents shows it (issue #14: the one
#: ``off_hours_price_override`` case per seed the model "missed" at scale 1 was such a case).
OVERRIDE_KINDS = ("off_hours_price_override",)
OUTBOX = "bronze.tx__outbox_events"
REVIEWED_EVENT = "order.risk_reviewed"
REVIEW_COLUMNS = ["order_id", "outcome", "is_fraud", "decided_at", "business_unit", "supplier_id",
                  "buyer_user_id", "score", "model_version", "reason_codes"]


def review_outcomes(con: Any, outbox: str = OUTBOX) -> pd.DataFrame:
    """The platform's risk-review outcomes (:data:`REVIEW_COLUMNS`), latest per order, by order id.

    Empty when the outbox has not reached the lake (or holds no review yet).
    """
    import duckdb

    try:
        con.execute(f"select 1 from {outbox} limit 0")
    except duckdb.Error:  # the outbox has not reached the lake yet: no reviews
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    rows = con.sql(f"""
select cast(aggregate_id as bigint) as order_id, json_extract_string(payload, '$.outcome') as outcome,
       cast(json_extract(payload, '$.is_fraud') as boolean) as is_fraud,
       try_cast(json_extract_string(payload, '$.decided_at') as timestamptz) as decided_at,
       json_extract_string(payload, '$.business_unit') as business_unit,
       json_extract_string(payload, '$.supplier_id') as supplier_id,
       cast(json_extract(payload, '$.buyer_user_id') as bigint) as buyer_user_id,
       cast(json_extract(payload, '$.verdict.score') as double) as score,
       json_extract_string(payload, '$.verdict.model_version') as model_version,
       array_to_string(json_extract_string(payload, '$.verdict.reasons[*].code'), ';') as reason_codes
from {outbox} where event_type = '{REVIEWED_EVENT}'
qualify row_number() over (partition by aggregate_id order by sequence_id desc) = 1
order by order_id""").df()
    return rows[REVIEW_COLUMNS]


def review_labels(con: Any, outbox: str = OUTBOX) -> pd.DataFrame:
    """Label rows (:data:`LABEL_COLUMNS`) of the platform orders a review confirmed as fraud."""
    outcomes = review_outcomes(con, outbox)
    confirmed = outcomes[outcomes["is_fraud"].fillna(False).astype(bool)]
    return pd.DataFrame({"document_type": "platform_order",
                         "document_id": [f"platform:{i}" for i in confirmed["order_id"]],
                         "kind": "review:confirmed_fraud"}, columns=LABEL_COLUMNS)


def labels_from_cases(cases: pd.DataFrame, line_to_order: Mapping[str, str]) -> pd.DataFrame:
    """Map case rows ``(kind, table, key)`` to ``(document_type, document_id, kind)``.

    Args:
        cases: rows with at least ``kind``, ``table``, ``key``.
        line_to_order: purchase-order line id -> purchase-order id.

    Returns:
        One row per (document, kind), sorted; cases on other tables are ignored.

    Example:
        >>> cases = pd.DataFrame({"kind": ["self_approval"], "table": ["purchase_orders"], "key": ["PO-1"]})
        >>> labels_from_cases(cases, {}).to_dict("records")
        [{'document_type': 'purchase_order', 'document_id': 'PO-1', 'kind': 'self_approval'}]
    """
    rows = []
    for kind, table, key in cases[["kind", "table", "key"]].itertuples(index=False):
        document_type = TABLE_DOCUMENT.get(str(table))
        if document_type is None:
            continue
        document_id = line_to_order.get(str(key)) if table == "purchase_order_lines" else str(key)
        if document_id:
            rows.append((document_type, document_id, str(kind)))
    frame = pd.DataFrame(rows, columns=LABEL_COLUMNS).drop_duplicates()
    return frame.sort_values(LABEL_COLUMNS).reset_index(drop=True)


def demo_cases_path(settings: Any) -> Path | None:
    """The demo group's fraud ground truth, when the demo sources are in use and it exists."""
    if not settings.uses_demo_sources:
        return None
    path = Path(settings.demo.dir) / "ground_truth" / "fraud_cases.csv"
    return path if path.exists() else None


def load_labels(cases_path: Path | None, con: Any, lines_relation: str = "bronze.erp__purchase_order_lines",
                outbox: str = OUTBOX, *, include_unseen: bool = False) -> pd.DataFrame | None:
    """Labels from a cases CSV plus the platform's confirmed risk reviews (:func:`review_labels`),
    or ``None`` when there is no CSV (the model then runs unsupervised). Cases of
    :data:`EVALUATION_ONLY_KINDS` are left out unless ``include_unseen`` (the honest evaluation);
    cases of :data:`OVERRIDE_KINDS` whose line shows no override in the lake yet are left out.

    Args:
        cases_path: CSV with columns ``kind, table, key`` (the ground-truth / audit-findings shape).
        con: DuckDB connection holding ``lines_relation`` (to map line cases to orders).
        lines_relation: the purchase-order lines relation.
    """
    if cases_path is None or not Path(cases_path).exists():
        return None
    cases = pd.read_csv(cases_path, dtype=str, keep_default_na=False)
    if not include_unseen and "kind" in cases:
        cases = cases[~cases["kind"].isin(EVALUATION_ONLY_KINDS)]
    line_keys = cases.loc[cases["table"] == "purchase_order_lines", "key"].tolist()
    mapping: dict[str, str] = {}
    if line_keys:
        con.register("__ml_case_lines", pd.DataFrame({"line_id": line_keys}))
        try:
            rows = con.sql(
                f"select l.purchase_order_line_id, l.purchase_order_id, l.price_overridden_at is not null "
                f"from {lines_relation} l join __ml_case_lines c on c.line_id = l.purchase_order_line_id"
            ).fetchall()
        finally:
            con.unregister("__ml_case_lines")
        mapping = {str(line): str(order) for line, order, _ in rows}
        not_yet = {str(line) for line, _, overridden in rows if not overridden}
        cases = cases[~(cases["kind"].isin(OVERRIDE_KINDS) & (cases["table"] == "purchase_order_lines")
                        & cases["key"].isin(not_yet))]
    labels = labels_from_cases(cases, mapping)
    reviews = review_labels(con, outbox)
    if reviews.empty:
        return labels
    return pd.concat([labels, reviews], ignore_index=True).drop_duplicates().sort_values(
        LABEL_COLUMNS).reset_index(drop=True)


def attach_labels(frame: pd.DataFrame, labels: pd.DataFrame | None) -> pd.DataFrame:
    """Add ``label`` (0/1) and ``kinds`` (';'-joined, '' if none) to a scored/feature frame."""
    out = frame.copy()
    if labels is None or labels.empty:
        out["label"], out["kinds"] = 0, ""
        return out
    kinds = (labels.groupby(["document_type", "document_id"])["kind"]
             .agg(lambda k: ";".join(sorted(set(k)))).rename("kinds").reset_index())
    out = out.merge(kinds, on=["document_type", "document_id"], how="left")
    out["kinds"] = out["kinds"].fillna("")
    out["label"] = (out["kinds"] != "").astype(int)
    return out
