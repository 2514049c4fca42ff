"""KPI counts in SQL and GET /api/v1/kpis against figures worked out by hand, on SQLite and PostgreSQL.

The fixture writes 23 cases straight into one grid (a test fixture, not a case change), 21 of them reported
in March 2025 local time, a window no other test uses; they are deleted afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from dashboard.domain.kpi import KPI_KEYS, KpiCounts, kpis
from dashboard.services.accounts import create_user, issue_token
from dashboard.store.db import session_scope
from dashboard.store.kpi_queries import kpi_counts, kpi_rankings, scope_exists
from dashboard.store.models import Case, Department, Grid

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 3, 1, tzinfo=SHANGHAI)  # = 2025-02-28T16:00Z
END = datetime(2025, 4, 1, tzinfo=SHANGHAI)
NOW_MID = datetime(2025, 3, 20, tzinfo=UTC)  # cases 9 and 20 are not due yet at this instant
T = datetime(2025, 3, 3, 1, tzinfo=UTC)  # 09:00 in Beijing


def at(days: float, hours: float = 0) -> datetime:
    """An instant `days` and `hours` after T."""
    return T + timedelta(days=days, hours=hours)


@dataclass(frozen=True)
class Codes:
    """Where the fixture's cases live."""

    grid: str
    community: str
    street: str
    dept_a: str
    dept_b: str


# n: (state, source, reported, filed, dispatched, handled, closed, handling_deadline, rework, returns,
#     satisfaction, work hours, department "a"/"b"/None). Case 14 closes exactly at its deadline (on time).
DEADLINE_PAST = at(5)
CASES: dict[int, tuple[Any, ...]] = {
    1: ("self_handled", "grid_worker", at(0), None, None, None, at(0, 1), None, 0, 0, None, None, None),
    2: ("self_handled", "grid_worker", at(1), None, None, None, at(1, 1), None, 0, 0, None, None, None),
    3: ("self_handled", "hotline_12345", at(2), None, None, None, at(2, 1), None, 0, 0, None, None, None),
    4: ("rejected", "hotline_12345", at(2), None, None, None, None, None, 0, 0, None, None, None),
    5: ("merged", "wechat", at(3), None, None, None, None, None, 0, 0, None, None, None),
    6: ("reported", "video", at(3), None, None, None, None, None, 0, 0, None, None, None),
    7: ("filed", "grid_worker", at(4), at(4, 1), None, None, None, None, 0, 0, None, None, None),
    8: ("dispatched", "grid_worker", at(1), at(1, 1), at(1, 2), None, None, DEADLINE_PAST, 0, 0, None, None, "b"),
    9: ("handling", "grid_worker", at(15), at(15, 1), at(15, 2), None, None, at(20), 0, 0, None, None, "b"),
    10: ("returned", "hotline_12345", at(1), at(1, 1), at(1, 2), None, None, DEADLINE_PAST, 0, 1, None, None, "b"),
    11: ("handled", "grid_worker", at(1), at(1, 1), at(1, 2), at(4), None, DEADLINE_PAST, 0, 0, None, 4.0, "b"),
    12: ("handled", "open311", at(1), at(1, 1), at(1, 2), at(6), None, DEADLINE_PAST, 0, 0, None, 12.0, "b"),
    13: ("closed", "grid_worker", at(1), at(1, 1), at(1, 2), at(2), at(3), DEADLINE_PAST, 0, 0, "satisfied", 2.0, "a"),
    14: (
        "closed",
        "grid_worker",
        *(at(1), at(1, 1), at(1, 2), at(2), DEADLINE_PAST, DEADLINE_PAST),
        *(0, 0, "basically_satisfied", 3.0, "a"),
    ),
    15: (
        "closed",
        "hotline_12345",
        at(1),
        at(1, 1),
        at(1, 2),
        at(3),
        at(4),
        DEADLINE_PAST,
        0,
        0,
        "dissatisfied",
        5.0,
        "a",
    ),
    16: ("closed", "grid_worker", at(1), at(1, 1), at(1, 2), at(4), at(6), DEADLINE_PAST, 0, 0, None, 6.0, "a"),
    17: ("closed", "leader", at(1), at(1, 1), at(1, 2), at(7), at(8), DEADLINE_PAST, 1, 1, "satisfied", 10.0, "a"),
    18: ("closed", "wechat", at(2), at(2, 1), at(2, 2), at(3), at(4), DEADLINE_PAST, 0, 0, None, 1.0, "b"),
    19: ("closed", "grid_worker", at(15), at(15, 1), at(15, 2), at(16), at(16, 2), at(20), 0, 0, None, 2.5, "b"),
    20: ("suspended", "grid_worker", at(5), at(5, 1), at(5, 2), None, None, at(20), 0, 0, None, None, "b"),
    # Window edges: reported exactly at the start is in, exactly at the end is out, February is out.
    21: ("self_handled", "grid_worker", START, None, None, None, START, None, 0, 0, None, None, None),
    22: ("closed", "grid_worker", END, END, END, END, END, END, 0, 0, "satisfied", 1.0, "a"),
    23: ("closed", "grid_worker", at(-14), at(-14), at(-14), at(-14), at(-14), at(-13), 0, 0, None, 1.0, "a"),
}

