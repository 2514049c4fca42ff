"""A leader's 督办 with a reply deadline and 批示 where everyone sees them (issue 14), in Chromium: the dispatch desk's
row and panel show the answer awaited by when, flag it once the deadline passes unanswered (no delta needed: the
desk's clock turns it), then show who answered; the wall's ticker announces the 督办 with its reply deadline, the
批示, and the answer."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.server import LiveApp
from tests.e2e.test_dispatch import _command, _row
from tests.e2e.test_dispatch_desk import _open_case, desk_at  # noqa: F401 - desk_at is a fixture

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Shanghai")
REPLY_IN_S = 6  # the reply deadline of the first 督办: close enough to watch it pass


def _ok(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    return resp.json()


def _reply_cell(desk: Any, code: str) -> Any:
    return _row(desk, code).locator("[col-id=supervision_count]")


def test_the_desk_shows_the_answer_awaited_flags_it_late_and_shows_who_answered(desk_at, live_app: LiveApp) -> None:  # noqa: ANN001, F811
    lon, lat = live_app.inside_points(5)[2]
    case = live_app.post_case(lon, lat, f"督办回复到调度台 e2e {uuid.uuid4().hex[:6]}", source="wechat")
    desk = desk_at()
    _open_case(desk, case)
    reply_by = datetime.now(TZ).replace(microsecond=0) + timedelta(seconds=REPLY_IN_S)
    _ok(_command(live_app, live_app.headers("leader"), case["id"], "supervise", reply_by=reply_by.isoformat()))

    cell = _reply_cell(desk, case["code"])
    desk.wait_for_function("el => el.textContent.trim() === '×1 待复'", arg=cell.element_handle(), timeout=10_000)
    panel = desk.locator("#dispatch-panel-reply")
    assert panel.inner_text() == f"督办待回复 · 限 {reply_by.strftime('%H:%M')}"
    assert "reply-pending" in panel.get_attribute("class")

    # The deadline passes unanswered: flagged in the row and the panel by the desk's own clock.
    desk.wait_for_function(
        "el => el.textContent.trim() === '×1 逾期' && el.classList.contains('dq-sup-overdue')",
        arg=cell.element_handle(),
        timeout=(REPLY_IN_S + 10) * 1000,
    )
    desk.wait_for_function(
        "() => document.querySelector('#dispatch-panel-reply').classList.contains('reply-overdue')", timeout=5_000
    )
    assert panel.inner_text().startswith("督办逾期未回复 · 限 ")

    # 回复督办 from the desk's colleague: who and when, live.
    _ok(_command(live_app, live_app.headers("dispatcher"), case["id"], "ack-supervision", note="已安排"))
    desk.wait_for_function("el => el.textContent.trim() === '×1 已复'", arg=cell.element_handle(), timeout=10_000)
    desk.wait_for_function(
        "() => /^督办已回复 · e2e-dispatcher /.test(document.querySelector('#dispatch-panel-reply').textContent)",
        timeout=5_000,
    )


def test_the_ticker_announces_the_supervision_the_instruction_and_the_answer(screen_page, live_app: LiveApp) -> None:  # noqa: ANN001
    page = screen_page
    lon, lat = live_app.inside_points(7)[4]
    case = live_app.post_case(lon, lat, f"领导批示上大屏 e2e {uuid.uuid4().hex[:6]}", source="wechat")
    leader = live_app.headers("leader")
    reply_by = datetime.now(TZ).replace(microsecond=0) + timedelta(hours=2)
    _ok(_command(live_app, leader, case["id"], "supervise", reply_by=reply_by.isoformat()))
    _ok(_command(live_app, leader, case["id"], "instruct", note="请区城管委牵头"))
    _ok(_command(live_app, live_app.headers("dispatcher"), case["id"], "ack-supervision"))
    cid = case["id"]
    page.wait_for_function(
        "id => ['supervised', 'instructed', 'acked'].every((k) => window.gridcmdLive.tickerKeys().split(' ')"
        ".includes(k + ':' + id))",
        arg=cid,
        timeout=15_000,
    )
    # As the ticker's items read (the scrolling track is rebuilt between loops, up to a minute on a full ticker).
    items = {x["key"]: x for x in page.evaluate("() => window.gridcmdLive.tickerTexts()")}
    supervised, instructed, acked = (items[f"{kind}:{cid}:1"] for kind in ("supervised", "instructed", "acked"))
    # By when: the time, and the day too when the deadline falls on another day than the 督办 (after 22:00).
    same_day = reply_by.date() == datetime.now(TZ).date()
    when = reply_by.strftime("%H:%M" if same_day else "%m-%d %H:%M")
    assert supervised["tag"] == "督办" and supervised["text"].endswith(f" · 限{when}前回复"), supervised
    assert instructed["tag"] == "领导批示" and "前回复" not in instructed["text"], instructed
    assert acked["tag"] == "督办回复", acked
