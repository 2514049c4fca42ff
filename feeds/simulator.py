"""`gridcmd simulate`: the live demo feed. Cases arrive at the seeds' rate through the real intake service,
about half are fixed on the spot by the grid worker, and one full-time worker per grid patrols it with a GPS
fix every 10 s. Speed-up applies to case arrivals only; patrols walk in real time so the map moves naturally.
"""

from __future__ import annotations

import logging
import math
import os
import random
import signal
import threading
import time
from dataclasses import dataclass

from dashboard.config import get_settings
from dashboard.domain.actors import Actor, Role
from dashboard.domain.cases import Source
from dashboard.live.patrol_feed import FixBatch, track_batch
from dashboard.runtime import Runtime
from dashboard.services.commands import Ctx, self_handle
from dashboard.services.intake import ReportCase, report_case
from dashboard.services.lookups import catalog_items, full_time_workers, grid_names
from feeds.lifecycle_sim import LifecycleSim

log = logging.getLogger(__name__)

# Reporting mix of a district center: most events are found by grid staff on patrol (及时发现).
SOURCE_MIX: tuple[tuple[str, float], ...] = (
    (Source.GRID_WORKER.value, 0.62),
    (Source.HOTLINE_12345.value, 0.2),
    (Source.WECHAT.value, 0.09),
    (Source.VIDEO.value, 0.07),
    (Source.OPEN311.value, 0.02),
)
# Relative arrivals per local hour: quiet at night, peaks mid-morning and mid-afternoon (patrol hours).
HOURLY_PROFILE: tuple[float, ...] = (
    0.15,
    0.1,
    0.08,
    0.08,
    0.1,
    0.2,
    0.5,
    1.0,
    1.6,
    1.9,
    1.9,
    1.6,
    1.1,
    1.2,
    1.7,
    1.8,
    1.7,
    1.4,
    1.0,
    0.8,
    0.6,
    0.45,
    0.3,
    0.2,
)
# Most reports are routine (C); urgent A-level events are rare, as in a real center's mix.
LEVEL_WEIGHT = {"A": 0.4, "B": 2.0, "C": 6.0}
WALK_SPEED_MPS = 1.3
FIX_PERIOD_S = 10.0
METRES_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulated district behaves."""

    per_day: float = 2000
    speed: float = 60
    patrols: int | None = None
    self_handled_share: float = 0.5
    seed: int = 7
    duration_s: float = 0
    desk: bool = True  # False: the simulated dispatchers leave every new report to the people at the desk


@dataclass
class Walker:
    """One patrol walking between random points of its grid."""

    patrol_id: str
    grid_code: str
    lon: float
    lat: float
    target: tuple[float, float]
    status: str = "available"

    def step(self, seconds: float, pick_target: object) -> None:
        """Move toward the target at walking speed; choose a new target on arrival."""
        dx = (self.target[0] - self.lon) * METRES_PER_DEG_LAT * math.cos(math.radians(self.lat))
        dy = (self.target[1] - self.lat) * METRES_PER_DEG_LAT
        dist = math.hypot(dx, dy)
        reach = WALK_SPEED_MPS * seconds
        if dist <= reach:
            self.lon, self.lat = self.target
            self.target = pick_target(self.grid_code)  # type: ignore[operator]
        else:
            self.lon += (self.target[0] - self.lon) * reach / dist
            self.lat += (self.target[1] - self.lat) * reach / dist


def arrival_rate_per_real_s(per_day: float, speed: float, local_hour: int) -> float:
    """Cases per real second at a simulated local hour (the hourly profile averages to 1)."""
    mean = sum(HOURLY_PROFILE) / 24
    return per_day / 86_400 * speed * HOURLY_PROFILE[local_hour % 24] / mean


def pick_source(rng: random.Random) -> str:
    """A report source drawn from the center's mix."""
    return rng.choices([s for s, _ in SOURCE_MIX], weights=[w for _, w in SOURCE_MIX])[0]


