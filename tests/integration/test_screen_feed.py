"""The big screen's feed (/api/v1/screen/*) on SQLite and PostgreSQL: KPI counts "as they stood" at an instant,
the summary scoped to the caller, and the pre-encoded grid layer with its ETag.

The as-of counts are checked against the KPI module's 23 hand-made March 2025 cases (tests/integration/
test_kpis.py): at the end of the window they must equal `kpi_counts`, and at instants inside it they must equal
an oracle that replays each case's timestamps in Python.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from dashboard.store.db import session_scope
from dashboard.store.kpi_queries import SATISFIED, kpi_counts
from tests.integration.conftest import make_token
from tests.integration.test_kpis import CASES, END, START, Codes, at, fixture_cases  # noqa: F401 - fixture

AS_OF_FIELDS = (
    "reported",
    "self_handled",
    "filed",
    "due",
    "closed",
    "closed_on_time",
    "closed_first_time",
    "dispatched",
    "handled",
    "visit_backs",
    "satisfied",
)


def _oracle(instant: datetime) -> dict[str, int]:
    """The as-of counts worked out from the fixture's own timestamps (each case as it stood at `instant`)."""
    out = dict.fromkeys(AS_OF_FIELDS, 0)
    for spec in CASES.values():
        state, _src, reported, filed, dispatched, handled, closed, deadline, rework, _ret, sat, _h, _d = spec
        if not (START <= reported < instant):
            continue
        is_closed = state == "closed" and closed is not None and closed < instant
        is_filed = filed is not None and filed < instant
        out["reported"] += 1
        out["self_handled"] += state == "self_handled" and closed is not None and closed < instant
        out["filed"] += is_filed
        out["due"] += is_filed and (is_closed or (deadline is not None and deadline < instant))
        out["closed"] += is_closed
        out["closed_on_time"] += is_closed and deadline is not None and closed <= deadline
        out["closed_first_time"] += is_closed and rework == 0
        out["dispatched"] += dispatched is not None and dispatched < instant
        out["handled"] += handled is not None and handled < instant
        # visited_at is the closing time in the fixture
        visited = sat is not None and closed is not None and closed < instant
        out["visit_backs"] += visited
        out["satisfied"] += visited and sat in SATISFIED
    return out


@pytest.mark.parametrize("instant", [at(1, 1.5), at(5), at(12), at(22), END], ids=["d1", "d5", "d12", "d22", "end"])
def test_counts_as_of_replay_each_cases_timestamps(db_url: str, fixture_cases: Codes, instant: datetime) -> None:  # noqa: F811
    from dashboard.api.screen_feed import counts_as_of

    with session_scope(db_url) as session:
        got = counts_as_of(session=session, street=None, start=START, at=instant)
        assert {f: getattr(got, f) for f in AS_OF_FIELDS} == _oracle(instant)
        if instant == END:
            # After every timestamp the as-of counts are the KPI module's state-based counts.
            same = kpi_counts(session=session, scope=None, start=START, end=END, now=END)
            assert {f: getattr(got, f) for f in AS_OF_FIELDS} == {f: getattr(same, f) for f in AS_OF_FIELDS}


def _report(client: Any, point: tuple[float, float]) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/cases", json={"description": "大屏接口测试", "lon": point[0], "lat": point[1], "source": "wechat"}
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_summary_is_scoped_to_the_caller(grid_app, client, inside_point: tuple[float, float]) -> None:  # noqa: ANN001
    case = _report(client, inside_point)
    screen = grid_app.server.test_client()
    screen.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'screen')}"
    body = screen.get("/api/v1/screen/summary").get_json()
    assert set(body) >= {"tiles", "yesterday", "by_major", "sources", "hourly", "ranking"}
    district = client.get("/api/v1/kpis").get_json()["counts"]
    assert body["tiles"]["reported"] == district["reported"] >= 1
    assert sum(r["count"] for r in body["sources"]) == district["reported"]
    assert sum(body["hourly"]["today"]) == district["reported"]
    assert len(body["hourly"]["yesterday"]) == 24
    streets = {r["code"] for r in body["ranking"]["streets"]}
    assert case["street_code"] in streets and len(streets) > 1

    # A street's leader sees the street, and only the street.
    other = next(code for code in streets if code != case["street_code"])
    street_leader = grid_app.server.test_client()
    street_leader.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'leader', scope=other)}"
    scoped = street_leader.get("/api/v1/screen/summary").get_json()
    assert [r["code"] for r in scoped["ranking"]["streets"]] == [other]
    own = client.get(f"/api/v1/kpis?scope={other}").get_json()["counts"]["reported"]
    assert scoped["tiles"]["reported"] == own < district["reported"]


