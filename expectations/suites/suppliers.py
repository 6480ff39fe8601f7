"""Suites on the supplier master marts: confidence ranges, merge-rate drift, cluster sizes,
lineage and reconciliation with the sources.

dbt tests own the keys and relationships of ``supplier_master`` / ``supplier_source_records``;
these suites own what dbt cannot say: that the matcher's output is *plausible* and has not
drifted since the last accepted run. A matcher that suddenly merges far more (a rule gone
wrong, a bad source load of look-alike names) or far less (a broken normalisation) than
last time blocks publication, and the gold crosswalk (the next run's ``previous``) keeps its
accepted version until the cause is fixed or a person accepts the new state
(``grouplake expectations accept supplier_source_records``).
"""

from __future__ import annotations

from typing import Any

from expectations.data import SuiteData
from expectations.suite import Part, Suite, drift_bounds, previous_rows

#: Row-count drift tolerated between accepted runs (vendor masters grow; they rarely shrink).
MART_MAX_DROP = 0.2
MART_MAX_GROWTH = 0.5
#: duplicate_share = 1 - golden suppliers / source records. Always within this range ...
DUPLICATE_SHARE_RANGE = (0.0, 0.85)
#: ... and within this absolute distance of the last accepted run's share.
DUPLICATE_SHARE_DRIFT = 0.05
#: Records the matcher placed in a supplier with less than even confidence (average linkage
#: can): at most this share of all records.
LOW_CONFIDENCE = 0.5
LOW_CONFIDENCE_BUDGET = 0.02
#: A golden supplier with more records than this is a runaway merge, not a company.
MAX_MEMBERS = 50
#: Mean records per golden supplier (one per unit that buys from it, plus platform records).
MEMBER_MEAN_RANGE = (1.0, 10.0)

MERGE_RATE_SQL = """
select
    count(*) as source_records,
    count(distinct supplier_key) as golden_suppliers,
    1.0 - count(distinct supplier_key) * 1.0 / greatest(count(*), 1) as duplicate_share,
    count(*) filter (where match_confidence < {low}) * 1.0 / greatest(count(*), 1) as low_confidence_share
from marts.supplier_source_records
"""

#: Source records (ERP vendors, latest approved platform suppliers) missing from the crosswalk.
COVERAGE_SQL = """
with expected as (
    select 'erp' as source_system, vendor_id as source_record_id from staging.stg_erp__vendors
    union
    select 'platform', coalesce(payload ->> '$.supplier_id', supplier_id, aggregate_id)
    from staging.stg_tx__outbox_events
    where event_type = 'supplier.approved'
)
select expected.source_system, expected.source_record_id
from expected
left join marts.supplier_source_records as crosswalk
    on crosswalk.source_system = expected.source_system
    and crosswalk.source_record_id = expected.source_record_id
where crosswalk.record_id is null and expected.source_record_id is not null
"""

#: Golden suppliers whose member count disagrees with the crosswalk, or a golden field
#: without the record it came from.
LINEAGE_SQL = """
with members as (
    select supplier_key, count(*) as records from marts.supplier_source_records group by supplier_key
)
select master.supplier_key,
       case
           when members.records is distinct from master.member_count then 'member_count'
           when master.golden_name is not null and master.name_source_record_id is null then 'name'
           when master.uscc is not null and master.uscc_source_record_id is null then 'uscc'
           when master.city is not null and master.city_source_record_id is null then 'city'
           when master.phone is not null and master.phone_source_record_id is null then 'phone'
           when master.address is not null and master.address_source_record_id is null then 'address'
           when master.bank_account is not null and master.bank_account_source_record_id is null
               then 'bank_account'
           when master.province is not null and master.province_source_record_id is null then 'province'
           when master.industry is not null and master.industry_source_record_id is null then 'industry'
       end as problem
from marts.supplier_master as master
left join members on members.supplier_key = master.supplier_key
where problem is not null
"""


def _gx():
    import great_expectations.expectations as gxe

    return gxe


def _row_count(baseline: dict[str, Any], part: str) -> Any:
    low, high = drift_bounds(previous_rows(baseline, part), max_drop=MART_MAX_DROP, max_growth=MART_MAX_GROWTH)
    return _gx().ExpectTableRowCountToBeBetween(min_value=low, max_value=high)


def duplicate_share_bounds(previous: float | None) -> tuple[float, float]:
    """Accepted ``duplicate_share`` range: the plausible range, narrowed to the last accepted
    share ± :data:`DUPLICATE_SHARE_DRIFT` once there is one.

    Example:
        >>> duplicate_share_bounds(None), duplicate_share_bounds(0.5)
        ((0.0, 0.85), (0.45, 0.55))
    """
    low, high = DUPLICATE_SHARE_RANGE
    if previous is None:
        return low, high
    return max(low, round(previous - DUPLICATE_SHARE_DRIFT, 6)), min(high, round(previous + DUPLICATE_SHARE_DRIFT, 6))


