"""Property-based fuzz of every endpoint (issue 10): whatever anyone sends, the answer is never a 5xx.

The endpoints come from the server's own URL map, so a route added later is fuzzed without touching this file.
Every caller takes part: anonymous, each role by bearer token and by session cookie (signed in through the real
form), and a kiosk signed in by its display token. Requests carry generated and hostile values in paths,
query arguments, JSON bodies, forms and headers: huge, negative and non-ASCII-digit numbers, deep nesting, lone
surrogates, NUL, markup, SQL, wrong types, huge strings, dates out of range, invalid UTF-8. The app runs
in-process on a fresh SQLite database and the real Redis (its own key prefix); hypothesis is derandomized, so a
run is reproducible.

Properties: no 5xx; every 4xx of the API is JSON, and a 422 or 413 names its `field`; no patrol fix stored in
Redis is dated ahead of the server's clock by more than the allowed skew, and every stored patrol id is safe.

`make test` runs GRIDCMD_FUZZ_REQUESTS (default 2,000) generated requests plus one sweep of every endpoint by
every caller; `bench/fuzz_api.py` runs the long mode (10,000+) and records its figures.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dashboard.config import Settings
from dashboard.services import validate
from dashboard.services.accounts import create_user, issue_token
from dashboard.services.commands import COMMAND_FUNCTIONS
from tests.conftest import sqlite_url
from tests.integration import fuzz_channels
from tests.integration.conftest import build_small

FUZZ_REQUESTS = int(os.environ.get("GRIDCMD_FUZZ_REQUESTS", "2000"))
SUMMARY_PATH = os.environ.get("GRIDCMD_FUZZ_SUMMARY", "")
PASSWORD = "fuzz-pass-123"
COUNTY, S1, S2 = "110112", "110112001", "110112002"
DEPT = "CGW"

# ---- hostile material ----------------------------------------------------------------------------------------

HOSTILE: tuple[str, ...] = (
    "",
    " ",
    "0",
    "-1",
    "1",
    "²",
    "１０",
    "٣",
    "99999999999999999999",
    str(2**63),
    str(-(2**63) - 1),
    "1e400",
    "-1e400",
    "nan",
    "inf",
    "0x10",
    "1_000",
    "\ud800",
    "a\udfffb",
    "\x00",
    "a\x00b",
    "\n",
    "\r\n",
    "\t",
    "\x85",
    "\u202e",
    "😀",
    "井盖缺失",
    "＝1+1",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "<iframe onload=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    "'; DROP TABLE cases; --",
    "1; SELECT pg_sleep(5)",
    "%00",
    "%s%s%n",
    "{{7*7}}",
    "${jndi:ldap://x/a}",
    "../../../../etc/passwd",
    "/\t/evil.example",
    "//evil.example",
    "\\\\evil",
    "0001-01-01",
    "0001-01-01T00:00+08:00",
    "9999-12-31",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59-08:00",
    "1969-12-31T23:59:59Z",
    "2026-13-45",
    "2026-02-30T25:61",
    "2026-03-02T09:00",
    "2026-03-02",
    "2025-03-01T08:00:00+08:00",
    "4小时",
    "2紧急工作时",
    "99999999天",
    "即时",
    "grid_worker",
    "wechat",
    "reported",
    "filed",
    "pass",
    "fail",
    "satisfied",
    "available",
    COUNTY,
    S1,
    "110112001001001",
    "JD",
    DEPT,
    "admin",
    "x" * 300,
    "x" * 5000,
    "é" * 70,
)
HUGE_TEXT = "y" * 100_000
HOSTILE_INTS = (0, -1, 1, 2, 3, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 2**70, 10**400, -(10**400))
# Just past what each check allows: latitudes Redis GEO refuses, coordinates out of range, timestamps far ahead.
HOSTILE_NUMBERS = (-85.1, 85.06, 89.9, 90.0, -90.0, 90.0001, 180.0001, -180.5, 1e308, -0.0, 0.5, 4_102_444_800_000)
HOSTILE_LEAVES = (*HOSTILE, *HOSTILE_INTS, *HOSTILE_NUMBERS, None, True, False, float("nan"), float("inf"))
# Every body field and query argument the endpoints know, so generated requests reach past "unknown field".
FIELDS = (
    "description",
    "lat",
    "lon",
    "source",
    "category_code",
    "reporter",
    "phone",
    "occurred_at",
    "photos",
    "expected_version",
    "note",
    "condition",
    "department",
    "patrol",
    "into",
    "result",
    "limit",
    "satisfaction",
    "positions",
    "id",
    "status",
    "ts",
    "name",
    "role",
    "scope",
    "password",
    "display_name",
    "label",
    "output",
    "outputs",
    "inputs",
    "state",
    "changedPropIds",
)
JSON_TYPES = ("application/json",) * 6 + ("text/plain", "application/x-www-form-urlencoded")
QUERY_NAMES = (
    "limit",
    "since",
    "state",
    "grid",
    "street",
    "open",
    "overdue",
    "lat",
    "lon",
    "k",
    "available",
    "from",
    "to",
    "scope",
    "start",
    "min_id",
    "page",
    "size",
    "actor",
    "action",
    "target",
    "token",
    "next",
    "lang",
)
RAW_BODIES: tuple[bytes, ...] = (
    b"",
    b"null",
    b"[]",
    b"{}",
    b"{",
    b'{"a": NaN}',
    b'{"lat": Infinity}',
    b"\xff\xfe{\x00}\x00",
    b'{"description": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 bytes (CESU-8)
    b'{"note": "\\ud800"}',
    b'{"lat": ' + b"9" * 400 + b"}",
    b'{"lat": ' + b"9" * 5000 + b"}",
    b"[" * 1000 + b"]" * 1000,
    b'{"a":' * 1000 + b"1" + b"}" * 1000,
    b"[" * 100_000,
    json.dumps({"description": HUGE_TEXT}).encode(),
)
PATH_ARGS = (
    "",
    "x.js",
    "screen.js",
    "screen/screen.js",
    "login.css",
    "../app.py",
    "..%2f..%2fetc/passwd",
    "deps/polyfill@7.v4_4_1m1.js",
    "dash_leaflet/dash_leaflet.min.js",
    "a" * 300,
)


# ---- the world: an app, its endpoints, its callers -------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One method of one rule of the URL map."""

    method: str
    rule: str
    args: tuple[tuple[str, str], ...]  # (converter, name) in rule order

    @property
    def key(self) -> str:
        return f"{self.method} {self.rule}"


