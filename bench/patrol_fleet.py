"""The patrol fleet of bench/patrol_ingest.py: walkers, request bodies in each wire form, and the posting clients.

Every body is built before the clock starts (the client processes only send bytes and read answers), so the
figure is the server's, not the generator's. Each client process owns a disjoint share of the fleet and sends
its fixes in order over one keep-alive connection, as a phone (or a gateway relaying phones) would.
"""

from __future__ import annotations

import gzip
import http.client
import json
import math
import random
import time
from dataclasses import dataclass
from typing import Any

WALK_MPS = 1.3  # people on foot; the server's jump filter allows 50 m/s
FIX_PERIOD_MS = 10_000  # one fix every 10 s of device time
METRES_PER_DEG = 111_320.0
# Device clocks start this far back, so a run of a few hundred fixes per patrol never reaches "now" (a fix ahead
# of the server's clock would be clamped to it and the bench would measure something else).
HISTORY_MS = 3_500_000
FORMS = ("json", "csv", "csv-gzip")


@dataclass
class Walker:
    """One patrol walking a random path from a point of its grid."""

    patrol_id: str
    lon: float
    lat: float
    heading: float
    ts: int
    status: str = "available"

    def step(self, rng: random.Random) -> None:
        """Ten seconds of walking: a little turn, 13 m ahead, sometimes busy on a task."""
        self.heading += rng.uniform(-0.5, 0.5)
        metres = WALK_MPS * FIX_PERIOD_MS / 1000
        self.lat += metres * math.cos(self.heading) / METRES_PER_DEG
        self.lon += metres * math.sin(self.heading) / (METRES_PER_DEG * math.cos(math.radians(self.lat)))
        self.ts += FIX_PERIOD_MS
        if rng.random() < 0.02:
            self.status = "busy" if self.status == "available" else "available"


def fleet(starts: list[tuple[str, float, float]], seed: int, now_ms: int) -> list[Walker]:
    """Walkers from (patrol id, lon, lat) starts, their clocks HISTORY_MS behind `now_ms`."""
    rng = random.Random(seed)
    return [Walker(pid, lon, lat, rng.uniform(0, 2 * math.pi), now_ms - HISTORY_MS) for pid, lon, lat in starts]


def fixes(walkers: list[Walker], total: int, seed: int) -> list[tuple[str, float, float, int, str]]:
    """`total` fixes, the walkers taking turns (each fix one step of one walker)."""
    rng = random.Random(seed)
    out = []
    for i in range(total):
        w = walkers[i % len(walkers)]
        w.step(rng)
        out.append((w.patrol_id, round(w.lon, 6), round(w.lat, 6), w.ts, w.status))
    return out


def bodies(rows: list[tuple[str, float, float, int, str]], form: str, batch: int) -> list[tuple[bytes, dict]]:
    """Request bodies of `batch` fixes each in `form`, with the headers each needs."""
    out = []
    for start in range(0, len(rows), batch):
        part = rows[start : start + batch]
        if form == "json":
            doc = {"positions": [{"id": p, "lon": x, "lat": y, "ts": t, "status": s} for p, x, y, t, s in part]}
            out.append((json.dumps(doc, separators=(",", ":")).encode(), {"Content-Type": "application/json"}))
            continue
        text = "\n".join(f"{p},{x},{y},{t},{s}" for p, x, y, t, s in part).encode()
        if form == "csv":
            out.append((text, {"Content-Type": "text/csv"}))
        elif form == "csv-gzip":
            headers = {"Content-Type": "text/csv", "Content-Encoding": "gzip"}
            out.append((gzip.compress(text, compresslevel=6), headers))
        else:
            raise ValueError(f"unknown form {form!r}")
    return out


@dataclass(frozen=True)
class ClientJob:
    """What one client process sends."""

    host: str
    port: int
    token: str
    starts: list[tuple[str, float, float]]
    fixes: int
    batch: int
    form: str
    seed: int
    now_ms: int


def run_client(job: ClientJob, ready: Any, go: Any, results: Any) -> None:
    """Build the bodies, wait for the start signal, post them all in order; put the tally on `results`."""
    rows = fixes(fleet(job.starts, job.seed, job.now_ms), job.fixes, job.seed + 1)
    prepared = bodies(rows, job.form, job.batch)
    wire = sum(len(b) for b, _ in prepared)
    conn = http.client.HTTPConnection(job.host, job.port, timeout=120)
    tally: dict[str, Any] = {"requests": 0, "received": 0, "accepted": 0, "errors": {}, "wire_bytes": wire}
    ready.put(len(prepared))
    go.wait()
    started = time.perf_counter()
    for body, headers in prepared:
        conn.request(
            "POST", "/api/v1/patrols/positions", body=body, headers={"Authorization": f"Bearer {job.token}", **headers}
        )
        resp = conn.getresponse()
        answer = resp.read()
        tally["requests"] += 1
        if resp.status != 202:
            tally["errors"][str(resp.status)] = tally["errors"].get(str(resp.status), 0) + 1
            continue
        doc = json.loads(answer)
        tally["received"] += doc["received"]
        tally["accepted"] += doc["accepted"]
        for reason, count in (doc.get("dropped") or {}).items():
            tally.setdefault("dropped", {}).setdefault(reason, 0)
            tally["dropped"][reason] += count
    tally["elapsed_s"] = time.perf_counter() - started
    conn.close()
    results.put(tally)
