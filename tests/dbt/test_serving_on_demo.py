"""The serving API on the demo group's real marts, and reads during a republication.

Every route answers from the serving snapshot the asset graph built in ``demo_lake``; each
test compares what the API says with the gold tables themselves (read through the lake, not
through the snapshot), with the tokens the transactional API issues to the demo's users
(procurement and finance of one business unit, the admin, a buyer, and the suppliers
registered on the platform, mapped to their golden supplier by the crosswalk).

The last test reads continuously from a real uvicorn process while the supplier marts are
republished and a new snapshot is built, and checks that every response was a 200 whose
body is exactly that of the snapshot its header names.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.serving.conftest import bearer

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
API = "/api/v1"
#: the supplier marts' gold assets and the snapshot: what the concurrent test re-runs.
REPUBLISH = "key:gold/supplier_* or key:serving/snapshot"
#: demo users logged in through the transactional API (password: the demo seed's).
USERS = ("admin", "procurement.coal", "finance.power", "procurement.chem")


# --- reading gold directly (the oracle) -------------------------------------------------

def gold(lake, sql: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
    """Rows of ``sql`` over the lake's gold tables (``gold.<mart>``), as Python values."""
    import duckdb

    from lake.sql import discover_tables
    from lake.storage import LakeStorage
    from lake.tables import dataset, open_table

    storage = LakeStorage.from_settings(lake.settings)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE SCHEMA gold")
        for table in discover_tables(storage):
            if table.layer == "gold":
                con.register(f"__{table.name}", dataset(open_table(storage, table.relative_path)))
                con.execute(f'CREATE VIEW gold."{table.name}" AS SELECT * FROM "__{table.name}"')
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


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(demo_lake):
    """The snapshot the asset graph serves (the snapshot asset re-run: a no-op unless some
    earlier test changed gold)."""
    from serving.snapshot.pointer import read_pointer

    outcome = demo_lake.run("key:serving/snapshot")
    assert outcome.success, outcome.ledger.step_failures
    return read_pointer(demo_lake.settings.serving.snapshot_dir)


@pytest.fixture(scope="module")
def api(demo_lake, served) -> Iterator:
    """The serving app (``create_app``) over the demo home, looking at the pointer every request."""
    from fastapi.testclient import TestClient

    from serving.main import create_app

    settings = demo_lake.settings.model_copy(deep=True)
    settings.serving.poll_interval_s = 0
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def users(demo_lake) -> dict[str, dict[str, Any]]:
    """Demo users and their ``Authorization`` headers, logged in through the transactional API."""
    from fastapi.testclient import TestClient
    from sqlalchemy import create_engine, text

    from demo.platform_seed import DEMO_PASSWORD
    from transactional.main import create_app as transactional_app

    engine = create_engine(demo_lake.settings.oltp.database_url)
    with engine.connect() as con:
        found = [dict(r._mapping) for r in con.execute(text(
            "SELECT username, role, business_unit, supplier_id FROM users ORDER BY username"))]
    engine.dispose()
    wanted = [u for u in found if u["username"] in USERS or u["role"] == "supplier"]
    wanted.append(next(u for u in found if u["role"] == "buyer"))
    with TestClient(transactional_app(demo_lake.settings)) as tx:
        for user in wanted:
            response = tx.post("/api/v1/auth/token", data={"username": user["username"],
                                                           "password": DEMO_PASSWORD})
            assert response.status_code == 200, response.text
            user["headers"] = bearer(response.json()["access_token"])
    return {u["username"]: u for u in wanted}


@pytest.fixture(scope="module")
def auth(users) -> dict[str, dict[str, str]]:
    """``Authorization`` headers by demo username."""
    return {name: user["headers"] for name, user in users.items()}


@pytest.fixture(scope="module")
def members(demo_lake) -> dict[str, set[str]]:
    """Golden suppliers in each business unit (see :func:`units_of`)."""
    return units_of(demo_lake)


@pytest.fixture(scope="module")
def multi_unit(demo_lake) -> str:
    """A supplier with a current scorecard and spend in COAL and POWER (most spend rows)."""
    return gold(demo_lake, """
        SELECT supplier_key FROM gold.supplier_spend_by_bu
        WHERE supplier_key IN (SELECT supplier_key FROM gold.supplier_scorecards_current)
        GROUP BY supplier_key
        HAVING count(*) FILTER (WHERE business_unit_code = 'COAL') > 0
           AND count(*) FILTER (WHERE business_unit_code = 'POWER') > 0
        ORDER BY count(*) DESC, supplier_key LIMIT 1""")[0]["supplier_key"]


@pytest.fixture(scope="module")
def outside_coal(demo_lake, members) -> str:
    """A supplier with a current scorecard that is not in COAL at all."""
    return min(r["supplier_key"] for r in gold(demo_lake, "SELECT supplier_key FROM "
                                               "gold.supplier_scorecards_current")
               if r["supplier_key"] not in members["COAL"])


@pytest.fixture(scope="module")
def latest(demo_lake) -> dt.date:
    """The latest scorecard month in gold."""
    return gold(demo_lake, "SELECT max(scorecard_month) AS m FROM gold.supplier_scorecards")[0]["m"]


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
        f"{API}/inventory/warehouses/{{warehouse_code}}/reconciliation":
            f"{API}/inventory/warehouses/{warehouse}/reconciliation",
        f"{API}/risk/documents": f"{API}/risk/documents",
        f"{API}/recommendations": f"{API}/recommendations",
    }


# --- every route, every role -------------------------------------------------------------

