"""The supplier resolution dbt Python model's own logic (``int_suppliers__resolved``), called
directly: the matcher's input shape, the previous crosswalk read from the gold lake, the
output joined with golden fields. The matching itself is tested in tests/models/entity_resolution."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

MODEL = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "intermediate" / "suppliers" / \
    "int_suppliers__resolved.py"


@pytest.fixture(scope="module")
def resolved():
    spec = importlib.util.spec_from_file_location("int_suppliers__resolved", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _records() -> pd.DataFrame:
    """Rows as int_suppliers__source_records holds them (nulls, timestamps)."""
    from models.entity_resolution.uscc import make_uscc

    code = make_uscc("91140300", "11023981")
    ts = pd.Timestamp
    return pd.DataFrame([
        ("erp:V-COAL-1", "erp", "山西华阳煤业有限公司", code, "阳泉市", "0353-7078812", None, None, "COAL",
         ts("2021-01-01", tz="UTC")),
        ("erp:V-POWER-7", "erp", "华阳煤业（阳泉）有限责任公司", None, "阳泉市", "(0353)7078812", "阳泉市矿区北大街2号",
         None, "POWER", ts("2022-06-01", tz="UTC")),
        ("tx:S-1", "platform", "Shanxi Huayang Coal Co., Ltd.", None, "Yangquan", "+86 353 7078812", None,
         "0502 1234 0902", None, ts("2026-01-01", tz="UTC")),
        ("erp:V-COAL-2", "erp", "内蒙古华阳煤业有限公司", None, "鄂尔多斯市", "0477-8391025", None, None, "COAL",
         ts("2020-03-01", tz="UTC")),
    ], columns=["record_id", "source_system", "recorded_name", "uscc", "city", "phone", "address",
                "bank_account", "business_unit_code", "source_updated_at"])


def test_matcher_input_is_strings_with_empty_for_missing(resolved):
    frame = resolved.matcher_input(_records())
    assert list(frame.columns) == list(resolved.INPUT_COLUMNS.values())
    row = frame.set_index("record_id").loc["tx:S-1"]
    assert row["name"] == "Shanxi Huayang Coal Co., Ltd." and row["uscc"] == "" and row["business_unit"] == ""
    assert row["source_system"] == "platform" and row["updated_at"] == "2026-01-01T00:00:00.000000Z"
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())


def test_previous_crosswalk_is_read_from_gold_and_absent_before_the_first_publication(resolved, tmp_path: Path):
    from deltalake import write_deltalake

    assert resolved.read_previous(str(tmp_path)) is None
    published = pd.DataFrame({"record_id": ["erp:V-COAL-1"], "source_system": ["erp"],
                              "supplier_key": ["SUP-000000000001"], "group_supplier_id": ["GL-COAL-000777"],
                              "match_confidence": [1.0]})
    write_deltalake(str(tmp_path / "gold" / "supplier_source_records"), published)
    previous = resolved.read_previous(str(tmp_path))
    assert previous.to_dict("records") == [
        {"record_id": "erp:V-COAL-1", "supplier_key": "SUP-000000000001", "group_supplier_id": "GL-COAL-000777"}]


def test_no_records_give_an_empty_table_with_every_column(resolved):
    out = resolved.resolve(_records().iloc[:0])
    assert list(out.columns) == resolved.OUTPUT_COLUMNS and out.empty


@pytest.mark.slow  # fits a small match model (~20 s on 2 cores)
def test_records_get_their_golden_supplier_and_keep_previous_keys(resolved):
    from models.entity_resolution.model import fit_model

    model = fit_model(prior_companies=600)
    out = resolved.resolve(_records(), match_model=model).set_index("record_id")
    assert list(out.columns) == resolved.OUTPUT_COLUMNS[1:]
    same = out.loc[["erp:V-COAL-1", "erp:V-POWER-7", "tx:S-1"], "supplier_key"]
    assert same.nunique() == 1 and out.loc["erp:V-COAL-2", "supplier_key"] not in set(same)
    # founding records are COAL's: the unit code of both ids; sequences are new (no previous)
    assert set(out["group_supplier_id"]) == {"GL-COAL-000001", "GL-COAL-000002"}
    first = out.loc["tx:S-1"]
    assert first["member_count"] == 3 and first["golden_name"] == "山西华阳煤业有限公司"
    assert first["bank_account_source_record_id"] == "tx:S-1" and first["golden_bank_account"] == "0502 1234 0902"
    assert first["founding_record_id"] == "erp:V-COAL-1"
    assert out["match_confidence"].between(0, 1).all()
    single = out.loc["erp:V-COAL-2"]
    assert single["match_evidence"] == "singleton" and pd.isna(single["linked_record_id"])  # "" -> null
    assert pd.isna(single["golden_bank_account"]) and pd.isna(single["uscc_source_record_id"])

    previous = pd.DataFrame({"record_id": ["erp:V-COAL-1", "erp:V-COAL-2"],
                             "supplier_key": ["SUP-PREVIOUS0001", "SUP-PREVIOUS0002"],
                             "group_supplier_id": ["GL-COAL-000777", "GL-COAL-000778"]})
    again = resolved.resolve(_records(), previous, match_model=model).set_index("record_id")
    assert set(again.loc[["erp:V-COAL-1", "erp:V-POWER-7", "tx:S-1"], "group_supplier_id"]) == {"GL-COAL-000777"}
    assert set(again.loc[["erp:V-COAL-1", "tx:S-1"], "supplier_key"]) == {"SUP-PREVIOUS0001"}
    assert (again.loc["erp:V-COAL-2", "supplier_key"], again.loc["erp:V-COAL-2", "group_supplier_id"]) == (
        "SUP-PREVIOUS0002", "GL-COAL-000778")


@pytest.mark.slow  # fits a small match model (shared cache with the test above)
def test_steward_decisions_are_applied_and_uncertain_pairs_named(resolved, tmp_path: Path):
    from lake.storage import LakeStorage
    from models.entity_resolution.model import fit_model
    from models.entity_resolution.review import new_decision
    from models.entity_resolution.steward_store import append_decision

    model = fit_model(prior_companies=600)
    assert resolved.read_decisions(str(tmp_path)).empty  # no log before the first decision
    append_decision(LakeStorage(str(tmp_path), {}), resolved.DECISIONS,
                    new_decision("tx:S-1", "erp:V-COAL-1", "cannot_link", "steward1"))
    append_decision(LakeStorage(str(tmp_path), {}), resolved.DECISIONS,
                    new_decision("tx:S-1", "erp:V-POWER-7", "cannot_link", "steward1"))
    log = resolved.read_decisions(str(tmp_path))
    out = resolved.resolve(_records(), match_model=model, decisions=log,
                           review_band=(0.0, 1.01, 100)).set_index("record_id")
    assert out.loc["tx:S-1", "supplier_key"] != out.loc["erp:V-COAL-1", "supplier_key"]
    assert out.loc["erp:V-COAL-1", "supplier_key"] == out.loc["erp:V-POWER-7", "supplier_key"]
    named = out.dropna(subset=["review_record_id"])
    assert (named.index < named["review_record_id"]).all()  # left < right, like the queue
    assert not {("erp:V-COAL-1", "tx:S-1"), ("erp:V-POWER-7", "tx:S-1")} & set(zip(named.index, named["review_record_id"]))
