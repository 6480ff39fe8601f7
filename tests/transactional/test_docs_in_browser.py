"""The transactional API's Swagger UI and ReDoc render every operation in a real browser with
the network cut off from anything but 127.0.0.1 (#24)."""

from __future__ import annotations

import pytest

from tests.browser.docs import assert_docs_render_every_operation
from tests.browser.live import serve

pytestmark = pytest.mark.browser


def test_swagger_ui_and_redoc_draw_every_operation_offline(docs_on, app, tmp_path) -> None:
    with serve(app) as base_url:
        assert_docs_render_every_operation(base_url, app.openapi(), tmp_path / "chromium")