def test_every_route_answers_the_admin_and_refuses_buyers_and_anonymous_callers(
        api, demo_lake, users, auth, multi_unit):
    requests = concrete_routes(demo_lake, multi_unit)
    assert set(requests) == routes(api.app)  # a new route needs a line here (and a test)
    supplier = next(u for u in users.values() if u["role"] == "supplier")
    buyer = next(u for u in users.values() if u["role"] == "buyer")
    for template, url in requests.items():
        headers = supplier["headers"] if template.endswith("/me") else auth["admin"]
        response = api.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text[:300])
        if template in ("/healthz", "/readyz"):
            continue
        assert response.headers["X-Serving-Snapshot"] == api.get("/readyz").json()["snapshot_id"]
        refused = api.get(url, headers=buyer["headers"])
        assert refused.status_code == 403 and error_code(refused) == "forbidden", url
        anonymous = api.get(url)
        assert anonymous.status_code == 401 and error_code(anonymous) == "unauthenticated", url
        assert anonymous.headers["WWW-Authenticate"] == "Bearer"


def test_readiness_and_the_snapshot_name_what_the_asset_built(api, demo_lake, served, auth):
    import dagster as dg

    from lake.storage import LakeStorage
    from lake.tables import open_table
    from serving.snapshot.catalog import served_marts

    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.json()["snapshot_id"] == ready.headers["X-Serving-Snapshot"] == served.snapshot_id
    event = dg.DagsterInstance.get().get_latest_materialization_event(dg.AssetKey(["serving", "snapshot"]))
    assert event.asset_materialization.metadata["snapshot_id"].value == served.snapshot_id

    body = api.get(f"{API}/snapshot", headers=auth["procurement.coal"]).json()
    storage = LakeStorage.from_settings(demo_lake.settings)
    expected = {mart: (open_table(storage, f"gold/{mart}").version(),
                       gold(demo_lake, f"SELECT count(*) AS n FROM gold.{mart}")[0]["n"])
                for mart in served_marts()}
    assert body["snapshot_id"] == served.snapshot_id and body["missing_marts"] == []
    assert {t["mart"]: (t["delta_version"], t["rows"]) for t in body["tables"]} == expected


def test_metrics_and_column_docs_are_the_dbt_contracts(api, demo_lake, auth):
    docs = metric_docs()
    columns = set(gold(demo_lake, "SELECT * FROM gold.supplier_scorecards_current LIMIT 1")[0])
    scored = {c for c in columns if f"{c}_score" in columns}
    metrics = api.get(f"{API}/metrics", headers=auth["finance.power"]).json()
    served = {m["metric"] for m in metrics}
    assert scored <= served <= columns and len(served) >= 20
    for metric in metrics:
        assert metric["definition"] == docs[metric["metric"]]
        assert metric["score_definition"] == docs.get(f"{metric['metric']}_score")
        assert metric["metric_group"] in ("quality", "delivery", "price", "service")
    for mart in ("supplier_master", "customer_rfm", "inventory_accuracy"):
        served_docs = api.get(f"{API}/columns?mart={mart}", headers=auth["admin"]).json()
        assert {d["column_name"]: d["description"] for d in served_docs} == contract(mart)
        assert {d["mart"] for d in served_docs} == {mart}


# --- scorecards --------------------------------------------------------------------------

def test_every_current_scorecard_is_its_gold_row_with_definitions(api, demo_lake, auth, members):
    rows = gold(demo_lake, "SELECT * FROM gold.supplier_scorecards_current ORDER BY supplier_key")
    units_of_supplier = {key: sorted(u for u, keys in members.items() if key in keys)
                         for key in {r["supplier_key"] for r in rows}}
    docs = metric_docs()
    assert len(rows) >= 20
    for row in rows:
        response = api.get(f"{API}/scorecards/{row['supplier_key']}", headers=auth["admin"])
        assert response.status_code == 200
        document = response.json()
        assert flatten(document, row) == served_columns(row)
        assert all(m["definition"] == docs[m["metric"]] for m in document["metrics"])
        assert document["business_units"] == units_of_supplier[row["supplier_key"]]
    unknown = api.get(f"{API}/scorecards/SUP-NOT-A-SUPPLIER", headers=auth["admin"])
    assert unknown.status_code == 404 and error_code(unknown) == "not_found"


def test_scorecards_carry_etags_and_revalidate(api, demo_lake, auth, multi_unit, served):
    url = f"{API}/scorecards/{multi_unit}"
    first = api.get(url, headers=auth["admin"])
    etag = first.headers["ETag"]
    max_age = demo_lake.settings.serving.scorecard_max_age_s
    assert first.headers["Cache-Control"] == f"private, max-age={max_age}"
    assert first.headers["Vary"] == "Authorization"
    assert first.headers["X-Serving-Snapshot"] == served.snapshot_id
    for tag in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = api.get(url, headers={**auth["admin"], "If-None-Match": tag})
        assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert api.get(url, headers={**auth["admin"], "If-None-Match": '"stale"'}).content == first.content
    coal = api.get(url, headers=auth["procurement.coal"])  # same content, same ETag, any caller
    assert coal.headers["ETag"] == etag and coal.content == first.content


