"""What the serving API must answer on the demo lake, read from gold directly (never through the
snapshot), and the request of every route with real ids: shared by the serving tests on the
session's demo lake (``tests/demo_lake.py``)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]

API = "/api/v1"

REPUBLISH = "key:gold/supplier_* or key:serving/snapshot"

USERS = ("admin", "procurement.coal", "finance.power", "procurement.chem")

def gold(lake, sql: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
    """Rows of ``sql`` over the lake's gold tables (``gold.<mart>``), as Python values."""
    import duckdb

    from lake.sql import discover_tables, register_table
    from lake.storage import LakeStorage
    from lake.tables import open_table

    storage = LakeStorage.from_settings(lake.settings)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE SCHEMA gold")
        for table in discover_tables(storage):
            if table.layer == "gold":
                register_table(con, f'gold."{table.name}"', open_table(storage, table.relative_path),
                               f"__{table.name}")
        result = con.execute(sql, list(params))
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()

def wire(value: Any) -> Any:
    """A gold value as the API writes it in JSON: money a string, dates ISO, NaN null."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value

UNITS_OF = """
    SELECT DISTINCT supplier_key, bu FROM (
        SELECT supplier_key, business_unit_code AS bu FROM gold.supplier_source_records
        UNION SELECT supplier_key, business_unit_code FROM gold.supplier_spend_by_bu
        UNION SELECT supplier_key, main_business_unit_code FROM gold.supplier_scorecards)
    WHERE bu IS NOT NULL"""

def units_of(lake) -> dict[str, set[str]]:
    """Golden suppliers *in* each business unit: a crosswalk record, spend or the main unit there."""
    members: dict[str, set[str]] = {}
    for row in gold(lake, UNITS_OF):
        members.setdefault(row["bu"], set()).add(row["supplier_key"])
    return members

def contract(mart: str) -> dict[str, str]:
    """Column descriptions of ``mart`` in its dbt YAML contract (whitespace collapsed)."""
    import yaml

    for path in (REPO / "dbt_project" / "models" / "marts").rglob("*.yml"):
        for node in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or []:
            if node.get("name") == mart:
                return {c["name"]: " ".join(str(c["description"]).split())
                        for c in node.get("columns") or [] if c.get("description")}
    raise LookupError(mart)

def flatten(document: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """A served scorecard back into the mart's columns (the inverse of its grouping); a
    metric without a score column in ``row`` is served with a null score, left out here."""
    sections = ("business_units", "group_scores", "ranking", "activity", "metrics", "other")
    flat = {k: v for k, v in document.items() if k not in sections}
    flat.update({f"{group}_score": v for group, v in document["group_scores"].items()})
    for section in ("ranking", "activity", "other"):
        flat.update(document.get(section) or {})
    for metric in document["metrics"]:
        flat[metric["metric"]] = metric["value"]
        score = f"{metric['metric']}_score"
        if score in row:
            flat[score] = metric["score"]
        else:
            assert metric["score"] is None, metric
    return flat

def served_columns(row: dict[str, Any]) -> dict[str, Any]:
    """A scorecard row of gold as the API serves its values (its row id is not served)."""
    return {column: wire(value) for column, value in row.items() if column != "supplier_scorecard_id"}

def error_code(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]["code"]

def metric_docs() -> dict[str, str]:
    """Definitions of the scorecard columns (``supplier_scorecards_current`` wins)."""
    docs = contract("supplier_scorecards")
    try:
        docs.update(contract("supplier_scorecards_current"))
    except LookupError:
        pass
    return docs

def routes(app) -> set[str]:
    """Path templates of every route of ``app``'s OpenAPI document."""
    return set(app.openapi()["paths"])

def concrete_routes(lake, supplier_key: str) -> dict[str, str]:
    """A request for every route template, with real ids from gold."""
    customer = gold(lake, "SELECT min(customer_id) AS c FROM gold.customer_rfm")[0]["c"]
    warehouse = gold(lake, "SELECT min(warehouse_code) AS w FROM gold.stock_reconciliation")[0]["w"]
    supplier = f"{API}/suppliers/{supplier_key}"
    return {
        "/healthz": "/healthz", "/readyz": "/readyz",
        f"{API}/snapshot": f"{API}/snapshot", f"{API}/metrics": f"{API}/metrics",
        f"{API}/columns": f"{API}/columns?mart=supplier_scorecards",
        f"{API}/scorecards": f"{API}/scorecards",
        f"{API}/scorecards/me": f"{API}/scorecards/me",
        f"{API}/scorecards/{{supplier_key}}": f"{API}/scorecards/{supplier_key}",
        f"{API}/scorecards/{{supplier_key}}/history": f"{API}/scorecards/{supplier_key}/history",
        f"{API}/rankings": f"{API}/rankings", f"{API}/elimination-list": f"{API}/elimination-list",
        f"{API}/suppliers": f"{API}/suppliers",
        f"{API}/suppliers/{{supplier_key}}": supplier,
        f"{API}/suppliers/{{supplier_key}}/source-records": f"{supplier}/source-records",
        f"{API}/suppliers/{{supplier_key}}/spend": f"{supplier}/spend",
        f"{API}/suppliers/{{supplier_key}}/price-history": f"{supplier}/price-history",
        f"{API}/suppliers/{{supplier_key}}/shipments": f"{supplier}/shipments",
        f"{API}/customers/segments": f"{API}/customers/segments",
        f"{API}/customers/segment-summary": f"{API}/customers/segment-summary",
        f"{API}/customers/ltv": f"{API}/customers/ltv",
        f"{API}/customers/{{customer_id}}": f"{API}/customers/{customer}",
        f"{API}/inventory/accuracy": f"{API}/inventory/accuracy",
        f"{API}/onboarding/cycle-times": f"{API}/onboarding/cycle-times",
        f"{API}/inventory/warehouses/{{warehouse_code}}/reconciliation":
            f"{API}/inventory/warehouses/{warehouse}/reconciliation",
        f"{API}/risk/documents": f"{API}/risk/documents",
        f"{API}/recommendations": f"{API}/recommendations",
        f"{API}/supplier-review-queue": f"{API}/supplier-review-queue",
        f"{API}/procurement/sourcing-savings": f"{API}/procurement/sourcing-savings",
        f"{API}/procurement/contract-compliance": f"{API}/procurement/contract-compliance",
        f"{API}/procurement/contract-utilisation": f"{API}/procurement/contract-utilisation",
        f"{API}/procurement/contracts-expiring": f"{API}/procurement/contracts-expiring",
    }
