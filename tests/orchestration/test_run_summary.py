"""The summary ``grouplake run`` prints: every figure whole on an 80-column terminal, the
quarantine total with the query that shows it, failed checks and steps, the outcome."""

from __future__ import annotations

from rich.console import Console


def test_the_summary_never_cuts_a_figure_and_names_every_failure():
    from grouplake.progress import RunLedger
    from grouplake.run import RunOutcome, print_summary

    ledger = RunLedger(
        step_seconds={"bronze__iot__temperature_readings": 12.34, "dbt__stg_wms__stock_snapshots": 0.04},
        materializations={
            "bronze/iot/temperature_readings": {"dagster/row_count": 14523456, "rows_inserted": 14523456,
                                                "rows_updated": 0, "rows_quarantined": 17},
            "dbt/stg_wms__stock_snapshots": {"dagster/row_count": 1452345},
        },
        failed_checks=[("dbt/shipment_tracking", "gx_shipment_tracking", "ERROR", True)],
        step_failures={"dbt__shipment_tracking_gx_shipment_tracking": "1 blocking asset check failed"},
    )
    console = Console(width=80, record=True, color_system=None)
    print_summary(RunOutcome(success=False, ledger=ledger, seconds=403.3, run_id="run-1"), console)
    text = console.export_text()
    for figure in ("14523456", "1452345", "12.3", "17"):
        assert f" {figure} " in text, figure
    words = " ".join(text.split())  # messages may wrap at 80 columns
    assert "17 row(s) quarantined this run" in words and "from bronze.quarantine" in words
    assert "check failed: dbt/shipment_tracking gx_shipment_tracking (ERROR, blocking)" in words
    assert "step failed: dbt__shipment_tracking_gx_shipment_tracking: 1 blocking asset check failed" in words
    assert "run run-1 FAILED in 403.3s" in words


def test_the_summary_names_the_stale_marts_and_the_check_why():
    from grouplake.progress import RunLedger
    from grouplake.run import RunOutcome, print_summary

    ledger = RunLedger(failed_checks=[("bronze/wms/movements", "gx_wms_receipts_reconciliation", "ERROR", False)])
    outcome = RunOutcome(success=False, ledger=ledger, seconds=1.0, run_id="run-2", stale={
        "gold/stock_coverage": ["bronze/wms/movements gx_wms_receipts_reconciliation"]})
    console = Console(width=80, record=True, color_system=None)
    print_summary(outcome, console)
    words = " ".join(console.export_text().split())
    assert "stale (previous gold version kept;" in words
    assert "gold/stock_coverage <- bronze/wms/movements gx_wms_receipts_reconciliation" in words
    assert "check failed: bronze/wms/movements gx_wms_receipts_reconciliation (ERROR)" in words