def test_history_is_the_suppliers_gold_months(api, demo_lake, auth, multi_unit):
    rows = gold(demo_lake, "SELECT * FROM gold.supplier_scorecards WHERE supplier_key = ? "
                "ORDER BY scorecard_month DESC", [multi_unit])
    url = f"{API}/scorecards/{multi_unit}/history"
    response = api.get(f"{url}?limit=500", headers=auth["procurement.coal"])
    body = response.json()
    assert body["supplier_key"] == multi_unit and body["total"] == len(rows) >= 12
    assert [flatten(item, row) for item, row in zip(body["items"], rows, strict=True)] == [
        served_columns(row) for row in rows]
    docs = metric_docs()
    assert body["definitions"] == {m: docs[m] for m in body["definitions"]}
    assert all("definition" not in m for item in body["items"] for m in item["metrics"])
    window = api.get(f"{url}?from_month={rows[5]['scorecard_month']:%Y-%m}"
                     f"&to_month={rows[2]['scorecard_month']:%Y-%m}", headers=auth["admin"]).json()
    assert [i["scorecard_month"] for i in window["items"]] == [
        r["scorecard_month"].isoformat() for r in rows[2:6]]
    page = api.get(f"{url}?limit=3&offset=3", headers=auth["admin"]).json()
    assert [i["scorecard_month"] for i in page["items"]] == [
        r["scorecard_month"].isoformat() for r in rows[3:6]]
    revalidated = api.get(f"{url}?limit=500", headers={**auth["procurement.coal"],
                                                      "If-None-Match": response.headers["ETag"]})
    assert revalidated.status_code == 304


def test_the_scorecard_list_is_the_callers_units(api, demo_lake, auth, members):
    current = gold(demo_lake, "SELECT supplier_key, overall_score, is_bottom_decile "
                   "FROM gold.supplier_scorecards_current")
    keys = {r["supplier_key"] for r in current}
    everyone = api.get(f"{API}/scorecards?limit=500", headers=auth["admin"]).json()
    best_first = sorted(current, key=lambda r: (r["overall_score"] is None,
                                                -(r["overall_score"] or 0), r["supplier_key"]))
    assert [i["supplier_key"] for i in everyone["items"]] == [r["supplier_key"] for r in best_first]
    assert everyone["total"] == len(current)
    for user, unit in (("procurement.coal", "COAL"), ("finance.power", "POWER")):
        listed = api.get(f"{API}/scorecards?limit=500", headers=auth[user]).json()
        assert {i["supplier_key"] for i in listed["items"]} == keys & members[unit]
        assert listed["total"] == len(keys & members[unit]) < len(keys)
        chosen = api.get(f"{API}/scorecards?limit=500&business_unit={unit}", headers=auth["admin"])
        assert chosen.json()["items"] == listed["items"]
    refused = api.get(f"{API}/scorecards?business_unit=POWER", headers=auth["procurement.coal"])
    assert refused.status_code == 403 and error_code(refused) == "out_of_scope"
    bottom = api.get(f"{API}/scorecards?bottom_decile=true", headers=auth["admin"]).json()
    assert {i["supplier_key"] for i in bottom["items"]} == {
        r["supplier_key"] for r in current if r["is_bottom_decile"]}


def test_rankings_by_group_category_and_business_unit(api, demo_lake, auth, latest, members):
    ranked = gold(demo_lake, "SELECT * FROM gold.supplier_scorecards WHERE scorecard_month = ? "
                  "AND is_ranked", [latest])
    by_group = api.get(f"{API}/rankings?limit=500", headers=auth["admin"]).json()
    assert (by_group["by"], by_group["scorecard_month"]) == ("group", latest.isoformat())
    assert [(i["supplier_key"], i["group_rank"]) for i in by_group["items"]] == sorted(
        ((r["supplier_key"], r["group_rank"]) for r in ranked), key=lambda p: (p[1], p[0]))
    assert [i["group_rank"] for i in by_group["items"]] == list(range(1, len(ranked) + 1))
    by_category = api.get(f"{API}/rankings?by=category&limit=500", headers=auth["admin"]).json()
    assert [(i["main_category_id"], i["category_rank"], i["supplier_key"])
            for i in by_category["items"]] == sorted(
        (r["main_category_id"], r["category_rank"], r["supplier_key"]) for r in ranked)
    coal_units = api.get(f"{API}/rankings?by=business_unit&limit=500",
                         headers=auth["procurement.coal"]).json()
    assert [(i["supplier_key"], i["business_unit_rank"]) for i in coal_units["items"]] == sorted(
        ((r["supplier_key"], r["business_unit_rank"]) for r in ranked
         if r["main_business_unit_code"] == "COAL"), key=lambda p: (p[1], p[0]))
    coal_group = api.get(f"{API}/rankings?limit=500", headers=auth["procurement.coal"]).json()
    assert [i["supplier_key"] for i in coal_group["items"]] == [
        i["supplier_key"] for i in by_group["items"] if i["supplier_key"] in members["COAL"]]
    months = [r["m"] for r in gold(demo_lake, "SELECT DISTINCT scorecard_month AS m FROM "
                                   "gold.supplier_scorecards ORDER BY 1 DESC")]
    earlier = api.get(f"{API}/rankings?month={months[3]:%Y-%m}&limit=500", headers=auth["admin"]).json()
    assert earlier["scorecard_month"] == months[3].isoformat()
    assert earlier["total"] == len(gold(demo_lake, "SELECT 1 FROM gold.supplier_scorecards WHERE "
                                        "scorecard_month = ? AND is_ranked", [months[3]]))
    missing = api.get(f"{API}/rankings?month=1999-01", headers=auth["admin"])
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    assert missing.json()["error"]["details"]["months"] == [f"{m:%Y-%m}" for m in months[:36]]


