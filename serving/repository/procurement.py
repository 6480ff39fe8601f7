"""Procurement's sourcing and contract marts: savings (``gold.sourcing_savings``), contract
compliance (``gold.contract_compliance``), utilisation (``gold.contract_utilisation``) and
expiring contracts (``gold.contracts_expiring``).

Savings and compliance rows carry one ``business_unit_code``; a contract may cover several
units (``business_unit_codes``, comma-separated): a unit filter keeps the contracts whose
list names it.
"""

from __future__ import annotations

from typing import Any

from infra.http.pages import Page, PageRequest
from serving.repository.paging import Where, fetch_page

_CONTRACT_UNIT = "list_contains(string_split(business_unit_codes, ','), ?)"


def savings(cursor: Any, page: PageRequest, *, unit: str | None, category_code: str | None) -> Page:
    """Savings per unit and category, by unit then category."""
    where = (Where().add_if(unit, "business_unit_code = ?")
             .add_if(category_code, "category_code = ?"))
    return fetch_page(cursor, f"SELECT * FROM gold.sourcing_savings{where.sql}", where.params,
                      "business_unit_code, category_code", page)


def compliance(cursor: Any, page: PageRequest, *, unit: str | None, category_code: str | None) -> Page:
    """Contract compliance per unit and category, by unit then category."""
    where = (Where().add_if(unit, "business_unit_code = ?")
             .add_if(category_code, "category_code = ?"))
    return fetch_page(cursor, f"SELECT * FROM gold.contract_compliance{where.sql}", where.params,
                      "business_unit_code, category_code", page)


def utilisation(cursor: Any, page: PageRequest, *, unit: str | None, supplier_id: str | None,
                signed_only: bool) -> Page:
    """Contracts with their utilisation, by contract id."""
    where = Where().add_if(unit, _CONTRACT_UNIT).add_if(supplier_id, "supplier_id = ?")
    if signed_only:
        where.add("is_signed")
    return fetch_page(cursor, f"SELECT * FROM gold.contract_utilisation{where.sql}", where.params,
                      "contract_id", page)


def expiring(cursor: Any, page: PageRequest, *, unit: str | None, within_days: int | None) -> Page:
    """Contracts ending soon with quantity left, soonest first."""
    where = Where().add_if(unit, _CONTRACT_UNIT).add_if(within_days, "days_to_expiry <= ?")
    return fetch_page(cursor, f"SELECT * FROM gold.contracts_expiring{where.sql}", where.params,
                      "valid_to, contract_id", page)
