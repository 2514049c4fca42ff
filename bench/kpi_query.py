"""KPI queries on PostgreSQL at a year's scale: SQL conditional aggregates against loading the cases into Python.

    .venv/bin/python bench/kpi_query.py [--cases 730000] [--runs 5] [--reuse] [--keep] [--json-out FILE]

Builds a PostgreSQL schema (default gc_bench_kpi) with the demo Tongzhou jurisdiction (1,809 grids, built by
`build_jurisdiction` from data/boundaries/110112.geojson) and a year of synthetic cases at the seeds' rate
(2,000 a day, half self-handled, ~97 % of dispatched cases handled on time, a few reworked or returned,
95 % satisfied visit-backs), bulk-loaded with COPY. Then times `kpi_counts` for the district over the year,
the last 30 days and today, for one street and one department over the year, and `kpi_rankings` by street,
each the median of --runs after a warm-up; and, as the baseline, the naive way (load the window's cases as
ORM objects and count in Python) for the same windows, checking both give the same figures. --reuse keeps
an existing bench schema (its data and "now"); the schema is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import bisect
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `dashboard` and `feeds` importable

import psycopg  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from dashboard.domain.cases import Source, case_code  # noqa: E402
from dashboard.domain.kpi import KpiCounts, kpis, percentile_cont  # noqa: E402
from dashboard.services.clock import local_day_start  # noqa: E402
from dashboard.services.jurisdiction import build_jurisdiction  # noqa: E402
from dashboard.store.db import get_engine, get_sessionmaker, session_scope  # noqa: E402
from dashboard.store.kpi_queries import SATISFIED, kpi_counts, kpi_rankings  # noqa: E402
from dashboard.store.models import Case, CatalogItem, Grid, Meta  # noqa: E402
from dashboard.store.schema import migrate  # noqa: E402
from feeds.simulator import HOURLY_PROFILE, SOURCE_MIX  # noqa: E402

PG_BASE = "postgresql://postgres@127.0.0.1:5432/test"
BOUNDARY = ROOT / "data" / "boundaries" / "110112.geojson"
COUNTY = "110112"
TZ = "Asia/Shanghai"
NOW_KEY = "bench_kpi.now"
HOUR = 3600.0
DAY = 86_400.0

# The seeds' mix (DESIGN.md section 7): half the events are fixed on the spot by the grid worker who found them.
SELF_HANDLED_SHARE = 0.5
REJECTED_SHARE = 0.03  # of the cases not self-handled
MERGED_SHARE = 0.02
ON_TIME_SHARE = 0.985  # returns and rework make some of these late: ~97 % end up on time
RETURNED_SHARE = 0.02
REWORKED_SHARE = 0.005
VISIT_SHARE = 0.4  # of closed cases
SATISFACTION_MIX = (("satisfied", 0.8), ("basically_satisfied", 0.15), ("dissatisfied", 0.05))
WORK_FRACTION = 8 / 24  # working hours per wall-clock hour, roughly (8 working hours a day)
STREET_UNITS = ("ZF", "CG", "PA")

# COPY column order; every other column takes its server default.
COLUMNS = (  # noqa: SIM905 - one readable line per lifecycle group
    "id code state version tier source description lat lon grid_code community_code street_code category_code "
    "level department_code reporter phone photos reported_at filed_at dispatched_at handled_at closed_at "
    "updated_at deadline dispatch_deadline handling_deadline verify_deadline visited_at handling_work_hours "
    "return_count supervision_count extension_count rework_count satisfaction"
).split()


@dataclass(frozen=True)
class GridRow:
    """What a case needs from its grid."""

    code: str
    community: str
    street: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Item:
    """What a case needs from its catalog condition."""

    code: str
    level: str
    department: str
    condition: str
    wall_limit_s: float


def schema_url(base: str, schema: str) -> str:
    """A URL whose connections use `schema` first."""
    return f"{base}?options=-csearch_path%3D{schema}"


def wall_limit_s(kind: str, amount: float) -> float:
    """A catalog time limit as rough wall-clock seconds (8 working hours a day, ~5 working days a week)."""
    return {
        "urgent_hours": amount * HOUR,
        "work_hours": amount * 3 * HOUR,
        "work_days": amount * 1.4 * DAY,
        "natural_days": amount * DAY,
    }[kind]


def iso(t: float | None) -> str:
    """An epoch instant as PostgreSQL timestamptz text (\\N for NULL in COPY text format)."""
    return r"\N" if t is None else datetime.fromtimestamp(t, UTC).isoformat(" ")


def text(value: Any) -> str:
    """A value as COPY text: NULL as \\N; tabs, newlines and backslashes cannot occur in what we generate."""
    return r"\N" if value is None else str(value)


def reported_times(n: int, now: float, rng: random.Random) -> list[float]:
    """`n` report instants over the year before `now`, following the simulator's local hourly profile, sorted
    (ids rise with time, as in a live table)."""
    zone = ZoneInfo(TZ)
    first_day = local_day_start(datetime.fromtimestamp(now, UTC), TZ) - timedelta(days=364)
    day_starts = [(first_day.astimezone(zone) + timedelta(days=d)).timestamp() for d in range(365)]
    hours = rng.choices(range(24), weights=HOURLY_PROFILE, k=n)
    days = [rng.randrange(365) for _ in range(n)]
    times = []
    for d, h in zip(days, hours, strict=True):
        t = day_starts[d] + (h + rng.random()) * HOUR
        while t >= now:  # today is only partly over: draw again within what has elapsed
            t = day_starts[-1] + rng.random() * (now - day_starts[-1])
        times.append(t)
    times.sort()
    return times


# What `rng.choices` draws a visit-back's answer from (one draw per visited case).
SATISFACTION_VALUES, SATISFACTION_WEIGHTS = zip(*SATISFACTION_MIX, strict=True)


@dataclass
class Lifecycle:
    """One case's story as far as `now`: its state and the instants and counters its COPY row carries."""

    state: str = "reported"
    filed: float | None = None
    dispatched: float | None = None
    handled: float | None = None
    closed: float | None = None
    visited: float | None = None
    deadline: float | None = None  # the handling deadline
    work_started: float | None = None  # dispatch, or the re-dispatch after a return
    satisfaction: str | None = None
    department: str | None = None
    rework: int = 0
    returns: int = 0

    @property
    def work_hours(self) -> float | None:
        """Handling time in working hours, once handled (dispatched is set whenever handled is)."""
        if self.handled is None or self.dispatched is None:
            return None
        return round((self.handled - self.dispatched) / HOUR * WORK_FRACTION, 2)