def test_the_elimination_list_is_the_bottom_decile_with_its_reasons(api, demo_lake, auth, latest,
                                                                   members):
    bottom = gold(demo_lake, "SELECT * FROM gold.supplier_scorecards WHERE scorecard_month = ? "
                  "AND is_bottom_decile ORDER BY overall_score, spend_group, supplier_key", [latest])
    assert bottom
    listed = api.get(f"{API}/elimination-list?limit=500", headers=auth["admin"]).json()
    assert listed["scorecard_month"] == latest.isoformat()
    assert [i["supplier_key"] for i in listed["items"]] == [r["supplier_key"] for r in bottom]
    docs = metric_docs()
    for item, row in zip(listed["items"], bottom, strict=True):
        assert [r["text"] for r in item["reasons"]] == [
            part.strip() for part in row["bottom_decile_reasons"].split(";")]
        for reason in item["reasons"]:
            metric = reason["metric"]
            assert reason["definition"] == docs[metric]
            assert abs(reason["score"] - row[f"{metric}_score"]) <= 0.5
        assert {m["metric"]: m["value"] for m in item["metrics"]} == {
            m["metric"]: wire(row[m["metric"]]) for m in item["metrics"]}
        assert item["overall_score"] == row["overall_score"]
    for user, unit in (("procurement.coal", "COAL"), ("finance.power", "POWER")):
        scoped = api.get(f"{API}/elimination-list", headers=auth[user]).json()
        assert [i["supplier_key"] for i in scoped["items"]] == [
            r["supplier_key"] for r in bottom if r["supplier_key"] in members[unit]]


# --- suppliers ---------------------------------------------------------------------------

def test_the_supplier_master_is_the_callers_units(api, demo_lake, auth, members):
    master = gold(demo_lake, "SELECT supplier_key, group_supplier_id, uscc FROM gold.supplier_master "
                  "ORDER BY group_supplier_id")
    everyone = api.get(f"{API}/suppliers?limit=500", headers=auth["admin"]).json()
    assert [i["supplier_key"] for i in everyone["items"]] == [r["supplier_key"] for r in master]
    for user, unit in (("procurement.coal", "COAL"), ("procurement.chem", "CHEM")):
        scoped = api.get(f"{API}/suppliers?limit=500", headers=auth[user]).json()
        expected = [r["supplier_key"] for r in master if r["supplier_key"] in members[unit]]
        assert [i["supplier_key"] for i in scoped["items"]] == expected and scoped["total"] == len(expected)
    some = next(r for r in master if r["uscc"])
    by_uscc = api.get(f"{API}/suppliers?uscc={some['uscc']}", headers=auth["admin"]).json()
    assert [i["supplier_key"] for i in by_uscc["items"]] == [
        r["supplier_key"] for r in master if r["uscc"] == some["uscc"]]
    by_id = api.get(f"{API}/suppliers?q={some['group_supplier_id']}", headers=auth["admin"]).json()
    assert some["supplier_key"] in {i["supplier_key"] for i in by_id["items"]}


def test_the_360_of_a_supplier_in_two_units(api, demo_lake, auth, multi_unit):
    key = [multi_unit]
    records = gold(demo_lake, "SELECT * FROM gold.supplier_source_records WHERE supplier_key = ? "
                   "ORDER BY record_id", key)
    spend = gold(demo_lake, "SELECT business_unit_code AS bu, sum(ordered_amount) AS ordered, "
                 "sum(received_amount) AS received, sum(invoiced_amount) AS invoiced "
                 "FROM gold.supplier_spend_by_bu WHERE supplier_key = ? GROUP BY 1", key)
    months = gold(demo_lake, "SELECT scorecard_month, overall_score FROM gold.supplier_scorecards "
                  "WHERE supplier_key = ? ORDER BY 1 DESC LIMIT 12", key)
    prices = gold(demo_lake, "SELECT DISTINCT price_month FROM gold.supplier_price_history "
                  "WHERE supplier_key = ? ORDER BY 1 DESC LIMIT 12", key)
    current = gold(demo_lake, "SELECT * FROM gold.supplier_scorecards_current WHERE supplier_key = ?", key)[0]
    golden = gold(demo_lake, "SELECT * FROM gold.supplier_master WHERE supplier_key = ?", key)[0]

    body = api.get(f"{API}/suppliers/{multi_unit}", headers=auth["admin"]).json()
    assert {k: body["supplier"][k] for k in ("supplier_key", "group_supplier_id", "golden_name",
                                             "member_count", "business_units")} == {
        k: golden[k] for k in ("supplier_key", "group_supplier_id", "golden_name", "member_count",
                               "business_units")}
    assert [r["record_id"] for r in body["source_records"]] == [r["record_id"] for r in records]
    assert body["aliases"] == sorted({r["recorded_name"] for r in records})
    assert (body["scorecard"]["overall_score"], body["scorecard"]["group_rank"]) == (
        current["overall_score"], current["group_rank"])
    assert {s["business_unit_code"]: (Decimal(s["ordered_amount"]), Decimal(s["received_amount"]),
                                      Decimal(s["invoiced_amount"]))
            for s in body["spend_by_business_unit"]} == {
        r["bu"]: (r["ordered"], r["received"], r["invoiced"]) for r in spend}
    assert [(m["scorecard_month"], m["overall_score"]) for m in body["performance_history"]] == [
        (m["scorecard_month"].isoformat(), m["overall_score"]) for m in months]
    assert [p["price_month"] for p in body["price_trend"]] == [p["price_month"].isoformat() for p in prices]
    assert body["missing_marts"] == []

    coal = api.get(f"{API}/suppliers/{multi_unit}", headers=auth["procurement.coal"]).json()
    assert [r["record_id"] for r in coal["source_records"]] == [
        r["record_id"] for r in records if r["business_unit_code"] == "COAL"]
    assert [s["business_unit_code"] for s in coal["spend_by_business_unit"]] == ["COAL"]
    assert coal["spend_by_business_unit"][0] == next(
        s for s in body["spend_by_business_unit"] if s["business_unit_code"] == "COAL")
    source = api.get(f"{API}/suppliers/{multi_unit}/source-records", headers=auth["finance.power"]).json()
    assert [(r["record_id"], r["source_system"], r["match_confidence"]) for r in source] == [
        (r["record_id"], r["source_system"], r["match_confidence"]) for r in records
        if r["business_unit_code"] == "POWER"]


