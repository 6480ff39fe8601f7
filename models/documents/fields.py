"""What a business licence (营业执照) says, as the reader returns it.

Each field is a :class:`Field` — the normalised value (None when not found) and a confidence
in [0, 1] — under the names of :data:`FIELDS`. Normal forms: the credit code upper-case
without separators; dates ISO (``2015-03-12``); the business term ``start/end`` with ``长期``
for an unlimited term; the business scope without its closing full stop (often lost in
OCR); other fields as printed, without spaces.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCUMENT_TYPE = "business_licence"
FIELDS = ("credit_code", "name", "legal_representative", "registered_capital",
          "established_on", "business_term", "address", "business_scope")


@dataclass(frozen=True)
class Field:
    """One extracted value and how sure the reader is of it (0 when missing)."""

    value: str | None
    confidence: float

    def as_json(self) -> dict[str, object]:
        """``{"value": …, "confidence": …}`` (confidence rounded to 3 places)."""
        return {"value": self.value, "confidence": round(float(self.confidence), 3)}


MISSING = Field(None, 0.0)
