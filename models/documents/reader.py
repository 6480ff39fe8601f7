"""``read_document``: a business licence file in, its fields and self-checks out.

The result is the JSON object ``grouplake documents read`` prints::

    {"document_type": "business_licence",
     "fields": {"credit_code": {"value": "9144…", "confidence": 0.98}, "name": {…}, …},
     "checks": [{"name": "credit_code_valid", "passed": true, "detail": "…"}, …]}

Checks here need nothing but the document: the credit code passes GB 32100 (both check
characters), and every field was read. The onboarding checks against an application and
the supplier master live in ``transactional/onboarding/checks.py``.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from infra.uscc import PROBLEMS, uscc_problem
from models.documents import engine, licence, preprocess
from models.documents.fields import DOCUMENT_TYPE, FIELDS, Field

#: Files larger than this are refused unread (same default as uploads).
MAX_BYTES = 10_485_760
#: Recent results by content hash (a document checked again is not read again).
CACHE_SIZE = 32
_CACHE: dict[tuple[str, preprocess.Steps], dict[str, Field]] = {}
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


def read_fields(source: Path | str | bytes,
                steps: preprocess.Steps = preprocess.Steps()) -> dict[str, Field]:
    """OCR a licence and extract its fields (see :mod:`models.documents.licence`); the last
    :data:`CACHE_SIZE` results are kept by content hash.

    Raises:
        DocumentError: unreadable input.
    """
    data = _load(source)
    key = (hashlib.sha256(data).hexdigest(), steps)
    if key in _CACHE:
        return dict(_CACHE[key])
    try:
        page = preprocess.prepare(preprocess.decode(data), steps)
    except preprocess.UnreadableDocumentError as exc:
        raise DocumentError(str(exc)) from None
    fields = licence.extract(engine.recognise(page))
    with _CACHE_LOCK:
        _CACHE[key] = fields
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
    return dict(fields)


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


def read_document(source: Path | str | bytes,
                  steps: preprocess.Steps = preprocess.Steps()) -> dict[str, Any]:
    """The JSON object of a business licence: ``document_type``, ``fields``, ``checks``.

    Raises:
        DocumentError: missing, empty, too large or undecodable file.
    """
    fields = read_fields(source, steps)
    return {"document_type": DOCUMENT_TYPE,
            "fields": {name: fields[name].as_json() for name in FIELDS},
            "checks": document_checks(fields)}


def clear_cache() -> None:
    """Forget cached results (benchmarks time real reads)."""
    with _CACHE_LOCK:
        _CACHE.clear()
