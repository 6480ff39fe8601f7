"""On the demo lake: the whole graph publishes ``gold.customer_segments`` and applies it to the
demo platform, whose dealers are the CRM's customers (``dealer_accounts.customer_ref``). Reads
only; changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

pytestmark = pytest.mark.slow


def test_the_demo_run_grants_every_platform_customer_its_segment(demo_lake):
    from lake.publish import read_published
    from lake.storage import LakeStorage
    from transactional.core.inbound import current_snapshot
    from transactional.db.database import Database
    from transactional.db.tables.benefits import customer_benefits
    from transactional.db.tables.identity import business_units
    from transactional.db.tables.rebates import dealer_accounts

    assert demo_lake.first_run.success
    segments = demo_lake.sql("select business_unit, customer_id, segment from gold.customer_segments")
    rfm = demo_lake.sql("select count(*) as n from gold.customer_rfm where scope_type = 'business_unit'")
    assert len(segments) == rfm["n"][0] > 0
    published = read_published(LakeStorage.from_settings(demo_lake.settings), "gold/customer_segments")
    db = Database.from_settings(demo_lake.settings)
    try:
        with db.read() as session:
            in_force = current_snapshot(session, "customer_segments")
            units = set(session.execute(select(business_units.c.code)).scalars())
            granted = {(r.business_unit, r.customer_ref): r.segment
                       for r in session.execute(select(customer_benefits))}
            dealers = session.execute(select(dealer_accounts.c.business_unit, dealer_accounts.c.customer_ref)).all()
    finally:
        db.dispose()
    assert in_force is not None and in_force.version == published.content_hash
    expected = {(bu, ref): seg for bu, ref, seg in segments.itertuples(index=False) if bu in units}
    assert granted == expected and len(granted) > 0
    matched = [d for d in dealers if (d.business_unit, d.customer_ref) in granted]
    assert dealers and len(matched) > 0  # the demo's dealers are CRM customers with a segment


def test_a_coupon_campaign_on_the_demo_customers_measures_its_uplift(demo_lake):
    from demo.campaign import TARGETED, customers_from_lake, simulate_campaign, true_uplift
    from models.uplift import ALL, uplift_by_segment

    customers = customers_from_lake(demo_lake.sql)
    rfm = demo_lake.sql("select count(*) as n from gold.customer_rfm where scope = 'GROUP'")
    assert len(customers) == rfm["n"][0] > 0
    campaign = simulate_campaign(customers, 42)
    assert set(campaign["segment"]) <= set(TARGETED) and len(campaign) > 0
    assert campaign.equals(simulate_campaign(customers, 42))  # seeded: the same campaign every time
    overall = {r.segment: r for r in uplift_by_segment(campaign)}[ALL]
    assert overall.n_treated + overall.n_holdout == len(campaign)
    assert overall.covers(true_uplift(campaign)[ALL])
