"""Hostile patrol batches: every bad fix is a 4xx naming its field and index (or CSV line), never a 5xx, never half a
batch stored; and the Redis script computes exactly what the pure rules (domain/patrol_track.py) say, fix by fix.
"""

from __future__ import annotations

import gzip
import json
import random
import string
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.domain.patrol_track import DAY_MS, TrackFix, advance, local_midnight_ms, today_counters
from dashboard.live.patrol_feed import FixBatch, track_batch


def now_ms() -> int:
    """The clock when the test runs (a module constant would be taken at collection, minutes earlier under xdist)."""
    return int(time.time() * 1000)


def _stored(grid_app) -> int:  # noqa: ANN001
    rt = grid_app.runtime
    return int(rt.redis.hlen(rt.keys.patrol_state)) + int(rt.redis.hlen(rt.keys.patrol_track))


def _good(i: int = 0) -> dict[str, Any]:
    return {"id": f"H-{i}", "lon": 116.7, "lat": 39.9, "ts": now_ms() - 1000, "status": "available"}


JSON_CASES = [
    ([_good(), {**_good(1), "lat": 91.0}], "positions[1].lat"),
    ([_good(), {**_good(1), "lat": 85.06}], "positions[1].lat"),  # beyond what Redis GEO stores
    ([{**_good(), "lon": "116.7"}], "positions[0].lon"),
    ([{**_good(), "lon": 180.5}], "positions[0].lon"),
    ([{**_good(), "lon": 10**400}], "positions[0].lon"),
    ([{**_good(), "id": ["x"]}], "positions[0].id"),
    ([{**_good(), "id": "<b>x</b>"}], "positions[0].id"),
    ([{**_good(), "id": "x" * 25}], "positions[0].id"),
    ([{**_good(), "ts": 1.7e12}], "positions[0].ts"),
    ([{**_good(), "ts": True}], "positions[0].ts"),
    ([{**_good(), "ts": -5}], "positions[0].ts"),
    ([{**_good(), "status": "flying"}], "positions[0].status"),
    ([{**_good(), "status": {"a": 1}}], "positions[0].status"),
    ([_good(), _good(1), "fix"], "positions[2]"),
    ([_good(i) for i in range(20_001)], "positions"),
]


@pytest.mark.parametrize(("fixes", "field"), JSON_CASES, ids=[c[1] + f"#{i}" for i, c in enumerate(JSON_CASES)])
def test_a_bad_json_fix_is_422_naming_it_and_nothing_is_stored(client, grid_app, fixes, field) -> None:  # noqa: ANN001
    resp = client.post("/api/v1/patrols/positions", json={"positions": fixes})
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["field"] == field
    assert _stored(grid_app) == 0


def _line(i: int = 0, **patch: str) -> str:
    fields = {"id": f"C-{i}", "lon": "116.7", "lat": "39.9", "ts": str(now_ms() - 1000), "status": "busy", **patch}
    return ",".join(fields.values())


CSV_CASES = [
    (f"{_line()}\n{_line(1, lat='nan')}", "line[2].lat"),
    (f"{_line()}\n{_line(1, lat='95.5')}", "line[2].lat"),
    (f"{_line()}\n{_line(1, lat='1e5')}", "line[2].lat"),
    (f"{_line()}\n{_line(1)}\n{_line(2, ts='12.5')}", "line[3].ts"),
    (f"{_line(lon=' 116.7')}", "line[1].lon"),
    (f"{_line(status='parked')}", "line[1].status"),
    (f"{_line(id='a;b')}", "line[1].id"),
    ("C-0,116.7,39.9", "line[1]"),
    (f"id,lon,lat,ts,status\n{_line()}\n{_line(1)},x", "line[3]"),
    (f"{_line()}\n{_line(1, id='网格员')}", "line[2]"),
    ("\n".join(_line(i) for i in range(20_001)), "positions"),
]


@pytest.mark.parametrize(("text", "field"), CSV_CASES, ids=[c[1] + f"#{i}" for i, c in enumerate(CSV_CASES)])
def test_a_bad_csv_line_is_422_naming_the_line_and_nothing_is_stored(client, grid_app, text, field) -> None:  # noqa: ANN001
    resp = client.post("/api/v1/patrols/positions", data=text.encode(), content_type="text/csv")
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["field"] == field
    assert _stored(grid_app) == 0


