"""Reading supplier qualification documents: business licences (营业执照) by offline OCR.

``read_document(path_or_bytes)`` returns the document type, the fields of
:data:`models.documents.fields.FIELDS` each with a confidence, and the checks that need no
other data (GB 32100 credit code). Images and PDFs (first page rendered by pypdfium2);
OCR by ``rapidocr-onnxruntime`` (Chinese PP-OCR models shipped in its wheel, ONNX Runtime
on CPU), loaded once per process. Framework-free: the onboarding checks, the CLI and the
benchmark all call the same function. ``synthetic`` draws licences with known fields.
"""

from __future__ import annotations

from models.documents.fields import DOCUMENT_TYPE, FIELDS, Field
from models.documents.reader import DocumentError, read_document

__all__ = ["DOCUMENT_TYPE", "FIELDS", "DocumentError", "Field", "read_document"]
