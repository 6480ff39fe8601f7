"""End to end on a small demo lake: the whole graph runs green, the customer marts are
published to gold, and every row matches an independent re-computation from bronze."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.dbt import oracle

pytestmark = pytest.mark.slow


def test_the_whole_graph_runs_with_every_blocking_check_green(demo_lake):
    outcome = demo_lake.first_run
    assert outcome.success, (outcome.ledger.step_failures, outcome.ledger.failed_checks)
    assert not [c for c in outcome.ledger.failed_checks if c[3]]  # no blocking check failed
    for asset, check in [("dbt/customer_rfm", "gx_customer_rfm"), ("dbt/customer_ltv", "gx_customer_ltv"),
                         ("dbt/customer_rfm", "gx_sales_quarantine"), ("dbt/customer_ltv", "gx_sales_quarantine"),
                         ("bronze/erp/sales_order_lines", "gx_erp_sales"), ("bronze/erp/fx_rates", "gx_erp_fx_rates"),
                         ("bronze/erp/goods_receipts", "gx_erp_goods_receipts"),
                         ("bronze/wms/movements", "gx_wms_receipts_reconciliation"),
                         ("dbt/customer_rfm", "unique_customer_rfm_customer_rfm_id")]:
        assert demo_lake.first_checks.get((asset, check)) is True, (asset, check)
    assert len(demo_lake.first_checks) > 200  # every dbt test and suite reported a result


def test_gold_holds_exactly_the_dbt_marts_and_sql_answers_over_them(demo_lake):
    for mart in ("customer_rfm", "customer_ltv"):  # (bad-data tests republish the quarantine)
        gold = demo_lake.sql(f"select * from gold.{mart}")
        assert len(gold) == demo_lake.first_mart_rows[mart]
    assert demo_lake.sql("select count(*) as n from gold.customer_rfm where scope = 'GROUP'")["n"][0] > 20
    from lake.storage import LakeStorage
    from lake.tables import dataset, open_table

    table = open_table(LakeStorage.from_settings(demo_lake.settings), "gold/customer_rfm")
    assert table.version() == 0
    assert "grouplake.content_sha256" in table.history(1)[0]
    schema = {f.name: str(f.type) for f in dataset(table).schema}
    assert schema["monetary_value"] == "decimal128(18, 4)" and schema["currency"] == "string"


def test_rfm_matches_an_independent_computation_from_bronze(demo_lake):
    expected = oracle.rfm(oracle.converted_orders(demo_lake)).set_index(["scope", "customer_id"]).sort_index()
    mart = demo_lake.sql("select * from gold.customer_rfm").set_index(["scope", "customer_id"]).sort_index()
    assert list(mart.index) == list(expected.index)
    assert (mart["frequency"] == expected["frequency"]).all()
    assert (mart["recency_days"] == expected["recency_days"]).all()
    assert np.allclose(mart["monetary_value"].astype(float), expected["monetary_value"], atol=0.01, rtol=0)
    assert set(mart["currency"]) == {"CNY"}
    assert set(mart["customer_type"]) <= {"dealer", "key_account", "internal"}


def test_scores_and_segments_follow_the_quintile_rule_and_the_grid(demo_lake):
    mart = demo_lake.sql("select * from gold.customer_rfm")
    mart["monetary_value"] = mart["monetary_value"].astype(float)
    expected = oracle.scores(mart).set_index(["scope", "customer_id"]).sort_index()
    got = mart.set_index(["scope", "customer_id"]).sort_index()[expected.columns]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert got["segment"].nunique() >= 4


def test_ltv_is_finite_covers_every_customer_and_sums_units_group_wide(demo_lake):
    ltv = demo_lake.sql("select * from gold.customer_ltv")
    for column in ("p_alive", "expected_purchases", "expected_avg_spend", "clv"):
        values = ltv[column].astype(float)
        assert values.notna().all() and np.isfinite(values).all() and (values >= 0).all(), column
    assert ltv["p_alive"].between(0, 1).all()
    rfm = demo_lake.sql("select scope, customer_id from gold.customer_rfm where scope = 'GROUP'")
    group = ltv[ltv["scope"] == "GROUP"].set_index("customer_id").sort_index()
    assert list(group.index) == sorted(rfm["customer_id"])
    units = ltv[ltv["scope"] != "GROUP"].copy()
    units["clv"] = units["clv"].astype(float)
    summed = units.groupby("customer_id")["clv"].sum().sort_index()
    assert np.allclose(group["clv"].astype(float), summed, atol=0.01 * units.groupby("customer_id").size())
    assert set(group["model"]) == {"sum_of_units"}
    params = json.loads(ltv[ltv["scope"] != "GROUP"]["model_params"].iloc[0])
    assert params["horizon_months"] == 12 and params["discount_rate_monthly"] == 0.01


def test_unit_ltv_equals_the_clv_library_on_the_same_purchases(demo_lake):
    from models.clv import score_customers, summarize_transactions

    orders = oracle.converted_orders(demo_lake)
    ltv = demo_lake.sql("select * from gold.customer_ltv where scope != 'GROUP'")
    for fitted_on, rows in ltv.groupby("fitted_on"):
        units = sorted(rows["scope"].unique())
        part = orders[orders["business_unit_code"].isin(units)].assign(
            key=lambda f: f["business_unit_code"] + "|" + f["customer_id"])
        summary = summarize_transactions(part, observation_end=orders["order_date"].max(), customer_id_col="key",
                                         date_col="order_date", amount_col="amount_group")
        expected = score_customers(summary, horizon_months=12, discount_rate_monthly=0.01).set_index("customer_id")
        got = rows.assign(key=rows["scope"] + "|" + rows["customer_id"]).set_index("key").loc[expected.index]
        assert np.allclose(got["p_alive"], expected["p_alive"], atol=1e-9), fitted_on
        assert np.allclose(got["clv"].astype(float), expected["clv"], atol=1e-3, rtol=1e-9), fitted_on
        assert (got["fallback_used"] == expected["fallback_used"]).all()


def test_quarantined_sales_rows_are_exactly_the_injected_dirty_ones(demo_lake):
    truth = pd.read_csv(demo_lake.home / "demo" / "ground_truth" / "dirty_rows.csv")
    sales = truth[truth["location"].isin(["sales_orders", "sales_order_lines"])
                  & truth["kind"].isin(["negative_quantity", "dangling_reference"])]
    expected = {("sales_order" if loc == "sales_orders" else "sales_order_line", key)
                for loc, key in zip(sales["location"], sales["key"], strict=True)}
    quarantine = demo_lake.first_quarantine
    assert set(zip(quarantine["record_type"], quarantine["record_id"], strict=True)) == expected
    reasons = dict(zip(quarantine["record_id"], quarantine["quarantine_reason"], strict=True))
    for kind, key in zip(sales["kind"], sales["key"], strict=True):
        assert reasons[key] == {"negative_quantity": "negative quantity", "dangling_reference": "unknown customer"}[kind]
