"""``GET /api/v1/supplier-review-queue``: the steward's queue for procurement, scoped and paged."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

from tests.serving.conftest import bearer


@pytest.fixture
def review_client(settings, tiny_lake) -> Iterator:
    from deltalake import write_deltalake
    from fastapi.testclient import TestClient

    from serving.main import create_app
    from serving.snapshot.build import build_from_settings

    queue = pa.table({
        "left_record_id": ["erp:V1", "erp:V2", "erp:V4"], "right_record_id": ["erp:V4", "erp:V3", "erp:V9"],
        "probability": [0.45, 0.62, 0.51], "left_name": ["甲煤业有限公司", "乙物流有限公司", "丙电力设备有限公司"],
        "right_name": ["丙电力设备有限公司", "乙物流（停用）", "丙电力设备公司"],
        "left_supplier_key": ["SUP-A", "SUP-B", "SUP-C"], "right_supplier_key": ["SUP-C", "SUP-B", "SUP-C"],
        "same_supplier": [False, True, True]})
    write_deltalake(str(tiny_lake / "gold" / "supplier_review_queue"), queue)
    build_from_settings(settings)
    settings.serving.poll_interval_s = 0
    with TestClient(create_app(settings)) as client:
        yield client


def _pairs(body: dict) -> list[tuple[str, str]]:
    return [(p["left_record_id"], p["right_record_id"]) for p in body["items"]]


def test_queue_most_uncertain_first_scoped_to_the_unit(review_client, make_token) -> None:
    url = "/api/v1/supplier-review-queue"
    got = review_client.get(url, headers=bearer(make_token("admin")))
    assert got.status_code == 200, got.text
    assert _pairs(got.json()) == [("erp:V4", "erp:V9"), ("erp:V1", "erp:V4"), ("erp:V2", "erp:V3")]
    assert got.json()["items"][0]["same_supplier"] is True and got.json()["total"] == 3
    coal = review_client.get(url, headers=bearer(make_token("procurement", unit="COAL")))
    assert _pairs(coal.json()) == [("erp:V1", "erp:V4"), ("erp:V2", "erp:V3")]  # touching SUP-A / SUP-B
    page = review_client.get(url + "?limit=1&offset=1", headers=bearer(make_token("admin")))
    assert _pairs(page.json()) == [("erp:V1", "erp:V4")]
    assert review_client.get(url, headers=bearer(make_token("buyer"))).status_code == 403
    assert review_client.get(url).status_code == 401


def test_queue_not_published_is_503(tiny_client, make_token) -> None:
    got = tiny_client.get("/api/v1/supplier-review-queue", headers=bearer(make_token("admin")))
    assert got.status_code == 503 and "supplier_review_queue" in got.text
