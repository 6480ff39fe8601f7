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


@pytest.mark.browser
def test_dbt_docs_show_a_model_page_in_a_browser_offline(demo_lake, tmp_path):
    """The single-file docs open from disk in headless Chromium (nothing but loopback
    reachable) and draw a model's page: its description and its columns (#24)."""
    from grouplake.docs import generate_docs
    from tests.browser.chromium import chromium

    target = generate_docs(demo_lake.settings)
    manifest = json.loads((target / "manifest.json").read_text())
    node = manifest["nodes"]["model.grouplake.customer_rfm"]
    with chromium(tmp_path / "chromium") as page:
        page.goto((target / "static_index.html").as_uri() + "#!/model/model.grouplake.customer_rfm")
        text = page.wait_for("document.body.innerText.includes('monetary_value') && document.body.innerText",
                             timeout=60)
        assert "customer_rfm" in text
        assert node["description"].split("\n")[0].strip()[:40] in text
        assert all(column in text for column in ("monetary_value", "recency_days", "r_score")), text[:2000]
        assert page.off_machine_requests() == []
