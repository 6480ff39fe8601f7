"""Ingest benchmark: what the lake's exactness costs, per source, against a raw Delta append.

For each source (ERP over SQLite, CRM over its HTTP API, WMS CSV drops, IoT JSONL drops)
at demo scales 1 and 10 (``BENCH_INGEST_SCALES``), in a fresh process per (source, scale):

1. **extraction**: the connector's own extraction, timed, into the Arrow batches it would
   land (ERP keyset batches, CRM page batches from the served demo CRM, WMS/IoT files read,
   hashed and parsed, grouped as the connectors group them);
2. **lake path**: from those extracted batches, exactly what the connectors do per batch —
   validate (bulk casts, row-level reasons), quarantine, merge by key under the batch's
   Delta transaction id (only-if-newer, insert-only appends), commit, then the watermark or
   file-ledger record;
3. **raw**: ``write_deltalake(mode="append")`` of the same extracted batches as they are
   (text stays text), same partitioning, one commit per batch; the only preparation, done
   outside the timing, is what Delta needs to accept them at all (an all-null column typed as
   text, a column whose type differs between batches made text, schema merge for a file's
   extra column);
4. **raw, pre-typed**: the same, from the batches already cast to the table schema (so the
   raw side skips the casts the lake path does) — a stricter reference, reported next to it.

The three sides are warmed up on the first batch (untimed; those first calls in the fresh
process are reported as the **cold** figure ``cold_first_batch``), then run interleaved
(harness, order rotating) for ``BENCH_INGEST_ROUNDS`` rounds (default 5) into fresh tables,
per entity; a source's round is the sum of its entities' round (each entity's three sides
side by side), and its ratios are computed per round (**warm** figures, median with min–max).

Reported per case: rows, batches, extraction seconds and rows/s, each side's seconds and CPU
seconds, ``ratio`` = raw seconds ÷ lake seconds (= lake rows/s ÷ raw rows/s),
``ratio_vs_typed`` = pre-typed raw seconds ÷ lake seconds, ``cpu_ratio`` = raw CPU ÷ lake
CPU (less disturbed by other work on a shared machine). **The target (≥ 0.5) gates both
ratios** (``meets_target``: against the untyped raw write *and* the pre-typed one). Also the
process's peak RSS and Arrow memory-pool peak (tracemalloc is not used: it does not see
Arrow buffers and slows Python allocations). The demo groups are generated once under
``BENCH_INGEST_DATA`` (default ``/tmp/grouplake-bench-ingest``) and reused; scale 10 takes
about 5 minutes to generate.

Run: ``make bench BENCH=ingest`` (``BENCH_QUICK=1``: WMS and IoT at scale 0.05, 2 rounds).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.benchmarks import harness

DATA = Path(os.environ.get("BENCH_INGEST_DATA", "/tmp/grouplake-bench-ingest"))
SCALES = tuple(float(s) for s in (os.environ.get("BENCH_INGEST_SCALES")
                                  or harness.by_mode("1,10", "0.05")).split(","))
SOURCES = tuple((os.environ.get("BENCH_INGEST_SOURCES")
                 or harness.by_mode("erp,crm,wms,iot", "wms,iot")).split(","))
SEED = 42
TARGET_RATIO = 0.5
ROUNDS = int(os.environ.get("BENCH_INGEST_ROUNDS") or harness.rounds(5, quick=2))
SIDES = ("raw", "typed_raw", "lake")


def demo_settings(scale: float) -> Any:
    """Settings of the benchmark's demo group at ``scale`` (generated on first use)."""
    from demo import demo_exists, generate_demo_group
    from demo.manifest import DemoManifest
    from infra.settings import Settings

    settings = Settings(_env_file=None, GROUPLAKE_HOME=str(DATA / f"scale-{scale:g}"))
    if demo_exists(settings):
        manifest = DemoManifest.read(Path(settings.demo.dir))
        if manifest.scale == scale and manifest.seed == SEED and not manifest.advances:
            return settings
    generate_demo_group(settings, scale=scale, seed=SEED, force=True)
    return settings


@dataclass
class Unit:
    """One batch as the connector would land it."""

    raw_rows: int
    land: Callable[[Any], Any]  # land(lake) -> BatchReport: the lake path of this batch
    raw: Callable[[], Any]  # the extracted batch as one Arrow table (raw write)
    typed: Callable[[], Any]  # the same rows cast to the table schema (pre-typed raw write)


# -- extraction, per source ----------------------------------------------------------------


