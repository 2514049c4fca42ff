"""Big screen /screen in Chromium: live markers without reload, exact replay after a reconnect, patrol frames."""

from __future__ import annotations

import time

import pytest
import requests

from tests.e2e.server import ROOT, LiveApp

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-results"
# A plausible morning on the wall, so the screenshot shows what a command hall sees.
BACKGROUND = [
    ("小区东门垃圾满溢未及时清运", "grid_worker"),
    ("路灯不亮，夜间行人不便", "hotline_12345"),
    ("人行道井盖破损存在安全隐患", "grid_worker"),
    ("商铺占道经营影响通行", "video"),
    ("楼道堆放杂物堵塞消防通道", "wechat"),
    ("施工噪音扰民，夜间仍在作业", "hotline_12345"),
    ("共享单车乱停放堵塞盲道", "grid_worker"),
    ("河道漂浮垃圾需要打捞", "video"),
    ("老旧小区外墙瓷砖脱落", "leader"),
    ("公交站牌被广告遮挡", "wechat"),
]


def _stream_key(stream_id: str) -> tuple[int, int]:
    ms, seq = stream_id.split("-")
    return int(ms), int(seq)


def _kpi(page, name: str) -> int:  # noqa: ANN001 - playwright Page
    return int(page.locator(f"#screen-kpi-{name}").inner_text().replace(",", ""))


def _post_patrols(live_app: LiveApp, prefix: str, points: list[tuple[float, float]], *, nudge: float = 0.0) -> None:
    now_ms = int(time.time() * 1000)
    positions = [
        {
            "id": f"{prefix}{i:03d}",
            "lon": lon + nudge,
            "lat": lat + nudge,
            "status": "busy" if i % 4 == 0 else "available",
            "ts": now_ms,
        }
        for i, (lon, lat) in enumerate(points)
    ]
    resp = requests.post(
        f"{live_app.base_url}/api/v1/patrols/positions",
        json={"positions": positions},
        headers=live_app.headers(),
        timeout=10,
    )
    assert resp.status_code == 202, resp.text


def test_new_case_appears_without_reload(screen_page, live_app: LiveApp) -> None:  # noqa: ANN001
    page = screen_page
    points = live_app.inside_points(60)
    _post_patrols(live_app, "scr", points[:48])
    for i, (description, source) in enumerate(BACKGROUND):
        lon, lat = points[(i * 5 + 2) % len(points)]
        live_app.post_case(lon, lat, description, source)
    page.wait_for_function("window.gridcmdLive.openCount() >= 10 && window.gridcmdLive.patrolCount() >= 48")
    # Counters are written on the next animation frame: read them only once they show the live state.
    page.wait_for_function(
        """() => {
          const num = (id) => document.getElementById(id).textContent.replace(/,/g, '');
          return num('screen-kpi-today') === String(window.gridcmdLive.today)
            && num('screen-kpi-open') === String(window.gridcmdLive.openCount());
        }"""
    )
    today_before = _kpi(page, "today")
    open_before = _kpi(page, "open")

    lon, lat = points[7]
    case = live_app.post_case(lon, lat, "小区门口消防栓漏水，路面结冰", "hotline_12345")

    marker = page.locator(f".case-{case['id']}")
    marker.wait_for(state="attached", timeout=5_000)
    assert marker.count() == 1
    page.wait_for_function(
        "n => document.getElementById('screen-kpi-today').textContent.replace(/,/g, '') === String(n)",
        arg=today_before + 1,
        timeout=5_000,
    )
    assert _kpi(page, "open") == open_before + 1
    assert "消防栓漏水" in page.locator("#screen-recent-list li").first.inner_text()
    assert _kpi(page, "grids") == len(live_app.grids())

    # A 16:9 wall must not scroll.
    no_scroll = "document.documentElement.scrollHeight <= innerHeight && document.body.scrollWidth <= innerWidth"
    assert page.evaluate(no_scroll)
    page.wait_for_timeout(4_000)  # let the arrival pulse finish so the screenshot shows resting markers
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "screen-1920.png"))


def test_reconnect_replays_missed_cases_exactly_once(screen_page, live_app: LiveApp) -> None:  # noqa: ANN001
    page = screen_page
    last_before = page.evaluate("window.gridcmdLive.lastId")
    page.evaluate("window.gridcmdLive._socket.disconnect()")
    page.locator("#screen-conn.is-reconnecting").wait_for(timeout=5_000)

    points = live_app.inside_points(3)
    ids = [live_app.post_case(lon, lat, f"断线期间上报的案件 {i}")["id"] for i, (lon, lat) in enumerate(points)]
    page.wait_for_timeout(500)
    for case_id in ids:  # nothing can arrive while the socket is down
        assert page.locator(f".case-{case_id}").count() == 0

    page.evaluate("window.gridcmdLive._socket.connect()")
    page.wait_for_function("window.gridcmdLive.state === 'live'", timeout=10_000)
    for case_id in ids:
        page.locator(f".case-{case_id}").wait_for(state="attached", timeout=5_000)
    page.wait_for_timeout(500)  # a duplicate delivery, if any, would land now
    for case_id in ids:
        assert page.locator(f".case-{case_id}").count() == 1
    last_after = page.evaluate("window.gridcmdLive.lastId")
    assert _stream_key(last_after) > _stream_key(last_before)
    assert page.locator("#screen-conn.is-live").count() == 1


def test_patrol_frames_move_dots_in_place(screen_page, live_app: LiveApp) -> None:  # noqa: ANN001
    page = screen_page
    points = live_app.inside_points(20)
    before = page.evaluate("window.gridcmdLive.patrolCount()")
    _post_patrols(live_app, "mov", points)
    page.wait_for_function("n => window.gridcmdLive.patrolCount() >= n", arg=before + len(points), timeout=5_000)
    start = page.evaluate("window.gridcmdLive.patrol('mov000')")

    _post_patrols(live_app, "mov", points, nudge=0.001)
    page.wait_for_function(
        "lon => { const p = window.gridcmdLive.patrol('mov000'); return p && p[0] > lon; }",
        arg=start[0],
        timeout=5_000,
    )
    assert page.evaluate("window.gridcmdLive.patrolCount()") == before + len(points)  # moved, not duplicated
    assert _kpi(page, "patrols") >= len(points)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_wall_fits_without_scrollbars(browser, live_app: LiveApp, width: int, height: int) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{live_app.base_url}/screen?token={live_app.tokens['screen']}")
        page.wait_for_function("window.gridcmdLive && window.gridcmdLive.state === 'live'", timeout=20_000)
        page.locator("path.gc-grid").first.wait_for(state="attached", timeout=20_000)
        doc = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        assert doc == [width, height]
        for selector in (".screen-header", ".screen-map-wrap", ".screen-kpis", ".screen-recent"):
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["y"] >= 0, selector
            assert box["x"] + box["width"] <= width + 0.5 and box["y"] + box["height"] <= height + 0.5, selector
        # The KPI numbers scale with the wall: about 54 px at 1080p, twice that at 2160p.
        size = page.evaluate("parseFloat(getComputedStyle(document.getElementById('screen-kpi-open')).fontSize)")
        assert size == pytest.approx(54.4 * height / 1080, rel=0.05)
        if width > 1920:
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / f"screen-{width}.png"))
    finally:
        context.close()
