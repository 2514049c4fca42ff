"""The wall's map stays readable at any load (issue 13 item 1): 100, 600 and 2,000 open cases, most of them in the
urban north, at 1920×1080 and 3840×2160.

At district zoom ordinary cases are count badges (assets/screen/16-clusters.js, 53-clusters.js); A-level and
overdue cases stay single markers above them, and street names are above every marker. In each picture: an
A-level case placed in the densest part of the district is the topmost element at its centre, every other A-level
marker is topmost too (or under a street name), every street name shown is the topmost element at its centre and
overlaps no other name, every overdue case has its own visible marker, and no ordinary marker is drawn. The
screenshots land in test-results/screen-load-<cases>-<width>.png.

Cases are written in bulk through the real services (100 a transaction, like bench/screen_perf.py), with stage
clocks started in the past so every deadline colour occurs; the app's outbox relay publishes them as always.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from dashboard.services.clock import utcnow
from dashboard.services.commands import Ctx, dispatch_case, file_case
from dashboard.services.intake import ReportCase, report_case
from dashboard.store.db import transaction
from tests.e2e.screen_cases import DISPATCH_MIN, CaseWriter
from tests.e2e.server import ROOT, Jurisdiction, LiveApp, running_app

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-results"
DISTRICT = Jurisdiction(grids=400, streets=8, communities=100, seed=13)
LOADS = (100, 600, 2000)
SIZES = ((1920, 1080), (3840, 2160))
NORTH_SHARE = 0.75  # of the cases, in the northern quarter of the grids (the urban part)

WALL_READY = """(n) => window.gridcmdLive && window.gridcmdLive.state === 'live'
  && window.gridcmdLive.gridCount() > 0 && window.gridcmdLive.openCount() === n
  && 'mapPainted' in window.gridcmdLive.marks() && 'meta' in window.gridcmdLive.marks()
  && window.gridcmdLive.clusters().on && document.querySelectorAll('.street-label span').length > 0"""
# Leaflet makes non-interactive icons transparent to the pointer; hit-test what is drawn, as an eye would.
# The boxes over the map (stats, legend, tour caption) count too: a marker under the legend is not seen.
HIT_STYLE = """.case-marker, .case-cluster, .street-label span, .screen-stats, .screen-legend, .screen-tour {
  pointer-events: auto !important; }"""
PROBE = """(mine) => {
  const centre = (el) => { const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; };
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const top = (el) => document.elementFromPoint(...centre(el));
  const map = document.querySelector('.screen-map').getBoundingClientRect();
  const inside = (el) => {
    const [x, y] = centre(el);
    return x > map.left && x < map.right && y > map.top && y < map.bottom;
  };
  const labels = Array.from(document.querySelectorAll('.street-label span')).filter((s) => shown(s) && inside(s));
  const boxes = labels.map((s) => s.getBoundingClientRect());
  const overlapping = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b, k) => {
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
      overlapping.push([labels[i].textContent, labels[i + 1 + k].textContent]);
  }));
  const mineEl = document.querySelector('.case-marker.case-' + mine);
  const hitMine = mineEl && top(mineEl);
  const others = Array.from(document.querySelectorAll('.case-marker.lvl-a')).filter((m) => m !== mineEl && inside(m));
  const buried = others.filter((m) => {
    const h = top(m);
    return !(h && (h.closest('.case-marker.lvl-a') || h.closest('.street-label')));
  });
  const over = Array.from(document.querySelectorAll('.case-marker.sla-over'));
  const ordinary = Array.from(document.querySelectorAll('.leaflet-gc-cases-pane .case-marker')).filter(shown);
  return {
    mineShown: !!mineEl && shown(mineEl) && inside(mineEl),
    mineOnTop: !!hitMine && hitMine.closest('.case-marker') === mineEl,
    mineHit: hitMine ? hitMine.className + '' : null,
    labels: labels.length,
    coveredLabels: labels.filter((s) => top(s) !== s).map((s) => [s.textContent, (top(s) || {}).className + '']),
    overlapping: overlapping,
    aLevel: others.length + (mineEl ? 1 : 0),
    buriedA: buried.map((m) => m.className),
    overdue: over.length,
    overdueHidden: over.filter((m) => !shown(m)).length,
    ordinaryShown: ordinary.length,
    badges: document.querySelectorAll('.case-cluster').length,
    clusters: window.gridcmdLive.clusters(),
    zoom: window.gridcmdLive._map.getZoom(),
  };
}"""


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """A 400-grid district of its own (the shared 120-grid app keeps its small picture)."""
    with running_app(tmp_path_factory.mktemp("load"), DISTRICT) as live:
        yield live


def _northern_grids(live: LiveApp) -> list[tuple[str, float, float]]:
    """(code, lon, lat) of the northern quarter of the grids, by their representative points, north first."""
    from shapely.geometry import shape

    points = []
    for feature in live.grids():
        p = shape(feature["geometry"]).representative_point()
        points.append((feature["properties"]["code"], p.x, p.y))
    points.sort(key=lambda g: -g[2])
    return points[: max(4, len(points) // 4)]


def _far_from_names(live: LiveApp, grids: list[tuple[str, float, float]]) -> tuple[float, float]:
    """The point among `grids` farthest from every street name (the names are drawn at the streets' centres)."""
    resp = requests.get(f"{live.base_url}/api/v1/screen/meta", headers=live.headers("screen"), timeout=30)
    resp.raise_for_status()
    centres = [f["properties"]["center"] for f in resp.json()["streets"]["features"]]

    def clearance(g: tuple[str, float, float]) -> float:
        k = math.cos(math.radians(g[2]))
        return min(math.hypot((g[1] - lon) * k, g[2] - lat) for lat, lon in centres)

    best = max(grids, key=clearance)
    return best[1], best[2]


def _seed(writer: CaseWriter, count: int, north: list[str], rng: random.Random) -> None:
    """`count` open cases: 40 % reported, 35 % filed (every colour), 20 % dispatched hours ago, 5 % overdue."""
    settings = writer.settings
    conditions = {lvl: [c for c in writer.catalog if c.department_code and c.level == lvl] for lvl in "ABC"}
    made = 0
    while made < count:
        with transaction(writer.sessions) as session:
            for _ in range(min(100, count - made)):
                made += 1
                code = rng.choice(north) if rng.random() < NORTH_SHARE else rng.choice(writer.grids)
                lon, lat = writer.index.random_point_in(code, rng)
                cmd = ReportCase(description="负载测试案件", lat=lat, lon=lon, source="grid_worker", actor="e2e:load")
                case = report_case(
                    cmd, session=session, grids=writer.index, county_code=settings.county_code, tz=settings.timezone
                ).case
                roll = rng.random()
                if roll < 0.4:
                    continue
                level = "A" if rng.random() < 0.005 else rng.choice("BCC")
                item = rng.choice(conditions[level])
                share = -0.3 if roll > 0.95 else rng.uniform(0.02, 0.98)
                at = utcnow() - timedelta(minutes=DISPATCH_MIN[level] * (1 - share))
                if 0.75 <= roll <= 0.95:
                    at = utcnow() - timedelta(hours=rng.uniform(0.2, 30))
                ctx = Ctx(session=session, actor=writer.actor, cal=writer.calendar, tz=settings.timezone, now=at)
                case = file_case(ctx, case.id, expected_version=case.version, condition=item.code)
                if 0.75 <= roll <= 0.95:
                    dispatch_case(ctx, case.id, expected_version=case.version, department=item.department_code)


def _picture(browser: Any, live: LiveApp, mine: int, cases: int, width: int, height: int) -> dict[str, Any]:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live.base_url}/screen?token={live.tokens['screen']}")
        page.wait_for_function(WALL_READY, arg=cases, timeout=60_000)
        page.wait_for_function("(id) => document.querySelector('.case-marker.case-' + id)", arg=mine, timeout=10_000)
        page.wait_for_timeout(1_200)  # a per-second pass and the badges' frame after it
        page.add_style_tag(content=HIT_STYLE)
        seen = page.evaluate(PROBE, mine)
        SHOTS.mkdir(exist_ok=True)
        # Animations stopped: the blinking panes at full opacity, and no 4K capture waiting on frames.
        page.screenshot(path=str(SHOTS / f"screen-load-{cases}-{width}.png"), animations="disabled", timeout=90_000)
    finally:
        context.close()
    assert not errors, errors
    return seen


