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
