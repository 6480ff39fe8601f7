"""The gold layer: one ``["gold", <mart>]`` asset per published dbt mart; ``defs`` is built on
first access (it reads the dbt manifest)."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "defs":
        from orchestration.gold.definitions import build_gold_defs

        return build_gold_defs()
    raise AttributeError(name)
