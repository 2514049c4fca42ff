"""The long run of the property-based API fuzz (tests/integration/test_fuzz_api.py): 10,000+ generated requests.

    .venv/bin/python bench/fuzz_api.py [--requests 10000] [--json-out FILE] [--append-md BENCHMARKS.md]

Runs the same test `make test` runs (2,000 requests there) with GRIDCMD_FUZZ_REQUESTS raised: every endpoint
of the URL map, every caller (anonymous, each role by bearer token and by session cookie, a kiosk), hostile
paths, queries, JSON bodies, forms and headers, in-process on a fresh SQLite database and the local Redis.
Derandomized, so a run repeats exactly. Prints the figures; `--append-md` writes the section "Input fuzz" of
BENCHMARKS.md (replacing an earlier version of that section only).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Input fuzz: every endpoint, no 5xx"


def run(requests: int) -> tuple[dict[str, Any], int]:
    """Run the fuzz test with `requests` generated requests; its summary and pytest's exit status."""
    with tempfile.TemporaryDirectory() as tmp:
        summary_path = Path(tmp) / "fuzz.json"
        env = {**os.environ, "GRIDCMD_FUZZ_REQUESTS": str(requests), "GRIDCMD_FUZZ_SUMMARY": str(summary_path)}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--timeout", "3000"]
        cmd.append("tests/integration/test_fuzz_api.py")  # pytest-timeout's 300 s of make test is for 2,000
        status = subprocess.run(cmd, cwd=ROOT, env=env, timeout=3600, check=False).returncode
        summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    return summary, status


def section(summary: dict[str, Any], requests: int) -> str:
    """The BENCHMARKS.md section for one run."""
    statuses = ", ".join(f"{code}: {n:,}" for code, n in summary["statuses"].items())
    return f"""{SECTION}

```
.venv/bin/python bench/fuzz_api.py --requests {requests} --append-md BENCHMARKS.md
```

The long mode of `tests/integration/test_fuzz_api.py` (`make test` runs it with 2,000 generated requests):
hypothesis, derandomized, over every (method, rule) of the server's URL map, signed in as every caller
(anonymous, each role by bearer token and by session cookie, a kiosk by its display token), with hostile path
segments, query arguments, JSON bodies, login forms and headers (non-ASCII digits, ids past 64 bits, dates out of
range, 400-digit numbers, deep nesting, lone surrogates, NUL, markup, SQL, wrong types, 100 KB strings, invalid
UTF-8), in-process on a fresh SQLite database and the local Redis. Besides "no 5xx" it checks that every 4xx of
the API is JSON and every 422/413 names its `field`, and that Redis holds no patrol fix dated ahead of the clock.

Measured {date.today().isoformat()}:

| generated requests | sweep requests | endpoints | callers | 5xx | duration |
|---:|---:|---:|---:|---:|---:|
| {summary["generated_requests"]:,} | {summary["sweep_requests"]:,} | {summary["endpoints"]} | {summary["callers"]} | \
{summary["5xx"]} | {summary["duration_s"]:.0f} s |

Answers: {statuses}.

The sweep is one request per endpoint per caller before the generated ones, so no route escapes.
"""


def append_md(path: Path, text: str) -> None:
    """Replace this bench's section of `path`, or append it."""
    doc = path.read_text(encoding="utf-8")
    start = doc.find(SECTION)
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        end = doc.find("\n## ", start + len(SECTION))
        doc = doc[:start] + text + (doc[end + 1 :] if end >= 0 else "")
    path.write_text(doc, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--append-md", type=Path, default=None)
    args = parser.parse_args()
    summary, status = run(args.requests)
    print(json.dumps(summary, indent=1))
    if not summary:
        print("the fuzz test did not finish; see its output above", file=sys.stderr)
        return status or 1
    if args.json_out:
        args.json_out.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    if args.append_md and status == 0:
        append_md(args.append_md, section(summary, args.requests))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
