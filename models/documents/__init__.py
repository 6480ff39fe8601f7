"""Reading supplier qualification documents: business licences (营业执照) by offline OCR.

``read_document(path_or_bytes)`` returns the document type, the fields of
:data:`models.documents.fields.FIELDS` each with a confidence, and the checks that need no
other data (GB 32100 credit code). Images and PDFs (first page rendered by pypdfium2);
OCR by ``rapidocr-onnxruntime`` (Chinese PP-OCR models shipped in its wheel, ONNX Runtime
on CPU), loaded once per process. Framework-free: the onboarding checks, the CLI and the
benchmark all call the same function. ``synthetic`` draws licences with known fields.
"""

import importlib
from typing import Any

#: public name -> submodule, imported on first use: the reader pulls in NumPy and the OCR
#: engine, which the ``grouplake`` command must not pay for ``grouplake sql`` or ``--help``.
_EXPORTS = {
    "DOCUMENT_TYPE": "fields",
    "FIELDS": "fields",
    "DocumentError": "reader",
    "Field": "fields",
    "read_document": "reader",
}

__all__ = sorted(_EXPORTS)  # noqa: PLE0605 - the lazy exports are the public names


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