def test_summary_watermark_lets_a_wall_add_new_cases_once(grid_app, client, inside_point: tuple[float, float]) -> None:  # noqa: ANN001
    screen = grid_app.server.test_client()
    screen.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'screen')}"
    first = screen.get("/api/v1/screen/summary").get_json()
    case = _report(client, inside_point)
    assert case["id"] > first["max_case_id"]  # a wall holding this case adds it to these figures itself

    # A summary is never behind the database, whatever min_id the wall sends (it asks before its snapshot comes):
    # the cached answer that predates the case is recomputed; the next wall reuses the new answer.
    fresh = screen.get("/api/v1/screen/summary").get_json()
    assert fresh["max_case_id"] >= case["id"]
    assert sum(r["count"] for r in fresh["sources"]) == sum(r["count"] for r in first["sources"]) + 1
    assert screen.get(f"/api/v1/screen/summary?min_id={first['max_case_id']}").get_json() == fresh
    assert screen.get(f"/api/v1/screen/summary?min_id={case['id']}").get_json() == fresh
    assert screen.get("/api/v1/screen/summary").get_json() == fresh  # nothing new: the cache's answer

    for bad in ("-1", "abc", "1.5", "9" * 19):
        resp = screen.get(f"/api/v1/screen/summary?min_id={bad}")
        assert resp.status_code == 422 and "min_id" in resp.get_data(as_text=True), bad


def test_a_cached_summary_from_before_midnight_is_not_served_after_it(
    grid_app, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    from datetime import UTC

    import dashboard.api.screen_feed as feed

    screen = grid_app.server.test_client()
    screen.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'screen')}"
    clock = {"now": datetime(2026, 11, 22, 15, 59, 58, tzinfo=UTC)}  # 23:59:58 in Beijing
    monkeypatch.setattr(feed, "utcnow", lambda: clock["now"])
    before = screen.get("/api/v1/screen/summary").get_json()
    assert before["day_start"] == "2026-11-22T00:00:00+08:00"
    clock["now"] = datetime(2026, 11, 22, 16, 0, 3, tzinfo=UTC)  # 5 s later, well inside the cache's lifetime
    after = screen.get("/api/v1/screen/summary").get_json()
    assert after["day_start"] == "2026-11-23T00:00:00+08:00"
    assert sum(after["hourly"]["today"]) == 0 and len(after["hourly"]["today"]) == 1


def test_meta_maps_catalog_codes_to_major_classes(grid_app, client) -> None:  # noqa: ANN001
    majors = client.get("/api/v1/screen/meta").get_json()["majors"]
    rows = client.get("/api/v1/catalog").get_json()["conditions"]
    assert majors and {r["code"]: r["major"] for r in rows} == majors