def test_bodies_and_encodings_that_are_not_a_batch(client, grid_app) -> None:  # noqa: ANN001
    url = "/api/v1/patrols/positions"
    cases = [
        (
            client.post(
                url, data='{"positions": [{"id": "a", "lat": NaN, "lon": 1}]}', content_type="application/json"
            ),
            422,
            "body",
        ),
        (client.post(url, data="[" * 100_000, content_type="application/json"), 422, "body"),
        (client.post(url, data=b"\xff\xfe", content_type="application/json"), 422, "body"),
        (client.post(url, data="hello", content_type="text/plain"), 422, "body"),
        (client.post(url, json={"positions": "all"}), 422, "positions"),
        (
            client.post(url, data=b"x", content_type="text/csv", headers={"Content-Encoding": "br"}),
            422,
            "Content-Encoding",
        ),
        (
            client.post(url, data=b"not gzip", content_type="text/csv", headers={"Content-Encoding": "gzip"}),
            422,
            "body",
        ),
        (
            client.post(
                url,
                data=gzip.compress(b"C-1,1,1,1")[:-6],
                content_type="text/csv",
                headers={"Content-Encoding": "gzip"},
            ),
            422,
            "body",
        ),
        # 20 MB of zeros in 20 kB: refused by what it inflates to, not by what it weighs.
        (
            client.post(
                url,
                data=gzip.compress(b"0" * 20_000_000),
                content_type="text/csv",
                headers={"Content-Encoding": "gzip"},
            ),
            413,
            "body",
        ),
    ]
    for resp, status, field in cases:
        assert (resp.status_code, resp.get_json()["field"]) == (status, field), resp.get_json()
    assert _stored(grid_app) == 0


# ---- generated hostile batches ------------------------------------------------------------------------------

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "nan", "Infinity", "1e400", "<script>alert(1)</script>", "' OR 1=1 --", "\ud800", "\x00"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
GOOD_IDS = st.text(alphabet=string.ascii_letters + string.digits + "_.:-", min_size=1, max_size=24)


@st.composite
def fixes(draw: st.DrawFn) -> dict[str, Any]:
    fix: dict[str, Any] = {
        "id": draw(GOOD_IDS),
        "lon": draw(st.floats(min_value=116.5, max_value=116.9)),
        "lat": draw(st.floats(min_value=39.7, max_value=40.0)),
        # An offset from the clock, so the drawn constraints stay the same from one example to the next.
        "ts": now_ms() + draw(st.integers(min_value=-3_600_000, max_value=10**12)),
        "status": draw(st.sampled_from(["available", "busy", "offline"])),
    }
    for key in draw(st.lists(st.sampled_from([*fix, "extra"]), max_size=2)):
        fix[key] = draw(HOSTILE)
    for key in draw(st.lists(st.sampled_from(list(fix)), max_size=1)):
        del fix[key]
    return fix


def _csv_text(v: Any) -> str:
    """A field as the compact form carries it: a string as is, anything else as its JSON (None is "null")."""
    return v if isinstance(v, str) else json.dumps(v)


def _as_csv(batch: list[dict[str, Any]]) -> bytes:
    lines = [",".join(_csv_text(f.get(k, "")) for k in ("id", "lon", "lat", "ts", "status")) for f in batch]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
