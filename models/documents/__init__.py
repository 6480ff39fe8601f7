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

from __future__ import annotations

from models.documents.certificates import CERTIFICATE_FIELDS
from models.documents.fields import DOCUMENT_TYPE, FIELDS, Field
from models.documents.reader import DocumentError, read_document, read_typed

__all__ = ["CERTIFICATE_FIELDS", "DOCUMENT_TYPE", "FIELDS", "DocumentError", "Field",
           "read_document", "read_typed"]
