"""The contract document: canonical JSON (what is hashed and signed) and a rendered copy.

The structured document is the contract's *terms* (supplier, currency, validity, units,
source, lines with committed quantities and all-units price tiers) plus descriptive labels
(supplier name, SKU codes and names) serialised as compact, key-sorted UTF-8 JSON: the same
terms always give the same bytes, so the SHA-256 of those bytes identifies the document.
The rendered copy is a self-contained HTML page built from the same dictionary with the
standard library only (no PDF library is in the lock; see ``transactional/README.md``); it
is stored and hashed next to the JSON. Pure functions: no database, no I/O.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from typing import Any

#: Media type of the rendered copy.
RENDERED_MEDIA_TYPE = "text/html; charset=utf-8"
#: Keys of the document that are the contract's terms (re-derived from the rows on verify).
TERM_KEYS = ("contract_id", "supplier_id", "currency", "valid_from", "valid_to",
             "business_units", "source", "lines")


def canonical_bytes(document: Mapping[str, Any]) -> bytes:
    """Compact, key-sorted UTF-8 JSON of ``document`` (must be JSON-ready)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def sha256_hex(data: bytes | str) -> str:
    """SHA-256 (hex) of bytes, or of a string's UTF-8 bytes."""
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def terms_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The contract terms inside a document (labels left out)."""
    return {k: document[k] for k in TERM_KEYS}


def term_lines(lines: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Lines reduced to their terms: ``line_no``, ``sku_id``, committed quantity, tiers."""
    return [{"line_no": int(x["line_no"]), "sku_id": int(x["sku_id"]),
             "committed_quantity": int(x["committed_quantity"]),
             "price_tiers": [{"min_quantity": int(t["min_quantity"]),
                              "unit_price": str(t["unit_price"])} for t in x["price_tiers"]]}
            for x in sorted(lines, key=lambda x: int(x["line_no"]))]


def render_html(document: Mapping[str, Any]) -> str:
    """A human-readable HTML copy of the document (deterministic for the same document)."""
    e = html.escape
    source = document.get("source") or {}
    rows = []
    for line in document["lines"]:
        label = document.get("labels", {}).get("skus", {}).get(str(line["sku_id"]), {})
        tiers = "<br>".join(f"from {t['min_quantity']}: {e(t['unit_price'])} {e(document['currency'])}"
                            for t in line["price_tiers"])
        rows.append(f"<tr><td>{line['line_no']}</td><td>{e(str(label.get('code', line['sku_id'])))}"
                    f"</td><td>{e(str(label.get('name', '')))}</td>"
                    f"<td>{line['committed_quantity']} {e(str(label.get('unit', '')))}</td>"
                    f"<td>{tiers}</td></tr>")
    supplier = document.get("labels", {}).get("supplier_name") or document["supplier_id"]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Framework contract {document['contract_id']}</title></head><body>\n"
        f"<h1>Framework contract {document['contract_id']}: {e(document.get('title') or '')}</h1>\n"
        f"<p>Supplier: {e(supplier)} ({e(document['supplier_id'])})<br>"
        f"Business units: {e(', '.join(document['business_units']))}<br>"
        f"Valid from {e(document['valid_from'])} to {e(document['valid_to'])} (inclusive)<br>"
        f"Currency: {e(document['currency'])}<br>"
        f"Source: {e(str(source.get('type') or '-'))} {e(str(source.get('ref') or ''))}<br>"
        f"Drawn up by user {document['created_by']} at {e(document['created_at'])}</p>\n"
        "<p>Prices are all-units: a call-off of q units is priced entirely at the tier with "
        "the largest minimum quantity not above q.</p>\n"
        "<table border=\"1\"><tr><th>Line</th><th>SKU</th><th>Name</th>"
        "<th>Committed quantity</th><th>Unit price tiers</th></tr>\n"
        + "\n".join(rows) + "\n</table>\n"
        "<p>Signed by both sides: the supplier's signature and procurement's approval of "
        "this document's SHA-256 are recorded in the platform's audit hash chain.</p>\n"
        "</body></html>\n"
    )
