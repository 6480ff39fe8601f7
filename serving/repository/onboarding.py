"""Supplier onboarding cycle time (``gold.onboarding_cycle_time_summary``)."""

from __future__ import annotations

from typing import Any

from infra.http.pages import Page, PageRequest
from serving.repository.paging import Where, fetch_page


def cycle_times(cursor: Any, page: PageRequest, *, unit: str | None,
                check_outcome: str | None) -> Page:
    """Rows per (unit, check outcome), ordered by unit then outcome."""
    where = (Where().add_if(unit, "business_unit_code = ?")
             .add_if(check_outcome, "check_outcome = ?"))
    return fetch_page(cursor, f"SELECT * FROM gold.onboarding_cycle_time_summary{where.sql}",
                      where.params, "business_unit_code, check_outcome", page)
