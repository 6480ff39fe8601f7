"""Who may read what on the serving API (no FastAPI here: the rules are plain functions).

Rules (DESIGN.md "Identity across the two APIs"; tested on a hand-made snapshot in
``tests/serving/test_api_access.py`` and on the demo's marts in
``tests/dbt/test_serving_on_demo.py``):

* **admin** — group-wide, whatever unit the token names.
* **procurement**, **finance** — their token's business unit; a token without a unit is
  group-wide. A supplier is *in* a unit when one of its source records belongs to it (the
  crosswalk ``gold.supplier_source_records``), it has spend there, or the unit is its main
  unit on the scorecard. Lists are filtered to the unit; naming another unit in a filter
  is refused (403 ``out_of_scope``); a supplier (or warehouse) outside the unit answers
  404 like an unknown one. Inside a supplier's 360, spend, price and source records of
  other units are left out.
* **supplier** — only its own scorecard (current and history) and the metric definitions
  that explain it. Its token's ``supplier_id`` is the platform supplier id; the crosswalk
  (``source_system = 'platform'``) maps it to the golden ``supplier_key``. Any other
  supplier's scorecard answers 404; every other route 403.
* **buyer** — no access (403): the serving API is procurement's window.
"""

from __future__ import annotations

from dataclasses import dataclass

from serving.errors import ForbiddenError, OutOfScopeError

#: roles that read the marts, scoped to their business unit.
ANALYST_ROLES = frozenset({"procurement", "finance", "admin"})
#: roles that may read scorecards (suppliers: only their own).
SCORECARD_ROLES = ANALYST_ROLES | {"supplier"}
#: the scope value of group-wide rows (customer RFM / LTV).
GROUP_SCOPE = "GROUP"


@dataclass(frozen=True)
class Viewer:
    """The verified caller.

    Attributes:
        sub: the token's subject.
        role: one of ``infra.tokens.ROLES``.
        business_unit: the token's unit (``None``: group-wide).
        supplier_id: the platform supplier id (suppliers only).
    """

    sub: str
    role: str
    business_unit: str | None = None
    supplier_id: str | None = None

    @property
    def group_wide(self) -> bool:
        """True when the caller sees every business unit."""
        return self.role == "admin" or (self.role in ANALYST_ROLES and self.business_unit is None)

    @property
    def unit(self) -> str | None:
        """The one unit the caller is limited to, or ``None`` when group-wide."""
        return None if self.group_wide else self.business_unit


def require_role(viewer: Viewer, allowed: frozenset[str]) -> None:
    """Refuse a role that may never use the route.

    Raises:
        ForbiddenError: ``viewer.role`` is not in ``allowed``.
    """
    if viewer.role not in allowed:
        raise ForbiddenError(f"role {viewer.role!r} may not use this route")


def unit_filter(viewer: Viewer, requested: str | None) -> str | None:
    """The business unit a list is filtered to.

    Args:
        viewer: the caller (an analyst role).
        requested: the ``business_unit`` query parameter, if any.

    Returns:
        ``requested`` for a group-wide caller (``None``: every unit); the caller's own unit
        otherwise.

    Raises:
        OutOfScopeError: a unit-scoped caller asked for another unit.

    Example:
        >>> unit_filter(Viewer("1", "procurement", "COAL"), None)
        'COAL'
    """
    if viewer.group_wide:
        return requested
    if requested is not None and requested != viewer.unit:
        raise OutOfScopeError(f"business unit {requested!r} is outside your scope ({viewer.unit})")
    return viewer.unit


def may_see_supplier(viewer: Viewer, supplier_units: frozenset[str], own_key: str | None,
                     supplier_key: str) -> bool:
    """Whether ``viewer`` may read supplier ``supplier_key``'s scorecard.

    Args:
        viewer: the caller.
        supplier_units: business units the supplier is in.
        own_key: for a supplier caller, its golden key (``None`` when unlinked).
        supplier_key: the supplier asked for.
    """
    if viewer.role == "supplier":
        return own_key is not None and own_key == supplier_key
    if viewer.role not in ANALYST_ROLES:
        return False
    return viewer.group_wide or viewer.unit in supplier_units


def customer_scopes(viewer: Viewer, requested: str | None) -> str | None:
    """The RFM / LTV ``scope`` a customer list is limited to (``None``: every scope).

    A unit-scoped caller sees its unit's scope only; ``GROUP`` rows are group-wide callers'.

    Raises:
        OutOfScopeError: a unit-scoped caller asked for another scope (``GROUP`` included).
    """
    if viewer.group_wide:
        return requested
    if requested is not None and requested != viewer.unit:
        raise OutOfScopeError(f"scope {requested!r} is outside your scope ({viewer.unit})")
    return viewer.unit