@dataclass
class Caller:
    """A test client signed in one way; a session caller's cookie is restored before every request."""

    label: str
    client: Any
    cookie: str | None = None
    csrf: str | None = None
    token: str | None = None  # its bearer token (an Open311 form carries it as api_key)


@dataclass
class World:
    app: Any
    endpoints: list[Endpoint]
    callers: list[Caller]
    case_ids: list[int]
    user_ids: list[int]
    token_ids: list[int]
    protected: frozenset[tuple[str, int]]  # (path arg name, id) the callers' own accounts and tokens
    grid_codes: list[str]
    point: tuple[float, float]
    dash_callbacks: list[tuple[str, dict[str, Any]]]  # (view prefix, _dash-dependencies entry)
    statuses: Counter = field(default_factory=Counter)
    serial: int = 0  # hotline order ids drawn so far

    @cached_property
    def channel_key(self) -> str:
        """The channel account's token: a valid Open311 api_key, so forms get past the key check."""
        return next(c.token for c in self.callers if c.label == "channel-token" and c.token)

    @cached_property
    def weighted_endpoints(self) -> list[Endpoint]:
        """The API four times over and its POSTs six: Dash's asset routes matter less than what reads input."""
        api = ("/api/", "/login", "/open311/", "/media")
        return [
            e for e in self.endpoints for _ in range((6 if e.method == "POST" else 4) if e.rule.startswith(api) else 1)
        ]

    @cached_property
    def weighted_callers(self) -> list[Caller]:
        """Every caller, the admin and the district dispatcher (who may call most endpoints) four times over."""
        strong = ("admin-token", "admin-session", "dispatcher-token", "dispatcher-session")
        return [c for c in self.callers for _ in range(4 if c.label in strong else 1)]

    hits: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    requests: int = 0


_ARG = re.compile(r"<(?:(?P<conv>[a-zA-Z_]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def discover(server: Any) -> list[Endpoint]:
    """Every (method, rule) the server answers, from its URL map."""
    found = []
    for rule in server.url_map.iter_rules():
        args = tuple((m.group("conv") or "default", m.group("name")) for m in _ARG.finditer(rule.rule))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Endpoint(method, rule.rule, args))
    return sorted(found, key=lambda e: e.key)