def test_grid_layer_is_encoded_once_and_revalidated(grid_app, client) -> None:  # noqa: ANN001
    first = client.get("/api/v1/screen/grids")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    features = first.get_json()["features"]
    assert len(features) == len(client.get("/api/v1/grids").get_json()["features"])
    assert set(features[0]["properties"]) == {"code", "name", "street_code", "population"}
    again = client.get("/api/v1/screen/grids", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    meta = client.get("/api/v1/screen/meta").get_json()
    assert meta["streets"]["features"] and meta["departments"]


def _condition(rt: Any, level: str) -> Any:
    from sqlalchemy import select

    from dashboard.store.models import CatalogItem

    with rt.session() as session:
        return session.scalars(
            select(CatalogItem).where(CatalogItem.level == level, CatalogItem.department_code != "JD")
        ).first()


def _alert_cases(grid_app: Any, client: Any, point: tuple[float, float]) -> dict[str, int]:
    """A case raised to A when a dispatcher files it; one filed as C long ago that the overdue rule supervises,
    then a person supervises and escalates; one filed as A ten days ago (outside the hour)."""
    from datetime import timedelta

    from dashboard.domain.actors import Actor, Role
    from dashboard.domain.clock import utcnow
    from dashboard.services.commands import Ctx, dispatch_case, file_case, flag_overdue
    from dashboard.services.scheduler import overdue_actor

    rt = grid_app.runtime
    a_item, c_item = _condition(rt, "A"), _condition(rt, "C")
    dispatcher = Actor("dispatcher-1", Role.DISPATCHER, "110112")
    raised, late, old = (_report(client, point) for _ in range(3))
    with rt.session() as session:
        ctx = Ctx(session=session, actor=dispatcher, cal=rt.calendar, tz="Asia/Shanghai")
        file_case(ctx, raised["id"], expected_version=raised["version"], condition=a_item.code)
        past = Ctx(session=session, actor=dispatcher, cal=rt.calendar, tz="Asia/Shanghai", now=utcnow() - timedelta(10))
        filed = file_case(past, late["id"], expected_version=late["version"], condition=c_item.code)
        dispatched = dispatch_case(past, late["id"], expected_version=filed.version, department=c_item.department_code)
        file_case(past, old["id"], expected_version=old["version"], condition=a_item.code)
        system = Ctx(session=session, actor=overdue_actor("110112"), cal=rt.calendar, tz="Asia/Shanghai")
        version = flag_overdue(system, late["id"], expected_version=dispatched.version).version
        session.commit()
    for command in ("supervise", "escalate"):
        resp = client.post(f"/api/v1/cases/{late['id']}/{command}", json={"expected_version": version})
        assert resp.status_code == 200, resp.get_json()
        version = resp.get_json()["version"]
    return {"raised": raised["id"], "late": late["id"], "old": old["id"], "street": raised["street_code"]}


def test_alerts_rebuild_the_last_hour_of_the_ticker(grid_app, client, inside_point: tuple[float, float]) -> None:  # noqa: ANN001
    ids = _alert_cases(grid_app, client, inside_point)
    screen = grid_app.server.test_client()
    screen.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'screen')}"
    alerts = screen.get("/api/v1/screen/alerts").get_json()["alerts"]
    mine = [a for a in alerts if a["id"] in ids.values()]
    # Newest first, in the keys of assets/screen/11-alerts.js; the rule's supervision is "overdue", a person's
    # "supervised", numbered by the case's supervision count; the case filed as A ten days ago is not news.
    assert [a["key"] for a in mine] == [
        f"escalated:{ids['late']}",
        f"supervised:{ids['late']}:2",
        f"overdue:{ids['late']}:1",
        f"a:{ids['raised']}",
    ]
    first = mine[-1]
    assert set(first) == {"key", "kind", "id", "at", "category", "source", "grid"}
    assert (first["kind"], first["source"], first["category"]) == (
        "a",
        "wechat",
        _condition(grid_app.runtime, "A").minor_name,
    )
    assert first["at"].endswith("+08:00")
    stored = client.get(f"/api/v1/cases/{ids['late']}").get_json()
    assert mine[0]["at"] == stored["updated_at"]  # the same instant the live row carries

    # Scoped like the other screen endpoints: another street's leader sees none of them.
    streets = client.get("/api/v1/screen/meta").get_json()["streets"]["features"]
    other = next(f["properties"]["code"] for f in streets if f["properties"]["code"] != ids["street"])
    leader = grid_app.server.test_client()
    leader.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'leader', scope=other)}"
    assert not [a for a in leader.get("/api/v1/screen/alerts").get_json()["alerts"] if a["id"] in ids.values()]


def test_feed_needs_a_signed_in_caller(anonymous) -> None:  # noqa: ANN001
    for path in ("/api/v1/screen/summary", "/api/v1/screen/meta", "/api/v1/screen/grids", "/api/v1/screen/alerts"):
        assert anonymous.get(path).status_code == 401
