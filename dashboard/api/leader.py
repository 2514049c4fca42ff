"""The leader-pass view's data under /api/v1/leader (领导通, issue 14): one summary, never the whole map.

`GET /leader/summary?scope=&window=` answers, for a district, street, community or grid:
- `windows`: the section 7 figures today, this week and this month so far, each with the previous period to the
  same elapsed time, their `from`/`to` (so `GET /kpis` with the same bounds gives the same figures) and the
  composite index against the seeds' reference figures (dashboard/domain/leader.py);
- each window's `trend`: its figures over the last 7 days / 4 weeks / 6 months (one grouped query per window), the
  last point being the window itself, so a sparkline ends on the figure its card shows;
- `rankings`: the scope's children (streets, communities or grids) in `window` (default today), best and worst
  by 按时结案率 and by open overdue cases, and all of them by code; `rankings.departments` the same for the
  departments that handle the scope's cases (counted over the scope's cases);
- `map_cases`: for a street, community or grid, its open cases as dots (dashboard/api/leader_area.py; the outline
  is `GET /leader/outline?scope=`, fetched once per area), None for the district;
- `needs`: open cases that are overdue, A-level, escalated, supervised more than once or whose 督办 went unanswered
  past its reply deadline, newest first, each with `supervision_reply` (pending, acked, overdue or None);
- `path`: the breadcrumb from the caller's own scope down to this one; `live_since`: the case stream's head when
  the summary was read, so the page's live client resumes from it instead of taking a snapshot of every case.
A street's leader sees their street and what lies inside it: any other scope is 403, as for `/kpis`.
"""

from __future__ import annotations

from typing import Any

import redis
from flask import Blueprint, Response, jsonify, request

from dashboard.api.auth import Principal, require
from dashboard.api.leader_area import map_cases, outline_response
from dashboard.api.registry import Route, make_blueprint, runtime
from dashboard.domain.clock import as_utc
from dashboard.domain.codes import COMMUNITY_CODE_LEN, COUNTY_DIGITS, GRID_CODE_LEN, STREET_CODE_LEN
from dashboard.domain.kpi import kpis, ratio, scope_level
from dashboard.domain.leader import (
    TARGETS,
    TREND_KEYS,
    WINDOWS,
    composite_index,
    needs_reasons,
    reply_status,
    trend_starts,
    window,
)
from dashboard.domain.rows import case_row
from dashboard.runtime import Runtime
from dashboard.services.clock import local_iso, utcnow
from dashboard.services.errors import FieldError, Forbidden, NotFound
from dashboard.store.kpi_queries import kpi_counts
from dashboard.store.leader_queries import ChildRow, area_name, child_level, child_rows, department_rows, needs_me
from dashboard.store.leader_trends import trend_counts

RANK_SIZE = 5  # rows in each of best and worst
NEEDS_LIMIT = 50
LEVEL_LENGTHS = (COUNTY_DIGITS, STREET_CODE_LEN, COMMUNITY_CODE_LEN, GRID_CODE_LEN)


def checked_scope(principal: Principal, county: str) -> str:
    """The scope asked for (default: the caller's own), checked against the caller's street and the code levels."""
    raw = request.args.get("scope") or principal.scope or county
    if len(raw) > 32 or not raw.isascii() or not raw.isdigit() or scope_level(raw) == "department":
        raise FieldError("scope", "must be a district, street, community or grid code (6, 9, 12 or 15 digits)")
    if not principal.actor().district_wide and not raw.startswith(principal.scope):
        raise Forbidden(f"scope {raw!r} is outside your street {principal.scope}")
    if len(raw) == COUNTY_DIGITS and raw != county:
        raise NotFound(f"scope {raw!r} is not this district ({county})")
    return raw


def _stream_head(rt: Runtime) -> str | None:
    """The case stream's last id, or None (no stream yet, or Redis down: the live client takes a snapshot)."""
    try:
        last = rt.redis.xrevrange(rt.keys.case_stream, count=1)
    except redis.RedisError:
        return None
    return last[0][0] if last else None


