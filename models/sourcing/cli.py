"""``grouplake sourcing …``: the best-value supplier combination for a requisition.

``grouplake sourcing optimise REQUISITION.json`` reads the requisition of issue #16 and prints
the plan as JSON (``status``, ``total_cost``, ``allocations``, ``suppliers_used``, ``reason``
when infeasible, plus per-line coverage/excess and why other offers were not used). Optional
inputs ``late_probability`` (per offer) and ``delay_cost_per_unit`` (requisition) add the
expected delay cost, shown as ``expected_delay_cost`` per allocation and for the plan. Exit
codes: 0 optimal; 1 infeasible or stopped at the time limit; 2 unreadable file or malformed
requisition. Heavy imports stay inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

sourcing_app = typer.Typer(
    help="Sourcing: the cheapest supplier combination for a requisition (exact MILP).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@sourcing_app.callback()
def _sourcing() -> None:
    """Sourcing: the cheapest supplier combination for a requisition (exact MILP)."""


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@sourcing_app.command("optimise")
def optimise_command(
    requisition: Annotated[Path, typer.Argument(help="requisition JSON (issue #16 format)")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="solver wall-clock limit, seconds")
    ] = 60.0,
) -> None:
    """Solve REQUISITION exactly and print the plan as JSON."""
    import json

    from models.sourcing import SourcingInputError, optimise, parse_requisition

    try:
        data = json.loads(requisition.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(f"no such file: {requisition}", 2) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(f"cannot read {requisition} as JSON: {exc}", 2) from None
    try:
        req = parse_requisition(data)
    except SourcingInputError as exc:
        raise _fail(str(exc), 2) from None
    if time_limit <= 0:
        raise _fail("--time-limit must be > 0", 2)
    plan = optimise(req, time_limit=time_limit)
    typer.echo(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
    if plan.status != "optimal":
        raise typer.Exit(1)
