"""MLflow registry use: the champion rule, explicit artifact locations, the champion's bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.ml.registry import is_not_worse


@pytest.mark.parametrize(
    ("new", "current", "tolerance", "expected"),
    [
        (0.80, None, 0.0, True),  # no champion yet
        (0.80, float("nan"), 0.0, True),  # champion never evaluated
        (0.80, 0.80, 0.0, True),  # equal is not worse
        (0.79, 0.80, 0.0, False),
        (0.79, 0.80, 0.02, True),
        (None, 0.80, 0.0, False),  # unevaluated never replaces an evaluated champion
        (float("nan"), None, 0.0, True),
    ],
)
def test_champion_rule(new, current, tolerance, expected):
    assert is_not_worse(new, current, tolerance=tolerance) is expected


@pytest.mark.slow
def test_versions_are_registered_and_the_alias_moves_only_when_not_worse(settings, tmp_path, monkeypatch):
    import mlflow

    from models.ml import mlflow_models
    from models.ml.bundle import save_bundle
    from models.ml.fraud.model import fit_fraud_model
    from models.ml.registry import (
        FRAUD_MODEL_NAME,
        champion,
        client,
        download_champion_bundle,
        log_training,
        promote_if_not_worse,
        reject,
    )
    from tests.models.ml.synthetic import synthetic_orders

    monkeypatch.chdir(tmp_path)
    orders = synthetic_orders(n=200, frauds=12)
    bundle = save_bundle(tmp_path / "b" / "bundle.pkl", fit_fraud_model({"purchase_order": orders}), {"x": 1})
    decisions = []
    for value in (0.80, 0.70, 0.80):
        registered = log_training(settings, model_name=FRAUD_MODEL_NAME, python_model=mlflow_models.FRAUD_RISK,
                                  bundle_path=bundle, params={"p": 1}, metrics={"holdout_pr_auc": value},
                                  documents={"evaluation.json": {"v": value}, "notes.md": "# notes"})
        decisions.append(promote_if_not_worse(client(settings), FRAUD_MODEL_NAME, registered.version,
                                              "holdout_pr_auc"))
    assert [(d.version, d.promoted) for d in decisions] == [("1", True), ("2", False), ("3", True)]
    assert decisions[0].reason == "no champion yet"
    assert decisions[1].reason == "holdout_pr_auc 0.7000 < champion v1's 0.8000; champion kept"
    mlflow_client = client(settings)
    rejected = reject(mlflow_client, FRAUD_MODEL_NAME, "2", "holdout_pr_auc", "below the floor")
    assert not rejected.promoted and rejected.previous_version == "3"
    assert str(champion(mlflow_client, FRAUD_MODEL_NAME).version) == "3"
    assert mlflow_client.get_model_version(FRAUD_MODEL_NAME, "2").tags["champion_decision"] == \
        "rejected: below the floor"

    experiment = mlflow_client.get_experiment_by_name(FRAUD_MODEL_NAME)
    root = Path(settings.mlflow.artifact_root)
    assert experiment.artifact_location == (root / FRAUD_MODEL_NAME).as_uri()
    assert list(root.rglob("evaluation.json")) and not (tmp_path / "mlruns").exists()

    path, version = download_champion_bundle(settings, FRAUD_MODEL_NAME, tmp_path / "champion.pkl")
    assert version == "3" and path.exists()
    loaded = mlflow.pyfunc.load_model(f"models:/{FRAUD_MODEL_NAME}@champion")
    scored = loaded.predict(orders.head(3))
    assert list(scored["document_id"]) == list(orders["document_id"].head(3))


def test_registry_lock_is_reentrant_and_only_for_sqlite(settings):
    from models.ml.registry import registry_lock

    with registry_lock(settings), registry_lock(settings):  # nested in one thread: no deadlock
        lock = Path(settings.mlflow.tracking_uri.removeprefix("sqlite:///")).with_suffix(".lock")
        assert lock.exists()
    settings.mlflow.tracking_uri = "http://mlflow.example:5000"
    with registry_lock(settings):
        pass


def test_a_run_has_a_name_a_description_and_its_plots(settings, tmp_path, monkeypatch):
    import types

    import numpy as np
    import pandas as pd

    from models.ml import mlflow_models
    from models.ml.bundle import save_bundle
    from models.ml.fraud.model import fit_fraud_model
    from models.ml.registry import FRAUD_MODEL_NAME, MODEL_DESCRIPTIONS, client, log_training
    from models.ml.workflow import _fraud_run_story
    from tests.models.ml.synthetic import synthetic_orders

    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(7)
    labels = np.r_[np.ones(10), np.zeros(90)].astype(int)
    held = pd.DataFrame({"label": labels, "risk_score": labels * 0.6 + rng.random(100) * 0.5,
                         "rules_score": rng.random(100), "forest_score": labels * 0.3 + rng.random(100) * 0.7})
    training = types.SimpleNamespace(
        metrics={"holdout_pr_auc": 0.91, "baseline_rules_pr_auc": 0.12, "baseline_isolation_forest_pr_auc": 0.4},
        holdout=held, split="2026-07-01", params={"label_source": "audit.csv"},
        model=types.SimpleNamespace(trained_until="2026-06-30"))
    story = _fraud_run_story(training)
    assert story["run_name"] == "fraud until 2026-06-30 · held-out PR-AUC 0.910 vs rules 0.120"
    assert "100 documents, 10 confirmed cases" in story["description"]
    assert sorted(story["figures"]) == ["baselines_pr_auc", "calibration_holdout", "pr_curve_holdout"]

    orders = synthetic_orders(n=200, frauds=12)
    bundle = save_bundle(tmp_path / "b" / "bundle.pkl", fit_fraud_model({"purchase_order": orders}), {"x": 1})
    registered = log_training(settings, model_name=FRAUD_MODEL_NAME, python_model=mlflow_models.FRAUD_RISK,
                              bundle_path=bundle, params={"p": 1}, metrics={"holdout_pr_auc": 0.91}, **story)
    mlflow_client = client(settings)
    run = mlflow_client.get_run(registered.run_id)
    assert run.info.run_name == story["run_name"]
    assert run.data.tags["mlflow.note.content"] == story["description"]
    plots = {a.path for a in mlflow_client.list_artifacts(registered.run_id, "plots")}
    assert plots == {"plots/baselines_pr_auc.png", "plots/calibration_holdout.png", "plots/pr_curve_holdout.png"}
    assert mlflow_client.get_model_version(FRAUD_MODEL_NAME, registered.version).description == story["description"]
    assert mlflow_client.get_registered_model(FRAUD_MODEL_NAME).description == MODEL_DESCRIPTIONS[FRAUD_MODEL_NAME]
