"""A person's browser gets a localised HTML page for 403/404/405/500; API clients, Dash's XHRs and fetch() keep
JSON. Before: /leader and any unknown path answered a browser with raw English JSON, and there was no favicon.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.conftest import make_token

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "Sec-Fetch-Mode": "navigate"}
_LATIN_SENTENCE = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{2,}){2,}")  # three English words in a row


def _visible_text(page: str) -> str:
    body = page.split("<body", 1)[1]
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("path", ["/nope", "/leaders", "/x%3Cscript%3E", "/api"])
def test_a_browser_gets_a_chinese_page_for_a_missing_address(client: Any, path: str) -> None:
    resp = client.get(path, headers=BROWSER)
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    assert "页面不存在" in page and "返回首页" in page and 'lang="zh-CN"' in page
    assert not _LATIN_SENTENCE.search(_visible_text(page)), _visible_text(page)
    assert "<script" not in page.lower()
    assert "Content-Security-Policy" in resp.headers


def test_a_role_that_may_not_open_a_page_gets_a_403_page(grid_app: Any) -> None:
    browser = grid_app.server.test_client()
    browser.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'screen')}"
    resp = browser.get("/admin/", headers=BROWSER)
    assert resp.status_code == 403 and resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    assert "无权访问" in page and 'href="/login"' in page


def test_a_wrong_method_on_a_page_address_is_a_405_page(anonymous: Any) -> None:
    resp = anonymous.get("/logout", headers=BROWSER)  # /logout takes POST only
    if resp.status_code == 405:
        assert resp.mimetype == "text/html" and "不支持的操作" in resp.get_data(as_text=True)
        assert "POST" in resp.headers["Allow"]
    else:
        assert resp.status_code in (302, 303)  # a GET logout that redirects is also fine for a person


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/nope", BROWSER),  # the API answers JSON even to a browser
        ("/nope", {"Accept": "application/json"}),
        ("/nope", {"Accept": "text/html", "Sec-Fetch-Mode": "cors"}),  # fetch() from one of our pages
        ("/nope", {}),  # curl and friends
    ],
)
def test_machines_keep_json_errors(client: Any, path: str, headers: dict[str, str]) -> None:
    resp = client.get(path, headers=headers)
    assert resp.status_code == 404
    assert resp.mimetype == "application/json"
    assert "error" in resp.get_json()


def test_the_api_keeps_json_for_a_refusal(grid_app: Any) -> None:
    caller = grid_app.server.test_client()
    caller.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'screen')}"
    resp = caller.post("/api/v1/cases", json={}, headers={"Accept": "text/html"})
    assert resp.status_code in (403, 422) and resp.mimetype == "application/json"


def test_there_is_a_favicon_and_every_view_names_it(client: Any, anonymous: Any) -> None:
    icon = anonymous.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    for view in ("/screen/", "/dispatch/", "/admin/"):
        page = client.get(view).get_data(as_text=True)
        assert '<link rel="icon" type="image/svg+xml" href="/static/shared/favicon.svg">' in page, view
        assert "_favicon.ico" not in page  # not Plotly's
    assert anonymous.get("/static/shared/favicon.svg").status_code == 200
