"""Reading supplier qualification documents by offline OCR: business licences (营业执照),
bank account certificates (开户许可证 / 开户证明) and ISO / industry certificates.

``read_document(path_or_bytes)`` returns the document type (detected from the page), its
fields each with a confidence (:data:`models.documents.fields.FIELDS` for a licence,
:data:`models.documents.certificates.CERTIFICATE_FIELDS` for certificates), and the checks
that need no other data (GB 32100 credit code, a certificate not expired). Images and PDFs
(first page rendered by pypdfium2); OCR by ``rapidocr-onnxruntime`` (Chinese PP-OCR models
shipped in its wheel, ONNX Runtime on CPU), loaded once per process. Framework-free: the
onboarding checks, the CLI and the benchmark all call the same functions. ``synthetic`` and
``synthetic_certificates`` draw documents with known fields.
"""

import importlib
from typing import Any

#: public name -> submodule, imported on first use: the reader pulls in NumPy and the OCR
#: engine, which the ``grouplake`` command must not pay for ``grouplake sql`` or ``--help``.
_EXPORTS = {
    "CERTIFICATE_FIELDS": "certificates",
    "DOCUMENT_TYPE": "fields",
    "FIELDS": "fields",
    "DocumentError": "reader",
    "Field": "fields",
    "read_document": "reader",
    "read_typed": "reader",
}

__all__ = sorted(_EXPORTS)  # noqa: PLE0605 - the lazy exports are the public names


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
