"""How dbt nodes become Dagster assets: keys, groups, kinds.

- A dbt source ``<source>.<entity>`` *is* the bronze table ``<lake>/bronze/<source>/<entity>``,
  so it maps to the bronze asset ``["bronze", <source>, <entity>]``: every staging model is
  downstream of the asset that ingests its table.
- A model is ``["dbt", <model>]`` (model names are unique in a dbt project), grouped in the
  UI by its layer (``dbt_staging``, ``dbt_intermediate``, ``dbt_marts``).
- dbt tests become asset checks on their model; ``severity: error`` makes a check blocking,
  ``warn`` a non-blocking one (dagster-dbt's rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

#: Layers of the project (the first folder under models/).
LAYERS = ("staging", "intermediate", "marts")


def model_asset_key(model: str) -> dg.AssetKey:
    """Asset key of a dbt model: ``["dbt", <model>]``."""
    return dg.AssetKey(["dbt", model])


def source_asset_key(source: str, entity: str) -> dg.AssetKey:
    """Asset key of a dbt source: the bronze asset of the same table."""
    return dg.AssetKey(["bronze", source, entity])


def layer_of(props: Mapping[str, Any]) -> str | None:
    """The project layer of a node from its fqn (``["grouplake", "marts", …]``)."""
    fqn = props.get("fqn") or []
    return fqn[1] if len(fqn) > 1 and fqn[1] in LAYERS else None


class GroupLakeDbtTranslator(DagsterDbtTranslator):
    """GroupLake's mapping of dbt nodes to Dagster assets (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return source_asset_key(dbt_resource_props["source_name"], dbt_resource_props["name"])
        return model_asset_key(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        layer = layer_of(dbt_resource_props)
        return f"dbt_{layer}" if layer else "dbt"

    def get_kinds(self, dbt_resource_props: Mapping[str, Any]) -> set[str]:  # type: ignore[override]
        language = dbt_resource_props.get("language", "sql")
        return {"dbt", "duckdb", "python" if language == "python" else "sql"}

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:analytics-engineering"]

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):  # type: ignore[override]
        """dagster-dbt's check, with a description for people when the test has none
        (``meta.description`` wins): what the test asserts, on which column."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        test = manifest.get("nodes", {}).get(unique_id, {})
        return spec._replace(description=describe_test(test, asset_spec.key.path[-1]))


def describe_test(test: Mapping[str, Any], model: str) -> str:
    """A sentence for a dbt data test from its manifest node.

    Example:
        >>> describe_test({"test_metadata": {"name": "not_null", "kwargs": {"column_name": "id"}}}, "orders")
        'Every orders row has a value in id (not null).'
    """
    meta = test.get("test_metadata") or {}
    kind, kwargs = meta.get("name"), meta.get("kwargs") or {}
    column = kwargs.get("column_name") or test.get("column_name")
    severity = (test.get("config") or {}).get("severity", "error").lower()
    blocking = " Blocks publication when it fails." if severity == "error" else " Warns only."
    if kind == "not_null":
        text = f"Every {model} row has a value in {column} (not null)."
    elif kind == "unique":
        text = f"{column} is unique in {model} (one row per value)."
    elif kind == "accepted_values":
        values = ", ".join(str(v) for v in kwargs.get("values") or [])
        text = f"{column} of {model} is one of: {values}."
    elif kind == "relationships":
        target = str(kwargs.get("to", "")).replace("ref('", "").replace("')", "").replace("source(", "")
        text = f"Every {column} of {model} exists as {kwargs.get('field')} in {target} (referential integrity)."
    elif kind:
        args = ", ".join(f"{k}={v}" for k, v in kwargs.items() if k not in ("model", "column_name"))
        text = f"dbt test {kind} on {model}" + (f".{column}" if column else "") + (f" ({args})." if args else ".")
    else:  # a singular test: its SQL file's name says what it checks
        text = f"Singular dbt test {test.get('name', '')} on {model}: returns the offending rows, none expected."
    return text + blocking
