"""The serving component: the ``["serving", "snapshot"]`` asset downstream of the gold tables
the serving API reads (``build_serving_defs`` in ``orchestration.serving.assets``; it reads the
dbt manifest)."""
