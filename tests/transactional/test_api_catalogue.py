"""Catalogue, offers and stock through the API: templates, search, offer changes, adjustments."""

from __future__ import annotations

from sqlalchemy import select

from transactional.db.tables.core import outbox_events


def test_skus_are_validated_against_their_category_template(client, world) -> None:
    admin = world.headers("admin")
    body = {"code": "COAL-X", "category_id": world.category_ids["coal"], "name": "x",
            "unit": "t", "attributes": {"calorific_value": 8000, "sulphur": "low",
                                        "colour": "black"}}
    response = client.post("/api/v1/skus", json=body, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["attributes"] == {
        "calorific_value": "8000 is above the maximum 7500", "sulphur": "must be a number",
        "origin": "is required", "colour": "not declared by the category template"}
    body["attributes"] = {"calorific_value": 5000, "sulphur": 1.0, "origin": "Hegang"}
    assert client.post("/api/v1/skus", json=body, headers=admin).status_code == 201
    assert client.post("/api/v1/skus", json=body, headers=admin).status_code == 409
    assert client.post("/api/v1/skus", json={**body, "code": "C2"},
                       headers=world.headers("buyer_coal")).status_code == 403


def test_category_templates_are_checked(client, world) -> None:
    body = {"code": "bricks", "name": "Bricks", "attributes": [
        {"name": "size", "type": "enum", "allowed_values": []},
        {"name": "strength", "type": "number", "minimum": 10, "maximum": 5}]}
    bad = client.post("/api/v1/categories", json=body, headers=world.headers("admin"))
    assert bad.status_code == 422 and len(bad.json()["error"]["details"]["problems"]) == 2
    body["attributes"] = [{"name": "size", "type": "enum", "allowed_values": ["240x115x53"]},
                          {"name": "strength", "type": "number", "unit": "MPa"}]
    created = client.post("/api/v1/categories", json=body, headers=world.headers("admin"))
    assert created.status_code == 201
    fetched = client.get(f"/api/v1/categories/{created.json()['id']}",
                         headers=world.headers("buyer_power"))
    assert fetched.json()["attributes"][1]["unit"] == "MPa"


def test_search_by_category_and_attribute_values(client, world) -> None:
    headers = world.headers("buyer_coal")

    def codes(query: str) -> list[str]:
        response = client.get(f"/api/v1/skus?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [s["code"] for s in response.json()["items"]]

    coal = world.category_ids["coal"]
    assert codes(f"category_id={coal}") == ["COAL-5500", "COAL-6000", "COAL-4500"]
    assert codes("attr=calorific_value:gte:5500") == ["COAL-5500", "COAL-6000"]
    assert codes("attr=sulphur:lt:1&attr=origin:eq:ordos") == ["COAL-6000"]
    assert codes("attr=origin:in:Yulin|Datong") == ["COAL-5500", "COAL-4500"]
    assert codes("attr=size:eq:600x600") == ["TILE-600-W"]
    assert codes("q=ordos") == ["COAL-6000"]
    assert client.get("/api/v1/skus?attr=sulphur:lte:abc", headers=headers).status_code == 422
    # a typo is an error that names the known attributes, not an empty result (#24)
    typo = client.get("/api/v1/skus?attr=sulfur:lt:1", headers=headers)
    assert typo.status_code == 422 and typo.json()["error"]["code"] == "unknown_attribute"
    assert "sulfur" in typo.json()["error"]["message"] and "sulphur" in typo.json()["error"]["details"]["known"]
    tiles = world.category_ids["tiles"]
    wrong_category = client.get(f"/api/v1/skus?category_id={tiles}&attr=sulphur:lt:1", headers=headers)
    assert wrong_category.status_code == 422 and wrong_category.json()["error"]["details"]["unknown"] == ["sulphur"]
    assert client.get("/api/v1/offers?attr=calorfic_value:gte:1", headers=headers).status_code == 422
    offers = client.get("/api/v1/offers?attr=calorific_value:gte:5500", headers=headers).json()
    assert [(o["sku_id"], o["available_quantity"]) for o in offers["items"]] == [
        (world.sku_ids["COAL-5500"], 500), (world.sku_ids["COAL-6000"], 1000)]


def test_suppliers_own_their_offers_and_changes_are_versioned_events(client, world, db) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    change = {"price_tiers": [{"min_quantity": 1, "unit_price": "880"},
                              {"min_quantity": 500, "unit_price": "860"}], "lead_time_days": 2}
    assert client.patch(f"/api/v1/offers/{offer}", json=change,
                        headers=world.headers("supplier_2")).status_code == 404
    assert client.patch(f"/api/v1/offers/{offer}", json={"supplier_id": "SUP-2"},
                        headers=world.headers("supplier_1")).status_code == 422
    updated = client.patch(f"/api/v1/offers/{offer}", json=change,
                           headers=world.headers("supplier_1"))
    assert updated.status_code == 200
    assert (updated.json()["version"], updated.json()["lead_time_days"]) == (2, 2)
    assert [t["unit_price"] for t in updated.json()["price_tiers"]] == ["880.0000", "860.0000"]
    with db.read() as session:
        payload = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "offer.changed")).scalar_one()
    assert payload["version"] == 2 and payload["supplier_id"] == "SUP-1"
    order = client.post("/api/v1/orders", json={"lines": [{"offer_id": offer, "quantity": 2}]},
                        headers=world.headers("buyer_coal", **{"Idempotency-Key": "v2"}))
    assert order.json()["lines"][0]["offer_version"] == 2
    assert order.json()["total_amount"] == "1760.0000"


