"""Issue 13 item 5 at /admin: system and simulator rows hidden by default, actions and details in Chinese,
refusals in the UI language, and length limits on every admin text field (service and input alike).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from dashboard.services import admin as svc
from dashboard.services.audit import is_system_row
from dashboard.services.clock import utcnow
from dashboard.services.errors import FieldError
from dashboard.services.scheduler import OVERDUE_ACTOR_NAME
from dashboard.store.models import AuditEntry, User
from feeds.simulator import Simulator, SimulatorConfig
from layouts import admin as ui
from layouts import admin_imports as imports_ui
from tests.integration.test_admin import API, STREET, _create, _dash_call

# An English sentence in a message (two Latin words in a row): what the admin page must no longer show.
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}")


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _msg(component: Any) -> str:
    """The text of a ui.message() result."""
    assert isinstance(component, dict), component
    return str(component["props"]["children"])


@pytest.fixture
def machine_rows(grid_app: Any) -> dict[str, Any]:
    """Rows of people, the overdue rule and the simulator, all with one marker in their target."""
    mark = uuid.uuid4().hex[:8]
    at = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
    rows = [
        ("zhang.san", "case:dispatch", {"from": "filed", "to": "dispatched", "version": 3}),
        (OVERDUE_ACTOR_NAME, "case:flag-overdue", {"from": "dispatched", "to": "dispatched", "version": 4}),
        ("sim:hotline_12345", "case:report", {"source": "hotline_12345"}),
        ("sim:dispatcher", "case:file", {"from": "reported", "to": "filed", "version": 2}),
        ("grid_worker:110112001001", "case:self-handle", {"from": "reported", "to": "self_handled", "version": 2}),
        ("sim:typed-at-login", "login_failed", {"locked": False}),  # a typed name, not a machine: always shown
    ]
    with grid_app.runtime.session() as session:
        for i, (actor, action, detail) in enumerate(rows):
            session.add(
                AuditEntry(at=at + timedelta(minutes=i), actor=actor, action=action, target=f"C-{mark}", detail=detail)
            )
    return {"target": mark}


def _actors(resp: Any) -> list[str]:
    assert resp.status_code == 200, resp.get_json()
    return [r["actor"] for r in resp.get_json()["rows"]]


# ---- 1. system and simulator rows --------------------------------------------------------------------------


def test_api_keeps_every_row_by_default_and_system_0_hides_machines(client: Any, machine_rows: dict) -> None:
    target = machine_rows["target"]
    everything = _actors(client.get(f"{API}/audit", query_string={"target": target}))
    assert len(everything) == 6  # API clients see what they always saw
    assert _actors(client.get(f"{API}/audit", query_string={"target": target, "system": "1"})) == everything
    people = _actors(client.get(f"{API}/audit", query_string={"target": target, "system": "0"}))
    assert people == ["sim:typed-at-login", "zhang.san"]
    bad = client.get(f"{API}/audit", query_string={"system": "maybe"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "system"


def test_csv_follows_the_same_filter(client: Any, grid_app: Any, machine_rows: dict) -> None:
    query = {"target": machine_rows["target"], "system": "0"}
    rows = list(csv.reader(io.StringIO(client.get(f"{API}/audit.csv", query_string=query).get_data(as_text=True))))
    assert [r[2] for r in rows[1:]] == ["sim:typed-at-login", "zhang.san"]
    with grid_app.runtime.session() as session:
        export = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "admin:audit_export").order_by(AuditEntry.id.desc())
        ).first()
        assert export is not None and export.detail["system"] == "0"


def _audit_page(client: Any, target: str, show: list[str] | None) -> dict[str, Any]:
    return _dash_call(
        client,
        f"{ui.AUDIT_SEARCH}.n_clicks",
        {
            f"{ui.URL}.pathname": "/admin/audit",
            f"{ui.AUDIT_SEARCH}.n_clicks": 1,
            f"{ui.AUDIT_TARGET}.value": target,
            f"{ui.AUDIT_SYSTEM}.value": show,
            f"{ui.AUDIT_PAGE}.data": {"page": 1, "pages": 1},
        },
    )


def test_the_page_hides_machines_until_the_box_is_ticked(client: Any, machine_rows: dict) -> None:
    layout = _text(client.get("/admin/_dash-layout").get_json())
    assert "显示系统和模拟操作" in layout and ui.AUDIT_SYSTEM in layout
    target = machine_rows["target"]
    hidden = _audit_page(client, target, [])
    table = _text(hidden[ui.AUDIT_TABLE]["children"])
    assert "zhang.san" in table and "sim:typed-at-login" in table
    assert OVERDUE_ACTOR_NAME not in table and "sim:dispatcher" not in table and "grid_worker:" not in table
    assert hidden[ui.AUDIT_EXPORT]["href"] == f"/api/v1/admin/audit.csv?target={target}&system=0"
    shown = _audit_page(client, target, ["show"])
    table = _text(shown[ui.AUDIT_TABLE]["children"])
    assert OVERDUE_ACTOR_NAME in table and "sim:dispatcher" in table and "grid_worker:110112001001" in table
    assert shown[ui.AUDIT_EXPORT]["href"] == f"/api/v1/admin/audit.csv?target={target}"


def test_the_real_simulator_and_overdue_rule_actors_are_the_hidden_ones(grid_app: Any) -> None:
    assert is_system_row(OVERDUE_ACTOR_NAME, "case:flag-overdue")
    start = utcnow() - timedelta(seconds=1)
    sim = Simulator(grid_app.runtime, SimulatorConfig(speed=1e9, seed=5, patrols=5, self_handled_share=0.5))
    for _ in range(15):
        sim.report_one()
    for _ in range(6):
        time.sleep(0.01)
        sim.lifecycle.run_due()
    tz = grid_app.runtime.settings.timezone
    with grid_app.runtime.session() as session:
        every = svc.query_audit(session=session, flt=svc.AuditFilter(start=start), tz=tz, size=500)
        kept = svc.query_audit(session=session, flt=svc.AuditFilter(start=start, include_system=False), tz=tz, size=500)
    actors = {r.actor for r in every.rows}
    assert any(a.startswith("sim:") for a in actors) and any(a.startswith("grid_worker:") for a in actors)
    assert every.total >= 15 and [r.actor for r in kept.rows if r.action.startswith("case:")] == []


# ---- 2. actions and details in Chinese, as text ---------------------------------------------------------------


def test_actions_and_details_read_in_chinese_and_stay_text(client: Any, grid_app: Any) -> None:
    mark = uuid.uuid4().hex[:8]
    with grid_app.runtime.session() as session:
        detail = {"from": "dispatched", "to": "dispatched", "version": 5, "note": "<b>快</b>"}
        session.add(AuditEntry(at=utcnow(), actor="li.si", action="case:supervise", target=f"C-{mark}", detail=detail))
    table = _text(_audit_page(client, mark, [])[ui.AUDIT_TABLE]["children"])
    assert "督办" in table and "状态：已派遣 → 已派遣" in table and "备注：<b>快</b>" in table and "版本：5" in table
    assert '"children": "case:supervise"' not in table  # the id is only the label's tooltip
    assert '{"from"' not in table and '\\"from\\"' not in table  # no raw JSON
    assert ui.action_label("case:dispatch") == "派遣" and ui.action_label("something_new") == "something_new"
    assert ui.action_label("admin:create_user") == "新建账号"
    create = ui.detail_text({"role": "handler", "department": "CGW", "password_set": False}, "admin:create_user")
    assert create == "角色：处置部门；部门：CGW；已设密码：否"


# ---- 3. refusals in the UI language ----------------------------------------------------------------------------


def _create_msg(client: Any, **values: Any) -> str:
    fields = {
        f"{ui.CREATE_SUBMIT}.n_clicks": 1,
        f"{ui.CREATE_NAME}.value": f"ok-{uuid.uuid4().hex[:6]}",
        f"{ui.CREATE_ROLE}.value": "dispatcher",
        f"{ui.CREATE_SCOPE}.value": STREET,
        f"{ui.CREATE_PASSWORD}.value": "long-enough-1",
    }
    fields.update({f"{k}.value": v for k, v in values.items()})
    return _msg(_dash_call(client, f"{ui.CREATE_SUBMIT}.n_clicks", fields)[ui.CREATE_MSG]["children"])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({ui.CREATE_NAME: "bad name!"}, "用户名 — 应为 2–64 位字母、数字或 . _ -"),
        ({ui.CREATE_PASSWORD: "short"}, "密码 — 至少 8 个字符"),
        ({ui.CREATE_DISPLAY: "名" * 3000}, "姓名 — 最多 64 个字符"),
        ({ui.CREATE_ROLE: "handler"}, "部门 — 处置部门角色须指定部门"),
        ({ui.CREATE_SCOPE: "110112999"}, "管辖范围 — 应为本区或本区的街道"),
    ],
)
def test_create_refusals_are_chinese_sentences(client: Any, values: dict[str, str], expected: str) -> None:
    msg = _create_msg(client, **values)
    assert expected in msg and not ENGLISH.search(msg), msg


def test_password_token_audit_and_import_refusals_are_chinese(client: Any) -> None:
    user_id = _create(client).get_json()["id"]
    reset = _dash_call(
        client,
        f"{ui.RESET_SUBMIT}.n_clicks",
        {f"{ui.RESET_SUBMIT}.n_clicks": 1, f"{ui.SELECTED}.data": user_id, f"{ui.RESET_PASSWORD}.value": "x"},
    )
    issue = _dash_call(
        client,
        f"{ui.TOKEN_ISSUE}.n_clicks",
        {f"{ui.TOKEN_ISSUE}.n_clicks": 1, f"{ui.SELECTED}.data": user_id, f"{ui.TOKEN_LABEL}.value": "标" * 65},
    )
    audit = _dash_call(
        client,
        f"{ui.AUDIT_SEARCH}.n_clicks",
        {
            f"{ui.URL}.pathname": "/admin/audit",
            f"{ui.AUDIT_SEARCH}.n_clicks": 1,
            f"{ui.AUDIT_DATES}.start_date": "2026-03-02",
            f"{ui.AUDIT_DATES}.end_date": "2026-03-01",
        },
    )
    notice = _dash_call(
        client,
        f"{imports_ui.HOLIDAYS_READ}.n_clicks",
        {f"{imports_ui.HOLIDAYS_READ}.n_clicks": 1, f"{imports_ui.HOLIDAYS_PASTE}.value": "关于部分节假日安排的通知"},
    )
    upload = "data:text/csv;base64," + base64.b64encode(b"\xff\xfe\x00bad").decode()
    catalog = _dash_call(
        client,
        f"{imports_ui.CATALOG_UPLOAD}.contents",
        {f"{imports_ui.CATALOG_UPLOAD}.contents": upload, f"{imports_ui.CATALOG_UPLOAD}.filename": "目录 v2.csv"},
    )
    messages = {
        "密码 — 至少 8 个字符": _msg(reset[ui.USER_MSG]["children"]),
        "用途说明 — 最多 64 个字符": _msg(issue[ui.USER_MSG]["children"]),
        "结束日期 — 结束日期应晚于开始日期": _msg(audit[ui.AUDIT_MSG]["children"]),
        "通知 — 第 1 行：找不到年份": _msg(notice[imports_ui.HOLIDAYS_MSG]["children"]),
        "目录 v2.csv — ": _msg(catalog[imports_ui.CATALOG_MSG]["children"]),
    }
    for expected, msg in messages.items():
        assert expected in msg and not ENGLISH.search(msg.replace("v2.csv", "")), msg


def test_error_text_maps_field_and_kind_with_a_chinese_fallback() -> None:
    assert ui.error_text(FieldError("scope", "no such street")) == "操作失败：管辖范围 — 输入不符合要求"
    assert ui.error_text(FieldError("label", "must be at most 64 characters")) == "操作失败：用途说明 — 最多 64 个字符"
    assert ui.error_text(FieldError("active", "the last active admin cannot be deactivated")).endswith(
        "不能停用最后一个启用的管理员"
    )


# ---- 4. length limits --------------------------------------------------------------------------------------------


def _inputs(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") in ("Input", "Textarea") and node.get("namespace") == "dash_core_components":
            found.append(node["props"])
        for value in node.values():
            found += _inputs(value)
    elif isinstance(node, list):
        for value in node:
            found += _inputs(value)
    return found


def test_every_admin_text_input_has_a_max_length(client: Any) -> None:
    inputs = _inputs(client.get("/admin/_dash-layout").get_json())
    text_inputs = {p["id"]: p.get("maxLength") for p in inputs if p.get("type") != "number"}
    assert {ui.CREATE_NAME, ui.CREATE_DISPLAY, ui.CREATE_PASSWORD, ui.RESET_PASSWORD, ui.TOKEN_LABEL} <= set(
        text_inputs
    )
    assert all(text_inputs.values()), text_inputs
    assert text_inputs[ui.CREATE_NAME] == 64 and text_inputs[ui.CREATE_DISPLAY] == 64
    assert text_inputs[ui.TOKEN_LABEL] == 64 and text_inputs[ui.AUDIT_ACTOR] == 64
    assert text_inputs[ui.CREATE_PASSWORD] == svc.MAX_PASSWORD == text_inputs[ui.RESET_PASSWORD]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a" * 65}, "name"),
        ({"display_name": "名" * 3000}, "display_name"),
        ({"role": "handler", "department": "D" * 17}, "department"),
        ({"scope": "1" * 16}, "scope"),
        ({"password": "p" * 257}, "password"),
    ],
)
def test_the_service_refuses_over_long_fields_naming_them(client: Any, grid_app: Any, body: dict, field: str) -> None:
    resp = _create(client, **body)
    assert resp.status_code == 422 and resp.get_json()["field"] == field
    with grid_app.runtime.session() as session:
        assert session.scalar(select(User).where(User.display_name == "名" * 3000)) is None


def test_token_label_over_64_is_refused(client: Any) -> None:
    user_id = _create(client).get_json()["id"]
    resp = client.post(f"{API}/users/{user_id}/tokens", json={"label": "x" * 65})
    assert resp.status_code == 422 and resp.get_json()["field"] == "label"
