"""How ``grouplake up`` runs the transactional API: command, port, health URL."""

from __future__ import annotations

import sys
from typing import Any

from infra.settings import Settings


def service_spec(settings: Settings) -> dict[str, Any]:
    """The transactional API as a long-running service.

    The command migrates the database first (``serve`` does), then runs uvicorn with
    ``OLTP__WORKERS`` worker processes.

    Args:
        settings: the platform settings (host and port from ``settings.services``).

    Returns:
        ``{"name", "command", "port", "host", "health_url", "urls"}`` (the fields of
        ``infra.services.ServiceSpec``).

    Example:
        >>> from infra.settings import get_settings
        >>> service_spec(get_settings())["name"]  # doctest: +SKIP
        'transactional-api'
    """
    host = settings.services.host
    port = settings.services.transactional_port
    base = f"http://{host}:{port}"
    return {
        "name": "transactional-api",
        "command": [sys.executable, "-m", "transactional", "serve", "--host", host,
                    "--port", str(port)],
        "port": port,
        "host": host,
        "health_url": f"{base}/healthz",
        "urls": {"API docs": f"{base}/docs", "OpenAPI": f"{base}/openapi.json"},
    }
