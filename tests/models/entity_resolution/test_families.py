"""Variation families of real supplier lists (issue 17): exact pairs that must / must not merge.

The pairs are hand-written in ``tests/fixtures/supplier_pairs_families.csv`` (not made by
any generator; see ``supplier_pairs_families.README.md``). All records are prepared
together, as one input would be, so a phone or bank account that many different brands
share (an agent's) is recognised; every pair is then scored on its own with the default
match model (the synthetic prior: no code labels in this input).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # fits the default match model once (~5-15 s on 2 cores)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "supplier_pairs_families.csv"
FIELDS = ["name", "uscc", "city", "phone", "address", "bank_account"]


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    from models.entity_resolution.model import fit_model
    from models.entity_resolution.records import prepare
    from models.entity_resolution.resolve import score_pairs

    gold = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    a = gold[[f + "_a" for f in FIELDS]].set_axis(FIELDS, axis=1)
    b = gold[[f + "_b" for f in FIELDS]].set_axis(FIELDS, axis=1)
    recs = pd.concat([a, b], ignore_index=True)
    recs.insert(0, "record_id", [f"r{i}" for i in range(len(recs))])
    n = len(gold)
    probs, _ = score_pairs(prepare(recs), np.stack([np.arange(n), np.arange(n) + n], axis=1), fit_model())
    return gold.assign(p=probs, y=gold["is_match"].astype(int))


FAMILIES = ("region", "pinyin_english", "char_variant", "code_invalid_identical", "phone_format",
            "bank_account", "address", "must_stay_apart")


def test_fixture_covers_every_family(scored: pd.DataFrame) -> None:
    counts = scored.groupby("family")["y"].agg(["size", "sum"])
    assert set(counts.index) == set(FAMILIES)
    assert (counts["size"] >= 4).all()
    assert scored["pair_id"].is_unique


@pytest.mark.parametrize("family", FAMILIES)
def test_family_pairs_decided_right(scored: pd.DataFrame, family: str) -> None:
    rows = scored[scored["family"] == family]
    wrong = rows[(rows["p"] >= 0.5) != (rows["y"] == 1)]
    assert wrong.empty, "\n".join(
        f"{r.pair_id} y={r.y} p={r.p:.2f}: {r.name_a} | {r.name_b} ({r.note})" for r in wrong.itertuples())


def test_city_and_its_province_agree() -> None:
    from models.entity_resolution.features import _record_location, _relation
    from models.entity_resolution.records import prepare

    prep = prepare(pd.DataFrame({"record_id": ["a", "b", "c"],
                                 "name": ["绵阳峰恒变压器有限公司", "四川峰恒变压器有限公司", "江苏峰恒变压器有限公司"]}))
    _, loc = _record_location(prep)
    assert _relation(loc[0], loc[1]) == 1  # 绵阳 lies in 四川: agree (same province)
    assert _relation(loc[0], loc[2]) == -1


def test_phone_formats_meet() -> None:
    from models.entity_resolution.records import normalise_phone, phone_local

    keys = {normalise_phone(p) for p in ("+86 28 8512 3456", "(028)85123456", "028-85123456", "86-28-85123456",
                                         "0086 28 85123456")}
    assert keys == {"02885123456"}
    assert phone_local(normalise_phone("85123456")) == phone_local("02885123456")
    assert normalise_phone("+86 138 1234 5678") == normalise_phone("138-1234-5678") == "13812345678"


def test_agent_phone_is_no_evidence() -> None:
    from models.entity_resolution.features import pair_features
    from models.entity_resolution.records import prepare

    prep = prepare(pd.DataFrame({
        "record_id": list("abcde"),
        "name": ["绵阳兴达电子有限公司", "绵阳兴旺电子有限公司", "绵阳华信电子有限公司", "兴达电子", "绵阳兴达电子有限公司"],
        "phone": ["0816-2200888", "(0816)2200888", "+86 816 2200888", "0816-2211001", "2211001"]}))
    assert prep.phone_shared.tolist() == [True, True, True, False, False]
    f = pair_features(prep, np.array([[0, 1], [3, 4]]))
    assert np.isnan(f["phone_eq"][0]) and f["phone_eq"][1] == 1.0  # local number meets the full one
