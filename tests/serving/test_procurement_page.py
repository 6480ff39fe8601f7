"""The procurement web page (#24 item 8): the elimination list and the supplier 360 with SVG
charts, behind the APIs' tokens and unit scopes, rendered from the tiny snapshot."""

from __future__ import annotations

import re

from serving.web.svg import Band, line_chart
from tests.serving.conftest import bearer


def test_without_a_token_the_page_sends_you_to_the_login_form(tiny_client) -> None:
    response = tiny_client.get("/procurement", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/procurement/login"
    form = tiny_client.get("/procurement/login")
    assert form.status_code == 200 and 'name="token"' in form.text


def test_login_keeps_the_token_in_a_strict_cookie_and_refuses_bad_tokens_and_roles(tiny_client, make_token) -> None:
    assert tiny_client.post("/procurement/login", data={"token": "not-a-token"}).status_code == 401
    buyer = tiny_client.post("/procurement/login", data={"token": make_token("buyer", "COAL")})
    assert buyer.status_code == 403 and "may not open" in buyer.text
    ok = tiny_client.post("/procurement/login", data={"token": make_token("procurement")}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/procurement"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/procurement" in cookie
    page = tiny_client.get("/procurement")  # the client keeps the cookie
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"


def test_the_elimination_list_shows_the_listed_supplier_with_its_reasons(tiny_client, make_token) -> None:
    page = tiny_client.get("/procurement", headers=bearer(make_token("procurement")))
    assert page.status_code == 200
    table = page.text[page.text.index('id="elimination-list"'):]
    links = re.findall(r'href="/procurement/suppliers/([^"]+)"', table)
    assert links == ["SUP-C"]  # only the bottom decile of the latest month (2026-11)
    assert "defect_ppm 300 vs peer median 200 (score 0)" in table
    assert "20.00" in table and "3 / 3" in table


def test_the_supplier_page_draws_its_score_and_price_trends(tiny_client, make_token) -> None:
    page = tiny_client.get("/procurement/suppliers/SUP-C", headers=bearer(make_token("finance")))
    assert page.status_code == 200
    html = page.text
    assert "丙电力设备有限公司" in html and "on the elimination list" in html
    overall = re.search(r'<polyline class="series" data-series="overall"[^>]*points="([^"]+)"', html)
    assert overall is not None and len(overall.group(1).split()) == 2  # Oct and Nov
    assert "overall 2026-11: 20" in html  # the point's tooltip
    assert 'class="band"' in html  # the elimination zone under this month's cut-off
    assert "on_time_delivery_rate 0.6 vs peer median 0.7 (score 10)" in html
    assert "<script" not in html  # server-rendered, nothing to load


def test_unit_scope_and_unknown_suppliers(tiny_client, make_token) -> None:
    coal = bearer(make_token("procurement", "COAL"))
    listing = tiny_client.get("/procurement", headers=coal)
    assert "Nobody is on the list this month." in listing.text  # SUP-C is a POWER supplier
    assert tiny_client.get("/procurement/suppliers/SUP-C", headers=coal).status_code == 404
    assert tiny_client.get("/procurement/suppliers/SUP-A", headers=coal).status_code == 200
    assert tiny_client.get("/procurement/suppliers/NOPE", headers=coal).status_code == 404
    assert tiny_client.get("/procurement/suppliers/" + "X" * 65, headers=coal).status_code == 404


def test_a_missing_value_breaks_the_line_and_text_is_escaped() -> None:
    svg = line_chart(["a", "b", "c", "d"], {"<s>": [1.0, 2.0, None, 4.0], "t": [1.0, 1.0, 1.0, 1.0]},
                     title="x & y", bands=[Band(0, 1, "zone")])
    assert svg.count('data-series="&lt;s&gt;"') == 1  # one segment of two points; the lone 4.0 has no line
    assert svg.count("<circle") == 7 and "<title>x &amp; y</title>" in svg and "<s>" not in svg
