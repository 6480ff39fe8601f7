"""First generation of the demo group, and the checks around it (exists / ensure / clean).

``generate_demo_group`` writes the ERP at ``settings.erp.database_url`` (dropping and
re-creating only the ERP tables), the CRM database ``<demo dir>/crm.db``, the WMS and IoT
drops under their landing directories, the ground truth and the manifest. The same
settings, scale and seed always give the same data.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

from demo.dbwriter import make_engine, reset_tables
from demo.manifest import MANIFEST_NAME, DemoManifest
from demo.run import Progress, RunContext, run_period
from demo.state import SimState, save_state, state_dir
from demo.timebase import UTC


class DemoExistsError(FileExistsError):
    """The demo group was already generated (pass ``force=True`` to regenerate)."""


def demo_dir_of(settings) -> Path:
    return Path(settings.demo.dir)


def crm_url(settings) -> str:
    return f"sqlite:///{demo_dir_of(settings) / 'crm.db'}"


def demo_exists(settings) -> bool:
    """Whether a complete demo group (manifest and state) exists for ``settings``."""
    d = demo_dir_of(settings)
    return (d / MANIFEST_NAME).exists() and (state_dir(d) / "state.json").exists()


def iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_demo(settings) -> None:
    """Remove what a previous generation wrote: its drop files, CRM, truth, state, manifest.

    Only files listed in the state are removed from the landing directories; ERP tables are
    re-created by the next generation.
    """
    d = demo_dir_of(settings)
    files_list = state_dir(d) / "files.txt"
    if files_list.exists():
        roots = {"wms": Path(settings.wms.landing_dir), "iot": Path(settings.iot.landing_dir)}
        for line in files_list.read_text(encoding="utf-8").splitlines():
            system, _, rel = line.partition(":")
            if system in roots and rel:
                (roots[system] / rel).unlink(missing_ok=True)
    for name in ("crm.db", "crm.db-wal", "crm.db-shm", MANIFEST_NAME):
        (d / name).unlink(missing_ok=True)
    for sub in ("ground_truth", "state"):
        shutil.rmtree(d / sub, ignore_errors=True)


def build_context(settings, world, state: SimState, progress: Progress | None) -> RunContext:
    from demo import crm_data
    from demo.customers import build_customers

    customers = build_customers(world, world.seed)
    contacts = crm_data.build_contacts(world, customers, world.seed)
    d = demo_dir_of(settings)
    d.mkdir(parents=True, exist_ok=True)
    return RunContext(world=world, customers=customers, contacts=contacts, state=state,
                      engine=make_engine(settings.erp.database_url), crm_engine=make_engine(crm_url(settings)),
                      demo_dir=d, wms_landing=Path(settings.wms.landing_dir), iot_landing=Path(settings.iot.landing_dir),
                      progress=progress or (lambda label, fraction: None))


def generate_demo_group(settings, *, scale: float | None = None, seed: int | None = None,
                        force: bool = False, profile: str | None = None, mqtt_url: str | None = None,
                        progress: Progress | None = None) -> DemoManifest:
    """Generate the demo group's source systems, ground truth and manifest.

    Args:
        settings: :class:`infra.settings.Settings` (ERP URL, landing dirs, demo dir).
        scale: size factor (default ``settings.demo.scale``): 1 ≈ 800 suppliers, 20k orders.
        seed: random seed (default ``settings.demo.seed``).
        force: regenerate when a demo group already exists.
        profile: profile name or TOML path (default ``settings.demo.profile``).
        mqtt_url: also publish the IoT events to this broker (QoS 1).
        progress: ``callback(label, fraction)`` for progress bars.

    Returns:
        The manifest (also written to ``<demo dir>/manifest.json``).

    Raises:
        DemoExistsError: a demo group exists and ``force`` is False.

    Example:
        >>> from infra.settings import get_settings
        >>> generate_demo_group(get_settings(), scale=0.05, force=True).row_counts["erp.purchase_orders"]  # doctest: +SKIP
        1003
    """
    from demo.profile import load_profile
    from demo.world import build_world
    from pipelines.sources.erp.tables import metadata as erp_metadata

    started = time.perf_counter()
    scale = settings.demo.scale if scale is None else scale
    seed = settings.demo.seed if seed is None else seed
    prof = load_profile(profile or settings.demo.profile)
    if demo_exists(settings) and not force:
        raise DemoExistsError(f"a demo group exists in {demo_dir_of(settings)}; use force=True to regenerate")
    clean_demo(settings)
    report = progress or (lambda label, fraction: None)
    report("building master data", 0.02)
    world = build_world(prof, scale, seed)
    state = SimState(cutoff=world.end)
    ctx = build_context(settings, world, state, progress)
    reset_tables(ctx.engine, erp_metadata)
    from demo.crm_data import crm_metadata

    reset_tables(ctx.crm_engine, crm_metadata)
    counts = run_period(ctx, world.start, world.end, "init", initial=True)
    if mqtt_url:
        from demo.iot_io import publish_iot_events, read_events

        counts["iot.published"] = publish_iot_events(mqtt_url, read_events(ctx.iot_landing, ctx.last_iot_files))
    state.runs.append({"kind": "init", "cutoff": iso(world.end)})
    save_state(ctx.demo_dir, state)
    ctx.engine.dispose()
    ctx.crm_engine.dispose()
    manifest = DemoManifest(
        scale=scale, seed=seed, profile=prof.meta.name, profile_sha256=prof.sha256,
        window_start=prof.window_start.isoformat(), window_end=prof.window.end_date.isoformat(), cutoff=iso(world.end),
        erp_url=settings.erp.database_url, demo_dir=str(ctx.demo_dir), wms_landing_dir=str(ctx.wms_landing),
        iot_landing_dir=str(ctx.iot_landing), row_counts=dict(sorted(counts.items())),
        generation_seconds=round(time.perf_counter() - started, 2),
        generated_at=dt.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    manifest.write(ctx.demo_dir)
    report("done", 1.0)
    return manifest


def ensure_demo_group(settings, progress: Progress | None = None) -> DemoManifest | None:
    """Generate the demo group with the settings' scale and seed unless it exists.

    Returns:
        The new manifest, or None when a demo group was already there.
    """
    if demo_exists(settings):
        return None
    return generate_demo_group(settings, progress=progress)
