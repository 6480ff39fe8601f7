"""ERP ingest end to end on the demo group: every row lands or is quarantined, exactly once."""

from __future__ import annotations

from collections import Counter

import pytest

from lake.storage import LakeStorage
from lake.tables import read_table
from pipelines.sources.erp.specs import erp_specs
from tests.pipelines.sources import erp_helpers as h


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    settings = h.make_settings(tmp_path_factory.mktemp("erp") / "home")
    manifest = h.generate(settings)
    first = h.ingest_all(settings)
    return settings, manifest, first


def test_every_source_row_lands_or_is_quarantined(demo):
    settings, manifest, first = demo
    lake = LakeStorage.from_settings(settings)
    quarantined = Counter(r["entity"] for r in h.quarantine_rows(lake))
    for spec in erp_specs():
        rows = read_table(lake, spec.relative_path, columns=list(spec.key)).num_rows
        assert rows + quarantined[spec.entity] == manifest.row_counts[f"erp.{spec.entity}"], spec.entity
        assert first[spec.entity].extracted == manifest.row_counts[f"erp.{spec.entity}"]


def test_quarantine_holds_exactly_the_malformed_rows_with_reasons(demo):
    settings, _, first = demo
    lake = LakeStorage.from_settings(settings)
    truth = {(r["location"], r["key"]): r["kind"] for r in h.dirty_truth(settings) if r["kind"] in h.INGEST_DIRTY_KINDS}
    got = {(r["entity"], r["record_key"]): r["reason"] for r in h.quarantine_rows(lake)}
    assert set(got) == set(truth)
    for key, kind in truth.items():
        expected = {
            "bad_number": "cannot cast",
            "broken_encoding": "is not valid UTF-8",
            "null_required": "is null",
        }[kind]
        assert expected in got[key], (key, got[key])
    assert sum(r.quarantined for r in first.values()) == len(truth)


def test_downstream_problems_are_not_bronze_problems(demo):
    """Dangling references, negative quantities and out-of-order dates land in bronze as they
    are; dbt tests and Great Expectations catch them downstream."""
    settings, _, _ = demo
    lake = LakeStorage.from_settings(settings)
    for row in h.dirty_truth(settings):
        if row["kind"] in h.INGEST_DIRTY_KINDS:
            continue
        spec = next(s for s in erp_specs() if s.entity == row["location"])
        keys = set(read_table(lake, spec.relative_path, columns=list(spec.key)).column(0).to_pylist())
        assert row["key"] in keys, row


def test_bronze_rows_carry_lineage_and_the_source_key(demo):
    settings, _, _ = demo
    lake = LakeStorage.from_settings(settings)
    t = read_table(lake, "bronze/erp/purchase_orders")
    assert t.column_names[-3:] == ["_source", "_batch_id", "_ingested_at"]
    assert set(t.column("_source").to_pylist()) == {"erp"}
    assert all(b.startswith("erp.purchase_orders.") for b in t.column("_batch_id").to_pylist())
    assert t.column("purchase_order_id").null_count == 0 and t.column("updated_at").null_count == 0


def test_rerun_with_nothing_new_creates_no_version(demo):
    settings, _, _ = demo
    lake = LakeStorage.from_settings(settings)
    before = h.versions(lake)
    reports = h.ingest_all(settings)
    assert h.versions(lake) == before
    assert all(r.batches == [] for r in reports.values())


def test_advance_lands_exactly_the_new_and_changed_rows(demo):
    from demo import advance_demo_group

    settings, _, _ = demo
    manifest = advance_demo_group(settings, 2)
    step = manifest.advances[-1]
    reports = h.ingest_all(settings)
    for spec in erp_specs():
        inserted = step["inserted"].get(f"erp.{spec.entity}", 0)
        updated = step["updated"].get(f"erp.{spec.entity}", 0)
        assert (reports[spec.entity].inserted, reports[spec.entity].updated) == (inserted, updated), spec.entity
