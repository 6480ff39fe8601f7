"""The inbound door's Dagster side: apply assets that hand a published decision snapshot to
the transactional service (``transactional/core/inbound.py``). Features add theirs with
:func:`orchestration.decisions.door.decision_apply_asset`."""
