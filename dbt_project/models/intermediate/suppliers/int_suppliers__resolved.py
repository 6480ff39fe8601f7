"""Golden suppliers: every supplier record resolved to one company (dbt Python model).

Calls the tested matching library ``models.entity_resolution.resolve_suppliers`` once per
run on ``int_suppliers__source_records`` (ERP vendors of every unit + the platform's approved
suppliers). Keys stay stable across runs: the library is given the last *published*
crosswalk, ``<lake>/gold/supplier_source_records`` (``record_id, supplier_key,
group_supplier_id``), read from the lake with deltalake because gold lives outside dbt's
DuckDB file; on a first run there is none and keys come from the clusters' anchors (valid
credit code, else the earliest record). The crosswalk is read, never declared as a dbt
dependency: the gold table is *downstream* of this model (published behind its checks).

The data steward's decisions (must-link / cannot-link, ``<lake>/steward/supplier_match_decisions``,
written by ``grouplake suppliers review decide``) are read the same way and applied by the
library as clustering constraints and training labels. Each record also names its most
uncertain undecided partner in the review band (``review_record_id``,
``review_probability``), from which the mart ``supplier_review_queue`` is built.

Output: one row per source record, with its match (``supplier_key``, confidence, evidence,
the record that linked it) and its golden supplier's fields and field lineage
(``golden_*``, ``*_source_record_id``); the marts split it into ``supplier_source_records``
and ``supplier_master``.
"""

import pandas as pd

#: The matcher's input columns, from int_suppliers__source_records.
INPUT_COLUMNS = {
    "record_id": "record_id", "recorded_name": "name", "uscc": "uscc", "city": "city",
    "phone": "phone", "address": "address", "bank_account": "bank_account",
    "business_unit_code": "business_unit", "source_system": "source_system",
    "source_updated_at": "updated_at",
}
#: The crosswalk columns a previous run hands on (the published supplier_source_records).
PREVIOUS_COLUMNS = ["record_id", "supplier_key", "group_supplier_id"]
#: Golden columns carried onto every record (library name -> output name).
GOLDEN_COLUMNS = {
    "golden_name": "golden_name", "uscc": "golden_uscc", "city": "golden_city",
    "phone": "golden_phone", "address": "golden_address", "bank_account": "golden_bank_account",
    "member_count": "member_count", "founding_record_id": "founding_record_id",
    "name_source_record_id": "name_source_record_id",
    "uscc_source_record_id": "uscc_source_record_id",
    "city_source_record_id": "city_source_record_id",
    "phone_source_record_id": "phone_source_record_id",
    "address_source_record_id": "address_source_record_id",
    "bank_account_source_record_id": "bank_account_source_record_id",
}
RECORD_COLUMNS = ["record_id", "supplier_key", "group_supplier_id", "match_confidence",
                  "match_evidence", "linked_record_id", "uscc_status"]
REVIEW_COLUMNS = ["review_record_id", "review_probability"]
OUTPUT_COLUMNS = RECORD_COLUMNS + list(GOLDEN_COLUMNS.values()) + REVIEW_COLUMNS
CROSSWALK = "gold/supplier_source_records"
DECISIONS = "steward/supplier_match_decisions"
#: the review band and queue size (settings.suppliers.review_*; defaults for direct calls)
REVIEW_BAND = (0.35, 0.65, 500)


def matcher_input(records):
    """The library's input frame: strings, "" for missing, ISO-8601 UTC ``updated_at``."""
    frame = pd.DataFrame(index=records.index)
    for column, name in INPUT_COLUMNS.items():
        values = records[column]
        if column == "source_updated_at":
            stamps = pd.to_datetime(values, utc=True)
            values = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").where(stamps.notna(), "")
        frame[name] = values.astype("object").where(values.notna(), "").astype(str)
    return frame.reset_index(drop=True)


def read_previous(lake_root, storage_options=None):
    """The last published crosswalk (``PREVIOUS_COLUMNS``), or ``None`` before the first publication."""
    from lake.storage import LakeStorage
    from lake.tables import open_table, read_columns

    table = open_table(LakeStorage(lake_root, dict(storage_options or {})), CROSSWALK)
    if table is None:
        return None
    previous = read_columns(table, PREVIOUS_COLUMNS).to_pandas()
    return previous.astype(str)


def read_decisions(lake_root, storage_options=None):
    """The steward's decision log (``models.entity_resolution.review``), empty before the first."""
    from lake.storage import LakeStorage
    from models.entity_resolution.steward_store import read_decisions as read_log

    return read_log(LakeStorage(lake_root, dict(storage_options or {})), DECISIONS)


def resolve(records, previous=None, group_code="GL", match_model=None, decisions=None,
            review_band=REVIEW_BAND):
    """One row per record of ``records`` (``int_suppliers__source_records``): its match and
    its golden supplier (``OUTPUT_COLUMNS``), sorted by ``record_id``.

    ``match_model``: a fitted match model (tests); by default the library fits one on this input.
    ``decisions``: the steward's decision log; ``review_band``: (low, high, limit) of the queue.
    """
    from models.entity_resolution import resolve_suppliers

    if records.empty:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in OUTPUT_COLUMNS})
    result = resolve_suppliers(matcher_input(records), previous=previous, group_code=group_code,
                               model=match_model, decisions=decisions)
    golden = result.golden[["supplier_key", *GOLDEN_COLUMNS]].rename(columns=GOLDEN_COLUMNS)
    out = result.source_records[RECORD_COLUMNS].merge(
        golden, on="supplier_key", how="left", validate="many_to_one")
    text = [c for c in OUTPUT_COLUMNS if c not in ("match_confidence", "member_count", *REVIEW_COLUMNS)]
    out[text] = out[text].replace("", None)
    out["match_confidence"] = out["match_confidence"].astype("float64").clip(0.0, 1.0)
    out["member_count"] = out["member_count"].astype("int64")
    low, high, limit = review_band
    queue = result.review_queue(low=low, high=high, limit=limit, decisions=decisions)
    first = queue.drop_duplicates("left_record_id").set_index("left_record_id")  # most uncertain first
    out["review_record_id"] = out["record_id"].map(first["right_record_id"]).astype("object")
    out["review_probability"] = out["record_id"].map(first["probability"]).astype("float64")
    out["review_record_id"] = out["review_record_id"].where(out["review_record_id"].notna(), None)
    return out[OUTPUT_COLUMNS].sort_values("record_id", ignore_index=True)


def _storage_options(lake_root):
    if "://" not in lake_root or lake_root.startswith("file://"):
        return None
    from infra.settings import get_settings  # credentials of a remote lake live in the settings

    return dict(get_settings().lake.storage_options)


def _review_band():
    from infra.settings import get_settings

    cfg = get_settings().suppliers
    return cfg.review_low, cfg.review_high, cfg.review_limit


def model(dbt, session):
    dbt.config(materialized="table")
    group_code = str(dbt.config.get("group_code") or "GL")
    lake_root = str(dbt.config.get("lake_root") or "")
    records = dbt.ref("int_suppliers__source_records").df()
    options = _storage_options(lake_root) if lake_root else None
    previous = read_previous(lake_root, options) if lake_root else None
    decisions = read_decisions(lake_root, options) if lake_root else None
    return resolve(records, previous, group_code, decisions=decisions, review_band=_review_band())
