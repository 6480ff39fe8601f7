"""The dbt project's Python side: how GroupLake runs it and what it publishes.

The project itself is SQL and YAML (``models/``, ``macros/``, ``tests/``, read by dbt); this
package is what other code needs to know about it, without Dagster:

- :mod:`dbt_project.runner`: where the project is, the environment dbt reads settings
  through, the dbt executable, the manifest and its freshness;
- :mod:`dbt_project.marts`: which marts the project flags for publication (their
  :class:`~dbt_project.marts.MartSpec`) and how a mart is read from dbt's DuckDB file.

Layering (DESIGN.md): imports ``lake``, ``models``, ``infra`` only.
"""
