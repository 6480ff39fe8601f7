"""Separation of duties: the role × action matrix of controlled decisions, written here
independently of ``core/policy.py`` and compared cell by cell, and maker ≠ checker."""

from __future__ import annotations

import pytest

from transactional.core.policy import (
    CHECKER_ACTIONS,
    PERMISSIONS,
    Action,
    authorize,
    require_checker,
)
from transactional.domain.errors import ForbiddenError
from transactional.domain.principal import SYSTEM, Principal, Role
from transactional.domain.status import TRANSITIONS

B, S, P, F, A = "buyer", "supplier", "procurement", "finance", "admin"
#: action -> the roles that may take it (every other role: 403)
EXPECTED: dict[str, set[str]] = {
    "order.approve": {P, A},
    "order.reject": {P, A},
    "order.risk_review": {P, F, A},
    "approval_limit.request": {P, A},
    "approval_limit.confirm": {P, F, A},
    "supplier_application.submit": {P, A},
    "supplier_application.review": {P, A},
    "statement.issue": {F, A},
    "statement.correct": {F, A},
    "sourcing_award.propose": {P, A},
    "sourcing_award.approve": {P, F, A},
    "contract.create": {P, A},
    "contract.approve": {P, A},
}
#: decisions that check someone else's work (the maker may not take them)
CHECKERS = {"order.approve", "order.reject", "order.risk_review", "approval_limit.confirm",
            "supplier_application.review", "statement.correct", "sourcing_award.approve",
            "contract.approve"}


def _user(role: Role, user_id: int = 7) -> Principal:
    return Principal(user_id, role, None if role is Role.SUPPLIER else "COAL",
                     "SUP-1" if role is Role.SUPPLIER else None)


def test_the_policy_lists_exactly_the_written_actions() -> None:
    assert {a.value for a in Action} == set(EXPECTED)
    assert {a.value for a in CHECKER_ACTIONS} == CHECKERS


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_every_role_and_action(role: Role, action: str) -> None:
    actor = _user(role)
    if role.value in EXPECTED[action]:
        authorize(actor, Action(action))
        require_checker(actor, Action(action), maker_user_id=99, maker_role="buyer")
        return
    with pytest.raises(ForbiddenError) as refused:
        authorize(actor, Action(action))
    assert refused.value.code == "forbidden"
    assert refused.value.details == {"action": action,
                                     "allowed_roles": sorted(EXPECTED[action])}


@pytest.mark.parametrize("action", sorted(CHECKERS))
def test_a_maker_never_checks_their_own_work(action: str) -> None:
    role = Role(min(EXPECTED[action]))
    with pytest.raises(ForbiddenError) as refused:
        require_checker(_user(role, 7), Action(action), maker_user_id=7)
    assert refused.value.code == "separation_of_duties"
    require_checker(_user(role, 8), Action(action), maker_user_id=7)


def test_a_limit_change_needs_another_role_too() -> None:
    with pytest.raises(ForbiddenError, match="another role than 'procurement'"):
        require_checker(_user(Role.PROCUREMENT, 8), Action.LIMIT_CONFIRM, 7, "procurement")
    require_checker(_user(Role.FINANCE, 8), Action.LIMIT_CONFIRM, 7, "procurement")
    require_checker(_user(Role.ADMIN, 8), Action.LIMIT_CONFIRM, 7, "procurement")


def test_only_the_trusted_local_principal_checks_its_own_seed_work() -> None:
    require_checker(SYSTEM, Action.APPLICATION_REVIEW, maker_user_id=0)
    with pytest.raises(ForbiddenError):
        require_checker(_user(Role.ADMIN, 0 + 5), Action.APPLICATION_REVIEW, maker_user_id=5)


def test_order_decisions_agree_with_the_state_machine() -> None:
    for action in ("approve", "reject"):
        assert TRANSITIONS[action].roles == PERMISSIONS[Action(f"order.{action}")]
