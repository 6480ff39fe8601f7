"""The customer segments apply asset: ``gold/customer_segments`` → ``customer_benefits``.

``platform/apply_customer_segments`` hands each new version of the published segments to
:func:`transactional.benefits.inbound.apply_customer_segments` through the inbound door:
every customer of a unit gets the benefits its unit's policy gives its segment, with the
segment, the policy version and the snapshot version recorded (DESIGN.md, "Closing the loop").
"""

from __future__ import annotations

import dagster as dg

from orchestration.decisions.door import decision_apply_asset
from transactional.benefits.inbound import KIND, apply_customer_segments

GOLD_TABLE = "customer_segments"


def customer_segments_apply_asset() -> dg.AssetsDefinition:
    """``platform/apply_customer_segments``."""
    return decision_apply_asset(
        kind=KIND, gold_table=GOLD_TABLE, applier=apply_customer_segments,
        source_key=dg.AssetKey(["gold", GOLD_TABLE]),
        description="Grants each customer the benefits of its segment under its unit's policy "
                    "(payment terms, credit limit, account manager, discount tier, coupon campaigns); "
                    "the segment, policy version and snapshot version are recorded on every row.",
    )


def build_benefits_defs() -> dg.Definitions:
    """The benefits component's definitions: the apply asset of the customer segments."""
    return dg.Definitions(assets=[customer_segments_apply_asset()])
