"""Great Expectations suites of GroupLake and the code that runs them.

dbt tests own keys, not-null, accepted values and relationships; these suites own ranges,
distributions, row-count drift and cross-source reconciliation (DESIGN.md). Each suite
queries DuckDB (dbt's file read-only, or the lake) into pandas, validates it with GE 1.24
and keeps an accepted baseline in ``<lake>/_meta/expectations/``. Dagster runs every suite
as a blocking asset check (``orchestration.quality``); ``grouplake expectations data-docs``
renders the stored results.

Public API::

    from expectations.suites import ALL_SUITES, get_suite
    from expectations.suite import run_suite
    outcome = run_suite(get_suite("customer_rfm"), settings)   # -> SuiteOutcome
"""
