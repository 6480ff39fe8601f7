"""An HTTP client for the CRM's paged REST API that survives rate limits and outages.

``GET /api/v1/<entity>?updated_since=&cursor=&limit=`` answers ``{"data": [...],
"next_cursor": ...}``. Every request carries the bearer token; a 429, a 5xx, a timeout or a
dropped connection is retried with exponential backoff and *full jitter* (a random wait in
``[0, min(cap, initial · 2^attempt)]``, so many clients do not retry in lockstep); a
``Retry-After`` header is honoured (the wait is at least what the server asks), and every
wait is capped by ``backoff_max_s``. Other 4xx answers are errors that no retry would fix.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class CrmError(RuntimeError):
    """The CRM refused a request in a way no retry fixes (401, 400, 404 …)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class CrmUnavailable(CrmError):
    """The CRM kept answering 429/5xx or could not be reached; retried up to the limit."""


@dataclass(frozen=True)
class RetryPolicy:
    """How requests are retried.

    Attributes:
        max_retries: retries after the first attempt.
        initial_s: backoff ceiling of the first retry (doubles each time).
        max_s: cap of any single wait, ``Retry-After`` included.
    """

    max_retries: int = 8
    initial_s: float = 0.2
    max_s: float = 10.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based).

        Example:
            >>> RetryPolicy(initial_s=1, max_s=30).delay(0, retry_after=7, rng=random.Random(1))
            7
        """
        ceiling = min(self.max_s, self.initial_s * (2**attempt))
        backoff = rng.uniform(0.0, ceiling)
        if retry_after is not None:
            return min(self.max_s, max(retry_after, backoff))
        return backoff


@dataclass
class ClientStats:
    """What a client went through (for reports and tests)."""

    requests: int = 0
    retries: int = 0
    slept_s: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    transport_errors: int = 0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date (``None`` if absent or garbled).

    Example:
        >>> parse_retry_after("3")
        3.0
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class CrmClient:
    """A CRM API client (use as a context manager, or call :meth:`close`).

    Args:
        base_url: ``https://crm.example.com`` (the API lives under ``/api/v1``).
        token: bearer token.
        timeout_s: per-request timeout.
        retry: the retry policy.
        sleep: how to wait (tests pass a recorder).
        seed: seed of the jitter (``None``: random).
        transport: an httpx transport (default: the network).

    Example:
        >>> with CrmClient("http://127.0.0.1:8765", "token") as crm:  # doctest: +SKIP
        ...     crm.page("customers", limit=100)["next_cursor"]
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout_s,
            transport=transport,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def page(
        self,
        entity: str,
        *,
        updated_since: str | None = None,
        cursor: str | None = None,
        limit: int = 500,
    ) -> dict[str, Any]:
        """One page of ``entity`` in ``(updated_at, id)`` order: ``{"data", "next_cursor"}``.

        Args:
            entity: ``customers``, ``contacts``, ``interactions`` or ``tickets``.
            updated_since: only rows with ``updated_at >=`` this (inclusive).
            cursor: the previous page's ``next_cursor``.
            limit: rows per page.

        Raises:
            CrmUnavailable: still failing after ``max_retries`` retries (a transient error).
            CrmError: refused (bad token, bad request, unknown entity).
        """
        params: dict[str, Any] = {"limit": limit}
        if updated_since is not None:
            params["updated_since"] = updated_since
        if cursor:
            params["cursor"] = cursor
        body = self.get_json(f"/api/v1/{entity}", params)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise CrmError(f"unexpected answer from {self.base_url}/api/v1/{entity}: not a page")
        return body

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` with retries; return the decoded JSON body."""
        attempt = 0
        while True:
            self.stats.requests += 1
            retry_after = None
            try:
                response = self._http.get(path, params=params)
            except httpx.TransportError as exc:
                self.stats.transport_errors += 1
                problem = f"{type(exc).__name__}: {exc}"
            else:
                self.stats.statuses[response.status_code] += 1
                if response.status_code < 400:
                    return response.json()
                if response.status_code not in RETRY_STATUSES and response.status_code < 500:
                    raise CrmError(
                        f"CRM answered {response.status_code} to GET {path}: {response.text[:300]}",
                        status=response.status_code,
                    )
                problem = f"HTTP {response.status_code}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if attempt >= self.retry.max_retries:
                raise CrmUnavailable(
                    f"CRM at {self.base_url} still failing after {attempt} retries (last: {problem})"
                )
            wait = self.retry.delay(attempt, retry_after, self._rng)
            self.stats.retries += 1
            self.stats.slept_s += wait
            self._sleep(wait)
            attempt += 1
