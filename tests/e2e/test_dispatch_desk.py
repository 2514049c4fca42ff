"""The desk for the human at it (/dispatch in Chromium): what the file dialog preselects, the description column, a
panel that scrolls under its key facts, patrols by name, AG Grid in Chinese, 批示 marks, and 1366/1024-wide screens.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.e2e.server import LiveApp
from tests.e2e.test_dispatch import READY, SHOTS, _command, _condition, _post_patrols, _report, _row, _wait_state

pytestmark = pytest.mark.e2e

LONG = (
    "东门井盖缺失，夜间无照明\n" + "周边居民多次反映，已有行人绊倒受伤，请尽快处置并设置警示标志。" * 64
)  # ~2,000 chars


@pytest.fixture
def desk_at(browser, live_app: LiveApp) -> Iterator[Callable[..., Any]]:  # noqa: ANN001 - playwright Browser
    """Open /dispatch for `e2e-<role>` at a viewport size; the desk is live when returned."""
    contexts: list[Any] = []
    errors: list[str] = []

    def _open(role: str = "dispatcher", width: int = 1920, height: int = 1080) -> Any:
        viewport = {"width": width, "height": height}
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{role}: {exc}"))
        live_app.login(page, role)
        page.goto(f"{live_app.base_url}/dispatch/")
        page.wait_for_function(READY, timeout=20_000)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"page errors: {errors}"


def _box(page: Any, selector: str) -> dict[str, float]:
    return page.locator(selector).first.bounding_box()


def _open_case(desk: Any, case: dict[str, Any]) -> None:
    _row(desk, case["code"]).wait_for(timeout=5_000)
    desk.evaluate("id => window.gridcmdDispatch.select(id)", case["id"])
    desk.wait_for_function(
        "() => document.querySelector('#dispatch-timeline li[data-command]') !== null", timeout=5_000
    )


def _uncategorised_report(live_app: LiveApp, points: list[tuple[float, float]]) -> dict[str, Any]:
    """A report for which the suggestions propose no condition (other tests' filed cases may lie near a point)."""
    for point in points:
        case = _report(live_app, point, "情况不明，需进一步核实")
        url = f"{live_app.base_url}/api/v1/cases/{case['id']}/suggestions"
        if requests.get(url, headers=live_app.headers(), timeout=10).json()["category"] is None:
            return case
    raise AssertionError("every point has a categorised case within 50 m")


def test_the_file_dialog_preselects_the_reported_category_and_otherwise_nothing(desk_at, live_app: LiveApp) -> None:  # noqa: ANN001
    desk = desk_at()
    points = live_app.inside_points(31)
    lamp = _condition(live_app, "路灯不亮")
    classified = _report(live_app, points[3], "路灯不亮（热线已分类）", category_code=lamp["code"])
    _open_case(desk, classified)
    desk.keyboard.press("f")
    active = desk.locator("#dispatch-file-list .pk-item.is-active")
    active.wait_for()
    assert active.get_attribute("data-value") == lamp["code"]
    desk.keyboard.press("Escape")

    # Neither a reported nor a suggested category (no categorised case within 50 m): nothing is highlighted and
    # Enter files nothing.
    bare = _uncategorised_report(live_app, points[20:])
    _open_case(desk, bare)
    desk.wait_for_function("() => document.querySelector('#dispatch-sugg .sg-row') !== null")
    desk.keyboard.press("f")
    desk.locator("#dispatch-file-list .pk-item").first.wait_for()
    assert desk.locator("#dispatch-file-list .pk-item.is-active").count() == 0
    desk.keyboard.press("Enter")
    assert "请选择" in desk.locator("#dispatch-dialog-error").inner_text()
    assert desk.evaluate("id => window.gridcmdDispatch.row(id).state", bare["id"]) == "reported"
    desk.keyboard.press("ArrowDown")  # the first match, picked by the dispatcher
    assert desk.locator("#dispatch-file-list .pk-item.is-active").count() == 1
    desk.keyboard.press("Escape")


def test_the_queue_shows_descriptions_and_speaks_chinese_when_nothing_matches(desk_at, live_app: LiveApp) -> None:  # noqa: ANN001
    desk = desk_at()
    case = _report(live_app, live_app.inside_points(37)[5], "小区南门积水严重\n第二行不进单元格")
    cell = _row(desk, case["code"]).locator("[col-id=description]")
    cell.wait_for(timeout=5_000)
    assert cell.inner_text() == "小区南门积水严重"
    desk.fill("#dispatch-search", "绝对不会匹配的内容zzzz")
    overlay = desk.locator(".ag-overlay-no-rows-center, .ag-overlay-wrapper").first
    overlay.wait_for(timeout=5_000)
    assert "没有符合条件的案件" in overlay.inner_text() or "暂无案件" in overlay.inner_text()
    assert "No " not in desk.locator("#dispatch-queue").inner_text()


def test_nearest_patrols_by_name_phone_and_distance(desk_at, live_app: LiveApp) -> None:  # noqa: ANN001
    db = live_app.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        code, name, phone = conn.execute(
            "SELECT code, name, phone FROM staff WHERE role = 'full_time' ORDER BY code DESC LIMIT 1"
        ).fetchone()
    desk = desk_at()
    point = live_app.inside_points(41)[9]
    case = _report(live_app, point, "绿化带内大量建筑垃圾")
    _post_patrols(live_app, [(code, point[0] + 0.0008, point[1], "available")])
    desk.wait_for_function("id => window.gridcmdDispatch.patrol(id) !== null", arg=code)
    _open_case(desk, case)
    line = desk.locator(f"#dispatch-sugg .sg-patrol[data-patrol='{code}']")
    line.wait_for(timeout=5_000)
    text = line.inner_text()
    assert name in text and phone in text and "米" in text, text


def test_instructions_are_marked_in_the_row_the_panel_and_the_timeline(desk_at, live_app: LiveApp) -> None:  # noqa: ANN001
    desk = desk_at("admin")
    case = _report(live_app, live_app.inside_points(43)[7], "学校门口交通拥堵，存在安全隐患")
    _open_case(desk, case)
    resp = _command(live_app, live_app.headers("leader"), case["id"], "instruct", note="请交管部门今日内疏导并反馈")
    assert resp.status_code == 200, resp.text
    cell = _row(desk, case["code"]).locator("[col-id=instruction_count]")
    desk.wait_for_function("el => el.textContent.includes('批示×1')", arg=cell.element_handle(), timeout=5_000)
    mark = desk.locator("#dispatch-panel-instructions")
    mark.wait_for(state="visible", timeout=5_000)
    assert mark.inner_text() == "批示×1"
    item = desk.locator("#dispatch-timeline li[data-command=instruct]")
    item.wait_for(timeout=5_000)
    assert "批示" in item.inner_text() and "请交管部门今日内疏导并反馈" in item.inner_text()
    # An admin may instruct from the desk: the note is required.
    desk.locator("#dispatch-actions [data-cmd=instruct]").click()
    desk.locator("#dispatch-dialog[data-cmd=instruct]").wait_for()
    desk.keyboard.press("Enter")
    assert desk.locator("#dispatch-dialog-error").is_visible()
    desk.keyboard.type("同意，抓紧办理")
    desk.keyboard.press("Enter")
    desk.wait_for_function("el => el.textContent.includes('批示×2')", arg=cell.element_handle(), timeout=5_000)


def _assert_panel_scrolls_under_its_head(desk: Any) -> None:
    """The long description is clamped with 展开; the body scrolls to the facts while the head stays in view."""
    assert "is-clamped" in (desk.locator("#dispatch-panel-desc").get_attribute("class") or "")
    assert desk.locator("#dispatch-panel-more").is_visible()
    body = "#dispatch-panel-body"
    desk.locator("#dispatch-panel-more").click()
    assert desk.evaluate(
        f"() => {{ const b = document.querySelector('{body}'); return b.scrollHeight > b.clientHeight; }}"
    )
    top_before = _box(desk, "#dispatch-panel-top")["y"]
    desk.locator("#dispatch-panel .pn-facts").scroll_into_view_if_needed()
    assert desk.evaluate(f"() => document.querySelector('{body}').scrollTop") > 0
    assert abs(_box(desk, "#dispatch-panel-top")["y"] - top_before) < 1  # code, state, countdown, buttons stay
    assert desk.locator("#dispatch-panel-state").is_visible() and desk.locator("#dispatch-actions").is_visible()
    panel = _box(desk, "#dispatch-panel")
    facts = _box(desk, "#dispatch-panel .pn-facts")
    assert facts["y"] < panel["y"] + panel["height"]  # 来源, 网格, 上报人, 电话 can be reached


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1366, 768)])
def test_small_screens_put_the_queue_first_and_the_panel_scrolls(
    desk_at, live_app: LiveApp, width: int, height: int
) -> None:  # noqa: ANN001
    desk = desk_at(width=width, height=height)
    case = _report(live_app, live_app.inside_points(47)[width % 40], LONG)
    _open_case(desk, case)
    queue = _box(desk, ".desk-queue")
    assert queue["width"] >= 400 and queue["height"] >= 400, queue
    no_scroll = "document.documentElement.scrollHeight <= innerHeight && document.body.scrollWidth <= innerWidth"
    assert desk.evaluate(no_scroll)
    desc = _box(desk, ".ag-header-cell[col-id=description]")
    assert desc["x"] + 60 <= queue["x"] + queue["width"], (desc, queue)  # the description is in view
    folded = width < 1280
    assert desk.evaluate("window.gridcmdDispatch.mapFolded") is folded
    assert desk.locator("#dispatch-map").is_visible() is not folded
    _assert_panel_scrolls_under_its_head(desk)
    SHOTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(SHOTS / f"dispatch-{width}.png"))
    # The header's button brings the map back (and folds it again); the queue keeps its room.
    desk.locator("#dispatch-map-toggle").click()
    assert desk.locator("#dispatch-map").is_visible() is folded
    assert _box(desk, ".desk-queue")["width"] >= 400
    if folded:
        desk.wait_for_timeout(300)
        desk.screenshot(path=str(SHOTS / f"dispatch-{width}-map.png"))


