"""Fixtures of the serving tests: a tiny hand-made gold layer with its snapshot (fast), an app
over it, and tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def tiny_lake(settings) -> Path:
    """The tiny gold layer of :mod:`tests.serving.factories` in the isolated home's lake."""
    from tests.serving.factories import write_gold

    write_gold(Path(settings.lake.root))
    return Path(settings.lake.root)


@pytest.fixture
def tiny_snapshot(settings, tiny_lake):
    """A snapshot of the tiny lake, current in the isolated snapshot directory."""
    from serving.snapshot.build import build_from_settings
    from tests.serving.factories import DOCS

    return build_from_settings(settings, column_docs=DOCS)


@pytest.fixture
def make_token(settings) -> Callable[..., str]:
    """``make_token(role, unit=None, supplier_id=None)`` signs a token with the test settings."""
    from infra.tokens import issue_token

    def _make(role: str, unit: str | None = None, supplier_id: str | None = None, **kwargs) -> str:
        return issue_token(f"test:{role}", role, unit, supplier_id, settings=settings, **kwargs)

    return _make


@pytest.fixture
def tiny_client(settings, tiny_snapshot) -> Iterator:
    """A test client of the serving app over the tiny snapshot (pointer looked at every request)."""
    from fastapi.testclient import TestClient

    from serving.main import create_app

    settings.serving.poll_interval_s = 0
    with TestClient(create_app(settings)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of ``token``."""
    return {"Authorization": f"Bearer {token}"}
