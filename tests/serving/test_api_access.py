"""Authentication, roles, scoping, ETags and the error body, on the tiny hand-made snapshot."""

from __future__ import annotations

import datetime as dt

from tests.serving.conftest import bearer


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_health_and_readiness(tiny_client, tiny_snapshot):
    assert tiny_client.get("/healthz").json() == {"status": "ok"}
    ready = tiny_client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["snapshot_id"] == tiny_snapshot.info.snapshot_id


def test_not_ready_without_a_snapshot(settings):
    from fastapi.testclient import TestClient

    from infra.tokens import issue_token
    from serving.main import create_app

    with TestClient(create_app(settings)) as client:
        assert _error(client.get("/readyz"))["code"] == "not_ready"
        response = client.get("/api/v1/scorecards/SUP-A",
                              headers=bearer(issue_token("1", "admin", None, settings=settings)))
        assert response.status_code == 503 and _error(response)["code"] == "not_ready"


def test_missing_bad_and_expired_tokens_are_401(tiny_client, make_token):
    for headers in ({}, bearer("not-a-jwt"), bearer(make_token("admin", ttl=dt.timedelta(seconds=-60)))):
        response = tiny_client.get("/api/v1/scorecards/SUP-A", headers=headers)
        assert response.status_code == 401 and _error(response)["code"] == "unauthenticated"
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_signed_with_another_secret_is_refused(tiny_client, settings):
    import jwt

    forged = jwt.encode({"sub": "1", "role": "admin", "iss": "grouplake", "iat": 1, "exp": 4102444800},
                        "another-secret-of-at-least-32-characters!", algorithm="HS256")
    assert tiny_client.get("/api/v1/snapshot", headers=bearer(forged)).status_code == 401


def test_buyers_may_not_use_the_api(tiny_client, make_token):
    token = bearer(make_token("buyer", "COAL"))
    for path in ("/api/v1/scorecards/SUP-A", "/api/v1/rankings", "/api/v1/customers/segments"):
        response = tiny_client.get(path, headers=token)
        assert response.status_code == 403 and _error(response)["code"] == "forbidden"


def test_a_supplier_reads_its_own_scorecard_only(tiny_client, make_token):
    token = bearer(make_token("supplier", supplier_id="P-1"))
    own = tiny_client.get("/api/v1/scorecards/SUP-A", headers=token)
    assert own.status_code == 200 and own.json()["supplier_key"] == "SUP-A"
    assert tiny_client.get("/api/v1/scorecards/me", headers=token).json() == own.json()
    history = tiny_client.get("/api/v1/scorecards/SUP-A/history", headers=token)
    assert [i["scorecard_month"] for i in history.json()["items"]] == ["2026-11-01", "2026-10-01"]
    for path in ("/api/v1/scorecards/SUP-B", "/api/v1/scorecards/SUP-B/history"):
        other = tiny_client.get(path, headers=token)
        assert other.status_code == 404 and _error(other)["code"] == "not_found"
    for path in ("/api/v1/suppliers/SUP-A", "/api/v1/elimination-list", "/api/v1/scorecards"):
        assert tiny_client.get(path, headers=token).status_code == 403
    unlinked = bearer(make_token("supplier", supplier_id="P-404"))
    assert tiny_client.get("/api/v1/scorecards/me", headers=unlinked).status_code == 404


def test_a_unit_sees_its_suppliers_and_its_spend_only(tiny_client, make_token):
    coal = bearer(make_token("procurement", "COAL"))
    assert tiny_client.get("/api/v1/scorecards/SUP-B", headers=coal).status_code == 200
    assert tiny_client.get("/api/v1/scorecards/SUP-C", headers=coal).status_code == 404
    assert tiny_client.get("/api/v1/suppliers/SUP-C", headers=coal).status_code == 404
    supplier = tiny_client.get("/api/v1/suppliers/SUP-B", headers=coal).json()
    assert [s["business_unit_code"] for s in supplier["spend_by_business_unit"]] == ["COAL"]
    assert [r["record_id"] for r in supplier["source_records"]] == ["erp:V2"]
    spend = tiny_client.get("/api/v1/suppliers/SUP-B/spend", headers=coal).json()
    assert [(i["business_unit_code"], i["ordered_amount"]) for i in spend["items"]] == [("COAL", "100.0000")]
    other_unit = tiny_client.get("/api/v1/suppliers/SUP-B/spend?business_unit=POWER", headers=coal)
    assert other_unit.status_code == 403 and _error(other_unit)["code"] == "out_of_scope"
    group = bearer(make_token("finance"))  # no unit: group-wide
    spend = tiny_client.get("/api/v1/suppliers/SUP-B/spend", headers=group).json()
    assert sorted(i["business_unit_code"] for i in spend["items"]) == ["COAL", "POWER"]
    admin_with_unit = bearer(make_token("admin", "COAL"))  # admins are group-wide
    assert tiny_client.get("/api/v1/scorecards/SUP-C", headers=admin_with_unit).status_code == 200