def _watermark_units(spec: Any, batches: list[Any]) -> list[Unit]:
    from lake.batch import make_batch_id
    from lake.validate import validate_batch
    from lake.watermarks import write_watermark
    from pipelines.ingest import land_batch

    units = []
    for raw in batches:
        batch_id = make_batch_id(spec.source, spec.entity, raw.low, raw.high)

        def land(lake: Any, raw: Any = raw, batch_id: str = batch_id) -> Any:
            report = land_batch(lake, spec, raw, batch_id)
            write_watermark(lake, spec.source, spec.entity, raw.high, batch_id)
            return report

        units.append(Unit(raw.table.num_rows, land, lambda raw=raw: raw.table,
                          lambda raw=raw: validate_batch(raw.table, spec, raw.row_errors).good))
    return units


def _file_units(spec: Any, parsed: list[Any], max_rows: int) -> list[Unit]:
    import pyarrow as pa

    from lake.validate import validate_batch
    from pipelines.sources.shared.filebatch import land_files
    from pipelines.sources.shared.ledger import FileLedger

    groups: list[list[Any]] = [[]]
    rows = 0
    for p in parsed:  # the connectors' grouping: path order, up to max_rows (or 500 files)
        groups[-1].append(p)
        rows += p.raw.table.num_rows
        if rows >= max_rows or len(groups[-1]) >= 500:
            groups.append([])
            rows = 0
    units = []
    for group in (g for g in groups if g):

        def land(lake: Any, group: list[Any] = group) -> Any:
            report = land_files(lake, spec, group)
            FileLedger(lake, spec.source, spec.entity).record(report.batch_id, [
                {"sha256": p.sha256, "file": p.file.relative, "size": p.file.size,
                 "dropped_at": p.file.modified_at.isoformat(), "rows": p.raw.table.num_rows}
                for p in group
            ])
            return report

        def raw(group: list[Any] = group) -> Any:
            return pa.concat_tables([p.raw.table for p in group], promote_options="permissive")

        def typed(group: list[Any] = group) -> Any:
            return pa.concat_tables([validate_batch(p.raw.table, spec, p.raw.row_errors).good for p in group])

        units.append(Unit(sum(p.raw.table.num_rows for p in group), land, raw, typed))
    return units


def _read_drops(folder: Any, select: Callable[[Any], bool], parse: Callable[[Any, bytes], Any]) -> list[Any]:
    from pipelines.sources.shared.filebatch import ParsedFile, content_hash

    out = []
    for f in folder.list():
        if select(f):
            data = folder.read(f)
            out.append(ParsedFile(f, content_hash(data), parse(f, data)))
    return out


@contextlib.contextmanager
def _source(source: str, settings: Any) -> Iterator[tuple[list[Any], Callable[[Any], list[Unit]]]]:
    """(entity specs, extract(spec) -> units) of ``source``."""
    if source == "erp":
        from pipelines.sources.erp.extract import ErpExtractor, create_source_engine
        from pipelines.sources.erp.specs import erp_specs
        from pipelines.sources.erp.tables import metadata

        engine = create_source_engine(settings.erp.database_url)
        extractor = ErpExtractor(engine, metadata, batch_rows=settings.erp.batch_rows)
        try:
            yield erp_specs(), lambda spec: _watermark_units(spec, list(extractor.extract(spec, None)))
        finally:
            engine.dispose()
    elif source == "crm":
        from demo.crm_server import serve_crm
        from pipelines.sources.crm.client import CrmClient
        from pipelines.sources.crm.extract import CrmExtractor
        from pipelines.sources.crm.specs import crm_specs

        with serve_crm(Path(settings.demo.dir) / "crm.db", token="bench") as url, CrmClient(url, "bench") as client:
            extractor = CrmExtractor(client, page_size=settings.crm.page_size,
                                     pages_per_batch=settings.crm.pages_per_batch)
            yield crm_specs(), lambda spec: _watermark_units(spec, list(extractor.extract(spec, None)))
    elif source == "wms":
        from pipelines.sources.shared.folder import DropFolder
        from pipelines.sources.wms.parse import parse_export
        from pipelines.sources.wms.specs import entity_of, wms_specs

        folder = DropFolder(settings.wms.landing_dir)

        def wms_units(spec: Any) -> list[Unit]:
            parsed = _read_drops(folder, lambda f: entity_of(f) == spec.entity,
                                 lambda f, data: parse_export(f, data, spec))
            return _file_units(spec, parsed, settings.wms.batch_rows)

        yield wms_specs(), wms_units
    elif source == "iot":
        from pipelines.sources.iot.drops import kind_of
        from pipelines.sources.iot.parse import parse_jsonl
        from pipelines.sources.iot.specs import iot_specs
        from pipelines.sources.shared.folder import DropFolder

        folder = DropFolder(settings.iot.landing_dir)

        def iot_units(spec: Any) -> list[Unit]:
            parsed = _read_drops(folder, lambda f: kind_of(f) == spec.entity,
                                 lambda f, data: parse_jsonl(data, spec, f.relative))
            return _file_units(spec, parsed, settings.iot.batch_max_events)

        yield iot_specs(), iot_units
    else:
        raise ValueError(f"unknown source {source!r}")


