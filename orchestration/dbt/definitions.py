"""Temporary: empty definitions while the dbt component is being built."""

import dagster as dg


def build_dbt_defs() -> dg.Definitions:
    return dg.Definitions()
