"""Shared browser check: an API's Swagger UI and ReDoc render every operation, offline."""

from __future__ import annotations

from pathlib import Path

from tests.browser.chromium import chromium

METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def operation_count(spec: dict) -> int:
    """How many operations an OpenAPI document declares (path × method)."""
    return sum(1 for item in spec["paths"].values() for method in item if method in METHODS)


def assert_docs_render_every_operation(base_url: str, spec: dict, profile: Path) -> None:
    """In headless Chromium with only loopback reachable: Swagger UI draws one operation block
    per operation of ``spec`` and ReDoc one operation section each; neither page asked
    anything of another machine."""
    expected = operation_count(spec)
    assert expected > 10, expected
    with chromium(profile) as page:
        page.goto(f"{base_url}/docs")
        drawn = page.wait_for(f"document.querySelectorAll('.opblock').length >= {expected} "
                              "&& document.querySelectorAll('.opblock').length")
        assert drawn == expected
        title = page.evaluate("document.querySelector('.info .title').innerText")
        assert spec["info"]["title"] in title
        assert page.off_machine_requests() == []

        page.goto(f"{base_url}/redoc")
        sections = page.wait_for("document.querySelectorAll('[data-section-id^=\"operation/\"]').length"
                                 f" >= {expected} && document.querySelectorAll("
                                 "'[data-section-id^=\"operation/\"]').length", timeout=60)
        assert sections == expected
        assert page.off_machine_requests() == []
        assert [f for f in page.failed if "127.0.0.1" in f[0]] == []