def _self_handled(rep: float, now: float, r: Callable[[], float]) -> Lifecycle:
    """A grid worker's on-the-spot fix, closed within the hour (still open if that hour is not over)."""
    closed = rep + 300 + r() * 3300
    return Lifecycle(state="self_handled", closed=closed) if closed < now else Lifecycle()


def _played_out(rep: float, grid: GridRow, item: Item, rng: random.Random) -> Lifecycle:
    """A dispatched case's whole story, from filing to the visit-back, as if `now` were far away."""
    r = rng.random
    story = Lifecycle(filed=rep + 120 + r() * 1680)
    story.dispatched = story.filed + 60 + r() * 1440
    story.deadline = story.dispatched + item.wall_limit_s
    story.department = item.department
    if story.department == "JD":  # "the street where it happened": one of that street's own units
        story.department = grid.street + STREET_UNITS[rng.randrange(3)]
    start = story.dispatched
    if r() < RETURNED_SHARE:
        story.returns = 1
        start += (0.5 + 2.5 * r()) * HOUR
    story.work_started = start
    late = r() >= ON_TIME_SHARE
    handled = start + item.wall_limit_s * ((1.05 + 1.5 * r()) if late else (0.1 + 0.85 * r()))
    if r() < REWORKED_SHARE:
        story.rework = 1
        handled += (0.2 + 0.6 * r()) * item.wall_limit_s
    closed = handled + (0.3 + 1.7 * r()) * HOUR
    if not late and not story.rework:  # verified in time, as the on-time share of the seeds implies
        closed = min(closed, handled + 0.9 * r() * (story.deadline - handled))
    story.handled, story.closed, story.state = handled, closed, "closed"
    if r() < VISIT_SHARE:
        story.visited = closed + (1 + 47 * r()) * HOUR
        story.satisfaction = rng.choices(SATISFACTION_VALUES, weights=SATISFACTION_WEIGHTS)[0]
    return story