# Worked out by hand from the table above (grid, community, street and district scope all see the same cases).
EXPECTED_MID = KpiCounts(
    reported=21,  # 1–21
    self_handled=4,  # 1, 2, 3, 21 (their closed_at does not make them "closed")
    discovered=12,  # grid_worker: 1, 2, 7, 8, 9, 11, 13, 14, 16, 19, 20, 21
    filed=14,  # 7–20
    due=11,  # closed 13–19, plus deadline passed 8, 10, 11, 12; not 7 (no deadline), 9 and 20 (future)
    closed=7,  # 13–19
    closed_on_time=5,  # 13, 14 (exactly at the deadline), 15, 18, 19
    closed_first_time=6,  # all closed but 17
    reworked=1,  # 17
    dispatched=13,  # 8–20
    handled=9,  # 11–19
    handled_on_time=7,  # 11, 13, 14, 15, 16, 18, 19
    returned=2,  # 10, 17
    visit_backs=4,  # 13, 14, 15, 17
    satisfied=3,  # 13, 14, 17
    hours_count=9,
    hours_sum=45.5,  # 4 + 12 + 2 + 3 + 5 + 6 + 10 + 1 + 2.5
    hours_p90=10.4,  # sorted 1, 2, 2.5, 3, 4, 5, 6, 10, 12: rank 0.9 × 8 = 7.2 → 10 + 0.2 × (12 − 10)
)
# Long after March 2025 (the API's real now), cases 9 and 20 are due as well.
EXPECTED_LATER = KpiCounts(**{**EXPECTED_MID.__dict__, "due": 13})
# Department a: cases 13–17 (22 and 23 fall outside the window).
EXPECTED_DEPT_A = KpiCounts(
    reported=5,
    discovered=3,  # 13, 14, 16
    filed=5,
    due=5,
    closed=5,
    closed_on_time=3,  # 13, 14, 15
    closed_first_time=4,
    reworked=1,
    dispatched=5,
    handled=5,
    handled_on_time=4,  # 13, 14, 15, 16
    returned=1,
    visit_backs=4,
    satisfied=3,
    hours_count=5,
    hours_sum=26.0,
    hours_p90=8.4,  # sorted 2, 3, 5, 6, 10: rank 3.6 → 6 + 0.6 × 4
)
EXPECTED_FIGURES_MID = {
    "filed": 14,
    "closed": 7,
    "due": 11,
    "close_rate": 7 / 11,
    "on_time_close_rate": 5 / 11,
    "handle_rate": 9 / 13,
    "on_time_handle_rate": 7 / 13,
    "first_time_rate": 6 / 7,
    "rework_rate": 1 / 7,
    "return_rate": 2 / 13,
    "self_handled_rate": 4 / 21,
    "discovery_rate": 12 / 21,
    "satisfaction_rate": 3 / 4,
    "avg_handling_hours": 45.5 / 9,
    "p90_handling_hours": 10.4,
}


def _case_row(n: int, spec: tuple[Any, ...], codes: Codes, grid: Grid) -> Case:
    # The app always writes UTC; SQLite would otherwise keep another zone's wall clock as if it were UTC.
    spec = tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in spec)
    state, source, reported, filed, dispatched, handled, closed, deadline, rework, returns, sat, hours, dept = spec
    return Case(
        code=f"KPITEST2503{n:04d}",
        state=state,
        source=source,
        description=f"KPI fixture case {n}",
        lat=grid.center_lat,
        lon=grid.center_lon,
        grid_code=codes.grid,
        community_code=codes.community,
        street_code=codes.street,
        department_code={"a": codes.dept_a, "b": codes.dept_b, None: None}[dept],
        reported_at=reported,
        filed_at=filed,
        dispatched_at=dispatched,
        handled_at=handled,
        closed_at=closed,
        updated_at=closed or handled or dispatched or filed or reported,
        handling_deadline=deadline,
        rework_count=rework,
        return_count=returns,
        satisfaction=sat,
        visited_at=closed if sat else None,
        handling_work_hours=hours,
    )


