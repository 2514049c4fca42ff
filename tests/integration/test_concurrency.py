"""Twenty dispatchers race on a hundred cases: exactly one dispatch per case, every other attempt a clean 409."""

from __future__ import annotations

import random
import threading
from collections import Counter

from sqlalchemy import func, select

from dashboard.domain.actors import Actor, Role
from dashboard.services.commands import Ctx, dispatch_case, file_case
from dashboard.services.errors import Conflict
from dashboard.services.intake import ReportCase, report_case
from dashboard.store.models import Case, CaseEvent, CatalogItem

DISPATCHERS = 20
CASES = 100


def test_racing_dispatchers_never_double_assign(grid_app) -> None:
    rt = grid_app.runtime
    index = rt.grid_index()
    rng = random.Random(5)
    with rt.session() as session:
        item = session.scalars(select(CatalogItem).where(CatalogItem.department_code != "JD")).first()
    system = Actor("setup", Role.SYSTEM, "110112")
    ids: list[tuple[int, int]] = []
    with rt.session() as session:
        ctx = Ctx(session=session, actor=system, cal=rt.calendar, tz="Asia/Shanghai")
        for i in range(CASES):
            lon, lat = index.random_point_in(index.codes()[i % len(index.codes())], rng)
            made = report_case(
                ReportCase(description=f"race {i}", lat=lat, lon=lon, source="video"),
                session=session,
                grids=index,
                county_code="110112",
                tz="Asia/Shanghai",
            )
            filed = file_case(ctx, made.case.id, expected_version=made.case.version, condition=item.code)
            ids.append((filed.id, filed.version))

    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(DISPATCHERS)

    def dispatcher(n: int) -> None:
        actor = Actor(f"dispatcher-{n}", Role.DISPATCHER, "110112")
        order = ids[:]
        random.Random(n).shuffle(order)
        barrier.wait()
        for case_id, version in order:
            try:
                with rt.session() as session:
                    ctx = Ctx(session=session, actor=actor, cal=rt.calendar, tz="Asia/Shanghai")
                    dispatch_case(ctx, case_id, expected_version=version, department=item.department_code)
                result = "won"
            except Conflict:
                result = "conflict"
            except BaseException as exc:  # anything else is a bug: record it, fail below
                with lock:
                    errors.append(exc)
                continue
            with lock:
                outcomes[result] += 1

    threads = [threading.Thread(target=dispatcher, args=(n,)) for n in range(DISPATCHERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not errors, errors[:3]
    assert outcomes == {"won": CASES, "conflict": CASES * (DISPATCHERS - 1)}
    case_ids = [i for i, _ in ids]
    with rt.session() as session:
        dispatched = session.scalar(
            select(func.count()).where(CaseEvent.case_id.in_(case_ids), CaseEvent.command == "dispatch")
        )
        states = set(session.scalars(select(Case.state).where(Case.id.in_(case_ids))))
    assert dispatched == CASES and states == {"dispatched"}
