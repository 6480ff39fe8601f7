"""``grouplake sourcing …``: the best-value supplier combination for a requisition.

``grouplake sourcing optimise REQUISITION.json`` reads the requisition of issue #16 and prints
the plan as JSON (``status``, ``total_cost``, ``allocations``, ``suppliers_used``, ``reason``
when infeasible, plus per-line coverage/excess and why other offers were not used). Optional
inputs ``late_probability`` (per offer) and ``delay_cost_per_unit`` (requisition) add the
expected delay cost, shown as ``expected_delay_cost`` per allocation and for the plan. Exit
codes: 0 optimal; 1 infeasible or stopped at the time limit; 2 unreadable file or malformed
requisition. ``grouplake sourcing replay HISTORY.json`` replays the purchases of a history
(``grouplake demo sourcing-history`` writes the demo group's) against the optimiser and prints
the saving per business unit (``models.sourcing.replay``). Heavy imports stay inside the
commands.
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

    from models.sourcing.errors import SourcingInputError
    from models.sourcing.planner import optimise
    from models.sourcing.spec import parse_requisition

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


@sourcing_app.command("replay")
def replay_command(
    history: Annotated[Path, typer.Argument(help="history JSON (grouplake demo sourcing-history)")],
    cap_suppliers: Annotated[bool, typer.Option(
        "--cap-suppliers", help="at most as many suppliers per requisition as were used")] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="solver limit per requisition, seconds")
    ] = 30.0,
) -> None:
    """Replay the purchases of HISTORY per unit x week and print the saving as JSON."""
    import json

    from models.sourcing.replay import history_from_json, replay

    try:
        data = json.loads(history.read_text(encoding="utf-8"))
        lines, offers = history_from_json(data)
    except FileNotFoundError:
        raise _fail(f"no such file: {history}", 2) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise _fail(f"cannot read {history}: {exc}", 2) from None
    if time_limit <= 0:
        raise _fail("--time-limit must be > 0", 2)
    try:
        result = replay(lines, offers, time_limit=time_limit, cap_suppliers=cap_suppliers)
    except ValueError as exc:
        raise _fail(str(exc), 2) from None
    typer.echo(json.dumps({"facts": data.get("facts"), "cap_suppliers": cap_suppliers,
                           **result.summary()}, indent=2, ensure_ascii=False))
