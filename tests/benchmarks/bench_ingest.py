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

Both paths are warmed up on the first batch (untimed), then run ``BENCH_INGEST_ROUNDS``
times (default 2) into fresh tables, keeping each side's best round: the machine is shared,
and the load average is recorded.

Reported per case: rows, batches, extraction seconds and rows/s, lake and raw seconds,
rows/s and CPU seconds, ``ratio = lake rows/s ÷ raw rows/s`` (target ≥ 0.5),
``cpu_ratio`` (raw CPU ÷ lake CPU, less disturbed by other work on a shared machine),
``ratio_vs_typed`` (against the pre-typed raw write), and
the process's peak RSS and Arrow memory-pool peak (tracemalloc is not used: it does not see
Arrow buffers and slows Python allocations). The demo groups are generated once under
``BENCH_INGEST_DATA`` (default ``/tmp/grouplake-bench-ingest``) and reused; scale 10 takes
about 5 minutes to generate.

Run: ``make bench BENCH=ingest`` (``python -m tests.benchmarks ingest``).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(os.environ.get("BENCH_INGEST_DATA", "/tmp/grouplake-bench-ingest"))
SCALES = tuple(float(s) for s in os.environ.get("BENCH_INGEST_SCALES", "1,10").split(","))
SOURCES = tuple(os.environ.get("BENCH_INGEST_SOURCES", "erp,crm,wms,iot").split(","))
SEED = 42
TARGET_RATIO = 0.5
ROUNDS = int(os.environ.get("BENCH_INGEST_ROUNDS", "2"))


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



def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _best_rounds(spec: Any, units: list[Unit], raws: list[Any], typed: list[Any], work: Path,
                 raw_write: Callable[..., int], lake_write: Callable[..., list[Any]]) -> tuple[dict, list, int]:
    """Each side's best (wall, cpu) over ``ROUNDS`` rounds into fresh tables, the first round's
    lake reports, and the rows the raw side wrote."""
    from lake.storage import LakeStorage

    best: dict[str, tuple[float, float]] = {}
    reports: list[Any] = []
    raw_rows = 0
    for round_ in range(ROUNDS):
        raw_rows, *raw_t = _timed(lambda: raw_write(spec, raws, work / f"raw-{round_}"))  # noqa: B023
        _, *typed_t = _timed(lambda: raw_write(spec, typed, work / f"typed-{round_}"))  # noqa: B023
        lake = LakeStorage(str(work / f"lake-{round_}"))
        round_reports, *lake_t = _timed(lambda: lake_write(units, lake))  # noqa: B023
        reports = reports or round_reports
        for name, t in (("raw", raw_t), ("typed_raw", typed_t), ("lake", lake_t)):
            best[name] = min(best.get(name, (float("inf"), 0.0)), (t[0], t[1]))
    return best, reports, raw_rows


