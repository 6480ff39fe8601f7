"""``/supplier-applications``: onboarding with documents and a four-eyes review."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import FileResponse

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.onboarding import applications, checks, documents
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.onboarding import (
    ApplicationChecksPublic,
    DocumentPublic,
    ReviewCreate,
    SupplierApplicationCreate,
    SupplierApplicationPublic,
)

router = APIRouter(prefix="/supplier-applications", tags=["onboarding"], responses=ERRORS)
DocType = Literal["business_license", "qualification_certificate", "bank_account_letter",
                  "tax_registration", "other"]


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: CONFLICT})
def submit_application(body: SupplierApplicationCreate, context: ContextDep,
                       user: CurrentUser) -> SupplierApplicationPublic:
    """Apply for a new supplier (procurement, admins). The USCC must pass GB 32100-2015
    (check characters included). The supplier is registered ``pending`` and cannot publish
    offers until approved."""
    values = body.model_dump(exclude={"business_unit"})
    settings = context.settings
    return SupplierApplicationPublic(**context.db.run_write(lambda s: applications.submit_application(
        s, user, values, business_unit=body.business_unit, group_code=settings.group_code,
        default_currency=context.policy.settlement_currency_default)))


@router.get("")
def list_applications(
    context: ContextDep, user: CurrentUser, page: PageDep,
    status_: Annotated[Literal["submitted", "approved", "rejected"] | None,
                       Query(alias="status")] = None,
    fast_track: Annotated[bool | None, Query(
        description="true: the fast-track queue (latest automatic checks all passed)")] = None,
) -> Page[SupplierApplicationPublic]:
    with context.db.read() as session:
        result = applications.list_applications(session, user, page, status=status_,
                                                 fast_track=fast_track)
    return Page[SupplierApplicationPublic](**result.__dict__)


@router.get("/{application_id}")
def get_application(application_id: Id, context: ContextDep,
                    user: CurrentUser) -> SupplierApplicationPublic:
    with context.db.read() as session:
        return SupplierApplicationPublic(**applications.get_application(session, user,
                                                                      application_id))


@router.post("/{application_id}/documents", status_code=status.HTTP_201_CREATED)
def upload_document(application_id: Id, context: ContextDep, user: CurrentUser,
                    file: Annotated[UploadFile, File(description="PDF, PNG or JPEG")],
                    doc_type: Annotated[DocType, Form()],
                    replaces: Annotated[Id | None, Form(
                        description="id of an earlier document of this type it corrects")]
                    = None) -> DocumentPublic:
    """Attach a qualification document (multipart). The type is judged by content (magic
    bytes), the size is limited; stored by content hash. ``POST …/checks`` reads the
    business licence, the bank account certificate (``bank_account_letter``) and the
    qualification certificates by OCR; after failed checks the applicant uploads a corrected
    document (``replaces``: the one it corrects) and calls ``POST …/resubmit``."""
    with context.db.read() as session:  # scope first: never store files for outsiders
        applications.load_application(session, user, application_id)
    stored = documents.store_file(file.file, file.filename, context.policy)
    return DocumentPublic(**context.db.run_write(lambda s: documents.add_document(
        s, user, application_id, doc_type, file.filename, stored, replaces=replaces)))


@router.post("/{application_id}/checks", responses={409: CONFLICT})
def run_checks(application_id: Id, context: ContextDep,
               user: CurrentUser) -> ApplicationChecksPublic:
    """Run the automatic checks (procurement, admins of the unit): OCR of the newest
    business licence (synchronous, one page, a few seconds), then GB 32100, code and name
    against the application, the supplier master (linked suppliers, elimination list,
    shared bank account). All passed → ``fast_track``."""
    return ApplicationChecksPublic(**checks.run_checks(context.db, user, application_id,
                                                       context.policy))


@router.post("/{application_id}/resubmit", responses={409: CONFLICT})
def resubmit(application_id: Id, context: ContextDep,
             user: CurrentUser) -> ApplicationChecksPublic:
    """Resubmit after failed checks (the applicant supplier, or procurement / admins of the
    unit): upload the corrected documents first, then the checks run again on the documents
    in force (``supplier_application.resubmitted``, then ``…checked``). 409
    ``nothing_to_resubmit`` when the checks have not failed."""
    return ApplicationChecksPublic(**checks.run_checks(context.db, user, application_id,
                                                       context.policy, resubmission=True))


@router.get("/{application_id}/documents/{document_id}", response_class=FileResponse)
def download_document(application_id: Id, document_id: Id, context: ContextDep,
                      user: CurrentUser) -> FileResponse:
    with context.db.read() as session:
        meta, path = documents.open_document(session, user, application_id, document_id,
                                             context.policy)
    return FileResponse(path, media_type=meta["content_type"], filename=meta["filename"])


@router.post("/{application_id}/approve", responses={409: CONFLICT})
def approve(application_id: Id, context: ContextDep, user: CurrentUser,
            body: ReviewCreate | None = None) -> SupplierApplicationPublic:
    """Approve (procurement, admins of the unit; not the applicant): the supplier becomes
    ``approved`` and ``supplier.approved`` carries its company data to the lake."""
    reason = body.reason if body else None
    return SupplierApplicationPublic(**context.db.run_write(
        lambda s: applications.review(s, user, application_id, "approve", reason)))


@router.post("/{application_id}/reject", responses={409: CONFLICT})
def reject(application_id: Id, body: ReviewCreate, context: ContextDep,
           user: CurrentUser) -> SupplierApplicationPublic:
    """Reject with a reason (procurement, admins of the unit; not the applicant)."""
    return SupplierApplicationPublic(**context.db.run_write(
        lambda s: applications.review(s, user, application_id, "reject", body.reason)))
