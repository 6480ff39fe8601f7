"""Bronze specs of the CRM entities, as the CRM API serves them.

Every entity is keyed by its ``<entity>_id`` and changes by ``updated_at`` (ISO-8601 UTC
text in the API, a UTC timestamp in the lake). Money (``credit_limit``, a JSON number) is
``decimal(18,4)`` next to its ``currency``.
"""

from __future__ import annotations

import pyarrow as pa

from lake.spec import EntitySpec

SOURCE = "crm"
_TS = pa.timestamp("us", tz="UTC")
_S = pa.string()

#: entity -> its columns (the id column first), in the API's order.
CRM_COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "customers": [
        ("customer_id", _S), ("name", _S), ("customer_type", _S), ("business_unit_code", _S),
        ("region", _S), ("province", _S), ("city", _S), ("country", _S), ("tier", _S),
        ("credit_limit", pa.decimal128(18, 4)), ("currency", _S), ("subsidiary_id", _S),
        ("owner_user_id", _S), ("status", _S), ("created_at", _TS), ("updated_at", _TS),
    ],
    "contacts": [
        ("contact_id", _S), ("customer_id", _S), ("name", _S), ("title", _S), ("phone", _S),
        ("email", _S), ("is_primary", pa.bool_()), ("created_at", _TS), ("updated_at", _TS),
    ],
    "interactions": [
        ("interaction_id", _S), ("customer_id", _S), ("contact_id", _S), ("user_id", _S),
        ("channel", _S), ("occurred_at", _TS), ("subject", _S), ("outcome", _S),
        ("created_at", _TS), ("updated_at", _TS),
    ],
    "tickets": [
        ("ticket_id", _S), ("customer_id", _S), ("sales_order_id", _S), ("material_id", _S),
        ("root_cause_vendor_id", _S), ("category", _S), ("severity", _S), ("status", _S),
        ("subject", _S), ("opened_at", _TS), ("first_response_at", _TS), ("resolved_at", _TS),
        ("assigned_to", _S), ("created_at", _TS), ("updated_at", _TS),
    ],
}

#: columns the business requires besides the key and the change column.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("name",),
    "contacts": ("customer_id",),
    "interactions": ("customer_id", "occurred_at"),
    "tickets": ("customer_id", "opened_at"),
}

_DESCRIPTIONS = {
    "customers": "CRM customers: dealers, key accounts and internal buying units.",
    "contacts": "CRM contacts of customers.",
    "interactions": "CRM sales interactions (visits, calls, WeChat, e-mail …).",
    "tickets": "CRM after-sales tickets, with the ERP vendor of the root cause when traced.",
}


def _spec(entity: str) -> EntitySpec:
    columns = CRM_COLUMNS[entity]
    return EntitySpec(
        source=SOURCE,
        entity=entity,
        schema=pa.schema([pa.field(n, t) for n, t in columns]),
        key=(columns[0][0],),
        change_column="updated_at",
        required=("updated_at", "created_at", *_REQUIRED[entity]),
        description=_DESCRIPTIONS[entity],
    )


CRM_SPECS: dict[str, EntitySpec] = {entity: _spec(entity) for entity in CRM_COLUMNS}


def crm_specs() -> list[EntitySpec]:
    """Every CRM entity's spec."""
    return list(CRM_SPECS.values())
