"""``grouplake ml …``: train, evaluate and score the fraud-risk and recommendation models.

* ``grouplake ml train [--model fraud|recommender|all]`` — train on the lake, log to MLflow,
  register a version, apply the champion rule; prints the held-out metrics and the decision
  (the same steps as the Dagster assets ``ml/*``, which are the scheduled path).
* ``grouplake ml evaluate [--model …] [--holdout-months N]`` — the held-out evaluation only:
  nothing is logged or registered; prints the full report as JSON. For ``fraud`` it adds the
  honest evaluation (:mod:`models.ml.fraud.honest`: leave-one-scheme-out recall at precision
  0.8, a later-period split, rules-only and anomaly-only baselines); ``--seeds 42,7,123``
  runs it on fresh demo groups instead of the current lake, ``--output FILE`` writes the JSON.
* ``grouplake ml score [--model …] [--top N]`` — preview what the champion would publish
  (the riskiest documents / recommendations) without writing gold;
  ``grouplake ml score --order '{"business_unit_code": …}'`` (or ``--order @order.json``)
  scores one order online, as the transactional service would.

Exit codes: 0 done; 1 the model was trained but not promoted (below the floor or worse
than the champion) or no champion exists; 2 bad input. Heavy imports stay in the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

ml_app = typer.Typer(
    help="Fraud risk and recommendation models (MLflow-tracked scikit-learn).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

MODELS = ("fraud", "recommender")
ModelOption = Annotated[str, typer.Option("--model", "-m", help="fraud, recommender or all")]


def _models(model: str) -> tuple[str, ...]:
    if model == "all":
        return MODELS
    if model not in MODELS:
        typer.echo(f"error: --model must be one of fraud, recommender, all (got {model!r})", err=True)
        raise typer.Exit(2)
    return (model,)


def _echo(payload: object) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))


@ml_app.callback()
def _ml() -> None:
    """Fraud risk and recommendation models (MLflow-tracked scikit-learn)."""


@ml_app.command("train")
def train(
    model: ModelOption = "all",
    holdout_months: Annotated[int | None, typer.Option(help="fraud: held-out months (the recommender holds out each buyer's last order)")] = None,
) -> None:
    """Train, evaluate, register; move the champion alias when not worse."""
    names = _models(model)
    from infra.settings import get_settings
    from models.ml.workflow import train_fraud_model, train_recommender_model

    settings = get_settings()
    promoted = True
    for name in names:
        if name == "fraud":
            outcome = train_fraud_model(settings, holdout_months=holdout_months)
        else:  # held out: each buyer's last order (no months)
            outcome = train_recommender_model(settings)
        promoted = promoted and outcome.decision.promoted
        _echo({
            "model": outcome.model_name, "version": outcome.registered.version,
            "promoted": outcome.decision.promoted, "decision": outcome.decision.reason,
            "metrics": {k: round(v, 4) for k, v in sorted(outcome.metrics.items())
                        if k.startswith(("holdout_pr_auc", "holdout_overall", "holdout_ndcg", "holdout_precision",
                                         "holdout_recall", "holdout_bad", "baseline", "ndcg_lift", "negative_control",
                                         "supplier_"))},
            "seconds": outcome.seconds,
            "online_bundle": str(outcome.shipped) if outcome.shipped else None,
        })
    if not promoted:
        raise typer.Exit(1)


def _seeds(seeds: str | None) -> list[int] | None:
    if not seeds:
        return None
    try:
        return [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError as exc:
        typer.echo(f"error: --seeds must be comma-separated integers (got {seeds!r})", err=True)
        raise typer.Exit(2) from exc


@ml_app.command("evaluate")
def evaluate(
    model: ModelOption = "all",
    holdout_months: Annotated[int | None, typer.Option(help="fraud: held-out months (the recommender holds out each buyer's last order)")] = None,
    honest: Annotated[bool, typer.Option(help="fraud: add the honest evaluation (leave-one-scheme-out, later period, baselines)")] = True,
    seeds: Annotated[str | None, typer.Option(help="fraud: evaluate fresh demo groups of these seeds (e.g. 42,7,123) instead of the current lake")] = None,
    scale: Annotated[float, typer.Option(help="fraud --seeds: demo scale")] = 1.0,
    output: Annotated[Path | None, typer.Option(help="also write the JSON report to this file")] = None,
) -> None:
    """Held-out evaluation on the current lake (nothing logged or registered)."""
    names = _models(model)
    seed_list = _seeds(seeds)
    if seed_list is not None and ("fraud" not in names or not 0 < scale <= 10):
        typer.echo("error: --seeds needs --model fraud and 0 < --scale <= 10", err=True)
        raise typer.Exit(2)
    from infra.settings import get_settings

    if seed_list is not None:
        from models.ml.fraud.honest_run import evaluate_seeds

        report = {"fraud": {"honest": evaluate_seeds(seed_list, scale, holdout_months=holdout_months or 8,
                                                     progress=lambda m: typer.echo(m, err=True))}}
        _write(report, output)
        return
    from models.ml.features.sources import open_lake

    settings = get_settings()
    con = open_lake(settings)
    report = {}
    for name in names:
        if name == "fraud":
            from models.ml.fraud.labels import demo_cases_path, load_labels
            from models.ml.fraud.train import DEFAULT_HOLDOUT_MONTHS, compute_frames, train_fraud

            training = train_fraud(compute_frames(con), load_labels(demo_cases_path(settings), con),
                                   holdout_months=holdout_months or DEFAULT_HOLDOUT_MONTHS)
            report[name] = {"evaluation": training.evaluation, "seconds": training.seconds}
            if honest and training.evaluation.get("holdout_positives", 0) > 0:
                from models.ml.fraud.honest import summarise
                from models.ml.fraud.honest_run import evaluate_lake

                lake = evaluate_lake(con, settings, holdout_months=holdout_months or DEFAULT_HOLDOUT_MONTHS)
                report[name]["honest"] = {"summary": summarise({"lake": lake}), "per_seed": {"lake": lake}}
            continue
        from models.ml.recommend.train import train_recommender

        training = train_recommender(con, progress=True)
        report[name] = {"evaluation": training.evaluation, "seconds": training.seconds}
    _write(report, output)


def _write(report: dict, output: Path | None) -> None:
    _echo(report)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def _read_order(order: str) -> dict:
    text = Path(order[1:]).read_text(encoding="utf-8") if order.startswith("@") else order
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        typer.echo(f"error: --order is not JSON: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not isinstance(payload, dict):
        typer.echo("error: --order must be a JSON object", err=True)
        raise typer.Exit(2)
    return payload


@ml_app.command("score")
def score(
    model: ModelOption = "all",
    top: Annotated[int, typer.Option(help="rows to show")] = 10,
    order: Annotated[str | None, typer.Option(help="score one order online: JSON or @file.json")] = None,
) -> None:
    """Preview the champion's scores (nothing is published), or score one order online."""
    names = _models(model)
    payload = _read_order(order) if order is not None else None
    from infra.settings import get_settings

    settings = get_settings()
    if payload is not None:
        from models.ml.risk import ModelUnavailableError, load_order_scorer

        try:
            result = load_order_scorer(settings).score(payload)
        except ModelUnavailableError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        _echo(result.__dict__)
        return
    from models.ml.workflow import score_fraud, score_recommendations

    for name in names:
        try:
            if name == "fraud":
                rows, version = score_fraud(settings)
                rows = rows.sort_values("risk_rank").head(top)
                columns = ["risk_rank", "document_type", "document_id", "risk_score", "risk_level", "reasons"]
            else:
                tables, version = score_recommendations(settings)
                rows = tables.recommendations
                rows = rows[rows["rank"] <= 3].head(top)
                columns = ["business_unit_code", "buyer_id", "rank", "sku", "sku_name", "score", "reason"]
        except LookupError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        _echo({"model": name, "version": version, "rows": rows[columns].to_dict("records")})
