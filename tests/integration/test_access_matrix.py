"""Who may reach what: every role × every page, Dash endpoint, API endpoint, case command and live socket.

The role table below restates auth.PAGE_ROLES, the `require(...)` calls of the API and actors.COMMAND_ROLES as
the contract; the tests check the running app against it, and two guards keep it complete: the page table must
equal PAGE_ROLES, and every API route the app serves must appear in API_ROLES (a new endpoint fails here until
someone decides who may call it).

Expected answers:
  anonymous          pages and Dash endpoints → 302 to /login (browsers go to the form); API → 401
  wrong role         403 (pages, Dash endpoints, API)
  kiosk session      (a screen signed in by its display token) the /screen view only: 403 on every other page
  allowed, in scope  the endpoint's own answer (200/201/202, or the 404/409/422 that proves the request got
                     past the auth layer to the handler)
  out of scope       404, exactly like a missing id, so ids cannot be probed across streets

The tests at the end pin holes found (and closed) while building this matrix: look-alike origins, idempotency
keys across clients, field checks before the role check, and login CSRF.
"""

from __future__ import annotations

import random
import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import socketio

from dashboard.api.auth import PAGE_ROLES
from dashboard.config import Settings
from dashboard.domain.actors import COMMAND_ROLES
from dashboard.services.accounts import create_user, issue_token

COUNTY = "110112"
S1 = "110112001"  # the street our street-scoped callers belong to
S2 = "110112002"  # a street beside it
DEPT = "CGW"  # the department the handler acts for (区城市管理委员会)

# ---- the role table -----------------------------------------------------------------------------------------

ANY = frozenset({"screen", "dispatcher", "handler", "leader", "admin"})  # require() with no role: signed in
PUBLIC = None  # no sign-in at all

PAGES: dict[str, frozenset[str]] = {
    "screen": frozenset({"screen", "dispatcher", "leader", "admin"}),
    "dispatch": frozenset({"dispatcher", "admin"}),
    "leader": frozenset({"leader", "admin"}),
    "admin": frozenset({"admin"}),
}
KIOSK_PAGES = frozenset({"screen"})
# The Dash endpoints of every view; all live under the view's prefix, so the page's roles cover them.
DASH_ENDPOINTS = (
    ("GET", ""),
    ("GET", "_dash-layout"),
    ("GET", "_dash-dependencies"),
    ("POST", "_dash-update-component"),
)

