"""Scaffold the dbt staging model of a bronze table from its EntitySpec.

Staging is mechanical (one model per bronze table, rename and cast only), so its first
draft is generated from the same :class:`~lake.spec.EntitySpec` the ingest uses:
the SQL (CTEs ``source -> renamed``, columns grouped keys / data / foreign keys / lineage,
every column cast to its lake type), the model YAML (grain, column docs, key tests) and the
source entry. Review the output (descriptions, renames, extra tests), then commit it.

Usage::

    grouplake dbt scaffold erp sales_orders            # print
    grouplake dbt scaffold crm customers --write        # write the files
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # pyarrow costs ~0.5 s to import; the CLI loads this module on every command
    import pyarrow as pa

    from lake.spec import EntitySpec

#: Column renames applied in staging, by column name ("*" = every table).
RENAMES: dict[str, str] = {
    "inspection_required": "is_inspection_required",
    "result": "inspection_result",
    "source": "rate_source",
    "_batch_id": "bronze_batch_id",
    "_ingested_at": "bronze_ingested_at",
}
#: Text columns holding JSON documents (cast to DuckDB's json type).
JSON_COLUMNS = frozenset({"attribute_template", "attributes", "price_tiers"})
#: Lineage columns left out of staging (constant per table).
DROPPED = ("_source",)

GENERIC_DOCS: dict[str, str] = {
    "business_unit_code": "Code of the business unit (事业部) the row belongs to (COAL, POWER, …).",
    "currency": "ISO-4217 currency of the amounts on this row.",
    "created_at": "When the source system created the row (UTC).",
    "updated_at": "When the source system last changed the row (UTC); the change timestamp ingest follows.",
    "bronze_batch_id": "Deterministic id of the ingest batch that wrote this version of the row.",
    "bronze_ingested_at": "When the row version landed in bronze (UTC).",
    "uom": "Unit of measure of the quantity.",
    "country": "ISO-3166 alpha-2 country code.",
    "province": "Province (省) of the address.",
    "city": "City of the address.",
    "status": "Status of the row in the source's lifecycle.",
    "uscc": "Unified social credit code (统一社会信用代码) as entered in the source; not validated here.",
}


def singular(spec: EntitySpec) -> str:
    """The entity's singular name: its key column without ``_id`` (``sales_order``)."""
    key = spec.key[0]
    return key[: -len("_id")] if key.endswith("_id") else spec.entity.rstrip("s")


def staged_name(spec: EntitySpec, column: str) -> str:
    """Name of a bronze column in staging."""
    if column in ("name", "name_en"):
        return f"{singular(spec)}_{column}"
    return RENAMES.get(column, column)


def sql_type(dtype: pa.DataType) -> str:
    """The DuckDB type a lake type is cast to."""
    import pyarrow as pa

    if pa.types.is_decimal(dtype):
        return f"decimal({dtype.precision}, {dtype.scale})"
    if pa.types.is_timestamp(dtype):
        return "timestamptz" if dtype.tz else "timestamp"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_integer(dtype):
        return "bigint"
    if pa.types.is_floating(dtype):
        return "double"
    if pa.types.is_binary(dtype):
        return "blob"
    return "varchar"


def _group(spec: EntitySpec, column: str) -> str:
    if column in spec.key:
        return "keys"
    if column.startswith("_"):
        return "lineage"
    if column.endswith("_id") or column == "business_unit_code":
        return "foreign keys"
    return "data"


def column_groups(spec: EntitySpec) -> dict[str, list[pa.Field]]:
    """Lake fields by staging group (keys, data, foreign keys, lineage), dropped ones left out."""
    groups: dict[str, list[pa.Field]] = {"keys": [], "data": [], "foreign keys": [], "lineage": []}
    for field in spec.lake_schema:
        if field.name in DROPPED:
            continue
        groups[_group(spec, field.name)].append(field)
    return groups


def staging_sql(spec: EntitySpec) -> str:
    """The staging model's SQL."""
    lines: list[str] = []
    for group, fields in column_groups(spec).items():
        if not fields:
            continue
        lines.append(f"        -- {group}")
        if group == "lineage" and {f.name for f in fields} == {"_batch_id", "_ingested_at"}:
            lines.append("        {{ bronze_lineage_columns() }},")  # macros/staging.sql
            continue
        for field in fields:
            target = staged_name(spec, field.name)
            cast_to = "json" if field.name in JSON_COLUMNS else sql_type(field.type)
            lines.append(f"        cast({field.name} as {cast_to}) as {target},")
    lines[-1] = lines[-1].rstrip(",")
    body = "\n".join(lines)
    return (
        "with\n\n"
        "source as (\n\n"
        f"    select * from {{{{ source('{spec.source}', '{spec.entity}') }}}}\n\n"
        "),\n\n"
        "renamed as (\n\n"
        "    select\n"
        f"{body}\n\n"
        "    from source\n\n"
        ")\n\n"
        "select * from renamed\n"
    )


