"""Definitions of the quality component (see :mod:`orchestration.quality.checks`)."""

from __future__ import annotations

from collections.abc import Collection

import dagster as dg

from expectations.suite import Suite
from expectations.suites import ALL_SUITES


def registered(suite: Suite, sources: Collection[str]) -> bool:
    """Whether every bronze table the suite touches belongs to a source of this deployment."""
    keys = [*suite.assets, *suite.reads]
    return all(key[1] in sources for key in keys if key[0] == "bronze")


def build_quality_defs(sources: Collection[str]) -> dg.Definitions:
    """One blocking check per suite whose bronze sources are all in ``sources``."""
    from orchestration.quality.checks import suite_checks

    return dg.Definitions(asset_checks=suite_checks(s for s in ALL_SUITES if registered(s, sources)))
