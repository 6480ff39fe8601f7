"""The fraud and risk scoring of the platform's own orders (issue #14), below ``ordering``.

:mod:`.rules` (red flags on an order's facts, pure), :mod:`.profiles` (the lake's history
profiles, read on the request path), :mod:`.inbound` (their applier for the inbound door),
:mod:`.model` (the MLflow ``champion`` of the online fraud model, cached per process; none:
``model_version: "rules"``) and :mod:`.verdict` (the public form). The order path calls them
from ``ordering/screening.py`` (allow / ``pending_review`` / 409 block) and the review of a
held order is ``ordering/reviews.py``; thresholds are ``core/policy.RiskPolicy``.
"""
