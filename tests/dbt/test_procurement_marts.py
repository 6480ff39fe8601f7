"""End to end on the small demo lake (#28 items 5-6): the demo's procurement loop (sourcing
events, awards, contracts, call-offs, maverick buys: demo/sourcing.py) gives every procurement
mart realistic, non-empty figures, published to gold."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_the_demo_gives_every_procurement_mart_figures(demo_lake):
    savings = demo_lake.sql("select * from gold.sourcing_savings")
    assert len(savings) >= 1 and savings["lines_with_last_price"].sum() >= 1
    assert float(savings["savings_vs_median_group"].astype(float).sum()) > 0  # the awards beat the spot prices
    compliance = demo_lake.sql("select * from gold.contract_compliance")
    assert float(compliance["on_contract_spend_group"].astype(float).sum()) > 0
    assert float(compliance["maverick_spend_group"].astype(float).sum()) > 0
    assert compliance["maverick_line_count"].sum() >= 2
    assert ((compliance["compliance_rate"] > 0) & (compliance["compliance_rate"] < 1)).any()
    utilisation = demo_lake.sql("select * from gold.contract_utilisation where is_signed")
    assert len(utilisation) >= 4 and (utilisation["called_off_quantity"] > 0).all()
    assert (utilisation["utilisation_rate"] < 1).all() and utilisation["supplier_key"].notna().any()
    expiring = demo_lake.sql("select * from gold.contracts_expiring")
    assert len(expiring) >= 1 and (expiring["days_to_expiry"] <= 90).all()
    assert set(expiring["contract_id"]) <= set(utilisation["contract_id"])
