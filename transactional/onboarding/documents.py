"""Qualification documents of supplier applications, stored as files by content hash.

An upload is read in chunks up to ``oltp.document_max_bytes`` (one byte more is refused),
typed by its magic bytes (``domain/documents.py``; the name's extension must agree),
written atomically (temporary file + rename) to ``<oltp.document_dir>/<aa>/<sha256>``, and
recorded with its hash, size, type and uploader. Identical content is stored once. A file
written for a transaction that then fails stays on disk unreferenced: harmless (content
addressed) and cleanable. Business licences are also read by OCR (``checks.py``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from transactional.core import audit, events
from transactional.core.policy import CommercePolicy
from transactional.db.tables.onboarding import supplier_documents
from transactional.db.types import utcnow
from transactional.domain.documents import DOC_TYPES, check_document, safe_filename
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.principal import Principal, Role, not_found
from transactional.onboarding import applications

CHUNK = 1 << 16


def store_file(stream: BinaryIO, filename: str | None, policy: CommercePolicy) -> dict[str, Any]:
    """Validate and store an uploaded file; returns ``sha256``, ``size``, ``content_type``
    and ``storage_key``.

    Raises:
        ValidationFailedError: empty, too large, wrong or disallowed type.
    """
    root = Path(policy.document_dir)
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.NamedTemporaryFile(dir=root, prefix=".upload-", delete=False) as tmp:
        try:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > policy.document_max_bytes:
                    break
                if len(head) < 16:
                    head += chunk[:16]
                digest.update(chunk)
                tmp.write(chunk)
            content_type = check_document(head, filename, size,
                                          allowed=list(policy.document_types),
                                          max_bytes=policy.document_max_bytes)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    sha = digest.hexdigest()
    key = f"{sha[:2]}/{sha}"
    target = root / key
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp.name, target)
    return {"sha256": sha, "size": size, "content_type": content_type, "storage_key": key}


def add_document(session: Session, actor: Principal, application_id: int, doc_type: str,
                 filename: str | None, stored: dict[str, Any], *,
                 replaces: int | None = None) -> dict[str, Any]:
    """Record a stored file on an application (its unit's staff, or the applicant supplier
    while the application is open); ``replaces``: an earlier document of the same
    application and type this one corrects (no longer checked). Announced as
    ``supplier_application.document_uploaded``.

    Raises:
        NotFoundError, ValidationFailedError (unknown doc type; ``replaces`` not a document
        of this application and type), ConflictError (decided).
    """
    application = applications.load_application(session, actor, application_id, lock=True)
    if doc_type not in DOC_TYPES:
        raise ValidationFailedError(f"doc_type: one of {', '.join(DOC_TYPES)}")
    if application.status != "submitted":
        raise ConflictError(f"application {application_id} is {application.status}",
                            code="already_decided")
    if replaces is not None:
        old = session.execute(select(supplier_documents.c.doc_type).where(
            supplier_documents.c.id == replaces,
            supplier_documents.c.application_id == application_id)).scalar()
        if old != doc_type:
            raise ValidationFailedError(
                f"replaces: document {replaces} is not a {doc_type} of application "
                f"{application_id}", code="invalid_replacement")
    now = utcnow()
    document_id = session.execute(insert(supplier_documents).values(
        application_id=application_id, doc_type=doc_type, filename=safe_filename(filename),
        content_type=stored["content_type"], size_bytes=stored["size"],
        sha256=stored["sha256"], storage_key=stored["storage_key"], uploaded_by=actor.user_id,
        uploaded_at=now, replaces_document_id=replaces).returning(
        supplier_documents.c.id)).scalar_one()
    audit.record(session, actor, "supplier_document.upload", "supplier_application",
                 application_id, business_unit=application.business_unit,
                 details={"document_id": document_id, "doc_type": doc_type,
                          "sha256": stored["sha256"], "size": stored["size"],
                          "replaces": replaces})
    events.emit(session, "supplier_application.document_uploaded", "supplier_application",
                application_id, {"application_id": application_id,
                                 "supplier_id": application.supplier_id,
                                 "document_id": document_id, "doc_type": doc_type,
                                 "replaces_document_id": replaces,
                                 "by_applicant": actor.role is Role.SUPPLIER,
                                 "uploaded_at": now},
                business_unit=application.business_unit, supplier_id=application.supplier_id)
    return document_json(session.execute(select(supplier_documents).where(
        supplier_documents.c.id == document_id)).one())


def document_json(row: Any) -> dict[str, Any]:
    """Public metadata of a document."""
    return {k: row._mapping[k] for k in ("id", "application_id", "doc_type", "filename",
                                         "content_type", "size_bytes", "sha256",
                                         "uploaded_at", "replaces_document_id")}


def open_document(session: Session, actor: Principal, application_id: int, document_id: int,
                  policy: CommercePolicy) -> tuple[dict[str, Any], Path]:
    """Metadata and path of a document the caller may read."""
    actor.require(Role.PROCUREMENT, Role.ADMIN, Role.SUPPLIER)
    applications.load_application(session, actor, application_id)
    row = session.execute(select(supplier_documents).where(
        supplier_documents.c.id == document_id,
        supplier_documents.c.application_id == application_id)).first()
    if row is None:
        raise not_found("document", document_id)
    path = Path(policy.document_dir) / row.storage_key
    if not path.is_file():
        raise not_found("document file", document_id)
    return document_json(row), path