DESK_READ = frozenset({"dispatcher", "leader", "admin", "handler"})
WALL = frozenset({"screen", "dispatcher", "leader", "admin"})
ADMIN = frozenset({"admin"})
API_ROLES: dict[tuple[str, str], frozenset[str] | None] = {
    ("POST", "/api/v1/cases"): frozenset({"dispatcher", "leader", "admin"}),
    ("POST", "/api/v1/cases/batch"): frozenset({"dispatcher", "leader", "admin"}),  # the same reporters
    ("GET", "/api/v1/cases"): DESK_READ,
    ("GET", "/api/v1/cases/<int:case_id>"): DESK_READ,
    ("GET", "/api/v1/cases/<int:case_id>/suggestions"): frozenset({"dispatcher", "admin"}),
    ("POST", "/api/v1/cases/<int:case_id>/<command>"): ANY,  # then per command: COMMANDS below
    ("GET", "/api/v1/grids"): ANY,
    ("GET", "/api/v1/grids/<code>"): ANY,
    ("GET", "/api/v1/catalog"): ANY,
    # Patrols: a GPS gateway's machine account (channel) and a grid worker's phone post fixes too (the phone only
    # its own); a phone reads back its own patrol (test_patrol_positions.py covers the own-id and street rules).
    ("POST", "/api/v1/patrols/positions"): frozenset({"dispatcher", "admin", "channel", "worker"}),
    ("GET", "/api/v1/patrols/nearest"): frozenset({"dispatcher", "admin"}),
    ("GET", "/api/v1/patrols/<pid>"): frozenset({"dispatcher", "admin", "worker"}),
    ("GET", "/api/v1/patrols/<pid>/trail"): frozenset({"dispatcher", "admin", "worker"}),
    ("GET", "/api/v1/sla/deadline"): ANY,
    ("GET", "/api/v1/kpis"): WALL,
    ("GET", "/api/v1/screen/summary"): WALL,
    ("GET", "/api/v1/screen/meta"): WALL,
    ("GET", "/api/v1/screen/alerts"): WALL,
    ("GET", "/api/v1/screen/grids"): WALL,
    ("GET", "/api/v1/leader/summary"): frozenset({"leader", "admin"}),
    ("GET", "/api/v1/leader/outline"): frozenset({"leader", "admin"}),
    ("GET", "/api/v1/admin/users"): ADMIN,
    ("POST", "/api/v1/admin/users"): ADMIN,
    ("GET", "/api/v1/admin/users/<int:user_id>"): ADMIN,
    ("POST", "/api/v1/admin/users/<int:user_id>/password"): ADMIN,
    ("POST", "/api/v1/admin/users/<int:user_id>/deactivate"): ADMIN,
    ("POST", "/api/v1/admin/users/<int:user_id>/activate"): ADMIN,
    ("POST", "/api/v1/admin/users/<int:user_id>/tokens"): ADMIN,
    ("POST", "/api/v1/admin/tokens/<int:token_id>/revoke"): ADMIN,
    ("GET", "/api/v1/admin/scopes"): ADMIN,
    ("GET", "/api/v1/admin/audit"): ADMIN,
    ("GET", "/api/v1/admin/audit.csv"): ADMIN,
    ("GET", "/api/v1/admin/holidays/<int:year>"): ADMIN,
    ("POST", "/api/v1/admin/holidays"): ADMIN,
    ("POST", "/api/v1/admin/catalog"): ADMIN,
    # 12345 (api/hotline.py, api/hotline_admin.py): orders from a channel account (or an admin), dead letters.
    ("POST", "/api/v1/hotline/orders"): frozenset({"admin"}),  # and the channel role, not in this matrix's WHO
    ("GET", "/api/v1/admin/hotline/callbacks"): ADMIN,
    ("POST", "/api/v1/admin/hotline/callbacks/replay"): ADMIN,
    ("POST", "/api/v1/admin/hotline/callbacks/<int:callback_id>/replay"): ADMIN,
    # Photos (api/media.py): uploads by anyone who reports or handles; a photo only to readers of its case.
    ("POST", "/api/v1/media"): frozenset({"dispatcher", "leader", "admin", "handler"}),
    ("GET", "/media/<name>"): frozenset({"dispatcher", "leader", "admin", "handler"}),
    ("GET", "/media/<sha>/thumb"): frozenset({"dispatcher", "leader", "admin", "handler"}),
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    # Open311 (api/open311.py): reads are public; a POST needs the api_key in its form, whoever the caller is.
    ("GET", "/open311/v2/services.<fmt>"): PUBLIC,
    ("GET", "/open311/v2/services/<service_code>.<fmt>"): PUBLIC,
    ("GET", "/open311/v2/requests.<fmt>"): PUBLIC,
    ("POST", "/open311/v2/requests.<fmt>"): PUBLIC,
    ("GET", "/open311/v2/requests/<request_id>.<fmt>"): PUBLIC,
    **{(m, "/open311/<open311_rest:rest>"): PUBLIC for m in ("GET", "POST", "PUT", "PATCH", "DELETE")},
}
# Case commands: the role table of the command layer (actors.COMMAND_ROLES without the scheduler's `system`).
COMMANDS: dict[str, frozenset[str]] = {
    cmd: frozenset(r.value for r in roles if r.value != "system") for cmd, roles in COMMAND_ROLES.items()
}
# Whatever each command requires, so a refusal can only come from who is asking (see the field-order test at the end).
COMMAND_BODY: dict[str, dict[str, Any]] = {
    "file": {"condition": "x"},
    "dispatch": {"department": DEPT},
    "verify": {"result": "pass"},
    "merge": {"into": 1},
    "extend": {"limit": "1天"},
    "visit-back": {"satisfaction": "satisfied"},
    "locate": {"lat": 39.9, "lon": 116.7},
}
# Socket views: PAGE_ROLES again (the gateway checks the same table), kiosk sessions the wall only.
SOCKET_VIEWS = ("screen", "dispatch", "leader")


@dataclass(frozen=True)
class Who:
    """A caller of the matrix."""

    key: str
    role: str | None  # None: anonymous
    scope: str = COUNTY
    department: str | None = None
    via: str = "token"  # token (Authorization: Bearer) | session (login form) | kiosk (display token) | none

    @property
    def street(self) -> str | None:
        """The street a street-scoped caller belongs to (None: district-wide)."""
        return self.scope if len(self.scope) == 9 else None


WHO = (
    Who("anonymous", None, via="none"),
    Who("screen", "screen"),
    Who("screen-kiosk", "screen", via="kiosk"),
    Who("dispatcher", "dispatcher"),
    Who("dispatcher-S1", "dispatcher", S1),
    Who("dispatcher-S1-session", "dispatcher", S1, via="session"),
    Who("handler", "handler", department=DEPT),
    Who("leader", "leader"),
    Who("leader-S1", "leader", S1),
    Who("admin", "admin"),
    Who("admin-session", "admin", via="session"),
)
WHO_IDS = [w.key for w in WHO]


