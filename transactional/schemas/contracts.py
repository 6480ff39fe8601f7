"""Framework contract bodies. The maker, status, signatures and remaining quantities are never
accepted from a client."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import Id, RequestModel
from transactional.schemas.offers import PriceTierIn, PriceTierPublic
from transactional.schemas.orders import MAX_QUANTITY

SHA256 = r"^[0-9a-f]{64}$"


class ContractLineCreate(RequestModel):
    """One SKU: committed quantity and all-units price tiers."""

    sku_id: Id
    committed_quantity: int = Field(ge=1, le=MAX_QUANTITY)
    price_tiers: list[PriceTierIn] = Field(min_length=1, max_length=50)


class ContractSourceIn(RequestModel):
    """Where the contract comes from (e.g. a sourcing award)."""

    type: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    ref: str = Field(min_length=1, max_length=64)


class ContractCreate(RequestModel):
    """A framework contract (blanket order) with one supplier; send an ``Idempotency-Key``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "supplier_id": "SUP-1", "currency": "CNY", "valid_from": "2026-12-01",
        "valid_to": "2027-11-30", "business_units": ["COAL"],
        "lines": [{"sku_id": 1, "committed_quantity": 12000, "price_tiers": [
            {"min_quantity": 1, "unit_price": "780.00"},
            {"min_quantity": 500, "unit_price": "765.00"}]}],
        "source": {"type": "sourcing_award", "ref": "17"},
    }]})

    supplier_id: str = Field(min_length=1, max_length=64)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    title: str | None = Field(default=None, max_length=300)
    valid_from: dt.date
    valid_to: dt.date
    business_units: list[str] = Field(min_length=1, max_length=50)
    lines: list[ContractLineCreate] = Field(min_length=1, max_length=500)
    source: ContractSourceIn | None = None


class ContractSign(RequestModel):
    """The SHA-256 of the document being signed (``document.sha256`` of the contract)."""

    document_sha256: str = Field(pattern=SHA256)


class ContractLinePublic(BaseModel):
    id: int
    line_no: int
    sku_id: int
    price_tiers: list[PriceTierPublic]
    committed_quantity: int
    remaining_quantity: int


class ContractDocumentRef(BaseModel):
    id: int | None
    sha256: str


class SignaturePublic(BaseModel):
    user_id: int
    signed_at: dt.datetime


class ApprovalPublic(BaseModel):
    user_id: int
    approved_at: dt.datetime


class ContractSourcePublic(BaseModel):
    type: str
    ref: str | None


class ContractPublic(BaseModel):
    """A framework contract: terms, lines with remaining quantities, document and signatures.
    ``state``: pending_signatures | not_yet_valid | active | expired."""

    id: int
    title: str
    supplier_id: str
    currency: str
    valid_from: dt.date
    valid_to: dt.date
    status: str
    state: str
    business_units: list[str]
    source: ContractSourcePublic | None
    document: ContractDocumentRef
    created_by: int
    created_at: dt.datetime
    supplier_signature: SignaturePublic | None
    procurement_approval: ApprovalPublic | None
    lines: list[ContractLinePublic]
    updated_at: dt.datetime


class ContractDocumentPublic(BaseModel):
    """The stored document: canonical JSON (what is signed), its rendered copy, both hashes."""

    id: int
    version: int
    sha256: str
    canonical: dict
    rendered: str
    rendered_media_type: str
    rendered_sha256: str


class EvidencePublic(BaseModel):
    """One evidence record of the contract (an audit-chain row)."""

    id: int
    action: str
    actor_user_id: int
    occurred_at: dt.datetime
    details: dict


