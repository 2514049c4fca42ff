"""The leader pass's scan level in Chromium on a phone (issue 14): each KPI card's trend ends on the figure it
shows and follows the window; the departments are ranked beside the areas; a drilled street shows a small map of
its open cases (the district none), drawn from the summary and a small outline; a tap on a dot shows that case —
its needs-me row, or the case sheet, from which a 批示 goes out."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from shapely.geometry import Point, shape

from layouts.leader import CARDS
from tests.e2e.server import LiveApp
from tests.e2e.test_leader import LOADED, VIEWPORTS, _supervise

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser, live_app: LiveApp) -> Iterator[Any]:  # noqa: ANN001 - playwright Browser
    context = browser.new_context(
        viewport=VIEWPORTS["phone"], locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True, is_mobile=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    live_app.login(page, "leader")
    page.wait_for_function(LOADED, timeout=20_000)
    yield page
    context.close()
    assert not errors, f"page errors: {errors}"


def _fresh_point(live_app: LiveApp, street: str, not_in: str = "") -> tuple[float, float]:
    """A random point inside some grid of `street` (not grid `not_in`): no other test's case lies on it, so its dot
    is the one a tap there takes."""
    rng = random.Random(uuid.uuid4().int)
    grids = [f for f in live_app.grids() if f["properties"]["code"].startswith(street)]
    grids = [f for f in grids if f["properties"]["code"] != not_in] or grids
    polygon = shape(rng.choice(grids)["geometry"])
    min_x, min_y, max_x, max_y = polygon.bounds
    while True:
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if polygon.contains(Point(x, y)):
            return round(x, 6), round(y, 6)


def _cases(live_app: LiveApp) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case supervised twice (on the needs-me list) and a plain one beside it, in the same street."""
    street = live_app.grids()[0]["properties"]["code"][:9]
    lon, lat = _fresh_point(live_app, street)
    needy = _supervise(live_app, live_app.post_case(lon, lat, f"领导通地图督办 e2e {uuid.uuid4().hex[:6]}"), times=2)
    lon, lat = _fresh_point(live_app, street, not_in=needy["grid_code"])
    plain = live_app.post_case(lon, lat, f"领导通地图 e2e {uuid.uuid4().hex[:6]}", "wechat")
    return needy, plain


def _tap_dot(page: Any, case_id: int) -> None:
    dots = {d["id"]: d for d in page.evaluate("() => window.gridcmdLeaderView.mapDots()")}
    assert case_id in dots, sorted(dots)
    canvas = page.locator(".leader-map-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.touchscreen.tap(box["x"] + dots[case_id]["x"], box["y"] + dots[case_id]["y"])


def _assert_trends(page: Any, window: str, period: str) -> None:
    page.locator(f'.leader-toggle-btn[data-window="{window}"]').tap()
    page.wait_for_function(
        "(p) => Array.from(document.querySelectorAll('.leader-card-trend-label')).every(e => e.textContent === p)",
        arg=period,
    )
    w = page.evaluate(f"() => window.gridcmdLeaderView.summary().windows.{window}")
    for key in CARDS:
        card = page.locator(f'.leader-card[data-kpi="{key}"]')
        assert w["trend"]["kpis"][key][-1] == w["kpis"][key], key  # the trend ends on the figure shown
        label = card.locator("svg.leader-spark").get_attribute("aria-label")
        shown = card.locator(".leader-card-value").inner_text()
        assert label.startswith(period + "趋势：") and label.endswith(shown), (key, label, shown)
    for key in ("filed", "closed"):  # counts always have a value: a line of every period
        assert page.locator(f'.leader-card[data-kpi="{key}"] polyline.leader-spark-line').count() == 1


def test_trends_departments_and_the_map_of_a_drilled_street(phone, live_app: LiveApp) -> None:  # noqa: ANN001
    page = phone
    needy, plain = _cases(live_app)
    page.reload()
    page.wait_for_function(LOADED, timeout=20_000)

    # Trends on every card, for each window.
    _assert_trends(page, "week", "近4周")
    _assert_trends(page, "today", "近7日")

    # Departments beside the areas: not areas, so nothing to drill into.
    page.locator('.leader-tab[data-of="departments"]').tap()
    assert page.locator("#leader-rank-level").inner_text() == "各部门"
    assert page.locator("#leader-rank button.leader-rank-row").count() == 0
    page.locator('.leader-tab[data-of="areas"]').tap()

    # The district has no map; its street has one, with both cases as dots.
    assert page.locator(".leader-section--map").is_hidden()
    street = needy["grid_code"][:9]
    page.locator('.leader-tab[data-by="overdue"]').tap()
    page.locator(f'button.leader-rank-row[data-code="{street}"]').first.tap()
    page.wait_for_function(
        "(code) => { const v = window.gridcmdLeaderView; return v.summary().scope === code && v.mapDraws() > 0; }",
        arg=street,
        timeout=15_000,
    )
    summary = page.evaluate("() => window.gridcmdLeaderView.summary()")
    ids = [row[0] for row in summary["map_cases"]["cases"]]
    assert needy["id"] in ids and plain["id"] in ids
    assert page.locator("#leader-map-note").inner_text() == f"在办 {summary['map_cases']['total']} 件"
    legend = page.locator("#leader-map-legend").inner_text()
    assert "未计时" in legend and sum(int(n) for n in legend.split() if n.isdigit()) == len(ids)
    outline = requests.get(
        f"{live_app.base_url}/api/v1/leader/outline",
        params={"scope": street},
        headers=live_app.headers("leader"),
        timeout=10,
    )
    assert outline.ok and len(outline.content) < 40_000

    # A tap on the needy case's dot marks its row in the list; on the other, the case sheet opens.
    _tap_dot(page, needy["id"])
    page.locator(f'.leader-need.is-focus[data-id="{needy["id"]}"]').wait_for(timeout=5_000)
    _tap_dot(page, plain["id"])
    sheet = page.locator(f'.leader-sheet[data-id="{plain["id"]}"]')
    sheet.locator(".leader-sheet-close").wait_for(timeout=10_000)
    assert sheet.locator(".leader-dialog-title").inner_text() == plain["code"]
    assert "上报" in sheet.locator(".leader-sheet-timeline").inner_text()

    # 批示 from the sheet: the dialog, then a word at the foot of the screen; the case carries it.
    sheet.locator("button[data-sheet-cmd='instruct']").tap()
    page.fill("#leader-dialog-note", "请街道核实")
    page.locator("#leader-dialog-ok").tap()
    page.locator("#leader-toast:not([hidden])").wait_for(timeout=10_000)
    assert page.locator("#leader-toast").inner_text() == f"已批示：{plain['code']}"
    after = requests.get(f"{live_app.base_url}/api/v1/cases/{plain['id']}", headers=live_app.headers(), timeout=10)
    assert after.json()["instruction_count"] == 1
