"""``grouplake ml``: the command group is mounted and refuses bad input with exit code 2."""

from __future__ import annotations

from typer.testing import CliRunner

from models.ml.cli import ml_app

runner = CliRunner()


def test_commands_are_listed():
    result = runner.invoke(ml_app, ["--help"])
    assert result.exit_code == 0
    for command in ("train", "evaluate", "score"):
        assert command in result.output


def test_unknown_model_is_refused():
    result = runner.invoke(ml_app, ["train", "--model", "churn"])
    assert result.exit_code == 2
    assert "--model must be one of fraud, recommender, all" in result.output


def test_order_must_be_a_json_object(tmp_path):
    assert runner.invoke(ml_app, ["score", "--order", "{not json"]).exit_code == 2
    path = tmp_path / "order.json"
    path.write_text("[1, 2]", encoding="utf-8")
    result = runner.invoke(ml_app, ["score", "--order", f"@{path}"])
    assert result.exit_code == 2 and "must be a JSON object" in result.output


def test_mounted_under_grouplake_ml():
    from grouplake.cli import app

    result = runner.invoke(app, ["ml", "--help"])
    assert result.exit_code == 0 and "score" in result.output


def test_evaluate_refuses_bad_seeds_and_seeds_without_the_fraud_model():
    result = runner.invoke(ml_app, ["evaluate", "--model", "fraud", "--seeds", "42,x"])
    assert result.exit_code == 2 and "--seeds must be comma-separated integers" in result.output
    result = runner.invoke(ml_app, ["evaluate", "--model", "recommender", "--seeds", "42"])
    assert result.exit_code == 2 and "--seeds needs --model fraud" in result.output
