"""Checks of the ML assets: pure functions over what a step produced, and their specs.

Model assets: the held-out metric above its floor and a champion in place (both blocking:
the gold asset downstream is skipped when either fails). Gold assets: the rows are validated
*before* the Delta write (a failure raises and nothing is published) and reported as checks.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd

FRAUD_MODEL_KEY = dg.AssetKey(["ml", "fraud_risk_model"])
RECOMMENDER_MODEL_KEY = dg.AssetKey(["ml", "recommender_model"])
FRAUD_GOLD_KEY = dg.AssetKey(["gold", "ml_fraud_risk"])


def model_check_specs(key: dg.AssetKey, floor_description: str) -> list[dg.AssetCheckSpec]:
    """Specs of a model asset's checks."""
    return [
        dg.AssetCheckSpec("holdout_metric_above_floor", asset=key, blocking=True, description=floor_description),
        dg.AssetCheckSpec("champion_alias_set", asset=key, blocking=True,
                          description="a version holds the 'champion' alias (what the gold table scores with)"),
    ]


FRAUD_GOLD_CHECKS = ("risk_scores_in_unit_interval", "one_row_per_document", "every_document_scored")


def gold_check_specs(key: dg.AssetKey, names: tuple[str, ...]) -> list[dg.AssetCheckSpec]:
    """Specs of a gold table's checks (validated before the write, so they guard publication)."""
    return [dg.AssetCheckSpec(name, asset=key, description=name.replace("_", " ")) for name in names]


def fraud_gold_problems(rows: pd.DataFrame, documents: int) -> dict[str, str]:
    """Failed checks of ``gold.ml_fraud_risk`` rows -> why (empty when all pass).

    Args:
        rows: the scored rows.
        documents: documents that exist (feature rows).
    """
    problems = {}
    scores = rows["risk_score"]
    if scores.isna().any() or (scores < 0).any() or (scores > 1).any():
        problems["risk_scores_in_unit_interval"] = (
            f"{int(scores.isna().sum())} missing, {int(((scores < 0) | (scores > 1)).sum())} outside [0, 1]")
    duplicated = int(rows.duplicated(["document_type", "document_id"]).sum())
    if duplicated:
        problems["one_row_per_document"] = f"{duplicated} duplicated (document_type, document_id)"
    if len(rows) != documents:
        problems["every_document_scored"] = f"{len(rows)} rows for {documents} documents"
    return problems


def gold_check_results(names: tuple[str, ...], problems: dict[str, str]) -> list[dg.AssetCheckResult]:
    """One result per check name: failed with the reason, or passed."""
    return [
        dg.AssetCheckResult(check_name=name, passed=name not in problems,
                            metadata={"problem": problems.get(name, "")})
        for name in names
    ]
