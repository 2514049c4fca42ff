"""Markup in every field that reaches a page stays text, on every view, under the strict CSP (issue 10, finding 2).

One app of its own (its catalog, names and users are changed here, which the shared `live_app` must not see):
markup is planted in every field a page shows — grid, street, district and department names (written to the
database as an import or an edit would), category names (through the catalog import), case description and
reporter, notes of return, supervise and reject, user display names and token labels (admin API), a login name
(audit log), patrol ids and photo URLs. Where the API now refuses a field (a markup patrol id, a `javascript:` photo)
the test asserts the 422 and then plants the value behind the API (Redis, the database), as a feed or an older
release could have stored it, because the page must stay safe on its own.

Every view (/login, /screen, /dispatch with the planted case selected, its panel, timeline and map tooltips,
/admin users, tokens and audit) is then opened in Chromium: no dialog fires, no element or attribute from the
markup exists in the DOM, the markup shows as literal text, and the page reports no CSP violation.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.e2e.markup_kit import IFRAME, IMG, JS_URL, PAYLOADS, SVG, api, run_command, shot, text_of
from tests.e2e.server import (
    PASSWORD,
    ROOT,
    Jurisdiction,
    LiveApp,
    app_env,
    build_jurisdiction,
    create_users,
    start_app,
    stop_app,
)

pytestmark = pytest.mark.e2e

SIZES = Jurisdiction(grids=60, streets=3, communities=12, seed=7)
BAD_PHOTOS = (
    JS_URL,
    "JaVaScRiPt:alert(2)",
    "java\tscript:alert(3)",
    " javascript:alert(4)",
    "data:text/html,<script>alert(5)</script>",
    "//evil.example/a.png",
    "/\\evil.example/a.png",
)
GOOD_PHOTO = "/static/gridcmd-markup-photo.png"  # a path of ours: a link (404 is fine, it is never fetched here)
MAJOR_CODE = "95"


@dataclass
class Planted:
    """The app with markup planted, and what the views should show."""

    live: LiveApp
    case_id: int = 0
    case_code: str = ""
    refused: dict[str, int] = field(default_factory=dict)  # what the API answered to markup it may refuse
    dispatcher_name: str = ""
    handler_name: str = ""


# ---- planting -----------------------------------------------------------------------------------------------


def _plant_names(database_url: str) -> None:
    """Markup in the names an import or an edit writes: grids, streets, the district, departments."""
    from sqlalchemy import select

    from dashboard.store.db import session_scope
    from dashboard.store.models import Department, District, Grid, Street

    with session_scope(database_url) as session:
        for i, grid in enumerate(session.scalars(select(Grid).order_by(Grid.code))):
            grid.name = f"{PAYLOADS[i % 3]}{grid.code[-3:]}"
        for i, street in enumerate(session.scalars(select(Street).order_by(Street.code))):
            street.name = f"{PAYLOADS[i % 3]}街道{i}"
        for district in session.scalars(select(District)):
            district.name = SVG + district.name
        for dept in session.scalars(select(Department)):
            dept.name = IMG + dept.name


def _import_catalog(live_env: dict[str, str], workdir: Path) -> None:
    """Markup in category names and standards, through the catalog import (CSV, as a city publishes it)."""
    import subprocess
    import sys

    path = workdir / "markup-catalog.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["大类代码", "大类名称", "小类代码", "小类名称", "立案条件", "处置时限", "结案条件", "处置单位"])
        out.writerow([MAJOR_CODE, IMG, "9501", IFRAME, SVG + "的", "1天", JS_URL, "CGZF"])
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "import-catalog", str(path)],
        cwd=ROOT,
        env=live_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _account(live: LiveApp, name: str, role: str, display: str, **extra: str) -> str:
    """A user with a markup display name and a token with a markup label (admin API); returns the token."""
    resp = api(
        live, "POST", "/api/v1/admin/users", name=name, role=role, display_name=display, password=PASSWORD, **extra
    )
    assert resp.status_code == 201, resp.text
    user_id = resp.json()["id"]
    issued = api(live, "POST", f"/api/v1/admin/users/{user_id}/tokens", label=IFRAME)
    assert issued.status_code == 201, issued.text
    return issued.json()["token"]


def _plant_through_api(planted: Planted) -> None:
    live = planted.live
    points = live.inside_points(6)
    lon, lat = points[2]

    # Patrol ids: the API refuses markup (a safe alphabet) or takes it; either way it is planted behind the API.
    now_ms = int(time.time() * 1000)
    fix = {"id": IFRAME, "lon": lon + 0.0002, "lat": lat, "status": "available", "ts": now_ms}
    planted.refused["patrol id"] = api(live, "POST", "/api/v1/patrols/positions", positions=[fix]).status_code
    _ingest_patrols(live, [(p, lon + 0.0002 * (i + 1), lat + 0.0001 * i) for i, p in enumerate(PAYLOADS)])

    # Photo URLs: a javascript: URL is refused at intake (or taken); planted in the database below either way.
    bad = api(live, "POST", "/api/v1/cases", description="照片", lat=lat, lon=lon, source="wechat", photos=[JS_URL])
    planted.refused["javascript: photo"] = bad.status_code

    case = api(
        live,
        "POST",
        "/api/v1/cases",
        description=f"井盖缺失 {IMG} {IFRAME} {SVG} {JS_URL}",
        reporter=IFRAME,
        phone="13800000000",
        lat=lat,
        lon=lon,
        source="hotline_12345",
        photos=[GOOD_PHOTO],
    )
    assert case.status_code == 201, case.text
    planted.case_id, planted.case_code = case.json()["id"], case.json()["code"]
    # A near duplicate, so the panel's duplicate list shows a markup description too.
    dup = api(live, "POST", "/api/v1/cases", description=f"{SVG} 井盖", lat=lat, lon=lon, source="wechat")
    assert dup.status_code == 201, dup.text

    # Accounts with markup display names and token labels; a markup login name is refused or taken.
    planted.refused["markup user name"] = api(
        live, "POST", "/api/v1/admin/users", name=IMG, role="dispatcher", password=PASSWORD
    ).status_code
    planted.dispatcher_name, planted.handler_name = "markup-dispatcher", "markup-handler"
    dispatcher = _account(live, planted.dispatcher_name, "dispatcher", SVG)
    handler = _account(live, planted.handler_name, "handler", IMG, department="CGZF")

    # Commands whose notes the timeline shows: file (markup category), dispatch (markup department), return,
    # supervise; and a reject on another case.
    catalog = api(live, "GET", "/api/v1/catalog").json()["conditions"]
    condition = next(c for c in catalog if c["code"].startswith(MAJOR_CODE))
    run_command(live, dispatcher, planted.case_id, "file", condition=condition["code"], note=IMG)
    run_command(live, dispatcher, planted.case_id, "dispatch", department="CGZF", note=SVG)
    run_command(live, handler, planted.case_id, "return", note=f"{IMG} 非本单位职责 {JS_URL}")
    run_command(live, dispatcher, planted.case_id, "supervise", note=IFRAME)
    lon_b, lat_b = points[4]
    other = api(live, "POST", "/api/v1/cases", description="重复上报", lat=lat_b, lon=lon_b, source="wechat")
    run_command(live, dispatcher, other.json()["id"], "reject", note=SVG)

    # A markup login name lands in the audit log as the actor of a failed sign-in.
    form = requests.Session()
    page = form.get(f"{live.base_url}/login", timeout=10).text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form.post(f"{live.base_url}/login", data={"csrf": csrf, "name": IMG, "password": "x"}, timeout=10)

    # Photo URLs as an older release (or another intake path) may have stored them.
    _plant_photos(live, planted.case_id, [*BAD_PHOTOS, GOOD_PHOTO])


def _ingest_patrols(live: LiveApp, rows: list[tuple[str, float, float]]) -> None:
    """Patrol fixes written straight to Redis, as a feed that skipped the API's checks would."""
    import redis

    from dashboard.live.keys import Keys
    from dashboard.live.patrols import Fix, PatrolStore

    client = redis.Redis.from_url(live.redis_url, decode_responses=True)
    now_ms = int(time.time() * 1000)
    PatrolStore(client, Keys(live.redis_prefix)).ingest(
        [Fix(patrol_id=pid, lon=lon, lat=lat, status="available", ts_ms=now_ms) for pid, lon, lat in rows]
    )


