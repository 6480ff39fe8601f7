"""The demo group's source systems, for the demo deployment profile.

:func:`ensure_demo_sources` generates the group on first use (several Dagster steps may
start at once: a file lock makes the first one generate it and the others wait, so it is
generated once and never half-read). :func:`serve_demo_crm` serves the demo CRM with the
profile's rate limit and injected 5xx, so the demo exercises the same client retries as a
real CRM. Plain functions: ``orchestration/demo`` wires them into Dagster resources.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Callable, Iterator
from pathlib import Path

from infra.settings import Settings


def ensure_demo_sources(settings: Settings, say: Callable[[str], None] = print) -> bool:
    """Generate the demo group on first use when sources are not configured.

    Args:
        settings: the platform settings.
        say: where to report that generation happens (a logger or ``print``).

    Returns:
        True when this call generated the demo group.
    """
    if not settings.uses_demo_sources:
        return False
    from demo import demo_exists, ensure_demo_group

    if demo_exists(settings):
        return False
    lock_path = Path(settings.demo.dir) / ".generate.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if demo_exists(settings):
            return False
        say(
            "No source systems are configured: generating the demo group "
            f"(scale {settings.demo.scale}, seed {settings.demo.seed}) in {settings.demo.dir} …"
        )
        manifest = ensure_demo_group(settings)
        return manifest is not None


@contextlib.contextmanager
def serve_demo_crm(settings: Settings) -> Iterator[tuple[str, str]]:
    """Serve the demo group's CRM (``<demo dir>/crm.db``) on a free local port while the block runs.

    Args:
        settings: the platform settings (``CRM__TOKEN`` is the token when set; the demo's
            own otherwise; chaos rates from the demo profile).

    Yields:
        ``(base_url, token)``.

    Raises:
        FileNotFoundError: the demo group has no CRM (it could not be generated).
    """
    from demo.crm_server import DEMO_CRM_TOKEN, CrmChaos, serve_crm

    ensure_demo_sources(settings)
    db = Path(settings.demo.dir) / "crm.db"
    if not db.exists():
        raise FileNotFoundError(f"CRM__BASE_URL is not set and there is no demo CRM at {db}")
    token = settings.crm.token.get_secret_value() if settings.crm.token else DEMO_CRM_TOKEN
    chaos = CrmChaos.from_profile(seed=settings.demo.seed, profile=settings.demo.profile)
    with serve_crm(db, token=token, chaos=chaos) as url:
        yield url, token
