"""The case-stream fan-out after a Redis outage that lost entries it had not read yet.

A Sentinel failover promotes a replica that may lack the master's last entries (replication is asynchronous).
When the entry the fan-out delivered last survived but later ones the relay published did not, the stream alone
cannot tell; the outbox's recorded stream ids can, and every local client must then resync (`gap`).
"""

from __future__ import annotations

from typing import Any

import redis


def _post(client: Any, point: tuple[float, float], text: str) -> int:
    lon, lat = point
    resp = client.post("/api/v1/cases", json={"description": text, "lat": lat, "lon": lon, "source": "grid_worker"})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def _outage(fanout: Any) -> None:
    # What a failed XREAD does (fanout.run catches the error and calls this), then the retry after it.
    fanout._lost(redis.ConnectionError("master gone"))
    fanout._resume()


def test_entries_relayed_after_the_cursor_and_lost_make_clients_resync(
    grid_app: Any, client: Any, inside_point: tuple[float, float]
) -> None:
    loops, rt = grid_app.loops, grid_app.runtime
    _post(client, inside_point, "送达 delivered")
    loops.relay.drain()
    loops.fanout._resume()  # first contact: the cursor is the tail, the entry just relayed
    delivered = loops.fanout.cursor
    assert delivered is not None and delivered != "0-0"

    _post(client, inside_point, "失去 lost in the failover")
    loops.relay.drain()
    lost = rt.redis.xrevrange(rt.keys.case_stream, count=1)[0][0]
    assert lost != delivered
    rt.redis.xdel(rt.keys.case_stream, lost)  # the promoted replica never received it

    _outage(loops.fanout)
    assert loops.fanout.gaps == 1  # every local client is told to take a snapshot
    assert loops.fanout.cursor == delivered  # the stream's tail now
    assert not loops.fanout.down


def test_an_outage_that_lost_nothing_resumes_without_a_resync(
    grid_app: Any, client: Any, inside_point: tuple[float, float]
) -> None:
    loops = grid_app.loops
    _post(client, inside_point, "之前 before")
    loops.relay.drain()
    loops.fanout._resume()
    delivered = loops.fanout.cursor
    _post(client, inside_point, "之后 after, still in the stream")
    loops.relay.drain()

    _outage(loops.fanout)
    assert loops.fanout.gaps == 0
    assert loops.fanout.cursor == delivered  # goes on from here: the next XREAD delivers the second entry
