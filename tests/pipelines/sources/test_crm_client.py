"""The CRM HTTP client: retries with full-jitter backoff on 429/5xx/transport errors, Retry-After."""

from __future__ import annotations

import random

import httpx
import pytest

from pipelines.sources.crm.client import (
    CrmClient,
    CrmError,
    CrmUnavailable,
    RetryPolicy,
    parse_retry_after,
)

PAGE = {"data": [{"customer_id": "C1"}], "next_cursor": None}


def _client(responses: list, *, retry: RetryPolicy, sleeps: list[float]) -> tuple[CrmClient, list[httpx.Request]]:
    """A client whose transport plays ``responses`` in order (an exception is raised)."""
    seen: list[httpx.Request] = []
    script = iter(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = next(script)
        if isinstance(item, Exception):
            raise item
        return item

    client = CrmClient("http://crm.test", "secret", retry=retry, sleep=sleeps.append, seed=7,
                       transport=httpx.MockTransport(handler))
    return client, seen


def test_retry_after_is_honoured_then_the_page_is_returned():
    sleeps: list[float] = []
    client, seen = _client(
        [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json=PAGE)],
        retry=RetryPolicy(max_retries=5, initial_s=0.1, max_s=10), sleeps=sleeps,
    )
    assert client.page("customers", updated_since="2026-01-01T00:00:00Z", limit=50) == PAGE
    assert sleeps == [3.0]
    assert len(seen) == 2 and seen[0].headers["Authorization"] == "Bearer secret"
    assert seen[0].url.params["updated_since"] == "2026-01-01T00:00:00Z" and seen[0].url.params["limit"] == "50"
    assert client.stats.statuses == {429: 1, 200: 1} and client.stats.retries == 1


def test_retry_after_is_capped_by_the_backoff_maximum():
    sleeps: list[float] = []
    client, _ = _client(
        [httpx.Response(429, headers={"Retry-After": "120"}), httpx.Response(200, json=PAGE)],
        retry=RetryPolicy(max_retries=5, initial_s=0.1, max_s=2.5), sleeps=sleeps,
    )
    client.page("customers")
    assert sleeps == [2.5]


def test_5xx_and_transport_errors_back_off_exponentially_with_full_jitter():
    sleeps: list[float] = []
    responses = [httpx.Response(503), httpx.ConnectError("refused"), httpx.Response(502),
                 httpx.ReadTimeout("slow"), httpx.Response(500), httpx.Response(200, json=PAGE)]
    policy = RetryPolicy(max_retries=8, initial_s=0.5, max_s=4.0)
    client, seen = _client(responses, retry=policy, sleeps=sleeps)
    assert client.page("tickets")["data"] == PAGE["data"]
    assert len(seen) == 6 and client.stats.transport_errors == 2
    rng = random.Random(7)  # same seed as the client: the exact jittered waits
    expected = [rng.uniform(0, min(4.0, 0.5 * 2**k)) for k in range(5)]
    assert sleeps == pytest.approx(expected)
    assert all(0 <= s <= min(4.0, 0.5 * 2**k) for k, s in enumerate(sleeps))


def test_gives_up_after_max_retries_with_a_transient_error():
    sleeps: list[float] = []
    client, seen = _client([httpx.Response(503)] * 4, retry=RetryPolicy(max_retries=3, initial_s=0.01, max_s=0.1),
                           sleeps=sleeps)
    with pytest.raises(CrmUnavailable, match="after 3 retries"):
        client.page("contacts")
    assert len(seen) == 4 and len(sleeps) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(status):
    sleeps: list[float] = []
    client, seen = _client([httpx.Response(status, json={"error": "no"})], retry=RetryPolicy(), sleeps=sleeps)
    with pytest.raises(CrmError) as info:
        client.page("customers")
    assert not isinstance(info.value, CrmUnavailable)
    assert info.value.status == status and len(seen) == 1 and sleeps == []


def test_retry_after_parsing():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0


def test_transient_errors_are_classified_for_dagster_retries():
    from orchestration.crm.assets import is_transient_crm_error

    assert is_transient_crm_error(CrmUnavailable("503 x9"))
    assert is_transient_crm_error(httpx.ConnectError("refused"))
    assert is_transient_crm_error(ConnectionRefusedError())
    assert not is_transient_crm_error(CrmError("401", status=401))
    assert not is_transient_crm_error(ValueError("bug"))