def test_page_table_is_the_apps_table() -> None:
    assert {view: set(roles) for view, roles in PAGES.items()} == {v: set(r) for v, r in PAGE_ROLES.items()}


# ---- the world: one app per database for the whole module -------------------------------------------------

PASSWORD = "matrix-pass-1"


@dataclass
class World:
    """The app, a client per caller, and two cases: A in street S1 (dispatched to DEPT), B in street S2."""

    app: Any
    clients: dict[str, Any]
    tokens: dict[str, str]
    case_a: int
    case_b: int
    grid_code: str
    point_s1: tuple[float, float]
    point_s2: tuple[float, float]
    callback: dict[str, dict[str, Any] | None] = field(default_factory=dict)


def login(client: Any, name: str, password: str) -> Any:
    """Sign in through the real form (GET for the CSRF token, then POST)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    return client.post("/login", data={"csrf": token.group(1), "name": name, "password": password})


def _point_in(app: Any, street: str) -> tuple[float, float]:
    index = app.runtime.grid_index()
    code = next(c for c in index.codes() if c.startswith(street))
    return index.random_point_in(code, random.Random(7))


def _post_case(client: Any, point: tuple[float, float], text: str, **extra: Any) -> dict[str, Any]:
    lon, lat = point
    resp = client.post(
        "/api/v1/cases", json={"description": text, "lat": lat, "lon": lon, "source": "hotline_12345", **extra}
    )
    assert resp.status_code in (200, 201), resp.get_json()
    return resp.get_json()


def make_callers(app: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """A Flask test client per caller (bearer header, form login, or kiosk display token) and their tokens."""
    clients: dict[str, Any] = {}
    tokens: dict[str, str] = {}
    for who in WHO:
        client = app.server.test_client()
        clients[who.key] = client
        if who.role is None:
            continue
        name = f"m-{who.key}-{uuid.uuid4().hex[:6]}"
        with app.runtime.session() as session:
            user = create_user(
                session=session,
                name=name,
                role=who.role,
                scope=who.scope,
                password=PASSWORD,
                department_code=who.department,
            )
            tokens[who.key] = issue_token(session=session, user=user)
        if who.via == "token":
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens[who.key]}"
        elif who.via == "session":
            assert login(client, name, PASSWORD).status_code == 302
        elif who.via == "kiosk":
            assert client.get(f"/screen/?token={tokens[who.key]}").status_code == 302
    return clients, tokens


@pytest.fixture(scope="module")
def world(db_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The app on the test database with a caller per row of WHO and the two cases."""
    import redis

    import app as app_module

    prefix = f"gc-matrix-{uuid.uuid4().hex[:8]}:"
    settings = Settings(
        database_url=db_url, redis_url=redis_url, redis_prefix=prefix, var_dir=tmp_path_factory.mktemp("matrix")
    )
    app = app_module.create_app(settings, start_loops=False)
    clients, tokens = make_callers(app)
    admin = clients["admin"]
    point_s1, point_s2 = _point_in(app, S1), _point_in(app, S2)
    a = _post_case(admin, point_s1, "矩阵测试：S1 街道案件")
    b = _post_case(admin, point_s2, "矩阵测试：S2 街道案件")
    # A is filed and dispatched to DEPT so the handler reaches it; B stays reported in the other street.
    condition = admin.get("/api/v1/catalog").get_json()["conditions"][0]["code"]
    filed = admin.post(f"/api/v1/cases/{a['id']}/file", json={"expected_version": a["version"], "condition": condition})
    assert filed.status_code == 200, filed.get_json()
    sent = admin.post(
        f"/api/v1/cases/{a['id']}/dispatch", json={"expected_version": filed.get_json()["version"], "department": DEPT}
    )
    assert sent.status_code == 200, sent.get_json()
    yield World(app, clients, tokens, a["id"], b["id"], a["grid_code"], point_s1, point_s2)
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


# ---- pages and their Dash endpoints -------------------------------------------------------------------------


def _page_allowed(who: Who, view: str) -> bool:
    if who.via == "kiosk" and view not in KIOSK_PAGES:
        return False
    return who.role in PAGES[view]


