"""Who may read what, on the demo group's real marts: every route answers the admin and
refuses buyers and anonymous callers; readiness names the snapshot the asset built; lists,
the supplier master and spend are the caller's business units; a supplier outside the unit
is a 404 like an unknown one; a supplier's own token reads its own scorecard only. Tokens
are the transactional API's, for the demo's users."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.serving.demo.oracle import (
    API,
    concrete_routes,
    error_code,
    gold,
    routes,
)

pytestmark = pytest.mark.slow


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
