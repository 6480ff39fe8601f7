{#- The lineage columns every staging model carries from its bronze table: the ingest
    batch that landed the row and when (see DESIGN.md, "Data rules"). -#}
{% macro bronze_lineage_columns() -%}
    cast(_batch_id as varchar) as bronze_batch_id,
        cast(_ingested_at as timestamptz) as bronze_ingested_at
{%- endmacro %}
