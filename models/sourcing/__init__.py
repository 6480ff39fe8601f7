"""Best-value supplier combination for a requisition: an exact mixed-integer programme.

:func:`optimise` takes a :class:`Requisition` (lines, offers with all-units quantity tiers,
suppliers with fixed order cost, score and elimination flag) and returns a :class:`Plan`
(``optimal`` / ``infeasible`` / ``time_limit``), solved with ``scipy.optimize.milp`` (HiGHS).
An optional per-offer ``late_probability`` and requisition ``delay_cost_per_unit`` add the
expected cost of late delivery to the objective (``expected_delay_cost`` in the plan).
:func:`parse_requisition` reads the JSON form of issue #16. Free of web and Dagster imports.
"""

from __future__ import annotations

from models.sourcing.errors import SourcingInputError
from models.sourcing.optimise import optimise
from models.sourcing.spec import Line, Offer, Plan, Requisition, Supplier, Tier, parse_requisition

__all__ = ["Line", "Offer", "Plan", "Requisition", "SourcingInputError", "Supplier", "Tier",
           "optimise", "parse_requisition"]
