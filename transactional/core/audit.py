"""The audit log: one append-only row per privileged change, in the same transaction.

"Privileged" means anything that changes who may do what or what the platform sells:
users, API keys, business units, suppliers, categories, SKUs, offers, warehouses, stock
adjustments, and order status changes made by staff; also logins (success and failure),
logouts and refused requests. The table refuses UPDATE and DELETE (database triggers), so
the log cannot be rewritten by the service itself, and each row is chained to the previous
by SHA-256 (``core/audit_chain.py``), so a rewrite that bypasses the triggers shows in
``grouplake audit verify``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from transactional.core import audit_chain
from transactional.core.jsonable import jsonable
from transactional.db.tables.core import audit_log
from transactional.db.types import utcnow
from transactional.domain.principal import Principal

_INSERT = insert(audit_log)


def record(
    session: Session,
    actor: Principal,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    business_unit: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one audit row in the caller's transaction.

    Args:
        session: the transaction making the change.
        actor: who made it.
        action: ``<object>.<verb>``, e.g. ``"user.create"``, ``"stock.adjust"``.
        object_type: e.g. ``"user"``; ``object_id`` its id.
        business_unit: the unit concerned, if any.
        details: JSON-ready facts (never secrets or password hashes).
    """
    _append(session, {
        "occurred_at": utcnow(),
        "actor_user_id": actor.user_id,
        "actor_role": actor.role.value,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "business_unit": business_unit,
        "details": jsonable(dict(details or {})),
    })


def _append(session: Session, row: dict[str, Any]) -> None:
    """Insert one row chained onto the log's head (``core/audit_chain.py``)."""
    row["occurred_at"] = row["occurred_at"].astimezone(dt.UTC)
    row["details"] = json.loads(json.dumps(row["details"], allow_nan=False))  # as stored
    audit_chain.lock_for_append(session)
    prev = audit_chain.head(session)
    row["prev_hash"] = prev
    row["row_hash"] = audit_chain.row_hash(row, prev)
    session.connection().execute(_INSERT, row)


def record_login(session: Session, username: str, user: Any, ok: bool,
                 client: str | None) -> None:
    """Audit a login attempt: ``auth.login`` or ``auth.login_failed``.

    Args:
        username: as typed (kept to 64 characters); never the password.
        user: the ``users`` row of that name (or its state), None when there is none; a
            failure for an unknown name is recorded against user id 0, role ``anonymous``.
        client: the caller's address, when known.
    """
    _append(session, {
        "occurred_at": utcnow(),
        "actor_user_id": user.user_id if user is not None else 0,
        "actor_role": user.role if user is not None else "anonymous",
        "action": "auth.login" if ok else "auth.login_failed",
        "object_type": "user",
        "object_id": str(user.user_id) if user is not None else "-",
        "business_unit": user.business_unit if user is not None else None,
        "details": {"username": username[:64], "client": client},
    })


def record_denial(db: Any, actor: Principal, method: str, path: str, code: str,
                  message: str, details: Any = None) -> None:
    """Audit a refused request (HTTP 403) in its own transaction.

    The refused request's transaction is rolled back, so the denial is written on its own:
    ``access.denied`` with the route, the error code (``forbidden``,
    ``separation_of_duties`` …) and its message.

    Args:
        db: a :class:`transactional.db.database.Database`.
    """
    action = details.get("action") if isinstance(details, Mapping) else None
    db.run_write(lambda session: record(
        session, actor, "access.denied", "request", (action or f"{method} {path}")[:64],
        business_unit=actor.business_unit,
        details={"method": method, "path": path, "code": code, "message": message}))