def test_a_unit_reads_its_own_spend_only(api, demo_lake, auth, multi_unit):
    rows = gold(demo_lake, "SELECT business_unit_code, spend_month, ordered_amount, invoiced_amount "
                "FROM gold.supplier_spend_by_bu WHERE supplier_key = ?", [multi_unit])
    url = f"{API}/suppliers/{multi_unit}/spend?limit=500"

    def served(response) -> list[tuple]:
        assert response.status_code == 200, response.text
        return [(i["business_unit_code"], i["spend_month"], Decimal(i["ordered_amount"]),
                 Decimal(i["invoiced_amount"])) for i in response.json()["items"]]

    def expected(unit: str | None = None) -> list[tuple]:  # newest month first, then by unit
        chosen = sorted((r["business_unit_code"], r["spend_month"].isoformat(), r["ordered_amount"],
                         r["invoiced_amount"]) for r in rows if unit in (None, r["business_unit_code"]))
        return sorted(chosen, key=lambda t: t[1], reverse=True)

    everything = served(api.get(url, headers=auth["admin"]))
    assert everything == expected()
    assert sum(t[2] for t in everything) == sum(r["ordered_amount"] for r in rows)
    assert {t[0] for t in everything} >= {"COAL", "POWER"}
    for user, unit, other in (("procurement.coal", "COAL", "POWER"), ("finance.power", "POWER", "COAL")):
        assert served(api.get(url, headers=auth[user])) == expected(unit)
        assert served(api.get(f"{url}&business_unit={unit}", headers=auth["admin"])) == expected(unit)
        refused = api.get(f"{url}&business_unit={other}", headers=auth[user])
        assert refused.status_code == 403 and error_code(refused) == "out_of_scope"
    months = sorted({r["spend_month"] for r in rows})
    window = served(api.get(f"{url}&from_month={months[1]:%Y-%m}&to_month={months[-2]:%Y-%m}",
                            headers=auth["admin"]))
    assert window == [t for t in expected() if months[1].isoformat() <= t[1] <= months[-2].isoformat()]


def test_suppliers_outside_the_unit_answer_404_like_unknown_ones(api, auth, outside_coal):
    coal = auth["procurement.coal"]
    for suffix in ("", "/source-records", "/spend", "/price-history", "/shipments"):
        for key in (outside_coal, "SUP-NOT-A-SUPPLIER"):
            response = api.get(f"{API}/suppliers/{key}{suffix}", headers=coal)
            assert response.status_code == 404 and error_code(response) == "not_found", suffix
        assert api.get(f"{API}/suppliers/{outside_coal}{suffix}", headers=auth["admin"]).status_code == 200
    for suffix in ("", "/history"):
        response = api.get(f"{API}/scorecards/{outside_coal}{suffix}", headers=coal)
        assert response.status_code == 404 and error_code(response) == "not_found"


def test_prices_and_shipments_of_a_supplier(api, demo_lake, auth, multi_unit):
    key = [multi_unit]
    prices = gold(demo_lake, "SELECT material_id, price_month FROM gold.supplier_price_history "
                  "WHERE supplier_key = ? ORDER BY price_month DESC, material_id", key)
    served = api.get(f"{API}/suppliers/{multi_unit}/price-history?limit=500", headers=auth["admin"]).json()
    assert served["total"] == len(prices) > 0
    assert [(i["material_id"], i["price_month"]) for i in served["items"]] == [
        (p["material_id"], p["price_month"].isoformat()) for p in prices][:500]
    material = prices[0]["material_id"]
    one = api.get(f"{API}/suppliers/{multi_unit}/price-history?material_id={material}",
                  headers=auth["procurement.coal"]).json()
    assert one["total"] == sum(p["material_id"] == material for p in prices)

    shipments = gold(demo_lake, """
        SELECT s.shipment_id, r.business_unit_code FROM gold.shipment_tracking s
        LEFT JOIN gold.supplier_source_records r
          ON r.source_system = 'erp' AND r.source_record_id = s.vendor_id
        WHERE s.supplier_key = ?""", key)
    everything = api.get(f"{API}/suppliers/{multi_unit}/shipments?limit=500", headers=auth["admin"]).json()
    assert {i["shipment_id"] for i in everything["items"]} == {s["shipment_id"] for s in shipments}
    for user, unit in (("procurement.coal", "COAL"), ("finance.power", "POWER")):
        scoped = api.get(f"{API}/suppliers/{multi_unit}/shipments?limit=500", headers=auth[user]).json()
        assert {i["shipment_id"] for i in scoped["items"]} == {
            s["shipment_id"] for s in shipments if s["business_unit_code"] == unit}


