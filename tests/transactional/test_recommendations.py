"""Recommendations where buyers order: the lake's snapshot published, applied through the
door by the Dagster asset, then read by buyers with the business rules on live state.

World (tests/transactional/factories.py) plus SUP-2 offering COAL-6000 with 50 t at Foshan.
After the snapshot is applied the catalogue moves on: SUP-1 sells out of COAL-6000 and
switches its COAL-4500 offer off — the rules must see that, the snapshot cannot."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pyarrow as pa
import pytest
from sqlalchemy import select

from lake.publish import publish_table
from lake.storage import LakeStorage
from models.ml.recommend.gold import DECISION_SNAPSHOT_SCHEMA
from orchestration.ml.reco import apply_recommendations_asset
from orchestration.resources import LakeResource
from transactional.catalogue.offers import create_offer, update_offer
from transactional.catalogue.stock import adjust_stock
from transactional.core.inbound import Snapshot, apply_snapshot, current_snapshot
from transactional.db.tables.recommend import recommendations, related_skus, sku_supplier_rankings
from transactional.domain.errors import ValidationFailedError
from transactional.domain.principal import SYSTEM
from transactional.recommend import queries
from transactional.recommend.inbound import KIND, apply_recommendations

UNKNOWN_SKU = 999_999


def _row(section: str, sku: int, rank: int, score: float, reason: str, *, unit: str | None = None,
         buyer: int | None = None, related: int | None = None, supplier: str | None = None,
         offer: int | None = None, kind: str = "repeat") -> dict:
    return {"section": section, "business_unit": unit, "buyer_user_id": buyer, "sku_id": sku, "rank": rank,
            "related_sku_id": related, "supplier_id": supplier, "offer_id": offer, "score": score,
            "reason_kind": kind, "reason": reason, "model_version": "7", "history_through": dt.date(2026, 12, 1)}


@pytest.fixture
def scene(db, world):
    """SUP-2 also offers COAL-6000 (50 t in stock); returns the ids the snapshot names."""
    sku = world.sku_ids

    def add(session):
        offer = create_offer(session, SYSTEM, sku_id=sku["COAL-6000"], currency="CNY", moq=1, order_multiple=1,
                             lead_time_days=4, tiers=[{"min_quantity": 1, "unit_price": "910"}], supplier_id="SUP-2")
        adjust_stock(session, SYSTEM, world.warehouse_ids["W-FOSHAN"], sku_id=sku["COAL-6000"], delta=50,
                     reason="receipt")
        return offer["id"]

    offers = {**world.offer_ids, ("SUP-2", "COAL-6000"): db.run_write(add)}
    return sku, offers


def _snapshot_rows(world, sku, offers) -> list[dict]:
    coal = world.users["buyer_coal"].user_id
    o = {k[1] if k[0] == "SUP-1" else k: v for k, v in offers.items()}
    return [
        _row("buyer_items", sku["COAL-6000"], 1, 0.91, "you order it every ~14 days; due now", unit="COAL",
             buyer=coal, supplier="SUP-1", offer=o["COAL-6000"]),
        _row("buyer_items", sku["COAL-4500"], 2, 0.82, "you ordered it 3 times", unit="COAL", buyer=coal,
             supplier="SUP-1", offer=o["COAL-4500"]),
        _row("buyer_items", sku["TILE-600-W"], 3, 0.73, "often ordered with Coal 5500", unit="COAL", buyer=coal,
             supplier="SUP-2", offer=o[("SUP-2", "TILE-600-W")], kind="together"),
        _row("buyer_items", UNKNOWN_SKU, 4, 0.64, "trending in your unit", unit="COAL", buyer=coal,
             supplier="SUP-1", offer=123456, kind="trend"),
        _row("buyer_items", sku["COAL-5500"], 5, 0.55, "buyers like you order it", unit="COAL", buyer=coal,
             supplier="SUP-1", offer=o["COAL-5500"], kind="similar"),
        _row("unit_items", sku["COAL-5500"], 1, 0.6, "your unit orders it most", unit="COAL", supplier="SUP-1",
             offer=o["COAL-5500"], kind="unit"),
        _row("unit_items", sku["TILE-600-W"], 2, 0.3, "trending in your unit", unit="COAL", supplier="SUP-2",
             offer=o[("SUP-2", "TILE-600-W")], kind="trend"),
        _row("unit_items", sku["TILE-600-W"], 1, 0.5, "your unit orders it most", unit="POWER", supplier="SUP-2",
             offer=o[("SUP-2", "TILE-600-W")], kind="unit"),
        _row("related_items", sku["COAL-5500"], 1, 0.4, "ordered together in 40% of orders",
             related=sku["COAL-6000"], kind="together"),
        _row("related_items", sku["COAL-5500"], 2, 0.2, "ordered together in 20% of orders",
             related=sku["TILE-600-W"], kind="together"),
        _row("sku_suppliers", sku["COAL-6000"], 1, 0.8, "your unit's usual supplier, on time 96%", unit="COAL",
             supplier="SUP-1", offer=o["COAL-6000"], kind="model"),
        _row("sku_suppliers", sku["COAL-6000"], 2, 0.0, "offered on the platform: 910 CNY", unit="COAL",
             supplier="SUP-2", offer=offers[("SUP-2", "COAL-6000")], kind="offer"),
    ]


def _publish(storage: LakeStorage, rows: list[dict]):
    return publish_table(storage, "gold/reco_decision_snapshot", pa.Table.from_pylist(rows, DECISION_SNAPSHOT_SCHEMA),
                         name="gold.reco_decision_snapshot")


def _materialize(instance) -> dict:
    result = dg.materialize([apply_recommendations_asset], instance=instance, resources={"lake": LakeResource()})
    [event] = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _catalogue_moves_on(db, world, offers) -> None:
    """SUP-1 sells out of COAL-6000 and switches its COAL-4500 offer off."""
    def move(session):
        adjust_stock(session, SYSTEM, world.warehouse_ids["W-TAIYUAN"], sku_id=world.sku_ids["COAL-6000"],
                     delta=-1000, reason="count_correction")
        update_offer(session, SYSTEM, offers[("SUP-1", "COAL-4500")], {"is_active": False})
    db.run_write(move)


def _items(body: dict) -> list[tuple]:
    return [(i["rank"], i["sku_code"], i["supplier_id"], i["fulfilment"], i["offer_replaced"]) for i in body["items"]]


def test_the_whole_loop_from_the_published_snapshot_to_the_buyer(client, db, world, scene, tx_settings) -> None:
    sku, offers = scene
    buyer = world.headers("buyer_coal")
    empty = client.get("/api/v1/recommendations", headers=buyer).json()
    assert empty == {"snapshot": None, "audience": "unit", "items": [], "dropped": []}

    storage = LakeStorage.from_settings(tx_settings)
    published = _publish(storage, _snapshot_rows(world, sku, offers))
    applied = _materialize(dg.DagsterInstance.ephemeral())
    assert (applied["status"], applied["rows"], applied["rows_written"], applied["rows_removed"]) == \
        ("applied", 12, 12, 0)
    assert applied["snapshot_version"] == published.content_hash
    _catalogue_moves_on(db, world, offers)

    body = client.get("/api/v1/recommendations", headers=buyer).json()
    assert body["snapshot"]["version"] == published.content_hash
    assert body["snapshot"]["source"] == f"gold/reco_decision_snapshot@v{published.version}"
    assert 0 <= body["snapshot"]["age_seconds"] < 120
    assert body["audience"] == "buyer"
    assert _items(body) == [
        (1, "COAL-6000", "SUP-2", "in stock", True),  # SUP-1 sold out: SUP-2's stock replaces it
        (2, "TILE-600-W", "SUP-2", "in stock", False),
        (3, "COAL-5500", "SUP-1", "in stock", False),
    ]
    first = body["items"][0]
    assert (first["offer_id"], first["available_quantity"], first["score"], first["reason"], first["sku_name"]) == \
        (offers[("SUP-2", "COAL-6000")], 50, 0.91, "you order it every ~14 days; due now", "Coal 6000 Ordos")
    assert body["dropped"] == [{"key": sku["COAL-4500"], "reason": "offer_inactive"},
                               {"key": UNKNOWN_SKU, "reason": "no_offer"}]
    assert _items(client.get("/api/v1/recommendations?limit=2", headers=buyer).json()) == _items(body)[:2]

    related = client.get(f"/api/v1/skus/{sku['COAL-5500']}/related", headers=buyer).json()
    assert (related["sku_id"], related["snapshot"]["version"]) == (sku["COAL-5500"], published.content_hash)
    assert [(i["rank"], i["sku_code"], i["supplier_id"], i["score"], i["reason"]) for i in related["items"]] == [
        (1, "COAL-6000", "SUP-2", 0.4, "ordered together in 40% of orders"),
        (2, "TILE-600-W", "SUP-2", 0.2, "ordered together in 20% of orders"),
    ]

    choice = client.get(f"/api/v1/skus/{sku['COAL-6000']}/suppliers", headers=buyer).json()
    assert (choice["business_unit"], choice["snapshot"]["version"], choice["dropped"]) == \
        ("COAL", published.content_hash, [])
    assert [(i["rank"], i["supplier_id"], i["reason_kind"], i["in_stock"], i["available_quantity"],
             i["lead_time_days"]) for i in choice["items"]] == [
        (1, "SUP-1", "model", False, 0, 0),  # the unit's supplier, flagged: sold out
        (2, "SUP-2", "offer", True, 50, 4),
    ]
    unranked = client.get(f"/api/v1/skus/{sku['COAL-5500']}/suppliers", headers=buyer).json()
    assert [(i["supplier_id"], i["reason_kind"], i["offer_id"]) for i in unranked["items"]] == \
        [("SUP-1", "new_offer", offers[("SUP-1", "COAL-5500")])]
    off = client.get(f"/api/v1/skus/{sku['COAL-4500']}/suppliers", headers=buyer).json()
    assert off["items"] == []  # the only offer is switched off


def test_the_apply_asset_is_in_the_graph_downstream_of_the_snapshot() -> None:
    from orchestration import ml

    assert apply_recommendations_asset in ml.defs.assets
    assert apply_recommendations_asset.key == dg.AssetKey(["platform", "apply_recommendations"])
    [deps] = apply_recommendations_asset.asset_deps.values()
    assert deps == {dg.AssetKey(["gold", "reco_decision_snapshot"])}


def test_buyers_see_only_their_own_list_or_their_units(client, db, world, scene, tx_settings) -> None:
    sku, offers = scene
    _publish(LakeStorage.from_settings(tx_settings), _snapshot_rows(world, sku, offers))
    _materialize(dg.DagsterInstance.ephemeral())

    colleague = client.get("/api/v1/recommendations", headers=world.headers("buyer_coal2")).json()
    assert colleague["audience"] == "unit"  # no orders yet: the unit's list, never buyer_coal's
    assert [(i["sku_code"], i["reason"]) for i in colleague["items"]] == [
        ("COAL-5500", "your unit orders it most"), ("TILE-600-W", "trending in your unit")]
    power = client.get("/api/v1/recommendations", headers=world.headers("buyer_power")).json()
    assert [(i["sku_code"], i["reason"]) for i in power["items"]] == [("TILE-600-W", "your unit orders it most")]
    power_choice = client.get(f"/api/v1/skus/{sku['COAL-6000']}/suppliers", headers=world.headers("buyer_power"))
    assert [(i["supplier_id"], i["reason_kind"]) for i in power_choice.json()["items"]] == \
        [("SUP-1", "new_offer"), ("SUP-2", "new_offer")]  # COAL's ranking is not POWER's
    power_related = client.get(f"/api/v1/skus/{sku['COAL-5500']}/related", headers=world.headers("buyer_power"))
    assert [(i["sku_code"], i["supplier_id"]) for i in power_related.json()["items"]] == \
        [("COAL-6000", "SUP-1"), ("TILE-600-W", "SUP-2")]  # no POWER ranking: the first offer in stock

    for username in ("supplier_1", "procurement_coal", "admin"):
        for path in ("/api/v1/recommendations", f"/api/v1/skus/{sku['COAL-5500']}/related",
                     f"/api/v1/skus/{sku['COAL-5500']}/suppliers"):
            refused = client.get(path, headers=world.headers(username))
            assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden"), (username, path)
    assert client.get("/api/v1/recommendations").status_code == 401


@pytest.mark.parametrize(("path", "status", "code"), [
    (f"/api/v1/skus/{UNKNOWN_SKU}/related", 404, "not_found"),
    (f"/api/v1/skus/{UNKNOWN_SKU}/suppliers", 404, "not_found"),
    ("/api/v1/skus/0/related", 422, "invalid_request"),
    (f"/api/v1/skus/{2**63}/suppliers", 422, "invalid_request"),
    ("/api/v1/skus/abc/related", 422, "invalid_request"),
    ("/api/v1/recommendations?limit=0", 422, "invalid_request"),
    ("/api/v1/recommendations?limit=51", 422, "invalid_request"),
])
def test_unknown_and_out_of_range_ids_are_refused(client, world, path, status, code) -> None:
    response = client.get(path, headers=world.headers("buyer_coal"))
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


def test_reapplying_is_idempotent_a_new_version_replaces_the_old_and_an_old_one_is_stale(
        db, world, scene, tx_settings) -> None:
    sku, offers = scene
    storage = LakeStorage.from_settings(tx_settings)
    instance = dg.DagsterInstance.ephemeral()
    rows = _snapshot_rows(world, sku, offers)
    first = _publish(storage, rows)
    assert _materialize(instance)["status"] == "applied"
    again = _materialize(instance)
    assert (again["status"], again["rows_written"], again["snapshot_version"]) == \
        ("already_applied", 0, first.content_hash)

    smaller = [r for r in rows if r["section"] != "related_items"]
    second = _publish(storage, smaller)
    replaced = _materialize(instance)
    assert (replaced["status"], replaced["rows_written"], replaced["rows_removed"]) == ("applied", 10, 12)
    with db.read() as session:
        old = Snapshot(kind=KIND, version=first.content_hash, produced_at=current_snapshot(session, KIND).produced_at,
                       source="replay", rows=rows)
    assert apply_snapshot(db, old, apply_recommendations).status == "stale"
    with db.read() as session:
        versions = {v for t in (recommendations, related_skus, sku_supplier_rankings)
                    for v in session.execute(select(t.c.version)).scalars()}
        counts = [len(session.execute(select(t)).all()) for t in (recommendations, related_skus,
                                                                  sku_supplier_rankings)]
    assert (versions, counts) == ({second.content_hash}, [8, 0, 2])


@pytest.mark.parametrize(("change", "message"), [
    ({"section": "bestsellers"}, "unknown section"),
    ({"rank": 0}, "rank must be >= 1"),
    ({"score": float("nan")}, "finite"),
    ({"buyer_user_id": None}, "buyer_user_id"),
])
def test_a_snapshot_breaking_the_contract_is_refused_whole(db, world, scene, change, message) -> None:
    sku, offers = scene
    rows = _snapshot_rows(world, sku, offers)
    good = Snapshot(kind=KIND, version="a" * 64, produced_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                    source="gold/reco_decision_snapshot@v0", rows=rows)
    apply_snapshot(db, good, apply_recommendations)
    bad = Snapshot(kind=KIND, version="b" * 64, produced_at=dt.datetime(2026, 12, 2, tzinfo=dt.UTC),
                   source="gold/reco_decision_snapshot@v1", rows=[{**rows[0], **change}, *rows[1:]])
    with pytest.raises(ValidationFailedError, match=message):
        apply_snapshot(db, bad, apply_recommendations)
    with db.read() as session:
        assert current_snapshot(session, KIND).version == "a" * 64
        assert set(session.execute(select(recommendations.c.version)).scalars()) == {"a" * 64}
        assert len(session.execute(select(recommendations)).all()) == 8


def test_suspended_suppliers_are_skipped(db, world, scene) -> None:
    sku, offers = scene
    apply_snapshot(db, Snapshot(kind=KIND, version="a" * 64, produced_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                                source="test", rows=_snapshot_rows(world, sku, offers)), apply_recommendations)
    _catalogue_moves_on(db, world, offers)
    buyer = world.users["buyer_coal"]
    with db.read() as session:
        shown = queries.buyer_recommendations(session, buyer, suspended=frozenset({"SUP-2"}))
        choice = queries.sku_suppliers(session, buyer, sku["COAL-6000"], suspended=frozenset({"SUP-2"}))
    # SUP-2 suspended: COAL-6000 falls back to SUP-1, sold out, flagged with its lead time; tiles go
    assert [(i.sku_id, i.supplier_id, i.fulfilment) for i in shown.items] == [
        (sku["COAL-6000"], "SUP-1", "lead time 0 days"), (sku["COAL-5500"], "SUP-1", "in stock")]
    assert [(d.key, d.reason) for d in shown.dropped] == [
        (sku["COAL-4500"], "offer_inactive"), (sku["TILE-600-W"], "supplier_suspended"), (UNKNOWN_SKU, "no_offer")]
    assert [(o.supplier_id, o.in_stock) for o in choice.items] == [("SUP-1", False)]
    assert [(d.key, d.reason) for d in choice.dropped] == [("SUP-2", "supplier_suspended")]


def test_orders_record_which_lines_were_recommended_and_taken_from_a_recommendation(
        client, db, world, scene) -> None:
    from transactional.db.tables.core import outbox_events
    from transactional.db.tables.recommend import recommendation_attributions

    sku, offers = scene
    apply_snapshot(db, Snapshot(kind=KIND, version="a" * 64, produced_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                                source="test", rows=_snapshot_rows(world, sku, offers)), apply_recommendations)
    taken = {"surface": "recommendations", "snapshot_version": "a" * 64, "rank": 1}
    body = {"lines": [{"offer_id": offers[("SUP-1", "COAL-6000")], "quantity": 5, "from_recommendation": taken},
                      {"offer_id": offers[("SUP-1", "COAL-5500")], "quantity": 10}]}
    placed = client.post("/api/v1/orders", json=body, headers=world.headers("buyer_coal", **{"Idempotency-Key": "a1"}))
    assert placed.status_code == 201, placed.text
    plain = client.post("/api/v1/orders", json={"lines": [{"offer_id": offers[("SUP-1", "COAL-5500")],
                                                           "quantity": 10}]},
                        headers=world.headers("buyer_coal2", **{"Idempotency-Key": "b1"}))  # cold start: unit list
    assert plain.status_code == 201, plain.text
    power = client.post("/api/v1/orders", json={"lines": [{"offer_id": offers[("SUP-1", "COAL-6000")],
                                                           "quantity": 1}]},
                        headers=world.headers("buyer_power", **{"Idempotency-Key": "c1"}))
    assert power.status_code == 201, power.text  # not on POWER's list, not taken from one: no row
    bad = client.post("/api/v1/orders", json={"lines": [{**body["lines"][0], "from_recommendation": {
        **taken, "surface": "homepage"}}]}, headers=world.headers("buyer_coal", **{"Idempotency-Key": "d1"}))
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_request")

    first, second = placed.json()["id"], plain.json()["id"]
    with db.read() as session:
        rows = session.execute(select(
            recommendation_attributions.c.order_id, recommendation_attributions.c.line_no,
            recommendation_attributions.c.sku_id, recommendation_attributions.c.shown_audience,
            recommendation_attributions.c.shown_rank, recommendation_attributions.c.from_surface,
            recommendation_attributions.c.from_rank).order_by(recommendation_attributions.c.order_id,
                                                              recommendation_attributions.c.line_no)).all()
        events = session.execute(select(outbox_events.c.aggregate_id).where(
            outbox_events.c.event_type == "order.recommendation_attributed")).scalars().all()
    assert [tuple(r) for r in rows] == [
        (first, 1, sku["COAL-6000"], "buyer", 1, "recommendations", 1),
        (first, 2, sku["COAL-5500"], "buyer", 5, None, None),
        (second, 1, sku["COAL-5500"], "unit", 1, None, None),
    ]
    assert sorted(events, key=int) == [str(first), str(second)]


def test_the_applied_elimination_list_reaches_the_recommendations_unless_the_unit_overrides_it(
        client, db, world, scene) -> None:
    """The suspension comes from the supply loop's own door (standing), not from the test."""
    from transactional.standing.inbound import KIND as SUSPENSIONS
    from transactional.standing.inbound import apply_supplier_suspensions
    from transactional.standing.overrides import confirm_override, request_override

    sku, offers = scene
    apply_snapshot(db, Snapshot(kind=KIND, version="a" * 64, produced_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                                source="test", rows=_snapshot_rows(world, sku, offers)), apply_recommendations)
    apply_snapshot(db, Snapshot(kind=SUSPENSIONS, version="e" * 64, produced_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                                source="test", rows=[{"supplier_id": "SUP-2", "reason": "late 40 %"}]),
                   apply_supplier_suspensions)
    headers = world.headers("buyer_coal")

    def suppliers_of_coal_6000() -> list[str]:
        response = client.get(f"/api/v1/skus/{sku['COAL-6000']}/suppliers", headers=headers)
        assert response.status_code == 200, response.text
        return [item["supplier_id"] for item in response.json()["items"]]

    assert suppliers_of_coal_6000() == ["SUP-1"]  # enforcement flag off: still never suggested
    override = db.run_write(lambda s: request_override(
        s, world.users["procurement_coal"], "SUP-2", reason="sole source for Datong blend",
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30)))
    db.run_write(lambda s: confirm_override(s, world.users["finance_coal"], "SUP-2", override["id"]))
    assert "SUP-2" in suppliers_of_coal_6000()  # the unit's confirmed override lifts it


