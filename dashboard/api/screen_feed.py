"""The big screen's low-rate feed under /api/v1/screen: KPI tiles against the same time yesterday, chart
series, and the names the wall shows instead of codes.

The wall refreshes these about once a minute (its live picture comes over Socket.IO); twenty walls asking at
once must not mean twenty scans, so answers are cached per scope for a few seconds. Every figure is computed in
SQL and scoped to the caller: district users see the district, a street's users their street.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from dashboard.api.auth import require
from dashboard.api.registry import Route, make_blueprint, per_app, runtime
from dashboard.domain.cases import State
from dashboard.domain.kpi import KpiCounts, kpis
from dashboard.runtime import Runtime
from dashboard.services import validate
from dashboard.services.clock import as_utc, local_day_start, local_iso, utcnow
from dashboard.services.screen_alerts import recent_alerts
from dashboard.store.kpi_queries import SATISFIED, kpi_counts, kpi_rankings
from dashboard.store.models import Case, CatalogItem, Department, District, Grid, Street

SUMMARY_TTL_S = 10.0  # a wall refreshes every 60 s; 20 walls inside 10 s share one computation
ALERTS_TTL_S = 3.0  # asked once per wall start: walls restarted together share one scan
RANKING_DAYS = 30
# The figures shown on the tiles: four counts of today's cases and four rates (DESIGN.md section 7).
TILE_KEYS = ("reported", "filed", "closed", "self_handled")
RATE_KEYS = ("handle_rate", "on_time_close_rate", "first_time_rate", "satisfaction_rate")
CACHES = "gridcmd_screen_feed_caches"  # the app's FeedCaches (registry.per_app)

T = TypeVar("T")


class TtlCache:
    """A tiny per-process cache of computed answers, keyed by scope (bounded by the number of scopes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, Any]] = {}

    def get(
        self, key: str, ttl_s: float, compute: Callable[[], T], fresh_enough: Callable[[T], bool] | None = None
    ) -> T:
        """The cached value for `key`, recomputed when older than `ttl_s` or not `fresh_enough` for the caller."""
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and now - hit[0] < ttl_s and (fresh_enough is None or fresh_enough(hit[1])):
            return hit[1]
        value = compute()  # outside the lock: a slow query must not block other scopes
        with self._lock:
            self._items[key] = (time.monotonic(), value)
        return value


def _scope_where(street: str | None) -> list[ColumnElement[bool]]:
    return [Case.street_code == street] if street else []


def counts_as_of(*, session: Session, street: str | None, start: datetime, at: datetime) -> KpiCounts:
    """KPI counts of the cases reported in [start, at), each as it stood at instant `at`.

    "Same time yesterday" needs yesterday's cases as they were then, not as they are now (a case closed
    overnight must not count as closed at 10:00 yesterday), so every state test uses its timestamp. Evaluated
    at `at` = now this equals `kpi_counts` over the same window, whose rules use the current state.
    """
    at = as_utc(at)
    closed = (Case.state == State.CLOSED.value) & (Case.closed_at < at)
    filed = Case.filed_at < at
    visited = Case.satisfaction.is_not(None) & (Case.visited_at < at)
    count = func.count()
    row = session.execute(
        select(
            count.label("reported"),
            count.filter(Case.state == State.SELF_HANDLED.value, Case.closed_at < at).label("self_handled"),
            count.filter(filed).label("filed"),
            count.filter(filed, closed | (Case.handling_deadline < at)).label("due"),
            count.filter(closed).label("closed"),
            count.filter(closed, Case.closed_at <= Case.handling_deadline).label("closed_on_time"),
            count.filter(closed, Case.rework_count == 0).label("closed_first_time"),
            count.filter(Case.dispatched_at < at).label("dispatched"),
            count.filter(Case.handled_at < at).label("handled"),
            count.filter(visited).label("visit_backs"),
            count.filter(visited, Case.satisfaction.in_(SATISFIED)).label("satisfied"),
        ).where(Case.reported_at >= as_utc(start), Case.reported_at < at, *_scope_where(street))
    ).one()
    return KpiCounts(**{name: int(value) for name, value in row._mapping.items()})


def _tiles(counts: KpiCounts) -> dict[str, Any]:
    figures = kpis(counts)
    return {
        **{key: getattr(counts, key) for key in TILE_KEYS},
        **{key: figures[key] for key in RATE_KEYS},
    }


def hourly_arrivals(*, session: Session, street: str | None, day_start: datetime, now: datetime, tz: str) -> dict:
    """Cases reported per local hour today (up to now) and over the whole of yesterday, in one scan."""
    zone = ZoneInfo(tz)
    local_start = as_utc(day_start).astimezone(zone)
    yesterday = (local_start - timedelta(days=1)).replace(tzinfo=None)
    # Local hour boundaries as UTC instants (correct across DST where a zone has it).
    edges = [(yesterday + timedelta(hours=h)).replace(tzinfo=zone).astimezone(UTC) for h in range(49)]
    columns = [
        func.count().filter(Case.reported_at >= edges[h], Case.reported_at < edges[h + 1]).label(f"h{h}")
        for h in range(48)
    ]
    row = session.execute(
        select(*columns).where(Case.reported_at >= edges[0], Case.reported_at < as_utc(now), *_scope_where(street))
    ).one()
    values = [int(v) for v in row]
    hour = as_utc(now).astimezone(zone).hour
    return {"yesterday": values[:24], "today": values[24 : 24 + hour + 1], "hour": hour}


