"""Dispatch desk /dispatch in Chromium: two live desks, a whole routine case from the page, illegal actions.

Two browser contexts sign in as two dispatchers of the same district center. Departments act through the REST
API with a handler's token, as their own systems would.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.e2e.server import PASSWORD, ROOT, LiveApp

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-results"
VIEWPORT = {"width": 1920, "height": 1080}
READY = (
    "() => window.gridcmdDispatch && window.gridcmdDispatch.state === 'live' && window.gridcmdDispatch.gridReady"
    " && window.gridcmdDispatch.catalogReady"
)
# What the desk should offer a dispatcher in each state (DESIGN.md section 5, dashboard/domain/actors.py);
# extend and visit-back also depend on the audit trail, checked where it applies.
OFFERED = {
    "reported": {"file", "reject", "escalate", "supervise", "self-handle"},
    "filed": {"dispatch", "escalate", "supervise", "suspend"},
    "dispatched": {"escalate", "supervise", "suspend", "extend"},
    "handling": {"escalate", "supervise", "suspend", "extend"},
    "handled": {"verify", "escalate", "supervise"},
    "closed": {"visit-back"},
}
DISPATCHER_COMMANDS = (
    "file",
    "reject",
    "merge",
    "self-handle",
    "dispatch",
    "verify",
    "escalate",
    "supervise",
    "ack-supervision",
    "suspend",
    "resume",
    "extend",
    "visit-back",
)
HANDLER_COMMANDS = ("acknowledge", "return", "report-handled")


# ---- helpers ------------------------------------------------------------------------------------------------


def _cli(live_app: LiveApp, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        cwd=ROOT,
        env=live_app.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 or "already exists" in done.stderr, done.stderr
    return done.stdout.strip()


def _token_for(live_app: LiveApp, name: str, *args: str) -> str:
    """Create user `name` (once) and return a fresh bearer token for it."""
    _cli(live_app, "create-user", name, *args, "--password", PASSWORD)
    return _cli(live_app, "create-token", name).splitlines()[-1]


def _handler_name(department: str) -> str:
    return f"e2e-handler-{department.lower()}"


def _handler_token(live_app: LiveApp, department: str) -> str:
    """A bearer token of the department's handler (created on first use), to act as the department's system."""
    return _token_for(live_app, _handler_name(department), "--role", "handler", "--department", department)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _catalog(live_app: LiveApp) -> list[dict[str, Any]]:
    resp = requests.get(f"{live_app.base_url}/api/v1/catalog", headers=live_app.headers(), timeout=10)
    resp.raise_for_status()
    return resp.json()["conditions"]


def _condition(live_app: LiveApp, text: str) -> dict[str, Any]:
    return next(c for c in _catalog(live_app) if text in c["condition"])


def _report(live_app: LiveApp, point: tuple[float, float], description: str, **extra: Any) -> dict[str, Any]:
    """Intake through the API with a reporter and phone, as the 12345 hotline sends them."""
    body = {
        "description": description,
        "lon": point[0],
        "lat": point[1],
        "source": "hotline_12345",
        "reporter": "王先生",
        "phone": "13812345678",
        **extra,
    }
    resp = requests.post(f"{live_app.base_url}/api/v1/cases", json=body, headers=live_app.headers(), timeout=10)
    assert resp.status_code == 201, resp.text
    return resp.json()


def _case(live_app: LiveApp, case_id: int) -> dict[str, Any]:
    resp = requests.get(f"{live_app.base_url}/api/v1/cases/{case_id}", headers=live_app.headers(), timeout=10)
    resp.raise_for_status()
    return resp.json()


def _command(
    live_app: LiveApp, headers: dict[str, str], case_id: int, command: str, **fields: Any
) -> requests.Response:
    version = _case(live_app, case_id)["version"]
    return requests.post(
        f"{live_app.base_url}/api/v1/cases/{case_id}/{command}",
        json={"expected_version": version, **fields},
        headers=headers,
        timeout=10,
    )


def _post_patrols(live_app: LiveApp, rows: list[tuple[str, float, float, str]]) -> None:
    import time

    now_ms = int(time.time() * 1000)
    positions = [{"id": i, "lon": lon, "lat": lat, "status": st, "ts": now_ms} for i, lon, lat, st in rows]
    resp = requests.post(
        f"{live_app.base_url}/api/v1/patrols/positions",
        json={"positions": positions},
        headers=live_app.headers(),
        timeout=10,
    )
    assert resp.status_code == 202, resp.text


def _wait_state(page: Any, case_id: int, state: str, timeout: int = 5_000, *, idle: bool = True) -> None:
    """Wait until the desk holds the case in `state` and (with `idle`) no dialog is open any more.

    The pushed delta often beats the command's own HTTP answer, so the state can show while the dialog that
    sent it still waits for that answer; a shortcut pressed then would go to the dialog.
    """
    page.wait_for_function(
        """([id, state, idle]) => {
          const r = window.gridcmdDispatch.row(id);
          return r && r.state === state && (!idle || window.gridcmdDispatch.dialog === null);
        }""",
        arg=[case_id, state, idle],
        timeout=timeout,
    )


def _idle(page: Any) -> None:
    """Wait until no dialog is open (a submitted command's dialog closes when its answer arrives)."""
    page.wait_for_function("() => window.gridcmdDispatch.dialog === null", timeout=5_000)


def _offered(page: Any) -> set[str]:
    return set(page.eval_on_selector_all("#dispatch-actions [data-cmd]", "bs => bs.map(b => b.dataset.cmd)"))


def _wait_offered(page: Any, expected: set[str]) -> None:
    page.wait_for_function(
        """(want) => {
          const got = [...document.querySelectorAll('#dispatch-actions [data-cmd]')].map(b => b.dataset.cmd).sort();
          return JSON.stringify(got) === JSON.stringify(want);
        }""",
        arg=sorted(expected),
        timeout=5_000,
    )


def _row(page: Any, code: str) -> Any:
    return page.locator(f'.ag-center-cols-container .ag-row[row-id="{code}"]')


def test_the_page_derives_its_action_table_from_the_server_tables() -> None:
    """What the desk offers per state comes from TRANSITIONS/COMMAND_ROLES (no browser needed)."""
    from layouts.dispatch import command_sources, role_commands

    sources = command_sources()
    offered = {
        # merge is offered on a duplicate, 回复督办 only while a supervision waits, 标注位置 only on a report without a
        # location: none of them on a plain row.
        state: {
            c
            for c in role_commands("dispatcher")
            if state in sources[c] and c not in ("merge", "ack-supervision", "locate")
        }
        for state in OFFERED
    }
    assert offered == OFFERED
    assert "acknowledge" not in role_commands("dispatcher") and "acknowledge" in role_commands("admin")
    assert sources["dispatch"] == ["filed", "returned"]  # rework after a failed check is `verify`, not dispatch


# ---- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def second_dispatcher(live_app: LiveApp) -> str:
    """A colleague at the same district center: `e2e-dispatcher2`."""
    _cli(live_app, "create-user", "e2e-dispatcher2", "--role", "dispatcher", "--password", PASSWORD)
    return "dispatcher2"


@pytest.fixture
def open_desk(browser, live_app: LiveApp) -> Iterator[Callable[[str], Any]]:  # noqa: ANN001 - playwright Browser
    """Open /dispatch at 1920x1080 for a test user (`role` picks `e2e-<role>`); the desk is live when returned."""
    contexts: list[Any] = []
    errors: list[str] = []

    def _open(role: str = "dispatcher") -> Any:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{role}: {exc}"))
        live_app.login(page, role)
        page.goto(f"{live_app.base_url}/dispatch/")
        page.wait_for_function(READY, timeout=20_000)
        page.locator("path.dq-grid").first.wait_for(state="attached", timeout=20_000)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"page errors: {errors}"


# ---- tests --------------------------------------------------------------------------------------------------


def test_two_desks_one_dispatch_wins_and_the_other_is_told(
    open_desk, live_app: LiveApp, second_dispatcher: str
) -> None:  # noqa: ANN001
    desk_a = open_desk("dispatcher")
    desk_b = open_desk(second_dispatcher)
    point = live_app.inside_points(9)[4]
    case = _report(live_app, point, "小区东门垃圾桶满溢，异味明显")
    code, case_id = case["code"], case["id"]

    # Both desks see the new report appear in 待受理 without a reload, highlighted as new.
    for desk in (desk_a, desk_b):
        _row(desk, code).wait_for(timeout=5_000)
        assert desk.evaluate("id => window.gridcmdDispatch.isNew(id)", case_id)
        assert "dq-row-new" in (_row(desk, code).get_attribute("class") or "")

    # Desk A files it from the page (searchable catalog picker).
    condition = _condition(live_app, "垃圾桶满溢")
    _row(desk_a, code).click()
    desk_a.locator("#dispatch-actions [data-cmd=file]").click()
    desk_a.locator("#dispatch-file-search").fill(condition["code"])
    desk_a.locator("#dispatch-file-list .pk-item.is-active").wait_for()
    desk_a.keyboard.press("Enter")
    for desk in (desk_a, desk_b):
        _wait_state(desk, case_id, "filed")

    # Desk B opens the dispatch dialog on what it sees (version v) ...
    desk_b.evaluate("window.gridcmdDispatch.setTab('to_dispatch')")
    _row(desk_b, code).click()
    desk_b.locator("#dispatch-actions [data-cmd=dispatch]").click()
    desk_b.locator("#dispatch-dialog[data-cmd=dispatch]").wait_for()

    # ... while desk A dispatches first, entirely by keyboard.
    desk_a.evaluate("window.gridcmdDispatch.setTab('to_dispatch')")
    desk_a.keyboard.press("d")
    desk_a.locator("#dispatch-dialog[data-cmd=dispatch]").wait_for()
    desk_a.keyboard.press("Enter")
    _wait_state(desk_a, case_id, "dispatched")

    # B's desk follows live; the open dialog says the case moved on; confirming is refused with who and when.
    _wait_state(desk_b, case_id, "dispatched", idle=False)
    assert desk_b.locator("#dispatch-dialog .dlg-stale").is_visible()
    desk_b.locator("#dispatch-dialog-confirm").click()
    alert = desk_b.locator("#dispatch-alert")
    alert.wait_for(state="visible", timeout=5_000)
    assert re.search(r"已被 e2e-dispatcher 于 \d{2}:\d{2} 派遣", alert.inner_text()), alert.inner_text()
    assert desk_b.locator("#dispatch-dialog").count() == 0
    _wait_offered(desk_b, OFFERED["dispatched"])  # the panel shows the case as it is now

    # Exactly one dispatch happened, and both desks hold the same queue.
    timeline = _case(live_app, case_id)["timeline"]
    assert [e["command"] for e in timeline].count("dispatch") == 1
    assert timeline[-1]["actor"] == "e2e-dispatcher"
    desk_a.wait_for_function(
        "rows => JSON.stringify(window.gridcmdDispatch.rows()) === JSON.stringify(rows)",
        arg=desk_b.evaluate("window.gridcmdDispatch.rows()"),
        timeout=5_000,
    )
    for desk in (desk_a, desk_b):
        desk.evaluate("window.gridcmdDispatch.setTab('handling')")
        assert "已派遣" in _row(desk, code).inner_text()


def _triage_by_keyboard(desk: Any, live_app: LiveApp, case_id: int, condition: dict[str, Any]) -> None:
    """Without the mouse: j selects the newest report, f files, d dispatches to the suggested department."""
    desk.keyboard.press("j")
    desk.wait_for_function("id => window.gridcmdDispatch.primary === id", arg=case_id)
    # Reporter and phone, unmasked for dispatchers, arrive with the case's detail.
    desk.wait_for_function("() => document.querySelector('#dispatch-panel .pn-facts').textContent.includes('王先生')")
    assert "13812345678" in desk.locator("#dispatch-panel .pn-facts").inner_text()
    _wait_offered(desk, OFFERED["reported"])
    desk.keyboard.press("f")
    desk.locator("#dispatch-file-search").wait_for()
    desk.keyboard.type("路灯不亮")
    info = desk.locator("#dispatch-dialog .fl-info")
    assert condition["time_limit"] in info.inner_text() and "C" in info.inner_text()
    desk.keyboard.press("Enter")
    _wait_state(desk, case_id, "filed")
    _wait_offered(desk, OFFERED["filed"])
    desk.keyboard.press("d")
    desk.locator("#dispatch-dept-list .pk-item.is-active .dp-tag").wait_for()  # the suggestion is preselected
    desk.keyboard.press("Enter")
    _wait_state(desk, case_id, "dispatched")
    assert _case(live_app, case_id)["department_code"] == condition["department"]
    _wait_offered(desk, OFFERED["dispatched"])


def _department_handles(desk: Any, live_app: LiveApp, case_id: int, handler: dict[str, str]) -> None:
    """The department acknowledges and reports done through the API, as its own system would; the desk follows."""
    assert _command(live_app, handler, case_id, "acknowledge").status_code == 200
    _wait_state(desk, case_id, "handling")
    _wait_offered(desk, OFFERED["handling"])
    assert _command(live_app, handler, case_id, "report-handled", note="已更换灯泡，恢复照明").status_code == 200
    _wait_state(desk, case_id, "handled")
    _wait_offered(desk, OFFERED["handled"])


def _verify_and_visit_back(desk: Any, live_app: LiveApp, case_id: int) -> None:
    """Verify on the page: pass closes the case; then the visit-back is recorded once."""
    desk.keyboard.press("v")
    desk.locator("#dispatch-dialog[data-cmd=verify]").wait_for()
    desk.keyboard.press("Enter")
    _wait_state(desk, case_id, "closed")
    _wait_offered(desk, OFFERED["closed"])
    desk.locator("#dispatch-actions [data-cmd=visit-back]").click()
    desk.locator("#dispatch-dialog input[value=satisfied]").check()
    desk.keyboard.press("Enter")
    desk.wait_for_function(
        "() => document.querySelector('#dispatch-actions').textContent.includes('已回访')", timeout=5_000
    )
    assert desk.locator("#dispatch-actions [data-cmd]").count() == 0
    assert _case(live_app, case_id)["state"] == "closed"


def _assert_timeline(desk: Any, want: list[str], actors: dict[str, str]) -> None:
    """The audit timeline on the page shows every step in `want`, newest first, with when and who (`actors`,
    the dispatcher for any step not named there)."""
    desk.wait_for_function(
        "n => document.querySelectorAll('#dispatch-timeline li[data-command]').length === n", arg=len(want)
    )
    items = desk.locator("#dispatch-timeline li[data-command]")
    steps = [items.nth(i).get_attribute("data-command") for i in range(items.count())]
    assert steps == list(reversed(want))  # newest first
    for i in range(items.count()):
        text = items.nth(i).inner_text()
        step = steps[i]
        assert re.search(r"\d{2}-\d{2} \d{2}:\d{2}:\d{2}", text), text
        assert actors.get(step, "e2e-dispatcher") in text, text


def test_routine_case_from_report_to_close_on_the_page(open_desk, live_app: LiveApp) -> None:  # noqa: ANN001
    desk = open_desk("dispatcher")
    condition = _condition(live_app, "路灯不亮")
    assert condition["level"] == "C" and condition["department"] != "JD"
    handler_token = _handler_token(live_app, condition["department"])
    point = live_app.inside_points(11)[6]
    case = _report(live_app, point, "人民路与新华街交叉口路灯不亮，夜间行人不便")
    case_id, code = case["id"], case["code"]
    _row(desk, code).wait_for(timeout=5_000)

    _triage_by_keyboard(desk, live_app, case_id, condition)
    _department_handles(desk, live_app, case_id, _bearer(handler_token))
    _verify_and_visit_back(desk, live_app, case_id)

    want = ["report", "file", "dispatch", "acknowledge", "report-handled", "verify", "visit-back"]
    handler_name = _handler_name(condition["department"])
    _assert_timeline(desk, want, {"report": "e2e-admin", "acknowledge": handler_name, "report-handled": handler_name})


def test_illegal_actions_are_not_offered_and_the_api_refuses_them(open_desk, live_app: LiveApp) -> None:  # noqa: ANN001
    desk = open_desk("dispatcher")
    dispatcher = live_app.headers("dispatcher")
    condition = _condition(live_app, "占道经营")
    other = _report(live_app, live_app.inside_points(13)[1], "另一处占道经营（合并目标）")
    case = _report(live_app, live_app.inside_points(13)[9], "早市商贩占道经营，影响车辆通行")
    case_id, code = case["id"], case["code"]
    _row(desk, code).wait_for(timeout=5_000)
    desk.evaluate("id => window.gridcmdDispatch.select(id)", case_id)
    handler = _bearer(
        _token_for(
            live_app,
            f"e2e-handler-{condition['department'].lower()}",
            "--role",
            "handler",
            "--department",
            condition["department"],
        )
    )
    # Plausible fields for every command, so a refusal can only be about the state or the role.
    fields = {
        "file": {"condition": condition["code"]},
        "dispatch": {"department": condition["department"]},
        "verify": {"result": "pass"},
        "merge": {"into": other["id"]},
        "extend": {"limit": "1工作日", "note": "需协调"},
        "visit-back": {"satisfaction": "satisfied"},
        "reject": {"note": "测试"},
        "suspend": {"note": "测试"},
        "return": {"note": "测试"},
    }

    def check_state(state: str) -> None:
        _wait_state(desk, case_id, state)
        offered = OFFERED[state]
        _wait_offered(desk, offered)
        for command in DISPATCHER_COMMANDS:
            if command in offered or command == "merge":
                continue
            assert desk.locator(f"#dispatch-actions [data-cmd={command}]").count() == 0, command
            before = _case(live_app, case_id)["version"]
            resp = _command(live_app, dispatcher, case_id, command, **fields.get(command, {}))
            assert resp.status_code == 422, (state, command, resp.status_code, resp.text)
            assert _case(live_app, case_id)["version"] == before
        for command in HANDLER_COMMANDS:  # a department's commands: never on a dispatcher's desk
            assert desk.locator(f"#dispatch-actions [data-cmd={command}]").count() == 0, command
            resp = _command(live_app, dispatcher, case_id, command, **fields.get(command, {}))
            assert resp.status_code == 403, (state, command, resp.status_code, resp.text)

    check_state("reported")
    assert _command(live_app, dispatcher, case_id, "file", condition=condition["code"]).status_code == 200
    check_state("filed")
    assert _command(live_app, dispatcher, case_id, "dispatch", department=condition["department"]).status_code == 200
    check_state("dispatched")
    assert _command(live_app, handler, case_id, "acknowledge").status_code == 200
    check_state("handling")
    assert _command(live_app, handler, case_id, "report-handled").status_code == 200
    check_state("handled")

    # Nobody but dispatchers and admins opens the desk.
    resp = requests.get(f"{live_app.base_url}/dispatch/", headers=live_app.headers("leader"), timeout=10)
    assert resp.status_code == 403


def test_map_selection_bulk_dispatch_patrol_proposal_and_a_level_cue(open_desk, live_app: LiveApp) -> None:  # noqa: ANN001
    desk = open_desk("dispatcher")
    dispatcher = live_app.headers("dispatcher")
    desk.evaluate("window.gridcmdDispatch.setTab('all')")
    points = live_app.inside_points(17)
    routine = _condition(live_app, "垃圾桶满溢")
    urgent = _condition(live_app, "供水管线破裂")
    assert urgent["level"] == "A"

    # An A-level report (the hotline classified it) arrives: highlighted, and a sound cue is played.
    cues = desk.evaluate("window.gridcmdDispatch.cues")
    hot = _report(live_app, points[3], "供水管线破裂，路面大量跑水", category_code=urgent["code"])
    _row(desk, hot["code"]).wait_for(timeout=5_000)
    desk.wait_for_function("n => window.gridcmdDispatch.cues > n", arg=cues)
    assert "dq-row-a" in (_row(desk, hot["code"]).get_attribute("class") or "")

    # Two filed cases, picked on the map: click one, shift-click the other, bulk-dispatch them.
    cases = [_report(live_app, points[i], f"垃圾清运不及时 {i}") for i in (8, 12)]
    for c in cases:
        assert _command(live_app, dispatcher, c["id"], "file", condition=routine["code"]).status_code == 200
        _wait_state(desk, c["id"], "filed")
    markers = [desk.locator(f"path.dm-case.case-{c['id']}") for c in cases]
    markers[0].click()
    desk.wait_for_function("id => window.gridcmdDispatch.primary === id", arg=cases[0]["id"])
    markers[1].click(modifiers=["Shift"])
    desk.wait_for_function("() => window.gridcmdDispatch.multi().length === 2")
    desk.locator("#dispatch-bulk-go").wait_for()
    desk.keyboard.press("d")
    desk.locator("#dispatch-dialog[data-cmd=dispatch]").wait_for()
    desk.keyboard.press("Enter")
    for c in cases:
        _wait_state(desk, c["id"], "dispatched")
        assert _case(live_app, c["id"])["department_code"] == routine["department"]

    # With a case selected, clicking a patrol on the map proposes assigning it (with its distance).
    target = _report(live_app, points[15], "人行道垃圾堆放")
    assert _command(live_app, dispatcher, target["id"], "file", condition=routine["code"]).status_code == 200
    lon, lat = points[15]
    _post_patrols(live_app, [("E2E-P9", lon + 0.0015, lat + 0.001, "available")])
    desk.wait_for_function("() => window.gridcmdDispatch.patrol('E2E-P9') !== null")
    _wait_state(desk, target["id"], "filed")
    desk.evaluate("id => window.gridcmdDispatch.select(id)", target["id"])
    desk.keyboard.press("z")  # street-level zoom: the patrol dot is clear of the case marker
    box = desk.evaluate("window.gridcmdDispatch.screenPoint('E2E-P9')")
    desk.mouse.click(box[0], box[1])
    dialog = desk.locator("#dispatch-dialog[data-cmd=dispatch]")
    dialog.wait_for()
    assert dialog.locator("input[name=dispatch-patrol][value='E2E-P9']").is_checked()
    assert "米" in dialog.locator("#dispatch-patrol-choice").inner_text()
    desk.keyboard.press("Enter")
    _wait_state(desk, target["id"], "dispatched")
    assert _case(live_app, target["id"])["timeline"][-1]["command"] == "dispatch"


def test_reject_merge_escalate_supervise_suspend_by_keyboard(open_desk, live_app: LiveApp) -> None:  # noqa: ANN001
    desk = open_desk("dispatcher")
    points = live_app.inside_points(23)

    # A second report of the same thing at the same spot: one click merges it into the first.
    first = _report(live_app, points[2], "井盖破损，行人易绊倒")
    dup = _report(live_app, points[2], "同一处井盖破损，再次反映")
    _row(desk, dup["code"]).wait_for(timeout=5_000)
    desk.keyboard.press("j")
    desk.wait_for_function("id => window.gridcmdDispatch.primary === id", arg=dup["id"])
    merge = desk.locator(f"#dispatch-sugg [data-merge='{dup['id']}>{first['id']}']")
    merge.wait_for(timeout=5_000)
    merge.click()
    desk.locator("#dispatch-dialog[data-cmd=merge]").wait_for()
    desk.keyboard.press("Enter")
    desk.wait_for_function("id => window.gridcmdDispatch.row(id) === null", arg=dup["id"])  # gone from the queue
    _idle(desk)
    assert _case(live_app, dup["id"])["state"] == "merged"
    assert _row(desk, dup["code"]).count() == 0

    # Reject needs a reason: Enter without one is refused in the dialog, Esc cancels, then it goes through.
    junk = _report(live_app, points[7], "测试误报，请忽略")
    _row(desk, junk["code"]).wait_for(timeout=5_000)
    desk.evaluate("id => window.gridcmdDispatch.select(id)", junk["id"])
    _wait_offered(desk, OFFERED["reported"])
    desk.keyboard.press("r")
    desk.locator("#dispatch-dialog[data-cmd=reject]").wait_for()
    desk.keyboard.press("Enter")
    assert "原因" in desk.locator("#dispatch-dialog-error").inner_text()
    desk.keyboard.press("Escape")
    assert desk.locator("#dispatch-dialog").count() == 0
    desk.keyboard.press("r")
    desk.keyboard.type("重复测试数据，非真实事件")
    desk.keyboard.press("Enter")
    desk.wait_for_function("id => window.gridcmdDispatch.row(id) === null", arg=junk["id"])
    _idle(desk)
    assert _case(live_app, junk["id"])["state"] == "rejected"

    # Escalate (e) and supervise (s) a filed case; suspend and resume it from the buttons.
    case = _report(live_app, points[17], "燃气味道明显，疑似泄漏")
    _row(desk, case["code"]).wait_for(timeout=5_000)
    desk.evaluate("id => window.gridcmdDispatch.select(id)", case["id"])
    desk.keyboard.press("f")
    desk.locator("#dispatch-file-search").wait_for()
    desk.keyboard.type("燃气异味")
    desk.keyboard.press("Enter")
    _wait_state(desk, case["id"], "filed")
    assert desk.evaluate("id => window.gridcmdDispatch.row(id).level", case["id"]) == "A"
    desk.keyboard.press("e")
    desk.locator("#dispatch-dialog[data-cmd=escalate]").wait_for()
    desk.keyboard.type("涉及燃气安全，提请区级协调")
    desk.keyboard.press("Enter")
    desk.wait_for_function("id => window.gridcmdDispatch.row(id).tier === 'district'", arg=case["id"])
    _idle(desk)
    _wait_offered(desk, OFFERED["filed"] - {"escalate"})
    assert desk.locator("#dispatch-panel .pn-tier").is_visible()
    desk.keyboard.press("s")
    desk.locator("#dispatch-dialog[data-cmd=supervise]").wait_for()
    desk.keyboard.press("Enter")
    desk.wait_for_function("id => window.gridcmdDispatch.row(id).supervision_count === 1", arg=case["id"])
    _idle(desk)
    assert int(desk.locator("#dispatch-count-supervised").inner_text()) >= 1
    desk.locator("#dispatch-actions [data-cmd=suspend]").click()
    desk.keyboard.type("等待燃气公司排查结果")
    desk.keyboard.press("Enter")
    _wait_state(desk, case["id"], "suspended")
    _wait_offered(desk, {"supervise", "ack-supervision", "resume"})  # the supervision waits for its answer
    assert "暂停" in desk.locator("#dispatch-panel .pn-due").inner_text()
    desk.locator("#dispatch-actions [data-cmd=resume]").click()
    desk.keyboard.press("Enter")
    _wait_state(desk, case["id"], "filed")
    commands = [e["command"] for e in _case(live_app, case["id"])["timeline"]]
    assert commands == ["report", "file", "escalate", "supervise", "suspend", "resume"]


def test_street_desk_sees_its_street_and_not_what_went_to_the_district(open_desk, live_app: LiveApp) -> None:  # noqa: ANN001
    points = live_app.inside_points(29)
    mine = _report(live_app, points[5], "本街道：广场周边流动摊贩")
    street = mine["street_code"]
    other_point = next(p for p in points if _report_street(live_app, p) != street)
    _cli(live_app, "create-user", "e2e-street", "--role", "dispatcher", "--scope", street, "--password", PASSWORD)
    desk = open_desk("street")
    elsewhere = _report(live_app, other_point, "外街道：路面坑洼")
    mine2 = _report(live_app, points[5], "本街道：井盖松动")
    _row(desk, mine2["code"]).wait_for(timeout=5_000)
    assert desk.evaluate("id => window.gridcmdDispatch.row(id)", mine["id"]) is not None
    assert desk.evaluate("id => window.gridcmdDispatch.row(id)", elsewhere["id"]) is None
    assert all(
        desk.evaluate("id => window.gridcmdDispatch.row(id).street_code", r[0]) == street
        for r in desk.evaluate("window.gridcmdDispatch.rows()")
    )
    # Escalated by the district: still visible to the street, but no longer theirs to act on.
    desk.evaluate("id => window.gridcmdDispatch.select(id)", mine2["id"])
    _wait_offered(desk, OFFERED["reported"])
    assert _command(live_app, live_app.headers("dispatcher"), mine2["id"], "escalate").status_code == 200
    desk.wait_for_function("id => window.gridcmdDispatch.row(id).tier === 'district'", arg=mine2["id"])
    _wait_offered(desk, set())
    assert "区指挥中心" in desk.locator("#dispatch-actions").inner_text()


def _report_street(live_app: LiveApp, point: tuple[float, float]) -> str:
    """The street of the grid containing `point`, from the grid layer."""
    from shapely.geometry import Point, shape

    for feature in live_app.grids():
        if shape(feature["geometry"]).contains(Point(point)):
            return feature["properties"]["street_code"]
    return ""


# A plausible morning's reports: (description, catalog condition it is filed under, how far it gets); None: still
# waiting to be filed.
MORNING = [
    ("小区东门垃圾桶满溢，周边有异味", "垃圾桶满溢", "dispatch"),
    ("早市商贩店外经营，占用人行道", "店外经营", "file"),
    ("路灯不亮，夜间行人不便", "路灯不亮", "dispatch"),
    ("楼道堆放杂物堵塞消防通道", "楼道、消防", "handled"),
    ("人行道井盖破损存在安全隐患", "井盖丢失", "file"),
    ("暴雨后树木倒伏压住非机动车道", "树木倒伏", "dispatch"),
    ("道路路面坑洼，车辆绕行", "道路路面坑洼", "supervise"),
    ("公交站牌被违规广告遮挡", "违规设置户外", "file"),
    ("共享单车乱停放堵塞盲道", None, None),
    ("施工噪音扰民，夜间仍在作业", None, None),
    ("河道漂浮垃圾需要打捞", None, None),
    ("老旧小区外墙瓷砖脱落", None, None),
    ("垃圾清运车未按时清运，垃圾堆积", "垃圾桶满溢", "handled"),
    ("流动摊贩在学校门口占道", "店外经营", "dispatch"),
    ("小区路灯线路外露，存在隐患", "路灯不亮", "file"),
    ("路面塌陷约半米，已设临时围挡", "井盖丢失", "dispatch"),
    ("绿地内枯枝断落悬挂", "树木倒伏", "supervise"),
    ("主干道坑槽积水", "道路路面坑洼", "dispatch"),
    ("电线杆上小广告大量张贴", "违规设置户外", "dispatch"),
    ("楼道内电动车充电", None, None),
    ("餐馆油烟直排扰民", None, None),
    ("地下通道有流浪人员夜宿", None, None),
]
MORNING_SOURCES = ("hotline_12345", "grid_worker", "wechat", "video", "grid_worker", "leader")


def _morning_conditions(live_app: LiveApp) -> dict[str, dict[str, Any]]:
    """The catalog condition of each of MORNING's keys (one entry per six-character prefix, the last one wins)."""
    catalog = {c["condition"][:6]: c for c in _catalog(live_app)}
    keys = dict.fromkeys(key for _, key, _ in MORNING if key)
    return {key: next(c for k, c in catalog.items() if key in c["condition"]) for key in keys}


def _post_patrols_near(live_app: LiveApp, points: list[tuple[float, float]]) -> None:
    """One patrol beside each point, every fourth busy."""
    _post_patrols(
        live_app,
        [
            (f"XC-{i:03d}", lon + 0.0012, lat - 0.0008, "busy" if i % 4 == 0 else "available")
            for i, (lon, lat) in enumerate(points)
        ],
    )


def _advance(
    live_app: LiveApp, case: dict[str, Any], cond: dict[str, Any], goal: str | None, handler_tokens: dict[str, str]
) -> None:
    """File `case` under `cond` and take it as far as `goal` through the API (department tokens made once)."""
    dispatcher = live_app.headers("dispatcher")
    _command(live_app, dispatcher, case["id"], "file", condition=cond["code"])
    dept = case["street_code"] + "ZF" if cond["department"] == "JD" else cond["department"]
    if goal in ("dispatch", "handled", "supervise"):
        _command(live_app, dispatcher, case["id"], "dispatch", department=dept)
    if goal == "handled":
        if dept not in handler_tokens:
            handler_tokens[dept] = _handler_token(live_app, dept)
        _command(live_app, _bearer(handler_tokens[dept]), case["id"], "acknowledge")
        _command(live_app, _bearer(handler_tokens[dept]), case["id"], "report-handled", note="已清理")
    if goal == "supervise":
        _command(live_app, dispatcher, case["id"], "supervise", note="群众反映强烈，请加快处置")


def _seed_morning(live_app: LiveApp, points: list[tuple[float, float]]) -> None:
    """MORNING reported twice over; the second round leaves every third case unfiled."""
    by_text = _morning_conditions(live_app)
    handler_tokens: dict[str, str] = {}
    for i, (text, key, goal) in enumerate(MORNING * 2):
        source = MORNING_SOURCES[i % len(MORNING_SOURCES)]
        case = _report(live_app, points[(i * 7 + 1) % len(points)], text, source=source)
        if not key or (i >= len(MORNING) and i % 3 == 0):
            continue
        _advance(live_app, case, by_text[key], goal, handler_tokens)


def test_desk_screenshot_1920(open_desk, live_app: LiveApp) -> None:  # noqa: ANN001
    """A plausible morning on the desk, for the screenshot a reviewer looks at."""
    points = live_app.inside_points(40)
    _post_patrols_near(live_app, points)
    _seed_morning(live_app, points)

    desk = open_desk("dispatcher")
    # The newest report selected, with its suggestions drawn on the map.
    desk.keyboard.press("j")
    desk.wait_for_function("() => window.gridcmdDispatch.primary !== null")
    desk.locator("#dispatch-sugg .sg-row").wait_for()
    desk.evaluate("window.gridcmdDispatch.setTab('to_dispatch')")
    desk.keyboard.press("j")
    desk.locator("#dispatch-timeline li[data-command=file]").wait_for(timeout=5_000)
    desk.locator("#dispatch-sugg .sg-patrol").first.wait_for(timeout=5_000)
    desk.evaluate("window.gridcmdDispatch.setTab('all')")
    desk.wait_for_timeout(1_500)
    no_scroll = "document.documentElement.scrollHeight <= innerHeight && document.body.scrollWidth <= innerWidth"
    assert desk.evaluate(no_scroll)
    # Live rows never went through Dash props: Dash's undo history (section 11) holds nothing.
    assert desk.evaluate("window.store.getState().history.past.length") == 0
    SHOTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(SHOTS / "dispatch-1920.png"))
