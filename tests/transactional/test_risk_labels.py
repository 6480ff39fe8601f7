"""A risk review reaches bronze through the outbox and becomes a training label next to the
audit team's CSV (models/ml/fraud/labels.py)."""

from __future__ import annotations

import sqlalchemy as sa

from lake.sql import connect
from lake.storage import LakeStorage
from models.ml.fraud.labels import load_labels, review_labels, review_outcomes
from pipelines.ingest import ingest_entity
from pipelines.sources.tx.outbox import OUTBOX_SPEC, OutboxExtractor
from tests.transactional.commerce import place


def _review(client, world, order_id: int, outcome: str, reason: str) -> None:
    response = client.post(f"/api/v1/risk/reviews/{order_id}", json={"outcome": outcome, "reason": reason},
                           headers=world.headers("finance_coal"))
    assert response.status_code == 200, response.text


def test_review_outcomes_reach_bronze_and_become_labels(client, world, tx_settings, tmp_path) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    first = place(client, world, offer, 300, "l-1")
    fraud = place(client, world, offer, 300, "l-2")  # 270,000 + 270,000: a split
    _review(client, world, fraud["id"], "confirmed_fraud", "split to dodge approval")
    cleared = place(client, world, offer, 300, "l-3")  # with the first again (the refused one no longer counts)
    assert (first["status"], fraud["status"], cleared["status"]) == ("placed", "pending_review", "pending_review")
    _review(client, world, cleared["id"], "cleared", "two plants, two budgets")

    lake = LakeStorage(str(tmp_path / "lake"))
    engine = sa.create_engine(tx_settings.oltp.database_url)
    try:
        ingest_entity(lake, OUTBOX_SPEC, OutboxExtractor(engine))
    finally:
        engine.dispose()
    con = connect(lake)
    outcomes = review_outcomes(con)
    assert outcomes[["order_id", "outcome", "is_fraud", "business_unit", "supplier_id", "model_version",
                     "reason_codes"]].to_dict("records") == [
        {"order_id": fraud["id"], "outcome": "confirmed_fraud", "is_fraud": True, "business_unit": "COAL",
         "supplier_id": "SUP-1", "model_version": "rules", "reason_codes": "split"},
        {"order_id": cleared["id"], "outcome": "cleared", "is_fraud": False, "business_unit": "COAL",
         "supplier_id": "SUP-1", "model_version": "rules", "reason_codes": "split"}]
    assert outcomes["score"].tolist() == [0.7, 0.7]
    assert review_labels(con).to_dict("records") == [
        {"document_type": "platform_order", "document_id": f"platform:{fraud['id']}", "kind": "review:confirmed_fraud"}]

    cases = tmp_path / "fraud_cases.csv"  # the audit team's findings, next to the reviews
    cases.write_text("kind,table,key\nself_approval,purchase_orders,PO-1\n")
    labels = load_labels(cases, con)
    assert labels.to_dict("records") == [
        {"document_type": "platform_order", "document_id": f"platform:{fraud['id']}", "kind": "review:confirmed_fraud"},
        {"document_type": "purchase_order", "document_id": "PO-1", "kind": "self_approval"}]
    assert load_labels(None, con) is None  # no findings file: unsupervised, as before
