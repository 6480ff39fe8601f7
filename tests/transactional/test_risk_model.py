"""The online fraud model in the order path: an empty registry leaves the rules in charge
(``model_version: "rules"``, the split still caught); a champion registered in MLflow scores the
next order without a restart; moving the alias switches versions; a broken champion falls back
to the rules and ordering goes on."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models.ml.fraud.online import ONLINE_FEATURES, ONLINE_MODEL_NAME, fit_online, register_online
from tests.transactional.commerce import place, set_limit
from transactional.core.inbound import Snapshot, apply_snapshot
from transactional.risk import model
from transactional.risk.inbound import KIND, apply_risk_profiles
from transactional.risk.rules import FEATURES

pytestmark = pytest.mark.slow  # an MLflow sqlite store and three registered pyfunc versions: ~100 s here


def test_the_service_and_the_training_name_the_same_features() -> None:
    assert ONLINE_FEATURES == FEATURES


def _examples(seed: int, n: int = 600) -> pd.DataFrame:
    """Seeded examples: splits (several orders together above the limit) and overpriced lines are fraud."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "log_amount": rng.normal(11.0, 1.5, n), "amount_to_limit": rng.uniform(0.0, 1.0, n),
        "split_count": rng.integers(1, 4, n).astype(float), "split_sum_to_limit": rng.uniform(0.0, 1.8, n),
        "velocity_count": rng.integers(1, 6, n).astype(float), "quantity_to_history": rng.uniform(0.0, 2.0, n),
        "amount_to_history": rng.uniform(0.0, 2.0, n), "price_to_market": rng.uniform(0.8, 1.6, n),
        "new_supplier": (rng.random(n) < 0.1).astype(float), "has_history": np.ones(n)})
    frame.loc[rng.random(n) < 0.3, "price_to_market"] = 0.0  # no market profile for the SKU
    frame["label"] = (((frame["split_count"] > 1) & (frame["split_sum_to_limit"] > 1.0))
                      | (frame["price_to_market"] > 1.4)).astype(int)
    return frame


@pytest.fixture
def risk_client(tx_settings):
    """The API checking the champion alias on every order (refresh interval 0)."""
    from fastapi.testclient import TestClient

    from transactional.main import create_app

    model.reset()
    settings = tx_settings.model_copy(deep=True)
    settings.risk.model_refresh_seconds = 0.0
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    model.reset()


def test_a_champion_scores_orders_and_a_moved_alias_takes_effect_without_restart(
        risk_client, tx_settings, world, db) -> None:
    from models.ml.registry import CHAMPION_ALIAS, client

    client(tx_settings)  # an empty registry: no champion yet
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    coal6000 = world.sku_ids["COAL-6000"]
    apply_snapshot(db, Snapshot(KIND, "a" * 64, dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), "gold/risk_profiles@v1", [
        {"subject": f"sku:{coal6000}", "scope": "sku", "sku_id": coal6000, "currency": "CNY", "order_count": 40,
         "unit_price_median": "880.00"},
        {"subject": "supplier:SUP-1", "scope": "supplier", "supplier_id": "SUP-1", "order_count": 300,
         "first_order_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)}]), apply_risk_profiles)

    first = place(risk_client, world, offer, 300, "m-1")
    held = place(risk_client, world, offer, 300, "m-2")  # a split, with the registry empty
    assert (first["risk"]["model_version"], held["risk"]["model_version"]) == ("rules", "rules")
    assert held["status"] == "pending_review" and held["risk"]["reasons"][0]["code"] == "split"

    estimator, metrics = fit_online(_examples(1), _examples(2))
    assert metrics["pr_auc"] > 0.8
    version, promoted, reason = register_online(tx_settings, estimator, metrics)
    assert (version, promoted, reason) == ("1", True, "no champion yet")
    small = place(risk_client, world, world.offer_ids[("SUP-1", "COAL-4500")], 10, "m-3", buyer="buyer_coal2")
    assert small["status"] == "placed"
    assert (small["risk"]["model_version"], small["risk"]["decision"]) == (f"{ONLINE_MODEL_NAME}:1", "allow")
    coal4500 = world.offer_ids[("SUP-1", "COAL-4500")]
    set_limit(risk_client, world, "COAL", "300000")
    place(risk_client, world, coal4500, 450, "m-4", buyer="buyer_coal2")  # 270,000 CNY
    split = place(risk_client, world, coal4500, 450, "m-5", buyer="buyer_coal2")  # together 546,000: 1.8x
    assert split["status"] == "pending_review" and split["risk"]["model_version"] == f"{ONLINE_MODEL_NAME}:1"
    assert [r["code"] for r in split["risk"]["reasons"]] == ["split", "model"], split["risk"]

    better, better_metrics = fit_online(_examples(3, 1200), _examples(2))
    version, promoted, _ = register_online(tx_settings, better, {**better_metrics, "pr_auc": 1.0})
    assert (version, promoted) == ("2", True)
    moved = place(risk_client, world, world.offer_ids[("SUP-1", "COAL-4500")], 10, "m-6", buyer="buyer_power")
    assert moved["risk"]["model_version"] == f"{ONLINE_MODEL_NAME}:2"  # no restart

    broken, _ = fit_online(_examples(4), _examples(2))
    version, _, _ = register_online(tx_settings, broken, {"pr_auc": 0.0}, features=("log_amount",))
    client(tx_settings).set_registered_model_alias(ONLINE_MODEL_NAME, CHAMPION_ALIAS, version)  # forced
    fallback = place(risk_client, world, world.offer_ids[("SUP-1", "COAL-4500")], 10, "m-7", buyer="procurement_coal")
    assert fallback["status"] == "placed" and fallback["risk"]["model_version"] == "rules"