def _callback_payload(world: World, view: str) -> dict[str, Any]:
    """A real callback of the view with empty inputs (or an empty body when it has none): the auth layer decides
    before Dash reads it, so any payload shows whether the request got through."""
    if view not in world.callback:
        deps = world.clients["admin"].get(f"/{view}/_dash-dependencies")
        specs = deps.get_json() if deps.status_code == 200 else []
        plain = [
            s
            for s in specs
            if all(isinstance(i["id"], str) and "{" not in i["id"] for i in s["inputs"]) and "{" not in s["output"]
        ]
        payload = None
        if plain:
            spec = plain[0]
            outputs = [
                {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
                for part in spec["output"].strip(".").split("...")
            ]
            payload = {
                "output": spec["output"],
                "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": [{"id": i["id"], "property": i["property"], "value": None} for i in spec["inputs"]],
                "state": [{"id": s["id"], "property": s["property"], "value": None} for s in spec["state"]],
                "changedPropIds": [],
            }
        world.callback[view] = payload
    return world.callback[view] or {}


@pytest.mark.parametrize("who", WHO, ids=WHO_IDS)
@pytest.mark.parametrize(("method", "endpoint"), DASH_ENDPOINTS, ids=[e or "page" for _, e in DASH_ENDPOINTS])
@pytest.mark.parametrize("view", list(PAGES))
def test_pages_and_dash_endpoints(world: World, view: str, method: str, endpoint: str, who: Who) -> None:
    path = f"/{view}/{endpoint}"
    body = _callback_payload(world, view) if method == "POST" else None
    resp = world.clients[who.key].open(path, method=method, json=body)
    if who.role is None:
        if endpoint.startswith("_dash-"):
            assert resp.status_code == 401, resp.status_code  # Dash XHRs get JSON, not a login page
        else:
            assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next="), resp.status_code
    elif not _page_allowed(who, view):
        assert resp.status_code == 403, (resp.status_code, resp.get_data(as_text=True)[:200])
    elif view not in world.app.views:
        # The view is still being built: the auth layer let the caller through and the route does not exist yet.
        assert resp.status_code == 404
    elif method == "GET":
        assert resp.status_code == 200
    else:
        assert resp.status_code not in (302, 401, 403), resp.status_code


# ---- API endpoints ------------------------------------------------------------------------------------------


def _api_request(world: World, method: str, rule: str) -> tuple[str, Any, int]:
    """A concrete request for a route and the status an allowed, in-scope caller gets."""
    lon, lat = world.point_s1
    a = world.case_a
    missing = 999_999_999  # admin endpoints are probed on a missing id: no account changes, 404 proves entry
    table: dict[tuple[str, str], tuple[str, Any, int]] = {
        ("POST", "/api/v1/cases"): (
            "/api/v1/cases",
            {"description": "矩阵测试：上报", "lat": lat, "lon": lon, "source": "grid_worker"},
            201,
        ),
        ("POST", "/api/v1/cases/batch"): (
            "/api/v1/cases/batch",
            {
                "reports": [
                    {
                        "description": "矩阵测试：批量上报",
                        "lat": lat,
                        "lon": lon,
                        "source": "hotline_12345",
                        "idempotency_key": uuid.uuid4().hex,
                    }
                ]
            },
            207,
        ),
        ("GET", "/api/v1/cases"): ("/api/v1/cases?limit=5", None, 200),
        ("GET", "/api/v1/cases/<int:case_id>"): (f"/api/v1/cases/{a}", None, 200),
        ("GET", "/api/v1/cases/<int:case_id>/suggestions"): (f"/api/v1/cases/{a}/suggestions", None, 200),
        ("POST", "/api/v1/cases/<int:case_id>/<command>"): (
            f"/api/v1/cases/{a}/supervise",
            {"expected_version": -1},
            409,  # a stale version: the command got past role and scope
        ),
        ("GET", "/api/v1/grids"): ("/api/v1/grids", None, 200),
        ("GET", "/api/v1/grids/<code>"): (f"/api/v1/grids/{world.grid_code}", None, 200),
        ("GET", "/api/v1/catalog"): ("/api/v1/catalog", None, 200),
        ("POST", "/api/v1/patrols/positions"): (
            "/api/v1/patrols/positions",
            {"positions": [{"id": "matrix-1", "lat": lat, "lon": lon}]},
            202,
        ),
        ("GET", "/api/v1/patrols/nearest"): (f"/api/v1/patrols/nearest?lat={lat}&lon={lon}", None, 200),
        # A patrol never heard of: 404 proves the caller got past the role check to the handler.
        ("GET", "/api/v1/patrols/<pid>"): ("/api/v1/patrols/matrix-nobody", None, 404),
        ("GET", "/api/v1/patrols/<pid>/trail"): ("/api/v1/patrols/matrix-nobody/trail", None, 404),
        ("GET", "/api/v1/sla/deadline"): ("/api/v1/sla/deadline?limit=4小时&start=2026-03-02T09:00", None, 200),
        ("GET", "/api/v1/kpis"): ("/api/v1/kpis", None, 200),
        ("GET", "/api/v1/screen/summary"): ("/api/v1/screen/summary", None, 200),
        ("GET", "/api/v1/screen/meta"): ("/api/v1/screen/meta", None, 200),
        ("GET", "/api/v1/screen/alerts"): ("/api/v1/screen/alerts", None, 200),
        ("GET", "/api/v1/screen/grids"): ("/api/v1/screen/grids", None, 200),
        ("GET", "/api/v1/leader/summary"): ("/api/v1/leader/summary", None, 200),  # own scope by default
        ("GET", "/api/v1/leader/outline"): ("/api/v1/leader/outline?scope=110112001", None, 200),
        ("GET", "/api/v1/admin/users"): ("/api/v1/admin/users", None, 200),
        ("POST", "/api/v1/admin/users"): ("/api/v1/admin/users", {"name": "x", "role": "nobody"}, 422),
        ("GET", "/api/v1/admin/users/<int:user_id>"): (f"/api/v1/admin/users/{missing}", None, 404),
        ("POST", "/api/v1/admin/users/<int:user_id>/password"): (
            f"/api/v1/admin/users/{missing}/password",
            {"password": "long-enough-1"},
            404,
        ),
        ("POST", "/api/v1/admin/users/<int:user_id>/deactivate"): (
            f"/api/v1/admin/users/{missing}/deactivate",
            None,
            404,
        ),
        ("POST", "/api/v1/admin/users/<int:user_id>/activate"): (f"/api/v1/admin/users/{missing}/activate", None, 404),
        ("POST", "/api/v1/admin/users/<int:user_id>/tokens"): (f"/api/v1/admin/users/{missing}/tokens", None, 404),
        ("POST", "/api/v1/admin/tokens/<int:token_id>/revoke"): (f"/api/v1/admin/tokens/{missing}/revoke", None, 404),
        ("GET", "/api/v1/admin/scopes"): ("/api/v1/admin/scopes", None, 200),
        ("GET", "/api/v1/admin/audit"): ("/api/v1/admin/audit?size=5", None, 200),
        ("GET", "/api/v1/admin/audit.csv"): ("/api/v1/admin/audit.csv?actor=nobody", None, 200),
        ("GET", "/api/v1/admin/holidays/<int:year>"): ("/api/v1/admin/holidays/2027", None, 200),
        ("POST", "/api/v1/admin/holidays"): ("/api/v1/admin/holidays", {"notice": "不是通知"}, 422),
        ("POST", "/api/v1/admin/catalog"): ("/api/v1/admin/catalog", {}, 422),
        # An order without its fields: 422 naming order_id proves the caller got past role checks.
        ("POST", "/api/v1/hotline/orders"): ("/api/v1/hotline/orders", {}, 422),
        ("GET", "/api/v1/admin/hotline/callbacks"): ("/api/v1/admin/hotline/callbacks", None, 200),
        ("POST", "/api/v1/admin/hotline/callbacks/replay"): ("/api/v1/admin/hotline/callbacks/replay", None, 200),
        ("POST", "/api/v1/admin/hotline/callbacks/<int:callback_id>/replay"): (
            f"/api/v1/admin/hotline/callbacks/{missing}/replay",
            None,
            404,
        ),
        # A JSON body has no file parts: 422 naming photos proves the caller got past role checks.
        ("POST", "/api/v1/media"): ("/api/v1/media", {}, 422),
        # A hash on no case: 404 to every allowed caller (their own cases' photos: test_worker_app.py).
        ("GET", "/media/<name>"): (f"/media/{'0' * 64}.jpg", None, 404),
        ("GET", "/media/<sha>/thumb"): (f"/media/{'0' * 64}/thumb", None, 404),
        ("GET", "/healthz"): ("/healthz", None, 200),
        ("GET", "/readyz"): ("/readyz", None, 200),
        ("GET", "/favicon.ico"): ("/favicon.ico", None, 200),
        ("GET", "/open311/v2/services.<fmt>"): ("/open311/v2/services.json", None, 200),
        ("GET", "/open311/v2/services/<service_code>.<fmt>"): ("/open311/v2/services/0101.xml", None, 200),
        ("GET", "/open311/v2/requests.<fmt>"): ("/open311/v2/requests.json", None, 200),
        # No api_key in the form (a session or bearer token counts for nothing there): 403 for everyone.
        ("POST", "/open311/v2/requests.<fmt>"): ("/open311/v2/requests.json", {"service_code": "0101"}, 403),
        ("GET", "/open311/v2/requests/<request_id>.<fmt>"): (f"/open311/v2/requests/{a}.json", None, 404),
        **{
            (m, "/open311/<open311_rest:rest>"): ("/open311/v2/nope", None, 404)
            for m in ("GET", "POST", "PUT", "PATCH", "DELETE")
        },
    }
    return table[(method, rule)]


def _served_api_routes(app: Any) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.server.url_map.iter_rules():
        first = rule.rule.strip("/").split("/", 1)[0]
        if first in PAGE_ROLES or first in ("static", "login", "logout") or rule.rule.startswith("/<"):
            continue  # views (matrix above), assets, the login form (test_login.py)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.add((method, rule.rule))
    return routes


def test_every_served_endpoint_is_in_the_role_table(world: World) -> None:
    served = _served_api_routes(world.app)
    unlisted = served - set(API_ROLES)
    assert not unlisted, f"endpoints nobody has decided roles for (add them to API_ROLES): {sorted(unlisted)}"
    gone = set(API_ROLES) - served
    assert not gone, f"API_ROLES lists endpoints the app no longer serves: {sorted(gone)}"


@pytest.mark.parametrize("who", WHO, ids=WHO_IDS)
@pytest.mark.parametrize(("method", "rule"), list(API_ROLES), ids=[f"{m} {r}" for m, r in API_ROLES])
def test_api_endpoints(world: World, method: str, rule: str, who: Who) -> None:
    path, body, ok = _api_request(world, method, rule)
    resp = world.clients[who.key].open(path, method=method, json=body)
    allowed = API_ROLES[(method, rule)]
    if allowed is PUBLIC:
        expected = ok
    elif who.role is None:
        expected = 401
    elif who.role not in allowed:
        expected = 403
    elif rule.endswith("<command>") and who.role not in COMMANDS["supervise"]:
        expected = 403  # signed in is enough for the route; the command layer then checks the role
    else:
        expected = ok
    assert resp.status_code == expected, (resp.status_code, resp.get_data(as_text=True)[:300])


# ---- case commands and scope --------------------------------------------------------------------------------


def _in_scope_of_a(who: Who) -> bool:
    """Case A: street S1, street tier, dispatched to DEPT."""
    if who.role == "handler":
        return who.department == DEPT
    return who.street in (None, S1)


def _in_scope_of_b(who: Who) -> bool:
    """Case B: street S2, street tier, not dispatched."""
    if who.role == "handler":
        return False
    return who.street in (None, S2)


@pytest.mark.parametrize("who", WHO, ids=WHO_IDS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_case_commands(world: World, command: str, who: Who) -> None:
    for case_id, in_scope in ((world.case_a, _in_scope_of_a(who)), (world.case_b, _in_scope_of_b(who))):
        body = {"expected_version": -1, **COMMAND_BODY.get(command, {})}
        resp = world.clients[who.key].post(f"/api/v1/cases/{case_id}/{command}", json=body)
        if who.role is None:
            expected = 401
        elif who.role not in COMMANDS[command]:
            expected = 403
        elif not in_scope:
            expected = 404  # out of scope reads exactly like missing
        else:
            expected = 409  # past role and scope, stopped by the stale version: nothing changed
        assert resp.status_code == expected, (case_id, resp.status_code, resp.get_json())


@pytest.mark.parametrize("who", [w for w in WHO if w.role in DESK_READ], ids=lambda w: w.key)
def test_reading_cases_by_id_and_list_stays_in_scope(world: World, who: Who) -> None:
    client = world.clients[who.key]
    for case_id, in_scope in ((world.case_a, _in_scope_of_a(who)), (world.case_b, _in_scope_of_b(who))):
        assert client.get(f"/api/v1/cases/{case_id}").status_code == (200 if in_scope else 404)
        if who.role in API_ROLES[("GET", "/api/v1/cases/<int:case_id>/suggestions")]:
            expected = 200 if in_scope else 404
            assert client.get(f"/api/v1/cases/{case_id}/suggestions").status_code == expected

    def visible(row: dict[str, Any]) -> bool:
        if who.role == "handler":
            return row["department_code"] == who.department
        return who.street is None or row["street_code"] == who.street

    rows = client.get("/api/v1/cases?limit=5000").get_json()["cases"]
    assert rows and all(visible(r) for r in rows)
    # Guessing ids: every id around the two cases (other tests' cases in every street included) answers either
    # a case the caller may see or the same 404 as a missing id.
    for case_id in range(max(1, world.case_a - 30), world.case_b + 30):
        resp = client.get(f"/api/v1/cases/{case_id}")
        assert resp.status_code in (200, 404)
        assert resp.status_code == 404 or visible(resp.get_json()), (case_id, resp.get_json())


def test_street_callers_cannot_read_kpis_of_another_street(world: World) -> None:
    for key in ("dispatcher-S1", "leader-S1"):
        client = world.clients[key]
        assert client.get(f"/api/v1/kpis?scope={S2}").status_code == 403
        assert client.get(f"/api/v1/kpis?scope={COUNTY}").status_code == 403
        assert client.get(f"/api/v1/kpis?scope={S1}").status_code == 200
        assert client.get("/api/v1/kpis").get_json()["scope"] == S1
    assert world.clients["dispatcher"].get(f"/api/v1/kpis?scope={S2}").status_code == 200


# ---- live sockets (a real server) ---------------------------------------------------------------------------


class Live:
    """A /live client recording what it receives."""

    def __init__(self) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.cond = threading.Condition()
        for name in ("snapshot", "delta", "synced"):
            self.sio.on(name, self._recorder(name), namespace="/live")

    def _recorder(self, name: str):  # noqa: ANN202
        def record(data: dict[str, Any]) -> None:
            with self.cond:
                self.events.append((name, data))
                self.cond.notify_all()

        return record

    def connect(self, base: str, view: str, *, token: str | None = None, cookie: str | None = None) -> bool:
        """True when the server accepts the connection (and sends its snapshot)."""
        try:
            self.sio.connect(
                base,
                namespaces=["/live"],
                transports=["websocket"],
                auth={"view": view, "since": None, **({"token": token} if token else {})},
                headers={"Cookie": cookie} if cookie else {},
                wait_timeout=10,
            )
        except socketio.exceptions.ConnectionError:
            return False
        with self.cond:
            assert self.cond.wait_for(lambda: any(n == "snapshot" for n, _ in self.events), 10)
        return True

    def case_rows(self) -> list[dict[str, Any]]:
        with self.cond:
            return [row for name, data in self.events if name in ("snapshot", "delta") for row in data["cases"]]

    def wait_for_case(self, case_id: int, timeout: float = 10.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: any(r["id"] == case_id for r in self._rows_locked()), timeout)

    def _rows_locked(self) -> list[dict[str, Any]]:
        return [row for name, data in self.events if name in ("snapshot", "delta") for row in data["cases"]]

    def close(self) -> None:
        self.sio.disconnect()


def _socket_credentials(grid_app: Any, base: str) -> dict[str, dict[str, str]]:
    """Per caller: a token, or the session cookie of a real sign-in (form or display token) on the live server."""
    creds: dict[str, dict[str, str]] = {}
    for who in WHO:
        if who.role is None:
            creds[who.key] = {}
            continue
        name = f"s-{who.key}-{uuid.uuid4().hex[:6]}"
        with grid_app.runtime.session() as session:
            user = create_user(
                session=session,
                name=name,
                role=who.role,
                scope=who.scope,
                password=PASSWORD,
                department_code=who.department,
            )
            token = issue_token(session=session, user=user)
        if who.via == "token":
            creds[who.key] = {"token": token}
            continue
        browser = requests.Session()
        if who.via == "kiosk":
            browser.get(f"{base}/screen/?token={token}", timeout=10, allow_redirects=False)
        else:
            form = browser.get(f"{base}/login", timeout=10).text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form)
            assert csrf
            answer = browser.post(
                f"{base}/login",
                data={"csrf": csrf.group(1), "name": name, "password": PASSWORD},
                timeout=10,
                allow_redirects=False,
            )
            assert answer.status_code == 302
        creds[who.key] = {"cookie": f"gridcmd_session={browser.cookies['gridcmd_session']}"}
    return creds


def _socket_allowed(who: Who, view: str) -> bool:
    return who.role is not None and _page_allowed(who, view)


def test_socket_connections_per_view(grid_app, live_server: str) -> None:  # noqa: ANN001
    creds = _socket_credentials(grid_app, live_server)

    def attempt(who: Who, view: str) -> str | None:
        client = Live()
        accepted = client.connect(live_server, view, **creds[who.key])
        if accepted:
            client.close()
        if accepted == _socket_allowed(who, view):
            return None
        return f"{who.key} → /live view={view}: {'accepted' if accepted else 'refused'}"

    # In parallel: a websocket close takes the client about 3 s, and there are 33 of them.
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda pair: attempt(*pair), [(w, v) for w in WHO for v in SOCKET_VIEWS]))
    wrong = [a for a in answers if a]
    assert not wrong, "socket answers differing from the role table:\n" + "\n".join(wrong)