@pytest.fixture(scope="module")
def fixture_cases(db_url: str) -> Iterator[Codes]:
    """The 23 hand-made cases in the last grid of the jurisdiction; deleted after the module."""
    with session_scope(db_url) as session:
        grid = session.scalars(select(Grid).order_by(Grid.code.desc()).limit(1)).one()
        departments = session.scalars(
            select(Department.code).where(Department.tier == "district").order_by(Department.code).limit(2)
        ).all()
        codes = Codes(grid.code, grid.community_code, grid.street_code, departments[0], departments[1])
        rows = [_case_row(n, spec, codes, grid) for n, spec in CASES.items()]
        session.add_all(rows)
        session.flush()
        ids = [r.id for r in rows]
    yield codes
    with session_scope(db_url) as session:
        session.execute(delete(Case).where(Case.id.in_(ids)))


@pytest.fixture
def leader(grid_app) -> dict[str, str]:  # noqa: ANN001
    """Bearer header of a district-wide leader (the API may require one)."""
    with grid_app.runtime.session() as session:
        user = create_user(session=session, name=f"kpi-leader-{uuid.uuid4().hex[:8]}", role="leader", scope="110112")
        return {"Authorization": f"Bearer {issue_token(session=session, user=user)}"}


def _counts(db_url: str, scope: str | None, now: datetime = NOW_MID, **window: datetime) -> KpiCounts:
    with session_scope(db_url) as session:
        return kpi_counts(
            session=session, scope=scope, start=window.get("start", START), end=window.get("end", END), now=now
        )


def _approx(counts: KpiCounts) -> dict[str, Any]:
    return {k: pytest.approx(v) if isinstance(v, float) else v for k, v in counts.__dict__.items()}


@pytest.mark.parametrize("level", ["grid", "community", "street", "district", "county"])
def test_counts_by_area_match_hand_figures(db_url: str, fixture_cases: Codes, level: str) -> None:
    scope = {
        "grid": fixture_cases.grid,
        "community": fixture_cases.community,
        "street": fixture_cases.street,
        "district": None,
        "county": "110112",
    }[level]
    counts = _counts(db_url, scope)
    assert counts.__dict__ == _approx(EXPECTED_MID)
    assert kpis(counts) == {k: pytest.approx(v) for k, v in EXPECTED_FIGURES_MID.items()}


