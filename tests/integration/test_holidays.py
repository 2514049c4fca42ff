"""Entering the State Council's holiday notice: CLI, admin API, deadlines, recomputed open cases, every process.

Runs on SQLite and PostgreSQL. The 2027 notice is made up (tests/holiday_notices.py); chinese-calendar has no
2027 data, so before it is entered 2027 counts Monday–Friday.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from dashboard import cli
from dashboard.config import Settings, get_settings
from dashboard.domain.sla import deadline
from dashboard.domain.time_limits import parse_time_limit
from dashboard.runtime import Runtime
from dashboard.services import holidays
from dashboard.services.clock import as_utc, utcnow
from dashboard.store.db import session_scope
from dashboard.store.models import AuditEntry, Case, CaseEvent, CatalogItem, HolidayDay, HolidayYear, Outbox
from tests.holiday_notices import NOTICE_2027
from tests.integration.conftest import make_token

CONDITION = "9980101"


def _clear(url: str) -> None:
    with session_scope(url) as session:
        session.execute(delete(HolidayDay))
        session.execute(delete(HolidayYear))


@pytest.fixture
def settings(db_url: str, redis_url: str, redis_prefix: str, tmp_path: Path) -> Iterator[Settings]:
    """Settings re-reading holiday schedules on every use; no schedule entered before or after the test."""
    _clear(db_url)
    yield Settings(
        database_url=db_url, redis_url=redis_url, redis_prefix=redis_prefix, var_dir=tmp_path, calendar_refresh_s=0
    )
    _clear(db_url)


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def test_cli_reads_shows_asks_and_saves(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    notice = tmp_path / "2027.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")

    assert cli.main(["holidays", "import", str(notice), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "放假 holiday   春节     2027-02-05（周五） 至 to 2027-02-13（周六），共 9 天 days" in out
    assert "上班 workday   春节     2027-02-14（周日）" in out and "上班 workday   春节     2027-02-20（周六）" in out
    assert "共 27 天放假 holidays, 5 天调休上班 make-up workdays" in out and "dry run" in out

    def no_answer(_prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", no_answer)
    assert cli.main(["holidays", "import", str(notice)]) == 1
    assert "未保存 not saved" in capsys.readouterr().out
    with session_scope(cli_env.database_url) as session:
        assert session.get(HolidayYear, 2027) is None

    monkeypatch.setattr("builtins.input", lambda _prompt: "y")
    assert cli.main(["holidays", "import", str(notice)]) == 0
    assert "已保存 saved: 2027 (27 holidays, 5 workdays)" in capsys.readouterr().out

    assert cli.main(["holidays", "show", "2027"]) == 0
    out = capsys.readouterr().out
    assert "管理员录入 entered by cli:" in out
    assert "放假 holiday   国庆节    2027-10-01（周五） 至 to 2027-10-07（周四），共 7 天 days" in out
    assert "上班 workday   国庆节    2027-10-09（周六）" in out
    assert cli.main(["holidays", "show", "2026"]) == 0
    assert "chinese-calendar 软件包 package data" in capsys.readouterr().out
    assert cli.main(["holidays", "show", "2031"]) == 0
    assert "无官方安排 none" in capsys.readouterr().out

    bad = tmp_path / "bad.txt"
    bad.write_text(NOTICE_2027.replace("6月9日（周三）", "6月9日（周四）"), encoding="utf-8")
    assert cli.main(["holidays", "import", str(bad), "--yes"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "第 9 行 line 9" in err and "weekday mismatch" in err
    assert cli.main(["holidays", "import", str(tmp_path / "missing.txt")]) == 2
    assert "No such file" in capsys.readouterr().err

    assert cli.main(["deadline", "1工作日", "2027-02-12T10:00"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "2027-02-15T08:00:00+08:00" and "warning" not in err
    with session_scope(cli_env.database_url) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "admin:holidays").order_by(AuditEntry.id.desc())
        ).first()
        assert (
            entry is not None
            and entry.target == "2027"
            and entry.actor.startswith("cli:")
            and not entry.detail["replaced"]
        )


@pytest.mark.parametrize(
    ("limit", "start", "guessed", "official"),
    [
        # 春节: 5–13 Feb off, Sunday 14 Feb worked
        ("3个工作日", "2027-02-04T10:00", "2027-02-09T10:00:00+08:00", "2027-02-16T10:00:00+08:00"),
        ("1个工作日", "2027-02-12T10:00", "2027-02-15T10:00:00+08:00", "2027-02-15T08:00:00+08:00"),
        # 国庆: Sunday 26 Sep worked, 1–7 Oct off
        ("4工作时", "2027-09-24T16:00", "2027-09-27T10:00:00+08:00", "2027-09-26T10:00:00+08:00"),
        ("4工作时", "2027-09-30T16:00", "2027-10-01T10:00:00+08:00", "2027-10-08T10:00:00+08:00"),
        # 元旦 on a Friday; 15 calendar days are not working days
        ("1个工作日", "2026-12-31T09:00", "2027-01-01T09:00:00+08:00", "2027-01-04T09:00:00+08:00"),
        ("15天", "2027-02-04T10:00", "2027-02-19T10:00:00+08:00", "2027-02-19T10:00:00+08:00"),
    ],
)
def test_api_deadlines_follow_the_entered_notice(
    grid_app: Any, client: Any, limit: str, start: str, guessed: str, official: str
) -> None:
    args = {"limit": limit, "start": start}
    before = client.get("/api/v1/sla/deadline", query_string=args).get_json()
    assert before["deadline"] == guessed and before["warning"] is not None

    resp = client.post("/api/v1/admin/holidays", json={"notice": NOTICE_2027, "dry_run": True})
    assert resp.status_code == 200 and resp.get_json()["saved"] is False
    assert client.get("/api/v1/sla/deadline", query_string=args).get_json()["deadline"] == guessed

    resp = client.post("/api/v1/admin/holidays", json={"notice": NOTICE_2027})
    assert resp.status_code == 201, resp.get_json()
    after = client.get("/api/v1/sla/deadline", query_string=args).get_json()
    assert (after["deadline"], after["warning"]) == (official, None)
    ready = client.get("/readyz").get_json()
    assert not any("2027" in w for w in ready["warnings"])


def test_admin_api_refuses_a_notice_it_cannot_read_whole(client: Any) -> None:
    broken = NOTICE_2027.replace("共9天", "共10天")
    resp = client.post("/api/v1/admin/holidays", json={"notice": broken})
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["field"] == "notice" and "第 6 行 line 6" in body["error"] and "共10天" in body["error"]
    assert client.get("/api/v1/admin/holidays/2027").get_json()["source"] == "none"


def _limit_into_2027(cal: Any, now: datetime) -> int:
    """Working days (as counted before 2027 is entered) from the next working time to Monday 11 January 2027."""
    day, n = cal.next_working_time(now).date(), 0
    while day < date(2027, 1, 11):
        day = date.fromordinal(day.toordinal() + 1)
        n += cal.is_workday(day)
    return n


@pytest.fixture
def long_condition(grid_app: Any) -> Iterator[CatalogItem]:
    """A catalog condition whose work-day limit runs from today into 2027, across 元旦."""
    if utcnow().year >= 2027:
        pytest.skip("the test dispatches now and needs the deadline to cross 1 January 2027")
    rt = grid_app.runtime
    days = _limit_into_2027(rt.base_calendar, utcnow())
    with rt.session() as session:
        item = CatalogItem(
            code=CONDITION,
            major_code="99",
            major_name="测试大类",
            minor_code="9980",
            minor_name="跨年测试",
            condition="跨年处置",
            closing_standard="完成",
            level="C",
            department_code="CGW",
            time_limit=f"{days}个工作日",
            limit_kind="work_days",
            limit_amount=float(days),
        )
        session.merge(item)
    yield item
    with rt.session() as session:
        ids = list(session.scalars(select(Case.id).where(Case.category_code == CONDITION)))
        session.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(ids)))
        session.execute(delete(Case).where(Case.id.in_(ids)))
        session.execute(delete(CatalogItem).where(CatalogItem.code == CONDITION))


def _dispatched_case(client: Any, grid_app: Any, headers: dict[str, str]) -> dict[str, Any]:
    index = grid_app.runtime.grid_index()
    code = next(iter(index.codes()))
    lon, lat = index.random_point_in(code, random.Random(uuid.uuid4().int))
    case = client.post(
        "/api/v1/cases", json={"description": "跨年案件", "lat": lat, "lon": lon, "source": "wechat"}, headers=headers
    ).get_json()
    for command, body in (("file", {"condition": CONDITION}), ("dispatch", {"department": "CGW"})):
        resp = client.post(
            f"/api/v1/cases/{case['id']}/{command}", json={"expected_version": case["version"], **body}, headers=headers
        )
        assert resp.status_code == 200, resp.get_json()
        case = resp.get_json()
    return case


def _handling_deadline(grid_app: Any, case_id: int) -> tuple[datetime, datetime]:
    with grid_app.runtime.session() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.handling_deadline is not None
        return as_utc(case.handling_deadline), datetime.fromisoformat(case.clock["start"])


def test_open_case_deadlines_are_recomputed_audited_and_queued_live(
    grid_app: Any, client: Any, long_condition: CatalogItem
) -> None:
    rt = grid_app.runtime
    headers = {"Authorization": f"Bearer {make_token(grid_app, 'dispatcher')}"}
    limit = parse_time_limit(long_condition.time_limit)
    guessed_case = _dispatched_case(client, grid_app, headers)
    before, start = _handling_deadline(grid_app, guessed_case["id"])
    assert before == as_utc(deadline(start, limit, rt.base_calendar))
    assert before.astimezone(rt.base_calendar.zone).date() == date(2027, 1, 11)  # 1 January counted as a workday

    resp = client.post("/api/v1/admin/holidays", json={"notice": NOTICE_2027})
    assert resp.status_code == 201
    moved = {m["case_id"]: m for m in resp.get_json()["recomputed"]}
    assert guessed_case["id"] in moved

    after, _ = _handling_deadline(grid_app, guessed_case["id"])
    official = rt.calendar
    assert after == as_utc(deadline(start, limit, official))
    assert after.astimezone(official.zone).date() == date(2027, 1, 12)  # 元旦 off: one working day later
    assert moved[guessed_case["id"]]["new"].startswith("2027-01-12T")
    with rt.session() as session:
        case = session.get(Case, guessed_case["id"])
        assert case is not None and case.version == guessed_case["version"] + 1 and case.state == "dispatched"
        event = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())
        ).first()
        assert event is not None and (event.command, event.actor) == ("recompute-deadline", "system:holidays")
        assert event.payload["year"] == 2027 and event.payload["to"].startswith("2027-01-12T")
        assert "2027年节假日安排已录入" in event.note
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "case:recompute-deadline", AuditEntry.target == case.code)
        ).one()
        assert audit.detail["version"] == case.version
        recent = session.scalars(select(Outbox).where(Outbox.topic == "case").order_by(Outbox.id.desc()).limit(50))
        assert any(q.payload["id"] == case.id and q.payload["version"] == case.version for q in recent)
        entered = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "admin:holidays").order_by(AuditEntry.id.desc())
        ).first()
        assert entered is not None and entered.target == "2027" and entered.actor.startswith("admin-")

    new_case = _dispatched_case(client, grid_app, headers)
    due, start = _handling_deadline(grid_app, new_case["id"])
    assert due == as_utc(deadline(start, limit, official))
    assert client.get(f"/api/v1/cases/{new_case['id']}").get_json()["deadline"].startswith("2027-01-12T")


def test_every_process_sees_an_entry_when_it_next_checks(settings: Settings) -> None:
    eager = Runtime.build(settings)  # checks on every use
    lazy = Runtime.build(settings.model_copy(update={"calendar_refresh_s": 3600}))
    new_year = date(2027, 1, 1)
    assert eager.calendar.is_workday(new_year) and lazy.calendar.is_workday(new_year)

    # Entered by another process (the CLI, another gunicorn worker): only the database is shared.
    other = Runtime.build(settings)
    holidays.enter_notice(
        sessions=other.sessions,
        base=other.base_calendar,
        tz=settings.timezone,
        county_code=settings.county_code,
        notice=holidays.read_notice(NOTICE_2027),
        text=NOTICE_2027,
        by="other-process",
    )
    assert not eager.calendar.is_workday(new_year)
    assert lazy.calendar.is_workday(new_year)  # within its refresh period it keeps the calendar it has
    assert not lazy.refresh_calendar().is_workday(new_year)
    assert eager.calendar.missing_years([2027]) == []


def test_entering_a_year_again_replaces_it(settings: Settings) -> None:
    rt = Runtime.build(settings)
    notice = holidays.read_notice(NOTICE_2027)
    common = {"sessions": rt.sessions, "base": rt.base_calendar, "tz": settings.timezone, "county_code": "110112"}
    holidays.enter_notice(notice=notice, text=NOTICE_2027, by="first", **common)
    corrected = NOTICE_2027.replace(
        "六、中秋节：9月15日（周三）放假，共1天。", "六、中秋节：9月15日（周三）至17日（周五）放假，共3天。"
    )
    entered = holidays.enter_notice(notice=holidays.read_notice(corrected), text=corrected, by="second", **common)
    assert entered.saved.replaced and entered.saved.holidays == 29
    with rt.session() as session:
        schedule = holidays.year_schedule(session=session, year=2027, tz=settings.timezone)
        assert schedule.entered_by == "second"
        assert {r.day for r in schedule.days if r.name == "中秋节"} == {date(2027, 9, d) for d in (15, 16, 17)}
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "admin:holidays").order_by(AuditEntry.id.desc())
        ).first()
        assert audit is not None and audit.detail["replaced"] and "2027-09-15" in audit.detail["before"]
    assert not rt.calendar.is_workday(date(2027, 9, 17))