def build_supplier_source_records(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Confidence range, merge-rate drift and low-confidence budget; every source record covered."""
    gxe = _gx()
    records, rows = data.dbt_frame(
        "select record_id, supplier_key, match_confidence, match_evidence from marts.supplier_source_records")
    rate, _ = data.dbt_frame(MERGE_RATE_SQL.format(low=LOW_CONFIDENCE))
    low, high = duplicate_share_bounds(baseline.get("duplicate_share"))
    missing, missing_rows = data.dbt_frame(COVERAGE_SQL)
    return [
        Part("records", records, rows, [
            _row_count(baseline, "records"),
            gxe.ExpectColumnValuesToBeBetween(column="match_confidence", min_value=0, max_value=1),
            gxe.ExpectColumnValuesToNotBeNull(column="match_evidence"),
        ]),
        Part("merge_rate", rate, len(rate), [
            gxe.ExpectColumnValuesToBeBetween(column="duplicate_share", min_value=low, max_value=high),
            gxe.ExpectColumnValuesToBeBetween(column="low_confidence_share", min_value=0,
                                              max_value=LOW_CONFIDENCE_BUDGET),
        ]),
        Part("coverage", missing, missing_rows, [gxe.ExpectTableRowCountToEqual(value=0)]),
    ]


def keep_merge_rate(parts: list[Part], previous: dict[str, Any]) -> dict[str, Any]:
    """Baseline: row counts and the accepted duplicate share."""
    rate = next(p for p in parts if p.name == "merge_rate").frame
    share = float(rate["duplicate_share"].iloc[0]) if len(rate) else None
    return {"rows": {part.name: part.rows for part in parts}, "duplicate_share": share}


def build_supplier_master(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Row-count drift, member-count distribution, lineage of every golden field."""
    gxe = _gx()
    master, rows = data.dbt_frame(
        "select supplier_key, member_count, min_match_confidence from marts.supplier_master")
    problems, problem_rows = data.dbt_frame(LINEAGE_SQL)
    return [
        Part("master", master, rows, [
            _row_count(baseline, "master"),
            gxe.ExpectColumnValuesToBeBetween(column="member_count", min_value=1, max_value=MAX_MEMBERS),
            gxe.ExpectColumnMeanToBeBetween(column="member_count", min_value=MEMBER_MEAN_RANGE[0],
                                            max_value=MEMBER_MEAN_RANGE[1]),
            gxe.ExpectColumnValuesToBeBetween(column="min_match_confidence", min_value=0, max_value=1),
        ]),
        Part("lineage", problems, problem_rows, [gxe.ExpectTableRowCountToEqual(value=0)]),
    ]


SUPPLIER_SOURCE_RECORDS = Suite(
    name="supplier_source_records",
    assets=(("dbt", "supplier_source_records"),),
    description="Supplier crosswalk: match_confidence in [0, 1]; duplicate share (1 - suppliers / records) "
    f"within {DUPLICATE_SHARE_RANGE} and ±{DUPLICATE_SHARE_DRIFT} of the last accepted run; at most "
    f"{LOW_CONFIDENCE_BUDGET:.0%} of records below {LOW_CONFIDENCE} confidence; row-count drift "
    f"(-{MART_MAX_DROP:.0%}/+{MART_MAX_GROWTH:.0%}); every ERP vendor and approved platform supplier present",
    build=build_supplier_source_records,
    next_state=keep_merge_rate,
    reads=(("dbt", "stg_erp__vendors"), ("dbt", "stg_tx__outbox_events")),
)

SUPPLIER_MASTER = Suite(
    name="supplier_master",
    assets=(("dbt", "supplier_master"),),
    description=f"Supplier master: member_count in [1, {MAX_MEMBERS}] with a mean in {MEMBER_MEAN_RANGE}; "
    "min_match_confidence in [0, 1]; member counts reconcile with the crosswalk; every golden field has "
    f"its lineage record; row-count drift (-{MART_MAX_DROP:.0%}/+{MART_MAX_GROWTH:.0%})",
    build=build_supplier_master,
    reads=(("dbt", "supplier_source_records"),),
)

#: The supplier suites, to register in :mod:`expectations.suites` (``MART_SUITES``).
SUPPLIER_SUITES = (SUPPLIER_SOURCE_RECORDS, SUPPLIER_MASTER)

__all__ = ["SUPPLIER_MASTER", "SUPPLIER_SOURCE_RECORDS", "SUPPLIER_SUITES", "duplicate_share_bounds"]
