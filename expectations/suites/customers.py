"""Suites on the customer marts: ranges, distributions, row-count drift, reconciliation, and
the acceptance of quarantined sales rows.

They read dbt's DuckDB file (read-only) once the dbt models are built, and run as blocking
checks on ``["dbt", "customer_rfm"]`` / ``["dbt", "customer_ltv"]``: a failure keeps the
gold tables at their previous version.
"""

from __future__ import annotations

from typing import Any

from expectations.data import SuiteData
from expectations.suite import Part, Suite, drift_bounds, keep_row_counts, previous_rows

#: Row-count drift tolerated between accepted runs of a mart (customers churn in and out).
MART_MAX_DROP = 0.2
MART_MAX_GROWTH = 0.5
#: No named segment may hold more than this share of the group's customers.
MAX_SEGMENT_SHARE = 0.5
#: Group-wide amounts must reconcile to this many group-currency units (rounding).
AMOUNT_TOLERANCE = 0.01
#: Quarantined sales rows above this share of their table block publication even when new.
QUARANTINE_BUDGET = 0.01


def _gx():
    import great_expectations.expectations as gxe

    return gxe


def _row_count(baseline: dict[str, Any], part: str, rows: int) -> Any:
    gxe = _gx()
    low, high = drift_bounds(previous_rows(baseline, part), max_drop=MART_MAX_DROP, max_growth=MART_MAX_GROWTH)
    return gxe.ExpectTableRowCountToBeBetween(min_value=low, max_value=high)


def _score_ranges(columns: tuple[str, ...]) -> list[Any]:
    gxe = _gx()
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=1, max_value=5) for c in columns]


def build_customer_rfm(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Ranges and drift of the mart, the segment distribution, the group-wide reconciliation."""
    gxe = _gx()
    mart, rows = data.dbt_frame("select * from marts.customer_rfm")
    mart_expectations = [
        _row_count(baseline, "mart", rows),
        gxe.ExpectColumnValuesToBeBetween(column="recency_days", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="frequency", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="monetary_value", min_value=0, strict_min=True),
        gxe.ExpectColumnValuesToBeBetween(column="average_order_value", min_value=0, strict_min=True),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="last_order_date", column_B="first_order_date", or_equal=True),
        gxe.ExpectColumnMeanToBeBetween(column="r_score", min_value=2.0, max_value=4.0),
        gxe.ExpectColumnMeanToBeBetween(column="m_score", min_value=2.0, max_value=4.0),
        *_score_ranges(("r_score", "f_score", "m_score", "fm_score")),
    ]
    segments, _ = data.dbt_frame(
        "select segment, count(*) * 1.0 / sum(count(*)) over () as share "
        "from marts.customer_rfm where scope = 'GROUP' group by segment"
    )
    reconciliation, _ = data.dbt_frame(
        """
        with rfm as (
            select count(*) as customers, sum(monetary_value) as amount, sum(frequency) as orders
            from marts.customer_rfm where scope = 'GROUP'
        ),
        source as (
            select count(distinct customer_id) as customers, sum(order_amount_group) as amount,
                   count(*) as orders
            from intermediate.int_sales_orders__converted
            where order_date <= (select max(as_of_date) from marts.customer_rfm)
        )
        select 'customers' as metric, abs(rfm.customers - source.customers) as abs_difference
        from rfm, source
        union all select 'orders', abs(rfm.orders - source.orders) from rfm, source
        union all select 'amount', abs(rfm.amount - source.amount) from rfm, source
        """
    )
    return [
        Part("mart", mart, rows, mart_expectations),
        Part("segments", segments, len(segments), [
            gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=MAX_SEGMENT_SHARE),
            gxe.ExpectColumnUniqueValueCountToBeBetween(column="segment", min_value=4),
        ]),
        Part("reconciliation", reconciliation, len(reconciliation), [
            gxe.ExpectColumnValuesToBeBetween(column="abs_difference", min_value=0, max_value=AMOUNT_TOLERANCE),
            gxe.ExpectTableRowCountToEqual(value=3),
        ]),
    ]


def build_customer_ltv(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Ranges and drift of the mart; every RFM customer is valued (coverage)."""
    gxe = _gx()
    mart, rows = data.dbt_frame("select * from marts.customer_ltv")
    numeric = ("p_alive", "expected_purchases", "expected_avg_spend", "clv", "average_repeat_spend")
    mart_expectations = [
        _row_count(baseline, "mart", rows),
        gxe.ExpectColumnValuesToBeBetween(column="p_alive", min_value=0, max_value=1),
        gxe.ExpectColumnMeanToBeBetween(column="p_alive", min_value=0.05, max_value=0.99),
        *[gxe.ExpectColumnValuesToNotBeNull(column=c) for c in numeric],
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in numeric if c != "p_alive"],
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="customer_age_days", column_B="repeat_recency_days", or_equal=True),
    ]
    missing, _ = data.dbt_frame(
        """
        select rfm.scope, rfm.customer_id
        from marts.customer_rfm as rfm
        left join marts.customer_ltv as ltv
            on rfm.scope = ltv.scope and rfm.customer_id = ltv.customer_id
        where rfm.scope = 'GROUP' and ltv.customer_id is null
        """
    )
    return [
        Part("mart", mart, rows, mart_expectations),
        Part("coverage", missing, len(missing), [gxe.ExpectTableRowCountToEqual(value=0)]),
    ]


