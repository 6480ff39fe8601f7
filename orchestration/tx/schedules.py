"""``tx_approval_expiry_schedule``: expire undecided order approvals every 15 minutes.

Expiry is not an asset (it changes the transactional database, not a table of the lake):
one op, one job, one schedule. The op calls the same function as
``grouplake tx expire-approvals``; running it twice, or next to the API, is safe (each
order is expired in its own transaction, under its row lock).
"""

from __future__ import annotations

import dagster as dg


@dg.op(description="Expire orders whose procurement approval was not decided in time.")
def expire_order_approvals(context) -> int:
    from infra.settings import get_settings
    from transactional.db.database import Database
    from transactional.ordering.lifecycle import expire_pending

    db = Database.from_settings(get_settings())
    try:
        expired = expire_pending(db)
    finally:
        db.dispose()
    context.log.info(f"expired {len(expired)} pending approval(s): {expired}")
    return len(expired)


@dg.job(description="Release the stock of orders whose approval expired.")
def tx_approval_expiry_job() -> None:
    expire_order_approvals()


tx_approval_expiry_schedule = dg.ScheduleDefinition(
    name="tx_approval_expiry_schedule",
    job=tx_approval_expiry_job,
    cron_schedule="*/15 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every 15 minutes: expire pending order approvals past OLTP__APPROVAL_TTL_HOURS.",
)