# --- customers, inventory, models --------------------------------------------------------

def test_customer_segments_and_lifetime_values_by_scope(api, demo_lake, auth):
    rfm = gold(demo_lake, "SELECT scope, scope_type, customer_id, segment FROM gold.customer_rfm")
    ltv = gold(demo_lake, "SELECT scope, customer_id FROM gold.customer_ltv")
    chem = auth["procurement.chem"]
    assert api.get(f"{API}/customers/segments?limit=500", headers=auth["admin"]).json()["total"] == len(rfm)
    scoped = api.get(f"{API}/customers/segments?limit=500", headers=chem).json()
    assert sorted(i["customer_id"] for i in scoped["items"]) == sorted(
        r["customer_id"] for r in rfm if r["scope"] == "CHEM")
    assert {i["scope"] for i in scoped["items"]} == {"CHEM"}
    for scope in ("GROUP", "COAL"):
        refused = api.get(f"{API}/customers/segments?scope={scope}", headers=chem)
        assert refused.status_code == 403 and error_code(refused) == "out_of_scope"
    summary = api.get(f"{API}/customers/segment-summary", headers=auth["admin"]).json()
    counts: dict[tuple[str, str], int] = {}
    for r in rfm:
        counts[(r["scope"], r["segment"])] = counts.get((r["scope"], r["segment"]), 0) + 1
    assert {(s["scope"], s["segment"]): s["customers"] for s in summary} == counts
    assert {s["scope"] for s in api.get(f"{API}/customers/segment-summary", headers=chem).json()} == {"CHEM"}
    assert api.get(f"{API}/customers/ltv?limit=500", headers=auth["admin"]).json()["total"] == len(ltv)
    assert api.get(f"{API}/customers/ltv?limit=500", headers=chem).json()["total"] == sum(
        r["scope"] == "CHEM" for r in ltv)

    customer = min(r["customer_id"] for r in rfm if r["scope"] == "CHEM")
    group_view = api.get(f"{API}/customers/{customer}", headers=auth["admin"]).json()
    assert [r["scope"] for r in group_view["rfm"]] == [r["scope"] for r in sorted(
        (r for r in rfm if r["customer_id"] == customer),
        key=lambda r: (r["scope_type"] != "group", r["scope"]))]
    assert [r["scope"] for r in api.get(f"{API}/customers/{customer}", headers=chem).json()["rfm"]] == ["CHEM"]
    elsewhere = min(r["customer_id"] for r in rfm if r["scope"] not in ("CHEM", "GROUP"))
    hidden = api.get(f"{API}/customers/{elsewhere}", headers=chem)
    assert hidden.status_code == 404 and error_code(hidden) == "not_found"


def test_inventory_accuracy_by_unit(api, demo_lake, auth):
    accuracy = gold(demo_lake, "SELECT warehouse_code, business_unit_code, snapshot_date "
                    "FROM gold.inventory_accuracy")
    latest = {}
    for r in accuracy:
        if r["snapshot_date"] > latest.get(r["warehouse_code"], (None, dt.date.min))[1]:
            latest[r["warehouse_code"]] = (r["business_unit_code"], r["snapshot_date"])
    served = api.get(f"{API}/inventory/accuracy", headers=auth["admin"]).json()
    assert [(i["warehouse_code"], i["snapshot_date"]) for i in served["items"]] == [
        (w, d.isoformat()) for w, (_, d) in sorted(latest.items())]
    every = api.get(f"{API}/inventory/accuracy?latest_only=false&limit=500", headers=auth["admin"]).json()
    assert every["total"] == len(accuracy)
    cutoff = min(d for _, d in latest.values()) - dt.timedelta(days=1)  # before every latest snapshot
    earlier = {}
    for r in accuracy:
        if r["snapshot_date"] <= cutoff:
            earlier[r["warehouse_code"]] = max(r["snapshot_date"], earlier.get(r["warehouse_code"], dt.date.min))
    as_of = api.get(f"{API}/inventory/accuracy?to_date={cutoff.isoformat()}&limit=500",
                    headers=auth["admin"]).json()
    assert earlier and [(i["warehouse_code"], i["snapshot_date"]) for i in as_of["items"]] == [
        (w, d.isoformat()) for w, d in sorted(earlier.items())]  # each warehouse's latest in the range
    power = api.get(f"{API}/inventory/accuracy?latest_only=false&limit=500",
                    headers=auth["finance.power"]).json()
    assert power["total"] == sum(r["business_unit_code"] == "POWER" for r in accuracy) > 0
    refused = api.get(f"{API}/inventory/accuracy?business_unit=CHEM", headers=auth["finance.power"])
    assert refused.status_code == 403 and error_code(refused) == "out_of_scope"

    warehouse = min(w for w, (unit, _) in latest.items() if unit == "POWER")
    lines = gold(demo_lake, "SELECT snapshot_date FROM gold.stock_reconciliation "
                 "WHERE warehouse_code = ?", [warehouse])
    url = f"{API}/inventory/warehouses/{warehouse}/reconciliation"
    assert api.get(url, headers=auth["admin"]).json()["total"] == len(lines) > 0
    assert api.get(url, headers=auth["finance.power"]).json()["total"] == len(lines)
    day = max(r["snapshot_date"] for r in lines)
    assert api.get(f"{url}?snapshot_date={day}", headers=auth["admin"]).json()["total"] == sum(
        r["snapshot_date"] == day for r in lines)
    for headers in (auth["procurement.chem"], auth["procurement.coal"]):
        hidden = api.get(url, headers=headers)
        assert hidden.status_code == 404 and error_code(hidden) == "not_found"
    unknown = api.get(f"{API}/inventory/warehouses/NOWHERE-000/reconciliation", headers=auth["admin"])
    assert unknown.status_code == 404