def test_the_supplier_360_shows_its_delivery_risk_in_the_callers_scope(tiny_client, make_token):
    group = tiny_client.get("/api/v1/suppliers/SUP-B", headers=bearer(make_token("finance"))).json()
    assert [(r["vendor_id"], r["sku"], r["late_probability"]) for r in group["delivery_risk"]] == [
        ("V2", "S2", 0.4), ("V3", "S1", 0.25), ("V2", "S1", 0.1)]  # riskiest first
    assert group["delivery_risk"][0]["overdue_open_lines"] == 1 and group["delivery_risk"][0]["model_version"] == "2"
    coal = tiny_client.get("/api/v1/suppliers/SUP-B", headers=bearer(make_token("procurement", "COAL"))).json()
    assert [(r["vendor_id"], r["sku"]) for r in coal["delivery_risk"]] == [("V2", "S2"), ("V2", "S1")]
    assert tiny_client.get("/api/v1/suppliers/SUP-A", headers=bearer(make_token("finance"))).json()[
        "delivery_risk"] == []


def test_customer_scopes(tiny_client, make_token):
    coal = bearer(make_token("finance", "COAL"))
    rows = tiny_client.get("/api/v1/customers/segments", headers=coal).json()["items"]
    assert [r["scope"] for r in rows] == ["COAL"]
    assert tiny_client.get("/api/v1/customers/segments?scope=GROUP", headers=coal).status_code == 403
    customer = tiny_client.get("/api/v1/customers/C1", headers=coal).json()
    assert [r["scope"] for r in customer["rfm"]] == ["COAL"] and customer["ltv"] == []
    group = tiny_client.get("/api/v1/customers/C1", headers=bearer(make_token("admin"))).json()
    assert [r["scope"] for r in group["rfm"]] == ["GROUP", "COAL", "POWER"]


