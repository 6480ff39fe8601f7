"""The public form of an order's risk verdict (``order_risk`` row -> ``risk`` in the API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transactional.core.jsonable import jsonable


def risk_json(m: Mapping[str, Any]) -> dict[str, Any]:
    """``{score, level, decision, model_version, profile_version, reasons, review}``."""
    review = None
    if m.get("review_outcome"):
        review = jsonable({"outcome": m["review_outcome"], "decided_by": m["reviewed_by"],
                           "decided_at": m["reviewed_at"], "reason": m["review_reason"]})
    return {"score": float(m["score"]), "level": m["level"], "decision": m["decision"],
            "model_version": m["model_version"], "profile_version": m.get("profile_version"),
            "reasons": list(m["reasons"]), "review": review}
