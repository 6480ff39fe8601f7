"""The MLflow UI as a ``grouplake up`` service (registered in ``grouplake/services.py``).

``mlflow server`` on the configured tracking store (sqlite under ``<home>/mlflow`` by
default) with the configured artifact root, one worker, on ``SERVICES__MLFLOW_PORT``. The
experiments carry their own artifact locations (see :mod:`models.ml.registry`), so the UI
reads the same files the training wrote. Health: ``/health``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from infra.services import ServiceSpec


def _artifact_root_uri(root: str) -> str:
    return root if "://" in root else Path(root).absolute().as_uri()


def service_spec(settings: Any) -> ServiceSpec:
    """The MLflow tracking server / UI.

    Example:
        >>> from infra.settings import get_settings
        >>> service_spec(get_settings()).name
        'mlflow'
    """
    host, port = settings.services.host, settings.services.mlflow_port
    tracking_uri = settings.mlflow.tracking_uri
    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return ServiceSpec(
        name="mlflow",
        command=[
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", tracking_uri,
            "--default-artifact-root", _artifact_root_uri(settings.mlflow.artifact_root),
            "--host", host, "--port", str(port),
            "--workers", "1",
        ],
        port=port,
        host=host,
        health_url=f"http://{host}:{port}/health",
        urls={"MLflow UI": f"http://{host}:{port}"},
        env={"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"},
    )