def _apply(db, world, sku, offers) -> None:
    apply_snapshot(db, Snapshot(kind=KIND, version="a" * 64, produced_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                                source="test", rows=_snapshot_rows(world, sku, offers)), apply_recommendations)


def test_a_list_the_rules_shorten_is_topped_up_from_the_next_published_items(client, db, world, scene) -> None:
    sku, offers = scene
    _apply(db, world, sku, offers)
    _catalogue_moves_on(db, world, offers)  # COAL-4500 (published 2nd) switched off; 999999 (4th) unknown
    headers = world.headers("buyer_coal")

    def page(limit: int) -> list[tuple]:
        body = client.get(f"/api/v1/recommendations?limit={limit}", headers=headers).json()
        return [(i["rank"], i["published_rank"], i["sku_code"]) for i in body["items"]]

    assert page(2) == [(1, 1, "COAL-6000"), (2, 3, "TILE-600-W")]  # 3rd published moves up to 2nd
    assert page(3) == [(1, 1, "COAL-6000"), (2, 3, "TILE-600-W"), (3, 5, "COAL-5500")]
    assert page(10) == page(3)  # only three of the five published can be ordered

    # an order taken from position 2 of the topped-up list records the published rank (3)
    taken = {"surface": "recommendations", "snapshot_version": "a" * 64, "rank": 2}
    line = {"offer_id": offers[("SUP-2", "TILE-600-W")], "quantity": 50, "from_recommendation": taken}
    placed = client.post("/api/v1/orders", json={"lines": [line]},
                         headers=world.headers("buyer_coal", **{"Idempotency-Key": "top-1"}))
    assert placed.status_code == 201, placed.text
    from transactional.db.tables.recommend import recommendation_attributions as ra
    with db.read() as session:
        row = session.execute(select(ra.c.shown_rank, ra.c.from_surface, ra.c.from_rank)
                              .where(ra.c.order_id == placed.json()["id"])).one()
    assert tuple(row) == (3, "recommendations", 3)


