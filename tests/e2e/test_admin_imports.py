"""The admin imports in Chromium: a published catalog workbook uploaded, previewed and imported; the 2027 holiday
notice pasted, read and saved, after which the calendar banner is gone (screenshots in test-results/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.catalog_workbooks import write_published
from tests.e2e.server import ROOT, LiveApp
from tests.holiday_notices import NOTICE_2027

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-results"
VIEWPORT = {"width": 1920, "height": 1080}


@pytest.fixture
def page(browser) -> Iterator[object]:  # noqa: ANN001 - playwright Browser
    """A fresh context at 1920x1080 in Chinese; fails the test on page errors."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"page errors: {errors}"


def test_catalog_workbook_upload_preview_and_confirm(page, live_app: LiveApp, tmp_path: Path) -> None:  # noqa: ANN001
    SHOTS.mkdir(exist_ok=True)
    live_app.login(page, "admin")
    page.goto(f"{live_app.base_url}/admin/catalog")
    page.locator("#admin-catalog-upload").wait_for(timeout=20_000)
    assert page.locator("#admin-users-panel").is_hidden()
    page.locator("#admin-catalog-upload input[type=file]").set_input_files(str(write_published(tmp_path / "标准.xlsx")))
    report = page.locator(".admin-catalog-report")
    report.wait_for(timeout=20_000)
    assert "事件（事件）：可导入 2 行，错误 1 行" in report.inner_text()
    assert "尽快" in page.locator(".admin-catalog-bad").inner_text()
    page.screenshot(path=str(SHOTS / "admin-catalog-preview.png"), full_page=True)

    page.click("#admin-catalog-confirm")
    page.locator("#admin-catalog-msg .admin-msg.is-ok").wait_for(timeout=20_000)
    assert "新增 6" in page.locator("#admin-catalog-msg").inner_text()
    assert page.locator("#admin-catalog-confirm").is_disabled()


def test_holiday_notice_read_and_saved(page, live_app: LiveApp) -> None:  # noqa: ANN001
    SHOTS.mkdir(exist_ok=True)
    live_app.login(page, "admin")
    page.goto(f"{live_app.base_url}/admin/holidays")
    page.locator("#admin-holidays-paste").wait_for(timeout=20_000)
    page.fill("#admin-holidays-paste", NOTICE_2027.replace("共9天", "共10天"))
    page.click("#admin-holidays-read")
    page.locator("#admin-holidays-msg .admin-msg.is-error").wait_for(timeout=20_000)
    refused = page.locator("#admin-holidays-msg").inner_text()
    assert "第 6 行" in refused and "line 6" not in refused  # the UI language only (layouts/admin_text.py)
    assert page.locator("#admin-holidays-save").is_disabled()
    page.screenshot(path=str(SHOTS / "admin-holidays-refused.png"))
    page.fill("#admin-holidays-paste", NOTICE_2027)
    page.click("#admin-holidays-read")
    preview = page.locator(".admin-holidays-preview")
    preview.wait_for(timeout=20_000)
    assert "2027-02-05（周五）" in preview.inner_text() and "2027-10-09（周六）" in preview.inner_text()
    page.screenshot(path=str(SHOTS / "admin-holidays-read.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#admin-holidays-save")
    page.locator("#admin-holidays-msg .admin-msg.is-ok").wait_for(timeout=20_000)
    assert "已保存 2027 年安排" in page.locator("#admin-holidays-msg").inner_text()
    assert "2027" not in page.locator("#admin-banner").inner_text()
    page.locator("#admin-holidays-year-view", has_text="管理员录入").wait_for(timeout=10_000)
    page.screenshot(path=str(SHOTS / "admin-holidays-saved.png"), full_page=True)
