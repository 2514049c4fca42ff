"""CPU of one 1 Hz patrol frame through python-socketio's Redis manager: a dict of rows against JSON text.

    .venv/bin/python bench/patrol_frame_encode.py [--patrols 10000] [--repeat 20]

What `LiveLoops._emit_frame` hands to `socketio.emit` decides what python-socketio does with it: in the emitting
process `PubSubManager.emit` walks the data for binary parts, encodes the packet for its own clients (walking it
again) and JSON-encodes the whole message for Redis; every other process decodes that message and encodes the
packet for its clients. This replays exactly those calls (python-socketio's own Packet and json, no network) for a
frame of `--patrols` moved patrols, and reports process CPU time (time.process_time, so a busy box slows it less
than wall time would), dict against str, in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from typing import Any

from engineio import json as eio_json
from socketio.packet import Packet

NAMESPACE = "/live"


def frame_rows(n: int, seed: int = 1) -> list[list[Any]]:
    rnd = random.Random(seed)
    states = ("available", "busy", "offline")
    return [
        [f"P{i:05d}", round(116.6 + rnd.random() * 0.3, 6), round(39.7 + rnd.random() * 0.3, 6), rnd.choice(states)]
        for i in range(n)
    ]


def emitting_process(data: Any) -> str:
    """PubSubManager.emit: binary walk, local packet, the message published to Redis."""
    wrapped = [data]
    Packet.data_is_binary(wrapped)
    Packet(data=["patrols", data], namespace=NAMESPACE).encode()
    message = {"method": "emit", "event": "patrols", "data": wrapped, "binary": False, "namespace": NAMESPACE}
    return eio_json.dumps(message)


def receiving_process(published: str) -> None:
    """PubSubManager._thread in another process: decode the message, encode the packet for its clients."""
    message = eio_json.loads(published)
    Packet(data=["patrols", *message["data"]], namespace=NAMESPACE).encode()


def cpu_ms(fn: Callable[[], Any], repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patrols", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    frame = {"t": int(time.time() * 1000), "rows": frame_rows(args.patrols)}
    as_text = lambda: json.dumps(frame, separators=(",", ":"), ensure_ascii=False)  # noqa: E731
    published_dict = emitting_process(frame)
    published_text = emitting_process(as_text())
    rows = [
        (
            "dict (before)",
            cpu_ms(lambda: emitting_process(frame), args.repeat),
            cpu_ms(lambda: receiving_process(published_dict), args.repeat),
        ),
        (
            "JSON text (now)",
            cpu_ms(lambda: emitting_process(as_text()), args.repeat),
            cpu_ms(lambda: receiving_process(published_text), args.repeat),
        ),
    ]
    print(f"frame of {args.patrols:,} patrols, {len(as_text()):,} bytes as JSON; CPU ms per frame and room")
    print("| frame handed to emit | emitting process | each other process |")
    print("|---|---:|---:|")
    for name, emit_ms, recv_ms in rows:
        print(f"| {name} | {emit_ms:.1f} | {recv_ms:.1f} |")
    print(f"ratio before / now: {rows[0][1] / rows[1][1]:.1f}x emitting, {rows[0][2] / rows[1][2]:.1f}x receiving")


if __name__ == "__main__":
    main()