def test_the_1920_desk_with_a_long_description(desk_at, live_app: LiveApp) -> None:  # noqa: ANN001
    desk = desk_at()
    case = _report(live_app, live_app.inside_points(53)[11], LONG)
    _open_case(desk, case)
    assert desk.evaluate("window.gridcmdDispatch.mapFolded") is False
    queue = _box(desk, ".desk-queue")
    last = _box(desk, ".ag-header-cell[col-id=instruction_count]")
    assert last["x"] + last["width"] <= queue["x"] + queue["width"] + 1, (last, queue)  # every column in view
    _assert_panel_scrolls_under_its_head(desk)
    desk.locator("#dispatch-panel-body").evaluate("b => { b.scrollTop = 0; }")
    desk.locator("#dispatch-panel-more").click()  # 收起: clamped again, as a dispatcher leaves it
    assert "is-clamped" in (desk.locator("#dispatch-panel-desc").get_attribute("class") or "")
    _wait_state(desk, case["id"], "reported")
    SHOTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(SHOTS / "dispatch-1920-panel.png"))


def _unlocated_order(live_app: LiveApp, text: str) -> dict[str, Any]:
    """A 12345 order whose address names none of the jurisdiction's areas: its case waits unlocated (待定位)."""
    order = {
        "order_id": f"E2E{time.time_ns()}",
        "received_at": "2026-12-01T09:00:00+08:00",
        "address": "外省某市某路",
        "category": "路灯不亮",
        "content": text,
    }
    resp = requests.post(
        f"{live_app.base_url}/api/v1/hotline/orders", json=order, headers=live_app.headers(), timeout=10
    )
    assert resp.status_code == 201 and resp.json()["located"] is False, resp.text
    return {"id": resp.json()["case_id"], "code": resp.json()["case_code"]}


