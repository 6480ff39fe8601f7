"""dbt models as Dagster assets (dagster-dbt); ``defs`` is built on first access."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "defs":
        from orchestration.dbt.definitions import build_dbt_defs

        return build_dbt_defs()
    raise AttributeError(name)