def _login(client: Any, name: str) -> tuple[str, str]:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    resp = client.post("/login", data={"csrf": csrf.group(1), "name": name, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:200]
    with client.session_transaction() as session:
        csrf_now = session["csrf"]
    return client.get_cookie("gridcmd_session").value, csrf_now


ROLES = (
    ("admin", COUNTY, None),
    ("dispatcher", COUNTY, None),
    ("dispatcher", S1, None),
    ("leader", COUNTY, None),
    ("handler", COUNTY, DEPT),
    ("screen", COUNTY, None),
    ("worker", S1, None),
    ("channel", COUNTY, None),
)


def _callers(app: Any) -> tuple[list[Caller], set[tuple[str, int]]]:
    callers = [Caller("anonymous", app.server.test_client())]
    protected: set[tuple[str, int]] = set()
    for role, scope, dept in ROLES:
        for via in ("token", "session") + (("kiosk",) if role == "screen" else ()):
            name = f"fz-{role}-{via}-{uuid.uuid4().hex[:6]}"
            with app.runtime.session() as session:
                user = create_user(
                    session=session, name=name, role=role, scope=scope, password=PASSWORD, department_code=dept
                )
                token = issue_token(session=session, user=user)
                session.flush()
                protected.add(("user_id", user.id))
            client = app.server.test_client()
            caller = Caller(f"{role}{'' if scope == COUNTY else '-' + scope}-{via}", client)
            if via == "token":
                client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
                caller.token = token
            elif via == "session":
                caller.cookie, caller.csrf = _login(client, name)
            else:
                assert client.get(f"/screen/?token={token}").status_code == 302
                caller.cookie = client.get_cookie("gridcmd_session").value
            callers.append(caller)
    return callers, protected


@pytest.fixture
def world(redis_url: str, redis_prefix: str, tmp_path: Path) -> Iterator[World]:
    """A fresh 60-grid jurisdiction on its own SQLite file, the app on it, its callers and a few cases."""
    import app as app_module
    from dashboard.store.models import ApiToken

    url = build_small(sqlite_url(tmp_path / "fuzz.db"))
    settings_ = Settings(database_url=url, redis_url=redis_url, redis_prefix=redis_prefix, var_dir=tmp_path)
    app = app_module.create_app(settings_, start_loops=False)
    callers, protected = _callers(app)
    with app.runtime.session() as session:
        protected |= {("token_id", token_id) for token_id in session.scalars(select(ApiToken.id))}
    admin = next(c for c in callers if c.label == "admin-token").client
    index = app.runtime.grid_index()
    codes = index.codes()
    rng = random.Random(11)
    case_ids = []
    for i, code in enumerate(codes[:: max(1, len(codes) // 12)][:12]):
        lon, lat = index.random_point_in(code, rng)
        resp = admin.post(
            "/api/v1/cases", json={"description": f"模糊测试案件 {i}", "lat": lat, "lon": lon, "source": "wechat"}
        )
        assert resp.status_code == 201, resp.get_json()
        case_ids.append(resp.get_json()["id"])
    condition = admin.get("/api/v1/catalog").get_json()["conditions"][0]["code"]
    for case_id in case_ids[:6]:  # some filed, some dispatched: commands meet every state
        resp = admin.post(f"/api/v1/cases/{case_id}/file", json={"expected_version": 1, "condition": condition})
        assert resp.status_code == 200, resp.get_json()
    for case_id in case_ids[:3]:
        resp = admin.post(f"/api/v1/cases/{case_id}/dispatch", json={"expected_version": 2, "department": DEPT})
        assert resp.status_code == 200, resp.get_json()
    victims = []
    for i in range(2):
        resp = admin.post("/api/v1/admin/users", json={"name": f"victim-{i}", "role": "leader", "password": PASSWORD})
        assert resp.status_code == 201, resp.get_json()
        victims.append(resp.get_json()["id"])
    token_ids = [admin.post(f"/api/v1/admin/users/{v}/tokens", json={}).get_json()["id"] for v in victims]
    dash_callbacks = [
        (view.config.requests_pathname_prefix, dep)
        for view in app.views.values()
        for dep in admin.get(view.config.requests_pathname_prefix + "_dash-dependencies").get_json() or []
        if not dep.get("clientside_function")
    ]
    yield World(
        app=app,
        endpoints=discover(app.server),
        callers=callers,
        case_ids=case_ids,
        user_ids=victims,
        token_ids=token_ids,
        protected=frozenset(protected),
        grid_codes=codes[:5],
        point=index.random_point_in(codes[0], rng),
        dash_callbacks=dash_callbacks,
    )


# ---- strategies ----------------------------------------------------------------------------------------------

hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HOSTILE_INTS),
    st.floats(),
    hostile_text,
    st.just(HUGE_TEXT),
)
# The values that broke something once, drawn often; then everything else.
CORE_LEAVES = ([], {}, None, True, 10**400, 2**70, -(2**63) - 1, -85.1, 89.9, "\ud800", "a\x00b", "²", "x" * 5000)
CORE_DATES = ("0001-01-01T00:00+08:00", "9999-12-31T23:00-08:00", "9999-12-31T00:00", "2999-01-01T00:00+00:00")
hostile_leaves = st.one_of(
    st.sampled_from(CORE_LEAVES + CORE_DATES),
    st.sampled_from(HOSTILE_LEAVES),
    st.sampled_from(([[]], {"": None}, ["grid_worker"], [1, 2], {"id": 1}, HUGE_TEXT)),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=8,
)


def _segment(value: str, *, safe: str = "") -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe=safe)


def path_value(world: World, conv: str, name: str) -> st.SearchStrategy[str]:
    """A URL path segment for one rule argument: mostly plausible, often hostile."""
    if conv == "int":
        ids = {"case_id": world.case_ids, "user_id": world.user_ids, "token_id": world.token_ids}.get(name, [1])
        numbers = st.one_of(
            st.sampled_from(ids), st.integers(min_value=-3, max_value=2**70), st.sampled_from(HOSTILE_INTS)
        )
        mine = numbers.filter(lambda n: (name, n) not in world.protected)  # keep the callers' own accounts signed in
        return st.one_of(mine.map(str), st.sampled_from(("0", "00", "١٢٣٤٥", "²", "1.5", "-1", "1e3")))
    if name == "command":
        return st.one_of(st.sampled_from([*COMMAND_FUNCTIONS, "instruct"]), hostile_text.map(_segment))
    if name == "code":
        return st.one_of(st.sampled_from(world.grid_codes), hostile_text.map(_segment))
    if name == "package_name":
        return st.sampled_from(("dash", "dash_leaflet", "plotly", "nope", "..", "os", "%00"))
    if conv == "path":
        return st.one_of(st.sampled_from(PATH_ARGS), hostile_text.map(lambda s: _segment(s, safe="/")))
    return hostile_text.map(_segment)


CORE_QUERY = (
    "²",
    "１０",
    "٣",
    "99999999999999999999",
    "-1",
    "1e400",
    "nan",
    "89",
    "-85.1",
    "\x00",
    "\ud800",
    "x" * 300,
    *CORE_DATES,
)
query_values = st.one_of(
    hostile_text,
    st.integers().map(str),
    st.sampled_from(("1", "true", "5", "39.9", "116.7", "2026-03-01", "2026-03-02T09:00+08:00", "4小时", COUNTY)),
)
queries = st.lists(st.tuples(st.sampled_from(QUERY_NAMES) | st.text(max_size=5), query_values), max_size=5)
# Plausible arguments of the endpoints that take some, so that one hostile argument meets the code behind it.
QUERY_TEMPLATES: dict[str, dict[str, str]] = {
    "/api/v1/cases": {"limit": "5", "since": "1", "state": "reported", "open": "1"},
    "/api/v1/kpis": {"from": "2026-03-01", "to": "2026-03-02T09:00+08:00", "scope": S1},
    "/api/v1/sla/deadline": {"limit": "4工作时", "start": "2026-03-02T09:00"},
    "/api/v1/patrols/nearest": {"lat": "39.9", "lon": "116.7", "k": "3", "available": "1"},
    "/api/v1/screen/summary": {"min_id": "1"},
    "/api/v1/admin/audit": {"from": "2026-03-01", "to": "2026-03-02", "page": "1", "size": "10", "actor": "admin"},
    "/api/v1/admin/audit.csv": {"from": "2026-03-01", "actor": "admin"},
}


@st.composite
def query_pairs(draw: st.DrawFn, rule: str) -> list[tuple[str, str]]:
    """Query arguments: the endpoint's own with one or two made hostile, or generated ones."""
    template = QUERY_TEMPLATES.get(rule)
    if not template or draw(st.integers(0, 3)) == 0:
        return draw(queries)
    pairs = dict(template)
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        pairs[draw(st.sampled_from(tuple(template)))] = draw(
            st.one_of(st.sampled_from(CORE_QUERY), st.sampled_from(HOSTILE), query_values)
        )
    return list(pairs.items())


def _report(world: World) -> dict[str, Any]:
    lon, lat = world.point
    return {
        "description": "模糊测试",
        "lat": lat,
        "lon": lon,
        "source": "grid_worker",
        "occurred_at": "2025-03-01T08:00:00+08:00",
        "reporter": "张三",
    }


def _template(world: World, endpoint: Endpoint) -> dict[str, Any] | list[Any]:
    """A plausible body for the endpoint, so that one hostile field meets the code behind the first check."""
    rule = endpoint.rule
    if rule == "/api/v1/cases":
        return _report(world)
    if rule == "/api/v1/cases/batch":
        return {"reports": [{**_report(world), "idempotency_key": uuid.uuid4().hex} for _ in range(2)]}
    if rule.startswith("/open311/") and rule.endswith("requests.<fmt>"):
        return fuzz_channels.open311_form(world.point, world.channel_key)
    if rule.startswith("/api/v1/hotline/"):
        world.serial += 1
        return fuzz_channels.hotline_order(world.point, world.serial)
    if rule.endswith("/<command>"):
        return {"expected_version": 1, "note": "模糊", "condition": "010101", "department": DEPT, "into": 1}
    if rule == "/api/v1/patrols/positions":
        lon, lat = world.point
        return {"positions": [{"id": "W1", "lat": lat, "lon": lon, "status": "busy", "ts": int(time.time() * 1000)}]}
    if rule == "/api/v1/admin/users":
        return {"name": f"fz-{uuid.uuid4().hex[:6]}", "role": "leader", "password": PASSWORD}
    if rule.endswith("/password"):
        return {"password": PASSWORD + "x"}
    if rule.endswith("/tokens"):
        return {"label": "fuzz"}
    return {}


@st.composite
def json_bodies(draw: st.DrawFn, world: World, endpoint: Endpoint) -> bytes:
    """A JSON body: plausible with one field made hostile, generated from scratch, or raw hostile bytes."""
    kind = draw(st.sampled_from(("mutated",) * 4 + ("generated", "raw")))
    if kind == "raw":
        return draw(st.sampled_from(RAW_BODIES))
    if kind == "generated":
        return json.dumps(draw(json_values)).encode()
    body = _template(world, endpoint)
    if isinstance(body, dict):
        for _ in range(draw(st.sampled_from((1, 1, 2)))):
            key = draw(
                st.sampled_from(tuple(body)) if body and draw(st.integers(0, 9)) < 7 else st.sampled_from(FIELDS)
            )
            body[key] = draw(st.one_of(hostile_leaves, hostile_leaves, json_values))
        if endpoint.rule == "/api/v1/patrols/positions" and draw(st.booleans()):
            # A good fix beside a bad one: the batch is refused whole or stored whole.
            good = _template(world, endpoint)["positions"][0]  # type: ignore[call-overload]
            fix = {**good, draw(st.sampled_from(("id", "lat", "lon", "status", "ts"))): draw(hostile_leaves)}
            body["positions"] = [good, fix] if draw(st.booleans()) else [fix, good]
        if endpoint.rule == "/api/v1/cases/batch" and draw(st.booleans()):
            # A hostile field inside one report of the batch: that report is refused, the other one stands.
            reports = _template(world, endpoint)["reports"]  # type: ignore[call-overload]
            field = draw(st.sampled_from((*tuple(reports[0]), *FIELDS)))
            reports[draw(st.integers(0, 1))][field] = draw(st.one_of(hostile_leaves, json_values))
            body["reports"] = reports
    return json.dumps(body).encode()


@st.composite
def dash_bodies(draw: st.DrawFn, world: World, prefix: str) -> bytes:
    """A well-formed callback request for one of the page's callbacks, its values hostile."""
    mine = [dep for p, dep in world.dash_callbacks if p == prefix]
    if not mine or draw(st.booleans()):
        return draw(json_bodies(world, Endpoint("POST", "", ())))
    dep = draw(st.sampled_from(mine))

    def prop(item: dict[str, Any]) -> Any:
        one = {"id": item["id"], "property": item["property"], "value": draw(json_values)}
        return [one] if '["ALL' in str(item["id"]) else one

    outputs = [o.rsplit(".", 1) for o in dep["output"].strip(".").split("...")]
    listed = [{"id": i, "property": p.split("@")[0]} for i, p in outputs]
    body = {
        "output": dep["output"],
        "outputs": listed if dep["output"].startswith("..") else listed[0],
        "inputs": [prop(i) for i in dep["inputs"]],
        "state": [prop(s) for s in dep["state"]],
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in dep["inputs"][:1]],
    }
    return json.dumps(body).encode()