@given(batch=st.lists(fixes(), max_size=8), form=st.sampled_from(["json", "csv", "csv-gzip"]))
def test_hostile_batches_never_5xx_never_half_stored(client, grid_app, batch, form) -> None:  # noqa: ANN001
    before = _stored(grid_app)
    if form == "json":
        body = json.dumps({"positions": batch}, allow_nan=True).encode("utf-8", "surrogatepass")
        resp = client.post("/api/v1/patrols/positions", data=body, content_type="application/json")
    else:
        body = _as_csv(batch)
        headers = {"Content-Encoding": "gzip"} if form == "csv-gzip" else {}
        data = gzip.compress(body) if headers else body
        resp = client.post("/api/v1/patrols/positions", data=data, content_type="text/csv", headers=headers)
    assert resp.status_code in (202, 413, 422), (resp.status_code, resp.get_data()[:300])
    answer = resp.get_json()
    if resp.status_code != 202:
        assert answer["field"]
        assert _stored(grid_app) == before  # refused whole
        return
    dropped = answer["dropped"]
    assert answer["received"] == len(batch)
    assert answer["accepted"] + dropped["stale"] + dropped["too_fast"] == len(batch)
    rt = grid_app.runtime
    for fix in batch:  # every id of an accepted batch has a state now (in the compact form, the id as text)
        assert rt.redis.hexists(rt.keys.patrol_state, fix["id"] if form == "json" else _csv_text(fix["id"]))


# ---- the script against the pure rules ----------------------------------------------------------------------


def test_the_script_computes_what_the_rules_say(grid_app) -> None:  # noqa: ANN001
    rt = grid_app.runtime
    index = rt.grid_index()
    rng = random.Random(13)
    codes = index.codes()
    homes = {f"M-{k}": codes[k] for k in range(4)}  # M-4 has no own grid
    today, offset = local_midnight_ms(now_ms(), rt.settings.timezone)
    now = today + 15 * 3_600_000  # a fixed afternoon: the run crosses last midnight whatever the hour of the test
    model: dict[str, Any] = {}
    verdicts = {"accepted": 0, "stale": 0, "too_fast": 0}
    clock = {pid: today - DAY_MS // 4 for pid in [*homes, "M-4"]}  # from 18:00 yesterday, across midnight
    where = {pid: index.random_point_in(codes[k], rng) for k, pid in enumerate(clock)}
    for _ in range(12):
        batch = FixBatch()
        for _ in range(40):
            pid = rng.choice(list(clock))
            step = rng.choice([-30_000, 5_000, 60_000, 600_000, 3_000_000])  # back in time, walk, silence
            clock[pid] = min(now, clock[pid] + step)
            lon, lat = where[pid]
            jump = rng.random() < 0.15
            d = rng.uniform(2_000, 8_000) if jump else rng.uniform(0, 60)
            lon, lat = lon + d / 85_000 * rng.choice([-1, 1]), lat + d / 111_000 * rng.choice([-1, 1])
            where[pid] = (lon, lat)
            batch.add(
                pid,
                round(lon, 6),
                round(lat, 6),
                rng.choice(["available", "busy"]),
                clock[pid],
                clamped=rng.random() < 0.05,
            )
        counts = track_batch(rt.patrols, index, homes, batch, now_ms=now, tz=rt.settings.timezone)
        before = dict(verdicts)
        order = sorted(range(len(batch)), key=batch.ts.__getitem__)
        grids = index.locate_codes([batch.lons[i] for i in order], [batch.lats[i] for i in order])
        for i, grid in zip(order, grids, strict=True):
            pid = batch.ids[i]
            own = "-" if pid not in homes else ("i" if grid == homes[pid] else "o")
            fix = TrackFix(
                batch.lons[i],
                batch.lats[i],
                batch.statuses[i],
                batch.ts[i],
                grid,
                own,  # type: ignore[arg-type]
                i in batch.clamped,
            )
            model[pid], verdict = advance(model.get(pid), fix, today_ms=today, utc_offset_ms=offset)
            verdicts[verdict] += 1
        delta = {k: verdicts[k] - before[k] for k in verdicts}
        assert delta == {"accepted": counts.accepted, "stale": counts.stale, "too_fast": counts.too_fast}
    for pid, want in model.items():
        got = rt.patrols.state(pid)
        assert got is not None
        assert (got.ts_ms, got.grid, got.own, got.status) == (want.ts_ms, want.grid, want.own, want.status)
        assert today_counters(got, today)[0] == pytest.approx(today_counters(want, today)[0], rel=1e-9, abs=1e-6)
        assert today_counters(got, today)[1] == today_counters(want, today)[1]
    assert (
        verdicts["stale"] > 5 and verdicts["too_fast"] > 5 and any(today_counters(s, today)[1] for s in model.values())
    )
