"""``grouplake reco …``: the product recommender on any purchase history.

* ``grouplake reco evaluate TRANSACTIONS.csv [--k 10] [--seed 42]`` — columns
  ``customer_id,item_id,order_id,ordered_at`` (optional ``group_id``); each customer's last
  order is held out and everything is trained on the orders before it. Prints one JSON
  object: ``model``, ``repeat``, ``popularity`` and ``negative_control`` (the model with
  cross-buyer signals off), each with ``customers, precision_at_<k>, recall_at_<k>,
  ndcg_at_<k>``, plus ``data`` (sizes, lifts, seconds). Progress goes to stderr.

Exit codes: 0 done; 2 bad input (unreadable file, missing column, empty id, bad time).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

reco_app = typer.Typer(help="Product recommendations: evaluate the recommender on a purchase history.",
                       no_args_is_help=True, pretty_exceptions_show_locals=False)


@reco_app.callback()
def _reco() -> None:
    """Product recommendations: evaluate the recommender on a purchase history."""


@reco_app.command("evaluate")
def evaluate(
    transactions: Annotated[Path, typer.Argument(help="CSV: customer_id,item_id,order_id,ordered_at[,group_id]")],
    k: Annotated[int, typer.Option("--k", min=1, max=1000, help="list length")] = 10,
    seed: Annotated[int, typer.Option(help="random state of the ranker")] = 42,
    negative_control: Annotated[bool, typer.Option(help="also run the model without cross-buyer signals")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress on stderr")] = False,
) -> None:
    """Hold out each customer's last order; print model vs repeat vs popularity as one JSON object."""
    from models.ml.recommend.evaluate import evaluate_history
    from models.ml.recommend.ranker import RankerParams
    from models.ml.recommend.transactions import TransactionsError, read_csv

    if not transactions.is_file():
        typer.echo(f"error: {transactions} is not a file", err=True)
        raise typer.Exit(2)
    try:
        tx = read_csv(transactions)
    except TransactionsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    report = evaluate_history(tx, k, RankerParams(seed=seed), negative_control=negative_control,
                              progress=not quiet)
    typer.echo(json.dumps(report, ensure_ascii=False, default=str))