def test_fraud_risk_and_recommendations_by_unit(api, demo_lake, auth, multi_unit):
    risk = gold(demo_lake, """
        SELECT f.document_id, f.business_unit_code, f.risk_level, r.supplier_key
        FROM gold.ml_fraud_risk f LEFT JOIN gold.supplier_source_records r
          ON r.source_system = 'erp' AND r.source_record_id = f.vendor_id""")
    assert api.get(f"{API}/risk/documents", headers=auth["admin"]).json()["total"] == len(risk)
    coal = api.get(f"{API}/risk/documents?limit=500", headers=auth["procurement.coal"]).json()
    assert coal["total"] == sum(r["business_unit_code"] == "COAL" for r in risk)
    assert {i["business_unit_code"] for i in coal["items"]} == {"COAL"}
    high = api.get(f"{API}/risk/documents?risk_level=high", headers=auth["admin"]).json()
    assert high["total"] == sum(r["risk_level"] == "high" for r in risk)
    own = api.get(f"{API}/risk/documents?supplier_key={multi_unit}&limit=500", headers=auth["admin"]).json()
    assert own["total"] == sum(r["supplier_key"] == multi_unit for r in risk)
    assert {i["supplier_key"] for i in own["items"]} <= {multi_unit}

    recommendations = gold(demo_lake, "SELECT business_unit_code FROM gold.ml_recommendations")
    assert api.get(f"{API}/recommendations", headers=auth["admin"]).json()["total"] == len(recommendations)
    assert api.get(f"{API}/recommendations", headers=auth["procurement.coal"]).json()["total"] == sum(
        r["business_unit_code"] == "COAL" for r in recommendations)
    refused = api.get(f"{API}/recommendations?business_unit=MRO", headers=auth["procurement.coal"])
    assert refused.status_code == 403 and error_code(refused) == "out_of_scope"


# --- suppliers' own tokens ---------------------------------------------------------------

def test_a_supplier_token_reads_its_own_scorecard_only(api, demo_lake, users):
    crosswalk = {r["source_record_id"]: r["supplier_key"] for r in gold(
        demo_lake, "SELECT source_record_id, supplier_key FROM gold.supplier_source_records "
        "WHERE source_system = 'platform'")}
    current = {r["supplier_key"]: r for r in gold(demo_lake, "SELECT * FROM gold.supplier_scorecards_current")}
    suppliers = [u for u in users.values() if u["role"] == "supplier"]
    assert len(suppliers) >= 2
    for user in suppliers:
        headers = user["headers"]
        own = crosswalk[user["supplier_id"]]  # the platform id, linked to its golden supplier
        me = api.get(f"{API}/scorecards/me", headers=headers)
        assert me.status_code == 200 and me.json()["supplier_key"] == own
        assert me.json()["overall_score"] == current[own]["overall_score"]
        assert api.get(f"{API}/scorecards/{own}", headers=headers).content == me.content
        history = api.get(f"{API}/scorecards/{own}/history", headers=headers).json()
        assert history["total"] == len(gold(demo_lake, "SELECT 1 FROM gold.supplier_scorecards "
                                            "WHERE supplier_key = ?", [own]))
        for other in sorted(set(current) - {own}):
            response = api.get(f"{API}/scorecards/{other}", headers=headers)
            assert response.status_code == 404 and error_code(response) == "not_found"
            assert api.get(f"{API}/scorecards/{other}/history", headers=headers).status_code == 404
        for path in ("/scorecards", f"/suppliers/{own}", f"/suppliers/{own}/spend", "/suppliers",
                     "/rankings", "/elimination-list", "/customers/segments", "/inventory/accuracy",
                     "/risk/documents", "/recommendations", "/columns", "/snapshot"):
            refused = api.get(f"{API}{path}", headers=headers)
            assert refused.status_code == 403 and error_code(refused) == "forbidden", path
        assert api.get(f"{API}/metrics", headers=headers).status_code == 200


# --- reads while a run republishes the marts ---------------------------------------------

@dataclass
class Read:
    """One response seen by a reader thread."""

    reader: str
    path: str
    status: int
    snapshot: str | None
    body: bytes
    started: float
    ended: float


class Reader(threading.Thread):
    """Reads ``paths`` round after round from a real server until told to stop."""

    def __init__(self, name: str, base_url: str, headers: dict[str, str], paths: list[str]) -> None:
        super().__init__(name=f"reader-{name}", daemon=True)
        self.who, self.base_url, self.headers, self.paths = name, base_url, headers, paths
        self.reads: list[Read] = []
        self.first_round = threading.Event()
        self.round_after_publication = threading.Event()
        self.published_at: float | None = None  # set by the main thread
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        import httpx

        try:
            with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=60) as client:
                while not self.stop.is_set():
                    round_started = time.monotonic()
                    for path in self.paths:
                        started = time.monotonic()
                        response = client.get(path)
                        self.reads.append(Read(self.who, path, response.status_code,
                                               response.headers.get("X-Serving-Snapshot"),
                                               response.content, started, time.monotonic()))
                    self.first_round.set()
                    published_at = self.published_at
                    if published_at is not None and round_started > published_at:
                        self.round_after_publication.set()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.failure = exc
            self.first_round.set()
            self.round_after_publication.set()


