"""Fraud labels: confirmed cases mapped to the documents the model scores.

Labels are *training and evaluation* data, never a feature: the scorer never sees them. In
the demo group they come from the simulator's ground truth
(``<demo dir>/ground_truth/fraud_cases.csv``: one row per affected ERP row); in a real group
the same CSV shape would hold the internal-audit team's confirmed findings. A case on a
purchase-order line labels its order (orders are what the model scores).
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


def load_labels(cases_path: Path | None, con: Any, lines_relation: str = "bronze.erp__purchase_order_lines") -> pd.DataFrame | None:
    """Labels from a cases CSV, or ``None`` when there is none (the model then runs unsupervised).

    Args:
        cases_path: CSV with columns ``kind, table, key`` (the ground-truth / audit-findings shape).
        con: DuckDB connection holding ``lines_relation`` (to map line cases to orders).
        lines_relation: the purchase-order lines relation.
    """
    if cases_path is None or not Path(cases_path).exists():
        return None
    cases = pd.read_csv(cases_path, dtype=str, keep_default_na=False)
    line_keys = cases.loc[cases["table"] == "purchase_order_lines", "key"].tolist()
    mapping: dict[str, str] = {}
    if line_keys:
        con.register("__ml_case_lines", pd.DataFrame({"line_id": line_keys}))
        try:
            rows = con.sql(
                f"select l.purchase_order_line_id, l.purchase_order_id from {lines_relation} l "
                "join __ml_case_lines c on c.line_id = l.purchase_order_line_id"
            ).fetchall()
        finally:
            con.unregister("__ml_case_lines")
        mapping = {str(line): str(order) for line, order in rows}
    return labels_from_cases(cases, mapping)


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
