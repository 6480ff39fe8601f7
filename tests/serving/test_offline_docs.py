"""The serving API's docs pages work without internet access (#24)."""

from fastapi.testclient import TestClient

from serving.main import create_app
from tests.infra.offline_docs import assert_docs_are_served_locally


def test_serving_docs_load_nothing_from_a_cdn(settings, tiny_snapshot) -> None:
    settings.services.api_docs = True  # ENV=ci serves no docs by default
    settings.serving.poll_interval_s = 0
    with TestClient(create_app(settings)) as client:
        assert_docs_are_served_locally(client)


def test_without_docs_configured_outside_local_nothing_is_served(settings, tiny_snapshot) -> None:
    settings.env, settings.services.api_docs = "staging", None
    settings.serving.poll_interval_s = 0
    with TestClient(create_app(settings)) as client:
        assert [client.get(p).status_code for p in ("/docs", "/redoc", "/openapi.json")] == [404, 404, 404]
