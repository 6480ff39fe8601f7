"""The outbox flows into ``bronze.tx__outbox_events`` incrementally and exactly once."""

from __future__ import annotations

import json

import sqlalchemy as sa

from lake.storage import LakeStorage
from lake.tables import open_table, read_table
from pipelines.ingest import ingest_entity
from pipelines.sources.tx.outbox import OUTBOX_SPEC, OutboxExtractor
from tests.transactional.factories import order_body


def _ingest(tx_settings, lake: LakeStorage, batch_rows: int = 3):
    engine = sa.create_engine(tx_settings.oltp.database_url)
    try:
        return ingest_entity(lake, OUTBOX_SPEC, OutboxExtractor(engine, batch_rows=batch_rows))
    finally:
        engine.dispose()


def _outbox(tx_settings) -> list[tuple[int, str]]:
    engine = sa.create_engine(tx_settings.oltp.database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(
                "select sequence_id, event_type from outbox_events order by sequence_id"))]
    finally:
        engine.dispose()


def test_outbox_events_land_once_in_sequence_and_incrementally(client, world, tx_settings, tmp_path):
    lake = LakeStorage(str(tmp_path / "lake"))
    offer = world.offer_ids[("SUP-1", "COAL-5500")]
    for i in range(2):
        response = client.post("/api/v1/orders", json=order_body(offer, 10),
                               headers=world.headers("buyer_coal", **{"Idempotency-Key": f"o-{i}"}))
        assert response.status_code == 201, response.text
    before = _outbox(tx_settings)
    first = _ingest(tx_settings, lake)
    assert first.inserted == len(before) and first.quarantined == 0
    stored = read_table(lake, OUTBOX_SPEC.relative_path)
    assert sorted(stored.column("sequence_id").to_pylist()) == [s for s, _ in before]
    placed = [r for r in stored.to_pylist() if r["event_type"] == "order.placed"]
    assert len(placed) == 2
    assert all(r["aggregate_type"] == "order" and r["business_unit"] == "COAL" for r in placed)
    assert all(json.loads(r["payload"])["status"] == "placed" for r in placed)

    version = open_table(lake, OUTBOX_SPEC.relative_path).version()
    again = _ingest(tx_settings, lake)
    assert again.batches == [] and open_table(lake, OUTBOX_SPEC.relative_path).version() == version

    order_id = placed[0]["aggregate_id"]
    cancelled = client.post(f"/api/v1/orders/{order_id}/cancel", headers=world.headers("buyer_coal"))
    assert cancelled.status_code == 200, cancelled.text
    after = _outbox(tx_settings)
    third = _ingest(tx_settings, lake)
    assert third.inserted == len(after) - len(before) >= 1
    assert "order.cancelled" in read_table(lake, OUTBOX_SPEC.relative_path).column("event_type").to_pylist()
