"""Data quality: the Great Expectations suites as asset checks (blocking on marts, isolating on bronze).

Suites on a source's bronze tables are registered when the deployment ingests that source
(``build_quality_defs(sources)`` in ``orchestration.quality.definitions``); cross-source
suites when it ingests all of their sources.
"""