def _cut_at_now(story: Lifecycle, now: float) -> Lifecycle:
    """The played-out story cut at `now`: recent cases are still somewhere in the loop (returns and rework
    drawn for a case not yet dispatched stay on its row, as they always have in this bench)."""
    assert story.filed is not None and story.dispatched is not None and story.work_started is not None
    assert story.handled is not None and story.closed is not None
    unvisited = {"visited": None, "satisfaction": None}
    if story.filed >= now:
        undispatched = dict.fromkeys(("filed", "dispatched", "handled", "closed", "deadline", "department"))
        return replace(story, state="reported", **undispatched, **unvisited)
    if story.dispatched >= now:
        undispatched = dict.fromkeys(("dispatched", "handled", "closed", "deadline", "department"))
        return replace(story, state="filed", **undispatched, **unvisited)
    if story.handled >= now:
        state = "returned" if story.returns and story.work_started >= now else "handling"
        return replace(story, state=state, handled=None, closed=None, rework=0, **unvisited)
    if story.closed >= now:
        return replace(story, state="handled", closed=None, **unvisited)
    if story.visited is not None and story.visited >= now:
        return replace(story, **unvisited)
    return story


def _story(
    rep: float, source: str, now: float, grid: GridRow, item: Item, rng: random.Random, grid_worker_share: float
) -> Lifecycle:
    """Which way a case went (self-handled, rejected or merged, or dispatched) and how far it got by `now`."""
    r = rng.random
    # The self-handled share is of all cases, and only grid workers fix things on the spot: scale it up.
    if source == Source.GRID_WORKER.value and r() < SELF_HANDLED_SHARE / grid_worker_share:
        return _self_handled(rep, now, r)
    if (u := r()) < REJECTED_SHARE + MERGED_SHARE:
        return Lifecycle(state="rejected" if u < REJECTED_SHARE else "merged")
    return _cut_at_now(_played_out(rep, grid, item, rng), now)


def _copy_line(
    case_id: int, rep: float, source: str, grid: GridRow, item: Item, story: Lifecycle, rng: random.Random
) -> str:
    """One case as a COPY text line in COLUMNS order (draws its jittered position and a hotline phone)."""
    r = rng.random
    is_filed = story.filed is not None
    dispatch_deadline = story.filed + 1800 if story.filed is not None else None
    verify_deadline = story.handled + 2 * HOUR if story.handled is not None else None
    current_deadline = {
        "filed": dispatch_deadline,
        "returned": story.deadline,
        "handling": story.deadline,
        "handled": verify_deadline,
    }.get(story.state)
    instants = (rep, story.filed, story.dispatched, story.handled, story.closed, story.visited)
    updated = max(t for t in instants if t is not None)
    hotline = source == Source.HOTLINE_12345.value
    values = (
        case_id,
        case_code(COUNTY, datetime.fromtimestamp(rep, ZoneInfo(TZ)).strftime("%Y%m%d"), case_id),
        story.state,
        1,
        "street",
        source,
        item.condition,
        round(grid.lat + (r() - 0.5) * 0.004, 6),
        round(grid.lon + (r() - 0.5) * 0.004, 6),
        grid.code,
        grid.community,
        grid.street,
        item.code if is_filed else None,
        item.level if is_filed else None,
        story.department,
        "市民" if hotline else None,
        f"1{rng.randrange(3_000_000_000, 9_999_999_999)}" if hotline else None,
        "[]",
    )
    # reported_at … updated_at, deadline (the current stage's), the three stage deadlines, visited_at.
    timestamps = (
        *(rep, story.filed, story.dispatched, story.handled, story.closed, updated, current_deadline),
        *(dispatch_deadline, story.deadline, verify_deadline, story.visited),
    )
    tail = (text(story.work_hours), str(story.returns), "0", "0", str(story.rework), text(story.satisfaction))
    return "\t".join([*(text(v) for v in values), *(iso(t) for t in timestamps), *tail]) + "\n"


