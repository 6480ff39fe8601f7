"""``wms_landing_sensor``: run the WMS assets when new exports appear in the landing folder.

The sensor only lists the folder (name, size, modification time of each recognised file);
its cursor is the digest of that listing, so a run is requested once per new state of the
folder. Exactly-once landing does not depend on it: the assets identify files by content
hash and archive what they landed.
"""

from __future__ import annotations

import hashlib

import dagster as dg

from orchestration.wms.assets import wms_assets

wms_ingest_job = dg.define_asset_job(
    "wms_ingest_job",
    selection=dg.AssetSelection.assets(*wms_assets),
    description="Land the WMS exports waiting in the landing folder.",
)


def waiting_digest(landing_dir: str) -> tuple[int, str | None]:
    """(number of recognised files waiting, digest of their listing) — ``(0, None)`` if none."""
    from pipelines.sources.shared.folder import DropFolder
    from pipelines.sources.wms.specs import entity_of

    files = [f for f in DropFolder(landing_dir).list() if entity_of(f) is not None]
    if not files:
        return 0, None
    digest = hashlib.sha256("\n".join(f.fingerprint() for f in files).encode()).hexdigest()[:32]
    return len(files), digest


@dg.sensor(
    job=wms_ingest_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a WMS ingest run when new export files are waiting in the landing folder.",
)
def wms_landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    from infra.settings import get_settings

    count, digest = waiting_digest(get_settings().wms.landing_dir)
    if digest is None:
        return dg.SkipReason("no WMS export waiting in the landing folder")
    if digest == context.cursor:
        return dg.SkipReason(f"{count} file(s) waiting, already requested")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"wms-{digest}", tags={"grouplake/wms_files": str(count)})],
        cursor=digest,
    )
