"""The scorecard routes on the demo group's real marts: metric definitions and column docs
are the dbt contracts; every current scorecard is its gold row; ETags revalidate; history,
rankings and the elimination list are gold's rows (compared with gold read directly)."""

from __future__ import annotations

import pytest

from tests.serving.demo.oracle import (
    API,
    contract,
    error_code,
    flatten,
    gold,
    metric_docs,
    served_columns,
    wire,
)

pytestmark = pytest.mark.slow


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
