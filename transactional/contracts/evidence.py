"""The contract's evidence: document hashes and both signatures, in the audit log's chain.

There is one hash chain on the platform: the audit log's (``core/audit_chain.py``). Every
evidence record of a contract is an ``audit_log`` row (``object_type = "contract"``) written
through :func:`transactional.core.audit.record` in the transaction of the fact it records,
so it is append-only (database triggers) and chained (SHA-256 over its content and the
previous row's hash):

==============================  ===========================================================
``contract.document_stored``    document id, version, SHA-256 of the canonical JSON and of
                                the rendered copy
``contract.supplier_signed``    the supplier user who signed, when, and the SHA-256 signed
``contract.approved``           the procurement user who approved, when, and the SHA-256
==============================  ===========================================================

:func:`verify` checks the chain, then every contract: each stored document's bytes against
its stored hashes and against the hashes in the chain, the contract's current terms (rows)
against its document, and its signature columns against the signature evidence. Any edit of
a stored document, of an evidence row, of a contract's terms or signatures names the contract.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from transactional.contracts import document as doc
from transactional.core import audit, audit_chain
from transactional.core.jsonable import jsonable
from transactional.db.tables.contracts import contract_documents, contracts
from transactional.db.tables.core import audit_log
from transactional.domain.principal import Principal

OBJECT_TYPE = "contract"
DOCUMENT_STORED = "contract.document_stored"
SUPPLIER_SIGNED = "contract.supplier_signed"
APPROVED = "contract.approved"


def record(session: Session, actor: Principal, action: str, contract_id: int,
           business_unit: str | None, facts: Mapping[str, Any]) -> None:
    """Append one evidence record (an audit row of the chain) in the caller's transaction."""
    audit.record(session, actor, action, OBJECT_TYPE, contract_id, business_unit=business_unit,
                 details=dict(facts))


def evidence_of(session: Session, contract_ids: list[int] | None = None
                ) -> dict[int, list[dict[str, Any]]]:
    """Evidence rows per contract id, in chain order: ``{id, action, actor_user_id,
    occurred_at, details}``."""
    query = (select(audit_log.c.id, audit_log.c.action, audit_log.c.object_id,
                    audit_log.c.actor_user_id, audit_log.c.occurred_at, audit_log.c.details)
             .where(audit_log.c.object_type == OBJECT_TYPE,
                    audit_log.c.action.in_((DOCUMENT_STORED, SUPPLIER_SIGNED, APPROVED)))
             .order_by(audit_log.c.id))
    if contract_ids is not None:
        query = query.where(audit_log.c.object_id.in_([str(i) for i in contract_ids]))
    found: dict[int, list[dict[str, Any]]] = {}
    for r in session.execute(query):
        if not r.object_id.isdigit():
            continue
        found.setdefault(int(r.object_id), []).append(
            {"id": r.id, "action": r.action, "actor_user_id": r.actor_user_id,
             "occurred_at": jsonable(r.occurred_at), "details": r.details})
    return found


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`verify`: the chain's verdict and the problems per contract."""

    chain: audit_chain.Verdict
    contracts_checked: int
    documents_checked: int
    problems: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    @property
    def broken_contracts(self) -> list[int]:
        """Ids of the contracts named by a problem, sorted."""
        return sorted({c for c, _ in self.problems if c is not None})


def _signature_problems(row: Any, records: list[dict[str, Any]]) -> list[str]:
    problems = []
    for action, user_col, at_col, label in (
            (SUPPLIER_SIGNED, "supplier_signed_by", "supplier_signed_at", "supplier signature"),
            (APPROVED, "approved_by", "approved_at", "procurement approval")):
        signed = [r["details"] for r in records if r["action"] == action]
        user, at = getattr(row, user_col), getattr(row, at_col)
        if user is None and not signed:
            continue
        if user is None or not signed:
            problems.append(f"{label} in the contract row and in the evidence differ "
                            "(one is missing)")
            continue
        last = signed[-1]
        if last.get("user_id") != user or last.get("at") != jsonable(at):
            problems.append(f"{label} (who/when) does not match its evidence record")
        elif last.get("sha256") != row.document_sha256:
            problems.append(f"{label} was given to another document hash than the contract's")
    return problems


def _document_problems(row: Any, documents: list[Any], records: list[dict[str, Any]],
                       terms: dict[str, Any] | None) -> list[str]:
    problems = []
    stored = {r["details"].get("document_id"): r["details"] for r in records
              if r["action"] == DOCUMENT_STORED}
    for d in documents:
        own = doc.sha256_hex(d.canonical_json)
        if own != d.sha256:
            problems.append(f"document {d.id} (v{d.version}): its JSON does not match its "
                            "stored SHA-256 (edited)")
        if doc.sha256_hex(d.rendered) != d.rendered_sha256:
            problems.append(f"document {d.id} (v{d.version}): its rendered copy does not match "
                            "its stored SHA-256 (edited)")
        proof = stored.get(d.id)
        if proof is None:
            problems.append(f"document {d.id} (v{d.version}) has no evidence record")
        elif proof.get("sha256") != own or proof.get("rendered_sha256") != doc.sha256_hex(d.rendered):
            problems.append(f"document {d.id} (v{d.version}) does not match the SHA-256 in its "
                            "evidence record")
    missing = sorted(set(stored) - {d.id for d in documents}, key=str)
    if missing:
        problems.append(f"evidence names document(s) no longer stored: {missing}")
    current = next((d for d in documents if d.id == row.document_id), None)
    if current is None:
        problems.append("the contract's current document is missing")
        return problems
    if current.sha256 != row.document_sha256:
        problems.append("the contract's document_sha256 is not its current document's")
    if terms is not None:
        try:
            stored_terms = doc.terms_of(json.loads(current.canonical_json))
        except (ValueError, KeyError):
            problems.append(f"document {current.id} is not a readable contract document")
        else:
            if stored_terms != terms:
                problems.append("the contract's terms (rows) differ from its signed document")
    return problems


def verify(session: Session, terms_of_rows: Any) -> Verdict:
    """Check the audit chain, then every contract's documents, terms and signatures.

    Args:
        terms_of_rows: ``(session, contract ids) -> {id: terms}``, the terms re-derived from
            the contract's rows (``contracts/authoring.current_terms``).
    """
    chain = audit_chain.verify(session)
    problems: list[tuple[int | None, str]] = []
    if not chain.ok:
        broken = session.execute(select(audit_log.c.object_type, audit_log.c.object_id)
                                 .where(audit_log.c.id == chain.broken_id)).first()
        named = (int(broken.object_id) if broken is not None and broken.object_type == OBJECT_TYPE
                 and broken.object_id.isdigit() else None)
        problems.append((named, f"audit chain broken at row {chain.broken_id}: {chain.problem}"))
    rows = session.execute(select(contracts).order_by(contracts.c.id)).all()
    ids = [r.id for r in rows]
    documents: dict[int, list[Any]] = {i: [] for i in ids}
    for d in session.execute(select(contract_documents).order_by(contract_documents.c.id)):
        documents.setdefault(d.contract_id, []).append(d)
    records = evidence_of(session)
    terms = terms_of_rows(session, ids) if ids else {}
    for row in rows:
        mine = records.get(row.id, [])
        for problem in (_document_problems(row, documents[row.id], mine, terms.get(row.id))
                        + _signature_problems(row, mine)):
            problems.append((row.id, problem))
    for orphan in sorted(set(documents) - set(ids)):
        problems.append((orphan, "documents stored for a contract that does not exist"))
    return Verdict(chain, len(rows), sum(len(v) for v in documents.values()), problems)
