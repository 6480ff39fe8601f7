"""``grouplake demo`` commands (mounted here on a bare Typer app, as the lead mounts them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from demo.cli import demo_app

app = typer.Typer()
app.add_typer(demo_app, name="demo")


def test_status_and_advance(settings: object, demo_home: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["demo", "status"])
    assert missing.exit_code == 1 and "no demo group" in missing.output
    shutil.copytree(demo_home, settings.home, dirs_exist_ok=True)
    status = runner.invoke(app, ["demo", "status"])
    assert status.exit_code == 0, status.output
    assert "scale 0.05, seed 42" in status.output and "purchase_orders" in status.output
    advanced = runner.invoke(app, ["demo", "advance", "--days", "2", "--no-publish"])
    assert advanced.exit_code == 0, advanced.output
    assert "2026-11-01T00:00:00Z → 2026-11-03T00:00:00Z" in advanced.output


def test_init_refuses_an_existing_demo(settings: object, demo_home: Path) -> None:
    shutil.copytree(demo_home, settings.home, dirs_exist_ok=True)
    result = CliRunner().invoke(app, ["demo", "init", "--scale", "0.05"])
    assert result.exit_code == 1 and "force" in result.output


@pytest.mark.slow
def test_init_prints_a_summary(settings: object) -> None:
    result = CliRunner().invoke(app, ["demo", "init", "--scale", "0.05", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "purchase_orders" in result.output and "ground truth" in result.output
    assert (Path(settings.demo.dir) / "manifest.json").exists()
