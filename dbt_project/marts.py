"""Which dbt marts are published, and how a mart is read from dbt's DuckDB file.

A mart is published when its YAML says ``meta: {grouplake: {publish: true}}``.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa


@dataclass(frozen=True)
class MartSpec:
    """What the gold asset of a mart needs to know about it.

    Args:
        mart: dbt model name (also the gold table name).
        schema: the DuckDB schema dbt builds it in.
        order_by: columns giving the published table a deterministic row order (its key).
        description: shown in the UI and the Delta table's metadata.
        columns: (name, data type) of the enforced contract, for the UI's column schema.
    """

    mart: str
    schema: str = "marts"
    order_by: tuple[str, ...] = ()
    description: str = ""
    columns: tuple[tuple[str, str], ...] = ()

    @property
    def relative_path(self) -> str:
        return f"gold/{self.mart}"

    @property
    def sql_name(self) -> str:
        return f"gold.{self.mart}"


def read_mart(duckdb_path: str, spec: MartSpec) -> pa.Table:
    """The mart's rows from dbt's DuckDB file (read-only), in ``order_by`` order."""
    import duckdb

    order = f" order by {', '.join(spec.order_by)}" if spec.order_by else ""
    with duckdb.connect(duckdb_path, read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.sql(f'select * from "{spec.schema}"."{spec.mart}"{order}').to_arrow_table()


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