def _requisition(client, world, lines, user="buyer_coal"):
    return client.post("/api/v1/recommendations/suppliers", json={"lines": lines}, headers=world.headers(user))


def _advice(body: dict) -> tuple:
    lines = [(line["line_no"], line["sku_code"],
              [(s["rank"], s["supplier_id"], s["reason_kind"], s["covers_quantity"], s["fulfilment"])
               for s in line["suppliers"]], [(d["key"], d["reason"]) for d in line["dropped"]])
             for line in body["lines"]]
    s = body["suggestion"]
    return (lines, [(p["supplier_id"], p["line_nos"], p["reason"]) for p in s["suppliers"]],
            [(a["line_no"], a["supplier_id"], a["rank"], a["fulfilment"]) for a in s["assignments"]],
            s["uncovered_line_nos"], s["exact"], s["reason"])


def test_a_requisition_gets_suppliers_per_line_and_the_fewest_covering_them(client, db, world, scene) -> None:
    from transactional.standing.inbound import KIND as SUSPENSIONS
    from transactional.standing.inbound import apply_supplier_suspensions
    from transactional.standing.overrides import confirm_override, request_override

    sku, offers = scene
    _apply(db, world, sku, offers)
    lines = [{"sku_id": sku["COAL-6000"], "quantity": 200}, {"sku_id": sku["TILE-600-W"], "quantity": 100},
             {"sku_id": sku["COAL-5500"], "quantity": 600}]
    response = _requisition(client, world, lines)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["business_unit"], body["snapshot"]["version"]) == ("COAL", "a" * 64)
    assert _advice(body) == (
        [(1, "COAL-6000", [(1, "SUP-1", "model", True, "in stock"), (2, "SUP-2", "offer", False, "lead time 4 days")],
          []),
         (2, "TILE-600-W", [(1, "SUP-2", "new_offer", True, "in stock")], []),
         (3, "COAL-5500", [(1, "SUP-1", "new_offer", False, "lead time 3 days")], [])],  # 500 t for 600 wanted
        [("SUP-1", [1, 3], "lines 1, 3: first choice on each; in stock for 1, lead time for 1"),
         ("SUP-2", [2], "line 2: first choice; in stock for every quantity")],
        [(1, "SUP-1", 1, "in stock"), (2, "SUP-2", 1, "in stock"), (3, "SUP-1", 1, "lead time 3 days")],
        [], True, "2 suppliers cover all 3 lines")

    # one supplier can serve both lines: the fewest suppliers win over the first choice
    two = _requisition(client, world, [{"sku_id": sku["COAL-6000"], "quantity": 10},
                                       {"sku_id": sku["TILE-600-W"], "quantity": 10}]).json()
    assert _advice(two)[1:] == (
        [("SUP-2", [1, 2], "lines 1, 2: first choice on 1 of 2; in stock for every quantity")],
        [(1, "SUP-2", 2, "in stock"), (2, "SUP-2", 1, "in stock")], [], True, "1 supplier covers all 2 lines")

    # SUP-2 on the elimination list: never suggested; its tile line cannot be served
    apply_snapshot(db, Snapshot(kind=SUSPENSIONS, version="e" * 64, produced_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                                source="test", rows=[{"supplier_id": "SUP-2", "reason": "late 40 %"}]),
                   apply_supplier_suspensions)
    suspended = _advice(_requisition(client, world, lines).json())
    assert suspended[0][0][3] == [("SUP-2", "supplier_suspended")]
    assert suspended[0][1][2] == []
    assert suspended[1:] == (
        [("SUP-1", [1, 3], "lines 1, 3: first choice on each; in stock for 1, lead time for 1")],
        [(1, "SUP-1", 1, "in stock"), (3, "SUP-1", 1, "lead time 3 days")], [2], True,
        "1 supplier covers 2 of 3 lines; no orderable offer now for line 2")
    # ... unless the unit holds a confirmed override (POWER does not: still suspended there)
    override = db.run_write(lambda s: request_override(
        s, world.users["procurement_coal"], "SUP-2", reason="sole tile source",
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30)))
    db.run_write(lambda s: confirm_override(s, world.users["finance_coal"], "SUP-2", override["id"]))
    assert _advice(_requisition(client, world, lines).json())[5] == "2 suppliers cover all 3 lines"
    power = _advice(_requisition(client, world, lines, user="buyer_power").json())
    assert (power[3], [p[0] for p in power[1]]) == ([2], ["SUP-1"])  # POWER: no ranking, SUP-2 still suspended


