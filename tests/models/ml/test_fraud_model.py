"""The fraud-risk model on seeded synthetic data: obvious fraud first, fallback without labels,
time-split training, metrics with exact values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from models.ml.fraud.evaluate import (
    average_precision,
    evaluate_scores,
    flatten_metrics,
    kind_metrics,
    precision_at_k,
    recall_at_k,
    split_date,
)
from models.ml.fraud.labels import attach_labels, labels_from_cases
from models.ml.fraud.model import FraudModelParams, fit_fraud_model, risk_level
from models.ml.fraud.train import meets_floor, train_fraud
from tests.models.ml.synthetic import synthetic_orders


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return synthetic_orders()


def test_obvious_fraud_is_ranked_first(orders):
    model = fit_fraud_model({"purchase_order": orders})
    assert model.models["purchase_order"].supervised
    probe = orders.iloc[[0, 1, 2]].copy()
    probe["document_id"] = ["normal-a", "self-approved", "normal-b"]
    probe.loc[probe.index[1], "self_approved"] = 1.0
    scored = model.score({"purchase_order": probe}).sort_values("risk_score", ascending=False)
    assert scored["document_id"].iloc[0] == "self-approved"
    top = scored.iloc[0]
    assert top["risk_score"] > 0.5 and top["risk_level"] == "high"
    assert top["reasons"][0] == "approved by its own buyer (U-1)"
    assert top["reason_features"][0] == "self_approved"
    assert scored["risk_score"].between(0, 1).all()


def test_fraud_outranks_normal_orders_it_never_saw_where_no_flag_equals_the_label():
    # decoys: ordinary orders carrying a red flag (petty self-approvals, small repeat orders),
    # so the label is not a feature; the held-out orders are a different draw (other seed, ids)
    train = synthetic_orders(seed=7, decoys=40)
    held = synthetic_orders(seed=11, decoys=40, id_prefix="H")
    assert not set(train["document_id"]) & set(held["document_id"])
    assert held.loc[held["label"] == 0, "self_approved"].sum() == 20  # flagged, not fraud

    def held_out_ap(frames):
        scored = fit_fraud_model(frames).score({"purchase_order": held.drop(columns=["label"])})
        scored = scored.merge(held[["document_id", "label"]], on="document_id")
        return scored, average_precision(scored["label"].to_numpy(), scored["risk_score"].to_numpy())

    scored, model_ap = held_out_ap({"purchase_order": train})
    _, rules_ap = held_out_ap({"purchase_order": train.drop(columns=["label"])})
    assert len(scored) == len(held)
    assert scored.loc[scored["label"] == 1, "risk_score"].min() > scored.loc[scored["label"] == 0, "risk_score"].max()
    assert model_ap == 1.0
    assert rules_ap < 0.7  # without labels the decoys rank with the frauds


def test_without_labels_the_rules_fallback_weighs_rare_flags_more(orders):
    model = fit_fraud_model({"purchase_order": orders.drop(columns=["label"])})
    document_model = model.models["purchase_order"]
    assert not document_model.supervised
    weights = dict(zip(document_model.features, document_model.flag_weights, strict=True))
    assert weights["self_approved"] == pytest.approx(math.log(600 / 10))  # fires on 10 of 600 orders
    assert weights["just_under_limit"] < weights["split_under_limit"]  # fires far more often
    scored = model.score({"purchase_order": orders}).set_index("document_id")
    split = orders.loc[orders["kinds"] == "split_order", "document_id"].iloc[0]
    assert scored.loc[split, "reason_features"] == ["split_siblings_under_limit", "split_under_limit",
                                                      "just_under_limit"]
    ordinary = orders.loc[(orders["kinds"] == "") & (orders["just_under_limit"] == 0), "document_id"]
    assert scored.loc[split, "risk_score"] > scored.loc[ordinary, "risk_score"].max()


def test_too_few_cases_for_a_type_fall_back_to_the_rules(orders):
    few = orders.copy()
    few["label"] = 0
    few.loc[few.index[:3], "label"] = 1
    model = fit_fraud_model({"purchase_order": few}, FraudModelParams(min_positives=10))
    assert not model.models["purchase_order"].supervised and model.models["purchase_order"].positives == 3


def test_training_is_split_by_time_and_never_evaluated_on_training_rows():
    orders = synthetic_orders(decoys=40)  # no single flag equals the label
    labels = orders.loc[orders["label"] == 1, ["document_type", "document_id"]].assign(
        kind=orders.loc[orders["label"] == 1, "kinds"].to_numpy())
    frames = {"purchase_order": orders.drop(columns=["label", "kinds"])}
    training = train_fraud(frames, labels, holdout_months=3)
    assert training.split == "2025-10-01"
    held = training.holdout
    assert (pd.to_datetime(orders.set_index("document_id").loc[held["document_id"], "document_date"])
            >= pd.Timestamp("2025-10-01")).all()
    assert training.params["train_positives_purchase_order"] == int(
        (orders["label"].to_numpy() * (orders["document_date"] < "2025-10-01").to_numpy()).sum())
    assert set(held["document_id"]).isdisjoint(  # evaluated only on documents it was not fit on
        orders.loc[orders["document_date"] < "2025-10-01", "document_id"])
    assert training.evaluation["holdout_positives"] == int(held["label"].sum()) == 5
    # the reported figure is the held-out rows' average precision, recomputed here
    recomputed = average_precision(held["label"].to_numpy(), held["risk_score"].to_numpy())
    assert training.metrics["holdout_pr_auc"] == training.evaluation["model"]["overall"]["pr_auc"] == recomputed
    assert recomputed == 1.0
    rules = training.evaluation["baselines"]["rules"]["overall"]["pr_auc"]
    assert rules == average_precision(held["label"].to_numpy(), held["rules_score"].to_numpy()) < 0.8
    assert set(training.evaluation["baselines"]) == {"rules", "isolation_forest"}
    assert meets_floor(training.metrics)[0]


def test_ranking_metrics_exact_values():
    labels = np.array([1, 0, 1, 0, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.2, 0.1])
    assert precision_at_k(labels, scores, 2) == 0.5
    assert recall_at_k(labels, scores, 2) == 0.5
    assert recall_at_k(labels, scores, 3) == 1.0
    assert average_precision(labels, scores) == pytest.approx((1 + 2 / 3) / 2)
    assert math.isnan(average_precision(np.zeros(3), np.ones(3)))
    assert math.isnan(recall_at_k(np.zeros(3), np.ones(3), 1))


def test_per_kind_metrics_leave_other_kinds_out():
    scored = pd.DataFrame({
        "document_type": ["purchase_order"] * 4 + ["payment"] * 2,
        "kinds": ["split_order", "self_approval", "", "", "bank_change_before_payment", ""],
        "label": [1, 1, 0, 0, 1, 0],
        "risk_score": [0.2, 0.9, 0.5, 0.1, 0.8, 0.3],
    })
    by_kind = kind_metrics(scored)
    assert by_kind["split_order"]["positives"] == 1
    assert by_kind["split_order"]["worst_rank"] == 2  # behind the 0.5 normal order, self-approval excluded
    assert by_kind["split_order"]["pr_auc"] == pytest.approx(0.5)
    assert by_kind["bank_change_before_payment"]["pr_auc"] == pytest.approx(1.0)
    report = evaluate_scores(scored)
    assert report["overall"]["positives"] == 3
    assert flatten_metrics(report)["by_document_type_payment_pr_auc"] == pytest.approx(1.0)


def test_split_date_and_levels():
    dates = pd.Series(pd.to_datetime(["2024-11-01", "2026-10-31"]))
    assert split_date(dates, 8) == pd.Timestamp("2026-03-01")
    assert [risk_level(s) for s in (0.0, 0.09, 0.1, 0.49, 0.5, 1.0)] == \
        ["low", "low", "medium", "medium", "high", "high"]


def test_line_cases_label_their_order():
    cases = pd.DataFrame({"kind": ["off_hours_price_override", "duplicate_invoice", "self_approval", "x"],
                          "table": ["purchase_order_lines", "ap_invoices", "purchase_orders", "users"],
                          "key": ["PO-1-002", "INV-9", "PO-1", "U-1"]})
    labels = labels_from_cases(cases, {"PO-1-002": "PO-1"})
    assert labels.to_dict("records") == [
        {"document_type": "ap_invoice", "document_id": "INV-9", "kind": "duplicate_invoice"},
        {"document_type": "purchase_order", "document_id": "PO-1", "kind": "off_hours_price_override"},
        {"document_type": "purchase_order", "document_id": "PO-1", "kind": "self_approval"},
    ]
    frame = pd.DataFrame({"document_type": ["purchase_order", "purchase_order"], "document_id": ["PO-1", "PO-2"]})
    labelled = attach_labels(frame, labels)
    assert labelled["kinds"].tolist() == ["off_hours_price_override;self_approval", ""]
    assert labelled["label"].tolist() == [1, 0]


def test_flat_forest_gives_scikit_learns_scores():
    from sklearn.ensemble import IsolationForest

    from models.ml.fraud.forest import FlatForest

    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 6))
    x[:, 2] = (rng.random(400) < 0.05).astype(float)  # a rare binary flag, like the red flags
    forest = IsolationForest(n_estimators=50, random_state=1).fit(x)
    flat = FlatForest.from_forest(forest)
    probe = np.vstack([x[:20], rng.normal(size=(5, 6)) * 4])
    assert flat.score_samples(probe) == pytest.approx(forest.score_samples(probe), rel=1e-12, abs=1e-12)