def _windows(session: Any, scope: str, now: Any, tz: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in WINDOWS:
        w = window(name, now, tz)
        current = kpis(kpi_counts(session=session, scope=scope, start=w.start, end=w.end, now=now))
        previous = kpis(kpi_counts(session=session, scope=scope, start=w.prev_start, end=w.prev_end, now=now))
        out[name] = {
            "from": local_iso(w.start, tz),
            "to": local_iso(w.end, tz),
            "prev_from": local_iso(w.prev_start, tz),
            "prev_to": local_iso(w.prev_end, tz),
            "kpis": current,
            "previous": previous,
            "index": composite_index(current),
            "prev_index": composite_index(previous),
            "trend": _trend(session, scope, name, now, tz),
        }
    return out


def _trend(session: Any, scope: str, name: str, now: Any, tz: str) -> dict[str, Any]:
    """The window's periods (their local starts) and, per TREND_KEYS figure and the index, one value per period."""
    starts = trend_starts(name, now, tz)
    figures = [kpis(c) for c in trend_counts(session=session, scope=scope, starts=starts, end=now, now=now)]
    return {
        "starts": [local_iso(start, tz) for start in starts],
        "kpis": {key: [f[key] for f in figures] for key in TREND_KEYS},
        "index": [composite_index(f) for f in figures],
    }


def _child(row: ChildRow) -> dict[str, Any]:
    c = row.counts
    return {
        "code": row.code,
        "name": row.name,
        "on_time_close_rate": ratio(c.closed_on_time, c.due),
        "due": c.due,
        "filed": c.filed,
        "open": row.open,
        "overdue": row.overdue,
    }


def _rankings(rows: list[ChildRow], level: str | None) -> dict[str, Any]:
    """Best and worst of `rows` by 按时结案率 (those with cases due) and by overdue open cases, and all by code."""
    children = [_child(r) for r in rows]
    rated = sorted((c for c in children if c["on_time_close_rate"] is not None), key=lambda c: c["code"])
    rated.sort(key=lambda c: -c["on_time_close_rate"])
    by_overdue = sorted(children, key=lambda c: (c["overdue"], c["code"]))
    return {
        "level": level,
        "count": len(children),
        "on_time": {"best": rated[:RANK_SIZE], "worst": rated[::-1][:RANK_SIZE]},
        "overdue": {"best": by_overdue[:RANK_SIZE], "worst": by_overdue[::-1][:RANK_SIZE]},
        "all": children,  # by code: a quiet period ranks nothing, and the leader can still drill into any child
    }


def _needs(session: Any, scope: str, now: Any, tz: str) -> dict[str, Any]:
    found, total = needs_me(session=session, scope=scope, now=now, limit=NEEDS_LIMIT)
    rows = []
    for case, grid_name, category in found:
        row = case_row(case, tz=tz, category_name=category)
        overdue = case.deadline is not None and as_utc(case.deadline) < now
        reply = reply_status(
            supervision_count=case.supervision_count,
            reply_by=case.supervision_reply_by,
            acked_at=case.supervision_acked_at,
            now=now,
        )
        reasons = needs_reasons(
            overdue=overdue,
            level=case.level,
            # An unlocated report sits at district tier for want of a street, not because it was escalated.
            tier=case.tier if case.street_code is not None else "street",
            supervision_count=case.supervision_count,
            reply_overdue=reply == "overdue",
        )
        rows.append({**row, "grid_name": grid_name, "reasons": reasons, "supervision_reply": reply})
    return {"total": total, "cases": rows}


def _path(session: Any, principal: Principal, scope: str, county: str) -> list[dict[str, str]]:
    """Breadcrumb: every level from the caller's own scope (district for district-wide callers) down to `scope`."""
    top = COUNTY_DIGITS if principal.actor().district_wide else len(principal.scope)
    crumbs = []
    for length in LEVEL_LENGTHS:
        if top <= length <= len(scope):
            code = county if length == COUNTY_DIGITS else scope[:length]
            crumbs.append({"code": code, "name": area_name(session=session, code=code) or code})
    return crumbs


def leader_summary() -> Response:
    """GET /leader/summary?scope=&window=: figures, rankings and what needs the leader (module docstring)."""
    principal = require("leader", "admin")
    rt = runtime()
    tz = rt.settings.timezone
    county = rt.settings.county_code
    scope = checked_scope(principal, county)
    rank_window = request.args.get("window") or "today"
    if rank_window not in WINDOWS:
        raise FieldError("window", f"must be one of {', '.join(WINDOWS)}")
    live_since = _stream_head(rt)  # before reading: a change committed meanwhile is replayed, never missed
    # Whole seconds: the windows' `to` is written to the second, so GET /kpis with the same bounds counts the same
    # cases (a case reported in the last fraction of a second would otherwise be in one and not the other).
    now = utcnow().replace(microsecond=0)
    with rt.session() as session:
        name = area_name(session=session, code=scope)
        if name is None:
            raise NotFound(f"scope {scope!r} is not a district, street, community or grid code")
        w = window(rank_window, now, tz)
        children = child_rows(session=session, scope=scope, start=w.start, end=w.end, now=now)
        departments = department_rows(session=session, scope=scope, start=w.start, end=w.end, now=now)
        body = {
            "scope": scope,
            "name": name,
            "level": scope_level(scope),
            "path": _path(session, principal, scope, county),
            "at": local_iso(now, tz),
            "window": rank_window,
            "targets": TARGETS,
            "windows": _windows(session, scope, now, tz),
            "rankings": {
                **_rankings(children, child_level(scope)),
                "departments": _rankings(departments, "department"),
            },
            "needs": _needs(session, scope, now, tz),
            "map_cases": map_cases(session, scope),
            "live_since": live_since,
        }
    return jsonify(body)


def leader_outline() -> Response:
    """GET /leader/outline?scope=: a street's, community's or grid's small map outline (api/leader_area.py)."""
    principal = require("leader", "admin")
    return outline_response(checked_scope(principal, runtime().settings.county_code))


PREFIX = "/api/v1/leader"
ROUTES: tuple[Route, ...] = (
    Route("/summary", ("GET",), leader_summary),
    Route("/outline", ("GET",), leader_outline),
)


def blueprint() -> Blueprint:
    """The /api/v1/leader blueprint, served from ROUTES (read-only; leaders and admins)."""
    return make_blueprint("leader_api", __name__, ROUTES, url_prefix=PREFIX)
