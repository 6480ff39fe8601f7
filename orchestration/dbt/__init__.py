"""dbt models as Dagster assets (dagster-dbt): ``build_dbt_defs`` in
``orchestration.dbt.definitions``."""
