"""``/contracts``: framework contracts (blanket orders) — draw up, read, sign, approve.

Call-offs are ordinary ``POST /orders`` with ``contract_id`` (``contracts/calloffs.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.api.idempotent import OptionalIdempotencyKey, write_once
from transactional.contracts import authoring, evidence
from transactional.contracts.authoring import ContractLineSpec, ContractSource
from transactional.contracts.queries import get_contract, list_contracts, load_contract_row
from transactional.domain.pricing import PriceTier
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.contracts import (
    ContractCreate,
    ContractDocumentPublic,
    ContractPublic,
    ContractSign,
    EvidencePublic,
)

router = APIRouter(prefix="/contracts", tags=["contracts"], responses=ERRORS)
PATH = "/api/v1/contracts"


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ContractPublic,
             responses={409: CONFLICT})
def create_contract(body: ContractCreate, context: ContextDep, user: CurrentUser,
                    idempotency_key: OptionalIdempotencyKey = None) -> JSONResponse:
    """Draw up a framework contract with one supplier (procurement, admins; your units only).

    Stores its document (canonical JSON + rendered HTML, both SHA-256'd, evidence in the audit
    chain); it binds once the supplier signed and another procurement user approved it.
    Emits ``contract.created``.
    """
    lines = [ContractLineSpec(x.sku_id, x.committed_quantity,
                              tuple(PriceTier(t.min_quantity, t.unit_price) for t in x.price_tiers))
             for x in body.lines]
    source = ContractSource(body.source.type, body.source.ref) if body.source else None

    def create(session: Session) -> tuple[dict, str]:
        contract = authoring.create_contract(
            session, supplier_id=body.supplier_id, lines=lines, valid_from=body.valid_from,
            valid_to=body.valid_to, units=body.business_units, currency=body.currency,
            created_by=user, source=source, title=body.title, policy=context.policy)
        return contract, str(contract["id"])

    snapshot = write_once(context, user, idempotency_key, "POST", PATH,
                          body.model_dump(mode="json"), "contract", create)
    return JSONResponse(snapshot, status_code=201, headers={"Location": f"{PATH}/{snapshot['id']}"})


@router.get("")
def list_contracts_route(
    context: ContextDep, user: CurrentUser, page: PageDep,
    supplier_id: Annotated[str | None, Query(max_length=64)] = None,
    status_: Annotated[Literal["pending_signatures", "signed"] | None,
                       Query(alias="status")] = None,
    sku_id: Id | None = None,
) -> Page[ContractPublic]:
    """Newest first. Suppliers see their own contracts; everyone else those covering their
    unit (group admins: all)."""
    with context.db.read() as session:
        result = list_contracts(session, user, page, supplier_id=supplier_id, status=status_,
                                sku_id=sku_id)
    return Page[ContractPublic](**result.__dict__)


@router.get("/{contract_id}")
def get_contract_route(contract_id: Id, context: ContextDep, user: CurrentUser) -> ContractPublic:
    """One contract with its lines' remaining quantities, document hash and signatures."""
    with context.db.read() as session:
        return ContractPublic(**get_contract(session, user, contract_id))


@router.get("/{contract_id}/document")
def get_contract_document(contract_id: Id, context: ContextDep,
                          user: CurrentUser) -> ContractDocumentPublic:
    """The stored document: the canonical JSON that is signed, its rendered HTML copy."""
    with context.db.read() as session:
        return ContractDocumentPublic(**authoring.document_of(session, user, contract_id))


@router.get("/{contract_id}/evidence")
def get_contract_evidence(contract_id: Id, context: ContextDep,
                          user: CurrentUser) -> list[EvidencePublic]:
    """The contract's evidence records (document hashes, signatures) from the audit chain."""
    with context.db.read() as session:
        load_contract_row(session, user, contract_id)
        rows = evidence.evidence_of(session, [contract_id]).get(contract_id, [])
    return [EvidencePublic(**r) for r in rows]


@router.post("/{contract_id}/sign", response_model=ContractPublic, responses={409: CONFLICT})
def sign_contract(contract_id: Id, body: ContractSign, context: ContextDep, user: CurrentUser,
                  idempotency_key: OptionalIdempotencyKey = None) -> JSONResponse:
    """The supplier signs the document whose SHA-256 it names (its own contracts only).
    Emits ``contract.supplier_signed`` (and ``contract.signed`` once both sides have)."""
    return JSONResponse(write_once(
        context, user, idempotency_key, "POST", f"{PATH}/{contract_id}/sign",
        body.model_dump(), "contract",
        lambda s: (authoring.sign_as_supplier(s, user, contract_id, body.document_sha256),
                   str(contract_id))))


@router.post("/{contract_id}/approve", response_model=ContractPublic, responses={409: CONFLICT})
def approve_contract(contract_id: Id, body: ContractSign, context: ContextDep, user: CurrentUser,
                     idempotency_key: OptionalIdempotencyKey = None) -> JSONResponse:
    """Procurement approves the document whose SHA-256 it names; never the user who drew the
    contract up (403 ``separation_of_duties``). Emits ``contract.approved`` (and
    ``contract.signed`` once both sides have)."""
    return JSONResponse(write_once(
        context, user, idempotency_key, "POST", f"{PATH}/{contract_id}/approve",
        body.model_dump(), "contract",
        lambda s: (authoring.approve(s, user, contract_id, body.document_sha256),
                   str(contract_id))))