def case_lines(
    now: float, n: int, grids: list[GridRow], weights: list[float], items: list[Item], rng: random.Random
) -> Iterator[str]:
    """COPY text lines, one per case, in COLUMNS order; every lifecycle instant is cut off at `now`."""
    cum = list(_accumulate(weights))
    sources = rng.choices([s for s, _ in SOURCE_MIX], weights=[w for _, w in SOURCE_MIX], k=n)
    grid_worker_share = dict(SOURCE_MIX)[Source.GRID_WORKER.value]
    # The draws happen in a fixed order per case (grid, item, story, row) so a seed always gives the same data.
    for case_id, (rep, source) in enumerate(zip(reported_times(n, now, rng), sources, strict=True), start=1):
        grid = grids[bisect.bisect(cum, rng.random() * cum[-1])]
        item = items[rng.randrange(len(items))]
        story = _story(rep, source, now, grid, item, rng, grid_worker_share)
        yield _copy_line(case_id, rep, source, grid, item, story, rng)


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


def build(base: str, schema: str, n: int, seed: int) -> dict[str, float]:
    """Create the bench schema, build the jurisdiction and COPY `n` cases in; returns timings in seconds."""
    timings: dict[str, float] = {}
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = schema_url(base, schema)
    started = time.perf_counter()
    migrate(url)
    with session_scope(url) as session:
        build_jurisdiction(
            session=session,
            boundary=json.loads(BOUNDARY.read_text(encoding="utf-8")),
            county_code=COUNTY,
            grids=1809,
            streets=15,
            communities=589,
            seed=1,
        )
        grids = [
            (GridRow(g.code, g.community_code, g.street_code, g.center_lat, g.center_lon), float(g.population))
            for g in session.scalars(select(Grid).order_by(Grid.code))
        ]
        items = [
            Item(c.code, c.level, c.department_code or "JD", c.condition, wall_limit_s(c.limit_kind, c.limit_amount))
            for c in session.scalars(select(CatalogItem).order_by(CatalogItem.code))
        ]
        now = time.time()
        session.add(Meta(key=NOW_KEY, value=datetime.fromtimestamp(now, UTC).isoformat()))
    timings["jurisdiction_s"] = time.perf_counter() - started
    started = time.perf_counter()
    rng = random.Random(seed)
    lines = case_lines(now, n, [g for g, _ in grids], [w for _, w in grids], items, rng)
    with psycopg.connect(url) as conn:
        # Bulk load: FK triggers off (the generator only uses codes it read from the schema) and the
        # secondary indexes rebuilt once afterwards, which is several times faster than maintaining them.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = 'cases' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'cases'::regclass)",
            (schema,),
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        with conn.cursor().copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            chunk: list[str] = []
            for line in lines:
                chunk.append(line)
                if len(chunk) == 5000:
                    copy.write("".join(chunk))
                    chunk.clear()
            copy.write("".join(chunk))
        timings["generate_and_copy_s"] = time.perf_counter() - started
        started = time.perf_counter()
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))")
        conn.commit()
        timings["indexes_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        # What autovacuum would have done by the time a year of cases is there: statistics and visibility map.
        conn.execute("VACUUM (ANALYZE) cases")
    timings["vacuum_analyze_s"] = time.perf_counter() - started
    return timings


def naive_counts(*, session: Session, scope: str | None, start: datetime, end: datetime, now: datetime) -> KpiCounts:
    """The baseline: load every case of the window as an ORM object and count in Python."""
    query = select(Case).where(Case.reported_at >= start, Case.reported_at < end)
    if scope is not None and len(scope) == 9 and scope.isdigit():
        query = query.where(Case.street_code == scope)
    elif scope is not None and scope != COUNTY:
        query = query.where(Case.department_code == scope)
    c: dict[str, Any] = dict.fromkeys(KpiCounts.__dataclass_fields__, 0)
    hours: list[float] = []
    for case in session.scalars(query):
        closed = case.state == "closed"
        hd = case.handling_deadline
        c["reported"] += 1
        c["self_handled"] += case.state == "self_handled"
        c["discovered"] += case.source == "grid_worker"
        if case.filed_at is not None:
            c["filed"] += 1
            c["due"] += closed or (hd is not None and hd < now)
        if closed:
            c["closed"] += 1
            c["closed_on_time"] += hd is not None and case.closed_at is not None and case.closed_at <= hd
            c["closed_first_time"] += case.rework_count == 0
            c["reworked"] += case.rework_count > 0
        c["dispatched"] += case.dispatched_at is not None
        c["handled"] += case.handled_at is not None
        c["handled_on_time"] += case.handled_at is not None and hd is not None and case.handled_at <= hd
        c["returned"] += case.return_count > 0
        c["visit_backs"] += case.satisfaction is not None
        c["satisfied"] += case.satisfaction in SATISFIED
        if case.handling_work_hours is not None:
            hours.append(case.handling_work_hours)
    hours.sort()
    c.update(hours_count=len(hours), hours_sum=sum(hours), hours_p90=percentile_cont(hours, 0.9))
    return KpiCounts(**c)


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds of `runs` calls after one warm-up call, and the last result."""
    result = fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def in_session(url: str, fn: Callable[..., Any], **kwargs: Any) -> Callable[[], Any]:
    """A call of `fn` in a fresh session (no identity map carried between runs)."""

    def call() -> Any:
        with get_sessionmaker(url)() as session:
            return fn(session=session, **kwargs)

    return call


def same(a: KpiCounts, b: KpiCounts) -> bool:
    """Equal counts; sums and percentiles equal up to float rounding."""
    for name, x in asdict(a).items():
        y = getattr(b, name)
        if isinstance(x, float) or isinstance(y, float):
            if x is None or y is None or abs(x - y) > 1e-6 * max(1.0, abs(x)):
                return False
        elif x != y:
            return False
    return True


class Mismatch(Exception):
    """The SQL figures and the baseline (or the rankings and the district) disagree; the message says how."""


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=PG_BASE, help="PostgreSQL server URL (a schema is created in it)")
    parser.add_argument("--schema", default="gc_bench_kpi", help="schema to build (or reuse) the data in")
    parser.add_argument("--cases", type=int, default=730_000, help="cases over the year (seeds: ~2,000 a day)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query (median reported)")
    parser.add_argument("--naive-runs", type=int, default=None, help="timed runs of the baseline (default --runs)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="reuse the schema if it already holds bench data")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    parser.add_argument("--json-out", type=Path, default=None)
    return parser.parse_args()


def _stored_now(url: str) -> str | None:
    """The "now" the bench data was generated at, as ISO text."""
    with session_scope(url) as session:
        return session.scalar(select(Meta.value).where(Meta.key == NOW_KEY))


def _prepare(args: argparse.Namespace, url: str) -> tuple[str, dict[str, float]]:
    """The data's "now" and the load timings: reused from an existing schema with --reuse, else built afresh."""
    now_text = None
    if args.reuse:
        try:
            now_text = _stored_now(url)
        except Exception:  # no schema yet: build it
            now_text = None
    if now_text is not None:
        return now_text, {}
    print(f"building schema {args.schema} with {args.cases:,} cases …", file=sys.stderr)
    timings = build(args.pg, args.schema, args.cases, args.seed)
    print("  " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()), file=sys.stderr)
    now_text = _stored_now(url)
    assert now_text
    return now_text, timings


