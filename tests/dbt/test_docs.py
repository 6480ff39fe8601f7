"""``grouplake docs`` generates the dbt docs of this home's build; ``grouplake expectations
data-docs`` renders the stored validation results."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def test_dbt_docs_are_generated_with_the_catalog_of_the_marts(demo_lake):
    from grouplake.docs import free_port, generate_docs

    target = generate_docs(demo_lake.settings)
    assert (target / "index.html").exists()
    catalog = json.loads((target / "catalog.json").read_text())
    rfm = catalog["nodes"]["model.grouplake.customer_rfm"]
    assert rfm["columns"]["monetary_value"]["type"] == "DECIMAL(18,4)"
    assert rfm["stats"]["has_stats"]["value"] is not None
    assert 1024 < free_port("127.0.0.1") < 65536
    # index.html loads manifest.json and catalog.json beside it: both must be there (#24)
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["nodes"]["model.grouplake.customer_rfm"]["description"]
    assert "customer_rfm" in (target / "static_index.html").read_text()


def test_data_docs_are_built_under_the_home(demo_lake):
    import typer
    from typer.testing import CliRunner

    from expectations.cli import register

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """grouplake"""

    register(app)
    result = CliRunner().invoke(app, ["expectations", "data-docs", "--no-validate"])
    assert result.exit_code == 0, result.output
    site = demo_lake.home / "expectations" / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert (site / "index.html").exists()
    pages = {p.name for p in (site / "validations").rglob("*.html")}
    assert pages  # the suites the checks ran are rendered
    assert any("customer_rfm.mart" in str(p) for p in (site / "validations").rglob("*"))
