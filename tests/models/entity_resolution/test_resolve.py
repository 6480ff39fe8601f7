"""End to end: resolve_suppliers, golden records with lineage, stable keys, the command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from models.entity_resolution import resolve_suppliers
from models.entity_resolution.keys import anchor_key
from models.entity_resolution.uscc import make_uscc

pytestmark = pytest.mark.slow  # fits a (small) match model: ~20 s on 2 cores

CODE = make_uscc("91140300", "11023981")


def _records() -> pd.DataFrame:
    return pd.DataFrame([
        ("COAL-1", "山西华阳煤业有限公司", CODE, "阳泉", "0353-7078812", "", "", "COAL", "2025-01-01"),
        ("POWR-7", "华阳煤业（阳泉）有限责任公司（停用）", "", "阳泉市", "(0353)7078812", "阳泉市矿区北大街2号", "", "POWR", "2025-06-01"),
        ("CHEM-3", "Shanxi Huayang Coal Co., Ltd.", "", "Yangquan", "+86 353 7078812", "", "0502 1234 0902", "CHEM", "2024-01-01"),
        ("COAL-2", "内蒙古华阳煤业有限公司", "", "鄂尔多斯", "0477-8391025", "", "", "COAL", "2024-03-01"),
        ("COAL-3", "山西华阳化工有限公司", "", "太原", "0351-4096623", "", "", "COAL", "2024-03-01"),
    ], columns=["record_id", "name", "uscc", "city", "phone", "address", "bank_account", "business_unit", "updated_at"])


def test_variants_merge_twins_stay_apart_with_lineage(small_model) -> None:
    res = resolve_suppliers(_records(), model=small_model)
    key = res.source_records.set_index("record_id")["supplier_key"]
    assert key["COAL-1"] == key["POWR-7"] == key["CHEM-3"]
    assert len({key["COAL-1"], key["COAL-2"], key["COAL-3"]}) == 3
    g = res.golden.set_index("supplier_key").loc[key["COAL-1"]]
    assert g["golden_name"] == "山西华阳煤业有限公司"  # valid code wins the name
    assert (g["uscc"], g["uscc_source_record_id"]) == (CODE, "COAL-1")
    assert (g["address"], g["address_source_record_id"]) == ("阳泉市矿区北大街2号", "POWR-7")
    assert (g["bank_account"], g["bank_account_source_record_id"]) == ("0502 1234 0902", "CHEM-3")
    assert key["COAL-1"] == anchor_key("uscc:" + CODE)  # anchored on the valid code
    assert g["group_supplier_id"].startswith("GL-") and g["member_count"] == 3
    src = res.source_records.set_index("record_id")
    assert src.loc["COAL-1", "uscc_status"] == "valid" and src.loc["POWR-7", "uscc_status"] == "empty"
    assert 0.5 <= src.loc["CHEM-3", "match_confidence"] <= 1.0
    assert src.loc["COAL-2", "match_evidence"] == "singleton"


def test_keys_are_stable_and_previous_ids_survive(small_model) -> None:
    first = resolve_suppliers(_records(), model=small_model, group_code="GL")
    again = resolve_suppliers(_records().sample(frac=1, random_state=3), model=small_model, group_code="GL")
    a = first.source_records.set_index("record_id")[["supplier_key", "group_supplier_id"]]
    b = again.source_records.set_index("record_id")[["supplier_key", "group_supplier_id"]]
    assert a["supplier_key"].sort_index().equals(b["supplier_key"].sort_index())
    crosswalk = first.source_records[["record_id", "supplier_key", "group_supplier_id"]]
    more = pd.concat([_records(), pd.DataFrame([{
        "record_id": "TRAD-1", "name": "大同恒达建材有限公司", "city": "大同", "business_unit": "TRAD"}])],
        ignore_index=True).fillna("")
    third = resolve_suppliers(more, previous=crosswalk, model=small_model, group_code="GL")
    c = third.source_records.set_index("record_id")
    for rid in a.index:
        assert (c.loc[rid, "supplier_key"], c.loc[rid, "group_supplier_id"]) == tuple(a.loc[rid])
    assert c.loc["TRAD-1", "group_supplier_id"] == "GL-TRAD-000001"
    assert c.loc["TRAD-1", "supplier_key"] not in set(a["supplier_key"])


def test_bad_input_is_refused(small_model) -> None:
    with pytest.raises(ValueError, match="missing required column"):
        resolve_suppliers(pd.DataFrame({"record_id": ["1"]}), model=small_model)
    with pytest.raises(ValueError, match="not unique"):
        resolve_suppliers(pd.DataFrame({"record_id": ["1", "1"], "name": ["a", "b"]}), model=small_model)


def test_command_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_model) -> None:
    import models.entity_resolution.resolve as resolve_mod
    from models.entity_resolution.cli import suppliers_app

    monkeypatch.setattr(resolve_mod, "fit_model", lambda *a, **k: small_model)
    src = tmp_path / "in.csv"
    _records()[["record_id", "name", "uscc", "city", "phone", "address", "bank_account"]].to_csv(src, index=False)
    out = tmp_path / "out.csv"
    runner = CliRunner()
    result = runner.invoke(suppliers_app, ["dedup", str(src), str(out)])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out, dtype=str)
    assert list(got.columns) == ["record_id", "supplier_key", "golden_name"]
    assert got["supplier_key"].nunique() == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("id,label\n1,x\n", encoding="utf-8")
    result = runner.invoke(suppliers_app, ["dedup", str(bad), str(out)])
    assert result.exit_code == 2 and "record_id" in result.output
    result = runner.invoke(suppliers_app, ["dedup", str(tmp_path / "missing.csv"), str(out)])
    assert result.exit_code == 2
