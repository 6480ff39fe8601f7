"""Qualification documents: what a file really is (by its first bytes), and safe names.

The type is decided by magic bytes, never by the name or the client's ``Content-Type``;
a file whose extension claims another type than its content is refused. Business licences
are read by OCR for the onboarding checks (``onboarding/checks.py``).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from transactional.domain.errors import ValidationFailedError

#: content type -> (magic prefixes, extensions that may name it)
SIGNATURES: dict[str, tuple[tuple[bytes, ...], tuple[str, ...]]] = {
    "application/pdf": ((b"%PDF-",), (".pdf",)),
    "image/png": ((b"\x89PNG\r\n\x1a\n",), (".png",)),
    "image/jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg")),
}
DOC_TYPES = ("business_license", "qualification_certificate", "bank_account_letter",
             "tax_registration", "other")
_UNSAFE = re.compile(r"[^\w.\-() ]+")


def sniff(head: bytes) -> str | None:
    """The content type the first bytes show, or None when unknown.

    Example:
        >>> sniff(b"%PDF-1.7\\n...")
        'application/pdf'
    """
    for content_type, (magics, _) in SIGNATURES.items():
        if any(head.startswith(m) for m in magics):
            return content_type
    return None


def safe_filename(name: str | None) -> str:
    """A display name without directories or control characters (max 200 chars).

    Example:
        >>> safe_filename("../../etc/营业执照 2026.pdf")
        '营业执照 2026.pdf'
    """
    base = PurePath(unicodedata.normalize("NFC", (name or "").replace("\\", "/"))).name
    cleaned = _UNSAFE.sub("_", base).strip(" .") or "document"
    return cleaned[-200:]


def check_document(head: bytes, filename: str | None, size: int, *, allowed: list[str],
                   max_bytes: int) -> str:
    """Validate an upload; returns its content type.

    Raises:
        ValidationFailedError: empty, too large, unknown or disallowed type, or an
            extension that contradicts the content (``code`` says which).
    """
    if size == 0:
        raise ValidationFailedError("the document is empty", code="document_empty")
    if size > max_bytes:
        raise ValidationFailedError(f"the document exceeds {max_bytes} bytes",
                                    code="document_too_large",
                                    details={"max_bytes": max_bytes, "size": size})
    content_type = sniff(head)
    if content_type is None or content_type not in allowed:
        raise ValidationFailedError(
            "unsupported document type (judged by content, not name)",
            code="document_type_not_allowed",
            details={"detected": content_type, "allowed": sorted(allowed)},
        )
    suffix = PurePath(filename or "").suffix.lower()
    if suffix and suffix not in SIGNATURES[content_type][1]:
        raise ValidationFailedError(
            f"the file is named {suffix} but its content is {content_type}",
            code="document_type_mismatch", details={"detected": content_type},
        )
    return content_type
