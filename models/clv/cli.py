"""``grouplake clv …``: fit the CLV models to an RFM summary file from the command line.

``grouplake clv fit SUMMARY.csv`` reads ``customer_id,frequency,recency,T,monetary_value``
and prints JSON: the BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, gamma) parameters with
standard errors and log-likelihoods, the customer counts, and the discounted CLV over the
horizon (total, mean, quantiles). Exit codes: 0 both models fitted; 1 a model could not be
fitted (its entry holds the error and CLV uses the historical fallback); 2 unreadable file,
missing columns or bad values. Heavy imports stay inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

clv_app = typer.Typer(
    help="Customer lifetime value: BG/NBD purchases x Gamma-Gamma spend.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@clv_app.callback()
def _clv() -> None:
    """Customer lifetime value: BG/NBD purchases x Gamma-Gamma spend."""


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@clv_app.command("fit")
def fit(
    summary_csv: Annotated[
        Path, typer.Argument(help="CSV: customer_id,frequency,recency,T,monetary_value")
    ],
    horizon: Annotated[int, typer.Option("--horizon", help="CLV horizon in months")] = 12,
    discount_rate: Annotated[
        float, typer.Option("--discount-rate", help="monthly discount rate")
    ] = 0.01,
    unit: Annotated[
        str, typer.Option("--unit", help="unit of recency and T: days or weeks")
    ] = "days",
) -> None:
    """Fit BG/NBD and Gamma-Gamma to SUMMARY_CSV and print the parameters as JSON."""
    import json

    import numpy as np
    import pandas as pd

    from models.clv.clv import PERIODS_PER_MONTH, score_customers
    from models.clv.errors import ClvInputError
    from models.clv.fit import fit_clv_models

    if unit not in PERIODS_PER_MONTH:
        raise _fail(f"--unit must be one of {sorted(PERIODS_PER_MONTH)}, got {unit!r}", 2)
    try:
        summary = pd.read_csv(summary_csv, dtype={"customer_id": str})
    except FileNotFoundError:
        raise _fail(f"no such file: {summary_csv}", 2) from None
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        UnicodeDecodeError,
        IsADirectoryError,
    ) as exc:
        raise _fail(f"cannot read {summary_csv} as CSV: {exc}", 2) from None
    try:
        fitted = fit_clv_models(summary)
        scores = score_customers(
            summary,
            horizon_months=horizon,
            discount_rate_monthly=discount_rate,
            time_unit=unit,
            fitted=fitted,
        )
    except ClvInputError as exc:
        raise _fail(str(exc), 2) from None
    clv = scores["clv"].to_numpy()
    report = fitted.to_dict() | {
        "clv": {
            "horizon_months": horizon,
            "discount_rate_monthly": discount_rate,
            "time_unit": unit,
            "model": str(scores["model"].iloc[0]) if len(scores) else None,
            "total": float(clv.sum()),
            "mean": float(clv.mean()) if len(clv) else 0.0,
            "quantiles": {q: float(np.quantile(clv, float(q))) for q in ("0.5", "0.9", "0.99")}
            if len(clv)
            else {},
        }
    }
    typer.echo(json.dumps(report, indent=2))
    if fitted.fallback_used:
        raise _fail(f"model not fitted, historical fallback used ({fitted.fallback_reason})", 1)
