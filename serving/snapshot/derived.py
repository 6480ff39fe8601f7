"""Tables the snapshot derives from the copied gold tables, shaped for the API's hot paths.

* ``serving.supplier_units`` — (supplier_key, business_unit_code): the units a supplier is in
  (a source record there, spend there, or its main unit on the scorecard). Scoping reads it.
* ``serving.platform_suppliers`` — platform supplier id → supplier_key (a supplier token's
  ``supplier_id`` is the platform id; crosswalk rows with ``source_system = 'platform'``).
* ``serving.erp_vendors`` — ERP vendor id → supplier_key (model outputs name vendors).
* ``serving.metric_definitions`` — every scorecard metric with its group and definition.
  Definitions are the dbt contract's column descriptions of ``supplier_scorecards``
  (``supplier_scorecards_current`` first), carried in from the manifest at build time; the
  snapshot holds them, so the API never reads dbt files.
* ``serving.scorecard_documents`` — each supplier's current scorecard pre-rendered as JSON
  with its ETag (content hash: unchanged scorecards keep their ETag across snapshots). The
  JSON bodies go to the snapshot's ``.documents`` file, one after the other; the table holds
  each body's offset and length. The API maps that file (``mmap``, shared by every worker
  through the page cache) and serves a scorecard without running a query.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from serving.scorecards import (
    METRIC_OF_GROUP,
    encode,
    etag_of,
    metric_columns,
    scorecard_body,
)


def _columns(con: Any, table: str) -> list[str]:
    schema, name = table.split(".")
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
        "AND table_name = ? ORDER BY ordinal_position", [schema, name]).fetchall()]


def _supplier_units(con: Any, present: set[str]) -> None:
    parts = []
    if "supplier_source_records" in present:
        parts.append("SELECT supplier_key, business_unit_code FROM gold.supplier_source_records")
    if "supplier_spend_by_bu" in present:
        parts.append("SELECT supplier_key, business_unit_code FROM gold.supplier_spend_by_bu")
    if "supplier_scorecards" in present:
        parts.append("SELECT supplier_key, main_business_unit_code FROM gold.supplier_scorecards")
    union = " UNION ".join(parts) or "SELECT NULL::VARCHAR, NULL::VARCHAR WHERE false"
    con.execute(f"""
        CREATE TABLE serving.supplier_units AS
        SELECT DISTINCT supplier_key, business_unit_code FROM ({union}) AS u(supplier_key, business_unit_code)
        WHERE supplier_key IS NOT NULL AND business_unit_code IS NOT NULL
        ORDER BY supplier_key, business_unit_code""")
    con.execute("CREATE INDEX ix_supplier_units ON serving.supplier_units (supplier_key)")


def _crosswalks(con: Any, present: set[str]) -> None:
    if "supplier_source_records" not in present:
        return
    con.execute("""
        CREATE TABLE serving.platform_suppliers AS
        SELECT source_record_id AS platform_supplier_id, supplier_key
        FROM gold.supplier_source_records WHERE source_system = 'platform'
        ORDER BY platform_supplier_id""")
    con.execute("""
        CREATE TABLE serving.erp_vendors AS
        SELECT source_record_id AS vendor_id, business_unit_code, supplier_key
        FROM gold.supplier_source_records WHERE source_system = 'erp'
        ORDER BY vendor_id""")
    con.execute("CREATE INDEX ix_erp_vendors ON serving.erp_vendors (vendor_id)")


def metric_definitions(column_docs: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Column → description of the scorecard marts (``supplier_scorecards_current`` wins)."""
    merged: dict[str, str] = {}
    for mart in ("supplier_scorecards", "supplier_scorecards_current"):
        merged.update({c: t for c, t in (column_docs.get(mart) or {}).items() if t})
    return merged


def _metric_definitions(con: Any, columns: list[str], docs: Mapping[str, str]) -> dict[str, str]:
    metrics = metric_columns(columns)
    definitions = {m: docs.get(m) for m in metrics}
    con.execute("CREATE TABLE serving.metric_definitions (position INTEGER, metric VARCHAR, "
                "metric_group VARCHAR, definition VARCHAR, score_definition VARCHAR)")
    rows = [(i, m, METRIC_OF_GROUP.get(m, "other"), docs.get(m), docs.get(f"{m}_score"))
            for i, m in enumerate(metrics)]
    if rows:
        con.executemany("INSERT INTO serving.metric_definitions VALUES (?, ?, ?, ?, ?)", rows)
    return definitions


def _scorecard_documents(con: Any, source: str, definitions: Mapping[str, str],
                         documents_path: Path) -> None:
    import pyarrow as pa

    units: dict[str, list[str]] = {}
    for key, unit in con.execute("SELECT supplier_key, business_unit_code FROM serving.supplier_units "
                                 "ORDER BY supplier_key, business_unit_code").fetchall():
        units.setdefault(key, []).append(unit)
    result = con.execute(f"SELECT * FROM {source} ORDER BY supplier_key")
    names = [d[0] for d in result.description]
    keys, etags, offsets, lengths, unit_lists = [], [], [], [], []
    offset = 0
    with open(documents_path, "wb") as out:
        for values in result.fetchall():
            row = dict(zip(names, values, strict=True))
            key = row["supplier_key"]
            payload = encode(scorecard_body(row, definitions, units.get(key, [])))
            out.write(payload)
            keys.append(key)
            etags.append(etag_of(payload))
            offsets.append(offset)
            lengths.append(len(payload))
            unit_lists.append(units.get(key, []))
            offset += len(payload)
        out.flush()
        os.fsync(out.fileno())
    documents = pa.table({"supplier_key": pa.array(keys, pa.string()),
                          "etag": pa.array(etags, pa.string()),
                          "units": pa.array(unit_lists, pa.list_(pa.string())),
                          "body_offset": pa.array(offsets, pa.int64()),
                          "body_length": pa.array(lengths, pa.int64())})
    con.register("__documents", documents)
    con.execute("CREATE TABLE serving.scorecard_documents AS SELECT * FROM __documents")
    con.unregister("__documents")
    con.execute("CREATE INDEX ix_scorecard_documents ON serving.scorecard_documents (supplier_key)")


def build_derived(con: Any, present: set[str], column_docs: Mapping[str, Mapping[str, str]],
                  documents_path: Path) -> bool:
    """Create the ``serving.*`` tables from the gold tables present in the snapshot.

    Args:
        con: the snapshot being built (writable DuckDB connection).
        present: gold tables copied into it.
        column_docs: column descriptions per mart (dbt manifest).
        documents_path: where the scorecard bodies are written.

    Returns:
        Whether scorecard documents were written (a scorecard mart is present).
    """
    _supplier_units(con, present)
    _crosswalks(con, present)
    docs = metric_definitions(column_docs)
    source = None
    if "supplier_scorecards_current" in present:
        source = "gold.supplier_scorecards_current"
    elif "supplier_scorecards" in present:
        source = "gold.supplier_scorecards"
    if source is None:
        return False
    definitions = _metric_definitions(con, _columns(con, source), docs)
    if source == "gold.supplier_scorecards":  # no current mart: each supplier's latest month
        con.execute("""CREATE TEMP VIEW __latest AS SELECT * FROM gold.supplier_scorecards
                       QUALIFY row_number() OVER (PARTITION BY supplier_key
                                                  ORDER BY scorecard_month DESC) = 1""")
        source = "__latest"
    _scorecard_documents(con, source, definitions, documents_path)
    return True