def _plant_photos(live: LiveApp, case_id: int, photos: list[str]) -> None:
    from dashboard.store.db import session_scope
    from dashboard.store.models import Case

    with session_scope(live.env["DATABASE_URL"]) as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.photos = photos


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    """An app of its own with markup in every field that reaches a page."""
    workdir = tmp_path_factory.mktemp("markup")
    env = app_env(workdir)
    if not env["REDIS_URL"]:
        pytest.skip("needs the local Redis: patrols are planted behind the API")
    build_jurisdiction(env, SIZES)
    _plant_names(env["DATABASE_URL"])
    _import_catalog(env, workdir)
    tokens = create_users(env)
    live = start_app(workdir, env)
    live.tokens = tokens
    try:
        result = Planted(live=live)
        _plant_through_api(result)
        yield result
    finally:
        stop_app(live)


# ---- the browser --------------------------------------------------------------------------------------------


# ---- tests --------------------------------------------------------------------------------------------------


def test_the_api_refuses_markup_ids_and_script_urls_or_takes_them_as_data(planted: Planted) -> None:
    """A markup patrol id or user name, a javascript: photo: refused with 422 (the safe alphabet), or stored."""
    for what, status in planted.refused.items():
        assert status in (422, 201, 202), f"{what}: {status}"
    assert planted.refused["javascript: photo"] == 422
    assert planted.refused["patrol id"] == 422


