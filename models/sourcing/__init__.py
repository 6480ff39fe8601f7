"""Best-value supplier combination for a requisition: an exact mixed-integer programme.

:func:`optimise` takes a :class:`Requisition` (lines, offers with all-units quantity tiers,
suppliers with fixed order cost, score and elimination flag) and returns a :class:`Plan`
(``optimal`` / ``infeasible`` / ``time_limit``), solved with ``scipy.optimize.milp`` (HiGHS).
An optional per-offer ``late_probability`` and requisition ``delay_cost_per_unit`` add the
expected cost of late delivery to the objective (``expected_delay_cost`` in the plan).
:func:`parse_requisition` reads the JSON form of issue #16. Free of web and Dagster imports.
"""

import importlib
from typing import Any

#: public name -> submodule, imported on first use: the solver pulls in SciPy (a second or
#: more), which ``grouplake sql`` or ``grouplake --help`` must not pay for. (The solver's
#: module is ``planner``, not ``optimise``: a submodule named like the function would replace
#: it on the package once imported.)
_EXPORTS = {
    "Line": "spec",
    "Offer": "spec",
    "Plan": "spec",
    "Requisition": "spec",
    "SourcingInputError": "errors",
    "Supplier": "spec",
    "Tier": "spec",
    "optimise": "planner",
    "parse_requisition": "spec",
}

__all__ = sorted(_EXPORTS)  # noqa: PLE0605 - the lazy exports are the public names


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
