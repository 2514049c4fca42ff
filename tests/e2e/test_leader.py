"""The leader pass 领导通 in Chromium on a phone (390×844) and a tablet (1024×768): it fits (no sideways scrolling,
every button at least 44 px tall), drills from the district into a street and back, supervises and instructs a
case and sees its counts change, and follows a change made elsewhere live (screenshots in test-results/)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import requests

from tests.e2e.server import ROOT, LiveApp

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-results"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1024, "height": 768}}
LOADED = "() => window.gridcmdLeaderView && window.gridcmdLeaderView.summary() !== null"


def _needy_case(live_app: LiveApp, text: str) -> dict:
    """A fresh case supervised twice, so it is on the leader's needs-me list."""
    lon, lat = live_app.inside_points(3)[1]
    case = live_app.post_case(lon, lat, text, source="hotline_12345")
    return _supervise(live_app, case, times=2)


def _supervise(live_app: LiveApp, case: dict, times: int = 1) -> dict:
    for _ in range(times):
        resp = requests.post(
            f"{live_app.base_url}/api/v1/cases/{case['id']}/supervise",
            json={"expected_version": case["version"]},
            headers=live_app.headers(),
            timeout=10,
        )
        assert resp.status_code == 200, resp.text
        case = resp.json()
    return case


@pytest.fixture(params=list(VIEWPORTS))
def leader_page(request: pytest.FixtureRequest, browser, live_app: LiveApp) -> Iterator[tuple[str, object]]:  # noqa: ANN001
    """A leader signed in at the viewport's size (landing on /leader/), the summary drawn; no page errors."""
    name = request.param
    context = browser.new_context(
        viewport=VIEWPORTS[name], locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True, is_mobile=name == "phone"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    live_app.login(page, "leader")
    assert urlparse(page.url).path == "/leader/", page.url
    page.wait_for_function(LOADED, timeout=20_000)
    yield name, page
    context.close()
    assert not errors, f"page errors: {errors}"


def _fits(page) -> None:  # noqa: ANN001
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"sideways overflow: {width}"
    short = page.evaluate(
        """() => Array.from(document.querySelectorAll('#leader-root button, #leader-root a'))
            .filter(b => b.offsetParent !== null)
            .map(b => [b.textContent.trim(), b.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert not short, f"touch targets under 44 px: {short}"


def _row(page, case_id: int):  # noqa: ANN001, ANN202
    return page.locator(f'.leader-need[data-id="{case_id}"]')


def test_the_leader_pass_fits_drills_and_acts(leader_page, live_app: LiveApp) -> None:  # noqa: ANN001
    name, page = leader_page
    case = _needy_case(live_app, f"领导通 e2e {name} {uuid.uuid4().hex[:6]}")
    page.reload()
    page.wait_for_function(LOADED, timeout=20_000)
    row = _row(page, case["id"])
    row.wait_for(timeout=10_000)
    assert "督办 2 次" in row.inner_text()
    assert page.locator("#leader-status").inner_text().strip()
    assert page.locator(".leader-card").count() == 6
    assert set(page.eval_on_selector_all(".leader-act", "els => els.map(e => e.dataset.cmd)")) == {
        "supervise",
        "instruct",
    }  # no file, dispatch or close
    _fits(page)
    page.wait_for_function("() => /^剩余|^超时|^无时限/.test(document.querySelector('.leader-need-clock').textContent)")

    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"leader-{name}.png"), full_page=True)

    # Drill: district → a street, then back up the breadcrumb.
    page.locator("button.leader-rank-row").first.click()
    page.wait_for_function("() => window.gridcmdLeaderView.scope.length === 9", timeout=10_000)
    page.wait_for_function("() => document.querySelectorAll('#leader-crumbs .leader-crumb').length === 2")
    assert page.locator("#leader-rank-level").inner_text() == "各社区"
    _fits(page)
    page.locator("#leader-crumbs button.leader-crumb").first.click()
    page.wait_for_function("() => window.gridcmdLeaderView.scope.length === 6", timeout=10_000)

    # 督办 with a note: the row's count goes up.
    row = _row(page, case["id"])
    row.locator('button[data-cmd="supervise"]').click()
    page.fill("#leader-dialog-note", "请尽快处置")
    _fits(page)
    page.click("#leader-dialog-ok")
    page.wait_for_function(
        f"""() => {{ const r = document.querySelector('.leader-need[data-id="{case["id"]}"]');
                   return r && r.textContent.includes('督办 3 次'); }}""",
        timeout=10_000,
    )

    # 批示: the note is required (said as text), then the instruction count goes up.
    _row(page, case["id"]).locator('button[data-cmd="instruct"]').click()
    page.click("#leader-dialog-ok")
    assert page.locator(".leader-dialog-error").inner_text() == "请填写批示内容"
    page.fill("#leader-dialog-note", "<b>请区城管委牵头</b>")
    page.click("#leader-dialog-ok")
    page.wait_for_function(
        f"""() => {{ const r = document.querySelector('.leader-need[data-id="{case["id"]}"]');
                   return r && r.textContent.includes('批示 1 次'); }}""",
        timeout=10_000,
    )
    assert page.locator(".leader-dialog").count() == 0

    # Live: a supervision from elsewhere (a dispatcher's desk) arrives without a reload.
    current = requests.get(f"{live_app.base_url}/api/v1/cases/{case['id']}", headers=live_app.headers(), timeout=10)
    _supervise(live_app, current.json())
    page.wait_for_function(
        f"""() => {{ const r = document.querySelector('.leader-need[data-id="{case["id"]}"]');
                   return r && r.textContent.includes('督办 4 次'); }}""",
        timeout=15_000,
    )


def test_a_supervision_with_a_reply_deadline_shows_its_receipt(leader_page, live_app: LiveApp) -> None:  # noqa: ANN001
    """督办 with 限时回复 2小时: the row counts down to the reply; the department's answer shows live (who, when)."""
    name, page = leader_page
    case = _needy_case(live_app, f"督办回复 e2e {name} {uuid.uuid4().hex[:6]}")
    page.reload()
    page.wait_for_function(LOADED, timeout=20_000)
    row = _row(page, case["id"])
    row.wait_for(timeout=10_000)
    row.locator('button[data-cmd="supervise"]').click()
    page.select_option("#leader-dialog-within", "2h")
    _fits(page)
    page.click("#leader-dialog-ok")
    selector = f'.leader-need[data-id="{case["id"]}"] .leader-need-reply'
    page.wait_for_function(
        f"() => /^督办待回复 · 剩余 01:5/.test((document.querySelector('{selector}') || {{}}).textContent || '')",
        timeout=10_000,
    )
    assert "reply-pending" in page.locator(selector).get_attribute("class")

    current = requests.get(f"{live_app.base_url}/api/v1/cases/{case['id']}", headers=live_app.headers(), timeout=10)
    assert current.json()["supervision_reply_by"]
    acked = requests.post(
        f"{live_app.base_url}/api/v1/cases/{case['id']}/ack-supervision",
        json={"expected_version": current.json()["version"], "note": "已安排"},
        headers=live_app.headers(),
        timeout=10,
    )
    assert acked.status_code == 200, acked.text
    page.wait_for_function(
        f"() => /^已回复 · e2e-admin /.test((document.querySelector('{selector}') || {{}}).textContent || '')",
        timeout=15_000,
    )
    assert "reply-acked" in page.locator(selector).get_attribute("class")
