"""Model outputs: document fraud risk (``gold.ml_fraud_risk``) and SKU recommendations per buyer
(``gold.ml_recommendations``), each vendor linked to its golden supplier when the crosswalk
is in the snapshot."""

from __future__ import annotations

from typing import Any

from infra.http.pages import Page, PageRequest
from serving.repository.paging import Where, fetch_page


def _key_join(alias: str, with_keys: bool) -> tuple[str, str]:
    if not with_keys:
        return "CAST(NULL AS VARCHAR) AS supplier_key", ""
    return ("vendors.supplier_key",
            f" LEFT JOIN serving.erp_vendors AS vendors ON {alias}.vendor_id = vendors.vendor_id")


def risk_documents(cursor: Any, page: PageRequest, *, unit: str | None, with_keys: bool,
                   risk_level: str | None = None, document_type: str | None = None,
                   supplier_key: str | None = None, vendor_id: str | None = None) -> Page:
    """Scored documents, riskiest first.

    Args:
        cursor: a snapshot cursor.
        page: which rows.
        unit: business unit filter (``None``: group-wide).
        with_keys: join the crosswalk (``serving.erp_vendors``) for ``supplier_key``.
        risk_level: ``low``, ``medium`` or ``high``.
        document_type: ``purchase_order``, ``ap_invoice`` or ``payment``.
        supplier_key: documents of one golden supplier (needs ``with_keys``).
        vendor_id: documents of one ERP vendor.
    """
    key_column, join = _key_join("risk", with_keys)
    where = (Where().add_if(unit, "risk.business_unit_code = ?")
             .add_if(risk_level, "risk.risk_level = ?")
             .add_if(document_type, "risk.document_type = ?")
             .add_if(vendor_id, "risk.vendor_id = ?"))
    if supplier_key is not None:
        if with_keys:
            where.add("vendors.supplier_key = ?", supplier_key)
        else:
            where.add("false")  # no crosswalk: no document can be attributed to the supplier
    sql = (f"SELECT risk.document_type, risk.document_id, risk.business_unit_code, risk.vendor_id, "
           f"{key_column}, risk.buyer_id, risk.document_date, risk.amount, risk.currency, "
           "risk.amount_cny, risk.risk_score, risk.risk_level, risk.risk_rank, risk.anomaly_score, "
           "coalesce(risk.reasons, []) AS reasons, risk.model_name, risk.model_version, "
           f"risk.scored_through FROM gold.ml_fraud_risk AS risk{join}{where.sql}")
    return fetch_page(cursor, sql, where.params, "risk_rank, document_type, document_id", page)


def recommendations(cursor: Any, page: PageRequest, *, unit: str | None, with_keys: bool,
                    buyer_id: str | None = None) -> Page:
    """Recommended SKUs per buyer, best first; the preferred supplier linked to its golden
    supplier when the crosswalk is in the snapshot."""
    key_column, join = _key_join("recs", with_keys)
    join = join.replace("recs.vendor_id", "recs.preferred_vendor_id")
    where = Where().add_if(unit, "recs.business_unit_code = ?").add_if(buyer_id, "recs.buyer_id = ?")
    sql = (f"SELECT recs.business_unit_code, recs.buyer_id, recs.buyer_source, recs.rank, recs.sku, "
           f"recs.sku_name, recs.score, recs.reason_kind, recs.reason, recs.anchor_sku, "
           f"recs.preferred_vendor_id, {key_column}, recs.orders_with_item, recs.interval_days, "
           "recs.days_since_last, recs.model_name, recs.model_version, recs.history_through "
           f"FROM gold.ml_recommendations AS recs{join}{where.sql}")
    return fetch_page(cursor, sql, where.params, "business_unit_code, buyer_id, rank", page)
