"""Supplier application bodies."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import RequestModel


class SupplierApplicationCreate(RequestModel):
    """A new supplier's company data (the USCC is validated, check characters included)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "company_name": "大同煤业股份有限公司", "uscc": "91140200701013364D",
        "address": "山西省大同市矿区新平旺", "phone": "0352-7010000", "city": "大同市",
        "province": "山西省", "bank_name": "中国工商银行大同分行",
        "bank_account": "0502020109024900000", "contact_name": "王磊",
        "settlement_currency": "CNY"}]})

    company_name: str = Field(min_length=1, max_length=300)
    uscc: str = Field(min_length=18, max_length=40)
    address: str = Field(min_length=1, max_length=300)
    phone: str = Field(min_length=1, max_length=40)
    city: str = Field(min_length=1, max_length=100)
    province: str | None = Field(default=None, max_length=100)
    bank_name: str | None = Field(default=None, max_length=120)
    bank_account: str = Field(min_length=1, max_length=60)
    contact_name: str | None = Field(default=None, max_length=100)
    settlement_currency: str | None = Field(default=None, min_length=3, max_length=3)
    business_unit: str | None = Field(default=None, max_length=32,
                                      description="group admins only")


class ReviewCreate(RequestModel):
    """A review decision; a rejection needs a reason."""

    reason: str | None = Field(default=None, max_length=500)


class DocumentPublic(BaseModel):
    id: int
    doc_type: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: dt.datetime
    replaces_document_id: int | None = None  # the earlier document this one corrects


class CheckResultPublic(BaseModel):
    """One automatic check as the reviewer sees it (evidence fields vary by check)."""

    model_config = ConfigDict(extra="allow")
    name: str
    passed: bool
    detail: str


class ApplicationChecksPublic(BaseModel):
    """The automatic checks in force (latest run); ``fast_track`` when all passed."""

    document_id: int | None
    fast_track: bool
    checks: list[CheckResultPublic]
    fields: dict[str, dict]  # OCR'd licence fields {value, confidence}; person names masked
    # OCR'd certificates {document_id, doc_type, document_type, fields}; accounts masked
    certificates: list[dict] = []
    checked_at: dt.datetime


class SupplierApplicationPublic(BaseModel):
    id: int
    business_unit: str
    supplier_id: str
    status: str  # submitted | approved | rejected
    company_name: str
    uscc: str
    address: str
    phone: str
    city: str
    province: str | None
    bank_name: str | None
    bank_account: str  # masked: 6222 **** **** 1234 (stored encrypted)
    contact_name: str | None
    settlement_currency: str
    submitted_by: int
    submitted_at: dt.datetime
    reviewed_by: int | None
    reviewed_at: dt.datetime | None
    review_reason: str | None
    documents: list[DocumentPublic]
    checks: ApplicationChecksPublic | None = None
