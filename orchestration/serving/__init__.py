"""The serving component: the ``["serving", "snapshot"]`` asset downstream of the gold tables
the serving API reads; ``defs`` is built on first access (it reads the dbt manifest)."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "defs":
        from orchestration.serving.assets import build_serving_defs

        return build_serving_defs()
    raise AttributeError(name)