latin1_text = st.sampled_from(HOSTILE).filter(lambda s: s.isascii() and "\n" not in s and "\r" not in s)


@st.composite
def requests_for(draw: st.DrawFn, world: World, endpoint: Endpoint) -> tuple[str, dict[str, Any]]:
    """(url, keyword arguments for client.open) for one endpoint."""
    url = endpoint.rule
    for conv, name in endpoint.args:
        segment = draw(path_value(world, conv, name))
        url = _ARG.sub(lambda _m, v=segment: v, url, count=1)
    pairs = draw(query_pairs(endpoint.rule))
    if pairs:
        url += "?" + "&".join(f"{_segment(k)}={_segment(v)}" for k, v in pairs)
    headers: dict[str, str] = {}
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        headers["Idempotency-Key"] = draw(latin1_text)
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        headers["Origin"] = draw(st.sampled_from(("http://evil.example", "http://localhost", "null")))
    kwargs: dict[str, Any] = {"method": endpoint.method, "headers": headers}
    if endpoint.method == "POST":
        if endpoint.rule in ("/login", "/logout"):
            form = {k: draw(hostile_text) for k in draw(st.sets(st.sampled_from(("csrf", "name", "password", "next"))))}
            kwargs["data"] = {k: v.encode("utf-8", "surrogatepass") for k, v in form.items()}
        elif endpoint.rule.endswith("/_dash-update-component"):
            kwargs.update(data=draw(dash_bodies(world, endpoint.rule.removesuffix("_dash-update-component"))))
            kwargs["content_type"] = "application/json"
        else:
            kwargs.update(draw(post_bodies(world, endpoint)))
    return url, kwargs