def test_the_map_stays_readable_at_any_load(browser: Any, district: LiveApp) -> None:
    writer = CaseWriter(district.env)
    rng = random.Random(13)
    northern = _northern_grids(district)
    # Not at the very tip: the map's stats box sits over the district's northern end.
    lon, lat = _far_from_names(district, northern[len(northern) // 3 :])
    # The A-level case to find: filed, its 10-minute dispatch clock 30 % gone, amid the urban north's cases.
    mine = writer.filed_with_share_left(lon, lat, "A级案件", "A", 0.7).id
    held = 1
    for load in LOADS:
        _seed(writer, load - held, [g[0] for g in northern], rng)
        held = load
        for width, height in SIZES:
            seen = _picture(browser, district, mine, load, width, height)
            where = f"{load} cases at {width}px: {seen}"
            assert seen["clusters"]["on"] and seen["zoom"] < 13, where  # district zoom: aggregated
            assert seen["mineShown"] and seen["mineOnTop"], where
            assert seen["buriedA"] == [], where
            assert seen["labels"] >= 3 and seen["coveredLabels"] == [] and seen["overlapping"] == [], where
            assert seen["overdue"] > 0 and seen["overdueHidden"] == 0, where
            assert seen["ordinaryShown"] == 0, where
            assert seen["clusters"]["cases"] + seen["aLevel"] + seen["overdue"] >= load, where
            assert seen["badges"] == seen["clusters"]["groups"] < load / 2 + 30, where
