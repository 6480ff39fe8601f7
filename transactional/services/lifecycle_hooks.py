"""Side effects of order transitions, by the names ``domain/status.TRANSITIONS`` gives them.

A hook runs inside the transition's transaction, after the status and stock change, with
the order row as it was *before* the change; what it returns goes into the transition's
outbox event under ``effects``. Adding a side effect to a transition is one name in the
status table and one entry here.

==========================  ==================================================
``approval.decide``         close the pending approval (approve / reject / …)
``payment.capture``         record the payment (an offline one, for ``pay``)
``payment.refund_on_cancel`` refund in full what a cancelled order had paid
``ledger.delivery``         post the delivery (deposit → goods to settle)
``rebates.accrue``          accrue the dealer's tiered rebates on the order
==========================  ==================================================
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from transactional.domain.principal import Principal
from transactional.domain.status import Transition

#: hook name -> "module:function"; functions take
#: ``(session, actor, order_row, action, reason, now)`` and return JSON-ready facts or None.
HOOKS: dict[str, str] = {
    "approval.decide": "transactional.services.approvals:decide_hook",
    "payment.capture": "transactional.services.payments:capture_hook",
    "payment.refund_on_cancel": "transactional.services.refunds:refund_on_cancel_hook",
    "ledger.delivery": "transactional.services.rebates:delivery_hook",
    "rebates.accrue": "transactional.services.rebates:accrue_hook",
}
_RESOLVED: dict[str, Callable[..., Any]] = {}


def _resolve(name: str) -> Callable[..., Any]:
    if name not in _RESOLVED:
        module, function = HOOKS[name].split(":")
        _RESOLVED[name] = getattr(importlib.import_module(module), function)
    return _RESOLVED[name]


def run(session: Session, actor: Principal, transition: Transition, order: Any,
        reason: str | None, now: dt.datetime) -> dict[str, Any]:
    """Run a transition's hooks in order; returns ``{hook name: result}`` (None dropped)."""
    effects = {}
    for name in transition.hooks:
        result = _resolve(name)(session, actor, order, transition.action, reason, now)
        if result is not None:
            effects[name] = result
    return effects
