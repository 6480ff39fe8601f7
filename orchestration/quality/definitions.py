"""Definitions of the quality component (see :mod:`orchestration.quality.checks`)."""

from __future__ import annotations

import dagster as dg

from expectations.suite import Suite
from expectations.suites import ALL_SUITES
from infra.plugins import module_exists

#: The component that must exist for a source's bronze assets (and so its suites) to exist.
SOURCE_COMPONENTS = {"erp": "orchestration.erp", "crm": "orchestration.crm",
                     "wms": "orchestration.wms", "iot": "orchestration.iot", "tx": "orchestration.tx"}


def registered(suite: Suite) -> bool:
    """Whether every bronze asset the suite touches has a component in this deployment."""
    keys = [*suite.assets, *suite.reads]
    sources = {key[1] for key in keys if key[0] == "bronze"}
    return all(module_exists(SOURCE_COMPONENTS.get(source, f"orchestration.{source}")) for source in sources)


def build_quality_defs() -> dg.Definitions:
    """One blocking check per registered suite and attached asset."""
    from orchestration.quality.checks import suite_checks

    return dg.Definitions(asset_checks=suite_checks(s for s in ALL_SUITES if registered(s)))