def test_scorecards_carry_etags_and_answer_304(tiny_client, make_token, tiny_snapshot):
    token = bearer(make_token("procurement", "COAL"))
    first = tiny_client.get("/api/v1/scorecards/SUP-A", headers=token)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, max-age=300"
    assert first.headers["X-Serving-Snapshot"] == tiny_snapshot.info.snapshot_id
    again = tiny_client.get("/api/v1/scorecards/SUP-A", headers={**token, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    stale = tiny_client.get("/api/v1/scorecards/SUP-A", headers={**token, "If-None-Match": '"old"'})
    assert stale.status_code == 200
    history = tiny_client.get("/api/v1/scorecards/SUP-A/history", headers=token)
    assert tiny_client.get("/api/v1/scorecards/SUP-A/history", headers={
        **token, "If-None-Match": history.headers["ETag"]}).status_code == 304


def test_scorecard_document_groups_metrics_with_definitions(tiny_client, make_token):
    body = tiny_client.get("/api/v1/scorecards/SUP-C", headers=bearer(make_token("admin"))).json()
    assert [(m["metric"], m["group"], m["value"], m["score"]) for m in body["metrics"]] == [
        ("defect_ppm", "quality", 300.0, 20.0),
        ("on_time_delivery_rate", "delivery", 0.6, 20.0),
        ("new_metric", "other", 1.5, 42.0),
    ]
    assert body["metrics"][0]["definition"] == "Rejected quantity / inspected quantity x 1e6."
    assert body["ranking"]["is_bottom_decile"] is True and body["business_units"] == ["POWER"]


def test_elimination_list_and_rankings(tiny_client, make_token):
    admin = bearer(make_token("admin"))
    listed = tiny_client.get("/api/v1/elimination-list", headers=admin).json()
    assert listed["scorecard_month"] == "2026-11-01" and listed["total"] == 1
    entry = listed["items"][0]
    assert entry["supplier_key"] == "SUP-C"
    assert [(r["metric"], r["value"], r["peer_median"], r["score"]) for r in entry["reasons"]] == [
        ("defect_ppm", 300.0, 200.0, 0.0), ("on_time_delivery_rate", 0.6, 0.7, 10.0)]
    assert entry["reasons"][0]["definition"] == "Rejected quantity / inspected quantity x 1e6."
    coal = bearer(make_token("procurement", "COAL"))
    assert tiny_client.get("/api/v1/elimination-list", headers=coal).json()["total"] == 0
    october = tiny_client.get("/api/v1/rankings?month=2026-10", headers=coal).json()
    assert [(i["supplier_key"], i["group_rank"]) for i in october["items"]] == [("SUP-A", 1), ("SUP-B", 2)]
    by_unit = tiny_client.get("/api/v1/rankings?by=business_unit", headers=admin).json()
    assert [(i["main_business_unit_code"], i["business_unit_rank"]) for i in by_unit["items"]] == [
        ("COAL", 1), ("COAL", 2), ("POWER", 1)]
    missing = tiny_client.get("/api/v1/rankings?month=2020-01", headers=admin)
    assert missing.status_code == 404 and _error(missing)["details"]["months"] == ["2026-11", "2026-10"]


def test_paging_is_capped_and_validated(tiny_client, make_token, settings):
    admin = bearer(make_token("admin"))
    page = tiny_client.get("/api/v1/suppliers?limit=100000&offset=1", headers=admin).json()
    assert (page["limit"], page["offset"], page["total"], len(page["items"])) == (
        settings.serving.max_page_size, 1, 3, 2)
    bad = tiny_client.get("/api/v1/suppliers?limit=0", headers=admin)
    assert bad.status_code == 422 and _error(bad)["code"] == "invalid_request"
    backwards = tiny_client.get("/api/v1/scorecards/SUP-A/history?from_month=2026-11&to_month=2026-10",
                                headers=admin)
    assert backwards.status_code == 422


def test_a_mart_not_in_the_snapshot_is_503_naming_it(tiny_client, make_token):
    response = tiny_client.get("/api/v1/inventory/accuracy", headers=bearer(make_token("admin")))
    error = _error(response)
    assert response.status_code == 503 and error["code"] == "mart_unavailable"
    assert error["details"]["missing"] == ["gold.inventory_accuracy"]


def test_onboarding_cycle_times_are_for_procurement_and_admins_of_the_unit(tiny_client,
                                                                          make_token):
    url = "/api/v1/onboarding/cycle-times"
    coal = tiny_client.get(url, headers=bearer(make_token("procurement", "COAL"))).json()
    assert [(r["business_unit_code"], r["check_outcome"], r["median_hours_to_decision"])
            for r in coal["items"]] == [("COAL", "failed", 96.0), ("COAL", "fast_track", 18.0)]
    admin = tiny_client.get(f"{url}?check_outcome=fast_track",
                            headers=bearer(make_token("admin"))).json()
    assert [r["business_unit_code"] for r in admin["items"]] == ["COAL", "POWER"]
    other = tiny_client.get(f"{url}?business_unit=POWER",
                            headers=bearer(make_token("procurement", "COAL")))
    assert other.status_code == 403 and _error(other)["code"] == "out_of_scope"
    for role, unit, supplier in (("finance", "COAL", None), ("supplier", None, "P-1"),
                                 ("buyer", "COAL", None)):
        refused = tiny_client.get(url, headers=bearer(make_token(role, unit, supplier)))
        assert refused.status_code == 403 and _error(refused)["code"] == "forbidden"


def test_unknown_route_keeps_the_error_shape(tiny_client):
    response = tiny_client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and _error(response)["code"] == "not_found"


def test_search_text_is_literal_not_a_like_pattern(tiny_client, make_token):
    admin = bearer(make_token("admin"))
    found = tiny_client.get("/api/v1/suppliers?q=煤业", headers=admin).json()
    assert [i["supplier_key"] for i in found["items"]] == ["SUP-A"]
    for wildcard in ("%", "_", "GL-COAL-00000_"):
        for route in ("/api/v1/suppliers", "/api/v1/scorecards"):
            answer = tiny_client.get(route, params={"q": wildcard}, headers=admin).json()
            assert answer["total"] == 0, (route, wildcard)
    assert tiny_client.get("/api/v1/suppliers?q=GL-COAL-000001", headers=admin).json()["total"] == 1