def test_new_offers_take_the_supplier_from_the_token(client, world) -> None:
    body = {"sku_id": world.sku_ids["COAL-4500"], "currency": "CNY", "moq": 1,
            "price_tiers": [{"min_quantity": 1, "unit_price": "590"}]}
    created = client.post("/api/v1/offers", json=body, headers=world.headers("supplier_2"))
    assert created.status_code == 201 and created.json()["supplier_id"] == "SUP-2"
    assert created.json()["available_quantity"] == 0  # SUP-2 holds no coal
    assert client.post("/api/v1/offers", json={**body, "supplier_id": "SUP-1"},
                       headers=world.headers("supplier_2")).status_code == 422
    assert client.post("/api/v1/offers", json=body,
                       headers=world.headers("supplier_2")).status_code == 409
    assert client.post("/api/v1/offers", json=body,
                       headers=world.headers("buyer_coal")).status_code == 403


def test_stock_adjustments_have_reasons_and_never_go_negative(client, world) -> None:
    wh = world.warehouse_ids["W-FOSHAN"]
    sku = world.sku_ids["TILE-600-W"]
    url = f"/api/v1/warehouses/{wh}/adjustments"
    headers = world.headers("supplier_2")
    damage = client.post(url, json={"sku_id": sku, "delta": -40, "reason": "damage",
                                    "note": "pallet dropped"}, headers=headers)
    assert damage.status_code == 201 and damage.json()["available"] == 4960
    too_much = client.post(url, json={"sku_id": sku, "delta": -5000, "reason": "damage"},
                           headers=headers)
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "insufficient_stock"
    assert client.post(url, json={"sku_id": sku, "delta": 5, "reason": "found"},
                       headers=headers).status_code == 422
    levels = client.get(f"/api/v1/warehouses/{wh}/stock", headers=headers).json()["items"]
    assert [(s["sku_id"], s["available"], s["reserved"]) for s in levels] == [(sku, 4960, 0)]
    assert client.get(f"/api/v1/warehouses/{wh}/stock",
                      headers=world.headers("buyer_coal")).status_code == 403


def test_warehouses_are_created_for_the_calling_supplier(client, world) -> None:
    body = {"code": "W-NEW", "name": "New", "latitude": 30.0, "longitude": 120.0,
            "handling_cost": "1.5", "cost_per_km": "0.02"}
    created = client.post("/api/v1/warehouses", json=body, headers=world.headers("supplier_2"))
    assert created.status_code == 201 and created.json()["supplier_id"] == "SUP-2"
    listing = client.get("/api/v1/warehouses", headers=world.headers("supplier_2")).json()
    assert {w["code"] for w in listing["items"]} == {"W-FOSHAN", "W-NEW"}
    assert client.get("/api/v1/warehouses",
                      headers=world.headers("procurement_power")).json()["total"] == 4


def test_a_retried_adjustment_with_a_key_is_applied_once(client, world) -> None:
    wh = world.warehouse_ids["W-FOSHAN"]
    sku = world.sku_ids["TILE-600-W"]
    url = f"/api/v1/warehouses/{wh}/adjustments"
    headers = world.headers("supplier_2", **{"Idempotency-Key": "receipt-77"})
    body = {"sku_id": sku, "delta": 100, "reason": "receipt"}
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and first.json()["available"] == 5100
    other = client.post(url, json={**body, "delta": 5}, headers=headers)
    assert other.status_code == 422
    levels = client.get(f"/api/v1/warehouses/{wh}/stock", headers=headers).json()["items"]
    assert levels[0]["available"] == 5100
