"""The suite runner: baselines move only on a pass (or an acceptance), drift compares with the
last accepted run, large batches are sampled, and suites register per deployed source."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.data import SuiteData
from expectations.state import read_state, write_state
from expectations.suite import Part, Suite, drift_bounds, previous_rows, run_suite
from lake.storage import LakeStorage


def test_drift_bounds_follow_the_last_accepted_count():
    assert drift_bounds(None, max_drop=0.2, max_growth=0.5) == (1, None)
    assert drift_bounds(100, max_drop=0.2, max_growth=0.5) == (80, 151)
    assert drift_bounds(100, max_drop=0.0, max_growth=None) == (100, None)
    assert previous_rows({"rows": {"mart": 7}}, "mart") == 7 and previous_rows({}, "mart") is None


def test_baselines_live_in_the_lake_meta_folder(tmp_path: Path):
    storage = LakeStorage(str(tmp_path))
    assert read_state(storage, "s") == {}
    write_state(storage, "s", {"rows": {"p": 3}}, reason="suite passed")
    state = read_state(storage, "s")
    assert state["rows"] == {"p": 3} and state["_reason"] == "suite passed"
    assert (tmp_path / "_meta" / "expectations" / "s.json").exists()


def test_large_batches_are_sampled_but_counted_exactly(settings):
    con = duckdb.connect()
    con.execute("create table t as select range as i from range(5000)")
    data = SuiteData(settings, sample_rows=1000)
    frame, rows = data.frame(con, "select * from t")
    assert rows == 5000 and len(frame) == 1000
    again, _ = data.frame(con, "select * from t")
    assert sorted(frame["i"]) == sorted(again["i"])  # repeatable sample


def _toy_suite(values: list[int]) -> Suite:
    def build(data: SuiteData, baseline: dict) -> list[Part]:
        import great_expectations.expectations as gxe

        low, high = drift_bounds(previous_rows(baseline, "values"), max_drop=0.0, max_growth=None)
        frame = pd.DataFrame({"v": values})
        return [Part("values", frame, len(frame), [
            gxe.ExpectTableRowCountToBeBetween(min_value=low, max_value=high),
            gxe.ExpectColumnValuesToBeBetween(column="v", min_value=0),
        ])]

    return Suite(name="toy", assets=(("bronze", "x", "y"),), description="toy", build=build)


@pytest.mark.slow
def test_a_failing_suite_keeps_its_baseline_and_names_the_unexpected_values(settings):
    storage = LakeStorage.from_settings(settings)
    first = run_suite(_toy_suite([1, 2, 3]), settings)
    assert first.success and first.baseline_updated
    assert read_state(storage, "toy")["rows"] == {"values": 3}

    negative = run_suite(_toy_suite([1, 2, 3, -4]), settings)
    assert not negative.success and not negative.baseline_updated
    assert negative.failures() == [
        "values: v: expect_column_values_to_be_between(min_value=0.0) -> 1 unexpected, e.g. [-4]"]
    assert read_state(storage, "toy")["rows"] == {"values": 3}

    dropped = run_suite(_toy_suite([1, 2]), settings)  # rows lost since the accepted run
    assert not dropped.success
    assert "expect_table_row_count_to_be_between" in dropped.failures()[0]
    assert (Path(settings.home) / "expectations" / "gx").is_dir()  # results stored for Data Docs


@pytest.mark.slow
def test_accepting_records_the_current_data_as_the_baseline(settings, monkeypatch):
    import expectations.accept as accept_module

    monkeypatch.setattr(accept_module, "get_suite", lambda name: _toy_suite([5, 6]))
    state = accept_module.accept_current("toy", settings)
    assert state == {"rows": {"values": 2}}
    assert read_state(LakeStorage.from_settings(settings), "toy")["_reason"] == "accepted by a person"


def test_quarantine_baseline_is_the_set_of_quarantined_records():
    from expectations.suites.customers import accept_quarantined

    rows = pd.DataFrame({"quarantine_record_id": ["sales_order:SO-2", "sales_order_line:L-1"]})
    parts = [Part("rows", rows, 2, []), Part("budget", pd.DataFrame(), 2, [])]
    assert accept_quarantined(parts, {}) == {"accepted": ["sales_order:SO-2", "sales_order_line:L-1"]}


def test_suites_register_only_where_their_sources_are_deployed():
    import orchestration.quality.definitions as quality
    from expectations.suites import ALL_SUITES, get_suite
    from orchestration.quality.checks import check_name

    deployed = {"erp"}
    assert quality.registered(get_suite("erp_sales"), deployed)
    assert not quality.registered(get_suite("wms_receipts_reconciliation"), deployed)
    assert quality.registered(get_suite("customer_rfm"), deployed)  # reads dbt models only
    assert {check_name(s) for s in ALL_SUITES} >= {"gx_customer_rfm", "gx_sales_quarantine", "gx_erp_fx_rates"}
    with pytest.raises(KeyError, match="no expectation suite"):
        get_suite("nope")