def set_latest_score(lake, supplier_key: str, score: float) -> float:
    """Set a supplier's latest overall score in dbt's marts (as a dbt rebuild on new data
    would leave them); returns the previous score."""
    import duckdb

    with duckdb.connect(lake.settings.dbt.duckdb_path) as con:
        before = con.execute("SELECT overall_score FROM marts.supplier_scorecards_current "
                             "WHERE supplier_key = ?", [supplier_key]).fetchall()[0][0]
        con.execute("UPDATE marts.supplier_scorecards_current SET overall_score = ? "
                    "WHERE supplier_key = ?", [score, supplier_key])
        con.execute("UPDATE marts.supplier_scorecards SET overall_score = ? WHERE supplier_key = ? "
                    "AND scorecard_month = (SELECT max(scorecard_month) FROM marts.supplier_scorecards)",
                    [score, supplier_key])
    return before


def _fetch(base_url: str, headers: dict[str, str], paths: list[str]) -> dict[str, tuple[str, bytes]]:
    import httpx

    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
        found = {}
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            found[path] = (response.headers["X-Serving-Snapshot"], response.content)
        return found


def _read_during(demo_lake, base_url: str, callers: dict[str, dict[str, str]],
                 paths: list[str]) -> tuple[list[Read], float, float]:
    """Readers on every path while :data:`REPUBLISH` runs; returns their reads and the run's
    start and end (monotonic)."""
    readers = [Reader(who, base_url, headers, paths) for who, headers in (*callers.items(),
                                                                           *callers.items())]
    try:
        for reader in readers:
            reader.start()
        for reader in readers:
            assert reader.first_round.wait(120) and reader.failure is None, reader.failure
        run_started = time.monotonic()
        outcome = demo_lake.run(REPUBLISH)
        run_ended = time.monotonic()
        assert outcome.success, (outcome.ledger.step_failures, outcome.ledger.failed_checks)
        for reader in readers:
            reader.published_at = run_ended
        for reader in readers:
            assert reader.round_after_publication.wait(120), "no full round of reads after the run"
    finally:
        for reader in readers:
            reader.stop.set()
        for reader in readers:
            reader.join(120)
    for reader in readers:
        assert reader.failure is None, reader.failure
    return [read for reader in readers for read in reader.reads], run_started, run_ended


def test_reads_stay_consistent_while_a_run_republishes_the_marts(demo_lake, served, auth, multi_unit):
    """Four readers (admin and COAL procurement) on seven routes of a real uvicorn process
    while the supplier marts' gold assets and the snapshot run. The new data: one supplier's
    latest overall score changed in dbt's marts (what a dbt rebuild on new source data leaves
    behind), so the old and the new snapshot differ in the scorecard, the lists and the
    360. Every response must be a 200 whose body equals, byte for byte, that route's body in
    the snapshot its ``X-Serving-Snapshot`` names; after the run only the new one is served.
    The score is restored and republished afterwards (later tests read the same gold)."""
    from serving.snapshot.pointer import read_pointer
    from tests.serving.loadgen import ServingServer

    snapshot_dir = demo_lake.settings.serving.snapshot_dir
    scorecard = f"{API}/scorecards/{multi_unit}"
    paths = ["/readyz", f"{API}/snapshot", scorecard, f"{API}/scorecards?limit=500",
             f"{API}/rankings?limit=500", f"{API}/elimination-list?limit=500",
             f"{API}/suppliers/{multi_unit}"]
    callers = {"admin": auth["admin"], "coal": auth["procurement.coal"]}
    old = read_pointer(snapshot_dir).snapshot_id
    with ServingServer("serving.main:create_app", {"SERVING__POLL_INTERVAL_S": "0"}) as server:
        expected: dict[tuple[str, str, str], bytes] = {}

        def remember(snapshot_id: str) -> None:
            for who, headers in callers.items():
                for path, (snapshot, body) in _fetch(server.base_url, headers, paths).items():
                    assert snapshot == snapshot_id, path
                    expected[(who, snapshot, path)] = body

        remember(old)
        previous_score = set_latest_score(demo_lake, multi_unit, 99.5)
        try:
            reads, run_started, run_ended = _read_during(demo_lake, server.base_url, callers, paths)
            new = read_pointer(snapshot_dir).snapshot_id
            assert new != old
            remember(new)  # afterwards the API serves the new snapshot

            assert [(r.path, r.status) for r in reads if r.status != 200] == []
            torn = [(r.reader, r.path, r.snapshot) for r in reads
                    if expected.get((r.reader, r.snapshot, r.path)) != r.body]
            assert torn == []  # every body is exactly that of the snapshot its header names
            assert [r for r in reads if r.started >= run_started and r.ended <= run_ended]
            assert {r.snapshot for r in reads} == {old, new}
            assert {r.snapshot for r in reads if r.started > run_ended} == {new}
            assert json.loads(expected[("admin", old, scorecard)])["overall_score"] == previous_score
            assert json.loads(expected[("admin", new, scorecard)])["overall_score"] == 99.5
            assert json.loads(expected[("coal", new, "/readyz")])["snapshot_id"] == new
        finally:
            set_latest_score(demo_lake, multi_unit, previous_score)
            restored = demo_lake.run(REPUBLISH)
            assert restored.success, restored.ledger.step_failures
        current, body = _fetch(server.base_url, auth["admin"], [scorecard])[scorecard]
        assert current == read_pointer(snapshot_dir).snapshot_id and current not in (old, new)
        assert body == expected[("admin", old, scorecard)]  # the same data, the same document
