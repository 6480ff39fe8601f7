"""API quality: one error shape, capped pages, body size limit, OpenAPI, health."""

from __future__ import annotations

import pytest

from transactional.migrations import head_revision


def test_openapi_documents_examples_security_and_errors(client) -> None:
    spec = client.app.openapi()  # served at /openapi.json only where docs are on
    schemas = spec["components"]["schemas"]
    assert schemas["OrderCreate"]["examples"][0]["lines"][0]["offer_id"] == 1
    assert "examples" in schemas["CategoryCreate"]
    assert set(spec["components"]["securitySchemes"]) == {"OAuth2PasswordBearer",
                                                          "APIKeyHeader"}
    post_orders = spec["paths"]["/api/v1/orders"]["post"]
    assert {"201", "401", "403", "409", "422", "429"} <= set(post_orders["responses"])
    assert post_orders["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"}


def test_every_error_has_the_same_shape(client, world) -> None:
    responses = [
        client.get("/api/v1/nowhere"),  # 404 route
        client.delete("/api/v1/orders", headers=world.headers("admin")),  # 405
        client.get("/api/v1/orders"),  # 401
        client.get("/api/v1/orders/999", headers=world.headers("admin")),  # 404 object
        client.post("/api/v1/categories", json={}, headers=world.headers("admin")),  # 422
        client.post("/api/v1/categories", content=b"{not json",
                    headers={**world.headers("admin"), "content-type": "application/json"}),
    ]
    for response in responses:
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "details"}
    assert [r.status_code for r in responses] == [404, 405, 401, 404, 422, 422]


def test_page_size_is_capped_by_settings(client, world) -> None:
    response = client.get("/api/v1/skus?limit=100000", headers=world.headers("buyer_coal"))
    assert response.status_code == 200 and response.json()["limit"] == 200
    assert client.get("/api/v1/skus?limit=0", headers=world.headers("buyer_coal")).status_code == 422


@pytest.mark.parametrize("chunked", [False, True])
def test_request_body_size_is_limited(client, world, chunked: bool) -> None:
    big = b'{"lines": [' + b" " * 1_100_000 + b"]}"
    content = (big[i:i + 65536] for i in range(0, len(big), 65536)) if chunked else big
    response = client.post("/api/v1/orders", content=content, headers={
        **world.headers("buyer_coal", **{"Idempotency-Key": "big"}),
        "content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_health_and_readiness(client, db) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["schema_revision"] == head_revision()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("update alembic_version set version_num = 'old'")
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503 and not_ready.json()["error"]["code"] == "not_ready"


def test_unexpected_errors_are_500_without_internals(client, world, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from transactional.catalogue import skus as catalogue

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(catalogue, "list_categories", boom)
    with TestClient(client.app, raise_server_exceptions=False) as quiet:
        response = quiet.get("/api/v1/categories", headers=world.headers("buyer_coal"))
    assert response.status_code == 500
    assert response.json()["error"] == {"code": "internal_error",
                                        "message": "an unexpected error occurred",
                                        "details": None}
