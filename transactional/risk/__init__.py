"""The fraud and risk guard in the platform's own order path (issue #14).

Every order placed through the API is scored before it commits (:mod:`.guard`): rules that
always run (:mod:`.rules`) on the order, the buyer's recent orders in the service's own
``orders`` table and the lake's history profiles (:mod:`.profiles`, applied through the
inbound door by :mod:`.inbound`), plus the MLflow ``champion`` of the online fraud model when
one exists (:mod:`.model`; rules alone when it does not or fails: ``model_version: "rules"``).
The verdict is ``allow``, ``review`` (status ``pending_review``, decided by procurement or
finance in :mod:`.reviews`) or ``block`` (409 with the reasons).
"""
