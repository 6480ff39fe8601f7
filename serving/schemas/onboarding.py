"""Supplier onboarding cycle time per unit and check outcome."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class OnboardingCycleTimePublic(BaseModel):
    """Submission-to-decision hours of one unit's applications with one outcome of the
    automatic checks (``gold.onboarding_cycle_time_summary``)."""

    business_unit_code: str
    check_outcome: str  # fast_track | failed | not_checked
    applications: int
    decided_applications: int
    approved_applications: int
    rejected_applications: int
    resubmitted_applications: int
    mean_hours_to_decision: float | None = None
    median_hours_to_decision: float | None = None
    max_hours_to_decision: float | None = None
    first_submitted_at: dt.datetime | None = None
    last_decided_at: dt.datetime | None = None
