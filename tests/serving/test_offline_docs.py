"""The serving API's docs pages work without internet access (#24)."""

from tests.infra.offline_docs import assert_docs_are_served_locally


def test_serving_docs_load_nothing_from_a_cdn(tiny_client) -> None:
    assert_docs_are_served_locally(tiny_client)
