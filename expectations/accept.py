"""Accept the current data as a suite's baseline, after a person reviewed a failure.

Example: new sales rows were quarantined (negative quantity); a steward checked them with
``grouplake sql "select * from gold.dq_sales_quarantine"`` and the ERP team will correct them
at the source. ``grouplake expectations accept sales_quarantine`` records the current
quarantine as accepted, so publication resumes; a later new bad row blocks it again.
"""

from __future__ import annotations

from typing import Any

from expectations.data import suite_data
from expectations.state import write_state
from expectations.suites import get_suite
from infra.settings import Settings, get_settings


def accept_current(suite_name: str, settings: Settings | None = None) -> dict[str, Any]:
    """Record the suite's baseline from the current data, without validating; return it.

    Raises:
        KeyError: no such suite.
    """
    settings = settings or get_settings()
    suite = get_suite(suite_name)
    with suite_data(settings) as data:
        parts = suite.build(data, {})
        state = suite.next_state(parts, {})
        write_state(data.storage, suite.name, state, reason="accepted by a person")
    return state