@pytest.mark.parametrize(("lines", "status", "code"), [
    ([], 422, "invalid_request"),
    ([{"sku_id": 0, "quantity": 1}], 422, "invalid_request"),
    ([{"sku_id": 1, "quantity": 0}], 422, "invalid_request"),
    ([{"sku_id": 2**63, "quantity": 1}], 422, "invalid_request"),
    ([{"sku_id": UNKNOWN_SKU, "quantity": 1}], 404, "not_found"),
])
def test_a_bad_requisition_is_refused(client, world, lines, status, code) -> None:
    response = _requisition(client, world, lines)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.text


def test_a_requisition_naming_a_sku_twice_or_asked_by_a_non_buyer_is_refused(client, world) -> None:
    coal = world.sku_ids["COAL-6000"]
    twice = _requisition(client, world, [{"sku_id": coal, "quantity": 1}, {"sku_id": coal, "quantity": 2}])
    assert (twice.status_code, twice.json()["error"]["code"]) == (422, "invalid_request")
    assert "one line" in twice.json()["error"]["message"]
    for username in ("supplier_1", "procurement_coal", "admin"):
        refused = _requisition(client, world, [{"sku_id": coal, "quantity": 1}], user=username)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden"), username
    assert client.post("/api/v1/recommendations/suppliers", json={"lines": []}).status_code == 401


def test_the_fewest_suppliers_search_breaks_ties_by_rank_then_stock_and_falls_back_to_greedy() -> None:
    from transactional.recommend.requisition import EXACT_CANDIDATES, fewest_suppliers

    cover = fewest_suppliers({1: [("A", 1, True), ("B", 2, True)], 2: [("B", 1, True), ("C", 2, True)],
                              3: [("C", 1, False), ("A", 2, True)]})
    # every pair covers all three with rank sum 4; only {A, B} has every quantity in stock
    assert (cover.suppliers, cover.assignment, cover.uncovered, cover.exact) == (
        ["A", "B"], {1: "A", 2: "B", 3: "A"}, [], True)
    many = {1: [(f"S{i:02d}", i + 1, True) for i in range(EXACT_CANDIDATES + 1)], 2: [("S20", 1, True)], 3: []}
    greedy = fewest_suppliers(many)
    assert (greedy.suppliers, greedy.assignment, greedy.uncovered, greedy.exact) == (
        ["S20"], {1: "S20", 2: "S20"}, [3], False)