def by_major_class(*, session: Session, street: str | None, start: datetime, now: datetime) -> list[dict]:
    """Today's cases by catalog major class, largest first; cases not yet categorised under major None."""
    rows = session.execute(
        select(CatalogItem.major_name, func.count(Case.id))
        .select_from(Case)
        .outerjoin(CatalogItem, CatalogItem.code == Case.category_code)
        .where(Case.reported_at >= as_utc(start), Case.reported_at < as_utc(now), *_scope_where(street))
        .group_by(CatalogItem.major_name)
    ).all()
    return sorted(
        ({"major": major, "count": int(n)} for major, n in rows), key=lambda r: (-r["count"], r["major"] or "")
    )


def by_source(*, session: Session, street: str | None, start: datetime, now: datetime) -> list[dict]:
    """Today's cases by report source, largest first."""
    rows = session.execute(
        select(Case.source, func.count(Case.id))
        .where(Case.reported_at >= as_utc(start), Case.reported_at < as_utc(now), *_scope_where(street))
        .group_by(Case.source)
    ).all()
    return sorted(({"source": s, "count": int(n)} for s, n in rows), key=lambda r: (-r["count"], r["source"]))


def street_ranking(*, session: Session, street: str | None, now: datetime, tz: str) -> dict[str, Any]:
    """Streets by 按时结案率 over the last RANKING_DAYS days (a street's own users see only their street)."""
    start = as_utc(now) - timedelta(days=RANKING_DAYS)
    names = dict(session.execute(select(Street.code, Street.name)).all())
    ranked = kpi_rankings(session=session, level="street", start=start, end=as_utc(now), now=as_utc(now))
    rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "rate": kpis(c)["on_time_close_rate"],
            "due": c.due,
            "closed_on_time": c.closed_on_time,
        }
        for code, c in ranked
        if street is None or code == street
    ]
    return {"days": RANKING_DAYS, "from": local_iso(start, tz), "to": local_iso(now, tz), "streets": rows}


def summary(*, session: Session, street: str | None, now: datetime, tz: str) -> dict[str, Any]:
    """Everything the wall's tiles and charts show except the ranking, as of `now`."""
    day_start = local_day_start(now, tz)
    today = kpi_counts(session=session, scope=street, start=day_start, end=as_utc(now), now=as_utc(now))
    then = as_utc(now) - timedelta(days=1)
    yesterday = counts_as_of(session=session, street=street, start=local_day_start(then, tz), at=then)
    return {
        "at": local_iso(now, tz),
        "day_start": local_iso(day_start, tz),
        "tiles": _tiles(today),
        "yesterday": _tiles(yesterday),
        "by_major": by_major_class(session=session, street=street, start=day_start, now=now),
        "sources": by_source(session=session, street=street, start=day_start, now=now),
        "hourly": hourly_arrivals(session=session, street=street, day_start=day_start, now=now, tz=tz),
        # Read after the counts: the wall adds to these figures every new case of its deltas with a higher id
        # (a case committed meanwhile with a lower id is missing until the next summary, never counted twice).
        "max_case_id": session.scalar(select(func.max(Case.id))) or 0,
    }


def screen_meta(*, session: Session) -> dict[str, Any]:
    """Names and outlines the wall draws: the district, its streets (GeoJSON with centres), departments."""
    district = session.scalars(select(District)).first()
    streets = [
        {
            "type": "Feature",
            "geometry": json.loads(s.geometry),
            "properties": {"code": s.code, "name": s.name, "kind": s.kind, "center": [s.center_lat, s.center_lon]},
        }
        for s in session.scalars(select(Street).order_by(Street.code))
    ]
    return {
        "district": {"code": district.code, "name": district.name} if district else None,
        "streets": {"type": "FeatureCollection", "features": streets},
        "departments": dict(session.execute(select(Department.code, Department.name)).all()),
        # Catalog code → major class: the wall files a new case of its deltas under its class without a refetch.
        "majors": dict(session.execute(select(CatalogItem.code, CatalogItem.major_name)).all()),
    }