class Simulator:
    """Runs the case and patrol feeds against a Runtime until stopped."""

    def __init__(self, runtime: Runtime, config: SimulatorConfig) -> None:
        self.rt = runtime
        self.cfg = config
        self.rng = random.Random(config.seed)
        self.stop = threading.Event()
        self.index = runtime.grid_index()
        with runtime.session() as session:
            self.grids = grid_names(session=session)
            self.catalog = catalog_items(session=session)
            workers = full_time_workers(session=session)
        self.catalog_weights = [LEVEL_WEIGHT.get(item.level, 1.0) for item in self.catalog]
        if not self.grids:
            raise SystemExit("no grids: run `gridcmd init` first")
        if config.patrols is not None:
            workers = workers[: config.patrols]
        self.walkers = [self._walker(code, grid) for code, grid in workers]
        self.homes = {w.patrol_id: w.grid_code for w in self.walkers}  # each walks its own grid
        self.created = 0
        self.self_handled = 0
        self.lifecycle = LifecycleSim(runtime, speed=config.speed, rng=random.Random(config.seed + 1), desk=config.desk)
        self._lifecycle_lock = threading.Lock()

    def actor(self, name: str) -> Actor:
        """A district-wide system actor named for the audit trail (who in the simulation acted)."""
        return Actor(name=name, role=Role.SYSTEM, scope=self.rt.settings.county_code)

    def _point(self, grid_code: str) -> tuple[float, float]:
        return self.index.random_point_in(grid_code, self.rng)

    def _walker(self, patrol_id: str, grid_code: str) -> Walker:
        lon, lat = self._point(grid_code)
        return Walker(patrol_id, grid_code, lon, lat, self._point(grid_code))

    def report_one(self) -> None:
        """One new case in a random grid, self-handled on the spot with the configured share."""
        grid_code, grid_name = self.rng.choice(self.grids)
        item = self.rng.choices(self.catalog, weights=self.catalog_weights)[0] if self.catalog else None
        lon, lat = self._point(grid_code)
        source = pick_source(self.rng)
        what = item.minor_name if item else "事件"
        cmd = ReportCase(
            description=f"{grid_name}发现{what}" + (f"：{item.condition[:40]}" if item else ""),
            lat=lat,
            lon=lon,
            source=source,
            category_code=item.code if item else None,
            actor=f"sim:{source}",
        )
        settings = self.rt.settings
        fixes_on_spot = source == Source.GRID_WORKER.value and self.rng.random() < min(
            1.0, self.cfg.self_handled_share / dict(SOURCE_MIX)[Source.GRID_WORKER.value]
        )
        with self.rt.session() as session:
            result = report_case(
                cmd, session=session, grids=self.index, county_code=settings.county_code, tz=settings.timezone
            )
        self.created += 1
        if fixes_on_spot:
            with self.rt.session() as session:
                ctx = Ctx(
                    session=session,
                    actor=self.actor(f"grid_worker:{grid_code}"),
                    cal=self.rt.calendar,
                    tz=settings.timezone,
                )
                self_handle(ctx, result.case.id, expected_version=result.case.version, note="现场自行处置")
            self.self_handled += 1
        else:
            with self._lifecycle_lock:
                self.lifecycle.plan(result.case)

    def run_cases(self) -> None:
        """Poisson arrivals, thinned by the hour of the simulated day."""
        start_real = time.monotonic()
        start_sim = time.time()
        while not self.stop.is_set():
            sim_now = start_sim + (time.monotonic() - start_real) * self.cfg.speed
            hour = time.localtime(sim_now).tm_hour
            rate = arrival_rate_per_real_s(self.cfg.per_day, self.cfg.speed, hour)
            self.stop.wait(self.rng.expovariate(rate) if rate > 0 else 1.0)
            if self.stop.is_set():
                break
            try:
                self.report_one()
            except Exception:  # a failing report is logged; the feed goes on
                log.exception("simulated report failed")

    def run_lifecycle(self) -> None:
        """Desks and departments: run due steps twice a second; re-adopt open cases every five minutes."""
        adopted_at = 0.0
        while not self.stop.wait(0.5):
            with self._lifecycle_lock:
                if time.monotonic() - adopted_at > 300:
                    self.lifecycle.adopt_open_cases()
                    adopted_at = time.monotonic()
                self.lifecycle.run_due()

    def run_patrols(self) -> None:
        """Each second one tenth of the patrols report, so every patrol sends a fix every 10 s."""
        tick = 0
        slices = int(FIX_PERIOD_S)
        while not self.stop.is_set():
            started = time.monotonic()
            now_ms = int(time.time() * 1000)
            batch = FixBatch()
            for i, walker in enumerate(self.walkers):
                if i % slices != tick % slices:
                    continue
                walker.step(FIX_PERIOD_S, self._point)
                if self.rng.random() < 0.02:  # occasionally busy on a task, then available again
                    walker.status = "busy" if walker.status == "available" else "available"
                batch.add(walker.patrol_id, round(walker.lon, 6), round(walker.lat, 6), walker.status, now_ms)
            try:
                # The feed's own path: distance today, grid and time outside, trails, as for real phones.
                track_batch(self.rt.patrols, self.index, self.homes, batch, now_ms=now_ms, tz=self.rt.settings.timezone)
            except Exception:
                log.exception("patrol ingest failed")
            tick += 1
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))


def run_simulator(config: SimulatorConfig, stop_with_pid: int | None = None) -> int:
    """Run until interrupted (or for `duration_s`), printing a line of progress every 30 s.

    With `stop_with_pid` (the server that started us) stop as soon as that process is gone: once the parent dies
    the child is re-parented, so its parent pid changes. Otherwise a killed server left the demo feed writing
    cases into the database for ever.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sim = Simulator(Runtime.build(get_settings()), config)
    signal.signal(signal.SIGTERM, lambda *_: sim.stop.set())
    threads = [
        threading.Thread(target=sim.run_cases, name="sim-cases", daemon=True),
        threading.Thread(target=sim.run_patrols, name="sim-patrols", daemon=True),
        threading.Thread(target=sim.run_lifecycle, name="sim-lifecycle", daemon=True),
    ]
    for t in threads:
        t.start()
    log.info("simulating %s cases/day ×%s with %d patrols", config.per_day, config.speed, len(sim.walkers))
    began = time.monotonic()
    try:
        while not sim.stop.wait(1.0):
            if stop_with_pid is not None and os.getppid() != stop_with_pid:
                log.info("the server (pid %d) is gone: stopping", stop_with_pid)
                sim.stop.set()
            elif config.duration_s and time.monotonic() - began >= config.duration_s:
                sim.stop.set()
            elif int(time.monotonic() - began) % 30 == 0:
                log.info(
                    "cases created %d (self-handled %d), lifecycle steps %d, planned %d",
                    sim.created,
                    sim.self_handled,
                    sim.lifecycle.steps,
                    len(sim.lifecycle.planned),
                )
    except KeyboardInterrupt:
        sim.stop.set()
    for t in threads:
        t.join(timeout=5)
    log.info("stopped: cases created %d (self-handled %d)", sim.created, sim.self_handled)
    return 0