# -- one measurement (runs in a fresh process) ---------------------------------------------


def delta_compatible(tables: list[Any]) -> list[Any]:
    """The extracted batches of one entity made acceptable to Delta, changing as little as
    possible: all-null columns typed as text, columns whose type differs between batches
    cast to text (as the connector extracted them, the values are unchanged)."""
    import pyarrow as pa

    types: dict[str, set[Any]] = {}
    for table in tables:
        for f in table.schema:
            if not pa.types.is_null(f.type):
                types.setdefault(f.name, set()).add(f.type)
    as_text = {name for name, kinds in types.items() if len(kinds) > 1}
    out = []
    for table in tables:
        columns = []
        for f in table.schema:
            column = table.column(f.name)
            if pa.types.is_null(f.type) or f.name in as_text:
                column = column.cast(pa.string()) if not pa.types.is_null(f.type) else pa.nulls(len(column), pa.string())
            columns.append(column)
        out.append(pa.table(columns, names=table.column_names))
    return out



def _entity(spec: Any, units: list[Unit], raws: list[Any], typed: list[Any], work: Path,
            raw_write: Callable[..., int]) -> tuple[harness.Comparison, list[Any], int]:
    """The three sides of one entity over ``ROUNDS`` interleaved rounds, each into fresh
    tables; (the comparison, the first round's lake reports, the rows the raw side wrote)."""
    from lake.storage import LakeStorage

    kept: dict[str, Any] = {"reports": [], "raw_rows": 0}

    def fresh(kind: str, number: int) -> Path:
        shutil.rmtree(work / f"{kind}-{number - 1}", ignore_errors=True)  # the previous round's
        return work / f"{kind}-{number}"

    def raw(number: int) -> None:
        kept["raw_rows"] = raw_write(spec, raws, fresh("raw", number))

    def typed_raw(number: int) -> None:
        raw_write(spec, typed, fresh("typed", number))

    def lake(number: int) -> None:
        lake = LakeStorage(str(fresh("lake", number)))
        reports = [u.land(lake) for u in units]
        kept["reports"] = kept["reports"] or reports

    comparison = harness.compare(
        spec.entity, sides=[harness.Side("raw", raw), harness.Side("typed_raw", typed_raw),
                            harness.Side("lake", lake)],
        anchor="raw", rounds=ROUNDS, temperature="warm", ratios=RATIOS)
    for kind in ("raw", "typed", "lake"):
        shutil.rmtree(work / f"{kind}-{ROUNDS - 1}", ignore_errors=True)
    return comparison, kept["reports"], kept["raw_rows"]


RATIOS = {
    "ratio": harness.speed_ratio("lake", "raw"),
    "ratio_vs_typed": harness.speed_ratio("lake", "typed_raw"),
    "cpu_ratio": harness.metric_ratio("cpu_seconds", "raw", "lake"),
}