def grid_layer_body(*, session: Session) -> bytes:
    """Every grid as GeoJSON with only what the wall uses (code, name, street, population), encoded once.

    The stored geometry is GeoJSON text already, so features are assembled as strings: no parse and re-encode of
    8,000 polygons. Load is left out on purpose: the wall colours grids from its live snapshot.
    """
    parts = []
    rows = session.execute(
        select(Grid.code, Grid.name, Grid.street_code, Grid.population, Grid.geometry).order_by(Grid.code)
    )
    for code, name, street, population, geometry in rows:
        props = json.dumps(
            {"code": code, "name": name, "street_code": street, "population": population},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        parts.append(f'{{"type":"Feature","geometry":{geometry},"properties":{props}}}')
    return ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode()


@dataclass
class FeedCaches:
    """What the feed keeps between requests, one per app (registry.per_app): it belongs to one database."""

    summaries: TtlCache = field(default_factory=TtlCache)
    alerts: TtlCache = field(default_factory=TtlCache)
    meta: str | None = None  # outlines and names are static while the app runs
    grids: bytes | None = None  # static while the app runs (a grid import restarts it)
    grids_etag: str = ""


def _caches() -> FeedCaches:
    return per_app(CACHES, FeedCaches)


def _street_of_caller() -> str | None:
    principal = require("screen", "dispatcher", "leader", "admin")
    return None if principal.actor().district_wide else principal.scope


def screen_summary() -> Response:
    """GET /summary?min_id=: the tiles, charts and ranking of the caller's scope, shared for SUMMARY_TTL_S."""
    street = _street_of_caller()
    # A wall passes the newest case id it holds: a cached summary that predates that case is recomputed, so
    # the charts never start behind the wall's own "reported" tile (the next wall reuses the new answer).
    min_id = validate.int_arg(request.args.get("min_id"), "min_id", default=0, low=0, high=validate.INT64_MAX)
    rt = runtime()
    # Nor behind the database: a wall asks before its snapshot has come (it loads both at once), so its min_id can
    # be 0 while a cached summary misses the cases reported since; its charts then showed yesterday's 100 beside
    # a "reported" tile of 600 until the retry. The newest id is one index lookup.
    with rt.session() as session:
        min_id = max(min_id, session.scalar(select(func.max(Case.id))) or 0)
    tz = rt.settings.timezone
    # A summary computed before local midnight is never "today's", however young it is.
    today = local_iso(local_day_start(utcnow(), tz), tz)
    body = _caches().summaries.get(
        f"summary:{street}",
        SUMMARY_TTL_S,
        partial(_summary_with_ranking, rt, street),
        partial(_fresh_enough, min_id=min_id, today=today),
    )
    return jsonify(body)


def _summary_with_ranking(rt: Runtime, street: str | None) -> dict[str, Any]:
    now = utcnow()
    tz = rt.settings.timezone
    with rt.session() as session:
        body = summary(session=session, street=street, now=now, tz=tz)
        # Recomputed with the summary (at most every SUMMARY_TTL_S per scope), so tiles and ranking agree.
        body["ranking"] = street_ranking(session=session, street=street, now=now, tz=tz)
    return body


def _fresh_enough(body: dict[str, Any], *, min_id: int, today: str) -> bool:
    return body["max_case_id"] >= min_id and body["day_start"] == today


def screen_alerts() -> Response:
    """GET /alerts: the ticker's alerts of the last hour in the caller's scope, newest first (11-alerts.js shape)."""
    street = _street_of_caller()
    rt = runtime()
    body = _caches().alerts.get(f"alerts:{street}", ALERTS_TTL_S, partial(_alerts_body, rt, street))
    return jsonify(body)


def _alerts_body(rt: Runtime, street: str | None) -> dict[str, Any]:
    now = utcnow()
    tz = rt.settings.timezone
    with rt.session() as session:
        alerts = recent_alerts(session=session, street=street, now=now, tz=tz)
    return {"at": local_iso(now, tz), "alerts": alerts}


def meta() -> Response:
    """GET /meta: the names and outlines the wall draws (encoded once per app)."""
    _street_of_caller()
    caches = _caches()
    if caches.meta is None:
        with runtime().session() as session:
            caches.meta = json.dumps(screen_meta(session=session), ensure_ascii=False, separators=(",", ":"))
    return Response(caches.meta, mimetype="application/json")


def grids() -> Response:
    """GET /grids: the wall's grid layer (encoded once per app), revalidated by ETag."""
    _street_of_caller()
    caches = _caches()
    if caches.grids is None:
        with runtime().session() as session:
            body = grid_layer_body(session=session)
        caches.grids_etag = hashlib.sha1(body).hexdigest()[:16]
        caches.grids = body
    etag = caches.grids_etag
    # A wall that reloads (kiosk restart) revalidates and gets 304 instead of 3 MB of polygons again.
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(caches.grids, mimetype="application/geo+json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


PREFIX = "/api/v1/screen"
ROUTES: tuple[Route, ...] = (
    Route("/summary", ("GET",), screen_summary),
    Route("/alerts", ("GET",), screen_alerts),
    Route("/meta", ("GET",), meta),
    Route("/grids", ("GET",), grids),
)


def blueprint() -> Blueprint:
    """The /api/v1/screen blueprint, served from ROUTES (read-only; the screen role and every desk role may read it)."""
    return make_blueprint("screen_feed", __name__, ROUTES, url_prefix=PREFIX)