@st.composite
def post_bodies(draw: st.DrawFn, world: World, endpoint: Endpoint) -> dict[str, Any]:
    """A POST body of any channel: JSON mostly; multipart with photos (good and hostile), broken multipart, XML,
    or a form (an Open311 POST is one)."""
    open311 = endpoint.rule.startswith("/open311/")
    kinds = ("json",) * (1 if open311 else 6) + ("multipart", "multipart", "broken", "xml", "form")
    kinds += ("form",) * (6 if open311 else 0)
    kind = draw(st.sampled_from(kinds))
    if kind == "json":
        return {"data": draw(json_bodies(world, endpoint)), "content_type": draw(st.sampled_from(JSON_TYPES))}
    if kind == "broken":
        body, content_type = draw(st.sampled_from(fuzz_channels.BROKEN_MULTIPART))
        return {"data": body, "content_type": content_type}
    if kind == "xml":
        return {
            "data": draw(st.sampled_from(fuzz_channels.XML_BODIES)),
            "content_type": draw(st.sampled_from(fuzz_channels.XML_TYPES)),
        }
    template = _template(world, endpoint)
    fields = template if isinstance(template, dict) else {}
    if kind == "multipart":
        data = draw(fuzz_channels.multipart_bodies(fields, hostile_leaves))
        return {"data": data, "content_type": "multipart/form-data"}
    form = {k: "" if v is None else str(v) for k, v in fields.items()}
    if form:
        key = draw(st.sampled_from(sorted(form)))
        value = draw(st.one_of(hostile_text, st.just(HUGE_TEXT)))
        form[key] = value
    return {"data": {k: v.encode("utf-8", "surrogatepass") for k, v in form.items()}}


