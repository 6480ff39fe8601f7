"""``["serving", "snapshot"]``: copy the gold tables the serving API reads into a new
snapshot file and swap the API onto it (:func:`serving.snapshot.build.build_snapshot`).

Downstream of every ``["gold", <mart>]`` it copies (the published dbt marts in
:data:`serving.snapshot.catalog.SERVED_TABLES`, and the ML gold tables when the ML component
is present), so it runs after publication; a gold step that fails skips it and the API keeps
serving the previous snapshot. The column docs (metric definitions) come from the dbt
manifest. On success it leaves the example requests ``grouplake up`` prints.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from infra.settings import get_settings
from serving.snapshot.catalog import served_marts

SNAPSHOT_KEY = dg.AssetKey(["serving", "snapshot"])
ML_MARTS = ("ml_fraud_risk", "ml_recommendations", "ml_delivery_risk")


def gold_dependencies(published: set[str], *, with_ml: bool) -> list[dg.AssetKey]:
    """Gold assets the snapshot copies: served marts the dbt project publishes (+ ML tables)."""
    keys = []
    for mart in served_marts():
        if mart in published or (with_ml and mart in ML_MARTS):
            keys.append(dg.AssetKey(["gold", mart]))
    return keys


def _manifest() -> dict:
    from dbt_project.marts import load_manifest
    from dbt_project.runner import manifest_path

    path = manifest_path(get_settings())
    return load_manifest(path) if path.exists() else {}


def snapshot_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The snapshot asset over ``deps`` (gold asset keys)."""

    @dg.asset(
        key=SNAPSHOT_KEY,
        deps=deps,
        group_name="serving",
        kinds={"duckdb"},
        owners=["team:serving"],
        description=(
            "The serving API's read-optimised copy of the gold tables: one DuckDB file per "
            "snapshot (`<serving.snapshot_dir>/snapshot-<id>.duckdb`) with pre-rendered "
            "scorecards and their ETags, made current by an atomic pointer swap; replaced "
            "files are deleted after `serving.snapshot_grace_s`."),
        metadata={"snapshot_dir": get_settings().serving.snapshot_dir},
    )
    def serving_snapshot(context) -> dg.MaterializeResult:
        from serving.examples import write_examples
        from serving.snapshot.build import build_from_settings
        from serving.snapshot.docs import column_docs

        settings = get_settings()
        docs = column_docs(_manifest(), served_marts())
        result = build_from_settings(settings, column_docs=docs)
        info = result.info
        if result.built:
            context.log.info(f"serving snapshot {info.snapshot_id} is current "
                             f"({len(info.sources)} tables, {info.build_seconds:.1f}s)")
        else:
            context.log.info(f"gold unchanged: serving snapshot {info.snapshot_id} stays current")
        if result.missing:
            context.log.warning("served marts not published yet: " + ", ".join(result.missing))
        snapshot_file = Path(settings.serving.snapshot_dir) / info.file
        examples = write_examples(settings, snapshot_file)
        return dg.MaterializeResult(metadata={
            "snapshot_id": info.snapshot_id,
            "built": result.built,
            "file": str(snapshot_file),
            "tables": dg.MetadataValue.json({m: s for m, s in sorted(info.sources.items())}),
            "missing_marts": ", ".join(result.missing),
            "deleted_snapshots": len(result.deleted),
            "build_seconds": info.build_seconds,
            "examples": str(examples),
            "dagster/row_count": sum(int(s["rows"]) for s in info.sources.values()),
        })

    return serving_snapshot


def build_serving_defs(with_ml: bool = True) -> dg.Definitions:
    """The serving component's definitions (``with_ml``: the ML gold tables are deployed)."""
    from dbt_project.marts import published_marts

    published = {spec.mart for spec in published_marts(_parsed_manifest())}
    deps = gold_dependencies(published, with_ml=with_ml)
    return dg.Definitions(assets=[snapshot_asset(deps)])


def _parsed_manifest() -> dict:
    from dbt_project.marts import load_manifest
    from dbt_project.runner import parse_manifest

    return load_manifest(parse_manifest(get_settings()))
