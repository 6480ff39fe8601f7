"""``read_document``: a qualification document in (business licence, bank account
certificate, ISO / industry certificate: the type is detected), its fields and self-checks out.

The result is the JSON object ``grouplake documents read`` prints::

    {"document_type": "business_licence",
     "fields": {"credit_code": {"value": "9144…", "confidence": 0.98}, "name": {…}, …},
     "checks": [{"name": "credit_code_valid", "passed": true, "detail": "…"}, …]}

Checks here need nothing but the document: the credit code passes GB 32100 (both check
characters), every field was read, a certificate is not expired (``not_expired``). A bank
account certificate prints the same shape with ``"document_type":
"bank_account_certificate"`` and its fields (:mod:`models.documents.certificates`). The onboarding checks against an application and
the supplier master live in ``transactional/onboarding/checks.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path
from typing import Any

from infra.uscc import PROBLEMS, uscc_problem
from models.documents import certificates, engine, licence, preprocess
from models.documents.fields import DOCUMENT_TYPE, FIELDS, Field

#: Files larger than this are refused unread (same default as uploads).
MAX_BYTES = 10_485_760
#: Recent results by content hash (a document checked again is not read again).
CACHE_SIZE = 32
_CACHE: dict[tuple[str, preprocess.Steps], list[engine.TextBox]] = {}
_CACHE_LOCK = threading.Lock()


class DocumentError(ValueError):
    """The file cannot be read as a document (missing, too large, not PNG/JPEG/PDF)."""


def _load(source: Path | str | bytes) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        if not path.is_file():
            raise DocumentError(f"no such file: {path}")
        if path.stat().st_size > MAX_BYTES:
            raise DocumentError(f"the file exceeds {MAX_BYTES} bytes")
        data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise DocumentError(f"the file exceeds {MAX_BYTES} bytes")
    if not data:
        raise DocumentError("the file is empty")
    return data


def _boxes(source: Path | str | bytes, steps: preprocess.Steps) -> list[engine.TextBox]:
    data = _load(source)
    key = (hashlib.sha256(data).hexdigest(), steps)
    if key in _CACHE:
        return _CACHE[key]
    try:
        page = preprocess.prepare(preprocess.decode(data), steps)
    except preprocess.UnreadableDocumentError as exc:
        raise DocumentError(str(exc)) from None
    boxes = engine.recognise(page)
    with _CACHE_LOCK:
        _CACHE[key] = boxes
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
    return boxes


def read_fields(source: Path | str | bytes,
                steps: preprocess.Steps = preprocess.Steps()) -> dict[str, Field]:
    """OCR a licence and extract its fields (see :mod:`models.documents.licence`); the OCR
    of the last :data:`CACHE_SIZE` files is kept by content hash.

    Raises:
        DocumentError: unreadable input.
    """
    return licence.extract(_boxes(source, steps))


def read_typed(source: Path | str | bytes, steps: preprocess.Steps = preprocess.Steps(),
               expected: str | None = None) -> tuple[str, dict[str, Field]]:
    """OCR any qualification document: ``(document_type, fields)``. The type is detected
    from the page (:func:`models.documents.certificates.detect_type`) unless ``expected``
    names it.

    Raises:
        DocumentError: unreadable input; ValueError: unknown ``expected`` type.
    """
    boxes = _boxes(source, steps)
    kind = expected or certificates.detect_type(boxes)
    if kind == DOCUMENT_TYPE:
        return kind, licence.extract(boxes)
    return kind, certificates.extract(boxes, kind)


def document_checks(fields: dict[str, Field]) -> list[dict[str, Any]]:
    """Checks on the document alone: ``credit_code_valid`` and ``fields_complete``."""
    code = fields["credit_code"].value
    problem = uscc_problem(code) if code else "empty"
    missing = [name for name in FIELDS if not fields[name].value]
    return [
        {"name": "credit_code_valid", "passed": problem is None,
         "detail": "passes GB 32100-2015" if problem is None else PROBLEMS[problem]},
        {"name": "fields_complete", "passed": not missing,
         "detail": "all fields read" if not missing else f"not read: {', '.join(missing)}"},
    ]


def certificate_checks(document_type: str, fields: dict[str, Field],
                       today: dt.date | None = None) -> list[dict[str, Any]]:
    """Checks on a certificate alone: ``fields_complete``, and ``not_expired`` when it has
    a validity (``valid_until`` on or after ``today``, UTC by default)."""
    names = certificates.CERTIFICATE_FIELDS[document_type]
    missing = [name for name in names if not fields[name].value]
    results: list[dict[str, Any]] = [
        {"name": "fields_complete", "passed": not missing,
         "detail": "all fields read" if not missing else f"not read: {', '.join(missing)}"}]
    if "valid_until" in names:
        results.append(expiry_check("not_expired", fields["valid_until"].value, today))
    return results


def expiry_check(name: str, valid_until: str | None, today: dt.date | None = None
                 ) -> dict[str, Any]:
    """``{"name", "passed", "detail", "valid_until"}``: passes when ``valid_until`` (ISO
    date) is ``today`` or later; fails when it is earlier or was not read."""
    today = today or dt.datetime.now(dt.UTC).date()
    try:
        until = dt.date.fromisoformat(valid_until) if valid_until else None
    except ValueError:
        until = None
    if until is None:
        return {"name": name, "passed": False, "valid_until": valid_until,
                "detail": f"validity not read ({valid_until or 'no date'})"}
    if until < today:
        return {"name": name, "passed": False, "valid_until": valid_until,
                "detail": f"expired on {valid_until} ({(today - until).days} days ago)"}
    return {"name": name, "passed": True, "valid_until": valid_until,
            "detail": f"valid until {valid_until}"}


def read_document(source: Path | str | bytes,
                  steps: preprocess.Steps = preprocess.Steps(),
                  expected: str | None = None) -> dict[str, Any]:
    """The JSON object of a qualification document: ``document_type`` (detected unless
    ``expected``), ``fields`` (each ``{"value", "confidence"}``), ``checks``.

    Raises:
        DocumentError: missing, empty, too large or undecodable file.
    """
    kind, fields = read_typed(source, steps, expected)
    if kind == DOCUMENT_TYPE:
        names, checks = FIELDS, document_checks(fields)
    else:
        names, checks = certificates.CERTIFICATE_FIELDS[kind], certificate_checks(kind, fields)
    return {"document_type": kind,
            "fields": {name: fields[name].as_json() for name in names},
            "checks": checks}


def clear_cache() -> None:
    """Forget cached results (benchmarks time real reads)."""
    with _CACHE_LOCK:
        _CACHE.clear()
