"""Supplier companies, alias records and near-twins (the entity-resolution evaluation sets)."""

from __future__ import annotations

import pandas as pd

from demo.aliases import VARIANT_TYPES
from demo.companies import build_companies, generate_supplier_records
from demo.uscc import is_valid_uscc


def test_same_seed_same_records_other_seed_differs() -> None:
    a_records, a_truth = generate_supplier_records(120, seed=11)
    b_records, b_truth = generate_supplier_records(120, seed=11)
    pd.testing.assert_frame_equal(a_records, b_records)
    pd.testing.assert_frame_equal(a_truth, b_truth)
    c_records, _ = generate_supplier_records(120, seed=12)
    assert not a_records["name"].equals(c_records["name"])


def test_exact_sizes_for_a_fixed_seed() -> None:
    records, truth = generate_supplier_records(200, seed=7)
    assert truth["company_id"].nunique() == 200
    assert len(records) == 311
    assert list(records.columns) == [
        "record_id", "business_unit_code", "vendor_code", "name", "uscc", "country", "province",
        "city", "industry", "address", "phone", "bank_name", "bank_account", "contact", "currency",
    ]
    assert list(truth.columns) == [
        "record_id", "company_id", "variant_types", "near_twin_of_company_id", "near_twin_type",
    ]


def test_every_variant_type_appears() -> None:
    uniform = {v: 1.0 for v in VARIANT_TYPES}
    _, truth = generate_supplier_records(600, seed=3, variants_per_company=2.0, variant_weights=uniform)
    seen = set(truth["variant_types"].str.split(";").explode()) - {""}
    assert seen == set(VARIANT_TYPES)


def test_variant_weights_restrict_the_types_drawn() -> None:
    _, truth = generate_supplier_records(
        150, seed=5, variants_per_company=2.0, variant_weights={"homophone_typo": 1.0})
    seen = set(truth["variant_types"].str.split(";").explode()) - {""}
    assert seen == {"homophone_typo"}


def test_harder_set_shifts_the_variant_mix() -> None:
    from demo.aliases import HARD_VARIANT_WEIGHTS

    _, normal = generate_supplier_records(300, seed=2, variants_per_company=2.0)
    _, hard = generate_supplier_records(300, seed=2, variants_per_company=2.0, variant_weights=HARD_VARIANT_WEIGHTS,
                                        near_twin_rate=0.15, near_twin_weights={"homophone_brand": 1.0})

    def share(truth: pd.DataFrame, variant: str) -> float:
        return truth["variant_types"].str.contains(variant).mean()

    assert share(hard, "homophone_typo") > 2 * share(normal, "homophone_typo")
    assert set(hard.loc[hard["near_twin_type"] != "", "near_twin_type"]) == {"homophone_brand"}


def test_credit_codes_follow_the_variants() -> None:
    records, truth = generate_supplier_records(400, seed=9)
    frame = records.merge(truth, on="record_id")
    variants = frame["variant_types"].str.split(";")
    exact = frame[frame["variant_types"] == ""]
    domestic = exact[exact["country"] == "CN"]
    assert len(domestic) > 100 and domestic["uscc"].map(is_valid_uscc).all()
    mistyped = frame[variants.map(lambda v: "mistyped_uscc" in v)]
    assert len(mistyped) > 5 and not mistyped["uscc"].map(is_valid_uscc).any()
    missing = frame[variants.map(lambda v: "missing_uscc" in v)]
    # placeholders; eighteen zeros even passes the checksum (a real-world trap)
    assert len(missing) > 5 and set(missing["uscc"].fillna("NULL")) <= {"NULL", "无", "/", "-", "0" * 18}
    # every company has one credit code: its valid codes never disagree
    valid = frame[frame["uscc"].map(is_valid_uscc) & (frame["uscc"] != "0" * 18)]
    assert (valid.groupby("company_id")["uscc"].nunique() == 1).all()
    assert (valid.groupby("uscc")["company_id"].nunique() == 1).all()


def test_near_twins_are_distinct_companies() -> None:
    companies = build_companies(500, seed=4, near_twin_rate=0.1, foreign_share=0.04)
    by_id = {c.company_id: c for c in companies}
    twins = [c for c in companies if c.near_twin_of]
    assert len(twins) == 50
    assert {c.near_twin_type for c in twins} == {
        "same_brand_other_region", "same_brand_other_industry", "same_brand_other_region_industry",
        "branch_office", "group_subsidiary", "homophone_brand"}
    for twin in twins:
        base = by_id[twin.near_twin_of]
        assert twin.company_id != base.company_id
        assert twin.legal_name != base.legal_name
        assert twin.uscc != base.uscc and is_valid_uscc(twin.uscc)
        if twin.near_twin_type != "homophone_brand":
            assert twin.brand == base.brand
    assert len({c.legal_name for c in companies}) == len(companies)
    assert len({c.uscc for c in companies if c.uscc}) == sum(1 for c in companies if c.uscc)


def test_truth_links_twin_records_to_their_base() -> None:
    _records, truth = generate_supplier_records(300, seed=8, near_twin_rate=0.1)
    twins = truth[truth["near_twin_of_company_id"] != ""]
    assert len(twins) > 20
    assert set(twins["near_twin_of_company_id"]) <= set(truth["company_id"])
    assert (twins["company_id"] != twins["near_twin_of_company_id"]).all()
