"""``/api/v1/onboarding``: supplier onboarding cycle time per unit and check outcome."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from infra.http.pages import Page
from serving.access import require_role, unit_filter
from serving.api.common import page_body, reading
from serving.api.deps import ContextDep, PageDep, ViewerDep
from serving.repository import onboarding as repo
from serving.schemas.common import ERRORS
from serving.schemas.onboarding import OnboardingCycleTimePublic

router = APIRouter(prefix="/onboarding", tags=["onboarding"])
#: who reads onboarding figures: the units' procurement and admins
ONBOARDING_ROLES = frozenset({"procurement", "admin"})


@router.get("/cycle-times", response_model=Page[OnboardingCycleTimePublic], responses=ERRORS,
            summary="Onboarding cycle time per unit and check outcome")
def list_cycle_times(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    business_unit: Annotated[str | None, Query(
        description="Unit-scoped callers see theirs only")] = None,
    check_outcome: Annotated[Literal["fast_track", "failed", "not_checked"] | None,
                             Query()] = None,
) -> dict:
    """Supplier applications from submission to decision (hours: mean, median, max), per
    applying unit and outcome of the automatic checks in force at the decision; how many
    were resubmitted after failed checks. Procurement and admins; units see their own."""
    require_role(viewer, ONBOARDING_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.onboarding_cycle_time_summary") as snapshot:
        return page_body(repo.cycle_times(snapshot.cursor(), page, unit=unit,
                                          check_outcome=check_outcome))
