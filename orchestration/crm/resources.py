"""The CRM API as a Dagster resource (``CRM__BASE_URL``, ``CRM__TOKEN``).

Assets open a client for the duration of their run. The deployment profile binds the
resource: real deployments this one, the demo profile a subclass that serves the demo
group's CRM (``orchestration.demo.resources``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import dagster as dg

from infra.settings import get_settings
from pipelines.sources.crm.client import CrmClient, CrmError, RetryPolicy


class CrmResource(dg.ConfigurableResource):
    """The CRM REST API (``CRM__BASE_URL``, ``CRM__TOKEN``)."""

    @contextlib.contextmanager
    def client(self) -> Iterator[CrmClient]:
        """A client on the configured CRM, closed when the block ends.

        Raises:
            CrmError: ``CRM__BASE_URL`` or ``CRM__TOKEN`` is not set.
        """
        crm = get_settings().crm
        token = crm.token.get_secret_value() if crm.token else None
        if not crm.base_url:
            raise CrmError("CRM__BASE_URL is not set: configure the CRM API to ingest it")
        if not token:
            raise CrmError("CRM__TOKEN must be set when CRM__BASE_URL is")
        with self.open_client(crm.base_url, token) as client:
            yield client

    @staticmethod
    def open_client(base_url: str, token: str) -> CrmClient:
        """A :class:`CrmClient` on ``base_url`` with the timeouts and retries of ``settings.crm``."""
        crm = get_settings().crm
        retry = RetryPolicy(crm.max_retries, crm.backoff_initial_s, crm.backoff_max_s)
        return CrmClient(base_url, token, timeout_s=crm.timeout_s, retry=retry)
