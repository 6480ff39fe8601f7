"""``grouplake clv fit``: JSON parameters, exit 1 on degenerate data, exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from models.clv.cli import clv_app

runner = CliRunner()


@pytest.fixture(scope="module")
def cdnow_csv(cdnow_summary: pd.DataFrame, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clv") / "cdnow.csv"
    cdnow_summary.to_csv(path, index=False)
    return path


def test_fit_prints_the_published_parameters(cdnow_csv):
    result = runner.invoke(clv_app, ["fit", str(cdnow_csv), "--unit", "weeks", "--horizon", "6"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    bg, gg = report["bgnbd"]["params"], report["gamma_gamma"]["params"]
    assert bg["r"] == pytest.approx(0.243, rel=0.01)
    assert bg["alpha"] == pytest.approx(4.414, rel=0.01)
    assert bg["a"] == pytest.approx(0.793, rel=0.01)
    assert bg["b"] == pytest.approx(2.426, rel=0.01)
    assert gg["p"] == pytest.approx(6.25, rel=0.01)
    assert gg["q"] == pytest.approx(3.74, rel=0.01)
    assert gg["gamma"] == pytest.approx(15.44, rel=0.01)
    assert report["bgnbd"]["log_likelihood"] == pytest.approx(-9582.43, abs=0.01)
    assert report["gamma_gamma"]["log_likelihood"] < 0
    assert report["n_customers"] == 2357 and report["gamma_gamma"]["n_customers"] == 946
    assert report["clv"]["horizon_months"] == 6 and report["clv"]["model"] == "bgnbd+gamma_gamma"
    assert report["clv"]["total"] > 0


def test_degenerate_data_prints_the_errors_and_exits_1(tmp_path):
    path = tmp_path / "one_timers.csv"
    pd.DataFrame(
        {
            "customer_id": range(30),
            "frequency": 0,
            "recency": 0.0,
            "T": 10.0,
            "monetary_value": 0.0,
        }
    ).to_csv(path, index=False)
    result = runner.invoke(clv_app, ["fit", str(path)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert "repeat buyers" in report["bgnbd"]["error"]
    assert report["clv"]["model"] == "historical+historical" and report["clv"]["total"] == 0.0
    assert "historical fallback used" in result.stderr


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("customer_id,frequency,recency,T\n1,0,0,5\n", [], "missing column(s) ['monetary_value']"),
        ("customer_id,frequency,recency,T,monetary_value\n1,0,0,-5,0\n", [], "T is negative"),
        ("customer_id,frequency,recency,T,monetary_value\n1,x,0,5,0\n", [], "must be numeric"),
        ("customer_id,frequency,recency,T,monetary_value\n1,0,0,5,\n", [], "null, NaN"),
        (
            "customer_id,frequency,recency,T,monetary_value\n1,0,0,5,0\n",
            ["--unit", "hours"],
            "--unit",
        ),
        (
            "customer_id,frequency,recency,T,monetary_value\n1,0,0,5,0\n",
            ["--horizon", "0"],
            "horizon",
        ),
        ("", [], "cannot read"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(tmp_path, content, args, message):
    path = tmp_path / "summary.csv"
    path.write_text(content)
    result = runner.invoke(clv_app, ["fit", str(path), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_file_exits_2(tmp_path):
    result = runner.invoke(clv_app, ["fit", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_mounted_under_the_grouplake_root():
    from grouplake.cli import app

    result = runner.invoke(app, ["clv", "fit", "--help"])
    assert result.exit_code == 0
    assert "--discount-rate" in result.stdout
