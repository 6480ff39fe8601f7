"""``grouplake demo …``: generate, advance, inspect and serve the demo group.

Mounted under the root command by :func:`register`.
Heavy libraries are imported inside the command bodies so ``grouplake --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import typer

demo_app = typer.Typer(name="demo", help="The demo group: simulated ERP, CRM, WMS and IoT sources.",
                       no_args_is_help=True)


def _print_counts(manifest, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("system")
    table.add_column("table / kind")
    table.add_column("rows", justify="right")
    for key, value in manifest.row_counts.items():
        system, _, name = key.partition(".")
        table.add_row(system, name, f"{value:,}")
    Console().print(table)


def _progress_run(label: str, fn):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task(label, total=1.0)

        def report(step: str, fraction: float) -> None:
            bar.update(task, description=step, completed=fraction)

        return fn(report)


@demo_app.command("init")
def init(scale: float = typer.Option(None, help="size factor (default: settings.demo.scale)"),
         seed: int = typer.Option(None, help="random seed (default: settings.demo.seed)"),
         force: bool = typer.Option(False, "--force", help="regenerate when a demo group exists"),
         mqtt_url: str = typer.Option(None, help="also publish IoT events to this MQTT broker")) -> None:
    """Generate the demo group (ERP database, CRM, WMS and IoT drops, ground truth)."""
    from demo.generate import DemoExistsError, generate_demo_group
    from infra.settings import get_settings

    settings = get_settings()
    try:
        manifest = _progress_run("generating", lambda report: generate_demo_group(
            settings, scale=scale, seed=seed, force=force, mqtt_url=mqtt_url, progress=report))
    except DemoExistsError as exc:
        typer.echo(f"{exc}", err=True)
        raise typer.Exit(1) from None
    _print_counts(manifest, f"demo group: scale {manifest.scale}, seed {manifest.seed}, "
                            f"{manifest.generation_seconds:.1f} s")
    typer.echo(f"ERP: {manifest.erp_url}\nCRM: {manifest.demo_dir}/crm.db (grouplake demo crm-serve)\n"
               f"WMS drops: {manifest.wms_landing_dir}\nIoT drops: {manifest.iot_landing_dir}\n"
               f"ground truth: {manifest.demo_dir}/ground_truth")


@demo_app.command("advance")
def advance(days: int = typer.Option(..., "--days", min=1, help="days to simulate after the current cutoff"),
            seed: int = typer.Option(None, help="seed of the new days (default: the demo's seed)"),
            publish: bool = typer.Option(None, "--publish/--no-publish",
                                         help="publish the new IoT events over MQTT (default: when iot.mqtt_url is set)")) -> None:
    """Simulate more days: new rows, status updates with newer updated_at, new drop files."""
    from demo.advance import advance_demo_group
    from infra.settings import get_settings

    settings = get_settings()
    mqtt_url = settings.iot.mqtt_url if (publish is None or publish) else None
    if publish and not mqtt_url:
        typer.echo("--publish needs IOT__MQTT_URL", err=True)
        raise typer.Exit(2)
    try:
        manifest = _progress_run("advancing", lambda report: advance_demo_group(
            settings, days, seed, mqtt_url=mqtt_url, progress=report))
    except FileNotFoundError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    last = manifest.advances[-1]
    typer.echo(f"advanced {last['from']} → {last['to']} in {last['seconds']} s")
    for key, value in last["inserted"].items():
        if value:
            typer.echo(f"  new {key}: {value:,}")
    for key, value in last["updated"].items():
        typer.echo(f"  updated {key}: {value:,}")


@demo_app.command("status")
def status() -> None:
    """Show whether a demo group exists, its cutoff and row counts."""
    from pathlib import Path

    from demo.generate import demo_exists
    from demo.manifest import DemoManifest
    from infra.settings import get_settings

    settings = get_settings()
    if not demo_exists(settings):
        typer.echo(f"no demo group in {settings.demo.dir} (run `grouplake demo init`)")
        raise typer.Exit(1)
    manifest = DemoManifest.read(Path(settings.demo.dir))
    typer.echo(f"scale {manifest.scale}, seed {manifest.seed}, profile {manifest.profile} "
               f"({manifest.profile_sha256[:12]}), window {manifest.window_start} … {manifest.window_end}, "
               f"cutoff {manifest.cutoff}, {len(manifest.advances)} advance(s)")
    _print_counts(manifest, "rows generated")


@demo_app.command("crm-serve")
def crm_serve(port: int = typer.Option(0, help="port (0 = a free one)"),
              host: str = typer.Option("127.0.0.1", help="interface to bind"),
              token: str = typer.Option(None, help="bearer token (default: CRM__TOKEN or the demo token)"),
              chaos: bool = typer.Option(True, "--chaos/--no-chaos", help="profile rate limit and 5xx rate")) -> None:
    """Serve the demo CRM's REST API until interrupted."""
    from pathlib import Path

    from demo.crm_server import DEMO_CRM_TOKEN, CrmChaos, run_crm_server
    from infra.settings import get_settings

    settings = get_settings()
    secret = token or (settings.crm.token.get_secret_value() if settings.crm.token else DEMO_CRM_TOKEN)
    db = Path(settings.demo.dir) / "crm.db"
    if not db.exists():
        typer.echo(f"no CRM database at {db} (run `grouplake demo init`)", err=True)
        raise typer.Exit(1)
    typer.echo(f"token: {secret}")
    run_crm_server(db, token=secret, host=host, port=port,
                   chaos=CrmChaos.from_profile(settings.demo.seed, settings.demo.profile) if chaos else None)