def test_a_street_desk_receives_only_its_street_over_the_socket(grid_app, live_server: str) -> None:  # noqa: ANN001
    creds = _socket_credentials(grid_app, live_server)
    admin = {"Authorization": f"Bearer {_token_for(grid_app, 'admin', COUNTY)}"}
    point_s1, point_s2 = _point_in(grid_app, S1), _point_in(grid_app, S2)

    def post(point: tuple[float, float], text: str) -> dict[str, Any]:
        lon, lat = point
        body = {"description": text, "lat": lat, "lon": lon, "source": "grid_worker"}
        resp = requests.post(f"{live_server}/api/v1/cases", json=body, headers=admin, timeout=10)
        assert resp.status_code == 201, resp.text
        return resp.json()

    # One case in each street exists before anyone connects: the snapshot must be scoped too.
    before_s2 = post(point_s2, "连接前：S2")
    before_s1 = post(point_s1, "连接前：S1")
    watchers = {
        "dispatcher-S1": ("dispatch", S1),
        "dispatcher-S1-session": ("dispatch", S1),
        "leader-S1": ("leader", S1),
        "dispatcher": ("dispatch", None),
        "screen": ("screen", None),
    }
    clients = {}
    for key, (view, _street) in watchers.items():
        clients[key] = Live()
        assert clients[key].connect(live_server, view, **creds[key]), key
    after_s2 = post(point_s2, "连接后：S2")
    after_s1 = post(point_s1, "连接后：S1")
    try:
        for key, (_view, street) in watchers.items():
            live = clients[key]
            assert live.wait_for_case(after_s1["id"]), f"{key} never got its street's new case"
            assert live.wait_for_case(before_s1["id"], timeout=0.1), f"{key}'s snapshot lacks its street's case"
            if street is None:
                assert live.wait_for_case(after_s2["id"]), f"{key} (district) missed the other street's case"
                continue
            # The S2 delta was committed and published before the S1 one; give it time anyway, then check.
            live.wait_for_case(after_s2["id"], timeout=1.0)
            streets = {r["street_code"] for r in live.case_rows()}
            ids = {r["id"] for r in live.case_rows()}
            assert streets == {S1}, f"{key} received rows of {streets - {S1}}"
            assert before_s2["id"] not in ids and after_s2["id"] not in ids
    finally:
        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            list(pool.map(Live.close, clients.values()))


