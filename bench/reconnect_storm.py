"""Reconnect storm: 200 /live clients connecting and dropping for a minute while cases change, against the real app.

    .venv/bin/python bench/reconnect_storm.py [--clients 200] [--duration 60] [--cases 5000] [--settle 180]
                                              [--app-root DIR] [--json-out FILE]

Load: `gridcmd init` (120 grids) into a temporary SQLite file, `--cases` open cases written through the services
(half reported, half filed), the app started as a subprocess (`app.serve()`, threaded Werkzeug, the local Redis
with its own key prefix). Then tests/faults/storm.py's storm: every client connects with `since` null, waits up
to 15 s for its snapshot, stays 0.2–2 s and drops (half with a websocket close, half by closing the TCP socket);
meanwhile one seeded case is closed and one new case posted every 0.25 s, /healthz is timed every 0.2 s and the
app's VmRSS and Threads are sampled every 0.5 s. Four clients stay connected through the storm and four more join
halfway; each must end with exactly the database's open cases. After the storm the app's RSS is read until it is
within 20 % of its value before the storm, for at most `--settle` seconds, and once more at the end.

`--app-root DIR` serves the app from another checkout (e.g. `git archive HEAD | tar -x -C /tmp/before`) so the
before/after figures are measured by the same script.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `tests.*` importable

import tests.e2e.server as app_server  # noqa: E402
from tests.e2e.screen_cases import CaseWriter  # noqa: E402
from tests.e2e.server import Jurisdiction, running_app  # noqa: E402
from tests.faults.storm import StormPlan, proc_status, run_storm, seed_open_cases, wait_relayed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--settle", type=float, default=180.0, help="seconds to watch RSS after the storm")
    parser.add_argument("--app-root", type=Path, default=None, help="serve the app from this checkout")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--app-env", action="append", default=[], help="KEY=VALUE for the app process (repeatable)")
    args = parser.parse_args()
    if args.app_root is not None:
        app_server.ROOT = args.app_root.resolve()  # cwd of `gridcmd init` and the app subprocess

    def say(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gc-storm-"))
    extra_env = dict(item.split("=", 1) for item in args.app_env)
    with running_app(workdir, Jurisdiction(), extra_env=extra_env) as live:
        writer = CaseWriter(live.env)
        say(f"app {live.base_url} pid {live.process.pid} from {app_server.ROOT}; seeding {args.cases} cases")
        seeded = seed_open_cases(writer, args.cases, random.Random(5))
        wait_relayed(writer, timeout_s=600)
        plan = StormPlan(clients=args.clients, duration_s=args.duration, settle_s=args.settle)
        report = run_storm(live, writer, seeded, plan, progress=say)
        # However the settle loop ended, watch the rest of the window too: memory that stays is what matters.
        end = time.monotonic() + max(0.0, args.settle - (report["rss_settled_after_s"] or args.settle))
        while time.monotonic() < end:
            time.sleep(5)
        final = proc_status(live.process.pid)
        report["rss_mb_end_of_settle"] = round(final["VmRSS"] / 1024, 1)
        report["threads_end_of_settle"] = final["Threads"]
    report["app_root"] = str(app_server.ROOT)
    report["app_env"] = extra_env
    report["machine"] = {"python": platform.python_version(), "platform": platform.platform()}
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
