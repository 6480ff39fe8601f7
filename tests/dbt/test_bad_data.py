"""Injected bad data fails a blocking check; gold keeps its previous version; the reason shows.

Each test writes bad rows straight into a bronze Delta table (as a broken source or a bug
upstream would), re-runs the governed models and the gold publication, and restores the
table afterwards. Covered: a duplicate key (a dbt ``unique`` test, blocking), a negative
quantity and an unknown customer id (quarantined by the screening models, then the blocking
``gx_sales_quarantine`` suite refuses the new bad rows), and the gate refusing a later
attempt to publish the gold asset alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

pytestmark = pytest.mark.slow

GOLD = ("customer_rfm", "customer_ltv")
#: The dbt lineage of the published customer marts, their checks and gold assets.
CUSTOMER_LINEAGE = ("(+key:gold/customer_rfm or +key:gold/customer_ltv or +key:gold/dq_sales_quarantine) "
                    "and not key:bronze/*")


def _storage(lake):
    from lake.storage import LakeStorage

    return LakeStorage.from_settings(lake.settings)


def _gold_state(lake) -> dict[str, tuple[int, str]]:
    from lake.tables import open_table

    state = {}
    for mart in GOLD:
        table = open_table(_storage(lake), f"gold/{mart}")
        state[mart] = (table.version(), table.history(1)[0]["grouplake.content_sha256"])
    return state


@contextmanager
def _restored(lake, relative: str) -> Iterator[object]:
    """The bronze table at ``relative``; restored to its current version afterwards."""
    from lake.tables import open_table

    table = open_table(_storage(lake), relative)
    version = table.version()
    try:
        yield table
    finally:
        table = open_table(_storage(lake), relative)
        table.restore(version)


def _metadata(record) -> dict[str, object]:
    evaluation = record.event.dagster_event.event_specific_data
    return {k: getattr(v, "value", getattr(v, "text", v)) for k, v in evaluation.metadata.items()}


def test_a_duplicate_key_fails_a_blocking_dbt_test_and_gold_keeps_its_version(demo_lake):
    from deltalake import write_deltalake

    from lake.tables import read_columns

    before = _gold_state(demo_lake)
    with _restored(demo_lake, "bronze/crm/customers") as customers:
        first = read_columns(customers).sort_by("customer_id").slice(0, 1)
        duplicate_id = first.column("customer_id")[0].as_py()
        write_deltalake(customers.table_uri, first, mode="append")

        outcome = demo_lake.run(CUSTOMER_LINEAGE)

        assert not outcome.success
        assert ("dbt/stg_crm__customers", "unique_stg_crm__customers_customer_id", "ERROR", True) in \
            outcome.ledger.failed_checks
        assert "blocking asset check" in outcome.ledger.step_failures["dbt_models"]
        assert not any(step.startswith("gold__") for step in outcome.ledger.step_seconds)
        record = demo_lake.check_record("dbt/stg_crm__customers", "unique_stg_crm__customers_customer_id")
        details = _metadata(record)
        assert details["dagster_dbt/failed_row_count"] == 1
        assert duplicate_id in str(details["failing_rows"])
        assert _gold_state(demo_lake) == before


def test_a_negative_quantity_and_an_unknown_customer_block_publication_with_the_reason(demo_lake):
    from lake.tables import read_columns

    before = _gold_state(demo_lake)
    valid = demo_lake.sql(
        "select o.sales_order_id, min(l.sales_order_line_id) as line_id from bronze.erp__sales_orders o "
        "join bronze.erp__sales_order_lines l using (sales_order_id) "
        "where o.status = 'closed' group by all order by 1 limit 2")
    (_, line_a), (order_b, _) = valid.itertuples(index=False)
    with _restored(demo_lake, "bronze/erp/sales_order_lines") as lines, \
            _restored(demo_lake, "bronze/erp/sales_orders") as orders:
        lines.update(predicate=f"sales_order_line_id = '{line_a}'", updates={"quantity": "-quantity"})
        orders.update(predicate=f"sales_order_id = '{order_b}'", updates={"customer_id": "'CUST-UNKNOWN'"})
        assert read_columns(lines).num_rows > 0

        outcome = demo_lake.run(CUSTOMER_LINEAGE)

        assert not outcome.success
        for mart in GOLD:
            assert (f"dbt/{mart}", "gx_sales_quarantine", "ERROR", True) in outcome.ledger.failed_checks
            assert f"gold__{mart}" not in outcome.ledger.step_seconds  # never ran
        assert _gold_state(demo_lake) == before

        record = demo_lake.check_record("dbt/customer_rfm", "gx_sales_quarantine")
        reason = str(_metadata(record)["failed_expectations"])
        assert f"sales_order_line:{line_a}" in reason and f"sales_order:{order_b}" in reason

        quarantine = demo_lake.sql("select record_id, quarantine_reason, detail from gold.dq_sales_quarantine")
        reasons = dict(zip(quarantine["record_id"], quarantine["quarantine_reason"], strict=True))
        assert reasons[line_a] == "negative quantity" and reasons[order_b] == "unknown customer"

        # publishing the gold asset alone is refused by the gate, naming the failed check
        alone = demo_lake.run("key:gold/customer_rfm")
        assert not alone.success
        message = alone.ledger.step_failures["gold__customer_rfm"]
        assert "gold.customer_rfm not published" in message and "version 0 kept" in message
        assert "gx_sales_quarantine: FAILED" in message
        assert _gold_state(demo_lake) == before
