"""Online scoring of one order (``models.ml.risk``): same features as the batch SQL, scored from
a shipped bundle, without the lake."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from models.ml.bundle import load_bundle, save_bundle
from models.ml.features.orders import ORDER_FEATURES, order_features
from models.ml.fraud.model import fit_fraud_model
from models.ml.fraud.snapshot import OrderSnapshot, build_order_snapshot, order_feature_vector
from models.ml.risk import OrderRiskScorer, load_order_scorer, score_order
from tests.models.ml.erp import base_erp, order, utc
from tests.models.ml.synthetic import synthetic_orders

MONDAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def erp():
    erp = base_erp()
    order(erp, "P1", day=MONDAY, amount=1_440_000)
    order(erp, "P2", day=MONDAY + dt.timedelta(days=1), amount=1_410_000)
    order(erp, "P3", day=MONDAY + dt.timedelta(days=10), amount=990, approver="U-B1")
    order(erp, "P4", day=MONDAY + dt.timedelta(days=12), amount=100_000, currency="USD", vendor="V2", hour=20)
    erp.add("supplier_offers", supplier_offer_id="OF1", vendor_id="V1", material_id="MAT1",
            price_tiers='[{"min_qty": 1.0, "unit_price": 100.0}, {"min_qty": 10.0, "unit_price": 90.0}]')
    erp.add("purchase_order_lines", purchase_order_line_id="P1-1", purchase_order_id="P1", material_id="MAT1",
            quantity=16_000, unit_price=90, currency="CNY", supplier_offer_id="OF1")
    erp.add("purchase_order_lines", purchase_order_line_id="P3-1", purchase_order_id="P3", material_id="MAT1",
            quantity=10, unit_price=99, currency="CNY", supplier_offer_id="OF1",
            price_overridden_at=utc("2026-03-15 18:30"))
    return erp


def _as_order(row: dict, lines: list[dict], siblings: list[float]) -> dict:
    return {
        "purchase_order_id": row["purchase_order_id"], "business_unit_code": row["business_unit_code"],
        "vendor_id": row["vendor_id"], "buyer_id": row["buyer_id"], "total_amount": row["total_amount"],
        "currency": row["currency"], "ordered_at": row["created_at"], "approved_by": row["approved_by"],
        "approved_at": row["approved_at"], "same_vendor_recent_amounts": siblings, "lines": lines,
    }


def test_online_features_equal_the_batch_sql(erp):
    con = erp.connect()
    batch = order_features(con).set_index("document_id")
    snapshot = build_order_snapshot(con)
    offers = {"P3-1": 90.0}
    for row in erp.rows["purchase_orders"]:
        po = row["purchase_order_id"]
        lines = [{"material_id": ln["material_id"], "unit_price": ln["unit_price"], "currency": ln["currency"],
                  "offer_price": offers.get(ln["purchase_order_line_id"]),
                  "price_overridden_at": ln.get("price_overridden_at")}
                 for ln in erp.rows["purchase_order_lines"] if ln["purchase_order_id"] == po]
        siblings = [float(batch.loc[o["purchase_order_id"], "amount_cny"]) for o in erp.rows["purchase_orders"]
                    if o["purchase_order_id"] != po and o["buyer_id"] == row["buyer_id"]
                    and o["vendor_id"] == row["vendor_id"] and abs((o["order_date"] - row["order_date"]).days) <= 2]
        online = order_feature_vector(_as_order(row, lines, siblings), snapshot)
        assert list(online) == list(ORDER_FEATURES)
        for name in ORDER_FEATURES:
            assert online[name] == pytest.approx(batch.loc[po, name], abs=1e-9), (po, name)


def test_snapshot_holds_the_lookups(erp):
    con = erp.connect()
    snapshot = build_order_snapshot(con)
    assert len(order_features(con)) == 4  # the connection is left usable (no unfinished result)
    assert snapshot.approval_limits == {"BMAT": 1_500_000.0}
    assert snapshot.fx_to_group == {"USD": 7.2}  # the latest rate
    assert snapshot.vendor_onboarded == {"V1": "2025-01-01", "V2": "2026-02-20"}
    assert snapshot.material_median_price == {"MAT1|CNY": 94.5}
    assert snapshot.as_of == "2026-03-15"  # P4, entered 20:00 UTC on the 14th


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory, erp):
    model = fit_fraud_model({"purchase_order": synthetic_orders()})
    model.snapshot = build_order_snapshot(erp.connect())
    path = tmp_path_factory.mktemp("online") / "grouplake_fraud_risk.pkl"
    return save_bundle(path, model, {"model_name": "grouplake_fraud_risk", "model_version": "7"})


def test_score_order_from_a_shipped_bundle(bundle_path):
    scorer = load_order_scorer(path=bundle_path)
    split = score_order({"business_unit_code": "BMAT", "vendor_id": "V1", "buyer_id": "U-B1",
                         "total_amount": 1_470_000, "ordered_at": "2026-03-04T02:00:00Z",
                         "same_vendor_recent_amounts": [1_440_000, 1_410_000]}, scorer=scorer)
    plain = score_order({"business_unit_code": "BMAT", "vendor_id": "V1", "buyer_id": "U-B1",
                         "total_amount": 70_000, "ordered_at": "2026-03-04T02:00:00Z"}, scorer=scorer)
    assert split.model_version == "7" and plain.model_version == "7"
    assert split.score > 0.5 > plain.score
    assert split.level == "high" and plain.level == "low"
    assert split.features["split_under_limit"] == 1 and split.features["split_siblings_under_limit"] == 2
    assert any("split" in reason for reason in split.reasons)
    assert plain.reasons == ()
    assert load_order_scorer(path=bundle_path) is scorer  # cached until the file changes


def test_bad_orders_are_refused(bundle_path):
    scorer = OrderRiskScorer.from_file(bundle_path)
    with pytest.raises(ValueError, match="no reference rate for 'EUR'"):
        scorer.score({"business_unit_code": "BMAT", "total_amount": 10, "currency": "EUR"})
    with pytest.raises(ValueError, match="must not be negative"):
        scorer.score({"business_unit_code": "BMAT", "total_amount": -1})


def test_unknown_vendor_counts_as_new_and_missing_unit_limit_as_unknown():
    snapshot = OrderSnapshot()
    vector = order_feature_vector({"business_unit_code": "NEW", "vendor_id": "V?", "total_amount": 10,
                                   "ordered_at": dt.datetime(2026, 3, 7, 2, tzinfo=dt.UTC)}, snapshot)
    assert vector["log_vendor_tenure_days"] == 0 and vector["limit_ratio"] == 0
    assert vector["created_off_hours"] == 1  # Saturday


def test_bundle_round_trip_and_format_check(tmp_path, bundle_path):
    model, manifest = load_bundle(bundle_path)
    assert manifest["model_version"] == "7" and manifest["format_version"] == 1
    assert "scikit_learn" in manifest and model.snapshot is not None
    bad = tmp_path / "bad.pkl"
    import pickle

    bad.write_bytes(pickle.dumps({"something": "else"}))
    with pytest.raises(ValueError, match="not a GroupLake model bundle"):
        load_bundle(bad)


def test_importing_the_online_scorer_pulls_in_no_lake_duckdb_or_mlflow():
    code = ("import sys, models.ml.risk; "
            "bad = [m for m in ('duckdb', 'mlflow', 'lake', 'lake.sql', 'deltalake') "
            "if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