def _describe(spec: EntitySpec, field: pa.Field) -> str:
    import pyarrow as pa

    name = staged_name(spec, field.name)
    if name in GENERIC_DOCS:
        return GENERIC_DOCS[name]
    if field.name in spec.key and len(spec.key) > 1:
        return f"Part of the key of the {singular(spec).replace('_', ' ')} ({', '.join(spec.key)})."
    if field.name in spec.key:
        return f"Primary key of the {singular(spec).replace('_', ' ')} in the {spec.source.upper()}."
    if name.endswith("_id"):
        return f"Id of the {name[:-3].replace('_', ' ')} (not enforced by the source)."
    if pa.types.is_decimal(field.type) and name.endswith(("amount", "price", "limit")):
        return f"{name.replace('_', ' ').capitalize()} in `currency`."
    if name.endswith("_at"):
        return f"{name[:-3].replace('_', ' ').capitalize()} timestamp (UTC)."
    if name.endswith("_date"):
        return f"{name[:-5].replace('_', ' ').capitalize()} date (business date)."
    if name in JSON_COLUMNS:
        return f"{name.replace('_', ' ').capitalize()} (JSON document)."
    return name.replace("_", " ").capitalize() + "."


def staging_yaml(spec: EntitySpec, model: str) -> str:
    """The staging model's YAML: grain, column docs, key tests."""
    out = [
        "models:",
        f"  - name: {model}",
        "    description: >",
        f"      {spec.description or spec.name} Staged from bronze `{spec.sql_name}`: renamed and",
        "      cast only.",
        f"      Grain: one row per {singular(spec).replace('_', ' ')} ({', '.join(spec.key)}),",
        "      the latest version ingested.",
        "    columns:",
    ]
    for fields in column_groups(spec).values():
        for field in fields:
            name = staged_name(spec, field.name)
            out.append(f"      - name: {name}")
            out.append(f"        description: {_yaml_str(_describe(spec, field))}")
            if field.name in spec.key and len(spec.key) == 1:
                out.append("        data_tests: [unique, not_null]")
            elif field.name in spec.key:
                out.append("        data_tests: [not_null]")
    if len(spec.key) > 1:
        staged = ", ".join(staged_name(spec, k) for k in spec.key)
        at = out.index("    columns:")
        out[at:at] = [
            "    data_tests:",
            "      - unique_combination_of_columns:",
            f"          arguments: {{combination_of_columns: [{staged}]}}",
        ]
    return "\n".join(out) + "\n"


def _yaml_str(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def source_entry(spec: EntitySpec) -> str:
    """The table entry to add under the source in ``_<source>__sources.yml``."""
    return (
        f"      - name: {spec.entity}\n"
        f"        description: {_yaml_str(spec.description or spec.name)}\n"
        "        config:\n"
        "          delta_table_path: \"{{ env_var('GROUPLAKE_LAKE_ROOT', '../.grouplake/lake') }}"
        f"/{spec.relative_path}\"\n"
    )


def model_name(spec: EntitySpec) -> str:
    """``stg_<source>__<entities>``."""
    return f"stg_{spec.source}__{spec.entity}"


def _find_spec(source: str, entity: str) -> EntitySpec:
    from pipelines.sources.catalog import bronze_specs

    for spec in bronze_specs():
        if (spec.source, spec.entity) == (source, entity):
            return spec
    raise SystemExit(f"no bronze spec {source}.{entity}")


def scaffold(source: str, entity: str, *, write: bool = False) -> str:
    """The staging files of bronze table ``source.entity``: written into the dbt project with
    ``write`` (returns what to paste into the source YAML), else returned as text."""
    from dbt_project.runner import project_dir
    from infra.settings import get_settings

    spec = _find_spec(source, entity)
    model = model_name(spec)
    folder = project_dir(get_settings()) / "models" / "staging" / spec.source
    if write:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{model}.sql").write_text(staging_sql(spec))
        (folder / f"{model}.yml").write_text(staging_yaml(spec, model))
        return (f"wrote {folder / model}.sql/.yml; add to {folder}/_{spec.source}__sources.yml:\n"
                f"{source_entry(spec)}")
    return (f"-- {model}.sql\n{staging_sql(spec)}\n# {model}.yml\n{staging_yaml(spec, model)}\n"
            f"# source entry\n{source_entry(spec)}")


def register(app: typer.Typer) -> None:
    """Add ``grouplake dbt scaffold`` to the root app."""
    dbt_app = typer.Typer(help="Developer tools for the dbt project.", no_args_is_help=True)

    @dbt_app.command("scaffold")
    def _scaffold(
        source: str = typer.Argument(..., help="source system, e.g. erp"),
        entity: str = typer.Argument(..., help="bronze entity, e.g. sales_orders"),
        write: bool = typer.Option(False, "--write", help="write the SQL and YAML files"),
    ) -> None:
        """Print (or --write) the staging model of one bronze table, from its EntitySpec."""
        typer.echo(scaffold(source, entity, write=write))

    app.add_typer(dbt_app, name="dbt")
