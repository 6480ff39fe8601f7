"""Input hardening and security headers: every route with a path parameter answers a 4xx
(never a 500) to ids no ``bigint`` holds; every id a request carries is range-checked;
security headers on every answer; the docs only where configured."""

from __future__ import annotations

import re
import typing

import annotated_types
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from infra.http.validators import MAX_ID

HUGE = str(2**63)  # 9223372036854775808


def _routes(app) -> list[tuple[str, APIRoute]]:
    """``(full path, route)`` of every API route of the app, included routers flattened."""
    return [(rc.path, rc.original_route) for rc in iter_route_contexts(app.routes)
            if isinstance(rc.original_route, APIRoute)]


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", value, path)


@pytest.mark.parametrize("value", [HUGE, "0", "-1", "1e3"])
def test_every_route_with_a_path_parameter_answers_4xx_to_a_bad_id(app, client, world,
                                                                   value: str) -> None:
    calls = 0
    for path, route in _routes(app):
        if not route.dependant.path_params:
            continue
        for method in sorted(route.methods):
            url = _fill(path, value)
            response = client.request(method, url, headers=world.headers("admin"), json={})
            assert 400 <= response.status_code < 500, (method, url, response.text)
            assert response.json()["error"]["code"] in (
                "invalid_request", "not_found", "forbidden", "validation_failed"), (
                method, url, response.text)
            calls += 1
    assert calls >= 38


def _int_ids(annotation: typing.Any, metadata: list, name: str, where: str,
             seen: set) -> list[tuple[str, list]]:
    """``(location, metadata)`` of every integer id (``id`` or ``*_id``) under a field."""
    found: list[tuple[str, list]] = []
    args = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return found
        seen.add(annotation)
        for field_name, field in annotation.model_fields.items():
            found += _int_ids(field.annotation, field.metadata, field_name,
                              f"{where}.{field_name}", seen)
    elif args:
        if typing.get_origin(annotation) is typing.Annotated:
            extra = [x for a in args[1:]
                     for x in (a.metadata if isinstance(a, FieldInfo) else [a])]
            return _int_ids(args[0], [*metadata, *extra], name, where, seen)
        for arg in args:
            found += _int_ids(arg, metadata, name, where, seen)
    elif annotation is int and (name == "id" or name.endswith("_id")):
        found.append((where, metadata))
    return found


def test_every_integer_id_a_request_carries_is_range_checked(app) -> None:
    checked, unchecked = 0, []
    for path, route in _routes(app):
        d = route.dependant
        params = [*d.path_params, *d.query_params, *d.header_params, *d.body_params]
        for sub in d.dependencies:
            params += [*sub.path_params, *sub.query_params, *sub.body_params]
        for param in params:
            info = param.field_info
            for where, metadata in _int_ids(info.annotation, list(info.metadata),
                                            param.name, f"{path} {param.name}", set()):
                bounds = {(type(m), getattr(m, "ge", getattr(m, "le", None))) for m in metadata}
                if {(annotated_types.Ge, 1), (annotated_types.Le, MAX_ID)} <= bounds:
                    checked += 1
                else:
                    unchecked.append(where)
    assert not unchecked, f"ids without the Id range check: {unchecked}"
    assert checked >= 40


def test_security_headers_on_every_answer(docs_on, client, world) -> None:
    authed = client.get("/api/v1/orders", headers=world.headers("buyer_coal"))
    assert authed.status_code == 200
    assert authed.headers["x-content-type-options"] == "nosniff"
    assert authed.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert authed.headers["cache-control"] == "no-store"
    assert authed.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in authed.headers  # not served over TLS
    anonymous = client.get("/api/v1/orders")
    assert anonymous.status_code == 401
    assert anonymous.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in anonymous.headers
    too_big = client.post("/api/v1/orders", content=b"x" * 2_000_000,
                          headers=world.headers("buyer_coal", **{"Idempotency-Key": "big"}))
    assert too_big.status_code == 413 and too_big.headers["x-content-type-options"] == "nosniff"
    docs = client.get("/docs")
    assert docs.status_code == 200  # served where configured (docs_on)
    assert docs.headers["content-security-policy"] == (
        "frame-ancestors 'none'; object-src 'none'; base-uri 'self'")


def _app_for(monkeypatch, env: str, **variables: str):
    from fastapi.testclient import TestClient

    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    monkeypatch.setenv("ENV", env)
    monkeypatch.setenv("AUTH__JWT_SECRET", "s" * 48)
    monkeypatch.setenv("OLTP__PAYMENT_PROVIDER_SECRET", "p" * 48)
    monkeypatch.setenv("OLTP__FIELD_ENCRYPTION_KEY", "f" * 48)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    return TestClient(create_app(get_settings()))


@pytest.mark.parametrize(("env", "configured", "served"), [
    ("local", None, True), ("ci", None, False), ("production", None, False),
    ("production", "true", True), ("local", "false", False)])
def test_docs_only_where_configured(tx_settings, monkeypatch, env: str, configured: str | None,
                                    served: bool) -> None:
    extra = {"SERVICES__API_DOCS": configured} if configured else {}
    client = _app_for(monkeypatch, env, **extra)
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert (client.get(path).status_code == 200) is served, path


def test_hsts_when_served_over_tls(tx_settings, monkeypatch) -> None:
    client = _app_for(monkeypatch, "production", SERVICES__TLS="true",
                      SERVICES__HSTS_MAX_AGE_S="600")
    response = client.get("/api/v1/nowhere")
    assert response.headers["strict-transport-security"] == "max-age=600; includeSubDomains"
