"""The CRM API as a Dagster resource: the configured one, or the demo group's served locally.

With ``CRM__BASE_URL`` set, assets talk to that API with ``CRM__TOKEN``. Without it, the
demo group's CRM (``<demo dir>/crm.db``) is served on a free local port for the duration of
the asset's run, with the demo profile's rate limit and injected 5xx, so the demo exercises
the same retries as production.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from infra.settings import get_settings
from pipelines.sources.crm.client import CrmClient, CrmError, RetryPolicy


class CrmResource(dg.ConfigurableResource):
    """The CRM REST API (``CRM__BASE_URL``, ``CRM__TOKEN``; the demo CRM when unset)."""

    @contextlib.contextmanager
    def client(self) -> Iterator[CrmClient]:
        """A client on the configured CRM (demo CRM served locally while the block runs)."""
        settings = get_settings()
        crm = settings.crm
        retry = RetryPolicy(crm.max_retries, crm.backoff_initial_s, crm.backoff_max_s)
        token = crm.token.get_secret_value() if crm.token else None
        if crm.base_url:
            if not token:
                raise CrmError("CRM__TOKEN must be set when CRM__BASE_URL is")
            with CrmClient(crm.base_url, token, timeout_s=crm.timeout_s, retry=retry) as client:
                yield client
            return
        from demo.crm_server import DEMO_CRM_TOKEN, CrmChaos, serve_crm
        from demo.sources import ensure_demo_sources

        ensure_demo_sources(settings)
        db = Path(settings.demo.dir) / "crm.db"
        if not db.exists():
            raise CrmError(f"CRM__BASE_URL is not set and there is no demo CRM at {db}")
        token = token or DEMO_CRM_TOKEN
        chaos = CrmChaos.from_profile(seed=settings.demo.seed, profile=settings.demo.profile)
        with serve_crm(db, token=token, chaos=chaos) as url, CrmClient(
            url, token, timeout_s=crm.timeout_s, retry=retry
        ) as client:
            yield client
