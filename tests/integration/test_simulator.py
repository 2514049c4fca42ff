"""The simulator drives the real intake and lifecycle services (no shortcuts into the tables)."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from dashboard.store.models import Case, CaseEvent
from feeds.simulator import Simulator, SimulatorConfig


def test_simulated_cases_go_round_the_loop(grid_app) -> None:
    # A huge speed-up makes every simulated duration due at once; LATE cases wait for their real deadline.
    sim = Simulator(grid_app.runtime, SimulatorConfig(speed=1e9, seed=11, patrols=20))
    assert len(sim.walkers) == 20
    for _ in range(40):
        sim.report_one()
    assert sim.created == 40 and 5 < sim.self_handled < 35
    for _ in range(12):  # reported → filed → dispatched → handling → handled → closed → visit-back
        time.sleep(0.01)
        sim.lifecycle.run_due()
    with grid_app.runtime.session() as session:
        mine = select(CaseEvent.case_id).where(CaseEvent.actor.like("sim:%"))
        states = dict(
            session.execute(select(Case.state, func.count()).where(Case.id.in_(mine)).group_by(Case.state)).all()
        )
        commands = set(session.scalars(select(CaseEvent.command).where(CaseEvent.actor.like("sim:%"))))
    assert states.get("closed", 0) >= 10, states
    assert {"file", "dispatch", "acknowledge", "report-handled", "verify"} <= commands


def test_patrols_walk_inside_their_grids(grid_app) -> None:
    sim = Simulator(grid_app.runtime, SimulatorConfig(seed=3, patrols=5))
    index = grid_app.runtime.grid_index()
    for walker in sim.walkers:
        for _ in range(50):
            walker.step(10.0, sim._point)
            ref = index.locate(walker.lon, walker.lat)
            # Straight walks between two points of a non-convex grid may cut a corner; stay in or beside it.
            assert ref is not None


def _report_by_a_person(grid_app, sim: Simulator) -> int:  # noqa: ANN001
    """A case a person reported through the intake service (actor `intake`, as the REST API files it)."""
    from dashboard.services.intake import ReportCase, report_case

    lon, lat = sim._point(sim.grids[0][0])
    settings = grid_app.runtime.settings
    with grid_app.runtime.session() as session:
        made = report_case(
            ReportCase(description="井盖缺失", lat=lat, lon=lon, source="grid_worker"),
            session=session,
            grids=sim.index,
            county_code=settings.county_code,
            tz=settings.timezone,
        )
        return made.case.id


def _events(grid_app, case_id: int) -> list[tuple[str, str]]:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        rows = session.execute(
            select(CaseEvent.command, CaseEvent.actor).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
    return [tuple(r) for r in rows]


def test_the_simulator_leaves_a_persons_case_alone(grid_app) -> None:  # noqa: ANN001
    """A dispatcher's own report is theirs to file: the simulated desks never race them for it, restart or not."""
    sim = Simulator(grid_app.runtime, SimulatorConfig(speed=1e9, seed=5, patrols=2, self_handled_share=0))
    theirs = _report_by_a_person(grid_app, sim)
    for _ in range(3):
        sim.report_one()
    sim.lifecycle.adopt_open_cases()  # what a restarted simulator does every five minutes
    for _ in range(6):
        time.sleep(0.01)
        sim.lifecycle.run_due()
    assert theirs not in sim.lifecycle.planned
    assert _events(grid_app, theirs) == [("report", "intake")]
    with grid_app.runtime.session() as session:
        ours = session.scalars(select(CaseEvent.case_id).where(CaseEvent.actor.like("sim:dispatcher"))).all()
    assert ours and theirs not in ours  # its own cases still go round


def test_a_simulator_told_to_leave_the_desk_files_nothing(grid_app) -> None:  # noqa: ANN001
    """`desk=False`: every new report waits at 待受理 for a person; departments still work what is sent to them."""
    sim = Simulator(grid_app.runtime, SimulatorConfig(speed=1e9, seed=9, patrols=2, self_handled_share=0, desk=False))
    with grid_app.runtime.session() as session:
        before = session.scalar(select(func.max(Case.id))) or 0  # the module's other tests left cases behind
    for _ in range(5):
        sim.report_one()
    sim.lifecycle.adopt_open_cases()
    for _ in range(4):
        time.sleep(0.01)
        sim.lifecycle.run_due()
    with grid_app.runtime.session() as session:
        states = set(session.scalars(select(Case.state).where(Case.id > before)))
        desk_work = session.scalars(
            select(CaseEvent.command).where(CaseEvent.case_id > before, CaseEvent.actor == "sim:dispatcher")
        ).all()
    assert states == {"reported"} and desk_work == []
    assert not [i for i in sim.lifecycle.planned if i > before]


def test_the_command_line_can_keep_the_simulator_off_the_desk() -> None:
    from dashboard.cli import build_parser

    assert build_parser().parse_args(["simulate", "--no-desk"]).no_desk is True
    assert build_parser().parse_args(["simulate"]).no_desk is False
    assert build_parser().parse_args(["serve", "--simulate", "--sim-no-desk"]).sim_no_desk is True
