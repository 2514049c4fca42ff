"""Roles in Chromium: each role lands on its own view after signing in; a display token opens the wall and
nothing else; the admin page manages an account end to end and reads the audit log (screenshots in
test-results/)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import requests

from dashboard.api.auth import LANDING
from tests.e2e.server import ROOT, LiveApp

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-results"
VIEWPORT = {"width": 1920, "height": 1080}
# Where each role must land. Leaders see the wall until the leader-pass view exists (auth.LANDING says so).
EXPECTED_LANDING = {"admin": "/admin/", "dispatcher": "/dispatch/", "screen": "/screen/", "leader": LANDING["leader"]}


@pytest.fixture
def page(browser) -> Iterator[object]:  # noqa: ANN001 - playwright Browser
    """A fresh browser context (no cookies) at 1920x1080 in Chinese; fails the test on page errors."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"page errors: {errors}"


@pytest.mark.parametrize("role", ["admin", "dispatcher", "leader", "screen"])
def test_signing_in_lands_on_the_roles_view(page, live_app: LiveApp, role: str) -> None:  # noqa: ANN001
    assert LANDING[role] == EXPECTED_LANDING[role]
    live_app.login(page, role)
    assert urlparse(page.url).path == EXPECTED_LANDING[role], page.url
    if EXPECTED_LANDING[role] == "/admin/":
        page.locator("#admin-root .admin-row").first.wait_for(timeout=20_000)
    elif EXPECTED_LANDING[role] == "/screen/":
        page.locator("#screen-root").wait_for(timeout=20_000)
    else:
        # The dispatch desk is being built: landing there must at least not bounce back to the login form.
        assert "/login" not in page.url
    # The session cookie is out of JavaScript's reach.
    assert "gridcmd_session" not in page.evaluate("document.cookie")
    cookie = next(c for c in page.context.cookies() if c["name"] == "gridcmd_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_a_display_token_opens_the_screen_and_nothing_else(page, live_app: LiveApp) -> None:  # noqa: ANN001
    page.goto(f"{live_app.base_url}/screen?token={live_app.tokens['screen']}")
    page.locator("#screen-root").wait_for(timeout=20_000)
    assert urlparse(page.url).path == "/screen/" and "token" not in page.url  # dropped from the address bar
    refused = [
        "/admin/",
        "/admin/audit",
        "/dispatch/",
        "/leader/",
        "/api/v1/cases",
        "/api/v1/admin/users",
        "/api/v1/admin/audit.csv",
    ]
    for path in refused:
        response = page.goto(f"{live_app.base_url}{path}")
        assert response is not None and response.status == 403, (path, response and response.status)
    assert page.goto(f"{live_app.base_url}/screen/").status == 200  # and the wall itself still opens


def _pick(page, dropdown_id: str, option: str) -> None:  # noqa: ANN001
    """Choose an option of a Dash 4 dropdown by its visible text."""
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def test_admin_page_manages_an_account_and_reads_the_audit_log(page, live_app: LiveApp) -> None:  # noqa: ANN001
    SHOTS.mkdir(exist_ok=True)
    base = live_app.base_url
    live_app.login(page, "admin")
    page.locator(".admin-row").first.wait_for(timeout=20_000)
    assert page.locator(".admin-banners").count() == 1

    # Create a street leader through the form; the new account is selected at once.
    name = f"e2e-li-{uuid.uuid4().hex[:6]}"
    page.fill("#admin-create-name", name)
    page.fill("#admin-create-display", "李街道")
    _pick(page, "admin-create-role", "领导")
    _pick(page, "admin-create-scope", "第01街道")
    page.fill("#admin-create-password", "street-leader-1")
    page.click("#admin-create-submit")
    page.locator("#admin-create-msg .admin-msg.is-ok").wait_for()
    page.locator(f".admin-row[data-user='{name}']").wait_for()
    page.locator("#admin-user-title", has_text=name).wait_for()
    assert "第01街道" in page.locator("#admin-user-facts").inner_text()

    # Issue a token: shown once, and it works.
    page.fill("#admin-token-label", "街道大屏")
    page.click("#admin-token-issue")
    token = page.locator("#admin-token-value").inner_text().strip()
    assert token.startswith("gct_")
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{base}/api/v1/cases", headers=bearer, timeout=10).status_code == 200
    page.locator(".admin-token-list .admin-token").first.wait_for()
    page.screenshot(path=str(SHOTS / "admin.png"))

    # Revoke it (behind a confirmation), then deactivate the account (likewise).
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".admin-token-list button", has_text="撤销").first.click()
    page.locator("#admin-user-msg .admin-msg.is-ok").wait_for()
    page.locator(".admin-token-list .admin-badge.is-off").wait_for()
    assert requests.get(f"{base}/api/v1/cases", headers=bearer, timeout=10).status_code == 401
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#admin-toggle-active")
    page.locator(f".admin-row.is-inactive[data-user='{name}']").wait_for()
    assert requests.post(
        f"{base}/login", data={"name": name, "password": "street-leader-1"}, timeout=10, allow_redirects=False
    ).status_code in (400, 401)

    # The audit tab shows what just happened, filtered by the account.
    page.click("#admin-tab-audit")
    page.fill("#admin-audit-target", name)
    page.press("#admin-audit-target", "Enter")
    table = page.locator("#admin-audit-table")
    table.locator("td", has_text="停用账号").wait_for()
    text = table.inner_text()
    assert "新建账号" in text and "停用账号" in text and "e2e-admin" in text
    assert token not in text and "street-leader-1" not in text
    page.screenshot(path=str(SHOTS / "admin-audit.png"))

    # The CSV export carries the same filter and opens in Excel (UTF-8 with BOM).
    with page.expect_download() as download:
        page.click("#admin-audit-export")
    data = open(download.value.path(), "rb").read()  # noqa: SIM115 - Playwright owns the file
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("序号,时间,操作人")
    assert len(lines) == 1 + 2 and all(f"user:{name}" in line for line in lines[1:])  # created, deactivated
