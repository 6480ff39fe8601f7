"""Simulate more days after the current cutoff, so incremental ingest has something to do.

``advance_demo_group`` rebuilds the same master data, then simulates the new days: new
orders, receipts, invoices, payments, sales, tickets; pending rows from before move on
(orders get received and closed, invoices paid, shipments delivered, tickets resolved) and
are UPDATEd with a newer ``updated_at``; new WMS files (movements of the period, a stock
snapshot at its end) and IoT day files appear; ground truth grows.
"""

from __future__ import annotations

import time

from demo.generate import build_context, demo_dir_of, demo_exists, iso
from demo.manifest import DemoManifest
from demo.run import Progress, run_period
from demo.state import load_state, save_state
from demo.timebase import DAY


def advance_demo_group(settings, days: int, seed: int | None = None, *, mqtt_url: str | None = None,
                       progress: Progress | None = None) -> DemoManifest:
    """Simulate ``days`` more days after the demo group's current cutoff.

    Args:
        settings: :class:`infra.settings.Settings` of an existing demo group.
        days: whole days to simulate (>= 1).
        seed: seed of the new days (default: the demo's seed); the same state, days and seed
            always give the same result.
        mqtt_url: also publish the new IoT events to this broker (QoS 1).
        progress: ``callback(label, fraction)``.

    Returns:
        The updated manifest; ``manifest.advances[-1]`` holds this run's inserted-row counts
        and the number of updated rows per table.

    Raises:
        FileNotFoundError: no demo group exists for ``settings``.
        ValueError: ``days`` < 1.

    Example:
        >>> from infra.settings import get_settings
        >>> advance_demo_group(get_settings(), days=7).cutoff  # doctest: +SKIP
        '2026-11-08T00:00:00Z'
    """
    from demo.profile import load_profile
    from demo.world import build_world

    if days < 1:
        raise ValueError("days must be at least 1")
    if not demo_exists(settings):
        raise FileNotFoundError(f"no demo group in {demo_dir_of(settings)}; run `grouplake demo init` first")
    started = time.perf_counter()
    demo_dir = demo_dir_of(settings)
    manifest = DemoManifest.read(demo_dir)
    prof = load_profile(settings.demo.profile if manifest.profile == settings.demo.profile else manifest.profile)
    seed = manifest.seed if seed is None else seed
    state = load_state(demo_dir)
    world = build_world(prof, manifest.scale, manifest.seed)
    ctx = build_context(settings, world, state, progress)
    t0 = state.cutoff
    t1 = t0 + days * DAY
    counts = run_period(ctx, t0, t1, f"advance-{seed}-{int(t0)}", initial=False)
    updated = {k: v for k, v in ctx.last_updates.items() if v}
    if mqtt_url:
        from demo.iot_io import publish_iot_events, read_events

        counts["iot.published"] = publish_iot_events(mqtt_url, read_events(ctx.iot_landing, ctx.last_iot_files))
    state.cutoff = t1
    state.runs.append({"kind": "advance", "days": days, "seed": seed, "cutoff": iso(t1)})
    save_state(demo_dir, state)
    ctx.engine.dispose()
    ctx.crm_engine.dispose()
    for key, value in counts.items():
        if key.startswith(("erp.", "crm.", "wms.", "iot.", "truth.")) and key != "iot.published":
            manifest.row_counts[key] = manifest.row_counts.get(key, 0) + value
    manifest.row_counts = dict(sorted(manifest.row_counts.items()))
    manifest.cutoff = iso(t1)
    manifest.advances.append({"days": days, "seed": seed, "from": iso(t0), "to": iso(t1),
                              "inserted": dict(sorted(counts.items())), "updated": dict(sorted(updated.items())),
                              "seconds": round(time.perf_counter() - started, 2)})
    manifest.write(demo_dir)
    return manifest
