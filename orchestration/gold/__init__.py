"""The gold layer: one ``["gold", <mart>]`` asset per published dbt mart (``build_gold_defs`` in
``orchestration.gold.definitions``; it reads the dbt manifest)."""
