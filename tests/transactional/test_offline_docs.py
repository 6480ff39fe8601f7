"""The transactional API's docs pages work without internet access (#24)."""

from tests.infra.offline_docs import assert_docs_are_served_locally


def test_transactional_docs_load_nothing_from_a_cdn(docs_on, client) -> None:
    assert_docs_are_served_locally(client)
