"""``iot_sensor``: drive the IoT micro-batch runs.

- MQTT mode: the broker cannot be peeked without consuming, so the sensor requests a run
  every ``minimum_interval_seconds`` unless one is still queued or running; each run drains
  the persistent sessions until the broker is idle and acknowledges only what it committed.
- Drop mode: like the WMS sensor, a run is requested when the set of JSONL files waiting in
  the landing folder changes.
"""

from __future__ import annotations

import hashlib

import dagster as dg

from orchestration.iot.assets import iot_assets

iot_ingest_job = dg.define_asset_job(
    "iot_ingest_job",
    selection=dg.AssetSelection.assets(*iot_assets),
    description="Land the IoT events waiting on the broker or in the landing folder.",
)

_ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def waiting_digest(landing_dir: str) -> tuple[int, str | None]:
    """(number of JSONL drops waiting, digest of their listing) — ``(0, None)`` if none."""
    from pipelines.sources.iot.drops import kind_of
    from pipelines.sources.shared.folder import DropFolder

    files = [f for f in DropFolder(landing_dir).list() if kind_of(f) is not None]
    if not files:
        return 0, None
    return len(files), hashlib.sha256("\n".join(f.fingerprint() for f in files).encode()).hexdigest()[:32]


@dg.sensor(
    job=iot_ingest_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests IoT micro-batch runs: periodically from the MQTT broker, or when JSONL drops appear.",
)
def iot_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    from infra.settings import get_settings

    iot = get_settings().iot
    if iot.mqtt_url:
        active = context.instance.get_runs(
            filters=dg.RunsFilter(job_name=iot_ingest_job.name, statuses=_ACTIVE), limit=1
        )
        if active:
            return dg.SkipReason(f"IoT run {active[0].run_id} is still draining the broker")
        return dg.SensorResult(run_requests=[dg.RunRequest(tags={"grouplake/iot_mode": "mqtt"})])
    count, digest = waiting_digest(iot.landing_dir)
    if digest is None:
        return dg.SkipReason("no IoT drop waiting in the landing folder")
    if digest == context.cursor:
        return dg.SkipReason(f"{count} drop(s) waiting, already requested")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"iot-{digest}", tags={"grouplake/iot_mode": "files"})],
        cursor=digest,
    )
