"""``grouplake tx …`` commands and the service registration."""

from __future__ import annotations

from typer.testing import CliRunner

from transactional.cli import tx_app
from transactional.migrations import head_revision

runner = CliRunner()


def test_bootstrap_identities_from_the_command_line(settings) -> None:
    assert f"revision {head_revision()}" in runner.invoke(tx_app, ["migrate"]).output
    steps = [
        ["create-business-unit", "--code", "COAL", "--name", "Coal"],
        ["create-supplier", "--id", "SUP-9", "--name", "Jinhua Coal"],
        ["create-user", "--username", "u.buyer", "--password", "long-password", "--role",
         "buyer", "--business-unit", "COAL"],
        ["create-user", "--username", "u.sup", "--password", "long-password", "--role",
         "supplier", "--supplier-id", "SUP-9"],
    ]
    for args in steps:
        result = runner.invoke(tx_app, args)
        assert result.exit_code == 0, result.output
    key = runner.invoke(tx_app, ["create-api-key", "--username", "u.buyer", "--name", "erp"])
    assert key.exit_code == 0 and "glk_" in key.output
    again = runner.invoke(tx_app, steps[2])
    assert again.exit_code == 1 and "username_taken" in again.output
    bad = runner.invoke(tx_app, ["create-user", "--username", "u.two", "--password", "long-pass",
                                 "--role", "buyer", "--business-unit", "NOPE"])
    assert bad.exit_code == 1 and "unknown business unit" in bad.output


def test_service_spec_migrates_and_serves_on_the_configured_port(settings) -> None:
    from transactional.service import service_spec

    spec = service_spec(settings)
    assert spec["name"] == "transactional-api" and spec["port"] == 8000
    assert spec["command"][1:4] == ["-m", "transactional", "serve"]
    assert spec["health_url"] == "http://127.0.0.1:8000/healthz"
