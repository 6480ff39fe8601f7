"""Column documentation of the served marts, taken from the dbt manifest.

The marts' YAML contracts document every column (for scorecard metrics: the formula). The
snapshot build receives them as ``{mart: {column: description}}`` and stores them in the
snapshot (``serving.column_docs``, ``serving.metric_definitions``): the definitions served
always match the snapshot's data, and the API never reads dbt files. The Delta tables'
own metadata holds only a table description (delta-rs writes no column comments), so the
manifest is the one place with column-level docs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def column_docs(manifest: Mapping[str, Any], marts: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{mart: {column: description}}`` for the model nodes named in ``marts``.

    Args:
        manifest: a parsed dbt ``manifest.json``.
        marts: model names (the gold table names).

    Example:
        >>> column_docs({"nodes": {"model.p.m": {"resource_type": "model", "name": "m",
        ...     "columns": {"x": {"description": "the x"}}}}}, ["m"])
        {'m': {'x': 'the x'}}
    """
    wanted = set(marts)
    docs: dict[str, dict[str, str]] = {}
    for node in (manifest.get("nodes") or {}).values():
        if node.get("resource_type") != "model" or node.get("name") not in wanted:
            continue
        columns = {name: " ".join(str(column.get("description") or "").split())
                   for name, column in (node.get("columns") or {}).items()}
        docs[node["name"]] = {name: text for name, text in columns.items() if text}
    return docs