def _count_rows(url: str, now: datetime, street: str | None, args: argparse.Namespace) -> list[dict[str, Any]]:
    """`kpi_counts` against the naive baseline for each window and scope; the figures must agree."""
    year = now - timedelta(days=365)
    queries = [
        ("district, year", None, year, now),
        ("district, last 30 days", None, now - timedelta(days=30), now),
        ("district, today", None, local_day_start(now, TZ), now),
        (f"street {street}, year", street, year, now),
        ("department CGZF, year", "CGZF", year, now),
    ]
    rows = []
    for label, scope, start, end in queries:
        kw = {"scope": scope, "start": start, "end": end, "now": now}
        sql_s, sql = timed(in_session(url, kpi_counts, **kw), args.runs)
        naive_s, naive = timed(in_session(url, naive_counts, **kw), args.naive_runs or args.runs)
        if not same(sql, naive):
            raise Mismatch(f"MISMATCH {label}:\n  sql   {sql}\n  naive {naive}")
        rows.append(
            {
                "query": label,
                "cases": sql.reported,
                "sql_ms": sql_s * 1000,
                "naive_ms": naive_s * 1000,
                "ratio": naive_s / sql_s,
                "counts": sql,
                "kpis": kpis(sql),
            }
        )
        print(f"  {label}: {sql_s * 1000:.1f} ms vs {naive_s * 1000:.0f} ms naive", file=sys.stderr)
    return rows


