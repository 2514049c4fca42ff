"""Big screen panels in Chromium (issue 13): the ticker rebuilt from the server after a reload, charts drawn as soon
as the summary is in, the donut's total and every bar label readable, the map fitted clear of the overlays, the
tiles counting what they say, and no untranslated source name on the Chinese wall.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import SMALL
from tests.e2e.screen_cases import CaseWriter
from tests.e2e.server import ROOT, LiveApp, running_app
from tests.e2e.test_screen import CHARTS_DRAWN, WALL_READY, _open_cases

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-results"
TILES_SHOWN = """() => { const e = document.getElementById('screen-kpi-filed');
  return !!e && !['—', ''].includes(e.textContent.trim()); }"""


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """This module's own app: the wall's ticker, tiles and charts count everything on the server, so the other
    modules' cases and supervisions (the leader's, the desk's) must not be on it."""
    with running_app(tmp_path_factory.mktemp("e2e-wall"), SMALL) as live:
        yield live


def _wall(browser: Any, live_app: LiveApp) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_app.base_url}/screen?token={live_app.tokens['screen']}")
    return context, page, errors


def test_a_reloaded_wall_rebuilds_the_last_hours_alerts(browser: Any, live_app: LiveApp) -> None:
    writer = CaseWriter(live_app.env)
    lon, lat = writer.random_point(random.Random(3))
    # Raised to A by filing, then closed: no longer in any snapshot, only the server remembers the alert.
    gone = writer.close_out(writer.file(writer.report(lon, lat, "A级案件已结案"), "A"))
    context, page, errors = _wall(browser, live_app)
    try:
        page.wait_for_function(WALL_READY, timeout=30_000)
        page.wait_for_function(
            f"() => window.gridcmdLive.tickerKeys().split(' ').includes('a:{gone.id}')", timeout=10_000
        )
        assert page.locator(f"#screen-ticker .tk-a[data-case='{gone.id}']").count() == 2  # the two scrolling copies
        keys = page.evaluate("window.gridcmdLive.tickerKeys()").split(" ")
        # Merged with the live ones, each once (a case supervised three times has three numbered alerts, which
        # tickerKeys() lists by kind and case only).
        once = [k for k in keys if not k.startswith(("supervised:", "overdue:"))]
        assert len(once) == len(set(once)), keys
    finally:
        context.close()
    assert not errors, errors


def test_charts_draw_as_soon_as_the_summary_and_plotly_are_in(browser: Any, live_app: LiveApp) -> None:
    """Plotly's basic bundle (1.2 MB, assets/vendor; never the full 4.8 MB one) is fetched with the summary, not
    after the map is complete, and the charts are drawn as soon as it has run: no blank charts next to filled tiles."""
    context, page, errors = _wall(browser, live_app)
    try:
        page.wait_for_function(TILES_SHOWN, timeout=30_000)
        page.wait_for_function("() => !!window.Plotly", timeout=30_000, polling=50)
        ready = time.monotonic()
        page.wait_for_function(CHARTS_DRAWN, timeout=30_000, polling=50)
        assert time.monotonic() - ready < 4.0, "charts wait after Plotly is there"
        page.wait_for_function("() => 'mapPainted' in window.gridcmdLive.marks()", timeout=30_000)
        started, painted = page.evaluate(
            """() => [performance.getEntriesByType('resource').find((e) => /plotly/.test(e.name)).startTime,
                      window.gridcmdLive.marks().mapPainted]"""
        )
        assert started < painted, f"Plotly requested at {started:.0f} ms, after the map ({painted:.0f} ms)"
        fetched = page.evaluate(
            "() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /plotly/.test(n))"
        )
        assert len(fetched) == 1 and "/static/vendor/plotly-basic.min.js" in fetched[0], fetched
    finally:
        context.close()
    assert not errors, errors


def _rects(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const r = (e) => {
            const b = e.getBoundingClientRect();
            return {l: b.left, t: b.top, r: b.right, b: b.bottom};
          };
          const map = window.gridcmdLive._map;
          const bounds = L.latLngBounds([]);
          map.eachLayer((layer) => { if (layer.feature && layer.getBounds) bounds.extend(layer.getBounds()); });
          const box = map.getContainer().getBoundingClientRect();
          const nw = map.latLngToContainerPoint(bounds.getNorthWest());
          const se = map.latLngToContainerPoint(bounds.getSouthEast());
          const district = {l: box.left + nw.x, t: box.top + nw.y, r: box.left + se.x, b: box.top + se.y};
          const source = document.getElementById('screen-chart-source');
          const hole = source.querySelector('.pielayer .trace').getBoundingClientRect().width * 0.6;
          const total = source.querySelector('.annotation-text');
          const major = document.getElementById('screen-chart-major');
          return {
            district,
            tiles: r(document.querySelector('.screen-stats')),
            legend: r(document.querySelector('.screen-legend')),
            hole, total: total.getBoundingClientRect().width, totalText: total.textContent,
            bars: major.querySelectorAll('.point').length, labels: major.querySelectorAll('.ytick').length,
            legendText: source.querySelector('.legend').textContent,
          };
        }"""
    )


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return min(a["r"], b["r"]) - max(a["l"], b["l"]) > 1 and min(a["b"], b["b"]) - max(a["t"], b["t"]) > 1


def test_map_fits_clear_of_the_overlays_and_the_charts_are_readable(browser: Any, live_app: LiveApp) -> None:
    context, page, errors = _wall(browser, live_app)
    try:
        page.wait_for_function(WALL_READY, timeout=30_000)
        page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
        page.wait_for_timeout(500)
        got = _rects(page)
        assert not _overlap(got["district"], got["tiles"]), got  # the north is not under the tiles
        assert not _overlap(got["district"], got["legend"]), got  # nor the south-west under the legend
        assert got["total"] <= got["hole"], got  # the donut's total fits its hole
        assert got["labels"] == got["bars"] > 0, got  # every bar of 今日案件大类 labelled
        assert "Open311" not in got["legendText"], got["legendText"]
    finally:
        context.close()
    assert not errors, errors


def test_the_grids_tile_counts_grids_with_open_cases(browser: Any, live_app: LiveApp) -> None:
    context, page, errors = _wall(browser, live_app)
    try:
        page.wait_for_function(WALL_READY, timeout=30_000)
        page.wait_for_timeout(300)
        grids = page.locator("#screen-kpi-grids").inner_text()
        part, total = (int(x.replace(",", "")) for x in grids.split("/"))
        assert total == len(live_app.grids())
        assert part == len({c["grid_code"] for c in _open_cases(live_app)}) < total
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "screen-panels-1920.png"))
    finally:
        context.close()
    assert not errors, errors
