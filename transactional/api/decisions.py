"""``/decisions``: which version of each lake decision snapshot the service holds, and its age."""

from __future__ import annotations

from fastapi import APIRouter

from transactional.api.deps import ContextDep, CurrentUser
from transactional.core.inbound import snapshots_in_force
from transactional.db.types import utcnow
from transactional.domain.principal import Role
from transactional.schemas.common import ERRORS
from transactional.schemas.decisions import DecisionSnapshotPublic

router = APIRouter(prefix="/decisions", tags=["decisions"], responses=ERRORS)


@router.get("")
def list_decisions(context: ContextDep, user: CurrentUser) -> list[DecisionSnapshotPublic]:
    """Each decision kind's version in force (admins, procurement, finance): its content
    hash, where it came from, when the lake produced it and how old it is now. While the
    lake is down the last applied version stays in force and its age grows."""
    user.require(Role.ADMIN, Role.PROCUREMENT, Role.FINANCE)
    now = utcnow()
    with context.db.read() as session:
        return [DecisionSnapshotPublic(**{**s.__dict__, "age_seconds": round(s.age(now).total_seconds(), 1)})
                for s in snapshots_in_force(session)]
