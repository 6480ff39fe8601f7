"""``/api/v1/supplier-review-queue``: supplier pairs waiting for a data steward's decision.

Read-only like every serving route (the app never writes): a steward answers a pair with
``grouplake suppliers review decide LEFT RIGHT --must-link|--cannot-link --by NAME``, which
appends to the lake's decision log; the next supplier-master run applies it and the pair
leaves the queue.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from infra.http.pages import Page
from serving.access import ANALYST_ROLES, require_role
from serving.api.common import page_body, reading
from serving.api.deps import ContextDep, PageDep, ViewerDep
from serving.repository import suppliers as repo
from serving.schemas.common import ERRORS
from serving.schemas.suppliers import ReviewPairPublic

router = APIRouter(prefix="/supplier-review-queue", tags=["suppliers"])

QUEUE = "gold.supplier_review_queue"


@router.get("", response_model=Page[ReviewPairPublic], responses=ERRORS, summary="Supplier review queue")
def list_review_queue(context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response) -> dict:
    """Pairs of supplier records whose match probability lies in the uncertain band and that
    nobody has decided yet, most uncertain first. Unit-scoped callers see the pairs touching a
    supplier of their unit. Decide with `grouplake suppliers review decide`."""
    require_role(viewer, ANALYST_ROLES)
    with reading(context, response, QUEUE, "serving.supplier_units") as snapshot:
        return page_body(repo.review_queue(snapshot.cursor(), page, unit=viewer.unit))
