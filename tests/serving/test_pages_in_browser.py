"""The serving API's docs and the procurement page in a real browser, with the network cut off
from anything but 127.0.0.1 (#24): the docs render every operation, the supplier page draws
its charts (laid out with a size, not just sent as markup)."""

from __future__ import annotations

import pytest

from serving.main import create_app
from tests.browser.chromium import chromium
from tests.browser.docs import assert_docs_render_every_operation
from tests.browser.live import serve

pytestmark = pytest.mark.browser


def test_swagger_ui_and_redoc_draw_every_operation_offline(settings, tiny_snapshot, tmp_path) -> None:
    settings.services.api_docs = True  # ENV=ci serves no docs by default
    settings.serving.poll_interval_s = 0
    app = create_app(settings)
    with serve(app) as base_url:
        assert_docs_render_every_operation(base_url, app.openapi(), tmp_path / "chromium")


def test_the_supplier_page_draws_its_charts_in_a_browser(settings, tiny_snapshot, make_token, tmp_path) -> None:
    settings.serving.poll_interval_s = 0
    with serve(create_app(settings)) as base_url, chromium(tmp_path / "chromium") as page:
        page.goto(f"{base_url}/procurement/suppliers/SUP-C")
        assert page.evaluate("location.pathname") == "/procurement/login"  # no token: the form

        page.headers({"Authorization": f"Bearer {make_token('finance')}"})
        page.goto(f"{base_url}/procurement/suppliers/SUP-C")
        assert page.evaluate("location.pathname") == "/procurement/suppliers/SUP-C"
        charts = page.evaluate("""Array.from(document.querySelectorAll('svg')).map(svg => {
            const box = svg.getBoundingClientRect();
            const lines = Array.from(svg.querySelectorAll('polyline.series'));
            return {width: Math.round(box.width), height: Math.round(box.height),
                    lines: lines.map(l => ({series: l.dataset.series, points: l.points.numberOfItems,
                                            length: Math.round(l.getTotalLength())}))};
        })""")
        assert len(charts) >= 2, charts
        assert all(c["width"] > 100 and c["height"] > 50 for c in charts), charts
        overall = [line for c in charts for line in c["lines"] if line["series"] == "overall"]
        assert len(overall) == 1 and overall[0]["points"] == 2 and overall[0]["length"] > 0, charts
        assert page.evaluate("document.body.innerText").count("丙电力设备有限公司") >= 1
        assert page.off_machine_requests() == []
