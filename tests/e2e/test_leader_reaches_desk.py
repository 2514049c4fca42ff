"""A district leader on a phone (390×844) reaches the desk: drills district → street → community → grid by tapping
ranking rows (breadcrumb at every level, the grid's figures equal `GET /kpis` for today), supervises (督办) and
instructs (批示) a case from the needs-me list while a dispatcher's desk (1920×1080, another browser context) shows
both arriving live, and cannot file, dispatch or close (no such button, and the API answers 403)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlparse

import pytest
import requests

from layouts.i18n import t
from layouts.leader import CARDS
from tests.e2e.server import LiveApp
from tests.e2e.test_dispatch import _case, _command, _condition, _row
from tests.e2e.test_dispatch_desk import _open_case, desk_at  # noqa: F401 - desk_at is a fixture
from tests.e2e.test_leader import LOADED, VIEWPORTS, _fits, _needy_case

pytestmark = pytest.mark.e2e

LEVELS = (6, 9, 12, 15)  # code lengths of district, street, community, grid
FORBIDDEN = ("file", "dispatch", "verify")  # 立案, 派遣, 核查 (closes the case)
SUPERVISE_NOTE = "请街道今日内处置并反馈"
INSTRUCT_NOTE = "请区城管委牵头，限期办结"


@pytest.fixture
def phone_leader(browser, live_app: LiveApp) -> Iterator[Any]:  # noqa: ANN001 - playwright Browser
    """The district leader signed in on a phone (touch), on /leader/ with the summary drawn; no page errors."""
    context = browser.new_context(
        viewport=VIEWPORTS["phone"], locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True, is_mobile=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    live_app.login(page, "leader")
    assert urlparse(page.url).path == "/leader/", page.url
    page.wait_for_function(LOADED, timeout=20_000)
    yield page
    context.close()
    assert not errors, f"page errors: {errors}"


def _filed_needy_case(live_app: LiveApp) -> dict[str, Any]:
    """A case filed by the desk (so the grid's 立案数 counts it today) and supervised twice (it needs the leader)."""
    case = _needy_case(live_app, f"领导通到调度台 e2e {uuid.uuid4().hex[:6]}")
    lamp = _condition(live_app, "路灯不亮")
    resp = _command(live_app, live_app.headers("dispatcher"), case["id"], "file", condition=lamp["code"])
    assert resp.status_code == 200, resp.text
    return resp.json()


def _figure(key: str, value: float | None) -> str:
    """A figure as the page writes it (assets/leader/10-model.js figure: JS toFixed(1) rounds halves up)."""
    if value is None:
        return t("leader.nodata", "zh")
    if key in ("filed", "closed", "due"):
        return str(round(value))
    return str(Decimal(value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) + "%"


def _drill(page: Any, code: str) -> None:
    """Tap the ranking row of child `code` (the 按超期 tab lists every child of this small jurisdiction)."""
    page.locator('.leader-tab[data-by="overdue"]').tap()
    row = page.locator(f'button.leader-rank-row[data-code="{code}"]').first
    name = row.locator(".leader-rank-name").inner_text()
    row.tap()
    page.wait_for_function(
        """([code, name]) => { const v = window.gridcmdLeaderView, s = v.summary();
            const here = document.querySelector('#leader-crumbs .leader-crumb.is-current');
            return v.scope === code && s.scope === code && here && here.textContent === name; }""",
        arg=[code, name],
        timeout=10_000,
    )


def _assert_crumbs(page: Any, grid: str, depth: int) -> None:
    """The breadcrumb names every level from the district down to the scope shown; the upper ones are buttons."""
    path = page.evaluate("() => window.gridcmdLeaderView.summary().path")
    assert [p["code"] for p in path] == [grid[:n] for n in LEVELS[: depth + 1]], path
    crumbs = page.locator("#leader-crumbs .leader-crumb")
    assert crumbs.all_inner_texts() == [p["name"] for p in path]
    codes = page.eval_on_selector_all("#leader-crumbs button.leader-crumb", "bs => bs.map(b => b.dataset.code)")
    assert codes == [p["code"] for p in path[:-1]]
    assert page.locator("#leader-scope-name").inner_text() == path[-1]["name"]


def _assert_figures_match_the_api(page: Any, live_app: LiveApp, grid: str) -> None:
    """The grid's cards (today) equal GET /api/v1/kpis?scope=<grid> for the same from/to."""
    assert page.locator('.leader-toggle-btn[data-window="today"]').get_attribute("aria-pressed") == "true"
    today = page.evaluate("() => window.gridcmdLeaderView.summary().windows.today")
    resp = requests.get(
        f"{live_app.base_url}/api/v1/kpis",
        params={"scope": grid, "from": today["from"], "to": today["to"]},
        headers=live_app.headers("leader"),
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    api = resp.json()
    assert (api["scope"], api["from"], api["to"]) == (grid, today["from"], today["to"])
    assert today["kpis"] == api["kpis"]
    assert api["kpis"]["filed"] >= 1  # the seeded case: the comparison is not of two empty grids
    labels = page.locator(".leader-card-label").all_inner_texts()
    values = page.locator(".leader-card-value").all_inner_texts()
    assert labels == [t(f"leader.kpi.{key}", "zh") for key in CARDS]
    assert values == [_figure(key, api["kpis"][key]) for key in CARDS], (values, api["kpis"])


def _act(page: Any, case_id: int, cmd: str, note: str) -> None:
    """Tap 督办/批示 on the needs-me row, write the note, tap 确定; wait until the dialog has closed."""
    page.locator(f'.leader-need[data-id="{case_id}"] button[data-cmd="{cmd}"]').tap()
    page.fill("#leader-dialog-note", note)
    _fits(page)
    page.locator("#leader-dialog-ok").tap()
    page.locator(".leader-dialog").wait_for(state="detached", timeout=10_000)


def _wait_desk_counts(desk: Any, case: dict[str, Any], supervised: int, instructed: int) -> None:
    """The desk's row holds the counts: supervision_count from window.gridcmdDispatch.row(id), instruction_count
    from the row's 批示 cell (the test handle's row summary leaves instruction_count out; checked when it has it)."""
    cell = _row(desk, case["code"]).locator("[col-id=instruction_count]")
    desk.wait_for_function(
        """([id, s, i, cell]) => { const r = window.gridcmdDispatch.row(id);
            const mark = i ? '批示×' + i : '';
            return r && r.supervision_count === s && (r.instruction_count === undefined || r.instruction_count === i)
              && cell.textContent.trim() === mark; }""",
        arg=[case["id"], supervised, instructed, cell.element_handle()],
        timeout=10_000,
    )


def _assert_desk_shows_the_leader(desk: Any, case: dict[str, Any], supervised: int) -> None:
    """The 批示 mark in the row and the panel, and both notes in the open case's timeline, arrived live."""
    cell = _row(desk, case["code"]).locator("[col-id=instruction_count]")
    desk.wait_for_function("el => el.textContent.includes('批示×1')", arg=cell.element_handle(), timeout=5_000)
    assert desk.locator("#dispatch-panel-instructions").inner_text() == "批示×1"
    assert desk.locator("#dispatch-panel .pn-supc").inner_text() == f"督办 ×{supervised}"
    for cmd, note in (("supervise", SUPERVISE_NOTE), ("instruct", INSTRUCT_NOTE)):
        item = desk.locator(f"#dispatch-timeline li[data-command={cmd}]", has_text=note)
        item.wait_for(timeout=5_000)
        assert "e2e-leader" in item.inner_text(), item.inner_text()


def _assert_api_timeline(live_app: LiveApp, case_id: int) -> None:
    """GET /api/v1/cases/{id} lists the leader's 督办 and 批示, last, with their notes, by the leader."""
    resp = requests.get(f"{live_app.base_url}/api/v1/cases/{case_id}", headers=live_app.headers("leader"), timeout=10)
    assert resp.status_code == 200, resp.text
    last = [(e["command"], e["note"], e["actor"]) for e in resp.json()["timeline"][-2:]]
    assert [(c, n) for c, n, _ in last] == [("supervise", SUPERVISE_NOTE), ("instruct", INSTRUCT_NOTE)], last
    assert all("e2e-leader" in actor for _, _, actor in last), last


def _assert_leader_cannot_move_the_case(page: Any, live_app: LiveApp, case_id: int) -> None:
    """No 立案/派遣/结案 button on the pass; the API refuses those commands to the leader (token and session)."""
    offered = set(page.eval_on_selector_all("#leader-root [data-cmd]", "els => els.map(e => e.dataset.cmd)"))
    assert offered == {"supervise", "instruct"}, offered
    texts = {text.strip() for text in page.locator("#leader-root button").all_inner_texts()}
    labels = {t(f"dispatch.cmd.{cmd}", "zh") for cmd in FORBIDDEN} | {"结案", "核查结案"}
    assert not texts & labels, texts
    before = _case(live_app, case_id)
    for cmd in FORBIDDEN:
        body = {"expected_version": before["version"]}
        url = f"{live_app.base_url}/api/v1/cases/{case_id}/{cmd}"
        resp = requests.post(url, json=body, headers=live_app.headers("leader"), timeout=10)
        assert resp.status_code == 403, (cmd, resp.status_code, resp.text)
        status = page.evaluate(
            """([url, body]) => fetch(url, {method: 'POST', credentials: 'same-origin',
                 headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)}).then(r => r.status)""",
            [f"/api/v1/cases/{case_id}/{cmd}", body],
        )
        assert status == 403, (cmd, status)
    after = _case(live_app, case_id)
    assert (after["state"], after["version"]) == (before["state"], before["version"])


def test_a_district_leader_drills_to_a_grid_and_reaches_the_desk(phone_leader, desk_at, live_app: LiveApp) -> None:  # noqa: ANN001, F811
    page = phone_leader
    case = _filed_needy_case(live_app)
    grid = case["grid_code"]
    desk = desk_at()  # a dispatcher at 1920×1080, in its own browser context
    desk.locator('#dispatch-tabs .desk-tab[data-tab="to_dispatch"]').click()  # 待派遣: where a filed case waits
    _open_case(desk, case)

    # (1) district → street → community → grid by tapping ranking rows; the breadcrumb follows.
    page.reload()
    page.wait_for_function(LOADED, timeout=20_000)
    _assert_crumbs(page, grid, 0)
    for depth in (1, 2, 3):
        _drill(page, grid[: LEVELS[depth]])
        _assert_crumbs(page, grid, depth)
        _fits(page)
    assert page.locator("button.leader-rank-row").count() == 0  # a grid has nothing below it
    _assert_figures_match_the_api(page, live_app, grid)

    # (2) 督办 and 批示 from the grid's needs-me list; the desk shows each arriving live.
    row = page.locator(f'.leader-need[data-id="{case["id"]}"]')
    row.wait_for(timeout=10_000)
    assert "督办 2 次 · 批示 0 次" in row.inner_text()
    _act(page, case["id"], "supervise", SUPERVISE_NOTE)
    _wait_desk_counts(desk, case, 3, 0)
    _act(page, case["id"], "instruct", INSTRUCT_NOTE)
    _wait_desk_counts(desk, case, 3, 1)
    page.wait_for_function(
        f"""() => ((document.querySelector('.leader-need[data-id="{case["id"]}"]') || {{}}).textContent || '')
                  .includes('督办 3 次 · 批示 1 次')""",
        timeout=10_000,
    )
    _assert_desk_shows_the_leader(desk, case, 3)
    _assert_api_timeline(live_app, case["id"])

    # (3) the leader cannot file, dispatch or close.
    _assert_leader_cannot_move_the_case(page, live_app, case["id"])