def _token_for(grid_app: Any, role: str, scope: str) -> str:
    with grid_app.runtime.session() as session:
        user = create_user(session=session, name=f"t-{role}-{uuid.uuid4().hex[:6]}", role=role, scope=scope)
        return issue_token(session=session, user=user)


# ---- holes found while building the matrix, now closed: each asserts the secure behaviour ---------------------


def test_a_look_alike_origin_cannot_write_with_a_session_cookie(world: World) -> None:
    desk = world.clients["dispatcher-S1-session"]
    resp = desk.post(
        f"/api/v1/cases/{world.case_a}/supervise",
        json={"expected_version": -1},
        headers={"Origin": "http://localhost.evil.example"},
    )
    assert resp.status_code == 403, resp.status_code  # today: 409, i.e. the write went through to the command


def test_an_idempotency_key_does_not_reveal_another_streets_case(world: World) -> None:
    key = f"matrix-{uuid.uuid4().hex}"  # in real life a client's UUID, a date-based counter, an order number …
    first = world.clients["admin"].post(
        "/api/v1/cases",
        json={"description": "幂等键测试：S2", "lat": world.point_s2[1], "lon": world.point_s2[0], "source": "wechat"},
        headers={"Idempotency-Key": key},
    )
    assert first.status_code == 201 and first.get_json()["street_code"] == S2
    lon, lat = world.point_s1
    replay = world.clients["dispatcher-S1"].post(
        "/api/v1/cases",
        json={"description": "猜测", "lat": lat, "lon": lon, "source": "wechat"},
        headers={"Idempotency-Key": key},
    )
    assert replay.get_json().get("street_code") != S2, replay.get_json()


def test_a_wrong_role_is_refused_before_its_fields_are_checked(world: World) -> None:
    resp = world.clients["screen"].post(f"/api/v1/cases/{world.case_a}/file", json={"expected_version": 1})
    assert resp.status_code == 403, resp.get_json()
