"""Who is calling: roles, the authenticated principal, and the scope rules on it.

Scope model (the same for every resource):

* ``admin`` without a business unit is a group administrator and sees everything; an
  ``admin`` with a business unit administers that unit only.
* ``buyer`` sees the orders they placed; ``procurement`` and ``finance`` see every order of
  their business unit; ``supplier`` sees what belongs to its ``supplier_id``.
* A role that may not use an operation at all gets :class:`ForbiddenError` (HTTP 403).
  An object outside the caller's scope is :class:`NotFoundError` (HTTP 404), exactly as if
  it did not exist, so ids of other units and suppliers cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from transactional.domain.errors import ForbiddenError, NotFoundError


class Role(StrEnum):
    """The five platform roles."""

    BUYER = "buyer"
    SUPPLIER = "supplier"
    PROCUREMENT = "procurement"
    FINANCE = "finance"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller (from a token, an API key, or a trusted local command)."""

    user_id: int
    role: Role
    business_unit: str | None
    supplier_id: str | None = None
    username: str | None = None

    @property
    def is_group_admin(self) -> bool:
        """An admin not bound to a business unit."""
        return self.role is Role.ADMIN and self.business_unit is None

    def require(self, *roles: Role) -> None:
        """Refuse (403) unless the caller has one of ``roles``.

        Raises:
            ForbiddenError: with the allowed roles in ``details``.
        """
        if self.role not in roles:
            allowed = sorted(r.value for r in roles)
            raise ForbiddenError(
                f"role {self.role.value!r} may not do this; allowed: {', '.join(allowed)}",
                details={"allowed_roles": allowed},
            )

    def can_see_business_unit(self, business_unit: str | None) -> bool:
        """Whether an object of ``business_unit`` is inside the caller's unit scope."""
        if self.is_group_admin:
            return True
        return business_unit is not None and business_unit == self.business_unit

    def can_see_supplier(self, supplier_id: str | None) -> bool:
        """Whether an object owned by ``supplier_id`` is inside a supplier's scope."""
        if self.role is Role.SUPPLIER:
            return supplier_id is not None and supplier_id == self.supplier_id
        return True


def not_found(kind: str, object_id: object) -> NotFoundError:
    """The one message used for both "absent" and "not yours"."""
    return NotFoundError(f"{kind} {object_id} not found", details={"kind": kind, "id": object_id})


#: Principal used by trusted local commands (CLI, seed loader): a group admin, user id 0.
SYSTEM = Principal(user_id=0, role=Role.ADMIN, business_unit=None, username="system")
