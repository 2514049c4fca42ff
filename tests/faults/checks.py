"""What the production fault tests verify in the database and the case stream after a fault (plain SQL: the
test reads the rows as an auditor would, not through the app's own code)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import psycopg
import redis

from tests.faults.cluster import PREFIX, TERMINAL_STATES, Cluster


def db_rows(cluster: Cluster, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(cluster.pg.url, connect_timeout=5) as conn:
        return list(conn.execute(sql, params).fetchall())


def half_written(cluster: Cluster, label: str) -> dict[str, list[int]]:
    """Cases labelled `label` missing a part of what intake writes in its one transaction: the id-based code, the
    `report` timeline entry, the audit row and the outbox row (empty lists: every case is whole)."""
    like = f"{label}%"
    return {
        "provisional_code": [
            r[0] for r in db_rows(cluster, "SELECT id FROM cases WHERE description LIKE %s AND code LIKE '~%%'", like)
        ],
        "no_report_event": [
            r[0]
            for r in db_rows(
                cluster,
                "SELECT c.id FROM cases c WHERE c.description LIKE %s AND (SELECT count(*) FROM case_events e "
                "WHERE e.case_id = c.id AND e.command = 'report') <> 1",
                like,
            )
        ],
        "no_audit": [
            r[0]
            for r in db_rows(
                cluster,
                "SELECT c.id FROM cases c WHERE c.description LIKE %s AND NOT EXISTS (SELECT 1 FROM audit_log a "
                "WHERE a.action = 'case:report' AND a.target = c.code)",
                like,
            )
        ],
        "no_outbox": [
            r[0]
            for r in db_rows(
                cluster,
                "SELECT c.id FROM cases c WHERE c.description LIKE %s AND NOT EXISTS (SELECT 1 FROM outbox o "
                "WHERE o.topic = 'case' AND (o.payload->>'id')::bigint = c.id)",
                like,
            )
        ],
    }


def labelled_cases(cluster: Cluster, label: str) -> dict[int, str]:
    """id → description of the cases labelled `label`."""
    return dict(db_rows(cluster, "SELECT id, description FROM cases WHERE description LIKE %s", f"{label}%"))


def open_cases(cluster: Cluster) -> dict[int, int]:
    """The database's open cases: id → version."""
    terminal = list(TERMINAL_STATES)
    return dict(db_rows(cluster, "SELECT id, version FROM cases WHERE NOT (state = ANY(%s))", terminal))


def unsent(cluster: Cluster) -> int:
    return db_rows(cluster, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0]


def stream_reports(cluster: Cluster) -> Counter[int]:
    """How often each case's version 1 (its report) is in the case stream now."""
    client = redis.Redis.from_url(cluster.redis.url, decode_responses=True, socket_timeout=5)
    seen: Counter[int] = Counter()
    for _sid, fields in client.xrange(f"{PREFIX}stream:cases"):
        for row in json.loads(fields["cases"]):
            if row["version"] == 1:
                seen[row["id"]] += 1
    return seen
