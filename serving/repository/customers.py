"""Customer RFM segments and lifetime value (``gold.customer_rfm``, ``gold.customer_ltv``)."""

from __future__ import annotations

from typing import Any

from infra.http.pages import Page, PageRequest
from serving.repository.paging import Where, fetch_page, rows

RFM_COLUMNS = (
    "scope, scope_type, customer_id, customer_name, customer_type, customer_tier, as_of_date, "
    "first_order_date, last_order_date, recency_days, frequency, monetary_value, "
    "average_order_value, currency, r_score, f_score, m_score, fm_score, rfm_cell, segment, "
    "customers_in_scope"
)
LTV_COLUMNS = (
    "scope, scope_type, customer_id, customer_name, customer_type, as_of_date, fitted_on, "
    "repeat_purchase_days, repeat_recency_days, customer_age_days, average_repeat_spend, "
    "p_alive, expected_purchases, expected_avg_spend, clv, currency, horizon_months, "
    "discount_rate_monthly, model, fallback_used"
)


def segments(cursor: Any, page: PageRequest, *, scope: str | None, segment: str | None = None,
             customer_type: str | None = None) -> Page:
    """RFM rows, biggest spenders first.

    Args:
        cursor: a snapshot cursor.
        page: which rows.
        scope: a business unit code or ``GROUP``; ``None``: every scope.
        segment: e.g. ``champions``.
        customer_type: ``dealer``, ``key_account`` or ``internal``.
    """
    where = (Where().add_if(scope, "scope = ?").add_if(segment, "segment = ?")
             .add_if(customer_type, "customer_type = ?"))
    return fetch_page(cursor, f"SELECT {RFM_COLUMNS} FROM gold.customer_rfm{where.sql}",
                      where.params, "monetary_value DESC, scope, customer_id", page)


def segment_summary(cursor: Any, *, scope: str | None) -> list[dict[str, Any]]:
    """Customers and spend per scope and segment."""
    where = Where().add_if(scope, "scope = ?")
    return rows(cursor, f"""
        SELECT scope, segment, count(*) AS customers, sum(monetary_value) AS monetary_value,
               any_value(currency) AS currency
        FROM gold.customer_rfm{where.sql}
        GROUP BY scope, segment ORDER BY scope, customers DESC, segment""", where.params)


def lifetime_values(cursor: Any, page: PageRequest, *, scope: str | None,
                    customer_type: str | None = None) -> Page:
    """LTV rows, most valuable first."""
    where = Where().add_if(scope, "scope = ?").add_if(customer_type, "customer_type = ?")
    return fetch_page(cursor, f"SELECT {LTV_COLUMNS} FROM gold.customer_ltv{where.sql}",
                      where.params, "clv DESC, scope, customer_id", page)


def customer(cursor: Any, customer_id: str, *, scope: str | None,
             with_ltv: bool) -> dict[str, list[dict[str, Any]]]:
    """One customer's RFM (and LTV) rows in the visible scopes."""
    where = Where().add("customer_id = ?", customer_id).add_if(scope, "scope = ?")
    found = {"rfm": rows(cursor, f"SELECT {RFM_COLUMNS} FROM gold.customer_rfm{where.sql} "
                                 "ORDER BY scope_type DESC, scope", where.params)}
    found["ltv"] = rows(cursor, f"SELECT {LTV_COLUMNS} FROM gold.customer_ltv{where.sql} "
                                "ORDER BY scope_type DESC, scope", where.params) if with_ltv else []
    return found