def measure(source: str, scale: float) -> dict[str, Any]:
    """Extraction, lake path and raw writes of one source at one scale (call in a fresh
    process: the first batch's calls are the cold figure)."""
    import pyarrow as pa
    from deltalake import write_deltalake

    from lake.storage import LakeStorage

    settings = demo_settings(scale)
    work = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{source}-", dir=DATA))
    extract_s = extract_cpu_s = 0.0
    counts = {"rows": 0, "batches": 0, "rows_landed": 0, "rows_quarantined": 0, "rows_raw": 0}
    entities: dict[str, Any] = {}
    parts: list[harness.Comparison] = []
    cold: dict[str, Any] = {}

    def raw_write(spec: Any, tables: list[Any], root: Path) -> int:
        uri = str(root / spec.entity)
        partition_by = [c for c in spec.partition_by if c in tables[0].column_names] if tables else []
        for table in tables:
            write_deltalake(uri, table, mode="append", partition_by=partition_by or None, schema_mode="merge")
        return sum(t.num_rows for t in tables)

    try:
        with _source(source, settings) as (specs, extract):
            for spec in specs:
                units, took = harness.timed(extract, spec)
                extract_s += took.seconds
                extract_cpu_s += took.cpu_seconds or 0.0
                raws = delta_compatible([u.raw() for u in units])  # raw sides' inputs, prepared untimed
                typed = [u.typed() for u in units]
                if units:  # warm every side up on the first batch (untimed; the first is cold)
                    _, raw_t = harness.timed(raw_write, spec, raws[:1], work / "warm-raw")
                    _, typed_t = harness.timed(raw_write, spec, typed[:1], work / "warm-typed")
                    _, lake_t = harness.timed(units[0].land, LakeStorage(str(work / "warm-lake")))
                    cold = cold or {"temperature": "cold", "entity": spec.entity,
                                    "rows": units[0].raw_rows,
                                    "raw_s": round(raw_t.seconds, 3),
                                    "typed_raw_s": round(typed_t.seconds, 3),
                                    "lake_s": round(lake_t.seconds, 3)}
                comparison, reports, raw_rows = _entity(spec, units, raws, typed, work, raw_write)
                parts.append(comparison)
                del typed, raws
                rows = sum(u.raw_rows for u in units)
                counts["rows"] += rows
                counts["batches"] += len(units)
                counts["rows_landed"] += sum(r.inserted + r.updated for r in reports)
                counts["rows_quarantined"] += sum(r.quarantined for r in reports)
                counts["rows_raw"] += raw_rows
                entities[spec.entity] = {
                    "rows": rows, "batches": len(units),
                    **{f"{side}_s": comparison.side(side)["seconds"]["median"] for side in SIDES},
                    "ratio": comparison.ratio("ratio")["median"]}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    whole = harness.combine(f"{source}_x{scale:g}", parts, RATIOS,
                            note="per round: the sum of every entity's round")
    summary = whole.to_dict()
    rows = counts["rows"]
    medians = {side: whole.side(side)["seconds"]["median"] for side in SIDES}

    def per_s(seconds: float | None) -> float | None:
        return round(rows / seconds, 1) if seconds else None

    return {
        "source": source,
        "scale": scale,
        **counts,
        "extract_s": round(extract_s, 3),
        "extract_cpu_s": round(extract_cpu_s, 3),
        "extract_rows_per_s": per_s(extract_s),
        **{f"{side}_rows_per_s": per_s(medians[side]) for side in SIDES},
        "ratio": summary["ratios"]["ratio"]["median"],
        "ratio_vs_typed": summary["ratios"]["ratio_vs_typed"]["median"],
        "cpu_ratio": summary["ratios"]["cpu_ratio"]["median"],
        "meets_target": all((summary["ratios"][k]["median"] or 0) >= TARGET_RATIO
                            for k in ("ratio", "ratio_vs_typed")),
        "cold_first_batch": cold,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "arrow_pool_peak_mb": round(pa.default_memory_pool().max_memory() / 2**20, 1),
        "comparison": summary,
        "entities": entities,
    }


def run() -> dict[str, Any]:
    """Every source at every scale, each in a fresh process; see the module docstring."""
    DATA.mkdir(parents=True, exist_ok=True)
    generated = {}
    for scale in SCALES:
        _, took = harness.timed(demo_settings, scale)
        generated[f"{scale:g}"] = round(took.seconds, 1)
    results: dict[str, Any] = {}
    for scale in SCALES:
        for source in SOURCES:
            result = harness.in_fresh_process(measure, source, scale)
            results[f"{source}_x{scale:g}"] = result
            print(f"   {source:>4} x{scale:g}: {result['rows']} rows, extract {result['extract_s']}s,"
                  f" ratio {result['ratio']} (vs typed {result['ratio_vs_typed']}, cpu "
                  f"{result['cpu_ratio']}; {result['comparison']['rounds']} rounds, flagged "
                  f"{result['comparison']['load']['flagged_rounds']}), peak RSS "
                  f"{result['peak_rss_mb']} MB", flush=True)
    return {
        "target_ratio": TARGET_RATIO,
        "gate": "ratio and ratio_vs_typed medians both >= target",
        "seed": SEED,
        "data_dir": str(DATA),
        "demo_setup_seconds": generated,
        "rounds": ROUNDS,
        "method": ("lake = validate + quarantine + merge (Delta txn id, only-if-newer) + commit + "
                   "watermark/ledger per batch from the extracted batches; raw = write_deltalake(append) "
                   "of the same extracted batches, same partitioning, one commit per batch; typed raw = the "
                   "same from the batches pre-cast to the table schema; sides interleaved per round"),
        "results": results,
        "all_meet_target": all(r["meets_target"] for r in results.values()),
    }
