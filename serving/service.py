"""How ``grouplake up`` runs the serving API: command, port, health URL."""

from __future__ import annotations

import sys

from infra.services import ServiceSpec
from infra.settings import Settings


def service_spec(settings: Settings) -> ServiceSpec:
    """The serving API as a long-running service (``grouplake serving serve``).

    Args:
        settings: the platform settings (host and port from ``settings.services``).

    Returns:
        The :class:`infra.services.ServiceSpec` (name ``serving-api``, health ``/healthz``).

    Example:
        >>> from infra.settings import get_settings
        >>> service_spec(get_settings()).port  # doctest: +SKIP
        8001
    """
    host = settings.services.host
    port = settings.services.serving_port
    base = f"http://{host}:{port}"
    return ServiceSpec(
        name="serving-api",
        command=[sys.executable, "-m", "serving", "serve", "--host", host, "--port", str(port)],
        port=port,
        host=host,
        health_url=f"{base}/healthz",
        urls={"Serving API docs": f"{base}/docs", "Serving snapshot": f"{base}/readyz"},
    )
