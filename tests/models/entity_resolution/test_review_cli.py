"""``grouplake suppliers review list|decide``: the steward's queue and decisions in the lake."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from models.entity_resolution.cli import suppliers_app


def test_decide_appends_to_the_log_and_list_hides_decided_pairs(settings) -> None:
    from deltalake import write_deltalake

    from lake.storage import LakeStorage
    from models.entity_resolution.steward_store import read_decisions

    storage = LakeStorage.from_settings(settings)
    queue = pd.DataFrame({"left_record_id": ["erp:1", "erp:3"], "right_record_id": ["tx:2", "tx:4"],
                          "probability": [0.49, 0.61], "left_name": ["宏晟机械", "禾丰阀门"],
                          "right_name": ["宏盛机械", "禾丰阀业"], "left_supplier_key": ["K1", "K3"],
                          "right_supplier_key": ["K2", "K3"], "same_supplier": [False, True]})
    write_deltalake(storage.uri(settings.suppliers.review_queue_table), queue)
    runner = CliRunner()
    shown = runner.invoke(suppliers_app, ["review", "list"])
    assert shown.exit_code == 0, shown.output
    assert "erp:1" in shown.output and "erp:3" in shown.output
    done = runner.invoke(suppliers_app, ["review", "decide", "tx:2", "erp:1", "--must-link", "--by", "steward1"])
    assert done.exit_code == 0, done.output
    log = read_decisions(storage, settings.suppliers.decisions_table)
    assert log[["left_record_id", "right_record_id", "decision", "decided_by"]].values.tolist() == [
        ["erp:1", "tx:2", "must_link", "steward1"]]
    shown = runner.invoke(suppliers_app, ["review", "list"])
    assert "erp:1" not in shown.output and "erp:3" in shown.output


def test_decide_refuses_bad_input(settings) -> None:
    runner = CliRunner()
    for args, message in ((["a", "b", "--by", "s"], "exactly one"),
                          (["a", "b", "--must-link", "--cannot-link", "--by", "s"], "exactly one"),
                          (["a", "a", "--must-link", "--by", "s"], "itself"),
                          (["a", "b", "--cannot-link"], "decided_by")):
        result = runner.invoke(suppliers_app, ["review", "decide", *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