def measure(source: str, scale: float) -> dict[str, Any]:
    """Extraction, lake path and raw write of one source at one scale (call in a fresh process)."""
    import pyarrow as pa
    from deltalake import write_deltalake

    from lake.storage import LakeStorage

    settings = demo_settings(scale)
    work = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{source}-", dir=DATA))
    totals = {k: 0.0 for k in ("extract_s", "extract_cpu_s", "lake_s", "lake_cpu_s", "raw_s", "raw_cpu_s",
                               "typed_raw_s", "typed_raw_cpu_s")}
    counts = {"rows": 0, "batches": 0, "rows_landed": 0, "rows_quarantined": 0, "rows_raw": 0}
    entities = {}

    def raw_write(spec: Any, tables: list[Any], root: Path) -> int:
        uri = str(root / spec.entity)
        partition_by = [c for c in spec.partition_by if c in tables[0].column_names] if tables else []
        for table in tables:
            write_deltalake(uri, table, mode="append", partition_by=partition_by or None, schema_mode="merge")
        return sum(t.num_rows for t in tables)

    def lake_write(units: list[Unit], lake: Any) -> list[Any]:
        return [u.land(lake) for u in units]

    try:
        with _source(source, settings) as (specs, extract):
            for spec in specs:
                units, seconds, cpu = _timed(lambda spec=spec: extract(spec))
                totals["extract_s"] += seconds
                totals["extract_cpu_s"] += cpu
                raws = delta_compatible([u.raw() for u in units])  # raw sides' inputs, prepared untimed
                typed = [u.typed() for u in units]
                if units:  # warm both paths up (library initialisation, page cache), untimed
                    raw_write(spec, raws[:1], work / "warm-raw")
                    units[0].land(LakeStorage(str(work / "warm-lake")))
                best, reports, raw_rows = _best_rounds(spec, units, raws, typed, work, raw_write, lake_write)
                del typed, raws
                for name, (wall, cpu) in best.items():
                    totals[f"{name}_s"] += wall
                    totals[f"{name}_cpu_s"] += cpu
                rows = sum(u.raw_rows for u in units)
                counts["rows"] += rows
                counts["batches"] += len(units)
                counts["rows_landed"] += sum(r.inserted + r.updated for r in reports)
                counts["rows_quarantined"] += sum(r.quarantined for r in reports)
                counts["rows_raw"] += raw_rows
                entities[spec.entity] = {"rows": rows, "batches": len(units), "lake_s": round(best["lake"][0], 3),
                                         "raw_s": round(best["raw"][0], 3),
                                         "typed_raw_s": round(best["typed_raw"][0], 3)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = counts["rows"]

    def per_s(seconds: float) -> float:
        return round(rows / seconds, 1) if seconds else float("nan")

    return {
        "source": source,
        "scale": scale,
        **counts,
        **{k: round(v, 3) for k, v in totals.items()},
        "extract_rows_per_s": per_s(totals["extract_s"]),
        "lake_rows_per_s": per_s(totals["lake_s"]),
        "raw_rows_per_s": per_s(totals["raw_s"]),
        "ratio": round(totals["raw_s"] / totals["lake_s"], 3) if totals["lake_s"] else None,
        "cpu_ratio": round(totals["raw_cpu_s"] / totals["lake_cpu_s"], 3) if totals["lake_cpu_s"] else None,
        "ratio_vs_typed": round(totals["typed_raw_s"] / totals["lake_s"], 3) if totals["lake_s"] else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "arrow_pool_peak_mb": round(pa.default_memory_pool().max_memory() / 2**20, 1),
        "entities": entities,
    }


def _in_fresh_process(source: str, scale: float) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(measure, source, scale).result()


def run() -> dict[str, Any]:
    """Every source at every scale; see the module docstring."""
    DATA.mkdir(parents=True, exist_ok=True)
    generated = {}
    for scale in SCALES:
        _, seconds, _ = _timed(lambda scale=scale: demo_settings(scale))
        generated[f"{scale:g}"] = round(seconds, 1)
    results = []
    for scale in SCALES:
        for source in SOURCES:
            started = os.getloadavg()[0]
            result = _in_fresh_process(source, scale)
            result["load_avg_1m"] = [round(started, 2), round(os.getloadavg()[0], 2)]
            results.append(result)
            print(f"   {source:>4} x{scale:g}: {result['rows']} rows, extract {result['extract_s']}s, "
                  f"lake {result['lake_s']}s vs raw {result['raw_s']}s -> ratio {result['ratio']} "
                  f"(cpu {result['cpu_ratio']}, vs typed {result['ratio_vs_typed']}), "
                  f"peak RSS {result['peak_rss_mb']} MB", flush=True)
    return {
        "target_ratio": TARGET_RATIO,
        "seed": SEED,
        "data_dir": str(DATA),
        "demo_setup_seconds": generated,
        "rounds": ROUNDS,
        "method": ("lake = validate + quarantine + merge (Delta txn id, only-if-newer) + commit + "
                   "watermark/ledger per batch from the extracted batches; raw = write_deltalake(append) "
                   "of the same extracted batches, same partitioning, one commit per batch; typed raw = the "
                   "same from the batches pre-cast to the table schema"),
        "results": results,
        "all_meet_target": all(r["ratio"] is not None and r["ratio"] >= TARGET_RATIO for r in results),
    }
