"""The online risk model's folded logistic regression scores exactly as scikit-learn does."""

from __future__ import annotations

import numpy as np
import pytest

from transactional.risk.model import OnlineModel, linear_form
from transactional.risk.rules import FEATURES


@pytest.fixture(scope="module")
def fitted():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, len(FEATURES))) * rng.uniform(0.1, 50, size=len(FEATURES))
    x[:, 0] = 3.0  # a constant feature: the scaler's scale is 1 there
    y = (x[:, 1] / 50 + rng.normal(size=400) > 0.3).astype(int)
    estimator = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000))
    return estimator.fit(x, y), rng.normal(size=(300, len(FEATURES))) * 40


def test_the_folded_form_equals_predict_proba(fitted) -> None:
    estimator, rows = fitted
    folded = OnlineModel("m", "1", estimator, tuple(FEATURES), linear_form(estimator))
    plain = OnlineModel("m", "1", estimator, tuple(FEATURES))
    assert folded.linear is not None and plain.linear is None
    got = [folded.score(dict(zip(FEATURES, r, strict=True))) for r in rows]
    want = estimator.predict_proba(rows)[:, 1]
    assert np.max(np.abs(np.array(got) - want)) < 1e-12
    assert [plain.score(dict(zip(FEATURES, r, strict=True))) for r in rows[:5]] == pytest.approx(want[:5], abs=1e-12)


def test_other_estimators_are_scored_by_themselves() -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    assert linear_form(RandomForestClassifier()) is None
    assert linear_form(LogisticRegression()) is None  # not a standardised pipeline