def test_due_depends_on_now(db_url: str, fixture_cases: Codes) -> None:
    counts = _counts(db_url, fixture_cases.grid, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert counts.__dict__ == _approx(EXPECTED_LATER)


def test_department_scope(db_url: str, fixture_cases: Codes) -> None:
    assert _counts(db_url, fixture_cases.dept_a).__dict__ == _approx(EXPECTED_DEPT_A)


def test_empty_window_gives_zero_counts_and_no_rates(db_url: str, fixture_cases: Codes) -> None:
    counts = _counts(
        db_url, fixture_cases.grid, start=datetime(2025, 5, 1, tzinfo=UTC), end=datetime(2025, 6, 1, tzinfo=UTC)
    )
    assert counts == KpiCounts()
    assert [k for k, v in kpis(counts).items() if v is not None] == ["filed", "closed", "due"]


def test_window_is_half_open_on_reported_at(db_url: str, fixture_cases: Codes) -> None:
    # Case 21 is reported exactly at START: a window ending there leaves it out, one starting there takes it.
    before = _counts(db_url, fixture_cases.grid, start=START - timedelta(days=1), end=START)
    assert before.reported == 0
    first_day = _counts(db_url, fixture_cases.grid, start=START, end=START + timedelta(hours=1))
    assert (first_day.reported, first_day.self_handled) == (1, 1)


def test_rankings_by_on_time_close_rate(db_url: str, fixture_cases: Codes) -> None:
    with session_scope(db_url) as session:
        streets = kpi_rankings(session=session, level="street", start=START, end=END, now=NOW_MID)
        departments = kpi_rankings(session=session, level="department", start=START, end=END, now=NOW_MID)
    assert streets[0][0] == fixture_cases.street
    assert streets[0][1].__dict__ == _approx(EXPECTED_MID)
    assert all(c == KpiCounts() for _, c in streets[1:])
    assert len(streets) == 3  # every street of the small jurisdiction, quiet ones included
    # a: 3 of 5 due closed on time; b: 18 and 19 of 6 due (8, 10, 11, 12, 18, 19).
    assert [code for code, _ in departments[:2]] == [fixture_cases.dept_a, fixture_cases.dept_b]
    assert departments[0][1].__dict__ == _approx(EXPECTED_DEPT_A)
    dept_b = departments[1][1]
    assert (dept_b.due, dept_b.closed_on_time, dept_b.hours_count) == (6, 2, 4)
    assert dept_b.hours_p90 == pytest.approx(9.6)  # sorted 1, 2.5, 4, 12: rank 2.7 → 4 + 0.7 × 8
    assert all(c == KpiCounts() for _, c in departments[2:])


def test_scope_exists(db_url: str, fixture_cases: Codes) -> None:
    with session_scope(db_url) as session:
        for scope in (
            "110112",
            fixture_cases.street,
            fixture_cases.community,
            fixture_cases.grid,
            fixture_cases.dept_a,
        ):
            assert scope_exists(session=session, scope=scope), scope
        for scope in ("110113", "110112999", "110112999999", "110112999999999", "NOPE"):
            assert not scope_exists(session=session, scope=scope), scope


def test_api_kpis(client, leader: dict[str, str], fixture_cases: Codes) -> None:  # noqa: ANN001
    resp = client.get(f"/api/v1/kpis?scope={fixture_cases.grid}&from=2025-03-01&to=2025-03-31", headers=leader)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["scope"] == fixture_cases.grid
    # A date means local days; `to` names the last day included.
    assert (body["from"], body["to"]) == ("2025-03-01T00:00:00+08:00", "2025-04-01T00:00:00+08:00")
    assert body["counts"] == _approx(EXPECTED_LATER)
    assert body["kpis"]["due"] == 13
    assert body["kpis"]["close_rate"] == pytest.approx(7 / 13)
    assert body["kpis"]["on_time_close_rate"] == pytest.approx(5 / 13)
    assert body["kpis"]["p90_handling_hours"] == pytest.approx(10.4)
    assert set(body["kpis"]) == set(body["labels"]) == set(KPI_KEYS)
    assert body["labels"]["on_time_close_rate"] == {"zh": "按时结案率", "en": "On-time close rate"}


@pytest.mark.parametrize(
    "query",
    [
        "from=2025-03-01T00:00:00%2B08:00&to=2025-04-01T00:00:00%2B08:00",
        "from=2025-03-01T00:00:00+08:00&to=2025-04-01T00:00:00+08:00",  # "+" decoded as a space
        "from=2025-02-28T16:00:00Z&to=2025-03-31T16:00:00Z",
    ],
)
def test_api_kpis_datetimes_with_offset(client, leader: dict[str, str], fixture_cases: Codes, query: str) -> None:  # noqa: ANN001
    body = client.get(f"/api/v1/kpis?scope={fixture_cases.dept_a}&{query}", headers=leader).get_json()
    assert body["from"] == "2025-03-01T00:00:00+08:00"
    assert body["counts"] == _approx(EXPECTED_DEPT_A)


def test_api_kpis_default_window_is_today(client, leader: dict[str, str]) -> None:  # noqa: ANN001
    body = client.get("/api/v1/kpis", headers=leader).get_json()
    assert body["scope"] == "110112"
    assert body["from"].endswith("T00:00:00+08:00")
    assert set(body["kpis"]) == set(KPI_KEYS)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=yesterday", "from"),
        ("from=2025-13-01", "from"),
        ("to=2025-03-01T08:00:00", "to"),  # no offset
        ("from=2025-03-02&to=2025-03-01", "to"),
        ("from=2025-03-01&to=9999-12-31", "to"),  # past the instants the validation layer accepts
    ],
)
def test_api_kpis_bad_window_is_422_naming_the_field(client, leader: dict[str, str], query: str, field: str) -> None:  # noqa: ANN001
    resp = client.get(f"/api/v1/kpis?{query}", headers=leader)
    assert resp.status_code == 422
    assert resp.get_json()["field"] == field


@pytest.mark.parametrize("scope", ["110112999", "999999", "NOPE", "%00", "x" * 200])
def test_api_kpis_unknown_scope_is_404(client, leader: dict[str, str], scope: str) -> None:  # noqa: ANN001
    assert client.get(f"/api/v1/kpis?scope={scope}", headers=leader).status_code == 404