def _ranking_rows(url: str, now: datetime, district: KpiCounts, runs: int) -> list[dict[str, Any]]:
    """`kpi_rankings` by street and by department over the year; each must add up to the district's figure."""
    year = now - timedelta(days=365)
    rows = []
    for level in ("street", "department"):
        rank_s, ranking = timed(in_session(url, kpi_rankings, level=level, start=year, end=now, now=now), runs)
        # Every case of the year has a street; a case has a department once dispatched.
        field = "reported" if level == "street" else "dispatched"
        if sum(getattr(c, field) for _, c in ranking) != getattr(district, field):
            raise Mismatch(f"MISMATCH rankings by {level}: {field} does not add up to the district's")
        cases = sum(c.reported for _, c in ranking)
        rows.append({"query": f"rankings by {level}, year", "cases": cases, "sql_ms": rank_s * 1000})
    return rows


def _measure(url: str, now: datetime, args: argparse.Namespace) -> tuple[int, list[dict[str, Any]]]:
    """The number of cases in the schema and the table's rows: counts first, then rankings."""
    with session_scope(url) as session:
        total = session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0
        street = session.scalar(select(Grid.street_code).order_by(Grid.street_code).limit(1))
    rows = _count_rows(url, now, street, args)
    return total, rows + _ranking_rows(url, now, rows[0]["counts"], args.runs)


def _drop_schema(args: argparse.Namespace) -> None:
    """Close pooled connections (they would block DROP SCHEMA), then drop the schema unless --keep."""
    get_engine.cache_clear()
    if not args.keep:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE')


def _report(rows: list[dict[str, Any]], total: int, now: datetime) -> None:
    """The results table and the district's year KPIs on stdout."""
    machine = platform.processor() or platform.machine()
    print(f"\nKPI queries, PostgreSQL, {total:,} cases, {machine}, now = {now:%Y-%m-%d %H:%M} UTC")
    print(f"{'query':34} {'cases':>9} {'SQL (ms)':>10} {'naive (ms)':>11} {'naive/SQL':>10}")
    for row in rows:
        naive_ms = f"{row['naive_ms']:.0f}" if "naive_ms" in row else "—"
        ratio = f"{row['ratio']:.0f}×" if "ratio" in row else "—"
        print(f"{row['query']:34} {row['cases']:>9,} {row['sql_ms']:>10.1f} {naive_ms:>11} {ratio:>10}")
    district_year = rows[0]["kpis"]
    print(
        "district, year: "
        + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in district_year.items())
    )


def main() -> int:
    args = _parse_args()
    url = schema_url(args.pg, args.schema)
    now_text, timings = _prepare(args, url)
    now = datetime.fromisoformat(now_text)
    try:
        total, rows = _measure(url, now, args)
    except Mismatch as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        _drop_schema(args)
    _report(rows, total, now)
    if args.json_out:
        for row in rows:
            row.pop("counts", None)
        args.json_out.write_text(json.dumps({"load": timings, "rows": rows, "now": now_text}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