@demo_app.command("sourcing-history")
def sourcing_history(
        output: str = typer.Argument(..., help="where to write the history JSON"),
        months: int = typer.Option(8, help="held-out period: the last MONTHS months of the window"),
        scale: float = typer.Option(None, help="size factor (default: settings.demo.scale)"),
        seed: int = typer.Option(None, help="random seed (default: settings.demo.seed)")) -> None:
    """Write the demo group's held-out purchase-order lines and the offers in force then, for
    ``grouplake sourcing replay`` (regenerated with the demo generator, no lake needed)."""
    import json
    from pathlib import Path

    from demo.sourcing_history import demo_history
    from infra.settings import get_settings
    from models.sourcing.replay import history_to_json

    settings = get_settings()
    if months < 1:
        typer.echo("error: --months must be >= 1", err=True)
        raise typer.Exit(2)
    lines, offers, facts = demo_history(settings.demo.profile,
                                        settings.demo.scale if scale is None else scale,
                                        settings.demo.seed if seed is None else seed, months)
    Path(output).write_text(json.dumps(history_to_json(lines, offers, facts=facts)), encoding="utf-8")
    typer.echo(json.dumps(facts, indent=2))


benefits_app = typer.Typer(name="benefits", help="Customer benefits: the measured effect of a campaign.",
                           no_args_is_help=True)


@benefits_app.command("uplift")
def uplift(
    seed: int = typer.Option(None, "--seed", help="campaign seed (default: the demo seed)"),
    holdout: float = typer.Option(0.2, "--holdout", min=0.05, max=0.5, help="share of targeted customers held out"),
    scope: str = typer.Option("GROUP", "--scope", help="gold.customer_rfm scope: GROUP or a unit code"),
    synthetic: int = typer.Option(0, "--synthetic", min=0,
                                  help="simulate N synthetic customers instead of the lake's"),
    no_effect: bool = typer.Option(False, "--no-effect", help="a placebo campaign: the coupon changes nothing"),
    output: Path = typer.Option(None, "--output", "-o", help="write the report as JSON to this file"),
) -> None:
    """Repurchase rate per segment before/after a coupon campaign, treated vs a random
    holdout, and the uplift with its 95 % interval (demo/campaign.py's response model over
    the lake's customer segments; models/uplift.py's estimate)."""
    import json

    from rich.console import Console
    from rich.table import Table

    from demo.campaign import (
        ResponseModel,
        customers_from_lake,
        simulate_campaign,
        synthetic_customers,
        true_uplift,
    )
    from infra.settings import get_settings
    from models.uplift import as_frame, uplift_by_segment

    settings = get_settings()
    seed = settings.demo.seed if seed is None else seed
    if synthetic:
        customers, source = synthetic_customers(synthetic, seed), f"{synthetic:,} synthetic customers"
    else:
        from lake.sql import connect
        from lake.storage import LakeStorage

        try:
            con = connect(LakeStorage.from_settings(settings))
            customers = customers_from_lake(lambda query: con.execute(query).df(), scope)
        except Exception as exc:  # noqa: BLE001 - no lake yet: say what to do
            typer.echo(f"no gold.customer_rfm in the lake ({type(exc).__name__}); run `grouplake run` first "
                       "or pass --synthetic N", err=True)
            raise typer.Exit(1) from None
        source = f"gold.customer_rfm (scope {scope}, {len(customers):,} customers)"
    model = ResponseModel(lift={}) if no_effect else ResponseModel()
    campaign = simulate_campaign(customers, seed, holdout_share=holdout, model=model)
    if campaign["arm"].nunique() < 2:
        typer.echo("too few targeted customers for a treated and a holdout group", err=True)
        raise typer.Exit(1)
    rows, truth = uplift_by_segment(campaign), true_uplift(campaign)
    table = Table(title=f"Coupon campaign uplift (seed {seed}, holdout {holdout:.0%}; {source})")
    for column in ("segment", "n treated", "n holdout", "before T/H", "after T/H", "uplift", "95 % CI",
                   "true (model)"):
        table.add_column(column, justify="left" if column == "segment" else "right")
    for r in rows:
        table.add_row(r.segment, f"{r.n_treated:,}", f"{r.n_holdout:,}",
                      f"{r.before_treated:.1%} / {r.before_holdout:.1%}", f"{r.after_treated:.1%} / {r.after_holdout:.1%}",
                      f"{r.uplift:+.1%}", f"[{r.ci_low:+.1%}, {r.ci_high:+.1%}]", f"{truth.get(r.segment, 0):+.1%}")
    Console().print(table)
    if output is not None:
        report = as_frame(rows).assign(true_uplift=[truth.get(r.segment, 0.0) for r in rows])
        output.write_text(json.dumps({"seed": seed, "holdout": holdout, "source": source,
                                      "rows": report.to_dict(orient="records")}, indent=2))
        typer.echo(f"report written to {output}")


def register(app: typer.Typer) -> None:
    """Add ``grouplake demo …`` and ``grouplake benefits …`` to the root app."""
    app.add_typer(demo_app, name="demo", help="The demo group: a simulated group's source systems.")
    app.add_typer(benefits_app, name="benefits", help="Customer benefits: the measured effect of a campaign.")
