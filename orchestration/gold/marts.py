"""Which dbt marts are published: those whose YAML says ``meta: {grouplake: {publish: true}}``.

A mart is published by flagging it in its own YAML (next to its enforced contract), so the
dbt project stays the one place that describes it::

    config:
      contract: {enforced: true}
      meta:
        grouplake:
          publish: true
          order_by: [scope, customer_id]   # the key: deterministic row order in gold
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orchestration.gold.publish import MartSpec


def _grouplake_meta(node: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
    return meta.get("grouplake") or {}


def mart_spec(node: Mapping[str, Any]) -> MartSpec:
    """The :class:`MartSpec` of a manifest model node."""
    meta = _grouplake_meta(node)
    columns = tuple(
        (name, str(column.get("data_type") or ""))
        for name, column in (node.get("columns") or {}).items()
    )
    return MartSpec(
        mart=node["name"],
        schema=node.get("schema") or "marts",
        order_by=tuple(meta.get("order_by") or ()),
        description=(node.get("description") or "").strip(),
        columns=columns,
    )


def published_marts(manifest: Mapping[str, Any]) -> list[MartSpec]:
    """Every model flagged for publication, sorted by name."""
    specs = [
        mart_spec(node)
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and _grouplake_meta(node).get("publish")
    ]
    return sorted(specs, key=lambda s: s.mart)


def load_manifest(path: Path) -> dict[str, Any]:
    """The parsed dbt manifest."""
    return json.loads(path.read_text())