# ---- running and checking ----------------------------------------------------------------------------------------


def send(world: World, caller: Caller, endpoint: Endpoint, url: str, kwargs: dict[str, Any]) -> str | None:
    """One request; records its status and returns what property it broke, if any."""
    if caller.cookie:
        caller.client.set_cookie("gridcmd_session", caller.cookie, domain="localhost")
    if endpoint.rule == "/login" and endpoint.method == "POST" and caller.csrf and isinstance(kwargs.get("data"), dict):
        kwargs["data"].setdefault("csrf", caller.csrf)  # past the CSRF check, so the name and password are read
    try:
        resp = caller.client.open(url, **kwargs)
    except Exception as exc:  # the test client re-raises what the app did not answer
        resp = None
        problem = f"{type(exc).__name__}: {exc}"
    world.requests += 1
    world.hits[endpoint.key] += 1
    status = resp.status_code if resp is not None else 599
    world.statuses[status] += 1
    where = f"{caller.label} {endpoint.method} {url[:200]}"
    found = None
    if resp is None:
        found = f"{where} raised {problem[:300]}"
    elif status >= 500:
        found = f"{where} -> {status} {resp.get_data()[:300]!r}"
    elif 400 <= status < 500 and url.startswith("/api/") and status != 405:
        body = resp.get_json(silent=True)
        if not isinstance(body, dict) or "error" not in body:
            found = f"{where} -> {status} without a JSON error"
        elif status in (413, 422) and not body.get("field"):
            found = f"{where} -> {status} naming no field"
    if found:
        world.failures.append(found)
    return found