def build_sales_quarantine(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Quarantined sales rows: all accepted at the last passing run, and within budget."""
    gxe = _gx()
    rows_frame, rows = data.dbt_frame(
        "select quarantine_record_id, quarantine_reason, detail from marts.dq_sales_quarantine"
    )
    accepted = baseline.get("accepted")
    row_expectations: list[Any] = []
    if accepted is not None:
        row_expectations.append(gxe.ExpectColumnValuesToBeInSet(
            column="quarantine_record_id", value_set=sorted(accepted) or ["(none accepted)"]))
    rates, _ = data.dbt_frame(
        """
        select 'sales_order' as record_type,
               count(*) filter (where is_quarantined) * 1.0 / greatest(count(*), 1) as share
        from intermediate.int_sales_orders__screened
        union all
        select 'sales_order_line',
               count(*) filter (where is_quarantined) * 1.0 / greatest(count(*), 1)
        from intermediate.int_sales_order_lines__screened
        """
    )
    return [
        Part("rows", rows_frame, rows, row_expectations or [
            gxe.ExpectColumnValuesToNotBeNull(column="quarantine_reason")]),
        Part("budget", rates, len(rates), [
            gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=QUARANTINE_BUDGET)]),
    ]


def accept_quarantined(parts: list[Part], previous: dict[str, Any]) -> dict[str, Any]:
    """Baseline of the quarantine suite: the quarantined rows now accepted."""
    rows = next(p for p in parts if p.name == "rows")
    return {"accepted": sorted(rows.frame["quarantine_record_id"].astype(str).tolist())}


CUSTOMER_RFM = Suite(
    name="customer_rfm",
    assets=(("dbt", "customer_rfm"),),
    description="RFM mart: score and value ranges, recency/monetary score means, segment shares "
    f"≤ {MAX_SEGMENT_SHARE:.0%}, row-count drift (-{MART_MAX_DROP:.0%}/+{MART_MAX_GROWTH:.0%} vs the "
    "last accepted run), group-wide customers/orders/amount reconcile with the converted orders",
    build=build_customer_rfm,
    reads=(("dbt", "int_sales_orders__converted"),),
)

CUSTOMER_LTV = Suite(
    name="customer_ltv",
    assets=(("dbt", "customer_ltv"),),
    description="LTV mart: p_alive in [0, 1] with a plausible mean, no null/NaN or negative value, "
    "age ≥ recency, row-count drift vs the last accepted run, every RFM customer valued",
    build=build_customer_ltv,
    reads=(("dbt", "customer_rfm"),),
)

#: The quarantine acceptance suite, checked on both customer marts.
SALES_QUARANTINE = Suite(
    name="sales_quarantine",
    assets=(("dbt", "customer_rfm"), ("dbt", "customer_ltv")),
    description="Every sales row quarantined upstream (dq_sales_quarantine) was already quarantined "
    "at the last accepted run, and quarantined rows stay within "
    f"{QUARANTINE_BUDGET:.0%} of their table; new bad rows block publication until fixed or accepted "
    "(grouplake expectations accept sales_quarantine)",
    build=build_sales_quarantine,
    next_state=accept_quarantined,
    reads=(("dbt", "dq_sales_quarantine"), ("dbt", "int_sales_orders__screened"),
           ("dbt", "int_sales_order_lines__screened")),
)

__all__ = ["CUSTOMER_LTV", "CUSTOMER_RFM", "SALES_QUARANTINE", "keep_row_counts"]
