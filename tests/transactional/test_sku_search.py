"""Catalogue search a buyer can use (#24 item 6): a SKU is found by its pinyin (syllables, run
together, initials), its category's English name and its attribute values, every word of the
query having to match; SKUs created before the search column get it from the migration."""

from __future__ import annotations

import pytest


def _codes(client, world, q: str, **params) -> list[str]:
    answer = client.get("/api/v1/skus", params={"q": q, **params}, headers=world.headers("buyer_coal"))
    assert answer.status_code == 200, answer.text
    return [s["code"] for s in answer.json()["items"]]


@pytest.fixture
def chinese_sku(client, world) -> str:
    created = client.post("/api/v1/skus", headers=world.headers("procurement_coal"), json={
        "code": "COAL-SD-5800", "category_id": world.category_ids["coal"], "name": "动力煤 5800大卡 神东",
        "unit": "t", "attributes": {"calorific_value": 5800, "sulphur": 0.6, "origin": "鄂尔多斯"}})
    assert created.status_code == 201, created.text
    return "COAL-SD-5800"


def test_a_chinese_sku_is_found_by_pinyin_initials_category_and_attributes(client, world, chinese_sku) -> None:
    assert _codes(client, world, "donglimei") == [chinese_sku]
    assert _codes(client, world, "Dong Li Mei") == [chinese_sku]  # spaced syllables, any case
    assert _codes(client, world, "dlm") == [chinese_sku]  # initials
    assert _codes(client, world, "shendong") == [chinese_sku]
    assert _codes(client, world, "eerduosi") == [chinese_sku]  # an attribute value's pinyin
    assert _codes(client, world, "动力煤") == [chinese_sku]  # as typed
    # the category's (English) name finds every SKU of it; more words narrow it down
    assert _codes(client, world, "thermal coal") == ["COAL-5500", "COAL-6000", "COAL-4500", chinese_sku]
    assert _codes(client, world, "thermal 5800") == [chinese_sku]
    assert _codes(client, world, "coal datong") == ["COAL-5500"]  # attribute origin Datong
    assert _codes(client, world, "floor white") == ["TILE-600-W"]
    assert _codes(client, world, "dlm tile") == []


def test_the_migration_fills_the_search_text_of_existing_skus(tmp_path) -> None:
    import datetime as dt

    from alembic import command
    from sqlalchemy import create_engine, text

    from transactional.migrations import _config as alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0015")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("insert into categories (code, name, attribute_template, created_at) "
                                "values ('tiles', 'Floor tiles', '[]', :t)"), {"t": dt.datetime.now(dt.UTC)})
        connection.execute(text("insert into skus (code, category_id, name, unit, attributes, created_at) "
                                "values ('T-1', 1, '瓷砖 800 米白', 'm2', '{\"colour\": \"米白\"}', :t)"),
                           {"t": dt.datetime.now(dt.UTC)})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        found = connection.execute(text("select search_text from skus where code = 'T-1'")).scalar_one()
    engine.dispose()
    assert found == "t-1 | 瓷砖 800 米白 | ci zhuan | cizhuan | cz | mi bai | mibai | mb | floor tiles | 米白"