def test_a_report_without_a_location_is_marked_and_located_typed_or_picked_on_the_map(
    desk_at, live_app: LiveApp
) -> None:  # noqa: ANN001
    desk = desk_at()
    case = _unlocated_order(live_app, "路灯不亮，地址无法识别")
    row = _row(desk, case["code"])
    row.wait_for(timeout=5_000)
    cell = row.locator("[col-id=grid_code]")
    assert cell.inner_text().strip() == "待定位" and "dq-unlocated" in (cell.get_attribute("class") or "")
    desk.evaluate("id => window.gridcmdDispatch.select(id)", case["id"])
    desk.locator("#dispatch-panel-unlocated").wait_for(state="visible", timeout=5_000)
    desk.locator("#dispatch-actions [data-cmd=locate]").wait_for(timeout=5_000)
    assert desk.locator("#dispatch-actions [data-cmd=file]").count() == 0  # no filing before it has a place
    assert desk.locator("#dispatch-minimap").is_hidden()

    # Typed: a bad pair is refused in the dialog, a point inside a grid locates it.
    desk.locator("#dispatch-actions [data-cmd=locate]").click()
    desk.locator("#dispatch-locate-lat").fill("不是坐标")
    desk.locator("#dispatch-dialog-confirm").click()
    assert "有效的纬度" in desk.locator("#dispatch-dialog-error").inner_text()
    feature = live_app.grids()[7]
    lon, lat = live_app.inside_points(len(live_app.grids()))[7]
    desk.locator("#dispatch-locate-lat").fill(f"{lat}, {lon}")  # one pasted pair reads too
    desk.locator("#dispatch-dialog-confirm").click()
    desk.wait_for_function(
        "id => { const r = window.gridcmdDispatch.row(id); return r && r.version === 2 && r.tier === 'street'; }",
        arg=case["id"],
        timeout=5_000,
    )
    desk.locator("#dispatch-actions [data-cmd=file]").wait_for(timeout=5_000)
    assert desk.locator("#dispatch-panel-unlocated").is_hidden()
    assert row.locator("[col-id=grid_code]").inner_text().strip() == feature["properties"]["name"]

    # Picked: the dialog steps aside, a click on the map is the point, the dialog returns with it filled in.
    other = _unlocated_order(live_app, "井盖缺失，位置待核实")
    _row(desk, other["code"]).wait_for(timeout=5_000)
    desk.evaluate("id => window.gridcmdDispatch.select(id)", other["id"])
    desk.locator("#dispatch-actions [data-cmd=locate]").click()
    desk.locator("#dispatch-locate-pick").click()
    assert desk.locator("#dispatch-dialog").count() == 0
    # Pointed at the first case's marker (the same spot): the marker must not swallow the pick (it used to stop the
    # click reaching the map, so the dialog never came back), nor open that case instead.
    x, y = desk.evaluate(
        """id => { const st = window.gridcmdDesk.st; const m = st.map; const ll = st.markers.get(id).getLatLng();
            m.setView(ll, m.getZoom(), {animate: false});
            const q = m.latLngToContainerPoint(ll); const r = m.getContainer().getBoundingClientRect();
            return [r.left + q.x, r.top + q.y]; }""",
        case["id"],
    )
    desk.mouse.click(x, y)
    desk.locator("#dispatch-dialog[data-cmd=locate]").wait_for(timeout=5_000)
    picked = float(desk.locator("#dispatch-locate-lat").input_value())
    assert abs(picked - lat) < 0.001
    assert desk.evaluate("() => window.gridcmdDesk.st.primary") == other["id"]
    desk.locator("#dispatch-dialog-confirm").click()
    desk.wait_for_function(
        "id => { const r = window.gridcmdDispatch.row(id); return r && r.version === 2 && r.tier === 'street'; }",
        arg=other["id"],
        timeout=5_000,
    )
    timeline = requests.get(f"{live_app.base_url}/api/v1/cases/{other['id']}", headers=live_app.headers(), timeout=10)
    assert timeline.json()["timeline"][-1]["command"] == "locate"