def test_login_page_runs_under_the_strict_csp(watched, planted: Planted) -> None:  # noqa: ANN001
    w = watched()
    resp = w.page.goto(f"{planted.live.base_url}/login")
    script_src = next(d for d in resp.headers["content-security-policy"].split(";") if "script-src" in d)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    w.page.locator("#login-name").wait_for()
    w.assert_inert("/login")
    # The listener works, and the policy holds: an inline script and an inline handler are refused.
    w.page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.__ran = true";
          document.body.append(s);
          const img = document.createElement("img");
          img.setAttribute("onerror", "window.__ran = true");
          img.src = "/static/none.png";
          document.body.append(img);
        }"""
    )
    w.page.wait_for_function("() => window.__csp.length >= 2", timeout=5_000)
    assert w.page.evaluate("window.__ran === undefined")


def test_the_wall_shows_planted_names_as_text(watched, planted: Planted) -> None:  # noqa: ANN001
    live = planted.live
    w = watched()
    w.page.goto(f"{live.base_url}/screen?token={live.tokens['screen']}")
    w.page.wait_for_function("() => window.gridcmdLive && window.gridcmdLive.state === 'live'", timeout=20_000)
    w.page.wait_for_function("() => window.gridcmdLive.gridCount() > 0", timeout=20_000)
    # The major-class chart names the (markup) classes, literally. (The ranking lists only streets with cases due,
    # and says so when none is: the planted streets have none; 40-charts.js escapes both names the same way.)
    w.page.wait_for_function(
        "s => document.querySelector('#screen-chart-major').textContent.includes(s)",
        arg=IMG,
        timeout=60_000,
    )
    assert SVG in (w.page.evaluate("document.title + ' ' + document.body.textContent") or "")
    shot(w.page, "screen")
    w.assert_inert("/screen")


def test_the_desk_shows_the_planted_case_as_text(watched, planted: Planted) -> None:  # noqa: ANN001
    live = planted.live
    w = watched()
    page = w.page
    live.login(page, "dispatcher")
    page.goto(f"{live.base_url}/dispatch/")
    page.wait_for_function(
        "() => window.gridcmdDispatch && window.gridcmdDispatch.state === 'live' && window.gridcmdDispatch.gridReady"
        " && window.gridcmdDispatch.catalogReady",
        timeout=20_000,
    )
    page.locator("path.dq-grid").first.wait_for(state="attached", timeout=20_000)
    page.wait_for_function("id => !!window.gridcmdDispatch.row(id)", arg=planted.case_id, timeout=10_000)
    page.evaluate("window.gridcmdDispatch.setTab('all')")
    page.evaluate("id => window.gridcmdDispatch.select(id)", planted.case_id)

    # The panel: description, reporter, category, department, timeline notes, all literal.
    panel = "#dispatch-panel"
    page.wait_for_function(
        "([sel, s]) => document.querySelector(sel).textContent.includes(s)",
        arg=[f"{panel} .pn-facts", IFRAME],
        timeout=10_000,
    )
    page.wait_for_function(
        "([sel, s]) => document.querySelector(sel).textContent.includes(s)",
        arg=[panel, "非本单位职责"],  # the timeline holds the return note
        timeout=10_000,
    )
    text = text_of(page, panel)
    for needle in (f"井盖缺失 {IMG} {IFRAME} {SVG} {JS_URL}", IFRAME, IMG + "区城管执法局"):
        assert needle in text, f"{needle!r} not shown as text"
    timeline = page.eval_on_selector_all(f"{panel} .tl-item", "els => els.map(e => e.textContent).join('\\n')")
    assert f"{IMG} 非本单位职责 {JS_URL}" in timeline and IFRAME in timeline

    # Photos: only our own path is a link; every other URL is shown as text, never as href or src.
    links = page.eval_on_selector_all(f"{panel} a.pn-photo", "as => as.map(a => a.getAttribute('href'))")
    assert links == [f"{live.base_url}{GOOD_PHOTO}"]
    shown = page.eval_on_selector_all(f"{panel} .pn-photo--text", "ss => ss.map(s => s.textContent)")
    assert shown == list(BAD_PHOTOS)

    # The suggested patrols (markup ids planted behind the API) and their map tooltips: text.
    page.wait_for_function(
        "s => [...document.querySelectorAll('#dispatch-panel .sg-pid')].some(e => e.textContent === s)",
        arg=IFRAME,
        timeout=10_000,
    )
    # The nearest one's tooltip on the map is permanent: "<id> · <distance>".
    page.wait_for_function(
        "s => [...document.querySelectorAll('.dm-tip')].some(e => e.textContent.startsWith(s + ' · '))",
        arg=IMG,
        timeout=10_000,
    )
    # Hover a grid on the map (every grid has a markup name): its sticky tooltip shows the name, as text.
    grid = page.locator("path.dq-grid").nth(3).bounding_box()
    page.mouse.move(grid["x"] + grid["width"] / 2, grid["y"] + grid["height"] / 2)
    page.mouse.move(grid["x"] + grid["width"] / 2 + 2, grid["y"] + grid["height"] / 2 + 1)
    page.wait_for_function(
        "ps => [...document.querySelectorAll('.dm-tip')].some(e => ps.some(p => e.textContent.startsWith(p)))",
        arg=list(PAYLOADS),
        timeout=10_000,
    )
    shot(page, "dispatch")
    w.assert_inert("/dispatch")


@pytest.mark.parametrize("tab", ["users", "audit"])
def test_admin_shows_planted_accounts_and_audit_as_text(watched, planted: Planted, tab: str) -> None:  # noqa: ANN001
    live = planted.live
    w = watched()
    page = w.page
    live.login(page, "admin")
    if tab == "users":
        page.goto(f"{live.base_url}/admin/")
        row = page.locator(f'tr[data-user="{planted.handler_name}"]')
        row.wait_for(timeout=15_000)
        assert IMG in row.inner_text() and IMG + "区城管执法局" in row.inner_text()
        dispatcher_row = page.locator(f'tr[data-user="{planted.dispatcher_name}"]')
        assert SVG in dispatcher_row.inner_text()
        # The account card with its tokens (a markup label).
        row.locator("button").click()
        page.locator("#admin-tokens .admin-token-label").first.wait_for(timeout=10_000)
        assert IFRAME in page.locator("#admin-tokens").inner_text()
        assert IMG in page.locator("#admin-user-facts").inner_text()
    else:
        page.goto(f"{live.base_url}/admin/audit")
        page.locator("#admin-audit-table tbody tr").first.wait_for(timeout=15_000)
        page.wait_for_function(
            "s => document.querySelector('#admin-audit-table').textContent.includes(s)", arg=IMG, timeout=10_000
        )
    shot(page, f"admin-{tab}")
    w.assert_inert(f"/admin ({tab})")