SWEEP_QUERY = "?" + "&".join(f"{n}={_segment(v)}" for n, v in zip(QUERY_NAMES, HOSTILE[5:], strict=False))


def sweep(world: World) -> int:
    """Every endpoint once by every caller, hostile everywhere at once: no route escapes the fuzz."""
    sent = 0
    for endpoint in world.endpoints:
        url = endpoint.rule
        for conv, name in endpoint.args:
            # Real targets, never the callers' own accounts or tokens (a sweep must not sign its callers out).
            plausible = {
                "case_id": world.case_ids[0],
                "user_id": world.user_ids[0],
                "token_id": world.token_ids[0],
                "command": "reject",
                "code": world.grid_codes[0],
            }
            value = str(plausible.get(name, 1 if conv == "int" else "x"))
            url = _ARG.sub(lambda _m, v=value: v, url, count=1)
        for caller in world.callers:
            kwargs: dict[str, Any] = {"method": endpoint.method}
            if endpoint.method == "POST":
                kwargs.update(data=RAW_BODIES[12], content_type="application/json")
            send(world, caller, endpoint, url + SWEEP_QUERY, kwargs)
            sent += 1
    assert not world.failures, "\n".join(world.failures[:20])
    return sent


def check_patrol_store(world: World) -> None:
    """What reached Redis: no fix dated ahead of the clock beyond the skew, every id in the safe alphabet."""
    rt = world.app.runtime
    limit_ms = time.time() * 1000 + validate.FUTURE_SKEW.total_seconds() * 1000
    for pid, state in rt.redis.hgetall(rt.keys.patrol_state).items():
        assert validate.SAFE_ID.fullmatch(pid) and len(pid) <= validate.PATROL_ID_MAX, pid
        assert int(state.rsplit(",", 1)[1]) <= limit_ms, (pid, state)


def test_fuzz_every_endpoint_never_answers_5xx(world: World) -> None:
    started = time.monotonic()
    swept = sweep(world)
    assert set(world.hits) == {e.key for e in world.endpoints}

    @settings(
        max_examples=FUZZ_REQUESTS,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one_request(data: st.DataObject) -> None:
        endpoint = data.draw(st.sampled_from(world.weighted_endpoints), label="endpoint")
        caller = data.draw(st.sampled_from(world.weighted_callers), label="caller")
        url, kwargs = data.draw(requests_for(world, endpoint), label="request")
        problem = send(world, caller, endpoint, url, kwargs)
        assert problem is None, problem

    one_request()
    check_patrol_store(world)
    generated = world.requests - swept
    summary = {
        "generated_requests": generated,
        "sweep_requests": swept,
        "requests": world.requests,
        "endpoints": len(world.endpoints),
        "callers": len(world.callers),
        "statuses": dict(sorted(world.statuses.items())),
        "5xx": sum(n for s, n in world.statuses.items() if s >= 500),
        "duration_s": round(time.monotonic() - started, 1),
    }
    print("fuzz:", json.dumps(summary))
    if SUMMARY_PATH:
        Path(SUMMARY_PATH).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    assert generated >= FUZZ_REQUESTS
    assert summary["5xx"] == 0 and not world.failures
